"""Hostile input to today's new inputs: years[].energy_by_carrier, demonstration_work (YAML/JSON dicts and the workbook
sheets 分品种能源 and 示范性工作) and greendiag.score_value. Each bad input is a typed GreendiagError naming the field (or
cell) with the code a person can look up; odd but valid input gives the value worked out here by hand (coefficients of
catalogue/conversion.yaml: electricity 0.1229 kgce/kWh, raw coal 0.7143 kgce/kg, gas-field gas 1.2143 kgce/m3, heat
0.03412 kgce/MJ; lead value of energy_productivity 3 万元/tce, cap 120); the JSON stays byte-identical across runs,
hash seeds and backends."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
import math
import os
import pathlib
import subprocess
import sys

import attrs
import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greendiag
from greendiag.errors import DatasetError, GreendiagError, InputFileError, UnknownEntryError
from greendiag.excel import write_template

from excel_edits import excel_delete, excel_insert

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-park.yaml"
CS, DS = "分品种能源", "示范性工作"
QUIET = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
E24 = "$.years[3].energy_by_carrier"  # the demo park's 2024 block is years[3]


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cat():
    return greendiag.load_catalogue()


def _with(raw: dict, carriers, *, year: int = 2024, energy="drop", work="keep") -> dict:
    """The demo park with `carriers` as that year's energy by carrier; energy "drop" removes the reported 2024 total,
    a number replaces it, "keep" keeps it; `work` replaces demonstration_work (None removes it)."""
    d = copy.deepcopy(raw)
    block = next(b for b in d["years"] if b["year"] == year)
    block["energy_by_carrier"] = carriers
    if energy == "drop":
        block.setdefault("statistics", {}).pop("energy_consumption", None)
    elif energy != "keep":
        block["statistics"]["energy_consumption"] = energy
    if work != "keep":
        d.pop("demonstration_work", None)
        if work is not None:
            d["demonstration_work"] = work
    return d


def _problems(data) -> list[tuple[str, str]]:
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(data)
    for p in info.value.problems:
        assert p.message_zh.strip() and p.message_en.strip() and p.file == "<data>", p
    return [(p.code, p.location) for p in info.value.problems]


def _carriers(ds, year: int = 2024) -> dict:
    return {c.carrier: c for c in ds.energy_by_carrier if c.year == year}


def _energy(ds, year: int = 2024):
    (s,) = [s for s in ds.statistics if s.statistic == "energy_consumption" and s.year == year]
    return s


# ================================================================== energy_by_carrier in a dataset dict


@pytest.mark.parametrize("carrier, given, code, where", [
    ("electricity", ["5 kWh"], "schema-type", ""),
    ("electricity", {}, "schema-oneOf", ""),
    ("electricity", {"unit": "kWh"}, "schema-oneOf", ""),                     # no value
    ("electricity", True, "schema-type", ""),
    ("electricity", None, "schema-type", ""),
    ("electricity", "", "schema-minLength", ""),
    ("electricity", {"value": True, "unit": "kWh"}, "schema-type", ".value"),
    ("electricity", {"value": 5, "unit": 3}, "schema-type", ".unit"),
    ("electricity", {"value": 5, "unit": "kWh", "bogus": 1}, "schema-additionalProperties", ""),
    ("electricity", {"value": 10 ** 400, "unit": "kWh"}, "number-too-large", ".value"),
    ("electricity", {"value": 1e309, "unit": "kWh"}, "non-finite-number", ".value"),   # 1e309 is inf
    ("electricity", {"value": math.nan, "unit": "kWh"}, "non-finite-number", ".value"),
    ("electricity", decimal.Decimal(5), "unsupported-type", ""),
    ("electricity", "5 kWh\x07", "control-character", ""),
    ("electricity", "   ", "not-a-number", ""),
    ("electricity", "2024-01-01", "not-a-number", ""),
    ("electricity", "8,5 kWh", "decimal-comma", ""),
    ("electricity", "−5 kWh", "negative-value", ""),                          # U+2212 is a minus sign
    ("electricity", {"value": 5, "unit": "  "}, "carrier-unit-missing", ".value"),  # whitespace is no unit
    ("electricity", "5 kWh/h", "wrong-dimension", ""),                        # a power, not an energy
    ("electricity", "5 kW", "wrong-dimension", ""),
    ("electricity", "5 %", "wrong-dimension", ""),
    ("electricity", "5 tce", "wrong-dimension", ""),                          # already standard coal: not a physical quantity
    ("electricity", {"value": 5, "unit": "1"}, "wrong-dimension", ".unit"),
    ("electricity", {"value": 5, "unit": "-"}, "wrong-dimension", ".unit"),
    ("raw_coal", "5 kgce", "wrong-dimension", ""),
    ("gasfield_gas", "5 m3/h", "wrong-dimension", ""),
    ("electricity", "5 万万kWh", "unknown-unit", ""),
    ("electricity", "5 kkWh", "unknown-unit", ""),
    ("electricity", "5 YkWh", "unknown-unit", ""),                            # a prefix on the prefixed kWh
    ("electricity", "5 千度", "unknown-unit", ""),  # 度 and 万度 are units (kWh); 千度 is not
    ("gasfield_gas", "5 Gm3", "unknown-unit", ""),                            # giga-"m3" refused, not 5e9 m3 … or 5e27
    ("electricity", "1e308 万kWh", "number-too-large", ""),                   # 1e312 kWh
    ("electricity", {"value": "5 kWh", "unit": "万kWh"}, "conflicting-unit", ".value"),
])
def test_a_bad_carrier_value_is_one_located_problem(raw, carrier, given, code, where):
    assert _problems(_with(raw, {carrier: given})) == [(code, f"{E24}.{carrier}{where}")]


@pytest.mark.parametrize("carrier, given, quantity, tce", [
    ("electricity", "１２ 万kWh", 120000.0, 14.748),                  # full-width digits: 120,000 kWh × 0.1229 / 1000
    ("electricity", "１２ 万ｋＷｈ", 120000.0, 14.748),
    ("electricity", "1,000,000 kWh", 1e6, 122.9),
    ("electricity", "1 000 000 kWh", 1e6, 122.9),
    ("electricity", "5 万 kWh", 50000.0, 6.145),
    ("electricity", "1e-05 kWh", 1e-05, 1.229e-09),
    ("electricity", {"value": "1e-05", "unit": "万kWh"}, 0.1, 1.229e-05),
    ("electricity", "3.6 GJ", 1000.0, 0.1229),                         # same dimension: 3.6 GJ is 1000 kWh
    ("heat", "3.6 MWh", 12960.0, 0.44219520),                          # 12,960 MJ × 0.03412 / 1000
    ("raw_coal", "5 万吨", 5e7, 35715.0),
    ("raw_coal", {"value": 5, "unit": "吨"}, 5000.0, 3.5715),
    ("gasfield_gas", "5 L", 0.005, 6.0715e-06),
    ("electricity", {"value": "5 kWh", "unit": "kWh"}, 5.0, 6.145e-04),  # the same unit twice does not conflict
])
def test_odd_but_valid_quantities_convert_as_worked_out_by_hand(raw, carrier, given, quantity, tce):
    ds = greendiag.dataset_from_dict(_with(raw, {carrier: given}))
    c = _carriers(ds)[carrier]
    assert c.quantity == pytest.approx(quantity, rel=1e-11) and c.tce == pytest.approx(tce, rel=1e-11)
    assert _energy(ds).value == pytest.approx(tce, rel=1e-11) and _energy(ds).origin == "carriers"


@pytest.mark.parametrize("key, location", [
    ("电力", f"{E24}.电力"), ("天然气", f"{E24}.天然气"), ("Electricity", f"{E24}.Electricity"),
    ("ELECTRICITY", f"{E24}.ELECTRICITY"), ("", f"{E24}['']"), (" electricity", f"{E24}[' electricity']"),
    ("electricity ", f"{E24}['electricity ']"), ("plutonium", f"{E24}.plutonium"),
])
def test_unknown_carrier_keys_are_refused_by_name(raw, key, location):
    assert _problems(_with(raw, {key: "5 kWh"})) == [("unknown-carrier", location)]


def test_a_key_that_is_not_text_is_refused(raw):
    assert _problems(_with(raw, {1: "5 kWh"})) == [("bad-key", E24)]


def test_a_carrier_given_twice_in_a_file_is_a_duplicate_key(raw, tmp_path):
    text = yaml.safe_dump(_with(raw, {"electricity": "5 kWh"}), allow_unicode=True, sort_keys=False)
    (line,) = [x for x in text.splitlines() if x.strip() == "electricity: 5 kWh"]
    text = text.replace(line + "\n", line + "\n" + line.replace("5 kWh", "6 kWh") + "\n")
    path = tmp_path / "park.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        greendiag.load_dataset(path)
    assert isinstance(info.value, DatasetError)
    (p,) = info.value.problems
    assert p.code == "duplicate-key" and p.file == str(path) and p.line == text.splitlines().index(line.replace("5 kWh", "6 kWh")) + 1


@pytest.mark.parametrize("block", [["electricity"], "electricity", None, 5])
def test_a_carrier_block_that_is_no_mapping_is_refused(raw, block):
    assert _problems(_with(raw, block)) == [("schema-type", E24)]


def test_an_empty_carrier_block_is_no_data(raw):
    ds = greendiag.dataset_from_dict(_with(raw, {}, energy="keep"))
    assert not _carriers(ds) and _energy(ds).value == 705000 and _energy(ds).origin == "reported"


@pytest.mark.parametrize("year, code", [(2019, "year-before-base-year"), (2025, "year-not-before-diagnosis"),
                                        (2030, "year-not-before-diagnosis"), (2024, "duplicate-year")])
def test_carriers_for_a_year_outside_the_diagnosis_are_refused(raw, year, code):
    d = copy.deepcopy(raw)
    d["years"].append({"year": year, "energy_by_carrier": {"electricity": "5 kWh"}})
    assert _problems(d) == [(code, "$.years[4].year")]


def test_carriers_with_the_statistics_missing_still_give_the_years_energy(raw):
    """A block with only carriers (no statistics, no indicators) is a valid base year: the sum is its energy."""
    d = copy.deepcopy(raw)
    base = d["years"][0]
    assert base["year"] == 2021
    d["years"][0] = {"year": 2021, "energy_by_carrier": {"raw_coal": "1000 t"}}  # 1e6 kg × 0.7143 / 1000
    ds = greendiag.dataset_from_dict(d)
    assert _energy(ds, 2021).value == 714.3 and _energy(ds, 2021).origin == "carriers"
    assert not [s for s in ds.statistics if s.year == 2021 and s.statistic != "energy_consumption"]


def test_enormous_quantities_stay_finite_or_are_refused(raw):
    # 1.7e308 kWh × 1.229e-4 tce/kWh = 2.0893e304 tce; 1.7e308 kJ = 1.7e305 MJ × 3.412e-5 = 5.8004e300 tce
    ds = greendiag.dataset_from_dict(_with(raw, {"electricity": "1.7e308 kWh", "heat": "1.7e308 kJ"}))
    assert _energy(ds).value == pytest.approx(2.0893e304 + 5.8004e300, rel=1e-11)
    text = greendiag.diagnose(ds, backend="python").to_json()
    assert json.loads(text)["energy_by_carrier"]["years"][0]["total_tce"] == pytest.approx(2.08988004e304, rel=1e-11)
    # 1e306 t is 1e309 kg: beyond a float before the coefficient is applied
    assert _problems(_with(raw, {"electricity": "1 kWh", "raw_coal": "1e306 t"})) == [("number-too-large", f"{E24}.raw_coal")]


def test_a_zero_sum_by_carrier_is_located_at_the_carriers_not_at_a_statistic_never_given(raw, tmp_path):
    problems = _problems(_with(raw, {"electricity": "0 kWh", "heat": "0 GJ"}))
    assert problems and {c for c, _ in problems} == {"zero-denominator"}
    assert {loc for _, loc in problems} == {E24}
    path = tmp_path / "park.yaml"
    text = yaml.safe_dump(_with(raw, {"electricity": "0 kWh"}), allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    lines = text.splitlines()
    for p in info.value.problems:  # the block's first line: its first carrier
        assert p.code == "zero-denominator" and lines[p.line - 1].strip() == "electricity: 0 kWh", p
        assert lines[p.line - 2].strip() == "energy_by_carrier:", p


@pytest.mark.parametrize("quantity", ["1e-300 kWh", "1e-310 kWh"])
def test_a_sum_by_carrier_so_small_the_derived_value_overflows_is_refused_not_scored_as_missing(raw, quantity):
    # 2,230,000 万元 over 1.229e-304 tce (or a subnormal) is beyond a float: energy productivity cannot be held
    assert _problems(_with(raw, {"electricity": quantity})) == [("number-too-large", E24)]


def test_a_reported_total_far_above_a_tiny_sum_by_carrier_still_diagnoses(raw):
    # 705,000 tce reported; 1e-300 kWh is 1.229e-304 tce: the gap in % is beyond a float
    ds = greendiag.dataset_from_dict(_with(raw, {"electricity": "1e-300 kWh"}, energy="keep"))
    assert [n.code for n in ds.notes] == ["energy-carriers-disagree"] and "∞" in ds.notes[0].message_zh
    d = json.loads(greendiag.diagnose(ds, backend="python").to_json())
    assert d["energy_by_carrier"]["years"][0]["reported_tce"] == 705000
    assert d["energy_by_carrier"]["years"][0]["gap_pct"] is None  # no finite percentage: left out, the note says ∞


carrier_values = st.one_of(
    st.floats(), st.integers(min_value=-(10 ** 400), max_value=10 ** 400), st.text(max_size=16),
    st.builds(lambda x, u: f"{x} {u}", st.floats(allow_nan=False, allow_infinity=False),
              st.sampled_from(["kWh", "万kWh", "亿kWh", "MWh", "GJ", "t", "万t", "kg", "m3", "万m3", "kWh/h", "万万kWh", "%", ""])),
    st.fixed_dictionaries({"value": st.one_of(st.floats(), st.text(max_size=8), st.integers()),
                           "unit": st.sampled_from(["kWh", "万kWh", "t", "GJ", "m3", " ", "", "万万t", "tce"])}))


@settings(max_examples=120, **QUIET)
@given(st.sampled_from(["electricity", "raw_coal", "gasfield_gas", "heat", "diesel", "电力"]), carrier_values)
def test_any_carrier_value_gives_a_typed_error_or_a_finite_positive_sum(raw, carrier, value):
    try:
        ds = greendiag.dataset_from_dict(_with(raw, {carrier: value}))
    except GreendiagError as exc:
        assert isinstance(exc, DatasetError) and exc.problems
        assert all(p.code and p.location and p.location.startswith(f"{E24}") for p in exc.problems), exc.problems
        return
    (c,) = ds.energy_by_carrier
    assert math.isfinite(c.tce) and c.tce > 0 and math.isfinite(c.quantity)
    assert _energy(ds).value == c.tce
    json.loads(greendiag.diagnose(ds, backend="python").to_json())


# ================================================================== demonstration_work in a dataset dict


@pytest.mark.parametrize("work, expected", [
    ({"water_cascade": "done"}, [("schema-type", "$.demonstration_work")]),
    ("done", [("schema-type", "$.demonstration_work")]),
    (None, None),  # see below: None removes the key
    ([None], [("schema-type", "$.demonstration_work[0]")]),
    ([["water_cascade", "done"]], [("schema-type", "$.demonstration_work[0]")]),
    (["water_cascade"], [("schema-type", "$.demonstration_work[0]")]),
    ([{"kind": 1, "status": "done"}], [("schema-type", "$.demonstration_work[0].kind")]),
    ([{"kind": "water_cascade", "status": 1}], [("schema-type", "$.demonstration_work[0].status")]),
    ([{"kind": "water_cascade", "status": True}], [("schema-type", "$.demonstration_work[0].status")]),
    ([{"kind": "water_cascade", "status": ""}], [("schema-minLength", "$.demonstration_work[0].status")]),
    ([{"kind": "water_cascade", "status": "  "}], [("bad-demonstration-status", "$.demonstration_work[0].status")]),
    ([{"kind": "water_cascade", "status": "done", "bogus": 1}], [("schema-additionalProperties", "$.demonstration_work[0]")]),
    ([{"kind": "water_cascade", "status": "done", "description": 5}], [("schema-type", "$.demonstration_work[0].description")]),
    # a title the schema refuses is said there, once, not also as missing
    ([{"kind": "other", "status": "done", "title_zh": "名" * 201}], [("schema-maxLength", "$.demonstration_work[0].title_zh")]),
    ([{"kind": "other", "status": "done", "title_zh": 5}], [("schema-type", "$.demonstration_work[0].title_zh")]),
    ([{"kind": "other", "status": "done", "title_zh": "  "}], [("demonstration-title-missing", "$.demonstration_work[0].title_zh")]),
    ([{"kind": "other", "status": "done", "title_zh": None}], [("demonstration-title-missing", "$.demonstration_work[0].title_zh")]),
    ([{"kind": " water_cascade ", "status": "done"}], [("unknown-demonstration-kind", "$.demonstration_work[0].kind")]),
    ([{"kind": "WATER_CASCADE", "status": "done"}], [("unknown-demonstration-kind", "$.demonstration_work[0].kind")]),
    ([{"kind": "other", "status": "done", "title_zh": "A"}, {"kind": "other", "status": "planned", "title_zh": " A "}],
     [("duplicate-demonstration-kind", "$.demonstration_work[1].kind")]),
])
def test_bad_demonstration_work_is_located(raw, work, expected):
    if expected is None:
        d = _with(raw, {}, energy="keep")
        d["demonstration_work"] = None
        assert _problems(d) == [("schema-type", "$.demonstration_work")]
        return
    assert _problems(_with(raw, {}, energy="keep", work=work)) == expected


@pytest.mark.parametrize("kind, near", [("水的梯级利用推广", "water_cascade"), ("water cascade", "water_cascade"),
                                        ("hydrogen", "hydrogen_low_carbon"), ("WATER_CASCADE", "water_cascade")])
def test_a_kind_given_by_name_or_misspelt_gets_the_id_to_use(raw, kind, near):
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(_with(raw, {}, energy="keep", work=[{"kind": kind, "status": "done"}]))
    (p,) = info.value.problems
    assert p.code == "unknown-demonstration-kind" and p.fix_zh.startswith(f"是否指:{near}") and near in p.fix_en


@pytest.mark.parametrize("status, sid", [("ｄｏｎｅ", "done"), ("Not - Done", "not_done"), (" 已开展 ", "done"),
                                         ("UNDER CONSTRUCTION", "under_construction"), ("计划中", "planned")])
def test_statuses_are_read_in_any_width_case_and_spacing(raw, status, sid):
    ds = greendiag.dataset_from_dict(_with(raw, {}, energy="keep", work=[{"kind": "water_cascade", "status": status}]))
    assert [(w.kind, w.status) for w in ds.demonstration] == [("water_cascade", sid)]


# ================================================================== score_value with every odd argument


@pytest.mark.parametrize("indicator, value, unit, code", [
    ("energy_productivity", [3.2], None, "schema-type"),
    ("energy_productivity", {}, None, "schema-required"),  # "lacks value", with the forms (was the raw oneOf)
    ("energy_productivity", True, None, "schema-type"),
    ("energy_productivity", "", None, "schema-minLength"),
    ("energy_productivity", 10 ** 400, None, "number-too-large"),
    ("energy_productivity", 1e309, None, "non-finite-number"),
    ("energy_productivity", math.nan, None, "non-finite-number"),
    ("energy_productivity", decimal.Decimal("3"), None, "unsupported-type"),
    ("energy_productivity", b"3", None, "unsupported-type"),
    ("energy_productivity", 1j, None, "unsupported-type"),
    ("energy_productivity", "3\x00", None, "control-character"),
    ("energy_productivity", "\ud800", None, "not-unicode"),
    ("energy_productivity", "   ", None, "not-a-number"),
    ("energy_productivity", "inf", None, "not-a-number"),
    ("energy_productivity", "NaN", None, "not-a-number"),
    ("energy_productivity", "8,5", None, "decimal-comma"),
    ("energy_productivity", "−5", None, "negative-value"),
    ("energy_productivity", -1, None, "negative-value"),
    ("energy_productivity", "3 m", None, "wrong-dimension"),
    ("energy_productivity", "3 万万元/tce", None, "unknown-unit"),
    ("energy_productivity", "1e308 万元/kgce", None, "number-too-large"),
    ("energy_productivity", 32000, "kWh/h", "wrong-dimension"),
    ("energy_productivity", 32000, "万万元/tce", "unknown-unit"),
    ("energy_productivity", 32000, "%", "wrong-dimension"),
    ("energy_productivity", 32000, "\ud800", "not-unicode"),
    ("energy_productivity", 32000, "x" * 10000, "schema-maxLength"),
    ("energy_productivity", "32000 元/tce", "万元/tce", "conflicting-unit"),
    ("renewable_energy_share", "100.0000001", None, "share-over-100"),
    (12, 3, None, "unknown-level"),
    (12, "bogus", None, "unknown-level"),
    (12, ["不具备"], None, "schema-type"),
])
def test_score_value_refuses_odd_values_with_the_datasets_codes(cat, indicator, value, unit, code):
    with pytest.raises(DatasetError) as info:
        greendiag.score_value(cat, indicator, value, unit=unit)
    assert [p.code for p in info.value.problems] == [code]
    assert info.value.problems[0].message_zh.strip() and info.value.problems[0].message_en.strip()


@pytest.mark.parametrize("indicator", [[1], {}, None, 1.0, 1.5, 0, -1, 32, 10 ** 400, math.nan, "", "  ", "EG1 ", "energy productivity"])
def test_score_value_refuses_odd_indicators_as_unknown_entries(cat, indicator):
    with pytest.raises(UnknownEntryError) as info:
        greendiag.score_value(cat, indicator, 3)
    assert isinstance(info.value, KeyError) and info.value.problems[0].code == "unknown-indicator"


@pytest.mark.parametrize("kwargs", [dict(indicator=True, value=3), dict(indicator="energy_productivity", value=None),
                                    dict(indicator="energy_productivity", value=3, unit=3),
                                    dict(indicator="energy_productivity", value=3, unit=["元/tce"]),
                                    dict(indicator="energy_productivity", value=3, unit=b"x")])
def test_score_value_refuses_wrong_argument_types(cat, kwargs):
    with pytest.raises(GreendiagError) as info:
        greendiag.score_value(cat, **kwargs)
    assert [p.code for p in info.value.problems] == ["bad-argument"]


@pytest.mark.parametrize("catalogue", [None, "bj-green-park-2024", {}, 3])
def test_score_value_refuses_what_is_no_catalogue(catalogue):
    with pytest.raises(GreendiagError) as info:
        greendiag.score_value(catalogue, "energy_productivity", 3)
    assert [p.code for p in info.value.problems] == ["bad-argument"]


@pytest.mark.parametrize("indicator, value, unit, score", [
    ("energy_productivity", 3.2, None, 100 * 3.2 / 3),
    ("energy_productivity", "1e-05", None, 100 * 1e-05 / 3),
    ("energy_productivity", "１２", None, 120.0),                     # 400 capped at 120
    ("energy_productivity", "3", None, 100.0),
    ("energy_productivity", {"value": 3}, None, 100.0),
    ("energy_productivity", 0, None, 0.0),                            # non-positive, higher is better: 0
    ("energy_productivity", -0.0, None, 0.0),
    ("energy_productivity", 1e308, None, 120.0),
    ("energy_productivity", 2 ** 53 + 1, None, 120.0),
    ("energy_productivity", 32000, "元/tce", 100 * 3.2 / 3),
    ("energy_productivity", "32000 元/tce", "元/tce", 100 * 3.2 / 3),
    ("energy_productivity", 2.4, "", 80.0),                           # no unit: the indicator's 万元/tce
    ("energy_productivity", 2.4, "  ", 80.0),                         # whitespace is no unit either (not dimensionless)
    ("能源产出率", 2.4, None, 80.0),
    (1, 2.4, None, 80.0),
    (12, "不具备", None, 0.0),
])
def test_score_value_reads_odd_but_valid_arguments(cat, indicator, value, unit, score):
    assert greendiag.score_value(cat, indicator, value, unit=unit) == pytest.approx(score, rel=1e-12)


@settings(max_examples=150, **QUIET)
@given(st.sampled_from(["energy_productivity", "renewable_energy_share", 12, 31, "EG1"]),
       st.one_of(st.floats(), st.integers(min_value=-(10 ** 400), max_value=10 ** 400), st.text(max_size=12), st.booleans(),
                 st.none(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
       st.one_of(st.none(), st.sampled_from(["", " ", "元/tce", "万元/tce", "%", "kWh/h", "万万元", "Y元/tce"]), st.text(max_size=6)))
def test_score_value_gives_a_score_within_the_cap_or_a_typed_error(cat, indicator, value, unit):
    try:
        got = greendiag.score_value(cat, indicator, value, unit=unit)
    except GreendiagError as exc:
        assert exc.problems and all(p.code and p.message_zh.strip() and p.message_en.strip() for p in exc.problems)
        return
    assert isinstance(got, float) and 0.0 <= got <= 120.0


# ================================================================== the workbook's new sheets


@pytest.fixture(scope="module")
def demo_ds(cat):
    return greendiag.load_dataset(DEMO, catalogue=cat)


@pytest.fixture(scope="module")
def base_book(tmp_path_factory, cat, demo_ds) -> pathlib.Path:
    path = tmp_path_factory.mktemp("r9") / "demo.xlsx"
    write_template(path, cat, dataset=demo_ds)
    return path


def _rows_cols(ws) -> tuple[dict, dict]:
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    cols = {str(ws.cell(2, c).value).split("\n")[0]: c for c in range(2, ws.max_column + 1) if ws.cell(2, c).value}
    return rows, cols


def _cell(wb, sheet: str, key: str, head: str):
    rows, cols = _rows_cols(wb[sheet])
    return wb[sheet].cell(rows[key], cols[head])


def _edited(base_book, tmp_path, edit, name="park.xlsx") -> pathlib.Path:
    wb = openpyxl.load_workbook(base_book)
    edit(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def _ref(book, sheet: str, key: str, head: str) -> str:
    """sheet!cell of a row's column in the (unedited) workbook."""
    return f"{sheet}!{_cell(openpyxl.load_workbook(book), sheet, key, head).coordinate}"


