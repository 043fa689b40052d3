"""Real exports and data sets, as they came, read with only a client.yml (issue 8).

Every fixture under tests/fixtures/real/ is a public file nobody here wrote (README.md there
gives repository, path and commit); each test builds a client around one and checks what the
workbook reads from it against what the file holds.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib.errors import DataError
from cxlib.inputs.client import load_client, normalized_id
from cxlib.inputs.config import FileSpec
from cxlib.inputs.readers import LEGACY, _decoded, detect_encoding, read_table
from cxlib.runs.cli import main

REAL = Path(__file__).parent / "fixtures" / "real"
FORMATS = Path(__file__).parent / "fixtures" / "formats"


def client(folder: Path, yml: str, *files: Path, **written) -> Path:
    """A client folder holding client.yml, real fixture files copied as they are, and more."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "client.yml").write_text(yml, encoding="utf-8")
    for path in files:
        shutil.copyfile(path, folder / path.name)
    for name, text in written.items():
        (folder / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return folder


def table(path: Path, **options):
    """A fixture read without any format named, as `cx validate` reads a new client's file."""
    return read_table(FileSpec(path.name, path.resolve(), **options))


# ---- survey-tool exports recognised without format: -----------------------------------------

def test_surveymonkey_legacy_respondentid_export_recognised():
    raw = table(REAL / "surveymonkey_starwars.csv")
    assert raw.layout == "surveymonkey"
    assert raw.rows.tolist()[:2] == [3, 4]          # two header rows, CR line ends
    seen = "Which of the following Star Wars films have you seen? Please select all that apply."
    options = [c for c in raw.frame.columns if c.startswith(seen + " - ")]
    assert len(options) == 6                        # one column per option of a multi-select
    assert raw.frame.loc[0, "RespondentID"] == "3292879998"
    assert raw.frame.loc[1, "Gender"] == "Male"


def test_surveymonkey_export_without_format_is_a_client(tmp_path):
    yml = ("client: Star Wars fans\nsurvey:\n  file: surveymonkey_starwars.csv\n"
           "  respondent_id: RespondentID\n"
           "  overall: {binary: 'Do you consider yourself to be a fan of the Star Wars film "
           "franchise?', positive: 'Yes'}\n  segments: [Gender]\n")
    loaded = load_client(client(tmp_path / "sw", yml, REAL / "surveymonkey_starwars.csv"),
                         allow_small=True)
    assert loaded.survey["overall"].notna().sum() == 13
    assert loaded.survey["overall"].sum() == 10     # ten 'Yes' among thirteen answers


@pytest.mark.parametrize("name, layout, first_row, id_column", [
    ("qualtrics_json_de.csv", "qualtrics", 4, "ResponseId"),
    ("qualtrics_single_quoted.csv", "qualtrics", 4, "ResponseID"),
    ("qualtrics_legacy.csv", "qualtrics-legacy", 3, "ResponseID"),
    ("qualtrics_legacy_v1.csv", "qualtrics-legacy", 3, "ResponseID"),
])
def test_qualtrics_exports_recognised_in_every_variant(name, layout, first_row, id_column):
    raw = table(REAL / name)
    assert raw.layout == layout
    assert raw.rows[0] == first_row
    assert raw.frame[id_column].iloc[0].startswith("R_")
    assert "Q1" in raw.frame.columns


@pytest.mark.parametrize("name", ["qualtrics_legacy.csv", "qualtrics_legacy_v1.csv"])
def test_qualtrics_legacy_with_format_named_keeps_first_answer(name):
    named = table(REAL / name, format="csv", detect=False)
    legacy = table(REAL / name, format="qualtrics", detect=False)
    assert legacy.frame["ResponseID"].tolist() == named.frame["ResponseID"].tolist()
    assert legacy.frame["ResponseID"].iloc[0] in ("R_ebopwASnJ6p0KSp", "R_2YPOQ602ER1jkf1")


def test_qualtrics_single_quoted_and_legacy_exports_hold_same_answers():
    current = table(REAL / "qualtrics_single_quoted.csv").frame.set_index("ResponseID")
    legacy = table(REAL / "qualtrics_legacy.csv").frame.set_index("ResponseID")
    assert current["Q1"].equals(legacy.loc[current.index, "Q1"])


def test_qualtrics_legacy_client_multi_select_column_read(tmp_path):
    yml = ("client: Squash\nsurvey:\n  file: qualtrics_legacy.csv\n  respondent_id: ResponseID\n"
           "  min_answers: 10\n  overall: {satisfaction: Q1, scale: [-1, 3]}\n"
           "  touchpoints:\n    squash: {perception: Q3_1, scale: [-1, 3]}\n")
    loaded = load_client(client(tmp_path / "q", yml, REAL / "qualtrics_legacy.csv"))
    assert len(loaded.survey) == 15
    assert loaded.survey["overall"].tolist()[:3] == [3.0, 3.0, 1.0]


def test_export_with_its_importid_row_deleted_names_the_format(tmp_path):
    lines = (REAL / "qualtrics_json_de.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "edited.csv"
    path.write_text("\n".join(lines[:2] + lines[3:]) + "\n", encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("Antwort-ID", "Response ID"),
                    encoding="utf-8")
    with pytest.raises(DataError) as err:
        table(path)
    assert "set format: qualtrics" in str(err.value) and "row 2" in str(err.value)
    assert table(path, format="qualtrics", detect=False).rows.tolist() == [3]


# ---- encodings decided by evidence ----------------------------------------------------------

@pytest.mark.parametrize("path, encoding, word", [
    (FORMATS / "cp1252.csv", "cp1252", "réservation"),
    (FORMATS / "gb18030.csv", "gb18030", "推荐意愿"),
    (FORMATS / "mac_roman.csv", "mac_roman", "München"),
    (REAL / "sales_data_sample.csv", "cp850", "Berguvsvägen  8"),
    (REAL / "surveymonkey_starwars.csv", "cp1252", "RespondentID"),
])
def test_encoding_chosen_by_evidence_when_bytes_decode_several_ways(path, encoding, word):
    data = path.read_bytes()
    others = [e for e in LEGACY if e != encoding and _decoded(data, e) is not None]
    assert others, "the fixture must also decode as another candidate"
    assert detect_encoding(data) == encoding
    assert word in data.decode(encoding)


def test_cli_validate_says_which_encoding_was_used(tmp_path, capsys):
    yml = ("client: Orders\nsurvey:\n  file: survey.csv\n  respondent_id: id\n"
           "  min_answers: 2\n  overall: {nps: nps}\n")
    folder = client(tmp_path / "c", yml, survey__csv="id,nps\n1,9\n2,7\n")
    shutil.copyfile(FORMATS / "mac_roman.csv", folder / "survey.csv")
    (folder / "client.yml").write_text(yml.replace("respondent_id: id", "respondent_id: Kunde")
                                       .replace("{nps: nps}", "{nps: Bewertung}"),
                                       encoding="utf-8")
    assert main(["validate", str(folder)]) == 0
    assert "Mac Roman, detected" in capsys.readouterr().out


# ---- no respondent id column -----------------------------------------------------------------

AIRLINE_YML = """\
client: Airline
survey:
  file: {file}
  respondent_id: {rid}
  overall: {{binary: satisfaction, positive: satisfied}}
  segments: [Class]
  touchpoints:
    wifi: {{perception: Inflight wifi service, scale: [1, 5]}}
  missing: [0]
"""


def test_respondent_id_row_numbers_as_seen_in_the_file(tmp_path):
    yml = AIRLINE_YML.format(file="airline_no_id.csv", rid="row")
    loaded = load_client(client(tmp_path / "a", yml, REAL / "airline_no_id.csv"))
    assert loaded.survey["respondent_id"].tolist()[:3] == ["2", "3", "4"]
    assert len(loaded.survey) == 60


def test_column_without_header_addressed_by_its_letter(tmp_path):
    yml = AIRLINE_YML.format(file="airline_index_column.csv", rid="column A")
    loaded = load_client(client(tmp_path / "a", yml, REAL / "airline_index_column.csv"))
    assert loaded.survey["respondent_id"].tolist()[:3] == ["0", "1", "2"]


# ---- outcomes as a CRM holds them ------------------------------------------------------------

def survey_for(ids: list[str], name: str = "survey.csv") -> dict:
    """A survey answered by the given customers (made: no public survey shares their ids)."""
    scores = [str(i % 11) for i in range(len(ids))]
    body = "".join(f"R{i},\"{c}\",{s}\n" for i, (c, s) in enumerate(zip(ids, scores)))
    return {name.replace(".", "__"): "id,customer,nps\n" + body}


SURVEY_YML = ("client: CRM\nsurvey:\n  file: survey.csv\n  respondent_id: id\n"
              "  customer_id: customer\n  min_answers: 2\n  overall: {nps: nps}\n")


def test_churn_flag_yes_means_left(tmp_path):
    crm = pd.read_csv(REAL / "telco_churn.csv")
    yml = SURVEY_YML + ("outcomes:\n  file: telco_churn.csv\n  customer_id: customerID\n"
                        "  churned: Churn\n  revenue: TotalCharges\n")
    folder = client(tmp_path / "t", yml, REAL / "telco_churn.csv",
                    **survey_for(list(crm["customerID"])))
    loaded = load_client(folder)
    expected = (crm["Churn"] == "No").astype(float).tolist()
    assert loaded.outcomes["retained"].tolist() == expected
    assert loaded.outcomes["revenue"].sum() == pytest.approx(crm["TotalCharges"].sum())


def test_churn_column_under_retained_is_refused_with_the_fix(tmp_path):
    yml = SURVEY_YML + ("outcomes:\n  file: telco_churn.csv\n  customer_id: customerID\n"
                        "  retained: Churn\n  revenue: TotalCharges\n")
    folder = client(tmp_path / "t", yml, REAL / "telco_churn.csv", **survey_for(["x", "y"]))
    with pytest.raises(DataError, match="for a churn flag write churned: Churn"):
        load_client(folder)


def test_status_text_mapped_to_retention(tmp_path):
    crm = pd.read_csv(REAL / "bank_churners.csv", dtype={"CLIENTNUM": str})
    yml = SURVEY_YML + ("outcomes:\n  file: bank_churners.csv\n  customer_id: CLIENTNUM\n"
                        "  retained: {column: Attrition_Flag, retained: [Existing Customer],"
                        " churned: [Attrited Customer]}\n  revenue: Total_Trans_Amt\n")
    folder = client(tmp_path / "b", yml, REAL / "bank_churners.csv",
                    **survey_for(list(crm["CLIENTNUM"])))
    retained = load_client(folder).outcomes["retained"]
    assert retained.sum() == (crm["Attrition_Flag"] == "Existing Customer").sum() == 38
    assert retained.tolist() == (crm["Attrition_Flag"] == "Existing Customer").astype(float).tolist()


def test_churn_date_empty_means_stayed(tmp_path):
    yml = SURVEY_YML + ("outcomes:\n  file: crm.csv\n  customer_id: id\n  churn_date: left_on\n"
                        "  revenue: spend\n")
    folder = client(tmp_path / "d", yml, **survey_for(["A", "B", "C"]),
                    crm__csv="id,left_on,spend\nA,,10\nB,2024-02-01,20\nC,,5\n")
    assert load_client(folder).outcomes["retained"].tolist() == [1.0, 0.0, 1.0]


TRANSACTIONS_YML = SURVEY_YML + """\
outcomes:
  file: sales_data_sample.csv
  customer_id: CUSTOMERNAME
  transactions:
    date: ORDERDATE
    amount: SALES
    dates: month-first
    survey_date: 2004-01-01
    revenue_months: 12
    retained_months: 12
"""


def test_transaction_log_gives_revenue_and_retention_in_windows(tmp_path):
    log = pd.read_csv(REAL / "sales_data_sample.csv", encoding="cp850")
    log["date"] = pd.to_datetime(log["ORDERDATE"], format="%m/%d/%y %H:%M")
    folder = client(tmp_path / "s", TRANSACTIONS_YML, REAL / "sales_data_sample.csv",
                    **survey_for(sorted(log["CUSTOMERNAME"].unique())))
    outcomes = load_client(folder).outcomes.set_index("customer_id")
    day = pd.Timestamp("2004-01-01")
    before = log[(log["date"] >= day - pd.DateOffset(years=1)) & (log["date"] < day)]
    after = log[(log["date"] >= day) & (log["date"] < day + pd.DateOffset(years=1))]
    customers = sorted(log.loc[log["date"] < day, "CUSTOMERNAME"].unique())
    assert sorted(outcomes.index) == customers
    for name in customers:   # hand computation, customer by customer
        spend = before.loc[before["CUSTOMERNAME"] == name, "SALES"].sum()
        assert outcomes.loc[name, "revenue"] == pytest.approx(spend)
        assert outcomes.loc[name, "retained"] == float(name in set(after["CUSTOMERNAME"]))
    windows = load_client(folder).outcomes.attrs["windows"]
    assert windows == {"purchases": 54, "customers": len(customers),
                       "revenue_from": "2003-01-01", "survey_date": "2004-01-01",
                       "retained_to": "2004-12-31"}


def test_transaction_log_too_short_for_the_window_refused(tmp_path):
    folder = client(tmp_path / "s", TRANSACTIONS_YML.replace("2004-01-01", "2005-01-01"),
                    REAL / "sales_data_sample.csv", **survey_for(["Mini Wheels Co.", "x"]))
    with pytest.raises(DataError, match=r"a log that ends on 2005-05-31"):
        load_client(folder)


# ---- the survey-CRM join --------------------------------------------------------------------

def test_join_names_leading_zeros_and_shows_ids(tmp_path, capsys):
    crm = pd.read_csv(REAL / "bank_churners.csv", dtype={"CLIENTNUM": str})
    ids = ["00" + c for c in crm["CLIENTNUM"]]
    yml = SURVEY_YML + ("outcomes:\n  file: bank_churners.csv\n  customer_id: CLIENTNUM\n"
                        "  retained: {column: Attrition_Flag, retained: [Existing Customer],"
                        " churned: [Attrited Customer]}\n  revenue: Total_Trans_Amt\n")
    folder = client(tmp_path / "j", yml, REAL / "bank_churners.csv", **survey_for(ids))
    assert main(["validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "0 of 40 surveyed customers have outcomes" in err
    assert "leading zeros" in err and "'00768805383'" in err and "'768805383'" in err
    (folder / "client.yml").write_text(yml + "  match: normalized\n", encoding="utf-8")
    assert main(["validate", str(folder)]) == 0
    assert "40 of 40 surveyed customers have outcomes" in capsys.readouterr().out


def test_join_few_matches_is_a_warning(tmp_path):
    yml = SURVEY_YML + "outcomes: {file: crm.csv, customer_id: id, retained: kept, revenue: r}\n"
    folder = client(tmp_path / "w", yml, **survey_for(["a1", "a2", "a3", "A4"]),
                    crm__csv="id,kept,r\na1,1,5\nB7,0,4\nB8,1,3\n")
    loaded = load_client(folder)
    assert loaded.outcomes.attrs["join"] == {"surveyed": 4, "matched": 1, "crm": 3}
    assert "1 of 4 surveyed customers have outcomes" in loaded.warnings[0]


@pytest.mark.parametrize("survey, crm", [(" 0042 ", "42"), ("ab-1", "AB-1"), ("17850", "17850.0")])
def test_normalized_ids_see_past_habits(survey, crm):
    assert normalized_id(survey) == normalized_id(crm)


# ---- SPSS .sav ------------------------------------------------------------------------------

PEW_YML = """\
client: Pew July 2004
survey:
  file: pew_selective_exposure_2004.sav
  respondent_id: respid
  overall: {binary: q1, positive: Satisfied}
  segments: [sex, census]
  touchpoints:
    news: {perception: q2e, scale: [1, 4]}
"""


def test_spss_labels_name_segments_and_answers(tmp_path):
    folder = client(tmp_path / "p", PEW_YML.replace("  segments", "  missing: [9]\n  segments"),
                    REAL / "pew_selective_exposure_2004.sav")
    loaded = load_client(folder)
    assert set(loaded.survey["sex"].dropna()) == {"Male", "Female"}
    assert set(loaded.survey["census"].dropna()) == {"NORTHEAST", "MIDWEST", "SOUTH", "WEST"}
    assert loaded.survey["overall"].sum() == 566 and loaded.survey["overall"].notna().sum() == 1413
    assert loaded.value_labels["q2e"]["1"] == "Very well"


def test_spss_undeclared_dont_know_code_is_reported(tmp_path):
    folder = client(tmp_path / "p", PEW_YML, REAL / "pew_selective_exposure_2004.sav")
    with pytest.raises(DataError, match="two different answers"):
        load_client(folder)


def test_spss_declared_missing_values_honoured():
    raw = table(REAL / "pew_selective_exposure_2004.sav", format="spss")
    ages = pd.to_numeric(raw.frame["age"].replace("", np.nan))
    assert not ages.isin([98, 99]).any()
    assert raw.frame["age"].eq("").sum() == 38     # declared missing 98/99 in the file
    assert raw.rows.tolist()[:3] == [1, 2, 3]       # SPSS case numbers


def test_spss_employee_data_job_categories(tmp_path):
    yml = ("client: Employees\nsurvey:\n  file: employee_data.sav\n  respondent_id: ID\n"
           "  overall: {satisfaction: EDUC, scale: [8, 21]}\n  segments: [JOBCAT, MINORITY]\n")
    loaded = load_client(client(tmp_path / "e", yml, REAL / "employee_data.sav"))
    counts = loaded.survey["JOBCAT"].value_counts().to_dict()
    assert counts == {"Clerical": 363, "Manager": 84, "Custodial": 27}
    assert set(loaded.survey["MINORITY"].dropna()) == {"No", "Yes"}


# ---- too little data at the door -------------------------------------------------------------

def test_small_survey_stopped_unless_allow_small(tmp_path, capsys):
    yml = ("client: Star Wars fans\nsurvey:\n  file: surveymonkey_starwars.csv\n"
           "  respondent_id: RespondentID\n  overall: {binary: 'Do you consider yourself to be a"
           " fan of the Star Wars film franchise?', positive: 'Yes'}\n")
    folder = client(tmp_path / "sw", yml, REAL / "surveymonkey_starwars.csv")
    assert main(["validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "expected at least 30 answers to the overall measure" in err and "got 13" in err
    assert main(["validate", str(folder), "--allow-small"]) == 0


# ---- the overall measure as the client's survey has it ---------------------------------------

INDEX_YML = """\
client: Airline
survey:
  file: airline_no_id.csv
  respondent_id: row
  missing: [0]
  overall:
    index: [Seat comfort, Inflight entertainment, Cleanliness]
    scale: [1, 5]
    name: Comfort on board
    groups: [not comfortable, comfortable]
  segments: [Class]
"""


def test_index_measure_its_alpha_mean_and_own_words(tmp_path):
    from cxlib.practices import outcomes

    raw = pd.read_csv(REAL / "airline_no_id.csv")
    items = raw[["Seat comfort", "Inflight entertainment", "Cleanliness"]].replace(0, np.nan)
    loaded = load_client(client(tmp_path / "i", INDEX_YML, REAL / "airline_no_id.csv"))
    expected = items.mean(axis=1).where(items.notna().all(axis=1))
    assert loaded.survey["overall"].tolist() == pytest.approx(expected.tolist(), nan_ok=True)
    section = outcomes(loaded)
    complete = items.dropna()
    k = complete.shape[1]
    alpha = k / (k - 1) * (1 - complete.var().sum() / complete.sum(axis=1).var())
    assert section.metrics["index_alpha"].value == pytest.approx(alpha, abs=5e-4)
    assert section.metrics["index_alpha"].n == len(complete)
    assert section.metrics["mean"].value == pytest.approx(expected.mean(), abs=5e-3)
    share = (expected.dropna() >= 4).mean() * 100        # top two boxes of 1-5
    assert section.metrics["loyalty"].value == pytest.approx(share, abs=0.05)
    words = " ".join(section.narrative + section.caveats)
    assert "Comfort on board" in words and "Loyalty" not in words
    assert section.metrics["loyalty"].label == "Comfort on board"
    assert section.metrics["loyalty"].unit == "% comfortable"
    assert list(section.tables["loyalty_groups"].index) == ["not comfortable", "comfortable"]


def test_binary_measure_groups_named_by_the_files_answers(tmp_path):
    from cxlib.practices import outcomes

    yml = AIRLINE_YML.format(file="airline_no_id.csv", rid="row")
    section = outcomes(load_client(client(tmp_path / "b", yml, REAL / "airline_no_id.csv")))
    assert list(section.tables["loyalty_groups"].index) == ["neutral or dissatisfied",
                                                            "satisfied"]
    assert "Dissatisfied customers" not in " ".join(section.narrative)
    assert section.metrics["loyalty"].label == "Share answering 'satisfied'"


# ---- segments as clients code them -----------------------------------------------------------

STARWARS_YML = """\
client: Star Wars fans
survey:
  file: surveymonkey_starwars.csv
  respondent_id: RespondentID
  min_answers: 10
  overall: {binary: "Do you consider yourself to be a fan of the Star Wars film franchise?", positive: "Yes"}
  segments:
    - Age
    - Household Income
    - {multi: "Which of the following Star Wars films have you seen? Please select all that apply.", name: Seen}
"""


def test_multi_select_options_become_flag_segments_and_bands_keep_order(tmp_path):
    loaded = load_client(client(tmp_path / "s", STARWARS_YML, REAL / "surveymonkey_starwars.csv"))
    raw = table(REAL / "surveymonkey_starwars.csv").frame
    seen = [c for c in loaded.segments if c.startswith("Seen: ")]
    assert len(seen) == 6
    episode = "Seen: Star Wars: Episode I äóñ The Phantom Menace"
    column = raw["Which of the following Star Wars films have you seen? Please select all that "
                 "apply. - Star Wars: Episode I äóñ The Phantom Menace"]
    assert (loaded.survey[episode] == "selected").sum() == (column != "").sum()
    assert list(loaded.survey[episode].cat.categories) == ["not selected", "selected"]
    assert list(loaded.survey["Household Income"].cat.categories) == [
        "$0 - $24,999", "$25,000 - $49,999", "$50,000 - $99,999", "$100,000 - $149,999"]
    assert list(loaded.survey["Age"].cat.categories) == ["18-29", "30-44"]


def test_segment_labels_and_order_from_client_yml(tmp_path):
    yml = SURVEY_YML.replace("  overall: {nps: nps}\n", "") + (
        "  overall: {binary: Churn, positive: 'No'}\n  segments:\n"
        "    - {column: SeniorCitizen, name: Age group, labels: {0: Under 65, 1: Senior}}\n"
        "    - {column: Contract, order: [Month-to-month, One year, Two year]}\n")
    yml = yml.replace("file: survey.csv", "file: telco_churn.csv").replace(
        "respondent_id: id", "respondent_id: customerID").replace("  customer_id: customer\n", "")
    loaded = load_client(client(tmp_path / "t", yml, REAL / "telco_churn.csv"))
    raw = pd.read_csv(REAL / "telco_churn.csv")
    assert loaded.survey["Age group"].value_counts().to_dict() == {
        "Under 65": int((raw["SeniorCitizen"] == 0).sum()), "Senior": int(raw["SeniorCitizen"].sum())}
    assert list(loaded.survey["Contract"].cat.categories) == ["Month-to-month", "One year",
                                                              "Two year"]
    (tmp_path / "t" / "client.yml").write_text(yml.replace(", One year, Two year]", ", One year]"),
                                               encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'Contract': expected one of the groups in "
                                        r"survey.segments order.*got 'Two year'"):
        load_client(tmp_path / "t")


def test_income_bands_natural_order_with_unknown_last():
    from cxlib.inputs.client import natural_order

    crm = pd.read_csv(REAL / "bank_churners.csv")
    assert natural_order(sorted(crm["Income_Category"].unique())) == [
        "Less than $40K", "$40K - $60K", "$60K - $80K", "$80K - $120K", "$120K +", "Unknown"]


def test_spss_labelled_segment_in_code_order(tmp_path):
    folder = client(tmp_path / "p", PEW_YML.replace("  segments", "  missing: [9]\n  segments"),
                    REAL / "pew_selective_exposure_2004.sav")
    assert list(load_client(folder).survey["census"].cat.categories) == [
        "NORTHEAST", "MIDWEST", "SOUTH", "WEST"]


def test_qualtrics_multi_select_named_option_by_option(tmp_path):
    yml = ("client: Squash\nsurvey:\n  file: qualtrics_legacy.csv\n  respondent_id: ResponseID\n"
           "  min_answers: 10\n  overall: {satisfaction: Q1, scale: [-1, 3]}\n  segments:\n"
           "    - {multi: {great: Q2_1, tolerable: Q2_2}, name: Squash is}\n")
    loaded = load_client(client(tmp_path / "q", yml, REAL / "qualtrics_legacy.csv"))
    raw = table(REAL / "qualtrics_legacy.csv").frame
    assert loaded.segments == ("Squash is: great", "Squash is: tolerable")
    assert (loaded.survey["Squash is: great"] == "selected").sum() == (raw["Q2_1"] == "1").sum()
