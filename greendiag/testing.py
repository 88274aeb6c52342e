"""A testing kit for tools built on greendiag: hypothesis strategies and scoring-invariant checks.

Strategies need hypothesis, an optional extra (``pip install 'greendiag[testing]'``). It is imported
only when a strategy is built, so ``import greendiag.testing`` and the assertion helpers work
without it. Every strategy is deterministic given hypothesis's seed. See docs/testing.md.

* ``park_datasets(catalogue)`` – valid dataset dicts (for ``dataset_from_dict``) for a catalogue,
  overlays included: values in range, raw statistics instead of or besides them (derived values, mismatches,
  undefined elasticities), levels from the catalogue, requirement statuses, engagement.
* ``indicator_values(indicator)`` – values at and around the lead value, the cap boundary, zero and
  the range edges, plus random values in range.
* ``missing_data_patterns(catalogue, years=...)`` – which (indicator, year) pairs are absent.
* ``rule_sets()``, ``facts()``, ``fact_from()`` – random engine rule sets and random/hostile facts.
* ``mutated_documents(base)``, ``mutate()``, ``document_paths()`` – a valid document with values replaced,
  keys removed or unknown keys added, for robustness tests.
* ``assert_scoring_invariants(diagnosis, catalogue)`` – recomputes every score, category score and
  total from the rows, per docs/scoring.md, independently of greendiag.scoring.
* ``expected_score()``, ``assert_monotone()`` – the per-indicator method, and its monotonicity.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any, Iterable, Mapping, Optional

import attrs

from ._args import bad_argument, check_catalogue, check_choice, check_flag, check_int
from .dataset import LEVEL as _LEVEL, STATUS as _STATUS
from .models import Catalogue, Indicator, ScoringMethod
from .units import split_quantity

__all__ = [
    "EDGE_FLOATS", "NUM_FIELDS", "STR_FIELDS", "ScoringInvariantError",
    "park_datasets", "indicator_values", "missing_data_patterns", "edge_values",
    "numbers", "texts", "hostile_values", "conditions", "rule_sets", "facts", "fact_from",
    "expected_score", "assert_scoring_invariants", "assert_monotone", "varied_parks",
    "document_paths", "mutate", "mutated_documents", "DROP", "EXTRA",
]

FORMAT = "greendiag-dataset/1"
NUM_FIELDS = ("n0", "n1", "n2", "n3")
STR_FIELDS = ("s0", "s1")
# floats that break naive code: signed zero, bare exponents (json.dumps(1e-05) == '1e-05'), the extremes,
# subnormals, 0.1 + 0.2, the score cap, and an integer just above 2**53
EDGE_FLOATS = (0.0, -0.0, 1.0, -1.0, 0.5, 1e-05, -1e-05, 1e16, 1e308, -1e308, 5e-324, 2.2250738585072014e-308,
               0.1 + 0.2, 0.3, 100.0, 120.0, 99.99999999999999, 9007199254740993.0)
STATUS_LABELS = tuple(_STATUS)  # every status spelling the dataset reader accepts


def _st():
    """hypothesis.strategies, or an ImportError that says how to install it."""
    try:
        from hypothesis import strategies
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("greendiag.testing strategies need hypothesis: pip install 'greendiag[testing]'") from exc
    return strategies


def _catalogue(catalogue: Optional[Catalogue]) -> Catalogue:
    if check_catalogue(catalogue) is not None:
        return catalogue
    from .catalogue import load_catalogue

    return load_catalogue()


# ---------------------------------------------------------------- argument checks: a wrong type is a GreendiagError
# (bad-argument) naming the argument, as in the rest of the public API, not an AttributeError from inside a draw

WITHIN = ("bounds", "plausible")


def _indicator_arg(value: Any) -> Indicator:
    if isinstance(value, Indicator):
        return value
    raise bad_argument("indicator", "须为目录中的指标(Indicator)", "must be an Indicator of a catalogue", value,
                       "如 catalogue.indicator('energy_productivity')", "e.g. catalogue.indicator('energy_productivity')")


def _method_arg(value: Any) -> ScoringMethod:
    if isinstance(value, ScoringMethod):
        return value
    raise bad_argument("method", "须为目录的评分方法(ScoringMethod)", "must be a catalogue's ScoringMethod", value,
                       "如 method=catalogue.scoring", "e.g. method=catalogue.scoring")


def _number_arg(value: Any, name: str, allow_none: bool = False) -> Any:
    import numbers as _numbers

    if (value is None and allow_none) or (isinstance(value, _numbers.Real) and not isinstance(value, bool)):
        return value
    raise bad_argument(name, "须为数值" + ("或 None" if allow_none else ""), "must be a number" + (" or None" if allow_none else ""), value,
                       f"如 {name}=12.5(不是文本 '12.5')", f"e.g. {name}=12.5 (not the text '12.5')")


def _text_arg(value: Any, name: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    raise bad_argument(name, "须为文本或 None", "must be text or None", value, f"如 {name}='good'", f"e.g. {name}='good'")


def _years_arg(value: Any, name: str = "years") -> tuple[int, ...]:
    """Years as an iterable of whole numbers (2024 alone or "2024" is refused, not iterated)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise bad_argument(name, "须为年份(整数)的序列", "must be a sequence of years (whole numbers)", value,
                           f"如 {name}=(2022, 2023, 2024)", f"e.g. {name}=(2022, 2023, 2024)")
    return tuple(check_int(y, f"{name}[{i}]") for i, y in enumerate(value))


def _fields_arg(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)) and all(isinstance(f, str) for f in value):
        return tuple(value)
    raise bad_argument(name, "须为字段名(文本)的元组", "must be a tuple of field names (text)", value,
                       f"如 {name}=('n0', 'n1')", f"e.g. {name}=('n0', 'n1')")


def _strategy_arg(value: Any, name: str, allow_none: bool = True) -> Any:
    from hypothesis.strategies import SearchStrategy

    if (value is None and allow_none) or isinstance(value, SearchStrategy):
        return value
    raise bad_argument(name, "须为 hypothesis 策略", "must be a hypothesis strategy", value,
                       f"如 {name}=st.floats(0, 100);固定值用 st.just(x)", f"e.g. {name}=st.floats(0, 100); a fixed value as st.just(x)")


# ---------------------------------------------------------------- values and datasets


def _range(ind: Indicator, within: str) -> tuple[Optional[float], Optional[float]]:
    lo, hi = ind.bounds_min, ind.bounds_max
    if within == "plausible":
        if ind.plausible_min is not None:
            lo = ind.plausible_min if lo is None else max(lo, ind.plausible_min)
        if ind.plausible_max is not None:
            hi = ind.plausible_max if hi is None else min(hi, ind.plausible_max)
    elif within != "bounds":
        raise ValueError("within must be 'bounds' or 'plausible'")
    return (None if lo is None else float(lo)), (None if hi is None else float(hi))


def edge_values(indicator: Indicator, method: ScoringMethod, within: str = "bounds") -> tuple[float, ...]:
    """The values where scoring changes behaviour, inside the indicator's range: the lead value, the cap
    boundary (lead×cap/full when higher is better, lead×full/cap when lower), zero, the range edges, each
    with its neighbouring floats; plus tiny and bare-exponent values."""
    _indicator_arg(indicator), _method_arg(method), check_choice(within, "within", WITHIN)
    if indicator.qualitative:
        return ()
    lead = indicator.lead_value
    cap_at = lead * method.cap / method.full if indicator.direction == "higher" else lead * method.full / method.cap
    lo, hi = _range(indicator, within)
    marks = [lead, cap_at, 0.0]
    marks += [x for x in (lo, hi, indicator.plausible_min, indicator.plausible_max, indicator.bounds_min, indicator.bounds_max) if x is not None]
    out = []
    for m in marks:
        m = float(m)
        out += [m, math.nextafter(m, math.inf), math.nextafter(m, -math.inf)]
    out += [-0.0, 1e-05, 5e-324, lead / 2, lead * 2, -lead]
    kept = {(x, math.copysign(1.0, x)): x for x in out if math.isfinite(x) and (lo is None or x >= lo) and (hi is None or x <= hi)}
    return tuple(kept[k] for k in sorted(kept))  # 0.0 == -0.0, so keyed by sign too: both are kept


def indicator_values(indicator: Indicator, *, catalogue: Optional[Catalogue] = None, within: str = "bounds"):
    """Valid values of one indicator: edge values (see edge_values) and random floats in its range.

    within="bounds" (definitional range: every value loads) or "plausible" (also inside the reviewer's
    plausible range, so no anomaly finding is caused by the value alone). Qualitative: a level id.
    """
    st = _st()
    _indicator_arg(indicator), check_catalogue(catalogue), check_choice(within, "within", WITHIN)
    if indicator.qualitative:
        return st.sampled_from([lv.id for lv in indicator.levels])
    method = _catalogue(catalogue).scoring
    lo, hi = _range(indicator, within)
    edges = edge_values(indicator, method, within)
    rand = st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from(edges), rand) if edges else rand


