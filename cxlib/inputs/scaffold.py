"""`cx new`: a new client's folder with a commented client.yml and Excel intake templates."""
from __future__ import annotations

import json
from pathlib import Path

from .client import STAGES
from .config import CONFIG_FILE, MODEL_COLUMNS
from ..errors import CxError

#: Rows of each template that carry drop-down lists.
TEMPLATE_ROWS = 1000
#: Interaction modes offered for a touchpoint's channel; others are allowed after a warning.
MODES = ("web", "app", "phone", "email", "chat", "store", "branch", "social", "mail", "visit")
SENTIMENTS = (-2, -1, 0, 1, 2)
SCORES = (1, 2, 3, 4, 5)

#: What each template column holds, shown as a note on its header cell.
NOTES = {
    "id": "Touchpoint id: short, lower case, no spaces (online_booking). Used in client.yml "
          "under survey.touchpoints and in interviews.",
    "name": "The touchpoint's name as the report shows it.",
    "stage": "Journey stage: pick one of the eight from the list.",
    "channel": "Interaction mode: pick from the list or type another.",
    "owner": "The function that owns this touchpoint (sales, service, IT ...).",
    "description": "What happens at this touchpoint.",
    "expectation": "What the customer expects here, in their words.",
    "interview": "Interview id, the same for every excerpt of one interview.",
    "role": "Who was interviewed: customer, agent, manager ...",
    "touchpoint": "Touchpoint id from touchpoints.xlsx.",
    "theme": "Coded theme of the excerpt.",
    "sentiment": "Whole number from -2 (very negative) to 2 (very positive).",
    "quote": "The excerpt as said. Names are redacted before it reaches a report.",
    "respondent": "Staff respondent id (not a name).",
    "function": "The respondent's function: sales, service, IT ...",
    "wave": "1 for the baseline assessment, 2 for the next one, ...",
    "item": "Item id from the item bank (templates/item_bank.csv): pick from the list.",
    "score": "Whole number 1 (not at all) to 5 (fully).",
}

CLIENT_YML = """\
# client.yml for {name}: names the client's files and maps their columns onto the
# workbook's model (docs/data-format.md). Paths are relative to this folder.
# Column names are the file's headers; quote a name holding : ? , [ ] {{ }} or # ('Q1: Why?').
# SurveyMonkey columns are 'question text - option label'; Qualtrics columns are Q ids.
# Check it with:  cx validate {folder}
client: {quoted}                # shown in the report
language: en                  # en or zh: the report's language
currency: USD                 # shown with revenue figures
country: US                   # ISO 3166 code: phone numbers in its national formats are redacted
# industry: telecom           # peer group of the portfolio benchmark (cx portfolio)

survey:                       # required: the survey export, as it came
  file: survey.csv            # .csv, .xlsx or SPSS .sav; Qualtrics and SurveyMonkey exports are recognised
  # format: qualtrics         # csv | excel | qualtrics | surveymonkey | spss: only if not recognised
  encoding: auto              # auto | utf-8 | utf-8-sig | utf-16 | cp1252 | mac_roman | cp850 | gb18030
  # sheet: Responses          # Excel only: the sheet to read (default: the first)
  respondent_id: respondent_id  # or: row (row numbers as seen in the file), or "column A" (no header)
  # customer_id: customer_id  # joins answers to outcomes
  # min_answers: 30           # fewest answers to the overall measure (else --allow-small)
  missing: [-99, "N/A"]       # codes meaning no answer / not applicable ("" always is)
  # labels: {{Very satisfied: 5, Satisfied: 4, Neutral: 3, Dissatisfied: 2, Very dissatisfied: 1}}
  overall: {{nps: nps}}         # 0-10 likelihood to recommend (only 0-10: no scale here)
  # overall: {{satisfaction: csat, scale: [1, 5], satisfied: top-two}}  # top-box | top-two | top-three | 4
  # overall: {{index: [q1, q2, q3], scale: [1, 5]}}                     # mean of items, with Cronbach's alpha
  # overall: {{binary: satisfaction, positive: satisfied}}
  #   name: Satisfaction with the stay   # add inside the braces: the measure's own name ...
  #   groups: [not satisfied, satisfied]  # ... and its groups' names, lowest first
  # effort: {{column: effort, scale: [1, 7]}}   # high: ease for an "it was easy" agreement item
  segments: []                # e.g. [Region, Plan]: columns to compare groups by, or
  #   - {{column: Plan, labels: {{1: Prepaid, 2: Contract}}, order: [Prepaid, Contract]}}
  #   - {{multi: "Which channels did you use?", name: Channel}}   # one segment per option
  touchpoints: {{}}             # touchpoint id -> its rating columns, e.g.
  #   online_booking: {{perception: Q5_1, expectation: Q6_1, importance: Q7_1, scale: [1, 5]}}
  # comments: comment         # free text

# outcomes:                   # the CRM extract, one row per customer
#   file: crm.xlsx
#   customer_id: customer_id
#   retained: retained        # 1/0, yes/no, true/false, active/churned
#   # churned: Churn          # or: a churn flag (yes means the customer left)
#   # retained: {{column: Status, retained: [Active], churned: [Churned]}}  # or: status texts
#   # churn_date: closed_on   # or: a date means the customer left
#   revenue: revenue          # money in `currency` over the last 12 months
#   share_of_wallet: sow      # optional, 0-1 or 0-100
#   # match: normalized       # ids match regardless of spaces, case, leading zeros, ".0"
#   # transactions:           # or: a log of purchases, one row each (no retained/revenue then)
#   #   date: order_date
#   #   amount: amount        # or [quantity, unit_price]
#   #   dates: iso            # iso | month-first | day-first
#   #   survey_date: 2024-06-30
#   #   revenue_months: 12    # revenue = spend in the 12 months before survey_date
#   #   retained_months: 12   # retained = any purchase in the 12 months after it

# The intake templates below are read once they have rows; until then they count as
# not provided and the sections that need them say so.
touchpoints: touchpoints.xlsx
interviews: interviews.xlsx
assessment: assessment.xlsx
# journeys: events.csv        # customer, journey, timestamp, channel, touchpoint
# roadmap: roadmap.csv        # the consultant's overrides of the roadmap

# The whole customer base: revenue at risk and the what-if are then scaled from the
# surveyed customers to it (without it they cover the surveyed customers only).
# customer_base: {{customers: 250000, annual_revenue: 180000000}}
# customer_base:              # or per value of one survey segment
#   Region: {{North: {{customers: 150000, annual_revenue: 110000000}},
#            South: {{customers: 100000, annual_revenue: 70000000}}}}
# materiality: 0.1%           # initiative revenue impacts below this read as below materiality
"""


