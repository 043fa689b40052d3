"""Tests of cxlib.outputs.privacy: personal data out of client text, ordinary numbers left
alone, client text kept as text in workbooks and deck charts."""
import math
import re
import unicodedata

import pandas as pd
import phonenumbers
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from stdnum import iban as stdnum_iban, luhn

from cxlib.outputs.privacy import (CARD, EMAIL, IBAN, NAME, PHONE, chart_data, redact,
                                   redact_section, set_text)
from cxlib.outputs.section import Metric, Section

NAMES = ("Anna Lee", "Anna", "John", "王伟", "李娜")


@pytest.mark.parametrize("text, expected", [
    # emails, Unicode ones and spelled-out ones too
    ("write to anna.lee@example.com today", "write to [email] today"),
    ("联系zhang.wei@example.cn谢谢", "联系[email]谢谢"),
    ("mail j_smith+cx@mail.co.uk.", "mail [email]."),
    ("schreib josé.müller@exämple.de bitte", "schreib [email] bitte"),
    # an address wholly in Chinese cannot be told from the words before it: both go
    ("写信给用户@例子.中国", "[email]"),
    ("почта иван@пример.рф", "почта [email]"),
    ("anna.lee [at] example [dot] com", "[email]"),
    # international phone numbers
    ("Call +44 20 7946 0958 please", "Call [phone] please"),
    ("+44 (0)20 7946 0958", "[phone]"),
    ("tel:+1-555-123-4567.", "tel:[phone]."),
    ("请拨打+86 138 0013 8000", "请拨打[phone]"),
    ("call +44 20 7946 0958 3 times", "call [phone] 3 times"),
    # national phone numbers: the client's country, or the script of the text
    ("我的手机是138 0013 8000", "我的手机是[phone]"),
    ("手机13800138000,谢谢", "手机[phone],谢谢"),
    ("号码是138-0013-8000。", "号码是[phone]。"),
    ("座机010-12345678", "座机[phone]"),
    ("ring (212) 555-0123 or 212.555.0123", "ring [phone] or [phone]"),
    ("full-width ２１２ ５５５ ０１２３", "full-width [phone]"),
    # cards (Luhn) and IBANs (mod 97), compact or grouped
    ("paid with 4111 1111 1111 1111 today", "paid with [card] today"),
    ("card 5500-0000-0000-0004.", "card [card]."),
    ("amex 378282246310005", "amex [card]"),
    ("IBAN DE89 3704 0044 0532 0130 00, thanks", "IBAN [iban], thanks"),
    ("to GB82WEST12345698765432.", "to [iban]."),
    # names: whole words for Latin scripts, any case; substrings for CJK
    ("Anna Lee said hi to annabel and ANNA", "[name] said hi to annabel and [name]"),
    ("Johnson met John.", "Johnson met [name]."),
    ("我和John聊过", "我和[name]聊过"),
    ("王伟说客服很好,李娜不同意", "[name]说客服很好,[name]不同意"),
])
def test_redact_personal_data_replaced(text, expected):
    assert redact(text, NAMES, country="US") == expected


@pytest.mark.parametrize("text, country", [
    ("020 7946 0958", "GB"), ("07911 123456", "GB"), ("030 12345678", "DE"),
    ("089/1234567", "DE"), ("01 23 45 67 89", "FR"), ("06 12 34 56 78", "FR"),
    ("912 34 56 78", "ES"), ("03-1234-5678", "JP"), ("098765 43210", "IN"),
    ("(11) 91234-5678", "BR"), ("0412 345 678", "AU"),
])
def test_redact_national_formats_of_the_client_country(text, country):
    assert redact(f"ring {text} after 6", country=country) == "ring [phone] after 6"


def test_redact_national_number_of_another_country_needs_the_plus():
    assert redact("ring 020 7946 0958", country="US") == "ring 020 7946 0958"
    assert redact("ring +44 20 7946 0958", country="US") == "ring [phone]"


