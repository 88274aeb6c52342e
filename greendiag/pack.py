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
    from .reports import render_pack

    data = diag if isinstance(diag, dict) else diag.to_dict()
    files = [("diagnosis.json", fileio.json_text(data))] + render_pack(data, lang=lang)
    return fileio.write_files(out_dir, files)


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
