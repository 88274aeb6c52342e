"""Cross-file consistency of a catalogue after its overlays are applied: ids, codes, names, numbers, categories,
ranges, references, units of definitions, sources. Every problem is located in the file that caused it."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from . import units
from .errors import Problem, UnitError

if TYPE_CHECKING:
    from .catalogue import _Item


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
        """The next code of the category; taken once suggested, so two clashing entries are not offered the same."""
        n = 1 + max((int(c[len(cat):]) for c in codes if re.fullmatch(re.escape(cat) + r"\d+", c)), default=0)
        codes.add(f"{cat}{n}")
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
            free = free_code(d["category"]) if field == "code" else ""
            hint_zh, hint_en = {"id": ("改用未被占用的 id", "use an id not taken yet"),
                                "code": (f"改用未被占用的代码,如 {free}", f"use a code not taken yet, e.g. {free}"),
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
            free = free_code(d["category"])
            out.append(it.problem("code-category", f"指标代码“{d['code']}”与类别“{d['category']}”不符:代码应为类别代码加序号",
                                  f"indicator code '{d['code']}' does not fit category '{d['category']}': a code is the category code and a number",
                                  "code", fix_zh=f"改为 {free} 之类的代码,或更正 category", fix_en=f"use a code such as {free}, or correct the category"))
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
            top += 1  # each clash is offered its own free order
            out.append(it.problem("duplicate-order", f"类别“{d['code']}”的顺序 {d['order']} 与类别“{other.data['code']}”({other.where()})相同",
                                  f"category '{d['code']}' has order {d['order']}, as has category '{other.data['code']}' ({other.where()})", "order",
                                  fix_zh=f"顺序决定报告与模板中类别的先后:改用未被占用的顺序,如 {top}",
                                  fix_en=f"the order places categories in reports and templates: use one not taken yet, e.g. {top}"))
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
    if d["kind"] != "quantitative":
        return out
    lead = d["lead"].get("value")
    if lead is not None and p and _outside(p, lead) and not (b and _outside(b, lead)):
        out.append(it.problem("lead-outside-plausible", f"引领值 {lead:g} 超出合理范围 plausible {_span(p)}:达到引领值的园区会被标为数据异常",
                              f"lead value {lead:g} lies outside the plausible range {_span(p)}: a park at the lead value would be flagged as an anomaly",
                              "lead", "value", fix_zh="放宽合理范围使其包含引领值,或更正引领值",
                              fix_en="widen the plausible range to include the lead value, or correct the lead value"))
    if not b:
        return out
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


def check(head: dict, sections: dict[str, list[_Item]]) -> list[Problem]:
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
            problems.append(it.problem("unknown-unit", e.problems[0].message_zh, e.problems[0].message_en, *sub, "unit",
                                       fix_zh="使用 pint 认得的单位或 catalogue/units.txt 中定义的单位(如 m3、t、万元、tce);计数(台、座、辆)写 ''(无量纲)",
                                       fix_en="use a unit pint knows or one defined in catalogue/units.txt (e.g. m3, t, 万元, tce); counts (units, stations, vehicles) are '' (dimensionless)"))
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
            top_number += 1  # each clash is offered its own free number
            problems.append(it.problem("duplicate-number", f"指标序号 {d['number']} 与“{other.data['id']}”({other.where()})重复",
                                       f"indicator number {d['number']} is also used by '{other.data['id']}' ({other.where()})", "number",
                                       fix_zh=f"序号是评价表中的行号,各指标不同:改用未被占用的序号,如 {top_number}",
                                       fix_en=f"the number is the indicator's row in the table and must be unique: use one not taken yet, e.g. {top_number}"))
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
            names: dict[str, str] = {}  # a name read as a value (zh, id, en) must point to one level
            for j, lv in enumerate(d["levels"]):
                for word in dict.fromkeys((lv["zh"], lv["id"], lv.get("en"))):
                    if word and names.setdefault(word, lv["id"]) != lv["id"]:
                        problems.append(it.problem(
                            "duplicate-level", f"档次名称“{word}”同时属于档次 {names[word]} 与 {lv['id']}:填写“{word}”时无法确定是哪一档",
                            f"the level name '{word}' belongs to both {names[word]} and {lv['id']}: a value '{word}' would be ambiguous",
                            "levels", j, fix_zh="每个档次使用不同的名称", fix_en="give each level names of its own"))
            cap, full = float(head["scoring"]["cap"]["value"]), float(head["scoring"]["full"]["value"])
            lead = next((j for j, lv in enumerate(d["levels"]) if lv["id"] == d["lead"]["level"]), None)
            if lead is not None and float(d["levels"][lead]["score"]) != full:
                # a quantitative indicator scores full at its lead value; points to gain and "lead reached" rest on it
                problems.append(it.problem(
                    "lead-level-score", f"引领档“{d['lead']['level']}”的分值为 {d['levels'][lead]['score']:g},应为满分 {full:g}"
                                        f"(达到引领值即得满分,定量指标亦然)",
                    f"the lead level '{d['lead']['level']}' scores {d['levels'][lead]['score']:g}; it must score the full {full:g} "
                    f"(reaching the lead value scores full marks, as for quantitative indicators)", "levels", lead, "score",
                    fix_zh=f"把引领档的分值改为 {full:g},或把 lead.level 改为得 {full:g} 分的档次;高于引领的档次可得更高分(至多 {cap:g})",
                    fix_en=f"give the lead level {full:g}, or make lead.level the level scoring {full:g}; levels beyond the lead may "
                           f"score more (at most {cap:g})"))
            for j, lv in enumerate(d["levels"]):
                if not 0 <= float(lv["score"]) <= cap:
                    problems.append(it.problem("level-score-out-of-range", f"档次 {lv['id']} 的分值 {lv['score']:g} 不在 0–{cap:g} 之间(单项最高{cap:g}分)",
                                               f"level {lv['id']} scores {lv['score']:g}, outside 0–{cap:g} (an indicator scores at most {cap:g})",
                                               "levels", j, "score", fix_zh=f"分值取 0–{cap:g}", fix_en=f"give a score in 0–{cap:g}"))
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
            if not missing and all(_parses(stats[s].data["unit"]) for s in defn["numerator"] + defn["denominator"]):
                problems.extend(_check_definition_units(it, defn, stats))  # an unknown statistic unit is reported once, below
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
    req_seen: dict[int, _Item] = {}
    top_req = max((it.data["number"] for it in sections["requirements"]), default=0)
    for it in sections["requirements"]:
        check_sources(it, it.data)
    for it in sorted(sections["requirements"], key=lambda it: it.rank):  # the later file is blamed, each offered its own number
        other = req_seen.setdefault(it.data["number"], it)
        if other is not it:
            top_req += 1
            problems.append(it.problem("duplicate-number", f"基础性要求序号 {it.data['number']} 与“{other.data['id']}”({other.where()})重复",
                                       f"requirement number {it.data['number']} is also used by '{other.data['id']}' ({other.where()})", "number",
                                       fix_zh=f"改用未被占用的序号,如 {top_req}", fix_en=f"use another number, e.g. {top_req}"))
    for it in sections["categories"]:
        check_sources(it, it.data["weight"], "weight")
    problems.extend(_check_categories(head, sections["categories"]))
    problems.extend(_check_requirement_links(sections["requirements"], sections.get("demonstration_kinds", ())))
    for it in sections.get("demonstration_kinds", ()):  # 四(三)3: its sources and related indicators must exist
        check_sources(it, it.data)
        for j, ind in enumerate(it.data.get("indicators", ())):
            if ind not in inds:
                problems.append(it.problem("unknown-indicator", f"示范性工作类别“{it.data['id']}”引用了未知指标“{ind}”",
                                           f"kind of demonstrative work '{it.data['id']}' names unknown indicator '{ind}'", "indicators", j,
                                           fix_zh="使用 indicators 中的指标 id(扩展目录的指标须同时加载该扩展)",
                                           fix_en="use an indicator id of the catalogue (an overlay's indicator needs that overlay loaded)"))
    problems.extend(_check_measures(sections, docs))
    return problems


def _check_measures(sections: dict[str, list[_Item]], docs: set[str]) -> list[Problem]:
    """An overlay's measures name indicators (by id) and requirements of the catalogue with its overlays, apply to at least
    one of them and cite a registered document: else no recommendation could carry them. The packaged library (rank 0)
    is checked by the rule base against the base catalogue."""
    out: list[Problem] = []
    inds = sections["indicators"]
    ids = {it.data["id"] for it in inds}
    numbers = sorted({it.data["number"] for it in sections["requirements"]})
    for it in sections.get("measures", ()):
        if not it.rank:
            continue
        m = it.data
        for j, ind in enumerate(m.get("indicators", ())):
            if ind in ids:
                continue
            named = next((x.data["id"] for x in inds if ind in (x.data["code"], x.data["name_zh"])), None)
            if named is not None:  # a code or a name: measures are matched by id
                fix = (f"写指标 id“{named}”(不是代码或名称)", f"write the indicator id '{named}' (not its code or name)")
            else:
                fix = ("检查指标 id(greendiag catalogue list),扩展目录的指标须同时加载该扩展",
                       "check the indicator id (greendiag catalogue list); an overlay's indicator needs that overlay loaded")
            out.append(it.problem("unknown-indicator", f"措施“{m['id']}”引用未知指标 id“{ind}”", f"measure '{m['id']}' names unknown indicator id '{ind}'",
                                  "indicators", j, fix_zh=fix[0], fix_en=fix[1]))
        for j, n in enumerate(m.get("requirements", ())):
            if n not in numbers:
                out.append(it.problem("unknown-requirement", f"措施“{m['id']}”引用未知基础性要求 {n}", f"measure '{m['id']}' names unknown requirement {n}",
                                      "requirements", j, fix_zh=f"基础性要求的序号为 {'、'.join(map(str, numbers))}",
                                      fix_en=f"the requirements are numbered {', '.join(map(str, numbers))}"))
        if not m.get("indicators") and not m.get("requirements"):
            out.append(it.problem("measure-applies-to-nothing", f"措施“{m['id']}”未列出适用的指标或基础性要求,不会出现在任何建议中",
                                  f"measure '{m['id']}' lists no indicator or requirement, so no recommendation will carry it",
                                  fix_zh="加上 indicators: [指标 id] 或 requirements: [序号]", fix_en="add indicators: [indicator ids] or requirements: [numbers]"))
        if m["basis"]["doc"] not in docs:
            out.append(it.problem("unknown-document", f"措施“{m['id']}”的依据文件“{m['basis']['doc']}”未在 documents 中登记",
                                  f"the basis document '{m['basis']['doc']}' of measure '{m['id']}' is not listed under documents", "basis", "doc",
                                  fix_zh="在扩展目录的 documents 中登记该文件,或改用已登记的文件(如 bj-guide-2024)",
                                  fix_en="register the document under the overlay's documents, or cite a registered one (e.g. bj-guide-2024)"))
    return out


def _check_requirement_links(reqs: list[_Item], kinds: list[_Item]) -> list[Problem]:
    """A requirement's `demonstration` names an untitled kind of demonstrative work (四(三)3) of the catalogue: the
    diagnosis cross-checks the two records of the same work by it. "Other" work (titled) is many works, not one."""
    import difflib

    out: list[Problem] = []
    by_id = {it.data["id"]: it for it in kinds}
    untitled = [k for k, it in by_id.items() if not it.data.get("titled")]
    shown = "、".join(untitled) or "—"
    for it in reqs:
        kind = it.data.get("demonstration")
        if kind is None:
            continue
        n = it.data["number"]
        if kind not in by_id:
            close = difflib.get_close_matches(kind, untitled, n=3, cutoff=0.6)
            hint_zh, hint_en = (f"是否应为:{'、'.join(close)}?", f"Did you mean: {', '.join(close)}? ") if close else ("", "")
            out.append(it.problem(
                "unknown-demonstration-kind", f"基础性要求第{n}项的 demonstration“{kind}”不是目录中的示范性工作类别",
                f"requirement {n} names '{kind}' as its demonstration, which is no kind of demonstrative work of the catalogue",
                "demonstration", fix_zh=f"{hint_zh}写 demonstration_kinds 中的类别 id({shown}),扩展目录的类别须同时加载该扩展;或删去 demonstration",
                fix_en=f"{hint_en}write a kind id of demonstration_kinds ({shown.replace('、', ', ')}); an overlay's kind needs that "
                       "overlay loaded; or remove demonstration"))
        elif by_id[kind].data.get("titled"):
            culprit = by_id[kind] if by_id[kind].rank > it.rank else it
            out.append(culprit.problem(
                "requirement-demonstration-titled", f"基础性要求第{n}项的 demonstration“{kind}”是须逐项命名的类别(titled: true),"
                f"可记录多项不同工作,无法与一项要求对应",
                f"requirement {n} names '{kind}' as its demonstration, a kind whose entries each carry a title (titled: true) and "
                "stand for different works, so it cannot stand for one requirement",
                *(("titled",) if culprit is not it else ("demonstration",)),
                fix_zh=f"改为一个不须命名的类别({shown}),或在扩展目录中为该工作新增一个类别", fix_en=f"name an untitled kind "
                       f"({shown.replace('、', ', ')}), or add a kind for the work in an overlay"))
    return out


def _parses(expr: str) -> bool:
    try:
        units.parse_unit(expr)
        return True
    except UnitError:
        return False


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
