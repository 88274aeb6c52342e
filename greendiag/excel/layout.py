"""The workbook's layout, shared by the writer and the reader: sheet names, fields, table columns.

Every row a reader needs carries a key in the hidden column A (``park.name``, ``ind:energy_productivity``,
``team``…), so reading depends on keys, not on row positions; `key_sheet` tells which sheet a key belongs to.
Columns are fixed here and locked in the workbook; the protection has no password, so the reader checks every
header it reads by position (columns.py). The year columns follow the number of years the catalogue scores
(``scoring.years.count``, three in the guide).
"""

from __future__ import annotations

from typing import Optional

import attrs

from ..dataset import DEMONSTRATION_STATUS, DIAGNOSIS_YEARS, MAX_DAYS, count_source, count_words
from ..models import ENGAGEMENT_DATES, ScoringMethod

TEMPLATE_FORMAT = "greendiag-template/1"

PARK = "园区信息"
BASELINE = "基本要求"
INDICATORS = "指标数据"
STATISTICS = "原始统计数据"
TEAM = "工作组"
PROJECTS = "改进项目"
DEMONSTRATION = "示范性工作"
CARRIERS = "分品种能源"
META = "_greendiag"
SHEETS = (PARK, BASELINE, INDICATORS, STATISTICS, CARRIERS, TEAM, PROJECTS, DEMONSTRATION)
# workbooks made before these sheets existed lack them: the check is then not recorded, no energy is given by carrier
OPTIONAL_SHEETS = (CARRIERS, DEMONSTRATION)

STATUS_CHOICES = ("符合", "不符合", "未知")
STATUS_IDS = {"符合": "met", "不符合": "not_met", "未知": "unknown", "met": "met", "not_met": "not_met", "unknown": "unknown",
              "not met": "not_met"}
LEVEL_CHOICES = ("国家级", "市级", "其他")
LEVEL_IDS = {"国家级": "国家级", "市级": "市级", "其他": "其他", "national": "国家级", "municipal": "市级", "other": "其他"}
YES, NO = "是", "否"
BOOL_WORDS = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False, "true": True, "false": False,
              "1": True, "0": False, "√": True, "×": False}


@attrs.frozen
class Field:
    """One labelled input of a key–value block (园区信息, the engagement block of 工作组)."""

    key: str  # dotted dataset path, e.g. park.contact.phone
    zh: str
    en: str
    kind: str = "text"  # text | int | number | date | bool | choice | list
    required: bool = False
    hint_zh: str = ""
    hint_en: str = ""
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    choices: tuple[str, ...] = ()
    unit: Optional[str] = None  # a number may carry a unit of greendiag.units, converted to this one
    suffix: str = ""  # a word that may follow the number and is dropped ("2025年")
    unit_example: str = ""  # for the validation message: "18.6 平方公里、1200 亩"

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


@attrs.frozen
class Section:
    """A heading row inside a key–value block."""

    zh: str
    en: str


def _phone(key: str, zh: str, en: str) -> Field:
    return Field(key, zh, en, "text")


