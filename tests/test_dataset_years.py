"""Years: the bounds of a diagnosis year and of data years come from one place (greendiag.dataset), which says what
the dataset schema says; messages about the scored years follow the catalogue's year count."""

from __future__ import annotations

import copy
import json
import pathlib

import attrs
import openpyxl
import pytest
from click.testing import CliRunner

import greendiag
from greendiag import cli
from greendiag.dataset import DATA_YEARS, DIAGNOSIS_YEARS
from greendiag.errors import DatasetError
from greendiag.excel import layout, reader, write_template
from greendiag.yamlio import read_document

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOW, HIGH = DIAGNOSIS_YEARS


@pytest.fixture(scope="module")
def demo_raw(demo_path):
    return read_document(demo_path).data


def _errors(data, cat=None):
    with pytest.raises(DatasetError) as exc:
        greendiag.dataset_from_dict(data, catalogue=cat)
    return exc.value.problems


def test_the_bounds_are_those_of_the_dataset_schema():
    schema = json.loads((ROOT / "catalogue" / "schemas" / "dataset.schema.json").read_text(encoding="utf-8"))
    year = schema["properties"]["diagnosis_year"]
    assert (year["minimum"], year["maximum"]) == DIAGNOSIS_YEARS == (2000, 2100)
    data_year = schema["properties"]["years"]["items"]["properties"]["year"]
    assert (data_year["minimum"], data_year["maximum"]) == DATA_YEARS == (1989, 2100)


def test_the_data_years_hold_the_base_year_of_the_earliest_diagnosis_with_the_most_years():
    schemas = ROOT / "catalogue" / "schemas"
    count_schema = json.loads((schemas / "catalogue.schema.json").read_text(encoding="utf-8"))
    most = count_schema["properties"]["scoring"]["properties"]["years"]["properties"]["count"]["maximum"]
    assert DATA_YEARS[0] <= DIAGNOSIS_YEARS[0] - most - 1


def test_the_command_line_takes_the_diagnosis_year_bounds(tmp_path):
    (option,) = [p for p in cli.template.params if p.name == "diagnosis_year"]
    assert (option.type.min, option.type.max) == DIAGNOSIS_YEARS
    runner = CliRunner()
    for year, code in ((LOW - 1, 2), (HIGH + 1, 2), (HIGH, 0)):
        res = runner.invoke(cli.main, ["template", str(tmp_path / f"t{year}.xlsx"), "--year", str(year)])
        assert res.exit_code == code, (year, res.output)


def test_the_workbook_takes_the_diagnosis_year_bounds(tmp_path, catalogue):
    (field,) = [f for f in layout.PARK_FIELDS if isinstance(f, layout.Field) and f.key == "diagnosis_year"]
    assert (field.minimum, field.maximum) == DIAGNOSIS_YEARS
    assert reader.PLACEHOLDER_YEAR == HIGH
    path = tmp_path / "park.xlsx"
    write_template(path, catalogue, diagnosis_year=2025)
    wb = openpyxl.load_workbook(path)
    park, team = wb["园区信息"], wb["工作组"]
    year_row = next(r for r in range(1, park.max_row + 1) if park.cell(r, 1).value == "diagnosis_year")
    (year_dv,) = [dv for dv in park.data_validations.dataValidation if f"D{year_row}" in dv.sqref]
    assert (year_dv.type, year_dv.formula1, year_dv.formula2) == ("whole", str(LOW), str(HIGH))
    assert f"{LOW}–{HIGH}" in year_dv.error
    date_row = next(r for r in range(1, team.max_row + 1) if team.cell(r, 1).value == "engagement.work_started")
    (date_dv,) = [dv for dv in team.data_validations.dataValidation if f"D{date_row}" in dv.sqref]
    assert (date_dv.formula1, date_dv.formula2) == (f"DATE({LOW},1,1)", f"DATE({HIGH},12,31)")
    park.cell(year_row, 4).value = HIGH + 1
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    (p,) = [p for p in exc.value.problems if p.location == f"园区信息!D{year_row}"]
    assert p.code == "out-of-range" and p.message_zh == f"诊断年份:{HIGH + 1} 超出范围 {LOW}–{HIGH}"


def test_dates_take_the_data_year_bounds(demo_raw):
    low, high = DATA_YEARS
    data = copy.deepcopy(demo_raw)
    data["engagement"]["work_started"] = f"{low - 1}-12-31"
    data["engagement"]["report_submitted"] = f"{high + 1}-01-01"
    found = {p.location: p for p in _errors(data)}
    assert found["$.engagement.work_started"].message_zh == f"日期“{low - 1}-12-31”不在{low}–{high}年之间"
    assert found["$.engagement.report_submitted"].message_en == f"date '{high + 1}-01-01' is not within {low}–{high}"
    data["engagement"]["work_started"], data["engagement"]["report_submitted"] = f"{low}-01-01", f"{high}-12-31"
    ds = greendiag.dataset_from_dict(data)
    assert (ds.engagement.work_started.year, ds.engagement.report_submitted.year) == DATA_YEARS


def test_scored_year_messages_follow_the_year_count(demo_raw, catalogue):
    data = copy.deepcopy(demo_raw)
    data["years"].append({"year": 2025, "indicators": {"clean_energy_share": 70}})  # the diagnosis year itself
    (p,) = [p for p in _errors(data, catalogue) if p.code == "year-not-before-diagnosis"]
    assert p.fix_zh == "诊断年份的前三年为 2022–2024(附件2-1-2 注2)"  # the guide's three years, as before
    assert p.fix_en == "the three years before the diagnosis are 2022–2024 (annex 2-1-2 note 2)"
    four = attrs.evolve(catalogue, scoring=attrs.evolve(catalogue.scoring, years=4))
    (p,) = [p for p in _errors(data, four) if p.code == "year-not-before-diagnosis"]
    assert p.fix_zh == "诊断年份的前四年为 2021–2024"  # not the guide's note: it says three
    assert p.fix_en == "the four years before the diagnosis are 2021–2024"
    one = attrs.evolve(catalogue, scoring=attrs.evolve(catalogue.scoring, years=1))
    data["years"] = [{"year": 2020, "indicators": {"clean_energy_share": 70}}]
    (p,) = [p for p in _errors(data, one) if p.code == "no-scored-year"]
    assert p.message_zh == "没有诊断年份前一年(2024)的数据" and "the one year before" in p.message_en


def test_the_largest_year_count_fits_in_a_dataset(catalogue):
    """The catalogue may score up to its schema's maximum of years; a dataset then holds those and the base year."""
    schemas = ROOT / "catalogue" / "schemas"
    count_schema = json.loads((schemas / "catalogue.schema.json").read_text(encoding="utf-8"))
    most = count_schema["properties"]["scoring"]["properties"]["years"]["properties"]["count"]["maximum"]
    cat = attrs.evolve(catalogue, scoring=attrs.evolve(catalogue.scoring, years=most))
    years = list(range(2025 - most - 1, 2025))  # the base year, then every scored year
    data = {"format": "greendiag-dataset/1", "park": {"name": "某园区"}, "diagnosis_year": 2025,
            "years": [{"year": y, "statistics": {"employees": 1000 + y}} for y in years]}
    data["years"][-1]["indicators"] = {"clean_energy_share": 70}
    ds = greendiag.dataset_from_dict(data, catalogue=cat)
    assert ds.years == tuple(years[1:]) and [s.year for s in ds.statistics] == years
