"""Many parks in worker processes: the same bytes as in-process, input order, bad parks isolated, crashes reported."""

from __future__ import annotations

import json
import os
import pathlib
import shutil

import pytest
from click.testing import CliRunner

import greendiag
from greendiag import BatchResult, diagnose_many
from greendiag.cli import main
from greendiag.testing import varied_parks
from greendiag.yamlio import read_document


def _varied_parks(demo_path, catalogue, n: int) -> list[dict]:
    """n variants of the demo park (greendiag.testing.varied_parks: seeded, no hypothesis)."""
    return varied_parks(read_document(demo_path).data, catalogue, n)


def _canon(d: dict) -> str:
    return json.dumps(d, sort_keys=True, ensure_ascii=False)


BAD_YAML = "format: greendiag-dataset/1\npark: [unclosed\n"


@pytest.fixture(scope="module")
def mixed(demo_path, catalogue, demo_dataset, tmp_path_factory):
    """A batch of good generated parks, the demo file, and bad items (missing, malformed, schema error, wrong type)."""
    tmp = tmp_path_factory.mktemp("batch")
    bad = tmp / "bad.yaml"
    bad.write_text(BAD_YAML, encoding="utf-8")
    parks = _varied_parks(demo_path, catalogue, 6)
    schema_bad = json.loads(json.dumps(parks[0]))
    schema_bad["diagnosis_year"] = "next year"
    items = [parks[0], str(demo_path), str(tmp / "missing.yaml"), parks[1], parks[2], str(bad), parks[3],
             schema_bad, parks[4], 42, parks[5], demo_dataset]
    calls = []
    results = diagnose_many(items, workers=2, chunksize=2, progress=lambda done, total: calls.append((done, total)))
    return items, results, calls


def _reference(item, index, catalogue, rulebase, backend="durable"):
    """What diagnose() gives for one item in this process (a dict's diagnosis does not depend on its place in the batch)."""
    ds = item if not isinstance(item, dict) else greendiag.dataset_from_dict(item, catalogue=catalogue)
    return greendiag.diagnose(ds, catalogue=catalogue, rules=rulebase, backend=backend).to_dict()


def test_two_workers_give_the_same_bytes_as_diagnose_in_process(mixed, catalogue, rulebase):
    items, results, _ = mixed
    good = [i for i, r in enumerate(results) if r.ok]
    assert good == [0, 1, 3, 4, 6, 8, 10, 11]
    for i in good:
        assert _canon(results[i].diagnosis) == _canon(_reference(items[i], i, catalogue, rulebase))
    # the generated parks really differ from each other (else the comparison above proves little)
    totals = {json.dumps(results[i].diagnosis["total_scores"]) for i in good if i != 11}  # 11 is the demo again
    assert len(totals) == len(good) - 1


def test_results_keep_input_order_and_sources(mixed):
    items, results, _ = mixed
    assert [r.index for r in results] == list(range(len(items)))
    assert all(isinstance(r, BatchResult) for r in results)
    assert results[1].source.endswith("demo-park.yaml") and results[0].source == "<datasets[0]>"
    assert results[0].diagnosis["source"] == results[3].diagnosis["source"] == "<data>"  # as diagnose() of a dict
    assert results[11].source.endswith("demo-park.yaml") and _canon(results[11].diagnosis) == _canon(results[1].diagnosis)
    names = [r.diagnosis["park"]["name"] for r in results if r.ok]
    assert names[0] == "生成园区 0(虚构)" and names[2] == "生成园区 1(虚构)" and names[-2] == "生成园区 5(虚构)"


def test_each_bad_item_reports_its_own_problem_and_stops_nothing(mixed):
    _, results, _ = mixed
    expect = {2: "file-not-found", 5: "malformed-yaml", 9: "bad-dataset-item"}
    for i, code in expect.items():
        r = results[i]
        assert not r.ok and r.diagnosis is None and code in [p.code for p in r.problems], (i, r.problems)
    schema_bad = results[7]
    assert not schema_bad.ok and any("diagnosis_year" in (p.location or "") for p in schema_bad.problems)
    assert results[5].problems[0].file.endswith("bad.yaml")
    assert all(r.ok and r.problems == () for r in results if r.index not in (2, 5, 7, 9))


