"""Writing the data-collection workbook from a catalogue (with overlays), optionally prefilled from a dataset.

Labels are locked and the sheets protected; input cells are unlocked, coloured and validated (numbers,
drop-downs, dates). The hidden column A carries the key the reader uses, and a very hidden sheet
records the template format and the catalogue the workbook was made from.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any, Iterable, Optional, Union

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import fileio, units
from ..dataset import DEMONSTRATION_STATUS, DIAGNOSIS_YEARS, MAX_DAYS, carrier_units, count_words, quantity_text
from ..errors import Problem, ReportError, UnitError
from ..models import Catalogue, Indicator, ParkDataset
from . import layout as L
from .package import workbook_bytes

FONT = "宋体"
_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
FILL_TITLE = PatternFill("solid", fgColor="DDEBF7")
FILL_HEAD = PatternFill("solid", fgColor="D9D9D9")
FILL_LABEL = PatternFill("solid", fgColor="F2F2F2")
FILL_SECTION = PatternFill("solid", fgColor="E2EFDA")
FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")
FILL_REQUIRED = PatternFill("solid", fgColor="FCE4D6")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
UNLOCKED = Protection(locked=False)
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"

DatasetLike = Union[ParkDataset, str, os.PathLike]


def write_template(path: str | os.PathLike, catalogue: Catalogue, *, diagnosis_year: Optional[int] = None,
                   dataset: Optional[DatasetLike] = None, overwrite: bool = False) -> str:
    """Write the workbook atomically to `path` (.xlsx); prefill it from `dataset` when given. Returns the path.
    An existing file is not replaced (ReportError `file-exists`: it may be a workbook the park has filled in) unless
    `overwrite=True`, as `greendiag template --force`."""
    from .._args import bad_argument, check_catalogue, check_flag, check_int, check_path

    target = check_path(path, "path")
    check_catalogue(catalogue, allow_none=False)
    diagnosis_year = check_int(diagnosis_year, "diagnosis_year", *DIAGNOSIS_YEARS, allow_none=True)
    if dataset is not None and not isinstance(dataset, ParkDataset):
        if not isinstance(dataset, (str, bytes, os.PathLike)):
            raise bad_argument("dataset", "须为 ParkDataset 或数据文件路径", "must be a ParkDataset or a dataset file path", dataset,
                               "如 dataset=load_dataset('park.yaml', catalogue=cat) 或 dataset='park.yaml'",
                               "e.g. dataset=load_dataset('park.yaml', catalogue=cat) or dataset='park.yaml'")
        dataset = check_path(dataset, "dataset")
    refuse_existing(target, check_flag(overwrite, "overwrite"))
    if not target.lower().endswith(".xlsx"):
        raise ReportError(Problem("bad-extension", "模板文件名须以 .xlsx 结尾", "the template file name must end in .xlsx", file=target,
                                  fix_zh="如 greendiag template park.xlsx", fix_en="e.g. greendiag template park.xlsx"))
    ds = _as_dataset(dataset, catalogue)
    if ds is not None:
        if diagnosis_year is not None and diagnosis_year != ds.diagnosis_year:
            raise ReportError(Problem("year-mismatch", f"指定的诊断年份 {diagnosis_year} 与数据中的 {ds.diagnosis_year} 不一致",
                                      f"diagnosis year {diagnosis_year} differs from the dataset's {ds.diagnosis_year}", file=target,
                                      fix_zh="省略 --year 或使其与数据一致", fix_en="omit the year or make it match the dataset"))
        diagnosis_year = ds.diagnosis_year
    wb = build_workbook(catalogue, diagnosis_year=diagnosis_year, dataset=ds)
    heads = _year_headers(diagnosis_year, catalogue.scoring.years, len(catalogue.coal_coefficients))
    fileio.write_bytes(target, workbook_bytes(wb, fixed_time(ds, diagnosis_year), lambda parts: _cache_formula_values(parts, heads)))
    return target


# the time stamped on a template made without any year: a constant, so that it too is byte-identical between runs
NO_YEAR_TIME = dt.datetime(DIAGNOSIS_YEARS[0], 1, 1)


def fixed_time(ds: Optional[ParkDataset], diagnosis_year: Optional[int]) -> dt.datetime:
    """The created/modified time written into the workbook, never now(): the same input gives the same bytes. The
    dataset's report date (submitted, else end of on-site work, else start of work), as the report's .docx carries;
    else 1 January of the diagnosis year, the one date the workbook belongs to; else a constant."""
    if ds is not None:
        e = ds.engagement
        for d in (e.report_submitted, e.onsite_end, e.work_started):
            if d is not None:
                return dt.datetime(d.year, d.month, d.day)
    return NO_YEAR_TIME if diagnosis_year is None else dt.datetime(diagnosis_year, 1, 1)


def refuse_existing(target: str, overwrite: bool) -> None:
    """ReportError `file-exists` when `target` exists and may not be replaced: write_template's check, which
    `greendiag template` makes too before it reads anything (--force is overwrite=True)."""
    if overwrite or not os.path.lexists(target):
        return
    raise ReportError(Problem("file-exists", "文件已存在;为免覆盖园区已填写的数据,未生成模板", "the file exists; the template was not written, "
                              "so that a workbook the park has filled in is not overwritten", file=target,
                              fix_zh="换一个文件名,或确认可以覆盖时加 --force(Python:overwrite=True)",
                              fix_en="choose another name, or add --force (Python: overwrite=True) if it may be overwritten"))


def _year_headers(diagnosis_year: Optional[int], count: int, n_carriers: int) -> dict[str, dict[str, str]]:
    """{sheet: {cell: text}}: what the year-header formulas show for this diagnosis year (their fallback without one)."""
    def text(table: L.YearTable, slot: int) -> str:
        if diagnosis_year is None:
            return L.slot_label(slot)[0]
        return f"{table.year(diagnosis_year, slot)}年" + ("(基准年)" if slot == 0 else "")

    heads = {t.sheet: {f"{get_column_letter(col(slot))}3": text(t, slot) for col in (t.value_col, t.evidence_col) for slot in t.slots}
             for t in (L.indicator_table(count), L.statistics_table(count))}
    t = L.statistics_table(count)
    heads[L.CARRIERS] = {f"{get_column_letter(L.CARRIER_COL['number'])}{row}": text(t, slot) for slot, row in _carrier_year_rows(t, n_carriers)}
    return heads


def _cache_formula_values(contents: dict[str, bytes], values: dict[str, dict[str, str]]) -> dict[str, bytes]:
    """The saved parts with each formula's result stored next to it (openpyxl writes formulas without one), so that
    previewers that do not recalculate show the years; Excel, WPS and LibreOffice still recalculate the formulas."""
    import re
    from xml.sax.saxutils import escape

    book, rels = contents["xl/workbook.xml"].decode("utf-8"), contents["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = {m.group(2): m.group(1) for m in re.finditer(r'<Relationship [^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    parts: dict[str, dict[str, str]] = {}
    for m in re.finditer(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', book):
        if m.group(1) in values and m.group(2) in targets:
            parts[targets[m.group(2)].lstrip("/")] = values[m.group(1)]
    if len(parts) != len(values):  # not the layout this module writes: leave the parts as they are
        return contents
    contents = dict(contents)
    for part, cells in parts.items():
        xml = contents[part].decode("utf-8")
        for ref, text in cells.items():
            xml = re.sub(rf'<c r="{ref}"((?: [^>]*?)?)><f>(.*?)</f>(?:<v\s*/>|<v></v>)</c>',
                         lambda m: f'<c r="{ref}"{m.group(1)} t="str"><f>{m.group(2)}</f><v>{escape(text)}</v></c>', xml, count=1)
        contents[part] = xml.encode("utf-8")
    return contents


def _as_dataset(dataset: Optional[DatasetLike], cat: Catalogue) -> Optional[ParkDataset]:
    if dataset is None or isinstance(dataset, ParkDataset):
        return dataset
    from ..dataset import load_dataset

    return load_dataset(dataset, catalogue=cat)


def build_workbook(cat: Catalogue, *, diagnosis_year: Optional[int] = None, dataset: Optional[ParkDataset] = None) -> Workbook:
    """The workbook in memory (write_template saves it)."""
    pre = _Prefill(dataset, cat)
    wb = Workbook()
    ws_park = wb.active
    ws_park.title = L.PARK
    year_cell = _kv_sheet(ws_park, "基本信息表", "Basic information (附件2-1)", L.park_fields(cat.scoring), pre.fields,
                          {"diagnosis_year": diagnosis_year})
    year_ref = f"'{L.PARK}'!${get_column_letter(L.KV_VALUE_COL)}${year_cell}"
    _baseline_sheet(wb.create_sheet(L.BASELINE), cat, pre)
    _indicator_sheet(wb.create_sheet(L.INDICATORS), cat, pre, year_ref, L.indicator_table(cat.scoring.years))
    _statistics_sheet(wb.create_sheet(L.STATISTICS), cat, pre, year_ref, L.statistics_table(cat.scoring.years))
    _carrier_sheet(wb.create_sheet(L.CARRIERS), cat, pre, year_ref, L.statistics_table(cat.scoring.years))
    ws_team = wb.create_sheet(L.TEAM)
    end = _kv_sheet(ws_team, "绿色诊断工作组", "Engagement and team", L.ENGAGEMENT_FIELDS, pre.fields, {}, last_row=True)
    _row_table(ws_team, end + 2, "绿色诊断工作组成员表", "Team members: at least 5, incl. at least one park staff member",
               L.TEAM_COLUMNS, "team", pre.team, L.TEAM_ROWS)
    ws_proj = wb.create_sheet(L.PROJECTS)
    _title(ws_proj, 1, "附件2-1-3 绿色化改造提升建议表", "Improvement projects", 2, 2 + len(L.PROJECT_COLUMNS))
    last = _row_table(ws_proj, 2, None, None, L.PROJECT_COLUMNS, "project", pre.projects, L.PROJECT_ROWS,
                      header_row=L.PROJECT_HEAD_ROW)
    note = ws_proj.cell(last + 2, 2, "填表说明:园区近期如对该项目有实施意愿,请在备注栏中填写拟实施的时间。备注中请一并填写其他需要说明的事项。\n"
                                     "Notes: if the park intends to carry out a project soon, give the planned time under 备注 (note).")
    ws_proj.merge_cells(start_row=last + 2, start_column=2, end_row=last + 2, end_column=1 + 1 + len(L.PROJECT_COLUMNS))
    note.alignment = WRAP
    note.font = Font(name=FONT, size=9, italic=True)
    ws_proj.row_dimensions[last + 2].height = 32
    ws_proj.freeze_panes = "C3"
    _demonstration_sheet(wb.create_sheet(L.DEMONSTRATION), cat, pre)
    _meta_sheet(wb.create_sheet(L.META), cat, diagnosis_year)
    for ws in wb.worksheets:
        if ws.title == L.META:
            continue
        ws.column_dimensions["A"].hidden = True
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # allowed: users may widen columns and rows
        ws.protection.formatRows = False
        ws.sheet_view.zoomScale = 100
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = "greendiag"
    wb.properties.title = f"绿色诊断数据采集表 — {cat.label}"
    return wb


# ------------------------------------------------------------------ cells


def _font(bold: bool = False, size: float = 10.5, italic: bool = False, color: Optional[str] = None) -> Font:
    return Font(name=FONT, bold=bold, size=size, italic=italic, color=color)


def _label(ws: Worksheet, row: int, col: int, text: Any, *, fill=FILL_LABEL, bold=False, align=WRAP) -> None:
    c = ws.cell(row, col, text)
    c.font, c.fill, c.border, c.alignment = _font(bold), fill, BORDER, align


def _input(ws: Worksheet, row: int, col: int, value: Any = None, *, required: bool = False, fmt: str = "General") -> None:
    c = ws.cell(row, col)
    if value is not None:
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"  # never a formula, whatever the text starts with
    c.protection = UNLOCKED
    c.fill = FILL_REQUIRED if required else FILL_INPUT
    c.border, c.alignment, c.font = BORDER, WRAP, _font()
    c.number_format = fmt


def _key(ws: Worksheet, row: int, key: str) -> None:
    ws.cell(row, 1, key).font = _font(size=8, color="808080")


def _title(ws: Worksheet, row: int, zh: str, en: str, first: int, last: int) -> None:
    c = ws.cell(row, first, f"{zh}  {en}")
    c.font, c.fill, c.alignment = _font(True, 13), FILL_TITLE, Alignment(vertical="center")
    ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    ws.row_dimensions[row].height = 24


def _head(ws: Worksheet, row: int, col: int, zh: str, en: str) -> None:
    _label(ws, row, col, f"{zh}\n{en}", fill=FILL_HEAD, bold=True, align=CENTER)


def _widths(ws: Worksheet, widths: dict[int, float]) -> None:
    ws.column_dimensions["A"].width = 14
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def _dv(ws: Worksheet, kind: str, *, values: Iterable[str] = (), minimum=None, maximum=None, prompt: str = "",
        title: str = "", unit_example: Optional[str] = None) -> DataValidation:
    """A data validation added to the sheet: drop-downs stop bad entries; dates, and numbers that may carry a unit
    (`unit_example`), only warn; a number that takes no unit stops bad entries."""
    if kind == "list":
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True, errorStyle="stop",
                            error="请从下拉列表中选择 / choose a value from the list", errorTitle="无效选项 Invalid")
    elif kind == "date":
        low, high = DIAGNOSIS_YEARS  # the engagement's dates: within the years a diagnosis can be made
        dv = DataValidation(type="date", operator="between", formula1=f"DATE({low},1,1)", formula2=f"DATE({high},12,31)", allow_blank=True,
                            errorStyle="warning", error="应为日期,如 2025-03-10 / a date is expected", errorTitle="日期 Date")
    else:  # decimal | whole
        if minimum is not None and maximum is not None:
            op, f1, f2 = "between", _num(minimum), _num(maximum)
        elif minimum is not None:
            op, f1, f2 = "greaterThanOrEqual", _num(minimum), None
        elif maximum is not None:
            op, f1, f2 = "lessThanOrEqual", _num(maximum), None
        else:
            op, f1, f2 = "between", "-1E+15", "1E+15"
        rng = (f",范围 {_num(minimum)}–{_num(maximum)}" if minimum is not None and maximum is not None
               else f",不小于 {_num(minimum)}" if minimum is not None else f",不大于 {_num(maximum)}" if maximum is not None else "")
        rng_en = (f" in {_num(minimum)}–{_num(maximum)}" if minimum is not None and maximum is not None
                  else f" ≥ {_num(minimum)}" if minimum is not None else f" ≤ {_num(maximum)}" if maximum is not None else "")
        what_zh, what_en = ("整数", "a whole number") if kind == "whole" else ("数值", "a number")
        if unit_example is None:
            error = f"应为{what_zh}{rng} / {what_en}{rng_en} is expected"
        else:
            with_unit = f"(如 {unit_example})" if unit_example else ""
            error = f"应为{what_zh}{rng}。带单位的数值{with_unit}可确认保留 / {what_en}{rng_en} is expected; a value with a unit may be kept"
        dv = DataValidation(type=kind, operator=op, formula1=f1, formula2=f2, allow_blank=True,
                            errorStyle="stop" if unit_example is None else "warning", errorTitle="数值 Number", error=error[:225])
    dv.showErrorMessage = True
    if prompt:
        dv.showInputMessage = True
        dv.prompt = prompt[:250]
        dv.promptTitle = title[:32]
    ws.add_data_validation(dv)
    return dv


def _days_dv(ws: Worksheet, unit_example: str) -> DataValidation:
    """Cells that count days within a year (on-site working days, a statistic in `day`): a whole number 0–366, the most
    the reader accepts (dataset.MAX_DAYS). Like every cell that reads a unit it warns rather than stops, so "5 天" can be typed."""
    dv = _dv(ws, "whole", minimum=0, maximum=MAX_DAYS, unit_example=unit_example, title="天数 Days",
             prompt=f"天数:0–{MAX_DAYS} 的整数(一年至多 {MAX_DAYS} 天),也可写“5 天” / days: a whole number from 0 to {MAX_DAYS}")
    dv.error = (f"天数应为 0–{MAX_DAYS} 的整数:一年至多 {MAX_DAYS} 天,更大的数读入时被拒收。带单位的数值(如 5 天)可确认保留 / "
                f"days: a whole number from 0 to {MAX_DAYS} (a year has at most {MAX_DAYS} days; more is refused); a value with a unit may be kept")
    return dv


def _num(x: Optional[float]) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


# ------------------------------------------------------------------ key–value sheets


def _kv_sheet(ws: Worksheet, zh: str, en: str, fields: tuple, values: dict[str, Any], defaults: dict[str, Any],
              last_row: bool = False) -> int:
    """Title, header and one row per field; returns the row of diagnosis_year (or the last row when asked)."""
    _title(ws, 1, zh, en, 2, 5)
    for col, (hz, he) in L.KV_HEADS:
        _head(ws, L.KV_HEAD_ROW, col, hz, he)
    _widths(ws, {2: 30, 3: 34, 4: 36, 5: 34})
    row, year_row = 3, 0
    validations: dict[tuple, DataValidation] = {}
    for f in fields:
        if isinstance(f, L.Field) and f.key == "fictitious":
            if values.get(f.key) != L.YES:  # a real park is not asked; prefilled from a fictitious example, it says so
                continue
        if isinstance(f, L.Section):
            _label(ws, row, 2, f"{f.zh}  {f.en}", fill=FILL_SECTION, bold=True)
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
            row += 1
            continue
        _key(ws, row, f.key)
        _label(ws, row, 2, f.zh + (" *" if f.required else ""), bold=f.required)
        _label(ws, row, 3, f.en)
        value = values.get(f.key, defaults.get(f.key))
        fmt = {"date": DATE_FORMAT, "text": TEXT_FORMAT, "list": TEXT_FORMAT}.get(f.kind, "General")
        _input(ws, row, L.KV_VALUE_COL, value, required=f.required, fmt=fmt)
        hint = " / ".join(h for h in (f.hint_zh, f.hint_en) if h)
        _label(ws, row, 5, hint)
        ws.cell(row, 5).font = _font(size=9, italic=True)
        dv_key = _field_dv_key(f)
        if dv_key is not None:
            if dv_key not in validations:
                validations[dv_key] = (_days_dv(ws, dv_key[4]) if dv_key[0] == "days" else
                                       _dv(ws, dv_key[0], values=dv_key[1], minimum=dv_key[2], maximum=dv_key[3], unit_example=dv_key[4]))
            validations[dv_key].add(ws.cell(row, L.KV_VALUE_COL).coordinate)
        if f.key == "diagnosis_year":
            year_row = row
        row += 1
    legend = ws.cell(row + 1, 2, "橙色为必填(*),黄色为选填;灰色为说明,已锁定。 Orange: required (*); yellow: optional; grey labels are locked.")
    legend.font = _font(size=9, italic=True)
    ws.merge_cells(start_row=row + 1, start_column=2, end_row=row + 1, end_column=5)
    ws.freeze_panes = "D3"
    return row - 1 if last_row else year_row


def _field_dv_key(f: L.Field) -> Optional[tuple]:
    unit_example = f.unit_example if f.unit else None
    if f.kind == "choice":
        return ("list", f.choices, None, None, None)
    if f.kind == "bool":
        return ("list", (L.YES, L.NO), None, None, None)
    if f.kind == "date":
        return ("date", (), None, None, None)
    if f.kind == "int" and f.unit == "day":  # a count of days within a year: _days_dv
        return ("days", (), None, None, unit_example)
    if f.kind == "int":
        return ("whole", (), f.minimum, f.maximum, unit_example)
    if f.kind == "number":
        return ("decimal", (), f.minimum, f.maximum, unit_example)
    return None


# ------------------------------------------------------------------ baseline


def _baseline_sheet(ws: Worksheet, cat: Catalogue, pre: "_Prefill") -> None:
    C = L.REQ_COL
    _title(ws, 1, "附件2-1-1 工业园区绿色诊断基础性要求诊断表", "Baseline requirements", 2, 8)
    for key, col in C.items():
        _head(ws, 2, col, *L.REQ_HEADS[key])
    _widths(ws, {2: 7, 3: 48, 4: 48, 5: 12, 6: 12, 7: 34, 8: 24})
    dv = _dv(ws, "list", values=L.STATUS_CHOICES, prompt="符合 / 不符合 / 未知", title="是否符合 Met?")
    row = L.REQ_FIRST_ROW
    for req in cat.requirements:
        _key(ws, row, f"req:{req.number}")
        _label(ws, row, C["number"], req.number, align=CENTER)
        _label(ws, row, C["text_zh"], req.text_zh)
        _label(ws, row, C["text_en"], req.text_en)
        _label(ws, row, C["type"], "必选\nrequired" if req.mandatory else "鼓励\nencouraged", align=CENTER)
        status, evidence, note = pre.baseline.get(req.number, (None, None, None))
        _input(ws, row, C["status"], status, required=req.mandatory)
        _input(ws, row, C["evidence"], evidence, fmt=TEXT_FORMAT)
        _input(ws, row, C["note"], note, fmt=TEXT_FORMAT)
        dv.add(ws.cell(row, C["status"]).coordinate)
        ws.row_dimensions[row].height = 62
        row += 1
    ws.freeze_panes = ws.cell(L.REQ_FIRST_ROW, C["status"]).coordinate


# ------------------------------------------------------------------ demonstrative work (四(三)3)


def _demonstration_sheet(ws: Worksheet, cat: Catalogue, pre: "_Prefill") -> None:
    """A row per kind of demonstrative work with a status drop-down; a titled kind ("other") gets several rows, each
    named in 名称. Every row left empty means the check is not recorded; 未开展 on every kind, checked and none found."""
    C = L.DEMO_COL
    _title(ws, 1, "示范性工作核查(指南四(三)3)", "Demonstrative green-manufacturing work (guide 四(三)3)", 2, 8)
    for key, col in C.items():
        _head(ws, L.DEMO_HEAD_ROW, col, *L.DEMO_HEADS[key])
    _widths(ws, {2: 7, 3: 30, 4: 26, 5: 26, 6: 12, 7: 48, 8: 30})
    dv = _dv(ws, "list", values=L.DEMO_STATUS_CHOICES, prompt=" / ".join(L.DEMO_STATUS_CHOICES), title="核查情况 Found on site")
    row, n = L.DEMO_FIRST_ROW, 1
    for kind in cat.demonstration_kinds:
        given = pre.demonstration.get(kind.id, [])
        count = max(L.DEMO_TITLED_ROWS, len(given) + 2) if kind.titled else 1
        for i in range(count):
            _key(ws, row, L.demo_key(kind.id, i + 1 if kind.titled else 0))
            _label(ws, row, C["number"], n, align=CENTER)
            _label(ws, row, C["kind"], f"{kind.name_zh}\n{kind.name_en}" + ("\n(须填写名称 title required)" if kind.titled else ""))
            item = given[i] if i < len(given) else {}
            _input(ws, row, C["title_zh"], item.get("title_zh"), required=kind.titled and bool(item), fmt=TEXT_FORMAT)
            _input(ws, row, C["title_en"], item.get("title_en"), fmt=TEXT_FORMAT)
            _input(ws, row, C["status"], item.get("status"))
            _input(ws, row, C["description"], item.get("description"), fmt=TEXT_FORMAT)
            _input(ws, row, C["evidence"], item.get("evidence"), fmt=TEXT_FORMAT)
            dv.add(ws.cell(row, C["status"]).coordinate)
            ws.row_dimensions[row].height = 40
            row, n = row + 1, n + 1
    legend = ws.cell(row + 1, 2, "工作组应核查园区是否在其他方面开展了具有示范意义的绿色制造相关工作(指南四(三)3)。每类选择核查情况"
                                 "(已开展/在建/计划中/未开展),未发现的选“未开展”;全部留空表示未记录此项核查。“其他”行须填写名称。\n"
                                 "Choose what the team found for each kind (未开展 = not carried out); leaving every row empty means the "
                                 "check is not recorded. Rows of 'other' work need a title.")
    legend.alignment = WRAP
    legend.font = _font(size=9, italic=True)
    ws.merge_cells(start_row=row + 1, start_column=2, end_row=row + 1, end_column=8)
    ws.row_dimensions[row + 1].height = 44
    ws.freeze_panes = ws.cell(L.DEMO_FIRST_ROW, C["title_zh"]).coordinate


# ------------------------------------------------------------------ indicators and statistics


def _year_formula(year_ref: str, back: int, fallback: str, suffix: str = "年") -> str:
    return f'=IF(ISNUMBER({year_ref}),({year_ref}-{back})&"{suffix}","{fallback}")'


def _indicator_hint(ind: Indicator) -> str:
    if ind.qualitative:
        return "下拉选择 choose: " + " / ".join(f"{lv.zh}({lv.en})" for lv in ind.levels)
    unit = ind.unit or "无量纲 dimensionless"
    rng = ""
    if ind.bounds_min is not None and ind.bounds_max is not None:
        rng = f";范围 range {_num(ind.bounds_min)}–{_num(ind.bounds_max)}"
    elif ind.bounds_min is not None:
        rng = f";不小于 ≥ {_num(ind.bounds_min)}"
    elif ind.bounds_max is not None:
        rng = f";不大于 ≤ {_num(ind.bounds_max)}"
    if ind.is_share:
        return f"以百分数填写,95 表示 95 %{rng} / a percentage: 95 means 95 %"
    if not ind.unit:
        return f"数值(无量纲){rng} / a plain number (dimensionless)"
    example = _unit_example(ind.unit)
    return (f"数值,单位默认为 {unit}{rng};也可带同量纲单位,将自动换算" + (f"(如 “{example}”即 1 {ind.unit})" if example else "")
            + f" / a number in {unit}, or a value with its own unit, converted")


_ALTERNATIVES = (("亿元", "万元"), ("万元", "元"), ("万tce", "tce"), ("tce", "kgce"), ("km2", "hm2"), ("万m3", "m3"), ("m3", "L"),
                 ("tCO2", "kgCO2"), ("t/", "kg/"))  # a unit people also write, for the template's example


def _unit_example(unit: Optional[str]) -> str:
    """'10000 元/tce' for 万元/tce: 1 of the unit written in another unit people use, converted exactly; '' if none fits."""
    from .. import units

    for old, new in _ALTERNATIVES:
        if unit and old in unit:
            alt = unit.replace(old, new, 1)
            try:
                value = units.convert_input(1.0, unit, alt)
            except Exception:  # noqa: BLE001 - an alternative that does not convert is no example
                continue
            if value >= 1:  # 10000 元/tce reads naturally; 0.001 元/L does not
                return f"{value:g} {alt}"
    return ""


def _merge_row(ws: Worksheet, row: int, first: int, last: int) -> None:
    if last > first:  # one year column is not merged
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _year_heads(ws: Worksheet, t: L.YearTable, year_ref: str) -> None:
    """Row 3 of a year table: each value and evidence column headed by a formula on the diagnosis year."""
    for col in (t.value_col, t.evidence_col):
        for slot in t.slots:
            zh = L.slot_label(slot)[0]
            formula = _year_formula(year_ref, t.back(slot), zh, "年(基准年)" if slot == 0 else "年")
            _label(ws, 3, col(slot), formula, fill=FILL_HEAD, bold=True, align=CENTER)


def _indicator_sheet(ws: Worksheet, cat: Catalogue, pre: "_Prefill", year_ref: str, t: L.YearTable) -> None:
    C, V, E, H = L.IND_COL, t.first_value_col, t.first_evidence_col, t.after_evidence
    n_zh, n_en = count_words(t.count)
    _title(ws, 1, f"附件2-1-2 工业园区绿色诊断评价表(诊断年份前{n_zh}年)", f"Indicator data for the {n_en} before the diagnosis", 2, H)
    for key, col in C.items():
        _head(ws, 2, col, *L.IND_HEADS[key])
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    _head(ws, 2, V, *L.IND_VALUES_HEAD)
    _merge_row(ws, 2, V, E - 1)
    _head(ws, 2, E, *L.EVIDENCE_HEAD)
    _merge_row(ws, 2, E, H - 1)
    _head(ws, 2, H, "填写说明", "How to fill")
    ws.merge_cells(start_row=2, start_column=H, end_row=3, end_column=H)
    _year_heads(ws, t, year_ref)
    _widths(ws, {C["category"]: 16, C["number"]: 6, C["name_zh"]: 30, C["name_en"]: 34, C["unit"]: 11, C["mandatory"]: 10,
                 **{t.value_col(slot): 13 for slot in t.slots}, **{t.evidence_col(slot): 18 for slot in t.slots}, H: 46})
    row = L.IND_FIRST_ROW
    for ind in cat.indicators:
        _key(ws, row, f"ind:{ind.id}")
        try:
            c = cat.category(ind.category)
            cat_text = f"{c.code} {c.name_zh}\n{c.name_en}"
        except KeyError:
            cat_text = ind.category
        _label(ws, row, C["category"], cat_text)
        _label(ws, row, C["number"], ind.number, align=CENTER)
        _label(ws, row, C["name_zh"], ind.name_zh + (f"\n(扩展 overlay {ind.origin}{' 修订 revised' if ind.replaces else ''})"
                                                      if ind.origin != cat.id else ""))
        _label(ws, row, C["name_en"], ind.name_en)
        _label(ws, row, C["unit"], ("定性" if ind.qualitative else ind.unit or "—"), align=CENTER)
        _label(ws, row, C["mandatory"], "必选\nmandatory" if ind.mandatory else "可选\noptional", align=CENTER)
        hint = _indicator_hint(ind)
        if ind.qualitative:
            dv = _dv(ws, "list", values=[lv.zh for lv in ind.levels], prompt=hint, title=ind.name_zh)
        else:
            dv = _dv(ws, "decimal", minimum=ind.bounds_min, maximum=ind.bounds_max, prompt=hint,
                     title=f"{ind.number} {ind.unit or ''}", unit_example="32000 元/tce" if ind.unit == "万元/tce" else "")
        for slot in t.slots:
            value, evidence = pre.values(t, ind.id, slot)
            _input(ws, row, t.value_col(slot), value, required=ind.mandatory)
            _input(ws, row, t.evidence_col(slot), evidence, fmt=TEXT_FORMAT)
        dv.add(f"{get_column_letter(V)}{row}:{get_column_letter(E - 1)}{row}")
        _label(ws, row, H, hint)
        ws.cell(row, H).font = _font(size=9, italic=True)
        ws.row_dimensions[row].height = 40
        row += 1
    legend = ws.cell(row + 1, 2, "橙色:必选指标;黄色:可选指标。空白单元格视为数据缺失,不按零计。"
                                 " Orange: mandatory indicator; yellow: optional. An empty cell is missing data, never zero.")
    legend.font = _font(size=9, italic=True)
    ws.merge_cells(start_row=row + 1, start_column=2, end_row=row + 1, end_column=H)
    ws.freeze_panes = ws.cell(L.IND_FIRST_ROW, V).coordinate


def _statistics_sheet(ws: Worksheet, cat: Catalogue, pre: "_Prefill", year_ref: str, t: L.YearTable) -> None:
    V, U, E, end = t.first_value_col, t.after_values, t.first_evidence_col, t.after_evidence - 1
    _title(ws, 1, "原始统计数据(选填):由此推导指标;指标已直接填写时用于核对",
           "Raw statistics (optional): indicators are derived from them, or checked against them", 2, end)
    for col, (zh, en) in L.STAT_HEADS.items():
        _head(ws, 2, col, zh, en)
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    _head(ws, 2, V, *L.STAT_VALUES_HEAD)
    _merge_row(ws, 2, V, U - 1)
    _head(ws, 2, U, *L.STAT_USED_HEAD)
    ws.merge_cells(start_row=2, start_column=U, end_row=3, end_column=U)
    _head(ws, 2, E, *L.EVIDENCE_HEAD)
    _merge_row(ws, 2, E, end)
    _year_heads(ws, t, year_ref)
    _widths(ws, {2: 6, 3: 34, 4: 40, 5: 9, **{t.value_col(slot): 15 for slot in t.slots}, U: 22,
                 **{t.evidence_col(slot): 18 for slot in t.slots}})
    used: dict[str, list[int]] = {}
    for ind in cat.indicators:
        if ind.definition:
            for sid in dict.fromkeys(ind.definition.numerator + ind.definition.denominator):
                used.setdefault(sid, []).append(ind.number)
    dv = _dv(ws, "decimal", minimum=0, prompt="数值,单位见“单位”列;也可带单位 / a number in the unit shown, or with its unit",
             title="统计量 Statistic", unit_example="")
    days: Optional[DataValidation] = None  # statistics in `day`: made when the catalogue has one
    row = L.STAT_FIRST_ROW
    for n, stat in enumerate(cat.statistics, start=1):
        _key(ws, row, f"stat:{stat.id}")
        _label(ws, row, 2, n, align=CENTER)
        _label(ws, row, 3, stat.name_zh)
        _label(ws, row, 4, stat.name_en)
        _label(ws, row, 5, stat.unit or "—", align=CENTER)
        for slot in t.slots:
            value, evidence = pre.values(t, stat.id, slot)
            _input(ws, row, t.value_col(slot), value)
            _input(ws, row, t.evidence_col(slot), evidence, fmt=TEXT_FORMAT)
        if stat.unit == "day":  # as dataset.py: days within the data year
            days = days or _days_dv(ws, "")
        (days if stat.unit == "day" else dv).add(f"{get_column_letter(V)}{row}:{get_column_letter(U - 1)}{row}")
        numbers = used.get(stat.id, [])
        base = any(cat.indicator(x).definition.formula != "ratio" for x in numbers)
        _label(ws, row, U, "、".join(str(x) for x in numbers) + ("(含基准年 needs base year)" if base else ""))
        row += 1
    ws.freeze_panes = ws.cell(L.STAT_FIRST_ROW, V).coordinate


def _carrier_year_rows(t: L.YearTable, n_carriers: int) -> list[tuple[int, int]]:
    """(slot, row) of the year row heading each block of 分品种能源: the base year's block first, as 原始统计数据."""
    return [(slot, L.CARRIER_FIRST_ROW + i * (n_carriers + 1)) for i, slot in enumerate(t.slots)]


