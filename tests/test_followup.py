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
from greendiag.followup import FollowupError, Source, check_followup, load_followup, read_diagnosis, write_followup
from greendiag.yamlio import Document, read_document

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
    (lambda r: r["projects"][3].update(investment=120), "followup-status-conflict", "$.projects[3].investment"),
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


# ------------------------------------------------------------------ schema and diagnosis problems in one round


def test_schema_and_diagnosis_problems_come_together(diag_path, record, tmp_path):
    record["projects"][0]["investment"] = "很多"  # schema: text for a number
    record["projects"][1]["completed"] = "2026-01-01"  # diagnosis check: a date on work in progress
    record["projects"][4]["implementation"] = 5  # schema; its row is not also "implementation missing"
    del record["projects"][2]  # diagnosis check: row 3 has no entry
    record["next_steps"][1].pop("planned")  # schema: a plan row without its time
    record["next_steps"][0]["planned"] = "2025年"  # diagnosis check: a next step in the past
    with pytest.raises(FollowupError) as info:
        load_followup(_write(record, tmp_path / "r.yaml"), diag_path)
    found = [(p.code, p.location) for p in info.value.problems]
    assert sorted(found) == sorted([
        ("schema-type", "$.projects[0].investment"), ("followup-completion-not-done", "$.projects[1].completed"),
        ("schema-type", "$.projects[3].implementation"), ("followup-project-missing", "$.projects"),
        ("schema-required", "$.next_steps[1]"), ("followup-plan-past", "$.next_steps[0].planned")])
    lines = [p.line for p in info.value.problems]
    assert None not in lines and lines == sorted(lines)  # in the order of the file


def test_an_entry_whose_number_cannot_be_read_withholds_missing_rows(diag_path, record):
    record["projects"][6]["number"] = "7"  # which row it means is not known: row 7 is not called missing
    record["projects"][0]["completed"] = "2026-05-01"
    with pytest.raises(FollowupError) as info:
        load_followup(record, diag_path)
    assert [(p.code, p.location) for p in info.value.problems] == [
        ("followup-completion-after-followup", "$.projects[0].completed"), ("schema-type", "$.projects[6].number")]


@pytest.mark.parametrize("edit, only", [
    (lambda r: r.update(format="greendiag-dataset/1"), "schema-const"),  # not a follow-up record by its own mark
    (lambda r: r.update(followup_date=None), "schema-type"),  # wrong, not also "missing"
    (lambda r: r.update(next_steps="明年再说"), "schema-type"),
    (lambda r: r["projects"][3].update(reason=["x"]), "schema-type"),  # not also "reason missing"
    (lambda r: r["projects"][0].pop("adoption"), "schema-required"),
])
def test_a_field_the_schema_reports_is_not_reported_again(diag_path, record, edit, only):
    edit(record)
    with pytest.raises(FollowupError) as info:
        load_followup(record, diag_path)
    assert codes(info) == [only]


