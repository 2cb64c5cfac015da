"""AlertManager: the life of every alert, from the rules' verdicts and the supervisors' actions.

One alert per fingerprint (project + device + point + rule) at a time; its states are firing,
acknowledged and resolved. Every change is an AlertEvent, written to SQLite before ``on_event``
(the outbox) hears of it; events ``on_event`` has not accepted are offered again at start-up and
at each tick, in order. There is no grouping: every event, critical ones first of all, goes out
at once. Silenced or inhibited alerts are still tracked; what they missed is delivered when the
silence or inhibition ends, if the alert is still active.

An alert that worsens within its level tells the uplinks too (gateway/alerts/worsening.py): an ``updated``
event with its worst value by a step of its limit, or every few minutes while it keeps worsening, at most
one per alert a minute; a level change or the resolution goes after the worst value not yet told.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from pydantic import TypeAdapter

from contract.alert_event import AlertEvent, State
from contract.config.rules import WorseningUpdates
from gateway.alerts.models import Alert, AlertDetail, Silence, SilenceSpec
from gateway.alerts.store import AlertStore
from gateway.alerts.worsening import Worst, track
from rules.heard import Firing
from rules.result import Details, RuleResult, rank

log = logging.getLogger(__name__)

# A device that is offline inhibits its other alerts: they can only come from late (backfilled)
# readings, and the offline alert already tells the supervisor what matters.
INHIBITING_RULE: Final = "device.offline"


class AlertError(Exception):
    """A supervisor's action that cannot be done (unknown alert, wrong state, missing name)."""


