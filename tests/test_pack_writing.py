"""Writing outputs all or nothing: a failed pack leaves the folder as it was, errors name the real file and a fix,
and a report's format must agree with its file extension."""

from __future__ import annotations

import errno
import os

import pytest

from greendiag import fileio
from greendiag.errors import ReportError
from greendiag.reports import render_report, report_format

FILES = [("diagnosis.json", "{}\n"), ("report.docx", b"PK\x03\x04new"), ("report.md", "# 新报告\n"),
         ("form-2-2-confidentiality.docx", b"PK form"), ("charts/category-scores.png", b"\x89PNG new")]


def _tree(folder) -> dict:
    """{relative path: bytes} of every file under `folder` (hidden ones too), folders as None."""
    out = {}
    for base, dirs, files in os.walk(folder):
        for d in dirs:
            out[os.path.relpath(os.path.join(base, d), folder)] = None
        for f in files:
            path = os.path.join(base, f)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, folder)] = fh.read()
    return out


def _previous_pack(folder) -> dict:
    fileio.write_files(folder, [(n, b"old " + n.encode()) for n, _ in FILES])
    return _tree(folder)


def test_write_files_writes_everything_in_order_and_no_staging_is_left(tmp_path):
    out = tmp_path / "pack"
    written = fileio.write_files(out, FILES)
    assert written == [os.path.join(out, *n.split("/")) for n, _ in FILES]
    tree = _tree(out)
    assert tree == {"charts": None, **{n.replace("/", os.sep): (p.encode() if isinstance(p, str) else p) for n, p in FILES}}


def test_a_new_pack_replaces_the_previous_one(tmp_path):
    out = tmp_path / "pack"
    _previous_pack(out)
    (out / "notes.txt").write_text("the user's own file", encoding="utf-8")
    fileio.write_files(out, FILES)
    assert (out / "report.md").read_text(encoding="utf-8") == "# 新报告\n"
    assert (out / "charts" / "category-scores.png").read_bytes() == b"\x89PNG new"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the user's own file"
    assert not [n for n in os.listdir(out) if n.startswith(".")]


