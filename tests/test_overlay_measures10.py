"""An overlay that brings its own improvement measures (`measures:`): checked when the overlay loads, merged into the
rule base by load_rules(catalogue=…), so a specialised diagnosis recommends them without a rule file.

Expected ids, titles, lines and orders are written here from the example files and rules/measures.yaml as they read,
not taken from the code under test."""

from __future__ import annotations

import copy
import json
import pathlib

import pytest
import yaml

import greendiag
from greendiag.errors import CatalogueError, OverlayConflictError, RuleError

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
WATER = EXAMPLES / "overlays" / "water-cascade.yaml"
LIBRARY = ROOT / "rules" / "measures.yaml"

HEAD = """overlay:
  id: {oid}
  version: 1.0.0
  title_zh: 测试扩展
  title_en: Test overlay
  extends: {{id: bj-green-park-2024, version: '>=1.0,<2'}}
"""
RAIN = """
measures:
  - id: rainwater_harvest
    title_zh: 建设雨水收集利用设施
    title_en: Rainwater harvesting facilities
    indicators: [water_productivity]
    effect_zh: 减少新鲜水取用
    effect_en: Less fresh water drawn
    basis: {doc: bj-guide-2024, clause: "四(三)3(测试)"}
"""


def _overlay(tmp_path, name: str, body: str, oid: str = "test-measures") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(HEAD.format(oid=oid) + body, encoding="utf-8")
    return path


def _measure(mid: str = "m_test", **fields) -> str:
    """One measure item as YAML; `fields` replace or (with value None) drop the defaults."""
    item = {"id": mid, "title_zh": "测试措施", "title_en": "Test measure", "indicators": ["water_productivity"],
            "effect_zh": "测试", "effect_en": "test", "basis": {"doc": "bj-guide-2024", "clause": "四(三)3(测试)"}}
    for k, v in fields.items():
        if v is None:
            item.pop(k, None)
        else:
            item[k] = v
    text = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=1000)
    return "measures:\n" + "".join("  " + line for line in text.splitlines(keepends=True))  # indented as RAIN is


