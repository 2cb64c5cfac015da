"""Request signatures of every platform sitegw talks to, in one place.

The default protocol's signature is part of the contract (contract.wire.default_signature), shared with
the regulator; this module holds the other platforms' signatures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse


def shenzhen_signature(secret: str, params: dict[str, str], body: str) -> str:
    """Upper-case hex MD5 over secret + sorted ``key value`` pairs (no separators) + body + secret."""
    pairs = "".join(f"{k}{params[k]}" for k in sorted(params))
    return hashlib.md5(f"{secret}{pairs}{body}{secret}".encode()).hexdigest().upper()


def dingtalk_signature(secret: str, timestamp_ms: str) -> str:
    """URL-encoded base64 HMAC-SHA256 of ``timestamp\\nsecret`` keyed by the secret (DingTalk 加签)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())
