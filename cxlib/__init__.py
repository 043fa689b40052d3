"""cxlib: analysis and charts behind the cx-workbook engagement reports.

Layers, each a subpackage: inputs (client.yml, readers, checks), statistics, practices
(P1-P4 and the roadmap), outputs (sections, words, charts, report, deliverables) and runs
(papermill, batches, the `cx` command).
"""

__version__ = "0.1.0"

import importlib

#: What `import cxlib as cx` offers the notebooks, each imported on first use (PEP 562), so
#: that the `cx` command starts without pandas, scipy and plotly and can take Ctrl-C from
#: its first moment (the kernel server imports them ahead: cxlib.runs.kernels.PRELOAD).
_LAZY = {
    "charts": ".outputs.charts",
    "comments": ".practices.comments",
    "load_client": ".inputs.client",
    "metrics": ".statistics.metrics",
    "practices": ".practices",
    "save_section": ".outputs.section",
    "widgets": ".outputs.widgets",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'cxlib' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    value = module if module.__name__.endswith("." + name) else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
