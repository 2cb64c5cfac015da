"""Modbus TCP and RTU polling: register decoding, request planning, per-device polling."""

from drivers.modbus.driver import ModbusDriver

__all__ = ["ModbusDriver"]