PARK_FIELDS: tuple = (
    Section("一、园区基本信息", "Park"),
    Field("diagnosis_year", "诊断年份", "Diagnosis year", "int", True, "指标数据取其前三年(附件2-1-2 注2)",
          "indicators are for the three years before it", *DIAGNOSIS_YEARS, suffix="年"),
    Field("park.name", "园区名称", "Park name", "text", True),
    Field("park.management_body", "园区管理机构名称", "Park management body"),
    Field("park.level", "园区级别", "Park level", "choice", choices=LEVEL_CHOICES, hint_zh="下拉选择", hint_en="choose from the list"),
    Field("park.project_lead.name", "项目负责人", "Project lead"),
    _phone("park.project_lead.phone", "负责人电话", "Project lead's phone"),
    Field("park.contact.name", "项目联系人", "Contact person"),
    _phone("park.contact.phone", "联系人电话", "Contact's phone"),
    Field("park.contact.email", "电子邮件", "E-mail"),
    Field("park.contact.fax", "传真", "Fax"),
    Field("park.address", "园区地址", "Address"),
    Field("park.area_km2", "园区面积(km²)", "Area (km²)", "number", minimum=0, hint_zh="平方公里;也可带单位,如 1200 亩、560 公顷",
          hint_en="square kilometres, or with a unit such as 1200 亩 (mu) or 560 公顷 (ha)", unit="km2", unit_example="18.6 平方公里、1200 亩"),
    Field("park.leading_industries", "主导产业", "Leading industries"),
    Field("park.description", "园区概况", "Overview", hint_zh="地理位置、占地面积、管理模式等", hint_en="location, area, management, etc."),
    Field("park.zoning", "功能区划", "Functional zoning", hint_zh="各功能区及其范围(附件2-1 一.2)", hint_en="the park's zones and their extent"),
    Field("park.industry_status", "产业发展现状", "Industrial development", hint_zh="产业布局与发展现状(附件2-1 一.2)",
          hint_en="industrial layout and current development"),
    Field("fictitious", "虚构示例数据", "Fictitious example data", "bool", hint_zh="真实园区填“否”",
          hint_en="'否' (no) for a real park"),
    Section("二、服务商信息", "Service provider"),
    Field("engagement.provider.name", "服务商名称", "Service provider"),
    Field("engagement.provider.address", "服务商地址", "Provider's address"),
    Field("engagement.provider.legal_representative.name", "法定代表人", "Legal representative"),
    _phone("engagement.provider.legal_representative.phone", "法人代表电话", "Legal representative's phone"),
    Field("engagement.provider.contact.name", "联系人", "Contact person"),
    _phone("engagement.provider.contact.phone", "联系人电话", "Contact's phone"),
    Field("engagement.provider.report_author.name", "报告编制负责人", "Report author"),
    _phone("engagement.provider.report_author.phone", "负责人电话", "Report author's phone"),
    Field("engagement.provider.reviewer.name", "报告审核人", "Reviewer"),
    _phone("engagement.provider.reviewer.phone", "审核人电话", "Reviewer's phone"),
)

_PARK_KEYS = frozenset(f.key for f in PARK_FIELDS if isinstance(f, Field))

_DATE_HINT = ("日期,如 2025-03-10", "a date, e.g. 2025-03-10")

ENGAGEMENT_FIELDS: tuple = (
    Section("一、诊断工作情况", "Engagement"),
    Field("engagement.confidentiality_submitted", ENGAGEMENT_DATES["confidentiality_submitted"][0], "Confidentiality undertaking submitted", "date",
          hint_zh="应早于工作开始(附件2-2)", hint_en="before work starts (annex 2-2)"),
    Field("engagement.work_started", ENGAGEMENT_DATES["work_started"][0], "Work started", "date", hint_zh=_DATE_HINT[0], hint_en=_DATE_HINT[1]),
    Field("engagement.onsite.start", ENGAGEMENT_DATES["onsite_start"][0], "On-site diagnosis from", "date", hint_zh=_DATE_HINT[0], hint_en=_DATE_HINT[1]),
    Field("engagement.onsite.end", ENGAGEMENT_DATES["onsite_end"][0], "On-site diagnosis to", "date", hint_zh=_DATE_HINT[0], hint_en=_DATE_HINT[1]),
    Field("engagement.onsite.working_days", "现场诊断工作日数", "On-site working days", "int", minimum=0, maximum=MAX_DAYS,
          hint_zh="留空则按起止日期计算工作日", hint_en="left empty: counted from the dates", unit="day", unit_example="5 天"),
    Field("engagement.scope.full", "是否全范围诊断", "Whole park in scope", "bool", hint_zh="是/否", hint_en="yes/no"),
    Field("engagement.scope.description", "诊断范围说明", "Scope"),
    Field("engagement.scope.approval", "部分范围诊断的市经济和信息化局同意文件", "Municipal bureau's approval of a partial scope",
          hint_zh="仅部分范围诊断时填写", hint_en="only for a partial scope"),
    Field("engagement.fee_charged", "是否向园区收取费用", "Fee charged to the park", "bool", hint_zh="诊断不得收费",
          hint_en="the diagnosis must be free of charge"),
    Field("engagement.report_submitted", ENGAGEMENT_DATES["report_submitted"][0], "Report submitted", "date", hint_zh=_DATE_HINT[0], hint_en=_DATE_HINT[1]),
    Field("engagement.report_meeting_date", ENGAGEMENT_DATES["report_meeting_date"][0], "Report meeting held", "date",
          hint_zh="确认单(附件2-3)所列报告会日期", hint_en="the report meeting of the confirmation form (annex 2-3)"),
    Field("engagement.third_party_evaluation", "是否同时提供绿色工业园区第三方评价服务", "Also did the green-park third-party evaluation",
          "bool", hint_zh="是/否;决定确认单(附件2-3)第二段是否保留", hint_en="yes/no: keeps or drops the second paragraph of annex 2-3"),
    Field("engagement.follow_up_submitted", ENGAGEMENT_DATES["follow_up_submitted"][0], "Follow-up report submitted", "date",
          hint_zh="诊断后一年内", hint_en="within a year of the diagnosis"),
    Field("engagement.specialised", "专项诊断内容", "Specialised diagnoses", "list", hint_zh="多项用顿号或分号分隔",
          hint_en="separate items with 、 or ;"),
)


