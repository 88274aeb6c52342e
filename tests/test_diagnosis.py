"""diagnose(): expectations for the demo park worked out by hand from the method and the demo data,
engagement checks, determinism, and the absence of state leaking between diagnoses."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

import greendiag
from greendiag import dataset_from_dict, diagnose
from greendiag.yamlio import read_document

from test_scoring import DEMO_2024  # hand-computed 2024 scores (typed in from the demo file)

BACKENDS = ("durable", "python")


@pytest.fixture(scope="module")
def demo_dict(demo_path):
    return read_document(demo_path).data


@pytest.fixture(scope="module", params=BACKENDS)
def result(request, demo_dataset, catalogue, rulebase):
    return diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend=request.param).to_dict()


def _diag(data, backend="python", **kw):
    return diagnose(dataset_from_dict(copy.deepcopy(data)), backend=backend, **kw).to_dict()


def test_required_keys(result):
    for key in ("park", "years", "baseline", "indicators", "category_scores", "total_scores", "findings",
                "recommendations", "engagement", "rules_version", "rules_sha256", "catalogue_version"):
        assert key in result, key
    assert result["years"] == [2022, 2023, 2024]
    assert len(result["rules_sha256"]) == 64 and result["rules_version"]
    assert result["park"]["name"] == "北京京南绿谷科技产业园(虚构)"


def test_baseline_rows(result):
    rows = {r["number"]: r for r in result["baseline"]}
    assert sorted(rows) == list(range(1, 9))
    assert [n for n, r in rows.items() if r["status"] == "not_met"] == [4]
    assert all(rows[n]["status"] == "met" for n in (1, 2, 3, 5, 6, 7, 8))
    assert rows[4]["evidence"].startswith("B4")


def test_indicator_rows_and_scores(result):
    rows = result["indicators"]
    assert len(rows) == 31 * 3
    by = {(r["number"], r["year"]): r for r in rows}
    for number, expected in DEMO_2024.items():
        assert by[(number, 2024)]["score"] == pytest.approx(expected, rel=1e-9), number
    assert by[(10, 2024)]["value"] is None and by[(10, 2024)]["score"] is None
    assert by[(2, 2024)]["value"] == 12.6 and by[(2, 2024)]["unit"] == "%"
    assert by[(1, 2022)]["value"] == pytest.approx(2.84)  # "28400 元/tce" converted to 万元/tce


def test_total_2024_is_mean_of_29_evaluated(result):
    total = {t["year"]: t for t in result["total_scores"]}[2024]
    assert total["total"] == pytest.approx(sum(DEMO_2024.values()) / 29, rel=1e-9)
    assert total["missing_optional"] == [10, 28] and total["evaluated"] == 29


def _keys(findings):
    return {(f["rule_id"], f.get("indicator"), f.get("requirement"), f.get("year")) for f in findings}


def test_findings_worked_out_by_hand(result):
    # Below the lead value in 2024 (score < 100): 2 (12.6/15), 3 (74.5/75), 6 (94.8/95), 9 (58/60),
    # 11 (79/80), 18 (27/30), 21 (99.8/100), 25 (290/366 = 79.2 % < 80), 27 (74/80); 31 at level 较完善.
    advanced = {("rec.advanced.below_lead", n, None, 2024) for n in (2, 3, 6, 9, 11, 18, 21, 25, 27)}
    advanced.add(("rec.advanced.level_below_lead", 31, None, 2024))
    # Below a reference value (references.yaml): non-fossil ≥20 %, zero-carbon clean energy ≥90 %,
    # solid waste ≥96 %, waste heat ≥95 %, renewable resources ≥80 %, 2-star buildings ≥50 %.
    standard = {("rec.standard.below_reference", n, None, 2024) for n in (2, 3, 6, 9, 11, 13)}
    expected = advanced | standard | {
        ("compliance.requirement.not_met", None, 4, None),
        ("rec.standard.requirement", None, 4, None),
        # elasticity 2024: emissions (1015-1030)/1030 < 0 while value added grew: best case, flagged
        ("anomaly.indicator.best_nonpositive", 24, None, 2024),
        ("engagement.follow_up.due", None, None, None),
    } | {("compliance.indicator.optional_missing", n, None, y) for n in (10, 28) for y in (2022, 2023, 2024)}
    assert _keys(result["findings"]) == expected


def test_recommendation_potential(result):
    rec = next(r for r in result["recommendations"] if r["rule_id"] == "rec.advanced.below_lead" and r["indicator"] == 2)
    assert rec["points"] == pytest.approx(100 - 100 * 12.6 / 15)
    assert rec["total_points"] == pytest.approx((100 - 100 * 12.6 / 15) / 29)
    assert any(m["id"] == "integrated_energy_station" for m in rec["measures"])
    assert rec["method"] == "advanced_benchmark"


def test_finding_fields(result):
    f = next(f for f in result["findings"] if f["rule_id"] == "rec.standard.below_reference" and f["indicator"] == 13)
    assert f["value"] == 41.0 and f["threshold"] == 50.0 and f["method"] == "standard_comparison"
    assert f["source"]["doc"] and f["message_zh"] and f["message_en"]
    assert "41" in f["message_zh"] and "50" in f["message_zh"]


def test_engagement_facts(result):
    e = result["engagement"]
    assert e["onsite_working_days"] == 5  # 2025-03-10 (Mon) to 2025-03-14 (Fri)
    assert e["senior_count"] == 2 and e["park_staff_count"] == 1 and len(e["team"]) == 6
    assert e["follow_up_due"] == "2026-04-15" and e["checks_failed"] == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_engagement_breaches(demo_dict, backend):
    data = copy.deepcopy(demo_dict)
    eng = data["engagement"]
    eng["team"] = [m for m in eng["team"] if not m.get("park_staff")][:4]  # 4 people, no park staff
    for m in eng["team"]:
        m["senior"] = False
        m["led_green_projects"] = False
    eng["onsite"] = {"start": "2025-03-13", "end": "2025-03-17"}  # Thu, Fri, Mon: 3 working days
    eng["confidentiality_submitted"] = "2025-03-06"  # after work started on 2025-03-05
    eng["scope"] = {"full": False, "description": "仅东区"}
    eng["fee_charged"] = True
    import datetime as dt
    got = {f["rule_id"] for f in _diag(data, backend, as_of=dt.date(2026, 6, 1))["findings"] if f["rule_id"].startswith("engagement.")}
    assert got == {"engagement.team.too_small", "engagement.team.expertise", "engagement.team.no_park_staff",
                   "engagement.onsite.too_short", "engagement.confidentiality.late", "engagement.scope.unapproved",
                   "engagement.fee.charged", "engagement.follow_up.overdue"}


def test_missing_engagement_dates(demo_dict):
    data = copy.deepcopy(demo_dict)
    del data["engagement"]["onsite"], data["engagement"]["confidentiality_submitted"]
    got = {f["rule_id"] for f in _diag(data)["findings"]}
    assert {"engagement.onsite.unrecorded", "engagement.confidentiality.missing"} <= got


def test_missing_mandatory_indicator_is_a_finding(demo_dict):
    data = copy.deepcopy(demo_dict)
    for block in data["years"]:
        block.get("indicators", {}).pop("green_coverage", None)
    res = _diag(data)
    assert {("compliance.indicator.mandatory_missing", 26, None, y) for y in (2022, 2023, 2024)} <= _keys(res["findings"])
    total = {t["year"]: t for t in res["total_scores"]}[2024]
    assert total["missing_mandatory"] == [26] and total["missing_effect"] < 0


def test_anomalies_on_bad_but_valid_data(demo_dict):
    data = copy.deepcopy(demo_dict)
    y24 = next(b for b in data["years"] if b["year"] == 2024)
    y24["indicators"]["renewable_energy_share"]["value"] = 80  # above clean energy share 74.5
    y24["indicators"]["solid_waste_disposal_utilization"]["value"] = 90  # below comprehensive use 94.8
    y24["indicators"]["green_bus_share"]["value"] = 20  # 78 → 20: a jump over 50 %
    got = _keys(_diag(data)["findings"])
    assert ("anomaly.year.renewable_above_clean", None, None, 2024) in {(k[0], None, None, k[3]) for k in got}
    assert any(k[0] == "anomaly.year.disposal_below_utilization" and k[3] == 2024 for k in got)
    assert ("anomaly.indicator.share_jump", 16, None, 2024) in got  # a share: jump measured in points (58 > 30)


def test_both_backends_byte_identical(demo_dataset, catalogue, rulebase):
    a = diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend="durable").to_json()
    b = diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend="python").to_json()
    assert a == b


def test_no_state_leaks_between_diagnoses(demo_dict, demo_dataset):
    first = diagnose(demo_dataset).to_json()
    other = copy.deepcopy(demo_dict)
    other["engagement"]["fee_charged"] = True
    for _ in range(3):
        assert "engagement.fee.charged" in _diag(other, "durable")["findings"].__repr__()
    assert diagnose(demo_dataset).to_json() == first


def test_deterministic_across_processes(demo_path, tmp_path):
    code = ("import sys, greendiag; sys.stdout.write(greendiag.diagnose(greendiag.load_dataset(sys.argv[1])).to_json())")
    outs = set()
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outs.add(subprocess.run([sys.executable, "-c", code, str(demo_path)], env=env, check=True,
                                capture_output=True, text=True).stdout)
    assert len(outs) == 1
    assert json.loads(outs.pop())["catalogue_version"]


def test_catalogue_mismatch_is_an_error(demo_dataset, tmp_path):
    overlay = tmp_path / "o.yaml"
    overlay.write_text("overlay:\n  id: tiny\n  version: 1.0.0\n  title_zh: 空扩展\n  title_en: empty overlay\n"
                       "  extends: {id: bj-green-park-2024, version: '>=1.0,<2'}\n", encoding="utf-8")
    cat = greendiag.load_catalogue(overlay)
    with pytest.raises(greendiag.DatasetError) as info:
        diagnose(demo_dataset, catalogue=cat)
    assert info.value.problems[0].code == "catalogue-mismatch"


# ---------------------------------------------------------------- a year without any data is not assessable

def _blank(data, *years):
    data = copy.deepcopy(data)
    for block in data["years"]:
        if block["year"] in years:
            block.pop("indicators", None)
            block.pop("statistics", None)
    return data


@pytest.mark.parametrize("backend", BACKENDS)
def test_year_without_data_is_not_assessable(demo_dict, backend):
    from greendiag.summary import diagnosis_summary
    from greendiag.testing import assert_scoring_invariants

    diag = diagnose(dataset_from_dict(_blank(demo_dict, 2023, 2024)), backend=backend)
    d = diag.to_dict()
    totals = {t["year"]: t for t in d["total_scores"]}
    for y in (2023, 2024):
        assert totals[y]["assessable"] is False
        assert totals[y]["total"] is None and totals[y]["missing_effect"] is None and totals[y]["band_en"] is None
    assert totals[2022]["assessable"] is True and totals[2022]["total"] > 0
    keys = _keys(d["findings"])
    assert {k for k in keys if k[0] == "compliance.year.no_data"} == {("compliance.year.no_data", None, None, y) for y in (2023, 2024)}
    # one finding per empty year, not one "scores 0" finding (or data recommendation) per indicator
    per_indicator = ("compliance.indicator.mandatory_missing", "compliance.indicator.optional_missing", "rec.advanced.missing_data")
    assert not [k for k in keys if k[0] in per_indicator and k[3] in (2023, 2024)]
    no_data = next(f for f in d["findings"] if f["rule_id"] == "compliance.year.no_data" and f["year"] == 2023)
    assert no_data["severity"] == "high" and "不可评分" in no_data["message_zh"] and "not assessable" in no_data["message_en"]
    assert_scoring_invariants(diag)
    json.loads(diag.to_json())  # still strict JSON

    en = diagnosis_summary(diag, "en")
    total_line = next(line for line in en.splitlines() if line.startswith("Total\t"))
    assert total_line.split("\t")[2:] == ["not assessable", "not assessable"]
    assert "below pass" not in en and "+0.00" not in en
    assert "2023: no data for this year: not assessable" in en
    zh = diagnosis_summary(diag, "zh")
    assert "2024年无数据,不可评分" in zh and "按0分计,影响总分" not in zh


def test_report_says_not_assessable(demo_dict, tmp_path):
    from greendiag.reports import render_report

    diag = diagnose(dataset_from_dict(_blank(demo_dict, 2023)), backend="python")
    from conftest import plain_punct

    with open(render_report(diag, tmp_path / "r.md"), encoding="utf-8") as fh:
        text = plain_punct(fh.read())
    assert "2023年无数据,不可评分" in text
    total_row = next(line for line in text.splitlines() if line.startswith("| 总分 |"))
    assert total_row.split("|")[3].strip() == "不可评分"  # 2022 | 2023 | 2024
    render_report(diag, tmp_path / "r.docx")  # Word and HTML render too
    render_report(diag, tmp_path / "r.html")


# ---------------------------------------------------------------- category and total changes

def test_score_changes_in_the_diagnosis(result):
    ch = {(c["category"], c["from_year"], c["to_year"]): c for c in result["score_changes"]}
    cats = {(c["category"], c["year"]): c["score"] for c in result["category_scores"]}
    totals = {t["year"]: t["total"] for t in result["total_scores"]}
    assert len(ch) == 7 * 3  # six categories and the total, three pairs of years
    t = ch[(None, 2022, 2024)]
    assert t["to_score"] == pytest.approx(sum(DEMO_2024.values()) / 29, rel=1e-9)  # hand-computed 2024 total
    assert t["from_score"] == totals[2022] and t["delta"] == pytest.approx(totals[2024] - totals[2022])
    assert t["assessment"] == ("better" if t["delta"] > 0 else "worse")
    # EG 2024 by hand: mean of 1, 2, 3
    eg24 = (DEMO_2024[1] + DEMO_2024[2] + DEMO_2024[3]) / 3
    eg = ch[("EG", 2023, 2024)]
    assert eg["to_score"] == pytest.approx(eg24, rel=1e-9) and eg["from_score"] == cats[("EG", 2023)]


# ---------------------------------------------------------------- team expertise: senior titles in related specialities

def _team(*members):
    """Five members, one from the park; `members` are (speciality, senior) pairs for the first ones."""
    team = [{"name": f"成员{i}", "speciality": sp, "senior": senior} for i, (sp, senior) in enumerate(members)]
    team += [{"name": f"其他{i}", "speciality": "资源循环利用"} for i in range(4 - len(members))]
    team.append({"name": "园区代表", "speciality": "园区管理", "park_staff": True})
    return team


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_senior_accountant_does_not_count(demo_dict, backend):
    data = copy.deepcopy(demo_dict)
    data["engagement"]["team"] = _team(("能源管理", True), ("会计", True))
    res = _diag(data, backend)
    assert res["engagement"]["senior_count"] == 1 and res["engagement"]["senior_unrelated_count"] == 1
    got = {f["rule_id"]: f for f in res["findings"] if f["rule_id"].startswith("engagement.team")}
    assert set(got) == {"engagement.team.expertise", "engagement.team.senior_unrelated"}
    assert "成员1:会计" in got["engagement.team.senior_unrelated"]["message_zh"]
    assert "成员1: 会计" in got["engagement.team.senior_unrelated"]["message_en"]
    assert got["engagement.team.senior_unrelated"]["severity"] == "info"


def test_related_specialities_in_chinese_and_english_count(demo_dict):
    data = copy.deepcopy(demo_dict)
    data["engagement"]["team"] = _team(("Environmental engineering", True), ("ＬＣＡ(生命周期评价)", True), ("会计", True))
    res = _diag(data)
    assert res["engagement"]["senior_count"] == 2 and res["engagement"]["senior_unrelated_count"] == 1
    assert not [f for f in res["findings"] if f["rule_id"].startswith("engagement.team")]  # 2 related seniors suffice


def test_a_senior_without_speciality_is_not_counted(demo_dict):
    data = copy.deepcopy(demo_dict)
    data["engagement"]["team"] = _team(("生态", True), (None, True))
    res = _diag(data)
    assert res["engagement"]["senior_count"] == 1
    f = next(f for f in res["findings"] if f["rule_id"] == "engagement.team.senior_unrelated")
    assert "成员1:未填" in f["message_zh"]


def test_best_nonpositive_message_is_generic(demo_dict):
    data = copy.deepcopy(demo_dict)
    y24 = next(b for b in data["years"] if b["year"] == 2024)
    y24["indicators"]["wastewater_per_value_added"] = 0  # no wastewater at all: lower is better, at 0
    f = next(f for f in _diag(data)["findings"] if f["rule_id"] == "anomaly.indicator.best_nonpositive" and f["indicator"] == 23)
    assert "排放下降" not in f["message_zh"] and "emissions fell" not in f["message_en"]
    assert "越低越好" in f["message_zh"] and "lower-is-better" in f["message_en"]


# ---------------------------------------------------------------- baseline gate, recommendation order and groups

def test_baseline_summary_and_band_qualified(result):
    assert result["baseline_summary"] == {"mandatory_unmet": [4], "mandatory_unknown": [], "encouraged_unmet": []}
    assert [t["band_qualified"] for t in result["total_scores"]] == [False, False, False]
    assert [t["band_zh"] for t in result["total_scores"]] == ["优秀"] * 3  # kept; presented as qualified


def test_summary_qualifies_the_band(demo_dataset):
    from greendiag.summary import diagnosis_summary

    diag = diagnose(demo_dataset, backend="python")
    zh_total = next(line for line in diagnosis_summary(diag, "zh").splitlines() if line.startswith("总分\t"))
    assert zh_total.split("\t")[3] == "105.8 优秀(基础性要求第4项未满足,评级仅供参考)"
    en_total = next(line for line in diagnosis_summary(diag, "en").splitlines() if line.startswith("Total\t"))
    assert en_total.split("\t")[1] == "95.13 excellent (baseline requirement 4 not met: rating for reference only)"


def test_summary_names_unknown_mandatory_requirements(demo_dict):
    from greendiag.summary import diagnosis_summary

    data = copy.deepcopy(demo_dict)
    data["baseline"] = [b for b in data["baseline"] if b["number"] != 2]  # 2 not given: unknown
    next(b for b in data["baseline"] if b["number"] == 4)["status"] = "met"  # no mandatory requirement unmet
    diag = diagnose(dataset_from_dict(data), backend="python")
    zh = diagnosis_summary(diag, "zh")
    total = next(line for line in zh.splitlines() if line.startswith("总分\t"))
    assert total == "总分\t95.13 优秀\t99.19 优秀\t105.8 优秀"  # unknown keeps the plain band
    assert "基础性要求第2项(必须满足)未核实:评级以其满足为前提" in zh
    assert "  baseline requirement 2 (mandatory) not verified: the rating assumes it is met" in diagnosis_summary(diag, "en")
    assert diag.to_dict()["baseline_summary"] == {"mandatory_unmet": [], "mandatory_unknown": [2], "encouraged_unmet": []}


def test_requirement_candidates_come_first(result):
    recs = result["recommendations"]
    assert recs[0]["requirement"] == 4 and recs[0]["rule_id"] == "rec.standard.requirement"
    rest = [r["total_points"] or 0 for r in recs[1:]]
    assert rest == sorted(rest, reverse=True)  # then by recoverable points, as before
    assert result["projects"][1]["addresses"] == ["基础性要求4"]  # after the park's own project, the audit measure


@pytest.mark.parametrize("backend", BACKENDS)
def test_requirement_candidates_order_mandatory_unmet_unknown_then_encouraged(demo_dict, backend):
    data = copy.deepcopy(demo_dict)
    status = {1: "met", 2: "unknown", 3: "met", 4: "met", 5: "met", 6: "not_met", 7: "not_met", 8: "met"}
    data["baseline"] = [{"number": n, "status": s} for n, s in status.items()]
    recs = _diag(data, backend)["recommendations"]
    assert [r["requirement"] for r in recs[:3]] == [6, 2, 7]  # mandatory not met, mandatory unknown, encouraged not met
    assert all(r["requirement"] is None for r in recs[3:])


def test_groups_join_the_two_methods_on_one_indicator(result):
    recs = result["recommendations"]
    for r in recs:
        assert r["group"] == (r["indicator_id"] or f"req-{r['requirement']}")
    by_group = {}
    for r in recs:
        by_group.setdefault(r["group"], []).append((r["rule_id"], r["method"]))
    # 2 可再生能源使用比例 is below the lead value 15 % and below the non-fossil share reference 20 %: both kept
    assert sorted(by_group["renewable_energy_share"]) == [("rec.advanced.below_lead", "advanced_benchmark"),
                                                          ("rec.standard.below_reference", "standard_comparison")]
    assert by_group["req-4"] == [("rec.standard.requirement", "standard_comparison")]
    assert len(recs) == 17  # nothing dropped: 10 advanced + 6 standard (indicators) + requirement 4


def test_gap_messages_in_percentage_points(result):
    recs = {(r["rule_id"], r["indicator"]): r for r in result["recommendations"]}
    # 12.6 % against the lead value 15 %: 2.4 points, 2.4 / 15 = 16 % relative
    lead = recs[("rec.advanced.below_lead", 2)]
    assert lead["gap_abs"] == 2.4 and lead["gap_pct"] == 16.0
    assert lead["message_zh"] == ("“2 可再生能源使用比例”2024年为12.6%,低于引领值15%,差距2.4个百分点(相对差距16%),"
                                  "达到引领值可提高该项得分16.0分")
    assert "below the lead value 15%: gap 2.4 percentage points (16% relative)" in lead["message_en"]
    # against 省级绿色低碳园区非化石能源消费比重(≥20 %): 7.4 points, 7.4 / 20 = 37 %; the 20 % is printed once
    std = recs[("rec.standard.below_reference", 2)]
    assert std["gap_abs"] == 7.4 and std["gap_pct"] == 37.0 and std["target"] == 20.0
    assert std["message_zh"] == "“2 可再生能源使用比例”2024年为12.6%,低于省级绿色低碳园区非化石能源消费比重(≥20%),差距7.4个百分点(相对差距37%)"
    assert std["message_en"].endswith("below Provincial green low-carbon park non-fossil energy share (≥20%): gap 7.4 percentage points (37% relative)")
    # 11: 79 % against 80 %: one point, singular in English
    assert "gap 1 percentage point (1.25% relative)" in recs[("rec.advanced.below_lead", 11)]["message_en"]
    for r in result["recommendations"]:
        assert "(20%)" not in r["message_zh"] and "—" not in r["message_zh"] + r["message_en"]


def test_gap_in_a_unit_and_an_inverted_reference(demo_dict):
    # 2024 energy productivity reported as 2.5 万元/tce; the reference 省级…能耗要求 is ≤0.35 tce/万元, i.e.
    # 1 / 0.35 = 2.857142857… 万元/tce: gap 0.357142857…, relative 0.357142857 / 2.857142857 = 12.5 %
    data = copy.deepcopy(demo_dict)
    next(b for b in data["years"] if b["year"] == 2024)["indicators"]["energy_productivity"] = 2.5
    recs = {(r["rule_id"], r["indicator"]): r for r in _diag(data)["recommendations"]}
    std = recs[("rec.standard.below_reference", 1)]
    assert std["gap_abs"] == pytest.approx(1 / 0.35 - 2.5, rel=1e-11) and std["gap_pct"] == 12.5
    assert std["message_zh"] == ("“1 能源产出率”2024年为2.5 万元/tce,低于参考值2.857 万元/tce(由省级绿色低碳园区单位工业增加值能耗要求"
                                 "(≤0.35 tce/万元)折算),差距0.357 万元/tce(相对差距12.5%)")  # 2.857 − 2.5 as printed
    assert "below reference value 2.857 万元/tce (converted from " in std["message_en"]
    assert std["message_en"].endswith("): gap 0.357 万元/tce (12.5% relative)")


# ---------------------------------------------------------------- evidence, engagement and profile fields

def test_derived_rows_name_their_statistics_and_evidence(result):
    by = {(r["number"], r["year"]): r for r in result["indicators"]}
    assert by[(1, 2024)]["origin"] == "derived"
    assert by[(1, 2024)]["evidence"] == "由统计数据推导:工业增加值(可比价) (S1-2024 园区统计年报)、综合能源消费量 (S2-2024 能源统计报表)"
    # 22 碳排放量消减率 compares 2024 with 2023: both years' evidence
    assert by[(22, 2024)]["evidence"] == ("由统计数据推导:二氧化碳排放量 (2024年 S6-2024 碳排放核算报告;2023年 S6-2023 碳排放核算报告)、"
                                         "工业增加值(可比价) (2024年 S1-2024 园区统计年报;2023年 S1-2023 园区统计年报)")
    assert by[(2, 2024)]["evidence"] == "E2-2024"  # a reported row keeps the park's own index


def test_engagement_and_profile_fields(result):
    e = result["engagement"]
    assert e["third_party_evaluation"] is True and e["report_meeting_date"] == "2025-04-22"
    assert e["report_submitted"] == "2025-04-15"
    park = result["park"]
    assert park["zoning"].startswith("分为北部研发创新区") and park["industry_status"].startswith("2024年园区工业增加值223亿元")


def test_engagement_and_profile_fields_may_be_missing(demo_dict):
    data = copy.deepcopy(demo_dict)
    for key in ("third_party_evaluation", "report_meeting_date"):
        del data["engagement"][key]
    del data["park"]["zoning"], data["park"]["industry_status"]
    res = _diag(data)
    assert res["engagement"]["third_party_evaluation"] is None and res["engagement"]["report_meeting_date"] is None
    assert res["park"]["zoning"] is None and res["park"]["industry_status"] is None
    data["engagement"]["third_party_evaluation"] = False
    assert _diag(data)["engagement"]["third_party_evaluation"] is False


# ---------------------------------------------------------------- no float noise in values

def _significant_digits(x: float) -> int:
    """Digits of the shortest repr, without sign, point, exponent, leading and trailing zeros."""
    return len(repr(float(x)).lower().split("e")[0].lstrip("-").replace(".", "").strip("0"))


def test_significant_digits_helper():
    assert _significant_digits(2.8400000000000003) == 17 and _significant_digits(2.84) == 3
    assert _significant_digits(1850000.0) == 3 and _significant_digits(0.0125) == 3 and _significant_digits(-0.201941747573) == 12 and _significant_digits(1e-300) == 1


def test_demo_json_values_have_at_most_12_significant_digits(demo_dataset):
    d = json.loads(diagnose(demo_dataset, backend="python").to_json())
    checked = []
    for section, keys in (("indicators", ("value",)), ("changes", ("from_value", "to_value", "delta")),
                          ("findings", ("value",)), ("recommendations", ("value", "gap_abs", "gap_pct", "points", "total_points")),
                          ("changes", ("score_delta",)), ("score_changes", ("delta",))):
        for row in d[section]:
            for k in keys:
                if isinstance(row[k], float):
                    checked.append((section, k, row[k]))
    assert len(checked) > 300
    noisy = [c for c in checked if _significant_digits(c[2]) > 12]
    assert not noisy, noisy[:5]
    by = {(r["number"], r["year"]): r["value"] for r in d["indicators"]}
    assert by[(1, 2022)] == 2.84  # "28400 元/tce", was 2.8400000000000003
    assert by[(1, 2023)] == 2.97142857143  # 2080000 / 700000 = 2.971428571428571…, 12 significant digits


def test_reference_findings_cite_the_references_own_source(result, root):
    """A standard-comparison finding names the document and clause of the reference value it compares with."""
    import yaml

    refs = {r["id"]: r for r in yaml.safe_load((root / "catalogue" / "references.yaml").read_text(encoding="utf-8"))["references"]}
    by_label = {r["label_zh"]: r for r in refs.values()}
    hits = [f for f in result["findings"] if f["rule_id"] == "rec.standard.below_reference"]
    assert hits
    for f in hits:
        ref = next(r for label, r in by_label.items() if label in f["message_zh"])
        assert (f["source"]["doc"], f["source"]["clause"]) == (ref["sources"][0]["doc"], ref["sources"][0]["clause"])
        assert f["source"]["title"]


def test_a_diagnosis_year_other_than_the_year_of_the_work_is_flagged(demo_path, catalogue, rulebase):
    """The workbook reads every column by the diagnosis year typed on 园区信息: typed one year too early, all data
    shift by a year with nothing to notice. The work started in 2025 (demo), so a diagnosis year of 2024 is flagged
    (附件2-1-2 注2: the scored years are those before the year the diagnosis is carried out)."""
    import yaml

    data = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    ok = greendiag.diagnose(greendiag.dataset_from_dict(data, catalogue=catalogue), catalogue=catalogue, rules=rulebase, backend="python")
    assert "engagement.dates.diagnosis_year" not in {f.rule_id for f in ok.findings}
    data["diagnosis_year"] = 2024
    data["years"] = [b for b in data["years"] if b["year"] < 2024]
    d = greendiag.diagnose(greendiag.dataset_from_dict(data, catalogue=catalogue), catalogue=catalogue, rules=rulebase, backend="python")
    (f,) = [f for f in d.findings if f.rule_id == "engagement.dates.diagnosis_year"]
    assert "2025 年开展" in f.message_zh and "诊断年份为 2024 年" in f.message_zh


def test_a_year_over_year_indicator_without_the_previous_years_statistics_says_what_is_missing(demo_path, catalogue, rulebase):
    """The demo without its 2021 (base-year) CO2 figure: 2022's indicator 22 cannot be derived. It was only "缺少数据,
    按0分计" although the 2022 statistics were given; now a finding names the missing 2021 statistic."""
    import yaml

    data = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    base = next(b for b in data["years"] if b["year"] == 2021)
    del base["statistics"]["co2_emissions"]
    y2022 = next(b for b in data["years"] if b["year"] == 2022)
    y2022["indicators"].pop("carbon_intensity_reduction", None)
    d = greendiag.diagnose(greendiag.dataset_from_dict(data, catalogue=catalogue), catalogue=catalogue, rules=rulebase, backend="python")
    (f,) = [f for f in d.findings if f.rule_id == "anomaly.indicator.previous_year_missing"]
    assert (f.indicator, f.year) == (22, 2022) and "缺少2021年二氧化碳排放量" in f.message_zh
    assert not [f for f in d.findings if f.rule_id == "anomaly.indicator.previous_year_missing" and f.year != 2022]


