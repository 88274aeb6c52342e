"""The guide's 四(三)3 check of demonstrative work (示范性工作): the kinds in the catalogue (and an overlay's), the dataset
section and its errors, the workbook sheet, the rule when the check is not recorded (both backends), diagnosis.json and
the report. Expected values are written out by hand from the guide and the demo park's YAML."""

from __future__ import annotations

import copy
import json

import attrs
import openpyxl
import pytest
import yaml

import greendiag
from greendiag.errors import CatalogueError, DatasetError, OverlayConflictError, UnknownEntryError
from greendiag.excel.writer import write_template
from greendiag.reports import render_report

from conftest import DEMO, plain_punct

OVERLAY_HEAD = """overlay:
  id: demo-extra
  version: 1.0.0
  title_zh: 示范扩展
  title_en: Demonstration extension
  extends: {id: bj-green-park-2024, version: '>=1.0,<2'}
"""


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def _data(raw: dict, work) -> dict:
    """The demo park with `demonstration_work` replaced (left out when `work` is None)."""
    d = copy.deepcopy(raw)
    d.pop("demonstration_work", None)
    if work is not None:
        d["demonstration_work"] = work
    return d


def _problems(exc) -> list[tuple[str, str]]:
    return [(p.code, p.location) for p in exc.value.problems]


# ------------------------------------------------------------------ catalogue


def test_the_catalogue_lists_the_four_kinds_the_guide_names_and_other(catalogue, rulebase):
    kinds = catalogue.demonstration_kinds
    assert [k.id for k in kinds] == ["water_cascade", "integrated_energy_station", "hazardous_waste_centre", "hydrogen_low_carbon", "other"]
    assert [k.name_zh for k in kinds] == ["水的梯级利用推广", "多能互补的综合能源站", "危险废物集中收集转运设施", "氢能等低碳新能源示范应用",
                                          "其他具有示范意义的绿色制造相关工作"]
    assert [k.titled for k in kinds] == [False, False, False, False, True]
    # every kind cites 四(三)3 with the guide's own words
    guide_words = ["园区开展水的梯级利用推广工作", "建设多能互补的综合能源站", "建设危险废物集中收集转运设施", "开展氢能等低碳新能源的示范应用",
                   "核查园区是否在其他方面开展了具有示范意义的绿色制造相关工作"]
    for k, words in zip(kinds, guide_words):
        assert k.sources[0].doc == "bj-guide-2024" and k.sources[0].clause == f"四(三)3“{words}”"
    # the related measures are those of rules/measures.yaml that cite the same clause
    assert [k.measure for k in kinds] == ["water_cascade_use", "integrated_energy_station", "hazardous_waste_centre",
                                          "hydrogen_low_carbon_demo", None]
    measures = {m.id: m for m in rulebase.measures}
    for k in kinds[:4]:
        assert measures[k.measure].basis.clause.startswith("四(三)3")
    assert all(catalogue.has_indicator(i) for k in kinds for i in k.indicators)
    assert catalogue.demonstration_kind("other").titled
    with pytest.raises(UnknownEntryError) as info:
        catalogue.demonstration_kind("water")
    assert info.value.problems[0].code == "unknown-demonstration-kind" and "water_cascade" in info.value.problems[0].fix_zh


# an overlay adding a kind of demonstrative work (the guide's list ends with 等)
ZERO_CARBON = """demonstration_kinds:
  - id: zero_carbon_building
    name_zh: 近零碳建筑示范
    name_en: Near-zero-carbon building demonstration
    sources: [{doc: bj-guide-2024, clause: "四(三)3“等”"}]
    indicators: [green_industrial_buildings]
"""


def _overlay(tmp_path, body: str, name: str = "extra.yaml"):
    path = tmp_path / name
    path.write_text(OVERLAY_HEAD + body, encoding="utf-8")
    return path


