"""The pure-Python evaluator and the plain statement of rule semantics (`evaluate_naive`, the test oracle).

`evaluate` indexes rules by their first string-equality condition (in practice the fact type), so a fact
is only checked against rules that can match it; the index never changes the answer, since a rule is
skipped only when its key condition is false. For each set of candidate rules it generates one small
Python function (from the validated IR only: field names match `ir.FIELD_RE`, constants are finite
floats or strings written with repr) that types each field the rules read once, as `_typed` does, and
tests every rule with plain comparisons. The tests hold `evaluate` to `evaluate_naive` on random and
hostile rule sets and facts.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Callable, Mapping, Sequence

from .ir import STR, RuleSet, as_number

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_plans: dict[str, "_Plan"] = {}


def _typed(fact: Mapping[str, Any], name: str, kind: str):
    v = fact.get(name)
    if kind == STR:
        return v if isinstance(v, str) and len(v) <= 10_000 else None
    return as_number(v)


def _checker(rules: list, types: Mapping[str, str]) -> Callable[[Mapping[str, Any]], list]:
    """One function testing `rules` on a fact: returns the ids of those that fire, in rule order.

    Each field is read and typed once into a local (None when missing or of the wrong type, exactly as
    `_typed`); a condition holds when both sides are not None and the comparison is true."""
    fields = sorted({n for r in rules for c in r.when for n in (c.field, c.other) if n is not None})
    local = {name: f"x{k}" for k, name in enumerate(fields)}
    lines = ["def check(fact):", "    get = fact.get", "    out = []"]
    for name in fields:
        x = local[name]
        lines.append(f"    v = get({name!r})")
        if types[name] == STR:
            lines.append(f"    {x} = v if isinstance(v, str) and len(v) <= 10000 else None")
        else:
            lines += [f"    if type(v) is float:", f"        {x} = v if -inf < v < inf else None",
                      f"    else:", f"        {x} = as_number(v)"]
    for rule in rules:
        terms = []
        for c in rule.when:
            a = local[c.field]
            if c.other is not None:
                b = local[c.other]
                terms.append(f"{a} is not None and {b} is not None and {a} {c.op} {b}")
            else:
                const = c.value if types[c.field] == STR else float(c.value)
                terms.append(f"{a} is not None and {a} {c.op} {const!r}")
        lines += [f"    if {' and '.join(terms)}:", f"        out.append({rule.id!r})"]
    lines.append("    return out")
    namespace: dict[str, Any] = {"inf": math.inf, "as_number": as_number}
    exec(compile("\n".join(lines), "<greendiag rule checker>", "exec"), namespace)  # noqa: S102 - generated from the IR above
    return namespace["check"]


class _Plan:
    """A rule set compiled for `evaluate`: rules indexed by their first string-equality condition, and one
    checker per combination of key values a fact can meet (made on first use)."""

    def __init__(self, rs: RuleSet):
        self.types = rs.types
        self.rules = rs.rules
        self.keyed: dict[tuple[str, str], list[int]] = {}
        self.unkeyed: list[int] = []
        for k, rule in enumerate(rs.rules):
            key = next(((c.field, c.value) for c in rule.when
                        if c.op == "==" and c.other is None and self.types[c.field] == STR), None)
            (self.keyed.setdefault(key, []) if key else self.unkeyed).append(k)
        self.key_fields = tuple(sorted({k[0] for k in self.keyed}))
        self.checkers: dict[tuple, Callable] = {}

    def checker(self, key_values: tuple) -> Callable[[Mapping[str, Any]], list]:
        """The checker for facts whose key fields hold `key_values` (each a key constant of some rule, or None)."""
        check = self.checkers.get(key_values)
        if check is None:
            picked = list(self.unkeyed)
            for kf, v in zip(self.key_fields, key_values):
                if v is not None:
                    picked += self.keyed[(kf, v)]
            check = self.checkers[key_values] = _checker([self.rules[k] for k in sorted(picked)], self.types)
        return check


def _plan(rs: RuleSet) -> _Plan:
    plan = _plans.get(rs.sha256)
    if plan is None:
        if len(_plans) > 256:
            _plans.clear()
        plan = _plans[rs.sha256] = _Plan(rs)
    return plan


def evaluate(rs: RuleSet, facts: Sequence[Mapping[str, Any]]) -> tuple[tuple[int, str], ...]:
    """Same answer as `evaluate_naive`, faster: indexed candidates, each fact typed once, generated comparisons."""
    plan = _plan(rs)
    key_fields, keyed = plan.key_fields, plan.keyed
    fired = []
    for i, fact in enumerate(facts):
        kv = []
        for kf in key_fields:
            v = fact.get(kf)
            # a key value no rule is keyed on selects no keyed rule: one checker for all such values
            kv.append(v if isinstance(v, str) and (kf, v) in keyed else None)
        for rule_id in plan.checker(tuple(kv))(fact):
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
