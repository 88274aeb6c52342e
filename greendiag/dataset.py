"""Reading a park dataset (YAML/JSON, or Excel via excel.py): validate, convert units, derive indicators.

Every problem in a dataset is collected and raised at once as a DatasetError, each located by file,
JSON path (or sheet!cell) and line, with a fix. After this module, values are plain floats in the
catalogue's units: pint is not used past the boundary.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import re
import unicodedata
from typing import Any, Callable, Optional

from . import schema, units
from .catalogue import load_catalogue
from .errors import DatasetError, Problem, UnitError
from .models import (CarrierValue, Catalogue, DemonstrationWork, Engagement, ImprovementProject, Indicator, IndicatorValue,
                     ParkDataset, ParkProfile, Person, RequirementStatus, ScoringMethod, ServiceProvider, Statistic, StatisticValue,
                     TeamMember)
from .yamlio import MAX_DEPTH, Document, json_path, read_document

FORMAT = "greendiag-dataset/1"
STATUS = {"met": "met", "not_met": "not_met", "unknown": "unknown", "符合": "met", "不符合": "not_met", "未知": "unknown"}
LEVEL = {"national": "国家级", "municipal": "市级", "other": "其他"}
# what the team found of a kind of demonstrative work on site (guide 四(三)3): id -> (中文, English), in the order shown
DEMONSTRATION_STATUS = {"done": ("已开展", "carried out"), "under_construction": ("在建", "under construction"),
                        "planned": ("计划中", "planned"), "not_done": ("未开展", "not carried out")}

Locator = Callable[..., Problem]
YearLabel = Callable[[int], tuple[str, str]]

# Year bounds, the one source for the CLI, the workbook and the checks here; tests/test_dataset_years.py checks
# that dataset.schema.json says the same.
DIAGNOSIS_YEARS = (2000, 2100)  # diagnosis_year
DATA_YEARS = (1989, 2100)  # years[].year, and dates: the base year of the earliest diagnosis with the most scored
                           # years (2000 − 10 − 1; catalogue.schema.json); beyond them date arithmetic can overflow
MAX_DAYS = 366  # a statistic in `day` counts days within its data year: at most a leap year's (statistics.yaml)
_ZH_COUNT = "一两三四五六七八九十"
_EN_COUNT = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def agreement_tolerance() -> float:
    """How far (in %) a reported value may lie from the one derived beside it: the rule base's constant
    derived_gap_pct (rules/anomalies.yaml, the threshold of anomaly.indicator.derived_mismatch), so a reported energy
    consumption is held to its sum by carrier as a reported indicator is to its statistics."""
    from .rulebook import load_rules  # the packaged rules (cached); a rule file may not redefine their constants

    return next(float(c.value) for c in load_rules().constants if c.name == "derived_gap_pct")


def carrier_units(per: str, cat: Optional[Catalogue] = None) -> tuple[str, ...]:
    """The units a carrier whose coefficient is per `per` (kWh, m3, kg, MJ) is usually given in, the workbook's default
    first (conversion.yaml carrier_units of `cat`, else of the packaged catalogue: overlays cannot change them)."""
    return dict((cat or load_catalogue()).carrier_units).get(per, (per,))


def quantity_text(number: float, unit: str) -> str:
    """A carrier's quantity given as a number and a unit, as text: "2200000 GJ" (all digits, not 2.2e+06)."""
    return f"{number:.15g} {unit}"


def year_text(year: int) -> tuple[str, str]:
    """How messages name a data year: ("2023年", "2023")."""
    return f"{year}年", str(year)


def indicator_label(ind: Indicator, year: tuple[str, str]) -> tuple[str, str]:
    """How messages name an indicator in a year: ("2023年 1 能源产出率", "2023 indicator 1 Energy productivity")."""
    return f"{year[0]} {ind.number} {ind.name_zh}", f"{year[1]} indicator {ind.number} {ind.name_en}"


def statistic_label(stat: Statistic, year: tuple[str, str]) -> tuple[str, str]:
    """How messages name a statistic in a year: ("2023年 从业人员数", "2023 Employees")."""
    return f"{year[0]} {stat.name_zh}", f"{year[1]} {stat.name_en}"


def count_words(count: int) -> tuple[str, str]:
    """A number of scored years in words: ("三", "three years"), ("两", "two years"); digits beyond ten."""
    if 1 <= count <= len(_EN_COUNT):
        return _ZH_COUNT[count - 1], f"{_EN_COUNT[count - 1]} year{'s' if count > 1 else ''}"
    return str(count), f"{count} years"


def count_source(scoring: ScoringMethod) -> tuple[str, str]:
    """The catalogue's citation of its scored years (scoring.years.cite_zh/en), while it scores the count cited; else nothing."""
    cite = scoring.years_cite
    return (f"({cite[1]})", f" ({cite[2]})") if cite and cite[0] == scoring.years else ("", "")


OTHER_SPREADSHEETS = (".xls", ".ods", ".et", ".csv", ".numbers", ".xlsb")  # refused with a "save as .xlsx" fix


