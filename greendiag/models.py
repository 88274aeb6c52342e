"""Data models (attrs, frozen): the catalogue's declarations and a park's dataset.

These hold data only; loading lives in catalogue.py / dataset.py, evaluation in scoring.py and
diagnosis.py (pandera's split of declarations from evaluation).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Optional

import attrs

_CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_GLOSS = re.compile(r"(?s)(.*?\S)\s*[(（]([^()（）]*)[)）]\s*")


@functools.lru_cache(maxsize=1024)
def split_bilingual(text: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """The catalogue's "中文 (English)" convention → (zh, en). Chinese-only text has no English part (None);
    text without Chinese serves both languages. Cached: dataset checks ask for an indicator's bounds basis per value."""
    if not text:
        return None, None
    m = _GLOSS.fullmatch(text)
    if m and _CJK.search(m.group(1)) and not _CJK.search(m.group(2)):
        return m.group(1), m.group(2).strip() or None
    return (text, None) if _CJK.search(text) else (text, text)

# ---------------------------------------------------------------- provenance


@attrs.frozen
class Source:
    doc: str
    clause: str


@attrs.frozen
class Provenance:
    """Where a number comes from: documents and clauses, and/or why it is provisional."""

    sources: tuple[Source, ...] = ()
    provisional: Optional[str] = None

    @property
    def is_provisional(self) -> bool:
        return self.provisional is not None or not self.sources


# ---------------------------------------------------------------- catalogue


@attrs.frozen
class Level:
    id: str
    zh: str
    en: str
    score: float


@attrs.frozen
class Definition:
    """How an indicator is derived from named raw statistics."""

    formula: str  # ratio | intensity_reduction | elasticity
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    provisional: Optional[str] = None


@attrs.frozen
class Indicator:
    id: str
    number: int
    code: str
    category: str
    name_zh: str
    name_en: str
    unit: str
    kind: str  # quantitative | qualitative
    direction: Optional[str]  # higher | lower | None for qualitative
    levels: tuple[Level, ...]
    lead_value: Optional[float]
    lead_level: Optional[str]
    lead_provenance: Provenance
    mandatory: bool
    mandatory_provenance: Provenance
    bounds_min: Optional[float]
    bounds_max: Optional[float]
    bounds_basis: Optional[str]
    plausible_min: Optional[float]
    plausible_max: Optional[float]
    plausible_provenance: Provenance
    definition: Optional[Definition]
    sources: tuple[Source, ...]
    level_scores_provenance: Provenance = Provenance()
    origin: str = ""  # the catalogue that defined it as it stands: the base id, or the overlay that added or replaced it
    replaces: Optional[str] = None  # the catalogue whose entry an overlay replaced (override: true): not an added one

    @property
    def qualitative(self) -> bool:
        return self.kind == "qualitative"

    @property
    def is_share(self) -> bool:
        return self.unit.strip() == "%"

    @property
    def bounds_basis_zh(self) -> Optional[str]:
        """Why the bounds hold, in Chinese (bounds.basis is written "中文 (English)")."""
        return split_bilingual(self.bounds_basis)[0]

    @property
    def bounds_basis_en(self) -> Optional[str]:
        """Why the bounds hold, in English; None if the catalogue gives it in Chinese only."""
        return split_bilingual(self.bounds_basis)[1]

    def level(self, key: str) -> Optional[Level]:
        """A level by id or by its Chinese/English label."""
        for lv in self.levels:
            if key in (lv.id, lv.zh, lv.en):
                return lv
        return None


@attrs.frozen
class BaselineRequirement:
    number: int
    id: str
    text_zh: str
    text_en: str
    mandatory: bool
    sources: tuple[Source, ...]
    origin: str = ""
    replaces: Optional[str] = None  # as Indicator.replaces
    # the kind of demonstrative work (四(三)3) that is the same work: a cross-reference for the diagnosis, never a status
    demonstration: Optional[str] = None


