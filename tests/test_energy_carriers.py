"""Energy consumption by carrier (分品种能源消费): converted with the catalogue's GB/T 2589 coefficients and summed to the
year's energy consumption; checked against a reported total; carried through the workbook, diagnosis.json and report.

Expected numbers are worked out here by hand from the coefficients printed in catalogue/conversion.yaml (electricity
0.1229 kgce/kWh, raw coal 0.7143 kgce/kg, gas-field gas 1.2143 kgce/m3, heat 0.03412 kgce/MJ, diesel 1.4571 kgce/kg),
never by the code under test.
"""

from __future__ import annotations

import copy
import json
import math
import pathlib

import attrs
import openpyxl
import pytest

import greendiag
from greendiag.errors import DatasetError
from greendiag.excel import write_template
from greendiag.reports import render_report
from greendiag.yamlio import read_document

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHEET = "分品种能源"


@pytest.fixture(scope="module")
def demo_raw():
    return read_document(ROOT / "examples" / "demo-park.yaml").data


def _year(data: dict, year: int) -> dict:
    return next(b for b in data["years"] if b["year"] == year)


def _with(demo_raw, carriers: dict, *, year: int = 2024, energy="keep") -> dict:
    """The demo park with `carriers` as that year's energy by carrier; energy=None drops the reported total, a number
    replaces it."""
    data = copy.deepcopy(demo_raw)
    block = _year(data, year)
    block["energy_by_carrier"] = carriers
    if energy is None:
        block.setdefault("statistics", {}).pop("energy_consumption", None)
    elif energy != "keep":
        block.setdefault("statistics", {})["energy_consumption"] = energy
    return data


def _energy(ds, year: int):
    (s,) = [s for s in ds.statistics if s.statistic == "energy_consumption" and s.year == year]
    return s


def _problems(data) -> list:
    with pytest.raises(DatasetError) as exc:
        greendiag.dataset_from_dict(data)
    return exc.value.problems


# ------------------------------------------------------------------ conversion by hand


@pytest.mark.parametrize("carrier, given, tce", [
    ("electricity", {"value": 1_000_000, "unit": "kWh"}, 122.9),      # 1,000,000 kWh × 0.1229 kgce/kWh = 122,900 kgce
    ("electricity", "100 万kWh", 122.9),                                # the same in 万kWh
    ("electricity", "0.01 亿kWh", 122.9),
    ("electricity", "1000 MWh", 122.9),
    ("raw_coal", "10 t", 7.143),                                        # 10,000 kg × 0.7143
    ("raw_coal", {"value": 0.001, "unit": "万t"}, 7.143),
    ("gasfield_gas", "1 万m3", 12.143),                                 # 10,000 m3 × 1.2143
    ("heat", "1000 GJ", 34.12),                                         # 1,000,000 MJ × 0.03412
    ("heat", {"value": 0.1, "unit": "万GJ"}, 34.12),
    ("diesel", "2 t", 2.9142),                                          # 2,000 kg × 1.4571
])
def test_each_carrier_is_converted_with_its_coefficient(demo_raw, carrier, given, tce):
    ds = greendiag.dataset_from_dict(_with(demo_raw, {carrier: given}, energy=None))
    (c,) = ds.energy_by_carrier
    assert c.carrier == carrier and c.year == 2024
    assert c.tce == pytest.approx(tce, rel=1e-12)
    s = _energy(ds, 2024)
    assert s.origin == "carriers" and s.value == pytest.approx(tce, rel=1e-12)


def test_the_sum_is_the_years_energy_consumption_and_indicators_derive_from_it(demo_raw):
    carriers = {"electricity": {"value": 260000, "unit": "万kWh", "evidence": "E1"}, "gasfield_gas": "24000 万m3",
                "heat": {"value": 2200000, "unit": "GJ"}, "raw_coal": "10000 t", "diesel": {"value": 5000, "unit": "t"}}
    ds = greendiag.dataset_from_dict(_with(demo_raw, carriers, energy=None))
    # 319,540 + 291,432 + 75,064 + 7,143 + 7,285.5 tce
    total = 319540 + 291432 + 75064 + 7143 + 7285.5
    assert total == 700464.5
    s = _energy(ds, 2024)
    assert s.value == 700464.5 and s.origin == "carriers"
    assert s.evidence.startswith("由分品种能源折算:") and "电力(当量值) (E1)" in s.evidence
    v = ds.value("energy_productivity", 2024)  # 万元/tce: value added 2,230,000 万元 over the sum
    assert v.origin == "derived" and v.value == pytest.approx(2230000 / 700464.5, rel=1e-11)
    # the carriers come in the catalogue's order, whatever order they were given in
    assert [c.carrier for c in ds.energy_by_carrier] == ["raw_coal", "diesel", "gasfield_gas", "heat", "electricity"]
    assert [c.quantity for c in ds.energy_by_carrier] == [1e7, 5e6, 2.4e8, 2.2e9, 2.6e9]
    assert [c.unit for c in ds.energy_by_carrier] == ["kg", "kg", "m3", "MJ", "kWh"]


