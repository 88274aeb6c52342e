"""An elasticity (ratio of growth rates) in a year whose statistics show its denominator not growing is undefined:
shown, not scored, left out of the means, and explained by a finding; never "missing data scored 0", and a
negative value then (emissions rose while value added fell) never gets the capped best score."""

from __future__ import annotations

import copy

import pytest
import yaml

import greendiag
from greendiag.dataset import dataset_from_dict
from greendiag.testing import assert_scoring_invariants

IND = "pollutant_elasticity"


@pytest.fixture(scope="module")
def demo_dict(demo_path):
    return yaml.safe_load(demo_path.read_text(encoding="utf-8"))


def _year(d: dict, year: int) -> dict:
    return next(b for b in d["years"] if b["year"] == year)


def _diagnose(d: dict, catalogue, rulebase, backend: str = "python"):
    diag = greendiag.diagnose(dataset_from_dict(d, catalogue=catalogue), catalogue=catalogue, rules=rulebase, backend=backend)
    out = diag.to_dict()
    assert_scoring_invariants(out, catalogue)
    row = {r["year"]: r for r in out["indicators"] if r["id"] == IND}
    return diag, out, row


def _value_added_falls_in_2024(demo_dict) -> tuple[dict, float]:
    d = copy.deepcopy(demo_dict)
    before = _year(d, 2023)["statistics"]["industrial_value_added"]["value"]
    _year(d, 2024)["statistics"]["industrial_value_added"]["value"] = 2_000_000
    return d, (2_000_000 - before) / before * 100


@pytest.mark.parametrize("backend", ["durable", "python"])
def test_reported_negative_elasticity_while_value_added_fell_is_undefined_not_best(demo_dict, catalogue, rulebase, backend):
    d, growth = _value_added_falls_in_2024(demo_dict)
    _year(d, 2024)["indicators"][IND] = {"value": -0.3, "evidence": "H24-2024"}
    diag, out, row = _diagnose(d, catalogue, rulebase, backend)
    assert (row[2024]["status"], row[2024]["score"], row[2024]["value"], row[2024]["flags"]) == ("undefined", None, -0.3, [])
    total = next(t for t in out["total_scores"] if t["year"] == 2024)
    assert total["undefined"] == [24] and 24 not in total["missing_mandatory"]
    ind_rows = [r for r in out["indicators"] if r["year"] == 2024 and r["score"] is not None]
    assert total["evaluated"] == len(ind_rows) == len(catalogue.indicators) - 1 - len(total["missing_optional"])
    found = [f for f in diag.findings if f.indicator == 24 and f.year == 2024]
    assert [f.rule_id for f in found] == ["anomaly.indicator.undefined"]
    assert f"{growth:.3g}%" in found[0].message_zh and "工业增加值" in found[0].message_zh
    assert not [r for r in diag.recommendations if r.indicator == 24 and r.year == 2024]


def test_unreported_elasticity_while_value_added_fell_is_undefined_not_missing(demo_dict, catalogue, rulebase):
    d, _ = _value_added_falls_in_2024(demo_dict)
    assert IND not in _year(d, 2024)["indicators"]  # derived from the statistics in the demo
    diag, out, row = _diagnose(d, catalogue, rulebase)
    assert (row[2024]["status"], row[2024]["score"], row[2024]["value"]) == ("undefined", None, None)
    rules = {f.rule_id for f in diag.findings if f.indicator == 24 and f.year == 2024}
    assert rules == {"anomaly.indicator.undefined"}  # not compliance.indicator.mandatory_missing, not rec.advanced.missing_data
    change = next(c for c in out["changes"] if c["indicator"] == IND and (c["from_year"], c["to_year"]) == (2023, 2024))
    assert change["assessment"] == "n/a"


def test_negative_elasticity_with_growth_or_without_the_statistics_is_scored_as_before(demo_dict, catalogue, rulebase):
    d = copy.deepcopy(demo_dict)
    _year(d, 2024)["indicators"][IND] = {"value": -0.3, "evidence": "H24-2024"}
    _, _, row = _diagnose(d, catalogue, rulebase)
    assert (row[2024]["status"], row[2024]["score"]) == ("scored", catalogue.scoring.cap)  # value added grew: best case
    d2, _ = _value_added_falls_in_2024(d)
    del _year(d2, 2023)["statistics"]["industrial_value_added"]  # growth unknown
    _, _, row = _diagnose(d2, catalogue, rulebase)
    assert row[2024]["status"] == "scored"


OVERLAY = """\
overlay:
  id: elasticity-ref
  version: 1.0.0
  title_zh: 测试扩展(弹性系数参考值)
  title_en: test overlay (elasticity reference)
  extends: {id: bj-green-park-2024, version: '>=1.0,<2'}
documents:
  - id: test-elasticity-doc
    title_zh: 测试用弹性系数文件
    title_en: Test elasticity document
references:
  - id: test-elasticity-0-1
    indicator: pollutant_elasticity
    method: standard_comparison
    label_zh: 测试主要污染物弹性系数(≤0.1)
    label_en: Test elasticity of main pollutant emissions (≤0.1)
    value: 0.1
    unit: ''
    sources: [{doc: test-elasticity-doc, clause: "测试条款"}]
"""


