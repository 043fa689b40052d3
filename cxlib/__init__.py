"""cxlib: analysis and charts behind the cx-workbook engagement reports.

Layers, each a subpackage: inputs (client.yml, readers, checks), statistics, practices
(P1-P4 and the roadmap), outputs (sections, words, charts, report, deliverables) and runs
(papermill, batches, the `cx` command).
"""

__version__ = "0.1.0"

from . import practices  # noqa: E402
from .practices import comments  # noqa: E402
from .inputs.client import load_client  # noqa: E402
from .outputs import charts, widgets  # noqa: E402
from .outputs.section import save_section  # noqa: E402
from .statistics import metrics  # noqa: E402

__all__ = [
    "charts",
    "comments",
    "load_client",
    "metrics",
    "practices",
    "save_section",
    "widgets",
]
