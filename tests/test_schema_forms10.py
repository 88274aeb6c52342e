"""The schema's words for a year's indicator value or statistic given in none of its forms (true/false, null, a list, an
empty text, {} or a mapping without value): one bilingual message at the field, naming it, with a fix that lists the
forms it takes (a number, a text with its unit, {value, unit, evidence}).

Data are the demo park's YAML with one value changed; expected codes, locations and wording are written here by hand.
"""

from __future__ import annotations

import copy

import pytest

import greendiag
from greendiag.errors import DatasetError

JSONSCHEMA_ENGLISH = ("is not valid under", "schema violation", "不符合格式要求", "{'", "should be number", "应为数值")
IND, STAT = "renewable_energy_share", "industrial_value_added"


def _problems(demo_data, section: str, key: str, value) -> tuple[list, str]:
    data = copy.deepcopy(demo_data)
    i = next(i for i, b in enumerate(data["years"]) if b["year"] == 2024)
    data["years"][i][section][key] = value
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(data)
    return info.value.problems, f"$.years[{i}].{section}.{key}"


CASES = [
    (True, "schema-type", "的取值不能是 true(真假值 true/false 不是数值)", "cannot be true (true/false is a yes/no value, not a number)"),
    (False, "schema-type", "的取值不能是 false(真假值 true/false 不是数值)", "cannot be false (true/false is a yes/no value, not a number)"),
    (None, "schema-type", "的取值为空(null)", "is empty (null)"),
    ([1, 2], "schema-type", "的取值是列表 [1, 2]:只能给出一个数值", "is a list, [1, 2]: give one value"),
    ({}, "schema-required", "的取值缺少 value(数值)", "lacks value (the number)"),
    ({"unit": "%", "evidence": "E2-2024"}, "schema-required", "的取值缺少 value(数值)", "lacks value (the number)"),
    ("", "schema-minLength", '的取值为空("")', 'is empty ("")'),
]
IDS = ["true", "false", "null", "list", "empty-mapping", "no-value", "empty-text"]


@pytest.mark.parametrize("value, code, zh, en", CASES, ids=IDS)
def test_an_indicator_value_of_no_accepted_form_says_the_forms(demo_data, value, code, zh, en):
    found, at = _problems(demo_data, "indicators", IND, value)
    assert [(p.code, p.location) for p in found] == [(code, at)], [p.format() for p in found]
    (p,) = found
    assert p.message_zh == f"指标 {IND} {zh}"
    assert p.message_en == f"the value of indicator {IND} {en}"
    for form in ("95.2", '"95 %"', '"1.2 万元/tce"', "{value: 95.2, unit: \"%\", evidence:", '"具备"'):
        assert form in p.fix_zh and form in p.fix_en, form
    assert "选填" in p.fix_zh and "optional" in p.fix_en
    for text in (p.message_zh, p.message_en, p.fix_zh, p.fix_en):
        assert not any(s in text for s in JSONSCHEMA_ENGLISH), text


@pytest.mark.parametrize("value, code, zh, en", CASES, ids=IDS)
def test_a_statistic_of_no_accepted_form_says_the_forms(demo_data, value, code, zh, en):
    found, at = _problems(demo_data, "statistics", STAT, value)
    assert [(p.code, p.location) for p in found] == [(code, at)], [p.format() for p in found]
    (p,) = found
    assert p.message_zh == f"统计数据 {STAT} {zh}"
    assert p.message_en == f"the value of statistic {STAT} {en}"
    for form in ("705000", '"70.5 万tce"', '"223 亿元"', '{value: 705000, unit: "tce", evidence:'):
        assert form in p.fix_zh and form in p.fix_en, form
    assert "具备" not in p.fix_zh  # levels are for qualitative indicators only
    for text in (p.message_zh, p.message_en, p.fix_zh, p.fix_en):
        assert not any(s in text for s in JSONSCHEMA_ENGLISH), text


