"""The analyst's workbench: controls that redraw a practice's charts, tables and sentences.

A workbench computes its practice's Section (cxlib.practices) for the values of its
controls and shows it through views: `controls`, `narrative`, `metrics`, `caveats`,
`figure(name)` and `table(name)`. In JupyterLab (`live` true) each view is a widget that
a control change redraws in place: each figure keeps its output area and its chart is
replaced there, and sentences, headline figures and tables are HTML drawn from the
report's own views (`report.metric_view`, `report.table_view`), so every figure reads as
it does in the report. Under papermill (`live` false) there are no controls and each view
is the static Section, exactly what the practice function returns for the given values.

What a control does not change is kept: the client restricted to each filter value
(segment, wave, function) is built once per client, and each Section once per
combination of values, so going back to a value redraws without computing anything. A
live workbench warms up in the background: one worker thread computes, for every value of
each filter, the restricted client, the practice's kept per-client work and the Section
at the notebook's values, then the Section of every alpha level and slider step with the
other controls at theirs, so a first visit to a value of any one control finds it ready
(a second control moved first, that value is computed from the kept work). The notebook
stays usable meanwhile (a control moved during the warm-up computes what it needs itself,
or waits for the value being warmed); `Workbench.warm_up` is the warm-up's future,
`warm_seconds` its wall and CPU seconds.
"""
from __future__ import annotations

import dataclasses
import functools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import ipywidgets as w
import jinja2
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from IPython.core.formatters import format_display_data
from IPython.display import HTML
from plotly.io.base_renderers import MimetypeRenderer

from .. import paths
from ..inputs.client import Client, among, kept_for, load_client
from ..practices import sections as practices
from . import report, text
from .section import Section
from .theme import css_variables, load_theme

#: Sections kept per workbench, most recent last; older ones are computed again if needed.
KEEP_SECTIONS = 64
#: The significance levels offered for alpha (the notebook's own value is added if missing).
ALPHAS = (0.001, 0.01, 0.05, 0.1, 0.2)
#: Slider ranges and steps of the numeric parameters; the declared range is checked on save.
SLIDERS = {"threshold": (0.0, 2.0, 0.05, ".2f"), "what_if_share": (0.0, 1.0, 0.05, ".0%")}
#: The value of a filter's "All" choice (a dropdown shows no selection for None).
ALL = ""
#: The warm-ups of live workbenches, run one after another by one daemon thread (three
#: workbenches of the explorer would otherwise compete for the kernel with the analyst's
#: changes; a daemon, so a kernel shutting down does not wait for a warm-up to finish).
_WARM_UPS: queue.SimpleQueue = queue.SimpleQueue()
_WARMER: list[threading.Thread] = []


def _warm_ups() -> None:
    while True:
        future, work = _WARM_UPS.get()
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(work())
            except BaseException as err:       # kept in the future, for whoever asks
                future.set_exception(err)


def _in_background(work: Callable[[], None]) -> Future:
    """Run `work` on the warm-up thread after the warm-ups queued before it."""
    if not _WARMER:
        _WARMER.append(threading.Thread(target=_warm_ups, name="cx-workbench-warm-up",
                                        daemon=True))
        _WARMER[0].start()
    future: Future = Future()
    _WARM_UPS.put((future, work))
    return future

_WIDE = w.Layout(width="40em")
_LABELS = {"description_width": "14em"}


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(paths.TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined)


_CSS: dict[tuple, str] = {}


def _css(client: Client) -> str:
    """The client's theme as CSS variables of the views (theme.yml read once per client)."""
    key = (client.config.folder, repr(sorted(client.config.brand.items())))
    if key not in _CSS:
        theme = load_theme(client.config.brand, client.config.folder)
        _CSS[key] = css_variables(theme).replace(":root", ".cx-view")
    return _CSS[key]


def _render(client: Client, view: str, **values) -> str:
    """One view as HTML, in the client's language and theme."""
    lang = client.config.language
    return _environment().get_template("workbench.html.j2").render(
        view=view, css=_css(client),
        t=lambda key, **kw: text.t(lang, key, **kw), **values)


def _t(client: Client, key: str, **values) -> str:
    return text.t(client.config.language, key, **values)


# -- what a filter keeps -------------------------------------------------------------

