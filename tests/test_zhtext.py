"""Chinese report text is set with Chinese punctuation (GB/T 15834: ，：；（）), while numbers, times and English glosses
after a space keep theirs (reports/zhtext.py)."""

from __future__ import annotations

import pathlib

import docx
import pytest

import greendiag
from greendiag.reports import render_report
from greendiag.reports.zhtext import zh_punctuation

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text, want", [
    ("综合评估:园区2024年诊断评分为105.8分,评级为“优秀”(excellent);三年", "综合评估：园区2024年诊断评分为105.8分，评级为“优秀”（excellent）；三年"),
    ("差距15.5个百分点(相对差距17.2%)(标准比对法);", "差距15.5个百分点（相对差距17.2%）（标准比对法）；"),
    ("1,235 元 at 09:00", "1,235 元 at 09:00"),  # a thousands separator and a time
    ("一、概述 (Overview)", "一、概述 (Overview)"),  # an English gloss after a space
    ("(规则库 bj-green-park-rules 1.0.0)", "（规则库 bj-green-park-rules 1.0.0）"),  # a pair follows its opening mark
    ("rules (a, b): x", "rules (a, b): x"), ("the value (3) is", "the value (3) is"),
    ("EG1:能源产出率", "EG1：能源产出率"), ("为 -0.2019(≤0):越低越好", "为 -0.2019(≤0)：越低越好"),
    ("", ""), ("纯中文没有标点", "纯中文没有标点"),
])
def test_ascii_marks_beside_chinese_become_full_width(text, want):
    assert zh_punctuation(text) == want


def test_every_report_format_is_set_with_chinese_punctuation(tmp_path):
    diag = greendiag.diagnose(greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml"))
    md = pathlib.Path(render_report(diag, tmp_path / "r.md")).read_text(encoding="utf-8")
    html = pathlib.Path(render_report(diag, tmp_path / "r.html")).read_text(encoding="utf-8")
    doc = docx.Document(render_report(diag, tmp_path / "r.docx"))
    word = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    for text in (md, html, word):
        assert "诊断准则：依据" in text and "评级为“" in text
        assert "分,评级" not in text and "准则:依据" not in text  # no ASCII comma or colon beside Chinese
    # the diagnosis itself (data for other tools) keeps its messages as the rules write them
    assert any("," in f.message_zh for f in diag.findings)


def test_the_forms_are_set_with_chinese_punctuation_too(tmp_path):
    from greendiag.reports import write_report_pack

    diag = greendiag.diagnose(greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml"))
    write_report_pack(diag, tmp_path)
    for name, words in (("form-2-2-confidentiality.docx", ["郑重承诺如下：", "一、认真遵守国家保密法律法规以及被诊断园区规章制度，履行保密义务。"]),
                        ("form-2-3-confirmation.docx", ["（单位公章）", "负责人签字："]),
                        ("form-2-4-satisfaction.docx", ["非常满意（  ）", "被诊断园区名称（加盖公章）"])):
        doc = docx.Document(tmp_path / name)
        text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
        assert all(w in text for w in words), (name, [w for w in words if w not in text])