@attrs.frozen
class DemonstrationKind:
    """A kind of demonstrative green-manufacturing work the team checks on site (guide 四(三)3): catalogue data."""

    id: str
    name_zh: str
    name_en: str
    sources: tuple[Source, ...]
    measure: Optional[str] = None  # the related measure of rules/measures.yaml
    indicators: tuple[str, ...] = ()  # related indicator ids
    titled: bool = False  # each entry needs its own title and the kind may repeat ("other" work)
    origin: str = ""
    replaces: Optional[str] = None  # as Indicator.replaces


@attrs.frozen
class Measure:
    """An improvement measure (绿色化改造提升措施) a recommendation candidate carries, matched by indicator id or
    requirement number: from the packaged library (rules/measures.yaml), an overlay's `measures:` or an extra rule file."""

    id: str
    title_zh: str
    title_en: str
    indicators: tuple[str, ...]
    requirements: tuple[int, ...]
    effect_zh: str
    effect_en: str
    basis: Source
    origin: str = ""  # the overlay that brought it; "" for the packaged library and extra rule files
    replaces: Optional[str] = None  # the rule base whose packaged measure an overlay replaced (override: true)


@attrs.frozen
class Category:
    code: str
    order: int
    name_zh: str
    name_en: str
    weight: float
    weight_provenance: Provenance
    origin: str = ""


@attrs.frozen
class Statistic:
    id: str
    name_zh: str
    name_en: str
    unit: str
    origin: str = ""


@attrs.frozen
class Reference:
    """A reference value for 标准比对法/先进对照法, already converted to its indicator's unit."""

    id: str
    indicator: str
    method: str  # standard_comparison | advanced_benchmark
    label_zh: str
    label_en: str
    value: float  # in the indicator's unit
    given_value: float
    given_unit: str
    inverse: bool
    provenance: Provenance
    note: Optional[str] = None
    origin: str = ""


@attrs.frozen
class DocumentRef:
    id: str
    title_zh: str
    title_en: Optional[str] = None
    issuer: Optional[str] = None
    number: Optional[str] = None
    year: Optional[int] = None
    note: Optional[str] = None
    origin: str = ""
    cite_zh: Optional[str] = None  # the citation in a report's 六 参考文件 (basis documents have one)


@attrs.frozen
class Coefficient:
    key: str  # carrier or grid id
    name_zh: str
    name_en: str
    value: float
    unit: str
    year: Optional[int]
    provenance: Provenance
    # (min, max) kgce per unit an own (measured) coefficient of the data must lie in; None: the carrier takes none
    own: Optional[tuple[float, float]] = None
    own_provenance: Optional[Provenance] = None  # where that range comes from (a plausibility check: provisional)
    clean: bool = False  # clean energy (natural gas): its tce is part of the catalogue's clean_statistic

    @property
    def per(self) -> str:
        """The physical unit the coefficient applies to: kWh for 0.1229 kgce/kWh (the unit after its first "/")."""
        return self.unit.split("/", 1)[1].strip() if "/" in self.unit else ""


@attrs.frozen
class Band:
    min: float
    zh: str
    en: str


@attrs.frozen
class ScoringMethod:
    full: float
    full_provenance: Provenance
    cap: float
    cap_provenance: Provenance
    category_aggregation: str
    total_aggregation: str
    aggregation_provenance: Provenance
    missing_optional: str
    missing_mandatory: str
    missing_provenance: Provenance
    bands: tuple[Band, ...]
    bands_provenance: Provenance
    years: int
    # (count, zh, en): how messages cite the catalogue's source for `years` — for that count only
    years_cite: Optional[tuple[int, str, str]] = None

    def band(self, score: float) -> Optional[Band]:
        for b in sorted(self.bands, key=lambda b: -b.min):
            if score >= b.min:
                return b
        return None


