"""One function per chart kind, each returning a plotly Figure with the theme's look.

Every function takes the data frame first, then the names of the columns in each role,
then keyword options ending in `title` and `template` (a registered name or a Template).
Axis, colour-bar and legend titles are the column names: rename columns to the report's
language before charting. Functions never show or write a figure.

Client text (touchpoint names, segments, quotes) is escaped with `_escape` wherever it is
drawn or hovered, because plotly reads '<' in any text as the start of a tag.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .text import figure as _figure
from .theme import EDGE, TITLE_PAD, Theme, load_theme, register, registered

#: The default journey stages (METHOD.md section 1), as in the touchpoints' `stage` column.
DEFAULT_STAGES = {
    "awareness": "Awareness", "discovery": "Discovery", "attraction": "Attraction",
    "interaction": "Interaction", "purchase": "Purchase", "use": "Use",
    "cultivation": "Cultivation", "advocacy": "Advocacy",
}
#: Importance-performance quadrants (Martilla & James 1977): high importance & low
#: performance, high & high, low & low, low importance & high performance.
IPA_NAMES = ("Concentrate here", "Keep up the good work", "Low priority", "Possible overkill")
#: Impact-effort quadrants: high impact & low effort, high & high, low & low,
#: low impact & high effort.
IMPACT_EFFORT_NAMES = ("Quick wins", "Major projects", "Fill-ins", "Thankless tasks")

#: The impact/effort chart: markers of this diameter (px) carry a number; the key beside
#: the plot lists number and label, KEY_PX wide, wrapped at KEY_COLUMNS columns; the plot
#: keeps PLOT_LEFT and PLOT_BOTTOM px for its axes. Plotly sets lines LINE_SPACING apart.
MARKER_PX, KEY_PX, KEY_PX_GAP, KEY_COLUMNS, KEY_GAP = 22, 250, 14, 42, 4
PLOT_LEFT, PLOT_BOTTOM, LINE_SPACING = 52, 56, 1.3
#: The plan grid: the owners' column and the padding inside a cell, px.
GRID_ROW_PX, GRID_PAD = 110, 5
#: No chart is shorter than this (px).
MIN_HEIGHT = 200

# Words in share names that pick the semantic colours, checked in this order
# ("dissatisfied" contains "satisfied").
_SEMANTIC_WORDS = (
    ("negative", ("detractor", "negative", "dissatisfied", "贬损", "不满")),
    ("neutral", ("passive", "neutral", "被动", "中立")),
    ("positive", ("promoter", "positive", "satisfied", "推荐", "满意")),
)

_DEFAULT_THEME = load_theme()
register(_DEFAULT_THEME, "cx")


def bars(frame: pd.DataFrame, x: str, y: str, *, ci_low: str | None = None,
         ci_high: str | None = None, n: str | None = None, color: str | None = None,
         orientation: str = "v", reference: float | None = None, reference_name: str = "",
         kind: str = "auto", title: str = "", subtitle: str = "", template="cx") -> go.Figure:
    """Draw a metric by group as bars with asymmetric interval whiskers.

    Parameters
    ----------
    frame : one row per bar.
    x, y : columns of the group and of the metric.
    ci_low, ci_high : columns of the interval bounds (both or neither).
    n : column of sample sizes, shown in hover and, with one bar per group, in the label.
    color : column splitting each group into side-by-side bars.
    orientation : "v" (groups along x) or "h" (groups down the y axis).
    reference : a value drawn as a line across the bars, e.g. the overall score.
    reference_name : the line's label as written, e.g. "All customers: +14.3" (callers
        format its figure with cxlib.outputs.text); the value by the rule of `kind` when
        empty.
    kind : how the metric reads in hover text and an unnamed reference line (a kind of
        cxlib.outputs.text.KINDS).
    subtitle : a line under the title, e.g. what the bars leave out.

    Returns
    -------
    go.Figure with one Bar trace per colour group.
    """
    _require(frame, x, y, ci_low, ci_high, n, color)
    _pair(ci_low, ci_high)
    if orientation not in ("v", "h"):
        raise ValueError(f"orientation must be 'v' or 'h', got {orientation!r}")
    theme = _theme(template)
    labels = _escaped(frame[x])
    if n is not None and color is None and labels.is_unique:
        joint = "<br>" if orientation == "v" else " "
        labels = _with_n(labels, frame[n], joint)
    groups = _groups(frame, color)
    fig = go.Figure()
    for i, (name, rows) in enumerate(groups):
        values = frame.loc[rows, y].astype(float)
        error = None
        if ci_low is not None:
            error = dict(type="data", symmetric=False, color=theme.muted, thickness=1.2, width=4,
                         array=frame.loc[rows, ci_high] - values,
                         arrayminus=values - frame.loc[rows, ci_low])
        hover = _hover(frame.loc[rows], [x, color], [y], ci_low, ci_high, n, kind=kind)
        bar = go.Bar(name=name, showlegend=color is not None, orientation=orientation,
                     marker_color=theme.primary if color is None else _cycle(theme.palette, i),
                     customdata=hover, hovertemplate="%{customdata}<extra></extra>")
        cats = labels[rows].tolist()
        if orientation == "v":
            bar.update(x=cats, y=values.tolist(), error_y=error)
        else:
            bar.update(y=cats, x=values.tolist(), error_x=error)
        fig.add_trace(bar)
    order = list(dict.fromkeys(labels))
    category = dict(type="category", categoryorder="array", categoryarray=order)
    value_axis = dict(title_text=_escape(y), zeroline=True, zerolinecolor=theme.muted)
    if orientation == "v":
        fig.update_xaxes(**category, showgrid=False)
        fig.update_yaxes(**value_axis)
        height = theme.height
    else:
        fig.update_yaxes(**category, autorange="reversed", showgrid=False)
        fig.update_xaxes(**value_axis)
        height = _rows_height(len(order) * len(groups), theme, per=26, minimum=220)
    if reference is not None:
        _reference_line(fig, reference, reference_name, orientation, theme, kind)
    fig.update_layout(barmode="group")
    return _finish(fig, theme, template, title, height, subtitle=subtitle)


def stacked_shares(frame: pd.DataFrame, x: str, shares: list[str], *, n: str | None = None,
                   title: str = "", template="cx") -> go.Figure:
    """Draw 100% stacked horizontal bars, e.g. detractors, passives and promoters by segment.

    Parameters
    ----------
    frame : one row per bar.
    x : column of the group.
    shares : columns of the parts, in stacking order; counts, fractions or percentages,
        each row is scaled to 100%. Names containing detractor/passive/promoter (or
        negative/neutral/positive) take those theme colours, others the palette.
    n : column of sample sizes, shown in the labels and hover.

    Returns
    -------
    go.Figure with one Bar trace per share, x in percent of the row.
    """
    shares = list(shares)
    _require(frame, x, n, *shares)
    theme = _theme(template)
    parts = frame[shares].astype(float)
    percent = parts.div(parts.sum(axis=1), axis=0) * 100
    labels = _escaped(frame[x])
    if n is not None:
        labels = _with_n(labels, frame[n], " ")
    colours = _semantic_colours(shares, theme)
    fig = go.Figure()
    for share, colour in zip(shares, colours):
        hover = [f"{label}<br>{_escape(share)}: {p:.1f}%"
                 for label, p in zip(labels, percent[share])]
        fig.add_trace(go.Bar(
            name=_escape(share), y=labels.tolist(), x=percent[share].tolist(), orientation="h",
            showlegend=True,
            marker_color=colour, text=[f"{p:.0f}%" for p in percent[share]],
            textposition="inside", insidetextanchor="middle",
            textfont_color=_ink_on(colour, theme), customdata=hover,
            hovertemplate="%{customdata}<extra></extra>"))
    fig.update_layout(barmode="stack", uniformtext=dict(minsize=theme.font_size - 2, mode="hide"),
                      legend_traceorder="normal")
    fig.update_xaxes(range=[0, 100], ticksuffix="%", showgrid=False)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels.tolist(),
                     autorange="reversed", showgrid=False)
    return _finish(fig, theme, template, title, _rows_height(len(labels), theme, minimum=220))


def sentiment_bars(frame: pd.DataFrame, label: str, negative: str, neutral: str,
                   positive: str, *, n: str | None = None, title: str = "",
                   template="cx") -> go.Figure:
    """Draw counts by sentiment as bars diverging from 0: negative to the left, positive to
    the right, neutral split across the middle; one row per label, in frame order.

    Parameters
    ----------
    frame : one row per bar, e.g. a touchpoint's interview excerpts.
    label : column of the row names.
    negative, neutral, positive : columns of the counts; their names are the legend's.
    n : column of sample sizes, shown in the labels.

    Returns
    -------
    go.Figure with Bar traces in relative mode; the x axis reads counts either way.
    """
    _require(frame, label, negative, neutral, positive, n)
    theme = _theme(template)
    labels = _escaped(frame[label]).map(lambda t: _wrap(t, 34, 2))
    if n is not None:
        labels = _with_n(labels, frame[n], " ")
    counts = {k: frame[k].astype(float) for k in (negative, neutral, positive)}
    fig = go.Figure()
    # Traces nearest 0 first, so each side stacks outwards; legend ranks read left to right.
    parts = ((neutral, 0.5, theme.neutral, True, 2), (positive, 1, theme.positive, True, 3),
             (neutral, -0.5, theme.neutral, False, 2), (negative, -1, theme.negative, True, 1))
    for column, sign, colour, legend, rank in parts:
        hover = [f"{lab}<br>{_escape(column)}: {_number(v, 'count')}"
                 for lab, v in zip(labels, counts[column])]
        fig.add_trace(go.Bar(
            y=labels.tolist(), x=(sign * counts[column]).tolist(), orientation="h",
            name=_escape(column), showlegend=legend, legendgroup=column, legendrank=rank,
            marker_color=colour, customdata=hover,
            hovertemplate="%{customdata}<extra></extra>"))
    widest = float(max((counts[negative] + counts[neutral] / 2).max(),
                       (counts[positive] + counts[neutral] / 2).max(), 1))
    step = max(1, math.ceil(widest / 4))
    ticks = list(range(-step * math.ceil(widest / step), step * math.ceil(widest / step) + 1,
                       step))
    fig.update_xaxes(tickvals=ticks, ticktext=[_number(abs(t), "count") for t in ticks],
                     range=[-widest * 1.08, widest * 1.08], zeroline=True,
                     zerolinecolor=theme.muted)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels.tolist(),
                     autorange="reversed", showgrid=False)
    fig.update_layout(barmode="relative", legend_traceorder="normal")
    per = 36 if labels.str.contains("<br>").any() else 26
    return _finish(fig, theme, template, title, _rows_height(len(frame), theme, per=per,
                                                             minimum=220))


def journey_map(frame: pd.DataFrame, stage: str, touchpoint: str, gap: str, importance: str,
                breakpoint: str, *, stages: Sequence[str] | Mapping[str, str] = DEFAULT_STAGES,
                n: str | None = None, title: str = "", template="cx") -> go.Figure:
    """Draw the journey: stages as columns, each touchpoint a dot in its stage.

    Colour is the gap on the diverging scale centred at 0, size the importance; breakpoints
    get a ring, a bold name and a legend entry titled with the `breakpoint` column name.

    Parameters
    ----------
    frame : one row per touchpoint, in the order to stack them within a stage.
    stage, touchpoint, gap, importance : columns of the stage, the touchpoint's name, the
        perception-expectation gap and the importance.
    breakpoint : column of booleans, true for breakpoints.
    stages : the stage values in journey order, or a mapping from value to display name;
        every stage is drawn, with or without touchpoints.
    n : column of sample sizes, shown in hover.

    Returns
    -------
    go.Figure: a Scatter of touchpoints (x = stage position) and a Scatter of rings.
    """
    _require(frame, stage, touchpoint, gap, importance, breakpoint, n)
    theme = _theme(template)
    names = dict(stages) if isinstance(stages, Mapping) else {s: s for s in stages}
    order = list(names)
    unknown = sorted(set(frame[stage].astype(str)) - set(map(str, order)))
    if unknown:
        raise ValueError(f"stage {', '.join(map(repr, unknown))} is not one of the stages: "
                         f"{', '.join(map(str, order))}")
    position = {str(s): i for i, s in enumerate(order)}
    x = frame[stage].astype(str).map(position)
    y = frame.groupby(x, sort=False).cumcount()
    sizes = _scaled(frame[importance], 14, 36)
    is_break = frame[breakpoint].fillna(False).astype(bool)
    text = [f"<b>{_wrap(t)}</b>" if b else _wrap(t) for t, b in zip(frame[touchpoint], is_break)]
    hover = _hover(frame, [touchpoint, stage], [gap, importance], None, None, n)
    fig = go.Figure(go.Scatter(
        x=x.tolist(), y=y.tolist(), mode="markers+text", text=text, showlegend=False,
        textposition="bottom center", textfont=dict(size=theme.font_size - 2),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        marker=dict(size=sizes.tolist(), color=frame[gap].astype(float).tolist(),
                    colorscale=theme.diverging_scale, cmid=0, showscale=True,
                    line=dict(color=theme.muted, width=0.5),
                    colorbar=dict(title=dict(text=_escape(gap), side="right"),
                                  orientation="h", x=0.5, xanchor="center", yref="container",
                                  y=0, yanchor="bottom", ypad=EDGE, len=0.45, thickness=10,
                                  outlinewidth=0))))
    fig.add_trace(go.Scatter(
        x=x[is_break].tolist(), y=y[is_break].tolist(), mode="markers", name=_escape(breakpoint),
        showlegend=True, hoverinfo="skip",
        marker=dict(symbol="circle-open", size=(sizes[is_break] + 9).tolist(), color=theme.accent,
                    line=dict(width=2))))
    # Every other stage shaded: the shapes add_vrect would add, set at once (add_vrect
    # walks the whole figure once per shape).
    fig.update_layout(shapes=[dict(type="rect", xref="x", yref="y domain", x0=i - 0.5,
                                   x1=i + 0.5, y0=0, y1=1, fillcolor=theme.grid, opacity=0.45,
                                   line=dict(width=0), layer="below")
                              for i in range(0, len(order), 2)])
    rows = max(int(y.max()) + 1 if len(y) else 1, 1)
    fig.update_xaxes(side="top", range=[-0.5, len(order) - 0.5], showgrid=False, zeroline=False,
                     tickmode="array", tickvals=list(range(len(order))), ticks="",
                     ticktext=[_wrap(names[s], 12) for s in order], showline=False,
                     tickfont=dict(color=theme.primary))
    fig.update_yaxes(range=[rows - 0.35, -0.45], visible=False)
    fig.update_layout(margin=dict(b=80))
    stage_lines = max(_wrap(names[s], 12).count("<br>") + 1 for s in order)
    return _finish(fig, theme, template, title, max(theme.height, 130 + 88 * rows),
                   top=8 + stage_lines * (theme.font_size + 4), legend="bottom")


def dumbbell(frame: pd.DataFrame, label: str, start: str, end: str, *,
             start_name: str = "Expectation", end_name: str = "Perception",
             ci_low: str | None = None, ci_high: str | None = None, n: str | None = None,
             status: str | None = None, kind: str = "auto", title: str = "",
             template="cx") -> go.Figure:
    """Draw one row per label with a line from its start value to its end value.

    Rows are sorted by end minus start, the most negative first (at the top). Lines are
    red where end < start and green otherwise; with `status`, red where it says
    "negative", green where "positive" and muted elsewhere, so the colours follow the
    caller's test rather than the sign alone.

    Parameters
    ----------
    frame : one row per label.
    label, start, end : columns of the row name and the two values.
    start_name, end_name : legend names of the two dots.
    ci_low, ci_high : columns of the interval of the end value, drawn as whiskers.
    n : column of sample sizes, shown in the labels and hover.
    status : column of "negative", "positive" or anything else (e.g. a significance
        verdict), choosing each line's colour.
    kind : how the values read in hover text (a kind of cxlib.outputs.text.KINDS).

    Returns
    -------
    go.Figure: line traces (red, green and, with `status`, muted), the start dots, the end
    dots.
    """
    _require(frame, label, start, end, ci_low, ci_high, n, status)
    _pair(ci_low, ci_high)
    theme = _theme(template)
    rows = frame.assign(_gap=frame[end] - frame[start]).sort_values("_gap", kind="stable")
    labels = _escaped(rows[label])
    if n is not None:
        labels = _with_n(labels, rows[n], " ")
    fig = go.Figure()
    if status is None:
        tone = np.where(rows["_gap"] < 0, "negative", "positive")
    else:
        tone = rows[status].where(rows[status].isin(["negative", "positive"]), "muted")
    tone = pd.Series(tone, index=rows.index)
    for name, colour in (("negative", theme.negative), ("positive", theme.positive),
                         ("muted", theme.muted)):
        keep = tone == name
        if status is None and name == "muted":
            continue
        xs, ys = [], []
        for lab, s, e in zip(labels[keep], rows.loc[keep, start], rows.loc[keep, end]):
            xs += [s, e, None]
            ys += [lab, lab, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", showlegend=False, hoverinfo="skip",
                                 line=dict(color=colour, width=3)))
    shown = {start: start_name, end: end_name, "_gap": f"{end_name} − {start_name}"}
    hover = _hover(rows, [label], [start, end, "_gap"], ci_low, ci_high, n, shown, kind)
    fig.add_trace(go.Scatter(
        x=rows[start].tolist(), y=labels.tolist(), mode="markers", name=_escape(start_name),
        showlegend=True,
        marker=dict(color=theme.background, size=11, line=dict(color=theme.muted, width=2)),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    error = None
    if ci_low is not None:
        error = dict(type="data", symmetric=False, color=theme.primary, thickness=1.2, width=3,
                     array=rows[ci_high] - rows[end], arrayminus=rows[end] - rows[ci_low])
    fig.add_trace(go.Scatter(
        x=rows[end].tolist(), y=labels.tolist(), mode="markers", name=_escape(end_name),
        showlegend=True,
        marker=dict(color=theme.primary, size=11), error_x=error,
        customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels.tolist(),
                     autorange="reversed", showgrid=False)
    return _finish(fig, theme, template, title, _rows_height(len(rows), theme, minimum=220))


def sankey(frame: pd.DataFrame, source: str, target: str, value: str, *,
           title: str = "", template="cx") -> go.Figure:
    """Draw flows between nodes, e.g. customers moving between channels.

    Rows with the same source and target are summed. Names are shared nodes when the
    flows form no cycle; otherwise (e.g. self-service -> self-service) sources are drawn
    on the left and targets on the right.

    Parameters
    ----------
    frame : one row per flow.
    source, target, value : columns of the from-node, the to-node and the size.

    Returns
    -------
    go.Figure with one Sankey trace.
    """
    _require(frame, source, target, value)
    theme = _theme(template)
    flows = (frame.assign(_s=frame[source].astype(str), _t=frame[target].astype(str))
             .groupby(["_s", "_t"], sort=False)[value].sum().reset_index())
    names = list(dict.fromkeys([*flows["_s"], *flows["_t"]]))
    colour = {name: _cycle(theme.palette, i) for i, name in enumerate(names)}
    if _has_cycle(flows["_s"], flows["_t"]):
        left = list(dict.fromkeys(flows["_s"]))
        right = list(dict.fromkeys(flows["_t"]))
        nodes = left + right
        src = [left.index(s) for s in flows["_s"]]
        dst = [len(left) + right.index(t) for t in flows["_t"]]
    else:
        nodes = names
        src = [names.index(s) for s in flows["_s"]]
        dst = [names.index(t) for t in flows["_t"]]
    hover = [f"{_escape(s)} → {_escape(t)}<br>{_escape(value)}: {_number(v)}"
             for s, t, v in flows[["_s", "_t", value]].itertuples(index=False)]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=[_escape(v) for v in nodes], pad=18, thickness=16,
                  color=[colour[v] for v in nodes], line=dict(width=0),
                  hovertemplate="%{label}: %{value}<extra></extra>"),
        link=dict(source=src, target=dst, value=flows[value].tolist(),
                  color=[_rgba(colour[s], 0.35) for s in flows["_s"]],
                  customdata=hover, hovertemplate="%{customdata}<extra></extra>"),
        textfont=dict(size=theme.font_size, color=theme.text)))
    return _finish(fig, theme, template, title, theme.height)


def quadrant(frame: pd.DataFrame, x: str, y: str, label: str, x_cut: float, y_cut: float, *,
             quadrant_names: Sequence[str] = IPA_NAMES, size: str | None = None,
             n: str | None = None, title: str = "", template="cx") -> go.Figure:
    """Draw an importance-performance grid: points, crosshair lines and quadrant names.

    Parameters
    ----------
    frame : one row per point (e.g. touchpoint).
    x, y : columns of importance (across) and performance (up).
    label : column of the point names, written next to the points.
    x_cut, y_cut : where the crosshair lines cross, e.g. the means.
    quadrant_names : four names for (high x & low y, high & high, low & low,
        low x & high y); English Martilla & James names by default.
    size : column sizing the points.
    n : column of sample sizes, shown in hover.

    Returns
    -------
    go.Figure with one Scatter trace; points at or above a cut count as high.
    """
    _require(frame, x, y, label, size, n)
    theme = _theme(template)
    corners = {(True, False): 0, (True, True): 1, (False, False): 2, (False, True): 3}
    colours = (theme.negative, theme.positive, theme.muted, theme.accent)
    return _quadrant_chart(frame, x, y, label, x_cut, y_cut, quadrant_names, corners, colours,
                           size, None, n, theme, title, template)


def impact_effort(frame: pd.DataFrame, impact: str, effort: str, label: str, *,
                  number: str | None = None, color: str | None = None,
                  impact_cut: float | None = None, effort_cut: float | None = None,
                  quadrant_names: Sequence[str] = IMPACT_EFFORT_NAMES, n: str | None = None,
                  title: str = "", template="cx") -> go.Figure:
    """Draw initiatives as numbered markers by effort (across) and impact (up), with a key.

    No label sits on a point or on another label: each marker carries its number and the
    key beside the plot lists every number with its label in full (e.g. the roadmap
    table's priority and title). Initiatives with the same impact and effort sit side by
    side around their value; hover gives the exact values.

    Parameters
    ----------
    frame : one row per initiative.
    impact, effort, label : columns of impact, effort and the initiative's name.
    number : column of the number shown on each marker and in the key; 1, 2, ... in the
        frame's order when None.
    color : column grouping the markers (one legend entry each); by quadrant otherwise.
    impact_cut, effort_cut : where the quadrant lines are; the middle of the data's range
        when None.
    quadrant_names : four names for (high impact & low effort, high & high, low & low,
        low impact & high effort).
    n : column of sample sizes, shown in hover.

    Returns
    -------
    go.Figure with one Scatter trace per colour group, the key as annotations.
    """
    _require(frame, impact, effort, label, number, color, n)
    names = list(quadrant_names)
    if len(names) != 4:
        raise ValueError(f"quadrant_names needs four names, got {len(names)}")
    theme = _theme(template)
    xs, ys = frame[effort].astype(float), frame[impact].astype(float)
    x_cut = _middle(xs) if effort_cut is None else effort_cut
    y_cut = _middle(ys) if impact_cut is None else impact_cut
    numbers = (frame[number] if number is not None else
               pd.Series(range(1, len(frame) + 1), index=frame.index)).map(_plain)
    corners = {(False, True): 0, (True, True): 1, (False, False): 2, (True, False): 3}
    colours = (theme.positive, theme.primary, theme.muted, theme.negative)
    which = [corners[(bool(a >= x_cut), bool(b >= y_cut))] for a, b in zip(xs, ys)]
    groups = _groups(frame, color)
    colour_of = pd.Series("", index=frame.index, dtype=object)
    for i, (_, rows) in enumerate(groups):
        for r in rows:
            colour_of[r] = (colours[which[frame.index.get_loc(r)]] if color is None
                            else _cycle(theme.palette, i))
    # The key: number and label in full, one entry under the other, beside the plot.
    line_px = LINE_SPACING * (theme.font_size - 2)
    entries = [f'<b><span style="color:{colour_of[r]}">{_escape(k)}</span></b>  '
               + _wrap(frame.at[r, label], KEY_COLUMNS, 12)
               for r, k in zip(frame.index, numbers)]
    heights = [(e.count("<br>") + 1) * line_px + KEY_GAP for e in entries]
    fig = go.Figure()
    hover = pd.Series(_hover(frame, [label], [effort, impact], None, None, n), index=frame.index)
    for i, (name, rows) in enumerate(groups):
        fig.add_trace(go.Scatter(
            x=[0.0] * len(rows), y=[0.0] * len(rows), mode="markers+text", name=name,
            showlegend=color is not None, text=numbers[rows].tolist(),
            textposition="middle center",
            textfont=dict(size=theme.font_size - 2,
                          color=[_ink_on(c, theme) for c in colour_of[rows]]),
            marker=dict(size=MARKER_PX, color=colour_of[rows].tolist(),
                        line=dict(color=theme.background, width=1)),
            customdata=hover[rows].tolist(), hovertemplate="%{customdata}<extra></extra>"))
    top = _finish(fig, theme, template, title, theme.height + 60).layout.margin.t
    height = max(theme.height + 60, int(top + PLOT_BOTTOM + sum(heights) + 8))
    fig = _finish(fig, theme, template, title, height)      # the legend placed for it
    plot_w = theme.width - PLOT_LEFT - KEY_PX - 2 * EDGE
    plot_h = height - top - PLOT_BOTTOM
    x_range, y_range = _room(xs, x_cut, plot_w), _room(ys, y_cut, plot_h)
    named = {spot: names[index] for spot, index in corners.items()}
    blocked = [_corner_box(name, right, high, theme, plot_w, plot_h)
               for (right, high), name in named.items()]
    px, py = _dodged(xs, ys, x_range, y_range, plot_w, plot_h, blocked)
    for trace, (_, rows) in zip(fig.data, groups):
        trace.x, trace.y = px[rows].tolist(), py[rows].tolist()
    offset = 0.0
    for entry, h in zip(entries, heights):
        fig.add_annotation(text=entry, xref="paper", yref="paper",
                           x=1 + (KEY_PX_GAP) / plot_w, y=1 - offset / plot_h,
                           xanchor="left", yanchor="top", align="left", showarrow=False,
                           font=dict(size=theme.font_size - 2, color=theme.text))
        offset += h
    line = dict(color=theme.muted, width=1, dash="dash")
    fig.add_vline(x=x_cut, line=line)
    fig.add_hline(y=y_cut, line=line)
    _corner_names(fig, names, corners, colours if color is None else None, theme)
    whole = all(float(v).is_integer() for v in pd.concat([xs, ys]))
    ticks = dict(tick0=0, dtick=1) if whole else {}
    fig.update_xaxes(range=x_range, title_text=_escape(effort), zeroline=False,
                     automargin=False, **ticks)
    fig.update_yaxes(range=y_range, title_text=_escape(impact), zeroline=False,
                     automargin=False, **ticks)
    fig.update_layout(margin=dict(l=PLOT_LEFT + EDGE, r=KEY_PX + EDGE,
                                                 b=PLOT_BOTTOM, autoexpand=False))
    return fig


def _room(values: pd.Series, cut: float, pixels: float) -> list[float]:
    """An axis range around the values and the cut, with room for markers set aside."""
    low, high = min(values.min(), cut), max(values.max(), cut)
    span = (high - low) or 1.0
    # Each side keeps two markers' room for initiatives set beside a tie at the edge.
    pad = max(0.15 * span, 2.5 * MARKER_PX / max(pixels - 5 * MARKER_PX, MARKER_PX) * span)
    return [low - pad, high + pad]


def _dodged(xs: pd.Series, ys: pd.Series, x_range, y_range, width: float, height: float,
            blocked: list[tuple]) -> tuple[pd.Series, pd.Series]:
    """Marker positions, in data units, with no marker on another or on a corner name.

    Works in pixels of the plot area. In the frame's order (the first keep their exact
    value), each marker takes the nearest free place on a square grid around its value,
    side by side first.
    """
    step = MARKER_PX + 2
    per_x = width / (x_range[1] - x_range[0])
    per_y = height / (y_range[1] - y_range[0])
    tx = ((xs - x_range[0]) * per_x).to_numpy()
    ty = ((ys - y_range[0]) * per_y).to_numpy()
    places = [(col * step, row * step) for row in range(-4, 5) for col in range(-6, 7)]
    places.sort(key=lambda p: (round(math.hypot(*p), 3), abs(p[1]), -p[1], abs(p[0]), p[0]))
    radius = MARKER_PX / 2
    placed: list[tuple[float, float]] = []
    for x0, y0 in zip(tx, ty):
        best = None
        for dx, dy in places:
            x, y = x0 + dx, y0 + dy
            box = (x - radius, y - radius, x + radius, y + radius)
            if (radius <= x <= width - radius and radius <= y <= height - radius
                    and all(max(abs(x - a), abs(y - b)) >= step - 1e-6 for a, b in placed)
                    and not any(_overlap(box, other) for other in blocked)):
                best = (x, y)
                break
        placed.append(best or (x0, y0))
    px = pd.Series([x / per_x + x_range[0] for x, _ in placed], index=xs.index)
    py = pd.Series([y / per_y + y_range[0] for _, y in placed], index=ys.index)
    return px, py


def heatmap(frame: pd.DataFrame, x: str, y: str, value: str, *, text: str | None = None,
            kind: str = "auto", title: str = "", template="cx") -> go.Figure:
    """Draw a long frame as a grid of coloured cells, diverging around 0 if values span it.

    Parameters
    ----------
    frame : one row per cell, at most one row per (x, y).
    x, y : columns of the column and row categories, in order of first appearance.
    value : column of the cell values (e.g. counts, mean sentiment).
    text : column of the cell text; the formatted value when None.
    kind : how the values read (a kind of cxlib.outputs.text.KINDS).

    Returns
    -------
    go.Figure with one Heatmap trace; missing cells are blank.
    """
    _require(frame, x, y, value, text)
    if frame.duplicated([x, y]).any():
        raise ValueError(f"heatmap needs at most one row per ({x!r}, {y!r}) pair")
    theme = _theme(template)
    cols = list(dict.fromkeys(frame[x]))
    rows = list(dict.fromkeys(frame[y]))
    grid = frame.set_index([y, x])
    z = grid[value].astype(float).unstack().reindex(index=rows, columns=cols)
    if text is not None:
        words = grid[text].map(_escape).unstack().reindex(index=rows, columns=cols).fillna("")
    else:
        words = z.map(lambda v: "" if pd.isna(v) else _number(v, kind))
    hover = [[f"{_escape(r)} · {_escape(c)}<br>{_escape(value)}: {_number(z.loc[r, c], kind)}"
              for c in cols] for r in rows]
    low, high = np.nanmin(z.to_numpy()), np.nanmax(z.to_numpy())
    diverging = low < 0 < high
    trace = go.Heatmap(
        z=z.to_numpy().tolist(), x=[_escape(c) for c in cols], y=[_escape(r) for r in rows],
        text=words.to_numpy().tolist(), texttemplate="%{text}",
        textfont=dict(size=theme.font_size - 1), customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", xgap=2, ygap=2,
        colorscale=theme.diverging_scale if diverging else theme.sequential_scale,
        colorbar=dict(title=dict(text=_escape(value), side="top"), thickness=10,
                      outlinewidth=0, len=0.8))
    if diverging:
        trace.update(zmid=0)
    fig = go.Figure(trace)
    # Column labels run flat when they fit, slanted when columns are wide enough for
    # slanted labels not to touch, upright otherwise; the top band grows to hold them.
    label_px = max((_columns(_plain(c)) for c in cols), default=0) * 0.6 * theme.font_size
    column_px = (theme.width - 220) / max(len(cols), 1)
    angle = 0 if label_px <= column_px else -35 if column_px >= 2.2 * theme.font_size else -90
    rise = {0: theme.font_size + 4, -35: 0.57 * label_px, -90: label_px}[angle]
    fig.update_xaxes(side="top", showgrid=False, tickangle=angle)
    widest = max((_columns(str(w)) for w in words.to_numpy().ravel()), default=0)
    if widest * 0.6 * (theme.font_size - 1) > column_px - 4:
        fig.update_traces(texttemplate=None, text=None)     # unreadable: leave it to hover
    fig.update_yaxes(autorange="reversed", showgrid=False)
    present = pd.Series(z.to_numpy().ravel()).dropna()
    if (present % 1 == 0).all() and present.abs().max() <= 10:
        fig.update_traces(colorbar_dtick=1)      # small counts: no 1.5, 2.5 ticks
    top = 12 + rise
    height = _rows_height(len(rows), theme, per=34 if len(rows) <= 12 else 24, minimum=240) + top
    return _finish(fig, theme, template, title, height, top=top)


def radar(frame: pd.DataFrame, axis: str, value: str, series: str, *,
          range: tuple[float, float] = (1, 5), kind: str = "auto", title: str = "",
          template="cx") -> go.Figure:
    """Draw a polar chart with one closed line per series (e.g. waves or functions).

    Parameters
    ----------
    frame : one row per (series, axis).
    axis : column of the spokes, in order of first appearance.
    value : column of the values along the spokes.
    series : column naming each line.
    range : the radial axis range, e.g. the 1-5 maturity scale.
    kind : how the values read in hover text (a kind of cxlib.outputs.text.KINDS).

    Returns
    -------
    go.Figure with one Scatterpolar trace per series; each line repeats its first point
    to close.
    """
    _require(frame, axis, value, series)
    theme = _theme(template)
    spokes = list(dict.fromkeys(frame[axis]))
    theta = [_wrap(s, 14) for s in spokes]
    fig = go.Figure()
    for i, (name, rows) in enumerate(_groups(frame, series)):
        r = frame.loc[rows].set_index(axis)[value].astype(float).reindex(spokes)
        colour = _cycle(theme.palette, i)
        hover = [f"{name}<br>{_escape(s)}: {_number(v, kind)}" for s, v in zip(spokes, r)]
        fig.add_trace(go.Scatterpolar(
            r=[*r, r.iloc[0]], theta=[*theta, theta[0]], name=name, mode="lines+markers",
            showlegend=True,
            line=dict(color=colour, width=2), marker=dict(size=6), fill="toself",
            fillcolor=_rgba(colour, 0.08), customdata=[*hover, hover[0]],
            hovertemplate="%{customdata}<extra></extra>"))
    # The radial ticks run between the first two spokes, clear of both lines.
    between = 90 - 180 / max(len(spokes), 1)
    fig.update_polars(radialaxis=dict(range=list(range), angle=between, tickangle=between,
                                      dtick=1),
                      angularaxis=dict(direction="clockwise", rotation=90),
                      # room below for spoke names of three lines (they were cut)
                      domain=dict(x=[0.12, 0.88], y=[0.13, 0.91]))
    return _finish(fig, theme, template, title, theme.height + 90)


def forest(frame: pd.DataFrame, label: str, estimate: str, ci_low: str, ci_high: str, *,
           reference: float | None = None, log_x: bool = False, n: str | None = None,
           significant: str | None = None, kind: str = "auto", title: str = "",
           template="cx") -> go.Figure:
    """Draw estimates with their intervals, one row each, against a reference line.

    Estimates whose interval excludes the reference are drawn in the primary colour, the
    others muted; with `significant` (a column of booleans, e.g. from adjusted p-values)
    that column decides instead, so the colours say what the text says.

    Parameters
    ----------
    frame : one row per estimate, in the order shown from the top.
    label, estimate, ci_low, ci_high : columns of the row name, the estimate and its
        interval.
    reference : the no-effect value; 1 with `log_x` (odds ratios), else 0.
    log_x : a logarithmic x axis, for ratios.
    n : column of sample sizes, shown in the labels and hover.
    significant : column of booleans choosing the primary colour.
    kind : how the estimates read in hover text (a kind of cxlib.outputs.text.KINDS).

    Returns
    -------
    go.Figure with one Scatter trace.
    """
    _require(frame, label, estimate, ci_low, ci_high, n, significant)
    theme = _theme(template)
    reference = (1 if log_x else 0) if reference is None else reference
    if log_x and (reference <= 0 or (frame[[estimate, ci_low, ci_high]] <= 0).any().any()):
        raise ValueError("a log x axis needs positive estimates, bounds and reference")
    labels = _escaped(frame[label])
    if n is not None:
        labels = _with_n(labels, frame[n], " ")
    clear = ((frame[ci_low] > reference) | (frame[ci_high] < reference) if significant is None
             else frame[significant].fillna(False).astype(bool))
    colours = [theme.primary if c else theme.muted for c in clear]
    fig = go.Figure(go.Scatter(
        x=frame[estimate].tolist(), y=labels.tolist(), mode="markers", showlegend=False,
        marker=dict(color=colours, size=10, symbol="square"),
        error_x=dict(type="data", symmetric=False, color=theme.muted, thickness=1.5, width=4,
                     array=(frame[ci_high] - frame[estimate]).tolist(),
                     arrayminus=(frame[estimate] - frame[ci_low]).tolist()),
        customdata=_hover(frame, [label], [estimate], ci_low, ci_high, n, kind=kind),
        hovertemplate="%{customdata}<extra></extra>"))
    fig.add_vline(x=reference, line=dict(color=theme.text, width=1, dash="dot"))
    fig.update_xaxes(type="log" if log_x else "linear", title_text=_escape(estimate))
    if log_x:
        low = min(frame[ci_low].min(), reference)
        high = max(frame[ci_high].max(), reference)
        fig.update_xaxes(tickvals=_log_ticks(low, high), ticktext=None, minor_showgrid=False)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels.tolist(),
                     autorange="reversed", showgrid=False)
    return _finish(fig, theme, template, title, _rows_height(len(frame), theme, minimum=220))


def histogram(frame: pd.DataFrame, x: str, *, color: str | None = None, bins: int | None = None,
              count: str | None = None, title: str = "", template="cx") -> go.Figure:
    """Draw the distribution of a score, e.g. 0-10 recommendation answers.

    Whole-number scores spanning at most 20 points get one bar per value. With `color`,
    each group is a trace named with its n. Groups that cover separate ranges of the score
    (detractors, passives, promoters) are counts in one row of bars, coloured negative,
    neutral and positive when their names say so; overlapping groups (regions) are side by
    side, each in percent of its own n.

    Parameters
    ----------
    frame : one row per answer, or per distinct answer with `count`.
    x : column of the scores.
    color : column of the groups.
    bins : number of bins for other data; plotly's choice when None.
    count : column of how many answers each row stands for (pre-binned answers, so the
        figure holds counts per value, never each respondent's answer in file order).

    Returns
    -------
    go.Figure with one Histogram trace per group.
    """
    _require(frame, x, color, count)
    theme = _theme(template)
    values = frame[x].astype(float)
    present = values.dropna()
    whole = len(present) and (present == present.round()).all() and np.ptp(present) <= 20
    groups = _groups(frame, color)
    percent = color is not None and not _separate(values, groups)
    colours = (_semantic_colours([name for name, _ in groups], theme) if color is not None
               else [theme.primary])
    fig = go.Figure()
    for (name, rows), colour in zip(groups, colours):
        kept = values[rows].dropna()
        weight = (frame.loc[kept.index, count].astype(float) if count is not None
                  else pd.Series(1.0, index=kept.index))
        answers = _figure(weight.sum(), "count", "en")
        trace = go.Histogram(
            x=kept.tolist(), name=f"{name} (n={answers})" if color else name,
            showlegend=color is not None, histnorm="percent" if percent else "",
            marker=dict(color=colour, line=dict(width=0)),
            hovertemplate=("%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>" if percent
                           else "%{x}: %{y}<extra></extra>"))
        if count is not None:
            trace.update(y=weight.tolist(), histfunc="sum")
        if whole:
            trace.update(xbins=dict(start=present.min() - 0.5, end=present.max() + 0.5, size=1))
        elif bins:
            trace.update(nbinsx=int(bins))
        fig.add_trace(trace)
    if whole:
        fig.update_xaxes(dtick=1, tick0=0)
    fig.update_xaxes(title_text=_escape(x), showgrid=False)
    fig.update_yaxes(title_text="%" if percent else "n", ticksuffix="%" if percent else "")
    fig.update_layout(barmode="group" if percent else "overlay", bargap=0.15)
    return _finish(fig, theme, template, title, theme.height)


def _separate(values: pd.Series, groups: list) -> bool:
    """Whether the groups' ranges of values do not overlap (e.g. loyalty groups of a score)."""
    spans = sorted((values[rows].min(), values[rows].max()) for _, rows in groups
                   if values[rows].notna().any())
    return all(high < low for (_, high), (low, _) in zip(spans, spans[1:]))


def plan_grid(frame: pd.DataFrame, row: str, column: str, label: str, *,
              number: str | None = None, columns: Sequence | None = None,
              column_names: Mapping | None = None, title: str = "",
              template="cx") -> go.Figure:
    """Draw a plan as a grid: one row per owner, one column per horizon, entries in cells.

    Each entry is its number and label in full (e.g. the roadmap table's priority and
    title), under the row and column it belongs to, e.g. the 30/60/90-day plan by owner.

    Parameters
    ----------
    frame : one row per entry, in the order listed within a cell.
    row, column : columns of the row (e.g. owner) and the column (e.g. horizon in days);
        rows in order of first appearance.
    label : column of the entries' names.
    number : column of the number before each entry; none when None.
    columns : the column values in order, every one drawn even when empty; the values
        found, in order of first appearance, when None.
    column_names : heading of each column value; the value itself when missing.

    Returns
    -------
    go.Figure drawn in pixels: shapes for the rows, annotations for headings and entries.
    """
    _require(frame, row, column, label, number)
    theme = _theme(template)
    wanted = list(dict.fromkeys(frame[column])) if columns is None else list(columns)
    owners = list(dict.fromkeys(frame[row]))
    heads = [str((column_names or {}).get(v, v)) for v in wanted]
    fig = _finish(go.Figure(), theme, template, title, theme.height)
    top = fig.layout.margin.t
    width = theme.width - 2 * EDGE
    cell = (width - GRID_ROW_PX) / max(len(wanted), 1)
    size = theme.font_size - 2
    wrap = max(8, int((cell - 2 * GRID_PAD) / (0.5 * size)))
    line_px = LINE_SPACING * size
    y = (theme.font_size + 2) * LINE_SPACING + 2 * GRID_PAD       # under the headings
    for j, head in enumerate(heads):
        fig.add_annotation(text=f"<b>{_wrap(head, wrap, 1)}</b>", x=GRID_ROW_PX + (j + .5) * cell,
                           y=GRID_PAD, xanchor="center", yanchor="top", showarrow=False,
                           font=dict(size=theme.font_size, color=_cycle(theme.palette, j)))
    for i, owner in enumerate(owners):
        rows = frame[frame[row] == owner]
        used = [0.0] * len(wanted)
        for r in rows.index:
            if frame.at[r, column] not in wanted:
                continue
            j = wanted.index(frame.at[r, column])
            mark = "" if number is None else f"<b>{_escape(frame.at[r, number])}</b>  "
            entry = mark + _wrap(frame.at[r, label], wrap, 12)
            fig.add_annotation(text=entry, x=GRID_ROW_PX + j * cell + GRID_PAD,
                               y=y + GRID_PAD + used[j], xanchor="left", yanchor="top",
                               align="left", showarrow=False,
                               font=dict(size=size, color=theme.text))
            used[j] += (entry.count("<br>") + 1) * line_px + GRID_PAD
        owner_text = _wrap(owner, int(GRID_ROW_PX / (0.6 * theme.font_size)), 3)
        tall = max(max(used), (owner_text.count("<br>") + 1) * LINE_SPACING * theme.font_size)
        tall += 2 * GRID_PAD
        if i % 2 == 0:
            fig.add_shape(type="rect", x0=0, x1=width, y0=y, y1=y + tall, layer="below",
                          fillcolor=_rgba(theme.grid, 0.6), line_width=0)
        fig.add_annotation(text=f"<b>{owner_text}</b>", x=GRID_PAD, y=y + GRID_PAD,
                           xanchor="left", yanchor="top", align="left", showarrow=False,
                           font=dict(size=theme.font_size - 1, color=theme.primary))
        y += tall
    for j in range(1, len(wanted)):
        x = GRID_ROW_PX + j * cell
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=y, line=dict(color=theme.grid, width=1))
    bottom = max(8, MIN_HEIGHT - int(top + y))          # a short plan keeps its scale
    fig.update_layout(xaxis=dict(range=[0, width], visible=False, fixedrange=True),
                      yaxis=dict(range=[y, 0], visible=False, fixedrange=True),
                      height=int(top + y + bottom), showlegend=False,
                      margin=dict(l=EDGE, r=EDGE, b=bottom, autoexpand=False))
    return fig


