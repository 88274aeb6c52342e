"""Rows a user inserts (Excel "Insert row") in a sheet read by hidden key, or types below its table: they have no key in
column A, so whatever is typed into them was dropped without a word. Now such a row is a `row-not-in-template` problem
at its first filled cell, naming the row, its neighbours and every filled cell, with a fix; a remark in a column the
reader never reads stays no error, and the rows the template itself writes without keys (titles, headers, year rows,
legends) never count.

Workbooks are copies of examples/demo-park.xlsx (which loads without problems, so each edit's problems are its own) and
the output of `greendiag template`; rows are found by their key in column A, columns by their header text, and the
expected cells and texts are written here.
"""

from __future__ import annotations

import shutil

import attrs
import openpyxl
import pytest
from openpyxl.utils import get_column_letter

import greendiag
from greendiag.errors import DatasetError
from greendiag.excel import write_template

from excel_edits import excel_insert_row  # noqa: E402  (tests/ is on sys.path)

CODE = "row-not-in-template"
PARK, BASELINE, IND, STATS, CARRIERS, TEAM, PROJECTS, DEMO = (
    "园区信息", "基本要求", "指标数据", "原始统计数据", "分品种能源", "工作组", "改进项目", "示范性工作")
KEYED_SHEETS = (PARK, BASELINE, IND, STATS, CARRIERS, TEAM, DEMO)


@pytest.fixture(scope="module")
def demo_xlsx(tmp_path_factory, root):
    path = tmp_path_factory.mktemp("inserted") / "demo-park.xlsx"
    shutil.copyfile(root / "examples" / "demo-park.xlsx", path)
    return path


def row_of(ws, key: str) -> int:
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]
    return row


def head(ws, text: str, row: int = 2) -> int:
    """The column of the header in `row` that starts with `text` (the first from the left)."""
    return next(c for c in range(1, ws.max_column + 1) if str(ws.cell(row, c).value or "").startswith(text))


def edited(demo_xlsx, tmp_path, edit):
    wb = openpyxl.load_workbook(demo_xlsx)
    edit(wb)
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return path


def problems_of(path, catalogue) -> list:
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path, catalogue=catalogue)
    return info.value.problems


def insert_after(wb, sheet: str, key: str) -> int:
    """Insert a row under the row of `key`, as Excel does once the sheet protection is off; returns the new row."""
    ws = wb[sheet]
    ws.protection.sheet = False
    row = row_of(ws, key) + 1
    excel_insert_row(ws, row)
    return row


# ------------------------------------------------------------------ the template's own rows


def unkeyed_text_rows(ws) -> list[int]:
    return [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is None
            and any(str(ws.cell(r, c).value or "").strip() for c in range(2, ws.max_column + 1))]


def test_the_templates_own_rows_without_keys_are_no_problem(tmp_path, catalogue, water, demo_dataset, demo_xlsx):
    """Blank, prefilled, with an overlay, and the bundled demo workbook: their titles, headers, year rows and legends
    have no key, and none is reported."""
    blank, prefilled, overlay = tmp_path / "blank.xlsx", tmp_path / "prefilled.xlsx", tmp_path / "overlay.xlsx"
    write_template(blank, catalogue, diagnosis_year=2025)
    write_template(prefilled, catalogue, dataset=demo_dataset)
    write_template(overlay, water, diagnosis_year=2025)
    wb = openpyxl.load_workbook(blank)
    # not vacuous: every keyed sheet has rows without a key that hold text (4 year rows and a legend on 分品种能源)
    assert all(unkeyed_text_rows(wb[s]) for s in KEYED_SHEETS)
    assert len(unkeyed_text_rows(wb[CARRIERS])) == 2 + 4 + 1
    for path, cat in ((blank, catalogue), (overlay, water)):  # blank: park name and indicator data are missing
        codes = [p.code for p in problems_of(path, cat)]
        assert codes and CODE not in codes
    assert greendiag.load_dataset(prefilled, catalogue=catalogue).projects
    assert attrs.evolve(greendiag.load_dataset(demo_xlsx, catalogue=catalogue), source=demo_dataset.source) == demo_dataset


# ------------------------------------------------------------------ one row inserted per keyed sheet

