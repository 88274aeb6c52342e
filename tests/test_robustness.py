"""Hostile input to every public entry point: each raises a GreendiagError with a message, or succeeds
with a result that keeps the scoring invariants. Never another exception type, never a crash, never a
wrong result, and no data file can run code. The most dangerous durable-backend cases run in a
subprocess, so an interpreter crash shows as a return code."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import pathlib
import subprocess
import sys
import textwrap

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import greendiag
from greendiag import (CatalogueError, DatasetError, GreendiagError, RuleError, dataset_from_dict, diagnose,
                       load_catalogue, load_dataset, load_rules)
from greendiag.testing import assert_scoring_invariants, indicator_values, mutated_documents, park_datasets

ROOT = pathlib.Path(__file__).resolve().parents[1]
CAT = load_catalogue()
QUIET = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                    HealthCheck.function_scoped_fixture])
BOUNDS_CODES = {"negative-value", "below-bounds", "share-over-100", "above-bounds"}


def clean(call, *args, **kwargs):
    """Run an entry point: its result, or the GreendiagError it raised (checked to carry messages)."""
    try:
        return call(*args, **kwargs)
    except GreendiagError as exc:
        assert exc.problems and str(exc).strip()
        for p in exc.problems:
            assert p.code and p.message_zh.strip() and p.message_en.strip(), p
        return exc


def diagnosed_ok(ds, backend="python"):
    """A dataset that loaded must diagnose, keep the invariants and serialise as strict JSON, deterministically."""
    diag = diagnose(ds, backend=backend)
    assert_scoring_invariants(diag)
    text = diag.to_json()  # allow_nan=False: a NaN or inf anywhere fails here
    assert json.loads(text) == diag.to_dict()
    assert diagnose(ds, backend=backend).to_json() == text
    return diag


# ---------------------------------------------------------------- hostile values inside dataset dicts

HOSTILE = [float("nan"), float("inf"), -float("inf"), 10 ** 400, -(10 ** 400), 1e308, -1e308, 5e-324, -5e-324, 1e-05,
           "1e-05", "NaN", "nan %", "inf", "-inf", "1e999", "1e-999", "95%", "１２.５", "12,5", "1_000", "0x10", " 7 ",
           "12.5 万元/kgce", "3 m", "1e308 万元/kgce", True, False, None, [], {}, [1.0], {"value": None},
           {"value": float("nan")}, {"value": 1, "unit": "furlong"}, {1: 2}, {(1, 2): 3}, "\ud800", "", " ", "-0",
           b"bytes", dt.date(2024, 1, 1), {1.5}, 1j, "9" * 400, "2024-02-30", "9999-12-31", "0000-01-01"]


def _deep(n):
    v: object = 1.0
    for _ in range(n):
        v = {"value": v}
    return v


def _cycle():
    d: dict = {"value": 1.0}
    d["self"] = d
    return d


hostile_values = st.one_of(st.sampled_from(HOSTILE), st.floats(), st.integers(), st.text(max_size=12),
                           st.sampled_from([_deep(200), [[[]]] * 3]).map(copy.deepcopy), st.builds(_cycle))


def mutated_datasets():
    """Valid datasets with 1–3 things wrong: hostile values, removed keys, unknown keys (greendiag.testing)."""
    return park_datasets(diagnosis_year=2025, years=(2022, 2023, 2024)).flatmap(
        lambda data: mutated_documents(data, hostile_values, changes=3))


@settings(max_examples=150, **QUIET)
@given(mutated_datasets())
@example({"format": "greendiag-dataset/1", "park": {"name": "P", "area_km2": float("nan")}, "diagnosis_year": 2025,
          "years": [{"year": 2024}]})  # was: NaN passed the schema and broke to_json
@example({"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
          "years": [{"year": 2024, "indicators": {"energy_productivity": 10 ** 400}}]})  # was: OverflowError
@example({"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
          "years": [{"year": 2024}], "engagement": {"report_submitted": "9999-12-31"}})  # was: date overflow
@example({"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
          "years": [{"year": 2024, "indicators": {"renewable_energy_share": float("nan")}}]})  # was: NaN score
def test_dataset_dicts_with_hostile_values(data):
    got = clean(dataset_from_dict, data)
    if not isinstance(got, GreendiagError):
        diagnosed_ok(got)


@settings(max_examples=40, **QUIET)
@given(hostile_values)
def test_anything_as_the_whole_dataset(value):
    got = clean(dataset_from_dict, value)
    assert isinstance(got, DatasetError)


def _one(ind_id, value, year=2024, **extra):
    return {"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
            "years": [{"year": year, "indicators": {ind_id: value}}], **extra}


@settings(max_examples=200, **QUIET)
@given(st.sampled_from([i for i in CAT.indicators if not i.qualitative]),
       st.one_of(st.floats(), st.sampled_from([1e308, -1e308, 5e-324, 1e-05, 10 ** 400, 2 ** 53 + 1])))
@example(CAT.indicator("pollutant_elasticity"), 1e308)  # was: gap_pct overflowed to inf in the facts
@example(CAT.indicator("carbon_intensity_reduction"), -1e308)
def test_a_number_is_kept_exactly_or_refused_with_the_right_code(ind, x):
    got = clean(dataset_from_dict, _one(ind.id, x))
    fx = float(x) if abs(x) < 1e308 or isinstance(x, float) else math.inf
    if not math.isfinite(fx):
        assert isinstance(got, DatasetError) and set(got.codes) & {"non-finite-number", "number-too-large"}
    elif (ind.bounds_min is not None and fx < ind.bounds_min) or (ind.bounds_max is not None and fx > ind.bounds_max):
        assert isinstance(got, DatasetError) and set(got.codes) <= BOUNDS_CODES, got
    else:
        assert not isinstance(got, GreendiagError), got
        assert got.value(ind.id, 2024).value == fx  # never silently changed
        diagnosed_ok(got)


numeric_text = st.from_regex(r"\A[ +\-]?[0-9]{0,4}(\.[0-9]{0,3})?([eE][+\-]?[0-9]{1,3})?\s?(%|万元/tce|元/m3|t/万元|kg/万元|furlong|)\Z")


@settings(max_examples=150, **QUIET)
@given(st.sampled_from([i for i in CAT.indicators if not i.qualitative]), st.one_of(numeric_text, st.text(max_size=20)))
def test_numbers_written_as_text(ind, text):
    got = clean(dataset_from_dict, _one(ind.id, text))
    if not isinstance(got, GreendiagError):
        assert math.isfinite(got.value(ind.id, 2024).value)
        diagnosed_ok(got)


@settings(max_examples=100, **QUIET)
@given(st.sampled_from([i for i in CAT.indicators if i.qualitative]), st.one_of(st.text(max_size=8), hostile_values))
def test_qualitative_levels_only_from_the_catalogue(ind, value):
    got = clean(dataset_from_dict, _one(ind.id, value))
    if not isinstance(got, GreendiagError):
        assert got.value(ind.id, 2024).level in {lv.id for lv in ind.levels}
        assert isinstance(value, str) and ind.level(value) is not None


@settings(max_examples=60, **QUIET)
@given(st.data())
def test_extreme_but_valid_values_diagnose_correctly(data):
    """Values anywhere in each indicator's definitional range (the full float range where unbounded)."""
    values = {i.id: indicator_values(i, within="bounds") for i in CAT.indicators}
    d = data.draw(park_datasets(values=values, within="bounds"))
    diagnosed_ok(dataset_from_dict(d))


