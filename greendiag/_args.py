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


def check_path(value: Any, name: str) -> str:
    """A file path as text: str, os.PathLike or bytes."""
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
    raise bad_argument(name, "须为文件路径", "must be a file path", value, "传入文件路径(str 或 pathlib.Path)",
                       "pass a file path (a str or a pathlib.Path)")


def check_catalogue(value: Any) -> Any:
    from .models import Catalogue

    if value is None or isinstance(value, Catalogue):
        return value
    raise bad_argument("catalogue", "须为 load_catalogue() 返回的目录", "must be a Catalogue from load_catalogue()", value,
                       "catalogue=greendiag.load_catalogue();扩展目录:load_catalogue('overlay.yaml')",
                       "catalogue=greendiag.load_catalogue(); with an overlay: load_catalogue('overlay.yaml')")


def check_rules(value: Any) -> Any:
    from .rulebook import RuleBase

    if value is None or isinstance(value, RuleBase):
        return value
    raise bad_argument("rules", "须为 load_rules() 返回的规则库", "must be a RuleBase from load_rules()", value,
                       "rules=greendiag.load_rules('extra.yaml', catalogue=cat)",
                       "rules=greendiag.load_rules('extra.yaml', catalogue=cat)")
