"""Log an error once when it starts, not on every poll, and say when it has cleared.

A device polled every second that has lost one register would otherwise write 86,400 identical
lines a day and bury everything else in the log.
"""

from __future__ import annotations

import logging

# (kind, code, where, which): e.g. ("exception", 2, FunctionCode.HOLDING, 40) or ("decode", None, metric, point)
ErrorKey = tuple[object, object, object, object]


class OncePerKind:
    """Remembers which errors are ongoing; logs the first of each and its recovery."""

    def __init__(self, logger: logging.Logger, subject: str) -> None:
        self._log = logger
        self._subject = subject
        self._ongoing: dict[ErrorKey, int] = {}

    def error(self, key: ErrorKey, message: str, level: int = logging.WARNING) -> bool:
        """Record one occurrence; log it if this kind of error was not already ongoing."""
        count = self._ongoing.get(key, 0) + 1
        self._ongoing[key] = count
        if count == 1:
            self._log.log(level, "%s: %s", self._subject, message)
            return True
        return False

    def clear(self, key: ErrorKey, what: str) -> None:
        """The error ``key`` stopped happening: log once how many times it happened."""
        count = self._ongoing.pop(key, 0)
        if count:
            self._log.info(
                "%s: %s works again (failed %d time%s in a row)",
                self._subject,
                what,
                count,
                "" if count == 1 else "s",
            )

    def __bool__(self) -> bool:
        """True while any error is ongoing."""
        return bool(self._ongoing)

    def ongoing(self) -> list[ErrorKey]:
        """Keys of the errors still happening."""
        return list(self._ongoing)