# --- shared helpers -----------------------------------------------------------------------

def _require(frame: pd.DataFrame, *columns) -> None:
    """Fail at once, naming every missing column and listing the frame's columns."""
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise ValueError(f"{noun} {', '.join(map(repr, missing))} not in the frame; "
                         f"the columns are: {', '.join(map(repr, frame.columns))}")


def _pair(low: str | None, high: str | None) -> None:
    if (low is None) != (high is None):
        raise ValueError("give both ci_low and ci_high, or neither")


def _escape(value) -> str:
    """Make client text safe to draw: plotly reads '<...>' in any text as a tag.

    Only '<' and '>' change (to entities plotly shows as the characters). '%{' needs no
    escape because client text only ever reaches plotly as data (customdata, text, tick
    labels), which plotly substitutes into a hovertemplate without reading it again.
    """
    return _plain(value).replace("<", "&lt;").replace(">", "&gt;")


def _plain(value) -> str:
    """The value as text; a missing value as empty text."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value)


def _escaped(column: pd.Series) -> pd.Series:
    return column.map(_escape)


def _with_n(labels: pd.Series, n: pd.Series, joint: str) -> pd.Series:
    """Append the sample size to each label: 'North (n=412)'."""
    return pd.Series([lab if pd.isna(k) else f"{lab}{joint}(n={int(k):,})"
                      for lab, k in zip(labels, n)], index=labels.index)


def _number(value, kind: str = "auto") -> str:
    """A number in a chart by the rule of its kind (cxlib.outputs.text), '–' when missing."""
    if value is None or pd.isna(value):
        return "–"
    return _figure(value, kind, "en")


def _hover(rows: pd.DataFrame, names: list, values: list, ci_low, ci_high, n,
           shown: dict | None = None, kind: str = "auto") -> list[str]:
    """Hover text per row: names on the first line, then 'column: value' lines.

    `shown` maps a value column to the name written for it, the column name by default;
    values and the interval read by the rule of `kind`.
    """
    shown = shown or {}
    texts = []
    for _, row in rows.iterrows():
        lines = [" · ".join(_escape(row[c]) for c in names if c is not None)]
        for c in (v for v in values if v is not None):
            lines.append(f"{_escape(shown.get(c, c))}: {_number(row[c], kind)}")
        if ci_low is not None:
            lines.append(f"95% CI: {_number(row[ci_low], kind)} to {_number(row[ci_high], kind)}")
        if n is not None:
            lines.append(f"n = {_number(row[n], 'count')}")
        texts.append("<br>".join(lines))
    return texts


def _groups(frame: pd.DataFrame, column: str | None) -> list[tuple[str, pd.Index]]:
    """Row labels per value of a column in order of first appearance; all rows if None.

    Rows missing the value belong to no group.
    """
    if column is None:
        return [("", frame.index)]
    present = frame[column].notna()
    keys = frame[column].astype(str)
    return [(_escape(k), frame.index[present & (keys == k)])
            for k in dict.fromkeys(keys[present])]


def _theme(template) -> Theme:
    """The Theme behind a template name; the default theme for plotly's own templates."""
    return (registered(template) if isinstance(template, str) else None) or _DEFAULT_THEME


