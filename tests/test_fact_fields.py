"""The declared fact fields (facts.FIELDS, CONTEXT, VALUES) are what the facts and contexts really hold, so rule
files can be checked against them when they load (rulebook) and rule authors can read them (docs/engine.md)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings

import greendiag
from greendiag import facts as factsmod
from greendiag.scoring import score_dataset
from greendiag.testing import park_datasets

CAT = greendiag.load_catalogue()
RB = greendiag.load_rules()


def _prepared(ds, cat=CAT):
    card = score_dataset(ds, cat)
    constants = {c.name: c.value for c in RB.constants}
    return factsmod.prepare_facts(ds, cat, card, constants, dt.date(2026, 6, 1), RB.term_lists())


def _violations(prepared, cat=CAT) -> list[str]:
    out = []
    year_fields = factsmod.year_value_fields(cat)
    ids = {i.id for i in cat.indicators}
    refs = {r.id for r in cat.references}
    for i, f in enumerate(prepared.facts):
        kind = f["fact"]
        declared = dict(factsmod.FIELDS[kind], **(year_fields if kind == "year" else {}))
        for k, v in f.items():
            want = declared.get(k)
            if want is None:
                out.append(f"{kind}: undeclared field {k}")
            elif (want == factsmod.NUM) != isinstance(v, float):
                out.append(f"{kind}.{k}: {type(v).__name__} where {want} is declared")
            elif k in factsmod.VALUES and v not in factsmod.VALUES[k]:
                out.append(f"{kind}.{k}: value {v!r} outside {factsmod.VALUES[k]}")
            elif (k == "ind" and v not in ids) or (k == "ref" and v not in refs):
                out.append(f"{kind}.{k}: {v!r} is not a catalogue id")
        context = set(prepared.context(i))
        allowed = factsmod.CONTEXT[kind] | (set(year_fields) if kind == "year" else set())
        out += [f"{kind}: context name {k} not declared" for k in sorted(context - allowed)]
    return out


def test_the_demo_park_facts_match_the_declaration(demo_dataset):
    p = _prepared(demo_dataset)
    assert {f["fact"] for f in p.facts} == set(factsmod.FIELDS)
    assert _violations(p) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(park_datasets(CAT))
def test_generated_parks_facts_match_the_declaration(data):
    assert _violations(_prepared(greendiag.dataset_from_dict(data, catalogue=CAT))) == []


def test_the_packaged_rules_use_only_declared_fields():
    for spec in RB.rules:
        declared = dict(factsmod.FIELDS[spec.fact], **(factsmod.year_value_fields(CAT) if spec.fact == "year" else {}))
        for c in spec.when:
            assert c.field in declared and (c.other is None or c.other in declared), (spec.id, c)


def test_docs_list_every_field_and_template_name(root):
    text = (root / "docs" / "engine.md").read_text(encoding="utf-8")
    section = text[text.index("## The facts a rule can use"):text.index("## Semantics")]
    names = set().union(*map(set, factsmod.FIELDS.values()), *factsmod.CONTEXT.values()) - {"fact"}
    assert [n for n in sorted(names) if f"`{n}`" not in section] == []
    assert all(f"`{v}`" in section or v in section for vs in factsmod.VALUES.values() for v in vs)
