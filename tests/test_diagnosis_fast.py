"""The fast paths of diagnose() and Diagnosis.to_dict() held to their plain counterparts: to_dict in one pass
against attrs.asdict + a tuple-to-list walk, contexts built on demand against the facts they describe, and
two-part messages rendered once against rendering the whole message template."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from greendiag import diagnose, facts as factsmod
from greendiag.catalogue import iter_provisional
from greendiag.dataset import dataset_from_dict
from greendiag.diagnosis import _messages, _threshold, energy_by_carrier, scored_coefficients
from greendiag.engine import evaluate
from greendiag.rulebook import render
from greendiag.scoring import score_dataset
from greendiag.testing import park_datasets

QUIET = dict(deadline=None, suppress_health_check=list(HealthCheck))


def _plain(value):
    """The walk to_dict() used to end with: tuples to lists, dicts and lists copied, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _old_to_dict(d) -> dict:
    """Diagnosis.to_dict() as it was built before the one-pass version: attrs.asdict for records, then _plain."""
    ds, cat, card = d.dataset, d.catalogue, d.scorecard
    gaps = {(ind, year): (gap_abs, gap_pct) for ind, year, gap_abs, gap_pct in d.lead_gaps}
    return _plain({
        "format": "greendiag-diagnosis/1",
        "park": attrs.asdict(ds.profile),
        "fictitious": ds.fictitious,
        "source": os.path.basename(ds.source),
        "diagnosis_year": ds.diagnosis_year,
        "years": list(ds.years),
        "as_of": d.as_of.isoformat() if d.as_of else None,
        "baseline": [d._baseline_row(r.number) for r in cat.requirements],
        "baseline_summary": attrs.asdict(card.baseline),
        "catalogue": {"categories": [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "weight": c.weight} for c in cat.categories],
                      "scoring": {"full": cat.scoring.full, "cap": cat.scoring.cap,
                                  "category_aggregation": cat.scoring.category_aggregation,
                                  "total_aggregation": cat.scoring.total_aggregation,
                                  "bands": [attrs.asdict(b) for b in cat.scoring.bands],
                                  "bands_sources": [x.doc for x in cat.scoring.bands_provenance.sources]},
                      "documents": [{"id": x.id, "title_zh": x.title_zh, "cite_zh": x.cite_zh} for x in cat.documents],
                      "indicators": [d._indicator_meta(i) for i in cat.indicators]},
        "indicators": [{"number": s.number, "id": s.indicator, "category": s.category, "year": s.year, "value": s.value,
                        "level": s.level, "unit": s.unit, "score": s.score, "status": s.status, "flags": list(s.flags),
                        "origin": s.origin, "evidence": s.evidence,
                        "lead_gap_abs": gaps.get((s.indicator, s.year), (None, None))[0],
                        "lead_gap_pct": gaps.get((s.indicator, s.year), (None, None))[1]} for s in card.indicators],
        "category_scores": [attrs.asdict(c) for c in card.categories],
        "total_scores": [attrs.asdict(t) for t in card.totals],
        "changes": [attrs.asdict(c) for c in card.changes],
        "score_changes": [attrs.asdict(c) for c in card.score_changes],
        "findings": [attrs.asdict(f) for f in d.findings],
        "recommendations": [attrs.asdict(r) for r in d.recommendations],
        "projects": [attrs.asdict(r) for r in d.projects],
        "engagement": d.engagement,
        "demonstration_work": {"recorded": d.demonstration is not None, "items": [attrs.asdict(w) for w in d.demonstration or ()],
                               "kinds": [{"kind": k.id, "name_zh": k.name_zh, "name_en": k.name_en, "titled": k.titled}
                                         for k in cat.demonstration_kinds]},
        **({"energy_by_carrier": energy_by_carrier(ds, cat)} if ds.energy_by_carrier else {}),
        "rules_id": d.rules.id,
        "rules_version": d.rules.version,
        "rules_sha256": d.rules.sha256,
        "rules_extensions": [{"file": name, "sha256": sha} for name, sha in d.rules.extensions],
        "rules_constants": {c.name: c.value for c in d.rules.constants},
        "catalogue_id": cat.id,
        "catalogue_version": cat.version,
        "catalogue_overlays": [list(o) for o in cat.overlays],
        "catalogue_overlay_titles": [{"id": i, "title_zh": zh, "title_en": en} for i, zh, en in cat.overlay_titles],
        "provisional": [{"kind": k, "what": zh, "what_en": en, "why": y} for k, zh, en, y in iter_provisional(cat)
                        if k != "coefficient"]  # conversion factors: only those of a scored sum by carrier
                       + [{"kind": "coefficient", "what": f"{c.name_zh} {c.value:g} {c.unit}", "what_en": f"{c.name_en}: {c.value:g} {c.unit}",
                           "why": c.provenance.provisional} for c in scored_coefficients(ds, cat) if c.provenance.is_provisional]
                       + [{"kind": "rule_constant", "what": f"核查规则常量 {c.name} = {c.value:g}", "what_en": f"rule constant {c.name} = {c.value:g}",
                           "why": c.provenance.provisional} for c in d.rules.constants if c.provenance.is_provisional],
        **({"input_notes": [{"code": n.code, "location": n.location, "message_zh": n.message_zh, "message_en": n.message_en,
                             "fix_zh": n.fix_zh, "fix_en": n.fix_en} for n in ds.notes]} if ds.notes else {}),
    })


