"""Session 10 wording at the source: a reference stated in another quantity than its indicator is named by its converted
value in the rules' own messages ("低于参考值1786 元/m3(由…折算)", not "低于…用水量…(折合 1786 元/m3)": a productivity is
never said to be lower than a water use), the report takes that text as it is, and the Chinese terminal summary writes
units, percentages and dates as the report does. Expected texts are written out by hand from the demo park
(examples/demo-park.yaml) and the water overlay (examples/overlays/water-cascade.yaml)."""

from __future__ import annotations

import copy
import json
import pathlib

import pytest
import yaml

import greendiag
from greendiag.facts import CONTEXT, reference_text, reference_value_note
from greendiag.reports import render_report
from greendiag.reports.content import converted_label
from greendiag.summary import diagnosis_summary
from greendiag.zhnotation import zh_notation

from conftest import plain_punct

ROOT = pathlib.Path(__file__).resolve().parent.parent
WATER = ROOT / "examples" / "overlays" / "water-cascade.yaml"

LABEL_ZH = "北京市万元工业增加值用水量(2023年,5.6 m³)"
LABEL_EN = "Beijing water use per 10^4 yuan industrial value added (2023, 5.6 m³)"
TEXT_ZH = "参考值1786 元/m3(由北京市万元工业增加值用水量(2023年,5.6 m³)折算)"
TEXT_EN = "reference value 1786 元/m3 (converted from Beijing water use per 10^4 yuan industrial value added (2023, 5.6 m³))"
WATER_ZH = ("“4 水资源产出率”2024年为1604 元/m3,距先进水平参考值1786 元/m3(由北京市万元工业增加值用水量(2023年,5.6 m³)折算)"
            "尚有差距182 元/m3(相对差距10.2%)")
WATER_EN = ("4 Water productivity was 1604 元/m3 in 2024, short of the advanced level reference value 1786 元/m3 (converted "
            "from Beijing water use per 10^4 yuan industrial value added (2023, 5.6 m³)): gap 182 元/m3 (10.2% relative)")


@pytest.fixture(scope="module")
def water_cat():
    return greendiag.load_catalogue(WATER)


@pytest.fixture(scope="module")
def water_diag(water_cat):
    raw = yaml.safe_load((ROOT / "examples" / "demo-park.yaml").read_text(encoding="utf-8"))
    return greendiag.diagnose(greendiag.dataset_from_dict(raw, catalogue=water_cat), catalogue=water_cat, backend="python")


@pytest.fixture(scope="module")
def water_dict(water_diag):
    return json.loads(water_diag.to_json())


def _ref(cat, ref_id):
    return next(r for r in cat.references if r.id == ref_id)


# ------------------------------------------------------------------ 1. the facts name the reference as the sentence needs

def test_a_converted_reference_is_named_by_its_value(water_cat):
    ref = _ref(water_cat, "bj-water-use-2023")
    ind = water_cat.indicator(ref.indicator)
    assert reference_text(ref, ind) == {"ref_text_zh": TEXT_ZH, "ref_text_en": TEXT_EN}
    # the older context names stay for rule files that use them
    assert reference_value_note(ref, ind) == {"ref_value_note_zh": "(折合 1786 元/m3)", "ref_value_note_en": " (i.e. 1786 元/m3)"}


def test_a_reference_stating_its_value_is_named_by_its_label(water_cat):
    ref = _ref(water_cat, "prov-non-fossil-2024")
    assert reference_text(ref, water_cat.indicator(ref.indicator)) == {
        "ref_text_zh": "省级绿色低碳园区非化石能源消费比重(≥20%)", "ref_text_en": "Provincial green low-carbon park non-fossil energy share (≥20%)"}
    energy = _ref(water_cat, "prov-energy-intensity-2024")  # an energy use per value added beside an energy productivity
    assert reference_text(energy, water_cat.indicator(energy.indicator))["ref_text_zh"] == \
        "参考值2.857 万元/tce(由省级绿色低碳园区单位工业增加值能耗要求(≤0.35 tce/万元)折算)"
    assert {"ref_text_zh", "ref_text_en", "ref_label_zh", "ref_value_note_zh"} <= CONTEXT["reference"]


def test_the_rules_messages_compare_like_with_like(water_dict):
    (rec,) = [r for r in water_dict["recommendations"] if r["indicator"] == 4]
    assert (rec["message_zh"], rec["message_en"]) == (WATER_ZH, WATER_EN)
    assert rec["clause_zh"] == "距先进水平参考值1786 元/m3(由北京市万元工业增加值用水量(2023年,5.6 m³)折算)尚有差距182 元/m3(相对差距10.2%)"
    texts = [x for r in water_dict["recommendations"] + water_dict["findings"] for x in (r["message_zh"], r["message_en"])]
    assert not [t for t in texts if "折合" in t or "(i.e." in t]


def test_the_diagnosis_stays_deterministic(water_cat, water_diag):
    raw = yaml.safe_load((ROOT / "examples" / "demo-park.yaml").read_text(encoding="utf-8"))
    again = greendiag.diagnose(greendiag.dataset_from_dict(raw, catalogue=water_cat), catalogue=water_cat, backend="python")
    assert again.to_json() == water_diag.to_json()


