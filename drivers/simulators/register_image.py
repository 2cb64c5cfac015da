"""A profile's values laid out as the registers (and bits) a device would hold: the decoder's inverse."""

from __future__ import annotations

from collections.abc import Mapping

from contract.config.profile import DataType, FunctionCode, ModbusMap, RegisterValue
from drivers.modbus.decode import encode_value, is_bit_object, orders

Image = dict[FunctionCode, dict[int, int]]  # function -> address -> register word (or 0/1 for a bit object)


def value_key(rv: RegisterValue) -> str:
    """The key of ``rv`` in a values mapping: ``metric``, or ``metric@point`` for multi-point devices."""
    return f"{rv.metric}@{rv.point}" if rv.point else rv.metric


def build_image(mmap: ModbusMap, values: Mapping[str, float | str]) -> Image:
    """Encode ``values`` (by :func:`value_key`) into registers; values not given read as zero."""
    image: Image = {f: {} for f in FunctionCode}
    for rv in mmap.values:
        value = values.get(value_key(rv))
        if value is None:
            value = "" if rv.type is DataType.STRING else rv.offset
        words = encode_value(rv, value, *orders(rv, mmap))
        cells = image[rv.function]
        for i, w in enumerate(words):
            address = rv.address + i
            # several bit values may live in one status register: combine them
            cells[address] = cells.get(address, 0) | w if rv.type is DataType.BIT else w
    return image


def served_addresses(mmap: ModbusMap) -> dict[FunctionCode, list[int]]:
    """Addresses the profile maps, per function: what a strict device serves, nothing more."""
    out: dict[FunctionCode, set[int]] = {f: set() for f in FunctionCode}
    for rv in mmap.values:
        span = 1 if is_bit_object(rv) else rv.words
        out[rv.function].update(range(rv.address, rv.address + span))
    return {f: sorted(a) for f, a in out.items()}
