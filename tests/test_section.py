"""Sections survive the trip from a notebook to the report unchanged."""
import pandas as pd
import plotly.graph_objects as go

from cxlib.outputs.section import Metric, Section, load_sections, save_section


def test_section_round_trips_through_json(tmp_path):
    s = Section("P1", "标题 <title>", metrics={"loyalty": Metric(12.5, 300, "NPS", 8.1, 16.9)},
                tables={"t": pd.DataFrame({"a": [1.5, None], "b": ["x", "y"]},
                                          index=pd.Index(["r1", "r2"], name="k"))},
                figures={"f": go.Figure(go.Bar(x=["a"], y=[1]))},
                narrative=["One."], caveats=["Careful."])
    save_section(s, tmp_path)
    back = load_sections(tmp_path)["P1"]
    assert back.title == s.title and back.narrative == s.narrative
    assert back.metrics["loyalty"] == s.metrics["loyalty"]
    pd.testing.assert_frame_equal(back.tables["t"], s.tables["t"], check_dtype=False)
    assert back.figures["f"].data[0].y == (1,)


def test_save_section_without_output_dir_writes_nothing(tmp_path):
    assert save_section(Section("P2", "x"), "") is None
    assert list(tmp_path.iterdir()) == []


def test_section_figure_for_missing_input_explains_why():
    s = Section("P4", "x", missing="No internal maturity self-assessment was supplied.")
    note = s.figure("blocks_radar")
    assert "self-assessment" in note._repr_html_()
