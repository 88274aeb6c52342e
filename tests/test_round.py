"""Numbers in messages and reports are rounded half up on the digits a reader sees (四舍五入), not ties-to-even."""

from __future__ import annotations

import decimal
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greendiag import _round
from greendiag._round import fixed, half_up


@pytest.mark.parametrize("value, spec, want", [
    (1.25, ".1f", "1.3"),      # the review's case: "相对差距1.25%" beside "可提高 1.2 分"
    (2.675, ".2f", "2.68"),    # the float is a hair below 2.675; the reader sees 2.675
    (0.15, ".1f", "0.2"), (-1.25, ".1f", "-1.3"), (0.5, ".0f", "1"), (2.5, ".0f", "3"), (12.5, ".0f", "13"),
    (1.005, ",.2f", "1.01"), (1234.5, ",.0f", "1,235"), (125, ".2g", "1.3e+02"), (0.0125, ".2g", "0.013"),
    (0.00125, ".1%", "0.1%"), (0.00125, ".2%", "0.13%"), (3.6, "+.2f", "+3.60"), (2.84, ".4g", "2.84"),
])
def test_half_up_by_hand(value, spec, want):
    assert half_up(value, spec) == want


@pytest.mark.parametrize("value, spec", [(float("nan"), ".1f"), (float("inf"), ".2f"), (1e300, ".1f"), (12, "d"), ("x", ""),
                                         (1.25, ""), (1.25, "e"), (True, ".1f"), (2 ** 80, ".1f")])
def test_what_is_no_tie_is_formatted_as_format_does(value, spec):
    assert half_up(value, spec) == format(value, spec)


def _reference(value: float, places: int) -> str:
    d = decimal.Decimal(repr(value)).quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    return f"{d:.{places}f}"


@given(st.integers(-10**9, 10**9), st.integers(0, 6), st.integers(0, 5))
def test_fixed_agrees_with_decimal_half_up_of_the_number_as_written(mantissa, exponent, places):
    value = mantissa / 10 ** exponent
    got, want = fixed(value, places), _reference(value, places)
    assert got == want or (got.lstrip("-") == want.lstrip("-") and float(want) == 0)  # -0.0 keeps its sign, as format() does


# ------------------------------------------------------------------ {x:.4g} in plain notation

@given(st.floats(min_value=1e-10, max_value=1e12 * (1 - 1e-15), allow_nan=False), st.sampled_from([3, 4]),
       st.booleans())
def test_significant_digits_are_plain_and_as_close_as_g(x, digits, negative):
    x = -x if negative else x
    text = _round.significant(x, digits)
    assert "e" not in text and "E" not in text
    # as close to x as `digits` significant digits allow (the integer part is never cut)
    assert abs(float(text) - x) <= 0.5 * 10 ** (math.floor(math.log10(abs(x))) - digits + 1) * (1 + 1e-9) + 1e-300
    g = format(x, f".{digits}g")
    if "e" not in g and _round.half_up(x, f".{digits}g") == g:  # where .g prints plain and rounds alike: the same text
        assert text == g


@pytest.mark.parametrize("value, spec, text", [
    (12345.6, ".4g", "12346"), (0.05467, ".4g", "0.05467"), (1234.5, ".3g", "1235"), (2.0, ".4g", "2"),
    (-0.000012345, ".4g", "-0.00001235"), (99999.5, "+.4g", "+100000"), (1.25, ".2g", "1.3"), (1e13, ".4g", "1e+13")])
def test_g_fields_in_messages_never_use_an_exponent_for_ordinary_numbers(value, spec, text):
    """水资源产出率 12345.6 元/m3 was printed 1.235e+04 元/m3 in a Chinese report's message."""
    from greendiag.rulebook import render

    assert render("{x:" + spec + "}", {"x": value}) == text
