"""The report as format-neutral blocks (附件2-1 structure), so Word, Markdown and HTML carry the same sections.

Block kinds: Heading, Para, Bullets, Table, ChartRef, PageBreak. Renderers in docx_report / markdown / html.
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

from ._data import (ASSESS, METHOD_ZH, SEVERITY_ZH, STATUS_ZH, ReportData, fmt_date_zh, fmt_num, fmt_score, fmt_signed)

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
    style: str = "body"  # body | en | note | cover-title | cover-field | cover-date | signature | center | caption


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


def _level_boxes(level: str) -> str:
    norm = {"national": "国家级", "municipal": "市级", "other": "其他"}.get(level, level)
    return "   ".join(("☑" if norm == opt else "☐") + opt for opt in ("国家级", "市级", "其他"))


def _person(node, key: str) -> tuple[str, str, str, str]:
    p = node.get(key) or {}
    if not p:
        return "", "", "", ""
    return p.str("name"), p.str("phone"), p.str("email"), p.str("fax")


# ------------------------------------------------------------------ front matter

def cover(rd: ReportData) -> list[Block]:
    out: list[Block] = [Para(TITLE, "cover-title"),
                        Para(f"园区名称:{rd.park_name}", "cover-field"),
                        Para(f"绿色诊断服务商名称:{rd.provider_label}", "cover-field"),
                        Para(fmt_date_zh(rd.report_date().isoformat() if rd.report_date() else None, "20  年    月    日"), "cover-date")]
    if rd.fictitious:
        out.append(Para("(虚构示例数据,仅用于演示 / fictitious example data, for demonstration only)", "center"))
    return out


def basic_info(rd: ReportData) -> list[Block]:
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
    return [Heading(1, "基本信息表", "Basic information"),
            Table("basic-info", _t("项目", "内容"), tuple(rows), widths_cm=(5.0, 11.0), header_row=False, span_rows=(0, 10)),
            Para("本机构承诺,已对该工业园区绿色发展水平进行了诊断,材料真实有效,绿色诊断服务流程规范完整,结论客观公正。"
                 "诊断评估报告若存在弄虚作假,本机构愿承担责任。"),
            Para("(The provider confirms that the park was diagnosed, the material is true and valid, the procedure "
                 "complete and the conclusions objective; it is liable for any falsification in this report.)", "en"),
            Para("负责人签字:________________", "signature"),
            Para("(单位公章)", "signature"),
            Para("年    月    日", "signature")]


def team(rd: ReportData) -> list[Block]:
    members = list(rd.engagement["team"])
    experts = [m for m in members if not m.get("park_staff")]
    staff = [m for m in members if m.get("park_staff")]
    rows = []
    for group, people in (("专家成员", experts), ("园区工作人员", staff)):
        if not people:
            rows.append(_t(group, "1", "", "", "", ""))
        for i, m in enumerate(people, 1):
            rows.append(_t(group, i, m.str("name"), m.str("role"), m.str("title"), m.str("speciality")))
    return [Heading(1, "绿色诊断工作组成员表", "Diagnosis team"),
            Table("team", _t("类别", "序号", "姓名", "绿色诊断工作分工", "职称", "从事专业"), tuple(rows), merge_col0=True,
                  widths_cm=(2.6, 1.2, 2.2, 4.2, 3.2, 3.0))]


# ------------------------------------------------------------------ sections 一 … 六

def _baseline_summary(rd: ReportData) -> tuple[int, list]:
    met = [b for b in rd.baseline if STATUS_ZH.get(str(b["status"])) == "符合"]
    other = [b for b in rd.baseline if STATUS_ZH.get(str(b["status"])) != "符合"]
    return len(met), other


def _highlights(rd: ReportData) -> list[str]:
    last, first = rd.last_year, rd.first_year
    out = []
    t0, t1 = rd.totals.get(first), rd.totals.get(last)
    if t0 is not None and t1 is not None and isinstance(t0["total"], (int, float)) and isinstance(t1["total"], (int, float)):
        if t1["total"] > t0["total"]:
            out.append(f"诊断总分由{first}年的{fmt_score(t0['total'])}分提高到{last}年的{fmt_score(t1['total'])}分。")
    at_lead = [n for n in rd.indicator_numbers if isinstance(rd.score(n, last), (int, float)) and rd.score(n, last) >= 100]
    if at_lead:
        out.append(f"{last}年达到或优于引领值的指标共{len(at_lead)}项:" + "、".join(rd.name(n) for n in at_lead) + "。")
    better = [n for n in rd.indicator_numbers if rd.assessment(n, first, last) == "better"]
    if better:
        out.append(f"{first}—{last}年持续向好的指标共{len(better)}项:" + "、".join(rd.name(n) for n in better) + "。")
    n_met, _ = _baseline_summary(rd)
    if n_met:
        out.append(f"基础性要求{len(rd.baseline)}项中符合{n_met}项。")
    best = sorted(((rd.cat_scores.get((c["code"], last)), c) for c in rd.categories
                   if isinstance(rd.cat_scores.get((c["code"], last)), (int, float))), key=lambda x: -x[0])
    if best:
        out.append(f"{last}年得分最高的类别为{best[0][1]['name_zh']}({fmt_score(best[0][0])}分)。")
    return out or ["未识别出突出亮点。"]


def _problem_items(rd: ReportData) -> list[str]:
    items = []
    for f in rd.problems():
        sev = SEVERITY_ZH.get(str(f["severity"]), str(f["severity"]))
        items.append(f"[{sev}] {f['message_zh']}({f['message_en']})")
    worse = [n for n in rd.indicator_numbers if rd.assessment(n, rd.first_year, rd.last_year) == "worse"]
    if worse:
        items.append(f"{rd.first_year}—{rd.last_year}年变差的指标:" + "、".join(rd.name(n) for n in worse) + "。")
    return items or ["未发现问题(no findings)。"]


def section_overview(rd: ReportData) -> list[Block]:
    e, park = rd.engagement, rd.park
    scope = e.str("scope_description") or "园区全部批复范围"
    full = e.get("scope_full")
    special = [str(s) for s in (e.get("specialised") or [])]
    overlays = [" ".join(str(x) for x in o) for o in (rd.root.get("catalogue_overlays") or [])]
    criteria = (f"诊断依据{GUIDE}、工业和信息化部《绿色园区评价要求》及相关国家和地方标准;指标目录 {rd.root.str('catalogue_id')} "
                f"{rd.root.str('catalogue_version')}" + (f",扩展目录(专项诊断){'、'.join(overlays)}" if overlays else "") + "。")
    p1 = (f"本次绿色诊断旨在帮助园区发现问题、挖掘潜力、提升能源资源使用效率和管理水平、减少污染物排放。诊断范围:{scope}"
          + ("" if full is None or full else "(部分区域,需经市经济和信息化局同意)") + "。"
          + (f"专项诊断:{'、'.join(special)}。" if special else "通用基础诊断。"))
    basics = [f"园区名称:{rd.park_name}", f"园区级别:{park.str('level') or '—'}", f"管理机构:{park.str('management_body') or '—'}",
              f"地址:{park.str('address') or '—'}"]
    area = park.get("area_km2")
    if isinstance(area, (int, float)):
        basics.append(f"面积:{fmt_num(area)} 平方公里")
    if park.str("leading_industries"):
        basics.append(f"主导产业:{park.str('leading_industries')}")
    out: list[Block] = [Heading(1, "一、概述", "Overview"),
                        Heading(2, "1. 诊断评估的目的、范围及准则", "Purpose, scope and criteria"),
                        Para(p1), Para(criteria),
                        Heading(2, "2. 园区基本情况", "The park"),
                        Bullets(tuple(basics))]
    if park.str("description"):
        out.append(Para(park.str("description")))
    return out


def section_process(rd: ReportData) -> list[Block]:
    e = rd.engagement
    start, end = e.get("onsite_start"), e.get("onsite_end")
    items = [f"诊断工作组{e.get('team_size', len(e['team']))}人,其中相关专业(能源、环境、生态、低碳、生命周期评价等)高级职称{e.get('senior_count', '—')}人、主导过绿色制造相关项目{e.get('led_green_projects_count', '—')}人、"
             f"园区工作人员{e.get('park_staff_count', '—')}人(见绿色诊断工作组成员表)。",
             f"保密承诺书提交:{fmt_date_zh(e.get('confidentiality_submitted'), '未记录')};诊断工作开始:{fmt_date_zh(e.get('work_started'), '未记录')}。",
             f"现场诊断:{fmt_date_zh(start, '未记录')}至{fmt_date_zh(end, '未记录')},共{e.get('onsite_working_days') if e.get('onsite_working_days') is not None else '—'}个工作日。",
             f"报告提交:{fmt_date_zh(e.get('report_submitted'), '未记录')}。"]
    if e.get("follow_up_due"):
        items.append(f"后续跟踪反馈到期:{fmt_date_zh(e.get('follow_up_due'))}。")
    methods = (f"诊断采用标准比对法、先进对照法等方法:各指标数值与引领值比对计分(单项最高120分),类别得分与总分为等权平均(暂定方法);"
               f"规则库 {rd.root.str('rules_id')} {rd.root.str('rules_version')}(sha256 {rd.root.str('rules_sha256')[:12]})。")
    out: list[Block] = [Heading(1, "二、诊断评估过程和方法", "Process and methods"), Bullets(tuple(items)), Para(methods)]
    eng = [f for f in rd.findings if str(f["rule_id"]).startswith("engagement.")]
    if eng:
        out.append(Para("工作程序核查:"))
        out.append(Bullets(tuple(f"[{SEVERITY_ZH.get(str(f['severity']), f['severity'])}] {f['message_zh']}" for f in eng)))
    return out


def category_table(rd: ReportData) -> Table:
    rows = []
    for c in rd.categories:
        rows.append(_t(f"{c['code']} {c['name_zh']}", *(fmt_score(rd.cat_scores.get((c["code"], y))) for y in rd.years)))
    totals = [rd.totals.get(y) for y in rd.years]
    rows.append(_t("总分", *(("不可评分" if t.get("assessable") is False else fmt_score(t["total"])) if t is not None else "—" for t in totals)))
    rows.append(_t("评级", *((t.get("band_zh") or "—") if t is not None else "—" for t in totals)))
    return Table("category-scores", _t("类别", *(f"{y}年" for y in rd.years)), tuple(rows), caption="表1 各类别得分与总分",
                 widths_cm=(6.0,) + (3.0,) * len(rd.years))


def _category_highlights(rd: ReportData) -> list[str]:
    """One line per category: last year's score, change since the first year, indicators at the lead value."""
    first, last = rd.first_year, rd.last_year
    out = []
    for c in rd.categories:
        s1, s0 = rd.cat_scores.get((c["code"], last)), rd.cat_scores.get((c["code"], first))
        if not isinstance(s1, (int, float)):
            continue
        text = f"{c['name_zh']}:{last}年{fmt_score(s1)}分"
        if isinstance(s0, (int, float)):
            d = s1 - s0
            text += f",较{first}年{'提高' if d > 0 else '下降' if d < 0 else '持平'}" + (f"{abs(d):.1f}分" if d else "")
        lead = [rd.name(n) for n in rd.indicator_numbers
                if rd.meta[n]["category"] == c["code"] and isinstance(rd.score(n, last), (int, float)) and rd.score(n, last) >= 100]
        text += (";达到或优于引领值:" + "、".join(lead) if lead else ";尚无指标达到引领值") + "。"
        out.append(text)
    return out or ["无可比较的类别得分。"]


