"""The report pack of one diagnosis (diagnosis.json, reports, forms, charts) and unique folder names for many."""

from __future__ import annotations

import os
import unicodedata
from typing import Any, Sequence


def write_pack(diag: Any, out_dir: str | os.PathLike, *, lang: str = "zh") -> list[str]:
    """Write diagnosis.json and the report pack of a Diagnosis (or its to_dict()) into `out_dir`; the files written.
    `lang`: "zh" (Chinese reports) or "bilingual"; diagnosis.json always carries both languages.

    All or nothing: everything is rendered in memory, written into a staging folder and then moved into place
    (fileio.write_files); on failure `out_dir` keeps the previous pack untouched, or gets nothing new, and a
    ReportError names the file that could not be written."""
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
    return fileio.write_files(out_dir, [("diagnosis.json", text)] + files)


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
