"""What the Modbus fault scenarios share: a site file of Modbus devices for the real `sitegw run`, the
gateway's local store and /metrics read as a user reads them, and the reconciliation of what the store
holds against what the simulators served (their ``--served-log``, drivers/simulators/modbus_server.py).

The values are decoded here from the register map's published layout (the tower crane black box's
table, config/profiles/README.md), independently of the driver's decoder: a stored value
that no served answer holds, such as a float32 of one old and one new register, shows as ``bad``.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, Unpack

import httpx

from plumbing.sqlite import sqlite3
from tests.faults.conftest import FaultRow

PROJECT = "GD-SZ-2026-0001"

CRANE = """\
    crane:
      model: QTZ80 (TC5010)
      position_m: [{x_m:g}, 0]
      jib_m: 50
      counter_jib_m: 11
      jib_height_m: 33
      load_chart:
        - {{radius_m: 2.5, rated_t: 6.0}}
        - {{radius_m: 13, rated_t: 6.0}}
        - {{radius_m: 30, rated_t: 2.4}}
        - {{radius_m: 50, rated_t: 1.3}}
"""

# how far apart the cranes of one site stand (:func:`device`'s ``x_m``): farther than a 50 m jib, the other
# tower's half-width and GB 5144-2006 §10.5's 2 m, so that `sitegw run`'s start-up check passes at any slew
CRANE_SPACING_M = 100.0

# the crane black box's two requests (holding registers 0-12 and 20-27) and how many values each holds
CRANE_REQUESTS = {0: 19, 20: 1}


def _f32(high: int, low: int) -> float:
    return float(f"{struct.unpack('>f', struct.pack('>HH', high, low))[0]:.7g}")


def _ascii(words: list[int]) -> str:
    return b"".join(struct.pack(">H", w) for w in words).rstrip(b"\0").decode("ascii")


# metric -> (request address, value from the answer's words), per the black box's register table
CRANE_CHECKED: dict[str, tuple[int, Callable[[list[int]], float | str]]] = {
    "load_t": (0, lambda w: w[0] / 100),
    "height_m": (0, lambda w: _f32(w[2], w[3])),  # float32 ABCD: high word first
    "rated_load_t": (0, lambda w: _f32(w[9], w[8])),  # float32 CDAB: low word first
    "tilt_deg": (0, lambda w: (w[6] - 65536 if w[6] >= 32768 else w[6]) / 100),
    "operator_id": (20, _ascii),
}


class Timing(TypedDict, total=False):
    """A device's polling settings in a site file."""

    poll_interval_s: float
    timeout_s: float
    retries: int
    backoff_max_s: float


def device(
    dev_id: str, kind: str, transport: str, *, extra: str = "", x_m: float = 0.0, **timing: Unpack[Timing]
) -> str:
    """One device entry of a site file (``timing``: poll_interval_s, timeout_s, retries, backoff_max_s); a
    crane stands ``x_m`` east of the site's datum: each crane of a site needs its own place, at least
    ``CRANE_SPACING_M`` from the others, or the gateway refuses the site (GB 5144-2006 §10.5)."""
    profile = {"crane": "tower_crane_blackbox", "anemometer": "anemometer_rs485"}[kind]
    lines = [
        f"  - id: {dev_id}",
        f"    name: {dev_id}",
        f"    kind: {kind}",
        f"    profile: {profile}",
        f"    transport: {transport}",
        *(f"    {k}: {v}" for k, v in timing.items()),
    ]
    return "\n".join(lines) + "\n" + (CRANE.format(x_m=x_m) if kind == "crane" else "") + extra


