"""A damaged diagnosis.json is bad *input*: every problem with its content names the file and the JSON path, and the
numbers the report prints are type-checked where they are read (a string where a number belongs is an error, never a
silent "—"). A dict given from Python keeps raising ReportError with the path; null stays allowed where the format
allows it, and a diagnosis.json of an older greendiag (without the newer fields) still renders."""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile

import pathlib

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greendiag
from greendiag.cli import main
from greendiag.errors import InputFileError, ReportError
from greendiag.reports import LANGS, DiagnosisFileError, load_diagnosis, render_report, write_report_pack
from greendiag.reports._data import ReportData
from greendiag.reports.forms import render_forms
from greendiag.testing import DROP, EXTRA, document_paths, mutate, numbers, park_datasets, texts

DEMO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "demo-park.yaml")


@pytest.fixture(scope="module")
def ddict():
    d = greendiag.diagnose(greendiag.load_dataset(DEMO), backend="python").to_dict()
    return json.loads(json.dumps(d))  # as read back from diagnosis.json


def _first(items, key):
    """Index of the first item whose `key` is a number (so damaging it changes a printed value)."""
    return next(i for i, it in enumerate(items) if isinstance(it.get(key), (int, float)) and not isinstance(it.get(key), bool))


def _set(path, value):
    """Set d[path] = value; a callable step picks the key from its container. Returns the JSON path."""
    def damage(d):
        parent, keys = d, []
        for step in path:
            keys.append(step(parent) if callable(step) else step)
            if len(keys) < len(path):
                parent = parent[keys[-1]]
        parent[keys[-1]] = value
        return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys)
    return damage


def _in(list_key, key, value, sub=None):
    """Damage `key` of the first item of d[list_key] (or d[list_key[0]][list_key[1]]) holding a number there."""
    def damage(d):
        items = d[list_key] if isinstance(list_key, str) else d[list_key[0]][list_key[1]]
        i = _first(items, key)
        items[i][key] = value
        head = f"$.{list_key}" if isinstance(list_key, str) else f"$.{list_key[0]}.{list_key[1]}"
        return f"{head}[{i}].{key}"
    return damage


def _delete(*path):
    def damage(d):
        parent = d
        for k in path[:-1]:
            parent = parent[k]
        del parent[path[-1]]
        return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)
    return damage


