"""Whether the year tables (指标数据, 原始统计数据) still have their columns where the template put them.

Rows are found by their keys, but year columns only by position: a column inserted or deleted (the sheets are
protected without a password, so a user can do it) would give every value to another year. The template
records how many year columns it was made with (``year_count`` in _greendiag; older templates: the year
headers of row 3); another count than the catalogue's is a workbook for another catalogue, the same count with
headers out of place is a moved column, and headers whole rows lower than rows 2–3 are rows inserted above or
between them (`header-rows-moved`), not a column. Merged cells over value or evidence cells would drop years silently.
The other sheets (园区信息, 基本要求, 工作组, 改进项目) read their inputs by position too: `misplaced_heads` checks
their header rows the same way, so a shifted column is one problem at its header, not values read as other fields."""

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
    code: str = "columns-moved"  # header-rows-moved: the headers are whole rows lower (a row inserted above or between them)


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


def row2_heads(t: L.YearTable) -> list[tuple[int, tuple[str, str]]]:
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
    as its value ("2023年") fits if it names the slot's year under the template's diagnosis year or the typed one.
    Headers that all fit a few whole rows lower are rows inserted above or between the header rows (code header-rows-moved)."""
    made_year = _made_year(meta)
    if not _fits(ws, t, made_year, typed_year, 2, 3):
        for below2, below3 in _SHIFTS:
            if _fits(ws, t, made_year, typed_year, 2 + below2, 3 + below3):
                return _rows_moved(ws, t, below2, below3, year_name)
    checks: list[tuple[int, int, object]] = [(col, 2, head) for col, head in row2_heads(t)]
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
        return _misplaced(ws, at, (head_zh, head_en), (now_zh, now_en), how,
                          ("该表各列的年份已对不上,数据未读取", "the year columns no longer line up, so the sheet's values were not read"))
    return None


# (rows the row-2 headers moved down, rows the row-3 year headers moved down): rows inserted above the headers move
# both, rows inserted between the two header rows only the year headers; the nearest shift first
_SHIFTS = sorted(((a, b) for a in range(4) for b in range(a, a + 4) if (a, b) != (0, 0)), key=lambda s: (s[1], s[0]))


def _fits(ws, t: L.YearTable, made_year: Optional[int], typed_year: Optional[int], row2: int, row3: int) -> bool:
    """Whether every header of the table is in its column when its two header rows are `row2` and `row3`."""
    if not all(str(ws.cell(row2, col).value or "").startswith(zh) for col, (zh, _) in row2_heads(t)):
        return False
    for slot in t.slots:
        for col in (t.value_col(slot), t.evidence_col(slot)):
            got = _slot(ws.cell(row3, col).value, t, made_year)
            if got != slot and got != UNKNOWN and not (typed_year is not None and _slot(ws.cell(row3, col).value, t, typed_year) == slot):
                return False
    return True


def _rows_moved(ws, t: L.YearTable, below2: int, below3: int, year_name: Callable[[int], tuple[str, str]]) -> Misplaced:
    """The problem of a year table whose header rows are whole rows lower than the template put them: rows were
    inserted above the headers (`below2` of them) or between the two header rows (`below3 - below2`); not read."""
    between, now2, now3 = below3 - below2, 2 + below2, 3 + below3
    parts_zh, parts_en, fix_zh, fix_en = [], [], [], []
    if below2:
        parts_zh.append(f"表头上方插入了{below2}行")
        parts_en.append(f"{below2} row{'s were' if below2 > 1 else ' was'} inserted above them")
        fix_zh.append(f"表头上方插入的{below2}行")
        fix_en.append(f"the {below2} row{'s' if below2 > 1 else ''} inserted above the headers")
    if between:
        rows = f"{now2 + 1}" if between == 1 else f"{now2 + 1}–{now3 - 1}"
        parts_zh.append(f"两行表头之间插入了{between}行(第{rows}行)")
        parts_en.append(f"{between} row{'s' if between > 1 else ''} ({rows}) {'were' if between > 1 else 'was'} inserted between "
                        "the two header rows")
        fix_zh.append(f"两行表头之间插入的第{rows}行")
        fix_en.append(f"the row{'s' if between > 1 else ''} {rows} inserted between the two header rows")
    if between:  # located at the first year header's place: the inserted row
        at = f"{get_column_letter(t.value_col(t.slots[0]))}{now2 + 1}"
        first = year_name(t.slots[0])
        head = (f"年份表头(“{first[0]}”等)应在第{now2 + 1}行(紧接第{now2}行的表头),现在在第{now3}行",
                f"the year headers ('{first[1]}'…) belong in row {now2 + 1}, right under the headers of row {now2}, but are in row {now3}")
    else:
        at = f"{get_column_letter(row2_heads(t)[0][0])}2"
        head = (f"表头应在第2–3行,现在在第{now2}–{now3}行", f"the headers belong in rows 2–3 but are in rows {now2}–{now3}")
    return Misplaced(
        f"{ws.title}!{at}", f"“{ws.title}”表的{head[0]}:{'、'.join(parts_zh)},而不是插入了列;表头不在原位,数据未读取",
        f"sheet '{ws.title}': {head[1]}: {' and '.join(parts_en)}, not a column; with the headers out of place its values "
        "were not read",
        f"删除{'和'.join(fix_zh)}(可在 Excel 中撤销),使表头回到第2–3行;或把数据逐格复制到新生成的模板中",
        f"delete {' and '.join(fix_en)} (undo in Excel) so that the headers are back in rows 2–3; or copy the values into a "
        "newly generated template", code="header-rows-moved")


_WHY = {"inserted": ("可能插入了列", "a column was probably inserted"),
        "deleted": ("可能删除了列", "a column was probably deleted"),
        "either": ("可能插入或删除了列", "a column was probably inserted or deleted")}


def _misplaced(ws, at: str, head: tuple[str, str], now: tuple[str, str], how: str, lost: tuple[str, str]) -> Misplaced:
    """The problem of a header not in its cell `at`: what it is, where it is now, why, and what was not read."""
    why_zh, why_en = _WHY[how]
    return Misplaced(
        f"{ws.title}!{at}",
        f"“{ws.title}”表的{head[0]}应在 {at},{now[0]}:{why_zh};{lost[0]}",
        f"sheet '{ws.title}': {head[1]} belongs in {at} {now[1]}: {why_en}; {lost[1]}",
        f"{_UNDO[how][0]}(可在 Excel 中撤销),使该表头回到 {at};或把数据逐格复制到新生成的模板中",
        f"{_UNDO[how][1]} (undo in Excel) so that the header is back in {at}, or copy the values into a newly generated template")


_UNDO = {"inserted": ("删除插入的列", "delete the inserted column"),
         "deleted": ("恢复删除的列", "restore the deleted column"),
         "either": ("删除插入的列或恢复删除的列", "delete the inserted column or restore the deleted one")}


def _stem(zh: str) -> str:
    """A header's text up to any bracket or " *": "从事专业(能源/…)" also fits a template that wrote "从事专业"."""
    return re.split(r"[((*]", zh, maxsplit=1)[0].strip()