# ------------------------------------------------------------------ 2. the report takes the text as it is

FOUR = ("“4 水资源产出率”2024年为1604 元/m³,已达引领值(得分107.0分),低于参考值1786 元/m³(由北京市万元工业增加值用水量"
        "(2023年,5.6 m³)折算),差距182 元/m³(相对差距10.2%)。")
FIVE = ("“4 水资源产出率”2024年为1604 元/m³,距先进水平参考值1786 元/m³(由北京市万元工业增加值用水量(2023年,5.6 m³)折算)"
        "尚有差距182 元/m³(相对差距10.2%)(先进对照法)")


def _water_rec(d: dict) -> dict:
    (rec,) = [r for r in d["recommendations"] if r["indicator"] == 4]
    return rec


def _md(d: dict, folder: pathlib.Path) -> str:
    return plain_punct(pathlib.Path(render_report(d, folder / "r.md")).read_text(encoding="utf-8"))


def test_the_report_uses_the_reference_text(water_dict, tmp_path):
    d = copy.deepcopy(water_dict)
    rec = _water_rec(d)
    rec["target_label_zh"], rec["target_label_en"] = TEXT_ZH, TEXT_EN  # diagnosis.json naming the reference as the rules do
    md = _md(d, tmp_path)
    assert FOUR in md and FIVE in md
    assert "折合" not in md and "低于北京市万元工业增加值用水量" not in md
    assert converted_label(TEXT_ZH) == TEXT_ZH and converted_label(TEXT_EN, en=True) == TEXT_EN  # no rewording of the text


def test_an_older_diagnosis_json_reads_alike(water_dict, tmp_path):
    """A diagnosis.json written before the rules named the converted value: label + "(折合 …)" in the messages and the
    target label. The report words it as the rules now do."""
    d = copy.deepcopy(water_dict)
    rec = _water_rec(d)
    old_zh, old_en = LABEL_ZH + "(折合 1786 元/m3)", LABEL_EN + " (i.e. 1786 元/m3)"
    rec["target_label_zh"], rec["target_label_en"] = old_zh, old_en
    for key in ("message_zh", "clause_zh"):
        rec[key] = rec[key].replace(TEXT_ZH, old_zh)
    for key in ("message_en", "clause_en"):
        rec[key] = rec[key].replace(TEXT_EN, old_en)
    assert "折合" in rec["message_zh"] and "(i.e." in rec["message_en"]
    md = _md(d, tmp_path)
    assert FOUR in md and FIVE in md and "折合" not in md
    assert converted_label(old_en, en=True) == TEXT_EN


# ------------------------------------------------------------------ 3. the terminal summary in the report's notation

def test_zh_notation():
    assert zh_notation("诊断完成一年后(应于 2026-04-15 前)需反馈") == "诊断完成一年后(应于2026年4月15日前)需反馈"
    assert zh_notation("为1604 元/m3,低于(≥20 %)") == "为1604 元/m³,低于(≥20%)"
    assert zh_notation("CO2 排放,证明材料 S2-2024,EG2") == "CO2 排放,证明材料 S2-2024,EG2"
    assert zh_notation("提示(due by 2026-04-15)") == "提示(due by 2026-04-15)"  # an English gloss keeps its date
    assert zh_notation("日期 2024-13-45 有误") == "日期 2024-13-45 有误"  # no date


def test_the_chinese_summary_writes_units_and_dates_as_the_report(water_diag):
    lines = diagnosis_summary(water_diag, "zh").splitlines()
    assert "  [提示] 诊断完成一年后(应于2026年4月15日前)需向市区经信部门反馈改造建议采纳与落实情况" in lines
    assert ("  [先进对照] “4 水资源产出率”2024年为1604 元/m³,距先进水平参考值1786 元/m³(由北京市万元工业增加值用水量(2023年,"
            "5.6 m³)折算)尚有差距182 元/m³(相对差距10.2%)(+0.42 总分)") in lines
    body = "\n".join(lines)
    assert "2026-04-15" not in body and "元/m3" not in body


def test_the_english_summary_is_as_written(water_diag):
    lines = diagnosis_summary(water_diag, "en").splitlines()
    assert "  [info] A follow-up report to the bureaus is due one year after the diagnosis (by 2026-04-15)" in lines
    assert f"  [advanced_benchmark] {WATER_EN} (+0.42 total)" in lines


def test_the_chinese_indicator_table_writes_units_as_the_report(water_diag):
    from greendiag.summary import indicator_table

    zh = indicator_table(water_diag.dataset, water_diag.catalogue, "zh").splitlines()
    en = indicator_table(water_diag.dataset, water_diag.catalogue, "en").splitlines()
    assert [x.split("\t")[:3] for x in zh if x.startswith("4\t")] == [["4", "水资源产出率", "元/m³"]]
    assert [x.split("\t")[2] for x in en if x.startswith("4\t")] == ["元/m3"]
