"""Where the CPU of a Modbus poll goes in Python: microseconds of CPU per request, stage by stage.

The workload of bench/modbus_poll.py (a crane box of REGS uint16 holding registers, one request per
poll), each stage timed with ``time.process_time``, on answers of random
register words: framing (the answer's PDU checked and split into registers, drivers/modbus/tcp_link.py),
decoding and building the Readings (the poller's ``_decode``), publishing them (counters and the bus,
to one handler that counts), and the bench adapter's ThingsBoard telemetry JSON of a poll. The network
(the TCP reads and writes, the event loop's wake-ups) is not here: bench/modbus_poll.py measures it.

Run: ``.venv/bin/python bench/modbus_stages.py [--requests N] [--regs 16]``; between two checkouts,
``bench/compare.py --base DIR bench/modbus_stages.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from bench.modbus_bench_site import bench_site
from contract.bus import Bus
from drivers.modbus.plan import FC_NUMBER
from drivers.modbus.poller import DevicePoller
from drivers.modbus.tcp_link import TcpLink, _values

CHUNK = 200  # requests: one second of bench/modbus_poll.py's 20 devices polled every 100 ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="polls of one device")
    parser.add_argument("--regs", type=int, default=16, help="holding registers per device")
    args = parser.parse_args()
    site = bench_site(1, args.regs, 100.0)
    device = site.config.devices[0]
    profile = site.profiles[device.profile]
    assert device.transport.type == "modbus_tcp"
    bus = Bus()
    counted = [0]
    bus.subscribe("count", lambda batch: counted.__setitem__(0, counted[0] + len(batch)))
    poller = DevicePoller(device, profile, TcpLink(device.transport), bus, site.config.project.code)
    (request,) = poller.requests
    (decoder,) = poller._decoders
    function = FC_NUMBER[request.function]
    rng = random.Random(20)
    pdus = [
        bytes([function, 2 * request.count])
        + struct.pack(f">{request.count}H", *(rng.randrange(0x10000) for _ in range(request.count)))
        for _ in range(args.requests)
    ]
    ts = time.time()
    stages: dict[str, float] = dict.fromkeys(
        ("framing", "decode_and_readings", "publish", "adapter_json"), 0.0
    )
    # in chunks of one second of the bench's 20 devices, so that what a stage makes is dropped as soon as
    # the poller drops it, and the garbage collector walks no more objects than it does there
    for at in range(0, len(pdus), CHUNK):
        t0 = time.process_time()
        answers = [_values(pdu, request, function) for pdu in pdus[at : at + CHUNK]]
        t1 = time.process_time()
        batches = [poller._decode(decoder, a, ts) for a in answers]
        t2 = time.process_time()
        for batch in batches:
            poller._publish(batch)
        t3 = time.process_time()
        for b in batches:
            json.dumps({b[0].device: [{"ts": int(b[0].ts * 1000), "values": {r.metric: r.value for r in b}}]})
        t4 = time.process_time()
        for name, took in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            stages[name] += took
    for name, took in stages.items():
        print(f"modbus_stage_{name}_us: {1e6 * took / args.requests:.2f} us/request")
    print(f"modbus_stage_total_us: {1e6 * sum(stages.values()) / args.requests:.2f} us/request")
    assert counted[0] == args.requests * args.regs, "every value published"


if __name__ == "__main__":
    with watched():
        main()