def _problem_summary(rd: ReportData) -> list[str]:
    probs = rd.problems()
    counts: dict[str, int] = {}
    for f in probs:
        counts[str(f["severity"])] = counts.get(str(f["severity"]), 0) + 1
    head = f"诊断发现问题{len(probs)}项" + ("(" + "、".join(f"{SEVERITY_ZH.get(k, k)}{v}项" for k, v in counts.items()) + ")" if counts else "") + ",详见三、4。"
    out = [head]
    out += [f"[{SEVERITY_ZH.get(str(f['severity']), f['severity'])}] {f['message_zh']}" for f in probs if f["severity"] != "info"]
    below = [rd.name(n) for n in rd.indicator_numbers if isinstance(rd.score(n, rd.last_year), (int, float)) and rd.score(n, rd.last_year) < 100]
    if below:
        out.append(f"{rd.last_year}年未达到引领值的指标{len(below)}项:" + "、".join(below) + "。")
    worse = [rd.name(n) for n in rd.indicator_numbers if rd.assessment(n, rd.first_year, rd.last_year) == "worse"]
    if worse:
        out.append(f"{rd.first_year}—{rd.last_year}年变差的指标:" + "、".join(worse) + "。")
    return out


def section_content(rd: ReportData, cjk_charts: bool) -> list[Block]:
    n_met, other = _baseline_summary(rd)
    base = f"基础性要求共{len(rd.baseline)}项,符合{n_met}项" + (
        ";" + ";".join(f"第{b['number']}项{STATUS_ZH.get(str(b['status']), str(b['status']))}:{str(b['text_zh']).rstrip('。')}" for b in other)
        if other else "") + "。详见附件2-1-1。"
    out: list[Block] = [Heading(1, "三、诊断评估内容", "Content of the diagnosis"),
                        Heading(2, "1. 基础性要求符合情况", "Baseline requirements"), Para(base),
                        Heading(2, "2. 能源利用、资源利用、基础设施、产业、生态环境、运行管理情况", "Energy, resources, infrastructure, industry, environment, management"),
                        Para(f"{rd.first_year}—{rd.last_year}年各类别得分与总分见表1和图1,各指标数据见附件2-1-2。"),
                        category_table(rd),
                        ChartRef("category-scores", "图1 各类别得分(按年份)" + ("" if cjk_charts else "(图中标签为英文:未找到中文字体)"))]
    for t in (rd.totals.get(y) for y in rd.years):
        if t is None:
            continue
        if t.get("assessable") is False:  # no data at all: no scores, not zeros
            out.append(Para(f"{t['year']}年无数据,不可评分(不计类别得分、总分与评级,不按0分计)。", "note"))
            continue
        mm, mo = list(t.get("missing_mandatory") or []), list(t.get("missing_optional") or [])
        if mm:
            out.append(Para(f"{t['year']}年必选指标缺失{mm},按0分计(影响总分{fmt_signed(t.get('missing_effect'))}分)。", "note"))
        if mo:
            out.append(Para(f"{t['year']}年可选指标未填报:" + "、".join(f"{n} {rd.name(n)}" for n in mo if n in rd.meta) + "(不计入平均)。", "note"))
    out += [Heading(2, "3. 已开展的重点工作和取得的成绩", "Work done and achievements"), Bullets(tuple(_highlights(rd))),
            Heading(2, "4. 存在问题", "Problems found"), Bullets(tuple(_problem_items(rd)))]
    return out


