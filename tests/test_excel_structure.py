"""The structure of a returned workbook, damaged the ways people damage it once the sheet protection is off: a column
inserted or deleted in a sheet read by position, a row copied over another (its hidden key twice), sheet names
swapped, a sheet cleared; and an Excel TRUE typed where a number belongs.

Each damage is one problem at the cell or sheet that shows it, never values silently read as other fields or a
flood of follow-on errors. Workbooks are the bundled examples/demo-park.xlsx (copied, never written) and the output
of `greendiag template`; cells are found as a person finds them (rows by the key in the hidden column A, columns by
their header text in the untouched workbook), and expected cells and texts are written here.
"""

from __future__ import annotations

import shutil

import attrs
import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

import greendiag
from greendiag.cli import main
from greendiag.errors import DatasetError

from excel_edits import excel_delete, excel_insert, excel_insert_row  # noqa: E402  (tests/ is on sys.path)

PARK, BASELINE, IND, STATS, TEAM, PROJECTS = "园区信息", "基本要求", "指标数据", "原始统计数据", "工作组", "改进项目"


# ------------------------------------------------------------------ workbooks and cells


@pytest.fixture(scope="module")
def demo_xlsx(tmp_path_factory, root):
    path = tmp_path_factory.mktemp("structure") / "demo-park.xlsx"
    shutil.copyfile(root / "examples" / "demo-park.xlsx", path)
    return path


@pytest.fixture(scope="module")
def blank_xlsx(tmp_path_factory):
    path = tmp_path_factory.mktemp("structure") / "blank.xlsx"
    result = CliRunner().invoke(main, ["template", str(path), "--year", "2025"])
    assert result.exit_code == 0, result.output
    return path


def keyed_rows(ws, key: str) -> list[int]:
    return [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]


def row_of(ws, key: str) -> int:
    (row,) = keyed_rows(ws, key)
    return row


def head(ws, text: str, row: int) -> int:
    """The column of the header in `row` that starts with `text`."""
    (col,) = [c for c in range(1, ws.max_column + 1) if str(ws.cell(row, c).value or "").startswith(text)]
    return col


def head_row(ws, text: str) -> int:
    """The row of the header cell that starts with `text` (the first, top-down)."""
    return next(r for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)
                if str(ws.cell(r, c).value or "").startswith(text))


def value_cell(ws, key: str):
    """The input cell of a labelled field (the column headed 填写内容)."""
    return ws.cell(row_of(ws, key), head(ws, "填写内容", 2))


def problems_of(path, catalogue) -> list:
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    return exc.value.problems


def damaged(source, tmp_path, edit, name="damaged.xlsx"):
    wb = openpyxl.load_workbook(source)
    edit(wb)
    path = tmp_path / name
    wb.save(path)
    return path


# ------------------------------------------------------------------ (2) columns inserted or deleted outside the year tables


# (sheet, the header whose column is changed, insert?, the header reported (in its untouched cell), word of the message)
MOVES = [
    (PARK, "填写内容", True, "填写内容", "插入"),       # before the values: every field would read its hint
    (PARK, "项目", True, "项目", "插入"),               # before the labels
    (PARK, "填写内容", False, "填写内容", "删除"),      # the values deleted: the hints would be read as values
    (BASELINE, "类型", True, "类型", "插入"),           # the review's case: 必选/required read as 是否符合
    (BASELINE, "是否符合", False, "是否符合", "删除"),
    (TEAM, "Item", True, "Item", "插入"),               # the review's case: English labels read as dates
    (TEAM, "填写内容", False, "填写内容", "删除"),
    (PROJECTS, "总投资", True, "总投资", "插入"),       # the review's case: total investment lost, every field shifted
    (PROJECTS, "项目建设内容", False, "项目建设内容", "删除"),
    (PROJECTS, "备注", True, "备注", "插入"),           # inserted before the last column and headed like it
]


