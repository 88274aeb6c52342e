"""Plain-text renderings for the terminal: the indicator table of a dataset and a diagnosis summary.

Chinese output writes units, percentages and dates as the report does (zhnotation: 元/m³, 12.6%, 2026年4月15日), the rules'
messages included; its punctuation stays half-width, as the summary's own lines are written. English output as written."""

from __future__ import annotations

import decimal
from typing import Optional

from ._round import below_shown, half_up
from .models import Catalogue, ParkDataset
from .zhnotation import unit_superscripts, zh_notation


def _fmt(x, digits: int = 4) -> str:
    """A number for a table cell: `digits` significant digits (2.971), whole with thousands separators from a million
    (2,230,000), and from 1e12 on, where that would be 13 digits or more, in scientific notation again (1.418e+294)."""
    if x is None:
        return "—"
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, int) and abs(x) < 1e12:
        return str(x)
    if isinstance(x, int):
        x = float(x) if abs(x) < 1e308 else decimal.Decimal(x)
    return half_up(x, ",.0f") if 1e6 <= abs(x) < 1e12 else half_up(x, f".{digits}g")


def indicator_table(ds: ParkDataset, cat: Catalogue, lang: str = "zh") -> str:
    """The dataset's indicators × years, with units and where each value came from."""
    head = ["序号", "指标", "单位"] if lang == "zh" else ["No.", "Indicator", "Unit"]
    lines = ["\t".join(head + [str(y) for y in ds.years])]
    for ind in cat.indicators:
        cells = [str(ind.number), ind.name_zh if lang == "zh" else ind.name_en,
                 (unit_superscripts(ind.unit) if lang == "zh" else ind.unit) or "-"]
        for y in ds.years:
            v = ds.value(ind.id, y)
            if v is None:
                cells.append("—")
            elif v.level is not None:
                lv = ind.level(v.level)
                cells.append(lv.zh if lang == "zh" else lv.en)
            else:
                cells.append(_fmt(v.value) + ("*" if v.origin == "derived" else ""))
        lines.append("\t".join(cells))
    lines.append("* 由统计数据推导 (derived from raw statistics)")
    return "\n".join(lines)


NOT_ASSESSABLE = {True: "不可评分", False: "not assessable"}
_ASSESS = {True: {"better": "向好", "worse": "变差", "same": "持平", "n/a": "不可比"},
           False: {"better": "better", "worse": "worse", "same": "same", "n/a": "n/a"}}


DOUBT_SEVERITIES = ("critical", "high", "medium")  # a data check at these severities makes a value one to verify


def to_verify(findings, year: int, scored) -> list[int]:
    """Indicators scored in `year` (scored(number)) on data an anomaly check of DOUBT_SEVERITIES asks to verify (a value
    10,000 times the derived one, above the plausible maximum, read as a fraction…): the year's total waits on them.
    `findings` are (kind, severity, year, indicator number) tuples, from a Diagnosis or from a diagnosis.json."""
    return sorted({int(n) for kind, sev, y, n in findings
                   if kind == "anomaly" and sev in DOUBT_SEVERITIES and y == year and n is not None and scored(int(n))})


SEVERITY_ZH = {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "提示"}  # also the reports'


def _numbers(ns, zh: bool) -> str:
    """Indicator or requirement numbers as a reader writes them (10、28 / 10, 28), not a Python list."""
    return "、".join(map(str, ns)) if zh else ", ".join(map(str, ns))


def band_text(t, baseline, zh: bool) -> str:
    """A year's band, qualified when a mandatory baseline requirement is not met (the guide's 附件2-1-1, 1–6):
    "优秀(基础性要求第4项未满足,评级仅供参考)" / "excellent (baseline requirement 4 not met: rating for reference only)"."""
    band = (t.band_zh if zh else t.band_en) or ""
    if not band or t.band_qualified:
        return band
    ns = baseline.mandatory_unmet
    if zh:
        return f"{band}(基础性要求第{_numbers(ns, zh)}项未满足,评级仅供参考)"
    return f"{band} (baseline requirement{'s' if len(ns) > 1 else ''} {_numbers(ns, zh)} not met: rating for reference only)"


def _general_view(t):
    """A year's total row seen through its general figures (band_text reads band_zh/band_en)."""
    import attrs

    return attrs.evolve(t, total=t.general_total, band_zh=t.general_band_zh, band_en=t.general_band_en)