def test_the_example_forms_of_the_fix_are_accepted(demo_data):
    data = copy.deepcopy(demo_data)
    year = next(b for b in data["years"] if b["year"] == 2024)
    year["indicators"][IND] = "12.6 %"
    year["statistics"]["energy_consumption"] = "70.5 万tce"
    year["statistics"][STAT] = "223 亿元"
    greendiag.dataset_from_dict(data)  # no DatasetError: the fix never suggests a form the schema refuses


@pytest.mark.parametrize("section, key", [("indicators", IND), ("statistics", STAT)])
def test_no_value_says_to_leave_the_entry_out(demo_data, section, key):
    for value in (None, ""):
        (p,), _ = _problems(demo_data, section, key, value)
        assert p.fix_zh.startswith("没有数据时删去该项(不必写 null);有数据时写成数值")
        assert p.fix_en.startswith("without data leave the entry out (no null needed); with data, write a number")


@pytest.mark.parametrize("section, key", [("indicators", IND), ("statistics", STAT)])
def test_an_error_inside_the_mapping_keeps_its_own_words(demo_data, section, key):
    found, at = _problems(demo_data, section, key, {"value": True, "evidence": "E"})
    assert [(p.code, p.location, p.message_zh) for p in found] == [("schema-type", at + ".value", "类型错误:true 应为数值或文本")]
    found, at = _problems(demo_data, section, key, {"value": 1, "evidence": "E", "source": "x"})
    assert [(p.code, p.location) for p in found] == [("schema-additionalProperties", at)]
    assert found[0].message_en == "unknown field(s) 'source' (allowed: evidence, note, unit, value)"
    found, at = _problems(demo_data, section, key, "x" * 201)
    assert [(p.code, p.location, p.message_en[:40]) for p in found] == [
        ("schema-maxLength", at, "text too long (201 characters, at most 2")]


def test_the_coefficient_keeps_its_words(demo_data):
    data = copy.deepcopy(demo_data)
    i = next(i for i, b in enumerate(data["years"]) if b["year"] == 2024)
    data["years"][i]["energy_by_carrier"]["raw_coal"] = {"value": "10000 t", "coefficient": True}
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(data)
    (p,) = info.value.problems
    assert (p.message_zh, p.message_en) == ("自带折标系数不能是 true(真假值)", "the own coefficient cannot be true (a yes/no value)")
    data["years"][i]["energy_by_carrier"]["raw_coal"]["coefficient"] = None
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(data)
    (p,) = info.value.problems
    assert p.fix_zh.startswith("没有实测值时删去 coefficient,按目录系数折算;有实测值时写成 {value:")
    assert p.fix_en.startswith("without a measured value remove coefficient: the catalogue's coefficient is used; "
                               "with a measured value, write {value:")


def test_every_wrong_value_of_a_file_is_located_at_its_line(tmp_path, demo_path):
    text = demo_path.read_text(encoding="utf-8")
    # 2022, the second year of the demo park (2021 has statistics only): its renewable share and its energy consumption, each as a yes/no value
    text = text.replace("renewable_energy_share: {value: 8.5, evidence: E2-2022}", "renewable_energy_share: true", 1)
    text = text.replace("energy_consumption: {value: 690000, evidence: S2-2022 能源统计报表}", "energy_consumption: [1, 2]", 1)
    path = tmp_path / "park.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    lines = text.splitlines()
    ind_line = next(n for n, s in enumerate(lines, 1) if s.strip() == "renewable_energy_share: true")
    stat_line = next(n for n, s in enumerate(lines, 1) if s.strip() == "energy_consumption: [1, 2]")
    got = sorted((p.code, p.location, p.line, p.message_en) for p in info.value.problems)
    assert got == [
        ("schema-type", "$.years[1].indicators.renewable_energy_share", ind_line,
         "the value of indicator renewable_energy_share cannot be true (true/false is a yes/no value, not a number)"),
        ("schema-type", "$.years[1].statistics.energy_consumption", stat_line,
         "the value of statistic energy_consumption is a list, [1, 2]: give one value"),
    ]


def test_the_same_wrong_values_give_the_same_problems(demo_data):
    first, _ = _problems(demo_data, "indicators", IND, [1, 2])
    again, _ = _problems(demo_data, "indicators", IND, [1, 2])
    assert [p.format() for p in first] == [p.format() for p in again]