def change_table(rd: ReportData) -> Table:
    ys = rd.years
    rows = []
    for n in rd.indicator_numbers:
        steps = []
        for a, b in zip(ys, ys[1:]):
            zh, arrow = ASSESS.get(rd.assessment(n, a, b), ("—", "—"))
            steps.append(arrow)
        c = rd.change(n, ys[0], ys[-1])
        overall = ASSESS.get(rd.assessment(n, ys[0], ys[-1]), ("—", "—"))[0]
        delta = "—"
        if c is not None and rd.meta[n]["kind"] != "qualitative":
            delta = fmt_signed(c.get("delta"))
        rows.append(_t(n, rd.name(n), rd.unit(n), *(rd.value_text(n, y) for y in ys), rd.lead_text(n), " ".join(steps), delta, overall))
    return Table("indicator-changes", _t("序号", "指标", "单位", *(f"{y}年" for y in ys), "引领值", "逐年", f"{ys[0]}→{ys[-1]}变化", "评价"),
                 tuple(rows), caption=f"表2 各指标{ys[0]}—{ys[-1]}年数值变化(↑向好 ↓变差 →持平 —无法比较)",
                 widths_cm=(1.0, 3.7, 1.6) + (1.5,) * len(ys) + (1.4, 1.2, 1.6, 1.4))