def test_a_total_lower_only_by_missing_data_is_not_called_worse_in_the_summary(demo_path):
    """The CLI said "2023→2024 -x 变差(…除去后 +y)": the like-for-like change decides the word."""
    from greendiag.summary import diagnosis_summary

    data = read_document(demo_path).data
    for block in data["years"]:
        if block["year"] == 2024:
            block["indicators"].pop("renewable_energy_share", None)
            block["indicators"].pop("green_development_plan", None)
            block["indicators"].pop("clean_energy_share", None)
    d = diagnose(dataset_from_dict(data), backend="python")
    total = next(c for c in d.scorecard.score_changes if c.category is None and (c.from_year, c.to_year) == (2023, 2024))
    assert total.delta < 0 < total.delta_without_data_gaps  # lower only because three indicators are missing in 2024
    for lang, word, worse in (("zh", "向好", "变差"), ("en", "better", "worse")):
        (line,) = [x for x in diagnosis_summary(d, lang).splitlines() if "2023→2024" in x and f"{total.delta:+.2f}" in x]
        assert f"{total.delta_without_data_gaps:+.2f} {word}" in line and worse not in line and "2, 3, 30" in line.replace("、", ", ")


def test_an_optional_indicator_reported_in_one_year_only_is_a_data_gap(demo_path):
    """RG 2022 fell from 89.3 to 78.8 only because 10 (5 %) was averaged in 2022 and not in 2023, and the total
    change was called 向好 without the like-for-like figure (re-review)."""
    from greendiag.testing import assert_scoring_invariants

    data = read_document(demo_path).data
    for block in data["years"]:
        if block["year"] == 2022:
            block["indicators"]["waste_gas_recovery"] = {"value": 5}
    d = diagnose(dataset_from_dict(data), backend="python")
    changes = {(c.category, c.from_year, c.to_year): c for c in d.scorecard.score_changes}
    rows = {(r.number, r.year): r for r in d.scorecard.indicators}
    assert rows[(10, 2022)].status == "scored" and rows[(10, 2023)].status == "missing_optional"
    for key in (("RG", 2022, 2023), (None, 2022, 2023), ("RG", 2022, 2024), (None, 2022, 2024)):
        assert changes[key].data_gaps == (10,) and changes[key].delta_without_data_gaps is not None, key
    assert changes[("RG", 2023, 2024)].data_gaps == () and changes[("EG", 2022, 2023)].data_gaps == ()
    rg = changes[("RG", 2022, 2023)]  # like for like: RG without 10 in both years, by hand from the rows
    same = [n for (n, y), r in rows.items() if y == 2022 and r.category == "RG" and n != 10 and r.score is not None]
    by_hand = sum(rows[(n, 2023)].score for n in same) / len(same) - sum(rows[(n, 2022)].score for n in same) / len(same)
    assert rg.delta_without_data_gaps == pytest.approx(by_hand, abs=1e-9)
    assert_scoring_invariants(d.to_dict(), d.catalogue)  # the kit recomputes data_gaps and the like-for-like change


