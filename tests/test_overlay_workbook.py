"""Data made for other overlays than the catalogue in use: a workbook is never silently short of rows or of an
overlay, and an overlay's id in YAML data is not answered with the nearest base id alone."""

from __future__ import annotations

import importlib.metadata
import sys

import pytest
import yaml

import greendiag
from greendiag import catalogue as catmod
from greendiag.errors import DatasetError
from greendiag.excel import write_template


@pytest.fixture(scope="module")
def water(root):
    return greendiag.load_catalogue(root / "examples" / "overlays" / "water-cascade.yaml")


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory, catalogue, water, demo_dataset):
    d = tmp_path_factory.mktemp("wb")
    base = write_template(d / "base.xlsx", catalogue, dataset=demo_dataset)
    with_overlay = write_template(d / "water.xlsx", water, dataset=demo_dataset)
    return base, with_overlay


def _codes(ds):
    return [n.code for n in ds.notes]


def test_workbook_made_without_the_overlay_names_the_rows_it_lacks(workbooks, water, catalogue):
    ds = greendiag.load_dataset(workbooks[0], catalogue=water)
    notes = [n for n in ds.notes if n.code == "template-lacks-rows"]
    assert len(notes) == 1
    added_ind = sorted(i.number for i in water.indicators if i.id not in {j.id for j in catalogue.indicators})
    added_req = sorted(r.number for r in water.requirements if r.number not in {q.number for q in catalogue.requirements})
    assert added_ind and added_req  # the example overlay adds both
    note = notes[0]
    assert f"指标第{'、'.join(map(str, added_ind))}项" in note.message_zh
    assert f"基础性要求第{'、'.join(map(str, added_req))}项" in note.message_zh
    assert "water-cascade" in note.message_zh and "--overlay water-cascade" in note.fix_zh
    assert note.file == str(workbooks[0])
    # the note reaches the diagnosis (input_notes), not only the terminal
    d = greendiag.diagnose(ds, catalogue=water).to_dict()
    assert "template-lacks-rows" in [n["code"] for n in d["input_notes"]]


def test_workbook_made_with_an_overlay_read_without_it_says_so(workbooks, catalogue):
    ds = greendiag.load_dataset(workbooks[1], catalogue=catalogue)
    assert "template-overlay-not-used" in _codes(ds)
    note = next(n for n in ds.notes if n.code == "template-overlay-not-used")
    assert "water-cascade" in note.message_zh and "--overlay" in note.fix_zh


@pytest.mark.parametrize("which", [0, 1])
def test_matching_catalogue_gives_neither_note(workbooks, catalogue, water, which):
    ds = greendiag.load_dataset(workbooks[which], catalogue=(catalogue, water)[which])
    assert not {"template-lacks-rows", "template-overlay-not-used"} & set(_codes(ds))


def test_the_suggested_fix_works(workbooks, water, tmp_path):
    """`template --overlay … --from the old workbook` gives a workbook with every row, the filled values carried over."""
    old = greendiag.load_dataset(workbooks[0], catalogue=water)
    new = write_template(tmp_path / "new.xlsx", water, dataset=old)
    ds = greendiag.load_dataset(new, catalogue=water)
    assert "template-lacks-rows" not in _codes(ds)
    assert ds.values == old.values and ds.statistics == old.statistics and ds.baseline == old.baseline
    assert ds.values  # the demo park's values, not two empty workbooks


# ------------------------------------------------------------------ YAML data naming an overlay's items

def _overlay_data(demo_path, tmp_path):
    d = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    for block in d["years"]:
        block.setdefault("indicators", {})["water_cascade_share"] = 30
        block.setdefault("statistics", {})["water_cascaded"] = {"value": 1000, "unit": "m3"}
    d["baseline"].append({"number": 9, "status": "met"})
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return path


def _unknown(path, catalogue):
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path, catalogue=catalogue)
    got = {p.code: p for p in info.value.problems}
    assert set(got) == {"unknown-indicator", "unknown-statistic", "unknown-requirement"}
    return got


def _register(monkeypatch, tmp_path, eps):
    def entry_points(*, group=None, **kw):
        return [ep for ep in eps if group is None or ep.group == group]
    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)


def test_overlay_items_without_the_overlay_say_an_overlay_may_be_missing(demo_path, tmp_path, catalogue, monkeypatch):
    _register(monkeypatch, tmp_path, [])
    for p in _unknown(_overlay_data(demo_path, tmp_path), catalogue).values():
        assert "--overlay" in p.fix_zh and "--overlay" in p.fix_en
    # the nearest base id is still offered (a misspelling is the likelier cause)
    assert "water_reused" in _unknown(_overlay_data(demo_path, tmp_path), catalogue)["unknown-statistic"].fix_zh


def test_registered_overlay_defining_the_item_is_named(demo_path, tmp_path, catalogue, root, monkeypatch):
    pkg = tmp_path / "site"
    pkg.mkdir()
    (pkg / "gd_hint_overlay.py").write_text(
        f"PATH = {str(root / 'examples' / 'overlays' / 'water-cascade.yaml')!r}\n"
        "def broken():\n    raise RuntimeError('a third party bug')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(pkg))
    monkeypatch.delitem(sys.modules, "gd_hint_overlay", raising=False)
    _register(monkeypatch, tmp_path, [
        importlib.metadata.EntryPoint("aa-broken", "gd_hint_overlay:broken", catmod.ENTRY_POINT_GROUP),
        importlib.metadata.EntryPoint("water", "gd_hint_overlay:PATH", catmod.ENTRY_POINT_GROUP)])
    got = _unknown(_overlay_data(demo_path, tmp_path), catalogue)
    for p in got.values():
        assert "扩展目录 water 中" in p.fix_zh and "--overlay water" in p.fix_zh, p.fix_zh
        assert "overlay water" in p.fix_en
    # a key no registered overlay defines keeps the generic hint
    assert catmod.overlays_defining("indicators", "no_such_indicator") == []
    assert catmod.overlays_defining("requirements", 9) == ["water"]