def other_spreadsheet(path: str) -> Optional[Problem]:
    """The not-xlsx problem of a file whose suffix says it is a spreadsheet greendiag does not read, else None."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in OTHER_SPREADSHEETS:
        return None
    if suffix == ".csv":
        return Problem("not-xlsx", "不支持 CSV 文件:园区数据须为数据采集模板(.xlsx)或 YAML/JSON",
                       "CSV is not supported: park data must be the data-collection workbook (.xlsx) or YAML/JSON", file=path,
                       fix_zh="用 greendiag template 生成模板,把数据填入后另存为 .xlsx",
                       fix_en="make a workbook with greendiag template, fill it in and save it as .xlsx")
    return Problem("not-xlsx", f"不支持 {suffix} 格式的表格文件,只能读取 .xlsx", f"{suffix} spreadsheets are not read; only .xlsx can be",
                   file=path, fix_zh="在 Excel、WPS 或 LibreOffice 中另存为 .xlsx(Excel 工作簿)后再读取",
                   fix_en="save it as .xlsx (Excel workbook) in Excel, WPS or LibreOffice, then read that file")


def _or_overlay(hint_zh: str, hint_en: str, section: str, key: Any, noun_zh: str, noun_en: str) -> tuple[str, str]:
    """The fix for an id or number the catalogue in use lacks: it may be a specialised diagnosis's, so the hint names
    the registered overlay that defines it, or else says an overlay must be given (data written for an overlay and
    read without it was told only the nearest base id)."""
    from .catalogue import overlays_defining

    names = overlays_defining(section, key)
    if names:
        return (f"“{key}”是扩展目录 {'、'.join(names)} 中的{noun_zh}:读取时加 --overlay {names[0]}",
                f"'{key}' is a {noun_en} of overlay {', '.join(names)}: read the data with --overlay {names[0]}")
    asked = hint_zh.endswith("?")
    return (f"{hint_zh}{'' if asked else ';'}若为扩展目录(专项诊断)中的{noun_zh},读取时加 --overlay 指定该扩展目录",
            f"{hint_en}{' If' if asked else '; if'} it is a {noun_en} of a catalogue overlay (specialised diagnosis), read the data with --overlay")


def load_dataset(path: str | os.PathLike, *, catalogue: Optional[Catalogue] = None) -> ParkDataset:
    """Read a park dataset from YAML, JSON or a filled greendiag Excel workbook."""
    from ._args import check_catalogue, check_path

    p = check_path(path, "path")
    cat = check_catalogue(catalogue) or load_catalogue()
    refused = other_spreadsheet(p)
    if refused is not None:
        raise DatasetError(refused)
    if p.lower().endswith((".xlsx", ".xlsm")):
        import attrs

        from .excel.reader import read_workbook_contents, sort_problems  # openpyxl is only imported for workbooks

        contents = read_workbook_contents(p, cat)
        try:
            ds = build_dataset(contents.data, cat, source=p, locate=contents.locate)
        except DatasetError as exc:  # in sheet, row, column order, as read_workbook's own problems
            raise DatasetError(sort_problems(exc.problems)) from None
        return attrs.evolve(ds, notes=tuple(sort_problems(contents.notes + ds.notes))) if contents.notes else ds
    doc = read_document(p, DatasetError)
    wrong = other_document(doc.data, p)
    if wrong is not None:
        raise DatasetError(wrong)
    return build_dataset(doc.data, cat, source=p, doc=doc)


def other_document(data: Any, path: str) -> Optional[Problem]:
    """A greendiag file of another kind given as park data (a diagnosis result, an overlay, a rule file), said by
    what it is instead of a page of schema errors."""
    if not isinstance(data, dict) or str(data.get("format", "")).startswith("greendiag-dataset"):
        return None
    if data.get("format") == "greendiag-diagnosis/1":
        what = ("诊断结果(diagnosis.json)", "a diagnosis result (diagnosis.json)",
                "出报告用 greendiag report 该文件;诊断请给出园区数据文件", "render it with greendiag report; to diagnose, give the park's data file")
    elif isinstance(data.get("overlay"), dict):
        what = ("扩展目录(专项诊断)", "a catalogue overlay", "用 --overlay 给出该文件,另给出园区数据文件",
                "give it with --overlay, and the park's data file as the dataset")
    elif "format" not in data and isinstance(data.get("rules") or data.get("measures"), list):
        what = ("规则文件", "a rule file", "用 --rules 给出该文件,另给出园区数据文件", "give it with --rules, and the park's data file as the dataset")
    else:
        return None
    return Problem("wrong-kind-of-file", f"这是{what[0]},不是园区数据", f"this is {what[1]}, not park data", file=path,
                   fix_zh=what[2], fix_en=what[3])


def dataset_from_dict(data: Any, *, catalogue: Optional[Catalogue] = None, source: str = "<data>") -> ParkDataset:
    """Build a dataset from already-parsed data (the same checks as load_dataset).

    Dates parsed by a plain ``yaml.safe_load`` (datetime.date objects) are taken as their ISO text."""
    from ._args import check_catalogue, check_source

    check_catalogue(catalogue)
    source = check_source(source)
    doc = Document(source, data, None)
    if not _unsafe_values(doc):  # bounded depth, no cycles: safe to walk
        data = _dates_as_text(data)
    return build_dataset(data, catalogue or load_catalogue(), source=source, doc=Document(source, data, None))


def _dates_as_text(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _dates_as_text(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_dates_as_text(x) for x in v]
    if isinstance(v, dt.date):  # also datetime, a subclass
        return v.isoformat() if not isinstance(v, dt.datetime) else v.date().isoformat()
    return v


def build_dataset(data: Any, cat: Catalogue, *, source: str, doc: Optional[Document] = None,
                  locate: Optional[Callable[[tuple], Optional[str]]] = None, year_label: YearLabel = year_text) -> ParkDataset:
    """Validate parsed data against the schema and the catalogue; return a ParkDataset or raise DatasetError.

    When the schema fails, the value checks still run on the parts it accepted: one error lists every problem.
    The hooks let a reader of another format word problems as its user sees the data: `locate` maps a dataset
    path to a place (a workbook's sheet!cell; the JSON path when it gives none), `year_label` names a data year
    in messages (a workbook read without its year names its columns 第1年…)."""
    doc = doc or Document(source, data, None)
    if locate is not None:  # Excel: schema paths map to sheet!cell
        def where(code, zh, en, path=(), fix_zh=None, fix_en=None):
            return Problem(code, zh, en, file=source, location=locate(tuple(path)) or json_path(path), fix_zh=fix_zh, fix_en=fix_en)
    else:
        where = doc.problem
    unsafe = _unsafe_values(doc, where)  # NaN, cycles, runaway nesting: nothing else is looked at
    found = unsafe or schema.problems(doc, "dataset.schema.json", locate=locate)
    if not found:
        return _Builder(data, cat, source, where, year_label=year_label, workbook=locate is not None).build()
    if not unsafe:  # the schema failed: check the values of the well-formed parts too, so one run shows everything
        cuts = _schema_cuts(data)
        if () not in cuts:
            checker = _Builder(_without(data, cuts), cat, source, where, year_label=year_label, cuts=cuts, original=data)
            checker.check()
            found = _merged(found, checker.problems)
    raise DatasetError(found)


def _schema_cuts(data: Any) -> frozenset[tuple]:
    """Paths of what the schema refuses: a bad value, an unknown key, or (for a missing required field) the key itself."""
    cuts: set[tuple] = set()
    for err in schema.validator("dataset.schema.json").iter_errors(data):
        path = tuple(err.absolute_path)
        if err.validator == "required" and isinstance(err.instance, dict):
            cuts.update(path + (k,) for k in err.validator_value if k not in err.instance)
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = err.schema.get("properties", {})
            cuts.update(path + (k,) for k in err.instance if k not in known)
        else:
            cuts.add(path)
    return frozenset(cuts)


def _without(v: Any, cuts: frozenset[tuple], path: tuple = ()) -> Any:
    """A copy of the data without the refused parts; a refused list item becomes None, so indexes (and locations) stay.

    Only called on data that passed _unsafe_values: nesting is bounded, so recursion is safe."""
    if isinstance(v, dict):
        return {k: _without(x, cuts, path + (k,)) for k, x in v.items() if path + (k,) not in cuts}
    if isinstance(v, list):
        return [None if path + (i,) in cuts else _without(x, cuts, path + (i,)) for i, x in enumerate(v)]
    return v


def _merged(first: list[Problem], second: list[Problem]) -> list[Problem]:
    """Schema and value problems in one list: duplicates dropped, in file order (line, then JSON path)."""
    unique: dict[tuple, Problem] = {}
    for p in first + second:
        unique.setdefault((p.location, p.code, p.message_en), p)
    return sorted(unique.values(), key=lambda p: (p.line or 0, p.column or 0, _path_key(p.location), p.code))


def _path_key(location: Optional[str]) -> tuple:
    steps = re.findall(r"\.(\w+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]", location or "")
    return tuple((0, int(i), "") if i else (1, 0, name or quoted) for name, i, quoted in steps)


_SURROGATE = re.compile("[\ud800-\udfff]")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")  # not allowed in XML, so not in a Word report


def _unsafe_values(doc: Document, where: Optional[Locator] = None) -> list[Problem]:
    """What a dict passed in by code can hold and a data file cannot: NaN/inf, ints beyond float range,
    non-text keys, lone surrogates, runaway (or cyclic) nesting. Checked before the schema, which lets them through.
    `where` makes the problems (build_dataset's, placing them where its caller's user sees the data)."""
    out: list[Problem] = []
    problem = where or doc.problem
    todo: list[tuple[tuple, Any]] = [((), doc.data)]
    for path, v in todo:  # breadth-first, appending as it goes: no recursion
        if len(out) >= 20:
            break
        if isinstance(v, (dict, list, tuple)) and len(path) >= MAX_DEPTH:
            out.append(problem("too-deep", f"嵌套超过{MAX_DEPTH}层", f"nesting deeper than {MAX_DEPTH} levels", path))
        elif isinstance(v, dict):
            for k, x in v.items():
                if isinstance(k, str):
                    todo.append((path + (k,), x))
                else:
                    out.append(problem("bad-key", f"键 {k!r} 不是文本", f"key {k!r} is not text", path, "键必须是字符串", "keys must be strings"))
        elif isinstance(v, (list, tuple)):
            todo.extend((path + (i,), x) for i, x in enumerate(v))
        elif isinstance(v, float) and not math.isfinite(v):
            out.append(problem("non-finite-number", f"不允许非有限数值 {v}", f"non-finite number {v} is not allowed", path,
                               "填写有限的数值,缺失数据请删除该项", "give a finite number; leave missing data out"))
        elif isinstance(v, int) and not isinstance(v, bool) and abs(v) > 1e308:
            out.append(problem("number-too-large", "整数超出浮点数范围", "integer beyond the range of a float", path))
        elif isinstance(v, str) and _SURROGATE.search(v):
            out.append(problem("not-unicode", "文本含有无效的代理字符", "text contains lone surrogate characters", path,
                               "以UTF-8有效文本填写", "give valid Unicode text"))
        elif isinstance(v, str) and CONTROL_CHARACTERS.search(v):
            out.append(problem("control-character", f"文本含有控制字符 {CONTROL_CHARACTERS.search(v).group()!r}",
                               f"text contains the control character {CONTROL_CHARACTERS.search(v).group()!r}", path,
                               "删除该不可见字符(常见于从其他系统复制的文本)", "remove the invisible character (often pasted from another system)"))
        elif v is not None and not isinstance(v, _PLAIN_TYPES):  # Decimal, complex, bytes, sets, objects: what no file holds
            out.append(problem("unsupported-type", f"值的类型 {type(v).__name__} 不能作为数据", f"a value of type {type(v).__name__} cannot be data",
                               path, "只用文本、数值(int/float)、true/false、列表与键值表;numpy、Decimal 等数值先用 float() 或 int() 转换",
                               "use only text, numbers (int/float), true/false, lists and mappings; convert numpy, Decimal and other numbers with float() or int()"))
    return out


_PLAIN_TYPES = (bool, int, float, str, dt.date)  # dates as plain yaml.safe_load gives them; taken as ISO text


_BARE_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*[%％]?$")  # 15, 1,500, 12.5, 15%: no words, no unit


def _effect_text(effect: Any) -> Optional[str]:
    """A project's expected effect as text (a YAML number 15 or 12.5 as typed; None when not given)."""
    if isinstance(effect, bool) or effect is None:
        return None
    if isinstance(effect, int) or (isinstance(effect, float) and effect.is_integer() and abs(effect) < 1e15):
        return str(int(effect))
    if isinstance(effect, float):
        return repr(effect)
    return effect.strip() if isinstance(effect, str) else None


def _project(p: dict) -> ImprovementProject:
    """A row of 附件2-1-3, its expected effect as text (a bare number is kept, and noted by _Builder._projects)."""
    if "expected_effect" in p and p["expected_effect"] is not None and not isinstance(p["expected_effect"], str):
        p = {**p, "expected_effect": _effect_text(p["expected_effect"])}
    return ImprovementProject(**p)


class _Builder:
    """The value checks (units, bounds, years, catalogue keys) and the ParkDataset built from checked data.

    With `cuts` (the paths the schema refused, already removed from `data`) it only checks what is left:
    required fields may then be missing, and problems that could be consequences of a removed part are not raised."""

    def __init__(self, data: dict, cat: Catalogue, source: str, where: Locator, *, year_label: YearLabel = year_text,
                 cuts: frozenset[tuple] = frozenset(), original: Any = None, workbook: bool = False):
        self.data, self.cat, self.source, self.where, self.year_label = data, cat, source, where, year_label
        self.workbook = workbook  # read from a workbook, whose year columns follow its diagnosis year
        self.cuts = cuts
        self.cut_values = _cut_indicator_years(cuts, original, cat) if cuts else frozenset()
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []  # not errors, but the user must be told (ParkDataset.notes)
        self.demonstration = None  # the 四(三)3 check (check() sets it)
        self.carriers: list[CarrierValue] = []  # energy by carrier (check() fills it)
        self.failed_carriers: set[int] = set()  # years whose energy by carrier has a problem: no total is formed
        self.energy_from_carriers: set[int] = set()  # years whose energy consumption is the sum by carrier (none reported)

    def fail(self, code, zh, en, path, fix_zh=None, fix_en=None, *, note=False):
        """Record a problem; with `note`, one that is not an error but must be shown (ParkDataset.notes)."""
        (self.notes if note else self.problems).append(self.where(code, zh, en, path, fix_zh, fix_en))

    def incomplete(self, path: tuple) -> bool:
        """Whether the schema removed something at or under `path`."""
        n = len(path)
        return any(c[:n] == path for c in self.cuts)

    # ------------------------------------------------------------ top level
    def build(self) -> ParkDataset:
        scored, values, stats, baseline, engagement = self.check()
        if self.problems:
            raise DatasetError(self.problems)
        d = self.data
        return ParkDataset(
            source=self.source, profile=self._profile(d["park"]), diagnosis_year=d["diagnosis_year"], years=scored,
            values=tuple(sorted(values, key=lambda v: (v.year, self.cat.indicator(v.indicator).number))),
            statistics=tuple(sorted(stats, key=lambda s: (s.year, s.statistic))), baseline=baseline,
            engagement=engagement, projects=tuple(_project(p) for p in d.get("projects", [])),
            fictitious=bool(d.get("fictitious", False)), catalogue_label=self.cat.label, catalogue=self.cat,
            notes=tuple(self.notes), demonstration=self.demonstration,
            energy_by_carrier=tuple(sorted(self.carriers, key=lambda c: (c.year, self._carrier_order[c.carrier]))))

    def check(self) -> tuple:
        """Every value check, collecting problems; (scored years, values, statistics, baseline, engagement)."""
        d = self.data
        dy = d.get("diagnosis_year")
        count = self.cat.scoring.years
        scored = tuple(range(dy - count, dy)) if isinstance(dy, int) else ()
        (n_zh, n_en), (cite_zh, cite_en) = count_words(count), count_source(self.cat.scoring)
        span = f"{scored[0]}–{scored[-1]}" if len(scored) > 1 else "".join(map(str, scored))
        if "catalogue" in d and d["catalogue"].get("id") not in (None, self.cat.id):
            self.fail("catalogue-mismatch", f"数据声明的指标目录“{d['catalogue']['id']}”与当前目录“{self.cat.id}”不一致",
                      f"dataset declares catalogue '{d['catalogue']['id']}', but '{self.cat.id}' is in use", ("catalogue", "id"))
        declared = d.get("catalogue", {}).get("version") if isinstance(d.get("catalogue"), dict) else None
        if isinstance(declared, str):
            self._check_catalogue_version(declared)
        years_seen: dict[int, int] = {}
        values: list[IndicatorValue] = []
        stats: list[StatisticValue] = []
        given = {b.get("year") for b in d.get("years", []) if isinstance(b, dict)}
        some_scored = bool(scored) and any(y in given for y in scored)  # else no-scored-year says it, once
        for i, block in enumerate(d.get("years", [])):
            y = block.get("year") if isinstance(block, dict) else None
            if y is None:  # refused by the schema (already reported)
                continue
            if y in years_seen:
                self.fail("duplicate-year", f"年份 {y} 重复出现(另见 years[{years_seen[y]}])", f"year {y} appears twice (see also years[{years_seen[y]}])",
                          ("years", i, "year"), "合并同一年份的数据", "merge the data of that year into one block")
                continue
            years_seen[y] = i
            if scored and y >= dy:
                self.fail("year-not-before-diagnosis", f"年份 {y} 不早于诊断年份 {dy}", f"year {y} is not before the diagnosis year {dy}",
                          ("years", i, "year"), f"诊断年份的前{n_zh}年为 {span}{cite_zh}",
                          f"the {n_en} before the diagnosis {'are' if count > 1 else 'is'} {span}{cite_en}")
                continue
            if some_scored and y < scored[0] - 1:
                self._year_not_used(y, dy, scored, ("years", i, "year"))
                continue
            if scored and y == scored[0] - 1 and block.get("indicators"):
                self._base_year_indicators(y, scored, ("years", i, "indicators"))
            stats.extend(self._statistics(y, block.get("statistics", {}), ("years", i, "statistics")))
            if block.get("energy_by_carrier"):
                self._carriers(y, block["energy_by_carrier"], ("years", i, "energy_by_carrier"))
            values.extend(self._indicators(y, block.get("indicators", {}), ("years", i, "indicators")))
        if scored and not any(y in years_seen for y in scored) and not self.incomplete(("years",)):
            self.fail("no-scored-year", f"没有诊断年份前{n_zh}年({span})的数据", f"no data for the {n_en} before the diagnosis ({span})",
                      ("years",), "检查 diagnosis_year 与 years 中的年份", "check diagnosis_year and the years given")
        stats = self._energy_total(stats, years_seen)
        values = self._derive(values, stats, scored, years_seen)
        self._note_empty_years(scored, values, years_seen)
        baseline = self._baseline(d.get("baseline", []))
        engagement = self._engagement(d.get("engagement", {}))
        self._projects(d.get("projects", []))
        self.demonstration = self._demonstration(d.get("demonstration_work"))
        return scored, values, stats, baseline, engagement

    def _years_text(self, scored: tuple[int, ...]) -> tuple[str, str]:
        """The scored years as messages name them: ("2022–2024年", "2022–2024")."""
        first, last = self.year_label(scored[0]), self.year_label(scored[-1])
        if len(scored) == 1:
            return first
        return f"{first[1]}–{last[0]}", f"{first[1]}–{last[1]}"

    def _year_not_used(self, year: int, dy: int, scored: tuple[int, ...], path: tuple) -> None:
        """A year before the base year: no formula reads it (year-over-year ones read only the year before a scored
        year), so all of its data would be dropped without a word."""
        base = scored[0] - 1
        (n_zh, n_en), (span_zh, span_en) = count_words(len(scored)), self._years_text(scored)
        base_zh, base_en = self.year_label(base)
        year_zh, year_en = self.year_label(year)
        self.fail("year-before-base-year",
                  f"{year_zh}既不是评分年份({span_zh})也不是基准年({base_zh}),该年的数据不会被使用",
                  f"{year_en} is neither a scored year ({span_en}) nor the base year ({base_en}): its data would not be used", path,
                  f"评分年份为诊断年份 {dy} 的前{n_zh}年,基准年为其前一年(只用其统计数据推导同比指标):如诊断年份有误,改正 "
                  f"diagnosis_year;如这是基准年的数据,把年份改为 {base};否则删去该年份块",
                  f"the scored years are the {n_en} before the diagnosis year {dy}, the base year the one before them (only its "
                  f"statistics are used, for year-over-year indicators): correct diagnosis_year if it is wrong; if these are the "
                  f"base year's data, set the year to {base}; otherwise remove this year's block")

    def _base_year_indicators(self, year: int, scored: tuple[int, ...], path: tuple) -> None:
        """Indicator values given for the base year are not scored (a workbook has no column for them): said, not dropped silently."""
        (span_zh, span_en), (year_zh, year_en) = self._years_text(scored), self.year_label(year)
        self.fail("base-year-indicators",
                  f"{year_zh}是基准年(评分年份为 {span_zh}):其指标值不参与评分,只有统计数据用于推导同比指标",
                  f"{year_en} is the base year (the scored years are {span_en}): its indicator values are not scored; only its "
                  f"statistics are used, for year-over-year indicators", path,
                  "如这些指标值属于某一评分年份,移到该年份块;否则可删去",
                  "if these values belong to a scored year, move them to that year's block; otherwise they can be removed", note=True)

    def _note_empty_years(self, scored: tuple[int, ...], values: list[IndicatorValue], blocks: dict[int, int]) -> None:
        """A scored year without a single indicator value (reported or derived), typically because its statistics are
        not yet published: every indicator of it would be scored as missing, so the user is told and shown both ways out."""
        filled = {v.year for v in values}
        if not filled & set(scored):  # no data at all: no-scored-year (or the workbook's no-indicator-data) says it
            return
        last = max(y for y in scored if y in filled)
        for y in scored:
            if y in filled:
                continue
            year_zh, year_en = self.year_label(y)
            fix_zh = f"填写{year_zh}的指标值(或推导所需的统计数据)"
            fix_en = f"fill in the indicator values of {year_en} (or the statistics they are derived from)"
            if y > last and self.year_label is year_text:  # the scored years could end with the last year that has data
                n = len(scored)
                moved = tuple(range(last + 1 - n, last + 1))
                span_zh, span_en = self._years_text(moved)
                fix_zh += (f";如该年统计数据尚未发布,可把诊断年份改为 {last + 1},评分年份即为 {span_zh}"
                           f"(这{count_words(n)[0]}年都须有数据,基准年为 {moved[0] - 1})")
                fix_en += (f"; if that year's statistics are not yet published, set the diagnosis year to {last + 1}: the scored "
                           f"years are then {span_en} (each needs data; the base year is {moved[0] - 1})")
                if self.workbook:  # the columns are named after the diagnosis year: the values must follow their year
                    fix_zh += ";工作簿各列的年份随之改变,须把已填数据移到其年份所在的列"
                    fix_en += "; the workbook's columns change their years with it, so move each value to its year's column"
            self.fail("empty-scored-year",
                      f"评分年份{year_zh}没有任何指标数据:该年不可评分(不计类别得分、总分与评级,也不按0分计)",
                      f"the scored year {year_en} holds no indicator data at all: it cannot be scored (no category scores, total "
                      f"or band, and no zeros either)",
                      ("years", blocks[y]) if y in blocks else ("years",), fix_zh, fix_en, note=True)

    def _projects(self, projects: Any) -> None:
        """The fixed-asset investment of a project is part of its total investment (附件2-1-3 “其中固定资产投资”); an
        expected effect that is a bare number (15, "15", "15%") says neither what it is nor its unit: a note, not an error,
        since the report prints the effect as given and computes nothing from it (blocking a diagnosis over wording would
        be out of proportion), while a reader of 附件2-1-3 cannot tell what "15" means."""
        for i, p in enumerate(projects if isinstance(projects, list) else ()):
            effect = p.get("expected_effect") if isinstance(p, dict) else None
            shown = _effect_text(effect)
            if shown is not None and _BARE_NUMBER.match(shown):
                self.fail("effect-without-words", f"改进项目 {i + 1}:预期实施效果只有数值“{shown}”,没有说明是什么效果及其单位",
                          f"project {i + 1}: the expected effect is only the number '{shown}': it says neither what the effect is "
                          "nor its unit", ("projects", i, "expected_effect"),
                          "用文字写明效果及其单位,如“年节约标准煤约1500 t”“年减排二氧化碳约3900 t”“水重复利用率提高至95%”",
                          "describe the effect in words with its unit, e.g. 年节约标准煤约1500 t (saves about 1500 t of standard "
                          "coal a year) or 年减排二氧化碳约3900 t (about 3900 t less CO2 a year)", note=True)
            total, fixed = (p.get(k) if isinstance(p, dict) else None for k in ("total_investment", "fixed_investment"))
            if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (total, fixed)) and fixed > total:
                self.fail("investment-parts", f"改进项目 {i + 1}:其中固定资产投资 {fixed:g} 万元大于总投资 {total:g} 万元",
                          f"project {i + 1}: the fixed-asset investment {fixed:g} (10⁴ yuan) exceeds the total investment {total:g}",
                          ("projects", i, "fixed_investment"), "固定资产投资是总投资的一部分:核对两项金额(单位均为万元)",
                          "the fixed-asset investment is part of the total: check both amounts (both in 10⁴ yuan)")

    def _demonstration(self, rows: Any) -> Optional[tuple[DemonstrationWork, ...]]:
        """The 四(三)3 check: None when the data do not record it; each kind once (a titled kind, "other", once per title),
        a known status, a title where the kind needs one."""
        if not isinstance(rows, list):  # absent (or refused by the schema, already reported)
            return None
        seen: dict[tuple, int] = {}
        out = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or not isinstance(row.get("kind"), str):
                continue
            path = ("demonstration_work", i)
            try:
                kind = self.cat.demonstration_kind(row["kind"])
            except KeyError:
                ids = [k.id for k in self.cat.demonstration_kinds]
                by_name = {x: k.id for k in self.cat.demonstration_kinds for x in (k.id, k.name_zh, k.name_en)}
                folded = {x.lower(): k for x, k in by_name.items()}  # " Water_Cascade " is water_cascade, said first
                near = ([folded[row["kind"].strip().lower()]] if row["kind"].strip().lower() in folded else []) + [
                    by_name[m] for m in difflib.get_close_matches(row["kind"], list(by_name), n=3, cutoff=0.5)]
                near = list(dict.fromkeys(near))
                titled = next((k.id for k in self.cat.demonstration_kinds if k.titled), None)
                other_zh = f"(其他工作用 {titled} 并填写 title_zh)" if titled else ""
                other_en = f" (other work: kind {titled} with a title_zh)" if titled else ""
                self.fail("unknown-demonstration-kind", f"示范性工作类别“{row['kind']}”不存在", f"there is no kind of demonstrative work '{row['kind']}'",
                          path + ("kind",), *_or_overlay((f"是否指:{'、'.join(near)}?" if near else "") + f"类别为 {'、'.join(ids)}{other_zh}",
                                                         (f"did you mean: {', '.join(near)}? " if near else "") + f"the kinds are "
                                                         f"{', '.join(ids)}{other_en}", "demonstration_kinds", row["kind"],
                                                         "示范性工作类别", "kind of demonstrative work"))
                continue
            title = (row.get("title_zh") or "").strip() or None
            if kind.titled and title is None:
                if self.incomplete(path + ("title_zh",)):  # given, but refused by the schema (too long, not text): said there
                    continue
                self.fail("demonstration-title-missing", f"示范性工作第{i + 1}项为“{kind.name_zh}”,须填写标题",
                          f"demonstrative work {i + 1} is '{kind.name_en}', which needs a title of its own", path + ("title_zh",),
                          "在 title_zh 中写明该项工作的名称(如“园区光储充一体化示范站”)",
                          "give the work's name in title_zh (e.g. 园区光储充一体化示范站, a PV-storage-charging station)")
                continue
            key = (kind.id, title) if kind.titled else (kind.id,)
            if key in seen:
                what_zh = f"“{title}”({kind.name_zh})" if kind.titled else f"“{kind.name_zh}”"
                what_en = f"'{title}' ({kind.name_en})" if kind.titled else f"'{kind.name_en}'"
                self.fail("duplicate-demonstration-kind", f"示范性工作{what_zh}重复填写(另见第{seen[key] + 1}项)",
                          f"demonstrative work {what_en} is given twice (see also item {seen[key] + 1})", path + ("kind",),
                          "每一类只填一项,把两处的情况合并到一项的说明中;“其他”工作可填多项,标题各不相同",
                          "give each kind once and merge what the two items say into one; 'other' work may be given more than once, each "
                          "with a title of its own")
                continue
            seen[key] = i
            status = row.get("status")
            sid = _demonstration_status(status)
            if sid is None:
                if isinstance(status, str):
                    zh = "、".join(v[0] for v in DEMONSTRATION_STATUS.values())
                    self.fail("bad-demonstration-status", f"示范性工作“{title or kind.name_zh}”的核查情况“{status}”不是可选值",
                              f"demonstrative work '{title or kind.name_en}': status '{status}' is not one of the choices", path + ("status",),
                              f"填写 {zh}(或 {'、'.join(DEMONSTRATION_STATUS)})",
                              "give " + ", ".join(f"{k} ({v[0]})" for k, v in DEMONSTRATION_STATUS.items()))
                continue
            out.append(DemonstrationWork(kind.id, sid, title, (row.get("title_en") or "").strip() or None, row.get("description"),
                                         row.get("evidence")))
        return tuple(out)

    def _check_catalogue_version(self, declared: str) -> None:
        """Data written for another major version of the catalogue may name other indicators or units: refused.
        A minor or patch difference is fine (same indicators; lead values or wording may have been corrected)."""
        from packaging.version import InvalidVersion, Version

        path = ("catalogue", "version")
        try:
            want = Version(declared)
        except InvalidVersion:
            self.fail("catalogue-version", f"目录版本“{declared}”无法识别", f"catalogue version '{declared}' is not a version number", path,
                      f"写成如 {self.cat.version} 的版本号,或删除该字段", f"write a version such as {self.cat.version}, or leave the field out")
            return
        if want.major != Version(self.cat.version).major:
            self.fail("catalogue-version", f"数据按目录版本 {declared} 编写,当前目录为 {self.cat.version}(主版本不同,指标可能不同)",
                      f"the data was written for catalogue version {declared}; this is {self.cat.version} (another major version: the indicators may differ)",
                      path, f"按 {self.cat.version} 版目录核对数据(greendiag template 生成新模板),再改写版本号",
                      f"check the data against catalogue {self.cat.version} (greendiag template writes a new workbook), then update the version")

    # ------------------------------------------------------------ values
    def _number(self, raw: Any, unit: Optional[str], target_unit: str, path: tuple,
                what: tuple[str, str]) -> Optional[tuple[float, str]]:
        """(value in target unit, text as given) or None after recording a problem. `what`: (zh, en) label."""
        evidence_unit = unit if not isinstance(unit, str) or unit.strip() else None  # "  " is no unit, as "" is (not dimensionless)
        what_zh, what_en = what
        example = f"3.2 {target_unit}".strip()  # an example in the unit of this very value
        if isinstance(raw, bool):
            self.fail("not-a-number", f"{what_zh}:{raw!r} 不是数值", f"{what_en}: {raw!r} is not a number", path)
            return None
        if isinstance(raw, (int, float)):
            number, given_unit = float(raw), None
        else:
            try:
                number, given_unit = units.split_quantity(str(raw))
            except ValueError as exc:
                if str(exc) == units.DECIMAL_COMMA:
                    self.fail("decimal-comma", f"{what_zh}:“{raw}”中的逗号不是千位分隔符", f"{what_en}: the comma in '{raw}' is no thousands separator",
                              path, "小数请用小数点“.”(如 8.5);逗号只用于千位分隔(如 1,234.5)",
                              "write decimals with a point (8.5); a comma may only separate thousands (1,234.5)")
                    return None
                if str(exc) == units.DATE_TEXT:
                    self.fail("not-a-number", f"{what_zh}:“{raw}”是日期,不是数值", f"{what_en}: '{raw}' is a date, not a number",
                              path, f"填写数值,如 “{example}”", f"give a number, e.g. '{example}'")
                    return None
                if str(exc) == units.STACKED_PERCENT:
                    self.fail("unknown-unit", f"{what_zh}:“{raw}”含多个百分号/千分号(会被当作相乘,数值缩小百倍以上)",
                              f"{what_en}: '{raw}' has more than one percent or per-mille sign (they would multiply, shrinking the number)",
                              path, f"只写一个单位,如 “{example}”", f"give one unit only, e.g. '{example}'")
                    return None
                self.fail("not-a-number", f"{what_zh}:“{raw}”不是数值", f"{what_en}: '{raw}' is not a number", path,
                          f"填写数值,可带单位,如 “{example}”;单位默认为 {target_unit or '无量纲'}",
                          f"give a number, optionally with a unit, e.g. '{example}'; the default unit is {target_unit or 'dimensionless'}")
                return None
            given_unit = given_unit or None
        if given_unit and evidence_unit and units.normalise(given_unit) != units.normalise(evidence_unit):
            self.fail("conflicting-unit", f"{what_zh}:数值自带单位“{given_unit}”与 unit 字段“{evidence_unit}”矛盾",
                      f"{what_en}: the unit in the value, '{given_unit}', contradicts the unit field '{evidence_unit}'", path)
            return None
        from_unit = given_unit or evidence_unit or target_unit
        try:
            value = units.convert_input(number, from_unit, target_unit)  # tidied: no 2.8400000000000003
        except UnitError as exc:
            p = exc.problems[0]
            fix_zh, fix_en = p.fix_zh, p.fix_en
            if p.code == "unknown-unit":  # the registry's fix names indicator units; this value has its own
                fix_zh = f"使用可换算为 {target_unit or '无量纲'} 的单位(如 “{example}”),或只填数值(默认单位 {target_unit or '无量纲'})"
                fix_en = f"use a unit that converts to {target_unit or 'dimensionless'} (e.g. '{example}'), or give the number alone (default unit {target_unit or 'dimensionless'})"
            elif p.code == "wrong-dimension":
                fix_zh, fix_en = self._dimension_hint(from_unit, target_unit) or (fix_zh, fix_en)
            self.fail(p.code, f"{what_zh}:{p.message_zh}", f"{what_en}: {p.message_en}", path, fix_zh, fix_en)
            return None
        if not math.isfinite(value):
            self.fail("number-too-large", f"{what_zh}:换算为 {target_unit} 后超出浮点数范围", f"{what_en}: overflows when converted to {target_unit}", path)
            return None
        text = f"{number:g} {from_unit}".strip() if not isinstance(raw, str) else str(raw)
        return value, text

    def _dimension_hint(self, given: str, target: str) -> Optional[tuple[str, str]]:
        """The fix for two wrong units people often mean: energy in kWh where tce is read (the catalogue's GB/T 2589
        electricity coefficient is quoted, the park converts), and tonnes of water where m3 is read or back."""
        def converts(a: str, b: str) -> bool:
            try:
                units.factor(a, b)
                return True
            except UnitError:
                return False

        if converts(given, "kWh") and converts(target, "tce"):
            coef = next((c for c in self.cat.coal_coefficients if c.key == "electricity"), None)
            example = f",如电力按 {coef.value:g} {coef.unit}(当量值,GB/T 2589)" if coef else ""
            example_en = f", e.g. electricity at {coef.value:g} {coef.unit} (calorific equivalent, GB/T 2589)" if coef else ""
            return (f"能源消费量以标准煤计(如 {target}):请把各品种能源按折标准煤系数折算后合计{example};系数见指标目录的 conversion.yaml",
                    f"energy consumption is read as standard coal (e.g. {target}): convert each carrier with its standard-coal "
                    f"coefficient and add them up{example_en}; the coefficients are in the catalogue's conversion.yaml")
        for mass, volume in ((given, target), (target, given)):
            if converts(mass, "t") and converts(volume, "m3"):
                return (f"该项以 {target} 计;如所填为水量,可按 1 吨水 = 1 立方米换算后填写(如 “1390 万吨” 写作 “1390 万m3”,反之亦然)",
                        f"this item is read in {target}; if it is water, take 1 t of water as 1 m3 (write '1390 万吨' as "
                        f"'1390 万m3', or the other way round)")
        return None

    def _check_bounds(self, ind: Indicator, year: int, value: float, path: tuple, derived: bool = False) -> bool:
        what_zh, what_en = indicator_label(ind, self.year_label(year))
        how = "(由统计数据推导)" if derived else ""
        how_en = " (derived from statistics)" if derived else ""
        basis_zh, basis_en = ind.bounds_basis_zh, ind.bounds_basis_en
        why_zh = f"({basis_zh})" if basis_zh else ""
        why_en = f" ({basis_en})" if basis_en else ""
        if ind.bounds_min is not None and value < ind.bounds_min:
            code = "negative-value" if ind.bounds_min == 0 else "below-bounds"
            self.fail(code, f"{what_zh}{how}:{value:g} 低于下限 {ind.bounds_min:g}{why_zh}",
                      f"{what_en}{how_en}: {value:g} is below {ind.bounds_min:g}{why_en}", path,
                      "核对数据与单位;缺失数据请留空", "check the value and its unit; leave missing data out")
            return False
        if ind.bounds_max is not None and value > ind.bounds_max:
            code = "share-over-100" if ind.is_share else "above-bounds"
            self.fail(code, f"{what_zh}{how}:{value:g} 超过上限 {ind.bounds_max:g}{why_zh}",
                      f"{what_en}{how_en}: {value:g} is above {ind.bounds_max:g}{why_en}", path,
                      "比例以百分数填写(如 95 表示 95 %),并核对分子分母", "give shares in percent (95 means 95 %) and check numerator and denominator")
            return False
        return True

    def _indicators(self, year: int, block: dict, path: tuple) -> list[IndicatorValue]:
        out = []
        for key, raw in block.items():
            p = path + (key,)
            try:
                ind = self.cat.indicator(key)
            except KeyError:
                close = difflib.get_close_matches(key, [i.id for i in self.cat.indicators] + [i.name_zh for i in self.cat.indicators], n=1)
                hint = f"是否应为“{close[0]}”?" if close else "见 `greendiag catalogue list`"
                hint_en = f"did you mean '{close[0]}'?" if close else "see `greendiag catalogue list`"
                self.fail("unknown-indicator", f"未知指标“{key}”", f"unknown indicator '{key}'", p,
                          *_or_overlay(hint, hint_en, "indicators", key, "指标", "indicator"))
                continue
            raw_value, unit, evidence = (raw.get("value"), raw.get("unit"), raw.get("evidence")) if isinstance(raw, dict) else (raw, None, None)
            what_zh, what_en = what = indicator_label(ind, self.year_label(year))
            vp = p + ("value",) if isinstance(raw, dict) else p
            if ind.qualitative:
                level = ind.level(str(raw_value)) if isinstance(raw_value, str) else None
                if level is None:
                    allowed = "、".join(f"“{lv.zh}”或“{lv.id}”" for lv in ind.levels)  # the name or the id: both are read
                    self.fail("unknown-level", f"{what_zh}:“{raw_value}”不是允许的档次", f"{what_en}: '{raw_value}' is not an allowed level", vp,
                              f"填写档次名称或代码:{allowed}",
                              "give the level's name or id: " + "; ".join(f"'{lv.zh}' or '{lv.id}' ({lv.en})" for lv in ind.levels))
                    continue
                out.append(IndicatorValue(ind.id, year, None, level.id, "reported", str(raw_value), evidence, None, json_path(vp)))
                continue
            got = self._number(raw_value, unit, ind.unit, vp, what)
            if got is None or not self._check_bounds(ind, year, got[0], vp):
                continue
            out.append(IndicatorValue(ind.id, year, got[0], None, "reported", got[1], evidence, None, json_path(vp)))
        return out

    def _statistics(self, year: int, block: dict, path: tuple) -> list[StatisticValue]:
        out = []
        known = {s.id: s for s in self.cat.statistics}
        for key, raw in block.items():
            p = path + (key,)
            stat = known.get(key)
            if stat is None:
                close = difflib.get_close_matches(key, list(known), n=1)
                self.fail("unknown-statistic", f"未知统计量“{key}”", f"unknown statistic '{key}'", p,
                          *_or_overlay(f"是否应为“{close[0]}”?" if close else "见 catalogue/statistics.yaml",
                                       f"did you mean '{close[0]}'?" if close else "see catalogue/statistics.yaml", "statistics", key, "统计量", "statistic"))
                continue
            raw_value, unit, evidence = (raw.get("value"), raw.get("unit"), raw.get("evidence")) if isinstance(raw, dict) else (raw, None, None)
            vp = p + ("value",) if isinstance(raw, dict) else p
            what_zh, what_en = what = statistic_label(stat, self.year_label(year))
            got = self._number(raw_value, unit, stat.unit, vp, what)
            if got is None:
                continue
            if got[0] < 0:
                self.fail("negative-value", f"{what_zh}:{got[0]:g} 为负数", f"{what_en}: {got[0]:g} is negative", vp)
                continue
            if stat.unit == "day" and got[0] > MAX_DAYS:  # a count of days within its year (statistics.yaml)
                self.fail("above-bounds", f"{what_zh}:{got[0]:g} 天超过一年的天数(至多 {MAX_DAYS} 天)",
                          f"{what_en}: {got[0]:g} days is more than a year has (at most {MAX_DAYS})", vp,
                          "按天计的统计量是该年内的天数:核对数值(是否填了别的量或多年合计)",
                          "a statistic in days counts days within its year: check the value (another quantity, or several years added up?)")
                continue
            out.append(StatisticValue(stat.id, year, got[0], got[1], evidence))
        return out

    # ------------------------------------------------------------ energy by carrier
    @property
    def _carrier_order(self) -> dict[str, int]:
        return {c.key: i for i, c in enumerate(self.cat.coal_coefficients)}

    def _carriers(self, year: int, block: Any, path: tuple) -> None:
        """A year's energy by carrier: each a known carrier with an explicit unit of its coefficient's dimension, not
        negative, converted to tce with the catalogue's coefficient. A year with a problem gets no total (self.failed)."""
        if not isinstance(block, dict):
            return
        before = len(self.problems)
        year_zh, year_en = self.year_label(year)
        for key, raw in block.items():
            p = path + (key,)
            try:
                coef = self.cat.coal_coefficient(key)
            except KeyError:
                coefs = self.cat.coal_coefficients
                by_name = {x: c.key for c in coefs for x in (c.key, c.name_zh, c.name_en)}
                near = [by_name[m] for m in difflib.get_close_matches(key, list(by_name), n=3, cutoff=0.5)]
                near += [c.key for c in coefs if key.strip() and (key.strip() in c.name_zh or key.strip().lower() in c.name_en.lower())]
                near = list(dict.fromkeys(near))[:3]
                ids = [c.key for c in coefs]
                self.fail("unknown-carrier", f"{year_zh} 未知能源品种“{key}”", f"{year_en}: unknown energy carrier '{key}'", p,
                          (f"是否指:{'、'.join(near)}?" if near else "") + f"能源品种用目录 conversion.yaml 的 id:{'、'.join(ids)}",
                          (f"did you mean: {', '.join(near)}? " if near else "") + f"give a carrier id of the catalogue's "
                          f"conversion.yaml: {', '.join(ids)}")
                continue
            raw_value, unit, evidence = (raw.get("value"), raw.get("unit"), raw.get("evidence")) if isinstance(raw, dict) else (raw, None, None)
            vp = p + ("value",) if isinstance(raw, dict) else p
            what_zh, what_en = what = (f"{year_zh} {coef.name_zh}", f"{year_en} {coef.name_en}")
            in_text, number = None, isinstance(raw_value, (int, float)) and not isinstance(raw_value, bool)
            if isinstance(raw_value, str):
                try:
                    in_text, number = units.split_quantity(raw_value)[1] or None, True
                except ValueError as exc:  # not a number: _number words the special cases (a date, a decimal comma…)
                    if str(exc) == units.NOT_FINITE:  # 1e400 t: a number, beyond a float
                        self.fail("number-too-large", f"{what_zh}:“{raw_value}”超出浮点数范围", f"{what_en}: '{raw_value}' is beyond the "
                                  "range of a float", vp, "核对数值与单位(如 万t 与 t)", "check the number and its unit (万t and t?)")
                        continue
                    if str(exc) not in (units.DECIMAL_COMMA, units.DATE_TEXT, units.STACKED_PERCENT):
                        example = f"{12.5:g} {carrier_units(coef.per, self.cat)[0]}"
                        self.fail("not-a-number", f"{what_zh}:“{raw_value}”不是数值", f"{what_en}: '{raw_value}' is not a number", vp,
                                  f"填写实物消费量及其单位,如 “{example}”", f"give the quantity consumed with its unit, e.g. '{example}'")
                        continue
            given_unit = in_text or (unit.strip() if isinstance(unit, str) and unit.strip() else None)
            first, usual = carrier_units(coef.per, self.cat)[0], "、".join(carrier_units(coef.per, self.cat))
            if number and given_unit is None:  # a bare number: kWh or 万kWh, t or kg? never guessed
                self.fail("carrier-unit-missing", f"{what_zh}:{raw_value} 没有计量单位", f"{what_en}: {raw_value} has no unit", vp,
                          f"写明单位,如 “{raw_value} {first}” 或 unit: {first}(可用 {usual} 等)",
                          f"give its unit, e.g. '{raw_value} {first}' or unit: {first} ({usual.replace('、', ', ')} and the like)")
                continue
            if number and not self._carrier_unit_fits(given_unit, coef, what, vp if in_text else p + ("unit",)):
                continue
            got = self._number(raw_value, unit, coef.per, vp, what)
            if got is None:
                continue
            if got[0] < 0:
                self.fail("negative-value", f"{what_zh}:{got[1]} 为负数", f"{what_en}: {got[1]} is negative", vp,
                          "消费量不能为负:核对数值;没有该品种则删去此项", "a consumption cannot be negative: check the value; leave the carrier out if there is none")
                continue
            own = self._own_coefficient(coef, raw.get("coefficient"), p + ("coefficient",), what) if isinstance(raw, dict) and "coefficient" in raw else None
            if own is False:
                continue
            tce = got[0] * (own[0] if own else coef.value) * units.factor(f"({coef.unit})*({coef.per})", "tce")
            if not math.isfinite(tce):
                self.fail("number-too-large", f"{what_zh}:折算为标准煤后超出浮点数范围", f"{what_en}: overflows when converted to standard coal", vp)
                continue
            given = got[1] if isinstance(raw_value, str) else quantity_text(float(raw_value), given_unit)
            self.carriers.append(CarrierValue(coef.key, year, got[0], coef.per, given, given_unit, units.tidy(tce), evidence,
                                              *(own or (None, None, None))))
        if len(self.problems) > before or self.incomplete(path):
            self.failed_carriers.add(year)

    def _own_coefficient(self, coef, raw: Any, path: tuple, what: tuple[str, str]):
        """A carrier's own coefficient (GB/T 2589: its measured low calorific value), given in kgce per its unit or as the
        calorific value in kJ (MJ…) per unit, divided by that of 1 kgce (conversion.yaml, 29307 kJ): (kgce per unit, as
        given, evidence), or False after a problem. Only carriers with an `own` range take one; it must lie in it."""
        what_zh, what_en = what
        per = coef.per
        units_zh = f"kgce/{per}(折标准煤系数)或 kJ/{per}(实测低位发热量)"
        units_en = f"kgce/{per} (a standard-coal coefficient) or kJ/{per} (a measured low calorific value)"
        if coef.own is None:
            self.fail("coefficient-not-accepted", f"{what_zh}:不接受自带折标系数(按目录系数 {coef.value:g} {coef.unit} 折算)",
                      f"{what_en}: takes no own coefficient (converted with the catalogue's {coef.value:g} {coef.unit})", path,
                      f"删除 coefficient:{coef.name_zh}本身是能量,其系数由 1 kgce 的定义({self.cat.calorific_value:g} kJ)决定;电力只按当量值折算,不按等价值",
                      f"remove coefficient: {coef.name_en} is energy already, its coefficient follows from the definition of 1 kgce; "
                      "electricity is converted at its calorific equivalent only, never at an 等价值")
            return False
        value, unit, evidence = (raw.get("value"), raw.get("unit"), raw.get("evidence")) if isinstance(raw, dict) else (raw, None, None)
        number, in_text = None, None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number, in_text = units.split_quantity(value)
            except ValueError as exc:
                number = None
                if str(exc) == units.NOT_FINITE:  # 1e400 kJ/kg: a number, beyond a float
                    self.fail("number-too-large", f"{what_zh}:折标系数“{value}”超出浮点数范围", f"{what_en}: the coefficient '{value}' is "
                              "beyond the range of a float", path + ("value",) if isinstance(raw, dict) else path,
                              f"核对数值与单位,如 “{coef.value:g} {coef.unit}”", f"check the number and its unit, e.g. '{coef.value:g} {coef.unit}'")
                    return False
        vp = path + ("value",) if isinstance(raw, dict) else path
        field_unit = unit.strip() if isinstance(unit, str) and unit.strip() else None
        if number is not None and in_text and field_unit and units.normalise(in_text) != units.normalise(field_unit):
            self.fail("conflicting-unit", f"{what_zh}:折标系数自带单位“{in_text}”与 unit 字段“{field_unit}”矛盾",
                      f"{what_en}: the unit in the coefficient, '{in_text}', contradicts the unit field '{field_unit}'", vp,
                      "只保留一个单位:删去 unit 字段,或删去数值中的单位", "keep one unit: remove the unit field, or the unit in the value")
            return False
        if number is None:
            self.fail("not-a-number", f"{what_zh}:折标系数“{value}”不是数值", f"{what_en}: the coefficient '{value}' is not a number", vp,
                      f"填写系数及其单位,如 “{coef.value:g} {coef.unit}”", f"give the coefficient with its unit, e.g. '{coef.value:g} {coef.unit}'")
            return False
        unit = in_text or (unit.strip() if isinstance(unit, str) and unit.strip() else None)
        kgce = None
        for target, scale in ((f"kgce/{per}", 1.0), (f"kJ/{per}", 1 / self.cat.calorific_value)):
            try:
                kgce = number * units.factor(unit, target) * scale if unit else None
                break
            except UnitError:
                continue
        if kgce is None:
            self.fail("coefficient-unit", f"{what_zh}:折标系数 {number:g} {unit or ''}".rstrip() + f" 的单位{'缺失' if not unit else '不是 ' + units_zh}",
                      f"{what_en}: the coefficient {number:g} {unit or ''}".rstrip() + f" {'has no unit' if not unit else 'is in neither ' + units_en.replace(' or ', ' nor ')}",
                      vp if in_text or not isinstance(raw, dict) else path + ("unit",),
                      f"写明单位:{units_zh},如 “{coef.value:g} {coef.unit}” 或 “{coef.value * self.cat.calorific_value:.0f} kJ/{per}”",
                      f"give its unit: {units_en}, e.g. '{coef.value:g} {coef.unit}' or '{coef.value * self.cat.calorific_value:.0f} kJ/{per}'")
            return False
        low, high = coef.own
        if not (math.isfinite(kgce) and low <= kgce <= high):
            shown = f"{number:g} {unit} " if units.normalise(unit) == units.normalise(f"kgce/{per}") else f"{number:g} {unit}(即 {kgce:.4g} kgce/{per})"
            shown_en = f"{number:g} {unit}" + ("" if units.normalise(unit) == units.normalise(f"kgce/{per}") else f" ({kgce:.4g} kgce/{per})")
            self.fail("coefficient-out-of-range", f"{what_zh}:折标系数 {shown}不在{coef.name_zh}的合理范围 {low:g}–{high:g} kgce/{per} 内",
                      f"{what_en}: the coefficient {shown_en} is outside the plausible range for {coef.name_en}, {low:g}–{high:g} kgce/{per}",
                      vp, f"核对数值与单位(kJ 与 MJ、大卡与 kJ 是否混淆;低位发热量按 kJ/{per} 填写,目录系数为 {coef.value:g} {coef.unit})",
                      f"check the number and its unit (kJ and MJ, kcal and kJ mixed up? a low calorific value goes in kJ/{per}; the "
                      f"catalogue's coefficient is {coef.value:g} {coef.unit})")
            return False
        evidence = evidence.strip() if isinstance(evidence, str) and evidence.strip() else None
        if evidence is None:
            self.fail("coefficient-evidence-missing", f"{what_zh}:自带折标系数没有证明材料(如煤质化验报告、燃气热值检测报告)",
                      f"{what_en}: the own coefficient has no evidence (a fuel analysis or gas calorific value report)",
                      path + ("evidence",) if isinstance(raw, dict) else path,
                      "在 coefficient 的 evidence 中写明实测报告的索引;没有实测值时删除 coefficient,按目录系数折算",
                      "give the index of the test report as the coefficient's evidence; without a measured value remove coefficient "
                      "and the catalogue's coefficient is used")
            return False
        given = value.strip() if isinstance(value, str) and in_text else quantity_text(number, unit)
        return units.tidy(kgce), given, evidence

    def _carrier_unit_fits(self, given: str, coef, what: tuple[str, str], path: tuple) -> bool:
        """Whether a carrier's unit converts to its coefficient's (kWh ↔ 万kWh, MJ ↔ GJ, kg ↔ t ↔ 万t, m3 ↔ 万m3); a unit of
        another dimension (coal in m3, electricity in t) is a problem naming the units that fit."""
        usual = carrier_units(coef.per, self.cat)
        try:
            units.factor(given, coef.per)
            return True
        except UnitError as exc:
            p = exc.problems[0]
            if p.code != "wrong-dimension":  # an unknown unit: said with the units that fit this carrier
                self.fail(p.code, f"{what[0]}:{p.message_zh}", f"{what[1]}: {p.message_en}", path,
                          f"{coef.name_zh}用 {'、'.join(usual)} 等单位", f"give {coef.name_en} in {', '.join(usual)} or the like")
                return False
        self.fail("wrong-dimension", f"{what[0]}:单位“{given}”不能换算为 {coef.per}(折标准煤系数 {coef.value:g} {coef.unit} 按 {coef.per} 计)",
                  f"{what[1]}: the unit '{given}' does not convert to {coef.per} (the standard-coal coefficient {coef.value:g} "
                  f"{coef.unit} is per {coef.per})", path,
                  f"{coef.name_zh}以 {'、'.join(usual)} 等计量:按实物量填写并改正单位", f"give {coef.name_en} as a physical "
                  f"quantity in {', '.join(usual)} or the like, and correct the unit")
        return False

    def _energy_total(self, stats: list[StatisticValue], blocks: dict[int, int]) -> list[StatisticValue]:
        """Each year's energy by carrier summed to its energy consumption (tce). Without a reported one, the sum is that
        year's statistic (origin "carriers"); beside a reported one, the reported value is used and the two must agree
        within agreement_tolerance(), else a note at the reported value says by how much and which was used."""
        years = sorted({c.year for c in self.carriers} - self.failed_carriers)
        if not years or self.cat.energy_statistic not in {s.id for s in self.cat.statistics}:
            return stats
        stat = self.cat.statistic(self.cat.energy_statistic)
        reported = {s.year: s for s in stats if s.statistic == self.cat.energy_statistic}
        out = list(stats)
        for year in years:
            mine = sorted((c for c in self.carriers if c.year == year), key=lambda c: self._carrier_order[c.carrier])
            total = units.tidy(math.fsum(c.tce for c in mine))
            if not math.isfinite(total):
                continue
            if year in reported:
                self._compare_energy(year, reported[year].value, units.convert_input(total, "tce", stat.unit), stat, blocks)
                continue
            names = "、".join(self.cat.coal_coefficient(c.carrier).name_zh + (f" ({c.evidence})" if c.evidence else "") for c in mine)
            self.energy_from_carriers.add(year)
            out.append(StatisticValue(stat.id, year, units.convert_input(total, "tce", stat.unit),
                                      f"分品种能源折算合计 (sum by carrier) {total:.12g} tce", "由分品种能源折算:" + names, origin="carriers"))
        return out

    def _compare_energy(self, year: int, reported: float, total: float, stat: Statistic, blocks: dict[int, int]) -> None:
        tolerance = agreement_tolerance()
        gap = abs(reported - total) / abs(total) * 100 if total else (0.0 if reported == 0 else math.inf)
        if gap <= tolerance:
            return
        year_zh, year_en = self.year_label(year)
        from ._round import gap_percent, significant

        shown = gap_percent(gap) if math.isfinite(gap) else "∞"  # one decimal, as the report's 二、5 prints it
        r_zh, t_zh = significant(reported, 12), significant(total, 12)  # as the report prints the two tce figures
        unit = f" {stat.unit}" if stat.unit else ""  # a space before a Latin unit only (705000 tce)
        self.fail("energy-carriers-disagree",
                  f"{year_zh}{stat.name_zh}填报值{r_zh}{unit}较分品种能源按折标准煤系数折算的合计{t_zh}{unit}相差{shown}"
                  f"(以折算合计为基数,超过核查阈值{tolerance:g}%):评分采用填报值",
                  f"{year_en} {stat.name_en}: the reported {r_zh}{unit} differs from the sum of the energy by carrier converted with "
                  f"the standard-coal coefficients, {t_zh}{unit}, by {shown} of that sum (more than the {tolerance:g}% threshold): the "
                  f"reported value is used for scoring",
                  ("years", blocks[year], "statistics", self.cat.energy_statistic),
                  "核对分品种消费量及其单位(是否漏填品种、万kWh与kWh是否混淆)和填报的综合能源消费量;电力按当量值折算",
                  "check the quantities by carrier and their units (a carrier left out, 万kWh mixed up with kWh) and the reported "
                  "energy consumption; electricity is converted at its calorific equivalent", note=True)

    # ------------------------------------------------------------ derivation
    def _derive(self, values: list[IndicatorValue], stats: list[StatisticValue], scored: tuple[int, ...],
                blocks: dict[int, int]) -> list[IndicatorValue]:
        """Indicators from raw statistics (catalogue definitions): a derived value fills a gap or sits beside the
        reported one. Statistics given for an indicator must make it derivable: a sum with a term left out and a
        zero denominator are errors on those statistics (not a silently "missing" indicator), and so is a derived
        value outside the indicator's bounds, reported value or not."""
        table = {(s.statistic, s.year): s.value for s in stats}
        evidence = {(s.statistic, s.year): s.evidence for s in stats}
        reported = {(v.indicator, v.year): v for v in values}
        out = list(values)
        for ind in self.cat.indicators:
            if ind.definition is None:
                continue
            for y in scored:
                key = (ind.id, y)
                if key in self.cut_values:  # a reported value the schema refused: checked once it is fixed
                    continue
                if key not in reported and not self._derivable(ind, table, y, blocks):
                    continue
                derived = derive(ind, self.cat, table, y)
                if derived is None:
                    self._derived_overflow(ind, table, y, blocks)
                    continue
                at = self._stat_path(ind.definition.numerator + ind.definition.denominator, table, y, blocks)
                if not self._check_bounds(ind, y, derived, at, derived=True):
                    continue
                if key in reported:
                    out[out.index(reported[key])] = _with_derived(reported[key], derived)
                else:
                    out.append(IndicatorValue(ind.id, y, derived, None, "derived", f"由统计数据推导 (derived) {derived:.6g}",
                                              derived_evidence(ind, self.cat, evidence, y), derived, None))
        return out

    def _derived_overflow(self, ind: Indicator, table: dict, year: int, blocks: dict[int, int]) -> None:
        """A value the statistics define but a float cannot hold (2.23e6 万元 over 1e-304 tce, from a tiny quantity by
        carrier) is a problem at those statistics, not a silently missing indicator scored as missing data."""
        d = ind.definition
        if not derivation_overflows(ind, self.cat, table, year):  # not defined (e.g. an elasticity without growth)
            return
        what_zh, what_en = indicator_label(ind, self.year_label(year))
        self.fail("number-too-large", f"{what_zh}:由统计数据推导的值超出浮点数范围(分母极小或分子极大)",
                  f"{what_en}: the value derived from the statistics is beyond the range of a float (a tiny denominator or a huge numerator)",
                  self._stat_path(d.denominator + d.numerator, table, year, blocks),  # a float overflows over a tiny denominator
                  "核对这些统计量的数值与单位(如分品种能源的 kWh 与 万kWh、数量级)", "check these statistics' numbers and units (kWh or 万kWh by carrier, the order of magnitude)")

    def _stat_path(self, ids: tuple[str, ...], table: dict, year: int, blocks: dict[int, int]) -> tuple:
        """The dataset path of the first of these statistics given for `year` (where a problem about them is shown)."""
        for sid in ids:
            if (sid, year) in table and year in blocks:
                if sid == self.cat.energy_statistic and year in self.energy_from_carriers:  # the sum by carrier: no statistic was given
                    return ("years", blocks[year], "energy_by_carrier")
                return ("years", blocks[year], "statistics", sid)
        return ("years", blocks[year], "statistics") if year in blocks else ("years",)

    def _derivable(self, ind: Indicator, table: dict, year: int, blocks: dict[int, int]) -> bool:
        """Whether the statistics of `year` (and the year before, for year-over-year formulas) that are given for this
        indicator let it be derived. A complete numerator with part of a summed denominator (or the other way round),
        or a zero denominator, is a problem: the user gave the data for the indicator, and leaving it "missing" would
        score a mandatory indicator 0 with a request to supply data the user did supply."""
        d = ind.definition
        ok = True
        for y in (year,) if d.formula == "ratio" else (year, year - 1):
            parts = {name: [sid for sid in ids if (sid, y) in table] for name, ids in (("numerator", d.numerator), ("denominator", d.denominator))}
            complete = {name: len(parts[name]) == len(ids) for name, ids in (("numerator", d.numerator), ("denominator", d.denominator))}
            what_zh, what_en = indicator_label(ind, self.year_label(year))
            for name, ids in (("numerator", d.numerator), ("denominator", d.denominator)):
                other = "denominator" if name == "numerator" else "numerator"
                if parts[name] and not complete[name] and complete[other]:
                    gone = [self.cat.statistic(sid) for sid in ids if (sid, y) not in table]
                    label_zh, label_en = statistic_label(gone[0], self.year_label(y))
                    self.fail("incomplete-statistics", f"{what_zh}:已填写推导所需的部分统计量,缺少{label_zh}"
                              + (f"等 {len(gone)} 项" if len(gone) > 1 else "") + ",无法推导",
                              f"{what_en}: some of the statistics it is derived from are given, but {label_en}"
                              + (f" and {len(gone) - 1} more" if len(gone) > 1 else "") + " is missing, so it cannot be derived",
                              self._stat_path(ids, table, y, blocks),
                              f"填写{'、'.join(st.name_zh for st in gone)}(没有则填 0),或直接填写该指标的值",
                              f"give {', '.join(st.name_en for st in gone)} (0 if there is none), or report the indicator's value directly")
                    ok = False
            if ok and complete["numerator"] and complete["denominator"]:
                den = statistic_sum(self.cat, table, d.denominator, y)
                if den is not None and den[0] == 0:
                    names_zh = "、".join(self.cat.statistic(sid).name_zh for sid in d.denominator)
                    names_en = ", ".join(self.cat.statistic(sid).name_en for sid in d.denominator)
                    self.fail("zero-denominator", f"{what_zh}:{y}年的分母({names_zh})为 0,无法推导",
                              f"{what_en}: its denominator ({names_en}) is 0 in {y}, so it cannot be derived",
                              self._stat_path(d.denominator, table, y, blocks),
                              "核对该统计量;如该年确实没有此项,删除这些统计量(指标按缺失处理)或直接填写指标值",
                              "check the statistic; if there really was none that year, leave these statistics out (the indicator is then missing) or report the indicator directly")
                    ok = False
        if ok and d.formula != "ratio":
            ok = self._nonzero_base(ind, table, year, blocks)
        return ok

    def _nonzero_base(self, ind: Indicator, table: dict, year: int, blocks: dict[int, int]) -> bool:
        """A year-over-year formula divides by the year before's numerator (its intensity, or the base of its growth):
        0 there, with every statistic given, is the same kind of problem as a zero denominator, located at that
        statistic, not a silently "missing" indicator."""
        d = ind.definition
        sums = [statistic_sum(self.cat, table, ids, y) for ids in (d.numerator, d.denominator) for y in (year, year - 1)]
        if any(x is None for x in sums) or sums[1][0] != 0:
            return True
        what_zh, what_en = indicator_label(ind, self.year_label(year))
        (prev_zh, prev_en), base = self.year_label(year - 1), ("上年强度" if d.formula == "intensity_reduction" else "增长率的基数")
        names_zh = "、".join(self.cat.statistic(sid).name_zh for sid in d.numerator)
        names_en = ", ".join(self.cat.statistic(sid).name_en for sid in d.numerator)
        base_en = "the previous year's intensity" if d.formula == "intensity_reduction" else "the base of the growth rate"
        self.fail("zero-denominator", f"{what_zh}:同比公式以{prev_zh}为基数,{prev_zh}的{names_zh}为 0({base}为 0),无法推导",
                  f"{what_en}: its year-over-year formula takes {prev_en} as the base, and {names_en} is 0 in {prev_en} "
                  f"({base_en} is 0), so it cannot be derived",
                  self._stat_path(d.numerator, table, year - 1, blocks),
                  f"核对{prev_zh}的{names_zh};如确实为 0,该同比指标无法由统计数据计算:直接填写指标值,或删去这些统计量(指标按缺失处理)",
                  f"check {names_en} of {prev_en}; if it really was 0, the indicator cannot be computed from the statistics: "
                  f"report its value directly, or leave these statistics out (the indicator is then missing)")
        return False

    # ------------------------------------------------------------ other sections
    def _baseline(self, rows: list[dict]) -> tuple[RequirementStatus, ...]:
        seen, out = set(), []
        numbers = {r.number for r in self.cat.requirements}
        for i, row in enumerate(rows):
            n = row.get("number") if isinstance(row, dict) else None
            if n is None:  # refused by the schema (already reported)
                continue
            if n not in numbers:
                self.fail("unknown-requirement", f"基础性要求第{n}项不存在", f"there is no baseline requirement {n}", ("baseline", i, "number"),
                          *_or_overlay(f"序号为 {min(numbers)}–{max(numbers)}", f"numbers run {min(numbers)}–{max(numbers)}",
                                       "requirements", n, "基础性要求", "requirement"))
                continue
            if n in seen:
                self.fail("duplicate-requirement", f"基础性要求第{n}项重复填写", f"baseline requirement {n} is given twice", ("baseline", i, "number"))
                continue
            seen.add(n)
            if row.get("status") in STATUS:
                out.append(RequirementStatus(n, STATUS[row["status"]], row.get("evidence"), row.get("note")))
        return tuple(sorted(out, key=lambda r: r.number))

    def _date(self, text: Optional[str], path: tuple) -> Optional[dt.date]:
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            self.fail("bad-date", f"日期“{text}”无效", f"invalid date '{text}'", path, "格式为 YYYY-MM-DD", "use YYYY-MM-DD")
            return None
        low, high = DATA_YEARS
        if not low <= day.year <= high:
            self.fail("bad-date", f"日期“{text}”不在{low}–{high}年之间", f"date '{text}' is not within {low}–{high}", path,
                      f"填写实际日期(YYYY-MM-DD,{low}–{high}年)", f"give the actual date (YYYY-MM-DD, {low}–{high})")
            return None
        return day

    def _engagement(self, e: dict) -> Engagement:
        prov = e.get("provider", {})
        person = lambda d: Person(**(d or {}))
        onsite = e.get("onsite", {})
        start = self._date(onsite.get("start"), ("engagement", "onsite", "start"))
        end = self._date(onsite.get("end"), ("engagement", "onsite", "end"))
        days = onsite.get("working_days")
        if start and end:
            if end < start:
                self.fail("bad-date-range", f"现场诊断结束日期({end.isoformat()})早于开始日期({start.isoformat()})",
                          f"the on-site end date ({end.isoformat()}) is before its start ({start.isoformat()})", ("engagement", "onsite", "end"),
                          "核对两个日期(是否填反,或年份、月份有误)", "check both dates (swapped, or a wrong year or month)")
            elif days is None:  # the working days the dates allow, statutory holidays deducted where the calendar knows them
                from .workdays import onsite_working_days

                days = onsite_working_days(start, end)[0]
        scope = e.get("scope", {})
        return Engagement(
            provider=ServiceProvider(prov.get("name"), prov.get("address"), person(prov.get("legal_representative")),
                                     person(prov.get("contact")), person(prov.get("report_author")), person(prov.get("reviewer"))),
            team=tuple(TeamMember(**m) for m in e.get("team", []) if isinstance(m, dict) and "name" in m),
            confidentiality_submitted=self._date(e.get("confidentiality_submitted"), ("engagement", "confidentiality_submitted")),
            work_started=self._date(e.get("work_started"), ("engagement", "work_started")),
            onsite_start=start, onsite_end=end, onsite_working_days=days,
            scope_full=scope.get("full"), scope_description=scope.get("description"), scope_approval=scope.get("approval"),
            fee_charged=e.get("fee_charged"),
            report_submitted=self._date(e.get("report_submitted"), ("engagement", "report_submitted")),
            follow_up_submitted=self._date(e.get("follow_up_submitted"), ("engagement", "follow_up_submitted")),
            specialised=tuple(s for s in e.get("specialised", []) if isinstance(s, str)),
            third_party_evaluation=e.get("third_party_evaluation"),
            report_meeting_date=self._date(e.get("report_meeting_date"), ("engagement", "report_meeting_date")))

    def _profile(self, p: dict) -> ParkProfile:
        person = lambda d: Person(**(d or {}))
        level = p.get("level")
        return ParkProfile(name=p["name"], management_body=p.get("management_body"), level=LEVEL.get(level, level),
                           project_lead=person(p.get("project_lead")), contact=person(p.get("contact")),
                           address=p.get("address"), area_km2=p.get("area_km2"),
                           leading_industries=p.get("leading_industries"), description=p.get("description"),
                           zoning=p.get("zoning"), industry_status=p.get("industry_status"))