def new_client(folder: Path) -> list[Path]:
    """Write a new client's client.yml and intake templates into an empty or new folder.

    Parameters: folder, the client's folder (its name is the client id).
    Returns: the files written; raises CxError if the folder holds anything already.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CxError(f"{folder} already exists and is not empty: choose another client id, "
                      "or remove the folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / CONFIG_FILE
        config.write_text(CLIENT_YML.format(name=folder.name, quoted=json.dumps(folder.name),
                                             folder=folder), encoding="utf-8")
        written = [config]
        for kind, lists in _lists().items():
            path = folder / f"{kind}.xlsx"
            _template(kind, lists).save(path)
            written.append(path)
    except OSError as exc:
        raise CxError(f"cannot write {folder}: {exc.strerror or exc}") from None
    return written


def _lists() -> dict[str, dict[str, tuple]]:
    """For each template, the columns with drop-down lists and their choices."""
    from ..practices.maturity import item_bank

    return {
        "touchpoints": {"stage": STAGES, "channel": MODES},
        "interviews": {"sentiment": SENTIMENTS},
        "assessment": {"item": tuple(item_bank()["item"]), "score": SCORES},
    }


def _template(kind: str, lists: dict[str, tuple]):
    """One intake workbook: a header row with notes, drop-downs, and a hidden sheet of lists."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = kind
    choices = book.create_sheet("lists")
    columns = MODEL_COLUMNS[kind]
    sheet.append(list(columns))
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.comment = Comment(NOTES[column], "cx new")
        sheet.column_dimensions[letter].width = 48 if column in ("description", "quote",
                                                                 "expectation") else 16
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if column in lists:
            values = lists[column]
            choices.cell(row=1, column=i, value=column)
            for row, value in enumerate(values, start=2):
                choices.cell(row=row, column=i, value=value)
            source = f"lists!${letter}$2:${letter}${len(values) + 1}"
            rule = DataValidation(type="list", formula1=source, allow_blank=True,
                                  errorStyle="warning" if column == "channel" else "stop",
                                  showErrorMessage=True, errorTitle=column,
                                  error=NOTES[column], promptTitle=column, prompt=NOTES[column],
                                  showInputMessage=True)
        elif column == "wave":
            rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1",
                                  allow_blank=True, showErrorMessage=True, error=NOTES[column])
        else:
            continue
        rule.add(cells)
        sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    choices.sheet_state = "hidden"
    return book
