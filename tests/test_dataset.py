"""Dataset input: each kind of bad dataset has its own located error; all problems at once; derivation from statistics.

Bad datasets are copies of examples/demo-park.yaml, parsed, edited and written to tmp_path. Derived values
are computed by hand in the tests from the statistics given (definitions in ../shared/domain/indicators.md).
"""

from __future__ import annotations

import json
import math
import pathlib

import pytest
import yaml

import greendiag
from greendiag.errors import DatasetError, GreendiagError

REL = 1e-12


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