@pytest.mark.parametrize("text", [
    "I called 3 times in 2024",
    "It cost $25.99, then ¥128 and € 1,234.50",
    "rated 4/5 overall, 9/10 last year",
    "on 2024-03-01, 01/03/2024, 03.01.2024 and 20240301",
    "from 2019-2024, between 10-12 days",
    "order 12345678 shipped",
    "order 4111111111111112 failed its checksum",
    "ref DE89370400440532013011 is not an IBAN",
    "pi is 3.14159265",
    "1,234,567 users and 1.234.567 views",
    "12.5% better, NPS +12.3 (95% CI 8.1 to 16.5), n = 2,000",
    "2024年3月1日,价格是25.99元,等了3天",
    "评分4/5,打了2次电话",
])
@pytest.mark.parametrize("country", ["US", "GB", "DE", "CN", None])
def test_redact_ordinary_numbers_kept(text, country):
    assert redact(text, NAMES, country=country) == text


@pytest.mark.parametrize("written", [
    "Maria Lopez", "maria lopez", "MARIA LOPEZ", "Maria\u00a0Lopez", "Maria\tLopez",
    "Maria\n  Lopez", "María López", "Lopez, Maria", "LOPEZ Maria", "Ma\u200bria Lopez",
    "Ｍａｒｉａ Ｌｏｐｅｚ",
])
def test_redact_listed_name_in_any_writing(written):
    assert redact(f"I spoke to {written}.", ["Maria Lopez"]) == "I spoke to [name]."


def test_redact_accented_listed_name_matches_plain_writing():
    assert redact("jose nunez and Núñez, José", ["José Núñez"]) == "[name] and [name]"


def test_redact_name_inside_another_word_kept():
    assert redact("Mariana Lopezz", ["Maria Lopez", "Lopez"]) == "Mariana Lopezz"


def test_redact_no_names_keeps_names():
    assert redact("Anna called", ()) == "Anna called"


def test_redact_name_with_regex_characters_matched_literally():
    assert redact("ask Dr. O'Neil (J.) now", ["O'Neil (J.)"]) == "ask Dr. [name] now"


def test_redact_curly_apostrophe_matches_straight():
    assert redact("ask O’Neil now", ["O'Neil"]) == "ask [name] now"


@pytest.mark.parametrize("missing", [None, math.nan])
def test_redact_missing_text_empty(missing):
    assert redact(missing) == ""


def test_redact_non_text_raises():
    with pytest.raises(TypeError, match="expects text"):
        redact(12345678)


# -- properties ------------------------------------------------------------------------

SEPARATORS = st.sampled_from([" ", ", ", ". ", "\n", " (", ") ", ": ", " – ", "\u00a0", "；"])
AROUND = st.text(st.characters(exclude_categories=("Cs",)), max_size=25)
REGIONS = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "CN", "JP", "IN", "BR", "AU", "CA", "MX"]
FORMATS = [phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL,
           phonenumbers.PhoneNumberFormat.E164]


def _planted(left: str, sep1: str, item: str, sep2: str, right: str) -> str:
    return left + sep1 + item + sep2 + right


@st.composite
def phones(draw):
    """A valid phone number of a region, as its people write it, and the region."""
    region = draw(st.sampled_from(REGIONS))
    kind = draw(st.sampled_from([phonenumbers.PhoneNumberType.MOBILE,
                                 phonenumbers.PhoneNumberType.FIXED_LINE]))
    example = phonenumbers.example_number_for_type(region, kind)
    digits = str(example.national_number)
    tail = draw(st.text("0123456789", min_size=3, max_size=3))
    number = phonenumbers.parse(digits[:-3] + tail, region)
    assume(phonenumbers.is_valid_number(number))
    return phonenumbers.format_number(number, draw(st.sampled_from(FORMATS))), region, number


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(phones(), AROUND, SEPARATORS, SEPARATORS, AROUND)
def test_property_planted_phone_removed(phone, left, sep1, sep2, right):
    written, region, number = phone
    out = redact(_planted(left, sep1, written, sep2, right), country=region)
    # Random digits next to a number can make a Luhn-valid card of both: gone either way.
    assert written not in out and (PHONE in out or CARD in out)
    assert str(number.national_number) not in re.sub(r"\D", "", _ascii_digits(out))


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)


