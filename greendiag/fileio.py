"""Atomic file output: a failure never leaves a half-written file, nor a half-written report pack, behind.

Every failure to write is a ReportError naming the file the user asked for (never a temporary name), why, and a fix.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
from typing import Any, Iterator, Sequence, Union

from .errors import Problem, ReportError


_FIX_ZH = "检查该目录是否存在且可写(路径中不能有同名文件),或换一个输出位置"
_FIX_EN = "check the folder exists and is writable (no file of the same name on the path), or choose another output location"

Payload = Union[str, bytes]


def write_error(target: str | os.PathLike, exc: OSError | None = None, *, folder: bool = False) -> ReportError:
    """The ReportError for `target` (a file, or with folder=True a folder) that cannot be written, saying why in words:
    a file where a folder is needed, a folder where the file goes, no permission, disk full."""
    target = os.fspath(target)
    blocker = _file_on_path(target if folder else os.path.dirname(os.path.abspath(target)))
    if blocker is not None and not os.path.isabs(target):  # named as the user wrote the path
        blocker = os.path.relpath(blocker)
    if blocker is not None and os.path.abspath(target) == os.path.abspath(blocker):
        return _error(target, "已存在同名文件,不是文件夹", "a file of this name exists; it is not a folder",
                      "删除或改名该文件,或换一个输出文件夹", "remove or rename that file, or choose another output folder")
    if blocker is not None:
        return _error(target, f"无法写入:路径中的 {blocker} 是一个文件而不是文件夹",
                      f"cannot write: {blocker} on the path is a file, not a folder",
                      f"删除或改名文件 {blocker},或换一个输出位置", f"remove or rename the file {blocker}, or choose another output location")
    if not folder and os.path.isdir(target):
        return _error(target, "这是一个文件夹,无法写成文件", "this is a folder; it cannot be written as a file",
                      "删除或改名该文件夹,或换一个输出文件名", "remove or rename that folder, or choose another output file name")
    why = (exc.strerror or str(exc)) if exc is not None else ""
    if exc is not None and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _error(target, f"无法写入:磁盘空间不足({why})", f"cannot write: no space left on the disk ({why})",
                      "腾出磁盘空间,或换一个输出位置", "free some disk space, or choose another output location")
    what_zh, what_en = ("无法创建目录", "cannot create folder") if folder else ("无法写入", "cannot write")
    return _error(target, f"{what_zh}:{why}", f"{what_en}: {why}", _FIX_ZH, _FIX_EN)


def _error(target: str, zh: str, en: str, fix_zh: str, fix_en: str) -> ReportError:
    return ReportError(Problem("cannot-write", zh, en, file=target, fix_zh=fix_zh, fix_en=fix_en))


def _file_on_path(folder: str) -> str | None:
    """The first component of `folder` that exists but is not a folder (so nothing can be created under it)."""
    path = os.path.abspath(folder)
    chain = []
    while True:
        chain.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for p in reversed(chain):
        if not os.path.exists(p):
            return None
        if not os.path.isdir(p):
            return p
    return None


def check_folder(folder: str | os.PathLike) -> None:
    """Raise the ReportError ensure_folder would, without creating anything: for a check before long work (a batch)
    whose output could never be written — a file in the way, or an existing folder that cannot be written."""
    path = os.fspath(folder)
    if _file_on_path(path) is not None:
        raise write_error(path, folder=True)
    existing = path
    while existing and not os.path.exists(existing):
        parent = os.path.dirname(os.path.abspath(existing))
        existing = parent if parent != os.path.abspath(existing) else ""
    if existing and not os.access(existing, os.W_OK | os.X_OK):
        raise write_error(path, PermissionError(13, "Permission denied", existing), folder=True)


def ensure_folder(folder: str | os.PathLike) -> None:
    """Create an output folder, or raise a ReportError saying why it cannot be."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise write_error(folder, exc, folder=True) from None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path next to `path`; on success it replaces `path`, on failure it is removed.
    An OSError while writing or replacing becomes a ReportError naming `path` (not the temporary file).

    A symbolic link is followed: the file it points to is replaced and the link stays, as when any program writes
    through it. A device, pipe or socket (/dev/stdout, /dev/null, a FIFO) is refused rather than replaced by a file."""
    asked = os.fspath(path)
    target = os.path.realpath(asked) if os.path.islink(asked) else asked
    folder = os.path.dirname(os.path.abspath(target))
    if os.path.isdir(target):
        raise write_error(asked)
    if os.path.exists(target) and not os.path.isfile(target):
        raise ReportError(Problem(
            "not-a-regular-file", "输出目标不是普通文件(如设备、管道),不能写入", "the output is not a regular file (a device or a pipe, say); "
            "nothing is written there", file=asked, fix_zh="给出普通文件的路径,如 report.md,再打开该文件查看",
            fix_en="give the path of an ordinary file, such as report.md, and open that file"))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(target)[1], dir=folder)
        os.close(fd)
    except OSError as exc:
        raise write_error(asked, exc) from None
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        if isinstance(exc, OSError):
            raise write_error(asked, exc) from None
        raise


def write_files(folder: str | os.PathLike, files: Sequence[tuple[str, Payload]]) -> list[str]:
    """Write (relative name, text or bytes) files into `folder` all or nothing; return their paths in the given order.

    The files are written into a hidden staging folder inside `folder` first, then moved into place; an existing file
    of the same name is kept aside until every move succeeded. On any failure the moves are undone, so `folder` holds
    what it held before (the previous pack untouched; nothing new, not even `folder` itself if this call created it)
    and a ReportError names the file that could not be written. Files of an earlier pack that this one does not
    write (e.g. an old chart) are left as they are."""
    out = os.fspath(folder)
    targets = [os.path.join(out, *name.split("/")) for name, _ in files]
    created = _missing_folders(out)
    ensure_folder(out)
    try:
        for target in targets:  # a file or folder in the way: say so before writing anything
            if os.path.isdir(target) or _file_on_path(os.path.dirname(target)) is not None:
                raise write_error(target)
        _stage_and_move(out, files, targets)
    except BaseException:
        for made in reversed(created):  # folders this call created, now empty again
            with contextlib.suppress(OSError):
                os.rmdir(made)
        raise
    return targets


_STAGE = ".greendiag-tmp-"
_STAGE_NAME = re.compile(r"^\.greendiag-tmp-(?P<host>[A-Za-z0-9.]+)-(?P<pid>[0-9]+)-[A-Za-z0-9_]+$")


def _host() -> str:
    """This machine, for the names of staging folders: a hash of its host name and machine id (/etc/machine-id), so
    that non-ASCII host names and cloned machines sharing a name still differ."""
    machine = ""
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            with open(path, encoding="ascii", errors="replace") as fh:
                machine = fh.read().strip()
            break
        except OSError:
            continue
    return hashlib.sha256(f"{socket.gethostname()}\0{machine}".encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _remove_stale_stages(out: str) -> None:
    """Staging folders a killed greendiag process left in `out`: removed when they were made on this machine by a
    process that is gone and hold no file kept aside from an earlier pack (old/, which the user may want back); a
    folder of a live process, of another machine or with kept files is left alone."""
    host = _host()
    with contextlib.suppress(OSError):
        for entry in os.scandir(out):
            m = _STAGE_NAME.match(entry.name)
            if not m or m["host"] != host or not entry.is_dir(follow_symlinks=False) or _alive(int(m["pid"])):
                continue
            old = os.path.join(entry.path, "old")
            if os.path.isdir(old) and any(files for _, _, files in os.walk(old)):
                continue
            shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill(pid, 0) would end the process: keep the folder
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # exists (another user's) or cannot tell: keep the folder
    return True


def _stage_and_move(out: str, files: Sequence[tuple[str, Payload]], targets: list[str]) -> None:
    _remove_stale_stages(out)
    try:
        stage = tempfile.mkdtemp(prefix=f"{_STAGE}{_host()}-{os.getpid()}-", dir=out)
    except OSError as exc:
        raise write_error(targets[0] if targets else out, exc) from None
    new, old = os.path.join(stage, "new"), os.path.join(stage, "old")
    placed: list[tuple[str, str | None]] = []  # (target, its previous file kept aside, or None)
    made: list[str] = []  # folders created while moving (charts/)
    try:
        staged = []
        for (name, payload), target in zip(files, targets):
            tmp = os.path.join(new, *name.split("/"))
            try:
                os.makedirs(os.path.dirname(tmp), exist_ok=True)
                _write(tmp, payload)
            except OSError as exc:
                raise write_error(target, exc) from None
            staged.append(tmp)
        for (name, _), tmp, target in zip(files, staged, targets):
            made += _missing_folders(os.path.dirname(target))
            kept = None
            try:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if os.path.lexists(target):
                    kept = os.path.join(old, *name.split("/"))
                    os.makedirs(os.path.dirname(kept), exist_ok=True)
                    os.replace(target, kept)
                os.replace(tmp, target)
            except OSError as exc:
                if kept and not os.path.lexists(target):
                    with contextlib.suppress(OSError):
                        os.replace(kept, target)
                raise write_error(target, exc) from None
            placed.append((target, kept))
    except BaseException:
        _undo(placed, made)
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _undo(placed: list[tuple[str, str | None]], made: list[str]) -> None:
    """Put back what _stage_and_move replaced, newest first, and remove the folders it made; each step on its own."""
    for target, kept in reversed(placed):
        with contextlib.suppress(OSError):
            if kept:
                os.replace(kept, target)
            else:
                os.remove(target)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _missing_folders(folder: str) -> list[str]:
    """The folders of `folder`'s path that do not exist yet, outermost first (what makedirs would create)."""
    missing = []
    path = os.path.abspath(folder)
    while not os.path.exists(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return list(reversed(missing))


def _write(path: str, payload: Payload) -> None:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def display_name(name: str) -> str:
    """A file name as text that can be written as UTF-8: a name whose bytes are not UTF-8 (GBK names unzipped from a
    Windows archive arrive as surrogate escapes) shows those bytes as \\xNN instead of failing every write."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


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
