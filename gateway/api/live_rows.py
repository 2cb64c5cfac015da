"""Readings as the live stream's JSON rows, written without building a dict per reading.

A readings event of the live stream is a JSON array of one object per reading, keys in the order
``device, point, metric, value, unit, ts, quality``. Building a dict per reading and handing the list
to ``json.dumps`` cost 1.7 µs a reading, the largest cost of the ingest path after the rules (issue
#20), and the dicts lived until the coalesced event went out, so the garbage collector walked them
too. A series' constant parts are escaped once here and kept, and the text from the ts on is made once
for the readings of a message (they share it); a reading then costs its value's ``repr`` and one
f-string (0.35 µs), and its row is a str, which the collector does not track.
The text is what ``json.dumps(rows, ensure_ascii=False, separators=(",", ":"))`` writes for the dicts
(tests/api/test_live_rows.py holds it to that on random readings).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring

from contract.readings import Quality, Reading

_SeriesKey = tuple[str, str, str, str]


class ReadingRows:
    """Turns batches of Readings into JSON object texts, one per reading."""

    def __init__(self) -> None:
        # per series: the text before the value, and between the value and the ts
        self._series: dict[_SeriesKey, tuple[str, str]] = {}
        self._tails: dict[Quality, str] = {}  # per quality: the text after the ts

    def rows(self, batch: Sequence[Reading]) -> list[str]:
        """One JSON object text per reading of ``batch``, in order."""
        series, tails = self._series, self._tails
        out: list[str] = []
        append = out.append
        # a message's readings share their ts (the same float object) and mostly their quality: the text
        # from the ts to the row's end is made once for them
        last_ts: object = None
        last_quality: Quality | None = None
        after = ""
        for r in batch:
            key = (r.device, r.point, r.metric, r.unit)
            parts = series.get(key) or self._new_series(key)
            ts, quality = r.ts, r.quality
            if ts is not last_ts or quality is not last_quality:
                last_ts, last_quality = ts, quality
                after = _number(ts) + (tails.get(quality) or self._new_tail(quality))
            value = r.value
            if value.__class__ is float and value - value == 0.0:
                append(f"{parts[0]}{value!r}{parts[1]}{after}")
            else:
                append(f"{parts[0]}{_number(value)}{parts[1]}{after}")
        return out

    def _new_series(self, key: _SeriesKey) -> tuple[str, str]:
        device, point, metric, unit = key
        head = (
            f'{{"device":{encode_basestring(device)},"point":{encode_basestring(point)},'
            f'"metric":{encode_basestring(metric)},"value":'
        )
        parts = self._series[key] = head, f',"unit":{encode_basestring(unit)},"ts":'
        return parts

    def _new_tail(self, quality: Quality) -> str:
        tail = self._tails[quality] = f',"quality":{encode_basestring(quality.value)}}}'
        return tail


def _number(value: object) -> str:
    """A value's JSON text (x - x == 0.0 only for a finite float: json writes NaN and the infinities as
    words, and a str quoted)."""
    if value.__class__ is float and value - value == 0.0:
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def array(rows: Sequence[str]) -> str:
    """The JSON array of ``rows`` (object texts from :meth:`ReadingRows.rows`)."""
    return "[" + ",".join(rows) + "]"
