"""Years and statistics the review (s7) found passed without a word: a scored year with no data at all (a note), data
for a year before the base year (an error) or indicator values in the base year (a note), a zero base of a
year-over-year formula (a located zero-denominator error), and more days than a year has (a located above-bounds
error) — in YAML and in the workbook alike. Expected places and numbers are written out by hand from the demo park
(years 2021 base, 2022–2024 scored; 原始统计数据 columns F base year, G 2022, H 2023, I 2024)."""

from __future__ import annotations

import copy
import shutil

import openpyxl
import pytest
import yaml

import greendiag
from greendiag.errors import DatasetError

_AIR_DAYS = ("air_quality_good_days", "air_quality_monitored_days")


@pytest.fixture(scope="module")
def demo_raw(demo_path):
    return yaml.safe_load(demo_path.read_text(encoding="utf-8"))


def _year(data, y):
    return next(b for b in data["years"] if b["year"] == y)


def _load(tmp_path, data, name="park.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return greendiag.load_dataset(path), path


def _errors(tmp_path, data):
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    return info.value.problems


def _workbook(tmp_path, root, edits: dict[tuple[str, str, str], object]):
    """A copy of the demo workbook with cells set: {(sheet, row key in column A, column letter): value}."""
    path = tmp_path / "park.xlsx"
    shutil.copy(root / "examples" / "demo-park.xlsx", path)
    wb = openpyxl.load_workbook(path)
    for (sheet, key, col), value in edits.items():
        ws = wb[sheet]
        (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]
        ws[f"{col}{row}"] = value
    wb.save(path)
    return path


def _row(root, sheet, key):
    ws = openpyxl.load_workbook(root / "examples" / "demo-park.xlsx")[sheet]
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]
    return row


# ------------------------------------------------------------------ a scored year without data (#1)


def test_an_empty_last_scored_year_is_a_note_with_both_ways_out(tmp_path, demo_raw, run):
    data = copy.deepcopy(demo_raw)
    data["years"] = [b for b in data["years"] if b["year"] != 2024]  # the 2024 statistics are not published yet
    ds, path = _load(tmp_path, data)
    assert ds.years == (2022, 2023, 2024) and not any(v.year == 2024 for v in ds.values)
    (note,) = ds.notes
    assert note.code == "empty-scored-year" and note.location == "$.years"
    # not "scored as missing, mandatory ones 0": a year without data is not assessable (review 8: the note contradicted
    # the report's 不可评分 on the next line)
    assert note.message_zh == "评分年份2024年没有任何指标数据:该年不可评分(不计类别得分、总分与评级,也不按0分计)"
    assert "2024 holds no indicator data" in note.message_en
    assert "把诊断年份改为 2024,评分年份即为 2021–2023年" in note.fix_zh and "基准年为 2020" in note.fix_zh
    assert "set the diagnosis year to 2024" in note.fix_en and "列" not in note.fix_zh  # a YAML file has no columns
    res = run("validate", path)
    assert res.exit_code == 0
    assert "[empty-scored-year]" in res.stderr and "评分年份2024年没有任何指标数据" in res.stderr
    d = greendiag.diagnose(ds, backend="python").to_dict()
    assert [n["code"] for n in d["input_notes"]] == ["empty-scored-year"]