@attrs.frozen(slots=False)
class Catalogue:
    """The whole declarative catalogue, possibly extended by overlays (专项诊断)."""

    id: str
    version: str
    title_zh: str
    title_en: str
    documents: tuple[DocumentRef, ...]
    categories: tuple[Category, ...]
    indicators: tuple[Indicator, ...]
    requirements: tuple[BaselineRequirement, ...]
    statistics: tuple[Statistic, ...]
    references: tuple[Reference, ...]
    coal_coefficients: tuple[Coefficient, ...]
    electricity_co2: tuple[Coefficient, ...]
    scoring: ScoringMethod
    overlays: tuple[tuple[str, str], ...] = ()
    overlay_titles: tuple[tuple[str, str, str], ...] = ()  # (id, title_zh, title_en) of each overlay: the 专项诊断 it stands for
    demonstration_kinds: tuple[DemonstrationKind, ...] = ()  # 四(三)3, in catalogue order (overlays' after)
    # the measures overlays bring (their `measures:`), in catalogue order: one replacing a packaged measure where that
    # stood, then each overlay's additions; the packaged library itself is the rule base's (load_rules merges these)
    measures: tuple[Measure, ...] = ()
    # conversion.yaml beside the coefficients: the statistics the carriers sum to and count into, the units per physical unit
    # of a coefficient ((per, (default, …)), …) and the calorific value of 1 kgce (kJ) that turns a measured one into kgce
    energy_statistic: str = ""
    clean_statistic: str = ""  # the statistic the carriers marked clean are part of (清洁能源消费量)
    carrier_units: tuple[tuple[str, tuple[str, ...]], ...] = ()
    calorific_value: float = 0.0

    @functools.cached_property
    def _by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @functools.cached_property
    def added_ids(self) -> frozenset[str]:
        """Ids of the indicators an overlay added (专项诊断); one it replaced (override: true) stays the guide's."""
        return frozenset(i.id for i in self.indicators if i.origin not in ("", self.id) and i.replaces is None)

    @functools.cached_property
    def _stats(self) -> dict[str, Statistic]:
        return {s.id: s for s in self.statistics}

    def indicator(self, key: str | int) -> Indicator:
        """An indicator by id, code (EG1), Chinese name or number; if unknown, UnknownEntryError (a CatalogueError and a
        KeyError) naming the key, with a did-you-mean."""
        ind = self._find_indicator(key)
        if ind is None:
            numbers = [i.number for i in self.indicators]
            span = f"{min(numbers)}–{max(numbers)}" if numbers else "-"
            raise _unknown("unknown-indicator", "指标", "indicator", key,
                           [str(x) for i in self.indicators for x in (i.id, i.code, i.name_zh, i.name_en) if x],
                           f"用序号({span})、id 或代码;greendiag catalogue list 列出全部",
                           f"give a number ({span}), an id or a code; greendiag catalogue list shows them all")
        return ind

    def _find_indicator(self, key: object) -> Optional[Indicator]:
        if isinstance(key, int):
            return next((ind for ind in self.indicators if ind.number == key), None)
        if not isinstance(key, str):
            return None
        hit = self._by_id.get(key)
        if hit is not None:
            return hit
        return next((ind for ind in self.indicators if key in (ind.code, ind.name_zh)), None)

    def has_indicator(self, key: str) -> bool:
        return self._find_indicator(key) is not None

    def statistic(self, key: str) -> Statistic:
        """A raw statistic by id; UnknownEntryError (a KeyError) with a did-you-mean if the catalogue has none."""
        hit = self._stats.get(key) if isinstance(key, str) else None
        if hit is None:
            raise _unknown("unknown-statistic", "统计量", "statistic", key,
                           [str(x) for s in self.statistics for x in (s.id, s.name_zh, s.name_en) if x],
                           "统计量 id 见目录的 statistics(扩展目录的统计量须同时加载该扩展)",
                           "statistic ids are listed in the catalogue's statistics (load an overlay to use its statistics)")
        return hit

    def category(self, code: str) -> Category:
        """A category by code (EG); UnknownEntryError (a KeyError) with a did-you-mean if unknown."""
        for c in self.categories:
            if c.code == code:
                return c
        codes = [c.code for c in self.categories]
        raise _unknown("unknown-category", "类别", "category", code, codes,
                       f"类别代码为 {'、'.join(codes)}", f"the category codes are {', '.join(codes)}")

    def requirement(self, number: int) -> BaselineRequirement:
        """A baseline requirement by number; UnknownEntryError (a KeyError) if the catalogue has none."""
        for r in self.requirements:
            if r.number == number and not isinstance(number, bool):
                return r
        numbers = "、".join(str(r.number) for r in self.requirements)
        raise _unknown("unknown-requirement", "基础性要求", "baseline requirement", number, [],
                       f"基础性要求的序号为 {numbers}", f"the requirement numbers are {numbers.replace('、', ', ')}")

    def references_for(self, indicator_id: str) -> tuple[Reference, ...]:
        return tuple(r for r in self.references if r.indicator == indicator_id)

    def coal_coefficient(self, carrier: str) -> Coefficient:
        """The standard-coal coefficient of an energy carrier (conversion.yaml) by id; UnknownEntryError (a KeyError)
        with a did-you-mean if the catalogue has none."""
        return _by_id(self.coal_coefficients, carrier, "key", "unknown-carrier", ("能源品种", "energy carrier"),
                      ("能源品种为 {ids}(见目录 conversion.yaml)", "the carriers are {ids} (catalogue conversion.yaml)"))

    def document(self, doc_id: str) -> Optional[DocumentRef]:
        return next((d for d in self.documents if d.id == doc_id), None)

    def demonstration_kind(self, kind_id: str) -> DemonstrationKind:
        """A kind of demonstrative work by id; UnknownEntryError (a KeyError) with a did-you-mean if the catalogue has none."""
        return _by_id(self.demonstration_kinds, kind_id, "id", "unknown-demonstration-kind", ("示范性工作类别", "kind of demonstrative work"),
                      ("类别为 {ids}", "the kinds are {ids}"))

    @property
    def label(self) -> str:
        extra = "".join(f" + {oid} {ov}" for oid, ov in self.overlays)
        return f"{self.id} {self.version}{extra}"