def restrict(client: Client, segment: tuple[str, str] | None = None, wave=None,
             function: str | None = None) -> Client:
    """The client with only one segment value's respondents, or one wave or function's
    assessment answers; None keeps everyone.

    A segment keeps its respondents' ratings, CRM rows and journeys, and is no longer a
    segment of the restricted client (it has one value left).
    """
    changes = {}
    if segment is not None:
        name, value = segment
        keep = client.survey[name].astype("string") == str(value)
        keep = keep.fillna(False).to_numpy()
        survey = client.survey[keep]
        changes.update(survey=survey, perception=client.perception[keep],
                       expectation=client.expectation[keep], importance=client.importance[keep])
        if "customer_id" in survey:
            # By Arrow's hash lookup (inputs.client.among), as the CRM join: Series.isin
            # on the Arrow strings of 100,000 customers is several times slower.
            customers = survey["customer_id"].dropna().unique()
            if client.outcomes is not None:
                changes["outcomes"] = client.outcomes[
                    among(client.outcomes["customer_id"], customers)]
            if client.journeys is not None:
                changes["journeys"] = client.journeys[
                    among(client.journeys["customer"], customers)]
        # Gone from the segment columns (what client.segments reads) and from client.yml's.
        changes["segment_columns"] = tuple(s for s in client.segments if s != name)
        survey_config = dataclasses.replace(client.config.survey, segments=tuple(
            s for s in client.config.survey.segments if s != name))
        changes["config"] = dataclasses.replace(client.config, survey=survey_config)
    if client.assessment is not None and (wave is not None or function is not None):
        answers = client.assessment
        if wave is not None:
            answers = answers[answers["wave"] == wave]
        if function is not None:
            answers = answers[answers["function"] == function]
        changes["assessment"] = answers
    return dataclasses.replace(client, **changes) if changes else client


def _ordered_values(values: pd.Series) -> list:
    """A column's values in their order: a category's own order, else as they first appear."""
    present = values.dropna()
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if (present == c).any()]
    return list(pd.unique(present))


def _filter_options(client: Client, name: str) -> list[tuple[str, object]]:
    """A filter's dropdown: a labelled "All" first, then every value in its order."""
    if name == "segment":
        options = [(_t(client, "workbench.all_respondents"), ALL)]
        for segment in client.segments:
            options += [(_t(client, "workbench.segment_value", segment=segment, value=v),
                         (segment, str(v))) for v in _ordered_values(client.survey[segment])]
        return options
    answers = client.assessment if client.assessment is not None else pd.DataFrame(
        {"wave": [], "function": []})
    if name == "wave":
        return [(_t(client, "workbench.all_waves"), ALL)] + [
            (_t(client, "axes.wave_n", n=int(v)), v) for v in sorted(answers["wave"].dropna()
                                                                     .unique())]
    return [(_t(client, "workbench.all_functions"), ALL)] + [
        (str(v), v) for v in _ordered_values(answers["function"])]


# -- controls ------------------------------------------------------------------------

def _choices(name: str, value: float) -> list[float]:
    """The values a parameter's control offers: the alpha levels, or the slider's steps
    (to the starting value, when it lies above the declared range); none for a parameter
    without a control."""
    if name == "alpha":
        return sorted(set(ALPHAS) | {float(value)})
    if name not in SLIDERS:
        return []
    low, high, step, _ = SLIDERS[name]
    return [_on_step(name, low + k * step)
            for k in range(round((max(high, float(value)) - low) / step) + 1)]


def _on_step(name: str, value: float) -> float:
    """A slider's value as its step has it (0.3, not the browser's 0.30000000000000004):
    one key for one setting, in kept Sections and in settings.yml."""
    return round(float(value), 6) if name in SLIDERS else value


def _parameter_control(client: Client, name: str, value: float) -> w.ValueWidget:
    label = _t(client, f"workbench.{name}")
    if name == "alpha":
        levels = _choices(name, value)
        lang = client.config.language
        return w.SelectionSlider(options=[(report.setting_value(name, v, lang), v)
                                          for v in levels], value=float(value),
                                 description=label, continuous_update=False, layout=_WIDE,
                                 style=_LABELS)
    low, high, step, shown = SLIDERS[name]
    return w.FloatSlider(value=float(value), min=low, max=max(high, float(value)), step=step,
                         description=label, readout_format=shown, continuous_update=False,
                         layout=_WIDE, style=_LABELS)


def _filter_control(client: Client, name: str) -> w.Dropdown:
    return w.Dropdown(options=_filter_options(client, name), value=ALL,
                      description=_t(client, f"workbench.{name}"), layout=_WIDE, style=_LABELS)