def test_a_base_year_breakdown_serves_year_over_year_indicators(demo_raw):
    data = _with(demo_raw, {"electricity": "500000 万kWh"}, year=2021)
    ds = greendiag.dataset_from_dict(data)
    s = _energy(ds, 2021)
    assert s.origin == "carriers" and s.value == pytest.approx(614500.0, rel=1e-12)  # 5e9 kWh × 0.1229 / 1000


# ------------------------------------------------------------------ a reported total beside the carriers


def test_a_reported_total_that_agrees_is_scored_without_a_note(demo_raw):
    ds = greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml")  # 705,000 reported, 700,464.5 by carrier: 0.65 %
    s = _energy(ds, 2024)
    assert s.origin == "reported" and s.value == 705000
    assert not [n for n in ds.notes if n.code == "energy-carriers-disagree"]


def test_a_reported_total_that_disagrees_is_a_located_note_and_is_scored(demo_raw):
    data = _with(demo_raw, {"electricity": "1000000 kWh"}, energy=130.0)  # 122.9 by carrier: 5.78 % apart
    ds = greendiag.dataset_from_dict(data)
    (note,) = [n for n in ds.notes if n.code == "energy-carriers-disagree"]
    assert note.location == "$.years[3].statistics.energy_consumption"
    assert "130 tce" in note.message_zh and "122.9 tce" in note.message_zh and "5.8%" in note.message_zh
    assert "超过核查阈值5%" in note.message_zh and "评分采用填报值" in note.message_zh
    assert "the reported value is used" in note.message_en
    assert _energy(ds, 2024).value == 130.0 and _energy(ds, 2024).origin == "reported"
    d = greendiag.diagnose(ds, backend="python").to_dict()
    assert [n["code"] for n in d["input_notes"]] == ["energy-carriers-disagree"]
    year = d["energy_by_carrier"]["years"][0]
    assert year["basis"] == "reported" and year["reported_tce"] == 130.0 and year["total_tce"] == 122.9
    assert year["gap_pct"] == pytest.approx((130 - 122.9) / 122.9 * 100, rel=1e-9)


def test_within_the_threshold_there_is_no_note(demo_raw):
    ds = greendiag.dataset_from_dict(_with(demo_raw, {"electricity": "1000000 kWh"}, energy=128.0))  # 4.15 % apart
    assert not [n for n in ds.notes if n.code == "energy-carriers-disagree"]


def test_the_threshold_is_the_rule_constant_for_reported_beside_derived():
    from greendiag.dataset import agreement_tolerance

    rules = read_document(ROOT / "rules" / "anomalies.yaml").data
    assert agreement_tolerance() == rules["constants"]["derived_gap_pct"]["value"] == 5


# ------------------------------------------------------------------ bad input


def test_a_bare_number_needs_its_unit(demo_raw):
    (p,) = _problems(_with(demo_raw, {"electricity": 1200000}))
    assert p.code == "carrier-unit-missing" and p.location == "$.years[3].energy_by_carrier.electricity"
    assert "万kWh" in p.fix_zh


