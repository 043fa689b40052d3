"""Every project path, defined once from the package location."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
NOTEBOOKS = ROOT / "notebooks"
CLIENTS = ROOT / "data" / "clients"
REPORTS = ROOT / "reports"
ITEM_BANK = TEMPLATES / "item_bank.csv"
INITIATIVES = TEMPLATES / "initiatives.csv"
