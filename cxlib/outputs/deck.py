"""The slide deck a consultant presents: reports/<client>/deck.pptx, from the same sections.

Slides render findings computed once: titles are the sections' own sentences, figures are
the chart images the report wrote (figures/*.png), numbers are the report's formatted views
(`report.metric_view`); nothing here words or formats a finding of its own. Branding comes
from templates/theme.yml (colours, font, consultancy name).
"""
from __future__ import annotations

import math
import unicodedata
from pathlib import Path

from . import claims, deliver, report, text
from .section import Section
from .theme import Theme, load_theme

#: 16:9 slides, in EMU (python-pptx's unit; 914,400 to the inch).
WIDTH, HEIGHT = 12_192_000, 6_858_000
MARGIN = 457_200
#: The chart that carries each section's lead finding (its first sentence); the first
#: chart when the section has not this one. A tall chart sits on the right with the
#: section's next LEAD_SENTENCES sentences beside it.
LEAD_FIGURE = {"P1": "retention_by_group", "P2": "journey_map", "P3": "gaps",
               "P4": "blocks_radar"}
LEAD_SENTENCES = 3
#: The glossary's first terms on the method slide (the report's appendix has them all).
GLOSSARY_TERMS = 8
#: Initiatives on the roadmap slide (all of them are in the 30/60/90 plan slide).
ROADMAP_ROWS = 8
#: Title sizes (pt), largest first: a title takes the largest that keeps it to 3 lines.
TITLE_SIZES = (26, 22, 20, 18, 16)
EMU_PER_PT = 12_700
#: The summary slide's decision box, at the foot of its right column (EMU).
DECISION_HEIGHT = 1_350_000


def _lead_figure(sid: str, s: Section) -> str:
    """The chart a section's slide shows: its lead chart; for P1 without CRM outcomes, the
    segment the summary says differs most; else the section's first chart."""
    if LEAD_FIGURE.get(sid) in s.figures:
        return LEAD_FIGURE[sid]
    segment = claims.segment_differing_most(s) if sid == "P1" else None
    if segment is not None and f"loyalty_by_{segment}" in s.figures:
        return f"loyalty_by_{segment}"
    return next(iter(s.figures))


def write_deck(client, sections: dict[str, Section], folder: Path) -> Path:
    """Write deck.pptx into the report folder, using the chart images in folder/figures.

    Parameters
    ----------
    client : the loaded Client.
    sections : the sections by id, as the report used them.
    folder : the report folder (report.html and figures/ already written).

    Returns
    -------
    The deck's path.
    """
    from pptx import Presentation
    from pptx.util import Emu

    lang = client.config.language
    theme = load_theme(client.config.brand, client.config.folder)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(WIDTH), Emu(HEIGHT)
    blank = deck.slide_layouts[6]
    folder = Path(folder)

    def t(key, **values):
        return text.t(lang, key, **values)

    # Title
    slide = deck.slides.add_slide(blank)
    _band(slide, theme)
    _text(slide, t("report.title"), MARGIN, 2_000_000, WIDTH - 2 * MARGIN, 900_000, theme,
          size=36, bold=True, colour=theme.primary)
    _text(slide, t("report.prepared_for", client=client.name), MARGIN, 2_950_000,
          WIDTH - 2 * MARGIN, 500_000, theme, size=20)
    _text(slide, t("report.prepared_by", consultancy=theme.consultancy), MARGIN, 3_500_000,
          WIDTH - 2 * MARGIN, 400_000, theme, size=14, colour=theme.muted)
    if theme.logo is not None and theme.logo.suffix.lower() == ".png":
        slide.shapes.add_picture(str(theme.logo), Emu(MARGIN), Emu(MARGIN), height=Emu(500_000))

    # Executive summary: the page's story (situation, findings with their evidence, the
    # decision) and its recommendations, as the report's summary tables hold them.
    summary = report.summary(client, sections)
    currency = client.config.currency
    slide, top = _titled(deck, blank, summary.title, theme)
    cards = [report.metric_view(k, summary.metrics[k], lang, currency)
             for k in report.CARDS["summary"] if k in summary.metrics]
    _summary_slide(slide, report._summary_view(summary, lang, sections, currency), cards,
                   theme, lang)
    _notes(slide, summary, cards, lang)

    # One slide per key finding: the finding as the title, its chart, numbers in the notes.
    for sid in report.ORDER:
        s = sections.get(sid)
        if s is None or s.missing or not s.figures or sid == "roadmap":
            continue
        views = [report.metric_view(k, s.metrics[k], lang, currency)
                 for k in report.CARDS.get(sid, ()) if k in s.metrics]
        name = _lead_figure(sid, s)
        image = deliver.figure_path(folder / "figures", sid, name, "png")
        slide, top = _titled(deck, blank, s.narrative[0] if s.narrative else s.title, theme)
        if image.is_file():
            _picture(slide, image, top, theme, s.narrative[1:LEAD_SENTENCES + 1])
        _notes(slide, s, views, lang)

    # The roadmap: its sentence over the initiatives, then the 30/60/90 plan by owner.
    plan = sections.get("roadmap")
    if plan is not None and not plan.missing and "initiatives" in plan.tables:
        slide, top = _titled(deck, blank, plan.narrative[0] if plan.narrative else plan.title,
                             theme)
        initiatives = plan.tables["initiatives"].sort_values("priority")
        table = report._table(initiatives.head(ROADMAP_ROWS),
                              report.BODY["roadmap"]["initiatives"].columns, lang, currency,
                              "initiatives")
        _table(slide, table, theme, top)
        _notes(slide, plan, [report.metric_view(k, m, lang, currency)
                             for k, m in plan.metrics.items()], lang)
        slide, top = _titled(deck, blank, t("roadmap.fig_plan"), theme)
        _plan_table(slide, initiatives, theme, lang, top)

    # Appendix: the method.
    slide, top = _titled(deck, blank, t("report.method"), theme)
    _bullets(slide, [report.method(lang, t(f"metric.{client.config.survey.overall.kind}"))]
        + [f"{term}: {meaning}" for term, meaning in t("glossary.terms")[:GLOSSARY_TERMS]],
        MARGIN, top, WIDTH - 2 * MARGIN, HEIGHT - top - 300_000, theme, size=12)

    path = folder / "deck.pptx"
    deck.save(path)
    return path


