"""A data logger's backlog, as the ingest benchmark and its test send it: made, kept, queued at a broker, counted.

The burst is ``count`` pit DAU messages over 40 points (bench/mqtt_decode.py), seven metrics each, a second
apart and ending a second ago, as a data logger uploads what it measured while its 4G link was down: every
message in the past, so none is refused as stamped in the future.

Two ways to offer it to the gateway:

- a file of the messages (``write_burst``, ``read_burst``), read by a stand-in for paho's network thread in the
  gateway's process: the file plays the broker's queue, at no cost in the process's memory;
- a real broker (``preload``): the messages queued for the gateway's persistent session while it is away, as
  Mosquitto keeps them for a gateway that is off-line. They are published here over a socket of our own,
  framed as MQTT 3.1.1 says (section 3.3 PUBLISH, 3.4 PUBACK), because paho's client publishes some 3,500
  messages a second on this machine: 1,000,000 of them would take five minutes.

What was stored is counted where it was stored: the rows of the local store's file and the samples InfluxDB
(VictoriaMetrics) holds.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt

from bench.mqtt_decode import iter_messages

METRICS = 7  # readings a message carries
_RECORD = struct.Struct("<HI")  # a record of the burst file: topic length, payload length


def burst(count: int, start: float) -> Iterator[tuple[str, bytes]]:
    """The burst's ``count`` messages, the first stamped ``start`` (``burst_start``)."""
    return iter_messages(METRICS, count, start)


def burst_start(count: int) -> float:
    """When a burst of ``count`` messages made now starts: its last message is stamped a second ago."""
    return time.time() - count


def write_burst(path: Path, count: int, start: float) -> None:
    """Write the burst's messages to ``path``, in order."""
    with open(path, "wb", buffering=1 << 20) as f:
        for topic, payload in burst(count, start):
            raw = topic.encode()
            f.write(_RECORD.pack(len(raw), len(payload)))
            f.write(raw)
            f.write(payload)


def read_burst(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """The messages of a burst file, topic and payload as bytes, as paho reads them from its socket."""
    with open(path, "rb", buffering=1 << 16) as f:
        while head := f.read(_RECORD.size):
            n_topic, n_payload = _RECORD.unpack(head)
            yield f.read(n_topic), f.read(n_payload)


def open_session(host: str, port: int, client_id: str, filters: Iterable[str]) -> None:
    """Make the gateway's persistent session at the broker, subscribed as the gateway subscribes, and leave:
    from then on the broker queues for it what is published on ``filters``."""
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, protocol=mqtt.MQTTv311
    )
    acked: set[int] = set()
    client.on_subscribe = lambda _c, _u, mid, _r, _p: acked.add(mid)
    client.connect(host, port)
    client.loop_start()
    try:
        result, mid = client.subscribe([(f, 1) for f in filters])
        deadline = time.monotonic() + 10
        while result == mqtt.MQTT_ERR_SUCCESS and mid not in acked and time.monotonic() < deadline:
            time.sleep(0.01)
        if mid not in acked:
            raise RuntimeError(f"the broker on {host}:{port} did not confirm {client_id}'s subscription")
    finally:
        client.disconnect()
        client.loop_stop()


def preload(host: str, port: int, messages: Iterable[tuple[str, bytes]], chunk: int = 5000) -> int:
    """Publish ``messages`` at QoS 1 and return how many, once the broker acknowledged every one."""
    sock = socket.create_connection((host, port))
    try:
        sock.sendall(_connect_packet("sitegw-bench-backlog"))
        if _read_exact(sock, 4) != b"\x20\x02\x00\x00":
            raise RuntimeError(f"the broker on {host}:{port} refused the backlog's publisher")
        acked = [0]
        reader = threading.Thread(target=_count_pubacks, args=(sock, acked), daemon=True)
        reader.start()
        sent = 0
        packets: list[bytes] = []
        for topic, payload in messages:
            sent += 1
            packets.append(_publish_packet(topic.encode(), payload, sent % 65535 + 1))
            if len(packets) == chunk:
                sock.sendall(b"".join(packets))
                packets.clear()
        sock.sendall(b"".join(packets))
        deadline = time.monotonic() + 60
        while acked[0] < sent:  # the reader thread counts; the broker has stored each message it acknowledged
            if time.monotonic() > deadline or not reader.is_alive():
                raise RuntimeError(f"the broker acknowledged {acked[0]} of {sent} messages")
            time.sleep(0.01)
        sock.sendall(b"\xe0\x00")  # DISCONNECT
        return sent
    finally:
        sock.close()


def stored_in_store(history: Path) -> int:
    """Readings in a local store's file (rows: each reading of a series and instant once)."""
    from plumbing.sqlite import sqlite3

    with sqlite3.connect(f"file:{history}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM readings").fetchone()[0])


def stored_in_victoria(url: str, since: float) -> int:
    """Pit samples VictoriaMetrics holds stamped from ``since`` (Unix s) to now (a field of a line is a sample)."""
    httpx.get(url + "/internal/force_flush", timeout=30).raise_for_status()
    now = time.time()
    query = f'sum(count_over_time({{__name__=~"pit_.+"}}[{int(now - since) + 60}s]))'
    answer = httpx.get(url + "/api/v1/query", params={"query": query, "time": now}, timeout=120)
    answer.raise_for_status()
    result = answer.json()["data"]["result"]
    return int(float(result[0]["value"][1])) if result else 0


def _connect_packet(client_id: str) -> bytes:
    """CONNECT (MQTT 3.1.1 section 3.1): protocol MQTT level 4, clean session, keepalive 60 s."""
    cid = client_id.encode()
    body = b"\x00\x04MQTT\x04\x02\x00\x3c" + struct.pack(">H", len(cid)) + cid
    return b"\x10" + _remaining_length(len(body)) + body


def _publish_packet(topic: bytes, payload: bytes, packet_id: int) -> bytes:
    """PUBLISH at QoS 1 (section 3.3): topic, packet identifier (1 to 65535), payload."""
    body_len = 2 + len(topic) + 2 + len(payload)
    return (
        b"".join(
            (
                b"\x32",
                _remaining_length(body_len),
                struct.pack(">H", len(topic)),
                topic,
                struct.pack(">H", packet_id),
            )
        )
        + payload
    )


def _remaining_length(n: int) -> bytes:
    """The fixed header's variable-length integer (section 2.2.3)."""
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _count_pubacks(sock: socket.socket, acked: list[int]) -> None:
    """Count the broker's PUBACKs (four bytes each, section 3.4) until the connection closes."""
    pending = 0
    try:
        while data := sock.recv(1 << 16):
            pending += len(data)
            acked[0] += pending // 4
            pending %= 4
    except OSError:  # closed under it once every message was acknowledged, or the broker went away
        return


def _read_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        more = sock.recv(n - len(data))
        if not more:
            break
        data += more
    return data