def missing_data_patterns(catalogue: Optional[Catalogue] = None, *, years: Iterable[int] = (2022, 2023, 2024)):
    """frozensets of (indicator id, year) pairs left out of a dataset: none, everything, all optional, all
    mandatory of one year, one indicator in every year, one category in one year, one whole year, or random."""
    st = _st()
    cat = _catalogue(catalogue)
    ys = _years_arg(years)
    if not ys:
        raise bad_argument("years", "不能为空", "must not be empty", years, "如 years=(2022, 2023, 2024)", "e.g. years=(2022, 2023, 2024)")
    ids = [i.id for i in cat.indicators]
    pairs = [(i, y) for i in ids for y in ys]
    mandatory = [i.id for i in cat.indicators if i.mandatory]
    optional = [i.id for i in cat.indicators if not i.mandatory]
    by_cat = {c.code: [i.id for i in cat.indicators if i.category == c.code] for c in cat.categories}
    fs = frozenset
    some = st.sets(st.sampled_from(pairs), max_size=max(1, len(pairs) // 3)).map(fs)
    return st.one_of(  # partial gaps are drawn more often than "nothing at all", as in real data
        st.just(fs()),
        some,
        st.just(fs(pairs)),
        st.just(fs((i, y) for i in optional for y in ys)),
        st.sampled_from(ys).map(lambda y: fs((i, y) for i in mandatory)),
        st.sampled_from(ids).map(lambda i: fs((i, y) for y in ys)),
        st.tuples(st.sampled_from(sorted(by_cat)), st.sampled_from(ys)).map(lambda cy: fs((i, cy[1]) for i in by_cat[cy[0]])),
        st.sampled_from(ys).map(lambda y: fs((i, y) for i in ids)),
        st.sets(st.sampled_from(pairs)).map(fs),
    )


def _statistic_factors(cat: Catalogue) -> dict[str, tuple[float, float, bool]]:
    """How far varied_parks may scale each raw statistic without breaking a derived indicator's bounds:
    statistic id -> (lowest factor, highest factor, one factor for every year). Worked out from the
    catalogue's definitions: in a bounded same-year ratio a numerator may only shrink and a denominator only
    grow under an upper bound, the other way round under a lower bound above zero (one in both stays put); a statistic in a bounded year-over-year formula keeps one factor across
    years, which leaves every year-over-year quotient as it was."""
    ranges: dict[str, tuple[float, float, bool]] = {s.id: (0.8, 1.25, False) for s in cat.statistics}
    for ind in cat.indicators:
        d = ind.definition
        if d is None or (ind.bounds_min is None and ind.bounds_max is None):
            continue
        for role, stats in (("numerator", d.numerator), ("denominator", d.denominator)):
            for sid in stats:
                lo, hi, shared = ranges.get(sid, (0.8, 1.25, False))
                grows = role == "numerator"  # scaling this statistic up raises the ratio
                if d.formula != "ratio":
                    shared = True
                if d.formula == "ratio" and ind.bounds_max is not None:
                    lo, hi = (lo, min(hi, 1.0)) if grows else (max(lo, 1.0), hi)
                if d.formula == "ratio" and ind.bounds_min is not None and ind.bounds_min > 0:  # 0 holds: factors are positive
                    lo, hi = (max(lo, 1.0), hi) if grows else (lo, min(hi, 1.0))
                ranges[sid] = (lo, max(lo, hi), shared)
    return ranges


def _within_a_year(entry: Any, f: float) -> float:
    """f, lowered so that a count of days scaled by it stays within a year (dataset.MAX_DAYS: 366); at most 1 when the
    count is not written as a plain number."""
    from .dataset import MAX_DAYS

    v = entry.get("value") if isinstance(entry, dict) else entry
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
        return min(f, MAX_DAYS / v)
    return min(f, 1.0)


def _scaled(v: Any, f: float) -> Any:
    """A raw statistic times f in the form it was written (number, or '12.5 unit' text); other values as they are.
    Six significant digits; integers stay integers (people, buses, days)."""
    if isinstance(v, str):
        try:
            number, unit = split_quantity(v)
        except ValueError:
            return v
        return f"{_scaled(number, f)} {unit}".strip()
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return v
    return round(v * f) if isinstance(v, int) else float(f"{v * f:.6g}")


def _scaled_value(entry: Any, f: float, ind: Optional[Indicator]) -> Any:
    """An indicator value (bare, text with a unit, or a {value, unit} entry) times f, kept within the indicator's bounds
    in the unit it is written in: the bounds are converted from the catalogue's unit (950 ‰ stays ≤ 1000 ‰). A value
    whose unit cannot be converted is left as it is; one already outside the bounds is not pulled in."""
    raw, unit = (entry.get("value"), entry.get("unit")) if isinstance(entry, dict) else (entry, None)
    if isinstance(raw, str):
        try:
            number, text_unit = split_quantity(raw)
        except ValueError:
            return entry
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number, text_unit = float(raw), ""
    else:
        return entry
    given = text_unit or unit or (ind.unit if ind is not None else "")  # as the dataset reader takes it
    lo = hi = None
    if ind is not None:
        from .errors import GreendiagError
        from .units import convert, normalise

        try:
            same = normalise(given) == normalise(ind.unit)
            lo, hi = ((None if b is None else b if same else convert(b, ind.unit, given)) for b in (ind.bounds_min, ind.bounds_max))
        except GreendiagError:  # a unit the catalogue's does not convert to: the loader will say so; leave it
            return entry
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            return entry
    x = float(f"{number * f:.6g}")
    x = x if lo is None else max(x, lo)
    x = x if hi is None else min(x, hi)
    if isinstance(raw, str):
        new = f"{x!r} {text_unit}".strip()
    else:
        new = x
    if isinstance(entry, dict):
        return {**entry, "value": new}
    return new


def varied_parks(base: Mapping, catalogue: Optional[Catalogue] = None, n: int = 10, *, seed: int = 0) -> list[dict]:
    """n seeded variants of a dataset dict (no hypothesis needed; for benchmarks and batch tests): other names,
    indicator values scaled by 0.6–1.2 and kept within their bounds (converted to the unit each value is written in),
    about 8 % of them left out, raw statistics scaled by 0.8–1.25 within what the catalogue's definitions allow
    (`_statistic_factors`), one baseline status changed. Every variant loads if the base does."""
    import copy
    import random

    if not (isinstance(base, Mapping) and isinstance(base.get("park"), Mapping) and isinstance(base.get("years"), list)
            and all(isinstance(b, Mapping) for b in base["years"])):
        raise bad_argument("base", "须为园区数据字典(含 park 与 years)", "must be a dataset dict (with park and years)", base,
                           "数据文件先读入:yaml.safe_load(open('park.yaml', encoding='utf-8'))",
                           "read a dataset file first: yaml.safe_load(open('park.yaml', encoding='utf-8'))")
    n, seed = check_int(n, "n", 0), check_int(seed, "seed")
    cat = _catalogue(catalogue)
    stat_range = _statistic_factors(cat)
    days = {s.id for s in cat.statistics if s.unit == "day"}
    parks = []
    for k in range(n):
        rnd = random.Random(seed * 1_000_003 + k)
        data = copy.deepcopy(dict(base))
        data["park"]["name"] = f"生成园区 {k}(虚构)"
        shared = {sid: rnd.uniform(lo, hi) for sid, (lo, hi, one) in sorted(stat_range.items()) if one}
        for block in data["years"]:
            indicators = block.get("indicators", {})
            for key, entry in list(indicators.items()):
                f = rnd.uniform(0.6, 1.2)
                ind = cat.indicator(key) if isinstance(key, str) and cat.has_indicator(key) else None
                if ind is None or not ind.qualitative:
                    indicators[key] = _scaled_value(entry, f, ind)
                if rnd.random() < 0.08:
                    del indicators[key]
            stats = block.get("statistics", {})
            for sid, entry in list(stats.items()):
                lo, hi, one = stat_range.get(sid, (1.0, 1.0, True))
                f = shared[sid] if one and sid in shared else rnd.uniform(lo, hi)
                if sid in days:
                    f = _within_a_year(entry, f)
                if isinstance(entry, dict):
                    entry["value"] = _scaled(entry.get("value"), f)
                else:
                    stats[sid] = _scaled(entry, f)
        if data.get("baseline"):
            data["baseline"][k % len(data["baseline"])]["status"] = rnd.choice(["met", "not_met", "unknown"])
        parks.append(data)
    return parks


UNDEFINED_RULE = "anomaly.indicator.undefined"  # the packaged rule that explains an undefined row (rules/anomalies.yaml)


def _names(st):
    """Names a dataset accepts: no surrogates, and none of the characters the dataset refuses (Word cannot hold them)."""
    from .dataset import CONTROL_CHARACTERS

    return st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=16).filter(
        lambda s: not CONTROL_CHARACTERS.search(s))


def _written(st, ind: Indicator, x: Any):
    """The forms a user writes one value in: bare, {value}, {value, unit}, '12.5 %' text, with evidence."""
    if ind.qualitative:
        lv = ind.level(x)
        label = st.sampled_from([lv.id, lv.zh, lv.en])
        return st.one_of(label, label.map(lambda s: {"value": s, "evidence": "E-" + ind.code}))
    forms = [st.just(x), st.just({"value": x}), st.just({"value": x, "evidence": "E-" + ind.code}),
             st.just(repr(x) + (" " + ind.unit if ind.unit else ""))]
    if ind.unit:
        forms.append(st.just({"value": x, "unit": ind.unit}))
    return st.one_of(*forms)


def _diagnosis_year_range(n: int, ys: Optional[list], pattern_years: set) -> tuple[int, int]:
    """The diagnosis years whose n scored years hold every given data year and every year a missing pattern names."""
    from .dataset import DIAGNOSIS_YEARS

    fixed = set(ys or ()) | set(pattern_years)
    if not fixed:
        return 2010, 2035
    lo, hi = max(max(fixed) + 1, DIAGNOSIS_YEARS[0]), min(min(fixed) + n, DIAGNOSIS_YEARS[1])
    if lo > hi:
        raise ValueError(f"park_datasets: no diagnosis year has all of {sorted(fixed)} among its {n} scored years "
                         f"(years given, or years named by the missing pattern)")
    return lo, hi


def _pattern_years(gone: Any) -> set:
    return {y for _, y in gone}


def park_datasets(catalogue: Optional[Catalogue] = None, *, diagnosis_year=None, years=None, missing=None,
                  values: Optional[Mapping[str, Any]] = None, within: str = "plausible", statistics: bool = True):
    """Valid park dataset dicts for `catalogue` (default: the packaged one; overlays included).

    diagnosis_year: int or strategy; when not given, drawn among the years whose scored years hold `years` and
    the years a fixed missing pattern names (2010–2035 when nothing constrains it). years: which years get a
    block, an iterable of ints before the diagnosis year (default: a non-empty subset of the scored years).
    missing: a frozenset of (indicator id, year) pairs, a strategy of them, a function called as
    missing(years=<the drawn years>) returning either (e.g. ``lambda years: missing_data_patterns(cat, years=years)``),
    False for complete data, or None (default: missing_data_patterns for the drawn years). values: indicator id
    -> strategy overriding indicator_values (those indicators get no raw statistics). statistics: also draw raw
    statistics (see _draw_statistics): instead of or besides indicator values, with base-year statistics for
    year-over-year formulas, sometimes undefined (elasticity without growth); False for indicator values only.
    Values are in the catalogue's units (statistics sometimes in an equivalent unit), written in the forms users
    write them; fictitious: true.
    """
    st = _st()
    from hypothesis.strategies import SearchStrategy

    from .dataset import DIAGNOSIS_YEARS

    cat = _catalogue(catalogue)
    n = cat.scoring.years
    if not isinstance(diagnosis_year, SearchStrategy):
        check_int(diagnosis_year, "diagnosis_year", *DIAGNOSIS_YEARS, allow_none=True)
    if not (missing is None or missing is False or isinstance(missing, (set, frozenset, SearchStrategy)) or callable(missing)):
        raise bad_argument("missing", "须为 None、False、(指标 id, 年份) 的 frozenset、其策略或以 years 为参数的函数",
                           "must be None, False, a frozenset of (indicator id, year) pairs, a strategy of them or a function of years",
                           missing, "如 missing=lambda years: missing_data_patterns(cat, years=years)",
                           "e.g. missing=lambda years: missing_data_patterns(cat, years=years)")
    if values is not None and not isinstance(values, Mapping):
        raise bad_argument("values", "须为 指标 id → hypothesis 策略 的字典", "must be a dict of indicator id -> hypothesis strategy", values,
                           "如 values={'energy_productivity': st.floats(1, 5)}", "e.g. values={'energy_productivity': st.floats(1, 5)}")
    ids = {i.id for i in cat.indicators}
    for key, strategy in (values or {}).items():
        if key not in ids:
            known = cat.indicator(key).id if isinstance(key, (str, int)) and cat.has_indicator(key) else None
            raise bad_argument("values", "的键须为目录中的指标 id", "must be keyed by indicator ids of the catalogue", key,
                               f"用 id '{known}'" if known else "见 [i.id for i in catalogue.indicators]",
                               f"use the id '{known}'" if known else "see [i.id for i in catalogue.indicators]")
        _strategy_arg(strategy, f"values[{key!r}]", allow_none=False)
    check_choice(within, "within", WITHIN), check_flag(statistics, "statistics")
    overrides = dict(values or {})
    fixed_years = None if years is None else sorted(set(_years_arg(years)))
    if fixed_years is not None and not fixed_years:
        raise ValueError("park_datasets: years must not be empty")
    pattern_is_fixed = isinstance(missing, (set, frozenset))
    if diagnosis_year is None and fixed_years is not None:  # checked now: a wrong call fails at once, not in a draw
        _diagnosis_year_range(n, fixed_years, _pattern_years(missing) if pattern_is_fixed else set())
    plan = _statistics_plan(cat) if statistics else None

    @st.composite
    def build(draw):
        gone = None  # a fixed pattern or a drawn one is known before the years: the years are drawn to hold it
        if pattern_is_fixed:
            gone = frozenset(missing)
        elif isinstance(missing, SearchStrategy):
            gone = frozenset(draw(missing))
        constraint = _pattern_years(gone) if gone is not None else set()
        if diagnosis_year is None:
            dy = draw(st.integers(*_diagnosis_year_range(n, fixed_years, constraint)))
        elif isinstance(diagnosis_year, int):
            dy = diagnosis_year
        else:
            dy = draw(diagnosis_year)
        scored = list(range(dy - n, dy))
        if not constraint <= set(scored):
            raise ValueError(f"park_datasets: the missing pattern names years {sorted(constraint - set(scored))}, which are "
                             f"not scored years of diagnosis year {dy} ({scored[0]}–{scored[-1]}); pass "
                             "missing=lambda years: missing_data_patterns(catalogue, years=years) to match the drawn years")
        if fixed_years is None:
            ys = sorted(set(draw(st.lists(st.sampled_from(scored), min_size=1, max_size=n, unique=True))) | constraint)
        else:
            ys = fixed_years
            if ys[-1] >= dy:
                raise ValueError("park_datasets: years must be non-empty and before the diagnosis year")
        if gone is None:
            if missing is None:
                gone = draw(missing_data_patterns(cat, years=ys))
            elif missing is False:
                gone = frozenset()
            elif callable(missing):
                got = missing(years=tuple(ys))
                gone = frozenset(draw(got) if isinstance(got, SearchStrategy) else got)
            else:
                raise TypeError("park_datasets: missing must be None, False, a frozenset, a strategy or a function of years")
        targets: dict[tuple[str, int], Any] = {}
        for y in ys:
            for ind in cat.indicators:
                if (ind.id, y) not in gone:
                    targets[(ind.id, y)] = draw(overrides[ind.id] if ind.id in overrides
                                                else indicator_values(ind, catalogue=cat, within=within))
        stats: dict[tuple[str, int], float] = {}
        instead: set = set()
        if plan is not None and draw(st.booleans()):
            stats, instead = _draw_statistics(draw, st, cat, plan, dy, ys, gone, targets, set(overrides), within)
        blocks = []
        base = dy - n - 1
        if any(y == base for _, y in stats):
            blocks.append({"year": base, "indicators": {}, "statistics": _written_statistics(draw, st, cat, stats, base)})
        for y in ys:
            inds = {}
            for ind in cat.indicators:
                if (ind.id, y) not in targets or (ind.id, y) in instead:
                    continue
                key = draw(st.sampled_from([ind.id, ind.code])) if ind.code else ind.id
                inds[key] = draw(_written(st, ind, targets[(ind.id, y)]))
            block: dict = {"year": y, "indicators": inds}
            if any(yy == y for _, yy in stats):
                block["statistics"] = _written_statistics(draw, st, cat, stats, y)
            blocks.append(block)
        data: dict = {"format": FORMAT, "fictitious": True,
                      "park": {"name": draw(_names(st)), "level": draw(st.sampled_from([*_LEVEL.values(), *_LEVEL]))},
                      "diagnosis_year": dy, "years": blocks}
        if draw(st.booleans()):
            data["catalogue"] = {"id": cat.id, "version": cat.version}
        numbers = draw(st.lists(st.sampled_from([r.number for r in cat.requirements]), unique=True))
        data["baseline"] = [{"number": k, "status": draw(st.sampled_from(STATUS_LABELS))} for k in sorted(numbers)]
        data["engagement"] = draw(_engagement(st, dy, [o for o, _ in cat.overlays]))
        return data

    return build()


# ---------------------------------------------------------------- raw statistics

# units a statistic may be written in instead of its catalogue unit, when they convert by a power of ten
_ALT_UNITS = ("元", "万元", "亿元", "kg", "t", "万t", "m3", "万m3", "km2", "m2", "hm2", "MJ", "GJ", "TJ", "tce", "万tce",
              "kgce", "tCO2", "万tCO2", "km", "m")
_MODES = ("reported", "reported", "instead", "besides", "mismatch")  # per indicator and year; "undefined" for elasticity


@attrs.frozen
class _Plan:
    """What park_datasets needs to draw statistics for a catalogue: the derivable indicators (quantitative, with a
    definition whose statistics the catalogue has), which indicators use each statistic, and the denominators of
    elasticities (drawn growing from year to year, so that an elasticity is undefined only when meant)."""

    indicators: tuple[Indicator, ...]
    users: Mapping[str, tuple[Indicator, ...]]
    growing: frozenset
    days: frozenset = frozenset()  # statistics counted in days: within a year (dataset.MAX_DAYS)


def _statistics_plan(cat: Catalogue) -> _Plan:
    known = {s.id for s in cat.statistics}
    inds = tuple(i for i in cat.indicators if i.definition is not None and not i.qualitative
                 and set(i.definition.numerator + i.definition.denominator) <= known)
    users: dict[str, list] = {}
    for ind in inds:
        for sid in dict.fromkeys(ind.definition.numerator + ind.definition.denominator):
            users.setdefault(sid, []).append(ind)
    growing = frozenset(s for i in inds if i.definition.formula == "elasticity" for s in i.definition.denominator)
    days = frozenset(s.id for s in cat.statistics if s.unit == "day")
    return _Plan(inds, {k: tuple(v) for k, v in users.items()}, growing, days)


def _six(x: float) -> float:
    """x to six significant digits: statistics as people write them, exact again after a power-of-ten unit change."""
    return float(f"{x:.6g}")


def _draw_statistics(draw, st, cat: Catalogue, plan: _Plan, dy: int, ys: list, gone: frozenset, targets: dict,
                     overridden: set, within: str) -> tuple[dict, set]:
    """Raw statistics {(statistic id, year): value in its catalogue unit} for some derivable (indicator, year), and
    the pairs whose reported value they replace. Per pair a mode is drawn: reported only; statistics instead of the
    value; statistics besides it that agree (derived ≈ reported); statistics besides it drawn for another value
    (the derived-mismatch rule may fire); for an elasticity, statistics showing its denominator not growing
    (undefined). The free statistic of each definition is solved for the drawn value; a definition is skipped when
    the value cannot be met, when the result would leave its bounds or range, or when the new statistics would make
    an indicator derivable where data must stay missing (the missing pattern, years without a block, overridden
    values). Statistics go only in the drawn years and the base year (before the first scored year)."""
    from .dataset import denominator_growth, derive

    n = cat.scoring.years
    scored = set(range(dy - n, dy))
    allowed_years = set(ys) | {dy - n - 1}
    table: dict[tuple[str, int], float] = {}
    instead: set = set()
    forbidden = set(gone) | {(i.id, y) for i in cat.indicators for y in scored if y not in ys}
    forbidden |= {(i, y) for i in overridden for y in scored}
    # an elasticity first in its year: its denominator (value added) is still free there, so it can be drawn not growing
    order = sorted(plan.indicators, key=lambda i: i.definition.formula != "elasticity")
    for y in ys:
        for ind in order:
            key = (ind.id, y)
            if key not in targets or ind.id in overridden:
                continue
            yoy = ind.definition.formula != "ratio"
            if yoy and y - 1 not in allowed_years:
                continue
            mode = draw(st.sampled_from(_MODES + (("undefined",) if ind.definition.formula == "elasticity" else ())))
            if mode == "reported":
                continue
            goal = draw(indicator_values(ind, catalogue=cat, within=within)) if mode == "mismatch" else targets[key]
            trial = _solve(draw, st, cat, plan, ind, y, table, goal, undefined=mode == "undefined")
            if trial is None:
                continue
            got = derive(ind, cat, trial, y)
            if mode == "undefined":
                g = denominator_growth(ind, cat, trial, y)
                if g is None or g > 0:
                    continue
            elif got is None or not _inside(ind, got, within):
                continue
            if not _harmless(cat, plan, trial, table, key, forbidden, scored, derive, denominator_growth):
                continue
            table = trial
            if mode == "instead" or (mode == "undefined" and draw(st.booleans())):
                instead.add(key)
    return table, instead


def _inside(ind: Indicator, x: float, within: str) -> bool:
    lo, hi = _range(ind, within)
    return math.isfinite(x) and (lo is None or x >= lo) and (hi is None or x <= hi)


def _harmless(cat, plan, trial, table, key, forbidden, scored, derive, denominator_growth) -> bool:
    """Whether the statistics added in `trial` keep every other indicator that uses them loadable: no indicator
    derivable (or undefined) where data must stay missing; no derived value outside its bounds (reported or not);
    no sum given in part while the other side is complete, no zero denominator, no derived value a float cannot hold
    (dataset errors on given statistics)."""
    from .dataset import derivation_overflows

    for sid, y in set(trial) - set(table):
        for ind in plan.users.get(sid, ()):
            for yy in (y, y + 1) if ind.definition.formula != "ratio" else (y,):
                k = (ind.id, yy)
                if k == key or yy not in scored:
                    continue
                if _unusable(cat, ind, trial, yy) or derivation_overflows(ind, cat, trial, yy):
                    return False
                x = derive(ind, cat, trial, yy)
                if k in forbidden:
                    g = denominator_growth(ind, cat, trial, yy)
                    if x is not None or (g is not None and g <= 0):
                        return False
                elif x is not None and not _inside(ind, x, "bounds"):
                    return False
    return True


def _unusable(cat: Catalogue, ind: Indicator, t: dict, year: int) -> bool:
    """Whether the given statistics of ind's definition in `year` (and the year before, for year-over-year formulas)
    are ones the dataset reader refuses: a sum given in part while the other side is complete, a zero denominator, or
    a zero base of a year-over-year formula (the year before's numerator)."""
    from .units import convert

    d = ind.definition
    for y in (year,) if d.formula == "ratio" else (year, year - 1):
        have = {side: [s for s in ids if (s, y) in t] for side, ids in (("n", d.numerator), ("d", d.denominator))}
        full = {"n": len(have["n"]) == len(d.numerator), "d": len(have["d"]) == len(d.denominator)}
        if (have["n"] and not full["n"] and full["d"]) or (have["d"] and not full["d"] and full["n"]):
            return True
        if full["n"] and full["d"]:
            unit = cat.statistic(d.denominator[0]).unit
            if math.fsum(convert(t[(s, y)], cat.statistic(s).unit, unit) for s in d.denominator) == 0:
                return True
    if d.formula != "ratio" and all((s, y) in t for s in d.numerator + d.denominator for y in (year, year - 1)):
        unit = cat.statistic(d.numerator[0]).unit  # a zero base of a year-over-year formula (dataset._nonzero_base)
        if math.fsum(convert(t[(s, year - 1)], cat.statistic(s).unit, unit) for s in d.numerator) == 0:
            return True
    return False


def _solve(draw, st, cat, plan, ind: Indicator, y: int, table: dict, goal: float, undefined: bool = False) -> Optional[dict]:
    """A copy of `table` with the statistics of ind's definition filled in so that it derives `goal` in year y (or, with
    undefined, so that an elasticity's denominator does not grow), or None when no free statistic can meet it.
    Statistics already in the table stay; the others get six-digit values, one of them solved for."""
    from .units import convert, factor

    d = ind.definition
    t = dict(table)
    if not math.isfinite(goal):
        return None

    def total(ids, year):
        unit = cat.statistic(ids[0]).unit
        return math.fsum(convert(t[(s, year)], cat.statistic(s).unit, unit) for s in ids if (s, year) in t)

    def fill(ids, year, keep=()):
        for s in ids:
            if (s, year) not in t and s not in keep:
                t[(s, year)] = _statistic_value(draw, st, plan, t, s, year)

    if d.formula == "ratio":
        num_unit, den_unit = cat.statistic(d.numerator[0]).unit, cat.statistic(d.denominator[0]).unit
        ratio = goal / factor(f"({num_unit or 'dimensionless'})/({den_unit or 'dimensionless'})", ind.unit)
        return _solve_ratio(draw, st, cat, plan, t, d.numerator, d.denominator, y, ratio, fill, total)
    fill(d.numerator + d.denominator, y - 1)
    prev_num, prev_den = total(d.numerator, y - 1), total(d.denominator, y - 1)
    if prev_num <= 0 or prev_den <= 0:
        return None
    k = factor("", ind.unit)
    if d.formula == "intensity_reduction":  # goal = (1 − (N/D)/(Np/Dp)) × k
        return _solve_ratio(draw, st, cat, plan, t, d.numerator, d.denominator, y, (1 - goal / k) * prev_num / prev_den, fill, total)
    if d.formula != "elasticity":
        return None
    free_den = [s for s in d.denominator if (s, y) not in t]
    if free_den:  # value added grows (by a drawn rate), or with undefined stays or falls
        rate = draw(st.sampled_from([0.0, -0.05, -0.3]) if undefined else st.sampled_from([0.02, 0.08, 0.25]))
        if not _meet(cat, t, d.denominator, y, prev_den * (1 + rate), fill, total):
            return None
    growth = (total(d.denominator, y) - prev_den) / prev_den
    if undefined:
        return t if growth <= 0 else None
    if growth <= 0:
        return None
    return t if _meet(cat, t, d.numerator, y, prev_num * (1 + goal / k * growth), fill, total) else None


def _meet(cat, t: dict, ids: tuple, y: int, want: float, fill, total) -> bool:
    """Fill the free statistics of a sum so that it equals `want` (in its first term's unit): one solved, six digits."""
    free = [s for s in ids if (s, y) not in t]
    if not free:
        return math.isclose(total(ids, y), want, rel_tol=1e-9)
    fill(ids, y, keep=free[:1])
    unit = cat.statistic(ids[0]).unit
    from .units import convert

    rest = want - total(ids, y)
    s = convert(rest, unit, cat.statistic(free[0]).unit) if rest > 0 else rest
    if not (math.isfinite(s) and 0 <= s < 1e15):
        return False
    t[(free[0], y)] = _six(s)
    return True


def _solve_ratio(draw, st, cat, plan, t: dict, num: tuple, den: tuple, y: int, ratio: float, fill, total) -> Optional[dict]:
    """Fill t so that sum(num)/sum(den) == ratio in year y (units of each sum's first term): every free statistic but
    one drawn, that one solved from N0 + a·s = ratio·(D0 + b·s); values left six-digit, the derived value checked later."""
    from .dataset import MAX_DAYS
    from .units import factor

    if not (math.isfinite(ratio) and ratio >= 0):
        return None
    num_unit, den_unit = cat.statistic(num[0]).unit, cat.statistic(den[0]).unit
    free = [s for s in dict.fromkeys(num + den) if (s, y) not in t]
    if not free:
        return None
    # solve for a statistic in the numerator only, else the denominator only, else one in both; a growing one last
    order = sorted(free, key=lambda s: (s in plan.growing, 0 if s not in den else 1 if s not in num else 2))
    if order[0] in den and order[0] not in num and ratio == 0:
        order = [s for s in order if s in num] or order
    s = order[0]
    fill(num + den, y, keep=(s,))
    a = factor(cat.statistic(s).unit, num_unit) if s in num else 0.0
    b = factor(cat.statistic(s).unit, den_unit) if s in den else 0.0
    n0, d0 = total(num, y), total(den, y)
    slope = a - ratio * b
    if slope == 0:
        return None
    x = (ratio * d0 - n0) / slope
    if not (math.isfinite(x) and 0 <= x < 1e15) or (s in plan.days and _six(x) > MAX_DAYS):
        return None
    t[(s, y)] = _six(x)
    return t if total(den, y) > 0 else None


def _statistic_value(draw, st, plan: _Plan, t: dict, sid: str, y: int) -> float:
    """A six-digit value for a free statistic: near its value in the year before or after when there is one (an
    elasticity's denominator grows), else anywhere from 0.01 to ten million; a count of days stays within 1–366."""
    from .dataset import MAX_DAYS

    for other, sign in ((y - 1, 1), (y + 1, -1)):
        if (sid, other) in t and t[(sid, other)] > 0:
            f = draw(st.sampled_from([1.02, 1.1, 1.3] if sid in plan.growing else [0.8, 0.95, 1.0, 1.05, 1.25]))
            x = _six(t[(sid, other)] * f ** sign)
            return min(x, float(MAX_DAYS)) if sid in plan.days else x
    digits, power = draw(st.integers(100_000, 999_999)), draw(st.integers(-7, 1))
    if sid in plan.days:  # days within a year: 1–366 (the same draws, so the other statistics are drawn as before)
        return float(digits % MAX_DAYS + 1)
    return _six(digits * 10.0 ** power)


@functools.lru_cache(maxsize=None)
def _alternative_units(unit: str) -> tuple[tuple[str, float], ...]:
    """Units of _ALT_UNITS a value in `unit` converts to by a power of ten other than 1: (unit, factor)."""
    from .units import factor, normalise

    out = []
    for alt in _ALT_UNITS:
        if normalise(alt) == normalise(unit):
            continue
        try:
            f = factor(unit, alt)
        except Exception:  # UnitError: another dimension
            continue
        k = round(math.log10(f)) if f > 0 else None
        if k is not None and k != 0 and abs(k) <= 8 and f == 10.0 ** k:
            out.append((alt, f))
    return tuple(out)


def _written_statistics(draw, st, cat: Catalogue, stats: dict, y: int) -> dict:
    """The statistics of year y in the forms users write them: bare, {value}, with evidence, with its unit, as text,
    or in an equivalent unit (万元 as 亿元, t as kg, …)."""
    out = {}
    for (sid, yy), v in sorted(stats.items()):
        if yy != y:
            continue
        unit = cat.statistic(sid).unit
        bare = int(v) if v.is_integer() and abs(v) < 1e15 else v
        forms = [st.just(bare), st.just({"value": bare}), st.just({"value": bare, "evidence": f"S-{sid}-{y}"}),
                 st.just(f"{v!r} {unit}".strip())]  # repr: "1.0", as the reader takes a bare "1" for a unit
        if unit:
            forms.append(st.just({"value": bare, "unit": unit}))
        for alt, f in _alternative_units(unit):
            w = float(f"{v * f:.12g}")
            forms += [st.just({"value": w, "unit": alt}), st.just(f"{w!r} {alt}")]
        out[sid] = draw(st.one_of(*forms))
    return out


def _related_specialities() -> tuple[str, ...]:
    """The rule base's list of related specialities (rules/engagement.yaml terms), so the kit follows the data."""
    from .facts import RELATED_SPECIALITIES
    from .rulebook import load_rules

    return load_rules().term_lists()[RELATED_SPECIALITIES]


def _engagement(st, dy: int, overlay_ids: list[str]):
    day = st.dates(min_value=dt.date(dy - 1, 1, 1), max_value=dt.date(dy, 12, 31)).map(dt.date.isoformat)
    member = st.fixed_dictionaries({"name": _names(st)}, optional={
        "role": st.sampled_from(["组长", "成员", "leader"]), "senior": st.booleans(),
        "speciality": st.sampled_from([*_related_specialities(), "会计", "法律", ""]),  # related ones and two that are not
        "led_green_projects": st.booleans(), "park_staff": st.booleans()})
    onsite = st.tuples(day, day).map(sorted).flatmap(lambda se: st.fixed_dictionaries(
        {"start": st.just(se[0]), "end": st.just(se[1])}, optional={"working_days": st.integers(0, 366)}))
    return st.fixed_dictionaries({}, optional={
        "team": st.one_of(st.lists(member, min_size=4, max_size=6), st.lists(member, max_size=8)),  # around the minimum of 5
        "confidentiality_submitted": day, "work_started": day, "onsite": onsite,
        "scope": st.fixed_dictionaries({"full": st.booleans()}, optional={"approval": _names(st)}),
        "fee_charged": st.booleans(), "report_submitted": day, "follow_up_submitted": day,
        "specialised": st.lists(st.sampled_from(overlay_ids), unique=True) if overlay_ids else st.just([]),
    })


# ---------------------------------------------------------------- damaged documents

DROP = "<drop>"  # mutate(): remove the key or list item at the path
EXTRA = "<extra>"  # mutate(): add an unknown key beside it (in a list: repeat the item)


def document_paths(doc: Any, max_depth: Optional[int] = None) -> list[tuple]:
    """Every path (tuple of keys and list indices) to a value inside a JSON-like document, parents before
    children, the document itself left out; paths longer than max_depth + 1 are not followed further."""
    check_int(max_depth, "max_depth", 0, allow_none=True)
    out: list[tuple] = []

    def walk(v, path):
        if max_depth is not None and len(path) > max_depth:
            return
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, x in items:
            out.append(path + (k,))
            walk(x, path + (k,))

    walk(doc, ())
    return out


def mutate(doc: Any, path: tuple, value: Any, *, extra_key: str = "zz_unknown", extra_value: Any = 1) -> Any:
    """A deep copy of doc with the value at path replaced by value, or removed (DROP), or with an unknown key
    extra_key: extra_value added beside it (EXTRA; in a list the item is repeated). doc itself is not changed."""
    import copy

    if not isinstance(path, (tuple, list)) or not path:
        raise bad_argument("path", "须为非空的键与下标元组", "must be a non-empty tuple of keys and list indices", path,
                           "如 ('park', 'name'),或取自 document_paths(doc)", "e.g. ('park', 'name'), or one from document_paths(doc)")
    d = copy.deepcopy(doc)
    parent = d
    try:
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]]  # the place must exist: the value there is replaced, removed or repeated
    except (KeyError, IndexError, TypeError):
        raise bad_argument("path", "不是文档中已有的位置", "is not a place in the document", path,
                           "用 document_paths(doc) 列出的路径", "use a path listed by document_paths(doc)") from None
    if value is DROP:
        del parent[path[-1]]
    elif value is EXTRA:
        if isinstance(parent, dict):
            parent[extra_key] = extra_value
        else:
            parent.append(copy.deepcopy(parent[path[-1]]))
    else:
        parent[path[-1]] = value
    return d


