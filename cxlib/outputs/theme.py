"""The one look of every chart and report, read from templates/theme.yml.

A consultancy rebrands by editing that file; a client's `brand` in client.yml may override
the logo and the accent colour. The same Theme drives the plotly template (`register`) and
the report's CSS (`css_variables`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import yaml

from ..paths import TEMPLATES

THEME_FILE = "theme.yml"
#: The named colours theme.yml must define, in the order CSS lists them.
COLOUR_NAMES = ("primary", "accent", "text", "muted", "background", "grid",
                "positive", "negative", "neutral")
#: What a client's `brand` may override.
BRAND_KEYS = ("logo", "accent")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_GENERIC_FONTS = ("serif", "sans-serif", "monospace", "system-ui")

# Themes by registered template name, so charts can find the semantic colours
# (positive, negative, diverging scale) of the template they are drawn with.
_REGISTERED: dict[str, "Theme"] = {}
#: Pixels between the figure's left edge and the title and legend, and above the title.
EDGE = 12
TITLE_PAD = 12


@dataclass(frozen=True)
class Theme:
    """Names, colours, fonts and chart size of one brand."""

    consultancy: str
    logo: Path | None
    primary: str
    accent: str
    text: str
    muted: str
    background: str
    grid: str
    positive: str
    negative: str
    neutral: str
    palette: tuple[str, ...]
    diverging: tuple[str, ...]
    fonts: tuple[str, ...]
    font_size: int
    width: int
    height: int

    @property
    def font_family(self) -> str:
        """The font list as CSS and plotly write it: names with spaces quoted."""
        return ", ".join(f if f in _GENERIC_FONTS or " " not in f else f'"{f}"'
                         for f in self.fonts)

    @property
    def diverging_scale(self) -> list[list]:
        """The diverging colours as a plotly colour scale, evenly spaced from 0 to 1."""
        last = len(self.diverging) - 1
        return [[i / last, c] for i, c in enumerate(self.diverging)]

    @property
    def sequential_scale(self) -> list[list]:
        """A one-hue scale from nearly background to primary, for counts and shares."""
        return [[0.0, self.grid], [1.0, self.primary]]


def load_theme(brand: dict | None = None, folder: str | Path | None = None,
               templates: str | Path | None = None) -> Theme:
    """Read templates/theme.yml and apply a client's brand overrides.

    Parameters
    ----------
    brand : {"logo": path, "accent": "#rrggbb"} from client.yml, or None.
    folder : the client's folder, which a brand logo path is relative to.
    templates : the folder holding theme.yml; the project's templates/ by default.

    Returns
    -------
    Theme. Raises ValueError naming a bad colour, a missing key or a missing logo.
    """
    templates = Path(templates) if templates is not None else TEMPLATES
    data = yaml.safe_load((templates / THEME_FILE).read_text(encoding="utf-8")) or {}
    colours = dict(_section(data, "colours"))
    brand = dict(brand or {})
    unknown = sorted(set(brand) - set(BRAND_KEYS))
    if unknown:
        raise ValueError(f"brand may set {', '.join(BRAND_KEYS)}; got {', '.join(unknown)}")
    if brand.get("accent") is not None:
        colours["accent"] = _hex(brand["accent"], "brand accent")
    named = {name: _hex(_required(colours, name, "colours"), f"colours.{name}")
             for name in COLOUR_NAMES}
    logo = _logo(brand["logo"], Path(folder or ".")) if brand.get("logo") else (
        _logo(data["logo"], templates) if data.get("logo") else None)
    fonts, chart = _section(data, "fonts"), _section(data, "chart")
    return Theme(
        consultancy=str(_required(data, "consultancy", "theme.yml")),
        logo=logo,
        **named,
        palette=_colour_list(data, "palette", named),
        diverging=_colour_list(data, "diverging", named),
        fonts=tuple(str(f) for f in _required(fonts, "family", "fonts")),
        font_size=int(_required(fonts, "size", "fonts")),
        width=int(_required(chart, "width", "chart")),
        height=int(_required(chart, "height", "chart")),
    )


def plotly_template(theme: Theme) -> go.layout.Template:
    """Build the plotly template that gives every chart the theme's look."""
    axis = dict(gridcolor=theme.grid, linecolor=theme.muted, zerolinecolor=theme.grid,
                tickcolor=theme.muted, ticks="outside", ticklen=4, automargin=True,
                title=dict(standoff=8, font=dict(color=theme.muted)))
    font = dict(family=theme.font_family, size=theme.font_size, color=theme.text)
    layout = go.Layout(
        font=font,
        # Title and legend sit in a top band measured in pixels (see charts._finish), so
        # they never overlap each other, the plot or top-side tick labels.
        title=dict(x=0, xref="container", xanchor="left", y=1, yref="container",
                   yanchor="top", pad=dict(t=TITLE_PAD, l=EDGE), automargin=False,
                   font=dict(size=theme.font_size + 4, color=theme.primary)),
        colorway=list(theme.palette),
        colorscale=dict(diverging=theme.diverging_scale, sequential=theme.sequential_scale),
        paper_bgcolor=theme.background,
        plot_bgcolor=theme.background,
        width=theme.width,
        height=theme.height,
        margin=dict(l=16, r=24, t=48, b=16, autoexpand=True),
        xaxis=axis,
        yaxis=axis,
        # Horizontal legend under the title and above the plot: never clipped when printed.
        legend=dict(orientation="h", xref="container", x=EDGE / theme.width, xanchor="left",
                    yref="container", y=1, yanchor="top",
                    bgcolor="rgba(0,0,0,0)", font=dict(size=theme.font_size - 1),
                    title=dict(text="")),
        hoverlabel=dict(font=dict(family=theme.font_family, size=theme.font_size),
                        align="left"),
        polar=dict(bgcolor=theme.background,
                   radialaxis=dict(gridcolor=theme.grid, linecolor=theme.grid,
                                   tickfont=dict(color=theme.muted)),
                   angularaxis=dict(gridcolor=theme.grid, linecolor=theme.muted)),
        bargap=0.25,
    )
    return go.layout.Template(layout=layout)


