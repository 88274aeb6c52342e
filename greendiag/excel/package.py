"""The bytes of an .xlsx with a fixed time: the same input gives the same file (openpyxl's save() stamps the time of
saving in docProps/core.xml and on every zip entry). Shared by the data-collection and the follow-up workbook."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Callable, Optional

from openpyxl import Workbook

Parts = Callable[[dict[str, bytes]], dict[str, bytes]]


def workbook_bytes(wb: Workbook, when: dt.datetime, parts: Optional[Parts] = None) -> bytes:
    """The .xlsx of `wb` with `when` as its created/modified time and on every zip entry; `parts`, if given, may
    rewrite the saved parts ({name: bytes}) before they are zipped again. (openpyxl's ExcelWriter, which save()
    wraps, does not touch the properties.)"""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = when
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src:
        contents = {info.filename: src.read(info.filename) for info in src.infolist()}
    if parts is not None:
        contents = parts(contents)
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)  # a zip entry cannot be dated before 1980
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in contents.items():
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            dst.writestr(entry, data)
    return out.getvalue()
