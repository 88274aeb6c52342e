"""score_changes' general_* figures (review 10 H6): with an overlay that adds indicators, each category and total change
also gives the change over the guide's indicators alone (general_score / general_total, the scores the park is graded by),
with the guide's data gaps and like-for-like change; the report takes them from the diagnosis, and an older
diagnosis.json without them renders as before.

The park: the demo park with the water-cascade overlay, 32 = 0.5 % and 33 = 2 % in 2022 only (optional, so left out in
2023 and 2024: a data gap of the total including them) and 18 (CG, mandatory) missing in 2022 (0 there: a data gap of
the guide's scores too). The expected figures are worked out here from the indicator rows' scores: means over the
guide's indicators 1–31 (the packaged method is the mean of indicators, categories the mean of theirs).
"""

from __future__ import annotations

import copy
import json

import pytest

from conftest import plain_punct
from greendiag import dataset_from_dict, diagnose, load_catalogue
from greendiag.errors import ReportError
from greendiag.reports import render_report
from greendiag.testing import ScoringInvariantError, assert_scoring_invariants

GENERAL = ("general_from_score", "general_to_score", "general_delta", "general_data_gaps", "general_delta_without_data_gaps")
OVERLAY_2022 = {"water_cascade_share": {"value": 0.5}, "industrial_reclaimed_water_share": {"value": 2}}
GUIDE_LAST = 31  # 附件2-1-2 numbers 1–31; the overlay's continue at 32


def _park(demo_data, overlay: bool) -> dict:
    d = copy.deepcopy(demo_data)
    year = next(y for y in d["years"] if y["year"] == 2022)
    year["indicators"].pop("green_industry_share")  # 18, mandatory: scored 0 in 2022
    if overlay:
        year["indicators"].update(OVERLAY_2022)
    return d


@pytest.fixture(scope="module")
def water_dict(water, demo_data) -> dict:
    diag = diagnose(dataset_from_dict(_park(demo_data, True), catalogue=water), catalogue=water, backend="python")
    return json.loads(diag.to_json())  # as read back from diagnosis.json


@pytest.fixture(scope="module")
def plain_dict(demo_data) -> dict:
    cat = load_catalogue()
    return json.loads(diagnose(dataset_from_dict(_park(demo_data, False), catalogue=cat), catalogue=cat,
                               backend="python").to_json())


def _change(d: dict, code, a: int, b: int) -> dict:
    return next(c for c in d["score_changes"] if (c["category"], c["from_year"], c["to_year"]) == (code, a, b))


def _guide_mean(d: dict, year: int, code=None, left_out=()) -> float:
    """By hand: the mean of the guide's indicator scores of a year (of a category), leaving out `left_out`."""
    scores = [r["score"] for r in d["indicators"] if r["year"] == year and r["number"] <= GUIDE_LAST
              and (code is None or r["category"] == code) and r["number"] not in left_out and r["score"] is not None]
    return sum(scores) / len(scores)


def _md(d: dict, tmp_path, name: str = "r.md") -> str:
    render_report(d, tmp_path / name, "md")
    return plain_punct((tmp_path / name).read_text(encoding="utf-8"))


def test_the_guide_change_of_the_total_by_hand(water_dict):
    ch = _change(water_dict, None, 2022, 2024)
    g22, g24 = _guide_mean(water_dict, 2022), _guide_mean(water_dict, 2024)
    assert ch["general_from_score"] == pytest.approx(g22, rel=1e-12)
    assert ch["general_to_score"] == pytest.approx(g24, rel=1e-12)
    assert ch["general_delta"] == pytest.approx(g24 - g22, rel=1e-9)
    # the band crosses: the guide's 2022 total is 优秀, the total including 32 (5 points) and 33 (6.4) is not
    assert ch["general_from_score"] >= 90 > ch["from_score"]
    # 18 is 0 in 2022 and scored in 2024 (the guide's gap); 32 and 33 are scored in 2022 only (the overlay's)
    assert ch["data_gaps"] == [18, 32, 33] and ch["general_data_gaps"] == [18]
    like = _guide_mean(water_dict, 2024, left_out=(18,)) - _guide_mean(water_dict, 2022, left_out=(18,))
    assert ch["general_delta_without_data_gaps"] == pytest.approx(like, rel=1e-9)
    assert ch["delta_without_data_gaps"] == pytest.approx(like, rel=1e-9)  # the overlay's gaps left out too: the same
    assert abs(ch["delta"] - ch["general_delta"]) > 5  # 32 and 33 pull the 2022 total including them down


