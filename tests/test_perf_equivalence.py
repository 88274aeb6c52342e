"""The fast paths give exactly what the plain paths give: the generated rule checker against the naive
evaluator, the durable adapter's one-pass fact text against `clean_fact` + the JSON writer, the schema's
fast check against jsonschema, the one-pass YAML constructor against PyYAML's constructor, and the
facts of a diagnosis against each other across backends and repeated runs (see docs/performance.md)."""

from __future__ import annotations

import json
import math

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from greendiag import schema, testing as kit, yamlio
from greendiag.engine import Cond, Rule, RuleSet, evaluate
from greendiag.engine import _durable
from greendiag.engine.ir import clean_fact
from greendiag.engine.reference import evaluate_naive
from greendiag.errors import GreendiagError, InputFileError

QUIET = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- the Python evaluator's generated checkers ------------------------------------------------------

WEIRD = st.sampled_from([float("nan"), float("inf"), -float("inf"), 10 ** 400, -(10 ** 400), 2 ** 53 + 1, True, False,
                         None, "", "x" * 10_001, [1.0], {"k": 1.0}, 0, -0.0, 5e-324, 1e308])


class _Str(str):
    """A str subclass: typed as a string, as `_typed` says."""


@settings(max_examples=1500, **QUIET)
@given(rs=kit.rule_sets(), facts=st.lists(kit.facts(), max_size=6),
       seeded=st.lists(st.dictionaries(st.sampled_from(kit.NUM_FIELDS + kit.STR_FIELDS),
                                       st.one_of(kit.numbers(), kit.texts(), WEIRD)), max_size=4))
def test_python_evaluator_fires_what_the_naive_one_fires(rs, facts, seeded):
    facts = facts + [kit.fact_from(rs, s) for s in seeded]
    # the same facts again with every string key value as a str subclass and ints for floats
    facts += [{k: (_Str(v) if isinstance(v, str) else int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v)
               for k, v in f.items()} for f in facts[:3]]
    assert evaluate(rs, facts, "python") == evaluate_naive(rs, facts)


def test_keyed_rules_with_no_matching_fact_and_unkeyed_rules():
    rs = RuleSet((Rule("a", (Cond("kind", "==", value="x"), Cond("v", ">", value=1))),
                  Rule("b", (Cond("kind", "==", value="y"), Cond("v", "<", other="w"))),
                  Rule("c", (Cond("v", "!=", value=0),)),
                  Rule("d", (Cond("tag", "==", value="t"), Cond("kind", "!=", value="x")))))
    facts = [{"kind": "x", "v": 2.0}, {"kind": "y", "v": 1, "w": 2.0}, {"kind": "z", "v": 0.0}, {"kind": "x" * 20_000, "v": 3.0},
             {"kind": _Str("x"), "v": 5, "tag": "t"}, {"tag": "t", "kind": "q"}, {"kind": None, "v": True}]
    assert evaluate(rs, facts, "python") == evaluate_naive(rs, facts) == (
        (0, "a"), (0, "c"), (1, "b"), (1, "c"), (3, "c"), (4, "a"), (4, "c"), (5, "d"))


def test_rule_ids_and_string_constants_that_look_like_code_stay_data():
    """The checkers are generated from the IR; ids and constants are written as literals, never as code."""
    hostile = ["x'); import os; os._exit(3); ('", 'a"b\\\n\'c', "\n    out.append('forged')", "__import__('os')", "}{", "中文'\""]
    rules = [Rule(h, (Cond("kind", "==", value=h), Cond("v", ">", value=1e-05))) for h in hostile]
    rs = RuleSet(rules + [Rule("plain", (Cond("kind", "!=", value=hostile[0]),))])
    facts = [{"kind": h, "v": 2.0} for h in hostile] + [{"kind": "other", "v": 0.5}]
    fired = evaluate(rs, facts, "python")
    assert fired == evaluate_naive(rs, facts)
    assert [(i, rid) for i, rid in fired if rid != "plain"] == [(i, h) for i, h in enumerate(hostile)]
    assert (0, "plain") not in fired and (len(hostile), "plain") in fired


# --- the durable adapter's fact text ------------------------------------------------------------

