"""Overlays (专项诊断): the shipped water-cascade overlay, conflicts, override, versions, entry points.

Expected scores are computed here by hand from the method (score = 100 × value / lead, capped at 120)
and the statistics written into the test dataset.
"""

from __future__ import annotations

import importlib.metadata
import math
import pathlib
import sys

import pytest
import yaml

import greendiag
from greendiag import catalogue as catmod
from greendiag.errors import CatalogueError, OverlayConflictError

ROOT = pathlib.Path(__file__).resolve().parent.parent
WATER = ROOT / "examples" / "overlays" / "water-cascade.yaml"
HEAD = "overlay:\n  id: {id}\n  version: 1.0.0\n  title_zh: 测试扩展\n  title_en: test overlay\n  extends: {{id: {base}, version: '{spec}'}}\n"
REL = 1e-12


def _overlay(tmp_path, body: str = "", *, oid="test-overlay", base="bj-green-park-2024", spec=">=1.0,<2", name="o.yaml"):
    path = tmp_path / name
    path.write_text(HEAD.format(id=oid, base=base, spec=spec) + body, encoding="utf-8")
    return path


def _indicator_yaml(**changes) -> str:
    """The packaged definition of indicator 1 (energy_productivity), changed, as an overlay `indicators:` list."""
    ind = yaml.safe_load((ROOT / "catalogue" / "indicators.yaml").read_text(encoding="utf-8"))["indicators"][0]
    ind.update(changes)
    return yaml.safe_dump({"indicators": [ind]}, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def water():
    return greendiag.load_catalogue(WATER)


# ------------------------------------------------------------------ the shipped overlay


def test_water_overlay_extends_the_catalogue(water, catalogue):
    assert water.overlays == (("water-cascade", "1.0.0"),)
    assert water.label == "bj-green-park-2024 1.0.0 + water-cascade 1.0.0"
    assert [i.number for i in water.indicators] == list(range(1, 34))
    new = [i for i in water.indicators if i.origin == "water-cascade"]
    assert [(i.number, i.id, i.category, i.unit, i.direction, i.mandatory) for i in new] == [
        (32, "water_cascade_share", "RG", "%", "higher", False),
        (33, "industrial_reclaimed_water_share", "RG", "%", "higher", False)]
    # the base indicators are untouched
    assert water.indicators[:31] == catalogue.indicators
    assert water.requirement(9).mandatory is False and "梯级利用" in water.requirement(9).text_zh
    assert {s.id for s in water.statistics} - {s.id for s in catalogue.statistics} == {"water_cascaded", "reclaimed_water_industrial"}
    added = {r.id: r for r in water.references if r.origin == "water-cascade"}
    assert set(added) == {"water-efficiency-plan-reuse-2025", "national-reuse-2021", "bj-water-use-2023", "ndrc-reclaimed-jjj-2025"}
    # 5.6 m³ per 万元 is 10^4 / 5.6 元 per m³ as water productivity
    assert math.isclose(added["bj-water-use-2023"].value, 10000 / 5.6, rel_tol=REL)
    assert added["water-efficiency-plan-reuse-2025"].indicator == "industrial_water_reuse" and added["water-efficiency-plan-reuse-2025"].value == 94


def test_water_overlay_cites_the_guide_and_has_provenance(water):
    for ind in water.indicators[31:]:
        assert any(s.doc == "bj-guide-2024" and "四(三)3" in s.clause for s in ind.sources)
        assert ind.lead_provenance.provisional  # no official lead value exists: said so
        assert ind.definition is not None
    docs = {d.id for d in water.documents}
    for r in water.references:
        assert r.provenance.sources and all(s.doc in docs for s in r.provenance.sources)
    assert any("四(三)3" in s.clause for s in water.requirement(9).sources)


def test_overlay_number_without_provenance_is_refused(tmp_path):
    data = yaml.safe_load(WATER.read_text(encoding="utf-8"))
    del data["indicators"][0]["lead"]["provisional"]
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    p = info.value.problems[0]
    assert p.file == str(path) and p.location == "$.indicators[0].lead" and "provenance" in p.message_en


# ------------------------------------------------------------------ diagnosis with the overlay


def test_demo_park_diagnosed_with_the_overlay(water, demo_path, demo_dataset, catalogue):
    ds = greendiag.load_dataset(demo_path, catalogue=water)
    d = greendiag.diagnose(ds, catalogue=water, backend="python").to_dict()
    rows = {(r["number"], r["year"]): r for r in d["indicators"]}
    for n in (32, 33):
        for y in (2022, 2023, 2024):
            r = rows[(n, y)]
            assert r["status"] == "missing_optional" and r["score"] is None and r["value"] is None
    assert d["catalogue_overlays"] == [["water-cascade", "1.0.0"]]
    assert [r["number"] for r in d["baseline"]] == list(range(1, 10))
    assert d["baseline"][8]["status"] == "unknown" and d["baseline"][8]["mandatory"] is False
    # an encouraged requirement nobody has checked is "not verified", not "not met", and asks for no project
    assert any(f["rule_id"] == "compliance.requirement.encouraged_unknown" and f["requirement"] == 9 for f in d["findings"])
    assert not any(f["requirement"] == 9 and f["rule_id"] == "compliance.requirement.encouraged_not_met" for f in d["findings"])
    assert not any(r["requirement"] == 9 for r in d["recommendations"])
    # optional indicators left out: the totals are those of the base catalogue
    base = greendiag.diagnose(demo_dataset, catalogue=catalogue, backend="python").to_dict()
    assert [t["total"] for t in d["total_scores"]] == [t["total"] for t in base["total_scores"]]
    assert all(32 in t["missing_optional"] and 33 in t["missing_optional"] for t in d["total_scores"])


def test_overlay_indicators_scored_from_raw_statistics(water, demo_path, tmp_path):
    data = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    y2024 = next(b for b in data["years"] if b["year"] == 2024)
    y2024["statistics"].update(water_reused=141_100_000, water_cascaded="1240 万m3", reclaimed_water_industrial=5_000_000)
    y2023 = next(b for b in data["years"] if b["year"] == 2023)
    y2023["indicators"]["water_cascade_share"] = {"value": 14, "evidence": "W-2023 水平衡测试"}
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    d = greendiag.diagnose(greendiag.load_dataset(path, catalogue=water), catalogue=water, backend="python").to_dict()
    rows = {(r["number"], r["year"]): r for r in d["indicators"]}

    # 32 in 2024: 12,400,000 / (141,100,000 + 13,900,000) = 8 %; lead 10 % → 80 points
    r = rows[(32, 2024)]
    assert r["origin"] == "derived" and math.isclose(r["value"], 8.0, rel_tol=REL) and math.isclose(r["score"], 80.0, rel_tol=REL)
    # 32 in 2023 reported: 14 % → 140 points, capped at 120
    r = rows[(32, 2023)]
    assert r["value"] == 14 and r["score"] == 120 and "capped" in r["flags"]
    # 33 in 2024: 5,000,000 / (13,900,000 + 5,000,000) → share; score 100 × share / 31.36
    share = 5_000_000 / (13_900_000 + 5_000_000) * 100
    r = rows[(33, 2024)]
    assert math.isclose(r["value"], share, rel_tol=REL) and math.isclose(r["score"], 100 * share / 31.36, rel_tol=REL)
    assert rows[(33, 2023)]["status"] == "missing_optional"
    # the RG category mean for 2024 includes the two overlay rows
    rg = [r["score"] for (n, y), r in rows.items() if y == 2024 and r["category"] == "RG" and r["score"] is not None]
    cat = next(c for c in d["category_scores"] if c["category"] == "RG" and c["year"] == 2024)
    assert cat["evaluated"] == len(rg) and math.isclose(cat["score"], sum(rg) / len(rg), rel_tol=REL)
    assert 32 not in cat["missing"] and 33 not in cat["missing"]


# ------------------------------------------------------------------ conflicts and override


def test_redefining_an_indicator_without_override_is_a_conflict(tmp_path):
    path = _overlay(tmp_path, _indicator_yaml(lead={"value": 2.5, "provisional": "另一个引领值 (another lead value)"}))
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(path)
    assert isinstance(info.value, CatalogueError)
    p = info.value.problems[0]
    assert p.code == "overlay-conflict" and p.file == str(path) and p.location == "$.indicators[0]" and p.line
    assert "energy_productivity" in p.message_en and "energy_productivity" in p.message_zh
    assert "bj-green-park-2024" in p.message_en  # who defined it first
    assert "override: true" in p.fix_en and "override: true" in p.fix_zh
    assert str(path) in info.value.format("en")


@pytest.mark.parametrize("section,body", [
    ("requirements", "requirements:\n  - {number: 7, id: again, text_zh: 再次, text_en: again, mandatory: true, sources: [{doc: bj-guide-2024, clause: x}]}\n"),
    ("statistics", "statistics:\n  - {id: energy_consumption, name_zh: 能耗, name_en: energy, unit: tce}\n"),
    ("references", "references:\n  - {id: sd-solid-waste, indicator: solid_waste_utilization, method: standard_comparison, label_zh: 参考, label_en: ref,"
                   " value: 75, unit: '%', sources: [{doc: bj-guide-2024, clause: x}]}\n"),
    ("documents", "documents:\n  - {id: bj-guide-2024, title_zh: 同名文件}\n"),
    ("categories", "categories:\n  - {code: EG, order: 1, name_zh: 能源, name_en: energy, weight: {value: 2, provisional: 测试用的权重 (test weight)}}\n"),
])
def test_every_section_checks_conflicts(tmp_path, section, body):
    path = _overlay(tmp_path, body)
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(path)
    p = info.value.problems[0]
    assert p.code == "overlay-conflict" and p.location == f"$.{section}[0]" and section in p.message_en


def test_override_replaces_the_definition(tmp_path, catalogue):
    path = _overlay(tmp_path, _indicator_yaml(override=True, lead={"value": 2.5, "provisional": "专项诊断采用的引领值 (lead value of this diagnosis)"}),
                    oid="stricter")
    cat = greendiag.load_catalogue(path)
    ind = cat.indicator("energy_productivity")
    assert ind.lead_value == 2.5 and ind.origin == "stricter" and ind.number == 1
    assert len(cat.indicators) == 31
    assert catalogue.indicator("energy_productivity").lead_value == 3  # the default catalogue is unchanged


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_two_overlays_overriding_the_same_entry_conflict_in_either_order(tmp_path, order):
    paths = [_overlay(tmp_path, _indicator_yaml(override=True, lead={"value": v, "provisional": "专项诊断采用的引领值 (lead value of this diagnosis)"}),
                      oid=oid, name=f"{oid}.yaml") for oid, v in (("stricter", 2.5), ("looser", 4.0))]
    first, second = (paths[i] for i in order)
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(first, second)
    assert info.value.codes == ("overlay-conflict",)
    p = info.value.problems[0]
    assert p.file == str(second) and p.location == "$.indicators[0]"
    assert "energy_productivity" in p.message_en and first.stem in p.message_en and str(first) in p.message_en
    assert "overridden" in p.message_en and "覆盖" in p.message_zh and "merge" in p.fix_en and "合并" in p.fix_zh


def test_overriding_an_entry_another_overlay_added_is_a_conflict(tmp_path):
    added = _overlay(tmp_path, _indicator_yaml(id="hydrogen_share", code="EG9", number=32, name_zh="氢能占比测试", name_en="hydrogen share test"),
                     oid="adds", name="adds.yaml")
    again = _overlay(tmp_path, _indicator_yaml(id="hydrogen_share", code="EG9", number=32, name_zh="氢能占比测试", name_en="hydrogen share test",
                                               override=True, lead={"value": 4.0, "provisional": "测试 (test)"}), oid="again", name="again.yaml")
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(added, again)
    p = info.value.problems[0]
    assert p.code == "overlay-conflict" and p.file == str(again) and "defined by overlay adds" in p.message_en


def test_override_of_something_missing_is_an_error(tmp_path):
    path = _overlay(tmp_path, _indicator_yaml(id="no_such_indicator", number=40, code="EG9", override=True))
    with pytest.raises(OverlayConflictError) as info:
        greendiag.load_catalogue(path)
    assert info.value.codes == ("override-nothing",) and "no_such_indicator" in info.value.problems[0].message_en


def test_new_indicator_reusing_a_serial_number_is_an_error(tmp_path):
    path = _overlay(tmp_path, _indicator_yaml(id="second_energy_productivity", code="EG9", number=2))
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    p = next(p for p in info.value.problems if p.code == "duplicate-number")
    assert p.file == str(path) and p.location == "$.indicators[0].number"


# ------------------------------------------------------------------ versions


def test_wrong_version_is_a_clear_error(tmp_path):
    path = _overlay(tmp_path, spec=">=2.0,<3")
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    p = info.value.problems[0]
    assert p.code == "overlay-version" and p.location == "$.overlay.extends.version" and p.file == str(path)
    assert ">=2.0,<3" in p.message_en and "1.0.0" in p.message_en


def test_invalid_version_specifier(tmp_path):
    p = _error_of(_overlay(tmp_path, spec="version two"))
    assert p.code == "overlay-version" and "e.g." in p.fix_en


def test_wrong_base_catalogue(tmp_path):
    p = _error_of(_overlay(tmp_path, base="zj-green-lowcarbon-2022"))
    assert p.code == "overlay-wrong-base" and "zj-green-lowcarbon-2022" in p.message_en and "bj-green-park-2024" in p.message_en


def _error_of(path):
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    return info.value.problems[0]


def test_overlays_apply_in_order(tmp_path, water):
    body = _indicator_yaml(id="rainwater_use", number=34, code="RG11", category="RG", name_zh="雨水利用率", name_en="Rainwater use",
                           unit="%", definition=None, plausible=None, bounds={"min": 0, "max": 100, "basis": "比例的定义域"},
                           mandatory=False, lead={"value": 5, "provisional": "测试用引领值 (test lead value)"})
    body = body.replace("  definition: null\n", "").replace("  plausible: null\n", "")
    second = _overlay(tmp_path, body, oid="rain")
    cat = greendiag.load_catalogue(WATER, second)
    assert cat.overlays == (("rain", "1.0.0"), ("water-cascade", "1.0.0"))  # listed by id: the order given does not matter
    assert [i.number for i in cat.indicators][-3:] == [32, 33, 34]


# ------------------------------------------------------------------ entry points


def _fake_entry_points(eps):
    def entry_points(*, group=None, **kw):
        return [ep for ep in eps if group is None or ep.group == group]
    return entry_points


def test_registered_overlay_by_entry_point(tmp_path, monkeypatch):
    pkg = tmp_path / "site"
    pkg.mkdir()
    (pkg / "gd_water_overlay.py").write_text(
        "import pathlib\nPATH = %r\n\ndef water():\n    return pathlib.Path(PATH)\n" % str(WATER), encoding="utf-8")
    monkeypatch.syspath_prepend(str(pkg))
    monkeypatch.delitem(sys.modules, "gd_water_overlay", raising=False)
    eps = [importlib.metadata.EntryPoint("water-cascade", "gd_water_overlay:water", catmod.ENTRY_POINT_GROUP),
           importlib.metadata.EntryPoint("water-cascade-path", "gd_water_overlay:PATH", catmod.ENTRY_POINT_GROUP),
           importlib.metadata.EntryPoint("other", "nowhere:x", "some.other.group")]
    monkeypatch.setattr(catmod.metadata, "entry_points", _fake_entry_points(eps))

    assert greendiag.registered_overlays() == {"water-cascade": "gd_water_overlay:water", "water-cascade-path": "gd_water_overlay:PATH"}
    for name in ("water-cascade", "water-cascade-path"):
        cat = greendiag.load_catalogue(name)
        assert cat.overlays == (("water-cascade", "1.0.0"),) and len(cat.indicators) == 33

    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue("no-such-overlay")
    p = info.value.problems[0]
    assert p.code == "unknown-overlay" and "no-such-overlay" in p.message_en
    assert "water-cascade" in p.fix_en  # lists what is registered


def test_unregistered_name_is_an_error(monkeypatch):
    # with nothing registered under the group, a name that is not a file is a located error, not a crash
    monkeypatch.setattr(catmod.metadata, "entry_points", _fake_entry_points([]))
    assert greendiag.registered_overlays() == {}
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue("water-cascade")
    p = info.value.problems[0]
    assert info.value.codes == ("unknown-overlay",) and "no names are registered" in p.fix_en and "没有已注册的名称" in p.fix_zh
    assert "无" not in p.fix_en


def test_example_rule_file_fires_on_overlay_data(root, demo_path):
    """Cascade use is part of reuse over the same total, so its share above the reuse rate is flagged."""
    import yaml

    cat = greendiag.load_catalogue(root / "examples" / "overlays" / "water-cascade.yaml")
    rb = greendiag.load_rules(root / "examples" / "rules" / "water-cascade-rules.yaml", catalogue=cat)
    data = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    block = next(b for b in data["years"] if b["year"] == 2024)
    reuse = block["indicators"]["industrial_water_reuse"]
    reuse = reuse["value"] if isinstance(reuse, dict) else reuse
    block["indicators"]["water_cascade_share"] = {"value": 99.5}  # above any reuse rate below 99.5 %
    ds = greendiag.dataset_from_dict(data, catalogue=cat)
    for backend in ("durable", "python"):
        d = greendiag.diagnose(ds, catalogue=cat, rules=rb, backend=backend).to_dict()
        hits = [f for f in d["findings"] if f["rule_id"] == "water_cascade.anomaly.cascade_above_reuse"]
        assert [(h["year"], h["indicator"]) for h in hits] == [(2024, 32)], hits
    assert float(str(reuse).split()[0]) < 99.5


def test_extra_rule_files_are_recorded_in_the_diagnosis(root, demo_path):
    import hashlib

    rules_path = root / "examples" / "rules" / "water-cascade-rules.yaml"
    cat = greendiag.load_catalogue(root / "examples" / "overlays" / "water-cascade.yaml")
    rb = greendiag.load_rules(rules_path, catalogue=cat)
    d = greendiag.diagnose(greendiag.load_dataset(demo_path, catalogue=cat), catalogue=cat, rules=rb, backend="python").to_dict()
    assert d["rules_extensions"] == [{"file": "water-cascade-rules.yaml", "sha256": hashlib.sha256(rules_path.read_bytes()).hexdigest()}]
    plain = greendiag.diagnose(greendiag.load_dataset(demo_path), backend="python").to_dict()
    assert plain["rules_extensions"] == []


# ------------------------------------------------------------------ an overlay that only replaces entries

def test_replaced_entries_are_not_counted_as_added(tmp_path, demo_path, catalogue, root):
    """A stricter lead for indicator 1 and requirement 7 made mandatory add nothing: the report said "30项指标及专项
    诊断增加的1项指标" and "7项…及专项诊断增加的1项", and the workbook labelled indicator 1 as the overlay's (review 8)."""
    base = {section: {e["number"] if section == "requirements" else e["id"]: e for e in
                      yaml.safe_load((root / "catalogue" / f"{section}.yaml").read_text(encoding="utf-8"))[section]}
            for section in ("indicators", "requirements")}
    ind = dict(base["indicators"]["energy_productivity"], override=True)
    ind["lead"] = dict(ind["lead"], value=ind["lead"]["value"] * 1.5)
    req = dict(base["requirements"][7], override=True, mandatory=True)
    path = _overlay(tmp_path, yaml.safe_dump({"indicators": [ind], "requirements": [req]}, allow_unicode=True), oid="strict")
    cat = greendiag.load_catalogue(path)
    assert (len(cat.indicators), len(cat.requirements)) == (len(catalogue.indicators), len(catalogue.requirements))
    d = greendiag.diagnose(greendiag.load_dataset(demo_path, catalogue=cat), catalogue=cat)
    j = d.to_dict()
    meta = {i["number"]: i for i in j["catalogue"]["indicators"]}
    assert (meta[1]["origin"], meta[1]["replaces"]) == ("strict", catalogue.id)  # its lead is the overlay's
    assert all(m["replaces"] is None for n, m in meta.items() if n != 1)
    rows = {b["number"]: b for b in j["baseline"]}
    assert (rows[7]["origin"], rows[7]["replaces"]) == ("strict", catalogue.id) and rows[6]["replaces"] is None
    from greendiag.reports import render_report

    from conftest import plain_punct

    md = plain_punct(pathlib.Path(render_report(d, tmp_path / "r.md")).read_text(encoding="utf-8"))
    assert f"附件2-1-1所列{len(catalogue.requirements)}项基础性要求," in md
    assert f"附件2-1-2所列{len(catalogue.indicators)}项指标进行评价" in md and "专项诊断增加" not in md
    from openpyxl import load_workbook

    from greendiag.excel import write_template

    ws = load_workbook(write_template(tmp_path / "t.xlsx", cat))["指标数据"]
    labels = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "扩展 overlay" in c.value]
    assert labels == ["能源产出率\n(扩展 overlay strict 修订 revised)"]
