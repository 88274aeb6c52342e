"""Review 10 of the report's presentation by a bureau reviewer: a value flagged 待核实 was drawn in the indicator table
and its chart without a mark; the water-productivity sentence compared a productivity with a water use per value
added; m3 and m³ were mixed; half-width brackets sat in Chinese text; ISO dates stood in Chinese prose; the table of
energy by carrier had no number; a table printed 79.23 where a sentence printed 79.235; and 四、5 defined 持续向好 as
including 持平 while counting 持平 apart. Expected texts are written out by hand from the demo park
(examples/demo-park.yaml) and the water overlay (examples/overlays/water-cascade.yaml)."""

from __future__ import annotations

import copy
import json
import pathlib
import re

import docx
import pytest
import yaml

import greendiag
from greendiag.reports import render_report
from greendiag.reports._data import ReportData
from greendiag.reports.charts import _Labels, trend_figure
from greendiag.reports.content import build_report, converted_label
from greendiag.reports.zhtext import unit_superscripts, zh_dates, zh_punctuation

from conftest import plain_punct

ROOT = pathlib.Path(__file__).resolve().parent.parent
WATER = ROOT / "examples" / "overlays" / "water-cascade.yaml"


@pytest.fixture(scope="module")
def demo_raw():
    return yaml.safe_load((ROOT / "examples" / "demo-park.yaml").read_text(encoding="utf-8"))


def _diagnose(raw: dict, catalogue=None) -> dict:
    ds = greendiag.dataset_from_dict(copy.deepcopy(raw), catalogue=catalogue)
    return json.loads(greendiag.diagnose(ds, catalogue=catalogue, backend="python").to_json())


def _md(d: dict, folder: pathlib.Path, name: str = "r.md", lang: str = "zh") -> str:
    return pathlib.Path(render_report(d, folder / name, lang=lang)).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_dict(demo_raw):
    return _diagnose(demo_raw)


