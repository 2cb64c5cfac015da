"""A small real HTTP server standing in for third-party platforms (DingTalk, WeCom, a Shenzhen-style
regulator) that cannot be reached from here. Each test gives it a function that checks a request the
way the platform documents and returns (status, JSON answer); every request is kept for assertions."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(frozen=True)
class Request:
    """One request as the platform received it."""

    path: str
    query: dict[str, str]  # decoded once, as a platform's framework hands them over
    raw_query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        """The body parsed as JSON."""
        return json.loads(self.body)


Answer = Callable[[Request], tuple[int, object]]


class PlatformServer:
    """``answer`` decides each reply; ``requests`` holds everything received."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[Request] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                req = Request(
                    parts.path,
                    {k: v[0] for k, v in parse_qs(parts.query).items()},
                    parts.query,
                    dict(self.headers.items()),
                    body,
                )
                outer.requests.append(req)
                status, payload = outer.answer(req)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        """Stop serving and free the port."""
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def platform() -> Iterator[Callable[[Answer], PlatformServer]]:
    """Factory of stand-in platforms, all closed after the test."""
    servers: list[PlatformServer] = []

    def make(answer: Answer) -> PlatformServer:
        servers.append(PlatformServer(answer))
        return servers[-1]

    yield make
    for s in servers:
        s.close()
