"""Vision alerts' evidence clips (issue #18): a gateway sends the few seconds of video around a vision
alert, ``POST /api/v1/clips?alert_id=...`` with the VP8 WebM itself as the body, signed like events (the
query is signed with the path).

The clip is kept with the hazard of its alert, in the evidence store next to the pictures
(``ab/<sha256>.webm``, regulator/storage/evidence.py) and as an ``evidence`` row of purpose ``clip`` tied to the
hazard and to the event whose picture is its evidence. Refusals: 401 as for events (a replayed nonce
too), 413 over MAX_CLIP_BYTES before the body is read (regulator/routes/body_limit.py), 415 for a body that is not
a WebM, 422 without ``alert_id``, and 409 naming ``alert_id`` while the regulator has no hazard for that
alert: a clip follows its alert, and one that overtakes it (the alert held back by flood control, or still
on its way) is not kept unattached here (an unattached clip is a way to fill the disk) but sent again by
the gateway, which retries a 409 for an hour (gateway/uplinks/clips.py). The same clip sent twice (its
receipt lost) is stored once and answered ``duplicate``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from contract.wire import CLIP_TYPE, WEBM_MAGIC, ClipReceipt
from regulator.ingest.receive import WINDOW_S, Refusal, authenticate, refuse_replay
from regulator.storage.db import sql
from regulator.storage.nonces import NonceReused
from regulator.storage.repository import Repository


def check_webm(content_type: str, body: bytes) -> None:
    """Refusal(415) unless the body is declared and starts as a WebM."""
    declared = content_type.split(";", 1)[0].strip().lower()
    if declared != CLIP_TYPE:
        raise Refusal(
            415,
            f"Content-Type is {declared or 'missing'!r}: send the clip as {CLIP_TYPE} (VP8 in WebM)",
            errors=[{"field": "Content-Type", "problem": f"not {CLIP_TYPE}"}],
        )
    if not body.startswith(WEBM_MAGIC):
        raise Refusal(
            415,
            "the body is not a WebM (no 1A 45 DF A3 EBML header): send the clip as VP8 in WebM",
            errors=[{"field": "body", "problem": "not a WebM"}],
        )


def receive_clip(
    repo: Repository, headers: Mapping[str, str], path: str, alert_id: str, body: bytes
) -> ClipReceipt:
    """Authenticate, check and durably keep one clip with its alert's hazard (blocking: run it in a worker
    thread); Refusal otherwise."""
    project = authenticate(repo, headers, "POST", path, body)
    if not alert_id:
        raise Refusal(
            422,
            "alert_id is missing: name the alert the clip belongs to (?alert_id=...)",
            errors=[{"field": "alert_id", "problem": "missing"}],
        )
    check_webm(headers.get("Content-Type", ""), body)
    with repo.engine.connect() as db:
        hazard = db.execute(
            sql("SELECT id, evidence_event FROM hazards WHERE project = :p AND alert_id = :a"),
            {"p": project, "a": alert_id},
        ).first()
    if hazard is None:
        raise Refusal(
            409,
            f"no hazard for alert_id {alert_id!r} of project {project!r} yet: a clip is kept with its "
            "alert's hazard, so send it again after the alert's event was taken",
            errors=[{"field": "alert_id", "problem": "alert not received yet"}],
        )
    stored = repo.pictures.put(body, "webm")  # durable before the row that cites it commits
    try:
        with repo.engine.begin() as db:
            repo.use_nonce(db, project, headers["X-Sitegw-Nonce"], 2 * WINDOW_S)
            known = db.execute(
                sql("SELECT 1 FROM evidence WHERE hazard_id = :h AND purpose = 'clip' AND sha256 = :sha"),
                {"h": hazard.id, "sha": stored.sha256},
            ).first()
            if known is None:
                db.execute(
                    sql(
                        "INSERT INTO evidence(event_id, hazard_id, purpose, kind, sha256, size, created_at) "
                        "VALUES (:e, :h, 'clip', 'stored', :sha, :size, :now)"
                    ),
                    {
                        "e": hazard.evidence_event,
                        "h": hazard.id,
                        "sha": stored.sha256,
                        "size": stored.size,
                        "now": time.time(),
                    },
                )
    except NonceReused as reused:
        raise refuse_replay(str(reused)) from None
    return ClipReceipt(
        alert_id=alert_id, hazard_id=hazard.id, status="duplicate" if known is not None else "stored"
    )
