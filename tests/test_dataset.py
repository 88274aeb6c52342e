"""Dataset input: each kind of bad dataset has its own located error; all problems at once; derivation from statistics.

Bad datasets are copies of examples/demo-park.yaml, parsed, edited and written to tmp_path. Derived values
are computed by hand in the tests from the statistics given (definitions in ../shared/domain/indicators.md).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pathlib
import re

import pytest
import yaml

import greendiag
from greendiag.errors import DatasetError, GreendiagError

REL = 6e-12  # derived and converted values keep 12 significant digits (units.tidy): at most 5e-12 relative


@pytest.fixture(scope="module")
def demo_data(demo_path):
    return demo_path.read_text(encoding="utf-8")


def _year(data, y):
    return next(b for b in data["years"] if b["year"] == y)


def _write(tmp_path, data, name="park.yaml") -> pathlib.Path:
    out = tmp_path / name
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def _bad(demo_data, tmp_path, edit) -> GreendiagError:
    """Edit a parsed copy of the demo park, write it, load it, and return the error raised."""
    data = yaml.safe_load(demo_data)
    edit(data)
    path = _write(tmp_path, data)
    with pytest.raises(GreendiagError) as info:
        greendiag.load_dataset(path)
    err = info.value
    assert all(p.file == str(path) for p in err.problems)
    return err


# ------------------------------------------------------------------ one kind of problem each


def _missing_field(d):
    del d["park"]["name"]


def _wrong_dimension(d):
    _year(d, 2023)["indicators"]["renewable_energy_share"] = {"value": 12, "unit": "万元/tce"}


def _text_for_number(d):
    _year(d, 2022)["indicators"]["industrial_water_reuse"] = {"value": "about ninety", "evidence": "R7"}


def _negative(d):
    _year(d, 2024)["indicators"]["clean_energy_share"] = {"value": -5}


def _share_over_100(d):
    _year(d, 2024)["indicators"]["renewable_energy_share"] = {"value": 112.5}


def _unknown_indicator(d):
    _year(d, 2023)["indicators"]["energy_productivty"] = 3.1


def _decimal_comma(d):
    _year(d, 2022)["indicators"]["green_industry_share"] = {"value": "18,5"}  # read as 185 (over 100 %) before


def _fixed_over_total(d):
    d["projects"][0]["fixed_investment"] = d["projects"][0]["total_investment"] + 1  # part of the total, so never above it


def _duplicate_year(d):
    d["years"].append({"year": 2023, "indicators": {"clean_energy_share": 70}})


CASES = {
    # kind: (edit, code, JSON path, words the English message must contain)
    "missing field": (_missing_field, "schema-required", "$.park", ["name", "missing"]),
    "wrong unit dimension": (_wrong_dimension, "wrong-dimension", "$.years[2].indicators.renewable_energy_share.value",
                             ["万元/tce", "%", "different dimension"]),
    "text where a number belongs": (_text_for_number, "not-a-number", "$.years[1].indicators.industrial_water_reuse.value",
                                    ["about ninety", "not a number"]),
    "negative value": (_negative, "negative-value", "$.years[3].indicators.clean_energy_share.value", ["-5", "below"]),
    "share over 100 %": (_share_over_100, "share-over-100", "$.years[3].indicators.renewable_energy_share.value",
                         ["112.5", "above 100"]),
    "unknown indicator": (_unknown_indicator, "unknown-indicator", "$.years[2].indicators.energy_productivty",
                          ["energy_productivty"]),
    "duplicate year": (_duplicate_year, "duplicate-year", "$.years[4].year", ["2023", "twice"]),
    "fixed-asset investment above the total": (_fixed_over_total, "investment-parts", "$.projects[0].fixed_investment",
                                                ["exceeds the total investment"]),
    "decimal comma": (_decimal_comma, "decimal-comma", "$.years[1].indicators.green_industry_share.value",
                      ["18,5", "no thousands separator"]),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_bad_dataset_has_its_own_located_error(demo_data, tmp_path, kind):
    edit, code, location, words = CASES[kind]
    err = _bad(demo_data, tmp_path, edit)
    assert isinstance(err, DatasetError)
    assert err.codes == (code,), err.format("en")
    p = err.problems[0]
    assert p.location == location
    assert p.line is not None and p.line > 1  # the line in the file, not just the path
    for w in words:
        assert w in p.message_en, (w, p.message_en)
    assert p.message_zh and p.message_zh != p.message_en
    assert f"[{code}]" in err.format("zh") and location in err.format("en")


def test_error_codes_are_distinct_per_kind(demo_data, tmp_path):
    codes = [CASES[k][1] for k in CASES] + ["malformed-yaml", "file-not-found", "empty-file", "not-utf8", "malformed-json"]
    assert len(set(codes)) == len(codes)


def test_unknown_indicator_suggests_the_right_one(demo_data, tmp_path):
    p = _bad(demo_data, tmp_path, _unknown_indicator).problems[0]
    assert "energy_productivity" in p.fix_en and "energy_productivity" in p.fix_zh


def test_share_over_100_says_how_to_give_shares(demo_data, tmp_path):
    p = _bad(demo_data, tmp_path, _share_over_100).problems[0]
    assert "percent" in p.fix_en and "百分数" in p.fix_zh


def test_negative_statistic(demo_data, tmp_path):
    err = _bad(demo_data, tmp_path, lambda d: _year(d, 2022)["statistics"].update(energy_consumption=-690000))
    assert err.codes == ("negative-value",)
    assert err.problems[0].location == "$.years[1].statistics.energy_consumption"


# ------------------------------------------------------------------ files that cannot be read


def test_malformed_yaml_gives_the_line(demo_data, tmp_path):
    lines = demo_data.splitlines()
    assert lines[12].startswith("  address:")
    lines[12] = "  address: 北京市: 虚构: 地址"  # line 13: a colon in unquoted text
    path = tmp_path / "park.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(GreendiagError) as info:
        greendiag.load_dataset(path)
    p = info.value.problems[0]
    assert p.code == "malformed-yaml" and p.file == str(path) and p.line == 13 and p.column
    assert "quote" in p.fix_en and f"{path}:13:" in info.value.format("en")


def test_unclosed_quote_points_at_where_it_opened(demo_data, tmp_path):
    lines = demo_data.splitlines()
    lines[12] = '  address: "北京市(虚构地址)'
    path = tmp_path / "park.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(GreendiagError) as info:
        greendiag.load_dataset(path)
    assert info.value.problems[0].code == "malformed-yaml" and info.value.problems[0].line == 13


def test_missing_file(tmp_path):
    # an unreadable dataset file is both an InputFileError and a DatasetError: callers may catch either
    with pytest.raises(greendiag.InputFileError) as info:
        greendiag.load_dataset(tmp_path / "nowhere.yaml")
    assert isinstance(info.value, DatasetError)
    p = info.value.problems[0]
    assert p.code == "file-not-found" and p.file.endswith("nowhere.yaml") and p.fix_en


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"# only a comment\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.yaml"
    path.write_bytes(content)
    with pytest.raises(greendiag.InputFileError) as info:
        greendiag.load_dataset(path)
    assert info.value.codes == ("empty-file",)


def test_non_utf8_file(demo_data, tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(demo_data.encode("gbk", errors="replace"))
    with pytest.raises(GreendiagError) as info:
        greendiag.load_dataset(path)
    p = info.value.problems[0]
    assert p.code == "not-utf8" and "UTF-8" in p.message_en and "UTF-8" in p.fix_zh


def _json_lines(demo_data) -> list[str]:
    return json.dumps(yaml.safe_load(demo_data), ensure_ascii=False, indent=1, default=str).splitlines()


def test_malformed_json_gives_line_and_column(demo_data, tmp_path):
    lines = _json_lines(demo_data)
    assert lines[6].strip().startswith('"level"')
    lines[6] = "  'level': '市级',"  # YAML would accept single quotes; JSON does not
    path = tmp_path / "park.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(GreendiagError) as info:
        greendiag.load_dataset(path)
    p = info.value.problems[0]
    assert (p.code, p.line, p.column) == ("malformed-json", 7, 3)


def test_valid_json_loads_like_yaml(demo_data, tmp_path, demo_dataset):
    path = tmp_path / "park.json"
    path.write_text("\n".join(_json_lines(demo_data)), encoding="utf-8")
    ds = greendiag.load_dataset(path)
    assert ds.values == demo_dataset.values and ds.baseline == demo_dataset.baseline


# ------------------------------------------------------------------ all problems at once


def test_several_problems_are_reported_together(demo_data, tmp_path):
    def edit(d):
        for case in ("wrong unit dimension", "text where a number belongs", "negative value", "share over 100 %",
                     "unknown indicator", "duplicate year"):
            CASES[case][0](d)
        d["baseline"].append({"number": 12, "status": "met"})

    err = _bad(demo_data, tmp_path, edit)
    assert sorted(err.codes) == sorted(["wrong-dimension", "not-a-number", "negative-value", "share-over-100",
                                        "unknown-indicator", "duplicate-year", "unknown-requirement"])
    assert len({p.location for p in err.problems}) == len(err.problems)


def test_several_schema_problems_are_reported_together(demo_data, tmp_path):
    def edit(d):
        del d["park"]["name"]
        d["baseline"][0]["status"] = "maybe"
        d["diagnosis_year"] = "2025"

    err = _bad(demo_data, tmp_path, edit)
    got = {(p.code, p.location) for p in err.problems}
    assert {("schema-required", "$.park"), ("schema-enum", "$.baseline[0].status"), ("schema-type", "$.diagnosis_year")} <= got


# ------------------------------------------------------------------ derivation from raw statistics


def test_indicator_derived_from_statistics_in_other_units(demo_data, tmp_path):
    data = yaml.safe_load(demo_data)
    y = _year(data, 2024)
    del y["indicators"]["solid_waste_utilization"]
    y["statistics"].update(
        industrial_value_added="22.3 亿元",         # = 223000 万元
        energy_consumption={"value": 70.5, "unit": "万tce"},  # = 705000 tce
        solid_waste_generated=48000,                 # t
        solid_waste_stock_utilized="0.2 万t",        # = 2000 t
        solid_waste_utilized=46500,                  # t
    )
    ds = greendiag.load_dataset(_write(tmp_path, data))

    ep = ds.value("energy_productivity", 2024)  # not reported in 2024: derived
    assert ep.origin == "derived"
    assert math.isclose(ep.value, 223000 / 705000, rel_tol=REL)  # 万元 / tce

    sw = ds.value("solid_waste_utilization", 2024)
    assert sw.origin == "derived"
    assert math.isclose(sw.value, 46500 / (48000 + 2000) * 100, rel_tol=REL)  # 93 %

    wp = ds.value("water_productivity", 2024)  # 万元 / m³ must become 元/m³ (×10⁴)
    assert math.isclose(wp.value, 223000 * 10000 / 13900000, rel_tol=REL)


def test_year_over_year_indicators_derived_from_two_years(demo_dataset):
    # 22: (1 − (CO2/IVA this year) / (CO2/IVA last year)) × 100, statistics of the demo park
    v22 = demo_dataset.value("carbon_intensity_reduction", 2023)
    assert v22.origin == "derived"
    assert math.isclose(v22.value, (1 - (1510000 / 2080000) / (1500000 / 1960000)) * 100, rel_tol=REL)
    # 24: growth of pollutant emissions / growth of value added
    v24 = demo_dataset.value("pollutant_elasticity", 2022)
    assert math.isclose(v24.value, ((1010 - 1000) / 1000) / ((1960000 - 1850000) / 1850000), rel_tol=REL)
    # 25: good days / monitored days
    assert math.isclose(demo_dataset.value("air_quality_good_rate", 2024).value, 290 / 366 * 100, rel_tol=REL)


def test_reported_value_wins_and_keeps_the_derived_one(demo_data, tmp_path):
    data = yaml.safe_load(demo_data)
    y = _year(data, 2023)
    y["statistics"].update(renewable_energy_consumption=70000)  # derived 70000/700000 = 10 %
    ds = greendiag.load_dataset(_write(tmp_path, data))
    v = ds.value("renewable_energy_share", 2023)
    assert v.origin == "reported" and v.value == 10.2
    assert math.isclose(v.derived, 10.0, rel_tol=REL)


def test_derived_share_over_100_is_an_error(demo_data, tmp_path):
    def edit(d):
        y = _year(d, 2024)
        del y["indicators"]["solid_waste_utilization"]
        y["statistics"].update(solid_waste_generated=1000, solid_waste_stock_utilized=0, solid_waste_utilized=1500)

    err = _bad(demo_data, tmp_path, edit)
    assert err.codes == ("share-over-100",)
    assert "derived" in err.problems[0].message_en and "150" in err.problems[0].message_en


def test_missing_statistic_means_no_derived_value(demo_data, tmp_path):
    data = yaml.safe_load(demo_data)
    del _year(data, 2024)["statistics"]["energy_consumption"]
    del _year(data, 2024)["energy_by_carrier"]  # else the carriers give the year's energy consumption (test_energy_carriers.py)
    ds = greendiag.load_dataset(_write(tmp_path, data))
    assert ds.value("energy_productivity", 2024) is None  # missing, never a silent zero


def test_dict_from_plain_yaml_safe_load_keeps_its_dates(demo_path, demo_dataset):
    """yaml.safe_load turns 2025-03-10 into a date object; the API takes it as that date, not as a type error."""
    raw = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    assert any(isinstance(v, __import__("datetime").date) for v in raw["engagement"].values())
    ds = greendiag.dataset_from_dict(raw)
    assert ds.engagement == demo_dataset.engagement


def test_control_character_in_text_is_refused_before_it_breaks_a_report(demo_data):
    data = yaml.safe_load(demo_data)
    data["park"]["name"] = "示范\x01园区"
    with pytest.raises(DatasetError) as exc:
        greendiag.dataset_from_dict(data)
    (p,) = exc.value.problems
    assert p.code == "control-character" and p.location == "$.park.name" and "\\x01" in p.message_en


# ------------------------------------------------------------------ each language on its own

# The rule for English text (message_en, fix_en): after removing
#   (1) quoted text — '...' (an apostrophe inside a word does not open or close a quote), "..." and “...” —
#       which is where user input and the Chinese words a user must type (a level, a sheet name) appear, and
#   (2) the unit symbols of the catalogue (万元/tce, 元/m3, 万元 ...), which are written the same in both languages,
# no CJK character (ideographs, CJK punctuation, full-width forms) may remain.
# Chinese text (message_zh, and fix_zh when given) must contain a CJK ideograph.
_CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_IDEOGRAPH = re.compile("[\u3400-\u9fff]")
_QUOTED = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|“[^”]*”")


def _unit_symbols(cat) -> list[str]:
    whole = {i.unit for i in cat.indicators} | {s.unit for s in cat.statistics}
    parts = {p for u in whole for p in u.split("/")}
    return sorted((u for u in whole | parts if u), key=len, reverse=True)


def cjk_outside_quotes_and_units(text, units) -> list[str]:
    rest = _QUOTED.sub(" ", text or "")
    for u in units:
        rest = rest.replace(u, " ")
    return _CJK.findall(rest)


def test_the_language_rule_itself():
    units = ["万元/tce", "万元", "元"]
    assert cjk_outside_quotes_and_units("2023 indicator 1: '很多' is not a number; e.g. '3.2 万元/tce'", units) == []
    assert cjk_outside_quotes_and_units("the value's unit '吨' and 3 万元/tce", units) == []
    assert cjk_outside_quotes_and_units("2023年 1 Energy productivity", units) == ["年"]
    assert cjk_outside_quotes_and_units("value is one of: 国家级, None", units) == ["国", "家", "级"]
    assert cjk_outside_quotes_and_units("the quantity (量值不能为负)", units) == list("量值不能为负")


def _language_cases():
    """Bad datasets touching every message dataset.py builds: (edit, codes expected)."""
    def qualitative_level(d):
        _year(d, 2023)["indicators"]["green_standards_system"] = "很好"

    def conflicting_unit(d):
        _year(d, 2023)["indicators"]["energy_productivity"] = {"value": "3 万元/tce", "unit": "元/tce"}

    def statistic_text(d):
        _year(d, 2024)["statistics"]["industrial_value_added"] = "很多"

    def unknown_unit(d):
        _year(d, 2023)["indicators"]["water_productivity"] = "1500 元/立方"

    def below_zero(d):
        _year(d, 2022)["indicators"]["energy_productivity"] = -1

    def chinese_typo(d):
        _year(d, 2022)["indicators"]["能源产出"] = 3

    def too_late_and_dates(d):
        d["years"].append({"year": 2026, "indicators": {"clean_energy_share": 70}})
        d["engagement"]["onsite"] = {"start": "2025-03-14", "end": "2025-03-10"}
        d["baseline"].append({"number": 1, "status": "符合"})

    def overflow(d):
        _year(d, 2023)["indicators"]["water_productivity"] = "1e308 万元/m3"

    def mismatch(d):
        d["catalogue"] = {"id": "另一个目录"}

    return [(f, None) for f in (qualitative_level, conflicting_unit, statistic_text, unknown_unit, below_zero,
                                chinese_typo, too_late_and_dates, overflow, mismatch)] + \
        [(CASES[k][0], CASES[k][1]) for k in sorted(CASES)]


def test_english_messages_are_english_and_chinese_messages_chinese(demo_data, tmp_path, catalogue):
    units = _unit_symbols(catalogue)
    codes = set()
    for edit, code in _language_cases():
        err = _bad(demo_data, tmp_path, edit)
        if code:
            assert code in err.codes
        for p in err.problems:
            codes.add(p.code)
            for text in (p.message_en, p.fix_en):
                assert cjk_outside_quotes_and_units(text, units) == [], (p.code, text)
            assert _IDEOGRAPH.search(p.message_zh), (p.code, p.message_zh)
            assert p.fix_zh is None or _IDEOGRAPH.search(p.fix_zh), (p.code, p.fix_zh)
    # every kind of value message was looked at
    assert {"unknown-level", "conflicting-unit", "not-a-number", "unknown-unit", "negative-value", "unknown-indicator",
            "year-not-before-diagnosis", "bad-date-range", "duplicate-requirement", "number-too-large",
            "catalogue-mismatch", "wrong-dimension", "share-over-100", "duplicate-year", "schema-required"} <= codes


def test_messages_name_the_year_and_the_indicator_in_each_language(demo_data, tmp_path):
    p = _bad(demo_data, tmp_path, _share_over_100).problems[0]
    assert p.message_zh.startswith("2024年 2 可再生能源使用比例:112.5 超过上限 100")
    assert p.message_en.startswith("2024 indicator 2 Share of renewable energy use: 112.5 is above 100")
    # the catalogue's bounds basis "中文 (English)" is split: each language gets its own half
    assert p.message_zh.endswith("(比例的定义域 0–100 %)")
    assert p.message_en.endswith("(a share lies in 0–100 % by definition)")
    p = _bad(demo_data, tmp_path, _text_for_number).problems[0]
    assert p.message_en == "2022 indicator 7 Industrial water reuse rate: 'about ninety' is not a number"
    assert p.message_zh == "2022年 7 工业用水重复利用率:“about ninety”不是数值"


def test_derived_bounds_message_names_the_year(demo_data, tmp_path):
    def edit(d):
        y = _year(d, 2024)
        del y["indicators"]["green_industry_share"]  # not reported: the value derived from statistics is judged
        y["statistics"]["green_industry_value_added"] = y["statistics"]["industrial_value_added"]["value"] * 2  # 200 %

    err = _bad(demo_data, tmp_path, edit)
    (p,) = err.problems
    assert p.code == "share-over-100"
    assert p.message_en.startswith("2024 indicator 18 ") and "(derived from statistics)" in p.message_en
    assert p.message_zh.startswith("2024年 18 ") and "(由统计数据推导)" in p.message_zh


@pytest.mark.parametrize("indicator, example", [("industrial_water_reuse", "'3.2 %'"),
                                                ("energy_productivity", "'3.2 万元/tce'"),
                                                ("pollutant_elasticity", "'3.2'")])
def test_not_a_number_example_uses_the_indicators_own_unit(demo_data, tmp_path, indicator, example):
    err = _bad(demo_data, tmp_path, lambda d: _year(d, 2023)["indicators"].update({indicator: "n/a"}))
    (p,) = err.problems
    assert p.code == "not-a-number" and f"e.g. {example};" in p.fix_en
    assert f"如 “{example[1:-1]}”" in p.fix_zh


def test_bounds_basis_split_for_every_catalogue_indicator(catalogue):
    for ind in catalogue.indicators:
        if ind.bounds_basis is None:
            continue
        assert _IDEOGRAPH.search(ind.bounds_basis_zh) and "(" not in ind.bounds_basis_zh, ind.id
        assert ind.bounds_basis_en and not _CJK.search(ind.bounds_basis_en), ind.id


def test_bounds_basis_in_one_language_only():
    from greendiag.models import split_bilingual

    assert split_bilingual("比例的定义域") == ("比例的定义域", None)  # no English part: English omits it
    assert split_bilingual("a share lies in 0-100") == ("a share lies in 0-100",) * 2
    assert split_bilingual("量值不能为负(the quantity cannot be negative)") == ("量值不能为负", "the quantity cannot be negative")
    assert split_bilingual("量值(吨)") == ("量值(吨)", None)  # the parentheses hold Chinese: not a translation
    assert split_bilingual(None) == (None, None)


# ------------------------------------------------------------------ schema and value problems in one run


def _two_schema_three_value(d):
    d["diagnosis_year"] = "2025"  # schema: a string, not an integer
    d["park"]["colour"] = "green"  # schema: unknown field
    _year(d, 2023)["indicators"]["renewable_energy_share"] = {"value": 12, "unit": "万元/tce"}  # value: wrong dimension
    _year(d, 2022)["indicators"]["industrial_water_reuse"] = {"value": "about ninety"}  # value: not a number
    _year(d, 2024)["indicators"]["clean_energy_share"] = {"value": 120}  # value: over 100 %


def test_schema_and_value_problems_are_reported_in_one_error(demo_data, tmp_path):
    err = _bad(demo_data, tmp_path, _two_schema_three_value)
    got = [(p.code, p.location) for p in err.problems]
    assert sorted(got) == sorted([
        ("schema-type", "$.diagnosis_year"),
        ("schema-additionalProperties", "$.park"),
        ("wrong-dimension", "$.years[2].indicators.renewable_energy_share.value"),
        ("not-a-number", "$.years[1].indicators.industrial_water_reuse.value"),
        ("share-over-100", "$.years[3].indicators.clean_energy_share.value"),
    ]), err.format("en")
    # in file order: park (line 3 on) before diagnosis_year, before the years
    lines = [p.line for p in err.problems]
    assert lines == sorted(lines) and all(lines)
    assert [c for c, _ in got][:2] == ["schema-additionalProperties", "schema-type"]
    # the same data as a dict (no lines): the same five, in JSON-path order, the same every time
    data = yaml.safe_load(demo_data)
    _two_schema_three_value(data)
    with pytest.raises(DatasetError) as a:
        greendiag.dataset_from_dict(data)
    with pytest.raises(DatasetError) as b:
        greendiag.dataset_from_dict(yaml.safe_load(yaml.safe_dump(data, allow_unicode=True)))
    assert a.value.problems == b.value.problems
    assert [p.location for p in a.value.problems] == ["$.diagnosis_year", "$.park", "$.years[1].indicators.industrial_water_reuse.value",
                                                      "$.years[2].indicators.renewable_energy_share.value",
                                                      "$.years[3].indicators.clean_energy_share.value"]


def test_refused_parts_cause_no_second_hand_problems(demo_data, tmp_path):
    def edit(d):
        for block in d["years"]:
            block["year"] = str(block["year"])  # every year refused: no "no data for the scored years" on top
        d["baseline"][0] = "met"  # a refused row: no crash, no duplicate or unknown-requirement noise
        d["engagement"]["team"][0] = {"role": "组长"}  # a member without a name
        d["engagement"]["onsite"]["start"] = "10 March"  # refused: no date-range check against it

    err = _bad(demo_data, tmp_path, edit)
    assert {p.code for p in err.problems} == {"schema-type", "schema-required", "schema-pattern"}, err.format("en")
    assert len(err.problems) == 4 + 1 + 1 + 1


def test_a_refused_reported_value_does_not_bring_its_derived_value_in(demo_data, tmp_path):
    """A reported value wins over the derived one; while it is refused, the derived one is not judged in its place."""
    def edit(d):
        y = _year(d, 2024)
        y["statistics"]["green_industry_value_added"] = y["statistics"]["industrial_value_added"]["value"] * 2  # derives 200 %
        y["indicators"]["green_industry_share"] = True  # refused by the schema

    err = _bad(demo_data, tmp_path, edit)
    assert err.codes == ("schema-type",), err.format("en")
    assert err.problems[0].location == "$.years[3].indicators.green_industry_share"


def test_missing_top_level_parts_with_value_problems(demo_data, tmp_path):
    def edit(d):
        del d["diagnosis_year"]
        del d["format"]
        _year(d, 2023)["indicators"]["energy_productivity"] = "lots"

    err = _bad(demo_data, tmp_path, edit)
    assert sorted(err.codes) == ["not-a-number", "schema-required", "schema-required"]
    assert sorted(p.message_en for p in err.problems if p.code == "schema-required") == [
        "required field 'diagnosis_year' is missing", "required field 'format' is missing"]


# ------------------------------------------------------------------ evidence of statistics, engagement and profile fields


def test_statistics_carry_their_evidence(demo_dataset):
    s = {(x.statistic, x.year): x for x in demo_dataset.statistics}
    assert s[("energy_consumption", 2024)].value == 705000.0 and s[("energy_consumption", 2024)].evidence == "S2-2024 能源统计报表"
    assert s[("air_quality_monitored_days", 2022)].evidence == "S9-2022"


def test_derived_evidence_without_statistic_evidence_names_the_statistics(demo_data, tmp_path):
    data = yaml.safe_load(demo_data)
    for block in data["years"]:  # bare numbers, as before evidence was allowed
        block["statistics"] = {k: v["value"] for k, v in block.get("statistics", {}).items()}
    _year(data, 2024)["statistics"]["energy_consumption"] = {"value": 705000, "evidence": "能源统计报表(2024)"}
    ds = greendiag.load_dataset(_write(tmp_path, data))
    assert ds.value("energy_productivity", 2024).evidence == "由统计数据推导:工业增加值(可比价)、综合能源消费量 (能源统计报表(2024))"
    assert ds.value("water_productivity", 2023).evidence == "由统计数据推导:工业增加值(可比价)、工业用新鲜水量(自来水+自备水)"
    assert ds.value("renewable_energy_share", 2024).evidence == "E2-2024"  # reported: the park's own


def test_engagement_form_fields(demo_dataset):
    e = demo_dataset.engagement
    assert e.third_party_evaluation is True and e.report_meeting_date == dt.date(2025, 4, 22)
    p = demo_dataset.profile
    assert "中部先进制造区" in p.zoning and "规模以上工业企业126家" in p.industry_status


def test_bad_report_meeting_date_is_located(demo_data, tmp_path):
    err = _bad(demo_data, tmp_path, lambda d: d["engagement"].update(report_meeting_date="2025-02-30"))
    assert err.codes == ("bad-date",) and err.problems[0].location == "$.engagement.report_meeting_date"


def test_third_party_evaluation_must_be_yes_or_no(demo_data, tmp_path):
    err = _bad(demo_data, tmp_path, lambda d: d["engagement"].update(third_party_evaluation="是"))
    assert len(err.problems) == 1 and err.problems[0].location == "$.engagement.third_party_evaluation"
    data = yaml.safe_load(demo_data)
    data["engagement"]["third_party_evaluation"] = None  # null: not stated
    assert greendiag.load_dataset(_write(tmp_path, data)).engagement.third_party_evaluation is None


def test_converted_values_carry_no_float_noise(demo_dataset):
    # 28400 元/tce → 万元/tce: 28400 × 0.0001 is 2.8400000000000003 in floating point; kept to 12 digits: 2.84
    assert demo_dataset.value("energy_productivity", 2022).value == 2.84
    # derived: 2080000 / 700000 = 2.9714285714285714…, 12 significant digits
    assert demo_dataset.value("energy_productivity", 2023).value == 2.97142857143


# ------------------------------------------------------------------ statistics given for an indicator must derive it

def test_a_sum_with_a_term_left_out_is_an_error_on_the_statistics(demo_data, tmp_path):
    """Generated and utilised waste given, the stock term of the denominator left out, indicator 6 not reported: it was
    scored as missing (0 points, "supply data"). Now the statistics are refused, naming the missing term and 0."""
    def edit(d):
        y = _year(d, 2024)
        del y["indicators"]["solid_waste_utilization"]
        y["statistics"].update(solid_waste_generated=1000, solid_waste_utilized=900)
        y["statistics"].pop("solid_waste_stock_utilized", None)

    err = _bad(demo_data, tmp_path, edit)
    (p,) = err.problems
    years = [b["year"] for b in yaml.safe_load(demo_data)["years"]]
    assert p.code == "incomplete-statistics"
    assert p.location == f"$.years[{years.index(2024)}].statistics.solid_waste_generated"
    assert "综合利用往年贮存量" in p.message_zh and "没有则填 0" in p.fix_zh and "(0 if there is none)" in p.fix_en


def test_the_left_out_term_given_as_zero_derives_the_indicator(demo_data, tmp_path):
    data = yaml.safe_load(demo_data)
    y = _year(data, 2024)
    del y["indicators"]["solid_waste_utilization"]
    y["statistics"].update(solid_waste_generated=1000, solid_waste_utilized=900, solid_waste_stock_utilized=0)
    v = greendiag.load_dataset(_write(tmp_path, data)).value("solid_waste_utilization", 2024)
    assert v.origin == "derived" and v.value == 90.0  # 900 / (1000 + 0)


def test_a_zero_denominator_is_an_error_not_a_missing_indicator(demo_data, tmp_path):
    def edit(d):
        y = _year(d, 2024)
        for k in ("energy_productivity", "renewable_energy_share", "clean_energy_share"):
            y["indicators"].pop(k, None)
        y["statistics"]["energy_consumption"] = 0

    err = _bad(demo_data, tmp_path, edit)
    assert set(err.codes) == {"zero-denominator"}
    assert {p.location.rsplit(".", 1)[-1] for p in err.problems} == {"energy_consumption"}
    assert any("能源产出率" in p.message_zh for p in err.problems)


def test_a_derived_share_over_100_is_located_on_the_statistics_even_beside_a_reported_value(demo_data, tmp_path):
    """366 good days of 300 monitored: the error points at the statistics (it pointed at $.years), and a reported value
    beside impossible statistics no longer hides them."""
    def edit(d):
        y = _year(d, 2024)
        y["statistics"].update(air_quality_good_days=366, air_quality_monitored_days=300)
        y["indicators"]["air_quality_good_rate"] = 79.5

    err = _bad(demo_data, tmp_path, edit)
    (p,) = err.problems
    assert p.code == "share-over-100" and p.location.endswith(".statistics.air_quality_good_days")
    assert "(由统计数据推导)" in p.message_zh


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".et", ".csv"])
def test_other_spreadsheet_formats_are_told_to_save_as_xlsx(tmp_path, suffix):
    path = tmp_path / f"park{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))  # an OLE header, as a real .xls starts
    with pytest.raises(greendiag.DatasetError) as info:
        greendiag.load_dataset(path)
    (p,) = info.value.problems
    assert p.code == "not-xlsx" and p.file == str(path) and ".xlsx" in p.fix_zh


@pytest.mark.parametrize("version, ok", [("1.0.0", True), ("1.3", True), ("2.0.0", False), ("9.9.9", False), ("next", False)])
def test_the_declared_catalogue_version_is_checked(demo_data, version, ok):
    data = yaml.safe_load(demo_data)
    data["catalogue"] = {"id": "bj-green-park-2024", "version": version}
    if ok:
        greendiag.dataset_from_dict(data)
        return
    with pytest.raises(greendiag.DatasetError) as info:
        greendiag.dataset_from_dict(data)
    (p,) = info.value.problems
    assert p.code == "catalogue-version" and p.location == "$.catalogue.version" and p.fix_zh


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.999])
def test_a_truncated_json_file_says_it_ends_too_early(demo_data, tmp_path, cut):
    """It was a YAML scanner error with YAML advice (indentation, quote text with %)."""
    text = "\n".join(_json_lines(demo_data))
    path = tmp_path / "park.json"
    path.write_text(text[: int(len(text) * cut)], encoding="utf-8")
    with pytest.raises(GreendiagError) as info:
        greendiag.load_dataset(path)
    (p,) = info.value.problems
    assert p.code == "malformed-json" and "结尾处中断" in p.message_zh and "截断" in p.fix_zh and "缩进" not in p.fix_zh
    assert p.line is not None and p.file == str(path)


def _the_problem_after(demo_data, tmp_path, old: str, new: str):
    """The one problem of the demo YAML with `old` replaced by `new` (which must occur), and the file it was read from."""
    text = demo_data.replace(old, new, 1)
    assert text != demo_data
    path = tmp_path / "park.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    (p,) = info.value.problems
    return p, path


def test_a_decimal_comma_in_braces_says_why_a_field_appeared(demo_data, tmp_path):
    p, _ = _the_problem_after(demo_data, tmp_path, "renewable_energy_share: {value: 8.5, evidence: E2-2022}",
                              "renewable_energy_share: {value: 8,5, evidence: E2-2022}")
    assert p.code == "schema-additionalProperties" and "'5'" in p.message_zh and "逗号" in p.message_zh and "8.5" in p.fix_zh


def test_an_unknown_level_lists_the_names_and_ids_that_are_read(demo_data, tmp_path):
    """The fix said 具备(present) while the template says 具备(in place): both the name and the id are accepted, said so."""
    p, path = _the_problem_after(demo_data, tmp_path, "central_wastewater_treatment: {value: 具备", "central_wastewater_treatment: {value: 有")
    assert p.code == "unknown-level" and "“具备”或“present”" in p.fix_zh and "(in place)" in p.fix_en
    ok = demo_data.replace("central_wastewater_treatment: {value: 具备", "central_wastewater_treatment: {value: present", 1)
    path.write_text(ok, encoding="utf-8")
    assert greendiag.load_dataset(path)  # the id is read as well as the name
