"""Review 9 (consultant R1) findings in rules, facts, diagnosis and the CLI summary: a printed value never contradicts
its target or gap (M1), measures of demonstrative work the park already has under way are not proposed as new (H2),
kinds left out of a recorded 四(三)3 check are noted (M3), the CLI never promises "+0.00" total points (M7), the energy
wording (M5) and the units energy statistics use (M6). Expected values are worked out by hand in the comments."""

from __future__ import annotations

import copy
import pathlib

import openpyxl
import pytest
import yaml

import greendiag
from greendiag import units
from greendiag._round import value_text
from greendiag.excel import write_template
from greendiag.reports import render_report
from greendiag.summary import diagnosis_summary

from conftest import DEMO, plain_punct

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def _year(data: dict, year: int) -> dict:
    return next(b for b in data["years"] if b["year"] == year)


def _with_value(raw: dict, indicator: str, value: float, year: int = 2024) -> dict:
    data = copy.deepcopy(raw)
    _year(data, year)["indicators"][indicator] = {"value": value, "evidence": "test"}
    return data


def _with_work(raw: dict, work) -> dict:
    data = copy.deepcopy(raw)
    data["demonstration_work"] = work
    return data


def _rec(d, indicator: int, rule_id: str = "rec.advanced.below_lead"):
    (r,) = [r for r in d.recommendations if r.indicator == indicator and r.rule_id == rule_id]
    return r


# ------------------------------------------------------------------ M1: the printed value and its gap


def test_value_text_adds_digits_only_where_four_would_contradict():
    assert value_text(12.6, ((15.0, 2.4),)) == "12.6"  # 15 − 12.6 = 2.4: .4g holds
    assert value_text(29.999, ((30.0, 0.001),)) == "29.999"  # .4g prints 30, the lead itself
    # 290/366 = 79.2349727 %; gap 0.7650273 prints 0.765; 80 − 79.23 = 0.77 ≠ 0.765, 80 − 79.235 = 0.765
    assert value_text(290 / 366 * 100, ((80.0, 80 - 290 / 366 * 100),)) == "79.235"
    # gap 8765.5 prints 8766 (four digits); 10000 − 1235 = 8765 does not agree, 10000 − 1234.5 = 8765.5 → 8766 does
    assert value_text(1234.5, ((10000.0, 8765.5),)) == "1234.5"
    # gap 2.34549 prints 2.345: 15 − 12.65 = 2.35 no, 15 − 12.655 = 2.345 yes (15 − 12.6545 = 2.3455 → 2.346 would not)
    assert value_text(12.65451, ((15.0, 15 - 12.65451),)) == "12.655"
    assert value_text(7.0, ((5.0, 2.0),), higher=False) == "7"  # lower is better: gap = value − target
    assert value_text(0.049999, others=(0.05,)) == "0.049999"  # beside a plausible minimum of 0.05


def test_the_demo_prints_the_air_quality_value_that_gives_its_gap(demo_dataset):
    r = _rec(greendiag.diagnose(demo_dataset, backend="python"), 25)
    assert r.head_zh == "“25 园区空气质量优良率”2024年为79.235%"
    assert "差距0.765个百分点" in r.clause_zh
    assert r.head_en == "25 Share of days with good air quality was 79.235% in 2024"
    assert r.message_zh.startswith("“25 园区空气质量优良率”2024年为79.235%,低于引领值80%,差距0.765个百分点")


def test_a_value_a_hair_below_the_lead_is_not_printed_as_the_lead(raw):
    # 18 绿色产业增加值占比 29.999 % against the lead 30 %: gap 30 − 29.999 = 0.001 percentage points
    data = _with_value(raw, "green_industry_share", 29.999)
    by_backend = {b: greendiag.diagnose(greendiag.dataset_from_dict(data), backend=b) for b in ("python", "durable")}
    r = _rec(by_backend["python"], 18)
    assert r.head_zh == "“18 绿色产业增加值占园区工业增加值比例”2024年为29.999%"
    assert r.clause_zh.startswith("低于引领值30%,差距0.001个百分点")
    assert "was 29.999% in 2024" in r.head_en
    assert by_backend["python"].to_json() == by_backend["durable"].to_json()
    again = greendiag.diagnose(greendiag.dataset_from_dict(data), backend="durable")
    assert again.to_json() == by_backend["durable"].to_json()