def section_conclusion(rd: ReportData, chart_keys: list[tuple[str, str]]) -> list[Block]:
    last = rd.last_year
    t = rd.totals.get(last)
    n_met, other = _baseline_summary(rd)
    if t is not None and isinstance(t["total"], (int, float)):
        seq = "、".join(f"{y}年{fmt_score(rd.totals[y]['total'])}分" for y in rd.years if y in rd.totals and isinstance(rd.totals[y]["total"], (int, float)))
        overall = (f"综合评估:园区{last}年诊断评分为{fmt_score(t['total'])}分,评级为“{t.get('band_zh') or '—'}”({t.get('band_en') or '—'});"
                   f"三年总分依次为{seq}。")
    else:
        overall = f"综合评估:{last}年无法计算诊断评分(数据不足)。"
    if other:
        overall += f"基础性要求有{len(other)}项未符合,应优先整改。"
    better = sum(1 for n in rd.indicator_numbers if rd.assessment(n, rd.first_year, last) == "better")
    worse = sum(1 for n in rd.indicator_numbers if rd.assessment(n, rd.first_year, last) == "worse")
    same = sum(1 for n in rd.indicator_numbers if rd.assessment(n, rd.first_year, last) == "same")
    out: list[Block] = [Heading(1, "四、诊断评估结论", "Conclusions"),
                        Heading(2, "1. 工作亮点", "Highlights"), Bullets(tuple(_category_highlights(rd))),
                        Heading(2, "2. 存在问题", "Problems"), Bullets(tuple(_problem_summary(rd))),
                        Heading(2, "3. 整体评估与诊断评分", "Overall evaluation and score"), Para(overall),
                        Heading(2, "4. 附件2-1-1 符合性情况", "Compliance with 附件2-1-1"),
                        Para(f"基础性要求{len(rd.baseline)}项中符合{n_met}项,不符合或未核查{len(other)}项(见附件2-1-1)。"),
                        Heading(2, "5. 附件2-1-2 各项指标数值变化情况", "Change of each indicator"),
                        Para(f"{rd.first_year}—{last}年共{len(rd.indicator_numbers)}项指标中,向好{better}项、变差{worse}项、持平{same}项,"
                             f"其余无法比较(数据缺失)。变化原因请结合园区实际情况补充说明。"),
                        change_table(rd)]
    for key, caption in chart_keys:
        out.append(ChartRef(key, caption))
    return out