@settings(max_examples=500, **QUIET)
@given(rs=kit.rule_sets(), facts=st.lists(st.one_of(kit.facts(), st.dictionaries(
    st.sampled_from(kit.NUM_FIELDS + kit.STR_FIELDS), st.one_of(kit.numbers(), kit.texts(), WEIRD))), max_size=5))
def test_fact_text_is_clean_fact_written_by_the_json_writer(rs, facts):
    fields = {name: (_durable._text(name) + ":", kind == "str") for name, kind in rs.types.items()}
    for i, fact in enumerate(facts):
        want = dict(clean_fact(fact, rs.types), sid="s1", id=f"s1.{i}")
        got = _durable._fact_text(fact, fields, f'"sid":"s1","id":"s1.{i}"')
        assert got == _durable._dump(want)
        assert json.loads(got) == want


# --- the schema's fast check -----------------------------------------------------------------------

JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10 ** 20, 10 ** 20), st.floats(allow_nan=False, allow_infinity=False),
              st.sampled_from([0, 1, 2024, 2024.0, 2024.5, -5, 150, 1e9, 1990, 2100, 2101, 1989.0]),
              st.sampled_from(["", "x", "abc", "32000 元/tce", "12 kg", "符合", "met", "not_met", "市级", "national",
                               "greendiag-dataset/1", "2024-01-01", "2024-13-01", "x" * 300, "1,5", "95%"]), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4) | st.sampled_from(
        ["value", "unit", "evidence", "note", "name", "year", "number", "status"]), inner, max_size=4)),
    max_leaves=12)


@settings(max_examples=400, **QUIET)
@given(data=st.data())
def test_fast_schema_check_agrees_with_jsonschema_on_datasets(data):
    park = data.draw(kit.park_datasets())
    doc = data.draw(st.one_of(st.just(park), kit.mutated_documents(park, JSONISH, changes=2, max_depth=None)))
    check = schema.fast_check("dataset.schema.json")
    assert check is not None
    assert check(doc) == schema.validator("dataset.schema.json").is_valid(doc)


@pytest.mark.parametrize("name", sorted(n for n in schema._schemas() if schema.fast_check(n) is not None))
@settings(max_examples=150, **QUIET)
@given(doc=JSONISH)
def test_fast_schema_check_agrees_with_jsonschema_on_any_json(name, doc):
    assert schema.fast_check(name)(doc) == schema.validator(name).is_valid(doc)


KEYWORD_SCHEMAS = [  # each keyword the fast check implements, alone and combined, overlapping oneOf branches included
    {"type": "integer"}, {"type": ["number", "null"]}, {"type": "boolean"}, {"type": "array"}, {"type": "object"},
    {"enum": [1, "x", None, True, [1], {"a": 1}]}, {"const": 1}, {"const": False}, {"const": [1.0, {"a": None}]},
    {"minimum": 0, "maximum": 100}, {"minimum": 1990}, {"maximum": 1e9},
    {"minLength": 1, "maxLength": 3}, {"maxLength": 0}, {"pattern": "^[a-z]+$"}, {"pattern": "\\d"},
    {"items": {"type": "string"}, "minItems": 1, "maxItems": 2}, {"items": False}, {"minItems": 2},
    {"properties": {"value": {"type": "number"}, "a": {"const": 1}}, "required": ["value"], "additionalProperties": False},
    {"additionalProperties": {"type": "integer"}}, {"properties": {"a": True, "b": False}}, {"required": ["a", "1"]},
    {"oneOf": [{"type": "number"}, {"minimum": 5}]}, {"oneOf": [{"type": "string"}, {"maxLength": 2}, {"type": "integer"}]},
    {"anyOf": [{"required": ["value"]}, {"required": ["a"]}]}, {"allOf": [{"type": "string"}, {"minLength": 2}]},
    {"type": "object", "title": "t", "description": "d", "$comment": "c", "properties": {"x": {"oneOf": [True, False]}}},
    {"$defs": {"a": {"type": "integer", "minimum": 2}}, "$ref": "#/$defs/a"},
    {"$defs": {"n": {"type": ["array", "integer"], "items": {"$ref": "#/$defs/n"}}}, "$ref": "#/$defs/n"},  # recursive
    {"$defs": {"a/b": {"type": "string"}}, "properties": {"x": {"$ref": "#/$defs/a~1b"}}, "$ref": "#/$defs/a~1b"},
    {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "integer"}},
    {"if": {"minimum": 5}, "then": {"maximum": 7}}, {"if": {"required": ["a"]}, "else": False}, {"then": False, "else": False},
    True, False,
]