def test_progress_is_called_up_to_the_total(mixed):
    items, _, calls = mixed
    assert calls[-1] == (len(items), len(items))
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) == len(done) and all(t == len(items) for _, t in calls)


def test_python_backend_in_pool_matches_in_process(demo_path, catalogue, rulebase, tmp_path, monkeypatch):
    parks = _varied_parks(demo_path, catalogue, 4)
    monkeypatch.chdir(tmp_path)  # relative paths are read from the caller's working directory, also in workers
    (tmp_path / "rel").mkdir()
    shutil.copy(demo_path, tmp_path / "rel" / "park.yaml")
    items = parks + [os.path.join("rel", "park.yaml"), os.path.join("rel", "nope.yaml")]
    pooled = diagnose_many(items, workers=2, backend="python")
    single = diagnose_many(items, workers=1, backend="python")
    for i, (a, b) in enumerate(zip(pooled[:5], single[:5])):
        assert a.ok and b.ok
        assert _canon(a.diagnosis) == _canon(b.diagnosis) == _canon(_reference(items[i], i, catalogue, rulebase, "python"))
    assert pooled[5].problems == single[5].problems and pooled[5].problems[0].file == os.path.join("rel", "nope.yaml")


class _KillsTheWorker:
    """Unpickling this in a worker ends that process at once, as an engine crash (SIGSEGV) would."""

    def __reduce__(self):
        return (os._exit, (70,))


def test_a_crashed_worker_is_reported_for_its_item_and_the_rest_are_diagnosed(demo_path):
    items = [str(demo_path), {"payload": _KillsTheWorker()}, str(demo_path), str(demo_path)]
    results = diagnose_many(items, workers=2, chunksize=2, backend="python")
    assert [r.ok for r in results] == [True, False, True, True]
    assert [p.code for p in results[1].problems] == ["worker-crashed"]
    assert results[1].problems[0].file == "<datasets[1]>"


def test_an_unexpected_exception_becomes_an_internal_error_problem(demo_path, monkeypatch):
    import greendiag.diagnosis as diagnosis_module

    real = diagnosis_module.diagnose

    def flaky(ds, **kw):
        if ds.profile.name.startswith("生成"):
            raise ZeroDivisionError("boom")
        return real(ds, **kw)

    monkeypatch.setattr(diagnosis_module, "diagnose", flaky)
    data = read_document(demo_path).data
    data["park"]["name"] = "生成园区"
    results = diagnose_many([str(demo_path), data], workers=1, backend="python")
    assert results[0].ok and not results[1].ok
    (p,) = results[1].problems
    assert p.code == "internal-error" and "ZeroDivisionError: boom" in p.message_en and p.file == "<datasets[1]>"
    assert "test_batch.py" in p.location and "ZeroDivisionError" in results[1].traceback


def test_bad_arguments_raise_before_any_work(demo_path, tmp_path):
    bad_overlay = tmp_path / "o.yaml"
    bad_overlay.write_text("overlay: {id: x}\n", encoding="utf-8")
    with pytest.raises(greendiag.CatalogueError):
        diagnose_many([demo_path], catalogue_overlays=(bad_overlay,))
    with pytest.raises(greendiag.EngineError) as err:
        diagnose_many([demo_path], backend="clips")
    assert err.value.codes == ("engine-bad-backend",)
    for kwargs in ({"workers": 0}, {"workers": 1.5}, {"chunksize": -1}, {"as_of": "2025-13-01"}, {"as_of": 20250101}, {"progress": 3},
                   {"rules_files": [None]}):
        with pytest.raises(greendiag.GreendiagError) as err:
            diagnose_many([demo_path], **kwargs)
        assert err.value.codes == ("bad-argument",), kwargs
    for not_a_list in (str(demo_path), demo_path, {"format": "greendiag-dataset/1"}, 7):
        with pytest.raises(greendiag.GreendiagError) as err:
            diagnose_many(not_a_list)
        assert err.value.codes == ("bad-argument",)
    assert diagnose_many([], workers=2) == []


