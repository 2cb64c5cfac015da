"""The special-operations trades (建筑施工特种作业, 建质〔2008〕75号 Art. 3) and the states of their certificates,
with the codes of the national e-certificate (standards.md §19): what a roster worker is booked for on the
site, and what their certificate says, as the issuer's register gives it."""

from __future__ import annotations

from typing import Literal

Trade = Literal[
    "electrician",
    "scaffolder",
    "attached_scaffolder",
    "signalman",
    "tower_crane_driver",
    "hoist_driver",
    "material_lift_driver",
    "tower_crane_installer",
    "hoist_installer",
    "material_lift_installer",
    "platform_installer",
    "other",
]

TRADES: dict[str, tuple[str, str]] = {
    "electrician": ("01", "建筑电工"),
    "scaffolder": ("02", "建筑架子工（普通脚手架）"),
    "attached_scaffolder": ("03", "建筑架子工（附着升降脚手架）"),
    "signalman": ("04", "建筑起重司索信号工"),
    "tower_crane_driver": ("05", "建筑起重机械司机（塔式起重机）"),
    "hoist_driver": ("06", "建筑起重机械司机（施工升降机）"),
    "material_lift_driver": ("07", "建筑起重机械司机（物料提升机）"),
    "tower_crane_installer": ("08", "建筑起重机械安装拆卸工（塔式起重机）"),
    "hoist_installer": ("09", "建筑起重机械安装拆卸工（施工升降机）"),
    "material_lift_installer": ("10", "建筑起重机械安装拆卸工（物料提升机）"),
    "platform_installer": ("11", "高处作业吊篮安装拆卸工"),
    "other": ("99", "其他特种作业"),
}
"""Each trade: its operationCategory code and its Chinese name."""

CertState = Literal["valid", "suspended", "revoked", "withdrawn", "cancelled", "lapsed", "other"]

CERT_STATES: dict[str, tuple[str, str]] = {
    "valid": ("01", "有效"),
    "suspended": ("02", "暂扣"),
    "revoked": ("03", "吊销"),
    "withdrawn": ("04", "撤销"),
    "cancelled": ("05", "注销"),
    "lapsed": ("06", "失效"),
    "other": ("99", "其他"),
}
"""Each certificate state: its certState code and its Chinese name; only ``valid`` lets its holder work."""

TRADE_HELP = ", ".join(f"{name} ({code} {zh})" for name, (code, zh) in TRADES.items())
