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


def value_text(value: float, targets: tuple = (), *, higher: bool = True, others: tuple = (), digits: int = 4,
               most: int = 10) -> str:
    """`value` as a message prints it beside its targets and gaps: `digits` significant digits (as {x:.4g}), more (up to
    `most`) where that text would equal a printed target or another printed bound in `others` although the value
    differs (29.999 beside 30 is "29.999", not "30"), or where target − value as printed, rounded like the printed gap,
    is not the printed gap (79.235 beside 80 with gap 0.765 is "79.235", not "79.23"). `targets` holds (target, gap)
    pairs, all met by one text, so every message on the value prints it alike; targets, bounds and gaps are taken as
    they print at `digits` significant digits. `higher`: a gap is target − value, else value − target."""
    x = float(value)
    if not math.isfinite(x):
        return significant(x, digits)
    bounds = {_decimal(significant(float(c), digits)) for c in (*(t for t, _ in targets), *others)
              if c is not None and math.isfinite(float(c)) and float(c) != x}
    gaps = [(_decimal(significant(float(t), digits)), _decimal(general(float(g), f".{digits}g"))) for t, g in targets
            if t is not None and g is not None and math.isfinite(float(t)) and math.isfinite(float(g))]
    gaps = [(t, g) for t, g in gaps if t is not None and g is not None]
    fallback = None  # no text agrees with every gap: the first that at least differs from every bound
    for n in range(digits, max(most, digits) + 1):
        text = significant(x, n)
        shown = _decimal(text)
        if shown is None or shown in bounds:
            continue
        if all(_agrees(t - shown if higher else shown - t, g) for t, g in gaps):
            return text
        fallback = fallback or text
    return fallback or significant(x, digits)


def difference_text(diff: float, minuend: tuple[str, float], subtrahend: tuple[str, float], spec: str = ".4g") -> str:
    """The difference minuend − subtrahend (`diff`, unrounded) as a text printed beside both numbers prints it, so a reader
    who subtracts the printed numbers gets it (rounded half up to its last digit): `diff` in `spec` (.4g → significant
    digits as {x:.4g}, else half_up) where that agrees; else the difference of the printed numbers, rounded half up to the
    last digit of the coarser one that was rounded (one printed exactly, such as a lead of 80, sets no limit), or as it is
    where that would print zero. 1786 (from 1785.71) − 1604 (from 1604.32) with a gap of 181.4 prints 182: the converted
    reference has no tenths to give. Each of minuend and subtrahend is (its printed text, its value)."""
    first = general(diff, spec) if spec.endswith("g") else None
    first = first if first is not None else half_up(diff, spec)
    a, b = _decimal(minuend[0]), _decimal(subtrahend[0])
    if a is None or b is None or not math.isfinite(float(diff)):
        return first
    printed = a - b
    shown = _decimal(first)
    if shown is not None and _agrees(printed, shown):
        return first
    if printed == 0:  # the printed numbers are equal (1604 → 1604 for +0.3): no difference of them to print; as before
        return first
    rounded = [d.as_tuple().exponent for d, (_, x) in ((a, minuend), (b, subtrahend)) if d != _decimal(repr(float(x)))]
    out = printed
    if rounded:
        q = printed.quantize(decimal.Decimal(1).scaleb(max(rounded)), rounding=decimal.ROUND_HALF_UP, context=_WIDE)
        out = q if q != 0 else printed
    text = format(out, "f")
    if "." in text:  # the fewest digits: 3.206 − 3.776 is "-0.57", as significant() drops trailing zeros
        text = text.rstrip("0").rstrip(".")
    return ("+" + text) if spec.startswith("+") and out > 0 else text


def _agrees(diff: decimal.Decimal, gap: decimal.Decimal) -> bool:
    """Whether a difference of printed numbers, rounded half up to the printed gap's last digit, is that gap."""
    try:
        return diff.quantize(decimal.Decimal(1).scaleb(gap.as_tuple().exponent), rounding=decimal.ROUND_HALF_UP, context=_WIDE) == gap
    except decimal.InvalidOperation:
        return False


def _decimal(text: Optional[str]) -> Optional[decimal.Decimal]:
    """The decimal a printed number reads as; None for what is not one (inf, nan)."""
    try:
        d = decimal.Decimal(text)
    except (decimal.InvalidOperation, TypeError):
        return None
    return d if d.is_finite() else None


def below_shown(x: float, places: int) -> Optional[str]:
    """For a non-zero amount that `places` decimals would print as zero, the smallest amount they can print ("0.01" at
    two places), so a text says "不足0.01" / "less than 0.01" instead of promising 0.00; None otherwise."""
    if not isinstance(x, (int, float)) or isinstance(x, bool) or not x or not math.isfinite(x):
        return None
    return half_up(10 ** -places, f".{places}f") if float(half_up(abs(x), f".{places}f")) == 0 else None


def gap_percent(x: float, places: int = 1) -> str:
    """A relative gap as text states it, `places` decimals half up with "%": "14.2%"; a non-zero gap that would print
    as 0.0% is "不足0.1%" (energy by carrier: the report's 二、5 and the input note print the same text)."""
    tiny = below_shown(x, places)
    return f"不足{tiny}%" if tiny else half_up(x, f".{places}f") + "%"
