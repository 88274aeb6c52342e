"""Report pack: Word report per 附件2-1, forms 2-2/2-3/2-4, Markdown/HTML, charts; atomic writes and typed errors."""

from __future__ import annotations

import copy
import io
import json
import os
import warnings
import zipfile

import docx
import pytest
import yaml

import greendiag
from greendiag import ReportError
from greendiag.errors import InputFileError
from greendiag.reports import PACK_FILES, load_diagnosis, render_report, write_report_pack
from greendiag.reports import charts as chartsmod
from greendiag.reports._data import ReportData, fmt_num
from greendiag.reports.fonts import cjk_font, safe_label

HOSTILE = '<script>alert("x")</script> A&B <b>园区</b>'


@pytest.fixture(scope="module")
def diag(demo_dataset, catalogue, rulebase):
    return greendiag.diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend="python")


@pytest.fixture(scope="module")
def ddict(diag):
    return diag.to_dict()


@pytest.fixture(scope="module")
def pack(ddict, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack")
    return out, write_report_pack(ddict, out)


def _tables_by_header(document) -> dict[str, list]:
    found: dict[str, list] = {}
    for t in document.tables:
        found.setdefault(t.rows[0].cells[0].text, []).append(t)
    return found


def _open(path) -> docx.Document:
    return docx.Document(str(path))


# ------------------------------------------------------------------ the pack

def test_pack_files_in_fixed_order(pack, ddict):
    out, written = pack
    names = [os.path.relpath(p, out).replace(os.sep, "/") for p in written]
    assert names[:3] == list(PACK_FILES)
    assert names[3:6] == ["form-2-2-confidentiality.docx", "form-2-3-confirmation.docx", "form-2-4-satisfaction.docx"]
    assert names[6] == "charts/category-scores.png"
    assert names[7:] == [f"charts/trend-{c['code']}.png" for c in ddict["catalogue"]["categories"]]
    for p in written:
        assert os.path.getsize(p) > 0
    assert not [f for f in os.listdir(out) if f.startswith(".tmp-")]
    for p in written:
        if p.endswith(".png"):
            with open(p, "rb") as fh:
                assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_docx_has_every_required_table(pack, ddict):
    out, _ = pack
    doc = _open(out / "report.docx")
    tables = _tables_by_header(doc)
    # 附件2-1-1: header + 8 requirements, in order, with status and evidence
    (t211,) = [t for t in tables["序号"] if t.rows[0].cells[1].text == "基本要求"]
    assert len(t211.rows) == 1 + 8
    assert [r.cells[0].text for r in t211.rows[1:]] == [str(i) for i in range(1, 9)]
    assert t211.rows[4].cells[2].text == "不符合"  # demo: requirement 4 not met
    assert "B4" in t211.rows[4].cells[3].text
    # 附件2-1-2: one table per year, 31 indicators each
    t212 = tables["一级指标"]
    assert len(t212) == 3
    for t in t212:
        assert len(t.rows) == 1 + 31
        assert [r.cells[1].text for r in t.rows[1:]] == [str(i) for i in range(1, 32)]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for i, y in enumerate(ddict["years"], 1):
        assert any(h.startswith(f"第{i}年({y}年)") for h in headings)
    row1 = t212[0].rows[1].cells
    assert row1[2].text == "能源产出率" and row1[3].text == "万元/tce" and row1[4].text == "2.84" and row1[5].text == "94.7"
    assert "E1-2022" in row1[6].text
    # 附件2-1-3: one row per project; investment blank for candidates
    (t213,) = [t for t in tables["序号"] if t.rows[0].cells[1].text == "项目建设内容"]
    assert len(t213.rows) == 1 + len(ddict["projects"])
    cand = [i for i, p in enumerate(ddict["projects"]) if p["origin"] == "candidate"][0]
    assert t213.rows[1 + cand].cells[2].text == "" and t213.rows[1 + cand].cells[3].text == ""
    assert t213.rows[1].cells[2].text == "3200"  # the park's own project keeps its investment
    # team table and basic information
    team = tables["类别"][0]
    assert [c.text for c in team.rows[0].cells] == ["类别", "序号", "姓名", "绿色诊断工作分工", "职称", "从事专业"]
    assert len(team.rows) == 1 + len(ddict["engagement"]["team"])
    info = tables["一、园区基本信息"][0]
    assert any(r.cells[0].text == "服务商名称" and r.cells[1].text == ddict["engagement"]["provider"]["name"] for r in info.rows)


def test_docx_sections_cover_commitment(pack, ddict):
    doc = _open(pack[0] / "report.docx")
    text = [p.text for p in doc.paragraphs]
    cover = "\n".join(text[:8])
    assert ddict["park"]["name"] in cover and ddict["engagement"]["provider"]["name"] in cover and "2025年4月15日" in cover
    body = "\n".join(text)
    for head in ("一、概述", "二、诊断评估过程和方法", "三、诊断评估内容", "四、诊断评估结论", "五、建议", "六、参考文件",
                 "附件2-1-1", "附件2-1-2", "附件2-1-3", "绿色诊断工作组成员表", "基本信息表"):
        assert head in body, head
    assert "本机构承诺" in body and "负责人签字" in body and "(单位公章)" in body
    assert "优秀" in body  # score band
    assert ddict["findings"][0]["message_zh"] in body
    assert len(doc.inline_shapes) == 1 + len(ddict["catalogue"]["categories"])  # charts embedded


def test_docx_east_asian_fonts_and_fixed_dates(pack):
    doc = _open(pack[0] / "report.docx")
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for name, ea in (("Normal", "宋体"), ("Heading 1", "黑体"), ("Heading 2", "黑体"), ("Title", "黑体")):
        rfonts = doc.styles[name].element.rPr.find(ns + "rFonts")
        assert rfonts.get(ns + "eastAsia") == ea
        assert rfonts.get(ns + "eastAsiaTheme") is None and rfonts.get(ns + "asciiTheme") is None
    cp = doc.core_properties
    assert (cp.created.year, cp.created.month, cp.created.day) == (2025, 4, 15)
    assert cp.modified == cp.created


def test_docx_bytes_deterministic(ddict, tmp_path):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    render_report(ddict, a, "docx")
    render_report(copy.deepcopy(ddict), b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 4, 15, 0, 0, 0)}


