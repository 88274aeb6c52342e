"""The command line on awkward inputs: folders with nothing to read at top level, files with the same name or given
twice, "-" and empty paths, and huge values in tables and finding messages."""

from __future__ import annotations

import math

import os
import re

import pytest


# ---------------------------------------------------------------- folders with nothing to diagnose at top level

def test_a_dataset_only_in_a_sub_folder_is_named_with_the_fix(run, demo_path, tmp_path):
    sub = tmp_path / "nested" / "sub"
    sub.mkdir(parents=True)
    (sub / "demo-park.yaml").write_bytes(demo_path.read_bytes())
    folder = tmp_path / "nested"
    res = run("diagnose", folder)
    assert res.exit_code == 2
    assert "[empty-folder]" in res.stderr and "子文件夹不查找" in res.stderr
    assert os.path.join(str(folder), "sub", "demo-park.yaml") in res.stderr
    assert f"greendiag diagnose {os.path.join(str(folder), 'sub')}" in res.stderr  # the fix says what to type
    res_en = run("--lang", "en", "diagnose", folder)
    assert res_en.exit_code == 2 and "sub-folders are not searched" in res_en.stderr


def test_only_an_excel_lock_file_says_so(run, tmp_path):
    folder = tmp_path / "lockd"
    folder.mkdir()
    (folder / "~$park.xlsx").write_bytes(b"\x0bowner name" + b"\x00" * 150)  # what Excel leaves while a workbook is open
    res = run("diagnose", folder)
    assert res.exit_code == 2 and "[empty-folder]" in res.stderr
    assert "~$park.xlsx" in res.stderr and "锁定文件" in res.stderr and "关闭工作簿" in res.stderr
    res_en = run("--lang", "en", "diagnose", folder)
    assert "lock file" in res_en.stderr and "close Excel" in res_en.stderr


def test_a_really_empty_folder_keeps_the_plain_message(run, tmp_path):
    res = run("diagnose", tmp_path)
    assert res.exit_code == 2 and "[empty-folder]" in res.stderr
    assert "子文件夹" not in res.stderr and "锁定文件" not in res.stderr and "放入该文件夹" in res.stderr


# ---------------------------------------------------------------- rows that can be told apart; a file given twice

