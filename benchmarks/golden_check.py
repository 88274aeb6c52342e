"""Byte-for-byte guard for performance work: record diagnoses and load errors once, then compare after each change.

Run: .venv/bin/python benchmarks/golden_check.py record [--dir /tmp/gd/golden]   (before changing anything)
     .venv/bin/python benchmarks/golden_check.py check  [--dir /tmp/gd/golden]   (after each change; exit 1 on a difference)

`record` writes its inputs into the folder too (YAML/JSON files), so `check` reads exactly the same files:
the demo park, varied parks (greendiag.testing.varied_parks, as bench_batch.py), derandomised hypothesis
parks (greendiag.testing.park_datasets, also as .json), and broken files (schema, unit and YAML errors).
For each it keeps `to_dict()` as json.dumps(sort_keys=True) on both backends, or every Problem of the error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BACKENDS = ("durable", "python")

BROKEN_TEXTS = {  # raw file texts the YAML/JSON reader must refuse, each with its location
    "dup-key.yaml": "format: greendiag-dataset/1\nformat: greendiag-dataset/1\n",
    "tab.yaml": "format: x\n\tpark: 1\n",
    "unclosed.yaml": 'format: "greendiag-dataset/1\npark: {name: a}\n',
    "nan.yaml": "format: greendiag-dataset/1\nvalue: .nan\n",
    "inf.yaml": "a: [1, 2, -.inf]\n",
    "tag.yaml": "a: !!python/object:os.system ls\n",
    "custom-tag.yaml": "a: !foo bar\n",
    "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                 "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e]\n",
    "deep.yaml": "a: " + "[" * 80 + "]" * 80 + "\n",
    "complex-key.yaml": "? [a, b]\n: 1\n",
    "control.yaml": "a: \"x\x07y\"\n",
    "control-raw.yaml": "a: x\x07y\n",
    "multi-doc.yaml": "a: 1\n---\nb: 2\n",
    "empty-doc.yaml": "# only a comment\n",
    "list-top.yaml": "- 1\n- 2\n",
    "merge.yaml": "base: &b {x: 1}\nother:\n  <<: *b\n  x: 2\n  x: 3\n",
    "bad-indent.yaml": "a:\n  b: 1\n c: 2\n",
    "trailing-comma.json": '{"format": "greendiag-dataset/1",}',
    "nan.json": '{"format": "greendiag-dataset/1", "x": NaN}',
    "dup.json": '{"a": 1, "a": 2}',
    "bool-words.yaml": "format: greendiag-dataset/1\nfictitious: yes\npark: {name: NO}\ndiagnosis_year: 2025\nyears: []\n",
    "date.yaml": "format: greendiag-dataset/1\npark: {name: 2024-01-01}\ndiagnosis_year: 2025\nyears: [{year: 2024}]\n",
    "octal.yaml": "format: greendiag-dataset/1\npark: {name: a}\ndiagnosis_year: 0o3751\nyears: [{year: 2024}]\n",
    "null-key.yaml": "~: 1\nformat: greendiag-dataset/1\n",
    "int-key.yaml": "1: 1\n2.5: x\n",
    "bom.yaml": "\ufeffformat: greendiag-dataset/1\n",
    "nul.yaml": "a: 1\x00\n",
}


def _mutations(data: dict, rnd: random.Random) -> dict:
    """A copy of a valid dataset dict with one random thing wrong (a leaf replaced, a key dropped or added)."""
    from greendiag.testing import DROP, EXTRA, document_paths, mutate

    what = rnd.choice(["abc", -5, 150, 1e9, None, True, [], {}, {"value": "x"}, {"oops": 1}, "12 kg", "32000 元/tce",
                       "", DROP, EXTRA, "1,5", "符合", 2024.5, "2024-13-01", "x" * 300])
    return mutate(data, rnd.choice(document_paths(data)), what, extra_key="zz_unknown_" + str(rnd.randint(0, 9)))


def _dump_yaml(data, path: pathlib.Path) -> None:
    import yaml

    with open(path, "w", encoding="utf-8") as f:
        yaml.dump(data, f, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False)


def _hypothesis_parks(n: int) -> list[dict]:
    from hypothesis import HealthCheck, Phase, given, settings

    from greendiag.testing import park_datasets

    out: list[dict] = []

    @settings(derandomize=True, max_examples=n, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(park_datasets())
    def collect(d):
        out.append(d)

    collect()
    return out[:n]


def write_inputs(folder: pathlib.Path, n_varied: int, n_hyp: int) -> None:
    """Every input file, written once by `record`."""
    from greendiag.testing import varied_parks
    from greendiag.yamlio import read_document

    folder.mkdir(parents=True, exist_ok=True)
    demo = read_document(ROOT / "examples" / "demo-park.yaml").data
    (folder / "000-demo.yaml").write_text((ROOT / "examples" / "demo-park.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for k, d in enumerate(varied_parks(demo, None, n_varied, seed=7)):
        _dump_yaml(d, folder / f"100-varied-{k:03d}.yaml")
    hyp = _hypothesis_parks(n_hyp)
    for k, d in enumerate(hyp):
        if k % 3 == 0:
            (folder / f"200-hyp-{k:03d}.json").write_text(json.dumps(d, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            _dump_yaml(d, folder / f"200-hyp-{k:03d}.yaml")
    rnd = random.Random(11)
    bases = [demo] + hyp
    for k in range(60):
        _dump_yaml(_mutations(rnd.choice(bases), rnd), folder / f"300-mutated-{k:03d}.yaml")
    for name, text in BROKEN_TEXTS.items():
        (folder / f"400-{name}").write_text(text, encoding="utf-8")
    (folder / "400-not-utf8.yaml").write_bytes(b"a: \xff\xfe\n")


def outcomes(folder: pathlib.Path) -> dict[str, str]:
    """name -> JSON text of each diagnosis (per backend and as_of) or of the error's problems."""
    import greendiag
    from greendiag.errors import GreendiagError

    cat = greendiag.load_catalogue()
    rb = greendiag.load_rules(catalogue=cat)
    out: dict[str, str] = {}
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".json")):
        rel = path.name
        try:
            ds = greendiag.load_dataset(path, catalogue=cat)
        except GreendiagError as exc:
            out[rel + ":error"] = json.dumps({"type": type(exc).__name__,
                                              "problems": [dict(p.to_dict(), file=os.path.basename(p.file or ""))
                                                           for p in exc.problems]},
                                             sort_keys=True, ensure_ascii=False)
            continue
        for backend in BACKENDS:
            for as_of in (None, dt.date(2026, 5, 1)):
                d = greendiag.diagnose(ds, catalogue=cat, rules=rb, backend=backend, as_of=as_of).to_dict()
                out[f"{rel}:{backend}:{as_of}"] = json.dumps(d, sort_keys=True, ensure_ascii=False)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["record", "check"])
    ap.add_argument("--dir", default="/tmp/gd/golden")
    ap.add_argument("--varied", type=int, default=50)
    ap.add_argument("--hypothesis", type=int, default=60)
    args = ap.parse_args()
    folder = pathlib.Path(args.dir)
    inputs = folder / "inputs"
    if args.mode == "record":
        write_inputs(inputs, args.varied, args.hypothesis)
        got = outcomes(inputs)
        (folder / "golden.json").write_text(json.dumps(got, sort_keys=True, ensure_ascii=False, indent=0), encoding="utf-8")
        n_err = sum(k.endswith(":error") for k in got)
        print(f"recorded {len(got)} outcomes ({n_err} errors) from {len(list(inputs.iterdir()))} files in {folder}")
        return 0
    want = json.loads((folder / "golden.json").read_text(encoding="utf-8"))
    got = outcomes(inputs)
    bad = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    for k in bad[:20]:
        a, b = want.get(k, ""), got.get(k, "")
        i = next((j for j in range(min(len(a), len(b))) if a[j] != b[j]), min(len(a), len(b)))
        print(f"DIFF {k}\n  want …{a[max(0, i - 120):i + 200]}\n  got  …{b[max(0, i - 120):i + 200]}")
    print(f"{len(got)} outcomes, {len(bad)} different")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
