"""The report as format-neutral blocks (附件2-1 structure), so Word, Markdown and HTML carry the same sections.

Block kinds: Heading, Para, Bullets, Table, ChartRef, PageBreak. Renderers in docx_report / markdown / html.
`lang`: "zh" prints Chinese only (the bureau's report); "bilingual" adds English headings and glosses.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Optional, Union

import attrs

from .._round import fixed, gap_percent, half_up
from ..catalogue import PROVISIONAL_KINDS
from ._data import (ASSESS, METHOD_ZH, SEVERITY_ZH, STATUS_ZH, UNFILLED, Node, ReportData, after_number, check_lang, fmt_date_zh,
                    fmt_num, fmt_points, strip_en, year_span)

TITLE = "北京市工业园区绿色诊断评估报告"
GUIDE = "《北京市工业园区绿色诊断工作指南》(2024)"


@attrs.frozen
class Heading:
    level: int  # 1 section, 2 subsection, 3 minor
    text: str
    en: Optional[str] = None


@attrs.frozen
class Para:
    text: str
    style: str = "body"  # body | en | note | cover-title | cover-field | cover-date | signature | center | caption | banner


@attrs.frozen
class Bullets:
    items: tuple[str, ...]
    ordered: bool = False


@attrs.frozen
class Table:
    kind: str  # stable id: basic-info, team, annex-2-1-1, annex-2-1-2-<year>, annex-2-1-3, ...
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: Optional[str] = None
    merge_col0: bool = False  # merge equal consecutive cells of the first column (Word)
    widths_cm: Optional[tuple[float, ...]] = None
    note: Optional[str] = None
    header_row: bool = True
    span_rows: tuple[int, ...] = ()  # indexes of rows shown as one full-width (bold) cell


@attrs.frozen
class ChartRef:
    key: str
    caption: str


@attrs.frozen
class PageBreak:
    pass


Block = Union[Heading, Para, Bullets, Table, ChartRef, PageBreak]


def _t(*cells) -> tuple[str, ...]:
    return tuple("" if c is None else str(c) for c in cells)


def _h(level: int, zh: str, en: str, bi: bool) -> Heading:
    """A heading; its English subtitle only in the bilingual report."""
    return Heading(level, zh, en if bi else None)


def _level_boxes(level: str) -> str:
    norm = {"national": "国家级", "municipal": "市级", "other": "其他"}.get(level, level)
    return "   ".join(("☑" if norm == opt else "☐") + opt for opt in ("国家级", "市级", "其他"))


def _person(node, key: str) -> tuple[str, str, str, str]:
    p = node.get(key) or {}
    if not p:
        return "", "", "", ""
    return p.str("name"), p.str("phone"), p.str("email"), p.str("fax")


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


FICTITIOUS_ZH = "【虚构示例】本报告所用园区、服务商及数据均为虚构,仅用于演示,不得作为正式诊断报告报送。"
FICTITIOUS_EN = "Fictitious example: the park, provider and data are invented, for demonstration only."


# ------------------------------------------------------------------ front matter

def cover(rd: ReportData, bi: bool) -> list[Block]:
    out: list[Block] = [Para(TITLE, "cover-title"),
                        Para(f"园区名称:{rd.park_name}", "cover-field"),
                        Para(f"绿色诊断服务商名称:{rd.provider_label}", "cover-field"),
                        Para(fmt_date_zh(rd.report_date().isoformat() if rd.report_date() else None, "20  年    月    日"), "cover-date")]
    if rd.fictitious:
        out.append(Para(FICTITIOUS_ZH, "banner"))
        if bi:
            out.append(Para(FICTITIOUS_EN, "en"))
    return out


def basic_info(rd: ReportData, bi: bool) -> list[Block]:
    park, prov = rd.park, rd.provider
    lead = _person(park, "project_lead")
    contact = _person(park, "contact")
    rows = [
        _t("一、园区基本信息", ""),
        _t("园区名称", rd.park_name),
        _t("园区管理机构名称", park.str("management_body")),
        _t("园区级别", _level_boxes(park.str("level"))),
        _t("项目负责人", lead[0]), _t("负责人电话", lead[1]),
        _t("项目联系人", contact[0]), _t("联系人电话", contact[1]),
        _t("电子邮件", contact[2] or lead[2]), _t("传真", contact[3] or lead[3]),
        _t("二、服务商信息", ""),
        _t("服务商名称", rd.provider_name),
        _t("服务商地址", prov.str("address")),
    ]
    for label, key in (("法定代表人", "legal_representative"), ("联系人", "contact"), ("报告编制负责人", "report_author"),
                       ("报告审核人", "reviewer")):
        name, phone, _, _ = _person(prov, key)
        phone_label = {"法定代表人": "法人代表电话", "联系人": "联系人电话", "报告编制负责人": "负责人电话", "报告审核人": "审核人电话"}[label]
        rows += [_t(label, name), _t(phone_label, phone)]
    out: list[Block] = [_h(1, "基本信息表", "Basic information", bi),
                        Table("basic-info", _t("项目", "内容"), tuple(rows), widths_cm=(5.0, 11.0), header_row=False, span_rows=(0, 10)),
                        Para("本机构承诺,已对该工业园区绿色发展水平进行了诊断,材料真实有效,绿色诊断服务流程规范完整,结论客观公正。"
                             "诊断评估报告若存在弄虚作假,本机构愿承担责任。")]
    if bi:
        out.append(Para("(The provider confirms that the park was diagnosed, the material is true and valid, the procedure "
                        "complete and the conclusions objective; it is liable for any falsification in this report.)", "en"))
    out += [Para("负责人签字:________________", "signature"), Para("(单位公章)", "signature"), Para("年    月    日", "signature")]
    return out


def team(rd: ReportData, bi: bool) -> list[Block]:
    members = list(rd.engagement["team"])
    experts = [m for m in members if not m.get("park_staff")]
    staff = [m for m in members if m.get("park_staff")]
    rows = []
    for group, people in (("专家成员", experts), ("园区工作人员", staff)):
        if not people:
            rows.append(_t(group, "1", "", "", "", ""))
        for i, m in enumerate(people, 1):
            rows.append(_t(group, i, m.str("name"), m.str("role"), m.str("title"), m.str("speciality")))
    return [_h(1, "绿色诊断工作组成员表", "Diagnosis team", bi),
            Table("team", _t("类别", "序号", "姓名", "绿色诊断工作分工", "职称", "从事专业"), tuple(rows), merge_col0=True,
                  widths_cm=(2.6, 1.2, 2.2, 4.2, 3.2, 3.0))]


# ------------------------------------------------------------------ what the report says about the park

def _requirements(rd: ReportData) -> tuple[list, list]:
    """The baseline requirements by number: the guide's (附件2-1-1), and those an overlay added (专项诊断)."""
    rows = sorted(rd.baseline, key=lambda b: int(b["number"]))
    return [b for b in rows if not rd.added(b)], [b for b in rows if rd.added(b)]


def _unit(rd: ReportData, n: int) -> str:
    """The indicator's unit as it follows a number: 12.6%, 3.163 万元/tce, nothing when dimensionless."""
    return after_number(rd.unit(n))


def _value_phrase(rd: ReportData, n: int, year: int) -> str:
    """为12.6% / 为“较完善” / 无定义(不评分) for a year whose statistics leave the formula undefined / 未填报."""
    status = (rd.rows.get((n, year)) or {}).get("status")
    if status == "undefined":
        return "无定义(由统计数据看分母未增长,不评分)"
    if rd.value_text(n, year) == "—":
        return "无数据"
    if rd.meta[n]["kind"] == "qualitative":
        return f"为“{rd.value_text(n, year)}”"
    # as the rules print it beside its gaps (79.235 beside 80, gap 0.765), and as the tables print it too, marked as they mark it
    return f"为{rd.value_text(n, year)}{_unit(rd, n)}" + (f"({TO_VERIFY})" if rd.doubtful(n, year) else "")


def _worse_word(direction) -> str:
    """低于 a target, or 高于 it when lower is better."""
    return "高于" if str(direction) == "lower" else "低于"


def _gap_words(gap_abs, gap_pct, unit: str, text: Optional[str] = None) -> str:
    """,差距2.4个百分点(相对差距16%) for a gap short of the target; "" when there is none. `text`: the gap as printed beside
    the value and the target (ReportData.gap_text), else four significant digits. The relative gap has three significant
    digits, as the recommendation rules print it ({gap_pct:.3g}), for lead and reference values alike."""
    if not _is_num(gap_abs) or gap_abs <= 0:
        return ""
    return f",差距{text or fmt_num(gap_abs)}{after_number(unit)}" + (f"(相对差距{fmt_num(gap_pct, 3)}%)" if _is_num(gap_pct) else "")


def _gap_shown(rd: ReportData, n: int, year: int, gap_abs, target) -> Optional[str]:
    """The gap as printed beside the value and the target (ReportData.gap_text); None where either is not a number."""
    value = (rd.rows.get((n, year)) or {}).get("value")
    if not (_is_num(gap_abs) and _is_num(target) and _is_num(value)):
        return None
    return rd.gap_text(n, year, gap_abs, target)


def _is_reference(r) -> bool:
    """Whether a candidate compares with a reference value: every 标准比对法 one, and a 先进对照法 one against an
    advanced benchmark (target_label_zh, rec.advanced.below_reference), not against the lead value."""
    method = str(r["method"])
    return method == "standard_comparison" or (method == "advanced_benchmark" and (
        r.get("target_label_zh") is not None or "reference" in str(r.get("rule_id") or "")))


# a reference label as diagnosis.json files before session 10 wrote it, with its value in the indicator's unit appended
_CONVERTED_ZH = re.compile(r"^(?P<label>.+?)\s*[((]折合\s*(?P<value>[^()()]+?)[))]$")
_CONVERTED_EN = re.compile(r"^(?P<label>.+?)\s*\(i\.e\.\s*(?P<value>[^()]+?)\)$")


def converted_label(label: str, en: bool = False) -> str:
    """A reference label from an older diagnosis.json, worded as the rules now word it (facts.reference_text): the
    rules word a reference stated in another quantity than the indicator's by its converted value, "参考值1786 元/m3(由
    北京市万元工业增加值用水量(2023年,5.6 m³)折算)", and diagnosis.json carries that text in target_label_zh; older
    files carry "北京市万元工业增加值用水量(2023年,5.6 m³)(折合 1786 元/m3)", a water use beside a water productivity,
    reworded here so they read alike. Any other label (the text itself, or a label stating its value) is returned as it is."""
    m = (_CONVERTED_EN if en else _CONVERTED_ZH).match(label.strip())
    if m is None:
        return label
    if en:
        return f"reference value {m['value']} (converted from {m['label']})"
    return f"参考值{m['value']}(由{m['label']}折算)"


def _reworded(r, key: str) -> str:
    """A recommendation's message_zh / clause_zh (message_en / clause_en) as the rules word it; in an older
    diagnosis.json, with a converted reference reworded as the rules now do (converted_label)."""
    text = str(r[key]) if key.startswith("message") else r.str(key)
    en = key.endswith("_en")
    label = r.str("target_label_en" if en else "target_label_zh")
    if not label or label not in text:
        return text
    return text.replace(label, converted_label(label, en))


