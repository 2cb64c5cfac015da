"""Request signatures of every platform sitegw talks to, in one place.

The default protocol's signature is part of the contract (contract.wire.default_signature), shared with
the regulator; this module holds the other platforms' signatures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from collections.abc import Mapping


def name_value_md5(secret: str, params: Mapping[str, str]) -> str:
    """Upper-case hex MD5 of secret + each parameter's name then value, sorted by name, + secret.

    The signature of the Guangdong/Shenzhen CWRService and the Shenzhen 工务署 device API (docs/standards.md
    §4); the JSON body is one of the parameters, named ``body``."""
    pairs = "".join(f"{name}{params[name]}" for name in sorted(params))
    return hashlib.md5(f"{secret}{pairs}{secret}".encode()).hexdigest().upper()


def dingtalk_signature(secret: str, timestamp_ms: str) -> str:
    """URL-encoded base64 HMAC-SHA256 of ``timestamp\\nsecret`` keyed by the secret (DingTalk 加签)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())
