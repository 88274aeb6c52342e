"""Read a diagnosis dict (Diagnosis.to_dict() or a saved diagnosis.json) safely for the report writers.

`check_shape` checks, before anything is rendered, that the dict holds only what a JSON file written by greendiag
can, then every object, list and scalar the writers read against catalogue/schemas/diagnosis.schema.json (published
for other tools too): a key missing, null where an object belongs, text where a number belongs is a ReportError
listing every such problem with its JSON path ($.findings[3]), never an exception inside a writer. Read from a file,
the same problems name the file and are DiagnosisFileError (the input is damaged, not the output). `Node` wraps the
checked dict (a path for each value); `ReportData` derives the views every format shares.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import re
from typing import Any, Iterator, Optional

import attrs

from .._round import difference_text, half_up, score_text, significant, value_text
from ..errors import DiagnosisFileError, InputFileError, Problem, ReportError
from ..zhnotation import date_zh

FORMAT = "greendiag-diagnosis/1"

# the codes of problems with a diagnosis's content (as opposed to writing the report)
CONTENT_CODES = frozenset({"diagnosis-missing-key", "diagnosis-bad-type", "diagnosis-format", "diagnosis-inconsistent"})


_UNPRINTABLE = re.compile("[\x7f\ud800-\udfff\ufffe\uffff]")  # what json.dumps(ensure_ascii=False) leaves unescaped


def shown_text(text: str, limit: int = 40) -> str:
    """Text quoted for a message, cut at `limit` characters; control characters and lone surrogates escaped ("a\\u000bb"),
    so that the message itself can always be printed and written."""
    quoted = json.dumps(text if len(text) <= limit else text[:limit] + "…", ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _got(value: Any) -> tuple[str, str]:
    """What a wrong value is, for the message (Chinese, English): null, true, 2022.5, 文本 "abc", 列表, 对象 (a JSON
    word after Chinese text gets a space)."""
    if value is None or isinstance(value, (bool, int, float)):
        shown = repr(value) if isinstance(value, float) and not math.isfinite(value) else json.dumps(value) \
            if not isinstance(value, int) or abs(value) < 10 ** 20 else f"{str(value)[:12]}…"
        return " " + shown, shown
    if isinstance(value, str):
        return f"文本 {shown_text(value)}", f"text {shown_text(value)}"
    if isinstance(value, list):
        return "列表", "a list"
    if isinstance(value, dict):
        return "对象", "an object"
    return type(value).__name__, type(value).__name__


def missing_key(path: str) -> ReportError:
    return ReportError(Problem("diagnosis-missing-key", f"诊断结果缺少字段 {path}", f"the diagnosis lacks the key {path}",
                               location=path, fix_zh="用 greendiag diagnose 重新生成 diagnosis.json,不要手工删改字段",
                               fix_en="regenerate diagnosis.json with `greendiag diagnose`; do not edit its keys by hand"))


def inconsistent(path: str, message_zh: str, message_en: str) -> ReportError:
    """The diagnosis contradicts itself (a row of an indicator its catalogue lacks): written by hand, not by greendiag."""
    return ReportError(Problem("diagnosis-inconsistent", message_zh, message_en, location=path,
                               fix_zh="用 greendiag diagnose 重新生成 diagnosis.json,不要手工改动",
                               fix_en="regenerate diagnosis.json with `greendiag diagnose`; do not edit it by hand"))


def _bad(path: str, expected: str, value: Any) -> Problem:
    """`expected` is "中文 (English)", or one word for both (int)."""
    got_zh, got_en = _got(value)
    both = re.fullmatch(r"(.+?) \((.+)\)", expected)
    zh, en = both.groups() if both else (expected, expected)
    return Problem("diagnosis-bad-type", f"诊断结果中的 {path} 应为{' ' if zh[:1].isascii() else ''}{zh},实为{got_zh}", f"{path} in the diagnosis should be {en}, not {got_en}",
                   location=path, fix_zh="用 greendiag diagnose 重新生成 diagnosis.json,不要手工改动",
                   fix_en="regenerate diagnosis.json with `greendiag diagnose`; do not edit it by hand")


def bad_type(path: str, expected: str, value: Any) -> ReportError:
    return ReportError(_bad(path, expected, value))


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
    """`sig` significant digits, half up, never scientific notation for ordinary numbers: 2.84, 0.1682, 0.05467, 12346
    — the same text as a message's {x:.4g} field (_round.significant), so one gap is not printed two ways."""
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
    return significant(x, sig)


