"""Parsing of command-line values shared by every `sitegw` command."""

from __future__ import annotations

import typer

# `sitegw demo`: the slab pour over the high formwork begins this long after start, as a supervisor's
# click would begin it (here, not in sitegw/demo.py, so that `sitegw --help` does not import the demo)
DEMO_POUR_AFTER_S = 10.0


def host_port(text: str, option: str) -> tuple[str, int]:
    """``HOST:PORT`` as given to ``option``; a clear usage error (exit 2, no traceback) otherwise."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise typer.BadParameter(
            f"{text!r} is not HOST:PORT (an address or host name, a colon, a port 1-65535)", param_hint=option
        )
    return host, int(port)
