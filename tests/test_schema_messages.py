"""Schema problems in our own words: every keyword the shipped schemas use (dependentRequired, false subschemas,
if/then/else, not, oneOf, const, maxLength …) gives a Chinese and English message with its place and a fix, never
jsonschema's English ("False schema does not allow …", "… is a dependency of …")."""

from __future__ import annotations

import json
import pathlib

import pytest

import greendiag
from greendiag import CatalogueError, RuleError
from greendiag.errors import DatasetError

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA_DIRS = (ROOT / "catalogue" / "schemas", ROOT / "rules" / "schemas")

RULE = """\
rules:
  - id: extra.rec.below_ref
    kind: KIND
    method: standard_comparison
    fact: indicator
    when:
      - {field: gap_pct, op: ">", value: 0}
    severity: medium
    subject: indicator
    threshold: {field: ref_value}
MESSAGE
    source: {doc: bj-guide-2024, clause: "附件2-1-2"}
    tests:
      - {fact: {gap_pct: 4}, fires: true}
      - {fact: {gap_pct: -1}, fires: false}
"""
MESSAGE = '    message_zh: "“{number} {name_zh}”低于参考值"\n    message_en: "{number} {name_en} is below the reference"'
HEAD_ZH, HEAD_EN = '    head_zh: "“{number} {name_zh}”{year}年"', '    head_en: "{number} {name_en} in {year}"'
CLAUSE_ZH, CLAUSE_EN = '    clause_zh: "低于参考值"', '    clause_en: "below the reference"'
PARTS = "\n".join([HEAD_ZH, HEAD_EN, CLAUSE_ZH, CLAUSE_EN])
JSONSCHEMA_ENGLISH = ("False schema", "is a dependency of", "should not be valid", "is not valid under", "is valid under each",
                      "was expected", "is too long", "schema violation", "has non-unique", "does not have enough properties",
                      "has too many properties", "is expected to be empty", "None")


