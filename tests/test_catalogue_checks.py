"""Cross-checks of the merged catalogue (base + overlays): one name per indicator, codes that fit their category,
category orders and weights, values within bounds, overrides that still fit, and every problem in one run.

Each case writes a small overlay by hand (or edits a copy of the packaged catalogue) and expects a located
problem: the file that has to change, the JSON path, a line, a message naming both parties and a fix.
"""

from __future__ import annotations

import copy
import pathlib
import shutil

import pytest
import yaml

import greendiag
from greendiag import catalogue as catmod
from greendiag.errors import CatalogueError, OverlayConflictError

ROOT = pathlib.Path(__file__).resolve().parent.parent
CAT_DIR = ROOT / "catalogue"
WATER = ROOT / "examples" / "overlays" / "water-cascade.yaml"

SHARE = {  # a new, valid quantitative share indicator; tests change one field at a time
    "id": "test_share", "number": 32, "code": "RG9", "category": "RG", "name_zh": "测试比例", "name_en": "Test share",
    "unit": "%", "kind": "quantitative", "direction": "higher",
    "lead": {"value": 20, "provisional": "测试用引领值,无出处 (test lead value)"}, "mandatory": False,
    "mandatory_source": {"provisional": "测试用,可选指标 (test, optional)"},
    "bounds": {"min": 0, "max": 100, "basis": "比例的定义域 0–100 % (a share lies in 0–100 %)"},
    "plausible": {"min": 0, "max": 80, "provisional": "测试用合理范围 (test plausible range)"},
    "sources": [{"doc": "bj-guide-2024", "clause": "测试条款"}],
}
QUALITATIVE = {
    "id": "test_system", "number": 33, "code": "RG10", "category": "RG", "name_zh": "测试管理体系", "name_en": "Test system",
    "unit": "", "kind": "qualitative",
    "levels": [{"id": "yes", "zh": "有", "en": "yes", "score": 100}, {"id": "no", "zh": "无", "en": "no", "score": 0}],
    "level_scores": {"provisional": "测试用档次分 (test level scores)"},
    "lead": {"level": "yes", "provisional": "测试用 (test)"}, "mandatory": False,
    "sources": [{"doc": "bj-guide-2024", "clause": "测试条款"}],
}
CATEGORY = {"code": "HY", "order": 7, "name_zh": "测试类别", "name_en": "Test category",
            "weight": {"value": 1, "provisional": "测试用权重 (test weight)"}}


def _share(**changes) -> dict:
    d = copy.deepcopy(SHARE)
    d.update(changes)
    return d


def _write(tmp_path, name="o.yaml", oid="test-overlay", **sections) -> pathlib.Path:
    data = {"overlay": {"id": oid, "version": "1.0.0", "title_zh": "测试扩展", "title_en": "test overlay",
                        "extends": {"id": "bj-green-park-2024", "version": ">=1.0,<2"}}, **sections}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _problems(*paths, cls=CatalogueError):
    with pytest.raises(cls) as info:
        greendiag.load_catalogue(*paths)
    return info.value


def _one(err, code):
    found = [p for p in err.problems if p.code == code]
    assert len(found) == 1, err.format("en")
    p = found[0]
    assert p.line and p.fix_zh and p.fix_en, p  # located, with a fix in both languages
    return p


def _raw(name: str) -> list[dict]:
    return yaml.safe_load((CAT_DIR / name).read_text(encoding="utf-8"))[name.split(".")[0]]


# ------------------------------------------------------------------ the shipped files comply


def test_packaged_catalogue_and_example_overlay_load(catalogue):
    cat = greendiag.load_catalogue(WATER)
    assert len(cat.indicators) == 33
    for ind in cat.indicators:  # the rules below hold for what ships, read independently of the checker
        assert ind.code.rstrip("0123456789") == ind.category, ind.id
    assert all(c.weight == 1 for c in cat.categories) and catalogue.scoring.total_aggregation == "mean_of_indicators"


# ------------------------------------------------------------------ 4. one name per indicator


