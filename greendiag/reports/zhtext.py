"""Chinese text set with Chinese punctuation: the ASCII , : ; ( ) ? ! a sentence was written with become ，：；（）？！
where they touch Chinese text, as GB/T 15834 sets them; numbers (1,235  09:00), English glosses after a space
(“优秀” (excellent)) and code-like text keep theirs. A percent sign follows its number without a space (12.6%), as
Chinese technical text writes it, whatever the catalogue or dataset text typed (“≥20 %”)."""

from __future__ import annotations

import re

_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
# a character that makes a neighbouring mark Chinese: a CJK ideograph, Chinese punctuation or quotes, a full-width form
_CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff60\u2014\u2018\u2019\u201c\u201d\u2026]")
_MARKS = re.compile(r"[,:;?!()]")
_PERCENT_SPACE = re.compile("(?<=\\d)[ \u00a0\u2009\u202f]+(?=[%‰])")  # "20 %" → "20%"


def percent_spacing(text: str) -> str:
    """`text` without the space between a number and its % or ‰ sign: "≥20 %" → "≥20%" (a unit word keeps its space)."""
    return _PERCENT_SPACE.sub("", text) if "%" in text or "‰" in text else text


def zh_text(text: str) -> str:
    """Report text as every format prints it: Chinese punctuation (zh_punctuation) and 12.6% (percent_spacing)."""
    return zh_punctuation(percent_spacing(text))


def _cjk(ch: str) -> bool:
    return bool(ch) and _CJK.match(ch) is not None


def zh_punctuation(text: str) -> str:
    """`text` with ASCII punctuation beside Chinese characters made full-width. A mark converts when the character
    just before or just after it is Chinese (after a previous conversion: "分),评" → "分），评"); a closing parenthesis
    follows its opening one, so pairs never mix; a comma or colon between digits (1,235, 09:00) stays."""
    if not text or not _MARKS.search(text):
        return text
    out: list[str] = []
    opened: list[bool] = []  # for each "(" still open: whether it was made full-width
    n = len(text)
    for i, ch in enumerate(text):
        if ch not in _FULL:
            out.append(ch)
            continue
        before = out[-1] if out else ""
        after = text[i + 1] if i + 1 < n else ""
        if ch == ")":
            full = opened.pop() if opened else (_cjk(before) or _cjk(after))
        elif before.isdigit() and after.isdigit():
            full = False
        else:
            full = _cjk(before) or (_cjk(after) and ch != ")")
        if ch == "(":
            opened.append(full)
        out.append(_FULL[ch] if full else ch)
    return "".join(out)


def punctuated(block):
    """A report block (content.Heading, Para, Bullets, Table, ChartRef) with its text set by zh_text; an English
    paragraph (style "en") and a page break unchanged."""
    import attrs

    from . import content as C

    if isinstance(block, C.Heading):
        return attrs.evolve(block, text=zh_text(block.text))
    if isinstance(block, C.Para):
        return block if block.style == "en" else attrs.evolve(block, text=zh_text(block.text))
    if isinstance(block, C.Bullets):
        return attrs.evolve(block, items=tuple(zh_text(x) for x in block.items))
    if isinstance(block, C.Table):
        return attrs.evolve(block, header=tuple(zh_text(x) for x in block.header),
                            rows=tuple(tuple(zh_text(x) for x in row) for row in block.rows),
                            caption=zh_text(block.caption) if block.caption else block.caption,
                            note=zh_text(block.note) if block.note else block.note)
    if isinstance(block, C.ChartRef):
        return attrs.evolve(block, caption=zh_text(block.caption))
    return block
