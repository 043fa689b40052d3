"""The portfolio benchmark: aggregates only, enough clients behind every figure, and no
client's figure or name in another client's report."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import plotly.offline
import pytest

from cxlib import practices
from cxlib.inputs.client import load_client
from cxlib.inputs.demo import make_client
from cxlib.outputs import deliver, portfolio, report
from cxlib.runs.cli import main

FIGURES = ["loyalty.nps", "gap.purchase", "gap.use", "maturity.B1", "maturity.C2"]


def _entries(n: int, seed: int = 1, industry: str | None = "telecom") -> list[dict]:
    """n clients' benchmark entries with spread-out figures."""
    rng = np.random.default_rng(seed)
    return [{"industry": industry, "figures": {
        "loyalty.nps": float(rng.uniform(-30, 60)), "gap.purchase": float(rng.uniform(-1, 0.5)),
        "gap.use": float(rng.uniform(-1, 0.5)), "maturity.B1": float(rng.uniform(1, 5)),
        "maturity.C2": float(rng.uniform(1, 5))}} for _ in range(n)]


def test_build_five_clients_publishes_nothing():
    benchmark = portfolio.build(_entries(5))
    assert benchmark["clients"] == 5 and benchmark["groups"] == {}


def test_build_six_clients_publishes_every_figure():
    benchmark = portfolio.build(_entries(6))
    cells = benchmark["groups"]["all"]
    assert set(cells) == set(FIGURES)
    assert all(c["clients"] == 6 for c in cells.values())
    assert set(cells["loyalty.nps"]["quantiles"]) == {"10", "25", "50", "75", "90"}


def test_build_figure_held_by_too_few_clients_left_out():
    entries = _entries(8)
    for entry in entries[:3]:
        del entry["figures"]["maturity.B1"]      # only 5 clients have an assessment
    assert "maturity.B1" not in portfolio.build(entries)["groups"]["all"]


def test_build_industry_whose_complement_is_small_left_out():
    # 7 clients, 6 in telecom: "all" minus "telecom" would single out the seventh.
    entries = _entries(6) + _entries(1, seed=2, industry="retail")
    assert set(portfolio.build(entries)["groups"]) == {"all"}


def test_build_industry_with_a_large_complement_published():
    entries = _entries(6) + _entries(6, seed=2, industry="Retail ")
    groups = portfolio.build(entries)["groups"]
    assert set(groups) == {"all", "industry:telecom", "industry:retail"}
    assert groups["industry:retail"]["gap.use"]["clients"] == 6


def test_build_quantiles_rounded_to_each_figures_grid():
    cells = portfolio.build(_entries(9))["groups"]["all"]
    for figure, cell in cells.items():
        step = portfolio.ROUNDING[figure.split(".")[0]]
        for q in cell["quantiles"].values():
            assert abs(q / step - round(q / step)) < 1e-6


def test_build_quantiles_are_no_clients_value_even_for_an_odd_count():
    entries = _entries(7)
    values = [e["figures"]["loyalty.nps"] for e in entries]
    raw = portfolio._hd_quantiles(values)
    assert not any(np.isclose(q, v) for q in raw.values() for v in values)
    assert min(values) < raw["50"] < max(values)


def test_percentile_interpolates_between_quantiles():
    q = {"10": 0.0, "25": 10.0, "50": 20.0, "75": 30.0, "90": 40.0}
    assert portfolio.percentile(20.0, q) == 50
    assert portfolio.percentile(15.0, q) == 40          # 37.5 to the nearest 5
    assert portfolio.percentile(-5.0, q) == 5 and portfolio.percentile(45.0, q) == 95


def test_percentile_tied_quantiles_take_their_middle():
    assert portfolio.percentile(3.0, {"10": 2.0, "25": 3.0, "50": 3.0, "75": 3.0,
                                      "90": 4.0}) == 50


# -- the leak test -----------------------------------------------------------------------

#: One client's unique figures and name, planted in its results.json.
PLANTED = {"loyalty.nps": 77.7712, "gap.purchase": -2.3456, "maturity.B1": 4.8765}
PLANTED_NAME = "Zeta Planted Holdings"
#: How the planted figures would read in any output: full, 2, 1 and 0 decimals.
PLANTED_TEXT = ["77.7712", "77.77", "77.8", "-2.3456", "-2.35", "2.346", "4.8765", "4.88",
                "4.877"]


def _reports(root: Path) -> Path:
    """A reports folder: seven clients' results.json, one of them planted."""
    for i, entry in enumerate(_entries(6, seed=5)):
        folder = root / f"client{i}"
        folder.mkdir(parents=True)
        (folder / "results.json").write_text(json.dumps(
            {"client": f"client{i}", "name": f"Client {i} Ltd", "benchmark": entry}))
    zeta = root / "zeta"
    zeta.mkdir()
    entry = _entries(1, seed=9)[0]
    entry["figures"].update(PLANTED)
    (zeta / "results.json").write_text(json.dumps(
        {"client": "zeta", "name": PLANTED_NAME, "benchmark": entry}))
    return root


