"""Review 8 (library use), findings 4, 6 and 7: the library protects files as the CLI does (write_template,
render_report), wrong arguments are typed errors naming the argument (write_template, dataset_from_dict's source,
Catalogue lookups, the testing kit), and the mappings inside a frozen Diagnosis cannot be edited."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
import yaml

import greendiag
from greendiag.errors import CatalogueError, GreendiagError, ReportError, UnknownEntryError
from greendiag.excel import write_template
from greendiag.reports import render_report


@pytest.fixture(scope="module")
def diag(catalogue):
    from conftest import DEMO

    return greendiag.diagnose(DEMO, catalogue=catalogue, backend="python")


@pytest.fixture(scope="module")
def demo_dict(demo_path):
    return yaml.safe_load(demo_path.read_text(encoding="utf-8"))


def _codes(info) -> tuple[str, ...]:
    return info.value.codes


def _word_document(path) -> bytes:
    """A Word document someone wrote by hand (python-docx, no greendiag properties)."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("会议纪要:园区自己的文件")
    doc.save(str(path))
    return path.read_bytes()


# ------------------------------------------------------------------ 4. the library does not overwrite what it must not


def test_write_template_refuses_an_existing_workbook_unless_overwrite(catalogue, demo_path, tmp_path):
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes((demo_path.parent / "demo-park.xlsx").read_bytes())
    before = filled.read_bytes()
    with pytest.raises(ReportError) as info:
        write_template(filled, catalogue, diagnosis_year=2025)  # docs/excel.md's snippet, on a park's filled workbook
    p = info.value.problems[0]
    assert _codes(info) == ("file-exists",) and p.file == str(filled)
    assert "overwrite=True" in p.fix_en and "--force" in p.fix_zh and p.message_zh.startswith("文件已存在")
    assert filled.read_bytes() == before
    assert len(greendiag.load_dataset(filled, catalogue=catalogue).values) == 87  # still the park's data
    assert write_template(filled, catalogue, diagnosis_year=2025, overwrite=True) == str(filled)
    assert filled.read_bytes() != before and filled.read_bytes()[:2] == b"PK"
    with pytest.raises(ReportError) as info:  # a name that does not exist yet, but not .xlsx: refused as before
        write_template(tmp_path / "new.xls", catalogue)
    assert _codes(info) == ("bad-extension",) and not (tmp_path / "new.xls").exists()


def test_the_cli_and_the_library_refuse_a_template_with_the_same_problem(run, catalogue, tmp_path):
    out = tmp_path / "park.xlsx"
    out.write_bytes(b"the park's filled workbook")
    with pytest.raises(ReportError) as info:
        write_template(out, catalogue)
    res = run("--lang", "en", "template", out)
    assert res.exit_code == 2 and info.value.problems[0].format("en") in res.output
    assert run("template", out, "--force").exit_code == 0 and out.read_bytes()[:2] == b"PK"


def test_render_report_does_not_replace_a_dataset(demo_dict, tmp_path):
    data = tmp_path / "parkdata.json"
    data.write_text(json.dumps(demo_dict, ensure_ascii=False, default=str), encoding="utf-8")
    before = data.read_bytes()
    d = greendiag.diagnose(data, backend="python")
    with pytest.raises(ReportError) as info:
        render_report(d, data)  # json from the extension: it would have replaced the park's data
    p = info.value.problems[0]
    assert _codes(info) == ("output-is-input",) and "园区数据文件" in p.message_zh and "a park dataset" in p.message_en
    assert data.read_bytes() == before
    yaml_data = tmp_path / "park.yaml"
    yaml_data.write_text(yaml.safe_dump(demo_dict, allow_unicode=True, default_flow_style=False), encoding="utf-8")
    with pytest.raises(ReportError) as info:  # a format given for a .yaml name: the YAML dataset is recognised too
        render_report(d, yaml_data, "md")
    assert _codes(info) == ("output-is-input",) and yaml.safe_load(yaml_data.read_text(encoding="utf-8")) == demo_dict


