"""client.yml: reading, defaults, spellings and every problem at once."""
from __future__ import annotations

from pathlib import Path

import pytest

from cxlib.inputs.config import load_config
from cxlib.errors import DataError

BASE = """\
client: Acme Telecom
language: zh
currency: CNY
survey:
  file: survey.xlsx
  sheet: Responses
  encoding: GBK
  respondent_id: ResponseId
  customer_id: CustomerID
  missing: [-99, "N/A", 0]
  labels: {Very satisfied: 5, Satisfied: 4}
  overall: {satisfaction: Q2, scale: [1, 7]}
  effort: {column: Q3, scale: [1, 7]}
  segments: [Region, 地区]
  touchpoints:
    online_booking: {perception: Q5_1, expectation: Q6_1, importance: Q7_1, scale: [0, 10]}
  comments: Q12
outcomes:
  file: crm.csv
  customer_id: cust
  retained: active_next_year
  revenue: rev_12m
touchpoints: {file: tp.xlsx, sheet: Catalogue, columns: {id: 编号}}
"""


def write(folder: Path, text: str) -> Path:
    """A client folder holding only client.yml with this text."""
    (folder / "client.yml").write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path, text: str) -> DataError:
    """The error load_config raises for this client.yml."""
    with pytest.raises(DataError) as err:
        load_config(write(folder, text))
    return err.value


def test_load_config_full_example_read(tmp_path):
    config = load_config(write(tmp_path, BASE))
    s = config.survey
    assert (config.name, config.language, config.currency) == ("Acme Telecom", "zh", "CNY")
    assert s.file.path == (tmp_path / "survey.xlsx").resolve()
    assert (s.file.format, s.file.sheet, s.file.encoding) == ("excel", "Responses", "gb18030")
    assert s.file.missing == (-99, "N/A", 0)
    assert s.file.labels == {"Very satisfied": 5, "Satisfied": 4}
    assert (s.overall.kind, s.overall.column, s.overall.scale) == ("satisfaction", "Q2", (1, 7))
    assert (s.effort.column, s.effort.scale, s.effort.high) == ("Q3", (1.0, 7.0), "effort")
    assert s.segments == ("Region", "地区")
    rating = s.touchpoints["online_booking"]
    assert (rating.perception, rating.expectation, rating.importance, rating.scale) == \
        ("Q5_1", "Q6_1", "Q7_1", (0.0, 10.0))
    assert config.files["outcomes"].columns == {"customer_id": "cust",
                                                "retained": "active_next_year",
                                                "revenue": "rev_12m"}
    assert config.files["touchpoints"].sheet == "Catalogue"
    assert config.files["touchpoints"].columns == {"id": "编号"}


@pytest.mark.parametrize("written, read", [
    ("auto", "auto"), ("UTF8", "utf-8"), ("utf-8-bom", "utf-8-sig"), ("windows-1252", "cp1252"),
    ("gb2312", "gb18030"), ("UTF_16", "utf-16"), ("cp1252", "cp1252"),
])
def test_load_config_encoding_spellings_normalised(tmp_path, written, read):
    config = load_config(write(tmp_path, BASE.replace("encoding: GBK", f"encoding: {written}")))
    assert config.survey.file.encoding == read


@pytest.mark.parametrize("file, fmt", [("survey.csv", "csv"), ("survey.XLSX", "excel"),
                                       ("survey.tsv", "csv"), ("export.xlsm", "excel")])
def test_load_config_format_from_suffix(tmp_path, file, fmt):
    config = load_config(write(tmp_path, BASE.replace("file: survey.xlsx", f"file: {file}")))
    assert config.survey.file.format == fmt


def test_load_config_nps_scale_fixed_0_10(tmp_path):
    config = load_config(write(tmp_path, BASE.replace("{satisfaction: Q2, scale: [1, 7]}",
                                                      "{nps: Q1}")))
    assert (config.survey.overall.kind, config.survey.overall.scale) == ("nps", (0.0, 10.0))


def test_load_config_binary_positive_kept(tmp_path):
    config = load_config(write(tmp_path, BASE.replace(
        "{satisfaction: Q2, scale: [1, 7]}", "{binary: satisfaction, positive: satisfied}")))
    assert config.survey.overall.positive == "satisfied"