def _reference_clauses(rd: ReportData, n: int, year: int) -> list[str]:
    """What the reference-value candidates (标准比对法, and 先进对照法 against an advanced benchmark) compare the
    indicator with: 低于(高于 when lower is better)参考值…,差距…, built from their direction, target label and gap (a
    diagnosis.json older than these fields: the indicator's direction and 参考值X)."""
    out = []
    for r in rd.recommendations:
        if r.get("indicator") != n or not _is_reference(r) or r.get("year") not in (None, year):
            continue
        target, gap_pct = r.get("target"), r.get("gap_pct")
        label = (converted_label(r.str("target_label_zh")) if r.str("target_label_zh")
                 else f"参考值{fmt_num(target)}{_unit(rd, n)}" if _is_num(target) else None)
        if label is None:
            text = _reworded(r, "message_zh")  # no target to compare with: the candidate as its rule words it
        else:
            unit = r.str("gap_unit_zh").strip() if r.get("gap_unit_zh") is not None else rd.gap_unit(n)
            text = (_worse_word(r.get("direction") or rd.meta[n].get("direction")) + label
                    + _gap_words(r.get("gap_abs"), gap_pct, unit, _gap_shown(rd, n, year, r.get("gap_abs"), target)))
        if text not in out:
            out.append(text)
    return out


def _lead_gap(rd: ReportData, n: int, year: int) -> Optional[str]:
    """低于引领值15%,差距2.4个百分点(相对差距16%) when the indicator scores below the lead score in `year`; None otherwise.
    The gap is the diagnosis's (ReportData.lead_gap)."""
    r = rd.rows.get((n, year))
    m = rd.meta[n]
    if r is None or not _is_num(r["score"]) or r["score"] >= rd.full or (r["value"] is None and r["level"] is None):
        return None
    if m["kind"] == "qualitative":
        return f"未达到引领档“{rd.lead_text(n)}”"
    lead = m["lead"]
    if not (_is_num(lead) and _is_num(r["value"])):
        return "未达到引领值"
    gap_abs, gap_pct = rd.lead_gap(n, year)
    lower = "(越低越好)" if str(m.get("direction")) == "lower" else ""
    return (f"{_worse_word(m.get('direction'))}引领值{fmt_num(lead)}{_unit(rd, n)}{lower}"
            + _gap_words(gap_abs, gap_pct, rd.gap_unit(n), _gap_shown(rd, n, year, gap_abs, lead)))


_NOT_COUNTED = {"missing_mandatory": "缺少数据按0分计", "missing_optional": "未填报、不计入", "undefined": "无定义、不计入"}


def _data_gap_note(rd: ReportData, category: Optional[str], a: int, b: int, general: bool = False) -> str:
    """",其中2023年“17 …”缺少数据按0分计、2024年“24 …”无定义、不计入" when a change of a category (None: the total)
    between years a and b comes partly from indicators scored in one of the two years only (score_changes `data_gaps`):
    a change of what is counted, which the reader must not take for the park getting worse or better. `general`: of the
    guide's score (an overlay's indicators are not part of it)."""
    change = _change(rd, category, a, b, general)
    if change is not None:
        gaps = change[3]
    else:  # a pair the diagnosis has no change for: mandatory indicators missing in one of the years, as before the field
        gaps = tuple(n for n in rd.indicator_numbers if (category is None or rd.meta[n]["category"] == category)
                     and [(rd.rows.get((n, y)) or {}).get("status") for y in (a, b)].count("missing_mandatory") == 1)
    parts = []
    for n in gaps:
        for y in (a, b):
            status = str((rd.rows.get((n, y)) or {}).get("status"))
            if status in _NOT_COUNTED:
                parts.append(f"{y}年“{n} {rd.name(n)}”{_NOT_COUNTED[status]}")
    return f",其中{'、'.join(parts)}" if parts else ""


def _like_for_like(rd: ReportData, category: Optional[str], a: int, b: int, general: bool = False) -> Optional[float]:
    """The change between a and b over the indicators scored in both years, when the counted set differs; else None."""
    change = _change(rd, category, a, b, general)
    return change[4] if change is not None and change[3] and _is_num(change[4]) else None


def _cat_score(rd: ReportData, code: str, year: int, general: Optional[bool] = None):
    """A category's score as the category table (三、2) prints it: over the guide's indicators (general_score) when an
    overlay adds indicators."""
    general = rd.guide_first if general is None else general
    return (rd.general_cat_scores if general else rd.cat_scores).get((code, year))


def _total_score(rd: ReportData, year: int, general: Optional[bool] = None):
    """The year's total: the guide's (general_total) when an overlay adds indicators, else the total; None if not assessable."""
    t = rd.totals.get(year)
    if t is None or t.get("assessable") is False:
        return None
    return t.get("general_total") if (rd.guide_first if general is None else general) else t.get("total")


def _change(rd: ReportData, category: Optional[str], a: int, b: int, general: bool = False):
    """(from score, to score, delta, data gaps, like-for-like delta) of a category (None: the total) between years a and b:
    the diagnosis's score_changes; for the guide's scores (`general`) their general_* figures (ReportData.general_change)."""
    return rd.general_change(category, a, b) if general else rd.score_changes.get((category, a, b))


def _incl_categories(rd: ReportData) -> list[dict]:
    """The categories whose score including an overlay's indicators differs from the guide's in some year (categories
    only the overlay has among them): the category table lists them again under 含专项诊断指标."""
    if not rd.guide_first:
        return []
    return [c for c in rd.categories if any(rd.cat_scores.get((c["code"], y)) != rd.general_cat_scores.get((c["code"], y))
                                            for y in rd.years)]


def _score_series(rd: ReportData) -> list[tuple[str, Optional[str], bool]]:
    """(name, category code or None for the total, general) of each score whose rises and drops the report words: the
    categories and total of the category table — the guide's first when an overlay adds indicators, then those
    including its indicators."""
    if not rd.guide_first:
        return [(c["name_zh"] + "得分", c["code"], False) for c in rd.categories] + [("诊断总分", None, False)]
    out = [(c["name_zh"] + "得分", c["code"], True) for c in rd.categories
           if any(_is_num(rd.general_cat_scores.get((c["code"], y))) for y in rd.years)]
    out.append(("诊断总分", None, True))
    out += [(c["name_zh"] + "得分(含专项诊断指标)", c["code"], False) for c in _incl_categories(rd)]
    return out + [("含专项诊断指标的总分", None, False)]


def _drop(rd: ReportData, sa: float, sb: float) -> str:
    """The fall from sa to sb as the two printed scores show it: 108.342 → 104.652 is 108.3 → 104.7, a fall of 3.6."""
    diff = Decimal(rd.score_text(sa)) - Decimal(rd.score_text(sb))
    return fixed(float(diff), max(1, -diff.as_tuple().exponent))


def park_problems(rd: ReportData) -> list[tuple[str, str]]:
    """The park's green-development problems as (kind, text): unmet baseline requirements, indicators below the lead or
    a reference value (with the gap) or getting worse, categories and the total score going down from one year to the next."""
    out: list[tuple[str, str]] = []
    for b in sorted(rd.baseline, key=lambda b: int(b["number"])):
        if STATUS_ZH.get(str(b["status"])) != "不符合":
            continue
        what = "基础性要求" if b.get("mandatory", True) is not False else "基础性要求(鼓励性)"
        ev = b.str("evidence")
        out.append(("baseline", f"{what}第{b['number']}项未满足:{str(b['text_zh']).rstrip('。')}" + (f"(证明材料:{ev})" if ev else "") + "。"))
    y, y0 = rd.latest_year(), rd.first_year
    for n in rd.indicator_numbers:
        parts = []
        gap = _lead_gap(rd, n, y)
        if gap:
            parts.append(gap)
        if rd.rows.get((n, y)) is not None and rd.rows[(n, y)]["value"] is not None and not _at_lead(rd, n, y):
            parts += _reference_clauses(rd, n, y)  # at the lead value, a stricter reference is no problem: lead_reached_gaps
        key, label = rd.trend(n)
        if key.endswith("worse"):
            parts.append(f"{y0}—{rd.last_year}年{label}")
        if parts:
            out.append(("indicator", f"“{n} {rd.name(n)}”{y}年{_value_phrase(rd, n, y)},{';'.join(parts)}。"))
    for name, key, general, drops in _score_drops(rd):
        parts = []
        for a, b, (sa, sb, delta, gaps, rest) in drops:
            if gaps and rest is not None and rest > -0.05:
                continue  # comes from a data gap alone: a data note (data_gap_drops), not a problem of the park
            without = f";按两年均有评分的指标计下降{fixed(-rest, 1)}分" if gaps and rest is not None else ""
            parts.append(f"{a}→{b}年下降{_drop(rd, sa, sb)}分({rd.score_text(sa)}→{rd.score_text(sb)}分"
                         f"{_data_gap_note(rd, key, a, b, general)}{without})")
        if parts:
            out.append(("category", f"{name}{'、'.join(parts)}。"))
    return out


def _at_lead(rd: ReportData, n: int, year: int) -> bool:
    """Whether the indicator scores at least the lead value's score in `year` (up to the cap)."""
    s = rd.score(n, year)
    return _is_num(s) and s >= rd.full


LEAD_REACHED = "以下指标已达引领值,距相关标准或参考值仍有差距(不属于园区存在的问题,可作为进一步提升的方向):"


def lead_reached_gaps(rd: ReportData) -> list[str]:
    """Indicators at or above the lead value in the latest year that still fall short of a stricter reference value:
    not a problem of the park (三、4 lists them apart under LEAD_REACHED, 四、2 counts them), a direction for more."""
    y = rd.latest_year()
    out = []
    for n in rd.indicator_numbers:
        r = rd.rows.get((n, y))
        if r is None or r["value"] is None or not _at_lead(rd, n, y):
            continue
        clauses = _reference_clauses(rd, n, y)
        if clauses:
            capped = rd.score_cap is not None and r["score"] >= rd.score_cap
            reached = (f"已超过引领值(得分已达上限{rd.score_cap:g}分)" if capped
                       else f"已达引领值(得分{rd.score_text(r['score'])}分)")
            out.append(f"“{n} {rd.name(n)}”{y}年{_value_phrase(rd, n, y)},{reached},{';'.join(clauses)}。")
    return out


def _score_drops(rd: ReportData) -> list[tuple[str, Optional[str], bool, list]]:
    """(name, category code or None for the total, general, [(from year, to year, score change)]) for the drops of at
    least 0.05 points between consecutive years (_score_series: the guide's scores first when an overlay adds indicators)."""
    out = []
    for name, key, general in _score_series(rd):
        changes = [(a, b, _change(rd, key, a, b, general)) for a, b in zip(rd.years, rd.years[1:])]
        drops = [(a, b, ch) for a, b, ch in changes if ch is not None and _is_num(ch[2]) and ch[2] <= -0.05]
        if drops:
            out.append((name, key, general, drops))
    return out


