"""Logging set-up: one line per event, key=value pairs, to stderr (journald/docker pick it up)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class _Handler(logging.StreamHandler[TextIO]):
    """sitegw's own handler, so a second setup does not add another. It writes to whatever `sys.stderr` is when
    a record comes, not the stream of the moment it was set up: a command run inside another (a test runner's
    captured output, an embedding service) closes that stream afterwards, and a later record would then be a
    "Logging error" traceback instead of its line."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """StreamHandler assigns its stream at creation; the live one is always sys.stderr."""


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once; library chatter (pymodbus, amqtt, the regulator database's migration
    steps, boto's credential lookups) is kept at WARNING unless DEBUG is asked for: a newcomer's first screen is the dashboard's
    address, not sixteen migrations."""
    numeric = getattr(logging, level.upper(), None)
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}: use DEBUG, INFO, WARNING or ERROR")
    root = logging.getLogger()
    if not any(isinstance(h, _Handler) for h in root.handlers):
        handler = _Handler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(numeric)
    for noisy in ("pymodbus", "amqtt", "transitions", "httpx", "urllib3", "alembic", "botocore", "boto3"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
