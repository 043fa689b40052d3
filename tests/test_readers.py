"""Reading files as exported: encodings, workbooks, survey-tool layouts, row numbers, errors."""
from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from cxlib.inputs.config import FileSpec
from cxlib.errors import DataError
from cxlib.inputs.readers import _record_lines, detect_encoding, read_table, surveymonkey_names

FORMATS = Path(__file__).parent / "fixtures" / "formats"
HEADER = ["respondent", "region", "nps", "booking", "comment"]
ANSWERS = [["R1", "NA", "9", "5", "Zoë liked it"],
           ["R2", "EU", "-99", "4", ""],
           ["R3", "APAC", "3", "", "slow, then fine"]]


def spec(path: Path, **options) -> FileSpec:
    """A FileSpec for a file, named by its file name as client.yml would."""
    detect = "format" not in options
    fmt = options.pop("format", "excel" if path.suffix == ".xlsx" else "csv")
    return FileSpec(name=path.name, path=path, format=fmt, detect=detect, **options)


def problems(path: Path, **options) -> str:
    """The text a consultant sees for a file that cannot be read."""
    with pytest.raises(DataError) as err:
        read_table(spec(path, **options))
    return str(err.value)


@pytest.mark.parametrize("name", ["utf8.csv", "utf8_bom.csv", "utf16.csv"])
def test_read_table_unicode_exports_same_cells_and_rows(name):
    table = read_table(spec(FORMATS / name))
    assert list(table.frame.columns) == HEADER
    assert table.frame.values.tolist() == ANSWERS
    assert table.rows.tolist() == [2, 3, 4]


def test_read_table_na_region_code_kept_as_text():
    table = read_table(spec(FORMATS / "utf8.csv"))
    assert table.frame.loc[0, "region"] == "NA"
    assert table.frame.loc[1, "comment"] == ""
    assert not table.frame.isna().any().any()


@pytest.mark.parametrize("name, column, value", [
    ("cp1252.csv", "réservation", "5"),
    ("cp1252.csv", "commentaire", "C’est très bien"),
    ("gb18030.csv", "订票满意度", "非常满意"),
    ("cyrillic.csv", "Регион", "Київ"),
])
def test_read_table_legacy_and_non_latin_exports_decoded(name, column, value):
    table = read_table(spec(FORMATS / name))
    assert table.frame.loc[0, column] == value


@pytest.mark.parametrize("name, expected", [
    ("utf8.csv", "utf-8"), ("utf8_bom.csv", "utf-8-sig"), ("utf16.csv", "utf-16"),
    ("cp1252.csv", "cp1252"), ("gb18030.csv", "gb18030"),
])
def test_detect_encoding_fixture_files_named_right(name, expected):
    assert detect_encoding((FORMATS / name).read_bytes()) == expected


@pytest.mark.parametrize("name", ["cp1252.csv", "gb18030.csv"])
def test_detect_encoding_short_files_decode_both_ways_yet_decided(name):
    """Both fixtures decode as cp1252 and as GB18030: only the pairing rule tells them apart."""
    data = (FORMATS / name).read_bytes()
    data.decode("cp1252")
    data.decode("gb18030")
    assert detect_encoding(data) == name.removesuffix(".csv")


def test_detect_encoding_utf16_without_bom_by_nul_bytes():
    data = "id,q1\r\n1,5\r\n".encode("utf-16-le")
    assert detect_encoding(data) == "utf-16-le"
    assert detect_encoding("id,q1\n1,5\n".encode("utf-16-be")) == "utf-16-be"


