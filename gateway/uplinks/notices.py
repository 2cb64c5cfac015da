"""The regulator's supervision notices (挂牌督办: 整改通知书, 停工整改通知书) to this project, and the site's
answer to them.

The feedback poller (gateway/uplinks/feedback.py) hears the project's open notices on every poll (the
regulator's ``notices``: those of listings not yet closed) and puts them on the `NoticeBoard`, which keeps
the latest list per uplink in memory: the regulator is where they live, and the poll that follows a
restart brings them back. The dashboard's 督办通知 panel reads the board, opens a notice's PDF through the
gateway (``fetch_pdf``: a signed GET of the regulator's copy) and a supervisor answers a notice with a
photo and a note (``answer``: the signed rectification report, ``POST /api/v1/rectifications``, the
regulator's ``report`` step of its closed loop).
"""

from __future__ import annotations

import json
import threading

import httpx
from pydantic import BaseModel, ConfigDict, Field

from contract.config.uplinks import RegulatorUplink
from contract.wire import RECTIFICATIONS_PATH, signed_headers
from gateway.uplinks.base import http_client, network_failure
from gateway.uplinks.periodic import regulator_said
from gateway.uplinks.server_clock import clock_of

# the regulator typesets a notice when asked, embedding its CJK font: seconds, more than an uplink's timeout
PDF_TIMEOUT_S = 30.0


class SupervisionNotice(BaseModel):
    """One notice as the regulator's feedback sends it (fields sitegw does not use are ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(description="the notice's id at the regulator")
    hazard_id: int = Field(description="the regulator's hazard")
    alert_id: str | None = Field(
        None, description="the site's alert it is about (none: found by an inspector)"
    )
    kind: str = Field(description="rectify (整改通知书) or stop_work (停工整改通知书)")
    kind_name: str = Field(description="the document's Chinese name")
    number: str = Field(description="the authority's number, e.g. 南山区住建督〔2026〕3号")
    level_name: str = Field(description="区县级, 市级 or 省级")
    authority_name: str = Field(description="the issuing authority, e.g. 南山区住房和城乡建设局")
    deadline: float = Field(description="rectification deadline, Unix seconds")
    issued_at: float = Field(description="Unix seconds")
    hazard_state: str = Field(description="the regulator's state of the hazard: rectifying, reported, ...")
    overdue: bool = Field(False, description="past its deadline")


class NoticeView(SupervisionNotice):
    """A notice as the gateway's API shows it: which uplink it came from, where its PDF is."""

    uplink: str = Field(description="the regulator uplink that sent it")
    pdf: str = Field(description="the gateway's link to the notice's PDF")


class NoticeError(Exception):
    """The notice cannot be fetched or answered; ``status``: the HTTP status the API answers with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class NoticeBoard:
    """The open notices each regulator uplink sent last (thread-safe), and how to reach that regulator."""

    def __init__(self, project: str, uplinks: list[RegulatorUplink]) -> None:
        self.project = project
        self._uplinks = {u.name: u for u in uplinks}
        self._notices: dict[str, list[SupervisionNotice]] = {}
        self._lock = threading.Lock()

    def replace(self, uplink: str, notices: list[SupervisionNotice]) -> None:
        """The uplink's open notices are now these."""
        with self._lock:
            self._notices[uplink] = list(notices)

    def all(self) -> list[NoticeView]:
        """Every open notice, the nearest deadline first."""
        with self._lock:
            views = [
                NoticeView(**n.model_dump(), uplink=name, pdf=f"/api/v1/regulator/notices/{name}/{n.id}.pdf")
                for name, notices in self._notices.items()
                for n in notices
            ]
        return sorted(views, key=lambda v: (v.deadline, v.id))

    def _find(self, uplink: str, notice_id: int) -> tuple[RegulatorUplink, SupervisionNotice]:
        with self._lock:
            found = next((n for n in self._notices.get(uplink, []) if n.id == notice_id), None)
        cfg = self._uplinks.get(uplink)
        if cfg is None or found is None:
            raise NoticeError(404, f"no open notice {notice_id} from uplink {uplink!r}")
        return cfg, found

    async def _send(
        self, cfg: RegulatorUplink, method: str, path: str, body: bytes, timeout_s: float = 0.0
    ) -> httpx.Response:
        clock = clock_of(cfg.base_url)
        signed_ms = clock.now_ms()
        headers = signed_headers(self.project, cfg.secret, path, body, now_ms=signed_ms, method=method)
        url = cfg.base_url.rstrip("/") + path
        try:
            async with http_client(max(cfg.timeout_s, timeout_s), cfg.tls) as client:
                r = await client.request(method, url, content=body or None, headers=headers)
        except httpx.HTTPError as exc:
            raise NoticeError(
                502, f"the regulator is out of reach: {network_failure(exc, url, cfg.tls)}"
            ) from None
        clock.observe(r, signed_ms)
        if not r.is_success:
            status = r.status_code if r.status_code in (404, 409, 422) else 502
            raise NoticeError(status, f"the regulator answered HTTP {r.status_code}: {regulator_said(r)}")
        return r

    async def fetch_pdf(self, uplink: str, notice_id: int) -> bytes:
        """The notice's PDF, fetched from the regulator (signed GET)."""
        cfg, _ = self._find(uplink, notice_id)
        r = await self._send(cfg, "GET", f"/api/v1/notices/{notice_id}.pdf", b"", PDF_TIMEOUT_S)
        if not r.content.startswith(b"%PDF-"):
            raise NoticeError(502, f"the regulator's answer for notice {notice_id} is not a PDF")
        return r.content

    async def answer(self, uplink: str, notice_id: int, note: str, photo_b64: str, actor: str) -> None:
        """Report the notice's hazard fixed, with a photo (base64 JPEG) and a note, as ``actor``."""
        cfg, notice = self._find(uplink, notice_id)
        if not notice.alert_id:
            raise NoticeError(
                409,
                f"notice {notice.number} is about a hazard an inspector found, not one of this site's alerts: "
                "answer it in the regulator's system",
            )
        body = json.dumps(
            {
                "project": self.project,
                "alert_id": notice.alert_id,
                "note": note,
                "photo": photo_b64,
                "actor": actor,
            },
            ensure_ascii=False,
        ).encode()
        await self._send(cfg, "POST", RECTIFICATIONS_PATH, body)
        # the regulator took the report of the hazard (every level's notice of it): the panel says so before
        # the next poll brings it back
        reported = [
            n.model_copy(update={"hazard_state": "reported"}) if n.hazard_id == notice.hazard_id else n
            for n in self._peek(uplink)
        ]
        self.replace(uplink, reported)

    def _peek(self, uplink: str) -> list[SupervisionNotice]:
        with self._lock:
            return list(self._notices.get(uplink, []))
