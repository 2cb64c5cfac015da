"""The site as one GB/T 28181-2016 device: registration, keepalive, queries and live views (§9.1, §9.2, §9.5, §9.6).

Registration (§9.1.2): REGISTER, the platform's 401 digest challenge, REGISTER with Authorization; renewed
halfway through the granted expiry; REGISTER with Expires: 0 when the gateway stops. Keepalive (§9.6): a
MANSCDP Keepalive MESSAGE every ``keepalive_s`` (60); ``keepalive_misses`` (3) unanswered in a row, or a
platform that refuses one, mean the platform lost the device: it registers again at once, and while the
platform does not answer, again after ``retry_min_s`` doubled after each failure up to ``retry_max_s``.
Queries (§9.5): Catalog, DeviceInfo and DeviceStatus are answered 200 OK, then by a MESSAGE Response.
Live view (§9.2.2): INVITE with the platform's SDP, 200 OK with the device's, ACK starts the stream
(``media.py``), BYE from either side ends it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiosipua import SipMessage, SipRequest, SipResponse, parse_address, stringify_uri

from contract import __version__
from contract.config.camera import CameraConfig
from contract.config.gb28181 import Gb28181Channel, Gb28181Config
from gateway.site.gb28181 import manscdp, sdp, sip
from gateway.site.gb28181.digest import ChallengeError, authorization
from gateway.site.gb28181.media import MediaSession, require_ffmpeg
from gateway.site.gb28181.transport import SipTransport, local_address_towards

log = logging.getLogger(__name__)
T1, T2 = 0.5, 4.0  # RFC 3261 §17.1.1.1: UDP retransmission starts at T1, doubling up to T2
CATALOG_CHUNK = 4  # channels per Catalog MESSAGE: each answer stays one datagram under a 1500-byte MTU
ACK_WAIT_S = 32.0  # RFC 3261 Timer H (64*T1): an INVITE answered but never ACKed is dropped
_ANSWERED = 64  # responses kept for retransmitted requests (UDP)


@dataclass
class _Dialog:
    """A live view: the INVITE, the To header the device answered with (its tag), and the stream."""

    invite: SipRequest
    local_to: str
    session: MediaSession
    acked: bool = False


@dataclass
class DeviceState:
    """What the gateway's health shows of the device."""

    registered: bool = False
    registrations: int = 0
    keepalives_answered: int = 0
    streams: int = 0
    last_error: str = ""
    channels: list[str] = field(default_factory=list)