def _finish(fig: go.Figure, theme: Theme, template, title: str, height: float,
            top: float = 0, legend: str = "top", subtitle: str = "") -> go.Figure:
    """Apply template and size, and reserve a top band for the title, its subtitle, the
    legend and top labels.

    The band is measured in pixels because plotly's own margin pushing ignores a title in
    container coordinates and lets the legend, title and top-side tick labels overlap.
    """
    height = int(height)
    title_px = TITLE_PAD + (theme.font_size + 4 + 14 if title else 0)
    subtitle_px = theme.font_size + 8 if title and subtitle else 0
    height += subtitle_px
    title_px += subtitle_px
    shown = [t.name or "" for t in fig.data if getattr(t, "showlegend", False)]
    legend_px = _legend_rows(shown, theme) * (theme.font_size + 12)
    place = dict(xref="container", x=EDGE / theme.width, xanchor="left", yref="container")
    if legend == "top":
        place.update(y=1 - title_px / height, yanchor="top")
        band = title_px + legend_px + top
    else:
        place.update(y=0, yanchor="bottom")
        band = title_px + top
    fig.update_layout(
        template=template, width=theme.width, height=height, showlegend=bool(shown),
        title=dict(text=_escape(title) if title else None, x=0, xref="container",
                   xanchor="left", y=1, yref="container", yanchor="top",
                   pad=dict(t=TITLE_PAD, l=EDGE)),
        legend=dict(orientation="h", **place), margin=dict(t=int(band) + 6))
    if subtitle_px:
        fig.update_layout(title_subtitle=dict(
            text=_escape(subtitle), font=dict(size=theme.font_size - 1, color=theme.muted)))
    return fig


