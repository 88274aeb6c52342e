"""The report pack of one diagnosis (diagnosis.json, reports, forms, charts) and unique folder names for many."""

from __future__ import annotations

import os
import unicodedata
from typing import Any, Sequence


MANIFEST = ".greendiag-pack.json"  # what the last write_pack wrote here: name → sha256, to notice later hand edits


def write_pack(diag: Any, out_dir: str | os.PathLike, *, lang: str = "zh", overwrite: bool = False) -> list[str]:
    """Write diagnosis.json and the report pack of a Diagnosis (or its to_dict()) into `out_dir`; the files written.
    `lang`: "zh" (Chinese reports) or "bilingual"; diagnosis.json always carries both languages.

    All or nothing: everything is rendered in memory, written into a staging folder and then moved into place
    (fileio.write_files); on failure `out_dir` keeps the previous pack untouched, or gets nothing new, and a
    ReportError names the file that could not be written.

    A file of the pack changed since greendiag wrote it (a report edited in Word), or one of the same name that
    greendiag did not write, is not replaced: ReportError `pack-file-edited` names it, unless `overwrite=True`."""
    from . import fileio
    from ._args import bad_argument, check_path
    from .errors import Problem, ReportError
    from .reports import render_pack

    out_dir = check_path(out_dir, "out_dir", folder=True)
    if isinstance(diag, dict):
        data = diag
    elif callable(getattr(diag, "to_dict", None)):
        data = diag.to_dict()
    else:
        raise bad_argument("diag", "须为 diagnose() 的结果或其 to_dict()", "must be a Diagnosis from diagnose() or its to_dict()", diag,
                           "已保存的 diagnosis.json 先用 greendiag.reports.load_diagnosis(path) 读入",
                           "read a saved diagnosis.json with greendiag.reports.load_diagnosis(path) first")
    files = render_pack(data, lang=lang)  # checks the dict first: a damaged one is a diagnosis-* error, not a JSON one
    try:
        text = fileio.json_text(data)
    except (TypeError, ValueError) as exc:  # a hand-made dict holding a date, a set or NaN
        raise ReportError(Problem("diagnosis-bad-type", f"诊断结果无法写成 JSON:{exc}", f"the diagnosis cannot be written as JSON: {exc}",
                                  fix_zh="传入 diagnose() 的结果或其 to_dict(),不要手工加入日期、集合或 NaN",
                                  fix_en="pass a Diagnosis or its to_dict(); do not add dates, sets or NaN by hand")) from None
    return write_checked(out_dir, [("diagnosis.json", text)] + files, overwrite)


def write_checked(out_dir: str, files: list, overwrite: bool) -> list[str]:
    """fileio.write_files, refusing to replace files edited since greendiag wrote them (unless `overwrite`), and
    recording what it wrote in the folder's manifest (entries of files not written this time are kept)."""
    from . import fileio
    from ._args import bad_argument

    if not isinstance(overwrite, bool):
        raise bad_argument("overwrite", "须为 True 或 False", "must be True or False", overwrite, "overwrite=True", "overwrite=True")
    if not overwrite:
        _refuse_edited(out_dir, files)
    recorded = _recorded(out_dir)
    recorded.update((name, _sha256(payload)) for name, payload in files)
    manifest = {"format": "greendiag-pack/1", "files": dict(sorted(recorded.items()))}
    return fileio.write_files(out_dir, files + [(MANIFEST, fileio.json_text(manifest))])[:-1]


def record_written(path: str, payload: str | bytes) -> None:
    """A single report written into a pack folder (greendiag report … --out OUT/report.docx) is recorded in its
    manifest, so that the next pack does not take it for a hand edit. Nothing happens in a folder without a manifest."""
    from . import fileio
    from .errors import GreendiagError

    folder, name = os.path.split(os.path.abspath(path))
    recorded = _recorded(folder)
    if not recorded:
        return
    recorded[name] = _sha256(payload)
    manifest = {"format": "greendiag-pack/1", "files": dict(sorted(recorded.items()))}
    try:
        fileio.write_text(os.path.join(folder, MANIFEST), fileio.json_text(manifest))
    except GreendiagError:  # the report itself is written; a stale manifest only makes the next pack ask for --force
        pass


