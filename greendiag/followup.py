"""The one-year follow-up feedback (诊断完成一年后的跟踪反馈, guide 六) as data.

A follow-up record (`greendiag-followup/1`, YAML/JSON or the follow-up workbook of greendiag.excel_followup) says, for
every row of the diagnosis's table 附件2-1-3, whether the suggestion was adopted (采纳情况) and carried out (落实情况),
and gives the park's next-step plan (下一步提升计划). load_followup checks it against the diagnosis it follows up and
returns an immutable FollowUp; its to_json() is byte-identical for the same inputs. Outputs: greendiag.reports.followup.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import os
import re
import unicodedata
from decimal import Decimal
from typing import Any, Callable, Optional

import attrs

from .errors import FollowupError, InputFileError, Problem
from .facts import follow_up_due
from .yamlio import Document, json_path

FORMAT = "greendiag-followup/1"
RESULT_FORMAT = "greendiag-followup-result/1"
DIAGNOSIS_FORMAT = "greendiag-diagnosis/1"

ADOPTION = {"adopted": ("已采纳", "adopted"), "partly": ("部分采纳", "partly adopted"), "not_adopted": ("未采纳", "not adopted")}
IMPLEMENTATION = {"done": ("已完成", "done"), "in_progress": ("实施中", "in progress"), "not_started": ("未启动", "not started")}


def _fold(word: str) -> str:
    return re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", word).strip().casefold())


def _words(table: dict) -> dict[str, str]:
    """Every accepted spelling (the id, its Chinese and English words) → the id."""
    out = {}
    for key, (zh, en) in table.items():
        for word in (key, zh, en):
            out[_fold(word)] = key
    return out


_ADOPTION_WORDS, _IMPLEMENTATION_WORDS = _words(ADOPTION), _words(IMPLEMENTATION)


@attrs.frozen
class ProjectFeedback:
    """One row of 附件2-1-3 with what became of it. `implementation` is None for a suggestion not adopted."""

    number: int
    title_zh: str
    title_en: str
    origin: str  # user (the park's own project) | candidate (proposed by the diagnosis)
    addresses: tuple[str, ...]
    planned_investment: Optional[float]
    expected_effect_zh: str
    adoption: str
    implementation: Optional[str]
    completed: Optional[str]
    investment: Optional[float]
    effect: Optional[str]
    evidence: Optional[str]
    reason: Optional[str]
    note: Optional[str]

    def adoption_words(self) -> tuple[str, str]:
        return ADOPTION[self.adoption]

    def implementation_words(self) -> tuple[Optional[str], Optional[str]]:
        return IMPLEMENTATION.get(self.implementation or "", (None, None))

    def to_dict(self) -> dict:
        d = attrs.asdict(self)
        d["addresses"] = list(self.addresses)
        d["adoption_zh"], d["adoption_en"] = self.adoption_words()
        d["implementation_zh"], d["implementation_en"] = self.implementation_words()
        return d


@attrs.frozen
class PlanItem:
    """One item of the park's next-step plan (下一步提升计划)."""

    item: str
    planned: str
    responsible: Optional[str] = None
    note: Optional[str] = None


