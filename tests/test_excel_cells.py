"""Cells and columns of a returned workbook as people really leave them: a literal "%" in a number format, a
column inserted or deleted the way Excel does it, merged year cells, "—"/"N/A" for no data, a formula that
failed (#DIV/0!), and a diagnosis year typed differently from the template's.

Cells are found as a person finds them (rows by the key in the hidden column A, columns by their header text in
the untouched workbook); expected values are typed here, never computed by the workbook code.
"""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

import greendiag
from greendiag.errors import DatasetError

from excel_edits import excel_delete, excel_insert  # noqa: E402  (tests/ is on sys.path)
from greendiag.excel import write_template
from greendiag.excel.reader import read_workbook_contents

IND, STATS, PARK = "指标数据", "原始统计数据", "园区信息"


@pytest.fixture(scope="module")
def prefilled(tmp_path_factory, catalogue, demo_dataset):
    path = tmp_path_factory.mktemp("cells") / "prefilled.xlsx"
    write_template(path, catalogue, dataset=demo_dataset)  # the demo park, diagnosis year 2025: columns 2022–2024
    return path


def row_of(ws, key: str) -> int:
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]
    return row


def head(ws, text: str, row: int = 2) -> int:
    """The column of the header in `row` that starts with `text`."""
    (col,) = [c for c in range(2, ws.max_column + 1) if str(ws.cell(row, c).value or "").startswith(text)]
    return col


def cell(ws, key: str, header: str, year_index: int):
    """The cell of row `key` in the year_index-th column under `header` (指标数据 / 数值 / 证明材料索引)."""
    return ws.cell(row_of(ws, key), head(ws, header) + year_index)


def load(wb, path, catalogue):
    wb.save(path)
    return greendiag.load_dataset(path, catalogue=catalogue)


def problems(wb, path, catalogue) -> list:
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    return exc.value.problems


# ------------------------------------------------------------------ H1: number formats


@pytest.mark.parametrize(("stored", "number_format", "read"), [
    (0.8, '0.0"%"', 0.8),        # Excel shows 0.8%: the quoted % is text, the value is not scaled
    (12.6, '0.0"%"', 12.6),
    (12.6, "0.0\\%", 12.6),      # an escaped % is text too
    (12.6, "0.0!%", 12.6),       # so is one escaped with !
    (12.6, '[Red]0.0"%"', 12.6),
    (12.6, '0.0" %";[Red]-0.0" %"', 12.6),
    (12.6, "0.0_%", 12.6),        # _% pads by the width of a %: nothing shown
    (0.126, "0.0%", 12.6),       # a real percentage: Excel stores 12.6 % as 0.126
    (0.126, "[Red]0.0%", 12.6),
    (0.126, '0.0%" (估)"', 12.6),
])
def test_only_a_real_percent_format_scales_the_value(prefilled, tmp_path, catalogue, stored, number_format, read):
    wb = openpyxl.load_workbook(prefilled)
    c = cell(wb[IND], "ind:renewable_energy_share", "指标数据", 2)  # 2024
    c.value, c.number_format = stored, number_format
    ds = load(wb, tmp_path / "pct.xlsx", catalogue)
    assert ds.value("renewable_energy_share", 2024).value == pytest.approx(read, abs=1e-12)


# ------------------------------------------------------------------ M2: columns inserted or deleted as Excel does


def _columns(prefilled):
    """Where the headers are in the untouched workbook, found by their text."""
    wb = openpyxl.load_workbook(prefilled)
    ind, st = wb[IND], wb[STATS]
    return {"ind_name": head(ind, "二级指标"), "ind_values": head(ind, "指标数据"), "ind_evidence": head(ind, "证明材料索引"),
            "ind_hint": head(ind, "填写说明"), "st_values": head(st, "数值"), "st_used": head(st, "用于指标"),
            "st_evidence": head(st, "证明材料索引")}


