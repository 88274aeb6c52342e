"""The package's one pint registry, and conversion of input values to plain floats at the boundary.

Units are defined as data in catalogue/units.txt. Input text is NFKC-normalised first, so that
full-width characters from Excel (``万元／tce``, ``９５％``) and superscripts (m³, km²) parse as meant
instead of silently as something else. Scoring never sees a Quantity: only floats in catalogue units.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from importlib import resources
from typing import TYPE_CHECKING

from .errors import Problem, UnitError

if TYPE_CHECKING:
    import pint

_lock = threading.RLock()  # registry() is first built while the lock is held
_IDEOGRAPHIC_POINT = re.compile(r"(?<=\d)\u3002(?=\d)")
_SPACED_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(?: \d{3})+(?!\d)")
_WAN_SPACE = re.compile(r"(?<![^\s/*(])([万亿])\s+(?=[^\s/*)])")  # 1390万 m3 as 1390万m3 (万 and 亿 are units' prefixes here)
_CALORIE = re.compile(r"(?<![A-Za-z_])([kMG]?)cal(?![A-Za-z_])")  # kcal, Gcal: the international calorie (units.txt)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@functools.cache
def registry() -> pint.UnitRegistry:
    """Build the registry once from pint's defaults (disk-cached by pint) plus the packaged definitions."""
    import pint  # here, not at module level: pint (and numpy, which it imports) cost ~0.15 s, needed only for unit text

    with _lock:
        try:  # pint's own disk cache of its parsed default definitions: ~0.15 s → ~0.02 s from the second run
            ureg = pint.UnitRegistry(on_redefinition="raise", autoconvert_offset_to_baseunit=False, cache_folder=":auto:")
        except Exception:  # an unwritable cache folder must not stop the package
            ureg = pint.UnitRegistry(on_redefinition="raise", autoconvert_offset_to_baseunit=False, cache_folder=None)
        text = (resources.files("greendiag._data_catalogue") / "units.txt").read_text(encoding="utf-8")
        ureg.load_definitions(text.splitlines())
        return ureg


def _nfkc(text: str) -> str:
    """NFKC form with the multiplication signs a unit may be written with as *."""
    return unicodedata.normalize("NFKC", text).strip().replace("·", "*").replace("×", "*")


def normalise(text: str) -> str:
    """NFKC-normalise a unit string and tidy separators; '', '-' and '1' mean dimensionless; "万 m3" is 万m3."""
    s = _WAN_SPACE.sub(r"\1", _nfkc(text))
    if s in ("", "-", "–", "—", "1"):
        return ""
    return s


@functools.lru_cache(maxsize=4096)
def parse_unit(expr: str) -> pint.Unit:
    """Parse a unit expression, raising UnitError with the expression on failure."""
    s = normalise(expr)
    if not s:
        return registry().dimensionless
    s = _CALORIE.sub(r"\1cal_it", s)
    try:
        with _lock:
            unit = registry().parse_units(s)
        _refuse_prefixed_power(unit, expr)
    except UnitError:
        raise
    except Exception as exc:  # pint raises several unrelated types (UndefinedUnitError is an AttributeError)
        raise UnitError(Problem("unknown-unit", f"无法识别的计量单位“{expr}”", f"unknown unit '{expr}'",
                                fix_zh="使用指标目录中的单位,如 万元/tce、%、元/m3、亿元/km2、t/万元、万元/人",
                                fix_en=f"use a catalogue unit such as 万元/tce, %, 元/m3, 亿元/km2, t/万元, 万元/人 ({type(exc).__name__})")) from None
    return unit


