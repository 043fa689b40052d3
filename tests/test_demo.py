"""Tests for cxlib.inputs.demo: reproducible demo clients whose planted patterns are really there."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from scipy import stats

from cxlib import paths
from cxlib.inputs import demo

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "data" / "clients" / "demo"
FILES = ("client.yml", "survey.csv", "crm.xlsx", "touchpoints.csv", "interviews.xlsx",
         "events.csv", "assessment.xlsx")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A demo client of the default size and seed."""
    return demo.make_client(tmp_path_factory.mktemp("demo") / "demo")


@pytest.fixture(scope="module")
def survey(folder) -> pd.DataFrame:
    """The demo survey with -99 and blanks read as missing."""
    return pd.read_csv(folder / "survey.csv", keep_default_na=False, na_values=["", "-99"])


@pytest.fixture(scope="module")
def events(folder) -> pd.DataFrame:
    """The demo journey events, with the previous event's channel in each journey."""
    frame = pd.read_csv(folder / "events.csv")
    frame["previous"] = frame.groupby("journey")["channel"].shift()
    return frame


@pytest.fixture(scope="module")
def assessment(folder) -> pd.DataFrame:
    """The demo maturity assessment with each item's element."""
    frame = pd.read_excel(folder / "assessment.xlsx", sheet_name="Responses")
    return frame.assign(element=frame["item"].str.split(".").str[0])


def _sheet_values(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path, read_only=True).worksheets[0].values)


def _touchpoint_columns(folder: Path) -> dict:
    return yaml.safe_load((folder / "client.yml").read_text(encoding="utf-8"))["survey"][
        "touchpoints"]


# --- reproducibility and sizes ---------------------------------------------------------

def test_make_client_same_seed_identical_bytes(tmp_path):
    a = demo.make_client(tmp_path / "a", n_respondents=50, seed=3)
    b = demo.make_client(tmp_path / "b", n_respondents=50, seed=3)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_make_client_other_seed_different_survey(tmp_path):
    a = demo.make_client(tmp_path / "a", n_respondents=50, seed=3)
    b = demo.make_client(tmp_path / "b", n_respondents=50, seed=4)
    assert (a / "survey.csv").read_bytes() != (b / "survey.csv").read_bytes()


def test_make_client_small_size_writes_consistent_files(tmp_path):
    folder = demo.make_client(tmp_path / "small", n_respondents=50)
    survey = pd.read_csv(folder / "survey.csv", keep_default_na=False)
    crm = pd.read_excel(folder / "crm.xlsx", sheet_name="Customers")
    events = pd.read_csv(folder / "events.csv")
    assert len(survey) == 50 and survey["ResponseId"].is_unique
    assert sorted(crm["cust"]) == sorted(survey["CustomerID"])
    assert set(events["customer"]) <= set(survey["CustomerID"])
    assert events["journey"].nunique() == demo.JOURNEYS_MIN


def test_make_client_above_excel_limit_writes_crm_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "EXCEL_MAX_ROWS", 10)
    folder = demo.make_client(tmp_path / "big", n_respondents=50)
    config = yaml.safe_load((folder / "client.yml").read_text(encoding="utf-8"))
    assert config["outcomes"]["file"] == "crm.csv" and "sheet" not in config["outcomes"]
    assert len(pd.read_csv(folder / "crm.csv")) == 50
    assert not (folder / "crm.xlsx").exists()


def test_make_client_zh_uses_chinese_names_and_quotes(tmp_path):
    folder = demo.make_client(tmp_path / "zh", n_respondents=50, language="zh")
    config = yaml.safe_load((folder / "client.yml").read_text(encoding="utf-8"))
    assert config["language"] == "zh" and CJK.search(config["client"])
    touchpoints = pd.read_csv(folder / "touchpoints.csv")
    assert touchpoints["name"].str.contains(CJK).all()
    quotes = pd.read_excel(folder / "interviews.xlsx")["quote"]
    assert quotes.str.contains(CJK).all()
    assert set(pd.read_excel(folder / "interviews.xlsx")["role"]) <= set(demo._ROLES_ZH.values())
    assert touchpoints["owner"].str.contains(CJK).all()
    english = demo.make_client(tmp_path / "en", n_respondents=50)
    # The same columns in the same places; the segment headers as a Chinese export heads them.
    same = {c: c for c in pd.read_csv(english / "survey.csv").columns} | demo._SEGMENT_COLUMNS_ZH
    assert list(same.values()) == list(pd.read_csv(folder / "survey.csv").columns)


@pytest.mark.parametrize("kwargs", [{"language": "fr"}, {"n_respondents": 0}, {"n_staff": 3}])
def test_make_client_bad_argument_raises(tmp_path, kwargs):
    with pytest.raises(ValueError):
        demo.make_client(tmp_path / "bad", **kwargs)


