"""The pure-Python evaluator: the readable definition of rule semantics and the test oracle."""

from __future__ import annotations

import operator
from typing import Any, Mapping, Sequence

from .ir import STR, RuleSet, as_number

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _typed(fact: Mapping[str, Any], name: str, kind: str):
    v = fact.get(name)
    if kind == STR:
        return v if isinstance(v, str) and len(v) <= 10_000 else None
    return as_number(v)


def evaluate(rs: RuleSet, facts: Sequence[Mapping[str, Any]]) -> tuple[tuple[int, str], ...]:
    types = rs.types
    fired = []
    for i, fact in enumerate(facts):
        for rule in rs.rules:
            for c in rule.when:
                kind = types[c.field]
                a = _typed(fact, c.field, kind)
                if a is None:
                    break
                b = _typed(fact, c.other, kind) if c.other is not None else (
                    c.value if kind == STR else float(c.value))
                if b is None or not _OPS[c.op](a, b):
                    break
            else:
                fired.append((i, rule.id))
    return tuple(sorted(fired))