def test_the_guide_change_of_a_category_by_hand(water_dict):
    # RG holds 32 and 33: their gap is RG's, not the guide's; the guide's RG indicators count alike in both years
    rg = _change(water_dict, "RG", 2022, 2023)
    assert rg["data_gaps"] == [32, 33] and rg["general_data_gaps"] == []
    assert rg["general_delta"] == pytest.approx(_guide_mean(water_dict, 2023, "RG") - _guide_mean(water_dict, 2022, "RG"), rel=1e-9)
    assert rg["general_delta_without_data_gaps"] is None and rg["delta_without_data_gaps"] is not None
    # CG holds 18 and none of the overlay's: the general figures are the category's own
    cg = _change(water_dict, "CG", 2022, 2024)
    assert cg["general_data_gaps"] == cg["data_gaps"] == [18]
    like = _guide_mean(water_dict, 2024, "CG", (18,)) - _guide_mean(water_dict, 2022, "CG", (18,))
    assert cg["general_delta_without_data_gaps"] == pytest.approx(like, rel=1e-9)
    # every entry's general scores are the diagnosis's general_score / general_total of the two years
    general = {(c["category"], c["year"]): c["general_score"] for c in water_dict["category_scores"]}
    general.update({(None, t["year"]): t["general_total"] for t in water_dict["total_scores"]})
    for c in water_dict["score_changes"]:
        assert (c["general_from_score"], c["general_to_score"]) == (general[(c["category"], c["from_year"])],
                                                                    general[(c["category"], c["to_year"])])


def test_the_general_figures_are_the_plain_catalogues_change(water_dict, plain_dict):
    # the guide's indicators score as without the overlay: its general change is the plain diagnosis's change
    plain = {(c["category"], c["from_year"], c["to_year"]): c for c in plain_dict["score_changes"]}
    assert len(plain) == len(water_dict["score_changes"]) == 7 * 3
    for c in water_dict["score_changes"]:
        p = plain[(c["category"], c["from_year"], c["to_year"])]
        assert c["general_data_gaps"] == p["data_gaps"]
        for mine, theirs in (("general_from_score", "from_score"), ("general_to_score", "to_score"), ("general_delta", "delta"),
                             ("general_delta_without_data_gaps", "delta_without_data_gaps")):
            assert (c[mine] is None) is (p[theirs] is None), (c["category"], mine)
            assert c[mine] is None or c[mine] == pytest.approx(p[theirs], rel=1e-12, abs=1e-12), (c["category"], mine)


def test_without_an_overlay_the_keys_are_there_and_null(plain_dict):
    for c in plain_dict["score_changes"]:
        assert {k: c[k] for k in GENERAL} == dict.fromkeys(GENERAL)


def test_the_report_prints_the_guide_change_from_the_keys(water_dict, tmp_path):
    ch = _change(water_dict, None, 2022, 2024)
    text = _md(water_dict, tmp_path)
    assert (f"- 诊断总分由2022年的{ch['general_from_score']:.1f}分提高到2024年的{ch['general_to_score']:.1f}分(其中2022年"
            f"“18 绿色产业增加值占园区工业增加值比例”缺少数据按0分计;按两年均有评分的指标计提高"
            f"{ch['general_delta_without_data_gaps']:.1f}分);含专项诊断指标的总分由2022年的{ch['from_score']:.1f}分") in text
    cg = _change(water_dict, "CG", 2022, 2024)
    assert f"按两年均有评分的指标计{cg['general_delta_without_data_gaps']:+.1f}分)" in text
    # the figures come from the diagnosis: changed there, changed in the report (no second computation)
    d = copy.deepcopy(water_dict)
    _change(d, None, 2022, 2024)["general_delta_without_data_gaps"] = 4.321
    _change(d, "CG", 2022, 2024)["general_delta_without_data_gaps"] = 1.234
    text = _md(d, tmp_path, "changed.md")
    assert "缺少数据按0分计;按两年均有评分的指标计提高4.3分);含专项诊断指标的总分" in text
    assert "按两年均有评分的指标计+1.2分)" in text


def test_an_older_diagnosis_without_the_keys_renders_as_before(water_dict, tmp_path):
    new = _md(water_dict, tmp_path)
    old = copy.deepcopy(water_dict)
    for c in old["score_changes"]:
        for k in GENERAL:
            del c[k]
    assert _md(old, tmp_path, "old.md") == new  # worked out from general_score / general_total and the rows instead
    older = copy.deepcopy(old)
    del older["score_changes"]
    text = _md(older, tmp_path, "older.md")
    assert f"- 诊断总分由2022年的{_change(water_dict, None, 2022, 2024)['general_from_score']:.1f}分提高到" in text