def test_main_arguments_write_folder(tmp_path):
    demo.main([str(tmp_path / "cli"), "--respondents", "30", "--seed", "5", "--language", "zh"])
    survey = pd.read_csv(tmp_path / "cli" / "survey.csv")
    assert len(survey) == 30
    assert "language: zh" in (tmp_path / "cli" / "client.yml").read_text(encoding="utf-8")


def test_committed_demo_matches_generator(folder):
    for name in FILES:
        committed, fresh = COMMITTED / name, folder / name
        if name.endswith(".xlsx"):
            assert _sheet_values(committed) == _sheet_values(fresh), name
        else:
            assert committed.read_bytes() == fresh.read_bytes(), name


# --- client.yml and survey -------------------------------------------------------------

def test_config_columns_exist_in_files(folder, survey):
    config = yaml.safe_load((folder / "client.yml").read_text(encoding="utf-8"))
    mapped = [c for tp in config["survey"]["touchpoints"].values()
              for c in (tp["perception"], tp["expectation"], tp["importance"])]
    named = [config["survey"][k] for k in ("respondent_id", "customer_id", "comments")]
    named += [config["survey"]["overall"]["nps"], config["survey"]["effort"]["column"]]
    assert set(mapped + named + config["survey"]["segments"]) <= set(survey.columns)
    assert config["survey"]["missing"] == [-99] and config["currency"] == "USD"
    assert set(config["redact"]) == set(demo.REDACT)
    for kind in ("touchpoints", "journeys"):
        assert (folder / config[kind]).is_file()
    for kind in ("outcomes", "interviews", "assessment"):
        assert (folder / config[kind]["file"]).is_file()


def test_survey_segments_differ_in_size(survey):
    for column in ("Region", "Plan", "Tenure"):
        sizes = survey[column].value_counts()
        assert len(sizes) >= 3 and sizes.max() > 1.5 * sizes.min()


def test_survey_respondents_rate_some_touchpoints_with_missing_codes(folder, survey):
    raw = pd.read_csv(folder / "survey.csv", keep_default_na=False, dtype=str)
    perception = [c for c in survey.columns if c.startswith("Q5_")]
    rated = survey[perception].notna().mean()
    assert rated.between(0.25, 0.75).all()
    assert (raw[perception] == "-99").to_numpy().sum() > 50
    assert (raw["Q1"] == "-99").sum() > 0


def test_survey_nps_realistic(survey):
    nps = survey["Q1"].dropna()
    score = 100 * ((nps >= 9).mean() - (nps <= 6).mean())
    assert 5 <= score <= 25


def test_outcomes_promoters_retain_and_spend_more(folder, survey):
    crm = pd.read_excel(folder / "crm.xlsx", sheet_name="Customers")
    assert sorted(crm["cust"]) == sorted(survey["CustomerID"])
    joined = survey.merge(crm, left_on="CustomerID", right_on="cust").dropna(subset=["Q1"])
    promoter, detractor = joined[joined["Q1"] >= 9], joined[joined["Q1"] <= 6]
    assert promoter["active_next_year"].mean() - detractor["active_next_year"].mean() > 0.12
    assert promoter["active_next_year"].mean() > 0.85
    assert promoter["rev_12m"].mean() > 1.3 * detractor["rev_12m"].mean()
    table = pd.crosstab(joined["Q1"] >= 9, joined["active_next_year"])
    assert stats.chi2_contingency(table).pvalue < 1e-6
    assert crm["sow"].between(0, 1).all()


def test_survey_breakpoints_perception_below_expectation(folder, survey):
    columns = _touchpoint_columns(folder)
    for tp, cols in columns.items():
        pair = survey[[cols["perception"], cols["expectation"]]].dropna()
        gap = pair.iloc[:, 0] - pair.iloc[:, 1]
        if tp in demo.BREAKPOINTS:
            assert gap.mean() < -0.5, tp
            assert stats.ttest_rel(pair.iloc[:, 0], pair.iloc[:, 1]).pvalue < 1e-10, tp
        else:
            assert gap.mean() > -0.1, tp
    assert len(demo.BREAKPOINTS) == 5


def test_survey_drivers_correlate_most_with_nps(folder, survey):
    columns = _touchpoint_columns(folder)
    corr = {tp: survey[c["perception"]].corr(survey["Q1"]) for tp, c in columns.items()}
    top = sorted(corr, key=corr.get, reverse=True)[:len(demo.DRIVERS)]
    assert set(top) == set(demo.DRIVERS)


def test_survey_importance_varies_across_touchpoints(folder, survey):
    columns = _touchpoint_columns(folder)
    means = [survey[c["importance"]].mean() for c in columns.values()]
    assert max(means) - min(means) > 1.5


# --- touchpoints, interviews, events ---------------------------------------------------

