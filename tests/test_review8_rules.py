"""Rule-file messages a rule author can act on, and the day-count cap of the Excel template.

A misspelt key ({constant: x} for const) is one problem that names the key, its line and the key it should be; a rule
with fewer than two test cases says which rule and what the cases are for; a constant or term list defined twice is
located at the later definition. Day-count cells of the workbook (on-site working days, statistics in days) carry a
whole-number validation 0–366, the most the reader accepts. Lines and columns are found in the fixture text here,
never taken from the code under test."""

from __future__ import annotations

import pathlib

import openpyxl
import pytest

import greendiag
from greendiag.errors import RuleError
from greendiag.excel import write_template

from test_excel import statistic_cell, value_cell  # noqa: E402  (tests/ is on sys.path)

ROOT = pathlib.Path(__file__).resolve().parent.parent

RULE = """
constants:
  low_share:
    value: 10
    provisional: test fixture only, no source needed here
rules:
  - id: extra.indicator.low_share
    kind: anomaly
    fact: indicator
    when:
      - {field: value, op: "<", CONDITION}
    severity: info
    subject: indicator
    message_zh: "{year}年“{number} {name_zh}”偏低"
    message_en: "{year}: {number} {name_en} is low"
    source: {doc: bj-guide-2024, clause: "附件2-1-2"}
    tests:
      - {fact: {number: 2, year: 2024, value: 5}, fires: true}
      - {fact: {number: 2, year: 2024, value: 50}, fires: false}
"""


def _write(tmp_path, text: str, name: str = "extra.yaml") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path) -> list:
    with pytest.raises(RuleError) as info:
        greendiag.load_rules(path)
    return list(info.value.problems)