def test_the_workbook_reports_both_at_their_cells(diag_path, tmp_path):
    path = tmp_path / "followup.xlsx"
    greendiag.write_followup_template(diag_path, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    ws["C6"] = "2026-04-20"
    for r in range(FIRST_ROW, FIRST_ROW + 13):
        ws.cell(r, 5).value, ws.cell(r, 6).value = "已采纳", "实施中"
    ws.cell(FIRST_ROW, 8).value = "很多"  # schema
    ws.cell(FIRST_ROW + 1, 6).value = "已完成"  # no date
    wb[PLAN]["C4"] = "光伏二期"  # no planned time: schema
    wb[PLAN]["C5"], wb[PLAN]["D5"] = "储能", "2026年第一季度"  # over by the follow-up date
    wb.save(path)
    with pytest.raises(FollowupError) as info:
        load_followup(path, diag_path)
    assert [(p.code, p.location) for p in info.value.problems] == [
        ("schema-type", f"{SHEET}!H{FIRST_ROW}"), ("followup-completion-missing", f"{SHEET}!G{FIRST_ROW + 1}"),
        ("schema-required", f"{PLAN}!D{PLAN_FIRST_ROW}"), ("followup-plan-past", f"{PLAN}!D{PLAN_FIRST_ROW + 1}")]


# values that pass the schema yet meet the checks: NaN, infinities and huge numbers, 3.0 for 3, blanks, dates far off
EDGES = (float("nan"), float("inf"), -float("inf"), 10 ** 400, 1e308, 3.0, 14, 0, "", " ", "0001-01-01", "9999-12-31",
         "2026-02-30", "0000年", "2025年", "未采纳", "已完成", None, True, [1.0], {"k": 1.0})
ENTRY_KEYS = ("number", "title", "adoption", "implementation", "completed", "investment", "effect", "evidence", "reason", "note")


def _result_or_problems(doc, diag) -> None:
    """A FollowUp whose JSON writes, or a FollowupError with coded, located problems in both languages: never a traceback.
    `diag` was read once with read_diagnosis (load_followup would check it again for every record)."""
    try:
        fu = check_followup(doc, Source("<data>", Document("<data>", doc, None)), diag)
    except FollowupError as e:
        assert e.problems
        for p in e.problems:
            assert p.code and p.message_zh and p.message_en and p.location, p
        return
    json.loads(fu.to_json())


def test_every_edge_value_in_every_field_of_an_entry(diag_path):
    """Each of EDGES in each field of an adopted-and-done entry, and in the fields of a not-adopted one that its checks
    read: all of them, since hypothesis below meets a given pair only by chance."""
    diag, _ = read_diagnosis(diag_path)
    base = read_document(RECORD).data
    for i, keys in ((0, ENTRY_KEYS), (3, ("adoption", "implementation", "completed", "investment", "reason"))):
        for key in keys:
            for value in EDGES:
                entry = {**base["projects"][i], key: value}
                _result_or_problems({**base, "projects": [entry if j == i else e for j, e in enumerate(base["projects"])]}, diag)


def test_malformed_records_give_a_result_or_located_problems(diag_path):
    """Whatever is damaged in the record (greendiag.testing's mutated_documents, hostile_values and the edges above),
    the result or located problems."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from greendiag.testing import hostile_values, mutated_documents

    diag, _ = read_diagnosis(diag_path)
    base = read_document(RECORD).data
    values = st.one_of(st.sampled_from(EDGES), hostile_values())
    entries = st.one_of(*(mutated_documents(base["projects"][i], values, changes=2).map(
        lambda e, i=i: {**base, "projects": [e if j == i else x for j, x in enumerate(base["projects"])]}) for i in (0, 3, 6)))
    plans = mutated_documents(base["next_steps"], values, changes=2).map(lambda s: {**base, "next_steps": s})

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(entries, plans, mutated_documents(base, values, changes=3, max_depth=None)))
    def check(doc):
        _result_or_problems(doc, diag)

    check()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10 ** 400, 1e300])
def test_an_investment_that_is_no_amount(diag_path, record, value):
    record["projects"][0]["investment"] = value
    with pytest.raises(FollowupError) as info:
        load_followup(record, diag_path)
    assert [(p.code, p.location) for p in info.value.problems] == [("followup-bad-investment", "$.projects[0].investment")]


# ------------------------------------------------------------------ planned time of the next steps


@pytest.mark.parametrize("planned, code", [
    # the follow-up date of the demo record is 2026-04-20
    ("2026年第四季度", None), ("2027年", None), ("2026年", None), ("2026-04-20", None), ("长期", None), ("2025年起", None),
    ("2026—2027年", None), ("2026年4月", None), ("2026年上半年", None),
    ("2025年", "followup-plan-past"), ("2025年底前", "followup-plan-past"), ("2026-04-19", "followup-plan-past"),
    ("2026年第一季度", "followup-plan-past"), ("2026年3月", "followup-plan-past"), ("２０２５", "followup-plan-past"),
    ("2026-02-30", "followup-bad-date"), ("2026年13月", "followup-bad-date"),
])
def test_planned_time_is_free_text_but_not_in_the_past(diag_path, record, planned, code):
    record["next_steps"][0]["planned"] = planned
    if code is None:
        assert load_followup(record, diag_path).next_steps[0].planned == planned
        return
    with pytest.raises(FollowupError) as info:
        load_followup(record, diag_path)
    assert [(p.code, p.location) for p in info.value.problems] == [(code, "$.next_steps[0].planned")]


# ------------------------------------------------------------------ outputs


def test_followup_template_is_byte_identical(diag_path, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    greendiag.write_followup_template(diag_path, a)
    with zipfile.ZipFile(a) as z:  # stamped with the demo diagnosis's report date, never the time of writing
        core = z.read("docProps/core.xml").decode("utf-8")
        assert {i.date_time for i in z.infolist()} == {(2025, 4, 15, 0, 0, 0)}
    assert "2025-04-15T00:00:00Z</dcterms:created>" in core and "2025-04-15T00:00:00Z</dcterms:modified>" in core
    import time

    time.sleep(1.1)  # core.xml's modified time has whole seconds: openpyxl's own save() would differ by now
    greendiag.write_followup_template(json.loads(diag_path.read_text(encoding="utf-8")), b)
    assert a.read_bytes() == b.read_bytes()
    assert openpyxl.load_workbook(b)[SHEET].cell(FIRST_ROW, 3).value == "园区中水回用管网扩建(虚构)"


def test_empty_cells_are_dashes(diag_path, tmp_path):
    write_followup(load_followup(RECORD, diag_path), tmp_path)
    md = (tmp_path / "followup.md").read_text(encoding="utf-8")
    cells = [c.strip() for line in md.splitlines() if line.startswith("| ") for c in line.strip().strip("|").split("|")]
    assert cells and "" not in cells
    assert "| 7 | 完善园区绿色标准体系、绿色发展规划与绿色信息平台" in md and "| 已采纳 | 未启动 | — | — | — | — |" in md
    assert "| 完成日期 |" in md and "完成时间" not in md
    assert "| 2 | 完成全部重点企业清洁生产审核 | 2026年年底 | — | — |" in md
