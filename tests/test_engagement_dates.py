"""The on-site minimum (不少于4个工作日, 四(三)1) and the order of the procedure's dates are checked on the dates
themselves: recorded days above what the on-site dates allow, statutory holidays (official calendar, or a note that
they were not deducted), a report dated before the on-site work ended, a meeting before the report. Both backends
give the same findings. Expected day counts come from the calendar and the State Council notice, worked out by hand."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import greendiag
from greendiag import facts, workdays

from conftest import DEMO

D = dt.date
BACKENDS = ("durable", "python")
NEW_RULES = ("engagement.onsite.days_exceed_dates", "engagement.onsite.holidays_not_deducted",
             "engagement.onsite.dates_missing", "engagement.dates.onsite_before_start",
             "engagement.dates.report_too_early", "engagement.dates.meeting_before_report")


@pytest.fixture(scope="module")
def demo_dict():
    with open(DEMO, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _diagnose(demo_dict, catalogue, rulebase, **engagement):
    """The demo park with engagement fields replaced (onsite given as a dict, None deletes a field), diagnosed on
    both backends; the engagement findings, checked to be the same on both."""
    data = copy.deepcopy(demo_dict)
    for key, value in engagement.items():
        if value is None:
            data["engagement"].pop(key, None)
        else:
            data["engagement"][key] = value
    out = []
    for backend in BACKENDS:
        d = greendiag.diagnose(data, catalogue=catalogue, rules=rulebase, backend=backend, as_of=D(2025, 6, 1))
        out.append([f for f in d.findings if f.rule_id.startswith("engagement.")])
    durable, python = out
    assert [(f.rule_id, f.severity, f.message_zh, f.message_en) for f in durable] == \
        [(f.rule_id, f.severity, f.message_zh, f.message_en) for f in python]
    return {f.rule_id: f for f in durable}


# --------------------------------------------------------------------------- counting days


@given(st.dates(D(2000, 1, 1), D(2040, 12, 31)), st.integers(-3, 60))
def test_weekdays_between_counts_monday_to_friday(start, span):
    end = start + dt.timedelta(span)
    by_hand = sum(1 for k in range(span + 1) if (start + dt.timedelta(k)).isoweekday() <= 5)
    assert workdays.weekdays_between(start, end) == by_hand


def test_weekdays_of_known_weeks():
    assert workdays.weekdays_between(D(2025, 3, 10), D(2025, 3, 11)) == 2  # Monday, Tuesday
    assert workdays.weekdays_between(D(2025, 3, 10), D(2025, 3, 16)) == 5  # one full week
    assert workdays.weekdays_between(D(2025, 3, 15), D(2025, 3, 16)) == 0  # a weekend
    assert workdays.weekdays_between(D(2025, 3, 11), D(2025, 3, 10)) == 0  # end before start


def test_the_official_calendar_is_installed_and_covers_recent_years():
    # a declared dependency (chinese-calendar): without it every count falls back to Monday–Friday
    years = workdays.holiday_calendar_years()
    assert years is not None and years[0] <= 2020 and years[1] >= 2025


@pytest.mark.parametrize("start, end, official, weekdays", [
    # 国办发明电〔2024〕12号: 国庆节、中秋节 10月1日至8日放假, 9月28日(周日)、10月11日(周六)上班
    (D(2025, 10, 1), D(2025, 10, 8), 0, 6),
    (D(2025, 9, 28), D(2025, 10, 11), 6, 10),  # 9/28, 9/29, 9/30, 10/9, 10/10, 10/11
    # 春节 1月28日至2月4日放假, 1月26日(周日)、2月8日(周六)上班
    (D(2025, 1, 26), D(2025, 2, 8), 6, 10),  # 1/26, 1/27, 2/5, 2/6, 2/7, 2/8
    (D(2025, 3, 10), D(2025, 3, 14), 5, 5),  # an ordinary week
])
def test_official_working_days_deduct_holidays_and_count_make_up_days(start, end, official, weekdays):
    assert workdays.official_working_days(start, end) == official
    assert workdays.weekdays_between(start, end) == weekdays
    assert workdays.onsite_working_days(start, end) == (official, True)


def test_years_outside_the_calendar_fall_back_to_weekdays():
    last = workdays.holiday_calendar_years()[1]
    start = D(last + 1, 10, 1)
    end = start + dt.timedelta(7)
    assert workdays.official_working_days(start, end) is None
    assert workdays.onsite_working_days(start, end) == (workdays.weekdays_between(start, end), False)


# --------------------------------------------------------------------------- findings of a diagnosis


def test_the_demo_park_raises_none_of_these_findings(demo_dict, catalogue, rulebase):
    found = _diagnose(demo_dict, catalogue, rulebase)
    assert not set(found) & set(NEW_RULES)
    assert "engagement.onsite.too_short" not in found


def test_typed_days_above_the_dates_are_found_and_the_minimum_is_judged_on_the_dates(demo_dict, catalogue, rulebase):
    # the reviewer's case: on site Monday 10 to Tuesday 11 March 2025, "5" working days typed
    found = _diagnose(demo_dict, catalogue, rulebase, onsite={"start": "2025-03-10", "end": "2025-03-11", "working_days": 5})
    excess = found["engagement.onsite.days_exceed_dates"]
    assert (excess.kind, excess.severity) == ("anomaly", "medium")
    assert "(5 个)" in excess.message_zh and "之间的 2 个工作日" in excess.message_zh
    assert "2025年3月10日至2025年3月11日" in excess.message_zh and "按 2 个工作日核查" in excess.message_zh
    assert "2025-03-10 to 2025-03-11" in excess.message_en
    short = found["engagement.onsite.too_short"]
    assert short.severity == "high" and "现场诊断 2 个工作日" in short.message_zh


def test_typed_days_within_the_dates_pass(demo_dict, catalogue, rulebase):
    found = _diagnose(demo_dict, catalogue, rulebase, onsite={"start": "2025-03-10", "end": "2025-03-17", "working_days": 4})
    assert "engagement.onsite.days_exceed_dates" not in found and "engagement.onsite.too_short" not in found


def test_statutory_holidays_are_deducted(demo_dict, catalogue, rulebase):
    # on site over the National Day holiday, no days typed: the dates allow 0 working days, not 6
    found = _diagnose(demo_dict, catalogue, rulebase, onsite={"start": "2025-10-01", "end": "2025-10-08"},
                      report_submitted="2025-10-20", report_meeting_date="2025-10-25")
    short = found["engagement.onsite.too_short"]
    assert "现场诊断 0 个工作日" in short.message_zh
    assert "engagement.onsite.holidays_not_deducted" not in found


def test_make_up_working_days_count(demo_dict, catalogue, rulebase):
    # Saturday 11 October 2025 was a working day (调休): Thursday 9 to Saturday 11 October are three working days, so
    # "3" typed is consistent with the dates (a Monday-to-Friday count, 2, would call it an excess)
    found = _diagnose(demo_dict, catalogue, rulebase, onsite={"start": "2025-10-09", "end": "2025-10-11", "working_days": 3},
                      report_submitted="2025-10-20", report_meeting_date="2025-10-25")
    assert "engagement.onsite.days_exceed_dates" not in found
    assert "现场诊断 3 个工作日" in found["engagement.onsite.too_short"].message_zh
    found = _diagnose(demo_dict, catalogue, rulebase, onsite={"start": "2025-10-09", "end": "2025-10-11", "working_days": 4},
                      report_submitted="2025-10-20", report_meeting_date="2025-10-25")
    assert "之间的 3 个工作日" in found["engagement.onsite.days_exceed_dates"].message_zh


def test_outside_the_calendar_the_finding_says_holidays_were_not_deducted(demo_dict, catalogue, rulebase):
    last = workdays.holiday_calendar_years()[1]
    start = D(last + 1, 3, 1)
    end = start + dt.timedelta(13)
    found = _diagnose(demo_dict, catalogue, rulebase, work_started=start.isoformat(),
                      onsite={"start": start.isoformat(), "end": end.isoformat()},
                      report_submitted=(end + dt.timedelta(30)).isoformat(), report_meeting_date=None)
    note = found["engagement.onsite.holidays_not_deducted"]
    assert note.severity == "info"
    assert "未扣除法定节假日" in note.message_zh and f"仅覆盖{workdays.holiday_calendar_years()[0]}–{last}年" in note.message_zh
    assert "statutory holidays not deducted" in note.message_en


def test_without_the_calendar_package_the_finding_says_so(demo_dict, catalogue, rulebase, monkeypatch):
    monkeypatch.setattr(workdays, "holiday_calendar_years", lambda: None)
    found = _diagnose(demo_dict, catalogue, rulebase, onsite={"start": "2025-10-01", "end": "2025-10-08", "working_days": 6},
                      report_submitted="2025-10-20", report_meeting_date="2025-10-25")
    note = found["engagement.onsite.holidays_not_deducted"]
    assert "未扣除法定节假日" in note.message_zh and workdays.HOLIDAY_PACKAGE in note.message_zh
    assert "engagement.onsite.days_exceed_dates" not in found  # 6 weekdays, and 6 recorded


def test_days_without_dates_cannot_be_checked(demo_dict, catalogue, rulebase):
    found = _diagnose(demo_dict, catalogue, rulebase, onsite={"working_days": 5})
    missing = found["engagement.onsite.dates_missing"]
    assert "记录了现场诊断 5 个工作日" in missing.message_zh
    assert "engagement.onsite.unrecorded" not in found


def test_a_report_before_the_onsite_work_ended_is_high(demo_dict, catalogue, rulebase):
    # the reviewer's case: report submitted 1 March 2025; work started 5 March, on site 10–14 March
    found = _diagnose(demo_dict, catalogue, rulebase, report_submitted="2025-03-01", report_meeting_date=None)
    early = found["engagement.dates.report_too_early"]
    assert (early.kind, early.severity) == ("anomaly", "high")
    assert "诊断报告提交日期(2025年3月1日)比现场诊断结束日期(2025年3月14日)早 13 天" in early.message_zh
    assert "跟踪反馈期限" in early.message_zh
    assert "engagement.dates.meeting_before_report" not in found


def test_without_onsite_dates_the_report_is_checked_against_the_work_start(demo_dict, catalogue, rulebase):
    found = _diagnose(demo_dict, catalogue, rulebase, onsite=None, report_submitted="2025-03-01", report_meeting_date=None)
    assert "比诊断工作开始日期(2025年3月5日)早 4 天" in found["engagement.dates.report_too_early"].message_zh


def test_a_report_on_the_last_onsite_day_is_in_order(demo_dict, catalogue, rulebase):
    found = _diagnose(demo_dict, catalogue, rulebase, report_submitted="2025-03-14", report_meeting_date="2025-03-14")
    assert not {"engagement.dates.report_too_early", "engagement.dates.meeting_before_report"} & set(found)


def test_a_meeting_before_the_report_is_found(demo_dict, catalogue, rulebase):
    found = _diagnose(demo_dict, catalogue, rulebase, report_meeting_date="2025-04-08")  # report submitted 15 April
    meeting = found["engagement.dates.meeting_before_report"]
    assert meeting.severity == "medium"
    assert "诊断工作报告会日期(2025年4月8日)比诊断报告提交日期(2025年4月15日)早 7 天" in meeting.message_zh
    assert "engagement.dates.report_too_early" not in found


def test_onsite_before_the_work_started_is_high(demo_dict, catalogue, rulebase):
    found = _diagnose(demo_dict, catalogue, rulebase, work_started="2025-03-12")  # on site from 10 March
    before = found["engagement.dates.onsite_before_start"]
    assert before.severity == "high"
    assert "现场诊断开始日期(2025年3月10日)比诊断工作开始日期(2025年3月12日)早 2 天" in before.message_zh
    # the confidentiality undertaking (3 March) is still before the work start: no other date finding
    assert not {"engagement.dates.report_too_early", "engagement.confidentiality.late"} & set(found)


def test_one_wrong_date_gives_one_finding(demo_dict, catalogue, rulebase):
    # a report dated before the work start is also before the on-site end: said once, against the on-site end
    found = _diagnose(demo_dict, catalogue, rulebase, report_submitted="2025-02-01", report_meeting_date="2025-04-22")
    dated = [r for r in found if r.startswith("engagement.dates.")]
    assert dated == ["engagement.dates.report_too_early"]
    assert "现场诊断结束日期" in found["engagement.dates.report_too_early"].message_zh


def test_a_follow_up_before_the_report_is_found(demo_dict, catalogue, rulebase):
    """The follow-up comes a year after the diagnosis (指南六); one dated before the report is a wrong date."""
    found = _diagnose(demo_dict, catalogue, rulebase, follow_up_submitted="2025-04-01")  # report submitted 15 April
    follow = found["engagement.dates.follow_up_before_report"]
    assert follow.severity == "high"
    assert "跟踪报告提交日期(2025年4月1日)比诊断报告提交日期(2025年4月15日)早 14 天" in follow.message_zh
    later = _diagnose(demo_dict, catalogue, rulebase, follow_up_submitted="2026-04-20")
    assert "engagement.dates.follow_up_before_report" not in later


def test_rule_messages_name_dates_as_the_workbook_does():
    """A date a rule message names ("跟踪报告提交日期(2025年4月1日)…") carries the label of the cell the user filled in."""
    import re


    from greendiag.excel.layout import ENGAGEMENT_FIELDS
    from greendiag.models import ENGAGEMENT_DATES

    rules = yaml.safe_load((DEMO.parent.parent / "rules" / "engagement.yaml").read_text(encoding="utf-8"))["rules"]
    named = [(r["id"], m.group(1), m.group(2)) for r in rules
             for m in re.finditer("([\u4e00-\u9fff]+日期)\\(\\{(\\w+?)_zh\\}", r.get("message_zh", ""))]
    assert len(named) >= 5  # the order checks name both of their dates
    labels = {getattr(f, "key", None): f.zh for f in ENGAGEMENT_FIELDS}
    named = [n for n in named if n[2] in ENGAGEMENT_DATES]  # not onsite_span (起止日期 of the on-site days)
    assert len(named) >= 5
    for rule_id, label, key in named:
        assert label.endswith(ENGAGEMENT_DATES[key][0]), (rule_id, label, key)
    for key, (zh, _) in ENGAGEMENT_DATES.items():
        dotted = {"onsite_start": "engagement.onsite.start", "onsite_end": "engagement.onsite.end"}.get(key, f"engagement.{key}")
        assert labels[dotted] == zh