def _demonstration_status(word: Any) -> Optional[str]:
    """A status of demonstrative work as its id: the Chinese label or the id (any case, spaces or hyphens for _); else None."""
    if not isinstance(word, str):
        return None
    w = unicodedata.normalize("NFKC", word).strip()
    for sid, (zh, _) in DEMONSTRATION_STATUS.items():
        if w == zh or re.sub(r"[\s-]+", "_", w.lower()) == sid:
            return sid
    return None


def _cut_indicator_years(cuts: frozenset[tuple], original: Any, cat: Catalogue) -> frozenset[tuple[str, int]]:
    """(indicator id, year) of the reported values the schema refused, so a value derived for them is not judged."""
    out = set()
    for c in cuts:
        if len(c) < 4 or c[0] != "years" or c[2] != "indicators" or not isinstance(c[1], int):
            continue
        try:
            year, ind = original["years"][c[1]]["year"], cat.indicator(c[3])
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(year, int):
            out.add((ind.id, year))
    return frozenset(out)


def _with_derived(v: IndicatorValue, derived: float) -> IndicatorValue:
    import attrs

    return attrs.evolve(v, derived=derived)


def statistic_sum(cat: Catalogue, table: dict, ids: tuple[str, ...], year: int) -> Optional[tuple[float, str]]:
    """Sum of statistics ({(statistic id, year): value}) in the first term's unit, or None if any is missing."""
    unit = cat.statistic(ids[0]).unit
    total = 0.0
    for sid in ids:
        if (sid, year) not in table:
            return None
        total += units.convert(table[(sid, year)], cat.statistic(sid).unit, unit)
    return total, unit