@pytest.mark.parametrize("content, kind", [({"overlay": {"id": "x"}, "indicators": []}, "a catalogue overlay"),
                                           ({"rules": []}, "a rule file")])
def test_render_report_does_not_replace_an_overlay_or_rule_file(diag, tmp_path, content, kind):
    target = tmp_path / "other.json"
    target.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ReportError) as info:
        render_report(diag, target)
    assert _codes(info) == ("output-is-input",) and kind in info.value.problems[0].message_en
    assert json.loads(target.read_text(encoding="utf-8")) == content
    render_report(diag, target, overwrite=True)  # asked for: replaced
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "greendiag-diagnosis/1"


def test_render_report_does_not_replace_a_workbook_or_someone_elses_word_document(diag, demo_path, tmp_path):
    book = tmp_path / "filled.xlsx"
    book.write_bytes((demo_path.parent / "demo-park.xlsx").read_bytes())
    before = book.read_bytes()
    with pytest.raises(ReportError) as info:
        render_report(diag, book, "docx")  # a format given: the .xlsx name alone does not stop it
    assert _codes(info) == ("output-is-input",) and "Excel" in info.value.problems[0].message_en and book.read_bytes() == before
    minutes = tmp_path / "minutes.docx"
    mine = _word_document(minutes)
    with pytest.raises(ReportError) as info:
        render_report(diag, minutes)
    assert _codes(info) == ("file-exists",) and "overwrite=True" in info.value.problems[0].fix_en and minutes.read_bytes() == mine
    render_report(diag, minutes, overwrite=True)
    assert minutes.read_bytes() != mine
    render_report(diag, minutes)  # now greendiag's own report: rendered again without overwrite
    report_md = tmp_path / "report.md"
    report_md.write_bytes(mine)  # a Word file under a Markdown name is not a Markdown report
    with pytest.raises(ReportError) as info:
        render_report(diag, report_md)
    assert _codes(info) == ("file-exists",) and report_md.read_bytes() == mine


def test_rendering_again_over_the_previous_report_works_in_every_format(diag, tmp_path):
    for fmt in ("docx", "md", "html", "json"):
        target = tmp_path / f"report.{fmt}"
        first = open(render_report(diag, target), "rb").read()
        again = open(render_report(diag, target, lang="bilingual"), "rb").read()
        assert again != first or fmt == "json"  # replaced by the bilingual one (JSON carries both languages anyway)
    edited = tmp_path / "report.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n园区手工补充的一段。\n", encoding="utf-8")
    render_report(diag, edited)  # an earlier report edited by hand is still a report: replaced as asked (docs/reports.md)
    assert "园区手工补充" not in edited.read_text(encoding="utf-8")
    old_json = tmp_path / "old.json"
    old_json.write_text('{"anything": 1}', encoding="utf-8")  # other JSON: replaced, as the CLI always did
    render_report(diag, old_json)
    assert json.loads(old_json.read_text(encoding="utf-8"))["format"] == "greendiag-diagnosis/1"


def test_render_report_never_replaces_its_input_even_with_overwrite(diag, tmp_path):
    saved = tmp_path / "diagnosis.json"
    saved.write_text(diag.to_json(), encoding="utf-8")
    d = greendiag.reports.load_diagnosis(saved)
    for call in (lambda: render_report(saved, saved, overwrite=True), lambda: render_report(d, saved, source=saved, overwrite=True)):
        with pytest.raises(ReportError) as info:
            call()
        assert _codes(info) == ("output-is-input",)


def test_the_cli_report_refuses_a_word_document_and_force_replaces_it(run, demo_path, tmp_path):
    minutes = tmp_path / "minutes.docx"
    mine = _word_document(minutes)
    res = run("--lang", "en", "report", demo_path, "--backend", "python", "--out", minutes)
    assert res.exit_code == 2 and "file-exists" in res.output and minutes.read_bytes() == mine
    res = run("report", demo_path, "--backend", "python", "--out", minutes, "--force")
    assert res.exit_code == 0 and minutes.read_bytes() != mine


