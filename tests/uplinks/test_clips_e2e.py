"""A vision alert's evidence clip, end to end (issue #18): a real gateway whose camera is a real RTSP camera
(GStreamer replaying the demo photos as H.264) raises a zone intrusion in its vision worker; the clip the
worker writes travels behind the alert to a real `sitegw regulator serve` app on PostgreSQL; ffprobe
decodes what the regulator serves back; and in Chromium the hazard's detail plays it in a <video>."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from prometheus_client import generate_latest

from contract.config import LoadedSite, load_site
from regulator.access.auth import Accounts
from regulator.storage.db import create_engine
from regulator.storage.repository import Repository
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, own_chromium, pg_database
from tests.regulator.test_review import CHEAP, PASSWORD
from tests.servers.rtsp import RtspServer, rtsp_camera  # noqa: F401 (fixture)
from tests.support import free_port
from tests.uplinks.feedback_site import ThreadedGateway

# 13 s here (a camera worker loads OpenCV and its model, the clip's seconds pass, Chromium plays it): in
# make test-slow, so that make test's new tests stay at a few seconds each
pytestmark = pytest.mark.slow

VIDEO = "document.querySelector('[data-testid=evidence-clip]')"
SHOTS = os.environ.get("SITEGW_SCREENSHOTS")


def site(tmp_path: Path, base_url: str, camera_url: str) -> LoadedSite:
    """A site with one RTSP camera whose whole picture is a danger zone (every head found is an intrusion),
    and one regulator uplink with its defaults (clips on)."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: {PROJECT}, name: 示范项目, city: 深圳}}
uplinks:
  - type: regulator
    base_url: {base_url}
    secret: {SECRET}
    backoff_initial_s: 0.2
    backoff_max_s: 1
vision:
  evidence_dir: {tmp_path / "evidence"}
  cameras:
    - name: pit-cam
      source: {camera_url}
      fps: 4
      helmet: false
      persons: false
      patrol_every_s: 0
      drawn_on: [640, 640]
      zones: [{{name: whole-frame, polygon: [[0, 0], [640, 0], [640, 640], [0, 640]], inertia: 1}}]
      clip_pre_s: 2
      clip_post_s: 2
api: {{host: 127.0.0.1, port: 0}}
""",
        encoding="utf-8",
    )
    return load_site(path)


def first_clip(db: str) -> tuple[int, str, float, float] | None:
    """(hazard id, sha256, when the clip was kept, when its alert's first event was received), if any."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT e.hazard_id, e.sha256, e.created_at, "
                    "(SELECT MIN(v.received_at) FROM events v WHERE v.hazard_id = e.hazard_id) "
                    "FROM evidence e WHERE e.purpose = 'clip' ORDER BY e.id LIMIT 1"
                )
            ).first()
    finally:
        engine.dispose()
    return None if row is None else (row[0], row[1], row[2], row[3])


