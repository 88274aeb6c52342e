"""Energy by carrier, session 10: a carrier's own (measured) coefficient, the energy settings read from conversion.yaml,
and the check of a year's clean energy against its natural gas by carrier.

Expected numbers are worked out here by hand from the values printed in catalogue/conversion.yaml (1 kgce = 29307 kJ;
electricity 0.1229 kgce/kWh, gas-field gas 1.2143 kgce/m3, heat 0.03412 kgce/MJ, diesel 1.4571 kgce/kg), never by the
code under test.
"""

from __future__ import annotations

import copy
import pathlib

import openpyxl
import pytest
import yaml

import greendiag
from greendiag.errors import DatasetError
from greendiag.excel import write_template
from greendiag.yamlio import read_document

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHEET = "分品种能源"
MEASURED = {"value": "20908 kJ/kg", "evidence": "H-1 煤质化验报告"}


@pytest.fixture(scope="module")
def demo_raw():
    return read_document(ROOT / "examples" / "demo-park.yaml").data


def _with(demo_raw, year: int = 2024, *, energy="keep", statistics=None, **coefficients) -> dict:
    """The demo park with `coefficients` ({carrier: coefficient}) on that year's carriers; energy=None drops the
    reported energy consumption; `statistics` are set on the year."""
    data = copy.deepcopy(demo_raw)
    block = next(b for b in data["years"] if b["year"] == year)
    for carrier, coefficient in coefficients.items():
        block["energy_by_carrier"][carrier]["coefficient"] = coefficient
    if energy is None:
        block["statistics"].pop("energy_consumption", None)
    block["statistics"].update(statistics or {})
    return data


def _carrier(ds, carrier: str, year: int = 2024):
    (c,) = [c for c in ds.energy_by_carrier if c.carrier == carrier and c.year == year]
    return c


def _problems(data) -> list:
    with pytest.raises(DatasetError) as exc:
        greendiag.dataset_from_dict(data)
    return exc.value.problems


# ---------------------------------------------------------------------------------------------- own coefficient

def test_a_measured_low_calorific_value_replaces_the_catalogue_coefficient(demo_raw):
    ds = greendiag.dataset_from_dict(_with(demo_raw, energy=None, raw_coal=MEASURED, diesel={"value": 1.46, "unit": "kgce/kg",
                                                                                              "evidence": "R-2"}))
    coal = _carrier(ds, "raw_coal")
    # 20908 kJ/kg ÷ 29307 kJ/kgce = 0.713413177739 kgce/kg (to 12 digits); 10000 t = 1e7 kg → 7134.13177739 tce
    assert coal.coefficient == pytest.approx(20908 / 29307, rel=1e-11)
    assert coal.tce == pytest.approx(7134.13177739, rel=1e-11)
    assert (coal.coefficient_given, coal.coefficient_evidence) == ("20908 kJ/kg", "H-1 煤质化验报告")
    diesel = _carrier(ds, "diesel")
    assert diesel.tce == pytest.approx(7300.0)  # 5000 t = 5e6 kg × 1.46 kgce/kg ÷ 1000 (catalogue 1.4571 would give 7285.5)
    assert _carrier(ds, "heat").coefficient is None
    # the year's sum: electricity 2.6e9 kWh × 0.1229 = 319540; gas 2.4e8 m3 × 1.2143 = 291432; heat 2.2e9 MJ × 0.03412 =
    # 75064; raw coal 7134.13177739; diesel 7300 → 700470.13177739 tce
    (energy,) = [s for s in ds.statistics if s.statistic == "energy_consumption" and s.year == 2024]
    assert energy.origin == "carriers"
    assert energy.value == pytest.approx(319540 + 291432 + 75064 + 7134.13177739 + 7300, rel=1e-11)


def test_a_coefficient_in_other_units_of_the_same_kind(demo_raw):
    # 20.908 MJ/kg is 20908 kJ/kg; 0.713413 kgce/kg directly; "20908 kJ/kg" written in one string without evidence mapping
    a = _carrier(greendiag.dataset_from_dict(_with(demo_raw, raw_coal={"value": "20.908 MJ/kg", "evidence": "H-1"})), "raw_coal")
    assert a.coefficient == pytest.approx(20908 / 29307, rel=1e-11)
    b = _carrier(greendiag.dataset_from_dict(_with(demo_raw, raw_coal={"value": 0.713413, "unit": "kgce/kg", "evidence": "H-1"})), "raw_coal")
    assert b.tce == pytest.approx(1e7 * 0.713413 / 1000)


