"""How numbers, units and dates are written in Chinese text, for the report and the terminal summary alike:

* percent_spacing: a percent sign follows its number without a space (12.6%), whatever the catalogue typed (“≥20 %”).
* unit_superscripts: m2 → m², m3 → m³ (km2, Nm3, …); diagnosis.json and the catalogue keep what they hold, what is
  shown to a reader converts.
* zh_dates: an ISO date in Chinese text is written 2026年4月15日; one inside an English gloss or sentence, a web
  address or a file name (2024-01-05.pdf) keeps its ISO form. Web addresses (url_spans) take no superscripts either.

Outside greendiag.reports because the terminal summary (summary.py) uses it and reports/_data.py imports summary.py:
summary importing reports would be circular. Punctuation (reports/zhtext.py, zh_punctuation) stays with the report.
"""

from __future__ import annotations

import datetime as dt
import re

# a character that makes a neighbouring mark Chinese: a CJK ideograph, Chinese punctuation or quotes, a full-width form
_CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff60\u2014\u2018\u2019\u201c\u201d\u2026]")
IDEOGRAPH = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_PERCENT_SPACE = re.compile("(?<=\\d)[ \u00a0\u2009\u202f]+(?=[%‰])")  # "20 %" → "20%"
_WORD = re.compile("[A-Za-z]{3,}")
_LATIN = re.compile("[A-Za-z]")
# a length unit squared or cubed: m2, km2, hm2, cm3, Nm3 … (not S2-2022, CO2, EG2: a letter before, or a digit after)
_POWER = re.compile(r"(?<![A-Za-z0-9_])((?:[kKhdcmN])?m)([23])(?![0-9A-Za-z_]|-[A-Za-z])")  # m3-A is a code
_SUPERSCRIPT = {"2": "²", "3": "³"}
_ISO_DATE = re.compile(r"(?<![0-9A-Za-z_-])(\d{4})-(\d{2})-(\d{2})(?![0-9A-Za-z_-]|\.[0-9A-Za-z])")  # not 2024-01-05.pdf
# a web address or file link, converted in no way (https://x.org/m3/2024-01-05 names a page, not a unit or a date)
_URL = re.compile(r"(?:https?|ftp)://[^\s\u3000-\u303f\uff01-\uff60\u3400-\u9fff“”]+|www\.[A-Za-z0-9-]+\.[^\s\u3000-\u303f\uff01-\uff60\u3400-\u9fff“”]+")
_ENGLISH_BEFORE = re.compile(r"[A-Za-z]{2,}[,.]?\s+$")  # "dated 2024-03-01": an English sentence's date


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each web address in `text`, which the notation leaves as typed."""
    return [m.span() for m in _URL.finditer(text)] if "://" in text or "www." in text else []


def _inside(spans: list[tuple[int, int]], i: int) -> bool:
    return any(a <= i < b for a, b in spans)


def percent_spacing(text: str) -> str:
    """`text` without the space between a number and its % or ‰ sign: "≥20 %" → "≥20%" (a unit word keeps its space)."""
    return _PERCENT_SPACE.sub("", text) if "%" in text or "‰" in text else text


def unit_superscripts(text: str) -> str:
    """Squared and cubed length units with superscripts as printed units are written: 元/m3 → 元/m³, 亿元/km2 →
    亿元/km², 万m3 → 万m³; evidence codes (S2-2024), CO2 and category codes (EG2) are left alone."""
    if not text or ("2" not in text and "3" not in text):
        return text
    urls = url_spans(text)
    return _POWER.sub(lambda m: m.group(0) if _inside(urls, m.start()) else m.group(1) + _SUPERSCRIPT[m.group(2)], text)


def english(content: str) -> bool:
    """Whether bracketed text is an English gloss or term: a word of three or more Latin letters, and more Latin
    letters than Chinese characters ("excellent", "kWh", "i.e. 1786 元/m3"); "S1-2022 园区统计年报" and "≤0" are not."""
    return _WORD.search(content) is not None and len(_LATIN.findall(content)) > len(IDEOGRAPH.findall(content))


def bracket_pairs(text: str) -> dict[int, int]:
    """Matching ASCII bracket pairs of `text`, opening index → closing index (an unmatched mark has none)."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            out[stack.pop()] = i
    return out


def in_english_gloss(text: str) -> list[bool]:
    """For each character of `text`: whether it sits inside an ASCII bracket pair that holds English (english)."""
    inside = [False] * len(text)
    for start, end in bracket_pairs(text).items():
        if english(text[start + 1:end]):
            for k in range(start, end + 1):
                inside[k] = True
    return inside


def cjk(ch: str) -> bool:
    """Whether a character is Chinese for punctuation's sake: an ideograph, Chinese punctuation or quotes, full-width."""
    return bool(ch) and _CJK.match(ch) is not None


def date_zh(d: dt.date) -> str:
    """A date as Chinese text writes it: 2026年4月15日 (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def zh_dates(text: str) -> str:
    """ISO dates in Chinese text as Chinese prose writes them: "(应于 2026-04-15 前)" → "(应于2026年4月15日前)" (the
    spaces that set the date off from Chinese go); a date inside an English gloss ("(… by 2026-04-15)") keeps its form,
    and so does what is no valid date (2024-13-45)."""
    if not text or "-" not in text or not _ISO_DATE.search(text):
        return text
    gloss = in_english_gloss(text)
    urls = url_spans(text)
    out: list[str] = []
    last = 0
    for m in _ISO_DATE.finditer(text):
        try:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if gloss[m.start()] or _inside(urls, m.start()) or _english_sentence(text, m.start(), m.end()):
            continue
        start, end = m.start(), m.end()
        if start > last and text[start - 1] == " " and (start - 1 == 0 or cjk(text[start - 2])):
            start -= 1  # "应于 2026-04-15" → "应于2026年…"
        if end < len(text) and text[end] == " " and end + 1 < len(text) and cjk(text[end + 1]):
            end += 1  # "2026-04-15 前" → "…日前"
        out += [text[last:start], date_zh(d)]
        last = end
    return "".join(out) + text[last:] if out else text


def _english_sentence(text: str, start: int, end: int) -> bool:
    """Whether the date at text[start:end] sits in English outside brackets ("Audit report dated 2024-03-01"): an English
    word just before it and no Chinese just after it."""
    after = text[end:].lstrip()
    return _ENGLISH_BEFORE.search(text, 0, start) is not None and not (after and cjk(after[0]))


def zh_notation(text: str) -> str:
    """Chinese text with the report's notation for numbers, units and dates (12.6%, m³, 2026年4月15日), its punctuation
    as written: what the terminal summary prints of the rules' Chinese messages."""
    return zh_dates(unit_superscripts(percent_spacing(text)))
