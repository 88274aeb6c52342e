"""Read a diagnosis dict (Diagnosis.to_dict() or a saved diagnosis.json) safely for the report writers.

`Node` wraps the dict: a missing key or a wrong type raises ReportError naming the JSON path
($.park.name), never a KeyError traceback; the numbers the report prints are type-checked where they are read.
Read from a file, the same problems name the file and are DiagnosisFileError (the input is damaged, not the output).
`ReportData` derives the views every format shares.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
from typing import Any, Iterator, Optional

import attrs

from ..errors import DiagnosisFileError, InputFileError, Problem, ReportError

FORMAT = "greendiag-diagnosis/1"

# Top-level keys every report needs (checked up front, so the error names the first missing one).
REQUIRED_KEYS = ("format", "park", "years", "diagnosis_year", "baseline", "catalogue", "indicators", "category_scores",
                 "total_scores", "changes", "findings", "recommendations", "projects", "engagement")

# the codes of problems with a diagnosis's content (as opposed to writing the report)
CONTENT_CODES = frozenset({"diagnosis-missing-key", "diagnosis-bad-type", "diagnosis-format", "diagnosis-inconsistent"})

NUMBER = "数值或 null (a number or null)"
INTEGER = "整数 (an integer)"


def _shown(value: Any) -> str:
    """A short rendering of a wrong value for the message: "abc", 2022.5, true; nothing for a list or object."""
    if isinstance(value, str):
        return " " + json.dumps(value if len(value) <= 40 else value[:40] + "…", ensure_ascii=False)
    if value is None or isinstance(value, (bool, int, float)):
        return " " + json.dumps(value)
    return ""


def missing_key(path: str) -> ReportError:
    return ReportError(Problem("diagnosis-missing-key", f"诊断结果缺少字段 {path}", f"the diagnosis lacks the key {path}",
                               location=path, fix_zh="用 greendiag diagnose 重新生成 diagnosis.json,不要手工删改字段",
                               fix_en="regenerate diagnosis.json with `greendiag diagnose`; do not edit its keys by hand"))


def bad_type(path: str, expected: str, value: Any) -> ReportError:
    """`expected` is "中文 (English)", or one word for both (int)."""
    got = type(value).__name__ + _shown(value)
    both = re.fullmatch(r"(.+?) \((.+)\)", expected)
    zh, en = both.groups() if both else (expected, expected)
    return ReportError(Problem("diagnosis-bad-type", f"诊断结果字段 {path} 应为{zh},实为 {got}",
                               f"the diagnosis key {path} should be {en}, not {got}", location=path,
                               fix_zh="用 greendiag diagnose 重新生成 diagnosis.json", fix_en="regenerate diagnosis.json with `greendiag diagnose`"))


_KIND_NAMES = {str: ("文本", "text"), int: ("整数", "an integer"), float: ("数值", "a number"), bool: ("true/false", "true or false"),
               list: ("列表", "a list"), dict: ("对象", "an object"), type(None): ("null", "null")}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_integer(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class Node:
    """A read-only view of a JSON value that knows its path."""

    __slots__ = ("_v", "path")

    def __init__(self, value: Any, path: str = "$"):
        self._v = value
        self.path = path

    @staticmethod
    def _wrap(value: Any, path: str) -> Any:
        return Node(value, path) if isinstance(value, (dict, list)) else value

    def _child_path(self, key) -> str:
        return f"{self.path}[{key}]" if isinstance(key, int) else f"{self.path}.{key}"

    def __getitem__(self, key):
        if isinstance(key, int):
            if not isinstance(self._v, list):
                raise bad_type(self.path, "列表 (a list)", self._v)
            if not -len(self._v) <= key < len(self._v):
                raise missing_key(self._child_path(key))
            return self._wrap(self._v[key], self._child_path(key))
        if not isinstance(self._v, dict):
            raise bad_type(self.path, "对象 (an object)", self._v)
        if key not in self._v:
            raise missing_key(self._child_path(key))
        return self._wrap(self._v[key], self._child_path(key))

    def get(self, key, default=None):
        if not isinstance(self._v, dict):
            raise bad_type(self.path, "对象 (an object)", self._v)
        return self._wrap(self._v[key], self._child_path(key)) if key in self._v else default

    def __contains__(self, key) -> bool:
        return isinstance(self._v, dict) and key in self._v

    def __iter__(self) -> Iterator:
        if not isinstance(self._v, list):
            raise bad_type(self.path, "列表 (a list)", self._v)
        for i, v in enumerate(self._v):
            yield self._wrap(v, f"{self.path}[{i}]")

    def __len__(self) -> int:
        if not isinstance(self._v, (list, dict)):
            raise bad_type(self.path, "列表或对象 (a list or object)", self._v)
        return len(self._v)

    def str(self, key, default: Optional[str] = "") -> Optional[str]:
        """An optional string field (None/missing → default)."""
        v = self.get(key)
        if v is None:
            return default
        if isinstance(v, Node):
            raise bad_type(self._child_path(key), "文本 (text)", v._v)
        return str(v)

    def need(self, key, kind: type | tuple = (str, int, float, bool, type(None))) -> Any:
        v = self[key]
        raw = v._v if isinstance(v, Node) else v
        if not isinstance(raw, kind) or (isinstance(raw, bool) and kind in (int, float, (int, float))):
            kinds = (kind,) if isinstance(kind, type) else kind
            names = [_KIND_NAMES.get(k, (k.__name__, k.__name__)) for k in kinds]
            raise bad_type(self._child_path(key), "或".join(zh for zh, _ in names) + f" ({' or '.join(en for _, en in names)})", raw)
        return v

    def checked(self, key, ok, expected: str, *, required: bool, nullable: bool) -> Any:
        """The field `key` when `ok(value)` (or null, if `nullable`); else bad_type saying `expected` (\"中文 (English)\")."""
        if not isinstance(self._v, dict):
            raise bad_type(self.path, "对象 (an object)", self._v)
        if key not in self._v:
            if required:
                raise missing_key(self._child_path(key))
            return None
        v = self._v[key]
        if (v is None and nullable) or (v is not None and ok(v)):
            return v
        raise bad_type(self._child_path(key), expected, v)

    def number(self, key, *, required: bool = False, nullable: bool = True) -> Any:
        """A number field (int or float, never bool or text); null where the format allows a missing value;
        an optional key that is absent (an older diagnosis.json) → None."""
        return self.checked(key, _is_number, NUMBER if nullable else "数值 (a number)", required=required, nullable=nullable)

    def integer(self, key, *, required: bool = True, nullable: bool = False) -> Any:
        """An integer field (a year, an indicator number, a count)."""
        return self.checked(key, _is_integer, "整数或 null (an integer or null)" if nullable else INTEGER, required=required,
                            nullable=nullable)

    def flag(self, key) -> Optional[bool]:
        """An optional true/false field (absent or null → None)."""
        return self.checked(key, lambda v: isinstance(v, bool), "true、false 或 null (true, false or null)", required=False, nullable=True)

    def integers(self, key, *, required: bool = False) -> list[int]:
        """A list of integers (indicator or requirement numbers, years); absent or null → []."""
        v = self.checked(key, lambda v: isinstance(v, list), "整数列表 (a list of integers)", required=required, nullable=True)
        if v is None:
            return []
        path = self._child_path(key)
        for i, x in enumerate(v):
            if not _is_integer(x):
                raise bad_type(f"{path}[{i}]", INTEGER, x)
        return list(v)

    @property
    def raw(self) -> Any:
        return self._v


def coerce(diag_or_dict: Any) -> dict:
    """A Diagnosis, a dict, or a path to a diagnosis.json → the plain dict (a file is read, not yet checked: ReportData
    checks it, inside from_file)."""
    if hasattr(diag_or_dict, "to_dict") and callable(diag_or_dict.to_dict):
        return diag_or_dict.to_dict()
    if isinstance(diag_or_dict, dict):
        return diag_or_dict
    if isinstance(diag_or_dict, (str, os.PathLike)):
        return _read_json(os.fspath(diag_or_dict))
    raise ReportError(Problem("diagnosis-bad-type", f"无法从 {type(diag_or_dict).__name__} 生成报告",
                              f"cannot render a report from a {type(diag_or_dict).__name__}",
                              fix_zh="传入 Diagnosis、Diagnosis.to_dict() 的字典或 diagnosis.json 路径",
                              fix_en="pass a Diagnosis, the dict of Diagnosis.to_dict(), or the path of a diagnosis.json"))


def source_of(diag_or_dict: Any, source: Any = None) -> Optional[str]:
    """The file a diagnosis comes from: `source` if given (a dict the caller read from a file), else the path given."""
    if source is not None:
        return os.fspath(source)
    return os.fspath(diag_or_dict) if isinstance(diag_or_dict, (str, os.PathLike)) else None


@contextlib.contextmanager
def from_file(source: Optional[str]):
    """Problems with the content of a diagnosis read from `source` name that file and are DiagnosisFileError (bad input);
    without a source (a dict from Python) they stay ReportError. Failures to render or write pass unchanged."""
    try:
        yield
    except ReportError as exc:
        if source is None or isinstance(exc, InputFileError) or not all(p.code in CONTENT_CODES for p in exc.problems):
            raise
        raise _in_file(exc, source) from None


def _in_file(exc: ReportError, source: str) -> DiagnosisFileError:
    return DiagnosisFileError([attrs.evolve(p, file=source) for p in exc.problems])


def load_diagnosis(path: str | os.PathLike) -> dict:
    """Read and check a saved diagnosis.json: a missing or malformed file is an InputFileError, damaged content (a key
    missing, a wrong type) a DiagnosisFileError naming the file and the JSON path."""
    p = os.fspath(path)
    data = _read_json(p)
    with from_file(p):
        ReportData(data)
    return data


def _read_json(p: str) -> dict:
    """The JSON object in file `p`. A file that cannot be read as text gives the codes every input file gives
    (yamlio.read_text: missing, a folder, too large, not UTF-8, empty, a Word file); malformed JSON (NaN included) is
    malformed-json at its line; anything but an object is a DiagnosisFileError."""
    from ..yamlio import read_text

    text = read_text(p, InputFileError)

    def no_constant(name: str):
        raise ValueError(f"{name} is not a JSON number")

    try:
        data = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(Problem("malformed-json", f"JSON 格式错误:{exc.msg}", f"malformed JSON: {exc.msg}", file=p,
                                     line=exc.lineno, column=exc.colno, fix_zh="用 greendiag diagnose 重新生成该文件",
                                     fix_en="write it again with greendiag diagnose")) from None
    except ValueError as exc:
        raise InputFileError(Problem("malformed-json", f"JSON 中不允许 NaN/Infinity:{exc}", f"NaN/Infinity are not allowed in JSON: {exc}",
                                     file=p, fix_zh="用 greendiag diagnose 重新生成该文件", fix_en="write it again with greendiag diagnose")) from None
    if not isinstance(data, dict):
        raise _in_file(bad_type("$", "诊断结果对象 (a diagnosis object)", data), p)
    return data


# ---------------------------------------------------------------- formatting (deterministic, locale-free)

def fmt_num(x: Any, sig: int = 4) -> str:
    """About `sig` (≤ 5) significant digits, never scientific notation: 2.84, 0.1682, 12346."""
    if x is None:
        return "—"
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        return "—"
    if x == 0:
        return "0"
    digits = max(0, min(4, sig - 1 - math.floor(math.log10(abs(x)))))
    text = f"{x:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_score(x: Any) -> str:
    return "—" if x is None or not isinstance(x, (int, float)) else f"{x:.1f}"


def fmt_signed(x: Any) -> str:
    if x is None or not isinstance(x, (int, float)):
        return "—"
    s = fmt_num(x)
    return s if s.startswith("-") or s == "0" else "+" + s


def fmt_date_zh(iso: Optional[str], blank: str = "    年  月  日") -> str:
    if not iso:
        return blank
    try:
        d = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def parse_date(iso: Any) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(str(iso)[:10]) if iso else None
    except ValueError:
        return None


UNFILLED = "(未填写)"  # an optional field the dataset leaves out, where a sentence or heading needs some text


def _optional_text(node: Node, key: str) -> Optional[str]:
    """An optional text field: missing, null or blank → None; any other non-text → ReportError naming the key."""
    v = node.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise bad_type(node._child_path(key), "文本或 null (text or null)", v.raw if isinstance(v, Node) else v)
    return v.strip() or None


LANGS = ("zh", "bilingual")  # report language: Chinese only (default), or Chinese with English alongside


def check_lang(lang: Any) -> str:
    """The report language, or a ReportError naming the allowed values."""
    if lang in LANGS:
        return str(lang)
    raise ReportError(Problem("unknown-lang", f"未知报告语言“{lang}”(可选 {'、'.join(LANGS)})",
                              f"unknown report language '{lang}' (choose one of {', '.join(LANGS)})",
                              fix_zh="使用 lang=\"zh\"(仅中文,默认)或 lang=\"bilingual\"(中英对照)",
                              fix_en='use lang="zh" (Chinese only, the default) or lang="bilingual" (Chinese with English)'))


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EN_PAREN = re.compile(r"\s*\(([^()]*)\)")


def strip_en(text: str) -> str:
    """Drop the English glosses of bilingual text: ASCII parentheses holding words but no Chinese ("… (candidate; …)")."""
    def repl(m: "re.Match[str]") -> str:
        inner = m.group(1)
        return "" if not _CJK.search(inner) and re.search(r"[A-Za-z]{3,}", inner) else m.group(0)

    return _EN_PAREN.sub(repl, str(text)).strip()


def year_span(years: list[int]) -> str:
    """2022—2024年 for consecutive years, 2022、2024年 otherwise."""
    ys = sorted(set(int(y) for y in years))
    if not ys:
        return ""
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}—{ys[-1]}年"
    return "、".join(str(y) for y in ys) + "年"


