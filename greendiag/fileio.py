"""Atomic file output: a failure never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Any, Iterator

from .errors import Problem, ReportError


_FIX_ZH = "检查该目录是否存在且可写(路径中不能有同名文件),或换一个输出位置"
_FIX_EN = "check the folder exists and is writable (no file of the same name on the path), or choose another output location"


def ensure_folder(folder: str | os.PathLike) -> None:
    """Create an output folder, or raise a ReportError saying why it cannot be."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ReportError(Problem("cannot-write", f"无法创建目录 {os.fspath(folder)}:{exc.strerror}",
                                  f"cannot create folder {os.fspath(folder)}: {exc.strerror}", file=os.fspath(folder),
                                  fix_zh=_FIX_ZH, fix_en=_FIX_EN)) from None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path next to `path`; on success it replaces `path`, on failure it is removed."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(target)[1], dir=folder)
        os.close(fd)
    except OSError as exc:
        raise ReportError(Problem("cannot-write", f"无法写入 {target}:{exc.strerror}", f"cannot write {target}: {exc.strerror}",
                                  file=target, fix_zh=_FIX_ZH, fix_en=_FIX_EN)) from None
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def json_text(data: Any) -> str:
    """The one JSON form of greendiag output: sorted keys, UTF-8 text, no NaN; byte-identical for the same data."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False) + "\n"


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
