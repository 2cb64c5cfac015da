"""Helpers shared by the tests: free ports, waiting for servers."""

from __future__ import annotations

import os
import socket
import time

from drivers.ports import free_tcp_port


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_tcp_port()


def wait_port(port: int, host: str = "127.0.0.1", timeout: float = 15.0) -> None:
    """Block until something accepts TCP connections on ``host:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s")


def schema_examples() -> int:
    """Cases schemathesis draws per operation and role: 4 in `make test`, more in `make fuzz`
    (``SITEGW_SCHEMA_EXAMPLES``)."""
    return int(os.environ.get("SITEGW_SCHEMA_EXAMPLES", "4"))
