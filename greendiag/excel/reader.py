"""Reading a filled workbook back into the dataset dict of a YAML file, with every cell's location.

Cell-level problems (a date where a number belongs, an unknown drop-down value, a missing required cell)
are found here; value-level ones (text that is not a number, units, bounds) by dataset.build_dataset,
which places them at their cells through `locate` and names their years through `year_label`. When this
module finds problems it still runs the builder on the cells that were good, so the user gets every problem
of the workbook in one list. The year columns are those of the catalogue's year count (scoring.years.count);
a sheet whose columns were inserted or deleted, merged year cells, a sheet holding another sheet's rows (names
swapped) and a row whose key repeats one above it are reported once and not read (columns.py). A row without a
key of its sheet (inserted, or typed below the table) that holds data where the reader takes values from is a
problem too (`row-not-in-template`), never skipped in silence. Notes that are not errors (a diagnosis year other
than the template's) come with read_workbook_contents."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import os
import re
import unicodedata
import warnings
import zipfile
from typing import Any, Callable, Optional

import attrs
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

from .. import units
from ..dataset import DIAGNOSIS_YEARS, build_dataset, count_words, indicator_label, statistic_label, year_text
from ..errors import DatasetError, Problem, UnitError, file_error
from ..models import Catalogue
from ..yamlio import check_file
from . import cells as X
from . import columns as C
from . import layout as L

MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ROWS = 2000
PLACEHOLDER_YEAR = DIAGNOSIS_YEARS[1]  # columns are checked against it when neither the workbook nor the template gives a year
FIX_TEMPLATE = ("用 greendiag template 生成模板,再填写", "generate a template with `greendiag template OUT.xlsx` and fill it in")
_UNKNOWN = {"indicators": ("unknown-indicator", "指标", "indicator"), "statistics": ("unknown-statistic", "统计量", "statistic")}


_DATE_WARNING = re.compile(r"Cell (?P<cell>[A-Z]+[0-9]+) is marked as a date but the serial value (?P<serial>[0-9.eE+-]+) is outside")


def _takes_percent(unit: str) -> bool:
    """Whether a value in % converts to `unit` (a share, or a dimensionless number)."""
    try:
        units.factor("%", unit)
    except UnitError:
        return False
    return True


@attrs.frozen
class WorkbookContents:
    """What a filled template gives: the dataset dict, where each path came from, and notes that are not errors
    but that the user must see (e.g. the diagnosis year differs from the one the template was made for)."""

    data: dict
    locate: Callable[[tuple], Optional[str]]
    notes: tuple[Problem, ...] = ()


@attrs.frozen
class _Region:
    """Rows of a sheet read by hidden key, from below its headers to `last`, where a row without a key of the sheet is
    skipped by the reader: `columns` are those it takes values from, `data` those of them whose content is data (a
    carrier's unit alone is not), `right` the table's last column (text right of it is a remark, never read)."""

    sheet: str
    first: int
    last: int
    columns: tuple[int, ...]
    data: tuple[int, ...]
    known: Callable[[str], bool]  # a column-A key the sheet reads (or reports itself)
    right: int


# how to fix a row not in the template, per sheet ({right}: the table's last column; {energy_*}, {other_*}: the names of
# the energy statistic and of the titled kind of demonstrative work, from the catalogue)
_INSERTED_FIX = {
    L.PARK: ("把内容填到该项目在模板中的行(“填写内容”列,D 列),再删除这一行;模板中没有的项目不被读取(园区的其他情况可写入“园区概况”);"
             "只作备注的文字请移到 {right} 列右侧",
             "type the value into its item's own row (column D, 填写内容) and delete this row; items the template has no row for are "
             "not read (describe other facts of the park under 园区概况, the overview); move a mere remark right of column {right}"),
    L.TEAM: ("把内容填到该项目在模板中的行(“填写内容”列,D 列),再删除这一行;工作组成员填在下方的成员表中;模板中没有的项目不被读取;"
             "只作备注的文字请移到 {right} 列右侧",
             "type the value into its item's own row (column D, 填写内容) and delete this row; team members go into the member table "
             "below; items the template has no row for are not read; move a mere remark right of column {right}"),
    L.BASELINE: ("每项基础性要求只有一行:把是否符合、证明材料索引和备注填到该要求的行(多份证明材料写在同一格中,用顿号分隔),再删除这一行;"
                 "模板中没有的要求须由扩展目录(overlay)定义,并用 greendiag template --overlay 重新生成模板;只作备注的文字请移到 {right} 列右侧",
                 "each requirement has one row: put 是否符合 (met?), the evidence index and the note into the requirement's row (several "
                 "evidence references in one cell, separated by 、) and delete this row; a requirement the template lacks must come from "
                 "an overlay (generate the template with greendiag template --overlay); move a mere remark right of column {right}"),
    L.INDICATORS: ("每个指标每年只有一个数值格和一个证明材料格:把数值填到该指标的行中对应年份的列,多份证明材料写在同一格中(用顿号分隔),"
                   "再删除这一行;模板中没有的指标须由扩展目录(overlay)定义,并用 greendiag template --overlay 重新生成模板;"
                   "只作备注的文字请移到 {right} 列右侧",
                   "each indicator has one value cell and one evidence cell per year: put the value into the indicator's row under "
                   "its year, several evidence references in one cell (separated by 、), and delete this row; an indicator the template "
                   "lacks must come from an overlay (generate the template with greendiag template --overlay); move a mere remark "
                   "right of column {right}"),
    L.STATISTICS: ("每个统计量每年只有一个数值格和一个证明材料格:把数值填到该统计量的行中对应年份的列,多份证明材料写在同一格中(用顿号分隔),"
                   "再删除这一行;模板中没有的统计量须由扩展目录(overlay)定义,并用 greendiag template --overlay 重新生成模板;"
                   "只作备注的文字请移到 {right} 列右侧",
                   "each statistic has one value cell and one evidence cell per year: put the value into the statistic's row under "
                   "its year, several evidence references in one cell (separated by 、), and delete this row; a statistic the template "
                   "lacks must come from an overlay (generate the template with greendiag template --overlay); move a mere remark "
                   "right of column {right}"),
    L.CARRIERS: ("把计量单位、消费量和证明材料索引填到该年份块中该品种的行,再删除这一行;模板已列出目录 conversion.yaml 的全部能源品种"
                 "(扩展目录不能增加),其他品种(如液化天然气)不能分品种填写:请在“原始统计数据”表填写该年含全部品种的{energy_zh}(tce),"
                 "诊断采用该填报值;只作备注的文字请移到 {right} 列右侧",
                 "put the unit, quantity and evidence into that carrier's row in the year's block and delete this row; the template lists "
                 "every carrier of the catalogue's conversion.yaml (overlays cannot add any), so another carrier (LNG, say) cannot be "
                 "given by carrier: give the year's total {energy_en} including it (tce) on sheet 原始统计数据, which the "
                 "diagnosis then uses; move a mere remark right of column {right}"),
    L.DEMONSTRATION: ("每类示范性工作只有一行,同类多项写在该行的情况说明中;其他工作填在“{other_zh}”的空行中"
                      "(每行一项,须填写名称),再删除这一行;空行不够时,删除这一行后用 greendiag template 新文件.xlsx --from 本工作簿 "
                      "生成留有更多空行的模板;只作备注的文字请移到 {right} 列右侧",
                      "each named kind has one row (describe several works of a kind in its 情况说明); other work goes into the empty "
                      "rows of '{other_en}', one per row with a title; delete this row. When those rows run out, delete "
                      "this row and make a template with more rows: greendiag template NEW.xlsx --from THIS_WORKBOOK; move a mere remark "
                      "right of column {right}"),
}


def _filled(v: Any) -> bool:
    """A cell that holds something: not empty, not only whitespace (a merged-over cell reads as empty)."""
    return v is not None and (not isinstance(v, str) or bool(v.strip()))


def read_workbook(path: str | os.PathLike, cat: Catalogue) -> tuple[dict, Callable[[tuple], Optional[str]]]:
    """(dataset dict, locate) for a filled template; DatasetError with every problem, each at its sheet!cell."""
    contents = read_workbook_contents(path, cat)
    return contents.data, contents.locate


def read_workbook_contents(path: str | os.PathLike, cat: Catalogue) -> WorkbookContents:
    """read_workbook with the workbook's notes (Problem objects, sorted like problems) for the user to see."""
    p = os.fspath(path)
    wb = _open(p)
    meta = _check_template(wb, p)
    _check_year_columns(wb, p, cat.scoring.years, meta)
    reader = _Reader(wb, p, cat, meta)
    data = reader.read()
    if reader.problems:
        raise DatasetError(reader.all_problems(data))
    return WorkbookContents(data, reader.locate, tuple(sort_problems(reader.notes)))


# ------------------------------------------------------------------ opening


def _open(p: str):
    return open_workbook(p)


def open_workbook(p: str, error: type = DatasetError, fix: tuple[str, str] = FIX_TEMPLATE, data_only: bool = False,
                  wanted: tuple[str, str] = ("园区的数据采集模板", "the park's data-collection workbook")):
    """An .xlsx opened with openpyxl, or `error` (also an InputFileError) saying what the file is instead: missing, too
    large (packed or unpacked), an .xls, a Word document, a zip, a text file, damaged. `fix`: how to get a good one;
    `wanted`: the workbook expected there."""
    import openpyxl

    def fail(code, zh, en, fix_zh=None, fix_en=None):  # both InputFileError and `error`, as for a YAML file
        raise file_error(error)(Problem(code, zh, en, file=p, fix_zh=fix_zh, fix_en=fix_en)) from None

    check_file(p, error)  # missing, a folder, too large: as for a YAML file
    not_xlsx = ("not-xlsx", "文件不是有效的 Excel 工作簿(.xlsx);可能已损坏、加密,或是 .xls/.csv 改名而来",
                "the file is not a valid Excel workbook (.xlsx): damaged, encrypted, or an .xls/.csv renamed",
                "在 Excel 中另存为 .xlsx(不加密码),或" + fix[0], "save it from Excel as .xlsx without a password, or " + fix[1])
    try:
        with zipfile.ZipFile(p) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED:
                fail("file-too-large", "工作簿解压后过大", "the workbook is too large when unpacked")
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _not_a_zip(p, fail)
        fail(*not_xlsx)
    if not any(n.startswith("xl/") for n in names):
        if any(n.startswith("word/") for n in names):
            fail("wrong-kind-of-file", "这是 Word 文档(如生成的报告)改用了 .xlsx 扩展名,不是工作簿",
                 "this is a Word document (a report, say) under an .xlsx name, not a workbook",
                 f"给出{wanted[0]}(.xlsx);" + fix[0], f"give {wanted[1]} (.xlsx); or " + fix[1])
        fail("wrong-kind-of-file", "这是 zip 压缩文件,不是 Excel 工作簿", "this is a zip archive, not an Excel workbook",
             "解压后给出其中的工作簿(.xlsx)", "unpack it and give the workbook (.xlsx) inside")
    try:
        with warnings.catch_warnings(record=True) as caught:  # openpyxl's own warnings are not for the user's terminal
            warnings.simplefilter("always")
            wb = openpyxl.load_workbook(p, data_only=data_only)
        wb.greendiag_out_of_range_dates = {m["cell"]: m["serial"] for w in caught if (m := _DATE_WARNING.search(str(w.message)))}
        return wb
    except PermissionError:
        fail("file-unreadable", "没有读取权限", "permission denied")
    except Exception:  # openpyxl raises KeyError, ValueError, TypeError, lxml errors… on damaged files
        fail(*not_xlsx)


def _not_a_zip(p: str, fail) -> None:
    """A file that is no zip, said by what it is where its first bytes tell: an .xls or an encrypted workbook, text."""
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # the OLE compound file of .xls, .doc and password-protected .xlsx
        fail("wrong-kind-of-file", "这是旧版 Excel(.xls)文件或设置了打开密码的工作簿,不是 .xlsx",
             "this is an old Excel (.xls) file or a workbook with an opening password, not an .xlsx",
             "在 Excel 中打开,去掉打开密码,另存为“Excel 工作簿(*.xlsx)”", "open it in Excel, remove the opening password and save it as an Excel workbook (*.xlsx)")
    if head[:1] in (b"{", b"[") or head[:3] == b"\xef\xbb\xbf" or head[:9].startswith((b"format", b"#", b"---")):
        fail("wrong-kind-of-file", "这是文本文件(如 YAML/JSON/CSV),扩展名却是 .xlsx", "this is a text file (YAML/JSON/CSV, say) under an .xlsx name",
             "数据文件用 .yaml/.json 扩展名;CSV 请在 Excel 中打开后填入数据采集模板", "name a data file .yaml/.json; open a CSV in Excel and copy it into the template")


def _check_template(wb, p: str) -> dict:
    names = wb.sheetnames
    if L.META not in names:
        present = [s for s in L.SHEETS if s in names]
        detail = "缺少 greendiag 模板标记" + (f";已有工作表:{'、'.join(present)}" if present else f";工作表为:{'、'.join(names)}")
        raise DatasetError(Problem("not-a-template", f"这不是 greendiag 数据采集模板({detail})",
                                   f"this is not a greendiag data-collection template (sheets: {', '.join(repr(n) for n in names)})", file=p,
                                   fix_zh=FIX_TEMPLATE[0], fix_en=FIX_TEMPLATE[1]))
    ws = wb[L.META]
    meta = {str(r[0].value): r[1].value for r in ws.iter_rows(min_row=1, max_row=20, max_col=2) if r[0].value}
    if meta.get("format") != L.TEMPLATE_FORMAT:
        raise DatasetError(Problem("template-version", f"模板格式“{meta.get('format')}”不受支持(应为 {L.TEMPLATE_FORMAT})",
                                   f"template format '{meta.get('format')}' is not supported (expected {L.TEMPLATE_FORMAT})", file=p,
                                   fix_zh="用当前版本的 " + FIX_TEMPLATE[0], fix_en=FIX_TEMPLATE[1] + " with this version"))
    missing = [s for s in L.SHEETS if s not in names and s not in L.OPTIONAL_SHEETS]
    if missing:
        raise DatasetError([Problem("missing-sheet", f"缺少工作表“{s}”", f"sheet '{s}' is missing", file=p, location=s,
                                    fix_zh="不要删除或重命名模板中的工作表;" + FIX_TEMPLATE[0], fix_en="do not delete or rename sheets; " + FIX_TEMPLATE[1])
                            for s in missing])
    return meta


def _check_year_columns(wb, p: str, count: int, meta: dict) -> None:
    """The workbook must be made for the catalogue's year count, or every value would be read as another year's
    (a column inserted or deleted in a workbook of the right count is reported by the reader, at its header)."""
    ws = wb[L.INDICATORS]
    made = C.made_count(ws, meta)
    if made is None or made == count:  # a damaged header row: the columns' headers and the rows' keys are still checked
        return
    found = C.evidence_header(ws) or L.indicator_table(made).first_evidence_col
    raise DatasetError(Problem("year-columns-mismatch", f"“{L.INDICATORS}”表有 {made} 个年份列,而当前指标目录评分 {count} 年(scoring.years.count)",
                               f"sheet '{L.INDICATORS}' has {made} year columns, but the catalogue in use scores {count} years (scoring.years.count)",
                               file=p, location=f"{L.INDICATORS}!{get_column_letter(found)}2",
                               fix_zh="用当前指标目录重新生成模板,或用生成模板时的指标目录读取",
                               fix_en="regenerate the template with the catalogue in use, or read it with the catalogue it was made with"))


# ------------------------------------------------------------------ helpers


def _text(v: Any) -> Optional[str]:
    """Cell value as trimmed text; None when empty."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime):
        v = v.date() if v.time() == dt.time() else v
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    s = str(v).strip()
    return s or None


def _shown(v: Any) -> str:
    """A cell value as the trimmed text it shows ("" when empty)."""
    return "" if v is None else str(v).strip()


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip()




def _plain_number(s: str) -> Any:
    """An int or float from plain number text; None otherwise."""
    try:
        return int(s) if re.fullmatch(r"[+-]?\d+", s) else float(s)
    except ValueError:
        return None


def _put(data: dict, path: tuple, value: Any) -> None:
    d = data
    for step in path[:-1]:
        d = d.setdefault(step, {})
    d[path[-1]] = value


def _cell_sort_key(location: Optional[str]) -> tuple:
    sheet, _, cell = (location or "").partition("!")
    index = L.SHEETS.index(sheet) if sheet in L.SHEETS else 99 if sheet == L.META else 100
    if cell:
        try:
            col, row = coordinate_from_string(cell.split(":")[0])
            return (index, row, column_index_from_string(col))
        except (ValueError, KeyError):
            pass
    return (index, 0, 0)


def sort_problems(problems) -> list[Problem]:
    """A workbook's problems in sheet order, then row, then column (stable for problems of one cell)."""
    return sorted(problems, key=lambda p: _cell_sort_key(p.location))


class _Reader:
    def __init__(self, wb, path: str, cat: Catalogue, meta: dict):
        self.wb, self.path, self.cat, self.meta = wb, path, cat, meta
        self.problems: list[Problem] = []
        self.where: dict[tuple, str] = {}
        self._values_wb = None
        self.buildable = True
        self.bad: set[str] = set()  # cells with a problem: no follow-on check reports them again
        self.fallback_year: Optional[int] = None  # the year the columns are read with when 园区信息's is unusable
        self.year_labels: dict[int, tuple[str, str]] = {}  # placeholder year → (第1年, year 1)
        self.tables = (L.indicator_table(cat.scoring.years), L.statistics_table(cat.scoring.years))
        self.year_cells = 0  # filled value or evidence cells of 指标数据 and 原始统计数据
        self.moved: set[str] = set()  # sheets not read: columns out of place, or another sheet's rows in them
        self.team_moved = False  # 工作组's member table is out of place (its engagement block may be fine)
        self.carrier_own = False  # 分品种能源 has the own-coefficient columns (a workbook made before them has not)
        self.skip: dict[str, set[int]] = {}  # rows not read: a key seen above it in the sheet, or another sheet's key
        self.duplicates: list[tuple[str, int, int, str]] = []  # (sheet, row, first row, key): reported unless the sheet is not read
        self.merged: set[str] = set()  # value and evidence cells under a merged range: not read
        self.notes: list[Problem] = []  # not errors, but the user must be told
        self._merged_cells: dict[str, dict[tuple[int, int], str]] = {}
        self.merged_reported: set[str] = set()  # merged ranges over input cells outside the year tables, reported once
        self.merged_refs: set[str] = set()  # their cells: no further problem is reported there

    # -------------------------------------------------------------- cells
    def ref(self, ws, row: int, col: int) -> str:
        return f"{ws.title}!{get_column_letter(col)}{row}"

    def fail(self, ref: str, code: str, zh: str, en: str, fix_zh: Optional[str] = None, fix_en: Optional[str] = None) -> None:
        if code != "merged-cells" and ref in self.merged_refs:  # a consequence of the merge, already reported
            return
        self.problems.append(Problem(code, zh, en, file=self.path, location=ref, fix_zh=fix_zh, fix_en=fix_en))
        self.bad.add(ref)

    def _merged_range(self, ws, row: int, col: int) -> Optional[str]:
        """'sheet!A1:B2' of the merged range that hides this cell (any cell of it but the first), or None. The template
        merges only labels, so a hidden input cell means the user merged it with another: its content is gone."""
        cells = self._merged_cells.get(ws.title)
        if cells is None:
            cells = self._merged_cells[ws.title] = {
                (r, c): f"{ws.title}!{rng.coord}" for rng in ws.merged_cells.ranges
                for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)
                if (r, c) != (rng.min_row, rng.min_col)}
        return cells.get((row, col))

    def value(self, ws, row: int, col: int, what: Optional[tuple[str, str]] = None) -> Any:
        """A cell's value; a formula gives its value as last computed by Excel. A formula without a result or with
        an Excel error (#DIV/0!…) is a problem at the cell and reads as empty; `what` names the cell in the message."""
        rng = self._merged_range(ws, row, col)
        if rng is not None:  # an input cell swallowed by a merge (the first cell of a range keeps its content and is read)
            if rng not in self.merged_reported:
                self.merged_reported.add(rng)
                refs = {f"{ws.title}!{get_column_letter(c)}{r}" for (r, c), x in self._merged_cells[ws.title].items() if x == rng}
                refs.add(f"{ws.title}!{rng.split('!')[1].split(':')[0]}")
                self.merged_refs.update(refs)
                self.bad.update(refs)  # the builder's problems there are consequences too
                self.fail(rng, "merged-cells", f"单元格 {rng.split('!')[1]} 已合并:每个填写项须各占一个单元格,合并后只保留第一个单元格的内容",
                          f"cells {rng.split('!')[1]} are merged: each entry needs its own cell, and a merge keeps only the first one's content",
                          f"请取消合并单元格 {rng.split('!')[1]},并逐个填写", f"unmerge {rng.split('!')[1]} and fill in each cell")
            return None
        cell = ws.cell(row, col)
        v = cell.value
        pre_zh, pre_en = (f"{what[0]}:", f"{what[1]}: ") if what else ("", "")
        if cell.data_type == "f" or (isinstance(v, str) and v.startswith("=") and cell.data_type != "s"):
            if self._values_wb is None:
                import openpyxl

                self._values_wb = openpyxl.load_workbook(self.path, data_only=True)
            computed = self._values_wb[ws.title].cell(row, col)
            v = computed.value
            if v is None and computed.data_type == "str":  # a formula whose result is empty text (=IF(…,"")): empty
                return None
            if v is None:
                self.fail(self.ref(ws, row, col), "formula-not-computed", f"{pre_zh}单元格是公式,但没有计算结果",
                          f"{pre_en}the cell holds a formula without a computed value",
                          "在 Excel 中打开并保存一次,或直接填写数值", "open and save the workbook in Excel once, or type the value")
            elif X.is_error_value(v):
                err = str(v).strip().upper()
                self.fail(self.ref(ws, row, col), "formula-error", f"{pre_zh}公式计算出错({err}),单元格 {self.ref(ws, row, col)} 没有数值",
                          f"{pre_en}the formula gives the error {err}, so cell {self.ref(ws, row, col)} has no value",
                          "检查该公式(如除数为零、引用了已删除的单元格或文本),或直接填写数值;无数据请留空",
                          "check the formula (a division by zero, a reference to a deleted cell or to text), or type the value; "
                          "leave the cell empty when there is no data")
                return None
        elif cell.data_type == "e" and X.is_error_value(v) and not X.is_no_data_word(v):  # an error pasted as a value
            err = str(v).strip().upper()
            serial = getattr(self.wb, "greendiag_out_of_range_dates", {}).get(cell.coordinate)
            if serial is not None and err == "#VALUE!":  # 20250310 typed into a date cell: openpyxl made it an error
                m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", serial)
                fix = f"填写日期,如 {m[1]}-{m[2]}-{m[3]}" if m else "填写日期,如 2025-03-10"
                self.fail(self.ref(ws, row, col), "bad-date", f"{pre_zh}单元格中是数字 {serial}(超出 Excel 日期范围),不是日期",
                          f"{pre_en}the cell holds the number {serial} (beyond Excel's dates), not a date", fix,
                          fix.replace("填写日期,如", "give the date, e.g."))
                return None
            self.fail(self.ref(ws, row, col), "formula-error", f"{pre_zh}单元格是 Excel 错误值 {err}(公式计算出错后粘贴为数值),不是数值",
                      f"{pre_en}the cell holds the Excel error {err} (a failed formula's result pasted as a value), not a value",
                      "填写正确的数值;无数据请留空", "type the correct value; leave the cell empty when there is no data")
            return None
        if isinstance(v, str) and not v.strip():
            return None
        return v

    def rows(self, ws, prefix: str = ""):
        """(row, key) for every row whose hidden key starts with prefix (but a repeated key's, or another sheet's)."""
        skip = self.skip.get(ws.title, set())
        for row in range(1, min(ws.max_row, MAX_ROWS) + 1):
            key = ws.cell(row, 1).value
            if isinstance(key, str) and key.startswith(prefix) and key and row not in skip:
                yield row, key

    # -------------------------------------------------------------- typed cells
    def typed(self, v: Any, ref: str, kind: str, what: tuple[str, str], *, minimum=None, maximum=None, choices=(),
              unit: Optional[str] = None, suffix: str = "") -> tuple[bool, Any]:
        """(present, value) for a non-indicator cell value; a bad value is a problem and reads as absent."""
        zh, en = what
        if v is None:
            return False, None
        if kind == "text":
            return True, _text(v)
        if kind == "list":
            items = [x.strip() for x in re.split(r"[、;;,,\n]", _text(v) or "") if x.strip()]
            return bool(items), items
        if kind == "bool":
            if isinstance(v, bool):
                return True, v
            word = _nfkc(_text(v) or "").lower()
            if word in L.BOOL_WORDS:
                return True, L.BOOL_WORDS[word]
            self.fail(ref, "not-yes-no", f"{zh}:“{_text(v)}”应为“是”或“否”", f"{en}: '{_text(v)}' must be '是' (yes) or '否' (no)",
                      "从下拉列表中选择", "choose from the drop-down list")
            return False, None
        if kind == "choice":
            word = _nfkc(_text(v) or "")
            mapping = L.LEVEL_IDS if choices == L.LEVEL_CHOICES else {c: c for c in choices}
            if word in mapping or word.lower() in mapping:
                return True, mapping.get(word, mapping.get(word.lower()))
            self.fail(ref, "unknown-choice", f"{zh}:“{word}”不是可选值", f"{en}: '{word}' is not one of the choices",
                      "可选:" + "、".join(choices), "choose one of: " + ", ".join(f"'{c}'" for c in choices))
            return False, None
        if kind == "date":
            return self._date(v, ref, what)
        if kind in ("int", "number"):
            return self._number(v, ref, what, kind, minimum, maximum, unit, suffix)
        raise AssertionError(kind)

    def _date(self, v: Any, ref: str, what: tuple[str, str]) -> tuple[bool, Any]:
        if isinstance(v, (dt.datetime, dt.date)) and v.year < 1980:  # 5 typed into a date cell shows as 1900-01-05
            from openpyxl.utils.datetime import to_excel

            serial = f"{to_excel(v):g}"  # Excel's own serial (it counts a 29 February 1900 that never was)
            self.fail(ref, "bad-date", f"{what[0]}:单元格中是数字 {serial}(Excel 按日期显示为 {v:%Y-%m-%d}),不是有效日期",
                      f"{what[1]}: the cell holds the number {serial} (Excel shows it as the date {v:%Y-%m-%d}), not a date",
                      "填写完整日期,如 2025-03-10", "give a full date such as 2025-03-10")
            return False, None
        if isinstance(v, dt.datetime):
            return True, v.date().isoformat()
        if isinstance(v, dt.date):
            return True, v.isoformat()
        s = _nfkc(_text(v) or "")
        m = units.DATE.match(s) or re.match(r"^(\d{4})(\d{2})(\d{2})$", s)
        if m:
            try:
                return True, dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                pass
        self.fail(ref, "bad-date", f"{what[0]}:“{s}”不是有效日期", f"{what[1]}: '{s}' is not a valid date",
                  "填写日期,如 2025-03-10", "give a date such as 2025-03-10")
        return False, None

    def _number(self, v: Any, ref: str, what: tuple[str, str], kind: str, minimum, maximum, unit: Optional[str] = None,
                suffix: str = "") -> tuple[bool, Any]:
        zh, en = what
        number: Any = None
        if isinstance(v, (dt.date, dt.datetime, dt.time)):  # as for an indicator cell: Excel took the entry for a date
            self.fail(ref, "date-not-number", f"{zh}:单元格是日期({_text(v)}),不是数值", f"{en}: the cell holds a date ({_text(v)}), not a number",
                      "Excel 把输入当成了日期:将单元格格式设为“常规”后重新输入数值", "Excel took the entry for a date: set the cell format to General and type the number again")
            return False, None
        if isinstance(v, bool):
            number = None
        elif isinstance(v, (int, float)):
            number = v
        else:
            try:
                s = units.strip_thousands(_nfkc(str(v)))  # 1,234.5; a decimal comma (3,5) is refused, not read as 35
            except ValueError:
                self.fail(ref, "decimal-comma", f"{zh}:“{_text(v)}”中的逗号不是千位分隔符", f"{en}: the comma in '{_text(v)}' is no thousands separator",
                          "小数请用小数点“.”(如 8.5);逗号只用于千位分隔(如 1,234.5)",
                          "write decimals with a point (8.5); a comma may only separate thousands (1,234.5)")
                return False, None
            if suffix and s.endswith(suffix):
                s = s[: -len(suffix)].strip()
            number = _plain_number(s)
            if number is None and unit:
                try:
                    n, given = units.split_quantity(s)
                    number = units.convert_input(n, given, unit) if given else n
                except ValueError:
                    number = None
                except UnitError as exc:
                    p = exc.problems[0]
                    fix = (p.fix_zh, p.fix_en)
                    if p.code == "unknown-unit":  # the registry's fix names indicator units; this cell has its own
                        example = self._example(unit)
                        fix = (f"使用可换算为 {unit} 的单位,如 {example};或只填数值(默认 {unit})",
                               f"use a unit that converts to {unit}, e.g. {example.replace('、', ' or ')}; or give the number alone (default {unit})")
                    self.fail(ref, p.code, f"{zh}:{p.message_zh}", f"{en}: {p.message_en}", *fix)
                    return False, None
        if isinstance(number, float) and number != number or number in (float("inf"), float("-inf")) \
                or isinstance(number, int) and abs(number) > 1e308:  # a 400-digit "number" is not one
            number = None
        if number is None:
            if X.is_no_data_word(v) and not suffix:  # the diagnosis year (the one suffixed field) is required: no "leave it empty"
                self._no_data(ref, v, what)
                return False, None
            if unit:
                example = self._example(unit)
                fix = (f"填写数值,可带单位,如 {example}", f"give a number, optionally with a unit, e.g. {example.replace('、', ' or ')}")
            else:
                fix = ("填写数值" + (",如 2025" if suffix == "年" else ""), "give a number" + (", e.g. 2025" if suffix == "年" else ""))
            shown = ("TRUE" if v else "FALSE") if isinstance(v, bool) else _text(v)  # as Excel shows a logical value
            self.fail(ref, "not-a-number", f"{zh}:“{shown}”不是数值", f"{en}: '{shown}' is not a number", *fix)
            return False, None
        if kind == "int":
            if not float(number).is_integer():
                self.fail(ref, "not-an-integer", f"{zh}:“{_text(v)}”不是整数", f"{en}: '{_text(v)}' is not a whole number", "填写整数", "give a whole number")
                return False, None
            number = int(number)
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            rng = f"{minimum:g}–{maximum:g}" if maximum is not None else f"≥ {minimum:g}"
            self.fail(ref, "out-of-range", f"{zh}:{number} 超出范围 {rng}", f"{en}: {number} is outside {rng}")
            return False, None
        return True, number

    def _no_data(self, ref: str, v: Any, what: tuple[str, str]) -> None:
        """A dash, slash, 无 or N/A where a number belongs: not a number, and an empty cell says "no data"."""
        self.fail(ref, "not-a-number", f"{what[0]}:“{_text(v)}”不是数值", f"{what[1]}: '{_text(v)}' is not a number",
                  "无数据请留空该单元格(空白即数据缺失,不按零计);有数据请填写数值",
                  "leave the cell empty when there is no data (an empty cell is missing data, never zero); otherwise give the number")

    @staticmethod
    def _example(unit: str) -> str:
        examples = {f.unit: f.unit_example for f in L.PARK_FIELDS + L.ENGAGEMENT_FIELDS if isinstance(f, L.Field) and f.unit}
        examples.update({c.unit: c.unit_example for c in L.PROJECT_COLUMNS + L.TEAM_COLUMNS if c.unit})
        return examples.get(unit) or f"1 {unit}"

    # -------------------------------------------------------------- sheets
    def read(self) -> dict:
        data: dict = {"format": "greendiag-dataset/1"}
        if self.meta.get("catalogue_id"):
            data["catalogue"] = {"id": str(self.meta["catalogue_id"])}
        self.where[("catalogue",)] = self.where[("catalogue", "id")] = f"{L.META}!B3"
        self._check_sheets()
        if L.PARK not in self.moved:
            self._fields(self.wb[L.PARK], L.PARK_FIELDS, data)
        if L.TEAM not in self.moved:
            self._fields(self.wb[L.TEAM], L.ENGAGEMENT_FIELDS, data)
        if "diagnosis_year" not in data:
            note = self._fall_back_year()
        else:
            self._note_year_differs(data["diagnosis_year"])
        if L.BASELINE not in self.moved:
            self._baseline(data)
        self._check_tables(data)
        self._report_duplicates()
        self._check_inserted_rows(data.get("diagnosis_year", self.fallback_year))
        self._years(data)
        if "diagnosis_year" not in data and self.year_cells:
            self._note_on_year_cell(note)
        if L.TEAM not in self.moved and not self.team_moved:
            team = self._table(self.wb[L.TEAM], L.ROW_KEYS[L.TEAM], L.TEAM_COLUMNS, ("engagement", "team"))
            if team:
                data.setdefault("engagement", {})["team"] = team
        if L.PROJECTS not in self.moved:
            projects = self._table(self.wb[L.PROJECTS], L.ROW_KEYS[L.PROJECTS], L.PROJECT_COLUMNS, ("projects",))
            if projects:
                data["projects"] = projects
        if L.DEMONSTRATION in self.wb.sheetnames and L.DEMONSTRATION not in self.moved:
            self._demonstration(data)
        self._note_other_overlays()
        return data

    def _note_other_overlays(self) -> None:
        """The workbook was made for other overlays than the catalogue it is read with: rows the catalogue has but the
        workbook lacks (made without an overlay) would silently count as missing data, and an overlay the workbook was
        made with but that is not used would silently drop its part of a 专项诊断."""
        try:
            made = [str(o[0]) for o in json.loads(self.meta.get("overlays") or "[]")]
        except (ValueError, TypeError, IndexError, KeyError):
            return
        used = [str(o[0]) for o in self.cat.overlays]
        unused = [o for o in made if o not in used]
        if unused:
            names = "、".join(unused)
            self.notes.append(Problem(
                "template-overlay-not-used", f"该模板由扩展目录 {names} 生成,本次读取未使用该扩展:其指标与基础性要求不参与诊断",
                f"the template was made with overlay(s) {', '.join(unused)}, which this run does not use: their indicators and "
                f"requirements take no part in the diagnosis", file=self.path, location=L.INDICATORS,
                fix_zh=f"如需专项诊断,读取时请加 --overlay 指定扩展目录 {names}(其 YAML 文件或注册名)",
                fix_en=f"for the specialised diagnosis, add --overlay with overlay {', '.join(unused)} (its YAML file or registered name)"))
        have = {key for sheet in (L.BASELINE, L.INDICATORS) if sheet in self.wb.sheetnames for _, key in self.rows(self.wb[sheet])}
        lacking_ind = [i for i in self.cat.indicators if f"ind:{i.id}" not in have]
        lacking_req = [r for r in self.cat.requirements if f"req:{r.number}" not in have]
        if not lacking_ind and not lacking_req:
            return
        origins = sorted({x.origin for x in (*lacking_ind, *lacking_req) if x.origin in used and x.origin not in made})
        parts_zh = ([f"指标第{'、'.join(str(i.number) for i in lacking_ind)}项"] if lacking_ind else []) + \
                   ([f"基础性要求第{'、'.join(str(r.number) for r in lacking_req)}项"] if lacking_req else [])
        parts_en = ([f"indicator(s) {', '.join(str(i.number) for i in lacking_ind)}"] if lacking_ind else []) + \
                   ([f"requirement(s) {', '.join(str(r.number) for r in lacking_req)}"] if lacking_req else [])
        why_zh = f"(模板生成时未使用扩展目录 {'、'.join(origins)})" if origins else ""
        why_en = f" (the template was made without overlay(s) {', '.join(origins)})" if origins else ""
        overlay_args = " ".join(f"--overlay {o}" for o in used)  # ids: the message says they stand for the file or name
        self.notes.append(Problem(
            "template-lacks-rows", f"工作簿中没有{'和'.join(parts_zh)}的填写行{why_zh}:这些项按未填写计",
            f"the workbook has no rows for {' and '.join(parts_en)}{why_en}: they count as not filled in",
            file=self.path, location=L.INDICATORS if lacking_ind else L.BASELINE,
            fix_zh=f"用 greendiag template {overlay_args} --from 本工作簿 重新生成模板(--overlay 后为扩展目录的 YAML 文件或注册名;"
                   f"已填数据会带入),补填后再诊断",
            fix_en=f"make the template again with `greendiag template {overlay_args} --from THIS_WORKBOOK` (each overlay "
                   f"by its YAML file or registered name; what is filled in is carried over), fill in the new rows and diagnose again"))

    # -------------------------------------------------------------- structure
    def _check_sheets(self) -> None:
        """Before any value is read: every sheet must hold its own rows (by their column-A keys, each once), and the
        headers of the sheets read by position outside the year tables must be in their columns. A sheet that fails
        is reported once and not read, so its values are neither lost silently nor reported as other fields' errors."""
        keyed = {s: [(row, key, L.key_sheet(key)) for row, key in self.rows(self.wb[s])] for s in L.SHEETS if s in self.wb.sheetnames}
        for sheet, rows in keyed.items():
            own = [(row, key) for row, key, home in rows if home == sheet]
            foreign = [(row, key, home) for row, key, home in rows if home not in (None, sheet)]
            if foreign and not own:
                self._wrong_sheet(sheet, foreign)
                continue
            skip = self.skip.setdefault(sheet, set())
            for row, key, home in foreign:
                skip.add(row)
                self.fail(f"{sheet}!B{row}", "sheet-mismatch",
                          f"第{row}行属于“{home}”表(A 列隐藏键“{key}”),不应在“{sheet}”表中:可能从该表复制了整行;该行未读取",
                          f"row {row} belongs to sheet '{home}' (hidden key '{key}' in column A), not to sheet '{sheet}': "
                          "it was probably copied from there; the row was not read",
                          f"删除该行;其内容请填在“{home}”表中", f"delete the row, and fill in its data on sheet '{home}'")
            first: dict[str, int] = {}
            for row, key in own:
                if key == L.ROW_KEYS.get(sheet):  # every row of a row table has the table's key
                    continue
                if key in first:
                    skip.add(row)
                    self.duplicates.append((sheet, row, first[key], key))
                else:
                    first[key] = row
        kv_rows = lambda sheet: [row for row, key, home in keyed[sheet] if home == sheet and key != L.ROW_KEYS.get(sheet)]
        team_rows = [row for row, key, _ in keyed[L.TEAM] if key == L.ROW_KEYS[L.TEAM]]
        req_heads = tuple((col, L.REQ_HEADS[k]) for k, col in L.REQ_COL.items())
        for sheet, first_row, default, heads in (
                (L.PARK, kv_rows(L.PARK), L.KV_HEAD_ROW, L.KV_HEADS),
                (L.TEAM, kv_rows(L.TEAM), L.KV_HEAD_ROW, L.KV_HEADS),
                (L.BASELINE, kv_rows(L.BASELINE), L.REQ_FIRST_ROW - 1, req_heads),
                (L.PROJECTS, [row for row, key, _ in keyed[L.PROJECTS] if key == L.ROW_KEYS[L.PROJECTS]], L.PROJECT_HEAD_ROW,
                 L.table_heads(L.PROJECT_COLUMNS)),
                (L.DEMONSTRATION, kv_rows(L.DEMONSTRATION) if L.DEMONSTRATION in keyed else [], L.DEMO_HEAD_ROW,
                 tuple((col, L.DEMO_HEADS[k]) for k, col in L.DEMO_COL.items())),
                (L.CARRIERS, kv_rows(L.CARRIERS) if L.CARRIERS in keyed else [], L.CARRIER_HEAD_ROW, self._carrier_heads(kv_rows(L.CARRIERS)
                                                                                                       if L.CARRIERS in keyed else []))):
            if sheet not in self.moved and sheet in keyed:
                self._check_heads(sheet, first_row, default, heads)
        if L.TEAM not in self.moved and team_rows:
            ws = self.wb[L.TEAM]
            row = C.header_row(ws, team_rows[0], L.NUMBER_HEAD[0], team_rows[0] - 1)
            moved = C.misplaced_heads(ws, row, L.table_heads(L.TEAM_COLUMNS),
                                      ("成员表各列已对不上,成员表未读取", "the team table's columns no longer line up, so the team was not read"),
                                      ("成员表", "team table "))
            if moved is not None:
                self.fail(moved.cell, "columns-moved", moved.message_zh, moved.message_en, moved.fix_zh, moved.fix_en)
                self.team_moved = True

    def _carrier_heads(self, key_rows: list[int]) -> tuple:
        """The headers of 分品种能源 to check: with the own-coefficient columns when the sheet has something where their
        first header belongs (self.carrier_own), else those of a workbook made before them, which is read without them."""
        heads = tuple((col, L.CARRIER_HEADS[k]) for k, col in L.CARRIER_COL.items())
        if L.CARRIERS not in self.wb.sheetnames:
            return heads
        ws = self.wb[L.CARRIERS]
        row = C.header_row(ws, key_rows[0] if key_rows else None, L.CARRIER_HEADS["number"][0], L.CARRIER_HEAD_ROW)
        self.carrier_own = _filled(ws.cell(row, L.CARRIER_OWN_COL["own"]).value)
        if not self.carrier_own:
            self._own_head_cleared(ws, row, key_rows)
        return heads + (tuple((col, L.CARRIER_OWN_HEADS[k]) for k, col in L.CARRIER_OWN_COL.items()) if self.carrier_own else ())

    def _own_head_cleared(self, ws, row: int, key_rows: list[int]) -> None:
        """分品种能源 made with the own-coefficient columns (their second header, or the title's merge, reaches them) whose
        header 实测折标系数 was cleared: the sheet then reads as the older layout, so data in those columns would be
        dropped without a word; reported at the header when a carrier row holds any (an empty pair loses nothing)."""
        own, own_ev = L.CARRIER_OWN_COL["own"], L.CARRIER_OWN_COL["own_evidence"]
        made_with = str(ws.cell(row, own_ev).value or "").startswith(L.CARRIER_OWN_HEADS["own_evidence"][0]) or any(
            rng.min_row < row and rng.max_col >= own for rng in ws.merged_cells.ranges)
        if not made_with:  # a workbook made before the columns: text there is a remark (a stray-cells note)
            return
        filled = [f"{get_column_letter(col)}{r}" for r in key_rows for col in (own, own_ev) if self._holds(ws, r, col)]
        if not filled:
            return
        at, zh, en = f"{get_column_letter(own)}{row}", *L.CARRIER_OWN_HEADS["own"]
        shown = "、".join(filled[:5]) + ("等" if len(filled) > 5 else "")
        self.fail(f"{ws.title}!{at}", "header-missing",
                  f"“{ws.title}”表 {at} 的表头“{zh}”已被清除,而其下 {shown} 填有内容:没有该表头时按旧版模板读取,"
                  f"{get_column_letter(own)}、{get_column_letter(own_ev)} 两列(实测折标系数及其证明材料)未读取",
                  f"sheet '{ws.title}': the header '{zh}' ({en}) in {at} was cleared, but {', '.join(filled[:5])}"
                  f"{' and more' if len(filled) > 5 else ''} below it hold data: without the header the sheet reads as the older "
                  f"layout, so columns {get_column_letter(own)}–{get_column_letter(own_ev)} (own coefficients and their evidence) "
                  "were not read",
                  f"在 {at} 恢复表头“{zh}”(可在 Excel 中撤销,或从新生成的模板中复制该表头)",
                  f"put the header '{zh}' back into {at} (undo in Excel, or copy it from a newly generated template)")

    def _check_heads(self, sheet: str, key_rows: list[int], default: int, heads) -> None:
        """A sheet read by position: its headers must be in their columns, or it is reported and not read."""
        ws = self.wb[sheet]
        row = C.header_row(ws, key_rows[0] if key_rows else None, heads[0][1][0], default)
        if not key_rows and C.none_there(ws, row, heads):
            self._emptied(sheet)
            return
        moved = C.misplaced_heads(ws, row, heads, ("该表各列已对不上,数据未读取", "the columns no longer line up, so the sheet's values were not read"))
        if moved is not None:
            self.fail(moved.cell, "columns-moved", moved.message_zh, moved.message_en, moved.fix_zh, moved.fix_en)
            self.moved.add(sheet)

    def _emptied(self, sheet: str) -> None:
        """Neither the headers nor any keyed row of the sheet is left: its rows were deleted or cleared."""
        self.fail(sheet, "template-damaged", f"工作表“{sheet}”中找不到表头和数据行:可能清空了工作表或删除了行;该表数据未读取",
                  f"sheet '{sheet}' has neither its headers nor its rows: it was probably cleared or its rows deleted; its values were not read",
                  "撤销删除(可在 Excel 中撤销);或用 greendiag template 生成新模板,把数据填入",
                  "undo the deletion (in Excel), or generate a new template with `greendiag template OUT.xlsx` and fill it in")
        self.moved.add(sheet)

    def _wrong_sheet(self, sheet: str, foreign: list[tuple[int, str, str]]) -> None:
        """A sheet that holds only another sheet's rows: the sheets' names were swapped or changed. Not read."""
        homes = [home for _, _, home in foreign]
        home = max(dict.fromkeys(homes), key=homes.count)  # the sheet most of its rows belong to (the first on a tie)
        key = next(k for _, k, h in foreign if h == home)
        self.fail(sheet, "sheet-mismatch",
                  f"工作表“{sheet}”中是“{home}”表的内容(A 列隐藏键如“{key}”):工作表名称可能被互换或改动;该表数据未读取",
                  f"sheet '{sheet}' holds the rows of sheet '{home}' (hidden keys such as '{key}' in column A): the sheet names were "
                  "probably swapped or changed; its values were not read",
                  f"把工作表名称改回(“{sheet}”与“{home}”可能被互换);或用 greendiag template 重新生成模板并填写",
                  f"restore the sheet names ('{sheet}' and '{home}' may have been swapped), or generate a new template with "
                  "`greendiag template OUT.xlsx` and fill it in")
        self.moved.add(sheet)

    def _report_duplicates(self) -> None:
        """A key in a sheet twice (a row copied over another): reported at the later row, which was not read."""
        for sheet, row, first, key in self.duplicates:
            if sheet in self.moved:
                continue
            zh, en = self._key_label(key)
            self.fail(f"{sheet}!B{row}", "duplicate-key",
                      f"第{row}行与第{first}行的隐藏键(A 列)都是“{key}”({zh}):可能整行复制覆盖了另一行;第{row}行未读取",
                      f"row {row} has the same hidden key '{key}' (column A) as row {first} ({en}): a row was probably copied over "
                      f"another; row {row} was not read",
                      "核对这两行:若是整行复制覆盖了另一行,请撤销(或从新生成的模板中把被覆盖的那一行复制回来);否则删除重复的行",
                      "check both rows: if a row was copied over another, undo it (or copy the overwritten row back from a newly "
                      "generated template); otherwise delete the duplicate row")

    def _keyed_regions(self) -> list[_Region]:
        """Where each sheet read by hidden key has its keyed rows (a sheet not read, or absent, has none): below its headers
        to the end of the sheet; on 工作组 down to the member table, whose rows outside the template are read already."""
        present = [s for s in L.SHEETS if s in self.wb.sheetnames and s not in self.moved]
        end = lambda sheet: min(self.wb[sheet].max_row, MAX_ROWS)

        def first(sheet: str, known: Callable[[str], bool], anchor: str, default: int) -> int:
            rows = [row for row, key in self.rows(self.wb[sheet]) if known(key)]
            return C.header_row(self.wb[sheet], rows[0] if rows else None, anchor, default) + 1

        def requirement(key: str) -> bool:  # as _baseline reads it: req:<number>
            try:
                int(key[4:])
            except ValueError:
                return False
            return key.startswith("req:")

        def carrier(key: str) -> bool:
            try:
                return key.startswith(L.CARRIER_PREFIX) and L.carrier_of(key)[0] in self.tables[1].slots
            except ValueError:
                return False

        out = []
        for sheet in (L.PARK, L.TEAM):
            if sheet in present:
                known = functools.partial(lambda s, key: L.key_sheet(key) == s, sheet)
                last = end(sheet)
                team = [row for row, key in self.rows(self.wb[sheet]) if key == L.ROW_KEYS.get(sheet)]
                if team:  # the member table's header row, and all below it, is the table's
                    last = C.header_row(self.wb[sheet], team[0], L.NUMBER_HEAD[0], team[0] - 1) - 1
                out.append(_Region(sheet, first(sheet, known, L.KV_HEADS[0][1][0], L.KV_HEAD_ROW), last, (L.KV_VALUE_COL,),
                                   (L.KV_VALUE_COL,), known, max(col for col, _ in L.KV_HEADS)))
        if L.BASELINE in present:
            cols = tuple(L.REQ_COL[k] for k in ("status", "evidence", "note"))
            out.append(_Region(L.BASELINE, first(L.BASELINE, requirement, L.REQ_HEADS["number"][0], L.REQ_FIRST_ROW - 1), end(L.BASELINE),
                               cols, cols, requirement, max(L.REQ_COL.values())))
        for t, top in zip(self.tables, (L.IND_FIRST_ROW, L.STAT_FIRST_ROW)):
            if t.sheet in present:  # its headers are rows 2 and 3, or the sheet is not read (columns-moved)
                cols = tuple(t.value_col(s) for s in t.slots) + tuple(t.evidence_col(s) for s in t.slots)
                right = t.after_evidence if t.section == "indicators" else t.after_evidence - 1  # 指标数据 ends with 填写说明
                out.append(_Region(t.sheet, top, end(t.sheet), cols, cols, functools.partial(lambda p, key: key.startswith(p), t.prefix), right))
        if L.CARRIERS in present:
            own = tuple(L.CARRIER_OWN_COL.values()) if self.carrier_own else ()
            cols = tuple(L.CARRIER_COL[k] for k in ("unit", "quantity", "evidence")) + own
            out.append(_Region(L.CARRIERS, first(L.CARRIERS, carrier, L.CARRIER_HEADS["number"][0], L.CARRIER_HEAD_ROW), end(L.CARRIERS),
                               cols, cols[1:], carrier, max(L.CARRIER_COL.values()) + len(own)))
        if L.DEMONSTRATION in present:
            cols = tuple(L.DEMO_COL[k] for k in ("title_zh", "title_en", "status", "description", "evidence"))
            demo = lambda key: key.startswith(L.DEMO_PREFIX)
            out.append(_Region(L.DEMONSTRATION, first(L.DEMONSTRATION, demo, L.DEMO_HEADS["number"][0], L.DEMO_HEAD_ROW),
                               end(L.DEMONSTRATION), cols, cols, demo, max(L.DEMO_COL.values())))
        return out

    def _check_inserted_rows(self, dy: Optional[int]) -> None:
        """A row without a key of its sheet (inserted in the table, typed below it, or with a key the sheet does not know)
        that holds data in a column the reader takes values from: the reader skips such a row, so it is reported, one
        problem per row naming its cells. Titles, headers, year rows and legends the writer puts there hold none."""
        names = self._fix_names()
        for g in self._keyed_regions():
            ws = self.wb[g.sheet]
            skip = self.skip.get(g.sheet, set())  # another sheet's row, or a key repeated: reported already
            keys = {row: ws.cell(row, 1).value for row in range(g.first, g.last + 1)}
            keyed = [row for row, key in keys.items() if isinstance(key, str) and g.known(key)]
            known_rows = set(keyed)
            for row, key in keys.items():
                if row in skip or row in known_rows:
                    continue
                filled = [col for col in g.columns if self._holds(ws, row, col)]
                if not any(col in g.data for col in filled):
                    continue
                refs = [f"{get_column_letter(col)}{row}" for col in filled]
                shown_zh, shown_en = "、".join(refs), ", ".join(refs)
                above = [r for r in keyed if r < row]
                if _filled(key):
                    why = (f"“{g.sheet}”表第{row}行的隐藏键“{str(key).strip()}”(A 列)不是该表模板中的行",
                           f"sheet '{g.sheet}': row {row} has the hidden key '{str(key).strip()}' (column A), which is no row of this sheet's template")
                elif any(r > row for r in keyed) or not above:
                    below = [r for r in keyed if r > row]
                    after = self._row_name(str(keys[above[-1]]), dy) if above else None
                    before = self._row_name(str(keys[below[0]]), dy) if below else None
                    if after and before:
                        between = (f"位于“{after[0]}”与“{before[0]}”两行之间", f"between the rows of {after[1]} and {before[1]}")
                    elif before:
                        between = (f"位于表头与“{before[0]}”一行之间", f"between the headers and the row of {before[1]}")
                    else:  # no keyed row at all: the sheet's rows were deleted
                        between = ("位于表头之下", "under the headers")
                    why = (f"“{g.sheet}”表第{row}行不是模板中的行(A 列没有隐藏键:插入的行,{between[0]})",
                           f"sheet '{g.sheet}': row {row} is not a template row (no hidden key in column A: an inserted row {between[1]})")
                else:
                    why = (f"“{g.sheet}”表第{row}行在表格下方,不是模板中的行(A 列没有隐藏键)",
                           f"sheet '{g.sheet}': row {row} is below the table, not a template row (no hidden key in column A)")
                fix_zh, fix_en = _INSERTED_FIX[g.sheet]
                self.fail(self.ref(ws, row, filled[0]), "row-not-in-template", f"{why[0]}:{shown_zh} 的内容未读取",
                          f"{why[1]}: {shown_en} {'was' if len(refs) == 1 else 'were'} not read",
                          fix_zh.format(**names[0], right=get_column_letter(g.right)), fix_en.format(**names[1], right=get_column_letter(g.right)))

    def _holds(self, ws, row: int, col: int) -> bool:
        """Whether a cell of a row not in the template holds something: a formula by its computed value (=IF(…,"") shows
        nothing and holds nothing), or when Excel never computed it, by the formula itself (what it gives is unknown)."""
        cell = ws.cell(row, col)
        if not _filled(cell.value):
            return False
        if cell.data_type != "f" and not (isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type != "s"):
            return True
        if self._values_wb is None:
            import openpyxl

            self._values_wb = openpyxl.load_workbook(self.path, data_only=True)
        computed = self._values_wb[ws.title].cell(row, col)
        if computed.value is None:  # Excel stores an empty text result as t="str" with an empty <v>; never computed: no t
            return computed.data_type != "str"
        return _filled(computed.value)

    def _fix_names(self) -> tuple[dict[str, str], dict[str, str]]:
        """The catalogue's names that the fixes of _INSERTED_FIX quote, (zh, en): the energy statistic, the titled kind."""
        stat = next((s for s in self.cat.statistics if s.id == self.cat.energy_statistic), None)
        energy = (stat.name_zh, stat.name_en.lower()) if stat is not None else ("综合能源消费量", "energy consumption")
        other = next((k for k in self.cat.demonstration_kinds if k.titled), None)
        titled = (other.name_zh, other.name_en) if other is not None else ("其他", "other")
        return {"energy_zh": energy[0], "other_zh": titled[0]}, {"energy_en": energy[1], "other_en": titled[1]}

    def _row_name(self, key: str, dy: Optional[int]) -> tuple[str, str]:
        """A template row named for the user, to be quoted: its item; on 分品种能源 the block's year and the carrier,
        on 示范性工作 the kind (and which of its rows)."""
        try:
            if key.startswith(L.CARRIER_PREFIX):
                slot, carrier = L.carrier_of(key)
                c = self.cat.coal_coefficient(carrier)
                year = self._year_label(self.tables[1].year(dy, slot)) if dy is not None else L.slot_label(slot)
                return f"{year[0]} {c.name_zh}", f"{year[1]} {c.name_en}"
            if key.startswith(L.DEMO_PREFIX):
                k = self.cat.demonstration_kind(L.demo_kind(key))
                n = key.partition("#")[2]
                return k.name_zh + (f" 第{n}行" if n else ""), k.name_en + (f" row {n}" if n else "")
        except (KeyError, ValueError):
            return key, key
        return self._key_label(key)

    def _key_label(self, key: str) -> tuple[str, str]:
        """What a column-A key stands for, to name it in messages: an indicator, a statistic, a requirement, a field."""
        kind, _, rest = key.partition(":")
        try:
            if kind == "ind":
                ind = self.cat.indicator(rest)
                return f"指标 {ind.number} {ind.name_zh}", f"indicator {ind.number} {ind.name_en}"
            if kind == "stat":
                stat = self.cat.statistic(rest)
                return f"统计量 {stat.name_zh}", f"statistic {stat.name_en}"
            if kind == "req":
                return f"基础性要求第{int(rest)}项", f"baseline requirement {int(rest)}"
            if kind == "demo":
                k = self.cat.demonstration_kind(L.demo_kind(key))
                return f"示范性工作“{k.name_zh}”", f"demonstrative work '{k.name_en}'"
            if kind == "carrier":
                c = self.cat.coal_coefficient(L.carrier_of(key)[1])
                return f"能源品种“{c.name_zh}”", f"energy carrier '{c.name_en}'"
        except (KeyError, ValueError):
            return key, key
        field = next((f for f in L.PARK_FIELDS + L.ENGAGEMENT_FIELDS if isinstance(f, L.Field) and f.key == key), None)
        return (field.zh, field.en) if field is not None else (key, key)

    def _fall_back_year(self) -> tuple[str, str]:
        """Without a usable diagnosis year, read the year columns with the template's year, or a placeholder
        labelled by column (第1年…, 基准年), so every cell is still checked; returns the note for the year cell's problem."""
        try:
            year = int(str(self.meta.get("diagnosis_year") or "").strip())
        except ValueError:
            year = None
        low, high = DIAGNOSIS_YEARS
        first = year - self.cat.scoring.years if year is not None else None
        if year is not None and low <= year <= high:
            self.fallback_year = year
            note = (f";指标与统计数据已按模板生成时的诊断年份 {year}({first}–{year - 1}年)逐格检查",
                    f"; the indicator and statistics cells were checked with the template's diagnosis year {year} ({first}–{year - 1})")
        else:
            self.fallback_year = year = PLACEHOLDER_YEAR
            stats = self.tables[1]
            self.year_labels = {stats.year(year, slot): L.slot_label(slot) for slot in stats.slots}
            span = L.slot_span(stats.count)
            note = (f";年份未知,指标与统计数据已逐格检查(按列标为第{span}年、基准年)",
                    f"; with no year, the indicator and statistics cells were checked column by column (labelled year {span}, base year)")
        return note

    def _note_year_differs(self, year: int) -> None:
        """The year typed in 园区信息 is not the one the template was made for: the columns are read with the typed
        year (their headers follow it in Excel), but every value then belongs to another year than when the
        template was handed out, so the user is told."""
        try:
            made = int(str(self.meta.get("diagnosis_year") or "").strip())
        except ValueError:
            return
        if made == year:
            return
        n = self.cat.scoring.years
        ref = self.where.get(("diagnosis_year",), L.PARK)
        now, then = f"{year - n}–{year - 1}" if n > 1 else str(year - 1), f"{made - n}–{made - 1}" if n > 1 else str(made - 1)
        self.notes.append(Problem(
            "year-differs-from-template",
            f"诊断年份 {year} 与生成模板时的 {made} 不同:指标与统计数据按 {year} 年读取,指标列为 {now}年(生成模板时为 {then}年)",
            f"the diagnosis year {year} differs from the template's {made}: the indicator and statistics columns are read "
            f"as {now} (they were {then} when the template was made)", file=self.path, location=ref,
            fix_zh=f"如所填数据是 {then}年的,请把诊断年份改回 {made};否则核对各列年份无误即可",
            fix_en=f"if the values are for {then}, set the diagnosis year back to {made}; otherwise check that each column's year is right"))

    def _note_stray_cells(self, ws, prefix: str) -> None:
        """A note naming filled cells right of the sheet's last header in its data rows (a value typed one column too
        far): they are not read, and nothing else would say so."""
        last = max((c for r in (2, 3) for c in range(1, ws.max_column + 1) if ws.cell(r, c).value not in (None, "")), default=0)
        stray = [ws.cell(row, c).coordinate for row, _ in self.rows(ws, prefix) for c in range(last + 1, ws.max_column + 1)
                 if str(ws.cell(row, c).value if ws.cell(row, c).value is not None else "").strip()]
        if not last or not stray:
            return
        shown = "、".join(stray[:5]) + ("等" if len(stray) > 5 else "")
        self.notes.append(Problem(
            "stray-cells", f"“{ws.title}”表 {shown} 在各列表头之外,其内容未读取", f"sheet '{ws.title}': {', '.join(stray[:5])} "
            f"{'and more ' if len(stray) > 5 else ''}lie right of the last header and are not read", file=self.path,
            location=f"{ws.title}!{stray[0]}", fix_zh="如是数据,请移到对应年份的数值或证明材料列;否则删除",
            fix_en="if they are data, move them into the value or evidence column of their year; otherwise delete them"))

    def _check_tables(self, data: dict) -> None:
        """Year tables with a column inserted or deleted are reported at their first misplaced header and not read;
        merged cells over value or evidence cells are reported and not read (a merge keeps only its first cell)."""
        dy = data.get("diagnosis_year", self.fallback_year)
        for t in self.tables:
            if t.sheet in self.moved:  # another sheet's rows are in it: reported already
                continue
            ws = self.wb[t.sheet]
            if not any(True for _ in self.rows(ws, t.prefix)) and C.none_there(ws, 2, C.row2_heads(t)):
                self._emptied(t.sheet)
                continue
            name = lambda slot, t=t: self._year_label(t.year(dy, slot))
            moved = C.misplaced(ws, t, self.meta, name, dy if isinstance(dy, int) else None)
            if moved is not None:
                self.fail(moved.cell, moved.code, moved.message_zh, moved.message_en, moved.fix_zh, moved.fix_en)
                self.moved.add(t.sheet)
                continue
            for rng, cells in C.merged_over(ws, t, (row for row, _ in self.rows(ws, t.prefix))):
                refs = [self.ref(ws, r, c) for r, c in cells]
                self.fail(f"{ws.title}!{rng}", "merged-cells", f"单元格 {rng} 已合并:每个年份的数值和证明材料索引须各占一个单元格,合并后只保留第一个单元格的内容",
                          f"cells {rng} are merged: each year's value and evidence index needs its own cell, and a merge keeps only the first one's content",
                          f"请取消合并单元格 {rng},并逐年填写", f"unmerge {rng} and fill in each year")
                self.merged.update(refs)
                self.bad.update(refs)

    def _note_on_year_cell(self, note: tuple[str, str]) -> None:
        """Tell, on the year cell's problem, how the year columns were checked without it."""
        ref = self.where.get(("diagnosis_year",))
        for i, p in enumerate(self.problems):
            if p.location == ref:
                self.problems[i] = Problem(p.code, p.message_zh + note[0], p.message_en + note[1], file=p.file, location=p.location,
                                           fix_zh=p.fix_zh, fix_en=p.fix_en)

    def _year_label(self, year: int) -> tuple[str, str]:
        """How messages name a data year: ("2023年", "2023"), or ("第2年", "year 2") for a placeholder year."""
        return self.year_labels.get(year) or year_text(year)

    def _fields(self, ws, fields: tuple, data: dict) -> None:
        by_key = {f.key: f for f in fields if isinstance(f, L.Field)}
        seen = set()
        for row, key in self.rows(ws):
            f = by_key.get(key)
            if f is None:
                continue
            seen.add(key)
            ref = self.ref(ws, row, L.KV_VALUE_COL)
            self.where[f.path] = ref
            v = self.value(ws, row, L.KV_VALUE_COL)
            if v is None:
                if f.required and ref not in self.bad:
                    self.fail(ref, "required", f"{f.zh}为必填项", f"{f.en} is required", f"填写{f.zh}", f"fill in the {f.en.lower()}")
                continue
            present, value = self.typed(v, ref, f.kind, (f.zh, f.en), minimum=f.minimum, maximum=f.maximum, choices=f.choices,
                                        unit=f.unit, suffix=f.suffix)
            if present:
                _put(data, f.path, value)
        for key in by_key.keys() - seen:
            if by_key[key].required:
                self.fail(ws.title, "template-damaged", f"工作表中找不到“{by_key[key].zh}”一行", f"the row '{by_key[key].en}' is missing",
                          *FIX_TEMPLATE)
        if "park" in data:
            self.where.setdefault(("park",), self.where.get(("park", "name"), L.PARK))
        if "engagement" in data:
            for sub in ("onsite", "scope", "provider"):
                if sub in data["engagement"]:
                    first = next((v for k, v in self.where.items() if k[:2] == ("engagement", sub)), None)
                    if first:
                        self.where.setdefault(("engagement", sub), first)

    def _baseline(self, data: dict) -> None:
        ws, C = self.wb[L.BASELINE], L.REQ_COL
        known = {r.number for r in self.cat.requirements}
        rows = []
        for row, key in self.rows(ws, "req:"):
            try:
                number = int(key[4:])
            except ValueError:
                continue
            status = self.value(ws, row, C["status"])
            evidence = _text(self.value(ws, row, C["evidence"]))
            note = _text(self.value(ws, row, C["note"]))
            if status is None and evidence is None and note is None:
                continue
            if number not in known:
                self.fail(self.ref(ws, row, C["number"]), "unknown-requirement", f"基础性要求“{number}”不在当前指标目录中",
                          f"requirement {number} is not in the catalogue in use", *self._overlay_fix())
                continue
            ref = self.ref(ws, row, C["status"])
            if status is None:
                if ref in self.bad:  # a formula without a value: reported already
                    continue
                self.fail(ref, "required", f"基础性要求第{number}项:已填写证明材料或备注,但未选择是否符合",
                          f"baseline requirement {number}: evidence or a note is given but 'met?' is empty",
                          "选择 符合/不符合/未知", "choose '符合' (met), '不符合' (not met) or '未知' (unknown)")
                continue
            word = _nfkc(_text(status) or "")
            status_id = L.STATUS_IDS.get(word) or L.STATUS_IDS.get(word.lower())
            if status_id is None:
                self.fail(ref, "unknown-choice", f"基础性要求第{number}项:“{word}”不是可选值", f"baseline requirement {number}: '{word}' is not a choice",
                          "可选:符合、不符合、未知", "choose '符合' (met), '不符合' (not met) or '未知' (unknown)")
                continue
            i = len(rows)
            item = {"number": number, "status": status_id}
            if evidence is not None:
                item["evidence"] = evidence
            if note is not None:
                item["note"] = note
            rows.append(item)
            self.where[("baseline", i)] = self.where[("baseline", i, "status")] = ref
            self.where[("baseline", i, "number")] = self.ref(ws, row, C["number"])
            self.where[("baseline", i, "evidence")] = self.ref(ws, row, C["evidence"])
            self.where[("baseline", i, "note")] = self.ref(ws, row, C["note"])
        if rows:
            data["baseline"] = rows
        self.where.setdefault(("baseline",), L.BASELINE)

    def _demonstration(self, data: dict) -> None:
        """示范性工作 (四(三)3): a row with a status is an entry; a row with text but no status is a problem at its status cell;
        every row empty leaves the section out (not recorded). Kinds and statuses are checked by the dataset builder,
        which places its problems at these cells."""
        from ..dataset import _demonstration_status

        ws, C = self.wb[L.DEMONSTRATION], L.DEMO_COL
        rows = []
        for row, key in self.rows(ws, L.DEMO_PREFIX):
            cells = {k: self.value(ws, row, C[k]) for k in ("title_zh", "title_en", "status", "description", "evidence")}
            if all(v is None for v in cells.values()):
                continue
            ref = self.ref(ws, row, C["status"])
            label = (f"示范性工作第{ws.cell(row, C['number']).value}行", f"demonstrative work row {ws.cell(row, C['number']).value}")
            if cells["status"] is None:
                if ref not in self.bad:
                    self.fail(ref, "required", f"{label[0]}:已填写名称或说明,但未选择核查情况", f"{label[1]}: text is given but the status is empty",
                              "选择 " + "/".join(L.DEMO_STATUS_CHOICES) + ",或清空该行",
                              "choose 已开展 (carried out), 在建 (under construction), 计划中 (planned) or 未开展 (not carried out), or clear the row")
                continue
            word = _nfkc(_text(cells["status"]) or "")
            item: dict = {"kind": L.demo_kind(key), "status": _demonstration_status(word) or word}
            for k in ("title_zh", "title_en", "description", "evidence"):
                text = _text(cells[k])
                if text is not None:
                    item[k] = text
            i = len(rows)
            rows.append(item)
            self.where[("demonstration_work", i)] = self.where[("demonstration_work", i, "status")] = ref
            self.where[("demonstration_work", i, "kind")] = self.ref(ws, row, C["kind"])
            for k in ("title_zh", "title_en", "description", "evidence"):
                self.where[("demonstration_work", i, k)] = self.ref(ws, row, C[k])
        if rows:
            data["demonstration_work"] = rows
        self.where.setdefault(("demonstration_work",), L.DEMONSTRATION)

    def _overlay_fix(self) -> tuple[str, str]:
        overlays = []
        try:
            overlays = [str(o[0]) for o in json.loads(self.meta.get("overlays") or "[]")]
        except (ValueError, TypeError, IndexError):
            pass
        if overlays:
            names = "、".join(overlays)
            return (f"该模板由扩展目录 {names} 生成,读取时请加 --overlay 指定同一扩展",
                    f"the template was made with overlay(s) {', '.join(overlays)}: load it with the same --overlay")
        return ("用当前指标目录重新生成模板", "regenerate the template with the catalogue in use")

    def _years(self, data: dict) -> None:
        dy = data.get("diagnosis_year", self.fallback_year)  # always a year: _fall_back_year gives one
        blocks: dict[int, dict] = {}
        cells: dict[tuple, str] = {}
        for t in self.tables:
            if t.sheet not in self.moved:
                self._year_table(t, dy, blocks, cells)
        if L.CARRIERS in self.wb.sheetnames and L.CARRIERS not in self.moved:
            self._carrier_table(dy, blocks, cells)
        year_cell = self.where.get(("diagnosis_year",), L.PARK)
        ind = self.tables[0]
        self.where[("years",)] = f"{L.INDICATORS}!{get_column_letter(ind.first_value_col)}3:{get_column_letter(ind.after_values - 1)}3"
        out = []
        for i, y in enumerate(sorted(blocks)):
            block = {"year": y}
            for section in ("indicators", "statistics", "energy_by_carrier"):
                if section in blocks[y]:
                    block[section] = {}
                    for key, item in blocks[y][section].items():
                        block[section][key] = (item if isinstance(item, dict) and ("unit" in item or "evidence" in item or "coefficient" in item)
                                               else item["value"])
                        ref = cells[(y, section, key)]
                        if section == "energy_by_carrier":  # the year's sum by carrier (a zero total…): at its first quantity
                            self.where.setdefault(("years", i, section), ref)
                        for suffix in ((), ("value",), ("unit",)):
                            self.where[("years", i, section, key) + suffix] = ref
                        if (y, section, key, "unit") in cells:  # a carrier's own unit cell
                            self.where[("years", i, section, key, "unit")] = cells[(y, section, key, "unit")]
                        if (y, section, key, "evidence") in cells:
                            self.where[("years", i, section, key, "evidence")] = cells[(y, section, key, "evidence")]
                        if (y, section, key, "coefficient") in cells:  # a carrier's own coefficient and its evidence
                            for suffix in ((), ("value",), ("unit",)):
                                self.where[("years", i, section, key, "coefficient") + suffix] = cells[(y, section, key, "coefficient")]
                            self.where[("years", i, section, key, "coefficient", "evidence")] = cells[(y, section, key, "coefficient", "evidence")]
            self.where[("years", i)] = self.where[("years", i, "year")] = year_cell
            out.append(block)
        scored = [ind.year(dy, slot) for slot in ind.slots]
        if ind.sheet in self.moved:  # reported at its header: the builder would only say the years are missing
            self.buildable = False
        elif not any(y in blocks for y in scored):
            years = f"{scored[0]}–{scored[-1]}" if len(scored) > 1 else str(scored[0])
            columns = L.slot_span(ind.count)
            span = (f"第{columns}年", f"year{'s' if ind.count > 1 else ''} {columns}") if self.year_labels else (f"{years}年", years)
            self.fail(f"{L.INDICATORS}!{get_column_letter(ind.first_value_col)}{L.IND_FIRST_ROW}", "no-indicator-data",
                      f"没有填写任何指标数据({span[0]})", f"no indicator data for {span[1]}",
                      f"在“指标数据”表中填写{count_words(ind.count)[0]}年的指标值", f"fill in the indicator values on sheet '{L.INDICATORS}'")
            self.buildable = False
        if out:
            data["years"] = out

    def _year_table(self, t: L.YearTable, dy: int, blocks: dict, cells: dict) -> None:
        """The value and evidence cells of 指标数据 or 原始统计数据 into `blocks` ({year: {section: {key: item}}}), with
        their cells in `cells`; a row the catalogue does not know is reported at its first filled cell."""
        ws = self.wb[t.sheet]
        self._note_stray_cells(ws, t.prefix)
        for row, key in self.rows(ws, t.prefix):
            item_id = key[len(t.prefix):]
            name = self._namer(t, item_id)
            for slot in t.slots:
                vcol, ecol = t.value_col(slot), t.evidence_col(slot)
                year = t.year(dy, slot)
                what = name(self._year_label(year)) if name is not None else None
                ref, eref = self.ref(ws, row, vcol), self.ref(ws, row, ecol)
                raw = self.value(ws, row, vcol, what) if ref not in self.merged else None
                evidence = _text(self.value(ws, row, ecol, what)) if eref not in self.merged else None
                if raw is None and evidence is None:
                    continue
                self.year_cells += 1
                if name is None:
                    code, noun_zh, noun_en = _UNKNOWN[t.section]
                    self.fail(ref, code, f"{noun_zh}“{item_id}”不在当前指标目录中", f"{noun_en} '{item_id}' is not in the catalogue in use",
                              *self._overlay_fix())
                    break
                if raw is None:
                    if ref not in self.bad:  # a formula without a value is reported already
                        self.fail(ref, "required", f"{what[0]}:已填写证明材料索引,但数值为空", f"{what[1]}: evidence is given but the value is empty",
                                  "填写数值,或删除该证明材料索引", "give the value, or remove the evidence reference")
                    continue
                if X.is_no_data_word(raw) and not (t.section == "indicators" and self.cat.indicator(item_id).qualitative):
                    self._no_data(ref, raw, what)  # a qualitative cell's words are the builder's (unknown-level)
                    continue
                unit = (self.cat.indicator(item_id) if t.section == "indicators" else self.cat.statistic(item_id)).unit
                item = self._indicator_value(ws, row, vcol, raw, what, unit)
                if item is None:
                    continue
                if evidence is not None:
                    item["evidence"] = evidence
                blocks.setdefault(year, {}).setdefault(t.section, {})[item_id] = item
                cells[(year, t.section, item_id)] = ref
                cells[(year, t.section, item_id, "evidence")] = self.ref(ws, row, ecol)

    def _carrier_table(self, dy: int, blocks: dict, cells: dict) -> None:
        """分品种能源 into `blocks` ({year: {"energy_by_carrier": {carrier: item}}}): a row with a quantity is an entry (its
        unit cell, or a unit typed with the quantity); a unit alone is the template's default, not data; evidence without
        a quantity is a problem. Carriers, units and numbers are checked by the dataset builder, at these cells."""
        ws, C, t = self.wb[L.CARRIERS], L.CARRIER_COL, self.tables[1]
        self._note_stray_cells(ws, L.CARRIER_PREFIX)
        for row, key in self.rows(ws, L.CARRIER_PREFIX):
            try:
                slot, carrier = L.carrier_of(key)
            except ValueError:
                continue
            if slot not in t.slots:
                continue
            year = t.year(dy, slot)
            ref, uref, eref = (self.ref(ws, row, C[k]) for k in ("quantity", "unit", "evidence"))
            try:
                c = self.cat.coal_coefficient(carrier)
                what = (f"{self._year_label(year)[0]} {c.name_zh}", f"{self._year_label(year)[1]} {c.name_en}")
            except KeyError:
                what = (f"{self._year_label(year)[0]} {carrier}", f"{self._year_label(year)[1]} {carrier}")
            raw = self.value(ws, row, C["quantity"], what)
            unit = _text(self.value(ws, row, C["unit"], what))
            evidence = _text(self.value(ws, row, C["evidence"], what))
            coefficient, oref, oeref = self._carrier_own(ws, row, what)
            if raw is None:
                if (evidence is not None or coefficient is not None) and ref not in self.bad:
                    given = ("证明材料索引", "evidence is") if coefficient is None else ("实测折标系数", "an own coefficient is")
                    self.fail(ref, "required", f"{what[0]}:已填写{given[0]},但消费量为空", f"{what[1]}: {given[1]} given but the quantity is empty",
                              f"填写消费量,或删除该{given[0]}", "give the quantity, or remove what was given beside it")
                continue
            if X.is_no_data_word(raw):
                self._no_data(ref, raw, what)
                continue
            if uref in self.bad:  # a unit cell without a value (a formula, an error) is reported there, not again as no unit
                continue
            item = self._indicator_value(ws, row, C["quantity"], raw, what)
            if item is None:
                continue
            if item.get("unit") == "%":  # a percent-formatted cell: a quantity is never a percentage
                self.fail(ref, "percent-format", f"{what[0]}:单元格为百分比格式,而消费量是实物量", f"{what[1]}: the cell is formatted as a "
                          "percentage, but a quantity is a physical amount", "将单元格格式设为“常规”后重新输入数值",
                          "set the cell format to General and type the number again")
                continue
            own = None
            if isinstance(item["value"], str):
                try:
                    own = units.split_quantity(item["value"])[1] or None
                except ValueError:
                    own = None
            if unit is not None and own is None:  # a unit typed with the quantity stands for itself
                item["unit"] = unit
            if evidence is not None:
                item["evidence"] = evidence
            if coefficient is not None:
                item["coefficient"] = coefficient
                cells[(year, "energy_by_carrier", carrier, "coefficient")] = oref
                cells[(year, "energy_by_carrier", carrier, "coefficient", "evidence")] = oeref
            blocks.setdefault(year, {}).setdefault("energy_by_carrier", {})[carrier] = item
            cells[(year, "energy_by_carrier", carrier)] = ref
            cells[(year, "energy_by_carrier", carrier, "unit")] = uref
            cells[(year, "energy_by_carrier", carrier, "evidence")] = eref

    def _carrier_own(self, ws, row: int, what: tuple[str, str]) -> tuple[Optional[dict], Optional[str], Optional[str]]:
        """A 分品种能源 row's own coefficient ({"value": text or number, "evidence"}: the builder checks its unit, range and
        evidence) and the refs of its two cells; None when the row gives none or the workbook has no such columns.
        Evidence without a coefficient is a problem at the coefficient's cell."""
        if not self.carrier_own:
            return None, None, None
        oref, oeref = (self.ref(ws, row, L.CARRIER_OWN_COL[k]) for k in ("own", "own_evidence"))
        value = self.value(ws, row, L.CARRIER_OWN_COL["own"], what)
        evidence = _text(self.value(ws, row, L.CARRIER_OWN_COL["own_evidence"], what))
        if value is None:
            if evidence is not None and oref not in self.bad:
                self.fail(oref, "required", f"{what[0]}:已填写系数证明材料索引,但实测折标系数为空",
                          f"{what[1]}: coefficient evidence is given but the own coefficient is empty",
                          "填写实测折标系数(如 0.68 kgce/kg 或 20000 kJ/kg),或删除该证明材料索引",
                          "give the own coefficient (e.g. 0.68 kgce/kg or 20000 kJ/kg), or remove the evidence reference")
            return None, oref, oeref
        if isinstance(value, (dt.date, dt.datetime, dt.time)):  # as for a quantity cell: Excel took the entry for a date
            self.fail(oref, "date-not-number", f"{what[0]}:实测折标系数单元格是日期({_text(value)}),不是数值",
                      f"{what[1]}: the own-coefficient cell holds a date ({_text(value)}), not a number",
                      "Excel 把输入当成了日期:将单元格格式设为“文本”后重新输入系数及其单位(如 0.68 kgce/kg)",
                      "Excel took the entry for a date: set the cell format to Text and type the coefficient with its unit (e.g. 0.68 kgce/kg)")
            return None, oref, oeref
        if isinstance(value, bool):  # Excel's TRUE/FALSE: the text the cell shows, which the builder finds is no number
            value = "TRUE" if value else "FALSE"
        own = {"value": value.strip() if isinstance(value, str) else value}
        if evidence is not None:
            own["evidence"] = evidence
        return own, oref, oeref

    def _namer(self, t: L.YearTable, item_id: str) -> Optional[Callable[[tuple[str, str]], tuple[str, str]]]:
        """How messages name the row's indicator or statistic in a year, as the dataset builder does; None if unknown."""
        try:
            if t.section == "indicators":
                return functools.partial(indicator_label, self.cat.indicator(item_id))
            return functools.partial(statistic_label, self.cat.statistic(item_id))
        except KeyError:
            return None

    def _indicator_value(self, ws, row: int, col: int, raw: Any, what: tuple[str, str], unit: Optional[str] = None) -> Optional[dict]:
        """{'value': …} for the builder (which converts units and checks numbers); dates are refused here."""
        if isinstance(raw, (dt.date, dt.datetime, dt.time)):
            self.fail(self.ref(ws, row, col), "date-not-number", f"{what[0]}:单元格是日期({_text(raw)}),不是数值",
                      f"{what[1]}: the cell holds a date ({_text(raw)}), not a number",
                      "Excel 把输入当成了日期:将单元格格式设为“常规”后重新输入数值", "Excel took the entry for a date: set the cell format to General and type the number again")
            return None
        if isinstance(raw, bool):  # Excel's TRUE/FALSE: checked as the text the cell shows, as if typed (not a number or level)
            return {"value": "TRUE" if raw else "FALSE"}
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and X.scales_by_100(ws.cell(row, col).number_format, raw):
            # a percent-formatted cell stores 95 % as 0.95: give the builder 95 with its unit (a quoted "%" is only text)
            shown = float(decimal.Decimal(repr(raw)) * 100)
            if unit is not None and not _takes_percent(unit):  # 79 % of days: the format, not the user, made it a percentage
                self.fail(self.ref(ws, row, col), "percent-format", f"{what[0]}:单元格为百分比格式(显示 {shown:g}%),而该项单位为 {unit}",
                          f"{what[1]}: the cell is formatted as a percentage (shows {shown:g}%), but the unit is {unit}",
                          "将单元格格式设为“常规”后重新输入数值", "set the cell format to General and type the number again")
                return None
            return {"value": shown, "unit": "%"}
        if isinstance(raw, str):
            raw = raw.strip()
            if len(raw) > 200:
                self.fail(self.ref(ws, row, col), "text-too-long", f"{what[0]}:内容过长({len(raw)}字)", f"{what[1]}: the text is too long ({len(raw)} characters)")
                return None
        return {"value": raw}

    def _table_rows(self, ws, key: str, columns: tuple) -> list[tuple[int, bool]]:
        """(row, keyed) of a team or project table, the last block of its sheet: its template rows (column A holds `key`)
        and, below its header row, rows without the key that hold data (a row inserted, a 16th member typed under the 15
        printed rows, a row whose hidden key was overwritten or pasted over). A row with another block's key is that
        block's (reported there, e.g. as sheet-mismatch), never the table's."""
        skip = self.skip.get(ws.title, set())
        end = min(ws.max_row, MAX_ROWS)
        last_col = L.TABLE_FIRST_COL + len(columns) - 1
        keyed = [row for row in range(1, end + 1) if ws.cell(row, 1).value == key]
        if keyed:
            head = C.header_row(ws, keyed[0], L.NUMBER_HEAD[0], keyed[0] - 1)
        else:  # every key overwritten: the table's header row, found by its first two headers
            head = next((row for row in range(1, end + 1) if _shown(ws.cell(row, 2).value).startswith(L.NUMBER_HEAD[0])
                         and _shown(ws.cell(row, L.TABLE_FIRST_COL).value).startswith(columns[0].zh)), None)
            if head is None:
                return []
        out = []
        for row in range(head + 1, end + 1):
            a = ws.cell(row, 1).value
            if row in skip or (a != key and isinstance(a, str) and L.key_sheet(a.strip()) is not None):
                continue
            if a == key:
                out.append((row, True))
            elif any(_filled(ws.cell(row, c).value) for c in range(L.TABLE_FIRST_COL, last_col + 1)):
                out.append((row, False))
        return out

    def _table(self, ws, key: str, columns: tuple, path: tuple) -> list[dict]:
        out: list[dict] = []
        unkeyed, rekeyed = [], []
        for row, keyed in self._table_rows(ws, key, columns):
            present = {c.key: self.value(ws, row, j) for j, c in enumerate(columns, start=L.TABLE_FIRST_COL)}
            if all(v is None for v in present.values()):
                continue
            if not keyed and _filled(ws.cell(row, 1).value):
                rekeyed.append((row, _text(ws.cell(row, 1).value)))
            elif not keyed:
                unkeyed.append(ws.cell(row, L.TABLE_FIRST_COL).coordinate)
            n = ws.cell(row, 2).value if keyed and ws.cell(row, 2).value is not None else None
            label = (f"第{n}行", f"row {n}") if n is not None else (f"Excel第{row}行", f"Excel row {row}")
            item: dict = {}
            ok = True
            for j, c in enumerate(columns, start=L.TABLE_FIRST_COL):
                got, value = self.typed(present[c.key], self.ref(ws, row, j), c.kind, (f"{label[0]} {c.zh}", f"{label[1]} {c.en}"),
                                        minimum=0 if c.kind == "number" else None, unit=c.unit)
                if got:
                    item[c.key] = value
                elif c.required and present[c.key] is None and self.ref(ws, row, j) not in self.bad:
                    self.fail(self.ref(ws, row, j), "required", f"{label[0]}:{c.zh}为必填项",
                              f"{label[1]}: {c.en} is required", f"填写{c.zh},或清空该行", f"fill in {c.en.lower()}, or clear the row")
                    ok = False
            if not ok:
                continue
            i = len(out)
            for j, c in enumerate(columns, start=L.TABLE_FIRST_COL):
                self.where[path + (i, c.key)] = self.ref(ws, row, j)
            self.where[path + (i,)] = self.ref(ws, row, 3)
            out.append(item)
        self.where.setdefault(path, ws.title)
        if unkeyed:
            shown = "、".join(unkeyed[:5]) + ("等" if len(unkeyed) > 5 else "")
            self.notes.append(Problem(
                "rows-outside-template", f"“{ws.title}”表 {shown} 所在行不在模板预留行内(插入的行或表格下方的行),已一并读取,请核对",
                f"sheet '{ws.title}': the rows of {', '.join(unkeyed[:5])} are not template rows (inserted, or below the table); "
                "they were read as well: check them", file=self.path, location=f"{ws.title}!{unkeyed[0]}",
                fix_zh="如这些行不是表中的数据,请删除", fix_en="if these rows are not part of the table, delete them"))
        if rekeyed:
            rows = "、".join(str(r) for r, _ in rekeyed[:5]) + ("等" if len(rekeyed) > 5 else "")
            (row, found), more = rekeyed[0], len(rekeyed) > 1
            self.notes.append(Problem(
                "row-key-changed",
                f"“{ws.title}”表第{rows}行 A 列(隐藏列)的隐藏键是“{found}”{'等' if more else ''},不是该表的“{key}”(被改写或粘贴覆盖):"
                f"{'这些行' if more else '该行'}已按表格行一并读取,请核对",
                f"sheet '{ws.title}': row{'s' if more else ''} {', '.join(str(r) for r, _ in rekeyed[:5])} hold{'' if more else 's'} "
                f"'{found}'{' and the like' if more else ''} in the hidden column A instead of the table's key '{key}' (overwritten "
                "or pasted over); read as rows of the table all the same: check them", file=self.path,
                location=f"{ws.title}!A{row}",
                fix_zh=f"核对{'这些行' if more else '该行'};属于表格的行可把 A 列恢复为“{key}”(取消隐藏 A 列后填写),不属于表格的行请删除",
                fix_en=f"check them; for a row of the table put '{key}' back into column A (unhide it first), and delete a row that "
                       "is not part of the table"))
        return out

    # -------------------------------------------------------------- results
    def locate(self, path: tuple) -> Optional[str]:
        """sheet!cell of a dataset path; the nearest enclosing path that has one otherwise."""
        path = tuple(path)
        while path:
            if path in self.where:
                return self.where[path]
            path = path[:-1]
        return None

    def all_problems(self, data: dict) -> list[Problem]:
        """This module's problems plus the builder's on the cells that were good, sorted by sheet, row, column."""
        found = list(self.problems)
        if self.buildable:
            trial = dict(data)
            if "name" not in trial.get("park", {}):  # already reported; a stand-in lets the other cells be checked
                trial["park"] = {**trial.get("park", {}), "name": "?"}
            if "diagnosis_year" not in trial and self.fallback_year is not None:  # already reported; the columns' year
                trial["diagnosis_year"] = self.fallback_year
            try:  # named by column (第1年…) when the year is a placeholder
                build_dataset(trial, self.cat, source=self.path, locate=self.locate, year_label=self._year_label)
            except DatasetError as exc:
                found += [p for p in exc.problems if p.location not in self.bad]
        unique = {(p.location, p.code, p.message_en): p for p in found}
        return sort_problems(unique.values())