def mutated_documents(base: Any, values=None, *, changes: int = 1, max_depth: Optional[int] = 8,
                      extra_keys=("zz_unknown", "值", "__proto__", "$ref", "")):
    """Copies of a valid document (dataset, overlay, rule file dict) with 1..changes things wrong: mostly a
    value replaced by one drawn from `values` (default hostile_values()), else a key or item removed or an
    unknown key (holding such a value) added. For robustness tests: whatever greendiag makes of the copy must
    be a result or a greendiag error."""
    st = _st()
    values = hostile_values() if _strategy_arg(values, "values") is None else values
    changes, max_depth = check_int(changes, "changes", 1), check_int(max_depth, "max_depth", 0, allow_none=True)

    @st.composite
    def build(draw):
        d = base
        for _ in range(draw(st.integers(1, max(1, changes)))):
            paths = document_paths(d, max_depth)
            if not paths:  # an empty document: the one change is an unknown key (or item) in it
                if isinstance(d, dict):
                    d = {**d, draw(st.sampled_from(extra_keys)): draw(values)}
                elif isinstance(d, list):
                    d = [*d, draw(values)]
                else:
                    break
                continue
            path, how = draw(st.sampled_from(paths)), draw(st.integers(0, 5))
            what = DROP if how == 0 else EXTRA if how == 1 else draw(values)
            extra = (draw(st.sampled_from(extra_keys)), draw(values)) if what is EXTRA else ("", None)
            d = mutate(d, path, what, extra_key=extra[0], extra_value=extra[1])
        return d

    return build().filter(lambda d: not _same(d, base))  # two changes can cancel (an item copied, then removed)