def test_camera_alert_clip_reaches_the_regulator_and_plays_in_the_hazard(
    tmp_path: Path, rtsp_camera: RtspServer
) -> None:
    with pg_database() as db, ThreadedRegulator(db, evidence_dir=tmp_path / "regulator-evidence") as reg:
        reg.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        Accounts(reg.repo, CHEAP).add_user(
            "li.jian", PASSWORD, "regulator", jurisdiction="广东省/深圳市/南山区"
        )
        with ThreadedGateway(site(tmp_path, reg.base_url, rtsp_camera.url), tmp_path / "gw") as gw:
            deadline = time.monotonic() + 90
            while (clip := first_clip(db)) is None:
                assert time.monotonic() < deadline, (
                    f"no clip reached the regulator; gateway: {gw.clip_stats()}"
                )
                time.sleep(0.3)
            stats = gw.clip_stats()["regulator"]
            scraped = generate_latest(gw.metrics.registry).decode()
        hazard_id, sha256, clip_at, alert_at = clip
        assert alert_at < clip_at, "the alert reached the regulator before its clip"
        assert stats["sent"] >= 1 and stats["dropped"] == 0
        assert 'sitegw_behind_alerts_dropped_total{kind="clips",uplink="regulator"} 0.0' in scraped
        assert 'sitegw_behind_alerts_sent_total{kind="clips",uplink="regulator"}' in scraped

        with httpx.Client(base_url=reg.base_url, timeout=30) as ui:
            assert ui.post("/ui/api/login", json={"username": "li.jian", "password": PASSWORD}).is_success
            detail = ui.get(f"/ui/api/hazards/{hazard_id}").json()
            assert detail["rule"] == "vision.zone_intrusion"
            purposes = [e["purpose"] for e in detail["evidence"]]
            assert "event" in purposes and "clip" in purposes  # the picture and the clip, side by side
            video = ui.get(f"/ui/api/clips/{sha256}")
        assert video.headers["content-type"] == "video/webm"
        (tmp_path / "clip.webm").write_bytes(video.content)
        probe = json.loads(
            subprocess.run(
                [
                    "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                    "-show_entries", "stream=codec_name,width,height,nb_read_frames:format=duration",
                    "-of", "json", str(tmp_path / "clip.webm"),
                ],
                capture_output=True, text=True, check=True, timeout=60,
            ).stdout
        )  # fmt: skip
        stream, duration = probe["streams"][0], float(probe["format"]["duration"])
        # 2 s after the alert at 4 frames/s and what came before it (the camera has just started), 640x640
        assert stream["codec_name"] == "vp8" and (stream["width"], stream["height"]) == (640, 640)
        assert 8 <= int(stream["nb_read_frames"]) <= 22 and 2 <= duration <= 6, probe

        with own_chromium() as page:
            page.goto(reg.base_url + "/")
            page.fill("#login-user", "li.jian")
            page.fill("#login-pass", PASSWORD)
            page.click("#login-btn")
            page.click(f"[data-testid=hazard-row][data-id='{hazard_id}']")
            expect(page.get_by_test_id("evidence-img")).to_be_visible()
            expect(page.get_by_test_id("evidence-clip")).to_be_visible()
            page.wait_for_function(f"() => {VIDEO}.readyState >= 2 && {VIDEO}.duration > 0")
            start = page.evaluate(f"async () => {{ await {VIDEO}.play(); return {VIDEO}.currentTime; }}")
            page.wait_for_function(f"t0 => {VIDEO}.currentTime > t0 + 0.5", arg=start)
            assert page.evaluate(f"() => {VIDEO}.videoWidth") == 640
            if SHOTS:  # SITEGW_SCREENSHOTS=docs/screenshots: the README's picture of a hazard with its clip
                page.locator(".evidence").screenshot(path=f"{SHOTS}/regulator-hazard-clip.png")


def test_regulator_down_across_a_gateway_restart_the_clip_arrives_once(
    tmp_path: Path, rtsp_camera: RtspServer
) -> None:
    """The camera's alert and its clip are raised while the regulator is down; the gateway stops and starts
    again (the zone stays occupied, so the alert is still the same one: no new clip is queued for it); then
    the regulator comes: the alert arrives, and after it its one clip, read back from the gateway's disk."""
    port = free_port()
    loaded = site(tmp_path, f"http://127.0.0.1:{port}", rtsp_camera.url)
    with pg_database() as db:
        with ThreadedGateway(loaded, tmp_path / "gw") as gw:
            deadline = time.monotonic() + 90
            while gw.clip_stats()["regulator"]["waiting"] == 0:
                assert time.monotonic() < deadline, "no clip was queued"
                time.sleep(0.3)
        [waiting] = (tmp_path / "gw" / "clips" / "regulator").glob("*.webm")
        size = waiting.stat().st_size
        # the bureau registered the project before the site went up: registered once the platform serves, the
        # gateway's first try may come before it and be refused for good (401: dead letters, `sitegw redeliver`)
        registry = Repository(db, evidence=tmp_path / "regulator-evidence")
        registry.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        registry.close()
        with (
            ThreadedGateway(loaded, tmp_path / "gw") as gw,
            ThreadedRegulator(db, port=port, evidence_dir=tmp_path / "regulator-evidence"),
        ):
            deadline = time.monotonic() + 60
            while gw.clip_stats()["regulator"]["sent"] == 0:
                assert time.monotonic() < deadline, f"the waiting clip was not delivered: {gw.clip_stats()}"
                time.sleep(0.3)
            time.sleep(3)  # the camera keeps running: no second clip may follow
            assert gw.clip_stats()["regulator"] == {"waiting": 0, "sent": 1, "dropped": 0}
        engine = create_engine(db)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.text("SELECT e.hazard_id, e.size FROM evidence e WHERE e.purpose = 'clip'")
                ).all()
        finally:
            engine.dispose()
        clip = first_clip(db)
        assert clip is not None and len(rows) == 1 and rows[0].size == size
        _, _, clip_at, alert_at = clip
        assert alert_at < clip_at
