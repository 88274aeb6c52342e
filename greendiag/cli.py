"""The `greendiag` command line. Exit codes: 0 done, 1 rule tests failed, 2 bad input, 3 internal error."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import traceback

import click

from .errors import GreendiagError

EXIT_OK, EXIT_TESTS_FAILED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


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
        except Exception as exc:  # a bug of ours: say so briefly; the traceback only with GREENDIAG_DEBUG=1
            if os.environ.get("GREENDIAG_DEBUG"):
                traceback.print_exc()
            msg = "内部错误(请报告此问题)" if lang == "zh" else "internal error (please report it)"
            click.echo(f"{msg}: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_INTERNAL)
    return wrapper


overlay_option = click.option("--overlay", "overlays", multiple=True, metavar="FILE|NAME",
                              help="扩展目录(专项诊断) / catalogue overlay file or registered name; repeatable")


def _catalogue(overlays):
    from .catalogue import load_catalogue

    return load_catalogue(*overlays)


@click.group()
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="消息语言 / message language")
@click.version_option(package_name="greendiag")
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

    cat = _catalogue(overlays)
    ds = load_dataset(dataset, catalogue=cat)
    click.echo(indicator_table(ds, cat, ctx.obj["lang"]))
    click.echo(("数据有效:" if ctx.obj["lang"] == "zh" else "valid: ") + dataset)


@main.command()
@click.argument("dataset", type=click.Path(dir_okay=False))
@overlay_option
@click.option("--rules", "rule_files", multiple=True, type=click.Path(dir_okay=False), help="additional rule file(s)")
@click.option("--backend", type=click.Choice(["durable", "python"]), default="durable", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="output folder for the report pack")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="date for date-dependent checks (follow-up due)")
@click.pass_context
@_handle
def diagnose(ctx, dataset, overlays, rule_files, backend, out_dir, as_of):
    """诊断园区并输出报告包 / diagnose a park and write the report pack."""
    from .diagnosis import diagnose as run
    from .rulebook import load_rules
    from .summary import diagnosis_summary

    lang = ctx.obj["lang"]
    cat = _catalogue(overlays)
    rules = load_rules(*rule_files, catalogue=cat)
    when = _date(as_of)
    diag = run(dataset, catalogue=cat, rules=rules, backend=backend, as_of=when)
    click.echo(diagnosis_summary(diag, lang))
    if out_dir:
        written = write_pack(diag, out_dir)
        click.echo("")
        click.echo(("报告已写入:" if lang == "zh" else "Report pack written: ") + os.path.abspath(out_dir))
        for path in written:
            click.echo("  " + path)


def write_pack(diag, out_dir: str) -> list[str]:
    """The report pack of one diagnosis; report formats register themselves in reports.PACK_WRITERS."""
    from . import fileio

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "diagnosis.json")
    fileio.write_text(path, diag.to_json())
    written = [path]
    try:
        from .reports import write_report_pack
    except ImportError:
        return written
    return written + write_report_pack(diag, out_dir)


def _date(text):
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a date (YYYY-MM-DD)") from None


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
    click.echo(cat.label)
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

    from .errors import CatalogueError, Problem

    cat = _catalogue(overlays)
    key = int(indicator) if indicator.isdigit() else indicator
    try:
        ind = cat.indicator(key)
    except KeyError:
        raise CatalogueError(Problem("unknown-indicator", f"未知指标“{indicator}”", f"unknown indicator '{indicator}'")) from None
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
    click.echo(f"OK {cat.label}: {len(cat.indicators)} indicators, {len(cat.requirements)} requirements, {len(cat.references)} references")


@main.group()
def rules():
    """规则库 / the rule base."""


@rules.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@overlay_option
@click.option("--backend", type=click.Choice(["durable", "python", "both"]), default="both", show_default=True)
@_handle
def rules_test(files, overlays, backend):
    """运行规则文件中的测试用例 / run the test cases written inside the rule files."""
    from .rulebook import load_rules, run_rule_tests

    rb = load_rules(*files, catalogue=_catalogue(overlays))
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
