"""diagnose(): load → score → prepare facts → rules engine → findings and recommendation candidates."""

from __future__ import annotations

import datetime as dt
import operator
import os
from typing import Any, Callable, Mapping, Optional, Union

import attrs

from . import facts as factsmod
from . import fileio
from . import units
from .catalogue import iter_provisional
from .dataset import load_dataset
from .engine import evaluate
from .errors import DatasetError, Problem, RuleError
from .models import Catalogue, ParkDataset
from .rulebook import HEAD_SEP, SEVERITY_ORDER, RuleBase, load_rules, render
from .scoring import Scorecard, added_indicators, score_dataset

KIND_ORDER = {"compliance": 0, "anomaly": 1, "recommendation": 2}


class FrozenDict(dict):
    """A dict that refuses changes, for the mappings inside frozen results (Finding.source, Recommendation.measures,
    Diagnosis.engagement): editing one must not change what its diagnosis serialises. Reading, ==, json.dumps, copy
    and pickle work as for a dict; dict(x) is an editable copy. Hashable when its values are (freeze makes them so)."""

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> "FrozenDict":
        self = dict.__new__(cls)
        dict.__init__(self, *args, **kwargs)
        for k, v in dict.items(self):  # its values frozen too, however it is made: freeze() can take it as it is
            if type(v) not in _SCALAR:
                dict.__setitem__(self, k, freeze(v))
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # filled by __new__: calling __init__ again changes nothing
        pass

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a diagnosis result cannot be changed; copy the mapping with dict(...) to edit it")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple:
        return type(self), (dict(self),)


def freeze(value: Any) -> Any:
    """`value` with every mapping inside made a FrozenDict and every list a tuple (attrs converter of the result
    fields); to_dict() turns them back into dicts and lists, so diagnosis.json is the same."""
    t = type(value)
    if t in _SCALAR or t is FrozenDict:
        return value
    if t is dict or (t is not tuple and t is not list and isinstance(value, Mapping)):
        return FrozenDict(value)
    if t is tuple or t is list or isinstance(value, (list, tuple)):
        return tuple([freeze(v) for v in value])
    return value


@attrs.frozen
class Finding:
    """What one rule found about one subject (an indicator in a year, a requirement, the engagement): its kind
    (compliance, anomaly, recommendation), severity, the values it compared and its message in both languages."""

    rule_id: str
    kind: str
    method: Optional[str]
    severity: str
    indicator: Optional[int]  # indicator number
    indicator_id: Optional[str]
    requirement: Optional[int]
    year: Optional[int]
    value: Optional[float]
    threshold: Optional[float]
    threshold_name: Optional[str]
    source: Mapping[str, Optional[str]] = attrs.field(converter=freeze)  # doc, clause, title: a FrozenDict
    message_zh: str
    message_en: str
    report: str = "note"  # where a report lists it (the rule's `report`)

    def sort_key(self) -> tuple:
        return (SEVERITY_ORDER[self.severity], KIND_ORDER[self.kind], self.indicator or 0, self.requirement or 0,
                self.year or 0, self.rule_id, self.message_en)


@attrs.frozen
class Recommendation:
    """A recommendation candidate: a gap, its potential, and measures from the library (feeds 附件2-1-3)."""

    rule_id: str
    method: str
    indicator: Optional[int]
    indicator_id: Optional[str]
    requirement: Optional[int]
    year: Optional[int]
    value: Optional[float]
    target: Optional[float]
    gap_pct: Optional[float]  # gap relative to the target, in %
    points: Optional[float]  # indicator score points recoverable by reaching the target/lead
    total_points: Optional[float]  # the same, as points of that year's total score
    measures: tuple[Mapping[str, str], ...] = attrs.field(converter=freeze)  # FrozenDicts: id, title_zh, title_en, effect_zh/en, basis
    message_zh: str
    message_en: str
    gap_abs: Optional[float] = None  # gap in the indicator's unit (percentage points for a share)
    group: str = ""  # indicator id or "req-N": candidates on one subject by two methods, for reports to merge
    # what reports build their sentences from, instead of parsing the message:
    head_zh: Optional[str] = None  # the message's subject (“2 可再生能源使用比例”2024年为 12.6 %), when its rule writes one
    head_en: Optional[str] = None
    clause_zh: Optional[str] = None  # the rest of the message (低于引领值 15 %,差距…)
    clause_en: Optional[str] = None
    direction: Optional[str] = None  # higher | lower: the indicator's, for a candidate with a numeric gap
    target_label_zh: Optional[str] = None  # a reference value's label, with its value in the indicator's unit when the label lacks it
    target_label_en: Optional[str] = None
    gap_unit_zh: Optional[str] = None  # how gap_abs is worded: 个百分点 for a share, else " " + unit ("" when dimensionless)
    gap_unit_en: Optional[str] = None