def test_one_value_prints_alike_by_both_methods(demo_dataset):
    d = greendiag.diagnose(demo_dataset, backend="python")
    heads: dict[int, set] = {}
    for r in d.recommendations:
        if r.indicator is not None and r.value is not None:
            heads.setdefault(r.indicator, set()).add(r.head_zh)
    assert heads[2] == {"“2 可再生能源使用比例”2024年为12.6%"}  # by lead and by reference: one head, merged in 五
    assert all(len(h) == 1 for h in heads.values())


# ------------------------------------------------------------------ H2: measures already under way


def _titles(d, measure_id: str) -> set:
    return {(m["title_zh"], m["title_en"]) for r in d.recommendations for m in r.measures if m["id"] == measure_id}


def test_measures_of_work_under_way_or_planned_are_annotated(demo_dataset):
    d = greendiag.diagnose(demo_dataset, backend="python")  # demo: energy station 在建, hydrogen 计划中, hazardous waste 未开展
    assert _titles(d, "integrated_energy_station") == {
        ("建设多能互补的综合能源站(园区在建,见三、3)", "Multi-energy complementary integrated energy station (under construction in the park; see III.3)")}
    assert _titles(d, "hydrogen_low_carbon_demo") == {
        ("开展氢能等低碳新能源示范应用(已列入园区计划,见三、3)", "Hydrogen and other low-carbon energy demonstrations (in the park's plans; see III.3)")}
    assert _titles(d, "hazardous_waste_centre") == {("建设危险废物集中收集转运设施", "Central collection and transfer facility for hazardous waste")}
    assert _titles(d, "rooftop_pv") == {("屋顶及停车场分布式光伏", "Distributed PV on roofs and car parks")}
    rows = [p.content_zh for p in d.projects if p.origin == "candidate"]
    assert "建设多能互补的综合能源站(园区在建,见三、3)" in rows and "开展氢能等低碳新能源示范应用(已列入园区计划,见三、3)" in rows
    assert "建设多能互补的综合能源站" not in rows
    summary = diagnosis_summary(d)
    assert "建设多能互补的综合能源站(园区在建,见三、3)" in summary


def test_a_measure_already_carried_out_is_no_candidate_project_but_stays_in_5(raw, tmp_path):
    work = copy.deepcopy(raw["demonstration_work"])
    next(w for w in work if w["kind"] == "integrated_energy_station")["status"] = "已开展"
    d = greendiag.diagnose(greendiag.dataset_from_dict(_with_work(raw, work)), backend="python")
    assert _titles(d, "integrated_energy_station") == {
        ("建设多能互补的综合能源站(园区已开展,见三、3)", "Multi-energy complementary integrated energy station (already carried out by the park; see III.3)")}
    assert not [p for p in d.projects if p.content_zh.startswith("建设多能互补的综合能源站")]
    assert [p for p in d.projects if p.content_zh == "屋顶及停车场分布式光伏"]  # the other measures of indicator 2 stay
    md = plain_punct(pathlib.Path(render_report(d, tmp_path / "r.md")).read_text(encoding="utf-8"))
    five = md.split("五、建议")[1].split("六、参考文件")[0]
    assert "建设多能互补的综合能源站(园区已开展,见三、3)" in five
    annex = md.split("附件2-1-3")[-1]
    assert "综合能源站" not in annex


def test_the_platform_measure_does_not_ask_to_establish_what_requirement_7_has(demo_dataset):
    d = greendiag.diagnose(demo_dataset, backend="python")
    assert demo_dataset.requirement_status(7).status == "met"  # ISO 50001 and the monitoring platform
    (title,) = {m["title_zh"] for r in d.recommendations if r.indicator == 31 for m in r.measures if m["id"] == "energy_management_platform"}
    assert title == "建立或完善能源管理体系与园区能源监测管理平台"


