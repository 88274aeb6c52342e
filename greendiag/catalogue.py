"""Loading the catalogue from its YAML files and extending it with overlays; consistency checks are in _catalogue_checks."""

from __future__ import annotations

import functools
import os
from importlib import resources
from typing import Any, Iterable, Optional, Union

import attrs

from . import _catalogue_checks, schema, units
from .errors import CatalogueError, InputFileError, OverlayConflictError, Problem
from .models import (Band, BaselineRequirement, Catalogue, Category, Coefficient, Definition, DemonstrationKind, DocumentRef,
                     Indicator, Level, Measure, Provenance, Reference, ScoringMethod, Source, Statistic)
from .yamlio import Document, parse_text, read_document

ENTRY_POINT_GROUP = "greendiag.catalogues"
DATA_PACKAGE = "greendiag._data_catalogue"
RULES_PACKAGE = "greendiag._data_rules"  # the packaged measure library, which an overlay's measures may not clash with
# overlay section -> key identifying an item
SECTIONS = {"documents": "id", "categories": "code", "indicators": "id", "requirements": "number",
            "statistics": "id", "references": "id", "demonstration_kinds": "id", "measures": "id"}

OverlaySpec = Union[str, os.PathLike]


@attrs.define
class _Item:
    """A raw catalogue entry with where it came from, for located messages.

    `rank` is 0 for the base catalogue and n for the n-th overlay applied, so a cross-check can blame the
    later of two entries that do not fit together; `replaced` is the entry an `override: true` replaced.
    """

    data: dict
    doc: Document
    path: tuple
    origin: str
    rank: int = 0
    replaced: Optional["_Item"] = None

    def problem(self, code: str, zh: str, en: str, *sub, fix_zh=None, fix_en=None) -> Problem:
        return self.doc.problem(code, zh, en, self.path + tuple(sub), fix_zh, fix_en)

    def where(self, *sub) -> str:
        """file:line of this entry (or of a field in it), to name it in another entry's message."""
        line, _ = self.doc.locate(self.path + tuple(sub))
        return f"{self.doc.path}:{line}" if line else self.doc.path


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
    sections["demonstration_kinds"] = _demonstration_items(head, cid)
    sections["measures"] = []  # the packaged library joins only when overlays are applied (_library_measures)
    conv_doc = _packaged(head["files"]["conversion"])
    head["_conversion"] = schema.validate(conv_doc, "conversion.schema.json", CatalogueError)
    return head, sections


def _demonstration_items(head: dict, cid: str) -> list[_Item]:
    """The kinds of demonstrative work (四(三)3) of files.demonstration; none when the header names no such file."""
    name = head["files"].get("demonstration")
    if name is None:
        return []
    doc = _packaged(name)
    data = schema.validate(doc, "demonstration.schema.json", CatalogueError)
    return [_Item(d, doc, ("demonstration_kinds", i), cid) for i, d in enumerate(data["demonstration_kinds"])]


@functools.cache
def _library() -> tuple[Document, str, tuple[dict, ...]]:
    """The packaged measure library (rulebase.yaml's `measures:` file, e.g. rules/measures.yaml), its rule base's id and
    its entries: what an overlay's measure ids are checked against. Read only when overlays are loaded."""
    read = lambda name: parse_text((resources.files(RULES_PACKAGE) / name).read_text(encoding="utf-8"), f"rules/{name}", CatalogueError)
    head = read("rulebase.yaml").data
    doc = read(head["measures"])
    data = schema.validate(doc, "measures.schema.json", CatalogueError)
    return doc, head["rulebase"]["id"], tuple(data["measures"])