@attrs.frozen
class ProjectRow:
    """附件2-1-3 row: project content, investments (user's), expected effect, note."""

    content_zh: str
    content_en: str
    total_investment: Optional[float]
    fixed_investment: Optional[float]
    expected_effect_zh: str
    expected_effect_en: str
    note: str
    addresses: tuple[str, ...]  # indicator ids / requirement numbers
    origin: str  # user | candidate


@attrs.frozen
class DemonstrationEntry:
    """One kind of demonstrative work as recorded (guide 四(三)3), with its catalogue names, status words and source."""

    kind: str
    name_zh: str
    name_en: str
    title_zh: Optional[str]  # the entry's own title (required for "other" work)
    title_en: Optional[str]
    status: str  # done | under_construction | planned | not_done
    status_zh: str
    status_en: str
    description: Optional[str]
    evidence: Optional[str]
    measure: Optional[str]  # related measure of the rule base's library
    indicators: tuple[str, ...]  # related indicator ids
    clause: str  # the guide's words it answers to


def _demonstration(ds: ParkDataset, cat: Catalogue) -> Optional[tuple[DemonstrationEntry, ...]]:
    """The recorded 四(三)3 check in catalogue order (kinds, then entries as given); None when not recorded."""
    if ds.demonstration is None:
        return None
    from .dataset import DEMONSTRATION_STATUS

    order = {k.id: i for i, k in enumerate(cat.demonstration_kinds)}
    out = []
    for w in sorted(ds.demonstration, key=lambda w: order[w.kind]):
        k = cat.demonstration_kind(w.kind)
        zh, en = DEMONSTRATION_STATUS[w.status]
        out.append(DemonstrationEntry(k.id, k.name_zh, k.name_en, w.title_zh, w.title_en, w.status, zh, en, w.description, w.evidence,
                                      k.measure, k.indicators, k.sources[0].clause if k.sources else ""))
    return tuple(out)


# A measure whose kind of demonstrative work the 四(三)3 check found under way is not proposed as new (五, 附件2-1-3):
# its title says so and points to 三、3, where the report lists the check; an 已开展 one is no candidate project at all.
DEMONSTRATION_NOTE = {"done": ("园区已开展,见三、3", "already carried out by the park; see III.3"),
                      "under_construction": ("园区在建,见三、3", "under construction in the park; see III.3"),
                      "planned": ("已列入园区计划,见三、3", "in the park's plans; see III.3")}


def demonstration_measures(ds: ParkDataset, cat: Catalogue) -> dict[str, str]:
    """Measure id → status of the recorded kinds of demonstrative work naming it (catalogue `measure`), the most
    advanced when several do (已开展 before 在建 before 计划中); kinds 未开展 or without a measure are left out."""
    out: dict[str, str] = {}
    for w in ds.demonstration or ():
        measure = cat.demonstration_kind(w.kind).measure
        if measure and w.status in DEMONSTRATION_NOTE:
            if measure not in out or list(DEMONSTRATION_NOTE).index(w.status) < list(DEMONSTRATION_NOTE).index(out[measure]):
                out[measure] = w.status
    return out


def _measure_record(m, status: Optional[str]) -> "FrozenDict":
    """A measure as a recommendation carries it; its titles annotated when the park already has it under way."""
    title_zh, title_en = m.title_zh, m.title_en
    if status is not None:
        zh, en = DEMONSTRATION_NOTE[status]
        title_zh, title_en = f"{title_zh}({zh})", f"{title_en} ({en})"
    return FrozenDict(id=m.id, title_zh=title_zh, title_en=title_en, effect_zh=m.effect_zh, effect_en=m.effect_en,
                      basis=f"{m.basis.doc} {m.basis.clause}")


def provisional_list(cat: Catalogue, rules: RuleBase, ds: Optional[ParkDataset] = None) -> list[dict]:
    """diagnosis.json's `provisional`: every provisional number of the catalogue and of the rule base's constants that
    the scores rest on, each with its kind (catalogue.PROVISIONAL_KINDS), what it is in both languages and why it is
    provisional. Of the conversion factors only the standard-coal coefficients of carriers whose converted sum is a
    year's scored energy consumption (scored_coefficients(ds)) are listed: the others are reference data no score uses."""
    key = (id(cat), id(rules))
    hit = _PROVISIONAL.get(key)
    if hit is None or hit[0] is not cat or hit[1] is not rules:  # worked out once per catalogue and rule base
        items = [x for x in iter_provisional(cat) if x[0] != "coefficient"]
        constants = [("rule_constant", f"核查规则常量 {c.name} = {c.value:g}", f"rule constant {c.name} = {c.value:g}",
                      c.provenance.provisional or "无来源 (no source)") for c in rules.constants if c.provenance.is_provisional]
        if len(_PROVISIONAL) >= 16:
            _PROVISIONAL.clear()
        hit = _PROVISIONAL[key] = (cat, rules, (tuple(items), tuple(constants)))
    used = [("coefficient", f"{c.name_zh} {c.value:g} {c.unit}", f"{c.name_en}: {c.value:g} {c.unit}", c.provenance.provisional or "无来源 (no source)")
            for c in scored_coefficients(ds, cat) if c.provenance.is_provisional] if ds is not None else []
    return [{"kind": k, "what": zh, "what_en": en, "why": why} for k, zh, en, why in (*hit[2][0], *used, *hit[2][1])]