def _book_problems(path, cat) -> list[tuple[str, str]]:
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path, catalogue=cat)
    for p in info.value.problems:
        assert p.file == str(path) and p.message_zh.strip() and p.message_en.strip(), p
    return [(p.code, p.location) for p in info.value.problems]


ELEC = "carrier:3:electricity"  # the 2024 row of electricity (slot 3 of the base year + three scored years)
WATER = "demo:water_cascade"


def _set(sheet, key, head, value, *, data_type=None, number_format=None):
    def edit(wb):
        c = _cell(wb, sheet, key, head)
        c.value = value
        if data_type:
            c.data_type = data_type
        if number_format:
            c.number_format = number_format
    return edit


@pytest.mark.parametrize("edit_args, code, head", [
    ((CS, ELEC, "消费量", "=1+1"), "formula-not-computed", "消费量"),
    ((CS, ELEC, "计量单位", '="万kWh"'), "formula-not-computed", "计量单位"),   # said once: not also "no unit"
    ((DS, WATER, "核查情况", '="已开展"'), "formula-not-computed", "核查情况"),
    ((CS, ELEC, "消费量", True), "not-a-number", "消费量"),
    ((CS, ELEC, "消费量", dt.datetime(2024, 3, 4)), "date-not-number", "消费量"),
    ((CS, ELEC, "消费量", 1e308), "number-too-large", "消费量"),                # 1e308 万kWh
    ((CS, ELEC, "消费量", "9" * 400), "text-too-long", "消费量"),
    ((CS, ELEC, "消费量", "−5"), "negative-value", "消费量"),
    ((CS, ELEC, "消费量", "—"), "not-a-number", "消费量"),
    ((CS, ELEC, "消费量", "N/A"), "not-a-number", "消费量"),
    ((CS, ELEC, "消费量", "5 kWh/h"), "wrong-dimension", "消费量"),
    ((CS, ELEC, "计量单位", 3), "unknown-unit", "计量单位"),
    ((CS, ELEC, "计量单位", "万万kWh"), "unknown-unit", "计量单位"),
    ((CS, ELEC, "计量单位", "kWh/h"), "wrong-dimension", "计量单位"),
    ((CS, ELEC, "计量单位", "   "), "carrier-unit-missing", "消费量"),
    ((DS, WATER, "核查情况", True), "bad-demonstration-status", "核查情况"),     # Excel's TRUE reads as 是
    ((DS, WATER, "核查情况", 1), "bad-demonstration-status", "核查情况"),
    ((DS, WATER, "核查情况", dt.datetime(2024, 1, 1)), "bad-demonstration-status", "核查情况"),
    ((DS, WATER, "情况说明", "长" * 2001), "schema-maxLength", "情况说明"),
])
def test_bad_cells_on_the_new_sheets_are_one_problem_at_their_cell(base_book, tmp_path, cat, edit_args, code, head):
    sheet, key = edit_args[0], edit_args[1]
    path = _edited(base_book, tmp_path, _set(*edit_args))
    ref = f"{sheet}!{_cell(openpyxl.load_workbook(path), sheet, key, head).coordinate}"
    assert _book_problems(path, cat) == [(code, ref)]


