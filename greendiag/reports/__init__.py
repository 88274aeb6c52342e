"""Report writers (Word, Markdown, HTML, JSON, charts, forms) rendered from Diagnosis.to_dict().

    write_report_pack(diag_or_dict, out_dir, *, lang="zh") -> list[str]
        report.docx, report.md, report.html, the forms 附件2-2/2-3/2-4 (.docx) and charts/*.png, in that order.
    render_pack(diag_or_dict, *, lang="zh") -> list[tuple[str, bytes | str]]
        the same pack in memory, (relative name, content), for writing elsewhere (greendiag.pack adds diagnosis.json).
    render_report(diag_or_dict, path, fmt=None, *, lang="zh", source=None, overwrite=False) -> str
        one report; fmt in docx | md | html | json (default: from the file extension; a contradicting extension is refused).
        It replaces an earlier report, not the input, a dataset, overlay, rule file, workbook or foreign Word document, nor
        a report in a pack folder edited since greendiag wrote it (ReportError output-is-input / file-exists /
        pack-file-edited; overwrite=True for all but the input).
    report_format(fmt, path) -> str
        the format render_report will write (fmt, or from the extension), or the ReportError it would raise.
    load_diagnosis(path) -> dict
        a saved diagnosis.json, checked (damaged content: DiagnosisFileError naming the file and the JSON path).
    chart_font_warning() -> Problem | None
        a warning to print when no CJK font is installed (chart labels fall back to English); None otherwise.

`lang`: "zh" (default) is the Chinese report for the bureau; "bilingual" adds English headings and glosses.
The forms are Chinese in both; diagnosis.json keeps both languages.

`diag_or_dict` is a Diagnosis, the dict of Diagnosis.to_dict() (or json.load of diagnosis.json), or a path to a
diagnosis.json. Damaged content (a key missing, text where a number belongs) is a ReportError naming the JSON path; read
from a file (a path, or `source=` for a dict the caller read from one) it is a DiagnosisFileError (an InputFileError and a
ReportError) naming the file too. Everything is rendered in memory first; a single report is written atomically, a pack all or nothing
(fileio.write_files: staged, then moved into place, undone on failure), so a failure raises ReportError and leaves
neither a partial file nor a partial pack. Markdown, HTML and JSON are byte-identical for the same diagnosis; .docx too
(fixed core-property dates from the diagnosis, fixed zip timestamps).
"""

from __future__ import annotations

import os
from typing import Any, Callable, TypeVar

os.environ.setdefault("MPLBACKEND", "Agg")

from .. import fileio  # noqa: E402
from ..errors import GreendiagError, Problem, ReportError  # noqa: E402
from ._data import LANGS, DiagnosisFileError, ReportData, check_lang, coerce, from_file, load_diagnosis, source_of  # noqa: E402

__all__ = ["write_report_pack", "render_pack", "render_report", "report_format", "load_diagnosis", "chart_font_warning", "FORMATS",
           "PACK_FILES", "LANGS", "DiagnosisFileError"]

FORMATS = ("docx", "md", "html", "json")
PACK_FILES = ("report.docx", "report.md", "report.html")
CHARTS_DIR = "charts"
_EXT = {".docx": "docx", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}

T = TypeVar("T")


def _guard(what_zh: str, what_en: str, fn: Callable[[], T], path: str | None = None) -> T:
    """Run a rendering step; anything but a GreendiagError becomes a ReportError (no raw traceback for users)."""
    try:
        return fn()
    except GreendiagError:
        raise
    except Exception as exc:  # a library failure (matplotlib, python-docx, ...) while rendering
        raise ReportError(Problem("render-failed", f"生成{what_zh}失败:{type(exc).__name__}: {exc}",
                                  f"rendering the {what_en} failed: {type(exc).__name__}: {exc}", file=path,
                                  fix_zh="检查诊断结果是否由本版本 greendiag 生成;如仍失败请报告此问题",
                                  fix_en="check the diagnosis was produced by this greendiag version; report the problem if it persists")) from exc


def _data(diag_or_dict: Any) -> tuple[dict, ReportData]:
    data = coerce(diag_or_dict)
    rd = _guard("报告数据", "report data", lambda: ReportData(data))
    return data, rd


def _charts(rd: ReportData):
    from .charts import charts_cjk, render_charts

    return _guard("图表", "charts", lambda: render_charts(rd)), charts_cjk()


