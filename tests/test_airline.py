"""The real airline survey runs as a client with only a client.yml (data/clients/airline)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib.runs.cli import main
from cxlib.inputs.client import load_client

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "data" / "clients" / "airline" / "client.yml"
SURVEY = ROOT.parent / "shared" / "data" / "airline_satisfaction" / "passengers.csv"
RATINGS = ["Inflight wifi service", "Departure/Arrival time convenient",
           "Ease of Online booking", "Gate location", "Food and drink", "Online boarding",
           "Seat comfort", "Inflight entertainment", "On-board service", "Leg room service",
           "Baggage handling", "Checkin service", "Inflight service", "Cleanliness"]

pytestmark = pytest.mark.skipif(
    not SURVEY.is_file(),
    reason=f"the airline survey is not here ({SURVEY}): ../shared is absent in this checkout")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A copy of the airline client's folder with the survey beside client.yml."""
    folder = tmp_path_factory.mktemp("airline")
    shutil.copy(CONFIG, folder / "client.yml")
    shutil.copy(SURVEY, folder / "passengers.csv")
    return folder


@pytest.fixture(scope="module")
def airline(folder):
    """The airline client as load_client maps it."""
    return load_client(folder)


@pytest.fixture(scope="module")
def raw():
    """The survey as pandas reads it by default, an independent route to the same numbers."""
    return pd.read_csv(SURVEY)


def test_airline_load_client_all_passengers(airline):
    assert len(airline.survey) == 25_976
    assert airline.survey["respondent_id"].is_unique


def test_airline_binary_satisfaction_counts(airline):
    counts = airline.survey["overall"].value_counts()
    assert counts[1.0] == 11_403 and counts[0.0] == 14_573


def test_airline_touchpoints_snake_case_perception_only(airline):
    assert len(airline.perception.columns) == 14
    assert all(tp.islower() and " " not in tp for tp in airline.perception.columns)
    assert airline.expectation.empty and airline.importance.empty
    assert set(airline.scales.values()) == {(1.0, 5.0)}


def test_airline_zero_not_applicable_is_missing(airline, raw):
    for name, tp in zip(RATINGS, airline.perception.columns):
        zeros = raw[name].eq(0).to_numpy()
        assert np.array_equal(airline.perception[tp].isna().to_numpy(), zeros), name
        kept = raw.loc[~zeros, name].to_numpy(dtype=float)
        assert np.allclose(airline.perception[tp].dropna().to_numpy(), kept), name
    assert airline.perception.min().min() == 1.0


def test_airline_segments_as_in_file(airline, raw):
    for segment in ("Customer Type", "Type of Travel", "Class"):
        assert airline.survey[segment].value_counts().to_dict() == \
            raw[segment].value_counts().to_dict()


def test_airline_cli_validate_ok(folder, capsys):
    assert main(["validate", str(folder)]) == 0
    assert "survey: passengers.csv, 25,976 rows (one header row, UTF-8, detected)" in \
        capsys.readouterr().out


def test_airline_report_generates_and_says_which_inputs_are_missing(airline_report):
    import json

    from cxlib.outputs import text

    page = (airline_report / "report.html").read_text(encoding="utf-8")
    results = json.loads((airline_report / "results.json").read_text(encoding="utf-8"))
    for key in ("outcomes", "expectation", "journeys", "interviews", "assessment"):
        assert text.escape(text.t("en", f"missing.{key}")) in page
    loyalty = results["sections"]["P1"]["metrics"]["loyalty"]
    assert loyalty["value"] == pytest.approx(100 * 11_403 / 25_976, abs=0.05)
    assert loyalty["n"] == 25_976
    assert (airline_report / "report.pdf").stat().st_size > 10_000


def _johnson_by_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's (2000) raw weights by his own construction: the SVD of the standardised
    drivers X = P D Q', their orthogonal counterparts Z = P Q', Lambda = Q D Q' (X = Z Lambda),
    beta = Z'y, raw_j = sum_k Lambda_jk^2 beta_k^2. No correlation matrix, no eigenvalues."""
    x = (x - x.mean(axis=0)) / np.linalg.norm(x - x.mean(axis=0), axis=0)
    y = (y - y.mean()) / np.linalg.norm(y - y.mean())
    p, d, qt = np.linalg.svd(x, full_matrices=False)
    z = p @ qt
    lam = qt.T @ np.diag(d) @ qt
    beta = z.T @ y
    return (lam ** 2) @ (beta ** 2)


def test_airline_driver_weights_equal_ols_on_complete_answers(airline, raw):
    """The real survey has skipped items (0 = not applicable): the key drivers rest on the
    passengers who rated every touchpoint, computed from the raw file by an independent
    route (statsmodels OLS for R², Johnson's SVD construction for the weights)."""
    import statsmodels.api as sm

    from cxlib.practices import sections

    fit = sections.touchpoint_evidence(airline).drivers
    frame = raw[RATINGS].replace(0, np.nan).assign(
        y=(raw["satisfaction"] == "satisfied").astype(float))
    complete = frame.dropna()
    assert len(complete) < len(frame)                    # there are real gaps
    assert fit.dropped == [] and fit.n == len(complete) == fit.weights.attrs["n"]
    ols = sm.OLS(complete["y"], sm.add_constant(complete[RATINGS])).fit()
    assert fit.weights.attrs["r_squared"] == pytest.approx(ols.rsquared, abs=1e-10)
    assert 0 < fit.weights.attrs["r_squared"] < 1
    independent = pd.Series(_johnson_by_svd(complete[RATINGS].to_numpy(),
                                            complete["y"].to_numpy()),
                            index=list(airline.perception.columns))
    ours = fit.weights["raw"].reindex(independent.index)
    assert ours.to_numpy() == pytest.approx(independent.to_numpy(), abs=1e-10)
    assert independent.sum() == pytest.approx(ols.rsquared, abs=1e-10)