def _library_measures() -> list[_Item]:
    """The packaged measures as base entries (rank 0, origin the rule base's id), so that an overlay's measure with one
    of their ids is a conflict naming rules/measures.yaml and its line, unless it says `override: true`."""
    doc, rid, items = _library()
    return [_Item(d, doc, ("measures", i), rid) for i, d in enumerate(items)]


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
    names = ", ".join(sorted(ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP))) or None
    raise CatalogueError(Problem("unknown-overlay", f"找不到扩展目录“{path}”(既不是文件,也不是已注册的名称)",
                                 f"overlay '{path}' is neither a file nor a registered name",
                                 fix_zh=f"给出文件路径,或使用已注册名称:{names}" if names else "给出扩展目录文件的路径(当前没有已注册的名称)",
                                 fix_en=f"give a file path or a registered name: {names}" if names else
                                 "give the path of an overlay file (no names are registered)"))


def registered_overlays() -> dict[str, str]:
    """Names of overlays registered by installed packages under the `greendiag.catalogues` group."""
    from importlib import metadata

    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def overlays_defining(section: str, key: Any) -> list[str]:
    """Registered overlay names whose file adds `key` (an id, or a requirement's number) to `section` (indicators,
    statistics, requirements): for the hint on data that names an overlay's item without the overlay. Read only on
    that error path; an overlay that cannot be loaded or read is skipped (loading it with --overlay reports why)."""
    from importlib import metadata

    names = []
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            target = ep.load()
            path = os.fspath(target() if callable(target) else target)
            items = _overlay_items(path, os.stat(path).st_mtime_ns).get(section, ())
        except Exception:  # noqa: BLE001 - any failure of a third party's overlay only loses the hint
            continue
        if key in items:
            names.append(ep.name)
    return names


@functools.lru_cache(maxsize=16)
def _overlay_items(path: str, _mtime: int) -> dict[str, frozenset]:
    data = read_document(path, CatalogueError).data
    field = lambda section: "number" if section == "requirements" else "id"
    return {section: frozenset(e.get(field(section)) for e in data.get(section) or () if isinstance(e, dict))
            for section in ("indicators", "statistics", "requirements", "demonstration_kinds") if isinstance(data, dict)}


_KEY_WORDS = {"id": ("id", "id"), "number": ("序号", "number"), "code": ("代码", "code")}


def _read_overlay(path: str) -> tuple[Document, dict]:
    doc = read_document(path, CatalogueError)
    return doc, schema.validate(doc, "overlay.schema.json", CatalogueError)