@pytest.mark.parametrize("carrier, given, where, unit", [
    ("heat", "3 t", "$.years[3].energy_by_carrier.heat", "t"),
    ("raw_coal", {"value": 5, "unit": "万m3"}, "$.years[3].energy_by_carrier.raw_coal.unit", "万m3"),
    ("electricity", "5 GJ/h", "$.years[3].energy_by_carrier.electricity", "GJ/h"),
    ("gasfield_gas", "5 kg", "$.years[3].energy_by_carrier.gasfield_gas", "kg"),
])
def test_a_unit_of_another_kind_is_refused_naming_field_unit_and_fix(demo_raw, carrier, given, where, unit):
    (p,) = _problems(_with(demo_raw, {carrier: given}))
    assert p.code == "wrong-dimension" and p.location == where and p.file == "<data>"
    assert f"“{unit}”" in p.message_zh and f"'{unit}'" in p.message_en
    assert p.fix_zh and p.fix_en


def test_an_unknown_unit_is_refused(demo_raw):
    (p,) = _problems(_with(demo_raw, {"electricity": "5 blorps"}))
    assert p.code == "unknown-unit" and p.location == "$.years[3].energy_by_carrier.electricity"


@pytest.mark.parametrize("key, near", [("electrcity", "electricity"), ("天然气", "gasfield_gas"), ("coal", "raw_coal"),
                                       ("电力", "electricity")])
def test_an_unknown_carrier_gets_a_did_you_mean(demo_raw, key, near):
    (p,) = _problems(_with(demo_raw, {key: "5 t"}))
    assert p.code == "unknown-carrier" and p.location == f"$.years[3].energy_by_carrier.{key}"
    assert near in p.fix_zh.split("?")[0] and near in p.fix_en.split("?")[0]


def test_negative_and_non_numbers_are_refused(demo_raw):
    problems = _problems(_with(demo_raw, {"diesel": "-5 t", "lpg": "abc", "petrol": "2025-01-01"}))
    assert {(p.code, p.location.rsplit(".", 1)[1]) for p in problems} == {("negative-value", "diesel"), ("not-a-number", "lpg"),
                                                                         ("not-a-number", "petrol")}


def test_nan_passed_in_a_dict_is_refused(demo_raw):
    problems = _problems(_with(demo_raw, {"electricity": {"value": math.nan, "unit": "kWh"}}))
    assert [(p.code, p.location) for p in problems] == [("non-finite-number", "$.years[3].energy_by_carrier.electricity.value")]


def test_a_year_with_a_bad_carrier_gets_no_total(demo_raw):
    """The other carriers of that year are not summed into a wrong total (no follow-on problems about it)."""
    problems = _problems(_with(demo_raw, {"electricity": "1000000 kWh", "heat": "3 t"}, energy=None))
    assert [p.code for p in problems] == ["wrong-dimension"]


# ------------------------------------------------------------------ diagnosis.json and the report


def test_diagnosis_records_the_coefficients_and_lists_the_scored_ones_as_provisional(demo_raw):
    data = _with(demo_raw, {"electricity": "1000000 kWh", "raw_coal": "10 t"}, energy=None)
    d = greendiag.diagnose(greendiag.dataset_from_dict(data), backend="python").to_dict()
    e = d["energy_by_carrier"]
    assert [(c["carrier"], c["value"], c["unit"]) for c in e["coefficients"]] == [("raw_coal", 0.7143, "kgce/kg"),
                                                                                  ("electricity", 0.1229, "kgce/kWh")]
    assert all(c["provisional"] and c["sources"][0]["doc"] == "gbt-2589-2020" for c in e["coefficients"])
    (year,) = e["years"]
    assert year == {"year": 2024, "total_tce": 130.043, "reported_tce": None, "gap_pct": None, "basis": "carriers",
                    "carriers": [{"carrier": "raw_coal", "name_zh": "原煤", "name_en": "Raw coal", "quantity": 10000.0, "unit": "kg",
                                  "given": "10 t", "tce": 7.143, "evidence": None},
                                 {"carrier": "electricity", "name_zh": "电力(当量值)", "name_en": "Electricity (calorific equivalent)",
                                  "quantity": 1000000.0, "unit": "kWh", "given": "1000000 kWh", "tce": 122.9, "evidence": None}]}
    coef = [p for p in d["provisional"] if p["kind"] == "coefficient"]
    assert [p["what"] for p in coef] == ["原煤 0.7143 kgce/kg", "电力(当量值) 0.1229 kgce/kWh"]
    kinds = [p["kind"] for p in d["provisional"]]
    assert kinds.index("coefficient") > kinds.index("reference") and kinds.index("coefficient") < kinds.index("rule_constant")