# (sheet, where to change (header, offset), insert?, the header cell reported (header, offset, row), words of the message)
MOVES = [
    (IND, ("ind_values", 0), True, ("ind_values", 0, 2), "插入"),     # before the first year: the 指标数据 header moves right
    (IND, ("ind_name", 0), True, ("ind_name", 0, 2), "插入"),         # among the label columns
    (IND, ("ind_evidence", 0), True, ("ind_evidence", 0, 2), "插入"),  # between the values and the evidence
    (IND, ("ind_evidence", 1), True, ("ind_evidence", 1, 3), "插入"),  # inside the evidence run: its merge widens
    (IND, ("ind_values", 1), False, ("ind_values", 1, 3), "删除"),     # the second year's values deleted
    (IND, ("ind_values", 2), False, ("ind_values", 2, 3), "删除"),     # the last year's values deleted
    (STATS, ("st_values", 0), True, ("st_values", 0, 2), "插入"),
    (STATS, ("st_used", 0), True, ("st_used", 0, 2), "插入"),          # before "used by": the evidence is read from the wrong place
    (STATS, ("st_evidence", 3), True, ("st_evidence", 3, 3), "插入"),
    (STATS, ("st_values", 1), False, ("st_values", 1, 3), "删除"),
    (STATS, ("st_evidence", 0), False, ("st_evidence", 0, 2), "删除"),
]


@pytest.mark.parametrize(("sheet", "at", "insert", "reported", "word"), MOVES)
def test_a_column_inserted_or_deleted_is_reported_at_its_header(prefilled, tmp_path, catalogue, sheet, at, insert, reported, word):
    cols = _columns(prefilled)
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[sheet]
    ws.protection.sheet = False  # protected without a password: a user can switch it off
    (excel_insert if insert else excel_delete)(ws, cols[at[0]] + at[1])
    new = ws.cell(2, cols[at[0]] + at[1])
    if insert and not isinstance(new, MergedCell):  # inside a widened merge the new column has no header cell
        new.value = "备注"  # what people put into the new column
    found = problems(wb, tmp_path / "moved.xlsx", catalogue)
    assert [p.code for p in found] == ["columns-moved"], [p.format() for p in found]
    (p,) = found
    assert p.location == f"{sheet}!{get_column_letter(cols[reported[0]] + reported[1])}{reported[2]}"
    assert word in p.message_zh and ("inserted" if insert else "deleted") in p.message_en
    assert f"应在 {p.location.split('!')[1]}" in p.message_zh and p.location.split("!")[1] in p.fix_zh
    assert "year count" not in p.message_en and "scoring.years.count" not in p.message_zh


def test_a_column_added_after_the_evidence_changes_nothing(prefilled, tmp_path, catalogue, demo_dataset):
    cols = _columns(prefilled)
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[IND]
    ws.protection.sheet = False
    excel_insert(ws, cols["ind_hint"])
    ws.cell(2, cols["ind_hint"]).value = "数据来源"
    ws.cell(row_of(ws, "ind:renewable_energy_share"), cols["ind_hint"]).value = "统计局"
    ds = load(wb, tmp_path / "extra.xlsx", catalogue)
    assert ds.value("renewable_energy_share", 2024).value == demo_dataset.value("renewable_energy_share", 2024).value


def test_both_year_tables_moved_are_both_reported(prefilled, tmp_path, catalogue):
    cols = _columns(prefilled)
    wb = openpyxl.load_workbook(prefilled)
    for sheet, col in ((IND, cols["ind_values"]), (STATS, cols["st_values"])):
        wb[sheet].protection.sheet = False
        excel_insert(wb[sheet], col)
    found = problems(wb, tmp_path / "both.xlsx", catalogue)
    assert [(p.code, p.location) for p in found] == [("columns-moved", f"{IND}!{get_column_letter(cols['ind_values'])}2"),
                                                     ("columns-moved", f"{STATS}!{get_column_letter(cols['st_values'])}2")]


def _drop_year_count(wb) -> None:
    """As in a template made before the year count was recorded."""
    meta = wb["_greendiag"]
    for row in meta.iter_rows():
        if row[0].value == "year_count":
            row[0].value = row[1].value = None