@pytest.fixture(scope="module")
def demo_md(demo_dict, tmp_path_factory):
    """The demo report as written (full-width punctuation and all)."""
    return _md(demo_dict, tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def doubtful_dict(demo_raw):
    """The demo park with 2024 中水回用率 typed as 0.5 (a share typed as a fraction: a medium anomaly, 待核实)."""
    raw = copy.deepcopy(demo_raw)
    year = next(b for b in raw["years"] if b["year"] == 2024)
    year["indicators"]["reclaimed_water_reuse"] = {"value": 0.5, "evidence": "R8-2024"}
    return _diagnose(raw)


@pytest.fixture(scope="module")
def doubtful_md(doubtful_dict, tmp_path_factory):
    return plain_punct(_md(doubtful_dict, tmp_path_factory.mktemp("doubt")))


@pytest.fixture(scope="module")
def water_md(demo_raw, tmp_path_factory):
    cat = greendiag.load_catalogue(WATER)
    return plain_punct(_md(_diagnose(demo_raw, cat), tmp_path_factory.mktemp("water")))


def _row(md: str, start: str) -> list[str]:
    """The cells of the one table row that starts with `start` (after "| ")."""
    (line,) = [x for x in md.splitlines() if x.startswith("| " + start)]
    return [c.strip() for c in line.strip("|").split("|")]


def _section(md: str, start: str, end: str) -> str:
    i = md.index(start)
    return md[i:md.index(end, i + len(start))]


def _panel(fig, title: str):
    """The axes of a trend chart whose title starts with `title`."""
    (ax,) = [a for a in fig.axes if a.get_title().startswith(title)]
    return ax


ZH = _Labels("Noto Sans CJK SC")  # Chinese labels: the font is only named, the figure is never drawn here


# ------------------------------------------------------------------ 1. a value to be verified is marked

def test_a_value_to_verify_is_marked_in_the_indicator_table(doubtful_dict, doubtful_md):
    flagged = [(f["indicator"], f["year"], f["severity"]) for f in doubtful_dict["findings"] if f["kind"] == "anomaly"]
    assert (8, 2024, "medium") in flagged
    assert _row(doubtful_md, "8 | 中水回用率 |")[3:7] == ["22", "26", "0.5(待核实)", "30"]
    table = _section(doubtful_md, "**表3 各指标", "## 五、")
    assert "注:标“待核实”的数值经数据核查有异常,需核实(见二、6 数据核查与工作说明),核实前相关得分与评级仅供参考。" in table
    assert table.count("(待核实)") == 1  # the other values, and 2022 and 2023 of this one, are not in doubt


def test_a_value_to_verify_is_marked_in_annex_2_1_2_and_in_the_sentence(doubtful_md):
    annex = _section(doubtful_md, "### 第3年(2024年)指标数据评价情况", "> 注:1.")
    (line,) = [x for x in annex.splitlines() if "| 8 | 中水回用率 |" in x]
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[4] == "0.5(待核实)" and cells[6].startswith("数据待核实(见二、6 数据核查与工作说明);较2023年变差")
    assert "| 8 | 中水回用率 | % | 26 | 86.7 |" in _section(doubtful_md, "### 第2年(2023年)", "### 第3年")
    problems = _section(doubtful_md, "### 4. 存在问题", "## 四、")
    assert "“8 中水回用率”2024年为0.5%(待核实),低于引领值30%,差距29.5个百分点" in problems


def test_the_demo_park_has_no_value_to_verify(demo_md):
    assert "待核实)" not in plain_punct(demo_md) and "标“待核实”" not in demo_md


@pytest.mark.parametrize("labels, mark, legend", [
    (ZH, "0.5（待核实）", "待核实数据（见二、6）"),
    (_Labels(None), "0.5(to verify)", "value to verify (see II.6)"),  # no CJK font: English labels
])
def test_the_trend_chart_marks_a_value_to_verify(doubtful_dict, labels, mark, legend):
    fig = trend_figure(ReportData(doubtful_dict), labels, "RG")
    ax = _panel(fig, "8 ")
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["22", "26", mark]
    (red,) = [t for t in ax.texts if t.get_text() == mark]
    assert red.get_color() == "#c00000"
    assert legend in [t.get_text() for t in ax.get_legend().get_texts()]
    for other in fig.axes:  # no other panel carries the mark
        if other is not ax:
            assert not any(mark[3:] in t.get_text() for t in other.texts)


# ------------------------------------------------------------------ 2. like quantities in the water sentence

def test_a_converted_reference_compares_like_with_like(water_md):
    reached = _section(water_md, "以下指标已达引领值", "## 四、")
    assert ("“4 水资源产出率”2024年为1604 元/m³,已达引领值(得分107.0分),低于参考值1786 元/m³"
            "(由北京市万元工业增加值用水量(2023年,5.6 m³)折算),差距182 元/m³(相对差距10.2%)。") in reached
    recs = _section(water_md, "## 五、建议", "## 六、")
    assert ("“4 水资源产出率”2024年为1604 元/m³,距先进水平参考值1786 元/m³(由北京市万元工业增加值用水量(2023年,5.6 m³)折算)"
            "尚有差距182 元/m³(相对差距10.2%)(先进对照法)") in recs
    assert "折合" not in water_md and "低于北京市万元工业增加值用水量" not in water_md


def test_converted_label():
    assert converted_label("北京市万元工业增加值用水量(2023年,5.6 m³)(折合 1786 元/m3)") == \
        "参考值1786 元/m3(由北京市万元工业增加值用水量(2023年,5.6 m³)折算)"
    assert converted_label("省级绿色低碳园区非化石能源消费比重(≥20%)") == "省级绿色低碳园区非化石能源消费比重(≥20%)"
    assert converted_label("Beijing water use (2023, 5.6 m³) (i.e. 1786 元/m3)", en=True) == \
        "reference value 1786 元/m3 (converted from Beijing water use (2023, 5.6 m³))"


# ------------------------------------------------------------------ 3. m³, never m3

_ASCII_POWER = re.compile(r"(?<![A-Za-z0-9_])(?:[kKhdcmN])?m[23](?![0-9A-Za-z_])")


def test_units_take_superscripts_in_every_format(demo_dict, demo_md, tmp_path):
    html = pathlib.Path(render_report(demo_dict, tmp_path / "r.html")).read_text(encoding="utf-8")
    html = re.sub(r"data:image/png;base64,[^\"]+", "", html)  # the charts' bytes are no text
    doc = docx.Document(render_report(demo_dict, tmp_path / "r.docx"))
    word = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    for text in (demo_md, html, word):
        assert not _ASCII_POWER.findall(text)
        assert "元/m³" in text and "亿元/km²" in text and "24000 万m³" in text and "气田天然气1.2143 kgce/m³" in text
    assert _row(demo_md, "4 | 水资源产出率 |")[2] == "元/m³"
    # the data keep what the catalogue and dataset hold: the report converts when it renders
    assert {i["unit"] for i in demo_dict["catalogue"]["indicators"] if i["number"] in (4, 5)} == {"元/m3", "亿元/km2"}


def test_chart_axes_take_superscripts(demo_dict):
    fig = trend_figure(ReportData(demo_dict), ZH, "RG")
    assert _panel(fig, "4 ").get_ylabel() == "元/m³" and _panel(fig, "5 ").get_ylabel() == "亿元/km²"


@pytest.mark.parametrize("text, want", [
    ("元/m3", "元/m³"), ("亿元/km2", "亿元/km²"), ("24000 万m3", "24000 万m³"), ("kgce/m3、", "kgce/m³、"),
    ("Nm3 hm2 cm3 mm2 dm3", "Nm³ hm² cm³ mm² dm³"),
    ("S2-2024 E3-2022 EG2 tCO2 kgCO2/万元 M30 m30 m3x", "S2-2024 E3-2022 EG2 tCO2 kgCO2/万元 M30 m30 m3x"),  # not units
    ("Form m3-A, km2-B", "Form m3-A, km2-B"), ("10 m3-20 m3", "10 m³-20 m³"),  # a code; a range (review 10)
])
def test_unit_superscripts(text, want):
    assert unit_superscripts(text) == want


# ------------------------------------------------------------------ 4. full-width brackets in Chinese text

def test_evidence_takes_full_width_brackets(demo_md):
    evidence = _section(demo_md, "### 2. 证明材料索引", "---")
    assert ("- 25 园区空气质量优良率：由统计数据推导：空气质量优良天数（S9-2022 空气质量监测年报）、"
            "空气质量有效监测天数（S9-2022）；") in evidence
    assert "工业增加值（可比价）（S1-2022 园区统计年报）" in evidence
    assert " (S" not in demo_md and "数 (" not in demo_md


@pytest.mark.parametrize("text, want", [
    ("工业增加值(可比价) (S1-2022 园区统计年报)", "工业增加值（可比价）（S1-2022 园区统计年报）"),  # holds Chinese
    ("有效监测天数 (S9-2022)、", "有效监测天数（S9-2022）、"),  # set off by a space in Chinese text
    ("一、概述 (Overview)", "一、概述 (Overview)"), ("电力 (kWh) 计", "电力 (kWh) 计"),  # English after a space
    ("为-0.2019(≤0):越低越好", "为-0.2019(≤0)：越低越好"),  # glued to a number: as a formula writes it
    ("<script>alert(\"x\")</script> 园区", "<script>alert(\"x\")</script> 园区"),  # code-like text
    ("说明(Due by 2026-04-15 (one year))", "说明（Due by 2026-04-15 (one year)）"),  # a pair inside English keeps its own
    ("the value (3) is", "the value (3) is"),  # no Chinese at all
])
def test_bracket_rule(text, want):
    assert zh_punctuation(text) == want


# ------------------------------------------------------------------ 5. Chinese dates in prose

def test_dates_in_prose_are_written_in_chinese(demo_md):
    notes = _section(demo_md, "### 6. 数据核查与工作说明", "## 三、")
    assert "诊断完成一年后（应于2026年4月15日前）需向市区经信部门反馈改造建议采纳与落实情况" in notes
    assert not re.findall(r"\d{4}-\d{2}-\d{2}", demo_md)


@pytest.mark.parametrize("text, want", [
    ("(应于 2026-04-15 前)", "(应于2026年4月15日前)"), ("提交:2025-03-03;", "提交:2025年3月3日;"),
    ("(Follow-up due by 2026-04-15)", "(Follow-up due by 2026-04-15)"),  # an English gloss keeps its date
    ("编号 2024-13-45 号", "编号 2024-13-45 号"), ("S1-2022-01-02x", "S1-2022-01-02x"),  # no date
])
def test_zh_dates(text, want):
    assert zh_dates(text) == want


# ------------------------------------------------------------------ 6. every body table numbered

def test_the_energy_table_is_numbered_and_the_others_follow(demo_md):
    md = plain_punct(demo_md)
    captions = re.findall(r"^\*\*(表\d+ [^*]+)\*\*$", md, flags=re.M)
    assert captions == ["表1 分品种能源消费及折标准煤", "表2 各类别得分与总分",
                        "表3 各指标2022—2024年数值变化(↑向好 ↓变差 →持平 —无法比较)"]
    assert "2022—2024年各类别得分与总分见表2和图1,各指标数据见附件2-1-2。" in md


def test_without_energy_by_carrier_the_numbers_start_at_the_category_table(demo_raw, tmp_path):
    raw = copy.deepcopy(demo_raw)
    for year in raw["years"]:
        year.pop("energy_by_carrier", None)
    md = plain_punct(_md(_diagnose(raw), tmp_path))
    assert re.findall(r"^\*\*(表\d+) ", md, flags=re.M) == ["表1", "表2"]
    assert "**表1 各类别得分与总分**" in md and "见表1和图1" in md and "分品种能源消费" not in md


def test_the_word_report_numbers_the_energy_table(demo_dict, tmp_path):
    doc = docx.Document(render_report(demo_dict, tmp_path / "r.docx"))
    captions = [p.text for p in doc.paragraphs if re.match(r"表\d+ ", p.text)]
    assert captions[:2] == ["表1 分品种能源消费及折标准煤", "表2 各类别得分与总分"] and captions[2].startswith("表3 各指标")


# ------------------------------------------------------------------ 7. tables print the value the sentences print

def test_a_table_prints_a_value_as_its_sentence_does(demo_md, demo_dict):
    md = plain_punct(demo_md)
    assert "“25 园区空气质量优良率”2024年为79.235%,低于引领值80%,差距0.765个百分点" in md
    # 表3: 2024 as the sentence prints it beside its gap; 2022 and 2023, which no sentence prints with a gap, four digits
    assert _row(md, "25 | 园区空气质量优良率 |")[3:6] == ["78.36", "74.25", "79.235"]
    annex = _section(md, "### 第3年(2024年)", "> 注:1.")
    assert "| 25 | 园区空气质量优良率 | % | 79.235 | 99.0 |" in annex
    labels = [t.get_text() for t in _panel(trend_figure(ReportData(demo_dict), ZH, "HG"), "25 ").texts]
    assert labels == ["78.36", "74.25", "79.235"]


def test_values_without_a_printed_gap_keep_four_digits(demo_md):
    md = plain_punct(demo_md)
    # at or above the lead: no gap is printed, so no digits are added to make one agree
    assert _row(md, "1 | 能源产出率 |")[3:6] == ["2.84", "2.971", "3.163"]
    assert _row(md, "4 | 水资源产出率 |")[3:6] == ["1352", "1465", "1604"]


# ------------------------------------------------------------------ 8. 持续向好 defined as it is counted

def test_steadily_better_is_defined_as_counted(demo_md, demo_dict):
    md = plain_punct(demo_md)
    rd = ReportData(demo_dict)
    trends = [rd.trend(n)[0] for n in rd.indicator_numbers]
    steady, same = trends.count("steady_better"), trends.count("same")
    assert (steady, same) == (25, 2)  # 12 污水集中处理设施 and 30 编制园区绿色发展规划 the same every year
    para = next(line for line in md.splitlines() if line.startswith("2022—2024年共31项指标中,"))
    assert para.startswith(f"2022—2024年共31项指标中,持续向好{steady}项、总体向好但有波动2项、持平{same}项、无法比较2项")
    assert ("(“持续向好”指逐年向好或持平,且至少一年向好;“持平”指各年均与上年持平;"
            "“总体向好但有波动”指首末年比较向好但中间年份变差)。") in para
    assert f"2022—2024年持续向好(逐年向好或持平,且至少一年向好)的指标共{steady}项:" in md
    listed = _section(md, "持续向好(逐年向好或持平,且至少一年向好)的指标共", "\n")
    assert "污水集中处理设施" not in listed and "编制园区绿色发展规划" not in listed


# ------------------------------------------------------------------ the report stays deterministic

def test_the_marked_report_is_the_same_every_time(doubtful_dict, tmp_path):
    blocks = [build_report(ReportData(copy.deepcopy(doubtful_dict)), []) for _ in range(2)]
    assert blocks[0] == blocks[1]
    assert _md(doubtful_dict, tmp_path, "a.md") == _md(doubtful_dict, tmp_path, "b.md")