def data_gap_drops(rd: ReportData) -> list[str]:
    """Score drops that come from data gaps alone (with the indicators scored in only one of the two years left out,
    the score does not go down): said among the data notes, not under 存在问题."""
    out = []
    for name, key, general, drops in _score_drops(rd):
        for a, b, (sa, sb, delta, gaps, rest) in drops:
            if gaps and rest is not None and rest > -0.05:
                moved = f"变化{half_up(rest, '+.1f')}分" if abs(rest) >= 0.05 else "基本持平"
                out.append(f"[提示] {name}{a}→{b}年下降{_drop(rd, sa, sb)}分({rd.score_text(sa)}→{rd.score_text(sb)}分),"
                           f"来自两年计分的指标不同{_data_gap_note(rd, key, a, b, general)};按两年均有评分的指标计{moved},不列为存在问题。")
    return out


def _report_of(f) -> str:
    """Where the finding goes in the report: its rule's `report` (rules/*.yaml); a diagnosis.json written before
    findings carried it is looked up in the packaged rule base by rule id."""
    report = f.get("report")
    return str(report) if report else _packaged_reports().get(str(f["rule_id"]), "note")


@functools.lru_cache(maxsize=1)
def _packaged_reports() -> dict[str, str]:
    from ..rulebook import load_rules

    return {r.id: r.report for r in load_rules().rules}


def data_notes(rd: ReportData, bi: bool) -> list[str]:
    """数据核查与工作说明: anomalies, missing data, procedure and follow-up items (everything found that is not a
    green-development problem of the park); optional indicators not reported are one line per indicator."""
    out: list[str] = []
    for n in [*rd.input_notes, *rd.rule_notes]:  # how the data were read and which rules applied come first
        fix = (n.str("fix_zh") or "").rstrip("。")
        out.append(f"[提示] {str(n['message_zh']).rstrip('。')}。" + (f"{fix}。" if fix else "") + (f"({n['message_en']})" if bi else ""))
    optional: dict[int, list[int]] = {}
    for f in rd.findings:
        report = _report_of(f)
        if f["kind"] == "recommendation" or report == "problem":
            continue
        if report == "per_indicator" and _is_num(f.get("indicator")) and int(f.get("indicator")) in rd.meta:
            optional.setdefault(int(f.get("indicator")), []).append(int(f.get("year") or 0))
            continue
        sev = SEVERITY_ZH.get(str(f["severity"]), str(f["severity"]))
        out.append(f"[{sev}] {f['message_zh']}" + (f"({f['message_en']})" if bi else ""))
    for n in sorted(optional, key=rd.indicator_numbers.index):
        years = [y for y in optional[n] if y]
        en = f" (optional indicator {n} not reported in {', '.join(map(str, years))}: left out of the means)" if bi else ""
        out.append(f"[提示] 可选指标“{n} {rd.name(n)}”{year_span(years)}未填报,不计入平均分。" + en)
    return out + data_gap_drops(rd)


def unverified(rd: ReportData, year: int) -> list[int]:
    """Indicators scored in `year` on data an anomaly check of high or medium severity asks to verify (a value 10,000
    times the derived one, above the plausible maximum, read as a fraction…): that year's total waits on them."""
    return rd.to_verify(year)


TO_VERIFY = "待核实"  # the mark of a value to be verified, in the indicator table (四、5), 附件2-1-2 and the charts


def _cell_value(rd: ReportData, n: int, year: int) -> str:
    """A value as a table cell prints it: value_text, with (待核实) after a value an anomaly check puts in doubt."""
    text = rd.value_text(n, year)
    return f"{text}({TO_VERIFY})" if rd.doubtful(n, year) else text


def _verify_note(rd: ReportData, numbers: list[int]) -> Optional[str]:
    """The note under a table whose cells carry (待核实): what the mark means, where the finding is, and what waits on
    it (only an overlay's indicators in doubt: the total including them, as _unverified_note says)."""
    doubtful = [n for n in numbers for y in rd.years if rd.doubtful(n, y)]
    if not doubtful:
        return None
    which = "含专项诊断指标的总分" if rd.guide_first and all(n in rd.added_numbers for n in doubtful) else "相关得分与评级"
    return f"注:标“{TO_VERIFY}”的数值经数据核查有异常,需核实(见{DATA_SEE}),核实前{which}仅供参考。"


def _unverified_note(rd: ReportData, year: int) -> str:
    ns = unverified(rd, year)
    # only an overlay's indicators to verify: the guide's score and band, which grade the park, do not wait on them
    which = "含专项诊断指标的总分" if rd.guide_first and all(n in rd.added_numbers for n in ns) else "得分与评级"
    return (f"{year}年" + "、".join(f"“{n} {rd.name(n)}”" for n in ns) + f"的数据待核实(见{DATA_SEE}),"
            f"该年{which}在核实前仅供参考。") if ns else ""


STEADY_BETTER = "逐年向好或持平,且至少一年向好"  # ReportData.trend "steady_better"; all years the same is "same" (持平)


def _trend_definitions(counts: dict) -> str:
    """四、5: what the trend words counted there mean, as ReportData.trend sorts them, so that a definition never takes
    in what is counted apart (持平 is not 持续向好)."""
    words = []
    if "steady_better" in counts and counts["steady_better"][0] == "持续向好":
        words.append(f"“持续向好”指{STEADY_BETTER}")
    if "same" in counts:
        words.append("“持平”指各年均与上年持平")
    words.append("“总体向好但有波动”指首末年比较向好但中间年份变差")
    return "(" + ";".join(words) + ")"


def _highlights(rd: ReportData) -> list[str]:
    first, last = _assessed_span(rd)
    out = []
    general = rd.guide_first  # an overlay adds indicators: the guide's total first, the one including them after it
    s0, s1 = _total_score(rd, first), _total_score(rd, last)
    rest = _like_for_like(rd, None, first, last, general)
    if _is_num(s0) and _is_num(s1) and s1 > s0 and (rest is None or rest >= 0.05):
        # a rise that only a change of the counted indicators makes is no achievement
        gap = _data_gap_note(rd, None, first, last, general)
        like = f";按两年均有评分的指标计提高{fixed(rest, 1)}分" if rest is not None else ""
        incl = ""
        i0, i1 = _total_score(rd, first, False), _total_score(rd, last, False)
        if general and _is_num(i0) and _is_num(i1):
            moved = Decimal(rd.score_text(i1)) - Decimal(rd.score_text(i0))
            incl = (f";含专项诊断指标的总分由{first}年的{rd.score_text(i0)}分{'提高到' if moved > 0 else '下降到' if moved < 0 else '持平于'}"
                    f"{last}年的{rd.score_text(i1)}分")
        out.append(f"诊断总分由{first}年的{rd.score_text(s0)}分提高到{last}年的{rd.score_text(s1)}分"
                   + (f"({gap[1:]}{like})" if gap else "") + incl + "。")
    at_lead = [n for n in rd.indicator_numbers if _is_num(rd.score(n, last)) and rd.score(n, last) >= rd.full]
    if at_lead:
        out.append(f"{last}年达到或优于引领值的指标共{len(at_lead)}项:" + "、".join(rd.name(n) for n in at_lead) + "。")
    steady = [n for n in rd.indicator_numbers if rd.trend(n)[0] == "steady_better"]
    if steady:  # as 四、5 counts them: an indicator the same every year is 持平, not among these
        word = f"持续向好({STEADY_BETTER})" if len(rd.years) > 2 else "向好"
        out.append(f"{first}—{last}年{word}的指标共{len(steady)}项:" + "、".join(rd.name(n) for n in steady) + "。")
    guide, added = _requirements(rd)
    n_met, n_added = (sum(1 for b in bs if STATUS_ZH.get(str(b["status"])) == "符合") for bs in (guide, added))
    if n_met or n_added:
        out.append(f"基础性要求{len(guide)}项中符合{n_met}项" + (f",专项诊断增加的基础性要求{len(added)}项中符合{n_added}项" if added else "") + "。")
    best = sorted(((_cat_score(rd, c["code"], last), i, c) for i, c in enumerate(rd.categories)
                   if _is_num(_cat_score(rd, c["code"], last))), key=lambda x: (-x[0], x[1]))
    if best:
        out.append(f"{last}年得分最高的类别为{best[0][2]['name_zh']}({rd.score_text(best[0][0])}分)。")
    return out or ["未识别出突出亮点。"]


# ------------------------------------------------------------------ sections 一 … 六

def _counted(rd: ReportData) -> tuple[str, str]:
    """("8项基础性要求及专项诊断增加的1项", "31项指标及专项诊断增加的2项指标"): the guide's 附件2-1-1/2-1-2 counts, and what
    overlays added apart, so that 附件2-1-1 is not said to hold 9 items."""
    extra_reqs = sum(1 for b in rd.baseline if _added(rd, b))
    extra_inds = _overlay_indicators(rd)
    return (f"{len(rd.baseline) - extra_reqs}项基础性要求" + (f"及专项诊断增加的{extra_reqs}项" if extra_reqs else ""),
            f"{len(rd.indicator_numbers) - extra_inds}项指标" + (f"及专项诊断增加的{extra_inds}项指标" if extra_inds else ""))


def section_overview(rd: ReportData, bi: bool) -> list[Block]:
    e, park = rd.engagement, rd.park
    scope = e.str("scope_description") or "园区全部批复范围"
    full = e.get("scope_full")
    special = [str(s) for s in (e.get("specialised") or [])]
    overlays = [" ".join(str(x) for x in o) for o in (rd.root.get("catalogue_overlays") or [])]
    titles = [str(t["title_zh"]) for t in (rd.root.get("catalogue_overlay_titles") or [])]
    special += [t for t in titles if t not in special]  # an overlay is a specialised diagnosis, named or not in 工作组
    p1 = (f"本次绿色诊断旨在帮助园区发现问题、挖掘潜力、提升能源资源使用效率和管理水平、减少污染物排放,实现绿色发展。诊断范围为{scope}"
          + ("" if full is None or full else "(部分区域,需经市经济和信息化局同意)") + "。"
          + (f"本次诊断在通用基础诊断的基础上开展了专项诊断:{'、'.join(special)}。" if special
             else "本次诊断为指南规定的通用基础诊断,未开展专项诊断。" if not overlays
             else "本次诊断在通用基础诊断的基础上按扩展目录开展了专项诊断。"))
    base_id = rd.root.str("catalogue_id")
    reqs, inds = _counted(rd)
    criteria = (f"诊断准则:依据{GUIDE},参照工业和信息化部《绿色园区评价要求》及相关国家和地方标准规范,核查附件2-1-1所列"
                f"{reqs},并按附件2-1-2所列{inds}进行评价"
                f"(指标目录 {base_id} {rd.root.str('catalogue_version')}"
                + (f",扩展目录(专项诊断){'、'.join(overlays)}" if overlays else "") + ")。")
    basics = [f"园区名称:{rd.park_name}", f"园区级别:{park.str('level') or UNFILLED}",
              f"管理机构:{park.str('management_body') or UNFILLED}", f"地址:{park.str('address') or UNFILLED}"]
    area = park.get("area_km2")
    if _is_num(area):
        basics.append(f"面积:{fmt_num(area)} 平方公里")
    if park.str("leading_industries"):
        basics.append(f"主导产业:{park.str('leading_industries')}")
    basics.append(f"功能区划:{(park.str('zoning') or '').strip() or UNFILLED}")
    basics.append(f"产业发展现状:{(park.str('industry_status') or '').strip() or UNFILLED}")
    out: list[Block] = [_h(1, "一、概述", "Overview", bi),
                        _h(2, "1. 诊断评估的目的、范围及准则", "Purpose, scope and criteria", bi),
                        Para(p1), Para(criteria),
                        _h(2, "2. 园区基本情况", "The park", bi),
                        Bullets(tuple(basics))]
    if park.str("description"):
        out.append(Para(park.str("description")))
    return out


