"""The pure-Python evaluator: the readable definition of rule semantics and the test oracle.

Rules are precompiled once per rule set into tuples, and indexed by their first string-equality
condition (in practice the fact type), so a fact is only checked against rules that can match it.
The index never changes the answer: a rule is skipped only when its key condition is false.
"""

from __future__ import annotations

import operator
from typing import Any, Mapping, Sequence

from .ir import STR, RuleSet, as_number

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_plans: dict[str, tuple] = {}


def _typed(fact: Mapping[str, Any], name: str, kind: str):
    v = fact.get(name)
    if kind == STR:
        return v if isinstance(v, str) and len(v) <= 10_000 else None
    return as_number(v)


def _plan(rs: RuleSet) -> tuple:
    plan = _plans.get(rs.sha256)
    if plan is not None:
        return plan
    types = rs.types
    keyed: dict[tuple[str, str], list] = {}
    unkeyed: list = []
    for rule in rs.rules:
        conds = tuple((c.field, types[c.field], _OPS[c.op], c.other,
                       None if c.other is not None else (c.value if types[c.field] == STR else float(c.value)))
                      for c in rule.when)
        key = next(((c.field, c.value) for c in rule.when
                    if c.op == "==" and c.other is None and types[c.field] == STR), None)
        (keyed.setdefault(key, []) if key else unkeyed).append((rule.id, conds))
    key_fields = tuple(sorted({k[0] for k in keyed}))
    plan = (keyed, tuple(unkeyed), key_fields)
    if len(_plans) > 256:
        _plans.clear()
    _plans[rs.sha256] = plan
    return plan


def evaluate(rs: RuleSet, facts: Sequence[Mapping[str, Any]]) -> tuple[tuple[int, str], ...]:
    keyed, unkeyed, key_fields = _plan(rs)
    fired = []
    for i, fact in enumerate(facts):
        candidates = list(unkeyed)
        for kf in key_fields:
            v = fact.get(kf)
            if isinstance(v, str):
                candidates += keyed.get((kf, v), ())
        for rule_id, conds in candidates:
            for field, kind, op, other, const in conds:
                a = _typed(fact, field, kind)
                if a is None:
                    break
                b = _typed(fact, other, kind) if other is not None else const
                if b is None or not op(a, b):
                    break
            else:
                fired.append((i, rule_id))
    return tuple(sorted(fired))


def evaluate_naive(rs: RuleSet, facts: Sequence[Mapping[str, Any]]) -> tuple[tuple[int, str], ...]:
    """The semantics with no plan and no index: every rule against every fact (checks `evaluate`)."""
    fired = []
    for i, fact in enumerate(facts):
        for rule in rs.rules:
            ok = True
            for c in rule.when:
                kind = rs.types[c.field]
                a = _typed(fact, c.field, kind)
                b = _typed(fact, c.other, kind) if c.other is not None else (c.value if kind == STR else float(c.value))
                if a is None or b is None or not _OPS[c.op](a, b):
                    ok = False
                    break
            if ok:
                fired.append((i, rule.id))
    return tuple(sorted(fired))
