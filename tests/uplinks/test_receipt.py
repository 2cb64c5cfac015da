"""Issue #19, "answering 200 without storing (a broken proxy)": only the regulator's receipt for the very
event counts as delivered. The servers here are stand-ins for what sits between a site and its regulator
(a proxy that answers 200 itself, a captive portal's HTML page, a confused server echoing another
event's receipt); the receipt itself is the real receiver's, pinned in test_http_uplinks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contract.config.uplinks import RegulatorUplink
from gateway.uplinks import TransientFailure, build_adapter
from tests.regulator.support import SECRET, make_event
from tests.uplinks.platform import PlatformServer, Request

Factory = Callable[[Callable[[Request], tuple[int, object]]], PlatformServer]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (lambda event_id: {}, "without the regulator's receipt"),
        (lambda event_id: "<html>欢迎使用中国移动</html>", "without the regulator's receipt"),
        (lambda event_id: {"event_id": "someone-else", "status": "stored"}, "names event someone-else"),
        (lambda event_id: {"event_id": event_id, "status": "queued"}, "without the regulator's receipt"),
    ],
    ids=["empty", "portal-page", "another-event", "not-stored"],
)
async def test_a_200_without_the_receipt_is_not_delivered(
    platform: Factory, answer: Callable[[str], object], reason: str
) -> None:
    event = make_event()
    server = platform(lambda req: (200, answer(event.event_id)))
    adapter = build_adapter(RegulatorUplink(base_url=server.url(""), secret=SECRET))
    with pytest.raises(TransientFailure, match=reason):
        await adapter.send(event)
    await adapter.close()


async def test_the_receipt_for_the_event_is_delivered(platform: Factory) -> None:
    event = make_event()
    for status in ("stored", "duplicate"):

        def receipt(req: Request, s: str = status) -> tuple[int, object]:
            return 200, {"event_id": event.event_id, "status": s}

        server = platform(receipt)
        adapter = build_adapter(RegulatorUplink(base_url=server.url(""), secret=SECRET))
        await adapter.send(event)  # no failure raised: the outbox marks it delivered
        await adapter.close()
