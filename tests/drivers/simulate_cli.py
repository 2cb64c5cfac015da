"""`sitegw simulate <kind>` serving a device's register table over Modbus TCP, read back by a real pymodbus
client as the gateway's Modbus driver plans and decodes it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from pymodbus.client import ModbusTcpClient

from contract.config.loader import LoadedSite
from contract.config.profile import FunctionCode
from drivers.modbus.decode import RequestDecoder
from drivers.modbus.plan import plan_requests
from tests.support import free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]


def served_values(
    site: LoadedSite, kind: str, device: str, profile: str, scenario: str
) -> tuple[dict[str, object], str]:
    """``sitegw simulate <kind>`` for ``device`` of ``site`` playing ``scenario`` on a free local port: every
    value of ``profile``'s register table read once, by the function code each request names, and what the
    command printed."""
    port = free_port()
    argv = [
        sys.executable,
        "-c",
        "from sitegw.cli import main; main()",
        "simulate",
        kind,
        "--site",
        str(site.path),
    ]
    argv += ["--device", device, "--tcp", f"127.0.0.1:{port}", "--scenario", scenario, "--duration", "20"]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_port(port)
        mmap = site.profiles[profile].modbus
        assert mmap is not None
        client = ModbusTcpClient("127.0.0.1", port=port)
        assert client.connect()
        read = {
            FunctionCode.COILS: client.read_coils,
            FunctionCode.DISCRETE_INPUTS: client.read_discrete_inputs,
            FunctionCode.HOLDING: client.read_holding_registers,
            FunctionCode.INPUT: client.read_input_registers,
        }
        values: dict[str, object] = {}
        for r in plan_requests(mmap):
            answer = read[r.function](r.address, count=r.count, device_id=1)
            bits = r.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)
            raw: Sequence[int] | Sequence[bool] = answer.bits if bits else answer.registers
            values.update({rv.metric: v for rv, v in RequestDecoder(mmap, r)(raw)})
        client.close()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    return values, out