def statistics_table(ds: ParkDataset) -> dict:
    """{(statistic id, year): value} of a dataset's raw statistics, as statistic_sum and derive read them."""
    return {(s.statistic, s.year): s.value for s in ds.statistics}


def denominator_growth(ind: Indicator, cat: Catalogue, table: dict, year: int) -> Optional[float]:
    """Growth (%) from `year - 1` to `year` of the denominator of an indicator defined as a ratio of growth rates
    (formula `elasticity`), when the statistics give both years; None otherwise. The ratio is undefined unless
    this growth is positive, whatever value was reported."""
    d = ind.definition
    if d is None or d.formula != "elasticity":
        return None
    now, before = statistic_sum(cat, table, d.denominator, year), statistic_sum(cat, table, d.denominator, year - 1)
    if now is None or before is None or before[0] == 0:
        return None
    return units.tidy((now[0] - before[0]) / abs(before[0]) * 100)


def missing_previous_year(ind: Indicator, cat: Catalogue, table: dict, year: int) -> tuple[str, ...]:
    """The statistics of `year - 1` a year-over-year formula lacks while `year` has all of its own: why the indicator
    cannot be derived for `year` (typically the base year before the first scored year left out); () otherwise."""
    d = ind.definition
    if d is None or d.formula == "ratio":
        return ()
    ids = tuple(dict.fromkeys(d.numerator + d.denominator))
    if any((sid, year) not in table for sid in ids):
        return ()
    return tuple(sid for sid in ids if (sid, year - 1) not in table)