def test_forms_prefilled(pack, ddict):
    out, _ = pack
    park, prov = ddict["park"]["name"], ddict["engagement"]["provider"]["name"]
    texts = {}
    for name in ("form-2-2-confidentiality.docx", "form-2-3-confirmation.docx", "form-2-4-satisfaction.docx"):
        doc = _open(out / name)
        texts[name] = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
        assert park in texts[name] and prov in texts[name]
    assert "保密承诺书" in texts["form-2-2-confidentiality.docx"] and "2025年3月3日" in texts["form-2-2-confidentiality.docx"]
    assert "2025年3月10日至3月14日" in texts["form-2-3-confirmation.docx"]
    assert "非常满意" in texts["form-2-4-satisfaction.docx"] and "区级经信部门审核意见" in texts["form-2-4-satisfaction.docx"]


# ------------------------------------------------------------------ Markdown / HTML / JSON

def test_md_html_json_byte_identical_on_rerender(diag, ddict, tmp_path):
    saved = tmp_path / "diagnosis.json"
    saved.write_text(diag.to_json(), encoding="utf-8")
    for fmt in ("md", "html", "json"):
        a = render_report(diag, tmp_path / f"a.{fmt}", fmt)
        b = render_report(str(saved), tmp_path / f"b.{fmt}", fmt)  # re-rendered from the saved JSON
        with open(a, "rb") as fa, open(b, "rb") as fb:
            assert fa.read() == fb.read(), fmt
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == diag.to_json()


def test_md_and_html_have_the_same_sections(pack, ddict):
    out, _ = pack
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    for head in ("一、概述", "二、诊断评估过程和方法", "三、诊断评估内容", "四、诊断评估结论", "五、建议", "六、参考文件",
                 "附件2-1-1", "附件2-1-2", "附件2-1-3"):
        assert head in md and head in html, head
    assert "](charts/category-scores.png)" in md
    assert html.count('src="data:image/png;base64,') == 1 + len(ddict["catalogue"]["categories"])
    assert "<img src=\"charts/" not in html  # self-contained
    assert html.count('<table class="annex-2-1-2-') == 3


