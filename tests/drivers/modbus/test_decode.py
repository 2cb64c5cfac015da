"""Register encoding and decoding: known vectors from device manuals, and encode/decode round trips."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.config.profile import DataType, FunctionCode, Order, RegisterValue
from drivers.modbus.decode import DecodeError, EncodeError, decode_value, encode_value

B, L = Order.BIG, Order.LITTLE


def rv(type_: str, **kw: object) -> RegisterValue:
    return RegisterValue.model_validate({"metric": "m", "address": 0, "type": type_, **kw})


@pytest.mark.parametrize(
    ("byte_order", "word_order", "words"),
    [
        (B, B, [0x42F6, 0xE979]),  # ABCD
        (B, L, [0xE979, 0x42F6]),  # CDAB
        (L, B, [0xF642, 0x79E9]),  # BADC
        (L, L, [0x79E9, 0xF642]),  # DCBA
    ],
)
def test_float32_in_the_four_orders_devices_use(
    byte_order: Order, word_order: Order, words: list[int]
) -> None:
    assert decode_value(rv("float32"), words, byte_order, word_order) == 123.456
    assert encode_value(rv("float32"), 123.456, byte_order, word_order) == words


def test_int32_and_float64_big_endian() -> None:
    assert decode_value(rv("int32"), [0xFFFF, 0xFFFE]) == -2
    words = [int.from_bytes(struct.pack(">d", -1234.5678)[i : i + 2], "big") for i in range(0, 8, 2)]
    assert decode_value(rv("float64"), words) == -1234.5678


def test_bit_of_a_register_counts_from_the_least_significant_bit() -> None:
    assert decode_value(rv("bit", bit=0), [0x0001]) == 1.0
    assert decode_value(rv("bit", bit=15), [0x8000]) == 1.0
    assert decode_value(rv("bit", bit=1), [0x0001]) == 0.0
    # byte order little: bit 0 of the value is in the register's high byte
    assert decode_value(rv("bit", bit=0), [0x0100], L) == 1.0


def test_string_strips_nul_and_space_padding_and_rejects_binary() -> None:
    words = [0x4F50, 0x2D31, 0x3030, 0x3100, 0x0000]
    assert decode_value(rv("string", length=5), words) == "OP-1001"
    with pytest.raises(DecodeError, match="not ASCII"):
        decode_value(rv("string", length=1), [0xFFFE])


def test_nan_and_infinity_are_decode_errors() -> None:
    with pytest.raises(DecodeError, match="not a number"):
        decode_value(rv("float32"), [0x7FC0, 0x0000])
    with pytest.raises(DecodeError):
        decode_value(rv("float32"), [0x7F80, 0x0000])


def test_encoder_refuses_values_its_type_cannot_hold() -> None:
    with pytest.raises(EncodeError, match="out of range for uint16"):
        encode_value(rv("uint16", scale=0.01), 700.0)  # 70000 > 65535
    with pytest.raises(EncodeError, match="out of range for int16"):
        encode_value(rv("int16"), -40000)
    with pytest.raises(EncodeError, match="longer than 4 characters"):
        encode_value(rv("string", length=2), "OP-1001")


def test_coil_decodes_to_zero_or_one() -> None:
    coil = RegisterValue(metric="m", function=FunctionCode.COILS, address=5, type=DataType.BIT)
    assert decode_value(coil, [True]) == 1.0
    assert encode_value(coil, 0) == [0]


orders_ = st.sampled_from([B, L])
scales = st.sampled_from([1.0, 0.1, 0.01, 0.001, 10.0])


@settings(max_examples=200, deadline=None)
@given(
    type_=st.sampled_from(["int16", "uint16", "int32", "uint32"]),
    data=st.data(),
    scale=scales,
    offset=st.sampled_from([0.0, -10.5, 40.0]),
    bo=orders_,
    wo=orders_,
)
def test_integers_round_trip(
    type_: str, data: st.DataObject, scale: float, offset: float, bo: Order, wo: Order
) -> None:
    bits, signed = int(type_[-2:]), type_.startswith("int")
    raw = data.draw(
        st.integers(-(2 ** (bits - 1)) if signed else 0, 2 ** (bits - 1) - 1 if signed else 2**bits - 1)
    )
    value = rv(type_, scale=scale, offset=offset)
    words = encode_value(value, raw * scale + offset, bo, wo)
    assert all(0 <= w <= 0xFFFF for w in words) and len(words) == value.words
    assert decode_value(value, words, bo, wo) == pytest.approx(raw * scale + offset, abs=scale / 1000)


@settings(max_examples=200, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False, width=32), bo=orders_, wo=orders_)
def test_float32_round_trip(x: float, bo: Order, wo: Order) -> None:
    back = decode_value(rv("float32"), encode_value(rv("float32"), x, bo, wo), bo, wo)
    assert back == pytest.approx(x, rel=1e-6, abs=1e-37)


@settings(max_examples=200, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False), bo=orders_, wo=orders_)
def test_float64_round_trip_is_exact(x: float, bo: Order, wo: Order) -> None:
    assert decode_value(rv("float64"), encode_value(rv("float64"), x, bo, wo), bo, wo) == x


@settings(max_examples=100, deadline=None)
@given(text=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=16), bo=orders_)
def test_string_round_trip(text: str, bo: Order) -> None:
    value = rv("string", length=8)
    assert decode_value(value, encode_value(value, text, bo), bo) == text


@settings(max_examples=100, deadline=None)
@given(bit=st.integers(0, 15), on=st.booleans(), bo=orders_)
def test_bit_round_trip(bit: int, on: bool, bo: Order) -> None:
    value = rv("bit", bit=bit)
    assert decode_value(value, encode_value(value, float(on), bo), bo) == float(on)


def test_decimals_of_scale_survive_large_values() -> None:
    assert decode_value(rv("uint32", scale=0.001), [0x0001, 0x0000]) == 65.536
    assert math.isclose(decode_value(rv("uint16", scale=0.1), [123]), 12.3)  # type: ignore[arg-type]