def _energy_statistics(ds: ParkDataset) -> dict[int, Any]:
    return {s.year: s for s in ds.statistics if s.statistic == ds.catalogue.energy_statistic}


def scored_coefficients(ds: ParkDataset, cat: Catalogue) -> tuple:
    """The standard-coal coefficients (catalogue order) of the carriers of the years whose energy consumption is their
    converted sum (origin "carriers"): the conversion factors the scores rest on. Beside a reported total the carriers
    only check it, and the reported value is scored."""
    stats = _energy_statistics(ds)
    keys = {c.carrier for c in ds.energy_by_carrier  # an entry with its own (measured) coefficient does not rest on the catalogue's
            if c.year in stats and stats[c.year].origin == "carriers" and c.coefficient is None}
    return tuple(c for c in cat.coal_coefficients if c.key in keys)


def energy_by_carrier(ds: ParkDataset, cat: Catalogue) -> Optional[dict]:
    """diagnosis.json's `energy_by_carrier`: per year the carriers as given and in tce, their sum, the reported energy
    consumption beside it and which of the two is scored, and the coefficients used; None when the data give none."""
    if not ds.energy_by_carrier:
        return None
    import math

    stats, out = _energy_statistics(ds), []
    for year in sorted({c.year for c in ds.energy_by_carrier}):
        mine = [c for c in ds.energy_by_carrier if c.year == year]
        total = units.tidy(math.fsum(c.tce for c in mine))
        st = stats.get(year)
        basis = None if st is None else ("carriers" if st.origin == "carriers" else "reported")
        reported = units.convert_input(st.value, cat.statistic(st.statistic).unit, "tce") if basis == "reported" else None
        gap = abs(reported - total) / total * 100 if reported is not None and total else None
        gap = units.tidy(gap) if gap is not None and math.isfinite(gap) else None  # a tiny sum beside a total: no finite %
        out.append({"year": year, "total_tce": total, "reported_tce": reported, "gap_pct": gap, "basis": basis,
                    "carriers": [{"carrier": c.carrier, "name_zh": k.name_zh, "name_en": k.name_en, "quantity": c.quantity,
                                  "unit": c.unit, "given": c.given, "tce": c.tce, "evidence": c.evidence,
                                  **({"own_coefficient": {"value": c.coefficient, "unit": k.unit, "given": c.coefficient_given,
                                                          "evidence": c.coefficient_evidence}} if c.coefficient is not None else {})}
                                 for c in mine for k in (cat.coal_coefficient(c.carrier),)]})
    used = {c.carrier for c in ds.energy_by_carrier if c.coefficient is None}  # the catalogue's coefficients actually used
    coefficients = [{"carrier": c.key, "name_zh": c.name_zh, "name_en": c.name_en, "value": c.value, "unit": c.unit,
                     "sources": [{"doc": x.doc, "clause": x.clause} for x in c.provenance.sources],
                     "provisional": c.provenance.provisional} for c in cat.coal_coefficients if c.key in used]
    return {"coefficients": coefficients, "years": out}


_PROVISIONAL: dict[tuple[int, int], tuple[Catalogue, RuleBase, tuple]] = {}


