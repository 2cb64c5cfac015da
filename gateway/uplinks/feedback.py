"""The regulator's decisions, heard by the site (issue #6, closing the loop on the gateway's side).

Every ``feedback_every_s`` the poller asks a regulator uplink (default protocol) for the decisions on
this project's hazards after the last one it stored: ``GET {base_url}/api/v1/feedback?after=N``,
signed like every gateway request (empty body, the path signed with its query string). Each action
(confirmed, dismissed as a false alarm with its reason, rectification ordered with a deadline,
re-inspection failed, closed 销号, overdue escalation) becomes a `Decision` on the site's alert of the
same ``alert_id``: stored with the cursor in one write to the `DecisionLog` the shell hands it (the
alerts' decision store: a restart neither misses nor repeats one), shown by the API and the dashboard, pushed on the live stream as a ``regulator`` event, logged.
A decision annotates the alert; the alert's own life (firing, resolved) stays the rules' and the
supervisors'.

The poller is its own task: a regulator that is away or refuses it is retried with backoff and
logged, and nothing else waits on it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from contract.config.uplinks import RegulatorUplink
from contract.wire import FEEDBACK_PATH, WARNING_ACK_PATH
from gateway.uplinks.base import BEIJING
from gateway.uplinks.decisions import Decision, DecisionLog
from gateway.uplinks.notices import SupervisionNotice
from gateway.uplinks.periodic import Failures, UplinkRetry, regulator_said, run_periodically
from gateway.uplinks.regulator_warnings import RegulatorWarning, RegulatorWarnings
from gateway.uplinks.signed_request import signed_request

log = logging.getLogger(__name__)

URGENT = frozenset({"order", "reject", "escalate"})  # the site must act: logged as warnings


class RegulatorAction(BaseModel):
    """One row of the regulator's audit trail as ``/api/v1/feedback`` sends it (fields sitegw does not
    use are ignored, so the regulator may add more)."""

    model_config = ConfigDict(extra="ignore")

    id: int
    alert_id: str | None = None
    action: str
    actor: str = ""
    to_state: str
    reason: str | None = ""
    deadline: float | None = None
    major: bool | None = None
    ts: float


class FeedbackPage(BaseModel):
    """The answer of ``GET /api/v1/feedback``: the actions, and the cameras whose picture a regulator asked
    for now (camera patrol; absent from regulators before it)."""

    model_config = ConfigDict(extra="ignore")

    actions: list[RegulatorAction]
    pictures_wanted: list[str] = []
    notices: list[SupervisionNotice] | None = (
        None  # the open supervision notices; None: a regulator before them
    )
    warnings: list[RegulatorWarning] | None = (
        None  # the authority's warning signals; None: a regulator before them
    )


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, BEIJING).strftime(
        "%Y-%m-%d"
    )  # the regulator's and the site's time zone


def decision_text(a: RegulatorAction) -> str:
    """What the site reads about one action: ``中文 | English`` (the dashboard shows its language's half)."""
    reason = (a.reason or "").strip()
    by = f"至 {_day(a.deadline)}" if a.deadline is not None else ""
    by_en = f" by {_day(a.deadline)}" if a.deadline is not None else ""
    listed, listed_en = ("，挂牌督办", ", listed supervision") if a.major else ("", "")
    zh, en = {
        "confirm": ("已确认隐患", "confirmed as a hazard"),
        "dismiss": (f"误报（{reason}）", f"false alarm ({reason})"),
        "order": (f"限期整改{by}{listed}" if by else f"责令整改{listed}", f"rectify{by_en}{listed_en}"),
        "report": ("已上报整改，待复查", "fix reported, awaiting re-inspection"),
        "reject": (
            f"复查未通过（{reason}），限期整改{by}",
            f"re-inspection failed ({reason}), rectify{by_en}",
        ),
        "close": ("已销号", "closed after re-inspection"),
        "escalate": ("整改逾期，已升级督办", "rectification overdue, escalated"),
        "list": (reason, f"listed for supervision ({reason})"),
        "notice": (reason, f"notice issued ({reason})"),
        "escalate_listing": (reason.split(" (", 1)[0], "listing overdue, escalated to the level above"),
        # a hazard a person found (an inspection, a self-check, a verified public report: regulator/channels/)
        "record": (f"{reason}{by}{listed}", f"hazard recorded in the regulator's ledger{by_en}{listed_en}"),
    }.get(a.action, (f"{a.action} → {a.to_state}", f"{a.action} → {a.to_state}"))
    return f"监管: {zh} | regulator: {en}"


def to_decision(uplink: str, a: RegulatorAction, received_ts: float) -> Decision | None:
    """The site's record of one action; None for an action that names no alert."""
    if not a.alert_id:
        return None
    return Decision(
        uplink=uplink,
        action_id=a.id,
        alert_id=a.alert_id,
        action=a.action,
        state=a.to_state,
        actor=a.actor,
        reason=(a.reason or "").strip(),
        deadline=a.deadline,
        major=a.major,
        ts=a.ts,
        received_ts=received_ts,
        text=decision_text(a),
    )


class FeedbackPoller:
    """Polls one regulator uplink's feedback into a DecisionLog; ``on_decision`` hears of each new one."""

    def __init__(
        self,
        cfg: RegulatorUplink,
        project: str,
        store: DecisionLog,
        on_decision: Callable[[Decision], None] | None = None,
        on_pictures_wanted: Callable[[list[str]], None] | None = None,
        on_notices: Callable[[list[SupervisionNotice]], None] | None = None,
        warnings: RegulatorWarnings | None = None,
    ) -> None:
        """``on_pictures_wanted`` hears the cameras a regulator asked a picture of (gateway/uplinks/patrol.py),
        ``on_notices`` the project's open supervision notices on each poll (gateway/uplinks/notices.py);
        ``warnings`` takes the authority's warning signals and gives the acknowledgements to send back
        (gateway/uplinks/regulator_warnings.py)."""
        self._cfg = cfg
        self._warnings = warnings
        self._on_notices = on_notices
        self._on_pictures_wanted = on_pictures_wanted
        self._project = project
        self._store = store
        self._on_decision = on_decision
        self._url = httpx.URL(cfg.base_url.rstrip("/") + FEEDBACK_PATH)

    async def poll(self, client: httpx.AsyncClient) -> list[Decision]:
        """Fetch, store and announce every decision after the stored cursor, page by page; the new ones."""
        name = self._cfg.name
        after = await asyncio.to_thread(self._store.cursor, name)
        new: list[Decision] = []
        page = await self._fetch(client, after)
        if page.pictures_wanted and self._on_pictures_wanted is not None:
            self._on_pictures_wanted(page.pictures_wanted)
        if page.notices is not None and self._on_notices is not None:
            self._on_notices(page.notices)
        if page.warnings is not None and self._warnings is not None:
            await self._take_warnings(client, page.warnings)
        while actions := page.actions:
            last = max(a.id for a in actions)
            if last <= after:  # would ask for the same page forever
                raise UplinkRetry(
                    f"uplink {name!r}: the regulator answered actions up to {last} when asked for "
                    f"those after {after}; its feedback endpoint is broken",
                    refused=True,
                )
            now = time.time()
            decisions = [d for a in actions if (d := to_decision(name, a, now)) is not None]
            stored = await asyncio.to_thread(self._store.add, name, decisions, last)
            for d in stored:
                self._announce(d)
            new.extend(stored)
            after = last
            page = await self._fetch(client, after)
        return new

    async def _fetch(self, client: httpx.AsyncClient, after: int) -> FeedbackPage:
        cfg = self._cfg
        url = self._url.copy_merge_params({"after": str(after)})
        r = await signed_request(client, cfg, self._project, url, b"", "feedback request", method="GET")
        if r.is_success:
            try:
                return FeedbackPage.model_validate_json(r.content)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"]) or "(body)"
                raise UplinkRetry(
                    f"uplink {cfg.name!r}: the regulator's feedback answer is not what sitegw "
                    f"expects ({where}: {first['msg']}); is {cfg.base_url} a sitegw regulator?",
                    refused=True,
                ) from None
        raise _http_failure(cfg, r)

    async def _take_warnings(self, client: httpx.AsyncClient, warnings: list[RegulatorWarning]) -> None:
        """Put the warnings on the board and send the acknowledgements the regulator has not shown yet."""
        assert self._warnings is not None
        name = self._cfg.name
        for s in await asyncio.to_thread(self._warnings.receive, name, warnings):
            if s.cleared_ts is not None:
                log.info("uplink %r: the regulator lifted %s (%s)", name, s.title_zh, s.id)
            else:
                log.warning("uplink %r: the regulator issued %s (%s): %s", name, s.title_zh, s.id, s.measure)
        for warning_id, who, at in await asyncio.to_thread(self._warnings.unsent_acks, name, warnings):
            path = WARNING_ACK_PATH.format(warning_id=warning_id)
            body = json.dumps({"project": self._project, "actor": who, "acked_at": at}, ensure_ascii=False)
            url = httpx.URL(self._cfg.base_url.rstrip("/") + path)
            r = await signed_request(
                client, self._cfg, self._project, url, body.encode(), "warning acknowledgement"
            )
            if r.is_success:
                log.info("uplink %r: the regulator heard %s acknowledge warning %d", name, who, warning_id)
            else:  # refused (a warning no longer the project's): logged; sent again while the poll carries it
                log.warning(
                    "uplink %r: the regulator refused the acknowledgement of warning %d: HTTP %d %s",
                    name,
                    warning_id,
                    r.status_code,
                    regulator_said(r),
                )

    def _announce(self, d: Decision) -> None:
        english = d.text.split(" | ", 1)[-1]
        log.log(
            logging.WARNING if d.action in URGENT else logging.INFO,
            "uplink %r: alert %s %s (by %s)",
            d.uplink,
            d.alert_id,
            english,
            d.actor or "the regulator",
        )
        if self._on_decision is not None:
            try:
                self._on_decision(d)
            except Exception:  # a viewer's failure must not lose the next decisions
                log.exception("feedback: listener failed for decision %d of %s", d.action_id, d.uplink)

    async def run(self) -> None:
        """Poll every ``feedback_every_s`` until cancelled, backing off after failures."""
        name = self._cfg.name
        await run_periodically(
            self._cfg,
            self._cfg.feedback_every_s,
            self.poll,
            Failures(),
            log,
            "storing the regulator's feedback",
            lambda n: log.info(
                "uplink %r: the regulator's feedback is read again after %d failed polls", name, n
            ),
        )


def _http_failure(cfg: RegulatorUplink, r: httpx.Response) -> UplinkRetry:
    """What a feedback request refused for good means for the site, and what to change."""
    if r.status_code == 404:
        return UplinkRetry(
            f"uplink {cfg.name!r}: {cfg.base_url} has no feedback endpoint ({FEEDBACK_PATH}: HTTP 404); upgrade "
            "the regulator, or set feedback_every_s: 0 on this uplink",
            refused=True,
        )
    return UplinkRetry(
        f"uplink {cfg.name!r}: the regulator answered the feedback request with HTTP "
        f"{r.status_code}: {regulator_said(r)}",
        refused=True,
    )