def fmt_score(x: Any, thresholds: tuple = ()) -> str:
    """A score with one decimal, half up (四舍五入), or more where one would cross a threshold (_round.score_text)."""
    return "—" if x is None or isinstance(x, bool) or not isinstance(x, (int, float)) else score_text(float(x), thresholds)


_ATTACHED_UNITS = ("%", "‰", "个百分点")  # written right after the number: 12.6%, 2.4个百分点


def after_number(unit: Any) -> str:
    """A unit as it follows a number in report text, as the rule messages write it (facts.unit_after): "%" and
    个百分点 right after it (12.6%), any other unit after one space (3.163 万元/tce), nothing when dimensionless ("", "-")."""
    u = "" if unit is None else str(unit).strip()
    if u in ("", "-"):
        return ""
    return u if u in _ATTACHED_UNITS else f" {u}"


def fmt_points(x: float, places: int = 1) -> str:
    """Score points with `places` decimals, half up, and 分: "16.0分"; a gain that would print as zero is "不足0.1分"
    (不足0.01分 at two places), so the report never promises 0.0 points for a non-zero amount."""
    text = half_up(abs(x), f".{places}f")
    if x and float(text) == 0:
        return f"不足{half_up(10 ** -places, f'.{places}f')}分"
    return half_up(x, f".{places}f") + "分"


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
    return date_zh(d)


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


from ..summary import SEVERITY_ZH, to_verify  # noqa: E402,F401  (one map for the terminal and the reports; content.py uses it)
KIND_ZH = {"compliance": "合规性", "anomaly": "数据异常", "recommendation": "建议"}
ASSESS = {"better": ("向好", "↑"), "worse": ("变差", "↓"), "same": ("持平", "→"), "n/a": ("无法比较", "—")}
METHOD_ZH = {"standard_comparison": "标准比对法", "advanced_benchmark": "先进对照法", "problem_entry": "问题切入法",
             "expert_experience": "专家经验法"}
STATUS_ZH = {"met": "符合", "符合": "符合", "not_met": "不符合", "不符合": "不符合", "unknown": "未核查", "未知": "未核查"}


# ---------------------------------------------------------------- the shape of a diagnosis, checked up front
#
# Every object, list and scalar the report writers (content, markdown, html, docx_report, forms, charts) read from a
# diagnosis is described by catalogue/schemas/diagnosis.schema.json (published for other tools too) and checked in one
# pass before anything is rendered: null where an object belongs, text where a list belongs, a key removed, each is a
# located diagnosis-* problem (all of them at once), never an exception inside a writer. Keys no writer reads
# (rules_sha256, as_of, …) are left alone; the newer keys (score_changes, lead_gap_*, head_* …) are optional, as
# diagnosis.json files of older versions lack them (docs/diagnosis-json.md).

SCHEMA = "diagnosis.schema.json"

# a JSON type as a message names it (中文, English)
_TYPE_NAMES = {"string": ("文本", "text"), "number": ("数值", "a number"), "integer": ("整数", "an integer"),
               "boolean": ("true 或 false", "true or false"), "array": ("列表", "a list"), "object": ("对象", "an object"),
               "null": (" null", "null")}


@functools.cache
def _validator():
    """The validator of diagnosis.schema.json, where an integer is a Python int: JSON Schema counts 2022.0 as an
    integer, but a report would print "2022.0年" (greendiag never writes one)."""
    import jsonschema

    from .. import schema

    base = schema.validator(SCHEMA)  # the schema, checked against the metaschema
    strict = base.TYPE_CHECKER.redefine("integer", lambda _, v: _is_integer(v))
    return jsonschema.validators.extend(type(base), type_checker=strict)(base.schema)