def test_an_undefined_year_is_not_compared_with_a_reference_value(demo_dict, tmp_path):
    (tmp_path / "o.yaml").write_text(OVERLAY, encoding="utf-8")
    cat = greendiag.load_catalogue(tmp_path / "o.yaml")
    rules = greendiag.load_rules(catalogue=cat)
    grew = copy.deepcopy(demo_dict)
    _year(grew, 2024)["indicators"][IND] = {"value": 0.8, "evidence": "H24-2024"}  # above the reference 0.1
    diag, _, row = _diagnose(grew, cat, rules)
    assert row[2024]["status"] == "scored"
    assert [r.rule_id for r in diag.recommendations if r.indicator == 24 and r.method == "standard_comparison"] == [
        "rec.standard.above_reference"]  # the control: value added grew, the value is compared
    fell, _ = _value_added_falls_in_2024(grew)
    diag, _, row = _diagnose(fell, cat, rules)
    assert row[2024]["status"] == "undefined"
    assert [r for r in diag.recommendations if r.indicator == 24] == []


def test_an_undefined_years_value_is_not_chained_into_the_next_year_or_the_year_fact(demo_dict, catalogue, rulebase):
    """Rules see no prev_value/yoy from an undefined year, and no v_<indicator> for it in the year fact."""
    from greendiag import facts as factsmod
    from greendiag.scoring import score_dataset

    d = copy.deepcopy(demo_dict)
    before = _year(d, 2022)["statistics"]["industrial_value_added"]["value"]
    _year(d, 2023)["statistics"]["industrial_value_added"]["value"] = before - 10_000  # value added fell in 2023
    _year(d, 2023)["indicators"][IND] = {"value": -0.3, "evidence": "H24-2023"}
    ds = dataset_from_dict(d, catalogue=catalogue)
    card = score_dataset(ds, catalogue)
    constants = {c.name: c.value for c in rulebase.constants}
    facts = factsmod.prepare_facts(ds, catalogue, card, constants, None, rulebase.term_lists()).facts
    ind = {int(f["year"]): f for f in facts if f["fact"] == "indicator" and f["ind"] == IND}
    year = {int(f["year"]): f for f in facts if f["fact"] == "year"}
    assert ind[2023]["undefined"] == 1.0 and ind[2023]["has_value"] == 1.0 and "value" not in ind[2023]
    assert "prev_value" not in ind[2024] and "yoy_pct" not in ind[2024]
    assert "v_" + IND not in year[2023] and "v_" + IND in year[2024]


def _optional_elasticity(tmp_path, root):
    """The catalogue with 24 made optional by an overlay (as a specialised overlay's elasticity would be)."""
    base = next(i for i in yaml.safe_load((root / "catalogue" / "indicators.yaml").read_text(encoding="utf-8"))["indicators"]
                if i["id"] == IND)
    ind = dict(base, mandatory=False, override=True)
    head = yaml.safe_load(OVERLAY.split("documents:")[0])
    head["overlay"]["id"] = "optional-elasticity"
    (tmp_path / "opt.yaml").write_text(yaml.safe_dump({**head, "indicators": [ind]}, allow_unicode=True), encoding="utf-8")
    return greendiag.load_catalogue(tmp_path / "opt.yaml")


def _no_pollutant_data(d: dict, years=(2023, 2024)) -> dict:
    for y in years:
        _year(d, y)["statistics"].pop("main_pollutant_emissions", None)
        _year(d, y)["indicators"].pop(IND, None)
    return d


def test_an_optional_elasticity_the_park_gives_nothing_for_is_not_reported_not_undefined(demo_dict, tmp_path, root):
    """A park that does not track the numerator at all: left out as not reported (info), not an 'undefined' anomaly
    asking for an explanation (review 8)."""
    cat = _optional_elasticity(tmp_path, root)
    rules = greendiag.load_rules(catalogue=cat)
    d, _ = _value_added_falls_in_2024(demo_dict)
    diag, out, row = _diagnose(_no_pollutant_data(d), cat, rules)
    assert (row[2024]["status"], row[2024]["score"]) == ("missing_optional", None)
    assert {f.rule_id for f in diag.findings if f.indicator == 24 and f.year == 2024} == {"compliance.indicator.optional_missing"}
    # with the numerator given in the year before only, the park tracks it: the year is undefined again
    d, _ = _value_added_falls_in_2024(demo_dict)
    _no_pollutant_data(d, years=(2024,))
    _, _, row = _diagnose(d, cat, rules)
    assert row[2024]["status"] == "undefined"


def test_a_mandatory_elasticity_with_no_data_stays_undefined_not_scored_zero(demo_dict, catalogue, rulebase):
    d, _ = _value_added_falls_in_2024(demo_dict)
    diag, out, row = _diagnose(_no_pollutant_data(d), catalogue, rulebase)
    assert (row[2024]["status"], row[2024]["score"]) == ("undefined", None)
    assert 24 not in next(t for t in out["total_scores"] if t["year"] == 2024)["missing_mandatory"]
