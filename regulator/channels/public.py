"""Public reports (群众举报): anyone may report a site from the public form, with a photo, anonymous or
named; a report enters the ledger only when an inspector of its district verifies it (群众举报查实,
standards.md §4), and stays out of it when they reject it with a reason.

Reports are kept apart from ``hazards`` in ``public_reports``: no queue, export, overview or evidence URL
reads that table, so nothing unverified reaches them. An inspector sees the reports of the districts under
their jurisdiction only (a district's inspector never another district's). Verifying records a hazard of
source ``public`` on the project the inspector names (one of theirs), the report's photo its evidence.

Flooding is bounded in the database, so every API process counts the same, per window (an hour), in
the order of what a flood could take from honest reporters:

- ``per_sender`` reports per source address (an IPv6 sender counts as its /64, what one device gets);
- ``per_network`` per network (an IPv4 /24, an IPv6 /48), so one block of addresses counts as a few;
- ``per_district``: a district's reports past it are refused to senders who already reported in the
  window. A sender's first report is never refused by it: a crowd that floods one district shuts out
  only its own repeats, and an honest neighbour's one report still arrives (issue 56: 100 addresses had
  filled the form's one cap of 500 an hour, after which everyone got 429);
- ``total`` from everyone, the last bound on what the table and the inspectors take: a crowd needs about
  as many networks as ``total / per_network`` to reach it.

Every refusal says when to try again (``Retry-After``: when the oldest report it counted leaves the
window). The limits are checked before the photo is looked at (`admit`) and again as the report is
stored (`submit`, under a lock on PostgreSQL). The address is kept only as SHA-256 hashes (its network's
and its own), and only while the window needs it: older reports have it blanked.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Any

from regulator.channels.ledger import Finding, write
from regulator.ingest.receive import Refusal
from regulator.ledger.review import Review, ReviewError
from regulator.storage.db import sql
from regulator.storage.evidence import StoredPicture
from regulator.storage.jurisdictions import SEP
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

STATES = {"received": "待核查", "verified": "已查实", "rejected": "不予受理"}
COLUMNS = (
    "r.id, j.path, r.site, r.description, r.photo_sha256, r.reporter, r.contact, r.received_at, r.state, "
    "r.decided_by, r.decided_at, r.reason, r.hazard_id"
)
KEYS = (
    "id",
    "district",
    "site",
    "description",
    "photo_sha256",
    "reporter",
    "contact",
    "received_at",
    "state",
    "decided_by",
    "decided_at",
    "reason",
    "hazard_id",
)


PER_SENDER = 5  # a neighbour reporting what they see from the window, several sites at most
PER_NETWORK = 20  # a carrier's /24 holds many phones, but 20 reports an hour from one is a campaign
PER_DISTRICT = 100  # repeat reports into one district an hour; first reports are not refused by it
TOTAL = 2000  # a city's busiest hour of honest reports is far below; a crowd of 100 networks stops here


@dataclass(frozen=True, slots=True)
class Limits:
    """How many reports the public form takes per window: per source address, per network, repeat reports
    per district, and from everyone."""

    per_sender: int = PER_SENDER
    total: int = TOTAL
    window_s: float = 3600.0
    per_network: int = PER_NETWORK
    per_district: int = PER_DISTRICT


@dataclass(frozen=True, slots=True)
class Report:
    """A report as the form sends it (the photo already checked)."""

    district: str
    site: str
    description: str
    photo: bytes | None
    reporter: str = ""
    contact: str = ""


def districts(repo: Repository) -> list[str]:
    """Every district or county a report may be sent to (its path), by path."""
    with repo.engine.connect() as db:
        rows = db.execute(sql("SELECT path FROM jurisdictions WHERE level = 'district' ORDER BY path")).all()
    return [r[0] for r in rows]


def sender_key(address: str) -> str:
    """What is kept of a source address: its network's SHA-256 prefix, ``:``, its own (an IPv6 address as
    its /64); `network_key` of it is the network's part."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # no IP address (a test client, a Unix socket): its own network
        own, network = address, address
    else:
        own = str(ipaddress.ip_network(f"{ip}/{64 if ip.version == 6 else ip.max_prefixlen}", strict=False))
        network = str(ipaddress.ip_network(f"{ip}/{48 if ip.version == 6 else 24}", strict=False))
    return f"{_hash(network)[:32]}:{_hash(own)}"


def network_key(key: str) -> str:
    """The network's part of a `sender_key`, with its separator (a prefix to match)."""
    return key[: key.index(":") + 1]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _district(db: Any, path: str) -> int:
    district = db.execute(
        sql("SELECT id FROM jurisdictions WHERE path = :p AND level = 'district'"), {"p": path}
    ).scalar()
    if district is None:
        raise Refusal(422, f"unknown district {path!r}: choose one from the form's list (请选择区县)")
    return int(district)