@pytest.mark.parametrize("carrier, coefficient, code, at", [
    ("raw_coal", {"value": "20908 MJ/kg", "evidence": "H"}, "coefficient-out-of-range", "coefficient.value"),  # 713 kgce/kg
    ("raw_coal", {"value": "-0.7 kgce/kg", "evidence": "H"}, "coefficient-out-of-range", "coefficient.value"),
    ("raw_coal", {"value": "0 kgce/kg", "evidence": "H"}, "coefficient-out-of-range", "coefficient.value"),
    ("gasfield_gas", {"value": "0.9 kgce/m3", "evidence": "H"}, "coefficient-out-of-range", "coefficient.value"),  # below 1.1
    ("raw_coal", {"value": 0.7, "evidence": "H"}, "coefficient-unit", "coefficient.unit"),  # kgce/kg or kJ/kg? not guessed
    ("raw_coal", {"value": "0.7 kgce/m3", "evidence": "H"}, "coefficient-unit", "coefficient.value"),  # coal is per kg
    ("raw_coal", {"value": "0.7 tce", "evidence": "H"}, "coefficient-unit", "coefficient.value"),
    ("raw_coal", {"value": "很高", "evidence": "H"}, "not-a-number", "coefficient.value"),
    ("raw_coal", {"value": "0.7 kgce/kg"}, "coefficient-evidence-missing", "coefficient.evidence"),
    ("raw_coal", "0.7 kgce/kg", "coefficient-evidence-missing", "coefficient"),
    ("heat", {"value": "0.04 kgce/MJ", "evidence": "H"}, "coefficient-not-accepted", "coefficient"),
    ("electricity", {"value": "0.3 kgce/kWh", "evidence": "H"}, "coefficient-not-accepted", "coefficient"),  # no 等价值
])
def test_a_bad_coefficient_is_a_located_error(demo_raw, carrier, coefficient, code, at):
    (p,) = _problems(_with(demo_raw, **{carrier: coefficient}))
    assert p.code == code
    assert p.location == "$.years[3].energy_by_carrier." + carrier + "." + at
    assert "2024年" in p.message_zh and p.fix_zh


def test_the_range_is_the_catalogues(demo_raw):
    conv = yaml.safe_load((ROOT / "catalogue" / "conversion.yaml").read_text(encoding="utf-8"))
    coal = next(c for c in conv["standard_coal"]["coefficients"] if c["carrier"] == "raw_coal")
    low, high = coal["own"]["min"], coal["own"]["max"]
    inside = _carrier(greendiag.dataset_from_dict(_with(demo_raw, raw_coal={"value": f"{high} kgce/kg", "evidence": "H"})), "raw_coal")
    assert inside.coefficient == high
    (p,) = _problems(_with(demo_raw, raw_coal={"value": f"{high * 1.01} kgce/kg", "evidence": "H"}))
    assert p.code == "coefficient-out-of-range" and f"{low:g}–{high:g}" in p.message_zh
    assert all("own" not in c for c in conv["standard_coal"]["coefficients"] if c["carrier"] in ("heat", "electricity"))


# ---------------------------------------------------------------------------------------------- workbook

def _cell(ws, carrier: str, slot: int, col: int):
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == f"carrier:{slot}:{carrier}")
    return ws.cell(row, col)


def test_the_workbook_carries_the_own_coefficient_both_ways(demo_raw, tmp_path):
    ds = greendiag.dataset_from_dict(_with(demo_raw, raw_coal=MEASURED))
    path = tmp_path / "own.xlsx"
    write_template(path, ds.catalogue, dataset=ds)
    ws = openpyxl.load_workbook(path)[SHEET]
    assert [ws.cell(2, c).value.split("\n")[0] for c in (9, 10)] == ["实测折标系数", "系数证明材料索引"]
    slot = 3  # 2024 is the third scored year of the 2025 diagnosis (slot 0 is the base year 2021)
    assert (_cell(ws, "raw_coal", slot, 9).value, _cell(ws, "raw_coal", slot, 10).value) == ("20908 kJ/kg", "H-1 煤质化验报告")
    back = greendiag.load_dataset(path)
    assert back.energy_by_carrier == ds.energy_by_carrier


def test_a_workbook_without_the_new_columns_is_still_read(demo_raw, tmp_path):
    ds = greendiag.dataset_from_dict(_with(demo_raw, raw_coal=MEASURED))
    path = tmp_path / "old.xlsx"
    write_template(path, ds.catalogue, dataset=ds)
    wb = openpyxl.load_workbook(path)
    wb[SHEET].delete_cols(9, 2)  # the layout before the own coefficient: the table ends with 证明材料索引
    wb.save(path)
    back = greendiag.load_dataset(path)
    coal = _carrier(back, "raw_coal")
    assert coal.coefficient is None and coal.tce == pytest.approx(1e7 * 0.7143 / 1000)  # the catalogue's 0.7143 kgce/kg
    assert len(back.energy_by_carrier) == len(ds.energy_by_carrier)


