"""Adapters that deliver AlertEvents to platforms, one module per platform; `build_adapter` picks one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from contract.config.uplinks import (
    ChongqingUplink,
    CraneRecordsUplink,
    CwrServiceUplink,
    DingTalkUplink,
    DongguanUplink,
    MqttUplink,
    RegulatorUplink,
    SzGwsUplink,
    UplinkBase,
    WeComUplink,
)
from gateway.uplinks.base import PermanentFailure, TransientFailure, UplinkAdapter

if TYPE_CHECKING:
    from gateway.uplinks.crane_records import RecordSink


def build_adapter(config: UplinkBase) -> UplinkAdapter:
    """The adapter for one uplink's configuration."""
    if isinstance(config, RegulatorUplink):
        from gateway.uplinks.regulator import RegulatorAdapter

        return RegulatorAdapter(config)
    if isinstance(config, CwrServiceUplink):
        from gateway.uplinks.cwrservice import CwrServiceAdapter

        return CwrServiceAdapter(config)
    if isinstance(config, DongguanUplink):
        from gateway.uplinks.dongguan import DongguanAdapter

        return DongguanAdapter(config)
    if isinstance(config, SzGwsUplink):
        from gateway.uplinks.szgws import SzGwsAdapter

        return SzGwsAdapter(config)
    if isinstance(config, ChongqingUplink):
        from gateway.uplinks.chongqing import ChongqingAdapter

        return ChongqingAdapter(config)
    if isinstance(config, MqttUplink):
        from gateway.uplinks.mqtt import MqttAdapter

        return MqttAdapter(config)
    if isinstance(config, DingTalkUplink):
        from gateway.uplinks.dingtalk import DingTalkAdapter

        return DingTalkAdapter(config)
    if isinstance(config, WeComUplink):
        from gateway.uplinks.wecom import WeComAdapter

        return WeComAdapter(config)
    raise TypeError(f"no adapter for uplink type {type(config).__name__}")


def build_record_sink(config: CraneRecordsUplink) -> RecordSink:
    """The adapter that sends per-minute crane records for one uplink of a dialect that takes them."""
    if isinstance(config, SzGwsUplink):
        from gateway.uplinks.szgws import SzGwsAdapter

        return SzGwsAdapter(config)
    if isinstance(config, ChongqingUplink):
        from gateway.uplinks.chongqing import ChongqingAdapter

        return ChongqingAdapter(config)
    raise TypeError(f"no crane records for uplink type {type(config).__name__}")


__all__ = ["PermanentFailure", "TransientFailure", "UplinkAdapter", "build_adapter", "build_record_sink"]