def test_an_overlay_adds_a_kind_that_data_can_use(tmp_path, raw):
    path = _overlay(tmp_path, ZERO_CARBON)
    cat = greendiag.load_catalogue(path)
    added = cat.demonstration_kinds[-1]
    assert (added.id, added.origin, added.replaces, added.titled) == ("zero_carbon_building", "demo-extra", None, False)
    assert [k.id for k in cat.demonstration_kinds[:5]] == [k.id for k in greendiag.load_catalogue().demonstration_kinds]
    ds = greendiag.dataset_from_dict(_data(raw, [{"kind": "zero_carbon_building", "status": "在建"}]), catalogue=cat)
    assert ds.demonstration == (greendiag.models.DemonstrationWork("zero_carbon_building", "under_construction"),)
    # without the overlay the kind is unknown, and the fix says an overlay may define it
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(_data(raw, [{"kind": "zero_carbon_building", "status": "在建"}]))
    (p,) = info.value.problems
    assert p.code == "unknown-demonstration-kind" and p.location == "$.demonstration_work[0].kind" and "--overlay" in p.fix_zh


def test_an_overlay_kind_conflicts_like_other_entries(tmp_path):
    body = """demonstration_kinds:
  - id: water_cascade
    name_zh: 水的梯级利用推广(省级口径)
    name_en: Cascading water use (provincial reading)
    sources: [{doc: bj-guide-2024, clause: "四(三)3"}]
"""
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(_overlay(tmp_path, body))
    (p,) = info.value.problems
    assert p.code == "overlay-conflict" and p.location == "$.demonstration_kinds[0]" and "override: true" in p.message_zh
    replaced = greendiag.load_catalogue(_overlay(tmp_path, body.replace("    sources:", "    override: true\n    sources:"), "override.yaml"))
    kind = replaced.demonstration_kind("water_cascade")
    assert (kind.name_zh, kind.origin, kind.replaces, kind.measure) == ("水的梯级利用推广(省级口径)", "demo-extra", "bj-green-park-2024", None)
    assert [k.id for k in replaced.demonstration_kinds].count("water_cascade") == 1


def test_an_overlay_kind_naming_an_unknown_indicator_is_refused(tmp_path):
    path = _overlay(tmp_path, """demonstration_kinds:
  - id: zero_carbon_building
    name_zh: 近零碳建筑示范
    name_en: Near-zero-carbon building demonstration
    sources: [{doc: bj-guide-2024, clause: "四(三)3"}]
    indicators: [green_buildingz]
""")
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    (p,) = info.value.problems
    assert p.code == "unknown-indicator" and p.location == "$.demonstration_kinds[0].indicators[0]" and "green_buildingz" in p.message_zh


# ------------------------------------------------------------------ dataset


def test_the_demo_park_records_five_entries(demo_dataset):
    W = greendiag.models.DemonstrationWork
    assert [(w.kind, w.status, w.title_zh) for w in demo_dataset.demonstration] == [
        ("water_cascade", "done", None), ("integrated_energy_station", "under_construction", None),
        ("hazardous_waste_centre", "not_done", None), ("hydrogen_low_carbon", "planned", None),
        ("other", "done", "园区能源监测管理平台(虚构)")]
    assert demo_dataset.demonstration[-1] == W("other", "done", "园区能源监测管理平台(虚构)", "Park energy monitoring platform (fictitious)",
                                              "覆盖园区80家重点用能企业的能耗在线监测平台已上线运行(虚构)。", "平台验收报告(虚构)")


def test_absent_empty_and_none_found_are_told_apart(raw):
    assert greendiag.dataset_from_dict(_data(raw, None)).demonstration is None  # not recorded
    assert greendiag.dataset_from_dict(_data(raw, [])).demonstration == ()  # checked, none found
    # statuses in Chinese or as ids (any case, spaces or hyphens)
    ds = greendiag.dataset_from_dict(_data(raw, [{"kind": "water_cascade", "status": "未开展"},
                                                 {"kind": "hydrogen_low_carbon", "status": "Under Construction"},
                                                 {"kind": "other", "status": "not-done", "title_zh": "光储充一体化"},
                                                 {"kind": "other", "status": "计划中", "title_zh": "零碳工厂"}]))
    assert [(w.kind, w.status, w.title_zh) for w in ds.demonstration] == [
        ("water_cascade", "not_done", None), ("hydrogen_low_carbon", "under_construction", None),
        ("other", "not_done", "光储充一体化"), ("other", "planned", "零碳工厂")]


