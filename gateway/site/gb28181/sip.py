"""SIP requests and responses (RFC 3261) as the device sends them, on aiosipua's message parser.

aiosipua parses and writes the messages (headers, Content-Length, compact forms); this module only
fills in what RFC 3261 §8.1.1 and §8.2.6 ask of a new request and of a response to one.
"""

from __future__ import annotations

import secrets

from aiosipua import SipMessage, SipRequest, SipResponse, parse_address

from contract import __version__

USER_AGENT = f"sitegw/{__version__}"
MANSCDP = "Application/MANSCDP+xml"
REASONS = {
    100: "Trying",
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    481: "Call/Transaction Does Not Exist",
    488: "Not Acceptable Here",
    500: "Server Internal Error",
}


def new_tag() -> str:
    """A From/To tag (RFC 3261 §19.3: at least 32 bits of randomness)."""
    return secrets.token_hex(4)


def new_branch() -> str:
    """A Via branch with RFC 3261's magic cookie, so the platform knows it is unique."""
    return "z9hG4bK" + secrets.token_hex(8)


def new_call_id(host: str) -> str:
    """A Call-ID unique in space and time (RFC 3261 §8.1.1.4)."""
    return f"{secrets.token_hex(8)}@{host}"


def request(
    method: str,
    uri: str,
    *,
    via: str,
    from_: str,
    to: str,
    call_id: str,
    cseq: int,
    contact: str | None = None,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    content_type: str | None = None,
) -> SipRequest:
    """A request with the headers every request carries (``via`` is ``TRANSPORT host:port``)."""
    msg = SipRequest(method=method, uri=uri)
    msg.headers.append("Via", f"SIP/2.0/{via};rport;branch={new_branch()}")
    msg.headers.append("From", from_)
    msg.headers.append("To", to)
    msg.headers.append("Call-ID", call_id)
    msg.headers.append("CSeq", f"{cseq} {method}")
    msg.headers.append("Max-Forwards", "70")
    if contact is not None:
        msg.headers.append("Contact", contact)
    msg.headers.append("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        msg.headers.append(name, value)
    if content_type is not None:
        msg.headers.append("Content-Type", content_type)
    msg.body = body
    return msg


def response(
    req: SipRequest,
    status: int,
    *,
    to_tag: str | None = None,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    content_type: str | None = None,
) -> SipResponse:
    """The response to ``req``: its Vias, From, To (with our tag when it has none), Call-ID and CSeq."""
    msg = SipResponse(
        status_code=status, reason_phrase=REASONS.get(status, "OK" if status < 300 else "Error")
    )
    for via in req.headers.get("Via"):
        msg.headers.append("Via", via)
    for name in ("From", "To", "Call-ID", "CSeq"):
        value = req.headers.get_first(name) or ""
        if name == "To" and to_tag and ";tag=" not in value:
            value = f"{value};tag={to_tag}"
        msg.headers.append(name, value)
    msg.headers.append("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        msg.headers.append(name, value)
    if content_type is not None:
        msg.headers.append("Content-Type", content_type)
    msg.body = body
    return msg


def branch(msg: SipMessage) -> str:
    """The top Via's branch: what ties a response to its request (RFC 3261 §17.1.3)."""
    vias = msg.via
    return (vias[0].branch or "") if vias else ""


def user_of(uri_or_address: str) -> str:
    """The user part of a SIP URI or address (a GB/T 28181 ID), '' when it has none."""
    text = uri_or_address if "<" in uri_or_address else f"<{uri_or_address}>"
    return parse_address(text).uri.user or ""