def test_excel_error_values_are_problems_at_their_cells(base_book, tmp_path, cat):
    path = _edited(base_book, tmp_path, _set(CS, ELEC, "消费量", "#DIV/0!", data_type="e"))
    assert _book_problems(path, cat) == [("formula-error", _ref(base_book, CS, ELEC, "消费量"))]
    path = _edited(base_book, tmp_path, _set(DS, WATER, "核查情况", "#N/A", data_type="e"), "na.xlsx")
    assert _book_problems(path, cat) == [("bad-demonstration-status", _ref(base_book, DS, WATER, "核查情况"))]


def test_a_quantity_in_a_percent_formatted_cell_is_refused(base_book, tmp_path, cat):
    path = _edited(base_book, tmp_path, _set(CS, ELEC, "消费量", 0.5, number_format="0%"))
    assert _book_problems(path, cat) == [("percent-format", _ref(base_book, CS, ELEC, "消费量"))]


def test_full_width_digits_in_a_quantity_cell_read_as_typed(base_book, tmp_path, cat, demo_ds):
    path = _edited(base_book, tmp_path, _set(CS, ELEC, "消费量", "２６００００"))
    got = _carriers(greendiag.load_dataset(path, catalogue=cat))["electricity"]
    assert (got.quantity, got.tce) == (2.6e9, 319540.0)  # 260,000 万kWh × 0.1229 / 1000