# (damage, expected code[, what follows the path the damage returns]): the JSON path the error must name
DAMAGES = {
    "total_scores-not-a-list": (_set(("total_scores",), "x"), "diagnosis-bad-type"),
    "total-text": (_set(("total_scores", 0, "total"), "abc"), "diagnosis-bad-type"),
    "total-bool": (_set(("total_scores", 0, "total"), True), "diagnosis-bad-type"),
    "total-year-text": (_set(("total_scores", 0, "year"), "2022"), "diagnosis-bad-type"),
    "missing-effect-text": (_set(("total_scores", 0, "missing_effect"), "x"), "diagnosis-bad-type"),
    "band-qualified-text": (_set(("total_scores", 0, "band_qualified"), "no"), "diagnosis-bad-type"),
    "park-missing": (_delete("park"), "diagnosis-missing-key"),
    "park-name-missing": (_delete("park", "name"), "diagnosis-missing-key"),
    "row-score-text": (_in("indicators", "score", "50"), "diagnosis-bad-type"),
    "row-value-text": (_in("indicators", "value", "12.5"), "diagnosis-bad-type"),
    "row-lead-gap-text": (_in("indicators", "lead_gap_abs", "far"), "diagnosis-bad-type"),
    "row-year-float": (_set(("indicators", 0, "year"), 2022.5), "diagnosis-bad-type"),
    "category-score-text": (_set(("category_scores", 0, "score"), "80"), "diagnosis-bad-type"),
    "category-year-text": (_set(("category_scores", 0, "year"), "2022"), "diagnosis-bad-type"),
    "change-delta-text": (_in("changes", "delta", "+0.1"), "diagnosis-bad-type"),
    "change-year-text": (_set(("changes", 0, "to_year"), "2023"), "diagnosis-bad-type"),
    "change-assessment-unknown": (_set(("changes", 0, "assessment"), "up"), "diagnosis-bad-type"),
    "score-change-delta-text": (_in("score_changes", "delta", "6.5"), "diagnosis-bad-type"),
    "score-change-from-score-text": (_in("score_changes", "from_score", "80"), "diagnosis-bad-type"),
    "score-change-gap-text": (_set(("score_changes", 0, "data_gaps"), ["x"]), "diagnosis-bad-type", "[0]"),
    "rec-points-text": (_in("recommendations", "points", "5"), "diagnosis-bad-type"),
    "rec-total-points-text": (_in("recommendations", "total_points", "1.2"), "diagnosis-bad-type"),
    "rec-gap-text": (_in("recommendations", "gap_abs", "7.4"), "diagnosis-bad-type"),
    "rec-gap-pct-text": (_in("recommendations", "gap_pct", "10"), "diagnosis-bad-type"),
    "rec-target-text": (_in("recommendations", "target", "3"), "diagnosis-bad-type"),
    "rec-year-text": (_in("recommendations", "year", "2024"), "diagnosis-bad-type"),
    "finding-indicator-text": (_in("findings", "indicator", "two"), "diagnosis-bad-type"),
    "finding-year-text": (_in("findings", "year", "2024"), "diagnosis-bad-type"),
    "project-investment-text": (_in("projects", "total_investment", "3200万"), "diagnosis-bad-type"),
    "lead-text": (_set(("catalogue", "indicators", 0, "lead"), "3.0"), "diagnosis-bad-type"),
    "scoring-full-text": (_set(("catalogue", "scoring", "full"), "100"), "diagnosis-bad-type"),
    "level-score-text": (_set(("catalogue", "indicators", lambda p: next(i for i, m in enumerate(p) if m["levels"]), "levels"),
                               [{"id": "x", "zh": "x", "en": "x", "score": "full"}]), "diagnosis-bad-type", "[0].score"),
    "area-text": (_set(("park", "area_km2"), "12 km2"), "diagnosis-bad-type"),
    "working-days-text": (_set(("engagement", "onsite_working_days"), "five"), "diagnosis-bad-type"),
    "team-size-text": (_set(("engagement", "team_size"), "6"), "diagnosis-bad-type"),
    "fee-charged-text": (_set(("engagement", "fee_charged"), "no"), "diagnosis-bad-type"),
    "fictitious-text": (_set(("fictitious",), "false"), "diagnosis-bad-type"),
    "evidence-list": (_set(("indicators", 0, "evidence"), ["E1"]), "diagnosis-bad-type"),
    "constant-text": (_set(("rules_constants", "onsite_days_min"), "5"), "diagnosis-bad-type"),
    "baseline-summary-text": (_set(("baseline_summary", "mandatory_unmet"), ["4"]), "diagnosis-bad-type", "[0]"),
    "years-text": (_set(("years", 1), "2023"), "diagnosis-bad-type"),
    "format-other": (_set(("format",), "greendiag-dataset/1"), "diagnosis-format"),
    # null or another kind of value where the writers expect an object or a list (were render-failed: AttributeError)
    "finding-null": (_set(("findings", 3), None), "diagnosis-bad-type"),
    "measure-null": (_set(("recommendations", 0, "measures"), [None]), "diagnosis-bad-type", "[0]"),
    "team-member-null": (_set(("engagement", "team", 0), None), "diagnosis-bad-type"),
    "contact-text": (_set(("park", "contact"), "张三"), "diagnosis-bad-type"),
    "finding-source-text": (_set(("findings", 0, "source"), "GB/T 2589"), "diagnosis-bad-type"),
    "flags-number": (_set(("indicators", 0, "flags"), 5), "diagnosis-bad-type"),
    "overlay-number": (_set(("catalogue_overlays",), [7]), "diagnosis-bad-type", "[0]"),
    "level-null": (_set(("catalogue", "indicators", lambda p: next(i for i, m in enumerate(p) if m["levels"]), "levels"), [None]),
                   "diagnosis-bad-type", "[0]"),
    # what no diagnosis greendiag writes holds: a control character (the dataset refuses it), a year out of range
    "control-character": (_set(("park", "name"), "园区\x0b"), "diagnosis-bad-type"),
    "year-out-of-range": (_set(("years", 0), 1900), "diagnosis-bad-type"),
}


def _damaged(ddict, name):
    d = copy.deepcopy(ddict)
    damage, code, *suffix = DAMAGES[name]
    return d, code, damage(d) + "".join(suffix)