def test_an_empty_block_of_a_middle_year_is_located_and_not_told_to_move_the_diagnosis_year(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    data["years"][2] = {"year": 2023}
    ds, _ = _load(tmp_path, data)
    (note,) = ds.notes
    assert note.code == "empty-scored-year" and note.location == "$.years[2]" and note.line is not None
    assert "2023年" in note.message_zh and "诊断年份" not in note.fix_zh


def test_statistics_that_derive_nothing_leave_the_year_empty(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    data["years"][3] = {"year": 2024, "statistics": {"employees": 52000}}  # derives no indicator on its own
    ds, _ = _load(tmp_path, data)
    assert [(n.code, n.location) for n in ds.notes] == [("empty-scored-year", "$.years[3]")]


def test_a_full_dataset_has_no_note(demo_dataset):
    assert demo_dataset.notes == ()


def test_an_empty_year_in_the_workbook_is_a_note_too(tmp_path, root):
    """Values (J, I) and evidence (M, N) of 2024 cleared on both year sheets, as in a workbook filled before the 2024
    statistics are out."""
    path = tmp_path / "park.xlsx"
    shutil.copy(root / "examples" / "demo-park.xlsx", path)
    wb = openpyxl.load_workbook(path)
    for sheet, cols in (("指标数据", "JM"), ("原始统计数据", "IN")):
        ws = wb[sheet]
        for r in range(1, ws.max_row + 1):
            key = ws.cell(r, 1).value
            if isinstance(key, str) and key.startswith(("ind:", "stat:")):
                for c in cols:
                    ws[f"{c}{r}"] = None
    ws = wb["分品种能源"]  # 2024's energy by carrier (quantity G, evidence H) is a statistic of that year too
    for r in range(1, ws.max_row + 1):
        if str(ws.cell(r, 1).value).startswith("carrier:3:"):
            ws[f"G{r}"] = ws[f"H{r}"] = None
    wb.save(path)
    ds = greendiag.load_dataset(path)
    (note,) = ds.notes
    assert note.code == "empty-scored-year" and note.location.startswith("指标数据!") and note.file == str(path)
    assert note.message_zh.startswith("评分年份2024年没有任何指标数据")
    # moving the diagnosis year renames the columns (their headers follow it): the values must move with their years
    assert "把诊断年份改为 2024" in note.fix_zh and note.fix_zh.endswith("须把已填数据移到其年份所在的列")


# ------------------------------------------------------------------ years that are neither scored nor the base year (#6)


def test_a_year_before_the_base_year_is_an_error_at_its_year(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    data["years"][0]["year"] = 2020  # the base year's statistics typed under the wrong year
    (p,) = _errors(tmp_path, data)
    assert p.code == "year-before-base-year" and p.location == "$.years[0].year" and p.line is not None
    assert p.message_zh == "2020年既不是评分年份(2022–2024年)也不是基准年(2021年),该年的数据不会被使用"
    assert p.message_en == "2020 is neither a scored year (2022–2024) nor the base year (2021): its data would not be used"
    assert "把年份改为 2021" in p.fix_zh and "diagnosis_year" in p.fix_zh


def test_a_diagnosis_year_one_too_late_names_the_dropped_year(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    data["diagnosis_year"] = 2026  # scored 2023–2025, base 2022: the 2021 statistics would go unused
    (p,) = _errors(tmp_path, data)
    assert p.code == "year-before-base-year" and p.location == "$.years[0].year"
    assert "2021年既不是评分年份(2023–2025年)也不是基准年(2022年)" in p.message_zh
    del data["years"][0]  # fixed that way, the empty 2025 and the unscored 2022 indicators are told
    ds, _ = _load(tmp_path, data)
    assert {(n.code, n.location) for n in ds.notes} == {("base-year-indicators", "$.years[0].indicators"),
                                                         ("empty-scored-year", "$.years")}


def test_no_scored_year_at_all_is_said_once(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    data["diagnosis_year"] = 2030
    assert [p.code for p in _errors(tmp_path, data)] == ["no-scored-year"]


def test_indicator_values_in_the_base_year_are_a_note(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    data["years"][0]["indicators"] = {"clean_energy_share": 60}
    ds, _ = _load(tmp_path, data)
    (note,) = ds.notes
    assert note.code == "base-year-indicators" and note.location == "$.years[0].indicators"
    assert note.message_zh.startswith("2021年是基准年(评分年份为 2022–2024年)")
    assert ds.value("clean_energy_share", 2022) is not None and ds.value("clean_energy_share", 2021) is not None


# ------------------------------------------------------------------ a zero base of a year-over-year formula (#7)


def test_a_zero_previous_co2_is_a_located_zero_denominator(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    _year(data, 2023)["statistics"]["co2_emissions"] = 0
    problems = _errors(tmp_path, data)
    assert [(p.code, p.location) for p in problems] == [("zero-denominator", "$.years[2].statistics.co2_emissions")]
    (p,) = problems
    assert p.message_zh.startswith("2024年 22 万元工业增加值碳排放量消减率:同比公式以2023年为基数,2023年的二氧化碳排放量为 0")
    assert "2023" in p.message_en and "CO2 emissions is 0" in p.message_en


def test_a_zero_in_the_base_year_is_located_in_the_base_year(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    _year(data, 2021)["statistics"]["co2_emissions"] = 0
    (p,) = _errors(tmp_path, data)
    assert (p.code, p.location) == ("zero-denominator", "$.years[0].statistics.co2_emissions")
    assert p.message_zh.startswith("2022年 22 ")


def test_a_zero_previous_pollutant_emission_stops_the_elasticity_with_a_located_error(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    _year(data, 2022)["statistics"]["main_pollutant_emissions"] = 0
    problems = _errors(tmp_path, data)
    assert [(p.code, p.location) for p in problems] == [("zero-denominator", "$.years[1].statistics.main_pollutant_emissions")]
    assert problems[0].message_zh.startswith("2023年 24 主要污染物弹性系数:同比公式以2022年为基数")


def test_a_zero_base_in_the_workbook_is_located_at_its_cell(tmp_path, root):
    path = _workbook(tmp_path, root, {("原始统计数据", "stat:co2_emissions", "H"): 0})  # 2023
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    row = _row(root, "原始统计数据", "stat:co2_emissions")
    assert [(p.code, p.location) for p in info.value.problems] == [("zero-denominator", f"原始统计数据!H{row}")]


def test_a_zero_current_value_still_derives(tmp_path, demo_raw):
    """0 in the year itself is no division: 22 derives 100 % (no CO2 at all against some the year before)."""
    data = copy.deepcopy(demo_raw)
    _year(data, 2024)["statistics"]["co2_emissions"] = 0
    ds, _ = _load(tmp_path, data)
    assert ds.value("carbon_intensity_reduction", 2024).value == 100


# ------------------------------------------------------------------ days within a year (#8)


@pytest.mark.parametrize("stat", _AIR_DAYS)
def test_more_days_than_a_year_has_are_refused_at_the_statistic(tmp_path, demo_raw, stat):
    data = copy.deepcopy(demo_raw)
    _year(data, 2023)["statistics"][stat] = 400
    problems = _errors(tmp_path, data)
    assert [(p.code, p.location) for p in problems] == [("above-bounds", f"$.years[2].statistics.{stat}")]
    assert "400 天超过一年的天数(至多 366 天)" in problems[0].message_zh


def test_a_leap_years_days_are_accepted(tmp_path, demo_raw):
    data = copy.deepcopy(demo_raw)
    _year(data, 2024)["statistics"].update(air_quality_good_days=300, air_quality_monitored_days=366)
    ds, _ = _load(tmp_path, data)
    assert ds.value("air_quality_good_rate", 2024).derived == pytest.approx(300 / 366 * 100, rel=1e-9)


def test_more_days_than_a_year_has_in_the_workbook(tmp_path, root):
    path = _workbook(tmp_path, root, {("原始统计数据", "stat:air_quality_monitored_days", "I"): 400,  # 2024
                                      ("原始统计数据", "stat:air_quality_good_days", "I"): 390})
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    good, monitored = (_row(root, "原始统计数据", f"stat:{s}") for s in _AIR_DAYS)
    assert sorted((p.code, p.location) for p in info.value.problems) == sorted(
        [("above-bounds", f"原始统计数据!I{good}"), ("above-bounds", f"原始统计数据!I{monitored}")])