def _same(a: Any, b: Any) -> bool:
    """Equal as data files tell values apart: False and 0, -0.0 and 0.0, 1 and 1.0 differ (== takes them as equal);
    anything without a plain equality (an array, say) counts as a change."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return repr(a) == repr(b)  # -0.0 is not 0.0; nan is nan
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - e.g. numpy arrays: ambiguous truth value
        return False


# ---------------------------------------------------------------- engine rule sets and facts


def numbers():
    """Finite floats, edge floats first."""
    st = _st()
    return st.one_of(st.sampled_from(EDGE_FLOATS), st.floats(allow_nan=False, allow_infinity=False),
                     st.integers(-10 ** 6, 10 ** 6).map(float))


def texts():
    """Short strings, including ones that look like numbers, quotes, backslashes and CJK."""
    st = _st()
    return st.one_of(st.sampled_from(["", "x", "y", "园区", "95", "1e-05", 'q"uote', "back\\", "\n"]), st.text(max_size=6))


def hostile_values():
    """Anything a fact field might hold: numbers, huge ints, strings, None, bools, NaN/inf, lists, dicts."""
    st = _st()
    return st.one_of(numbers(), st.integers(-10 ** 30, 10 ** 30), texts(), st.none(), st.booleans(),
                     st.sampled_from([float("nan"), float("inf"), -float("inf"), [1.0], {"k": 1.0}, 10 ** 400]))


def conditions(num_fields: tuple[str, ...] = NUM_FIELDS, str_fields: tuple[str, ...] = STR_FIELDS):
    """One engine condition: a number field against a constant or another number field, or a string
    field (== / !=) against a string or the other string field."""
    st = _st()
    num_fields, str_fields = _fields_arg(num_fields, "num_fields"), _fields_arg(str_fields, "str_fields")
    from .engine import Cond

    @st.composite
    def cond(draw):
        if not str_fields or draw(st.booleans()):
            field = draw(st.sampled_from(num_fields))
            op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
            others = [f for f in num_fields if f != field]
            if others and draw(st.integers(0, 3)) == 0:
                return Cond(field, op, other=draw(st.sampled_from(others)))
            return Cond(field, op, value=draw(numbers()))
        field = draw(st.sampled_from(str_fields))
        op = draw(st.sampled_from(["==", "!="]))
        others = [f for f in str_fields if f != field]
        if others and draw(st.integers(0, 3)) == 0:
            return Cond(field, op, other=draw(st.sampled_from(others)))
        return Cond(field, op, value=draw(texts()))

    return cond()


def rule_sets(*, num_fields: tuple[str, ...] = NUM_FIELDS, str_fields: tuple[str, ...] = STR_FIELDS,
              max_rules: int = 70, max_conditions: int = 4):
    """Random valid RuleSets in the engine IR (ids r00, r01, …); > 64 rules exercise sharding."""
    st = _st()
    from .engine import Rule, RuleSet

    num_fields, str_fields = _fields_arg(num_fields, "num_fields"), _fields_arg(str_fields, "str_fields")
    max_rules, max_conditions = check_int(max_rules, "max_rules", 1), check_int(max_conditions, "max_conditions", 1, 8)
    return st.lists(st.lists(conditions(num_fields, str_fields), min_size=1, max_size=max_conditions),
                    min_size=1, max_size=max_rules).map(
        lambda rules: RuleSet(tuple(Rule(f"r{i:02d}", tuple(c)) for i, c in enumerate(rules)), version="h"))


def facts(fields: tuple[str, ...] = NUM_FIELDS + STR_FIELDS + ("other",), *, hostile: bool = True, max_size: int = 7):
    """Fact dicts over `fields`: hostile values (wrong types, NaN, huge ints) or, hostile=False, finite numbers."""
    st = _st()
    fields, hostile, max_size = _fields_arg(fields, "fields"), check_flag(hostile, "hostile"), check_int(max_size, "max_size", 0)
    return st.dictionaries(st.sampled_from(fields), hostile_values() if hostile else numbers(), max_size=max_size)


def fact_from(rule_set, values: Mapping[str, Any]) -> dict:
    """A fact that often satisfies a rule: the rule set's constants copied into their fields, then `values`."""
    from .engine import RuleSet

    if not isinstance(rule_set, RuleSet):
        raise bad_argument("rule_set", "须为引擎规则集(RuleSet)", "must be an engine RuleSet", rule_set,
                           "如 rule_sets() 抽取的规则集", "e.g. one drawn from rule_sets()")
    if not isinstance(values, Mapping):
        raise bad_argument("values", "须为 字段 → 值 的字典", "must be a dict of field -> value", values, "如 {'n0': 1.0}", "e.g. {'n0': 1.0}")
    return {c.field: c.value for r in rule_set.rules for c in r.when if c.value is not None} | dict(values)


