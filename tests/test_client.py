"""load_client: files as exported, checked and mapped onto the model frames."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib.inputs import client as inputs_client
from cxlib.inputs.client import CHANNELS, STAGES, Client, client_folder
from cxlib.errors import CxError, DataError

FORMATS = Path(__file__).parent / "fixtures" / "formats"


def client(folder: Path, yml: str, **files) -> Path:
    """A client folder with client.yml and files given as text (or bytes) by name."""
    (folder / "client.yml").write_text(yml, encoding="utf-8")
    for name, content in files.items():
        name = name.replace("__", ".")
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def load_client(folder) -> Client:
    """load_client with --allow-small: these tests are about reading, not about sample size."""
    return inputs_client.load_client(folder, allow_small=True)


def survey_yml(file: str = "survey.csv", extra: str = "", overall: str = "{nps: nps}",
               touchpoints: str = "booking: {perception: booking, scale: [1, 5]}") -> str:
    """A client.yml naming a survey file, with extra survey keys."""
    return (f"client: Test\nsurvey:\n  file: {file}\n  respondent_id: id\n  min_answers: 2\n"
            f"{extra}"
            f"  overall: {overall}\n  touchpoints:\n    {touchpoints}\n")


def test_client_folder_by_path_and_unknown_id(tmp_path):
    folder = client(tmp_path, survey_yml(), survey__csv="id,nps,booking\n1,9,5\n")
    assert client_folder(folder) == folder.resolve()
    with pytest.raises(CxError, match="no client 'no-such-client'"):
        client_folder("no-such-client")


def test_load_client_stages_and_channels_constants():
    assert STAGES == ("awareness", "discovery", "attraction", "interaction", "purchase", "use",
                      "cultivation", "advocacy")
    assert CHANNELS == ("self-service", "assisted")


@pytest.mark.parametrize("missing, cell", [("[-99]", "-99"), ("[-99]", "-99.0"), ("[0]", "0"),
                                           ('["N/A"]', "N/A"), ('["N/A"]', "n/a"),
                                           ("[]", ""), ("[]", "  ")])
def test_load_client_missing_codes_become_nan(tmp_path, missing, cell):
    folder = client(tmp_path, survey_yml(extra=f"  missing: {missing}\n"),
                    survey__csv=f"id,nps,booking\n1,9,{cell}\n2,7,4\n")
    loaded = load_client(folder)
    assert np.isnan(loaded.perception.loc[0, "booking"])
    assert loaded.perception.loc[1, "booking"] == 4.0


def test_load_client_zero_is_a_score_unless_declared_missing(tmp_path):
    folder = client(tmp_path, survey_yml(), survey__csv="id,nps,booking\n1,0,5\n2,9,4\n")
    assert load_client(folder).survey.loc[0, "overall"] == 0.0


def test_load_client_na_region_is_data_unless_declared(tmp_path):
    files = {"survey__csv": "id,nps,booking,region\n1,9,5,NA\n2,7,4,EU\n"}
    folder = client(tmp_path, survey_yml(extra="  segments: [region]\n"), **files)
    assert load_client(folder).survey["region"].tolist() == ["NA", "EU"]
    client(tmp_path, survey_yml(extra='  segments: [region]\n  missing: ["NA"]\n'), **files)
    assert load_client(folder).survey["region"].isna().tolist() == [True, False]


@pytest.mark.parametrize("scale, good, bad", [("[1, 5]", "5", "6"), ("[1, 7]", "7", "0"),
                                              ("[0, 10]", "0", "11"), ("[1, 10]", "10", "0")])
def test_load_client_declared_scale_bounds(tmp_path, scale, good, bad):
    yml = survey_yml(touchpoints=f"booking: {{perception: booking, scale: {scale}}}")
    folder = client(tmp_path, yml, survey__csv=f"id,nps,booking\n1,9,{good}\n2,8,\n")
    assert load_client(folder).perception.loc[0, "booking"] == float(good)
    client(tmp_path, yml, survey__csv=f"id,nps,booking\n1,9,{good}\n2,9,{bad}\n")
    with pytest.raises(DataError, match=f"row 3, column 'booking'.*got '{bad}'"):
        load_client(folder)


def test_load_client_labels_mapped_to_numbers(tmp_path):
    labels = "  labels: {Very satisfied: 5, Satisfied: 4, Neutral: 3}\n"
    folder = client(tmp_path, survey_yml(extra=labels),
                    survey__csv="id,nps,booking\n1,9,Very satisfied\n2,7,  satisfied \n"
                                "3,5,Neutral\n4,6,4\n")
    assert load_client(folder).perception["booking"].tolist() == [5.0, 4.0, 3.0, 4.0]


def test_load_client_binary_overall_one_for_positive(tmp_path):
    folder = client(tmp_path, survey_yml(overall="{binary: satisfaction, positive: satisfied}"),
                    survey__csv="id,satisfaction,booking\n1,satisfied,5\n"
                                "2,neutral or dissatisfied,2\n3,,3\n4,Satisfied,4\n")
    overall = load_client(folder).survey["overall"]
    assert overall.iloc[:2].tolist() == [1.0, 0.0] and np.isnan(overall.iloc[2])
    assert overall.iloc[3] == 1.0


def test_load_client_satisfaction_scale_and_effort(tmp_path):
    extra = "  effort: {column: ces, scale: [1, 7]}\n"
    yml = survey_yml(extra=extra, overall="{satisfaction: csat, scale: [1, 5]}")
    folder = client(tmp_path, yml,
                    survey__csv="id,csat,ces,booking\n1,4.5,7,5\n2,1,1,3\n")
    survey = load_client(folder).survey
    assert survey["overall"].tolist() == [4.5, 1.0] and survey["effort"].tolist() == [7.0, 1.0]


def test_load_client_chinese_headers_and_labels_gb18030(tmp_path):
    shutil.copy(FORMATS / "gb18030.csv", tmp_path / "survey.csv")
    yml = ("client: 测试\nlanguage: zh\nsurvey:\n  file: survey.csv\n  respondent_id: 编号\n"
           "  labels: {非常满意: 5, 满意: 4, 一般: 3}\n  overall: {nps: 推荐意愿}\n"
           "  segments: [地区]\n  comments: 意见\n"
           "  touchpoints:\n    booking: {perception: 订票满意度, scale: [1, 5]}\n")
    loaded = load_client(client(tmp_path, yml))
    assert loaded.survey["respondent_id"].tolist() == ["C1", "C2", "C3"]
    assert loaded.survey["overall"].tolist() == [9.0, 6.0, 10.0]
    assert loaded.perception["booking"].tolist() == [5.0, 4.0, 3.0]
    assert loaded.survey["地区"].tolist() == ["华东", "华南", "华北"]
    assert loaded.survey["comment"].iloc[1] == "等待时间太长"


def test_load_client_cyrillic_headers(tmp_path):
    shutil.copy(FORMATS / "cyrillic.csv", tmp_path / "survey.csv")
    yml = ("client: Тест\nsurvey:\n  file: survey.csv\n  respondent_id: Номер\n"
           "  overall: {nps: Рекомендация}\n  segments: [Регион]\n"
           "  touchpoints:\n    booking: {perception: бронирование, scale: [1, 5]}\n")
    loaded = load_client(client(tmp_path, yml))
    assert loaded.perception["booking"].tolist() == [4.0, 5.0]
    assert loaded.survey["Регион"].tolist() == ["Київ", "Львів"]


def test_load_client_qualtrics_export_by_column_ids(tmp_path):
    shutil.copy(FORMATS / "qualtrics.csv", tmp_path / "survey.csv")
    yml = ("client: Q\nsurvey:\n  file: survey.csv\n  respondent_id: ResponseId\n"
           "  overall: {nps: Q1}\n  comments: Q3\n  touchpoints:\n"
           "    booking: {perception: Q2_1, scale: [1, 5]}\n"
           "    checkin: {perception: Q2_2, scale: [1, 5]}\n")
    loaded = load_client(client(tmp_path, yml))
    assert loaded.survey["overall"].tolist() == [9.0, 4.0, 10.0]
    assert loaded.perception["checkin"].isna().tolist() == [False, True, False]
    assert loaded.survey["comment"].iloc[2] == "NA"


def test_load_client_qualtrics_problem_row_numbers_from_4(tmp_path):
    text = (FORMATS / "qualtrics.csv").read_text(encoding="utf-8-sig").replace(",4,2,", ",44,2,")
    yml = ("client: Q\nsurvey:\n  file: survey.csv\n  respondent_id: ResponseId\n"
           "  overall: {nps: Q1}\n  touchpoints: {}\n")
    with pytest.raises(DataError, match="row 5, column 'Q1'.*got '44'"):
        load_client(client(tmp_path, yml, survey__csv=text))


def test_load_client_surveymonkey_question_dash_option(tmp_path):
    shutil.copy(FORMATS / "surveymonkey.csv", tmp_path / "survey.csv")
    q = "How satisfied are you with each of the following?"
    yml = ("client: M\nsurvey:\n  file: survey.csv\n  respondent_id: Respondent ID\n"
           "  labels: {Very satisfied: 5, Satisfied: 4, Neutral: 3, Dissatisfied: 2}\n"
           "  overall: {nps: 'How likely is it that you would recommend us to a friend or "
           "colleague?'}\n  segments: ['Which region are you in?']\n  touchpoints:\n"
           f"    booking: {{perception: '{q} - Booking', scale: [1, 5]}}\n"
           f"    checkin: {{perception: '{q} - Check-in', scale: [1, 5]}}\n")
    loaded = load_client(client(tmp_path, yml))
    assert loaded.perception["booking"].tolist() == [5.0, 2.0]
    assert loaded.perception["checkin"].isna().tolist() == [False, True]
    assert loaded.survey["overall"].tolist() == [9.0, 6.0]


def test_load_client_excel_survey_named_sheet(tmp_path):
    shutil.copy(FORMATS / "survey.xlsx", tmp_path / "survey.xlsx")
    yml = survey_yml("survey.xlsx", extra="  sheet: Responses\n  missing: [-99]\n").replace(
        "respondent_id: id", "respondent_id: respondent")
    loaded = load_client(client(tmp_path, yml))
    assert loaded.survey["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]
    assert np.isnan(loaded.survey["overall"].iloc[1])
    assert loaded.perception["booking"].iloc[3] == 3.5


def test_load_client_header_spacing_case_width_ignored(tmp_path):
    folder = client(tmp_path, survey_yml(touchpoints="booking: {perception: Ｂooking  Score}"),
                    survey__csv="id,NPS,booking score\n1,9,5\n2,8,\n")
    loaded = load_client(folder)
    assert loaded.perception["booking"].tolist()[:1] == [5.0]


def test_load_client_unused_duplicate_header_is_fine(tmp_path):
    folder = client(tmp_path, survey_yml(), survey__csv="id,nps,booking,note,note\n1,9,5,a,b\n2,8,4,c,d\n")
    assert len(load_client(folder).survey) == 2


def test_load_client_header_only_optional_file_not_provided(tmp_path):
    folder = client(tmp_path, survey_yml() + "interviews: interviews.csv\n",
                    survey__csv="id,nps,booking\n1,9,5\n2,8,4\n",
                    interviews__csv="interview,role,touchpoint,theme,sentiment,quote\n")
    loaded = load_client(folder)
    assert loaded.interviews is None
    assert loaded.sources.set_index("input").loc["interviews", "rows"] == 0


def test_load_client_all_inputs_typed(tmp_path):
    yml = survey_yml(extra="  customer_id: cust\n") + (
        "outcomes: {file: crm.csv, customer_id: cust, retained: kept, revenue: rev, "
        "share_of_wallet: sow}\n"
        "touchpoints: touchpoints.csv\ninterviews: interviews.csv\njourneys: events.csv\n"
        "assessment: assessment.csv\n")
    folder = client(
        tmp_path, yml,
        survey__csv="id,cust,nps,booking\n1,C1,9,5\n2,,6,4\n",
        crm__csv="cust,kept,rev,sow\nC1,yes,1200.5,40\nC2,No,300,80\n",
        touchpoints__csv="id,name,stage,channel\nbooking,Online booking,Purchase,web\n",
        interviews__csv="interview,role,touchpoint,theme,sentiment,quote\n"
                        "I1,customer,booking,speed,-1,Slow.\n",
        events__csv="customer,timestamp,channel,touchpoint\n"
                    "C1,2024-03-01T10:00:00,Self service,booking\nC1,2024-03-01 10:05,assisted,\n",
        assessment__csv="respondent,function,wave,item,score\nS1,sales,1,B1.1,4\n")
    loaded = load_client(folder)
    assert isinstance(loaded, Client)
    assert loaded.survey["customer_id"].iloc[0] == "C1"
    assert pd.isna(loaded.survey["customer_id"].iloc[1])
    assert loaded.outcomes["retained"].tolist() == [1.0, 0.0]
    assert loaded.outcomes["revenue"].tolist() == [1200.5, 300.0]
    assert loaded.outcomes["share_of_wallet"].tolist() == [0.4, 0.8]
    assert loaded.touchpoints.loc[0, "stage"] == "purchase"
    assert loaded.interviews.loc[0, "sentiment"] == -1.0
    assert loaded.journeys["channel"].tolist() == ["self-service", "assisted"]
    assert loaded.journeys["journey"].tolist() == ["C1", "C1"]
    assert loaded.journeys["timestamp"].iloc[1] == pd.Timestamp("2024-03-01 10:05")
    assert loaded.assessment.loc[0, "score"] == 4.0
    assert set(loaded.sources["input"]) == {"survey", "outcomes", "touchpoints", "interviews",
                                            "journeys", "assessment"}


def test_load_client_numbers_match_elementwise_conversion(tmp_path):
    """The vectorized check (distinct values) against a plain per-cell conversion."""
    rng = np.random.default_rng(5)
    pool = np.array(["1", "2", "3", "4", "5", "-99", "", " 3 ", "3.0", "0", "6", "x", "2.5"])
    cells = rng.choice(pool, size=400)

    def convert(cell: str) -> float | None:
        text = cell.strip()
        if text == "" or text == "-99":
            return np.nan
        try:
            value = float(text)
        except ValueError:
            return None
        return value if 1 <= value <= 5 else None

    expected = [convert(c) for c in cells]
    folder = client(tmp_path, survey_yml(extra="  missing: [-99]\n"),
                    survey__csv="id,nps,booking\n" + "".join(
                        f"{i},5,{c}\n" for i, c in enumerate(cells)))
    with pytest.raises(DataError) as err:
        load_client(folder)
    bad_rows = sorted(p.row for p in err.value.problems if p.row is not None)
    want = [i + 2 for i, v in enumerate(expected) if v is None]
    assert bad_rows == want[:50]
    assert f"{len(want) - 50} more rows like these" in str(err.value)


def test_load_client_valid_rows_values_match_elementwise(tmp_path):
    rng = np.random.default_rng(6)
    pool = np.array(["1", "2", "5", "-99", "", " 3 ", "3.0", "4.5"])
    cells = rng.choice(pool, size=300)
    folder = client(tmp_path, survey_yml(extra="  missing: [-99]\n"),
                    survey__csv="id,nps,booking\n" + "".join(
                        f"{i},5,{c}\n" for i, c in enumerate(cells)))
    got = load_client(folder).perception["booking"].to_numpy()
    want = np.array([np.nan if c.strip() in ("", "-99") else float(c) for c in cells])
    assert np.array_equal(got, want, equal_nan=True)


def test_load_client_journey_time_zones_mixed_compared_in_utc(tmp_path):
    folder = client(tmp_path, survey_yml() + "journeys: events.csv\n",
                    survey__csv="id,nps,booking\n1,9,5\n2,8,4\n",
                    events__csv="customer,timestamp,channel,touchpoint\n"
                                "C1,2024-03-01T10:00:00+01:00,assisted,booking\n"
                                "C1,2024-03-01T09:30:00Z,assisted,booking\n")
    stamps = load_client(folder).journeys["timestamp"]
    assert stamps.tolist() == [pd.Timestamp("2024-03-01 09:00"), pd.Timestamp("2024-03-01 09:30")]


def test_load_client_nps_item_without_a_zero_warned(tmp_path):
    rows = "".join(f"{i},{1 + i % 10},3\n" for i in range(60))
    folder = client(tmp_path, survey_yml(), survey__csv="id,nps,booking\n" + rows)
    warning = load_client(folder).warnings[0]
    assert "none of 60 answers is 0" in warning and "satisfaction: nps with scale: [1, 10]" in warning
