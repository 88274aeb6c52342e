"""The Excel data-collection workbook: written from the catalogue (with overlays), read back as a dataset.

`write_template(path, catalogue)` makes the workbook a park fills in; `load_dataset("park.xlsx")` reads it
through `read_workbook`, reporting every problem with its sheet and cell.
"""

from .layout import SHEETS, TEMPLATE_FORMAT
from .reader import read_workbook
from .writer import build_workbook, write_template

__all__ = ["write_template", "read_workbook", "build_workbook", "SHEETS", "TEMPLATE_FORMAT"]
