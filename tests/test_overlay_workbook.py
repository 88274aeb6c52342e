"""A workbook read with other overlays than it was made with is never silently short of rows or of an overlay."""

from __future__ import annotations

import pytest

import greendiag
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