def _rule_problems(tmp_path, message: str, kind: str = "recommendation", edit=lambda s: s):
    path = tmp_path / "extra-rules.yaml"
    path.write_text(edit(RULE.replace("KIND", kind).replace("MESSAGE", message)), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(path)
    for p in info.value.problems:
        assert p.file == str(path)
        assert not any(s in p.message_zh + p.message_en for s in JSONSCHEMA_ENGLISH), p
        assert p.code != "schema-None"
    return path, list(info.value.problems)


def _where(path: pathlib.Path, text: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of text in the file (found here, not by greendiag)."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return n, line.index(text) + 1
    raise AssertionError(text)


# ---------------------------------------------------------------- a message in one piece or in two parts


def test_a_message_and_its_parts_together_are_one_problem_naming_the_rule(tmp_path):
    path, found = _rule_problems(tmp_path, MESSAGE + "\n" + PARTS)
    assert len(found) == 1, found
    (p,) = found
    assert p.code == "schema-false"
    assert p.location == "$.rules[0]" and (p.line, p.column) == _where(path, "id: extra.rec.below_ref")
    assert p.message_zh == ("extra.rec.below_ref:同时给出了 message_zh/message_en 和 head_zh/clause_zh/head_en/clause_en;"
                            "只能二选一:给出 message_zh/message_en,或给出 head_zh/clause_zh/head_en/clause_en")
    assert p.message_en == ("extra.rec.below_ref: both message_zh/message_en and head_zh/clause_zh/head_en/clause_en are given; "
                            "give either message_zh/message_en or head_zh/clause_zh/head_en/clause_en, not both")
    assert p.fix_zh == "删去 message_zh/message_en,或删去 head_zh/clause_zh/head_en/clause_en"
    assert p.fix_en == "remove message_zh/message_en, or remove head_zh/clause_zh/head_en/clause_en"
    text = greendiag.GreendiagError([p]).format("zh")
    assert f"{path}:{p.line}:{p.column} $.rules[0]:" in text and "修改建议:删去 message_zh" in text


def test_one_message_language_beside_the_parts_names_only_what_is_there(tmp_path):
    _, (p,) = _rule_problems(tmp_path, MESSAGE.split("\n")[0] + "\n" + PARTS)
    assert p.code == "schema-false"
    assert p.message_zh.startswith("extra.rec.below_ref:同时给出了 message_zh 和 head_zh/clause_zh/head_en/clause_en;")
    assert p.message_en.startswith("extra.rec.below_ref: both message_zh and head_zh/clause_zh/head_en/clause_en are given;")
    assert p.fix_en == "remove message_zh, or remove head_zh/clause_zh/head_en/clause_en"


def test_neither_a_message_nor_its_parts(tmp_path):
    path, found = _rule_problems(tmp_path, "")
    assert len(found) == 1, found  # not one problem per missing language
    (p,) = found
    assert p.code == "schema-required" and p.location == "$.rules[0]" and p.line == _where(path, "- id:")[0]
    assert p.message_zh == ("extra.rec.below_ref:缺少 message_zh/message_en;"
                            "须给出 message_zh/message_en,或给出 head_zh/clause_zh/head_en/clause_en")
    assert p.message_en == ("extra.rec.below_ref: message_zh/message_en missing; "
                            "give either message_zh/message_en or head_zh/clause_zh/head_en/clause_en")
    assert p.fix_zh == "补上 message_zh/message_en(或改用 head_zh/clause_zh/head_en/clause_en)"
    assert p.fix_en == "add message_zh/message_en (or use head_zh/clause_zh/head_en/clause_en instead)"


def test_a_message_in_one_language_only(tmp_path):
    _, (p,) = _rule_problems(tmp_path, MESSAGE.split("\n")[0])
    assert p.code == "schema-required"
    assert p.message_zh.startswith("extra.rec.below_ref:缺少 message_en;须给出 message_zh/message_en,或给出 head_zh/")
    assert p.message_en.startswith("extra.rec.below_ref: message_en missing; give either message_zh/message_en or head_zh/")
    assert p.fix_en.startswith("add message_en ")


@pytest.mark.parametrize("parts, zh, en, fix_zh, fix_en", [
    ([HEAD_ZH], "给出“head_zh”时还须给出“clause_zh”、“head_en”、“clause_en”", "'head_zh' also needs 'clause_zh', 'head_en', 'clause_en'",
     "补上“clause_zh”、“head_en”、“clause_en”,或删去“head_zh”", "add 'clause_zh', 'head_en', 'clause_en', or remove 'head_zh'"),
    ([HEAD_ZH, HEAD_EN, CLAUSE_ZH], "给出“head_zh”时还须给出“clause_en”", "'head_zh' also needs 'clause_en'",
     "补上“clause_en”,或删去“head_zh”", "add 'clause_en', or remove 'head_zh'"),
    ([MESSAGE, HEAD_EN, CLAUSE_EN], "给出“head_en”、“clause_en”时还须给出“head_zh”", "'head_en', 'clause_en' also need 'head_zh'",
     "补上“head_zh”,或删去“head_en”、“clause_en”", "add 'head_zh', or remove 'head_en', 'clause_en'"),
], ids=["head-alone", "no-clause-en", "english-parts-beside-a-message"])
def test_parts_that_depend_on_each_other_are_one_problem(tmp_path, parts, zh, en, fix_zh, fix_en):
    path, found = _rule_problems(tmp_path, "\n".join(parts))
    assert len(found) == 1, found  # jsonschema gives one error per missing dependency
    (p,) = found
    assert p.code == "schema-dependentRequired" and p.location == "$.rules[0]" and p.line == _where(path, "- id:")[0]
    assert (p.message_zh, p.message_en) == ("extra.rec.below_ref:" + zh, "extra.rec.below_ref: " + en)
    assert (p.fix_zh, p.fix_en) == (fix_zh, fix_en)


# ---------------------------------------------------------------- if/then/else and not


def test_a_method_on_a_rule_that_is_no_recommendation(tmp_path):
    _, (p,) = _rule_problems(tmp_path, MESSAGE, kind="anomaly")
    assert p.code == "schema-not" and p.location == "$.rules[0]"
    assert p.message_zh == 'extra.rec.below_ref:kind 不为 "recommendation" 时,此处不允许字段“method”'
    assert p.message_en == "extra.rec.below_ref: field 'method' is not allowed here (when kind is not \"recommendation\")"
    assert (p.fix_zh, p.fix_en) == ("删去字段“method”", "remove 'method'")


def test_a_recommendation_without_its_method(tmp_path):
    _, (p,) = _rule_problems(tmp_path, MESSAGE, edit=lambda s: s.replace("    method: standard_comparison\n", ""))
    assert p.code == "schema-required" and p.location == "$.rules[0]"
    assert p.message_zh == 'extra.rec.below_ref:kind 为 "recommendation" 时,缺少必填字段“method”'
    assert p.message_en == "extra.rec.below_ref: required field 'method' is missing (when kind is \"recommendation\")"


# ---------------------------------------------------------------- the other keywords of rules.schema.json


@pytest.mark.parametrize("old, new, code, location, zh, en, fix_en", [
    ('{field: gap_pct, op: ">", value: 0}', '{field: gap_pct, op: ">", value: 0, other: lead}', "schema-oneOf", "$.rules[0].when[0]",
     "须恰好给出 value、other、const 中的一个(现有 value、other)", "exactly one of value, other, const is needed (has value, other)",
     "keep only one of value, other"),
    ('{field: gap_pct, op: ">", value: 0}', '{field: gap_pct, op: ">"}', "schema-oneOf", "$.rules[0].when[0]",
     "须恰好给出 value、other、const 中的一个", "exactly one of value, other, const is needed", "add one of value, other, const"),
    ('{field: gap_pct, op: ">", value: 0}', '{field: sid, op: ">", value: 0}', "schema-not", "$.rules[0].when[0].field",
     '取值 "sid" 不允许(不可为 "id", "sid", "fact")', 'value "sid" is not allowed (it must not be "id", "sid", "fact")',
     "use another value"),
    ("threshold: {field: ref_value}", "threshold: {field: ref_value, value: 3}", "schema-maxProperties", "$.rules[0].threshold",
     "最多只能有1个字段(现有“field”、“value”)", "at most 1 field allowed (has 'field', 'value')", "keep only 1 of them"),
    ("threshold: {field: ref_value}", "threshold: {}", "schema-minProperties", "$.rules[0].threshold",
     "至少需要1个字段(可选:field, const, value)", "needs at least 1 field (one of: field, const, value)", "give at least 1"),
    ('{fact: {gap_pct: 4}', '{fact: {gap_pct: 4, fact: 1}', "schema-not", "$.rules[0].tests[0].fact",
     '字段名:取值 "fact" 不允许(不可为 "id", "sid", "fact")', 'key name: value "fact" is not allowed (it must not be "id", "sid", "fact")',
     "rename the key"),
    ("rules:\n", "constants:\n  Big-Number: {value: 1, provisional: because of a reason}\nrules:\n", "schema-pattern", "$.constants",
     '字段名:文本 "Big-Number" 格式不符(应匹配 ^[a-z][a-z0-9_]{0,63}$)', 'key name: text "Big-Number" does not match ^[a-z][a-z0-9_]{0,63}$',
     "rename the key"),
    ("rules:\n", "terms:\n  water_terms:\n    values: [水务, 节水, 水务]\n    sources: [{doc: bj-guide-2024, clause: x}]\nrules:\n",
     "schema-uniqueItems", "$.terms.water_terms.values", '列表中有重复项:"水务"', 'the list has duplicate items: "水务"',
     "remove the duplicates"),
    ('    message_en: "{number} {name_en} is below the reference"', '    message_en: "' + "x" * 501 + '"', "schema-maxLength",
     "$.rules[0].message_en", "内容过长(501字,最多500字):" + '"' + "x" * 26 + "...",
     "text too long (501 characters, at most 500): " + '"' + "x" * 26 + "...", "shorten it to 500 characters or fewer"),
    ('      - {field: gap_pct, op: ">", value: 0}', "\n".join(['      - {field: gap_pct, op: ">", value: 0}'] * 8), "schema-maxItems",
     "$.rules[0].when", "列表过长(8项,最多7项)", "too many items (8, at most 7)", "keep at most 7 items"),
], ids=["oneOf-two", "oneOf-none", "not-enum", "maxProperties", "minProperties", "propertyNames-not", "propertyNames-pattern",
        "uniqueItems", "maxLength", "maxItems"])
def test_other_keywords_in_our_words(tmp_path, old, new, code, location, zh, en, fix_en):
    def edit(text):
        assert old in text
        return text.replace(old, new, 1)

    path, found = _rule_problems(tmp_path, MESSAGE, edit=edit)
    assert [(p.code, p.location, p.message_zh, p.message_en, p.fix_en) for p in found] == [(code, location, zh, en, fix_en)]
    assert found[0].fix_zh and found[0].line is not None


# ---------------------------------------------------------------- an overlay's indicator: false subschemas under if/then/else


OVERLAY = ROOT / "examples" / "overlays" / "water-cascade.yaml"
QUANTITATIVE = "    kind: quantitative\n    direction: higher\n"


def _overlay_problems(tmp_path, new: str):
    text = OVERLAY.read_text(encoding="utf-8")
    assert QUANTITATIVE in text
    path = tmp_path / "overlay.yaml"
    path.write_text(text.replace(QUANTITATIVE, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(str(path))
    return path, {p.code: p for p in info.value.problems}


def test_fields_a_qualitative_indicator_must_not_have(tmp_path):
    path, found = _overlay_problems(tmp_path, "    kind: qualitative\n    direction: higher\n")
    p = found["schema-false"]
    assert p.location == "$.indicators[0]" and p.line == _where(path, "- id: water_cascade_share")[0]
    assert p.message_zh == 'water_cascade_share:kind 为 "qualitative" 时,此处不允许字段“direction”、“definition”'
    assert p.message_en == "water_cascade_share: fields 'direction', 'definition' are not allowed here (when kind is \"qualitative\")"
    assert (p.fix_zh, p.fix_en) == ("删去字段“direction”、“definition”", "remove 'direction', 'definition'")
    assert found["schema-required"].message_en.endswith("(when kind is \"qualitative\")")


def test_a_field_a_quantitative_indicator_must_not_have(tmp_path):
    _, found = _overlay_problems(tmp_path, QUANTITATIVE + "    levels: [{id: yes, zh: 有, en: 'yes', score: 100}, {id: no, zh: 无, en: 'no', score: 0}]\n")
    p = found["schema-false"]
    assert p.message_zh == 'water_cascade_share:kind 不为 "qualitative" 时,此处不允许字段“levels”'
    assert p.message_en == "water_cascade_share: field 'levels' is not allowed here (when kind is not \"qualitative\")"


# ---------------------------------------------------------------- a dataset: const


def test_a_wrong_format_names_the_one_it_must_be(tmp_path, demo_path):
    text = demo_path.read_text(encoding="utf-8").replace("format: greendiag-dataset/1", "format: greendiag-dataset/9", 1)
    path = tmp_path / "park.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    (p,) = [p for p in info.value.problems if p.code == "schema-const"]
    assert p.location == "$.format" and (p.line, p.column) == _where(path, "greendiag-dataset/9")
    assert p.message_zh == '取值 "greendiag-dataset/9" 应为 "greendiag-dataset/1"'
    assert p.message_en == 'value "greendiag-dataset/9" must be "greendiag-dataset/1"'
    assert p.fix_en == 'change it to "greendiag-dataset/1"'


# ---------------------------------------------------------------- no keyword left to jsonschema's wording


# Keywords whose errors are worded (schema._keyword), and those that only hold others or annotate. A schema that starts
# using another keyword fails here: word it, then add it.
WORDED = {"additionalProperties", "anyOf", "const", "dependentRequired", "enum", "exclusiveMinimum", "exclusiveMaximum",
          "maxItems", "maxLength", "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "not",
          "oneOf", "pattern", "propertyNames", "required", "type", "uniqueItems", "false"}
HOLDERS = {"$schema", "$id", "$ref", "$defs", "title", "description", "allOf", "items", "properties", "if", "then", "else"}


def _keywords(node, out: set, *, names: bool = False) -> set:
    if node is False and not names:
        out.add("false")
    if isinstance(node, list):
        for x in node:
            _keywords(x, out)
    elif isinstance(node, dict):
        for k, v in node.items():
            if names:  # a map of names to schemas (properties, $defs)
                _keywords(v, out)
                continue
            out.add(k)
            if k in ("properties", "$defs"):
                _keywords(v, out, names=True)
            elif k not in ("enum", "const", "required", "dependentRequired", "examples", "default"):
                _keywords(v, out)
    return out


def test_every_keyword_of_the_shipped_schemas_is_worded():
    used: set = set()
    for folder in SCHEMA_DIRS:
        for f in sorted(folder.glob("*.schema.json")):
            _keywords(json.loads(f.read_text(encoding="utf-8")), used)
    assert {"dependentRequired", "false", "if", "not", "const", "uniqueItems"} <= used  # the walk sees them
    assert used - WORDED - HOLDERS == set()


@pytest.mark.parametrize("edit, fix", [
    ({"engagement": {"fee_charged": "否"}}, "写 true 或 false"),  # the message no longer says 是/否 is allowed here
    ({"diagnosis_year": "2025"}, "去掉引号,写成 2025"),
])
def test_a_wrong_type_says_how_to_write_it(edit, fix):
    import greendiag

    data = {"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025, "years": [{"year": 2024}], **edit}
    with pytest.raises(greendiag.DatasetError) as info:
        greendiag.dataset_from_dict(data)
    (p,) = info.value.problems
    assert p.code == "schema-type" and fix in p.fix_zh and "是/否" not in p.message_zh


def test_a_short_provisional_note_says_what_it_needs(tmp_path):
    import greendiag

    overlay = tmp_path / "o.yaml"
    overlay.write_text("""overlay: {id: short-note, version: 1.0.0, title_zh: 测试, title_en: test, extends: {id: bj-green-park-2024, version: '>=1.0,<2'}}
references:
  - id: test-ref
    indicator: renewable_energy_share
    method: standard_comparison
    label_zh: 测试参考值
    label_en: test reference
    value: 20
    unit: '%'
    provisional: test
""", encoding="utf-8")
    with pytest.raises(greendiag.CatalogueError) as info:
        greendiag.load_catalogue(overlay)
    (p,) = [p for p in info.value.problems if p.location.endswith("provisional")]
    assert "至少 8 个字符" in p.message_zh and "why" in p.fix_en


@pytest.mark.parametrize("number", [10 ** 400, -(10 ** 400)])
def test_numbers_beyond_the_float_range_are_located_errors_in_overlays_and_rule_files(tmp_path, number):
    """A 400-digit lead value or rule constant raised OverflowError from the cross-checks (found by a review)."""
    import greendiag

    overlay = tmp_path / "o.yaml"
    overlay.write_text(f"""overlay: {{id: big, version: 1.0.0, title_zh: 测试, title_en: test, extends: {{id: bj-green-park-2024, version: '>=1.0,<2'}}}}
indicators:
  - id: energy_productivity
    override: true
    number: 1
    code: EG1
    category: EG
    name_zh: 能源产出率
    name_en: Energy productivity
    unit: 万元/tce
    kind: quantitative
    direction: higher
    lead: {{value: {number}, provisional: "test fixture only"}}
    mandatory: true
    sources: [{{doc: bj-guide-2024, clause: "附件2-1-2 序号1"}}]
""", encoding="utf-8")
    with pytest.raises(greendiag.CatalogueError) as info:
        greendiag.load_catalogue(overlay)
    assert [p.location for p in info.value.problems if p.code == "number-too-large"] == ["$.indicators[0].lead.value"]
    rules = tmp_path / "r.yaml"
    rules.write_text(f"""constants:
  big: {{value: {number}, provisional: "test fixture only"}}
rules:
  - id: x.big
    kind: anomaly
    fact: indicator
    when: [{{field: score, op: "<", const: big}}]
    severity: low
    subject: indicator
    message_zh: "x"
    message_en: "x"
    source: {{doc: bj-guide-2024, clause: "x"}}
    tests: [{{fact: {{score: 1}}, fires: true}}, {{fact: {{score: 2}}, fires: true}}]
""", encoding="utf-8")
    with pytest.raises(greendiag.RuleError) as info:
        greendiag.load_rules(rules)
    assert [p.code for p in info.value.problems] == ["number-too-large"]


def test_a_rule_file_with_neither_rules_nor_measures_says_to_add_one(tmp_path):
    path = tmp_path / "extra-rules.yaml"
    path.write_text("constants:\n  min_days: {value: 5, provisional: because of a reason}\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(path)
    assert [(p.code, p.location, p.message_zh, p.message_en, p.fix_zh, p.fix_en) for p in info.value.problems] == [
        ("schema-anyOf", "$", "至少需要 rules 或 measures 之一", "at least one of rules or measures is required",
         "添加 rules 或 measures", "add rules or measures")]


def test_a_number_without_sources_or_provisional_asks_for_its_provenance(tmp_path):
    path, found = _rule_problems(tmp_path, MESSAGE, edit=lambda s: "constants:\n  min_days: {value: 5}\n" + s)
    assert [(p.code, p.location, p.message_en) for p in found] == [
        ("schema-anyOf", "$.constants.min_days", "a number needs its provenance: sources or provisional is required")]


def test_a_number_where_text_belongs_is_shown_as_typed_with_quotes_as_the_fix(tmp_path, demo_path):
    """phone: 01060000001 said "1060000001 应为文本": a number the user never typed, and no word of quotes (re-review)."""
    text = demo_path.read_text(encoding="utf-8").replace("{name: 王建华, phone: 010-6000 0001}", "{name: 王建华, phone: 01060000001}")
    path = tmp_path / "park.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    (p,) = info.value.problems
    assert p.code == "schema-type" and p.location == "$.park.project_lead.phone"
    assert "01060000001" in p.message_zh and "1060000001" in p.message_zh and '"01060000001"' in p.fix_zh


def test_a_null_value_says_to_leave_the_field_out(tmp_path, demo_path):
    text = demo_path.read_text(encoding="utf-8").replace("renewable_energy_share: {value: 8.5, evidence: E2-2022}",
                                                          "renewable_energy_share: {value: ~, evidence: E2-2022}")
    path = tmp_path / "park.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    (p,) = info.value.problems
    assert p.code == "schema-type" and "null" in p.message_zh and "删去该字段" in p.fix_zh