def _write(tmp_path, d, name="diagnosis.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _check(err, path, code, location):
    assert isinstance(err, DiagnosisFileError) and isinstance(err, InputFileError) and isinstance(err, ReportError)
    p = err.problems[0]
    assert (p.code, p.file, p.location) == (code, path, location), err.format("en")
    assert all(q.file == path for q in err.problems)
    text = err.format("zh")
    assert text.startswith("诊断结果文件内容有误") and "输出文件" not in text and path in text and location in text


@pytest.mark.parametrize("name", sorted(DAMAGES))
def test_damaged_file_is_an_input_error_naming_file_and_path(ddict, tmp_path, name):
    d, code, location = _damaged(ddict, name)
    path = _write(tmp_path, d)
    for fmt in ("md", "html"):
        with pytest.raises(DiagnosisFileError) as info:
            render_report(path, tmp_path / f"out.{fmt}", fmt)
        _check(info.value, path, code, location)
    with pytest.raises(DiagnosisFileError) as info:
        load_diagnosis(path)
    _check(info.value, path, code, location)
    assert sorted(os.listdir(tmp_path)) == ["diagnosis.json"]  # nothing written


@pytest.mark.parametrize("name", ["total-text", "row-score-text", "rec-total-points-text", "change-delta-text", "lead-text"])
def test_damaged_dict_names_the_path(ddict, tmp_path, name):
    """A dict given from Python has no file: still a ReportError naming the JSON path, not a silent "—"."""
    d, code, location = _damaged(ddict, name)
    with pytest.raises(ReportError) as info:
        render_report(d, tmp_path / "r.md", "md")
    assert not isinstance(info.value, InputFileError)
    assert (info.value.codes[0], info.value.problems[0].location, info.value.problems[0].file) == (code, location, None)
    assert os.listdir(tmp_path) == []


def test_damaged_file_in_a_pack_names_the_file(ddict, tmp_path):
    d, code, location = _damaged(ddict, "total-text")
    path = _write(tmp_path, d)
    with pytest.raises(DiagnosisFileError) as info:
        write_report_pack(path, tmp_path / "pack")
    _check(info.value, path, code, location)
    assert sorted(os.listdir(tmp_path)) == ["diagnosis.json"]


def test_not_an_object_names_the_file(tmp_path):
    path = _write(tmp_path, [1, 2])
    with pytest.raises(DiagnosisFileError) as info:
        render_report(path, tmp_path / "r.md")
    _check(info.value, path, "diagnosis-bad-type", "$")


@pytest.mark.parametrize("name", ["total_scores-not-a-list", "total-text", "row-score-text", "park-missing"])
def test_cli_reports_the_damaged_input_file(ddict, tmp_path, name):
    d, code, location = _damaged(ddict, name)
    path = _write(tmp_path, d, "tamper.json")
    out = tmp_path / "t.md"
    res = CliRunner().invoke(main, ["report", path, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "诊断结果文件内容有误" in res.output and "输出文件生成错误" not in res.output
    assert f"[{code}] {path} {location}:" in res.output
    assert not out.exists()
    res = CliRunner().invoke(main, ["--lang", "en", "report", path, "--out", str(out)])
    assert res.exit_code == 2 and "The diagnosis file is damaged" in res.output and path in res.output
    assert not out.exists()


def test_null_stays_allowed_where_the_format_allows_it(ddict, tmp_path):
    d = copy.deepcopy(ddict)
    i = _first(d["indicators"], "score")
    d["indicators"][i].update(score=None, value=None, lead_gap_abs=None, lead_gap_pct=None)
    d["category_scores"][0]["score"] = None
    d["changes"][0]["delta"] = None
    d["score_changes"][0].update(delta=None, from_score=None)
    d["recommendations"][_first(d["recommendations"], "total_points")].update(points=None, total_points=None, gap_abs=None)
    d["projects"][0].update(total_investment=None, fixed_investment=None)
    d["park"]["area_km2"] = None
    d["engagement"]["onsite_working_days"] = None
    path = _write(tmp_path, d)
    out = tmp_path / "r.md"
    render_report(path, out, "md")
    md = out.read_text(encoding="utf-8")
    assert "园区名称" in md
    res = CliRunner().invoke(main, ["report", path, "--out", str(tmp_path / "cli.md")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cli.md").read_text(encoding="utf-8") == md


def test_older_diagnosis_file_without_newer_fields_renders(ddict, tmp_path):
    """The fields later greendiag versions added are optional in a saved file; the same report text follows."""
    d = copy.deepcopy(ddict)
    for key in ("score_changes", "baseline_summary", "rules_constants", "input_notes", "provisional"):
        d.pop(key, None)
    d["catalogue"].pop("scoring"), d["catalogue"].pop("documents")
    for r in d["indicators"]:
        r.pop("lead_gap_abs"), r.pop("lead_gap_pct")
    for t in d["total_scores"]:
        for key in ("band_qualified", "missing_effect", "assessable", "missing_mandatory"):
            t.pop(key)
    for r in d["recommendations"]:
        for key in ("gap_abs", "group", "head_zh", "head_en", "clause_zh", "clause_en", "direction", "target_label_zh",
                    "target_label_en", "gap_unit_zh", "gap_unit_en"):
            r.pop(key, None)
    for m in d["catalogue"]["indicators"]:
        m.pop("gap_unit_zh"), m.pop("gap_unit_en")
    path = _write(tmp_path, d)
    out = render_report(path, tmp_path / "old.md", "md")
    md = open(out, encoding="utf-8").read()
    assert "## 一、概述" in md or "一、概述" in md
    assert f"{ddict['years'][-1]}年诊断总分" in md


# ------------------------------------------------------------------ any one node damaged: a located diagnosis-* error or a report

DIAGNOSIS_CODES = {"diagnosis-missing-key", "diagnosis-bad-type", "diagnosis-format", "diagnosis-inconsistent"}
QUIET = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# words the writers branch on (a qualitative indicator, a status, a derived value, a capped score, ...), and text no
# diagnosis can hold: a control character (the dataset refuses it; a Word file cannot hold it), a lone surrogate
_WORDS = st.sampled_from(["qualitative", "quantitative", "lower", "better", "worse", "n/a", "met", "not_met", "unknown",
                          "missing_mandatory", "missing_optional", "undefined", "derived", "capped", "candidate", "problem",
                          "per_indicator", "recommendation", "standard_comparison", "2024-06-01", "a\x0bb", "\ud800"])


def _values(nums):
    """null, true/false, numbers, text, lists and objects of them (10**400 included: a JSON file holds it, as an int)."""
    scalars = st.one_of(st.none(), st.booleans(), nums, st.integers(-10 ** 30, 10 ** 30), texts(), _WORDS,
                        st.sampled_from([10 ** 400, [], {}]))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts(), inner, max_size=3)),
                        max_leaves=5)


FILE_VALUES = _values(numbers())  # what a JSON file can hold ...
# ... and what a dict built in Python can hold besides
DICT_VALUES = st.one_of(FILE_VALUES, st.sampled_from([float("nan"), float("inf"), -float("inf"), (1, 2), {1: "x"}, b"x"]))
# The charts (html, docx) get numbers up to the float limit too (1e308 as an indicator value was render-failed)
CHART_VALUES = st.one_of(_values(numbers()), st.sampled_from([1.7e308, -1.7e308, float("nan"), float("inf"), (1, 2), {1: "x"}, b"x"]))


def test_a_value_near_the_float_limit_is_drawn_as_too_large_not_a_failure(tmp_path):
    """energy_productivity: 1.7e308 loads (above its plausible range, with a finding); the chart's axis overflowed."""
    import yaml

    import greendiag
    from greendiag.reports import render_report

    data = yaml.safe_load((pathlib.Path(__file__).resolve().parent.parent / "examples" / "demo-park.yaml").read_text(encoding="utf-8"))
    next(b for b in data["years"] if b["year"] == 2024)["indicators"]["energy_productivity"] = {"value": 1.7e308}
    d = greendiag.diagnose(greendiag.dataset_from_dict(data), backend="python")
    out = render_report(d, tmp_path / "r.html", "html")
    assert "data:image/png;base64," in open(out, encoding="utf-8").read()


@pytest.fixture(scope="module")
def nodes(ddict):
    return document_paths(ddict)  # every node of the demo diagnosis, as a path of keys and indices


def _damage(data, ddict, nodes, values):
    """The demo diagnosis with one node anywhere replaced by one of `values`, removed, or an unknown key (in a list: a
    repeated item) added beside it (greendiag.testing.mutate); the draw shows the path and the value."""
    path, how = data.draw(st.sampled_from(nodes), label="node"), data.draw(st.integers(0, 5))
    what = DROP if how == 0 else EXTRA if how == 1 else data.draw(values, label="value")
    return mutate(ddict, path, what)


def _checked(problems):
    """Each problem a diagnosis-* problem with a JSON path, a Chinese message (English alongside) and a fix."""
    assert problems
    for p in problems:
        assert p.code in DIAGNOSIS_CODES and (p.location or "").startswith("$"), p
        assert re.search(r"[\u4e00-\u9fff]", p.message_zh) and p.message_en and p.fix_zh and p.fix_en, p
    return problems


def _outcome(call):
    """None when `call` succeeds; else the (checked) problems of the ReportError it raised. Any other exception, or a
    ReportError of another code (render-failed), fails the test."""
    try:
        call()
    except ReportError as exc:
        return _checked(exc.problems)
    return None


def _renders_or_names_the_damage(ddict, nodes, data, fmt):
    """Rendering the damaged dict succeeds (writing the file) or raises what the check before any writer finds."""
    damaged = _damage(data, ddict, nodes, CHART_VALUES if fmt in ("html", "docx") else DICT_VALUES)
    up_front = _outcome(lambda: ReportData(damaged))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, f"r.{fmt}")
        rendered = _outcome(lambda: render_report(damaged, out, fmt, lang=data.draw(st.sampled_from(LANGS), label="lang")))
        assert os.listdir(tmp) == ([] if rendered else [f"r.{fmt}"])
    assert rendered == up_front  # nothing the check lets through fails later, inside a writer
    assert rendered is None or all(p.file is None for p in rendered)  # a dict has no file
    if fmt == "docx" and rendered is None:  # the forms read the engagement and the park (they are in the pack only)
        assert len(render_forms(ReportData(damaged))) == 3


@settings(max_examples=300, **QUIET)
@given(data=st.data())
def test_any_damage_renders_or_is_named_md(ddict, nodes, data):
    _renders_or_names_the_damage(ddict, nodes, data, "md")


@settings(max_examples=200, **QUIET)
@given(data=st.data())
def test_any_damage_renders_or_is_named_json(ddict, nodes, data):
    _renders_or_names_the_damage(ddict, nodes, data, "json")


# html and docx draw the charts (about 3 s when the damage passes the check, half the time): fewer examples
@settings(max_examples=10, **QUIET)
@given(data=st.data())
def test_any_damage_renders_or_is_named_html(ddict, nodes, data):
    _renders_or_names_the_damage(ddict, nodes, data, "html")


@settings(max_examples=6, **QUIET)
@given(data=st.data())
def test_any_damage_renders_or_is_named_docx(ddict, nodes, data):
    _renders_or_names_the_damage(ddict, nodes, data, "docx")


@settings(max_examples=150, **QUIET)
@given(data=st.data())
def test_any_damage_in_a_file_names_the_file(ddict, nodes, data):
    """The same damage in a diagnosis.json: load_diagnosis and render_report both raise a DiagnosisFileError naming the
    file and the JSON path, the same problems, or both succeed."""
    damaged = _damage(data, ddict, nodes, FILE_VALUES)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "diagnosis.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(damaged, f, allow_nan=False)  # ASCII: a lone surrogate is written as \\ud800
        errors = []
        for call in (lambda: load_diagnosis(path), lambda: render_report(path, os.path.join(tmp, "r.md"), "md")):
            try:
                call()
                errors.append(None)
            except DiagnosisFileError as exc:
                assert all(p.file == path for p in _checked(exc.problems))
                assert exc.format("zh").startswith("诊断结果文件内容有误") and path in exc.format("en")
                errors.append(exc.problems)
        assert errors[0] == errors[1]
        assert sorted(os.listdir(tmp)) == (["diagnosis.json"] if errors[0] else ["diagnosis.json", "r.md"])


WATER = os.path.join(os.path.dirname(DEMO), "overlays", "water-cascade.yaml")


@pytest.fixture(scope="module")
def catalogues():
    return {"base": greendiag.load_catalogue(), "water": greendiag.load_catalogue(WATER)}


@settings(max_examples=25, **QUIET)
@given(data=st.data())
def test_every_diagnosis_greendiag_makes_passes_the_check(catalogues, data):
    """The check is no stricter than greendiag itself: generated parks (missing data, levels, raw statistics, engagement
    facts, with and without the overlay) diagnose into a dict that the check accepts, and that renders."""
    cat = catalogues[data.draw(st.sampled_from(sorted(catalogues)), label="catalogue")]
    ds = greendiag.dataset_from_dict(data.draw(park_datasets(cat), label="dataset"), catalogue=cat)
    d = json.loads(greendiag.diagnose(ds, catalogue=cat, backend="python").to_json())
    ReportData(d)
    with tempfile.TemporaryDirectory() as tmp:
        render_report(d, os.path.join(tmp, "r.md"), "md", lang="bilingual")