def register(theme: Theme, name: str = "cx") -> str:
    """Register the theme's plotly template under `name` in plotly.io.templates.

    Returns
    -------
    The name, to pass as `template=` to the chart functions.

    A theme registered already under the name is left as it is: a workbench's warm-up
    thread registers the client's theme again for each restricted client while the
    notebook's thread draws with it, and a template replaced under a drawing chart is a
    race for nothing.
    """
    if _REGISTERED.get(name) == theme and name in pio.templates:
        return name
    pio.templates[name] = plotly_template(theme)
    _REGISTERED[name] = theme
    return name


def registered(name: str) -> Theme | None:
    """The Theme registered under a template name, or None for plotly's own templates."""
    return _REGISTERED.get(name)


def css_variables(theme: Theme) -> str:
    """Write the theme as a CSS `:root` block of `--cx-*` variables for the report styles."""
    values = {name: getattr(theme, name) for name in COLOUR_NAMES}
    values.update({f"palette-{i}": c for i, c in enumerate(theme.palette, start=1)})
    values.update({f"diverging-{i}": c for i, c in enumerate(theme.diverging, start=1)})
    values.update({"font-family": theme.font_family, "font-size": f"{theme.font_size}px",
                   "chart-width": f"{theme.width}px", "chart-height": f"{theme.height}px"})
    lines = [f"  --cx-{name}: {value};" for name, value in values.items()]
    return ":root {\n" + "\n".join(lines) + "\n}\n"


def _section(data: dict, key: str) -> dict:
    value = _required(data, key, "theme.yml")
    if not isinstance(value, dict):
        raise ValueError(f"theme.yml: '{key}' must be a mapping, got {value!r}")
    return value


def _required(data: dict, key: str, where: str):
    if data.get(key) is None:
        raise ValueError(f"theme.yml: '{key}' is missing under {where}")
    return data[key]


def _hex(value, name: str) -> str:
    text = str(value).strip()
    if not _HEX.fullmatch(text):
        raise ValueError(f"{name} must be a hex colour like '#0b6e4f', got {value!r}")
    return text.lower()


def _colour_list(data: dict, key: str, named: dict[str, str]) -> tuple[str, ...]:
    """A list of colours in which an entry may name one of the theme's colours."""
    values = _required(data, key, "theme.yml")
    if not isinstance(values, list) or len(values) < 2:
        raise ValueError(f"theme.yml: '{key}' must list at least two colours, got {values!r}")
    return tuple(named[v] if v in named else _hex(v, f"{key}[{i}]")
                 for i, v in enumerate(values))


def _logo(path: str | Path, folder: Path) -> Path:
    resolved = (folder / path).resolve()
    if not resolved.is_file():
        raise ValueError(f"logo {str(path)!r} is not a file (looked for {resolved})")
    trouble = logo_problem(resolved)
    if trouble:
        raise ValueError(f"logo {str(path)!r} must be a PNG, JPEG or SVG image: {trouble}")
    return resolved


#: Largest logo accepted (a logo is a few kilobytes; more is not a logo).
MAX_LOGO_BYTES = 2 << 20
_SVG_BANNED = re.compile(rb"<!DOCTYPE|<!ENTITY|<script|<foreignObject|javascript:|\bon[a-z]+\s*=",
                         re.IGNORECASE)


def image_kind(data: bytes) -> str | None:
    """"png", "jpeg" or "svg" by the bytes themselves, else None."""
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "svg"
    return None


def logo_problem(path: Path) -> str | None:
    """Why a file cannot be the logo (not an image by its content, too big, an SVG that
    carries scripts, entities or external references), or None."""
    from ..inputs.readers import special_file

    if not path.is_file() or special_file(path):
        return special_file(path) or "not a file (a folder, or nothing there)"
    size = path.stat().st_size
    if size > MAX_LOGO_BYTES:
        return f"{size:,} bytes (at most {MAX_LOGO_BYTES:,})"
    data = path.read_bytes()
    kind = image_kind(data)
    if kind is None:
        return f"a file whose content is not an image (it starts {data[:8]!r})"
    if kind == "svg":
        found = _SVG_BANNED.search(data)
        if found:
            return f"an SVG holding {found.group().decode('utf-8', 'replace')!r} (scripts, " \
                   "entities and event handlers are not allowed)"
        if re.search(rb"(?:href|src)\s*=\s*[\"'](?!#|data:image/)", data, re.IGNORECASE):
            return "an SVG that loads an external file (href or src)"
    return None
