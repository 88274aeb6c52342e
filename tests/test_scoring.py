"""Scoring: hand-computed expectations for the demo park, and property tests of the method."""

import math
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from greendiag import dataset_from_dict, diagnose, load_catalogue, load_dataset
from greendiag import testing as kit
from greendiag.yamlio import read_document
from greendiag.scoring import BEST_NONPOSITIVE, CAPPED, FLOORED_NONPOSITIVE, MISSING_MANDATORY, MISSING_OPTIONAL, score_dataset, score_value

CAT = load_catalogue()
M = CAT.scoring
DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-park.yaml"


@pytest.fixture(scope="module")
def demo_path():
    return DEMO


@pytest.fixture
def demo_data():
    return read_document(DEMO).data  # greendiag's loader: dates stay strings, as in a dataset file


def hi(value, lead):  # higher is better, from the method text (docs/scoring.md)
    return min(120.0, 100.0 * value / lead)


def lo(value, lead):  # lower is better
    return min(120.0, 100.0 * lead / value)


# 2024 values of the demo park, typed in from examples/demo-park.yaml; lead values from the domain table
DEMO_2024 = {
    1: hi(2230000 / 705000, 3), 2: hi(12.6, 15), 3: hi(74.5, 75),
    4: hi(2230000 * 1e4 / 13900000, 1500), 5: hi(2230000 / 1e4 / 12.5, 15), 6: hi(94.8, 95), 7: hi(91.2, 90),
    8: hi(31, 30), 9: hi(58, 60), 11: hi(79, 80),
    12: 100.0, 13: hi(41, 30), 14: hi(68, 60), 15: hi(90, 90), 16: hi(92, 30),
    17: hi(55, 30), 18: hi(27, 30), 19: hi(2230000 / 124000, 15), 20: hi(41, 30),
    21: hi(99.8, 100), 22: hi((1 - (1520000 / 2230000) / (1510000 / 2080000)) * 100, 3),
    23: lo(7150000 / 2230000, 5), 24: 120.0, 25: hi(290 / 366 * 100, 80), 26: hi(40.5, 30), 27: hi(74, 80),
    29: 100.0, 30: 100.0, 31: 80.0,
}  # 10 and 28 are optional and not reported


@pytest.fixture(scope="module")
def card(demo_path):
    return score_dataset(load_dataset(demo_path), CAT)


def test_demo_indicator_scores_2024(card):
    for number, expected in DEMO_2024.items():
        got = card.score(CAT.indicator(number).id, 2024)
        assert got.score == pytest.approx(expected, rel=1e-9), number


def test_demo_missing_optional_left_out(card):
    for number in (10, 28):
        s = card.score(CAT.indicator(number).id, 2024)
        assert s.status == MISSING_OPTIONAL and s.score is None
    t = card.total(2024)
    assert t.missing_optional == (10, 28) and t.missing_mandatory == () and t.evaluated == 29


def test_demo_category_and_total_2024(card):
    cats = {"EG": (1, 2, 3), "RG": (4, 5, 6, 7, 8, 9, 11), "IG": (12, 13, 14, 15, 16), "CG": (17, 18, 19, 20),
            "HG": (21, 22, 23, 24, 25, 26, 27), "MG": (29, 30, 31)}
    for code, numbers in cats.items():
        cs = next(c for c in card.categories if c.category == code and c.year == 2024)
        assert cs.score == pytest.approx(sum(DEMO_2024[n] for n in numbers) / len(numbers), rel=1e-9)
    assert card.total(2024).total == pytest.approx(sum(DEMO_2024.values()) / len(DEMO_2024), rel=1e-9)
    assert card.total(2024).band_zh == "优秀"


def test_elasticity_nonpositive_gets_cap_and_flag(card):
    s = card.score("pollutant_elasticity", 2024)
    assert s.value < 0 and s.score == 120.0 and BEST_NONPOSITIVE in s.flags


