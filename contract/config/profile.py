"""Device profiles: how a kind of device's registers or payloads map onto sitegw metrics.

A profile (config/profiles/NAME.yaml) is written once per device model and reused by every
site that has one. Register maps follow Telegraf's modbus input in spirit: each value says
where it lives, how its bytes are ordered, and how to scale it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from contract.config import units
from contract.config.common import Model
from contract.config.errors import Located, raise_located
from contract.kinds import registry


class FunctionCode(StrEnum):
    """Modbus object type, named the way device manuals name them."""

    COILS = "coils"  # FC01
    DISCRETE_INPUTS = "discrete_inputs"  # FC02
    HOLDING = "holding"  # FC03
    INPUT = "input"  # FC04


class DataType(StrEnum):
    """How the register words of one value are interpreted."""

    INT16 = "int16"
    UINT16 = "uint16"
    INT32 = "int32"
    UINT32 = "uint32"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    BIT = "bit"  # one bit of a 16-bit register (or a coil / discrete input)
    STRING = "string"  # ASCII, two characters per register, NULs and spaces stripped


WORDS = {
    DataType.INT16: 1,
    DataType.UINT16: 1,
    DataType.INT32: 2,
    DataType.UINT32: 2,
    DataType.FLOAT32: 2,
    DataType.FLOAT64: 4,
    DataType.BIT: 1,
}


class Order(StrEnum):
    """Byte order inside a register, or word order across registers."""

    BIG = "big"  # Modbus standard: high byte / high word first ("ABCD")
    LITTLE = "little"


class InMetricUnit(Model):
    """A value whose ``unit`` is its metric's (contract/config/units.py): another unit of the same
    quantity is converted into the value's scale and offset, any other is refused at its ``unit:``."""

    _written_unit: str = PrivateAttr("")

    @model_validator(mode="wrap")
    @classmethod
    def _convert(cls, data: Any, handler: ModelWrapValidatorHandler[InMetricUnit]) -> InMetricUnit:
        folded = units.fold(data)
        value = handler(folded)
        if folded is not data:  # converted: check-config tells it, as a mislabelled unit reads 3.6 times off
            value._written_unit = data["unit"]
        return value

    @property
    def converted_from(self) -> str:
        """The unit the profile wrote, where the value was converted from it to its metric's; '' if not."""
        return self._written_unit

    @field_validator("unit", check_fields=False)
    @classmethod
    def _metric_unit(cls, unit: str, info: ValidationInfo) -> str:
        metric = info.data.get("metric")
        if isinstance(metric, str):
            units.check(metric, unit)
        return unit


class RegisterValue(InMetricUnit):
    """One metric read from a Modbus device."""

    metric: str = Field(title="Metric", description="sitegw metric name (docs/design.md), e.g. load_t")
    function: FunctionCode = Field(
        FunctionCode.HOLDING, title="Function", description="coils, discrete_inputs, holding or input"
    )
    address: int = Field(
        ge=0,
        le=65535,
        title="Address",
        description="0-based protocol address of the first register (manual 40001 = address 0)",
    )
    type: DataType = Field(
        DataType.UINT16,
        title="Data type",
        description="int16, uint16, int32, uint32, float32, float64, bit or string",
    )
    bit: int | None = Field(
        None,
        ge=0,
        le=15,
        title="Bit",
        description="for type bit on registers: bit number, 0 = least significant",
    )
    length: int | None = Field(
        None,
        ge=1,
        le=64,
        title="Length",
        description="for type string: number of registers (two characters each)",
    )
    byte_order: Order | None = Field(
        None, title="Byte order", description="inside each register; default: the profile's"
    )
    word_order: Order | None = Field(
        None, title="Word order", description="across registers of 32/64-bit values; default: the profile's"
    )
    scale: float = Field(1.0, title="Scale", description="value = raw * scale + offset")
    offset: float = Field(0.0, title="Offset", description="value = raw * scale + offset")
    unit: str = Field(
        "",
        title="Unit",
        description="unit after scaling, e.g. t, m, deg, m/s: the metric's, or one converted to it (km/h, mm)",
    )
    point: str = Field(
        "", title="Point", description="monitoring point code, for devices with several points"
    )
    description: str = Field("", title="Description", description="what the register holds, for vendors")

    @model_validator(mode="after")
    def _check_shape(self) -> RegisterValue:
        if self.scale == 0:
            raise ValueError("scale 0 turns every reading into the offset: write the register's real scale")
        bit_objects = self.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)
        if bit_objects and self.type not in (DataType.BIT, DataType.UINT16):
            raise ValueError(f"{self.function.value} hold single bits: use type: bit, not {self.type.value}")
        if self.type is DataType.STRING and self.length is None:
            raise ValueError("type string needs length: (number of registers, two characters each)")
        if self.type is DataType.BIT and not bit_objects and self.bit is None:
            raise ValueError("type bit on a register needs bit: (0 = least significant bit)")
        if self.address + self.words > 65536:
            raise ValueError(f"{self.type.value} at address {self.address} runs past the last address 65535")
        return self

    @property
    def words(self) -> int:
        """Number of 16-bit registers (or bits, for coils) the value occupies."""
        if self.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS):
            return 1
        if self.type is DataType.STRING:
            assert self.length is not None  # the model's validator requires a length for strings
            return self.length
        return WORDS[self.type]


