"""The general total (通用诊断总分): with an overlay that adds indicators, the guide's indicators alone, aggregated the same way."""

import copy
import math

import pytest

from greendiag import dataset_from_dict, diagnose, load_catalogue
from greendiag.testing import ScoringInvariantError, assert_scoring_invariants

WATER = "examples/overlays/water-cascade.yaml"


def _with_overlay_values(data, values):
    d = copy.deepcopy(data)
    for y in d["years"]:
        if y["year"] in values:
            y["indicators"].update(values[y["year"]])
    return d


def _totals(diag):
    return {t.year: t for t in diag.scorecard.totals}


def test_no_overlay_no_general_total(demo_dataset, catalogue):
    for t in diagnose(demo_dataset, catalogue=catalogue, backend="python").scorecard.totals:
        assert t.general_total is None and t.general_evaluated is None


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_general_total_leaves_the_overlay_indicators_out(water, catalogue, demo_data, backend):
    # 32 water_cascade_share lead 10 %: 5 % scores 50; 33 reclaimed share lead 31.36 %: 31.36 scores 100 (by hand)
    vals = {2024: {"water_cascade_share": {"value": 5}, "industrial_reclaimed_water_share": {"value": 31.36}}}
    data = _with_overlay_values(demo_data, vals)
    base = _totals(diagnose(dataset_from_dict(demo_data, catalogue=catalogue), catalogue=catalogue, backend=backend))
    diag = diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend=backend)
    got = _totals(diag)
    for year, t in got.items():
        # the guide's indicators score exactly as without the overlay: the general total is the plain catalogue's total
        assert math.isclose(t.general_total, base[year].total, rel_tol=1e-12)
        assert t.general_evaluated == base[year].evaluated
    # 2024: the overlay's two scores enter the total (mean of indicators) but not the general total
    n = base[2024].evaluated
    assert got[2024].evaluated == n + 2
    assert math.isclose(got[2024].total, (base[2024].total * n + 50 + 100) / (n + 2), rel_tol=1e-12)
    # other years: no overlay values (optional, left out), so both totals agree
    assert got[2023].total == got[2023].general_total
    assert_scoring_invariants(diag, water)
    d = diag.to_dict()
    assert [t["general_total"] for t in d["total_scores"]] == [got[y].general_total for y in sorted(got)]


def test_a_year_where_only_overlay_indicators_score_has_no_general_total(water, demo_data):
    d = copy.deepcopy(demo_data)
    first = next(y for y in d["years"] if y["year"] == 2022)  # the first scored year (2021 is the base year)
    first.pop("statistics", None)
    first["indicators"] = {"water_cascade_share": {"value": 20}}  # 200 % of the lead → capped at 120 (by hand)
    ds = dataset_from_dict(d, catalogue=water)
    t = _totals(diagnose(ds, catalogue=water, backend="python"))[first["year"]]
    assert t.assessable and t.general_total is None and t.general_evaluated is None
    assert t.total is not None


def test_the_kit_catches_a_wrong_general_total(water, demo_data):
    data = _with_overlay_values(demo_data, {2024: {"water_cascade_share": {"value": 5}}})
    d = diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend="python").to_dict()
    assert_scoring_invariants(d, water)
    bad = copy.deepcopy(d)
    row = next(t for t in bad["total_scores"] if t["year"] == 2024)
    row["general_total"] = row["total"]  # the overlay's 50 counted in: what the old design reported
    with pytest.raises(ScoringInvariantError, match="general_total"):
        assert_scoring_invariants(bad, water)
    bad2 = copy.deepcopy(d)
    next(t for t in bad2["total_scores"] if t["year"] == 2024)["general_evaluated"] += 1
    with pytest.raises(ScoringInvariantError, match="general_total"):
        assert_scoring_invariants(bad2, water)


