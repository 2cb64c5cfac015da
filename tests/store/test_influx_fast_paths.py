"""The InfluxDB path's shortcuts against the straightforward way, on random input.

- LineEncoder puts a reading on the line of the reading before it when they share the instant, device,
  point and quality, without looking up its key, and can stop a batch at a number of lines: its lines
  are those of every reading encoded alone and merged by series and millisecond, and a stopped batch
  is that of the readings before the first that would have started a line too many.
- write_splitting sends a batch as it came and takes it apart only when the server refuses it: it
  makes the same writes, and comes to the same verdict, as halving the list of lines every time.
"""

from __future__ import annotations

import asyncio
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.readings import Quality, Reading
from gateway.store.influx_split import CONTENT_REFUSALS, Settled, write_splitting
from gateway.store.influx_writers import Outcome, WriteResult
from gateway.store.lineproto import LineEncoder

KINDS = {"crane-1": "crane", "pit-1": "pit"}
TS = 1_790_000_000.0

# names and texts without separators, so a line can be taken apart at its spaces, commas and equals signs
plain = st.text("abcXYZ019-_", min_size=1, max_size=4)
readings = st.builds(
    Reading,
    # steps of 0.4 ms: neighbours often fall in the same millisecond with another float
    ts=st.integers(0, 6).map(lambda k: TS + k * 0.0004),
    project=st.sampled_from(["P", "Q"]),
    device=st.sampled_from(["crane-1", "pit-1", "other"]),
    metric=st.sampled_from(["load_t", "radius_m", "disp_h_mm", "operator_id"]),
    value=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-1000, 1000) | plain,
    unit=st.just(""),
    quality=st.sampled_from(list(Quality)),
    point=st.sampled_from(["", "ZQS-01", "ZQS-02"]),
)


def rejected(r: Reading) -> bool:
    """A value InfluxDB cannot store (the encoder counts and skips it)."""
    return not isinstance(r.value, str) and not math.isfinite(r.value)


def merged(batch: list[Reading], backfill: bool) -> list[str]:
    """The lines of every reading encoded alone, merged by series, quality and millisecond in the order
    first seen, each metric's last value in its first place, the backfill field last."""
    lines: dict[tuple[str, str, Quality], dict[str, str]] = {}
    for r in batch:
        text = LineEncoder(KINDS).encode([r], backfill).body.decode()
        if not text:
            continue
        head, fieldset, ms = text.split()
        fields = lines.setdefault((head, ms, r.quality), {})
        fields.update(dict(kv.split("=", 1) for kv in fieldset.split(",")))
        late = fields.pop("backfill", None)
        if late is not None:
            fields["backfill"] = late
    return [
        f"{head} {','.join(f'{k}={v}' for k, v in fields.items())} {ms}"
        for (head, ms, _), fields in lines.items()
    ]


def first_past(batch: list[Reading], max_points: int | None) -> int:
    """How many readings a batch of at most ``max_points`` lines takes: up to the first reading that
    would start one line more."""
    seen: set[tuple[str, str, str, Quality, int]] = set()
    for i, r in enumerate(batch):
        if rejected(r):
            continue
        key = (r.project, r.device, r.point, r.quality, round(r.ts * 1000))
        if key not in seen and max_points is not None and len(seen) == max_points:
            return i
        seen.add(key)
    return len(batch)


@settings(max_examples=500)
@given(st.lists(readings, max_size=40), st.booleans(), st.none() | st.integers(1, 6))
def test_a_batch_is_its_readings_encoded_alone_and_merged(
    batch: list[Reading], backfill: bool, max_points: int | None
) -> None:
    got = LineEncoder(KINDS).encode(batch, backfill, max_points)
    taken = first_past(batch, max_points)
    assert got.taken == taken
    assert got.body.decode().splitlines() == merged(batch[:taken], backfill)
    assert got.points == len(got.body.splitlines())
    assert got.rejected == sum(rejected(r) for r in batch[:taken])
    assert got.readings == taken - got.rejected


class Server:
    """Refuses a write holding a line ``BADnnn`` with status nnn (the first such line's), answers
    nothing (RETRY) from its ``away_after``-th write on, and takes everything else."""

    def __init__(self, away_after: int | None) -> None:
        self.away_after = away_after
        self.writes: list[bytes] = []

    async def write(self, body: bytes) -> WriteResult:
        self.writes.append(body)
        if self.away_after is not None and len(self.writes) > self.away_after:
            return WriteResult(Outcome.RETRY, 503, "away")
        for line in body.split(b"\n"):
            if line.startswith(b"BAD"):
                return WriteResult(Outcome.REJECTED, int(line[3:6]), f"refused {line.decode()}")
        return WriteResult(Outcome.WRITTEN, 204)

    async def close(self) -> None:
        """Nothing to release."""


async def halving(server: Server, body: bytes, max_writes: int) -> Settled | WriteResult:
    """The straightforward way: the batch as a list of lines, a refused list halved, depth first."""
    settled = Settled()
    writes = 0
    refusal = WriteResult(Outcome.REJECTED)

    async def part(lines: list[bytes]) -> WriteResult | None:  # a RETRY ends everything
        nonlocal writes, refusal
        if writes >= max_writes:
            settled.refused.append((b"".join(lines), len(lines), refusal))
            return None
        writes += 1
        result = await server.write(b"".join(lines))
        if result.outcome is Outcome.RETRY:
            return result
        if result.outcome is Outcome.WRITTEN:
            settled.written += len(lines)
        elif result.status in CONTENT_REFUSALS and len(lines) > 1:
            refusal = result
            half = len(lines) // 2
            return await part(lines[:half]) or await part(lines[half:])
        else:
            refusal = result
            settled.refused.append((b"".join(lines), len(lines), result))
        return None

    return await part([line + b"\n" for line in body.split(b"\n") if line]) or settled


lines = st.sampled_from(
    [b"good a=1 1", b"good b=2 2", b"BAD400 x", b"BAD422 y", b"BAD404 z", b"BAD413 w", b""]
)


@settings(max_examples=500)
@given(
    st.lists(lines, max_size=40),
    st.sampled_from([b"\n", b"\n\n"]),
    st.booleans(),
    st.none() | st.integers(0, 12),
    st.integers(1, 70),
)
def test_splitting_makes_the_writes_and_verdict_of_halving_lists(
    parts: list[bytes], newline: bytes, ended: bool, away_after: int | None, max_writes: int
) -> None:
    body = newline.join(parts) + (b"\n" if ended else b"")
    fast, straight = Server(away_after), Server(away_after)
    got = asyncio.run(write_splitting(fast, body, max_writes))
    want = asyncio.run(halving(straight, body, max_writes))
    assert fast.writes == straight.writes
    assert got == want
