"""Markdown writer: the same blocks as the Word report; text is escaped (no raw HTML from park names)."""

from __future__ import annotations

import re
from typing import Optional

from .content import Block, Bullets, ChartRef, Heading, PageBreak, Para, Table

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def esc(text: str) -> str:
    """Plain text → Markdown that renders as the same text (HTML characters become entities)."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _cell(text: str) -> str:
    return "<br>".join(esc(line) for line in str(text).split("\n")).strip() or " "


def _table(t: Table) -> list[str]:
    out = []
    if t.caption:
        out += [f"**{esc(t.caption)}**", ""]
    out.append("| " + " | ".join(_cell(h) for h in t.header) + " |")
    out.append("|" + "|".join("---" for _ in t.header) + "|")
    for i, row in enumerate(t.rows):
        cells = [_cell(c) for c in row]
        if i in t.span_rows:
            cells = [f"**{cells[0]}**"] + [" "] * (len(cells) - 1)
        out.append("| " + " | ".join(cells) + " |")
    if t.note:
        out += ["", esc(t.note)]
    return out + [""]


def render_markdown(blocks: list[Block], chart_links: Optional[dict[str, str]] = None) -> str:
    """`chart_links`: chart key → relative path of its PNG; without it charts are left out."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            hashes = "#" * min(b.level + 1, 6)
            out += [f"{hashes} {esc(b.text)}" + (f" ({esc(b.en)})" if b.en else ""), ""]
        elif isinstance(b, Para):
            if b.style == "cover-title":
                out += [f"# {esc(b.text)}", ""]
            elif b.style == "en":
                out += [f"*{esc(b.text)}*", ""]
            elif b.style == "banner":
                out += [f"**{esc(b.text)}**", ""]
            elif b.style == "note":
                out += [f"> {esc(b.text)}", ""]
            elif b.style in ("cover-field", "cover-date", "signature"):
                out += [f"{esc(b.text)}  ", ""]
            else:
                out += [esc(b.text), ""]
        elif isinstance(b, Bullets):
            for i, item in enumerate(b.items, 1):
                out.append((f"{i}. " if b.ordered else "- ") + esc(item))
            out.append("")
        elif isinstance(b, Table):
            out += _table(b)
        elif isinstance(b, ChartRef):
            if chart_links and b.key in chart_links:
                out += [f"![{esc(b.caption)}]({chart_links[b.key]})", "", f"*{esc(b.caption)}*", ""]
        elif isinstance(b, PageBreak):
            out += ["---", ""]
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