def test_the_summary_prints_the_general_total(water, demo_data):
    from greendiag.summary import diagnosis_summary

    data = _with_overlay_values(demo_data, {2024: {"water_cascade_share": {"value": 5}}})
    diag = diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend="python")
    lines = diagnosis_summary(diag).splitlines()
    t = {x.year: x for x in diag.scorecard.totals}
    # the guide's total with its band first, the total including the overlay's indicators after it without a band
    first = next(x for x in lines if x.startswith("诊断总分(附件2-1-2所列指标)")).split("\t")[1:]
    assert [c.split(" ")[0] for c in first] == [f"{t[y].general_total:.4g}" for y in (2022, 2023, 2024)]
    assert first[2].split(" ")[1].startswith("优秀")
    incl = next(x for x in lines if x.startswith("含专项诊断指标的总分")).split("\t")[1:]
    assert incl == [f"{t[y].total:.4g}" for y in (2022, 2023, 2024)]
    change = next(x for x in lines if x.startswith("诊断总分变化"))
    assert f"2023→2024 {t[2024].general_total - t[2023].general_total:+.2f}" in change
    rg = next(x for x in lines if x.startswith("RG ")).split("\t")[1:]
    assert rg[2] == f"{next(c for c in diag.scorecard.categories if c.category == 'RG' and c.year == 2024).general_score:.4g}"
    plain = diagnosis_summary(diagnose(dataset_from_dict(demo_data, catalogue=load_catalogue()), backend="python")).splitlines()
    assert any(x.startswith("总分\t") for x in plain) and not any("含专项" in x or "附件2-1-2所列" in x for x in plain)


def test_the_report_prints_the_general_total_beside_the_total(water, demo_data, tmp_path):
    from conftest import plain_punct
    from greendiag.reports import render_report

    data = _with_overlay_values(demo_data, {2024: {"water_cascade_share": {"value": 5}}})
    diag = diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend="python")
    t = {x.year: x for x in diag.scorecard.totals}
    render_report(diag, tmp_path / "r.md")
    text = plain_punct((tmp_path / "r.md").read_text(encoding="utf-8"))
    g24 = f"{t[2024].general_total:.1f}"  # 105.83… → 105.8; the total with the overlay's 50 is lower
    assert f"{t[2024].total:.1f}" != g24
    # the guide's total grades the park (附件2-1-2); the total including the overlay's indicator follows it
    assert f"综合评估:园区2024年诊断评分为{g24}分" in text and f"含专项诊断指标的总分为{t[2024].total:.1f}分" in text
    assert f"2024年诊断总分:{g24}分" in text and f"2024年含专项诊断指标的总分:{t[2024].total:.1f}分" in text
    row = next(line for line in text.splitlines() if line.startswith("| 总分 |"))
    assert row.split("|")[2:5] == [f" {t[y].general_total:.1f} " for y in (2022, 2023, 2024)]
    row = next(line for line in text.splitlines() if line.startswith("| 总分(含专项诊断指标) |"))
    assert row.split("|")[2:5] == [f" {t[y].total:.1f} " for y in (2022, 2023, 2024)]
    assert "评级按附件2-1-2所列31项指标以上述方法汇总的通用诊断总分评定" in text
    # without an overlay: no such row or sentence
    render_report(diagnose(dataset_from_dict(demo_data, catalogue=load_catalogue()), backend="python"), tmp_path / "plain.md")
    plain = (tmp_path / "plain.md").read_text(encoding="utf-8")
    assert "通用诊断总分" not in plain and "含专项诊断指标" not in plain