def _classed(widget: w.DOMWidget, *names: str) -> w.DOMWidget:
    """A widget with CSS classes the browser tests (and custom styles) find it by."""
    for name in names:
        widget.add_class(name)
    return widget


def _show(area: w.Output, shown) -> None:
    """Show `shown` (a chart, or a note) in an output area, replacing what it showed.

    The area's state is set to the display's data, as `display` inside `with area` would
    leave it, but without a display message: under Voila such a message, sent while a cell
    still ran, made the page's executor send on the kernel's shell channel while it awaited
    the cell's reply there; the reply was left unread and the page never finished (4 starts
    in 14 here).
    """
    if isinstance(shown, go.Figure):
        data, metadata = _chart_bundle(shown), {}
    else:
        data, metadata = format_display_data(shown)
    area.outputs = ({"output_type": "display_data", "data": data, "metadata": metadata},)


def _chart_bundle(figure: go.Figure) -> dict:
    """The chart's data for each of plotly's default renderers that gives a mime type, as
    `display` would send it (plotly's own mime type where none is set, as outside IPython).
    The figure's own `_repr_mimebundle_` sets the renderers up again on every call, reading
    and formatting plotly.js each time: 25 ms a chart."""
    spec, bundle = figure.to_dict(), {}
    for name in (pio.renderers.default or "plotly_mimetype").split("+"):
        renderer = pio.renderers[name]
        if isinstance(renderer, MimetypeRenderer):
            bundle.update(renderer.to_mimebundle(spec))
    return bundle


class _Figure:
    """A figure view that a control change redraws in place: one output area kept for
    good, whose chart is replaced (or a note shown when a selection has no such chart)."""

    def __init__(self, name: str, section: Section):
        self.name, self.shown, self.drawn = name, None, None
        self.box = _classed(w.Output(), "cx-figure", f"cx-figure-{name}")
        self.update(section)

    def update(self, section: Section) -> None:
        figure = section.figures.get(self.name)
        if figure is not None and figure is self.shown:
            return                      # a Section seen before: its chart is on screen
        self.shown = figure
        drawn = None if figure is None else figure.to_json()
        if drawn is not None and drawn == self.drawn:
            return                      # the same chart (a control it does not depend on)
        self.drawn = drawn
        _show(self.box, section.figure(self.name))


