"""A library user's review (session 9): overlay order, rules an overlay makes dead, hand-edited reports in a pack folder,
public what-if scoring.

Expected scores come from greendiag.testing.expected_score (the method written out again, not the code under test) or
by hand from the method (score = 100 × value / lead, capped at 120); expected problem codes from loading the same value
in a dataset."""

from __future__ import annotations

import copy
import math
import json
import pathlib
import re
import shutil

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import greendiag
from greendiag import rulebook
from greendiag.errors import (DatasetError, GreendiagError, OverlayConflictError, ReportError, RuleError,
                              UnknownEntryError)
from greendiag.testing import edge_values, expected_score, indicator_values

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-park.yaml"
WATER = ROOT / "examples" / "overlays" / "water-cascade.yaml"
WATER_RULES = ROOT / "examples" / "rules" / "water-cascade-rules.yaml"
HEAD = ("overlay:\n  id: {id}\n  version: 1.0.0\n  title_zh: 测试扩展 {id}\n  title_en: test overlay {id}\n"
        "  extends: {{id: bj-green-park-2024, version: '>=1.0,<2'}}\n")

# a second overlay to load with water-cascade: a document and a statistic (sections kept in load order), no indicator
RAIN = HEAD.format(id="rain") + """documents:
  - {id: rain-doc, title_zh: 雨水利用文件, title_en: rainwater document}
statistics:
  - {id: rain_collected, name_zh: 雨水收集量, name_en: Rainwater collected, unit: m3}
"""
# indicator 21 (solid_waste_disposal_utilization, no reference values) made qualitative by an override
LEVELS = HEAD.format(id="waste-levels") + """indicators:
  - id: solid_waste_disposal_utilization
    override: true
    number: 21
    code: HG1
    category: HG
    name_zh: 工业固体废弃物(含危废)处置利用率
    name_en: Disposal and utilisation rate of industrial solid waste (incl. hazardous)
    unit: ''
    kind: qualitative
    levels:
      - {id: full, zh: 全部处置利用, en: all disposed of or used, score: 100}
      - {id: partial, zh: 部分处置利用, en: partly, score: 50}
    level_scores: {provisional: 测试用档次分值 (test level scores)}
    lead: {level: full, provisional: 测试用引领档 (test lead level)}
    mandatory: true
    mandatory_source: {provisional: 测试 (test)}
    sources: [{doc: bj-guide-2024, clause: 附件2-1-2 序号21}]
"""


