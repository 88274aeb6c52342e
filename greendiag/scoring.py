"""Scoring per the catalogue's method: indicator scores against lead values, category and total scores.

Method (catalogue.yaml `scoring`, see docs/scoring.md): higher-is-better scores min(cap, full×value/lead),
lower-is-better min(cap, full×lead/value); qualitative levels score as declared. A non-positive value
breaks the ratio: higher-is-better floors at 0, lower-is-better gets the capped score; both are flagged.
Missing data is never silently zero: each missing indicator is listed with its effect on the total, and
a year with no scorable data at all is "not assessable" (no category scores, no total), never a total of 0.
The band is kept as computed, but a mandatory baseline requirement (附件2-1-1, 1–6) not met marks it
`band_qualified: false` (rating for reference only).
"""

from __future__ import annotations

import math
import sys
from typing import Optional

import attrs

from . import units
from .models import Catalogue, Indicator, IndicatorValue, ParkDataset, ScoringMethod

# statuses of an indicator score
SCORED, MISSING_OPTIONAL, MISSING_MANDATORY = "scored", "missing_optional", "missing_mandatory"
UNDEFINED = "undefined"  # the statistics show the indicator's formula has no value that year (elasticity without growth)
# flags
CAPPED, FLOORED_NONPOSITIVE, BEST_NONPOSITIVE = "capped", "floored_nonpositive", "best_nonpositive"


@attrs.frozen
class IndicatorScore:
    indicator: str
    number: int
    category: str
    year: int
    value: Optional[float]
    level: Optional[str]
    unit: str
    score: Optional[float]  # None when left out of the means
    status: str
    flags: tuple[str, ...] = ()
    origin: Optional[str] = None  # reported | derived
    evidence: Optional[str] = None


@attrs.frozen
class CategoryScore:
    category: str
    year: int
    score: Optional[float]
    evaluated: int
    missing: tuple[int, ...]  # indicator numbers left out or scored 0 for lack of data
    weight: float
    # the mean over the guide's indicators of the category alone, when overlays add indicators (专项诊断); None otherwise,
    # and for a category holding only added indicators or none of the guide's scored that year
    general_score: Optional[float] = None


@attrs.frozen
class YearScore:
    year: int
    total: Optional[float]  # None when the year is not assessable
    evaluated: int
    band_zh: Optional[str]
    band_en: Optional[str]
    missing_optional: tuple[int, ...]
    missing_mandatory: tuple[int, ...]
    total_if_complete: Optional[float]  # total with missing mandatory indicators left out instead of 0
    missing_effect: Optional[float]  # total - total_if_complete (<= 0): what missing data costs; None if not assessable
    assessable: bool = True  # False when no indicator of the year has data to score: no total, no band
    band_qualified: bool = True  # False when a mandatory baseline requirement is not met: the band is for reference only
    undefined: tuple[int, ...] = ()  # indicators undefined that year (see UNDEFINED): not scored, left out of the mean
    # the total over the guide's indicators alone (附件2-1-2), aggregated the same way, when overlays add indicators
    # (专项诊断), comparable with a general diagnosis; None when no overlay adds one, or no guide indicator scores that year
    general_total: Optional[float] = None
    general_evaluated: Optional[int] = None  # how many of the guide's indicators entered general_total (None as above)
    general_band_zh: Optional[str] = None  # the band of general_total (None with it)
    general_band_en: Optional[str] = None


@attrs.frozen
class BaselineSummary:
    """The baseline requirements (附件2-1-1) that gate the rating: numbers, sorted."""

    mandatory_unmet: tuple[int, ...] = ()
    mandatory_unknown: tuple[int, ...] = ()  # not checked or not given: the rating assumes they are met
    encouraged_unmet: tuple[int, ...] = ()  # 7, 8 say 鼓励: noted, no gate

    @property
    def qualified(self) -> bool:
        return not self.mandatory_unmet