class Gb28181Device:
    """The gateway's cameras on one GB/T 28181 platform."""

    def __init__(
        self,
        cfg: Gb28181Config,
        cameras: Sequence[CameraConfig],
        online: Callable[[str], bool] = lambda _camera: True,
        *,
        answer_timeout_s: float = 4.0,
    ) -> None:
        by_name = {c.name: c for c in cameras}
        self.cfg = cfg
        self._channels: dict[str, tuple[Gb28181Channel, CameraConfig]] = {
            ch.channel_id: (ch, by_name[ch.camera]) for ch in cfg.channels
        }
        self._online = online
        self._answer_timeout = answer_timeout_s
        self.state = DeviceState(channels=list(self._channels))
        self._transport = SipTransport(
            cfg.transport, (cfg.server_host, cfg.server_port), cfg.local_port, self._on_sip
        )
        self._pending: dict[str, asyncio.Future[SipResponse]] = {}
        self._answered: OrderedDict[tuple[str, str], SipResponse] = OrderedDict()
        self._dialogs: dict[str, _Dialog] = {}
        self._tasks: set[asyncio.Task[object]] = set()
        self._run_task: asyncio.Task[None] | None = None
        self._cseq = 0
        self._sn = 0
        self._expires = cfg.expires_s
        self._reg_tag = sip.new_tag()
        self._reg_call_id = ""
        self._host = cfg.local_host

    # -- addresses ----------------------------------------------------------------------------------

    @property
    def _platform_uri(self) -> str:
        return f"sip:{self.cfg.server_id}@{self.cfg.sip_domain}"

    @property
    def _device_addr(self) -> str:
        return f"<sip:{self.cfg.device_id}@{self.cfg.sip_domain}>"

    @property
    def _contact(self) -> str:
        return f"<sip:{self.cfg.device_id}@{self._host}:{self._transport.local_port}>"

    @property
    def _via(self) -> str:
        return f"{self.cfg.transport.upper()} {self._host}:{self._transport.local_port}"

    def _next_cseq(self) -> int:
        self._cseq += 1
        return self._cseq

    # -- life -----------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Check ffmpeg, open the SIP port and start registering (in the background)."""
        require_ffmpeg()
        if not self._host:
            self._host = local_address_towards(self.cfg.server_host, self.cfg.server_port)
        self._reg_call_id = sip.new_call_id(self._host)
        if self.cfg.transport == "udp":
            await self._transport.open()
        # on TCP the connection is opened by the first REGISTER, so a platform down at start is retried
        self._run_task = asyncio.create_task(self._run(), name="gb28181-registration")
        log.info(
            "gb28181: device %s with %d channel(s), registering with %s at %s:%d over %s",
            self.cfg.device_id,
            len(self._channels),
            self.cfg.server_id,
            self.cfg.server_host,
            self.cfg.server_port,
            self.cfg.transport.upper(),
        )

    async def stop(self) -> None:
        """End the streams (BYE to the platform), unregister (Expires: 0) and close the SIP port."""
        if self._run_task is not None:
            self._run_task.cancel()
            await asyncio.gather(self._run_task, return_exceptions=True)
            self._run_task = None
        for call_id in list(self._dialogs):
            await self._end_dialog(call_id, send_bye=True)
        if self.state.registered:
            await self._register(0, timeout=min(2.0, self._answer_timeout))
        if self._tasks:  # answers under way finish (a BYE's stream stopping), then the rest is cancelled
            await asyncio.wait(list(self._tasks), timeout=5.0)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._transport.close()

    async def _run(self) -> None:
        backoff = self.cfg.retry_min_s
        while True:
            if await self._register(self.cfg.expires_s):
                backoff = self.cfg.retry_min_s
                await self._stay_registered()
                continue  # lost: register again at once, then back off while the platform stays away
            log.info("gb28181: registering again in %.1f s", backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.cfg.retry_max_s)

    async def _stay_registered(self) -> None:
        """Keepalives and renewals until the platform is lost."""
        loop = asyncio.get_running_loop()
        renew_at = loop.time() + self._expires / 2
        next_keepalive = loop.time()
        misses = 0
        while True:
            if loop.time() >= renew_at:
                if not await self._register(self.cfg.expires_s):
                    self.state.registered = False
                    return
                renew_at = loop.time() + self._expires / 2
            if loop.time() >= next_keepalive:
                next_keepalive = loop.time() + self.cfg.keepalive_s
                answer = await self._keepalive()
                if answer is not None and answer.status_code < 300:
                    misses = 0
                    self.state.keepalives_answered += 1
                elif answer is not None:
                    log.warning(
                        "gb28181: the platform refused a keepalive (%d %s): it no longer knows the device, "
                        "registering again",
                        answer.status_code,
                        answer.reason_phrase,
                    )
                    self.state.registered = False
                    return
                else:
                    misses += 1
                    if misses >= self.cfg.keepalive_misses:
                        log.warning(
                            "gb28181: %d keepalives in a row unanswered: platform %s:%d lost, registering again",
                            misses,
                            self.cfg.server_host,
                            self.cfg.server_port,
                        )
                        self.state.registered = False
                        self.state.last_error = f"{misses} keepalives unanswered"
                        return
            await asyncio.sleep(max(0.0, min(renew_at, next_keepalive) - loop.time()))

    # -- registration ---------------------------------------------------------------------------------

    def _register_request(self, expires: int, auth: str | None) -> SipRequest:
        headers = {"Expires": str(expires)}
        if auth is not None:
            headers["Authorization"] = auth
        return sip.request(
            "REGISTER",
            self._platform_uri,
            via=self._via,
            from_=f"{self._device_addr};tag={self._reg_tag}",
            to=self._device_addr,
            call_id=self._reg_call_id,
            cseq=self._next_cseq(),
            contact=self._contact,
            headers=headers,
        )

    async def _register(self, expires: int, timeout: float | None = None) -> bool:
        """One registration (``expires`` 0: unregister), answering the digest challenge; True when granted."""
        wait = timeout or self._answer_timeout
        where = f"platform {self.cfg.server_id} at {self.cfg.server_host}:{self.cfg.server_port}"
        answer = await self._request(self._register_request(expires, None), wait)
        if answer is not None and answer.status_code == 401:
            try:
                auth = authorization(
                    answer, self.cfg.device_id, self.cfg.password, "REGISTER", self._platform_uri
                )
            except ChallengeError as exc:
                return self._failed(f"gb28181: {where}: {exc}", error=True)
            answer = await self._request(self._register_request(expires, auth), wait)
            if answer is not None and answer.status_code in (401, 403):
                return self._failed(
                    f"gb28181: {where} refused device {self.cfg.device_id}'s password: its digest answer was "
                    f"rejected ({answer.status_code} {answer.reason_phrase}). Check gb28181.password and "
                    "gb28181.device_id against the device's entry on the platform",
                    error=True,
                )
        if answer is None:
            return self._failed(f"gb28181: no answer to REGISTER from {where}")
        if answer.status_code != 200:
            return self._failed(
                f"gb28181: {where} refused the registration: {answer.status_code} {answer.reason_phrase}",
                error=True,
            )
        if expires == 0:
            log.info("gb28181: unregistered from %s", where)
            self.state.registered = False
            return True
        self._expires = _granted_expiry(answer, expires)
        self.state.registered = True
        self.state.registrations += 1
        self.state.last_error = ""
        log.info("gb28181: registered with %s for %d s", where, self._expires)
        return True

    def _failed(self, message: str, *, error: bool = False) -> bool:
        (log.error if error else log.warning)("%s", message)
        self.state.last_error = message
        return False

    async def _keepalive(self) -> SipResponse | None:
        self._sn += 1
        return await self._request(
            self._message(manscdp.keepalive(self._sn, self.cfg.device_id)),
            min(self._answer_timeout, self.cfg.keepalive_s),
        )

    def _message(self, body: bytes) -> SipRequest:
        """A MANSCDP MESSAGE from the device to the platform."""
        return sip.request(
            "MESSAGE",
            self._platform_uri,
            via=self._via,
            from_=f"{self._device_addr};tag={sip.new_tag()}",
            to=f"<{self._platform_uri}>",
            call_id=sip.new_call_id(self._host),
            cseq=self._next_cseq(),
            body=body,
            content_type=sip.MANSCDP,
        )

    # -- transactions ---------------------------------------------------------------------------------

    async def _request(self, msg: SipRequest, timeout: float) -> SipResponse | None:
        """Send a request and wait for its final response (None: none came in ``timeout``); over UDP the
        request is sent again at T1, 2*T1, ... up to T2 apart, as RFC 3261 §17.1 retransmits."""
        loop = asyncio.get_running_loop()
        key = sip.branch(msg)
        future: asyncio.Future[SipResponse] = loop.create_future()
        self._pending[key] = future
        deadline = loop.time() + timeout
        interval = T1
        try:
            while True:
                try:
                    await self._transport.send(msg)
                except (OSError, TimeoutError) as exc:
                    log.debug("gb28181: %s not sent: %s", msg.method, exc)
                    return None
                wait = deadline - loop.time()
                if self.cfg.transport == "udp":
                    wait = min(wait, interval)
                    interval = min(interval * 2, T2)
                if wait <= 0:
                    return None
                # asyncio.wait, not wait_for: Python 3.11's wait_for loses a cancellation that meets the answer
                done, _ = await asyncio.wait({future}, timeout=wait)
                if done:
                    return future.result()
                if loop.time() >= deadline:
                    return None
        finally:
            self._pending.pop(key, None)

    def _on_sip(self, msg: SipMessage) -> None:
        if isinstance(msg, SipResponse):
            future = self._pending.get(sip.branch(msg))
            if future is not None and not future.done() and msg.status_code >= 200:
                future.set_result(msg)
            return
        assert isinstance(msg, SipRequest)
        cached = self._answered.get((sip.branch(msg), msg.method))
        if cached is not None:  # a retransmission: the same answer again
            self._spawn(self._transport.send(cached))
            return
        self._spawn(self._on_request(msg))

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reply(
        self,
        req: SipRequest,
        status: int,
        *,
        to_tag: str | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> SipResponse:
        answer = sip.response(
            req, status, to_tag=to_tag, headers=headers, body=body, content_type=content_type
        )
        if status >= 200:
            self._answered[(sip.branch(req), req.method)] = answer
            while len(self._answered) > _ANSWERED:
                self._answered.popitem(last=False)
        try:
            await self._transport.send(answer)
        except OSError as exc:
            log.warning("gb28181: could not answer %s: %s", req.method, exc)
        return answer

    async def _on_request(self, req: SipRequest) -> None:
        try:
            if req.method == "MESSAGE":
                await self._on_query(req)
            elif req.method == "INVITE":
                await self._on_invite(req)
            elif req.method == "ACK":
                self._on_ack(req)
            elif req.method == "BYE":
                known = (req.call_id or "") in self._dialogs
                await self._reply(req, 200 if known else 481)
                await self._end_dialog(req.call_id or "", send_bye=False)
            elif req.method in ("OPTIONS", "CANCEL"):
                await self._reply(req, 200)
            else:
                await self._reply(req, 405, headers={"Allow": "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE"})
        except Exception:
            log.exception("gb28181: handling the platform's %s failed", req.method)
            await self._reply(req, 500)

    # -- queries --------------------------------------------------------------------------------------

    async def _on_query(self, req: SipRequest) -> None:
        try:
            cmd = manscdp.parse(req.body)
        except manscdp.ManscdpError as exc:
            log.warning("gb28181: the platform sent a MESSAGE this device cannot read: %s", exc)
            await self._reply(req, 400, headers={"Warning": f'399 sitegw "{exc}"'})
            return
        if cmd.device_id not in (self.cfg.device_id, *self._channels):
            await self._reply(req, 404)
            return
        await self._reply(req, 200)
        if cmd.kind != "Query":
            log.info("gb28181: %s %s is not supported; answered 200 only", cmd.kind, cmd.cmd_type)
            return
        bodies = self._answers(cmd)
        if not bodies:
            log.info("gb28181: query %s is not supported; answered 200 only", cmd.cmd_type)
        for body in bodies:
            answer = await self._request(self._message(body), self._answer_timeout)
            if answer is None or answer.status_code >= 300:
                log.warning("gb28181: the platform did not take the %s answer", cmd.cmd_type)

    def _answers(self, cmd: manscdp.Command) -> list[bytes]:
        if cmd.cmd_type == "Catalog":
            items = [
                manscdp.CatalogItem(
                    channel_id,
                    ch.name or camera.name,
                    self.cfg.device_id,
                    self.cfg.device_id[:6],
                    self._online(camera.name),
                )
                for channel_id, (ch, camera) in self._channels.items()
            ]
            return [
                manscdp.catalog(cmd.sn, self.cfg.device_id, items[i : i + CATALOG_CHUNK], len(items))
                for i in range(0, len(items), CATALOG_CHUNK)
            ]
        if cmd.cmd_type == "DeviceInfo":
            return [
                manscdp.device_info(cmd.sn, cmd.device_id, self.cfg.name, __version__, len(self._channels))
            ]
        if cmd.cmd_type == "DeviceStatus":
            channel = self._channels.get(cmd.device_id)
            online = self._online(channel[1].name) if channel else True
            now = time.strftime("%Y-%m-%dT%H:%M:%S")
            return [manscdp.device_status(cmd.sn, cmd.device_id, online, now)]
        return []

    # -- live view ------------------------------------------------------------------------------------

    async def _on_invite(self, req: SipRequest) -> None:
        call_id = req.call_id or ""
        channel = self._channels.get(sip.user_of(req.uri))
        if channel is None:
            log.warning("gb28181: INVITE for %s, which is not a channel of this device", req.uri)
            await self._reply(req, 404)
            return
        await self._reply(req, 100)
        try:
            offer = sdp.parse_offer(req.body.decode("utf-8", errors="replace"))
        except sdp.SdpError as exc:
            log.warning("gb28181: INVITE for camera %s not accepted: %s", channel[1].name, exc)
            await self._reply(req, 488, headers={"Warning": f'399 sitegw "{exc}"'})
            return
        session = MediaSession(
            channel[1],
            offer,
            fps=self.cfg.media_fps,
            kbps=self.cfg.media_kbps,
            on_end=partial(self._end_dialog, call_id, send_bye=True),
        )
        port = await session.prepare()
        tag = sip.new_tag()
        ok = await self._reply(
            req,
            200,
            to_tag=tag,
            headers={"Contact": self._contact},
            body=sdp.answer(offer, channel[0].channel_id, self._host, port).encode(),
            content_type="APPLICATION/SDP",
        )
        self._dialogs[call_id] = _Dialog(req, ok.headers.get_first("To") or "", session)
        self.state.streams = len(self._dialogs)
        asyncio.get_running_loop().call_later(ACK_WAIT_S, self._drop_unacked, call_id)

    def _on_ack(self, req: SipRequest) -> None:
        dialog = self._dialogs.get(req.call_id or "")
        if dialog is not None and not dialog.acked:
            dialog.acked = True
            dialog.session.start()

    def _drop_unacked(self, call_id: str) -> None:
        dialog = self._dialogs.get(call_id)
        if dialog is not None and not dialog.acked:
            log.warning(
                "gb28181: the platform never acknowledged the stream of %s: dropped",
                dialog.session.camera.name,
            )
            self._spawn(self._end_dialog(call_id, send_bye=False))

    async def _end_dialog(self, call_id: str, *, send_bye: bool) -> None:
        """Forget a live view and free its ports; ``send_bye``: the device ends it (its source ended, or the
        gateway stops), so the platform is told."""
        dialog = self._dialogs.pop(call_id, None)
        self.state.streams = len(self._dialogs)
        if dialog is None:
            return
        if asyncio.current_task() is not dialog.session.running_task:
            await dialog.session.stop()
        log.info("gb28181: the stream of camera %s ended", dialog.session.camera.name)
        if send_bye:
            await self._request(self._bye(dialog), self._answer_timeout)

    def _bye(self, dialog: _Dialog) -> SipRequest:
        invite = dialog.invite
        contacts = invite.headers.get("Contact")  # the platform's own address for requests in the dialog
        return sip.request(
            "BYE",
            stringify_uri(parse_address(contacts[0]).uri) if contacts else self._platform_uri,
            via=self._via,
            from_=dialog.local_to,
            to=invite.headers.get_first("From") or "",
            call_id=invite.call_id or "",
            cseq=self._next_cseq(),
        )


def _granted_expiry(answer: SipResponse, asked: int) -> int:
    """The registration's lifetime as the platform granted it (Expires header), else as asked."""
    value = answer.headers.get_first("Expires")
    try:
        return int(value) if value else asked
    except ValueError:
        return asked