def _legend_rows(names: list[str], theme: Theme) -> int:
    """How many rows a horizontal legend with these entries takes at the chart's width."""
    if not names:
        return 0
    room, rows, used = theme.width - 2 * EDGE, 1, 0.0
    for name in names:
        item = 44 + 0.6 * (theme.font_size - 1) * _columns(name)
        if used and used + item > room:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _rows_height(rows: float, theme: Theme, per: float = 30, minimum: float | None = None) -> int:
    """A height that gives each row of a horizontal chart room, above a minimum."""
    floor = theme.height if minimum is None else minimum
    return int(max(floor, 130 + per * rows))


def _reference_line(fig: go.Figure, value: float, name: str, orientation: str, theme: Theme,
                    kind: str = "auto"):
    """A dashed line at `value`, labelled `name` as given, else the value as `kind` reads
    (a bare "14.26" beside a text saying +14.3 read as another figure)."""
    text = _escape(name) if name else _number(value, kind)
    line = dict(color=theme.accent, width=1.5, dash="dash")
    # On a light ground: the label often sits over a bar, where accent on primary is faint.
    label = dict(annotation_text=text, annotation_font_color=theme.accent,
                 annotation_bgcolor=_rgba(theme.background, 0.85))
    if orientation == "v":
        fig.add_hline(y=value, line=line, annotation_position="top right", **label)
    else:
        fig.add_vline(x=value, line=line, annotation_position="top", **label)