METHOD_SECTION = "二、5"  # where the method note is: the CLI's summary points here
METHOD_HEADING = "5. 诊断方法与评分说明"
DATA_HEADING = "6. 数据核查与工作说明"
DATA_REF = "二、6(数据核查与工作说明)"
DATA_SEE = "二、6 数据核查与工作说明"  # DATA_REF inside brackets


def _provisional_sentence(rd: ReportData, bi: bool) -> str:
    """One sentence on the numbers used without a public source, counted by kind (diagnosis.json `provisional`); a
    diagnosis.json older than the kinds gets the general sentence. English alongside in a bilingual report."""
    counts: dict[str, int] = {}
    for item in rd.provisional:
        kind = item.get("kind") if isinstance(item, Node) else None
        counts[str(kind)] = counts.get(str(kind), 0) + 1
    if set(counts) <= {"None"}:
        zh = f"评分所用数值中有{len(rd.provisional)}项尚未找到公开出处,为暂定值;评分和评级均仅供参考。"
        en = f"{len(rd.provisional)} of the numbers used in scoring have no public source yet and are provisional; scores and bands are indicative only."
    else:
        words = {k: (zh, en) for k, zh, en in PROVISIONAL_KINDS}
        parts = [(f"{words[k][0]}{counts[k]}项", f"{counts[k]} {words[k][1]}") for k in words if k in counts]
        parts += [(f"其他{n}项", f"{n} others") for k, n in counts.items() if k not in words]
        zh = f"以下数值尚未找到公开出处,为暂定值:{'、'.join(p[0] for p in parts)};据此得出的评分和评级均仅供参考。"
        en = f"These numbers have no public source yet and are provisional: {', '.join(p[1] for p in parts)}; scores and bands are indicative only."
    return zh + (f"({en})" if bi else "")


_TOTAL_ZH = {"mean_of_indicators": "全部参评指标得分的算术平均(各指标等权)",  # catalogue scoring.aggregation.total
             "weighted_mean_of_categories": "各类别得分按类别权重的加权平均"}


def _method_text(rd: ReportData) -> str:
    """二、5: how a score, a category score, the total and the band are formed, so that a reader can redo them from the
    tables (the formulas, the cap, the aggregation, the bands and their source); older diagnosis.json files lack the
    aggregation and bands and get the general wording."""
    full, cap = rd.score_full, rd.score_cap
    if full is not None and cap is not None:
        scale = (f"(越高越好的指标得分={full:g}×数值÷引领值,越低越好的指标得分={full:g}×引领值÷数值,定性指标按所处档次计分,"
                 f"引领档{full:g}分),单项最高{cap:g}分")
    else:
        scale = ""
    scoring = rd.root["catalogue"].get("scoring")
    total = scoring.str("total_aggregation") if scoring is not None else ""
    if total in _TOTAL_ZH:
        how = (f"类别得分为该类别参评指标得分的算术平均,总分为{_TOTAL_ZH[total]};"
               "未填报的可选指标不参评,缺失的必选指标按0分参评")
    else:
        how = "类别得分与总分由各指标得分汇总,未填报的可选指标不计入汇总,缺失的必选指标按0分计"
    if cap is not None and full is not None and cap > full:
        how += f";因单项得分可高于{full:g}分(至多{cap:g}分),总分可超过{full:g}分"
    extra = _overlay_indicators(rd)
    if extra and rd.guide_first:  # the guide's total grades the park; the total including the overlay's indicators is extra
        how += (f"(评级按附件2-1-2所列{len(rd.indicator_numbers) - extra}项指标以上述方法汇总的通用诊断总分评定,以便与通用诊断比较;"
                f"专项诊断增加的{extra}项指标以同样方法与通用指标一并汇总为含专项诊断指标的总分,列在通用诊断总分之后,仅作补充)")
    elif extra:  # a diagnosis.json older than general_total
        how += f"(总分含专项诊断增加的{extra}项指标,与通用指标同等计入)"
    bands = list(scoring.get("bands") or []) if scoring is not None else []
    band_text = ""
    if bands:
        steps = "、".join(f"{fmt_num(b['min'])}分及以上为“{b['zh']}”" for b in sorted(bands, key=lambda b: -b["min"]) if b["min"] > 0)
        lowest = min(bands, key=lambda b: b["min"])
        titles = {d.get("id"): d["title_zh"] for d in (rd.root["catalogue"].get("documents") or [])}
        source = "、".join(titles[i] for i in (scoring.get("bands_sources") or []) if i in titles)
        band_text = (f"评级按{'通用诊断' if rd.guide_first else ''}总分划分:{steps},其余为“{lowest['zh']}”"
                     + (f"(参照{source}的分级)" if source else "") + ("。含专项诊断指标的总分仅作补充,不另评级" if rd.guide_first else "")
                     + "。")
    return (f"诊断采用标准比对法和先进对照法:各项指标数值与引领值比对计分{scale};{how};"
            f"并与相关标准规范中的参考值比对,提出改进建议。{band_text}"
            f"(规则库 {rd.root.str('rules_id')} {rd.root.str('rules_version')})")


def _added(rd: ReportData, item) -> bool:
    """Whether an overlay added this indicator or requirement (one it replaced with override: true is not added)."""
    return rd.added(item)


def _overlay_indicators(rd: ReportData) -> int:
    """How many indicators the overlays added: they enter the total including them, not the guide's (general) total."""
    return len(rd.added_numbers)


@functools.lru_cache(maxsize=1)
def _packaged_year_over_year() -> tuple[str, frozenset]:
    """(id of the packaged catalogue, ids of its indicators whose formula reads the year before: intensity reduction,
    elasticity), for a diagnosis.json written before catalogue.indicators[].formula was recorded."""
    from ..catalogue import load_catalogue

    cat = load_catalogue()
    return cat.id, frozenset(i.id for i in cat.indicators if i.definition is not None and i.definition.formula != "ratio")


def base_year_use(rd: ReportData) -> Optional[tuple[int, list[int]]]:
    """(base year, indicators derived with its statistics) when the first scored year's value of a year-over-year
    indicator was derived from statistics, hence from the base year's too (附件2-1-2: the year before the first scored
    year); None otherwise. The formulas are the diagnosis's own (catalogue.indicators[].formula); a file written before
    they were recorded falls back to the packaged catalogue, whose indicators no overlay replaced."""
    first = rd.first_year
    if all("formula" in rd.meta[n] for n in rd.indicator_numbers):
        yoy_numbers = {n for n in rd.indicator_numbers if rd.meta[n]["formula"] not in (None, "ratio")}
    else:
        cat_id, yoy = _packaged_year_over_year()
        if rd.root.str("catalogue_id") != cat_id:
            return None
        yoy_numbers = {n for n in rd.indicator_numbers
                       if str(rd.meta[n]["id"]) in yoy and str(rd.meta[n].get("origin") or cat_id) == cat_id}
    used = [n for n in rd.indicator_numbers if n in yoy_numbers and (rd.rows.get((n, first)) or {}).get("origin") == "derived"]
    return (first - 1, used) if used else None


def _has_energy_table(rd: ReportData) -> bool:
    """Whether 二、5 carries the table of energy by carrier (energy_blocks)."""
    energy = rd.root.get("energy_by_carrier")
    return isinstance(energy, Node) and bool(len(energy.get("years") or []))


def table_no(rd: ReportData, kind: str) -> str:
    """表N of a numbered table of the report body, numbered in the order they appear: 二、5 energy by carrier (when the
    data give it), 三、2 category scores, 四、5 indicator changes; captions and cross-references use the same number."""
    kinds = (["energy-by-carrier"] if _has_energy_table(rd) else []) + ["category-scores", "indicator-changes"]
    return f"表{kinds.index(kind) + 1}"


def _own_coefficient(c) -> str:
    """A carrier's own (measured) coefficient as the report quotes it: "20908 kJ/kg(0.7134 kgce/kg,H-1 煤质化验报告)"."""
    o = c["own_coefficient"]
    value = f"{fmt_num(o['value'], 4)} {o.str('unit')}"
    given, evidence = o.str("given").strip(), o.str("evidence").strip()
    inner = "、".join(x for x in ((value if given and given != value else ""), evidence) if x)
    return (given or value) + (f"({inner})" if inner else "")


