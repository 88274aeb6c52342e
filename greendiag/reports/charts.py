"""Charts (matplotlib, Agg, no pyplot): category scores per year; three-year trend of each indicator against its lead value.

PNG bytes are deterministic for the same diagnosis on the same machine (no timestamp or software metadata).
Labels are Chinese when a CJK font is installed, English otherwise (see fonts.py); indicators are named by the
guide's serial number (附件2-1-2 序号) in both. Chinese labels and captions are set with Chinese punctuation like the
report's text (zhtext.zh_text), numbers unchanged.
"""

from __future__ import annotations

import io
import logging
import math
import os
import textwrap
import warnings
from typing import Optional

import attrs

from . import fonts
from ._data import ReportData
from .zhtext import unit_superscripts, zh_text

os.environ.setdefault("MPLBACKEND", "Agg")

YEAR_COLOURS = ("#9ecae1", "#4292c6", "#08519c", "#08306b", "#6baed6")
UNIT_ASCII = (("亿元", "100M CNY"), ("万元", "10k CNY"), ("元", "CNY"), ("人", "person"), ("个", "pcs"), ("吨", "t"))


@attrs.frozen
class Chart:
    key: str  # file stem: charts/<key>.png
    caption_zh: str
    caption_en: str
    png: bytes = attrs.field(repr=False)


class _Labels:
    def __init__(self, cjk: Optional[str]):
        self.cjk = cjk
        self.zh = cjk is not None

    def text(self, zh: str, en: str) -> str:
        """Chinese with Chinese punctuation as the report sets it (zhtext.zh_text; numbers keep theirs), or English."""
        return zh_text(zh) if self.zh else fonts.safe_label(en)

    def unit(self, unit: str) -> str:
        """An axis unit as the report prints units: m³, km² (zhtext.unit_superscripts); without a CJK font in ASCII words."""
        if not unit or unit == "-":
            return ""
        unit = unit_superscripts(unit)
        if self.zh:
            return unit
        for a, b in UNIT_ASCII:
            unit = unit.replace(a, b)
        return fonts.safe_label(unit)

    def wrap(self, text: str, width_zh: int = 14, width_en: int = 34) -> str:
        if self.zh:
            return "\n".join(text[i:i + width_zh] for i in range(0, len(text), width_zh))
        return textwrap.fill(text, width_en)


def _rc(labels: _Labels) -> dict:
    # matplotlib falls back glyph by glyph only across the families named in font.family itself: with the generic
    # "sans-serif" it takes the first font.sans-serif entry alone, and Chinese labels would lose their glyphs
    families = [fonts.FALLBACK_FAMILY] + ([labels.cjk] if labels.cjk else [])
    return {"font.family": families, "font.sans-serif": families, "axes.unicode_minus": False, "font.size": 9,
            "svg.hashsalt": "greendiag", "figure.dpi": 100}


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None}, bbox_inches=None)
    return buf.getvalue()


def category_chart(rd: ReportData, labels: _Labels) -> Chart:
    from matplotlib.figure import Figure

    cats = rd.categories
    fig = Figure(figsize=(8.0, 4.2))
    ax = fig.add_subplot(1, 1, 1)
    n = len(rd.years)
    width = 0.8 / max(n, 1)
    for i, year in enumerate(rd.years):
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(cats))]
        # the guide's category scores when an overlay adds indicators (as 表1 gives them first), else the scores
        ys = [(rd.general_cat_scores if rd.guide_first else rd.cat_scores).get((c["code"], year)) for c in cats]
        known = [isinstance(y, (int, float)) for y in ys]  # no score (a year without data) is drawn as "—", not a 0 bar
        ys = [y if k else 0.0 for y, k in zip(ys, known)]
        bars = ax.bar(xs, ys, width * 0.95, label=str(year), color=YEAR_COLOURS[i % len(YEAR_COLOURS)])
        for b, y, k in zip(bars, ys, known):
            ax.annotate(rd.score_text(y) if k else "—", (b.get_x() + b.get_width() / 2, y), ha="center", va="bottom", fontsize=6.5,
                        xytext=(0, 1), textcoords="offset points")
    ax.axhline(100, color="#d94801", linestyle="--", linewidth=1, label=labels.text("引领值(100分)", "lead value (100 points)"))
    ax.set_xticks(range(len(cats)))
    ax.set_xticklabels([labels.wrap(labels.text(c["name_zh"].replace("绿色化指标", "").replace("绿色指标", ""), c["code"] + " " + c["name_en"].replace(" greenness", "")), 6, 14)
                        for c in cats], fontsize=8)
    ax.set_ylim(0, 130)
    ax.set_ylabel(labels.text("类别得分(分)", "category score (points)"))
    ax.set_title(labels.text("各类别得分(按年份)", "Category scores by year"))
    ax.legend(fontsize=7.5, ncol=n + 1, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.27)
    return Chart("category-scores", zh_text("图1 各类别得分(按年份)"), "Figure 1: category scores by year", _png(fig))


_PLOTTABLE = 1e300  # beyond it matplotlib's axis limits overflow (a value of 1.7e308 loads, above its plausible range)


VERIFY_COLOUR = "#c00000"


def verify_words(labels: _Labels) -> tuple[str, str]:
    """(the mark after a value to be verified, its legend entry): "(待核实)" as the report's tables mark it and
    "待核实数据(见二、6)", or English without a CJK font."""
    return (labels.text("(待核实)", "(to verify)"),
            labels.text("待核实数据(见二、6)", "value to verify (see II.6)"))