def test_coefficients_that_only_check_a_reported_total_are_not_what_scores_rest_on():
    d = greendiag.diagnose(ROOT / "examples" / "demo-park.yaml", backend="python").to_dict()
    assert d["energy_by_carrier"]["years"][0]["basis"] == "reported"
    assert not [p for p in d["provisional"] if p["kind"] == "coefficient"]
    assert "energy_by_carrier" not in greendiag.diagnose(_without_carriers(), backend="python").to_dict()


def _without_carriers() -> dict:
    data = copy.deepcopy(read_document(ROOT / "examples" / "demo-park.yaml").data)
    for block in data["years"]:
        block.pop("energy_by_carrier", None)
    return data


def test_the_report_says_how_energy_was_converted_and_tables_the_breakdown(demo_raw, tmp_path):
    data = _with(demo_raw, {"electricity": "1000000 kWh", "raw_coal": "10 t"}, energy=None)
    md = pathlib.Path(render_report(greendiag.diagnose(greendiag.dataset_from_dict(data), backend="python"),
                                    tmp_path / "r.md")).read_text(encoding="utf-8")
    method = md.split("5. 诊断方法与评分说明")[1].split("6. 数据核查")[0]
    assert "GB/T 2589《综合能耗计算通则》的折标准煤系数" in method
    assert "电力(当量值)0.1229 kgce/kWh" in method.replace("（", "(").replace("）", ")")
    assert "电力按当量值折算" in method and "系数取自GB/T 2589附录A参考值" in method
    assert "2024年综合能源消费量为分品种折算合计130.043 tce" in method
    assert "| 2024年 | 电力" in method and "| 1000000 kWh | 122.9 |" in method and "| 合计 |" in method
    assert "折标及排放系数2项" in md  # the provisional sentence counts the two coefficients the scores rest on


def test_a_disagreeing_total_is_in_the_reports_data_notes(demo_raw, tmp_path):
    data = _with(demo_raw, {"electricity": "1000000 kWh"}, energy=130.0)
    md = pathlib.Path(render_report(greendiag.diagnose(greendiag.dataset_from_dict(data), backend="python"),
                                    tmp_path / "r.md")).read_text(encoding="utf-8")
    notes = md.split("6. 数据核查与工作说明")[1].split("## 三、")[0]
    assert "分品种能源按折标准煤系数折算的合计" in notes and "评分采用填报值" in notes
    assert "评分采用填报值" in md.split("5. 诊断方法与评分说明")[1].split("6. 数据核查")[0]


# ------------------------------------------------------------------ workbook


def _cell(ws, key: str, head: str):
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
    col = next(c for c in range(2, ws.max_column + 1) if str(ws.cell(2, c).value or "").startswith(head))
    return ws.cell(row, col)


def test_prefilled_workbook_round_trips_every_form_of_quantity(demo_raw, tmp_path):
    carriers = {"electricity": {"value": 260000, "unit": "万kWh", "evidence": "E1"}, "gasfield_gas": "24000 万m3",
                "heat": {"value": "2200000 GJ", "unit": "GJ"}, "raw_coal": "1e4 t", "diesel": {"value": 0.5, "unit": "万 t"}}
    data = _with(demo_raw, carriers, energy=None)
    data = _with(data, {"electricity": "26 亿kWh"}, year=2023)
    ds = greendiag.dataset_from_dict(data, source="park.yaml")
    path = tmp_path / "pre.xlsx"
    write_template(path, ds.catalogue, dataset=ds)
    got = greendiag.load_dataset(path, catalogue=ds.catalogue)
    assert attrs.evolve(got, source=ds.source) == ds
    assert got.energy_by_carrier == ds.energy_by_carrier
    ws = openpyxl.load_workbook(path)[SHEET]
    assert _cell(ws, "carrier:3:electricity", "消费量").value == 260000 and _cell(ws, "carrier:3:electricity", "计量单位").value == "万kWh"
    assert _cell(ws, "carrier:3:raw_coal", "消费量").value == "1e4 t"  # as typed: it carries its unit
    assert _cell(ws, "carrier:2:electricity", "消费量").value == 26 and _cell(ws, "carrier:2:electricity", "计量单位").value == "亿kWh"
    assert _cell(ws, "carrier:3:lpg", "消费量").value is None and _cell(ws, "carrier:3:lpg", "计量单位").value == "t"  # a default
    # the sum is not written as a reported statistic: it would come back as another dataset
    stats = openpyxl.load_workbook(path)["原始统计数据"]
    assert _cell_stat(stats, "energy_consumption", 2024, 2025) is None


