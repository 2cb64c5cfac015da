"""Chinese names of what a regulator reads: checks (rule ids), readings' metrics and the site's own
alert states. The API sends them with the ids, so no page, export or report shows a bare English id.

The rule ids are those the gateway's rules raise (rules/*.py, each module's ``RULE``); a rule this
table does not know yet (a newer gateway) is named by its kind (``hoist.xyz`` -> 施工升降机 其他检查项)
rather than by its id.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

RULE_NAMES: dict[str, str] = {
    "crane.load": "塔吊超载",
    "crane.wind": "塔吊大风",
    "crane.tilt": "塔身倾斜",
    "crane.collision": "群塔碰撞",
    "crane.zone": "禁吊区",
    "crane.operator": "塔吊司机资格",
    "crane.safety_device": "塔吊安全装置",
    "hoist.load": "升降机超载",
    "hoist.persons": "升降机超员",
    "hoist.wind": "升降机大风",
    "hoist.door": "升降机门联锁",
    "hoist.limit": "升降机限位",
    "hoist.arrester": "防坠安全器",
    "hoist.operator": "升降机司机资格",
    "hoist.safety_device": "升降机安全装置",
    "pit.cumulative": "基坑累计变形",
    "pit.rate": "基坑变形速率",
    "pit.jump": "基坑数据突变",
    "formwork.settle": "高支模沉降",
    "formwork.disp": "高支模水平位移",
    "formwork.tilt": "高支模立杆倾斜",
    "formwork.axial": "高支模立杆轴力",
    "formwork.silent": "高支模监测中断",
    "personnel.absent": "关键人员不在岗",
    "personnel.attendance": "项目负责人带班不足",
    "personnel.certificate": "安全考核证书失效",
    "sensor.fault": "传感器故障",
    "device.offline": "设备离线",
    "vision.no_helmet": "未戴安全帽",
    "vision.edge_missing": "临边防护缺失",
    "vision.zone_intrusion": "危险区闯入",
    "camera.offline": "摄像头离线",
}

KIND_NAMES: dict[str, str] = {
    "crane": "塔吊",
    "hoist": "施工升降机",
    "pit": "深基坑",
    "formwork": "高支模",
    "personnel": "关键人员",
    "vision": "视频识别",
    "camera": "摄像头",
    "sensor": "传感器",
    "device": "设备",
}

# contract/wire.py SUMMARY_METRICS, as the gateway's dashboard names them
METRIC_NAMES: dict[str, str] = {
    "load_t": "起重量",
    "rated_load_t": "额定起重量",
    "radius_m": "幅度",
    "height_m": "吊钩高度",
    "slew_deg": "回转角度",
    "wind_ms": "风速",
    "tilt_deg": "倾角",
    "moment_pct": "力矩",
    "trolley_speed_ms": "变幅速度",
    "disp_h_mm": "水平位移",
    "disp_v_mm": "竖向位移",
    "incl_mm": "深层水平位移",
    "axial_kn": "支撑轴力",
    "anchor_kn": "锚杆拉力",
    "water_level_m": "地下水位",
    "settle_mm": "沉降",
    "persons": "载人数",
    "speed_ms": "运行速度",
    "tilt_x_deg": "X向倾角",
    "tilt_y_deg": "Y向倾角",
    "floor": "楼层",
}

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
    if rule in RULE_NAMES:
        return RULE_NAMES[rule]
    kind = rule.split(".", 1)[0]
    return f"{KIND_NAMES.get(kind, '')} 其他检查项".strip()


def metric_name(metric: str) -> str:
    """A reading's Chinese name (every canonical metric has one; anything else reads 其他读数)."""
    return METRIC_NAMES.get(metric, "其他读数")


def site_state_name(state: str) -> str:
    """The site's own state of the alert, in Chinese."""
    return SITE_STATES.get(state, "现场状态未知")
