"""How full each page of a printed report is and which tables a page break cuts (pdfplumber).

Used by the suite on the demo and airline PDFs, and by hand:
`python tests/pdf_layout.py reports/demo/report.pdf` prints one line per page.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

#: The printed area of an A4 page inside the report's margins (cxlib.outputs.deliver.MARGIN),
#: in PDF points: 14 mm top, 16 mm bottom.
TOP_PT, BOTTOM_PT = 14 / 25.4 * 72, 16 / 25.4 * 72


@dataclass
class Page:
    number: int
    fill: float          # share of the printed area's height above the lowest ink
    starts_section: bool
    text: str


def pages(pdf_path: Path, section_titles: list[str]) -> list[Page]:
    """Every page with its fill and whether it opens a section (its first line is a title)."""
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)   # Chromium's Type 3 CJK fonts

    squeeze = lambda s: "".join(s.split())  # noqa: E731
    titles = [squeeze(t) for t in section_titles if t]
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for kind in ("rects", "lines", "curves", "images"):
                for shape in getattr(page, kind):
                    shape["page_width"] = page.width
            area = page.height - TOP_PT - BOTTOM_PT
            ink = [o["bottom"] for kind in ("chars", "rects", "lines", "curves", "images")
                   for o in getattr(page, kind)
                   if TOP_PT - 2 <= o["top"] < page.height - BOTTOM_PT and not _blank(o)]
            bottom = max(ink, default=TOP_PT)
            words = page.extract_text() or ""
            opens = any(_opens(squeeze(words), t) for t in titles)
            found.append(Page(page.page_number, (bottom - TOP_PT) / area, opens, words))
    return found


def _opens(page: str, title: str) -> bool:
    """Whether the page's text starts with the title. Chromium's CJK fonts give some
    characters back as Kangxi radicals (⾏ for 行, ⼾ for 户): those match any character."""
    if len(page) < len(title):
        return False
    return all(a == b or 0x2E80 <= ord(a) <= 0x2FDF for a, b in zip(page, title))


def _blank(shape: dict) -> bool:
    """A shape that puts no ink on the page: white or a background as wide as the page."""
    stroked = shape.get("stroke") and not _white(shape.get("stroking_color"))
    return (_white(shape.get("non_stroking_color")) and not stroked) \
        or shape.get("width", 0) > 0.95 * shape.get("page_width", 1e9)


def _white(colour) -> bool:
    values = colour if isinstance(colour, (list, tuple)) else [colour]
    try:
        return colour is not None and all(float(v) >= 0.99 for v in values)
    except (TypeError, ValueError):        # a pattern or a named colour space
        return False


def underfilled(found: list[Page], minimum: float = 0.5) -> list[Page]:
    """Pages below `minimum` full that are not the last page of a section (or the cover)."""
    bad = []
    for k, page in enumerate(found[1:], start=1):
        last = k + 1 == len(found) or found[k + 1].starts_section
        if not last and page.fill < minimum:
            bad.append(page)
    return bad


def cut_tables(pdf_path: Path, minimum: int = 3) -> list[tuple[int, dict]]:
    """Tables split across pages with fewer than `minimum` body rows on some page.

    Reads the tagged PDF's structure tree: each Table's rows (TR with TD cells) and the
    page each row's cells are on. Returns (table number, {page: rows}) for each cut table.
    """
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        tree = pdf.structure_tree

    def walk(node, out):
        if node.get("type") == "Table":
            out.append(node)
        for child in node.get("children", []):
            walk(child, out)
        return out

    def rows(node, out):
        if node.get("type") == "TR":
            cells = [c for c in node.get("children", []) if c.get("type") == "TD"]
            if cells:
                out.append(min(set().union(*map(_pages, cells)) or {0}))
            return out
        for child in node.get("children", []):
            rows(child, out)
        return out

    bad = []
    tables = [t for root in tree for t in walk(root, [])]
    for number, table in enumerate(tables, start=1):
        counts: dict[int, int] = {}
        for page in rows(table, []):
            counts[page] = counts.get(page, 0) + 1
        if len(counts) > 1 and min(counts.values()) < minimum:
            bad.append((number, counts))
    return bad


def _pages(node) -> set[int]:
    found = {node["page_number"]} if "page_number" in node else set()
    for child in node.get("children", []):
        found |= _pages(child)
    return found


if __name__ == "__main__":
    path = Path(sys.argv[1])
    for p in pages(path, []):
        line = " ".join(p.text.split())[:70]
        print(f"page {p.number:2d}  fill {p.fill:4.0%}  {line}")
    print("cut tables:", cut_tables(path))