def test_every_error_is_located_with_a_fix(raw, tmp_path):
    work = [{"kind": "water_cascad", "status": "已开展"},  # unknown kind, with a did-you-mean
            {"kind": "hydrogen_low_carbon", "status": "done"},
            {"kind": "hydrogen_low_carbon", "status": "planned"},  # duplicate kind
            {"kind": "other", "status": "done"},  # other without a title
            {"kind": "other", "status": "done", "title_zh": "零碳工厂"},
            {"kind": "other", "status": "planned", "title_zh": "零碳工厂"},  # the same title twice
            {"kind": "integrated_energy_station", "status": "maybe"}]  # bad status
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(_data(raw, work), allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    assert _problems(info) == [("unknown-demonstration-kind", "$.demonstration_work[0].kind"),
                               ("duplicate-demonstration-kind", "$.demonstration_work[2].kind"),
                               ("demonstration-title-missing", "$.demonstration_work[3].title_zh"),
                               ("duplicate-demonstration-kind", "$.demonstration_work[5].kind"),
                               ("bad-demonstration-status", "$.demonstration_work[6].status")]
    by_code = {}
    for p in info.value.problems:
        assert p.file == str(path) and p.line and p.fix_zh and p.fix_en, p
        by_code.setdefault(p.code, p)
    assert by_code["unknown-demonstration-kind"].fix_zh.startswith("是否指:water_cascade?")
    assert by_code["duplicate-demonstration-kind"].message_zh == "示范性工作“氢能等低碳新能源示范应用”重复填写(另见第2项)"
    assert by_code["demonstration-title-missing"].message_zh == "示范性工作第4项为“其他具有示范意义的绿色制造相关工作”,须填写标题"
    assert [p.message_zh for p in info.value.problems][3] == "示范性工作“零碳工厂”(其他具有示范意义的绿色制造相关工作)重复填写(另见第5项)"
    assert by_code["bad-demonstration-status"].message_zh == "示范性工作“多能互补的综合能源站”的核查情况“maybe”不是可选值"
    assert "已开展、在建、计划中、未开展" in by_code["bad-demonstration-status"].fix_zh
    # a missing status or kind is the schema's (required fields)
    with pytest.raises(DatasetError) as info:
        greendiag.dataset_from_dict(_data(raw, [{"kind": "water_cascade"}]))
    assert _problems(info) == [("schema-required", "$.demonstration_work[0]")]


# ------------------------------------------------------------------ workbook


def _sheet_cells(ws):
    """{row key: row}, {header text (first line): column} of the 示范性工作 sheet."""
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    cols = {str(ws.cell(2, c).value).split("\n")[0]: c for c in range(2, ws.max_column + 1) if ws.cell(2, c).value}
    return rows, cols


def test_the_demo_workbook_round_trips_to_the_yaml(tmp_path, catalogue, demo_dataset, root):
    path = tmp_path / "demo.xlsx"
    write_template(path, catalogue, dataset=demo_dataset)
    got = greendiag.load_dataset(path, catalogue=catalogue)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset
    bundled = greendiag.load_dataset(root / "examples" / "demo-park.xlsx", catalogue=catalogue)
    assert bundled.demonstration == demo_dataset.demonstration
    ws = openpyxl.load_workbook(path)["示范性工作"]
    rows, cols = _sheet_cells(ws)
    assert list(cols) == ["序号", "工作类别", "名称", "Title", "核查情况", "情况说明", "证明材料索引"]
    assert [k for k in rows if k.startswith("demo:")] == ["demo:water_cascade", "demo:integrated_energy_station", "demo:hazardous_waste_centre",
                                                          "demo:hydrogen_low_carbon"] + [f"demo:other#{n}" for n in range(1, 6)]
    assert ws.cell(rows["demo:hazardous_waste_centre"], cols["核查情况"]).value == "未开展"
    assert ws.cell(rows["demo:other#1"], cols["名称"]).value == "园区能源监测管理平台(虚构)"
    assert ws.cell(rows["demo:water_cascade"], cols["工作类别"]).protection.locked
    assert not ws.cell(rows["demo:water_cascade"], cols["核查情况"]).protection.locked
    status_lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert status_lists == ['"已开展,在建,计划中,未开展"']


def _workbook(tmp_path, catalogue, demo_dataset, edit=None, name="park.xlsx"):
    """The demo park's workbook without the check recorded, edited on its 示范性工作 sheet by `edit(ws, rows, cols)`."""
    path = tmp_path / name
    write_template(path, catalogue, dataset=attrs.evolve(demo_dataset, demonstration=None))
    if edit is not None:
        wb = openpyxl.load_workbook(path)
        ws = wb["示范性工作"]
        edit(ws, *_sheet_cells(ws))
        wb.save(path)
    return path


def test_a_workbook_left_empty_or_without_the_sheet_does_not_record_the_check(tmp_path, catalogue, demo_dataset):
    assert greendiag.load_dataset(_workbook(tmp_path, catalogue, demo_dataset), catalogue=catalogue).demonstration is None
    path = _workbook(tmp_path, catalogue, demo_dataset, name="older.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb["示范性工作"]  # a workbook made before the sheet existed
    wb.save(path)
    assert greendiag.load_dataset(path, catalogue=catalogue).demonstration is None


def test_none_found_is_recorded_as_not_done_and_round_trips(tmp_path, catalogue, demo_dataset):
    def none_found(ws, rows, cols):
        for kind in ("water_cascade", "integrated_energy_station", "hazardous_waste_centre", "hydrogen_low_carbon"):
            ws.cell(rows[f"demo:{kind}"], cols["核查情况"]).value = "未开展"

    ds = greendiag.load_dataset(_workbook(tmp_path, catalogue, demo_dataset, none_found), catalogue=catalogue)
    W = greendiag.models.DemonstrationWork
    assert ds.demonstration == (W("water_cascade", "not_done"), W("integrated_energy_station", "not_done"),
                                W("hazardous_waste_centre", "not_done"), W("hydrogen_low_carbon", "not_done"))
    # an empty list (checked, none found) is written as 未开展 on every kind: read back with the same meaning
    path = tmp_path / "empty.xlsx"
    write_template(path, catalogue, dataset=attrs.evolve(demo_dataset, demonstration=()))
    assert greendiag.load_dataset(path, catalogue=catalogue).demonstration == ds.demonstration


def test_workbook_problems_are_at_their_cells(tmp_path, catalogue, demo_dataset):
    def bad(ws, rows, cols):
        ws.cell(rows["demo:water_cascade"], cols["情况说明"]).value = "有说明,没有核查情况"
        ws.cell(rows["demo:integrated_energy_station"], cols["核查情况"]).value = "也许"
        ws.cell(rows["demo:other#2"], cols["核查情况"]).value = "已开展"
        ws.cell(rows["demo:other#3"], cols["名称"]).value = "零碳工厂"
        ws.cell(rows["demo:other#3"], cols["核查情况"]).value = "在建"
        ws.cell(rows["demo:other#4"], cols["名称"]).value = "零碳工厂"
        ws.cell(rows["demo:other#4"], cols["核查情况"]).value = "计划中"

    path = _workbook(tmp_path, catalogue, demo_dataset, bad)
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert _problems(info) == [("required", "示范性工作!F3"), ("bad-demonstration-status", "示范性工作!F4"),
                               ("demonstration-title-missing", "示范性工作!D8"), ("duplicate-demonstration-kind", "示范性工作!C10")]
    assert all(p.file == str(path) and p.fix_zh for p in info.value.problems)


# ------------------------------------------------------------------ diagnosis, rules, diagnosis.json


RULE = "engagement.demonstration.unrecorded"


@pytest.mark.parametrize("backend", ["durable", "python"])
def test_the_rule_notes_an_unrecorded_check_on_both_backends(raw, backend):
    absent = greendiag.diagnose(_data(raw, None), backend=backend)
    (f,) = [f for f in absent.findings if f.rule_id == RULE]
    assert (f.kind, f.severity, f.report) == ("compliance", "low", "note")
    assert f.source["doc"] == "bj-guide-2024" and f.source["clause"].startswith("四(三)3“工作组应核查园区是否在其他方面开展了")
    assert f.message_zh.startswith("未记录示范性工作的核查情况") and f.message_en.startswith("The check of demonstrative work is not recorded")
    assert RULE in absent.engagement["checks_failed"]
    for work in ([], [{"kind": "water_cascade", "status": "未开展"}], raw["demonstration_work"]):
        recorded = greendiag.diagnose(_data(raw, work), backend=backend)
        assert RULE not in [f.rule_id for f in recorded.findings]


def test_both_backends_agree(raw):
    for work in (None, [], raw["demonstration_work"]):
        a, b = (greendiag.diagnose(_data(raw, work), backend=x) for x in ("durable", "python"))
        assert a.findings == b.findings and a.to_json() == b.to_json()


def test_diagnosis_json_carries_the_recorded_work(demo_dataset, raw):
    d = greendiag.diagnose(demo_dataset)
    assert d.demonstration[0] == greendiag.diagnosis.DemonstrationEntry(
        "water_cascade", "水的梯级利用推广", "Promotion of cascading water use", None, None, "done", "已开展", "carried out",
        "先进制造区电子企业清洗废水经分质处理后用于冷却塔补水和园区绿化浇灌,2024年梯级利用水量约38万立方米(虚构)。", "园区水平衡测试报告(2024)(虚构)",
        "water_cascade_use", ("water_productivity", "industrial_water_reuse", "reclaimed_water_reuse", "wastewater_per_value_added"),
        "四(三)3“园区开展水的梯级利用推广工作”")
    out = d.to_dict()["demonstration_work"]
    assert out["recorded"] is True
    assert [(w["kind"], w["status"], w["status_zh"], w["status_en"]) for w in out["items"]] == [
        ("water_cascade", "done", "已开展", "carried out"), ("integrated_energy_station", "under_construction", "在建", "under construction"),
        ("hazardous_waste_centre", "not_done", "未开展", "not carried out"), ("hydrogen_low_carbon", "planned", "计划中", "planned"),
        ("other", "done", "已开展", "carried out")]
    assert out["items"][-1]["title_zh"] == "园区能源监测管理平台(虚构)" and out["items"][-1]["indicators"] == []
    kinds = [{"kind": k, "name_zh": zh, "name_en": en, "titled": k == "other"} for k, zh, en in (
        ("water_cascade", "水的梯级利用推广", "Promotion of cascading water use"),
        ("integrated_energy_station", None, None), ("hazardous_waste_centre", None, None),
        ("hydrogen_low_carbon", None, None), ("other", None, None))]
    none = greendiag.diagnose(_data(raw, None)).to_dict()["demonstration_work"]
    assert (none["recorded"], none["items"]) == (False, []) and none["kinds"][0] == kinds[0]
    assert [(k["kind"], k["titled"]) for k in none["kinds"]] == [(k["kind"], k["titled"]) for k in kinds]
    empty = greendiag.diagnose(_data(raw, [])).to_dict()["demonstration_work"]
    assert (empty["recorded"], empty["items"], empty["kinds"]) == (True, [], none["kinds"])


def test_to_dict_is_deterministic_and_in_catalogue_order(raw):
    shuffled = list(reversed(raw["demonstration_work"]))
    a, b = greendiag.diagnose(_data(raw, shuffled)), greendiag.diagnose(_data(raw, raw["demonstration_work"]))
    assert [w["kind"] for w in a.to_dict()["demonstration_work"]["items"]] == [
        "water_cascade", "integrated_energy_station", "hazardous_waste_centre", "hydrogen_low_carbon", "other"]
    assert a.to_json() == b.to_json() == greendiag.diagnose(_data(raw, shuffled)).to_json()
    assert json.loads(a.to_json())["demonstration_work"] == a.to_dict()["demonstration_work"]
    assert isinstance(a.demonstration, tuple) and isinstance(a.demonstration[0].indicators, tuple)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):  # an immutable result
        a.demonstration[0].status = "not_done"


# ------------------------------------------------------------------ report


def _report(d, tmp_path, name) -> str:
    return plain_punct(open(render_report(d.to_dict(), tmp_path / name, "md"), encoding="utf-8").read())


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def test_the_report_lists_the_work_in_3_3_and_the_done_items_as_highlights(demo_dataset, tmp_path):
    md = _report(greendiag.diagnose(demo_dataset), tmp_path, "demo.md")
    three = _between(md, "3. 已开展的重点工作和取得的成绩", "4. 存在问题")
    assert "示范性工作核查(指南四(三)3):" in three
    assert ("- 水的梯级利用推广:已开展。先进制造区电子企业清洗废水经分质处理后用于冷却塔补水和园区绿化浇灌,2024年梯级利用水量约38万立方米(虚构)。"
            "证明材料:园区水平衡测试报告(2024)(虚构)。") in three
    assert "- 多能互补的综合能源站:在建。" in three and "- 氢能等低碳新能源示范应用:计划中。" in three
    assert "- 其他:园区能源监测管理平台(虚构)——已开展。" in three
    assert "未开展:危险废物集中收集转运设施。" in three
    highlights = _between(md, "1. 工作亮点", "2. 存在问题")
    assert "- 已开展具有示范意义的绿色制造相关工作:水的梯级利用推广、园区能源监测管理平台(虚构)。" in highlights


def test_the_report_says_when_the_check_is_not_recorded_or_found_nothing(raw, tmp_path):
    md = _report(greendiag.diagnose(_data(raw, None)), tmp_path, "absent.md")
    three = _between(md, "3. 已开展的重点工作和取得的成绩", "4. 存在问题")
    assert "示范性工作核查(指南四(三)3):数据未记录此项核查" in three
    assert "已开展具有示范意义" not in _between(md, "1. 工作亮点", "2. 存在问题")
    none = [{"kind": "water_cascade", "status": "未开展"}, {"kind": "hazardous_waste_centre", "status": "未开展"}]
    md = _report(greendiag.diagnose(_data(raw, none)), tmp_path, "none.md")
    assert ("示范性工作核查(指南四(三)3):经现场核查,未发现园区在其他方面开展具有示范意义的绿色制造相关工作"
            "(水的梯级利用推广、危险废物集中收集转运设施均未开展)。") in md
    assert "未核查:多能互补的综合能源站、氢能等低碳新能源示范应用。" in md  # the guide's kinds without an entry
    # a diagnosis.json written before the key existed reads as not recorded
    d = greendiag.diagnose(_data(raw, raw["demonstration_work"])).to_dict()
    del d["demonstration_work"]
    old = plain_punct(open(render_report(d, tmp_path / "old.md", "md"), encoding="utf-8").read())
    assert "数据未记录此项核查" in old


def test_an_overlay_kind_left_without_an_entry_is_named_unchecked_in_the_report(tmp_path, raw):
    from conftest import plain_punct
    from greendiag.reports import render_report

    path = _overlay(tmp_path, ZERO_CARBON)
    cat = greendiag.load_catalogue(path)
    ds = greendiag.dataset_from_dict(_data(raw, [{"kind": "water_cascade", "status": "已开展"}]), catalogue=cat)
    d = greendiag.diagnose(ds, catalogue=cat, backend="python")
    kinds = d.to_dict()["demonstration_work"]["kinds"]
    assert [k["kind"] for k in kinds] == [k.id for k in cat.demonstration_kinds] and len(kinds) == 6
    assert {"kind": "zero_carbon_building", "name_zh": "近零碳建筑示范", "name_en": "Near-zero-carbon building demonstration",
            "titled": False} in kinds
    render_report(d, tmp_path / "r.md")
    text = plain_punct((tmp_path / "r.md").read_text(encoding="utf-8"))
    line = next(x for x in text.splitlines() if "未核查" in x and "近零碳建筑示范" in x)
    assert "综合能源站" in line  # the guide's kinds without an entry are in the same sentence