@functools.cache
def _defined_names() -> frozenset[str]:
    """The unit names units.txt defines (pint adds prefixed names to its own table as it meets them)."""
    text = (resources.files("greendiag._data_catalogue") / "units.txt").read_text(encoding="utf-8")
    return frozenset(line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#"))


_POWER_NAMES = ("m3", "m2", "km2", "wan_m3", "wan_m2", "Nm3")  # units.txt names of powers of a length
_CURRENCY_NAMES = ("yuan", "qian_yuan", "wan_yuan", "baiwan_yuan", "yi_yuan")  # 元 takes Chinese multiples, not SI prefixes


def _refuse_prefixed_power(unit, expr: str) -> None:
    """Gm3 or µm2 would be pint's "giga-m3" (a prefix on the name m3, not on the metre), k万元 a kilo-万元: refused, not
    converted wrong."""
    prefixes, defined = registry()._prefixes, _defined_names()
    for name in unit._units:
        if name in defined:  # km2, dm3: defined in units.txt as powers
            continue
        for power in _POWER_NAMES:
            if name != power and name.endswith(power) and name[: -len(power)] in prefixes:
                raise UnitError(Problem("unknown-unit", f"无法识别的计量单位“{expr}”(词头不能加在 {power} 上)",
                                        f"unknown unit '{expr}' (a prefix cannot go on {power})",
                                        fix_zh="改用 m3、万m3、L、dm3、cm3、km3 或 m2、km2、hm2(公顷)等",
                                        fix_en="use m3, 万m3, L, dm3, cm3, km3 or m2, km2, hm2 (hectare) and the like"))
        for money in _CURRENCY_NAMES:  # "k万元" or "Y元" would be pint's kilo-万元: a typo, not an amount
            if name != money and name.endswith(money) and name[: -len(money)] in prefixes:
                raise UnitError(Problem("unknown-unit", f"无法识别的计量单位“{expr}”(货币单位不能加国际单位制词头)",
                                        f"unknown unit '{expr}' (a currency unit takes no SI prefix)",
                                        fix_zh="改用 元、千元、万元、百万元、亿元", fix_en="use 元, 千元, 万元, 百万元 or 亿元"))


@functools.lru_cache(maxsize=4096)
def factor(from_unit: str, to_unit: str) -> float:
    """Multiplicative factor converting values in `from_unit` to `to_unit`; UnitError on wrong dimension."""
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(Problem("wrong-dimension", f"单位“{from_unit}”不能换算为“{to_unit}”(量纲不同)",
                                f"unit '{from_unit}' cannot be converted to '{to_unit}' (different dimension)",
                                fix_zh=f"请以 {to_unit or '无量纲'} 或同量纲单位填写", fix_en=f"give the value in {to_unit or 'a dimensionless number'} or an equivalent unit"))
    with _lock:
        return float(registry().Quantity(1.0, src).to(dst).magnitude)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a float between units (no Quantity leaves this module)."""
    return value * factor(from_unit, to_unit) if from_unit != to_unit else float(value)


SIGNIFICANT = 12  # digits kept at the boundary: the float noise of a conversion (2.8400000000000003) is beyond them


def tidy(x: float) -> float:
    """`x` rounded to SIGNIFICANT significant digits (decimal, correctly rounded): 2.8400000000000003 → 2.84.

    Applied to converted and derived values (dataset.py) and to value differences and gaps (scoring.py, facts.py),
    so JSON shows what a person would write; `convert` itself stays exact, and scores are not rounded."""
    return float(_TIDY % x) if x - x == 0.0 else x  # x - x is 0.0 exactly when x is finite


_TIDY = f"%.{SIGNIFICANT}g"  # the same digits as format(x, ".12g"): one fixed format, called for every gap and change


def convert_input(value: float, from_unit: str, to_unit: str) -> float:
    """A user's value converted to the catalogue unit and tidied; unchanged when no conversion is needed."""
    if normalise(from_unit) == normalise(to_unit):
        return float(value)
    return tidy(convert(value, from_unit, to_unit))


def inverse_factor(from_unit: str, to_unit: str) -> float:
    """Factor k such that 1/(x [from_unit]) == k/x [to_unit]: for references given as intensities."""
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if (1 / src).dimensionality != dst.dimensionality:
        raise UnitError(Problem("wrong-dimension", f"单位“{from_unit}”的倒数不能换算为“{to_unit}”",
                                f"the inverse of '{from_unit}' cannot be converted to '{to_unit}'"))
    with _lock:
        return float((1 / registry().Quantity(1.0, src)).to(dst).magnitude)


def split_quantity(text: str) -> tuple[float, str]:
    """Split '32000 元/tce' into (32000.0, '元/tce'); a bare number gives unit None-equivalent ''.

    Raises ValueError with a short English reason; callers turn it into a located DatasetError.
    """
    s = _nfkc(text).replace("\u2212", "-")  # not normalise: "1" is a number here, not "dimensionless"; − from Word or a PDF
    if DATE.match(s):  # 2024-01-01 would be 2024 of the unit "-01-01"
        raise ValueError(DATE_TEXT)
    s = strip_thousands(s)  # 1,960,000; a decimal comma (8,5) is refused, never read as 85
    s = _IDEOGRAPHIC_POINT.sub(".", s)  # 12。6: a decimal point typed with Chinese punctuation on
    s = _SPACED_THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), s)  # 1 960 000
    if s.endswith("%") and _NUMBER.match(s[:-1].strip()):
        return _finite(float(s[:-1].strip())), "%"
    m = re.match(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)$", s)
    if not m:
        raise ValueError("not a number")
    unit = m.group(2).strip()
    if len(_PER_SIGN.findall(unit)) > 1:  # pint reads %%, %‰ or "percent percent" as a product: a hundredth of the number
        raise ValueError(STACKED_PERCENT)
    if m.group(2)[:1] == "," and m.group(2)[1:2].isdigit():  # 1 234,5: the comma ends a number, so it is a decimal comma
        raise ValueError(DECIMAL_COMMA)
    if unit.replace(" ", "").isdigit():  # 0.126 1: a second number, not the dimensionless unit "1"
        raise ValueError("two numbers")
    if _NOT_DECIMAL_TAIL.match(s[m.end(1):].rstrip()):  # 0x10, 1_000, 1:20, 0b11 (no space): not a unit, another way of writing a number
        raise ValueError("not a decimal number")
    return _finite(float(m.group(1))), unit


DECIMAL_COMMA = "decimal comma"
DATE_TEXT = "a date"
# a date as people type it (2025-03-10, 2025/3/10, 2025年3月10号, with a time from a pasted export); groups: year, month, day
DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
STACKED_PERCENT = "more than one percent or per-mille sign"
NOT_FINITE = "not a finite number"  # 1e400: a number beyond a float, not "no number"
_PER_SIGN = re.compile(r"[%‰‱]|\b(?:percent|permille|per_mille|permyriad|ppm|ppb|ppt)\b", re.IGNORECASE)
_NOT_DECIMAL_TAIL = re.compile(r"^(?:[_:][0-9_:.]*|[xXoObB][0-9a-fA-F_]+)$")
_COMMA_NUMBER = re.compile(r"^(\s*[+-]?)([\d,]*\d)((?:\.\d*)?)")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")  # 0,085 is a decimal comma, not 85


def strip_thousands(s: str) -> str:
    """The text with the commas of a leading number removed when they separate thousands (1,234.5); ValueError
    (DECIMAL_COMMA) for any other comma in it (8,5 or 1,23): a decimal comma must not become 85 or 123."""
    m = _COMMA_NUMBER.match(s)
    if not m or "," not in m.group(2):
        return s
    if not _THOUSANDS.fullmatch(m.group(2)):
        raise ValueError(DECIMAL_COMMA)
    return m.group(1) + m.group(2).replace(",", "") + m.group(3) + s[m.end():]


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError(NOT_FINITE)
    return x
