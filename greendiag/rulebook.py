"""The rule base as data: loading rule files, checking them, compiling them to the engine IR, running their tests."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import string
import stat
from importlib import resources
from typing import Any, Optional

import attrs

from . import schema
from ._round import general, half_up
from .engine import Cond, Rule, RuleSet, evaluate
from .errors import EngineError, Problem, RuleError
from .models import Catalogue, Measure, Provenance, Source
from .yamlio import Document, json_path, parse_text, read_document

DATA_PACKAGE = "greendiag._data_rules"
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_PLACEHOLDER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEAD_SEP = {"zh": ",", "en": ", "}  # between a message's head and its clause


@attrs.frozen
class Constant:
    name: str
    value: float
    provenance: Provenance


@attrs.frozen
class Terms:
    """A named keyword list used when facts are prepared (e.g. the specialities the guide counts as related)."""

    name: str
    values: tuple[str, ...]
    provenance: Provenance


@attrs.frozen
class CondSpec:
    field: str
    op: str
    value: float | str | None = None
    other: Optional[str] = None
    const: Optional[str] = None  # the name, kept for explanations; value holds the resolved number


@attrs.frozen
class RuleTest:
    fact: tuple[tuple[str, Any], ...]
    fires: bool


@attrs.frozen
class RuleSpec:
    id: str
    kind: str
    method: Optional[str]
    fact: str
    when: tuple[CondSpec, ...]
    severity: str
    subject: str
    indicator: Optional[str]
    threshold: Optional[tuple[str, Any]]  # ("field", name) | ("const", value) | ("value", number)
    threshold_name: Optional[str]
    message_zh: str
    message_en: str
    source: Source
    tests: tuple[RuleTest, ...]
    file: str
    report: str = "note"  # where a report lists it: note | problem | per_indicator (rule data, not rule ids in code)
    # a message written in two parts (head_zh + clause_zh …): the subject ("“2 可再生能源使用比例”2024年为 12.6 %") and what
    # is said of it; message_zh/_en are then head + HEAD_SEP + clause. Reports merge candidates on one subject by the head.
    head_zh: Optional[str] = None
    head_en: Optional[str] = None
    clause_zh: Optional[str] = None
    clause_en: Optional[str] = None


@attrs.frozen(slots=False)
class RuleBase:
    """The rules of a diagnosis (the packaged files plus any extra rule files), compiled for the engine, with their
    constants, measures (the packaged library, an overlay's measures, an extra file's) and term lists; `sha256`
    identifies the content and is recorded in every diagnosis."""

    id: str
    version: str
    catalogue: str
    title_zh: str
    title_en: str
    rules: tuple[RuleSpec, ...]
    constants: tuple[Constant, ...]
    measures: tuple[Measure, ...]
    compiled: RuleSet = attrs.field(repr=False)
    sha256: str
    extensions: tuple[tuple[str, str], ...] = ()  # extra rule files: (file name, sha256 of its bytes)
    terms: tuple[Terms, ...] = ()
    checked_with: str = ""  # the catalogue (label) extra rule files were checked against; "" for the packaged rules alone
    checked_catalogue: Optional[Catalogue] = attrs.field(default=None, eq=False, repr=False)  # and the catalogue itself
    # built-in rules that do not apply under the catalogue they were loaded with (an overlay changed the kind of an
    # indicator they read: rule-indicator-kind); not errors, but to be shown (the CLI prints them)
    notes: tuple[Problem, ...] = attrs.field(default=(), eq=False, repr=False)

    @functools.cached_property
    def _by_id(self) -> dict[str, RuleSpec]:
        return {r.id: r for r in self.rules}

    def rule(self, rule_id: str) -> RuleSpec:
        return self._by_id[rule_id]

    def term_lists(self) -> dict[str, tuple[str, ...]]:
        """Keyword lists by name, for greendiag.facts."""
        return {t.name: t.values for t in self.terms}

    def measures_for(self, indicator: Optional[str] = None, requirement: Optional[int] = None) -> tuple[Measure, ...]:
        return tuple(m for m in self.measures if (indicator and indicator in m.indicators) or (requirement and requirement in m.requirements))


def _file_sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def packaged_rule_file(path: str | os.PathLike) -> Optional[str]:
    """The name of the packaged rule-base file `path` is a byte-identical copy of (so it is already loaded), else None."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a named pipe would block here; reading it properly refuses it
            return None
        with open(path, "rb") as fh:
            data = fh.read(1 << 22)
    except (OSError, ValueError):
        return None  # reading it properly reports the problem
    root = resources.files(DATA_PACKAGE)
    for item in sorted(root.iterdir(), key=lambda x: x.name):
        if item.name.endswith(".yaml") and item.read_bytes() == data:
            return item.name
    return None


def _not_a_rule_file(doc: Document) -> Optional[Problem]:
    """A manifest or an overlay given where a rule file belongs gets a clear message, not schema noise."""
    if isinstance(doc.data, dict) and "rulebase" in doc.data and "rules" not in doc.data:
        return Problem("not-a-rule-file", "这是规则库清单,不是规则文件", "this is a rule-base manifest, not a rule file", file=doc.path,
                       fix_zh="只传入含 rules: 或 measures: 的规则文件", fix_en="pass only rule files (with a rules: or measures: list)")
    if isinstance(doc.data, dict) and isinstance(doc.data.get("overlay"), dict) and "rules" not in doc.data:
        return Problem("not-a-rule-file", "这是扩展目录(专项诊断),不是规则文件", "this is a catalogue overlay, not a rule file", file=doc.path,
                       fix_zh="用 --overlay 给出扩展目录(它的 measures: 随之加载);--rules 只给规则文件",
                       fix_en="give it with --overlay (its measures: load with it); --rules takes rule files only")
    return None