def _quadrant_chart(frame, x, y, label, x_cut, y_cut, names, corners, colours, size, color, n,
                    theme: Theme, title, template) -> go.Figure:
    """Scatter with crosshair lines, labels beside the points and a name in each corner."""
    names = list(names)
    if len(names) != 4:
        raise ValueError(f"quadrant_names needs four names, got {len(names)}")
    xs, ys = frame[x].astype(float), frame[y].astype(float)
    which = [corners[(bool(a >= x_cut), bool(b >= y_cut))] for a, b in zip(xs, ys)]
    sizes = _scaled(frame[size], 10, 38) if size is not None else pd.Series(12, frame.index)
    labels = frame[label].map(lambda t: _wrap(t, 18, 2))
    x_range, y_range, height = _padded(xs, x_cut), _padded(ys, y_cut), theme.height + 60
    named = {spot: names[index] for spot, index in corners.items()}
    places = pd.Series(_label_places(xs, ys, labels, sizes, x_range, y_range, named, theme,
                                     height), index=frame.index)
    labels = labels.where(places.notna(), "")
    places = places.fillna("top center")
    hover = pd.Series(_hover(frame, [label], [x, y, size], None, None, n), index=frame.index)
    fig = go.Figure()
    for i, (name, rows) in enumerate(_groups(frame, color)):
        if color is None:
            point_colours = [colours[which[frame.index.get_loc(r)]] for r in rows]
        else:
            point_colours = _cycle(theme.palette, i)
        fig.add_trace(go.Scatter(
            x=xs[rows].tolist(), y=ys[rows].tolist(), mode="markers+text", name=name,
            showlegend=color is not None, text=labels[rows].tolist(),
            textposition=places[rows].tolist(), textfont=dict(size=theme.font_size - 2),
            marker=dict(size=sizes[rows].tolist(), color=point_colours, opacity=0.85,
                        line=dict(color=theme.background, width=1)),
            customdata=hover[rows].tolist(), hovertemplate="%{customdata}<extra></extra>"))
    line = dict(color=theme.muted, width=1, dash="dash")
    fig.add_vline(x=x_cut, line=line)
    fig.add_hline(y=y_cut, line=line)
    _corner_names(fig, names, corners, colours if color is None else None, theme)
    fig.update_xaxes(range=x_range, title_text=_escape(x), zeroline=False)
    fig.update_yaxes(range=y_range, title_text=_escape(y), zeroline=False)
    return _finish(fig, theme, template, title, height)


