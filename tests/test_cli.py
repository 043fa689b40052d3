"""The cx command: plain messages and exit statuses, never a traceback for a user's mistake."""
from cxlib.runs.cli import main


def test_cli_validate_demo_prints_ok(capsys):
    assert main(["validate", "demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("demo: ok") and "survey 2,000" in out


def test_cli_validate_unknown_client_names_the_known_ones(capsys):
    assert main(["validate", "no-such-client"]) == 1
    err = capsys.readouterr().err
    assert "no client 'no-such-client'" in err and "demo" in err and "Traceback" not in err


def test_cli_run_without_clients_is_a_usage_error(capsys):
    assert main(["run"]) == 1
    assert "--all" in capsys.readouterr().err


def test_cli_run_bad_parameter_is_rejected(capsys):
    try:
        main(["run", "demo", "-p", "threshold"])
    except SystemExit as exit:
        assert exit.code == 2
    assert "expected name=value" in capsys.readouterr().err


def test_cli_run_invalid_client_fails_with_reason(tmp_path, capsys, client_copy):
    (client_copy / "client.yml").write_text(
        (client_copy / "client.yml").read_text(encoding="utf-8").replace("survey:", "survy:"),
        encoding="utf-8")
    assert main(["run", str(client_copy), "--output", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "did you mean 'survey'" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_cli_run_shard_takes_every_nth_client(monkeypatch, capsys):
    import cxlib.runs.run

    seen = {}
    monkeypatch.setattr(cxlib.runs.run, "all_clients", lambda: ["a", "b", "c", "d", "e"])
    monkeypatch.setattr(cxlib.runs.run, "run_many", lambda clients, **kw: seen.setdefault("c", clients)
                        and [])
    assert main(["run", "--all", "--shard", "2/2"]) == 0
    assert seen["c"] == ["b", "d"]


def test_cli_run_bad_shard_is_rejected(capsys):
    try:
        main(["run", "--all", "--shard", "3/2"])
    except SystemExit as exit:
        assert exit.code == 2
    assert "expected K/N" in capsys.readouterr().err
