"""Each HTTP uplink against a real server: the receiver itself for the default protocol, and stand-ins
for DingTalk and WeCom (which cannot be reached from here) that check the signature exactly as each
platform documents it (the regulator dialects have their own files: test_cwrservice.py, test_szgws.py,
test_chongqing.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable

import pytest

from contract.config.uplinks import DingTalkUplink, RegulatorUplink, WeComUplink
from gateway.uplinks import PermanentFailure, TransientFailure, build_adapter
from regulator.server import RegulatorServer
from tests.regulator.support import SECRET, make_event
from tests.support import free_port
from tests.uplinks.platform import PlatformServer, Request

Factory = Callable[[Callable[[Request], tuple[int, object]]], PlatformServer]


async def test_regulator_uplink_delivers_to_the_receiver(receiver: RegulatorServer) -> None:
    adapter = build_adapter(RegulatorUplink(base_url=receiver.base_url, secret=SECRET))
    event = make_event()
    await adapter.send(event)
    await adapter.send(event)  # a retry after a lost answer: still one stored
    assert [s.event for s in receiver.repo.events()] == [event]
    wrong = build_adapter(RegulatorUplink(base_url=receiver.base_url, secret="wrong"))
    with pytest.raises(PermanentFailure, match=r"401.*bad signature"):
        await wrong.send(make_event())
    await adapter.close()
    await wrong.close()


async def test_regulator_uplink_classifies_statuses(platform: Factory) -> None:
    status = {"code": 503}
    server = platform(lambda req: (status["code"], {"error": "busy"}))
    adapter = build_adapter(RegulatorUplink(base_url=server.url("/gw"), secret=SECRET))
    for code, failure in (
        (503, TransientFailure),
        (429, TransientFailure),
        (408, TransientFailure),
        (400, PermanentFailure),
        (404, PermanentFailure),
    ):
        status["code"] = code
        with pytest.raises(failure, match=f"HTTP {code}"):
            await adapter.send(make_event())
    assert server.requests[0].path == "/gw/api/v1/events"
    await adapter.close()
    closed = build_adapter(RegulatorUplink(base_url=f"http://127.0.0.1:{free_port()}", secret=SECRET))
    with pytest.raises(TransientFailure, match="ConnectError"):
        await closed.send(make_event())
    await closed.close()


def dingtalk_answer(secret: str, token: str) -> Callable[[Request], tuple[int, object]]:
    """DingTalk's check: access_token, timestamp within an hour, sign = base64(HMAC-SHA256(ts\\nsecret))."""

    def answer(req: Request) -> tuple[int, object]:
        if req.query.get("access_token") != token:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        ts = req.query.get("timestamp", "0")
        want = base64.b64encode(
            hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
        )
        if abs(int(ts) / 1000 - time.time()) > 3600 or req.query.get("sign") != want.decode():
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        body = req.json()
        assert isinstance(body, dict) and body["msgtype"] == "markdown"
        return 200, {"errcode": 0, "errmsg": "ok"}

    return answer


async def test_dingtalk_robot_signs_its_url(platform: Factory) -> None:
    server = platform(dingtalk_answer("SECabc+/=", "tok"))
    cfg = DingTalkUplink(
        name="dt",
        webhook=server.url("/robot/send?access_token=tok"),
        secret="SECabc+/=",
        at_mobiles=["13800000000"],
    )
    adapter = build_adapter(cfg)
    await adapter.send(make_event(level="critical"))
    body = server.requests[0].json()
    assert isinstance(body, dict)
    assert "危险" in body["markdown"]["title"] and "@13800000000" in body["markdown"]["text"]
    assert body["at"]["atMobiles"] == ["13800000000"]
    wrong = build_adapter(cfg.model_copy(update={"secret": "SECother"}))
    with pytest.raises(PermanentFailure, match="310000"):
        await wrong.send(make_event())
    await adapter.close()
    await wrong.close()


async def test_robot_rate_limit_is_retried_not_dropped(platform: Factory) -> None:
    server = platform(lambda req: (200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    adapter = build_adapter(WeComUplink(name="wc", webhook=server.url("/cgi-bin/webhook/send?key=k")))
    with pytest.raises(TransientFailure, match="45009"):
        await adapter.send(make_event())
    await adapter.close()


async def test_wecom_robot_posts_markdown(platform: Factory) -> None:
    def answer(req: Request) -> tuple[int, object]:
        if req.query.get("key") != "k-123":
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    server = platform(answer)
    adapter = build_adapter(WeComUplink(name="wc", webhook=server.url("/cgi-bin/webhook/send?key=k-123")))
    await adapter.send(make_event(message="1号塔吊 起重量 102.5%", state="resolved"))
    body = server.requests[0].json()
    assert isinstance(body, dict) and body["msgtype"] == "markdown"
    assert "1号塔吊 起重量 102.5%" in body["markdown"]["content"] and "已解除" in body["markdown"]["content"]
    bad = build_adapter(WeComUplink(name="wc", webhook=server.url("/cgi-bin/webhook/send?key=nope")))
    with pytest.raises(PermanentFailure, match="93000"):
        await bad.send(make_event())
    await adapter.close()
    await bad.close()