def baseline_summary(ds: ParkDataset, cat: Catalogue) -> BaselineSummary:
    """Which baseline requirements are not met or unknown; a requirement the dataset does not give is unknown."""
    status = {r.number: r.status for r in ds.baseline}
    reqs = sorted(cat.requirements, key=lambda r: r.number)
    return BaselineSummary(
        tuple(r.number for r in reqs if r.mandatory and status.get(r.number) == "not_met"),
        tuple(r.number for r in reqs if r.mandatory and status.get(r.number, "unknown") == "unknown"),
        tuple(r.number for r in reqs if not r.mandatory and status.get(r.number) == "not_met"))


@attrs.frozen
class Change:
    indicator: str
    number: int
    from_year: int
    to_year: int
    from_value: Optional[float]
    to_value: Optional[float]
    delta: Optional[float]
    score_delta: Optional[float]
    assessment: str  # better | worse | same | n/a


@attrs.frozen
class ScoreChange:
    """The change of a category score (category = its code) or of the total (category = None) between two years."""

    category: Optional[str]
    from_year: int
    to_year: int
    from_score: Optional[float]
    to_score: Optional[float]
    delta: Optional[float]
    assessment: str  # better | worse | same | n/a (a higher score is better)
    # mandatory indicators scored 0 for missing data in only one of the two years, and the change with them left out
    # of both years: a change that comes from a data gap is not the park getting better or worse
    data_gaps: tuple[int, ...] = ()
    delta_without_data_gaps: Optional[float] = None
    # the same over the guide's indicators alone (general_score / general_total), when an overlay adds indicators
    # (专项诊断): the change the park is graded by. All None without such an overlay; general_data_gaps is then None, with
    # one a tuple (empty unless a guide indicator is counted in one of the two years only)
    general_from_score: Optional[float] = None
    general_to_score: Optional[float] = None
    general_delta: Optional[float] = None
    general_data_gaps: Optional[tuple[int, ...]] = None
    general_delta_without_data_gaps: Optional[float] = None


@attrs.frozen
class Scorecard:
    indicators: tuple[IndicatorScore, ...]
    categories: tuple[CategoryScore, ...]
    totals: tuple[YearScore, ...]
    changes: tuple[Change, ...]
    score_changes: tuple[ScoreChange, ...] = ()
    baseline: BaselineSummary = BaselineSummary()

    _index: dict = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:  # lookups by key, not scans: facts ask once per indicator and year
        object.__setattr__(self, "_index", {**{(s.indicator, s.year): s for s in self.indicators},
                                            **{("", t.year): t for t in self.totals}})

    def score(self, indicator: str, year: int) -> Optional[IndicatorScore]:
        return self._index.get((indicator, year))

    def total(self, year: int) -> Optional[YearScore]:
        return self._index.get(("", year))


def score_value(ind: Indicator, value: Optional[float], level: Optional[str], method: ScoringMethod) -> tuple[Optional[float], tuple[str, ...]]:
    """Score one value of one indicator; (score, flags). None score when there is nothing to score."""
    if ind.qualitative:
        lv = ind.level(level) if level is not None else None
        if lv is None:
            return None, ()
        return min(method.cap, lv.score), ((CAPPED,) if lv.score > method.cap else ())
    if value is None:
        return None, ()
    lead = ind.lead_value
    if ind.direction == "higher":
        if value <= 0:
            return 0.0, (FLOORED_NONPOSITIVE,)
        raw = method.full * (value / lead)  # the ratio first: at the lead it is exactly 1, so the score exactly full
    else:
        if value <= 0:
            return method.cap, (BEST_NONPOSITIVE, CAPPED)
        raw = method.full * (lead / value)
    if raw > method.cap:
        return method.cap, (CAPPED,)
    return raw, ()


def _mean(xs: list[float]) -> Optional[float]:
    return sum(xs) / len(xs) if xs else None


def _assess(ind: Indicator, a: Optional[float], b: Optional[float]) -> str:
    if a is None or b is None:
        return "n/a"
    if a == b:
        return "same"
    up = b > a
    if ind.qualitative or ind.direction == "higher":
        return "better" if up else "worse"
    return "worse" if up else "better"


