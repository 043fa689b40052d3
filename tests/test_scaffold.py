"""`cx new`: the scaffolded client folder, its intake templates and their drop-down lists."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from cxlib.runs.cli import main
from cxlib.inputs.client import STAGES, load_client
from cxlib.inputs.config import MODEL_COLUMNS
from cxlib.errors import CxError, DataError
from cxlib.practices.maturity import item_bank
from cxlib.inputs.scaffold import MODES, new_client

TEMPLATES = ("touchpoints", "interviews", "assessment")


@pytest.fixture
def scaffolded(tmp_path) -> Path:
    """A freshly scaffolded client folder."""
    folder = tmp_path / "acme"
    new_client(folder)
    return folder


def validations(path: Path) -> dict[str, list[str]]:
    """Each templated column's drop-down choices (or rule type), read back from the workbook."""
    book = openpyxl.load_workbook(path)
    sheet, lists = book.worksheets[0], book["lists"]
    header = [c.value for c in sheet[1]]
    found = {}
    for rule in sheet.data_validations.dataValidation:
        column = header[next(iter(rule.sqref.ranges)).min_col - 1]
        if rule.type == "list":
            ref = rule.formula1.split("!")[1].replace("$", "")
            found[column] = [str(c.value) for row in lists[ref] for c in row]
        else:
            found[column] = [rule.type, rule.operator, rule.formula1]
    return found


def test_new_client_writes_yml_and_three_templates(scaffolded):
    names = sorted(p.name for p in scaffolded.iterdir())
    assert names == ["assessment.xlsx", "client.yml", "interviews.xlsx", "touchpoints.xlsx"]


def test_new_client_yml_commented_and_valid_yaml(scaffolded):
    text = (scaffolded / "client.yml").read_text(encoding="utf-8")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 15
    data = yaml.safe_load(text)
    assert data["client"] == "acme" and data["survey"]["file"] == "survey.csv"
    assert {data[k] for k in TEMPLATES} == {f"{k}.xlsx" for k in TEMPLATES}


@pytest.mark.parametrize("kind", TEMPLATES)
def test_new_client_template_headers_are_model_columns(scaffolded, kind):
    book = openpyxl.load_workbook(scaffolded / f"{kind}.xlsx")
    sheet = book.worksheets[0]
    assert sheet.title == kind
    assert [c.value for c in sheet[1]] == list(MODEL_COLUMNS[kind])
    assert all(c.comment is not None for c in sheet[1])
    assert book["lists"].sheet_state == "hidden"


@pytest.mark.parametrize("kind, column, choices", [
    ("touchpoints", "stage", list(STAGES)),
    ("touchpoints", "channel", list(MODES)),
    ("interviews", "sentiment", ["-2", "-1", "0", "1", "2"]),
    ("assessment", "score", ["1", "2", "3", "4", "5"]),
])
def test_new_client_drop_down_lists(scaffolded, kind, column, choices):
    assert validations(scaffolded / f"{kind}.xlsx")[column] == choices


def test_new_client_item_drop_down_is_the_item_bank(scaffolded):
    found = validations(scaffolded / "assessment.xlsx")
    assert found["item"] == list(item_bank()["item"])
    assert found["wave"] == ["whole", "greaterThanOrEqual", "1"]


def test_new_client_validates_once_survey_added(scaffolded):
    (scaffolded / "survey.csv").write_text("respondent_id,nps\nr1,9\nr2,-99\nr3,N/A\nr4,7\n")
    loaded = load_client(scaffolded, allow_small=True)
    assert loaded.survey["overall"].isna().tolist() == [False, True, True, False]
    assert loaded.touchpoints is None and loaded.interviews is None and loaded.assessment is None


def test_new_client_without_survey_says_so(scaffolded):
    with pytest.raises(DataError, match=r"survey.csv\n.*no such file"):
        load_client(scaffolded)


def test_new_client_filled_templates_are_read(scaffolded):
    (scaffolded / "survey.csv").write_text("respondent_id,nps\nr1,9\nr2,8\n")
    book = openpyxl.load_workbook(scaffolded / "touchpoints.xlsx")
    book.worksheets[0].append(["booking", "Online booking", "purchase", "web", "Sales"])
    book.save(scaffolded / "touchpoints.xlsx")
    book = openpyxl.load_workbook(scaffolded / "interviews.xlsx")
    book.worksheets[0].append(["I1", "customer", "booking", "speed", -2, "Far too slow."])
    book.save(scaffolded / "interviews.xlsx")
    loaded = load_client(scaffolded, allow_small=True)
    assert loaded.touchpoints["stage"].tolist() == ["purchase"]
    assert loaded.interviews["sentiment"].tolist() == [-2.0]


def test_new_client_filled_template_bad_stage_reported_with_excel_row(scaffolded):
    (scaffolded / "survey.csv").write_text("respondent_id,nps\nr1,9\n")
    book = openpyxl.load_workbook(scaffolded / "touchpoints.xlsx")
    book.worksheets[0].append(["booking", "Online booking", "purchase"])
    book.worksheets[0].append(["checkout", "Checkout", "paying"])
    book.save(scaffolded / "touchpoints.xlsx")
    with pytest.raises(DataError, match="touchpoints.xlsx\n  row 3, column 'stage'.*'paying'"):
        load_client(scaffolded)


def test_new_client_existing_folder_with_files_refused(tmp_path):
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "notes.txt").write_text("keep me")
    with pytest.raises(CxError, match="not empty"):
        new_client(tmp_path / "acme")
    assert (tmp_path / "acme" / "notes.txt").read_text() == "keep me"


def test_new_client_empty_folder_accepted(tmp_path):
    (tmp_path / "acme").mkdir()
    assert len(new_client(tmp_path / "acme")) == 4


def test_cli_new_then_validate(tmp_path, capsys):
    assert main(["new", "beta", "--folder", str(tmp_path)]) == 0
    (tmp_path / "beta" / "survey.csv").write_text("respondent_id,nps\nr1,9\nr2,8\n")
    assert main(["validate", str(tmp_path / "beta"), "--allow-small"]) == 0
    assert "beta: ok" in capsys.readouterr().out
    assert main(["new", "beta", "--folder", str(tmp_path)]) == 1
    assert "not empty" in capsys.readouterr().err


@pytest.mark.parametrize("key", ["format: qualtrics", "mac_roman", "cp850", "respondent_id",
                                 "row", "column A", "min_answers: 30", "churned: Churn",
                                 "churn_date:", "match: normalized", "transactions:",
                                 "dates: iso", "survey_date:", "revenue_months: 12",
                                 "retained_months: 12", "retained: [Active]",
                                 "satisfied: top-two", "index: [q1", "name: Satisfaction",
                                 "groups: [not satisfied", "labels: {1: Prepaid", "order: [",
                                 "multi: "])
def test_new_client_yml_names_every_input_key(scaffolded, key):
    assert key in (scaffolded / "client.yml").read_text(encoding="utf-8")