def _corner_names(fig: go.Figure, names: list[str], corners: dict, colours, theme: Theme):
    """Each quadrant's name in its corner of the plot, in its colour (muted without)."""
    spots = {index: spot for spot, index in corners.items()}
    for index, name in enumerate(names):
        right, top = spots[index]
        fig.add_annotation(text=f"<b>{_escape(name)}</b>", xref="paper", yref="paper",
                           x=1 if right else 0, y=1 if top else 0, showarrow=False,
                           xanchor="right" if right else "left", yanchor="top" if top else "bottom",
                           font=dict(color=theme.muted if colours is None else colours[index],
                                     size=theme.font_size), bgcolor=_rgba(theme.background, 0.8))


def _label_places(xs: pd.Series, ys: pd.Series, labels: pd.Series, sizes: pd.Series,
                  x_range: list[float], y_range: list[float], corners: dict,
                  theme: Theme, height: int) -> list[str | None]:
    """Pick each point's text position so that labels overlap labels, points and corners least.

    Works in approximate pixels of the plot area. Outlying points are placed first (in a
    grid they are the ones worth reading); each takes the position of eight with least
    overlap. A label that would still be mostly covered gets None: it is left to hover.
    """
    width_px, height_px = theme.width - 80, height - 100          # plot area, about
    char_px, line_px = 0.58 * (theme.font_size - 2), 1.25 * (theme.font_size - 2)
    px = ((xs - x_range[0]) / (x_range[1] - x_range[0]) * width_px).to_numpy()
    py = ((ys - y_range[0]) / (y_range[1] - y_range[0]) * height_px).to_numpy()
    radius = (sizes / 2).to_numpy()
    points = [(x - r, y - r, x + r, y + r) for x, y, r in zip(px, py, radius)]
    placed = [_corner_box(name, right, top, theme, width_px, height_px)
              for (right, top), name in corners.items()]
    spread = np.hypot(px - np.median(px), py - np.median(py))
    choices: list[str | None] = [None] * len(px)
    for i in np.argsort(-spread, kind="stable"):
        lines = labels.iloc[i].replace("&lt;", "<").replace("&gt;", ">").split("<br>")
        w = max(_columns(line) for line in lines) * char_px + 4
        h = len(lines) * line_px
        gap = radius[i] + 3
        best_cost, best = math.inf, None
        for name, (dx, dy) in _PLACES.items():
            cx, cy = px[i] + dx * (gap + w / 2), py[i] + dy * (gap + h / 2)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            cost = sum(_overlap(box, other) for other in placed)
            cost += 4 * sum(_overlap(box, p) for j, p in enumerate(points) if j != i)
            cost += _outside(box, width_px, height_px) * 2
            if cost < best_cost - 1e-9:
                best_cost, best = cost, (name, box)
        if best_cost <= 0.15 * w * h:
            choices[i] = best[0]
            placed.append(best[1])
    return choices