def _write(tmp_path, name: str, text: str) -> pathlib.Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rule(rule_id: str, fact: str, when: list, message: str = "{year}", tests=None) -> str:
    """A rule file with one rule (tests that fire on the fields the rule reads, so it passes its own tests)."""
    rule = {"id": rule_id, "kind": "anomaly", "fact": fact, "when": when, "severity": "medium", "subject": "indicator",
            "message_zh": message, "message_en": message, "source": {"doc": "bj-guide-2024", "clause": "附件2-1-2"},
            "tests": tests or [{"fact": {"year": 2024}, "fires": False}, {"fact": {"year": 2023}, "fires": False}]}
    return yaml.safe_dump({"rules": [rule]}, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def rain(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("rain"), "rain.yaml", RAIN)


@pytest.fixture(scope="module")
def levels(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("levels"), "levels.yaml", LEVELS)


@pytest.fixture(scope="module")
def levels_cat(levels):
    return greendiag.load_catalogue(levels)


# ---------------------------------------------------------------------------------------------- 1. overlay order


def test_overlays_in_either_order_give_one_catalogue(rain):
    ab, ba = greendiag.load_catalogue(WATER, rain), greendiag.load_catalogue(rain, WATER)
    assert ab == ba and ab.label == ba.label == "bj-green-park-2024 1.0.0 + rain 1.0.0 + water-cascade 1.0.0"
    assert ab.overlays == (("rain", "1.0.0"), ("water-cascade", "1.0.0"))
    # the base entries first, then each overlay's additions, overlays by id
    assert [s.id for s in ab.statistics][-3:] == ["rain_collected", "water_cascaded", "reclaimed_water_industrial"]
    assert [d.origin for d in ab.documents if d.origin != ab.id][:2] == ["rain", "water-cascade"]


def test_data_and_rules_of_one_order_are_diagnosed_with_the_other(rain):
    ab, ba = greendiag.load_catalogue(WATER, rain), greendiag.load_catalogue(rain, WATER)
    park = greendiag.load_dataset(DEMO, catalogue=ab)
    rules = greendiag.load_rules(WATER_RULES, catalogue=ab)
    # before: catalogue-mismatch, then rules-catalogue-mismatch, though the results are the same
    crossed = greendiag.diagnose(park, catalogue=ba, rules=rules, backend="python")
    straight = greendiag.diagnose(greendiag.load_dataset(DEMO, catalogue=ba), catalogue=ba,
                                  rules=greendiag.load_rules(WATER_RULES, catalogue=ba), backend="python")
    assert crossed.to_json() == straight.to_json()
    assert crossed.to_dict()["catalogue_overlays"] == [["rain", "1.0.0"], ["water-cascade", "1.0.0"]]


def test_a_catalogue_that_really_differs_still_mismatches(tmp_path, rain):
    park = greendiag.load_dataset(DEMO, catalogue=greendiag.load_catalogue(WATER, rain))
    with pytest.raises(DatasetError) as info:  # one overlay fewer
        greendiag.diagnose(park, catalogue=greendiag.load_catalogue(WATER), backend="python")
    assert info.value.codes == ("catalogue-mismatch",)
    # the same overlay id and version with other content (a statistic renamed): same label, another catalogue
    edited = _write(tmp_path, "rain.yaml", RAIN.replace("Rainwater collected", "Rain water collected"))
    other = greendiag.load_catalogue(edited, WATER)
    assert other.label == park.catalogue_label and other != park.catalogue
    with pytest.raises(DatasetError) as info:
        greendiag.diagnose(park, catalogue=other, backend="python")
    assert info.value.codes == ("catalogue-mismatch",)
    with pytest.raises(RuleError) as info:
        greendiag.diagnose(greendiag.load_dataset(DEMO, catalogue=other), catalogue=other,
                           rules=greendiag.load_rules(WATER_RULES, catalogue=park.catalogue), backend="python")
    assert info.value.codes == ("rules-catalogue-mismatch",)


def test_an_order_that_would_change_the_result_is_refused_in_either_order(tmp_path):
    # the only way the order could matter: an overlay replacing what another added; refused, so no two results exist
    water = yaml.safe_load(WATER.read_text(encoding="utf-8"))
    stricter = copy.deepcopy(water["indicators"][0])
    stricter.update(override=True, lead={"value": 20, "provisional": "更严的引领值 (a stricter lead value)"})
    body = HEAD.format(id="stricter") + yaml.safe_dump({"indicators": [stricter]}, allow_unicode=True, sort_keys=False)
    second = _write(tmp_path, "stricter.yaml", body)
    for order in ((WATER, second), (second, WATER)):
        with pytest.raises(OverlayConflictError) as info:
            greendiag.load_catalogue(*order)
        assert {"overlay-conflict", "override-nothing"} & set(info.value.codes)


# ---------------------------------------------------------------------------------------------- 2. rules an overlay kills


def test_a_user_rule_reading_the_value_of_an_indicator_made_qualitative_is_an_error(tmp_path, levels_cat):
    text = _rule("waste.low_disposal", "indicator",
                 [{"field": "ind", "op": "==", "value": "solid_waste_disposal_utilization"}, {"field": "value", "op": "<", "value": 50}],
                 tests=[{"fact": {"ind": "solid_waste_disposal_utilization", "value": 30}, "fires": True},
                        {"fact": {"ind": "solid_waste_disposal_utilization", "value": 80}, "fires": False}])
    path = _write(tmp_path, "waste-rules.yaml", text)
    assert greendiag.load_rules(path).rules[-1].id == "waste.low_disposal"  # fine while the indicator is quantitative
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(path, catalogue=levels_cat)
    p, = info.value.problems
    assert p.code == "rule-indicator-kind" and p.file == str(path) and p.location == "$.rules[0].when[1].field"
    assert "field: value" in text.splitlines()[p.line - 1]  # the line of the condition that reads it
    for text in (p.message_zh, p.message_en):
        assert "waste.low_disposal" in text and "value" in text and "waste-levels" in text and "solid_waste_disposal_utilization" in text
    assert "定性" in p.message_zh and "never fires" in p.message_en and "level_score" in p.fix_en


def test_year_and_reference_rules_on_an_indicator_made_qualitative(tmp_path, levels_cat):
    year = _write(tmp_path, "year.yaml", _rule("waste.year", "year", [
        {"field": "v_solid_waste_disposal_utilization", "op": ">", "value": 100}]))
    reference = _write(tmp_path, "ref.yaml", _rule("waste.ref", "reference", [
        {"field": "number", "op": "==", "value": 21}, {"field": "value", "op": "<", "other": "ref_value"}]))
    for path, field in ((year, "v_solid_waste_disposal_utilization"), (reference, "number")):
        greendiag.load_rules(path)
        with pytest.raises(RuleError) as info:
            greendiag.load_rules(path, catalogue=levels_cat)
        assert info.value.codes == ("rule-indicator-kind",)  # not unknown-field: it says why the field is not there
        assert field in info.value.problems[0].message_en and "waste-levels" in info.value.problems[0].message_en


def test_kinds_are_checked_without_an_overlay_too(tmp_path):
    # level_score of a quantitative indicator (number 1); value printed for a qualitative one (12) whose conditions are fine
    dead = _write(tmp_path, "dead.yaml", _rule("x.dead", "indicator", [
        {"field": "number", "op": "==", "value": 1}, {"field": "level_score", "op": "<", "other": "lead_score"}]))
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(dead)
    p, = info.value.problems
    assert p.code == "rule-indicator-kind" and "level_score" in p.message_en and "quantitative" in p.message_en
    assert "overlay" not in p.message_en  # a base indicator: no overlay to blame
    shown = _write(tmp_path, "shown.yaml", _rule("x.shown", "indicator", [
        {"field": "number", "op": "==", "value": 12}, {"field": "level_score", "op": "<", "other": "lead_score"}],
        message="{year} {value}"))
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(shown)
    p, = info.value.problems
    assert p.code == "rule-indicator-kind" and p.location == "$.rules[0].message_zh" and "print '—'" in p.message_en
    # value_text (the value as printed beside its gaps) is a quantitative indicator's template name too
    text = _write(tmp_path, "text.yaml", _rule("x.text", "indicator", [
        {"field": "number", "op": "==", "value": 12}, {"field": "level_score", "op": "<", "other": "lead_score"}],
        message="{year} {value_text}"))
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(text)
    assert info.value.codes == ("rule-indicator-kind",) and "value_text" in info.value.problems[0].message_en


def test_a_built_in_rule_an_overlay_kills_is_a_note_not_an_error(tmp_path, levels_cat, catalogue):
    assert greendiag.load_rules(catalogue=catalogue).notes == ()
    assert greendiag.load_rules(catalogue=greendiag.load_catalogue(WATER)).notes == ()
    rb = greendiag.load_rules(catalogue=levels_cat)
    note, = rb.notes
    assert note.code == "rule-indicator-kind" and note.file == "rules/anomalies.yaml"
    assert "anomaly.year.disposal_below_utilization" in note.message_en and "waste-levels" in note.message_en
    assert "v_solid_waste_disposal_utilization" in note.message_zh and "--rules" in note.fix_en
    assert greendiag.load_rules(catalogue=levels_cat) is rb  # worked out once per catalogue
    # with an extra rule file the built-in rules are checked in the same pass: the note again, no error
    fine = _write(tmp_path, "fine.yaml", _rule("x.fine", "indicator", [
        {"field": "ind", "op": "==", "value": "solid_waste_disposal_utilization"}, {"field": "level_score", "op": "<", "other": "lead_score"}]))
    with_extra = greendiag.load_rules(fine, catalogue=levels_cat)
    assert [n.message_en for n in with_extra.notes] == [note.message_en] and with_extra.rules[-1].id == "x.fine"
    # and the overlay stays usable: a park reporting levels for indicator 21 is diagnosed, on either engine
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for block in data["years"]:
        if "solid_waste_disposal_utilization" in block.get("indicators", {}):
            block["indicators"]["solid_waste_disposal_utilization"] = "partial"
    park = greendiag.dataset_from_dict(data, catalogue=levels_cat)
    for backend in ("durable", "python"):
        diag = greendiag.diagnose(park, catalogue=levels_cat, backend=backend)
        assert [s.score for s in diag.scorecard.indicators if s.number == 21] == [50.0] * len(park.years)
        # the note travels with the diagnosis (diagnosis.json rule_notes) and into the report's data notes
        notes = diag.to_dict()["rule_notes"]
        assert [(n["code"], n["message_en"]) for n in notes] == [(note.code, note.message_en)]
    from greendiag.reports import content
    from greendiag.reports._data import ReportData
    rd = ReportData(json.loads(diag.to_json()))
    assert any("anomaly.year.disposal_below_utilization" in line and "[提示]" in line for line in content.data_notes(rd, False))
    assert "rule_notes" not in greendiag.diagnose(greendiag.load_dataset(DEMO), backend="python").to_dict()


def test_the_cli_prints_the_note(run, levels):
    result = run("--lang", "en", "rules", "test", "--overlay", levels, "--backend", "python")
    assert result.exit_code == 0, result.output
    assert "note: [rule-indicator-kind]" in result.output and "anomaly.year.disposal_below_utilization" in result.output


def test_the_kind_field_sets_match_the_facts(catalogue, demo_dataset, rulebase):
    from greendiag import facts
    from greendiag.scoring import score_dataset

    card = score_dataset(demo_dataset, catalogue)
    prepared = facts.prepare_facts(demo_dataset, catalogue, card, {c.name: c.value for c in rulebase.constants}, None,
                                   rulebase.term_lists())
    seen = {True: set(), False: set()}
    for f in prepared.facts:
        if f["fact"] == "indicator":
            seen[catalogue.indicator(f["ind"]).qualitative] |= set(f)
    assert seen[True] and seen[False]
    assert not seen[True] & rulebook.QUANTITATIVE_FIELDS and not seen[False] & rulebook.QUALITATIVE_FIELDS
    assert {"lead_score", "level_score"} <= seen[True] and {"lead", "value", "gap_abs"} <= seen[False]
    assert rulebook.QUANTITATIVE_FIELDS | (rulebook.QUALITATIVE_FIELDS & set(facts.FIELDS["indicator"])) <= set(facts.FIELDS["indicator"])


# ---------------------------------------------------------------------------------------------- 3. reports in a pack folder


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    diag = greendiag.diagnose(DEMO, backend="python")
    out = tmp_path_factory.mktemp("pack") / "park"
    greendiag.write_pack(diag, out)
    return out


@pytest.fixture
def folder(pack, tmp_path):
    return pathlib.Path(shutil.copytree(pack, tmp_path / "park"))


def test_render_report_keeps_a_report_edited_in_a_pack_folder(folder):
    from greendiag.reports import render_report

    target = folder / "report.md"
    render_report(folder / "diagnosis.json", target)  # unchanged since the pack: re-rendering is the normal workflow
    edited = target.read_text(encoding="utf-8") + "\n我们补充的结论。\n"
    target.write_text(edited, encoding="utf-8")
    with pytest.raises(ReportError) as info:
        render_report(folder / "diagnosis.json", target)
    p, = info.value.problems
    assert p.code == "pack-file-edited" and p.file == str(target) and "report.md" in p.message_zh
    assert "overwrite=True" in p.fix_en and "--force" in p.fix_zh
    assert target.read_text(encoding="utf-8") == edited
    render_report(folder / "diagnosis.json", target, overwrite=True)
    assert "我们补充的结论" not in target.read_text(encoding="utf-8")
    render_report(folder / "diagnosis.json", target)  # recorded again: no longer an edit


def test_a_file_greendiag_did_not_write_in_a_pack_folder_is_kept(folder):
    from greendiag.reports import render_report

    own = folder / "notes.md"
    own.write_text("# 我们自己的记录\n", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        render_report(folder / "diagnosis.json", own)
    assert info.value.codes == ("pack-file-edited",) and own.read_text(encoding="utf-8") == "# 我们自己的记录\n"


def test_outside_a_pack_folder_an_edited_report_is_replaced_as_before(folder, tmp_path):
    from greendiag.reports import render_report

    target = tmp_path / "elsewhere.md"
    render_report(folder / "diagnosis.json", target)
    target.write_text("edited", encoding="utf-8")
    render_report(folder / "diagnosis.json", target)
    assert target.read_text(encoding="utf-8") != "edited"


def test_the_report_command_refuses_an_edited_pack_report_unless_forced(run, folder):
    target = folder / "report.html"
    target.write_text(target.read_text(encoding="utf-8").replace("</body>", "<p>签字页</p></body>"), encoding="utf-8")
    result = run("--lang", "en", "report", folder / "diagnosis.json", "--out", target)
    assert result.exit_code == 2 and "[pack-file-edited]" in result.output and "签字页" in target.read_text(encoding="utf-8")
    result = run("report", folder / "diagnosis.json", "--out", target, "--force")
    assert result.exit_code == 0, result.output
    assert "签字页" not in target.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------- 4. what-if scoring


def test_score_value_is_public_and_scores_by_the_method(catalogue):
    assert "score_value" in greendiag.__all__
    lead = catalogue.indicator("energy_productivity").lead_value
    assert greendiag.score_value(catalogue, "energy_productivity", lead) == 100.0
    assert math.isclose(greendiag.score_value(catalogue, "energy_productivity", 0.8 * lead), 80.0, rel_tol=1e-12)
    assert greendiag.score_value(catalogue, "EG1", 10 * lead) == 120.0  # capped
    assert greendiag.score_value(catalogue, 1, f"{lead * 10000:g} 元/tce") == 100.0  # converted as in a dataset
    assert greendiag.score_value(catalogue, 1, lead * 10000, unit="元/tce") == 100.0
    assert greendiag.score_value(catalogue, 12, "不具备") == 0.0 and greendiag.score_value(catalogue, 12, "present") == 100.0


def _edge_cases(cat):
    for ind in cat.indicators:
        if ind.qualitative:
            yield from ((ind, lv) for level in ind.levels for lv in (level.id, level.zh))
        else:
            yield from ((ind, v) for v in edge_values(ind, cat.scoring))


@pytest.mark.parametrize("overlays", [(), (WATER,)], ids=["base", "water-cascade"])
def test_score_value_agrees_with_the_kits_oracle_on_every_edge_value(overlays):
    cat = greendiag.load_catalogue(*overlays)
    n = 0
    for ind, v in _edge_cases(cat):
        want, _ = expected_score(ind, None if ind.qualitative else v, v if ind.qualitative else None, method=cat.scoring)
        assert greendiag.score_value(cat, ind.id, v) == want, (ind.id, v)
        n += 1
    assert n > 10 * len(cat.indicators)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_score_value_agrees_with_the_kits_oracle_on_drawn_values(data):
    cat = _water()
    ind = data.draw(st.sampled_from(cat.indicators))
    v = data.draw(indicator_values(ind, catalogue=cat))
    want, _ = expected_score(ind, None if ind.qualitative else v, v if ind.qualitative else None, method=cat.scoring)
    assert greendiag.score_value(cat, ind.number, v) == want


_CACHE: dict = {}


def _water():
    if "water" not in _CACHE:
        _CACHE["water"] = greendiag.load_catalogue(WATER)
    return _CACHE["water"]


BAD = [("energy_productivity", "abc"), ("energy_productivity", "8,5"), ("energy_productivity", "3 kg"),
       ("renewable_energy_share", 120), ("renewable_energy_share", -1), ("central_wastewater_treatment", "maybe"),
       ("energy_productivity", float("nan")), ("energy_productivity", True), ("energy_productivity", ""),
       ("energy_productivity", [3]), ("energy_productivity", {"value": 3, "unti": "万元/tce"})]


@pytest.mark.parametrize("key, value", BAD)
def test_score_value_fails_as_a_dataset_value_does(catalogue, key, value):
    ind = catalogue.indicator(key)
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    block = next(b for b in data["years"] if b.get("indicators"))
    block["indicators"][ind.id] = value
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(data, catalogue=catalogue)
    want = {p.code for p in info.value.problems if p.location and re.search(rf"\.{ind.id}(\.value)?$", p.location)}
    assert want
    with pytest.raises(DatasetError) as info:
        greendiag.score_value(catalogue, ind.id, value)
    assert set(info.value.codes) == want


def test_score_value_arguments(catalogue):
    with pytest.raises(UnknownEntryError) as info:
        greendiag.score_value(catalogue, "energy_productivty", 3)
    assert isinstance(info.value, KeyError) and "energy_productivity" in info.value.problems[0].fix_en
    with pytest.raises(UnknownEntryError):
        greendiag.score_value(catalogue, 99, 3)
    for args in ((None, 1, 3), ("catalogue", 1, 3), (catalogue, True, 3), (catalogue, 1, None)):
        with pytest.raises(GreendiagError) as info:
            greendiag.score_value(*args)
        assert info.value.codes == ("bad-argument",)
    with pytest.raises(GreendiagError) as info:
        greendiag.score_value(catalogue, 1, 3, unit=5)
    assert info.value.codes == ("bad-argument",)


def test_score_value_uses_the_overlays_indicators(levels_cat):
    assert greendiag.score_value(levels_cat, 21, "部分处置利用") == 50.0
    with pytest.raises(DatasetError) as info:
        greendiag.score_value(levels_cat, 21, 95)  # a number where the overlay wants a level
    assert info.value.codes == ("unknown-level",)
    assert greendiag.score_value(_water(), "water_cascade_share", 5) == 50.0  # lead 10 %


# ---------------------------------------------------------------------------------------------- 5. docs


def test_the_docs_promise_no_arguments_to_to_json():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    calls = [(p.name, m.group()) for p in pages for m in re.finditer(r"to_json\([^)]+\)", p.read_text(encoding="utf-8"))]
    assert calls == []