def score_dataset(ds: ParkDataset, cat: Catalogue) -> Scorecard:
    """Score every indicator in every diagnosis year, then categories, totals and changes."""
    m = cat.scoring
    rows: list[IndicatorScore] = []
    undefined = _undefined(ds, cat)
    for year in ds.years:
        yr: list[IndicatorScore] = []
        for ind in cat.indicators:
            v: Optional[IndicatorValue] = ds.value(ind.id, year)
            value = v.value if v else None
            level = v.level if v else None
            score, flags = score_value(ind, value, level, m)
            if (ind.id, year) in undefined:  # a reported value is shown, not scored
                score, flags, status = None, (), UNDEFINED
            elif score is not None:
                status = SCORED
            elif ind.mandatory:
                status = MISSING_MANDATORY
                score = 0.0 if m.missing_mandatory == "zero" else None
            else:
                status = MISSING_OPTIONAL
            yr.append(IndicatorScore(ind.id, ind.number, ind.category, year, value, level, ind.unit, score, status, flags,
                                     v.origin if v else None, v.evidence if v else None))
        if not any(r.status == SCORED for r in yr):  # nothing to score: no zeros that would make a total of 0
            yr = [attrs.evolve(r, score=None) for r in yr]
        rows += yr
    cats: list[CategoryScore] = []
    totals: list[YearScore] = []
    gate = baseline_summary(ds, cat)
    added = added_indicators(cat)
    by_year: dict[int, list[IndicatorScore]] = {}
    for r in rows:
        by_year.setdefault(r.year, []).append(r)
    for year in ds.years:
        yr = by_year.get(year, [])
        assessable = any(r.status == SCORED for r in yr)
        general_ok = bool(added) and any(r.status == SCORED and r.indicator not in added for r in yr)  # see general_total
        by_category: dict[str, list[IndicatorScore]] = {}
        for r in yr:
            by_category.setdefault(r.category, []).append(r)
        for c in cat.categories:
            cr = by_category.get(c.code, [])
            scored = [r.score for r in cr if r.score is not None]
            general = _mean([r.score for r in cr if r.score is not None and r.indicator not in added]) if general_ok else None
            cats.append(CategoryScore(c.code, year, _mean(scored), len(scored),
                                      tuple(r.number for r in cr if r.status in (MISSING_OPTIONAL, MISSING_MANDATORY)), c.weight,
                                      general))
        year_cats = [cs for cs in cats if cs.year == year]
        total = _total(m, cat, yr, year_cats) if assessable else None
        complete = _total(m, cat, [r for r in yr if r.status != MISSING_MANDATORY], year_cats,
                          exclude_missing=True, rows_all=yr) if assessable else None
        band = m.band(total) if total is not None else None
        general, general_n = _general_total(m, cat, yr, added) if general_ok else (None, None)
        general_band = m.band(general) if general is not None else None
        totals.append(YearScore(
            year, total, sum(1 for r in yr if r.score is not None), band.zh if band else None, band.en if band else None,
            tuple(r.number for r in yr if r.status == MISSING_OPTIONAL), tuple(r.number for r in yr if r.status == MISSING_MANDATORY),
            complete, (total - complete) if total is not None and complete is not None else None, assessable, gate.qualified,
            tuple(r.number for r in yr if r.status == UNDEFINED), general, general_n,
            general_band.zh if general_band else None, general_band.en if general_band else None))
    return Scorecard(tuple(rows), tuple(cats), tuple(totals), _changes(ds, cat, rows),
                     _score_changes(ds, cat, rows, cats, totals, added), gate)