@pytest.mark.parametrize("sheet, first, last, col", [(CS, "carrier:2:electricity", ELEC, "消费量"), (CS, ELEC, ELEC, None),
                                                     (DS, WATER, "demo:integrated_energy_station", "核查情况")])
def test_merged_input_cells_are_refused(base_book, tmp_path, cat, sheet, first, last, col):
    def merge(wb):
        ws = wb[sheet]
        rows, cols = _rows_cols(ws)
        if col is None:  # the unit and the quantity of one row
            ws.merge_cells(start_row=rows[first], start_column=cols["计量单位"], end_row=rows[last], end_column=cols["消费量"])
        else:
            ws.merge_cells(start_row=rows[first], start_column=cols[col], end_row=rows[last], end_column=cols[col])
    path = _edited(base_book, tmp_path, merge)
    (code, where), = _book_problems(path, cat)
    assert code == "merged-cells" and where.startswith(f"{sheet}!") and ":" in where


def test_hidden_new_sheets_are_read_as_visible_ones(base_book, tmp_path, cat, demo_ds):
    def hide(wb):
        wb[CS].sheet_state = "hidden"
        wb[DS].sheet_state = "veryHidden"
    got = greendiag.load_dataset(_edited(base_book, tmp_path, hide), catalogue=cat)
    assert attrs.evolve(got, source=demo_ds.source) == demo_ds