def _check_base(doc: Document, meta: dict, head: dict) -> list[Problem]:
    """The overlay's `extends` against the base catalogue's id and version."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

    want, base = meta["extends"], head["catalogue"]
    if want["id"] != base["id"]:
        return [doc.problem("overlay-wrong-base", f"扩展目录要求基础目录“{want['id']}”,当前为“{base['id']}”",
                            f"overlay extends '{want['id']}' but the catalogue is '{base['id']}'", ("overlay", "extends", "id"),
                            f"此扩展目录是为“{want['id']}”编写的,不能用于“{base['id']}”;如确为本目录编写,把 extends.id 改为 {base['id']}",
                            f"this overlay was written for '{want['id']}' and cannot extend '{base['id']}'; if it was written for this "
                            f"catalogue, set extends.id to {base['id']}")]
    try:
        ok = Version(base["version"]) in SpecifierSet(want["version"])
    except InvalidSpecifier:
        return [doc.problem("overlay-version", f"版本要求“{want['version']}”无法识别", f"version specifier '{want['version']}' is invalid",
                            ("overlay", "extends", "version"), "如 >=1.0,<2", "e.g. >=1.0,<2")]
    if ok:
        return []
    major = Version(base["version"]).major
    return [doc.problem("overlay-version", f"扩展目录要求版本 {want['version']},当前为 {base['version']}",
                        f"overlay needs version {want['version']}, catalogue is {base['version']}", ("overlay", "extends", "version"),
                        f"核对扩展目录是否适用于 {base['id']} {base['version']};适用时把 extends.version 改为包含它的范围,如 >={major}.0,<{major + 1}",
                        f"check that the overlay fits {base['id']} {base['version']}; if it does, widen extends.version to include it, "
                        f"e.g. >={major}.0,<{major + 1}")]


def _conflict(section: str, key: str, k: Any, new: _Item, old: _Item) -> Problem:
    """An overlay entry whose key is taken: by the base catalogue, by another overlay, or earlier in the same file."""
    wzh, wen = _KEY_WORDS[key]
    if old.doc is new.doc:
        return new.problem("overlay-conflict", f"{section} 中的{wzh}“{k}”在本文件中出现两次(前一处在 {old.where()})",
                           f"{section} {wen} '{k}' appears twice in this file (first at {old.where()})",
                           fix_zh=f"改用其他{wzh},或删除其中一处", fix_en=f"use another {wen}, or remove one of the two")
    if old.rank == 0:
        return new.problem("overlay-conflict", f"{section} 中的“{k}”已由 {old.origin} 定义({old.where()});如确需替换,请加 override: true",
                           f"{section} '{k}' is already defined by {old.origin} ({old.where()}); add `override: true` to replace it",
                           fix_zh=f"改用新的{wzh},或显式声明 override: true", fix_en=f"use a new {wen}, or declare override: true")
    return new.problem("overlay-conflict", f"{section} 中的{wzh}“{k}”已由扩展目录 {old.origin} 定义({old.where()})",
                       f"{section} {wen} '{k}' is already defined by overlay {old.origin} ({old.where()})",
                       fix_zh=f"两个扩展目录一起使用时{wzh}不能重复:在其中一个扩展目录中改用其他{wzh}",
                       fix_en=f"overlays used together need distinct {wen}s: use another {wen} in one of the two overlays")


def _override_clash(section: str, key: str, k: Any, new: _Item, old: _Item) -> Problem:
    """`override: true` on an entry another overlay already defined or replaced: which one wins would hang on the order given."""
    wzh, wen = _KEY_WORDS[key]
    did_zh, did_en = ("覆盖", "overridden") if old.replaced else ("定义", "defined")
    return new.problem(
        "overlay-conflict",
        f"{section} 中的{wzh}“{k}”已由扩展目录 {old.origin} {did_zh}({old.where()}),本扩展目录又用 override: true 替换它;"
        f"结果将取决于扩展目录的给出顺序",
        f"{section} {wen} '{k}' is already {did_en} by overlay {old.origin} ({old.where()}) and this overlay replaces it again "
        f"with override: true; the result would depend on the order the overlays are given",
        fix_zh=f"同一{wzh}只能由一个扩展目录替换:把两处修改合并到其中一个扩展目录,或只使用其中一个",
        fix_en=f"only one overlay may replace a given {wen}: merge the two changes into one overlay, or use only one of them")


def _apply_overlay(sections: dict[str, list[_Item]], doc: Document, data: dict, rank: int) -> list[Problem]:
    """Add an overlay's entries to `sections`; problems for entries that conflict (those are left out)."""
    oid = data["overlay"]["id"]
    problems: list[Problem] = []
    for section, key in SECTIONS.items():
        existing = {it.data[key]: idx for idx, it in enumerate(sections[section])}
        for i, item in enumerate(data.get(section, [])):
            new = _Item(item, doc, (section, i), oid, rank)
            k = item[key]
            if k in existing:
                old = sections[section][existing[k]]
                if not item.get("override") or old.doc is doc:
                    problems.append(_conflict(section, key, k, new, old))
                elif old.rank:
                    problems.append(_override_clash(section, key, k, new, old))
                else:
                    new.replaced = old
                    sections[section][existing[k]] = new
            elif item.get("override"):
                base_zh, base_en = ("内置措施库", "the packaged measure library") if section == "measures" else ("基础目录", "the base catalogue")
                problems.append(new.problem("override-nothing", f"override 的“{k}”在{base_zh}中不存在", f"override of '{k}', which {base_en} does not have",
                                            fix_zh="删除 override 或更正 id", fix_en="remove override or correct the id"))
            else:
                existing[k] = len(sections[section])
                sections[section].append(new)
    return problems


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
        sources=_prov(d).sources, level_scores_provenance=_prov(d.get("level_scores")), origin=it.origin,
        replaces=it.replaced.origin if it.replaced else None)