def _line_col(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of `needle` in the text."""
    for n, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return n, line.index(needle) + 1
    raise AssertionError(needle)


# ------------------------------------------------------------------ a misspelt key: one problem with a did-you-mean


def test_a_misspelt_const_in_a_condition_is_one_problem_naming_the_key_and_const(tmp_path):
    text = RULE.replace("CONDITION", "constant: low_share")
    path = _write(tmp_path, text)
    (p,) = _problems(path)  # not also "exactly one of value, other, const is needed"
    assert (p.code, p.file, p.location) == ("unknown-key", str(path), "$.rules[0].when[0].constant")
    assert (p.line, p.column) == _line_col(text, "constant: low_share")
    assert p.message_zh == ("规则“extra.indicator.low_share”的条件 1 中有不认识的字段“constant”(允许:field、op、value、other、const)")
    assert p.message_en == ("unknown key 'constant' in condition 1 of rule 'extra.indicator.low_share' "
                            "(allowed: field, op, value, other, const)")
    assert p.fix_zh == "是否应为:const?改正或删去该字段"
    assert p.fix_en == "Did you mean: const? Correct or remove the key"


def test_the_command_line_prints_the_one_problem_with_file_and_line(run, tmp_path):
    text = RULE.replace("CONDITION", "constant: low_share")
    path = _write(tmp_path, text, "hydrogen.yaml")
    line, col = _line_col(text, "constant: low_share")
    res = run("rules", "test", path)
    assert res.exit_code == 2
    assert "共1处问题" in res.output and f"hydrogen.yaml:{line}:{col}" in res.output
    assert "[unknown-key]" in res.output and "“constant”" in res.output and "是否应为:const?" in res.output
    assert "schema-oneOf" not in res.output and "schema-additionalProperties" not in res.output
    res = run("--lang", "en", "rules", "test", path)
    assert res.exit_code == 2 and "(1 problem)" in res.output and "Did you mean: const?" in res.output


def test_a_misspelt_const_of_a_threshold_is_named_too(tmp_path):
    text = RULE.replace("CONDITION", "value: 10").replace("    severity: info", "    threshold: {constant: low_share}\n    severity: info")
    path = _write(tmp_path, text)
    (p,) = _problems(path)
    assert (p.code, p.location, p.line) == ("unknown-key", "$.rules[0].threshold.constant", _line_col(text, "constant:")[0])
    assert "阈值" in p.message_zh and "threshold of rule 'extra.indicator.low_share'" in p.message_en
    assert p.fix_zh.startswith("是否应为:const?")


def test_a_misspelt_rule_key_hides_no_other_problem_it_caused(tmp_path):
    # mesage_zh: the schema also misses message_zh (message or head/clause needed); the misspelling says it all
    text = RULE.replace("CONDITION", "value: 10").replace("    message_zh:", "    mesage_zh:")
    (p,) = _problems(_write(tmp_path, text))
    assert (p.code, p.location, p.line) == ("unknown-key", "$.rules[0].mesage_zh", _line_col(text, "mesage_zh")[0])
    assert "是否应为:message_zh" in p.fix_zh


def test_an_unrelated_unknown_key_keeps_the_problem_it_does_not_explain(tmp_path):
    # foo is no misspelling of value/other/const: the condition still lacks one of them, and both are said
    text = RULE.replace("CONDITION", "foo: 1")
    problems = _problems(_write(tmp_path, text))
    assert sorted(p.code for p in problems) == ["schema-oneOf", "unknown-key"]
    (unknown,) = [p for p in problems if p.code == "unknown-key"]
    assert unknown.fix_zh == "改正或删去该字段" and unknown.location == "$.rules[0].when[0].foo"


def test_many_unknown_keys_in_one_object_stay_one_schema_problem(tmp_path):
    # not a misspelling: the schema's one problem lists them, instead of a problem (and a key search) per key
    text = RULE.replace("CONDITION", "value: 10").replace("rules:\n", "".join(f"x{i}: 1\n" for i in range(6)) + "rules:\n")
    (p,) = _problems(_write(tmp_path, text))
    assert (p.code, p.location) == ("schema-additionalProperties", "$") and "'x5'" in p.message_en


def test_a_flow_mapping_split_at_a_decimal_comma_keeps_its_own_explanation(tmp_path):
    text = RULE.replace("CONDITION", "value: 8,5")
    problems = _problems(_write(tmp_path, text))
    assert "unknown-key" not in {p.code for p in problems}
    assert any("逗号" in p.message_zh for p in problems)


# ------------------------------------------------------------------ too few test cases


def test_a_rule_with_one_test_case_says_which_rule_and_that_two_are_needed(tmp_path):
    text = RULE.replace("CONDITION", "value: 10").replace("      - {fact: {number: 2, year: 2024, value: 50}, fires: false}\n", "")
    (p,) = _problems(_write(tmp_path, text))
    assert (p.code, p.location, p.line) == ("too-few-tests", "$.rules[0].tests", _line_col(text, "- {fact:")[0])
    assert p.message_zh == ("规则“extra.indicator.low_share”只有 1 个测试用例,至少需要 2 个:"
                            "一个应触发(fires: true)、一个不应触发(fires: false)")
    assert p.message_en == ("rule 'extra.indicator.low_share' has 1 test case; at least 2 are needed: "
                            "one on which it fires (fires: true) and one on which it does not (fires: false)")
    assert "fires: true" in p.fix_zh and "fires: false" in p.fix_zh and "tests:" in p.fix_en


def test_a_rule_with_no_test_case_names_the_rule_among_others(tmp_path):
    second = RULE.split("rules:\n", 1)[1].replace("extra.indicator.low_share", "extra.indicator.second")
    second = second.split("    tests:\n")[0] + "    tests: []\n"
    text = RULE.replace("CONDITION", "value: 10") + second.replace("CONDITION", "value: 20")
    (p,) = _problems(_write(tmp_path, text))
    assert (p.code, p.location) == ("too-few-tests", "$.rules[1].tests")
    assert "规则“extra.indicator.second”没有测试用例" in p.message_zh and "rule 'extra.indicator.second' has 0 test cases" in p.message_en


# ------------------------------------------------------------------ defined twice: located at the later definition


def test_a_constant_defined_again_is_located_at_its_later_definition(tmp_path):
    text = RULE.replace("CONDITION", "value: 10").replace("  low_share:", "  yoy_jump_pct:")
    path = _write(tmp_path, text)
    (p,) = _problems(path)
    assert (p.code, p.file, p.location) == ("duplicate-constant", str(path), "$.constants.yoy_jump_pct")
    assert (p.line, p.column) == _line_col(text, "yoy_jump_pct:")
    packaged_line = _line_col((ROOT / "rules" / "anomalies.yaml").read_text(encoding="utf-8"), "  yoy_jump_pct:")[0]
    assert f"rules/anomalies.yaml:{packaged_line}" in p.message_zh and f"{path}:{p.line}" in p.message_en


def test_a_term_list_defined_again_is_located_too(tmp_path):
    terms = "terms:\n  related_specialities:\n    values: [水务]\n    sources: [{doc: bj-guide-2024, clause: \"三(二)\"}]\n"
    text = terms + RULE.replace("CONDITION", "value: 10")
    (p,) = _problems(_write(tmp_path, text))
    assert (p.code, p.location, p.line) == ("duplicate-terms", "$.terms.related_specialities", _line_col(text, "related_specialities:")[0])
    packaged_line = _line_col((ROOT / "rules" / "engagement.yaml").read_text(encoding="utf-8"), "  related_specialities:")[0]
    assert f"rules/engagement.yaml:{packaged_line}" in p.message_zh


# ------------------------------------------------------------------ the workbook: day counts capped at 366


@pytest.fixture(scope="module")
def blank(tmp_path_factory, catalogue):
    path = tmp_path_factory.mktemp("xl8") / "blank.xlsx"
    write_template(path, catalogue, diagnosis_year=2025)
    return openpyxl.load_workbook(path)


def _covering(ws, cell) -> list:
    return [dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref]


def _is_day_cap(dv) -> bool:
    return (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "0", "366")


def test_on_site_working_days_are_a_whole_number_from_0_to_366_with_a_chinese_prompt(blank):
    team = blank["工作组"]
    (dv,) = _covering(team, value_cell(team, "engagement.onsite.working_days"))
    assert _is_day_cap(dv)
    assert dv.showInputMessage and "0–366 的整数" in dv.prompt and "天数" in dv.promptTitle
    assert dv.showErrorMessage and "一年至多 366 天" in dv.error and "5 天" in dv.error


def test_statistics_counted_in_days_are_capped_at_366_and_others_are_not(blank, catalogue):
    stats = blank["原始统计数据"]
    day_stats = [s.id for s in catalogue.statistics if s.unit == "day"]
    assert {"air_quality_good_days", "air_quality_monitored_days"} <= set(day_stats)
    for sid in day_stats:
        for year_index in range(4):  # the base year and the three scored years
            (dv,) = _covering(stats, statistic_cell(stats, sid, year_index))
            assert _is_day_cap(dv), (sid, year_index)
            assert "0–366 的整数" in dv.prompt and "一年至多 366 天" in dv.error
    (dv,) = _covering(stats, statistic_cell(stats, "industrial_value_added", 0))
    assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
    # the evidence column next to the values is text, not validated
    assert _covering(stats, statistic_cell(stats, "air_quality_good_days", 0, evidence=True)) == []
