"""The command line: exit codes, messages in both languages, outputs written where it says."""

from __future__ import annotations

import json
import os
import pathlib

import pytest


def test_validate_ok(run, demo_path):
    res = run("validate", demo_path)
    assert res.exit_code == 0, res.output
    assert "能源产出率" in res.output and "数据有效" in res.output


def test_validate_shows_the_data_checks_of_the_rule_base(run, demo_path, tmp_path):
    """A share typed as a fraction or a value in the wrong unit passed validate without a word; only diagnose said it."""
    import yaml

    data = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    block = next(b for b in data["years"] if b["year"] == 2024)
    block["indicators"]["renewable_energy_share"] = {"value": 0.126}  # 12.6 % typed as a fraction
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    res = run("validate", path)
    assert res.exit_code == 0 and "疑似以小数填报" in res.output and "数据需核实" in res.output
    assert "数据有效" not in res.output
    clean = run("validate", demo_path)
    assert clean.exit_code == 0 and "数据有效" in clean.output


def test_validate_bad_file_is_exit_2_with_location(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: greendiag-dataset/1\npark: [unclosed\n", encoding="utf-8")
    res = run("validate", bad)
    assert res.exit_code == 2
    assert "bad.yaml" in res.output and "malformed-yaml" in res.output
    res_en = run("--lang", "en", "validate", tmp_path / "missing.yaml")
    assert res_en.exit_code == 2 and "file-not-found" in res_en.output and "file not found" in res_en.output


def test_diagnose_writes_json(run, demo_path, tmp_path):
    res = run("diagnose", demo_path, "--backend", "python", "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "out" / "diagnosis.json").read_text(encoding="utf-8"))
    assert data["format"] == "greendiag-diagnosis/1" and len(data["baseline"]) == 8
    assert "优秀" in res.output or "良好" in res.output


def test_diagnose_bad_date(run, demo_path):
    res = run("diagnose", demo_path, "--as-of", "2025-13-01")
    assert res.exit_code == 2


def test_catalogue_commands(run, tmp_path):
    res = run("catalogue", "list")
    assert res.exit_code == 0 and res.output.count("\n") >= 32
    res = run("catalogue", "show", "2")
    assert res.exit_code == 0 and json.loads(res.output)["id"] == "renewable_energy_share"
    assert run("catalogue", "show", "nope").exit_code == 2
    assert run("catalogue", "validate").exit_code == 0
    bad = tmp_path / "o.yaml"
    bad.write_text("overlay: {id: x}\n", encoding="utf-8")
    assert run("catalogue", "validate", bad).exit_code == 2


def test_rules_test_command(run, tmp_path):
    res = run("rules", "test")
    assert res.exit_code == 0 and " 0 failed" in res.output
    f = tmp_path / "r.yaml"
    f.write_text("""
rules:
  - id: extra.indicator.high_score
    kind: anomaly
    fact: indicator
    when: [{field: score, op: ">", value: 110}]
    severity: info
    subject: indicator
    message_zh: "得分高"
    message_en: "high score"
    source: {doc: bj-guide-2024, clause: "附件2-1-2 注1"}
    tests:
      - {fact: {score: 115}, fires: false}
      - {fact: {score: 100}, fires: false}
""", encoding="utf-8")
    res = run("rules", "test", f, "--backend", "durable")
    assert res.exit_code == 1 and "FAIL" in res.output and "extra.indicator.high_score" in res.output


def test_diagnose_writes_the_report_pack_and_report_rerenders(run, demo_path, tmp_path):
    out = tmp_path / "pack"
    res = run("diagnose", demo_path, "--out", out)
    assert res.exit_code == 0, res.output
    for name in ("diagnosis.json", "report.docx", "report.md", "report.html", "form-2-2-confidentiality.docx"):
        assert (out / name).stat().st_size > 0, name
    md = tmp_path / "again.md"
    res = run("report", out / "diagnosis.json", "--format", "md", "--out", md)
    assert res.exit_code == 0, res.output
    assert "北京京南绿谷科技产业园" in md.read_text(encoding="utf-8")
    res = run("report", out / "diagnosis.json", "--format", "docx", "--out", tmp_path / "r.docx")
    assert res.exit_code == 0 and (tmp_path / "r.docx").stat().st_size > 10_000


def test_report_refuses_a_json_that_is_not_a_diagnosis(run, tmp_path):
    f = tmp_path / "x.json"
    f.write_text('{"a": 1}', encoding="utf-8")
    res = run("report", f, "--format", "md", "--out", tmp_path / "x.md")
    assert res.exit_code == 2 and "not-a-diagnosis" in res.output
    assert not (tmp_path / "x.md").exists()


def test_template_command_writes_a_workbook_that_validate_reads(run, tmp_path):
    import openpyxl

    out = tmp_path / "park.xlsx"
    res = run("template", out, "--year", "2025")
    assert res.exit_code == 0, res.output
    assert "已生成数据采集模板" in res.output and str(out) in res.output
    wb = openpyxl.load_workbook(out)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == ["园区信息", "基本要求", "指标数据", "原始统计数据", "分品种能源", "工作组", "改进项目", "示范性工作"]
    # an unfilled template is not yet a dataset: exit 2, and the message names the sheet and cell
    res = run("--lang", "en", "validate", out)
    assert res.exit_code == 2 and "园区信息!D" in res.output and "required" in res.output
    res = run("template", tmp_path / "park.xls")
    assert res.exit_code == 2 and "bad-extension" in res.output and not (tmp_path / "park.xls").exists()
    res = run("template", tmp_path / "o.xlsx", "--overlay", tmp_path / "missing-overlay.yaml")
    assert res.exit_code == 2 and not (tmp_path / "o.xlsx").exists()


def test_rules_test_accepts_the_shipped_rule_files(run, root):
    files = sorted((root / "rules").glob("*.yaml"))
    res = run("--lang", "en", "rules", "test", *files, "--backend", "python")
    assert res.exit_code == 0, res.output
    assert res.output.count("part of the built-in rule base") == len(files) and " 0 failed" in res.output


def test_rules_test_example_rule_file_needs_its_overlay(run, root):
    rules = root / "examples" / "rules" / "water-cascade-rules.yaml"
    overlay = root / "examples" / "overlays" / "water-cascade.yaml"
    res = run("rules", "test", rules, "--overlay", overlay)
    assert res.exit_code == 0, res.output
    res = run("--lang", "en", "rules", "test", rules)
    assert res.exit_code == 2
    assert "unknown-indicator" in res.output and "--overlay" in res.output


def test_a_manifest_given_as_a_rule_file_is_named_as_such(run, root, tmp_path):
    manifest = tmp_path / "rulebase.yaml"
    manifest.write_text((root / "rules" / "rulebase.yaml").read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    res = run("--lang", "en", "rules", "test", manifest)
    assert res.exit_code == 2 and "not-a-rule-file" in res.output and "rule-base manifest" in res.output


def test_output_under_a_file_is_a_clear_error(run, demo_path, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    res = run("--lang", "en", "diagnose", demo_path, "--backend", "python", "--out", blocker / "pack")
    assert res.exit_code == 2 and "cannot-write" in res.output and "fix:" in res.output
    assert "internal error" not in res.output


def test_a_pack_that_cannot_be_written_leaves_the_folder_as_it_was(run, demo_path, tmp_path):
    """A file `charts` where the pack needs a folder: exit 2 naming it, and no diagnosis.json or report written."""
    out = tmp_path / "pack"
    out.mkdir()
    (out / "charts").write_text("x", encoding="utf-8")
    res = run("--lang", "en", "diagnose", demo_path, "--backend", "python", "--out", out)
    assert res.exit_code == 2 and "cannot-write" in res.output and "is a file, not a folder" in res.output
    assert str(out / "charts") in res.output and "fix:" in res.output
    assert os.listdir(out) == ["charts"]
    (out / "charts").unlink()
    (out / "report.md").mkdir()
    res = run("diagnose", demo_path, "--backend", "python", "--out", out)
    assert res.exit_code == 2 and "report.md" in res.output and "文件夹" in res.output and ".tmp" not in res.output
    assert os.listdir(out) == ["report.md"] and os.listdir(out / "report.md") == []


def test_report_under_a_file_or_in_the_wrong_format_is_refused(run, demo_path, tmp_path):
    out = tmp_path / "pack"
    assert run("diagnose", demo_path, "--backend", "python", "--out", out).exit_code == 0
    diag = out / "diagnosis.json"
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    res = run("--lang", "en", "report", diag, "--out", tmp_path / "afile" / "x.docx")
    assert res.exit_code == 2 and "cannot-write" in res.output and f"{tmp_path / 'afile'} on the path is a file" in res.output
    assert "File exists" not in res.output and "Not a directory" not in res.output
    res = run("--lang", "en", "report", diag, "--format", "docx", "--out", tmp_path / "r.md")
    assert res.exit_code == 2 and "format-extension-mismatch" in res.output and "fix:" in res.output
    assert not (tmp_path / "r.md").exists()
    res = run("report", diag, "--out", tmp_path / "r.md")  # no --format: the extension decides
    assert res.exit_code == 0 and (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# ")
    res = run("report", diag, "--out", tmp_path / "r.txt")
    assert res.exit_code == 2 and "unknown-format" in res.output and not (tmp_path / "r.txt").exists()


def test_catalogue_show_suggests_the_id_meant(run):
    res = run("--lang", "en", "catalogue", "show", "energy_productivty")
    assert res.exit_code == 2 and "did you mean: energy_productivity" in res.output


def test_closed_pipe_keeps_the_pack_and_is_not_an_internal_error(demo_path, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "pack"
    proc = subprocess.Popen([sys.executable, "-m", "greendiag.cli", "--lang", "en", "diagnose", str(demo_path),
                             "--backend", "python", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()  # like `| head -c 10`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 141)  # 0 when the whole summary fitted in the pipe before it closed
    assert "internal error" not in err and "Traceback" not in err
    assert (out / "diagnosis.json").exists() and (out / "report.docx").exists()


def test_a_reader_that_went_away_is_exit_141_not_bad_input(demo_path):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "greendiag.cli", "validate", str(demo_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # gone before the first line is written (the import alone takes longer)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and "Traceback" not in err  # as a Unix tool: not 2, "bad input"


def test_ctrl_c_exits_130_with_a_word_not_a_traceback(run, demo_path, monkeypatch):
    import greendiag.dataset as dataset

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(dataset, "load_dataset", interrupted)
    res = run("validate", demo_path)
    assert res.exit_code == 130 and "已中断" in res.output and "Traceback" not in res.output
    res = run("--lang", "en", "validate", demo_path)
    assert res.exit_code == 130 and "interrupted" in res.output


def test_report_language_choice_reaches_the_pack_and_report(run, demo_path, tmp_path, monkeypatch):
    import greendiag.reports as reports

    monkeypatch.setattr(reports, "chart_font_warning", lambda: None)  # the font is the machine's business here
    res = run("diagnose", demo_path, "--backend", "python", "--out", tmp_path / "zh")
    assert res.exit_code == 0, res.output
    res = run("diagnose", demo_path, "--backend", "python", "--report-lang", "bilingual", "--out", tmp_path / "bi")
    assert res.exit_code == 0, res.output
    zh, bi = ((tmp_path / d / "report.md").read_text(encoding="utf-8") for d in ("zh", "bi"))
    assert "(Basic information)" in bi and "(Basic information)" not in zh
    res = run("report", tmp_path / "zh" / "diagnosis.json", "--format", "md", "--report-lang", "bilingual",
              "--out", tmp_path / "again.md")
    again = (tmp_path / "again.md").read_text(encoding="utf-8")
    assert res.exit_code == 0 and "(Basic information)" in again
    # a Markdown file on its own has no chart files beside it: the same report without the figure lines
    def text_lines(md: str) -> list[str]:
        return [l for l in md.split("\n") if l.strip() and "charts/" not in l and not l.startswith("*图")]

    assert text_lines(again) == text_lines(bi)


def test_missing_chinese_font_is_one_warning_line(run, demo_path, tmp_path, monkeypatch):
    import greendiag.reports as reports
    from greendiag.errors import Problem

    monkeypatch.setattr(reports, "chart_font_warning", lambda: Problem("no-cjk-font", "未找到中文字体", "no CJK font"))
    res = run("--lang", "en", "diagnose", demo_path, "--backend", "python", "--out", tmp_path / "p")
    assert res.exit_code == 0
    assert sum("no-cjk-font" in line for line in res.output.splitlines()) == 1


def test_chinese_summary_reads_as_chinese(run, demo_path):
    res = run("diagnose", demo_path, "--backend", "python")
    assert res.exit_code == 0
    assert "[严重] 基础性要求第4项不符合" in res.output  # the demo park's requirement 4 is not met
    assert "可选指标未填报 10、28" in res.output  # the demo leaves out optional indicators 10 and 28
    assert "[critical]" not in res.output and "[10, 28]" not in res.output


def test_report_diagnoses_a_dataset_with_overlay_rules_backend_and_date(run, demo_path, tmp_path):
    """`report DATASET` takes the diagnose options: its report equals the one rendered from the diagnosis.json that
    `diagnose --out` writes with the same options."""
    root = demo_path.parent
    overlay, rules = root / "overlays" / "water-cascade.yaml", root / "rules" / "water-cascade-rules.yaml"
    opts = ["--overlay", overlay, "--rules", rules, "--backend", "python", "--as-of", "2026-05-01"]
    res = run("report", demo_path, "--out", tmp_path / "r.md", *opts)
    assert res.exit_code == 0, res.output
    assert run("diagnose", demo_path, "--out", tmp_path / "pack", *opts).exit_code == 0
    assert run("report", tmp_path / "pack" / "diagnosis.json", "--out", tmp_path / "saved.md").exit_code == 0
    got = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert got == (tmp_path / "saved.md").read_text(encoding="utf-8")
    assert "水梯级利用率" in got  # the overlay's indicator 32
    plain = run("report", demo_path, "--out", tmp_path / "plain.md")
    assert plain.exit_code == 0 and "水梯级利用率" not in (tmp_path / "plain.md").read_text(encoding="utf-8")


def test_report_refuses_diagnose_options_for_a_saved_diagnosis(run, demo_path, tmp_path):
    out = tmp_path / "pack"
    assert run("diagnose", demo_path, "--backend", "python", "--out", out).exit_code == 0
    res = run("--lang", "en", "report", out / "diagnosis.json", "--out", tmp_path / "r.md", "--overlay", "x.yaml", "--as-of", "2026-05-01")
    assert res.exit_code == 2 and "option-needs-dataset" in res.output and "--overlay, --as-of" in res.output
    assert not (tmp_path / "r.md").exists()


def test_a_file_name_that_is_not_utf8_gets_its_pack(run, demo_path, tmp_path):
    """GBK names unzipped from a Windows archive: the pack is written, diagnosis.json names the bytes as \\xNN."""
    name = os.fsdecode(b"park\xb2\xe2.yaml")  # 测 in GBK
    try:
        (tmp_path / name).write_bytes(demo_path.read_bytes())
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system does not take names that are not UTF-8")
    res = run("diagnose", tmp_path / name, "--backend", "python", "--out", tmp_path / "pack")
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "pack" / "diagnosis.json").read_text(encoding="utf-8"))
    assert data["source"] == "park\\xb2\\xe2.yaml"


def test_template_does_not_overwrite_a_workbook_without_force(run, tmp_path):
    out = tmp_path / "park.xlsx"
    out.write_bytes(b"the park's filled workbook")
    res = run("--lang", "en", "template", out, "--year", "2025")
    assert res.exit_code == 2 and "file-exists" in res.output and "--force" in res.output
    assert out.read_bytes() == b"the park's filled workbook"
    res = run("template", out, "--year", "2025", "--force")
    assert res.exit_code == 0 and out.read_bytes()[:2] == b"PK"


def test_report_does_not_write_over_its_input(run, demo_path, tmp_path):
    data = tmp_path / "park.json"
    data.write_text(json.dumps(__import__("yaml").safe_load(demo_path.read_text(encoding="utf-8")), ensure_ascii=False, default=str), encoding="utf-8")
    before = data.read_bytes()
    res = run("report", data, "--format", "json")  # no --out: park.json next to the input, i.e. the input itself
    assert res.exit_code == 2 and "output-is-input" in res.output
    assert data.read_bytes() == before


@pytest.mark.parametrize("content, kind", [({"format": "greendiag-dataset/1", "park": {"name": "另一园区"}}, "园区数据文件"),
                                           ({"overlay": {"id": "x"}, "indicators": []}, "扩展目录"),
                                           ({"rules": []}, "规则文件")])
def test_a_json_report_does_not_replace_another_parks_data(run, demo_path, tmp_path, content, kind):
    other = tmp_path / "other.json"
    other.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    before = other.read_bytes()
    res = run("report", demo_path, "--backend", "python", "--out", other)
    assert res.exit_code == 2 and "output-is-input" in res.output and kind in res.output
    assert other.read_bytes() == before
    unrelated = tmp_path / "old-report.json"
    unrelated.write_text('{"anything": 1}', encoding="utf-8")  # an earlier report or other JSON: replaced as asked
    assert run("report", demo_path, "--backend", "python", "--out", unrelated).exit_code == 0
    assert json.loads(unrelated.read_text(encoding="utf-8"))["format"] == "greendiag-diagnosis/1"


def test_a_batch_whose_output_folder_cannot_exist_stops_before_diagnosing(run, demo_path, tmp_path, monkeypatch):
    import greendiag.batch as batch

    def never(*args, **kwargs):
        raise AssertionError("no park may be diagnosed")

    monkeypatch.setattr(batch, "diagnose_many", never)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    res = run("diagnose", demo_path, demo_path.with_suffix(".xlsx"), "--out", tmp_path / "afile" / "sub", "--workers", "1")
    assert res.exit_code == 2 and "cannot-write" in res.output and res.output.count("cannot-write") == 1


@pytest.mark.parametrize("option", ["--out", "--as-of"])
def test_an_empty_output_folder_or_date_is_refused(run, demo_path, option):
    res = run("diagnose", demo_path, option, "")
    assert res.exit_code == 2 and option in res.output and "不能为空" in res.output


# ------------------------------------------------------------------ click's own messages


def test_usage_errors_are_in_chinese_and_english_with_lang_en(run, demo_path):
    res = run("report", demo_path, "--backend", "x")
    assert res.exit_code == 2 and "错误:'--backend' 的取值无效:'x' 不是可选值之一" in res.output and "查看帮助" in res.output
    assert "Invalid value" not in res.output and "Usage" not in res.output
    res = run("diagnose", demo_path, "--wrokers", "2")
    assert res.exit_code == 2 and "没有选项 '--wrokers'" in res.output and "'--workers'" in res.output
    res = run("diagnose", demo_path, "--out", demo_path)
    assert res.exit_code == 2 and "是文件,此处需要文件夹" in res.output and "Directory" not in res.output
    res = run("--lang", "en", "report", demo_path, "--backend", "x")
    assert res.exit_code == 2 and "Invalid value for '--backend'" in res.output and "错误" not in res.output
    assert "用法:" in run("--help").output and "显示本帮助并退出" in run("--help").output


def test_click_is_left_as_it_was_after_the_command(run):
    import gettext

    import click.exceptions

    run("nope")
    assert click.exceptions._ is gettext.gettext
    assert click.UsageError("x").format_message() == "x" and "Error: " in _shown(click.UsageError("x"))


def _shown(exc) -> str:
    import io

    buf = io.StringIO()
    exc.show(buf)
    return buf.getvalue()


def test_every_translated_click_message_is_still_one_of_clicks():
    """A message click renamed would silently fall back to English: its msgid must be in click's source."""
    import click

    from greendiag._click_zh import ZH

    source = "".join(p.read_text(encoding="utf-8") for p in pathlib.Path(click.__file__).parent.glob("*.py"))
    assert [k for k in ZH if k not in source and k.replace("\n", "\\n").replace("\t", "\\t") not in source] == []
