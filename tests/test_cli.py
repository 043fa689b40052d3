"""The cx command: plain messages and exit statuses, never a traceback for a user's mistake."""
import pytest

from cxlib.runs.cli import main


def test_cli_validate_demo_prints_ok(capsys):
    assert main(["validate", "demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("demo: ok") and "survey: survey.csv, 2,000 rows" in out
    assert "UTF-8, detected" in out and "2,000 of 2,000 surveyed customers have outcomes" in out


def test_cli_validate_unknown_client_names_the_known_ones(capsys):
    assert main(["validate", "no-such-client"]) == 1
    err = capsys.readouterr().err
    assert "no client 'no-such-client'" in err and "demo" in err and "Traceback" not in err


def test_cli_run_without_clients_is_a_usage_error(capsys):
    assert main(["run"]) == 1
    assert "--all" in capsys.readouterr().err


def test_cli_run_bad_parameter_is_rejected(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["run", "demo", "-p", "threshold"])
    assert exit.value.code == 2
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


def test_cli_run_unknown_parameter_suggests_and_writes_nothing(tmp_path, capsys):
    assert main(["run", "demo", "-p", "thresh=0.3", "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'thresh'; did you mean 'threshold'?" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_cli_run_out_of_range_parameters_are_named_together(tmp_path, capsys):
    code = main(["run", "demo", "-p", "threshold=-5", "-p", "what_if_share=1.2",
                 "-p", "alpha=0.7", "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "out").exists()
    assert "parameter 'threshold': expected a number at least 0, got '-5'" in err
    assert "parameter 'what_if_share': expected a number at least 0 and at most 1" in err
    assert "parameter 'alpha': expected a number above 0 and at most 0.5, got '0.7'" in err


def test_cli_validate_reports_settings_file(client_copy, capsys):
    (client_copy / "settings.yml").write_text("threshold: 0.3\n", encoding="utf-8")
    assert main(["validate", str(client_copy)]) == 0
    assert "settings.yml: threshold = 0.3" in capsys.readouterr().out


def test_cli_validate_bad_settings_file_names_line_and_key(client_copy, capsys):
    (client_copy / "settings.yml").write_text("alpha: 0.05\nwhat_if: 0.3\n", encoding="utf-8")
    assert main(["validate", str(client_copy)]) == 1
    err = capsys.readouterr().err
    assert "1 problem in settings.yml" in err
    assert "line 2, key 'what_if': expected one of threshold, alpha, what_if_share" in err
