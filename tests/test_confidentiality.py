"""Client text in outputs: personal data redacted wherever it lands, text never a formula,
executed notebooks without a respondent's row or words.

A planted client carries personal data and formula-like text in every text field a
client supplies; its outputs are made the plain-Python way (practices, report.write,
deliver.write_tables), since report.pdf and figures/ are renders of report.html and the
notebooks show the same sections. The session's demo report checks the notebooks.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxlib import practices
from cxlib.inputs.client import load_client
from cxlib.inputs.demo import make_client
from cxlib.outputs import deliver, report
from cxlib.runs.run import NOTEBOOKS

#: Personal data planted in the client's texts, as written there; none may reach an output.
PLANTED = {
    "name": ["Maria Lopez", "LOPEZ, Maria"],
    "email": ["maria.lopez@northwind.example"],
    "phone": ["020 7946 0958", "+44 20 7946 0958"],
    "card": ["4111 1111 1111 1111"],
    "iban": ["GB82 WEST 1234 5698 7654 32"],
}
#: Digit runs of the planted numbers, looked for with every separator removed.
PLANTED_DIGITS = ["2079460958", "4111111111111111", "12345698765432"]
#: Formula-like client text, kept as written (it is no personal data).
HOSTILE = ["=HYPERLINK(\"http://x.example\",\"x\")", "+1+1", "-2", "@SUM(A1:A9)"]
CLIENT_NAME = "=HYPERLINK(\"http://x.example\",\"Acme\")"


def _plant(folder: Path) -> Path:
    """Put personal data and formula-like text into every client text field."""
    tp = pd.read_csv(folder / "touchpoints.csv", dtype=str, keep_default_na=False)
    tp["name"] = tp["name"] + " (Maria Lopez)"
    tp.loc[0, "name"] = "=1+1 hotline 020 7946 0958"
    tp["owner"] = tp["owner"] + " maria.lopez@northwind.example"
    tp["description"] = tp["description"] + " Refunds to GB82 WEST 1234 5698 7654 32."
    tp["expectation"] = "LOPEZ, Maria calls back on +44 20 7946 0958"
    tp.to_csv(folder / "touchpoints.csv", index=False)

    iv = pd.read_excel(folder / "interviews.xlsx", sheet_name="Excerpts", dtype=str)
    iv["interview"] = "Maria Lopez " + iv["interview"]
    iv["role"] = "@SUM(A1:A9) agent LOPEZ, Maria"
    iv["theme"] = iv["theme"] + " (maria.lopez@northwind.example)"
    iv["quote"] = (iv["quote"] + " Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32,"
                   " ring 020 7946 0958 or maria.lopez@northwind.example.")
    iv["sentiment"] = iv["sentiment"].astype(int)
    with pd.ExcelWriter(folder / "interviews.xlsx") as out:
        iv.to_excel(out, sheet_name="Excerpts", index=False)

    survey = pd.read_csv(folder / "survey.csv", dtype=str, keep_default_na=False)
    regions = sorted(survey["Region"].unique())
    hostile_regions = dict(zip(regions, HOSTILE + ["North (Maria Lopez)", "South 020 7946 0958"]))
    survey["Region"] = survey["Region"].map(hostile_regions)
    survey["Q12"] = survey["Q12"].where(survey["Q12"] == "",
                                        survey["Q12"] + " call me on 020 7946 0958")
    survey = survey.rename(columns={"Plan": "=Plan"})
    survey.to_csv(folder / "survey.csv", index=False)

    staff = pd.read_excel(folder / "assessment.xlsx", sheet_name="Responses")
    staff["function"] = staff["function"] + " (maria.lopez@northwind.example)"
    with pd.ExcelWriter(folder / "assessment.xlsx") as out:
        staff.to_excel(out, sheet_name="Responses", index=False)

    pd.DataFrame({"initiative": ["own-1"], "title": ["-2 Call Maria Lopez on 020 7946 0958"],
                  "owner": ["maria.lopez@northwind.example"]}).to_csv(folder / "roadmap.csv",
                                                                      index=False)
    config = yaml.safe_load((folder / "client.yml").read_text(encoding="utf-8"))
    config.update(client=CLIENT_NAME, country="GB", roadmap="roadmap.csv",
                  redact=["Maria Lopez"])
    config["survey"]["segments"] = ["Region", "=Plan", "Tenure"]
    base = config.get("customer_base", {}).get("Region")
    if base:    # the base per region names the hostile regions too
        config["customer_base"]["Region"] = {hostile_regions[k]: v for k, v in base.items()}
    (folder / "client.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                       encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """A small client with personal data and formula-like text in every text field, and
    its report.html, results.json and tables.xlsx."""
    root = tmp_path_factory.mktemp("planted")
    folder = _plant(make_client(root / "planted", n_respondents=800, seed=11, n_staff=12))
    client = load_client(folder)
    sections = {s.id: s for s in (practices.outcomes(client), practices.touchpoints(client),
                                  practices.perception_gaps(client),
                                  practices.capabilities(client), practices.roadmap(client))}
    out = root / "report"
    report.write(client, sections, out, {"fingerprint": "test"}, dt.date(2026, 1, 1))
    deliver.write_tables(sections, out / "tables.xlsx", client.config.language,
                         client.config.currency, client.name)
    return out


def _cells(path: Path):
    from openpyxl import load_workbook

    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            yield from (c for c in row if c.value is not None)


def _leaks(text: str) -> list[str]:
    found = [p for values in PLANTED.values() for p in values if p.casefold() in text.casefold()]
    digits = re.sub(r"\D", "", text)
    return found + [d for d in PLANTED_DIGITS if d in digits]


def test_planted_client_text_reaches_the_outputs(planted):
    """The planted fields do reach the outputs (redacted), so the leak test can fail."""
    page = (planted / "report.html").read_text(encoding="utf-8")
    for placeholder in ("[name]", "[email]", "[phone]", "[card]", "[iban]"):
        assert placeholder in page


@pytest.mark.parametrize("output", ["report.html", "results.json"])
def test_planted_personal_data_absent_from_text_outputs(planted, output):
    text = (planted / output).read_text(encoding="utf-8")
    # plotly escapes "<" and ">" but not our planted values; JSON escapes nothing here
    assert _leaks(json.loads(json.dumps(text))) == []


def test_planted_personal_data_absent_from_workbook(planted):
    values = " | ".join(str(c.value) for c in _cells(planted / "tables.xlsx"))
    assert "[name]" in values and _leaks(values) == []


def test_workbook_client_text_never_a_formula(planted):
    cells = list(_cells(planted / "tables.xlsx"))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c for c in cells if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in texts)
    shown = {c.value for c in texts}
    assert CLIENT_NAME in shown
    for hostile in HOSTILE:
        assert any(v.startswith(hostile) for v in shown), hostile
    risky = [c for c in texts if c.value.startswith(("=", "+", "-", "@"))]
    assert risky and all(c.quotePrefix for c in risky)


def test_workbook_xml_holds_no_formula(planted):
    with zipfile.ZipFile(planted / "tables.xlsx") as book:
        sheets = [book.read(n) for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in s or b"<f " in s for s in sheets)


# -- executed notebooks of the session's demo report -------------------------------------

def _outputs(notebook: Path) -> str:
    """Every output of an executed notebook, as text (plain, HTML, JSON, plotly)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    parts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            parts.append(json.dumps(output, ensure_ascii=False))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def notebook_outputs(demo_report) -> dict[str, str]:
    """The outputs of each executed notebook in the demo report."""
    found = sorted((demo_report / "notebooks").glob("*.ipynb"))
    assert [p.name for p in found] == sorted(NOTEBOOKS)
    return {p.name: _outputs(p) for p in found}