# ---------------------------------------------------------------- scoring invariants


class ScoringInvariantError(AssertionError):
    """A diagnosis breaks the scoring method; `violations` lists every broken invariant."""

    def __init__(self, violations: list[str]):
        self.violations = tuple(violations)
        shown = "\n  ".join(violations[:40]) + (f"\n  … and {len(violations) - 40} more" if len(violations) > 40 else "")
        super().__init__(f"{len(violations)} scoring invariant(s) broken:\n  {shown}")


def expected_score(indicator: Indicator, value: Optional[float] = None, level: Optional[str] = None, *,
                   method: ScoringMethod) -> tuple[Optional[float], frozenset]:
    """The method of docs/scoring.md, written out again: (score or None, expected non-positive flags)."""
    _indicator_arg(indicator), _method_arg(method), _number_arg(value, "value", allow_none=True), _text_arg(level, "level")
    if indicator.qualitative:
        lv = indicator.level(level) if level is not None else None
        return (None, frozenset()) if lv is None else (min(method.cap, lv.score), frozenset())
    if value is None:
        return None, frozenset()
    if indicator.direction == "higher":
        if value <= 0:
            return 0.0, frozenset({"floored_nonpositive"})
        return min(method.cap, method.full * (value / indicator.lead_value)), frozenset()
    if value <= 0:
        return method.cap, frozenset({"best_nonpositive"})
    return min(method.cap, method.full * (indicator.lead_value / value)), frozenset()  # overflow gives inf: capped


