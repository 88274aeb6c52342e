"""Loading the catalogue from its YAML files, extending it with overlays, and checking consistency."""

from __future__ import annotations

import functools
import os
from importlib import resources
from typing import Any, Iterable, Union

import attrs

from . import schema, units
from .errors import CatalogueError, OverlayConflictError, Problem, UnitError
from .models import (Band, BaselineRequirement, Catalogue, Category, Coefficient, Definition, DocumentRef,
                     Indicator, Level, Provenance, Reference, ScoringMethod, Source, Statistic)
from .yamlio import Document, parse_text, read_document

ENTRY_POINT_GROUP = "greendiag.catalogues"
DATA_PACKAGE = "greendiag._data_catalogue"
# overlay section -> key identifying an item
SECTIONS = {"documents": "id", "categories": "code", "indicators": "id", "requirements": "number",
            "statistics": "id", "references": "id"}

OverlaySpec = Union[str, os.PathLike]


@attrs.define
class _Item:
    """A raw catalogue entry with where it came from, for located messages."""

    data: dict
    doc: Document
    path: tuple
    origin: str

    def problem(self, code: str, zh: str, en: str, *sub, fix_zh=None, fix_en=None) -> Problem:
        return self.doc.problem(code, zh, en, self.path + tuple(sub), fix_zh, fix_en)


def _packaged(name: str) -> Document:
    text = (resources.files(DATA_PACKAGE) / name).read_text(encoding="utf-8")
    return parse_text(text, f"catalogue/{name}", CatalogueError)


def _raw_default() -> tuple[dict, dict[str, list[_Item]]]:
    head_doc = _packaged("catalogue.yaml")
    head = schema.validate(head_doc, "catalogue.schema.json", CatalogueError)
    cid = head["catalogue"]["id"]
    sections: dict[str, list[_Item]] = {
        "documents": [_Item(d, head_doc, ("documents", i), cid) for i, d in enumerate(head["documents"])],
        "categories": [_Item(c, head_doc, ("categories", i), cid) for i, c in enumerate(head["categories"])],
    }
    for key in ("indicators", "requirements", "statistics", "references"):
        doc = _packaged(head["files"][key])
        data = schema.validate(doc, f"{key}.schema.json", CatalogueError)
        sections[key] = [_Item(d, doc, (key, i), cid) for i, d in enumerate(data[key])]
    conv_doc = _packaged(head["files"]["conversion"])
    head["_conversion"] = schema.validate(conv_doc, "conversion.schema.json", CatalogueError)
    return head, sections


def __getattr__(name: str):
    """`catalogue.metadata` (importlib.metadata) on first use: it costs ~25 ms and only overlays by name need it."""
    if name == "metadata":
        from importlib import metadata

        return metadata
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _resolve_overlay(spec: OverlaySpec) -> str:
    """A path to an overlay file, or the name of an overlay registered under the entry-point group."""
    from importlib import metadata  # entry points are looked up only for overlays given by name

    path = os.fspath(spec)
    if os.path.exists(path) or os.sep in path or path.endswith((".yaml", ".yml", ".json")):
        return path
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == path:
            target = ep.load()
            target = target() if callable(target) else target
            return os.fspath(target)
    names = ", ".join(sorted(ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP))) or "无/none"
    raise CatalogueError(Problem("unknown-overlay", f"找不到扩展目录“{path}”(既不是文件,也不是已注册的名称)",
                                 f"overlay '{path}' is neither a file nor a registered name",
                                 fix_zh=f"给出文件路径,或使用已注册名称:{names}", fix_en=f"give a file path or a registered name: {names}"))


