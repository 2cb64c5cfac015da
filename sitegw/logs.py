"""Logging set-up: one line per event, key=value pairs, to stderr (journald/docker pick it up)."""

from __future__ import annotations

import logging
import sys


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once; library chatter (pymodbus, amqtt) is kept at WARNING."""
    numeric = getattr(logging, level.upper(), None)
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}: use DEBUG, INFO, WARNING or ERROR")
    root = logging.getLogger()
    if not any(getattr(h, "_sitegw", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._sitegw = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(numeric)
    for noisy in ("pymodbus", "amqtt", "transitions", "httpx", "urllib3", "influxdb_client"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