MANUAL_BASE = {FunctionCode.INPUT: 30000, FunctionCode.HOLDING: 40000}
"""How manuals number input and holding registers: 30001 and 40001 are protocol address 0."""

TIME_TYPES = (DataType.UINT32, DataType.INT32, DataType.FLOAT64)


class HistoryMap(Model):
    """A data logger's record store: the readings it buffered through an outage, and how they are laid out.

    There is no standard for this: each logger or DAU exposes its store in its own registers, so the
    layout is the profile's. sitegw reads the common shape (drivers/modbus/history.py): a status block (the
    oldest pending record's sequence number, then the number pending, uint32 each), a window holding the
    oldest pending records back to back (each its uint32 sequence number, its timestamp, then its channels),
    and an acknowledgement register the gateway writes with the last record it stored, after which the
    logger drops that record and the older ones. The uint32 fields follow the map's byte and word order.
    """

    function: FunctionCode = Field(
        FunctionCode.HOLDING,
        title="Function",
        description="holding or input: the registers the status block and the window are read from",
    )
    status_address: int = Field(
        ge=0,
        le=65532,
        title="Status address",
        description="first of four registers: uint32 sequence number of the oldest pending record, "
        "then uint32 number of pending records",
    )
    window_address: int = Field(
        ge=0,
        le=65535,
        title="Window address",
        description="first register of the window: the oldest pending records back to back",
    )
    window_records: int = Field(
        50,
        ge=1,
        le=1000,
        title="Window records",
        description="records taken per window (in as many requests as the 125-register limit needs), stored, "
        "then acknowledged: the gateway holds at most this many records of a backlog at once",
    )
    ack_address: int = Field(
        ge=0,
        le=65534,
        title="Acknowledge address",
        description="holding register pair the gateway writes (FC16, uint32) with the sequence number of the "
        "last record it stored; the logger then drops that record and the older ones",
    )
    time_type: DataType = Field(
        DataType.UINT32,
        title="Timestamp type",
        description="type of each record's timestamp, after its sequence number: uint32, int32 or float64",
    )
    time_scale: float = Field(
        1.0,
        gt=0,
        title="Timestamp scale",
        description="seconds per count of the timestamp: 1 for seconds, 0.001 for milliseconds (float64)",
    )
    time_epoch_s: float = Field(
        0.0,
        title="Timestamp epoch",
        description="Unix time of the logger's zero: 0 for Unix time, 946684800 for a logger counting "
        "from 2000-01-01 UTC",
    )
    channels: list[str] = Field(
        min_length=1,
        title="Channels",
        description="the live values each record holds after its timestamp, in order, as metric or "
        "metric@point; each takes its live value's type, byte and word order, scale and offset",
    )
    idle_poll_s: float = Field(
        10.0,
        gt=0,
        le=3600,
        title="Idle poll",
        description="seconds between reads of the status block while no record is pending",
    )

    @model_validator(mode="after")
    def _check_shape(self) -> HistoryMap:
        if self.function not in (FunctionCode.HOLDING, FunctionCode.INPUT):
            raise ValueError(
                f"a record store is read from holding or input registers, not {self.function.value}"
            )
        if self.time_type not in TIME_TYPES:
            raise ValueError(
                f"time_type {self.time_type.value}: a timestamp is one of "
                f"{', '.join(t.value for t in TIME_TYPES)}"
            )
        return self