@st.composite
def cards(draw):
    prefix = draw(st.sampled_from(["4", "51", "55", "2221", "34", "37", "6011", "62"]))
    length = 15 if prefix in ("34", "37") else draw(st.sampled_from([16, 16, 19]))
    body = prefix + draw(st.text("0123456789", min_size=length - len(prefix) - 1,
                                 max_size=length - len(prefix) - 1))
    number = body + luhn.calc_check_digit(body)
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(number[i:i + 4] for i in range(0, len(number), 4)), number


@settings(max_examples=200, deadline=None)
@given(cards(), AROUND, SEPARATORS, SEPARATORS, AROUND, st.sampled_from(REGIONS))
def test_property_planted_card_removed(card, left, sep1, sep2, right, country):
    written, digits = card
    out = redact(_planted(left, sep1, written, sep2, right), country=country)
    assert written not in out and (CARD in out or PHONE in out)
    assert digits not in re.sub(r"\D", "", _ascii_digits(out))


#: Countries and their IBAN layouts (bank and account parts): letters (a) and digits (n).
IBAN_LAYOUTS = {"DE": "n" * 18, "GB": "aaaa" + "n" * 14, "NL": "aaaa" + "n" * 10,
                "FR": "n" * 23, "ES": "n" * 20, "IT": "a" + "n" * 22, "BE": "n" * 12,
                "CH": "n" * 17, "PL": "n" * 24}


@st.composite
def ibans(draw):
    country = draw(st.sampled_from(sorted(IBAN_LAYOUTS)))
    bban = "".join(draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c == "a" else
                                        "0123456789")) for c in IBAN_LAYOUTS[country])
    check = stdnum_iban.calc_check_digits(country + "00" + bban)
    compact = country + check + bban
    assume(stdnum_iban.is_valid(compact))
    grouped = draw(st.booleans())
    return (stdnum_iban.format(compact) if grouped else compact), compact


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(ibans(), AROUND, SEPARATORS, SEPARATORS, AROUND)
def test_property_planted_iban_removed(found, left, sep1, sep2, right):
    written, compact = found
    out = redact(_planted(left, sep1, written, sep2, right), country="DE")
    assert written not in out and IBAN in out
    assert compact[4:] not in re.sub(r"\s", "", out)


LOCAL = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd"), max_codepoint=0x4ff),
                min_size=1, max_size=12)
LABEL = st.text(st.characters(whitelist_categories=("Ll", "Lu"), max_codepoint=0x4ff),
                min_size=1, max_size=10)


@st.composite
def emails(draw):
    local = draw(LOCAL) + draw(st.sampled_from(["", ".", "_", "+", "-"])) + draw(LOCAL)
    domain = ".".join(draw(st.lists(LABEL, min_size=1, max_size=3)))
    tld = draw(st.text(st.characters(whitelist_categories=("Ll",), max_codepoint=0x4ff),
                       min_size=2, max_size=6))
    return f"{local}@{domain}.{tld}"


@settings(max_examples=300, deadline=None)
@given(emails(), AROUND, SEPARATORS, SEPARATORS, AROUND)
def test_property_planted_email_removed(email, left, sep1, sep2, right):
    out = redact(_planted(left, sep1, email, sep2, right))
    assert email not in out and EMAIL in out
    assert email.split("@")[1] not in out


FIRST = ["Maria", "José", "Zoë", "Anne-Marie", "Łukasz", "Søren", "Ngozi", "Priya", "Renée"]
LAST = ["Lopez", "Núñez", "O'Neil", "Müller", "Nowak", "Okafor", "Shah", "Dupont", "Ångström"]
SPACES = st.text(st.sampled_from([" ", "\u00a0", "\t", "\n", "\u2009", "\u3000"]), min_size=1,
                 max_size=3)