# --- drawing helpers ---------------------------------------------------------------------

def _rgb(colour: str):
    from pptx.dml.color import RGBColor

    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return RGBColor.from_string(value.upper())


def _font(theme: Theme) -> str:
    return next((f for f in theme.fonts if f not in ("sans-serif", "serif")), "Arial")


def _band(slide, theme: Theme) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Emu

    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Emu(HEIGHT - 180_000), Emu(WIDTH),
                                 Emu(180_000))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(theme.accent)
    bar.line.fill.background()


def _text(slide, words: str, left, top, width, height, theme: Theme, size=14, bold=False,
          colour: str | None = None):
    from pptx.util import Emu, Pt

    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = words
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, _font(theme)
    run.font.color.rgb = _rgb(colour or theme.text)
    return box


def _lines(words: str, size: float, width: int) -> int:
    """How many lines text of this size takes in a box this wide (EMU), about."""
    columns = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in words)
    # a column of bold text is about 0.72 em wide in the widest fallback face (DejaVu)
    per_line = max(1, int(width / EMU_PER_PT / (0.72 * size)))
    return max(1, math.ceil(columns / per_line))


def _titled(deck, layout, title: str, theme: Theme):
    """A slide with its title in the largest size that keeps it to three lines; returns the
    slide and where its body starts (EMU), under the title."""
    slide = deck.slides.add_slide(layout)
    _band(slide, theme)
    width = WIDTH - 2 * MARGIN
    size = next((z for z in TITLE_SIZES if _lines(title, z, width) <= (2 if z > 20 else 3)),
                TITLE_SIZES[-1])
    height = int(_lines(title, size, width) * size * 1.25 * EMU_PER_PT) + 120_000
    _text(slide, title, MARGIN, 250_000, width, height, theme, size=size, bold=True,
          colour=theme.primary)
    return slide, 250_000 + height + 150_000


def _bullets(slide, lines: list[str], left, top, width, height, theme: Theme, size=16):
    from pptx.util import Emu, Pt

    frame = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(8)
        run = paragraph.add_run()
        run.text = "• " + line
        run.font.size, run.font.name = Pt(size), _font(theme)
        run.font.color.rgb = _rgb(theme.text)