@attrs.frozen(slots=False)
class Diagnosis:
    """The result of diagnose(): the scorecard, findings, recommendation candidates and projects of one park, with the
    dataset, catalogue and rules it came from; to_dict()/to_json() give diagnosis.json, which reports render from."""

    dataset: ParkDataset = attrs.field(repr=False)
    catalogue: Catalogue = attrs.field(repr=False)
    rules: RuleBase = attrs.field(repr=False)
    scorecard: Scorecard
    findings: tuple[Finding, ...]
    recommendations: tuple[Recommendation, ...]
    projects: tuple[ProjectRow, ...]
    engagement: Mapping[str, Any] = attrs.field(converter=freeze)  # a FrozenDict; its lists are tuples
    as_of: Optional[dt.date] = None
    # (indicator id, year, gap_abs, gap_pct) to the lead value for every quantitative value, as the rules saw them
    lead_gaps: tuple[tuple[str, int, Optional[float], Optional[float]], ...] = attrs.field(default=(), repr=False)
    # the 四(三)3 check of demonstrative work: None when the data do not record it, () when it found none
    demonstration: Optional[tuple[DemonstrationEntry, ...]] = None

    @property
    def park(self):
        return self.dataset.profile

    @property
    def years(self) -> tuple[int, ...]:
        return self.dataset.years

    def to_dict(self) -> dict:
        """JSON-ready, deterministic: the same input gives the same dict (dump with sort_keys=True).

        Built in one pass, every container new (nothing shared with the diagnosis): records through _record,
        the rows written out here from scalar fields (str, number, bool or None) with lists made by list()."""
        ds, cat, card = self.dataset, self.catalogue, self.scorecard
        p = ds.profile
        gaps = {(ind, year): (gap_abs, gap_pct) for ind, year, gap_abs, gap_pct in self.lead_gaps}
        no_gap = (None, None)
        return {
            "format": "greendiag-diagnosis/1",
            "park": _record(p),
            "fictitious": ds.fictitious,
            "source": fileio.display_name(os.path.basename(ds.source)),
            "diagnosis_year": ds.diagnosis_year,
            "years": list(ds.years),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "baseline": [self._baseline_row(r.number) for r in cat.requirements],
            "baseline_summary": _record(card.baseline),
            "catalogue": {"categories": [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "weight": c.weight} for c in cat.categories],
                          "scoring": {"full": cat.scoring.full, "cap": cat.scoring.cap,
                                      "category_aggregation": cat.scoring.category_aggregation,
                                      "total_aggregation": cat.scoring.total_aggregation,
                                      "bands": [{"min": b.min, "zh": b.zh, "en": b.en} for b in cat.scoring.bands],
                                      "bands_sources": [s.doc for s in cat.scoring.bands_provenance.sources]},
                          "documents": [{"id": d.id, "title_zh": d.title_zh, "cite_zh": d.cite_zh} for d in cat.documents],
                          "indicators": [self._indicator_meta(i) for i in cat.indicators]},
            "indicators": [{"number": s.number, "id": s.indicator, "category": s.category, "year": s.year, "value": s.value,
                            "level": s.level, "unit": s.unit, "score": s.score, "status": s.status, "flags": list(s.flags),
                            "origin": s.origin, "evidence": s.evidence, "lead_gap_abs": g[0], "lead_gap_pct": g[1]}
                           for s in card.indicators for g in (gaps.get((s.indicator, s.year), no_gap),)],
            "category_scores": [_record(c) for c in card.categories],
            "total_scores": [_record(t) for t in card.totals],
            "changes": [_record(c) for c in card.changes],
            "score_changes": [_record(c) for c in card.score_changes],
            "findings": [_record(f) for f in self.findings],
            "recommendations": [_record(r) for r in self.recommendations],
            "projects": [_record(r) for r in self.projects],
            "engagement": _json_ready(self.engagement),
            "demonstration_work": {"recorded": self.demonstration is not None,
                                   "items": [_record(w) for w in self.demonstration or ()],
                                   "kinds": [{"kind": k.id, "name_zh": k.name_zh, "name_en": k.name_en, "titled": k.titled}
                                             for k in cat.demonstration_kinds]},
            **({"energy_by_carrier": energy_by_carrier(ds, cat)} if ds.energy_by_carrier else {}),
            "rules_id": self.rules.id,
            "rules_version": self.rules.version,
            "rules_sha256": self.rules.sha256,
            "rules_extensions": [{"file": name, "sha256": sha} for name, sha in self.rules.extensions],
            "rules_constants": {c.name: c.value for c in self.rules.constants},
            "catalogue_id": cat.id,
            "catalogue_version": cat.version,
            "catalogue_overlays": [list(o) for o in cat.overlays],
            "catalogue_overlay_titles": [{"id": i, "title_zh": zh, "title_en": en} for i, zh, en in cat.overlay_titles],
            "provisional": provisional_list(cat, self.rules, ds),
            **({"input_notes": [{"code": n.code, "location": n.location, "message_zh": n.message_zh, "message_en": n.message_en,
                                 "fix_zh": n.fix_zh, "fix_en": n.fix_en} for n in ds.notes]} if ds.notes else {}),
            **({"rule_notes": [{"code": n.code, "location": n.location, "message_zh": n.message_zh, "message_en": n.message_en,
                                "fix_zh": n.fix_zh, "fix_en": n.fix_en} for n in self.rules.notes]} if self.rules.notes else {}),
        }

    def to_json(self) -> str:
        return fileio.json_text(self.to_dict())

    @staticmethod
    def _indicator_meta(i) -> dict:
        return {"number": i.number, "id": i.id, "code": i.code, "category": i.category, "name_zh": i.name_zh, "name_en": i.name_en,
                "unit": i.unit, "kind": i.kind, "direction": i.direction, "mandatory": i.mandatory,
                "lead": i.lead_value if not i.qualitative else i.lead_level, "lead_provisional": i.lead_provenance.is_provisional,
                "levels": [{"id": lv.id, "zh": lv.zh, "en": lv.en, "score": lv.score} for lv in i.levels], "origin": i.origin,
                "replaces": i.replaces, "formula": i.definition.formula if i.definition is not None else None,
                **(factsmod.gap_units(i) if not i.qualitative else {"gap_unit_zh": None, "gap_unit_en": None})}

    def _baseline_row(self, number: int) -> dict:
        req = self.catalogue.requirement(number)
        st = self.dataset.requirement_status(number)
        status = st.status if st else "unknown"
        link = factsmod.linked_demonstration(self.dataset, self.catalogue, req)
        return {"number": number, "id": req.id, "text_zh": req.text_zh, "text_en": req.text_en, "mandatory": req.mandatory,
                "origin": req.origin or self.catalogue.id, "replaces": req.replaces,
                "status": status, "evidence": st.evidence if st else None, "note": st.note if st else None,
                **({"demonstration": _baseline_demonstration(link, status)} if link is not None else {})}

    def findings_of(self, kind: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == kind)