def energy_blocks(rd: ReportData, bi: bool) -> list[Block]:
    """二、5 on energy by carrier (diagnosis.json `energy_by_carrier`): the GB/T 2589 coefficients used (electricity at
    its calorific equivalent; provisional ones said so), per year whether the converted sum or the reported total is
    scored, and a table of the breakdown; nothing when the data give none (older files too)."""
    if not _has_energy_table(rd):
        return []
    energy = rd.root["energy_by_carrier"]
    coefs = list(energy.get("coefficients") or [])
    titles = {d.get("id"): d.str("title_zh") for d in (rd.root["catalogue"].get("documents") or [])}
    docs = "、".join(dict.fromkeys(f"{titles.get(x.get('doc')) or ''}".strip() for c in coefs for x in (c.get("sources") or [])
                                   if titles.get(x.get("doc")))) or "综合能耗计算通则"
    listed = "、".join(f"{c.str('name_zh')}{fmt_num(c['value'], 6)} {c.str('unit')}" for c in coefs)
    provisional = [c.str("name_zh") for c in coefs if c.get("provisional")]
    power = next((c for c in coefs if c.str("carrier") == "electricity"), None)
    electricity = power is not None
    per_kwh = f"{fmt_num(power['value'], 6)} {power.str('unit')}" if power is not None else ""  # the diagnosis's coefficient
    measured = ";有实测低位发热量时应按实测值折算。"
    own = [(y["year"], c) for y in energy["years"] for c in y["carriers"] if c.get("own_coefficient") is not None]
    own_text = ("其中" + "、".join(f"{year}年{c.str('name_zh')}按实测值{_own_coefficient(c)}折算" for year, c in own) + "。") if own else ""
    text = (f"分品种能源消费按GB/T 2589《{docs}》的折标准煤系数折算为标准煤,tce =(实物量折算为kg、m³、MJ、kWh后)× 系数 ÷ 1000"
            + (f";系数:{listed}" if listed else ";各品种均按实测折标系数折算")
            + (f";电力按当量值折算(860 千卡/kWh ÷ 7000 千卡/kgce ≈ {per_kwh}),不按发电煤耗计的等价值" if electricity else "") + "。"
            + ("系数取自GB/T 2589附录A参考值(待与2020版原文核对)" + measured if provisional and len(provisional) == len(coefs) else
               f"其中{'、'.join(provisional)}的系数取自GB/T 2589附录A参考值(待与2020版原文核对)" + measured if provisional else "")
            + own_text)
    en = ("Energy by carrier was converted to standard coal with the GB/T 2589 coefficients"
          + (f", electricity at its calorific equivalent ({per_kwh})" if electricity else "")
          + ("; the coefficients are GB/T 2589 Annex A reference values, to be checked against the 2020 text; measured net "
             "calorific values, where available, take precedence" if provisional else "") + ".")
    years, rows = [], []
    for y in energy["years"]:
        total, basis = y.get("total_tce"), y.str("basis")
        if basis == "carriers":
            years.append(f"{y['year']}年综合能源消费量为分品种折算合计{fmt_num(total, 12)} tce")
        elif basis == "reported":
            gap = y.get("gap_pct")
            years.append(f"{y['year']}年分品种折算合计{fmt_num(total, 12)} tce,填报的综合能源消费量{fmt_num(y.get('reported_tce'), 12)} tce"
                         + (f"较分品种折算合计相差{gap_percent(gap)}" if _is_num(gap) else "") + ",评分采用填报值")
        for c in y["carriers"]:
            own_ev = f"实测折标系数{_own_coefficient(c)}" if c.get("own_coefficient") is not None else ""
            rows.append(_t(f"{y['year']}年", c.str("name_zh"), c.str("given"), fmt_num(c.get("tce"), 12),
                           ";".join(x for x in (c.str("evidence"), own_ev) if x)))
        rows.append(_t(f"{y['year']}年", "合计", "", fmt_num(total, 12), ""))
    if years:
        text += ";".join(years) + "。"
    return [Para(text + (f"({en})" if bi else "")),
            Table("energy-by-carrier", _t("年份", "能源品种", "消费量", "折标准煤(tce)", "证明材料索引"), tuple(rows), merge_col0=True,
                  caption=f"{table_no(rd, 'energy-by-carrier')} 分品种能源消费及折标准煤", widths_cm=(2.0, 3.6, 3.4, 3.0, 4.4))]


def section_process(rd: ReportData, bi: bool) -> list[Block]:
    e, prov = rd.engagement, rd.provider
    start, end = e.get("onsite_start"), e.get("onsite_end")
    org = [f"诊断工作组{e.get('team_size', len(e['team']))}人,其中相关专业(能源、环境、生态、低碳、生命周期评价等)高级职称"
           f"{e.get('senior_count', '—')}人、主导过绿色制造相关项目{e.get('led_green_projects_count', '—')}人、"
           f"园区工作人员{e.get('park_staff_count', '—')}人(见绿色诊断工作组成员表)。",
           f"保密承诺书提交:{fmt_date_zh(e.get('confidentiality_submitted'), '未记录')};诊断工作开始:{fmt_date_zh(e.get('work_started'), '未记录')}。"]
    derived = sorted({n for (n, _), r in rd.rows.items() if r.get("origin") == "derived"})
    reqs, inds = _counted(rd)
    base = base_year_use(rd)
    base_text = "" if base is None else (
        f",以及基准年{base[0]}年的统计数据(用于推导按上年比较计算的" + "、".join(f"“{n} {rd.name(n)}”" for n in base[1])
        + f"{rd.first_year}年的数值)")
    review = (f"诊断工作组收集了园区{year_span(rd.years)}{'' if base is None else '(评分年份)'}的统计数据和证明材料{base_text},对附件2-1-1所列{reqs}和附件2-1-2所列"
              f"{inds}的数据及证明材料进行了审核"
              + (f",其中{len(derived)}项指标的数据由统计数据推导" if derived else "")
              + f"。证明材料索引见六、参考文件;数据核查中发现的情况见{DATA_REF}。")
    days = e.get("onsite_working_days")
    allowed, deducted = e.get("onsite_date_days"), e.get("onsite_holidays_deducted")
    if _is_num(days) and _is_num(allowed) and days > allowed:  # typed more days than the dates hold: say the dates' figure
        days = f"{allowed:g}个工作日(记录为{days:g}个,与起止日期不符,见二、6)"
    elif days is not None:
        days = f"{days:g}个工作日" if _is_num(days) else f"{days}个工作日"
    if days is not None and deducted is False:
        days += "(按周一至周五计,未扣除法定节假日)"
    scope_check = "对园区基础性要求符合情况以及能源利用、资源利用、基础设施、产业、生态环境、运行管理等方面情况进行核查"
    if start and end:
        onsite = (f"工作组于{fmt_date_zh(start)}至{fmt_date_zh(end)}赴园区开展现场诊断,"
                  + (f"共{days}," if days is not None else "") + scope_check.replace("进行核查", "进行了核查") + "。")
    else:
        onsite = (f"现场诊断日期:{fmt_date_zh(start, '未记录')}至{fmt_date_zh(end, '未记录')}"
                  + (f",共{days}" if days is not None else "") + f"。现场诊断{scope_check}"
                  + (f"(指南要求不少于{rd.constants['onsite_days_min']:g}个工作日)" if "onsite_days_min" in rd.constants else "") + "。")
    author, reviewer = rd.person_name(prov, "report_author"), rd.person_name(prov, "reviewer")
    meeting = e.get("report_meeting_date")
    writing = (f"报告由{author or UNFILLED}负责编写,经{reviewer or UNFILLED}进行内部技术复核后,"
               f"于{fmt_date_zh(e.get('report_submitted'), '(未记录)')}提交园区"
               + (f";{fmt_date_zh(meeting)}召开诊断工作报告会,向园区通报诊断评估报告内容" if meeting else "") + "。")
    method_paras = [Para(_method_text(rd)), *energy_blocks(rd, bi)]
    if rd.provisional:
        method_paras.append(Para(_provisional_sentence(rd, bi)))
    if any(t.get("band_qualified") is False for t in rd.totals.values()):
        method_paras.append(Para(f"园区{rd.band_note()},按要求基础性要求应全部满足,本报告的评级仅供参考。"
                                 + (f"({rd.band_note_en()}: all baseline requirements must be met, so the band is indicative only)" if bi else "")))
    notes = data_notes(rd, bi)
    return [_h(1, "二、诊断评估过程和方法", "Process and methods", bi),
            _h(2, "1. 组织安排", "Organisation", bi), Bullets(tuple(org)),
            _h(2, "2. 资料审核", "Review of the material", bi), Para(review),
            _h(2, "3. 现场诊断评估", "On-site diagnosis", bi), Para(onsite),
            _h(2, "4. 报告编写及内部技术复核", "Report writing and internal technical review", bi), Para(writing),
            _h(2, METHOD_HEADING, "Methods and scoring", bi), *method_paras,
            _h(2, DATA_HEADING, "Data checks and work notes", bi),
            Bullets(tuple(notes or ["未发现需要说明的数据问题或工作事项。"]))]


def category_table(rd: ReportData, lang: str) -> Table:
    """The category table of 三、2 (table_no): category scores, total and band per year. When an overlay adds indicators these are the guide's (general_score,
    general_total, its band: the figures 附件2-1-2 gives and parks are compared by), followed by the rows including the
    overlay's indicators: the categories whose score differs and the total (含专项诊断指标), without a band of its own:
    one grade per year."""
    general = rd.guide_first
    totals = [rd.totals.get(y) for y in rd.years]
    bi = lang == "bilingual"

    def score_rows(cats: list, general: bool, suffix: str = "") -> list[tuple[str, ...]]:
        out = [_t(f"{c['code']} {c['name_zh']}{suffix}", *(rd.score_text(_cat_score(rd, c["code"], y, general)) for y in rd.years))
               for c in cats]
        key = "general_total" if general else "total"
        out.append(_t(f"总分{suffix}", *(("不可评分" if t.get("assessable") is False or not _is_num(t.get(key)) else rd.score_text(t.get(key)))
                                       if t is not None else "—" for t in totals)))
        if general or not rd.guide_first:  # one grade per year: the supplementary total has none
            out.append(_t(f"评级{suffix}", *(rd.band_text(t, lang, general) if t is not None and t.get("assessable") is not False
                                            and _is_num(t.get(key)) else "—" for t in totals)))
        return out

    cats = [c for c in rd.categories if not general or any(_is_num(rd.general_cat_scores.get((c["code"], y))) for y in rd.years)]
    rows = score_rows(cats, general)
    span: tuple[int, ...] = ()
    if general:
        span = (len(rows),)
        rows.append(_t("含专项诊断指标" + (" (including the specialised-diagnosis indicators)" if bi else ""), *("" for _ in rd.years)))
        rows += score_rows(_incl_categories(rd), False, "(含专项诊断指标)")
    return Table("category-scores", _t("类别", *(f"{y}年" for y in rd.years)), tuple(rows), caption=f"{table_no(rd, 'category-scores')} 各类别得分与总分",
                 widths_cm=_category_widths(len(rd.years)), span_rows=span)


def _category_widths(n_years: int) -> tuple[float, ...]:
    """Table 1 fits a portrait page (16.4 cm) for up to ten years: 3 cm per year while they fit, never under
    1.1 cm, the name column giving up to 2 cm of its 6 cm."""
    year = min(3.0, max(1.1, round(10.4 / n_years, 2)))
    return (max(4.0, min(6.0, round(16.4 - year * n_years, 2))),) + (year,) * n_years


def _assessed_span(rd: ReportData) -> tuple[int, int]:
    """The first and the last year with a score (a year without any data, such as a last year whose statistics are
    not yet published, is left out), so that what can be compared is compared."""
    assessed = [y for y in rd.years if (rd.totals.get(y) or {}).get("assessable") is not False]
    return (assessed[0], assessed[-1]) if assessed else (rd.first_year, rd.last_year)


