"""Hypothesis generators of open comments as customers write them, for property tests.

`comment_lists(n, base)` draws one comment per respondent (None where none was left):
English and Chinese sentences that raise the themes of CODEBOOK or none, both languages
in one comment, other languages, empty and whitespace-only answers, personal data
(emails, phone numbers, the people in NAMES), text a browser would read as markup, and
arbitrary Unicode. How often a theme is raised may follow the respondent's overall
answer (`base`, 0-1: low answers complain more), so some differences are real and most
are noise; a mode puts every comment in one theme, or in none.

`texts()` draws single texts of the same kinds for the text-level properties.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import yaml
from hypothesis import strategies as st

#: The codebook generated clients use (client.yml `codebook: codebook.yml`).
CODEBOOK = {"themes": {
    "billing": {"name": {"en": "Bills and charges", "zh": "账单与收费"},
                "touchpoints": ["tp1"], "en": ["bill", "charge*", "hidden fee*"],
                "zh": ["账单", "收费"]},
    "app": {"name": {"en": "The app", "zh": "App"}, "en": ["app"]},
    "staff": {"name": {"en": "Staff", "zh": "员工"}, "en": ["staff", "shop assistant"],
              "zh": ["店员"]},
    "network": {"name": "Network", "en": ["signal", "coverage"], "zh": ["信号"]},
}}


def write_codebook(folder: Path) -> Path:
    """CODEBOOK as a client's codebook.yml."""
    path = Path(folder) / "codebook.yml"
    path.write_text(yaml.safe_dump(CODEBOOK, allow_unicode=True), encoding="utf-8")
    return path


def codebook():
    """CODEBOOK as load_client reads it."""
    from cxlib.inputs.codebook import load_codebook

    with tempfile.TemporaryDirectory() as folder:
        return load_codebook(write_codebook(Path(folder)))


#: People named in client.yml's `redact:`; the phone numbers and emails comments carry.
NAMES = ("Priya Shah", "王芳")
PERSONAL = (" Call me on (212) 555-0147.", " Mail me at sam.taylor@example.com.",
            " Ask for Priya Shah.", " 请找王芳，电话 138 0013 8000。")
#: The personal data above as it must never reach a report.
PLANTED = ("555-0147", "sam.taylor@example.com", "Priya Shah", "王芳", "138 0013 8000")
#: Markup a page must show as text, never run or render.
MARKUP = (" <script>alert(1)</script>", " Tom & Jerry <b>bold</b>")

#: Sentences per theme, (English, Chinese), negative then positive.
SAID = {
    "billing": (("The bill was wrong again.", "账单又错了。"),
                ("They charged me twice, hidden fees everywhere!", "乱收费，太差了。"),
                ("The bill is clear and fair.", "账单清楚，收费合理。")),
    "app": (("The app keeps crashing.", "App老是闪退。"), ("The app is great.", "App很好用。")),
    "staff": (("The shop assistant was rude.", "店员态度很差。"),
              ("Friendly staff, thank you.", "店员很热情。")),
    "network": (("No signal at home.", "家里没有信号。"), ("Coverage is excellent.", "信号很好。")),
}
PLAIN = (("Nothing special, does the job.", "中规中矩，能用。"), ("OK.", "还行。"),
         ("It is what it is.", "一般般。"))
OTHER = ("Le service est très lent.", "Служба поддержки ужасная.", "Der Service war schlecht.",
         "サービスは良かったです。")
BLANK = ("", "   ", "\n\t")
#: How a client's comments are drawn: themes as they come, every comment in one theme, none.
MODES = ("mixed", "mixed", "one_theme", "no_theme")


def _sentence(rng, theme: str | None, chinese: bool) -> str:
    pool = SAID[theme] if theme else PLAIN
    return pool[rng.integers(len(pool))][int(chinese)]


@st.composite
def comment_lists(draw, n: int, base: np.ndarray | None = None) -> list:
    """n comments (None where the respondent left none); see the module docstring."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    share = draw(st.sampled_from((0.0, 0.3, 0.9, 1.0)))
    chinese = draw(st.sampled_from((0.0, 0.0, 0.2, 1.0)))
    mixed = draw(st.sampled_from((0.0, 0.1)))
    other, blank, personal, markup = (draw(st.sampled_from((0.0, 0.05, 0.3))) for _ in range(4))
    mode = draw(st.sampled_from(MODES))
    themes = sorted(SAID)
    only = draw(st.sampled_from(themes))
    link = draw(st.sampled_from((0.0, 0.0, 0.8)))        # low scorers raise billing more
    base = np.full(n, 0.5) if base is None else np.asarray(base, dtype=float)
    out: list = []
    for i in range(n):
        if rng.random() >= share:
            out.append(None)
            continue
        if rng.random() < blank:
            out.append(BLANK[rng.integers(len(BLANK))])
            continue
        if rng.random() < other:
            out.append(OTHER[rng.integers(len(OTHER))])
            continue
        zh = rng.random() < chinese
        if mode == "no_theme":
            raised = []
        elif mode == "one_theme":
            raised = [only]
        else:
            chance = {t: 0.3 for t in themes}
            chance["billing"] = 0.3 + link * (0.5 - base[i])
            raised = [t for t in themes if rng.random() < chance[t]]
        parts = [_sentence(rng, t, zh) for t in raised] or [_sentence(rng, None, zh)]
        if rng.random() < mixed:                         # the other language in the same comment
            parts.append(_sentence(rng, raised[0] if raised else None, not zh))
        text = " ".join(parts)
        if rng.random() < personal:
            text += PERSONAL[rng.integers(len(PERSONAL))]
        if rng.random() < markup:
            text += MARKUP[rng.integers(len(MARKUP))]
        out.append(text)
    extra = draw(st.lists(st.text(max_size=30), max_size=3))   # arbitrary Unicode, anywhere
    for text in extra:
        if n:
            out[int(rng.integers(n))] = text
    return out


def texts() -> st.SearchStrategy:
    """One text of any kind above, arbitrary text, or None."""
    said = [s for pairs in SAID.values() for pair in pairs for s in pair]
    plain = [s for pair in PLAIN for s in pair]
    pieces = st.sampled_from(said + plain + list(OTHER) + list(BLANK) + list(PERSONAL)
                             + list(MARKUP))
    return st.one_of(
        st.none(), pieces, st.text(max_size=40),
        st.lists(pieces, min_size=2, max_size=4).map(" ".join),
        st.text(alphabet="ab 漢字.!?\n&;#0123456789xé😀", max_size=40))