class AlertManager:
    """Turns RuleResults into alerts and AlertEvents; API for acknowledgements, resolutions, silences."""

    def __init__(
        self,
        db_path: str | Path,
        project: str,
        on_event: Callable[[AlertEvent], object],
        clock: Callable[[], float] = time.time,
        worsening: WorseningUpdates | None = None,
    ) -> None:
        """``worsening``: when an alert that worsens within its level is told (default: the defaults of
        `WorseningUpdates`)."""
        self._store = AlertStore(db_path)
        self._project = project
        self._on_event = on_event
        self._clock = clock
        self._policy = worsening or WorseningUpdates()
        self._lock = threading.RLock()
        self._active: dict[str, Alert] = {a.fingerprint: a for a in self._store.active()}
        # the worst value of each active alert whose value is a number with a limit, and those whose worst
        # the uplinks have not been told (the only ones a tick looks at)
        self._worst: dict[str, Worst] = {}
        for fingerprint, alert in self._active.items():
            worst = track(alert, self._policy)
            if worst is not None:
                self._worst[fingerprint] = worst
        # an ordered set (a dict's keys): updates due at one tick go out in the order the alerts worsened,
        # the same in every process (a set's order follows the per-process string hash)
        self._worse: dict[str, None] = {}
        # the active alerts held back (their level not delivered, for a silence or an inhibition):
        # the only ones a tick may release, and none at nearly every tick
        self._held = {f for f, a in self._active.items() if a.notified_level != a.level}
        # the latest verdict of an active alert whose level did not change, its figures (value, message,
        # message_en) not yet copied into its Alert: a rule repeats its verdict with every reading while a
        # hazard lasts, and a pydantic copy per reading cost more than the rule itself; folded in by
        # _current() when read, so a lazily made verdict (rules.result.RuleResult.later) is made only then
        self._figures: dict[str, RuleResult] = {}
        # the time of the latest verdict whose figures _current() folded into its active alert (no event
        # stamped it): what a backfilled verdict is older than (_history)
        self._judged: dict[str, float] = {}
        self._silences = self._store.silences()
        self._listeners: list[Callable[[AlertEvent], None]] = []
        # whether the database may hold events on_event has not taken: only after it failed (or from
        # the last run), so that a tick with nothing to retry needs no query
        self._undelivered = True
        self._deliver_pending()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._store.close()

    def add_listener(self, listener: Callable[[AlertEvent], None]) -> None:
        """Also tell ``listener`` (e.g. the live stream) of every change once it is stored, whether
        or not it is delivered to ``on_event``: a silenced alert still shows on the dashboard."""
        self._listeners.append(listener)

    # ---- from the rules

    def handle(self, results: Iterable[RuleResult]) -> list[AlertEvent]:
        """Apply the rules' verdicts; return the events delivered to on_event."""
        delivered: list[AlertEvent] = []
        with self._lock:
            active, figures, worsts, project = self._active, self._figures, self._worst, self._project
            for r in results:
                fingerprint = f"{project}:{r.device}:{r.point}:{r.rule}"  # as _fingerprint() makes it
                alert = active.get(fingerprint)
                if alert is None:
                    if r.level is None:
                        continue  # clear, and no alert to resolve
                elif alert.level == r.level:
                    # a repeat of the level the alert has (what most verdicts are): its latest figures
                    # kept in memory, for _current() to fold in when the alert is read; unless its value
                    # is worse than ever, nothing else (no copy, no event, no store, no clock)
                    if not r.backfill or not self._history(r, fingerprint, alert):
                        figures[fingerprint] = r  # not a buffer's older repeat: the newest figures stay
                    worst = worsts.get(fingerprint)
                    # worse than ever: told if due; not a value seen while a silence or an inhibition holds
                    # the alert back (a sensor's calibration in a maintenance window is no hazard's peak;
                    # a device's backfill reaches the regulator in its readings summaries)
                    if worst is not None and worst.beaten_by(r) and not self._suppressed(alert, r.ts):
                        worst.take(r)
                        self._worse[fingerprint] = None
                        if worst.due(self._clock(), self._policy):
                            delivered.extend(self._tell(fingerprint, worst))
                    continue
                if alert is not None and fingerprint in self._worse:
                    # the worst not yet told goes first, at the level it was seen at, unless this verdict
                    # carries as bad a value (an escalation on the way up)
                    worst = self._worst[fingerprint]
                    value = r.value
                    if not isinstance(value, float) or worst.worse(worst.seen, value):
                        delivered.extend(self._tell(fingerprint, worst))
                        alert = self._active[fingerprint]
                delivered.extend(self._change(r, fingerprint, alert))
        return delivered

    def tick(self, now: float | None = None) -> list[AlertEvent]:
        """Deliver what ended silences and inhibitions release, and retry undelivered events."""
        now = self._clock() if now is None else now
        with self._lock:
            out = self._deliver_pending() if self._undelivered else []
            out += self._tell_worse(now)  # worse than told: due now that time passed?
            if not self._held:
                return out  # nothing held back to release
            for fingerprint, alert in list(self._active.items()):
                if fingerprint in self._held and not self._suppressed(alert, now):
                    out.extend(self._release(self._current(fingerprint, alert), now))
            return out

    def tell_worst(self) -> list[AlertEvent]:
        """Tell now every active alert's worst value not yet told, whatever the minimum interval: at a
        clean stop, so that what the site saw does not wait for the next start; the events delivered."""
        with self._lock:
            return self._tell_worse(None)

    def _tell_worse(self, now: float | None) -> list[AlertEvent]:
        """The updates of the alerts worse than told whose update is due at ``now`` (None: every one)."""
        out: list[AlertEvent] = []
        if not self._worse:
            return out  # no alert worse than told: most ticks
        for fingerprint in list(self._worse):
            worst = self._worst[fingerprint]
            if now is None or worst.due(now, self._policy):
                out.extend(self._tell(fingerprint, worst))
        return out

    def _change(self, r: RuleResult, fingerprint: str, alert: Alert | None) -> list[AlertEvent]:
        """What verdict ``r`` does to the active ``alert`` of its ``fingerprint`` (None: none active),
        other than repeating the alert's level (handle keeps those) or clearing nothing."""
        if alert is not None and rank(r.level) < rank(alert.level) and self._history(r, fingerprint, alert):
            return []  # what was, before what the alert already knows: never lowers or clears it
        if r.level is None:
            if alert is None or alert.latched:
                return []
            # time only goes forward within an alert: a verdict stamped before the alert's latest event (a
            # backfilled reading of a data logger's buffer, delivered after the alert fired) is stamped at
            # that event. device.offline once resolved 29 h before it fired, at its first backfilled reading.
            at = max(r.ts, alert.updated_ts)
            alert = alert.model_copy(
                update={
                    "state": "resolved",
                    "resolved_ts": at,
                    "updated_ts": at,
                    "value": r.value,
                    "message": r.message,
                    "message_en": r.message_en,
                }
            )
            return self._record(alert, "resolved", at, backfill=r.backfill)
        if alert is None:
            seq = self._store.count(fingerprint) + 1
            alert = Alert(
                alert_id=f"{fingerprint}:{seq}",
                fingerprint=fingerprint,
                project=self._project,
                device=r.device,
                point=r.point,
                rule=r.rule,
                clause=r.clause,
                level=r.level,
                state="firing",
                value=r.value,
                threshold=r.threshold,
                unit=r.unit,
                message=r.message,
                message_en=r.message_en,
                details=r.details,
                opened_ts=r.ts,
                updated_ts=r.ts,
                latched=r.latched,
                evidence=r.evidence,
            )
            return self._record(alert, "firing", r.ts, backfill=r.backfill)
        escalated = rank(r.level) > rank(alert.level)
        at = max(r.ts, alert.updated_ts)  # as a resolution: never before the alert's latest event
        alert = alert.model_copy(
            update=_figures_of(r, alert)
            | {
                "level": r.level,
                "updated_ts": at,
                # an acknowledgement covered the lower level only: an escalation needs a new one
                "state": "firing" if escalated else alert.state,
            }
        )
        return self._record(alert, "updated", at, backfill=r.backfill)

    # ---- supervisors' actions

    def acknowledge(self, alert_id: str, actor: str, note: str = "") -> AlertEvent | None:
        """A named supervisor takes charge of a firing alert; returns the event (None if not delivered)."""
        with self._lock:
            alert = self._require_active(alert_id, actor)
            if alert.state == "acknowledged":
                raise AlertError(f"alert {alert_id} was already acknowledged by {alert.acked_by}")
            now = self._clock()
            alert = alert.model_copy(
                update={"state": "acknowledged", "acked_by": actor, "ack_note": note, "updated_ts": now}
            )
            events = self._record(alert, "acknowledged", now, actor=actor, note=note)
            return events[0] if events else None

    def resolve(self, alert_id: str, actor: str, note: str = "") -> AlertEvent | None:
        """A supervisor closes an alert by hand (latched pit.jump, a replaced sensor). If the condition
        still holds, the rules open a new alert at their next verdict."""
        with self._lock:
            alert = self._require_active(alert_id, actor)
            worst = self._worst.get(alert.fingerprint)
            if worst is not None and alert.fingerprint in self._worse:  # its worst is told first
                self._tell(alert.fingerprint, worst)
                alert = self._current(alert.fingerprint, alert)
            now = self._clock()
            alert = alert.model_copy(update={"state": "resolved", "resolved_ts": now, "updated_ts": now})
            events = self._record(alert, "resolved", now, actor=actor, note=note)
            return events[0] if events else None

    def _require_active(self, alert_id: str, actor: str) -> Alert:
        if not actor.strip():
            raise AlertError("name the supervisor (actor) who acts on the alert")
        stored = self._store.get(alert_id)
        if stored is None:
            raise AlertError(f"no alert {alert_id!r}")
        if stored.state == "resolved":
            raise AlertError(f"alert {alert_id} is already resolved")
        return self._current(stored.fingerprint, stored)

    # ---- queries

    def firing(self) -> Firing:
        """The alerts not resolved, for the rules at a start (rules/heard.py's Stop): by (rule, device, point),
        the level and the largest value each showed (0 where it is no number): a silence firing at the stop goes
        on from at least that, until the thing is heard again."""
        with self._lock:
            return {
                (a.rule, a.device, a.point): (
                    a.level,
                    max((v for v in (a.value, a.peak_value) if isinstance(v, float)), default=0.0),
                )
                for a in self._active.values()
            }

    def active_levels(self) -> Counter[str]:
        """Alerts not resolved, by level, from memory: /metrics asks at every scrape, and reading every
        alert back from the store (each resolved vision alert with its evidence picture) made each
        scrape's cost and the process's memory grow with the site's whole alert history."""
        with self._lock:
            return Counter(a.level for a in self._active.values())

    def list_alerts(
        self,
        *,
        state: str | None = None,
        level: str | None = None,
        device: str | None = None,
        rule: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 500,
    ) -> list[Alert]:
        """Alerts matching every given filter (since: changed at or after; until: opened at or before)."""
        with self._lock:
            found = self._store.query(
                state=state, level=level, device=device, rule=rule, since=since, until=until, limit=limit
            )
            return [self._current(a.fingerprint, a) if a.state != "resolved" else a for a in found]

    def get(self, alert_id: str) -> AlertDetail:
        """One alert with its full history."""
        with self._lock:
            alert = self._store.get(alert_id)
            if alert is None:
                raise AlertError(f"no alert {alert_id!r}")
            if alert.state != "resolved":
                alert = self._current(alert.fingerprint, alert)
            return AlertDetail(alert=alert, history=self._store.history(alert_id))

    # ---- silences

    def add_silence(self, spec: SilenceSpec) -> Silence:
        """Start (or schedule) a maintenance window."""
        with self._lock:
            silence = self._store.add_silence(spec, self._clock())
            self._silences.append(silence)
            return silence

    def list_silences(self, active_at: float | None = None, include_deleted: bool = False) -> list[Silence]:
        """Silences, optionally only those in force at ``active_at``."""
        with self._lock:
            found = self._store.silences(include_deleted)
            if active_at is not None:
                found = [s for s in found if s.start_ts <= active_at < s.end_ts and s.deleted_ts is None]
            return found

    def delete_silence(self, silence_id: int, actor: str) -> Silence:
        """End a silence now; what it held back is delivered at the next tick."""
        with self._lock:
            if not actor.strip():
                raise AlertError("name the supervisor (actor) who deletes the silence")
            silence = next((s for s in self._silences if s.id == silence_id), None)
            if silence is None:
                raise AlertError(f"no active silence {silence_id}")
            silence = silence.model_copy(update={"deleted_ts": self._clock(), "deleted_by": actor})
            self._store.update_silence(silence)
            self._silences = [s for s in self._silences if s.id != silence_id]
            return silence

    # ---- internals

    def _fingerprint(self, device: str, point: str, rule: str) -> str:
        return f"{self._project}:{device}:{point}:{rule}"

    def _current(self, fingerprint: str, default: Alert) -> Alert:
        """The active alert of ``fingerprint`` with its latest figures (``default`` if none is active)."""
        alert = self._active.get(fingerprint)
        if alert is None:
            return default
        latest = self._figures.pop(fingerprint, None)
        worst = self._worst.get(fingerprint)
        peak = None if worst is None or worst.seen == alert.peak_value else worst
        if latest is not None or peak is not None:
            update: dict[str, object] = {}
            if latest is not None:
                update |= {"value": latest.value, "message": latest.message, "message_en": latest.message_en}
                self._judged[fingerprint] = latest.ts
            if peak is not None:
                update |= {"peak_value": peak.seen, "peak_ts": peak.seen_ts}
            alert = alert.model_copy(update=update)
            self._active[fingerprint] = alert
        return alert

    def _history(self, r: RuleResult, fingerprint: str, alert: Alert) -> bool:
        """Whether verdict ``r`` tells only what was: judged from a backfilled reading (a data logger's buffer
        uploaded once its link came back, a device's own late send) older than the latest verdict or event
        of its active ``alert``. Newer readings already said where the site stands, so such a verdict may
        raise the alert (the hazard was worse meanwhile: the regulator is told, marked backfill) but never
        lower or clear it: stale input never clears a firing alert. device.offline is the exception: a
        device heard at all, whatever its readings' times, is online."""
        if not r.backfill or r.rule == INHIBITING_RULE:
            return False
        latest = self._figures.get(fingerprint)
        newest = max(alert.updated_ts, self._judged.get(fingerprint, alert.updated_ts))
        return r.ts < newest or (latest is not None and r.ts < latest.ts)

    def _suppressed(self, alert: Alert, ts: float) -> str:
        """Why ``alert`` must not be delivered now ('' if it may)."""
        for s in self._silences:
            if s.matches(alert.device, alert.point, alert.rule, ts):
                return f"silence {s.id}"
        if alert.rule != INHIBITING_RULE:
            offline = self._active.get(self._fingerprint(alert.device, "", INHIBITING_RULE))
            if offline is not None:
                return f"inhibited by {offline.alert_id}"
        return ""

    def _record(
        self,
        alert: Alert,
        state: State,
        ts: float,
        *,
        backfill: bool = False,
        actor: str = "",
        note: str = "",
    ) -> list[AlertEvent]:
        """Persist a change, then deliver its event unless it must be held back."""
        if state in ("firing", "updated"):
            deliver = not self._suppressed(alert, ts)
        else:  # acknowledgements and resolutions of alerts the outside world has heard of
            deliver = alert.notified_level is not None
        # what the stored alert gains here (its delivered level, its peak), in one copy at the end
        update: dict[str, object] = {}
        if deliver and state in ("firing", "updated"):
            update["notified_level"] = alert.level
        worst = self._worst.get(alert.fingerprint)
        if worst is None and state in ("firing", "updated") and alert.state != "resolved":
            worst = track(alert, self._policy)
            if worst is not None:
                self._worst[alert.fingerprint] = worst
        event = AlertEvent(
            alert_id=alert.alert_id,
            project=alert.project,
            device=alert.device,
            point=alert.point,
            rule=alert.rule,
            clause=alert.clause,
            level=alert.level,
            state=state,
            value=alert.value,
            threshold=alert.threshold,
            unit=alert.unit,
            ts=ts,
            message=alert.message,
            message_en=alert.message_en,
            backfill=backfill,
            actor=actor,
            note=note,
            details=alert.details,
            evidence=alert.evidence if state in ("firing", "updated") else None,
        )
        self._figures.pop(alert.fingerprint, None)  # the alert recorded carries the figures that count
        if worst is not None:
            if state in ("firing", "updated"):
                worst.recorded(event, deliver, self._clock(), self._policy)
            update |= {
                "peak_value": worst.seen,
                "peak_ts": worst.seen_ts,
                "lower_is_worse": worst.lower,
                "reported_peak": worst.told,
                "reported_at": worst.told_at if worst.told is not None else None,
            }
        if update:
            alert = alert.model_copy(update=update)
        self._store.save(alert, event, "pending" if deliver else "held")
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a viewer's failure must never stop an alert's life
                log.exception("alerts: listener failed for %s", event.event_id)
        if alert.state == "resolved":
            self._active.pop(alert.fingerprint, None)
            self._held.discard(alert.fingerprint)
            self._worst.pop(alert.fingerprint, None)
            self._worse.pop(alert.fingerprint, None)
            self._judged.pop(alert.fingerprint, None)
        else:
            if worst is not None and worst.unreported():
                self._worse[alert.fingerprint] = None
            else:
                self._worse.pop(alert.fingerprint, None)
            self._active[alert.fingerprint] = alert
            if alert.notified_level != alert.level:
                self._held.add(alert.fingerprint)
            else:
                self._held.discard(alert.fingerprint)
        return self._hand_over(event) if deliver else []

    def _hand_over(self, event: AlertEvent) -> list[AlertEvent]:
        """Offer ``event``, just stored as pending, to on_event; return what on_event took."""
        if self._undelivered:
            # through the pending queue, so that an event never overtakes one the outbox refused earlier
            return self._deliver_pending()
        # nothing refused before it: the queue holds this event alone, handed over as it was stored
        # (reading it back cost a query and a parse per event)
        if self._deliver(event):
            return [event]
        self._undelivered = True
        return []

    def _tell(self, fingerprint: str, worst: Worst) -> list[AlertEvent]:
        """An ``updated`` event of the active alert carrying its worst value (``worst.result``'s figures:
        its time, the site's words at it), unless a silence or an inhibition holds the alert back (then
        it stays to be told); the events delivered."""
        alert, r = self._active.get(fingerprint), worst.result
        if alert is None or r is None or self._suppressed(alert, r.ts):
            return []
        latest = self._figures.get(fingerprint)
        at = max(alert.updated_ts, r.ts)
        alert = alert.model_copy(update=_figures_of(r, alert) | {"updated_ts": at})
        events = self._record(alert, "updated", at, backfill=r.backfill)
        if latest is not None and latest is not r:  # the newest figures stay the alert's current ones
            self._figures[fingerprint] = latest
        return events

    def _release(self, alert: Alert, now: float) -> list[AlertEvent]:
        """An active alert that was held back: tell the outside world where it stands now."""
        state: State = "firing" if alert.notified_level is None else "updated"
        return self._record(alert, state, now)

    def _deliver(self, event: AlertEvent) -> bool:
        try:
            self._on_event(event)
        except Exception:  # the outbox failed: the event stays pending and is offered again at the next tick
            log.exception(
                "alerts: on_event failed for %s (%s %s); will retry", event.event_id, event.rule, event.state
            )
            return False
        self._store.mark_delivered(event.event_id)
        return True

    def _deliver_pending(self) -> list[AlertEvent]:
        out = []
        for event in self._store.pending():
            if not self._deliver(event):
                self._undelivered = True
                break  # keep the order per alert: nothing after a failed one
            out.append(event)
        else:
            self._undelivered = False
        return out


# a verdict's details as the alert types them: model_copy does not validate, and a rule's whole number (an
# arc count) would otherwise stay an int where the alert's model says float, warn at every dump and differ
# from the firing event's float
_DETAILS: TypeAdapter[Details] = TypeAdapter(Details)


def _figures_of(r: RuleResult, alert: Alert) -> dict[str, object]:
    """What a verdict says of its alert: clause, value and limit, the site's words, the details, the evidence
    (the alert's own when the verdict has none)."""
    return {
        "clause": r.clause or alert.clause,
        "value": r.value,
        "threshold": r.threshold,
        "unit": r.unit,
        "message": r.message,
        "message_en": r.message_en,
        "details": _DETAILS.validate_python(r.details),
        "evidence": r.evidence or alert.evidence,
    }