def test_read_table_encoding_named_in_yml_used(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("id,城市\n1,北京\n".encode("gb18030"))
    table = read_table(spec(path, encoding="gb18030"))
    assert table.frame.loc[0, "城市"] == "北京"


def test_read_table_quote_inside_an_unquoted_cell_is_a_character(tmp_path):
    """An odd number of quotes is a file cut inside a quoted cell only when a quote opens a
    cell; an inch mark inside one is read as written."""
    path = tmp_path / "s.csv"
    path.write_text('id,note\n1,a 5" screen\n2,"fine, ""really"""\n3,"cut', encoding="utf-8")
    assert "row 4" in problems(path) and "never ends" in problems(path)
    path.write_text('id,note\n1,a 5" screen\n2,"fine, ""really"""\n', encoding="utf-8")
    assert read_table(spec(path)).frame["note"].tolist() == ['a 5" screen', 'fine, "really"']


def test_read_table_wrong_named_encoding_reports_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("id,city\n1,Paris\n2,Bogotá\n".encode("cp1252"))
    text = problems(path, encoding="utf-8")
    assert "row 3" in text and "not utf-8" in text and "cp1252" in text


def test_read_table_mixed_encodings_reports_first_foreign_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("id,city\n1,Bogotá\n2,Zürich\n".encode("utf-8")
                     + "3,Québec\n".encode("cp1252"))
    text = problems(path)
    assert "row 4" in text and "mixed encodings" in text


def test_read_table_excel_named_sheet_excel_row_numbers():
    table = read_table(spec(FORMATS / "survey.xlsx", sheet="Responses"))
    assert list(table.frame.columns) == HEADER
    assert table.frame.values.tolist()[:3] == ANSWERS
    assert table.frame.loc[3, "booking"] == "3.5"
    assert table.rows.tolist() == [2, 3, 4, 6]     # row 5 is blank in the sheet


def test_read_table_excel_sheet_name_case_and_spacing_ignored():
    table = read_table(spec(FORMATS / "survey.xlsx", sheet=" responses "))
    assert len(table.frame) == 4


def test_read_table_excel_default_is_first_sheet():
    table = read_table(spec(FORMATS / "survey.xlsx"))
    assert list(table.frame.columns) == ["Exported from the CRM on 2024-03-05"]
    assert table.frame.empty


def test_read_table_excel_wrong_sheet_lists_sheets():
    text = problems(FORMATS / "survey.xlsx", sheet="Answers")
    assert "survey.xlsx" in text and "'Answers'" in text
    assert "'Read me', 'Responses'" in text


def test_read_table_qualtrics_detected_ids_and_row_4():
    table = read_table(spec(FORMATS / "qualtrics.csv"))
    assert list(table.frame.columns)[:4] == ["StartDate", "EndDate", "ResponseId", "Q1"]
    assert table.frame["Q2_1"].tolist() == ["5", "2", "5"]
    assert table.frame.loc[2, "Q3"] == "NA"
    assert table.rows.tolist() == [4, 5, 6]
    assert table.header_row == 3


def test_read_table_qualtrics_named_needs_three_header_rows(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("ResponseId,Q1\n")
    assert "three header rows" in problems(path, format="qualtrics")


def test_read_table_surveymonkey_detected_names_and_row_3():
    table = read_table(spec(FORMATS / "surveymonkey.csv"))
    columns = list(table.frame.columns)
    assert "How satisfied are you with each of the following? - Check-in" in columns
    assert "Which region are you in?" in columns
    assert "Which region are you in? - Other (please specify)" in columns
    assert table.frame["Respondent ID"].tolist() == ["114000001", "114000002"]
    assert table.rows.tolist() == [3, 4]


def test_read_table_surveymonkey_format_named_in_yml(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id,Rate us,\n,Speed,Price\n1,4,5\n")
    table = read_table(spec(path, format="surveymonkey"))
    assert list(table.frame.columns) == ["id", "Rate us - Speed", "Rate us - Price"]
    assert table.rows.tolist() == [3]


def test_surveymonkey_names_question_over_options():
    names = surveymonkey_names(["Respondent ID", "Q one", "", "Q two"],
                               ["", "Option A", "Option  B", "Response"])
    assert names == ["Respondent ID", "Q one - Option A", "Q one - Option B", "Q two"]


def test_read_table_quoted_cell_over_two_lines_counts_physical_lines():
    table = read_table(spec(FORMATS / "multiline.csv"))
    assert table.frame.loc[1, "comment"] == "first line\nsecond line"
    assert table.rows.tolist() == [2, 3, 5]


def test_read_table_blank_and_empty_rows_skipped_numbers_kept(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"id,q1\r\n\r\n1,5\r\n,\r\n2,6\r\n")
    table = read_table(spec(path))
    assert table.frame["id"].tolist() == ["1", "2"]
    assert table.rows.tolist() == [3, 5]


def test_read_table_classic_mac_line_ends(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"id,q1\r1,5\r2,6\r")
    assert read_table(spec(path)).frame["q1"].tolist() == ["5", "6"]


def test_read_table_ragged_rows_each_reported_with_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("id,q1,q2\n1,5,4\n2,6,3,9\n3,7\n")
    text = problems(path)
    assert "2 problems in ragged.csv" in text
    assert "row 3: expected 3 cells separated by commas, as in the header, got 4 cells" in text
    assert "row 4:" in text and "got 2 cells" in text


def test_read_table_unclosed_quote_reported_where_it_opens(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('id,q1\n1,5\n2,"6\n3,7\n')
    text = problems(path)
    assert "row 3" in text and "never ends" in text


def test_read_table_duplicate_headers_first_kept_and_recorded(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,q1,q2,q1\n1,5,4,3\n")
    table = read_table(spec(path))
    assert list(table.frame.columns) == ["id", "q1", "q2"]
    assert table.frame.loc[0, "q1"] == "5"
    assert table.duplicates == {"q1": "columns B and D"}


def test_read_table_headerless_column_named_by_its_letter(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(",id,q1,\n0,A,5,\n1,B,4,\n")
    table = read_table(spec(path))
    assert list(table.frame.columns) == ["column A", "id", "q1", "column D"]
    assert table.frame["column A"].tolist() == ["0", "1"]


def test_read_table_header_only_gives_no_rows(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,q1\n")
    table = read_table(spec(path))
    assert table.frame.empty and list(table.frame.columns) == ["id", "q1"]


@pytest.mark.parametrize("content, expected", [
    (b"", "an empty file"),
    (b"\x00\x01\x02\x03binary\x00\xff" * 20, "a binary file"),
    (b"PK\x03\x04" + b"\x00" * 40, "name it .xlsx or set format: excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "old Excel 97-2003"),
    (b"%PDF-1.7\n", "a PDF document"),
])
def test_read_table_not_a_csv_says_what_it_is(tmp_path, content, expected):
    path = tmp_path / "survey.csv"
    path.write_bytes(content)
    text = problems(path)
    assert "survey.csv" in text and expected in text


def test_read_table_csv_named_xlsx_suggests_format_csv(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_text("id,q1\n1,5\n")
    assert "set format: csv" in problems(path)


def test_read_table_damaged_workbook_reported(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert "damaged" in problems(path)


def test_read_table_xlsx_read_as_csv_when_format_csv(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_text("id,q1\n1,5\n")
    assert read_table(spec(path, format="csv")).frame["q1"].tolist() == ["5"]


def test_read_table_missing_file_lists_folder(tmp_path):
    (tmp_path / "survey_2024.csv").write_text("id\n1\n")
    text = problems(tmp_path / "survey.csv")
    assert "no such file" in text and "survey_2024.csv" in text


def test_read_table_folder_instead_of_file(tmp_path):
    (tmp_path / "survey.csv").mkdir()
    assert "expected a file, got a folder" in problems(tmp_path / "survey.csv")


def test_read_table_permission_denied_reported(tmp_path, monkeypatch):
    path = tmp_path / "survey.csv"
    path.write_text("id\n1\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert "permission denied" in problems(path)


def _csv_module_lines(data: bytes) -> list[int]:
    """Start lines of non-blank records, counted by the csv module (an independent route)."""
    reader = csv.reader(io.StringIO(data.decode(), newline=""))
    lines, line = [], 1
    for record in reader:
        if record:
            lines.append(line)
        line = reader.line_num + 1
    return lines


def test_record_lines_match_csv_module_on_random_records():
    rng = np.random.default_rng(3)
    pieces = ['a', '"b\nc"', '"x ""quoted"" y"', '', '"two\r\nlines"', "z"]
    rows = []
    for _ in range(300):
        cells = rng.choice(pieces, size=3)
        rows.append(",".join(cells))
        if rng.random() < 0.1:
            rows.append("")
    data = ("h1,h2,h3\n" + "\n".join(rows) + "\n").encode()
    lines, spanning = _record_lines(data)
    assert spanning
    assert lines.tolist() == _csv_module_lines(data)


def test_read_table_workbook_cells_as_text(tmp_path):
    import datetime as dt
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "when", "flag", "money"])
    sheet.append([7, dt.datetime(2024, 3, 1, 10, 15), True, 1234567.25])
    sheet.append([8, dt.datetime(2024, 3, 2), False, 12.0])
    path = tmp_path / "crm.xlsx"
    book.save(path)
    frame = read_table(spec(path)).frame
    assert frame.values.tolist() == [["7", "2024-03-01T10:15:00", "true", "1234567.25"],
                                     ["8", "2024-03-02", "false", "12"]]


def test_read_table_bom_not_left_on_first_header(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"id,q1\n1,5\n")
    assert list(read_table(spec(path, encoding="utf-8")).frame.columns) == ["id", "q1"]


def test_read_table_excel_sep_line_names_delimiter(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"sep=;\r\nid;q1,q2\r\n1;5,5\r\n")
    table = read_table(spec(path))
    assert list(table.frame.columns) == ["id", "q1,q2"]
    assert table.rows.tolist() == [3]


def test_read_table_excel_sep_line_ragged_rows_numbered(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"sep=;\nid;q1\n1;5;6\n")
    assert "row 3: expected 2 cells separated by semicolons" in problems(path)


def test_read_table_qualtrics_workbook_export(tmp_path):
    book = openpyxl.Workbook()
    for row in (["ResponseId", "Q1"], ["Response ID", "How likely ...?"],
                ['{"ImportId":"_recordId"}', '{"ImportId":"QID1"}'], ["R_1", 9]):
        book.active.append(row)
    path = tmp_path / "export.xlsx"
    book.save(path)
    for fmt in ("excel", "qualtrics"):
        table = read_table(spec(path, format=fmt))
        assert table.frame.values.tolist() == [["R_1", "9"]] and table.rows.tolist() == [4]