def test_changes_direction(card):
    ch = {(c.indicator, c.from_year, c.to_year): c for c in card.changes}
    assert ch[("renewable_energy_share", 2022, 2024)].assessment == "better"
    assert ch[("wastewater_per_value_added", 2022, 2024)].assessment == "better"  # fell: lower is better
    assert ch[("air_quality_good_rate", 2022, 2023)].assessment == "worse"
    assert ch[("green_development_plan", 2022, 2024)].assessment == "same"
    assert ch[("waste_gas_recovery", 2022, 2024)].assessment == "n/a"


def test_missing_mandatory_scores_zero_and_effect_is_stated(demo_data):
    data = demo_data
    for block in data["years"]:
        if block["year"] == 2024:
            del block["indicators"]["renewable_energy_share"]
    card = score_dataset(dataset_from_dict(data), CAT)
    s = card.score("renewable_energy_share", 2024)
    assert s.status == MISSING_MANDATORY and s.score == 0.0
    t = card.total(2024)
    assert t.missing_mandatory == (2,)
    others = [v for n, v in DEMO_2024.items() if n != 2]
    assert t.total == pytest.approx(sum(others) / 29)
    assert t.total_if_complete == pytest.approx(sum(others) / 28)
    assert t.missing_effect == pytest.approx(t.total - t.total_if_complete) and t.missing_effect < 0


def test_negative_reduction_floors_at_zero():
    ind = CAT.indicator("carbon_intensity_reduction")
    assert score_value(ind, -4.0, None, M) == (0.0, (FLOORED_NONPOSITIVE,))
    assert score_value(ind, 6.0, None, M) == (120.0, (CAPPED,))


# ---------------------------------------------------------------- properties

QUANT = [i for i in CAT.indicators if not i.qualitative]
wide = st.floats(min_value=-1e6, max_value=1e9, allow_nan=False, allow_infinity=False)


def any_value(ind):
    """Values from the testing kit (lead, cap boundary, zero, range edges) and anywhere in a wide range."""
    return st.one_of(kit.indicator_values(ind, catalogue=CAT), wide)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(QUANT), st.data())
def test_score_never_exceeds_cap_nor_below_zero(ind, data):
    score, _ = score_value(ind, data.draw(any_value(ind)), None, M)
    assert 0.0 <= score <= M.cap


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(QUANT), st.data())
def test_monotone_in_direction(ind, data):
    kit.assert_monotone(ind, data.draw(any_value(ind)), data.draw(any_value(ind)), catalogue=CAT)


UNIT_VARIANTS = {"万元/tce": [("元/tce", 1e4), ("亿元/万tce", 1.0), ("万元/kgce", 1e-3)],
                 "元/m3": [("万元/m3", 1e-4), ("元/万m3", 1e4)],
                 "亿元/km2": [("万元/km2", 1e4), ("亿元/mu", 1 / 1500), ("元/m2", 100)],
                 "万元/人": [("元/人", 1e4), ("亿元/万人", 1.0)],
                 "t/万元": [("kg/万元", 1e3), ("万t/亿元", 1.0)]}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([i for i in QUANT if i.unit in UNIT_VARIANTS]), st.floats(min_value=0.01, max_value=1e5), st.data())