# a requirement not checked whose kind of demonstrative work is recorded 已开展: said beside it, never taken as met
DEMONSTRATION_CROSS_NOTE = ("示范性工作中记录为已开展,请核查本项要求", "recorded as carried out in the check of demonstrative work; check this requirement")


def _baseline_demonstration(link: tuple, status: str) -> dict:
    """baseline[].demonstration: the kind of demonstrative work a requirement names as the same work, what the 四(三)3
    check recorded of it (None: no entry) and, when the requirement is not checked but the work is 已开展, the note asking
    for the requirement's own status."""
    from .dataset import DEMONSTRATION_STATUS

    kind, recorded = link
    zh, en = DEMONSTRATION_STATUS.get(recorded, (None, None))
    note = DEMONSTRATION_CROSS_NOTE if status == "unknown" and recorded == "done" else (None, None)
    return {"kind": kind.id, "name_zh": kind.name_zh, "name_en": kind.name_en, "status": recorded, "status_zh": zh, "status_en": en,
            "note_zh": note[0], "note_en": note[1]}


DatasetLike = Union[ParkDataset, str, os.PathLike, Mapping[str, Any]]


def diagnose(dataset: DatasetLike, *, catalogue: Optional[Catalogue] = None, rules: Optional[RuleBase] = None,
             backend: str = "durable", as_of: Optional[dt.date] = None) -> Diagnosis:
    """Diagnose one park: `dataset` is a ParkDataset, the path of a file load_dataset reads, or a dict as
    dataset_from_dict takes it. `as_of` (a date, or
    "YYYY-MM-DD") enables date-dependent checks such as the overdue follow-up."""
    from ._args import check_catalogue, check_rules
    from .batch import check_as_of
    from .engine import check_backend

    as_of = check_as_of(as_of)  # a typed error naming as_of for anything but a date or ISO date text
    check_catalogue(catalogue), check_rules(rules), check_backend(backend)  # before any work: typed, naming the argument
    if isinstance(dataset, Mapping):
        from .dataset import dataset_from_dict

        dataset = dataset_from_dict(dataset, catalogue=catalogue)
    elif not isinstance(dataset, ParkDataset):
        if not isinstance(dataset, (str, bytes, os.PathLike)):
            from ._args import bad_argument

            raise bad_argument("dataset", "须为 ParkDataset、数据文件路径或数据字典", "must be a ParkDataset, a dataset file path or a dict",
                               dataset, "如 diagnose('park.xlsx') 或 diagnose(load_dataset('park.yaml'))",
                               "e.g. diagnose('park.xlsx') or diagnose(load_dataset('park.yaml'))")
        dataset = load_dataset(dataset, catalogue=catalogue)
    cat = catalogue or dataset.catalogue
    if cat is None:
        from .catalogue import load_catalogue

        cat = load_catalogue()
    if (dataset.catalogue_label and dataset.catalogue_label != cat.label) or not _same(dataset.catalogue, cat):
        raise DatasetError(Problem("catalogue-mismatch", f"数据按目录“{dataset.catalogue_label}”校验,但诊断使用“{cat.label}”",
                                   f"the dataset was validated against '{dataset.catalogue_label}' but diagnosed with '{cat.label}'",
                                   file=dataset.source, fix_zh="用同一目录(含扩展)加载与诊断", fix_en="load and diagnose with the same catalogue and overlays"))
    rb = rules or load_rules(catalogue=cat)
    if not rb.checked_with and cat.measures:  # the packaged rules loaded without the catalogue: add its overlays' measures
        from .rulebook import _with_measures

        rb = _with_measures(rb, cat)
    if rb.checked_with and (rb.checked_with != cat.label or not _same(rb.checked_catalogue, cat)):
        raise RuleError(Problem("rules-catalogue-mismatch", f"规则按目录“{rb.checked_with}”校验,但诊断使用“{cat.label}”",
                                f"the rules were checked against '{rb.checked_with}' but the diagnosis uses '{cat.label}'",
                                file=", ".join(name for name, _ in rb.extensions),
                                fix_zh="用诊断所用的目录加载规则:load_rules(..., catalogue=catalogue)",
                                fix_en="load the rules with the catalogue of the diagnosis: load_rules(..., catalogue=catalogue)"))
    card = score_dataset(dataset, cat)
    constants = {c.name: c.value for c in rb.constants}
    prepared = factsmod.prepare_facts(dataset, cat, card, constants, as_of, rb.term_lists())
    facts = prepared.facts
    fired = evaluate(rb.compiled, facts, backend=backend)
    findings, recs = [], []
    under_way = demonstration_measures(dataset, cat)
    added = added_indicators(cat)
    for idx, rule_id in fired:
        spec = rb.rule(rule_id)
        fact = facts[idx]
        fields = prepared.context(idx)  # a new dict: the template fields, with the threshold added below
        finding, parts = _finding(spec, fact, fields, cat)
        findings.append(finding)
        if spec.kind == "recommendation":
            recs.append(_recommendation(spec, finding, fact, fields, parts, card, rb, under_way, added))
    findings.sort(key=Finding.sort_key)
    recs.sort(key=lambda r: (_baseline_rank(r, dataset, cat), -(r.total_points or 0), r.method, r.indicator or 0, r.requirement or 0, r.rule_id))
    engagement = _engagement_summary(dataset, [f for f in findings if f.rule_id.startswith("engagement.")], facts[-1])
    return Diagnosis(dataset, cat, rb, card, tuple(findings), tuple(recs), _projects(dataset, recs, under_way), engagement, as_of,
                     _lead_gaps(facts), _demonstration(dataset, cat))