def test_deleted_new_sheets_mean_no_breakdown_and_no_check_recorded(base_book, tmp_path, cat, demo_ds):
    def delete(wb):
        del wb[CS]
        del wb[DS]
    got = greendiag.load_dataset(_edited(base_book, tmp_path, delete), catalogue=cat)
    assert got.energy_by_carrier == () and got.demonstration is None
    assert got.values == demo_ds.values and _energy(got).value == 705000


@pytest.mark.parametrize("sheet, edit, where", [
    (CS, lambda ws: excel_insert(ws, 4), f"{CS}!D2"), (CS, lambda ws: excel_delete(ws, 8), f"{CS}!H2"),
    (DS, lambda ws: excel_insert(ws, 5), f"{DS}!E2"), (DS, lambda ws: excel_delete(ws, 4), f"{DS}!D2"),
])
def test_moved_columns_on_a_new_sheet_are_reported_and_the_sheet_not_read(base_book, tmp_path, cat, sheet, edit, where):
    path = _edited(base_book, tmp_path, lambda wb: edit(wb[sheet]))
    assert _book_problems(path, cat) == [("columns-moved", where)]


def test_swapped_new_sheet_names_are_reported_on_both(base_book, tmp_path, cat):
    def swap(wb):
        wb[CS].title = "tmp"
        wb[DS].title = CS
        wb["tmp"].title = DS
    assert sorted(_book_problems(_edited(base_book, tmp_path, swap), cat)) == [("sheet-mismatch", CS), ("sheet-mismatch", DS)]