def _measures(doc: Document, items: list, cat: Catalogue, known_docs: set[str]) -> tuple[list[Measure], list[Problem]]:
    """The improvement measures of one file (the packaged library or an extra rule file's measures:), checked against
    the catalogue (indicators) and the registered documents (basis)."""
    out, problems = [], []
    ids = {i.id for i in cat.indicators}
    numbers = sorted(r.number for r in cat.requirements)
    for i, m in enumerate(items):
        for j, ind in enumerate(m.get("indicators", [])):
            if ind in ids:
                continue
            if cat.has_indicator(ind):  # a code or name: measures are matched by id
                fix = (f"写指标 id“{cat.indicator(ind).id}”(不是编号或名称)", f"write the indicator id '{cat.indicator(ind).id}' (not its code or name)")
            else:
                fix = ("检查指标 id,或加载定义它的扩展目录(--overlay)", "check the indicator id, or load the overlay that defines it (--overlay)")
            problems.append(doc.problem("unknown-indicator", f"措施引用未知指标 id“{ind}”", f"measure names unknown indicator id '{ind}'",
                                        ("measures", i, "indicators", j), *fix))
        for j, n in enumerate(m.get("requirements", [])):
            if n not in numbers:
                problems.append(doc.problem("unknown-requirement", f"措施引用未知基础性要求 {n}", f"measure names unknown requirement {n}",
                                            ("measures", i, "requirements", j), f"基础性要求的序号为 {numbers[0]}–{numbers[-1]}",
                                            f"the requirements are numbered {numbers[0]}–{numbers[-1]}"))
        if not m.get("indicators") and not m.get("requirements"):
            problems.append(doc.problem("measure-applies-to-nothing", f"措施“{m['id']}”未列出适用的指标或基础性要求,不会出现在任何建议中",
                                        f"measure '{m['id']}' lists no indicator or requirement, so no recommendation will carry it",
                                        ("measures", i), "加上 indicators: [指标 id] 或 requirements: [序号]",
                                        "add indicators: [indicator ids] or requirements: [numbers]"))
        if m["basis"]["doc"] not in known_docs:
            problems.append(doc.problem("unknown-document", f"来源“{m['basis']['doc']}”未登记", f"unknown source document '{m['basis']['doc']}'",
                                        ("measures", i, "basis", "doc"), "在目录的 documents 中登记该文件,或加载定义它的扩展目录(--overlay)",
                                        "register the document in the catalogue, or load the overlay that defines it (--overlay)"))
        out.append(Measure(m["id"], m["title_zh"], m["title_en"], tuple(m.get("indicators", ())), tuple(m.get("requirements", ())),
                           m["effect_zh"], m["effect_en"], Source(**m["basis"])))
    return out, problems


def _packaged(name: str) -> Document:
    text = (resources.files(DATA_PACKAGE) / name).read_text(encoding="utf-8")
    return parse_text(text, f"rules/{name}", RuleError)


