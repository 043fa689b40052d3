"""Write the bad-input corpus: one folder per malformed case, named for its problem.

Each folder holds client.yml, the few files it needs and expected.txt: one substring per
line that the message must contain, and a line "# problems: N" giving how many problems
the case must report. The folders are committed; this script documents how they were made
(run: python tests/bad_inputs/make_cases.py).
"""
from __future__ import annotations

import io
import os
import pickle
import shutil
from pathlib import Path

import openpyxl
import scipy.io

HERE = Path(__file__).resolve().parent

SURVEY_YML = """\
client: Bad input case
survey:
  file: survey.csv
  respondent_id: id
  overall: {nps: nps}
  segments: [region]
  touchpoints:
    booking: {perception: booking, scale: [1, 5]}
    checkin: {perception: checkin, scale: [1, 5]}
  min_answers: 2
"""
SURVEY = """\
id,nps,booking,checkin,region
R1,9,5,4,NA
R2,6,3,2,EU
R3,10,4,5,EU
"""
TOUCHPOINTS = """\
id,name,stage,channel
booking,Online booking,purchase,web
checkin,Check-in,use,store
"""
INTERVIEWS = """\
interview,role,touchpoint,theme,sentiment,quote
I1,customer,booking,speed,1,It was quick.
I1,customer,checkin,queues,-2,The queue took forever.
"""
EVENTS = """\
customer,journey,timestamp,channel,touchpoint
C1,J1,2024-03-01T10:00:00,self-service,booking
C1,J1,2024-03-01T10:20:00,assisted,checkin
"""
ASSESSMENT = """\
respondent,function,wave,item,score
S1,sales,1,B1.1,3
S2,service,1,B1.2,4
"""
CRM = """\
customer_id,retained,revenue
C1,1,1200
C2,0,300.5
"""
OUTCOMES_YML = """\
outcomes:
  file: crm.csv
  customer_id: customer_id
  retained: retained
  revenue: revenue
"""

CASES: dict[str, dict] = {}


def case(name: str, expected: list[str], problems: int, yml: str = SURVEY_YML,
         **files) -> None:
    """Register a case: its client.yml, files (name with dots as __) and expected text."""
    files = {k.replace("__", "."): v for k, v in files.items()}
    files.setdefault("survey.csv", SURVEY)
    CASES[name] = {"client.yml": yml, **{k: v for k, v in files.items() if v is not None},
                   "expected.txt": "\n".join([f"# problems: {problems}"] + expected) + "\n"}


