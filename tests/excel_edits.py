"""Structural edits of a worksheet as Excel makes them (merged ranges follow), for the workbook tests."""

from __future__ import annotations

from openpyxl.utils import range_boundaries


def _unmerge_all(ws) -> None:
    for r in list(ws.merged_cells.ranges):
        try:
            ws.unmerge_cells(str(r))
        except KeyError:  # a saved workbook may lack some covered cells: the range is unmerged already
            pass


def excel_insert(ws, idx: int) -> None:
    """Insert a column before `idx` as Excel does: merged ranges right of it move, ranges across it widen."""
    ranges = [range_boundaries(str(r)) for r in ws.merged_cells.ranges]
    _unmerge_all(ws)
    ws.insert_cols(idx)
    for c1, r1, c2, r2 in ranges:
        if c1 >= idx:
            c1, c2 = c1 + 1, c2 + 1
        elif c2 >= idx:
            c2 += 1
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def excel_delete(ws, idx: int) -> None:
    """Delete column `idx` as Excel does: ranges right of it move back, ranges across it narrow, ranges in it go."""
    ranges = [range_boundaries(str(r)) for r in ws.merged_cells.ranges]
    _unmerge_all(ws)
    ws.delete_cols(idx)
    for c1, r1, c2, r2 in ranges:
        if c1 == c2 == idx:
            continue
        if c1 > idx:
            c1, c2 = c1 - 1, c2 - 1
        elif c2 >= idx:
            c2 -= 1
        if (c1, r1) != (c2, r2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def excel_insert_row(ws, idx: int) -> None:
    """Insert a row before `idx` as Excel does: merged ranges below it move down."""
    ranges = [range_boundaries(str(r)) for r in ws.merged_cells.ranges]
    _unmerge_all(ws)
    ws.insert_rows(idx)
    for c1, r1, c2, r2 in ranges:
        if r1 >= idx:
            r1, r2 = r1 + 1, r2 + 1
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