def _carrier_sheet(ws: Worksheet, cat: Catalogue, pre: "_Prefill", year_ref: str, t: L.YearTable) -> None:
    """Energy by carrier (optional): per year a row for each carrier of the catalogue's conversion.yaml, with its GB/T
    2589 coefficient, the unit (a default the park may change), the quantity and its evidence. The reader sums the
    converted quantities to the year's energy consumption, or checks a reported one against them."""
    C = {**L.CARRIER_COL, **L.CARRIER_OWN_COL}
    last = max(C.values())
    _title(ws, 1, "分品种能源消费(选填):按 GB/T 2589 折标准煤系数折算为综合能源消费量",
           "Energy consumption by carrier (optional): converted to standard coal with the GB/T 2589 coefficients", 2, last)
    for key, col in C.items():
        _head(ws, L.CARRIER_HEAD_ROW, col, *{**L.CARRIER_HEADS, **L.CARRIER_OWN_HEADS}[key])
    _widths(ws, {2: 7, 3: 18, 4: 26, 5: 20, 6: 11, 7: 16, 8: 30, 9: 18, 10: 30})
    dv = _dv(ws, "decimal", minimum=0, prompt="实物消费量,单位见“计量单位”列;也可带单位,如 26 亿kWh / the quantity in the unit shown, or with its own unit",
             title="消费量 Quantity", unit_example="26 亿kWh")
    coefs = cat.coal_coefficients
    for slot, top in _carrier_year_rows(t, len(coefs)):
        zh = L.slot_label(slot)[0]
        _label(ws, top, C["number"], _year_formula(year_ref, t.back(slot), zh, "年(基准年)" if slot == 0 else "年"), fill=FILL_SECTION, bold=True)
        ws.merge_cells(start_row=top, start_column=C["number"], end_row=top, end_column=last)
        for n, c in enumerate(coefs, start=1):
            row = top + n
            _key(ws, row, L.carrier_key(slot, c.key))
            _label(ws, row, C["number"], n, align=CENTER)
            _label(ws, row, C["name_zh"], c.name_zh)
            _label(ws, row, C["name_en"], c.name_en)
            _label(ws, row, C["coefficient"], f"{c.value:g} {c.unit}" + ("\n(暂定 provisional)" if c.provenance.is_provisional else ""), align=CENTER)
            unit, quantity, evidence, own, own_evidence = pre.carrier(t, slot, c.key)
            _input(ws, row, C["unit"], unit or carrier_units(c.per, cat)[0], fmt=TEXT_FORMAT)
            _input(ws, row, C["quantity"], quantity)
            _input(ws, row, C["evidence"], evidence, fmt=TEXT_FORMAT)
            dv.add(ws.cell(row, C["quantity"]).coordinate)
            if c.own is not None:  # heat and electricity take none: their cells stay locked
                _input(ws, row, C["own"], own, fmt=TEXT_FORMAT)
                _input(ws, row, C["own_evidence"], own_evidence, fmt=TEXT_FORMAT)
    end = L.CARRIER_FIRST_ROW + len(t.slots) * (len(coefs) + 1)
    from ..dataset import agreement_tolerance

    tol = f"{agreement_tolerance():g}%"  # the threshold of the energy-carriers-disagree check, stated where the park fills in
    cal = f"{cat.calorific_value:g}"  # the calorific value of 1 kgce (conversion.yaml)
    power = next((c for c in coefs if c.key == "electricity"), None)  # its coefficient as the catalogue gives it
    power_zh = f"(电力按当量值 {power.value:g} {power.unit})" if power is not None else ""
    legend = ws.cell(end + 1, 2, "只填有消费的品种:填写实物消费量及其计量单位(可改,如 kWh、万kWh;t、万t;m3、万m3;GJ、MJ)。各品种按折标准煤系数"
                                f"{power_zh}折算后合计为该年综合能源消费量;“原始统计数据”表已填综合能源消费量时,"
                                f"二者须一致(较分品种折算合计相差不超过{tol}),评分采用填报值。有实测低位发热量时(GB/T 2589),"
                                f"在“实测折标系数”填写 kgce/单位 的系数或 kJ/单位 的低位发热量(按 {cal} kJ/kgce 折算),并填写其证明材料,"
                                "该品种即按此折算。\n"
                                "Fill in only the carriers consumed, with their units. The converted quantities add up to the year's energy "
                                f"consumption (electricity at its calorific equivalent); a total given on 原始统计数据 must agree with them within {tol} "
                                "of the converted sum, and is scored. A fuel with a measured low calorific value may give it (kJ per unit) or "
                                "its coefficient (kgce per unit) under 实测折标系数, with its evidence; it is then converted with it.")
    legend.alignment = WRAP
    legend.font = _font(size=9, italic=True)
    ws.merge_cells(start_row=end + 1, start_column=2, end_row=end + 1, end_column=last)
    ws.row_dimensions[end + 1].height = 80
    ws.freeze_panes = ws.cell(L.CARRIER_FIRST_ROW, C["unit"]).coordinate


