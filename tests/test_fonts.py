"""Chart fonts: a CJK font installed after matplotlib wrote its font cache is still found."""

from __future__ import annotations

from matplotlib import font_manager as fm

from greendiag.reports import fonts


def test_a_font_missing_from_matplotlibs_cache_is_found_on_the_system(monkeypatch):
    # matplotlib's own DejaVu Sans Mono stands in for a CJK font installed after the cache was written
    path = fm.findfont(fm.FontProperties(family="DejaVu Sans Mono"), fallback_to_default=False)
    stale = [e for e in fm.fontManager.ttflist if e.name != "DejaVu Sans Mono"]
    monkeypatch.setattr(fm.fontManager, "ttflist", stale)
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("DejaVu Sans Mono",))
    monkeypatch.setattr(fonts, "_PROBE", "Mono")
    monkeypatch.delenv("GREENDIAG_CJK_FONT", raising=False)
    fonts.cjk_font.cache_clear()
    try:
        assert fonts._known_cjk_family(fm) is None  # the stale cache alone does not know it
        monkeypatch.setattr(fm, "findSystemFonts", lambda *a, **k: [path])
        assert fonts.cjk_font() == "DejaVu Sans Mono"
    finally:
        fonts.cjk_font.cache_clear()


def test_no_new_system_font_leaves_the_answer_alone(monkeypatch):
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such Family",))
    monkeypatch.delenv("GREENDIAG_CJK_FONT", raising=False)
    monkeypatch.setattr(fm, "findSystemFonts", lambda *a, **k: [e.fname for e in fm.fontManager.ttflist])
    fonts.cjk_font.cache_clear()
    try:
        assert fonts.cjk_font() is None
    finally:
        fonts.cjk_font.cache_clear()


def test_an_unreadable_font_file_is_skipped(monkeypatch, tmp_path):
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    monkeypatch.setattr(fm, "findSystemFonts", lambda *a, **k: [str(bad)])
    assert fonts._add_new_system_fonts(fm) is False


def test_chart_settings_let_matplotlib_fall_back_to_the_cjk_font_glyph_by_glyph():
    """Labels mix Latin and Chinese: both families must be in matplotlib's fallback list, not only the first."""
    import matplotlib

    from greendiag.reports import charts

    # DejaVu Sans Mono (shipped with matplotlib) stands in for the CJK family, so this runs on any machine
    rc = charts._rc(charts._Labels("DejaVu Sans Mono"))
    with matplotlib.rc_context(rc):
        found = fm.fontManager._find_fonts_by_props(fm.FontProperties())
    names = [fm.FontProperties(fname=str(getattr(p, "path", p))).get_name() for p in found]
    assert names == [fonts.FALLBACK_FAMILY, "DejaVu Sans Mono"]


def test_charts_draw_chinese_without_missing_glyphs_where_a_cjk_font_is_installed(demo_dataset, catalogue, rulebase):
    import warnings

    import pytest

    import greendiag
    from greendiag.reports import charts
    from greendiag.reports._data import ReportData

    fonts.cjk_font.cache_clear()
    if fonts.cjk_font() is None:
        pytest.skip("no CJK font on this machine (apt install fonts-noto-cjk); the fallback-list test above covers the setting")
    rd = ReportData(greendiag.diagnose(demo_dataset, catalogue=catalogue, rules=rulebase).to_dict())
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # matplotlib warns for every glyph it cannot draw
        drawn = charts.render_charts(rd)
    assert drawn and all(c.png.startswith(b"\x89PNG") for c in drawn)
