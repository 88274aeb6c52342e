"""Input robustness, session 10 leftovers: a cleared 实测折标系数 header, rows inserted at the header rows of the year
tables, a team or project row whose hidden key was overwritten, the schema's words for a carrier's own coefficient, and
an expected effect that is only a number.

Workbooks are copies of examples/demo-park.xlsx or written from the demo park with `write_template`, edited as a person
edits them once the sheet protection is off (rows found by their key in the hidden column A, columns by their header
text); the expected cells, codes and wording are written here, never taken from the code under test.
"""

from __future__ import annotations

import copy
import shutil

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

import greendiag
from greendiag.errors import DatasetError
from greendiag.excel import write_template
from greendiag.excel.reader import read_workbook_contents

from excel_edits import excel_delete  # noqa: E402  (tests/ is on sys.path)

IND, STATS, CARRIERS, TEAM, PROJECTS = "指标数据", "原始统计数据", "分品种能源", "工作组", "改进项目"
MEASURED = {"value": "20908 kJ/kg", "evidence": "H-1 煤质化验报告"}
JSONSCHEMA_ENGLISH = ("is not valid under", "schema violation", "不符合格式要求", "{'", "should be string", "应为文本")


@pytest.fixture(scope="module")
def demo_xlsx(tmp_path_factory, root):
    path = tmp_path_factory.mktemp("input10") / "demo-park.xlsx"
    shutil.copyfile(root / "examples" / "demo-park.xlsx", path)
    return path


def row_of(ws, key: str) -> int:
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]
    return row


def rows_of(ws, key: str) -> list[int]:
    return [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]


def head(ws, text: str, row: int = 2) -> int:
    return next(c for c in range(1, ws.max_column + 1) if str(ws.cell(row, c).value or "").startswith(text))


def edited(source, tmp_path, edit, name="edited.xlsx"):
    wb = openpyxl.load_workbook(source)
    edit(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def problems_of(path, catalogue) -> list:
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path, catalogue=catalogue)
    return info.value.problems


def insert_rows(ws, idx: int, n: int = 1) -> None:
    """Insert n rows before `idx` as Excel does: merged ranges below move down, ranges across the new rows grow."""
    ws.protection.sheet = False
    ranges = [range_boundaries(str(r)) for r in ws.merged_cells.ranges]
    for r in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(r))
    ws.insert_rows(idx, n)
    for c1, r1, c2, r2 in ranges:
        if r1 >= idx:
            r1, r2 = r1 + n, r2 + n
        elif r2 >= idx:
            r2 += n
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


# ------------------------------------------------------------------ 1. 实测折标系数's header cleared


@pytest.fixture(scope="module")
def measured_xlsx(tmp_path_factory, demo_data):
    """The demo park with a measured raw-coal coefficient in 2024 (slot 3 of the 2025 diagnosis)."""
    data = copy.deepcopy(demo_data)
    block = next(b for b in data["years"] if b["year"] == 2024)
    block["energy_by_carrier"]["raw_coal"]["coefficient"] = MEASURED
    ds = greendiag.dataset_from_dict(data)
    path = tmp_path_factory.mktemp("input10") / "measured.xlsx"
    write_template(path, ds.catalogue, dataset=ds)
    return path


def test_the_measured_coefficient_is_read_with_its_header(measured_xlsx, catalogue):
    (coal,) = [c for c in greendiag.load_dataset(measured_xlsx, catalogue=catalogue).energy_by_carrier
               if c.carrier == "raw_coal" and c.year == 2024]
    assert coal.coefficient_evidence == "H-1 煤质化验报告"
    assert coal.tce == pytest.approx(1e7 * 20908 / 29307 / 1000)  # 10000 t at 20908 kJ/kg, 29307 kJ per kgce


@pytest.mark.parametrize("also_j", [False, True], ids=["I2", "I2-and-J2"])
def test_a_cleared_own_coefficient_header_over_data_is_reported_not_dropped(measured_xlsx, tmp_path, catalogue, also_j):
    def edit(wb):
        ws = wb[CARRIERS]
        ws.protection.sheet = False
        ws["I2"].value = None
        if also_j:  # the title's merge over B1:J1 still shows the workbook has the columns
            ws["J2"].value = None

    row = row_of(openpyxl.load_workbook(measured_xlsx)[CARRIERS], "carrier:3:raw_coal")
    found = problems_of(edited(measured_xlsx, tmp_path, edit), catalogue)
    assert [(p.code, p.location) for p in found] == [("header-missing", f"{CARRIERS}!I2")], [p.format() for p in found]
    (p,) = found
    assert f"I{row}、J{row}" in p.message_zh and "实测折标系数" in p.message_zh and "未读取" in p.message_zh
    assert f"I{row}, J{row}" in p.message_en and "were not read" in p.message_en
    assert "I2" in p.fix_zh and "恢复表头" in p.fix_zh and "header" in p.fix_en