def section_recommendations(rd: ReportData) -> list[Block]:
    items = []
    for r in rd.recommendations:
        method = METHOD_ZH.get(str(r["method"]), str(r["method"]))
        gain = r.get("total_points")
        text = f"[{method}] {r['message_zh']}" + (f"(可提高总分约{gain:.2f}分)" if isinstance(gain, (int, float)) and gain else "")
        measures = [f"{m['title_zh']}" for m in r["measures"]]
        if measures:
            text += ";措施:" + "、".join(measures)
        items.append(text)
    out: list[Block] = [Heading(1, "五、建议", "Recommendations"),
                        Para("针对诊断发现的差距,提出以下下一步工作建议;绿色化改造提升项目建议汇总见附件2-1-3(候选项目的投资由园区填写)。"),
                        Bullets(tuple(items or ["暂无建议(no recommendation candidates)。"]), ordered=True)]
    return out


def _references(rd: ReportData) -> list[str]:
    seen: dict[str, None] = {GUIDE: None, "工业和信息化部《绿色园区评价要求》": None}
    for f in list(rd.findings) + list(rd.recommendations):
        src = f.get("source")
        if src is not None and src.get("title"):
            seen.setdefault(f"《{src['title']}》".replace("《《", "《").replace("》》", "》"), None)
    for b in rd.baseline:
        if b.get("evidence"):
            seen.setdefault(f"附件2-1-1 第{b['number']}项:{b['evidence']}", None)
    for n in rd.indicator_numbers:
        for y in rd.years:
            r = rd.rows.get((n, y))
            if r is not None and r["evidence"]:
                seen.setdefault(f"附件2-1-2 {n} {rd.name(n)}({y}年):{r['evidence']}", None)
    return list(seen)


def section_references(rd: ReportData) -> list[Block]:
    out: list[Block] = [Heading(1, "六、参考文件", "References"),
                        Para("报告编写过程中使用的参考文件与证明材料索引(与附件2-1-1、附件2-1-2证明材料索引一栏对应):"),
                        Bullets(tuple(_references(rd)), ordered=True)]
    if rd.provisional:
        out.append(Para(f"附注:本报告使用的指标目录中有{len(rd.provisional)}处暂定内容(引领值或方法未找到公开出处),评分结论应结合专家判断:", "note"))
        out.append(Bullets(tuple(f"{p.str('what')}:{p.str('why')}" for p in rd.provisional)))
    return out


# ------------------------------------------------------------------ annex tables

def annex_2_1_1(rd: ReportData) -> list[Block]:
    rows = tuple(_t(b["number"], b["text_zh"], STATUS_ZH.get(str(b["status"]), str(b["status"])),
                    "".join(x for x in (b.str("evidence"), ("" if not b.str("note") else f"({b.str('note')})")) if x))
                 for b in sorted(rd.baseline, key=lambda b: int(b["number"])))
    return [Heading(1, "附件2-1-1 工业园区绿色诊断基础性要求诊断表", "Annex 2-1-1: baseline requirements"),
            Table("annex-2-1-1", _t("序号", "基本要求", "是否符合", "证明材料索引"), rows, widths_cm=(1.2, 9.3, 1.9, 4.0))]