@pytest.mark.parametrize(("sheet", "at", "insert", "reported", "word"), MOVES)
def test_a_column_inserted_or_deleted_is_one_problem_at_its_header(demo_xlsx, tmp_path, catalogue, sheet, at, insert, reported, word):
    before = openpyxl.load_workbook(demo_xlsx)[sheet]
    row = head_row(before, at)
    expected = f"{sheet}!{get_column_letter(head(before, reported, row))}{row}"

    def edit(wb):
        ws = wb[sheet]
        ws.protection.sheet = False  # protected without a password: a user can switch it off
        col = head(ws, at, row)
        (excel_insert if insert else excel_delete)(ws, col)
        if insert:
            ws.cell(row, col).value = "备注" if at == "备注" else "说明"  # what people head a new column with

    found = problems_of(damaged(demo_xlsx, tmp_path, edit), catalogue)
    assert [(p.code, p.location) for p in found] == [("columns-moved", expected)], [p.format() for p in found]
    (p,) = found
    cell = expected.split("!")[1]
    assert word in p.message_zh and ("inserted" if insert else "deleted") in p.message_en
    assert f"应在 {cell}" in p.message_zh and "数据未读取" in p.message_zh and "not read" in p.message_en
    undo, other = ("删除插入的列", "恢复删除的列") if insert else ("恢复删除的列", "删除插入的列")
    assert undo in p.fix_zh and other not in p.fix_zh  # the fix names the one edit to undo
    assert cell in p.fix_zh and cell in p.fix_en


def test_the_reviews_project_shift_is_no_longer_silent(demo_xlsx, tmp_path, catalogue):
    """openpyxl's plain insert_cols(4) in 改进项目 (the review's y_proj_inscol.xlsx) read total investment as None."""
    path = damaged(demo_xlsx, tmp_path, lambda wb: wb[PROJECTS].insert_cols(4))
    (p,) = problems_of(path, catalogue)
    assert (p.code, p.location) == ("columns-moved", f"{PROJECTS}!D2")
    assert "总投资" in p.message_zh and "插入" in p.message_zh


def test_cells_shifted_right_in_the_team_table_only(demo_xlsx, tmp_path, catalogue):
    """Excel's "insert cells, shift right" over the member table moves its columns but not the engagement block's."""
    def edit(wb):
        ws = wb[TEAM]
        ws.protection.sheet = False
        team = keyed_rows(ws, "team")
        first_col = head(ws, "姓名", team[0] - 1)
        for r in [team[0] - 1] + team:
            for c in range(ws.max_column, first_col - 1, -1):
                ws.cell(r, c + 1).value = ws.cell(r, c).value
            ws.cell(r, first_col).value = None

    before = openpyxl.load_workbook(demo_xlsx)[TEAM]
    row = keyed_rows(before, "team")[0] - 1
    found = problems_of(damaged(demo_xlsx, tmp_path, edit), catalogue)
    assert [(p.code, p.location) for p in found] == [("columns-moved", f"{TEAM}!{get_column_letter(head(before, '姓名', row))}{row}")]
    assert "成员表" in found[0].message_zh and "team" in found[0].message_en


@pytest.mark.parametrize(("sheet", "last"), [(PARK, "填写说明"), (BASELINE, "备注"), (TEAM, "园区工作人员"), (PROJECTS, "备注")])
def test_a_column_added_after_the_last_header_changes_nothing(demo_xlsx, tmp_path, catalogue, demo_dataset, sheet, last):
    def edit(wb):
        ws = wb[sheet]
        ws.protection.sheet = False
        row = head_row(ws, last)
        col = head(ws, last, row) + 1
        excel_insert(ws, col)
        ws.cell(row, col).value = f"{last}(园区自加)"  # headed like the last column: still not one of the template's
        ws.cell(row + 1, col).value = "园区自填"

    got = greendiag.load_dataset(damaged(demo_xlsx, tmp_path, edit), catalogue=catalogue)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset


@pytest.mark.parametrize("sheet", [PARK, BASELINE, TEAM, PROJECTS])
def test_a_row_inserted_above_the_headers_changes_nothing(demo_xlsx, tmp_path, catalogue, demo_dataset, sheet):
    def edit(wb):
        wb[sheet].protection.sheet = False
        excel_insert_row(wb[sheet], 1)
        wb[sheet].cell(1, 2).value = "园区自加的标题行"

    got = greendiag.load_dataset(damaged(demo_xlsx, tmp_path, edit), catalogue=catalogue)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset


def test_a_blank_template_with_a_column_inserted_is_reported_too(blank_xlsx, tmp_path, catalogue):
    def edit(wb):
        wb[PROJECTS].protection.sheet = False
        excel_insert(wb[PROJECTS], head(wb[PROJECTS], "总投资", 2))
        wb[PARK].cell(row_of(wb[PARK], "park.name"), 4).value = "测试园区"

    found = problems_of(damaged(blank_xlsx, tmp_path, edit), catalogue)
    assert ("columns-moved", f"{PROJECTS}!D2") in [(p.code, p.location) for p in found]
    assert not any(p.location.startswith(PROJECTS) and p.code != "columns-moved" for p in found)


# ------------------------------------------------------------------ sheets cleared


@pytest.mark.parametrize("sheet", [PROJECTS, IND])
def test_a_cleared_sheet_is_reported_as_such_not_as_a_moved_column(demo_xlsx, tmp_path, catalogue, sheet):
    def edit(wb):
        wb[sheet].protection.sheet = False
        wb[sheet].delete_rows(1, wb[sheet].max_row)

    found = problems_of(damaged(demo_xlsx, tmp_path, edit), catalogue)
    assert [(p.code, p.location) for p in found] == [("template-damaged", sheet)], [p.format() for p in found]
    assert "清空" in found[0].message_zh and "cleared" in found[0].message_en and found[0].fix_zh


# ------------------------------------------------------------------ (7) a key twice, sheets swapped, a row from another sheet


# (sheet, the key copied, the key of the row it is copied over)
DUPLICATES = [
    (IND, "ind:renewable_energy_share", "ind:clean_energy_share", "可再生能源使用比例"),  # the review's x_keydup.xlsx
    (STATS, "stat:high_tech_output", "stat:green_industry_value_added", "高新技术产业产值"),
    (BASELINE, "req:7", "req:8", "基础性要求第7项"),
    (PARK, "park.contact.email", "park.contact.fax", "电子邮件"),
    (TEAM, "engagement.scope.description", "engagement.scope.approval", "诊断范围说明"),
]


@pytest.mark.parametrize(("sheet", "key", "over", "named"), DUPLICATES)
def test_a_key_twice_is_reported_at_the_later_row(demo_xlsx, tmp_path, catalogue, sheet, key, over, named):
    before = openpyxl.load_workbook(demo_xlsx)[sheet]
    first, second = row_of(before, key), row_of(before, over)

    def edit(wb):
        wb[sheet].cell(second, 1).value = key

    found = problems_of(damaged(demo_xlsx, tmp_path, edit), catalogue)
    assert [(p.code, p.location) for p in found] == [("duplicate-key", f"{sheet}!B{second}")], [p.format() for p in found]
    (p,) = found
    assert f"第{second}行" in p.message_zh and f"第{first}行" in p.message_zh and key in p.message_zh and named in p.message_zh
    assert f"row {second}" in p.message_en and f"row {first}" in p.message_en and p.fix_zh and p.fix_en


def test_team_and_project_rows_share_their_key_without_a_problem(demo_xlsx, catalogue, demo_dataset):
    wb = openpyxl.load_workbook(demo_xlsx)
    assert len(keyed_rows(wb[TEAM], "team")) > 1 and len(keyed_rows(wb[PROJECTS], "project")) > 1
    got = greendiag.load_dataset(demo_xlsx, catalogue=catalogue)
    assert len(got.engagement.team) == len(demo_dataset.engagement.team) and got.projects == demo_dataset.projects


@pytest.mark.parametrize(("a", "b"), [(TEAM, PROJECTS), (IND, STATS), (PARK, TEAM), (BASELINE, PROJECTS)])
def test_swapped_sheet_names_are_reported_for_both_sheets(demo_xlsx, tmp_path, catalogue, a, b):
    def edit(wb):
        wa, wbb = wb[a], wb[b]
        wa.title = "tmp"
        wbb.title = a
        wa.title = b

    found = problems_of(damaged(demo_xlsx, tmp_path, edit), catalogue)
    assert sorted((p.code, p.location) for p in found) == sorted([("sheet-mismatch", a), ("sheet-mismatch", b)]), [p.format() for p in found]
    for p in found:
        other = b if p.location == a else a
        assert f"“{other}”表的内容" in p.message_zh and f"sheet '{other}'" in p.message_en
        assert "改回" in p.fix_zh and "restore the sheet names" in p.fix_en


