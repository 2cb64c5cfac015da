"""The national platform's exchange package, field by field: the one table of what each record holds, its
Chinese name, its meaning and its format. The package's JSON and XLSX (regulator/reports/national_export.py) build
every record from it, its 字段说明 sheet lists it, and docs/regulator/national-export.md carries it as
``markdown()`` renders it (tests/regulator/test_national_export.py fails when the page and the table differ:
``python -m regulator.reports.national_fields`` rewrites the page's table).

The national platform (全国工程质量安全监管信息平台) publishes no interface for a locality's systems, so
the package is a documented exchange: what the platform asks of a locality (projects, hazards, listed
supervision, accidents, enforcement) in plain JSON and a workbook a clerk can read and re-key.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from regulator.names import BEIJING, LEVEL_NAMES, STATE_NAMES, beijing
from regulator.storage.jurisdictions import SEP

SCHEMA = "sitegw.national-export"
SCHEMA_VERSION = "1.0"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "regulator" / "national-export.md"
BEGIN = "<!-- national_fields: begin (python -m regulator.reports.national_fields rewrites this table) -->"
END = "<!-- national_fields: end -->"

# what a value is, and how the JSON and the workbook write it
FORMATS = {
    "text": "文本",
    "integer": "整数",
    "number": "数值",
    "value": "数值或文本（证照类检查项为文本）",
    "time": "时间：JSON 为 ISO 8601 北京时间（如 2026-11-03T08:30:00+08:00），XLSX 为日期单元格（北京时间）",
    "boolean": "是否：JSON 为 true/false，XLSX 为 是/否",
    "object": "对象",
}

Source = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record: its JSON key, Chinese name, meaning, kind (FORMATS), unit, and how its value
    is read from the ledger's row (None: the package's envelope, written by the package itself)."""

    key: str
    zh: str
    meaning: str
    kind: str = "text"
    unit: str = ""
    get: Callable[[Source], Any] | None = None
    width: int = 14  # the XLSX column's width, characters

    @property
    def format(self) -> str:
        """The unit and format column of the 字段说明 sheet."""
        return f"{self.unit}；{FORMATS[self.kind]}" if self.unit else FORMATS[self.kind]


@dataclass(frozen=True, slots=True)
class Item:
    """One kind of record the platform asks for: its JSON key under ``items``, its sheet's name, what it
    holds for a period, and its fields in order."""

    key: str
    sheet: str
    scope: str
    fields: tuple[Field, ...]


def _at(key: str) -> Callable[[Source], Any]:
    return lambda s: s[key]


def _place(level: int) -> Callable[[Source], Any]:
    """The province (0), city (1) or district (2) of a project's jurisdiction path."""

    def read(s: Source) -> str:
        parts = (s["path"] or "").split(SEP)
        return parts[level] if len(parts) > level else ""

    return read


def _clock(to: str, what: str) -> Callable[[Source], Any]:
    """An accident's clock to ``to``: its ``what`` (deadline, reported_at, state_name)."""
    return lambda s: next(c[what] for c in s["clocks"] if c["to"] == to)


def _project_fields() -> tuple[Field, ...]:
    """The project columns every item but the projects' own repeats, so a sheet reads on its own."""
    return (
        Field(
            "project",
            "项目编号",
            "项目在本辖区监管平台的编号（与“项目”表对应）",
            get=_at("project"),
            width=18,
        ),
        Field("project_name", "项目名称", "工程项目名称", get=_at("project_name"), width=24),
    )


# fmt: off
ENVELOPE = Item(
    "package",
    "交换包",
    "交换包本身（package.json 顶层）",
    (
        Field("schema", "格式名称", f"固定为 {SCHEMA}：本交换包的格式"),
        Field("schema_version", "格式版本", f"本格式的版本号，当前为 {SCHEMA_VERSION}；字段增删时升级"),
        Field("package_id", "交换包编号", "本交换包的唯一编号；标记“已报送”时用它"),
        Field("jurisdiction", "辖区", "生成人所管辖区的路径（省/市/区县）；空表示全部项目"),
        Field("period_from", "统计期起", "统计期开始（含）", "time"),
        Field("period_to", "统计期止", "统计期结束（不含）", "time"),
        Field("produced_by", "生成人", "生成本交换包的用户"),
        Field("produced_at", "生成时间", "生成本交换包的时间", "time"),
        Field("counts", "记录数", "各类记录的条数：键为 items 的键，值为条数", "object"),
        Field("items", "记录", "各类记录：projects、hazards、listings、accidents、enforcement，各为记录的列表", "object"),
    ),
)