def test_an_older_template_without_its_year_count_tells_a_moved_column_from_another_count(prefilled, tmp_path, catalogue):
    cols = _columns(prefilled)
    wb = openpyxl.load_workbook(prefilled)
    _drop_year_count(wb)
    wb[IND].protection.sheet = False
    excel_insert(wb[IND], cols["ind_values"])
    assert [p.code for p in problems(wb, tmp_path / "old-moved.xlsx", catalogue)] == ["columns-moved"]

    import attrs

    four = attrs.evolve(catalogue, scoring=attrs.evolve(catalogue.scoring, years=4))
    path = tmp_path / "old-four.xlsx"
    write_template(path, four, diagnosis_year=2025)
    wb = openpyxl.load_workbook(path)
    _drop_year_count(wb)
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert [p.code for p in exc.value.problems] == ["year-columns-mismatch"]
    assert "有 4 个年份列" in exc.value.problems[0].message_zh


# ------------------------------------------------------------------ M6: merged year cells


@pytest.mark.parametrize(("sheet", "key", "header", "first", "last", "value"), [
    (IND, "ind:central_wastewater_treatment", "指标数据", 0, 2, "具备"),       # 具备 for the three years, merged
    (IND, "ind:clean_energy_share", "证明材料索引", 0, 2, "E3 能源统计"),  # one evidence index for all years
    (STATS, "stat:employees", "证明材料索引", 1, 3, "S7 人社局"),
])
def test_merged_year_cells_are_reported_and_not_read(prefilled, tmp_path, catalogue, sheet, key, header, first, last, value):
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[sheet]
    a, b = cell(ws, key, header, first), cell(ws, key, header, last)
    a.value = value
    ws.merge_cells(f"{a.coordinate}:{b.coordinate}")
    found = problems(wb, tmp_path / "merged.xlsx", catalogue)
    rng = f"{a.coordinate}:{b.coordinate}"
    assert [(p.code, p.location) for p in found] == [("merged-cells", f"{sheet}!{rng}")], [p.format() for p in found]
    assert f"取消合并单元格 {rng}" in found[0].fix_zh and "逐年" in found[0].fix_zh and "unmerge" in found[0].fix_en


def test_a_merge_down_two_indicators_is_reported(prefilled, tmp_path, catalogue):
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[IND]
    a = cell(ws, "ind:renewable_energy_share", "指标数据", 1)
    b = ws.cell(a.row + 1, a.column)
    ws.merge_cells(f"{a.coordinate}:{b.coordinate}")
    found = problems(wb, tmp_path / "down.xlsx", catalogue)
    assert [(p.code, p.location) for p in found] == [("merged-cells", f"{IND}!{a.coordinate}:{b.coordinate}")]


# ------------------------------------------------------------------ L6: words for "no data"


@pytest.mark.parametrize("word", ["—", "/", "无", "N/A", "n/a", "－"])
@pytest.mark.parametrize(("sheet", "key", "header"), [(IND, "ind:renewable_energy_share", "指标数据"),
                                                      (STATS, "stat:employees", "数值")])
def test_a_no_data_word_says_to_leave_the_cell_empty(prefilled, tmp_path, catalogue, word, sheet, key, header):
    wb = openpyxl.load_workbook(prefilled)
    c = cell(wb[sheet], key, header, 1)
    c.value = word
    found = problems(wb, tmp_path / "nodata.xlsx", catalogue)
    assert [(p.code, p.location) for p in found] == [("not-a-number", f"{sheet}!{c.coordinate}")]
    (p,) = found
    assert f"“{word}”不是数值" in p.message_zh
    assert "无数据请留空" in p.fix_zh and "leave the cell empty when there is no data" in p.fix_en


# ------------------------------------------------------------------ L7: a formula that failed


