"""The rule base as data: every test case written in the rule files runs on both backends; broken rule
files give located, typed errors; extra rule files extend the rule base."""

from __future__ import annotations

import pathlib

import pytest

import greendiag
from greendiag import RuleError, load_rules, run_rule_tests

BACKENDS = ("durable", "python")


def _cases(rb):
    return [(spec.id, i) for spec in rb.rules for i, _ in enumerate(spec.tests)]


@pytest.fixture(scope="module", params=BACKENDS)
def results(request, rulebase):
    return {(r.rule_id, r.index): r for r in run_rule_tests(rulebase, request.param)}


def test_every_rule_file_test_case_passes(results, rulebase):
    failed = [f"{r.rule_id}#{r.index} expected fires={r.expected} on {r.fact} ({r.backend})"
              for r in results.values() if not r.ok]
    assert not failed, "\n".join(failed)
    assert len(results) == len(_cases(rulebase)) >= 2 * len(rulebase.rules)


def test_every_rule_has_a_firing_and_a_quiet_case(rulebase):
    for spec in rulebase.rules:
        outcomes = {t.fires for t in spec.tests}
        assert outcomes == {True, False}, spec.id


def test_rule_base_covers_the_issue(rulebase):
    ids = {r.id for r in rulebase.rules}
    for needed in ("compliance.requirement.not_met", "compliance.requirement.unknown",
                   "compliance.requirement.encouraged_not_met", "compliance.requirement.encouraged_unknown",
                   "compliance.indicator.mandatory_missing",
                   "anomaly.indicator.below_plausible", "anomaly.indicator.above_plausible",
                   "anomaly.year.renewable_above_clean", "anomaly.year.disposal_below_utilization",
                   "anomaly.indicator.yoy_jump", "anomaly.indicator.negative_value", "anomaly.indicator.share_over_100",
                   "anomaly.indicator.derived_mismatch", "rec.advanced.below_lead", "rec.standard.below_reference",
                   "engagement.team.too_small", "engagement.team.expertise", "engagement.team.no_park_staff",
                   "engagement.onsite.too_short", "engagement.confidentiality.late", "engagement.scope.unapproved",
                   "engagement.follow_up.overdue", "engagement.fee.charged"):
        assert needed in ids, needed
    kinds = {r.kind for r in rulebase.rules}
    assert kinds == {"compliance", "anomaly", "recommendation"}
    assert {r.method for r in rulebase.rules if r.kind == "recommendation"} == {"standard_comparison", "advanced_benchmark"}


def test_measures_include_the_guides_examples(rulebase):
    ids = {m.id for m in rulebase.measures}
    # the guide's four examples of demonstrative work (四(三)3), each from the guide itself
    guide = {"water_cascade_use", "integrated_energy_station", "hazardous_waste_centre", "hydrogen_low_carbon_demo"}
    assert guide <= ids
    assert all(m.basis.doc == "bj-guide-2024" for m in rulebase.measures if m.id in guide)
    titles = "".join(m.title_zh for m in rulebase.measures)
    for word in ("综合能源站", "氢能", "危险废物", "梯级"):
        assert word in titles, word


def test_version_and_hash(rulebase):
    assert rulebase.version and len(rulebase.sha256) == 64
    again = load_rules()
    assert again.sha256 == rulebase.sha256


RULE = """
rules:
  - id: extra.indicator.low_score
    kind: anomaly
    fact: indicator
    when:
      - {field: score, op: "<", value: 50}
    severity: low
    subject: indicator
    message_zh: "{year}年“{number} {name_zh}”得分低于50"
    message_en: "{year}: {number} {name_en} scores below 50"
    source: {doc: bj-guide-2024, clause: "附件2-1-2"}
    tests:
      - {fact: {score: 40}, fires: EXPECT}
      - {fact: {score: 60}, fires: false}
"""


def test_extra_rule_file_extends_and_its_tests_run(tmp_path):
    f = tmp_path / "extra.yaml"
    f.write_text(RULE.replace("EXPECT", "true"), encoding="utf-8")
    rb = load_rules(f)
    assert "extra.indicator.low_score" in {r.id for r in rb.rules}
    assert rb.sha256 != load_rules().sha256
    assert all(r.ok for r in run_rule_tests(rb, "durable"))


def test_a_wrong_test_case_is_reported(tmp_path):
    f = tmp_path / "extra.yaml"
    f.write_text(RULE.replace("EXPECT", "false"), encoding="utf-8")
    bad = [r for r in run_rule_tests(load_rules(f), "durable") if not r.ok]
    assert [(r.rule_id, r.index) for r in bad] == [("extra.indicator.low_score", 0)]