@attrs.frozen
class FollowUp:
    """The checked follow-up of one diagnosis: what every output (followup.json, .docx, .md) is rendered from."""

    park: str
    fictitious: bool
    diagnosis_year: int
    provider: Optional[str]
    report_date: Optional[str]
    due_date: Optional[str]
    followup_date: str
    prepared_by: Optional[str]
    projects: tuple[ProjectFeedback, ...]
    next_steps: tuple[PlanItem, ...]
    notes: tuple[Problem, ...]
    source: str
    diagnosis_source: Optional[str]
    diagnosis_json: str = attrs.field(repr=False, eq=False)  # the diagnosis followed up, as JSON text (the Word file's set-up)

    @property
    def early(self) -> bool:
        """Fed back before one year after the report (allowed, but the guide says one year)."""
        return self.due_date is not None and self.followup_date < self.due_date

    def counts(self) -> dict:
        """采纳情况 over all rows; 落实情况 over the rows adopted or partly adopted."""
        adoption = {k: sum(1 for p in self.projects if p.adoption == k) for k in ADOPTION}
        taken = [p for p in self.projects if p.adoption != "not_adopted"]
        implementation = {k: sum(1 for p in taken if p.implementation == k) for k in IMPLEMENTATION}
        return {"total": len(self.projects), "adoption": adoption, "taken": len(taken), "implementation": implementation}

    def investment_total(self) -> float:
        """Actual investment summed over the rows that give one, 万元 (exact decimal sum: no 0.1 + 0.2 artefacts)."""
        return float(sum((Decimal(repr(p.investment)) for p in self.projects if p.investment is not None), Decimal(0)))

    def to_dict(self) -> dict:
        return {
            "format": RESULT_FORMAT, "park": self.park, "fictitious": self.fictitious, "diagnosis_year": self.diagnosis_year,
            "provider": self.provider, "report_date": self.report_date, "due_date": self.due_date,
            "followup_date": self.followup_date, "early": self.early, "prepared_by": self.prepared_by,
            "projects": [p.to_dict() for p in self.projects], "next_steps": [attrs.asdict(s) for s in self.next_steps],
            "counts": self.counts(), "investment_total": self.investment_total(),
            "investment_rows": sum(1 for p in self.projects if p.investment is not None),
            "notes": [{k: v for k, v in n.to_dict().items() if k not in ("file", "line", "column")} for n in self.notes],
            "source": self.source, "diagnosis_source": self.diagnosis_source,
        }

    def to_json(self) -> str:
        from .fileio import json_text

        return json_text(self.to_dict())

    def diagnosis(self) -> dict:
        """The diagnosis dict this follow-up was checked against."""
        return json.loads(self.diagnosis_json)


# ------------------------------------------------------------------ reading the inputs


def _follow_up_days(diag: dict) -> int:
    """The rules constant follow_up_days (guide 六 "诊断完成一年后") the diagnosis was made with; for a diagnosis.json
    older than rules_constants, the packaged rule base's."""
    days = (diag.get("rules_constants") or {}).get("follow_up_days")
    if days is None:
        from .rulebook import load_rules

        days = next(c.value for c in load_rules().constants if c.name == "follow_up_days")
    return int(days)


def read_diagnosis(diagnosis: Any) -> tuple[dict, Optional[str]]:
    """(checked diagnosis dict, its file or None) from a Diagnosis, its to_dict() or a diagnosis.json path. Anything but a
    diagnosis greendiag wrote is refused: not-a-diagnosis for another kind of file, diagnosis-* for a damaged one."""
    from ._args import check_path
    from .reports._data import ReportData, from_file
    from .yamlio import read_document

    if hasattr(diagnosis, "to_dict") and callable(diagnosis.to_dict):
        data, source = diagnosis.to_dict(), None
    elif isinstance(diagnosis, dict):
        data, source = diagnosis, None
    else:
        source = check_path(diagnosis, "diagnosis")
        if source.lower().endswith((".xlsx", ".xlsm")):
            data = None
        else:
            data = read_document(source).data
        if not (isinstance(data, dict) and data.get("format") == DIAGNOSIS_FORMAT):
            raise InputFileError(Problem("not-a-diagnosis", "文件不是 greendiag 诊断结果(format: greendiag-diagnosis/1)",
                                         "the file is not a greendiag diagnosis (format: greendiag-diagnosis/1)", file=source,
                                         fix_zh="给出 greendiag diagnose DATA --out DIR 写出的 DIR/diagnosis.json",
                                         fix_en="give the DIR/diagnosis.json that greendiag diagnose DATA --out DIR wrote"))
    with from_file(source):
        ReportData(data)  # the reports' own check: a damaged diagnosis names its JSON path
    return data, source


