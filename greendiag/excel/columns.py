"""Whether the year tables (指标数据, 原始统计数据) still have their columns where the template put them.

Rows are found by their keys, but year columns only by position: a column inserted or deleted (the sheets are
protected without a password, so a user can do it) would give every value to another year. The template
records how many year columns it was made with (``year_count`` in _greendiag; older templates: the year
headers of row 3); another count than the catalogue's is a workbook for another catalogue, the same count with
headers out of place is a moved column. Merged cells over value or evidence cells would drop years silently."""

from __future__ import annotations

import re
from typing import Callable, Iterable, Optional

import attrs
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

from . import layout as L

_SLOT = re.compile(r"第(\d+)年")
_YEAR = re.compile(r"^\s*(\d{4})年")
UNKNOWN = -1  # a year header that names no slot we can tell (text in another form): not held against the workbook


@attrs.frozen
class Misplaced:
    """The first header of a year table that is not where the template put it."""

    cell: str  # sheet!cell where the header belongs
    message_zh: str
    message_en: str
    fix_zh: str
    fix_en: str


def _slot(v, t: L.YearTable, made_year: Optional[int]) -> Optional[int]:
    """The slot a row-3 year header names (its formula's fallback 第2年/基准年, or its shown text); None when empty."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    text = str(v)
    if "基准年" in text:
        return 0
    m = _SLOT.search(text)
    if m:
        return int(m.group(1))
    m = _YEAR.match(text)
    if m and made_year is not None:  # a header saved as its value, "2023年"
        return t.count + 1 - (made_year - int(m.group(1)))
    return UNKNOWN


def _made_year(meta: dict) -> Optional[int]:
    try:
        return int(str(meta.get("diagnosis_year") or "").strip())
    except ValueError:
        return None


def made_count(ws, meta: dict) -> Optional[int]:
    """How many scored years the 指标数据 sheet `ws` was made with: as recorded, else from its year headers (row 3),
    else from where its evidence header is; None when none of them can tell."""
    try:
        recorded = int(str(meta.get("year_count") or "").strip())
        if recorded >= 1:
            return recorded
    except ValueError:
        pass
    t = L.indicator_table(1)  # only for _slot's year arithmetic, which needs no count here
    slots = [s for c in range(L.IND_VALUE_COL, L.IND_VALUE_COL + 40)
             if (s := _slot(ws.cell(3, c).value, t, None)) is not None and s > 0]
    if slots:
        return max(slots)
    found = evidence_header(ws)
    return None if found is None else found - L.IND_VALUE_COL


def evidence_header(ws) -> Optional[int]:
    """The column of the 证明材料索引 header after the value columns of 指标数据, if any."""
    return next((c for c in range(L.IND_VALUE_COL + 1, L.IND_VALUE_COL + 40)
                 if str(ws.cell(2, c).value or "").startswith(L.EVIDENCE_HEAD[0])), None)


def _row2_heads(t: L.YearTable) -> list[tuple[int, tuple[str, str]]]:
    """(column, (zh, en)) of the row-2 headers of a year table, left to right."""
    if t.section == "indicators":
        heads = [(col, L.IND_HEADS[key]) for key, col in L.IND_COL.items()] + [(t.first_value_col, L.IND_VALUES_HEAD)]
    else:
        heads = list(L.STAT_HEADS.items()) + [(t.first_value_col, L.STAT_VALUES_HEAD), (t.after_values, L.STAT_USED_HEAD)]
    return heads + [(t.first_evidence_col, L.EVIDENCE_HEAD)]


def _run_head(t: L.YearTable, run: str) -> tuple[str, str]:
    """The row-2 header over a run of year columns: 指标数据/数值 (values) or 证明材料索引 (evidence)."""
    if run == "evidence":
        return L.EVIDENCE_HEAD
    return L.IND_VALUES_HEAD if t.section == "indicators" else L.STAT_VALUES_HEAD


def _find(ws, row: int, text: str, near: int) -> Optional[int]:
    """The column of the header in `row` that starts with `text`, nearest to `near`."""
    cols = [c for c in range(2, max(ws.max_column, near) + 3) if str(ws.cell(row, c).value or "").startswith(text)]
    return min(cols, key=lambda c: abs(c - near)) if cols else None


def misplaced(ws, t: L.YearTable, meta: dict, year_name: Callable[[int], tuple[str, str]],
              typed_year: Optional[int] = None) -> Optional[Misplaced]:
    """The first header of the table, left to right, that is not in its column; None when all are in place.
    `year_name(slot)` names a year column in messages (("2023年", "2023") or ("第2年", "year 2")). A header saved
    as its value ("2023年") fits if it names the slot's year under the template's diagnosis year or the typed one."""
    made_year = _made_year(meta)
    checks: list[tuple[int, int, object]] = [(col, 2, head) for col, head in _row2_heads(t)]
    for slot in t.slots:
        checks += [(t.value_col(slot), 3, ("value", slot)), (t.evidence_col(slot), 3, ("evidence", slot))]
    for col, row, what in sorted(checks, key=lambda x: (x[0], x[1])):
        at = f"{get_column_letter(col)}{row}"
        if row == 2:
            zh, en = what  # type: ignore[misc]
            if str(ws.cell(row, col).value or "").startswith(zh):
                continue
            found = _find(ws, row, zh, col)
            head_zh, head_en = f"表头“{zh}”", f"the header '{zh}' ({en})"
            if found is None:
                now_zh, now_en, how = "但找不到它", "but it is missing", "either"
            else:
                now_zh, now_en = f"现在在 {get_column_letter(found)}{row}", f"but is in {get_column_letter(found)}{row}"
                how = "inserted" if found > col else "deleted"
        else:
            run, slot = what  # type: ignore[misc]
            got = _slot(ws.cell(row, col).value, t, made_year)
            if got == slot or got == UNKNOWN or (typed_year is not None and _slot(ws.cell(row, col).value, t, typed_year) == slot):
                continue
            name_zh, name_en = year_name(slot)
            run_zh, run_en = _run_head(t, run)
            head_zh, head_en = f"{run_zh}列的年份表头“{name_zh}”", f"the year header '{name_en}' of the {run_en.lower()} columns"
            if got is None:  # an inserted column is blank; a header merged down over row 3 moved here from the right
                now_zh, now_en = "现在该格为空", "but the cell is empty"
                how = "deleted" if isinstance(ws.cell(row, col), MergedCell) else "inserted"
            else:
                evidence_at = _find(ws, 2, L.EVIDENCE_HEAD[0], t.first_evidence_col)
                other_run = "evidence" if evidence_at is not None and col >= evidence_at else "value"
                other_zh, other_en = year_name(got)
                now_zh = f"现在是“{other_zh}”" + (f"({_run_head(t, other_run)[0]})" if other_run != run else "")
                now_en = f"but it says '{other_en}'" + (f" ({_run_head(t, other_run)[1].lower()})" if other_run != run else "")
                order = {"value": 0, "evidence": 1}
                how = "deleted" if (order[other_run], got) > (order[run], slot) else "inserted"
        why_zh, why_en = {"inserted": ("可能插入了列", "a column was probably inserted"),
                          "deleted": ("可能删除了列", "a column was probably deleted"),
                          "either": ("可能插入或删除了列", "a column was probably inserted or deleted")}[how]
        return Misplaced(
            f"{ws.title}!{at}",
            f"“{ws.title}”表的{head_zh}应在 {at},{now_zh}:{why_zh};该表各列的年份已对不上,数据未读取",
            f"sheet '{ws.title}': {head_en} belongs in {at} {now_en}: {why_en}; the year columns no longer line up, "
            "so the sheet's values were not read",
            f"删除插入的列或恢复删除的列(可在 Excel 中撤销),使该表头回到 {at};或把数据逐格复制到新生成的模板中",
            f"delete the inserted column or restore the deleted one (undo in Excel) so that the header is back in {at}, "
            "or copy the values into a newly generated template")
    return None


def merged_over(ws, t: L.YearTable, rows: Iterable[int]) -> list[tuple[str, list[tuple[int, int]]]]:
    """(range, its cells) of every merged range that covers a value or evidence cell of the table's keyed rows."""
    cols = {t.value_col(s) for s in t.slots} | {t.evidence_col(s) for s in t.slots}
    rows = set(rows)
    out = []
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        cells = [(r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)]
        if any(r in rows and c in cols for r, c in cells):
            out.append((rng.coord, cells))
    return out
