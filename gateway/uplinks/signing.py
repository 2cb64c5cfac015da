"""Request signatures of every platform sitegw talks to, in one place.

The default protocol's signature is shared with the receiver (regulator/), so both sides compute it
with the same function and cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

EVENTS_PATH = "/api/v1/events"
"""Path of the default protocol's endpoint (relative to the regulator's base URL)."""


def default_signature(secret: str, method: str, path: str, timestamp_ms: str, nonce: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 over ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256HEX(BODY)`` (DESIGN.md)."""
    message = "\n".join([method.upper(), path, timestamp_ms, nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def shenzhen_signature(secret: str, params: dict[str, str], body: str) -> str:
    """Upper-case hex MD5 over secret + sorted ``key value`` pairs (no separators) + body + secret."""
    pairs = "".join(f"{k}{params[k]}" for k in sorted(params))
    return hashlib.md5(f"{secret}{pairs}{body}{secret}".encode()).hexdigest().upper()


def dingtalk_signature(secret: str, timestamp_ms: str) -> str:
    """URL-encoded base64 HMAC-SHA256 of ``timestamp\\nsecret`` keyed by the secret (DingTalk 加签)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())
