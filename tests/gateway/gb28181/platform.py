"""A GB/T 28181 video platform stand-in for the device's tests.

No GB/T 28181 platform can be installed here, so this is a stand-in written from the standard's message
flows (GB/T 28181-2016 §9.1 registration with digest authentication, §9.5 queries, §9.6 keepalive, §9.2
live view) and from RFC 3261 / RFC 2617 / RFC 3550 / RFC 4571, not from the device's code: it parses SIP
with its own few lines, checks the digest with hashlib from RFC 2617's formula, sends its queries as
GB2312 MANSCDP, and receives RTP as a platform's media server would.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import secrets
import socket
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

SERVER_ID = "34020000002000000001"
REALM = "3402000000"
NONCE = "9bd055c3a8e0b8a1b5d3f1f4a0c2e7d6"


@dataclass
class Msg:
    """A SIP message as the stand-in reads it: start line, headers (lower-case names), body."""

    start: str
    headers: dict[str, list[str]]
    body: bytes

    def h(self, name: str) -> str:
        return self.headers.get(name.lower(), [""])[0]

    @property
    def method(self) -> str:
        return "" if self.start.startswith("SIP/2.0") else self.start.split()[0]

    @property
    def status(self) -> int:
        return int(self.start.split()[1]) if self.start.startswith("SIP/2.0") else 0


def parse(data: bytes) -> Msg:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return Msg(lines[0], headers, body)


def digest_params(header: str) -> dict[str, str]:
    """The name=value pairs of a Digest Authorization header."""
    return {k: v1 or v2 for k, v1, v2 in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', header)}


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass
class Platform:
    """The stand-in: a registrar that challenges, a keepalive counter, and a client of the device."""

    password: str
    proto: str = "udp"
    qop: bool = True
    port: int = 0
    registrations: list[int] = field(default_factory=list)  # Expires of each accepted REGISTER
    rejected: int = 0
    keepalives: int = 0
    device_addr: tuple[str, int] | None = None
    byes: int = 0
    forgot: bool = False  # refuse keepalives, as a platform that lost the device's registration

    def __post_init__(self) -> None:
        self._incoming: asyncio.Queue[Msg] = asyncio.Queue()
        self._udp: asyncio.DatagramTransport | None = None
        self._server: asyncio.Server | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._cseq = 100

    # -- network ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.proto == "udp":
            platform = self

            class Proto(asyncio.DatagramProtocol):
                def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                    platform.device_addr = addr
                    platform._on(parse(data))

            self._udp, _ = await loop.create_datagram_endpoint(Proto, local_addr=("127.0.0.1", self.port))
            self.port = self._udp.get_extra_info("sockname")[1]
        else:
            self._server = await asyncio.start_server(self._conn, "127.0.0.1", self.port, reuse_address=True)
            self.port = self._server.sockets[0].getsockname()[1]

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"Content-Length:\s*(\d+)", head, re.I).group(1))  # type: ignore[union-attr]
                self._on(parse(head + await reader.readexactly(length)))

    async def stop(self) -> None:
        """The platform goes away: its socket closed, nothing answers."""
        if self._udp is not None:
            self._udp.close()
        if self._writer is not None:
            self._writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def send(self, text: str, body: bytes = b"") -> None:
        data = text.replace("\n", "\r\n").encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
        if self._udp is not None:
            assert self.device_addr is not None
            self._udp.sendto(data, self.device_addr)
        else:
            assert self._writer is not None
            self._writer.write(data)

    def _answer(self, req: Msg, status: str, extra: str = "", body: bytes = b"") -> None:
        vias = "".join(f"Via: {v}\n" for v in req.headers["via"])
        self.send(
            f"SIP/2.0 {status}\n{vias}From: {req.h('from')}\nTo: {req.h('to')}\nCall-ID: {req.h('call-id')}\n"
            f"CSeq: {req.h('cseq')}\n{extra}",
            body,
        )

    # -- what the device sends ------------------------------------------------------------------------

    def _on(self, msg: Msg) -> None:
        if msg.method == "REGISTER":
            self._register(msg)
        elif msg.method == "MESSAGE":
            keepalive = b"<CmdType>Keepalive</CmdType>" in msg.body
            if keepalive and self.forgot:  # a platform restarted without its registrations
                self._answer(msg, "403 Forbidden")
                return
            self._answer(msg, "200 OK")
            if keepalive:
                self.keepalives += 1
            else:
                self._incoming.put_nowait(msg)
        elif msg.method == "BYE":
            self.byes += 1
            self._answer(msg, "200 OK")
        else:
            self._incoming.put_nowait(msg)

    def _register(self, msg: Msg) -> None:
        auth = msg.h("authorization")
        if not auth:
            qop = ', qop="auth"' if self.qop else ""
            self._answer(
                msg,
                "401 Unauthorized",
                f'WWW-Authenticate: Digest realm="{REALM}", nonce="{NONCE}"{qop}, algorithm=MD5\n',
            )
            return
        p = digest_params(auth.removeprefix("Digest "))
        # RFC 2617 §3.2.2.1: HA1 = MD5(username:realm:password), HA2 = MD5(method:digest-uri)
        ha1 = md5(f"{p['username']}:{REALM}:{self.password}")
        ha2 = md5(f"REGISTER:{p['uri']}")
        if self.qop:
            expected = md5(f"{ha1}:{NONCE}:{p['nc']}:{p['cnonce']}:auth:{ha2}")
        else:
            expected = md5(f"{ha1}:{NONCE}:{ha2}")
        if p.get("response") != expected or p.get("nonce") != NONCE or p.get("realm") != REALM:
            self.rejected += 1
            self._answer(msg, "403 Forbidden")
            return
        expires = int(msg.h("expires") or "3600")
        self.registrations.append(expires)
        self.forgot = False
        self._answer(msg, "200 OK", f"Expires: {expires}\n")

    # -- what the platform asks ----------------------------------------------------------------------

    async def next_message(self, timeout: float = 5.0) -> Msg:
        return await asyncio.wait_for(self._incoming.get(), timeout)

    async def query(self, cmd_type: str, device_id: str, items: int = 0) -> list[ET.Element]:
        """Send a MANSCDP query; the device's MESSAGE Responses to it (until ``items`` channels for a
        Catalog), as parsed XML."""
        self._cseq += 1
        sn = str(self._cseq)
        body = (
            f'<?xml version="1.0" encoding="GB2312"?>\r\n<Query>\r\n<CmdType>{cmd_type}</CmdType>\r\n'
            f"<SN>{sn}</SN>\r\n<DeviceID>{device_id}</DeviceID>\r\n</Query>\r\n"
        ).encode("gb2312")
        self.send(self._request("MESSAGE", device_id, "Application/MANSCDP+xml"), body)
        ok = await self.next_message()
        assert ok.status == 200, ok.start
        answers: list[ET.Element] = []
        while not answers or sum(len(a.findall("DeviceList/Item")) for a in answers) < items:
            msg = await self.next_message()
            assert msg.method == "MESSAGE" and msg.h("content-type").lower() == "application/manscdp+xml"
            assert msg.body.startswith(b'<?xml version="1.0" encoding="GB2312"?>'), msg.body[:60]
            xml = msg.body.decode("gb2312").split("?>", 1)[1]
            root = ET.fromstring(xml)
            assert root.findtext("SN") == sn
            answers.append(root)
        return answers

    def _request(self, method: str, target: str, content_type: str, call_id: str | None = None) -> str:
        self._cseq += 1
        return (
            f"{method} sip:{target}@{REALM} SIP/2.0\n"
            f"Via: SIP/2.0/{self.proto.upper()} 127.0.0.1:{self.port};branch=z9hG4bK{secrets.token_hex(6)}\n"
            f"From: <sip:{SERVER_ID}@{REALM}>;tag=p{self._cseq}\nTo: <sip:{target}@{REALM}>\n"
            f"Call-ID: {call_id or secrets.token_hex(8)}\nCSeq: {self._cseq} {method}\nMax-Forwards: 70\n"
            f"Contact: <sip:{SERVER_ID}@127.0.0.1:{self.port}>\nContent-Type: {content_type}\n"
        )

    async def invite(self, channel: str, sdp: str) -> tuple[Msg, str]:
        """INVITE a channel with ``sdp``; ACK the 200 OK; the 200 and the Call-ID."""
        call_id = secrets.token_hex(8)
        head = self._request("INVITE", channel, "APPLICATION/SDP", call_id)
        head += f"Subject: {channel}:0100000001,{SERVER_ID}:0\n"
        self.send(head, sdp.replace("\n", "\r\n").encode())
        while True:
            msg = await self.next_message()
            if msg.status >= 200:
                break
        assert msg.status == 200, msg.start
        via = f"SIP/2.0/{self.proto.upper()} 127.0.0.1:{self.port};branch=z9hG4bK{secrets.token_hex(6)}"
        self.send(
            f"ACK sip:{channel}@{REALM} SIP/2.0\nVia: {via}\nFrom: <sip:{SERVER_ID}@{REALM}>;tag=p\n"
            f"To: {msg.h('to')}\nCall-ID: {call_id}\nCSeq: {msg.h('cseq').split()[0]} ACK\nMax-Forwards: 70\n"
        )
        return msg, call_id

    async def bye(self, channel: str, call_id: str, to: str) -> Msg:
        self._cseq += 1
        via = f"SIP/2.0/{self.proto.upper()} 127.0.0.1:{self.port};branch=z9hG4bK{secrets.token_hex(6)}"
        self.send(
            f"BYE sip:{channel}@{REALM} SIP/2.0\nVia: {via}\nFrom: <sip:{SERVER_ID}@{REALM}>;tag=p\nTo: {to}\n"
            f"Call-ID: {call_id}\nCSeq: {self._cseq} BYE\nMax-Forwards: 70\n"
        )
        return await self.next_message()


def offer(port: int, *, tcp_setup: str = "", ssrc: str = "0100000001") -> str:
    """The platform's SDP for live view (GB/T 28181-2016 Annex F): PS on 96 at 127.0.0.1:``port``."""
    media = f"m=video {port} {'TCP/RTP/AVP' if tcp_setup else 'RTP/AVP'} 96 97 98"
    tcp = f"a=setup:{tcp_setup}\na=connection:new\n" if tcp_setup else ""
    return (
        f"v=0\no={SERVER_ID} 0 0 IN IP4 127.0.0.1\ns=Play\nc=IN IP4 127.0.0.1\nt=0 0\n{media}\na=recvonly\n"
        f"a=rtpmap:96 PS/90000\na=rtpmap:98 H264/90000\na=rtpmap:97 MPEG4/90000\n{tcp}y={ssrc}\n"
    )


def udp_media_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    return sock


async def receive_udp(sock: socket.socket, seconds: float) -> list[bytes]:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    packets: list[bytes] = []
    while (left := end - loop.time()) > 0:
        with contextlib.suppress(TimeoutError):
            packets.append(await asyncio.wait_for(loop.sock_recv(sock, 65535), left))
    return packets


async def receive_rfc4571(reader: asyncio.StreamReader, seconds: float) -> list[bytes]:
    """RTP packets off a TCP connection, each behind its 16-bit length (RFC 4571)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    packets: list[bytes] = []
    with contextlib.suppress(TimeoutError, asyncio.IncompleteReadError):
        while (left := end - loop.time()) > 0:
            (length,) = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), left))
            packets.append(await asyncio.wait_for(reader.readexactly(length), max(0.5, left)))
    return packets