def test_code_of_a_base_indicator_is_refused(tmp_path):
    path = _write(tmp_path, indicators=[_share(code="EG1", category="EG")])
    p = _one(_problems(path), "duplicate-code")
    assert p.file == str(path) and p.location == "$.indicators[0].code"
    for msg in (p.message_zh, p.message_en):
        assert "test_share" in msg and "energy_productivity" in msg and "EG1" in msg and "catalogue/indicators.yaml:" in msg
    assert "EG4" in p.fix_en and "EG4" in p.fix_zh  # the next free code of the category


def test_chinese_name_of_a_base_indicator_is_refused(tmp_path):
    path = _write(tmp_path, indicators=[_share(name_zh="能源产出率")])
    p = _one(_problems(path), "duplicate-name")
    assert p.location == "$.indicators[0].name_zh" and "energy_productivity" in p.message_en and "能源产出率" in p.message_zh


def test_english_name_is_compared_ignoring_case(tmp_path):
    path = _write(tmp_path, indicators=[_share(name_en="ENERGY  productivity")])
    p = _one(_problems(path), "duplicate-name")
    assert p.location == "$.indicators[0].name_en" and "energy_productivity" in p.message_en


def test_a_name_equal_to_another_indicators_code_is_refused(tmp_path):
    # a dataset key "EG2" would find renewable_energy_share by its code first
    path = _write(tmp_path, indicators=[_share(name_zh="EG2")])
    p = _one(_problems(path), "duplicate-name")
    assert "renewable_energy_share" in p.message_en and "code" in p.message_en


def test_code_must_be_the_category_code_and_a_number(tmp_path):
    path = _write(tmp_path, categories=[CATEGORY], indicators=[_share(category="HY")])  # code RG9 in category HY
    p = _one(_problems(path), "code-category")
    assert p.location == "$.indicators[0].code" and "RG9" in p.message_en and "HY" in p.message_en and "HY1" in p.fix_en


def test_the_same_code_in_two_overlays_blames_the_later_one(tmp_path):
    first = _write(tmp_path, "first.yaml", oid="first", indicators=[_share()])
    second = _write(tmp_path, "second.yaml", oid="second", indicators=[_share(id="other_share", number=40, name_zh="另一比例", name_en="Other share")])
    p = _one(_problems(first, second), "duplicate-code")
    assert p.file == str(second) and p.location == "$.indicators[0].code"
    assert "test_share" in p.message_en and f"{first}:" in p.message_en and "RG10" in p.fix_en


# ------------------------------------------------------------------ 5. weights, 12. orders


def test_category_weight_without_effect_is_refused(tmp_path):
    cat = dict(CATEGORY, weight={"value": 3, "provisional": "测试用权重 (test weight)"})
    path = _write(tmp_path, categories=[cat], indicators=[_share(category="HY", code="HY1")])
    p = _one(_problems(path), "weight-without-effect")
    assert p.file == str(path) and p.location == "$.categories[0].weight.value"
    assert "3" in p.message_en and "mean_of_indicators" in p.message_en and "mean_of_indicators" in p.message_zh
    assert "weighted_mean_of_categories" in p.fix_en
    assert greendiag.load_catalogue(_write(tmp_path, "ok.yaml", categories=[CATEGORY], indicators=[_share(category="HY", code="HY1")]))


def test_category_order_taken_is_refused(tmp_path):
    path = _write(tmp_path, categories=[dict(CATEGORY, order=1)], indicators=[_share(category="HY", code="HY1")])
    p = _one(_problems(path), "duplicate-order")
    assert p.location == "$.categories[0].order" and "'EG'" in p.message_en and "'HY'" in p.message_en
    assert "catalogue/catalogue.yaml:" in p.message_en and "7" in p.fix_en


class _Files:
    """Stands in for importlib.resources inside greendiag.catalogue: the data package is a folder."""

    def __init__(self, folder):
        self.folder = folder

    def files(self, package):
        assert package == catmod.DATA_PACKAGE
        return self.folder