def test_a_row_of_another_sheet_is_reported_at_its_row(demo_xlsx, tmp_path, catalogue):
    before = openpyxl.load_workbook(demo_xlsx)[TEAM]
    spare = next(r for r in keyed_rows(before, "team") if before.cell(r, head(before, "姓名", keyed_rows(before, "team")[0] - 1)).value is None)

    def edit(wb):  # a project row pasted into a spare row of the member table, key and all
        ws = wb[TEAM]
        ws.cell(spare, 1).value = "project"
        ws.cell(spare, 3).value = "园区中水回用管网扩建"

    found = problems_of(damaged(demo_xlsx, tmp_path, edit), catalogue)
    assert [(p.code, p.location) for p in found] == [("sheet-mismatch", f"{TEAM}!B{spare}")], [p.format() for p in found]
    assert f"“{PROJECTS}”表" in found[0].message_zh and "project" in found[0].message_en


# ------------------------------------------------------------------ (14) Excel TRUE/FALSE where a number belongs


def _two_tries(demo_xlsx, tmp_path, catalogue, sheet, key, header, typed):
    """The problem of a cell given Excel's TRUE, and of the same cell given the text `typed`."""
    out = []
    for n, value in enumerate((True, typed)):
        def edit(wb, value=value):
            ws = wb[sheet]
            ws.cell(row_of(ws, key), head(ws, header, 2)).value = value
        (p,) = problems_of(damaged(demo_xlsx, tmp_path, edit, f"try{n}.xlsx"), catalogue)
        out.append(p)
    return out


@pytest.mark.parametrize(("sheet", "key", "header", "code", "named"), [
    (IND, "ind:renewable_energy_share", "指标数据", "not-a-number", "2022年 2 可再生能源使用比例"),
    (IND, "ind:central_wastewater_treatment", "指标数据", "unknown-level", "2022年 12 "),  # qualitative: its levels are listed
    (STATS, "stat:industrial_value_added", "数值", "not-a-number", "2021年"),
])
def test_excel_true_in_a_value_cell_is_reported_like_text(demo_xlsx, tmp_path, catalogue, sheet, key, header, code, named):
    true, text = _two_tries(demo_xlsx, tmp_path, catalogue, sheet, key, header, "abc")
    assert (true.code, true.location) == (text.code, text.location) and true.code == code
    assert true.message_zh == text.message_zh.replace("abc", "TRUE") and true.message_en == text.message_en.replace("abc", "TRUE")
    assert named in true.message_zh and (true.fix_zh, true.fix_en) == (text.fix_zh, text.fix_en) and true.fix_zh


def test_excel_true_in_a_number_field_shows_true(demo_xlsx, tmp_path, catalogue):
    def edit(wb):
        value_cell(wb[PARK], "park.area_km2").value = True

    (p,) = problems_of(damaged(demo_xlsx, tmp_path, edit), catalogue)
    assert p.code == "not-a-number" and "“TRUE”不是数值" in p.message_zh and "'TRUE'" in p.message_en and p.fix_zh


@pytest.mark.parametrize("typed, code, value", [("3,5", "decimal-comma", None), ("3,200", None, 3200), ("3 200", None, 3200)])
def test_a_decimal_comma_in_a_number_cell_is_refused_thousands_are_read(demo_xlsx, tmp_path, catalogue, typed, code, value):
    """Total investment typed as text: 3,5 was read as 35 (万元); a thousands comma or space still reads."""
    def edit(wb):
        ws = wb[PROJECTS]
        ws.cell(3, head(ws, "总投资", 2)).value = typed

    path = damaged(demo_xlsx, tmp_path, edit)
    if code:
        (p,) = problems_of(path, catalogue)
        assert p.code == code and p.location.startswith(f"{PROJECTS}!D3") and "8.5" in p.fix_zh
    else:
        assert greendiag.load_dataset(path, catalogue=catalogue).projects[0].total_investment == value