def _with_cached(path, sheet: str, coordinate: str, cached: str, formula: bool = True) -> None:
    """Give the formula (or value) of a saved cell the cached error result Excel would have stored."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', book).group(1)
        target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels).group(1).lstrip("/")
        part = target if target.startswith("xl/") else "xl/" + target
        items = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    xml = items[part].decode()
    pattern = rf'<c r="{coordinate}"([^>]*?)(?: t="\w+")?>(<f>.*?</f>)?(?:<v>.*?</v>|<v\s*/>)?</c>'
    m = re.search(pattern, xml)
    assert m, coordinate
    f = m.group(2) or "" if formula else ""
    xml = xml[:m.start()] + f'<c r="{coordinate}"{m.group(1)} t="e">{f}<v>{cached}</v></c>' + xml[m.end():]
    items[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items.items():
            out.writestr(name, data)


@pytest.mark.parametrize("error", ["#DIV/0!", "#VALUE!", "#REF!", "#N/A"])
def test_a_formula_with_an_error_result_is_reported_as_such(prefilled, tmp_path, catalogue, error):
    wb = openpyxl.load_workbook(prefilled)
    c = cell(wb[IND], "ind:renewable_energy_share", "指标数据", 0)
    c.value = "=1/0"
    path = tmp_path / "err.xlsx"
    wb.save(path)
    _with_cached(path, IND, c.coordinate, error)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    where = f"{IND}!{c.coordinate}"
    assert [(p.code, p.location) for p in exc.value.problems] == [("formula-error", where)]
    (p,) = exc.value.problems
    assert "公式计算出错" in p.message_zh and error in p.message_zh and where in p.message_zh
    assert p.message_zh.startswith("2022年 2 ")  # names the indicator and year like the other cell messages
    assert error in p.message_en and p.fix_zh and p.fix_en


def test_an_error_value_pasted_into_a_statistic_cell_is_reported(prefilled, tmp_path, catalogue):
    wb = openpyxl.load_workbook(prefilled)
    c = cell(wb[STATS], "stat:employees", "数值", 2)
    path = tmp_path / "pasted.xlsx"
    wb.save(path)
    _with_cached(path, STATS, c.coordinate, "#DIV/0!", formula=False)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert [(p.code, p.location) for p in exc.value.problems] == [("formula-error", f"{STATS}!{c.coordinate}")]
    assert "#DIV/0!" in exc.value.problems[0].message_zh


# ------------------------------------------------------------------ H3: a year typed differently from the template's


def test_a_year_other_than_the_templates_is_read_but_noted(prefilled, tmp_path, catalogue):
    wb = openpyxl.load_workbook(prefilled)
    park = wb[PARK]
    year_cell = park.cell(row_of(park, "diagnosis_year"), 4)
    year_cell.value = 2024  # the template was made for 2025
    path = tmp_path / "year.xlsx"
    wb.save(path)
    contents = read_workbook_contents(path, catalogue)
    assert contents.data["diagnosis_year"] == 2024
    ind = wb[IND]
    share = cell(ind, "ind:renewable_energy_share", "指标数据", 2).value  # the demo's 2024 value, now read as 2023
    (block,) = [b for b in contents.data["years"] if b["year"] == 2023]
    assert block["indicators"]["renewable_energy_share"]["value"] == share
    (note,) = contents.notes
    assert note.code == "year-differs-from-template" and note.location == f"{PARK}!{year_cell.coordinate}"
    assert "2024" in note.message_zh and "2025" in note.message_zh and "2021–2023" in note.message_zh and "2022–2024" in note.message_zh
    assert "2025" in note.fix_zh and "2025" in note.fix_en


def test_the_templates_own_year_gives_no_note(prefilled, catalogue):
    assert read_workbook_contents(prefilled, catalogue).notes == ()


def test_the_year_note_reaches_the_user(prefilled, tmp_path, catalogue):
    """The note travels with the dataset (not part of its equality), into diagnosis.json, the report's 数据核查与工作说明
    and the command line's stderr."""
    from click.testing import CliRunner

    from greendiag.cli import main
    from greendiag.reports import render_report

    wb = openpyxl.load_workbook(prefilled)
    park = wb[PARK]
    park.cell(row_of(park, "diagnosis_year"), 4).value = 2024
    path = tmp_path / "year.xlsx"
    wb.save(path)
    ds = greendiag.load_dataset(path, catalogue=catalogue)
    (note,) = ds.notes
    assert note.code == "year-differs-from-template"
    d = greendiag.diagnose(ds, catalogue=catalogue, backend="python").to_dict()
    assert [n["code"] for n in d["input_notes"]] == ["year-differs-from-template"]
    assert "input_notes" not in greendiag.diagnose(greendiag.load_dataset(prefilled, catalogue=catalogue), catalogue=catalogue,
                                                   backend="python").to_dict()  # no note: diagnosis.json as before
    from conftest import plain_punct

    md = open(render_report(d, tmp_path / "r.md"), encoding="utf-8").read().replace("\\[", "[").replace("\\]", "]")
    assert plain_punct(f"[提示] {note.message_zh}。{note.fix_zh}") in plain_punct(md)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "提示:[year-differs-from-template]" in result.stderr