def test_statistics_that_overflow_are_not_derived():
    # 1e300 / 1e-300 overflows: the indicator cannot be derived; a located error at the statistics, not inf and not a
    # silently missing (mandatory: 0-point) indicator
    d = {"format": "greendiag-dataset/1", "park": {"name": "P"}, "diagnosis_year": 2025,
         "years": [{"year": 2024, "statistics": {"industrial_value_added": 1e300, "energy_consumption": 1e-300}}]}
    with pytest.raises(DatasetError) as info:
        dataset_from_dict(d)
    (p,) = info.value.problems
    assert p.code == "number-too-large" and p.location.startswith("$.years[0].statistics.")


# ---------------------------------------------------------------- hostile files

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
FILES = {
    "empty": b"",
    "blank": b"  \n\t\n",
    "nul": b"format: x\x00\n",
    "latin1": "park: {name: Caf\xe9}\n".encode("latin-1"),
    "gbk": "park: {name: 园区}\n".encode("gbk"),
    "utf16": "park: {name: 园区}\n".encode("utf-16"),
    "python-object": b"!!python/object/apply:os.system ['echo pwned > PWNED']\n",
    "python-name": b"x: !!python/name:os.system\n",
    "custom-tag": b"x: !foo bar\n",
    "binary": b"x: !!binary aGVsbG8=\n",
    "set": b"x: !!set {a, b}\n",
    "alias-bomb": BOMB.encode(),
    "deep-list": b"[" * 5000 + b"]" * 5000,
    "deep-map": b"{a: " * 3000 + b"1" + b"}" * 3000,
    "duplicate-key": b"format: a\nformat: b\n",
    "nan": b"format: greendiag-dataset/1\npark: {name: P}\ndiagnosis_year: 2025\nyears: [{year: 2024, indicators: {renewable_energy_share: .nan}}]\n",
    "inf": b"format: greendiag-dataset/1\npark: {name: P}\ndiagnosis_year: 2025\nyears: [{year: 2024, indicators: {renewable_energy_share: .inf}}]\n",
    "huge-int": b"format: greendiag-dataset/1\npark: {name: P}\ndiagnosis_year: 2025\nyears: [{year: 2024, indicators: {energy_productivity: " + b"9" * 400 + b"}}]\n",
    "list": b"- 1\n- 2\n",
    "scalar": b"42\n",
    "null": b"~\n",
    "unclosed": b"key: [unclosed\n",
    "tabs": b"a:\n\tb: 1\n",
    "complex-key": b"? [a, b]\n: 1\n",
    "merge": b"base: &b {x: 1}\nother:\n  <<: *b\n",
    "two-docs": b"a: 1\n---\nb: 2\n",
    "bom-only": b"\xef\xbb\xbf",
    "json-nan": b'{"format": NaN}',
    "json-dup": b'{"a": 1, "a": 2}',
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    out = {}
    for name, raw in FILES.items():
        for ext in (".yaml", ".json"):
            p = folder / f"{name}{ext}"
            p.write_bytes(raw)
            out[(name, ext)] = p
    return folder, out


ENTRY = {"load_dataset": (load_dataset, DatasetError), "load_catalogue": (load_catalogue, CatalogueError),
         "load_rules": (load_rules, RuleError)}


@pytest.mark.parametrize("entry", sorted(ENTRY))
@pytest.mark.parametrize("ext", [".yaml", ".json"])
def test_hostile_files_give_typed_errors_and_run_no_code(hostile_files, entry, ext, monkeypatch):
    folder, paths = hostile_files
    monkeypatch.chdir(folder)
    call, error = ENTRY[entry]
    for name in FILES:
        got = clean(call, paths[(name, ext)])
        assert isinstance(got, error), (name, got)
    assert not (folder / "PWNED").exists()


def test_hostile_paths(tmp_path):
    for call, error in ENTRY.values():
        for p in (tmp_path, tmp_path / "missing.yaml", "a\x00b.yaml", tmp_path / "dir.json"):
            got = clean(call, p)
            assert isinstance(got, error), (call, p, got)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    assert isinstance(clean(load_dataset, junk), GreendiagError)
    assert isinstance(clean(load_catalogue, "no-such-registered-overlay"), CatalogueError)


yaml_junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10)),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)),
    max_leaves=20)