def test_cli_diagnose_folder_with_a_bad_file(demo_path, tmp_path):
    parks = tmp_path / "parks"
    parks.mkdir()
    shutil.copy(demo_path, parks / "a-demo.yaml")
    text = demo_path.read_text(encoding="utf-8").replace("北京京南绿谷科技产业园(虚构)", "第二园区(虚构)")
    (parks / "b-second.yaml").write_text(text.replace("renewable_energy_share: {value: 12.6", "renewable_energy_share: {value: 3.0"),
                                         encoding="utf-8")
    (parks / "c-broken.yaml").write_text(BAD_YAML, encoding="utf-8")
    (parks / "notes.txt").write_text("not a dataset", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["--lang", "en", "diagnose", str(parks), "--workers", "2", "--backend", "python",
                                    "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 2, res.output
    lines = res.output.splitlines()
    head = lines.index("file | park | total per year | checks | pack / error")
    rows = [line.split(" | ") for line in lines[head + 1:head + 4]]
    assert [r[0] for r in rows] == ["a-demo.yaml", "b-second.yaml", "c-broken.yaml"]
    assert rows[0][1] == "北京京南绿谷科技产业园(虚构)" and rows[1][1] == "第二园区(虚构)"
    assert rows[0][2].startswith("2022:") and rows[0][4] == "a-demo" and rows[2][1] == "-"
    assert "malformed-yaml" in rows[2][4] and "c-broken.yaml" in rows[2][4]
    assert "2 diagnosed, 1 failed" in res.output
    for row, stem in zip(rows, ("a-demo", "b-second")):
        data = json.loads((out / stem / "diagnosis.json").read_text(encoding="utf-8"))
        assert data["source"] == stem + ".yaml"
        # the column counts checks (compliance, anomalies, procedure), not recommendation candidates
        assert row[3] == str(len([f for f in data["findings"] if f["kind"] != "recommendation"]))
    assert not (out / "c-broken").exists()


def test_cli_folder_skips_lock_and_hidden_files_and_lists_unreadable_formats(demo_path, tmp_path):
    """~$x.xlsx (Excel's lock file) and hidden files are not data; .xls/.ods/.et/.csv are, but unreadable: failed rows."""
    parks = tmp_path / "parks"
    parks.mkdir()
    shutil.copy(demo_path, parks / "a.yaml")
    shutil.copy(demo_path, parks / ".a-backup.yaml")
    (parks / "~$a.xlsx").write_bytes(b"\x00lock")
    (parks / ".~lock.b.xlsx#").write_text("lock", encoding="utf-8")
    (parks / "b.xls").write_bytes(b"\xd0\xcf\x11\xe0old excel")
    (parks / "c.ods").write_bytes(b"PK\x03\x04ods")
    (parks / "d.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["diagnose", str(parks), "--workers", "1", "--backend", "python"], catch_exceptions=False)
    assert res.exit_code == 2, res.output
    lines = res.output.splitlines()
    head = lines.index("文件 | 园区 | 总分(年份:得分) | 核查发现 | 错误")
    rows = [line.split(" | ") for line in lines[head + 1:-1]]
    assert [r[0] for r in rows] == ["a.yaml", "b.xls", "c.ods", "d.csv"]
    assert rows[0][1] == "北京京南绿谷科技产业园(虚构)"
    for row in rows[1:]:
        assert row[1:4] == ["-", "-", "-"] and "not-xlsx" in row[4] and "另存为 .xlsx" in row[4], row
    assert "b.xls" in rows[1][4] and ".xls" in rows[1][4] and ".ods" in rows[2][4]
    assert lines[-1] == "完成 1 个,失败 3 个"


def test_cli_folder_of_only_unreadable_workbooks_says_so(demo_path, tmp_path):
    parks = tmp_path / "parks"
    parks.mkdir()
    (parks / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (parks / "~$old.xlsx").write_bytes(b"lock")
    res = CliRunner().invoke(main, ["--lang", "en", "diagnose", str(parks)], catch_exceptions=False)
    assert res.exit_code == 2 and "not-xlsx" in res.output and "save it as .xlsx" in res.output
    assert "0 diagnosed, 1 failed" in res.output and "internal error" not in res.output
    (parks / "old.xls").unlink()
    res = CliRunner().invoke(main, ["--lang", "en", "diagnose", str(parks)], catch_exceptions=False)
    assert res.exit_code == 2 and "empty-folder" in res.output


def test_as_of_is_a_date_or_iso_text(demo_dataset, catalogue, rulebase):
    import datetime as dt

    want = greendiag.diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend="python",
                              as_of=dt.date(2026, 5, 1)).to_dict()
    for as_of in ("2026-05-01", " 2026-05-01 ", dt.datetime(2026, 5, 1, 9, 30)):
        got = greendiag.diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend="python", as_of=as_of)
        assert got.as_of == dt.date(2026, 5, 1) and _canon(got.to_dict()) == _canon(want), as_of
    for bad in ("2026-13-01", "2026-02-30", "2026/05/01", "01.05.2026", 20260501, 2026.5, ["2026-05-01"]):
        with pytest.raises(greendiag.GreendiagError) as err:
            greendiag.diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend="python", as_of=bad)
        p = err.value.problems[0]
        assert p.code == "bad-argument" and "as_of" in p.message_zh and "as_of" in p.message_en, bad
        assert "2026-05-01" in p.fix_zh and "datetime.date" in p.fix_en
    pooled = diagnose_many([demo_dataset], workers=1, backend="python", as_of="2026-05-01")
    assert pooled[0].ok and pooled[0].diagnosis["as_of"] == "2026-05-01"


@pytest.mark.parametrize("far", ["1900-01-01", "2206-05-01", "0001-01-01"])
def test_an_as_of_date_far_off_is_refused_as_a_typing_error(demo_dataset, catalogue, rulebase, far):
    """1900-01-01 was taken, and every follow-up was simply not yet due."""
    with pytest.raises(greendiag.GreendiagError) as err:
        greendiag.diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend="python", as_of=far)
    p = err.value.problems[0]
    assert p.code == "bad-argument" and far in p.message_zh and "2000" in p.message_zh and "2026-05-01" in p.fix_zh
    res = CliRunner().invoke(main, ["diagnose", "--as-of", far, "--backend", "python", "nonexistent.yaml"])
    assert res.exit_code == 2 and far in res.output and "file-not-found" not in res.output  # refused before any file is read


