"""Engine-only throughput: the real rule base over one park's prepared facts, both backends.

Run: .venv/bin/python benchmarks/bench_engine.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import machine, rate  # noqa: E402

import greendiag  # noqa: E402
from greendiag import facts as factsmod  # noqa: E402
from greendiag.engine import Cond, Rule, RuleSet, evaluate  # noqa: E402
from greendiag.scoring import score_dataset  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    cat = greendiag.load_catalogue()
    rb = greendiag.load_rules(catalogue=cat)
    ds = greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml", catalogue=cat)
    card = score_dataset(ds, cat)
    consts = {c.name: c.value for c in rb.constants}
    facts = [f for f, _ in factsmod.prepare(ds, cat, card, consts, None, rb.term_lists())]
    # the shape measured in durable-rules-notes.md: one fact of 31 fields, 60 threshold rules
    flat = RuleSet(tuple(Rule(f"r{i}", (Cond(f"x{i % 31}", "<" if i % 2 else ">", value=float(i)),)) for i in range(60)))
    one = [{f"x{j}": float(j * 2) for j in range(31)}]
    print(f"machine: {machine()}")
    print(f"rule base {rb.id} {rb.version}: {len(rb.compiled.rules)} rules; one park = {len(facts)} facts\n")
    print("| workload | backend | evaluations/s | ms each |")
    print("|---|---|---|---|")
    for label, rs, fs in (("real rule base, one park", rb.compiled, facts), ("60 rules, one 31-field fact", flat, one)):
        for backend in ("durable", "python"):
            per_s, ms = rate(lambda: evaluate(rs, fs, backend), seconds=args.seconds)
            print(f"| {label} | {backend} | {per_s:,.0f} | {ms:.3f} |")


if __name__ == "__main__":
    main()
