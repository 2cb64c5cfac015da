"""What the two MD5-signed Shenzhen dialects share (CWRService, 工务署 device API): site time as they write it,
the signed query string, and their reply (docs/standards.md §4).

The query carries the parameters and ``signature`` = `name_value_md5` over the same parameters plus the JSON
body as ``body``; the body itself goes as the request's JSON. The reply is ``{"result": true|false,
"detail_message": ...}``: ``true`` took the record, ``false`` refused it (a permanent failure: the same bytes
would be refused again; the outbox dead-letters it with the platform's message). A 2xx without that shape is
no confirmation (a proxy's page, say), so it is retried. Neither dialect has a message for an alarm's
update: each sends an ``updated`` event as another record of its own (gateway/uplinks/cwrservice.py,
gateway/uplinks/szgws.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from gateway.uplinks.base import BEIJING, PermanentFailure, TransientFailure, post
from gateway.uplinks.signing import name_value_md5


def site_time(ts: float) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in China Standard Time (the sites' time), as these platforms read it."""
    return datetime.fromtimestamp(ts, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def signed_query(secret: str, params: Mapping[str, str], body: str) -> dict[str, str]:
    """``params`` plus their ``signature`` (the body signed among them as ``body``, not sent in the query)."""
    return {**params, "signature": name_value_md5(secret, {**params, "body": body})}


def reply_field(response: httpx.Response, key: str) -> tuple[object, dict[str, Any]]:
    """The platform's JSON reply's ``key`` and the reply; TransientFailure when the answer is no such reply (a
    proxy's page, say: it confirms nothing, so the record is sent again)."""
    try:
        answer = response.json()
        return answer[key], answer
    except (ValueError, KeyError, TypeError):
        raise TransientFailure(
            f"HTTP {response.status_code}: not a platform reply (no {key}): {response.text[:500]}"
        ) from None


def check_result(response: httpx.Response) -> None:
    """Raise unless the platform answered ``result: true``."""
    result, answer = reply_field(response, "result")
    if result is True or str(result).lower() == "true":
        return
    said = answer.get("detail_message", "")
    raise PermanentFailure(f"result false: {said or response.text[:2000]}")


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    query: Mapping[str, str],
    body: str,
    check: Callable[[httpx.Response], None] = check_result,
) -> None:
    """POST ``body`` (JSON text) to ``url`` with the signed ``query``; returns once ``check`` took the reply."""
    response = await post(
        client,
        url,
        params=dict(query),
        content=body.encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    check(response)


async def post_signed(
    client: httpx.AsyncClient, url: str, secret: str, params: Mapping[str, str], body: str
) -> None:
    """POST ``body`` to ``url`` with the signed query; returns once the platform said ``result: true``."""
    await post_json(client, url, signed_query(secret, params, body), body)


def compact(record: object) -> str:
    """The JSON text sent and signed: UTF-8 characters as they are, no spaces."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
