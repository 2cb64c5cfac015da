"""Logging set-up: one line per event, key=value pairs, to stderr (journald/docker pick it up)."""

from __future__ import annotations

import logging
import sys


class _Handler(logging.StreamHandler):
    """sitegw's own handler, so a second setup does not add another."""


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once; library chatter (pymodbus, amqtt, the regulator database's migration
    steps) is kept at WARNING unless DEBUG is asked for: a newcomer's first screen is the dashboard's
    address, not sixteen migrations."""
    numeric = getattr(logging, level.upper(), None)
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}: use DEBUG, INFO, WARNING or ERROR")
    root = logging.getLogger()
    if not any(isinstance(h, _Handler) for h in root.handlers):
        handler = _Handler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(numeric)
    for noisy in ("pymodbus", "amqtt", "transitions", "httpx", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
