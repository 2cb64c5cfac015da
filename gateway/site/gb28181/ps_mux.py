"""MPEG-2 program stream (ISO/IEC 13818-1 §2.5) around H.264 pictures, as GB/T 28181-2016 Annex C carries video.

Every picture is one pack: a pack header with the system clock, then on keyframes the system header and
the program stream map (so a receiver that joins late, or a decoder started on the platform, learns the
stream is H.264 at the next keyframe), then the picture in PES packets of the video stream 0xE0.
"""

from __future__ import annotations

import struct

STREAM_VIDEO = 0xE0
STREAM_TYPE_H264 = 0x1B  # ISO/IEC 13818-1 Table 2-29 (Amd.3): AVC video
_PES_MAX = 0xFFFF  # PES_packet_length is 16 bits


def _crc32_mpeg2(data: bytes) -> int:
    """CRC-32 of ISO/IEC 13818-1 Annex A (polynomial 0x04C11DB7, MSB first, initial 0xFFFFFFFF, no final xor)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else (crc << 1)
            crc &= 0xFFFFFFFF
    return crc


def _bits(fields: list[tuple[int, int]]) -> bytes:
    """Fields of (width in bits, value) packed most significant first (the widths add up to whole bytes)."""
    value, width = 0, 0
    for w, v in fields:
        value = (value << w) | (v & ((1 << w) - 1))
        width += w
    return value.to_bytes(width // 8, "big")


def pack_header(scr: int, mux_rate: int) -> bytes:
    """Pack header (§2.5.3.3): ``scr`` in 90 kHz units, ``mux_rate`` in units of 50 bytes/s."""
    return b"\x00\x00\x01\xba" + _bits(
        [
            (2, 0b01),
            (3, scr >> 30),
            (1, 1),
            (15, scr >> 15),
            (1, 1),
            (15, scr),
            (1, 1),
            (9, 0),  # SCR extension (27 MHz remainder)
            (1, 1),
            (22, mux_rate),
            (2, 0b11),
            (5, 0b11111),  # reserved
            (3, 0),  # no stuffing
        ]
    )


def system_header(rate_bound: int) -> bytes:
    """System header (§2.5.3.5) for one video stream and no audio."""
    body = _bits(
        [
            (1, 1),
            (22, rate_bound),
            (1, 1),
            (6, 0),  # audio_bound
            (1, 0),  # fixed_flag: variable bitrate
            (1, 0),  # CSPS_flag
            (1, 1),  # system_audio_lock_flag
            (1, 1),  # system_video_lock_flag
            (1, 1),
            (5, 1),  # video_bound
            (1, 0),  # packet_rate_restriction_flag
            (7, 0x7F),
            # the video stream's P-STD buffer: 1,024 units of 1,024 bytes
            (8, STREAM_VIDEO),
            (2, 0b11),
            (1, 1),
            (13, 1024),
        ]
    )
    return b"\x00\x00\x01\xbb" + struct.pack("!H", len(body)) + body


def program_stream_map() -> bytes:
    """Program stream map (§2.5.4): stream 0xE0 is H.264."""
    es_map = bytes([STREAM_TYPE_H264, STREAM_VIDEO]) + struct.pack("!H", 0)
    fields = (
        bytes([0x80 | 0x60 | 0, 0xFE | 1])  # current_next 1, reserved, version 0; reserved, marker
        + struct.pack("!H", 0)  # program_stream_info_length
        + struct.pack("!H", len(es_map))
        + es_map
    )
    head = b"\x00\x00\x01\xbc" + struct.pack("!H", len(fields) + 4)
    return head + fields + struct.pack("!I", _crc32_mpeg2(head + fields))


def _timestamp(prefix: int, ts: int) -> bytes:
    """A 33-bit PTS/DTS in the 5-byte layout of §2.4.3.7."""
    return _bits([(4, prefix), (3, ts >> 30), (1, 1), (15, ts >> 15), (1, 1), (15, ts), (1, 1)])


def pes_packets(payload: bytes, pts: int) -> list[bytes]:
    """PES packets of the video stream carrying one picture; the first has its PTS (no B-frames: DTS = PTS)."""
    out: list[bytes] = []
    offset = 0
    first = True
    while first or offset < len(payload):
        header = b"\x84\x80\x05" + _timestamp(0b0010, pts) if first else b"\x80\x00\x00"
        room = _PES_MAX - len(header)
        chunk = payload[offset : offset + room]
        out.append(
            b"\x00\x00\x01"
            + bytes([STREAM_VIDEO])
            + struct.pack("!H", len(header) + len(chunk))
            + header
            + chunk
        )
        offset += len(chunk)
        first = False
    return out


class PsMuxer:
    """One camera's pictures as packs of a program stream."""

    def __init__(self, bitrate_bps: int) -> None:
        # in units of 50 bytes/s, with headroom: a keyframe is several times the average picture
        self._rate = max(1, bitrate_bps * 4 // 8 // 50)

    def pack(self, picture: bytes, pts: int, keyframe: bool) -> bytes:
        """The pack of one picture (Annex-B H.264 access unit) at ``pts`` (90 kHz)."""
        parts = [pack_header(pts, self._rate)]
        if keyframe:
            parts += [system_header(self._rate), program_stream_map()]
        parts += pes_packets(picture, pts)
        return b"".join(parts)