def _unknown(code: str, zh: str, en: str, key: object, names: list[str], fix_zh: str, fix_en: str) -> Exception:
    """The UnknownEntryError of a lookup: the key, up to three close names (difflib) and where to look."""
    import difflib

    from .errors import Problem, UnknownEntryError

    near = difflib.get_close_matches(key, list(dict.fromkeys(names)), n=3, cutoff=0.5) if isinstance(key, str) and names else []
    shown = key if isinstance(key, (str, int)) else repr(key)
    return UnknownEntryError(Problem(code, f"未知{zh}“{shown}”", f"unknown {en} '{shown}'",
                                     fix_zh=(f"是否指:{'、'.join(near)}?" if near else "") + fix_zh,
                                     fix_en=(f"did you mean: {', '.join(near)}? " if near else "") + fix_en), key=key)


def _by_id(items: tuple, key: object, attr: str, code: str, what: tuple[str, str], listing: tuple[str, str]):
    """The item whose `attr` is `key`, else UnknownEntryError `code` with a did-you-mean over ids and names and the ids
    listed ({ids} in `listing`)."""
    hit = next((x for x in items if getattr(x, attr) == key), None) if isinstance(key, str) else None
    if hit is None:
        ids = [getattr(x, attr) for x in items]
        raise _unknown(code, what[0], what[1], key, [str(v) for x in items for v in (getattr(x, attr), x.name_zh, x.name_en)],
                       listing[0].format(ids="、".join(ids)), listing[1].format(ids=", ".join(ids)))
    return hit