@pytest.fixture(scope="module")
def benchmarked(tmp_path_factory) -> tuple[Path, Path]:
    """`cx portfolio` over the seven, then another client's report made with it."""
    root = _reports(tmp_path_factory.mktemp("reports"))
    assert main(["portfolio", "--output", str(root)]) == 0
    folder = make_client(tmp_path_factory.mktemp("clients") / "other", n_respondents=800,
                         seed=21, n_staff=12)
    client = load_client(folder)
    sections = {s.id: s for s in (practices.outcomes(client), practices.touchpoints(client),
                                  practices.perception_gaps(client),
                                  practices.capabilities(client))}
    sections["benchmark"] = portfolio.section(client, sections, portfolio.load(root))
    out = root / "other"
    report.write(client, sections, out, {"fingerprint": "test"}, dt.date(2026, 1, 1))
    deliver.write_tables(sections, out / "tables.xlsx", client.config.language,
                         client.config.currency, client.name)
    return root, out


def _workbook_text(path: Path) -> str:
    from openpyxl import load_workbook

    return " | ".join(str(c.value) for sheet in load_workbook(path).worksheets
                      for row in sheet.iter_rows() for c in row if c.value is not None)


def _leaks(text: str) -> list[str]:
    found = [p for p in PLANTED_TEXT if re.search(rf"(?<![\d.]){re.escape(p)}(?!\d)", text)]
    return found + (["name"] if "zeta" in text.casefold() else [])


def test_portfolio_file_holds_no_clients_name_or_figure(benchmarked):
    root, _ = benchmarked
    text = (root / portfolio.FILE).read_text(encoding="utf-8")
    assert _leaks(text) == []
    assert not re.search(r"client\d|Client \d", text)


def test_other_clients_report_shows_where_it_stands(benchmarked):
    _, out = benchmarked
    page = (out / "report.html").read_text(encoding="utf-8")
    assert ">Where do we stand among other clients?<" in page
    assert "Portfolio median" in page and "Percentile (about)" in page
    shown = json.loads((out / "results.json").read_text())["sections"]["benchmark"]
    assert shown["missing"] is None and "benchmark" in shown["tables"]


@pytest.mark.parametrize("output", ["report.html", "results.json", "tables.xlsx"])
def test_other_clients_outputs_hold_no_planted_figure_or_name(benchmarked, output):
    _, out = benchmarked
    path = out / output
    text = _workbook_text(path) if output.endswith(".xlsx") else path.read_text("utf-8")
    if output == "report.html":   # the plotly.js bundle and the logo hold digits of their own
        for bundle in (report.PLOTLY_BUNDLE.read_text("utf-8"), plotly.offline.get_plotlyjs()):
            text = text.replace(bundle, "")
        text = re.sub(r'data:[^"]+', "", text)
    assert _leaks(text) == []


def test_removing_one_client_does_not_reveal_it():
    """A mean published before and after a client leaves gives its figure exactly
    (7 x mean7 - 6 x mean6); the rounded Harrell-Davis quantiles do not."""
    with_zeta = [*_entries(6, seed=5), {"industry": "telecom", "figures": dict(PLANTED)}]
    before = portfolio.build(with_zeta)["groups"]["all"]
    after = portfolio.build(with_zeta[:6])["groups"]["all"]
    for figure, planted in PLANTED.items():
        for level in ("10", "25", "50", "75", "90"):
            guess = 7 * before[figure]["quantiles"][level] - 6 * after[figure]["quantiles"][level]
            assert abs(guess - planted) > portfolio.ROUNDING[figure.split(".")[0]], (figure, level)


def test_section_too_few_clients_says_so_and_shows_nothing():
    client = load_client("demo")
    s = portfolio.section(client, {}, portfolio.build(_entries(5)))
    assert s.tables == {} and "at least 5 other clients" in s.missing


def test_section_uses_the_industry_group_when_published():
    client = load_client("demo")               # industry: telecom
    entries = _entries(6) + _entries(6, seed=2, industry="retail")
    p1 = practices.outcomes(client)
    s = portfolio.section(client, {"P1": p1}, portfolio.build(entries))
    row = s.tables["benchmark"].iloc[0]
    assert (row["figure"], row["peers"], row["clients"]) == ("loyalty.nps", "telecom", 6)
    assert row["value"] == p1.metrics["loyalty"].value


def test_cx_portfolio_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["portfolio", "--output", str(tmp_path / "none")]) == 1
    assert "no reports folder" in capsys.readouterr().err


def test_cx_portfolio_empty_folder_publishes_nothing(tmp_path, capsys):
    assert main(["portfolio", "--output", str(tmp_path)]) == 0
    assert "nothing published" in capsys.readouterr().out
    assert json.loads((tmp_path / portfolio.FILE).read_text())["groups"] == {}