def _same(checked: Optional[Catalogue], cat: Catalogue) -> bool:
    """Whether data or rules checked against `checked` fit `cat`: the same catalogue, or an equal one (an overlay
    edited without a new version has the same label but other content)."""
    return checked is None or checked is cat or checked == cat


def _lead_gaps(facts: list[dict]) -> tuple[tuple[str, int, Optional[float], Optional[float]], ...]:
    """Each value's gap to the lead value from the indicator facts (facts.py works it out once), for the reports."""
    return tuple((f["ind"], int(f["year"]), f["gap_abs"], f.get("gap_pct")) for f in facts
                 if f["fact"] == "indicator" and "gap_abs" in f)


def _baseline_rank(r: "Recommendation", ds: ParkDataset, cat: Catalogue) -> int:
    """Candidates on baseline requirements come first (a mandatory one not met gates the rating), then indicators:
    0 mandatory not met, 1 mandatory unknown, 2 encouraged not met, 3 encouraged unknown, 4 not a requirement."""
    if r.requirement is None:
        return 4
    st = ds.requirement_status(r.requirement)
    unknown = st is None or st.status != "not_met"
    return (0 if cat.requirement(r.requirement).mandatory else 2) + (1 if unknown else 0)


def _threshold(spec, fact: dict) -> Optional[float]:
    if spec.threshold is None:
        return None
    kind, v = spec.threshold
    if kind == "field":
        t = fact.get(v)
        return t if isinstance(t, float) else None
    return float(v)


def _finding(spec, fact: dict, fields: dict, cat: Catalogue) -> tuple[Finding, dict]:
    """The finding of a rule fired on `fact`, and its message's parts (see _messages); `fields` is the fact's
    context, which gets the threshold added."""
    threshold = _threshold(spec, fact)
    fields["threshold"] = threshold if threshold is not None else "—"
    message_zh, message_en, parts = _messages(spec, fields)
    indicator_id = spec.indicator or (fact.get("ind") if spec.subject == "indicator" else None)
    if indicator_id and not cat.has_indicator(indicator_id):  # rules checked against another catalogue
        raise RuleError(Problem("unknown-indicator", f"规则“{spec.id}”引用的指标“{indicator_id}”不在诊断所用目录中",
                                f"rule '{spec.id}' names indicator '{indicator_id}', which the catalogue in use does not have",
                                file=spec.file, fix_zh="用诊断所用的目录加载规则:load_rules(..., catalogue=catalogue)",
                                fix_en="load the rules with the catalogue of the diagnosis: load_rules(..., catalogue=catalogue)"))
    number = cat.indicator(indicator_id).number if indicator_id else None
    source = _source(spec, fact, cat)
    value = fact.get("value")
    if value is None and spec.indicator:
        value = fact.get("v_" + spec.indicator)
    return Finding(
        rule_id=spec.id, kind=spec.kind, method=spec.method, severity=spec.severity,
        indicator=number, indicator_id=indicator_id,
        requirement=int(fact["number"]) if spec.subject == "requirement" and fact.get("fact") == "requirement" else None,
        year=int(fact["year"]) if "year" in fact else None,
        value=value if isinstance(value, float) else None, threshold=threshold, threshold_name=spec.threshold_name,
        source=source,
        message_zh=message_zh, message_en=message_en, report=spec.report), parts


