"""Fonts: Word styles name East-Asian fonts (宋体/黑体); charts need an installed CJK font or fall back to English.

Charts look for a CJK font known to matplotlib (Noto Sans CJK, Source Han, WenQuanYi, SimHei, ...), or the
font file named by the environment variable GREENDIAG_CJK_FONT. Without one, chart labels are English and
every label is filtered to glyphs the fallback font has, so no tofu boxes and no missing-glyph warnings.
On Debian/Ubuntu: `apt install fonts-noto-cjk` (or the smaller `fonts-wqy-microhei`).
"""

from __future__ import annotations

import functools
import logging
import os
import warnings
from typing import Optional

os.environ.setdefault("MPLBACKEND", "Agg")

# Word: body, headings (w:eastAsia); Latin text in the same runs
DOCX_BODY_EA = "宋体"
DOCX_HEADING_EA = "黑体"
DOCX_LATIN = "Times New Roman"

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans CJK JP",
    "Noto Sans CJK TC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
    "Heiti SC", "Hiragino Sans GB", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "AR PL UKai CN",
    "Droid Sans Fallback", "SimSun",
)
FALLBACK_FAMILY = "DejaVu Sans"
INSTALL_HINT_ZH = "未找到中文字体,图表标签使用英文;安装 fonts-noto-cjk(Debian/Ubuntu: apt install fonts-noto-cjk)可显示中文"
INSTALL_HINT_EN = "no CJK font found: chart labels are in English; install fonts-noto-cjk (apt install fonts-noto-cjk) for Chinese labels"

_PROBE = "中文绿色诊断"


def _font_manager():
    for name in ("matplotlib", "matplotlib.font_manager"):
        log = logging.getLogger(name)
        if log.level == logging.NOTSET:
            log.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from matplotlib import font_manager
    return font_manager


def _has_glyphs(path: str, text: str) -> bool:
    try:
        from matplotlib import ft2font

        font = ft2font.FT2Font(path)
        cmap = font.get_charmap()
    except Exception:  # unreadable font file, collection quirks: not usable
        return False
    return all(ord(ch) in cmap for ch in text)


@functools.lru_cache(maxsize=1)
def cjk_font() -> Optional[str]:
    """Family name of a usable CJK font for matplotlib, or None (charts then use English labels)."""
    fm = _font_manager()
    env = os.environ.get("GREENDIAG_CJK_FONT")
    if env and os.path.isfile(env):
        try:
            fm.fontManager.addfont(env)
            name = fm.FontProperties(fname=env).get_name()
            if _has_glyphs(env, _PROBE):
                return name
        except Exception:
            pass
    found = _known_cjk_family(fm)
    if found is None and _add_new_system_fonts(fm):
        found = _known_cjk_family(fm)
    return found


def _known_cjk_family(fm) -> Optional[str]:
    by_name: dict[str, str] = {}
    for entry in fm.fontManager.ttflist:
        by_name.setdefault(entry.name, entry.fname)
    for family in CJK_FAMILIES:
        path = by_name.get(family)
        if path and _has_glyphs(path, _PROBE):
            return family
    return None


def _add_new_system_fonts(fm) -> bool:
    """Add system fonts missing from matplotlib's font cache; True if any were added.

    matplotlib keeps its font list in a cache file written on first use, so a CJK font installed after that
    (the fix the CLI suggests) is not seen until the cache is rebuilt; scanning costs about 0.2 s and happens
    only when no CJK font is known."""
    try:
        known = {entry.fname for entry in fm.fontManager.ttflist}
        new = [path for path in fm.findSystemFonts() if path not in known]
    except Exception:  # no fc-list, unreadable font folders: keep what matplotlib knows
        return False
    added = False
    for path in sorted(new):
        try:
            fm.fontManager.addfont(path)
            added = True
        except Exception:  # a damaged or unsupported font file: skip it
            continue
    return added


@functools.lru_cache(maxsize=1)
def _fallback_charmap() -> frozenset:
    fm = _font_manager()
    try:
        path = fm.findfont(fm.FontProperties(family=FALLBACK_FAMILY), fallback_to_default=True)
        from matplotlib import ft2font

        return frozenset(ft2font.FT2Font(path).get_charmap())
    except Exception:
        return frozenset(range(32, 127))


def safe_label(text: str) -> str:
    """Text the fallback font can draw: characters it lacks are dropped (then spaces tidied)."""
    cmap = _fallback_charmap()
    kept = "".join(ch for ch in text if ord(ch) in cmap)
    return " ".join(kept.split())
