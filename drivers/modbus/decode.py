"""Register words <-> values, per the profile's data type, byte/word order, scale and offset.

Pure functions: the driver decodes what it polled, the simulators encode what they serve, and
both go through the same tables so a profile means the same thing on both sides.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

from contract.config.profile import DataType, FunctionCode, ModbusMap, Order, RegisterValue
from drivers.modbus.plan import Request

# struct format (big-endian after reordering) and the integer range of each numeric type
_STRUCT = {
    DataType.INT16: "h",
    DataType.UINT16: "H",
    DataType.INT32: "i",
    DataType.UINT32: "I",
    DataType.FLOAT32: "f",
    DataType.FLOAT64: "d",
}
_INT_RANGE = {
    DataType.INT16: (-(2**15), 2**15 - 1),
    DataType.UINT16: (0, 2**16 - 1),
    DataType.INT32: (-(2**31), 2**31 - 1),
    DataType.UINT32: (0, 2**32 - 1),
}
_FLOAT32_MAX = 3.4028234663852886e38


class DecodeError(ValueError):
    """The words read cannot be turned into a value (NaN, infinity, text that is not ASCII)."""


class EncodeError(ValueError):
    """A value cannot be represented in its register type (out of range, text too long)."""


def is_bit_object(rv: RegisterValue) -> bool:
    """True for values read with FC01/FC02 (coils, discrete inputs): one bit each."""
    return rv.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)


def orders(rv: RegisterValue, mmap: ModbusMap) -> tuple[Order, Order]:
    """The (byte order, word order) of one value: its own, else the map's default."""
    return rv.byte_order or mmap.byte_order, rv.word_order or mmap.word_order


def _swap(word: int) -> int:
    return ((word & 0xFF) << 8) | (word >> 8)


def _to_bytes(words: Sequence[int], byte_order: Order, word_order: Order) -> bytes:
    """Big-endian bytes of a multi-register value, whatever order the device keeps them in."""
    ws = [_swap(w) if byte_order is Order.LITTLE else w for w in words]
    if word_order is Order.LITTLE:
        ws.reverse()
    return b"".join(w.to_bytes(2, "big") for w in ws)


def _from_bytes(data: bytes, byte_order: Order, word_order: Order) -> list[int]:
    """Inverse of :func:`_to_bytes`."""
    ws = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    if word_order is Order.LITTLE:
        ws.reverse()
    return [_swap(w) if byte_order is Order.LITTLE else w for w in ws]


def decimals(x: float) -> int:
    """Decimal places written in ``x`` (0.01 -> 2), to undo float noise such as 12.340000000000002."""
    text = repr(float(x))
    if "e" in text:
        mantissa, exp = text.split("e")
        frac = mantissa.split(".")[1].rstrip("0") if "." in mantissa else ""
        return max(0, len(frac) - int(exp))
    return len(text.split(".")[1].rstrip("0"))


def decode_raw(
    rv: RegisterValue,
    words: Sequence[int] | Sequence[bool],
    byte_order: Order = Order.BIG,
    word_order: Order = Order.BIG,
) -> float | str:
    """The unscaled value held in ``words`` (registers, or one bit for coils/discrete inputs)."""
    if is_bit_object(rv):
        return 1.0 if words[0] else 0.0
    if rv.type is DataType.BIT:
        word = _swap(int(words[0])) if byte_order is Order.LITTLE else int(words[0])
        return float((word >> (rv.bit or 0)) & 1)
    if rv.type is DataType.STRING:
        # text is stored in register order: only the byte order inside each register applies
        data = _to_bytes(words, byte_order, Order.BIG)
        try:
            return data.decode("ascii").strip("\x00 ")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"bytes {data.hex(' ')} are not ASCII text") from exc
    raw = struct.unpack(">" + _STRUCT[rv.type], _to_bytes(words, byte_order, word_order))[0]
    if isinstance(raw, float) and not math.isfinite(raw):
        raise DecodeError(
            f"{rv.type.value} words {[f'0x{w:04x}' for w in words]} decode to {raw}, not a number"
        )
    if rv.type is DataType.FLOAT32:
        return float(f"{raw:.7g}")  # a float32 carries ~7 digits: 1.9 rather than 1.899999976158142
    return float(raw)


