"""catalogue/schemas/diagnosis.schema.json, the published shape of diagnosis.json: every diagnosis greendiag writes for
the examples passes it with plain jsonschema, and the check before a report (check_shape) is that schema, naming each
damage by its JSON path with the diagnosis-* codes."""

from __future__ import annotations

import copy
import json
import pathlib
import re
from importlib import resources

import jsonschema
import pytest

import greendiag
from greendiag.dataset import DATA_YEARS, DIAGNOSIS_YEARS
from greendiag.errors import DiagnosisFileError, ReportError
from greendiag.reports import load_diagnosis
from greendiag.reports._data import FORMAT, SCHEMA, ReportData, check_shape

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "catalogue" / "schemas" / "diagnosis.schema.json"
EXAMPLES = ROOT / "examples"
WATER = EXAMPLES / "overlays" / "water-cascade.yaml"
WATER_RULES = EXAMPLES / "rules" / "water-cascade-rules.yaml"


@pytest.fixture(scope="module")
def published():
    """The schema as a downstream tool reads it: the file, checked against the draft 2020-12 metaschema."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def demo():
    d = greendiag.diagnose(greendiag.load_dataset(EXAMPLES / "demo-park.yaml"), backend="python")
    return json.loads(d.to_json())  # as read back from diagnosis.json


def _diagnoses():
    """(name, diagnosis.json text) for every example greendiag diagnoses: the demo park as YAML and as a workbook,
    without and with the example overlay (and its rules), on both rules backends."""
    plain = greendiag.load_catalogue(), None
    water = greendiag.load_catalogue(str(WATER)), str(WATER_RULES)
    for source in ("demo-park.yaml", "demo-park.xlsx"):
        for overlay, (cat, rules_file) in (("base", plain), ("water-cascade", water)):
            rules = greendiag.load_rules(*([rules_file] if rules_file else []), catalogue=cat)
            ds = greendiag.load_dataset(EXAMPLES / source, catalogue=cat)
            for backend in ("durable", "python"):
                yield f"{source}-{overlay}-{backend}", greendiag.diagnose(ds, catalogue=cat, rules=rules, backend=backend).to_json()


def test_every_example_diagnosis_passes_the_published_schema(published):
    seen = 0
    for name, text in _diagnoses():
        d = json.loads(text)
        assert [e.message for e in published.iter_errors(d)] == [], name
        check_shape(d)  # greendiag's own check agrees
        seen += 1
    assert seen == 8


def test_the_overlay_diagnosis_uses_what_the_schema_makes_optional(published):
    """The overlay run fills the optional lists the base run may leave empty (overlay titles, specialised)."""
    cat = greendiag.load_catalogue(str(WATER))
    d = json.loads(greendiag.diagnose(greendiag.load_dataset(EXAMPLES / "demo-park.yaml", catalogue=cat), catalogue=cat,
                                      backend="python").to_json())
    assert d["catalogue_overlays"] and d["catalogue_overlay_titles"]
    assert published.is_valid(d)


def test_the_schema_ships_with_the_package():
    shipped = resources.files("greendiag._data_catalogue") / "schemas" / SCHEMA
    assert json.loads(shipped.read_text(encoding="utf-8")) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert SCHEMA == SCHEMA_FILE.name


def test_the_year_bounds_are_those_of_the_dataset():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    year, data_year = schema["$defs"]["year"], schema["$defs"]["data_year"]
    assert (year["minimum"], year["maximum"]) == DIAGNOSIS_YEARS
    assert (data_year["minimum"], data_year["maximum"]) == DATA_YEARS
    assert schema["properties"]["diagnosis_year"] == {"$ref": "#/$defs/year"}
    assert schema["properties"]["years"]["items"] == {"$ref": "#/$defs/data_year"}
    assert schema["properties"]["format"]["const"] == FORMAT


def _keywords(node, out: set) -> set:
    """Every keyword the schema uses (the names under properties/$defs are not keywords)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("properties", "$defs"):
                for sub in v.values():
                    _keywords(sub, out)
            else:
                out.add(k)
                if k not in ("enum", "const", "required", "type", "description", "title"):
                    _keywords(v, out)
    return out


def test_check_shape_words_every_keyword_of_the_schema():
    """check_shape words type, enum/const, minimum/maximum and required errors; a schema using another keyword that can
    fail must be worded first. Every $ref is local (#/$defs/…), as check_shape follows them to find an if."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    failing = {"type", "enum", "const", "minimum", "maximum", "required"}
    holders = {"$schema", "$id", "$defs", "$ref", "title", "description", "properties", "additionalProperties", "items",
               "if", "then", "else"}
    assert _keywords(schema, set()) - failing - holders == set()
    refs = []

    def walk(node):
        if isinstance(node, dict):
            refs.extend([node["$ref"]] if "$ref" in node else [])
            for v in node.values():
                walk(v)

    walk(schema)
    assert refs and all(r.startswith("#/$defs/") and r[8:] in schema["$defs"] for r in refs)


def test_every_property_is_described_in_chinese_and_english():
    """The schema documents the format: each property (or the definition it refers to) says what it is, "中文 / English"."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    missing = []

    def walk(node, path):
        if not isinstance(node, dict):
            return
        for key, sub in node.get("properties", {}).items():
            target = schema["$defs"][sub["$ref"][8:]] if "$ref" in sub else sub
            text = sub.get("description") or target.get("description", "")
            if not re.fullmatch(r".*[\u4e00-\u9fff].* / .*[A-Za-z].*", text):
                missing.append(f"{path}.{key}")
            walk(sub, f"{path}.{key}")
        walk(node.get("items"), f"{path}[]")
        walk(node.get("additionalProperties"), f"{path}.<name>")

    walk(schema, "$")
    for name, sub in schema["$defs"].items():
        walk(sub, f"$defs.{name}")
    assert missing == []


