"""Overlays, session 10: a requirement linked to a kind of demonstrative work (cross-checked, never taken as met),
measures for an overlay's own indicators (since session 10's H10 carried by the overlay itself, no longer by its rule
file; tests/test_overlay_measures10.py checks the loading), and the demonstration kinds' `measure` checked against the
rule base when rules load.

Expected values are written here from the example files (the overlay's requirement 9 and measures) and from the
guide's wording, not read back from the code under test."""

from __future__ import annotations

import copy
import json
import pathlib

import attrs
import pytest
import yaml

import greendiag
from greendiag import facts as factsmod
from greendiag.errors import CatalogueError, RuleError

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
WATER = EXAMPLES / "overlays" / "water-cascade.yaml"
WATER_RULES = EXAMPLES / "rules" / "water-cascade-rules.yaml"
RULE = "compliance.requirement.demonstration_done_unchecked"
NOTE_ZH = "示范性工作中记录为已开展,请核查本项要求"


@pytest.fixture(scope="module")
def demo_data() -> dict:
    return yaml.safe_load((EXAMPLES / "demo-park.yaml").read_text(encoding="utf-8"))


def _diagnose(data: dict, cat, rules=None):
    ds = greendiag.dataset_from_dict(data, catalogue=cat)
    return greendiag.diagnose(ds, catalogue=cat, rules=rules, backend="python")


def _with(data: dict, *, baseline9=None, water_status=None, drop_water=False) -> dict:
    data = copy.deepcopy(data)
    if baseline9 is not None:
        data["baseline"].append({"number": 9, "status": baseline9})
    items = data["demonstration_work"]
    if drop_water:
        data["demonstration_work"] = [w for w in items if w["kind"] != "water_cascade"]
    elif water_status is not None:
        next(w for w in items if w["kind"] == "water_cascade")["status"] = water_status
    return data


def _row9(d) -> dict:
    return next(r for r in d.to_dict()["baseline"] if r["number"] == 9)


# ------------------------------------------------------------------ 1. requirement ↔ demonstrative work


def test_the_example_overlay_links_requirement_9_to_water_cascade(water, catalogue):
    assert water.requirement(9).demonstration == "water_cascade"
    assert water.demonstration_kind("water_cascade").name_zh == "水的梯级利用推广"
    assert all(r.demonstration is None for r in catalogue.requirements)  # the base catalogue links none


def test_unchecked_requirement_with_work_done_is_cross_referenced_not_met(water, demo_data):
    """The demo park records water cascade use as 已开展 and says nothing of requirement 9: the baseline row says so
    beside it and a finding asks for the requirement's status; the requirement stays unknown (not met on its own)."""
    assert any(w["kind"] == "water_cascade" and w["status"] in ("done", "已开展") for w in demo_data["demonstration_work"])
    d = _diagnose(demo_data, water)
    row = _row9(d)
    assert row["status"] == "unknown"
    assert row["demonstration"] == {"kind": "water_cascade", "name_zh": "水的梯级利用推广", "name_en": "Promotion of cascading water use",
                                    "status": "done", "status_zh": "已开展", "status_en": "carried out",
                                    "note_zh": NOTE_ZH,
                                    "note_en": "recorded as carried out in the check of demonstrative work; check this requirement"}
    (f,) = [f for f in d.findings if f.rule_id == RULE]
    assert f.requirement == 9 and f.severity == "low" and f.kind == "compliance"
    assert "第9项未核查" in f.message_zh and "“水的梯级利用推广”记录为已开展" in f.message_zh and "符合情况" in f.message_zh
    assert "has not been checked" in f.message_en and "Promotion of cascading water use" in f.message_en
    # not met by the link: the summary and the 9's own finding still say unknown
    assert 9 not in d.to_dict()["baseline_summary"]["encouraged_unmet"]
    assert any(f.rule_id == "compliance.requirement.encouraged_unknown" and f.requirement == 9 for f in d.findings)


