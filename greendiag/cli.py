"""The `greendiag` command line. Exit codes: 0 done, 1 rule tests failed, 2 bad input, 3 internal error; as other Unix
tools, 130 after Ctrl-C and 141 when the reader of the output went away (`| head`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sys
import traceback

import click

from .dataset import DIAGNOSIS_YEARS, other_spreadsheet
from .errors import GreendiagError, Problem
from .pack import write_pack

EXIT_OK, EXIT_TESTS_FAILED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_PIPE = 130, 141  # 128 + SIGINT, 128 + SIGPIPE


def _handle(fn):
    """Turn greendiag errors into a clean message and exit code 2; anything else into exit 3 without a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        lang = click.get_current_context().obj.get("lang", "zh")
        try:
            return fn(*args, **kwargs)
        except GreendiagError as exc:
            click.echo(exc.format(lang), err=True)
            sys.exit(EXIT_INPUT)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except BrokenPipeError:  # output piped into `head` etc.: stop quietly, as Unix tools do
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_PIPE)
        except KeyboardInterrupt:  # Ctrl-C: no traceback; files are written all or nothing, so nothing half-written
            with contextlib.suppress(OSError):
                click.echo("\n已中断" if lang == "zh" else "\ninterrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:  # the environment (disk full, permissions, a path that is a file), not a bug
            click.echo(Problem("os-error", f"无法读写文件:{exc.strerror}", f"cannot read or write: {exc.strerror}",
                               file=str(exc.filename or "") or None,
                               fix_zh="检查路径是否存在、可写,或换一个输出位置",
                               fix_en="check the path exists and is writable, or choose another output location").format(lang), err=True)
            sys.exit(EXIT_INPUT)
        except Exception as exc:  # a bug of ours: say so briefly; the traceback only with GREENDIAG_DEBUG=1
            if os.environ.get("GREENDIAG_DEBUG"):
                traceback.print_exc()
            msg = "内部错误(请报告此问题)" if lang == "zh" else "internal error (please report it)"
            click.echo(f"{msg}: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_INTERNAL)
    return wrapper


report_lang_option = click.option(
    "--report-lang", "report_lang", type=click.Choice(["zh", "bilingual"]), default="zh", show_default=True,
    help="报告语言:中文,或中英对照 / report language: Chinese, or Chinese with English alongside")
overlay_option = click.option("--overlay", "overlays", multiple=True, metavar="FILE|NAME",
                              help="扩展目录(专项诊断),可重复 / catalogue overlay file or registered name; repeatable")
rules_option = click.option("--rules", "rule_files", multiple=True, type=click.Path(dir_okay=False),
                            help="附加规则文件,可重复 / additional rule file; repeatable")
backend_option = click.option("--backend", type=click.Choice(["durable", "python"]), default="durable", show_default=True,
                              help="规则引擎:durable-rules 或纯 Python 实现(结果相同) / rule engine: durable-rules or the pure-Python evaluator (same results)")
as_of_option = click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
                            help="核查日期,用于与日期有关的检查(如反馈逾期) / date for date-dependent checks (e.g. follow-up overdue)")


def _catalogue(overlays):
    from .catalogue import load_catalogue

    return load_catalogue(*overlays)


def _t(zh: str, en: str) -> str:
    """The message in the language chosen with --lang."""
    return en if click.get_current_context().obj.get("lang") == "en" else zh


class _HelpOption:
    """--help says what it does in both languages, whatever language the option was first built in (click caches it)."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出 / show this message and exit"
        return option


class _Command(_HelpOption, click.Command):
    pass


class _Group(_HelpOption, click.Group):
    """The command group, with click's own messages (usage errors, help headings) in Chinese unless --lang en."""

    command_class = _Command
    group_class = type  # sub-groups (catalogue, rules) are of this class too

    def main(self, args=None, *rest, **kwargs):
        from ._click_zh import chinese_click, wants_english

        if wants_english(sys.argv[1:] if args is None else list(args)):
            return super().main(args, *rest, **kwargs)
        with chinese_click():
            return super().main(args, *rest, **kwargs)


@click.group(cls=_Group)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="消息语言 / message language")
@click.version_option(package_name="greendiag", help="显示版本并退出 / show the version and exit")
@click.pass_context
def main(ctx: click.Context, lang: str) -> None:
    """greendiag — 工业园区绿色诊断 (industrial park green diagnosis)."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = lang


@main.command()
@click.argument("dataset", type=click.Path(dir_okay=False))
@overlay_option
@click.pass_context
@_handle
def validate(ctx, dataset, overlays):
    """校验园区数据并打印指标表 / validate a dataset and print its indicator table."""
    from .dataset import load_dataset
    from .summary import indicator_table

    _path_arg(dataset, "数据文件", "dataset")
    cat = _catalogue(overlays)
    ds = load_dataset(dataset, catalogue=cat)
    _echo_notes(ctx, ds.notes)
    click.echo(indicator_table(ds, cat, ctx.obj["lang"]))
    checks = _data_checks(ds, cat, ctx.obj["lang"])
    for _, line in checks:
        click.echo(line)
    zh = ctx.obj["lang"] == "zh"
    doubtful = sum(1 for serious, _ in checks if serious)
    if doubtful:
        click.echo((f"数据格式有效,但有 {doubtful} 项数据需核实(见上):" if zh else
                    f"valid in form, but {doubtful} value(s) above need checking: ") + dataset)
    else:
        click.echo(("数据有效:" if zh else "valid: ") + dataset)


def _data_checks(ds, cat, lang: str) -> list[tuple[bool, str]]:
    """The anomaly checks of the rule base on a valid dataset (a share typed as a fraction, a value 10,000 times the
    derived one…), so that they are seen when the data are checked, not first in the report: (needs checking, line)."""
    from .diagnosis import diagnose as run
    from .summary import DOUBT_SEVERITIES, SEVERITY_ZH
    from .zhnotation import zh_notation

    zh = lang == "zh"
    found = [f for f in run(ds, catalogue=cat, backend="python").findings if f.kind == "anomaly"]
    return [(f.severity in DOUBT_SEVERITIES,
             f"  [{SEVERITY_ZH.get(f.severity, f.severity)}] {zh_notation(f.message_zh)}" if zh else f"  [{f.severity}] {f.message_en}")
            for f in found]


@main.command()
@click.argument("datasets", nargs=-1, required=True, type=click.Path())
@overlay_option
@rules_option
@backend_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="报告包输出文件夹(多个园区时每园区一个子文件夹) / output folder for the report pack (one subfolder per park for many)")
@as_of_option
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="多个园区时的工作进程数(默认:CPU 数) / worker processes for many parks (default: CPUs)")
@report_lang_option
@click.option("--force", is_flag=True, default=False,
              help="覆盖报告包中生成后被修改过的文件(如已在 Word 中修改的报告) / replace pack files edited since greendiag wrote them")
@click.pass_context
@_handle
def diagnose(ctx, datasets, overlays, rule_files, backend, out_dir, as_of, workers, report_lang, force):
    """诊断园区并输出报告包 / diagnose a park (or many: files or folders) and write the report pack(s)."""
    from .fileio import check_folder

    when = _date(as_of)
    if out_dir == "":
        raise click.BadParameter("输出文件夹不能为空 / the output folder must not be empty", param_hint="'--out'")
    _out_arg(out_dir, "'--out'")
    for path in rule_files:
        _path_arg(path, "规则文件(--rules)", "rule file (--rules)")
    entries = _expand(datasets)
    ctx.obj["report_lang"] = report_lang
    ctx.obj["force"] = force
    if out_dir:
        check_folder(out_dir)  # before any park is diagnosed: a batch would otherwise fail every pack at the end
        _warn_fonts(ctx)
    if len(entries) == 1 and isinstance(entries[0], str) and not os.path.isdir(datasets[0]):
        _diagnose_one(ctx, entries[0], overlays, rule_files, backend, out_dir, when)
    else:
        _note_repeats(ctx, [e for e in entries if isinstance(e, str)])
        _diagnose_many(ctx, entries, overlays, rule_files, backend, out_dir, when, workers)


def _out_arg(path, hint: str) -> None:
    """Refuse "-" as an output: greendiag writes files (a pack, a .docx), never to standard output."""
    if path == "-":
        raise click.BadParameter("不支持写到标准输出(-):请给出文件或文件夹名;名为“-”的写作 ./- / "
                                 "writing to standard output (-) is not supported: give a file or folder name ('./-' for one named '-')",
                                 param_hint=hint)


def _path_arg(path: str, what_zh: str, what_en: str) -> None:
    """Refuse, before anything is read, a file argument that names no file: "-" (standard input, which greendiag does
    not read: a workbook or a dataset is read whole, from a file) or an empty path (often an unset shell variable)."""
    from .errors import InputFileError, Problem

    if path == "-":
        raise InputFileError(Problem("bad-path", f"不支持从标准输入(-)读取:{what_zh}须以文件给出",
                                     f"reading from standard input (-) is not supported: give the {what_en} as a file",
                                     fix_zh="先把内容保存为文件(如 park.yaml),再给出其路径;名为“-”的文件写作 ./-",
                                     fix_en="save the content to a file (e.g. park.yaml) and give its path; a file named '-' is given as ./-"))
    if path == "":
        raise InputFileError(Problem("bad-path", f"路径为空:未给出{what_zh}", f"the path is empty: no {what_en} was given",
                                     fix_zh="给出文件路径;在脚本中检查变量是否已赋值(如 \"$FILE\")",
                                     fix_en="give the file's path; in a script, check that the variable is set (e.g. \"$FILE\")"))


def _note_repeats(ctx, paths) -> None:
    """One note on stderr per file given more than once (a.yaml a.yaml, or DIR and DIR/a.yaml): it is diagnosed
    each time, as asked, but probably not on purpose."""
    groups: dict = {}
    for path in paths:
        try:
            st = os.stat(path)
            key = (st.st_dev, st.st_ino)
        except (OSError, ValueError):  # missing or a bad path: its own row says so; the same spelling is the same file
            key = os.path.normcase(os.path.abspath(path))
        groups.setdefault(key, []).append(path)
    for given in (g for g in groups.values() if len(g) > 1):
        names = list(dict.fromkeys(given))
        click.echo(_t(f"提示:同一文件给出了 {len(given)} 次,每次都会诊断:{'、'.join(names)}",
                      f"note: the same file was given {len(given)} times and is diagnosed each time: {', '.join(names)}"), err=True)


def _echo_notes(ctx, notes) -> None:
    """What the reader noticed that is not an error (ParkDataset.notes), one line each on stderr."""
    for note in notes:
        click.echo(("提示:" if ctx.obj["lang"] == "zh" else "note: ") + note.format(ctx.obj["lang"]), err=True)


def _warn_fonts(ctx) -> None:
    """One line on stderr when charts must fall back to English labels (no CJK font installed)."""
    from .reports import chart_font_warning

    warning = chart_font_warning()
    if warning is not None:
        _echo_notes(ctx, (warning,))


DATASET_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".xlsm")


def _expand(items) -> list:
    """Files as given ("-" and "" refused: _path_arg); folders expanded to their dataset files, sorted. Excel/WPS lock
    files (~$x.xlsx) and hidden files (.x) in a folder are skipped; a workbook in a format greendiag cannot read (.xls,
    .ods, .et, .csv) becomes a (path, Problem) entry, reported as a failed row. A folder with nothing to read is an
    empty-folder error saying what it holds instead (_empty_folder)."""
    from .errors import InputFileError

    out: list = []
    for item in items:
        if not os.path.isdir(item):
            _path_arg(item, "数据文件或文件夹", "dataset file or folder")
            out.append(item)
            continue
        found = []
        for name in sorted(os.listdir(item)):
            path = os.path.join(item, name)
            if name.startswith(("~$", ".")) or not os.path.isfile(path):
                continue
            suffix = os.path.splitext(name)[1].lower()
            if suffix in DATASET_SUFFIXES:
                found.append(path)
            elif (refused := other_spreadsheet(path)) is not None:
                found.append((path, refused))
        if not found:
            raise InputFileError(_empty_folder(item))
        out += found
    return out


def _is_dataset_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in DATASET_SUFFIXES


def _empty_folder(folder: str):
    """The empty-folder problem, saying what the folder does hold that looks like data: Excel/WPS or LibreOffice lock
    files (~$park.xlsx: the workbook is open, not saved here), hidden files, and datasets in sub-folders, which are not
    searched (the first three found, from a bounded walk)."""
    from .errors import Problem

    names = sorted(os.listdir(folder))
    locks = [n for n in names if n.startswith("~$") or n.startswith(".~lock.")]
    hidden = [n for n in names if n.startswith(".") and not n.startswith(".~lock.") and _is_dataset_name(n)]
    nested: list[str] = []
    for visited, (root, dirs, files) in enumerate(os.walk(folder)):  # symlinked folders are not followed: no loops
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if root != folder:
            nested += [os.path.join(root, f) for f in sorted(files) if not f.startswith(("~$", ".")) and _is_dataset_name(f)]
        if len(nested) > 3 or visited >= 2000:  # enough to name; a huge tree is not walked to the end
            break
    more = len(nested) > 3
    shown_zh, shown_en = "、".join(nested[:3]) + (" 等" if more else ""), ", ".join(nested[:3]) + (" and more" if more else "")
    zh, en, fix_zh, fix_en = ["文件夹中没有数据文件(.xlsx/.yaml/.json)"], ["no dataset files (.xlsx/.yaml/.json) in the folder"], [], []
    if locks:
        zh.append(f"只有 Excel/WPS 的锁定文件 {'、'.join(locks)}(工作簿在 Excel 中打开时生成,不含数据)")
        en.append(f"only {'a lock file' if len(locks) == 1 else 'lock files'} of Excel/WPS, {', '.join(locks)} "
                  "(made while a workbook is open in Excel; it holds no data)")
        fix_zh.append("在 Excel 中保存并关闭工作簿,并把工作簿(.xlsx)放在该文件夹中")
        fix_en.append("save the workbook and close Excel, and put the workbook (.xlsx) in the folder")
    if hidden:
        zh.append(f"隐藏文件不读取:{'、'.join(hidden)}")
        en.append(f"hidden files are skipped: {', '.join(hidden)}")
        fix_zh.append("去掉文件名开头的“.”")
        fix_en.append("remove the '.' at the start of the file name")
    if nested:
        subs = list(dict.fromkeys(os.path.dirname(p) for p in nested[:3]))
        zh.append(f"子文件夹不查找,其中有 {shown_zh}")
        en.append(f"sub-folders are not searched; found there: {shown_en}")
        fix_zh.append("直接给出子文件夹或文件,如 greendiag diagnose " + " ".join(subs))
        fix_en.append("give the sub-folders or the files themselves, e.g. greendiag diagnose " + " ".join(subs))
    if not fix_zh:
        fix_zh.append("把数据采集模板(.xlsx)或 YAML/JSON 数据文件放入该文件夹,或直接给出文件路径")
        fix_en.append("put filled workbooks (.xlsx) or YAML/JSON datasets in the folder, or give the files themselves")
    return Problem("empty-folder", ";".join(zh), "; ".join(en), file=folder, fix_zh=";".join(fix_zh), fix_en="; ".join(fix_en))


def _labels(paths) -> list[str]:
    """What the summary table calls each input: its file name, or where two inputs share a file name, the path from
    their nearest common folder (twin1/park.yaml, twin2/park.yaml), so that the rows can be told apart."""
    labels = [os.path.basename(p) for p in paths]
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    for same in (g for g in groups.values() if len(g) > 1):
        full = [os.path.abspath(paths[i]) for i in same]
        try:
            common = os.path.commonpath([os.path.dirname(f) for f in full])
        except ValueError:  # on different drives (Windows): the paths as given
            common = None
        for i, f in zip(same, full):
            labels[i] = os.path.relpath(f, common) if common else paths[i]
    return labels


def _diagnose_one(ctx, dataset, overlays, rule_files, backend, out_dir, when):
    from .diagnosis import diagnose as run
    from .rulebook import load_rules
    from .summary import diagnosis_summary

    lang = ctx.obj["lang"]
    cat = _catalogue(overlays)
    rules = load_rules(*rule_files, catalogue=cat)
    _echo_notes(ctx, rules.notes)  # built-in rules the overlays made inapplicable (rule-indicator-kind)
    diag = run(dataset, catalogue=cat, rules=rules, backend=backend, as_of=when)
    _echo_notes(ctx, diag.dataset.notes)
    written = write_pack(diag, out_dir, lang=ctx.obj["report_lang"], overwrite=ctx.obj["force"]) if out_dir else []  # before printing: a closed pipe must not lose the pack
    click.echo(diagnosis_summary(diag, lang))
    if out_dir:
        click.echo("")
        click.echo(("报告已写入:" if lang == "zh" else "Report pack written: ") + os.path.abspath(out_dir))
        for path in written:
            click.echo("  " + path)


def _diagnose_many(ctx, entries, overlays, rule_files, backend, out_dir, when, workers):
    from .batch import diagnose_many

    lang = ctx.obj["lang"]
    zh = lang == "zh"
    paths = [e for e in entries if isinstance(e, str)]
    results = []
    if paths and overlays:  # built-in rules the overlays made inapplicable, said once (the workers load the rules again)
        from .rulebook import load_rules

        with contextlib.suppress(GreendiagError):  # a bad overlay or rule file: every row reports it
            _echo_notes(ctx, load_rules(*rule_files, catalogue=_catalogue(overlays)).notes)
    if paths:
        with click.progressbar(length=len(paths), label="诊断中" if zh else "diagnosing", file=sys.stderr) as bar:
            last = [0]

            def progress(done, total):
                bar.update(done - last[0])
                last[0] = done

            results = diagnose_many(paths, workers=workers, backend=backend, catalogue_overlays=tuple(overlays),
                                    rules_files=tuple(rule_files), as_of=when, progress=progress, out_dir=out_dir,
                                    report_lang=ctx.obj["report_lang"], overwrite=ctx.obj["force"])
    by_path = iter(results)
    bad = 0
    rows = []

    def failure(problems):
        first = problems[0]
        msg = first.format(lang) if hasattr(first, "format") else str(first)
        return msg + (f" (+{len(problems) - 1})" if len(problems) > 1 else "")

    notes: list[str] = []  # what the readers noticed (e.g. a workbook's diagnosis year), after the table
    labels = _labels([e if isinstance(e, str) else e[0] for e in entries])
    for entry, label in zip(entries, labels):  # packs were written by the workers, each park on its own
        if not isinstance(entry, str):  # a file greendiag cannot read (.xls, .ods, ...): its row says what to do
            bad += 1
            rows.append((label, "-", "-", "-", failure([entry[1]])))
            continue
        res = next(by_path)
        if res.ok:
            totals = " ".join(_year_total(t, zh) for t in res.diagnosis["total_scores"])
            error = ""
            if res.pack_problems:
                bad += 1
                error = failure(res.pack_problems)
            checks = sum(1 for f in res.diagnosis["findings"] if f["kind"] != "recommendation")  # as in the one-park summary
            notes += [f"{label}: " + Problem(**n).format(lang) for n in res.diagnosis.get("input_notes", [])]
            rows.append((label, res.diagnosis["park"]["name"], totals, str(checks),
                         error or (os.path.basename(res.pack_dir) if res.pack_dir else "")))
        else:
            bad += 1
            rows.append((label, "-", "-", "-", failure(res.problems)))
    total = len(entries)
    last = ("报告包/错误" if out_dir else "错误") if zh else ("pack / error" if out_dir else "error")
    head = ("文件", "园区", "总分(年份:得分)", "核查发现", last) if zh else ("file", "park", "total per year", "checks", last)
    click.echo(" | ".join(head))
    for row in rows:
        click.echo(" | ".join(row))
    for note in notes:
        click.echo(("提示:" if zh else "note: ") + note, err=True)
    packs = out_dir if any(res.pack_dir for res in results) else None  # name the folder only when a pack is in it
    click.echo((f"完成 {total - bad} 个,失败 {bad} 个" if zh else f"{total - bad} diagnosed, {bad} failed")
               + (f";报告包:{os.path.abspath(packs)}" if zh and packs else f"; report packs: {os.path.abspath(packs)}" if packs else ""))
    if bad:
        sys.exit(EXIT_INPUT)





def _year_total(t: dict, zh: bool) -> str:
    """A year's score in the batch table: the guide's (general_total) first when an overlay adds indicators, the total
    including them after it; "2024:-" when the year is not assessable."""
    if t.get("total") is None:
        return f"{t['year']}:-"
    if t.get("general_total") is None:
        return f"{t['year']}:{t['total']:.1f}"
    return f"{t['year']}:{t['general_total']:.1f}" + (f"(含专项{t['total']:.1f})" if zh else f"(incl. specialised {t['total']:.1f})")


@main.command()
@click.argument("out", type=click.Path(dir_okay=False))
@overlay_option
@click.option("--year", "diagnosis_year", type=click.IntRange(*DIAGNOSIS_YEARS), default=None,
              help="诊断年份(指标取其前若干年,默认前三年,见目录 scoring.years.count) / diagnosis year (indicators for the years before it: three by default, the catalogue's scoring.years.count)")
@click.option("--from", "source", type=click.Path(dir_okay=False), default=None,
              help="用已有数据预填(YAML/JSON/Excel) / prefill from an existing dataset (e.g. last year's, or a YAML file)")
@click.option("--force", is_flag=True, default=False,
              help="覆盖已存在的文件(默认拒绝,以免覆盖园区已填写的工作簿) / overwrite an existing file (refused by default: it may be a filled workbook)")
@click.pass_context
@_handle
def template(ctx, out, overlays, diagnosis_year, source, force):
    """生成数据采集Excel模板 / write the data-collection workbook for the catalogue (with overlays)."""
    from .dataset import load_dataset
    from .excel import write_template
    from .excel.writer import refuse_existing

    _out_arg(out, "'OUT'")
    refuse_existing(out, force)  # write_template's own check, made before --from is read
    if source is not None:
        _path_arg(source, "预填数据(--from)", "dataset to prefill from (--from)")
    cat = _catalogue(overlays)
    dataset = load_dataset(source, catalogue=cat) if source else None
    write_template(out, cat, diagnosis_year=diagnosis_year, dataset=dataset, overwrite=force)
    click.echo(("已生成数据采集模板:" if ctx.obj["lang"] == "zh" else "Template written: ") + os.path.abspath(out))


@main.command()
@click.argument("diagnosis", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["docx", "md", "html", "json"]), default=None,
              help="报告格式;默认取 --out 的扩展名,未给 --out 时为 docx / report format; default: --out's extension, docx when --out is not given")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="输出文件(默认:与输入同目录同名) / output file (default: next to the input, same name)")
@report_lang_option
@overlay_option
@rules_option
@backend_option
@as_of_option
@click.option("--force", is_flag=True, default=False,
              help="覆盖已有的非报告文件(园区数据、工作簿、他人的 Word 文档等;输入文件本身除外),或报告包中生成后被修改过的报告 / "
                   "replace an existing file that is not a report (a dataset, a workbook, someone's Word document; never the input "
                   "itself), or a report in a pack folder edited since greendiag wrote it")
@click.pass_context
@_handle
def report(ctx, diagnosis, fmt, out, report_lang, overlays, rule_files, backend, as_of, force):
    """由诊断结果(diagnosis.json)或数据文件生成报告 / render a report from a diagnosis.json, or from a dataset diagnosed now.

    --overlay、--rules、--backend、--as-of 只用于数据文件 / only for a dataset file."""
    from .reports import refuse_replacing, render_report, report_format

    when = _date(as_of)
    _path_arg(diagnosis, "诊断结果或数据文件", "diagnosis or dataset")
    _out_arg(out, "'--out'")
    for path in rule_files:
        _path_arg(path, "规则文件(--rules)", "rule file (--rules)")
    if out is None:
        fmt = fmt or "docx"
        out = os.path.splitext(diagnosis)[0] + "." + fmt
    fmt = report_format(fmt, out)  # before diagnosing: --format docx --out r.md is refused at once
    refuse_replacing(out, fmt, inputs=(diagnosis,), overwrite=force)  # render_report's own check, made before diagnosing
    given = [name for name, value in (("--overlay", overlays), ("--rules", rule_files), ("--as-of", as_of),
                                      ("--backend", backend != "durable")) if value]
    data, source = _diagnosis_dict(diagnosis, overlays, rule_files, backend, when, given)
    if fmt in ("docx", "html"):  # the formats that draw charts
        _warn_fonts(ctx)
    render_report(data, out, fmt, lang=report_lang, source=source, overwrite=force)
    click.echo(("报告已写入:" if ctx.obj["lang"] == "zh" else "Report written: ") + os.path.abspath(out))


def _diagnosis_dict(path: str, overlays=(), rule_files=(), backend="durable", when=None, given=()) -> tuple[dict, str | None]:
    """(diagnosis dict, its file): a saved diagnosis (JSON with format greendiag-diagnosis/1) and `path`, or a dataset file
    diagnosed now (with the overlays, rule files, backend and date given; those options make no sense for a saved diagnosis
    and are refused there) and None: problems with a saved diagnosis's content name its file (render_report source=)."""
    from .errors import InputFileError, Problem
    from .yamlio import read_document

    if path.lower().endswith(".json"):
        doc = read_document(path)
        data = doc.data
        if isinstance(data, dict) and data.get("format") == "greendiag-diagnosis/1":
            if given:
                raise InputFileError(Problem(
                    "option-needs-dataset", f"{'、'.join(given)} 只用于诊断数据文件;诊断结果(diagnosis.json)按原样出报告,不再重新诊断",
                    f"{', '.join(given)} only apply to a dataset diagnosed now; a diagnosis.json is rendered as it is", file=path,
                    fix_zh="去掉这些选项,或改为给出园区数据文件(.xlsx/.yaml/.json)",
                    fix_en="drop these options, or give the park's dataset file (.xlsx/.yaml/.json) instead"))
            return data, path
        if not (isinstance(data, dict) and "format" in data and str(data["format"]).startswith("greendiag-dataset")):
            raise InputFileError(Problem("not-a-diagnosis", "文件不是 greendiag 诊断结果(format: greendiag-diagnosis/1)",
                                         "the file is not a greendiag diagnosis (format: greendiag-diagnosis/1)", file=path,
                                         fix_zh="先运行 greendiag diagnose DATA --out DIR,再用 DIR/diagnosis.json",
                                         fix_en="run greendiag diagnose DATA --out DIR first, then use DIR/diagnosis.json"))
    from .diagnosis import diagnose as run
    from .rulebook import load_rules

    cat = _catalogue(overlays)
    rules = load_rules(*rule_files, catalogue=cat)
    _echo_notes(click.get_current_context(), rules.notes)
    return run(path, catalogue=cat, rules=rules, backend=backend, as_of=when).to_dict(), None


