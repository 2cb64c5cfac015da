"""The device's answer to the platform's digest challenge (RFC 2617 / RFC 3261 §22.4): MD5, qop=auth if offered.

aiosipua computes the response hash (HA1 = MD5(user:realm:password), HA2 = MD5(method:uri), then
MD5(HA1:nonce[:nc:cnonce:qop]:HA2)); the username is the device's 20-digit ID.
"""

from __future__ import annotations

from aiosipua import SipDigestAuth, SipResponse, build_credentials, parse_auth, stringify_auth


class ChallengeError(ValueError):
    """The platform's challenge cannot be answered (another scheme or algorithm, no nonce)."""


def authorization(
    challenge_response: SipResponse, username: str, password: str, method: str, uri: str
) -> str:
    """The Authorization header value answering the WWW-Authenticate of a 401."""
    header = challenge_response.headers.get_first("WWW-Authenticate")
    if not header:
        raise ChallengeError("the platform answered 401 without a WWW-Authenticate challenge")
    challenge = parse_auth(header)
    credentials = build_credentials(SipDigestAuth(username, password), challenge, method, uri)
    if credentials is None:
        raise ChallengeError(
            f"the platform's challenge {header!r} is not one this device answers "
            "(Digest with MD5 or SHA-256, qop auth or none)"
        )
    return stringify_auth(credentials)
