"""The durable-rules backend, driven through its C functions (durable_rules_engine).

Measured hazards of durable-rules 2.0.28 (docs/engine.md) and how this module avoids each:
no `durable.lang` global host and no `Host` timer threads (the C API is used directly); each
rule set is compiled once per sha256 and reused, each evaluation uses a fresh session id that is
deleted in `finally` (new rule sets leak, live sessions are capped at 1,024); shards keep at most
`MAX_RULES` rules and `MAX_CONDITIONS` conditions per ruleset (error 303 above 64 matches, a hang
above 512 conditions); a catch-all rule handles every fact (deleting a session whose fact matched
nothing crashed the process); facts are asserted, not posted, with unique ids; every field a rule
reads is guarded by `$ex`; values are typed in Python first (`clean_fact`) so text never meets a
number; floats are written as `1.0e-05`, never `1e-05`; one lock serialises all engine calls.
"""

from __future__ import annotations

import collections
import itertools
import json
import math
import threading
from typing import Any, Mapping, Sequence

from ..errors import EngineError, problem
from .ir import STR, Cond, RuleSet, as_number

MAX_RULES = 50
MAX_CONDITIONS = 300
BATCH = 64  # facts per assert_facts call
CATCH_ALL = "zz_catch_all"

_lock = threading.Lock()
_compiled: "collections.OrderedDict[str, _Compiled]" = collections.OrderedDict()  # by RuleSet.sha256, least recent first
MAX_COMPILED = 32  # rule sets kept compiled; the least recently used beyond that are deleted from the engine
_sids = itertools.count(1)
_names = itertools.count(1)

try:  # imported lazily so that the Python backend works where the extension does not build
    import durable_rules_engine as _dre
except ImportError as exc:  # pragma: no cover - exercised only on broken installs
    _dre = None
    _import_error = exc


def number_text(x: float) -> str:
    """JSON text for a finite float that durable-rules parses: a decimal point before any exponent."""
    s = repr(float(x))
    if "e" in s:
        mant, exp = s.split("e")
        if "." not in mant:
            mant += ".0"
        s = f"{mant}e{exp}"
    elif "." not in s and "inf" not in s and "nan" not in s:
        s += ".0"
    return s


def _text(s: str) -> str:
    return json.dumps(s, ensure_ascii=True)


_str_text: dict[str, str] = {}  # JSON text of short strings that repeat across facts (kinds, ids, directions)
_float_text: dict[float, str] = {}  # and of non-zero floats (flags, years, thresholds); ±0.0 differ in text, not kept
_CACHE_MAX = 8192


def _string_text(s: str) -> str:
    t = _str_text.get(s)
    if t is None:
        t = _text(s)
        if len(s) <= 64 and len(_str_text) < _CACHE_MAX:
            _str_text[s] = t
    return t


def _float_json(v: float) -> str:
    t = _float_text.get(v)
    if t is None:
        t = number_text(v)
        if v and len(_float_text) < _CACHE_MAX:
            _float_text[v] = t
    return t


def _fact_text(fact: Mapping[str, Any], fields: Mapping[str, tuple[str, bool]], tail: str) -> str:
    """JSON text of `clean_fact(fact, types)` followed by `tail` (the sid and id members), in one pass.

    `fields` maps each field a rule reads to (its JSON key text with the colon, whether it is a string field).
    Same typing as `ir.clean_fact` (strings up to 10,000 characters; finite numbers as floats; anything else
    dropped), with the JSON text of short strings and floats cached: this runs for every fact of every evaluation."""
    parts = []
    for name, v in fact.items():
        spec = fields.get(name)
        if spec is None:
            continue
        key, is_str = spec
        if is_str:
            if isinstance(v, str) and len(v) <= 10_000:
                parts.append(key + _string_text(str(v)))
        elif type(v) is float:
            if v - v == 0.0:  # finite: inf - inf and nan - nan are nan
                parts.append(key + _float_json(v))
        else:
            v = as_number(v)
            if v is not None:
                parts.append(key + _float_json(v))
    parts.append(tail)
    return "{" + ",".join(parts) + "}"


def _dump(obj: Any) -> str:
    """A JSON writer that only knows what the adapter sends: dicts, lists, str, finite floats, ints."""
    if isinstance(obj, dict):
        return "{" + ",".join(f"{_text(k)}:{_dump(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(_dump(v) for v in obj) + "]"
    if isinstance(obj, str):
        return _text(obj)
    if isinstance(obj, bool):
        raise TypeError("bool")
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError("non-finite float")
        return number_text(obj)
    raise TypeError(type(obj).__name__)


_DOP = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def _cond(c: Cond, kind: str) -> dict:
    rhs: Any = {"$m": c.other} if c.other is not None else (c.value if kind == STR else float(c.value))
    if c.op == "==":
        return {c.field: rhs}
    return {_DOP[c.op]: {c.field: rhs}}