def _picture(slide, image: Path, top: int, theme: Theme, sentences=()) -> None:
    """The chart under the title, as large as the slide allows, aspect kept; a tall chart
    sits on the right with the sentences beside it, so the slide is not half empty."""
    from PIL import Image
    from pptx.util import Emu

    with Image.open(image) as picture:
        w, h = picture.size
    room_w, room_h = WIDTH - 2 * MARGIN, HEIGHT - top - 300_000
    left = MARGIN
    if sentences and h / w * room_w > room_h * 1.2:     # tall: text left, chart right
        text_w = int(room_w * 0.42)
        _bullets(slide, list(sentences), MARGIN, top, text_w, room_h, theme, size=14)
        left, room_w = MARGIN + text_w + 200_000, room_w - text_w - 200_000
    scale = min(room_w / w, room_h / h)
    width, height = int(w * scale), int(h * scale)
    slide.shapes.add_picture(str(image), Emu(left + (room_w - width) // 2), Emu(top),
                             width=Emu(width), height=Emu(height))


def _table(slide, table: dict, theme: Theme, top: int) -> None:
    from pptx.util import Emu, Pt

    rows, cols = len(table["rows"]) + 1, len(table["headers"])
    shape = slide.shapes.add_table(rows, cols, Emu(MARGIN), Emu(top),
                                   Emu(WIDTH - 2 * MARGIN), Emu(380_000 * rows))
    grid = shape.table
    for c, header in enumerate(table["headers"]):
        cell = grid.cell(0, c)
        cell.text = header
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(theme.primary)
    for r, row in enumerate(table["rows"], start=1):
        for c, value in enumerate(row):
            grid.cell(r, c).text = str(value)
    for r in range(rows):
        for c in range(cols):
            for paragraph in grid.cell(r, c).text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size, run.font.name = Pt(10), _font(theme)
                    if r == 0:
                        run.font.color.rgb = _rgb(theme.background)
    if "title" in table["columns"]:
        grid.columns[table["columns"].index("title")].width = Emu(4_200_000)


def _notes(slide, section: Section, views: list[dict], lang: str) -> None:
    """Speaker notes: the section's sentences, its figures with interval and n, its caveats."""
    lines = list(section.narrative)
    lines += [f"{v['label']}: {v['value']} {v['unit']}"
              + (f" ({v['ci']})" if v["ci"] else "") + f", n = {v['n']}" for v in views]
    if section.caveats:
        lines.append(text.t(lang, "report.caveats") + ":")
        lines += [f"- {c}" for c in section.caveats]
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


def _summary_slide(slide, view: dict, cards: list[dict], theme: Theme, lang: str) -> None:
    """The executive summary as the page tells it: the situation across the top; the
    findings with their evidence on the left; the recommendations (owner, value, horizon)
    and the decision asked on the right (the headline cards instead when there is no
    plan)."""
    from pptx.util import Emu, Pt

    def t(key, **values):
        return text.t(lang, key, **values)

    width = WIDTH - 2 * MARGIN
    top = 1_000_000
    lead, *context = view["situation"] or [{"sentence": ""}]
    size = 15 if len(lead["sentence"]) <= 250 else 13     # a situation with its assumption
    frame = _frame(slide, MARGIN, top, width, 1_300_000)
    _run(frame.paragraphs[0], lead["sentence"], theme, size, bold=True, colour=theme.primary)
    for c in context:
        _run(_paragraph(frame, 4), c["sentence"], theme, 11, colour=theme.muted)
    used = sum(_lines(p["sentence"], z, width) * z for p, z in
               zip([lead] + context, [size] + [11] * len(context)))
    top += int(used * 1.3 * EMU_PER_PT) + 250_000
    decision_top = HEIGHT - 300_000 - DECISION_HEIGHT        # the decision at the foot
    left_w = int(width * 0.56)
    right = MARGIN + left_w + 300_000
    right_w = WIDTH - MARGIN - right
    frame = _frame(slide, MARGIN, top, left_w, HEIGHT - top - 300_000)
    _run(frame.paragraphs[0], t("summary.findings_title"), theme, 14, bold=True,
         colour=theme.primary)
    for i, f in enumerate(view["finding"], start=1):
        _run(_paragraph(frame, 8), f"{i}. {f['sentence']}", theme, 12)
        for m in f["evidence"]:
            figure = f"{m['value']} {m['unit']}".strip()
            detail = (f"{m['ci']}, " if m["ci"] else "") + f"n = {m['n']}"
            _run(_paragraph(frame, 1), f"{m['label']}: {figure} ({detail})", theme, 10,
                 colour=theme.muted)
    frame = _frame(slide, right, top, right_w, decision_top - top - 100_000)
    actions = view["actions"]
    if actions is None:         # no plan yet: the headline figures take its place
        for i, m in enumerate(cards):
            paragraph = frame.paragraphs[0] if i == 0 else _paragraph(frame, 10)
            _run(paragraph, m["label"], theme, 11, colour=theme.muted)
            _run(_paragraph(frame, 0), f"{m['value']} {m['unit']}".strip(), theme, 22,
                 bold=True, colour=theme.primary)
            _run(_paragraph(frame, 0), (f"{m['ci']} · " if m["ci"] else "") + f"n = {m['n']}",
                 theme, 10, colour=theme.muted)
    else:
        _run(frame.paragraphs[0], t("summary.actions_title"), theme, 14, bold=True,
             colour=theme.primary)
        for row in actions["rows"]:
            cells = dict(zip(actions["columns"], row))
            _run(_paragraph(frame, 8), cells.pop("title", ""), theme, 11, bold=True)
            _run(_paragraph(frame, 1), " · ".join(
                f"{h}: {cells[c]}" for c, h in zip(actions["columns"], actions["headers"])
                if c in cells), theme, 10, colour=theme.muted)
    for d in view["decision"]:
        box = slide.shapes.add_textbox(Emu(right), Emu(decision_top), Emu(right_w),
                                       Emu(DECISION_HEIGHT - 100_000))
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb("#f6f7f9")
        box.text_frame.word_wrap = True
        _run(box.text_frame.paragraphs[0], t("summary.decision_title"), theme, 13, bold=True,
             colour=theme.primary)
        _run(_paragraph(box.text_frame, 4), d["sentence"], theme, 11, bold=True)


def _plan_table(slide, initiatives, theme: Theme, lang: str, top: int) -> None:
    """The 30/60/90-day plan by owner: a row per owner, a column per horizon, each
    initiative as its number and title in its cell (the report's plan chart, as a table)."""
    from pptx.util import Emu, Pt

    from ..practices.initiatives import HORIZONS

    owners = list(dict.fromkeys(initiatives["owner"]))
    shape = slide.shapes.add_table(len(owners) + 1, len(HORIZONS) + 1, Emu(MARGIN), Emu(top),
                                   Emu(WIDTH - 2 * MARGIN), Emu(300_000 * (len(owners) + 1)))
    grid = shape.table
    size = 11 if len(initiatives) <= 8 else 9 if len(initiatives) <= 15 else 8
    heads = [""] + [text.t(lang, f"roadmap.horizon_{h}") for h in HORIZONS]
    for c, head in enumerate(heads):
        grid.cell(0, c).text = head
        grid.cell(0, c).fill.solid()
        grid.cell(0, c).fill.fore_color.rgb = _rgb(theme.primary)
    for r, owner in enumerate(owners, start=1):
        grid.cell(r, 0).text = str(text.value_name("owner", owner, lang))
        mine = initiatives[initiatives["owner"] == owner]
        for c, horizon in enumerate(HORIZONS, start=1):
            here = mine[mine["horizon"] == horizon]
            grid.cell(r, c).text = "\n".join(f"{p}  {title}" for p, title in
                                             zip(here["priority"], here["title"]))
    for r in range(len(owners) + 1):
        for c in range(len(heads)):
            for paragraph in grid.cell(r, c).text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size, run.font.name = Pt(size), _font(theme)
                    run.font.bold = r == 0 or c == 0
                    if r == 0:
                        run.font.color.rgb = _rgb(theme.background)
    grid.columns[0].width = Emu(1_500_000)
    for c in range(1, len(heads)):
        grid.columns[c].width = Emu((WIDTH - 2 * MARGIN - 1_500_000) // len(HORIZONS))


def _frame(slide, left, top, width, height):
    from pptx.util import Emu

    frame = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
    frame.word_wrap = True
    return frame


def _paragraph(frame, before: int):
    from pptx.util import Pt

    paragraph = frame.add_paragraph()
    paragraph.space_before = Pt(before)
    return paragraph


def _run(paragraph, words: str, theme: Theme, size: int, bold: bool = False,
         colour: str | None = None) -> None:
    from pptx.util import Pt

    run = paragraph.add_run()
    run.text = words
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, _font(theme)
    run.font.color.rgb = _rgb(colour or theme.text)
