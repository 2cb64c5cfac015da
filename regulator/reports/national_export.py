"""The national platform's exchange package for a period: what a locality owes the national platform
(全国工程质量安全监管信息平台) — its projects, hazards, listed supervision (挂牌督办), accidents and near
misses, and enforcement — as a zip of:

* ``package.json``: the schema's name and version, the package's id, jurisdiction, period and producer,
  the counts, and every record under ``items``;
* ``package.xlsx``: one sheet per item, the same records in Chinese headers, and the 字段说明 sheet
  (field, Chinese name, meaning, unit/format) from regulator/reports/national_fields.py, the one table the JSON,
  the workbook and docs/regulator/national-export.md all come from;
* ``manifest.json`` and ``README.txt``: the counts and each file's size and SHA-256.

The records are the ledger's own queries, read through the producer's scope (regulator/storage/scope.py): a
district's package holds its district's projects and nothing of another's. A record belongs to the period
[from, to) by when it began: a hazard by when it was first found, a listing by when it was listed, an
accident by when it happened, an enforcement record by when it was done, a project by being registered
before the period ended; each record's state (治理状态, 上报状态) is the state when the package was made.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from regulator.ledger import enforcement
from regulator.ledger.incidents import Incidents
from regulator.ledger.review import REGULATORS, QueueFilter, Review, ReviewError
from regulator.ledger.supervision import Supervision
from regulator.names import BEIJING, beijing
from regulator.reports import national_fields as nf
from regulator.storage.jurisdictions import SEP
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

MAX_DAYS = 400  # a year's package and a little: a longer period is a mistake in the dates, said so
MAX_RECORDS = 100_000  # of each item in one package (the hazard export's bound, regulator/ledger/review.py)
ZIP_TYPE = "application/zip"
DAY = "%Y-%m-%d"


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) in Unix seconds, from Beijing midnights; ``first`` and ``until``: the days as given."""

    start: float
    end: float
    first: str
    until: str


def period(first: str, until: str) -> Period:
    """The period from day ``first`` to day ``until`` (yyyy-MM-dd, Beijing time; ``until`` not included);
    ReviewError 422 naming the fix for a day that is not one, or a period that is empty or too long."""
    days = []
    for name, text in (("from", first), ("to", until)):
        try:
            days.append(datetime.strptime(text.strip(), DAY).replace(tzinfo=BEIJING))
        except ValueError:
            raise ReviewError(
                422, f"{name} {text!r}: give a day as yyyy-MM-dd (Beijing time), e.g. 2026-11-01"
            ) from None
    start, end = days
    if end <= start:
        raise ReviewError(422, f"to {until} is not after from {first}: the period is [from, to), to excluded")
    if (end - start).days > MAX_DAYS:
        raise ReviewError(422, f"the period is {(end - start).days} days: at most {MAX_DAYS}, split it")
    return Period(start.timestamp(), end.timestamp(), start.strftime(DAY), end.strftime(DAY))


@dataclass(slots=True)
class Package:
    """A package made: its id and envelope, its records per item, the accidents' ids, and its files."""

    id: str
    jurisdiction: str
    period: Period
    produced_by: str
    produced_at: float
    records: dict[str, list[dict[str, Any]]]
    incident_ids: list[int]
    zip: bytes = b""
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Records per item."""
        return {k: len(v) for k, v in self.records.items()}

    @property
    def sha256(self) -> str:
        """The zip's SHA-256, as recorded when it was made."""
        return hashlib.sha256(self.zip).hexdigest()

    @property
    def filename(self) -> str:
        """What a download is saved as: 全国平台交换包_<place>_<from>_<to>.zip."""
        place = self.jurisdiction.replace(SEP, "") or "全部辖区"
        return f"全国平台交换包_{place}_{self.period.first}_{self.period.until}.zip"


def require_authority(actor: Actor) -> None:
    """403 unless ``actor`` is an authority's user (a regulator or an admin)."""
    if actor.role not in REGULATORS:
        raise ReviewError(403, "the national export is the authority's (监管部门): a project user has none")


def new_id(now: float) -> str:
    """A package id that says when it was made and cannot repeat: NE-20261125-060512-3f9a1c."""
    return f"NE-{beijing(now).strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


PROJECT_KEYS = ("code", "name", "contractor", "supervisor", "created_at", "lat", "lon", "path")


def projects(repo: Repository, actor: Actor, end: float) -> list[dict[str, Any]]:
    """The projects ``actor`` may see registered before ``end``, by code, with their place's path."""
    with repo.scoped(actor) as db:
        rows = db.execute(
            "SELECT p.code, p.name, p.contractor, p.supervisor, p.created_at, p.lat, p.lon, j.path "
            f"FROM {PROJECTS} p LEFT JOIN jurisdictions j ON j.id = p.district_id "
            "WHERE p.created_at < :end ORDER BY p.code LIMIT :limit",
            {"end": end, "limit": MAX_RECORDS + 1},
        ).all()
    return [dict(zip(PROJECT_KEYS, r, strict=True)) for r in rows]