_TEAM_KEYS = frozenset(f.key for f in ENGAGEMENT_FIELDS if isinstance(f, Field))


@attrs.frozen
class Column:
    """A column of a row table (team members, projects)."""

    key: str
    zh: str
    en: str
    kind: str = "text"
    width: float = 16
    required: bool = False
    unit: Optional[str] = None  # as Field.unit
    unit_example: str = ""


TEAM_COLUMNS = (
    Column("name", "姓名", "Name", width=12, required=True),
    Column("role", "绿色诊断工作分工", "Role in the diagnosis", width=22),
    Column("title", "职称", "Professional title", width=20),
    Column("speciality", "从事专业(能源/环境/生态/低碳/LCA等)", "Speciality (energy/environment/ecology/low-carbon/LCA…)", width=22),
    Column("senior", "高级职称", "Senior title", "bool", 12),
    Column("led_green_projects", "主导过绿色制造相关项目", "Led green-manufacturing projects", "bool", 16),
    Column("park_staff", "园区工作人员", "Park staff", "bool", 12),
)
TEAM_ROWS = 15

PROJECT_COLUMNS = (
    Column("content", "项目建设内容", "Project content", width=44, required=True),
    Column("total_investment", "总投资(万元)", "Total investment (10⁴ yuan)", "number", 16, unit="万元", unit_example="1.2 亿元、3200 万元"),
    Column("fixed_investment", "其中固定资产投资(万元)", "of which fixed assets (10⁴ yuan)", "number", 18, unit="万元",
           unit_example="1.2 亿元、3200 万元"),
    Column("expected_effect", "预期实施效果", "Expected effect", width=34),
    Column("note", "备注", "Note", width=28),
)
PROJECT_ROWS = 20
PROJECT_HEAD_ROW = 2

# 指标数据: fixed columns (A is the hidden key)
IND_FIRST_ROW = 4
IND_COL = {"category": 2, "number": 3, "name_zh": 4, "name_en": 5, "unit": 6, "mandatory": 7}
IND_VALUE_COL = 8  # a value column per scored year, then an evidence column per year, then the hint
IND_HEADS = {"category": ("一级指标", "Category"), "number": ("序号", "No."), "name_zh": ("二级指标", "Indicator (中文)"),
             "name_en": ("Indicator", "English"), "unit": ("指标单位", "Unit"), "mandatory": ("类型", "Type")}
IND_VALUES_HEAD = ("指标数据", "Value")

# 原始统计数据: base year plus the scored years, "used by", then the evidence columns (after "used by", so a
# workbook made before evidence columns existed reads the same)
STAT_FIRST_ROW = 4
STAT_VALUE_COL = 6
STAT_HEADS = {2: ("序号", "No."), 3: ("统计量", "Statistic (中文)"), 4: ("Statistic", "English"), 5: ("单位", "Unit")}
STAT_VALUES_HEAD = ("数值", "Value")
STAT_USED_HEAD = ("用于指标(序号)", "Used by indicators")
EVIDENCE_HEAD = ("证明材料索引", "Evidence index")  # over the evidence columns of both year tables

