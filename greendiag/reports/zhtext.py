"""Chinese text set as GB/T 15834 and the report's house style wants it, one helper per concern:

* zh_punctuation: the ASCII , : ; ( ) ? ! a sentence was written with become ，：；（）？！ in Chinese text; numbers
  (1,235  09:00), English glosses ((excellent), (kWh)) and code-like text keep theirs. Bracket rule, in text with
  Chinese in it: a pair is full-width（…）when it touches Chinese, holds Chinese, or is set off by a space
  ("天数 (S9-2022)" → "天数（S9-2022）"); a pair holding an English gloss or term (a word of three or more Latin
  letters, more Latin letters than Chinese) and not touching Chinese keeps half-width, as do the pairs inside it and a
  pair of ASCII text glued to a number or word (-0.2019(≤0), f(x)).
* percent_spacing, unit_superscripts, zh_dates (12.6%, m³, 2026年4月15日): greendiag.zhnotation, shared with the
  terminal summary, imported here so the report's modules and callers keep one place to import from.
"""

from __future__ import annotations

import re

from ..zhnotation import IDEOGRAPH as _IDEOGRAPH, bracket_pairs as _pairs, cjk as _cjk, in_english_gloss as _in_english_gloss, percent_spacing, \
    unit_superscripts, zh_dates, zh_notation

__all__ = ["percent_spacing", "unit_superscripts", "zh_dates", "zh_text", "zh_punctuation", "punctuated"]

_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_MARKS = re.compile(r"[,:;?!()]")


def zh_text(text: str) -> str:
    """Report text as every format prints it: superscript units, Chinese dates, 12.6% and Chinese punctuation."""
    return zh_punctuation(zh_notation(text))


def zh_punctuation(text: str) -> str:
    """`text` with ASCII punctuation in Chinese text made full-width. A mark converts when the character just before or
    just after it is Chinese (after a previous conversion: "分),评" → "分），评"); a comma or colon between digits (1,235,
    09:00) stays. Brackets go by pairs, so they never mix; in text with Chinese in it a pair that does not touch Chinese
    is full-width too when it holds Chinese or follows a space, unless it holds English (zhnotation.english: "(excellent)",
    "(kWh)") or sits inside such a pair; a space between Chinese and a full-width bracket goes ("数据 (S9-2022)" →
    "数据（S9-2022）"). Text without Chinese
    characters converts only marks that touch Chinese punctuation or quotes."""
    if not text or not _MARKS.search(text):
        return text
    chinese = _IDEOGRAPH.search(text) is not None
    pairs = _pairs(text) if chinese and "(" in text else {}
    english = _in_english_gloss(text) if pairs else []
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
            if not full and i in pairs and not english[i]:  # an English pair, or one inside one: by its neighbours alone
                set_off = i == 0 or text[i - 1].isspace()  # not glued to a number or word: -0.2019(≤0), alert("x")
                full = set_off or _IDEOGRAPH.search(text, i + 1, pairs[i]) is not None
            opened.append(full)
            if full and before == " " and len(out) > 1 and _cjk(out[-2]):
                out.pop()  # "天数 (S9-2022)" → "天数（S9-2022）"
        out.append(_FULL[ch] if full else ch)
    return _SPACE_AFTER_CLOSE.sub("）", "".join(out))


_SPACE_AFTER_CLOSE = re.compile("）[ ]+(?=[\u3400-\u9fff\uf900-\ufaff\uff08])")  # "（…） 已" → "（…）已"


def punctuated(block):
    """A report block (content.Heading, Para, Bullets, Table, ChartRef) with its text set by zh_text; an English
    paragraph (style "en") and a heading's English subtitle only get their units (unit_superscripts); a page break
    unchanged."""
    import attrs

    from . import content as C

    if isinstance(block, C.Heading):
        return attrs.evolve(block, text=zh_text(block.text), en=unit_superscripts(block.en) if block.en else block.en)
    if isinstance(block, C.Para):
        return attrs.evolve(block, text=unit_superscripts(block.text) if block.style == "en" else zh_text(block.text))
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
