"""Printed numbers agree with their printed differences, for converted reference values and year-over-year changes too.

A reviewer subtracts the printed numbers. With the water-cascade overlay the demo's 4 水资源产出率 is 1604.32 元/m³ in 2024
and the advanced reference, converted from Beijing's 5.6 m³ per 10^4 yuan, is 10000 / 5.6 = 1785.71 元/m³; both print at
four significant digits (1604, 1786), so the gap prints as their difference, 182 — not 181.4, which 1786 − 1604 does not
give, and not 1785.7 − 1604.3, which would show a tenth the 5.6 m³ it was converted from does not have. 表3 prints
1352 → 1604 with +252 (not +252.6), 附件2-1-2 "+139" beside 1465 and 1604. diagnosis.json keeps value and gap_abs unrounded.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from conftest import EXAMPLES, plain_punct
from greendiag import dataset_from_dict, diagnose, load_rules
from greendiag._round import difference_text
from greendiag.reports import render_report

NUM = r"[+-]?\d+(?:\.\d+)?"


def _agrees(diff: Decimal, printed: str) -> bool:
    """Whether a difference of printed numbers, rounded half up to the printed difference's last digit, is it."""
    shown = Decimal(printed)
    return diff.quantize(Decimal(1).scaleb(shown.as_tuple().exponent), rounding=ROUND_HALF_UP) == shown


# ---------------------------------------------------------------- the rounding itself, by hand

def test_difference_of_printed_numbers_where_four_digits_disagree():
    # 1785.714 − 1604.317 = 181.398 → .4g 181.4; printed 1786 − 1604 = 182: the printed numbers' difference
    assert difference_text(181.398, ("1786", 10000 / 5.6), ("1604", 1604.31654676)) == "182"
    # 表3: 1351.7 → 1604.3 is +252.6, but 1604 − 1352 = 252
    assert difference_text(252.6, ("1604", 1604.31654676), ("1352", 1351.7), "+.4g") == "+252"
    # 3.776 → 3.206 (both rounded): −0.5692 → 3.206 − 3.776 = −0.570, in the fewest digits −0.57
    assert difference_text(-0.5692, ("3.206", 3.20604), ("3.776", 3.77524), "+.4g") == "-0.57"


def test_difference_keeps_four_digits_where_they_agree():
    # 80 − 79.235 = 0.765 (session 9): the .4g text stands
    assert difference_text(80 - 290 / 366 * 100, ("80", 80.0), ("79.235", 290 / 366 * 100)) == "0.765"
    assert difference_text(2.4, ("15", 15.0), ("12.6", 12.6)) == "2.4"
    # a share's change at one decimal: 80.148 → "80.15", 50.004 → "50": 30.15 would round to 30.2, not +30.1; the
    # coarser printed number is rounded to units, so the change is printed to units
    assert difference_text(30.144, ("80.15", 80.148), ("50", 50.004), "+.1f") == "+30"
    # a number printed exactly (the lead 80) sets no limit: 80 − 79.99999 is 0.00001
    assert difference_text(1e-5, ("80", 80.0), ("79.99999", 79.99999)) == "0.00001"
    # equal printed numbers (1604 and 1604 for a change of +0.3): no difference of them to print, the change as before
    assert difference_text(0.3, ("1604", 1604.4), ("1604", 1604.1), "+.4g") == "+0.3"


# ---------------------------------------------------------------- the demo with the water overlay

@pytest.fixture(scope="module")
def water_diagnosis(water, demo_data):
    rules = load_rules(EXAMPLES / "rules" / "water-cascade-rules.yaml", catalogue=water)
    return diagnose(dataset_from_dict(demo_data, catalogue=water), catalogue=water, rules=rules, backend="python")


@pytest.fixture(scope="module")
def md(water_diagnosis, tmp_path_factory):
    path = tmp_path_factory.mktemp("digits10") / "report.md"
    render_report(water_diagnosis, path, lang="zh")
    return plain_punct(path.read_text(encoding="utf-8"))


def _water_rec(d):
    (rec,) = [r for r in d.to_dict()["recommendations"] if r.get("indicator") == 4]
    return rec


def test_water_productivity_message(water_diagnosis):
    rec = _water_rec(water_diagnosis)
    assert rec["message_zh"] == ("“4 水资源产出率”2024年为1604 元/m3,距先进水平参考值1786 元/m3(由北京市万元工业增加值用水量(2023年,"
                                 "5.6 m³)折算)尚有差距182 元/m3(相对差距10.2%)")
    assert rec["clause_en"] == ("short of the advanced level reference value 1786 元/m3 (converted from Beijing water use per 10^4 yuan "
                                "industrial value added (2023, 5.6 m³)): gap 182 元/m3 (10.2% relative)")
    # the numbers themselves stay unrounded
    assert rec["gap_abs"] == pytest.approx(10000 / 5.6 - rec["value"], abs=1e-6) and rec["gap_abs"] != 182


