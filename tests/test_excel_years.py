"""A catalogue that scores another number of years than the guide's three (scoring.years.count): its workbook has
that many year columns, reads back to the dataset its YAML gives, and is diagnosed for those years.

Cells are found as a person would find them: rows by the key in the hidden column A, year columns by the year
their header shows (the value stored for previewers that do not recalculate). Expected datasets come from the
demo park's YAML read by the YAML loader, never from the workbook code.
"""

from __future__ import annotations

import pathlib
import re

import attrs
import openpyxl
import pytest

import greendiag
from greendiag.errors import DatasetError
from greendiag.excel import write_template
from greendiag.yamlio import read_document

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIAGNOSIS_YEAR = 2025


def scoring_years(cat, count: int):
    """The catalogue with scoring.years.count set to `count` (an overlay cannot change the scoring)."""
    return attrs.evolve(cat, scoring=attrs.evolve(cat.scoring, years=count))


@pytest.fixture(scope="module")
def demo_raw():
    return read_document(ROOT / "examples" / "demo-park.yaml").data


def keyed_row(ws, key: str) -> int:
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]
    return row


def year_columns(path, sheet: str) -> tuple[dict[int, int], dict[int, int]]:
    """({year: value column}, {year: evidence column}) of a sheet, read from the year headers in row 3."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    (evidence_start,) = [c for c in range(2, ws.max_column + 1) if str(ws.cell(2, c).value or "").startswith("证明材料索引")]
    values, evidence = {}, {}
    for c in range(2, ws.max_column + 1):
        m = re.match(r"(\d{4})年", str(ws.cell(3, c).value or ""))
        if m:
            (evidence if c >= evidence_start else values)[int(m.group(1))] = c
    return values, evidence


def fill(path, raw: dict) -> dict:
    """Type the park name and the demo's indicator and statistics values into every year column the workbook has;
    returns the dataset dict of what was typed, for the YAML loader."""
    ind_cols, ind_evidence = year_columns(path, "指标数据")
    stat_cols, stat_evidence = year_columns(path, "原始统计数据")
    wb = openpyxl.load_workbook(path)
    park, ind, stats = wb["园区信息"], wb["指标数据"], wb["原始统计数据"]
    park.cell(keyed_row(park, "park.name"), 4).value = raw["park"]["name"]
    typed = {"format": "greendiag-dataset/1", "park": {"name": raw["park"]["name"]}, "diagnosis_year": DIAGNOSIS_YEAR, "years": []}
    for block in raw["years"]:
        y = block["year"]
        out = {"year": y}
        if y in ind_cols and block.get("indicators"):
            out["indicators"] = block["indicators"]
            for iid, item in block["indicators"].items():
                ind.cell(keyed_row(ind, f"ind:{iid}"), ind_cols[y]).value = item["value"]
                ind.cell(keyed_row(ind, f"ind:{iid}"), ind_evidence[y]).value = item["evidence"]
        if y in stat_cols and block.get("statistics"):
            out["statistics"] = block["statistics"]
            for sid, item in block["statistics"].items():
                stats.cell(keyed_row(stats, f"stat:{sid}"), stat_cols[y]).value = item["value"]
                stats.cell(keyed_row(stats, f"stat:{sid}"), stat_evidence[y]).value = item["evidence"]
        if len(out) > 1:
            typed["years"].append(out)
    wb.save(path)
    return typed


@pytest.mark.parametrize("count", [2, 4])
def test_a_workbook_for_another_year_count_reads_back_and_diagnoses(tmp_path, catalogue, demo_raw, count):
    cat = scoring_years(catalogue, count)
    path = tmp_path / f"park-{count}.xlsx"
    write_template(path, cat, diagnosis_year=DIAGNOSIS_YEAR)
    scored = list(range(DIAGNOSIS_YEAR - count, DIAGNOSIS_YEAR))
    base = DIAGNOSIS_YEAR - count - 1
    ind_cols, ind_evidence = year_columns(path, "指标数据")
    stat_cols, stat_evidence = year_columns(path, "原始统计数据")
    assert list(ind_cols) == list(ind_evidence) == scored
    assert list(stat_cols) == list(stat_evidence) == [base] + scored
    wb = openpyxl.load_workbook(path, data_only=True)
    words = {2: "两", 4: "四"}[count]
    assert f"诊断年份前{words}年" in wb["指标数据"]["B1"].value
    park = wb["园区信息"]
    assert park.cell(keyed_row(park, "diagnosis_year"), 5).value.startswith(f"指标数据取其前{words}年 / ")
    assert wb["原始统计数据"].cell(3, stat_cols[base]).value == f"{base}年(基准年)"

    typed = fill(path, demo_raw)
    got = greendiag.load_dataset(path, catalogue=cat)
    expected = greendiag.dataset_from_dict(typed, catalogue=cat, source=str(path))
    assert got == expected
    assert got.years == tuple(scored)
    diagnosis = greendiag.diagnose(got, catalogue=cat, backend="python").to_dict()
    assert [t["year"] for t in diagnosis["total_scores"]] == scored
    assert diagnosis["years"] == scored


def test_the_base_year_column_feeds_the_first_scored_year(tmp_path, catalogue, demo_raw):
    """With two scored years (2023–2024) the base year is 2022: its statistics derive the year-over-year
    indicators of 2023, as the same statistics do in a YAML file."""
    cat = scoring_years(catalogue, 2)
    yoy = [i for i in cat.indicators if i.definition is not None and i.definition.formula != "ratio"]
    assert yoy
    path = tmp_path / "park.xlsx"
    write_template(path, cat, diagnosis_year=DIAGNOSIS_YEAR)
    fill(path, demo_raw)
    got = greendiag.load_dataset(path, catalogue=cat)
    base_on = {**demo_raw, "years": [b for b in demo_raw["years"] if b["year"] >= 2022]}  # 2021 is before this base year
    yaml_ds = greendiag.dataset_from_dict(base_on, catalogue=cat)
    derived = [i.id for i in yoy if got.value(i.id, 2023) is not None and got.value(i.id, 2023).derived is not None]
    assert derived
    for iid in derived:
        assert got.value(iid, 2023).derived == yaml_ds.value(iid, 2023).derived


@pytest.mark.parametrize(("made_with", "read_with"), [(4, 3), (3, 2)])
def test_a_workbook_read_with_another_year_count_is_refused(tmp_path, catalogue, made_with, read_with):
    path = tmp_path / "park.xlsx"
    write_template(path, scoring_years(catalogue, made_with), diagnosis_year=DIAGNOSIS_YEAR)
    ws = openpyxl.load_workbook(path)["指标数据"]
    (evidence_col,) = [c for c in range(2, ws.max_column + 1) if str(ws.cell(2, c).value or "").startswith("证明材料索引")]
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=scoring_years(catalogue, read_with))
    (p,) = exc.value.problems
    assert p.code == "year-columns-mismatch"
    assert p.location == f"指标数据!{openpyxl.utils.get_column_letter(evidence_col)}2"
    assert f"有 {made_with} 个年份列" in p.message_zh and f"评分 {read_with} 年" in p.message_zh
    assert p.fix_zh and p.fix_en


def test_without_a_year_four_columns_are_named_by_position(tmp_path, catalogue):
    """No year anywhere: the builder's problems name the columns (第4年, 基准年), at their cells, never the stand-in year."""
    cat = scoring_years(catalogue, 4)
    path = tmp_path / "park.xlsx"
    write_template(path, cat)
    wb = openpyxl.load_workbook(path)
    park, ind, stats = wb["园区信息"], wb["指标数据"], wb["原始统计数据"]
    park.cell(keyed_row(park, "park.name"), 4).value = "某园区"
    # without a year the headers show 第1年…第4年 and 基准年: find the columns by them
    cached = openpyxl.load_workbook(path, data_only=True)
    ind_heads, stat_heads = {}, {}  # header text → its first column: the value column (evidence columns follow)
    for heads, ws in ((ind_heads, cached["指标数据"]), (stat_heads, cached["原始统计数据"])):
        for c in range(2, ws.max_column + 1):
            heads.setdefault(ws.cell(3, c).value, c)
    share = ind.cell(keyed_row(ind, "ind:renewable_energy_share"), ind_heads["第4年"])
    share.value = 120
    employees = stats.cell(keyed_row(stats, "stat:employees"), stat_heads["基准年"])
    employees.value = -5
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=cat)
    found = {p.location: p for p in exc.value.problems}
    over = found[f"指标数据!{share.coordinate}"]
    assert over.code == "share-over-100" and over.message_zh.startswith("第4年 2 ") and over.message_en.startswith("year 4 indicator 2 ")
    negative = found[f"原始统计数据!{employees.coordinate}"]
    assert negative.code == "negative-value" and negative.message_zh.startswith("基准年 ") and negative.message_en.startswith("base year ")
    assert not any("2100" in p.message_zh or "209" in p.message_zh for p in exc.value.problems)