ITEMS: tuple[Item, ...] = (
    Item(
        "projects",
        "项目",
        "辖区内统计期结束前已登记的在建项目",
        (
            Field("code", "项目编号", "项目在本辖区监管平台的编号", get=_at("code"), width=18),
            Field("name", "项目名称", "工程项目名称", get=_at("name"), width=24),
            Field("province", "省", "项目所在省（自治区、直辖市）", get=_place(0), width=10),
            Field("city", "市", "项目所在地级市", get=_place(1), width=10),
            Field("district", "区县", "项目所在区县", get=_place(2), width=10),
            Field("contractor", "施工单位", "施工总承包单位", get=_at("contractor"), width=24),
            Field("supervisor", "监理单位", "工程监理单位", get=_at("supervisor"), width=24),
            Field("registered_at", "登记时间", "项目接入本平台的时间", "time", get=_at("created_at"), width=17),
            Field("lat", "纬度", "工地位置纬度；空表示未登记位置", "number", "度（WGS-84）", _at("lat"), 10),
            Field("lon", "经度", "工地位置经度；空表示未登记位置", "number", "度（WGS-84）", _at("lon"), 10),
        ),
    ),
    Item(
        "hazards",
        "隐患",
        "统计期内首次发现的隐患（含已销号、误报），状态为生成时的状态",
        (
            Field("id", "隐患编号", "隐患在本平台台账中的编号", "integer", get=_at("id"), width=9),
            *_project_fields(),
            Field("source", "来源", "监测报警、监督检查、企业自查或群众举报", get=_at("source_name"), width=10),
            Field("check", "检查项", "发现隐患的检查项（监测规则或检查渠道）", get=_at("rule_name"), width=16),
            Field("level", "报警级别", "预警、报警或危险（人工发现的隐患为空）", get=lambda h: LEVEL_NAMES.get(h["level"], h["level"] or ""), width=8),
            Field("classification", "隐患分类", "重大事故隐患或一般隐患", get=_at("classification_name"), width=14),
            Field("citation", "判定依据", "重大事故隐患的判定条款（建质规〔2024〕5号）；一般隐患为空", get=_at("citation"), width=30),
            Field("clause", "标准条款", "报警所依据的技术标准条款", get=_at("clause"), width=24),
            Field("device", "设备", "报警的设备（人工发现的隐患为空）", get=_at("device"), width=12),
            Field("point", "监测点", "设备上的监测点", get=_at("point"), width=10),
            Field("description", "隐患描述", "现场在最不利时刻的描述", get=lambda h: h["peak_message"] or h["message"], width=30),
            Field("peak_value", "峰值", "隐患存续期间的最不利读数", "value", get=_at("peak_value"), width=8),
            Field("threshold", "限值", "与峰值比较的限值", "value", get=_at("peak_threshold"), width=8),
            Field("unit", "单位", "峰值和限值的单位", get=lambda h: h["unit"] or "", width=6),
            Field("found_at", "发现时间", "隐患首次报警或登记的时间", "time", get=_at("first_ts"), width=17),
            Field("last_at", "最近报警时间", "最近一次报警的时间", "time", get=_at("last_ts"), width=17),
            Field("state", "治理状态", "待审核、已确认、整改中、待复查、已销号或误报（生成时）", get=lambda h: STATE_NAMES.get(h["state"], h["state"]), width=8),
            Field("listed", "挂牌督办", "是否列入挂牌督办", "boolean", get=_at("major"), width=8),
            Field("deadline", "整改期限", "整改应完成的时间；未下达整改为空", "time", get=_at("deadline"), width=17),
            Field("overdue", "是否逾期", "整改中且已过整改期限（生成时）", "boolean", get=_at("overdue"), width=8),
            Field("closed_at", "销号时间", "销号或判定误报的时间；未销号为空", "time", get=_at("closed_at"), width=17),
        ),
    ),
    Item(
        "listings",
        "挂牌督办",
        "统计期内挂牌督办的重大事故隐患（每次挂牌一条），状态为生成时的状态",
        (
            Field("id", "督办编号", "挂牌督办在本平台的编号", "integer", get=_at("id"), width=9),
            Field("hazard_id", "隐患编号", "被督办的隐患（与“隐患”表的隐患编号对应）", "integer", get=_at("hazard_id"), width=9),
            *_project_fields(),
            Field("level", "督办层级", "区县级、市级或省级", get=_at("level_name"), width=8),
            Field("authority", "挂牌单位", "挂牌督办的主管部门", get=_at("authority_name"), width=20),
            Field("listed_at", "挂牌时间", "挂牌督办的时间", "time", get=_at("listed_at"), width=17),
            Field("listed_by", "挂牌人", "挂牌的监管人员", get=_at("listed_by"), width=10),
            Field("deadline", "督办期限", "闭环整改期限（县级30日、市级60日）", "time", get=_at("deadline"), width=17),
            Field("state", "督办状态", "挂牌督办中、逾期已提级或已销号（生成时）", get=_at("state_name"), width=10),
            Field("overdue", "是否逾期", "未销号且已过督办期限（生成时）", "boolean", get=_at("overdue"), width=8),
            Field("escalated_to", "提级至", "逾期未整改提级督办的上级辖区；未提级为空", get=lambda x: x["escalated_to"] or "", width=16),
            Field("escalated_at", "提级时间", "提级的时间；未提级为空", "time", get=_at("escalated_at"), width=17),
            Field("notices", "通知书", "督办下发的整改通知书、停工整改通知书文号，以“、”分隔", get=lambda x: "、".join(n["number"] for n in x["notices"]), width=24),
            Field("description", "隐患描述", "被督办隐患在最不利时刻的描述", get=lambda x: x["peak_message"] or x["message"], width=30),
            Field("closed_at", "销号时间", "复查合格销号的时间；未销号为空", "time", get=_at("closed_at"), width=17),
            Field("closed_by", "销号人", "复查销号的监管人员", get=lambda x: x["closed_by"] or "", width=10),
        ),
    ),
    Item(
        "accidents",
        "事故险情",
        "统计期内发生的生产安全事故和重大险情，上报状态为生成时的状态",
        (
            Field("id", "事故编号", "事故或险情在本平台台账中的编号", "integer", get=_at("id"), width=9),
            *_project_fields(),
            Field("kind", "类别", "事故或重大险情", get=_at("kind_name"), width=8),
            Field("occurred_at", "发生时间", "事故或险情发生的时间", "time", get=_at("occurred_at"), width=17),
            Field("deaths", "死亡人数", "事故造成的死亡人数", "integer", "人", _at("deaths"), 8),
            Field("injuries", "受伤人数", "事故造成的受伤人数", "integer", "人", _at("injuries"), 8),
            Field("description", "事故经过", "事故或险情的经过", get=_at("description"), width=40),
            Field("recorded_at", "登记时间", "录入本平台台账的时间", "time", get=_at("recorded_at"), width=17),
            Field("provincial_reported_at", "报省系统时间", "录入省事故报送系统的时间（24小时时限）；未报为空", "time", get=_clock("provincial_system", "reported_at"), width=17),
            Field("national_deadline", "报全国平台时限", "应录入全国工程质量安全监管信息平台的最晚时间（发生后48小时）", "time", get=_clock("national_platform", "deadline"), width=17),
            Field("national_reported_at", "报全国平台时间", "报送全国平台的时间；未报为空", "time", get=_clock("national_platform", "reported_at"), width=17),
            Field("national_state", "全国平台上报状态", "按时上报、迟报、待上报或已超时未报（生成时）", get=_clock("national_platform", "state_name"), width=12),
            Field("investigation_done_at", "调查完成时间", "事故调查完成的时间；未完成为空", "time", get=_at("investigation_done_at"), width=17),
            Field("penalty_done_at", "处罚决定时间", "处罚决定作出的时间；未作出为空", "time", get=_at("penalty_done_at"), width=17),
            Field("closed_at", "结案时间", "“四不放过”全部完成后结案的时间；未结案为空", "time", get=_at("closed_at"), width=17),
        ),
    ),
    Item(
        "enforcement",
        "执法处罚",
        "统计期内的监督执法记录：动态扣分、责令停工、监督检查、月度报告",
        (
            Field("id", "记录编号", "执法记录在本平台的编号", "integer", get=_at("id"), width=9),
            *_project_fields(),
            Field("kind", "类别", "动态扣分、责令停工、监督检查或月度报告", get=_at("kind_name"), width=10),
            Field("happened_at", "发生时间", "执法行为发生的日期时间", "time", get=_at("happened_at"), width=17),
            Field("company", "被处理企业", "动态扣分的企业；其他类别为空", get=_at("company"), width=24),
            Field("points", "扣分", "动态扣分的分值；其他类别为 0", "number", "分", _at("points"), 6),
            Field("lifted_at", "复工时间", "责令停工解除（复工）的时间；未复工或非停工为空", "time", get=_at("lifted_at"), width=17),
            Field("note", "文号及说明", "决定书文号、检查发现等", get=_at("note"), width=30),
            Field("recorded_by", "登记人", "录入记录的监管人员", get=_at("recorded_by"), width=10),
        ),
    ),
)
# fmt: on
ITEM_KEYS = tuple(i.key for i in ITEMS)
FIELD_SHEET = "字段说明"
FIELD_HEADERS = (("数据项", 10), ("字段", 24), ("中文名称", 16), ("含义", 50), ("单位/格式", 40))