# 基本要求
REQ_FIRST_ROW = 3
REQ_COL = {"number": 2, "text_zh": 3, "text_en": 4, "type": 5, "status": 6, "evidence": 7, "note": 8}
REQ_HEADS = {"number": ("序号", "No."), "text_zh": ("基本要求", "Requirement (中文)"), "text_en": ("Requirement", "English"),
             "type": ("类型", "Type"), "status": ("是否符合", "Met?"), "evidence": ("证明材料索引", "Evidence index"),
             "note": ("备注", "Note")}

# 示范性工作 (guide 四(三)3): a row per kind of the catalogue, DEMO_TITLED_ROWS rows for a titled kind ("other"); the key
# of a row is "demo:<kind id>", a titled kind's rows "demo:<kind id>#<n>" (every key once, as on the other sheets)
DEMO_PREFIX = "demo:"
DEMO_HEAD_ROW = 2
DEMO_FIRST_ROW = 3
DEMO_TITLED_ROWS = 5
DEMO_COL = {"number": 2, "kind": 3, "title_zh": 4, "title_en": 5, "status": 6, "description": 7, "evidence": 8}
DEMO_HEADS = {"number": ("序号", "No."), "kind": ("工作类别", "Kind of work"), "title_zh": ("名称", "Title (中文)"),
              "title_en": ("Title", "English"), "status": ("核查情况", "Found on site"), "description": ("情况说明", "Description"),
              "evidence": ("证明材料索引", "Evidence index")}
DEMO_STATUS_CHOICES = tuple(zh for zh, _ in DEMONSTRATION_STATUS.values())


def demo_key(kind_id: str, n: int = 0) -> str:
    """The column-A key of a 示范性工作 row: demo:<kind>, or demo:<kind>#<n> for the n-th row of a titled kind."""
    return f"{DEMO_PREFIX}{kind_id}" + (f"#{n}" if n else "")


def demo_kind(key: str) -> str:
    """The kind id of a 示范性工作 row key."""
    return key[len(DEMO_PREFIX):].split("#", 1)[0]


# 分品种能源 (energy by carrier): a block per year (the base year, then the scored years, as 原始统计数据), each a row
# per carrier of conversion.yaml keyed "carrier:<slot>:<carrier id>"; the block's year heads it in a merged row
CARRIER_PREFIX = "carrier:"
CARRIER_HEAD_ROW = 2
CARRIER_FIRST_ROW = 3  # the first block's year row; its carriers follow
CARRIER_COL = {"number": 2, "name_zh": 3, "name_en": 4, "coefficient": 5, "unit": 6, "quantity": 7, "evidence": 8}
CARRIER_HEADS = {"number": ("序号", "No."), "name_zh": ("能源品种", "Carrier (中文)"), "name_en": ("Carrier", "English"),
                 "coefficient": ("折标准煤系数", "Standard-coal coefficient"), "unit": ("计量单位", "Unit"),
                 "quantity": ("消费量", "Quantity"), "evidence": ("证明材料索引", "Evidence index")}
# the carrier's own (measured) coefficient and its evidence, right of the table: a workbook made before they existed
# has nothing there and is read without them
CARRIER_OWN_COL = {"own": 9, "own_evidence": 10}
CARRIER_OWN_HEADS = {"own": ("实测折标系数", "Own coefficient"), "own_evidence": ("系数证明材料索引", "Coefficient evidence")}


def carrier_key(slot: int, carrier_id: str) -> str:
    """The column-A key of a 分品种能源 row: carrier:<slot>:<carrier id> (slot as in YearTable: 0 the base year)."""
    return f"{CARRIER_PREFIX}{slot}:{carrier_id}"


def carrier_of(key: str) -> tuple[int, str]:
    """(slot, carrier id) of a 分品种能源 row key; ValueError for a key that is not one."""
    slot, _, carrier = key[len(CARRIER_PREFIX):].partition(":")
    if not carrier:
        raise ValueError(key)
    return int(slot), carrier


# key–value blocks (园区信息, 工作组 top): B label zh, C label en, D value, E hint
KV_VALUE_COL = 4
KV_HEAD_ROW = 2
KV_HEADS = ((2, ("项目", "Item (中文)")), (3, ("Item", "English")), (KV_VALUE_COL, ("填写内容", "Value")), (5, ("填写说明", "Notes")))

# row tables (team members, projects): B the row number, then one column per Column from C
NUMBER_HEAD = ("序号", "No.")
TABLE_FIRST_COL = 3
ROW_KEYS = {TEAM: "team", PROJECTS: "project"}  # the key of every row of a row table (repeated, unlike all others)