def _rule_json(rule, types) -> dict:
    fields = sorted({c.field for c in rule.when} | {c.other for c in rule.when if c.other is not None})
    terms = [{"$ex": {f: 1}} for f in fields] + [_cond(c, types[c.field]) for c in rule.when]
    return {"all": [{"m": {"$and": terms}}]}


class _Compiled:
    """One rule set compiled to durable rulesets (shards); rule names r<i> map back to rule ids."""

    def __init__(self, rs: RuleSet):
        self.types = dict(rs.types)
        self.fields = {name: (_text(name) + ":", kind == STR) for name, kind in self.types.items()}
        self.shards: list[tuple[int, dict[str, str]]] = []
        groups: list[list] = [[]]
        conds = 0
        for rule in rs.rules:
            n = len(rule.when) * 2
            if groups[-1] and (len(groups[-1]) >= MAX_RULES or conds + n > MAX_CONDITIONS):
                groups.append([])
                conds = 0
            groups[-1].append(rule)
            conds += n
        for group in groups:
            if not group:
                continue
            names = {f"r{i}": r.id for i, r in enumerate(group)}
            definition = {name: _rule_json(r, self.types) for name, r in zip(names, group)}
            definition[CATCH_ALL] = {"all": [{"m": {"$ex": {"id": 1}}}]}
            name = f"greendiag_{rs.sha256[:16]}_{next(_names)}"
            try:
                handle = _dre.create_ruleset(name, _dump(definition))
            except Exception as exc:
                self.delete()  # the shards made so far
                raise EngineError(problem("engine-compile", f"durable-rules 无法编译规则集：{exc}",
                                          f"durable-rules could not compile the rule set: {exc}",
                                          fix_zh="检查规则条件", fix_en="check the rule conditions")) from exc
            self.shards.append((handle, names))

    def delete(self) -> None:
        """Give the engine's memory for these rulesets back (no session is live between evaluations)."""
        for handle, _ in self.shards:
            try:
                _dre.delete_ruleset(handle)
            except Exception:  # noqa: BLE001 - freeing memory must never fail a diagnosis
                pass
        self.shards = []


def _compile(rs: RuleSet) -> _Compiled:
    """The compiled form of a rule set, compiled once and kept among the MAX_COMPILED most recently used: a
    long-running process that sees many rule files (a service, rule authoring in a loop) stays bounded."""
    c = _compiled.get(rs.sha256)
    if c is None:
        c = _compiled[rs.sha256] = _Compiled(rs)
        while len(_compiled) > MAX_COMPILED:
            _, old = _compiled.popitem(last=False)
            old.delete()
    else:
        _compiled.move_to_end(rs.sha256)
    return c


def _unhandled(code: int) -> EngineError:
    return EngineError(problem("engine-unhandled", f"durable-rules 未能处理事实（代码 {code}）",
                               f"durable-rules did not handle a fact (code {code})",
                               fix_zh="这是适配层缺陷，请报告", fix_en="this is an adapter bug: please report it"))


def evaluate(rs: RuleSet, facts: Sequence[Mapping[str, Any]]) -> tuple[tuple[int, str], ...]:
    if _dre is None:
        raise EngineError(problem("engine-missing", f"未能导入 durable-rules：{_import_error}",
                                  f"durable-rules could not be imported: {_import_error}",
                                  fix_zh="pip install durable-rules==2.0.28（需要 gcc 与 Python 头文件）", fix_en="pip install durable-rules==2.0.28 (needs gcc and the Python headers)"))
    if not rs.rules or not facts:
        return ()
    with _lock:
        comp = _compile(rs)
        sid = f"s{next(_sids)}"
        fields = comp.fields
        head = f'"sid":"{sid}","id":"{sid}.'  # sid is "s<digits>": no escaping needed
        texts = [_fact_text(fact, fields, f'{head}{i}"') for i, fact in enumerate(facts)]
        fired: set[tuple[int, str]] = set()
        prefix = len(sid) + 1
        for handle, names in comp.shards:
            try:
                for start in range(0, len(texts), BATCH):
                    code, state = _dre.assert_facts(handle, "[" + ",".join(texts[start:start + BATCH]) + "]")
                    if code not in (0, 3):
                        raise _unhandled(code)
                    res = _dre.start_action_for_state(handle, state)
                    msg = res[1] if res else None
                    while msg:
                        if not msg.startswith(_CATCH_PREFIX):
                            fired.update(_read(msg, names, prefix))
                        msg = _dre.complete_and_start_action(handle, state)
            finally:
                _dre.delete_state(handle, sid)
    return tuple(sorted(fired))


_CATCH_PREFIX = '{"%s":' % CATCH_ALL


def _read(msg: str, names: dict[str, str], prefix: int):
    """(fact index, rule id) pairs of one action message: {"r3": {"m": {"id": "s9.12", ...}}}."""
    for name, body in json.loads(msg).items():
        if name != CATCH_ALL:
            yield int(body["m"]["id"][prefix:]), names[name]


def compiled_count() -> int:
    """How many distinct rule sets are compiled now (at most MAX_COMPILED; each costs engine memory until evicted)."""
    return len(_compiled)
