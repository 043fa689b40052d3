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
    (-3.25, "en", 1, "−3.2"),          # Python rounds half to even: -3.25 -> -3.2
    (-0.004, "en", 2, "0.00"),          # no negative zero
    (0, "zh", 0, "0"),
    (float("nan"), "en", 1, "–"),
    (None, "zh", 1, "–"),
])
def test_number_cases(value, lang, digits, expected):
    assert text.number(value, lang, digits) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (14.3, "+14.3"), (-2.0, "−2.0"), (0.0, "0.0"), (0.04, "0.0"), (float("nan"), "–"),
])
def test_signed_cases(value, expected):
    assert text.signed(value, "en", 1) == expected


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (0.3087, "en", "30.9%"), (0.3087, "zh", "30.9%"), (1.0, "en", "100.0%"),
    (float("nan"), "en", "–"),
])
def test_percent_cases(value, lang, expected):
    assert text.percent(value, lang, 1) == expected


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (6746, "en", "USD 6,746"),
    (67565.44, "en", "USD 68k"),
    (1_250_000, "en", "USD 1.25M"),
    (6746, "zh", "6,746 USD"),
    (67565.44, "zh", "6.8万 USD"),            # 万 = 10,000
    (125_000_000, "zh", "1.25亿 USD"),        # 亿 = 100,000,000
    (-67565.44, "en", "USD −68k"),
    (float("nan"), "zh", "–"),
])
def test_money_cases(value, lang, expected):
    assert text.money(value, lang, "USD") == expected


@pytest.mark.parametrize(("day", "lang", "expected"), [
    (dt.date(2026, 11, 24), "en", "24 November 2026"),
    (dt.date(2026, 3, 5), "en", "5 March 2026"),
    (dt.date(2026, 3, 5), "zh", "2026年3月5日"),
])
def test_date_cases(day, lang, expected):
    assert text.date(day, lang) == expected


def test_interval_words_per_language():
    assert text.interval(10.84, 17.76, "en", 1) == "95% CI 10.8 to 17.8"
    assert text.interval(10.84, 17.76, "zh", 1) == "95% 置信区间 10.8 至 17.8"
    assert text.interval(0.1, 0.2, "en", fmt=lambda v: text.percent(v, "en")) == \
        "95% CI 10% to 20%"


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


def test_number_agrees_with_format_spec_for_random_values():
    # An independent route: Python's own grouping, with the minus sign swapped.
    for value in (0.5, 12.345, 98765.4321, -4321.5, 1e9 + 0.25):
        expected = format(value, ",.2f").replace("-", "\u2212")
        assert text.number(value, "en", 2) == expected
