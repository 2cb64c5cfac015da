"""The supervisors' API under load: 50 SSE clients on the live stream while history queries arrive
at a fixed rate (200 requests/s by default), against `sitegw demo` run as a subprocess of the CLI.

Prints `name: value unit` lines: the history rate achieved and its latency, and for the SSE
clients the events each received, gaps in their ids (0: none missed), and the lag from a crane
reading's timestamp to its arrival at the client. Client and server share this machine's cores
(and other people's work), so rates and latencies are a floor for the gateway alone; the
gateway's own CPU per history request (its process's CPU time during the load, less what the
demo site and the open streams use without it) is the figure that does not depend on what else runs.

    .venv/bin/python bench/api_bench.py [--clients 50] [--rate 200] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched

REPO = Path(__file__).resolve().parents[1]


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_demo(state: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegw.cli", "demo", "--port", "0", "--state-dir", str(state)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Dashboard: "):
            return proc, line.split(" ", 1)[1].strip()
    raise SystemExit("the demo printed no dashboard URL")


class SseClient:
    """One dashboard's stream: counts events, gaps in the ids, and lag of crane readings."""

    def __init__(self) -> None:
        self.events = 0
        self.gaps = 0
        self.lags: list[float] = []
        self._last: int | None = None

    async def run(self, client: httpx.AsyncClient, url: str, stop: asyncio.Event) -> None:
        async with client.stream("GET", url + "api/v1/stream", timeout=None) as r:
            event, data, ident = "", "", ""
            async for line in r.aiter_lines():
                if stop.is_set():
                    return
                if line.startswith("id:"):
                    ident = line[3:].strip()
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                elif not line and event:
                    self._on_event(ident, event, data)
                    event = ""

    def _on_event(self, ident: str, event: str, data: str) -> None:
        self.events += 1
        seq = int(ident.split(".")[1])
        if self._last is not None and seq != self._last + 1:
            self.gaps += 1
        self._last = seq
        if event == "readings":
            now = time.time()
            crane = [r["ts"] for r in json.loads(data) if r["device"].startswith("crane")]
            if crane:
                self.lags.append(now - max(crane))


async def history_load(
    client: httpx.AsyncClient, url: str, rate: float, seconds: float
) -> tuple[list[float], dict[str, int]]:
    """Open loop: one request every 1/rate s whatever the answers do; (latencies, errors by kind)."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    metrics = ["load_t", "radius_m", "slew_deg", "wind_ms", "moment_pct"]

    async def one(i: int) -> None:
        t0 = time.perf_counter()
        end = time.time()
        try:
            r = await client.get(
                url + "api/v1/history",
                params={
                    "device": f"crane-{1 + i % 2}",
                    "metric": metrics[i % len(metrics)],
                    "start": end - 600,
                    "end": end,
                    "max_points": 300,
                },
            )
            if r.status_code != 200:
                errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
        except httpx.HTTPError as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        latencies.append(time.perf_counter() - t0)

    tasks = []
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return latencies, errors


def history_worker(url: str, rate: float, seconds: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One load process (a single Python client cannot send 200 requests/s and parse 50 streams)."""

    async def run() -> tuple[list[float], dict[str, int]]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200), timeout=30) as client:
            return await history_load(client, url, rate, seconds)

    out.put(asyncio.run(run()))


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values[0] if values else 0.0)


async def bench(url: str, pid: int, clients: int, rate: float, seconds: float, procs: int) -> None:
    limits = httpx.Limits(max_connections=clients + 200, max_keepalive_connections=clients + 200)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        # the demo's pit simulator first replays 72 h of history (~40 s of heavy work): measure after it
        await asyncio.sleep(45)
        stop = asyncio.Event()
        sse = [SseClient() for _ in range(clients)]
        streams = [asyncio.create_task(c.run(client, url, stop)) for c in sse]
        await asyncio.sleep(1)
        c0, w0 = cpu_s(pid), time.perf_counter()
        await asyncio.sleep(3)
        with_sse = (cpu_s(pid) - c0) / (time.perf_counter() - w0)  # the simulated site and the streams
        c0 = cpu_s(pid)
        t0 = time.perf_counter()
        queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        workers = [
            multiprocessing.Process(target=history_worker, args=(url, rate / procs, seconds, queue))
            for _ in range(procs)
        ]
        for w in workers:
            w.start()
        results = [await asyncio.to_thread(queue.get) for _ in workers]
        elapsed = time.perf_counter() - t0
        history_cpu = cpu_s(pid) - c0 - with_sse * elapsed
        latencies = [x for lat, _ in results for x in lat]
        errors: dict[str, int] = {}
        for _, errs in results:
            for kind, n in errs.items():
                errors[kind] = errors.get(kind, 0) + n
        stop.set()
        for s in streams:
            s.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    lags = [x for c in sse for x in c.lags]
    per_client = [c.events for c in sse]
    print(f"api_sse_clients: {sum(1 for c in sse if c.events)} clients")
    print(f"api_sse_events_per_client_min: {min(per_client)} events")
    print(f"api_sse_events_per_client_max: {max(per_client)} events")
    print(f"api_sse_id_gaps: {sum(c.gaps for c in sse)} gaps")
    print(f"api_sse_crane_lag_p50: {pct(lags, 50) * 1000:.0f} ms")
    print(f"api_sse_crane_lag_p99: {pct(lags, 99) * 1000:.0f} ms")
    print(f"api_history_target_rate: {rate:.0f} requests/s")
    print(f"api_history_rate: {len(latencies) / elapsed:.0f} requests/s")
    print(
        f"api_history_answered_within_1s: {100 * sum(x < 1 for x in latencies) / max(1, len(latencies)):.1f} %"
    )
    print(f"api_history_errors: {sum(errors.values())} requests")
    for kind, n in sorted(errors.items()):
        print(f"api_history_errors_{kind}: {n} requests")
    print(f"api_history_p50: {pct(latencies, 50) * 1000:.1f} ms")
    print(f"api_history_p99: {pct(latencies, 99) * 1000:.1f} ms")
    per_request = history_cpu / max(1, len(latencies))
    print(f"api_history_server_cpu_per_request: {per_request * 1000:.2f} ms")
    print(f"api_history_capacity_per_core: {1 / max(per_request, 1e-6):.0f} requests/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--procs", type=int, default=2, help="history load processes")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as state:
        proc, url = start_demo(Path(state))
        try:
            asyncio.run(bench(url, proc.pid, args.clients, args.rate, args.seconds, args.procs))
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    with watched():
        main()