# ------------------------------------------------------------------ M3: kinds left out of the check

def _unchecked(d):
    return [f for f in d.findings if f.rule_id == "engagement.demonstration.unchecked"]


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_a_kind_left_out_of_a_recorded_check_is_noted(raw, backend):
    work = [w for w in raw["demonstration_work"] if w["kind"] != "hydrogen_low_carbon"]
    (f,) = _unchecked(greendiag.diagnose(greendiag.dataset_from_dict(_with_work(raw, work)), backend=backend))
    assert f.severity == "low" and f.source["clause"].startswith("四(三)3")
    assert "缺少1类,未核查:氢能等低碳新能源示范应用;" in f.message_zh
    assert "lacks 1 kind(s), not checked: Demonstration of hydrogen and other low-carbon new energy;" in f.message_en


def test_no_note_when_every_kind_is_there_or_none_was_found(raw, demo_dataset):
    assert not _unchecked(greendiag.diagnose(demo_dataset, backend="python"))
    no_other = [w for w in raw["demonstration_work"] if w["kind"] != "other"]  # "other" is listed only where found
    assert not _unchecked(greendiag.diagnose(greendiag.dataset_from_dict(_with_work(raw, no_other)), backend="python"))
    assert not _unchecked(greendiag.diagnose(greendiag.dataset_from_dict(_with_work(raw, [])), backend="python"))


def test_an_overlay_kind_left_out_is_named(raw, tmp_path):
    path = tmp_path / "extra.yaml"
    path.write_text("""overlay:
  id: demo-extra
  version: 1.0.0
  title_zh: 示范扩展
  title_en: Demonstration extension
  extends: {id: bj-green-park-2024, version: '>=1.0,<2'}
demonstration_kinds:
  - id: zero_carbon_building
    name_zh: 近零碳建筑示范
    name_en: Near-zero-carbon building demonstration
    sources: [{doc: bj-guide-2024, clause: "四(三)3“等”"}]
""", encoding="utf-8")
    cat = greendiag.load_catalogue(path)
    d = greendiag.diagnose(greendiag.dataset_from_dict(copy.deepcopy(raw), catalogue=cat), catalogue=cat, backend="python")
    (f,) = _unchecked(d)
    assert "缺少1类,未核查:近零碳建筑示范;" in f.message_zh and "Near-zero-carbon building demonstration" in f.message_en


# ------------------------------------------------------------------ M7: the CLI summary's gain in total points


def test_the_summary_never_promises_zero_total_points(raw):
    # 29.999 against 30: 100 × 29.999 / 30 = 99.9967, 0.0033 indicator points, about 0.0001 of the total: below 0.01
    d = greendiag.diagnose(greendiag.dataset_from_dict(_with_value(raw, "green_industry_share", 29.999)), backend="python")
    assert 0 < _rec(d, 18).total_points < 0.005
    (zh,) = [line for line in diagnosis_summary(d).splitlines() if "“18 " in line]
    assert zh.endswith("(+不足0.01 总分)") and "+0.00" not in zh
    (en,) = [line for line in diagnosis_summary(d, "en").splitlines() if "] 18 " in line]
    assert en.endswith(" (+less than 0.01 total)")
    (big,) = [line for line in diagnosis_summary(d).splitlines() if "“27 " in line]  # 7.5 points: a real figure
    assert "总分)" in big and "不足" not in big


# ------------------------------------------------------------------ M5: energy wording


def _carriers(raw: dict, carriers: dict, energy) -> dict:
    data = copy.deepcopy(raw)
    block = _year(data, 2024)
    block["energy_by_carrier"] = carriers
    block.setdefault("statistics", {})["energy_consumption"] = energy
    return data