# ---------------------------------------------------------------- dataset


@attrs.frozen
class Person:
    name: Optional[str] = None
    phone: Optional[str] = None
    email: Optional[str] = None
    fax: Optional[str] = None


@attrs.frozen
class ParkProfile:
    """基本信息表 — 园区基本信息."""

    name: str
    management_body: Optional[str] = None
    level: Optional[str] = None  # 国家级 | 市级 | 其他
    project_lead: Person = Person()
    contact: Person = Person()
    address: Optional[str] = None
    area_km2: Optional[float] = None
    leading_industries: Optional[str] = None
    description: Optional[str] = None
    zoning: Optional[str] = None  # 功能区划 (guide 附件2-1 一.2, 四(二))
    industry_status: Optional[str] = None  # 产业发展现状 (ditto)


@attrs.frozen
class ServiceProvider:
    """基本信息表 — 服务商信息."""

    name: Optional[str] = None
    address: Optional[str] = None
    legal_representative: Person = Person()
    contact: Person = Person()
    report_author: Person = Person()
    reviewer: Person = Person()


@attrs.frozen
class TeamMember:
    """绿色诊断工作组成员表 row."""

    name: str
    role: Optional[str] = None
    title: Optional[str] = None
    speciality: Optional[str] = None
    senior: bool = False
    led_green_projects: bool = False
    park_staff: bool = False


@attrs.frozen
class Engagement:
    """Facts about how the diagnosis was carried out, checked against the guide's procedure."""

    provider: ServiceProvider = ServiceProvider()
    team: tuple[TeamMember, ...] = ()
    confidentiality_submitted: Optional[dt.date] = None
    work_started: Optional[dt.date] = None
    onsite_start: Optional[dt.date] = None
    onsite_end: Optional[dt.date] = None
    onsite_working_days: Optional[int] = None
    scope_full: Optional[bool] = None
    scope_description: Optional[str] = None
    scope_approval: Optional[str] = None
    fee_charged: Optional[bool] = None
    report_submitted: Optional[dt.date] = None
    follow_up_submitted: Optional[dt.date] = None
    specialised: tuple[str, ...] = ()
    third_party_evaluation: Optional[bool] = None  # also did the green-park third-party evaluation (附件2-3, 2nd paragraph)
    report_meeting_date: Optional[dt.date] = None  # 诊断工作报告会 (附件2-3)


# The dates of an engagement as users see them named: the workbook's labels and the rule messages use these words
# (Chinese label, English noun for a sentence), so a date a message names is the cell the user filled in.
ENGAGEMENT_DATES: dict[str, tuple[str, str]] = {
    "confidentiality_submitted": ("保密承诺书提交日期", "confidentiality undertaking"),
    "work_started": ("诊断工作开始日期", "work start"),
    "onsite_start": ("现场诊断开始日期", "on-site start"),
    "onsite_end": ("现场诊断结束日期", "on-site end"),
    "report_submitted": ("诊断报告提交日期", "report submission"),
    "report_meeting_date": ("诊断工作报告会日期", "report meeting"),
    "follow_up_submitted": ("跟踪报告提交日期", "follow-up report"),
}


@attrs.frozen
class IndicatorValue:
    """One indicator in one year, in the catalogue's unit (or a level id for qualitative ones)."""

    indicator: str
    year: int
    value: Optional[float]
    level: Optional[str]
    origin: str  # reported | derived
    given: str  # what the user wrote, for messages
    evidence: Optional[str] = None
    derived: Optional[float] = None  # value derived from statistics, when they allow it
    location: Optional[str] = None


@attrs.frozen
class StatisticValue:
    statistic: str
    year: int
    value: float  # in the statistic's catalogue unit
    given: str
    evidence: Optional[str] = None  # 证明材料索引
    origin: str = "reported"  # reported | carriers (energy consumption summed from the year's energy_by_carrier)


