"""The receiver's parse of one AlertEvent body (`contract.nulls.validate_wire`), as same-run ratios to the
model's own parse: a gateway's body (parsed as before, so about 1 x), and another platform's body with
``null`` in optional fields (refused once, then parsed without them).

Run: .venv/bin/python bench/wire_nulls.py
"""

from __future__ import annotations

import json
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from contract.alert_event import AlertEvent
from contract.nulls import validate_wire

EVENT = AlertEvent(
    alert_id="a1",
    project="B-0001",
    device="crane-1",
    rule="crane.load",
    clause="GB 5144-2006 §6.1.2",
    level="alarm",
    state="firing",
    value=102.5,
    threshold=100.0,
    unit="%",
    ts=time.time(),
    message="1号塔吊 起重量 102.5%",
    details={"load_t": 2.92, "rated_load_t": 2.85},
)


def per_parse(body: bytes, wire: bool) -> float:
    """Seconds per parse, the best of five runs."""
    if wire:
        runs = timeit.repeat(lambda: validate_wire(AlertEvent, body), number=5000, repeat=5)
    else:
        runs = timeit.repeat(lambda: AlertEvent.model_validate_json(body), number=5000, repeat=5)
    return min(runs) / 5000


def main() -> None:
    body = EVENT.model_dump_json().encode()
    foreign = json.loads(body)
    foreign.update(point=None, note=None, message_en=None, details=None)
    with_nulls = json.dumps(foreign, ensure_ascii=False).encode()
    base = per_parse(body, wire=False)
    print(f"alert_event_parse: {base * 1e6:.1f} us")
    print(f"receiver_parse_gateway_body_ratio: {per_parse(body, wire=True) / base:.2f} x")
    print(f"receiver_parse_body_with_nulls_ratio: {per_parse(with_nulls, wire=True) / base:.2f} x")


if __name__ == "__main__":
    with watched():
        main()