def test_the_disagreement_note_states_base_precision_and_threshold(raw):
    # 1,000,000 kWh × 0.1229 kgce/kWh ÷ 1000 = 122.9 tce; (130 − 122.9) / 122.9 = 5.777 % → 5.8 %
    ds = greendiag.dataset_from_dict(_carriers(raw, {"electricity": "1000000 kWh"}, 130.0))
    (note,) = [n for n in ds.notes if n.code == "energy-carriers-disagree"]
    assert note.message_zh == ("2024年综合能源消费量填报值130 tce较分品种能源按折标准煤系数折算的合计122.9 tce相差5.8%"
                               "(以折算合计为基数,超过核查阈值5%):评分采用填报值")
    assert "by 5.8% of that sum (more than the 5% threshold)" in note.message_en


def test_the_report_words_the_conversion_and_the_gap_as_the_note_does(raw, tmp_path):
    d = greendiag.diagnose(greendiag.dataset_from_dict(_carriers(raw, {"electricity": "1000000 kWh"}, 130.0)), backend="python")
    md = plain_punct(pathlib.Path(render_report(d, tmp_path / "r.md")).read_text(encoding="utf-8"))
    method = md.split("5. 诊断方法与评分说明")[1].split("6. 数据核查")[0]
    assert "(实物量折算为kg、m³、MJ、kWh后)× 系数 ÷ 1000" in method
    assert "860 千卡/kWh ÷ 7000 千卡/kgce ≈ 0.1229" in method and "29307" not in method
    assert "系数取自GB/T 2589附录A参考值(待与2020版原文核对);有实测低位发热量时应按实测值折算" in method
    assert "填报的综合能源消费量130 tce较分品种折算合计相差5.8%" in method
    assert "原文未见" not in md


def test_the_demo_gap_is_on_the_converted_sum_with_one_decimal(demo_dataset, tmp_path):
    # demo 2024: 705,000 tce reported, 700,464.5 by carrier: 4535.5 / 700464.5 = 0.6475 % → 0.6 % (0.64 % on the reported)
    md = plain_punct(pathlib.Path(render_report(greendiag.diagnose(demo_dataset, backend="python"), tmp_path / "d.md")).read_text(encoding="utf-8"))
    assert "填报的综合能源消费量705000 tce较分品种折算合计相差0.6%" in md


def test_the_workbook_states_the_threshold(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path, greendiag.load_catalogue(), diagnosis_year=2025)
    ws = openpyxl.load_workbook(path)["分品种能源"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "综合能源消费量" in c.value]
    assert any("较分品种折算合计相差不超过5%" in t and "within 5% of the converted sum" in t for t in texts)


# ------------------------------------------------------------------ M6: units of energy statistics


@pytest.mark.parametrize("given, unit, expected", [
    ("亿m3", "m3", 10 ** 8), ("亿立方米", "m3", 10 ** 8), ("万度", "kWh", 10 ** 4), ("度", "kWh", 1),
    ("吉焦", "GJ", 1), ("万吉焦", "GJ", 10 ** 4), ("标准立方米", "m3", 1), ("Nm3", "m3", 1), ("标方", "m3", 1),
    ("万标方", "m3", 10 ** 4), ("万Nm3", "m3", 10 ** 4),
])
def test_energy_statistics_units_convert_exactly(given, unit, expected):
    assert units.convert_input(3, given, unit) == 3 * expected


def test_carriers_in_those_units_give_the_same_tce(raw):
    # 260000 万度 = 2.6e9 kWh × 0.1229 / 1000 = 319540 tce; 2.4 亿m3 = 2.4e8 m3 of gas-field gas × 1.2143 / 1000 = 291432 tce
    ds = greendiag.dataset_from_dict(_carriers(raw, {"electricity": "260000 万度", "gasfield_gas": "2.4 亿m3"}, 611000.0))
    tce = {c.carrier: c.tce for c in ds.energy_by_carrier if c.year == 2024}
    assert tce["electricity"] == pytest.approx(319540, rel=1e-12)
    assert tce["gasfield_gas"] == pytest.approx(291432, rel=1e-12)