def _close(a: Optional[float], b: Optional[float], tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _mean(xs: list[float]) -> Optional[float]:
    return math.fsum(xs) / len(xs) if xs else None


def assert_scoring_invariants(diagnosis: Any, catalogue: Optional[Catalogue] = None, *, tol: float = 1e-9,
                              require_findings: bool = True) -> None:
    """Check a Diagnosis (or its to_dict()) against the scoring method, recomputed from its own rows.

    Every (indicator, year) has exactly one row; every score is finite and within [0, cap]; each scored
    row equals the method applied to its value or level; missing data is listed (optional left out,
    mandatory scored per the method) and, with require_findings, named by a compliance finding;
    a year without any scored row is not assessable (no scores, no total, no band: never 0);
    category scores, totals, total_if_complete, missing_effect and bands equal their parts (and, when an overlay adds
    indicators, general_total equals the same aggregation over the guide's indicators alone); indicator,
    category and total changes agree with the scores (their general_* figures with the guide's rows, recomputed here).
    Raises ScoringInvariantError listing every violation.
    """
    _number_arg(tol, "tol"), check_flag(require_findings, "require_findings"), check_catalogue(catalogue)
    if isinstance(diagnosis, Mapping) and not all(k in diagnosis for k in ("years", "indicators", "category_scores", "total_scores")):
        raise bad_argument("diagnosis", "不是诊断结果字典(缺少 years、indicators 等)", "is not a diagnosis dict (no years, indicators, ...)",
                           diagnosis, "传入 diagnose() 的结果或其 to_dict()", "pass a Diagnosis from diagnose() or its to_dict()")
    if not isinstance(diagnosis, Mapping) and not callable(getattr(diagnosis, "to_dict", None)):
        raise bad_argument("diagnosis", "须为 diagnose() 的结果或其 to_dict()", "must be a Diagnosis from diagnose() or its to_dict()",
                           diagnosis, "已保存的 diagnosis.json 先用 json.load 读入", "read a saved diagnosis.json with json.load first")
    if isinstance(diagnosis, Mapping):
        d = diagnosis
        cat = _catalogue(catalogue)
    else:
        d = diagnosis.to_dict()
        cat = catalogue or diagnosis.catalogue
    m = cat.scoring
    bad: list[str] = []
    meta_ids = [i["id"] for i in d.get("catalogue", {}).get("indicators", [])]
    if meta_ids and meta_ids != [i.id for i in cat.indicators]:
        raise ScoringInvariantError([f"the diagnosis was made with another catalogue than {cat.label!r}: indicators differ"])
    if [list(o) for o in cat.overlays] != list(d.get("catalogue_overlays", [])):
        bad.append(f"catalogue_overlays {d.get('catalogue_overlays')} != {[list(o) for o in cat.overlays]}")
    years = list(d["years"])
    rows: dict[tuple[str, int], dict] = {}
    for r in d["indicators"]:
        key = (r["id"], r["year"])
        if key in rows:
            bad.append(f"indicator {key} has two rows")
        rows[key] = r
    for ind in cat.indicators:
        for y in years:
            if (ind.id, y) not in rows:
                bad.append(f"indicator {ind.number} {ind.id} has no row for {y} (missing data must be reported)")
    if any(r["year"] not in years for r in d["indicators"]) or len(rows) != len(cat.indicators) * len(years):
        bad.append("rows for unknown indicators or years")
    missing_by_finding = {(f.get("indicator"), f.get("year")) for f in d.get("findings", []) if f.get("kind") == "compliance"}
    undefined_by_finding = {(f.get("indicator"), f.get("year")) for f in d.get("findings", []) if f.get("rule_id") == UNDEFINED_RULE}
    # a year is assessable iff one of its rows was scored from data; decided here from the rows' statuses
    assessable = {y: any(r["status"] == "scored" for (_, yy), r in rows.items() if yy == y) for y in years}
    for (iid, y), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[1]["number"])):
        if not cat.has_indicator(iid):
            continue
        ind = cat.indicator(iid)
        where = f"{y} {ind.number} {ind.id}"
        s, status, flags = r["score"], r["status"], set(r.get("flags", ()))
        if s is not None and (not isinstance(s, (int, float)) or not math.isfinite(s) or not 0 <= s <= m.cap):
            bad.append(f"{where}: score {s!r} outside [0, {m.cap:g}]")
            continue
        if r["category"] != ind.category or r["number"] != ind.number:
            bad.append(f"{where}: category/number {r['category']}/{r['number']} do not match the catalogue")
        if status == "scored":
            want, want_flags = expected_score(ind, r["value"], r["level"], method=m)
            if want is None:
                bad.append(f"{where}: scored without a value or level")
            elif not _close(s, want, tol):
                bad.append(f"{where}: score {s!r}, the method gives {want!r} for {r['value'] if r['level'] is None else r['level']!r}")
            nonpos = flags & {"floored_nonpositive", "best_nonpositive"}
            if nonpos != want_flags:
                bad.append(f"{where}: flags {sorted(flags)}, expected non-positive flags {sorted(want_flags)}")
            if "capped" in flags and not _close(s, m.cap, tol):
                bad.append(f"{where}: flagged capped but scores {s!r}")
        elif status in ("missing_optional", "missing_mandatory"):
            if r["value"] is not None or r["level"] is not None:
                bad.append(f"{where}: {status} but has a value or level")
            if status == "missing_optional":
                if ind.mandatory:
                    bad.append(f"{where}: mandatory indicator reported as missing_optional")
                if s is not None:
                    bad.append(f"{where}: missing optional indicator scored {s!r} (must be left out)")
            else:
                if not ind.mandatory:
                    bad.append(f"{where}: optional indicator reported as missing_mandatory")
                want = 0.0 if m.missing_mandatory == "zero" and assessable[y] else None
                if s != want:
                    bad.append(f"{where}: missing mandatory indicator scored {s!r}, the method gives {want!r}"
                               + ("" if assessable[y] else " (the year has no data: not assessable)"))
            # in a year without any data, one finding for the year (indicator None) names the gap
            if require_findings and (ind.number, y) not in missing_by_finding and (assessable[y] or (None, y) not in missing_by_finding):
                bad.append(f"{where}: missing data without a compliance finding")
        elif status == "undefined":  # the statistics show the formula has no value that year: shown, not scored
            if s is not None or flags:
                bad.append(f"{where}: undefined but scored {s!r} or flagged {sorted(flags)}")
            if require_findings and (ind.number, y) not in undefined_by_finding:
                bad.append(f"{where}: undefined without a finding saying so")
        else:
            bad.append(f"{where}: unknown status {status!r}")
    cats = {(c["category"], c["year"]): c for c in d["category_scores"]}
    totals = {t["year"]: t for t in d["total_scores"]}
    added = {i.id for i in cat.indicators if i.origin not in ("", cat.id) and i.replaces is None}
    for y in years:
        yr = [r for (iid, yy), r in rows.items() if yy == y and cat.has_indicator(iid)]
        cat_means: dict[str, Optional[float]] = {}
        cat_means_complete: dict[str, Optional[float]] = {}
        for c in cat.categories:
            cr = [r for r in yr if r["category"] == c.code]
            want = _mean([r["score"] for r in cr if r["score"] is not None])
            cat_means[c.code] = want
            cat_means_complete[c.code] = _mean([r["score"] for r in cr if r["score"] is not None and r["status"] != "missing_mandatory"])
            got = cats.get((c.code, y))
            if got is None:
                bad.append(f"{y} category {c.code}: no category score")
                continue
            if not _close(got["score"], want, tol):
                bad.append(f"{y} category {c.code}: score {got['score']!r}, mean of its rows is {want!r}")
            if got["evaluated"] != sum(1 for r in cr if r["score"] is not None):
                bad.append(f"{y} category {c.code}: evaluated {got['evaluated']} does not count its scored rows")
            if sorted(got["missing"]) != sorted(r["number"] for r in cr if r["status"] in ("missing_optional", "missing_mandatory")):
                bad.append(f"{y} category {c.code}: missing {got['missing']} does not list its rows without data")
        t = totals.get(y)
        if t is None:
            bad.append(f"{y}: no total score")
            continue
        scores = [r["score"] for r in yr if r["score"] is not None]
        complete = [r["score"] for r in yr if r["score"] is not None and r["status"] != "missing_mandatory"]

        def wmean(means):
            pairs = [(means[c.code], c.weight) for c in cat.categories if means[c.code] is not None]
            wsum = math.fsum(w for _, w in pairs)
            return math.fsum(s * w for s, w in pairs) / wsum if wsum else None
        if m.total_aggregation == "mean_of_indicators":
            want_total, want_complete = _mean(scores), _mean(complete)
        else:
            want_total, want_complete = wmean(cat_means), wmean(cat_means_complete)
        if not assessable[y]:  # nothing scored: the total is None, not the mean of zeros
            want_total = want_complete = None
        if t.get("assessable") is not assessable[y]:
            bad.append(f"{y}: assessable {t.get('assessable')!r}, but {'some' if assessable[y] else 'no'} row is scored")
        if not _close(t["total"], want_total, tol):
            bad.append(f"{y}: total {t['total']!r}, recomputed {want_total!r}")
        if t["total"] is not None and not 0 <= t["total"] <= m.cap:
            bad.append(f"{y}: total {t['total']!r} outside [0, {m.cap:g}]")
        if t["evaluated"] != len(scores):
            bad.append(f"{y}: evaluated {t['evaluated']}, {len(scores)} rows have a score")
        if "general_total" in t or added:  # the guide's indicators alone, when an overlay adds some (专项诊断)
            g_rows = [r for r in yr if r["id"] not in added]
            g_scores = [r["score"] for r in g_rows if r["score"] is not None]
            if not added or not any(r["status"] == "scored" for r in g_rows):
                want_general, want_n = None, None
            elif m.total_aggregation == "mean_of_indicators":
                want_general, want_n = _mean(g_scores), len(g_scores)
            else:
                g_means = {c.code: _mean([r["score"] for r in g_rows if r["category"] == c.code and r["score"] is not None])
                           for c in cat.categories}
                want_general, want_n = wmean(g_means), len(g_scores)
            if not _close(t.get("general_total"), want_general, tol) or t.get("general_evaluated") != want_n:
                bad.append(f"{y}: general_total {t.get('general_total')!r} over {t.get('general_evaluated')!r} indicators, "
                           f"recomputed {want_general!r} over {want_n!r} (the guide's indicators alone)")
            g_band = next((b for b in sorted(m.bands, key=lambda b: -b.min) if want_general >= b.min), None) \
                if want_general is not None else None
            if (t.get("general_band_zh"), t.get("general_band_en")) != ((g_band.zh, g_band.en) if g_band else (None, None)):
                bad.append(f"{y}: general band {t.get('general_band_zh')!r}, expected {g_band.zh if g_band else None!r}")
            for c in cat.categories:
                want_c = (_mean([r["score"] for r in g_rows if r["category"] == c.code and r["score"] is not None])
                          if want_general is not None else None)
                got_c = cats.get((c.code, y))
                if got_c is not None and not _close(got_c.get("general_score"), want_c, tol):
                    bad.append(f"{y} category {c.code}: general_score {got_c.get('general_score')!r}, "
                               f"mean of the guide's indicators is {want_c!r}")
        for status in ("missing_optional", "missing_mandatory", "undefined"):
            if sorted(t.get(status, ())) != sorted(r["number"] for r in yr if r["status"] == status):
                bad.append(f"{y}: {status} {t.get(status)} does not list the {status} rows")
        if not _close(t["total_if_complete"], want_complete, tol):
            bad.append(f"{y}: total_if_complete {t['total_if_complete']!r}, recomputed {want_complete!r}")
        effect = (want_total - want_complete) if want_total is not None and want_complete is not None else None
        if not _close(t["missing_effect"], effect, tol) or (t["missing_effect"] is not None and t["missing_effect"] > tol):
            bad.append(f"{y}: missing_effect {t['missing_effect']!r}, expected {effect!r} (never positive; None when not assessable)")
        band = None
        if t["total"] is not None:
            band = next((b for b in sorted(m.bands, key=lambda b: -b.min) if t["total"] >= b.min), None)
        if (t["band_zh"], t["band_en"]) != ((band.zh, band.en) if band else (None, None)):
            bad.append(f"{y}: band {t['band_zh']}/{t['band_en']} does not match total {t['total']!r}")
    for ch in d.get("changes", []):
        a, b = rows.get((ch["indicator"], ch["from_year"])), rows.get((ch["indicator"], ch["to_year"]))
        if a is None or b is None:
            bad.append(f"change {ch['indicator']} {ch['from_year']}->{ch['to_year']}: years without rows")
            continue
        both = a["status"] == "scored" and b["status"] == "scored"
        want = b["score"] - a["score"] if both else None
        if not _close(ch["score_delta"], want, tol):
            bad.append(f"change {ch['indicator']} {ch['from_year']}->{ch['to_year']}: score_delta {ch['score_delta']!r}, rows give {want!r}")
        elif both:
            if ch["assessment"] == "better" and want < -tol or ch["assessment"] == "worse" and want > tol:
                bad.append(f"change {ch['indicator']} {ch['from_year']}->{ch['to_year']}: {ch['assessment']} but the score moved {want:+g}")
    bad += _score_change_violations(d, cat, years, cats, totals, tol, frozenset(added))
    if bad:
        raise ScoringInvariantError(bad)