def test_a_cleared_header_over_empty_columns_loses_nothing(demo_xlsx, tmp_path, catalogue, demo_dataset):
    def edit(wb):
        wb[CARRIERS].protection.sheet = False
        wb[CARRIERS]["I2"].value = None

    got = greendiag.load_dataset(edited(demo_xlsx, tmp_path, edit), catalogue=catalogue)
    assert got.energy_by_carrier == demo_dataset.energy_by_carrier


def test_a_remark_right_of_a_workbook_made_before_the_columns_is_still_no_error(measured_xlsx, tmp_path, catalogue):
    """The older layout ends with 证明材料索引 (H): text in I is a remark there, noted as not read, never an error."""
    def edit(wb):
        ws = wb[CARRIERS]
        ws.protection.sheet = False
        excel_delete(ws, 10)
        excel_delete(ws, 9)
        ws.cell(row_of(ws, "carrier:3:raw_coal"), 9).value = "含外购焦炭"

    path = edited(measured_xlsx, tmp_path, edit)
    ds = greendiag.load_dataset(path, catalogue=catalogue)
    (coal,) = [c for c in ds.energy_by_carrier if c.carrier == "raw_coal" and c.year == 2024]
    assert coal.coefficient is None  # read without the columns: the catalogue's coefficient
    notes = read_workbook_contents(path, catalogue).notes
    assert [n.code for n in notes if n.location.startswith(CARRIERS)] == ["stray-cells"]


# ------------------------------------------------------------------ 2. rows inserted at the header rows of the year tables


@pytest.mark.parametrize("sheet, first_value", [(IND, "H"), (STATS, "F")])
def test_a_row_between_the_two_header_rows_is_said_to_be_a_row(demo_xlsx, tmp_path, catalogue, sheet, first_value):
    found = problems_of(edited(demo_xlsx, tmp_path, lambda wb: insert_rows(wb[sheet], 3)), catalogue)
    assert [(p.code, p.location) for p in found] == [("header-rows-moved", f"{sheet}!{first_value}3")], [p.format() for p in found]
    (p,) = found
    assert "两行表头之间插入了1行(第3行)" in p.message_zh and "不是插入了列" in p.message_zh
    assert "现在在第4行" in p.message_zh and "可能插入了列" not in p.message_zh
    assert "1 row (3) was inserted between the two header rows, not a column" in p.message_en
    assert p.fix_zh.startswith("删除两行表头之间插入的第3行") and "列" not in p.fix_zh.split("(")[0]
    assert "delete the row 3 inserted between the two header rows" in p.fix_en


def test_the_year_header_is_named_by_its_year(demo_xlsx, tmp_path, catalogue):
    (p,) = problems_of(edited(demo_xlsx, tmp_path, lambda wb: insert_rows(wb[IND], 3)), catalogue)
    assert "“2022年”" in p.message_zh  # the demo's diagnosis year is 2025: the first scored year is 2022


def test_two_rows_between_the_header_rows(demo_xlsx, tmp_path, catalogue):
    (p,) = problems_of(edited(demo_xlsx, tmp_path, lambda wb: insert_rows(wb[IND], 3, 2)), catalogue)
    assert (p.code, p.location) == ("header-rows-moved", f"{IND}!H3")
    assert "插入了2行(第3–4行)" in p.message_zh and "现在在第5行" in p.message_zh
    assert p.fix_zh.startswith("删除两行表头之间插入的第3–4行")


@pytest.mark.parametrize("sheet", [IND, STATS])
def test_a_row_above_the_headers_is_said_to_be_a_row(demo_xlsx, tmp_path, catalogue, sheet):
    found = problems_of(edited(demo_xlsx, tmp_path, lambda wb: insert_rows(wb[sheet], 2)), catalogue)
    assert [(p.code, p.location) for p in found] == [("header-rows-moved", f"{sheet}!B2")], [p.format() for p in found]
    (p,) = found
    assert "表头应在第2–3行,现在在第3–4行:表头上方插入了1行" in p.message_zh and "可能插入" not in p.message_zh
    assert p.fix_zh.startswith("删除表头上方插入的1行")