@pytest.mark.parametrize("edit, code", [
    (lambda s: s.replace('{field: score, op: "<", value: 50}', '{field: score, op: "<", const: nowhere}'), "unknown-constant"),
    (lambda s: s.replace("得分低于50", "得分低于{score!r}"), None),
    (lambda s: s.replace("doc: bj-guide-2024", "doc: made-up-doc"), "unknown-document"),
    (lambda s: s.replace("kind: anomaly", "kind: guess"), None),
    (lambda s: s.replace("id: extra.indicator.low_score", "id: anomaly.indicator.below_plausible"), "duplicate-rule"),
    (lambda s: s.replace('op: "<"', 'op: "=~"'), None),
    (lambda s: s + "\n!!python/object/apply:os.system [echo hi]\n", None),
    (lambda s: s.replace("value: 50}", "value: 50}\n      - {field: score, op: \"==\", value: \"high\"}"), None),
])
def test_broken_rule_files_are_located_errors(tmp_path, edit, code):
    f = tmp_path / "bad.yaml"
    f.write_text(edit(RULE.replace("EXPECT", "true")), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(f)
    err = info.value
    assert isinstance(err, greendiag.GreendiagError) and err.problems
    if code:
        assert code in err.codes
    assert all(p.message_zh and p.message_en for p in err.problems)


# ---------------------------------------------------------------- keyword lists (terms): related specialities

@pytest.mark.parametrize("speciality, related", [
    ("能源", True), ("节能技术", True), ("环境工程", True), ("生态学", True), ("低碳技术", True), ("碳排放核算", True),
    ("生命周期评价", True), ("LCA", True), ("lca analyst", True), ("ＬＣＡ", True),  # full-width letters too
    ("Energy management", True), ("Environmental engineering", True), ("Ecological planning", True),
    ("life-cycle assessment", True), ("Low-carbon development", True),
    ("会计", False), ("Accounting", False), ("财务管理", False), ("法律", False), ("园区管理", False), ("", False), (None, False),
    ("hydrocarbon chemistry", False),  # a Latin term matches at the start of a word only
])
def test_related_speciality_with_the_packaged_terms(rulebase, speciality, related):
    from greendiag.facts import RELATED_SPECIALITIES, related_speciality

    assert related_speciality(speciality, rulebase.term_lists()[RELATED_SPECIALITIES]) is related


def test_the_related_specialities_are_data_with_the_guides_source(rulebase):
    terms = {t.name: t for t in rulebase.terms}["related_specialities"]
    for word in ("能源", "环境", "生态", "低碳", "生命周期", "LCA"):  # the guide's list, 三(二)
        assert word in terms.values
    assert terms.provenance.sources[0].doc == "bj-guide-2024" and "三(二)" in terms.provenance.sources[0].clause


TERMS = """
terms:
  NAME:
    values: [水务]
    sources: [{doc: DOC, clause: "三(二)"}]
"""


def test_an_extra_file_adds_a_term_list(tmp_path):
    f = tmp_path / "extra.yaml"
    f.write_text(TERMS.replace("NAME", "water_specialities").replace("DOC", "bj-guide-2024") + RULE.replace("EXPECT", "true"),
                 encoding="utf-8")
    rb = load_rules(f)
    assert rb.term_lists()["water_specialities"] == ("水务",) and "related_specialities" in rb.term_lists()
    assert rb.sha256 != load_rules().sha256


@pytest.mark.parametrize("name, doc, code", [
    ("related_specialities", "bj-guide-2024", "duplicate-terms"),
    ("water_specialities", "made-up-doc", "unknown-document"),
])
def test_bad_term_lists_are_errors(tmp_path, name, doc, code):
    f = tmp_path / "extra.yaml"
    f.write_text(TERMS.replace("NAME", name).replace("DOC", doc) + RULE.replace("EXPECT", "true"), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(f)
    assert code in info.value.codes


def test_facts_need_the_related_specialities(demo_dataset, catalogue):
    from greendiag.facts import prepare
    from greendiag.scoring import score_dataset

    card = score_dataset(demo_dataset, catalogue)
    with pytest.raises(RuleError) as info:
        prepare(demo_dataset, catalogue, card, {"follow_up_days": 365.0}, None, {})
    assert "missing-terms" in info.value.codes


# ---------------------------------------------------------------- prepared display fields of the recommendation messages


def _ref(catalogue, ref_id):
    return next(r for r in catalogue.references if r.id == ref_id)


def test_reference_value_is_not_printed_twice(catalogue):
    from greendiag.facts import reference_value_note

    ind = catalogue.indicator("renewable_energy_share")
    # label "省级绿色低碳园区非化石能源消费比重(≥20 %)" already states 20 %
    assert reference_value_note(_ref(catalogue, "prov-non-fossil-2024"), ind) == {"ref_value_note_zh": "", "ref_value_note_en": ""}
    # ≤0.35 tce/万元 inverted to the indicator's unit: 1 / 0.35 = 2.857 万元/tce, which the label does not state
    assert reference_value_note(_ref(catalogue, "prov-energy-intensity-2024"), catalogue.indicator("energy_productivity")) == {
        "ref_value_note_zh": "(折合 2.857 万元/tce)", "ref_value_note_en": " (i.e. 2.857 万元/tce)"}
    # 24.3 m³ per 万元 is 10000 / 24.3 = 411.5 元/m³; the label states no value at all
    assert reference_value_note(_ref(catalogue, "mwr-water-2023"), catalogue.indicator("water_productivity"))["ref_value_note_zh"] == "(折合 411.5 元/m3)"


def test_a_year_in_a_label_is_not_taken_for_the_value(catalogue):
    import attrs

    from greendiag.facts import reference_value_note

    ref = attrs.evolve(_ref(catalogue, "prov-non-fossil-2024"), label_zh="某园区非化石能源消费比重(2023年)", label_en="Some share (2023)")
    assert reference_value_note(ref, catalogue.indicator("renewable_energy_share")) == {
        "ref_value_note_zh": "(折合 20 %)", "ref_value_note_en": " (i.e. 20 %)"}


def test_gap_units(catalogue):
    from greendiag.facts import gap_units

    share = catalogue.indicator("renewable_energy_share")
    assert gap_units(share, 2.4) == {"gap_unit_zh": "个百分点", "gap_unit_en": " percentage points"}
    assert gap_units(share, 1.0)["gap_unit_en"] == " percentage point"
    assert gap_units(catalogue.indicator("energy_productivity"), 0.36) == {"gap_unit_zh": " 万元/tce", "gap_unit_en": " 万元/tce"}
    assert gap_units(catalogue.indicator("pollutant_elasticity"), 0.1) == {"gap_unit_zh": "", "gap_unit_en": ""}  # dimensionless


def test_recommendation_templates_use_only_prepared_fields(rulebase, demo_dataset, catalogue):
    """Every placeholder of a recommendation message is in the context facts.prepare gives the facts it fires on."""
    import string

    from greendiag import facts as factsmod
    from greendiag.engine import evaluate
    from greendiag.scoring import score_dataset

    card = score_dataset(demo_dataset, catalogue)
    prepared = factsmod.prepare(demo_dataset, catalogue, card, {c.name: c.value for c in rulebase.constants}, None, rulebase.term_lists())
    fired = evaluate(rulebase.compiled, [f for f, _ in prepared], backend="python")
    seen = set()
    for idx, rule_id in fired:
        spec = rulebase.rule(rule_id)
        if spec.kind != "recommendation":
            continue
        ctx = prepared[idx][1]
        for template in (spec.message_zh, spec.message_en):
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            assert names <= set(ctx) | {"threshold"}, (rule_id, names - set(ctx))
        seen.add(rule_id)
    assert {"rec.advanced.below_lead", "rec.standard.below_reference", "rec.standard.requirement"} <= seen


@pytest.mark.parametrize("template, fields", [
    ("{a:.4g} x {b} {c:>3}", {"a": 1.23456, "b": "q"}),   # a missing field renders as —
    ("{a:.2f}", {"a": "text"}),                          # an ill-typed field renders as plain text
    ("plain", {}), ("{{esc}} {a}", {"a": 1}),
    ("{0}", {}), ("{a!r}", {"a": "x"}), ("{a:{b}}", {"a": 1, "b": "3"}),  # not plain fields: the slow path
])
def test_fast_message_rendering_equals_the_safe_formatter(template, fields):
    from greendiag.rulebook import _formatter, render

    assert render(template, fields) == _formatter.vformat(template, (), fields)


def test_where_a_report_lists_a_finding_is_rule_data(rulebase):
    """Problems vs notes is decided by each rule's `report` in rules/*.yaml, not by rule ids in the report code."""
    by_id = {r.id: r.report for r in rulebase.rules}
    assert by_id["compliance.requirement.not_met"] == "problem"
    assert by_id["compliance.indicator.optional_missing"] == "per_indicator"
    assert by_id["anomaly.indicator.yoy_jump"] == "note"
    assert {r.report for r in rulebase.rules} <= {"note", "problem", "per_indicator"}


# ---------------------------------------------------------------- rule files checked against the facts (facts.FIELDS)

@pytest.mark.parametrize("edit, code, where, fix", [
    (lambda s: s.replace("field: score,", "field: scroe,"), "unknown-field", "when[0].field", "score"),
    (lambda s: s.replace("value: 50}", 'value: 50}\n      - {field: year, op: "==", value: "2024"}'), "field-type", "when[1].value", "不加引号"),
    (lambda s: s.replace("value: 50}", 'value: 50}\n      - {field: ind, op: "==", value: EG1}'), "unknown-value", "when[1].value", "energy_productivity"),
    (lambda s: s.replace("value: 50}", 'value: 50}\n      - {field: ind, op: "==", value: made_up_share}'), "unknown-value", "when[1].value", None),
    (lambda s: s.replace("value: 50}", 'value: 50}\n      - {field: direction, op: "==", value: highr}'), "unknown-value", "when[1].value", "higher"),
    (lambda s: s.replace("value: 50}", 'value: 50}\n      - {field: ind, op: "<", value: energy_productivity}'), "field-type", "when[1].op", None),
    (lambda s: s.replace("value: 50}", 'value: 50}\n      - {field: ind, op: "==", other: score}'), "field-type", "when[1].other", None),
    (lambda s: s.replace("{number} {name_zh}", "{number} {nmae_zh}"), "unknown-placeholder", "message_zh", "name_zh"),
    (lambda s: s.replace("{fact: {score: 60}", "{fact: {scor: 60}"), "unknown-field", "tests[1].fact.scor", "score"),
    (lambda s: s.replace("{fact: {score: 60}", '{fact: {score: "60"}'), "field-type", "tests[1].fact.score", None),
    (lambda s: s.replace("subject: indicator", "subject: requirement"), "subject-fact", "subject", "fact: requirement"),
    (lambda s: s.replace("    severity: low", "    threshold: {field: lead_scor}\n    severity: low"), "unknown-field", "threshold.field", "lead_score"),
    (lambda s: s.replace("value: 50}", 'value: 50}\n      - {field: number, op: "==", value: 99}'), "unknown-value", "when[1].value", "catalogue list"),
    (lambda s: s.replace("得分低于50", "得分低于{threshold}"), "unknown-placeholder", "message_zh", None),
    (lambda s: s.replace("fact: indicator\n", "fact: year\n").replace("field: score,", "field: v_made_up,")
     .replace("{score:", "{v_made_up:").replace("{number} {name_zh}", "").replace("{number} {name_en}", ""), "unknown-field", "when[0].field", "v_"),
])
def test_rule_files_are_checked_against_the_facts(tmp_path, edit, code, where, fix):
    """A misspelt field, a number in quotes, a code where the id goes, a template name the fact does not give: each
    would load, pass the rule's own tests and never fire (or print '—'); now each is a located error with a fix."""
    f = tmp_path / "bad.yaml"
    f.write_text(edit(RULE.replace("EXPECT", "true")), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(f)
    problems = [p for p in info.value.problems if p.code == code]
    assert problems, info.value.problems
    p = problems[0]
    assert p.file == str(f) and p.location.endswith(where), p.location
    assert p.fix_zh and p.fix_en
    if fix:
        assert fix in p.fix_zh + p.fix_en


def test_rules_checked_with_an_overlay_are_refused_with_another_catalogue(tmp_path, demo_path):
    """Rules loaded for the water-cascade overlay name its indicators: diagnosing with the base catalogue is a typed
    error naming the fix, not a KeyError from inside."""
    overlay = pathlib.Path(__file__).resolve().parents[1] / "examples" / "overlays" / "water-cascade.yaml"
    wc = greendiag.load_catalogue(overlay)
    f = tmp_path / "extra.yaml"
    f.write_text(RULE.replace("EXPECT", "true").replace("fact: indicator\n", "fact: indicator\n    indicator: water_cascade_share\n"),
                 encoding="utf-8")
    rb = load_rules(f, catalogue=wc)
    assert greendiag.diagnose(greendiag.load_dataset(demo_path, catalogue=wc), catalogue=wc, rules=rb, backend="python")
    with pytest.raises(RuleError) as info:
        greendiag.diagnose(demo_path, rules=rb, backend="python")
    (p,) = info.value.problems
    assert p.code == "rules-catalogue-mismatch" and "catalogue=" in p.fix_en


# ---------------------------------------------------------------- measures in extra rule files

MEASURES = """
measures:
  - id: cascade_metering
    title_zh: 建设分质供水与梯级用水计量
    title_en: Metering for quality-graded and cascade water use
    indicators: [water_cascade_share]
    effect_zh: 梯级利用水量可计量、可核查
    effect_en: Cascade water use becomes measurable and verifiable
    basis: {doc: bj-guide-2024, clause: "四(三)3(测试)"}
"""


def test_an_extra_file_adds_measures_that_reach_the_recommendations(tmp_path, demo_path):
    """A specialised diagnosis brings its own 措施 for its own indicators: a measures-only extra file is merged into the
    library and the candidates on the overlay's indicator carry it (before, extensions could not add measures)."""
    import yaml

    overlay = pathlib.Path(__file__).resolve().parents[1] / "examples" / "overlays" / "water-cascade.yaml"
    wc = greendiag.load_catalogue(overlay)
    f = tmp_path / "measures.yaml"
    f.write_text(MEASURES, encoding="utf-8")
    rb = load_rules(f, catalogue=wc)
    assert "cascade_metering" in {m.id for m in rb.measures}
    data = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    next(b for b in data["years"] if b["year"] == 2024)["indicators"]["water_cascade_share"] = 5  # lead 10 %
    d = greendiag.diagnose(greendiag.dataset_from_dict(data, catalogue=wc), catalogue=wc, rules=rb, backend="python")
    (rec,) = [r for r in d.recommendations if r.indicator_id == "water_cascade_share" and r.rule_id == "rec.advanced.below_lead"]
    assert "cascade_metering" in [m["id"] for m in rec.measures]


@pytest.mark.parametrize("edit, code, where", [
    (lambda s: s.replace("id: cascade_metering", "id: water_cascade_use"), "duplicate-measure", "measures[0].id"),
    (lambda s: s.replace("[water_cascade_share]", "[water_cascade_shar]"), "unknown-indicator", "measures[0].indicators[0]"),
    (lambda s: s.replace("doc: bj-guide-2024", "doc: nowhere"), "unknown-document", "measures[0].basis.doc"),
    (lambda s: s.replace("[water_cascade_share]", "[RG9]"), "unknown-indicator", "measures[0].indicators[0]"),  # a code: never matched
    (lambda s: s.replace("    indicators: [water_cascade_share]\n", ""), "measure-applies-to-nothing", "measures[0]"),
])
def test_bad_extra_measures_are_located_errors(tmp_path, edit, code, where):
    overlay = pathlib.Path(__file__).resolve().parents[1] / "examples" / "overlays" / "water-cascade.yaml"
    f = tmp_path / "measures.yaml"
    f.write_text(edit(MEASURES), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(f, catalogue=greendiag.load_catalogue(overlay))
    (p,) = info.value.problems
    assert p.code == code and p.location.endswith(where) and p.file == str(f)


def test_rules_checked_with_an_edited_overlay_of_the_same_version_are_refused(tmp_path, demo_path):
    """An overlay edited without a new version keeps its label: the rules and the data are compared with the catalogue
    itself, not only its label (a rule naming an indicator the edited overlay dropped gave a KeyError)."""
    src = pathlib.Path(__file__).resolve().parents[1] / "examples" / "overlays" / "water-cascade.yaml"
    overlay = tmp_path / "wc.yaml"
    overlay.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    wc = greendiag.load_catalogue(overlay)
    f = tmp_path / "extra.yaml"
    f.write_text(RULE.replace("EXPECT", "true").replace("fact: indicator\n", "fact: indicator\n    indicator: water_cascade_share\n"),
                 encoding="utf-8")
    rb = load_rules(f, catalogue=wc)
    ds = greendiag.load_dataset(demo_path, catalogue=wc)
    assert greendiag.diagnose(ds, catalogue=greendiag.load_catalogue(overlay), rules=rb, backend="python")  # equal: fine
    overlay.write_text(src.read_text(encoding="utf-8").replace("value: 10", "value: 12", 1), encoding="utf-8")
    edited = greendiag.load_catalogue(overlay)
    assert edited.label == wc.label and edited != wc
    with pytest.raises(greendiag.GreendiagError) as info:
        greendiag.diagnose(greendiag.load_dataset(demo_path, catalogue=edited), catalogue=edited, rules=rb, backend="python")
    assert info.value.problems[0].code == "rules-catalogue-mismatch"
    with pytest.raises(greendiag.DatasetError) as info:
        greendiag.diagnose(ds, catalogue=edited, backend="python")
    assert info.value.problems[0].code == "catalogue-mismatch"