def _undefined(ds: ParkDataset, cat: Catalogue) -> frozenset[tuple[str, int]]:
    """(indicator id, year) whose formula the statistics show to be undefined that year (see dataset.denominator_growth)."""
    from .dataset import denominator_growth, statistics_table

    growth_ratios = [ind for ind in cat.indicators if ind.definition is not None]
    if not growth_ratios or not ds.statistics:
        return frozenset()
    table = statistics_table(ds)
    return frozenset((ind.id, year) for ind in growth_ratios for year in ds.years
                     if (g := denominator_growth(ind, cat, table, year)) is not None and g <= 0
                     and (ind.mandatory or _has_data(ds, table, ind, year)))


def _has_data(ds: ParkDataset, table: dict, ind, year: int) -> bool:
    """Whether the park gave anything for an indicator in a year: its value, or a statistic of its numerator. An
    optional indicator the park does not track at all (no value, no numerator in any form) is not reported rather than
    undefined: it is left out either way, and an anomaly asking to explain it would be noise."""
    return ds.value(ind.id, year) is not None or any((sid, y) in table for sid in ind.definition.numerator for y in (year - 1, year))


def added_indicators(cat: Catalogue) -> frozenset[str]:
    """Ids of the indicators an overlay added (专项诊断): Catalogue.added_ids, worked out once per catalogue."""
    return cat.added_ids


def _general_total(m: ScoringMethod, cat: Catalogue, yr: list[IndicatorScore], added: frozenset[str]) -> tuple[Optional[float], Optional[int]]:
    """The year's total over the guide's indicators alone, by the catalogue's aggregation (categories recomputed without
    the added indicators; a category holding only added ones drops out); (None, None) if none of them scores that year."""
    rows = [r for r in yr if r.indicator not in added]
    if not any(r.status == SCORED for r in rows):
        return None, None
    cats = []
    for c in cat.categories:
        scored = [r.score for r in rows if r.category == c.code and r.score is not None]
        cats.append(CategoryScore(c.code, yr[0].year, _mean(scored), len(scored), (), c.weight))
    return _total(m, cat, rows, cats), sum(1 for r in rows if r.score is not None)


def _total(m: ScoringMethod, cat: Catalogue, rows: list[IndicatorScore], cats: list[CategoryScore],
           exclude_missing: bool = False, rows_all: Optional[list[IndicatorScore]] = None) -> Optional[float]:
    if m.total_aggregation == "mean_of_indicators":
        return _mean([r.score for r in rows if r.score is not None])
    # weighted mean of category scores (categories recomputed when missing mandatory indicators are excluded)
    if exclude_missing and rows_all is not None:
        cats = [attrs.evolve(cs, score=_mean([r.score for r in rows if r.category == cs.category and r.score is not None]))
                for cs in cats]
    weighted = [(cs.score * cs.weight, cs.weight) for cs in cats if cs.score is not None]
    wsum = sum(w for _, w in weighted)
    return sum(s for s, _ in weighted) / wsum if wsum else None


def year_pairs(years: tuple[int, ...]) -> list[tuple[int, int]]:
    """Consecutive years, then first to last when there are more than two years."""
    pairs = list(zip(years, years[1:]))
    if len(years) > 2:
        pairs.append((years[0], years[-1]))
    return pairs


def _score_change(category: Optional[str], a: int, b: int, sa: Optional[float], sb: Optional[float],
                  gaps: tuple[int, ...] = (), without: Optional[tuple[Optional[float], Optional[float]]] = None) -> ScoreChange:
    if sa is None or sb is None:
        return ScoreChange(category, a, b, sa, sb, None, "n/a", gaps)
    assessment = "same" if sa == sb else ("better" if sb > sa else "worse")
    rest = units.tidy(without[1] - without[0]) if without and without[0] is not None and without[1] is not None else None
    return ScoreChange(category, a, b, sa, sb, units.tidy(sb - sa), assessment, gaps, rest)  # 0.2, not 0.20000000000000284


