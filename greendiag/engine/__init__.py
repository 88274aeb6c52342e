"""The rules engine: a backend-neutral rule IR, the durable-rules backend and the Python oracle.

`evaluate(ruleset, facts, backend)` returns the sorted pairs (fact index, rule id) of every rule
that fires for every fact. Both backends implement the semantics documented in `ir` and are
checked against each other by a differential property test.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..errors import EngineError, problem
from .ir import Cond, Rule, RuleSet, clean_fact
from . import reference as _reference

BACKENDS = ("durable", "python")

__all__ = ["BACKENDS", "Cond", "EngineError", "Rule", "RuleSet", "check_backend", "clean_fact", "evaluate"]


def evaluate(ruleset: RuleSet, facts: Sequence[Mapping[str, Any]], backend: str = "durable") -> tuple[tuple[int, str], ...]:
    """Fire `ruleset` over `facts`; returns sorted (fact index, rule id) pairs."""
    if not isinstance(ruleset, RuleSet):
        raise EngineError(problem("engine-bad-ruleset", "需要 RuleSet", "a RuleSet is required"))
    check_backend(backend)
    if backend == "python":
        return _reference.evaluate(ruleset, facts)
    from . import _durable
    return _durable.evaluate(ruleset, facts)


def check_backend(backend: Any) -> str:
    """The backend name, or an EngineError naming the choices (also used before a batch starts its workers)."""
    if backend in BACKENDS:
        return backend
    raise EngineError(problem("engine-bad-backend", f"未知后端：{backend!r}（可选 durable、python）",
                              f"unknown backend {backend!r} (choose durable or python)",
                              fix_zh="backend='durable' 或 backend='python'", fix_en="backend='durable' or backend='python'"))
