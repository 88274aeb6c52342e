"""Checks of the public functions' arguments: a wrong type is a GreendiagError (bad-argument) that names the argument,
what it got and what to pass instead, not an AttributeError from deep inside."""

from __future__ import annotations

import os
from typing import Any

from .errors import GreendiagError, Problem


def bad_argument(name: str, zh: str, en: str, value: Any, fix_zh: str | None = None, fix_en: str | None = None) -> GreendiagError:
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return GreendiagError(Problem("bad-argument", f"参数 {name} {zh}(收到 {type(value).__name__} {shown})",
                                  f"argument {name} {en} (got {type(value).__name__} {shown})", fix_zh=fix_zh, fix_en=fix_en))


def check_path(value: Any, name: str, folder: bool = False) -> str:
    """A file (or with folder=True a folder) path as text: str, os.PathLike or bytes."""
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if isinstance(path, bytes):
            return os.fsdecode(path)
        if "\n" in path:
            raise bad_argument(name, "像是数据文本而不是文件路径", "looks like data text, not a file path", value,
                               "给出文件路径;已读入的数据用 dataset_from_dict(yaml.safe_load(text))",
                               "give a file path; for data already read use dataset_from_dict(yaml.safe_load(text))")
        return path
    zh, en = ("文件夹路径", "a folder path") if folder else ("文件路径", "a file path")
    raise bad_argument(name, f"须为{zh}", f"must be {en}", value, f"传入{zh}(str 或 pathlib.Path)", f"pass {en} (a str or a pathlib.Path)")


def _instance(value: Any, name: str, cls: type, zh: str, en: str, fix: tuple[str, str], allow_none: bool) -> Any:
    if (value is None and allow_none) or isinstance(value, cls):
        return value
    raise bad_argument(name, f"须为 {zh}", f"must be {en}", value, *fix)


def check_catalogue(value: Any, allow_none: bool = True) -> Any:
    from .models import Catalogue

    return _instance(value, "catalogue", Catalogue, "load_catalogue() 返回的目录", "a Catalogue from load_catalogue()",
                     ("catalogue=greendiag.load_catalogue();扩展目录:load_catalogue('overlay.yaml')",
                      "catalogue=greendiag.load_catalogue(); with an overlay: load_catalogue('overlay.yaml')"), allow_none)


def check_flag(value: Any, name: str) -> bool:
    """A True/False switch (overwrite=, statistics=): 1, "yes" or None are refused, not taken as true or false."""
    if isinstance(value, bool):
        return value
    raise bad_argument(name, "须为 True 或 False", "must be True or False", value, f"{name}=True 或 {name}=False", f"{name}=True or {name}=False")


def check_int(value: Any, name: str, low: int | None = None, high: int | None = None, allow_none: bool = False) -> Any:
    """A whole number (not a bool, not text, not 2025.0) within [low, high] when given; None only if allowed."""
    import operator

    if value is None and allow_none:
        return None
    span_zh = f" {low}–{high} 之间的" if low is not None and high is not None else f"不小于 {low} 的" if low is not None else ""
    span_en = f" from {low} to {high}" if low is not None and high is not None else f" of at least {low}" if low is not None else ""
    number = None
    if not isinstance(value, bool):
        try:
            number = operator.index(value)  # int and numpy integers; not float or str
        except TypeError:
            pass
    if number is None or (low is not None and number < low) or (high is not None and number > high):
        example = low if low is not None else 1
        raise bad_argument(name, f"须为{span_zh}整数", f"must be a whole number{span_en}", value,
                           f"如 {name}={example}" if not isinstance(value, str) else f"写作数字而不是文本,如 {name}={example}",
                           f"e.g. {name}={example}" if not isinstance(value, str) else f"a number, not text: {name}={example}")
    return number


def check_source(value: Any) -> str:
    """dataset_from_dict's `source`: the file the data came from, as text (a path object is taken as its text);
    None is the default "<data>". Anything else would fail only later, in Diagnosis.to_dict()."""
    if value is None:
        return "<data>"
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, os.PathLike)):
        return check_path(value, "source")
    raise bad_argument("source", "须为数据来源的文件名(文本)", "must be the name of the file the data came from (text)", value,
                       "如 source='park.yaml';不给时为 <data>", "e.g. source='park.yaml'; without it the source is <data>")


def check_choice(value: Any, name: str, choices: tuple) -> Any:
    """One of a few fixed words (within="bounds"|"plausible")."""
    if isinstance(value, str) and value in choices:
        return value
    zh, en = "、".join(map(repr, choices)), " or ".join(map(repr, choices))
    raise bad_argument(name, f"须为 {zh} 之一", f"must be {en}", value, f"如 {name}={choices[0]!r}", f"e.g. {name}={choices[0]!r}")


def check_rules(value: Any, name: str = "rules", allow_none: bool = True) -> Any:
    from .rulebook import RuleBase

    return _instance(value, name, RuleBase, "load_rules() 返回的规则库", "a RuleBase from load_rules()",
                     ("greendiag.load_rules('extra.yaml', catalogue=cat)",) * 2, allow_none)
