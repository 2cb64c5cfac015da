"""An InfluxDB that refuses one point: a real HTTP relay in front of the real InfluxDB 1.6.7's ``/write``.

No server installable here refuses a whole batch for one bad point. InfluxDB 1.x writes the other
points of such a batch itself and answers ``400 partial write``; VictoriaMetrics skips the bad line
and answers ``204``. InfluxDB OSS 2.x does refuse the batch: its documentation ("Troubleshoot issues
writing data", docs.influxdata.com/influxdb/v2/write-data/troubleshoot/) says a 400 means "The line
protocol data in the request was malformed [...] All request data was rejected and not written".
The relay plays that server, written from that page and the line protocol reference, not from
sitegw: once armed, it picks the first line of the next write whose measurement is ``measurement``
as the bad point, and from then on answers every write that holds that point (its series key and
timestamp, whatever its fields, so the spool's ``backfill=true`` copy too) ``400`` with the line in
the message, forwarding nothing. Every other write is forwarded to InfluxDB as it came.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


def point_key(line: bytes) -> tuple[bytes, bytes]:
    """A line's point identity per the line protocol: its series key (up to the first unescaped
    space) and its timestamp (the last element; sitegw always writes one)."""
    i = 0
    while True:
        i = line.index(b" ", i)
        if line[i - 1 : i] != b"\\":
            break
        i += 1
    return line[:i], line.rsplit(b" ", 1)[1]


class RefusingInflux:
    """Relay ``port`` to the InfluxDB at ``upstream`` (a URL); :meth:`arm` makes one point bad."""

    def __init__(self, port: int, upstream: str) -> None:
        self.port, self.upstream = port, upstream
        self.bad: tuple[bytes, bytes] | None = None
        self.bad_line = b""
        self.refused_writes = 0  # writes answered 400 because they held the bad point
        self._measurement: bytes | None = None
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="influx-relay", daemon=True)

    def __enter__(self) -> RefusingInflux:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def arm(self, measurement: str) -> None:
        """The first line of ``measurement`` in the next write becomes the bad point (the one before
        is good again)."""
        with self._lock:
            self._measurement = measurement.encode()
            self.bad, self.bad_line = None, b""

    def verdict(self, body: bytes) -> bytes | None:
        """The bad line this write holds (it is refused), or None (it is forwarded)."""
        with self._lock:
            for line in body.splitlines():
                if not line or line.startswith(b"#"):
                    continue
                if self.bad is None and self._measurement and line.startswith(self._measurement + b","):
                    self.bad, self.bad_line, self._measurement = point_key(line), line, None
                if self.bad is not None and point_key(line) == self.bad:
                    self.refused_writes += 1
                    return line
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:  # the test's output, not the relay's
                return

            def do_POST(self) -> None:  # http.server calls the handler of a POST by this name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                bad = relay.verdict(body) if self.path.startswith("/write") else None
                if bad is not None:
                    message = f"unable to parse '{bad.decode(errors='replace')}': refused by the test"
                    self._answer(400, json.dumps({"error": message}).encode())
                    return
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")
                }
                try:
                    upstream = relay._client.post(relay.upstream + self.path, content=body, headers=headers)
                except httpx.HTTPError as exc:  # InfluxDB is down: a proxy's answer
                    self._answer(503, json.dumps({"error": str(exc)}).encode())
                    return
                self._answer(upstream.status_code, upstream.content)

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