def test_overlay_reaches_the_workers(demo_path, root):
    overlay = root / "examples" / "overlays" / "water-cascade.yaml"
    cat = greendiag.load_catalogue(overlay)
    rules = greendiag.load_rules(catalogue=cat)
    pooled = diagnose_many([demo_path, demo_path], workers=2, backend="python", catalogue_overlays=overlay)
    want = greendiag.diagnose(greendiag.load_dataset(demo_path, catalogue=cat), catalogue=cat, rules=rules, backend="python").to_dict()
    assert want["catalogue_overlays"] and len(want["catalogue"]["indicators"]) > 31
    assert [_canon(r.diagnosis) for r in pooled] == [_canon(want)] * 2


def test_cli_packs_get_unique_folders_and_a_failing_report_stops_only_its_park(demo_path, tmp_path, monkeypatch):
    import greendiag.reports as reports
    from greendiag.errors import Problem, ReportError

    parks = tmp_path / "parks"
    for sub in ("x", "y"):
        (parks / sub).mkdir(parents=True)
        shutil.copy(demo_path, parks / sub / "park.yaml")
    text = demo_path.read_text(encoding="utf-8")
    (parks / "a.yaml").write_text(text.replace("北京京南绿谷科技产业园(虚构)", "报告失败园区(虚构)"), encoding="utf-8")
    shutil.copy(demo_path, parks / "b.yaml")
    real = reports.render_pack

    def flaky(data, **kw):
        if data["park"]["name"] == "报告失败园区(虚构)":
            raise ReportError(Problem("render-failed", "模拟失败", "simulated failure"))
        return real(data, **kw)

    monkeypatch.setattr(reports, "render_pack", flaky)
    files = [parks / "x" / "park.yaml", parks / "y" / "park.yaml", parks / "a.yaml", parks / "b.yaml"]
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["--lang", "en", "diagnose", *map(str, files), "--workers", "1", "--backend", "python",
                                    "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 2, res.output
    lines = res.output.splitlines()
    head = lines.index("file | park | total per year | checks | pack / error")
    rows = [line.split(" | ") for line in lines[head + 1:head + 5]]
    assert [r[4] for r in rows[:2]] == ["001-park-yaml", "002-park-yaml"]
    assert "simulated failure" in rows[2][4] and rows[3][4] == "b"
    assert "3 diagnosed, 1 failed" in res.output
    for name in ("001-park-yaml", "002-park-yaml", "b"):
        assert (out / name / "report.docx").exists(), name


def test_workers_write_the_report_packs(demo_path, tmp_path, catalogue):
    """With out_dir each worker writes its parks' packs (the slow part), in folders named after the sources."""
    parks = _varied_parks(demo_path, catalogue, 2)
    items = [str(demo_path), parks[0], parks[1], str(tmp_path / "missing.yaml")]
    results = diagnose_many(items, workers=2, backend="python", out_dir=tmp_path / "packs")
    assert [r.ok for r in results] == [True, True, True, False]
    assert [os.path.basename(r.pack_dir) for r in results[:3]] == ["demo-park", "park-002", "park-003"]
    assert results[3].pack_dir is None and not (tmp_path / "packs" / "missing").exists()
    for r in results[:3]:
        assert not r.pack_problems and "report.docx" in {os.path.basename(f) for f in r.pack_files}
        on_disk = json.loads(pathlib.Path(r.pack_dir, "diagnosis.json").read_text(encoding="utf-8"))
        assert _canon(on_disk) == _canon(r.diagnosis)


@pytest.mark.parametrize("bad", [["a", "b"], [], 3])
def test_out_dir_must_be_one_folder(demo_path, bad):
    with pytest.raises(greendiag.GreendiagError) as exc:
        diagnose_many([demo_path], workers=1, backend="python", out_dir=bad)
    assert exc.value.codes == ("bad-argument",) and "out_dir" in exc.value.problems[0].message_en


def test_pack_names_stay_fast_and_unique_for_big_batches():
    from greendiag.pack import pack_names

    sources = [f"d{k % 7}/park.yaml" for k in range(30_000)] + ["<datasets[30000]>"]
    names = pack_names(sources)
    assert len(set(names)) == len(names) and names[-1] == "park-30001"


def test_pack_names_are_unique_without_regard_to_case():
    """park.yaml and Park.YAML must not share one folder on Windows or macOS, where park = Park."""
    from greendiag.pack import pack_names

    names = pack_names(["t/park.yaml", "t/Park.YAML", "t/PARK.json", "other.yaml", "Other.yml", "x/Ünï.yaml", "ünï.json"])
    assert names == ["001-park-yaml", "002-Park-yaml", "PARK-json", "other-yaml", "Other-yml", "Ünï-yaml", "ünï-json"]
    assert pack_names(["a/\u00e9.yaml", "b/e\u0301.yaml"]) == ["001-\u00e9-yaml", "002-e\u0301-yaml"]  # é as one or two code points (macOS)
    assert pack_names(["a/park.yaml", "b/other.yaml"]) == ["park", "other"]  # case only matters where names clash
    assert pack_names(["a/park.yaml", "b/Park.json"]) == ["park-yaml", "Park-json"]
    assert pack_names(["a/park.yaml", "b/Park.yaml"]) == ["001-park-yaml", "002-Park-yaml"]


def test_a_pack_that_failed_has_no_pack_dir(demo_path, tmp_path, monkeypatch):
    """All or nothing: a park whose pack could not be written has no folder to point at."""
    import greendiag.reports as reports
    from greendiag.errors import Problem, ReportError

    def failing(data, **kw):
        raise ReportError(Problem("render-failed", "模拟失败", "simulated failure"))

    monkeypatch.setattr(reports, "render_pack", failing)
    (res,) = diagnose_many([str(demo_path)], workers=1, backend="python", out_dir=tmp_path / "packs")
    assert res.ok and res.pack_problems and res.pack_dir is None and res.pack_files == ()
    assert not (tmp_path / "packs" / "demo-park").exists()