def _fast_valid(data: Any) -> bool:
    """Whether the diagnosis meets the schema, by the compiled check (schema.fast_check, integers strict as in
    _validator): a valid diagnosis, the usual case, is not walked by jsonschema (2 ms instead of 20)."""
    from .. import schema

    check = schema.fast_check(SCHEMA, strict_integers=True)
    try:
        return check is not None and check(data)
    except Exception:  # noqa: BLE001 - any doubt goes to jsonschema, which words the problems
        return False


def _expected(s: dict) -> tuple[str, str]:
    """What the subschema `s` asks for (中文, English): one of its values, a year in its bounds, or one of its types."""
    if "enum" in s or "const" in s:
        *words, last = [str(w) for w in s.get("enum", [s.get("const")])]
        return (f"{'、'.join(words)} 或 {last}", f"{', '.join(words)} or {last}") if words else (last, last)
    if "minimum" in s and "maximum" in s:  # only the years have bounds
        return f"{s['minimum']}—{s['maximum']} 之间的整数年份", f"a year from {s['minimum']} to {s['maximum']}"
    names = [_TYPE_NAMES[t] for t in (s["type"] if isinstance(s["type"], list) else [s["type"]])]
    return "或".join(zh for zh, _ in names).strip(), " or ".join(en for _, en in names)


def _condition(err) -> tuple[str, str]:
    """The `if` of the then/else branch an error comes from, as its message says it: ("(kind 为 "qualitative" 时)",
    ' when kind is "qualitative"'), or ("", "")."""
    root = node = _validator().schema
    for step in err.absolute_schema_path:
        while step not in node:  # jsonschema leaves a $ref (#/$defs/…) out of the path
            node = functools.reduce(dict.__getitem__, node["$ref"][2:].split("/"), root)
        if step in ("then", "else"):
            ((key, sub),) = node["if"]["properties"].items()
            value, holds = json.dumps(sub["const"], ensure_ascii=False), step == "then"
            return f"({key} {'为' if holds else '不为'} {value} 时)", f" when {key} is {'' if holds else 'not '}{value}"
        node = node[step]
    return "", ""


def _schema_problems(err) -> list[Problem]:
    """The problems one jsonschema error stands for: each key a `required` lacks, or the value of the wrong type."""
    path = "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in err.absolute_path)
    if err.validator == "required":
        return [missing_key(f"{path}.{k}").problems[0] for k in err.validator_value if k not in err.instance]
    (zh, en), (when_zh, when_en) = _expected(err.schema), _condition(err)
    return [_bad(path, f"{zh}{when_zh} ({en}{when_en})", err.instance)]


def _json_problems(data: Any) -> list[Problem]:
    """Values no diagnosis greendiag writes can hold (a dict built in Python or edited by hand): a date, a set, NaN or
    ±Infinity, an integer too large for a float, a key that is not text; text with a control character (the dataset
    refuses them: XML, hence a Word report, cannot hold them) or a lone surrogate (\\ud800: no UTF-8 file can)."""
    from ..dataset import CONTROL_CHARACTERS

    out: list[Problem] = []
    stack: list[tuple[Any, str]] = [(data, "$")]
    while stack:  # depth first, in document order
        v, path = stack.pop()
        if isinstance(v, dict):
            items = []
            for k, x in v.items():
                if isinstance(k, str):
                    items.append((x, f"{path}.{k}"))
                else:
                    out.append(_bad(f"{path}[{k!r}]", "以文本为键 (keyed by text)", k))
            stack.extend(reversed(items))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed([(x, f"{path}[{i}]") for i, x in enumerate(v)]))
        elif isinstance(v, str):
            if CONTROL_CHARACTERS.search(v):
                out.append(_bad(path, "不含控制字符的文本 (text without control characters)", v))
            elif _SURROGATE.search(v):
                out.append(_bad(path, "不含单独代理项的有效 Unicode 文本 (valid Unicode text, without a lone surrogate)", v))
        elif not (v is None or isinstance(v, bool) or (_is_number(v) and _finite(v))):
            out.append(_bad(path, "JSON 值:文本、有限数值、true/false、null、列表或对象 "
                                  "(a JSON value: text, a finite number, true/false, null, a list or an object)", v))
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(x)
    except OverflowError:  # an int beyond a float's range (10**400)
        return False


