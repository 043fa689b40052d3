"""Tests of cxlib.outputs.privacy: personal data out of quotes, ordinary numbers left alone."""
import math

import pytest

from cxlib.outputs.privacy import redact

NAMES = ("Anna Lee", "Anna", "John", "王伟", "李娜")


@pytest.mark.parametrize("text, expected", [
    # emails
    ("write to anna.lee@example.com today", "write to [email] today"),
    ("联系zhang.wei@example.cn谢谢", "联系[email]谢谢"),
    ("mail j_smith+cx@mail.co.uk.", "mail [email]."),
    # international phone numbers
    ("Call +44 20 7946 0958 please", "Call [phone] please"),
    ("+44 (0)20 7946 0958", "[phone]"),
    ("tel:+1-555-123-4567.", "tel:[phone]."),
    ("请拨打+86 138 0013 8000", "请拨打[phone]"),
    # local phone numbers
    ("我的手机是138 0013 8000", "我的手机是[phone]"),
    ("手机13800138000,谢谢", "手机[phone],谢谢"),
    ("号码是138-0013-8000。", "号码是[phone]。"),
    ("座机010-12345678", "座机[phone]"),
    ("ring (555) 123-4567 or 555.123.4567", "ring [phone] or [phone]"),
    ("ring 555-1234", "ring [phone]"),
    ("020 7946 0958", "[phone]"),
    ("07700900123", "[phone]"),
    # names: whole words for Latin scripts, any case; substrings for CJK
    ("Anna Lee said hi to annabel and ANNA", "[name] said hi to annabel and [name]"),
    ("Johnson met John.", "Johnson met [name]."),
    ("我和John聊过", "我和[name]聊过"),
    ("王伟说客服很好,李娜不同意", "[name]说客服很好,[name]不同意"),
])
def test_redact_personal_data_replaced(text, expected):
    assert redact(text, NAMES) == expected


@pytest.mark.parametrize("text", [
    "I called 3 times in 2024",
    "It cost $25.99, then ¥128",
    "rated 4/5 overall",
    "on 2024-03-01 and 01/03/2024",
    "from 2019-2024, between 10-12 days",
    "order 12345678 shipped",
    "pi is 3.14159265",
    "1,234,567 users and 1.234.567 views",
    "12.5% better",
    "2024年3月1日,价格是25.99元,等了3天",
    "评分4/5,打了2次电话",
])
def test_redact_ordinary_numbers_kept(text):
    assert redact(text, NAMES) == text


def test_redact_no_names_keeps_names():
    assert redact("Anna called", ()) == "Anna called"


def test_redact_name_with_regex_characters_matched_literally():
    assert redact("ask Dr. O'Neil (J.) now", ["O'Neil (J.)"]) == "ask Dr. [name] now"


@pytest.mark.parametrize("missing", [None, math.nan])
def test_redact_missing_text_empty(missing):
    assert redact(missing) == ""


def test_redact_non_text_raises():
    with pytest.raises(TypeError, match="expects text"):
        redact(12345678)
