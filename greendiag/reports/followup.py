"""《绿色诊断后续跟踪反馈》: the follow-up document (Word and Markdown) from a FollowUp, built from the report's content
blocks so that both formats carry the same text. `lang`: "zh", or "bilingual" (English headings and names alongside)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from .._round import half_up
from .content import FICTITIOUS_EN, FICTITIOUS_ZH, GUIDE, Block, Heading, Para, Table
from ._data import check_lang, fmt_date_zh

if TYPE_CHECKING:
    from ..followup import FollowUp

TITLE = "绿色诊断后续跟踪反馈"
TITLE_EN = "Follow-up of the green diagnosis"


def money(x: Optional[float]) -> str:
    """万元 with at most two decimals, half up, no trailing zeros: 3100, 12.5, 0.33; "" for none."""
    if x is None:
        return ""
    text = half_up(float(x), ".2f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _h(level: int, zh: str, en: str, bi: bool) -> Heading:
    return Heading(level, zh, en if bi else None)


EMPTY = "—"  # every empty cell of the document's tables: a blank cell reads as forgotten, a dash as "nothing to report"


def _row(*cells) -> tuple[str, ...]:
    return tuple(EMPTY if c is None or c == "" else str(c) for c in cells)


def counts_sentence(fu: "FollowUp") -> str:
    """采纳 n 项、部分采纳 n 项、未采纳 n 项;…已完成…;实际投资合计."""
    c = fu.counts()
    a, i = c["adoption"], c["implementation"]
    text = f"诊断提出的{c['total']}项绿色化改造建议中,已采纳{a['adopted']}项、部分采纳{a['partly']}项、未采纳{a['not_adopted']}项。"
    if c["taken"]:
        text += f"已采纳或部分采纳的{c['taken']}项中,已完成{i['done']}项、实施中{i['in_progress']}项、未启动{i['not_started']}项。"
    rows = sum(1 for p in fu.projects if p.investment is not None)
    if rows:
        text += f"填报实际投资的{rows}项合计{money(fu.investment_total())}万元。"
    else:
        text += "尚未填报实际投资。"
    return text


def counts_sentence_en(fu: "FollowUp") -> str:
    c = fu.counts()
    a, i = c["adoption"], c["implementation"]
    rows = sum(1 for p in fu.projects if p.investment is not None)
    return (f"Of the {c['total']} suggestions, {a['adopted']} adopted, {a['partly']} partly adopted, {a['not_adopted']} not adopted"
            + (f"; of the {c['taken']} adopted in whole or part, {i['done']} done, {i['in_progress']} in progress, {i['not_started']} not started. "
               if c["taken"] else ". ")
            + (f"Actual investment of the {rows} rows that give one: {money(fu.investment_total())} (10⁴ yuan)." if rows
               else "No actual investment given yet."))


def build_followup(fu: "FollowUp", lang: str = "zh") -> list[Block]:
    """The document as blocks, Chinese punctuation set (zhtext.punctuated) as in the report."""
    from ._data import ReportData
    from .zhtext import punctuated

    bi = check_lang(lang) == "bilingual"
    rd = ReportData(fu.diagnosis())
    out: list[Block] = [_h(1, TITLE, TITLE_EN, bi)]
    if fu.fictitious:
        out.append(Para(FICTITIOUS_ZH.replace("本报告", "本文件"), "banner"))
        if bi:
            out.append(Para(FICTITIOUS_EN, "en"))
    out += [_h(2, "一、基本情况", "1. General information", bi),
            Table("followup-info", _row("项目", "内容"), (
                _row("园区名称", fu.park),
                _row("诊断年份", f"{fu.diagnosis_year}年"),
                _row("诊断报告日期", fmt_date_zh(fu.report_date, "(诊断结果未载明)")),
                _row("绿色诊断服务商", fu.provider),
                _row("应反馈日期(诊断完成一年后)", fmt_date_zh(fu.due_date, EMPTY)),
                _row("跟踪反馈日期", fmt_date_zh(fu.followup_date)),
                _row("填报人", fu.prepared_by),
            ), widths_cm=(5.0, 11.0)),
            Para(f"依据{GUIDE}六“后续跟踪服务”:服务商应对被诊断园区后续绿色低碳发展情况进行持续跟踪,在诊断完成一年后向市区经信部门反馈"
                 "绿色化改造建议采纳情况、被诊断园区绿色化改造措施落实情况及园区下一步提升计划。", "note")]
    if fu.early:
        out.append(Para(f"本次跟踪反馈早于应反馈日期({fmt_date_zh(fu.due_date)}),为提前反馈。", "note"))
    out += [_h(2, "二、绿色化改造建议采纳与落实情况", "2. Adoption and implementation of the suggestions", bi),
            Para(counts_sentence(fu))]
    if bi:
        out.append(Para(counts_sentence_en(fu), "en"))
    rows = []
    for p in fu.projects:
        title = p.title_zh + (f"\n{p.title_en}" if bi and p.title_en != p.title_zh else "")
        addresses = "、".join(rd.subject_label(a) for a in p.addresses)
        adoption = _word(p.adoption_words(), bi)
        impl = _word(p.implementation_words(), bi) if p.implementation else EMPTY
        said = [s for s in (("实施效果:" + p.effect) if p.effect else None, ("未采纳原因:" + p.reason) if p.reason else None,
                            ("证明材料:" + p.evidence) if p.evidence else None, ("备注:" + p.note) if p.note else None) if s]
        rows.append(_row(p.number, title + (f"\n(针对:{addresses})" if addresses else ""), adoption, impl,
                         fmt_date_zh(p.completed, ""), money(p.planned_investment), money(p.investment), ";".join(said)))
    out.append(Table("followup-projects", _row("序号", "项目建设内容(附件2-1-3)", "采纳情况", "落实情况", "完成日期", "计划投资(万元)",
                                               "实际投资(万元)", "实施效果与说明"), tuple(rows),
                     widths_cm=(1.0, 4.2, 1.6, 1.6, 2.2, 1.6, 1.6, 3.6)))
    out.append(Para(f"计划投资为诊断时园区自有项目填报的总投资(诊断提出的候选项目未估算投资);表中“{EMPTY}”表示无此项或未填报。", "note"))
    out += [_h(2, "三、园区下一步提升计划", "3. The park's next steps", bi),
            Table("followup-plan", _row("序号", "计划内容", "计划时间", "责任单位", "备注"),
                  tuple(_row(i, s.item, s.planned, s.responsible, s.note) for i, s in enumerate(fu.next_steps, 1)),
                  widths_cm=(1.0, 7.0, 3.0, 2.6, 3.0))]
    if fu.notes:
        out.append(_h(2, "四、说明", "4. Notes", bi))
        for n in fu.notes:
            out.append(Para(n.message_zh.rstrip("。") + "。", "note"))  # a message is a clause; in the document, a sentence
            if bi:
                out.append(Para(n.message_en, "en"))
    return [punctuated(b) for b in out]


def _word(words: tuple[str, str], bi: bool) -> str:
    return f"{words[0]}\n{words[1]}" if bi else words[0]


def render_followup(fu: "FollowUp", *, lang: str = "zh") -> list[tuple[str, str | bytes]]:
    """(file name, content) of followup.json, followup.docx and followup.md; the same FollowUp gives the same bytes."""
    from .markdown import render_markdown

    blocks = build_followup(fu, lang)
    return [("followup.json", fu.to_json()), ("followup.docx", _docx(fu, blocks)), ("followup.md", render_markdown(blocks))]


def _docx(fu: "FollowUp", blocks: list[Block]) -> bytes:
    from ._data import ReportData
    from .docx_report import add_blocks, new_document, to_bytes

    doc = new_document(ReportData(fu.diagnosis()), f"{fu.park} {TITLE}", f"{TITLE}(指南六)")
    when = dt.datetime.fromisoformat(fu.followup_date)  # fixed from the record, never now(): same input, same bytes
    cp = doc.core_properties
    cp.created = cp.modified = cp.last_printed = when
    cp.comments = f"generated by greendiag: follow-up of the diagnosis of {fu.park} ({fu.diagnosis_year})"
    add_blocks(doc, blocks, {})
    return to_bytes(doc, when)
