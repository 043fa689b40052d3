"""Tests of cxlib.outputs.text: the language files and number, money and date formats per language."""
import datetime as dt
import string

import pytest
import yaml

from cxlib.outputs import text
from cxlib.paths import TEMPLATES


def _flat(node: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in node.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@pytest.fixture(scope="module")
def strings():
    """Every language file, flattened to dotted keys, read without cxlib."""
    return {lang: _flat(yaml.safe_load((TEMPLATES / "i18n" / f"{lang}.yml")
                                       .read_text(encoding="utf-8")))
            for lang in text.LANGUAGES}


def _placeholders(sentence) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(sentence)) if name}


def test_language_files_zh_and_en_same_keys(strings):
    en, zh = set(strings["en"]), set(strings["zh"])
    assert not en - zh, f"zh.yml lacks {len(en - zh)} keys: {sorted(en - zh)[:8]}"
    assert not zh - en, f"en.yml lacks {len(zh - en)} keys: {sorted(zh - en)[:8]}"


def test_language_files_zh_and_en_same_placeholders_per_key(strings):
    differ = {k: (_placeholders(v), _placeholders(strings["zh"].get(k)))
              for k, v in strings["en"].items()
              if k in strings["zh"] and _placeholders(v) != _placeholders(strings["zh"][k])}
    assert differ == {}


def test_language_files_zh_sections_are_chinese(strings):
    for key in ("sections.summary", "sections.P1", "report.title", "report.contents"):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in strings["zh"][key]), key


def test_t_fills_placeholders():
    assert text.t("en", "report.prepared_for", client="Acme") == "Prepared for Acme"
    assert text.t("zh", "report.prepared_for", client="Acme") == "为 Acme 编制"


def test_t_missing_key_raises_naming_key():
    with pytest.raises(KeyError, match="report.no_such_key"):
        text.t("en", "report.no_such_key")


def test_t_missing_key_with_default_returns_default():
    assert text.t("en", "report.no_such_key", default="fallback") == "fallback"
    assert text.t("en", "no_such_group", default={}) == {}


@pytest.mark.parametrize(("value", "lang", "digits", "expected"), [
    (1234567.891, "en", 2, "1,234,567.89"),
    (1234567.891, "zh", 0, "1,234,568"),
    (-3.25, "en", 1, "−3.3"),           # half away from zero, as Excel shows it
    (1.335, "en", 2, "1.34"),           # on the shortest decimal form, not the binary one
    (-0.004, "en", 2, "0.00"),          # no negative zero
    (0, "zh", 0, "0"),
    (float("nan"), "en", 1, "–"),
    (None, "zh", 1, "–"),
])
def test_number_cases(value, lang, digits, expected):
    assert text.number(value, lang, digits) == expected


@pytest.mark.parametrize(("value", "kind", "lang", "expected"), [
    (14.34, "nps", "en", "+14.3"), (-2.0, "nps", "en", "−2.0"), (0.04, "nps", "en", "0.0"),
    (0.3087, "share", "zh", "30.9%"), (1.0, "share", "en", "100.0%"),
    (43.86, "percent", "en", "43.9%"),
    (-0.615, "gap", "en", "−0.62"), (0.5, "gap", "en", "+0.50"),
    (3.4149, "mean", "en", "3.41"), (1.335, "ratio", "en", "1.34"),
    (0.46732, "r2", "en", "0.467"), (0.0421, "p", "en", "0.042"), (0.0004, "p", "en", "<0.001"),
    (1234.0, "count", "en", "1,234"), (3.0, "auto", "en", "3"), (2.345, "auto", "en", "2.35"),
    (67565.44, "money", "en", "USD 67,565"), (67565.44, "money", "zh", "67,565 USD"),
    (-67565.44, "money", "en", "USD −67,565"), (1_250_000, "money", "en", "USD 1,250,000"),
])
def test_figure_one_rule_per_kind(value, kind, lang, expected):
    assert text.figure(value, kind, lang, "USD") == expected


@pytest.mark.parametrize("kind", sorted(text.KINDS))
@pytest.mark.parametrize("missing", [float("nan"), None])
def test_figure_missing_is_said_in_words(kind, missing):
    assert text.figure(missing, kind, "en") == "not available"
    assert text.figure(missing, kind, "zh") == "无数据"


def test_figure_unknown_kind_raises_listing_kinds():
    with pytest.raises(ValueError, match="kind must be one of count, share"):
        text.figure(1.0, "percentage", "en")


@pytest.mark.parametrize(("value", "column", "previous", "expected"), [
    (0.853, "retention", None, "85.3%"), (0.81, "ci_low", "retention", "81.0%"),
    (67565.4, "at_risk_high", None, "67,565"), (float("nan"), "gap", None, "–"),
    (True, "moment_of_truth", None, "✓"), (False, "aligned", None, ""), (412, "n", None, "412"),
    (0.00001, "p_adjusted", None, "<0.001"), ("North", "segment", None, "North"),
])
def test_cell_by_column_kind(value, column, previous, expected):
    assert text.cell(value, column, "en", previous) == expected


