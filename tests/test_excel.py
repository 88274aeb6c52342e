"""The Excel workbook: generated from the catalogue, filled like a park would, read back cell-precisely.

Cells are found the way a person or another program would find them: rows by the key in the hidden
column A, columns by their header text. Expected values come from examples/demo-park.yaml read by the
YAML loader, never from the workbook code.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import zipfile

import attrs
import openpyxl
import pytest

import greendiag
from greendiag.errors import DatasetError, InputFileError, ReportError
from greendiag.excel import read_workbook, write_template
from greendiag.yamlio import read_document

ROOT = pathlib.Path(__file__).resolve().parent.parent
OVERLAY = ROOT / "examples" / "overlays" / "water-cascade.yaml"
SHEETS = ["园区信息", "基本要求", "指标数据", "原始统计数据", "分品种能源", "工作组", "改进项目", "示范性工作"]


# ------------------------------------------------------------------ finding cells like a user would


def keyed_rows(ws) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for row in range(1, ws.max_row + 1):
        key = ws.cell(row, 1).value
        if key:
            out.setdefault(key, []).append(row)
    return out


def row_of(ws, key: str) -> int:
    rows = keyed_rows(ws)[key]
    assert len(rows) == 1, key
    return rows[0]


def header_col(ws, text: str, header_rows=range(1, 40)) -> tuple[int, int]:
    """(row, column) of the first header cell whose text starts with `text`."""
    for r in header_rows:
        for c in range(2, ws.max_column + 1):
            v = ws.cell(r, c).value
            if isinstance(v, str) and v.startswith(text):
                return r, c
    raise AssertionError(f"no header {text!r} on {ws.title}")


def value_cell(ws, key: str):
    """The input cell of a labelled field (column headed 填写内容)."""
    _, col = header_col(ws, "填写内容")
    return ws.cell(row_of(ws, key), col)


def ref(cell) -> str:
    return f"{cell.parent.title}!{cell.coordinate}"


def indicator_cell(ws, indicator_id: str, year_index: int, evidence: bool = False):
    """year_index 0..2 is the first..third year before the diagnosis year."""
    _, col = header_col(ws, "证明材料索引" if evidence else "指标数据")
    return ws.cell(row_of(ws, f"ind:{indicator_id}"), col + year_index)


def statistic_cell(ws, statistic_id: str, year_index: int, evidence: bool = False):
    """year_index 0 is the base year (diagnosis year − 4), 1..3 the three years."""
    _, col = header_col(ws, "证明材料索引" if evidence else "数值")
    return ws.cell(row_of(ws, f"stat:{statistic_id}"), col + year_index)


def table_cells(ws, key: str, header: str) -> list:
    """The column headed `header` for every row of the table keyed `key`, top to bottom."""
    _, col = header_col(ws, header)
    return [ws.cell(r, col) for r in keyed_rows(ws)[key]]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def demo_raw():
    return read_document(ROOT / "examples" / "demo-park.yaml").data


@pytest.fixture(scope="module")
def blank_2025(tmp_path_factory, catalogue):
    path = tmp_path_factory.mktemp("xl") / "blank.xlsx"
    write_template(path, catalogue, diagnosis_year=2025)
    return path


@pytest.fixture(scope="module")
def prefilled(tmp_path_factory, catalogue, demo_dataset):
    path = tmp_path_factory.mktemp("xl") / "prefilled.xlsx"
    write_template(path, catalogue, dataset=demo_dataset)
    return path


def _iso(text):
    return dt.date.fromisoformat(text) if isinstance(text, str) else text


def fill_from_yaml(wb, raw: dict) -> None:
    """Type the demo park's YAML data into a blank template, as a park's staff would."""
    yes_no = lambda b: "是" if b else "否"
    park = wb["园区信息"]
    value_cell(park, "diagnosis_year").value = raw["diagnosis_year"]
    assert "fictitious" not in keyed_rows(park)  # a blank template does not ask a real park whether it is fictitious
    for key, v in raw["park"].items():
        if isinstance(v, dict):
            for sub, text in v.items():
                value_cell(park, f"park.{key}.{sub}").value = text
        else:
            value_cell(park, f"park.{key}").value = v
    e = raw["engagement"]
    for key, v in e["provider"].items():
        if isinstance(v, dict):
            for sub, text in v.items():
                value_cell(park, f"engagement.provider.{key}.{sub}").value = text
        else:
            value_cell(park, f"engagement.provider.{key}").value = v
    team = wb["工作组"]
    for key in ("confidentiality_submitted", "work_started", "report_submitted", "report_meeting_date"):
        value_cell(team, f"engagement.{key}").value = _iso(e[key])
    value_cell(team, "engagement.third_party_evaluation").value = yes_no(e["third_party_evaluation"])
    value_cell(team, "engagement.onsite.start").value = _iso(e["onsite"]["start"])
    value_cell(team, "engagement.onsite.end").value = _iso(e["onsite"]["end"])
    value_cell(team, "engagement.scope.full").value = yes_no(e["scope"]["full"])
    value_cell(team, "engagement.scope.description").value = e["scope"]["description"]
    value_cell(team, "engagement.fee_charged").value = yes_no(e["fee_charged"])
    headers = {"name": "姓名", "role": "绿色诊断工作分工", "title": "职称", "speciality": "从事专业", "senior": "高级职称",
               "led_green_projects": "主导过绿色制造", "park_staff": "园区工作人员"}
    columns = {k: table_cells(team, "team", h) for k, h in headers.items()}
    for i, member in enumerate(e["team"]):
        for k, cells in columns.items():
            v = member.get(k, False if k in ("senior", "led_green_projects", "park_staff") else None)
            cells[i].value = yes_no(v) if isinstance(v, bool) else v
    req = wb["基本要求"]
    _, status_col = header_col(req, "是否符合")
    _, evidence_col = header_col(req, "证明材料索引")
    words = {"met": "符合", "not_met": "不符合", "unknown": "未知"}
    for item in raw["baseline"]:
        r = row_of(req, f"req:{item['number']}")
        req.cell(r, status_col).value = words[item["status"]]
        req.cell(r, evidence_col).value = item["evidence"]
    ind, stats = wb["指标数据"], wb["原始统计数据"]
    first = raw["diagnosis_year"] - 3
    for block in raw["years"]:
        k = block["year"] - first
        for iid, item in block.get("indicators", {}).items():
            indicator_cell(ind, iid, k).value = item["value"]
            indicator_cell(ind, iid, k, evidence=True).value = item["evidence"]
        for sid, v in block.get("statistics", {}).items():
            statistic_cell(stats, sid, k + 1).value = v["value"] if isinstance(v, dict) else v
            if isinstance(v, dict) and "evidence" in v:
                statistic_cell(stats, sid, k + 1, evidence=True).value = v["evidence"]
        carriers = wb["分品种能源"]  # a row per year and carrier, keyed carrier:<slot>:<id> (slot 0 the base year)
        for cid, v in block.get("energy_by_carrier", {}).items():
            r = row_of(carriers, f"carrier:{k + 1}:{cid}")
            for head, field in (("计量单位", "unit"), ("消费量", "value"), ("证明材料索引", "evidence")):
                if field in v:
                    carriers.cell(r, header_col(carriers, head)[1]).value = v[field]
    proj = wb["改进项目"]
    headers = {"content": "项目建设内容", "total_investment": "总投资", "fixed_investment": "其中固定资产投资",
               "expected_effect": "预期实施效果", "note": "备注"}
    for k, h in headers.items():
        for i, p in enumerate(raw["projects"]):
            table_cells(proj, "project", h)[i].value = p[k]
    demo = wb["示范性工作"]  # a kind's row by its key; "other" work in the rows demo:other#1, #2…
    headers = {"title_zh": "名称", "title_en": "Title", "status": "核查情况", "description": "情况说明", "evidence": "证明材料索引"}
    others = 0
    for w in raw.get("demonstration_work", []):
        key = f"demo:{w['kind']}" if w["kind"] != "other" else f"demo:other#{(others := others + 1)}"
        for k, h in headers.items():
            if k in w:
                demo.cell(row_of(demo, key), header_col(demo, h)[1]).value = w[k]


def problems_of(exc) -> set[tuple[str, str]]:
    return {(p.code, p.location) for p in exc.value.problems}


# ------------------------------------------------------------------ the template


def test_template_has_the_eight_sheets_protected_labels_and_open_inputs(blank_2025, catalogue):
    wb = openpyxl.load_workbook(blank_2025)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == SHEETS
    assert all(ws.sheet_state == "veryHidden" for ws in wb.worksheets if ws.title not in SHEETS)
    assert wb.security.lockStructure
    for title in SHEETS:
        ws = wb[title]
        assert ws.protection.sheet, title
        assert ws.column_dimensions["A"].hidden, title
        assert ws.freeze_panes, title
    ind = wb["指标数据"]
    keys = [k for k in keyed_rows(ind) if k.startswith("ind:")]
    assert len(keys) == 31 and keys[0] == "ind:energy_productivity" and keys[-1] == "ind:green_information_platform"
    r = row_of(ind, "ind:energy_productivity")
    _, name_col = header_col(ind, "二级指标")
    _, unit_col = header_col(ind, "指标单位")
    assert ind.cell(r, name_col).value == "能源产出率" and ind.cell(r, name_col).protection.locked
    assert ind.cell(r, unit_col).value == "万元/tce" and ind.cell(r, unit_col).protection.locked
    for k in range(3):
        assert not indicator_cell(ind, "energy_productivity", k).protection.locked
        assert not indicator_cell(ind, "energy_productivity", k, evidence=True).protection.locked
    assert ind.cell(row_of(ind, "ind:renewable_energy_share"), unit_col).value == "%"
    req = wb["基本要求"]
    assert len([k for k in keyed_rows(req) if k.startswith("req:")]) == 8
    _, text_col = header_col(req, "基本要求")
    assert req.cell(row_of(req, "req:4"), text_col).value == "园区重点企业100%实施清洁生产审核。"
    assert req.cell(row_of(req, "req:4"), text_col).protection.locked
    park = wb["园区信息"]
    assert value_cell(park, "diagnosis_year").value == 2025
    assert not value_cell(park, "park.name").protection.locked
    stats = wb["原始统计数据"]
    assert len([k for k in keyed_rows(stats) if k.startswith("stat:")]) == len(catalogue.statistics)
    team = wb["工作组"]
    assert len(table_cells(team, "team", "姓名")) >= 5
    assert all(not c.protection.locked for c in table_cells(team, "team", "园区工作人员"))
    proj = wb["改进项目"]
    for h in ("项目建设内容", "总投资(万元)", "其中固定资产投资(万元)", "预期实施效果", "备注"):
        header_col(proj, h)


def _validations(ws) -> list[tuple]:
    return [(dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref)) for dv in ws.data_validations.dataValidation]


def _covering(ws, cell) -> list[tuple]:
    return [v for v, dv in zip(_validations(ws), ws.data_validations.dataValidation) if cell.coordinate in dv.sqref]


def test_data_validations_match_the_catalogue(blank_2025):
    wb = openpyxl.load_workbook(blank_2025)
    ind = wb["指标数据"]
    # 12 污水集中处理设施 is qualitative: 具备 / 不具备 (附件2-1-2)
    assert [v[:3] for v in _covering(ind, indicator_cell(ind, "central_wastewater_treatment", 1))] == [("list", None, '"具备,不具备"')]
    assert [v[:4] for v in _covering(ind, indicator_cell(ind, "green_development_plan", 2))] == [("list", None, '"是,否"', None)]
    # a share lies in 0–100 %
    assert [v[:4] for v in _covering(ind, indicator_cell(ind, "renewable_energy_share", 0))] == [("decimal", "between", "0", "100")]
    assert [v[:3] for v in _covering(ind, indicator_cell(ind, "energy_productivity", 2))] == [("decimal", "greaterThanOrEqual", "0")]
    assert _covering(ind, indicator_cell(ind, "energy_productivity", 0, evidence=True)) == []
    req = wb["基本要求"]
    _, status_col = header_col(req, "是否符合")
    assert [v[:3] for v in _covering(req, req.cell(row_of(req, "req:8"), status_col))] == [("list", None, '"符合,不符合,未知"')]
    park = wb["园区信息"]
    assert [v[:3] for v in _covering(park, value_cell(park, "park.level"))] == [("list", None, '"国家级,市级,其他"')]
    assert [v[:4] for v in _covering(park, value_cell(park, "diagnosis_year"))] == [("whole", "between", "2000", "2100")]
    team = wb["工作组"]
    assert _covering(team, value_cell(team, "engagement.onsite.start"))[0][0] == "date"
    assert [v[:3] for v in _covering(team, table_cells(team, "team", "高级职称")[0])] == [("list", None, '"是,否"')]


def test_year_headers_follow_the_diagnosis_year_cell(blank_2025):
    wb = openpyxl.load_workbook(blank_2025)
    park, ind = wb["园区信息"], wb["指标数据"]
    year_ref = f"'园区信息'!${value_cell(park, 'diagnosis_year').column_letter}${value_cell(park, 'diagnosis_year').row}"
    r, col = header_col(ind, "指标数据")
    formulas = [ind.cell(r + 1, col + k).value for k in range(3)]
    assert all(year_ref in f for f in formulas)
    assert [f"{year_ref}-{n})" in f for f, n in zip(formulas, (3, 2, 1))] == [True] * 3


# ------------------------------------------------------------------ round trips


def test_filled_by_hand_reads_back_equal_to_the_yaml(blank_2025, tmp_path, catalogue, demo_raw, demo_dataset):
    wb = openpyxl.load_workbook(blank_2025)
    fill_from_yaml(wb, demo_raw)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    got = greendiag.load_dataset(path, catalogue=catalogue)
    assert got.fictitious is False and demo_raw["fictitious"] is True  # typed into a blank template: a real park's data
    got = attrs.evolve(got, fictitious=True)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset
    # and the diagnosis is the same, but for the file name
    a = greendiag.diagnose(got, catalogue=catalogue, backend="python").to_dict()
    b = greendiag.diagnose(demo_dataset, catalogue=catalogue, backend="python").to_dict()
    assert a.pop("source") == "filled.xlsx" and b.pop("source") == "demo-park.yaml"
    assert a == b


def test_prefilled_workbook_round_trips_and_keeps_what_the_user_wrote(prefilled, catalogue, demo_dataset):
    got = greendiag.load_dataset(prefilled, catalogue=catalogue)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset
    wb = openpyxl.load_workbook(prefilled)
    ind = wb["指标数据"]
    assert indicator_cell(ind, "energy_productivity", 0).value == "28400 元/tce"  # as typed in the YAML
    assert indicator_cell(ind, "renewable_energy_share", 2).value == 12.6
    assert indicator_cell(ind, "central_wastewater_treatment", 0).value == "具备"
    assert indicator_cell(ind, "water_productivity", 0).value is None  # derived, so left to the statistics
    assert statistic_cell(wb["原始统计数据"], "industrial_value_added", 0).value == 1850000


def test_write_template_refuses_a_year_that_contradicts_the_dataset(tmp_path, catalogue, demo_dataset):
    with pytest.raises(ReportError) as exc:
        write_template(tmp_path / "x.xlsx", catalogue, diagnosis_year=2024, dataset=demo_dataset)
    assert exc.value.codes == ("year-mismatch",)
    with pytest.raises(ReportError) as exc:
        write_template(tmp_path / "x.xls", catalogue)
    assert exc.value.codes == ("bad-extension",)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_file(tmp_path, catalogue, monkeypatch):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"old")

    def boom(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises((OSError, ReportError)):  # fileio may word the OS error as a located ReportError
        write_template(target, catalogue)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


# ------------------------------------------------------------------ values as users type them


def _load_after(prefilled, tmp_path, catalogue, edit):
    wb = openpyxl.load_workbook(prefilled)
    edit(wb)
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return greendiag.load_dataset(path, catalogue=catalogue)


def test_units_percent_cells_and_empty_cells(prefilled, tmp_path, catalogue):
    def edit(wb):
        ind = wb["指标数据"]
        indicator_cell(ind, "energy_productivity", 0).value = "32000 元/tce"
        c = indicator_cell(ind, "solid_waste_utilization", 2)
        c.value, c.number_format = 0.948, "0.0%"  # Excel stores '94.8%' typed into a cell as 0.948
        indicator_cell(ind, "clean_energy_share", 1).value = "７１．５％"  # full-width, from a Chinese IME
        indicator_cell(ind, "green_coverage", 1).value = None  # emptied: missing, not zero
        indicator_cell(ind, "green_coverage", 1, evidence=True).value = None

    ds = _load_after(prefilled, tmp_path, catalogue, edit)
    assert ds.value("energy_productivity", 2022).value == 3.2  # 32000 元/tce = 3.2 万元/tce exactly
    assert ds.value("solid_waste_utilization", 2024).value == 94.8
    assert ds.value("clean_energy_share", 2023).value == 71.5
    assert ds.value("green_coverage", 2023) is None
    assert ds.value("green_coverage", 2024).value == 40.5


def test_malformed_workbook_reports_every_problem_with_its_cell(prefilled, tmp_path, catalogue):
    wb = openpyxl.load_workbook(prefilled)
    ind, req, park, team, proj = wb["指标数据"], wb["基本要求"], wb["园区信息"], wb["工作组"], wb["改进项目"]
    bad = {
        ("not-a-number", indicator_cell(ind, "renewable_energy_share", 0)): "abc",
        ("share-over-100", indicator_cell(ind, "clean_energy_share", 1)): 120,
        ("wrong-dimension", indicator_cell(ind, "reclaimed_water_reuse", 2)): "30 元/tce",
        ("unknown-level", indicator_cell(ind, "green_standards_system", 0)): "很好",
        ("date-not-number", indicator_cell(ind, "road_shading", 1)): dt.date(2024, 3, 4),
        ("negative-value", statistic_cell(wb["原始统计数据"], "employees", 2)): -5,
        ("unknown-choice", req.cell(row_of(req, "req:3"), header_col(req, "是否符合")[1])): "yes",
        ("unknown-choice", value_cell(park, "park.level")): "省级",
        ("bad-date", value_cell(team, "engagement.work_started")): "2025-02-30",
        ("not-yes-no", value_cell(team, "engagement.fee_charged")): "maybe",
        ("not-a-number", table_cells(proj, "project", "总投资")[0]): "很多",
        ("required", value_cell(park, "park.name")): None,
    }
    for (_, cell), v in bad.items():
        cell.value = v
    # a team row with a role but no name; an evidence index without its value
    table_cells(team, "team", "绿色诊断工作分工")[7].value = "组员"
    missing_name = table_cells(team, "team", "姓名")[7]
    indicator_cell(ind, "water_productivity", 0, evidence=True).value = "R4-2022"
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    expected = {(code, ref(cell)) for code, cell in bad} | {("required", ref(missing_name)),
                                                            ("required", ref(indicator_cell(ind, "water_productivity", 0)))}
    assert problems_of(exc) == expected
    text = exc.value.format("en")
    assert "指标数据!" in text and "'abc' is not a number" in text and str(path) in text
    # sorted by sheet, then row: 园区信息 first
    assert exc.value.problems[0].location.startswith("园区信息!")


def test_unfilled_template_names_the_required_cells(blank_2025, catalogue):
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(blank_2025, catalogue=catalogue)
    wb = openpyxl.load_workbook(blank_2025)
    assert problems_of(exc) == {("required", ref(value_cell(wb["园区信息"], "park.name"))),
                                ("no-indicator-data", ref(indicator_cell(wb["指标数据"], "energy_productivity", 0)))}


def test_a_formula_without_a_computed_value_is_reported(prefilled, tmp_path, catalogue):
    wb = openpyxl.load_workbook(prefilled)
    cell = indicator_cell(wb["指标数据"], "green_bus_share", 0)
    cell.value = "=60+5"
    path = tmp_path / "f.xlsx"
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert ("formula-not-computed", ref(cell)) in problems_of(exc)


def test_locate_maps_dataset_paths_to_cells(prefilled, catalogue):
    data, locate = read_workbook(prefilled, catalogue)
    wb = openpyxl.load_workbook(prefilled)
    ind = wb["指标数据"]
    i = [b["year"] for b in data["years"]].index(2023)
    assert locate(("years", i, "indicators", "clean_energy_share", "value")) == ref(indicator_cell(ind, "clean_energy_share", 1))
    assert locate(("years", i, "indicators", "clean_energy_share", "evidence")) == ref(indicator_cell(ind, "clean_energy_share", 1, True))
    assert locate(("park", "contact", "phone")) == ref(value_cell(wb["园区信息"], "park.contact.phone"))
    assert locate(("engagement", "team", 5, "park_staff")) == ref(table_cells(wb["工作组"], "team", "园区工作人员")[5])
    assert data["diagnosis_year"] == 2025 and data["engagement"]["team"][5]["park_staff"] is True


# ------------------------------------------------------------------ overlays


def _overlay(tmp_path) -> pathlib.Path:
    """The example overlay when it is there; otherwise a one-indicator overlay written here."""
    if OVERLAY.exists():
        return OVERLAY
    path = tmp_path / "ov.yaml"
    path.write_text("""