@settings(max_examples=100, **QUIET)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                 yaml_junk.map(lambda v: yaml.safe_dump(v, allow_unicode=True).encode())))
def test_random_bytes_and_junk_yaml_as_a_dataset_file(tmp_path, raw):
    p = tmp_path / "junk.yaml"
    p.write_bytes(raw)
    got = clean(load_dataset, p)
    assert isinstance(got, DatasetError)


# ---------------------------------------------------------------- overlays and rule files with junk

OVERLAY = {
    "overlay": {"id": "robust", "version": "1.0.0", "title_zh": "测试", "title_en": "Test",
                "extends": {"id": "bj-green-park-2024", "version": ">=1.0,<2"}},
    "statistics": [{"id": "robust_stat", "name_zh": "测试量", "name_en": "Test statistic", "unit": "t"}],
    "indicators": [{"id": "robust_share", "number": 50, "code": "RG50", "category": "RG", "name_zh": "测试比例",
                    "name_en": "Test share", "unit": "%", "kind": "quantitative", "direction": "higher",
                    "lead": {"value": 20, "provisional": "test fixture only"}, "mandatory": False,
                    "bounds": {"min": 0, "max": 100, "basis": "a share lies in 0-100"},
                    "sources": [{"doc": "bj-guide-2024", "clause": "test fixture"}]}],
}