def trend_chart(rd: ReportData, labels: _Labels, code: str, figure_no: int) -> Optional[Chart]:
    fig = trend_figure(rd, labels, code)
    if fig is None:
        return None
    from ..dataset import count_words

    name_zh, name_en = rd.category_name(code), rd.category_name_en(code)
    n_zh, n_en = count_words(len(rd.years))
    return Chart(f"trend-{code}", zh_text(f"图{figure_no} {name_zh}:各指标{n_zh}年变化与引领值"), f"Figure {figure_no}: {name_en}, trend over {n_en} against the lead value",
                 _png(fig))


def trend_figure(rd: ReportData, labels: _Labels, code: str):
    """The figure of one category's trend chart (None without indicators): per indicator its values, labelled as the
    tables print them (ReportData.value_text), the lead value, and a value to be verified (ReportData.doubtful) drawn in
    red, labelled "(待核实)" and named in that panel's legend."""
    from matplotlib.figure import Figure

    numbers = [n for n in rd.indicator_numbers if rd.meta[n]["category"] == code]
    if not numbers:
        return None
    mark, legend_words = verify_words(labels)
    ncols = 3
    nrows = math.ceil(len(numbers) / ncols)
    fig = Figure(figsize=(9.0, 2.4 * nrows + 0.3), layout="constrained")
    years = rd.years
    for k, num in enumerate(numbers):
        m = rd.meta[num]
        ax = fig.add_subplot(nrows, ncols, k + 1)
        qualitative = m["kind"] == "qualitative"
        ys: list[Optional[float]] = []
        for y in years:
            r = rd.rows.get((num, y))
            if r is None:
                ys.append(None)
            elif qualitative:
                ys.append(r["score"] if r["level"] is not None else None)
            else:
                v = r["value"]
                ys.append(float(v) if isinstance(v, (int, float)) else None)
        lead: Optional[float] = None
        if qualitative:
            for lv in m.get("levels") or []:
                if lv.get("id") == m["lead"]:
                    lead = lv.get("score")
        elif isinstance(m["lead"], (int, float)):
            lead = float(m["lead"])
        pts = [(y, v) for y, v in zip(years, ys) if v is not None and abs(v) <= _PLOTTABLE]
        if lead is not None and abs(lead) > _PLOTTABLE:
            lead = None
        doubtful = [(x, v) for x, v in pts if rd.doubtful(num, x)]
        verify = []  # the legend handle of the values to verify
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", color="#08519c", linewidth=1.6, markersize=4,
                    label=labels.text("指标值", "value"))
            for x, v in pts:
                text = rd.value_text(num, x) if not qualitative else rd_fmt(v)  # a level's score: as before
                odd = {"color": VERIFY_COLOUR} if (x, v) in doubtful else {}
                ax.annotate(text + (mark if odd else ""), (x, v), fontsize=6.5, ha="center", va="bottom", xytext=(0, 3),
                            textcoords="offset points", **odd)
            if doubtful:
                verify = ax.plot([p[0] for p in doubtful], [p[1] for p in doubtful], linestyle="none", marker="o", markersize=7,
                        markerfacecolor="none", markeredgecolor=VERIFY_COLOUR, markeredgewidth=1.4, label=legend_words)
        else:
            none = labels.text("数值过大,未绘出", "too large to plot") if any(v is not None for v in ys) else labels.text("无数据", "no data")
            ax.text(0.5, 0.5, none, transform=ax.transAxes, ha="center", va="center", color="#888888")
        if lead is not None:
            ax.axhline(lead, color="#d94801", linestyle="--", linewidth=1, label=labels.text("引领值", "lead value"))
        values = [p[1] for p in pts] + ([lead] if lead is not None else [])
        if values:
            lo, hi = min(values), max(values)
            pad = (hi - lo) * 0.25 or (abs(hi) * 0.1 or 1.0)
            ax.set_ylim(lo - pad, hi + pad * 1.4)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], fontsize=7)
        ax.set_xlim(years[0] - 0.4, years[-1] + 0.4)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title(labels.wrap(indicator_title(m, labels)), fontsize=8)
        unit = labels.text("得分(分)", "score (points)") if qualitative else labels.unit(str(m["unit"] or ""))
        if unit:
            ax.set_ylabel(unit, fontsize=7)
        if k == 0:  # the first panel explains the lines (and its mark for a value to verify); any other panel only its mark
            ax.legend(fontsize=6.5, loc="best", frameon=False)
        elif verify:
            ax.legend(handles=verify, fontsize=6.5, loc="best", frameon=False)
    fig.get_layout_engine().set(h_pad=0.08, w_pad=0.08, hspace=0.06, wspace=0.06)
    return fig


def indicator_title(meta, labels: _Labels) -> str:
    """The guide's serial number and name: "21 工业固体废弃物(含危废)处置利用率" (English name without a CJK font)."""
    num = meta["number"]
    return labels.text(f"{num} {meta['name_zh']}", f"{num} {meta['name_en']}")


def rd_fmt(v: float) -> str:
    from ._data import fmt_num

    return fmt_num(v)


def render_charts(rd: ReportData) -> list[Chart]:
    """All charts of a report, in a fixed order. Any matplotlib failure propagates (the caller turns it into a ReportError)."""
    quiet = logging.getLogger("matplotlib")
    if quiet.level == logging.NOTSET:  # font-cache / config-dir notices are not the user's concern here
        quiet.setLevel(logging.ERROR)
    import matplotlib

    labels = _Labels(fonts.cjk_font())
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ff]ont.*cache.*")
        with matplotlib.rc_context(_rc(labels)):
            out = [category_chart(rd, labels)]
            for i, c in enumerate(rd.categories):
                ch = trend_chart(rd, labels, c["code"], len(out) + 1)
                if ch is not None:
                    out.append(ch)
    return out


def charts_cjk() -> bool:
    """True when chart labels are Chinese (a CJK font was found)."""
    return fonts.cjk_font() is not None