def _corner_box(name: str, right: bool, top: bool, theme: Theme, width: float,
                height: float) -> tuple:
    """The pixel box a quadrant name takes in its corner of the plot area."""
    w = _columns(name) * 0.62 * theme.font_size + 8
    h = 1.5 * theme.font_size
    x0 = width - w if right else 0
    y0 = height - h if top else 0
    return (x0, y0, x0 + w, y0 + h)


# plotly's text positions and the direction each moves a label from its point.
_PLACES = {"top center": (0, 1), "bottom center": (0, -1), "middle right": (1, 0),
           "middle left": (-1, 0), "top right": (1, 1), "top left": (-1, 1),
           "bottom right": (1, -1), "bottom left": (-1, -1)}


def _overlap(a: tuple, b: tuple) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _outside(box: tuple, width: float, height: float) -> float:
    inside = _overlap(box, (0, 0, width, height))
    return (box[2] - box[0]) * (box[3] - box[1]) - inside


def _log_ticks(low: float, high: float) -> list[float]:
    """Ticks for a log axis around low..high: 1-2-5 per decade, denser for short spans."""
    steps = (1, 1.5, 2, 3, 5, 7) if math.log10(high / low) <= 1.5 else (1, 2, 5)
    ticks = [round(m * 10.0 ** k, 12) for k in range(math.floor(math.log10(low)) - 1,
                                                     math.ceil(math.log10(high)) + 1)
             for m in steps]
    # Generous: plotly leaves out ticks beyond the axis range it settles on.
    return [t for t in ticks if low / 2 <= t <= high * 2]