def _build(head: dict, sections: dict[str, list[_Item]], overlays: tuple[tuple[str, str], ...],
           titles: tuple[tuple[str, str, str], ...] = ()) -> Catalogue:
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
    coef = lambda c, key: Coefficient(c.get(key, ""), c.get("name_zh", ""), c.get("name_en", ""), float(c["value"]), c["unit"], c.get("year"), _prov(c),
                                      (float(c["own"]["min"]), float(c["own"]["max"])) if "own" in c else None,
                                      _prov(c["own"]) if "own" in c else None, bool(c.get("clean", False)))
    return Catalogue(
        id=head["catalogue"]["id"], version=head["catalogue"]["version"],
        title_zh=head["catalogue"]["title_zh"], title_en=head["catalogue"]["title_en"],
        documents=tuple(DocumentRef(**{k: v for k, v in it.data.items() if k != "override"}, origin=it.origin) for it in sections["documents"]),
        categories=tuple(sorted((Category(d["code"], d["order"], d["name_zh"], d["name_en"], float(d["weight"]["value"]), _prov(d["weight"]), it.origin)
                                 for it in sections["categories"] for d in [it.data]), key=lambda c: (c.order, c.code))),
        indicators=tuple(inds),
        requirements=tuple(sorted((BaselineRequirement(d["number"], d["id"], d["text_zh"], d["text_en"], d["mandatory"], _prov(d).sources, it.origin,
                                                       it.replaced.origin if it.replaced else None, d.get("demonstration"))
                                   for it in sections["requirements"] for d in [it.data]), key=lambda r: r.number)),
        statistics=tuple(Statistic(d["id"], d["name_zh"], d["name_en"], d["unit"], it.origin) for it in sections["statistics"] for d in [it.data]),
        references=tuple(sorted(refs, key=lambda r: (r.indicator, r.id))),
        coal_coefficients=tuple(coef(c, "carrier") for c in conv["standard_coal"]["coefficients"]),
        electricity_co2=tuple(coef(c, "grid") for c in conv["electricity_co2"]),
        energy_statistic=conv["energy_statistic"], clean_statistic=conv["clean_statistic"], carrier_units=tuple((per, tuple(us)) for per, us in conv["carrier_units"].items()),
        calorific_value=float(conv["standard_coal"]["calorific_value"]["value"]),
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
        overlay_titles=titles,
        demonstration_kinds=tuple(_demonstration_kind(it) for it in sections["demonstration_kinds"]),
        measures=tuple(_measure(it) for it in sections["measures"] if it.rank),  # the packaged library stays the rule base's
    )


def _measure(it: _Item) -> Measure:
    d = it.data
    return Measure(d["id"], d["title_zh"], d["title_en"], tuple(d.get("indicators", ())), tuple(d.get("requirements", ())), d["effect_zh"],
                   d["effect_en"], Source(d["basis"]["doc"], d["basis"]["clause"]), it.origin, it.replaced.origin if it.replaced else None)


def _demonstration_kind(it: _Item) -> DemonstrationKind:
    d = it.data
    return DemonstrationKind(d["id"], d["name_zh"], d["name_en"], _prov(d).sources, d.get("measure"), tuple(d.get("indicators", ())),
                             bool(d.get("titled", False)), it.origin, it.replaced.origin if it.replaced else None)


def load_catalogue(*overlays: OverlaySpec) -> Catalogue:
    """The default catalogue, extended by overlay files or registered overlay names. They are applied in the order
    given (a conflict names the later one), but the result does not depend on it: A, B and B, A give equal catalogues
    with the same label (overlays listed by id; _canonical)."""
    from ._args import check_path

    overlays = tuple(check_path(o, "overlays") for o in overlays)
    if not overlays:
        return _default()
    return _load(tuple(_resolve_overlay(o) for o in overlays))


@functools.cache
def _default() -> Catalogue:
    from . import _cache  # the unchanged packaged catalogue is validated once, then read back from disk

    return _cache.cached("catalogue", _cache.catalogue_key, lambda: _load(()), Catalogue)