def _check_limits(db: Any, limits: Limits, key: str, district: int, now: float) -> None:
    """Refusal 429 with ``retry_after_s`` when a report from ``key`` into ``district`` passes a limit."""
    since = now - limits.window_s
    net = network_key(key)
    counted = db.execute(
        sql(
            "SELECT "
            "COALESCE(SUM(CASE WHEN sender = :k THEN 1 ELSE 0 END), 0), "
            "MIN(CASE WHEN sender = :k THEN received_at END), "
            "COALESCE(SUM(CASE WHEN substr(sender, 1, :n) = :net THEN 1 ELSE 0 END), 0), "
            "MIN(CASE WHEN substr(sender, 1, :n) = :net THEN received_at END), "
            "COALESCE(SUM(CASE WHEN district_id = :d THEN 1 ELSE 0 END), 0), "
            "MIN(CASE WHEN district_id = :d THEN received_at END), "
            "COUNT(*), MIN(received_at) "
            "FROM public_reports WHERE received_at >= :since"
        ),
        {"k": key, "n": len(net), "net": net, "d": district, "since": since},
    ).one()
    (mine, my_first, network, net_first, in_district, district_first, everyone, first) = counted
    minutes = round(limits.window_s / 60)
    later = "try again later or call the bureau's hotline (提交过于频繁，请稍后再试)"
    for over, oldest, said in (
        (mine >= limits.per_sender, my_first, f"this address sent {mine} reports in {minutes} minutes"),
        (
            network >= limits.per_network,
            net_first,
            f"its network sent {network} reports in {minutes} minutes",
        ),
        # a sender's first report passes a district's cap: only a crowd's repeats are refused
        (
            mine > 0 and in_district >= limits.per_district,
            district_first,
            f"the district took {in_district} reports in {minutes} minutes and this address sent one already",
        ),
        (
            everyone >= limits.total,
            first,
            f"the form took {everyone} reports in {minutes} minutes (举报量已达上限)",
        ),
    ):
        if over:
            wait = max(1, math.ceil(float(oldest) + limits.window_s - now))
            raise Refusal(429, f"{said}, the most the form takes; {later}", retry_after_s=wait)


def _check_text(report: Report) -> None:
    if not report.site.strip():
        raise Refusal(422, "site is empty: name the site or its address (工地名称或地址)")
    if not report.description.strip():
        raise Refusal(422, "description is empty: say what you saw (隐患描述)")


def admit(repo: Repository, limits: Limits, address: str, report: Report) -> None:
    """Refusal 429 (a limit, ``retry_after_s``) or 422 (an unknown district, an empty field) before the
    report's photo is looked at: the checks that cost a query come before the one that costs a decode."""
    _check_text(report)
    with repo.engine.connect() as db:
        _check_limits(db, limits, sender_key(address), _district(db, report.district), time.time())


def submit(repo: Repository, limits: Limits, address: str, report: Report) -> int:
    """Keep a report (its photo in the evidence store); its id. Refusal 429 past a limit (``retry_after_s``),
    422 for an unknown district or an empty field."""
    _check_text(report)
    now = time.time()
    key = sender_key(address)
    with repo.engine.begin() as db:
        if (
            repo.dialect == "postgresql"
        ):  # one counter at a time, so concurrent sends cannot pass a limit together
            db.execute(sql("SELECT pg_advisory_xact_lock(hashtext('sitegw.public_reports'))"))
        db.execute(
            sql("UPDATE public_reports SET sender = '' WHERE received_at < :since AND sender <> ''"),
            {"since": now - limits.window_s},
        )
        district = _district(db, report.district)
        _check_limits(db, limits, key, district, now)
        picture = repo.pictures.put(report.photo) if report.photo else None
        return int(
            db.execute(
                sql(
                    "INSERT INTO public_reports(district_id, site, description, photo_sha256, photo_size, reporter, "
                    "contact, sender, received_at) VALUES (:d, :site, :desc, :sha, :size, :who, :contact, :k, :now) "
                    "RETURNING id"
                ),
                {
                    "d": district,
                    "site": report.site.strip(),
                    "desc": report.description.strip(),
                    "sha": picture.sha256 if picture else None,
                    "size": picture.size if picture else None,
                    "who": report.reporter.strip(),
                    "contact": report.contact.strip(),
                    "k": key,
                    "now": now,
                },
            ).scalar_one()
        )


def _within(actor: Actor) -> tuple[str, dict[str, Any]]:
    """The WHERE of the reports ``actor`` may see: their jurisdiction's districts; 403 for a project user."""
    if actor.role not in ("regulator", "admin"):
        raise ReviewError(403, "public reports are checked by the district's inspectors (监管人员)")
    if not actor.jurisdiction:
        return "1=1", {}
    prefix = actor.jurisdiction + SEP
    return "(j.path = :place OR substr(j.path, 1, :n) = :prefix)", {
        "place": actor.jurisdiction,
        "prefix": prefix,
        "n": len(prefix),
    }