def _padded(values: pd.Series, cut: float) -> list[float]:
    low, high = min(values.min(), cut), max(values.max(), cut)
    pad = 0.15 * ((high - low) or 1.0)
    return [low - pad, high + pad]


def _middle(values: pd.Series) -> float:
    return float(values.min() + values.max()) / 2


def _scaled(values: pd.Series, smallest: float, largest: float) -> pd.Series:
    """Map values onto marker diameters so that marker area grows with the value."""
    values = values.astype(float)
    low, high = values.min(), values.max()
    if not high > low:
        return pd.Series((smallest + largest) / 2, index=values.index)
    share = ((values - low) / (high - low)).fillna(0)
    return smallest + (largest - smallest) * np.sqrt(share)


def _semantic_colours(names: list[str], theme: Theme) -> list[str]:
    """Negative/neutral/positive colours when every name says which it is; else the palette."""
    found = []
    for name in names:
        lower = str(name).lower()
        kind = next((k for k, words in _SEMANTIC_WORDS if any(w in lower for w in words)), None)
        found.append(kind)
    if all(found) and len(set(found)) == len(found):
        return [getattr(theme, k) for k in found]
    return [_cycle(theme.palette, i) for i in range(len(names))]


def _cycle(colours: Sequence[str], i: int) -> str:
    return colours[i % len(colours)]


def _rgba(colour: str, alpha: float) -> str:
    hexa = colour.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    r, g, b = (int(hexa[k:k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _ink_on(colour: str, theme: Theme) -> str:
    """Text colour readable on a fill: the background on dark fills, the text colour on light."""
    r, g, b = (int(v) for v in _rgba(colour, 1)[5:-1].split(",")[:3])
    light = 0.299 * r + 0.587 * g + 0.114 * b > 150
    return theme.text if light else theme.background


def _wrap(text, width: int = 13, lines: int = 3) -> str:
    """Escape client text and break it into lines of about `width` columns with <br>.

    CJK characters count two columns; text beyond `lines` lines ends in an ellipsis.
    """
    out, line, used = [], "", 0
    for word in _tokens(_plain(text)):
        size = _columns(word)
        if line and used + size > width:
            out.append(line.rstrip())
            line, used = "", 0
            word = word.lstrip()
            size = _columns(word)
        line += word
        used += size
    out.append(line.rstrip())
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(1, len(out[-1]) - 1)] + "…"
    return "<br>".join(_escape(line) for line in out)


def _tokens(text: str) -> list[str]:
    """Words with their leading space; each CJK character is a word of its own."""
    tokens, word = [], ""
    for ch in str(text):
        if _columns(ch) == 2 or ch == " ":
            if word:
                tokens.append(word)
            word = ch
            if _columns(ch) == 2:
                tokens.append(word)
                word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _has_cycle(sources: Sequence[str], targets: Sequence[str]) -> bool:
    """Whether flows between shared nodes loop back (self-loops included)."""
    edges: dict[str, set[str]] = {}
    for s, t in zip(sources, targets):
        edges.setdefault(s, set()).add(t)
    state: dict[str, int] = {}               # 1 = on the current path, 2 = done

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1 or (state.get(nxt) is None and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(state.get(node) is None and visit(node) for node in list(edges))