def _category_highlights(rd: ReportData) -> list[str]:
    """One line per category: the latest score, change since the first scored year, indicators at the lead value."""
    first, last = _assessed_span(rd)
    general = rd.guide_first  # the guide's category scores (category_table), the overlay's indicators apart
    out = []
    for c in rd.categories:
        s1, s0 = _cat_score(rd, c["code"], last), _cat_score(rd, c["code"], first)
        if not _is_num(s1):
            continue
        text = f"{c['name_zh']}:{last}年{rd.score_text(s1)}分"
        if _is_num(s0):
            shown = Decimal(rd.score_text(s1)) - Decimal(rd.score_text(s0))  # the change the two printed scores show
            text += f",较{first}年{'提高' if shown > 0 else '下降' if shown < 0 else '持平'}" + (f"{abs(shown)}分" if shown else "")
            gap = _data_gap_note(rd, c["code"], first, last, general)
            rest = _like_for_like(rd, c["code"], first, last, general)
            like = f";按两年均有评分的指标计{'基本持平' if abs(rest) < 0.05 else half_up(rest, '+.1f') + '分'}" if rest is not None else ""
            text += f"({gap[1:]}{like})" if gap else ""
        at_lead = [n for n in rd.indicator_numbers
                   if rd.meta[n]["category"] == c["code"] and _is_num(rd.score(n, last)) and rd.score(n, last) >= rd.full]
        lead = [rd.name(n) for n in at_lead if not general or n not in rd.added_numbers]
        rose = _is_num(s0) and Decimal(rd.score_text(s1)) > Decimal(rd.score_text(s0))
        if not rose and not lead:  # no rise and nothing at the lead value: no highlight (a fall is listed in 三、4)
            continue
        text += ";达到或优于引领值:" + "、".join(lead) if lead else ";尚无指标达到引领值"
        if general:  # the score including the overlay's indicators, where it differs, and those of them at the lead
            incl = _cat_score(rd, c["code"], last, False)
            extra = [rd.name(n) for n in at_lead if n in rd.added_numbers]
            if _is_num(incl) and incl != s1:
                text += f";含专项诊断指标{last}年{rd.score_text(incl)}分"
            if extra:
                text += ";专项诊断指标达到或优于引领值:" + "、".join(extra)
        out.append(text + "。")
    if not out:
        return ["各类别得分均未提高,亦无指标达到引领值(见存在问题)。"] if any(
            _is_num(rd.cat_scores.get((c["code"], last))) for c in rd.categories) else ["无可比较的类别得分。"]
    return out


_OTHER_KIND = "other"  # the catalogue's kind for other demonstrative work, recorded under a title of its own


def _demonstration_name(item) -> str:
    """An entry of the 四(三)3 check as the report names it: its kind, or for an entry with its own title 其他:<title>
    (other work) / <kind>:<title>."""
    title = item.str("title_zh")
    if not title:
        return str(item["name_zh"])
    return f"{'其他' if item.str('kind') == _OTHER_KIND else item['name_zh']}:{title}"


def _demonstration_name_en(item) -> str:
    title = item.str("title_en") or item.str("title_zh")
    if not title:
        return item.str("name_en") or str(item["name_zh"])
    return f"{'other' if item.str('kind') == _OTHER_KIND else item.str('name_en')}: {title}"


@functools.lru_cache(maxsize=1)
def _packaged_demonstration_kinds() -> tuple[str, tuple[tuple[str, str, str, bool], ...]]:
    """(id of the packaged catalogue, its kinds of demonstrative work as (id, name_zh, name_en, titled))."""
    from ..catalogue import load_catalogue

    cat = load_catalogue()
    return cat.id, tuple((k.id, k.name_zh, k.name_en, k.titled) for k in cat.demonstration_kinds)


def demonstration_kinds(rd: ReportData) -> list[tuple[str, str, str, bool]]:
    """The kinds of demonstrative work the team checks, (id, name_zh, name_en, titled), in catalogue order: the
    diagnosis's own list (demonstration_work.kinds, overlay kinds included) when it records one, else the packaged
    catalogue's when the diagnosis was made with it (an overlay's kinds are then unknown), else none."""
    demo = rd.root.get("demonstration_work")
    kinds = demo.get("kinds") if isinstance(demo, Node) else None
    if isinstance(kinds, Node):
        return [(k.str("kind") or k.str("id"), k.str("name_zh"), k.str("name_en"), bool(k.get("titled"))) for k in kinds]
    cat_id, packaged = _packaged_demonstration_kinds()
    return list(packaged) if rd.root.str("catalogue_id") == cat_id else []


def _demonstration_blocks(rd: ReportData, bi: bool) -> list[Block]:
    """三、3: what the team found of the demonstrative work the guide names (四(三)3), each entry with its status,
    description and evidence; kinds not carried out, and kinds left without an entry (未核查), in one sentence each;
    a note when the check is not recorded."""
    lead = "示范性工作核查(指南四(三)3)"
    if not rd.demonstration_recorded:
        return [Para(f"{lead}:数据未记录此项核查,请诊断工作组补充园区是否在其他方面开展了具有示范意义的绿色制造相关工作。", "note")]
    found = [w for w in rd.demonstration if w["status"] != "not_done"]
    none = [w for w in rd.demonstration if w["status"] == "not_done"]
    present = {w.str("kind") for w in rd.demonstration}
    # an empty record is "checked, none found"; a record naming some kinds but not others leaves those unchecked
    unchecked = [(zh, en) for kid, zh, en, titled in demonstration_kinds(rd) if not titled and kid not in present] if present else []
    tail: list[Block] = []
    if unchecked:
        tail.append(Para("未核查:" + "、".join(zh for zh, _ in unchecked)
                         + (f" (not checked: {', '.join(en for _, en in unchecked)})" if bi else "") + "。"))
    if not found:
        listed = "(" + "、".join(_demonstration_name(w) for w in none) + "均未开展)" if none else ""
        return [Para(f"{lead}:经现场核查,未发现园区在其他方面开展具有示范意义的绿色制造相关工作{listed}。"), *tail]
    items = []
    for w in found:
        text = f"{_demonstration_name(w)}{'——' if w.str('title_zh') else ':'}{w['status_zh']}"
        if bi and w.str("status_en"):
            text += f" ({_demonstration_name_en(w)}: {w.str('status_en')})"
        desc, evidence = w.str("description").strip(), w.str("evidence").strip()
        text += "。" + (desc.rstrip("。.") + "。" if desc else "") + (f"证明材料:{evidence}。" if evidence else "")
        items.append(text)
    out: list[Block] = [Para(f"{lead}:"), Bullets(tuple(items))]
    if none:
        out.append(Para("未开展:" + "、".join(_demonstration_name(w) for w in none)
                        + (f" (not carried out: {', '.join(_demonstration_name_en(w) for w in none)})" if bi else "") + "。"))
    return out + tail


def _demonstration_highlight(rd: ReportData) -> list[str]:
    """四、1: the demonstrative work already carried out (已开展), as one highlight."""
    done = [w.str("title_zh") or str(w["name_zh"]) for w in rd.demonstration if w["status"] == "done"]
    return ["已开展具有示范意义的绿色制造相关工作:" + "、".join(done) + "。"] if done else []


_KIND_ZH = {"baseline": "基础性要求未满足", "indicator": "指标未达到引领值或参考值、或呈变差趋势", "category": "类别得分或总分出现下降"}


def _problem_summary(rd: ReportData, problems: list[tuple[str, str]], n_notes: int) -> list[str]:
    if not problems:
        out = ["诊断未发现园区绿色发展方面的突出问题。"]
    else:
        counts = {k: sum(1 for kind, _ in problems if kind == k) for k in _KIND_ZH}
        out = [f"诊断发现园区绿色发展存在问题{len(problems)}项(详见三、4):"
               + "、".join(f"{_KIND_ZH[k]}{v}项" for k, v in counts.items() if v) + "。"]
        out += [text for kind, text in problems if kind == "baseline"]
        below = [n for n in rd.indicator_numbers if _lead_gap(rd, n, rd.latest_year())]
        if below:
            out.append(f"{rd.latest_year()}年未达到引领值的指标{len(below)}项:" + "、".join(rd.name(n) for n in below) + "。")
    reached = lead_reached_gaps(rd)
    if reached:
        out.append(f"另有{len(reached)}项指标已达引领值,距相关标准或参考值仍有差距(见三、4),不列为存在问题。")
    if n_notes:
        out.append(f"另有数据核查与工作说明{n_notes}项,见{DATA_REF}。")
    return out


def _demonstration_cross(b) -> Optional[tuple[str, str]]:
    """(the kind's name, its recorded status) when baseline[].demonstration asks for the requirement to be checked (not
    checked, while 三、3 records the same work 已开展); None otherwise. Never a status of the requirement."""
    d = b.get("demonstration")
    if d is None or not d.str("note_zh"):
        return None
    return d.str("name_zh"), d.str("status_zh")


def section_content(rd: ReportData, lang: str, problems: list[tuple[str, str]]) -> list[Block]:
    bi = lang == "bilingual"
    guide, added = _requirements(rd)

    def listed(rows: list) -> tuple[int, str]:
        other = [b for b in rows if STATUS_ZH.get(str(b["status"])) != "符合"]
        return len(rows) - len(other), (";" + ";".join(
            f"第{b['number']}项{STATUS_ZH.get(str(b['status']), str(b['status']))}:{str(b['text_zh']).rstrip('。')}"
            + (f"(该项与示范性工作“{cross[0]}”为同一项工作,三、3中记录为{cross[1]},请核查本项要求并填写符合情况)"
               if (cross := _demonstration_cross(b)) else "") for b in other)
            if other else "")

    n_met, text = listed(guide)
    base = f"基础性要求共{len(guide)}项,符合{n_met}项{text}。详见附件2-1-1。"
    if added:
        n_met, text = listed(added)
        base += f"专项诊断增加的基础性要求{len(added)}项,符合{n_met}项{text}(见附件2-1-1后的专项诊断增加的基础性要求表)。"
    out: list[Block] = [_h(1, "三、诊断评估内容", "Content of the diagnosis", bi),
                        _h(2, "1. 基础性要求符合情况", "Baseline requirements", bi), Para(base),
                        _h(2, "2. 能源利用、资源利用、基础设施、产业、生态环境、运行管理情况", "Energy, resources, infrastructure, industry, environment, management", bi),
                        Para(f"{rd.first_year}—{rd.last_year}年各类别得分与总分见{table_no(rd, 'category-scores')}和图1,各指标数据见附件2-1-2。"),
                        category_table(rd, lang),
                        ChartRef("category-scores", "图1 各类别得分(按年份)")]
    for t in (rd.totals.get(y) for y in rd.years):
        if t is None:
            continue
        if t.get("assessable") is False:  # no data at all: no scores, not zeros
            out.append(Para(f"{t['year']}年无数据,不可评分(不计类别得分、总分与评级,不按0分计)。", "note"))
            continue
        note = _unverified_note(rd, t["year"])
        if note:
            out.append(Para(note, "note"))
        mm = list(t.get("missing_mandatory") or [])
        if mm:
            effect = t.get("missing_effect")
            out.append(Para(f"{t['year']}年必选指标" + "、".join(f"“{n} {rd.name(n)}”" if n in rd.meta else str(n) for n in mm)
                            + "缺失,按0分计" + (f"(影响总分{fmt_points(effect) if abs(effect) < 0.05 else half_up(effect, '+.1f') + '分'})" if _is_num(effect) else "") + "。", "note"))
    out += [_h(2, "3. 已开展的重点工作和取得的成绩", "Work done and achievements", bi), Bullets(tuple(_highlights(rd))),
            *_demonstration_blocks(rd, bi),
            Para("以上由诊断评分与示范性工作核查归纳。园区已出台的政策措施、已开展的重点工作、已实施的重大项目及其成绩(附件2-1 三、3),"
                 "请诊断工作组结合资料审核与现场诊断情况补充。", "note"),
            _h(2, "4. 存在问题", "Problems found", bi)]
    if problems:
        out += [Para(f"经诊断,园区绿色发展存在以下{len(problems)}项问题:"), Bullets(tuple(t for _, t in problems), ordered=True)]
    else:
        out.append(Para("诊断未发现园区绿色发展方面的突出问题。"))
    reached = lead_reached_gaps(rd)
    if reached:
        out += [Para(LEAD_REACHED), Bullets(tuple(reached))]
    return out