def _date(text):
    if text is None:
        return None
    if not text.strip():
        raise click.BadParameter("日期不能为空(YYYY-MM-DD,如 2026-05-01)/ the date must not be empty (YYYY-MM-DD, e.g. 2026-05-01)",
                                 param_hint="'--as-of'")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"“{text}”不是日期(YYYY-MM-DD,如 2026-05-01)/ '{text}' is not a date (YYYY-MM-DD, e.g. 2026-05-01)") from None
    from .batch import check_as_of

    return check_as_of(day)  # a year far off (1900) is refused before any park is read


@main.command("followup-template")
@click.argument("diagnosis", type=click.Path(dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, default=False,
              help="覆盖已存在的文件(默认拒绝,以免覆盖已填写的工作簿) / overwrite an existing file (refused by default: it may be a filled workbook)")
@click.pass_context
@_handle
def followup_template(ctx, diagnosis, out, force):
    """生成诊断完成一年后的跟踪反馈工作簿 / write the one-year follow-up workbook of a diagnosis (diagnosis.json)."""
    from .excel.writer import refuse_existing
    from .excel_followup import write_followup_template

    _path_arg(diagnosis, "诊断结果(diagnosis.json)", "diagnosis (diagnosis.json)")
    _out_arg(out, "'OUT'")
    refuse_existing(out, force)  # before the diagnosis is read, as `template` does
    write_followup_template(diagnosis, out, overwrite=force)
    click.echo(_t("已生成跟踪反馈工作簿:", "Follow-up workbook written: ") + os.path.abspath(out))


@main.command("followup")
@click.argument("diagnosis", type=click.Path(dir_okay=False))
@click.argument("record", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="输出文件夹:followup.json、followup.docx、followup.md;不给时只核查并打印汇总 / "
                   "output folder for followup.json, .docx and .md; without it the record is only checked and summarised")
@report_lang_option
@click.option("--force", is_flag=True, default=False,
              help="覆盖文件夹中生成后被修改过的文件(如已在 Word 中修改的 followup.docx) / replace files edited since greendiag wrote them")
@click.pass_context
@_handle
def followup(ctx, diagnosis, record, out_dir, report_lang, force):
    """诊断完成一年后的跟踪反馈(指南六)/ the one-year follow-up feedback of a diagnosis (guide 六).

    DIAGNOSIS 为 diagnosis.json;RECORD 为跟踪反馈记录(.yaml/.json)或跟踪反馈工作簿(.xlsx)。"""
    from .followup import load_followup, write_followup
    from .reports.followup import counts_sentence, counts_sentence_en

    _path_arg(diagnosis, "诊断结果(diagnosis.json)", "diagnosis (diagnosis.json)")
    _path_arg(record, "跟踪反馈记录", "follow-up record")
    if out_dir is not None:
        _out_arg(out_dir, "'--out'")
    fu = load_followup(record, diagnosis)
    _echo_notes(ctx, fu.notes)
    written = write_followup(fu, out_dir, lang=report_lang, overwrite=force) if out_dir else []
    zh = ctx.obj["lang"] == "zh"
    click.echo(f"{fu.park} {fu.diagnosis_year}" + (f"年诊断 跟踪反馈 {fu.followup_date}" if zh else f" diagnosis, follow-up of {fu.followup_date}"))
    click.echo(counts_sentence(fu) if zh else counts_sentence_en(fu))
    if out_dir:
        click.echo(_t("跟踪反馈已写入:", "Follow-up written: ") + os.path.abspath(out_dir))
        for path in written:
            click.echo("  " + path)


@main.group()
def catalogue():
    """指标目录 / the indicator catalogue."""


@catalogue.command("list")
@overlay_option
@click.pass_context
@_handle
def catalogue_list(ctx, overlays):
    """列出指标 / list indicators."""
    cat = _catalogue(overlays)
    zh = ctx.obj["lang"] == "zh"
    click.echo(f"{cat.label}: {_catalogue_counts(cat)}")
    for ind in cat.indicators:
        lead = ind.lead_value if not ind.qualitative else ind.level(ind.lead_level).zh
        flag = " (provisional)" if ind.lead_provenance.is_provisional else ""
        need = ("必选" if ind.mandatory else "可选") if zh else ("mandatory" if ind.mandatory else "optional")
        click.echo(f"{ind.number:>3} {ind.code:<5} {ind.id:<36} {ind.name_zh if zh else ind.name_en}  [{ind.unit or '-'}] "
                   f"{'引领值' if zh else 'lead'} {lead}{flag} {need}")


@catalogue.command("show")
@click.argument("indicator")
@overlay_option
@_handle
def catalogue_show(indicator, overlays):
    """显示一个指标的全部定义 / show one indicator (id, code or number)."""
    import attrs

    cat = _catalogue(overlays)
    key = int(indicator) if indicator.isascii() and indicator.isdigit() else indicator  # "²" is a digit int() refuses
    ind = cat.indicator(key)  # unknown: UnknownEntryError (unknown-indicator) with a did-you-mean
    data = attrs.asdict(ind)
    data["references"] = [attrs.asdict(r) for r in cat.references_for(ind.id)]
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


@catalogue.command("validate")
@click.argument("overlays", nargs=-1, type=click.Path(dir_okay=False))
@click.pass_context
@_handle
def catalogue_validate(ctx, overlays):
    """校验目录及扩展 / validate the catalogue and overlay files."""
    cat = _catalogue(overlays)
    click.echo(f"OK {cat.label}: {_catalogue_counts(cat)}")


def _catalogue_counts(cat) -> str:
    """What the catalogue holds, for `catalogue validate|list`: the measures are those overlays bring (`measures:`);
    the packaged library rules/measures.yaml belongs to the rule base, not the catalogue. Chinese with English after."""
    n = (len(cat.indicators), len(cat.requirements), len(cat.references), len(cat.measures))
    en = f"{n[0]} indicators, {n[1]} requirements, {n[2]} references, {n[3]} overlay measures"
    return en if click.get_current_context().obj.get("lang") == "en" else \
        f"指标 {n[0]} 项、基础性要求 {n[1]} 项、参考值 {n[2]} 条、扩展措施 {n[3]} 项 / {en}"


@main.group()
def rules():
    """规则库 / the rule base."""


@rules.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@overlay_option
@click.option("--backend", type=click.Choice(["durable", "python", "both"]), default="both", show_default=True,
              help="在哪个规则引擎上运行用例(both:两者都运行并比对) / run the cases on this engine (both: on each, compared)")
@_handle
def rules_test(files, overlays, backend):
    """运行规则文件中的测试用例 / run the test cases written inside the rule files."""
    from .rulebook import load_rules, packaged_rule_file, run_rule_tests

    for f in files:
        if packaged_rule_file(f):
            click.echo(_t(f"{f}:内置规则库的一部分,随内置规则一并测试", f"{f}: part of the built-in rule base, tested with it"))
    rb = load_rules(*files, catalogue=_catalogue(overlays))
    _echo_notes(click.get_current_context(), rb.notes)
    backends = ["durable", "python"] if backend == "both" else [backend]
    failed = 0
    total = 0
    for b in backends:
        for r in run_rule_tests(rb, b):
            total += 1
            if not r.ok:
                failed += 1
                click.echo(f"FAIL [{b}] {r.rule_id} test {r.index}: expected fires={r.expected}, got {r.fired}; fact={r.fact}")
    click.echo(f"{total - failed} passed, {failed} failed")
    sys.exit(EXIT_TESTS_FAILED if failed else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