@pytest.mark.parametrize("sheet", [CS, DS])
def test_a_cleared_or_blank_new_sheet_is_template_damaged(base_book, tmp_path, cat, sheet):
    def clear(wb):
        for row in wb[sheet].iter_rows():
            for c in row:
                if type(c).__name__ != "MergedCell":
                    c.value = None
    assert _book_problems(_edited(base_book, tmp_path, clear), cat) == [("template-damaged", sheet)]

    def blank(wb):
        at = wb.sheetnames.index(sheet)
        del wb[sheet]
        wb.create_sheet(sheet, at)
    assert _book_problems(_edited(base_book, tmp_path, blank, "blank.xlsx"), cat) == [("template-damaged", sheet)]


def test_a_duplicated_or_unknown_hidden_key_on_the_new_sheets(base_book, tmp_path, cat):
    def dup(wb):
        rows, _ = _rows_cols(wb[CS])
        wb[CS].cell(rows["carrier:3:lpg"], 1).value = ELEC  # the lpg row overwritten by a copy of electricity's key
    (code, where), = _book_problems(_edited(base_book, tmp_path, dup), cat)
    assert code == "duplicate-key" and where.startswith(f"{CS}!B")

    def alien(wb):
        rows, _ = _rows_cols(wb[CS])
        wb[CS].cell(rows[ELEC], 1).value = "carrier:3:plutonium"
        rows, _ = _rows_cols(wb[DS])
        wb[DS].cell(rows[WATER], 1).value = "demo:alien"
    assert _book_problems(_edited(base_book, tmp_path, alien, "alien.xlsx"), cat) == [
        ("unknown-carrier", _ref(base_book, CS, ELEC, "消费量")), ("unknown-demonstration-kind", _ref(base_book, DS, WATER, "工作类别"))]