@attrs.frozen
class CarrierValue:
    """One energy carrier's consumption in one year (分品种能源消费), as given and converted to standard coal with the
    catalogue's GB/T 2589 coefficient (conversion.yaml), or the data's own: tce = quantity × coefficient (kgce per unit) ÷ 1000."""

    carrier: str  # conversion.yaml standard_coal.coefficients[].carrier
    year: int
    quantity: float  # in the coefficient's physical unit (`unit`)
    unit: str  # kWh, m3, kg or MJ: what the coefficient is per
    given: str  # as the user wrote it ("26 亿kWh", "2.6e+09 kWh")
    given_unit: str  # the unit it was given in
    tce: float  # its standard coal, tidied to 12 significant digits
    evidence: Optional[str] = None  # 证明材料索引
    # the data's own coefficient (kgce per `unit`), which replaced the catalogue's: GB/T 2589's measured low calorific
    # value; as given ("0.6 kgce/kg", "20908 kJ/kg") and its evidence. None: the catalogue's coefficient was used
    coefficient: Optional[float] = None
    coefficient_given: Optional[str] = None
    coefficient_evidence: Optional[str] = None


@attrs.frozen
class RequirementStatus:
    number: int
    status: str  # met | not_met | unknown
    evidence: Optional[str] = None
    note: Optional[str] = None


@attrs.frozen
class DemonstrationWork:
    """One kind of demonstrative work as the team found it on site (guide 四(三)3): its catalogue kind, status
    (done 已开展 | under_construction 在建 | planned 计划中 | not_done 未开展) and what the park did."""

    kind: str
    status: str
    title_zh: Optional[str] = None  # required for a titled kind ("other"), optional otherwise
    title_en: Optional[str] = None
    description: Optional[str] = None
    evidence: Optional[str] = None  # 证明材料索引


@attrs.frozen
class ImprovementProject:
    """附件2-1-3 row entered by the user."""

    content: str
    total_investment: Optional[float] = None  # 万元
    fixed_investment: Optional[float] = None  # 万元
    expected_effect: Optional[str] = None
    note: Optional[str] = None


@attrs.frozen(slots=False)
class ParkDataset:
    """One park's data for a diagnosis, validated and in catalogue units: profile, the scored years' indicator values
    and statistics, baseline statuses, the engagement and improvement projects (load_dataset / dataset_from_dict)."""

    source: str
    profile: ParkProfile
    diagnosis_year: int
    years: tuple[int, ...]
    values: tuple[IndicatorValue, ...]
    statistics: tuple[StatisticValue, ...]
    baseline: tuple[RequirementStatus, ...]
    engagement: Engagement
    projects: tuple[ImprovementProject, ...] = ()
    fictitious: bool = False
    catalogue_label: str = ""
    catalogue: Optional["Catalogue"] = attrs.field(default=None, eq=False, repr=False)
    # what the reader noticed that is not an error but must be shown (a workbook's diagnosis year differing from its
    # template's); not part of equality: a note says how the data were read, not what they are (`source` does take
    # part: the same data from two files are equal once `source` is set alike, as the round-trip tests do)
    notes: tuple = attrs.field(default=(), eq=False, repr=False)
    # the 四(三)3 check of demonstrative work: None when the data do not record it, () when it found none
    demonstration: Optional[tuple[DemonstrationWork, ...]] = None
    # energy consumption by carrier (分品种能源消费), by year then catalogue order of the carriers
    energy_by_carrier: tuple[CarrierValue, ...] = ()

    @functools.cached_property
    def _index(self) -> dict[tuple[str, int], IndicatorValue]:
        return {(v.indicator, v.year): v for v in self.values}

    def value(self, indicator_id: str, year: int) -> Optional[IndicatorValue]:
        return self._index.get((indicator_id, year))

    def requirement_status(self, number: int) -> Optional[RequirementStatus]:
        return next((r for r in self.baseline if r.number == number), None)