def _blocks(rd: ReportData, charts, cjk: bool, lang: str):
    from .content import build_report

    return _guard("报告内容", "report content", lambda: build_report(rd, charts, cjk, lang))


def chart_font_warning() -> Problem | None:
    """A one-line warning for the CLI when charts fall back to English labels (no CJK font); None when fonts are fine.
    The report itself never mentions it."""
    from . import fonts
    from .charts import charts_cjk

    if charts_cjk():
        return None
    return Problem("no-cjk-font", fonts.INSTALL_HINT_ZH, fonts.INSTALL_HINT_EN,
                   fix_zh="apt install fonts-noto-cjk(或 fonts-wqy-microhei),或设置环境变量 GREENDIAG_CJK_FONT 为字体文件路径",
                   fix_en="apt install fonts-noto-cjk (or fonts-wqy-microhei), or set GREENDIAG_CJK_FONT to a font file")


def _title(rd: ReportData) -> str:
    return f"{rd.park_name} — 北京市工业园区绿色诊断评估报告"


def _json_text(data: dict) -> str:
    return fileio.json_text(data)


def render_report(diag_or_dict: Any, path: str | os.PathLike, fmt: str | None = None, *, lang: str = "zh",
                  source: str | os.PathLike | None = None, overwrite: bool = False) -> str:
    """Write one report to `path` (atomically) and return the path written. fmt: docx | md | html | json; lang: zh | bilingual.
    Without fmt the format follows the file extension; a fmt that contradicts a report extension (docx into r.md) is refused.
    `source`: the file a dict was read from, named by problems with its content (a path given is its own source).

    An earlier report at `path` is replaced (re-rendering is the normal workflow), but not a file that holds something
    else (refuse_replacing): the diagnosis being read, a park's dataset, an overlay or rule file, a workbook, a Word
    document or archive greendiag did not write, nor, in a pack folder, a report edited since greendiag wrote it
    (pack-file-edited, as write_pack); `overwrite=True` replaces any of those but the input itself."""
    from .._args import check_flag, check_path

    target = check_path(path, "path")
    lang = check_lang(lang)
    fmt = report_format(fmt, target)
    inputs = [check_path(x, "diag_or_dict") for x in (diag_or_dict,) if isinstance(x, (str, bytes, os.PathLike))]
    inputs += [check_path(source, "source")] if source is not None else []
    refuse_replacing(target, fmt, inputs=inputs, overwrite=check_flag(overwrite, "overwrite"))
    with from_file(source_of(diag_or_dict, source)):
        return _render_report(diag_or_dict, target, fmt, lang)


def refuse_replacing(target: str, fmt: str, *, inputs: Any = (), overwrite: bool = False) -> None:
    """ReportError when writing a `fmt` report to `target` would destroy something that is not an earlier report:
    `output-is-input` for one of `inputs` (always), or (unless `overwrite`) a park's dataset, an overlay or rule file
    (JSON, or YAML under a .yaml name) or an Excel workbook; `file-exists` for a Word document greendiag did not write
    or another zip archive; `pack-file-edited` for a file in a pack folder (write_pack's manifest) that is not what greendiag
    last wrote there (a report finished by hand). Elsewhere other text is replaced as asked: an earlier report, of any
    version or edited (outside a pack folder there is no record to tell). render_report's check; `greendiag report` makes
    it too, before diagnosing."""
    same = next((x for x in inputs if _same_file(target, x)), None)
    if same is not None:
        raise ReportError(Problem("output-is-input", "输出文件与输入文件相同,写入会覆盖输入", "the output file is the input file; writing would "
                                  "overwrite the input", file=target, fix_zh="用 --out 指定另一个文件(Python:另给 path)",
                                  fix_en="name another file with --out (Python: another path)"))
    if overwrite:
        return
    found = _held(target, fmt)
    if found is None:
        _refuse_edited_report(target)
        return
    code, zh, en = found
    if code == "output-is-input":
        raise ReportError(Problem(code, f"输出文件是已有的{zh},写入报告会覆盖它", f"the output file is {en}; writing the report would overwrite it",
                                  file=target, fix_zh=f"用 --out 指定另一个文件(如 report.{fmt});确认可以覆盖时加 --force(Python:overwrite=True)",
                                  fix_en=f"name another file with --out (report.{fmt}, say); add --force (Python: overwrite=True) if it may be replaced"))
    raise ReportError(Problem(code, f"文件已存在,且是{zh},不是 greendiag 生成的 {fmt} 报告;为免覆盖,未写入报告",
                              f"the file exists and is {en}, not a greendiag {fmt} report; the report was not written, so that it is not lost",
                              file=target, fix_zh="换一个文件名;确认可以覆盖时加 --force(Python:overwrite=True)",
                              fix_en="choose another name; add --force (Python: overwrite=True) if it may be replaced"))