# ------------------------------------------------------------------ row tables (team, projects)


def _row_table(ws: Worksheet, top: int, zh: Optional[str], en: Optional[str], columns: tuple, key: str, rows: list[dict],
               minimum_rows: int, header_row: Optional[int] = None) -> int:
    """A numbered table of input rows; returns its last row."""
    head = header_row or top + 1
    if zh:
        _title(ws, top, zh, en or "", 2, 2 + len(columns))
    _head(ws, head, 2, *L.NUMBER_HEAD)
    for j, col in enumerate(columns, start=L.TABLE_FIRST_COL):
        _head(ws, head, j, col.zh + (" *" if col.required else ""), col.en + (" (是/否)" if col.kind == "bool" else ""))
        current = ws.column_dimensions[get_column_letter(j)].width or 0
        ws.column_dimensions[get_column_letter(j)].width = max(current, col.width)
    if not ws.column_dimensions["B"].width:
        ws.column_dimensions["B"].width = 7
    ws.column_dimensions["A"].width = 14
    ws.row_dimensions[head].height = 44
    bool_dv = _dv(ws, "list", values=(L.YES, L.NO))
    num_dvs: dict[tuple, DataValidation] = {}
    count = max(minimum_rows, len(rows) + 5)
    for i in range(count):
        r = head + 1 + i
        _key(ws, r, key)
        _label(ws, r, 2, i + 1, align=CENTER)
        data = rows[i] if i < len(rows) else {}
        for j, col in enumerate(columns, start=L.TABLE_FIRST_COL):
            value = data.get(col.key)
            if col.kind == "bool" and value is not None:
                value = L.YES if value else L.NO
            _input(ws, r, j, value, fmt=TEXT_FORMAT if col.kind == "text" else "General")
            if col.kind == "bool":
                bool_dv.add(ws.cell(r, j).coordinate)
            elif col.kind == "number":
                dv_key = (col.unit, col.unit_example)
                if dv_key not in num_dvs:
                    num_dvs[dv_key] = _dv(ws, "decimal", minimum=0, unit_example=col.unit_example if col.unit else None)
                num_dvs[dv_key].add(ws.cell(r, j).coordinate)
    return head + count