overlay: {id: water-cascade, version: 1.0.0, title_zh: 水梯级利用, title_en: Water cascade, extends: {id: bj-green-park-2024, version: '>=1.0,<2'}}
indicators:
  - id: water_cascade_share
    number: 32
    code: RG9
    category: RG
    name_zh: 水梯级利用率
    name_en: Share of industrial water used in cascade
    unit: '%'
    kind: quantitative
    direction: higher
    lead: {value: 10, provisional: test}
    mandatory: false
    bounds: {min: 0, max: 100, basis: share}
    sources: [{doc: bj-guide-2024, clause: 四(三)3}]
""", encoding="utf-8")
    return path


def test_overlay_indicators_appear_and_need_the_overlay_to_read(tmp_path, demo_dataset):
    overlay = _overlay(tmp_path)
    cat = greendiag.load_catalogue(overlay)
    path = tmp_path / "ov.xlsx"
    write_template(path, cat, dataset=attrs.evolve(demo_dataset, catalogue=cat))
    wb = openpyxl.load_workbook(path)
    ind = wb["指标数据"]
    keys = [k for k in keyed_rows(ind) if k.startswith("ind:")]
    assert len(keys) == 31 + len([i for i in cat.indicators if i.origin == "water-cascade"]) >= 32
    cell = indicator_cell(ind, "water_cascade_share", 2)
    assert not cell.protection.locked
    _, name_col = header_col(ind, "二级指标")
    assert ind.cell(cell.row, name_col).value.startswith("水梯级利用率")
    assert [v[:4] for v in _covering(ind, cell)] == [("decimal", "between", "0", "100")]
    cell.value = 12.5
    wb.save(path)
    assert greendiag.load_dataset(path, catalogue=cat).value("water_cascade_share", 2024).value == 12.5
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path)  # without the overlay
    assert ("unknown-indicator", ref(cell)) in problems_of(exc)
    assert any("--overlay" in (p.fix_en or "") and "water-cascade" in (p.fix_en or "") for p in exc.value.problems)


# ------------------------------------------------------------------ not a workbook, not a template


@pytest.mark.parametrize("content", [b"just text, renamed to .xlsx\n", b"PK\x03\x04" + b"\x00" * 64, b""])
def test_a_corrupt_file_is_a_clear_input_error(tmp_path, catalogue, content):
    path = tmp_path / "park.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert exc.value.codes == ("not-xlsx",) and exc.value.file == str(path)
    assert "zipfile" not in str(exc.value) and "Traceback" not in str(exc.value)


def test_a_zip_that_is_not_a_workbook(tmp_path, catalogue):
    path = tmp_path / "park.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputFileError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert exc.value.codes == ("wrong-kind-of-file",) and "zip" in exc.value.problems[0].message_zh  # said as what it is


def test_missing_file(tmp_path, catalogue):
    with pytest.raises(InputFileError) as exc:
        greendiag.load_dataset(tmp_path / "nope.xlsx", catalogue=catalogue)
    assert exc.value.codes == ("file-not-found",)


def test_a_workbook_that_is_not_a_template(tmp_path, catalogue, prefilled):
    wb = openpyxl.Workbook()
    wb.active.title = "数据"
    wb.active["A1"] = "能源产出率"
    path = tmp_path / "other.xlsx"
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert exc.value.codes == ("not-a-template",)
    assert "greendiag template" in exc.value.problems[0].fix_zh
    # a template with a sheet deleted (openpyxl ignores the structure lock)
    wb = openpyxl.load_workbook(prefilled)
    del wb["基本要求"]
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert problems_of(exc) == {("missing-sheet", "基本要求")}


# ------------------------------------------------------------------ each language on its own

_CJK = "[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
_QUOTED = r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|“[^”]*”"


def _cjk_left(text, cat) -> list[str]:
    """CJK characters of an English text outside quotes and unit symbols (the rule of tests/test_dataset.py)."""
    import re

    rest = re.sub(_QUOTED, " ", text or "")
    whole = {i.unit for i in cat.indicators} | {s.unit for s in cat.statistics}
    for u in sorted((u for u in whole | {p for w in whole for p in w.split("/")} if u), key=len, reverse=True):
        rest = rest.replace(u, " ")
    return re.findall(_CJK, rest)


def test_workbook_messages_are_english_in_english(prefilled, tmp_path, catalogue):
    wb = openpyxl.load_workbook(prefilled)
    ind, req, park, team = wb["指标数据"], wb["基本要求"], wb["园区信息"], wb["工作组"]
    indicator_cell(ind, "renewable_energy_share", 0).value = "很多"
    indicator_cell(ind, "green_standards_system", 0).value = "很好"
    indicator_cell(ind, "road_shading", 1).value = dt.date(2024, 3, 4)
    req.cell(row_of(req, "req:3"), header_col(req, "是否符合")[1]).value = "大概"
    value_cell(park, "park.level").value = "省级"
    value_cell(team, "engagement.fee_charged").value = "也许"
    value_cell(team, "engagement.work_started").value = "三月"
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    other = openpyxl.Workbook()
    other.active.title = "数据"
    other.save(tmp_path / "other.xlsx")
    with pytest.raises(DatasetError) as exc2:
        greendiag.load_dataset(tmp_path / "other.xlsx", catalogue=catalogue)
    problems = exc.value.problems + exc2.value.problems
    assert {"not-a-number", "unknown-level", "date-not-number", "unknown-choice", "not-yes-no", "bad-date",
            "not-a-template"} <= {p.code for p in problems}
    for p in problems:
        for text in (p.message_en, p.fix_en):
            assert _cjk_left(text, catalogue) == [], (p.code, text)
        assert any("\u3400" <= ch <= "\u9fff" for ch in p.message_zh), (p.code, p.message_zh)
    choice = next(p for p in problems if p.code == "unknown-choice" and p.location.startswith("园区信息!"))
    assert choice.fix_en == "choose one of: '国家级', '市级', '其他'"


def test_bundled_filled_workbook_matches_the_yaml_example(root, catalogue, demo_dataset):
    """examples/demo-park.xlsx (made with `greendiag template … --from examples/demo-park.yaml`) holds the same data."""
    got = greendiag.load_dataset(root / "examples" / "demo-park.xlsx", catalogue=catalogue)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset


def test_cli_template_from_a_dataset_prefills_it(tmp_path, demo_path, demo_dataset):
    from click.testing import CliRunner

    from greendiag.cli import main

    out = tmp_path / "again.xlsx"
    res = CliRunner().invoke(main, ["template", str(out), "--from", str(demo_path)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    got = greendiag.load_dataset(out)
    assert attrs.evolve(got, source=demo_dataset.source) == demo_dataset


# ------------------------------------------------------------------ statistics evidence, form 2-3 fields, park profile


def test_new_fields_have_rows_and_validations(blank_2025):
    wb = openpyxl.load_workbook(blank_2025)
    park, team, stats = wb["园区信息"], wb["工作组"], wb["原始统计数据"]
    _, label_col = header_col(park, "项目")
    assert park.cell(row_of(park, "park.zoning"), label_col).value == "功能区划"
    assert park.cell(row_of(park, "park.industry_status"), label_col).value == "产业发展现状"
    assert not value_cell(park, "park.zoning").protection.locked
    assert [v[:3] for v in _covering(team, value_cell(team, "engagement.third_party_evaluation"))] == [("list", None, '"是,否"')]
    assert _covering(team, value_cell(team, "engagement.report_meeting_date"))[0][0] == "date"
    for k in range(4):  # base year and the three years, each with an evidence cell, open for input
        cell = statistic_cell(stats, "energy_consumption", k, evidence=True)
        assert not cell.protection.locked and _covering(stats, cell) == []
    _, used_col = header_col(stats, "用于指标")
    _, value_col = header_col(stats, "数值")
    _, evidence_col = header_col(stats, "证明材料索引")
    assert value_col < used_col < evidence_col  # evidence after "used by": older workbooks read the same


def test_prefilled_workbook_carries_statistic_evidence_and_form_fields(prefilled):
    wb = openpyxl.load_workbook(prefilled)
    stats, team, park = wb["原始统计数据"], wb["工作组"], wb["园区信息"]
    assert statistic_cell(stats, "industrial_value_added", 0, evidence=True).value == "S1-2021 园区统计年报"  # from the YAML
    assert statistic_cell(stats, "air_quality_monitored_days", 3, evidence=True).value == "S9-2024"
    assert statistic_cell(stats, "energy_consumption", 0, evidence=True).value is None  # no 2021 value in the YAML
    assert value_cell(team, "engagement.third_party_evaluation").value == "是"
    assert value_cell(team, "engagement.report_meeting_date").value.date() == dt.date(2025, 4, 22)
    assert value_cell(park, "park.zoning").value.startswith("分为北部研发创新区")


def test_statistic_evidence_without_its_value_is_reported(prefilled, tmp_path, catalogue):
    wb = openpyxl.load_workbook(prefilled)
    stats = wb["原始统计数据"]
    statistic_cell(stats, "energy_consumption", 0, evidence=True).value = "S2-2021"  # base year: no value given
    path = tmp_path / "ev.xlsx"
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    assert problems_of(exc) == {("required", ref(statistic_cell(stats, "energy_consumption", 0)))}


def test_statistic_evidence_is_read_and_located(prefilled, tmp_path, catalogue):
    def edit(wb):
        statistic_cell(wb["原始统计数据"], "energy_consumption", 3, evidence=True).value = "新索引 S2"

    ds = _load_after(prefilled, tmp_path, catalogue, edit)
    s = next(x for x in ds.statistics if (x.statistic, x.year) == ("energy_consumption", 2024))
    assert s.value == 705000 and s.evidence == "新索引 S2"
    assert ds.value("energy_productivity", 2024).evidence == "由统计数据推导:工业增加值(可比价) (S1-2024 园区统计年报)、综合能源消费量 (新索引 S2)"
    data, locate = read_workbook(prefilled, catalogue)
    i = [b["year"] for b in data["years"]].index(2024)
    wb = openpyxl.load_workbook(prefilled)
    assert locate(("years", i, "statistics", "employees", "evidence")) == ref(statistic_cell(wb["原始统计数据"], "employees", 3, evidence=True))


# ------------------------------------------------------------------ review: year cell, units, follow-on checks, order


def _problems_after(prefilled, tmp_path, catalogue, edit, name="edited.xlsx"):
    wb = openpyxl.load_workbook(prefilled)
    edit(wb)
    path = tmp_path / name
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path, catalogue=catalogue)
    return exc.value.problems, wb


def _bad_indicators(wb):
    ind = wb["指标数据"]
    indicator_cell(ind, "renewable_energy_share", 0).value = "abc"  # not-a-number, 2022
    indicator_cell(ind, "clean_energy_share", 1).value = 120  # share-over-100, 2023
    indicator_cell(ind, "road_shading", 2).value = dt.date(2024, 3, 4)  # date-not-number, 2024


def test_an_unusable_year_cell_does_not_hide_the_indicator_errors(prefilled, tmp_path, catalogue):
    def edit(wb):
        value_cell(wb["园区信息"], "diagnosis_year").value = "明年"
        _bad_indicators(wb)

    problems, wb = _problems_after(prefilled, tmp_path, catalogue, edit)
    ind, park = wb["指标数据"], wb["园区信息"]
    found = {(p.code, p.location): p for p in problems}
    assert set(found) == {("not-a-number", ref(value_cell(park, "diagnosis_year"))),
                          ("not-a-number", ref(indicator_cell(ind, "renewable_energy_share", 0))),
                          ("share-over-100", ref(indicator_cell(ind, "clean_energy_share", 1))),
                          ("date-not-number", ref(indicator_cell(ind, "road_shading", 2)))}
    # the template was made for 2025 (the demo's year): its columns are 2022–2024, and the year cell says so
    assert found[("not-a-number", ref(indicator_cell(ind, "renewable_energy_share", 0)))].message_zh.startswith("2022年 2 ")
    assert found[("share-over-100", ref(indicator_cell(ind, "clean_energy_share", 1)))].message_zh.startswith("2023年 ")
    assert "2025" in found[("not-a-number", ref(value_cell(park, "diagnosis_year")))].message_zh


def test_without_any_year_the_cells_are_checked_by_column(prefilled, tmp_path, catalogue):
    def edit(wb):
        value_cell(wb["园区信息"], "diagnosis_year").value = None
        meta = wb["_greendiag"]
        for row in meta.iter_rows():
            if row[0].value == "diagnosis_year":  # as in a workbook made before the template recorded its year
                row[1].value = None
        _bad_indicators(wb)

    problems, wb = _problems_after(prefilled, tmp_path, catalogue, edit)
    ind = wb["指标数据"]
    found = {(p.code, p.location): p for p in problems}
    assert {c for c, _ in found} == {"required", "not-a-number", "share-over-100", "date-not-number"}
    assert found[("not-a-number", ref(indicator_cell(ind, "renewable_energy_share", 0)))].message_zh.startswith("第1年 2 ")
    assert found[("share-over-100", ref(indicator_cell(ind, "clean_energy_share", 1)))].message_en.startswith("year 2 indicator ")
    assert found[("date-not-number", ref(indicator_cell(ind, "road_shading", 2)))].message_zh.startswith("第3年 ")
    assert not any("2100" in p.message_zh for p in problems)  # the stand-in year never shows


def test_natural_units_in_year_area_investment_and_days(prefilled, tmp_path, catalogue):
    def edit(wb):
        park, team, proj = wb["园区信息"], wb["工作组"], wb["改进项目"]
        value_cell(park, "diagnosis_year").value = "2025年"
        value_cell(park, "park.area_km2").value = "1200 亩"  # 1 亩 = 10000/15 m²: 1200 亩 = 800000 m² = 0.8 km²
        value_cell(team, "engagement.onsite.working_days").value = "5 天"
        table_cells(proj, "project", "总投资")[0].value = "1.2亿元"  # 1.2 × 10⁸ 元 = 12000 万元
        table_cells(proj, "project", "其中固定资产投资")[0].value = "3200 元"  # 0.32 万元

    ds = _load_after(prefilled, tmp_path, catalogue, edit)
    assert ds.diagnosis_year == 2025 and ds.profile.area_km2 == 0.8 and ds.engagement.onsite_working_days == 5
    assert (ds.projects[0].total_investment, ds.projects[0].fixed_investment) == (12000, 0.32)

    def wrong(wb):
        value_cell(wb["园区信息"], "park.area_km2").value = "18.6 万元"
        value_cell(wb["工作组"], "engagement.onsite.working_days").value = "5 周年"

    problems, wb = _problems_after(prefilled, tmp_path, catalogue, wrong, "wrong.xlsx")
    assert {(p.code, p.location) for p in problems} == {
        ("wrong-dimension", ref(value_cell(wb["园区信息"], "park.area_km2"))),
        ("unknown-unit", ref(value_cell(wb["工作组"], "engagement.onsite.working_days")))}
    (days,) = [p for p in problems if p.code == "unknown-unit"]
    assert "天" in days.fix_zh and "万元/tce" not in days.fix_zh  # the cell's own unit, not the indicators'


def test_the_unit_sentence_is_only_on_cells_that_read_units(blank_2025):
    wb = openpyxl.load_workbook(blank_2025)
    park, team, proj, ind = wb["园区信息"], wb["工作组"], wb["改进项目"], wb["指标数据"]

    def dv(ws, cell):
        (v,) = [d for d in ws.data_validations.dataValidation if cell.coordinate in d.sqref]
        return v

    year = dv(park, value_cell(park, "diagnosis_year"))
    assert "单位" not in year.error and year.errorStyle == "stop" and "2000–2100" in year.error
    assert "平方公里" in dv(park, value_cell(park, "park.area_km2")).error
    assert "亿元" in dv(proj, table_cells(proj, "project", "总投资")[0]).error
    assert "天" in dv(team, value_cell(team, "engagement.onsite.working_days")).error
    assert "32000 元/tce" in dv(ind, indicator_cell(ind, "energy_productivity", 0)).error
    assert "元/tce" not in dv(ind, indicator_cell(ind, "renewable_energy_share", 0)).error


def test_a_cell_with_a_problem_gets_no_follow_on_problem(prefilled, tmp_path, catalogue):
    def edit(wb):
        cell = indicator_cell(wb["指标数据"], "renewable_energy_share", 2)
        cell.value = "=1+1"  # its evidence index stays: the value is not empty, it is not computed
        value_cell(wb["园区信息"], "park.name").value = "=1+1"

    problems, wb = _problems_after(prefilled, tmp_path, catalogue, edit)
    assert {(p.code, p.location) for p in problems} == {
        ("formula-not-computed", ref(indicator_cell(wb["指标数据"], "renewable_energy_share", 2))),
        ("formula-not-computed", ref(value_cell(wb["园区信息"], "park.name")))}


def test_problems_are_in_sheet_row_column_order_whichever_stage_finds_them(prefilled, tmp_path, catalogue):
    def edit(wb):  # every one of these is found by the dataset builder, none by the cell reader
        ind = wb["指标数据"]
        indicator_cell(ind, "green_coverage", 0).value = "abc"  # a late row, the first year
        indicator_cell(ind, "renewable_energy_share", 2).value = "abc"  # an early row, the last year
        indicator_cell(ind, "renewable_energy_share", 1).value = "abc"
        statistic_cell(wb["原始统计数据"], "employees", 1).value = -5

    problems, wb = _problems_after(prefilled, tmp_path, catalogue, edit)
    ind = wb["指标数据"]
    assert [p.location for p in problems] == [ref(indicator_cell(ind, "renewable_energy_share", 1)),
                                              ref(indicator_cell(ind, "renewable_energy_share", 2)),
                                              ref(indicator_cell(ind, "green_coverage", 0)),
                                              ref(statistic_cell(wb["原始统计数据"], "employees", 1))]


def test_date_not_number_names_the_year(prefilled, tmp_path, catalogue):
    problems, wb = _problems_after(prefilled, tmp_path, catalogue, _bad_indicators)
    (p,) = [p for p in problems if p.code == "date-not-number"]
    assert p.message_zh.startswith("2024年 ") and p.message_en.startswith("2024 indicator ")


def test_fictitious_row_only_in_a_workbook_prefilled_from_an_example(blank_2025, prefilled, demo_dataset):
    assert "fictitious" not in keyed_rows(openpyxl.load_workbook(blank_2025)["园区信息"])
    assert demo_dataset.fictitious
    assert value_cell(openpyxl.load_workbook(prefilled)["园区信息"], "fictitious").value == "是"


def test_year_headers_show_their_years_without_recalculation(blank_2025, tmp_path, catalogue):
    cached = openpyxl.load_workbook(blank_2025, data_only=True)  # what a previewer that does not recalculate shows
    ind, stats = cached["指标数据"], cached["原始统计数据"]
    r, col = header_col(ind, "指标数据")
    assert [ind.cell(r + 1, col + k).value for k in range(3)] == ["2022年", "2023年", "2024年"]
    r, col = header_col(ind, "证明材料索引")
    assert [ind.cell(r + 1, col + k).value for k in range(3)] == ["2022年", "2023年", "2024年"]
    r, col = header_col(stats, "数值")
    assert [stats.cell(r + 1, col + k).value for k in range(4)] == ["2021年(基准年)", "2022年", "2023年", "2024年"]
    formulas = openpyxl.load_workbook(blank_2025)["指标数据"]
    assert str(formulas.cell(r + 1, header_col(formulas, "指标数据")[1]).value).startswith("=IF(ISNUMBER(")  # still follows the year cell
    no_year = tmp_path / "no-year.xlsx"
    write_template(no_year, catalogue)
    ind = openpyxl.load_workbook(no_year, data_only=True)["指标数据"]
    r, col = header_col(ind, "指标数据")
    assert [ind.cell(r + 1, col + k).value for k in range(3)] == ["第1年", "第2年", "第3年"]


def test_a_400_digit_number_in_a_whole_number_cell_is_not_a_number(tmp_path):
    path = tmp_path / "park.xlsx"
    write_template(path, greendiag.load_catalogue(), diagnosis_year=2025)
    wb = openpyxl.load_workbook(path)
    ws = wb["园区信息"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "diagnosis_year")
    ws.cell(row, 4).value = "9" * 400
    wb.save(path)
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(path)
    assert any(p.code == "not-a-number" and p.location == f"园区信息!D{row}" for p in exc.value.problems)


def test_a_missing_workbook_is_both_input_file_and_dataset_error(tmp_path):
    with pytest.raises(DatasetError) as exc:
        greendiag.load_dataset(tmp_path / "nowhere.xlsx")
    assert isinstance(exc.value, InputFileError) and exc.value.codes == ("file-not-found",)