def _refuse_edited_report(target: str) -> None:
    """ReportError pack-file-edited when `target` is a report in a pack folder that changed since greendiag wrote it (the
    folder's manifest says what it wrote: pack.edited_since_written), so that a report finished by hand is not lost."""
    from ..pack import edited_since_written

    if not edited_since_written(target):
        return
    name = os.path.basename(target)
    raise ReportError(Problem(
        "pack-file-edited", f"报告包文件夹中的 {name} 在 greendiag 生成后已被修改(或不是 greendiag 生成的);为免覆盖修改,未写入报告",
        f"{name} in the pack folder changed since greendiag wrote it (or greendiag did not write it); the report was not written, "
        "so that the changes are not lost", file=target,
        fix_zh="把修改过的文件另存或改名后重新运行,或用 --out 写到另一个文件;确认可以覆盖时加 --force(Python:overwrite=True)",
        fix_en="save the edited file under another name and run again, or write to another file with --out; add --force "
               "(Python: overwrite=True) if it may be replaced"))


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


_DATA_KINDS = (("园区数据文件", "a park dataset"), ("扩展目录", "a catalogue overlay"), ("规则文件", "a rule file"))


def _held(target: str, fmt: str) -> tuple[str, str, str] | None:
    """What the existing `target` holds that a `fmt` report must not replace: (code, zh, en), or None for nothing
    (no file, an empty one, an earlier report, any other text; a folder or unreadable file fails when written)."""
    import json
    import re
    import zipfile

    if not os.path.isfile(target):
        return None
    try:
        with open(target, "rb") as fh:
            head = fh.read(1 << 22)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(target) as zf:
                names = set(zf.namelist())
                core = zf.read("docProps/core.xml")[:1 << 16] if "docProps/core.xml" in names else b""
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, RuntimeError, EOFError, ValueError):
            return None  # a damaged archive: nothing that opens
        if "xl/workbook.xml" in names:
            return "output-is-input", "Excel 工作簿(可能是园区填写的数据)", "an Excel workbook (perhaps a park's filled-in data)"
        if "word/document.xml" in names:
            return None if fmt == "docx" and b"greendiag" in core else ("file-exists", "Word 文档", "a Word document")
        return "file-exists", "zip 压缩文件", "a zip archive"
    data = None
    try:
        data = json.loads(head)
    except (ValueError, RecursionError):
        if target.lower().endswith((".yaml", ".yml")):  # named so with an explicit fmt: its top-level keys, unparsed
            text = head.decode("utf-8", "replace")
            keys = set(re.findall(r"(?m)^([A-Za-z_]+)[ \t]*:", text))
            data = {k: None for k in keys}
            if re.search(r"(?m)^format[ \t]*:[ \t]*[\"']?greendiag-dataset", text):
                data["format"] = "greendiag-dataset"
    if not isinstance(data, dict):
        return None
    if str(data.get("format", "")).startswith("greendiag-dataset"):
        kind = _DATA_KINDS[0]
    elif "overlay" in data:
        kind = _DATA_KINDS[1]
    elif "rules" in data or "measures" in data:
        kind = _DATA_KINDS[2]
    else:
        return None
    return ("output-is-input",) + kind


def _render_report(diag_or_dict: Any, target: str, fmt: str, lang: str) -> str:
    data, rd = _data(diag_or_dict)
    if fmt == "json":
        text = _guard("JSON", "JSON", lambda: _json_text(data), target)
        _write(target, text)
        return target
    if fmt == "md":
        from .markdown import render_markdown

        blocks = _blocks(rd, [], True, lang)
        _write(target, _guard("Markdown 报告", "Markdown report", lambda: render_markdown(blocks), target))
        return target
    charts, cjk = _charts(rd)
    blocks = _blocks(rd, charts, cjk, lang)
    pngs = {c.key: c.png for c in charts}
    if fmt == "html":
        from .html import render_html

        _write(target, _guard("HTML 报告", "HTML report", lambda: render_html(blocks, pngs, _title(rd)), target))
    else:
        from .docx_report import render_docx

        _write(target, _guard("Word 报告", "Word report", lambda: render_docx(rd, blocks, pngs), target))
    return target