def _messages(spec, fields: dict) -> tuple[str, str, dict]:
    """(message_zh, message_en, parts): a message written in two parts is its head and clause each rendered once and
    joined as rulebook joins the templates (head + HEAD_SEP + clause; each part is a whole template, so rendering the
    join equals joining the renders); parts holds head_/clause_ zh/en for the recommendation, else it is empty."""
    parts = {}
    if spec.head_zh is not None:
        for k in ("head_zh", "head_en", "clause_zh", "clause_en"):
            template = getattr(spec, k)
            if template is not None:
                parts[k] = render(template, fields)
    out = []
    for lang in ("zh", "en"):
        if "head_" + lang in parts and "clause_" + lang in parts:
            out.append(parts["head_" + lang] + HEAD_SEP[lang] + parts["clause_" + lang])
        else:
            out.append(render(getattr(spec, "message_" + lang), fields))
    return out[0], out[1], parts


def _source(spec, fact: dict, cat: Catalogue) -> FrozenDict:
    """Where a finding's threshold comes from: for a reference value, the reference's own document and clause
    (so the report can cite it), else the rule's source."""
    doc_id, clause = spec.source.doc, spec.source.clause
    if fact.get("fact") == "reference":
        ref = next((r for r in cat.references if r.id == fact.get("ref")), None)
        if ref is not None and ref.provenance.sources:
            doc_id, clause = ref.provenance.sources[0].doc, ref.provenance.sources[0].clause
    doc = cat.document(doc_id)
    return FrozenDict(doc=doc_id, clause=clause, title=doc.title_zh if doc else None)


def _recommendation(spec, finding: Finding, fact: dict, ctx: dict, parts: dict, card: Scorecard, rb: RuleBase,
                    under_way: Mapping[str, str], added: frozenset = frozenset()) -> Recommendation:
    points = fact.get("points")
    total = card.total(finding.year) if finding.year else None
    # the gain in the total the park is graded by: the guide's (general_total) when an overlay adds indicators, to which
    # an added indicator contributes nothing (None); the total otherwise
    if total is not None and total.general_total is not None:
        n = None if finding.indicator_id in added else total.general_evaluated
    else:
        n = total.evaluated if total is not None else None
    total_points = points / n if points is not None and n else None
    measures = rb.measures_for(indicator=finding.indicator_id, requirement=finding.requirement)
    gaps = spec.fact in ("indicator", "reference") and finding.value is not None
    group = finding.indicator_id or (f"req-{finding.requirement}" if finding.requirement is not None else spec.id)
    return Recommendation(
        rule_id=spec.id, method=spec.method, indicator=finding.indicator, indicator_id=finding.indicator_id,
        requirement=finding.requirement, year=finding.year, value=finding.value, target=finding.threshold,
        gap_pct=fact.get("gap_pct") if gaps else None, points=_tidy(points), total_points=_tidy(total_points),
        measures=tuple(_measure_record(m, under_way.get(m.id)) for m in measures),
        message_zh=finding.message_zh, message_en=finding.message_en,
        gap_abs=fact.get("gap_abs") if gaps else None, group=group,
        **parts, **(_target(fact, ctx) if gaps else {}))


def _target(fact: dict, ctx: dict) -> dict:
    """Direction, target label and gap unit of a candidate with a numeric gap, from its fact and context."""
    out = {"direction": fact.get("direction") if fact.get("direction") in ("higher", "lower") else None,
           "gap_unit_zh": ctx.get("gap_unit_zh"), "gap_unit_en": ctx.get("gap_unit_en")}
    if fact.get("fact") == "reference":
        out["target_label_zh"], out["target_label_en"] = ctx["ref_text_zh"], ctx["ref_text_en"]  # as the rules name it
    return out