def test_a_column_inserted_is_still_a_column(demo_xlsx, tmp_path, catalogue):
    from excel_edits import excel_insert

    def edit(wb):
        wb[IND].protection.sheet = False
        excel_insert(wb[IND], head(wb[IND], "证明材料索引"))

    (p,) = problems_of(edited(demo_xlsx, tmp_path, edit), catalogue)
    assert p.code == "columns-moved" and "可能插入了列" in p.message_zh


# ------------------------------------------------------------------ 3. a team or project row whose hidden key was overwritten


def test_a_member_row_with_a_stray_key_is_read_with_those_after_it(demo_xlsx, tmp_path, catalogue, demo_dataset):
    rows = rows_of(openpyxl.load_workbook(demo_xlsx)[TEAM], "team")
    second = rows[1]

    def edit(wb):
        wb[TEAM].cell(second, 1).value = "复制来的行"

    path = edited(demo_xlsx, tmp_path, edit)
    got = greendiag.load_dataset(path, catalogue=catalogue)
    assert len(demo_dataset.engagement.team) == 6  # the demo's members: all of them, the second and those after it too
    assert got.engagement.team == demo_dataset.engagement.team
    notes = [n for n in read_workbook_contents(path, catalogue).notes if n.code == "row-key-changed"]
    assert [(n.location) for n in notes] == [f"{TEAM}!A{second}"]
    assert "“复制来的行”" in notes[0].message_zh and "“team”" in notes[0].message_zh and "已按表格行一并读取" in notes[0].message_zh
    assert "'team'" in notes[0].fix_en


def test_project_rows_below_a_stray_key_are_read_and_noted(demo_xlsx, tmp_path, catalogue):
    ws0 = openpyxl.load_workbook(demo_xlsx)[PROJECTS]
    rows = rows_of(ws0, "project")
    content = head(ws0, "项目建设内容")
    below, after = rows[-1] + 1, rows[-1] + 2  # under the template's rows (its legend is two rows further down)

    def edit(wb):
        ws = wb[PROJECTS]
        ws.protection.sheet = False
        ws.cell(rows[0], 1).value = "x"  # the first project's key pasted over
        insert_rows(ws, below, 2)
        ws.cell(below, 1).value = "备注行"
        ws.cell(below, content).value = "屋顶光伏(虚构)"
        ws.cell(after, content).value = "余热回收(虚构)"  # no key at all, after the stray one

    path = edited(demo_xlsx, tmp_path, edit)
    got = greendiag.load_dataset(path, catalogue=catalogue)
    assert [p.content for p in got.projects] == ["园区中水回用管网扩建(虚构)", "屋顶光伏(虚构)", "余热回收(虚构)"]
    notes = {n.code: n for n in read_workbook_contents(path, catalogue).notes}
    assert notes["row-key-changed"].location == f"{PROJECTS}!A{rows[0]}"
    assert f"第{rows[0]}、{below}行" in notes["row-key-changed"].message_zh
    assert notes["rows-outside-template"].location == f"{PROJECTS}!{get_column_letter(content)}{after}"


def test_projects_are_read_when_every_key_was_cleared(demo_xlsx, tmp_path, catalogue, demo_dataset):
    def edit(wb):
        ws = wb[PROJECTS]
        for r in rows_of(ws, "project"):
            ws.cell(r, 1).value = None

    path = edited(demo_xlsx, tmp_path, edit)
    assert greendiag.load_dataset(path, catalogue=catalogue).projects == demo_dataset.projects
    assert "rows-outside-template" in [n.code for n in read_workbook_contents(path, catalogue).notes]


# ------------------------------------------------------------------ 4. the schema's words for a carrier's own coefficient


def _coefficient_problems(demo_data, coefficient) -> tuple[list, str]:
    data = copy.deepcopy(demo_data)
    i = next(i for i, b in enumerate(data["years"]) if b["year"] == 2024)
    data["years"][i]["energy_by_carrier"]["raw_coal"] = {"value": "10000 t", "coefficient": coefficient}
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(data)
    return info.value.problems, f"$.years[{i}].energy_by_carrier.raw_coal.coefficient"


