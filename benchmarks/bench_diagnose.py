"""Full diagnoses of one park (load once; score, rules, findings, to_dict): parks/s and warm latency.

Run: .venv/bin/python benchmarks/bench_diagnose.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import machine, rate  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def import_time() -> float:
    """Seconds for a fresh interpreter to import greendiag and load the default catalogue (best of 5)."""
    code = ("import time; t=time.perf_counter(); import greendiag; greendiag.load_catalogue(); "
            "print(time.perf_counter()-t)")
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
               for _ in range(5))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    import greendiag

    cat = greendiag.load_catalogue()
    rb = greendiag.load_rules(catalogue=cat)
    ds = greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml", catalogue=cat)
    print(f"machine: {machine()}\n")
    print("| step | backend | parks/s | ms per park |")
    print("|---|---|---|---|")
    for backend in ("durable", "python"):
        per_s, ms = rate(lambda: greendiag.diagnose(ds, catalogue=cat, rules=rb, backend=backend), seconds=args.seconds)
        print(f"| diagnose() | {backend} | {per_s:,.0f} | {ms:.2f} |")
        per_s, ms = rate(lambda: greendiag.diagnose(ds, catalogue=cat, rules=rb, backend=backend).to_dict(), seconds=args.seconds)
        print(f"| diagnose().to_dict() | {backend} | {per_s:,.0f} | {ms:.2f} |")
    path = ROOT / "examples" / "demo-park.yaml"
    per_s, ms = rate(lambda: greendiag.load_dataset(path, catalogue=cat), seconds=args.seconds)
    print(f"| load_dataset(demo YAML) | - | {per_s:,.0f} | {ms:.2f} |")
    print(f"\nimport greendiag + default catalogue (fresh interpreter, best of 5): {1000 * import_time():.0f} ms")


if __name__ == "__main__":
    main()