def edited_since_written(path: str) -> bool:
    """Whether `path` lies in a pack folder (one with a manifest), exists, and is not what greendiag last recorded writing
    there: edited since (a report finished in Word), or not written by greendiag. render_report's check before it replaces
    a report in a pack folder; False outside one (nothing to compare with) and for a file that cannot be read."""
    folder, name = os.path.split(os.path.abspath(path))
    recorded = _recorded(folder)
    if not recorded or not os.path.isfile(path):
        return False
    try:
        with open(path, "rb") as fh:
            now = _sha256(fh.read())
    except OSError:
        return False  # unreadable: writing it fails with its own, located error
    return now != recorded.get(name)


def _sha256(payload: str | bytes) -> str:
    import hashlib

    return hashlib.sha256(payload.encode("utf-8") if isinstance(payload, str) else payload).hexdigest()


def _recorded(out_dir: str) -> dict:
    """name → sha256 of what the last pack in `out_dir` wrote ({} without a readable manifest)."""
    import json

    try:
        with open(os.path.join(out_dir, MANIFEST), "rb") as fh:
            data = json.loads(fh.read(1 << 20))
        files = data["files"]
        return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _refuse_edited(out_dir: str, files: list) -> None:
    """ReportError naming the files in `out_dir` that this pack would replace though greendiag did not write them as
    they are now: edited since (a report finished in Word), or written by someone else."""
    from .errors import Problem, ReportError

    recorded = _recorded(out_dir)
    edited = []
    for name, payload in files:
        path = os.path.join(out_dir, *name.split("/"))
        if not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as fh:
                now = _sha256(fh.read())
        except OSError:
            continue  # unreadable: writing it fails with its own, located error
        if now != recorded.get(name) and now != _sha256(payload):
            edited.append(name)
    if edited:
        shown = "、".join(edited)
        raise ReportError(Problem(
            "pack-file-edited", f"报告包文件夹中的 {shown} 在 greendiag 生成后已被修改(或不是 greendiag 生成的);为免覆盖修改,报告包未写入",
            f"{', '.join(edited)} in the pack folder changed since greendiag wrote it (or greendiag did not write it); "
            "the pack was not written, so that the changes are not lost", file=os.path.join(out_dir, edited[0]),
            fix_zh="把修改过的文件另存或改名后重新运行;确认可以覆盖时加 --force(Python:overwrite=True),或输出到另一个文件夹",
            fix_en="save the edited file under another name and run again; add --force (Python: overwrite=True) if it may be "
                   "replaced, or write into another folder"))


def _fold(name: str) -> str:
    """The key under which a case-insensitive file system (Windows, macOS by default) sees a name: park = Park = PARK."""
    return unicodedata.normalize("NFC", name).casefold()


def pack_names(sources: Sequence[str]) -> list[str]:
    """One pack-folder name per dataset, unique even for a.yaml + a.json or x/park.yaml + y/park.yaml, and unique
    without regard to case (park.yaml + Park.YAML), so that the folders do not merge on Windows or macOS.

    A source that is not a file path (a dict given in code, shown as <datasets[3]>) is named by its position."""
    from collections import Counter

    stems, exts = [], []
    for i, src in enumerate(sources):
        if src.startswith("<"):
            stems.append(f"park-{i + 1:03d}")
            exts.append("")
        else:
            stem, ext = os.path.splitext(os.path.basename(src))
            stems.append(stem or f"park-{i + 1:03d}")
            exts.append(ext.lstrip(".").lower())
    seen = Counter(map(_fold, stems))  # counted once: a batch may hold tens of thousands of parks
    names = [st if seen[_fold(st)] == 1 or not ext else f"{st}-{ext}" for st, ext in zip(stems, exts)]
    seen = Counter(map(_fold, names))
    return [n if seen[_fold(n)] == 1 else f"{i + 1:03d}-{n}" for i, n in enumerate(names)]
