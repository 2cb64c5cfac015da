"""Security headers on every answer of an HTTP service (the regulator, the gateway's dashboard and API).

Issue 56 found neither service sending any: a page could be framed by another site (clickjacking), a
browser could sniff an uploaded picture as HTML, and nothing limited where a page's scripts come from.
`SecurityHeaders` adds, unless the route set its own:

- ``Content-Security-Policy``: the service's policy (``content_security_policy`` builds one): everything
  from the service's own origin, no plug-ins, no framing (``frame-ancestors 'none'``), forms and
  ``<base>`` only to the origin;
- ``X-Frame-Options: DENY`` for browsers older than ``frame-ancestors``;
- ``X-Content-Type-Options: nosniff``;
- ``Referrer-Policy: same-origin``: a page's address (a hazard's id, a search) never goes to another site.

It is a pure ASGI middleware (no request or response object is built): the regulator's ingest answers
thousands of requests a second through it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy() -> str:
    """A policy that lets a page load only from its own origin: scripts only the service's own files (an
    injected ``<script>`` or ``on...=`` handler is not run; both services' pages keep their scripts in files).
    Styles may be inline (``style=`` attributes carry no script); pictures may be ``data:`` or
    ``blob:`` URLs (a photo previewed before it is sent, a QR code)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """ASGI middleware: the security headers above on every HTTP answer, ``csp`` its policy."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
