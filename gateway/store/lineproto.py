"""Readings to InfluxDB line protocol, in the schema of gateway/store/README.md.

One line per (device, point, quality, ts): every metric a device reported at the same
millisecond becomes a field of that line, so a crane's nine values cost one line, not nine.
Lateness (spooled, or delivered late by the device) is the field ``backfill=true``, not a tag:
a replayed batch that the server had in fact stored before timing out then overwrites the same
points instead of adding a second series beside them.
Built by hand because influxdb-client's ``Point`` objects cost more CPU than the server does
(ENVIRONMENT.md; the library is not used any more); the tag prefix and field keys are escaped once and cached.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from contract.readings import Quality, Reading

log = logging.getLogger(__name__)

# Device ids the site file does not list (the gateway's own metrics) land here.
FALLBACK_KIND = "gateway"

# InfluxDB 1.x takes a backslash in a name literally, so one before a comma or at the end would
# swallow the separator: names carry "/" instead. A newline cannot be escaped at all: a space.
_MEASUREMENT_ESC = str.maketrans({",": r"\,", " ": r"\ ", "\n": r"\ ", "\\": "/"})
_KEY_ESC = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ ", "\n": r"\ ", "\\": "/"})


def escape_measurement(name: str) -> str:
    """Escape a measurement name (commas, spaces; a backslash becomes ``/``)."""
    return name.translate(_MEASUREMENT_ESC)


def escape_key(text: str) -> str:
    """Escape a tag key, tag value or field key (commas, equals signs, spaces; ``\\`` becomes ``/``)."""
    return text.translate(_KEY_ESC)


def string_field(value: str) -> str:
    """A string field value: double-quoted, with backslashes and double quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(slots=True, frozen=True)
class EncodedBatch:
    """Line protocol for one batch of Readings.

    ``points`` is the number of lines (InfluxDB points); ``readings`` how many Readings went
    into them; ``rejected`` how many Readings had a value InfluxDB cannot store (NaN, inf);
    ``taken`` how many of the Readings given were encoded or rejected (all of them, unless a
    ``max_points`` stopped the batch first: the rest are for the next one).
    """

    body: bytes
    points: int
    readings: int
    rejected: int
    taken: int


class LineEncoder:
    """Turns Readings into line protocol at millisecond precision.

    ``kinds`` maps device id to device kind (the measurement); unknown ids go to ``gateway``.
    """

    def __init__(self, kinds: Mapping[str, str]) -> None:
        self._kinds = dict(kinds)
        self._prefixes: dict[tuple[str, str, str, str], str] = {}
        self._field_keys: dict[str, str] = {}
        self.rejected_total = 0
        self._rejected_logged_at = -math.inf

    def encode(
        self, readings: Sequence[Reading], backfill: bool = False, max_points: int | None = None
    ) -> EncodedBatch:
        """Encode ``readings``; ``backfill`` adds the field ``backfill=true`` to every line (spooled data).
        With ``max_points`` the batch ends before the reading that would start one line more (see
        ``taken``); a later reading of a line already begun is then a line of the next batch, which
        InfluxDB merges into the same point."""
        groups: dict[tuple[str, str, str, str, int], dict[str, str]] = {}
        rejected = 0
        taken = len(readings)
        room = taken if max_points is None else max_points
        last: Reading | None = None  # the reading before, whose line ``fields`` is
        fields: dict[str, str] = {}
        for i, r in enumerate(readings):
            value = r.value
            # x - x == 0.0 only for a finite float: the common case costs no call
            if value.__class__ is float and value - value == 0.0:
                text = repr(value)
            elif isinstance(value, str):
                text = string_field(value)
            else:
                number = float(value)
                if not math.isfinite(number):
                    rejected += 1
                    continue
                text = repr(number)
            # a message's readings come one after the other with the same instant, device and point:
            # they go on the line of the reading before without making and looking up its key
            if (
                last is None
                or r.ts != last.ts
                or r.device != last.device
                or r.point != last.point
                or r.quality != last.quality
                or r.project != last.project
            ):
                key = (r.project, r.device, r.point, r.quality, round(r.ts * 1000))
                found = groups.get(key)
                if found is None:
                    if len(groups) == room:
                        taken = i
                        break
                    found = groups[key] = {}
                fields = found
            last = r
            # a second value of one metric at the same ms replaces the first, as InfluxDB would
            fields[r.metric] = text
        if rejected:
            self._count_rejected(rejected)
        fkey = self._field_key
        late = ",backfill=true" if backfill else ""
        lines = [
            f"{self._prefix(project, device, point, quality)} "
            f"{','.join([fkey(m) + '=' + v for m, v in fields.items()])}"
            f"{',backfill=true' if quality == Quality.BACKFILL else late} {ts}"
            for (project, device, point, quality, ts), fields in groups.items()
        ]
        body = ("\n".join(lines) + "\n").encode() if lines else b""
        return EncodedBatch(
            body=body, points=len(lines), readings=taken - rejected, rejected=rejected, taken=taken
        )

    def _prefix(self, project: str, device: str, point: str, quality: str) -> str:
        key = (project, device, point, quality)
        prefix = self._prefixes.get(key)
        if prefix is None:
            prefix = self._prefixes[key] = self._build_prefix(*key)
        return prefix

    def _build_prefix(self, project: str, device: str, point: str, quality: str) -> str:
        kind = self._kinds.get(device)
        if kind is None:
            log.warning(
                "device %r is not in the site's device list: its readings go to measurement %r",
                device,
                FALLBACK_KIND,
            )
            kind = FALLBACK_KIND
        # a late reading is the same series as a punctual one; its lateness is the backfill field
        shown = "" if quality in (Quality.OK, Quality.BACKFILL) else str(quality)
        # tags in key order, as InfluxDB recommends; empty values are not allowed, so omitted
        tags = [("device", device), ("point", point), ("project", project), ("quality", shown)]
        return escape_measurement(kind) + "".join(f",{k}={escape_key(v)}" for k, v in tags if v)

    def _field_key(self, metric: str) -> str:
        key = self._field_keys.get(metric)
        if key is None:
            key = self._field_keys[metric] = escape_key(metric)
        return key

    def _count_rejected(self, count: int) -> None:
        self.rejected_total += count
        now = time.monotonic()
        if now - self._rejected_logged_at >= 60:  # a broken sensor must not flood the log
            self._rejected_logged_at = now
            log.error(
                "readings with a NaN or infinite value cannot be written to InfluxDB: %d skipped so "
                "far (the local store keeps them)",
                self.rejected_total,
            )