def test_touchpoints_cover_all_eight_stages(folder):
    touchpoints = pd.read_csv(folder / "touchpoints.csv")
    assert len(touchpoints) >= 20 and touchpoints["id"].is_unique
    assert set(touchpoints["stage"]) == set(demo.STAGES) and len(demo.STAGES) == 8
    assert set(touchpoints["id"]) == set(_touchpoint_columns(folder))
    described = touchpoints[["name", "channel", "owner", "description", "expectation"]]
    assert described.notna().all().all()


def test_interviews_hold_chinese_personal_data_and_script(folder):
    interviews = pd.read_excel(folder / "interviews.xlsx", sheet_name="Excerpts")
    quotes = interviews["quote"]
    assert len(interviews) >= 48 and quotes.str.contains(CJK).sum() >= 8
    assert interviews["sentiment"].isin([-2, -1, 0, 1, 2]).all()
    assert quotes.str.contains(r"[\w.]+@example\.\w+").sum() >= 2
    assert quotes.str.contains(r"\+44 20 7946 0958|138 0013 8000").sum() >= 2
    assert all(quotes.str.contains(name, regex=False).any() for name in demo.REDACT
               if name != "Priya Shah")
    assert quotes.str.contains("<script>alert('x')</script>", regex=False).any()
    tps = set(pd.read_csv(folder / "touchpoints.csv")["id"])
    assert set(interviews["touchpoint"]) <= tps


def test_interviews_disagree_with_survey_only_where_planted(folder, survey):
    interviews = pd.read_excel(folder / "interviews.xlsx", sheet_name="Excerpts")
    sentiment = interviews.groupby("touchpoint")["sentiment"].mean()
    columns = _touchpoint_columns(folder)
    for tp in demo.BREAKPOINTS + demo.DISAGREEMENTS:
        cols = columns[tp]
        gap = (survey[cols["perception"]] - survey[cols["expectation"]]).mean()
        agree = np.sign(gap) == np.sign(sentiment[tp])
        assert agree == (tp not in demo.DISAGREEMENTS), tp


def test_events_self_service_journeys_switch_at_hotspots(events):
    first = events.groupby("journey")["channel"].first()
    last = events.groupby("journey")["channel"].last()
    started_self = first == "self-service"
    assert started_self.mean() > 0.6
    assert 0.25 <= (last[started_self] == "assisted").mean() <= 0.35
    to_assisted = events[(events["previous"] == "self-service") & (events["channel"] == "assisted")]
    top = to_assisted["touchpoint"].value_counts().index[:len(demo.SWITCH_HOTSPOTS)]
    assert set(top) == set(demo.SWITCH_HOTSPOTS)
    switches = (events["previous"].notna() & (events["previous"] != events["channel"]))
    per_journey = switches.groupby(events["journey"]).sum()
    assert (per_journey >= 2).sum() > 20
    assert events["journey"].nunique() >= 2000


def test_events_timestamps_iso_and_ordered(events):
    times = pd.to_datetime(events["timestamp"], format="%Y-%m-%dT%H:%M:%S")
    assert times.groupby(events["journey"]).is_monotonic_increasing.all()
    assert set(events["channel"]) == {"self-service", "assisted"}


# --- assessment and item bank ----------------------------------------------------------

def test_assessment_staff_functions_and_waves(assessment):
    bank = pd.read_csv(paths.ITEM_BANK)
    assert assessment["respondent"].nunique() >= 30
    assert assessment["function"].nunique() >= 6
    assert set(assessment["wave"]) == {1, 2}
    assert set(assessment["item"]) <= set(bank["item"])
    assert assessment["score"].between(1, 5).all()


def test_assessment_planted_wave_change(assessment):
    means = assessment.pivot_table(index="element", columns="wave", values="score")
    change = means[2] - means[1]
    for element in demo.IMPROVING:
        assert change[element] > 0.3, element
    for element in demo.WORSENING:
        assert change[element] < -0.3, element


def test_assessment_functions_disagree_most_on_gap_element(assessment):
    by_function = assessment.pivot_table(index="element", columns="function", values="score")
    spread = by_function.max(axis=1) - by_function.min(axis=1)
    assert spread.idxmax() == demo.ALIGNMENT_GAP[0]
    assert spread.max() > 1.5


def test_item_bank_covers_every_element():
    bank = pd.read_csv(paths.ITEM_BANK, encoding="utf-8")
    assert list(bank.columns) == ["item", "instrument", "element", "text_en", "text_zh"]
    assert bank["item"].is_unique and bank.notna().all().all()
    expected = ({f"B{i}": 3 for i in range(1, 10)} | {f"C{i}": 3 for i in range(1, 5)}
                | {f"G{i}": 2 for i in range(1, 6)} | {f"A{i}": 2 for i in range(1, 8)}
                | {"MT": 3})
    assert bank["element"].value_counts().to_dict() == expected
    assert set(bank["instrument"]) == {"blocks", "culture", "journeys", "tips"}
    assert (bank["item"].str.split(".").str[0] == bank["element"]).all()
    assert bank["text_zh"].str.contains(CJK).all()