def test_a_bad_coefficient_in_the_workbook_is_reported_at_its_cell(demo_raw, tmp_path):
    ds = greendiag.dataset_from_dict(demo_raw)
    path = tmp_path / "bad.xlsx"
    write_template(path, ds.catalogue, dataset=ds)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    own = _cell(ws, "raw_coal", 3, 9)
    own.value = "20908 MJ/kg"
    _cell(ws, "raw_coal", 3, 10).value = "H-1"
    orphan = _cell(ws, "diesel", 3, 10)
    orphan.value = "R-2"  # evidence without a coefficient
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path)
    found = {(p.code, p.location) for p in exc.value.problems}
    assert ("coefficient-out-of-range", f"{SHEET}!{own.coordinate}") in found
    assert ("required", f"{SHEET}!I{orphan.row}") in found


# ---------------------------------------------------------------------------------------------- settings in conversion.yaml

def test_the_energy_settings_come_from_conversion_yaml():
    from greendiag import dataset

    conv = yaml.safe_load((ROOT / "catalogue" / "conversion.yaml").read_text(encoding="utf-8"))
    cat = greendiag.load_catalogue()
    assert cat.energy_statistic == conv["energy_statistic"] == "energy_consumption"
    assert cat.calorific_value == 29307
    for per, names in conv["carrier_units"].items():
        assert dataset.carrier_units(per) == tuple(names)
    assert dataset.carrier_units("kWh")[0] == "万kWh"  # the workbook's default, as before
    assert {c.key for c in cat.coal_coefficients if c.clean} == {"oilfield_gas", "gasfield_gas"}


# ---------------------------------------------------------------------------------------------- clean energy vs natural gas

def _clean_findings(data) -> list:
    d = greendiag.diagnose(greendiag.dataset_from_dict(data), backend="python")
    return [f for f in d.findings if f.rule_id == "anomaly.year.clean_below_gas"]


def test_clean_energy_below_the_natural_gas_by_carrier_is_a_finding(demo_raw):
    # 2024 gas-field gas: 24000 万m3 = 2.4e8 m3 × 1.2143 kgce/m3 ÷ 1000 = 291432 tce; a clean-energy total of 250000 tce
    # cannot include it
    (f,) = _clean_findings(_with(demo_raw, statistics={"clean_energy_consumption": 250000}))
    assert (f.year, f.kind, f.indicator_id, f.threshold) == (2024, "anomaly", "clean_energy_share", 291432)
    assert "天然气" in f.message_zh and "250000 tce" in f.message_zh and "291432 tce" in f.message_zh


@pytest.mark.parametrize("clean", [291432, 400000, None])
def test_no_finding_when_clean_energy_covers_the_gas(demo_raw, clean):
    assert _clean_findings(_with(demo_raw, statistics={} if clean is None else {"clean_energy_consumption": clean})) == []


def test_a_measured_gas_coefficient_counts_in_the_check(demo_raw):
    # 1.3 kgce/m3 measured: 2.4e8 m3 × 1.3 ÷ 1000 = 312000 tce > 300000 reported clean energy (catalogue's would be 291432)
    data = _with(demo_raw, statistics={"clean_energy_consumption": 300000},
                 gasfield_gas={"value": "1.3 kgce/m3", "evidence": "燃气热值检测报告"})
    (f,) = _clean_findings(data)
    assert f.threshold == 312000


def test_the_report_quotes_a_measured_coefficient_where_the_energy_is_shown(demo_raw, tmp_path):
    from conftest import plain_punct
    from greendiag.reports import render_report

    ds = greendiag.dataset_from_dict(_with(demo_raw, energy=None, raw_coal=MEASURED))
    render_report(greendiag.diagnose(ds, backend="python"), tmp_path / "r.md", lang="zh")
    md = plain_punct((tmp_path / "r.md").read_text(encoding="utf-8"))
    # 20908 kJ/kg ÷ 29307 kJ/kgce = 0.7134 kgce/kg (four digits as printed)
    quoted = "20908 kJ/kg(0.7134 kgce/kg、H-1 煤质化验报告)"
    assert f"其中2024年原煤按实测值{quoted}折算。" in md
    row = next(line for line in md.splitlines() if line.startswith("| 2024年 | 原煤 |"))
    assert f"实测折标系数{quoted}" in row
    # the demo burns raw coal in 2024 only: the catalogue's 0.7143 was not used and is not listed; diesel's 1.4571 is
    assert "原煤0.7143 kgce/kg" not in md and "柴油1.4571 kgce/kg" in md