def test_merged_input_cells_outside_the_year_tables_are_reported(prefilled, tmp_path, catalogue):
    """Merging two baseline answers (符合 over F3:F5) kept only the first and reported the others as not chosen; merged
    team cells dropped members' answers and changed the findings. Any merged input cell is now a located error."""
    from greendiag.excel import layout as L

    wb = openpyxl.load_workbook(prefilled)
    ws = wb[L.BASELINE]
    rows = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("req:")]
    (col,) = [c for c in range(2, ws.max_column + 1) if str(ws.cell(2, c).value or "").startswith("是否符合")]
    rng = f"{get_column_letter(col)}{rows[0]}:{get_column_letter(col)}{rows[2]}"
    ws.merge_cells(rng)
    found = problems(wb, tmp_path / "merged-baseline.xlsx", catalogue)
    assert [(p.code, p.location) for p in found] == [("merged-cells", f"{L.BASELINE}!{rng}")], [p.format() for p in found]
    assert f"取消合并单元格 {rng}" in found[0].fix_zh


def test_the_templates_own_merged_labels_are_not_reported(prefilled, catalogue):
    greendiag.load_dataset(prefilled, catalogue=catalogue)  # titles and section rows are merged by the template itself


def test_an_input_cell_merged_with_its_hint_keeps_its_value(prefilled, tmp_path, catalogue):
    """Merging the park name with the hint cell beside it (for room) loses nothing: no error, the name is read."""
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[PARK]
    row = row_of(ws, "park.name")
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
    path = tmp_path / "wide-name.xlsx"
    wb.save(path)
    assert greendiag.load_dataset(path, catalogue=catalogue).profile.name == ws.cell(row, 4).value


def test_year_headers_saved_as_values_fit_the_typed_year(prefilled, tmp_path, catalogue):
    """Headers pasted as values for 2026 in a 2025 template, with 2026 typed as the diagnosis year: nothing moved, so
    no columns-moved (it was reported, and the sheet not read)."""
    wb = openpyxl.load_workbook(prefilled)
    for ws in (wb[IND], wb[STATS]):
        for c in range(1, ws.max_column + 1):
            v = ws.cell(3, c).value
            m = re.search(r"\$D\$4-(\d)\)", v) if isinstance(v, str) and v.startswith("=") else None
            if m:
                ws.cell(3, c).value = f"{2026 - int(m.group(1))}年"
            elif isinstance(v, str) and v.startswith("=") and "基准年" in v:
                ws.cell(3, c).value = f"{2026 - 4}年(基准年)"
    park = wb[PARK]
    park.cell(row_of(park, "diagnosis_year"), 4).value = 2026
    path = tmp_path / "pasted.xlsx"
    wb.save(path)
    contents = read_workbook_contents(path, catalogue)
    assert [n.code for n in contents.notes] == ["year-differs-from-template"]
    assert {b["year"] for b in contents.data["years"]} >= {2023, 2024, 2025}


def test_the_year_note_is_shown_in_a_batch_run(prefilled, tmp_path, catalogue):
    from click.testing import CliRunner

    from greendiag.cli import main

    wb = openpyxl.load_workbook(prefilled)
    park = wb[PARK]
    park.cell(row_of(park, "diagnosis_year"), 4).value = 2024
    folder = tmp_path / "parks"
    folder.mkdir()
    wb.save(folder / "a.xlsx")
    openpyxl.load_workbook(prefilled).save(folder / "b.xlsx")
    result = CliRunner().invoke(main, ["diagnose", str(folder), "--workers", "1", "--backend", "python"])
    assert result.exit_code == 0, result.output
    assert "提示:a.xlsx: [year-differs-from-template]" in result.stderr and "b.xlsx" not in result.stderr


