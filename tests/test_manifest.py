"""Provenance and honest --resume: each change that must cause a re-run does; cx verify."""
import json
import shutil

import pytest

from cxlib import paths
from cxlib.errors import RunError
from cxlib.inputs.config import load_config
from cxlib.runs import manifest
from cxlib.runs.cli import main
from cxlib.runs.parameters import records, resolve
from cxlib.runs.run import run_client

#: How tiny_report was made (see conftest.py).
COMMAND_LINE = {"alpha": 0.1}


@pytest.fixture()
def client(tmp_path, tiny_client):
    """A writable copy of the tiny client, same files as the report was made from."""
    return shutil.copytree(tiny_client, tmp_path / "tiny")


@pytest.fixture()
def report(tmp_path, tiny_report):
    """A writable copy of the tiny client's report."""
    return shutil.copytree(tiny_report, tmp_path / "reports" / "tiny")


def _plan(folder, command_line=COMMAND_LINE, deliverables=False):
    return manifest.plan(load_config(folder), records(resolve(folder, command_line)),
                         deliverables)


def _copy_tree(monkeypatch, tmp_path, attribute, source):
    target = shutil.copytree(source, tmp_path / attribute.lower(),
                             ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, attribute, target)
    return target


def test_manifest_lists_every_output_and_input(tiny_report, tiny_client):
    data = manifest.read(tiny_report)
    files = {p.relative_to(tiny_report).as_posix() for p in tiny_report.rglob("*")
             if p.is_file()} - {"manifest.json"}
    assert set(data["outputs"]) == files
    assert set(data["inputs"]) >= {"client.yml", "settings.yml", "survey.csv", "crm.xlsx",
                                   "touchpoints.csv", "interviews.xlsx", "events.csv",
                                   "assessment.xlsx"}
    assert set(data["inputs"]) == set(manifest.input_files(load_config(tiny_client)))
    assert data["inputs"]["survey.csv"] == manifest.sha256(tiny_client / "survey.csv")
    assert data["parameters"]["threshold"] == {"value": 0.4, "source": "settings.yml"}
    assert data["code"]["cxlib"]["version"] and set(data["code"]["notebooks"]) >= {
        "00_intake.ipynb", "04_capabilities.ipynb"}
    assert data["environment"]["packages"]["pandas"] == __import__("pandas").__version__
    assert data["started"] <= data["finished"]


def test_unchanged_client_is_current(client, tiny_report):
    assert manifest.differences(tiny_report, _plan(client)) == []


@pytest.mark.parametrize("change, expected", [
    (lambda c: (c / "survey.csv").write_bytes((c / "survey.csv").read_bytes() + b"\n"),
     "inputs changed (survey.csv)"),
    (lambda c: (c / "settings.yml").write_text("threshold: 0.45\n"),
     "parameters changed (threshold)"),
    (lambda c: (c / "settings.yml").unlink(), "inputs changed (settings.yml)"),
    (lambda c: (c / "client.yml").write_text((c / "client.yml").read_text() + "\n# note\n"),
     "inputs changed (client.yml)"),
])
def test_changed_input_causes_a_rerun(client, tiny_report, change, expected):
    change(client)
    assert any(r.startswith(expected) for r in manifest.differences(tiny_report, _plan(client)))


def test_changed_parameter_on_the_command_line_causes_a_rerun(client, tiny_report):
    why = manifest.differences(tiny_report, _plan(client, {"alpha": 0.2}))
    assert why == ["parameters changed (alpha)"]


def test_same_value_from_another_source_causes_a_rerun(client, tiny_report):
    """The appendix says where each setting came from, so the report would differ."""
    (client / "settings.yml").write_text("threshold: 0.4\nalpha: 0.1\n")
    assert "parameters changed (alpha)" in manifest.differences(tiny_report, _plan(client, {}))


def test_more_deliverables_cause_a_rerun(client, tiny_report):
    assert manifest.differences(tiny_report, _plan(client, deliverables=True)) == [
        "deliverables changed"]


def test_changed_notebook_causes_a_rerun(client, tiny_report, monkeypatch, tmp_path):
    notebooks = _copy_tree(monkeypatch, tmp_path, "NOTEBOOKS", paths.NOTEBOOKS)
    page = notebooks / "02_touchpoints.ipynb"
    page.write_text(page.read_text(encoding="utf-8").replace("# ", "## ", 1), encoding="utf-8")
    assert manifest.differences(tiny_report, _plan(client)) == ["code changed (notebooks)"]