def _load(paths: tuple[str, ...]) -> Catalogue:
    """Base + overlays in order. Every overlay is read and applied before anything is raised, so one run
    reports the conflicts of all overlays and the cross-checks of the result (the cross-checks are left
    out only when an overlay breaks its schema: its entries are missing from what they would check)."""
    head, sections = _raw_default()
    if paths:
        sections["measures"] = _library_measures()
    problems: list[Problem] = []
    conflict, broken = False, False
    applied: list[tuple[str, str]] = []
    titles: list[tuple[str, str, str]] = []
    ids: dict[str, Document] = {}
    for rank, path in enumerate(paths, 1):
        try:
            doc, data = _read_overlay(path)
        except InputFileError:
            raise
        except CatalogueError as e:
            problems.extend(e.problems)
            broken = True
            continue
        meta = data["overlay"]
        found = _check_base(doc, meta, head)
        if meta["id"] in ids:
            first = ids[meta["id"]]
            same = os.path.realpath(first.path) == os.path.realpath(doc.path)
            found.append(doc.problem(
                "duplicate-overlay", f"扩展目录 id“{meta['id']}”已由 {first.path} 使用" + ("(同一文件给出了两次)" if same else ""),
                f"overlay id '{meta['id']}' is already used by {first.path}" + (" (the same file is given twice)" if same else ""),
                ("overlay", "id"), "同一扩展目录只加载一次" if same else "每个扩展目录须有自己的 id:修改其中一个的 overlay.id",
                "load an overlay once" if same else "each overlay needs an id of its own: change overlay.id in one of them"))
            if same:  # its entries would only repeat as conflicts with themselves
                problems.extend(found)
                conflict = True
                continue
        ids.setdefault(meta["id"], doc)
        if found and found[0].code == "overlay-wrong-base":  # written for another catalogue: its entries are not checked here
            problems.extend(found)
            conflict = True
            continue
        found.extend(_apply_overlay(sections, doc, data, rank))
        conflict = conflict or bool(found)
        problems.extend(found)
        applied.append((meta["id"], meta["version"]))
        titles.append((meta["id"], meta["title_zh"], meta["title_en"]))
    if not broken:
        problems.extend(_catalogue_checks.check(head, sections))
    if problems:
        raise (OverlayConflictError if conflict else CatalogueError)(problems)
    return _build(head, _canonical(sections, applied), tuple(sorted(applied)), tuple(sorted(titles)))


def _canonical(sections: dict[str, list[_Item]], applied: list[tuple[str, str]]) -> dict[str, list[_Item]]:
    """Every section's entries in an order that does not hang on the order the overlays were given: the base entries
    (and what an override put in their place) in base order, then each overlay's additions in file order, overlays by
    id. With the overlays themselves sorted by id too (label, diagnosis.json), loading A, B or B, A gives an equal
    catalogue, so data or rules checked with one fit the other. Only the order is canonical: an overlay may not replace
    what another added or replaced (_override_clash), so the entries themselves never depend on the order given."""
    rank = {oid: n for n, (oid, _) in enumerate(sorted(applied), 1)}

    def key(pos_item: tuple[int, _Item]) -> tuple[int, int]:
        pos, it = pos_item
        return (0, pos) if it.rank == 0 or it.replaced is not None else (rank[it.origin], it.path[1])

    return {section: [it for _, it in sorted(enumerate(items), key=key)] for section, items in sections.items()}


def validate_overlay(path: OverlaySpec) -> Catalogue:
    """Load the default catalogue with one overlay; raises on any problem (used by the CLI)."""
    return load_catalogue(path)


# kinds of provisional numbers, in the order a diagnosis lists them: (kind, 中文, English)
PROVISIONAL_KINDS = (("lead", "引领值", "lead values"), ("mandatory", "必选/可选划分", "mandatory/optional split"),
                     ("level_scores", "定性指标档次分值", "level scores of qualitative indicators"),
                     ("definition", "指标计算公式", "indicator formulas"), ("plausible", "合理范围", "plausible ranges"),
                     ("weight", "类别权重", "category weights"), ("scoring", "评分方法", "scoring method"),
                     ("reference", "参考值", "reference values"), ("coefficient", "折标及排放系数", "conversion and emission factors"),
                     ("rule_constant", "核查规则阈值", "thresholds of the checking rules"))