def _line_of(path: pathlib.Path, text: str) -> int:
    """1-based line of the first line of `path` that holds `text`."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def demo_data() -> dict:
    return yaml.safe_load((EXAMPLES / "demo-park.yaml").read_text(encoding="utf-8"))


def _diagnose(data: dict, cat, rules=None):
    return greendiag.diagnose(greendiag.dataset_from_dict(data, catalogue=cat), catalogue=cat, rules=rules, backend="python")


# ------------------------------------------------------------------ the example overlay, alone


def test_the_overlay_alone_recommends_its_measures_for_32_and_33(water, demo_data):
    data = copy.deepcopy(demo_data)
    next(b for b in data["years"] if b["year"] == 2024)["indicators"].update(
        water_cascade_share=6.0, industrial_reclaimed_water_share=20.0)  # below the leads 10 and 31.36
    d = _diagnose(data, water)
    (r32,) = [r for r in d.recommendations if r.indicator == 32 and r.year == 2024]
    (r33,) = [r for r in d.recommendations if r.indicator == 33 and r.year == 2024]
    assert [(m["id"], m["title_zh"], m["title_en"]) for m in r32.measures] == [
        ("water_cascade_graded_supply", "推广水的梯级利用:按水质分类供水、串级使用、循环利用",
         "Promote cascade water use — supply by quality, use in series, recycle")]
    assert [(m["id"], m["title_zh"]) for m in r33.measures] == [("reclaimed_water_substitution", "以再生水替代新鲜水用于工业用水(分类使用)")]
    assert r32.measures[0]["effect_zh"] == "提高梯级(串级)利用水量在工业用水中的比例,减少新鲜水取用量"
    # the JSON says so too, and the diagnosis names no rule file
    out = json.loads(d.to_json())
    assert out["rules_extensions"] == []
    assert any(m["id"] == "water_cascade_graded_supply" for r in out["recommendations"] for m in r["measures"])


def test_the_rule_base_lists_the_overlay_measures_after_the_library(water):
    library = [m["id"] for m in yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["measures"]]
    rb = greendiag.load_rules(catalogue=water)
    assert [m.id for m in rb.measures] == library + ["water_cascade_graded_supply", "reclaimed_water_substitution"]
    assert [m.origin for m in rb.measures[-2:]] == ["water-cascade", "water-cascade"]
    assert all(m.origin == "" for m in rb.measures[:-2])
    assert rb.checked_with == "bj-green-park-2024 1.0.0 + water-cascade 1.0.0"
    assert rb.sha256 != greendiag.load_rules().sha256  # the digest covers the measures
    assert greendiag.load_rules(catalogue=water) is rb  # worked out once per catalogue


def test_without_overlay_measures_the_packaged_rules_are_returned_as_they_are(catalogue):
    rb = greendiag.load_rules()
    assert greendiag.load_rules(catalogue=catalogue) == rb
    assert catalogue.measures == () and rb.checked_with == ""
    assert all(m.origin == "" and m.replaces is None for m in rb.measures)


def test_rules_loaded_with_the_overlay_are_refused_for_another_catalogue(water, demo_dataset, catalogue):
    rb = greendiag.load_rules(catalogue=water)
    with pytest.raises(RuleError) as info:
        greendiag.diagnose(demo_dataset, catalogue=catalogue, rules=rb, backend="python")
    assert info.value.problems[0].code == "rules-catalogue-mismatch"


# ------------------------------------------------------------------ checked when the overlay loads


def test_the_schema_is_the_packaged_items_plus_override():
    common = json.loads((ROOT / "catalogue" / "schemas" / "common.schema.json").read_text(encoding="utf-8"))["$defs"]["measure"]
    packaged = json.loads((ROOT / "rules" / "schemas" / "measures.schema.json").read_text(encoding="utf-8"))
    items = packaged["properties"]["measures"]["items"]
    assert common["required"] == items["required"]
    assert set(common["properties"]) == set(items["properties"]) | {"override"}
    assert common["additionalProperties"] is False


@pytest.mark.parametrize("body, code, location", [
    (_measure(title_en=None), "schema-required", "$.measures[0]"),
    (_measure(titel_en="x"), "schema-additionalProperties", "$.measures[0]"),
    (_measure("Water-Use"), "schema-pattern", "$.measures[0].id"),
    (_measure(requirements=["nine"]), "schema-type", "$.measures[0].requirements[0]"),
    (_measure(basis={"doc": "bj-guide-2024"}), "schema-required", "$.measures[0].basis"),
])
def test_schema_errors_are_located(tmp_path, body, code, location):
    path = _overlay(tmp_path, "o.yaml", body)
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    hits = [p for p in info.value.problems if p.code == code]
    assert hits and hits[0].location == location and hits[0].file == str(path) and hits[0].line is not None


def test_an_unknown_indicator_is_located_with_a_hint_for_a_code(tmp_path):
    path = _overlay(tmp_path, "o.yaml", _measure(indicators=["water_productivity", "water_productivty", "RG4"]))
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    assert not isinstance(info.value, OverlayConflictError)
    a, b = info.value.problems
    assert (a.code, a.location, a.file) == ("unknown-indicator", "$.measures[0].indicators[1]", str(path))
    assert "water_productivty" in a.message_zh and "m_test" in a.message_en and a.line == _line_of(path, "- water_productivty")
    # RG4 is the code of industrial_water_reuse (catalogue/indicators.yaml): measures name indicators by id
    assert b.location == "$.measures[0].indicators[2]" and "industrial_water_reuse" in b.fix_en


def test_an_overlay_indicator_is_known_only_with_its_overlay(tmp_path, water):
    alone = _overlay(tmp_path, "o.yaml", _measure(indicators=["water_cascade_share"]))
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(alone)
    assert info.value.codes == ("unknown-indicator",)
    cat = greendiag.load_catalogue(WATER, alone)  # with the overlay that defines 32
    assert [m.id for m in cat.measures] == ["m_test", "water_cascade_graded_supply", "reclaimed_water_substitution"]  # overlays by id


def test_unknown_requirement_document_and_a_measure_for_nothing(tmp_path):
    path = _overlay(tmp_path, "o.yaml", _measure(requirements=[9], basis={"doc": "no-such-doc", "clause": "x"})
                    + _measure("m_empty", indicators=[])[len("measures:\n"):])
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    got = {(p.code, p.location) for p in info.value.problems}
    assert got == {("unknown-requirement", "$.measures[0].requirements[0]"), ("unknown-document", "$.measures[0].basis.doc"),
                   ("measure-applies-to-nothing", "$.measures[1]")}
    req = next(p for p in info.value.problems if p.code == "unknown-requirement")
    assert "1、2、3、4、5、6、7、8" in req.fix_zh  # the base catalogue's requirements, 附件2-1-1


# ------------------------------------------------------------------ ids: conflicts and replacing


def test_a_packaged_id_is_a_conflict_naming_both_files(tmp_path):
    path = _overlay(tmp_path, "o.yaml", _measure("water_cascade_use"))
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(path)
    (p,) = info.value.problems
    assert (p.code, p.file, p.location) == ("overlay-conflict", str(path), "$.measures[0]")
    assert p.line == _line_of(path, "- id: water_cascade_use")
    where = f"rules/measures.yaml:{_line_of(LIBRARY, '- id: water_cascade_use')}"
    assert where in p.message_zh and where in p.message_en and "override: true" in p.message_zh


def test_the_same_id_in_two_overlays_names_the_other_file(tmp_path):
    first = _overlay(tmp_path, "a.yaml", RAIN, oid="rain-a")
    second = _overlay(tmp_path, "b.yaml", RAIN, oid="rain-b")
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(first, second)
    (p,) = info.value.problems
    assert p.file == str(second) and p.location == "$.measures[0]"
    assert f"{first}:{_line_of(first, '- id: rainwater_harvest')}" in p.message_en


def test_the_same_id_twice_in_one_overlay(tmp_path):
    path = _overlay(tmp_path, "o.yaml", RAIN + RAIN[len("\nmeasures:\n"):])
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(path)
    (p,) = info.value.problems
    assert p.location == "$.measures[1]" and "appears twice in this file" in p.message_en


def test_override_replaces_a_packaged_measure_in_its_place(tmp_path, catalogue, demo_dataset):
    path = _overlay(tmp_path, "o.yaml", _measure("water_cascade_use", title_zh="开展水的梯级利用(北京细则)", title_en="Cascade water use (Beijing)",
                                                 indicators=["water_productivity", "industrial_water_reuse"], override=True))
    cat = greendiag.load_catalogue(path)
    (m,) = cat.measures
    assert (m.id, m.origin, m.replaces) == ("water_cascade_use", "test-measures", "bj-green-park-rules")
    rb = greendiag.load_rules(catalogue=cat)
    library = [x["id"] for x in yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["measures"]]
    assert [x.id for x in rb.measures] == library  # replaced where it stood, nothing added
    assert rb.measures[0].title_zh == "开展水的梯级利用(北京细则)" and rb.measures[0].indicators == ("water_productivity", "industrial_water_reuse")
    # the packaged measure named wastewater_per_value_added as well; the replacement does not
    assert all(x.id != "water_cascade_use" for x in rb.measures_for(indicator="wastewater_per_value_added"))
    # the packaged kind water_cascade still names a measure of the rule base
    assert cat.demonstration_kind("water_cascade").measure == "water_cascade_use"


def test_override_of_nothing_and_two_overlays_replacing_one_measure(tmp_path):
    nothing = _overlay(tmp_path, "n.yaml", _measure("no_such_measure", override=True))
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(nothing)
    (p,) = info.value.problems
    assert p.code == "override-nothing" and p.location == "$.measures[0]" and "rules/measures.yaml" not in p.message_zh
    assert "内置措施库" in p.message_zh and "packaged measure library" in p.message_en
    a = _overlay(tmp_path, "a.yaml", _measure("rooftop_pv", override=True), oid="pv-a")
    b = _overlay(tmp_path, "b.yaml", _measure("rooftop_pv", override=True), oid="pv-b")
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(a, b)
    (p,) = info.value.problems
    assert p.code == "overlay-conflict" and p.file == str(b) and str(a) in p.message_en and "order" in p.message_en


# ------------------------------------------------------------------ order, rule files, demonstration kinds


def test_two_overlays_in_either_order_give_the_same_rule_base(tmp_path, demo_data):
    rain = _overlay(tmp_path, "rain.yaml", RAIN + _measure("rooftop_pv", override=True, title_zh="屋顶光伏(测试)",
                                                   indicators=["renewable_energy_share"])[len("measures:\n"):],
                    oid="rain")
    ab, ba = greendiag.load_catalogue(WATER, rain), greendiag.load_catalogue(rain, WATER)
    assert ab == ba and ab.label == ba.label
    rb_ab, rb_ba = greendiag.load_rules(catalogue=ab), greendiag.load_rules(catalogue=ba)
    assert rb_ab == rb_ba and rb_ab.sha256 == rb_ba.sha256
    library = [m["id"] for m in yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["measures"]]
    # rain's addition first (overlays by id: rain < water-cascade), then water-cascade's, in file order
    assert [m.id for m in rb_ab.measures] == library + ["rainwater_harvest", "water_cascade_graded_supply", "reclaimed_water_substitution"]
    assert next(m for m in rb_ab.measures if m.id == "rooftop_pv").title_zh == "屋顶光伏(测试)"
    # water_productivity: the library's water_cascade_use, then rain's measure
    assert [m.id for m in rb_ab.measures_for(indicator="water_productivity")] == ["water_cascade_use", "rainwater_harvest"]
    d_ab, d_ba = _diagnose(demo_data, ab), _diagnose(demo_data, ba)
    assert d_ab.to_json() == d_ba.to_json()


def test_a_rule_file_measure_with_an_overlay_id_is_a_duplicate(tmp_path, water):
    rules = tmp_path / "r.yaml"
    rules.write_text(_measure("reclaimed_water_substitution", indicators=["industrial_reclaimed_water_share"]), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(rules, catalogue=water)
    (p,) = info.value.problems
    assert (p.code, p.file, p.location) == ("duplicate-measure", str(rules), "$.measures[0].id")
    assert "扩展目录 water-cascade" in p.message_zh and "overlay water-cascade" in p.message_en


def test_an_overlay_given_as_a_rule_file_is_said_to_be_one(water):
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(WATER, catalogue=water)
    (p,) = info.value.problems
    assert p.code == "not-a-rule-file" and "overlay" in p.message_en and "--overlay" in p.fix_en


KIND = """
demonstration_kinds:
  - id: rainwater_harvesting
    name_zh: 雨水收集利用
    name_en: Rainwater harvesting
    sources: [{doc: bj-guide-2024, clause: "四(三)3(测试)"}]
    measure: rainwater_harvest
