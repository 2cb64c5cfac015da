"""Free TCP ports for servers started on this machine (simulators, the embedded broker, tests)."""

from __future__ import annotations

import socket


def free_tcp_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now.

    The port is free when this returns; a server binding it a moment later could in principle
    lose a race with another process, which is acceptable for simulators and tests on loopback.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