# sheet, key of the row above, {header text (row 2): value}, the rows it lies between, words the fix must have
CASES = [
    (PARK, "park.address", {"填写内容": "北京市某区二期路 8 号"}, ("园区地址", "园区面积(km²)"), ("填写内容", "园区概况")),
    (BASELINE, "req:3", {"是否符合": "符合", "证明材料索引": "B-3-2 第二份文件", "备注": "补充"}, ("基础性要求第3项", "基础性要求第4项"),
     ("顿号", "overlay")),
    (IND, "ind:renewable_energy_share", {"证明材料索引": "E-2 第二份证明"}, ("指标 2 可再生能源使用比例", "指标 3 清洁能源使用率"),
     ("同一格", "overlay")),
    (STATS, "stat:industrial_value_added", {"数值": 1234, "证明材料索引": "S-1 统计年报"},
     ("统计量 工业增加值(可比价)", "统计量 工业总产值"), ("同一格", "overlay")),
    (CARRIERS, "carrier:2:gasfield_gas", {"计量单位": "t", "消费量": 120}, ("2023年 气田天然气", "2023年 热力"),
     ("液化天然气", "综合能源消费量", "conversion.yaml")),
    (TEAM, "engagement.scope.description", {"填写内容": "另含二期厂区"}, ("诊断范围说明", "部分范围诊断的市经济和信息化局同意文件"),
     ("填写内容", "成员表")),
    (DEMO, "demo:other#1", {"名称": "屋顶光伏示范", "核查情况": "已开展"},
     ("其他具有示范意义的绿色制造相关工作 第1行", "其他具有示范意义的绿色制造相关工作 第2行"), ("空行", "--from")),
]


@pytest.mark.parametrize(("sheet", "above", "typed", "between", "fix_words"), CASES, ids=[c[0] for c in CASES])
def test_a_row_inserted_in_a_keyed_sheet_is_a_located_problem(demo_xlsx, tmp_path, catalogue, sheet, above, typed, between, fix_words):
    cells = {}

    def edit(wb):
        ws = wb[sheet]
        row = insert_after(wb, sheet, above)
        ws.cell(row, 3).value = "园区自加的一行"  # a label typed beside it: column C is no value column anywhere here
        for header, value in typed.items():
            col = head(ws, header)
            ws.cell(row, col).value = value
            cells[col] = f"{get_column_letter(col)}{row}"

    found = problems_of(edited(demo_xlsx, tmp_path, edit), catalogue)
    assert [p.code for p in found] == [CODE]  # the demo workbook is clean: this is the edit's only problem
    (p,) = found
    refs = [cells[c] for c in sorted(cells)]
    row = int(refs[0][1:])
    assert p.location == f"{sheet}!{refs[0]}"
    assert f"“{sheet}”表第{row}行不是模板中的行" in p.message_zh and "插入的行" in p.message_zh
    assert f"位于“{between[0]}”与“{between[1]}”两行之间" in p.message_zh
    assert f"{'、'.join(refs)} 的内容未读取" in p.message_zh
    assert f"sheet '{sheet}': row {row} is not a template row" in p.message_en and ", ".join(refs) in p.message_en
    assert all(w in p.fix_zh for w in fix_words) and "删除这一行" in p.fix_zh and "delete this row" in p.fix_en


# ------------------------------------------------------------------ what holds data, and what does not


def test_remarks_labels_blanks_and_a_unit_alone_are_no_data(demo_xlsx, tmp_path, catalogue, demo_dataset):
    """Text in a column the reader never reads (a label column, right of the last header, below the table in column B),
    a whitespace-only cell and a carrier's unit without a quantity hold no data: the workbook reads as before."""
    def edit(wb):
        ws = wb[IND]
        row = insert_after(wb, IND, "ind:energy_productivity")
        ws.cell(row, head(ws, "二级指标")).value = "能源产出率(二期)"  # a label column
        ws.cell(row, head(ws, "填写说明") + 2).value = "备注:二期数据另报"  # right of the last header
        ws.cell(row, head(ws, "指标数据")).value = "   "  # whitespace only
        ws.cell(ws.max_row + 3, 2).value = "备注:以上数据经园区管委会审核"  # below the table, in column B
        carriers = wb[CARRIERS]
        row = insert_after(wb, CARRIERS, "carrier:1:electricity")
        carriers.cell(row, head(carriers, "计量单位")).value = "万kWh"
        stats = wb[STATS]
        stats.cell(stats.max_row + 2, head(stats, "证明材料索引") + 4).value = "统计口径说明见附件"  # below and to the right

    got = greendiag.load_dataset(edited(demo_xlsx, tmp_path, edit), catalogue=catalogue)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset


def test_a_value_typed_below_the_table_is_a_problem_that_says_so(demo_xlsx, tmp_path, catalogue):
    where = {}

    def edit(wb):
        ws = wb[IND]
        row, col = ws.max_row + 2, head(ws, "指标数据")
        ws.cell(row, col).value = "说明:2022 年数据为估算"  # a remark, but in a value column
        where["ref"] = f"{get_column_letter(col)}{row}"
        where["right"] = get_column_letter(head(ws, "填写说明"))

    (p,) = problems_of(edited(demo_xlsx, tmp_path, edit), catalogue)
    assert (p.code, p.location) == (CODE, f"{IND}!{where['ref']}")
    assert "在表格下方" in p.message_zh and "below the table" in p.message_en
    assert f"移到 {where['right']} 列右侧" in p.fix_zh  # where a remark may stay


def test_a_key_the_sheet_does_not_know_is_reported_with_the_key(demo_xlsx, tmp_path, catalogue):
    """A row whose column-A key is no row of the template (an older template's field, a block slot it does not have)
    was skipped like an unkeyed one."""
    rows = {}

    def edit(wb):
        ws = wb[PARK]
        row = insert_after(wb, PARK, "park.contact.fax")
        ws.cell(row, 1).value = "park.wechat"
        ws.cell(row, head(ws, "填写内容")).value = "greenpark2024"
        rows[PARK] = row
        carriers = wb[CARRIERS]
        row = insert_after(wb, CARRIERS, "carrier:3:electricity")
        carriers.cell(row, 1).value = "carrier:9:raw_coal"
        carriers.cell(row, head(carriers, "消费量")).value = 50
        carriers.cell(row, head(carriers, "计量单位")).value = "t"
        rows[CARRIERS] = row

    found = problems_of(edited(demo_xlsx, tmp_path, edit), catalogue)
    assert [(p.code, p.location) for p in found] == [(CODE, f"{PARK}!D{rows[PARK]}"), (CODE, f"{CARRIERS}!F{rows[CARRIERS]}")]
    assert "隐藏键“park.wechat”" in found[0].message_zh and "'park.wechat'" in found[0].message_en
    assert "隐藏键“carrier:9:raw_coal”" in found[1].message_zh and f"F{rows[CARRIERS]}、G{rows[CARRIERS]} 的内容未读取" in found[1].message_zh


def test_every_inserted_row_is_reported_at_once_in_sheet_and_row_order(demo_xlsx, tmp_path, catalogue):
    """One problem per row however many cells it fills, every row in one pass, beside the workbook's other problems."""
    expected, rows = [], {}

    def edit(wb):
        demo = wb[DEMO]
        row = insert_after(wb, DEMO, "demo:water_cascade")
        for header in ("名称", "Title", "核查情况", "情况说明", "证明材料索引"):
            demo.cell(row, head(demo, header)).value = "已开展" if header == "核查情况" else "第二处梯级利用"
        expected.append((CODE, f"{DEMO}!D{row}"))
        rows[DEMO] = row
        ind = wb[IND]
        first = insert_after(wb, IND, "ind:energy_productivity")
        second = insert_after(wb, IND, "ind:renewable_energy_share")
        ind.cell(first, head(ind, "指标数据") + 1).value = 3.3
        ind.cell(second, head(ind, "证明材料索引") + 2).value = "E-2-2024b"
        expected[:0] = [(CODE, f"{IND}!{get_column_letter(head(ind, '指标数据') + 1)}{first}"),
                        (CODE, f"{IND}!{get_column_letter(head(ind, '证明材料索引') + 2)}{second}")]
        park = wb[PARK]
        park.cell(row_of(park, "park.level"), head(park, "填写内容")).value = "省级"
        expected.insert(0, ("unknown-choice", f"{PARK}!D{row_of(park, 'park.level')}"))

    path = edited(demo_xlsx, tmp_path, edit)
    found = problems_of(path, catalogue)
    assert [(p.code, p.location) for p in found] == expected
    demo_problem = found[-1]
    assert f"D{rows[DEMO]}、E{rows[DEMO]}、F{rows[DEMO]}、G{rows[DEMO]}、H{rows[DEMO]} 的内容未读取" in demo_problem.message_zh
    again = problems_of(path, catalogue)  # same input, same problems in the same order
    assert [p.format("zh") for p in again] == [p.format("zh") for p in found]


def test_a_sheet_not_read_for_another_reason_gets_no_row_problems(demo_xlsx, tmp_path, catalogue):
    """A sheet whose columns moved is reported once and not read: its inserted rows are no further problem."""
    from excel_edits import excel_insert

    def edit(wb):
        ws = wb[BASELINE]
        row = insert_after(wb, BASELINE, "req:1")
        ws.cell(row, head(ws, "是否符合")).value = "符合"
        excel_insert(ws, head(ws, "证明材料索引"))

    found = problems_of(edited(demo_xlsx, tmp_path, edit), catalogue)
    assert [p.code for p in found] == ["columns-moved"]