@pytest.mark.parametrize("coefficient, code, zh, en", [
    (True, "schema-type", "自带折标系数不能是 true", "cannot be true"),
    (None, "schema-type", "自带折标系数为空(null)", "is empty (null)"),
    (0.7, "schema-type", "自带折标系数 0.7 没有单位", "0.7 has no unit"),
    ([0.68, 0.7], "schema-type", "自带折标系数是列表", "is a list"),
    ({}, "schema-required", "自带折标系数缺少 value", "lacks value"),
    ({"evidence": "H-1"}, "schema-required", "自带折标系数缺少 value", "lacks value"),
    ("", "schema-minLength", "自带折标系数为空", "is empty"),
], ids=["true", "null", "number", "list", "empty-mapping", "evidence-only", "empty-text"])
def test_a_coefficient_of_no_accepted_form_says_the_forms(demo_data, coefficient, code, zh, en):
    found, at = _coefficient_problems(demo_data, coefficient)
    assert [(p.code, p.location) for p in found] == [(code, at)], [p.format() for p in found]
    (p,) = found
    assert zh in p.message_zh and en in p.message_en
    for text in (p.message_zh, p.message_en, p.fix_zh, p.fix_en):
        assert not any(s in text for s in JSONSCHEMA_ENGLISH), text
    for form in ('"0.68 kgce/kg"', '"20908 kJ/kg"', "evidence"):
        assert form in p.fix_zh and form in p.fix_en
    assert "必填" in p.fix_zh and "required" in p.fix_en


def test_a_bare_number_coefficient_is_shown_with_a_unit(demo_data):
    (p,), _ = _coefficient_problems(demo_data, 0.7)
    assert '"0.7 kgce/kg"' in p.fix_zh and '"0.7 kgce/kg"' in p.fix_en
    assert '"0.7"' not in p.fix_zh  # quoting the number alone would still leave it without a unit


def test_no_coefficient_says_to_remove_it(demo_data):
    (p,), _ = _coefficient_problems(demo_data, None)
    assert p.fix_zh.startswith("没有实测值时删去 coefficient") and "remove coefficient" in p.fix_en


def test_an_error_inside_the_mapping_keeps_its_own_words(demo_data):
    found, at = _coefficient_problems(demo_data, {"value": True, "evidence": "H-1"})
    assert [(p.code, p.location) for p in found] == [("schema-type", at + ".value")]
    found, at = _coefficient_problems(demo_data, {"value": "0.68 kgce/kg", "evidence": "H-1", "source": "x"})
    assert [(p.code, p.location) for p in found] == [("schema-additionalProperties", at)]
    assert "'source'" in found[0].message_en


def test_the_coefficient_message_is_located_in_a_yaml_file(demo_data, tmp_path):
    import yaml

    data = copy.deepcopy(demo_data)
    block = next(b for b in data["years"] if b["year"] == 2024)
    block["energy_by_carrier"]["raw_coal"] = {"value": "10000 t", "coefficient": {}}
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if "coefficient: {}" in text)
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    (p,) = info.value.problems
    assert (p.code, p.line) == ("schema-required", line)


# ------------------------------------------------------------------ 5. an expected effect that is only a number


@pytest.mark.parametrize("effect, shown", [(15, "15"), ("15", "15"), (12.5, "12.5"), ("1,500", "1,500"), ("15%", "15%")])
def test_an_expected_effect_of_a_bare_number_is_a_note(demo_data, effect, shown):
    data = copy.deepcopy(demo_data)
    data["projects"][0]["expected_effect"] = effect
    ds = greendiag.dataset_from_dict(data)
    assert ds.projects[0].expected_effect == (effect if isinstance(effect, str) else shown)
    (note,) = [n for n in ds.notes if n.code == "effect-without-words"]
    assert note.location == "$.projects[0].expected_effect"
    assert f"只有数值“{shown}”" in note.message_zh and f"'{shown}'" in note.message_en
    assert "年节约标准煤约1500 t" in note.fix_zh and "unit" in note.fix_en


def test_an_expected_effect_in_words_is_no_note(demo_data):
    data = copy.deepcopy(demo_data)
    data["projects"][0]["expected_effect"] = "年节约标准煤约1500 t"
    assert not [n for n in greendiag.dataset_from_dict(data).notes if n.code == "effect-without-words"]


def test_a_number_typed_as_the_effect_in_the_workbook_is_noted_at_its_cell(demo_xlsx, tmp_path, catalogue):
    ws0 = openpyxl.load_workbook(demo_xlsx)[PROJECTS]
    row, col = rows_of(ws0, "project")[0], head(ws0, "预期实施效果")

    def edit(wb):
        wb[PROJECTS].cell(row, col).value = 15

    ds = greendiag.load_dataset(edited(demo_xlsx, tmp_path, edit), catalogue=catalogue)
    assert ds.projects[0].expected_effect == "15"
    (note,) = [n for n in ds.notes if n.code == "effect-without-words"]
    assert note.location == f"{PROJECTS}!{get_column_letter(col)}{row}"