def test_a_small_number_in_a_date_cell_is_said_to_be_one(prefilled, tmp_path, catalogue):
    """5 typed into 诊断工作开始日期 was "日期“1900-01-05”不在1989–2100年之间", with no field and no fix (re-review)."""
    import datetime as dt

    wb = openpyxl.load_workbook(prefilled)
    ws = wb["工作组"]
    (row,) = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 2).value or "").startswith("诊断工作开始日期")]
    ws.cell(row, 4).value = dt.datetime(1900, 1, 5)  # what openpyxl reads from a date-formatted cell holding 5
    found = [p for p in problems(wb, tmp_path / "d.xlsx", catalogue) if p.code == "bad-date"]
    assert [p.location for p in found] == [f"工作组!D{row}"]
    (p,) = found
    assert "诊断工作开始日期" in p.message_zh and "数字 5" in p.message_zh and "2025-03-10" in p.fix_zh


def test_a_date_in_a_number_cell_of_the_park_sheet_gets_the_date_advice(prefilled, tmp_path, catalogue):
    """A year cell formatted yyyy showing 2025 said "“2025-01-01”不是数值 … 填写数值,如 2025" (re-review)."""
    import datetime as dt

    wb = openpyxl.load_workbook(prefilled)
    ws = wb[PARK]
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "diagnosis_year"]
    ws.cell(row, 4).value = dt.datetime(2025, 1, 1)
    ws.cell(row, 4).number_format = "yyyy"
    found = problems(wb, tmp_path / "y.xlsx", catalogue)
    assert [p.code for p in found if p.location == f"{PARK}!D{row}"] == ["date-not-number"]
    assert "常规" in next(p for p in found if p.location == f"{PARK}!D{row}").fix_zh


@pytest.mark.parametrize("sheet, key, unit_word", [(STATS, "stat:air_quality_good_days", "day"), (IND, "ind:energy_productivity", "万元/tce")])
def test_a_percent_format_on_a_cell_whose_unit_is_no_share_is_said_to_be_the_format(prefilled, tmp_path, catalogue, sheet, key, unit_word):
    """"单位“%”不能换算为“day”" blamed a unit the user never typed: the cell's format made it a percentage (re-review)."""
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[sheet]
    c = cell(ws, key, "数值" if sheet == STATS else "指标数据", 2)
    c.value, c.number_format = 0.79, "0%"
    found = [p for p in problems(wb, tmp_path / "p.xlsx", catalogue) if p.location == f"{sheet}!{c.coordinate}"]
    assert [p.code for p in found] == ["percent-format"]
    assert "79%" in found[0].message_zh and unit_word in found[0].message_zh and "常规" in found[0].fix_zh


def test_cells_right_of_the_last_header_are_a_note_not_silence(prefilled, tmp_path, catalogue):
    """A value typed one column too far (指标数据!O5) was ignored without a word (re-review)."""
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[IND]
    row = row_of(ws, "ind:renewable_energy_share")
    last = max(c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value or ws.cell(3, c).value)
    stray = ws.cell(row, last + 1)
    stray.value = 12.6
    ds = load(wb, tmp_path / "s.xlsx", catalogue)
    notes = [n for n in ds.notes if n.code == "stray-cells"]
    assert [n.location for n in notes] == [f"{IND}!{stray.coordinate}"] and stray.coordinate in notes[0].message_zh
    assert not [n for n in greendiag.load_dataset(prefilled, catalogue=catalogue).notes if n.code == "stray-cells"]


