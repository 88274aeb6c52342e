"""Units: every catalogue unit parses, conversions are exact, wrong dimensions are clear errors, floats after the boundary.

Exact factors are written by hand (1 万元 = 10^4 元, 1 亿元 = 10^8 元, 1 tce = 1000 kgce, 1 万tce = 10^4 tce,
1 km² = 10^6 m², 1 亩 = 10000/15 m², 1 % = 1/100) and compared as fractions.
"""

from __future__ import annotations

import json
import math
import pathlib
from fractions import Fraction

import pint
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import greendiag
from greendiag import units
from greendiag.errors import UnitError

ROOT = pathlib.Path(__file__).resolve().parent.parent

# unit -> exact size in a base unit of its group, by hand
GROUPS = {
    "money": {"元": Fraction(1), "万元": Fraction(10**4), "亿元": Fraction(10**8)},
    "coal": {"kgce": Fraction(1), "tce": Fraction(1000), "万tce": Fraction(10**7)},
    "area": {"m2": Fraction(1), "m²": Fraction(1), "亩": Fraction(10000, 15), "km2": Fraction(10**6), "km²": Fraction(10**6),
             "公顷": Fraction(10**4)},
    "share": {"": Fraction(1), "%": Fraction(1, 100)},
}
PAIRS = [(g, a, b) for g, us in GROUPS.items() for a in us for b in us]
REL = 1e-12


def _exact(group, a, b) -> Fraction:
    return GROUPS[group][a] / GROUPS[group][b]