def _general_change(c):
    """A total's change seen through the guide's figures (general_*), for _score_change: the change the park is graded by."""
    import attrs

    d = c.general_delta
    return attrs.evolve(c, from_score=c.general_from_score, to_score=c.general_to_score, delta=d,
                        assessment="same" if d == 0 else ("better" if d > 0 else "worse"), data_gaps=c.general_data_gaps or (),
                        delta_without_data_gaps=c.general_delta_without_data_gaps)


def _score_change(c, zh: bool) -> str:
    delta = half_up(c.delta, "+.2f") + " " if c.delta is not None else ""
    text = f"{c.from_year}→{c.to_year} {delta}{_ASSESS[zh][c.assessment]}"
    if c.data_gaps and c.delta_without_data_gaps is not None:
        rest = c.delta_without_data_gaps
        like = _ASSESS[zh]["same" if rest == 0 else ("better" if rest > 0 else "worse")]
        if zh:
            text = (f"{c.from_year}→{c.to_year} {delta}(指标 {_numbers(c.data_gaps, True)} 仅一年有评分,"
                    f"除去后 {half_up(rest, '+.2f')} {like})")
        else:
            text = (f"{c.from_year}→{c.to_year} {delta}(indicators {_numbers(c.data_gaps, False)} scored in one year only; "
                    f"without them {half_up(rest, '+.2f')} {like})")
    return text