def test_files_with_the_same_name_are_shown_from_their_common_folder(run, demo_path, tmp_path):
    for twin in ("twin1", "twin2"):
        (tmp_path / twin).mkdir()
        (tmp_path / twin / "park.yaml").write_bytes(demo_path.read_bytes())
    res = run("diagnose", tmp_path / "twin1", tmp_path / "twin2", demo_path, "--backend", "python", "--workers", 1,
              "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    rows = [line.split(" | ")[0] for line in res.stdout.splitlines() if " | " in line][1:]
    assert rows == [os.path.join("twin1", "park.yaml"), os.path.join("twin2", "park.yaml"), "demo-park.yaml"]
    assert "同一文件" not in res.stderr  # two files with one name are not one file


def test_failed_rows_with_the_same_name_are_told_apart_too(run, tmp_path):
    res = run("diagnose", tmp_path / "a" / "x" / "park.yaml", tmp_path / "b" / "park.yaml")  # both missing
    assert res.exit_code == 2
    rows = [line.split(" | ")[0] for line in res.stdout.splitlines() if "file-not-found" in line]
    assert rows == [os.path.join("a", "x", "park.yaml"), os.path.join("b", "park.yaml")]


def test_the_same_file_given_twice_gets_one_note(run, demo_path):
    res = run("diagnose", demo_path, demo_path, "--backend", "python", "--workers", 1)
    assert res.exit_code == 0, res.output
    notes = [line for line in res.stderr.splitlines() if "同一文件" in line]
    assert notes == [f"提示:同一文件给出了 2 次,每次都会诊断:{demo_path}"]
    res_en = run("--lang", "en", "diagnose", demo_path, demo_path, "--backend", "python", "--workers", 1)
    assert f"note: the same file was given 2 times and is diagnosed each time: {demo_path}" in res_en.stderr


# ---------------------------------------------------------------- "-" and empty paths

@pytest.mark.parametrize("args", [("validate",), ("diagnose",), ("report",), ("template", "{tmp}/t.xlsx", "--from")])
def test_standard_input_is_refused_with_a_reason(run, tmp_path, args):
    res = run(*[a.format(tmp=tmp_path) for a in args], "-")
    assert res.exit_code == 2 and "[bad-path]" in res.stderr and "标准输入" in res.stderr and "file-not-found" not in res.stderr
    res_en = run("--lang", "en", *[a.format(tmp=tmp_path) for a in args], "-")
    assert "standard input (-) is not supported" in res_en.stderr
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("args", [("validate",), ("diagnose",), ("report",), ("template", "{tmp}/t.xlsx", "--from")])
def test_an_empty_path_is_named_as_such(run, tmp_path, args):
    res = run(*[a.format(tmp=tmp_path) for a in args], "")
    assert res.exit_code == 2 and "[bad-path]" in res.stderr and "路径为空" in res.stderr
    assert "the path is empty" in run("--lang", "en", *[a.format(tmp=tmp_path) for a in args], "").stderr
    assert not (tmp_path / "t.xlsx").exists()  # --from "" is not silently taken as no --from


# ---------------------------------------------------------------- huge values stay short

@pytest.fixture
def huge_park(demo_path, tmp_path):
    text = demo_path.read_text(encoding="utf-8")
    old = "industrial_value_added: {value: 2230000,"
    assert text.count(old) == 1
    path = tmp_path / "huge.yaml"
    path.write_text(text.replace(old, "industrial_value_added: {value: 1e300,"), encoding="utf-8")
    return path


def test_huge_values_in_the_indicator_table_are_in_scientific_notation(run, huge_park):
    res = run("validate", huge_park)
    assert res.exit_code == 0, res.output
    assert not re.search(r"\d[\d,]{20}", res.stdout)
    energy = next(line for line in res.stdout.splitlines() if line.startswith("1\t"))
    assert re.fullmatch(r"\d\.\d{3}e\+294\*", energy.split("\t")[-1]), energy


def test_huge_changes_in_finding_messages_are_short(run, huge_park):
    res = run("diagnose", huge_park, "--backend", "python")
    assert res.exit_code == 0, res.output
    assert not re.search(r"\d{20}", res.stdout)
    assert re.search(r"“1 能源产出率”较上年变化\+\d\.\d{3}e\+\d{3}%", res.stdout), res.stdout


def test_render_writes_huge_fixed_point_fields_with_four_digits_and_leaves_the_rest_alone():
    from greendiag.rulebook import render

    assert render("{x:+.1f} %", {"x": 4.7735951991e301}) == "+4.774e+301 %"
    assert render("{x:.0f}|{x:,.2f}|{x:>12.1f}|{x}", {"x": 2.5e15}) == "2.5e+15|2.5e+15|     2.5e+15|2.5e+15"
    assert render("{n}|{n:,d}", {"n": 10 ** 400}) == "1.000e+400|1.000e+400"
    for x in (0.0, -3.26, 95.06, 2230000.0, 999999999999.4, 12, 10 ** 11):  # below 1e12 and no tie: as format() gives it
        for spec in ("+.1f", ".0f", ".1f", ".3g", ".4g", ""):
            got = render("{x:" + spec + "}" if spec else "{x}", {"x": x})
            if spec.endswith("g"):  # .g fields in plain notation (2230000, not 2.23e+06); the integer part is never cut
                digits = int(spec[1:-1])
                assert "e" not in got and abs(float(got) - x) <= (0.5 * 10 ** (math.floor(math.log10(abs(x))) - digits + 1) if x else 0)
            else:
                assert got == format(x, spec)
    assert render("{x:.1f}|{x:+.2g}", {"x": -3.25}) == "-3.3|-3.3"  # a tie is rounded half up (四舍五入), not to even
    assert render("{x:.4g}", {"x": 1e300}) == "1e+300" and render("{x:.1f}", {"x": True}) == "1.0"
