"""Session 10 review: hostile input for the session's features and the report read as the bureau reads it.

Covered: the notation helpers on web addresses, file names and English sentences (zhnotation); the annex's specialised
total, which gets no second grade (每年只有一个评级); a formula that shows nothing in an inserted workbook row; the own
coefficient as a date, TRUE, 1e400 or with two units; a carrier quantity of 1e400; an overlay requirement linked to a
kind of demonstrative work defined by another overlay, in either order; general_* keys of the wrong type in a
diagnosis.json. Expected values are worked out by hand here from conversion.yaml (0.7143 kgce/kg raw coal) and the demo
park (10000 t raw coal in 2024), never by the code under test.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import zipfile

import openpyxl
import pytest

import greendiag
from greendiag.errors import CatalogueError, DatasetError, ReportError
from greendiag.excel import write_template
from greendiag.reports import render_report
from greendiag.yamlio import read_document
from greendiag.zhnotation import unit_superscripts, zh_dates, zh_notation
from greendiag.reports.zhtext import zh_text

from excel_edits import excel_insert_row  # noqa: E402  (tests/ is on sys.path)

CARRIERS = "分品种能源"


# ---------------------------------------------------------------------------------------------- notation


@pytest.mark.parametrize(("text", "kept"), [
    ("证明材料:https://example.org/m3/2024-01-05/report.pdf", "https://example.org/m3/2024-01-05/report.pdf"),
    ("见 www.example.com/km2/list 页", "www.example.com/km2/list"),
    ("合同 2024-01-05.pdf", "2024-01-05.pdf"),
    ("Audit report dated 2024-03-01", "dated 2024-03-01"),
    ("证明:Audit report dated 2024-03-01", "dated 2024-03-01"),
    ("A follow-up report is due (by 2026-04-15)", "(by 2026-04-15)"),
])
def test_addresses_file_names_and_english_sentences_keep_their_units_and_dates(text, kept):
    # nothing in these is a unit to superscript or a Chinese date: what is typed stays (the Chinese colon may change)
    out = zh_text(text)
    assert kept in out
    assert "m³" not in out and "km²" not in out and "年" not in out


def test_chinese_dates_and_units_still_convert():
    assert zh_dates("(应于 2026-04-15 前)") == "(应于2026年4月15日前)"
    assert zh_dates("诊断日期 2025-03-10。") == "诊断日期2025年3月10日。"
    assert unit_superscripts("水资源产出率 元/m3,用地 亿元/km2") == "水资源产出率 元/m³,用地 亿元/km²"
    # the address is left alone, the unit beside it converts
    assert zh_notation("用水 5.6 m3(https://x.org/m3)") == "用水 5.6 m³(https://x.org/m3)"


# ---------------------------------------------------------------------------------------------- one grade per year


def test_the_specialised_total_in_the_annex_gets_no_second_grade(root, tmp_path, water):
    rules = greendiag.load_rules(root / "examples" / "rules" / "water-cascade-rules.yaml", catalogue=water)
    diag = greendiag.diagnose(root / "examples" / "demo-park.yaml", catalogue=water, rules=rules, backend="python")
    md = render_report(diag, tmp_path / "r.md", "md")
    text = open(md, encoding="utf-8").read()
    lines = [line for line in text.splitlines() if re.match(r"20\d\d年含专项诊断指标的总分", line)]
    assert len(lines) == 3  # one under each year's table of specialised indicators
    for line in lines:
        assert "评级：" not in line and "不另评级" in line  # 二、5 says the total with the specialised indicators is not graded
    assert "含专项诊断指标的总分仅作补充，不另评级" in text
    # the guide's total keeps its grade
    assert re.search(r"2024年诊断总分：[\d.]+分，评级：", text)


# ---------------------------------------------------------------------------------------------- workbook


def _with_cached_text(path, sheet: str, coordinate: str, cached: str) -> None:
    """Store the text result Excel would have cached for the formula of a saved cell (t="str")."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', book).group(1)
        target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels).group(1).lstrip("/")
        part = target if target.startswith("xl/") else "xl/" + target
        items = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    xml = items[part].decode()
    m = re.search(rf'<c r="{coordinate}"([^>]*?)(?: t="\w+")?>(<f>.*?</f>)(?:<v>.*?</v>|<v\s*/>)?</c>', xml)
    assert m, coordinate
    items[part] = (xml[:m.start()] + f'<c r="{coordinate}"{m.group(1)} t="str">{m.group(2)}<v>{cached}</v></c>' + xml[m.end():]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items.items():
            out.writestr(name, data)


@pytest.fixture(scope="module")
def prefilled(tmp_path_factory, catalogue, demo_dataset):
    path = tmp_path_factory.mktemp("review10") / "prefilled.xlsx"
    write_template(path, catalogue, dataset=demo_dataset)
    return path


def _row_of(ws, key: str) -> int:
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]
    return row