def _template_head(text: str, en: str) -> bool:
    """True for a header as the template writes it, Chinese then English on a second line ("备注\nNote"); a column
    the user added and headed "备注" has no English line."""
    return "\n" in text and text.split("\n", 1)[1].strip().startswith(_stem(en))


def _shown(v) -> str:
    return "" if v is None else str(v).strip()


def header_row(ws, first_key_row: Optional[int], anchor: str, default: int) -> int:
    """The row of a block's headers: the nearest row (at most three) above its first keyed row with a cell that starts
    with `anchor` (its first header), so a row inserted above the block changes nothing; `default` when none has."""
    if first_key_row is None:
        return default
    for row in range(first_key_row - 1, max(first_key_row - 4, 0), -1):
        if any(_shown(ws.cell(row, c).value).startswith(anchor) for c in range(1, ws.max_column + 1)):
            return row
    return default


def none_there(ws, row: int, heads) -> bool:
    """True when none of `heads` is anywhere in `row`: the headers are gone (the sheet was cleared), not moved."""
    stems = [_stem(zh) for _, (zh, _) in heads]
    return not any(_shown(ws.cell(row, c).value).startswith(s) for c in range(1, ws.max_column + 2) for s in stems)


def misplaced_heads(ws, row: int, heads, lost: tuple[str, str], table: tuple[str, str] = ("", "")) -> Optional[Misplaced]:
    """The first of `heads` ((column, (zh, en)), left to right) that is not in its column of `row`, or whose column is
    a new one headed like the one it pushed right; None when every header is in place. `lost`
    says what was not read; `table` names a table inside the sheet (工作组's 成员表) in the message."""
    stems = {col: _stem(zh) for col, (zh, _) in heads}
    cols = range(1, max(ws.max_column, max(stems)) + 2)
    shown = {c: _shown(ws.cell(row, c).value) for c in cols}
    for col, (zh, en) in sorted(heads):
        stem, at = stems[col], f"{get_column_letter(col)}{row}"
        head = (f"{table[0]}表头“{zh}”", f"the {table[1]}header '{zh}' ({en})")
        where = [c for c in cols if shown[c].startswith(stem)]
        if col in where:  # unless the template's own header (with its English line) was pushed right by a look-alike
            pushed = [c for c in where if c > col and _template_head(shown[c], en)] if not _template_head(shown[col], en) else []
            if not pushed:
                continue
            now = (f"现在在 {get_column_letter(pushed[0])}{row}({at} 是新插入的同名列)",
                   f"but is in {get_column_letter(pushed[0])}{row} ({at} is a new column headed like it)")
            return _misplaced(ws, at, head, now, "inserted", lost)
        if where:
            found = min(where, key=lambda c: abs(c - col))
            now = (f"现在在 {get_column_letter(found)}{row}", f"but is in {get_column_letter(found)}{row}")
            how = "inserted" if found > col else "deleted"
        else:  # what is there now tells which: a blank new column, or the header from the right moved in
            other = next((c for c, s in stems.items() if shown[col].startswith(s)), None)
            now = ("但找不到它", "but it is missing")
            how = "deleted" if other is not None and other > col else "inserted" if not shown[col] or other is not None else "either"
        return _misplaced(ws, at, head, now, how, lost)
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