class Workbench:
    """One practice's Section for the values of its controls, and the views that show it.

    Parameters
    ----------
    client : the client, as `load_client` gives it.
    practice : the practice function, `Client, **parameters -> Section`.
    parameters : the run parameters the practice takes, at the notebook's values.
    filters : the filters offered: "segment", "wave", "function".
    live : controls and widgets (JupyterLab) or the static Section (papermill).
    """

    def __init__(self, client: Client, practice: Callable[..., Section], parameters: dict,
                 filters: tuple[str, ...] = (), live: bool = True):
        self.client, self.live, self._practice = client, live, practice
        self._values = dict(parameters)
        self._filters = {name: None for name in filters}
        # Kept with the client object: the workbenches of one client (a cell run again, the
        # explorer's three) share its restrictions, and so the practices' work kept for each.
        self._clients = kept_for(client, "restrictions")
        self._sections: dict[tuple, Section] = {}
        self._computing: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()
        self._views: list[Callable[[Section], None]] = []
        self.section = self._compute()
        self._controls, self._syncing = None, False
        self.warm_up: Future | None = None
        self.warm_seconds: tuple[float, float] | None = None
        if live:
            self._build_controls()
            self.warm_up = _in_background(functools.partial(
                self._warm, dict(self._filters), tuple(sorted(self._values.items()))))

    # what is computed -----------------------------------------------------------------
    def _restricted(self, filters: tuple) -> Client:
        restricted = self._clients.get(filters)
        if restricted is None:
            restricted = self._clients.setdefault(filters, restrict(self.client,
                                                                    **dict(filters)))
        return restricted

    def _compute(self, filters: tuple | None = None, values: tuple | None = None) -> Section:
        """The Section for these filters and parameter values (the controls' by default),
        computed once: a Section being computed by the other thread is waited for."""
        filters = tuple(self._filters.items()) if filters is None else filters
        values = tuple(sorted(self._values.items())) if values is None else values
        key = (filters, values)
        while True:
            with self._lock:
                if key in self._sections:
                    return self._sections[key]
                busy = self._computing.get(key)
                if busy is None:
                    busy = self._computing[key] = threading.Event()
                    break
            busy.wait()                 # then kept, or failed there and computed here
        try:
            section = self._practice(self._restricted(filters), **dict(values))
            with self._lock:
                if len(self._sections) >= KEEP_SECTIONS:
                    self._sections.pop(next(iter(self._sections)))
                self._sections[key] = section
            return section
        finally:
            with self._lock:
                self._computing.pop(key)
            busy.set()

    def _warm(self, filters: dict, values: tuple) -> None:
        """Compute the Section of each value of each control, the other controls at the
        values the workbench started with: each filter value in the dropdown's order, then
        each alpha level and slider step, nearest to the starting value first. A value that
        cannot be computed is left for its control to say why."""
        start, cpu = time.perf_counter(), time.thread_time()
        wanted = [(tuple({**filters, name: value}.items()), values)
                  for name in filters for _, value in _filter_options(self.client, name)[1:]]
        for name, now in values:
            wanted += [(tuple(filters.items()), tuple(sorted({**dict(values), name: v}.items())))
                       for v in sorted(_choices(name, now), key=lambda v: abs(v - now))]
        for key in wanted:
            try:
                self._compute(*key)
            except ValueError:
                pass
        self.warm_seconds = (time.perf_counter() - start, time.thread_time() - cpu)

    def set(self, **values) -> Section:
        """Move controls to these values (parameters or filters) and redraw every view."""
        for name, value in values.items():
            if name in self._filters:
                self._filters[name] = None if value == ALL else value
            elif name in self._values:
                self._values[name] = _on_step(name, value)
            else:
                raise KeyError(f"no control '{name}': this workbench has "
                               + ", ".join([*self._values, *self._filters]))
        if self.live:
            self._syncing = True        # the controls show what was set, without a second redraw
            try:
                for name, value in values.items():
                    self.inputs[name].value = ALL if value is None else value
            finally:
                self._syncing = False
        try:
            section = self._compute()
        except ValueError as err:   # e.g. too few respondents in a segment for key drivers
            if not self.live:
                raise
            self._problem.value = _render(self.client, "note", note=_t(
                self.client, "workbench.not_computed", reason=str(err)))
            return self.section
        if self.live:
            self._problem.value = ""
        self.section = section
        for update in self._views:
            update(self.section)
        return self.section

    # controls --------------------------------------------------------------------------
    def _build_controls(self) -> None:
        client = self.client
        rows = [_classed(w.HTML(self._banner()), "cx-banner")]
        inputs = {name: _parameter_control(client, name, value)
                  for name, value in self._values.items()}
        inputs.update({name: _filter_control(client, name) for name in self._filters})
        for name, control in inputs.items():
            _classed(control, "cx-control", f"cx-control-{name}")
            control.observe(lambda change, name=name: self._moved(name, change["new"]),
                            names="value")
        rows += list(inputs.values())
        self._problem = _classed(w.HTML(), "cx-problem")
        rows.append(self._problem)
        if self._values:
            button = _classed(w.Button(description=_t(client, "workbench.use_settings"),
                                       tooltip=_t(client, "workbench.use_settings_help"),
                                       icon="save", layout=w.Layout(width="auto")),
                              "cx-use-settings")
            status = _classed(w.HTML(), "cx-saved")
            button.on_click(lambda _: setattr(status, "value", self._save()))
            rows += [button, status]
        self._controls = _classed(w.VBox(rows), "cx-controls")
        self.inputs = inputs

    def _moved(self, name: str, value) -> None:
        if not self._syncing:
            self.set(**{name: value})

    def _banner(self) -> str:
        return _render(self.client, "banner", name=self.client.name, client_id=self.client.id)

    def _save(self) -> str:
        """Write the parameters' values to settings.yml; the file's settings as the reply."""
        from ..runs.parameters import write_settings

        path = write_settings(self.client.config.folder, self._values)
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("#")]
        return _render(self.client, "saved", path=str(path), client_id=self.client.id,
                       saved="\n".join(lines))

    @property
    def controls(self):
        """The client's name, the controls and "use these settings" (the name alone static)."""
        if not self.live:
            return HTML(self._banner())
        return self._controls

    # views -----------------------------------------------------------------------------
    def _view(self, draw: Callable[[Section], str], *classes: str):
        if not self.live:
            return HTML(draw(self.section))
        widget = _classed(w.HTML(draw(self.section)), *classes)
        self._views.append(lambda section: setattr(widget, "value", draw(section)))
        return widget

    @property
    def narrative(self):
        """The section's sentences, as the report words them."""
        return self._view(lambda s: _render(self.client, "narrative", sentences=s.narrative),
                          "cx-narrative")

    @property
    def metrics(self):
        """The headline figures with their n and intervals, as the report's cards show them."""
        lang = self.client.config.language
        return self._view(lambda s: _render(self.client, "metrics", metrics=[
            report.metric_view(k, m, lang, self.client.config.currency)
            for k, m in s.metrics.items()]), "cx-metrics")

    @property
    def caveats(self):
        """What the reader must know: small samples, assumptions, missing inputs."""
        return self._view(lambda s: _render(self.client, "caveats", caveats=s.caveats),
                          "cx-caveats")

    def table(self, name: str):
        """A result table as the report shows it (its columns, formatted cells)."""
        last: dict = {}

        def draw(section: Section) -> str:
            frame = section.tables.get(name)
            if frame is None or not _same_table(frame, last.get("frame")):
                last.update(frame=frame, html=_table_html(self.client, section, name))
            return last["html"]        # a table a control did not change is not redrawn

        return self._view(draw, "cx-table", f"cx-table-{name}")

    def figure(self, name: str):
        """A chart: a FigureWidget redrawn in place (live), else the Section's own figure."""
        if not self.live:
            return self.section.figure(name)
        view = _Figure(name, self.section)
        self._views.append(view.update)
        return view.box