def _cell_stat(ws, sid: str, year: int, dy: int):
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == f"stat:{sid}")
    col = next(c for c in range(2, ws.max_column + 1) if str(ws.cell(2, c).value or "").startswith("数值"))
    return ws.cell(row, col + (year - (dy - 4))).value


def test_the_demo_workbook_holds_the_yamls_breakdown():
    want = greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml")
    got = greendiag.load_dataset(ROOT / "examples" / "demo-park.xlsx")
    assert got.energy_by_carrier == want.energy_by_carrier and len(want.energy_by_carrier) == 5


def test_workbook_problems_are_located_at_their_cells(tmp_path):
    path = tmp_path / "park.xlsx"
    write_template(path, greendiag.load_catalogue(), dataset=ROOT / "examples" / "demo-park.yaml")
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    _cell(ws, "carrier:3:raw_coal", "计量单位").value = "万m3"        # coal in volume
    _cell(ws, "carrier:3:lpg", "证明材料索引").value = "L-2024"         # evidence without a quantity
    _cell(ws, "carrier:2:heat", "消费量").value = "5 kWh/h"             # its own unit, of another kind
    _cell(ws, "carrier:1:coke", "消费量").value = 12                    # unit cell cleared below
    _cell(ws, "carrier:1:coke", "计量单位").value = None
    refs = {k: f"{SHEET}!{_cell(ws, *k).coordinate}" for k in (("carrier:3:raw_coal", "计量单位"), ("carrier:3:lpg", "消费量"),
                                                                ("carrier:2:heat", "消费量"), ("carrier:1:coke", "消费量"))}
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path)
    got = {(p.code, p.location) for p in exc.value.problems}
    assert got == {("wrong-dimension", refs[("carrier:3:raw_coal", "计量单位")]), ("required", refs[("carrier:3:lpg", "消费量")]),
                   ("wrong-dimension", refs[("carrier:2:heat", "消费量")]), ("carrier-unit-missing", refs[("carrier:1:coke", "消费量")])}
    coal = next(p for p in exc.value.problems if p.location == refs[("carrier:3:raw_coal", "计量单位")])
    assert coal.message_zh.startswith("2024年 原煤:单位“万m3”") and coal.file == str(path)


def test_a_workbook_made_before_the_sheet_existed_still_reads(tmp_path):
    path = tmp_path / "old.xlsx"
    write_template(path, greendiag.load_catalogue(), dataset=_dataset_without_carriers())
    wb = openpyxl.load_workbook(path)
    del wb[SHEET]
    wb.save(path)
    got = greendiag.load_dataset(path)
    assert got.energy_by_carrier == () and _energy(got, 2024).value == 705000


def _dataset_without_carriers():
    return greendiag.dataset_from_dict(_without_carriers(), source="park.yaml")


# ------------------------------------------------------------------ backends and determinism


def test_both_backends_give_the_same_diagnosis(demo_raw):
    ds = greendiag.dataset_from_dict(_with(demo_raw, {"electricity": "1000000 kWh", "heat": "5 GJ"}, energy=None))
    assert greendiag.diagnose(ds, backend="durable").to_json() == greendiag.diagnose(ds, backend="python").to_json()


def test_the_same_input_gives_byte_identical_json_whatever_the_order_of_the_carriers(demo_raw):
    a = _with(demo_raw, {"electricity": "1000000 kWh", "raw_coal": "10 t", "heat": "5 GJ"}, energy=None)
    b = _with(demo_raw, {"heat": "5 GJ", "raw_coal": "10 t", "electricity": "1000000 kWh"}, energy=None)
    ja = greendiag.diagnose(greendiag.dataset_from_dict(a), backend="python").to_json()
    jb = greendiag.diagnose(greendiag.dataset_from_dict(b), backend="python").to_json()
    assert ja == jb == greendiag.diagnose(greendiag.dataset_from_dict(a), backend="python").to_json()
    assert json.loads(ja)["energy_by_carrier"]["years"][0]["total_tce"] == 130.2136  # 122.9 + 7.143 + 0.1706