def diagnosis_summary(diag, lang: str = "zh") -> str:
    """Scores per year and category, findings by severity, recommendation candidates."""
    zh = lang == "zh"
    ds, cat, card = diag.dataset, diag.catalogue, diag.scorecard
    out = []
    title = f"{ds.profile.name} 绿色诊断 {ds.diagnosis_year}" if zh else f"Green diagnosis {ds.diagnosis_year}: {ds.profile.name}"
    out += [title, "=" * 60]
    if ds.fictitious:
        out.append("(虚构示例数据 / fictitious example data)")
    out.append(("目录 " if zh else "Catalogue ") + cat.label + ("  规则 " if zh else "  Rules ") + f"{diag.rules.id} {diag.rules.version} sha256:{diag.rules.sha256[:12]}"
               + "".join(f" + {name}" for name, _ in diag.rules.extensions))
    out.append("")
    out.append(("类别得分" if zh else "Category scores") + "\t" + "\t".join(str(y) for y in ds.years))
    guide_first = any(t.general_total is not None for t in card.totals)  # an overlay added indicators: the guide's scores
    for c in cat.categories:
        cells = [_fmt(cs.general_score if guide_first else cs.score, 4) for y in ds.years for cs in card.categories
                 if cs.category == c.code and cs.year == y]
        out.append(f"{c.code} {c.name_zh if zh else c.name_en}\t" + "\t".join(cells))
    if any(t.general_total is not None for t in card.totals):
        # an overlay added indicators: the park is graded by the guide's indicators alone (附件2-1-2), the total with the
        # added ones follows without a band of its own (one grade per year)
        out.append(("诊断总分(附件2-1-2所列指标)" if zh else "Total (the guide's indicators)") + "\t" + "\t".join(
            f"{_fmt(t.general_total, 4)} {band_text(_general_view(t), card.baseline, zh)}".strip() if t.general_total is not None
            else (NOT_ASSESSABLE[zh] if not t.assessable else "—") for t in card.totals))
        out.append(("含专项诊断指标的总分(仅作补充)" if zh else "Total including the specialised indicators (supplementary)") + "\t"
                   + "\t".join(_fmt(t.total, 4) if t.assessable else NOT_ASSESSABLE[zh] for t in card.totals))
    else:
        out.append(("总分" if zh else "Total") + "\t" + "\t".join(
            f"{_fmt(t.total, 4)} {band_text(t, card.baseline, zh)}".strip() if t.assessable else NOT_ASSESSABLE[zh]
            for t in card.totals))
    gate = card.baseline
    if gate.mandatory_unknown:  # not met ones are named in the band itself
        many = len(gate.mandatory_unknown) > 1
        out.append(f"  基础性要求第{_numbers(gate.mandatory_unknown, zh)}项(必须满足)未核实:评级以其满足为前提" if zh else
                   f"  baseline requirement{'s' if many else ''} {_numbers(gate.mandatory_unknown, zh)} (mandatory) not verified: "
                   f"the rating assumes {'they are' if many else 'it is'} met")
    changes = [c for c in card.score_changes if c.category is None]
    if changes and any(t.general_total is not None for t in card.totals):  # the guide's total first, then the supplementary's
        steps = [_general_change(c) for c in changes if c.general_delta is not None]
        if steps:
            out.append(("诊断总分变化" if zh else "Total change") + "\t" + "; ".join(_score_change(c, zh) for c in steps))
        out.append(("含专项诊断指标的总分变化" if zh else "Change of the total including the specialised indicators") + "\t"
                   + "; ".join(_score_change(c, zh) for c in changes))
    elif changes:
        out.append(("总分变化" if zh else "Total change") + "\t" + "; ".join(_score_change(c, zh) for c in changes))
    scored = {(r.number, r.year): r.status == "scored" for r in card.indicators}
    for t in card.totals:
        if not t.assessable:
            out.append(f"  {t.year}年无数据,不可评分(不计总分与评级,不按0分计)" if zh else
                       f"  {t.year}: no data for this year: not assessable (no total or band; not scored as 0)")
            continue
        doubtful = to_verify(((f.kind, f.severity, f.year, f.indicator) for f in diag.findings), t.year,
                             lambda n, y=t.year: scored.get((n, y), False))
        if doubtful:
            out.append((f"  {t.year}年指标 {_numbers(doubtful, True)} 的数据待核实(见下方数据异常),该年总分与评级仅供参考" if zh else
                        f"  {t.year}: data of indicators {_numbers(doubtful, False)} to be verified (see the anomalies below): "
                        "the year's total and band are indicative only"))
        if t.missing_mandatory:
            effect = half_up(t.missing_effect, "+.2f") if t.missing_effect is not None else "—"
            out.append((f"  {t.year}年必选指标缺失 {_numbers(t.missing_mandatory, True)}(按0分计,影响总分 {effect})" if zh else
                        f"  {t.year}: mandatory indicators missing {_numbers(t.missing_mandatory, False)} (scored 0; effect on total {effect})"))
        if t.missing_optional:
            out.append((f"  {t.year}年可选指标未填报 {_numbers(t.missing_optional, True)}(不计入平均)" if zh else
                        f"  {t.year}: optional indicators not reported {_numbers(t.missing_optional, False)} (left out)"))
        if t.undefined:
            out.append((f"  {t.year}年指标无定义 {_numbers(t.undefined, True)}(统计数据显示分母未增长,不评分、不计入平均)" if zh else
                        f"  {t.year}: indicators undefined {_numbers(t.undefined, False)} (the statistics show no growth of the denominator: not scored, left out)"))
    out.append("(汇总方法为暂定:等权平均,见报告“二、5 诊断方法与评分说明”)" if zh else "(aggregation is provisional: equal-weight means; see report section 二、5, diagnosis method and scoring)")
    out.append("")
    non_rec = [f for f in diag.findings if f.kind != "recommendation"]
    out.append((f"核查发现 {len(non_rec)} 项(合规、数据核查与工作程序)" if zh else f"Findings: {len(non_rec)} (compliance, data checks, procedure)"))
    for f in non_rec:
        out.append(f"  [{SEVERITY_ZH.get(f.severity, f.severity) if zh else f.severity}] {zh_notation(f.message_zh) if zh else f.message_en}")
    out.append("")
    out.append((f"改进建议候选 {len(diag.recommendations)} 项" if zh else f"Recommendation candidates: {len(diag.recommendations)}"))
    for r in diag.recommendations:
        tag = ("标准比对" if r.method == "standard_comparison" else "先进对照") if zh else r.method
        pts = _gain(r.total_points, zh)
        measures = zh_notation("、".join(m["title_zh"] for m in r.measures)) if zh else "; ".join(m["title_en"] for m in r.measures)
        out.append(f"  [{tag}] {zh_notation(r.message_zh) if zh else r.message_en}{pts}")
        if measures:
            out.append(("      措施:" if zh else "      measures: ") + measures)
    return "\n".join(out)


def _gain(points: Optional[float], zh: bool) -> str:
    """A candidate's gain in total points, two decimals half up, as the report words it: a gain two decimals would
    print as 0.00 is "不足0.01" / "less than 0.01", so the summary never promises +0.00 for a real gain."""
    if not points:
        return ""
    tiny = below_shown(points, 2)
    if zh:
        return f"(+不足{tiny} 总分)" if tiny else f"(+{half_up(points, '.2f')} 总分)"
    return f" (+less than {tiny} total)" if tiny else f" (+{half_up(points, '.2f')} total)"