def test_changed_template_or_theme_causes_a_rerun(client, tiny_report, monkeypatch, tmp_path):
    templates = _copy_tree(monkeypatch, tmp_path, "TEMPLATES", paths.TEMPLATES)
    theme = templates / "theme.yml"
    theme.write_text(theme.read_text(encoding="utf-8") + "\n# rebrand\n", encoding="utf-8")
    assert manifest.differences(tiny_report, _plan(client)) == ["code changed (templates)"]


def test_changed_cxlib_causes_a_rerun(client, tiny_report, monkeypatch, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(paths.ROOT / "cxlib", root / "cxlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "ROOT", root)
    assert manifest.differences(tiny_report, _plan(client)) == []
    source = root / "cxlib" / "statistics" / "metrics.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert manifest.differences(tiny_report, _plan(client)) == ["code changed (cxlib)"]


def test_changed_package_version_causes_a_rerun(client, tiny_report, monkeypatch):
    version = manifest.metadata.version
    monkeypatch.setattr(manifest.metadata, "version",
                        lambda name: "0.0.1" if name == "scipy" else version(name))
    assert manifest.differences(tiny_report, _plan(client)) == [
        "package versions changed (packages)"]


@pytest.mark.parametrize("damage", [
    lambda r: (r / "notebooks" / "03_perception.ipynb").unlink(),
    lambda r: (r / "results.json").write_text("{}"),
])
def test_report_on_disk_not_whole_causes_a_rerun(client, report, damage):
    damage(report)
    why = manifest.differences(report, _plan(client))
    assert len(why) == 1 and why[0].startswith("the report on disk is not whole")


def test_report_without_manifest_causes_a_rerun(client, report):
    (report / "manifest.json").unlink()
    assert manifest.differences(report, _plan(client)) == ["no manifest.json"]


def test_resume_skips_the_current_report_and_reruns_a_changed_one(tiny_client, tiny_report):
    root = tiny_report.parent
    skipped = run_client(tiny_client, output_root=root, parameters=COMMAND_LINE,
                         deliverables=False, resume=True, kernel="no-such-kernel-xyz")
    assert skipped.skipped
    # A changed parameter makes it run (and fail at once on the missing kernel) ...
    with pytest.raises(RunError, match="kernel"):
        run_client(tiny_client, output_root=root, parameters={"alpha": 0.2},
                   deliverables=False, resume=True, kernel="no-such-kernel-xyz")
    # ... and the failed attempt left the report as it was, and nothing else.
    assert manifest.verify(tiny_report, tiny_client)[0] == 0
    assert [p.name for p in root.iterdir()] == ["tiny"]


def test_verify_intact_report_names_its_inputs(report, client, capsys):
    assert main(["verify", str(report), "--client", str(client)]) == 0
    out = capsys.readouterr().out
    assert f"{report}: intact" in out
    assert "alpha 0.1 (command line)" in out and "threshold 0.4 (settings.yml)" in out
    digest = manifest.read(report)["inputs"]["survey.csv"][:12]
    assert f"survey.csv" in out and f"sha256 {digest}  unchanged" in out


def test_verify_detects_a_changed_input(report, client, capsys):
    (client / "events.csv").write_bytes((client / "events.csv").read_bytes()[:-10])
    assert main(["verify", str(report), "--client", str(client)]) == 3
    err = capsys.readouterr().err
    assert f"{report}: intact" in err
    assert [line for line in err.splitlines() if "CHANGED" in line][0].strip().startswith(
        "events.csv")


def test_verify_detects_a_changed_output(report, client, capsys):
    page = report / "report.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Northwind", "Southwind"),
                    encoding="utf-8")
    assert main(["verify", str(report), "--client", str(client)]) == 1
    err = capsys.readouterr().err
    assert "NOT INTACT" in err and "changed since the run: report.html" in err


def test_verify_detects_a_missing_file(report, client, capsys):
    (report / "notebooks" / "01_outcomes.ipynb").unlink()
    (report / "notes.txt").write_text("mine")
    assert main(["verify", str(report), "--client", str(client)]) == 1
    err = capsys.readouterr().err
    assert "missing: notebooks/01_outcomes.ipynb" in err
    assert "not part of the report (not in the manifest): notes.txt" in err


def test_verify_folder_without_manifest_says_so(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 1
    assert "no manifest.json" in capsys.readouterr().err


def test_appendix_shows_the_short_provenance(tiny_report):
    data = manifest.read(tiny_report)
    page = (tiny_report / "report.html").read_text(encoding="utf-8")
    appendix = page[page.index('id="appendix"'):]
    assert "Provenance" in appendix and f"cxlib {data['code']['cxlib']['version']}" in appendix
    assert data["inputs"]["survey.csv"][:16] in appendix
    results = json.loads((tiny_report / "results.json").read_text(encoding="utf-8"))
    assert results["provenance"]["inputs"] == data["inputs"]