def _base_with(tmp_path, monkeypatch, total: str, eg_weight: float):
    folder = tmp_path / "cat"
    shutil.copytree(CAT_DIR, folder)
    head_path = folder / "catalogue.yaml"
    head = yaml.safe_load(head_path.read_text(encoding="utf-8"))
    head["scoring"]["aggregation"]["total"] = total
    head["categories"][0]["weight"]["value"] = eg_weight
    head_path.write_text(yaml.safe_dump(head, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(catmod, "resources", _Files(folder))
    return catmod._load(())


def test_weights_count_when_the_total_is_weighted_by_category(tmp_path, monkeypatch):
    cat = _base_with(tmp_path, monkeypatch, "weighted_mean_of_categories", 2)
    assert cat.category("EG").weight == 2 and cat.scoring.total_aggregation == "weighted_mean_of_categories"


def test_a_base_weight_without_effect_is_refused_too(tmp_path, monkeypatch):
    with pytest.raises(CatalogueError) as info:
        _base_with(tmp_path, monkeypatch, "mean_of_indicators", 2)
    p = _one(info.value, "weight-without-effect")
    assert p.file == "catalogue/catalogue.yaml" and p.location == "$.categories[0].weight.value"


# ------------------------------------------------------------------ 8. values that cannot make sense


def test_lead_value_outside_the_bounds(tmp_path):
    path = _write(tmp_path, indicators=[_share(lead={"value": 150, "provisional": "测试用引领值 (test lead value)"})])
    p = _one(_problems(path), "lead-outside-bounds")
    assert p.location == "$.indicators[0].lead.value" and "150" in p.message_en and "[0, 100]" in p.message_en


def test_lead_value_within_the_bounds_loads(tmp_path):
    plausible = dict(SHARE["plausible"], max=100)  # a lead at the bound, inside the plausible range too
    assert greendiag.load_catalogue(_write(tmp_path, indicators=[_share(lead={"value": 100, "provisional": "测试用引领值 (test)"}, plausible=plausible)]))


@pytest.mark.parametrize("end,value", [("min", -5), ("max", 120)])
def test_plausible_range_reaching_outside_the_bounds(tmp_path, end, value):
    plausible = dict(SHARE["plausible"], **{end: value})
    path = _write(tmp_path, indicators=[_share(plausible=plausible)])
    p = _one(_problems(path), "plausible-outside-bounds")
    assert p.location == f"$.indicators[0].plausible.{end}" and str(value) in p.message_en


def test_reference_outside_the_bounds_after_conversion(tmp_path):
    # 1.5 as a fraction is 150 %: beyond the share's bounds once converted to the indicator's unit
    ref = {"id": "test-ref", "indicator": "renewable_energy_share", "method": "standard_comparison", "label_zh": "测试参考值",
           "label_en": "test reference", "value": 1.5, "unit": "", "provisional": "测试用参考值 (test reference value)",
           "sources": [{"doc": "bj-guide-2024", "clause": "测试条款"}]}
    path = _write(tmp_path, references=[ref])
    p = _one(_problems(path), "reference-outside-bounds")
    assert p.location == "$.references[0].value" and "150" in p.message_en and "renewable_energy_share" in p.message_en
    ok = _write(tmp_path, "ok.yaml", references=[dict(ref, value=0.5)])
    assert greendiag.load_catalogue(ok).references


def test_reference_on_a_qualitative_indicator(tmp_path):
    ref = {"id": "test-ref", "indicator": "central_wastewater_treatment", "method": "standard_comparison", "label_zh": "测试参考值",
           "label_en": "test reference", "value": 1, "unit": "", "provisional": "测试用参考值 (test reference value)",
           "sources": [{"doc": "bj-guide-2024", "clause": "测试条款"}]}
    path = _write(tmp_path, references=[ref])
    p = _one(_problems(path), "reference-on-qualitative")
    assert p.location == "$.references[0].indicator" and "central_wastewater_treatment" in p.message_en


def test_base_reference_of_an_indicator_overridden_to_qualitative_blames_the_overlay(tmp_path):
    base = next(i for i in _raw("indicators.yaml") if i["id"] == "renewable_energy_share")
    refs = [r["id"] for r in _raw("references.yaml") if r["indicator"] == "renewable_energy_share"]
    assert refs
    ind = dict(QUALITATIVE, id=base["id"], number=base["number"], code=base["code"], category=base["category"],
               name_zh=base["name_zh"], name_en=base["name_en"], override=True)
    path = _write(tmp_path, indicators=[ind])
    err = _problems(path)
    found = [p for p in err.problems if p.code == "reference-on-qualitative"]
    assert len(found) == len(refs)
    for p, ref in zip(found, refs):
        assert p.file == str(path) and p.location == "$.indicators[0].kind" and p.fix_en
        assert ref in p.message_en and "catalogue/references.yaml:" in p.message_en


# ------------------------------------------------------------------ 7. an override that breaks what uses it


def test_statistic_overridden_with_another_dimension_names_the_overlay(tmp_path):
    users = sorted(i["id"] for i in _raw("indicators.yaml")
                   if "energy_consumption" in (i.get("definition") or {}).get("denominator", []) + (i.get("definition") or {}).get("numerator", []))
    assert users
    stat = {"id": "energy_consumption", "name_zh": "能耗", "name_en": "energy", "unit": "m3", "override": True}
    path = _write(tmp_path, statistics=[stat])
    err = _problems(path)
    found = [p for p in err.problems if p.code == "definition-units"]
    assert sorted(next(u for u in users if f"'{u}'" in p.message_en) for p in found) == users
    for p in found:
        assert p.file == str(path) and p.location == "$.statistics[0].unit" and p.line
        assert "m3" in p.message_en and "catalogue/indicators.yaml:" in p.message_en
        assert "tce" in p.fix_en and "tce" in p.fix_zh  # the unit it had


def test_indicator_definition_mismatch_in_the_same_file_stays_at_the_indicator(tmp_path):
    stats = [{"id": "test_a", "name_zh": "甲", "name_en": "a", "unit": "t"}, {"id": "test_b", "name_zh": "乙", "name_en": "b", "unit": "m3"}]
    ind = _share(definition={"formula": "ratio", "numerator": ["test_a"], "denominator": ["test_b"]})
    path = _write(tmp_path, statistics=stats, indicators=[ind])
    p = _one(_problems(path), "definition-units")
    assert p.location == "$.indicators[0].definition" and "test_share" in p.message_en and "'%'" in p.fix_en


def test_overlay_version_mismatch_has_a_fix(tmp_path):
    data = yaml.safe_load(_write(tmp_path).read_text(encoding="utf-8"))
    data["overlay"]["extends"]["version"] = ">=2.0,<3"
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    p = _one(_problems(path, cls=OverlayConflictError), "overlay-version")
    assert ">=1.0,<2" in p.fix_en and "1.0.0" in p.fix_zh


# ------------------------------------------------------------------ 6. two overlays: every problem in one run


def _requirement(number):
    return {"number": number, "id": f"test_req_{number}", "text_zh": "鼓励园区开展测试。", "text_en": "The park is encouraged to test.",
            "mandatory": False, "sources": [{"doc": "bj-guide-2024", "clause": "测试条款"}]}


def test_two_overlays_report_conflicts_and_cross_checks_together(tmp_path):
    # the same requirement number 9 and indicator numbers 32, 33 as the water-cascade example
    ours = _write(tmp_path, oid="ours", categories=[CATEGORY], requirements=[_requirement(9)],
                  indicators=[_share(category="HY", code="HY1"), dict(QUALITATIVE, category="HY", code="HY2")])
    err = _problems(ours, WATER, cls=OverlayConflictError)
    conflict = _one(err, "overlay-conflict")
    assert conflict.file == str(WATER) and conflict.location == "$.requirements[0]"
    assert "ours" in conflict.message_en and f"{ours}:" in conflict.message_en
    assert "override" not in conflict.fix_en and "override" not in conflict.fix_zh
    assert "another number in one of the two overlays" in conflict.fix_en
    numbers = [p for p in err.problems if p.code == "duplicate-number"]
    assert [(p.file, p.location) for p in numbers] == [(str(WATER), "$.indicators[0].number"), (str(WATER), "$.indicators[1].number")]
    # each clash is offered its own free number (the same one for both would clash again)
    assert ["e.g. 34" in numbers[0].fix_en, "e.g. 35" in numbers[1].fix_en] == [True, True]
    assert "如 34" in numbers[0].fix_zh and "如 35" in numbers[1].fix_zh
    assert err.problems[0].code == "overlay-conflict"  # conflicts first


def test_clashing_codes_and_orders_are_offered_distinct_free_ones(tmp_path):
    cats = [dict(CATEGORY, code="HY", order=3), dict(CATEGORY, code="HZ", order=3, name_zh="测试类别二", name_en="Test category 2")]
    inds = [_share(id=f"t{i}", number=40 + i, code="RG1", name_zh=f"测试{i}", name_en=f"Test {i}") for i in range(3)]
    err = _problems(_write(tmp_path, categories=cats, indicators=inds))
    codes = [p.fix_en for p in err.problems if p.code == "duplicate-code"]
    assert len(codes) == 3  # RG1 is the base catalogue's: each of the three clashes with the one before
    import greendiag

    top = max(int(i.code[2:]) for i in greendiag.load_catalogue().indicators if i.category == "RG")
    assert [c.split("e.g. ")[-1] for c in codes] == [f"RG{top + 1}", f"RG{top + 2}", f"RG{top + 3}"]
    orders = [p.fix_en for p in err.problems if p.code == "duplicate-order"]
    assert len(orders) == 2 and orders[0].split("e.g. ")[-1] != orders[1].split("e.g. ")[-1]


def test_a_key_repeated_in_one_overlay_says_so(tmp_path):
    path = _write(tmp_path, indicators=[_share(), _share(number=40, code="RG11", name_zh="另一比例", name_en="Other share")])
    p = _one(_problems(path, cls=OverlayConflictError), "overlay-conflict")
    assert p.location == "$.indicators[1]" and "twice" in p.message_en and "override" not in p.fix_en


def test_two_overlays_with_the_same_id(tmp_path):
    first = _write(tmp_path, "first.yaml", oid="same", indicators=[_share()])
    second = _write(tmp_path, "second.yaml", oid="same", requirements=[_requirement(10)])
    p = _one(_problems(first, second, cls=OverlayConflictError), "duplicate-overlay")
    assert p.file == str(second) and p.location == "$.overlay.id" and str(first) in p.message_en


def test_the_same_overlay_twice_is_one_problem(tmp_path):
    path = _write(tmp_path, indicators=[_share()], requirements=[_requirement(10)])
    err = _problems(path, path, cls=OverlayConflictError)
    assert err.codes == ("duplicate-overlay",) and "same file" in err.problems[0].message_en


def test_schema_errors_of_every_overlay_come_together(tmp_path):
    first = _write(tmp_path, "first.yaml", oid="first", indicators=[_share(kind="quantified")])
    second = _write(tmp_path, "second.yaml", oid="second", indicators=[_share(id="other_share", number=40, code="RG11", direction="sideways")])
    err = _problems(first, second)
    assert {(p.file, p.location) for p in err.problems} >= {(str(first), "$.indicators[0].kind"), (str(second), "$.indicators[0].direction")}


def test_an_unknown_statistic_unit_is_one_error_with_a_fix(tmp_path):
    """Sm3 is not a unit greendiag knows (Nm3 is, since gas volumes are read at standard conditions): one unknown-unit
    error with a fix, not also a 'different dimensions' one."""
    import greendiag

    overlay = tmp_path / "o.yaml"
    overlay.write_text("""overlay: {id: nm3, version: 1.0.0, title_zh: 测试, title_en: test, extends: {id: bj-green-park-2024, version: '>=1.0,<2'}}
statistics:
  - {id: h2_a, name_zh: 氢气甲, name_en: hydrogen a, unit: Sm3}
  - {id: h2_b, name_zh: 氢气乙, name_en: hydrogen b, unit: Sm3}
indicators:
  - id: h2_share
    number: 32
    code: EG4
    category: EG
    name_zh: 测试氢气比例
    name_en: Test hydrogen share
    unit: '%'
    kind: quantitative
    direction: higher
    lead: {value: 20, provisional: "test fixture only"}
    mandatory: false
    bounds: {min: 0, max: 100, basis: a share}
    definition: {formula: ratio, numerator: [h2_a], denominator: [h2_a, h2_b]}
    sources: [{doc: bj-guide-2024, clause: "test fixture"}]
""", encoding="utf-8")
    with pytest.raises(greendiag.CatalogueError) as info:
        greendiag.load_catalogue(overlay)
    codes = [p.code for p in info.value.problems]
    assert codes == ["unknown-unit", "unknown-unit"] and all("units.txt" in p.fix_zh for p in info.value.problems)


@pytest.mark.parametrize("levels, where", [
    ([{"id": "yes", "zh": "有", "en": "yes", "score": 100}, {"id": "no", "zh": "有", "en": "no", "score": 0}], "$.indicators[0].levels[1]"),
    ([{"id": "yes", "zh": "有", "en": "in place", "score": 100}, {"id": "no", "zh": "无", "en": "有", "score": 0}], "$.indicators[0].levels[1]"),
])
def test_a_level_name_two_levels_share_is_refused(tmp_path, levels, where):
    """"已认证" for two levels resolved silently to the first one (re-review 2)."""
    ind = copy.deepcopy(QUALITATIVE)
    ind["levels"] = levels
    p = _one(_problems(_write(tmp_path, indicators=[ind])), "duplicate-level")
    assert p.location == where and "“有”" in p.message_zh


def test_a_level_score_above_the_cap_is_refused(tmp_path):
    """A level scoring 150 was accepted and silently scored 120 (re-review 2)."""
    ind = copy.deepcopy(QUALITATIVE)
    ind["levels"][0]["score"] = 150
    p = _one(_problems(_write(tmp_path, indicators=[ind])), "level-score-out-of-range")
    assert p.location == "$.indicators[0].levels[0].score" and "150" in p.message_zh and "120" in p.fix_zh


@pytest.mark.parametrize("lead, scores", [("no", (100, 80)), ("yes", (120, 0)), ("yes", (80, 0))])
def test_the_lead_level_must_score_full_marks(tmp_path, lead, scores):
    """A lead level scoring 80 promised 100 − score points and its park was 'below the lead' at the lead (review 8)."""
    ind = copy.deepcopy(QUALITATIVE)
    ind["lead"]["level"] = lead
    for lv, score in zip(ind["levels"], scores):
        lv["score"] = score
    p = _one(_problems(_write(tmp_path, indicators=[ind])), "lead-level-score")
    j = [lv["id"] for lv in ind["levels"]].index(lead)
    assert p.location == f"$.indicators[0].levels[{j}].score"
    assert f"“{lead}”的分值为 {scores[j]}" in p.message_zh and "满分 100" in p.message_zh and "lead.level" in p.fix_en


def test_levels_beyond_the_lead_may_score_more(tmp_path):
    ind = copy.deepcopy(QUALITATIVE)
    ind["levels"].insert(0, {"id": "best", "zh": "领先", "en": "leading", "score": 120})
    path = _write(tmp_path, indicators=[ind])
    import greendiag

    assert greendiag.load_catalogue(path).indicator("test_system").level("best").score == 120


def test_a_lead_value_outside_the_plausible_range_is_refused(tmp_path):
    """A park at the lead value would have been flagged above the plausible maximum (re-review 2)."""
    p = _one(_problems(_write(tmp_path, indicators=[_share(lead={"value": 90, "provisional": "测试用引领值 (test lead)"})])),
             "lead-outside-plausible")
    assert p.location == "$.indicators[0].lead.value" and "90" in p.message_zh and "[0, 80]" in p.message_zh
