"""Controls for analysts in JupyterLab, built on the practice functions.

Each function returns an ipywidgets control when `live` is true. Under papermill (`live`
false) it returns the static result for the given value instead, so a run stays
reproducible and its output is the same every time.
"""
from __future__ import annotations

import ipywidgets as w
import pandas as pd
from IPython.display import display

from ..practices import sections as practices
from ..inputs.client import Client


def _live(compute, live: bool, **controls):
    if not live:
        return compute(**{k: c.value for k, c in controls.items()})
    out = w.Output()

    def refresh(_=None):
        out.clear_output(wait=True)
        with out:
            display(compute(**{k: c.value for k, c in controls.items()}))

    for control in controls.values():
        control.observe(refresh, names="value")
    refresh()
    return w.VBox([w.HBox(list(controls.values())), out])


def breakpoint_explorer(client: Client, threshold: float = 0.5, live: bool = True):
    """The breakpoint table for a threshold in rating points, with a slider to move it."""
    slider = w.FloatSlider(value=threshold, min=0.0, max=2.0, step=0.1,
                           description="Threshold", continuous_update=False)
    return _live(lambda threshold: practices.touchpoints(client, threshold=threshold)
                 .tables.get("breakpoints", pd.DataFrame()), live, threshold=slider)


def segment_explorer(client: Client, segment: str = "", live: bool = True):
    """The loyalty metric for one segment value ('Region=North'), chosen from a list."""
    options = [""] + [f"{s}={v}" for s in client.segments
                      for v in client.survey[s].dropna().unique()]
    choice = w.Dropdown(options=options, value=segment if segment in options else "",
                        description="Segment")
    return _live(lambda segment: practices.loyalty_detail(client, segment or None), live,
                 segment=choice)


def what_if(client: Client, share: float = 0.2, live: bool = True):
    """The revenue kept by moving a share of the lowest loyalty group up one group."""
    slider = w.FloatSlider(value=share, min=0.0, max=1.0, step=0.05, description="Share moved",
                           continuous_update=False, readout_format=".0%")
    return _live(lambda share: pd.Series(
        {k: m.value for k, m in practices.outcomes(client, what_if_share=share).metrics.items()
         if k.startswith(("what_if", "revenue"))}), live, share=slider)


def keyword_explorer(client: Client, keyword: str = "", live: bool = True):
    """How many comments a keyword would catch, and how many no codebook theme catches yet.

    Type a word, a stem ("charg*") or a phrase as the codebook would have it; the count
    and a few of the comments it catches (new ones first) follow as you type.
    """
    from ..practices import comments
    from . import privacy

    texts = client.survey["comment"] if "comment" in client.survey else pd.Series(dtype=object)
    themed = comments.match(texts.dropna(), client.codebook) if client.codebook else None
    clean = privacy.redactor(client.config.redact, client.config.country)

    def compute(keyword):
        table = comments.keyword_matches(texts, keyword, themed)
        table["comment"] = table["comment"].map(clean)
        caught = pd.Series({"keyword": keyword, "comments caught": table.attrs["matched"],
                            "caught by no theme yet": table.attrs["new"]})
        return w.VBox([w.HTML(caught.to_frame("").to_html()), w.HTML(table.to_html())]) \
            if live else (caught, table)

    box = w.Text(value=keyword, description="Keyword", continuous_update=False)
    return _live(compute, live, keyword=box)
