"""Parsing of command-line values shared by every `sitegw` command."""

from __future__ import annotations

import typer


def host_port(text: str, option: str) -> tuple[str, int]:
    """``HOST:PORT`` as given to ``option``; a clear usage error (exit 2, no traceback) otherwise."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise typer.BadParameter(
            f"{text!r} is not HOST:PORT (an address or host name, a colon, a port 1-65535)", param_hint=option
        )
    return host, int(port)