@pytest.mark.parametrize("where", ["below", "inserted"])
def test_a_team_member_or_project_outside_the_template_rows_is_read_and_noted(prefilled, tmp_path, catalogue, where):
    """A 16th member typed under the 15 printed rows, or a row inserted in the table, was dropped while validate said
    数据有效: a senior member lost changes the ≥2 seniors check, a project lost is missing from 附件2-1-3 (re-review)."""
    from excel_edits import excel_insert_row

    wb = openpyxl.load_workbook(prefilled)
    team, projects = wb["工作组"], wb["改进项目"]
    before_team = len(greendiag.load_dataset(prefilled, catalogue=catalogue).engagement.team)
    rows = [r for r in range(1, team.max_row + 1) if team.cell(r, 1).value == "team"]
    prow = [r for r in range(1, projects.max_row + 1) if projects.cell(r, 1).value == "project"]
    if where == "below":
        t, p = rows[-1] + 1, prow[-1] + 3  # under the note line of 改进项目, too
    else:
        team.protection.sheet = projects.protection.sheet = False
        t, p = rows[2], prow[1]
        excel_insert_row(team, t)
        excel_insert_row(projects, p)
    team.cell(t, 3).value, team.cell(t, 7).value = "赵六", "是"
    projects.cell(p, 3).value, projects.cell(p, 4).value = "屋顶光伏二期", 500
    ds = load(wb, tmp_path / "rows.xlsx", catalogue)
    assert "赵六" in [m.name for m in ds.engagement.team] and len(ds.engagement.team) == before_team + 1
    assert "屋顶光伏二期" in [x.content for x in ds.projects]
    notes = {n.location for n in ds.notes if n.code == "rows-outside-template"}
    assert notes == {f"工作组!C{t}", f"改进项目!C{p}"}


def test_every_hint_example_is_in_its_own_rows_unit_and_reads_back(prefilled, tmp_path, catalogue):
    """Every non-share row said "如 “32000 元/tce”": following it in the 元/m3 row was wrong-dimension (re-review 2)."""
    ws = openpyxl.load_workbook(prefilled)[IND]
    hint_col = head(ws, "填写说明")
    seen = 0
    for ind in catalogue.indicators:
        hint = str(ws.cell(row_of(ws, f"ind:{ind.id}"), hint_col).value or "")
        m = re.search(r"如 “([^”]+)”即 1 (\S+)\)", hint)
        if ind.qualitative or ind.is_share or not ind.unit:
            assert "32000" not in hint and "如 “" not in hint
            continue
        if m is None:
            continue  # no natural alternative for this unit (元/m3): no example rather than a wrong one
        seen += 1
        number, unit = greendiag.units.split_quantity(m.group(1))
        assert m.group(2) == ind.unit and greendiag.units.convert_input(number, unit, ind.unit) == 1.0
    assert seen >= 3


def test_a_date_typed_as_yyyymmdd_into_a_date_cell_is_a_bad_date_without_openpyxls_warning(prefilled, tmp_path, catalogue):
    """It was "#VALUE!(公式计算出错后粘贴为数值)" with openpyxl's English UserWarning on stderr (re-review 2)."""
    import warnings

    wb = openpyxl.load_workbook(prefilled)
    ws = wb["工作组"]
    (row,) = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 2).value or "").startswith("诊断工作开始日期")]
    ws.cell(row, 4).value = 20250310
    ws.cell(row, 4).number_format = "yyyy-mm-dd"
    path = tmp_path / "d.xlsx"
    wb.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DatasetError) as info:
            greendiag.load_dataset(path, catalogue=catalogue)
    assert not [w for w in caught if "outside the limits" in str(w.message)]
    (p,) = [p for p in info.value.problems if p.location == f"工作组!D{row}"]
    assert p.code == "bad-date" and "20250310" in p.message_zh and "2025-03-10" in p.fix_zh


@pytest.mark.parametrize("typed", ["2025年3月10号", "2025/03/10 09:00", "2025-03-10T09:00:00", "2025.3.10"])
def test_common_ways_of_typing_a_date_are_read(prefilled, tmp_path, catalogue, typed):
    """号 for 日 and a time from a pasted system export were bad-date (re-review 2)."""
    wb = openpyxl.load_workbook(prefilled)
    ws = wb["工作组"]
    (row,) = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 2).value or "").startswith("诊断工作开始日期")]
    ws.cell(row, 4).value = typed
    ws.cell(row, 4).number_format = "@"
    import datetime as dt

    assert load(wb, tmp_path / "d.xlsx", catalogue).engagement.work_started == dt.date(2025, 3, 10)
