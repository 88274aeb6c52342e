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

from conftest import plain_punct

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
    headings = [plain_punct(p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
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
    assert any(r.cells[0].text == "服务商名称" and plain_punct(r.cells[1].text) == ddict["engagement"]["provider"]["name"]
               for r in info.rows)


def test_docx_sections_cover_commitment(pack, ddict):
    doc = _open(pack[0] / "report.docx")
    text = [plain_punct(p.text) for p in doc.paragraphs]
    cover = "\n".join(text[:8])
    assert ddict["park"]["name"] in cover and ddict["engagement"]["provider"]["name"] in cover and "2025年4月15日" in cover
    body = "\n".join(text)
    for head in ("一、概述", "二、诊断评估过程和方法", "三、诊断评估内容", "四、诊断评估结论", "五、建议", "六、参考文件",
                 "附件2-1-1", "附件2-1-2", "附件2-1-3", "绿色诊断工作组成员表", "基本信息表"):
        assert head in body, head
    assert "本机构承诺" in body and "负责人签字" in body and "(单位公章)" in body
    assert "优秀" in body  # score band
    assert "基础性要求第4项未满足:园区重点企业100%实施清洁生产审核" in body  # the demo's unmet requirement, as a problem
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
        texts[name] = plain_punct("\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]))
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
    md = plain_punct((out / "report.md").read_text(encoding="utf-8"))
    html = plain_punct((out / "report.html").read_text(encoding="utf-8"))
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
    assert len(t212) == 6  # per year: the guide's 31 indicators, then the overlay's in a table of their own
    for k, (guide, extra) in enumerate(zip(t212[::2], t212[1::2])):
        assert len(guide.rows) == 1 + 31 and not [r for r in guide.rows if r.cells[1].text == "32"]
        assert len(extra.rows) == 1 + 1
        row = extra.rows[1]
        assert row.cells[1].text == "32" and row.cells[2].text == "雨水收集利用率" and row.cells[4].text == str(20 + 5 * k)
        assert row.cells[0].text.startswith("资源利用")  # named with its category
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
    with pytest.raises(ReportError):
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
    return plain_punct("\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]))


def test_minimal_dataset_renders_every_format(minimal_dict, tmp_path):
    """Only the schema's required fields: no provider, team, contacts or dates. Every format renders, with blanks."""
    for fmt in ("docx", "md", "html", "json"):
        render_report(minimal_dict, tmp_path / f"r.{fmt}")
    md = plain_punct((tmp_path / "r.md").read_text(encoding="utf-8"))
    html = plain_punct((tmp_path / "r.html").read_text(encoding="utf-8"))
    docx_text = _docx_text(tmp_path / "r.docx")
    for text in (md, html, docx_text):
        assert "最小园区" in text
        assert "绿色诊断服务商名称:(未填写)" in text  # the cover names the gap instead of printing None
        assert "None" not in text and "null" not in text
    assert "| 服务商名称 |   |" in md  # an empty cell in 基本信息表, like the other unfilled fields
    assert "| 专家成员 | 1 |   |   |   |   |" in md  # team table keeps one blank row per group to fill in
    assert "现场诊断日期:未记录至未记录。" in md
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
    assert "绿色诊断服务商名称:(未填写)" in plain_punct((tmp_path / "r.md").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ review fixes: trends, language, problems, bands, forms

def _md(d, tmp_path, name="r.md", **kw) -> str:
    return plain_punct(open(render_report(d, tmp_path / name, "md", **kw), encoding="utf-8").read())


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def _set_steps(d, number, steps, overall):
    """Replace the year-on-year assessments of one indicator: steps for consecutive years, overall first→last."""
    ys = d["years"]
    d["changes"] = [c for c in d["changes"] if c["number"] != number]
    for (a, b), s in zip(zip(ys, ys[1:]), steps):
        d["changes"].append({"number": number, "from_year": a, "to_year": b, "assessment": s, "delta": None})
    d["changes"].append({"number": number, "from_year": ys[0], "to_year": ys[-1], "assessment": overall, "delta": None})


@pytest.mark.parametrize("steps, overall, expected", [
    (("better", "better"), "better", ("steady_better", "持续向好")),
    (("same", "better"), "better", ("steady_better", "持续向好")),  # better or the same every year
    (("worse", "better"), "better", ("mixed_better", "总体向好但有波动")),  # e.g. 78.4 → 74.3 → 79.2
    (("better", "worse"), "worse", ("mixed_worse", "总体变差但有波动")),
    (("worse", "same"), "worse", ("steady_worse", "持续变差")),
    (("same", "same"), "same", ("same", "持平")),
    (("n/a", "better"), "better", ("partial_better", "向好(部分年份无法比较)")),
    (("n/a", "n/a"), "n/a", ("n/a", "无法比较")),
])
def test_trend_needs_every_step(ddict, steps, overall, expected):
    d = copy.deepcopy(ddict)
    assert len(d["years"]) == 3
    _set_steps(d, 1, steps, overall)
    assert ReportData(d).trend(1) == expected


def test_fluctuating_indicator_is_not_called_steadily_better(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    _set_steps(d, 1, ("worse", "better"), "better")  # 能源产出率 dipped in the middle year
    md = _md(d, tmp_path)
    steady = [line for line in md.splitlines() if "持续向好(逐年向好或持平,且至少一年向好)的指标" in line]
    assert len(steady) == 1 and "能源产出率" not in steady[0]
    row = [line for line in md.splitlines() if line.startswith("| 1 | 能源产出率 |")]
    assert len(row) == 1 and row[0].endswith("| ↓ ↑ | — | 总体向好但有波动 |")


def test_zh_report_is_chinese_only(ddict, tmp_path):
    md = _md(ddict, tmp_path)
    for english in ("Overview", "Process and methods", "(excellent)", "candidate", "The provider confirms", "fictitious",
                    "not reported", "docs/sources.md", "未见原文", "provisional", "图中标签为英文", "报告方法说明"):
        assert english not in md, english
    # every English word left comes from the park's own data or the catalogue and rule ids
    d = ddict
    own = json.dumps([d["park"], d["engagement"]["provider"], d["baseline"], d["indicators"], d["projects"],
                      d["catalogue_id"], d["rules_id"], d.get("catalogue_overlays"),
                      [c["unit"] for c in (d.get("energy_by_carrier") or {}).get("coefficients", [])]],  # kgce/kg
                     ensure_ascii=False)
    stray = {w for w in __import__("re").findall(r"[A-Za-z]{4,}", md) if w not in own}
    assert stray == set(), stray


def test_bilingual_report_adds_english(ddict, tmp_path):
    md = _md(ddict, tmp_path, lang="bilingual")
    assert "## 一、概述 (Overview)" in md and "The provider confirms" in md
    assert "(candidate; investment to be filled in by the park)" in md
    zh = _md(ddict, tmp_path, "zh.md")
    assert "## 一、概述\n" in zh and md != zh
    html = open(render_report(ddict, tmp_path / "r.html", lang="bilingual"), encoding="utf-8").read()
    assert "一、概述<small>Overview</small>" in html
    assert md == _md(copy.deepcopy(ddict), tmp_path, "again.md", lang="bilingual")  # deterministic too


def test_unknown_lang_is_a_report_error(ddict, tmp_path):
    with pytest.raises(ReportError) as info:
        render_report(ddict, tmp_path / "r.md", lang="fr")
    assert info.value.codes == ("unknown-lang",) and "bilingual" in info.value.problems[0].message_en
    with pytest.raises(ReportError):
        write_report_pack(ddict, tmp_path / "pack", lang="en-GB")
    assert os.listdir(tmp_path) == []


def test_references_deduplicated_and_evidence_grouped(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    y0, y1, y2 = d["years"]
    for f, title in zip(d["findings"], ("北京市工业园区绿色诊断工作指南", "《北京市工业园区绿色诊断工作指南》(2024)",
                                        "绿色园区评价要求", "工业和信息化部《绿色园区评价要求》", "国家生态工业示范园区复查评估标准")):
        f["source"] = {"doc": "x", "clause": "y", "title": title}
    for r in d["indicators"]:
        if r["number"] == 12:
            r["evidence"] = "I12 污水处理厂运行记录" if r["year"] == y0 else "I12"
        if r["number"] == 2:
            r["evidence"] = f"E2-{r['year']}"
    md = _md(d, tmp_path)
    refs = _between(md, "## 六、参考文件", "## 附件2-1-1")
    docs = _between(refs, "### 1. 参考文件", "### 2.")
    assert docs.count("北京市工业园区绿色诊断工作指南") == 1 and docs.count("绿色园区评价要求") == 1
    assert "1. 《北京市工业园区绿色诊断工作指南》(北京市经济和信息化局,2024年)" in docs
    assert "3. 《国家生态工业示范园区复查评估标准》" in docs
    assert f"- 12 污水集中处理设施:I12 污水处理厂运行记录({y0}—{y2}年)" in refs
    assert refs.count("I12") == 1
    assert f"- 2 可再生能源使用比例:E2-{y0};E2-{y1};E2-{y2}" in refs
    for dev in ("docs/", "sources.md", "未见原文", "provisional", "sha256", "附注"):
        assert dev not in md, dev


def test_method_note_is_one_sentence_in_section_two(ddict, tmp_path):
    from greendiag.reports import content

    d = copy.deepcopy(ddict)
    assert d["provisional"]  # the demo catalogue has provisional lead values
    md = _md(d, tmp_path)
    two = _between(md, "## 二、诊断评估过程和方法", "## 三、")
    assert content.METHOD_SECTION == "二、5" and f"### {content.METHOD_HEADING}" in two
    assert "### 5. 诊断方法与评分说明" in two
    # counted here from the diagnosis' own list, by kind
    counts = {k: sum(1 for p in d["provisional"] if p["kind"] == k) for k in ("lead", "mandatory", "reference", "rule_constant")}
    assert counts["lead"] == 31 and counts["mandatory"] == 31 and counts["reference"] and counts["rule_constant"]
    (sentence,) = [line for line in two.splitlines() if "尚未找到公开出处" in line]
    # it claimed the lead values "参照《绿色园区评价要求》" in the same breath as saying none of them has a source
    assert sentence.startswith("以下数值尚未找到公开出处,为暂定值:引领值31项、必选/可选划分31项、") and "参照" not in sentence
    assert f"参考值{counts['reference']}项" in sentence and f"核查规则阈值{counts['rule_constant']}项" in sentence
    assert sentence.endswith(";据此得出的评分和评级均仅供参考。") and "provisional" not in sentence
    bi = _md(d, tmp_path, "bi.md", lang="bilingual")
    (en,) = [line for line in bi.splitlines() if "尚未找到公开出处" in line]
    assert "no public source yet" in en and "31 lead values" in en and "indicative only" in en
    old = copy.deepcopy(d)  # a diagnosis.json written before the kinds: the general sentence
    old["provisional"] = [{"what": p["what"], "why": p["why"]} for p in d["provisional"]]
    assert f"评分所用数值中有{len(d['provisional'])}项尚未找到公开出处,为暂定值;评分和评级均仅供参考。" in _md(old, tmp_path, "old.md")
    d["provisional"] = []
    assert "公开出处" not in _md(d, tmp_path, "b.md")
    for head in ("### 2. 资料审核", "### 4. 报告编写及内部技术复核", "### 6. 数据核查与工作说明"):
        assert head in two


def _band_dict(ddict, qualified, summary):
    d = copy.deepcopy(ddict)
    for t in d["total_scores"]:
        t["band_zh"], t["band_en"], t["assessable"] = "优秀", "excellent", True
        if qualified is None:
            t.pop("band_qualified", None)
        else:
            t["band_qualified"] = qualified
    if summary is None:
        d.pop("baseline_summary", None)
    else:
        d["baseline_summary"] = summary
    return d


def test_band_with_unmet_mandatory_requirement_is_indicative(ddict, tmp_path):
    note = "优秀(基础性要求第4项未满足,评级仅供参考)"
    d = _band_dict(ddict, False, {"mandatory_unmet": [4], "mandatory_unknown": [], "encouraged_unmet": [7]})
    md = _md(d, tmp_path)
    assert "| 评级 | " + " | ".join([note] * 3) + " |" in md  # 表1
    assert f"评级为“{note}”" in md  # 四、3
    assert md.count(f"评级:{note}") == 3  # 附件2-1-2, one per year
    assert "优秀(excellent)" not in md
    d = _band_dict(ddict, False, {"mandatory_unmet": [4, 6], "mandatory_unknown": [5], "encouraged_unmet": []})
    assert "优秀(基础性要求第4、6项未满足、第5项未核查,评级仅供参考)" in _md(d, tmp_path, "b.md")


def test_band_fields_absent_means_qualified(ddict, tmp_path):
    md = _md(_band_dict(ddict, None, None), tmp_path)  # an older diagnosis.json
    assert "| 评级 | 优秀 | 优秀 | 优秀 |" in md and "评级仅供参考" not in md
    # band_qualified false without baseline_summary: the unmet requirement is read from the baseline rows
    d = _band_dict(ddict, False, None)
    for b in d["baseline"]:
        b["status"] = "not_met" if b["number"] == 3 else "met"
        b["mandatory"] = True
    assert "优秀(基础性要求第3项未满足,评级仅供参考)" in _md(d, tmp_path, "b.md")


def _problem_dict(ddict):
    """Demo diagnosis rewritten so that exactly three green-development problems exist (worked out by hand):
    requirement 4 unmet; indicator 2 at 12 % against the lead 15 %; 生态环境 down from year 1 to year 2."""
    d = copy.deepcopy(ddict)
    y0, y1, y2 = d["years"]
    for b in d["baseline"]:
        b["status"] = "not_met" if b["number"] == 4 else "met"
        b["mandatory"] = True
    for m in d["catalogue"]["indicators"]:
        if m["number"] == 2:
            m["lead"], m["unit"], m["direction"], m["kind"] = 15.0, "%", "higher", "quantitative"
    for r in d["indicators"]:
        if isinstance(r["score"], (int, float)):
            r["score"] = 110.0
        if r["number"] == 2 and r["year"] == y2:
            r["value"], r["score"], r["status"], r["level"] = 12.0, 80.0, "scored", None
            r["lead_gap_abs"], r["lead_gap_pct"] = 3.0, 20.0  # 15 − 12, and 3 / 15
    for n in {m["number"] for m in d["catalogue"]["indicators"]}:
        _set_steps(d, n, ("better", "better"), "better")
    scores = {c["code"]: dict(zip((y0, y1, y2), (108.34, 104.65, 110.19) if c["code"] == "HG" else (80.0, 90.0, 100.0)))
              for c in d["catalogue"]["categories"]}
    scores[None] = {y0: 95.0, y1: 99.0, y2: 105.0}
    d["category_scores"] = [{"category": code, "year": y, "score": s} for code, by in scores.items() if code for y, s in by.items()]
    for t in d["total_scores"]:
        t["total"], t["assessable"] = scores[None][t["year"]], True
    d["score_changes"] = [{"category": code, "from_year": a, "to_year": b, "from_score": by[a], "to_score": by[b],
                           "delta": round(by[b] - by[a], 9), "assessment": "worse" if by[b] < by[a] else "better"}
                          for code, by in scores.items() for a, b in ((y0, y1), (y1, y2), (y0, y2))]
    d["recommendations"] = []
    info = {"kind": "compliance", "severity": "info", "rule_id": "compliance.indicator.optional_missing", "indicator": 10,
            "message_en": "x", "requirement": None}
    d["findings"] = (
        [{"kind": "compliance", "severity": "critical", "rule_id": "compliance.requirement.not_met", "requirement": 4,
          "message_zh": "基础性要求第4项不符合:园区重点企业100%实施清洁生产审核。", "message_en": "x", "indicator": None, "year": None}]
        + [dict(info, year=y, message_zh=f"{y}年可选指标“10 废气资源回收利用率”未填报,不计入平均分") for y in (y0, y1, y2)]
        + [{"kind": "anomaly", "severity": "high", "rule_id": "anomaly.indicator.yoy_jump", "indicator": 7, "year": y1,
            "message_zh": "测试用数据异常说明", "message_en": "x", "requirement": None},
           {"kind": "compliance", "severity": "info", "rule_id": "engagement.follow_up.due", "indicator": None, "year": None,
            "message_zh": "测试用跟踪反馈提醒", "message_en": "x", "requirement": None}])
    return d


def _older(d):
    """The same diagnosis as a diagnosis.json written before the lead gaps, gap units, score changes and the
    recommendations' structured fields: the report works them out or does without them."""
    d = copy.deepcopy(d)
    for r in d["indicators"]:
        r.pop("lead_gap_abs", None), r.pop("lead_gap_pct", None)
    for m in d["catalogue"]["indicators"]:
        m.pop("gap_unit_zh", None), m.pop("gap_unit_en", None)
    for r in d["recommendations"]:
        for k in ("head_zh", "head_en", "clause_zh", "clause_en", "direction", "target_label_zh", "target_label_en", "gap_unit_zh", "gap_unit_en"):
            r.pop(k, None)
    d.pop("score_changes", None)
    return d


@pytest.mark.parametrize("older", [False, True])
def test_problems_are_the_parks_and_the_count_matches(ddict, tmp_path, older):
    d = _problem_dict(ddict)
    if older:
        d = _older(d)
    y0, y1, y2 = d["years"]
    md = _md(d, tmp_path)
    three = _between(md, "### 4. 存在问题", "## 四、")
    items = [line for line in three.splitlines() if line[:1].isdigit()]
    assert "园区绿色发展存在以下3项问题" in three and len(items) == 3
    assert items[0].startswith("1. 基础性要求第4项未满足:园区重点企业100%实施清洁生产审核")
    assert items[1] == f"2. “2 可再生能源使用比例”{y2}年为12%,低于引领值15%,差距3个百分点(相对差距20%)。"
    assert items[2] == f"3. 生态环境绿色指标得分{y0}→{y1}年下降3.6分(108.3→104.7分)。"  # the fall the printed scores show (was 3.7)
    for not_a_problem in ("未填报", "测试用数据异常说明", "测试用跟踪反馈提醒"):
        assert not_a_problem not in three
    notes = _between(md, "### 6. 数据核查与工作说明", "## 三、")
    assert notes.count("未填报") == 1 and f"可选指标“10 废气资源回收利用率”{y0}—{y2}年未填报,不计入平均分。" in notes
    assert "测试用数据异常说明" in notes and "测试用跟踪反馈提醒" in notes
    four = _between(md, "### 2. 存在问题", "### 3. 整体评估")
    assert "存在问题3项" in four and "另有数据核查与工作说明3项" in four


def test_overview_names_zoning_industry_and_review(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    d["park"]["zoning"], d["park"]["industry_status"] = "北区研发、南区制造", "以智能装备为主,产值逐年增长"
    d["engagement"]["specialised"] = []
    d["engagement"]["provider"]["reviewer"] = {"name": "复核人甲", "phone": None, "email": None, "fax": None}
    d["engagement"]["provider"]["report_author"] = {"name": "编写人乙", "phone": None, "email": None, "fax": None}
    d["engagement"]["report_meeting_date"] = "2025-04-20"
    md = _md(d, tmp_path)
    assert "- 功能区划:北区研发、南区制造" in md and "- 产业发展现状:以智能装备为主,产值逐年增长" in md
    assert "本次诊断为指南规定的通用基础诊断,未开展专项诊断。" in md and "。通用基础诊断。" not in md
    assert "报告由编写人乙负责编写,经复核人甲进行内部技术复核后" in md and "2025年4月20日召开诊断工作报告会" in md
    for key in ("zoning", "industry_status"):
        del d["park"][key]
    del d["engagement"]["report_meeting_date"]
    d["engagement"]["provider"]["reviewer"] = None
    md = _md(d, tmp_path, "b.md")
    assert "- 功能区划:(未填写)" in md and "- 产业发展现状:(未填写)" in md and "经(未填写)进行内部技术复核" in md


def _form_texts(d) -> dict[str, str]:
    from greendiag.reports.forms import render_forms

    out = {}
    for name, payload in render_forms(ReportData(d)):
        doc = docx.Document(io.BytesIO(payload))
        out[name] = plain_punct("\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]))
    return out


@pytest.mark.parametrize("third, kept, instruction", [(True, True, False), (False, False, False), (None, True, True), ("absent", True, True)])
def test_confirmation_third_party_paragraph(ddict, third, kept, instruction):
    d = copy.deepcopy(ddict)
    if third == "absent":
        d["engagement"].pop("third_party_evaluation", None)
    else:
        d["engagement"]["third_party_evaluation"] = third
    text = _form_texts(d)["form-2-3-confirmation.docx"]
    assert ("同时向本单位提供了绿色工业园区第三方评估服务" in text) is kept
    assert ("(如绿色诊断服务商未提供相关服务,本段删除)" in text) is instruction


def test_confirmation_meeting_date_fee_warning_and_fictitious_banner(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    d["engagement"]["report_meeting_date"], d["engagement"]["fee_charged"], d["fictitious"] = "2025-04-20", True, True
    texts = _form_texts(d)
    f23 = texts["form-2-3-confirmation.docx"]
    assert "2025年4月20日召开了诊断工作报告会" in f23
    assert "注意:诊断数据记录服务商收取了费用" in f23 and "Note" not in f23 and "fee" not in f23
    for name, text in texts.items():
        assert text.startswith("【虚构示例】"), name
    assert "【虚构示例】" in _md(d, tmp_path).split("---")[0]  # the report cover
    d["fictitious"] = False
    del d["engagement"]["report_meeting_date"]
    texts = _form_texts(d)
    assert not any("虚构示例" in t for t in texts.values())
    assert "    年  月  日召开了诊断工作报告会" in texts["form-2-3-confirmation.docx"]
    assert "虚构示例" not in _md(d, tmp_path, "b.md")


def test_annex_2_1_2_last_column_per_guide(ddict, tmp_path):
    md = _md(ddict, tmp_path)
    y0, y1, y2 = ddict["years"]
    heads = [line for line in md.splitlines() if line.startswith("| 一级指标 |")]
    assert heads == ["| 一级指标 | 序号 | 二级指标 | 指标单位 | 指标数据 | 得分 | 证明材料索引 |",
                     "| 一级指标 | 序号 | 二级指标 | 指标单位 | 指标数据 | 得分 | 评价情况说明 |",
                     "| 一级指标 | 序号 | 二级指标 | 指标单位 | 指标数据 | 得分 | 评价情况说明 |"]
    year2 = _between(md, f"### 第2年({y1}年)", f"### 第3年({y2}年)")
    row = [line for line in year2.splitlines() if line.startswith("| 能源利用绿色化指标(EG) | 2 |")][0]
    change = {(c["from_year"], c["to_year"]): c["assessment"] for c in ddict["changes"] if c["number"] == 2}[(y0, y1)]
    assert f"较{y0}年{ {'better': '向好', 'worse': '变差', 'same': '持平'}[change]}" in row


def test_recommendations_merged_per_group(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    y = d["years"][-1]
    m1 = {"id": "pv", "title_zh": "屋顶光伏", "title_en": "PV", "effect_zh": "e", "effect_en": "e", "basis": "b"}
    m2 = {"id": "station", "title_zh": "综合能源站", "title_en": "station", "effect_zh": "e", "effect_en": "e", "basis": "b"}
    m3 = {"id": "audit", "title_zh": "清洁生产审核", "title_en": "audit", "effect_zh": "e", "effect_en": "e", "basis": "b"}
    base = {"gap_pct": None, "points": None, "target": None, "value": 12.6, "year": y, "rule_id": "r", "requirement": None,
            "indicator": 2, "indicator_id": "renewable_energy_share", "group": "renewable_energy_share"}
    d["recommendations"] = [
        dict(base, indicator=None, indicator_id=None, requirement=4, group="req-4", method="standard_comparison", measures=[m3],
             total_points=None, message_zh="对照基础性要求第4项补齐差距并留存证明材料", message_en="close requirement 4"),
        dict(base, method="standard_comparison", measures=[m1, m2], total_points=1.24, head_zh=f"“2 可再生能源使用比例”{y}年为 12.6 %",
             clause_zh="低于参考值甲(20 %)", message_zh=f"“2 可再生能源使用比例”{y}年为 12.6 %,低于参考值甲(20 %)", message_en="below reference A"),
        dict(base, method="advanced_benchmark", measures=[m1], total_points=0.55, head_zh=f"“2 可再生能源使用比例”{y}年为 12.6 %",
             clause_zh="低于引领值 15 %", message_zh=f"“2 可再生能源使用比例”{y}年为 12.6 %,低于引领值 15 %", message_en="below the lead value")]
    d["projects"] = [{"content_zh": "屋顶光伏", "content_en": "PV", "total_investment": None, "fixed_investment": None,
                      "expected_effect_zh": "e", "expected_effect_en": "e", "origin": "candidate", "addresses": ["renewable_energy_share"],
                      "note": "候选项目,投资由园区填写 (candidate; investment to be filled in by the park)"},
                     {"content_zh": "清洁生产审核", "content_en": "audit", "total_investment": None, "fixed_investment": None,
                      "expected_effect_zh": "e", "expected_effect_en": "e", "origin": "candidate", "addresses": ["req-4"], "note": ""}]
    # the messages' "12.6 %" (an older rule wording) is printed "12.6%", as the report writes a percentage (review 9)
    expected = [f"1. 对照基础性要求第4项补齐差距并留存证明材料(标准比对法);措施:清洁生产审核",
                f"2. “2 可再生能源使用比例”{y}年为 12.6%:低于参考值甲(20%)(标准比对法);低于引领值 15%(先进对照法)"
                f"(最多可提高总分约1.24分);措施:屋顶光伏、综合能源站"]
    for variant in ("with group", "without group"):  # an older diagnosis.json has no group: grouped by indicator / requirement
        if variant == "without group":
            for r in d["recommendations"]:
                del r["group"]
        md = _md(d, tmp_path, f"{variant}.md")
        five = _between(md, "## 五、建议", "## 六、")
        assert [line for line in five.splitlines() if line[:1].isdigit()] == expected, variant
        t213 = _between(md, "## 附件2-1-3", "> 填表说明")
        assert "| 候选项目,投资由园区填写;针对:2 可再生能源使用比例(标准比对法、先进对照法) |" in t213
        assert "针对:基础性要求第4项(标准比对法)" in t213 and "candidate" not in t213
    # a diagnosis.json older than head_zh/clause_zh: the candidates of one subject are listed whole, one after the other
    five = _between(_md(_older(d), tmp_path, "older.md"), "## 五、建议", "## 六、")
    assert [line for line in five.splitlines() if line[:1].isdigit()][1] == (
        f"2. “2 可再生能源使用比例”{y}年为 12.6%,低于参考值甲(20%)(标准比对法);“2 可再生能源使用比例”{y}年为 12.6%,低于引领值 15%(先进对照法)"
        "(最多可提高总分约1.24分);措施:屋顶光伏、综合能源站")


def test_chart_labels_use_guide_numbers_and_no_font_note(ddict, monkeypatch):
    from matplotlib.axes import Axes

    from greendiag.reports import chart_font_warning, content, fonts

    rd = ReportData(ddict)
    # Chinese labels are set with Chinese punctuation like the report's text (review 9)
    assert chartsmod.indicator_title(rd.meta[21], chartsmod._Labels("Noto Sans CJK SC")) == "21 工业固体废弃物（含危废）处置利用率"
    en = chartsmod.indicator_title(rd.meta[21], chartsmod._Labels(None))
    assert en.startswith("21 ") and "HG" not in en
    titles = []
    real = Axes.set_title
    monkeypatch.setattr(Axes, "set_title", lambda self, label, *a, **k: (titles.append(label), real(self, label, *a, **k))[1])
    charts = chartsmod.render_charts(rd)
    numbered = [t.split(" ", 1)[0] for t in titles if not t.startswith(("各类别", "Category"))]
    assert numbered == [str(n) for n in rd.indicator_numbers]  # every trend panel: the guide's serial number
    # the report's captions never mention the font; the CLI asks chart_font_warning() instead
    blocks = content.build_report(rd, charts, cjk=False)
    assert not [b for b in blocks if isinstance(b, content.ChartRef) and ("字体" in b.caption or "英文" in b.caption)]
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    w = chart_font_warning()
    assert w is not None and w.code == "no-cjk-font" and "中文字体" in w.message_zh and "CJK" in w.message_en
    monkeypatch.setattr(fonts, "cjk_font", lambda: "Noto Sans CJK SC")
    assert chart_font_warning() is None


def test_method_and_basis_come_from_the_diagnosis_data(ddict, tmp_path):
    """The 100/120 scale, the on-site minimum and the cited basis documents are the catalogue's and rule base's."""
    d = copy.deepcopy(ddict)
    d["catalogue"]["scoring"] = {"full": 10, "cap": 12}
    d["rules_constants"]["onsite_days_min"] = 7
    d["engagement"]["onsite_start"] = d["engagement"]["onsite_end"] = None
    for doc in d["catalogue"]["documents"]:
        if doc["cite_zh"]:
            doc["cite_zh"] = "《" + doc["title_zh"] + "》(测试引用)"
    md = _md(d, tmp_path)
    assert "越高越好的指标得分=10×数值÷引领值" in md and "引领档10分),单项最高12分" in md and "不少于7个工作日" in md
    assert "总分可超过10分" in md  # the cap is above the full mark
    assert "《北京市工业园区绿色诊断工作指南》(测试引用)" in md


# ------------------------------------------------------------------ wide tables

def _grid_cm(table) -> float:
    """A Word table's width as its grid gives it (what LibreOffice lays out by), in cm."""
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return sum(int(col.get(ns + "w")) for col in table._tbl.tblGrid.findall(ns + "gridCol")) / 567.0  # twips per cm


def _section_of_each_table(document):
    """(table, section) pairs in document order: a section ends at the paragraph that carries its w:sectPr."""
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    tables = {t._tbl: t for t in document.tables}
    sections, out, pending = list(document.sections), [], []
    k = 0
    for el in document.element.body.iterchildren():
        if el in tables:
            pending.append(tables[el])
        if el.tag == ns + "p" and el.find(f"{ns}pPr/{ns}sectPr") is not None:
            out += [(t, sections[k]) for t in pending]
            pending, k = [], k + 1
    return out + [(t, sections[k]) for t in pending]


@pytest.mark.parametrize("count", [3, 6, 10])
def test_every_word_table_fits_its_page(catalogue, rulebase, demo_path, tmp_path, count):
    """Table 2 grows a column per scored year: a catalogue scoring six or more years gets it on a landscape page
    of its own (the report stays portrait around it); every table fits the text width of its page, 0.5 cm of
    overhang allowed."""
    import attrs

    cat = attrs.evolve(catalogue, scoring=attrs.evolve(catalogue.scoring, years=count))
    d = greendiag.diagnose(greendiag.load_dataset(demo_path, catalogue=cat), catalogue=cat, rules=rulebase,
                           backend="python").to_dict()
    assert len(d["years"]) == count
    path = render_report(d, tmp_path / "report.docx")
    document = _open(path)
    pairs = _section_of_each_table(document)
    assert len(pairs) == len(document.tables)
    landscape = []
    for table, sec in pairs:
        text_cm = (sec.page_width - sec.left_margin - sec.right_margin) / 360000
        assert _grid_cm(table) <= text_cm + 0.5 + 1e-6, (table.rows[0].cells[0].text, _grid_cm(table), text_cm)
        if sec.page_width > sec.page_height:
            landscape.append(table._tbl)
    change_tables = [t for t in document.tables if len(t.rows[0].cells) > 3 and t.rows[0].cells[3].text == f"{d['years'][0]}年"
                     and t.rows[0].cells[1].text == "指标"]
    assert len(change_tables) == 1
    words = {3: "三", 6: "六", 10: "十"}[count]
    text = plain_punct("\n".join(p.text for p in document.paragraphs))
    assert f"年份1至年份{count}原则上为绿色诊断实施年份的前{words}年" in text  # 附件2-1-2 注2, for this many years
    assert f"各指标{words}年变化与引领值" in text  # the trend charts' captions
    if count >= 6:
        assert landscape == [t._tbl for t in change_tables]
        assert len(document.sections) == 3
        first, middle, last = document.sections
        assert first.page_width < first.page_height and last.page_width < last.page_height
        assert middle.page_width > middle.page_height
    else:
        assert landscape == [] and len(document.sections) == 1
