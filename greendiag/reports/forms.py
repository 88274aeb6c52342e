"""Forms 附件2-2 保密承诺书, 2-3 绿色诊断评估工作确认单, 2-4 绿色诊断服务工作满意度评价表 as .docx, prefilled.

Park, provider and the dates the diagnosis knows (on-site work, report, report meeting) are filled in; signatures,
seals and satisfaction stay blank. Forms are Chinese only, set with Chinese punctuation as the report is (zhtext);
a fictitious dataset puts a 虚构示例 banner on each.
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from . import fonts
from ._data import ReportData, fmt_date_zh, parse_date
from .content import Table
from .docx_report import BANNER, add_para, add_table, new_document, to_bytes
from .zhtext import punctuated, zh_punctuation

BLANK_DATE = "    年    月    日"
BLANK_NAME = "________________"  # no provider recorded yet: a line to write the name on by hand

# (file name, annex, title)
FORMS = (("form-2-2-confidentiality.docx", "附件2-2", "保密承诺书"),
         ("form-2-3-confirmation.docx", "附件2-3", "绿色诊断评估工作确认单"),
         ("form-2-4-satisfaction.docx", "附件2-4", "绿色诊断服务工作满意度评价表"))

PLEDGES = ("一、认真遵守国家保密法律法规以及被诊断园区规章制度,履行保密义务。",
           "二、不提供虚假信息,自愿接受保密审查。",
           "三、不违规记录、录音存储、复制园区未对外公开披露的相关信息,不违规留存相关的秘密载体。",
           "四、不以任何方式泄露本项目所接触和知悉的秘密信息以及相关内容。",
           "五、不与其他人相互串通谎报、瞒报相关关键数据,不从事恶意破坏项目有序运行,及损害他人合法利益的一切行为。",
           "六、不采取贿赂、威胁等非法手段,不隐瞒事实真相,不恶意篡改数据。",
           "七、未经园区审查批准,不擅自发表涉及未公开工作内容和涉密的任何信息。")


FICTITIOUS = "【虚构示例】本表根据虚构示例数据生成,仅用于演示,不得签署或报送。"
THIRD_PARTY_INSTRUCTION = "(如绿色诊断服务商未提供相关服务,本段删除)"


def _head(doc, rd: ReportData, annex: str, title: str) -> None:
    if rd.fictitious:
        add_para(doc, zh_punctuation(FICTITIOUS), align=WD_ALIGN_PARAGRAPH.CENTER, size=12, bold=True, color=BANNER, east_asia=fonts.DOCX_HEADING_EA)
    add_para(doc, annex, size=12, east_asia=fonts.DOCX_HEADING_EA)
    add_para(doc, title, align=WD_ALIGN_PARAGRAPH.CENTER, size=18, bold=True, east_asia=fonts.DOCX_HEADING_EA, space_before=12)
    add_para(doc, "")


def _body(doc, text: str) -> None:
    p = add_para(doc, zh_punctuation(text), size=12)
    p.paragraph_format.first_line_indent = Pt(24)
    p.paragraph_format.line_spacing = 1.5


def _right(doc, text: str, space: float = 12) -> None:
    add_para(doc, zh_punctuation(text), align=WD_ALIGN_PARAGRAPH.RIGHT, size=12, space_before=space)


def confidentiality(rd: ReportData) -> bytes:
    doc = new_document(rd, f"保密承诺书 — {rd.park_name}", "附件2-2 保密承诺书")
    _head(doc, rd, "附件2-2", "保密承诺书")
    _body(doc, f"本单位为{rd.park_name}开展绿色诊断工作,根据国家相关保密规定,知悉应承担的保密义务和法律责任,郑重承诺如下:")
    for line in PLEDGES:
        _body(doc, line)
    _body(doc, "若违反上述承诺,本单位自愿承担一切法律责任,并接受相关处罚。")
    _body(doc, "(该承诺书一式肆份,服务商、园区及市区主管部门各一份)")
    _right(doc, f"诊断服务商(加盖公章):{rd.provider_name or BLANK_NAME}", 36)
    _right(doc, fmt_date_zh(rd.engagement.get("confidentiality_submitted"), BLANK_DATE))
    return to_bytes(doc, rd.fixed_datetime())


def _span(start_iso, end_iso) -> str:
    a, b = parse_date(start_iso), parse_date(end_iso)
    if a is None or b is None:
        return f"{fmt_date_zh(start_iso, '    年  月  日')}至{fmt_date_zh(end_iso, '  月  日')}"
    end = f"{b.month}月{b.day}日" if b.year == a.year else fmt_date_zh(end_iso)
    return f"{fmt_date_zh(start_iso)}至{end}"


def confirmation(rd: ReportData) -> bytes:
    e = rd.engagement
    doc = new_document(rd, f"绿色诊断评估工作确认单 — {rd.park_name}", "附件2-3 绿色诊断评估工作确认单")
    _head(doc, rd, "附件2-3", "绿色诊断评估工作确认单")
    prov = rd.provider_name or BLANK_NAME
    _body(doc, f"{prov}为本单位提供了绿色诊断服务,于{_span(e.get('onsite_start'), e.get('onsite_end'))}开展了现场诊断,"
               f"{fmt_date_zh(e.get('report_submitted'), '    年  月  日')}向我单位提交了绿色诊断评估报告,"
               f"{fmt_date_zh(e.get('report_meeting_date'), '    年  月  日')}召开了诊断工作报告会。"
               f"诊断期间,{prov}严格遵守《北京市绿色诊断评估工作规则(2023年版)》的相关要求,且未向本单位收取任何诊断服务相关费用。")
    third = e.get("third_party_evaluation")  # True: keep the paragraph; False: delete it; unknown: keep it with the guide's instruction
    if third is not False:
        _body(doc, f"{prov}同时向本单位提供了绿色工业园区第三方评估服务,且未向本单位收取评估费用。"
                   + ("" if third is True else THIRD_PARTY_INSTRUCTION))
    if e.get("fee_charged"):
        add_para(doc, zh_punctuation("注意:诊断数据记录服务商收取了费用,与本确认单内容不符,请核实后再签署。"), size=9)
    _right(doc, f"被诊断园区:{rd.park_name}", 36)
    _right(doc, "负责人签字:                ")
    _right(doc, "(单位公章)")
    _right(doc, BLANK_DATE)
    return to_bytes(doc, rd.fixed_datetime())


def satisfaction(rd: ReportData) -> bytes:
    doc = new_document(rd, f"绿色诊断服务工作满意度评价表 — {rd.park_name}", "附件2-4 绿色诊断服务工作满意度评价表")
    _head(doc, rd, "附件2-4", "绿色诊断服务工作满意度评价表")
    rows = (("被诊断园区名称(加盖公章)", rd.park_name),
            ("相关工作负责人签字", "签字:                  日期:"),
            ("绿色诊断服务商名称", rd.provider_name or ""),
            ("对服务商提供的绿色诊断评估服务的评价(请用“√”标出)", "非常满意(  )   满意(  )   一般(  )   不满意(  )"),
            ("对诊断服务商开展绿色诊断评估工作的具体评价和建议:(选填,附页)\n\n\n\n", ""),
            ("绿色诊断评估工作的建议:(选填,附页)\n\n\n\n", ""),
            ("园区后续绿色化改造的意愿、困难和建议:(选填,附页)\n\n\n\n", ""),
            ("区级经信部门审核意见", "\n\n\n单位名称(加盖公章):\n审核日期:"))
    add_table(doc, punctuated(Table("form-2-4", ("项目", "内容"), rows, widths_cm=(6.0, 10.4), header_row=False, span_rows=(4, 5, 6))))
    return to_bytes(doc, rd.fixed_datetime())


def render_forms(rd: ReportData) -> list[tuple[str, bytes]]:
    """(file name, bytes) of the three forms, in annex order."""
    return [(FORMS[0][0], confidentiality(rd)), (FORMS[1][0], confirmation(rd)), (FORMS[2][0], satisfaction(rd))]