def entry_problems(values: Iterable[tuple[int, RegisterValue]], high_addresses: bool) -> list[Located]:
    """Every entry of a register map that clashes with an earlier one (the same metric and point; a whole
    value on a register another already reads), or whose address is the manual's register number.

    ``values`` are the entries with their index in the map: the model passes all of them, the loader those
    that are valid on their own, so that one run names every clash at its entry even beside other errors.
    Each problem's place is ``("values", index)``.
    """
    problems = []
    seen: dict[tuple[str, str], int] = {}
    # two whole values sharing a register is a typo in the map (bits of one status word may share)
    taken: dict[tuple[FunctionCode, int], str] = {}
    for i, v in values:
        label = v.metric + (f"@{v.point}" if v.point else "")
        first = seen.setdefault((v.metric, v.point), i)
        if first != i:
            problems.append(
                Located(
                    ("values", i),
                    f"metric {v.metric!r}{' point ' + v.point if v.point else ''} is mapped twice "
                    f"(first at values[{first}])",
                    "remove one, or give each its point:",
                )
            )
        base = MANUAL_BASE.get(v.function)
        if not high_addresses and base is not None and base + 1 <= v.address <= base + 9999:
            # manuals number registers from 1 with the object type in front: 40001 is holding register 0
            # on the wire, 30001 input register 0; written as the address, every read would miss by 40001
            problems.append(
                Located(
                    ("values", i),
                    f"{v.metric}: address {v.address} looks like the manual's register number "
                    f"({base // 10000}xxxx, counted from 1): the protocol address is {v.address} - {base + 1} "
                    f"= {v.address - base - 1}",
                    f"write address: {v.address - base - 1} (or set high_addresses: true if the device really "
                    "uses that address)",
                )
            )
        if v.type is DataType.BIT:
            continue
        # every register of the value is taken, so that a later value on any of them is named too
        clashes = [
            (a, other)
            for a in range(v.address, v.address + v.words)
            if (other := taken.setdefault((v.function, a), label)) != label
        ]
        if clashes:
            address, other = clashes[0]
            problems.append(
                Located(
                    ("values", i),
                    f"{label} ({v.type.value} at {v.function.value} {v.address}) overlaps {other} at "
                    f"address {address}",
                    "check the addresses and types: a float32 or (u)int32 takes two registers, a float64 four",
                )
            )
    return problems


class ModbusMap(Model):
    """The register map of a Modbus device model."""

    byte_order: Order = Field(
        Order.BIG, title="Byte order", description="default byte order inside registers"
    )
    word_order: Order = Field(
        Order.BIG, title="Word order", description="default word order for 32/64-bit values"
    )
    max_gap: int = Field(
        0,
        ge=0,
        le=100,
        title="Max gap",
        description="unmapped registers that may be read through to merge two requests; "
        "0 reads only truly adjacent registers together (safe for strict devices)",
    )
    high_addresses: bool = Field(
        False,
        title="High addresses",
        description="the device really uses protocol addresses above 30000 for input and 40000 for holding "
        "registers (rare); without it, such an address is taken for the manual's 3xxxx/4xxxx numbering and "
        "refused with the address to write",
    )
    values: list[RegisterValue] = Field(min_length=1, title="Values", description="every value to poll")
    history: HistoryMap | None = Field(
        None,
        title="History",
        description="the record store of a data logger that buffers readings (an outage's backlog), "
        "uploaded as backfill; absent for devices that keep none",
    )

    @model_validator(mode="after")
    def _history_channels(self) -> ModbusMap:
        if self.history is None:
            return self
        live = {v.metric + (f"@{v.point}" if v.point else ""): v for v in self.values}
        for name in self.history.channels:
            v = live.get(name)
            if v is None:
                raise ValueError(
                    f"history channel {name!r} is not a value of this map: channels are written as "
                    f"metric or metric@point, one of {', '.join(live)}"
                )
            if v.function not in (FunctionCode.HOLDING, FunctionCode.INPUT) or v.type is DataType.BIT:
                raise ValueError(
                    f"history channel {name!r} is a single bit ({v.function.value}, {v.type.value}): a record "
                    "holds whole registers; map the status word as uint16 and give that as the channel"
                )
        if len(set(self.history.channels)) != len(self.history.channels):
            raise ValueError("history channels name a value twice: each record holds each value once")
        h = self.history
        words = 2 + WORDS[h.time_type] + sum(live[name].words for name in h.channels)
        if words > 125:
            raise ValueError(
                f"a history record of {words} registers does not fit one read (125 at most): "
                "give fewer channels"
            )
        if h.window_address + h.window_records * words > 65536:
            raise ValueError(
                f"a window of {h.window_records} records of {words} registers from address "
                f"{h.window_address} runs past 65535: lower window_records"
            )
        return self

    @model_validator(mode="after")
    def _entries(self) -> ModbusMap:
        raise_located(entry_problems(enumerate(self.values), self.high_addresses))
        return self