def numbers_text(nums: list[int]) -> str:
    """第4项 / 第4、6项."""
    return "第" + "、".join(str(n) for n in nums) + "项"


from ..summary import SEVERITY_ZH  # noqa: E402,F401  (one map for the terminal and the reports; content.py uses it)
KIND_ZH = {"compliance": "合规性", "anomaly": "数据异常", "recommendation": "建议"}
ASSESS = {"better": ("向好", "↑"), "worse": ("变差", "↓"), "same": ("持平", "→"), "n/a": ("无法比较", "—")}
METHOD_ZH = {"standard_comparison": "标准比对法", "advanced_benchmark": "先进对照法", "problem_entry": "问题切入法",
             "expert_experience": "专家经验法"}
STATUS_ZH = {"met": "符合", "符合": "符合", "not_met": "不符合", "不符合": "不符合", "unknown": "未核查", "未知": "未核查"}


class ReportData:
    """The views of one diagnosis dict that every report format shares (built once, eagerly validated)."""

    def __init__(self, data: dict):
        if not isinstance(data, dict):
            raise bad_type("$", "对象 (an object)", data)
        root = Node(data)
        fmt = root["format"]  # first: another kind of file (a dataset) is named as such, not by its first missing key
        if fmt != FORMAT:
            raise ReportError(Problem("diagnosis-format", f"不支持的诊断结果格式“{fmt}”(应为 {FORMAT})",
                                      f"unsupported diagnosis format '{fmt}' (expected {FORMAT})", location="$.format",
                                      fix_zh="给出 greendiag diagnose --out 写出的 diagnosis.json",
                                      fix_en="give the diagnosis.json that `greendiag diagnose --out` writes"))
        for key in REQUIRED_KEYS:
            root[key]
        for key in ("park", "catalogue", "engagement"):
            root.need(key, dict)
        for key in ("years", "baseline", "indicators", "category_scores", "total_scores", "changes", "findings",
                    "recommendations", "projects"):
            root.need(key, list)
        self.root = root
        self.park = root["park"]
        self.park_name: str = str(self.park.need("name", str))
        self.engagement = root["engagement"]
        self.provider = self.engagement.need("provider", dict)
        for member in self.engagement.need("team", list):
            member.flag("park_staff")
        self.engagement.integer("onsite_working_days", required=False, nullable=True)
        for k in ("team_size", "senior_count", "led_green_projects_count", "park_staff_count"):  # counts the report prints
            self.engagement.integer(k, required=False)
        for k in ("scope_full", "fee_charged", "third_party_evaluation"):  # what the report and forms say depends on them
            self.engagement.flag(k)
        self.park.number("area_km2")
        self.provider_name: Optional[str] = _optional_text(self.provider, "name")
        self.fictitious = bool(root.flag("fictitious"))
        self.diagnosis_year = root.need("diagnosis_year", int)
        self.years: list[int] = [int(root["years"].need(i, int)) for i in range(len(root["years"]))]
        if not self.years:
            raise missing_key("$.years[0]")
        cat = root["catalogue"]
        cat.need("categories", list), cat.need("indicators", list)
        self.categories = [{"code": c.need("code", str), "name_zh": c.need("name_zh", str), "name_en": c.need("name_en", str)}
                           for c in cat["categories"]]
        self.meta: dict[int, Node] = {}
        for m in cat["indicators"]:
            m.need("name_zh", str), m.need("name_en", str), m.need("category", str), m.need("kind", str), m["lead"], m["code"]
            m.str("unit", None), m.str("gap_unit_zh", None)  # optional text: a list or object is a typed error, never its repr
            if m["kind"] == "qualitative":  # the lead value is a level id; the levels carry the scores
                m.checked("lead", lambda v: isinstance(v, str), "等级标识或 null (a level id or null)", required=True, nullable=True)
            else:
                m.number("lead", required=True)
            levels = m.get("levels")
            if levels is not None:
                m.need("levels", list)
                for lv in levels:
                    lv.need("id", str), lv.number("score")
            self.meta[int(m.need("number", int))] = m
        cat_order = {c["code"]: i for i, c in enumerate(self.categories)}
        # indicators grouped by category (catalogue order), then catalogue order: the 附件2-1-2 row order
        order = list(self.meta)
        self.indicator_numbers: list[int] = sorted(order, key=lambda n: (cat_order.get(self.meta[n]["category"], 99), order.index(n)))
        self.rows: dict[tuple[int, int], Node] = {}
        for r in root["indicators"]:
            num, year = int(r.need("number", int)), int(r.need("year", int))
            for k in ("value", "level", "unit", "score", "status", "evidence"):
                r[k]
            for k in ("value", "score"):  # null: no value / not scored
                r.number(k, required=True)
            r.need("status", str), r.need("level", (str, type(None))), r.need("evidence", (str, type(None)))
            r.number("lead_gap_abs"), r.number("lead_gap_pct")  # a diagnosis.json older than them has neither
            if num not in self.meta:
                raise ReportError(Problem("diagnosis-inconsistent", f"指标序号 {num} 不在诊断结果的目录中",
                                          f"indicator number {num} is not in the diagnosis's catalogue", location=r.path))
            self.rows[(num, year)] = r
        self.id_to_number = {str(m["id"]): n for n, m in self.meta.items()}
        self.cat_scores = {(str(c.need("category", str)), int(c.integer("year"))): c.number("score") for c in root["category_scores"]}
        self.totals = {int(t.integer("year")): t for t in root["total_scores"]}
        for t in self.totals.values():
            t.number("total", required=True), _optional_text(t, "band_zh"), _optional_text(t, "band_en")
            t.flag("assessable"), t.flag("band_qualified"), t.number("missing_effect"), t.integers("missing_mandatory")
        self.changes: dict[tuple[int, int, int], Node] = {}
        for c in root["changes"]:
            self.changes[(int(c.integer("number")), int(c.integer("from_year")), int(c.integer("to_year")))] = c
            c.checked("assessment", lambda v: isinstance(v, str) and v in ASSESS, "better、worse、same 或 n/a (better, worse, same or n/a)", required=True,
                      nullable=False)
            for k in ("from_value", "to_value", "delta", "score_delta"):
                c.number(k)
        self.score_changes = self._score_changes()
        self.baseline = list(root["baseline"])
        for b in self.baseline:
            b.need("number", int), b.need("text_zh", str), b.need("status", str), b.flag("mandatory")
            if "evidence" in b:
                b.need("evidence", (str, type(None)))
        self.findings = list(root["findings"])
        for f in self.findings:
            f.need("kind", str), f.need("severity", str), f.need("message_zh", str), f.need("message_en", str), f.need("rule_id", str)
            _check_numbers(f, integers=("indicator", "requirement", "year"), numbers=("value", "threshold"))
        self.recommendations = list(root["recommendations"])
        for r in self.recommendations:
            r.need("message_zh", str), r.need("method", str), r["measures"]
            _check_numbers(r, integers=("indicator", "requirement", "year"),
                           numbers=("value", "target", "gap_abs", "gap_pct", "points", "total_points"))
        self.projects = list(root["projects"])
        for p in self.projects:
            p.need("content_zh", str), p.get("expected_effect_zh"), p.get("note")
            p.number("total_investment"), p.number("fixed_investment")
        self.provisional = list(root.get("provisional") or [])
        self.input_notes = list(root.get("input_notes") or [])  # what the data reader noticed (older files: none)
        for n in self.input_notes:
            n.need("message_zh", str), n.need("message_en", str)
        self.baseline_summary = self._baseline_summary()
        # what the report states as method and basis comes from the catalogue and rule base (older files may lack it)
        scoring = cat.need("scoring", (dict, type(None))) if "scoring" in cat else None
        self.score_full = _number_or_none(scoring.number("full")) if isinstance(scoring, Node) else None
        self.score_cap = _number_or_none(scoring.number("cap")) if isinstance(scoring, Node) else None
        # the score of an indicator at its lead value; a diagnosis.json older than `scoring` was made with 100
        self.full = self.score_full if self.score_full is not None else 100.0
        self.documents: list[tuple[str, Optional[str]]] = [
            (str(d.need("title_zh", str)), _optional_text(d, "cite_zh")) for d in (cat.get("documents") or [])]
        constants = root.need("rules_constants", (dict, type(None))) if "rules_constants" in root else None
        self.constants: dict[str, float] = {str(k): float(constants.number(k, nullable=False)) for k in constants.raw} \
            if isinstance(constants, Node) else {}  # the rule base's constants are numbers (older files: none)

    def _score_changes(self) -> dict[tuple[Optional[str], int, int], tuple[Any, Any, Optional[float], tuple[int, ...], Optional[float]]]:
        """(from_score, to_score, delta, data_gaps, delta_without_data_gaps) by (category code, None for the total;
        from year; to year): the diagnosis's score_changes; a diagnosis.json older than them: worked out from the
        category scores and totals, and one older than data_gaps: no data gaps known (its drops stay problems)."""
        node = self.root.get("score_changes")
        if isinstance(node, Node):
            out = {}
            for c in node:
                gaps = tuple(c.integers("data_gaps"))  # a diagnosis.json older than data_gaps: none known
                category = c.checked("category", lambda v: isinstance(v, str), "类别代码或 null (a category code or null)", required=False,
                                    nullable=True)
                out[(category, int(c.integer("from_year")), int(c.integer("to_year")))] = (
                    c.number("from_score"), c.number("to_score"), _number_or_none(c.number("delta")), gaps,
                    _number_or_none(c.number("delta_without_data_gaps")))
            return out
        scores = dict(self.cat_scores)
        scores.update({(None, y): t["total"] if t.get("assessable") is not False else None for y, t in self.totals.items()})
        out = {}
        for key in dict.fromkeys(k for k, _ in scores):
            for a, b in zip(self.years, self.years[1:]):
                sa, sb = scores.get((key, a)), scores.get((key, b))
                both = _number_or_none(sa) is not None and _number_or_none(sb) is not None
                out[(key, a, b)] = (sa, sb, sb - sa if both else None, (), None)
        return out

    def _baseline_summary(self) -> dict[str, list[int]]:
        """baseline_summary from the diagnosis; an older diagnosis.json without it: derived from the baseline rows."""
        keys = ("mandatory_unmet", "mandatory_unknown", "encouraged_unmet")
        node = self.root.get("baseline_summary")
        if isinstance(node, Node):
            node.need("mandatory_unmet", list)  # present: must be well formed
            return {k: sorted(node.integers(k)) for k in keys}
        out: dict[str, list[int]] = {k: [] for k in keys}
        for b in self.baseline:
            status = STATUS_ZH.get(str(b["status"]))
            mandatory = b.get("mandatory", True) is not False
            if status == "不符合":
                out["mandatory_unmet" if mandatory else "encouraged_unmet"].append(int(b["number"]))
            elif status == "未核查" and mandatory:
                out["mandatory_unknown"].append(int(b["number"]))
        return {k: sorted(v) for k, v in out.items()}

    # ------------------------------------------------------------ helpers
    @property
    def provider_label(self) -> str:
        """The provider's name for running text; a park may not have chosen a provider yet."""
        return self.provider_name or UNFILLED

    @property
    def first_year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> int:
        return self.years[-1]

    def category_name(self, code: str) -> str:
        for c in self.categories:
            if c["code"] == code:
                return c["name_zh"]
        return code

    def category_name_en(self, code: str) -> str:
        for c in self.categories:
            if c["code"] == code:
                return c["name_en"]
        return code

    def name(self, number: int) -> str:
        return str(self.meta[number]["name_zh"])

    def unit(self, number: int) -> str:
        u = self.meta[number]["unit"]
        return str(u) if u else "-"

    def level_label(self, number: int, level: Any) -> str:
        if level is None:
            return "—"
        for lv in self.meta[number].get("levels") or []:
            if lv.get("id") == level:
                return str(lv.get("zh") or level)
        return str(level)

    def value_text(self, number: int, year: int) -> str:
        r = self.rows.get((number, year))
        if r is None:
            return "—"
        if r["level"] is not None:
            return self.level_label(number, r["level"])
        return fmt_num(r["value"])

    def lead_gap(self, number: int, year: int) -> tuple[Optional[float], Optional[float]]:
        """(gap_abs, gap_pct) of a value to the lead value, > 0 when short of it: the diagnosis's lead_gap_abs/_pct (from the
        indicator facts); a diagnosis.json older than them: lead − value (value − lead when lower is better)."""
        r = self.rows.get((number, year))
        if r is None:
            return None, None
        if "lead_gap_abs" in r:
            return _number_or_none(r.get("lead_gap_abs")), _number_or_none(r.get("lead_gap_pct"))
        m = self.meta[number]
        lead, value = _number_or_none(m["lead"]), _number_or_none(r["value"])
        if lead is None or value is None or m["kind"] == "qualitative":
            return None, None
        gap = value - lead if m.get("direction") == "lower" else lead - value
        return gap, (gap / abs(lead) * 100 if lead else None)

    def gap_unit(self, number: int) -> str:
        """How a gap reads after its number in running text: 个百分点 for a share, else the unit (catalogue gap_unit_zh;
        an older diagnosis.json: from the unit)."""
        unit = self.meta[number].str("gap_unit_zh", None)  # a list or object in a damaged file: a typed error, not its repr
        if unit is None:
            unit = "个百分点" if self.unit(number).strip() == "%" else self.unit(number)
        return "" if str(unit).strip() == "-" else str(unit).strip()

    def score(self, number: int, year: int) -> Optional[float]:
        r = self.rows.get((number, year))
        return r["score"] if r is not None else None

    def note_text(self, number: int, year: int, explain: bool = False) -> str:
        """The last cell of 附件2-1-2: year 1 证明材料索引 (evidence, then scoring notes);
        later years (`explain`) 评价情况说明 (change from the year before, scoring notes, then the evidence)."""
        r = self.rows.get((number, year))
        if r is None:
            return "未纳入"
        parts = []
        if explain:
            prev = [y for y in self.years if y < year]
            if prev:
                a = self.assessment(number, prev[-1], year)
                c = self.change(number, prev[-1], year)
                if a != "n/a":
                    delta = c.get("delta") if c is not None and self.meta[number]["kind"] != "qualitative" else None
                    parts.append(f"较{prev[-1]}年{ASSESS[a][0]}" + (f"({fmt_signed(delta)})" if isinstance(delta, (int, float)) and delta else ""))
        evidence = str(r["evidence"] or "")
        derived_in_evidence = "推导" in evidence  # derived rows' evidence already says 由统计数据推导:…
        if not explain and evidence:
            parts.append(evidence)
        status = r["status"]
        if status == "missing_optional":
            parts.append("可选指标未填报,不计入平均")
        elif status == "missing_mandatory":
            parts.append("必选指标缺失,按0分计")
        elif status == "undefined":
            parts.append("该年分母未增长,指标无定义,不评分、不计入平均" + (",填报值不采用" if r["value"] is not None else ""))
        if r.get("origin") == "derived" and not derived_in_evidence:
            parts.append("由统计数据推导")
        flags = list(r.get("flags") or [])
        if "capped" in flags:
            parts.append(f"得分封顶{self.score_cap:g}分" if self.score_cap is not None else "得分封顶")
        if "best_nonpositive" in flags:
            parts.append("数值≤0,按最优计")
        if explain and evidence:
            parts.append(evidence if derived_in_evidence else f"证明材料:{evidence}")
        return ";".join(parts)

    def assessment(self, number: int, a: int, b: int) -> str:
        c = self.changes.get((number, a, b))
        return str(c["assessment"]) if c is not None else "n/a"

    def change(self, number: int, a: int, b: int) -> Optional[Node]:
        return self.changes.get((number, a, b))

    def trend(self, number: int) -> tuple[str, str]:
        """How an indicator moved over the years: (key, 中文). "持续向好" only when every year-on-year step is
        better or the same; a mixed path is "总体向好但有波动" (or 变差) by the first and last year."""
        ys = self.years
        if len(ys) < 2:
            return "n/a", "无法比较"
        steps = [self.assessment(number, a, b) for a, b in zip(ys, ys[1:])]
        overall = self.assessment(number, ys[0], ys[-1]) if len(ys) > 2 else steps[0]
        many = len(steps) > 1
        if "n/a" in steps:
            if overall == "n/a":  # first or last year without data: the years that can be compared, if they agree
                seen = {s for s in steps if s != "n/a"}
                overall = ("same" if seen == {"same"} else "better" if seen <= {"better", "same"} else
                           "worse" if seen <= {"worse", "same"} else "n/a") if seen else "n/a"
            if overall == "n/a":
                return "n/a", "无法比较"
            return f"partial_{overall}", ASSESS[overall][0] + "(部分年份无法比较)"
        if all(s == "same" for s in steps):
            return "same", "持平"
        if all(s in ("better", "same") for s in steps):
            return "steady_better", "持续向好" if many else "向好"
        if all(s in ("worse", "same") for s in steps):
            return "steady_worse", "持续变差" if many else "变差"
        label = {"better": "总体向好但有波动", "worse": "总体变差但有波动", "same": "有波动,首末年持平"}.get(overall, "有波动")
        return f"mixed_{overall}", label

    def band_note(self) -> str:
        """Why a band is only indicative: 基础性要求第4项未满足、第5项未核查."""
        bs = self.baseline_summary
        parts = []
        if bs["mandatory_unmet"]:
            parts.append(numbers_text(bs["mandatory_unmet"]) + "未满足")
        if bs["mandatory_unknown"]:
            parts.append(numbers_text(bs["mandatory_unknown"]) + "未核查")
        return ("基础性要求" + "、".join(parts)) if parts else "基础性要求未全部满足"

    def band_text(self, total: Optional[Node], lang: str = "zh") -> str:
        """The band as printed everywhere: 优秀, or 优秀(基础性要求第4项未满足,评级仅供参考) when band_qualified is false.
        A diagnosis without band_qualified (older diagnosis.json) counts as qualified."""
        if total is None:
            return "—"
        band = total.get("band_zh") or "—"
        if lang == "bilingual" and total.get("band_en"):
            band += f" ({total.get('band_en')})"
        if total.get("band_qualified") is False and band != "—":
            band += f"({self.band_note()},评级仅供参考)"
            if lang == "bilingual":
                band += f" ({self.band_note_en()}; the band is indicative only)"
        return band

    def band_note_en(self) -> str:
        """band_note in English: baseline requirement 4 not met, 5 not checked."""
        bs = self.baseline_summary
        parts = [f"{', '.join(map(str, nums))} {what}" for nums, what in
                 ((bs["mandatory_unmet"], "not met"), (bs["mandatory_unknown"], "not checked")) if nums]
        return ("baseline requirement " + "; ".join(parts)) if parts else "not every baseline requirement is met"

    def lead_text(self, number: int) -> str:
        m = self.meta[number]
        lead = m["lead"]
        if m["kind"] == "qualitative":
            return self.level_label(number, lead)
        return fmt_num(lead)

    def subject_name(self, subject: str) -> str:
        n = self.id_to_number.get(subject)
        return f"{n} {self.name(n)}" if n is not None else subject

    def report_date(self) -> Optional[dt.date]:
        """The date the report carries: submitted, else the end of on-site work; None if the diagnosis has neither."""
        for key in ("report_submitted", "onsite_end", "work_started"):
            d = parse_date(self.engagement.get(key))
            if d:
                return d
        return None

    def fixed_datetime(self) -> dt.datetime:
        """Core-properties date of the .docx: from the diagnosis, never now()."""
        d = self.report_date() or dt.date(int(self.diagnosis_year), 1, 1)
        return dt.datetime(d.year, d.month, d.day, 0, 0, 0, tzinfo=dt.timezone.utc)

    def problems(self) -> list[Node]:
        return [f for f in self.findings if f["kind"] != "recommendation"]

    def latest_year(self) -> int:
        """The last year that can be assessed (a year without any data is skipped)."""
        for y in reversed(self.years):
            t = self.totals.get(y)
            if t is None or t.get("assessable") is not False:
                return y
        return self.last_year

    def person_name(self, node: Node, key: str) -> Optional[str]:
        p = node.get(key)
        return _optional_text(p, "name") if isinstance(p, Node) else None


def _check_numbers(node: Node, *, integers: tuple[str, ...] = (), numbers: tuple[str, ...] = ()) -> None:
    """Optional fields of a finding or recommendation: integers (indicator, year) and numbers, each null when not given."""
    for k in integers:
        node.integer(k, required=False, nullable=True)
    for k in numbers:
        node.number(k)


def _number_or_none(v: Any) -> Optional[float]:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