# ------------------------------------------------------------------ meta


def _meta_sheet(ws: Worksheet, cat: Catalogue, diagnosis_year: Optional[int]) -> None:
    from .. import __version__

    rows = (("format", L.TEMPLATE_FORMAT), ("generator", f"greendiag {__version__}"), ("catalogue_id", cat.id),
            ("catalogue_version", cat.version), ("catalogue_label", cat.label),
            ("overlays", json.dumps([list(o) for o in cat.overlays], ensure_ascii=False)),
            ("indicators", ",".join(i.id for i in cat.indicators)),
            ("diagnosis_year", "" if diagnosis_year is None else str(diagnosis_year)),  # checks the indicator cells when 园区信息's year is unusable
            ("year_count", str(cat.scoring.years)))  # the year columns it has: another count is refused, a moved column reported
    for r, (k, v) in enumerate(rows, start=1):
        ws.cell(r, 1, k)
        ws.cell(r, 2, v).data_type = "s"
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


# ------------------------------------------------------------------ prefill


class _Prefill:
    """Cell values taken from a ParkDataset, so a filled workbook can be re-issued (and round-trip tested)."""

    def __init__(self, ds: Optional[ParkDataset], cat: Catalogue):
        self.ds, self.cat = ds, cat
        self.fields: dict[str, Any] = {}
        self.indicators: dict[tuple[str, int], tuple[Any, Optional[str]]] = {}
        self.statistics: dict[tuple[str, int], tuple[Any, Optional[str]]] = {}
        self.baseline: dict[int, tuple[str, Optional[str], Optional[str]]] = {}
        self.team: list[dict] = []
        self.projects: list[dict] = []
        self.demonstration: dict[str, list[dict]] = {}  # kind id -> its entries as cells show them
        # (carrier, year) -> (unit, quantity, evidence, own coefficient, its evidence)
        self.carriers: dict[tuple[str, int], tuple[str, Any, Optional[str], Optional[str], Optional[str]]] = {}
        if ds is not None:
            self._fill(ds)

    def values(self, t: L.YearTable, key: str, slot: int) -> tuple[Any, Optional[str]]:
        """(value, evidence) of an indicator or statistic for a column of the table; (None, None) when not given."""
        if self.ds is None:
            return None, None
        given = self.indicators if t.section == "indicators" else self.statistics
        return given.get((key, t.year(self.ds.diagnosis_year, slot)), (None, None))

    def carrier(self, t: L.YearTable, slot: int, carrier: str) -> tuple[Optional[str], Any, Optional[str], Optional[str], Optional[str]]:
        """(unit, quantity, evidence, own coefficient, its evidence) of a carrier in a block of 分品种能源; Nones when not given."""
        if self.ds is None:
            return (None,) * 5
        return self.carriers.get((carrier, t.year(self.ds.diagnosis_year, slot)), (None,) * 5)

    def _fill(self, ds: ParkDataset) -> None:
        p, e = ds.profile, ds.engagement
        f = self.fields
        f["diagnosis_year"] = ds.diagnosis_year
        f["fictitious"] = L.YES if ds.fictitious else L.NO
        for name in ("name", "management_body", "level", "address", "area_km2", "leading_industries", "description", "zoning",
                     "industry_status"):
            f[f"park.{name}"] = getattr(p, name)
        for who in ("project_lead", "contact"):
            for attr in ("name", "phone", "email", "fax"):
                f[f"park.{who}.{attr}"] = getattr(getattr(p, who), attr)
        prov = e.provider
        f["engagement.provider.name"], f["engagement.provider.address"] = prov.name, prov.address
        for who in ("legal_representative", "contact", "report_author", "reviewer"):
            for attr in ("name", "phone"):
                f[f"engagement.provider.{who}.{attr}"] = getattr(getattr(prov, who), attr)
        dates = {"confidentiality_submitted": e.confidentiality_submitted, "work_started": e.work_started, "onsite.start": e.onsite_start,
                 "onsite.end": e.onsite_end, "report_submitted": e.report_submitted, "follow_up_submitted": e.follow_up_submitted,
                 "report_meeting_date": e.report_meeting_date}
        for key, value in dates.items():
            f[f"engagement.{key}"] = value
        f["engagement.onsite.working_days"] = e.onsite_working_days
        f["engagement.scope.full"] = None if e.scope_full is None else (L.YES if e.scope_full else L.NO)
        f["engagement.scope.description"], f["engagement.scope.approval"] = e.scope_description, e.scope_approval
        f["engagement.fee_charged"] = None if e.fee_charged is None else (L.YES if e.fee_charged else L.NO)
        f["engagement.third_party_evaluation"] = None if e.third_party_evaluation is None else (L.YES if e.third_party_evaluation else L.NO)
        f["engagement.specialised"] = "、".join(e.specialised) or None
        for v in ds.values:
            if v.origin != "reported":
                continue
            ind = self.cat.indicator(v.indicator)
            if ind.qualitative:
                self.indicators[(v.indicator, v.year)] = (ind.level(v.level).zh, v.evidence)
            else:
                self.indicators[(v.indicator, v.year)] = (_cell_number(v.value, v.given, ind.unit), v.evidence)
        for c in ds.energy_by_carrier:  # the quantity as typed when it reads back the same (it may carry its own unit)
            try:
                number = units.split_quantity(c.given)[0]
            except ValueError:  # not expected (it was read from this text): keep the text
                number = None
            plain = number is not None and quantity_text(number, c.given_unit) == c.given
            self.carriers[(c.carrier, c.year)] = (c.given_unit, _plain(number) if plain else c.given, c.evidence, c.coefficient_given,
                                                  c.coefficient_evidence)
        for s in ds.statistics:
            if s.origin != "reported":  # energy consumption summed from the carriers: they are written, not the sum
                continue
            self.statistics[(s.statistic, s.year)] = (_cell_number(s.value, s.given, self.cat.statistic(s.statistic).unit), s.evidence)
        for r in ds.baseline:
            status = {"met": "符合", "not_met": "不符合", "unknown": "未知"}[r.status]
            self.baseline[r.number] = (status, r.evidence, r.note)
        self.team = [{c.key: getattr(m, c.key) for c in L.TEAM_COLUMNS} for m in ds.engagement.team]
        self.projects = [{c.key: getattr(pr, c.key) for c in L.PROJECT_COLUMNS} for pr in ds.projects]
        self._fill_demonstration(ds)

    def _fill_demonstration(self, ds: ParkDataset) -> None:
        """The recorded 四(三)3 check; an empty record ("checked, none found") as 未开展 on every kind that has one row,
        which the workbook reads back with the same meaning."""
        if ds.demonstration is None:
            return
        for w in ds.demonstration:
            self.demonstration.setdefault(w.kind, []).append(
                {"title_zh": w.title_zh, "title_en": w.title_en, "status": DEMONSTRATION_STATUS[w.status][0],
                 "description": w.description, "evidence": w.evidence})
        if not ds.demonstration:
            for kind in self.cat.demonstration_kinds:
                if not kind.titled:
                    self.demonstration[kind.id] = [{"status": DEMONSTRATION_STATUS["not_done"][0]}]


def _cell_number(value: float, given: str, unit: str) -> Any:
    """The text the user gave (e.g. '32000 元/tce') when it carries another unit and re-reads exactly; else the number."""
    try:
        number, given_unit = units.split_quantity(given)
    except ValueError:
        return _plain(value)
    if not given_unit or units.normalise(given_unit) == units.normalise(unit):
        return _plain(value)
    try:
        if units.convert_input(number, given_unit, unit) == value:  # as dataset.py converts it
            return given
    except (UnitError, ValueError):  # a unit that no longer parses: keep the number
        pass
    return _plain(value)


def _plain(x: float) -> Any:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x