def test_an_undefined_indicator_in_one_year_is_a_data_gap(demo_path):
    """Output fell in 2024, so 24 (pollutant elasticity) is undefined there and left out: 2024's total is over one
    indicator fewer than 2023's. The total was called +0.19 向好 while EG, CG and HG fell (re-review)."""
    from greendiag.summary import diagnosis_summary
    from greendiag.testing import assert_scoring_invariants

    data = read_document(demo_path).data
    for block in data["years"]:
        if block["year"] == 2024:
            block["indicators"].pop("pollutant_elasticity", None)  # derived from the statistics instead
            block["statistics"]["industrial_value_added"]["value"] = 2000000  # below 2023: no growth
    d = diagnose(dataset_from_dict(data), backend="python")
    rows = {(r.number, r.year): r for r in d.scorecard.indicators}
    assert rows[(24, 2024)].status == "undefined" and rows[(24, 2023)].status == "scored"
    changes = {(c.category, c.from_year, c.to_year): c for c in d.scorecard.score_changes}
    for key in ((None, 2023, 2024), (None, 2022, 2024)):
        assert 24 in changes[key].data_gaps and changes[key].delta_without_data_gaps is not None
    assert 24 not in changes[(None, 2022, 2023)].data_gaps
    assert_scoring_invariants(d.to_dict(), d.catalogue)
    total = changes[(None, 2023, 2024)]
    (line,) = [x for x in diagnosis_summary(d, "zh").splitlines() if x.startswith("总分变化")]
    part = next(p for p in line.split("; ") if "2023→2024" in p)
    word = "向好" if total.delta_without_data_gaps > 0 else "变差" if total.delta_without_data_gaps < 0 else "持平"
    assert part.endswith(f"{word})") and "24" in part  # the like-for-like change carries the word
