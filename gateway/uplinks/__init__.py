"""Adapters that deliver AlertEvents to platforms, one module per platform; `build_adapter` picks one."""

from __future__ import annotations

from contract.config.uplinks import (
    DingTalkUplink,
    MqttUplink,
    RegulatorUplink,
    ShenzhenUplink,
    UplinkBase,
    WeComUplink,
)
from gateway.uplinks.base import PermanentFailure, TransientFailure, UplinkAdapter


def build_adapter(config: UplinkBase) -> UplinkAdapter:
    """The adapter for one uplink's configuration."""
    if isinstance(config, RegulatorUplink):
        from gateway.uplinks.regulator import RegulatorAdapter

        return RegulatorAdapter(config)
    if isinstance(config, ShenzhenUplink):
        from gateway.uplinks.shenzhen import ShenzhenAdapter

        return ShenzhenAdapter(config)
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


__all__ = ["PermanentFailure", "TransientFailure", "UplinkAdapter", "build_adapter"]
