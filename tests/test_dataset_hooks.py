"""build_dataset's hooks: a reader of another format (the workbook) has problems made with its own places
(`locate`: dataset path → sheet!cell) and its own names for years (`year_label`), by the builder itself."""

from __future__ import annotations

import copy

import pytest

from greendiag.dataset import build_dataset
from greendiag.errors import DatasetError
from greendiag.yamlio import read_document


@pytest.fixture(scope="module")
def demo_raw(demo_path):
    return read_document(demo_path).data


def _block(data, year):
    return next(b for b in data["years"] if b["year"] == year)


def _problems(data, catalogue, **hooks):
    with pytest.raises(DatasetError) as exc:
        build_dataset(data, catalogue, source="park.xlsx", **hooks)
    return {p.location: p for p in exc.value.problems}


def _bad(demo_raw):
    data = copy.deepcopy(demo_raw)  # years[1] is 2022, years[2] is 2023
    _block(data, 2023)["indicators"]["clean_energy_share"] = {"value": 120}  # the builder's: share-over-100
    _block(data, 2022)["statistics"]["employees"] = -5  # the builder's: negative-value
    _block(data, 2022)["indicators"]["road_shading"] = "abc"  # the builder's, but no cell for it: its JSON path
    data["baseline"][0]["status"] = "maybe"  # the schema's
    return data


CELLS = {("years", 2, "indicators", "clean_energy_share", "value"): "指标数据!I5",
         ("years", 1, "statistics", "employees"): "原始统计数据!H8",
         ("baseline", 0, "status"): "基本要求!F3"}


def by_column(year: int) -> tuple[str, str]:
    return f"第{year - 2021}年", f"year {year - 2021}"


def test_problems_are_made_at_the_callers_cells_with_its_year_names(demo_raw, catalogue):
    found = _problems(_bad(demo_raw), catalogue, locate=CELLS.get, year_label=by_column)
    share = found["指标数据!I5"]
    assert share.code == "share-over-100"
    assert share.message_zh.startswith("第2年 3 清洁能源使用率:120 超过上限 100")
    assert share.message_en.startswith("year 2 indicator 3 Share of clean energy use: 120 is above 100")
    employees = found["原始统计数据!H8"]
    assert employees.code == "negative-value" and employees.message_zh.startswith("第1年 ") and employees.message_en.startswith("year 1 ")
    assert found["基本要求!F3"].code == "schema-enum"  # a schema problem goes through the same hook
    road = found["$.years[1].indicators.road_shading"]  # a path the caller has no cell for keeps its JSON path
    assert road.code == "not-a-number" and road.message_zh.startswith("第1年 27 ")
    assert not any("2022" in p.message_zh or "2023" in p.message_zh for p in found.values())


def test_without_hooks_problems_name_json_paths_and_years(demo_raw, catalogue):
    found = _problems(_bad(demo_raw), catalogue)
    share = found["$.years[2].indicators.clean_energy_share.value"]
    assert share.code == "share-over-100" and share.message_zh.startswith("2023年 ") and share.message_en.startswith("2023 indicator ")
    employees = found["$.years[1].statistics.employees"]
    assert employees.message_zh.startswith("2022年 ") and employees.message_en.startswith("2022 ")
    assert found["$.baseline[0].status"].code == "schema-enum"


def test_schema_problems_are_placed_by_the_hook_from_their_exact_path(demo_raw, catalogue):
    data = copy.deepcopy(demo_raw)
    # keys that a JSON path writes quoted (["it's"], ['a.b']): placed from the path itself, not from its text
    _block(data, 2022)["indicators"].update({"it's": [1], "a.b": {"value": 1, "x": 2}})
    cells = {("years", 1, "indicators", "it's"): "指标数据!H40", ("years", 1, "indicators", "a.b"): "指标数据!H41"}
    found = _problems(data, catalogue, locate=cells.get)
    assert found["指标数据!H40"].code == "schema-type" and found["指标数据!H41"].code == "schema-additionalProperties"
    assert all(p.line is None and p.file == "park.xlsx" for p in found.values())


def test_values_a_data_file_cannot_hold_are_placed_by_the_hook_too(demo_raw, catalogue):
    data = copy.deepcopy(demo_raw)
    _block(data, 2022)["statistics"]["employees"] = float("nan")
    data["park"]["address"] = "北京\x01"
    cells = {("years", 1, "statistics", "employees"): "原始统计数据!H8", ("park", "address"): "园区信息!D14"}
    found = _problems(data, catalogue, locate=cells.get)
    assert found["原始统计数据!H8"].code == "non-finite-number" and found["园区信息!D14"].code == "control-character"
    assert found["园区信息!D14"].fix_zh  # the fix is kept


def test_schema_problems_take_the_hooks_place_or_keep_path_line_and_column(demo_path):
    from greendiag import schema

    doc = read_document(demo_path)
    bad = copy.deepcopy(doc.data)
    bad["diagnosis_year"] = "2025"
    bad["park"]["level"] = "省级"
    text = demo_path.read_text(encoding="utf-8").splitlines()
    level_line = next(n for n, line in enumerate(text, start=1) if line.startswith("  level:"))
    shaped = type(doc)(doc.path, bad, doc.node)  # the file's node tree: lines of the original places
    placed = {p.code: p for p in schema.problems(shaped, "dataset.schema.json", locate={("diagnosis_year",): "园区信息!D4"}.get)}
    assert (placed["schema-type"].location, placed["schema-type"].line) == ("园区信息!D4", None)
    assert (placed["schema-enum"].location, placed["schema-enum"].line) == ("$.park.level", level_line)
    plain = {p.code: p for p in schema.problems(shaped, "dataset.schema.json")}
    assert plain["schema-type"].location == "$.diagnosis_year" and plain["schema-type"].line is not None
    assert [(p.message_zh, p.message_en) for p in placed.values()] == [(p.message_zh, p.message_en) for p in plain.values()]