def test_a_zero_sum_in_the_workbook_is_located_at_the_carrier_sheet(base_book, tmp_path, cat):
    def zero(wb):
        ws = wb["原始统计数据"]
        rows, _ = _rows_cols(ws)
        row = rows["stat:energy_consumption"]
        for c in range(2, ws.max_column + 1):  # the reported totals, every year
            if isinstance(ws.cell(row, c).value, (int, float)):
                ws.cell(row, c).value = None
        for key in list(_rows_cols(wb[CS])[0]):
            if key.startswith("carrier:3:") and _cell(wb, CS, key, "消费量").value is not None:
                _cell(wb, CS, key, "消费量").value = 0
    problems = _book_problems(_edited(base_book, tmp_path, zero), cat)
    zero_2024 = [loc for code, loc in problems if code == "zero-denominator"]
    assert zero_2024 and set(zero_2024) <= {f"{CS}!G{r}" for r in range(3, 60)}, problems
    assert not [loc for loc in zero_2024 if loc.startswith("园区信息")]


# ================================================================== determinism and backends


def _odd_park(raw: dict, *, shuffled: bool = False) -> dict:
    carriers = {"electricity": "１２ 万kWh", "raw_coal": {"value": "1,000", "unit": "t", "evidence": "台账"},
                "heat": "3.6 MWh", "gasfield_gas": "5 万 m3", "diesel": {"value": 2, "unit": "吨"}}
    work = [{"kind": "water_cascade", "status": "ｄｏｎｅ"}, {"kind": "other", "status": "Not - Done", "title_zh": "零碳工厂"},
            {"kind": "other", "status": "计划中", "title_zh": "光储充"}, {"kind": "hazardous_waste_centre", "status": "在建"}]
    if shuffled:  # the kinds come out in catalogue order; "other" work keeps the order it was given in (the user's list)
        carriers = dict(reversed(list(carriers.items())))
        work = [work[3], work[1], work[0], work[2]]
    return _with(raw, carriers, work=work)