def listing(repo: Repository, actor: Actor, state: str = "received") -> list[dict[str, Any]]:
    """The reports of ``actor``'s districts in ``state`` (``all``: any), newest first (at most 1,000)."""
    if state not in (*STATES, "all"):
        raise ReviewError(422, f"unknown state {state!r}: one of {', '.join((*STATES, 'all'))}")
    where, args = _within(actor)
    if state != "all":
        where += " AND r.state = :state"
        args["state"] = state
    with repo.engine.connect() as db:
        rows = db.execute(
            sql(
                f"SELECT {COLUMNS} FROM public_reports r JOIN jurisdictions j ON j.id = r.district_id "
                f"WHERE {where} ORDER BY r.received_at DESC, r.id DESC LIMIT 1000"
            ),
            args,
        ).all()
    return [_row(r) for r in rows]


def _row(r: Any) -> dict[str, Any]:
    row = dict(zip(KEYS, r, strict=True))
    return row | {"state_name": STATES[row["state"]], "has_photo": row["photo_sha256"] is not None}


def one(repo: Repository, actor: Actor, report_id: int) -> dict[str, Any]:
    """A report ``actor`` may see; 404 otherwise, as if absent."""
    where, args = _within(actor)
    with repo.engine.connect() as db:
        row = db.execute(
            sql(
                f"SELECT {COLUMNS} FROM public_reports r JOIN jurisdictions j ON j.id = r.district_id "
                f"WHERE r.id = :id AND {where}"
            ),
            {**args, "id": report_id},
        ).first()
    if row is None:
        raise ReviewError(404, f"no public report {report_id} in your jurisdiction")
    return _row(row)


def photo(repo: Repository, actor: Actor, report_id: int) -> bytes | None:
    """The report's photo, for an inspector who may see the report."""
    sha = one(repo, actor, report_id)["photo_sha256"]
    return repo.pictures.get(sha) if sha else None


def _decide(
    db: Any, report_id: int, state: str, actor: Actor, reason: str, hazard_id: int | None, now: float
) -> None:
    changed = db.execute(
        sql(
            "UPDATE public_reports SET state = :s, decided_by = :by, decided_at = :now, reason = :r, hazard_id = :h "
            "WHERE id = :id AND state = 'received'"
        ),
        {"s": state, "by": actor.name, "now": now, "r": reason, "h": hazard_id, "id": report_id},
    ).rowcount
    if changed != 1:
        raise ReviewError(409, f"public report {report_id} was decided meanwhile; reload it")


def _undecided(repo: Repository, actor: Actor, report_id: int) -> dict[str, Any]:
    report = one(repo, actor, report_id)
    if report["state"] != "received":
        raise ReviewError(
            409, f"public report {report_id} is already {STATES[report['state']]} by {report['decided_by']}"
        )
    return report


def reject(repo: Repository, actor: Actor, report_id: int, reason: str) -> dict[str, Any]:
    """Reject a report with a reason (不予受理); it never reaches the ledger. The report as it stands now."""
    if not reason.strip():
        raise ReviewError(422, "reason is empty: say why the report is not taken (不予受理理由)")
    _undecided(repo, actor, report_id)
    with repo.engine.begin() as db:
        _decide(db, report_id, "rejected", actor, reason.strip(), None, time.time())
    return one(repo, actor, report_id)


def verify(review: Review, actor: Actor, report_id: int, finding: Finding, note: str) -> dict[str, Any]:
    """The report is true (群众举报查实): a hazard of source ``public`` on ``finding.project`` (one of the
    inspector's), rectification ordered, the report's photo its evidence; the report as it stands now."""
    repo = review.repo
    report = _undecided(repo, actor, report_id)
    now = time.time()
    pictures = [repo.pictures.put(p) for p in finding.photos]
    if report["photo_sha256"]:
        pictures.append(_stored(repo, report["photo_sha256"]))
    deadline = review.policy.deadline(now, finding.major, finding.deadline_days)
    said = f"群众举报查实（举报 #{report_id}，{report['site']}）" + (
        f"：{note.strip()}" if note.strip() else ""
    )
    with repo.scoped(actor, write=True) as scoped:
        hazard_id = write(
            scoped,
            actor,
            "public",
            f"public:{report_id}",
            finding,
            state="rectifying",
            deadline=deadline,
            pictures=pictures,
            note=said,
            now=now,
        )
        _decide(scoped.db, report_id, "verified", actor, note.strip() or "查实", hazard_id, now)
    return one(repo, actor, report_id)


def _stored(repo: Repository, sha256: str) -> StoredPicture:
    """The report's photo as the evidence store holds it (its hash and size)."""
    jpeg = repo.pictures.get(sha256)
    if jpeg is None:
        raise ReviewError(503, f"the report's photo {sha256} is missing from the evidence store")
    return StoredPicture(sha256, len(jpeg))