@pytest.mark.parametrize("s", KEYWORD_SCHEMAS, ids=lambda s: json.dumps(s)[:40])
@settings(max_examples=120, **QUIET)
@given(doc=JSONISH)
@example(doc={"value": 1, "zz": 2})
@example(doc={"value": 1.0, "a": 1, "b": 2})
@example(doc={"a": True, "1": 2.0, "value": None})
@example(doc=["ab", "c", "d"])
@example(doc=2024.0)
@example(doc="abcd")
@example(doc=True)
def test_fast_schema_check_agrees_with_jsonschema_keyword_by_keyword(s, doc):
    import jsonschema

    assert schema._compile(s)(doc) == jsonschema.Draft202012Validator(s).is_valid(doc)


def test_schemas_with_other_keywords_have_no_fast_check():
    assert schema._compile({"type": "object"})({}) is True
    for unsupported in ({"$ref": "#/x"}, {"$ref": "common.schema.json#/$defs/x"}, {"patternProperties": {}},
                        {"type": "thing"}, {"prefixItems": []}, {"if": {"dependentRequired": {}}}):
        with pytest.raises(schema._Unsupported):
            schema._compile(unsupported)


def test_a_valid_dataset_gives_no_problems_and_an_invalid_one_the_same_as_before(demo_path):
    from greendiag.yamlio import Document, read_document

    good = read_document(demo_path).data
    assert schema.problems(Document("x.yaml", good, None), "dataset.schema.json") == []
    bad = dict(good, diagnosis_year="2025")
    errors = list(schema.validator("dataset.schema.json").iter_errors(bad))
    got = schema.problems(Document("x.yaml", bad, None), "dataset.schema.json")
    assert errors and [p.code for p in got] == ["schema-type"] and got[0].location == "$.diagnosis_year"


# --- the one-pass YAML constructor -------------------------------------------------------------------

def _plain_parse(text: str, path: str):
    """parse_text without the fast constructor: _check_size, then PyYAML's constructor (what it falls back to)."""
    original = yamlio._fast_construct

    def refuse(loader, node):
        raise yamlio._Fallback

    yamlio._fast_construct = refuse
    try:
        return yamlio.parse_text(text, path)
    finally:
        yamlio._fast_construct = original


def _outcome(parse, text):
    try:
        doc = parse(text, "x.yaml")
    except GreendiagError as exc:
        return ("error", [p.to_dict() for p in exc.problems])
    except Exception as exc:  # noqa: BLE001 - e.g. "!!int abc" escapes as ValueError on both paths (not typed: a known gap)
        return ("exception", type(exc).__name__, str(exc))
    return ("ok", _typed_repr(doc.data))


def _typed_repr(v):
    """Data with every scalar's type spelled out (True == 1 == 1.0 would hide a difference)."""
    if isinstance(v, dict):
        return {"dict": [(k, _typed_repr(x)) for k, x in v.items()]}
    if isinstance(v, list):
        return {"list": [_typed_repr(x) for x in v]}
    return (type(v).__name__, repr(v))


SCALAR_TEXTS = st.sampled_from(["1", "-1", "0x1F", "0o17", "017", "1_000", "1:30", "+5", "1.5", "1e5", "1.0e+5", ".5", "-.inf",
                                ".nan", ".NaN", "1e400", "true", "True", "TRUE", "yes", "no", "on", "off", "y", "n", "~", "null",
                                "Null", "", "2024-01-01", "2024-01-01 10:00:00", "=", "<<", "'1'", '"x\\ty"', "!!str 1",
                                "!!int '7'", "!!float 3", "!!bool yes", "!!null ''", "!!timestamp 2024-01-01", "!!binary aGk=",
                                "!!set {a}", "!foo x", "!!int abc", "园区", "- a", "a: b", "[1, 2]", "{a: 1}", "a #c"])


