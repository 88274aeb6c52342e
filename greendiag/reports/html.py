"""HTML writer: one self-contained file (inline CSS, charts as base64 PNG); every text is escaped."""

from __future__ import annotations

import base64
from html import escape
from .content import Block, Bullets, ChartRef, Heading, PageBreak, Para, Table

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",SimSun,sans-serif;
 max-width:60em;margin:2em auto;padding:0 1em;line-height:1.6;color:#222}
h1{text-align:center;font-size:1.8em;margin-top:3em}
h2{border-bottom:2px solid #08519c;padding-bottom:.2em;margin-top:2em}
h2 small,h3 small{color:#666;font-weight:normal;font-size:.65em;margin-left:.6em}
.cover{text-align:center;margin-bottom:3em}.cover p.field{font-size:1.2em}
.en{color:#666;font-style:italic;font-size:.9em}.note{color:#555;font-size:.9em}
.signature{text-align:right}.center{text-align:center}
.banner{text-align:center;font-weight:bold;color:#c00000;border:2px solid #c00000;padding:.4em}
table{border-collapse:collapse;margin:1em auto;font-size:.88em;width:100%}
th,td{border:1px solid #999;padding:.25em .45em;vertical-align:top}
th{background:#e7eef7}td.span{background:#f2f2f2;font-weight:bold}td.group{font-weight:bold;text-align:center;vertical-align:middle}
caption{font-weight:bold;padding:.4em}
figure{text-align:center;margin:1.5em 0}figure img{max-width:100%}figcaption{font-size:.9em;color:#444}
.page-break{page-break-after:always;border-top:1px dashed #ccc;margin:2em 0}
@media print{.page-break{border:none}}
"""


def _text(text: str) -> str:
    return "<br>".join(escape(line, quote=True) for line in str(text).split("\n"))


def _table(t: Table) -> list[str]:
    out = [f'<table class="{escape(t.kind)}">']
    if t.caption:
        out.append(f"<caption>{_text(t.caption)}</caption>")
    if t.header_row:
        out.append("<thead><tr>" + "".join(f"<th>{_text(h)}</th>" for h in t.header) + "</tr></thead>")
    out.append("<tbody>")
    n = len(t.rows)
    for i, row in enumerate(t.rows):
        if i in t.span_rows:
            out.append(f'<tr><td class="span" colspan="{len(row)}">{_text(row[0])}</td></tr>')
            continue
        cells = []
        for j, c in enumerate(row):
            if t.merge_col0 and j == 0:
                if i > 0 and t.rows[i - 1][0] == c:
                    continue
                span = 1
                while i + span < n and t.rows[i + span][0] == c:
                    span += 1
                attr = f' rowspan="{span}"' if span > 1 else ""
                cells.append(f'<td class="group"{attr}>{_text(c)}</td>')
            else:
                cells.append(f"<td>{_text(c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if t.note:
        out.append(f'<p class="note">{_text(t.note)}</p>')
    return out


def render_html(blocks: list[Block], charts: dict[str, bytes], title: str) -> str:
    body: list[str] = ['<div class="cover">']
    in_cover = True
    for b in blocks:
        if in_cover and not (isinstance(b, Para) and b.style.startswith(("cover", "center", "banner", "en"))):
            body.append("</div>")
            in_cover = False
        if isinstance(b, Heading):
            tag = f"h{min(b.level + 1, 6)}"
            en = f"<small>{_text(b.en)}</small>" if b.en else ""
            body.append(f"<{tag}>{_text(b.text)}{en}</{tag}>")
        elif isinstance(b, Para):
            if b.style == "cover-title":
                body.append(f"<h1>{_text(b.text)}</h1>")
            else:
                cls = {"cover-field": "field", "cover-date": "field", "en": "en", "note": "note", "signature": "signature",
                       "center": "center", "caption": "center", "banner": "banner"}.get(b.style)
                body.append(f'<p class="{cls}">{_text(b.text)}</p>' if cls else f"<p>{_text(b.text)}</p>")
        elif isinstance(b, Bullets):
            tag = "ol" if b.ordered else "ul"
            body.append(f"<{tag}>" + "".join(f"<li>{_text(i)}</li>" for i in b.items) + f"</{tag}>")
        elif isinstance(b, Table):
            body += _table(b)
        elif isinstance(b, ChartRef):
            png = charts.get(b.key)
            if png is not None:
                data = base64.b64encode(png).decode("ascii")
                body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{escape(b.caption, quote=True)}">'
                            f"<figcaption>{_text(b.caption)}</figcaption></figure>")
        elif isinstance(b, PageBreak):
            body.append('<div class="page-break"></div>')
    if in_cover:
        body.append("</div>")
    head = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="greendiag">\n<title>{escape(title, quote=True)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n')
    return head + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