def _score_changes(ds: ParkDataset, cat: Catalogue, rows: list[IndicatorScore], cats: list[CategoryScore],
                   totals: list[YearScore], added: frozenset[str] = frozenset()) -> tuple[ScoreChange, ...]:
    """Category and total score changes for the same pairs of years as the indicator changes; higher is better.
    Where an indicator counts differently in the two years (scored in one; in the other 0 for missing mandatory data,
    or left out as optional-not-reported or undefined), the change is also worked out with it left out of both years
    (same aggregation): `data_gaps` and `delta_without_data_gaps`, so that a change of the indicator set is not read
    as the park changing. When an overlay adds indicators (`added`), the same over the guide's indicators alone
    (general_*: general_score, general_total), the scores the park is graded by."""
    by_cat = {(c.category, c.year): c.score for c in cats}
    by_total = {t.year: t.total for t in totals}
    general_cat = {(c.category, c.year): c.general_score for c in cats}
    general_total = {t.year: t.general_total for t in totals}
    assessable = {t.year: t.assessable for t in totals}
    general_ok = {t.year: t.general_total is not None for t in totals}  # some guide indicator scored (see general_total)
    counted = {(r.number, r.year): (r.score is not None, r.status == SCORED) for r in rows}  # in the mean; a real score
    numbers = list(dict.fromkeys((r.number, r.category) for r in rows))
    guide = {r.number for r in rows if r.indicator not in added}
    codes = list(dict.fromkeys(c.category for c in cats))

    def gaps(a: int, b: int, code: Optional[str], ok: dict[int, bool], pool: set[int]) -> tuple[int, ...]:
        if not (ok[a] and ok[b]):  # a year with nothing scored (of the guide's, for general_*): the change is n/a anyway
            return ()
        return tuple(sorted(n for n, c in numbers if n in pool and (code is None or c == code)
                            and counted[(n, a)] != counted[(n, b)]))

    def without(year: int, code: Optional[str], left_out: tuple[int, ...], pool: set[int], total: Optional[float]) -> Optional[float]:
        kept = [r for r in rows if r.year == year and r.number in pool and r.number not in left_out]
        if code is not None:
            return _mean([r.score for r in kept if r.category == code and r.score is not None])
        if total is None:  # not assessable
            return None
        year_cats = [cs for cs in cats if cs.year == year]
        return _total(cat.scoring, cat, kept, year_cats, exclude_missing=True, rows_all=kept)

    everything = {n for n, _ in numbers}
    out = []
    for code in codes + [None]:
        for a, b in year_pairs(ds.years):
            sa, sb = (by_cat[(code, a)], by_cat[(code, b)]) if code is not None else (by_total[a], by_total[b])
            g = gaps(a, b, code, assessable, everything)
            ch = _score_change(code, a, b, sa, sb, g, (without(a, code, g, everything, by_total[a]),
                                                       without(b, code, g, everything, by_total[b])) if g else None)
            if added:
                ga, gb = (general_cat[(code, a)], general_cat[(code, b)]) if code is not None else (general_total[a], general_total[b])
                gg = gaps(a, b, code, general_ok, guide)
                gch = _score_change(code, a, b, ga, gb, gg, (without(a, code, gg, guide, general_total[a]),
                                                            without(b, code, gg, guide, general_total[b])) if gg else None)
                ch = attrs.evolve(ch, general_from_score=ga, general_to_score=gb, general_delta=gch.delta,
                                  general_data_gaps=gg, general_delta_without_data_gaps=gch.delta_without_data_gaps)
            out.append(ch)
    return tuple(out)