# ------------------------------------------------------------------ a damaged diagnosis: the located problem, in both


def _at(d, path):
    for k in path[:-1]:
        d = d[k]
    return d


def _index(items, test):
    return next(i for i, x in enumerate(items) if test(x))


def _qualitative(d):
    return _index(d["catalogue"]["indicators"], lambda m: m["kind"] == "qualitative")


def _quantitative(d):
    return _index(d["catalogue"]["indicators"], lambda m: m["kind"] != "qualitative")


# (what, path of keys (a callable picks an index), new value or DROP, code, location, words the Chinese message holds)
DROP = object()
DAMAGES = [
    ("key removed", ("findings", 3, "message_zh"), DROP, "diagnosis-missing-key", "$.findings[3].message_zh", "缺少字段"),
    ("top-level key removed", ("engagement",), DROP, "diagnosis-missing-key", "$.engagement", "缺少字段"),
    ("wrong type", ("total_scores", 0, "total"), "86.5", "diagnosis-bad-type", "$.total_scores[0].total",
     '应为数值或 null,实为文本 "86.5"'),
    ("null where not allowed", ("findings", 3, "message_zh"), None, "diagnosis-bad-type", "$.findings[3].message_zh",
     "应为文本,实为 null"),
    ("null object", ("engagement", "provider"), None, "diagnosis-bad-type", "$.engagement.provider", "应为对象,实为 null"),
    ("null list item", ("findings", 0), None, "diagnosis-bad-type", "$.findings[0]", "应为对象,实为 null"),
    ("qualitative lead a number", ("catalogue", "indicators", _qualitative, "lead"), 3, "diagnosis-bad-type", None,
     '应为文本或 null(kind 为 "qualitative" 时),实为 3'),
    ("quantitative lead text", ("catalogue", "indicators", _quantitative, "lead"), "3.0", "diagnosis-bad-type", None,
     '应为数值或 null(kind 不为 "qualitative" 时),实为文本 "3.0"'),
    ("year out of range", ("years", 0), 1900, "diagnosis-bad-type", "$.years[0]", "应为 1989—2100 之间的整数年份,实为 1900"),
    ("diagnosis year out of range", ("diagnosis_year",), 2101, "diagnosis-bad-type", "$.diagnosis_year",
     "应为 2000—2100 之间的整数年份,实为 2101"),
    ("assessment not a word", ("changes", 0, "assessment"), "up", "diagnosis-bad-type", "$.changes[0].assessment",
     "应为 better、worse、same 或 n/a"),
    ("constant text", ("rules_constants", "onsite_days_min"), "5", "diagnosis-bad-type", "$.rules_constants.onsite_days_min",
     '应为数值,实为文本 "5"'),
    ("flag text", ("engagement", "fee_charged"), "no", "diagnosis-bad-type", "$.engagement.fee_charged",
     '应为 true 或 false或 null,实为文本 "no"'),
]


def _damage(d, path, value):
    d = copy.deepcopy(d)
    keys = []
    parent = d
    for step in path:
        keys.append(step(d) if callable(step) else step)
        if len(keys) < len(path):
            parent = parent[keys[-1]]
    if value is DROP:
        del parent[keys[-1]]
    else:
        parent[keys[-1]] = value
    return d, "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys)


@pytest.mark.parametrize("what, path, value, code, location, words", DAMAGES, ids=[x[0] for x in DAMAGES])
def test_a_damage_is_named_by_greendiag_and_by_the_published_schema(published, demo, what, path, value, code, location,
                                                                     words):
    damaged, where = _damage(demo, path, value)
    assert location is None or where == location
    with pytest.raises(ReportError) as info:
        check_shape(damaged)
    (p,) = info.value.problems
    assert (p.code, p.location) == (code, where)
    assert words in p.message_zh and where in p.message_zh and where in p.message_en
    assert p.fix_zh.startswith("用 greendiag diagnose 重新生成") and "greendiag diagnose" in p.fix_en
    # plain jsonschema finds the same place (a removed key: at its object)
    (err,) = published.iter_errors(damaged)
    got = "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in err.absolute_path)
    assert got == (where.rsplit(".", 1)[0] if value is DROP else where)