def decode_value(
    rv: RegisterValue,
    words: Sequence[int] | Sequence[bool],
    byte_order: Order = Order.BIG,
    word_order: Order = Order.BIG,
) -> float | str:
    """The value of ``rv`` in engineering units: raw * scale + offset (text is returned as is)."""
    raw = decode_raw(rv, words, byte_order, word_order)
    if isinstance(raw, str):
        return raw
    value = raw * rv.scale + rv.offset
    if not math.isfinite(value):
        # a huge raw value times the profile's scale: past the largest float, not a measurement
        raise DecodeError(
            f"raw {raw:g} * scale {rv.scale:g} + offset {rv.offset:g} is beyond the largest number"
        )
    if rv.type in _INT_RANGE or rv.type is DataType.BIT or is_bit_object(rv):
        # integer raw values: keep as many decimals as scale and offset were written with
        value = round(value, min(12, decimals(rv.scale) + decimals(rv.offset)))
    return value


def encode_value(
    rv: RegisterValue, value: float | str, byte_order: Order = Order.BIG, word_order: Order = Order.BIG
) -> list[int]:
    """The register words (or ``[0]``/``[1]`` for a coil) a device stores for ``value``.

    For ``type: bit`` in a register the result is the register with only that bit set (or 0),
    so that several bit values of one register combine with OR.
    """
    if rv.type is DataType.STRING:
        data = str(value).encode("ascii", errors="strict")
        size = 2 * (rv.length or 0)
        if len(data) > size:
            raise EncodeError(f"{rv.metric}: text {value!r} is longer than {size} characters")
        return _from_bytes(data.ljust(size, b"\x00"), byte_order, Order.BIG)
    if isinstance(value, str):
        raise EncodeError(f"{rv.metric}: {rv.type.value} needs a number, got text {value!r}")
    raw = (float(value) - rv.offset) / rv.scale
    if is_bit_object(rv) or rv.type is DataType.BIT:
        if round(raw) not in (0, 1):
            raise EncodeError(f"{rv.metric}: a bit is 0 or 1, got {value!r}")
        if is_bit_object(rv):
            return [round(raw)]
        word = round(raw) << (rv.bit or 0)
        return [_swap(word) if byte_order is Order.LITTLE else word]
    if rv.type in _INT_RANGE:
        low, high = _INT_RANGE[rv.type]
        as_int = round(raw)
        if not low <= as_int <= high:
            raise EncodeError(
                f"{rv.metric}: {value!r} is raw {as_int}, out of range for {rv.type.value} "
                f"({low}..{high}) with scale {rv.scale:g} and offset {rv.offset:g}"
            )
        data = struct.pack(">" + _STRUCT[rv.type], as_int)
    else:
        if rv.type is DataType.FLOAT32 and math.isfinite(raw) and abs(raw) > _FLOAT32_MAX:
            raise EncodeError(f"{rv.metric}: {value!r} is out of range for float32")
        data = struct.pack(">" + _STRUCT[rv.type], raw)
    return _from_bytes(data, byte_order, word_order)


Decoded = float | str | DecodeError  # a value, or why it could not be decoded