def check_shape(data: dict) -> None:
    """Every problem with the shape of a diagnosis dict at once, as one ReportError; nothing when the writers can read it."""
    problems = _json_problems(data)  # first: the schema takes NaN for a number, and leaves unlisted keys alone
    if not problems and not _fast_valid(data):
        # an error per missing key, each naming all of the object's: dict.fromkeys keeps one of each
        problems = list(dict.fromkeys(p for err in _validator().iter_errors(data) for p in _schema_problems(err)))
    if problems:
        raise ReportError(problems)


class ReportData:
    """The views of one diagnosis dict that every report format shares (built once, after check_shape)."""

    def score_text(self, x: Any) -> str:
        """A score as the report prints it: one decimal, more where one would round across a band or the full mark."""
        return fmt_score(x, self.thresholds)

    def __init__(self, data: dict):
        if not isinstance(data, dict):
            raise bad_type("$", "对象 (an object)", data)
        root = Node(data)
        root["format"]  # first: another kind of file (a dataset) is named as such, not by its first missing key
        fmt = data["format"]
        if fmt != FORMAT:
            zh, en = (shown_text(fmt),) * 2 if isinstance(fmt, str) else (x.strip() for x in _got(fmt))
            raise ReportError(Problem("diagnosis-format", f"不支持的诊断结果格式 {zh}(应为 {FORMAT})",
                                      f"unsupported diagnosis format {en} (expected {FORMAT})", location="$.format",
                                      fix_zh="给出 greendiag diagnose --out 写出的 diagnosis.json",
                                      fix_en="give the diagnosis.json that `greendiag diagnose --out` writes"))
        check_shape(data)  # from here on, every value the writers read has its documented type
        self.root = root
        self.park = root["park"]
        self.park_name: str = root["park"]["name"]
        self.engagement = root["engagement"]
        self.provider = self.engagement["provider"]
        self.provider_name: Optional[str] = _optional_text(self.provider, "name")
        self.fictitious = bool(root.get("fictitious"))
        self.diagnosis_year: int = data["diagnosis_year"]
        self.years: list[int] = list(data["years"])
        if not self.years:
            raise missing_key("$.years[0]")
        cat = root["catalogue"]
        self.categories = [{"code": c["code"], "name_zh": c["name_zh"], "name_en": c["name_en"]} for c in cat["categories"]]
        self.meta: dict[int, Node] = {m["number"]: m for m in cat["indicators"]}
        cat_order = {c["code"]: i for i, c in enumerate(self.categories)}
        # indicators grouped by category (catalogue order), then catalogue order: the 附件2-1-2 row order
        order = list(self.meta)
        self.indicator_numbers: list[int] = sorted(order, key=lambda n: (cat_order.get(self.meta[n]["category"], 99), order.index(n)))
        self.rows: dict[tuple[int, int], Node] = {}
        for r in root["indicators"]:
            if r["number"] not in self.meta:
                raise inconsistent(r.path, f"指标序号 {r['number']} 不在诊断结果的目录中",
                                   f"indicator number {r['number']} is not in the diagnosis's catalogue")
            self.rows[(r["number"], r["year"])] = r
        self.id_to_number = {m["id"]: n for n, m in self.meta.items()}
        self.cat_scores = {(c["category"], c["year"]): c.get("score") for c in root["category_scores"]}
        self.totals = {t["year"]: t for t in root["total_scores"]}
        # an overlay's added indicators (专项诊断): the report grades by the guide's indicators alone (general_total)
        self.added_numbers: list[int] = [n for n in self.indicator_numbers if self.added(self.meta[n])]
        self.guide_first = bool(self.added_numbers) and any("general_total" in t for t in self.totals.values())
        self.general_cat_scores = {(c["category"], c["year"]): c.get("general_score") for c in root["category_scores"]}
        self.changes: dict[tuple[int, int, int], Node] = {(c["number"], c["from_year"], c["to_year"]): c for c in root["changes"]}
        self.score_changes = self._score_changes()
        self.general_changes = self._general_changes()  # the guide's like-for-like changes (see general_change)
        self.baseline = list(root["baseline"])
        self.findings = list(root["findings"])
        self.recommendations = list(root["recommendations"])
        self.projects = list(root["projects"])
        self.provisional = list(root.get("provisional") or [])
        self.input_notes = list(root.get("input_notes") or [])  # what the data reader noticed (older files: none)
        self.rule_notes = list(root.get("rule_notes") or [])  # built-in rules an overlay made inapplicable
        demo = root.get("demonstration_work")  # the 四(三)3 check (older files: none, read as not recorded)
        self.demonstration_recorded = bool(demo is not None and demo["recorded"])
        self.demonstration = list(demo["items"]) if demo is not None else []
        self.baseline_summary = self._baseline_summary()
        self._shown: dict[tuple[int, int], str] = {}  # shown_value, worked out once per value
        self._verify: dict[int, list[int]] = {}  # to_verify, once per year
        # what the report states as method and basis comes from the catalogue and rule base (older files may lack it)
        scoring = cat.get("scoring")
        self.score_full = _number_or_none(scoring.get("full")) if scoring is not None else None
        self.score_cap = _number_or_none(scoring.get("cap")) if scoring is not None else None
        # the score of an indicator at its lead value; a diagnosis.json older than `scoring` was made with 100
        self.full = self.score_full if self.score_full is not None else 100.0
        bands = scoring.get("bands") if scoring is not None else None
        # where a printed score must not round across: the full mark (lead reached) and each band's minimum
        self.thresholds: tuple[float, ...] = tuple(sorted({self.full, *(float(b["min"]) for b in bands or ())}))
        self.documents: list[tuple[str, Optional[str]]] = [(d["title_zh"], _optional_text(d, "cite_zh")) for d in (cat.get("documents") or [])]
        constants = root.get("rules_constants")  # the rule base's constants (older files: none)
        self.constants: dict[str, float] = {k: float(v) for k, v in constants.raw.items()} if constants is not None else {}

    def _score_changes(self) -> dict[tuple[Optional[str], int, int], tuple[Any, Any, Optional[float], tuple[int, ...], Optional[float]]]:
        """(from_score, to_score, delta, data_gaps, delta_without_data_gaps) by (category code, None for the total;
        from year; to year): the diagnosis's score_changes; a diagnosis.json older than them: worked out from the
        category scores and totals, and one older than data_gaps: no data gaps known (its drops stay problems)."""
        node = self.root.get("score_changes")
        if node is not None:
            out = {}
            for c in node:
                gaps = tuple(c.get("data_gaps") or ())  # a diagnosis.json older than data_gaps: none known
                out[(c.get("category"), c["from_year"], c["to_year"])] = (
                    c.get("from_score"), c.get("to_score"), _number_or_none(c.get("delta")), gaps,
                    _number_or_none(c.get("delta_without_data_gaps")))
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

    def general_change(self, category: Optional[str], a: int, b: int) -> tuple[Any, Any, Optional[float], tuple[int, ...], Optional[float]]:
        """(from score, to score, delta, data gaps, like-for-like delta) of the guide's score (category code, None for
        the total; general_score / general_total) between years a and b: the diagnosis's score_changes general_*; a
        diagnosis.json older than them (general_data_gaps absent or null), or a pair it has no change for: worked out
        here (_old_general_change)."""
        c = self.general_changes.get((category, a, b))
        return c if c is not None else self._old_general_change(category, a, b)

    def _general_changes(self) -> dict[tuple[Optional[str], int, int], tuple[Any, Any, Optional[float], tuple[int, ...], Optional[float]]]:
        """general_change's figures by (category, from year, to year), from the score_changes entries that carry them."""
        out = {}
        for c in self.root.get("score_changes") or ():
            gaps = c.get("general_data_gaps")
            if gaps is None:  # no overlay adds indicators, or a diagnosis.json older than the general_* keys
                continue
            out[(c.get("category"), c["from_year"], c["to_year"])] = (
                c.get("general_from_score"), c.get("general_to_score"), _number_or_none(c.get("general_delta")), tuple(gaps),
                _number_or_none(c.get("general_delta_without_data_gaps")))
        return out

    def _old_general_change(self, category: Optional[str], a: int, b: int) -> tuple[Any, Any, Optional[float], tuple[int, ...], Optional[float]]:
        """general_change for a diagnosis.json without the general_* keys: the guide's scores from general_score /
        general_total, the data gaps among the guide's indicators, and the like-for-like change as scoring works it out
        (the mean over the indicators counted in both years), given only where that mean reproduces those scores."""
        change = self.score_changes.get((category, a, b))

        def guide_score(y: int):
            if category is not None:
                return self.general_cat_scores.get((category, y))
            t = self.totals.get(y)
            return None if t is None or t.get("assessable") is False else t.get("general_total")

        sa, sb = guide_score(a), guide_score(b)
        delta = sb - sa if _is_number(sa) and _is_number(sb) else None
        gaps = tuple(n for n in (change[3] if change is not None else ()) if n not in self.added_numbers)
        rest = None
        if gaps and delta is not None:
            kept = [n for n in self.indicator_numbers if n not in self.added_numbers
                    and (category is None or self.meta[n]["category"] == category)]

            def mean(year: int, left_out: tuple[int, ...]):
                scores = [self.score(n, year) for n in kept if n not in left_out and _is_number(self.score(n, year))]
                return sum(scores) / len(scores) if scores else None

            same = all(_is_number(mean(y, ())) and abs(mean(y, ()) - s) <= 1e-9 * max(1.0, abs(s)) for y, s in ((a, sa), (b, sb)))
            ma, mb = mean(a, gaps), mean(b, gaps)
            rest = mb - ma if same and ma is not None and mb is not None else None
        return (sa, sb, delta, gaps, rest)

    def _baseline_summary(self) -> dict[str, list[int]]:
        """baseline_summary from the diagnosis; an older diagnosis.json without it: derived from the baseline rows."""
        keys = ("mandatory_unmet", "mandatory_unknown", "encouraged_unmet")
        node = self.root.get("baseline_summary")
        if node is not None:
            return {k: sorted(node.get(k) or ()) for k in keys}
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
        """A value as every part of the report prints it (sentences, 表2, 附件2-1-2, the charts): a level's label, or the
        number as it reads beside its lead and reference gaps (shown_value), so a table never says 79.23 where a
        sentence says 79.235; "—" for none."""
        r = self.rows.get((number, year))
        if r is None:
            return "—"
        if r["level"] is not None:
            return self.level_label(number, r["level"])
        return self.shown_value(number, year)

    def shown_value(self, number: int, year: int) -> str:
        """The number as the report's sentences print it beside the gaps they print (the latest year's problems and the
        recommendations): as the rules print it (_round.value_text), four significant digits, more where four would
        equal a target or disagree with a printed gap (79.235 beside the lead 80 and its gap 0.765). The gaps are the
        lead's when short of it and the recommendations' on that year's value; a year no sentence prints with a gap
        keeps four significant digits."""
        key = (number, year)
        if key not in self._shown:
            value = self.rows[key]["value"]
            recs = [(c["target"], c["gap_abs"]) for c in self.recommendations
                    if c.get("indicator") == number and c.get("year") in (None, year)
                    and _is_number(c.get("target")) and _is_number(c.get("gap_abs"))]
            if not _is_number(value) or (year != self.latest_year() and not recs):
                self._shown[key] = fmt_num(value)
            else:
                lead, gap = self.meta[number]["lead"], self.lead_gap(number, year)[0]
                short = _is_number(lead) and _is_number(gap) and gap > 0  # a gap the sentence prints (content._lead_gap)
                higher = str(self.meta[number].get("direction")) != "lower"
                self._shown[key] = value_text(value, tuple(([(lead, gap)] if short else []) + recs), higher=higher,
                                              others=(lead,) if _is_number(lead) else ())
        return self._shown[key]

    def gap_text(self, number: int, year: int, gap: float, target: float) -> str:
        """A gap to a target (lead or reference value, gap > 0 when short of it) as a sentence prints it beside the value
        (shown_value) and the target ({fmt_num}): as the rules print it ({gap_text}, facts.gap_text), four significant
        digits where target − value as printed gives them, else that difference of the printed numbers (1786 − 1604:
        182, not 181.4)."""
        value = (self.shown_value(number, year), self.rows[(number, year)]["value"])
        shown = (fmt_num(target), target)
        lower = str(self.meta[number].get("direction")) == "lower"
        return difference_text(gap, value, shown) if lower else difference_text(gap, shown, value)

    def change_text(self, number: int, a: int, b: int, delta: Any) -> str:
        """The change of a value from year a to year b as a table or note prints it beside both values (value_text): signed,
        four significant digits where the printed b − a gives them, else that difference of the printed numbers (1352 →
        1604: +252, not +252.6); "—" for none."""
        if not _is_number(delta) or delta == 0:
            return fmt_signed(delta)
        va, vb = ((self.rows.get((number, y)) or {}).get("value") for y in (a, b))
        if not (_is_number(va) and _is_number(vb)):
            return fmt_signed(delta)
        text = difference_text(delta, (self.value_text(number, b), vb), (self.value_text(number, a), va), "+.4g")
        return text if text.startswith(("+", "-")) or text == "0" else "+" + text

    def to_verify(self, year: int) -> list[int]:
        """Indicators scored in `year` on data an anomaly check of high or medium severity asks to verify (a value
        10,000 times the derived one, above the plausible maximum, a share read as a fraction…): 待核实 wherever the
        report shows or draws that value, and the year's total waits on them."""
        if year not in self._verify:
            found = ((f["kind"], str(f["severity"]), f.get("year"), f.get("indicator") if _is_number(f.get("indicator")) else None)
                     for f in self.findings)
            self._verify[year] = to_verify(found, year, lambda n: n in self.meta
                                           and (self.rows.get((n, year)) or {}).get("status") == "scored")
        return self._verify[year]

    def doubtful(self, number: int, year: int) -> bool:
        """Whether the value of `number` in `year` is to be verified (to_verify): the report marks it 待核实."""
        return number in self.to_verify(year)

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
                    shown = self.change_text(number, prev[-1], year, delta) if isinstance(delta, (int, float)) and delta else ""
                    parts.append(f"较{prev[-1]}年{ASSESS[a][0]}" + (f"({shown})" if shown else ""))
        evidence = str(r["evidence"] or "")
        derived_in_evidence = "推导" in evidence  # derived rows' evidence already says 由统计数据推导:…
        if not explain and evidence:
            parts.append(evidence)
        status = r["status"]
        total = self.totals.get(year)
        if total is not None and total.get("assessable") is False and status in ("missing_optional", "missing_mandatory"):
            parts.append("该年无数据,不可评分")
        elif status == "missing_optional":
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

    def added(self, item: Node) -> bool:
        """Whether an overlay added this indicator or requirement (one it replaced with override: true is not added)."""
        return item.get("origin") not in (None, "", self.root.str("catalogue_id")) and not item.get("replaces")

    def main_total(self, total: Optional[Node]) -> Any:
        """The total the report grades by: the guide's (general_total) when an overlay adds indicators, else the total."""
        if total is None:
            return None
        return total.get("general_total") if self.guide_first else total.get("total")

    def band_text(self, total: Optional[Node], lang: str = "zh", general: Optional[bool] = None) -> str:
        """The band as printed everywhere: 优秀, or 优秀(基础性要求第4项未满足,评级仅供参考) when band_qualified is false.
        `general`: the band of the guide's total (general_band_*); by default whenever the report grades by it.
        A diagnosis without band_qualified (older diagnosis.json) counts as qualified."""
        if total is None:
            return "—"
        prefix = "general_" if (self.guide_first if general is None else general) else ""
        band = total.get(prefix + "band_zh") or "—"
        if lang == "bilingual" and total.get(prefix + "band_en"):
            band += f" ({total.get(prefix + 'band_en')})"
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

    def subject_label(self, subject: str) -> str:
        """What a recommendation or project addresses, as the report names it: "基础性要求第4项" (req-4) or "2 <name>"."""
        m = re.fullmatch(r"(?:req-|基础性要求)(\d+)", subject)
        return f"基础性要求第{m.group(1)}项" if m else self.subject_name(subject)

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


def _number_or_none(v: Any) -> Optional[float]:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