def iter_provisional(cat: Catalogue) -> Iterable[tuple[str, str, str, str]]:
    """(kind, what in Chinese, what in English, why) for every provisional number of a catalogue (and its overlays),
    in PROVISIONAL_KINDS order: what a diagnosis built on it must say is not (yet) sourced."""
    def why(prov) -> str:
        return prov.provisional or "无来源 (no source)"

    for ind in cat.indicators:
        if ind.lead_provenance.is_provisional:
            yield "lead", f"{ind.number} {ind.name_zh} 引领值", f"{ind.number} {ind.name_en}: lead value", why(ind.lead_provenance)
    for ind in cat.indicators:
        if ind.mandatory_provenance.is_provisional:
            word_zh, word_en = ("必选", "mandatory") if ind.mandatory else ("可选", "optional")
            yield ("mandatory", f"{ind.number} {ind.name_zh} 为{word_zh}指标", f"{ind.number} {ind.name_en}: {word_en}",
                   why(ind.mandatory_provenance))
    for ind in cat.indicators:
        if ind.levels and ind.level_scores_provenance.is_provisional:
            yield ("level_scores", f"{ind.number} {ind.name_zh} 档次分值", f"{ind.number} {ind.name_en}: level scores",
                   why(ind.level_scores_provenance))
    for ind in cat.indicators:
        if ind.definition is not None and ind.definition.provisional:
            yield ("definition", f"{ind.number} {ind.name_zh} 计算公式", f"{ind.number} {ind.name_en}: formula",
                   ind.definition.provisional)
    for ind in cat.indicators:
        if (ind.plausible_min is not None or ind.plausible_max is not None) and ind.plausible_provenance.is_provisional:
            yield ("plausible", f"{ind.number} {ind.name_zh} 合理范围", f"{ind.number} {ind.name_en}: plausible range",
                   why(ind.plausible_provenance))
    for c in cat.categories:
        if c.weight_provenance.is_provisional:
            yield "weight", f"{c.code} {c.name_zh} 权重", f"{c.code} {c.name_en}: weight", why(c.weight_provenance)
    for zh, en, prov in (("评分满分基准", "full score at the lead value", cat.scoring.full_provenance),
                         ("评分上限", "score cap", cat.scoring.cap_provenance),
                         ("汇总方法", "aggregation", cat.scoring.aggregation_provenance),
                         ("缺失数据处理", "missing data", cat.scoring.missing_provenance),
                         ("总体评价档次", "score bands", cat.scoring.bands_provenance)):
        if prov.is_provisional:
            yield "scoring", zh, en, why(prov)
    for r in cat.references:
        if r.provenance.is_provisional:
            yield "reference", f"参考值:{r.label_zh}", f"reference value: {r.label_en}", why(r.provenance)
    for c in cat.coal_coefficients + cat.electricity_co2:
        if c.provenance.is_provisional:
            year = f"({c.year}年)" if c.year else ""
            yield ("coefficient", f"{c.name_zh}{year} {c.value:g} {c.unit}", f"{c.name_en}{f' ({c.year})' if c.year else ''}: {c.value:g} {c.unit}",
                   why(c.provenance))
    for c in cat.coal_coefficients:  # the range a carrier's own (measured) coefficient is checked against
        if c.own is not None and c.own_provenance is not None and c.own_provenance.is_provisional:
            low, high = c.own
            yield ("coefficient", f"{c.name_zh} 自带折标系数合理范围 {low:g}–{high:g} {c.unit}",
                   f"{c.name_en}: plausible range of an own coefficient, {low:g}–{high:g} {c.unit}", why(c.own_provenance))


def as_dict(value: Any) -> Any:
    """attrs model -> plain data (for `catalogue show`)."""
    return attrs.asdict(value, recurse=True) if attrs.has(type(value)) else value