def test_a_wrong_type_in_the_keys_is_a_report_error(water_dict, tmp_path):
    d = copy.deepcopy(water_dict)
    d["score_changes"][0]["general_data_gaps"] = ["x"]
    with pytest.raises(ReportError) as info:
        render_report(d, tmp_path / "r.md", "md")
    assert info.value.codes[0] == "diagnosis-bad-type"
    assert info.value.problems[0].location == "$.score_changes[0].general_data_gaps[0]"
    d = copy.deepcopy(water_dict)
    d["score_changes"][1]["general_delta"] = "6.5"
    with pytest.raises(ReportError) as info:
        render_report(d, tmp_path / "r.md", "md")
    assert (info.value.codes[0], info.value.problems[0].location) == ("diagnosis-bad-type", "$.score_changes[1].general_delta")


@pytest.mark.parametrize("key, value", [("general_from_score", 80.0), ("general_delta", 1.0), ("general_data_gaps", []),
                                        ("general_data_gaps", None), ("general_delta_without_data_gaps", 2.0)])
def test_the_kit_recomputes_the_general_changes(water, water_dict, key, value):
    assert_scoring_invariants(water_dict, water)
    bad = copy.deepcopy(water_dict)
    _change(bad, None, 2022, 2024)[key] = value
    with pytest.raises(ScoringInvariantError, match=r"score change total 2022->2024: general"):
        assert_scoring_invariants(bad, water)


def test_the_kit_wants_null_without_an_overlay(catalogue, plain_dict):
    assert_scoring_invariants(plain_dict, catalogue)
    bad = copy.deepcopy(plain_dict)
    _change(bad, "CG", 2022, 2024)["general_data_gaps"] = [18]
    with pytest.raises(ScoringInvariantError, match="although no overlay adds indicators"):
        assert_scoring_invariants(bad, catalogue)


def test_a_weighted_total_gets_its_like_for_like_change_too(root, tmp_path, monkeypatch, demo_data):
    # with total = weighted mean of the categories (EG weight 2) the like-for-like change is no mean of indicators: a
    # report working it out as one could not give it (it printed none); scoring's general_* gives it, by hand here
    import shutil

    import yaml

    import greendiag
    import greendiag.catalogue as catmod

    greendiag.load_catalogue(), greendiag.load_rules()  # the packaged ones cached before the package data is swapped
    folder = tmp_path / "cat"
    shutil.copytree(root / "catalogue", folder)
    head = yaml.safe_load((folder / "catalogue.yaml").read_text(encoding="utf-8"))
    head["scoring"]["aggregation"]["total"] = "weighted_mean_of_categories"
    head["categories"][0]["weight"]["value"] = 2  # EG
    (folder / "catalogue.yaml").write_text(yaml.safe_dump(head, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(catmod, "resources", type("Files", (), {"files": lambda self, package: folder})())
    cat = catmod._load((str(root / "examples" / "overlays" / "water-cascade.yaml"),))
    assert cat.scoring.total_aggregation == "weighted_mean_of_categories" and cat.category("EG").weight == 2
    diag = diagnose(dataset_from_dict(_park(demo_data, True), catalogue=cat), catalogue=cat, backend="python")
    assert_scoring_invariants(diag, cat)
    d = json.loads(diag.to_json())
    weights = {c["code"]: c["weight"] for c in d["catalogue"]["categories"]}

    def weighted(year, left_out=()):
        means = {code: _guide_mean(d, year, code, left_out) for code in weights}
        return sum(means[c] * w for c, w in weights.items()) / sum(weights.values())

    ch = _change(d, None, 2022, 2024)
    assert ch["general_from_score"] == pytest.approx(weighted(2022), rel=1e-12)
    assert ch["general_data_gaps"] == [18]
    like = weighted(2024, (18,)) - weighted(2022, (18,))
    assert ch["general_delta_without_data_gaps"] == pytest.approx(like, rel=1e-9)
    assert abs(like - (_guide_mean(d, 2024, left_out=(18,)) - _guide_mean(d, 2022, left_out=(18,)))) > 0.1  # not a plain mean
    text = _md(d, tmp_path)
    assert f"缺少数据按0分计;按两年均有评分的指标计提高{like:.1f}分);含专项诊断指标的总分" in text


def test_the_cli_summary_gives_the_guide_change_with_its_data_gaps(water, demo_data):
    from greendiag.summary import diagnosis_summary

    diag = diagnose(dataset_from_dict(_park(demo_data, True), catalogue=water), catalogue=water, backend="python")
    d = json.loads(diag.to_json())
    line = next(x for x in diagnosis_summary(diag).splitlines() if x.startswith("诊断总分变化"))
    ch = _change(d, None, 2022, 2024)
    like = _guide_mean(d, 2024, left_out=(18,)) - _guide_mean(d, 2022, left_out=(18,))
    # the guide's own gap (18) and like-for-like change, not the overlay's gaps (32, 33)
    assert f"2022→2024 {ch['general_delta']:+.2f} (指标 18 仅一年有评分,除去后 {like:+.2f} " in line
    assert "32" not in line.split("\t")[1]