def xlsx(rows: list[list], sheet: str = "Responses", merge: str | None = None,
         far_cell: bool = False) -> bytes:
    """A small workbook with one sheet holding rows (cells merged, or one formatted empty
    cell at XFD1048576, the last cell a sheet has)."""
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    if merge:
        book.active.merge_cells(merge)
    if far_cell:
        book.active["XFD1048576"].font = openpyxl.styles.Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_sheets(sheets: list[tuple[str, list[list], str]]) -> bytes:
    """A workbook with several sheets: (title, rows, state) with state "" or "hidden"."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if state:
            sheet.sheet_state = state
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Link(str):
    """A file written as a symbolic link to this target."""


# ---- client.yml --------------------------------------------------------------------------
case("bad_yaml", ["client.yml", "line 6", "valid YAML", "flow mapping on line 5"], 1,
     SURVEY_YML.replace("overall: {nps: nps}", "overall: {nps: nps"))
case("yaml_not_mapping", ["client.yml", "a mapping of keys", "['survey.csv']"], 1,
     "- survey.csv\n")
case("empty_client_yml", ["client.yml", "a mapping of keys", "an empty file"], 1, "")
case("client_yml_not_utf8", ["client.yml", "line 1", "text in UTF-8", "xe9"], 1,
     ("client: Café de Flore\n" + SURVEY_YML.split("\n", 1)[1]).encode("cp1252"))
case("unknown_key_did_you_mean", ["client.yml", "line 6", "survey.segmnets",
                                  "unknown key 'segmnets' (did you mean 'segments'?)"], 1,
     SURVEY_YML.replace("segments:", "segmnets:"))
case("duplicate_yaml_key", ["client.yml", "line 6", "survey.overall", "each key once",
                            "'overall' again (first on line 5)"], 1,
     SURVEY_YML.replace("  segments:", "  overall: {nps: booking}\n  segments:"))
case("survey_missing_section", ["client.yml", "a survey section (the survey is required)",
                                "nothing"], 1, "client: No survey\nlanguage: en\n")
case("survey_not_a_mapping", ["client.yml", "a mapping with file, respondent_id and overall",
                              "'survey.csv'"], 1, "client: x\nsurvey: survey.csv\n")
case("path_outside_client", ["client.yml", "survey.file", "a file inside the client folder",
                             "'../survey.csv'"], 1,
     SURVEY_YML.replace("file: survey.csv", "file: ../survey.csv"))
case("bad_scale", ["client.yml", "line 8", "survey.touchpoints.booking.scale",
                   "a scale [low, high] such as [1, 5]", "[5, 1]"], 1,
     SURVEY_YML.replace("booking, scale: [1, 5]", "booking, scale: [5, 1]"))
case("bad_language", ["client.yml", "line 2", "key 'language'", "one of en, zh", "'fr'"], 1,
     SURVEY_YML.replace("survey:", "language: fr\nsurvey:", 1))
case("bad_encoding_name", ["client.yml", "survey.encoding", "one of auto, utf-8", "'latin-9'"],
     1, SURVEY_YML.replace("  file: survey.csv", "  file: survey.csv\n  encoding: latin-9"))
case("bad_format_name", ["client.yml", "survey.format", "one of csv, excel, qualtrics",
                         "'stata'"], 1,
     SURVEY_YML.replace("  file: survey.csv", "  file: survey.csv\n  format: stata"))
case("overall_two_kinds", ["client.yml", "survey.overall",
                           "exactly one of nps, satisfaction, index or binary"], 1,
     SURVEY_YML.replace("overall: {nps: nps}", "overall: {nps: nps, satisfaction: booking}"))
case("segments_not_list", ["client.yml", "survey.segments", "a list of column names",
                           "'region'"], 1,
     SURVEY_YML.replace("segments: [region]", "segments: region"))
case("touchpoint_without_columns", ["client.yml", "survey.touchpoints.checkin",
                                    "at least a perception column"], 1,
     SURVEY_YML.replace("checkin: {perception: checkin, scale: [1, 5]}",
                        "checkin: {scale: [1, 5]}"))
case("labels_not_numbers", ["client.yml", "survey.labels.Good", "a number for this answer",
                            "'high'"], 1,
     SURVEY_YML.replace("  file: survey.csv", "  file: survey.csv\n  labels: {Good: high}"))
case("missing_codes_not_a_list", ["client.yml", "survey.missing", "a list of codes"], 1,
     SURVEY_YML.replace("  file: survey.csv", "  file: survey.csv\n  missing: {na: -99}"))

# ---- the survey file ---------------------------------------------------------------------
case("missing_file", ["survey.csv", "a file at this path", "no such file",
                      "survey_2024.csv"], 1, survey__csv=None, survey_2024__csv=SURVEY)
case("file_is_folder", ["survey.csv", "expected a file, got a folder"], 1,
     survey__csv=None, **{"survey.csv/README.txt": "The export was saved as a folder.\n"})
case("empty_file", ["survey.csv", "a header row and rows of answers", "an empty file"], 1,
     survey__csv="")
case("header_only", ["survey.csv", "at least one row of answers", "a header row only"], 1,
     survey__csv="id,nps,booking,checkin,region\n")
case("binary_file_named_csv", ["survey.csv", "a binary file, not text"], 1,
     survey__csv=bytes(range(256)) * 4)
case("pdf_named_csv", ["survey.csv", "a PDF document"], 1,
     survey__csv=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n")
case("xlsx_named_csv", ["survey.csv", "an Excel workbook", "name it .xlsx or set format: excel"],
     1, survey__csv=xlsx([["id", "nps"], ["R1", 9]]))
case("xlsx_that_is_csv", ["survey.xlsx", "an Excel workbook (.xlsx)",
                          "set format: csv for it in client.yml"], 1,
     SURVEY_YML.replace("survey.csv", "survey.xlsx"), survey__csv=None, survey__xlsx=SURVEY)
case("old_xls_workbook", ["survey.xls", "old Excel 97-2003 (.xls)", "save it as .xlsx"], 1,
     SURVEY_YML.replace("survey.csv", "survey.xls"), survey__csv=None,
     survey__xls=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
case("wrong_sheet", ["survey.xlsx", "a sheet named 'Answers' (sheet in client.yml)",
                     "the sheets 'Responses'"], 1,
     SURVEY_YML.replace("  file: survey.csv", "  file: survey.xlsx\n  sheet: Answers"),
     survey__csv=None,
     survey__xlsx=xlsx([line.split(",") for line in SURVEY.splitlines()]))
case("mixed_encodings", ["survey.csv", "row 3", "mixed encodings"], 1,
     survey__csv=b"id,nps,booking,checkin,region\nR1,9,5,4,S\xc3\xa3o Paulo\n"
                 b"R2,6,3,2,Bogot\xe1\nR3,10,4,5,EU\n")
case("wrong_encoding_named", ["survey.csv", "row 3", "text in utf-8 (encoding in client.yml)",
                              "not utf-8", "looks like cp1252"], 1,
     SURVEY_YML.replace("  file: survey.csv", "  file: survey.csv\n  encoding: utf-8"),
     survey__csv=SURVEY.replace("R2,6,3,2,EU", "R2,6,3,2,Bogotá").encode("cp1252"))
case("ragged_rows", ["survey.csv", "row 3", "expected 5 cells separated by commas",
                     "got 6 cells"], 1,
     survey__csv=SURVEY.replace("R2,6,3,2,EU", "R2,6,3,2,EU,extra"))
case("tab_and_comma_rows", ["survey.csv", "row 2", "row 3", "row 4",
                            "5 cells separated by tabs, as in the header", "got 1 cell"], 3,
     survey__csv=SURVEY.replace(",", "\t", 4))
case("unclosed_quote", ["survey.csv", "row 3", "well-formed CSV", "never ends"], 1,
     survey__csv=SURVEY.replace("R2,6,3,2,EU", 'R2,6,3,2,"EU'))
case("qualtrics_named_but_plain", ["survey.csv", "three header rows"], 1,
     SURVEY_YML.replace("  file: survey.csv", "  file: survey.csv\n  format: qualtrics"),
     survey__csv="id,nps,booking,checkin,region\nR1,9,5,4,NA\n")
case("missing_column", ["survey.csv", "row 1", "column 'Q9'", "a column 'Q9'",
                        "no such column", "'booking'"], 1,
     SURVEY_YML.replace("perception: booking", "perception: Q9"))
case("missing_column_did_you_mean", ["survey.csv", "column 'chekin'",
                                     "did you mean 'checkin'?"], 1,
     SURVEY_YML.replace("perception: checkin", "perception: chekin"))
case("duplicate_column_header", ["survey.csv", "row 1", "column 'nps'",
                                 "one column named 'nps'", "columns B and F with that name"], 1,
     survey__csv="id,nps,booking,checkin,region,nps\nR1,9,5,4,NA,1\nR2,6,3,2,EU,2\n")
case("duplicate_ids", ["survey.csv", "row 4", "column 'id'", "a unique respondent id",
                       "'R2', already in row 3"], 1,
     survey__csv=SURVEY.replace("R3,", "R2,"))
case("empty_respondent_id", ["survey.csv", "row 3", "column 'id'",
                             "respondent id in every row", "an empty cell"], 1,
     survey__csv=SURVEY.replace("R2,", ","))
case("nps_out_of_range", ["survey.csv", "row 3", "column 'nps'", "a whole number 0-10",
                          "'11'"], 1, survey__csv=SURVEY.replace("R2,6,", "R2,11,"))
case("nps_decimal", ["survey.csv", "row 2", "column 'nps'", "a whole number 0-10", "'7.5'"], 1,
     survey__csv=SURVEY.replace("R1,9,", "R1,7.5,"))
case("undeclared_missing_code", ["survey.csv", "row 4", "column 'nps'", "a whole number 0-10",
                                 "'-99'"], 1, survey__csv=SURVEY.replace("R3,10,", "R3,-99,"))
case("non_numeric_score", ["survey.csv", "row 2", "column 'booking'", "a rating 1-5",
                           "'five'"], 1, survey__csv=SURVEY.replace("R1,9,5,", "R1,9,five,"))
case("rating_out_of_scale", ["survey.csv", "row 4", "column 'checkin'", "a rating 1-5",
                             "'7'"], 1, survey__csv=SURVEY.replace("R3,10,4,5,", "R3,10,4,7,"))
case("label_not_in_labels", ["survey.csv", "row 3", "column 'booking'", "a rating 1-5",
                             "'Quite satisfied'"], 1,
     SURVEY_YML.replace("  file: survey.csv",
                        "  file: survey.csv\n  labels: {Very satisfied: 5, Satisfied: 4}"),
     survey__csv=SURVEY.replace("R1,9,5,", "R1,9,Very satisfied,")
                       .replace("R2,6,3,", "R2,6,Quite satisfied,"))
case("satisfaction_out_of_scale", ["survey.csv", "row 2", "column 'csat'", "a number 1-7",
                                   "'8'"], 1,
     SURVEY_YML.replace("overall: {nps: nps}", "overall: {satisfaction: csat, scale: [1, 7]}"),
     survey__csv=SURVEY.replace("nps", "csat").replace("R1,9,", "R1,8,").replace("R3,10,", "R3,5,"))
case("binary_positive_not_found", ["survey.csv", "column 'satisfaction'",
                                   "the answer 'yes' (survey.overall.positive)",
                                   "'dissatisfied', 'satisfied'"], 1,
     SURVEY_YML.replace("overall: {nps: nps}", "overall: {binary: satisfaction, positive: 'yes'}"),
     survey__csv=SURVEY.replace("nps", "satisfaction").replace("R1,9,", "R1,satisfied,")
                       .replace("R2,6,", "R2,dissatisfied,").replace("R3,10,", "R3,satisfied,"))
case("binary_three_answers", ["survey.csv", "column 'satisfaction'", "two different answers",
                              "3: 'neutral', 'satisfied', 'unsatisfied'"], 1,
     SURVEY_YML.replace("overall: {nps: nps}",
                        "overall: {binary: satisfaction, positive: satisfied}"),
     survey__csv=SURVEY.replace("nps", "satisfaction").replace("R1,9,", "R1,satisfied,")
                       .replace("R2,6,", "R2,neutral,").replace("R3,10,", "R3,unsatisfied,"))

# ---- the other files ---------------------------------------------------------------------
TP_YML = SURVEY_YML + "touchpoints: touchpoints.csv\n"
case("bad_stage", ["touchpoints.csv", "row 3", "column 'stage'", "a journey stage: one of "
                   "awareness, discovery", "'checkout'"], 1, TP_YML,
     touchpoints__csv=TOUCHPOINTS.replace(",use,", ",checkout,"))
case("duplicate_touchpoint_ids", ["touchpoints.csv", "row 3", "column 'id'",
                                  "a unique touchpoint id", "'booking', already in row 2"], 2,
     TP_YML, touchpoints__csv=TOUCHPOINTS.replace("checkin,Check-in", "booking,Check-in"))
case("survey_touchpoint_not_in_catalogue", ["client.yml", "survey.touchpoints.checkin",
                                            "a touchpoint id listed in touchpoints.csv",
                                            "'checkin'"], 1, TP_YML,
     touchpoints__csv="id,name,stage,channel\nbooking,Online booking,purchase,web\n")
case("touchpoints_missing_model_column", ["touchpoints.csv", "column 'stage'",
                                          "a column 'stage' (a model column of touchpoints)",
                                          "the columns are 'id', 'name', 'channel'"], 1, TP_YML,
     touchpoints__csv="id,name,channel\nbooking,Online booking,web\ncheckin,Check-in,store\n")
IV_YML = SURVEY_YML + "interviews: interviews.csv\n"
case("unknown_touchpoint", ["interviews.csv", "row 3", "column 'touchpoint'",
                            "a touchpoint id from survey.touchpoints", "'checkout'"], 1, IV_YML,
     interviews__csv=INTERVIEWS.replace(",checkin,", ",checkout,"))
case("sentiment_out_of_range", ["interviews.csv", "row 2", "column 'sentiment'",
                                "a whole number -2..2", "'3'"], 1, IV_YML,
     interviews__csv=INTERVIEWS.replace(",speed,1,", ",speed,3,"))
case("empty_quote", ["interviews.csv", "row 3", "column 'quote'", "the words of the excerpt",
                     "an empty cell"], 1, IV_YML,
     interviews__csv=INTERVIEWS.replace("The queue took forever.", ""))
JY_YML = SURVEY_YML + "journeys: events.csv\n"
case("bad_channel", ["events.csv", "row 2", "column 'channel'",
                     "a channel: one of self-service, assisted", "'web'"], 1, JY_YML,
     events__csv=EVENTS.replace(",self-service,", ",web,"))
case("bad_timestamp", ["events.csv", "row 3", "column 'timestamp'", "a date and time",
                       "'yesterday'"], 1, JY_YML,
     events__csv=EVENTS.replace("2024-03-01T10:20:00", "yesterday"))
AS_YML = SURVEY_YML + "assessment: assessment.csv\n"
case("assessment_unknown_item", ["assessment.csv", "row 3", "column 'item'",
                                 "an item id from item_bank.csv", "'Z9.9'"], 1, AS_YML,
     assessment__csv=ASSESSMENT.replace("B1.2", "Z9.9"))
case("assessment_score_out_of_range", ["assessment.csv", "row 2", "column 'score'",
                                       "a whole number 1-5", "'6'"], 1, AS_YML,
     assessment__csv=ASSESSMENT.replace("B1.1,3", "B1.1,6"))
case("wave_not_number", ["assessment.csv", "row 2", "column 'wave'", "a wave number",
                         "'first'"], 1, AS_YML,
     assessment__csv=ASSESSMENT.replace("sales,1,", "sales,first,"))
OC_YML = SURVEY_YML + OUTCOMES_YML
case("retained_not_boolean", ["crm.csv", "row 3", "column 'retained'",
                              "1/0, yes/no or true/false", "'maybe'"], 1, OC_YML,
     crm__csv=CRM.replace("C2,0,", "C2,maybe,"))
case("revenue_text", ["crm.csv", "row 2", "column 'revenue'", "an amount of money", "'12k'"], 1,
     OC_YML, crm__csv=CRM.replace("1200", "12k"))
case("outcomes_missing_column", ["crm.csv", "column 'revnue'", "a column 'revnue'",
                                 "did you mean 'revenue'?"], 1,
     OC_YML.replace("revenue: revenue", "revenue: revnue"), crm__csv=CRM)
case("share_of_wallet_out_of_range", ["crm.csv", "row 3", "column 'sow'",
                                      "a share 0-1 or a percentage 0-100", "'150'"], 1,
     OC_YML + "  share_of_wallet: sow\n",
     crm__csv="customer_id,retained,revenue,sow\nC1,1,1200,40\nC2,0,300.5,150\n")

# ---- issue 8: exports as they come, outcomes as CRMs hold them ----------------------------
case("surveymonkey_export_without_respondent_id",
     ["survey.csv", "row 2", "set format: surveymonkey", "'Response' or 'Open-Ended Response'"],
     1, SURVEY_YML.replace("respondent_id: id", "respondent_id: row"),
     survey__csv="How likely are you to recommend us?,Booking,Check-in,Region\n"
                 "Response,Response,Response,Response\n9,5,4,NA\n6,3,2,EU\n")
case("qualtrics_export_importid_row_deleted",
     ["survey.csv", "row 2", "set format: qualtrics", "question texts under Qualtrics"], 1,
     SURVEY_YML.replace("respondent_id: id", "respondent_id: ResponseId"),
     survey__csv="StartDate,EndDate,Status,ResponseId,nps,booking,checkin,region\n"
                 "Start Date,End Date,Response Type,Response ID,How likely?,Booking,Check-in,"
                 "Region\n2024-03-01,2024-03-01,0,R_1,9,5,4,NA\n2024-03-02,2024-03-02,0,R_2,6,3,"
                 "2,EU\n")
case("too_few_answers", ["survey.csv", "column 'nps'", "at least 30 answers to the overall "
                         "measure", "--allow-small", "3 answers"], 1,
     SURVEY_YML.replace("  min_answers: 2\n", ""))
case("min_answers_not_a_number", ["client.yml", "survey.min_answers", "a whole number 2-",
                                  "'thirty'"], 1,
     SURVEY_YML.replace("min_answers: 2", "min_answers: thirty"))
case("spss_file_that_is_text", ["survey.sav", "an SPSS data file (.sav)",
                                "set format: csv for it"], 1,
     SURVEY_YML.replace("survey.csv", "survey.sav"), survey__csv=None, survey__sav=SURVEY)
case("sav_that_is_an_idl_save_file", ["survey.sav", "an SPSS data file (.sav)",
                                      "a binary file, not text"], 1,
     SURVEY_YML.replace("survey.csv", "survey.sav"), survey__csv=None,
     survey__sav=(Path(scipy.io.__file__).parent / "tests" / "data" / "scalar_int32.sav")
     .read_bytes())
case("spss_damaged", ["survey.sav", "an SPSS data file (.sav) that opens", "damaged"], 1,
     SURVEY_YML.replace("survey.csv", "survey.sav"), survey__csv=None,
     survey__sav=b"$FL2@(#) SPSS DATA FILE" + bytes(range(256)) * 2)
CHURN = "customer_id,Churn,revenue,status,left_on,sow\nC1,No,1200,Active,,10\n" \
        "C2,Yes,300.5,Churned,2024-02-01,20\nC3,No,80,Active,,30\n"
OC2_YML = SURVEY_YML + "outcomes:\n  file: crm.csv\n  customer_id: customer_id\n  revenue: revenue\n"
case("churn_flag_under_retained", ["client.yml", "outcomes.retained",
                                   "for a churn flag write churned: Churn",
                                   "which reads as a churn flag"], 1,
     OC2_YML + "  retained: Churn\n", crm__csv=CHURN)
case("status_text_not_listed", ["crm.csv", "row 4", "column 'status'",
                                "one of the statuses in client.yml ('Active', 'Churned')",
                                "'Dormant'"], 1,
     OC2_YML + "  retained: {column: status, retained: [Active], churned: [Churned]}\n",
     crm__csv=CHURN.replace("C3,No,80,Active", "C3,No,80,Dormant"))
case("status_churned_list_missing", ["client.yml", "outcomes.retained.churned",
                                     "the answers meaning churned"], 1,
     OC2_YML + "  retained: {column: status, retained: [Active]}\n", crm__csv=CHURN)
case("churn_date_not_a_date", ["crm.csv", "row 3", "column 'left_on'", "a churn date",
                               "'soon'"], 1,
     OC2_YML + "  churn_date: left_on\n", crm__csv=CHURN.replace("2024-02-01", "soon"))
case("two_retention_rules", ["client.yml", "outcomes", "one way to tell retention",
                             "retained, churned"], 1,
     OC2_YML + "  retained: status\n  churned: Churn\n", crm__csv=CHURN)
case("match_rule_unknown", ["client.yml", "outcomes.match", "one of exact, normalized",
                            "'fuzzy'"], 1, OC2_YML + "  churned: Churn\n  match: fuzzy\n",
     crm__csv=CHURN)
LOG = "cust,day,amount\nC1,2023-01-15,10\nC2,2023-05-02,20\nC1,2024-02-01,5\nC3,2024-08-09,7\n"
TX_YML = SURVEY_YML + """\
outcomes:
  file: orders.csv
  customer_id: cust
  transactions: {date: day, amount: amount, survey_date: 2024-01-01, retained_months: 6}
