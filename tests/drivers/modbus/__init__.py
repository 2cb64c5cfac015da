"""Modbus driver, profiles and simulators: tests against real pymodbus servers over TCP and pty pairs."""
