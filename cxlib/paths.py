"""Every project path, defined once from the package location."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
#: A Jupyter data folder (put first on JUPYTER_PATH): the workshop view's Voila page template.
JUPYTER_DATA = TEMPLATES / "jupyter"
NOTEBOOKS = ROOT / "notebooks"
CLIENTS = ROOT / "data" / "clients"
REPORTS = ROOT / "reports"
ITEM_BANK = TEMPLATES / "item_bank.csv"
INITIATIVES = TEMPLATES / "initiatives.csv"