def _units_in(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "unit" and isinstance(v, str):
                yield v
            else:
                yield from _units_in(v)
    elif isinstance(node, list):
        for v in node:
            yield from _units_in(v)


# ------------------------------------------------------------------ every unit parses


def test_every_unit_in_the_catalogue_files_parses():
    files = sorted((ROOT / "catalogue").glob("*.yaml")) + [ROOT / "examples" / "overlays" / "water-cascade.yaml"]
    seen = set()
    for p in files:
        seen |= set(_units_in(yaml.safe_load(p.read_text(encoding="utf-8"))))
    # the units the issue names must be among them
    assert {"万元/tce", "%", "元/m3", "亿元/km2", "t/万元", "万元/人", ""} <= seen
    for u in sorted(seen):
        assert isinstance(units.parse_unit(u), pint.Unit), u


def test_units_named_by_the_issue_are_defined():
    for u in ("tce", "kgce", "万tce", "元", "万元", "亿元", "tCO2", "人", "km²", "亩", "m³", "percent", "%"):
        units.parse_unit(u)


def test_loaded_catalogue_units_parse(catalogue):
    for ind in catalogue.indicators:
        units.parse_unit(ind.unit)
    for s in catalogue.statistics:
        units.parse_unit(s.unit)


# ------------------------------------------------------------------ exact conversions


def test_32000_yuan_per_tce_is_exactly_3_2_wan_yuan_per_tce():
    number, unit = units.split_quantity("32000 元/tce")
    assert (number, unit) == (32000.0, "元/tce")
    assert units.convert(number, unit, "万元/tce") == 3.2


def _edited_demo(demo_path, tmp_path, edit) -> pathlib.Path:
    """The demo park, parsed, edited, dumped to tmp_path (dates are written back as YYYY-MM-DD text)."""
    data = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    edit(data)
    out = tmp_path / "park.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def test_32000_yuan_per_tce_through_a_dataset(demo_path, tmp_path):
    def edit(data):
        block = next(y for y in data["years"] if y["year"] == 2022)
        block["indicators"]["energy_productivity"] = {"value": "32000 元/tce", "evidence": "E1"}

    ds = greendiag.load_dataset(_edited_demo(demo_path, tmp_path, edit))
    v = ds.value("energy_productivity", 2022)
    assert v.value == 3.2 and type(v.value) is float and v.given == "32000 元/tce"


@pytest.mark.parametrize("group,a,b", PAIRS)
def test_factors_are_exact(group, a, b):
    got = units.factor(a, b)
    want = _exact(group, a, b)
    assert math.isclose(got, float(want), rel_tol=1e-15), (a, b, got, want)


def test_full_width_and_superscripts_parse_as_meant():
    assert units.factor("万元／tce", "元/tce") == 10000.0
    assert units.factor("m³", "m3") == 1.0
    assert units.factor("km²", "亩") == 1500.0
    assert units.split_quantity("９５％") == (95.0, "%")
    assert units.split_quantity("1,234.5 万元") == (1234.5, "万元")


def test_inverse_reference_conversion():
    # 24.3 m³ per 万元 is 10000/24.3 元 per m³
    k = units.inverse_factor("m3/万元", "元/m3")
    assert k == 10000.0
    assert math.isclose(k / 24.3, 10000 / 24.3, rel_tol=REL)


amounts = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(x=amounts, pair=st.sampled_from(PAIRS))
def test_round_trip_is_exact(x, pair):
    group, a, b = pair
    there = units.convert(x, a, b)
    assert math.isclose(there, float(Fraction(x) * _exact(group, a, b)), rel_tol=REL)
    back = units.convert(there, b, a)
    assert math.isclose(back, x, rel_tol=REL)


@settings(max_examples=100, deadline=None)
@given(x=amounts, group=st.sampled_from(sorted(GROUPS)), data=st.data())
def test_conversion_composes(x, group, data):
    names = sorted(GROUPS[group])
    a, b, c = (data.draw(st.sampled_from(names)) for _ in range(3))
    via = units.convert(units.convert(x, a, b), b, c)
    assert math.isclose(via, units.convert(x, a, c), rel_tol=REL)


@settings(max_examples=100, deadline=None)
@given(x=amounts, a=st.sampled_from(["元", "万元", "亿元"]), b=st.sampled_from(["tce", "kgce", "万tce"]))
def test_compound_units_convert_exactly(x, a, b):
    # value per coal unit: 万元/tce ← a/b, the factor is (size of a / 万元) / (size of b / tce)
    want = Fraction(x) * (GROUPS["money"][a] / GROUPS["money"]["万元"]) / (GROUPS["coal"][b] / GROUPS["coal"]["tce"])
    assert math.isclose(units.convert(x, f"{a}/{b}", "万元/tce"), float(want), rel_tol=REL)


# ------------------------------------------------------------------ wrong dimension, unknown unit


@pytest.mark.parametrize("src,dst", [("元", "tce"), ("万元/tce", "%"), ("m3", "km2"), ("人", "万元"), ("tCO2", "tce"),
                                     ("元/m3", "万元/tce"), ("kWh", "tce")])
def test_wrong_dimension_is_a_clear_unit_error(src, dst):
    with pytest.raises(UnitError) as info:
        units.factor(src, dst)
    p = info.value.problems[0]
    assert p.code == "wrong-dimension"
    assert src in p.message_en and dst in p.message_en and "different dimension" in p.message_en
    assert src in p.message_zh and "量纲不同" in p.message_zh
    assert p.fix_en and p.fix_zh


def test_unknown_unit_is_a_clear_unit_error():
    with pytest.raises(UnitError) as info:
        units.parse_unit("widgets/万元")
    p = info.value.problems[0]
    assert p.code == "unknown-unit" and "widgets/万元" in p.message_en and "万元/tce" in p.fix_zh


def test_wrong_dimension_in_a_dataset_is_located(demo_path, tmp_path):
    def edit(data):
        block = next(y for y in data["years"] if y["year"] == 2023)
        block["indicators"]["energy_productivity"] = {"value": 3.1, "unit": "元/m3"}

    path = _edited_demo(demo_path, tmp_path, edit)
    with pytest.raises(greendiag.DatasetError) as info:
        greendiag.load_dataset(path)
    p = info.value.problems[0]
    assert p.code == "wrong-dimension" and p.location == "$.years[2].indicators.energy_productivity.value"
    assert p.file == str(path) and p.line is not None
    assert "元/m3" in p.message_en and "万元/tce" in p.message_en


# ------------------------------------------------------------------ no Quantity past the boundary


def test_conversion_results_are_plain_floats():
    assert type(units.convert(5, "万元", "元")) is float
    assert type(units.convert(5, "万元", "万元")) is float
    assert type(units.factor("亩", "km2")) is float
    assert type(units.inverse_factor("tce/万元", "万元/tce")) is float


def _leaks(node, path="$"):
    if isinstance(node, (pint.Quantity, pint.Unit)) or type(node).__module__.startswith("pint"):
        yield path
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _leaks(v, f"{path}.{k}")
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _leaks(v, f"{path}[{i}]")


def test_dataset_and_catalogue_hold_floats_only(demo_dataset, catalogue):
    for v in demo_dataset.values:
        assert v.value is None or type(v.value) is float, v
        assert v.derived is None or type(v.derived) is float, v
    for s in demo_dataset.statistics:
        assert type(s.value) is float, s
    for r in catalogue.references:
        assert type(r.value) is float and type(r.given_value) is float
    for ind in catalogue.indicators:
        assert ind.lead_value is None or type(ind.lead_value) is float


def test_diagnosis_output_holds_no_quantity(demo_dataset, catalogue):
    d = greendiag.diagnose(demo_dataset, catalogue=catalogue, backend="python").to_dict()
    assert not list(_leaks(d))
    json.dumps(d, ensure_ascii=False)  # plain JSON types only


@pytest.mark.parametrize("text", ["hm2", "hm²", "公顷"])
def test_hm2_is_the_hectare_of_chinese_statistics(text):
    """Chinese yearbooks write hm² for 公顷; pint alone would read hm2 as hecto-(m2) = 100 m²."""
    assert units.factor(text, "m2") == 10_000


@pytest.mark.parametrize("text, number, unit", [
    ("−2.5", -2.5, ""),  # U+2212, as Word and PDFs write a minus
    ("12。6", 12.6, ""),  # a decimal point typed with Chinese punctuation on
    ("1 960 000", 1960000.0, ""), ("12 500.5 m3", 12500.5, "m3"),  # spaces between thousands
    ("69万吨标煤", 69.0, "万吨标煤"),
])
def test_numbers_as_people_paste_them(text, number, unit):
    from greendiag import units

    assert units.split_quantity(text) == (number, unit)


@pytest.mark.parametrize("text", ["1 2345", "12。", "。5"])
def test_spacing_and_points_that_are_not_numbers_stay_errors(text):
    import greendiag

    data = {"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
            "years": [{"year": 2024, "statistics": {"energy_consumption": text}}]}
    with pytest.raises(greendiag.DatasetError) as info:
        greendiag.dataset_from_dict(data)
    (p,) = info.value.problems
    assert p.location == "$.years[0].statistics.energy_consumption" and "tce" in p.fix_zh


@pytest.mark.parametrize("alias, canonical, factor", [("吨标煤", "tce", 1.0), ("万吨标煤", "tce", 10000.0), ("tec", "tce", 1.0),
                                                      ("千克标煤", "kgce", 1.0)])
def test_standard_coal_aliases(alias, canonical, factor):
    from greendiag import units

    assert units.convert(1.0, alias, canonical) == factor


def test_the_text_1_is_the_number_1():
    """'1' as a unit means dimensionless, but as a value it is one (it was refused as not a number)."""
    from greendiag import units

    assert units.split_quantity("1") == (1.0, "") and units.normalise("1") == ""


@pytest.mark.parametrize("text, want", [("1,234.5", (1234.5, "")), ("32,000 元/tce", (32000.0, "元/tce")), ("12,345,678", (12345678.0, "")),
                                        ("-1,234", (-1234.0, "")), ("１，２３４", (1234.0, ""))])
def test_commas_separating_thousands_are_dropped(text, want):
    assert units.split_quantity(text) == want


@pytest.mark.parametrize("text", ["8,5", "8，5", "1,23", "8,50", "1,2,3", ",5", "1234,5 t", "0,085", "0,085 %", "00,085", "-0,500"])
def test_a_decimal_comma_is_refused_not_read_as_a_bigger_number(text):
    with pytest.raises(ValueError, match=units.DECIMAL_COMMA):
        units.split_quantity(text)


@pytest.mark.parametrize("text", ["8.5%%", "8.5 % %", "8.5 %‰", "8.5‰‰", "8.5 percent percent", "8.5 % percent", "8.5 ppm %", "8.5 %*%", "8.5 %/‰"])
def test_more_than_one_percent_or_per_mille_sign_is_refused(text):
    """pint multiplies them: 8.5 %‰ would be 0.0085 % and silently score as almost nothing."""
    with pytest.raises(ValueError, match=units.STACKED_PERCENT):
        units.split_quantity(text)


@pytest.mark.parametrize("text, want", [("8.5 %", (8.5, "%")), ("8.5 ‰", (8.5, "‰")), ("8.5 percent", (8.5, "percent"))])
def test_one_percent_sign_is_a_unit(text, want):
    assert units.split_quantity(text) == want


@pytest.mark.parametrize("raw, code", [("8.5 %‰", "unknown-unit"), ("0,085", "decimal-comma")])
def test_a_value_that_would_shrink_is_a_located_error(demo_path, tmp_path, raw, code):
    def edit(data):
        block = next(y for y in data["years"] if y["year"] == 2023)
        block["indicators"]["renewable_energy_share"] = {"value": raw}

    path = _edited_demo(demo_path, tmp_path, edit)
    with pytest.raises(greendiag.DatasetError) as info:
        greendiag.load_dataset(path)
    p = info.value.problems[0]
    assert p.code == code and p.location == "$.years[2].indicators.renewable_energy_share.value"
    assert raw in p.message_zh and p.fix_zh


@pytest.mark.parametrize("text", ["0x10", "1_000", "8_2", "1:20", "0o10", "0b11"])
def test_numbers_written_otherwise_than_in_decimals_are_no_numbers_not_units(text):
    """They read as 0 with the unit 'x10' (unknown-unit) before; a dataset now says not-a-number."""
    with pytest.raises(ValueError, match="not a decimal number"):
        units.split_quantity(text)


def test_a_decimal_comma_after_spaced_thousands_is_refused():
    with pytest.raises(ValueError, match=units.DECIMAL_COMMA):
        units.split_quantity("1 234,5")


@pytest.mark.parametrize("unit, base, exact", [("dm3", "m3", Fraction(1, 1000)), ("dm³", "m3", Fraction(1, 1000)), ("cm3", "m3", Fraction(1, 10**6)),
                                               ("mm3", "m3", Fraction(1, 10**9)), ("km3", "m3", Fraction(10**9)), ("L", "m3", Fraction(1, 1000)),
                                               ("dm2", "m2", Fraction(1, 100)), ("cm2", "m2", Fraction(1, 10**4)), ("mm2", "m2", Fraction(1, 10**6)),
                                               ("km2", "m2", Fraction(10**6)), ("hm2", "m2", Fraction(10**4)), ("立方分米", "m3", Fraction(1, 1000))])
def test_prefixed_volumes_and_areas_are_powers_of_the_prefixed_metre(unit, base, exact):
    """m3 is a name in units.txt, so pint read dm3 as deci-(m3) = 0.1 m3: water typed in dm3 was 100 times too much."""
    assert math.isclose(units.factor(unit, base), float(exact), rel_tol=1e-12)


@pytest.mark.parametrize("unit", ["Mm3", "Gm3", "hm3", "µm2", "Mm2", "dam3", "元/Mm3"])
def test_other_prefixes_on_a_power_unit_are_refused_not_converted_wrong(unit):
    with pytest.raises(UnitError) as info:
        units.parse_unit(unit)
    p = info.value.problems[0]
    assert p.code == "unknown-unit" and "词头" in p.message_zh and "dm3" in p.fix_zh


@pytest.mark.parametrize("text", ["0.126 1", "12.6 2", "8 5", "1 234 5", "0 085"])  # 0 085: no thousands group after a lone 0
def test_a_second_number_is_no_unit(text):
    """'0.126 1' was read as 0.126 of the dimensionless unit 1, i.e. 12.6 % of a share: silently."""
    with pytest.raises(ValueError, match="two numbers"):
        units.split_quantity(text)


@pytest.mark.parametrize("text, want", [("1390万 m3", 1390e4), ("70.5 万 tce", 70.5e4), ("2 亿 元", 2e8)])
def test_wan_and_yi_may_stand_apart_from_the_unit(text, want):
    """万m3 was taken and 万 m3 refused as an unknown unit."""
    number, unit = units.split_quantity(text)
    base = {"m3": "m3", "tce": "tce", "元": "元"}[unit.split()[-1]]
    assert units.convert(number, unit, base) == want


@pytest.mark.parametrize("text", ["2024-01-01", "2024/1/1", "2024年1月1日", "2024-01-01T10:00"])
def test_a_date_is_no_number_with_a_unit(text):
    """{value: 2024-01-01} said 无法识别的计量单位“-01-01” (re-review)."""
    with pytest.raises(ValueError, match=units.DATE_TEXT):
        units.split_quantity(text)


def test_a_date_as_a_value_says_it_is_a_date(demo_path, tmp_path):
    def edit(data):
        block = next(y for y in data["years"] if y["year"] == 2024)
        block["indicators"]["renewable_energy_share"] = {"value": "2024-01-01"}

    with pytest.raises(greendiag.DatasetError) as info:
        greendiag.load_dataset(_edited_demo(demo_path, tmp_path, edit))
    (p,) = info.value.problems
    assert p.code == "not-a-number" and "是日期" in p.message_zh and "-01-01" not in (p.fix_zh or "")


def test_calories_are_the_international_calorie_of_gbt_2589():
    """卡 in Chinese energy statistics is 4.1868 J (GB/T 2589: 7000 kcal = 29307.6 kJ = 1 kgce), not pint's 4.184 J."""
    from greendiag import units

    assert units.factor("kcal/kg", "kJ/kg") == pytest.approx(4.1868, rel=1e-12)
    assert units.factor("大卡/kg", "kJ/kg") == units.factor("千卡/kg", "kJ/kg") == pytest.approx(4.1868, rel=1e-12)
    assert units.factor("Gcal", "GJ") == pytest.approx(4.1868, rel=1e-12)  # heat meters read Gcal
    assert units.factor("万大卡", "MJ") == pytest.approx(41.868, rel=1e-12)


def test_a_coefficient_in_kcal_converts_as_the_standard_defines_1_kgce(catalogue, demo_path):
    import copy

    import yaml

    import greendiag

    data = copy.deepcopy(yaml.safe_load(demo_path.read_text(encoding="utf-8")))
    block = next(b for b in data["years"] if b["year"] == 2024)
    block["energy_by_carrier"]["raw_coal"]["coefficient"] = {"value": "5000 kcal/kg", "evidence": "H-1"}
    ds = greendiag.dataset_from_dict(data, catalogue=catalogue)
    (coal,) = [c for c in ds.energy_by_carrier if c.carrier == "raw_coal" and c.year == 2024]
    # 5000 kcal/kg × 4.1868 kJ/kcal ÷ 29307 kJ/kgce = 0.714300 kgce/kg (5000/7000 = 0.714286 up to 29307 vs 29307.6)
    assert coal.coefficient == pytest.approx(5000 * 4.1868 / 29307, rel=1e-11)