def _inserted_formula(prefilled, tmp_path, cached: str):
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[CARRIERS]
    ws.protection.sheet = False
    row = _row_of(ws, "carrier:3:raw_coal") + 1
    excel_insert_row(ws, row)
    ws.cell(row, 7).value = '=IF(1>2,5,"")'  # 消费量 (G)
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    _with_cached_text(path, CARRIERS, f"G{row}", cached)
    return path, row


def test_an_inserted_row_whose_formula_shows_nothing_holds_no_data(prefilled, tmp_path, catalogue):
    path, _ = _inserted_formula(prefilled, tmp_path, "")
    ds = greendiag.load_dataset(path, catalogue=catalogue)
    (coal,) = [c for c in ds.energy_by_carrier if c.carrier == "raw_coal" and c.year == 2024]
    assert coal.tce == pytest.approx(7143.0)  # 10000 t = 1e7 kg × 0.7143 kgce/kg ÷ 1000


def test_an_inserted_row_whose_formula_shows_a_value_is_still_reported(prefilled, tmp_path, catalogue):
    path, row = _inserted_formula(prefilled, tmp_path, "120")
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert [(p.code, p.location) for p in exc.value.problems] == [("row-not-in-template", f"{CARRIERS}!G{row}")]


@pytest.mark.parametrize(("typed", "code", "zh", "en"), [
    (dt.datetime(2024, 1, 5), "date-not-number", "实测折标系数单元格是日期(2024-01-05)", "holds a date (2024-01-05)"),
    (True, "not-a-number", "折标系数“TRUE”不是数值", "'TRUE' is not a number"),
])
def test_an_own_coefficient_cell_holding_a_date_or_true_is_located(prefilled, tmp_path, catalogue, typed, code, zh, en):
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[CARRIERS]
    row = _row_of(ws, "carrier:3:raw_coal")
    ws.cell(row, 9).value = typed  # 实测折标系数 (I)
    ws.cell(row, 10).value = "H-1 煤质化验报告"
    path = tmp_path / "own.xlsx"
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    (p,) = exc.value.problems
    assert (p.code, p.location) == (code, f"{CARRIERS}!I{row}")
    assert zh in p.message_zh and en in p.message_en and p.fix_zh and p.fix_en


# ---------------------------------------------------------------------------------------------- dataset


@pytest.fixture(scope="module")
def demo_raw(root):
    return read_document(root / "examples" / "demo-park.yaml").data


def _coal(demo_raw, **entry):
    data = copy.deepcopy(demo_raw)
    block = next(b for b in data["years"] if b["year"] == 2024)
    block["energy_by_carrier"]["raw_coal"].update(entry)
    return data


def _problems(data):
    with pytest.raises(DatasetError) as exc:
        greendiag.dataset_from_dict(data)
    return exc.value.problems


def test_a_coefficient_beyond_a_float_is_too_large_not_no_number(demo_raw):
    (p,) = _problems(_coal(demo_raw, coefficient={"value": "1e400 kJ/kg", "evidence": "H-1"}))
    assert (p.code, p.location) == ("number-too-large", "$.years[3].energy_by_carrier.raw_coal.coefficient.value")
    assert "超出浮点数范围" in p.message_zh and "beyond the range of a float" in p.message_en and p.fix_zh and p.fix_en


def test_a_quantity_beyond_a_float_is_too_large_not_no_number(demo_raw):
    (p,) = _problems(_coal(demo_raw, value="1e400 t"))
    assert (p.code, p.location) == ("number-too-large", "$.years[3].energy_by_carrier.raw_coal.value")


def test_a_coefficient_with_two_different_units_is_refused(demo_raw):
    (p,) = _problems(_coal(demo_raw, coefficient={"value": "0.7 kgce/kg", "unit": "kJ/kg", "evidence": "H-1"}))
    assert (p.code, p.location) == ("conflicting-unit", "$.years[3].energy_by_carrier.raw_coal.coefficient.value")
    assert "kgce/kg" in p.message_zh and "kJ/kg" in p.message_zh and "contradicts" in p.message_en