def _derivation(ind: Indicator, cat: Catalogue, table: dict, year: int) -> Optional[float]:
    """ind's value from the statistics in `table` as a float computes it (inf when it overflows, or when an
    intermediate ratio underflows to 0), or None when they do not define it."""
    d = ind.definition
    if d is None:
        return None
    num, den = statistic_sum(cat, table, d.numerator, year), statistic_sum(cat, table, d.denominator, year)
    if num is None or den is None or den[0] == 0:
        return None
    try:
        return _derive_raw(d, ind, cat, table, year, num, den)
    except ZeroDivisionError:
        return math.inf


def derive(ind: Indicator, cat: Catalogue, table: dict, year: int) -> Optional[float]:
    """An indicator's value from raw statistics per its catalogue definition, or None when it cannot be derived
    (not defined, or beyond a float: see derivation_overflows)."""
    x = _derivation(ind, cat, table, year)
    if x is None or not math.isfinite(x):
        return None
    return units.tidy(x)  # 12 significant digits: 2.9714285714285715 → 2.97142857143


def derivation_overflows(ind: Indicator, cat: Catalogue, table: dict, year: int) -> bool:
    """Whether the statistics define ind's value in `year` but a float cannot hold it (a tiny denominator, or an
    intermediate ratio underflowing to 0): the dataset refuses such statistics (number-too-large)."""
    x = _derivation(ind, cat, table, year)
    return x is not None and not math.isfinite(x)