def test_hostile_park_name_is_escaped(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    d["park"]["name"] = HOSTILE
    d["engagement"]["provider"]["name"] = "X&Y <Co>"
    html = open(render_report(d, tmp_path / "r.html"), encoding="utf-8").read()
    assert "<script>" not in html and "<b>园区</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; A&amp;B &lt;b&gt;园区&lt;/b&gt;" in html
    assert "X&amp;Y &lt;Co&gt;" in html
    md = open(render_report(d, tmp_path / "r.md"), encoding="utf-8").read()
    assert "<script>" not in md and "&lt;script&gt;" in md
    doc = _open(render_report(d, tmp_path / "r.docx"))
    assert any(HOSTILE in p.text for p in doc.paragraphs[:6])  # Word keeps the name as text


# ------------------------------------------------------------------ overlay indicators

def test_overlay_indicator_rows(tmp_path, demo_path):
    overlay = tmp_path / "water.yaml"
    overlay.write_text(
        "overlay:\n  id: water-special\n  version: 1.0.0\n  title_zh: 水专项诊断\n  title_en: water special diagnosis\n"
        "  extends: {id: bj-green-park-2024, version: '>=1.0,<2'}\n"
        "indicators:\n- id: rainwater_harvesting\n  number: 32\n  code: RG12\n  category: RG\n  name_zh: 雨水收集利用率\n"
        "  name_en: Rainwater harvesting rate\n  unit: '%'\n  kind: quantitative\n  direction: higher\n"
        "  lead: {value: 30, provisional: '测试用引领值 无公开出处 (test lead value)'}\n  mandatory: false\n"
        "  sources: [{doc: bj-guide-2024, clause: 三(一)2 专项诊断}]\n", encoding="utf-8")
    cat = greendiag.load_catalogue(overlay)
    data = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    for i, y in enumerate(y for y in data["years"] if "indicators" in y):
        y["indicators"]["rainwater_harvesting"] = {"value": 20 + 5 * i, "evidence": f"W-{y['year']}"}
    ds_path = tmp_path / "park.yaml"
    ds_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    d = greendiag.diagnose(greendiag.load_dataset(ds_path, catalogue=cat), catalogue=cat, backend="python")
    out = render_report(d, tmp_path / "overlay.docx")
    t212 = _tables_by_header(_open(out))["一级指标"]
    assert len(t212) == 3
    for k, t in enumerate(t212):
        assert len(t.rows) == 1 + 32
        row = [r for r in t.rows if r.cells[1].text == "32"]
        assert len(row) == 1 and row[0].cells[2].text == "雨水收集利用率" and row[0].cells[4].text == str(20 + 5 * k)
        assert row[0].cells[0].text.startswith("资源利用")  # grouped under its category
    html = open(render_report(d, tmp_path / "overlay.html"), encoding="utf-8").read()
    assert "雨水收集利用率" in html and "water-special 1.0.0" in html


# ------------------------------------------------------------------ failures: typed and atomic

def test_failing_chart_leaves_no_file(ddict, tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("chart exploded")

    monkeypatch.setattr(chartsmod, "category_chart", boom)
    target = tmp_path / "report.docx"
    with pytest.raises(ReportError) as info:
        render_report(ddict, target, "docx")
    assert info.value.codes == ("render-failed",) and "chart exploded" in info.value.problems[0].message_en
    assert os.listdir(tmp_path) == []
    # an existing report is not clobbered by a failing re-render
    target.write_bytes(b"previous")
    with pytest.raises(ReportError):
        render_report(ddict, target, "html")
    assert target.read_bytes() == b"previous"
    pack_dir = tmp_path / "pack"
    with pytest.raises(ReportError):
        write_report_pack(ddict, pack_dir)
    assert not pack_dir.exists() or os.listdir(pack_dir) == []


def test_failing_write_leaves_no_partial_file(ddict, tmp_path, monkeypatch):
    import greendiag.fileio as fileio

    real_replace = os.replace

    def no_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", no_replace)
    with pytest.raises(OSError):
        render_report(ddict, tmp_path / "r.md")
    monkeypatch.setattr(fileio.os, "replace", real_replace)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("path, location", [
    (("park", "name"), "$.park.name"),
    (("baseline",), "$.baseline"),
    (("engagement", "provider"), "$.engagement.provider"),
    (("indicators", 0, "score"), "$.indicators[0].score"),
    (("catalogue", "indicators", 3, "name_zh"), "$.catalogue.indicators[3].name_zh"),
])
def test_malformed_dict_names_the_key(ddict, tmp_path, path, location):
    d = copy.deepcopy(ddict)
    parent = d
    for k in path[:-1]:
        parent = parent[k]
    del parent[path[-1]]
    for fmt in ("md", "docx"):
        with pytest.raises(ReportError) as info:
            render_report(d, tmp_path / f"r.{fmt}", fmt)
        p = info.value.problems[0]
        assert p.code == "diagnosis-missing-key" and p.location == location
        assert location in str(info.value)
    with pytest.raises(ReportError) as info:
        write_report_pack(d, tmp_path / "pack")
    assert info.value.problems[0].location == location
    assert os.listdir(tmp_path) == []


def test_wrong_types_and_formats(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    d["years"] = "2022"
    with pytest.raises(ReportError) as info:
        render_report(d, tmp_path / "r.md")
    assert info.value.codes == ("diagnosis-bad-type",)
    d = copy.deepcopy(ddict)
    d["format"] = "something-else/9"
    with pytest.raises(ReportError) as info:
        render_report(d, tmp_path / "r.md")
    assert info.value.codes == ("diagnosis-format",)
    with pytest.raises(ReportError) as info:
        render_report(ddict, tmp_path / "r.pdf")
    assert info.value.codes == ("unknown-format",)
    with pytest.raises(ReportError):
        render_report(42, tmp_path / "r.md")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        load_diagnosis(bad)
    assert info.value.problems[0].line == 1
    assert os.listdir(tmp_path) == ["bad.json"]


# ------------------------------------------------------------------ charts and fonts

def test_charts_render_without_missing_glyph_warnings(ddict):
    rd = ReportData(ddict)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing CJK glyph is a UserWarning: make it fail
        first = chartsmod.render_charts(rd)
    again = chartsmod.render_charts(rd)
    assert [c.key for c in first] == ["category-scores"] + [f"trend-{c['code']}" for c in ddict["catalogue"]["categories"]]
    assert [c.png for c in first] == [c.png for c in again]  # deterministic bytes


def test_font_fallback_labels():
    assert safe_label("EG1 能源产出率 Energy productivity") == "EG1 Energy productivity"
    if cjk_font() is None:
        labels = chartsmod._Labels(None)
        assert labels.unit("万元/tce") == "10k CNY/tce" and labels.unit("元/m3") == "CNY/m3"
        assert labels.text("能源产出率", "Energy productivity") == "Energy productivity"


def test_number_format():
    assert [fmt_num(x) for x in (2.8400000000000003, 0.16818181818, -0.2019417, 12345.6, 1352.4, 0.0, 100.0, None, 7)] == \
        ["2.84", "0.1682", "-0.2019", "12346", "1352", "0", "100", "—", "7"]


def test_cli_diagnose_writes_the_pack(demo_path, tmp_path):
    from click.testing import CliRunner

    from greendiag.cli import main

    res = CliRunner().invoke(main, ["diagnose", str(demo_path), "--backend", "python", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    names = sorted(os.listdir(tmp_path))
    assert {"diagnosis.json", "report.docx", "report.md", "report.html", "charts"} <= set(names)
    saved = json.loads((tmp_path / "diagnosis.json").read_text(encoding="utf-8"))
    lines = (tmp_path / "report.md").read_text(encoding="utf-8").split("\n")
    again = render_report(saved, tmp_path / "again.md")
    # the pack's Markdown links the charts (image, blank, caption, blank); otherwise it is the single-file rendering
    kept, skip = [], 0
    for line in lines:
        if line.startswith("![") and "](charts/" in line:
            skip = 4
        if skip:
            skip -= 1
            continue
        kept.append(line)
    assert "\n".join(kept) == open(again, encoding="utf-8").read()


def test_docx_is_a_valid_zip_with_images(pack):
    with zipfile.ZipFile(io.BytesIO((pack[0] / "report.docx").read_bytes())) as z:
        assert z.testzip() is None
        assert sum(1 for n in z.namelist() if n.startswith("word/media/")) >= 1


# ------------------------------------------------------------------ a park without provider, team or dates

MINIMAL = {"format": "greendiag-dataset/1", "park": {"name": "最小园区"}, "diagnosis_year": 2024,
           "years": [{"year": 2023, "indicators": {"energy_productivity": 3.2}}]}


@pytest.fixture(scope="module")
def minimal_dict(catalogue, rulebase):
    ds = greendiag.dataset_from_dict(copy.deepcopy(MINIMAL), catalogue=catalogue)
    assert ds.engagement.provider.name is None and ds.engagement.team == ()
    return greendiag.diagnose(ds, catalogue=catalogue, rules=rulebase, backend="python").to_dict()


def _docx_text(path) -> str:
    doc = _open(path)
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_minimal_dataset_renders_every_format(minimal_dict, tmp_path):
    """Only the schema's required fields: no provider, team, contacts or dates. Every format renders, with blanks."""
    for fmt in ("docx", "md", "html", "json"):
        render_report(minimal_dict, tmp_path / f"r.{fmt}")
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    docx_text = _docx_text(tmp_path / "r.docx")
    for text in (md, html, docx_text):
        assert "最小园区" in text
        assert "绿色诊断服务商名称:(未填写)" in text  # the cover names the gap instead of printing None
        assert "None" not in text and "null" not in text
    assert "| 服务商名称 |   |" in md  # an empty cell in 基本信息表, like the other unfilled fields
    assert "| 专家成员 | 1 |   |   |   |   |" in md  # team table keeps one blank row per group to fill in
    assert "现场诊断:未记录至未记录" in md
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["engagement"]["provider"]["name"] is None
    core = _open(tmp_path / "r.docx").core_properties
    assert core.author == "" and core.created.year == 2024  # no dates at all: 1 January of the diagnosis year


def test_minimal_dataset_writes_the_full_pack(minimal_dict, tmp_path):
    written = write_report_pack(minimal_dict, tmp_path)
    names = [os.path.relpath(p, tmp_path).replace(os.sep, "/") for p in written]
    assert names[:6] == list(PACK_FILES) + ["form-2-2-confidentiality.docx", "form-2-3-confirmation.docx",
                                            "form-2-4-satisfaction.docx"]
    f22 = _docx_text(tmp_path / "form-2-2-confidentiality.docx")
    f23 = _docx_text(tmp_path / "form-2-3-confirmation.docx")
    f24 = _docx_text(tmp_path / "form-2-4-satisfaction.docx")
    # the forms are printed and signed: a line to write the provider on, blank dates, never "None"
    assert "诊断服务商(加盖公章):________________" in f22 and "    年    月    日" in f22
    assert ("\n________________为本单位提供了绿色诊断服务,于    年  月  日至  月  日开展了现场诊断" in f23)
    assert "被诊断园区:最小园区" in f23
    doc24 = _open(tmp_path / "form-2-4-satisfaction.docx")
    row = [r for r in doc24.tables[0].rows if r.cells[0].text == "绿色诊断服务商名称"]
    assert len(row) == 1 and row[0].cells[1].text == ""
    for text in (f22, f23, f24):
        assert "None" not in text and "(未填写)" not in text


def test_minimal_dataset_cli_diagnose_exits_0(tmp_path):
    from click.testing import CliRunner

    from greendiag.cli import main

    src = tmp_path / "park.yaml"
    src.write_text(yaml.safe_dump(MINIMAL, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["diagnose", str(src), "--backend", "python", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert {"diagnosis.json", "report.docx", "report.md", "report.html", "form-2-3-confirmation.docx"} <= set(os.listdir(out))


def test_provider_name_of_wrong_type_is_named(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    d["engagement"]["provider"]["name"] = 42
    with pytest.raises(ReportError) as info:
        render_report(d, tmp_path / "r.md")
    assert info.value.codes == ("diagnosis-bad-type",)
    assert info.value.problems[0].location == "$.engagement.provider.name"
    d["engagement"]["provider"]["name"] = "   "  # blank text counts as not filled in
    render_report(d, tmp_path / "r.md")
    assert "绿色诊断服务商名称:(未填写)" in (tmp_path / "r.md").read_text(encoding="utf-8")
