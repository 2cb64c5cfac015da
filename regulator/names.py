"""Chinese names of what a regulator reads: checks (rule ids), readings' metrics and the site's own
alert states. The API sends them with the ids, so no page, export or report shows a bare English id.

The rule ids and metrics are those the device kinds declare (contract/kinds/: the same registry the gateway
reads, plug-ins included); a rule the registry does not know (a newer gateway) is named by its kind
(``hoist.xyz`` -> 施工升降机 其他检查项) rather than by its id.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from contract.kinds import registry

# rule-id prefixes that are not device kinds: the key people, the cameras' checks, a sensor, a device,
# hot work
SHARED_PREFIXES: dict[str, str] = {
    "personnel": "关键人员",
    "vision": "视频识别",
    "sensor": "传感器",
    "device": "设备",
    "hot_work": "动火作业",  # a permit's checks are the site's, whatever machine (if any) saw the work
}


def rule_names() -> dict[str, str]:
    """Every check's Chinese name: those each device kind declares (contract/kinds/), and the shared ones."""
    return {**registry.rule_names(), **registry.SHARED_RULES}


def kind_names() -> dict[str, str]:
    """Each rule id's prefix in Chinese: the device kinds' names and the shared prefixes."""
    return {**{k.name: k.zh for k in registry.kinds()}, **SHARED_PREFIXES}


def metric_names() -> dict[str, str]:
    """Every reading a gateway may send in a summary, with its Chinese name."""
    return {m: metric.zh for m in registry.summary_picks() if (metric := registry.metric(m)) is not None}


# the alert's state on the site (AlertEvent.state of its newest event), next to the regulator's own state
SITE_STATES: dict[str, str] = {
    "firing": "现场报警中",
    "updated": "现场报警中",
    "acknowledged": "现场已确认处理",
    "resolved": "现场已解除",
}


# an alert's level and the regulator's state of a hazard, as the review UI names them (static/index.html)
LEVEL_NAMES: dict[str, str] = {"critical": "危险", "alarm": "报警", "warning": "预警"}
STATE_NAMES: dict[str, str] = {
    "pending": "待审核",
    "confirmed": "已确认",
    "rectifying": "整改中",
    "reported": "待复查",
    "closed": "已销号",
    "dismissed": "误报",
}

# Chinese sites, their forms and the platforms keep Beijing time: UTC+8, no daylight saving
BEIJING = timezone(timedelta(hours=8), "北京时间")


def beijing(ts: float) -> datetime:
    """Unix seconds as Beijing wall-clock time to the second, without a zone (what a spreadsheet cell holds)."""
    return datetime.fromtimestamp(ts, UTC).astimezone(BEIJING).replace(tzinfo=None, microsecond=0)


def beijing_text(ts: float | None) -> str:
    """Unix seconds as ``yyyy-MM-dd HH:mm`` Beijing time, as the UI writes dates; empty for none."""
    return "" if ts is None else beijing(ts).strftime("%Y-%m-%d %H:%M")


def rule_name(rule: str) -> str:
    """The check's Chinese name; for an unknown id, its kind's name (never the id itself)."""
    names = rule_names()
    if rule in names:
        return names[rule]
    return f"{kind_name(rule)} 其他检查项".strip()


def kind_name(rule: str) -> str:
    """The Chinese name of a rule id's kind (``hoist.door`` -> 施工升降机); empty if unknown."""
    return kind_names().get(rule.split(".", 1)[0], "")


def metric_name(metric: str) -> str:
    """A reading's Chinese name (every canonical metric has one; anything else reads 其他读数)."""
    found = registry.metric(metric)
    return found.zh if found is not None else "其他读数"


def site_state_name(state: str) -> str:
    """The site's own state of the alert, in Chinese."""
    return SITE_STATES.get(state, "现场状态未知")