def test_unit_changes_never_change_a_score(ind, x, data):
    unit, k = data.draw(st.sampled_from(UNIT_VARIANTS[ind.unit]))
    base = {"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
            "years": [{"year": 2024, "indicators": {ind.id: x}}]}
    other = {"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
             "years": [{"year": 2024, "indicators": {ind.id: {"value": x * k, "unit": unit}}}]}
    s1 = score_dataset(dataset_from_dict(base), CAT).score(ind.id, 2024).score
    s2 = score_dataset(dataset_from_dict(other), CAT).score(ind.id, 2024).score
    assert s1 == pytest.approx(s2, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(kit.park_datasets(CAT, diagnosis_year=2025))
def test_totals_equal_the_sum_of_their_parts(data):
    ds = dataset_from_dict(data)
    card = score_dataset(ds, CAT)
    for t in card.totals:
        rows = [r for r in card.indicators if r.year == t.year and r.score is not None]
        assert t.evaluated == len(rows)
        if rows:
            assert t.total * t.evaluated == pytest.approx(sum(r.score for r in rows))
            cats = [c for c in card.categories if c.year == t.year and c.score is not None]
            assert sum(c.score * c.evaluated for c in cats) == pytest.approx(t.total * t.evaluated)
        else:
            assert t.total is None
    kit.assert_scoring_invariants(diagnose(ds, backend="python"))  # every row, category, total and band


# ---------------------------------------------------------------- a year without data; category and total changes

# mandatory and optional numbers typed in from docs/scoring.md (optional: 9, 10, 11, 14, 16, 20, 27, 28)
OPTIONAL = (9, 10, 11, 14, 16, 20, 27, 28)
MANDATORY = tuple(n for n in range(1, 32) if n not in OPTIONAL)


def _blank_years(data, *years):
    for block in data["years"]:
        if block["year"] in years:
            block.pop("indicators", None)
            block.pop("statistics", None)
    return data


def test_year_without_data_is_not_assessable_not_zero(demo_data):
    card = score_dataset(dataset_from_dict(_blank_years(demo_data, 2023, 2024)), CAT)
    assert len(MANDATORY) == 23
    for year in (2023, 2024):
        t = card.total(year)
        assert t.assessable is False
        assert t.total is None and t.band_zh is None and t.band_en is None  # not "0 below pass"
        assert t.total_if_complete is None and t.missing_effect is None  # not "+0.00"
        assert t.evaluated == 0
        assert t.missing_mandatory == MANDATORY and t.missing_optional == OPTIONAL
        rows = [r for r in card.indicators if r.year == year]
        assert len(rows) == 31 and all(r.score is None for r in rows)
        assert {r.number for r in rows if r.status == MISSING_MANDATORY} == set(MANDATORY)
        assert all(c.score is None and c.evaluated == 0 for c in card.categories if c.year == year)
    t22 = card.total(2022)
    assert t22.assessable is True and t22.total is not None and t22.evaluated == 29
    totals = {(c.from_year, c.to_year): c for c in card.score_changes if c.category is None}
    assert set(totals) == {(2022, 2023), (2023, 2024), (2022, 2024)}
    assert all(c.assessment == "n/a" and c.delta is None for c in totals.values())
    assert totals[(2022, 2024)].from_score == t22.total and totals[(2022, 2024)].to_score is None
    # a year with nothing scored has no zeros: no indicator is a data gap against it
    assert all(c.data_gaps == () and c.delta_without_data_gaps is None for c in card.score_changes)


def test_a_single_score_makes_the_year_assessable_and_missing_mandatory_count_as_zero(demo_data):
    data = _blank_years(demo_data, 2023)
    block = next(b for b in data["years"] if b["year"] == 2023)
    block["indicators"] = {"modern_services_share": 36}  # optional indicator 20, lead 30: 100 × 36/30 → capped at 120
    t = score_dataset(dataset_from_dict(data), CAT).total(2023)
    assert t.assessable is True and t.evaluated == 24  # 1 scored + 23 mandatory scored 0
    assert t.total == pytest.approx(120 / 24)
    assert t.total_if_complete == pytest.approx(120.0)
    assert t.missing_effect == pytest.approx(120 / 24 - 120)
    assert t.band_en == "below pass"


def _three_year_park(demo_data):
    """Only renewable share (2, EG, lead 15) and green coverage (26, HG, lead 30) reported; everything else missing."""
    data = demo_data
    data["years"] = [
        {"year": 2022, "indicators": {"renewable_energy_share": 7.5, "green_coverage": 36}},  # 50, 120 (capped)
        {"year": 2023, "indicators": {"renewable_energy_share": 12, "green_coverage": 30}},   # 80, 100
        {"year": 2024, "indicators": {"renewable_energy_share": 15, "green_coverage": 15}},   # 100, 50
    ]
    return data


def test_category_and_total_changes_by_hand(demo_data):
    card = score_dataset(dataset_from_dict(_three_year_park(demo_data)), CAT)
    ch = {(c.category, c.from_year, c.to_year): c for c in card.score_changes}
    codes = ("EG", "RG", "IG", "CG", "HG", "MG")
    assert set(ch) == {(c, a, b) for c in codes + (None,) for a, b in ((2022, 2023), (2023, 2024), (2022, 2024))}
    # EG = mean of 1, 2, 3 (1 and 3 mandatory, missing: 0): 50/3, 80/3, 100/3
    eg = ch[("EG", 2022, 2023)]
    assert (eg.from_score, eg.to_score) == (pytest.approx(50 / 3), pytest.approx(80 / 3))
    assert eg.delta == pytest.approx(10.0) and eg.assessment == "better"
    assert ch[("EG", 2022, 2024)].delta == pytest.approx(50 / 3) and ch[("EG", 2022, 2024)].assessment == "better"
    # HG = mean of 21–26 (27 optional, left out): 120/6, 100/6, 50/6
    assert ch[("HG", 2023, 2024)].delta == pytest.approx(-50 / 6) and ch[("HG", 2023, 2024)].assessment == "worse"
    assert ch[("HG", 2022, 2024)].delta == pytest.approx(-70 / 6)
    # a category with every mandatory indicator missing scores 0 in each year: the same
    mg = ch[("MG", 2022, 2024)]
    assert (mg.from_score, mg.to_score, mg.delta, mg.assessment) == (0.0, 0.0, 0.0, "same")
    # total = mean over the 23 mandatory rows (two scored, 21 at 0): 170/23, 180/23, 150/23
    assert ch[(None, 2022, 2023)].delta == pytest.approx(10 / 23) and ch[(None, 2022, 2023)].assessment == "better"
    assert ch[(None, 2023, 2024)].delta == pytest.approx(-30 / 23) and ch[(None, 2023, 2024)].assessment == "worse"
    assert ch[(None, 2022, 2024)].to_score == pytest.approx(150 / 23) and ch[(None, 2022, 2024)].assessment == "worse"


# ---------------------------------------------------------------- baseline requirements gate the band

def test_demo_baseline_gate(card):
    # demo: requirement 4 (重点企业100%清洁生产审核) is 不符合, the other seven 符合
    assert attrs.asdict(card.baseline) == {"mandatory_unmet": (4,), "mandatory_unknown": (), "encouraged_unmet": ()}
    for t in card.totals:
        assert t.band_qualified is False
        assert (t.band_zh, t.band_en) == ("优秀", "excellent")  # the band itself stays as computed (totals ≥ 90)


def _with_baseline(demo_data, statuses):
    data = dict(demo_data, baseline=[{"number": n, "status": s} for n, s in statuses.items()])
    return score_dataset(dataset_from_dict(data, catalogue=CAT), CAT)


def test_baseline_gate_lists_unmet_unknown_and_encouraged(demo_data):
    # 1 符合, 2 not given (unknown), 3 未知, 4–6 met, 7 不符合 (encouraged), 8 未知 (encouraged, not listed)
    card = _with_baseline(demo_data, {1: "met", 3: "未知", 4: "符合", 5: "met", 6: "met", 7: "不符合", 8: "unknown"})
    assert attrs.asdict(card.baseline) == {"mandatory_unmet": (), "mandatory_unknown": (2, 3), "encouraged_unmet": (7,)}
    assert all(t.band_qualified is True for t in card.totals)  # unknown keeps the band, listed only


def test_two_mandatory_requirements_not_met_are_sorted(demo_data):
    card = _with_baseline(demo_data, {6: "not_met", 1: "不符合", 2: "met", 3: "met", 4: "met", 5: "met", 7: "met", 8: "met"})
    assert card.baseline.mandatory_unmet == (1, 6) and not card.baseline.qualified
    assert all(t.band_qualified is False for t in card.totals)


def test_an_encouraged_requirement_alone_does_not_gate(demo_data):
    card = _with_baseline(demo_data, {n: "met" for n in range(1, 7)} | {7: "not_met", 8: "not_met"})
    assert card.baseline.encouraged_unmet == (7, 8) and card.baseline.mandatory_unmet == ()
    assert all(t.band_qualified is True for t in card.totals)


def test_value_changes_carry_no_float_noise(card):
    # 2 可再生能源使用比例 10.2 → 12.6: 2.4 (12.6 - 10.2 is 2.4000000000000004 in binary floating point)
    ch = {(c.number, c.from_year, c.to_year): c for c in card.changes}
    assert ch[(2, 2023, 2024)].delta == 2.4
    assert ch[(6, 2023, 2024)].delta == 1.6  # 93.2 → 94.8
    assert ch[(1, 2022, 2023)].from_value == 2.84  # "28400 元/tce" in 万元/tce


def test_changes_worked_out_without_the_indicators_missing_in_one_year_only(demo_data):
    """Indicator 1 (EG, mandatory, lead 3) reported only in 2023 (1.5 → 50 points): a data gap in 2022→2023 and
    2023→2024 but not in 2022→2024 (missing both years). Without it, EG is the mean of 2 and 3 and the total the mean
    of the other 22 mandatory rows."""
    data = _three_year_park(demo_data)
    data["years"][1]["indicators"]["energy_productivity"] = 1.5
    card = score_dataset(dataset_from_dict(data), CAT)
    ch = {(c.category, c.from_year, c.to_year): c for c in card.score_changes}
    eg = ch[("EG", 2022, 2023)]
    assert eg.delta == pytest.approx(130 / 3 - 50 / 3) and eg.data_gaps == (1,)
    assert eg.delta_without_data_gaps == pytest.approx((80 + 0) / 2 - (50 + 0) / 2)  # 2 and 3 only: 40 − 25
    assert ch[("EG", 2023, 2024)].data_gaps == (1,)
    assert ch[("EG", 2023, 2024)].delta_without_data_gaps == pytest.approx((100 + 0) / 2 - (80 + 0) / 2)
    assert ch[("EG", 2022, 2024)].data_gaps == () and ch[("EG", 2022, 2024)].delta_without_data_gaps is None
    hg = ch[("HG", 2022, 2023)]  # no gap in HG
    assert hg.data_gaps == () and hg.delta_without_data_gaps is None
    total = ch[(None, 2022, 2023)]
    assert total.delta == pytest.approx(230 / 23 - 170 / 23) and total.data_gaps == (1,)
    assert total.delta_without_data_gaps == pytest.approx(180 / 22 - 170 / 22)


@given(lead=st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False),
       direction=st.sampled_from(["higher", "lower"]))
