"""Currency units: Chinese multiples (千元, 百万元) are units; SI prefixes on 元 (k万元, Y元) are typos, refused."""

import pytest

from greendiag import load_catalogue, score_value
from greendiag.errors import DatasetError, UnitError
from greendiag.units import factor, parse_unit


@pytest.mark.parametrize("unit,to,want", [("千元", "元", 1000), ("百万元", "万元", 100), ("千元/tce", "万元/tce", 0.1),
                                          ("百万元/人", "万元/人", 100)])
def test_chinese_multiples_of_yuan(unit, to, want):
    assert factor(unit, to) == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("unit", ["k万元/tce", "Y元/tce", "da万元/tce", "k元", "M元", "m亿元/km2"])
def test_si_prefixes_on_currency_are_refused(unit):
    with pytest.raises(UnitError) as info:
        parse_unit(unit)
    p = info.value.problems[0]
    assert p.code == "unknown-unit" and "词头" in p.message_zh and "千元" in p.fix_zh


def test_a_prefixed_currency_in_a_value_is_a_located_error():
    cat = load_catalogue()
    assert score_value(cat, "energy_productivity", "30 千元/tce") == pytest.approx(100.0)  # 3 万元/tce = the lead, by hand
    with pytest.raises(DatasetError) as info:
        score_value(cat, "energy_productivity", "3 k万元/tce")  # would have read as 3,000 万元/tce and scored 120
    assert info.value.problems[0].code == "unknown-unit"