def derived_evidence(ind: Indicator, cat: Catalogue, evidence: dict, year: int) -> str:
    """A derived value's evidence: "由统计数据推导:<statistic> (<its evidence>)、…", naming the statistics used.

    Year-over-year formulas use the year before too; their evidence is then given per year."""
    d = ind.definition
    years = (year,) if d.formula == "ratio" else (year, year - 1)
    parts = []
    for sid in dict.fromkeys(d.numerator + d.denominator):
        given = [(y, evidence.get((sid, y))) for y in years if evidence.get((sid, y))]
        if len(years) > 1:
            text = ";".join(f"{y}年 {ev}" for y, ev in given)
        else:
            text = ";".join(ev for _, ev in given)
        name = cat.statistic(sid).name_zh
        parts.append(f"{name} ({text})" if text else name)
    return "由统计数据推导:" + "、".join(parts)


def _derive_raw(d, ind: Indicator, cat: Catalogue, table: dict, year: int, num: tuple, den: tuple) -> Optional[float]:
    if d.formula == "ratio":
        quotient = f"({num[1] or 'dimensionless'})/({den[1] or 'dimensionless'})"
        return num[0] / den[0] * units.factor(quotient, ind.unit)
    prev_num, prev_den = statistic_sum(cat, table, d.numerator, year - 1), statistic_sum(cat, table, d.denominator, year - 1)
    if prev_num is None or prev_den is None or prev_den[0] == 0 or prev_num[0] == 0:
        return None
    if d.formula == "intensity_reduction":
        ratio = (num[0] / den[0]) / (prev_num[0] / prev_den[0])
        return (1 - ratio) * units.factor("", ind.unit)
    if d.formula == "elasticity":
        growth_den = (den[0] - prev_den[0]) / prev_den[0]
        if growth_den <= 0:  # undefined when value added does not grow
            return None
        return ((num[0] - prev_num[0]) / prev_num[0]) / growth_den * units.factor("", ind.unit)
    return None
