"""Fixtures shared by the suite: demo clients and one full demo report per session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cxlib import paths


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


@pytest.fixture()
def client_copy(tmp_path, demo_folder) -> Path:
    """A writable copy of the demo client, to break or change in a test."""
    target = tmp_path / "client"
    shutil.copytree(demo_folder, target)
    return target