@settings(max_examples=300, deadline=None)
def test_a_value_at_the_lead_scores_exactly_full(lead, direction):
    """100 × 2.99 / 2.99 is 99.99999999999999: the report then listed a park at the lead as below it (review 8)."""
    cat = load_catalogue()
    ind = attrs.evolve(cat.indicator("energy_productivity"), lead_value=lead, direction=direction)
    assert score_value(ind, lead, None, cat.scoring) == (cat.scoring.full, ())
    # just above and just below the lead score on the side the direction says
    up, down = math.nextafter(lead, math.inf), math.nextafter(lead, 0)
    better, worse = (up, down) if direction == "higher" else (down, up)
    assert score_value(ind, better, None, cat.scoring)[0] >= cat.scoring.full > score_value(ind, worse, None, cat.scoring)[0]


@pytest.mark.parametrize("lead", [0.17, 1.37, 2.99])
def test_leads_whose_plain_product_misses_full(lead):
    """The three leads the review found: with 100 × value / lead each gave 99.99999999999999 at the lead."""
    assert 100 * lead / lead != 100  # the arithmetic the old formula did
    cat = load_catalogue()
    ind = attrs.evolve(cat.indicator("energy_productivity"), lead_value=lead)
    assert score_value(ind, lead, None, cat.scoring)[0] == 100
    assert kit.expected_score(ind, lead, method=cat.scoring)[0] == 100
