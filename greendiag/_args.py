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


def check_catalogue(value: Any) -> Any:
    from .models import Catalogue

    return _instance(value, "catalogue", Catalogue, "load_catalogue() 返回的目录", "a Catalogue from load_catalogue()",
                     ("catalogue=greendiag.load_catalogue();扩展目录:load_catalogue('overlay.yaml')",
                      "catalogue=greendiag.load_catalogue(); with an overlay: load_catalogue('overlay.yaml')"), True)


def check_rules(value: Any, name: str = "rules", allow_none: bool = True) -> Any:
    from .rulebook import RuleBase

    return _instance(value, name, RuleBase, "load_rules() 返回的规则库", "a RuleBase from load_rules()",
                     ("greendiag.load_rules('extra.yaml', catalogue=cat)",) * 2, allow_none)