@st.composite
def yaml_texts(draw):
    """Small YAML documents: nested flow and block collections of tricky scalars, with anchors, aliases, merge
    keys and duplicate keys now and then."""
    def node(depth):
        kind = draw(st.sampled_from(["scalar", "scalar", "seq", "map"] if depth < 3 else ["scalar"]))
        if kind == "scalar":
            return draw(SCALAR_TEXTS)
        if kind == "seq":
            return "[" + ", ".join(node(depth + 1) for _ in range(draw(st.integers(0, 3)))) + "]"
        keys = draw(st.lists(st.sampled_from(["a", "b", "1", "'1'", "~", "true", "1.5", "<<", "=", "[x]", "? a"]), max_size=3))
        return "{" + ", ".join(f"{k}: {node(depth + 1)}" for k in keys) + "}"

    lines = []
    for i in range(draw(st.integers(1, 4))):
        anchor = draw(st.sampled_from(["", "", f"&n{i} "]))
        lines.append(f"k{i}: {anchor}{node(0)}")
    if draw(st.booleans()) and any("&n" in line for line in lines):
        target = next(line.split("&")[1].split(" ")[0] for line in lines if "&n" in line)
        lines.append(f"alias: *{target}")
        lines.append(f"again: [*{target}, *{target}]")
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["k0: dup", "z: !!python/name:os.system ''", "deep: " + "[" * 70 + "]" * 70])))
    return "\n".join(lines) + "\n"


@settings(max_examples=1500, **QUIET)
@given(text=yaml_texts())
@example(text="base: &b {unit: '%', value: 1}\nx: *b\ny: {<<: *b, value: 2}\n")
@example(text="a: &a [1, 2]\nb: *a\nc: *a\n")
@example(text="a: 1\na: 2\nb: .nan\n")
@example(text="a: [.inf, {b: 1, b: 2}]\n")
def test_fast_yaml_constructor_gives_what_pyyaml_gives(text):
    assert _outcome(yamlio.parse_text, text) == _outcome(_plain_parse, text)


def test_aliases_give_the_same_object_as_pyyaml_does():
    data = yamlio.parse_text("a: &a {x: [1]}\nb: *a\nc: [*a]\n", "x.yaml").data
    assert data["a"] is data["b"] is data["c"][0]


def test_bombs_and_depth_still_refused_with_their_codes(monkeypatch):
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcde", "bcdef"))
    with pytest.raises(InputFileError) as info:
        yamlio.parse_text(text, "x.yaml")
    assert info.value.codes == ("too-large",)
    with pytest.raises(InputFileError) as info:
        yamlio.parse_text("a: " + "[" * 70 + "]" * 70 + "\n", "x.yaml")
    assert info.value.codes == ("too-deep",)
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 5)
    with pytest.raises(InputFileError) as info:
        yamlio.parse_text("a: [1, 2, 3, 4, 5, 6]\n", "x.yaml")
    assert info.value.codes == ("too-large",)


# --- facts: the clamp of overflowing arithmetic still runs when the cheap check says so -----------------

def test_overflowing_gaps_are_still_clamped(catalogue, rulebase):
    import sys

    from greendiag import diagnose, facts as factsmod
    from greendiag.dataset import dataset_from_dict
    from greendiag.scoring import score_dataset

    data = {"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
            "years": [{"year": 2024, "indicators": {"pollutant_elasticity": 1e308}}]}
    ds = dataset_from_dict(data, catalogue=catalogue)
    card = score_dataset(ds, catalogue)
    prepared = factsmod.prepare(ds, catalogue, card, {c.name: c.value for c in rulebase.constants}, None, rulebase.term_lists())
    values = [v for f, _ in prepared for v in f.values() if type(v) is float]
    assert all(math.isfinite(v) for v in values)
    assert sys.float_info.max in [abs(v) for v in values]  # 1e308 - (-lead) ... overflowed and was clamped
    a = diagnose(ds, catalogue=catalogue, rules=rulebase, backend="python").to_json()
    b = diagnose(ds, catalogue=catalogue, rules=rulebase, backend="durable").to_json()
    assert a == b