@attrs.frozen
class Source:
    """Where a record came from, to place its problems: JSON path with line and column in a YAML/JSON file, or the
    workbook cell (`locate` maps a data path to `Sheet!C5`)."""

    file: Optional[str]
    doc: Optional[Document] = None
    locate: Optional[Callable[[tuple], Optional[str]]] = attrs.field(default=None, eq=False)

    def problem(self, code: str, path: tuple, zh: str, en: str, fix_zh: Optional[str] = None, fix_en: Optional[str] = None,
                cell: Optional[tuple] = None) -> Problem:
        """`cell`: the data path the workbook places it by when it differs from `path` (a row with no entry)."""
        place = self.locate(tuple(cell or path)) if self.locate is not None else None
        if place is not None:
            return Problem(code, zh, en, file=self.file, location=place, fix_zh=fix_zh, fix_en=fix_en)
        line, col = self.doc.locate(path) if self.doc is not None and self.doc.node is not None else (None, None)
        return Problem(code, zh, en, file=self.file, location=json_path(path), line=line, column=col, fix_zh=fix_zh, fix_en=fix_en)


def load_followup(record: Any, diagnosis: Any) -> FollowUp:
    """The follow-up `record` (a .yaml/.yml/.json file, a follow-up workbook .xlsx, or a dict) checked against
    `diagnosis` (a diagnosis.json path, a Diagnosis or its to_dict()). Every problem at once: FollowupError."""
    from ._args import check_path

    diag, diag_source = read_diagnosis(diagnosis)
    if isinstance(record, dict):
        data, src = record, Source("<data>", Document("<data>", record, None))
    else:
        path = check_path(record, "record")
        if path.lower().endswith((".xlsx", ".xlsm")):
            from .excel_followup import read_followup_workbook

            data, locate = read_followup_workbook(path)
            src = Source(path, Document(path, data, None), locate)
        else:
            from .yamlio import read_document

            doc = read_document(path, FollowupError)
            data, src = doc.data, Source(path, doc)
    return check_followup(data, src, diag, diag_source)


