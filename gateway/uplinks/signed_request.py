"""One signed request from a periodic sender to the regulator, made the same way for all of them.

The readings summaries, the feedback poll, patrol pictures and self-checks each sign a request, send it
and sort the answer into "taken", "try again" and "refused for good". Doing that in one place keeps two
things true for every one of them:

- the signature's timestamp is the regulator's clock as its answers told it (server_clock.py), so a box
  whose clock is off after a power cut still gets its requests through;
- a 401 for a request signed more than ``TRUST_S`` off the regulator's clock is a transient failure, tried
  again with the corrected time, not a wrong secret.
"""

from __future__ import annotations

import httpx

from contract.config.uplinks import RegulatorUplink
from contract.wire import signed_headers
from gateway.uplinks.base import RETRYABLE_4XX
from gateway.uplinks.periodic import UplinkRetry, regulator_said, unsigned
from gateway.uplinks.server_clock import TRUST_S, clock_of


async def signed_request(
    client: httpx.AsyncClient,
    cfg: RegulatorUplink,
    project: str,
    url: httpx.URL,
    body: bytes,
    what: str,
    method: str = "POST",
    content_type: str | None = None,
) -> httpx.Response:
    """Sign ``body`` for ``url`` with the regulator's clock and send it; the answer when the regulator took
    it or refused it for good (a 4xx other than 401, 408 and 429), for the caller to judge.

    Raises UplinkRetry when trying again may help: no answer, 408, 429, 5xx, or a 401 for a timestamp off
    the regulator's clock (``refused=False``), and for a 401 otherwise (``refused=True``: the secret is
    wrong, the log says how to fix it). ``what`` names the request in those messages ("patrol picture");
    ``content_type``, when given, is sent as the body's Content-Type (a clip's ``video/webm``)."""
    clock = clock_of(cfg.base_url)
    signed_ms = clock.now_ms()
    headers = signed_headers(
        project, cfg.secret, url.raw_path.decode(), body, now_ms=signed_ms, method=method
    )
    if content_type:
        headers["Content-Type"] = content_type
    try:
        r = await client.request(method, url, content=body or None, headers=headers)
    except httpx.HTTPError as exc:
        raise UplinkRetry.unreachable(cfg, f" for the {what}", exc) from exc
    off_s = clock.observe(r, signed_ms)
    if r.is_success:
        return r
    said = regulator_said(r)
    if r.status_code == 401:
        if abs(off_s) > TRUST_S:
            raise UplinkRetry(
                f"uplink {cfg.name!r}: the regulator refused the {what} signed {abs(off_s):.0f} s off its clock "
                f"(HTTP 401: {said}); trying again with its time",
                refused=False,
            )
        raise unsigned(cfg, project, what, said)
    if r.status_code >= 500 or r.status_code in RETRYABLE_4XX:
        raise UplinkRetry(
            f"uplink {cfg.name!r}: the regulator answered the {what} with HTTP {r.status_code}: {said}; retrying",
            refused=False,
        )
    return r
