"""Preparing engine facts from a scored dataset: flat dicts of floats and short strings.

All arithmetic (ratios, year-over-year changes, gaps) happens here in Python, so rules only compare
a field with a constant or with another field (durable-rules' own arithmetic truncates and crashes).
Each fact has a context dict of display fields for message templates, built on demand (`Prepared.context`):
only the facts a rule fires on need one.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import sys
import unicodedata
from typing import Any, Callable, Iterable, Mapping, Optional

from . import units, workdays
from ._round import difference_text, general, half_up, significant, value_text
from .errors import RuleError, problem
from .models import ENGAGEMENT_DATES, BaselineRequirement, Catalogue, Engagement, Indicator, Level, ParkDataset, Reference
from .scoring import BEST_NONPOSITIVE, FLOORED_NONPOSITIVE, SCORED, UNDEFINED, Scorecard, score_value
from .zhnotation import date_zh

Fact = dict
Context = dict


def _b(x: bool) -> float:
    return 1.0 if x else 0.0


RELATED_SPECIALITIES = "related_specialities"


# What each kind of fact carries, for rule authors (docs/engine.md) and for checking rule files when they load:
# field -> "num" or "str". A year fact also has v_<indicator id> (num) for each quantitative indicator of the
# catalogue. Every field is optional: a rule's conditions only fire on facts that have the fields it reads.
NUM, STR = "num", "str"
FIELDS: dict[str, dict[str, str]] = {
    "indicator": {
        "fact": STR, "ind": STR, "number": NUM, "year": NUM, "latest": NUM, "year_assessable": NUM, "mandatory": NUM,
        "is_share": NUM, "direction": STR, "has_value": NUM, "signed": NUM, "plaus_min": NUM, "plaus_max": NUM,
        "undefined": NUM, "den_growth_pct": NUM, "den_name_zh": STR, "den_name_en": STR, "score": NUM, "points": NUM,
        "flag_floored": NUM, "flag_best": NUM, "lead_score": NUM, "level_score": NUM, "lead": NUM, "value": NUM,
        "gap_abs": NUM, "gap_pct": NUM, "derived": NUM, "derived_gap_pct": NUM, "prev_value": NUM, "yoy_points": NUM,
        "yoy_abs_points": NUM, "yoy_pct": NUM, "yoy_abs_pct": NUM, "same_all_years": NUM, "previous_year_missing": NUM,
        "previous_missing_zh": STR, "previous_missing_en": STR},
    "reference": {
        "fact": STR, "ind": STR, "ref": STR, "number": NUM, "year": NUM, "latest": NUM, "method": STR, "direction": STR,
        "is_share": NUM, "value": NUM, "ref_value": NUM, "points": NUM, "gap_abs": NUM, "gap_pct": NUM},
    "year": {"fact": STR, "year": NUM, "assessable": NUM, "scored_count": NUM, "clean_energy_tce": NUM, "clean_carriers_tce": NUM},
    "requirement": {"fact": STR, "number": NUM, "status": STR, "mandatory": NUM, "demonstration_status": STR},
    "engagement": {
        "fact": STR, "team_size": NUM, "senior_count": NUM, "senior_unrelated_count": NUM, "led_count": NUM,
        "park_staff_count": NUM, "has_onsite": NUM, "has_confidentiality": NUM, "onsite_days": NUM,
        "confidentiality_lead_days": NUM, "late_days": NUM, "scope_full": NUM, "scope_approved": NUM, "fee_charged": NUM,
        "follow_up_due": STR, "follow_up_overdue_days": NUM, "follow_up_pending": NUM, "diagnosis_year": NUM, "work_year": NUM,
        "work_year_gap": NUM, "has_onsite_dates": NUM, "onsite_days_recorded": NUM, "onsite_weekdays": NUM,
        "onsite_date_days": NUM, "holidays_deducted": NUM, "onsite_days_excess": NUM, "onsite_early_days": NUM,
        "report_early_days": NUM, "meeting_early_days": NUM, "follow_up_early_days": NUM,
        "demonstration_recorded": NUM, "demonstration_count": NUM, "demonstration_done_count": NUM,
        "demonstration_unchecked_count": NUM, "demonstration_unchecked_zh": STR, "demonstration_unchecked_en": STR},
}
YEAR_VALUE_PREFIX = "v_"
UNRECORDED = "unrecorded"  # demonstration_status of a requirement whose kind of demonstrative work has no entry
QUALITATIVE = "qualitative"  # the direction field of a qualitative indicator (the catalogue gives it none)


@functools.cache
def _closed_values() -> dict[str, tuple[str, ...]]:
    """The closed vocabularies of string fields (besides ind and ref, the catalogue's ids), from where they are
    defined: the catalogue schema's directions and reference methods, the dataset's requirement statuses."""
    from . import schema
    from .dataset import DEMONSTRATION_STATUS, STATUS

    defs = schema._schemas()["common.schema.json"]["$defs"]
    return {"direction": (*defs["indicator"]["properties"]["direction"]["enum"], QUALITATIVE),
            "status": tuple(dict.fromkeys(STATUS.values())),
            "demonstration_status": (*DEMONSTRATION_STATUS, UNRECORDED),
            "method": tuple(defs["reference"]["properties"]["method"]["enum"])}


def __getattr__(name: str):
    if name == "VALUES":  # built on first use: rule files and tests need it, a diagnosis does not
        return _closed_values()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
_GAP_WORDS = ("gap_unit_zh", "gap_unit_en")
_UNIT_AFTER = "unit_after"  # the unit as it follows a number in a message (unit_after)
_POINTS_WORDS = ("points_zh", "points_en")  # a score gain as a message prints it (points_words)
_VALUE_TEXT = "value_text"  # the value as a message prints it beside its target and gap (shown_value)
_GAP_TEXT = "gap_text"  # the gap as a message prints it beside value_text and the target (gap_text)
_YOY_TEXTS = ("prev_value_text", "yoy_points_text")  # last year's value and a share's change as printed beside value_text
# the engagement's dates in the order of the guide's procedure (二(一): 前期准备 → 诊断实施 → 报告编制提交), with their names;
# the engagement context shows each as <key>_zh / <key>_en
_DATED = {k: ENGAGEMENT_DATES[k] for k in ("work_started", "onsite_start", "onsite_end", "report_submitted",
                                          "report_meeting_date", "follow_up_submitted")}  # the dates checked in order
# what a message template may name besides the threshold: per kind, the display context (_*_context below)
CONTEXT: dict[str, frozenset] = {
    "indicator": frozenset(FIELDS["indicator"]) | {"name_zh", "name_en", "unit", "lead_level_zh", "lead_level_en",
                                                   "level_zh", "level_en", *_GAP_WORDS, _UNIT_AFTER, *_POINTS_WORDS, _VALUE_TEXT,
                                                   _GAP_TEXT, *_YOY_TEXTS},
    "reference": frozenset({"name_zh", "name_en", "unit", "number", "year", "ref_label_zh", "ref_label_en", "value", "ref_value",
                            "gap_abs", "gap_pct", "ref_value_note_zh", "ref_value_note_en", "ref_text_zh", "ref_text_en",
                            *_GAP_WORDS, _UNIT_AFTER, _VALUE_TEXT, _GAP_TEXT}),
    "year": frozenset(FIELDS["year"]),
    "requirement": frozenset({"number", "status", "text_zh", "text_en", "evidence", "kind_zh", "kind_en", "demonstration_status", "demonstration_zh",
                              "demonstration_en", "demonstration_status_zh", "demonstration_status_en"}),
    "engagement": frozenset(FIELDS["engagement"]) | {"senior_unrelated_zh", "senior_unrelated_en", "onsite_span_zh",
                                                     "onsite_span_en", "onsite_calendar_zh", "onsite_calendar_en",
                                                     *(f"{k}_{lang}" for k in _DATED for lang in ("zh", "en")),
                                                     *(f"{k}_after_{lang}" for k in ("report", "meeting") for lang in ("zh", "en"))},
}


def year_value_fields(cat: Catalogue) -> dict[str, str]:
    """The v_<indicator id> fields of a year fact under this catalogue (quantitative indicators only)."""
    return {YEAR_VALUE_PREFIX + i.id: NUM for i in cat.indicators if not i.qualitative}


class Prepared:
    """The facts of one diagnosis in a deterministic order, and each one's display context on demand."""

    __slots__ = ("facts", "_makers")

    def __init__(self, facts: list[Fact], makers: list[tuple[Callable[..., Context], Any]]):
        self.facts = facts
        self._makers = makers  # per fact: (function, its arguments after the fact)

    def context(self, i: int) -> Context:
        """A new context dict for fact i (the caller may add to it), from the fact as the engine saw it."""
        make, args = self._makers[i]
        return make(self.facts[i], *args)


def prepare(ds: ParkDataset, cat: Catalogue, card: Scorecard, constants: dict[str, float],
            as_of: Optional[dt.date] = None, terms: Optional[Mapping[str, Iterable[str]]] = None) -> list[tuple[Fact, Context]]:
    """All facts of one diagnosis with their contexts, in a deterministic order (prepare_facts, every context built)."""
    p = prepare_facts(ds, cat, card, constants, as_of, terms)
    return [(f, p.context(i)) for i, f in enumerate(p.facts)]


def prepare_facts(ds: ParkDataset, cat: Catalogue, card: Scorecard, constants: dict[str, float],
                  as_of: Optional[dt.date] = None, terms: Optional[Mapping[str, Iterable[str]]] = None) -> Prepared:
    """All facts of one diagnosis, in a deterministic order; `constants` and `terms` are the rule base's named
    constants and keyword lists (RuleBase.term_lists())."""
    if terms is None or RELATED_SPECIALITIES not in terms:
        raise RuleError(problem("missing-terms", f"规则库缺少词表“{RELATED_SPECIALITIES}”(工作组相关专业)",
                                f"the rule base has no term list '{RELATED_SPECIALITIES}' (the team's related specialities)",
                                fix_zh="使用随包规则库(rules/engagement.yaml 的 terms)", fix_en="use the packaged rule base (terms in rules/engagement.yaml)"))
    facts: list[Fact] = []
    makers: list[tuple[Callable[..., Context], Any]] = []
    value = _usable_values(ds, card)
    _indicator_facts(ds, cat, card, value, facts, makers)
    _reference_facts(ds, cat, card, value, facts, makers)
    _year_facts(ds, cat, card, value, facts, makers)
    _requirement_facts(ds, cat, facts, makers)
    _engagement_fact(ds, cat, as_of, int(constants["follow_up_days"]), tuple(terms[RELATED_SPECIALITIES]), facts, makers)
    # a finite sum means every float is finite (±inf and NaN survive addition); else (or on overflow) check each fact
    if not math.isfinite(sum([v for f in facts for v in f.values() if type(v) is float])):
        for f in facts:
            _finite(f)
    return Prepared(facts, makers)


def _finite(f: Fact) -> None:
    """Arithmetic on finite inputs can only overflow to ±inf: clamp to ±max float (every comparison with a
    finite threshold keeps its truth, and the result stays JSON); a NaN, which cannot arise so, is dropped.
    Contexts are built from the fact afterwards, so they show the clamped value (or none) too."""
    for k, v in list(f.items()):
        if type(v) is float and not math.isfinite(v):
            if math.isnan(v):
                del f[k]
            else:
                f[k] = math.copysign(sys.float_info.max, v)


def gap_units(ind: Indicator, gap: Optional[float] = None, text: Optional[str] = None) -> dict[str, str]:
    """How a gap is worded after its number: a share's gap is in percentage points (个百分点), any other in the unit.

    Templates write "差距{gap_text}{gap_unit_zh}" → "差距2.4个百分点" / "差距0.36 万元/tce". `text`: the gap as printed
    (gap_text), which decides "1 percentage point"; without it, the gap as {gap_abs:.4g} prints it."""
    if ind.is_share:
        shown = text.lstrip("+-") if text is not None else f"{abs(gap):.4g}" if gap is not None else None
        one = shown == "1"  # near 1 .4g writes no exponent: the message's text
        return {"gap_unit_zh": "个百分点", "gap_unit_en": " percentage point" if one else " percentage points"}
    unit = _shown_unit(ind)
    return {"gap_unit_zh": f" {unit}" if unit else "", "gap_unit_en": f" {unit}" if unit else ""}


def unit_after(ind: Indicator) -> str:
    """The unit as it follows a number in a message ("为{value:.4g}{unit_after}"): "%" right after it (12.6%, as
    Chinese technical text writes it), any other unit after one space (3.163 万元/tce), nothing for a dimensionless one."""
    unit = _shown_unit(ind)
    return unit if unit in ("%", "‰") else f" {unit}" if unit else ""


def points_words(points: float) -> dict[str, str]:
    """A score gain as a message prints it, one decimal half up: "16.0分" / "16.0 points"; a gain that would print as
    0.0 (a value a hair from the lead) is "不足0.1分" / "less than 0.1 points", so a candidate never promises nothing."""
    text = half_up(points, ".1f")
    if points > 0 and float(text) == 0:
        return {"points_zh": "不足0.1分", "points_en": "less than 0.1 points"}
    return {"points_zh": f"{text}分", "points_en": f"{text} points"}


def shown_value(ind: Indicator, x: float, targets: tuple[float, ...]) -> str:
    """A value as a message prints it ({value_text}): four significant digits, as {value:.4g}, or as many more (up to ten)
    as it takes for the printed value to differ from each printed target (the lead value, the reference values) and
    plausible bound, and for target − value as printed to give the printed gap ({gap_abs:.4g}): 29.999 beside a lead of
    30 is not "30", and 79.235 beside 80 with a gap of 0.765 is not "79.23". One text serves every target, so messages
    on one value (by lead and by reference) print it alike and a report can merge them. A share differs from 100% too."""
    higher = ind.direction != "lower"
    # only the targets the value is short of: no rule prints a gap past a target, and the report (ReportData.shown_value)
    # takes these alone, so a message and the report print one value alike
    pairs = tuple((t, g) for t in targets for g in (units.tidy(t - x if higher else x - t),) if g > 0)
    others = tuple(float(b) for b in (ind.plausible_min, ind.plausible_max) if b is not None) + ((100.0,) if ind.is_share else ())
    return value_text(x, pairs, higher=higher, others=others)


def gap_text(ind: Indicator, gap: float, value: tuple[str, float], target: tuple[str, float]) -> str:
    """A gap as a message prints it ({gap_text}) beside the value (value_text) and the target as printed, each given as
    (text, number): as {gap_abs:.4g} where target − value as printed (value − target when lower is better) gives it,
    else that difference of the printed numbers (_round.difference_text): 1786 − 1604 is "182", not the 181.4 that
    1785.71 − 1604.32 would give, for the converted reference has no more digits than four to show."""
    return difference_text(gap, value, target) if ind.direction == "lower" else difference_text(gap, target, value)


def lead_text(lead: float) -> tuple[str, float]:
    """The lead value as a message prints it ({lead:.4g}) and the number: the target of the lead gap's gap_text."""
    return general(float(lead), ".4g") or significant(float(lead), 4), float(lead)


def _shown_unit(ind: Indicator) -> str:
    """The catalogue's unit as written, or "" for a dimensionless one ("", "-")."""
    return (ind.unit or "").strip() if units.normalise(ind.unit or "") else ""


def _gap(direction: Optional[str], value: float, target: float) -> dict[str, float]:
    """gap_abs: how far `value` is short of `target` in the indicator's unit (negative when beyond it);
    gap_pct: the same relative to the target, in %. Tidied to 12 significant digits (no 0.20000000000000281)."""
    gap = target - value if direction == "higher" else value - target
    out = {"gap_abs": units.tidy(gap)}
    if target != 0:
        out["gap_pct"] = units.tidy(gap / abs(target) * 100)
    return out


_NUMBER_EDGE = r"(?<![\d.]){}(?![\d.])"


def reference_value_note(ref: Reference, ind: Indicator) -> dict[str, str]:
    """Empty when the reference's label already states its value in the indicator's unit ("…(≥20 %)"), so a
    message does not print it twice; else the value in the indicator's unit ("(折合 2.857 万元/tce)").
    Kept for rule files that name it; the packaged rules write {ref_text_zh} (reference_text)."""
    zh, en = _converted_values(ref, ind)
    return {"ref_value_note_zh": f"(折合 {zh})" if zh else "", "ref_value_note_en": f" (i.e. {en})" if en else ""}


def reference_text(ref: Reference, ind: Indicator) -> dict[str, str]:
    """The reference as a comparison names it ("低于{ref_text_zh}"): its label when the label states the value in the
    indicator's unit; else the converted value first, so a productivity is compared with a productivity and not with
    the water use it was converted from: "参考值1786 元/m3(由北京市万元工业增加值用水量(2023年,5.6 m³)折算)"."""
    zh, en = _converted_values(ref, ind)
    return {"ref_text_zh": f"参考值{zh}(由{ref.label_zh}折算)" if zh else ref.label_zh,
            "ref_text_en": f"reference value {en} (converted from {ref.label_en})" if en else ref.label_en}


def reference_number(ref: Reference, ind: Indicator) -> str:
    """The reference value as ref_text_zh prints it: its converted value ({x:.4g}), or the number its label states."""
    if _converted_values(ref, ind)[0]:
        return significant(ref.value, 4)
    return f"{ref.given_value:g}"


def _converted_values(ref: Reference, ind: Indicator) -> tuple[str, str]:
    """Per label (zh, en): "" when it states the reference's value in the indicator's unit, else that value as the
    {x:.4g} message fields print it, with the unit ("1786 元/m3")."""
    unit = _shown_unit(ind)
    same_unit = not ref.inverse and units.normalise(ref.given_unit or "") == units.normalise(ind.unit or "")
    number = re.compile(_NUMBER_EDGE.format(re.escape(f"{ref.given_value:g}")))
    shown = significant(ref.value, 4) + (f" {unit}" if unit else "")
    return tuple("" if same_unit and number.search(label) else shown for label in (ref.label_zh, ref.label_en))


class _Static:
    """What the facts take from the catalogue alone, worked out once per catalogue (it is immutable): per
    indicator the fixed fields, context and gap wording; per reference its value note and text and its score."""

    def __init__(self, cat: Catalogue):
        self.cat = cat  # kept alive, so the id() key of _statics cannot be reused while this is cached
        self.indicators = []
        for ind in cat.indicators:
            qualitative = ind.qualitative
            fixed = {"mandatory": _b(ind.mandatory), "is_share": _b(ind.is_share),
                     "direction": ind.direction or QUALITATIVE}
            plaus = {}
            if ind.plausible_min is not None:
                plaus["plaus_min"] = float(ind.plausible_min)
            if ind.plausible_max is not None:
                plaus["plaus_max"] = float(ind.plausible_max)
            lead = ind.level(ind.lead_level) if qualitative else None
            self.indicators.append((ind, ind.id, float(ind.number), fixed, _b(not qualitative and ind.bounds_min is None),
                                    plaus, qualitative, ind.is_share, lead,
                                    None if ind.is_share else gap_units(ind)))
        self.targets: dict[str, tuple[float, ...]] = {}  # per quantitative indicator: its lead, then its reference values
        for ind in cat.indicators:
            if not ind.qualitative and ind.lead_value is not None:
                self.targets[ind.id] = (float(ind.lead_value), *(float(r.value) for r in cat.references if r.indicator == ind.id))
        self.references = []
        for ref in cat.references:
            ind = cat.indicator(ref.indicator)
            then, _ = score_value(ind, ref.value, None, cat.scoring)
            self.references.append((ref, ind, {**reference_value_note(ref, ind), **reference_text(ref, ind)}, then,
                                    reference_number(ref, ind)))


_statics: dict[int, _Static] = {}


def _static(cat: Catalogue) -> _Static:
    st = _statics.get(id(cat))
    if st is None or st.cat is not cat:
        if len(_statics) >= 8:
            _statics.clear()
        st = _statics[id(cat)] = _Static(cat)
    return st


def _indicator_facts(ds: ParkDataset, cat: Catalogue, card: Scorecard, value: Callable, out: list, makers: list) -> None:
    full = cat.scoring.full
    years = ds.years
    assessable = {y: _b(t is None or t.assessable) for y in years for t in (card.total(y),)}
    latest = latest_scored_year(years, assessable)
    tidy, score = units.tidy, card.score  # bound once: these run for every indicator and year
    targets = _static(cat).targets
    for ind, ind_id, number, fixed, signed, plaus, qualitative, is_share, lead, units_fixed in _static(cat).indicators:
        higher = ind.direction == "higher"
        series = [value(ind_id, y) for y in years]
        for v, year in zip(series, years):
            sc = score(ind_id, year)
            f: Fact = {"fact": "indicator", "ind": ind_id, "number": number, "year": float(year),
                       "latest": 1.0 if year == latest else 0.0, "year_assessable": assessable[year], **fixed,
                       "has_value": 0.0 if ds.value(ind_id, year) is None else 1.0, "signed": signed, **plaus}
            lv = None
            undefined = sc is not None and sc.status == UNDEFINED
            f["undefined"] = 1.0 if undefined else 0.0
            if undefined:  # why: the denominator's growth, for the message; a reported value is not judged
                f.update(_undefined_fields(ds, cat, ind, year))
            elif v is None and ind.definition is not None and ind.definition.formula != "ratio":
                f.update(_previous_missing_fields(ds, cat, ind, year))
            if sc is not None and sc.status == SCORED and sc.score is not None:
                f["score"] = sc.score
                f["points"] = max(0.0, full - sc.score)
                f["flag_floored"] = _b(FLOORED_NONPOSITIVE in sc.flags)
                f["flag_best"] = _b(BEST_NONPOSITIVE in sc.flags)
            elif sc is not None and sc.score is not None:  # missing mandatory scored 0
                f["points"] = full
            if qualitative:
                f["lead_score"] = lead.score
                if v is not None and v.level is not None:
                    lv = ind.level(v.level)
                    f["level_score"] = lv.score
            else:
                f["lead"] = lead_value = ind.lead_value
                if v is not None and v.value is not None:
                    x = v.value
                    f["value"] = x
                    gap = lead_value - x if higher else x - lead_value  # as _gap, written out: this runs for every value
                    f["gap_abs"] = tidy(gap)
                    if lead_value != 0:
                        f["gap_pct"] = tidy(gap / abs(lead_value) * 100)
                    if v.origin == "reported" and v.derived is not None:
                        f["derived"] = v.derived
                        if v.derived != 0:
                            f["derived_gap_pct"] = abs(x - v.derived) / abs(v.derived) * 100
                    prev = value(ind_id, year - 1)
                    if prev is not None and prev.value is not None:
                        f["prev_value"] = prev.value
                        if is_share:
                            f["yoy_points"] = x - prev.value
                            f["yoy_abs_points"] = abs(x - prev.value)
                        elif prev.value != 0:
                            f["yoy_pct"] = (x - prev.value) / abs(prev.value) * 100
                            f["yoy_abs_pct"] = abs(f["yoy_pct"])
                    if year == latest and len(series) >= 3 and all(s is not None and s.value is not None for s in series):
                        f["same_all_years"] = _b(len({s.value for s in series}) == 1)
            out.append(f)
            makers.append((_indicator_context, (ind, year, lead if qualitative else None, lv, units_fixed, targets.get(ind_id, ()))))


def _undefined_fields(ds: ParkDataset, cat: Catalogue, ind: Indicator, year: int) -> dict:
    """The growth of an undefined ratio's denominator (dataset.denominator_growth) and its statistics' names."""
    from .dataset import denominator_growth, statistics_table

    den = ind.definition.denominator
    return {"den_growth_pct": denominator_growth(ind, cat, statistics_table(ds), year),
            "den_name_zh": "、".join(cat.statistic(s).name_zh for s in den),
            "den_name_en": ", ".join(cat.statistic(s).name_en for s in den)}


def _previous_missing_fields(ds: ParkDataset, cat: Catalogue, ind: Indicator, year: int) -> dict:
    """A year-over-year indicator with no value although `year`'s statistics are all given: the year before lacks some
    (dataset.missing_previous_year), named for the message."""
    from .dataset import missing_previous_year, statistics_table

    gone = missing_previous_year(ind, cat, statistics_table(ds), year)
    if not gone:
        return {}
    return {"previous_year_missing": 1.0,
            "previous_missing_zh": "、".join(f"{year - 1}年{cat.statistic(s).name_zh}" for s in gone),
            "previous_missing_en": ", ".join(f"{cat.statistic(s).name_en} {year - 1}" for s in gone)}


def _indicator_context(f: Fact, ind: Indicator, year: int, lead: Optional[Level], lv: Optional[Level],
                       units_fixed: Optional[dict[str, str]], targets: tuple[float, ...] = ()) -> Context:
    """Names, unit and levels of an indicator fact, then every fact field (number and year in their display form, int)."""
    ctx: Context = {"name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit or "", "number": ind.number, "year": year}
    if lead is not None:
        ctx["lead_level_zh"], ctx["lead_level_en"] = lead.zh, lead.en
        if lv is not None:
            ctx["level_zh"], ctx["level_en"] = lv.zh, lv.en
    ctx.update(f)  # every fact field but number and year, which keep their display form (int) and place
    ctx["number"], ctx["year"] = ind.number, year
    shown = shown_value(ind, f["value"], targets) if isinstance(f.get("value"), (int, float)) else None
    gap = f.get("gap_abs")
    if shown is not None and isinstance(gap, (int, float)) and isinstance(f.get("lead"), (int, float)):
        ctx[_GAP_TEXT] = gap_text(ind, gap, (shown, f["value"]), lead_text(f["lead"]))
    ctx.update(units_fixed or gap_units(ind, gap, ctx.get(_GAP_TEXT)))
    ctx[_UNIT_AFTER] = unit_after(ind)
    if shown is not None:
        ctx[_VALUE_TEXT] = shown
        prev = f.get("prev_value")
        if isinstance(prev, (int, float)):
            before = ctx["prev_value_text"] = shown_value(ind, prev, targets)
            if isinstance(f.get("yoy_points"), (int, float)):  # a share's change in points, as {yoy_points:+.1f} prints it
                ctx["yoy_points_text"] = difference_text(f["yoy_points"], (shown, f["value"]), (before, prev), "+.1f")
    if "points" in f:
        ctx.update(points_words(f["points"]))
    return ctx


def latest_scored_year(years: tuple[int, ...], assessable: Mapping[int, float]) -> int:
    """The last year with anything scored: recommendations are for it, as the report's problems are, when the last
    year holds no data yet (its statistics not published); the last year when none is scored."""
    return next((y for y in reversed(years) if assessable[y]), years[-1])


def _reference_facts(ds: ParkDataset, cat: Catalogue, card: Scorecard, value: Callable, out: list, makers: list) -> None:
    latest = latest_scored_year(ds.years, {y: _b(t is None or t.assessable) for y in ds.years for t in (card.total(y),)})
    st = _static(cat)
    for ref, ind, note, then, shown in st.references:
        for year in ds.years:
            v = value(ind.id, year)
            if v is None or v.value is None:
                continue
            now, _ = score_value(ind, v.value, None, cat.scoring)
            f = {"fact": "reference", "ind": ind.id, "ref": ref.id, "number": float(ind.number), "year": float(year),
                 "latest": _b(year == latest), "method": ref.method, "direction": ind.direction or QUALITATIVE,
                 "is_share": _b(ind.is_share), "value": v.value, "ref_value": ref.value, "points": max(0.0, then - now),
                 **_gap(ind.direction, v.value, ref.value)}
            out.append(f)
            makers.append((_reference_context, (ref, ind, year, note, st.targets.get(ind.id, ()), shown)))


def _reference_context(f: Fact, ref: Reference, ind: Indicator, year: int, note: dict[str, str],
                       targets: tuple[float, ...] = (), ref_shown: str = "") -> Context:
    """Names, unit and reference texts of a reference fact, its value as printed and its gap as printed beside the value
    and the reference as ref_text prints it (`ref_shown`, reference_number)."""
    ctx = {"name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit or "", "number": ind.number, "year": year,
            "ref_label_zh": ref.label_zh, "ref_label_en": ref.label_en,
            **{k: f[k] for k in ("value", "ref_value", "gap_abs", "gap_pct") if k in f}, _UNIT_AFTER: unit_after(ind), **note}
    gap = None
    if isinstance(f.get("value"), (int, float)):
        shown = ctx[_VALUE_TEXT] = shown_value(ind, f["value"], targets)
        if isinstance(f.get("gap_abs"), (int, float)) and isinstance(f.get("ref_value"), (int, float)):
            gap = ctx[_GAP_TEXT] = gap_text(ind, f["gap_abs"], (shown, f["value"]), (ref_shown, f["ref_value"]))
    ctx.update(gap_units(ind, f.get("gap_abs"), gap))
    return ctx


def _usable_values(ds: ParkDataset, card: Scorecard):
    """ds.value, except that an undefined (indicator, year) has no value: what rules may judge, compare or chain
    (indicator and reference facts, year-over-year, the year fact's v_ fields)."""
    undefined = {(s.indicator, s.year) for s in card.indicators if s.status == UNDEFINED}
    if not undefined:
        return ds.value
    return lambda ind_id, year: None if (ind_id, year) in undefined else ds.value(ind_id, year)


def _year_facts(ds: ParkDataset, cat: Catalogue, card: Scorecard, value: Callable, out: list, makers: list) -> None:
    for year in ds.years:
        yt = card.total(year)
        f: Fact = {"fact": "year", "year": float(year), "assessable": _b(yt is None or yt.assessable),
                   "scored_count": float(sum(1 for s in card.indicators if s.year == year and s.status == SCORED))}
        for ind in cat.indicators:
            v = value(ind.id, year)
            if v is not None and v.value is not None:
                f["v_" + ind.id] = v.value
        f.update(_clean_energy_fields(ds, cat, year))
        out.append(f)
        makers.append((_year_context, (year,)))


def _clean_energy_fields(ds: ParkDataset, cat: Catalogue, year: int) -> Fact:
    """A year's clean-energy statistic (conversion.yaml clean_statistic) in tce, when given, and the tce of its carriers
    that are clean energy by that statistic's definition (`clean: true`, natural gas), when any is given by carrier."""
    out: Fact = {}
    stat = next((s for s in ds.statistics if s.statistic == cat.clean_statistic and s.year == year), None)
    if stat is not None and cat.clean_statistic in {s.id for s in cat.statistics}:
        out["clean_energy_tce"] = units.tidy(stat.value * units.factor(cat.statistic(cat.clean_statistic).unit, "tce"))
    clean = {c.key for c in cat.coal_coefficients if c.clean}
    mine = [c.tce for c in ds.energy_by_carrier if c.year == year and c.carrier in clean]
    if mine:
        out["clean_carriers_tce"] = units.tidy(math.fsum(mine))
    return out


def _year_context(f: Fact, year: int) -> Context:
    return dict(f, year=year)


# the statuses of demonstrative work, most advanced first: of several entries of one kind the first counts
_DEMONSTRATION_ORDER = ("done", "under_construction", "planned", "not_done")


def linked_demonstration(ds: ParkDataset, cat: Catalogue, req: BaselineRequirement) -> Optional[tuple[Any, Optional[str]]]:
    """(the kind of demonstrative work a requirement names as the same work, its recorded status or None when the data
    record no entry of it), or None when the requirement names none. A cross-reference only: never the requirement's status."""
    if req.demonstration is None:
        return None
    found = [w.status for w in ds.demonstration or () if w.kind == req.demonstration and w.status in _DEMONSTRATION_ORDER]
    return cat.demonstration_kind(req.demonstration), min(found, key=_DEMONSTRATION_ORDER.index, default=None)


def _requirement_facts(ds: ParkDataset, cat: Catalogue, out: list, makers: list) -> None:
    for req in cat.requirements:
        st = ds.requirement_status(req.number)
        status = st.status if st else "unknown"
        fact = {"fact": "requirement", "number": float(req.number), "status": status, "mandatory": _b(req.mandatory)}
        link = linked_demonstration(ds, cat, req)
        if link is not None:  # only a linked requirement has the field: the facts of the others stay as they were
            fact["demonstration_status"] = link[1] or UNRECORDED
        out.append(fact)
        makers.append((_requirement_context, (req, status, st.evidence if st else None, link)))


def _requirement_context(f: Fact, req: BaselineRequirement, status: str, evidence: Optional[str], link=None) -> Context:
    # the requirement's sentence without its final full stop: messages quote it inside brackets, "(…审核)补齐差距"
    out = {"number": req.number, "status": status, "text_zh": req.text_zh.rstrip("。"), "text_en": req.text_en.rstrip("."),
           "evidence": evidence, "kind_zh": "基础性要求" if req.mandatory else "鼓励性要求",
           "kind_en": "Requirement" if req.mandatory else "Encouraged requirement"}
    if link is not None:
        from .dataset import DEMONSTRATION_STATUS

        kind, st = link
        words = DEMONSTRATION_STATUS.get(st, ("未记录", "not recorded"))
        out.update(demonstration_status=st or UNRECORDED, demonstration_zh=kind.name_zh, demonstration_en=kind.name_en,
                   demonstration_status_zh=words[0], demonstration_status_en=words[1])
    return out


def follow_up_due(report_submitted: Optional[dt.date], days: int) -> Optional[dt.date]:
    return report_submitted + dt.timedelta(days=days) if report_submitted else None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def related_speciality(speciality: Optional[str], terms: Iterable[str]) -> bool:
    """Whether a free-text speciality names a related field: a CJK term anywhere, a Latin term at a word start."""
    if not speciality:
        return False
    text = _fold(speciality)
    for term in terms:
        t = _fold(term).strip()
        if not t:
            continue
        if t.isascii():
            if re.search(r"(?<![a-z0-9])" + re.escape(t), text):
                return True
        elif t in text:
            return True
    return False


def _calendar_words(deducted: bool) -> dict[str, str]:
    """How the on-site working days were counted, for messages: with the official holidays, or why not."""
    if deducted:
        return {"onsite_calendar_zh": "已按国务院办公厅公布的节假日安排扣除法定节假日、计入调休上班日",
                "onsite_calendar_en": "statutory holidays deducted and make-up working days counted, per the State Council's holiday arrangements"}
    years = workdays.holiday_calendar_years()
    if years is None:
        why_zh, why_en = f"未安装节假日数据包 {workdays.HOLIDAY_PACKAGE}", f"the holiday data package {workdays.HOLIDAY_PACKAGE} is not installed"
    else:
        why_zh = f"节假日安排数据仅覆盖{years[0]}–{years[1]}年"
        why_en = f"the holiday data cover {years[0]}–{years[1]} only"
    return {"onsite_calendar_zh": f"按周一至周五计算,未扣除法定节假日({why_zh})",
            "onsite_calendar_en": f"counted Monday to Friday, statutory holidays not deducted ({why_en})"}


def _previous_date(e: Engagement, keys: tuple[str, ...]) -> Optional[tuple[str, dt.date]]:
    """The nearest recorded date among `keys` (latest step of the procedure first): what a later date must not precede."""
    for key in keys:
        d = getattr(e, key)
        if d is not None:
            return key, d
    return None


def _engagement_fact(ds: ParkDataset, cat: Catalogue, as_of: Optional[dt.date], follow_up_days: int,
                     related: tuple[str, ...], out: list, makers: list) -> None:
    e = ds.engagement
    seniors = [(m, related_speciality(m.speciality, related)) for m in e.team if m.senior]
    qualified = [m for m, ok in seniors if ok]
    unrelated = [m for m, ok in seniors if not ok]
    dates = e.onsite_start is not None and e.onsite_end is not None and e.onsite_start <= e.onsite_end
    f: Fact = {"fact": "engagement",
               "team_size": float(len(e.team)),
               "senior_count": float(len(qualified)),  # senior title in a related speciality (guide 三(二))
               "senior_unrelated_count": float(len(unrelated)),
               "led_count": float(sum(m.led_green_projects for m in e.team)),
               "park_staff_count": float(sum(m.park_staff for m in e.team)),
               "has_onsite": _b(e.onsite_working_days is not None or dates),
               "has_onsite_dates": _b(dates),
               "has_confidentiality": _b(e.confidentiality_submitted is not None),
               **_demonstration_fields(ds, cat)}
    deducted = False
    if dates:  # the recorded days (typed, or filled in from the dates) cannot exceed what the dates allow (四(三)1)
        allowed, deducted = workdays.onsite_working_days(e.onsite_start, e.onsite_end)
        f["onsite_weekdays"] = float(workdays.weekdays_between(e.onsite_start, e.onsite_end))
        f["onsite_date_days"] = float(allowed)
        f["holidays_deducted"] = _b(deducted)
    if e.onsite_working_days is not None:
        f["onsite_days_recorded"] = float(e.onsite_working_days)
        if dates:
            f["onsite_days_excess"] = float(e.onsite_working_days - allowed)
    if "onsite_days_recorded" in f or dates:  # the ≥ 4 days minimum is judged on the smaller figure
        f["onsite_days"] = min(f.get("onsite_days_recorded", math.inf), f.get("onsite_date_days", math.inf))
    # the procedure's order (二(一): 前期准备 → 诊断实施 → 报告编制提交; 附件2-3: report, then the report meeting): how many days
    # a date lies before the nearest recorded date it must follow (> 0: out of order), so one wrong date gives one finding
    if e.onsite_start and e.work_started:
        f["onsite_early_days"] = float((e.work_started - e.onsite_start).days)
    before_report = _previous_date(e, ("onsite_end", "onsite_start", "work_started"))
    if e.report_submitted and before_report:
        f["report_early_days"] = float((before_report[1] - e.report_submitted).days)
    before_meeting = _previous_date(e, ("report_submitted", "onsite_end", "onsite_start", "work_started"))
    if e.report_meeting_date and before_meeting:
        f["meeting_early_days"] = float((before_meeting[1] - e.report_meeting_date).days)
    if e.follow_up_submitted and e.report_submitted:  # 六: the follow-up comes a year after the diagnosis is complete
        f["follow_up_early_days"] = float((e.report_submitted - e.follow_up_submitted).days)
    started = e.work_started or e.onsite_start
    f["diagnosis_year"] = float(ds.diagnosis_year)
    if started:  # 附件2-1-2 注2: the scored years are those before the year the diagnosis is carried out
        f["work_year"] = float(started.year)
        f["work_year_gap"] = float(started.year - ds.diagnosis_year)
    if e.confidentiality_submitted and e.work_started:
        lead = (e.work_started - e.confidentiality_submitted).days
        f["confidentiality_lead_days"] = float(lead)
        f["late_days"] = float(max(0, -lead))
    if e.scope_full is not None:
        f["scope_full"] = _b(e.scope_full)
        f["scope_approved"] = _b(bool(e.scope_approval))
    if e.fee_charged is not None:
        f["fee_charged"] = _b(e.fee_charged)
    due = follow_up_due(e.report_submitted, follow_up_days)
    if due and not e.follow_up_submitted:
        f["follow_up_due"] = due.isoformat()
        overdue = (as_of - due).days if as_of else None
        if overdue is not None:
            f["follow_up_overdue_days"] = float(overdue)
        f["follow_up_pending"] = _b(overdue is None or overdue <= 0)
    out.append(f)
    makers.append((_engagement_context, (e, tuple(unrelated), deducted if dates else None, before_report, before_meeting)))


def _demonstration_fields(ds: ParkDataset, cat: Catalogue) -> Fact:
    """The 四(三)3 check of demonstrative work: recorded or not (absent data), how many entries, how many already carried
    out, and the catalogue's kinds (overlays' too) with no entry, by name: a kind left out was not checked, while a
    titled kind ("other" work) is recorded only where some was found, so its absence says none was."""
    work = ds.demonstration
    if work is None:
        return {"demonstration_recorded": 0.0}
    seen = {w.kind for w in work}
    missing = [k for k in cat.demonstration_kinds if not k.titled and k.id not in seen]
    out = {"demonstration_recorded": 1.0, "demonstration_count": float(len(work)),
           "demonstration_done_count": float(sum(w.status == "done" for w in work)),
           "demonstration_unchecked_count": float(len(missing))}
    if missing:
        out["demonstration_unchecked_zh"] = "、".join(k.name_zh for k in missing)
        out["demonstration_unchecked_en"] = "; ".join(k.name_en for k in missing)
    return out


def _engagement_context(f: Fact, e: Engagement, unrelated: tuple, deducted: Optional[bool],
                        before_report: Optional[tuple[str, dt.date]], before_meeting: Optional[tuple[str, dt.date]]) -> Context:
    ctx = dict(f)
    ctx["senior_unrelated_zh"] = "、".join(f"{m.name}:{m.speciality or '未填'}" for m in unrelated) or "—"
    ctx["senior_unrelated_en"] = "; ".join(f"{m.name}: {m.speciality or 'blank'}" for m in unrelated) or "—"
    for key in _DATED:
        d = getattr(e, key)
        if d is not None:
            ctx[f"{key}_zh"], ctx[f"{key}_en"] = date_zh(d), d.isoformat()
    if deducted is not None:
        ctx["onsite_span_zh"] = f"{date_zh(e.onsite_start)}至{date_zh(e.onsite_end)}"
        ctx["onsite_span_en"] = f"{e.onsite_start.isoformat()} to {e.onsite_end.isoformat()}"
        ctx.update(_calendar_words(deducted))
    for name, before in (("report", before_report), ("meeting", before_meeting)):
        if before is not None:
            key, d = before
            zh, en = _DATED[key]
            ctx[f"{name}_after_zh"], ctx[f"{name}_after_en"] = f"{zh}({date_zh(d)})", f"the {en} ({d.isoformat()})"
    return ctx
