"""The outbox's triggers exist only where forwarding was switched on (regulator/forwarding/outbox.py): a
province, or a city that never forwards, runs no trigger on each ingested event; once on, a change worth
forwarding is queued in its own transaction and a gateway's heartbeat is not. Real PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date
from pathlib import Path
from unittest.mock import ANY

import pytest
import sqlalchemy as sa

from contract.config.dangerous_works import DangerousWork
from regulator.forwarding.outbox import MAX_JOIN_PICTURES, backlog, pending, records, switch_on
from regulator.forwarding.project_lists import member_row, works_row
from regulator.ledger import dangerous_works, video_set
from regulator.storage.evidence import Evidence
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.support import PROJECT, SECRET, make_event, pg_database
from tests.regulator.test_forwarding_city_facts import big_jpeg

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


def forward_triggers(repo: Repository) -> set[str]:
    with repo.engine.connect() as db:
        found = db.execute(
            sa.text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'forward%' AND NOT tgisinternal")
        )
        return set(found.scalars())


def queued(repo: Repository) -> int:
    with repo.engine.connect() as db:
        return backlog(db)


def test_triggers_only_once_forwarding_is_switched_on() -> None:
    with pg_database() as url:
        repo = Repository(url)
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        assert forward_triggers(repo) == set()  # a regulator that does not forward pays for none
        assert queued(repo) == 0
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is True
        every = {
            f"forward_{t}" for t in ("projects", "hazards", "actions", "listings", "notices", "incidents")
        }
        later = {
            "forward_incident_reports",
            "forward_enforcement_actions",
            "forward_person_scores",
            "forward_enforcement",  # deductions and stop-work orders, which grading counts (issue 50 §4)
            "forward_reinspections",  # an inspector on the site, for grading's monthly duty
            "forward_camera_pictures",  # the video set's cameras' latest pictures, for the patrol wall
            "forward_weather_warning_sites",  # the sites' receipts of warnings that came down (issue 50 §2)
            "forward_safety_logs",  # the sites' daily logs and key people's days, for the province's
            "forward_key_attendance",  # compliance and look-back (issue 50 §4)
            "forward_dangerous_works",  # the 危大 lists, inserted or deleted,
            "forward_dangerous_works_changed",  # and updated when the list changed
            "forward_video_set",  # the video-monitoring set's members, included, changed or removed
            "forward_video_set_pictures",  # and on joining it, its cameras' latest pictures at once
            "forward_evidence",  # a hazard's picture or clip: its record lists them (linked evidence)
        }
        assert every | later == forward_triggers(repo)
        assert queued(repo) == 1  # the whole ledger as it was: the one project
        with repo.engine.begin() as db:
            db.execute(sa.text("UPDATE projects SET last_seen_at = 1 WHERE code = :p"), {"p": PROJECT})
        assert queued(repo) == 1  # a heartbeat is not a change the province needs
        with repo.engine.begin() as db:
            db.execute(
                sa.text("UPDATE projects SET contractor = '某建设集团' WHERE code = :p"), {"p": PROJECT}
            )
        assert queued(repo) == 2
        with repo.engine.connect() as db, db.begin():
            db.execute(sa.text("UPDATE projects SET name = '改名' WHERE code = :p"), {"p": PROJECT})
            db.rollback()
        assert queued(repo) == 2  # a change rolled back leaves no queued row
        # started again towards the same province: the triggers are checked, nothing is queued twice
        assert switch_on(repo.engine, "http://province.example:8088", "SZ", "广东省/深圳市") is False
        assert forward_triggers(repo) == every | later and queued(repo) == 2
        with repo.engine.connect() as db:  # the platform's own place, for the page's names of the levels
            assert db.execute(sa.text("SELECT jurisdiction FROM forward_state")).scalar() == "广东省/深圳市"
        repo.engine.dispose()


def test_a_kind_a_newer_release_forwards_queues_what_the_city_already_held() -> None:
    """A city that forwarded before deductions and stop-work orders went up holds some already: the release
    that forwards them queues those at its start, once, not only the ones recorded after it."""
    with pg_database() as url:
        repo = Repository(url)
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is True
        with repo.engine.begin() as db:  # as the earlier release left it: no trigger on the table yet
            db.execute(sa.text("DROP TRIGGER forward_enforcement ON enforcement"))
            db.execute(sa.text("DROP TRIGGER forward_safety_logs ON safety_logs"))
            db.execute(sa.text("DROP TRIGGER forward_key_attendance ON key_attendance"))
            db.execute(sa.text("DROP TRIGGER forward_dangerous_works ON dangerous_works"))
            db.execute(sa.text("DROP TRIGGER forward_dangerous_works_changed ON dangerous_works"))
            db.execute(sa.text("DROP TRIGGER forward_video_set ON video_set"))
            db.execute(
                sa.text("INSERT INTO dangerous_works(project, items, received_at) VALUES (:p, '[]', 1)"),
                {"p": PROJECT},
            )
            db.execute(
                sa.text(
                    "INSERT INTO video_set(project, category, reason, effective_on, decided_by, decided_at) "
                    "VALUES (:p, 'rail_transit', '地铁', '2026-11-20', 'sz', 1)"
                ),
                {"p": PROJECT},
            )
            db.execute(
                sa.text(
                    "INSERT INTO enforcement(project, kind, happened_at, recorded_by, recorded_at) "
                    "VALUES (:p, 'stop_work', 1, 'sz', 1)"
                ),
                {"p": PROJECT},
            )
            db.execute(
                sa.text(
                    "INSERT INTO safety_logs(project, day, signed_by, signed_at, received_at, body) "
                    "VALUES (:p, '2026-11-20', '王监理', 1, 1, '{}')"
                ),
                {"p": PROJECT},
            )
            for person in ("p-1", "p-2"):  # two people of one day: the day queued once
                db.execute(
                    sa.text(
                        "INSERT INTO key_attendance(project, day, person, name, role, minutes, received_at) "
                        "VALUES (:p, '2026-11-20', :who, '某', 'project_manager', 60, 1)"
                    ),
                    {"p": PROJECT, "who": person},
                )
        assert queued(repo) == 1  # the project only
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is False
        with repo.engine.connect() as db:
            queued_now = db.execute(sa.text("SELECT kind, ref FROM forward_outbox ORDER BY id")).all()
        assert [tuple(r) for r in queued_now] == [
            ("project", PROJECT),
            ("enforcement", "1"),
            ("safety_log", f"{PROJECT}:2026-11-20"),
            ("attendance_day", f"{PROJECT}:2026-11-20"),
            ("dangerous_works", PROJECT),
            ("video_set", PROJECT),
        ]
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is False
        assert queued(repo) == 6  # once
        repo.engine.dispose()


def outbox(repo: Repository) -> list[tuple[str, str]]:
    with repo.engine.connect() as db:
        return [tuple(r) for r in db.execute(sa.text("SELECT kind, ref FROM forward_outbox ORDER BY id"))]


WORK = DangerousWork(id="hf-1", name="1号楼高支模", actual_start=date(2026, 11, 1))


def test_a_danger_list_is_queued_once_per_change_and_a_removal_from_the_video_set_too() -> None:
    """Issue 50 §4: a heartbeat repeats the site's 危大 list every few seconds; only a list that changed is
    queued, and a list or a membership of the video-monitoring set deleted is queued (its record then says it
    is gone), as the UPDATE/INSERT trigger alone never would."""
    with pg_database() as url:
        repo = Repository(url)
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is True
        with repo.engine.begin() as db:
            db.execute(sa.text("DELETE FROM forward_outbox"))
        dangerous_works.keep(repo, PROJECT, [WORK], 1.0)
        assert outbox(repo) == [("dangerous_works", PROJECT)]
        dangerous_works.keep(repo, PROJECT, [WORK], 2.0)  # the next heartbeat, the same list
        dangerous_works.keep(repo, PROJECT, [WORK], 3.0)
        assert len(outbox(repo)) == 1
        dangerous_works.keep(repo, PROJECT, [WORK.model_copy(update={"accepted": True})], 4.0)
        assert len(outbox(repo)) == 2
        with repo.engine.begin() as db:
            db.execute(sa.text("DELETE FROM dangerous_works"))
        assert outbox(repo)[2:] == [("dangerous_works", PROJECT)]

        sz = Actor("sz", "regulator", None, "广东省/深圳市")
        video_set.include(repo, sz, video_set.Decision(PROJECT, "地铁车站", category="rail_transit"))
        video_set.remove(repo, sz, video_set.Decision(PROJECT, "主体完工"))
        assert outbox(repo)[3:] == [("video_set", PROJECT), ("video_set", PROJECT)]
        with repo.engine.connect() as db:
            assert member_row(db, PROJECT) == {
                "project": PROJECT,
                "category": None,
                "reason": "主体完工",
                "effective_on": ANY,
                "decided_by": "sz",
                "decided_at": ANY,
            }
            assert works_row(db, PROJECT) == {"project": PROJECT, "items": None}
        repo.engine.dispose()


def pictures_taken(repo: Repository, project: str, cameras: list[str], at: float) -> None:
    """Each of ``cameras`` of ``project`` with a latest picture, taken at ``at`` plus its place in the list."""
    with repo.engine.begin() as db:
        for n, camera in enumerate(cameras):
            db.execute(
                sa.text(
                    "INSERT INTO camera_pictures(project, camera, taken_at, received_at, every_s, findings, jpeg) "
                    "VALUES (:p, :c, :t, :t, 600, '{}', :j)"
                ),
                {"p": project, "c": camera, "t": at + n, "j": b"\xff\xd8"},
            )


def test_joining_the_video_set_queues_each_cameras_latest_picture_once() -> None:
    """Issue 50 §4: a project joining the video-monitoring set queues the latest picture of each of its
    cameras in the joining transaction (not only with each camera's next one, up to 10 minutes on); a change
    of category is no join and queues none; a join after a removal queues them again; at most the newest
    MAX_JOIN_PICTURES cameras' of a project however many its gateway named."""
    other = "GD-SZ-2026-0002"
    with pg_database() as url:
        repo = Repository(url)
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        repo.add_project(other, "另一项目", "深圳", "other-project-secret-0000000000", "南山区")
        pictures_taken(repo, PROJECT, ["cam-gate", "cam-pit"], 1.0)
        pictures_taken(repo, other, ["cam-x"], 1.0)
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is True
        with repo.engine.begin() as db:
            db.execute(sa.text("DELETE FROM forward_outbox"))
        sz = Actor("sz", "regulator", None, "广东省/深圳市")
        video_set.include(repo, sz, video_set.Decision(PROJECT, "地铁车站", category="rail_transit"))
        pictures = [("camera_picture", f"{PROJECT}:cam-gate"), ("camera_picture", f"{PROJECT}:cam-pit")]
        assert outbox(repo) == [("video_set", PROJECT), *pictures]  # the membership first, then its pictures
        video_set.include(repo, sz, video_set.Decision(PROJECT, "改为隧道", category="municipal_tunnel"))
        assert outbox(repo)[3:] == [("video_set", PROJECT)]  # a change of category: no picture again
        video_set.remove(repo, sz, video_set.Decision(PROJECT, "暂停"))
        video_set.include(repo, sz, video_set.Decision(PROJECT, "复工", category="rail_transit"))
        assert outbox(repo)[4:] == [("video_set", PROJECT), ("video_set", PROJECT), *pictures]

        many = [f"cam-{n:03d}" for n in range(MAX_JOIN_PICTURES + 6)]
        pictures_taken(repo, other, many, 10.0)  # the later in the list, the newer
        with repo.engine.begin() as db:
            db.execute(sa.text("DELETE FROM forward_outbox"))
        video_set.include(repo, sz, video_set.Decision(other, "地铁", category="rail_transit"))
        queued_now = outbox(repo)
        assert queued_now[0] == ("video_set", other) and len(queued_now) == 1 + MAX_JOIN_PICTURES
        assert {ref for _, ref in queued_now[1:]} == {f"{other}:{c}" for c in many[-MAX_JOIN_PICTURES:]}


def test_a_city_upgraded_to_list_its_evidence_queues_the_hazards_that_have_some(tmp_path: Path) -> None:
    """A city that forwarded before hazards' records listed their pictures: the release that lists them queues,
    at its start, once, the hazards with a picture kept (not the others); from then on a picture kept with a
    hazard queues it, and the record lists it."""
    with pg_database() as url:
        repo = Repository(url, tmp_path / "evidence")
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is True
        with repo.engine.begin() as db:  # as the earlier release left it
            db.execute(sa.text("DROP TRIGGER forward_evidence ON evidence"))
        jpeg = big_jpeg("crane")
        repo.store_event(make_event("pictured"), secrets.token_hex(8), 600, Evidence("jpeg", jpeg=jpeg))
        repo.store_event(make_event("bare"), secrets.token_hex(8), 600)
        with repo.engine.begin() as db:
            db.execute(sa.text("DELETE FROM forward_outbox"))  # the province took everything
            pictured = db.execute(sa.text("SELECT id FROM hazards WHERE alert_id = 'pictured'")).scalar_one()
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is False
        with repo.engine.connect() as db:
            assert [tuple(r) for r in db.execute(sa.text("SELECT kind, ref FROM forward_outbox"))] == [
                ("hazard", str(pictured))
            ]
            [record] = records(db, pending(db, 10))
        [listed] = json.loads(str(record.row["evidence"]))
        assert listed["sha256"] == hashlib.sha256(jpeg).hexdigest() and listed["purpose"] == "event"
        assert switch_on(repo.engine, "http://province.example:8088", "SZ") is False
        assert queued(repo) == 1  # once
        with repo.engine.begin() as db:  # a clip after its alarm changes nothing of the hazard's row
            db.execute(sa.text("DELETE FROM forward_outbox"))
            db.execute(
                sa.text(
                    "INSERT INTO evidence(hazard_id, purpose, kind, sha256, size, created_at) "
                    "VALUES (:h, 'clip', 'stored', :s, 10, 1)"
                ),
                {"h": pictured, "s": "ab" * 32},
            )
        assert queued(repo) == 1
        repo.engine.dispose()
