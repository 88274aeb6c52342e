"""The data-collection workbook is byte-identical for the same input (its times come from the data, never the clock),
and `catalogue validate|list` count the measures an overlay brings."""

from __future__ import annotations

import datetime as dt
import re
import time
import zipfile

import attrs

import greendiag
from greendiag.excel import write_template

from conftest import EXAMPLES

WATER = EXAMPLES / "overlays" / "water-cascade.yaml"


def _stamps(path) -> tuple[set, str, str]:
    """(the zip entries' times, docProps/core.xml's created, its modified)."""
    with zipfile.ZipFile(path) as zf:
        core = zf.read("docProps/core.xml").decode("utf-8")
        times = {info.date_time for info in zf.infolist()}
    created = re.search(r"<dcterms:created[^>]*>([^<]*)</dcterms:created>", core).group(1)
    modified = re.search(r"<dcterms:modified[^>]*>([^<]*)</dcterms:modified>", core).group(1)
    return times, created, modified


def test_prefilled_template_is_byte_identical_and_reads_back(tmp_path, catalogue, demo_path, demo_dataset):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(a, catalogue, dataset=demo_path)
    time.sleep(2.1)  # past a zip timestamp's two-second step and core.xml's second: a clock time would differ
    write_template(b, catalogue, dataset=demo_dataset)
    assert a.read_bytes() == b.read_bytes()
    # the demo park's report_submitted is 2025-04-15 (examples/demo-park.yaml)
    assert _stamps(a) == ({(2025, 4, 15, 0, 0, 0)}, "2025-04-15T00:00:00Z", "2025-04-15T00:00:00Z")
    got = greendiag.load_dataset(a, catalogue=catalogue)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset
    # the year headers' cached results are still stored (the parts are rewritten before they are zipped)
    with zipfile.ZipFile(a) as zf:
        sheets = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "2022年".encode() in sheets and "(基准年)".encode() in sheets


def test_report_date_falls_back_to_the_end_of_on_site_work(tmp_path, catalogue, demo_dataset):
    e = attrs.evolve(demo_dataset.engagement, report_submitted=None, onsite_end=dt.date(2025, 3, 28))
    write_template(tmp_path / "t.xlsx", catalogue, dataset=attrs.evolve(demo_dataset, engagement=e))
    assert _stamps(tmp_path / "t.xlsx")[0] == {(2025, 3, 28, 0, 0, 0)}
    e = attrs.evolve(e, onsite_end=None)  # then the start of work: 2025-03-05 in the demo park
    write_template(tmp_path / "w.xlsx", catalogue, dataset=attrs.evolve(demo_dataset, engagement=e))
    assert _stamps(tmp_path / "w.xlsx")[1] == "2025-03-05T00:00:00Z"


def test_blank_templates_are_dated_from_the_year_or_a_constant(tmp_path, catalogue):
    write_template(tmp_path / "y1.xlsx", catalogue, diagnosis_year=2026)
    write_template(tmp_path / "y2.xlsx", catalogue, diagnosis_year=2026)
    assert (tmp_path / "y1.xlsx").read_bytes() == (tmp_path / "y2.xlsx").read_bytes()
    assert _stamps(tmp_path / "y1.xlsx") == ({(2026, 1, 1, 0, 0, 0)}, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    write_template(tmp_path / "n1.xlsx", catalogue)
    write_template(tmp_path / "n2.xlsx", catalogue)
    assert (tmp_path / "n1.xlsx").read_bytes() == (tmp_path / "n2.xlsx").read_bytes()
    assert _stamps(tmp_path / "n1.xlsx")[1] == "2000-01-01T00:00:00Z"


def test_catalogue_commands_count_overlay_measures(run):
    res = run("catalogue", "validate", WATER)
    assert res.exit_code == 0, res.output
    assert "扩展措施 2 项" in res.output and "2 overlay measures" in res.output
    assert "指标 33 项" in res.output and "33 indicators" in res.output
    en = run("--lang", "en", "catalogue", "validate", WATER)
    assert en.exit_code == 0 and "2 overlay measures" in en.output and "扩展措施" not in en.output
    base = run("catalogue", "validate")
    assert "扩展措施 0 项" in base.output and "0 overlay measures" in base.output
    listed = run("--lang", "en", "catalogue", "list", "--overlay", WATER)
    assert listed.exit_code == 0
    head = listed.output.splitlines()[0]
    assert head.startswith("bj-green-park-2024") and "33 indicators, 9 requirements" in head and head.endswith(", 2 overlay measures")
    assert "扩展措施 2 项" in run("catalogue", "list", "--overlay", WATER).output.splitlines()[0]