def _containers(value, out: list) -> list:
    """Every dict and list inside `value` (itself included); fails on anything that is not JSON data."""
    if isinstance(value, dict):
        assert type(value) is dict and all(type(k) is str for k in value)
        out.append(value)
        for v in value.values():
            _containers(v, out)
    elif isinstance(value, list):
        assert type(value) is list
        out.append(value)
        for v in value:
            _containers(v, out)
    else:
        assert type(value) in (str, int, float, bool, type(None)), type(value)
    return out


def _check_to_dict(d) -> None:
    new, old = d.to_dict(), _old_to_dict(d)
    assert new == old
    assert list(new) == list(old)  # same keys in the same order, record fields too
    assert [list(f) for f in new["findings"]] == [list(f) for f in old["findings"]]
    assert [list(r) for r in new["recommendations"]] == [list(r) for r in old["recommendations"]]
    assert json.dumps(new, sort_keys=True, ensure_ascii=False) == json.dumps(old, sort_keys=True, ensure_ascii=False)
    # nothing shared with the diagnosis or with another call: changing one result leaves the next one as it was
    first = _containers(new, [])
    second = _containers(d.to_dict(), [])
    assert not {id(c) for c in first} & {id(c) for c in second}
    for c in first:
        if isinstance(c, dict):
            c["zz"] = 1
        else:
            c.append(1)
    assert d.to_dict() == old


def test_to_dict_equals_the_plain_construction_on_the_demo(demo_dataset, catalogue, rulebase):
    for backend in ("durable", "python"):
        for as_of in (None, dt.date(2026, 5, 1)):
            _check_to_dict(diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend=backend, as_of=as_of))


@settings(max_examples=40, **QUIET)
@given(park_datasets())
def test_to_dict_equals_the_plain_construction_on_generated_parks(catalogue, rulebase, data):
    ds = dataset_from_dict(data, catalogue=catalogue)
    _check_to_dict(diagnose(ds, catalogue=catalogue, rules=rulebase, backend="python"))


def _prepared(ds, catalogue, rulebase):
    card = score_dataset(ds, catalogue)
    return factsmod.prepare_facts(ds, catalogue, card, {c.name: c.value for c in rulebase.constants}, None, rulebase.term_lists())