@pytest.mark.parametrize(("column", "previous", "kind"), [
    ("retention_low", None, "share"), ("or_high", None, "ratio"), ("what_if_low", None, "money"),
    ("ci_high", "gap", "gap"), ("ci_low", None, "auto"), ("p_whatever", None, "p"),
    ("rescaled", None, "percent"), ("raw", None, "r2"), ("mean_switches_high", None, "mean"),
    ("Region", None, "auto"),
])
def test_kind_of_result_columns(column, previous, kind):
    assert text.kind(column, previous) == kind


@pytest.mark.parametrize(("kind", "expected"), [
    ("share", "#,##0.0%"), ("percent", '#,##0.0"%"'), ("count", "#,##0"), ("money", "#,##0"),
    ("nps", '+#,##0.0;"−"#,##0.0;#,##0.0'), ("p", '[<0.001]"<0.001";0.000'),
    ("r2", "#,##0.000"),
])
def test_excel_format_shows_the_digits_of_the_kind(kind, expected):
    assert text.excel_format(kind) == expected


def test_header_names_the_currency_of_money_columns():
    assert text.header("at_risk", "en", "USD") == "Revenue at risk (USD)"
    assert text.header("ci_low", "en", "USD", previous="revenue") == "95% CI low (USD)"
    assert text.header("retention", "en", "USD") == "Retention rate"


@pytest.mark.parametrize(("n", "lang", "expected"), [
    (1, "en", "1 answer"), (2, "en", "2 answers"), (0, "en", "0 answers"),
    (1234, "en", "1,234 answers"), (1, "zh", "1 个回答"), (5, "zh", "5 个回答"),
])
def test_quantity_plural_in_both_languages(n, lang, expected):
    assert text.quantity(n, "answer", lang) == expected


def test_listing_joins_names_and_says_none_in_words():
    assert text.listing(["A", "B", "C"], "en") == "A, B and C"
    assert text.listing(["A", "B"], "zh") == "A和B"
    assert text.listing(["A"], "en") == "A"
    assert text.listing([], "en") == "none" and text.listing([float("nan")], "zh") == "无"


def test_p_relation_in_sentences():
    assert text.p_relation(0.0421, "en") == "= 0.042"
    assert text.p_relation(0.00001, "en") == "< 0.001"
    assert text.p_relation(float("nan"), "en") == "not testable"


@pytest.mark.parametrize(("day", "lang", "expected"), [
    (dt.date(2026, 11, 24), "en", "24 November 2026"),
    (dt.date(2026, 3, 5), "en", "5 March 2026"),
    (dt.date(2026, 3, 5), "zh", "2026年3月5日"),
])
def test_date_cases(day, lang, expected):
    assert text.date(day, lang) == expected


def test_interval_words_per_language():
    assert text.interval(10.84, 17.76, "en", "nps") == "95% CI +10.8 to +17.8"
    assert text.interval(10.84, 17.76, "zh", "percent") == "95% 置信区间 10.8% 至 17.8%"
    assert text.interval(0.1, 0.2, "en", "share") == "95% CI 10.0% to 20.0%"
    assert text.interval(1e4, 2e4, "zh", "money", "USD") == "95% 置信区间 10,000 USD 至 20,000 USD"
    assert text.interval(float("nan"), 2.0, "en", "mean") == "no interval (too few answers)"


@pytest.mark.parametrize(("name", "lang", "expected"), [
    ("ci_low", "zh", "95% 置信区间下限"),
    ("p_adjusted", "zh", "p 值（Holm 校正）"),
    ("not_a_known_column", "en", "Not a known column"),
    ("Region", "zh", "Region"),               # a client's segment name is shown as given
])
def test_column_labels(name, lang, expected):
    assert text.column(name, lang) == expected


def test_escape_script_becomes_text():
    assert text.escape("<script>alert('x')</script>") == \
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert text.escape(None) == ""


def test_number_agrees_with_decimal_half_up_for_random_values():
    # An independent route: the decimal module on the value's shortest form, Python's grouping.
    from decimal import ROUND_HALF_UP, Decimal

    for value in (0.5, 12.345, 98765.4321, -4321.5, 1e9 + 0.25, 2.675, -0.125):
        rounded = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert text.number(value, "en", 2) == format(rounded, ",.2f").replace("-", "\u2212")


def test_figure_huge_values_written_in_full():
    assert text.figure(1.000000062271131e28, "count", "en") == "10,000,000,622,711,310,000,000,000,000"