def annex_2_1_2(rd: ReportData) -> list[Block]:
    out: list[Block] = [Heading(1, "附件2-1-2 工业园区绿色诊断评价表", "Annex 2-1-2: indicator evaluation")]
    for i, y in enumerate(rd.years, 1):
        rows = []
        for n in rd.indicator_numbers:
            m = rd.meta[n]
            rows.append(_t(f"{rd.category_name(str(m['category']))}({m['category']})", n, m["name_zh"], rd.unit(n),
                           rd.value_text(n, y), fmt_score(rd.score(n, y)), rd.note_text(n, y)))
        t = rd.totals.get(y)
        total = ("" if t is None else f"{y}年无数据,不可评分。" if t.get("assessable") is False
                 else f"{y}年诊断总分:{fmt_score(t['total'])}分,评级:{t.get('band_zh') or '—'}")
        out.append(Heading(2, f"第{i}年({y}年)指标数据评价情况", f"Year {i} ({y})"))
        out.append(Table(f"annex-2-1-2-{y}", _t("一级指标", "序号", "二级指标", "指标单位", "指标数据", "得分", "证明材料索引/评价情况说明"),
                         tuple(rows), merge_col0=True, widths_cm=(2.4, 1.0, 4.3, 1.7, 1.7, 1.3, 4.0), note=total))
    out.append(Para("注:1. 单项指标最高得分不超过120分。2. 年份1至年份3原则上为绿色诊断实施年份的前三年。", "note"))
    return out


def annex_2_1_3(rd: ReportData) -> list[Block]:
    rows = []
    for i, p in enumerate(rd.projects, 1):
        note = p.str("note")
        addresses = [rd.subject_name(str(a)) for a in (p.get("addresses") or [])]
        if addresses:
            note = (note + ";" if note else "") + "针对:" + "、".join(addresses)
        ti, fi = p.get("total_investment"), p.get("fixed_investment")
        rows.append(_t(i, p["content_zh"], fmt_num(ti) if ti is not None else "", fmt_num(fi) if fi is not None else "",
                       p.str("expected_effect_zh"), note))
    for _ in range(max(0, 3 - len(rows))):
        rows.append(_t(len(rows) + 1, "", "", "", "", ""))
    return [Heading(1, "附件2-1-3 绿色化改造提升建议表", "Annex 2-1-3: proposed green upgrade projects"),
            Table("annex-2-1-3", _t("序号", "项目建设内容", "总投资(万元)", "其中固定资产投资(万元)", "预期实施效果", "备注"), tuple(rows),
                  widths_cm=(1.0, 4.0, 1.9, 2.2, 3.9, 3.4)),
            Para("填表说明:园区近期如对该项目有实施意愿,请在备注栏中填写拟实施的时间。备注中请一并填写其他需要说明的事项。", "note")]


def build_report(rd: ReportData, charts: list, cjk: bool = True) -> list[Block]:
    """The whole 附件2-1 report. `charts`: the rendered charts (keys and captions); `cjk`: chart labels are Chinese."""
    trend = [(c.key, c.caption_zh + ("" if cjk else "(图中标签为英文:未找到中文字体)")) for c in charts if c.key.startswith("trend-")]
    blocks: list[Block] = []
    blocks += cover(rd)
    blocks.append(PageBreak())
    blocks += basic_info(rd)
    blocks.append(PageBreak())
    blocks += team(rd)
    blocks.append(PageBreak())
    blocks.append(Heading(1, "绿色诊断评估报告", "Green diagnosis assessment report"))
    blocks += section_overview(rd)
    blocks += section_process(rd)
    blocks += section_content(rd, cjk)
    blocks += section_conclusion(rd, trend)
    blocks += section_recommendations(rd)
    blocks += section_references(rd)
    blocks.append(PageBreak())
    blocks += annex_2_1_1(rd)
    blocks.append(PageBreak())
    blocks += annex_2_1_2(rd)
    blocks.append(PageBreak())
    blocks += annex_2_1_3(rd)
    return blocks
