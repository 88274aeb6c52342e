"""Many diagnoses in one process: resident memory must stay flat (durable-rules sessions are deleted,
rule sets compiled once). Prints RSS every tenth of the run; exits 1 if memory grew by more than 20 MB
after the first tenth.

Run: .venv/bin/python benchmarks/memory_flat.py [--n 100000] [--backend durable]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import machine, rss_mb  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--backend", default="durable", choices=["durable", "python"])
    args = ap.parse_args()
    import greendiag

    cat = greendiag.load_catalogue()
    rb = greendiag.load_rules(catalogue=cat)
    ds = greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml", catalogue=cat)
    step = max(1, args.n // 10)
    print(f"machine: {machine()}; {args.n:,} diagnoses, backend {args.backend}")
    print("| diagnoses | RSS MB | elapsed s |")
    print("|---|---|---|")
    start = time.perf_counter()
    marks = []
    for i in range(1, args.n + 1):
        greendiag.diagnose(ds, catalogue=cat, rules=rb, backend=args.backend).to_dict()
        if i % step == 0:
            marks.append(rss_mb())
            print(f"| {i:,} | {marks[-1]:.1f} | {time.perf_counter() - start:.0f} |", flush=True)
    growth = marks[-1] - marks[0]
    print(f"\ngrowth after the first tenth: {growth:+.1f} MB")
    return 0 if growth <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