def _write(target: str, payload: str | bytes) -> None:
    """One report, atomically; recorded in the manifest of a pack folder it lands in (pack.record_written)."""
    from ..pack import record_written

    (fileio.write_text if isinstance(payload, str) else fileio.write_bytes)(target, payload)
    record_written(target, payload)


def report_format(fmt: Any, target: str) -> str:
    """The report format for `target`: `fmt` if given, else the one of the file extension; a ReportError when neither is usable
    or when they disagree (a Word file named .md would not open)."""
    ext = os.path.splitext(target)[1].lower()
    implied = _EXT.get(ext)
    choices_zh, choices_en = "、".join(FORMATS), ", ".join(FORMATS)
    if fmt is None:
        if implied is None:
            raise ReportError(Problem("unknown-format", f"无法由扩展名“{ext}”判断报告格式(可选 {choices_zh})" if ext else
                                      f"文件名没有扩展名,无法判断报告格式(可选 {choices_zh})",
                                      f"cannot tell the report format from the extension '{ext}' (choose one of {choices_en})" if ext else
                                      f"the file name has no extension to tell the report format (choose one of {choices_en})", file=target,
                                      fix_zh="文件名以 .docx、.md、.html 或 .json 结尾,或指定格式(--format)",
                                      fix_en="end the file name in .docx, .md, .html or .json, or give the format (--format)"))
        return implied
    name = fmt.lower() if isinstance(fmt, str) else fmt
    if name not in FORMATS:
        raise ReportError(Problem("unknown-format", f"未知报告格式“{fmt}”(可选 {choices_zh})",
                                  f"unknown report format '{fmt}' (choose one of {choices_en})", file=target,
                                  fix_zh="使用 --format docx|md|html|json 或相应扩展名", fix_en="use --format docx|md|html|json or a matching extension"))
    if implied is not None and implied != name:
        raise ReportError(Problem("format-extension-mismatch", f"报告格式 {name} 与文件扩展名“{ext}”不一致(“{ext}”是 {implied} 格式)",
                                  f"report format {name} does not match the file extension '{ext}' ('{ext}' is {implied})", file=target,
                                  fix_zh=f"把文件名改为以 .{name} 结尾,或改用格式 {implied}",
                                  fix_en=f"name the file with .{name}, or use the format {implied}"))
    return name


def render_pack(diag_or_dict: Any, *, lang: str = "zh", source: str | os.PathLike | None = None) -> list[tuple[str, bytes | str]]:
    """The report pack in memory: (name relative to the pack folder, text or bytes), in the fixed order of the pack.
    `source` as in render_report."""
    lang = check_lang(lang)
    with from_file(source_of(diag_or_dict, source)):
        return _render_pack(diag_or_dict, lang)


def _render_pack(diag_or_dict: Any, lang: str) -> list[tuple[str, bytes | str]]:
    from .docx_report import render_docx
    from .forms import render_forms
    from .html import render_html
    from .markdown import render_markdown

    _, rd = _data(diag_or_dict)
    charts, cjk = _charts(rd)
    blocks = _blocks(rd, charts, cjk, lang)
    pngs = {c.key: c.png for c in charts}
    links = {c.key: f"{CHARTS_DIR}/{c.key}.png" for c in charts}
    files: list[tuple[str, bytes | str]] = [
        ("report.docx", _guard("Word 报告", "Word report", lambda: render_docx(rd, blocks, pngs))),
        ("report.md", _guard("Markdown 报告", "Markdown report", lambda: render_markdown(blocks, links))),
        ("report.html", _guard("HTML 报告", "HTML report", lambda: render_html(blocks, pngs, _title(rd)))),
    ]
    files += _guard("表单", "forms", lambda: render_forms(rd))
    files += [(f"{CHARTS_DIR}/{c.key}.png", c.png) for c in charts]
    return files


def write_report_pack(diag_or_dict: Any, out_dir: str | os.PathLike, *, lang: str = "zh",
                      source: str | os.PathLike | None = None, overwrite: bool = False) -> list[str]:
    """Render the whole pack in memory, then write it all or nothing (fileio.write_files); the written paths in a fixed order.
    `source` as in render_report; files edited since greendiag wrote them are not replaced unless `overwrite` (as write_pack)."""
    from ..pack import write_checked

    return write_checked(os.fspath(out_dir), render_pack(diag_or_dict, lang=lang, source=source), overwrite)
