"""Typed errors: every bad input becomes a GreendiagError carrying located, bilingual problems.

Modelled on frictionless-py: a Problem has a stable `code`, a message in Chinese and English, where
it is (file, JSON path or sheet!cell, line/column) and how to fix it. One error carries all problems
found in one input, best first, so a user fixes a file in one pass.
"""

from __future__ import annotations

from typing import Iterable

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    code: str
    message_zh: str
    message_en: str
    file: str | None = None
    location: str | None = None  # JSON path ($.years[0].indicators.x) or sheet!cell
    line: int | None = None
    column: int | None = None
    fix_zh: str | None = None
    fix_en: str | None = None

    def where(self) -> str:
        parts = []
        if self.file:
            pos = self.file
            if self.line is not None:
                pos += f":{self.line}"
                if self.column is not None:
                    pos += f":{self.column}"
            parts.append(pos)
        if self.location:
            parts.append(self.location)
        return " ".join(parts)

    def format(self, lang: str = "zh") -> str:
        msg, fix = (self.message_en, self.fix_en) if lang == "en" else (self.message_zh, self.fix_zh)
        text = f"{self.where()}: {msg}" if self.where() else msg
        if fix:
            text += (" — fix: " if lang == "en" else " —— 修改建议:") + fix
        return f"[{self.code}] {text}"

    def to_dict(self) -> dict:
        return attrs.asdict(self)


class GreendiagError(Exception):
    """Base of every error greendiag raises on purpose; `problems` lists what is wrong."""

    title_zh = "greendiag 错误"
    title_en = "greendiag error"

    def __init__(self, problems: Iterable[Problem] | Problem | str, *, file: str | None = None):
        if isinstance(problems, str):
            problems = [Problem("error", problems, problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("a GreendiagError needs at least one problem")
        self.file = file or self.problems[0].file
        super().__init__(self.format("zh") + "\n" + self.format("en"))

    def format(self, lang: str = "zh") -> str:
        title = self.title_en if lang == "en" else self.title_zh
        n = len(self.problems)
        head = f"{title} ({n} problem{'s' if n != 1 else ''})" if lang == "en" else f"{title}(共{n}处问题)"
        return head + "\n" + "\n".join("  " + p.format(lang) for p in self.problems)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.problems)


class InputFileError(GreendiagError):
    """A file cannot be read at all: missing, unreadable, not UTF-8, malformed YAML/JSON/Excel."""

    title_zh, title_en = "输入文件无法读取", "Input file cannot be read"


class CatalogueError(GreendiagError):
    """The catalogue (or an overlay) breaks its schema or is inconsistent."""

    title_zh, title_en = "指标目录错误", "Catalogue error"


class OverlayConflictError(CatalogueError):
    """An overlay redefines an existing entry without `override: true`, repeats another overlay's id or extends the
    wrong catalogue; it also lists the other problems found in the same run (every overlay is checked at once)."""

    title_zh, title_en = "扩展目录冲突", "Overlay conflict"


class UnknownEntryError(CatalogueError, KeyError):
    """A Catalogue lookup (indicator, statistic, requirement, category) of an entry the catalogue does not have: a
    CatalogueError naming the key with a did-you-mean, and a KeyError, which code that looks up and falls back catches.
    `key` is the key looked up."""

    def __init__(self, problems: Iterable[Problem] | Problem | str, *, key: object = None, file: str | None = None):
        super().__init__(problems, file=file)
        self.key = key

    __str__ = BaseException.__str__  # the formatted problems, not KeyError's repr of them


class DatasetError(GreendiagError):
    """A park dataset is invalid: schema, units, values, years."""

    title_zh, title_en = "园区数据错误", "Dataset error"


class FollowupError(DatasetError):
    """A follow-up record (一年后跟踪反馈) is invalid, or does not fit the diagnosis it follows up: the park's data too."""

    title_zh, title_en = "跟踪反馈记录错误", "Follow-up record error"


class UnitError(GreendiagError):
    """A unit does not parse or has the wrong dimension."""

    title_zh, title_en = "计量单位错误", "Unit error"


class RuleError(GreendiagError):
    """A rule file breaks its schema, references something unknown, or fails its own test cases."""

    title_zh, title_en = "规则错误", "Rule error"


class EngineError(GreendiagError):
    """The rules engine was given something it cannot evaluate safely, or failed."""

    title_zh, title_en = "规则引擎错误", "Rules engine error"


class ReportError(GreendiagError):
    """A report, report pack or template could not be written."""

    title_zh, title_en = "输出文件生成错误", "Output error"


class DiagnosisFileError(InputFileError, ReportError):
    """A saved diagnosis.json whose content is damaged (a key missing, a wrong type): the input is bad, so it is an
    InputFileError naming the file; also a ReportError, which callers of the report functions already catch."""

    title_zh, title_en = "诊断结果文件内容有误", "The diagnosis file is damaged"


_FILE_ERRORS: dict[type, type] = {}


def file_error(kind: type[GreendiagError]) -> type[GreendiagError]:
    """The error for an unreadable file of a given kind: both InputFileError and `kind` (e.g. DatasetError),
    so callers can catch either."""
    if issubclass(kind, InputFileError):
        return kind
    if kind not in _FILE_ERRORS:
        name = kind.__name__.replace("Error", "") + "FileError"
        cls = type(name, (InputFileError, kind), {"__module__": __name__, "__doc__": f"{kind.__name__}: the file cannot be read."})
        _FILE_ERRORS[kind] = globals()[name] = cls  # a module attribute, so it pickles (batch workers)
    return _FILE_ERRORS[kind]


def problem(code: str, zh: str, en: str, **where) -> Problem:
    """Shorthand used across the package."""
    return Problem(code, zh, en, **where)
