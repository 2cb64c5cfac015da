"""Every folder of drivers/modbus/testcases: a profile, a register dump, the readings it must give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract.config import load_profile
from contract.config.profile import FunctionCode, ModbusMap
from drivers.modbus.decode import DecodeError, RequestDecoder
from drivers.modbus.history import RecordLayout
from drivers.modbus.plan import plan_requests

CASES = Path(__file__).resolve().parents[3] / "drivers" / "modbus" / "testcases"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(case: str) -> None:
    folder = CASES / case
    profile = load_profile(folder / "profile.yaml")
    assert profile.modbus is not None
    dump = json.loads((folder / "registers.json").read_text())
    expected = json.loads((folder / "expected.json").read_text())
    requests = plan_requests(profile.modbus)
    if "requests" in expected:
        assert [[r.function.value, r.address, r.count] for r in requests] == expected["requests"]
    values, errors = {}, []
    for r in requests:
        memory = {int(a): w for a, w in dump.get(r.function.value, {}).items()}
        missing = [a for a in range(r.address, r.end) if a not in memory]
        assert not missing, f"registers.json lacks {r.function.value} {missing} that the plan reads"
        data = [memory[a] for a in range(r.address, r.end)]
        if r.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS):
            data = [bool(x) for x in data] + [False] * 7  # answers are padded to whole bytes
        for rv, value in RequestDecoder(profile.modbus, r)(data):
            if isinstance(value, DecodeError):
                errors.append(rv.metric)
            else:
                values[rv.metric] = value
    assert values == expected["values"]
    assert errors == expected.get("errors", [])
    if "records" in expected:
        assert records_in(profile.modbus, dump) == (expected["status"], expected["records"])


def records_in(mmap: ModbusMap, dump: dict[str, dict[str, int]]) -> tuple[list[int], list[list[object]]]:
    """The status block and the records of a dump's record store (``modbus.history``), as read and decoded
    by the upload: [oldest, pending] and [sequence number, timestamp, {channel: value}] per pending record."""
    layout = RecordLayout(mmap)
    h = layout.history
    memory = {int(a): w for a, w in dump[h.function.value].items()}
    status = layout.status([memory[h.status_address + i] for i in range(4)])
    out: list[list[object]] = []
    for i in range(min(status[1], h.window_records)):
        at = h.window_address + i * layout.words
        values, _ = layout.decoder.decode([memory[a] for a in range(at, at + layout.words)])
        out.append([int(values[0]), values[1], dict(zip(h.channels, values[2:], strict=True))])  # type: ignore[arg-type]
    return list(status), out