def _score_change_violations(d: Mapping, cat: Catalogue, years: list, cats: dict, totals: dict, tol: float,
                             added: frozenset[str] = frozenset()) -> list[str]:
    """Category and total changes: one per category (and the total) and pair of years, equal to the scores' difference;
    their general_* figures (the guide's indicators alone, `added` the overlay's ids) recomputed from the rows."""
    bad: list[str] = []
    pairs = list(zip(years, years[1:])) + ([(years[0], years[-1])] if len(years) > 2 else [])
    want_keys = [(c.code, a, b) for c in cat.categories for a, b in pairs] + [(None, a, b) for a, b in pairs]
    got = {}
    for ch in d.get("score_changes", []):
        key = (ch["category"], ch["from_year"], ch["to_year"])
        if key in got:
            bad.append(f"score change {key}: listed twice")
        got[key] = ch
    missing = [k for k in want_keys if k not in got]
    extra = sorted((k for k in got if k not in set(want_keys)), key=repr)
    if missing:
        bad.append(f"score changes missing for (category, from, to) {missing} (None = the total)")
    if extra:
        bad.append(f"score changes for unknown categories or pairs of years {extra}")
    for key in want_keys:
        ch = got.get(key)
        if ch is None:
            continue
        code, a, b = key
        if code is None:
            sa, sb = (totals[y]["total"] if y in totals else None for y in (a, b))
        else:
            sa, sb = (cats[(code, y)]["score"] if (code, y) in cats else None for y in (a, b))
        delta = sb - sa if sa is not None and sb is not None else None
        want = "n/a" if delta is None else "better" if delta > tol else "worse" if delta < -tol else "same"
        what = f"score change {code or 'total'} {a}->{b}"
        if not (_close(ch["from_score"], sa, tol) and _close(ch["to_score"], sb, tol) and _close(ch["delta"], delta, tol)):
            bad.append(f"{what}: {ch['from_score']!r}->{ch['to_score']!r} delta {ch['delta']!r}, the scores give {sa!r}->{sb!r} delta {delta!r}")
        elif ch["assessment"] != want and not (want == "same" and ch["assessment"] in ("better", "worse") and abs(delta) <= tol):
            bad.append(f"{what}: assessed {ch['assessment']!r}, the scores moved {delta!r} ({want})")
        if "data_gaps" in ch:  # a diagnosis.json older than the field has none
            bad += _data_gap_violations(d, cat, ch, what, code, a, b, delta, tol)
        if any(k in ch for k in _GENERAL_CHANGE_KEYS):  # a diagnosis.json older than them has none
            bad += _general_change_violations(d, cat, ch, what, code, a, b, added, tol)
    return bad


