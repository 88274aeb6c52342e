"""The engine's intermediate representation: rules as frozen data, independent of any backend.

A rule fires for a fact when all its conditions hold. A condition compares one field of the fact
with a constant (`value`) or with another field of the same fact (`other`). Semantics, shared by
both backends and defined here once:

* numbers are IEEE doubles; a field counts as a number only if it is an int or float (not bool)
  whose float value is finite;
* strings compare only with `==` and `!=`;
* every field has one type in a rule set (number or string), fixed by the conditions that use it;
  a fact value of another type, a missing field, None, NaN or ±inf makes every condition on that
  field false (never "unequal", never "greater").
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any, Mapping, Optional

import attrs

from ..errors import EngineError, problem

OPS = ("==", "!=", "<", "<=", ">", ">=")
STRING_OPS = ("==", "!=")
NUM, STR = "num", "str"
RESERVED = frozenset({"id", "sid"})
FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_CONDITIONS = 8
MAX_STRING = 200


def _bad(code: str, zh: str, en: str) -> EngineError:
    return EngineError(problem(code, zh, en, fix_zh="检查规则定义", fix_en="check the rule definition"))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def as_number(v: Any) -> Optional[float]:
    """The float a fact value stands for, or None if it is not a finite number."""
    if not _is_number(v):
        return None
    try:
        f = float(v)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


@attrs.frozen
class Cond:
    """`field op value` or `field op other` (another field of the same fact)."""

    field: str
    op: str
    value: Any = None
    other: Optional[str] = None

    def __attrs_post_init__(self) -> None:
        for name in (self.field, self.other):
            if name is not None and (not isinstance(name, str) or not FIELD_RE.match(name) or name in RESERVED):
                raise _bad("engine-bad-field", f"字段名无效：{name!r}", f"invalid field name {name!r}")
        if self.op not in OPS:
            raise _bad("engine-bad-op", f"未知比较运算符：{self.op!r}", f"unknown operator {self.op!r}")
        if (self.value is None) == (self.other is None):
            raise _bad("engine-bad-cond", "条件须且只能给出 value 或 other 之一",
                       "a condition needs exactly one of value or other")
        if self.other is not None and self.other == self.field:
            raise _bad("engine-bad-cond", f"字段 {self.field} 与自身比较", f"field {self.field} compared with itself")
        if self.value is not None:
            if isinstance(self.value, str):
                if self.op not in STRING_OPS:
                    raise _bad("engine-string-order", f"字符串只能用 == 或 != 比较：{self.field} {self.op}",
                               f"strings compare only with == or !=: {self.field} {self.op}")
                if len(self.value) > MAX_STRING:
                    raise _bad("engine-long-string", "字符串常量过长", "string constant too long")
            elif as_number(self.value) is None:
                raise _bad("engine-bad-value", f"条件常量须为有限数值或字符串：{self.value!r}",
                           f"a condition constant must be a finite number or a string: {self.value!r}")

    @property
    def kind(self) -> Optional[str]:
        if self.value is None:
            return None
        return STR if isinstance(self.value, str) else NUM

    def to_json(self) -> dict:
        d: dict = {"field": self.field, "op": self.op}
        if self.other is not None:
            d["other"] = self.other
        elif isinstance(self.value, str):
            d["value"] = self.value
        else:
            d["value"] = float(self.value)
        return d


@attrs.frozen
class Rule:
    id: str
    when: tuple = attrs.field(converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id or len(self.id) > 120:
            raise _bad("engine-bad-rule-id", f"规则编号无效：{self.id!r}", f"invalid rule id {self.id!r}")
        if not 1 <= len(self.when) <= MAX_CONDITIONS:
            raise _bad("engine-bad-rule", f"规则 {self.id} 须有 1–{MAX_CONDITIONS} 个条件",
                       f"rule {self.id} needs 1-{MAX_CONDITIONS} conditions")
        if not all(isinstance(c, Cond) for c in self.when):
            raise _bad("engine-bad-rule", f"规则 {self.id} 的条件不是 Cond", f"rule {self.id}: conditions must be Cond")


def _field_types(rules: tuple[Rule, ...]) -> dict[str, str]:
    """Type each field from its uses; fields compared with each other share a type (default number)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rules:
        for c in r.when:
            find(c.field)
            if c.other is not None:
                parent[find(c.field)] = find(c.other)
    typed: dict[str, str] = {}
    for r in rules:
        for c in r.when:
            k = c.kind
            if k is None:
                continue
            root = find(c.field)
            if typed.setdefault(root, k) != k:
                raise _bad("engine-type-conflict", f"字段 {c.field} 既作数值又作字符串比较（规则 {r.id}）",
                           f"field {c.field} is compared both as a number and as a string (rule {r.id})")
    out = {f: typed.get(find(f), NUM) for f in list(parent)}
    for r in rules:
        for c in r.when:
            if c.other is not None and out[c.field] == STR and c.op not in STRING_OPS:
                raise _bad("engine-string-order", f"字符串字段只能用 == 或 != 比较（规则 {r.id}）",
                           f"string fields compare only with == or != (rule {r.id})")
    return out


@attrs.frozen
class RuleSet:
    """An ordered, validated set of rules with a content hash (its identity for compiled engines)."""

    rules: tuple = attrs.field(converter=tuple)
    version: str = "0"
    types: Mapping[str, str] = attrs.field(init=False, eq=False, repr=False)
    sha256: str = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not all(isinstance(r, Rule) for r in self.rules):
            raise _bad("engine-bad-ruleset", "规则集只能包含 Rule", "a rule set holds Rule objects only")
        ids = [r.id for r in self.rules]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise _bad("engine-duplicate-rule", f"规则编号重复：{', '.join(dup)}", f"duplicate rule ids: {', '.join(dup)}")
        object.__setattr__(self, "types", _field_types(self.rules))
        canon = json.dumps({"version": self.version,
                            "rules": [{"id": r.id, "when": [c.to_json() for c in r.when]} for r in self.rules]},
                           sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        object.__setattr__(self, "sha256", hashlib.sha256(canon.encode()).hexdigest())


def clean_fact(fact: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    """The typed view of a fact: only fields the rules use, only values of the field's type."""
    out: dict[str, Any] = {}
    for name, v in fact.items():
        kind = types.get(name)
        if kind is None:
            continue
        if kind == STR:
            if isinstance(v, str) and len(v) <= 10_000:
                out[name] = str(v)
        elif type(v) is float:
            if math.isfinite(v):
                out[name] = v
        else:
            f = as_number(v)
            if f is not None:
                out[name] = f
    return out
