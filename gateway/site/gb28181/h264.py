"""Access units out of an Annex-B H.264 byte stream (ITU-T H.264 Annex B), as ffmpeg writes it to a pipe.

The encoder is asked for an access unit delimiter (AUD, NAL type 9) before every picture, so a picture
ends where the next delimiter starts: no slice header has to be parsed to find the boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass

_AUD = b"\x00\x00\x01\x09"
NAL_IDR = 5
NAL_SPS = 7


@dataclass(frozen=True, slots=True)
class AccessUnit:
    """One coded picture with its parameter sets, start codes included."""

    data: bytes
    keyframe: bool


def nal_types(au: bytes) -> list[int]:
    """The NAL unit types in an access unit, in order (a start code cannot occur inside a NAL unit: the
    encoder inserts emulation-prevention bytes)."""
    types: list[int] = []
    i = au.find(b"\x00\x00\x01")
    while i >= 0 and i + 3 < len(au):
        types.append(au[i + 3] & 0x1F)
        i = au.find(b"\x00\x00\x01", i + 3)
    return types


class AccessUnitSplitter:
    """Feed it bytes as they come; it hands back each access unit once the next one has begun."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[AccessUnit]:
        """The access units completed by ``data``."""
        self._buf += data
        units: list[AccessUnit] = []
        start = self._aud(0)
        if start < 0:
            return units
        while True:
            end = self._aud(start + len(_AUD))
            if end < 0:
                break
            units.append(self._unit(bytes(self._buf[start:end])))
            start = end
        del self._buf[:start]
        return units

    def flush(self) -> list[AccessUnit]:
        """The last access unit, when the stream has ended."""
        rest, self._buf = bytes(self._buf), bytearray()
        return [self._unit(rest)] if _AUD in rest else []

    def _aud(self, offset: int) -> int:
        """Where the delimiter at or after ``offset`` starts, its 4-byte start code's leading zero included."""
        i = self._buf.find(_AUD, offset)
        if i > 0 and self._buf[i - 1] == 0:
            return i - 1
        return i

    @staticmethod
    def _unit(data: bytes) -> AccessUnit:
        types = nal_types(data)
        return AccessUnit(data, NAL_IDR in types or NAL_SPS in types)