_GENERAL_CHANGE_KEYS = ("general_from_score", "general_to_score", "general_delta", "general_data_gaps",
                        "general_delta_without_data_gaps")


def _general_change_violations(d: Mapping, cat: Catalogue, ch: Mapping, what: str, code: Optional[str], a: int, b: int,
                               added: frozenset[str], tol: float) -> list[str]:
    """A score change's general_* figures, recomputed from the indicator rows of the guide's indicators alone (not from
    the diagnosis's general_score / general_total): all null without added indicators; else the guide's scores of the
    two years (null in a year where none of the guide's indicators is scored), their difference, the guide's indicators
    counted in one of the two years only, and the change with those left out of both years."""
    if not added:
        extra = {k: ch.get(k) for k in _GENERAL_CHANGE_KEYS if ch.get(k) is not None}
        return [f"{what}: {extra!r} although no overlay adds indicators (must be null)"] if extra else []
    guide = [r for r in d["indicators"] if r["id"] not in added]
    ok = {y: any(r["status"] == "scored" for r in guide if r["year"] == y) for y in (a, b)}  # general_total is not None
    mine = {(r["number"], r["year"]): r for r in guide if code is None or r["category"] == code}

    def score(year: int, left_out: tuple[int, ...] = ()) -> Optional[float]:
        kept = [r for (n, y), r in mine.items() if y == year and n not in left_out and r["score"] is not None]
        return _aggregate(cat, kept, code) if ok[year] else None

    sa, sb = score(a), score(b)
    delta = sb - sa if sa is not None and sb is not None else None
    got = (ch.get("general_from_score"), ch.get("general_to_score"), ch.get("general_delta"))
    if not all(_close(g, w, tol) for g, w in zip(got, (sa, sb, delta))):
        return [f"{what}: general scores {got[0]!r}->{got[1]!r} delta {got[2]!r}, the guide's rows give {sa!r}->{sb!r} "
                f"delta {delta!r}"]

    def counted(n: int, y: int) -> Optional[tuple[bool, bool]]:
        r = mine.get((n, y))
        return (r["score"] is not None, r["status"] == "scored") if r is not None else None

    gaps = tuple(sorted(n for n, y in mine if y == a and ok[a] and ok[b] and counted(n, a) != counted(n, b)))
    got_gaps = ch.get("general_data_gaps")
    if not isinstance(got_gaps, list) or tuple(sorted(got_gaps)) != gaps:
        return [f"{what}: general_data_gaps {got_gaps!r}, the guide's rows give {list(gaps)!r}"]
    ra, rb = (score(a, gaps), score(b, gaps)) if gaps and delta is not None else (None, None)
    want = rb - ra if ra is not None and rb is not None else None
    if not _close(ch.get("general_delta_without_data_gaps"), want, tol):
        return [f"{what}: general_delta_without_data_gaps {ch.get('general_delta_without_data_gaps')!r}, the guide's rows "
                f"without {list(gaps)!r} give {want!r}"]
    return []


def _aggregate(cat: Catalogue, kept: list, code: Optional[str]) -> Optional[float]:
    """A category's score (code) or the total from the kept indicator rows, by the catalogue's aggregation, worked out
    here independently of scoring.py: the mean of the rows, or of the categories' means weighted."""
    if code is not None or cat.scoring.total_aggregation == "mean_of_indicators":
        return _mean([r["score"] for r in kept])
    means = [(_mean([r["score"] for r in kept if r["category"] == c.code]), c.weight) for c in cat.categories]
    pairs = [(m, w) for m, w in means if m is not None]
    wsum = math.fsum(w for _, w in pairs)
    return math.fsum(m * w for m, w in pairs) / wsum if wsum else None


def _data_gap_violations(d: Mapping, cat: Catalogue, ch: Mapping, what: str, code: Optional[str], a: int, b: int,
                         delta: Optional[float], tol: float) -> list[str]:
    """data_gaps lists the indicators counted differently in the two years (a score in one; in the other a 0 for
    missing mandatory data, or left out); delta_without_data_gaps is the change with them left out of both years
    (recomputed here from the rows)."""
    rows = {(r["number"], r["year"]): r for r in d["indicators"] if code is None or r["category"] == code}

    def counted(n: int, y: int) -> Optional[tuple[bool, bool]]:
        r = rows.get((n, y))  # a missing row is a violation of its own (reported elsewhere)
        return (r["score"] is not None, r["status"] == "scored") if r is not None else None

    assessable = {t["year"]: t.get("assessable", True) for t in d.get("total_scores", ())}
    both = assessable.get(a, True) and assessable.get(b, True)
    gaps = sorted(n for n, y in rows if y == a and both and counted(n, a) != counted(n, b))
    if sorted(ch["data_gaps"]) != gaps:
        return [f"{what}: data_gaps {ch['data_gaps']!r}, the rows give {gaps!r}"]

    def score(year: int) -> Optional[float]:
        return _aggregate(cat, [r for (n, y), r in rows.items() if y == year and n not in gaps and r["score"] is not None], code)

    sa, sb = (score(a), score(b)) if gaps and delta is not None else (None, None)
    want = sb - sa if sa is not None and sb is not None else None
    if not _close(ch.get("delta_without_data_gaps"), want, tol):
        return [f"{what}: delta_without_data_gaps {ch.get('delta_without_data_gaps')!r}, the rows without {gaps!r} give {want!r}"]
    return []


def assert_monotone(indicator: Indicator, a: float, b: float, *, catalogue: Optional[Catalogue] = None) -> None:
    """A better value (in the indicator's direction) never scores lower; checked with greendiag.scoring."""
    from .scoring import score_value

    _indicator_arg(indicator), _number_arg(a, "a"), _number_arg(b, "b")
    given = getattr(catalogue, "scoring", None)  # only the scoring method is used: anything carrying one will do
    method = given if isinstance(given, ScoringMethod) else _catalogue(catalogue).scoring
    lo_v, hi_v = sorted((a, b))
    s_lo, _ = score_value(indicator, lo_v, None, method)
    s_hi, _ = score_value(indicator, hi_v, None, method)
    # lower is better: the smaller value is the better one (non-positive values are the best case)
    better, worse = (s_hi, s_lo) if indicator.direction == "higher" else (s_lo, s_hi)
    if better < worse:
        raise AssertionError(f"{indicator.number} {indicator.id}: {lo_v!r} scores {s_lo!r} and {hi_v!r} scores {s_hi!r}, "
                             f"against the direction '{indicator.direction}'")
