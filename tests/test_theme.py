"""Tests of cxlib.outputs.theme: theme.yml, client brand overrides, the plotly template and CSS."""
import shutil

import plotly.io as pio
import pytest
import yaml

from cxlib.outputs import theme as th
from cxlib.paths import TEMPLATES


@pytest.fixture(scope="module")
def raw():
    """templates/theme.yml as plain YAML, read without cxlib."""
    return yaml.safe_load((TEMPLATES / "theme.yml").read_text(encoding="utf-8"))


@pytest.fixture
def templates(tmp_path):
    """A copy of templates/ that a test may edit."""
    shutil.copy(TEMPLATES / "theme.yml", tmp_path / "theme.yml")
    shutil.copy(TEMPLATES / "logo.svg", tmp_path / "logo.svg")
    return tmp_path


def _edit(folder, change):
    path = folder / "theme.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_load_theme_default_matches_theme_yml(raw):
    theme = th.load_theme()
    assert theme.consultancy == raw["consultancy"]
    for name in th.COLOUR_NAMES:
        assert getattr(theme, name) == raw["colours"][name].lower()
    assert theme.fonts == tuple(raw["fonts"]["family"])
    assert (theme.width, theme.height) == (680, 380)
    assert theme.logo == (TEMPLATES / raw["logo"]).resolve()
    assert theme.logo.is_file()


def test_load_theme_palette_names_resolve_to_colours(raw):
    theme = th.load_theme()
    expected = [raw["colours"].get(v, v).lower() for v in raw["palette"]]
    assert list(theme.palette) == expected
    assert theme.diverging[0] == theme.negative and theme.diverging[-1] == theme.positive


def test_load_theme_fonts_have_cjk_fallbacks():
    family = th.load_theme().font_family
    assert '"Noto Sans CJK SC"' in family and '"Noto Sans SC"' in family
    assert family.endswith("sans-serif")


def test_load_theme_brand_accent_overrides_accent_and_palette():
    theme = th.load_theme({"accent": "#0B6E4F"})
    assert theme.accent == "#0b6e4f"
    assert "#0b6e4f" in theme.palette
    assert theme.primary == th.load_theme().primary


@pytest.mark.parametrize("bad", ["blue", "#12345", "0b6e4f", "#ggg000", "#0b6e4f;"])
def test_load_theme_bad_accent_raises_naming_it(bad):
    with pytest.raises(ValueError, match="brand accent") as caught:
        th.load_theme({"accent": bad})
    assert repr(bad) in str(caught.value)


def test_load_theme_unknown_brand_key_raises():
    with pytest.raises(ValueError, match="colour"):
        th.load_theme({"colour": "#000000"})


def test_load_theme_brand_logo_is_relative_to_client_folder(tmp_path):
    (tmp_path / "mark.png").write_bytes(b"\x89PNG")
    theme = th.load_theme({"logo": "mark.png"}, folder=tmp_path)
    assert theme.logo == (tmp_path / "mark.png").resolve()


def test_load_theme_missing_logo_raises_naming_it(tmp_path):
    with pytest.raises(ValueError, match="'absent.svg'"):
        th.load_theme({"logo": "absent.svg"}, folder=tmp_path)


def test_load_theme_edited_file_rebrands_without_code(templates):
    _edit(templates, lambda d: d["colours"].update(primary="#123456"))
    theme = th.load_theme(templates=templates)
    assert theme.primary == "#123456" and theme.palette[0] == "#123456"


@pytest.mark.parametrize("change, named", [
    (lambda d: d["colours"].pop("negative"), "'negative'"),
    (lambda d: d.pop("chart"), "'chart'"),
    (lambda d: d["colours"].update(muted="grey"), "colours.muted"),
    (lambda d: d.update(palette=["primary", "#12"]), "palette[1]"),
])
def test_load_theme_bad_theme_yml_raises_naming_key(templates, change, named):
    _edit(templates, change)
    with pytest.raises(ValueError) as caught:
        th.load_theme(templates=templates)
    assert named in str(caught.value)


def test_plotly_template_carries_theme_colours_and_size():
    theme = th.load_theme()
    layout = th.plotly_template(theme).layout
    assert list(layout.colorway) == list(theme.palette)
    assert layout.width == 680 and layout.height == 380
    assert layout.font.family == theme.font_family
    diverging = [tuple(stop) for stop in layout.colorscale.diverging]
    assert diverging[0] == (0.0, theme.negative) and diverging[-1] == (1.0, theme.positive)
    assert diverging[len(diverging) // 2][0] == 0.5


def test_register_adds_template_and_returns_name():
    theme = th.load_theme({"accent": "#0b6e4f"})
    name = th.register(theme, "cx-test-brand")
    assert name == "cx-test-brand"
    assert "#0b6e4f" in pio.templates[name].layout.colorway
    assert th.registered(name) is theme
    assert th.registered("plotly_white") is None


def test_css_variables_contain_theme_yml_colours(raw):
    css = th.css_variables(th.load_theme())
    assert css.startswith(":root {") and css.rstrip().endswith("}")
    for name, colour in raw["colours"].items():
        assert f"--cx-{name}: {colour.lower()};" in css
    assert "--cx-chart-width: 680px;" in css
    assert "Noto Sans CJK SC" in css


def test_css_variables_follow_brand_accent():
    css = th.css_variables(th.load_theme({"accent": "#0b6e4f"}))
    assert "--cx-accent: #0b6e4f;" in css
