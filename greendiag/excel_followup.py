"""The follow-up workbook for consultants: written from a diagnosis (its 附件2-1-3 rows prefilled and locked, input
cells with drop-downs), and read back into a follow-up record with every value placed at its cell (跟踪反馈!E9).

Conventions of greendiag.excel: hidden column A carries the row key, labels are locked and the sheets protected, and a
very hidden sheet `_greendiag` records the format and the diagnosis the workbook was made for."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any, Callable, Optional

from openpyxl import Workbook
from openpyxl.styles import Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from .errors import Problem, ReportError
from .excel.package import workbook_bytes
from .excel.writer import BORDER, FILL_HEAD, FILL_INPUT, FILL_LABEL, FILL_TITLE, FONT, WRAP  # the data workbook's look
from .followup import ADOPTION, FORMAT, IMPLEMENTATION, FollowupError, read_diagnosis

TEMPLATE_FORMAT = "greendiag-followup-template/1"
SHEET, PLAN, META = "跟踪反馈", "下一步提升计划", "_greendiag"
FIRST_ROW = 10  # the first project row of 跟踪反馈 (header on row 9)
PLAN_FIRST_ROW = 4  # the first plan row (header on row 3)
PLAN_ROWS = 15
KV = {"followup_date": 6, "prepared_by": 7}  # input rows of 跟踪反馈, column C
# project columns: key, header zh, header en, width, input?
COLUMNS = (("number", "序号", "No.", 6, False), ("title", "项目建设内容", "Project (附件2-1-3)", 34, False),
           ("addresses", "针对", "Addresses", 24, False), ("adoption", "采纳情况 *", "Adoption", 12, True),
           ("implementation", "落实情况", "Implementation", 12, True), ("completed", "完成日期", "Completed (YYYY-MM-DD)", 14, True),
           ("investment", "实际投资(万元)", "Actual investment (10⁴ yuan)", 14, True), ("effect", "实施效果", "Effect achieved", 28, True),
           ("evidence", "证明材料", "Evidence", 20, True), ("reason", "未采纳原因", "Reason if not adopted", 22, True),
           ("note", "备注", "Note", 18, True))
COL = {key: i for i, (key, *_rest) in enumerate(COLUMNS, start=2)}
PLAN_COLUMNS = (("item", "计划内容 *", "Planned work", 46), ("planned", "计划时间 *", "Planned time", 18),
                ("responsible", "责任单位", "Responsible", 18), ("note", "备注", "Note", 24))
PLAN_COL = {key: i for i, (key, *_rest) in enumerate(PLAN_COLUMNS, start=3)}


def _label(ws, row: int, col: int, text: Any, *, fill=FILL_LABEL, bold: bool = False) -> None:
    c = ws.cell(row, col, text)
    if isinstance(text, str):
        c.data_type = "s"  # never a formula, whatever the text starts with
    c.font, c.fill, c.border, c.alignment = Font(name=FONT, bold=bold, size=10.5), fill, BORDER, WRAP


def _input(ws, row: int, col: int, fmt: str = "@") -> None:
    c = ws.cell(row, col)
    c.protection = Protection(locked=False)
    c.fill, c.border, c.alignment, c.font, c.number_format = FILL_INPUT, BORDER, WRAP, Font(name=FONT, size=10.5), fmt


def _list(ws, values) -> DataValidation:
    dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True, errorStyle="stop",
                        error="请从下拉列表中选择 / choose a value from the list", errorTitle="无效选项 Invalid", showErrorMessage=True)
    ws.add_data_validation(dv)
    return dv


def write_followup_template(diagnosis: Any, path: str | os.PathLike, *, overwrite: bool = False) -> str:
    """Write the follow-up workbook for `diagnosis` (a diagnosis.json path, a Diagnosis or its dict) to `path` (.xlsx),
    atomically. An existing file is not replaced (file-exists: it may be a filled workbook) unless `overwrite=True`."""
    from . import fileio
    from ._args import check_flag, check_path
    from .excel.writer import refuse_existing
    from .reports._data import ReportData

    target = check_path(path, "path")
    refuse_existing(target, check_flag(overwrite, "overwrite"))
    if not target.lower().endswith(".xlsx"):
        raise ReportError(Problem("bad-extension", "跟踪反馈工作簿文件名须以 .xlsx 结尾", "the follow-up workbook's name must end in .xlsx",
                                  file=target, fix_zh="如 greendiag followup-template diagnosis.json followup.xlsx",
                                  fix_en="e.g. greendiag followup-template diagnosis.json followup.xlsx"))
    diag, _ = read_diagnosis(diagnosis)
    rd = ReportData(diag)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    last = get_column_letter(1 + len(COLUMNS))
    title = ws.cell(1, 2, "绿色诊断后续跟踪反馈(诊断完成一年后)  Follow-up of the green diagnosis (one year after)")
    title.font, title.fill = Font(name=FONT, bold=True, size=13), FILL_TITLE
    ws.merge_cells(f"B1:{last}1")
    report = rd.report_date()
    info = (("park", "园区名称 Park", diag["park"]["name"]), ("diagnosis_year", "诊断年份 Diagnosis year", diag["diagnosis_year"]),
            ("report_date", "诊断报告日期 Report date", report.isoformat() if report else "(未载明)"))
    for r, (key, label, value) in enumerate(info, start=2):
        ws.cell(r, 1, key)
        _label(ws, r, 2, label, bold=True)
        _label(ws, r, 3, value)
    for key, label in (("followup_date", "跟踪反馈日期 * Follow-up date"), ("prepared_by", "填报人 Prepared by")):
        r = KV[key]
        ws.cell(r, 1, key)
        _label(ws, r, 2, label, bold=True)
        _input(ws, r, 3, "yyyy-mm-dd" if key == "followup_date" else "@")
    note = ws.cell(8, 2, "每项建议填写采纳情况;已采纳/部分采纳的填写落实情况,已完成的填写完成日期;未采纳的说明原因。"
                         "Give every suggestion its adoption; for adopted ones the implementation, for done ones the date; for one not adopted, why.")
    note.font, note.alignment = Font(name=FONT, size=9, italic=True), WRAP
    ws.merge_cells(f"B8:{last}8")
    ws.row_dimensions[8].height = 30
    for key, zh, en, width, _ in COLUMNS:
        _label(ws, FIRST_ROW - 1, COL[key], f"{zh}\n{en}", fill=FILL_HEAD, bold=True)
        ws.column_dimensions[get_column_letter(COL[key])].width = width
    ws.row_dimensions[FIRST_ROW - 1].height = 44
    adoption_dv = _list(ws, [zh for zh, _ in ADOPTION.values()])
    impl_dv = _list(ws, [zh for zh, _ in IMPLEMENTATION.values()])
    date_dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)", allow_blank=True,
                             errorStyle="warning", error="应为日期,如 2026-03-10 / a date is expected", errorTitle="日期 Date",
                             showErrorMessage=True)
    money_dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True, errorStyle="stop",
                              error="应为不小于 0 的金额(万元) / an amount of at least 0 (10⁴ yuan)", errorTitle="数值 Number",
                              showErrorMessage=True)
    ws.add_data_validation(date_dv)
    ws.add_data_validation(money_dv)
    for n, p in enumerate(diag["projects"], 1):
        r = FIRST_ROW + n - 1
        ws.cell(r, 1, f"project:{n}")
        addresses = "、".join(rd.subject_label(str(a)) for a in p.get("addresses") or ())
        _label(ws, r, COL["number"], n)
        _label(ws, r, COL["title"], p["content_zh"])
        _label(ws, r, COL["addresses"], addresses)
        for key, *_rest in COLUMNS[3:]:
            _input(ws, r, COL[key], "yyyy-mm-dd" if key == "completed" else "General" if key == "investment" else "@")
        adoption_dv.add(ws.cell(r, COL["adoption"]).coordinate)
        impl_dv.add(ws.cell(r, COL["implementation"]).coordinate)
        date_dv.add(ws.cell(r, COL["completed"]).coordinate)
        money_dv.add(ws.cell(r, COL["investment"]).coordinate)
    date_dv.add(ws.cell(KV["followup_date"], 3).coordinate)
    ws.freeze_panes = f"D{FIRST_ROW}"
    plan = wb.create_sheet(PLAN)
    t = plan.cell(1, 2, "园区下一步提升计划  The park's next steps")
    t.font, t.fill = Font(name=FONT, bold=True, size=13), FILL_TITLE
    plan.merge_cells(f"B1:{get_column_letter(2 + len(PLAN_COLUMNS))}1")
    _label(plan, PLAN_FIRST_ROW - 1, 2, "序号\nNo.", fill=FILL_HEAD, bold=True)
    for key, zh, en, width in PLAN_COLUMNS:
        _label(plan, PLAN_FIRST_ROW - 1, PLAN_COL[key], f"{zh}\n{en}", fill=FILL_HEAD, bold=True)
        plan.column_dimensions[get_column_letter(PLAN_COL[key])].width = width
    plan.row_dimensions[PLAN_FIRST_ROW - 1].height = 32
    for i in range(PLAN_ROWS):
        r = PLAN_FIRST_ROW + i
        plan.cell(r, 1, "plan")
        _label(plan, r, 2, i + 1)
        for key in PLAN_COL:
            _input(plan, r, PLAN_COL[key])
    meta = wb.create_sheet(META)
    for r, (k, v) in enumerate((("format", TEMPLATE_FORMAT), ("park", diag["park"]["name"]),
                                ("diagnosis_year", str(diag["diagnosis_year"])), ("projects", str(len(diag["projects"]))),
                                ("fictitious", "true" if diag.get("fictitious") else "false")), start=1):
        meta.cell(r, 1, k)
        meta.cell(r, 2, v).data_type = "s"
    meta.sheet_state = "veryHidden"
    for sheet in wb.worksheets:
        sheet.protection.sheet = True
        if sheet.title != META:
            sheet.column_dimensions["A"].hidden = True
            sheet.protection.formatColumns = False
            sheet.protection.formatRows = False
            sheet.column_dimensions["B"].width = max(sheet.column_dimensions["B"].width or 0, 16 if sheet.title == SHEET else 7)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = "greendiag"
    wb.properties.title = f"绿色诊断后续跟踪反馈 — {diag['park']['name']}"
    fileio.write_bytes(target, workbook_bytes(wb, rd.fixed_datetime().replace(tzinfo=None)))
    return target


# ------------------------------------------------------------------ reading


def _fail(p: str, code: str, zh: str, en: str, fix_zh: str, fix_en: str, location: Optional[str] = None):
    from .errors import file_error

    raise file_error(FollowupError)(Problem(code, zh, en, file=p, location=location, fix_zh=fix_zh, fix_en=fix_en)) from None


def _open(p: str):
    from .excel.reader import open_workbook

    return open_workbook(p, FollowupError, ("用 greendiag followup-template 重新生成", "make a new one with greendiag followup-template"),
                         data_only=True, wanted=("跟踪反馈工作簿", "the follow-up workbook"))


def _cell_text(v: Any) -> Any:
    """A cell as record data: dates as YYYY-MM-DD, whole floats as ints, text trimmed; None when empty."""
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return v.strip() or None
    return v


def _amount(v: Any) -> Any:
    """An investment cell: a number, or text that is a plain number (optionally followed by 万元); other text as it is
    (the schema then reports it at its cell)."""
    if isinstance(v, str):
        m = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)\s*(?:万元)?", v.replace(",", "").strip())
        if m:
            return float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    return v


def read_followup_workbook(path: str | os.PathLike) -> tuple[dict, Callable[[tuple], Optional[str]]]:
    """(follow-up record, locate) from a filled follow-up workbook; locate maps a record path to its Sheet!cell. A file
    that is not such a workbook is refused (not-a-followup-template)."""
    p = os.fspath(path)
    wb = _open(p)
    meta = {str(r[0].value): r[1].value for r in wb[META].iter_rows(max_col=2)} if META in wb.sheetnames else {}
    if meta.get("format") != TEMPLATE_FORMAT or SHEET not in wb.sheetnames or PLAN not in wb.sheetnames:
        _fail(p, "not-a-followup-template", "这不是 greendiag 跟踪反馈工作簿(缺少模板标记或工作表“跟踪反馈”“下一步提升计划”)",
              "this is not a greendiag follow-up workbook (no template mark, or the sheets 跟踪反馈 and 下一步提升计划 are missing)",
              "用 greendiag followup-template diagnosis.json followup.xlsx 生成,不要删除或重命名工作表",
              "make one with greendiag followup-template diagnosis.json followup.xlsx; do not delete or rename its sheets")
    ws, plan = wb[SHEET], wb[PLAN]
    places: dict[tuple, str] = {}
    data: dict[str, Any] = {"format": FORMAT, "park": str(meta.get("park") or "")}
    if str(meta.get("diagnosis_year") or "").isdigit():
        data["diagnosis_year"] = int(meta["diagnosis_year"])
    if meta.get("fictitious") == "true":
        data["fictitious"] = True
    for key, row in KV.items():
        v = _cell_text(ws.cell(row, 3).value)
        places[(key,)] = f"{SHEET}!C{row}"
        if v is not None:
            data[key] = v
    places[("projects",)] = f"{SHEET}!B{FIRST_ROW - 1}"
    projects = []
    for r in range(FIRST_ROW, ws.max_row + 1):
        key = ws.cell(r, 1).value
        if not (isinstance(key, str) and key.startswith("project:") and key[8:].isdigit()):
            continue
        n = int(key[8:])
        places[("row", n)] = f"{SHEET}!{get_column_letter(COL['adoption'])}{r}"
        entry: dict[str, Any] = {}
        for k, *_rest in COLUMNS[3:]:
            v = _cell_text(ws.cell(r, COL[k]).value)
            if v is not None:
                entry[k] = _amount(v) if k == "investment" else v
        if not entry:
            continue  # a row left blank: its suggestion has no entry (followup-project-missing, placed at the row)
        i = len(projects)
        for k in ("number", "title", *[c[0] for c in COLUMNS[3:]]):
            places[("projects", i, k)] = f"{SHEET}!{get_column_letter(COL[k])}{r}"
        places[("projects", i)] = f"{SHEET}!{get_column_letter(COL['adoption'])}{r}"
        title = _cell_text(ws.cell(r, COL["title"]).value)
        projects.append({"number": n, **({"title": str(title)} if title is not None else {}), **entry})
    data["projects"] = projects
    places[("next_steps",)] = f"{PLAN}!C{PLAN_FIRST_ROW}"
    steps = []
    for r in range(PLAN_FIRST_ROW, plan.max_row + 1):
        if plan.cell(r, 1).value != "plan":
            continue
        item = {k: _cell_text(plan.cell(r, c).value) for k, c in PLAN_COL.items()}
        item = {k: (str(v) if not isinstance(v, str) else v) for k, v in item.items() if v is not None}
        if not item:
            continue
        i = len(steps)
        empty = [k for k in ("item", "planned") if k not in item]  # a required cell left empty is where the row's problem is
        places[("next_steps", i)] = f"{PLAN}!{get_column_letter(PLAN_COL[empty[0] if empty else 'item'])}{r}"
        for k, c in PLAN_COL.items():
            places[("next_steps", i, k)] = f"{PLAN}!{get_column_letter(c)}{r}"
        steps.append(item)
    data["next_steps"] = steps

    def locate(path: tuple) -> Optional[str]:
        for cut in range(len(path), 0, -1):  # the deepest place known: a cell, else its row, else the table
            if path[:cut] in places:
                return places[path[:cut]]
        return f"{SHEET}!A1"

    return data, locate