def _check_template(doc: Document, path: tuple, template: str) -> list[Problem]:
    """Templates may only use {name} or {name:spec} placeholders: no attribute or index access."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [doc.problem("bad-template", f"消息模板格式错误:{exc}", f"malformed message template: {exc}", path)]
    bad = [name for _, name, _, conv in parts if name is not None and (not _PLACEHOLDER.match(name) or conv)]
    if bad:
        return [doc.problem("bad-template", f"消息模板只能使用 {{字段名}} 占位:{bad}", f"templates may only use {{field}} placeholders: {bad}", path)]
    # a width like {x:>999999999} allocates a gigabyte per message, and {x:{y}} takes it from the data
    big = [spec for _, name, spec, _ in parts if name is not None and spec and ("{" in spec or re.search(r"\d{4,}", spec))]
    if big:
        return [doc.problem("bad-template", f"消息模板的格式说明过大或嵌套:{big}", f"template format specs too large or nested: {big}", path,
                            "宽度与精度不超过三位数,如 {value:.2f}", "keep widths and precisions to three digits, e.g. {value:.2f}")]
    return []


def _close(name: str, known) -> list[str]:
    """The known names closest to a misspelt one, best first (at most three)."""
    import difflib

    return difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)


def _suggest(name: str, known) -> tuple[str, str]:
    """Did-you-mean words for a fix: the closest known names, or ("", "")."""
    close = _close(name, known)
    return (f"是否应为:{'、'.join(close)}?", f"Did you mean: {', '.join(close)}? ") if close else ("", "")


def _check_against_facts(doc: Document, where: tuple, r: dict, cat: Catalogue) -> list[Problem]:
    """A rule against the facts the engine will see (facts.FIELDS): the subject fits the fact kind, every field it
    compares or names exists with the type it is compared as, string constants are values the field takes, its
    message templates name only what the fact's context holds, and its test facts are facts of that kind. Without
    this a misspelt field or a "2024" in quotes would load, pass its own tests and never fire."""
    from . import facts as F

    kind = r["fact"]
    out: list[Problem] = []
    subject = r["subject"]
    if (subject in ("requirement", "engagement") and kind != subject) or (
            subject == "indicator" and kind in ("requirement", "engagement")):
        need = {"requirement": "fact: requirement", "engagement": "fact: engagement"}.get(subject, "fact: indicator、reference 或 year")
        need_en = {"requirement": "fact: requirement", "engagement": "fact: engagement"}.get(subject, "fact: indicator, reference or year")
        out.append(doc.problem("subject-fact", f"subject: {subject} 与 fact: {kind} 不匹配", f"subject: {subject} does not fit fact: {kind}",
                               where + ("subject",), f"subject: {subject} 需要 {need}", f"subject: {subject} needs {need_en}"))
    # v_<id> of a qualitative indicator exists in no year fact: _check_kinds says why, naming the overlay that made it so
    declared = dict(F.FIELDS[kind], **({F.YEAR_VALUE_PREFIX + i.id: F.NUM for i in cat.indicators} if kind == "year" else {}))
    ids = {i.id for i in cat.indicators}
    refs = {ref.id for ref in cat.references}
    ind_numbers = {float(i.number) for i in cat.indicators}
    numbers = {"indicator": ind_numbers, "reference": ind_numbers, "requirement": {float(q.number) for q in cat.requirements}}

    def unknown(name: str, path: tuple) -> Problem:
        hint_zh, hint_en = _suggest(name, declared)
        if name.startswith(F.YEAR_VALUE_PREFIX) and kind == "year":
            hint_zh += "v_ 后接目录中定量指标的 id。"
            hint_en += "A year fact's v_ fields end in the id of a quantitative indicator of the catalogue. "
        return doc.problem("unknown-field", f"{kind} 事实没有字段“{name}”", f"{kind} facts have no field '{name}'", path,
                           (hint_zh + "各类事实的字段见 docs/engine.md").strip(), (hint_en + "The fields of each fact are listed in docs/engine.md").strip())

    def wrong_type(name: str, path: tuple, zh: str, en: str) -> Problem:
        is_num = declared[name] == F.NUM
        return doc.problem("field-type", f"字段“{name}”是{'数值' if is_num else '文本'},{zh}", f"field '{name}' is {'a number' if is_num else 'text'}; {en}", path,
                           "数值字段与不加引号的数比较,文本字段与带引号的文本比较(只用 == 或 !=)",
                           "compare number fields with unquoted numbers, text fields with quoted text (== or != only)")

    for j, c in enumerate(r["when"]):
        path = where + ("when", j)
        field = c["field"]
        if field not in declared:
            out.append(unknown(field, path + ("field",)))
            continue
        is_num = declared[field] == F.NUM
        other = c.get("other")
        if other is not None:
            if other not in declared:
                out.append(unknown(other, path + ("other",)))
            elif declared[other] != declared[field]:
                out.append(wrong_type(field, path + ("other",), f"不能与{'文本' if is_num else '数值'}字段“{other}”比较",
                                      f"it cannot be compared with the {'text' if is_num else 'number'} field '{other}'"))
            continue
        if "const" in c and not is_num:
            out.append(wrong_type(field, path + ("const",), "不能与数值常量比较", "it cannot be compared with a number constant"))
        if "value" not in c:
            continue
        v = c["value"]
        if is_num and not (isinstance(v, (int, float)) and not isinstance(v, bool)):
            out.append(wrong_type(field, path + ("value",), f"不能与文本“{v}”比较(引擎按文本比较,永不命中)",
                                  f"it cannot be compared with the text '{v}' (the engine would compare text and never match)"))
        elif is_num:
            if field == "number" and kind in numbers and c["op"] in ("==", "!=") and v not in numbers[kind]:
                what_zh, what_en = ("基础性要求", "requirement") if kind == "requirement" else ("指标", "indicator")
                out.append(doc.problem("unknown-value", f"没有序号为 {v:g} 的{what_zh}", f"there is no {what_en} number {v:g}", path + ("value",),
                                       f"{what_zh}序号见 greendiag catalogue list", f"see greendiag catalogue list for the {what_en} numbers"))
        elif not isinstance(v, str):
            out.append(wrong_type(field, path + ("value",), f"不能与数值 {v} 比较", f"it cannot be compared with the number {v}"))
        elif c["op"] not in ("==", "!="):
            out.append(wrong_type(field, path + ("op",), f"只能用 == 或 !=(不能用 {c['op']})", f"only == and != apply (not {c['op']})"))
        else:
            vocab = ids if field == "ind" else refs if field == "ref" else set(F.VALUES.get(field, ())) or None
            if vocab is not None and v not in vocab:
                known = cat.indicator(v).id if field == "ind" and cat.has_indicator(v) else None
                hint_zh, hint_en = (f"写指标 id“{known}”(不是编号或名称)", f"write the indicator id '{known}' (not its code or name)") if known \
                    else _suggest(v, vocab)
                out.append(doc.problem("unknown-value", f"字段“{field}”不会取值“{v}”", f"field '{field}' never has the value '{v}'", path + ("value",),
                                       (hint_zh or "可取值见 greendiag catalogue list 或 docs/engine.md").strip(),
                                       (hint_en or "See greendiag catalogue list or docs/engine.md for its values").strip()))
    th = r.get("threshold") or {}
    if "field" in th:
        if th["field"] not in declared:
            out.append(unknown(th["field"], where + ("threshold", "field")))
        elif declared[th["field"]] != F.NUM:
            out.append(wrong_type(th["field"], where + ("threshold", "field"), "不能作为阈值", "it cannot be a threshold"))
    names = F.CONTEXT[kind] | ({"threshold"} if "threshold" in r else set()) | (set(declared) if kind == "year" else set())
    for key in ("message_zh", "message_en", "head_zh", "head_en", "clause_zh", "clause_en"):
        if key not in r:
            continue
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(r[key]) if name}
        except ValueError:
            continue  # _check_template reports it
        for name in sorted(used - names):
            hint_zh, hint_en = _suggest(name, names)
            out.append(doc.problem("unknown-placeholder", f"模板中的“{{{name}}}”不是 {kind} 事实可用的名称(会显示为“—”)",
                                   f"'{{{name}}}' is not a name {kind} facts give to templates (it would print as '—')", where + (key,),
                                   (hint_zh + "可用名称见 docs/engine.md").strip(), (hint_en + "docs/engine.md lists the names.").strip()))
    for t, test in enumerate(r["tests"]):
        for name, v in test["fact"].items():
            path = where + ("tests", t, "fact", name)
            if name not in declared:
                out.append(unknown(name, path))
            elif v is not None and (declared[name] == F.NUM) != (isinstance(v, (int, float)) and not isinstance(v, bool)):
                out.append(wrong_type(name, path, f"测试事实中写成了 {v!r}", f"the test fact gives {v!r}"))
    return out


# What an indicator fact holds by the kind of its indicator (facts._indicator_facts): a quantitative one's value and what
# is worked out from it, a qualitative one's level scores; a year fact has v_<id> for quantitative indicators only.
QUANTITATIVE_FIELDS = frozenset({"lead", "value", "gap_abs", "gap_pct", "derived", "derived_gap_pct", "prev_value", "yoy_points",
                                 "yoy_abs_points", "yoy_pct", "yoy_abs_pct", "same_all_years"})
QUALITATIVE_FIELDS = frozenset({"lead_score", "level_score", "lead_level_zh", "lead_level_en", "level_zh", "level_en"})
# template names (not fact fields) that only a quantitative indicator's context has: the value as printed beside its gaps
QUANTITATIVE_NAMES = QUANTITATIVE_FIELDS | {"value_text", "gap_text", "prev_value_text", "yoy_points_text"}
_TEMPLATES = ("message_zh", "message_en", "head_zh", "head_en", "clause_zh", "clause_en")


def _named_indicators(r: dict, cat: Catalogue) -> list:
    """The indicators a rule on indicator or reference facts is limited to by `ind ==` / `number ==` conditions
    ([] when it applies to any indicator, or when its conditions name none that exists: other checks report that)."""
    by_id, by_number = {i.id: i for i in cat.indicators}, {float(i.number): i for i in cat.indicators}
    named = None
    for c in r["when"]:
        v = c.get("value")
        if c["op"] != "==" or v is None or isinstance(v, bool):
            continue
        hit = by_id.get(v) if c["field"] == "ind" else by_number.get(float(v)) if c["field"] == "number" and isinstance(v, (int, float)) else False
        if hit is not False:
            named = {hit} if named is None else named & {hit}
    return sorted((i for i in named or () if i is not None), key=lambda i: i.number)


def _kind_misreads(r: dict, cat: Catalogue) -> tuple[Any, list[tuple[tuple, str]], bool]:
    """(indicator, [(path in the rule, field)], whether the rule can fire at all) for a rule that reads fields facts of
    that indicator's kind never have; (None, [], True) when it reads none."""
    from . import facts as F

    kind = r["fact"]
    th = r.get("threshold") or {}
    reads = [(("when", j, key), c[key]) for j, c in enumerate(r["when"]) for key in ("field", "other") if key in c]
    reads += [(("threshold", "field"), th["field"])] if "field" in th else []
    if kind == "year":
        qualitative = {F.YEAR_VALUE_PREFIX + i.id: i for i in cat.indicators if i.qualitative}
        bad = [(path, f) for path, f in reads if f in qualitative]
        shown = [((key,), name) for key in _TEMPLATES if key in r for name in _placeholders(r[key]) if name in qualitative]
        if bad or shown:
            return qualitative[(bad or shown)[0][1]], bad or shown, not bad
        return None, [], True
    if kind not in ("indicator", "reference"):
        return None, [], True
    for ind in _named_indicators(r, cat):
        if kind == "reference":
            if ind.qualitative:  # a qualitative indicator has no reference values, hence no reference facts
                path = next(("when", j, "field") for j, c in enumerate(r["when"]) if c["field"] in ("ind", "number"))
                return ind, [(path, r["when"][path[1]]["field"])], False
            continue
        wrong = QUANTITATIVE_FIELDS if ind.qualitative else QUALITATIVE_FIELDS
        bad = [(path, f) for path, f in reads if f in wrong]
        names = QUANTITATIVE_NAMES if ind.qualitative else QUALITATIVE_FIELDS
        shown = [((key,), name) for key in _TEMPLATES if key in r for name in _placeholders(r[key]) if name in names]
        if bad or shown:
            return ind, bad or shown, not bad
    return None, [], True


