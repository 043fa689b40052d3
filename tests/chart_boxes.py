"""Where a chart's texts and markers land when a browser draws it, and which overlap.

Used by the suite on the roadmap's charts: the demo report's SVG images and generated
figures drawn in headless Chromium (the `browser` fixture).
"""
from __future__ import annotations

from itertools import combinations
from pathlib import Path

import plotly.offline

#: Every non-empty text element and every scatter marker, as [left, top, right, bottom] px.
_BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const texts = [...document.querySelectorAll('text')].filter(t => t.textContent.trim())
    .map(t => ({text: t.textContent, box: box(t), marker: t.closest('.textpoint') !== null}));
  return {texts, points: [...document.querySelectorAll('path.point')].map(box)};
}"""


def drawn(browser, source) -> dict:
    """The boxes of a figure (go.Figure) or an SVG file, as Chromium lays them out."""
    page = browser.new_page()
    try:
        if isinstance(source, Path):
            page.goto(source.resolve().as_uri())
        else:
            page.set_content("<script>" + plotly.offline.get_plotlyjs() + "</script>"
                             + source.to_html(full_html=False, include_plotlyjs=False))
            page.wait_for_selector(".main-svg")
        return page.evaluate(_BOXES)
    finally:
        page.close()


def _overlap(a, b, slack: float = 0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def overlaps(boxes: dict) -> list[tuple[str, str]]:
    """Pairs that sit on each other: two texts, two markers, or a marker and a text other
    than the number it carries."""
    texts = boxes["texts"]
    found = [(a["text"], b["text"]) for a, b in combinations(texts, 2)
             if not (a["marker"] and b["marker"]) and _overlap(a["box"], b["box"])]
    found += [(f"marker {i}", f"marker {j}") for (i, a), (j, b)
              in combinations(enumerate(boxes["points"]), 2) if _overlap(a, b)]
    found += [(f"marker {i}", t["text"]) for i, p in enumerate(boxes["points"])
              for t in texts if not t["marker"] and _overlap(p, t["box"])]
    return found
