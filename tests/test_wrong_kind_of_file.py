"""A file of another kind given as park data is said to be what it is, with what to do, in one problem: a diagnosis
result, an overlay, a rule file, a workbook or Word file under another name, UTF-16 text (it was a page of schema
errors, or "not UTF-8 at byte 10")."""

from __future__ import annotations

import pathlib
import shutil

import pytest

import greendiag
from greendiag.errors import DatasetError, InputFileError

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kinds")
    diag = greendiag.diagnose(greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml"), backend="python")
    (tmp / "diagnosis.json").write_text(diag.to_json(), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "demo-park.xlsx", tmp / "park.yaml")
    from greendiag.reports import render_report

    render_report(diag, tmp / "report.docx")
    (tmp / "u16.yaml").write_bytes("format: greendiag-dataset/1\n".encode("utf-16"))
    import zipfile

    with zipfile.ZipFile(tmp / "data.json", "w") as z:
        z.writestr("park.yaml", "x: 1")
    shutil.copy(tmp / "report.docx", tmp / "report.xlsx")
    shutil.copy(tmp / "data.json", tmp / "archive.xlsx")
    (tmp / "old.xlsx").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))  # the OLE header of .xls
    shutil.copy(ROOT / "examples" / "demo-park.yaml", tmp / "text.xlsx")
    return tmp


@pytest.mark.parametrize("name, code, word_zh, word_en", [
    ("diagnosis.json", "wrong-kind-of-file", "诊断结果", "greendiag report"),
    ("examples/overlays/water-cascade.yaml", "wrong-kind-of-file", "扩展目录", "--overlay"),
    ("examples/rules/water-cascade-rules.yaml", "wrong-kind-of-file", "规则文件", "--rules"),
    ("park.yaml", "wrong-kind-of-file", "Excel 工作簿", ".xlsx"),
    ("report.docx", "wrong-kind-of-file", "Word 文档", "diagnosis.json"),
    ("data.json", "wrong-kind-of-file", "zip", "unpack"),
    ("u16.yaml", "not-utf8", "UTF-16", "UTF-8"),
    ("report.xlsx", "wrong-kind-of-file", "Word 文档", "Word document"),  # these four were a generic not-xlsx
    ("archive.xlsx", "wrong-kind-of-file", "zip", "unpack"),
    ("old.xlsx", "wrong-kind-of-file", ".xls", "opening password"),
    ("text.xlsx", "wrong-kind-of-file", "文本文件", ".yaml/.json"),
])
def test_another_kind_of_file_is_one_problem_saying_what_it_is(files, name, code, word_zh, word_en):
    path = ROOT / name if name.startswith("examples/") else files / name
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(path)
    (p,) = info.value.problems
    assert p.code == code and p.file == str(path) and word_zh in p.message_zh + p.fix_zh and word_en in p.message_en + p.fix_en


def test_report_of_a_word_file_says_it_is_one(files, tmp_path):
    with pytest.raises(InputFileError) as info:
        greendiag.reports.render_report(files / "report.docx", tmp_path / "r.md", "md")
    assert info.value.codes == ("wrong-kind-of-file",) and not (tmp_path / "r.md").exists()


def test_a_named_pipe_given_as_input_is_refused_not_waited_on(tmp_path):
    """Reading a pipe nobody writes to blocked for ever (validate, diagnose, --overlay, --rules, report)."""
    import os

    fifo = tmp_path / "park.yaml"
    os.mkfifo(fifo)
    calls = [lambda: greendiag.load_dataset(fifo), lambda: greendiag.load_catalogue(fifo),
             lambda: greendiag.load_rules(fifo)]
    for call in calls:
        with pytest.raises(InputFileError) as info:
            call()
        p = info.value.problems[0]
        assert info.value.codes == ("not-a-regular-file",) and p.file == str(fifo) and p.fix_zh
    xlsx = tmp_path / "park.xlsx"
    os.mkfifo(xlsx)
    with pytest.raises(DatasetError) as info:
        greendiag.load_dataset(xlsx)
    assert info.value.codes == ("not-a-regular-file",)


@pytest.mark.parametrize("name, word", [("report.md", "Markdown"), ("report.html", "HTML"), ("old.doc", "Word"), ("scan.pdf", "PDF")])
def test_a_report_given_as_data_is_said_to_be_one(tmp_path, name, word):
    """report.md as data got PyYAML's "expected a single document in the stream" (re-review)."""
    from click.testing import CliRunner

    from greendiag.cli import main

    path = tmp_path / name
    path.write_text("# 北京市工业园区绿色诊断评估报告\n\n---\n\n正文\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        greendiag.load_dataset(path)
    (p,) = info.value.problems
    assert p.code == "wrong-kind-of-file" and word in p.message_zh and "diagnosis.json" in p.fix_zh
    res = CliRunner().invoke(main, ["report", str(path), "--out", str(tmp_path / "r.md")])
    assert res.exit_code == 2 and "wrong-kind-of-file" in res.output and "stream" not in res.output