"""


def test_a_demonstration_kind_may_name_the_overlays_measure(tmp_path, demo_data):
    path = _overlay(tmp_path, "o.yaml", KIND + RAIN)
    cat = greendiag.load_catalogue(path)
    rb = greendiag.load_rules(catalogue=cat)  # no unknown-measure: the kind's measure comes with the overlay
    assert "rainwater_harvest" in {m.id for m in rb.measures}
    # and the park that has the work under way sees it on the candidate
    data = copy.deepcopy(demo_data)
    data["demonstration_work"].append({"kind": "rainwater_harvesting", "status": "under_construction"})
    next(b for b in data["years"] if b["year"] == 2024)["indicators"]["water_productivity"] = 100
    d = _diagnose(data, cat)
    titles = {m["title_zh"] for r in d.recommendations if r.indicator_id == "water_productivity" for m in r.measures}
    assert "建设雨水收集利用设施(园区在建,见三、3)" in titles
    # without the measure the kind names nothing the rule base has
    bare = greendiag.load_catalogue(_overlay(tmp_path, "bare.yaml", KIND))
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(catalogue=bare)
    assert info.value.codes == ("unknown-measure",)


def test_packaged_rules_loaded_without_the_catalogue_still_get_the_overlay_measures():
    """diagnose(ds, catalogue=water, rules=load_rules()) — rules loaded before the overlay — must not lose its measures."""
    import yaml

    water = greendiag.load_catalogue(EXAMPLES / "overlays" / "water-cascade.yaml")
    data = yaml.safe_load((EXAMPLES / "demo-park.yaml").read_text(encoding="utf-8"))
    for y in data["years"]:
        if y["year"] >= 2022:
            y.setdefault("indicators", {})["water_cascade_share"] = {"value": 0.5}  # lead 10 %: short of it
    ds = greendiag.dataset_from_dict(data, catalogue=water)
    a = greendiag.diagnose(ds, catalogue=water, rules=greendiag.load_rules(), backend="python")
    b = greendiag.diagnose(ds, catalogue=water, backend="python")
    assert a.to_json() == b.to_json()
    assert any(m["id"] == "water_cascade_graded_supply" for r in a.recommendations for m in r.measures)
