"""Numbers in text rounded as people round them (四舍五入, half up on the decimal digits shown), not as format() does.

format(1.25, ".1f") is "1.2" (ties to even) and format(2.675, ".2f") is "2.67" (the float is a hair below 2.675); a
report that prints "相对差距1.25%" beside "可提高 1.2 分" reads as a mistake. Here the number's shortest decimal form
(repr) is rounded half up, then formatted as asked, so 1.25 → 1.3 and 2.675 → 2.68.
"""

from __future__ import annotations

import decimal
import functools
import math
import re
from typing import Optional

_SPEC = re.compile(r"^(?P<head>.*?)(?:\.(?P<prec>\d+))?(?P<kind>[fFgG%]?)$")


@functools.lru_cache(maxsize=512)
def _parsed(spec: str) -> Optional[tuple[int, str]]:
    """(precision, kind) of a format spec that rounds (.1f, +.2f, .4g, .1%), else None."""
    m = _SPEC.match(spec)
    return (int(m["prec"]), m["kind"]) if m is not None and m["prec"] is not None and m["kind"] else None


def half_up(value: float, spec: str) -> str:
    """format(value, spec), rounding half up for the fixed, general and percent formats with a precision."""
    if type(value) is float:  # most numbers: no 5 as their last digit, so nothing to round otherwise (the hot path)
        text = repr(value)
        if text.replace(".", "").rstrip("0")[-1:] != "5" and "e" not in text:
            return format(value, spec)
    parsed = _parsed(spec)
    if (parsed is None or isinstance(value, bool) or not isinstance(value, (int, float))
            or (isinstance(value, int) and abs(value) > 2 ** 53) or (isinstance(value, float) and not math.isfinite(value))):
        return format(value, spec)
    prec, kind = parsed
    if not _tie(repr(float(value)), prec, kind):  # only a 5 just past the last digit shown rounds otherwise
        return format(value, spec)
    try:
        d = decimal.Decimal(repr(float(value)))
        if kind in "fF%":
            scale = 2 if kind == "%" else 0  # % shows the number times 100
            d = d.scaleb(scale).quantize(decimal.Decimal(1).scaleb(-prec), rounding=decimal.ROUND_HALF_UP, context=_WIDE).scaleb(-scale)
        else:  # g: `prec` significant digits
            d = decimal.Context(prec=max(prec, 1), rounding=decimal.ROUND_HALF_UP).plus(d)
        rounded = float(d)
    except (OverflowError, decimal.InvalidOperation):  # an int beyond floats, a precision beyond reason: as format() does
        return format(value, spec)
    return format(rounded, spec)  # the rounded value is the float nearest to it: format() keeps its digits


def _tie(text: str, prec: int, kind: str) -> bool:
    """Whether the decimal text ends in a 5 right after the digits `prec` keeps (where ties-to-even and the float's
    binary value can round differently from 四舍五入); an exponent form is treated as one."""
    if "e" in text or "n" in text:  # 1e-05, inf, nan
        return True
    whole, _, frac = text.lstrip("-").partition(".")
    if kind in "fF%":
        return text.endswith("5") and len(frac) == prec + (3 if kind == "%" else 1)
    digits = (whole + frac).strip("0")  # significant digits: 1250.0 → 125
    return digits.endswith("5") and len(digits) == max(prec, 1) + 1


_WIDE = decimal.Context(prec=1200, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)  # room for 1e308 to 400 places


def fixed(value: float, places: int) -> str:
    """`value` with `places` decimals, half up: fixed(1.25, 1) == "1.3"."""
    return half_up(value, f".{places}f")


_G_SPEC = re.compile(r"^(?P<sign>[+ -]?)\.(?P<prec>\d+)g$")
PLAIN_MIN = 1e-10  # below this a number is printed as format() does (1.2e-11): it is zero to any reader
PLAIN_MAX = 1e12  # from here on, too: 13 digits or more (rulebook.HUGE)


def significant(value: float, digits: int = 4, sign: str = "") -> str:
    """`digits` significant digits, half up, in plain notation as a report prints them: 12345.6 → "12346" (never
    "1.235e+04"), 0.05467 → "0.05467", 2.0 → "2"; trailing zeros dropped as format(.4g) drops them. Outside
    PLAIN_MIN–PLAIN_MAX, and for inf/nan, format(value, ".{digits}g")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return format(value, f"{sign}.{digits}g")
    x = float(value)
    if not math.isfinite(x) or x == 0 or not PLAIN_MIN <= abs(x) < PLAIN_MAX:
        return half_up(x, f"{sign}.{max(digits, 1)}g")
    places = max(0, max(digits, 1) - 1 - math.floor(math.log10(abs(x))))
    text = half_up(x, f"{sign}.{places}f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def general(value, spec: str) -> Optional[str]:
    """A `.Ng` field ({x:.4g}, {x:+.3g}) in plain notation (significant); None for any other spec. Where .g writes
    no exponent its text is already the plain one, so only the rest goes through significant()."""
    if spec[-1:] != "g":
        return None
    m = _G_SPEC.match(spec)
    if m is None:
        return None
    text = half_up(value, spec)
    return significant(value, int(m["prec"]), m["sign"]) if "e" in text and "n" not in text else text


def score_text(x: float, thresholds: tuple = (), places: int = 1) -> str:
    """A score with `places` decimals, half up; with more (up to places + 2) where that rounding would put it on the
    other side of a threshold (a band's minimum, the full mark): 89.96 prints 89.96, not "90.0" beside 良好, and 99.96
    not "100.0" beside "below the lead". Past that the digits are cut toward the score's own side (89.9999 → 89.999)."""
    for p in range(places, places + 3):
        text = half_up(x, f".{p}f")
        if all((float(text) >= t) == (x >= t) for t in thresholds):
            return text
    scale = 10 ** (places + 2)
    return f"{math.floor(x * scale) / scale:.{places + 2}f}" if x >= 0 else f"{math.ceil(x * scale) / scale:.{places + 2}f}"
