"""Turn a register map into as few Modbus requests as the protocol and the device allow.

Every request costs a round trip (and on RS-485, bus time shared by all slaves), so values are
merged per function code while the span stays within the protocol's limits (125 registers,
2000 bits) and the unmapped registers read through stay within the map's ``max_gap``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contract.config.profile import FunctionCode, ModbusMap, RegisterValue

MAX_REGISTERS = 125  # FC03/FC04 limit (Modbus application protocol 1.1b3, 6.3/6.4)
MAX_BITS = 2000  # FC01/FC02 limit (6.1/6.2)

FC_NUMBER = {
    FunctionCode.COILS: 1,
    FunctionCode.DISCRETE_INPUTS: 2,
    FunctionCode.HOLDING: 3,
    FunctionCode.INPUT: 4,
}
FC_NAME = {
    FunctionCode.COILS: "coils",
    FunctionCode.DISCRETE_INPUTS: "discrete inputs",
    FunctionCode.HOLDING: "holding registers",
    FunctionCode.INPUT: "input registers",
}


@dataclass(frozen=True, slots=True)
class Request:
    """One read request: ``count`` registers (or bits) from ``address``, and the values in it."""

    function: FunctionCode
    address: int
    count: int
    values: tuple[RegisterValue, ...]

    @property
    def end(self) -> int:
        """First address after the request."""
        return self.address + self.count

    def describe(self) -> str:
        """Human form for log lines: ``holding registers 0-13 (FC03: load_t, radius_m)``."""
        span = f"{self.address}" if self.count == 1 else f"{self.address}-{self.end - 1}"
        names = ", ".join(v.metric + (f"@{v.point}" if v.point else "") for v in self.values)
        return f"{FC_NAME[self.function]} {span} (FC{FC_NUMBER[self.function]:02d}: {names})"

    def slice_for(
        self, rv: RegisterValue, data: Sequence[int] | Sequence[bool]
    ) -> Sequence[int] | Sequence[bool]:
        """The words (or bits) of ``rv`` inside this request's answer ``data``."""
        start = rv.address - self.address
        return data[start : start + rv.words]


def plan_requests(mmap: ModbusMap) -> list[Request]:
    """Coalesce the map's values into requests, in function-code then address order."""
    requests: list[Request] = []
    for function in FunctionCode:
        values = sorted(
            (v for v in mmap.values if v.function is function), key=lambda v: (v.address, v.words)
        )
        limit = MAX_BITS if function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS) else MAX_REGISTERS
        group: list[RegisterValue] = []
        start = end = 0
        for v in values:
            v_end = v.address + v.words
            if group and v.address - end <= mmap.max_gap and max(end, v_end) - start <= limit:
                group.append(v)
                end = max(end, v_end)
                continue
            if group:
                requests.append(Request(function, start, end - start, tuple(group)))
            group, start, end = [v], v.address, v_end
        if group:
            requests.append(Request(function, start, end - start, tuple(group)))
    return requests