def registered_overlays() -> dict[str, str]:
    """Names of overlays registered by installed packages under the `greendiag.catalogues` group."""
    from importlib import metadata

    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def _apply_overlay(head: dict, sections: dict[str, list[_Item]], path: str) -> tuple[str, str]:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

    doc = read_document(path, CatalogueError)
    data = schema.validate(doc, "overlay.schema.json", CatalogueError)
    meta = data["overlay"]
    oid = meta["id"]
    problems: list[Problem] = []
    want = meta["extends"]
    base = head["catalogue"]
    if want["id"] != base["id"]:
        problems.append(doc.problem("overlay-wrong-base", f"扩展目录要求基础目录“{want['id']}”,当前为“{base['id']}”",
                                    f"overlay extends '{want['id']}' but the catalogue is '{base['id']}'", ("overlay", "extends", "id")))
    else:
        try:
            if Version(base["version"]) not in SpecifierSet(want["version"]):
                problems.append(doc.problem("overlay-version", f"扩展目录要求版本 {want['version']},当前为 {base['version']}",
                                            f"overlay needs version {want['version']}, catalogue is {base['version']}",
                                            ("overlay", "extends", "version")))
        except InvalidSpecifier:
            problems.append(doc.problem("overlay-version", f"版本要求“{want['version']}”无法识别", f"version specifier '{want['version']}' is invalid",
                                        ("overlay", "extends", "version"), "如 >=1.0,<2", "e.g. >=1.0,<2"))
    for section, key in SECTIONS.items():
        existing = {it.data[key]: idx for idx, it in enumerate(sections[section])}
        for i, item in enumerate(data.get(section, [])):
            new = _Item(item, doc, (section, i), oid)
            k = item[key]
            if k in existing:
                if not item.get("override"):
                    old = sections[section][existing[k]]
                    problems.append(new.problem("overlay-conflict", f"{section} 中的“{k}”已由 {old.origin} 定义;如确需替换,请加 override: true",
                                                f"{section} '{k}' is already defined by {old.origin}; add `override: true` to replace it",
                                                fix_zh="改用新的 id,或显式声明 override: true", fix_en="use a new id, or declare override: true"))
                else:
                    sections[section][existing[k]] = new
            elif item.get("override"):
                problems.append(new.problem("override-nothing", f"override 的“{k}”在基础目录中不存在", f"override of '{k}', which does not exist",
                                            fix_zh="删除 override 或更正 id", fix_en="remove override or correct the id"))
            else:
                existing[k] = len(sections[section])
                sections[section].append(new)
    if problems:
        raise OverlayConflictError(problems)
    return oid, meta["version"]


def _prov(d: dict | None) -> Provenance:
    d = d or {}
    return Provenance(tuple(Source(s["doc"], s["clause"]) for s in d.get("sources", ())), d.get("provisional"))


def _indicator(it: _Item) -> Indicator:
    d = it.data
    lead = d["lead"]
    bounds, plaus, defn = d.get("bounds") or {}, d.get("plausible") or {}, d.get("definition")
    return Indicator(
        id=d["id"], number=d["number"], code=d["code"], category=d["category"], name_zh=d["name_zh"],
        name_en=d["name_en"], unit=d["unit"], kind=d["kind"], direction=d.get("direction"),
        levels=tuple(Level(lv["id"], lv["zh"], lv["en"], float(lv["score"])) for lv in d.get("levels", ())),
        lead_value=float(lead["value"]) if "value" in lead else None, lead_level=lead.get("level"),
        lead_provenance=_prov(lead), mandatory=d["mandatory"], mandatory_provenance=_prov(d.get("mandatory_source")),
        bounds_min=bounds.get("min"), bounds_max=bounds.get("max"), bounds_basis=bounds.get("basis"),
        plausible_min=plaus.get("min"), plausible_max=plaus.get("max"), plausible_provenance=_prov(plaus),
        definition=Definition(defn["formula"], tuple(defn["numerator"]), tuple(defn["denominator"]), defn.get("provisional")) if defn else None,
        sources=_prov(d).sources, level_scores_provenance=_prov(d.get("level_scores")), origin=it.origin)