def _projects(ds: ParkDataset, recs: list[Recommendation], under_way: Mapping[str, str]) -> tuple[ProjectRow, ...]:
    """附件2-1-3: the user's own projects first, then one candidate row per measure, strongest gap first, titled as the
    recommendations title it; a measure of demonstrative work the park has already carried out (已开展) is no new project."""
    rows = [ProjectRow(p.content, p.content, p.total_investment, p.fixed_investment, p.expected_effect or "", p.expected_effect or "",
                       p.note or "", (), "user") for p in ds.projects]
    addresses: dict[str, list[str]] = {}
    by_id: dict[str, Mapping[str, str]] = {}  # in first-seen order
    for r in recs:
        subject = r.indicator_id or (f"基础性要求{r.requirement}" if r.requirement else "")
        for m in r.measures:
            if under_way.get(m["id"]) == "done":
                continue
            if m["id"] not in addresses:
                by_id[m["id"]] = m
                addresses[m["id"]] = []
            if subject and subject not in addresses[m["id"]]:
                addresses[m["id"]].append(subject)
    for mid, m in by_id.items():
        rows.append(ProjectRow(m["title_zh"], m["title_en"], None, None, m["effect_zh"], m["effect_en"],
                               "候选项目,投资由园区填写 (candidate; investment to be filled in by the park)", tuple(addresses[mid]), "candidate"))
    return tuple(rows)


def _engagement_summary(ds: ParkDataset, findings: list[Finding], fact: dict) -> dict:
    e = ds.engagement
    return {
        "provider": _record(e.provider),
        "team": [_record(m) for m in e.team],
        "scope_description": e.scope_description,
        "specialised": list(e.specialised),
        "team_size": len(e.team),
        "senior_count": int(fact["senior_count"]),  # senior title in a related speciality
        "senior_unrelated_count": int(fact["senior_unrelated_count"]),
        "led_green_projects_count": int(fact["led_count"]),
        "park_staff_count": int(fact["park_staff_count"]),
        "onsite_start": e.onsite_start.isoformat() if e.onsite_start else None,
        "onsite_end": e.onsite_end.isoformat() if e.onsite_end else None,
        "onsite_working_days": e.onsite_working_days,
        "onsite_date_days": int(fact["onsite_date_days"]) if "onsite_date_days" in fact else None,  # what the dates allow
        "onsite_holidays_deducted": bool(fact["holidays_deducted"]) if "holidays_deducted" in fact else None,
        "confidentiality_submitted": e.confidentiality_submitted.isoformat() if e.confidentiality_submitted else None,
        "work_started": e.work_started.isoformat() if e.work_started else None,
        "scope_full": e.scope_full,
        "fee_charged": e.fee_charged,
        "report_submitted": e.report_submitted.isoformat() if e.report_submitted else None,
        "report_meeting_date": e.report_meeting_date.isoformat() if e.report_meeting_date else None,
        "third_party_evaluation": e.third_party_evaluation,
        "follow_up_due": fact.get("follow_up_due"),
        "checks_failed": [f.rule_id for f in findings if f.severity != "info"],
    }


_SCALAR = frozenset({str, int, float, bool, type(None)})
_RECORDERS: dict[type, Callable[[Any], dict]] = {}


def _record(obj: Any) -> dict:
    """An attrs instance as attrs.asdict gives it (every field, in order, recursively), with new lists for tuples."""
    make = _RECORDERS.get(type(obj))
    if make is None:
        make = _RECORDERS[type(obj)] = _recorder(type(obj))
    return make(obj)


def _recorder(cls: type) -> Callable[[Any], dict]:
    """_record for one attrs class: its field names and one C-level getter for all of them, made once
    (~200 records per park); scalars are kept as they are, anything else goes through _json_ready."""
    names = tuple(a.name for a in attrs.fields(cls))
    if len(names) == 1:
        (name,) = names
        return lambda o: {name: _ready_value(getattr(o, name))}
    get = operator.attrgetter(*names)
    scalar, ready = _SCALAR, _json_ready
    return lambda o: {n: v if type(v) in scalar else ready(v) for n, v in zip(names, get(o))}


def _ready_value(v: Any) -> Any:
    return v if type(v) in _SCALAR else _json_ready(v)


def _json_ready(value: Any) -> Any:
    """A copy with tuples and lists as new lists, dicts as new dicts and attrs instances as _record dicts:
    what attrs.asdict then the old tuple-to-list walk gave, so to_dict() equals json.loads(to_json())."""
    t = type(value)
    if t in _SCALAR:
        return value
    if t is list or t is tuple or isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if t is dict or isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if attrs.has(t):
        return _record(value)
    return value


def as_plain(value: Any) -> Any:
    return attrs.asdict(value) if attrs.has(type(value)) else value


def _tidy(x: Optional[float]) -> Optional[float]:
    """Recoverable points as a person reads them (12 significant digits), not 0.20000000000000284."""
    return units.tidy(x) if isinstance(x, float) else x