def site_file(tmp_path: Path, api_port: int, devices: list[str], extra: str = "") -> Path:
    """A site of ``devices`` (from :func:`device`), its API on ``api_port``; ``extra``: more top-level
    sections (uplinks, say)."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"project: {{code: {PROJECT}, name: modbus faults}}\n"
        f"api: {{port: {api_port}}}\n" + extra + "devices:\n" + "".join(devices),
        encoding="utf-8",
    )
    return path


def stored(state: Path, dev: str, metric: str) -> list[tuple[int, float | str]]:
    """(ts ms, value) of ``dev``'s ``metric`` in the local store, in time order."""
    path = state / "history.sqlite"
    if not path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute(
                "SELECT r.ts, r.value, r.text FROM readings r JOIN series s ON s.id = r.series_id"
                " WHERE s.device = ? AND s.metric = ? ORDER BY r.ts",
                (dev, metric),
            ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []  # the gateway is creating the file right now
        raise
    return [(ts, text if value is None else value) for ts, value, text in rows]


def served(path: Path, unit: int | None = None) -> list[dict]:
    """The reads a simulator answered (its ``--served-log``), optionally of one unit."""
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [s for s in lines if unit is None or s["unit"] == unit]


def metric(api_port: int, name: str, dev: str) -> float | None:
    """The gateway's /metrics value of ``name`` for ``dev`` (None when absent, or the API not up yet)."""
    prefix = f'{name}{{device="{dev}"}} '
    try:
        text = httpx.get(f"http://127.0.0.1:{api_port}/metrics", timeout=10).text
    except httpx.ConnectError:
        return None
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return None


@dataclass
class Reconciled:
    """A metric's stored rows set against the answers served for its request."""

    matched: int = 0
    unstored: list[float] = field(default_factory=list)  # served-at times of answers nothing was stored for
    bad: list[str] = field(default_factory=list)  # stored rows no served answer holds


def reconcile(
    rows: list[tuple[int, float | str]],
    answers: list[dict],
    decode: Callable[[list[int]], float | str],
    window_s: float,
) -> Reconciled:
    """Pair each stored row (stamped when its poll began) with the first answer served after that instant
    and within ``window_s`` (the poll's timeout), and check the value is the one that answer held.

    The gateway stamps a poll before it asks, the simulator logs an answer as it makes it, and one
    poll asks once per request, so the answer of a stored row is the first one served after its stamp.
    """
    out = Reconciled()
    answers = sorted(answers, key=lambda a: a["t"])
    i = 0
    for ts, value in rows:
        start = ts / 1000 - 0.001  # the stamp is rounded to the millisecond
        while i < len(answers) and answers[i]["t"] < start:
            out.unstored.append(answers[i]["t"])
            i += 1
        if i == len(answers) or answers[i]["t"] > start + window_s:
            out.bad.append(f"{ts}: {value!r} stored, no answer served within {window_s} s after")
            continue
        want = decode(answers[i]["words"])
        same = value == want if isinstance(want, str) else math.isclose(float(value), want, abs_tol=1e-6)
        if not same:
            out.bad.append(f"{ts}: {value!r} stored, the answer held {want!r}")
        out.matched += 1
        i += 1
    out.unstored.extend(a["t"] for a in answers[i:])
    return out


def events_of(events: list[dict], dev: str, rule: str) -> list[dict]:
    """``sitegw events --json`` lines of ``dev`` for ``rule``."""
    return [e for e in events if e.get("device") == dev and e.get("rule") == rule]


def crane_reconciled(
    state: Path, dev: str, answers: list[dict], window_s: float
) -> tuple[dict[str, Reconciled], dict[int, Reconciled]]:
    """Every checked crane metric reconciled (by metric), and the same by request address (the first
    metric of each request stands for it: one stored row per answer)."""
    by_metric = {
        m: reconcile(stored(state, dev, m), [a for a in answers if a["address"] == address], decode, window_s)
        for m, (address, decode) in CRANE_CHECKED.items()
    }
    first: dict[int, str] = {}
    for m, (address, _) in CRANE_CHECKED.items():
        first.setdefault(address, m)
    return by_metric, {address: by_metric[m] for address, m in first.items()}


def readings_unstored(by_request: dict[int, Reconciled], since: float = 0.0, until: float = math.inf) -> int:
    """Readings of the answers served from ``since`` and before ``until`` (Unix s) that nothing was stored
    for."""
    return sum(
        CRANE_REQUESTS[a] * sum(1 for t in r.unstored if since <= t < until) for a, r in by_request.items()
    )


def readings_row(scenario: str, fault: str, readings_lost: int, recover_s: float, events: int) -> FaultRow:
    """The fault table's row of a Modbus fault: readings only, no event to deliver (``events``: the
    device.offline events it raised); a (series, ts) is stored once, the table's key, so none twice."""
    return FaultRow(scenario, fault, readings_lost, None, 0, round(recover_s, 1), events)