def _check(head: dict, sections: dict[str, list[_Item]]) -> list[Problem]:
    """Cross-file consistency: ids, numbers, categories, units, definitions, sources."""
    problems: list[Problem] = []
    docs = {it.data["id"] for it in sections["documents"]}
    cats = {it.data["code"] for it in sections["categories"]}
    stats = {it.data["id"]: it for it in sections["statistics"]}
    inds = {it.data["id"]: it for it in sections["indicators"]}

    def check_sources(it: _Item, d: dict, *sub):
        for j, s in enumerate(d.get("sources", ())):
            if s["doc"] not in docs:
                problems.append(it.problem("unknown-document", f"来源文件“{s['doc']}”未在 documents 中登记",
                                           f"source document '{s['doc']}' is not listed under documents", *sub, "sources", j, "doc"))

    def check_unit(it: _Item, expr: str, *sub) -> bool:
        try:
            units.parse_unit(expr)
            return True
        except UnitError as e:
            problems.append(it.problem("unknown-unit", e.problems[0].message_zh, e.problems[0].message_en, *sub, "unit"))
            return False

    seen_numbers: dict[int, str] = {}
    for it in sections["indicators"]:
        d = it.data
        check_sources(it, d)
        for sub in ("lead", "mandatory_source", "plausible", "level_scores"):
            if sub in d:
                check_sources(it, d[sub], sub)
        if d["number"] in seen_numbers:
            problems.append(it.problem("duplicate-number", f"指标序号 {d['number']} 与“{seen_numbers[d['number']]}”重复",
                                       f"indicator number {d['number']} is also used by '{seen_numbers[d['number']]}'", "number"))
        seen_numbers[d["number"]] = d["id"]
        if d["category"] not in cats:
            problems.append(it.problem("unknown-category", f"类别“{d['category']}”未定义", f"category '{d['category']}' is not defined", "category"))
        unit_ok = check_unit(it, d["unit"])
        if d["kind"] == "qualitative":
            level_ids = [lv["id"] for lv in d["levels"]]
            if d["lead"]["level"] not in level_ids:
                problems.append(it.problem("unknown-level", f"引领档“{d['lead']['level']}”不在 levels 中",
                                           f"lead level '{d['lead']['level']}' is not one of the levels", "lead", "level"))
            if len(set(level_ids)) != len(level_ids):
                problems.append(it.problem("duplicate-level", "levels 中有重复的 id", "levels repeat an id", "levels"))
        b = d.get("bounds") or {}
        p = d.get("plausible") or {}
        for rng, name in ((b, "bounds"), (p, "plausible")):
            if "min" in rng and "max" in rng and rng["min"] > rng["max"]:
                problems.append(it.problem("bad-range", f"{name} 的下限大于上限", f"{name}: min is above max", name))
        defn = d.get("definition")
        if defn and unit_ok:
            missing = [s for s in defn["numerator"] + defn["denominator"] if s not in stats]
            for s in missing:
                problems.append(it.problem("unknown-statistic", f"定义引用了未登记的统计量“{s}”", f"definition uses unknown statistic '{s}'", "definition"))
            if not missing:
                problems.extend(_check_definition_units(it, defn, stats))
    for it in sections["statistics"]:
        check_unit(it, it.data["unit"])
    for it in sections["references"]:
        d = it.data
        check_sources(it, d)
        if d["indicator"] not in inds:
            problems.append(it.problem("unknown-indicator", f"参考值指向未知指标“{d['indicator']}”", f"reference for unknown indicator '{d['indicator']}'", "indicator"))
            continue
        ind_unit = inds[d["indicator"]].data["unit"]
        try:
            (units.inverse_factor if d.get("inverse") else units.factor)(d["unit"], ind_unit)
        except UnitError as e:
            problems.append(it.problem("wrong-dimension", e.problems[0].message_zh, e.problems[0].message_en, "unit"))
    req_numbers = [it.data["number"] for it in sections["requirements"]]
    for it in sections["requirements"]:
        check_sources(it, it.data)
        if req_numbers.count(it.data["number"]) > 1:
            problems.append(it.problem("duplicate-number", "基础性要求序号重复", "requirement number repeated", "number"))
    for it in sections["categories"]:
        check_sources(it, it.data["weight"], "weight")
    return problems


def _check_definition_units(it: _Item, defn: dict, stats: dict[str, _Item]) -> list[Problem]:
    """Numerator terms share a dimension, so do denominator terms, and the quotient fits the indicator unit."""
    out = []
    for part in ("numerator", "denominator"):
        first = stats[defn[part][0]].data["unit"]
        for s in defn[part][1:]:
            try:
                units.factor(stats[s].data["unit"], first)
            except UnitError:
                out.append(it.problem("definition-units", f"{part} 中各项量纲不一致", f"{part} terms have different dimensions", "definition", part))
    if out or defn["formula"] != "ratio":
        return out
    num, den = stats[defn["numerator"][0]].data["unit"], stats[defn["denominator"][0]].data["unit"]
    quotient = f"({num or 'dimensionless'})/({den or 'dimensionless'})"
    try:
        units.factor(quotient, it.data["unit"])
    except UnitError:
        out.append(it.problem("definition-units", f"定义的单位 {num}/{den} 与指标单位“{it.data['unit']}”量纲不同",
                              f"definition gives {num}/{den}, which does not convert to '{it.data['unit']}'", "definition"))
    return out