def gather(
    review: Review, supervision: Supervision, incidents: Incidents, actor: Actor, p: Period, now: float
) -> dict[str, list[dict[str, Any]]]:
    """The ledger's rows of each item for period ``p`` as ``actor`` sees them, oldest first; 422 for an
    item with more than MAX_RECORDS (the period is to be split)."""
    found = {
        "projects": projects(review.repo, actor, p.end),
        "hazards": review.matching(
            QueueFilter(state="all", found_from=p.start, found_before=p.end), actor, MAX_RECORDS
        ),
        "listings": supervision.listings(
            actor, state="all", listed_from=p.start, listed_before=p.end, limit=MAX_RECORDS + 1
        ),
        "accidents": incidents.between(actor, p.start, p.end, now, MAX_RECORDS + 1),
        "enforcement": enforcement.between(review.repo, actor, p.start, p.end),
    }
    for key, rows in found.items():
        if len(rows) > MAX_RECORDS:
            raise ReviewError(
                422,
                f"more than {MAX_RECORDS} {key} in {p.first}..{p.until}: split the period into shorter ones",
            )
        if key != "projects":
            rows.sort(key=lambda r: r["id"])
    return found


def assemble(
    actor: Actor, p: Period, sources: dict[str, list[dict[str, Any]]], now: float, package_id: str
) -> Package:
    """The package of ``sources`` (``gather``'s), its files written and zipped."""
    items = {item.key: [nf.record(item, s) for s in sources[item.key]] for item in nf.ITEMS}
    package = Package(
        package_id,
        actor.jurisdiction or "",
        p,
        actor.name,
        now,
        items,
        [s["id"] for s in sources["accidents"]],
    )
    envelope = {
        "schema": nf.SCHEMA,
        "schema_version": nf.SCHEMA_VERSION,
        "package_id": package_id,
        "jurisdiction": package.jurisdiction,
        "period_from": p.start,
        "period_to": p.end,
        "produced_by": actor.name,
        "produced_at": now,
    }
    head = {f.key: nf.json_value(f, envelope[f.key]) for f in nf.ENVELOPE.fields if f.key in envelope}
    document = head | {"counts": package.counts, "items": items}
    files = {
        "package.json": json.dumps(document, ensure_ascii=False, indent=1).encode(),
        "package.xlsx": workbook(sources),
    }
    files["manifest.json"] = json.dumps(
        manifest(head, package.counts, files), ensure_ascii=False, indent=1
    ).encode()
    files["README.txt"] = readme(head, package.counts, files).encode()
    package.files = files
    package.zip = zipped(files, now)
    return package


def workbook(sources: dict[str, list[dict[str, Any]]]) -> bytes:
    """package.xlsx: a sheet per item (Chinese headers, the same values as the JSON), then 字段说明."""
    # openpyxl loads here, not with the module: `sitegw` registers this module's command at every start,
    # and the edge box's CLI must not carry the spreadsheet library (tests/gateway/test_start_imports.py)
    from openpyxl import Workbook

    from regulator.reports.xlsx_sheet import add_sheet

    book = Workbook(write_only=True)
    for item in nf.ITEMS:
        add_sheet(
            book,
            item.sheet,
            [(f.zh, f.width) for f in item.fields],
            ([nf.cell_value(f, f.get(s) if f.get else None) for f in item.fields] for s in sources[item.key]),
        )
    add_sheet(book, nf.FIELD_SHEET, nf.FIELD_HEADERS, nf.rows())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def manifest(head: dict[str, Any], counts: dict[str, int], files: dict[str, bytes]) -> dict[str, Any]:
    """manifest.json: the envelope, the counts, and each file's size and SHA-256."""
    return head | {
        "counts": counts,
        "files": [{"name": n, "bytes": len(b), "sha256": _hash(b)} for n, b in files.items()],
    }


def readme(head: dict[str, Any], counts: dict[str, int], files: dict[str, bytes]) -> str:
    """README.txt: the same as the manifest, in words, Chinese first."""
    lines = [
        "全国工程质量安全监管信息平台 数据交换包 (national platform exchange package)",
        "",
        f"交换包编号: {head['package_id']}",
        f"格式: {head['schema']} {head['schema_version']}",
        f"辖区: {head['jurisdiction'] or '全部项目'}",
        f"统计期: {head['period_from']} 至 {head['period_to']}（不含）",
        f"生成: {head['produced_by']} 于 {head['produced_at']}",
        "",
        "记录数 (records):",
        *(f"  {item.sheet} ({item.key}): {counts[item.key]}" for item in nf.ITEMS),
        "",
        "文件 (files), SHA-256:",
        *(f"  {name}  {len(body)} bytes  {_hash(body)}" for name, body in files.items()),
        "",
        "package.json 与 package.xlsx 内容相同；各字段的中文名称、含义和格式见 package.xlsx 的“字段说明”表。",
        "报送全国平台后，请在监管平台将本交换包标记为已报送，以停止其中事故的48小时上报时限。",
        "",
    ]
    return "\n".join(lines)


def zipped(files: dict[str, bytes], now: float) -> bytes:
    """The files as a zip, each dated ``now`` (Beijing time), so the same files make the same bytes."""
    stamp = beijing(now).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return out.getvalue()
