"""Fixtures shared by the suite: demo clients and one full demo report per session.

Hypothesis runs under the profile named by HYPOTHESIS_PROFILE: "ci" (the default, as in
`make test`) draws a bounded number of examples from a fixed seed; "long" (`make
properties`) draws many more from fresh seeds.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from cxlib import paths

settings.register_profile("ci", max_examples=100, derandomize=True, database=None,
                          deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=2000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def demo_folder() -> Path:
    """The committed demo client."""
    return paths.CLIENTS / "demo"


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory) -> Path:
    """reports/demo/ as `cx run demo` writes it (notebooks, HTML, PDF, Excel, images)."""
    from cxlib.runs.run import ensure_kernel, run_client

    ensure_kernel()
    root = tmp_path_factory.mktemp("reports")
    outcome = run_client("demo", output_root=root)
    return outcome.path.parent


#: The real airline survey beside this checkout (../shared), as `make airline` copies it.
AIRLINE_SURVEY = Path(__file__).resolve().parents[2] / "shared" / "data" / \
    "airline_satisfaction" / "passengers.csv"


@pytest.fixture(scope="session")
def airline_report(tmp_path_factory) -> Path:
    """reports/airline/ for the real airline survey (data/clients/airline), every deliverable."""
    from cxlib.runs.run import ensure_kernel, run_client

    if not AIRLINE_SURVEY.is_file():
        pytest.skip(f"the airline survey is not here ({AIRLINE_SURVEY})")
    folder = tmp_path_factory.mktemp("airline")
    shutil.copy(paths.CLIENTS / "airline" / "client.yml", folder / "client.yml")
    shutil.copy(AIRLINE_SURVEY, folder / "passengers.csv")
    ensure_kernel()
    return run_client(folder, output_root=tmp_path_factory.mktemp("reports")).path.parent


@pytest.fixture(scope="session")
def zh_folder(tmp_path_factory) -> Path:
    """A small Chinese demo client (400 respondents)."""
    from cxlib.inputs.demo import make_client

    return make_client(tmp_path_factory.mktemp("zh") / "zh_client", n_respondents=400,
                       language="zh")


@pytest.fixture(scope="session")
def zh_report(tmp_path_factory, zh_folder) -> Path:
    """The Chinese demo client's report, every deliverable."""
    from cxlib.runs.run import ensure_kernel, run_client

    ensure_kernel()
    return run_client(zh_folder, output_root=tmp_path_factory.mktemp("reports")).path.parent


@pytest.fixture()
def client_copy(tmp_path, demo_folder) -> Path:
    """A writable copy of the demo client, to break or change in a test."""
    target = tmp_path / "client"
    shutil.copytree(demo_folder, target)
    return target


@pytest.fixture(scope="session")
def tiny_client(tmp_path_factory) -> Path:
    """A generated client of 400 respondents with a settings.yml (threshold 0.4)."""
    from cxlib.inputs.demo import make_client

    folder = make_client(tmp_path_factory.mktemp("clients") / "tiny", n_respondents=400,
                         seed=11, n_staff=8)
    (folder / "settings.yml").write_text("threshold: 0.4\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_report(tiny_client, tmp_path_factory) -> Path:
    """reports/tiny/ from `cx run tiny -p alpha=0.1 --no-deliverables`."""
    from cxlib.runs.run import ensure_kernel, run_client

    ensure_kernel()
    root = tmp_path_factory.mktemp("tiny-reports")
    outcome = run_client(tiny_client, output_root=root, parameters={"alpha": 0.1},
                         deliverables=False)
    return outcome.path.parent


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium, as cxlib.outputs.deliver launches it."""
    from playwright.sync_api import sync_playwright

    from cxlib.outputs import deliver

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=deliver.CHROMIUM,
                                              args=deliver.BROWSER_ARGS)
        yield launched
        launched.close()