def test_the_cross_reference_goes_once_the_park_records_the_requirement(water, demo_data):
    for status in ("met", "not_met"):
        d = _diagnose(_with(demo_data, baseline9=status), water)
        row = _row9(d)
        assert row["status"] == status
        assert row["demonstration"]["status"] == "done" and row["demonstration"]["note_zh"] is None
        assert not [f for f in d.findings if f.rule_id == RULE]


@pytest.mark.parametrize("change, status, zh", [
    (dict(water_status="planned"), "planned", "计划中"),
    (dict(water_status="under_construction"), "under_construction", "在建"),
    (dict(water_status="not_done"), "not_done", "未开展"),
    (dict(drop_water=True), None, None),
])
def test_work_not_done_gives_no_note(water, demo_data, change, status, zh):
    d = _diagnose(_with(demo_data, **change), water)
    demo = _row9(d)["demonstration"]
    assert (demo["status"], demo["status_zh"], demo["note_zh"]) == (status, zh, None)
    assert not [f for f in d.findings if f.rule_id == RULE]


def test_no_demonstration_record_at_all(water, demo_data):
    data = copy.deepcopy(demo_data)
    del data["demonstration_work"]
    demo = _row9(_diagnose(data, water))["demonstration"]
    assert demo["status"] is None and demo["note_zh"] is None


def test_requirement_facts_carry_the_status_only_when_linked(water, demo_data):
    from greendiag.scoring import score_dataset

    rb = greendiag.load_rules(catalogue=water)
    ds = greendiag.dataset_from_dict(demo_data, catalogue=water)
    p = factsmod.prepare_facts(ds, water, score_dataset(ds, water), {c.name: c.value for c in rb.constants}, None, rb.term_lists())
    req = {int(f["number"]): (i, f) for i, f in enumerate(p.facts) if f["fact"] == "requirement"}
    assert set(req[9][1]) == {"fact", "number", "status", "mandatory", "demonstration_status"}
    assert req[9][1]["demonstration_status"] == "done"
    assert all(set(f) == {"fact", "number", "status", "mandatory"} for n, (_, f) in req.items() if n != 9)
    ctx = p.context(req[9][0])
    assert (ctx["demonstration_zh"], ctx["demonstration_status_zh"]) == ("水的梯级利用推广", "已开展")


def _overlay_text(old: str, new: str) -> str:
    text = WATER.read_text(encoding="utf-8")
    assert text.count(old) == 1
    return text.replace(old, new)


