"""What a cell's raw content means before it is read as a number: its number format, Excel error values, and the
words people type for "no data".

Excel shows a cell through its number format; only a real percent sign in the section that applies scales the
stored value by 100, so a literal "%" (quoted, escaped) is text the format adds, not a percentage."""

from __future__ import annotations

import unicodedata
from typing import Any

# Excel's error values: what a formula's cached result (or a typed error) holds instead of a value
ERROR_VALUES = frozenset({"#DIV/0!", "#VALUE!", "#REF!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!",
                          "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#BUSY!", "#PYTHON!"})

# what people type into a value cell when they have no data (compared after NFKC and lower-casing)
NO_DATA_WORDS = frozenset({"—", "——", "–", "-", "--", "---", "/", "//", "\\", "无", "暂无", "无数据", "没有", "空", "缺", "缺失", "不详",
                           "不适用", "n/a", "na", "n.a.", "n.a", "#n/a", "none", "null", "nil", "nan", "?", "??", "-/-"})


def is_error_value(v: Any) -> bool:
    """True for an Excel error value such as #DIV/0! (openpyxl gives it as text)."""
    return isinstance(v, str) and v.strip().upper() in ERROR_VALUES


def is_no_data_word(v: Any) -> bool:
    """True for a dash, slash, 无, N/A… typed where a number belongs."""
    return isinstance(v, str) and unicodedata.normalize("NFKC", v).strip().lower() in NO_DATA_WORDS


def _sections(fmt: str) -> list[str]:
    """The format's sections (positive;negative;zero;text) with the text Excel only displays removed: quoted
    "…" parts, backslash escapes, [Red]/[$-804]/[>100] brackets, and the character after _ (padding) or * (fill)."""
    sections, current, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            end = fmt.find('"', i + 1)
            i = len(fmt) if end < 0 else end + 1
            continue
        if ch == "[":
            end = fmt.find("]", i + 1)
            i = len(fmt) if end < 0 else end + 1
            continue
        if ch in "\\!_*":  # backslash and ! escape the next character; _ pads and * fills with it
            i += 2
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return sections


def scales_by_100(number_format: str | None, value: float) -> bool:
    """True when Excel displays `value` as a percentage through this format, i.e. stores 95 % as 0.95."""
    if not number_format or "%" not in number_format:
        return False
    sections = _sections(number_format)
    if len(sections) >= 3 and value == 0:
        section = sections[2]
    elif len(sections) >= 2 and value < 0:
        section = sections[1]
    else:
        section = sections[0]
    return "%" in section