def test_odd_sections_give_the_same_json_in_any_order_and_on_both_backends(raw):
    a, b = _odd_park(raw), _odd_park(raw, shuffled=True)
    texts = {greendiag.diagnose(d, backend=x).to_json() for d in (a, b, a) for x in ("durable", "python")}
    assert len(texts) == 1
    d = json.loads(texts.pop())
    # 14.748 + 714.3 + 0.4421952 + 60.715 + 2.9142 tce, worked out from the coefficients
    assert d["energy_by_carrier"]["years"][0]["total_tce"] == pytest.approx(14.748 + 714.3 + 0.4421952 + 60.715 + 2.9142, rel=1e-12)
    assert [w["kind"] for w in d["demonstration_work"]["items"]] == ["water_cascade", "hazardous_waste_centre", "other", "other"]


def test_odd_sections_round_trip_through_the_workbook(raw, tmp_path, cat):
    ds = greendiag.dataset_from_dict(_odd_park(raw), source="park.yaml")
    path = tmp_path / "odd.xlsx"
    write_template(path, cat, dataset=ds)
    got = greendiag.load_dataset(path, catalogue=cat)
    assert got.energy_by_carrier == ds.energy_by_carrier
    assert sorted(got.demonstration, key=repr) == sorted(ds.demonstration, key=repr)
    assert greendiag.diagnose(got, backend="python").to_dict()["total_scores"] == greendiag.diagnose(ds, backend="python").to_dict()["total_scores"]


_SCRIPT = """
import copy, sys, yaml, greendiag
sys.path.insert(0, {tests!r})
from test_robustness9 import _odd_park
raw = yaml.safe_load(open({demo!r}, encoding="utf-8"))
sys.stdout.write(greendiag.diagnose(_odd_park(raw), backend="python").to_json())
"""


def test_the_json_is_byte_identical_across_processes_and_hash_seeds(raw):
    script = _SCRIPT.format(tests=str(ROOT / "tests"), demo=str(DEMO))
    outs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
        outs.append(done.stdout)
    assert outs[0] == outs[1] == greendiag.diagnose(_odd_park(raw), backend="python").to_json().encode("utf-8")
