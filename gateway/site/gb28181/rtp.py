"""RTP packets (RFC 3550) for an MPEG-PS stream, and their framing on TCP (RFC 4571).

GB/T 28181-2016 §C carries PS in RTP payload type 96 with a 90 kHz clock; the SSRC is the one the
platform put in the INVITE's ``y=`` line. The marker bit closes each picture.
"""

from __future__ import annotations

import random
import struct

RTP_HEADER = 12
PS_PAYLOAD_TYPE = 96
MAX_PACKET = 1400  # whole RTP packet: fits a 1500-byte MTU with IP/UDP headers and a VPN's overhead


class RtpPacketizer:
    """Cuts each picture's PS bytes into RTP packets of one stream (one SSRC, one sequence)."""

    def __init__(self, ssrc: int, payload_type: int = PS_PAYLOAD_TYPE, max_packet: int = MAX_PACKET) -> None:
        if not 0 <= ssrc <= 0xFFFFFFFF:
            raise ValueError(f"SSRC {ssrc} does not fit RTP's 32 bits")
        self.ssrc = ssrc
        self.payload_type = payload_type
        self._room = max_packet - RTP_HEADER
        self._seq = random.randrange(0x10000)  # RFC 3550 §5.1: a random first sequence number

    def packets(self, payload: bytes, timestamp: int) -> list[bytes]:
        """RTP packets carrying ``payload`` (one picture) at ``timestamp`` (90 kHz); the last is marked."""
        chunks = [payload[i : i + self._room] for i in range(0, len(payload), self._room)] or [b""]
        out: list[bytes] = []
        for n, chunk in enumerate(chunks):
            marker = 0x80 if n == len(chunks) - 1 else 0
            header = struct.pack(
                "!BBHII", 0x80, marker | self.payload_type, self._seq, timestamp & 0xFFFFFFFF, self.ssrc
            )
            self._seq = (self._seq + 1) & 0xFFFF
            out.append(header + chunk)
        return out


def rfc4571_frame(packet: bytes) -> bytes:
    """An RTP packet as RFC 4571 sends it on a TCP connection: its 16-bit length, then the packet."""
    return struct.pack("!H", len(packet)) + packet