def test_an_unknown_kind_is_a_located_catalogue_error(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text(_overlay_text("demonstration: water_cascade ", "demonstration: water_cascad "), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    (p,) = info.value.problems
    assert p.code == "unknown-demonstration-kind" and p.file == str(path)
    assert p.location == "$.requirements[0].demonstration" and p.line is not None
    assert "water_cascad" in p.message_zh and "water_cascade" in p.fix_zh and "Did you mean: water_cascade" in p.fix_en


def test_a_titled_kind_cannot_stand_for_a_requirement(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text(_overlay_text("demonstration: water_cascade ", "demonstration: other "), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    (p,) = info.value.problems
    assert p.code == "requirement-demonstration-titled" and p.location == "$.requirements[0].demonstration"
    assert "titled" in p.message_en and p.fix_zh


def test_a_misspelt_field_is_refused_by_the_schema(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text(_overlay_text("demonstration: water_cascade ", "demonstation: water_cascade "), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    assert any(p.code.startswith("schema-") for p in info.value.problems)


def test_the_diagnosis_without_overlay_is_unchanged(demo_dataset, catalogue):
    """No requirement of the base catalogue names a kind: no baseline row gains a key, no requirement fact a field,
    and the new rule does not fire. (Checked by hand too: `greendiag diagnose examples/demo-park.yaml` before and after
    the change differ in rules_sha256 alone, the digest of the rule base that gained the rule.)"""
    d = greendiag.diagnose(demo_dataset, catalogue=catalogue, backend="python")
    out = d.to_dict()
    assert all(set(r) == {"number", "id", "text_zh", "text_en", "mandatory", "origin", "replaces", "status", "evidence", "note"}
               for r in out["baseline"])
    assert not [f for f in d.findings if f.rule_id == RULE]


def test_the_published_schema_takes_the_new_key(water, demo_data):
    import jsonschema

    schema = json.loads((ROOT / "catalogue" / "schemas" / "diagnosis.schema.json").read_text(encoding="utf-8"))
    d = json.loads(_diagnose(demo_data, water).to_json())
    assert "demonstration" in _row9_dict(d)
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(d)) == []
    _row9_dict(d)["demonstration"]["status"] = "finished"
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(d))


def _row9_dict(d: dict) -> dict:
    return next(r for r in d["baseline"] if r["number"] == 9)


# ------------------------------------------------------------------ 2. measures for the overlay's indicators


def test_the_overlay_gives_measures_for_32_and_33(water, demo_data):
    """The overlay alone (no --rules): 32 and 33 short of their lead values carry the overlay's measures, in 五 and as
    candidate rows of 附件2-1-3."""
    data = copy.deepcopy(demo_data)
    block = next(b for b in data["years"] if b["year"] == 2024)
    block["indicators"].update(water_cascade_share=6.0, industrial_reclaimed_water_share=20.0)  # leads 10 and 31.36
    d = _diagnose(data, water)
    by_ind = {r.indicator: [m["id"] for m in r.measures] for r in d.recommendations if r.rule_id == "rec.advanced.below_lead"}
    assert by_ind[32] == ["water_cascade_graded_supply"]
    assert by_ind[33] == ["reclaimed_water_substitution"]
    candidates = [p.content_zh for p in d.projects if p.origin == "candidate"]
    assert "推广水的梯级利用:按水质分类供水、串级使用、循环利用" in candidates
    assert "以再生水替代新鲜水用于工业用水(分类使用)" in candidates


def test_the_measures_cite_the_guide_on_water(water):
    ms = {m.id: m for m in greendiag.load_rules(catalogue=water).measures}
    cascade, reclaimed = ms["water_cascade_graded_supply"], ms["reclaimed_water_substitution"]
    assert cascade.basis.doc == reclaimed.basis.doc == "bj-guide-2024"
    # the guide's own words: 四(三)3 and the standard it names in 一(一)
    assert "园区开展水的梯级利用推广工作" in cascade.basis.clause and "GB/T 36575" in cascade.basis.clause
    assert "用水和节水相关标准规范" in reclaimed.basis.clause
    assert cascade.requirements == (9,)
    assert cascade.origin == reclaimed.origin == "water-cascade" and cascade.replaces is None


def test_the_encouraged_requirement_not_met_carries_the_measure(water, demo_data):
    d = _diagnose(_with(demo_data, baseline9="not_met"), water)
    (rec,) = [r for r in d.recommendations if r.requirement == 9]
    assert [m["id"] for m in rec.measures] == ["water_cascade_graded_supply"]


def test_the_rule_file_keeps_its_rules_and_adds_no_measure(water, demo_data):
    """The measures moved from the rule file into the overlay: with the rule file too, 32 carries the one measure once,
    and the rule file still brings its check."""
    assert "measures" not in yaml.safe_load(WATER_RULES.read_text(encoding="utf-8"))
    rb = greendiag.load_rules(WATER_RULES, catalogue=water)
    assert [m.id for m in rb.measures].count("water_cascade_graded_supply") == 1
    assert "water_cascade.anomaly.cascade_above_reuse" in {r.id for r in rb.rules}
    data = copy.deepcopy(demo_data)
    next(b for b in data["years"] if b["year"] == 2024)["indicators"]["water_cascade_share"] = 6.0
    d = _diagnose(data, water, rb)
    (rec,) = [r for r in d.recommendations if r.indicator == 32]
    assert [m["id"] for m in rec.measures] == ["water_cascade_graded_supply"]


# ------------------------------------------------------------------ 3. demonstration kinds' measures


KIND = """
demonstration_kinds:
  - id: rainwater_harvesting
    name_zh: 雨水收集利用
    name_en: Rainwater harvesting
    sources: [{doc: bj-guide-2024, clause: "四(三)3(测试)"}]
    measure: rainwater_harvest
"""
MEASURE = """
measures:
  - id: rainwater_harvest
    title_zh: 建设雨水收集利用设施
    title_en: Rainwater harvesting facilities
    indicators: [water_cascade_share]
    effect_zh: 减少新鲜水取用
    effect_en: Less fresh water drawn
    basis: {doc: bj-guide-2024, clause: "四(三)3(测试)"}
"""


def test_an_overlay_kind_naming_no_measure_is_a_rule_error(tmp_path):
    overlay = tmp_path / "o.yaml"
    overlay.write_text(WATER.read_text(encoding="utf-8") + KIND, encoding="utf-8")
    cat = greendiag.load_catalogue(overlay)  # the catalogue alone cannot know the rule base's measures
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(catalogue=cat)
    (p,) = info.value.problems
    assert p.code == "unknown-measure"
    assert "rainwater_harvest" in p.message_zh and "water-cascade" in p.message_zh and "rainwater_harvesting" in p.message_en
    assert p.location == "demonstration_kinds[id=rainwater_harvesting].measure" and "--rules" in p.fix_en
    with pytest.raises(RuleError):
        greendiag.diagnose(greendiag.load_dataset(EXAMPLES / "demo-park.yaml", catalogue=cat), catalogue=cat, backend="python")
    # the rule file that defines the measure makes it whole
    rules = tmp_path / "r.yaml"
    rules.write_text(MEASURE, encoding="utf-8")
    rb = greendiag.load_rules(rules, catalogue=cat)
    assert "rainwater_harvest" in {m.id for m in rb.measures}


def test_a_packaged_kind_naming_no_measure_is_located_in_its_file(catalogue):
    from greendiag import rulebook

    rb = greendiag.load_rules()
    kinds = tuple(attrs.evolve(k, measure="water_cascade_us") if k.id == "water_cascade" else k for k in catalogue.demonstration_kinds)
    (p,) = rulebook._demonstration_measures(attrs.evolve(catalogue, demonstration_kinds=kinds), rb.measures)
    assert p.code == "unknown-measure" and p.file == "catalogue/demonstration.yaml"
    assert p.location == "$.demonstration_kinds[0].measure" and p.line is not None
    assert "Did you mean: water_cascade_use" in p.fix_en


def test_the_packaged_kinds_name_measures_of_the_library(catalogue):
    from greendiag import rulebook

    rb = greendiag.load_rules()
    assert rulebook._demonstration_measures(catalogue, rb.measures) == []
    assert {k.measure for k in catalogue.demonstration_kinds if k.measure} <= {m.id for m in rb.measures}


# ------------------------------------------------------------------ the report says it (三、1, 四, 附件2-1-1)

def _report_md(d, tmp_path) -> str:
    from conftest import plain_punct
    from greendiag.reports import render_report

    render_report(d, tmp_path / "r.md", lang="zh")
    return plain_punct((tmp_path / "r.md").read_text(encoding="utf-8"))


def test_the_report_asks_for_requirement_9_where_it_is_listed(water, demo_data, tmp_path):
    md = _report_md(_diagnose(demo_data, water), tmp_path)
    section_1 = md[md.index("1. 基础性要求符合情况"):md.index("2. 能源利用")]
    assert "第9项未核查" in section_1
    assert "(该项与示范性工作“水的梯级利用推广”为同一项工作,三、3中记录为已开展,请核查本项要求并填写符合情况)" in section_1
    assert "鼓励性要求第9项未核查(示范性工作中记录为已开展,请核查本项要求),可作为提升方向" in md
    row9 = next(line for line in md.splitlines() if line.startswith("| 9 | 鼓励园区开展水的梯级利用"))
    assert row9.split("|")[3].strip() == "未核查" and f"({NOTE_ZH})" in row9.split("|")[4]


def test_the_report_says_nothing_more_once_requirement_9_is_recorded(water, demo_data, tmp_path):
    md = _report_md(_diagnose(_with(demo_data, baseline9="not_met"), water), tmp_path)
    assert "为同一项工作" not in md and NOTE_ZH not in md
    assert "鼓励性要求第9项未开展,可作为提升方向" in md