def test_the_cli_refuses_before_diagnosing(run, demo_path, tmp_path, monkeypatch):
    import greendiag.diagnosis as diagnosis

    monkeypatch.setattr(diagnosis, "diagnose", lambda *a, **k: pytest.fail("diagnosed although the output is refused"))
    book = tmp_path / "park.xlsx"
    book.write_bytes((demo_path.parent / "demo-park.xlsx").read_bytes())
    res = run("report", demo_path, "--format", "docx", "--out", book)
    assert res.exit_code == 2 and "output-is-input" in res.output


def test_overwrite_must_be_a_bool(catalogue, diag, tmp_path):
    for call in (lambda: write_template(tmp_path / "t.xlsx", catalogue, overwrite="yes"),
                 lambda: render_report(diag, tmp_path / "r.md", overwrite=1)):
        with pytest.raises(GreendiagError) as info:
            call()
        assert _codes(info) == ("bad-argument",) and "argument overwrite " in info.value.problems[0].message_en
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------ 6. wrong arguments are typed errors naming them


@pytest.mark.parametrize("kwargs, name", [({"catalogue": "cat"}, "catalogue"), ({"catalogue": None}, "catalogue"),
                                          ({"diagnosis_year": "2025"}, "diagnosis_year"),
                                          ({"diagnosis_year": 1800}, "diagnosis_year"),
                                          ({"diagnosis_year": 2025.0}, "diagnosis_year"),
                                          ({"dataset": 42}, "dataset"), ({"path": None}, "path")])
def test_write_template_names_a_wrong_argument(catalogue, tmp_path, kwargs, name):
    args = {"path": tmp_path / "t.xlsx", "catalogue": catalogue, **kwargs}
    with pytest.raises(GreendiagError) as info:
        write_template(args.pop("path"), args.pop("catalogue"), **args)
    p = info.value.problems[0]
    assert p.code == "bad-argument" and f"argument {name} " in p.message_en and f"参数 {name} " in p.message_zh
    assert not (tmp_path / "t.xlsx").exists()


def test_check_source_takes_text_or_a_path_and_names_anything_else(tmp_path):
    from greendiag._args import check_source

    assert check_source("park.yaml") == "park.yaml" and check_source(tmp_path / "p.yaml") == str(tmp_path / "p.yaml")
    assert check_source(None) == "<data>"
    with pytest.raises(GreendiagError) as info:
        check_source(5)
    assert _codes(info) == ("bad-argument",) and "argument source " in info.value.problems[0].message_en


def test_dataset_from_dict_refuses_a_source_that_is_not_text(demo_dict):
    """Needs `source = check_source(source)` in dataset.dataset_from_dict (greendiag/_args.py)."""
    with pytest.raises(GreendiagError) as info:
        greendiag.dataset_from_dict(demo_dict, source=5)
    assert _codes(info) == ("bad-argument",) and "argument source " in info.value.problems[0].message_en


@pytest.mark.parametrize("lookup, key, code, near", [
    ("indicator", "energy_productivty", "unknown-indicator", "energy_productivity"),
    ("indicator", 99, "unknown-indicator", None),
    ("statistic", "industrial_value_aded", "unknown-statistic", "industrial_value_added"),
    ("requirement", 12, "unknown-requirement", None),
    ("category", "EX", "unknown-category", None)])
def test_a_catalogue_lookup_names_the_key_and_is_still_a_key_error(catalogue, lookup, key, code, near):
    with pytest.raises(KeyError) as info:
        getattr(catalogue, lookup)(key)
    err = info.value
    assert isinstance(err, UnknownEntryError) and isinstance(err, CatalogueError) and err.key == key
    p = err.problems[0]
    assert p.code == code and str(key) in p.message_zh and str(key) in p.message_en
    if near:
        assert f"did you mean: {near}" in p.fix_en and near in p.fix_zh
    assert str(err).startswith("指标目录错误")  # the formatted problem, not KeyError's quoted repr