def json_value(field: Field, value: Any) -> Any:
    """A value as package.json writes it: a time as ISO 8601 in Beijing time, the rest as it is."""
    if field.kind == "time" and value is not None:
        return datetime.fromtimestamp(value, BEIJING).replace(microsecond=0).isoformat()
    return bool(value) if field.kind == "boolean" else value


def cell_value(field: Field, value: Any) -> Any:
    """A value as the workbook writes it: a time as a Beijing date cell, yes/no as 是/否."""
    if value is None:
        return None
    if field.kind == "time":
        return beijing(value)
    if field.kind == "boolean":
        return "是" if value else "否"
    return value


def record(item: Item, source: Source) -> dict[str, Any]:
    """One record of ``item`` from the ledger's row: every field of the table, in its order, as JSON."""
    out = {}
    for field in item.fields:
        assert field.get is not None, f"{item.key}.{field.key} has no reader"
        out[field.key] = json_value(field, field.get(source))
    return out


def rows() -> list[tuple[str, str, str, str, str]]:
    """The 字段说明 sheet's rows: (item, field, Chinese name, meaning, unit/format), envelope first."""
    return [
        (f"{item.sheet}（{item.key}）", f.key, f.zh, f.meaning, f.format)
        for item in (ENVELOPE, *ITEMS)
        for f in item.fields
    ]


def markdown() -> str:
    """The field table as the docs page carries it: one table per item."""
    out = [BEGIN]
    for item in (ENVELOPE, *ITEMS):
        where = "package.json top level" if item is ENVELOPE else f"`items.{item.key}`, sheet {item.sheet}"
        out += ["", f"### {item.sheet} ({where})", "", f"{item.scope}。", ""]
        out += ["| 字段 | 中文名称 | 含义 | 单位/格式 |", "| --- | --- | --- | --- |"]
        out += [f"| `{f.key}` | {f.zh} | {f.meaning} | {f.format} |" for f in item.fields]
    out += ["", END]
    return "\n".join(out)


def docs_with_table(page: str) -> str:
    """``page`` with its table between BEGIN and END replaced by ``markdown()``."""
    head, found, rest = page.partition(BEGIN)
    if not found or END not in rest:
        raise ValueError(f"{DOCS} has no {BEGIN} ... {END} block for the table")
    return head + markdown() + rest.split(END, 1)[1]


if __name__ == "__main__":
    DOCS.write_text(docs_with_table(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote the field table into {DOCS}\n")
