"""How a broker link tells of bad messages: each kind of fault logged the first time a topic shows it, then a
summary line each minute while bad messages go on coming, counted per topic and kind.

Logged once per topic only, a device that first sent one truncated JSON and then, after a firmware update,
numbers as text hid the second fault behind the first, and a fault that went on for hours said nothing after
its first line. One line per message would drown the log: a DAU sends every few seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from drivers.mqtt.decode import Decoded

log = logging.getLogger("drivers.mqtt.link")  # where operators and the tests have always read these lines

SAMPLE_BYTES = 200  # of a bad payload, in the log line
TOPIC_ERROR_LIMIT = 10_000  # distinct topics (and topic, kind pairs) counted one by one; the rest together
OTHER_TOPICS = "<other topics>"
SUMMARY_S = 60.0  # the period of the summary line while faults continue
SUMMARY_ITEMS = 10  # (topic, kind) pairs named in a summary line, the most frequent first
LOGGED_TOPICS = 20  # a device's bad messages are logged for this many distinct topics, then only counted


class FaultLog:
    """The bad messages of one broker link: counted per topic (``topic_errors``), logged per kind."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.topic_errors: dict[str, int] = {}
        self._seen: set[tuple[str, str]] = set()  # (topic, kind) already logged in full
        self._topics: dict[str, set[str]] = {}  # per device: the topics whose faults were logged
        self._window: dict[tuple[str, str], int] = {}  # bad messages since the last summary
        self._clock = clock
        self._window_start = clock()

    def note(self, device: str, topic: str, payload: bytes | bytearray, out: Decoded) -> None:
        """Count one bad message; log each new kind of fault of its topic, and the summary when due."""
        key = (
            topic
            if topic in self.topic_errors or len(self.topic_errors) < TOPIC_ERROR_LIMIT
            else OTHER_TOPICS
        )
        self.topic_errors[key] = self.topic_errors.get(key, 0) + 1
        now = self._clock()
        if not self._window:
            self._window_start = now  # a new run of faults: its summary comes a full period later
        for kind in dict.fromkeys(out.kinds):
            pair = (key, kind)
            self._window[pair] = self._window.get(pair, 0) + 1
            if pair not in self._seen and len(self._seen) < TOPIC_ERROR_LIMIT and self._room(device, topic):
                self._seen.add(pair)
                self._first(device, topic, kind, payload, out)
        if now - self._window_start >= SUMMARY_S:
            self._summary(now)

    def _room(self, device: str, topic: str) -> bool:
        """Whether ``topic``'s faults are still logged for ``device``: a flood of made-up topics must not
        flood the log, so after LOGGED_TOPICS one line says the rest are only counted."""
        topics = self._topics.setdefault(device, set())
        if topic in topics or len(topics) < LOGGED_TOPICS:
            topics.add(topic)
            return True
        if len(topics) == LOGGED_TOPICS:
            topics.add("")  # said once
            log.warning(
                "device %s: bad messages on more than %d topics: those on further topics are only counted "
                "(stats errors / topic_errors)",
                device,
                LOGGED_TOPICS,
            )
        return False

    def _first(self, device: str, topic: str, kind: str, payload: bytes | bytearray, out: Decoded) -> None:
        sample = payload[:SAMPLE_BYTES]
        more = f" (+{len(payload) - SAMPLE_BYTES} bytes)" if len(payload) > SAMPLE_BYTES else ""
        said = [p for p, k in zip(out.problems, out.kinds, strict=True) if k == kind]
        log.warning(
            "device %s: bad message on topic %s: %s: %s; payload %r%s; %s (later messages with this fault "
            "on this topic are counted, summed up here every %.0f s while they go on: stats errors / "
            "topic_errors)",
            device,
            topic,
            kind,
            "; ".join(said),
            sample,
            more,
            f"kept {len(out.readings)} good value(s)" if out.readings else "nothing kept",
            SUMMARY_S,
        )

    def _summary(self, now: float) -> None:
        counts = sorted(self._window.items(), key=lambda item: (-item[1], item[0]))
        named = ", ".join(f"{topic} ({kind}) {n}" for (topic, kind), n in counts[:SUMMARY_ITEMS])
        rest = len(counts) - SUMMARY_ITEMS
        log.warning(
            "bad MQTT messages in the last %.0f s: %s%s",
            now - self._window_start,
            named,
            f", and {rest} more topic/fault pair(s)" if rest > 0 else "",
        )
        self._window.clear()
        self._window_start = now
