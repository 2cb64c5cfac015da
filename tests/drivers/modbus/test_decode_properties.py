"""Register decoding under hostile input (issue #19): any register words, any profile value.

Whatever a device answers and whatever a profile says (data type, bit, length, byte and word
order, scale, offset), decoding gives a finite number or text, or the driver's documented
DecodeError: never another exception, never NaN or infinity published as a reading. Values the
profile's type can hold come back as they were encoded. Profiles that could only ever decode to
nonsense (a scale of 0, NaN or infinity) are refused when the profile is loaded.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contract.config.profile import DataType, FunctionCode, ModbusMap, Order, RegisterValue
from drivers.modbus.decode import (
    DecodeError,
    EncodeError,
    RequestDecoder,
    decode_value,
    encode_value,
    orders,
)
from drivers.modbus.plan import Request, plan_requests

ORDERS = st.sampled_from([Order.BIG, Order.LITTLE])
REGISTER_TYPES = list(DataType)
# every float a profile may hold, including the ones a typo produces (1e308, 1e-300)
ANY_FLOAT = st.floats(allow_nan=False, allow_infinity=False)
# filter_too_much: register_values() draws fields freely and lets the profile model refuse what it refuses
# (a float type read as a coil, a scale of 0), which a map of up to 8 values meets in most draws
SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def register_values(draw: st.DrawFn, address: int | None = None) -> RegisterValue:
    """Any value a profile can declare (those the model refuses are skipped)."""
    function = draw(st.sampled_from(list(FunctionCode)))
    fields: dict[str, Any] = {
        "metric": draw(st.sampled_from(["load_t", "wind_ms", "operator_id", "flag"])),
        "function": function.value,
        "address": draw(st.integers(0, 200)) if address is None else address,
        "type": draw(st.sampled_from(REGISTER_TYPES)).value,
        "scale": draw(st.one_of(st.sampled_from([1.0, 0.1, 0.01, -1.0, 1000.0]), ANY_FLOAT)),
        "offset": draw(st.one_of(st.sampled_from([0.0, -40.0, 273.15]), ANY_FLOAT)),
    }
    if fields["type"] == "bit":
        fields["bit"] = draw(st.integers(0, 15))
    if fields["type"] == "string":
        fields["length"] = draw(st.integers(1, 8))
    for key in ("byte_order", "word_order"):
        if draw(st.booleans()):
            fields[key] = draw(ORDERS).value
    try:
        return RegisterValue.model_validate(fields)
    except ValidationError:
        assume(False)
        raise  # unreachable: assume(False) ends the example


def words_for(rv: RegisterValue) -> st.SearchStrategy[list[int]] | st.SearchStrategy[list[bool]]:
    """Any answer of the right size: 16-bit words, or bits for coils and discrete inputs."""
    if rv.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS):
        return st.lists(st.booleans(), min_size=rv.words, max_size=rv.words)
    return st.lists(st.integers(0, 0xFFFF), min_size=rv.words, max_size=rv.words)


@SETTINGS
@given(data=st.data(), byte_order=ORDERS, word_order=ORDERS)
def test_any_words_decode_to_a_finite_value_or_a_decode_error(
    data: st.DataObject, byte_order: Order, word_order: Order
) -> None:
    rv = data.draw(register_values())
    words = data.draw(words_for(rv))
    try:
        value = decode_value(rv, words, byte_order, word_order)
    except DecodeError as exc:
        assert str(exc), "a decode error says why"
        return
    if isinstance(value, str):
        assert rv.type is DataType.STRING and value.isascii()
    else:
        assert isinstance(value, float) and math.isfinite(value), (rv, words, value)


@SETTINGS
@given(data=st.data(), byte_order=ORDERS, word_order=ORDERS)
def test_a_whole_map_decodes_every_value_once_whatever_the_device_answers(
    data: st.DataObject, byte_order: Order, word_order: Order
) -> None:
    values = data.draw(st.lists(register_values(), min_size=1, max_size=8))
    # one value per (function, address) and metric, as the map's own checks require
    seen: set[tuple[str, int]] = set()
    unique = []
    for i, v in enumerate(values):
        span = {(v.function.value, a) for a in range(v.address, v.address + v.words)}
        if span & seen:
            continue
        seen |= span
        unique.append(v.model_copy(update={"metric": f"m{i}"}))
    mmap = ModbusMap(
        byte_order=byte_order, word_order=word_order, max_gap=data.draw(st.integers(0, 10)), values=unique
    )
    decoded = []
    for request in plan_requests(mmap):
        is_bits = request.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)
        element = st.booleans() if is_bits else st.integers(0, 0xFFFF)
        answer = data.draw(st.lists(element, min_size=request.count, max_size=request.count))  # type: ignore[arg-type]
        fast = RequestDecoder(mmap, request)(answer)
        decoded.extend(fast)
        # the poller's decoder (layout worked out once, numbers unpacked from the answer's bytes)
        # gives exactly what the straightforward per-value decoding gives, errors included
        for rv, value in fast:
            try:
                plain: float | str | DecodeError = decode_value(
                    rv, request.slice_for(rv, answer), *orders(rv, mmap)
                )
            except DecodeError as exc:
                plain = exc
            if isinstance(plain, DecodeError):
                assert isinstance(value, DecodeError) and str(value) == str(plain), (rv, value, plain)
            else:
                assert value == plain and type(value) is type(plain), (rv, value, plain)
    assert sorted(rv.metric for rv, _ in decoded) == sorted(v.metric for v in unique)
    for rv, value in decoded:
        assert isinstance(value, DecodeError | str) or math.isfinite(value), (rv, value)


@SETTINGS
@given(
    type_=st.sampled_from([DataType.INT16, DataType.UINT16, DataType.INT32, DataType.UINT32]),
    data=st.data(),
    scale=st.one_of(st.sampled_from([1.0, 0.1, 0.01, 0.001, 0.5, 2.0, 10.0]), st.floats(1e-6, 1e6)),
    offset=st.one_of(st.sampled_from([0.0, -40.0, 0.5]), st.floats(-1e6, 1e6)),
    byte_order=ORDERS,
    word_order=ORDERS,
)
def test_integers_round_trip_with_any_scale_and_offset(
    type_: DataType, data: st.DataObject, scale: float, offset: float, byte_order: Order, word_order: Order
) -> None:
    bits, signed = int(type_.value[-2:]), type_.value.startswith("int")
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    raw = data.draw(st.integers(low, high))
    rv = RegisterValue(metric="m", address=0, type=type_, scale=scale, offset=offset)
    value = raw * scale + offset
    words = encode_value(rv, value, byte_order, word_order)
    assert len(words) == rv.words and all(0 <= w <= 0xFFFF for w in words)
    # the device's raw integer comes back, whatever float noise scale and offset add
    back = decode_value(rv, words, byte_order, word_order)
    assert isinstance(back, float)
    assert back == pytest.approx(value, rel=1e-9, abs=abs(scale) / 2)


@SETTINGS
@given(
    type_=st.sampled_from([DataType.FLOAT32, DataType.FLOAT64]),
    x=st.floats(allow_nan=False, allow_infinity=False, width=32),
    scale=st.sampled_from([1.0, 0.1, 10.0, -1.0]),
    offset=st.sampled_from([0.0, -40.0]),
    byte_order=ORDERS,
    word_order=ORDERS,
)
def test_floats_round_trip_in_every_order(
    type_: DataType, x: float, scale: float, offset: float, byte_order: Order, word_order: Order
) -> None:
    rv = RegisterValue(metric="m", address=0, type=type_, scale=scale, offset=offset)
    value = x * scale + offset
    try:
        words = encode_value(rv, value, byte_order, word_order)
    except EncodeError:
        return  # x * scale beyond what a float32 register holds: refused with a message, as documented
    back = decode_value(rv, words, byte_order, word_order)
    assert back == pytest.approx(value, rel=1e-6, abs=1e-30 + abs(offset) * 1e-6)


@SETTINGS
@given(
    text=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=16).map(
        lambda s: s.strip(" ")
    ),
    length=st.integers(8, 16),
    byte_order=ORDERS,
)
def test_ascii_text_round_trips_and_other_bytes_are_a_decode_error(
    text: str, length: int, byte_order: Order
) -> None:
    rv = RegisterValue(metric="operator_id", address=0, type=DataType.STRING, length=length)
    assert decode_value(rv, encode_value(rv, text, byte_order), byte_order) == text
    with pytest.raises(DecodeError, match="not ASCII"):
        decode_value(rv, [0x8000] + [0x2020] * (length - 1), byte_order)


@pytest.mark.parametrize(
    ("field", "bad"),
    [("scale", 0.0), ("scale", math.inf), ("scale", math.nan), ("offset", -math.inf), ("offset", math.nan)],
)
def test_a_profile_whose_scale_or_offset_cannot_give_a_number_is_refused(field: str, bad: float) -> None:
    with pytest.raises(ValidationError, match=field):
        RegisterValue.model_validate({"metric": "m", "address": 0, "type": "uint16", field: bad})


def test_a_float64_beyond_what_its_scale_can_carry_is_a_decode_error_not_infinity() -> None:
    # 1e308 read from the device, times a scale of 10, is past the largest float: no value, a message
    rv = RegisterValue(metric="m", address=0, type=DataType.FLOAT64, scale=10.0)
    words = encode_value(RegisterValue(metric="m", address=0, type=DataType.FLOAT64), 1e308)
    with pytest.raises(DecodeError, match="scale"):
        decode_value(rv, words)


NUMBER_TYPES = [
    DataType.INT16,
    DataType.UINT16,
    DataType.INT32,
    DataType.UINT32,
    DataType.FLOAT32,
    DataType.FLOAT64,
]


@st.composite
def register_blocks(draw: st.DrawFn) -> ModbusMap:
    """A map of holding registers as crane boxes lay them out: numbers side by side or a few registers
    apart, most read as they are (scale 1, offset 0), some scaled, some in another byte or word order
    (each kind of value the poller's block decoding treats differently)."""
    values, address = [], draw(st.integers(0, 100))
    for i in range(draw(st.integers(1, 20))):
        fields: dict[str, Any] = {
            "metric": f"m{i}",
            "address": address,
            "type": draw(st.sampled_from(NUMBER_TYPES)).value,
        }
        if draw(st.integers(0, 3)) == 0:  # scaled or offset: a quarter of the values
            fields["scale"] = draw(st.one_of(st.sampled_from([1.0, 0.1, 0.01, -1.0, 1000.0]), ANY_FLOAT))
            fields["offset"] = draw(st.one_of(st.sampled_from([0.0, -40.0, 273.15]), ANY_FLOAT))
        if draw(st.integers(0, 7)) == 0:  # another order than the map's: decoded on its own
            fields[draw(st.sampled_from(["byte_order", "word_order"]))] = Order.LITTLE.value
        try:
            rv = RegisterValue.model_validate(fields)
        except ValidationError:
            assume(False)
            raise  # unreachable: assume(False) ends the example
        values.append(rv)
        address += rv.words + draw(st.sampled_from([0, 0, 0, 1, 3]))  # mostly no gap
    return ModbusMap(max_gap=3, values=values)


def plain_decode(mmap: ModbusMap, request: Request, data: list[int]) -> list[float | str | DecodeError]:
    """The straightforward decoding: each value on its own, through decode_value."""
    out: list[float | str | DecodeError] = []
    for rv in request.values:
        try:
            out.append(decode_value(rv, request.slice_for(rv, data), *orders(rv, mmap)))
        except DecodeError as exc:
            out.append(exc)
    return out


@SETTINGS
@given(mmap=register_blocks(), data=st.data())
def test_block_decoding_gives_what_decoding_each_value_alone_gives(
    mmap: ModbusMap, data: st.DataObject
) -> None:
    # the poller's path: one struct over the whole answer, integers read as they are only made floats
    for planned in plan_requests(mmap):
        # a request built by hand may list its values in any order: each then gives the same
        request = Request(
            planned.function,
            planned.address,
            planned.count,
            tuple(data.draw(st.permutations(planned.values))),
        )
        answer = data.draw(st.lists(st.integers(0, 0xFFFF), min_size=request.count, max_size=request.count))
        decoder = RequestDecoder(mmap, request)
        fast, failed = decoder.decode(answer)
        plain = plain_decode(mmap, request, answer)
        assert len(fast) == len(plain) == len(decoder.values)
        for rv, got, want in zip(decoder.values, fast, plain, strict=True):
            if isinstance(want, DecodeError):
                assert isinstance(got, DecodeError) and str(got) == str(want), (rv, got, want)
            else:
                assert got == want and type(got) is type(want), (rv, answer, got, want)
        assert failed == any(isinstance(v, DecodeError) for v in plain)