def table_heads(columns: tuple) -> tuple[tuple[int, tuple[str, str]], ...]:
    """(column, (zh, en)) of a row table's headers, as the writer puts them (it adds " *" to required ones)."""
    return ((2, NUMBER_HEAD),) + tuple((j, (c.zh, c.en)) for j, c in enumerate(columns, start=TABLE_FIRST_COL))


def key_sheet(key: str) -> Optional[str]:
    """The sheet a column-A key belongs to (园区信息 and 工作组 both have engagement.* keys: told apart by field);
    None for a key no sheet has (an unknown field or a stray text)."""
    if key in _PARK_KEYS:
        return PARK
    if key in _TEAM_KEYS or key == ROW_KEYS[TEAM]:
        return TEAM
    if key == ROW_KEYS[PROJECTS]:
        return PROJECTS
    for prefix, sheet in (("req:", BASELINE), ("ind:", INDICATORS), ("stat:", STATISTICS), (DEMO_PREFIX, DEMONSTRATION),
                          (CARRIER_PREFIX, CARRIERS)):
        if key.startswith(prefix):
            return sheet
    return None


def park_fields(scoring: ScoringMethod) -> tuple:
    """PARK_FIELDS with the diagnosis year's hint for a catalogue scoring `scoring.years` years."""
    (n_zh, n_en), (cite_zh, _) = count_words(scoring.years), count_source(scoring)
    return tuple(attrs.evolve(f, hint_zh=f"指标数据取其前{n_zh}年{cite_zh}", hint_en=f"indicators are for the {n_en} before it")
                 if isinstance(f, Field) and f.key == "diagnosis_year" else f for f in PARK_FIELDS)


@attrs.frozen
class YearTable:
    """A sheet with a value column and an evidence column per year: 指标数据 (the scored years) or 原始统计数据
    (the base year, which year-over-year indicators need, then the scored years).

    Columns are numbered by slot: 0 is the base year, 1…count the scored years; slot j holds the year
    diagnosis_year − count − 1 + j, whatever the sheet."""

    sheet: str
    prefix: str  # of the row keys in column A: "ind:" or "stat:"
    section: str  # the key of a year block of the dataset: "indicators" or "statistics"
    count: int  # the scored years (catalogue scoring.years.count)
    first_value_col: int
    first_evidence_col: int
    base_year: bool

    @property
    def slots(self) -> range:
        return range(0 if self.base_year else 1, self.count + 1)

    def value_col(self, slot: int) -> int:
        return self.first_value_col + slot - self.slots.start

    def evidence_col(self, slot: int) -> int:
        return self.first_evidence_col + slot - self.slots.start

    @property
    def after_values(self) -> int:
        """The first column after the value columns."""
        return self.first_value_col + len(self.slots)

    @property
    def after_evidence(self) -> int:
        """The first column after the evidence columns."""
        return self.first_evidence_col + len(self.slots)

    def back(self, slot: int) -> int:
        """How many years the slot's year is before the diagnosis year."""
        return self.count + 1 - slot

    def year(self, diagnosis_year: int, slot: int) -> int:
        return diagnosis_year - self.back(slot)


def indicator_table(count: int) -> YearTable:
    """指标数据: H… the values of the scored years, then their evidence columns, then the hint."""
    return YearTable(INDICATORS, "ind:", "indicators", count, IND_VALUE_COL, IND_VALUE_COL + count, base_year=False)


def statistics_table(count: int) -> YearTable:
    """原始统计数据: F… the values of the base year and the scored years, "used by", then the evidence columns."""
    return YearTable(STATISTICS, "stat:", "statistics", count, STAT_VALUE_COL, STAT_VALUE_COL + count + 2, base_year=True)


def slot_label(slot: int) -> tuple[str, str]:
    """A year column named without its year: ("基准年", "base year"), ("第2年", "year 2")."""
    return ("基准年", "base year") if slot == 0 else (f"第{slot}年", f"year {slot}")


def slot_span(count: int) -> str:
    """The scored columns without their years, for 第1–3年 / years 1–3: "1–3" ("1" for one year)."""
    return f"1–{count}" if count > 1 else "1"