def _changes(ds: ParkDataset, cat: Catalogue, rows: list[IndicatorScore]) -> tuple[Change, ...]:
    by = {(r.indicator, r.year): r for r in rows}
    pairs = year_pairs(ds.years)
    out = []
    for ind in cat.indicators:
        qualitative = ind.qualitative
        for a, b in pairs:
            ra, rb = by[(ind.id, a)], by[(ind.id, b)]
            if qualitative:
                va = ind.level(ra.level).score if ra.level else None
                vb = ind.level(rb.level).score if rb.level else None
            else:  # an undefined year's reported value is not compared
                va = ra.value if ra.status != UNDEFINED else None
                vb = rb.value if rb.status != UNDEFINED else None
            sd = units.tidy(rb.score - ra.score) if ra.status == SCORED and rb.status == SCORED else None
            delta = (vb - va) if va is not None and vb is not None else None
            if delta is not None and math.isinf(delta):  # two huge values of opposite sign: clamp, stay JSON
                delta = math.copysign(sys.float_info.max, delta)
            elif delta is not None:
                delta = units.tidy(delta)  # a difference of input values: 94.8 − 93.2 is 1.6, not 1.5999999999999943
            out.append(Change(ind.id, ind.number, a, b, va, vb, delta,
                              sd, _assess(ind, va, vb)))
    return tuple(out)


def what_if_score(catalogue: Catalogue, indicator: "str | int", value: "float | int | str", *, unit: Optional[str] = None) -> float:
    """What `value` would score for `indicator` (id, code, Chinese name or number) under `catalogue`, without a dataset:
    public as greendiag.score_value. The value is read as a dataset value is (a number, text with a unit such as
    "32000 元/tce" or `unit=`, a level's id or name for a qualitative indicator), so it fails the same way: an unknown
    indicator is an UnknownEntryError, a wrong type, unit or a value outside the bounds a DatasetError with the code a
    dataset would get (not-a-number, wrong-dimension, share-over-100, unknown-level, non-finite-number …). The score is
    capped; a non-positive value scores as in a diagnosis (0 when higher is better, the cap when lower is better)."""
    from ._args import bad_argument, check_catalogue
    from . import schema
    from .dataset import _Builder, _unsafe_values, indicator_label
    from .errors import DatasetError, Problem
    from .yamlio import Document

    check_catalogue(catalogue, allow_none=False)
    if isinstance(indicator, bool):  # True would be indicator number 1
        raise bad_argument("indicator", "须为指标 id、代码、名称或序号", "must be an indicator id, code, name or number", indicator)
    ind = catalogue.indicator(indicator)
    if value is None:
        raise bad_argument("value", "须为数值、带单位的文本或定性指标的档次", "must be a number, text with a unit or a level", value,
                           "如 score_value(cat, 'energy_productivity', 3.2)", "e.g. score_value(cat, 'energy_productivity', 3.2)")
    if unit is not None and not isinstance(unit, str):
        raise bad_argument("unit", "须为单位文本", "must be a unit as text", unit, "如 unit='元/tce'", "e.g. unit='元/tce'")
    raw = value if unit is None else {"value": value, "unit": unit}

    def where(code, zh, en, path=(), fix_zh=None, fix_en=None) -> Problem:  # a single value has no place to name
        return Problem(code, zh, en, fix_zh=fix_zh, fix_en=fix_en)

    label = ("假设值", "what-if")
    unsafe = _unsafe_values(Document("<score_value>", raw, None), where)  # NaN, a Decimal … as in a dataset dict
    if unsafe:
        raise DatasetError(unsafe)
    # the dataset schema's own check of an indicator value (true, "", a list, an unknown key), found where a dataset has it
    place = f"$.years[0].indicators.{ind.id}"
    shaped = schema.problems(Document("<score_value>", {"years": [{"year": 0, "indicators": {ind.id: raw}}]}, None), "dataset.schema.json")
    what_zh, what_en = indicator_label(ind, label)
    wrong = [Problem(p.code, f"{what_zh}:{p.message_zh}", f"{what_en}: {p.message_en}", fix_zh=p.fix_zh, fix_en=p.fix_en)
             for p in shaped if p.location and (p.location == place or p.location.startswith((place + ".", place + "[")))]
    if wrong:
        raise DatasetError(wrong)
    reader = _Builder({}, catalogue, "<score_value>", where, year_label=lambda _year: label)
    read = reader._indicators(0, {ind.id: raw}, ())
    if reader.problems:
        raise DatasetError(reader.problems)
    score, _ = score_value(ind, read[0].value, read[0].level, catalogue.scoring)
    return score