RULES = {
    "constants": {"robust_limit": {"value": 50, "provisional": "robustness test fixture"}},
    "rules": [{"id": "robust.indicator.gap", "kind": "anomaly", "fact": "indicator",
               "when": [{"field": "gap_pct", "op": ">", "const": "robust_limit"}], "severity": "low", "subject": "indicator",
               "message_zh": "{year}年 {name_zh} 差距 {gap_pct:.1f}%", "message_en": "{year}: {name_en} gap {gap_pct:.1f}%",
               "source": {"doc": "bj-guide-2024", "clause": "test fixture"},
               "tests": [{"fact": {"gap_pct": 60}, "fires": True}, {"fact": {"gap_pct": 10}, "fires": False}]}],
}

junk_leaf = st.one_of(st.sampled_from([None, True, -1, 0, 10 ** 30, 1e308, -1e308, 1e-05, "", "x" * 300, "1e-05", "follow_up_days",
                                       "{x:>999999999}", "{x!r}", "{0}", "{x.__class__}", "{x:{y}}", ">=1.0,<2", "bogus spec",
                                       "EG", "renewable_energy_share", [], {}, {"value": 1}]),
                      st.text(max_size=6), st.integers(), st.floats(allow_nan=False, allow_infinity=False))


def mutated(base):
    return mutated_documents(base, junk_leaf, changes=3)


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def test_the_unmutated_fixtures_are_valid(tmp_path):
    cat = load_catalogue(_write(tmp_path, "o.yaml", OVERLAY))
    assert cat.indicator("robust_share").lead_value == 20.0
    rb = load_rules(_write(tmp_path, "r.yaml", RULES))
    assert all(r.ok for r in greendiag.run_rule_tests(rb, backend="python"))


@settings(max_examples=60, **QUIET)
@given(mutated(OVERLAY))
def test_overlays_with_junk(tmp_path, data):
    got = clean(load_catalogue, _write(tmp_path, "overlay.yaml", data))
    if not isinstance(got, GreendiagError):
        ds = clean(dataset_from_dict, _one("renewable_energy_share", 10.0), catalogue=got)
        if not isinstance(ds, GreendiagError):
            diag = diagnose(ds, catalogue=got, backend="python")
            assert_scoring_invariants(diag, got)
            diag.to_json()


@settings(max_examples=80, **QUIET)
@given(mutated(RULES))
@example({**RULES, "constants": {"follow_up_days": {"value": 1e300, "provisional": "hostile redefinition"}}})  # was: OverflowError
@example({**RULES, "rules": [{**RULES["rules"][0], "message_en": "{gap_pct:>999999999}"}]})  # was: a 1 GB message
def test_rule_files_with_junk(tmp_path, data):
    got = clean(load_rules, _write(tmp_path, "rules.yaml", data))
    if not isinstance(got, GreendiagError):
        assert all(isinstance(r.ok, bool) for r in greendiag.run_rule_tests(got, backend="python"))
        ds = dataset_from_dict(_one("renewable_energy_share", 3.0, engagement={"report_submitted": "2024-06-01"}))
        diag = diagnose(ds, rules=got, backend="python", as_of=dt.date(2025, 1, 1))
        assert_scoring_invariants(diag)
        diag.to_json()


# ---------------------------------------------------------------- API misuse with data-like arguments