def check_followup(data: Any, src: Source, diag: dict, diag_source: Optional[str] = None) -> FollowUp:
    """The FollowUp of a record's data (already parsed) against a checked diagnosis dict, or FollowupError."""
    from . import schema
    from .reports._data import ReportData

    if isinstance(data, dict) and isinstance(data.get("format"), str) and data["format"].startswith("greendiag-diagnosis"):
        raise FollowupError(src.problem("followup-wrong-order", ("format",), "这是诊断结果(diagnosis.json),不是跟踪反馈记录",
                                        "this is a diagnosis (diagnosis.json), not a follow-up record",
                                        "先给出诊断结果,再给出跟踪反馈记录:greendiag followup diagnosis.json record.yaml",
                                        "give the diagnosis first, then the record: greendiag followup diagnosis.json record.yaml"))
    found = schema.problems(src.doc or Document(src.file or "<data>", data, None), "followup.schema.json", locate=src.locate)
    bad = _unreadable(data) if found else frozenset()
    if found and (() in bad or ("format",) in bad):
        raise FollowupError(found)  # not a follow-up record by its own mark: checking it against the diagnosis would be noise
    rec = {k: v for k, v in data.items() if (k,) not in bad}  # what the schema passed, checked against the diagnosis below
    rd = ReportData(diag)
    problems: list[Problem] = []
    notes: list[Problem] = []
    rows = [Node(p) for p in diag["projects"]]
    park = diag["park"]["name"]
    if "park" in rec and _squash(rec["park"]) != _squash(park):
        problems.append(src.problem("followup-wrong-park", ("park",), f"记录中的园区“{rec['park']}”与诊断结果的园区“{park}”不同",
                                    f"the record's park '{rec['park']}' is not the diagnosis's park '{park}'",
                                    "核对是否选错了诊断结果或记录", "check the diagnosis and the record belong together"))
    if "diagnosis_year" in rec and rec["diagnosis_year"] != diag["diagnosis_year"]:
        problems.append(src.problem("followup-wrong-park", ("diagnosis_year",),
                                    f"记录中的诊断年份 {rec['diagnosis_year']} 与诊断结果的 {diag['diagnosis_year']} 不同",
                                    f"the record's diagnosis year {rec['diagnosis_year']} is not the diagnosis's {diag['diagnosis_year']}",
                                    "核对是否选错了诊断结果或记录", "check the diagnosis and the record belong together"))
    report = rd.report_date()
    due = follow_up_due(report, _follow_up_days(diag))
    if ("followup_date",) not in bad and data.get("followup_date") is None:
        problems.append(src.problem("followup-date-missing", ("followup_date",), "未填写跟踪反馈日期", "the follow-up date is missing",
                                    "按 YYYY-MM-DD 填写 followup_date(工作簿:跟踪反馈日期)",
                                    "give followup_date as YYYY-MM-DD (workbook: 跟踪反馈日期)"))
    if ("next_steps",) not in bad and not data.get("next_steps"):
        problems.append(src.problem("followup-plan-missing", ("next_steps",), "未填写园区下一步提升计划(指南六要求反馈)",
                                    "the park's next-step plan is missing (the guide, 六, asks for it)",
                                    "在 next_steps(工作簿:下一步提升计划)中至少填写一项计划内容与计划时间",
                                    "give at least one item with its planned time under next_steps (workbook: 下一步提升计划)"))
    when = _date(src, ("followup_date",), rec.get("followup_date"), problems)
    if when is not None and report is not None and when < report:
        problems.append(src.problem("followup-before-report", ("followup_date",),
                                    f"跟踪反馈日期 {when.isoformat()} 早于诊断报告日期 {report.isoformat()}",
                                    f"the follow-up date {when.isoformat()} is before the diagnosis report's date {report.isoformat()}",
                                    "核对跟踪反馈日期(YYYY-MM-DD)", "check the follow-up date (YYYY-MM-DD)"))
    elif when is not None and due is not None and when < due:
        notes.append(src.problem("followup-early", ("followup_date",),
                                 f"跟踪反馈日期 {when.isoformat()} 早于诊断报告日期 {report.isoformat()} 后一年({due.isoformat()}):指南六要求在诊断完成一年后反馈,提前反馈可以,请说明原因",
                                 f"the follow-up date {when.isoformat()} is earlier than one year after the report of {report.isoformat()} "
                                 f"({due.isoformat()}): the guide (六) asks for the feedback a year after the diagnosis; early feedback is allowed, say why",
                                 "在备注或下一步计划中说明提前反馈的原因", "say why the feedback comes early"))
    if report is None:
        notes.append(src.problem("followup-no-report-date", ("followup_date",),
                                 "诊断结果没有报告日期,完成日期与跟踪反馈日期未与之核对",
                                 "the diagnosis has no report date; completion and follow-up dates were not checked against it",
                                 "在园区数据中填写 engagement.report_submitted 后重新诊断", "give engagement.report_submitted and diagnose again"))
    entries: dict[int, ProjectFeedback] = {}
    given: set[int] = set()  # numbers the record has, valid or not: a bad entry is not also "missing"
    entered = rec.get("projects") if isinstance(rec.get("projects"), list) else None
    lost = entered is None  # an entry whose number cannot be read: which rows lack an entry is not known until it can
    for i, e in enumerate(entered or ()):
        at = ("projects", i)
        if at in bad or at + ("number",) in bad:
            lost = True
            continue
        unread = frozenset(p[2] for p in bad if len(p) > 2 and p[:2] == at)  # its fields the schema already reported
        e = {k: v for k, v in e.items() if k not in unread}
        e["number"] = int(e["number"])  # the schema's "integer" lets 3.0 through; a list index must be an int
        if e["number"] in given:
            problems.append(src.problem("followup-duplicate-project", ("projects", i, "number"),
                                        f"第{e['number']}项建议填写了两次", f"suggestion {e['number']} is given twice",
                                        "每个序号只保留一项", "keep one entry per number"))
            continue
        given.add(e["number"])
        fb = _entry(src, at, e, rows, report, when, problems, unread)
        if fb is not None:
            entries[fb.number] = fb
    for n, row in enumerate(rows, 1):
        if not lost and n not in given:
            problems.append(src.problem("followup-project-missing", ("projects",),
                                        f"诊断结果附件2-1-3 第{n}项“{row.str('content_zh')}”没有跟踪反馈(采纳情况)",
                                        f"row {n} of the diagnosis's 附件2-1-3 ('{row.str('content_en')}') has no follow-up entry (adoption)",
                                        "每一项建议都须反馈采纳情况;未采纳的填“未采纳”并说明原因",
                                        "report the adoption of every suggestion; for one not adopted, say 未采纳 and why",
                                        cell=("row", n)))
    steps = rec.get("next_steps") if isinstance(rec.get("next_steps"), list) else []
    plan = [(i, s) for i, s in enumerate(steps) if not any(p[:2] == ("next_steps", i) for p in bad)]
    for i, s in plan:
        _planned(src, ("next_steps", i, "planned"), s["planned"], when, problems)
    if found or problems:
        raise FollowupError(_ordered([*found, *problems]))
    provider = diag.get("engagement", {}).get("provider", {}).get("name")
    from .fileio import json_text

    return FollowUp(
        park=park, fictitious=bool(rec.get("fictitious")) or bool(diag.get("fictitious")), diagnosis_year=diag["diagnosis_year"],
        provider=provider, report_date=report.isoformat() if report else None, due_date=due.isoformat() if due else None,
        followup_date=when.isoformat(), prepared_by=_text(rec.get("prepared_by")),
        projects=tuple(entries[n] for n in sorted(entries)),
        next_steps=tuple(PlanItem(s["item"].strip(), s["planned"].strip(), _text(s.get("responsible")), _text(s.get("note")))
                         for _, s in plan),
        notes=tuple(notes), source=os.path.basename(src.file or "<data>"),
        diagnosis_source=os.path.basename(diag_source) if diag_source else None, diagnosis_json=json_text(diag))