def _same_table(frame: pd.DataFrame, before: pd.DataFrame | None) -> bool:
    """Whether a table holds what it held before: the same labels, values and notes."""
    return (before is not None and frame.equals(before)
            and list(frame.columns) == list(before.columns)
            and list(frame.index) == list(before.index) and frame.attrs == before.attrs)


def _table_html(client: Client, section: Section, name: str) -> str:
    if name not in section.tables:
        return _render(client, "note", note=repr(section.table(name)))
    lang = client.config.language
    return _render(client, "table", title=text.t(lang, f"tables.{name}", default=""),
                   table=report.table_view(section.id, name, section.tables[name], lang,
                                           client.config.currency))


# -- one workbench per practice notebook -----------------------------------------------

def outcomes(client: Client, what_if_share: float = 0.2, live: bool = True) -> Workbench:
    """P1 with the what-if share and a segment filter."""
    return Workbench(client, practices.outcomes, {"what_if_share": what_if_share},
                     ("segment",), live)


def touchpoints(client: Client, threshold: float = 0.5, alpha: float = 0.05,
                live: bool = True) -> Workbench:
    """P2 with the breakpoint threshold, alpha and a segment filter."""
    return Workbench(client, practices.touchpoints, {"threshold": threshold, "alpha": alpha},
                     ("segment",), live)


def perception_gaps(client: Client, threshold: float = 0.5, alpha: float = 0.05,
                    live: bool = True) -> Workbench:
    """P3 with the breakpoint threshold, alpha and a segment filter."""
    return Workbench(client, practices.perception_gaps,
                     {"threshold": threshold, "alpha": alpha}, ("segment",), live)


def capabilities(client: Client, live: bool = True) -> Workbench:
    """P4 for one wave and one function of the staff assessment, or all of them."""
    return Workbench(client, practices.capabilities, {}, ("wave", "function"), live)


# -- intake: which client ----------------------------------------------------------------

#: The intake's tables: each input file (its rows, when it changed), the ratings per
#: touchpoint, and the survey's columns in aggregates only.
INTAKE_TABLES = {"sources": lambda client: client.sources.set_index("input"),
                 "overview": practices.overview, "survey": practices.survey_summary}