def _check_contexts(p) -> None:
    """Each context is new on every call and shows its fact's fields as the fact holds them."""
    for i, f in enumerate(p.facts):
        ctx = p.context(i)
        assert ctx == p.context(i) and ctx is not p.context(i)
        if "number" in f:
            assert type(ctx["number"]) is int and ctx["number"] == f["number"]
        if f["fact"] in ("indicator", "year", "reference"):
            assert type(ctx["year"]) is int and ctx["year"] == f["year"]
        if f["fact"] in ("indicator", "year", "engagement"):
            assert {k: v for k, v in ctx.items() if k in f and k not in ("number", "year")} == \
                   {k: v for k, v in f.items() if k not in ("number", "year")}
        if f["fact"] == "reference":
            shown = ("value", "ref_value", "gap_abs", "gap_pct")
            assert {k: ctx[k] for k in shown if k in ctx} == {k: f[k] for k in shown if k in f}
        for k, v in ctx.items():
            assert not (type(v) is float and not math.isfinite(v)), (k, v)


@settings(max_examples=30, **QUIET)
@given(park_datasets())
def test_contexts_on_demand_follow_their_facts(catalogue, rulebase, data):
    _check_contexts(_prepared(dataset_from_dict(data, catalogue=catalogue), catalogue, rulebase))


def test_contexts_show_clamped_overflows(catalogue, rulebase):
    """An overflowing gap is clamped in the fact before any context is built, so messages never print inf."""
    data = {"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
            "years": [{"year": 2023, "indicators": {"pollutant_elasticity": -1e308}},
                      {"year": 2024, "indicators": {"pollutant_elasticity": 1e308}}]}
    p = _prepared(dataset_from_dict(data, catalogue=catalogue), catalogue, rulebase)
    _check_contexts(p)
    clamped = [(i, k) for i, f in enumerate(p.facts) for k, v in f.items() if v == sys.float_info.max]
    assert clamped
    assert all(p.context(i)[k] == sys.float_info.max for i, k in clamped)
    pairs = factsmod.prepare(dataset_from_dict(data, catalogue=catalogue), catalogue,
                             score_dataset(dataset_from_dict(data, catalogue=catalogue), catalogue),
                             {c.name: c.value for c in rulebase.constants}, None, rulebase.term_lists())
    assert [f for f, _ in pairs] == p.facts and [c for _, c in pairs] == [p.context(i) for i in range(len(p.facts))]


def _check_messages(spec, fields) -> None:
    zh, en, parts = _messages(spec, fields)
    assert (zh, en) == (render(spec.message_zh, fields), render(spec.message_en, fields))
    want = {k: render(getattr(spec, k), fields) for k in ("head_zh", "head_en", "clause_zh", "clause_en")
            if spec.head_zh is not None and getattr(spec, k) is not None}
    assert parts == want


@settings(max_examples=30, **QUIET)
@given(park_datasets())
def test_two_part_messages_equal_the_whole_template(catalogue, rulebase, data):
    p = _prepared(dataset_from_dict(data, catalogue=catalogue), catalogue, rulebase)
    for idx, rule_id in evaluate(rulebase.compiled, p.facts, backend="python"):
        spec = rulebase.rule(rule_id)
        fields = p.context(idx)
        t = _threshold(spec, p.facts[idx])
        fields["threshold"] = t if t is not None else "—"
        _check_messages(spec, fields)


@pytest.mark.parametrize("head, clause, fields", [
    ("{{a}} {a:.2f}", "{b} }}{{ {c:>3}", {"a": 1.23456, "b": "q"}),  # escapes at the join, a missing field
    ("{a:.2f}", "{a:d}", {"a": "text"}),                            # ill-typed fields render as plain text
    ("plain", "{a!r} {0}", {"a": "x"}),                              # not plain fields: the slow path
    ("{a}", "", {"a": None}),
])
def test_joined_render_equals_rendering_the_join(rulebase, head, clause, fields):
    from greendiag.rulebook import HEAD_SEP

    base = next(s for s in rulebase.rules if s.head_zh is not None)
    spec = attrs.evolve(base, head_zh=head, clause_zh=clause, message_zh=head + HEAD_SEP["zh"] + clause,
                        head_en=clause, clause_en=head, message_en=clause + HEAD_SEP["en"] + head)
    _check_messages(spec, dict(fields))
    one_part = attrs.evolve(spec, head_en=None, clause_en=None, message_en="{a} only")
    _check_messages(one_part, dict(fields))