class Node(dict):
    """A diagnosis project row with str() that gives "" for null (as the reports read it)."""

    def str(self, key: str) -> str:
        v = self.get(key)
        return "" if v is None else str(v)


def _squash(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _text(v: Any) -> Optional[str]:
    return v.strip() or None if isinstance(v, str) else None


def _date(src: Source, path: tuple, text: Optional[str], problems: list[Problem]) -> Optional[dt.date]:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(src.problem("followup-bad-date", path, f"“{text}”不是有效日期", f"'{text}' is not a valid date",
                                    "按 YYYY-MM-DD 填写真实日期,如 2026-04-30", "give a real date as YYYY-MM-DD, e.g. 2026-04-30"))
        return None


MAX_INVESTMENT = 1e9  # 万元 (10 万亿元): far above any park project; beyond it (or NaN, ±inf) a number is a typo, and sums overflow


def _amount_ok(x: Any) -> bool:
    """A number an investment can be: finite and not absurdly large (NaN, ±inf, 1e400 are typos, not amounts)."""
    if isinstance(x, int):
        return x <= MAX_INVESTMENT
    return isinstance(x, float) and math.isfinite(x) and (x < 0 or x <= MAX_INVESTMENT)


def _unreadable(data: Any) -> frozenset:
    """The data paths the schema faults: a wrong value, or a required key that is missing (its own path). Unknown keys
    are not among them (nothing reads them). () when the record is not an object at all."""
    from . import schema

    out: set[tuple] = set()
    for err in schema.validator("followup.schema.json").iter_errors(data):
        path = tuple(err.absolute_path)
        if err.validator == "required":
            out.update(path + (k,) for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance)
        elif err.validator != "additionalProperties":
            out.add(path)
    return frozenset(out)


# 下一步提升计划's planned time is free text; a plain period (a date, a month, a quarter, a half or a whole year, "by" it
# or not) is read to its last day so that a time already over on the follow-up date is caught. Anything else stands as written.
_BY = r"(?:前|以前|之前|内|底|末)?"
_PERIODS = (
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _BY), "day"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]" + _BY), "day"),
    (re.compile(r"(\d{4})[-/.](\d{1,2})" + _BY), "month"),
    (re.compile(r"(\d{4})年(\d{1,2})月(?:份)?" + _BY), "month"),
    (re.compile(r"(\d{4})年?(?:第)?([一二三四1-4])季度" + _BY), "quarter"),
    (re.compile(r"(\d{4})[Qq]([1-4])" + _BY), "quarter"),
    (re.compile(r"(\d{4})年?([上下])半年" + _BY), "half"),
    (re.compile(r"(\d{4})(?:年(?:度|内|底|末|年底|年末|全年)?)?" + _BY), "year"),
)