class RequestDecoder:
    """Every value of one request decoded from its answer, each value's layout worked out once.

    The poller decodes the same request every poll, so what :func:`decode_value` works out per call
    (struct format, byte and word order, the decimals of scale and offset) is worked out here when
    the request is planned. The numeric values in big-endian byte and word order (the common case)
    are laid out as one struct over the whole answer, so a single ``unpack_from`` gives all their raw
    numbers; an integer read as it is (scale 1, offset 0: most of a register map) then only becomes
    a float. Every other value, and any number that is not finite, goes through :func:`decode_value`,
    so both give the same result and the same error for every input
    (tests/drivers/modbus/test_decode_properties.py).
    """

    def __init__(self, mmap: ModbusMap, request: Request) -> None:
        self._mmap, self._request = mmap, request
        self.values = request.values  # in the order decode() gives their results
        self._words = struct.Struct(f">{request.count}H")
        # per value: in the block struct or not, the arithmetic after unpacking (None: the raw integer
        # as a float), and the decimals an integer's value is rounded to (None for floats)
        self._plan: list[tuple[RegisterValue, bool, tuple[float, float] | None, int | None]] = []
        layout, end = [">"], 0  # the block struct's format; first byte after the last value laid out
        for rv in request.values:
            at = 2 * (rv.address - request.address)
            # a value overlapping the one before is decoded on its own, so the block stays one layout
            fast = (
                at >= end
                and not is_bit_object(rv)
                and rv.type in _STRUCT
                and orders(rv, mmap) == (Order.BIG, Order.BIG)
            )
            if fast:
                layout.append(f"{at - end}x{_STRUCT[rv.type]}" if at > end else _STRUCT[rv.type])
                end = at + 2 * rv.words
            as_is = rv.type in _INT_RANGE and rv.scale == 1.0 and rv.offset == 0.0
            self._plan.append(
                (
                    rv,
                    fast,
                    None if as_is else (rv.scale, rv.offset),
                    min(12, decimals(rv.scale) + decimals(rv.offset)) if rv.type in _INT_RANGE else None,
                )
            )
        self._block = struct.Struct("".join(layout)) if end else None
        # the common map: every value in the block and an integer read as it is
        self._as_is = all(fast and arith is None for _, fast, arith, _ in self._plan)

    def __call__(self, data: Sequence[int] | Sequence[bool]) -> list[tuple[RegisterValue, Decoded]]:
        """Each value with what it decodes to, or its DecodeError so the caller can report it and
        keep the others."""
        return list(zip(self.values, self.decode(data)[0], strict=True))

    def decode(self, data: Sequence[int] | Sequence[bool]) -> tuple[list[Decoded], bool]:
        """What each of :attr:`values` decodes to, in order, and whether any is a DecodeError."""
        raws: tuple[float, ...] = ()
        if self._block is not None and len(data) == self._request.count:
            try:
                raws = self._block.unpack_from(self._words.pack(*data))
            except struct.error:  # not 16-bit words: the straightforward path says so per value
                raws = ()
        if raws and self._as_is:
            return list(map(float, raws)), False
        out: list[Decoded] = []
        failed = False
        unpacked = iter(raws)
        for rv, fast, arith, digits in self._plan:
            number = self._fast(rv, next(unpacked), arith, digits) if fast and raws else None
            if number is not None:
                out.append(number)
                continue
            try:
                out.append(decode_value(rv, self._request.slice_for(rv, data), *orders(rv, self._mmap)))
            except DecodeError as exc:
                out.append(exc)
                failed = True
        return out, failed

    @staticmethod
    def _fast(
        rv: RegisterValue, raw: float, arith: tuple[float, float] | None, digits: int | None
    ) -> float | None:
        """decode_value's arithmetic on a number already unpacked; None where it is not finite (the
        straightforward path then raises its DecodeError)."""
        if arith is None:
            return float(raw)  # an integer times 1 plus 0, rounded to 0 decimals: itself
        if digits is None:
            if not math.isfinite(raw):
                return None
            if rv.type is DataType.FLOAT32:
                raw = float(f"{raw:.7g}")  # as decode_raw: a float32 carries ~7 digits
        value = raw * arith[0] + arith[1]
        if not math.isfinite(value):
            return None
        return float(value) if digits is None else round(value, digits)
