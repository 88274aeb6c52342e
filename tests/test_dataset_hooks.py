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