_TREND_ORDER = ("steady_better", "mixed_better", "partial_better", "same", "mixed_same", "partial_same",
                "steady_worse", "mixed_worse", "partial_worse", "n/a")


def change_table(rd: ReportData) -> Table:
    ys = rd.years
    rows = []
    # the guide's indicators in the guide's order, then those an overlay added (专项诊断), marked
    numbers = [n for n in rd.indicator_numbers if n not in rd.added_numbers] + rd.added_numbers
    for n in numbers:
        steps = [ASSESS.get(rd.assessment(n, a, b), ("—", "—"))[1] for a, b in zip(ys, ys[1:])]
        c = rd.change(n, ys[0], ys[-1])
        delta = "—"
        if c is not None and rd.meta[n]["kind"] != "qualitative":  # as the printed values give it (1352 → 1604: +252)
            delta = rd.change_text(n, ys[0], ys[-1], c.get("delta"))
        lower = "(越低越好)" if str(rd.meta[n].get("direction")) == "lower" else ""  # a fall is 向好 there
        rows.append(_t(n, rd.name(n) + lower + ("(专项诊断)" if n in rd.added_numbers else ""), rd.unit(n), *(_cell_value(rd, n, y) for y in ys), rd.lead_text(n), " ".join(steps), delta,
                       rd.trend(n)[1]))
    return Table("indicator-changes", _t("序号", "指标", "单位", *(f"{y}年" for y in ys), "引领值", "逐年", f"{ys[0]}→{ys[-1]}变化", "评价"),
                 tuple(rows), caption=f"{table_no(rd, 'indicator-changes')} 各指标{ys[0]}—{ys[-1]}年数值变化(↑向好 ↓变差 →持平 —无法比较)",
                 widths_cm=_change_widths(len(ys)), note=_verify_note(rd, numbers))


def _change_widths(n_years: int) -> tuple[float, ...]:
    """Table 2's columns: 16.8 cm in all (a portrait page) for up to five years, the years sharing 4.8 cm but keeping
    1.1 cm each, taken from the name column; for more years the name keeps 3.4 cm and each year up to 1.5 cm, which
    the Word report puts on a landscape page (25.1 cm wide: ten years at 1.31 cm)."""
    if n_years <= 5:
        year = max(1.1, round(4.8 / n_years, 2))
        name = round(3.4 - (year * n_years - 4.8), 2)
    else:
        year, name = max(1.1, min(1.5, round(13.1 / n_years, 2))), 3.4
    return (0.8, name, 1.5) + (year,) * n_years + (1.2, 1.3, 1.8, 2.0)


def section_conclusion(rd: ReportData, chart_keys: list[tuple[str, str]], lang: str, problems: list[tuple[str, str]]) -> list[Block]:
    bi = lang == "bilingual"
    last = _assessed_span(rd)[1]
    t = rd.totals.get(last)
    guide, added = _requirements(rd)
    n_met = sum(1 for b in guide if STATUS_ZH.get(str(b["status"])) == "符合")
    score = _total_score(rd, last)
    if t is not None and _is_num(score):
        seq = "、".join(f"{y}年{rd.score_text(_total_score(rd, y))}分" for y in rd.years if _is_num(_total_score(rd, y)))
        empty = [y for y in rd.years if y > last]
        overall = (f"综合评估:园区{last}年诊断评分为{rd.score_text(score)}分,评级为“{rd.band_text(t, lang)}”;"
                   f"各年总分依次为{seq}。" + (f"{'、'.join(map(str, empty))}年无数据,不可评分。" if empty else ""))
    else:
        overall = f"综合评估:{rd.last_year}年无法计算诊断评分(数据不足)。"
    incl = _total_score(rd, last, False)
    if rd.guide_first and t is not None and _is_num(incl):  # the total including the overlay's indicators, as a supplement
        seq = "、".join(f"{y}年{rd.score_text(_total_score(rd, y, False))}分" for y in rd.years if _is_num(_total_score(rd, y, False)))
        overall += (f"以上为按附件2-1-2所列指标计的诊断评分;含专项诊断指标的总分为{rd.score_text(incl)}分,"
                    f"各年依次为{seq},仅作补充,不另评级。")
    overall += _unverified_note(rd, last) if t is not None and _is_num(t.get("total")) else ""
    mandatory = [b for b in rd.baseline if b.get("mandatory", True) is not False and STATUS_ZH.get(str(b["status"])) != "符合"]
    encouraged = sorted((b for b in rd.baseline if b.get("mandatory", True) is False and STATUS_ZH.get(str(b["status"])) != "符合"),
                        key=lambda b: int(b["number"]))
    if mandatory:
        overall += f"基础性要求有{len(mandatory)}项未符合或未核查,应优先整改或补充证明材料。"
    if encouraged:  # 鼓励性 requirements: a direction for more, never a demand to put right first
        overall += ("鼓励性要求" + "、".join(f"第{b['number']}项{'未开展' if STATUS_ZH.get(str(b['status'])) == '不符合' else '未核查'}"
                                        + ("(示范性工作中记录为已开展,请核查本项要求)" if _demonstration_cross(b) else "")
                                        for b in encouraged) + ",可作为提升方向。")
    counts: dict[str, tuple[str, int]] = {}
    for n in rd.indicator_numbers:
        key, label = rd.trend(n)
        counts[key] = (label, counts.get(key, (label, 0))[1] + 1)
    trend_text = "、".join(f"{counts[k][0]}{counts[k][1]}项" for k in _TREND_ORDER if k in counts)
    added_met = sum(1 for b in added if STATUS_ZH.get(str(b["status"])) == "符合")
    out: list[Block] = [_h(1, "四、诊断评估结论", "Conclusions", bi),
                        _h(2, "1. 工作亮点", "Highlights", bi), Bullets(tuple(_category_highlights(rd) + _demonstration_highlight(rd))),
                        _h(2, "2. 存在问题", "Problems", bi), Bullets(tuple(_problem_summary(rd, problems, len(data_notes(rd, False))))),
                        _h(2, "3. 整体评估与诊断评分", "Overall evaluation and score", bi), Para(overall),
                        _h(2, "4. 附件2-1-1 符合性情况", "Compliance with 附件2-1-1", bi),
                        Para(f"基础性要求{len(guide)}项中符合{n_met}项,不符合或未核查{len(guide) - n_met}项(见附件2-1-1)。"
                             + (f"专项诊断增加的基础性要求{len(added)}项中符合{added_met}项,不符合或未核查{len(added) - added_met}项。"
                                if added else "")),
                        _h(2, "5. 附件2-1-2 各项指标数值变化情况", "Change of each indicator", bi),
                        Para(f"{rd.first_year}—{last}年共{_counted(rd)[1]}中,{trend_text}"
                             f"{_trend_definitions(counts)}。变化原因请结合园区实际情况补充说明。"),
                        change_table(rd)]
    for key, caption in chart_keys:
        out.append(ChartRef(key, caption))
    return out


def _rec_groups(rd: ReportData) -> list[list]:
    """Recommendations of one subject (an indicator, or a baseline requirement) together, in first-appearance order."""
    groups: dict[str, list] = {}
    for i, r in enumerate(rd.recommendations):
        key = r.str("group") or r.str("indicator_id") or (
            f"req-{r.get('requirement')}" if r.get("requirement") is not None else f"rec-{i}")
        groups.setdefault(str(key), []).append(r)
    return list(groups.values())


def _rec_item(recs: list, bi: bool) -> str:
    """One item of 五、建议: candidates with one head (their rule's head_zh) as head:clause(方法);clause(方法), else each
    message in full (also for a diagnosis.json older than head_zh/clause_zh)."""
    methods = [METHOD_ZH.get(str(r["method"]), str(r["method"])) for r in recs]
    heads = [r.str("head_zh") for r in recs]
    if len(recs) > 1 and all(heads) and len(set(heads)) == 1 and all(r.str("clause_zh") for r in recs):
        text = heads[0] + ":" + ";".join(f"{_reworded(r, 'clause_zh')}({m})" for r, m in zip(recs, methods))
    else:
        text = ";".join(f"{_reworded(r, 'message_zh')}({m})" for r, m in zip(recs, methods))
    gains = [r.get("total_points") for r in recs if _is_num(r.get("total_points")) and r.get("total_points")]
    if gains:
        gain = fmt_points(max(gains), 2)
        text += f"({'最多' if len(gains) > 1 else ''}可提高总分{'' if gain.startswith('不足') else '约'}{gain})"
    measures: list[str] = []
    for r in recs:
        for m in r["measures"]:
            if str(m["title_zh"]) not in measures:
                measures.append(str(m["title_zh"]))
    if measures:
        text += ";措施:" + "、".join(measures)
    if bi:
        text += "(" + "; ".join(_reworded(r, "message_en") for r in recs) + ")"
    return text


def section_recommendations(rd: ReportData, bi: bool) -> list[Block]:
    items = [_rec_item(g, bi) for g in _rec_groups(rd)]
    return [_h(1, "五、建议", "Recommendations", bi),
            Para("针对诊断发现的差距,提出以下下一步工作建议(同一指标或要求按不同方法得出的建议合并列出);"
                 "绿色化改造提升项目建议汇总见附件2-1-3(候选项目的投资由园区填写)。"),
            Bullets(tuple(items or ["暂无建议。"]), ordered=True)]


# ------------------------------------------------------------------ 六 参考文件

def doc_key(title: str) -> str:
    """One key per document whatever the spelling: the name inside 《》 when there is one (the issuer and year
    around it are not part of the name), without a trailing (2024)."""
    t = str(title).strip()
    named = re.search(r"《([^》]+)》", t)
    t = named.group(1).strip() if named else t
    t = re.sub(r"\s*[((]\s*\d{4}\s*(年|年版)?\s*[))]\s*$", "", t)
    return t.strip()


def reference_documents(rd: ReportData) -> list[str]:
    cited = {doc_key(title): cite for title, cite in rd.documents if cite}  # the basis documents (catalogue cite_zh)
    keys: list[str] = list(cited)
    for f in list(rd.findings) + list(rd.recommendations):
        src = f.get("source")
        if src is not None and src.get("title"):
            k = doc_key(str(src["title"]))
            if k and k not in keys:
                keys.append(k)
    return [cited.get(k, f"《{k}》") for k in keys]