"""
case("transactions_date_unreadable", ["orders.csv", "row 3", "column 'day'",
                                      "a date such as 2024-03-01 (or set dates: month-first",
                                      "'5/2/23'"], 1, TX_YML,
     orders__csv=LOG.replace("2023-05-02", "5/2/23"))
case("transactions_log_ends_before_window", ["orders.csv", "column 'day'",
                                             "purchases up to the end of the retention window "
                                             "(2024-12-31", "a log that ends on 2024-08-09"], 1,
     TX_YML.replace("retained_months: 6", "retained_months: 12"), orders__csv=LOG)
case("transactions_survey_date_missing", ["client.yml", "outcomes.transactions.survey_date",
                                          "a date written 2024-06-30", "nothing"], 1,
     TX_YML.replace(" survey_date: 2024-01-01,", ""), orders__csv=LOG)
case("transactions_amount_not_money", ["orders.csv", "row 4", "column 'amount'",
                                       "an amount of money", "'5 EUR'"], 1, TX_YML,
     orders__csv=LOG.replace("2024-02-01,5", "2024-02-01,5 EUR"))
case("transactions_dates_order_unknown", ["client.yml", "outcomes.transactions.dates",
                                          "one of iso, month-first, day-first", "'us'"], 1,
     TX_YML.replace("retained_months: 6}", "retained_months: 6, dates: us}"),
     orders__csv=LOG)
case("join_no_customer_matches", ["survey.csv", "column 'customer'",
                                  "customer ids that match crm.csv",
                                  "0 of 3 surveyed customers have outcomes", "leading zeros",
                                  "'007'", "'7'"], 1,
     SURVEY_YML.replace("respondent_id: id", "respondent_id: id\n  customer_id: customer")
     + "outcomes: {file: crm.csv, customer_id: customer_id, retained: retained, "
       "revenue: revenue}\n",
     survey__csv="id,customer,nps,booking,checkin,region\nR1,007,9,5,4,NA\nR2,008,6,3,2,EU\n"
                 "R3,009,10,4,5,EU\n",
     crm__csv="customer_id,retained,revenue\n7,1,10\n8,0,20\n9,1,30\n")


# ---- issue 8: the overall measure and segments as clients code them -----------------------
case("nps_with_a_scale", ["client.yml", "survey.overall.scale", "no scale under nps",
                          "satisfaction: nps with its scale", "[1, 10]"], 1,
     SURVEY_YML.replace("overall: {nps: nps}", "overall: {nps: nps, scale: [1, 10]}"))
case("satisfied_rule_unknown", ["client.yml", "survey.overall.satisfied",
                                "top-box, top-two, top-three", "'top-half'"], 1,
     SURVEY_YML.replace("overall: {nps: nps}",
                        "overall: {satisfaction: booking, scale: [1, 5], satisfied: top-half}"))
case("group_names_wrong_count", ["client.yml", "survey.overall.groups", "3 group names",
                                 "['critics', 'fans']"], 1,
     SURVEY_YML.replace("overall: {nps: nps}", "overall: {nps: nps, groups: [critics, fans]}"))
case("index_of_one_item", ["client.yml", "survey.overall.index",
                           "a list of two or more item columns", "'booking'"], 1,
     SURVEY_YML.replace("overall: {nps: nps}", "overall: {index: booking, scale: [1, 5]}"))
case("index_item_missing", ["survey.csv", "column 'comfort'", "a column 'comfort'",
                            "no such column"], 1,
     SURVEY_YML.replace("overall: {nps: nps}",
                        "overall: {index: [booking, comfort], scale: [1, 5]}"))
case("segment_group_not_in_order", ["survey.csv", "row 2", "column 'region'",
                                    "one of the groups in survey.segments order (EU, APAC)",
                                    "'NA'"], 1,
     SURVEY_YML.replace("segments: [region]", "segments: [{column: region, order: [EU, APAC]}]"),
     survey__csv=SURVEY.replace("R3,10,4,5,EU", "R3,10,4,5,APAC"))
case("multi_select_question_not_found", ["survey.csv", "column 'Channels used - (an option)'",
                                         "no such column"], 1,
     SURVEY_YML.replace("segments: [region]", "segments: [{multi: Channels used}]"))
case("segment_column_and_multi", ["client.yml", "survey.segments.0",
                                  "a column, or multi: a multi-select question"], 1,
     SURVEY_YML.replace("segments: [region]",
                        "segments: [{column: region, multi: Channels used}]"))


# ---- issue 11: no silently wrong report, what validate passes the run can run -------------
case("file_cut_inside_quoted_last_field", ["survey.csv", "row 4", "every quote closed",
                                           "file cut short"], 1,
     survey__csv=SURVEY.replace('R3,10,4,5,EU\n', 'R3,10,4,5,"EU'))
case("headers_differ_only_by_case", ["survey.csv", "row 1", "column 'nps'",
                                     "one column named like 'nps'", "'nps' (column B)",
                                     "'NPS' (column F)", "U+006E LATIN SMALL LETTER N"], 1,
     survey__csv="id,nps,booking,checkin,region,NPS\nR1,9,5,4,NA,1\nR2,6,3,2,EU,2\n")
case("headers_differ_only_by_width", ["survey.csv", "'ｎｐｓ' (column F)", "FULLWIDTH LATIN"],
     1, survey__csv="id,nps,booking,checkin,region,ｎｐｓ\nR1,9,5,4,NA,1\nR2,6,3,2,EU,2\n")
case("headers_differ_by_zero_width_space", ["survey.csv", "column 'checkin'",
                                            "U+200B ZERO WIDTH SPACE"], 1,
     survey__csv="id,nps,booking,checkin,region,check\u200bin\nR1,9,5,4,NA,1\nR2,6,3,2,EU,2\n")
case("header_cyrillic_lookalike", ["survey.csv", "column 'booking'", "a column 'booking'",
                                   "'bооking' (column C)", "U+043E CYRILLIC SMALL LETTER O"],
     1, survey__csv=SURVEY.replace("booking", "b\u043e\u043eking", 1))
case("header_greek_lookalike", ["survey.csv", "column 'nps'", "U+03C1 GREEK SMALL LETTER RHO"],
     1, survey__csv=SURVEY.replace("nps", "n\u03c1s", 1))
case("outcomes_headers_differ_by_spacing", ["crm.csv", "column 'revenue'",
                                            "one column named like 'revenue'"], 1,
     OC_YML, crm__csv="customer_id,retained,revenue, Revenue\nC1,1,1200,1\nC2,0,300.5,2\n")
case("excel_first_sheet_hidden", ["survey.xlsx", "a visible first sheet, or sheet:",
                                  "the first sheet 'Old' is hidden", "'Responses'"], 1,
     SURVEY_YML.replace("survey.csv", "survey.xlsx"), survey__csv=None,
     survey__xlsx=xlsx_sheets([("Old", [["id", "nps"], ["X", 1]], "hidden"),
                               ("Responses", [l.split(",") for l in SURVEY.splitlines()], "")]))
case("excel_merged_cells_in_data", ["survey.xlsx", "no merged cells", "merged cells A3:A4"], 1,
     SURVEY_YML.replace("survey.csv", "survey.xlsx"), survey__csv=None,
     survey__xlsx=xlsx([l.split(",") for l in SURVEY.splitlines()], merge="A3:A4"))
case("excel_formatted_cell_at_xfd1048576", ["survey.xlsx", "row 3", "column 'nps'",
                                            "a whole number 0-10", "'11'"], 1,
     SURVEY_YML.replace("survey.csv", "survey.xlsx"), survey__csv=None,
     survey__xlsx=xlsx([l.split(",") for l in SURVEY.replace("R2,6,", "R2,11,").splitlines()],
                       far_cell=True))
case("xlsx_truncated", ["survey.xlsx", "an Excel workbook (.xlsx) that opens", "damaged"], 1,
     SURVEY_YML.replace("survey.csv", "survey.xlsx"), survey__csv=None,
     survey__xlsx=xlsx([["id", "nps"], ["R1", 9]])[:300])
case("nul_byte_past_the_first_64kb", ["survey.csv", "text without NUL bytes",
                                      "a NUL byte at byte"], 1,
     survey__csv=(SURVEY + "".join(f"R{i},7,3,3,EU\n" for i in range(4, 7000))
                  + "R7000,7,3,3,E\x00U\n").encode())
case("pickle_named_csv", ["survey.csv", "a binary file, not text"], 1,
     survey__csv=pickle.dumps({"survey": list(range(50))}, protocol=4))
case("survey_symlink_outside_the_folder", ["client.yml", "survey.file",
                                           "a file inside the client folder"], 1,
     SURVEY_YML.replace("file: survey.csv", "file: linked.csv"),
     **{"linked.csv": Link("/etc/hostname")})
case("logo_outside_the_folder", ["client.yml", "brand.logo", "a file inside the client folder",
                                 "'../../../templates/logo.svg'"], 1,
     "brand: {logo: ../../../templates/logo.svg}\n" + SURVEY_YML)
case("logo_not_an_image", ["client.yml", "brand.logo", "a PNG, JPEG or SVG image",
                           "content is not an image"], 1,
     "brand: {logo: logo.png}\n" + SURVEY_YML, logo__png="<html>not a logo</html>")
case("logo_svg_with_script", ["client.yml", "brand.logo", "an SVG holding '<script'"], 1,
     "brand: {logo: logo.svg}\n" + SURVEY_YML,
     logo__svg='<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
case("logo_svg_with_event_handler", ["client.yml", "brand.logo", "an SVG holding 'onload='"], 1,
     "brand: {logo: logo.svg}\n" + SURVEY_YML,
     logo__svg='<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>')
case("logo_svg_entity_bomb", ["client.yml", "brand.logo", "an SVG holding '<!DOCTYPE'"], 1,
     "brand: {logo: logo.svg}\n" + SURVEY_YML,
     logo__svg='<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
               '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg>&b;</svg>')
case("logo_svg_external_image", ["client.yml", "brand.logo", "an SVG that loads an external"],
     1, "brand: {logo: logo.svg}\n" + SURVEY_YML,
     logo__svg='<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/'
               'xlink"><image xlink:href="https://example.com/track.png"/></svg>')
case("logo_png_that_is_a_zip", ["client.yml", "brand.logo", "content is not an image"], 1,
     "brand: {logo: logo.png}\n" + SURVEY_YML, logo__png=xlsx([["a"]]))
case("accent_not_a_colour", ["client.yml", "line 1", "brand.accent",
                             "a hex colour such as '#0b6e4f'", "'teal'"], 1,
     "brand: {accent: teal}\n" + SURVEY_YML)
case("accent_css_injection", ["client.yml", "brand.accent", "a hex colour",
                              "'#fff;}</style><script>x</script>'"], 1,
     "brand: {accent: '#fff;}</style><script>x</script>'}\n" + SURVEY_YML)
case("yaml_alias_bomb", ["client.yml", "line 2", "no YAML anchors & or aliases *", "'&a'"], 1,
     "client: x\nlol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
     + "".join(f"l{i}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
               for i, (p, c) in enumerate(zip("abcdefgh", "bcdefghi")))
     + SURVEY_YML.split("\n", 1)[1])
case("yaml_merge_key_alias", ["client.yml", "no YAML anchors & or aliases *"], 1,
     SURVEY_YML + "base: &base {file: x.csv}\noutcomes:\n  <<: *base\n")
case("yaml_nested_too_deep", ["client.yml", "valid YAML", "nested"], 1,
     "client: " + "[" * 3000 + "]" * 3000 + "\n" + SURVEY_YML.split("\n", 1)[1])
case("control_character_in_comment", ["survey.csv", "row 3", "column 'note'",
                                      "text without control characters", "\\x07"], 1,
     SURVEY_YML.replace("  min_answers", "  comments: note\n  min_answers"),
     survey__csv="id,nps,booking,checkin,region,note\nR1,9,5,4,NA,fine\nR2,6,3,2,EU,ring\x07\n"
                 "R3,10,4,5,EU,ok\n")
case("terminal_escape_in_quote", ["interviews.csv", "row 2", "column 'quote'",
                                  "text without control characters", "\\x1b[2J"], 1, IV_YML,
     interviews__csv=INTERVIEWS.replace("It was quick.", "It was \x1b[2Jquick."))
case("control_character_in_role", ["interviews.csv", "row 3", "column 'role'",
                                   "text without control characters"], 1, IV_YML,
     interviews__csv=INTERVIEWS.replace("I1,customer,checkin", "I1,cust\x0bomer,checkin"))
case("logo_is_a_named_folder", ["client.yml", "brand.logo", "a PNG, JPEG or SVG image",
                                "not a file"], 1, "brand: {logo: logo.svg}\n" + SURVEY_YML,
     **{"logo.svg/README.txt": "a folder named like an image\n"})
case("all_answers_missing_after_codes", ["survey.csv", "column 'nps'",
                                         "at least 2 answers to the overall measure",
                                         "0 answers"], 1,
     SURVEY_YML.replace("  file: survey.csv", "  file: survey.csv\n  missing: [-99]"),
     survey__csv=SURVEY.replace("R1,9,", "R1,-99,").replace("R2,6,", "R2,-99,")
                       .replace("R3,10,", "R3,-99,"))
case("one_respondent", ["survey.csv", "at least 2 answers", "1 answer"], 1,
     survey__csv="id,nps,booking,checkin,region\nR1,9,5,4,NA\n")
RM_YML = SURVEY_YML + "roadmap: roadmap.csv\n"
case("roadmap_unknown_column", ["roadmap.csv", "row 1", "column 'budget'",
                                "one of the roadmap columns", "an unknown column"], 1, RM_YML,
     roadmap__csv="initiative,title,budget\nNEW1,Train the agents,50000\n")
case("roadmap_impact_out_of_range", ["roadmap.csv", "row 2", "column 'impact'", "'9'"], 1,
     RM_YML, roadmap__csv="initiative,title,impact\nNEW1,Train the agents,9\n")
case("roadmap_bad_horizon", ["roadmap.csv", "row 3", "column 'horizon'", "'next year'"], 1,
     RM_YML, roadmap__csv="initiative,title,horizon\nNEW1,Train,30\nNEW2,Fix IVR,next year\n")
case("roadmap_bad_drop", ["roadmap.csv", "row 2", "column 'drop'", "'perhaps'"], 1,
     RM_YML, roadmap__csv="initiative,drop\nB1,perhaps\n")


case("yaml_anchor_on_a_value", ["client.yml", "line 1", "no YAML anchors", "'&name'"], 1,
     "client: &name Acme\n" + SURVEY_YML.split("\n", 1)[1])
case("yaml_python_object_tag", ["client.yml", "valid YAML", "python/object"], 1,
     "client: !!python/object/apply:os.system [echo owned]\n" + SURVEY_YML.split("\n", 1)[1])
case("logo_svg_foreign_object", ["client.yml", "brand.logo", "'<foreignObject'"], 1,
     "brand: {logo: logo.svg}\n" + SURVEY_YML,
     logo__svg='<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p>'
               '</foreignObject></svg>')
case("logo_svg_javascript_link", ["client.yml", "brand.logo", "'javascript:'"], 1,
     "brand: {logo: logo.svg}\n" + SURVEY_YML,
     logo__svg='<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)">'
               '<rect/></a></svg>')
case("accent_rgb_function", ["client.yml", "brand.accent", "a hex colour", "'rgb(0, 0, 0)'"],
     1, "brand: {accent: 'rgb(0, 0, 0)'}\n" + SURVEY_YML)
case("nul_byte_in_interviews", ["interviews.csv", "a binary file, not text"], 1, IV_YML,
     interviews__csv=INTERVIEWS.replace("It was quick.", "It was\x00 quick."))
case("crm_with_a_description_row", ["crm.csv", "row 2", "column 'Attrition_Flag'",
                                    "one of the statuses in client.yml",
                                    "'Internal event (customer activity) va...'",
                                    "row 2, column 'Total_Trans_Amt'", "an amount of money",
                                    "0 of 3 surveyed customers have outcomes"], 3,
     SURVEY_YML.replace("respondent_id: id", "respondent_id: id\n  customer_id: id")
     + "outcomes:\n  file: crm.csv\n  customer_id: CLIENTNUM\n  revenue: Total_Trans_Amt\n"
       "  retained: {column: Attrition_Flag, retained: [Existing Customer], "
       "churned: [Attrited Customer]}\n",
     # the first lines of a real copy of BankChurners.csv (ehangehang/bank-churners-csv,
     # commit db7672b34db4), with its row of descriptions under the header, columns trimmed
     crm__csv="CLIENTNUM,Attrition_Flag,Customer_Age,Total_Trans_Amt\n"
              "Client number. Unique identifier for the customer holding the account,"
              "Internal event (customer activity) variable - if the account is closed then 1 "
              "else 0,umur (tahun),Total Transaction Amount (Last 12 months)\n"
              "768805383,Existing Customer,45,1144\n818770008,Existing Customer,49,1291\n")
case("survey_symlink_loop", ["client.yml", "survey.file", "a file inside the client folder",
                             "a symbolic link loop"], 1,
     SURVEY_YML.replace("file: survey.csv", "file: loop.csv"),
     **{"loop.csv": Link("loop.csv")})

case("revenue_not_finite", ["crm.csv", "row 2", "column 'revenue'", "an amount of money",
                            "'inf'", "row 3", "'1e309'"], 2,
     OC_YML, crm__csv=CRM.replace("1200", "inf").replace("300.5", "1e309"))
case("revenue_beyond_any_customer", ["crm.csv", "row 3", "column 'revenue'",
                                     "less than 10^15 either way", "'9999999999999999999999'"],
     1, OC_YML, crm__csv=CRM.replace("300.5", "9" * 22))

# ---- several problems in several files, reported at once ----------------------------------
case("several_problems_several_files",
     ["4 problems in survey.csv", "1 problem in touchpoints.csv", "1 problem in interviews.csv",
      "1 problem in crm.csv", "row 2, column 'nps'", "row 3, column 'booking'",
      "row 4, column 'id'", "row 3, column 'stage'", "row 2, column 'sentiment'",
      "row 3, column 'revenue'"], 7,
     SURVEY_YML + "touchpoints: touchpoints.csv\ninterviews: interviews.csv\n" + OUTCOMES_YML,
     survey__csv="id,nps,booking,checkin,region\nR1,12,5,4,NA\nR2,6,good,2,EU\n"
                 "R2,10,4,9,EU\n",
     touchpoints__csv=TOUCHPOINTS.replace(",use,", ",usage,"),
     interviews__csv=INTERVIEWS.replace(",speed,1,", ",speed,5,"),
     crm__csv=CRM.replace("300.5", "three hundred"))


def main() -> None:
    for old in HERE.iterdir():
        if old.is_dir() and (old / "expected.txt").exists():
            shutil.rmtree(old)
    for name, files in CASES.items():
        folder = HERE / name
        for file, content in files.items():
            path = folder / file
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Link):
                os.symlink(str(content), path)
            elif isinstance(content, str):
                path.write_text(content, encoding="utf-8", newline="")
            else:
                path.write_bytes(content)


if __name__ == "__main__":
    main()