class PayloadValue(InMetricUnit):
    """One metric taken from an MQTT message."""

    metric: str = Field(title="Metric", description="sitegw metric name, e.g. disp_h_mm")
    path: str = Field(
        "",
        title="JSON path",
        description="dotted path into the JSON payload (a.b.0.c, optional leading $.); "
        "empty when the payload is a plain number",
    )
    scale: float = Field(1.0, title="Scale", description="value = raw * scale + offset")
    offset: float = Field(0.0, title="Offset", description="value = raw * scale + offset")
    unit: str = Field(
        "",
        title="Unit",
        description="unit after scaling: the metric's, or one converted to it (km/h, mm)",
    )
    optional: bool = Field(False, title="Optional", description="a missing value is not an error")
    map: dict[str, float] = Field(
        default_factory=dict,
        title="Text values",
        description="for values sent as words: each word and the number it stands for, "
        "e.g. {in: 1, out: 0}; any other word is an error naming the words allowed",
    )

    @model_validator(mode="after")
    def _real_scale(self) -> PayloadValue:
        if self.scale == 0:
            raise ValueError("scale 0 turns every reading into the offset: write the value's real scale")
        return self


class TopicMap(Model):
    """One topic filter of an MQTT device and how to read its messages."""

    topic: str = Field(
        title="Topic filter",
        description="MQTT filter under the device's prefix, may use + and #; "
        "{prefix} is replaced by the device's topic_prefix",
    )
    format: Literal["json", "number"] = Field(
        "json", title="Format", description="json object, or a plain number as text"
    )
    point_level: int | None = Field(
        None,
        title="Point from topic level",
        description="index of the topic level (0-based) that carries the point code",
    )
    point_path: str = Field(
        "", title="Point from payload", description="dotted JSON path of the point code in the payload"
    )
    ts_path: str = Field(
        "",
        title="Timestamp path",
        description="dotted JSON path of the reading time (Unix s or ms, or ISO 8601); empty: arrival time",
    )
    values: list[PayloadValue] = Field(min_length=1, title="Values", description="metrics in each message")


class MqttMap(Model):
    """The payload map of an MQTT-speaking device model."""

    topics: list[TopicMap] = Field(min_length=1, title="Topics", description="subscriptions of this device")


class Profile(Model):
    """A device profile file (config/profiles/NAME.yaml)."""

    name: str = Field(title="Name", description="profile name, as devices refer to it")
    kind: str = Field(
        title="Kind",
        description="the kind of device the model is: one `sitegw kinds` lists (the shipped kinds are in "
        "config/profiles/README.md, a plug-in's too)",
    )
    description: str = Field("", title="Description", description="device model, vendor notes")
    modbus: ModbusMap | None = Field(None, title="Modbus map", description="register map, for Modbus devices")
    mqtt: MqttMap | None = Field(None, title="MQTT map", description="payload map, for MQTT devices")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if registry.find(kind) is None:
            raise ValueError(
                f"unknown kind {kind!r}: kinds are {', '.join(k.name for k in registry.kinds())}"
            )
        return kind

    @model_validator(mode="after")
    def _has_a_map(self) -> Profile:
        if self.modbus is None and self.mqtt is None:
            raise ValueError("a profile needs a modbus: register map or an mqtt: payload map")
        return self