def _merge_evidence(pairs: list[tuple[int, str]]) -> list[str]:
    """(year, evidence) → one entry per document: "I12" and "I12 污水处理厂运行记录" are the same index."""
    texts: list[str] = []
    years: dict[str, list[int]] = {}
    for y, ev in pairs:
        if ev not in years:
            texts.append(ev)
            years[ev] = []
        years[ev].append(y)
    target = {}
    for t in texts:  # a bare index merges into the longer text that starts with it
        longer = [u for u in texts if u != t and u.startswith(t + " ")]
        target[t] = max(longer, key=len) if longer else t
    merged: dict[str, list[int]] = {}
    for t in texts:
        merged.setdefault(target[t], []).extend(years[t])
    out = []
    for t, ys in merged.items():
        if len(ys) == 1 and str(ys[0]) in t:
            out.append(t)
        else:
            out.append(f"{t}({year_span(ys)})")
    return out


def evidence_index(rd: ReportData) -> tuple[list[str], list[str]]:
    base = [f"第{b['number']}项:{b.str('evidence')}" for b in sorted(rd.baseline, key=lambda b: int(b["number"])) if b.str("evidence")]
    ind = []
    for n in rd.indicator_numbers:
        pairs = [(y, str(rd.rows[(n, y)]["evidence"])) for y in rd.years if (n, y) in rd.rows and rd.rows[(n, y)]["evidence"]]
        if pairs:
            ind.append(f"{n} {rd.name(n)}:" + ";".join(_merge_evidence(pairs)))
    return base, ind


def section_references(rd: ReportData, bi: bool) -> list[Block]:
    base, ind = evidence_index(rd)
    out: list[Block] = [_h(1, "六、参考文件", "References", bi),
                        Para("报告编写过程中使用的参考文件与证明材料索引如下(与附件2-1-1、附件2-1-2证明材料索引一栏对应)。"),
                        _h(2, "1. 参考文件", "Documents", bi), Bullets(tuple(reference_documents(rd)), ordered=True),
                        _h(2, "2. 证明材料索引", "Evidence index", bi),
                        Para("附件2-1-1 基础性要求:"), Bullets(tuple(base or ["(未提供证明材料索引)"])),
                        Para("附件2-1-2 评价指标:"), Bullets(tuple(ind or ["(未提供证明材料索引)"]))]
    return out


# ------------------------------------------------------------------ annex tables

def annex_2_1_1(rd: ReportData, lang: str) -> list[Block]:
    def note(b) -> str:
        text = b.str("note")
        return "" if not text else f"({text if lang == 'bilingual' else strip_en(text)})"

    def cross(b) -> str:
        d = b.get("demonstration") if _demonstration_cross(b) else None
        return "" if d is None else f"({d.str('note_zh')})"

    def rows(items: list) -> tuple[tuple[str, ...], ...]:
        return tuple(_t(b["number"], b["text_zh"], STATUS_ZH.get(str(b["status"]), str(b["status"])),
                        "".join(x for x in (b.str("evidence"), note(b), cross(b)) if x)) for b in items)

    guide, added = _requirements(rd)  # the guide's form holds the guide's requirements; an overlay's follow apart
    header, widths = _t("序号", "基本要求", "是否符合", "证明材料索引"), (1.2, 9.3, 1.9, 4.0)
    out: list[Block] = [_h(1, "附件2-1-1 工业园区绿色诊断基础性要求诊断表", "Annex 2-1-1: baseline requirements", lang == "bilingual"),
                        Table("annex-2-1-1", header, rows(guide), widths_cm=widths)]
    if added:
        out.append(Table("annex-2-1-1-specialised", header, rows(added), widths_cm=widths, caption="专项诊断增加的基础性要求"))
    return out


def annex_2_1_2(rd: ReportData, lang: str) -> list[Block]:
    """One table per year. Per the guide the last column is 证明材料索引 in year 1 and 评价情况说明 in years 2 and 3;
    the 得分 column is an addition of this tool (see docs/reports.md)."""
    bi = lang == "bilingual"
    out: list[Block] = [_h(1, "附件2-1-2 工业园区绿色诊断评价表", "Annex 2-1-2: indicator evaluation", bi)]
    split = bool(rd.added_numbers)  # the guide's indicators in its form, an overlay's in a table of their own after it
    for i, y in enumerate(rd.years, 1):
        explain = i > 1

        def rows(numbers: list[int]) -> tuple[tuple[str, ...], ...]:
            return tuple(_t(f"{rd.category_name(str(rd.meta[n]['category']))}({rd.meta[n]['category']})", n, rd.meta[n]["name_zh"],
                            rd.unit(n), _cell_value(rd, n, y), rd.score_text(rd.score(n, y)), _annex_note(rd, n, y, explain)) for n in numbers)

        def footer(general: bool, label: str) -> str:
            key = "general_total" if general else "total"
            if t is None:
                return ""
            if t.get("assessable") is False:
                return f"{y}年无数据,不可评分。"
            if not _is_num(t.get(key)):
                return f"{y}年{label}:{'附件2-1-2所列指标' if general or not rd.guide_first else '各项指标'}无数据,不可评分。"
            if rd.guide_first and not general:  # one grade per year: the total with the specialised indicators has none
                return f"{y}年{label}:{rd.score_text(t.get(key))}分"
            return f"{y}年{label}:{rd.score_text(t.get(key))}分,评级:{rd.band_text(t, lang, general)}"

        t = rd.totals.get(y)
        header = _t("一级指标", "序号", "二级指标", "指标单位", "指标数据", "得分", "评价情况说明" if explain else "证明材料索引")
        widths = (2.4, 1.0, 4.3, 1.7, 1.7, 1.3, 4.0)
        guide = [n for n in rd.indicator_numbers if n not in rd.added_numbers]
        out.append(_h(2, f"第{i}年({y}年)指标数据评价情况", f"Year {i} ({y})", bi))
        out.append(Table(f"annex-2-1-2-{y}", header, rows(guide), merge_col0=True, widths_cm=widths,
                         note=footer(rd.guide_first, "诊断总分")))
        if split:
            out.append(Table(f"annex-2-1-2-{y}-specialised", header, rows(rd.added_numbers), merge_col0=True, widths_cm=widths,
                             caption=f"第{i}年({y}年)专项诊断指标评价情况",
                             note=footer(False, "含专项诊断指标的总分") + (",仅作补充,不另评级;评级以本年诊断总分(附件2-1-2所列指标)为准"
                                                                            if rd.guide_first and t is not None
                                                                            and _is_num(t.get("total")) else "")))
    cap = f"{rd.score_cap:g}" if rd.score_cap is not None else "120"  # older diagnosis.json: the guide's 注1
    from ..dataset import count_words

    n = len(rd.years)  # the guide's 注2 says 年份1至年份3 … 前三年; a catalogue may score another number of years
    out.append(Para(f"注:1. 单项指标最高得分不超过{cap}分。2. 年份1至年份{n}原则上为绿色诊断实施年份的前{count_words(n)[0]}年。", "note"))
    return out


def _annex_note(rd: ReportData, n: int, year: int, explain: bool) -> str:
    """The last cell of 附件2-1-2 (ReportData.note_text), led by why a value is marked (待核实)."""
    note = rd.note_text(n, year, explain)
    if not rd.doubtful(n, year):
        return note
    return f"数据{TO_VERIFY}(见{DATA_SEE})" + (f";{note}" if note else "")


def _subject_methods(rd: ReportData) -> dict[str, list[str]]:
    """Which methods produced recommendations for each subject (indicator id, req-N / 基础性要求N)."""
    out: dict[str, list[str]] = {}
    for r in rd.recommendations:
        keys = [k for k in (r.str("indicator_id"), r.str("group")) if k]
        if r.get("requirement") is not None:
            keys += [f"req-{r.get('requirement')}", f"基础性要求{r.get('requirement')}"]
        method = METHOD_ZH.get(str(r["method"]), str(r["method"]))
        for k in keys:
            if method not in out.setdefault(k, []):
                out[k].append(method)
    order = list(METHOD_ZH.values())
    return {k: sorted(v, key=lambda m: order.index(m) if m in order else len(order)) for k, v in out.items()}


def annex_2_1_3(rd: ReportData, lang: str) -> list[Block]:
    bi = lang == "bilingual"
    methods = _subject_methods(rd)
    rows = []
    for i, p in enumerate(rd.projects, 1):
        if p.str("origin") == "candidate":
            note = "候选项目,投资由园区填写" + (" (candidate; investment to be filled in by the park)" if bi else "")
        else:
            note = p.str("note") if bi else strip_en(p.str("note"))
        addresses = []
        for a in (p.get("addresses") or []):
            label = rd.subject_label(str(a))
            ms = methods.get(str(a))
            addresses.append(label + (f"({'、'.join(ms)})" if ms else ""))
        if addresses:
            note = (note + ";" if note else "") + "针对:" + "、".join(addresses)
        ti, fi = p.get("total_investment"), p.get("fixed_investment")
        rows.append(_t(i, p["content_zh"], fmt_num(ti) if ti is not None else "", fmt_num(fi) if fi is not None else "",
                       p.str("expected_effect_zh"), note))
    for _ in range(max(0, 3 - len(rows))):
        rows.append(_t(len(rows) + 1, "", "", "", "", ""))
    return [_h(1, "附件2-1-3 绿色化改造提升建议表", "Annex 2-1-3: proposed green upgrade projects", bi),
            Table("annex-2-1-3", _t("序号", "项目建设内容", "总投资(万元)", "其中固定资产投资(万元)", "预期实施效果", "备注"), tuple(rows),
                  widths_cm=(1.0, 4.0, 1.9, 2.2, 3.9, 3.4)),
            Para("填表说明:园区近期如对该项目有实施意愿,请在备注栏中填写拟实施的时间。备注中请一并填写其他需要说明的事项。", "note")]


def build_report(rd: ReportData, charts: list, cjk: bool = True, lang: str = "zh") -> list[Block]:
    """The whole 附件2-1 report. `charts`: the rendered charts (keys and captions); `cjk` is kept for callers (chart
    labels are Chinese): captions no longer depend on it. `lang`: "zh" | "bilingual"."""
    lang = check_lang(lang)
    bi = lang == "bilingual"
    trend = [(c.key, c.caption_zh) for c in charts if c.key.startswith("trend-")]
    problems = park_problems(rd)
    blocks: list[Block] = []
    blocks += cover(rd, bi)
    blocks.append(PageBreak())
    blocks += basic_info(rd, bi)
    blocks.append(PageBreak())
    blocks += team(rd, bi)
    blocks.append(PageBreak())
    blocks.append(_h(1, "绿色诊断评估报告", "Green diagnosis assessment report", bi))
    blocks += section_overview(rd, bi)
    blocks += section_process(rd, bi)
    blocks += section_content(rd, lang, problems)
    blocks += section_conclusion(rd, trend, lang, problems)
    blocks += section_recommendations(rd, bi)
    blocks += section_references(rd, bi)
    blocks.append(PageBreak())
    blocks += annex_2_1_1(rd, lang)
    blocks.append(PageBreak())
    blocks += annex_2_1_2(rd, lang)
    blocks.append(PageBreak())
    blocks += annex_2_1_3(rd, lang)
    from .zhtext import punctuated  # Chinese text with Chinese punctuation (GB/T 15834), set once for every format

    return [punctuated(b) for b in blocks]
