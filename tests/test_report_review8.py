"""What a bureau reviewer found in review 8 of the report's numbers: scores rounded across a band or the full mark, ties
rounded to even, an empty year both 'scored 0' and 'not scored', the method not stated, coefficients claimed as a basis,
lower-is-better not marked, and wrong-unit messages without the conversion people mean."""

from __future__ import annotations

import copy
import json
import pathlib

import pytest
import yaml

import greendiag
from greendiag._round import score_text
from greendiag.reports import render_report

from conftest import plain_punct

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_raw():
    return yaml.safe_load((ROOT / "examples" / "demo-park.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_dict():
    return json.loads(greendiag.diagnose(greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml")).to_json())


def _md(d, tmp_path, name="r.md") -> str:
    return plain_punct(pathlib.Path(render_report(d, tmp_path / name)).read_text(encoding="utf-8"))


@pytest.mark.parametrize("x, text", [
    (89.96, "89.96"), (89.94, "89.9"), (99.96, "99.96"), (100.04, "100.0"), (79.996, "79.996"), (89.99996, "89.999"),
    (81.25, "81.3"), (90.0, "90.0"), (59.95, "59.95"), (105.83, "105.8")])
def test_a_score_never_rounds_across_a_band_or_the_full_mark(x, text):
    assert score_text(x, (60.0, 70.0, 80.0, 90.0, 100.0)) == text


def test_the_report_prints_89_96_beside_good_not_90_0(demo_dict, tmp_path):
    d = copy.deepcopy(demo_dict)
    t = d["total_scores"][0]
    t["total"], t["band_zh"], t["band_en"] = 89.96, "良好", "good"
    md = _md(d, tmp_path)
    assert "89.96" in md and "90.0分" not in md


def test_ties_round_half_up_in_score_cells(demo_dict, tmp_path):
    """81.25 printed 81.2 (ties to even) while 五 printed a 1.25 gain as 1.3."""
    d = copy.deepcopy(demo_dict)
    row = next(r for r in d["indicators"] if r["status"] == "scored" and r["score"] < 100)
    row["score"] = 81.25
    md = _md(d, tmp_path)
    assert "81.3" in md and "81.2" not in md


def test_an_empty_year_is_not_assessable_everywhere(demo_raw, tmp_path):
    data = copy.deepcopy(demo_raw)
    data["years"] = [b for b in data["years"] if b["year"] != 2024]
    ds = greendiag.dataset_from_dict(data)
    md = _md(greendiag.diagnose(ds), tmp_path)
    assert "必选指标记 0 分" not in md and "按0分计" not in md.split("附件2-1-2")[-1].split("2024年")[-1]
    assert "该年无数据,不可评分" in md and "该年不可评分" in md


def test_the_method_says_how_total_and_band_are_formed(demo_dict, tmp_path):
    md = _md(demo_dict, tmp_path)
    method = md.split("5. 诊断方法与评分说明")[1].split("6. 数据核查")[0]
    assert "越低越好的指标得分=100×引领值÷数值" in method and "总分为全部参评指标得分的算术平均(各指标等权)" in method
    assert "总分可超过100分" in method
    assert "90分及以上为“优秀”" in method and "60分及以上为“合格”" in method and "国家生态工业示范园区" in method
    # the derived values are said to be derived, not "checked against the evidence" (which the tool cannot know)
    assert "由统计数据推导并与证明材料核对" not in md and "由统计数据推导" in md


def test_conversion_factors_are_not_claimed_as_a_basis_of_the_scores(demo_dict, tmp_path):
    assert not [p for p in demo_dict["provisional"] if p["kind"] == "coefficient"]
    assert "折标及排放系数" not in _md(demo_dict, tmp_path)
    from greendiag.catalogue import iter_provisional

    assert any(k == "coefficient" for k, *_ in iter_provisional(greendiag.load_catalogue()))  # still the catalogue's


def test_lower_is_better_is_marked_in_the_trend_table(demo_dict, tmp_path):
    md = _md(demo_dict, tmp_path)
    table2 = md.split("表3 各指标")[1].split("\n\n#")[0]  # 表1 energy by carrier, 表2 category scores
    lower = [i["name_zh"] for i in demo_dict["catalogue"]["indicators"] if i["direction"] == "lower"]
    assert lower and all(f"{name}(越低越好)" in table2 for name in lower)


@pytest.mark.parametrize("stat, value, words", [
    ("energy_consumption", "5736260000 kWh", ["0.1229 kgce/kWh", "GB/T 2589"]),
    ("fresh_water_industrial", "1390 万吨", ["1 吨水 = 1 立方米"]),
])
def test_wrong_units_people_mean_get_the_conversion_in_the_fix(demo_raw, stat, value, words):
    data = copy.deepcopy(demo_raw)
    data["years"][1]["statistics"][stat] = value
    with pytest.raises(greendiag.GreendiagError) as info:
        greendiag.dataset_from_dict(data)
    (p,) = info.value.problems
    assert p.code == "wrong-dimension" and all(w in p.fix_zh for w in words)


def test_missing_mandatory_note_names_the_indicator_and_rounds_like_the_scores(demo_raw, tmp_path):
    data = copy.deepcopy(demo_raw)
    block = next(b for b in data["years"] if b["year"] == 2023)
    block["indicators"].pop("green_industry_share", None)  # 18, mandatory
    diag = greendiag.diagnose(greendiag.dataset_from_dict(data))
    total = next(t for t in diag.to_dict()["total_scores"] if t["year"] == 2023)
    assert 18 in total["missing_mandatory"]
    md = _md(diag, tmp_path)
    effect = total["missing_effect"]
    from greendiag._round import half_up

    assert f"2023年必选指标“18 绿色产业增加值占园区工业增加值比例”缺失,按0分计(影响总分{half_up(effect, '+.1f')}分)。" in md


def test_section_three_3_asks_for_the_parks_own_work(demo_dict, tmp_path):
    part = _md(demo_dict, tmp_path).split("3. 已开展的重点工作和取得的成绩")[1].split("4. 存在问题")[0]
    assert "已出台的政策措施、已开展的重点工作、已实施的重大项目" in part and "请诊断工作组" in part