def test_load_config_every_problem_at_once_with_lines(tmp_path):
    text = BASE.replace("language: zh", "language: fr").replace("scale: [0, 10]", "scale: [10]")
    text = text.replace("  comments: Q12", "  coments: Q12")
    error = problems(tmp_path, text)
    found = {(p.row, p.column) for p in error.problems}
    assert found == {(2, "language"), (16, "survey.touchpoints.online_booking.scale"),
                     (17, "survey.coments")}
    assert "did you mean 'comments'?" in str(error)


def test_load_config_repeated_key_reported_with_both_lines(tmp_path):
    error = problems(tmp_path, BASE.replace("currency: CNY", "currency: CNY\nlanguage: en"))
    assert "line 4, key 'language': expected each key once" in str(error)
    assert "(first on line 2)" in str(error)


def test_load_config_yaml_error_line_and_context(tmp_path):
    error = problems(tmp_path, BASE.replace("scale: [1, 7]}\n  effort", "scale: [1, 7]\n  effort"))
    assert error.problems[0].row == 13 and "flow mapping on line 12" in str(error)


def test_load_config_tab_indentation_reported(tmp_path):
    error = problems(tmp_path, "client: x\nsurvey:\n\tfile: survey.csv\n")
    assert error.problems[0].row == 3 and "valid YAML" in str(error)


def test_load_config_missing_file_entry_key(tmp_path):
    error = problems(tmp_path, BASE.replace("touchpoints: {file: tp.xlsx,", "touchpoints: {"))
    assert "key 'touchpoints.file': expected a value, got nothing" in str(error)


def test_load_config_no_client_yml(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_config(tmp_path)


def test_load_config_label_values_must_be_numbers(tmp_path):
    error = problems(tmp_path, BASE.replace("Satisfied: 4}", "Satisfied: four}"))
    assert "survey.labels.Satisfied" in str(error) and "'four'" in str(error)


def test_load_config_country_and_industry_read(tmp_path):
    config = load_config(write(tmp_path, BASE + "country: cn\nindustry: Telecom\n"))
    assert (config.country, config.industry) == ("CN", "Telecom")


def test_load_config_country_and_industry_optional(tmp_path):
    config = load_config(write(tmp_path, BASE))
    assert (config.country, config.industry) == (None, None)


def test_load_config_unknown_country_named_with_its_line(tmp_path):
    with pytest.raises(DataError) as err:
        load_config(write(tmp_path, BASE + "country: UK\n"))
    message = str(err.value)
    assert "line 24" in message and "country" in message and "ISO 3166" in message
    assert "'UK' (did you mean 'GB'?)" in message


@pytest.mark.parametrize("overall, expected, got", [
    ("{nps: Q1, scale: [1, 10]}", "no scale under nps", "[1, 10]"),
    ("{index: Q1, scale: [1, 5]}", "a list of two or more item columns", "'Q1'"),
    ("{satisfaction: Q2, scale: [1, 5], satisfied: top-four}", "top-box, top-two, top-three",
     "'top-four'"),
    ("{satisfaction: Q2, scale: [1, 5], satisfied: 9}", "the lowest answer counted", "9"),
    ("{binary: Q2, positive: yes, groups: [fans]}", "2 group names, lowest first", "['fans']"),
])
def test_load_config_overall_measure_mistakes_named(tmp_path, overall, expected, got):
    error = problems(tmp_path, BASE.replace("{satisfaction: Q2, scale: [1, 7]}", overall))
    assert expected in str(error) and got in str(error)


def test_load_config_index_name_groups_and_rule_read(tmp_path):
    config = load_config(write(tmp_path, BASE.replace(
        "{satisfaction: Q2, scale: [1, 7]}",
        "{index: [Q2, Q3, Q4], scale: [1, 5], satisfied: top-box, name: Comfort, "
        "groups: [uncomfortable, comfortable]}")))
    o = config.survey.overall
    assert (o.kind, o.items, o.satisfied, o.name, o.groups) == (
        "satisfaction", ("Q2", "Q3", "Q4"), 5.0, "Comfort", ("uncomfortable", "comfortable"))
