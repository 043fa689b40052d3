"""Analyst controls: live ipywidgets in JupyterLab, the same result as static output under papermill."""
import ipywidgets as w
import pandas as pd
import pytest

from cxlib import practices
from cxlib.outputs import widgets
from cxlib.inputs.client import load_client


@pytest.fixture(scope="module")
def demo():
    """The demo client, loaded once."""
    return load_client("demo")


def test_breakpoint_explorer_static_equals_practice_table(demo):
    static = widgets.breakpoint_explorer(demo, threshold=0.7, live=False)
    expected = practices.touchpoints(demo, threshold=0.7).tables["breakpoints"]
    pd.testing.assert_frame_equal(static, expected)


def test_breakpoint_explorer_live_slider_recomputes(demo):
    box = widgets.breakpoint_explorer(demo, threshold=0.5, live=True)
    slider = box.children[0].children[0]
    assert isinstance(slider, w.FloatSlider) and slider.value == 0.5
    slider.value = 0.9
    assert slider.value == 0.9 and isinstance(box.children[1], w.Output)


def test_segment_explorer_static_matches_segment_nps(demo):
    static = widgets.segment_explorer(demo, segment="Region=North", live=False)
    answers = demo.survey.loc[demo.survey["Region"] == "North", "overall"].dropna()
    direct = 100 * ((answers >= 9).mean() - (answers <= 6).mean())
    assert static["value"] == pytest.approx(direct)


def test_what_if_static_scales_with_share(demo):
    low = widgets.what_if(demo, share=0.1, live=False)
    high = widgets.what_if(demo, share=0.4, live=False)
    assert high["what_if_value"] == pytest.approx(4 * low["what_if_value"], rel=0.01)
