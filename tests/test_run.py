"""Runs: staging, atomic publishing, parallel clients, failures that stop nothing else."""
import json
import shutil

import pytest

from cxlib.errors import DataError, RunError, UsageError
from cxlib.runs.run import Outcome, run_client, run_many


@pytest.fixture()
def broken_client(tmp_path, demo_folder):
    """A copy of the demo client whose survey has an NPS answer of 11."""
    target = tmp_path / "broken"
    shutil.copytree(demo_folder, target)
    survey = target / "survey.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("Q1")] = "11"
    lines[1] = ",".join(cells)
    survey.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_run_client_invalid_data_writes_nothing(broken_client, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(DataError) as err:
        run_client(broken_client, output_root=out)
    assert "row 2, column 'Q1'" in str(err.value)
    assert not out.exists() or list(out.iterdir()) == []


def test_run_client_failing_notebook_leaves_no_partial_report(demo_folder, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(RunError, match="00_intake.ipynb"):
        run_client(demo_folder, output_root=out, kernel="no-such-kernel-xyz")
    assert list(out.iterdir()) == []


def test_run_client_resume_skips_unchanged_client(demo_report):
    outcome = run_client("demo", output_root=demo_report.parent, resume=True)
    assert outcome.skipped and outcome.ok


def test_run_many_reports_failure_and_keeps_going(demo_report, broken_client):
    outcomes = run_many([str(broken_client), "demo"], workers=2, progress=False,
                        output_root=demo_report.parent, resume=True)
    assert [o.ok for o in outcomes] == [False, True]
    assert "expected a whole number 0-10, got '11'" in outcomes[0].reason
    assert isinstance(outcomes[1], Outcome) and outcomes[1].skipped


def test_run_leaves_no_snapshot_or_sections_behind(demo_report, demo_folder):
    assert sorted(p.name for p in demo_report.iterdir()) == [
        "deck.pptx", "figures", "manifest.json", "notebooks", "report.html", "report.pdf",
        "results.json", "tables.xlsx"]
    assert not list(demo_folder.glob(".cx-snapshot-*"))
    assert sorted(p.name for p in demo_report.parent.iterdir()) == ["demo"]


def test_run_many_same_id_twice_is_a_usage_error(demo_folder, client_copy, tmp_path):
    twin = tmp_path / "twin" / "demo"
    shutil.copytree(client_copy, twin)
    with pytest.raises(UsageError, match="'demo'"):
        run_many(["demo", str(twin)], output_root=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_run_uses_settings_file_and_command_line_and_says_so(tiny_report):
    results = json.loads((tiny_report / "results.json").read_text(encoding="utf-8"))
    assert results["settings"] == {
        "threshold": {"value": 0.4, "source": "settings.yml"},
        "alpha": {"value": 0.1, "source": "command line"},
        "what_if_share": {"value": 0.2, "source": "default"}}
    page = (tiny_report / "report.html").read_text(encoding="utf-8")
    appendix = page[page.index('id="appendix"'):]
    assert "Settings used" in appendix and "the client&#39;s settings.yml" in appendix
    assert "the command line (cx run -p)" in appendix and "20%" in appendix
    executed = (tiny_report / "notebooks" / "02_touchpoints.ipynb").read_text(encoding="utf-8")
    assert "threshold = 0.4" in executed and "alpha = 0.1" in executed
