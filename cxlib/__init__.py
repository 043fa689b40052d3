"""cxlib: analysis and charts behind the cx-workbook engagement reports."""

__version__ = "0.1.0"

from . import charts, metrics, practices, widgets  # noqa: E402
from .client import load_client  # noqa: E402
from .section import save_section  # noqa: E402

__all__ = [
    "charts",
    "load_client",
    "metrics",
    "practices",
    "save_section",
    "widgets",
]
