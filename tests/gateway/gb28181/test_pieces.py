"""The digest answer, RTP packets and the PS pack, each checked against facts written out from the RFCs and
ISO/IEC 13818-1 (fixed inputs, expected values worked out independently of the device's code)."""

from __future__ import annotations

import hashlib
import struct

from aiosipua import SipResponse

from gateway.site.gb28181.digest import authorization
from gateway.site.gb28181.ps_mux import PsMuxer
from gateway.site.gb28181.rtp import RtpPacketizer, rfc4571_frame
from tests.gateway.gb28181.platform import digest_params


def _challenge(header: str) -> SipResponse:
    answer = SipResponse(status_code=401, reason_phrase="Unauthorized")
    answer.headers.append("WWW-Authenticate", header)
    return answer


def test_digest_without_qop_is_rfc2617_md5_of_ha1_nonce_ha2() -> None:
    # RFC 2617 §3.2.2.1 without qop: response = MD5(MD5(user:realm:password):nonce:MD5(method:uri)). With
    # user 34020000001320000001, realm 3402000000, password 12345678, nonce 0123456789abcdef,
    # REGISTER sip:34020000002000000001@3402000000 the response is f5b64b8293ffd8f5fbc7f54849c0a4ca:
    ha1 = hashlib.md5(b"34020000001320000001:3402000000:12345678").hexdigest()
    ha2 = hashlib.md5(b"REGISTER:sip:34020000002000000001@3402000000").hexdigest()
    expected = hashlib.md5(f"{ha1}:0123456789abcdef:{ha2}".encode()).hexdigest()
    assert expected == "f5b64b8293ffd8f5fbc7f54849c0a4ca"
    header = authorization(
        _challenge('Digest realm="3402000000", nonce="0123456789abcdef", algorithm=MD5'),
        "34020000001320000001",
        "12345678",
        "REGISTER",
        "sip:34020000002000000001@3402000000",
    )
    p = digest_params(header.removeprefix("Digest "))
    assert p["response"] == expected
    assert p["username"] == "34020000001320000001" and "qop" not in p


def test_digest_with_qop_matches_the_rfc2617_worked_example() -> None:
    """RFC 2617 §3.5: Mufasa / "Circle Of Life" on testrealm@host.com, GET /dir/index.html, nonce
    dcd98b7102dd2f0e8b11d0f600bfb0c093, nc 00000001, cnonce 0a4f113b: 6629fae49393a05397450978507c4ef1."""
    header = authorization(
        _challenge(
            'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"'
        ),
        "Mufasa",
        "Circle Of Life",
        "GET",
        "/dir/index.html",
    )
    p = digest_params(header.removeprefix("Digest "))
    assert p["qop"] == "auth" and p["nc"] == "00000001"
    # the cnonce is the device's own: recompute RFC 2617's formula with it, and check the RFC's own once
    ha1 = hashlib.md5(b"Mufasa:testrealm@host.com:Circle Of Life").hexdigest()
    ha2 = hashlib.md5(b"GET:/dir/index.html").hexdigest()
    rfc = hashlib.md5(
        f"{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:{ha2}".encode()
    ).hexdigest()
    assert rfc == "6629fae49393a05397450978507c4ef1"
    ours = f"{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:{p['cnonce']}:auth:{ha2}"
    assert p["response"] == hashlib.md5(ours.encode()).hexdigest()


def test_rtp_packets_stay_within_1400_bytes_and_mark_the_picture_end() -> None:
    rtp = RtpPacketizer(ssrc=100000001)
    packets = rtp.packets(bytes(5000), timestamp=3600)
    assert [len(p) for p in packets] == [1400, 1400, 1400, 12 + 5000 - 3 * 1388]
    heads = [struct.unpack("!BBHII", p[:12]) for p in packets]
    assert all(
        h[0] == 0x80 and h[3] == 3600 and h[4] == 100000001 for h in heads
    )  # V=2, the 90 kHz time, SSRC
    assert [h[1] for h in heads] == [96, 96, 96, 0x80 | 96]  # PT 96, marker on the last only
    assert [(h[2] - heads[0][2]) & 0xFFFF for h in heads] == [0, 1, 2, 3]
    assert rfc4571_frame(packets[0])[:2] == b"\x05\x78"  # 1400 as 16 bits, big-endian


def test_a_keyframe_pack_carries_the_system_header_and_a_map_naming_h264() -> None:
    pack = PsMuxer(1_000_000).pack(b"\x00\x00\x00\x01\x09\xf0", pts=90000, keyframe=True)
    assert pack[:4] == b"\x00\x00\x01\xba"
    # SCR 90000 in the pack header: '01', bits 32..30, marker, 29..15, marker, 14..0, marker (ISO/IEC 13818-1 §2.5.3.3)
    bits = int.from_bytes(pack[4:10], "big")
    scr = ((bits >> 43) & 0x7) << 30 | ((bits >> 27) & 0x7FFF) << 15 | ((bits >> 11) & 0x7FFF)
    assert scr == 90000
    psm = pack.index(b"\x00\x00\x01\xbc")
    assert pack.index(b"\x00\x00\x01\xbb") < psm < pack.index(b"\x00\x00\x01\xe0")
    assert pack[psm + 12 : psm + 14] == b"\x1b\xe0"  # stream type 0x1B (H.264) on stream 0xE0
    assert b"\x00\x00\x01\xbb" not in PsMuxer(1_000_000).pack(
        b"\x00\x00\x00\x01\x09\xf0", 93600, keyframe=False
    )
