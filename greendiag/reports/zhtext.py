"""Chinese text set as GB/T 15834 and the report's house style wants it, one helper per concern:

* zh_punctuation: the ASCII , : ; ( ) ? ! a sentence was written with become ，：；（）？！ in Chinese text; numbers
  (1,235  09:00), English glosses ((excellent), (kWh)) and code-like text keep theirs. Bracket rule, in text with
  Chinese in it: a pair is full-width（…）when it touches Chinese, holds Chinese, or is set off by a space
  ("天数 (S9-2022)" → "天数（S9-2022）"); a pair holding an English gloss or term (a word of three or more Latin
  letters, more Latin letters than Chinese) and not touching Chinese keeps half-width, as do the pairs inside it and a
  pair of ASCII text glued to a number or word (-0.2019(≤0), f(x)).
* percent_spacing: a percent sign follows its number without a space (12.6%), whatever the catalogue typed (“≥20 %”).
* unit_superscripts: m2 → m², m3 → m³ (km2, Nm3, …) in every report text, table and chart label; diagnosis.json and
  the catalogue keep what they hold, the report converts when it renders.
* zh_dates: an ISO date in Chinese text is written 2026年4月15日; one inside an English gloss keeps its ISO form.
"""

from __future__ import annotations

import datetime as dt
import re

_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
# a character that makes a neighbouring mark Chinese: a CJK ideograph, Chinese punctuation or quotes, a full-width form
_CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff60\u2014\u2018\u2019\u201c\u201d\u2026]")
_IDEOGRAPH = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_MARKS = re.compile(r"[,:;?!()]")
_PERCENT_SPACE = re.compile("(?<=\\d)[ \u00a0\u2009\u202f]+(?=[%‰])")  # "20 %" → "20%"
_WORD = re.compile("[A-Za-z]{3,}")
_LATIN = re.compile("[A-Za-z]")
# a length unit squared or cubed: m2, km2, hm2, cm3, Nm3 … (not S2-2022, CO2, EG2: a letter before, or a digit after)
_POWER = re.compile(r"(?<![A-Za-z0-9_])((?:[kKhdcmN])?m)([23])(?![0-9A-Za-z_])")
_SUPERSCRIPT = {"2": "²", "3": "³"}
_ISO_DATE = re.compile(r"(?<![0-9A-Za-z_-])(\d{4})-(\d{2})-(\d{2})(?![0-9A-Za-z_-])")


def percent_spacing(text: str) -> str:
    """`text` without the space between a number and its % or ‰ sign: "≥20 %" → "≥20%" (a unit word keeps its space)."""
    return _PERCENT_SPACE.sub("", text) if "%" in text or "‰" in text else text


def unit_superscripts(text: str) -> str:
    """Squared and cubed length units with superscripts as printed units are written: 元/m3 → 元/m³, 亿元/km2 →
    亿元/km², 万m3 → 万m³; evidence codes (S2-2024), CO2 and category codes (EG2) are left alone."""
    if not text or ("2" not in text and "3" not in text):
        return text
    return _POWER.sub(lambda m: m.group(1) + _SUPERSCRIPT[m.group(2)], text)


def _english(content: str) -> bool:
    """Whether bracketed text is an English gloss or term: a word of three or more Latin letters, and more Latin
    letters than Chinese characters ("excellent", "kWh", "i.e. 1786 元/m3"); "S1-2022 园区统计年报" and "≤0" are not."""
    return _WORD.search(content) is not None and len(_LATIN.findall(content)) > len(_IDEOGRAPH.findall(content))


def _in_english_gloss(text: str) -> list[bool]:
    """For each character of `text`: whether it sits inside an ASCII bracket pair that holds English (_english)."""
    inside = [False] * len(text)
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            start = stack.pop()
            if _english(text[start + 1:i]):
                for k in range(start, i + 1):
                    inside[k] = True
    return inside


def zh_dates(text: str) -> str:
    """ISO dates in Chinese text as Chinese prose writes them: "(应于 2026-04-15 前)" → "(应于2026年4月15日前)" (the
    spaces that set the date off from Chinese go); a date inside an English gloss ("(… by 2026-04-15)") keeps its form,
    and so does what is no valid date (2024-13-45)."""
    if not text or "-" not in text or not _ISO_DATE.search(text):
        return text
    english = _in_english_gloss(text)
    out: list[str] = []
    last = 0
    for m in _ISO_DATE.finditer(text):
        try:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if english[m.start()]:
            continue
        start, end = m.start(), m.end()
        if start > last and text[start - 1] == " " and (start - 1 == 0 or _cjk(text[start - 2])):
            start -= 1  # "应于 2026-04-15" → "应于2026年…"
        if end < len(text) and text[end] == " " and end + 1 < len(text) and _cjk(text[end + 1]):
            end += 1  # "2026-04-15 前" → "…日前"
        out += [text[last:start], f"{d.year}年{d.month}月{d.day}日"]
        last = end
    return "".join(out) + text[last:] if out else text


def zh_text(text: str) -> str:
    """Report text as every format prints it: superscript units, Chinese dates, 12.6% and Chinese punctuation."""
    return zh_punctuation(zh_dates(unit_superscripts(percent_spacing(text))))


def _cjk(ch: str) -> bool:
    return bool(ch) and _CJK.match(ch) is not None


def _pairs(text: str) -> dict[int, int]:
    """Matching bracket pairs of `text`, opening index → closing index (an unmatched mark has none)."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            out[stack.pop()] = i
    return out


def zh_punctuation(text: str) -> str:
    """`text` with ASCII punctuation in Chinese text made full-width. A mark converts when the character just before or
    just after it is Chinese (after a previous conversion: "分),评" → "分），评"); a comma or colon between digits (1,235,
    09:00) stays. Brackets go by pairs, so they never mix; in text with Chinese in it a pair that does not touch Chinese
    is full-width too when it holds Chinese or follows a space, unless it holds English (_english: "(excellent)",
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