@st.composite
def names(draw):
    """A listed name and one way of writing it: any case, spacing, accents, order."""
    first, last = draw(st.sampled_from(FIRST)), draw(st.sampled_from(LAST))
    space = draw(SPACES)
    order = draw(st.sampled_from(["first last", "last, first", "last first"]))
    written = {"first last": f"{first}{space}{last}", "last, first": f"{last},{space}{first}",
               "last first": f"{last}{space}{first}"}[order]
    case = draw(st.sampled_from([str, str.upper, str.lower, str.title]))
    if draw(st.booleans()):
        written = "".join(c for c in unicodedata.normalize("NFKD", written)
                          if not unicodedata.combining(c))
    return f"{first} {last}", case(written)


@settings(max_examples=300, deadline=None)
@given(names(), AROUND, SEPARATORS, SEPARATORS, AROUND)
def test_property_planted_name_removed(name, left, sep1, sep2, right):
    listed, written = name
    out = redact(_planted(left, sep1, written, sep2, right), [listed, "Someone Else"])
    assert written not in out and NAME in out


WORDS = st.sampled_from(["in", "and", "about", "we paid", "score", "since", "was", "itens",
                         "订单", "评分", "then", "ok"])


@st.composite
def ordinary_numbers(draw):
    """Numbers a comment holds that are nobody's personal data."""
    kind = draw(st.sampled_from(["score", "ratio", "amount", "year", "date", "percent",
                                 "order", "long_order", "decimal", "time"]))
    if kind == "score":
        return str(draw(st.integers(0, 10)))
    if kind == "ratio":
        return f"{draw(st.integers(0, 10))}/{draw(st.sampled_from([5, 7, 10]))}"
    if kind == "amount":
        value = draw(st.floats(0, 10_000_000, allow_nan=False))
        style = draw(st.sampled_from(["${:,.2f}", "€ {:,.0f}", "{:,.2f} USD", "¥{:,.0f}"]))
        return style.format(value)
    if kind == "year":
        return str(draw(st.integers(1950, 2035)))
    if kind == "date":
        d = draw(st.dates(min_value=pd.Timestamp("1950-01-01").date(),
                          max_value=pd.Timestamp("2035-12-31").date()))
        return d.strftime(draw(st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y",
                                                "%Y%m%d", "%d %B %Y", "%Y年%m月%d日"])))
    if kind == "percent":
        return f"{draw(st.floats(0, 100, allow_nan=False)):.1f}%"
    if kind == "order":
        return str(draw(st.integers(1, 9_999_999)))
    if kind == "long_order":          # card-length numbers that fail the Luhn checksum
        body = draw(st.text("0123456789", min_size=15, max_size=18))
        wrong = str((int(luhn.calc_check_digit(body)) + draw(st.integers(1, 9))) % 10)
        return body + wrong
    if kind == "decimal":
        return f"{draw(st.floats(-1000, 1000, allow_nan=False)):.{draw(st.integers(1, 6))}f}"
    return f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(WORDS, ordinary_numbers()), min_size=1, max_size=6),
       st.sampled_from(REGIONS + [None]))
def test_property_ordinary_numbers_kept(parts, country):
    text = " ".join(f"{word} {number}" for word, number in parts)
    assert redact(text, NAMES, country=country) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from(REGIONS + [None]))
def test_property_redact_idempotent(text, country):
    once = redact(text, NAMES, country=country)
    assert redact(once, NAMES, country=country) == once


# -- sections ---------------------------------------------------------------------------

