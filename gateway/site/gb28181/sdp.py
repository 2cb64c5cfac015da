"""The SDP of a GB/T 28181 live-view INVITE (§9.2, Annex F) and the device's answer.

The platform offers where it wants the media (c=, m=), RTP/AVP for UDP or TCP/RTP/AVP for TCP with
``a=setup:active`` (the platform connects to the device) or ``a=setup:passive`` (the device connects to
the platform, RFC 4145), and the SSRC in the ``y=`` line (10 decimal digits, the first 0 for live view).
"""

from __future__ import annotations

from dataclasses import dataclass


class SdpError(ValueError):
    """An offer this device cannot answer."""


@dataclass(frozen=True, slots=True)
class Offer:
    """What the platform asks for."""

    session: str
    host: str
    port: int
    tcp: bool
    setup: str  # for TCP: the platform's role, "active" or "passive"; "" for UDP
    ssrc: int
    ssrc_text: str


def parse_offer(text: str) -> Offer:
    """The offer in an INVITE body."""
    lines = [ln.strip() for ln in text.splitlines() if "=" in ln]
    fields: dict[str, list[str]] = {}
    for ln in lines:
        key, _, value = ln.partition("=")
        fields.setdefault(key, []).append(value)
    session = (fields.get("s") or ["Play"])[0]
    if session != "Play":
        raise SdpError(f"s={session}: only live view (s=Play) is offered, no playback or download")
    conn = (fields.get("c") or [""])[0].split()
    media = next((m.split() for m in fields.get("m", []) if m.startswith("video")), None)
    if len(conn) < 3 or media is None or len(media) < 3:
        raise SdpError("the offer lacks the c= address or the m=video line")
    proto = media[2].upper()
    if proto not in ("RTP/AVP", "TCP/RTP/AVP"):
        raise SdpError(f"m=video transport {media[2]} is not RTP/AVP or TCP/RTP/AVP")
    attrs = dict(a.partition(":")[::2] for a in fields.get("a", []))
    tcp = proto == "TCP/RTP/AVP"
    setup = attrs.get("setup", "").strip().lower() if tcp else ""
    if tcp and setup not in ("active", "passive"):
        raise SdpError(f"a TCP offer needs a=setup:active or a=setup:passive, not {setup or 'none'!r}")
    y = (fields.get("y") or ["0"])[0].strip()
    if not y.isdigit() or int(y) > 0xFFFFFFFF:
        raise SdpError(f"y={y} is not an SSRC (decimal digits, at most 4294967295)")
    try:
        port = int(media[1])
    except ValueError as exc:
        raise SdpError(f"m=video port {media[1]!r} is not a number") from exc
    return Offer(session, conn[2], port, tcp, setup, int(y), y)


def answer(offer: Offer, channel_id: str, host: str, port: int) -> str:
    """The device's SDP: sending PS on payload type 96 from ``host:port`` with the platform's SSRC."""
    lines = [
        "v=0",
        f"o={channel_id} 0 0 IN IP4 {host}",
        "s=Play",
        f"c=IN IP4 {host}",
        "t=0 0",
        f"m=video {port} {'TCP/RTP/AVP' if offer.tcp else 'RTP/AVP'} 96",
        "a=sendonly",
        "a=rtpmap:96 PS/90000",
    ]
    if offer.tcp:
        lines += [f"a=setup:{'passive' if offer.setup == 'active' else 'active'}", "a=connection:new"]
    lines.append(f"y={offer.ssrc_text}")
    return "\r\n".join(lines) + "\r\n"
