"""A damaged diagnosis.json is bad *input*: every problem with its content names the file and the JSON path, and the
numbers the report prints are type-checked where they are read (a string where a number belongs is an error, never a
silent "—"). A dict given from Python keeps raising ReportError with the path; null stays allowed where the format
allows it, and a diagnosis.json of an older greendiag (without the newer fields) still renders."""

from __future__ import annotations

import copy
import json
import os

import pytest
from click.testing import CliRunner

import greendiag
from greendiag.cli import main
from greendiag.errors import InputFileError, ReportError
from greendiag.reports import DiagnosisFileError, load_diagnosis, render_report, write_report_pack

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