class Intake:
    """The intake notebook's client: picked from data/clients, with its files and coverage."""

    def __init__(self, client: str | Path, live: bool = True):
        from ..runs.run import all_clients

        self.client, self.live = load_client(client), live
        self._views: list[Callable[[Client], None]] = []
        if not live:
            return
        options = [(_client_label(c), c) for c in all_clients()]
        if self.client.id not in [c for _, c in options]:
            options.append((f"{self.client.name} ({self.client.id})", str(client)))
        chosen = next(v for label, v in options if v in (self.client.id, str(client)))
        self.picker = _classed(w.Dropdown(options=options, value=chosen,
                                          description=_t(self.client, "workbench.pick_client"),
                                          layout=_WIDE, style=_LABELS),
                               "cx-control", "cx-control-client")
        self.picker.observe(lambda change: self.pick(change["new"]), names="value")
        self._banner = _classed(w.HTML(self._banner_html()), "cx-banner")

    def pick(self, client: str | Path) -> Client:
        """Load another client and redraw every view for it; a client whose files have
        problems is named with them, and the views stay on the one loaded before."""
        from ..errors import CxError

        try:
            loaded = load_client(client)
        except CxError as err:
            if not self.live:
                raise
            self._banner.value = self._banner_html() + _render(
                self.client, "note", note=_t(self.client, "workbench.not_loaded",
                                             client=str(client), reason=str(err)))
            return self.client
        self.client = loaded
        if self.live:
            self._banner.value = self._banner_html()
        for update in self._views:
            update(self.client)
        return self.client

    def _banner_html(self) -> str:
        return _render(self.client, "banner", name=self.client.name, client_id=self.client.id)

    @property
    def controls(self):
        """The client picker and the loaded client's name (the name alone static)."""
        if not self.live:
            return HTML(self._banner_html())
        return _classed(w.VBox([self._banner, self.picker]), "cx-controls")

    def table(self, name: str):
        """A table of INTAKE_TABLES for the picked client, formatted as the report formats
        tables."""
        def draw(client: Client) -> str:
            frame = INTAKE_TABLES[name](client)
            table = report.table_view("intake", name, frame, client.config.language,
                                      client.config.currency)
            return _render(client, "table", title="", table=table)

        if not self.live:
            return HTML(draw(self.client))
        widget = _classed(w.HTML(draw(self.client)), "cx-table", f"cx-table-{name}")
        self._views.append(lambda client: setattr(widget, "value", draw(client)))
        return widget


def _client_label(client: str) -> str:
    """A client as the picker lists it: its name and id, from client.yml alone."""
    from ..errors import CxError
    from ..inputs.client import client_folder
    from ..inputs.config import load_config

    try:
        return f"{load_config(client_folder(client)).name} ({client})"
    except CxError:           # a client.yml with problems: `cx validate` names them
        return client


def intake(client: str | Path, live: bool = True) -> Intake:
    """The intake notebook's client picker and views."""
    return Intake(client, live)


# -- comments (issue 12's keyword explorer) -------------------------------------------------

def _live(compute, live: bool, **controls):
    """`compute(**values)` shown in an output area a control change redraws; its static
    result when not live."""
    if not live:
        return compute(**{k: c.value for k, c in controls.items()})
    out = w.Output()

    def refresh(_=None):
        _show(out, compute(**{k: c.value for k, c in controls.items()}))

    for control in controls.values():
        control.observe(refresh, names="value")
    refresh()
    return w.VBox([w.HBox(list(controls.values())), out])


def keyword_explorer(client: Client, keyword: str = "", live: bool = True):
    """How many comments a keyword would catch, and how many no codebook theme catches yet.

    Type a word, a stem ("charg*") or a phrase as the codebook would have it; the count (a
    sentence, its numbers as the report writes them) and a few of the comments it catches
    (new ones first, redacted, in the report's table style) follow as you type. Not live,
    the same view as HTML.
    """
    from ..practices import comments
    from . import privacy

    texts = client.survey["comment"] if "comment" in client.survey else pd.Series(dtype=object)
    themed = comments.match(texts.dropna(), client.codebook) if client.codebook else None
    clean = privacy.redactor(client.config.redact, client.config.country)
    lang = client.config.language
    count = functools.partial(text.figure, kind="count", language=lang)
    total = count(texts.notna().sum())

    def compute(keyword):
        table = comments.keyword_matches(texts, keyword, themed)
        table["comment"] = table["comment"].map(clean)
        if not texts.notna().any():
            sentence = _t(client, "workbench.keyword_no_comments")
        elif not keyword.strip():
            sentence = _t(client, "workbench.keyword_none", total=total)
        else:
            sentence = _t(client, "workbench.keyword_caught", keyword=keyword,
                          matched=count(table.attrs["matched"]), total=total,
                          new=count(table.attrs["new"]))
        shown = _render(client, "narrative", sentences=[sentence])
        if len(table):
            shown += _render(client, "table", title="", table=report.table_view(
                "comments", "keyword_matches", table, lang))
        return w.HTML(shown) if live else HTML(shown)

    box = w.Text(value=keyword, description=_t(client, "workbench.keyword"),
                 continuous_update=False)
    return _live(compute, live, keyword=box)