def test_diagnose_entry_point_errors(tmp_path):
    ds = dataset_from_dict(_one("renewable_energy_share", 3.0))
    assert isinstance(clean(diagnose, ds, backend="drools"), GreendiagError)
    assert isinstance(clean(diagnose, tmp_path / "missing.yaml"), DatasetError)
    other = load_catalogue(_write(tmp_path, "o.yaml", OVERLAY))
    assert isinstance(clean(diagnose, ds, catalogue=other), DatasetError)  # validated with another catalogue


# ---------------------------------------------------------------- the command line never shows a traceback

@pytest.mark.parametrize("name", ["empty", "latin1", "python-object", "alias-bomb", "deep-list", "nan", "huge-int", "list"])
def test_cli_reports_bad_files_with_exit_code_2(hostile_files, name):
    from greendiag.cli import main

    _, paths = hostile_files
    result = CliRunner().invoke(main, ["--lang", "en", "validate", str(paths[(name, ".yaml")])])
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- durable backend in a fresh interpreter

DURABLE_CHILD = textwrap.dedent("""
    import json, sys
    import greendiag
    from greendiag.engine import Cond, Rule, RuleSet, evaluate
    cases = json.loads(sys.stdin.read())
    for data in cases:
        ds = greendiag.dataset_from_dict(data)
        a = greendiag.diagnose(ds, backend="durable").to_json()
        b = greendiag.diagnose(ds, backend="python").to_json()
        assert a == b, data
    weird = ['"', "\\\\", "\\n", "\\u0000", "😀", "a'b", "%s%n", "${x}", "\\u202e", "x" * 200]
    rs = RuleSet(tuple(Rule(f"r{i}", (Cond("s", "==", value=w),)) for i, w in enumerate(weird)))
    assert evaluate(rs, [{"s": w} for w in weird], "durable") == tuple((i, f"r{i}") for i in range(len(weird)))
    print("done", len(cases))
""")


def test_durable_backend_with_extreme_values_in_a_subprocess():
    cases = []

    @settings(max_examples=25, database=None, **QUIET)
    @given(st.data())
    def collect(data):
        values = {i.id: indicator_values(i, within="bounds") for i in CAT.indicators}
        cases.append(data.draw(park_datasets(values=values, within="bounds")))

    collect()
    cases.append(_one("pollutant_elasticity", 1e308))
    cases.append(_one("carbon_intensity_reduction", -1e308))
    cases.append(_one("wastewater_per_value_added", 5e-324))
    proc = subprocess.run([sys.executable, "-c", DURABLE_CHILD], input=json.dumps(cases), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-3000:]}"
    assert proc.stdout.split() == ["done", str(len(cases))]


@pytest.mark.parametrize("text,line,col,value", [("x: !!int abc\n", 1, 4, "abc"), ("a:\n  b: !!float abc\n", 2, 6, "abc"),
                                                ("x: !!bool maybe\n", 1, 4, "maybe"), ("x: [1, !!int 2x]\n", 1, 8, "2x")])
def test_a_tag_its_text_cannot_take_is_a_located_yaml_error(tmp_path, text, line, col, value):
    """PyYAML raises ValueError/KeyError for these: they must come out as malformed-yaml at the scalar."""
    p = tmp_path / "park.yaml"
    p.write_text(text, encoding="utf-8")
    got = clean(load_dataset, p, catalogue=CAT)
    assert isinstance(got, DatasetError) and list(got.codes) == ["malformed-yaml"]
    prob = got.problems[0]
    assert (prob.line, prob.column) == (line, col) and value in prob.message_zh and value in prob.message_en


@pytest.mark.parametrize("value", [__import__("decimal").Decimal("2.5"), __import__("fractions").Fraction(1, 3), 1 + 2j,
                                   b"18.6", {18.6}, object()])
def test_values_no_data_file_can_hold_are_refused_by_name(value):
    """Decimal would be accepted and fail later in to_json(); complex failed inside jsonschema."""
    d = yaml.safe_load((ROOT / "examples" / "demo-park.yaml").read_text(encoding="utf-8"))
    d["park"]["area_km2"] = value
    got = clean(dataset_from_dict, d, catalogue=CAT)
    assert isinstance(got, DatasetError) and list(got.codes) == ["unsupported-type"]
    assert got.problems[0].location == "$.park.area_km2" and type(value).__name__ in got.problems[0].message_en