def test_has_indicator_still_answers_without_raising(catalogue):
    assert catalogue.has_indicator("EG1") and catalogue.has_indicator(2) and not catalogue.has_indicator("nope")
    assert not catalogue.has_indicator(["not", "hashable"])


def test_the_cli_show_gives_the_library_error(run, catalogue):
    with pytest.raises(UnknownEntryError) as info:
        catalogue.indicator("energy_productivty")
    res = run("--lang", "en", "catalogue", "show", "energy_productivty")
    assert res.exit_code == 2 and info.value.problems[0].format("en") in res.output


def _kit_calls(demo_dict, catalogue):
    import greendiag.testing as T

    ind = catalogue.indicator("energy_productivity")
    return {
        "park_datasets(catalogue='x')": (lambda: T.park_datasets(catalogue="x"), "catalogue"),
        "park_datasets(within='foo')": (lambda: T.park_datasets(catalogue, within="foo"), "within"),
        "park_datasets(years=2024)": (lambda: T.park_datasets(catalogue, years=2024), "years"),
        "park_datasets(diagnosis_year='2025')": (lambda: T.park_datasets(catalogue, diagnosis_year="2025"), "diagnosis_year"),
        "park_datasets(missing=True)": (lambda: T.park_datasets(catalogue, missing=True), "missing"),
        "park_datasets(values={id: 1})": (lambda: T.park_datasets(catalogue, values={ind.id: 1.0}), f"values['{ind.id}']"),
        "park_datasets(values={code: s})": (lambda: T.park_datasets(catalogue, values={"EG1": T.numbers()}), "values"),
        "park_datasets(statistics='no')": (lambda: T.park_datasets(catalogue, statistics="no"), "statistics"),
        "indicator_values(id)": (lambda: T.indicator_values("energy_productivity"), "indicator"),
        "indicator_values(within='x')": (lambda: T.indicator_values(ind, within="x"), "within"),
        "edge_values(ind, None)": (lambda: T.edge_values(ind, None), "method"),
        "missing_data_patterns(years=2024)": (lambda: T.missing_data_patterns(catalogue, years=2024), "years"),
        "missing_data_patterns('x')": (lambda: T.missing_data_patterns("x"), "catalogue"),
        "varied_parks(path)": (lambda: T.varied_parks("park.yaml"), "base"),
        "varied_parks({})": (lambda: T.varied_parks({}), "base"),
        "varied_parks(n=-1)": (lambda: T.varied_parks(demo_dict, n=-1), "n"),
        "varied_parks(seed='a')": (lambda: T.varied_parks(demo_dict, seed="a"), "seed"),
        "assert_scoring_invariants('x')": (lambda: T.assert_scoring_invariants("x"), "diagnosis"),
        "assert_scoring_invariants({})": (lambda: T.assert_scoring_invariants({}), "diagnosis"),
        "expected_score(method=None)": (lambda: T.expected_score(ind, 1.0, method=None), "method"),
        "expected_score(value='1')": (lambda: T.expected_score(ind, "1", method=catalogue.scoring), "value"),
        "assert_monotone(a='a')": (lambda: T.assert_monotone(ind, "a", 1), "a"),
        "rule_sets(num_fields='n0')": (lambda: T.rule_sets(num_fields="n0"), "num_fields"),
        "rule_sets(max_conditions=9)": (lambda: T.rule_sets(max_conditions=9), "max_conditions"),
        "facts(fields=5)": (lambda: T.facts(fields=5), "fields"),
        "fact_from('x', {})": (lambda: T.fact_from("x", {}), "rule_set"),
        "document_paths(max_depth='a')": (lambda: T.document_paths(demo_dict, max_depth="a"), "max_depth"),
        "mutate(path='park')": (lambda: T.mutate(demo_dict, "park", 1), "path"),
        "mutate(path not in doc)": (lambda: T.mutate(demo_dict, ("nope", "x"), 1), "path"),
        "mutated_documents(values=5)": (lambda: T.mutated_documents(demo_dict, values=5), "values"),
    }


