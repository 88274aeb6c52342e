"""Chinese for click's own messages (usage errors, help headings), so that `greendiag` speaks one language.

click looks its messages up through gettext (`from gettext import gettext as _` in each module). While the CLI runs,
`chinese_click()` puts a lookup in this table in their place and restores click's afterwards, so nothing leaks into
other click programs in the same process. A message not in the table stays in English; `--lang en` keeps all English.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Iterator, Sequence

# msgid (as in click 8.x; tests check each is still one of click's) → Chinese, with the same {placeholders} or fewer
# (click's {name} is "File"/"Directory", fixed in English when the option is declared: left out)
ZH = {
    "Error: {message}": "错误:{message}",
    "Try '{command} {option}' for help.": "查看帮助:{command} {option}",
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出 / Show this message and exit.",
    "Show the version and exit.": "显示版本并退出 / Show the version and exit.",
    "Aborted!": "已中止",
    "Invalid value: {message}": "取值无效:{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效:{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数:{param_name}",
    "Missing command.": "缺少命令(可用命令见 --help)。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Did you mean {possibility}?": "是否要用 {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(是否要用其中之一:{possibilities}?)",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带取值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个取值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个取值。",
    "Got unexpected extra argument ({args})": "多余的参数({args})",
    "Got unexpected extra arguments ({args})": "多余的参数({args})",
    "{value!r} is not {choice}.": "{value!r} 不是可选值 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值之一:{choices}。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数值({number_type})。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats}。",
    "{name} {filename!r} does not exist.": "{filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{filename!r} 是文件,此处需要文件夹。",
    "{name} {filename!r} is a directory.": "{filename!r} 是文件夹,此处需要文件。",
    "{name} {filename!r} is not readable.": "{filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{filename!r} 不可写。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "argument": "参数",
    "option": "选项",
    "default: {default}": "默认:{default}",
    "required": "必填",
    "Choose from:\n\t{choices}": "可选:\n\t{choices}",
}

_MODULES = ("core", "exceptions", "parser", "types", "formatting", "decorators", "termui", "utils")


def _gettext(message: str) -> str:
    return ZH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def wants_english(args: Sequence[str]) -> bool:
    """Whether the command line asks for English messages (`--lang en` / `--lang=en` before the command)."""
    for i, arg in enumerate(args):
        if arg == "--lang=en" or (arg == "--lang" and i + 1 < len(args) and args[i + 1] == "en"):
            return True
        if not arg.startswith("-"):
            return False  # the command name: --lang is an option of the group, given before it
    return False


@contextlib.contextmanager
def chinese_click() -> Iterator[None]:
    """click's messages in Chinese while the block runs; click's own lookups restored afterwards."""
    saved = []
    for name in _MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:
            continue
        for attr, repl in (("_", _gettext), ("ngettext", _ngettext)):
            if hasattr(module, attr):
                saved.append((module, attr, getattr(module, attr)))
                setattr(module, attr, repl)
    try:
        yield
    finally:
        for module, attr, original in reversed(saved):
            setattr(module, attr, original)
