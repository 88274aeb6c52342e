"""Many generated parks through diagnose_many: parks/s for 1 and N workers, both backends, from YAML files or dicts.

Run: .venv/bin/python benchmarks/bench_batch.py [--n 2000] [--workers 2] [--input files|dicts] [--backends durable,python]

Each park is the demo park with its values scaled at random (seeded), shares capped at 100 %, some values
left out and one baseline status changed; written as YAML files (the default) so that the figures include
reading and validating each file, as `greendiag diagnose DIR` does (report packs excluded).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def generated_parks(n: int) -> list[dict]:
    """n varied, valid parks derived from examples/demo-park.yaml (fictitious, like the demo)."""
    from greendiag.testing import varied_parks
    from greendiag.yamlio import read_document

    return varied_parks(read_document(ROOT / "examples" / "demo-park.yaml").data, None, n)


def write_files(parks: list[dict], folder: str) -> list[str]:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = []
    for k, data in enumerate(parks):
        path = os.path.join(folder, f"park-{k:05d}.yaml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.dump(data, f, Dumper=dumper, allow_unicode=True, sort_keys=False)
        paths.append(path)
    return paths


def run(items, workers: int, backend: str) -> dict:
    """Wall-clock rate (pool start-up included) and steady rate (from the first finished chunk to the last)."""
    from greendiag import diagnose_many

    marks: list[tuple[float, int]] = []
    start = time.perf_counter()
    results = diagnose_many(items, workers=workers, backend=backend,
                            progress=lambda done, total: marks.append((time.perf_counter(), done)))
    wall = time.perf_counter() - start
    bad = sum(not r.ok for r in results)
    if bad:
        raise SystemExit(f"{bad} parks failed: {results[[r.ok for r in results].index(False)].problems}")
    (t0, d0), (t1, d1) = marks[0], marks[-1]
    steady = (d1 - d0) / (t1 - t0) if t1 > t0 and d1 > d0 else float("nan")
    return {"wall": wall, "rate": len(items) / wall, "steady": steady, "first": t0 - start}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=None, help="N for the parallel runs (default: CPUs available)")
    ap.add_argument("--input", choices=["files", "dicts"], default="files")
    ap.add_argument("--backends", default="durable,python")
    args = ap.parse_args()
    from greendiag.batch import _cpus

    n_workers = args.workers or _cpus()
    parks = generated_parks(args.n)
    print(f"machine: {machine()}; {_cpus()} CPUs usable; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{args.n:,} generated parks as {args.input}; 'steady' leaves out pool start-up (first chunk to last)\n")
    print("| input | backend | workers | wall s | parks/s | parks/s per worker | steady parks/s | first result after s |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="greendiag-bench-") as folder:
        items = write_files(parks, folder) if args.input == "files" else parks
        for backend in args.backends.split(","):
            for workers in sorted({1, n_workers}):
                r = run(items, workers, backend)
                print(f"| {args.input} | {backend} | {workers} | {r['wall']:.1f} | {r['rate']:,.0f} | {r['rate'] / workers:,.0f} | "
                      f"{r['steady']:,.0f} | {r['first']:.2f} |", flush=True)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