def test_the_testing_kit_names_a_wrong_argument(demo_dict, catalogue):
    """Before: AttributeError, TypeError, KeyError from inside (or, for within/n/statistics/values, a strategy that
    failed at its first draw or silently did something else)."""
    for case, (call, name) in _kit_calls(demo_dict, catalogue).items():
        with pytest.raises(GreendiagError) as info:
            call()
        p = info.value.problems[0]
        assert p.code == "bad-argument" and f"argument {name} " in p.message_en and f"参数 {name} " in p.message_zh, case


def test_the_kit_checks_leave_good_calls_alone(demo_dict, catalogue):
    import greendiag.testing as T

    ind = catalogue.indicator("energy_productivity")
    assert T.expected_score(ind, ind.lead_value, method=catalogue.scoring)[0] == 100.0
    assert len(T.varied_parks(demo_dict, catalogue, 0)) == 0 and len(T.varied_parks(demo_dict, catalogue, 2)) == 2
    assert T.mutate({"a": [1, 2]}, ("a", 1), T.DROP) == {"a": [1]}


# ------------------------------------------------------------------ 7. a frozen result holds no editable mapping


def test_the_mappings_inside_a_diagnosis_cannot_be_edited(diag):
    before = diag.to_json()
    rec = next(r for r in diag.recommendations if r.measures)
    edits = [lambda: diag.findings[0].source.__setitem__("clause", "edited"),
             lambda: diag.findings[0].source.update(clause="edited"),
             lambda: rec.measures[0].__setitem__("title_zh", "edited"),
             lambda: diag.engagement.__setitem__("team_size", 99),
             lambda: diag.engagement.pop("team"),
             lambda: diag.engagement["provider"].__setitem__("name", "edited"),
             lambda: diag.engagement["team"][0].__setitem__("name", "edited"),
             lambda: diag.engagement.__init__(team_size=99)]
    for edit in edits:
        try:
            edit()
        except TypeError:
            pass
    with pytest.raises(AttributeError):  # a tuple: no append
        diag.engagement["checks_failed"].append("x")
    assert diag.to_json() == before


def test_frozen_results_still_compare_copy_pickle_and_serialise(diag):
    f, rec = diag.findings[0], next(r for r in diag.recommendations if r.measures)
    assert f.source == {"doc": f.source["doc"], "clause": f.source["clause"], "title": f.source["title"]}
    assert json.loads(json.dumps(f.source)) == dict(f.source)
    for obj in (f, rec, diag):
        assert pickle.loads(pickle.dumps(obj)) == obj and copy.deepcopy(obj) == obj
    assert pickle.loads(pickle.dumps(diag)).to_json() == diag.to_json()
    assert hash(f) == hash(copy.deepcopy(f))  # hashable now that its source is


def test_to_dict_still_gives_plain_dicts_and_lists(diag):
    def plain(v):
        if isinstance(v, dict):
            return type(v) is dict and all(plain(x) for x in v.values())
        if isinstance(v, (list, tuple)):
            return type(v) is list and all(plain(x) for x in v)
        return True

    d = diag.to_dict()
    assert plain(d) and d == json.loads(diag.to_json())
    d["engagement"]["team"].append({"name": "x"})  # the dict is the caller's own
    assert diag.to_dict()["engagement"]["team"] != d["engagement"]["team"]


def test_unknown_entry_error_is_public():
    import greendiag

    assert "UnknownEntryError" in greendiag.__all__
    with pytest.raises(greendiag.UnknownEntryError) as info:
        greendiag.load_catalogue().indicator("no_such_indicator")
    assert isinstance(info.value, (greendiag.CatalogueError, KeyError))
