"""The slide deck a consultant presents: reports/<client>/deck.pptx, from the same sections.

Slides render findings computed once: titles are the sections' own sentences, figures are
the chart images the report wrote (figures/*.png), numbers are the report's formatted views
(`report.metric_view`); nothing here words or formats a finding of its own. Branding comes
from templates/theme.yml (colours, font, consultancy name).
"""
from __future__ import annotations

from pathlib import Path

from . import report, text
from .section import Section
from .theme import Theme, load_theme

#: 16:9 slides, in EMU (python-pptx's unit; 914,400 to the inch).
WIDTH, HEIGHT = 12_192_000, 6_858_000
MARGIN = 457_200
#: The chart that carries each section's lead finding (its first sentence); the first
#: chart when the section has not this one.
LEAD_FIGURE = {"P1": "retention_by_group", "P2": "journey_map", "P3": "gaps",
               "P4": "blocks_radar"}
TOP = 1_450_000                 # where a slide's body starts, under a two-line title


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

    # Executive summary: its sentences and headline figures, as the report shows them.
    summary = report.summary(client, sections)
    slide = _titled(deck, blank, summary.title, theme)
    _bullets(slide, summary.narrative[:5], MARGIN, 1_250_000, WIDTH - 2 * MARGIN, 3_600_000,
             theme, size=16)
    currency = client.config.currency
    views = [report.metric_view(k, m, lang, currency) for k, m in summary.metrics.items()][:3]
    _cards(slide, views, theme)
    _notes(slide, summary, views, lang)

    # One slide per key finding: the finding as the title, its chart, numbers in the notes.
    for sid in report.ORDER:
        s = sections.get(sid)
        if s is None or s.missing or not s.figures or sid == "roadmap":
            continue
        views = [report.metric_view(k, s.metrics[k], lang, currency)
                 for k in report.CARDS.get(sid, ()) if k in s.metrics]
        name = LEAD_FIGURE.get(sid) if LEAD_FIGURE.get(sid) in s.figures else next(iter(s.figures))
        image = folder / "figures" / f"{sid}_{name}.png"
        slide = _titled(deck, blank, s.narrative[0] if s.narrative else s.title, theme, size=20)
        if image.is_file():
            _picture(slide, image)
        _notes(slide, s, views, lang)

    # The roadmap: its sentence, the first initiatives with owner and horizon, the plan.
    plan = sections.get("roadmap")
    if plan is not None and not plan.missing and "initiatives" in plan.tables:
        slide = _titled(deck, blank, plan.narrative[0] if plan.narrative else plan.title,
                        theme, size=18)
        shown = report.BODY["roadmap"]["initiatives"]
        table = report._table(plan.tables["initiatives"].head(6), shown.columns, lang,
                              currency, "initiatives")
        _table(slide, table, theme)
        _notes(slide, plan, [report.metric_view(k, m, lang, currency)
                             for k, m in plan.metrics.items()], lang)
        image = folder / "figures" / "roadmap_plan.png"
        if image.is_file():
            slide = _titled(deck, blank, t("roadmap.fig_plan"), theme)
            _picture(slide, image)

    # Appendix: the method.
    slide = _titled(deck, blank, t("report.method"), theme)
    _bullets(slide, [t("appendix.method", metric=t(
        f"metric.{client.config.survey.overall.kind}"))], MARGIN, 1_250_000,
        WIDTH - 2 * MARGIN, 4_800_000, theme, size=14)

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


def _titled(deck, layout, title: str, theme: Theme, size: int = 26):
    slide = deck.slides.add_slide(layout)
    _band(slide, theme)
    _text(slide, title, MARGIN, 250_000, WIDTH - 2 * MARGIN, TOP - 300_000, theme, size=size,
          bold=True, colour=theme.primary)
    return slide


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


def _cards(slide, views: list[dict], theme: Theme) -> None:
    width = (WIDTH - 2 * MARGIN - 2 * 200_000) // 3
    for i, v in enumerate(views):
        left = MARGIN + i * (width + 200_000)
        _text(slide, v["label"], left, 4_950_000, width, 300_000, theme, size=12,
              colour=theme.muted)
        _text(slide, f"{v['value']} {v['unit']}", left, 5_250_000, width, 500_000, theme,
              size=24, bold=True, colour=theme.primary)
        detail = (v["ci"] + " · " if v["ci"] else "") + f"n = {v['n']}"
        _text(slide, detail, left, 5_800_000, width, 300_000, theme, size=10, colour=theme.muted)


def _picture(slide, image: Path) -> None:
    """The chart centred under the title, as large as the slide allows, aspect kept."""
    from PIL import Image
    from pptx.util import Emu

    with Image.open(image) as picture:
        w, h = picture.size
    room_w, room_h = WIDTH - 2 * MARGIN, HEIGHT - TOP - 300_000
    scale = min(room_w / w, room_h / h)
    width, height = int(w * scale), int(h * scale)
    slide.shapes.add_picture(str(image), Emu((WIDTH - width) // 2), Emu(TOP),
                             width=Emu(width), height=Emu(height))


def _table(slide, table: dict, theme: Theme) -> None:
    from pptx.util import Emu, Pt

    rows, cols = len(table["rows"]) + 1, len(table["headers"])
    shape = slide.shapes.add_table(rows, cols, Emu(MARGIN), Emu(TOP),
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