def _section() -> Section:
    table = pd.DataFrame({"role": pd.Categorical(["agent Anna Lee", "customer"]),
                          "quote": ["mail anna.lee@example.com", "fine"], "n": [1, 2]},
                         index=pd.Index(["Call 020 7946 0958", "web"], name="touchpoint"))
    fig = go.Figure(go.Bar(x=["Anna Lee", "web"], y=[1, 2], name="+44 20 7946 0958",
                           hovertext=["IBAN GB82WEST12345698765432", "ok"]))
    fig.update_layout(title="Quotes from Anna Lee",
                      annotations=[dict(text="4111 1111 1111 1111", x=0, y=0)])
    return Section("P3", "Perception", metrics={"n": Metric(3.0, 3, "Anna Lee")},
                   tables={"quotes": table}, figures={"f": fig},
                   narrative=["Anna Lee said NPS +12.3 (95% CI 8.1 to 16.5), n = 2,000"],
                   caveats=["ask anna.lee@example.com"])


def test_redact_section_removes_personal_data_everywhere():
    clean = redact_section(_section(), ["Anna Lee"], "GB")
    dumped = clean.to_json()
    for planted in ("Anna Lee", "anna.lee@example.com", "7946", "GB82WEST", "4111 1111"):
        assert planted not in dumped
    assert clean.narrative == ["[name] said NPS +12.3 (95% CI 8.1 to 16.5), n = 2,000"]
    assert list(clean.tables["quotes"].index) == ["Call [phone]", "web"]
    assert clean.tables["quotes"]["n"].tolist() == [1, 2]
    assert list(clean.figures["f"].data[0].y) == [1, 2]


def test_redact_section_leaves_the_original_alone():
    section = _section()
    redact_section(section, ["Anna Lee"], "GB")
    assert section.narrative[0].startswith("Anna Lee")


# -- text as text ----------------------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://x.example\",\"click\")", "+1+1", "-2", "@SUM(A1:A2)", "=1+1",
           "\t=cmd", "＝1+1", "http://x.example", "0012", "1e5", "TRUE"]


def test_set_text_keeps_formula_like_text_as_text(tmp_path):
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    for i, value in enumerate(HOSTILE, start=1):
        set_text(book.active.cell(row=i, column=1), value)
    book.save(tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    for i, value in enumerate(HOSTILE, start=1):
        cell = sheet.cell(row=i, column=1)
        assert (cell.value, cell.data_type) == (value, "s")
        assert cell.quotePrefix == value.startswith(("=", "+", "-", "@", "\t", "＝"))


@pytest.mark.parametrize("kind", ["category", "xy", "bubble"])
def test_chart_data_keeps_labels_as_text(tmp_path, kind):
    import io
    import zipfile

    from openpyxl import load_workbook
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    data = chart_data(kind)
    if kind == "category":
        data.categories = HOSTILE
        data.add_series("=1+1", range(len(HOSTILE)))
        chart_type = XL_CHART_TYPE.BAR_CLUSTERED
    else:
        series = data.add_series("=HYPERLINK(\"http://x.example\",\"s\")")
        for i in range(3):
            series.add_data_point(i, i, *([1] if kind == "bubble" else []))
        chart_type = XL_CHART_TYPE.XY_SCATTER if kind == "xy" else XL_CHART_TYPE.BUBBLE
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    slide.shapes.add_chart(chart_type, 0, 0, Inches(4), Inches(3), data)
    deck.save(tmp_path / "d.pptx")
    with zipfile.ZipFile(tmp_path / "d.pptx") as z:
        blob = [z.read(n) for n in z.namelist() if n.endswith(".xlsx")][0]
    sheet = load_workbook(io.BytesIO(blob)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)
    assert not sheet._hyperlinks
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert (set(HOSTILE) if kind == "category" else {"=HYPERLINK(\"http://x.example\",\"s\")"}) \
        <= texts
    # python-pptx's own chart data would have written a formula: the test can fail.
    plain = CategoryChartData()
    plain.categories = ["=1+1"]
    plain.add_series("s", [1])
    assert b"<f>" in zipfile.ZipFile(io.BytesIO(plain.xlsx_blob)).read("xl/worksheets/sheet1.xml")


def test_chart_data_unknown_kind_raises():
    with pytest.raises(ValueError, match="kind must be one of"):
        chart_data("pie")
