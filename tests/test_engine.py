"""The engine: IR validation, semantics on hand-written cases, and the durable backend checked against
the pure-Python oracle on random (also hostile) rule sets and facts."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greendiag.engine import Cond, EngineError, Rule, RuleSet, evaluate
from greendiag.engine.reference import evaluate_naive
from greendiag.errors import GreendiagError
from greendiag import testing as kit

BACKENDS = ("python", "durable")
NUM_FIELDS = kit.NUM_FIELDS


# --- semantics, written by hand -------------------------------------------------------------------

def _rs(*rules):  # noqa: D103
    return RuleSet(tuple(Rule(rid, tuple(conds)) for rid, conds in rules), version="t")


@pytest.mark.parametrize("backend", BACKENDS)
def test_threshold_and_cross_field(backend):
    rs = _rs(("gt", [Cond("v", ">", value=10)]), ("le", [Cond("v", "<=", value=10)]),
             ("cross", [Cond("v", "<", other="w")]), ("eq", [Cond("kind", "==", value="indicator")]))
    facts = [{"v": 11.0, "w": 12.0}, {"v": 10, "kind": "indicator"}, {"v": 10.0, "w": 10.0}, {"kind": "other"}]
    assert evaluate(rs, facts, backend) == ((0, "cross"), (0, "gt"), (1, "eq"), (1, "le"), (2, "le"))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad", ["95", "abc", True, False, None, float("nan"), float("inf"), -float("inf"),
                                 [1], {"a": 1}, 10 ** 400])
def test_non_numbers_never_compare(backend, bad):
    # durable-rules by itself says "95" > 100 and "abc" > 100 are true; the adapter must not.
    rs = _rs(("gt", [Cond("v", ">", value=-1e300)]), ("lt", [Cond("v", "<", value=1e300)]),
             ("ne", [Cond("v", "!=", value=0)]), ("cross", [Cond("v", "!=", other="w")]))
    assert evaluate(rs, [{"v": bad, "w": 1.0}], backend) == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_missing_field_never_matches_not_equal(backend):
    rs = _rs(("ne", [Cond("v", "!=", value=1)]), ("cross", [Cond("v", "<", other="w")]),
             ("sne", [Cond("s", "!=", value="x")]))
    assert evaluate(rs, [{}, {"v": 0.0}, {"w": 1.0}, {"s": 3.0}], backend) == ((1, "ne"),)


@pytest.mark.parametrize("backend", BACKENDS)
def test_floats_that_json_dumps_writes_with_bare_exponent(backend):
    # json.dumps(1e-05) == '1e-05', which durable-rules' parser rejects; thresholds like this must work.
    rs = _rs(("tiny", [Cond("v", ">", value=1e-05)]), ("huge", [Cond("v", ">=", value=1e16)]))
    facts = [{"v": 2e-05}, {"v": 1e-06}, {"v": 1e16}, {"v": 5e-324}]
    assert evaluate(rs, facts, backend) == ((0, "tiny"), (2, "huge"), (2, "tiny"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_strings_with_quotes_unicode_and_escapes(backend):
    names = ['园区', 'a"b', "back\\slash", "", "line\nbreak", "\u0000nul", "é", "😀"]
    rs = _rs(*[(f"eq{i}", [Cond("s", "==", value=n)]) for i, n in enumerate(names)])
    got = evaluate(rs, [{"s": n} for n in names], backend)
    assert got == tuple((i, f"eq{i}") for i in range(len(names)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_many_rules_match_one_fact(backend):
    # > 64 rules matching one fact is error 303 in durable-rules: the adapter shards.
    rs = _rs(*[(f"r{i:03d}", [Cond("v", ">", value=float(-i))]) for i in range(150)])
    assert evaluate(rs, [{"v": 1.0}], backend) == tuple((0, f"r{i:03d}") for i in range(150))


@pytest.mark.parametrize("backend", BACKENDS)
def test_fact_matching_nothing_and_empty_input(backend):
    rs = _rs(("gt", [Cond("v", ">", value=1)]))
    assert evaluate(rs, [{"v": 0.0}], backend) == ()
    assert evaluate(rs, [], backend) == ()


def test_sessions_are_deleted_so_many_evaluations_work():
    # durable-rules allows at most 1,024 live sessions per ruleset; each evaluation must delete its own.
    rs = _rs(("gt", [Cond("v", ">", value=1)]))
    for i in range(1500):
        assert evaluate(rs, [{"v": 2.0}, {"v": 0.0}], "durable") == ((0, "gt"),)


def test_compiled_rule_sets_are_bounded_and_evicted_ones_work_again():
    """A process that sees many rule sets (rule authoring in a loop, a service) keeps at most MAX_COMPILED compiled;
    the least recently used are deleted from durable-rules and compiled again when they come back."""
    from greendiag.engine import _durable

    limit = _durable.MAX_COMPILED
    sets = [_rs((f"gt{k}", [Cond("v", ">", value=float(k))])) for k in range(limit + 8)]
    facts = [{"v": 5.5}]
    for k, rs in enumerate(sets):
        want = ((0, f"gt{k}"),) if 5.5 > k else ()
        assert evaluate(rs, facts, "durable") == want
        assert _durable.compiled_count() <= limit
    assert sets[0].sha256 not in _durable._compiled  # evicted …
    assert evaluate(sets[0], facts, "durable") == ((0, "gt0"),)  # … and compiled again
    hot = sets[-1]
    for rs in sets[:limit - 1]:
        evaluate(hot, facts, "durable")  # used between the others: stays
        evaluate(rs, facts, "durable")
    assert hot.sha256 in _durable._compiled


@pytest.mark.parametrize("make", [
    lambda: Cond("v", "~", value=1),
    lambda: Cond("v", ">", value="x"),
    lambda: Cond("v", ">", value=float("nan")),
    lambda: Cond("v", ">", value=True),
    lambda: Cond("v", ">"),
    lambda: Cond("v", ">", value=1, other="w"),
    lambda: Cond("id", "==", value=1),
    lambda: Cond("a.b", "==", value=1),
    lambda: Cond("v", "<", other="v"),
    lambda: Rule("r", ()),
    lambda: _rs(("a", [Cond("v", ">", value=1)]), ("a", [Cond("v", "<", value=1)])),
    lambda: _rs(("a", [Cond("v", ">", value=1)]), ("b", [Cond("v", "==", value="x")])),
    lambda: _rs(("a", [Cond("s", "==", value="x")]), ("b", [Cond("s", "<", other="t")])),
])
def test_bad_rules_are_typed_errors(make):
    with pytest.raises(EngineError) as info:
        make()
    assert isinstance(info.value, GreendiagError) and info.value.problems[0].code.startswith("engine-")


def test_unknown_backend():
    with pytest.raises(EngineError):
        evaluate(_rs(("a", [Cond("v", ">", value=1)])), [], "drools")


def test_sha256_is_content_identity():
    a = _rs(("a", [Cond("v", ">", value=1)]))
    b = _rs(("a", [Cond("v", ">", value=1.0)]))
    c = _rs(("a", [Cond("v", ">=", value=1)]))
    assert a.sha256 == b.sha256 != c.sha256
    assert len(a.sha256) == 64


# --- differential: durable vs the Python oracle ---------------------------------------------------

# the strategies live in the testing kit (greendiag.testing), which other tools use too
rule_sets = kit.rule_sets()
fact_lists = st.lists(kit.facts(), min_size=0, max_size=8)
numbers = kit.numbers()
_fact_from = kit.fact_from


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rs=rule_sets, facts=fact_lists, seeded=st.lists(st.dictionaries(st.sampled_from(NUM_FIELDS), numbers), max_size=3))
def test_durable_fires_exactly_what_the_oracle_fires(rs, facts, seeded):
    facts = facts + [_fact_from(rs, s) for s in seeded]
    expected = evaluate_naive(rs, facts)
    assert evaluate(rs, facts, "python") == expected
    assert evaluate(rs, facts, "durable") == expected


# --- crash-prone cases, each in a fresh interpreter -----------------------------------------------

CRASHERS = {
    "fact matching nothing, then session deleted": """
        rs = RuleSet((Rule("a", (Cond("v", ">", value=1),)),))
        for _ in range(200): assert evaluate(rs, [{"zzz": 1.0}], "durable") == ()
    """,
    "integer-looking division bait and zero": """
        rs = RuleSet((Rule("a", (Cond("v", "<", other="w"),)), Rule("b", (Cond("w", "==", value=0),))))
        assert evaluate(rs, [{"v": 7, "w": 0}, {"v": 0, "w": 0}], "durable") == ((0, "b"), (1, "b"))
    """,
    "more than 64 matches and more than 512 conditions": """
        rules = tuple(Rule(f"r{i}", tuple(Cond(f"f{j}", ">", value=float(-i)) for j in range(8))) for i in range(120))
        fact = {f"f{j}": 1.0 for j in range(8)}
        assert len(evaluate(RuleSet(rules), [fact], "durable")) == 120
    """,
    "more than 1,024 evaluations of one rule set": """
        rs = RuleSet((Rule("a", (Cond("v", ">", value=1),)),))
        for _ in range(1100): evaluate(rs, [{"v": 2.0}], "durable")
    """,
    "bare exponent floats and NaN in facts": """
        rs = RuleSet((Rule("a", (Cond("v", ">", value=1e-05),)),))
        assert evaluate(rs, [{"v": 1e-04}, {"v": float("nan")}, {"v": 1e400}], "durable") == ((0, "a"),)
    """,
    "threads share one lock": """
        import threading
        rs = RuleSet(tuple(Rule(f"r{i}", (Cond("v", ">", value=float(i)),)) for i in range(20)))
        out = []
        def work():
            for _ in range(200): out.append(evaluate(rs, [{"v": 10.5}], "durable"))
        ts = [threading.Thread(target=work) for _ in range(8)]
        [t.start() for t in ts]; [t.join() for t in ts]
        assert len(set(out)) == 1 and len(out) == 1600
    """,
}


@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_crash_prone_cases_in_subprocess(name):
    code = "from greendiag.engine import Cond, Rule, RuleSet, evaluate\n" + textwrap.dedent(CRASHERS[name])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{name}: exit {proc.returncode}\n{proc.stderr[-2000:]}"


@pytest.mark.parametrize("n", [63, 64, 65, 1000])
def test_many_facts_in_one_evaluation(n):
    rs = _rs(("odd", [Cond("kind", "==", value="x"), Cond("v", ">", value=0.5)]), ("all", [Cond("v", ">=", value=0)]))
    facts = [{"kind": "x", "v": float(i % 2)} for i in range(n)]
    assert evaluate(rs, facts, "durable") == evaluate_naive(rs, facts)