def test_general_band_and_category_scores(water, demo_data, catalogue):
    # 2022: 32 at 0.5 % (lead 10: scores 5) and 33 at 2 % (lead 31.36: 6.377…) pull the RG mean and the total down
    data = _with_overlay_values(demo_data, {2022: {"water_cascade_share": {"value": 0.5},
                                                   "industrial_reclaimed_water_share": {"value": 2}}})
    base = diagnose(dataset_from_dict(demo_data, catalogue=catalogue), catalogue=catalogue, backend="python").scorecard
    card = diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend="python").scorecard
    t = {x.year: x for x in card.totals}
    plain = {x.year: x for x in base.totals}
    # the general band is the band of the plain catalogue's total; the band with the overlay can be lower
    assert (t[2022].general_band_zh, t[2022].general_band_en) == (plain[2022].band_zh, plain[2022].band_en)
    assert plain[2022].total >= 90 and t[2022].total < 90 and t[2022].band_zh == "良好" and t[2022].general_band_zh == "优秀"
    cats = {(c.category, c.year): c for c in card.categories}
    plain_cats = {(c.category, c.year): c for c in base.categories}
    for (code, year), c in cats.items():
        assert math.isclose(c.general_score, plain_cats[(code, year)].score, rel_tol=1e-12)
    rg = cats[("RG", 2022)]
    n = plain_cats[("RG", 2022)].evaluated
    assert math.isclose(rg.score, (rg.general_score * n + 5 + 100 * 2 / 31.36) / (n + 2), rel_tol=1e-12)
    for c in base.categories:
        assert c.general_score is None
    bad = diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend="python").to_dict()
    next(c for c in bad["category_scores"] if c["category"] == "RG" and c["year"] == 2022)["general_score"] = rg.score
    with pytest.raises(ScoringInvariantError, match="general_score"):
        assert_scoring_invariants(bad, water)
    bad = diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend="python").to_dict()
    next(x for x in bad["total_scores"] if x["year"] == 2022)["general_band_zh"] = "良好"
    with pytest.raises(ScoringInvariantError, match="general band"):
        assert_scoring_invariants(bad, water)


def test_the_batch_table_gives_the_guide_score_first(water, demo_data, tmp_path, root):
    import yaml
    from click.testing import CliRunner

    from greendiag.cli import main

    data = _with_overlay_values(demo_data, {2024: {"water_cascade_share": {"value": 5}}})
    parks = tmp_path / "parks"
    parks.mkdir()
    (parks / "w.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (parks / "plain.yaml").write_text(yaml.safe_dump(demo_data, allow_unicode=True), encoding="utf-8")
    t = {x.year: x for x in diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend="python").scorecard.totals}
    res = CliRunner().invoke(main, ["diagnose", str(parks), "--workers", "1", "--backend", "python",
                                    "--overlay", str(root / WATER)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = {line.split(" | ")[0]: line.split(" | ") for line in res.output.splitlines() if " | " in line}
    # only 2024 has overlay values: the guide's 105.8 first, the total with the overlay's 50 after it
    assert rows["w.yaml"][2].split(" ")[-1] == f"2024:{t[2024].general_total:.1f}(含专项{t[2024].total:.1f})"
    assert rows["w.yaml"][2].split(" ")[0] == f"2022:{t[2022].general_total:.1f}(含专项{t[2022].total:.1f})"
    assert "含专项" in rows["plain.yaml"][2]  # the same overlay: every park of the run gets both figures


def test_recoverable_total_points_are_on_the_score_the_park_is_graded_by(water, demo_data):
    data = _with_overlay_values(demo_data, {2024: {"water_cascade_share": {"value": 5}}})
    recs = {(r.rule_id, r.indicator): r for r in
            diagnose(dataset_from_dict(data, catalogue=water), catalogue=water, backend="python").recommendations}
    # 2 renewable share 12.6 % against the lead 15 %: 16 points (by hand: 100 − 100 × 12.6 / 15); the guide's total
    # counts 29 indicators in 2024 (31 less the optional 10 and 28), the total with the overlay 30
    lead = recs[("rec.advanced.below_lead", 2)]
    assert lead.points == pytest.approx(16.0) and lead.total_points == pytest.approx(16.0 / 29)
    # 32 at 5 % against its lead 10 %: 50 points, but the indicator does not enter the guide's total
    own = recs[("rec.advanced.below_lead", 32)]
    assert own.points == pytest.approx(50.0) and own.total_points is None
    order = [r.indicator for r in diagnose(dataset_from_dict(data, catalogue=water), catalogue=water,
                                           backend="python").recommendations]
    assert order.index(32) > order.index(2)  # ranked after the guide's candidates with a gain
