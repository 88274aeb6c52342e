"""Loading the catalogue from its YAML files, extending it with overlays, and checking consistency."""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from importlib import resources
from typing import Any, Iterable, Optional, Union

import attrs

from . import schema, units
from .errors import CatalogueError, InputFileError, OverlayConflictError, Problem, UnitError
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
        return new.problem("overlay-conflict", f"{section} 中的“{k}”已由 {old.origin} 定义;如确需替换,请加 override: true",
                           f"{section} '{k}' is already defined by {old.origin}; add `override: true` to replace it",
                           fix_zh=f"改用新的{wzh},或显式声明 override: true", fix_en=f"use a new {wen}, or declare override: true")
    return new.problem("overlay-conflict", f"{section} 中的{wzh}“{k}”已由扩展目录 {old.origin} 定义({old.where()})",
                       f"{section} {wen} '{k}' is already defined by overlay {old.origin} ({old.where()})",
                       fix_zh=f"两个扩展目录一起使用时{wzh}不能重复:在其中一个扩展目录中改用其他{wzh}",
                       fix_en=f"overlays used together need distinct {wen}s: use another {wen} in one of the two overlays")


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
                else:
                    new.replaced = old
                    sections[section][existing[k]] = new
            elif item.get("override"):
                problems.append(new.problem("override-nothing", f"override 的“{k}”在基础目录中不存在", f"override of '{k}', which does not exist",
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
        sources=_prov(d).sources, level_scores_provenance=_prov(d.get("level_scores")), origin=it.origin)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _span(b: dict) -> str:
    lo, hi = b.get("min"), b.get("max")
    if lo is not None and hi is not None:
        return f"[{lo:g}, {hi:g}]"
    return f"≥ {lo:g}" if lo is not None else f"≤ {hi:g}"


def _outside(b: dict, v: float) -> bool:
    return (b.get("min") is not None and v < b["min"]) or (b.get("max") is not None and v > b["max"])


def _ind_label(it: _Item) -> str:
    d = it.data
    return f"“{d['id']}”({d['number']} {d['name_zh']},{it.where()})"


def _ind_label_en(it: _Item) -> str:
    d = it.data
    return f"'{d['id']}' ({d['number']} {d['name_en']}, {it.where()})"


# fields a dataset may use to name an indicator (Catalogue.indicator: id, code or Chinese name, exact match)
_KEYS = {"id": ("id", "id", "duplicate-id"), "code": ("代码", "code", "duplicate-code"), "name_zh": ("中文名称", "Chinese name", "duplicate-name")}


def _check_indicator_keys(inds: list[_Item]) -> list[Problem]:
    """Ids, codes and names identify one indicator each; a code is its category's code + a number."""
    out: list[Problem] = []
    keys: dict[str, tuple[_Item, str]] = {}
    names_en: dict[str, _Item] = {}
    codes = {it.data["code"] for it in inds}

    def free_code(cat: str) -> str:
        n = 1 + max((int(c[len(cat):]) for c in codes if re.fullmatch(re.escape(cat) + r"\d+", c)), default=0)
        return f"{cat}{n}"

    for it in sorted(inds, key=lambda it: it.rank):  # the later file is blamed
        d = it.data
        for field in ("id", "code", "name_zh"):
            v = d[field]
            if v not in keys:
                keys[v] = (it, field)
                continue
            other, ofield = keys[v]
            if other is it:
                continue
            wzh, wen, code = _KEYS[field]
            ozh, oen, _ = _KEYS[ofield]
            hint_zh, hint_en = {"id": ("改用未被占用的 id", "use an id not taken yet"),
                                "code": (f"改用未被占用的代码,如 {free_code(d['category'])}", f"use a code not taken yet, e.g. {free_code(d['category'])}"),
                                "name_zh": ("改用不同的中文名称", "use a different Chinese name")}[field]
            out.append(it.problem(code, f"指标“{d['id']}”的{wzh}“{v}”与指标{_ind_label(other)}的{ozh}相同",
                                  f"indicator '{d['id']}' has the {wen} '{v}', which is the {oen} of indicator {_ind_label_en(other)}", field,
                                  fix_zh=f"数据按 id、代码或中文名称查找指标,重复会把数据填到另一个指标:{hint_zh}",
                                  fix_en=f"datasets name an indicator by id, code or Chinese name, so data would go to the other indicator: {hint_en}"))
        en = _fold(d["name_en"])
        if en in names_en:
            other = names_en[en]
            out.append(it.problem("duplicate-name", f"指标“{d['id']}”的英文名称“{d['name_en']}”与指标{_ind_label(other)}相同",
                                  f"indicator '{d['id']}' has the English name '{d['name_en']}' of indicator {_ind_label_en(other)}", "name_en",
                                  fix_zh="报告与模板中两个指标无法区分:改用不同的英文名称",
                                  fix_en="reports and templates could not tell the two apart: use a different English name"))
        else:
            names_en[en] = it
        letters = re.match(r"[A-Z]*", d["code"]).group()
        if letters != d["category"]:
            out.append(it.problem("code-category", f"指标代码“{d['code']}”与类别“{d['category']}”不符:代码应为类别代码加序号",
                                  f"indicator code '{d['code']}' does not fit category '{d['category']}': a code is the category code and a number",
                                  "code", fix_zh=f"改为 {free_code(d['category'])} 之类的代码,或更正 category",
                                  fix_en=f"use a code such as {free_code(d['category'])}, or correct the category"))
    return out


def _check_categories(head: dict, cats: list[_Item]) -> list[Problem]:
    """Orders are distinct; a weight other than 1 is refused while the total does not use category weights."""
    out: list[Problem] = []
    total = head["scoring"]["aggregation"]["total"]
    orders: dict[int, _Item] = {}
    top = max((it.data["order"] for it in cats), default=0)
    for it in sorted(cats, key=lambda it: it.rank):
        d = it.data
        if d["order"] in orders:
            other = orders[d["order"]]
            out.append(it.problem("duplicate-order", f"类别“{d['code']}”的顺序 {d['order']} 与类别“{other.data['code']}”({other.where()})相同",
                                  f"category '{d['code']}' has order {d['order']}, as has category '{other.data['code']}' ({other.where()})", "order",
                                  fix_zh=f"顺序决定报告与模板中类别的先后:改用未被占用的顺序,如 {top + 1}",
                                  fix_en=f"the order places categories in reports and templates: use one not taken yet, e.g. {top + 1}"))
        else:
            orders[d["order"]] = it
        w = d["weight"]["value"]
        if total == "mean_of_indicators" and w != 1:
            out.append(it.problem(
                "weight-without-effect",
                f"类别“{d['code']}”的权重 {w:g} 不起作用:scoring.aggregation.total 为 mean_of_indicators,总分是全部已评价指标得分的等权平均,"
                "类别分是该类指标得分的平均,都不用类别权重",
                f"category '{d['code']}' has weight {w:g}, which has no effect: scoring.aggregation.total is mean_of_indicators, so the total "
                "is the equal-weight mean of all evaluated indicator scores and a category score the mean of its own; neither uses category weights",
                "weight", "value",
                fix_zh="把权重写为 1。类别权重只在基础目录的 scoring.aggregation.total 为 weighted_mean_of_categories 时生效,扩展目录不能修改评分方法",
                fix_en="write 1. Category weights count only when the base catalogue's scoring.aggregation.total is weighted_mean_of_categories; "
                       "an overlay cannot change the scoring method"))
    return out


def _check_ranges(it: _Item) -> list[Problem]:
    """Lead value and plausible range of a quantitative indicator lie within its bounds."""
    d, out = it.data, []
    b, p = d.get("bounds") or {}, d.get("plausible") or {}
    if not b or d["kind"] != "quantitative":
        return out
    lead = d["lead"].get("value")
    if lead is not None and _outside(b, lead):
        out.append(it.problem("lead-outside-bounds", f"引领值 {lead:g} 超出指标的定义域 bounds {_span(b)}:没有合法数值能达到它",
                              f"lead value {lead:g} lies outside the indicator's bounds {_span(b)}: no valid value can reach it",
                              "lead", "value", fix_zh="引领值应在 bounds 之内(比例以百分数填写,如 95 表示 95 %);或更正 bounds",
                              fix_en="put the lead value within the bounds (shares in percent: 95 means 95 %), or correct the bounds"))
    for end, zh in (("min", "下限"), ("max", "上限")):
        v = p.get(end)
        if v is not None and _outside(b, v):
            limit = b.get(end) if b.get(end) is not None else b.get("max" if end == "min" else "min")
            out.append(it.problem("plausible-outside-bounds", f"合理范围的{zh} {v:g} 超出指标的定义域 bounds {_span(b)}",
                                  f"plausible {end} {v:g} lies outside the indicator's bounds {_span(b)}", "plausible", end,
                                  fix_zh=f"合理范围是定义域内的审核范围:改在 bounds 之内,如 {limit:g}",
                                  fix_en=f"the plausible range is a reviewer's range within the bounds: keep it inside, e.g. {limit:g}"))
    return out


def _check_reference(it: _Item, ind: _Item) -> list[Problem]:
    """A reference value belongs to a quantitative indicator and lies within its bounds (in the indicator's unit).

    When the indicator comes from a later file than the reference (an overlay changed it), the indicator is blamed."""
    d, di = it.data, ind.data
    later = ind.rank > it.rank
    if di["kind"] == "qualitative":
        if later:
            return [ind.problem("reference-on-qualitative", f"指标“{di['id']}”改为定性指标,但 {it.origin} 为它给出了参考值“{d['id']}”({it.where()}),该参考值将无法使用",
                                f"indicator '{di['id']}' is made qualitative, but {it.origin} gives it the reference value '{d['id']}' ({it.where()}), "
                                "which could not be used", "kind",
                                fix_zh="参考值只用于定量指标,扩展目录不能删除基础目录的参考值:保持该指标为定量指标,或改为新增一个定性指标",
                                fix_en="reference values apply to quantitative indicators only and an overlay cannot remove one: keep the indicator "
                                       "quantitative, or add a new qualitative indicator instead")]
        return [it.problem("reference-on-qualitative", f"参考值指向定性指标“{di['id']}”:定性指标按档次评分,参考值不会被使用",
                           f"reference value for the qualitative indicator '{di['id']}': qualitative indicators are scored by level, the value would never be used",
                           "indicator", fix_zh="删除该参考值,或指向一个定量指标", fix_en="remove the reference, or point it at a quantitative indicator")]
    b = di.get("bounds") or {}
    if not b:
        return []
    k = (units.inverse_factor if d.get("inverse") else units.factor)(d["unit"], di["unit"])
    value = k / d["value"] if d.get("inverse") else k * d["value"]
    if not _outside(b, value):
        return []
    shown = f"{units.tidy(value):g} {di['unit']}".rstrip()
    if later:
        return [ind.problem("reference-outside-bounds", f"指标“{di['id']}”的定义域 bounds {_span(b)} 不包含 {it.origin} 的参考值“{d['id']}”({shown},{it.where()})",
                            f"the bounds {_span(b)} of indicator '{di['id']}' exclude the reference value '{d['id']}' of {it.origin} ({shown}, {it.where()})",
                            "bounds", fix_zh="放宽 bounds 使之包含该参考值,或不要覆盖该指标", fix_en="widen the bounds to include the reference value, or do not override the indicator")]
    return [it.problem("reference-outside-bounds", f"参考值 {d['value']:g} {d['unit']}(即 {shown})超出指标“{di['id']}”的定义域 bounds {_span(b)}",
                       f"reference value {d['value']:g} {d['unit']} ({shown}) lies outside the bounds {_span(b)} of indicator '{di['id']}'", "value",
                       fix_zh="核对数值与单位(比例以百分数填写,如 95 表示 95 %;强度值用 inverse: true)",
                       fix_en="check the value and its unit (shares in percent: 95 means 95 %; intensities take inverse: true)")]


def _check(head: dict, sections: dict[str, list[_Item]]) -> list[Problem]:
    """Cross-file consistency: ids, numbers, codes, names, categories, units, definitions, ranges, references, sources."""
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

    seen_numbers: dict[int, _Item] = {}
    top_number = max((it.data["number"] for it in sections["indicators"]), default=0)
    unit_ok: dict[str, bool] = {}
    for it in sorted(sections["indicators"], key=lambda it: it.rank):  # the later file is blamed
        d = it.data
        check_sources(it, d)
        for sub in ("lead", "mandatory_source", "plausible", "level_scores"):
            if sub in d:
                check_sources(it, d[sub], sub)
        if d["number"] in seen_numbers:
            other = seen_numbers[d["number"]]
            problems.append(it.problem("duplicate-number", f"指标序号 {d['number']} 与“{other.data['id']}”({other.where()})重复",
                                       f"indicator number {d['number']} is also used by '{other.data['id']}' ({other.where()})", "number",
                                       fix_zh=f"序号是评价表中的行号,各指标不同:改用未被占用的序号,如 {top_number + 1}",
                                       fix_en=f"the number is the indicator's row in the table and must be unique: use one not taken yet, e.g. {top_number + 1}"))
        else:
            seen_numbers[d["number"]] = it
        if d["category"] not in cats:
            problems.append(it.problem("unknown-category", f"类别“{d['category']}”未定义", f"category '{d['category']}' is not defined", "category"))
        unit_ok[d["id"]] = check_unit(it, d["unit"])
        if d["kind"] == "qualitative":
            level_ids = [lv["id"] for lv in d["levels"]]
            if d["lead"]["level"] not in level_ids:
                problems.append(it.problem("unknown-level", f"引领档“{d['lead']['level']}”不在 levels 中",
                                           f"lead level '{d['lead']['level']}' is not one of the levels", "lead", "level"))
            if len(set(level_ids)) != len(level_ids):
                problems.append(it.problem("duplicate-level", "levels 中有重复的 id", "levels repeat an id", "levels"))
        b = d.get("bounds") or {}
        p = d.get("plausible") or {}
        bad_range = False
        for rng, name in ((b, "bounds"), (p, "plausible")):
            if "min" in rng and "max" in rng and rng["min"] > rng["max"]:
                problems.append(it.problem("bad-range", f"{name} 的下限大于上限", f"{name}: min is above max", name))
                bad_range = True
        if not bad_range:
            problems.extend(_check_ranges(it))
        defn = d.get("definition")
        if defn and unit_ok[d["id"]]:
            missing = [s for s in defn["numerator"] + defn["denominator"] if s not in stats]
            for s in missing:
                problems.append(it.problem("unknown-statistic", f"定义引用了未登记的统计量“{s}”", f"definition uses unknown statistic '{s}'", "definition"))
            if not missing:
                problems.extend(_check_definition_units(it, defn, stats))
    problems.extend(_check_indicator_keys(sections["indicators"]))
    for it in sections["statistics"]:
        check_unit(it, it.data["unit"])
    for it in sections["references"]:
        d = it.data
        check_sources(it, d)
        if d["indicator"] not in inds:
            problems.append(it.problem("unknown-indicator", f"参考值指向未知指标“{d['indicator']}”", f"reference for unknown indicator '{d['indicator']}'", "indicator"))
            continue
        ind = inds[d["indicator"]]
        if ind.data["kind"] != "qualitative":
            if not unit_ok[ind.data["id"]]:
                continue
            try:
                (units.inverse_factor if d.get("inverse") else units.factor)(d["unit"], ind.data["unit"])
            except UnitError as e:
                problems.append(it.problem("wrong-dimension", e.problems[0].message_zh, e.problems[0].message_en, "unit"))
                continue
        problems.extend(_check_reference(it, ind))
    req_numbers = [it.data["number"] for it in sections["requirements"]]
    for it in sections["requirements"]:
        check_sources(it, it.data)
        if req_numbers.count(it.data["number"]) > 1:
            problems.append(it.problem("duplicate-number", f"基础性要求序号 {it.data['number']} 重复", f"requirement number {it.data['number']} repeated", "number",
                                       fix_zh=f"改用未被占用的序号,如 {max(req_numbers) + 1}", fix_en=f"use another number, e.g. {max(req_numbers) + 1}"))
    for it in sections["categories"]:
        check_sources(it, it.data["weight"], "weight")
    problems.extend(_check_categories(head, sections["categories"]))
    return problems


def _check_definition_units(it: _Item, defn: dict, stats: dict[str, _Item]) -> list[Problem]:
    """Numerator terms share a dimension, so do denominator terms, and the quotient fits the indicator unit.

    When a statistic comes from a later file than the indicator (an overlay overrode it), the statistic is blamed."""
    out = []
    d = it.data
    part_zh = {"numerator": "分子", "denominator": "分母"}
    for part in ("numerator", "denominator"):
        first = stats[defn[part][0]]
        for s in defn[part][1:]:
            term = stats[s]
            try:
                units.factor(term.data["unit"], first.data["unit"])
            except UnitError:
                zh = (f"指标“{d['id']}”定义的{part_zh[part]}中,“{s}”({term.data['unit'] or '无量纲'})与“{first.data['id']}”"
                      f"({first.data['unit'] or '无量纲'})量纲不同,不能相加")
                en = (f"{part} terms of indicator '{d['id']}' have different dimensions: '{s}' ({term.data['unit'] or 'dimensionless'}) "
                      f"and '{first.data['id']}' ({first.data['unit'] or 'dimensionless'}) cannot be summed")
                out.append(_blame_units(it, (first, term), zh, en, ("definition", part),
                                        "同一分子(分母)中的统计量相加:换用同一量纲的统计量",
                                        "the statistics of a numerator (denominator) are summed: use statistics of one dimension"))
    if out or defn["formula"] != "ratio":
        return out
    num_it, den_it = stats[defn["numerator"][0]], stats[defn["denominator"][0]]
    num, den = num_it.data["unit"], den_it.data["unit"]
    quotient = f"({num or 'dimensionless'})/({den or 'dimensionless'})"
    try:
        units.factor(quotient, d["unit"])
    except UnitError:
        out.append(_blame_units(it, (num_it, den_it), f"指标“{d['id']}”的定义单位 {num}/{den}(“{num_it.data['id']}”/“{den_it.data['id']}”)与指标单位“{d['unit']}”量纲不同",
                                f"the definition of indicator '{d['id']}' gives {num}/{den} ('{num_it.data['id']}'/'{den_it.data['id']}'), "
                                f"which does not convert to '{d['unit']}'", ("definition",),
                                f"使分子与分母单位之比能换算为指标单位“{d['unit']}”,或更正指标单位",
                                f"make numerator unit / denominator unit convert to '{d['unit']}', or correct the indicator unit"))
    return out


def _blame_units(it: _Item, terms: tuple[_Item, ...], zh: str, en: str, sub: tuple, fix_zh: str, fix_en: str) -> Problem:
    """A definition-units problem at the indicator, or at the statistic an overlay changed after it."""
    culprit = max(terms, key=lambda t: t.rank)
    if culprit.rank <= it.rank:
        return it.problem("definition-units", zh, en, *sub, fix_zh=fix_zh, fix_en=fix_en)
    s = culprit.data
    was = culprit.replaced.data["unit"] if culprit.replaced is not None else None
    fzh = f"统计量“{s['id']}”被基础目录或其他扩展目录的指标定义使用:" + (f"改用与原单位“{was}”同量纲的单位" if was is not None else "改用与其定义相符的单位") + \
        f",或在本扩展目录中同时覆盖指标“{it.data['id']}”"
    fen = f"statistic '{s['id']}' is used by definitions outside this overlay: " + \
        (f"use a unit of the same dimension as the original '{was}'" if was is not None else "use a unit that fits them") + \
        f", or override indicator '{it.data['id']}' in this overlay too"
    return culprit.problem("definition-units", f"统计量“{s['id']}”的单位“{s['unit']}”不适合 {it.origin} 的指标定义({it.where()}):{zh}",
                           f"the unit '{s['unit']}' of statistic '{s['id']}' does not fit a definition of {it.origin} ({it.where()}): {en}",
                           "unit", fix_zh=fzh, fix_en=fen)


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
    """Base + overlays in order. Every overlay is read and applied before anything is raised, so one run
    reports the conflicts of all overlays and the cross-checks of the result (the cross-checks are left
    out only when an overlay breaks its schema: its entries are missing from what they would check)."""
    head, sections = _raw_default()
    problems: list[Problem] = []
    conflict, broken = False, False
    applied: list[tuple[str, str]] = []
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
    if not broken:
        problems.extend(_check(head, sections))
    if problems:
        raise (OverlayConflictError if conflict else CatalogueError)(problems)
    return _build(head, sections, tuple(applied))


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