@pytest.mark.parametrize("fail_at", [0, 2, 4])
def test_a_failing_move_puts_the_previous_pack_back(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "pack"
    before = _previous_pack(out)
    real = os.replace
    calls = []

    def replace(src, dst):
        # each file: old one set aside, then new one moved in; fail moving in the fail_at-th new file
        if ".greendiag-tmp-" in os.fspath(src) and os.sep + "new" + os.sep in os.fspath(src):
            calls.append(dst)
            if len(calls) == fail_at + 1:
                raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", replace)
    with pytest.raises(ReportError) as info:
        fileio.write_files(out, FILES)
    p = info.value.problems[0]
    name = FILES[fail_at][0]
    assert p.code == "cannot-write" and p.file == os.path.join(out, *name.split("/"))
    assert ".tmp" not in str(info.value) and p.fix_zh and p.fix_en
    assert _tree(out) == before  # every file of the previous pack as it was, nothing new, no staging folder


def test_a_failure_in_a_new_folder_leaves_nothing(tmp_path, monkeypatch):
    out = tmp_path / "new" / "pack"
    real = fileio._write

    def disk_full(path, payload):
        if path.endswith("form-2-2-confidentiality.docx"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, payload)

    monkeypatch.setattr(fileio, "_write", disk_full)
    with pytest.raises(ReportError) as info:
        fileio.write_files(out, FILES)
    p = info.value.problems[0]
    assert p.file == os.path.join(out, "form-2-2-confidentiality.docx")  # the real target, not the staged copy
    assert "磁盘空间不足" in p.message_zh and "no space" in p.message_en
    assert os.listdir(tmp_path) == []  # not even the folders this call created


def test_a_file_where_the_charts_folder_goes_is_named_and_nothing_is_written(tmp_path):
    out = tmp_path / "pack"
    out.mkdir()
    (out / "charts").write_text("x", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        fileio.write_files(out, FILES)
    p = info.value.problems[0]
    assert p.file == os.path.join(out, "charts", "category-scores.png")
    assert os.path.join(out, "charts") in p.message_zh and "不是文件夹" in p.message_zh
    assert "is a file, not a folder" in p.message_en and "charts" in p.fix_zh
    assert sorted(os.listdir(out)) == ["charts"] and (out / "charts").read_text(encoding="utf-8") == "x"


def test_a_folder_where_a_report_goes_is_named_and_nothing_is_written(tmp_path):
    out = tmp_path / "pack"
    (out / "report.md").mkdir(parents=True)
    with pytest.raises(ReportError) as info:
        fileio.write_files(out, FILES)
    p = info.value.problems[0]
    assert p.file == os.path.join(out, "report.md") and "文件夹" in p.message_zh and "is a folder" in p.message_en
    assert _tree(out) == {"report.md": None}


def test_the_output_folder_being_a_file_is_said_plainly(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        fileio.write_files(blocker, FILES)
    assert "不是文件夹" in info.value.problems[0].message_zh and "File exists" not in str(info.value)
    with pytest.raises(ReportError) as info:
        fileio.write_files(blocker / "pack", FILES)
    p = info.value.problems[0]
    assert p.file == os.fspath(blocker / "pack") and os.fspath(blocker) in p.message_en and "File exists" not in str(info.value)


def test_write_pack_is_all_or_nothing(tmp_path, monkeypatch):
    """greendiag.pack.write_pack renders everything first: a failing report leaves not even diagnosis.json."""
    import greendiag.reports as reports
    from greendiag.errors import Problem
    from greendiag.pack import write_pack

    def broken(data, **kw):
        raise ReportError(Problem("render-failed", "模拟失败", "simulated failure"))

    monkeypatch.setattr(reports, "render_pack", broken)
    with pytest.raises(ReportError):
        write_pack({"format": "greendiag-diagnosis/1"}, tmp_path / "pack")
    assert os.listdir(tmp_path) == []
    monkeypatch.setattr(reports, "render_pack", lambda data, **kw: FILES[1:])
    written = write_pack({"format": "greendiag-diagnosis/1"}, tmp_path / "pack")
    assert [os.path.basename(p) for p in written[:2]] == ["diagnosis.json", "report.docx"]


def test_one_report_names_its_own_file_on_failure(tmp_path, monkeypatch):
    def no_space(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", no_space)
    with pytest.raises(ReportError) as info:
        fileio.write_text(tmp_path / "r.md", "x")
    assert info.value.problems[0].file == os.fspath(tmp_path / "r.md") and ".tmp" not in str(info.value)
    assert os.listdir(tmp_path) == []


def test_one_report_into_a_folder_or_under_a_file(tmp_path):
    (tmp_path / "r.md").mkdir()
    with pytest.raises(ReportError) as info:
        fileio.write_text(tmp_path / "r.md", "x")
    assert "is a folder" in info.value.problems[0].message_en and ".tmp" not in str(info.value)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        fileio.write_bytes(tmp_path / "afile" / "x.docx", b"x")
    p = info.value.problems[0]
    assert p.file == os.fspath(tmp_path / "afile" / "x.docx") and os.fspath(tmp_path / "afile") in p.message_zh
    assert "File exists" not in str(info.value) and "Not a directory" not in str(info.value)
    assert sorted(os.listdir(tmp_path)) == ["afile", "r.md"]


@pytest.mark.parametrize("fmt, name, want", [
    (None, "r.md", "md"), (None, "r.HTM", "html"), ("docx", "r.docx", "docx"), ("DOCX", "r.docx", "docx"),
    ("md", "notes.txt", "md"), ("json", "out", "json"),
])
def test_report_format_follows_or_agrees_with_the_extension(fmt, name, want):
    assert report_format(fmt, name) == want


@pytest.mark.parametrize("fmt, name, code", [
    ("docx", "r.md", "format-extension-mismatch"), ("md", "r.html", "format-extension-mismatch"),
    ("json", "r.docx", "format-extension-mismatch"), (None, "r.txt", "unknown-format"), (None, "report", "unknown-format"),
    ("pdf", "r.pdf", "unknown-format"),
])
def test_report_format_refuses_what_would_not_open(tmp_path, fmt, name, code):
    with pytest.raises(ReportError) as info:
        render_report({"format": "greendiag-diagnosis/1"}, tmp_path / name, fmt)  # refused before the diagnosis is read
    p = info.value.problems[0]
    assert p.code == code and p.file == os.fspath(tmp_path / name) and p.fix_zh and p.fix_en
    assert os.listdir(tmp_path) == []


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_staging_folders_left_by_a_killed_process_are_cleaned_up_when_safe(tmp_path):
    """A stage of a dead process on this machine goes; one of a live process, of another machine, or holding files
    kept aside from an earlier pack (old/) stays."""
    host = fileio._host()
    out = tmp_path / "pack"
    out.mkdir()
    dead = _dead_pid()
    stages = {
        "dead": f".greendiag-tmp-{host}-{dead}-abc_1234",
        "dead_with_kept": f".greendiag-tmp-{host}-{dead}-def_5678",
        "alive": f".greendiag-tmp-{host}-{os.getppid()}-ghi_9012",
        "other_host": f".greendiag-tmp-elsewhere0-{dead}-jkl_3456",
    }
    for key, name in stages.items():
        (out / name / "new").mkdir(parents=True)
        (out / name / "new" / "report.md").write_text("half", encoding="utf-8")
    (out / stages["dead_with_kept"] / "old").mkdir()
    (out / stages["dead_with_kept"] / "old" / "report.md").write_text("the previous report", encoding="utf-8")
    fileio.write_files(out, FILES)
    left = sorted(n for n in os.listdir(out) if n.startswith("."))
    assert left == sorted(stages[k] for k in ("dead_with_kept", "alive", "other_host"))


def test_write_pack_is_public_api():
    import greendiag
    from greendiag.pack import write_pack

    assert greendiag.write_pack is write_pack and "write_pack" in greendiag.__all__


def test_writing_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    fileio.write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == "new"
    assert sorted(os.listdir(tmp_path)) == ["link.md", "real.md"]  # no temporary file left


def test_a_pipe_or_device_is_refused_not_replaced(tmp_path):
    import stat

    fifo = tmp_path / "out.md"
    os.mkfifo(fifo)
    link = tmp_path / "to-fifo.md"
    link.symlink_to(fifo)
    for target in (fifo, link):
        with pytest.raises(ReportError) as info:
            fileio.write_text(target, "x")
        assert info.value.codes == ("not-a-regular-file",) and info.value.problems[0].file == str(target)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["out.md", "to-fifo.md"]


# ------------------------------------------------------------------ hand edits are not overwritten


@pytest.fixture(scope="module")
def demo_diag():
    import pathlib

    import greendiag

    ds = greendiag.load_dataset(pathlib.Path(__file__).resolve().parent.parent / "examples" / "demo-park.yaml")
    return greendiag.diagnose(ds, backend="python").to_dict()


def test_a_report_edited_after_writing_is_not_overwritten(tmp_path, demo_diag):
    """A consultant finishes report.docx in Word, then re-runs the diagnosis into the same folder: the edits stay."""
    from greendiag import write_pack

    out = tmp_path / "pack"
    write_pack(demo_diag, out)
    write_pack(demo_diag, out)  # unchanged files are replaced as before
    with open(out / "report.docx", "ab") as fh:
        fh.write(b"edited in Word")
    before = _tree(out)
    changed = dict(demo_diag, park=dict(demo_diag["park"], name="改名后的园区"))
    with pytest.raises(ReportError) as info:
        write_pack(changed, out)
    (p,) = info.value.problems
    assert p.code == "pack-file-edited" and p.file == os.path.join(out, "report.docx") and "report.docx" in p.message_zh
    assert "--force" in p.fix_zh and "overwrite=True" in p.fix_en
    assert _tree(out) == before  # nothing written, not even diagnosis.json
    write_pack(changed, out, overwrite=True)
    assert b"edited in Word" not in (out / "report.docx").read_bytes() and "改名后的园区" in (out / "diagnosis.json").read_text(encoding="utf-8")


def test_a_file_greendiag_did_not_write_is_not_replaced_unless_identical(tmp_path, demo_diag):
    from greendiag import write_pack
    from greendiag.reports import write_report_pack

    out = tmp_path / "pack"
    out.mkdir()
    (out / "report.md").write_text("# 我的笔记\n", encoding="utf-8")  # the user's own file of that name, no manifest
    for write in (lambda: write_pack(demo_diag, out), lambda: write_report_pack(demo_diag, out)):
        with pytest.raises(ReportError) as info:
            write()
        assert info.value.codes == ("pack-file-edited",)
    assert sorted(os.listdir(out)) == ["report.md"]
    written = write_pack(demo_diag, tmp_path / "other")
    (out / "report.md").write_bytes(open(written[2], "rb").read())  # the very bytes greendiag would write: no loss
    write_pack(demo_diag, out)


def test_a_report_re_rendered_into_the_pack_is_no_hand_edit(tmp_path, demo_diag):
    """README step 4 writes one report into the pack folder; the next pack must not take it for an edit."""
    from greendiag import write_pack

    out = tmp_path / "pack"
    write_pack(demo_diag, out)
    render_report(demo_diag, out / "report.md", "md", lang="bilingual")
    render_report(demo_diag, out / "report.docx", "docx", lang="bilingual")
    write_pack(demo_diag, out)
    render_report(demo_diag, tmp_path / "elsewhere.md", "md")  # no manifest there: nothing is recorded or created
    assert sorted(os.listdir(tmp_path)) == ["elsewhere.md", "pack"]


def test_overwrite_must_be_a_bool(tmp_path, demo_diag):
    from greendiag import GreendiagError, write_pack

    with pytest.raises(GreendiagError) as info:
        write_pack(demo_diag, tmp_path / "p", overwrite="yes")
    assert info.value.codes == ("bad-argument",) and "overwrite" in info.value.problems[0].message_zh
    assert not (tmp_path / "p").exists()


def test_the_cli_keeps_an_edited_pack_file_unless_forced(run, demo_path, tmp_path):
    out = tmp_path / "out"
    assert run("diagnose", demo_path, "--backend", "python", "--out", out).exit_code == 0
    (out / "report.html").write_text("<p>改过</p>", encoding="utf-8")
    res = run("diagnose", demo_path, "--backend", "python", "--out", out)
    assert res.exit_code == 2 and "pack-file-edited" in res.output and "--force" in res.output
    assert (out / "report.html").read_text(encoding="utf-8") == "<p>改过</p>"
    res = run("diagnose", demo_path, "--backend", "python", "--out", out, "--force")
    assert res.exit_code == 0 and "改过" not in (out / "report.html").read_text(encoding="utf-8")


def test_a_batch_reports_an_edited_pack_in_its_row_and_goes_on(tmp_path, demo_path):
    import shutil

    from greendiag import diagnose_many

    parks = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for p in parks:
        shutil.copy(demo_path, p)
    out = tmp_path / "out"
    first = diagnose_many(parks, workers=1, backend="python", out_dir=out)
    assert all(r.ok and r.pack_dir for r in first)
    (out / "a" / "report.md").write_text("改过", encoding="utf-8")
    again = diagnose_many(parks, workers=1, backend="python", out_dir=out)
    assert again[0].ok and again[0].pack_dir is None and [p.code for p in again[0].pack_problems] == ["pack-file-edited"]
    assert again[1].pack_dir and not again[1].pack_problems
    forced = diagnose_many(parks, workers=1, backend="python", out_dir=out, overwrite=True)
    assert all(r.pack_dir for r in forced) and (out / "a" / "report.md").read_text(encoding="utf-8") != "改过"