@pytest.fixture(scope="module")
def demo_raw():
    """The demo's raw survey and interviews, as the files hold them."""
    from cxlib import paths

    folder = paths.CLIENTS / "demo"
    survey = pd.read_csv(folder / "survey.csv", dtype=str, keep_default_na=False)
    interviews = pd.read_excel(folder / "interviews.xlsx", sheet_name="Excerpts", dtype=str)
    return survey, interviews


def test_notebooks_show_no_respondent_ids(notebook_outputs, demo_raw):
    survey, _ = demo_raw
    ids = set(survey["ResponseId"]) | set(survey["CustomerID"])
    for name, text in notebook_outputs.items():
        shown = set(re.findall(r"[RC]_?\d{6,}", text))
        assert not shown & ids, name


def test_notebooks_show_no_comments(notebook_outputs, demo_raw):
    survey, _ = demo_raw
    comments = {c for c in survey["Q12"] if len(c) >= 12}
    assert comments
    for name, text in notebook_outputs.items():
        if name != "05_comments.ipynb":
            assert not [c for c in comments if c in text], name


def test_comments_notebook_shows_only_the_comments_it_quotes(notebook_outputs, demo_raw):
    """C-section quotes and the keyword explorer's matches; never the whole column."""
    from cxlib import paths

    survey, _ = demo_raw
    comments = {c for c in survey["Q12"] if len(c) >= 12}
    said = practices.open_comments(load_client(paths.CLIENTS / "demo"))
    quoted = " ".join(said.table(t).to_json(force_ascii=False) for t in ("verbatims", "suggestions"))
    shown = {c for c in comments if c in notebook_outputs["05_comments.ipynb"]}
    explained = {c for c in shown if json.dumps(c, ensure_ascii=False)[1:-1] in quoted
                 or "esim" in c.lower()}
    assert shown and shown == explained
    assert len(shown) < len(comments) / 2


def test_notebooks_show_no_personal_data_of_the_interviews(notebook_outputs, demo_raw):
    _, interviews = demo_raw
    personal = [q for q in interviews["quote"] if "@" in q or "+44" in q or "138 0013" in q]
    assert personal
    planted = ["anna.k@example.com", "wang.wei@example.cn", "+44 20 7946 0958", "138 0013 8000",
               "James Carter", "王伟"]
    for name, text in notebook_outputs.items():
        assert not [p for p in planted if p in text], name
        assert not [q for q in personal if q in text], name


def test_intake_notebook_shows_the_survey_in_aggregates(notebook_outputs):
    intake = notebook_outputs["00_intake.ipynb"]
    # The intake's survey table (widgets), headed as the report heads columns.
    assert "Smallest group" in intake and "Mean length" in intake


def test_demo_workbook_has_no_formula(demo_report):
    cells = list(_cells(demo_report / "tables.xlsx"))
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]


def test_survey_summary_holds_no_value_of_a_text_column():
    client = load_client("demo")
    summary = practices.survey_summary(client)
    shown = summary.to_html() + summary.to_string()
    for column in ("respondent_id", "customer_id", "comment"):
        values = client.survey[column].dropna().astype(str)
        assert not [v for v in values.unique() if len(v) >= 4 and v in shown], column
    assert summary.loc["comment", "answered"] == client.survey["comment"].notna().sum()
    assert summary.loc["Region", "groups"] == client.survey["Region"].nunique()