def test_water_productivity_in_the_report(md):
    assert ("- “4 水资源产出率”2024年为1604 元/m³,已达引领值(得分107.0分),低于参考值1786 元/m³(由北京市万元工业增加值用水量"
            "(2023年,5.6 m³)折算),差距182 元/m³(相对差距10.2%)。") in md
    assert ("“4 水资源产出率”2024年为1604 元/m³,距先进水平参考值1786 元/m³(由北京市万元工业增加值用水量(2023年,5.6 m³)折算)"
            "尚有差距182 元/m³(相对差距10.2%)(先进对照法)") in md
    assert "| 4 | 水资源产出率 | 元/m³ | 1352 | 1465 | 1604 | 1500 | ↑ ↑ | +252 | 持续向好 |" in md
    assert "| 4 | 水资源产出率 | 元/m³ | 1465 | 97.7 | 较2022年向好(+113);" in md
    assert "| 4 | 水资源产出率 | 元/m³ | 1604 | 107.0 | 较2023年向好(+139);" in md
    # the session 9 agreement stands: 80 − 79.235 = 0.765
    assert "“25 园区空气质量优良率”2024年为79.235%,低于引领值80%,差距0.765个百分点" in md


def _target(clause: str) -> Decimal:
    """The target a clause compares with: the number after 引领值/参考值, else a label's last number followed by %."""
    m = re.search(r"(?:引领值|参考值)(" + NUM + ")", clause)
    if m is None:
        m = list(re.finditer("(" + NUM + r")%", clause))[-1]
    return Decimal(m.group(1))


def _gap_checks(text: str) -> list[tuple[str, Decimal, Decimal, str]]:
    """(clause, value, target, printed gap) for every 差距N the lines of `text` print beside a value 为V."""
    out = []
    for line in text.splitlines():
        head = re.search("年为(" + NUM + ")", line)
        if head is None:
            continue
        value = Decimal(head.group(1))
        start = 0
        for m in re.finditer("(?<!相对)差距(" + NUM + ")", line):
            clause = re.split("[;:]", line[start:m.start()])[-1]
            start = m.end()
            out.append((clause, value, _target(clause), m.group(1)))
    return out


def _difference(clause: str, value: Decimal, target: Decimal) -> Decimal:
    return value - target if "高于" in clause else target - value


def test_every_message_gap_is_the_difference_of_its_printed_numbers(water_diagnosis):
    d = water_diagnosis.to_dict()
    texts = [r["message_zh"] for r in d["recommendations"]] + [f["message_zh"] for f in d["findings"]]
    checks = _gap_checks("\n".join(texts))
    assert len(checks) >= 18  # every lead and reference candidate of the demo
    bad = [(c, v, t, g) for c, v, t, g in checks if not _agrees(_difference(c, v, t), g)]
    assert bad == []


def test_every_report_gap_is_the_difference_of_its_printed_numbers(md):
    checks = _gap_checks(md)
    assert len(checks) >= 30  # 三、3/三、4 problems and 五 recommendations
    assert any(g == "182" for *_, g in checks)
    bad = [(c, v, t, g) for c, v, t, g in checks if not _agrees(_difference(c, v, t), g)]
    assert bad == []


def _change_rows(md: str) -> dict[int, list[str]]:
    """表3's rows by indicator number: the cells after the unit (values per year, lead, steps, change, assessment)."""
    start = md.index("各指标2022—2024年数值变化")
    rows = {}
    for line in md[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0].isdigit():
            rows[int(cells[0])] = cells[3:]
    return rows


def _number(cell: str):
    cell = cell.replace("(待核实)", "")
    return Decimal(cell) if re.fullmatch(NUM, cell) else None


def test_table3_changes_are_the_differences_of_the_printed_values(md):
    rows = _change_rows(md)
    checked = 0
    for n, cells in rows.items():
        first, last, change = _number(cells[0]), _number(cells[2]), cells[5]
        if first is None or last is None or change in ("—", "0"):
            continue
        assert _agrees(last - first, change), (n, cells)
        checked += 1
    assert checked >= 20


def test_annex_changes_are_the_differences_of_the_printed_values(md):
    rows = _change_rows(md)
    notes = re.findall(r"^\| [^|]+ \| (\d+) \| [^|]+ \| [^|]+ \| ([^|]+) \| [^|]+ \| 较(\d{4})年[^(|;]*\((" + NUM + r")\)",
                       md, flags=re.M)
    assert len(notes) >= 30
    years = {2022: 0, 2023: 1, 2024: 2}
    for n, shown, before, change in notes:
        n, before = int(n), int(before)
        if n not in rows:
            continue
        now = rows[n][years[before + 1]]
        assert shown.strip() == now  # the annex prints the value as 表3 does
        assert _agrees(_number(now) - _number(rows[n][years[before]]), change), (n, before, change)


# ---------------------------------------------------------------- a share's change in points, beside both values

def test_share_jump_message_agrees_with_its_printed_values(catalogue, demo_data):
    import copy

    data = copy.deepcopy(demo_data)
    for y in data["years"]:
        if y["year"] in (2023, 2024):
            y["indicators"]["renewable_energy_share"] = {"value": 50.004 if y["year"] == 2023 else 80.148}
    d = diagnose(dataset_from_dict(data, catalogue=catalogue), catalogue=catalogue, backend="python").to_dict()
    (msg,) = [f["message_zh"] for f in d["findings"] if f.get("rule_id") == "anomaly.indicator.share_jump" and f.get("year") == 2024]
    # 80.148 − 50.004 = 30.144 (+30.1 at one decimal), but 80.15 − 50 = 30.15 rounds to 30.2: printed to units, +30
    assert msg == "2024年“2 可再生能源使用比例”较上年变化+30个百分点(上年50%,本年80.15%),变化异常,请核实"
