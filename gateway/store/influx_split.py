"""One write of a batch, split when the server refuses it for a line it holds, so the rest gets in.

InfluxDB OSS 2.x refuses a whole batch for one line it cannot take ("400 Bad request [...] All
request data was rejected and not written", its write troubleshooting page); 2.5+ answers 422 for
"some or all" refused; 1.x writes the other lines but still answers 400 ``partial write``; a body
too large is 413. Sending such a batch to the dead letters whole would keep hundreds of good points
out of InfluxDB for one bad one (a profile that turned a number into text, say). So a batch refused
with one of those statuses is halved and each half written again, a refused half halved in turn,
until every refused part is a single line. Halves go depth first, left to right: the good lines
still arrive in the order they were read.

One bad line in 5,000 costs about 26 writes; a batch of nothing but bad lines would cost two per
line, so after ``max_writes`` the parts not yet tried are refused whole (said in the log). Writing
again lines that 1.x had stored from the refused batch overwrites the same points: nothing is
stored twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from gateway.store.influx_writers import InfluxWriter, Outcome, WriteResult

log = logging.getLogger(__name__)

# statuses that refuse a batch for what it holds: a smaller part may be taken
CONTENT_REFUSALS = frozenset({400, 413, 422})


@dataclass(slots=True)
class Settled:
    """What became of a batch the server answered: points stored, and the parts refused for good."""

    written: int = 0
    refused: list[tuple[bytes, int, WriteResult]] = field(default_factory=list)  # body, points, verdict


async def write_splitting(writer: InfluxWriter, body: bytes, max_writes: int = 64) -> Settled | WriteResult:
    """Write ``body`` (line protocol, one point a line), splitting it while the server refuses parts.

    Returns the ``RETRY`` verdict as it is when the server stops answering on the way (the caller
    keeps the whole batch for later; lines written meanwhile are overwritten then), else what was
    written and refused.
    """
    if not body.endswith(b"\n") or body.startswith(b"\n") or b"\n\n" in body:
        body = b"".join(line + b"\n" for line in body.split(b"\n") if line)  # one point a line, each ended
    # The parts are bytes, split into their lines only when one is refused: the batch a healthy server
    # takes whole (nearly every batch) is sent as it came, not taken apart and joined again.
    settled = Settled()
    stack = [body]
    writes = 0
    refusal = WriteResult(Outcome.REJECTED)  # the last refusal, for parts never tried
    while stack:
        chunk = stack.pop()
        points = chunk.count(b"\n")
        if writes >= max_writes:
            log.warning(
                "InfluxDB refused parts of a batch %d times: the %d points not yet tried go to the "
                "dead letters with the last refusal",
                writes,
                points,
            )
            settled.refused.append((chunk, points, refusal))
            continue
        writes += 1
        result = await writer.write(chunk)
        if result.outcome is Outcome.RETRY:
            return result
        if result.outcome is Outcome.WRITTEN:
            settled.written += points
            continue
        refusal = result
        if result.status in CONTENT_REFUSALS and points > 1:
            lines = chunk.split(b"\n")[:-1]  # the chunk ends with its last line's newline
            half = points // 2
            # the first half is popped, so written, first
            stack += [b"\n".join(lines[half:]) + b"\n", b"\n".join(lines[:half]) + b"\n"]
        else:
            settled.refused.append((chunk, points, result))
    return settled