def period_end(text: str) -> Optional[dt.date]:
    """The last day of a plainly written period ("2026-09-30", "2026年9月", "2026年第四季度", "2026年底", "2027年"), None for
    any other text (a range, "长期", "2026年起"). ValueError for a date that does not exist (2026-02-30, 2026年13月)."""
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    for pattern, kind in _PERIODS:
        m = pattern.fullmatch(t)
        if not m:
            continue
        year = int(m.group(1))
        if kind == "day":
            return dt.date(year, int(m.group(2)), int(m.group(3)))
        if kind == "year":
            return dt.date(year, 12, 31)
        if kind == "month":
            month = int(m.group(2))
        elif kind == "quarter":
            month = 3 * ("一二三四".find(m.group(2)) + 1 if m.group(2) in "一二三四" else int(m.group(2)))
        else:
            month = 6 if m.group(2) == "上" else 12
        if not 1 <= month <= 12:
            raise ValueError(text)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return None


def _planned(src: Source, path: tuple, text: str, when: Optional[dt.date], problems: list[Problem]) -> None:
    """A planned time that is plainly a period already over on the follow-up date is an error: a next step cannot lie
    in the past (a typo for the coming year, or work done that belongs under the projects); free text stands."""
    try:
        end = period_end(text)
    except (ValueError, OverflowError):
        problems.append(src.problem("followup-bad-date", path, f"计划时间“{text}”不是有效日期", f"the planned time '{text}' is not a real date",
                                    "填写真实的日期或时段,如 2026-09-30、2026年第四季度", "give a real date or period, e.g. 2026-09-30, 2026年第四季度"))
        return
    if end is not None and when is not None and end < when:
        problems.append(src.problem("followup-plan-past", path,
                                    f"计划时间“{text}”早于跟踪反馈日期 {when.isoformat()}:下一步提升计划应是今后的安排",
                                    f"the planned time '{text}' is before the follow-up date {when.isoformat()}: a next step lies ahead",
                                    "核对年份(如应为下一年);已完成的工作写入对应建议的落实情况",
                                    "check the year (the next one?); work already done belongs under the suggestion's implementation"))


def _status(src: Source, path: tuple, word: Any, words: dict, table: dict, what: tuple[str, str], problems: list) -> Optional[str]:
    key = words.get(_fold(word)) if isinstance(word, str) else None
    if key is None:
        allowed_zh = "、".join(f"{zh}({k})" for k, (zh, _) in table.items())
        allowed_en = ", ".join(f"{k} ({zh})" for k, (zh, _) in table.items())
        problems.append(src.problem("followup-unknown-status", path, f"{what[0]}“{word}”无法识别(可填 {allowed_zh})",
                                    f"{what[1]} '{word}' is not known (use {allowed_en})",
                                    f"填写 {allowed_zh} 之一", f"use one of {allowed_en}"))
    return key