def _placeholders(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError:
        return []  # _check_template reports it


def _check_kinds(doc: Document, where: tuple, r: dict, cat: Catalogue, *, packaged: bool = False) -> list[Problem]:
    """A rule that reads a field the facts of its indicator never have, for that indicator's kind: `value` or `gap_abs` of a
    qualitative indicator (scored by levels), `level_score` of a quantitative one, v_<id> of a qualitative one in a year
    fact, a reference fact of a qualitative indicator. Typically an overlay made the indicator qualitative (override): the
    rule would load, pass its own tests and never fire. One problem per rule, naming the rule, the fields, the indicator
    and the overlay; `packaged` words the fix for a built-in rule (it becomes a note, not an error: see load_rules)."""
    ind, misreads, fires = _kind_misreads(r, cat)
    if ind is None:
        return []
    fields = list(dict.fromkeys(f for _, f in misreads))
    shown_zh, shown_en = "、".join(fields), ", ".join(fields)
    short_zh = "定性" if ind.qualitative else "定量"
    kind_zh, kind_en = ("定性指标(按档次评分)", "qualitative (scored by levels)") if ind.qualitative else ("定量指标", "quantitative")
    if ind.replaces is not None:
        why_zh, why_en = f",由扩展目录 {ind.origin} 改为{short_zh}指标(override)", f", made so by overlay {ind.origin} (override)"
    elif ind.origin not in ("", cat.id):
        why_zh, why_en = f",由扩展目录 {ind.origin} 定义", f", as overlay {ind.origin} defines it"
    else:
        why_zh, why_en = "", ""
    what_zh = f"“{ind.number} {ind.name_zh}”({ind.id})是{kind_zh}{why_zh}"
    what_en = f"indicator {ind.number} {ind.name_en} ({ind.id}) is {kind_en}{why_en}"
    if fires:
        effect_zh, effect_en = "这类指标的事实中没有该字段,消息中会显示为“—”", "facts of such an indicator have no such field, so the message would print '—'"
    else:
        effect_zh, effect_en = "这类指标的事实中没有该字段,该规则永不命中", "facts of such an indicator have no such field, so the rule never fires"
    if packaged:
        fix_zh = "内置规则在此目录下对该指标不适用,诊断照常进行;如需同类核查,在扩展规则文件(--rules)中为该指标另写规则"
        fix_en = ("the built-in rule does not apply to this indicator under this catalogue and the diagnosis goes on without it; to keep "
                  "such a check, write a rule for the indicator in an extra rule file (--rules)")
    elif ind.qualitative:
        fix_zh = "定性指标读 level_score、lead_score(消息用 level_zh、lead_level_zh);或删去该规则,或不与改变该指标的扩展目录一起使用"
        fix_en = ("for a qualitative indicator read level_score and lead_score (level_zh, lead_level_zh in messages); or remove the rule, "
                  "or do not use it with the overlay that changes the indicator")
    else:
        fix_zh = "定量指标读 value、gap_abs、lead 等;或删去该规则,或不与改变该指标的扩展目录一起使用"
        fix_en = "for a quantitative indicator read value, gap_abs, lead and the like; or remove the rule, or do not use it with the overlay that changes the indicator"
    return [doc.problem("rule-indicator-kind", f"规则“{r['id']}”读取 {shown_zh},但{what_zh}:{effect_zh}",
                        f"rule '{r['id']}' reads {shown_en}, but {what_en}: {effect_en}", where + misreads[0][0], fix_zh, fix_en)]


RULES_SCHEMA = "rules.schema.json"
MISSPELT_MAX = 5  # more unknown keys in one object are no misspelling: the schema's own problem lists them at once
_PARTS = {"when": ("条件", "condition"), "tests": ("测试用例", "test case"), "fact": ("事实", "fact"), "threshold": ("阈值", "threshold"),
          "source": ("来源", "source"), "sources": ("来源", "source"), "basis": ("依据", "basis")}


def _at_key(doc: Document, path: tuple, problem: Problem) -> Problem:
    """A problem made by doc.problem(…, path, …), moved to the line and column of the key that ends the path."""
    line, column = doc.locate_key(path)
    return attrs.evolve(problem, line=line, column=column)


def _place(data: Any, path: tuple) -> tuple[str, str]:
    """The object at `path` of a rule file as a message names it: ("规则“x.y”的条件 1", "condition 1 of rule 'x.y'")."""
    if not path:
        return "规则文件顶层", "the top level of the rule file"
    head, rest = path[0], path[2:]
    if head in ("constants", "terms") and len(path) >= 2:
        zh, en = (("常量", "constant") if head == "constants" else ("词表", "term list"))
        zh, en = f"{zh}“{path[1]}”", f"{en} '{path[1]}'"
    elif head in ("rules", "measures") and len(path) >= 2 and isinstance(path[1], int):
        item = data[head][path[1]] if isinstance(data.get(head), list) and path[1] < len(data[head]) else None
        name = item.get("id") if isinstance(item, dict) else None
        zh, en = ("规则", "rule") if head == "rules" else ("措施", "measure")
        zh, en = (f"{zh}“{name}”", f"{en} '{name}'") if isinstance(name, str) and name else (f"第 {path[1] + 1} 条{zh}", f"{en} {path[1] + 1}")
    else:
        return "", ""  # the JSON path says where
    parts_zh, parts_en = [zh], [en]
    for i, step in enumerate(rest):
        if isinstance(step, int):
            continue
        part_zh, part_en = _PARTS.get(str(step), (str(step), str(step)))
        n = rest[i + 1] + 1 if i + 1 < len(rest) and isinstance(rest[i + 1], int) else None
        parts_zh.append(f"{part_zh} {n}" if n else part_zh)
        parts_en.append(f"{part_en} {n}" if n else part_en)
    return "的".join(parts_zh), " of ".join(reversed(parts_en))


def _unknown_keys(doc: Document, v: Any) -> list[tuple[str, list[Problem], bool]]:
    """One problem per misspelt key of a rule file ({constant: x} for const), naming it and the nearest allowed keys
    (_suggest): (the JSON path of its object, the problems, whether the object would be valid with each key renamed
    to its nearest allowed one, so that jsonschema's other complaints there — "none of value, other, const given" —
    only repeat the misspelling)."""
    out = []
    for err in v.iter_errors(doc.data):
        obj = err.instance
        if err.validator != "additionalProperties" or err.validator_value is not False or not isinstance(obj, dict):
            continue
        allowed = list(err.schema.get("properties", {}))
        unknown = [k for k in obj if k not in allowed]
        if not unknown or len(unknown) > MISSPELT_MAX or all(str(k).isdigit() and obj[k] is None for k in unknown):
            continue  # no misspelling; or {value: 8,5}, where schema.py explains the comma that split the number
        path = tuple(err.absolute_path)
        place_zh, place_en = _place(doc.data, path)
        renamed = {k: x for k, x in obj.items() if k in allowed}
        problems = []
        for key in unknown:
            close = _close(str(key), allowed)
            if close and close[0] not in renamed:
                renamed[close[0]] = obj[key]
            hint_zh, hint_en = _suggest(str(key), allowed)
            inside = (" 中" if place_zh[-1:].isdigit() else "中") if place_zh else ""
            problems.append(_at_key(doc, path + (key,), doc.problem(
                "unknown-key", f"{place_zh}{inside}有不认识的字段“{key}”(允许:{'、'.join(allowed)})",
                f"unknown key '{key}'{' in ' + place_en if place_en else ''} (allowed: {', '.join(allowed)})", path + (key,),
                f"{hint_zh}改正或删去该字段", f"{hint_en}Correct or remove the key")))
        explained = not any(not e.path for e in v.evolve(schema=err.schema).iter_errors(renamed))
        out.append((json_path(path), problems, explained))
    return out


def _too_few_tests(doc: Document, v: Any) -> list[tuple[str, Problem]]:
    """A rule with fewer test cases than the schema's minimum, said with its id and what the cases are for:
    (the JSON path of its tests, the problem)."""
    need = v.schema["properties"]["rules"]["items"]["properties"]["tests"]["minItems"]
    rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
    out = []
    for i, r in enumerate(rules if isinstance(rules, list) else ()):
        tests = r.get("tests") if isinstance(r, dict) else None
        if not isinstance(tests, list) or len(tests) >= need:
            continue
        name_zh, name_en = _place(doc.data, ("rules", i))
        have_zh = f"只有 {len(tests)} 个测试用例" if tests else "没有测试用例"
        have_en = f"has {len(tests)} test case{'s' if len(tests) != 1 else ''}"
        out.append((json_path(("rules", i, "tests")), doc.problem(
            "too-few-tests", f"{name_zh}{have_zh},至少需要 {need} 个:一个应触发(fires: true)、一个不应触发(fires: false)",
            f"{name_en} {have_en}; at least {need} are needed: one on which it fires (fires: true) and one on which it does not (fires: false)",
            ("rules", i, "tests"), "在 tests: 下补写用例,如 - {fact: {…}, fires: true} 与 - {fact: {…}, fires: false}",
            "add cases under tests:, e.g. - {fact: {...}, fires: true} and - {fact: {...}, fires: false}")))
    return out


def _reworded(doc: Document, problems: list[Problem]) -> list[Problem]:
    """A rule file's schema problems with two kinds said the way a rule author needs them: a misspelt key is one
    unknown-key problem with a did-you-mean (not an unknown field plus the required field it misspells), and too few
    test cases is too-few-tests with the rule's id. Other problems keep their place in the list."""
    v = schema.validator(RULES_SCHEMA)
    instead: dict[tuple[str, str], list[Problem]] = {}  # (location, code) of a schema problem -> what stands for it
    drop: set[tuple[str, str]] = set()
    for where, found, explained in _unknown_keys(doc, v):
        instead[(where, "schema-additionalProperties")] = found
        if explained:
            drop |= {(p.location, p.code) for p in problems if p.location == where and p.code.startswith("schema-")}
    for where, found in _too_few_tests(doc, v):
        instead[(where, "schema-minItems")] = [found]
    out = []
    for p in problems:
        key = (p.location, p.code)
        if key in instead:
            out += instead.pop(key)
        elif key not in drop:
            out.append(p)
    return out


def _checked(doc: Document) -> Any:
    """The data of a rule file that meets its schema, else RuleError with every problem (see _reworded)."""
    try:
        return schema.validate(doc, RULES_SCHEMA, RuleError)
    except RuleError as exc:
        raise RuleError(_reworded(doc, list(exc.problems))) from None


def _rule_file(doc: Document, known_docs: set[str], cat: Catalogue, packaged: bool = False
               ) -> tuple[list[RuleSpec], list[Constant], list[Problem], list[Terms], list[Measure], list[Problem]]:
    """One rule file checked against the catalogue: its specs, constants, problems, term lists, measures, and the rules
    that read fields their indicator's kind does not have (_check_kinds: problems of a user's file, notes of a built-in one)."""
    data = _checked(doc)
    kinds: list[Problem] = []
    measures, problems = _measures(doc, data.get("measures", []), cat, known_docs)
    consts = {name: Constant(name, float(c["value"]), Provenance(tuple(Source(**s) for s in c.get("sources", ())), c.get("provisional")))
              for name, c in data.get("constants", {}).items()}
    terms = [Terms(name, tuple(t["values"]), Provenance(tuple(Source(**s) for s in t.get("sources", ())), t.get("provisional")))
             for name, t in data.get("terms", {}).items()]
    for section in ("constants", "terms"):
        for name, c in data.get(section, {}).items():
            for j, s in enumerate(c.get("sources", ())):
                if s["doc"] not in known_docs:
                    problems.append(doc.problem("unknown-document", f"来源“{s['doc']}”未登记", f"unknown source document '{s['doc']}'", (section, name, "sources", j, "doc"),
                                                "在目录的 documents 中登记该文件,或加载定义它的扩展目录(--overlay)", "register the document in the catalogue, or load the overlay that defines it (--overlay)"))
    specs = []
    for i, r in enumerate(data.get("rules", [])):
        where = ("rules", i)
        when = []
        for j, c in enumerate(r["when"]):
            if "const" in c:
                if c["const"] not in consts:
                    problems.append(doc.problem("unknown-constant", f"未定义的常量“{c['const']}”", f"undefined constant '{c['const']}'", where + ("when", j, "const")))
                    continue
                when.append(CondSpec(c["field"], c["op"], consts[c["const"]].value, None, c["const"]))
            else:
                v = c.get("value")
                when.append(CondSpec(c["field"], c["op"], float(v) if isinstance(v, (int, float)) else v, c.get("other")))
        th, th_name = None, None
        if "threshold" in r:
            (k, v), = r["threshold"].items()
            if k == "const":
                if v not in consts:
                    problems.append(doc.problem("unknown-constant", f"未定义的常量“{v}”", f"undefined constant '{v}'", where + ("threshold", "const")))
                else:
                    th, th_name = ("value", consts[v].value), v
            else:
                th = (k, float(v) if k == "value" else v)
        if r["source"]["doc"] not in known_docs:
            problems.append(doc.problem("unknown-document", f"来源“{r['source']['doc']}”未登记", f"unknown source document '{r['source']['doc']}'", where + ("source", "doc"),
                                        "在目录的 documents 中登记该文件,或加载定义它的扩展目录(--overlay)", "register the document in the catalogue, or load the overlay that defines it (--overlay)"))
        for key in ("message_zh", "message_en", "head_zh", "head_en", "clause_zh", "clause_en"):
            if key in r:
                problems += _check_template(doc, where + (key,), r[key])
        problems += _check_against_facts(doc, where, r, cat)
        kinds += _check_kinds(doc, where, r, cat, packaged=packaged)
        message = {lang: r[f"head_{lang}"] + HEAD_SEP[lang] + r[f"clause_{lang}"] if f"head_{lang}" in r else r[f"message_{lang}"]
                   for lang in ("zh", "en")}  # the schema requires a message or both parts
        specs.append(RuleSpec(
            id=r["id"], kind=r["kind"], method=r.get("method"), fact=r["fact"], when=tuple(when), severity=r["severity"],
            subject=r["subject"], indicator=r.get("indicator"), threshold=th, threshold_name=th_name,
            message_zh=message["zh"], message_en=message["en"], source=Source(**r["source"]),
            tests=tuple(RuleTest(tuple(sorted(t["fact"].items())), t["fires"]) for t in r["tests"]), file=doc.path,
            report=r.get("report", "note"), head_zh=r.get("head_zh"), head_en=r.get("head_en"),
            clause_zh=r.get("clause_zh"), clause_en=r.get("clause_en")))
    return specs, list(consts.values()), problems, terms, measures, kinds


def _defined_twice(defined: dict[str, list[Document]], section: str) -> list[Problem]:
    """A constant (section "constants") or term list ("terms") defined in more than one rule file, reported at the
    later definition's name (file and line), with the files and lines of all of them."""
    code = "duplicate-constant" if section == "constants" else "duplicate-terms"
    zh, en = ("常量", "constant") if section == "constants" else ("词表", "term list")
    out = []
    for name in sorted(n for n, docs in defined.items() if len(docs) > 1):
        path, places = (section, name), []
        for d in defined[name]:
            line = d.locate_key(path)[0]
            places.append(d.path if line is None else f"{d.path}:{line}")
        later = defined[name][-1]
        out.append(_at_key(later, path, later.problem(
            code, f"{zh}“{name}”在多个规则文件中定义({'、'.join(places)})",
            f"{en} '{name}' is defined in more than one rule file ({', '.join(places)})", path,
            f"为扩展规则的{zh}另起名称", f"give the extra file's {en} another name")))
    return out


def compile_rules(specs: tuple[RuleSpec, ...], version: str) -> RuleSet:
    """RuleSpecs -> engine RuleSet: each rule also requires its fact type."""
    rules = []
    for s in specs:
        conds = [Cond("fact", "==", value=s.fact)]
        conds += [Cond(c.field, c.op, value=c.value) if c.other is None else Cond(c.field, c.op, other=c.other) for c in s.when]
        rules.append(Rule(s.id, tuple(conds)))
    return RuleSet(tuple(rules), version=version)


def load_rules(*extra_files: str | os.PathLike, catalogue: Optional[Catalogue] = None) -> RuleBase:
    """The packaged rule base, plus extra rule files (same format) for specialised diagnoses.

    A file identical to a packaged one (e.g. rules/anomalies.yaml of a checkout) is already part of the base."""
    from ._args import check_catalogue, check_path

    check_catalogue(catalogue)
    extra_files = tuple(check_path(f, "extra_files") for f in extra_files)
    extra_files = tuple(f for f in extra_files if packaged_rule_file(f) is None)
    if not extra_files:
        rb = _with_measures(_default(catalogue.label if catalogue else ""), catalogue)
        if catalogue is not None and catalogue.overlays:  # the packaged kinds are checked in _load; an overlay's here
            problems = _demonstration_measures(catalogue, rb.measures)
            if problems:
                raise RuleError(problems)
        return _with_notes(rb, catalogue)
    return _load(tuple(os.fspath(f) for f in extra_files), catalogue)


def _merged(measures, cat: Optional[Catalogue]) -> list[Measure]:
    """The rule base's measures with those the catalogue's overlays bring: one replacing a packaged measure takes its
    place, the others follow in catalogue order (overlays by id), so the result does not hang on the order given."""
    if cat is None or not cat.measures:
        return list(measures)
    replacing = {m.id: m for m in cat.measures if m.replaces is not None}
    return [replacing.get(m.id, m) for m in measures] + [m for m in cat.measures if m.replaces is None]


_MERGED: dict[int, tuple[Catalogue, RuleBase, RuleBase]] = {}  # id(catalogue) -> (it, the packaged rules, them merged)


def _with_measures(rb: RuleBase, cat: Optional[Catalogue]) -> RuleBase:
    """The packaged rules with the measures of the catalogue's overlays (an overlay carries its measures, as an extra
    rule file does): checked when the catalogue loaded, so only merged here. Its sha256 covers them, and it is marked
    as checked with that catalogue (a diagnosis with another refuses it: its measures name that catalogue's entries).
    The packaged rules alone (no overlay measures) are returned as they are. Worked out once per catalogue object."""
    if cat is None or not cat.measures:
        return rb
    hit = _MERGED.get(id(cat))
    if hit is not None and hit[0] is cat and hit[1] is rb:
        return hit[2]
    measures = tuple(_merged(rb.measures, cat))
    digest = hashlib.sha256(json.dumps({"rules": rb.sha256, "measures": [attrs.asdict(m) for m in measures]}, sort_keys=True,
                                       ensure_ascii=False).encode("utf-8")).hexdigest()
    out = attrs.evolve(rb, measures=measures, sha256=digest, checked_with=cat.label, checked_catalogue=cat)
    if len(_MERGED) >= 8:
        _MERGED.clear()
    _MERGED[id(cat)] = (cat, rb, out)
    return out


def _demonstration_measures(cat: Catalogue, measures) -> list[Problem]:
    """Each kind of demonstrative work names, as its `measure`, a measure of the rule base (the packaged library, an
    overlay's or an extra rule file's measures:): else the recommendations could never carry it, nor say the park has it under way.
    A packaged kind is located in catalogue/demonstration.yaml; an overlay's is named with its overlay (the catalogue
    keeps no file names)."""
    ids = sorted(m.id for m in measures)
    out = []
    for kind in cat.demonstration_kinds:
        if kind.measure is None or kind.measure in ids:
            continue
        hint_zh, hint_en = _suggest(kind.measure, ids)
        packaged = kind.origin in ("", cat.id)
        where_zh, where_en = ("", "") if packaged else (f"扩展目录“{kind.origin}”中", f" of overlay '{kind.origin}'")
        zh = f"{where_zh}示范性工作类别“{kind.id}”的 measure“{kind.measure}”不是规则库中的措施"
        en = f"the kind of demonstrative work '{kind.id}'{where_en} names measure '{kind.measure}', which the rule base does not have"
        fix_zh = f"{hint_zh}写 rules/measures.yaml、扩展目录或扩展规则文件 measures: 中的措施 id(扩展目录须同时加载,--overlay;扩展规则文件,--rules)"
        fix_en = (f"{hint_en}write a measure id of rules/measures.yaml, of an overlay's or of an extra rule file's measures: (the overlay "
                  "loaded with --overlay, the rule file with --rules)")
        doc = _demonstration_file() if packaged else None
        rows = doc.data.get("demonstration_kinds") if doc is not None and isinstance(doc.data, dict) else None
        i = next((j for j, d in enumerate(rows or ()) if isinstance(d, dict) and d.get("id") == kind.id), None)
        if i is not None:
            out.append(doc.problem("unknown-measure", zh, en, ("demonstration_kinds", i, "measure"), fix_zh, fix_en))
        else:
            out.append(Problem("unknown-measure", zh, en, location=f"demonstration_kinds[id={kind.id}].measure", fix_zh=fix_zh, fix_en=fix_en))
    return out


def _demonstration_file() -> Optional[Document]:
    """catalogue/demonstration.yaml as packaged, to locate a problem in it (None when the catalogue names no such file)."""
    from . import catalogue as catmod

    head = catmod._packaged("catalogue.yaml").data
    name = head.get("files", {}).get("demonstration") if isinstance(head, dict) else None
    return catmod._packaged(name) if name else None


@functools.lru_cache(maxsize=8)
def _default(_catalogue_label: str) -> RuleBase:
    return _load((), None)


_NOTED: dict[int, tuple[Catalogue, RuleBase, RuleBase]] = {}  # id(catalogue) -> (it, the packaged rules, them with notes)


def _with_notes(rb: RuleBase, cat: Optional[Catalogue]) -> RuleBase:
    """The packaged rules with notes on those that do not apply under `cat`: the built-in rules are checked against the
    packaged catalogue, so only an overlay that changes an indicator's kind (override) can make one of them read what its
    facts no longer hold. A note, not an error: the user cannot change a built-in rule, and refusing would make every such
    overlay unusable; the diagnosis runs without the rule. Worked out once per catalogue object."""
    if cat is None or not cat.overlays:
        return rb
    hit = _NOTED.get(id(cat))
    if hit is not None and hit[0] is cat and hit[1] is rb:
        return hit[2]
    from .catalogue import load_catalogue

    base = load_catalogue()
    changed = any(i.replaces is not None and base.has_indicator(i.id) and base.indicator(i.id).kind != i.kind for i in cat.indicators)
    notes: list[Problem] = []
    if changed:
        head = schema.validate(_packaged("rulebase.yaml"), "rulebase.schema.json", RuleError)
        for name in head["files"]:
            doc = _packaged(name)
            for i, r in enumerate(_checked(doc).get("rules", [])):
                notes += _check_kinds(doc, ("rules", i), r, cat, packaged=True)
    out = attrs.evolve(rb, notes=tuple(notes)) if notes else rb
    if len(_NOTED) >= 8:
        _NOTED.clear()
    _NOTED[id(cat)] = (cat, rb, out)
    return out


def _load(extra: tuple[str, ...], catalogue: Optional[Catalogue]) -> RuleBase:
    from .catalogue import load_catalogue

    cat = catalogue or load_catalogue()
    head_doc = _packaged("rulebase.yaml")
    head = schema.validate(head_doc, "rulebase.schema.json", RuleError)
    meta = head["rulebase"]
    known_docs = {d.id for d in cat.documents} | {meta["id"], cat.id}
    extra_docs = [read_document(p, RuleError) for p in extra]
    problems: list[Problem] = [p for d in extra_docs if (p := _not_a_rule_file(d)) is not None]
    if problems:
        raise RuleError(problems)
    docs = [_packaged(name) for name in head["files"]] + extra_docs
    specs: list[RuleSpec] = []
    consts: list[Constant] = []
    const_docs: dict[str, list[Document]] = {}  # the files defining each constant (term list), in load order
    terms: list[Terms] = []
    term_docs: dict[str, list[Document]] = {}
    seen: dict[str, str] = {}
    mdoc = _packaged(head["measures"])
    measures, mproblems = _measures(mdoc, schema.validate(mdoc, "measures.schema.json", RuleError)["measures"], cat, known_docs)
    problems += mproblems
    measures = _merged(measures, cat)  # an overlay's measures, checked when the catalogue loaded
    # where each measure id is defined, as a duplicate's message names it (zh, en): a file, or the overlay (no file name kept)
    measure_files = {m.id: (f"扩展目录 {m.origin}", f"overlay {m.origin}") if m.origin else (mdoc.path, mdoc.path) for m in measures}
    notes: list[Problem] = []
    for n, doc in enumerate(docs):
        packaged = n < len(head["files"])
        s, c, p, t, ms, kinds = _rule_file(doc, known_docs, cat, packaged)
        (notes if packaged else p).extend(kinds)
        for i, m in enumerate(ms):
            if m.id in measure_files:
                zh, en = measure_files[m.id]
                p.append(doc.problem("duplicate-measure", f"措施 id“{m.id}”重复(另见 {zh})",
                                     f"measure id '{m.id}' is defined twice (also in {en})", ("measures", i, "id"),
                                     "为扩展措施另起 id", "give the extra measure another id"))
            else:
                measure_files[m.id] = (doc.path, doc.path)
                measures.append(m)
        for i, spec in enumerate(s):  # _rule_file gives one spec per rule, in file order
            if spec.id in seen:
                p.append(doc.problem("duplicate-rule", f"规则 id“{spec.id}”重复(另见 {seen[spec.id]})",
                                     f"rule id '{spec.id}' is defined twice (also in {seen[spec.id]})", ("rules", i, "id"),
                                     "为扩展规则另起 id(如加上专项前缀 hydrogen.)", "give the extra rule another id (e.g. with a prefix such as hydrogen.)"))
            seen.setdefault(spec.id, doc.path)
            if spec.indicator and not cat.has_indicator(spec.indicator):
                p.append(doc.problem("unknown-indicator", f"规则“{spec.id}”引用未知指标“{spec.indicator}”",
                                     f"rule '{spec.id}' names unknown indicator '{spec.indicator}'", ("rules", i, "indicator"),
                                     "检查指标 id(greendiag catalogue list),或加载定义它的扩展目录(--overlay)",
                                     "check the indicator id (greendiag catalogue list), or load the overlay that defines it (--overlay)"))
        specs += s
        consts += c
        terms += t
        problems += p
        for k in c:
            const_docs.setdefault(k.name, []).append(doc)
        for k in t:
            term_docs.setdefault(k.name, []).append(doc)
    problems += _defined_twice(const_docs, "constants") + _defined_twice(term_docs, "terms")
    problems += _demonstration_measures(cat, measures)
    if problems:
        raise RuleError(problems)
    try:
        compiled = compile_rules(tuple(specs), meta["version"])
    except EngineError as exc:
        raise RuleError(exc.problems) from None
    canonical = json.dumps({"rulebase": meta, "rules": [attrs.asdict(s, recurse=True, filter=lambda a, v: a.name != "file") for s in specs],
                            "constants": [attrs.asdict(c) for c in consts], "terms": [attrs.asdict(t) for t in terms],
                            "measures": [attrs.asdict(m, filter=_not_default) for m in measures],
                            "engine": compiled.sha256}, sort_keys=True, ensure_ascii=False, default=str)
    return RuleBase(meta["id"], meta["version"], meta["catalogue"], meta["title_zh"], meta["title_en"], tuple(specs), tuple(consts),
                    tuple(measures), compiled, hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
                    tuple((os.path.basename(p), _file_sha256(p)) for p in extra), tuple(terms), cat.label if extra else "", cat if extra else None,
                    tuple(notes))


def _not_default(a: attrs.Attribute, value: Any) -> bool:
    """Fields of a measure in the rule base's digest: its origin and what it replaces only when an overlay set them, so a
    rule base without overlay measures keeps the digest it had before measures had them."""
    return a.name not in ("origin", "replaces") or value != a.default


@attrs.frozen
class RuleTestResult:
    rule_id: str
    index: int
    fact: dict
    expected: bool
    fired: bool
    backend: str

    @property
    def ok(self) -> bool:
        return self.expected == self.fired


def run_rule_tests(rb: RuleBase, backend: str = "durable") -> list[RuleTestResult]:
    """Run every test case written inside the rule files against the compiled rule base."""
    from ._args import check_rules
    from .engine import check_backend

    check_rules(rb, "rb", allow_none=False), check_backend(backend)
    facts, keys = [], []
    for spec in rb.rules:
        for i, t in enumerate(spec.tests):
            facts.append({"fact": spec.fact, **dict(t.fact)})
            keys.append((spec, i, t))
    fired = set(evaluate(rb.compiled, facts, backend=backend))
    return [RuleTestResult(spec.id, i, dict(t.fact), t.fires, (n, spec.id) in fired, backend) for n, (spec, i, t) in enumerate(keys)]


HUGE = 1e12  # from here on, a fixed-point field ({x:.1f}) prints 13 digits or more (for 1e300: 301 of them)


def _format(value: Any, spec: str) -> str:
    """format(value, spec), except that a huge number in a fixed-point or plain field ({x:.1f}, {x:,.0f}, {x}) is
    written with four significant digits (+4.774e+301), as the {x:.4g} fields are, so that a message stays short.
    Numbers below HUGE are rounded half up on their decimal digits (_round.half_up), not ties-to-even on the float."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and HUGE <= abs(value) < float("inf"):
        kind = spec[-1:] if spec[-1:].isalpha() or spec[-1:] == "%" else ""
        if kind in ("", "f", "F", "d", "n"):
            head = re.sub(r"\.\d+$", "", spec[:len(spec) - len(kind)])  # fill, align, sign, width, grouping: kept
            spec = head + (".4G" if kind == "F" else ".4g")
            if isinstance(value, int):  # a float where one holds it (1e+300, as for a float), else exact (1.000e+400)
                import decimal

                value = float(value) if abs(value) < 1e308 else decimal.Decimal(value)
            return format(value, spec)
    if spec[-1:] == "g":  # {x:.4g} in plain notation: 12346 元/m3, not 1.235e+04
        plain = general(value, spec)
        if plain is not None:
            return plain
    return half_up(value, spec)  # 四舍五入: 1.25 → 1.3 at .1f, as the reader rounds


class _SafeFormatter(string.Formatter):
    """Formats message templates; a missing or ill-typed field renders as '—' instead of failing."""

    def get_value(self, key, args, kwargs):
        return kwargs.get(key, "—")

    def format_field(self, value, format_spec):
        try:
            return _format(value, format_spec)
        except (ValueError, TypeError, OverflowError):
            return str(value)


_formatter = _SafeFormatter()


@functools.lru_cache(maxsize=4096)
def _parsed(template: str) -> Optional[tuple[tuple[str, Optional[str], str], ...]]:
    """A template split once into (literal, field, spec) parts; None for anything but plain {name[:spec]} fields."""
    parts = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if field is not None and (conversion or not field.isidentifier() or "{" in (spec or "")):
            return None
        parts.append((literal, field, spec or ""))
    return tuple(parts)


def render(template: str, fields: dict) -> str:
    """Fill a message template; a missing or ill-typed field renders as '—' or plain text instead of failing."""
    parts = _parsed(template)
    if parts is None:
        return _formatter.vformat(template, (), fields)
    out = []
    for literal, field, spec in parts:
        out.append(literal)
        if field is not None:
            value = fields.get(field, "—")
            try:
                out.append(_format(value, spec))
            except (ValueError, TypeError, OverflowError):
                out.append(str(value))
    return "".join(out)
