"""The one-year follow-up (指南六): record and workbook read against the demo diagnosis, every check, the outputs and the CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pathlib
import zipfile

import openpyxl
import pytest

import greendiag
from greendiag.excel_followup import FIRST_ROW, PLAN, PLAN_FIRST_ROW, SHEET
from greendiag.followup import FollowupError, load_followup, write_followup
from greendiag.yamlio import read_document

ROOT = pathlib.Path(__file__).resolve().parent.parent
RECORD = ROOT / "examples" / "followup-demo.yaml"


@pytest.fixture(scope="module")
def diag_path(tmp_path_factory) -> pathlib.Path:
    """The demo diagnosis as the brief makes it, saved as diagnosis.json."""
    text = greendiag.diagnose(greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml"), backend="python").to_json()
    path = tmp_path_factory.mktemp("diag") / "diagnosis.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def record() -> dict:
    return copy.deepcopy(read_document(RECORD).data)


def codes(info) -> list[str]:
    return [p.code for p in info.value.problems]


def test_demo_record_counts_worked_by_hand(diag_path):
    fu = load_followup(RECORD, diag_path)
    # examples/followup-demo.yaml, row by row: adopted 1 2 5 6 7 9 11 12 13, partly 3 8, not adopted 4 10;
    # of the 11 taken up: done 1 5 6 9, in progress 2 3 8 12 13, not started 7 11
    assert fu.counts() == {"total": 13, "adoption": {"adopted": 9, "partly": 2, "not_adopted": 2}, "taken": 11,
                           "implementation": {"done": 4, "in_progress": 5, "not_started": 2}}
    # 3050 + 45.5 + 820 + 1260.25 + 180 + 96 + 310
    assert fu.investment_total() == 5761.75
    d = fu.to_dict()
    assert d["investment_rows"] == 7 and d["report_date"] == "2025-04-15" and d["due_date"] == "2026-04-15"
    assert d["followup_date"] == "2026-04-20" and d["early"] is False and d["notes"] == [] and d["fictitious"] is True
    row1 = d["projects"][0]
    assert row1["title_zh"] == "园区中水回用管网扩建(虚构)" and row1["planned_investment"] == 3200
    assert row1["adoption_zh"] == "已采纳" and row1["implementation_en"] == "done" and row1["completed"] == "2026-03-28"
    assert d["projects"][3]["implementation"] is None and d["projects"][3]["reason"].startswith("园区暂无氢源")
    assert d["projects"][4]["adoption"] == "adopted"  # the English word is accepted too


def test_same_input_same_bytes(diag_path, tmp_path):
    a = load_followup(RECORD, diag_path)
    b = load_followup(RECORD, json.loads(diag_path.read_text(encoding="utf-8")))
    assert a.to_json() == b.to_json().replace('"diagnosis_source": null', '"diagnosis_source": "diagnosis.json"')
    write_followup(a, tmp_path / "one")
    write_followup(load_followup(RECORD, diag_path), tmp_path / "two")
    for name in ("followup.json", "followup.docx", "followup.md"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_document_content(diag_path, tmp_path):
    written = write_followup(load_followup(RECORD, diag_path), tmp_path, lang="bilingual")
    assert [pathlib.Path(p).name for p in written] == ["followup.json", "followup.docx", "followup.md"]
    md = (tmp_path / "followup.md").read_text(encoding="utf-8")
    assert "绿色诊断后续跟踪反馈" in md and "已采纳9项、部分采纳2项、未采纳2项" in md
    assert "已完成4项、实施中5项、未启动2项" in md and "合计5761.75万元" in md
    assert "园区下一步提升计划" in md and "2026年第四季度" in md and "虚构" in md
    with zipfile.ZipFile(tmp_path / "followup.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "部分采纳" in body and "建设综合能源站二期" in body


def test_a_missing_entry_is_an_error_at_its_place(diag_path, record):
    del record["projects"][2]
    with pytest.raises(FollowupError) as info:
        load_followup(_write(record, diag_path.parent / "r.yaml"), diag_path)
    (p,) = info.value.problems
    assert p.code == "followup-project-missing" and "第3项" in p.message_zh and p.location == "$.projects" and p.line


@pytest.mark.parametrize("edit, code, where", [
    (lambda r: r["projects"].append({"number": 14, "adoption": "已采纳", "implementation": "未启动"}), "followup-unknown-project", "$.projects[13].number"),
    (lambda r: r["projects"].append(dict(r["projects"][0])), "followup-duplicate-project", "$.projects[13].number"),
    (lambda r: r["projects"][4].pop("completed"), "followup-completion-missing", "$.projects[4].completed"),
    (lambda r: r["projects"][0].update(completed="2025-04-01"), "followup-completion-before-report", "$.projects[0].completed"),
    (lambda r: r["projects"][0].update(completed="2026-05-01"), "followup-completion-after-followup", "$.projects[0].completed"),
    (lambda r: r["projects"][1].update(completed="2026-01-01"), "followup-completion-not-done", "$.projects[1].completed"),
    (lambda r: r["projects"][0].update(investment=-10), "followup-negative-investment", "$.projects[0].investment"),
    (lambda r: r["projects"][0].update(adoption="采用"), "followup-unknown-status", "$.projects[0].adoption"),
    (lambda r: r["projects"][0].update(implementation="finished"), "followup-unknown-status", "$.projects[0].implementation"),
    (lambda r: r["projects"][3].pop("reason"), "followup-reason-missing", "$.projects[3].reason"),
    (lambda r: r["projects"][3].update(implementation="已完成"), "followup-status-conflict", "$.projects[3].implementation"),
    (lambda r: r["projects"][6].pop("implementation"), "followup-implementation-missing", "$.projects[6].implementation"),
    (lambda r: r["projects"][0].update(title="另一个项目"), "followup-title-mismatch", "$.projects[0].title"),
    (lambda r: r.update(park="另一个园区"), "followup-wrong-park", "$.park"),
    (lambda r: r.update(diagnosis_year=2024), "followup-wrong-park", "$.diagnosis_year"),
    (lambda r: r.update(followup_date="2025-03-01"), "followup-before-report", "$.followup_date"),
    (lambda r: r.update(followup_date="2026-02-30"), "followup-bad-date", "$.followup_date"),
    (lambda r: r.pop("followup_date"), "followup-date-missing", "$.followup_date"),
    (lambda r: r.update(next_steps=[]), "followup-plan-missing", "$.next_steps"),
    (lambda r: r["projects"][0].update(investment="很多"), "schema-type", "$.projects[0].investment"),
])
def test_each_check(diag_path, record, tmp_path, edit, code, where):
    edit(record)
    with pytest.raises(FollowupError) as info:
        load_followup(_write(record, tmp_path / "r.yaml"), diag_path)
    found = [(p.code, p.location) for p in info.value.problems]
    assert (code, where) in found, found
    p = next(p for p in info.value.problems if p.code == code)
    assert p.message_zh and p.message_en and p.file.endswith("r.yaml") and p.line is not None


def test_early_feedback_is_a_note_not_an_error(diag_path, record):
    record["followup_date"] = "2026-04-01"
    fu = load_followup(record, diag_path)
    assert fu.early and [n.code for n in fu.notes] == ["followup-early"]
    assert fu.to_dict()["notes"][0]["location"] == "$.followup_date"


def test_chinese_and_english_words_mean_the_same(diag_path, record):
    english = copy.deepcopy(record)
    words = {"已采纳": "adopted", "部分采纳": "partly", "未采纳": "not adopted", "已完成": "DONE", "实施中": "in-progress", "未启动": "not_started"}
    for e in english["projects"]:
        e["adoption"] = words.get(e["adoption"], e["adoption"])
        if "implementation" in e:
            e["implementation"] = words.get(e["implementation"], e["implementation"])
    assert load_followup(english, diag_path).to_json() == load_followup(record, diag_path).to_json()


def test_only_a_diagnosis_is_followed_up(tmp_path):
    with pytest.raises(greendiag.InputFileError) as info:
        load_followup(RECORD, ROOT / "examples" / "demo-park.yaml")
    assert codes(info) == ["not-a-diagnosis"]
    broken = tmp_path / "diagnosis.json"
    broken.write_text('{"format": "greendiag-diagnosis/1"}', encoding="utf-8")
    with pytest.raises(greendiag.DiagnosisFileError) as info:
        load_followup(RECORD, broken)
    assert all(c.startswith("diagnosis-") for c in codes(info))


def test_workbook_round_trip(diag_path, tmp_path):
    path = tmp_path / "followup.xlsx"
    greendiag.write_followup_template(diag_path, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    assert ws.cell(FIRST_ROW, 3).value == "园区中水回用管网扩建(虚构)" and ws.cell(FIRST_ROW, 3).protection.locked
    assert not ws.cell(FIRST_ROW, 5).protection.locked and ws.column_dimensions["A"].hidden
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert '"已采纳,部分采纳,未采纳"' in lists and '"已完成,实施中,未启动"' in lists
    # fill it as the YAML example says
    rec = read_document(RECORD).data
    ws["C6"] = dt.datetime(2026, 4, 20)
    ws["C7"] = rec["prepared_by"]
    for e in rec["projects"]:
        r = FIRST_ROW + e["number"] - 1
        for col, key in ((5, "adoption"), (6, "implementation"), (8, "investment"), (9, "effect"), (10, "evidence"),
                         (11, "reason"), (12, "note")):
            if key in e:
                ws.cell(r, col).value = e[key]
        if "completed" in e:
            ws.cell(r, 7).value = dt.datetime.fromisoformat(e["completed"])
    ws.cell(FIRST_ROW, 8).value = "3050万元"  # a unit typed after the amount
    plan = wb[PLAN]
    for i, s in enumerate(rec["next_steps"]):
        for col, key in ((3, "item"), (4, "planned"), (5, "responsible"), (6, "note")):
            plan.cell(PLAN_FIRST_ROW + i, col).value = s.get(key)
    wb.save(path)
    from_book = load_followup(path, diag_path).to_dict()
    from_yaml = load_followup(RECORD, diag_path).to_dict()
    for d in (from_book, from_yaml):
        d.pop("source")
    assert from_book == from_yaml


def test_workbook_problems_are_at_their_cells(diag_path, tmp_path):
    path = tmp_path / "followup.xlsx"
    greendiag.write_followup_template(diag_path, path)
    with pytest.raises(FollowupError) as info:  # the blank workbook says what is missing, where
        load_followup(path, diag_path)
    found = {(p.code, p.location) for p in info.value.problems}
    assert ("followup-date-missing", f"{SHEET}!C6") in found and ("followup-plan-missing", f"{PLAN}!C{PLAN_FIRST_ROW}") in found
    assert ("followup-project-missing", f"{SHEET}!E{FIRST_ROW + 2}") in found and len(found) == 2 + 13
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    ws["C6"] = "2026-04-20"
    for r in range(FIRST_ROW, FIRST_ROW + 13):
        ws.cell(r, 5).value, ws.cell(r, 6).value = "已采纳", "实施中"
    ws.cell(FIRST_ROW + 1, 6).value = "已完成"  # no date
    ws.cell(FIRST_ROW + 2, 8).value = -3
    ws.cell(FIRST_ROW + 3, 5).value = "大概"
    wb[PLAN]["C4"], wb[PLAN]["D4"] = "光伏二期", "2026年"
    wb.save(path)
    with pytest.raises(FollowupError) as info:
        load_followup(path, diag_path)
    assert [(p.code, p.location) for p in info.value.problems] == [
        ("followup-completion-missing", f"{SHEET}!G{FIRST_ROW + 1}"), ("followup-negative-investment", f"{SHEET}!H{FIRST_ROW + 2}"),
        ("followup-unknown-status", f"{SHEET}!E{FIRST_ROW + 3}")]


def test_a_workbook_of_another_kind_is_refused(diag_path, tmp_path):
    with pytest.raises(FollowupError) as info:
        load_followup(ROOT / "examples" / "demo-park.xlsx", diag_path)
    assert codes(info) == ["not-a-followup-template"]


def test_cli_end_to_end(run, diag_path, tmp_path):
    out = tmp_path / "out"
    res = run("followup", diag_path, RECORD, "--out", out)
    assert res.exit_code == 0, res.output
    assert "已采纳9项" in res.output and (out / "followup.docx").is_file()
    assert json.loads((out / "followup.json").read_text(encoding="utf-8"))["counts"]["taken"] == 11
    (out / "followup.docx").write_bytes(b"edited in Word")
    res = run("followup", diag_path, RECORD, "--out", out)
    assert res.exit_code == 2 and "pack-file-edited" in res.output
    assert run("followup", diag_path, RECORD, "--out", out, "--force").exit_code == 0
    book = tmp_path / "f.xlsx"
    assert run("followup-template", diag_path, book).exit_code == 0 and book.is_file()
    res = run("followup-template", diag_path, book)
    assert res.exit_code == 2 and "file-exists" in res.output
    res = run("--lang", "en", "followup", diag_path, book)
    assert res.exit_code == 2 and "followup-project-missing" in res.output and f"{SHEET}!E{FIRST_ROW}" in res.output
    res = run("followup", RECORD, diag_path)
    assert res.exit_code == 2 and "not-a-diagnosis" in res.output


def test_early_note_on_stderr(run, diag_path, record, tmp_path):
    record["followup_date"] = "2026-04-01"
    res = run("followup", diag_path, _write(record, tmp_path / "early.yaml"))
    assert res.exit_code == 0 and "followup-early" in res.output


def _write(data: dict, path: pathlib.Path) -> pathlib.Path:
    import yaml

    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