def test_every_problem_at_once_in_document_order(demo):
    damaged, _ = _damage(demo, ("park", "name"), DROP)
    damaged, _ = _damage(damaged, ("indicators", 2, "score"), "50")
    damaged, _ = _damage(damaged, ("findings", 1), None)
    damaged, _ = _damage(damaged, ("engagement", "team_size"), 6.5)
    with pytest.raises(ReportError) as info:
        ReportData(damaged)
    assert [(p.code, p.location) for p in info.value.problems] == [
        ("diagnosis-missing-key", "$.park.name"), ("diagnosis-bad-type", "$.indicators[2].score"),
        ("diagnosis-bad-type", "$.findings[1]"), ("diagnosis-bad-type", "$.engagement.team_size")]


def test_several_missing_keys_of_one_object_are_each_named_once(demo):
    damaged = copy.deepcopy(demo)
    for key in ("rule_id", "severity", "message_en"):
        del damaged["findings"][0][key]
    with pytest.raises(ReportError) as info:
        check_shape(damaged)
    assert [p.location for p in info.value.problems] == ["$.findings[0].rule_id", "$.findings[0].severity",
                                                          "$.findings[0].message_en"]


def test_a_damaged_file_is_a_diagnosis_file_error_naming_it(demo, tmp_path):
    damaged, where = _damage(demo, ("catalogue", "indicators", _qualitative, "lead"), 3)
    path = tmp_path / "diagnosis.json"
    path.write_text(json.dumps(damaged, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DiagnosisFileError) as info:
        load_diagnosis(path)
    (p,) = info.value.problems
    assert (p.code, p.file, p.location) == ("diagnosis-bad-type", str(path), where)
    assert info.value.format("zh").startswith("诊断结果文件内容有误")


def test_values_json_cannot_hold_are_named_before_the_schema_runs(demo):
    """NaN passes the schema's number (Python's json writes it): the pre-check names it, and the schema is not run."""
    damaged = copy.deepcopy(demo)
    damaged["total_scores"][0]["total"] = float("nan")
    damaged["park"]["name"] = None  # a schema problem, not reported while the dict holds what JSON cannot
    with pytest.raises(ReportError) as info:
        check_shape(damaged)
    assert [p.location for p in info.value.problems] == ["$.total_scores[0].total"]
    assert "JSON" in info.value.problems[0].message_en


def test_older_files_and_unknown_keys_pass(published, demo):
    """The keys later versions added are optional and keys no reader knows are allowed, in both."""
    old = copy.deepcopy(demo)
    for key in ("score_changes", "baseline_summary", "rules_constants", "input_notes", "provisional", "fictitious",
                "catalogue_overlays", "catalogue_overlay_titles"):
        old.pop(key, None)
    old["catalogue"].pop("scoring"), old["catalogue"].pop("documents")
    for r in old["indicators"]:
        r.pop("lead_gap_abs"), r.pop("lead_gap_pct")
    old["engagement"] = {"provider": old["engagement"]["provider"], "team": old["engagement"]["team"]}
    old["from_a_later_version"] = {"anything": [1, "x", None]}
    old["park"]["x_extra"] = 5
    assert published.is_valid(old)
    check_shape(old)


def test_an_integer_with_a_fraction_is_refused_by_greendiag_only(published, demo):
    """JSON Schema counts 2022.0 as an integer; greendiag, which never writes one, refuses it (a report would print
    "2022.0年"), as the schema's description says."""
    damaged, where = _damage(demo, ("indicators", 0, "year"), float(demo["indicators"][0]["year"]))
    assert published.is_valid(damaged)
    with pytest.raises(ReportError) as info:
        check_shape(damaged)
    assert [(p.code, p.location) for p in info.value.problems] == [("diagnosis-bad-type", where)]
    assert "2022.0" in json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["description"]


# ------------------------------------------------------------------ the compiled fast check (schema.fast_check)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from greendiag import schema, testing as kit  # noqa: E402
from greendiag.reports._data import _validator  # noqa: E402

_VALUES = st.one_of(kit.hostile_values(), st.sampled_from([2022.0, 2024, 1988, 2101, "2024", None, [], {}, "qualitative", 1.5]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_fast_check_answers_as_the_strict_validator(demo, data):
    """A valid diagnosis skips jsonschema (2 ms instead of 20 ms per report): the compiled check must say 'valid'
    exactly when the validator with strict integers finds no error, damaged or not."""
    doc = data.draw(st.one_of(st.just(demo), kit.mutated_documents(demo, _VALUES, changes=3, max_depth=None)))
    check = schema.fast_check(SCHEMA, strict_integers=True)
    assert check is not None
    assert check(doc) == (not any(True for _ in _validator().iter_errors(doc)))


def test_a_year_written_as_a_float_is_refused_by_the_fast_path_too(demo):
    d = copy.deepcopy(demo)
    d["diagnosis_year"] = float(d["diagnosis_year"])
    assert not schema.fast_check(SCHEMA, strict_integers=True)(d) and schema.fast_check(SCHEMA)(d)
    with pytest.raises(ReportError) as info:
        check_shape(d)
    assert info.value.problems[0].location == "$.diagnosis_year"
