"""The default catalogue: 31 indicators and 8 requirements as in the guide, numbers with provenance, located schema errors.

Expected values are written here by hand from ../shared/domain/indicators.md and the guide's tables
(附件2-1-1, 附件2-1-2), not read from the code under test.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import unicodedata

import pytest
import yaml

import greendiag
from greendiag import catalogue as catmod
from greendiag.errors import CatalogueError

ROOT = pathlib.Path(__file__).resolve().parent.parent
CAT_DIR = ROOT / "catalogue"
SEED = ROOT.parent / "shared" / "seed" / "000_fa8ebad477ab3cd5.txt"  # ../shared beside the clone, when present
GUIDE_TABLES = ROOT / "tests" / "data" / "guide-tables-excerpt.txt"  # tables 附件2-1-1/2-1-2, verbatim, committed


def _guide_tables() -> str:
    return re.sub(r"\s+", "", "".join(l for l in GUIDE_TABLES.read_text(encoding="utf-8").splitlines(True) if not l.startswith("#")))

# number: (category, name_zh, unit as printed in indicators.md, direction, lead value or lead level (zh), mandatory)
# Copied by hand from the table in ../shared/domain/indicators.md ("–" = dimensionless).
EXPECTED = {
    1: ("EG", "能源产出率", "万元/tce", "higher", 3, True),
    2: ("EG", "可再生能源使用比例", "%", "higher", 15, True),
    3: ("EG", "清洁能源使用率", "%", "higher", 75, True),
    4: ("RG", "水资源产出率", "元/m³", "higher", 1500, True),
    5: ("RG", "土地资源产出率", "亿元/km²", "higher", 15, True),
    6: ("RG", "工业固体废弃物综合利用率", "%", "higher", 95, True),
    7: ("RG", "工业用水重复利用率", "%", "higher", 90, True),
    8: ("RG", "中水回用率", "%", "higher", 30, True),
    9: ("RG", "余热资源回收利用率", "%", "higher", 60, False),
    10: ("RG", "废气资源回收利用率", "%", "higher", 90, False),
    11: ("RG", "再生资源回收利用率", "%", "higher", 80, False),
    12: ("IG", "污水集中处理设施", "–", "qualitative", "具备", True),
    13: ("IG", "新建工业建筑中绿色建筑的比例", "%", "higher", 30, True),
    14: ("IG", "新建公共建筑中绿色建筑的比例", "%", "higher", 60, False),
    15: ("IG", "500米公交站点覆盖率", "%", "higher", 90, True),
    16: ("IG", "节能与新能源公交车比例", "%", "higher", 30, False),
    17: ("CG", "高新技术产业产值占园区工业总产值比例", "%", "higher", 30, True),
    18: ("CG", "绿色产业增加值占园区工业增加值比例", "%", "higher", 30, True),
    19: ("CG", "人均工业增加值", "万元/人", "higher", 15, True),
    20: ("CG", "现代服务业比例", "%", "higher", 30, False),
    21: ("HG", "工业固体废弃物(含危废)处置利用率", "%", "higher", 100, True),
    22: ("HG", "万元工业增加值碳排放量消减率", "%", "higher", 3, True),
    23: ("HG", "单位工业增加值废水排放量", "t/万元", "lower", 5, True),
    24: ("HG", "主要污染物弹性系数", "–", "lower", 0.3, True),
    25: ("HG", "园区空气质量优良率", "%", "higher", 80, True),
    26: ("HG", "绿化覆盖率", "%", "higher", 30, True),
    27: ("HG", "道路遮荫比例", "%", "higher", 80, False),
    28: ("HG", "露天停车场遮荫比例", "%", "higher", 80, False),
    29: ("MG", "园区绿色标准体系完善程度", "–", "qualitative", "完善", True),
    30: ("MG", "编制园区绿色发展规划", "–", "qualitative", "是", True),
    31: ("MG", "园区绿色信息平台完善程度", "–", "qualitative", "完善", True),
}
# rows per category in table 附件2-1-2
CATEGORY_COUNTS = {"EG": 3, "RG": 8, "IG": 5, "CG": 4, "HG": 8, "MG": 3}
# the eight baseline requirements of 附件2-1-1: first words, and mandatory (7 and 8 say 鼓励)
REQUIREMENTS = {
    1: ("国家和地方绿色、循环和低碳相关法律法规", True),
    2: ("近三年,未发生重大污染事故", True),
    3: ("环境质量达到国家或地方规定的环境功能区", True),
    4: ("园区重点企业100%实施清洁生产审核", True),
    5: ("园区企业不应使用国家列入淘汰目录", True),
    6: ("园区建立履行绿色发展工作职责的专门机构", True),
    7: ("鼓励园区建立并运行环境管理体系和能源管理体系", False),
    8: ("鼓励园区建设并运行风能、太阳能等可再生能源应用设施", False),
}


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# ------------------------------------------------------------------ indicators


def test_31_indicators_numbered_1_to_31(catalogue):
    assert [i.number for i in catalogue.indicators] == list(range(1, 32))
    assert len({i.id for i in catalogue.indicators}) == 31
    assert len({i.code for i in catalogue.indicators}) == 31


def test_category_counts_as_in_table_2_1_2(catalogue):
    counts = {c.code: 0 for c in catalogue.categories}
    for ind in catalogue.indicators:
        counts[ind.category] += 1
    assert counts == CATEGORY_COUNTS
    assert [c.code for c in catalogue.categories] == ["EG", "RG", "IG", "CG", "HG", "MG"]
    # codes run per category: EG1..EG3, RG1..RG8, ...
    for cat, n in CATEGORY_COUNTS.items():
        assert sorted(i.code for i in catalogue.indicators if i.category == cat) == sorted(f"{cat}{k}" for k in range(1, n + 1))


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_indicator_matches_domain_table(catalogue, number):
    cat, name, unit, better, lead, mandatory = EXPECTED[number]
    ind = catalogue.indicator(number)
    assert ind.category == cat
    assert ind.name_zh == name
    assert ind.mandatory is mandatory
    expected_unit = "" if unit == "–" else _nfkc(unit)
    assert _nfkc(ind.unit) == expected_unit
    if better == "qualitative":
        assert ind.qualitative and ind.direction is None and ind.lead_value is None
        assert ind.level(ind.lead_level).zh == lead
        assert len(ind.levels) >= 2
    else:
        assert not ind.qualitative
        assert ind.direction == better
        assert ind.lead_value == lead
    # every lead value is unsourced in the domain notes: the catalogue must say so
    assert ind.lead_provenance.is_provisional and len(ind.lead_provenance.provisional) > 20
    assert any(s.doc == "bj-guide-2024" and str(number) in s.clause for s in ind.sources)


def test_guide_excerpt_is_verbatim(catalogue):
    if not SEED.exists():
        pytest.skip("the guide text (../shared/seed) is not beside this clone; the committed excerpt is used")
    assert _guide_tables() in re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))


def test_indicator_names_appear_in_the_guide_table(catalogue):
    text = _guide_tables()
    missing = [i.name_zh for i in catalogue.indicators if i.name_zh not in text]
    assert not missing


def test_shares_are_bounded_0_to_100(catalogue):
    for ind in catalogue.indicators:
        if ind.unit == "%" and ind.number != 22:  # 22 is a reduction rate: it can be negative
            assert (ind.bounds_min, ind.bounds_max) == (0, 100), ind.id


def test_quantitative_indicators_have_definitions_from_known_statistics(catalogue):
    stats = {s.id for s in catalogue.statistics}
    for ind in catalogue.indicators:
        if ind.qualitative:
            assert ind.definition is None
            continue
        assert ind.definition is not None, ind.id
        assert set(ind.definition.numerator + ind.definition.denominator) <= stats


# ------------------------------------------------------------------ requirements


def test_eight_baseline_requirements(catalogue):
    assert [r.number for r in catalogue.requirements] == list(range(1, 9))
    for r in catalogue.requirements:
        start, mandatory = REQUIREMENTS[r.number]
        assert r.text_zh.startswith(start), r.number
        assert r.mandatory is mandatory
        assert ("鼓励" in r.text_zh) is (not mandatory)
        assert r.text_en and r.sources


def test_requirements_are_word_for_word_from_the_guide(catalogue):
    text = _guide_tables()
    for r in catalogue.requirements:
        assert re.sub(r"\s+", "", r.text_zh) in text, r.number


# ------------------------------------------------------------------ provenance of every number in the raw YAML

IDENTIFIER_KEYS = {"number", "order", "year"}


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _has_provenance(d: dict) -> bool:
    return bool(d.get("sources")) or bool(d.get("provisional"))


def _unprovenanced(node, path=(), parents=()):
    """Yield the JSON path of every number that has no sources/provisional where it belongs."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = path + (key,)
            if _is_number(value):
                if key in IDENTIFIER_KEYS:
                    if not isinstance(value, int):
                        yield here
                elif _has_provenance(node):
                    pass
                elif len(path) >= 1 and path[-1] == "bounds" and node.get("basis"):
                    pass  # definitional bounds (a share lies in 0-100 %) carry their basis instead
                elif key == "score" and len(path) >= 2 and path[-2] == "levels" and parents and _has_provenance(parents[-2].get("level_scores") or {}):
                    pass  # qualitative level scores: provenance under the indicator's level_scores
                elif key == "min" and len(path) >= 2 and path[-2] == "levels" and parents and _has_provenance(parents[-2]):
                    pass  # score bands: provenance on the bands block
                else:
                    yield here
            else:
                yield from _unprovenanced(value, here, parents + (node,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if _is_number(value):
                yield path + (i,)
            else:
                yield from _unprovenanced(value, path + (i,), parents + (node,))


def _yaml_files():
    return sorted(p for p in CAT_DIR.glob("*.yaml"))


def test_every_number_in_the_catalogue_has_sources_or_is_provisional():
    files = _yaml_files()
    assert {p.name for p in files} >= {"catalogue.yaml", "indicators.yaml", "requirements.yaml", "references.yaml",
                                       "conversion.yaml", "statistics.yaml"}
    bad = {}
    counted = 0
    for p in files:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        found = list(_unprovenanced(data))
        if found:
            bad[p.name] = found
        counted += sum(1 for _ in _numbers(data))
    assert not bad
    assert counted > 100  # the walk did see the numbers


def _numbers(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _numbers(v)
    elif isinstance(node, list):
        for v in node:
            yield from _numbers(v)
    elif _is_number(node):
        yield node


def test_the_provenance_walk_catches_an_unsourced_number():
    data = {"indicators": [{"id": "x", "number": 1, "lead": {"value": 3}, "sources": [{"doc": "d", "clause": "c"}],
                            "levels": [{"id": "a", "score": 100}], "bounds": {"min": 0}}],
            "scoring": {"bands": {"levels": [{"min": 90}]}}}
    found = set(_unprovenanced(data))
    assert found == {("indicators", 0, "lead", "value"), ("indicators", 0, "levels", 0, "score"),
                     ("indicators", 0, "bounds", "min"), ("scoring", "bands", "levels", 0, "min")}


def test_every_source_names_a_listed_document():
    head = yaml.safe_load((CAT_DIR / "catalogue.yaml").read_text(encoding="utf-8"))
    docs = {d["id"] for d in head["documents"]}

    def walk(node):
        if isinstance(node, dict):
            for s in node.get("sources", []) or []:
                yield s["doc"]
            for v in node.values():
                yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)

    cited = {d for p in _yaml_files() for d in walk(yaml.safe_load(p.read_text(encoding="utf-8")))}
    assert cited and cited <= docs


# ------------------------------------------------------------------ schema errors: file + JSON path


def _broken_catalogue(tmp_path: pathlib.Path, edit) -> pathlib.Path:
    """A copy of the packaged catalogue folder with one file edited by `edit(name, data)`."""
    folder = tmp_path / "cat"
    shutil.copytree(CAT_DIR, folder)
    for name in ("indicators.yaml", "catalogue.yaml", "references.yaml"):
        p = folder / name
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        if edit(name, data):
            p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


class _Files:
    """Stands in for importlib.resources inside greendiag.catalogue: the data package is a folder."""

    def __init__(self, folder):
        self.folder = folder

    def files(self, package):
        assert package == catmod.DATA_PACKAGE
        return self.folder


def _load_from(folder, monkeypatch):
    monkeypatch.setattr(catmod, "resources", _Files(folder))
    return catmod._load(())  # the loader behind load_catalogue(), without its cache


def test_broken_indicator_file_names_file_and_json_path(tmp_path, monkeypatch):
    def edit(name, data):
        if name != "indicators.yaml":
            return False
        del data["indicators"][3]["unit"]
        data["indicators"][5]["direction"] = "sideways"
        data["indicators"][7]["lead"] = {"value": 30}  # a number without provenance
        return True

    folder = _broken_catalogue(tmp_path, edit)
    with pytest.raises(CatalogueError) as info:
        _load_from(folder, monkeypatch)
    probs = info.value.problems
    assert all(p.file == "catalogue/indicators.yaml" for p in probs)
    by_loc = {p.location: p for p in probs}
    assert "$.indicators[3]" in by_loc and "unit" in by_loc["$.indicators[3]"].message_en
    assert by_loc["$.indicators[3]"].code == "schema-required"
    assert "$.indicators[5].direction" in by_loc and "sideways" in by_loc["$.indicators[5].direction"].message_en
    assert "$.indicators[7].lead" in by_loc and "provenance" in by_loc["$.indicators[7].lead"].message_en
    # located in the file too: the line of the 6th indicator's direction
    assert by_loc["$.indicators[5].direction"].line is not None
    text = info.value.format("en")
    assert "catalogue/indicators.yaml" in text and "$.indicators[5].direction" in text


def test_cross_file_errors_are_located(tmp_path, monkeypatch):
    def edit(name, data):
        if name == "indicators.yaml":
            data["indicators"][1]["number"] = 1  # duplicate serial number
            data["indicators"][2]["unit"] = "widgets/万元"  # not a unit of the registry
            return True
        if name == "references.yaml":
            data["references"][0]["indicator"] = "no_such_indicator"
            data["references"][1]["unit"] = "m3/万元"  # energy productivity reference in water units
            return True
        return False

    folder = _broken_catalogue(tmp_path, edit)
    with pytest.raises(CatalogueError) as info:
        _load_from(folder, monkeypatch)
    got = {(p.code, p.file, p.location) for p in info.value.problems}
    assert ("duplicate-number", "catalogue/indicators.yaml", "$.indicators[1].number") in got
    assert ("unknown-unit", "catalogue/indicators.yaml", "$.indicators[2].unit") in got
    assert ("unknown-indicator", "catalogue/references.yaml", "$.references[0].indicator") in got
    assert ("wrong-dimension", "catalogue/references.yaml", "$.references[1].unit") in got


def test_the_unbroken_copy_loads_through_the_same_path(tmp_path, monkeypatch):
    folder = _broken_catalogue(tmp_path, lambda name, data: False)
    cat = _load_from(folder, monkeypatch)
    assert len(cat.indicators) == 31 and len(cat.requirements) == 8


def test_broken_overlay_indicator_names_file_and_path(tmp_path):
    ind = yaml.safe_load((CAT_DIR / "indicators.yaml").read_text(encoding="utf-8"))["indicators"][0]
    ind = dict(ind, id="copy_of_energy_productivity", number=40, code="EG9", kind="quantified")
    overlay = {"overlay": {"id": "broken", "version": "1.0.0", "title_zh": "坏", "title_en": "broken",
                           "extends": {"id": "bj-green-park-2024", "version": ">=1.0,<2"}},
               "indicators": [ind]}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        greendiag.load_catalogue(path)
    p = next(p for p in info.value.problems if p.location == "$.indicators[0].kind")
    assert p.file == str(path) and p.code == "schema-enum" and "quantified" in p.message_en and p.line


# ------------------------------------------------------------------ the `catalogue validate` command


def test_validate_command_exit_codes(run, tmp_path):
    ok = run("catalogue", "validate")
    assert ok.exit_code == 0 and "31 indicators" in ok.output and "8 requirements" in ok.output
    water = ROOT / "examples" / "overlays" / "water-cascade.yaml"
    res = run("catalogue", "validate", water)
    assert res.exit_code == 0, res.output
    assert "water-cascade" in res.output
    missing = run("--lang", "en", "catalogue", "validate", tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "file-not-found" in missing.output
    conflict = tmp_path / "conflict.yaml"
    conflict.write_text(
        "overlay: {id: c, version: 1.0.0, title_zh: 冲突, title_en: conflict, extends: {id: bj-green-park-2024, version: '>=1'}}\n"
        "requirements:\n  - {number: 7, id: again, text_zh: 重复, text_en: again, mandatory: true,"
        " sources: [{doc: bj-guide-2024, clause: x}]}\n", encoding="utf-8")
    res = run("--lang", "en", "catalogue", "validate", conflict)
    assert res.exit_code == 2 and "overlay-conflict" in res.output and "override: true" in res.output
    assert "Traceback" not in res.output


def test_installed_command_validates(tmp_path):
    exe = pathlib.Path(sys.executable).with_name("greendiag")
    if not exe.exists():
        pytest.skip("the greendiag console script is not installed next to this Python")
    env = dict(os.environ, PYTHONHASHSEED="0")
    res = subprocess.run([str(exe), "catalogue", "validate"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("OK bj-green-park-2024 1.0.0")


def test_every_source_document_is_described_in_docs_sources():
    head = yaml.safe_load((CAT_DIR / "catalogue.yaml").read_text(encoding="utf-8"))
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    missing = [d["id"] for d in head["documents"] if f"`{d['id']}`" not in text]
    assert not missing


def _provisional_paths(node, path=()):
    if isinstance(node, dict):
        if node.get("provisional"):
            yield path
        for key, value in node.items():
            yield from _provisional_paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _provisional_paths(value, path + (i,))


# where a `provisional:` mapping sits in the YAML (its last key, or the list it is an item of) -> the kind it is listed as
_KIND_OF = {"lead": "lead", "mandatory_source": "mandatory", "level_scores": "level_scores", "definition": "definition",
            "plausible": "plausible", "weight": "weight", "full": "scoring", "aggregation": "scoring", "missing": "scoring",
            "bands": "scoring", "references": "reference", "coefficients": "coefficient", "electricity_co2": "coefficient",
            "own": "coefficient"}  # the plausible range of a carrier's own coefficient (conversion.yaml)


def test_every_provisional_number_is_listed_in_a_diagnosis():
    """Counted here from the YAML files (every mapping with a `provisional:` note), by where it sits; the one left out is
    the calorific value of standard coal, which no computation uses."""
    from collections import Counter

    from greendiag.catalogue import PROVISIONAL_KINDS, iter_provisional

    want = Counter()
    for p in _yaml_files():
        for path in _provisional_paths(yaml.safe_load(p.read_text(encoding="utf-8"))):
            last = path[-2] if isinstance(path[-1], int) else path[-1]
            if last == "calorific_value":
                continue
            want[_KIND_OF[last]] += 1
    items = list(iter_provisional(greendiag.load_catalogue()))
    assert Counter(kind for kind, *_ in items) == want
    assert want["lead"] == 31 and want["mandatory"] == 31
    kinds = [k for k, *_ in PROVISIONAL_KINDS]
    assert [k for k, *_ in items] == sorted((k for k, *_ in items), key=kinds.index)  # grouped in the documented order
    assert all(zh and en and why for _, zh, en, why in items)