def test_a_coefficient_in_a_unit_of_another_kind_reads_neither_nor(demo_raw):
    (p,) = _problems(_coal(demo_raw, coefficient={"value": "70%", "evidence": "H-1"}))
    assert p.code == "coefficient-unit"
    assert "neither kgce/kg" in p.message_en and " nor kJ/kg" in p.message_en


@pytest.mark.parametrize(("typed", "tce"), [
    ("０.７ kgce/kg", 7000.0),  # full-width digits: 1e7 kg × 0.7 ÷ 1000
    ("700 kgce/t", 7000.0),  # per tonne: 0.7 kgce/kg
    ("0.7 tce/t", 7000.0),
    ("20.934 GJ/t", 7143.0),  # 20934 kJ/kg ÷ 29307 = 0.714300 kgce/kg → 7143.0 tce
])
def test_a_coefficient_in_other_writings_converts(demo_raw, typed, tce):
    ds = greendiag.dataset_from_dict(_coal(demo_raw, coefficient={"value": typed, "evidence": "H-1"}))
    (coal,) = [c for c in ds.energy_by_carrier if c.carrier == "raw_coal" and c.year == 2024]
    assert coal.tce == pytest.approx(tce, rel=1e-4)


# ---------------------------------------------------------------------------------------------- overlays

_HEAD = """overlay:
  id: {id}
  version: 0.1.0
  title_zh: 测试扩展{id}
  title_en: Test overlay {id}
  description_zh: 测试用
  description_en: test
  extends: {{id: bj-green-park-2024, version: '>=1.0,<2'}}
"""
_KIND = """demonstration_kinds:
  - id: pv_station
    name_zh: 光储充一体化示范站
    name_en: PV-storage-charging demonstration station
    sources: [{doc: bj-guide-2024, clause: "四(三)3 其他方面"}]
    indicators: [renewable_energy_share]
"""
_REQ = """requirements:
  - number: {n}
    id: pv_station_req_{n}
    demonstration: pv_station
    text_zh: 鼓励园区建设光储充一体化示范站。
    text_en: The park is encouraged to build a PV-storage-charging station.
    mandatory: false
    sources: [{{doc: bj-guide-2024, clause: "四(三)3"}}]
"""


@pytest.fixture()
def overlays(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text(_HEAD.format(id="ov-a") + _KIND + _REQ.format(n=9), encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text(_HEAD.format(id="ov-b") + _REQ.format(n=10), encoding="utf-8")
    return a, b


def test_a_requirement_may_name_its_own_overlays_kind_or_one_of_another_loaded_in_either_order(overlays):
    a, b = overlays
    first, second = greendiag.load_catalogue(a, b), greendiag.load_catalogue(b, a)
    assert first == second
    assert {r.number: r.demonstration for r in first.requirements if r.number > 8} == {9: "pv_station", 10: "pv_station"}


def test_a_kind_of_an_overlay_not_loaded_is_a_located_catalogue_error(overlays):
    _, b = overlays
    with pytest.raises(CatalogueError) as exc:
        greendiag.load_catalogue(b)
    (p,) = exc.value.problems
    assert p.code == "unknown-demonstration-kind" and p.file == str(b)
    assert p.location == "$.requirements[0].demonstration"
    assert "pv_station" in p.message_zh and "pv_station" in p.message_en and "须同时加载该扩展" in p.fix_zh and "loaded" in p.fix_en


# ---------------------------------------------------------------------------------------------- diagnosis.json


@pytest.fixture(scope="module")
def overlay_diagnosis(root, water):
    rules = greendiag.load_rules(root / "examples" / "rules" / "water-cascade-rules.yaml", catalogue=water)
    diag = greendiag.diagnose(root / "examples" / "demo-park.yaml", catalogue=water, rules=rules, backend="python")
    return json.loads(diag.to_json())


@pytest.mark.parametrize(("key", "bad"), [
    ("general_from_score", "95.1"), ("general_to_score", True), ("general_delta", [1]),
    ("general_data_gaps", {"a": 1}), ("general_data_gaps", ["x"]), ("general_delta_without_data_gaps", "0"),
])
def test_general_keys_of_the_wrong_type_are_located_errors(overlay_diagnosis, tmp_path, key, bad):
    d = copy.deepcopy(overlay_diagnosis)
    assert key in d["score_changes"][0]  # the keys are there to be damaged
    d["score_changes"][0][key] = bad
    with pytest.raises(ReportError) as exc:  # a dict read from no file: the report's own error class
        render_report(d, tmp_path / "r.md", "md")
    p = exc.value.problems[0]
    assert p.location.startswith(f"$.score_changes[0].{key}")
    assert p.message_zh and p.message_en and p.fix_zh and p.fix_en