def _entry(src: Source, at: tuple, e: dict, rows: list[Node], report: Optional[dt.date], when: Optional[dt.date],
           problems: list[Problem], unread: frozenset = frozenset()) -> Optional[ProjectFeedback]:
    """One project entry checked; None when it cannot stand (its problems are in `problems`). `unread`: its fields the
    schema already reported (left out of `e`): they are not also said to be missing."""
    before = len(problems)
    n = e["number"]
    if n > len(rows):
        problems.append(src.problem("followup-unknown-project", at + ("number",),
                                    f"诊断结果附件2-1-3 没有第{n}项(共{len(rows)}项)",
                                    f"the diagnosis's 附件2-1-3 has no row {n} (it has {len(rows)})",
                                    "序号按诊断报告附件2-1-3 填写", "number the entries as in the report's 附件2-1-3"))
        return None
    row = rows[n - 1]
    title = e.get("title")
    if isinstance(title, str) and title.strip() and _squash(title) not in (_squash(row.str("content_zh")), _squash(row.str("content_en"))):
        problems.append(src.problem("followup-title-mismatch", at + ("title",),
                                    f"第{n}项的名称“{title}”与诊断结果不同(诊断结果为“{row.str('content_zh')}”)",
                                    f"row {n}'s title '{title}' is not the diagnosis's ('{row.str('content_en')}')",
                                    "核对序号是否对应同一项建议(诊断重新生成后序号可能变化),或删去 title",
                                    "check the number names the same suggestion (a new diagnosis may renumber), or leave title out"))
    adoption = None
    if "adoption" in e:
        adoption = _status(src, at + ("adoption",), e["adoption"], _ADOPTION_WORDS, ADOPTION, ("采纳情况", "adoption"), problems)
    impl_word = e.get("implementation")
    implementation = None
    if impl_word is not None and str(impl_word).strip():
        implementation = _status(src, at + ("implementation",), impl_word, _IMPLEMENTATION_WORDS, IMPLEMENTATION,
                                 ("落实情况", "implementation"), problems)
    completed = _date(src, at + ("completed",), e.get("completed"), problems)
    reason = _text(e.get("reason"))
    if adoption == "not_adopted":
        if implementation in ("done", "in_progress"):
            problems.append(src.problem("followup-status-conflict", at + ("implementation",),
                                        f"第{n}项为“未采纳”,落实情况却是“{IMPLEMENTATION[implementation][0]}”",
                                        f"row {n} is not adopted but its implementation is '{implementation}'",
                                        "已实施的改为“已采纳”或“部分采纳”;未采纳的落实情况留空", "mark it adopted or partly adopted, or leave implementation empty"))
        if reason is None and "reason" not in unread:
            problems.append(src.problem("followup-reason-missing", at + ("reason",), f"第{n}项未采纳,须说明原因",
                                        f"row {n} is not adopted: give the reason", "在 reason(未采纳原因)中说明", "say why under reason"))
        implementation = None
    elif adoption is not None and (impl_word is None or not str(impl_word).strip()) and "implementation" not in unread:
        problems.append(src.problem("followup-implementation-missing", at + ("implementation",),
                                    f"第{n}项已采纳或部分采纳,须填写落实情况", f"row {n} is adopted: give its implementation",
                                    "填写 已完成、实施中 或 未启动", "give done, in_progress or not_started"))
    if implementation == "done" and completed is None and e.get("completed") is None and "completed" not in unread:
        problems.append(src.problem("followup-completion-missing", at + ("completed",), f"第{n}项已完成,须填写完成日期",
                                    f"row {n} is done: give its completion date", "按 YYYY-MM-DD 填写完成日期", "give the date as YYYY-MM-DD"))
    if completed is not None and implementation not in ("done", None):
        problems.append(src.problem("followup-completion-not-done", at + ("completed",),
                                    f"第{n}项填写了完成日期,落实情况却是“{IMPLEMENTATION[implementation][0]}”",
                                    f"row {n} has a completion date but is '{implementation}'",
                                    "已完成的把落实情况改为“已完成”,否则删去完成日期", "set it done, or clear the completion date"))
    if completed is not None and report is not None and completed < report:
        problems.append(src.problem("followup-completion-before-report", at + ("completed",),
                                    f"第{n}项的完成日期 {completed.isoformat()} 早于诊断报告日期 {report.isoformat()}",
                                    f"row {n}'s completion date {completed.isoformat()} is before the diagnosis report of {report.isoformat()}",
                                    "核对完成日期;诊断前已完成的项目不属于诊断建议的落实", "check the date; work done before the diagnosis does not implement its suggestions"))
    if completed is not None and when is not None and completed > when:
        problems.append(src.problem("followup-completion-after-followup", at + ("completed",),
                                    f"第{n}项的完成日期 {completed.isoformat()} 晚于跟踪反馈日期 {when.isoformat()}",
                                    f"row {n}'s completion date {completed.isoformat()} is after the follow-up date {when.isoformat()}",
                                    "尚未完成的填“实施中”,删去完成日期", "for work not finished yet, say in_progress and clear the date"))
    investment = e.get("investment")
    if investment is not None and not _amount_ok(investment):
        problems.append(src.problem("followup-bad-investment", at + ("investment",), f"第{n}项的实际投资 {investment} 不是有效金额",
                                    f"row {n}'s actual investment {investment} is not a usable amount",
                                    f"填写不小于 0、不超过 {MAX_INVESTMENT:.0e} 的金额(万元)",
                                    f"give an amount from 0 to {MAX_INVESTMENT:.0e} (10⁴ yuan)"))
    elif investment is not None and investment < 0:
        problems.append(src.problem("followup-negative-investment", at + ("investment",), f"第{n}项的实际投资为负数({investment})",
                                    f"row {n}'s actual investment is negative ({investment})", "填写不小于 0 的金额(万元)",
                                    "give an amount of at least 0 (10⁴ yuan)"))
    elif investment is not None and investment > 0 and adoption == "not_adopted":  # money spent on what was not taken up
        problems.append(src.problem("followup-status-conflict", at + ("investment",),
                                    f"第{n}项为“未采纳”,却填写了实际投资 {investment:g} 万元",
                                    f"row {n} is not adopted but gives an actual investment of {investment:g} (10⁴ yuan)",
                                    "已投资实施的改为“已采纳”或“部分采纳”;未采纳的删去实际投资",
                                    "mark it adopted or partly adopted, or clear the investment"))
    if len(problems) > before or adoption is None:
        return None
    planned = row.get("total_investment")
    return ProjectFeedback(
        number=n, title_zh=row.str("content_zh"), title_en=row.str("content_en"), origin=row.str("origin"),
        addresses=tuple(str(a) for a in row.get("addresses") or ()), planned_investment=None if planned is None else float(planned),
        expected_effect_zh=row.str("expected_effect_zh"), adoption=adoption, implementation=implementation,
        completed=completed.isoformat() if completed else None, investment=None if investment is None else float(investment),
        effect=_text(e.get("effect")), evidence=_text(e.get("evidence")), reason=reason, note=_text(e.get("note")))


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Problems in the order of the record: by line in a file; by sheet (跟踪反馈, then 下一步提升计划), row and column in
    the workbook (B10 before B9 would be wrong as text, so the cell is split); by JSON path, numbers as numbers, for a dict."""
    def key(p: Problem) -> tuple:
        sheet, _, cell = (p.location or "").partition("!")
        m = re.fullmatch(r"([A-Z]+)(\d+)", cell)
        col = m.group(1) if m else ""
        natural = tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"(\d+)", sheet))  # $.projects[2] before [10]
        return (p.line is None, p.line or 0, p.column or 0, sheet != "跟踪反馈", natural,
                int(m.group(2)) if m else 0, len(col), col)

    return sorted(problems, key=key)


def write_followup(followup: FollowUp, out_dir: str | os.PathLike, *, lang: str = "zh", overwrite: bool = False) -> list[str]:
    """Write followup.json, followup.docx and followup.md into `out_dir`, all or nothing; the paths written. As write_pack:
    a file there edited since greendiag wrote it (or not written by greendiag) is not replaced (pack-file-edited) unless
    `overwrite=True`."""
    from ._args import bad_argument, check_path
    from .pack import write_checked
    from .reports.followup import render_followup

    if not isinstance(followup, FollowUp):
        raise bad_argument("followup", "须为 load_followup() 的结果", "must be a FollowUp from load_followup()", followup,
                           "先用 greendiag.load_followup(record, diagnosis) 读入", "read it with greendiag.load_followup(record, diagnosis)")
    out = check_path(out_dir, "out_dir", folder=True)
    return write_checked(out, render_followup(followup, lang=lang), overwrite)


def write_followup_template(diagnosis: Any, path: str | os.PathLike, *, overwrite: bool = False) -> str:
    """The follow-up workbook of `diagnosis` written to `path` (.xlsx): greendiag.excel_followup.write_followup_template,
    imported when first used (openpyxl is not loaded by `import greendiag`)."""
    from .excel_followup import write_followup_template as write

    return write(diagnosis, path, overwrite=overwrite)


__all__ = ["FollowUp", "ProjectFeedback", "PlanItem", "FollowupError", "load_followup", "check_followup", "read_diagnosis",
           "write_followup", "write_followup_template", "ADOPTION", "IMPLEMENTATION", "FORMAT", "RESULT_FORMAT"]