def _build(head: dict, sections: dict[str, list[_Item]], overlays: tuple[tuple[str, str], ...]) -> Catalogue:
    inds = sorted((_indicator(it) for it in sections["indicators"]), key=lambda i: i.number)
    unit_of = {i.id: i.unit for i in inds}
    refs = []
    for it in sections["references"]:
        d = it.data
        k = (units.inverse_factor if d.get("inverse") else units.factor)(d["unit"], unit_of[d["indicator"]])
        value = k / d["value"] if d.get("inverse") else k * d["value"]
        refs.append(Reference(d["id"], d["indicator"], d["method"], d["label_zh"], d["label_en"], value, float(d["value"]),
                              d["unit"], bool(d.get("inverse")), _prov(d), d.get("note"), it.origin))
    sc = head["scoring"]
    conv = head["_conversion"]
    coef = lambda c, key: Coefficient(c.get(key, ""), c.get("name_zh", ""), c.get("name_en", ""), float(c["value"]), c["unit"], c.get("year"), _prov(c))
    return Catalogue(
        id=head["catalogue"]["id"], version=head["catalogue"]["version"],
        title_zh=head["catalogue"]["title_zh"], title_en=head["catalogue"]["title_en"],
        documents=tuple(DocumentRef(**{k: v for k, v in it.data.items() if k != "override"}, origin=it.origin) for it in sections["documents"]),
        categories=tuple(sorted((Category(d["code"], d["order"], d["name_zh"], d["name_en"], float(d["weight"]["value"]), _prov(d["weight"]), it.origin)
                                 for it in sections["categories"] for d in [it.data]), key=lambda c: (c.order, c.code))),
        indicators=tuple(inds),
        requirements=tuple(sorted((BaselineRequirement(d["number"], d["id"], d["text_zh"], d["text_en"], d["mandatory"], _prov(d).sources, it.origin)
                                   for it in sections["requirements"] for d in [it.data]), key=lambda r: r.number)),
        statistics=tuple(Statistic(d["id"], d["name_zh"], d["name_en"], d["unit"], it.origin) for it in sections["statistics"] for d in [it.data]),
        references=tuple(sorted(refs, key=lambda r: (r.indicator, r.id))),
        coal_coefficients=tuple(coef(c, "carrier") for c in conv["standard_coal"]["coefficients"]),
        electricity_co2=tuple(coef(c, "grid") for c in conv["electricity_co2"]),
        scoring=ScoringMethod(
            full=float(sc["full"]["value"]), full_provenance=_prov(sc["full"]),
            cap=float(sc["cap"]["value"]), cap_provenance=_prov(sc["cap"]),
            category_aggregation=sc["aggregation"]["category"], total_aggregation=sc["aggregation"]["total"],
            aggregation_provenance=_prov(sc["aggregation"]),
            missing_optional=sc["missing"]["optional"], missing_mandatory=sc["missing"]["mandatory"],
            missing_provenance=_prov(sc["missing"]),
            bands=tuple(Band(float(b["min"]), b["zh"], b["en"]) for b in sc["bands"]["levels"]),
            bands_provenance=_prov(sc["bands"]), years=sc["years"]["count"],
            years_cite=(sc["years"]["count"], sc["years"]["cite_zh"], sc["years"]["cite_en"]) if "cite_zh" in sc["years"] else None),
        overlays=overlays,
    )


def load_catalogue(*overlays: OverlaySpec) -> Catalogue:
    """The default catalogue, extended by overlay files or registered overlay names, in order."""
    if not overlays:
        return _default()
    return _load(tuple(_resolve_overlay(o) for o in overlays))


@functools.cache
def _default() -> Catalogue:
    from . import _cache  # the unchanged packaged catalogue is validated once, then read back from disk

    return _cache.cached("catalogue", _cache.catalogue_key, lambda: _load(()))


def _load(paths: tuple[str, ...]) -> Catalogue:
    head, sections = _raw_default()
    applied = tuple(_apply_overlay(head, sections, p) for p in paths)
    problems = _check(head, sections)
    if problems:
        raise CatalogueError(problems)
    return _build(head, sections, applied)


def validate_overlay(path: OverlaySpec) -> Catalogue:
    """Load the default catalogue with one overlay; raises on any problem (used by the CLI)."""
    return load_catalogue(path)


def iter_provisional(cat: Catalogue) -> Iterable[tuple[str, str]]:
    """(what, why) for every provisional number in a catalogue, for a report's method section."""
    for ind in cat.indicators:
        if ind.lead_provenance.is_provisional:
            yield f"{ind.number} {ind.name_zh} 引领值", ind.lead_provenance.provisional or "无来源"
    for label, prov in (("评分满分基准", cat.scoring.full_provenance), ("汇总方法", cat.scoring.aggregation_provenance),
                        ("缺失数据处理", cat.scoring.missing_provenance), ("总体评价档次", cat.scoring.bands_provenance)):
        if prov.is_provisional:
            yield label, prov.provisional or "无来源"


def as_dict(value: Any) -> Any:
    """attrs model -> plain data (for `catalogue show`)."""
    return attrs.asdict(value, recurse=True) if attrs.has(type(value)) else value
