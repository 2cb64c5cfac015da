"""The REST API over real HTTP against the simulated site (`sitegw demo` in-process)."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest

from contract import __version__
from contract.readings import Quality, Reading
from rules.result import RuleResult
from tests.api.site import RunningSite


def get(site: RunningSite, path: str, **params: object) -> httpx.Response:
    return httpx.get(site.url + path.lstrip("/"), params=params, timeout=10)


def wait_for(check, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def test_site_shows_cranes_with_bands_zones_and_pit_points_with_limits(site: RunningSite) -> None:
    body = get(site, "api/v1/site").json()
    assert body["code"] == "GD-SZ-2026-0001"
    cranes = {c["id"]: c for c in body["cranes"]}
    assert set(cranes) == {"crane-1", "crane-2"}
    assert cranes["crane-1"]["bands"]["load_pct"] == {"warning": 90, "alarm": 100, "critical": 110}
    assert cranes["crane-1"]["bands"]["wind_ms"]["alarm"] == 13.8
    assert cranes["crane-1"]["bands"]["tilt_deg"]["alarm"] == pytest.approx(0.2292, abs=1e-3)  # 4/1000
    assert body["zones"][0]["name"].startswith("学校操场")
    points = {p["code"]: p for p in body["pit_points"]}
    assert len(points) == 13
    strut = {lim["metric"]: lim for lim in points["ZL-01"]["limits"]}
    assert strut["axial_kn"]["cumulative"] == 2400  # grade 1: 60 % of 4000 kN
    wall = {lim["metric"]: lim for lim in points["ZQS-01"]["limits"]}
    assert wall["disp_h_mm"]["cumulative"] == 20 and wall["disp_h_mm"]["warning_fraction"] == 0.7
    assert body["cameras"] == []  # the reference site has no camera


def test_devices_come_online_with_their_latest_values(site: RunningSite) -> None:
    wait_for(lambda: all(d["online"] for d in get(site, "api/v1/site").json()["devices"]))
    crane = get(site, "api/v1/devices/crane-1").json()
    metrics = {r["metric"] for r in crane["latest"]}
    assert {"load_t", "radius_m", "slew_deg", "moment_pct"} <= metrics
    missing = get(site, "api/v1/devices/crane-9")
    assert missing.status_code == 404 and "crane-1" in missing.json()["detail"]
    # The pit's points arrive in separate messages: online means the first has come, not all of them.
    wanted = {"ZQS-01", "ZL-01", "SW-01"}
    wait_for(
        lambda: {r["point"] for r in get(site, "api/v1/readings/latest", device="pit-1").json()} >= wanted
    )


def test_history_is_downsampled_to_max_points(site: RunningSite) -> None:
    def stored() -> bool:  # 404 until the store's first flush holds the series
        r = get(site, "api/v1/history", device="crane-1", metric="slew_deg")
        return r.status_code == 200 and len(r.json()["points"]) >= 4

    wait_for(stored)
    raw = get(site, "api/v1/history", device="crane-1", metric="slew_deg").json()
    assert raw["bucket_s"] == 0 and raw["unit"] == "deg"
    start, end = raw["points"][0]["ts"], raw["points"][-1]["ts"]
    two = get(
        site, "api/v1/history", device="crane-1", metric="slew_deg", start=start, end=end, max_points=2
    ).json()
    assert len(two["points"]) <= 2 and two["bucket_s"] > 0
    assert sum(p["count"] for p in two["points"]) >= 4
    assert get(site, "api/v1/history", device="crane-1", metric="nope").status_code == 404
    assert get(site, "api/v1/history", device="crane-1", metric="load_t", start=10, end=5).status_code == 422


def test_alerts_filter_acknowledge_with_note_and_resolve(site: RunningSite) -> None:
    # the demo's overload scenario: crane-1's first lift carries 104-115 % of the rated load
    # (its warning at 90 % comes first; a slow box may still be there when the first alert shows)
    crane = wait_for(
        lambda: [
            a
            for a in get(site, "api/v1/alerts", rule="crane.load", device="crane-1").json()
            if a["level"] in ("alarm", "critical")
        ],
        timeout=40,
    )[0]
    assert crane["clause"].startswith("GB 5144-2006")
    # a lift ends in seconds; the pit's displacement rate (the pit simulator's scenario) stays: act on that
    alert = wait_for(lambda: get(site, "api/v1/alerts", rule="pit.rate", state="firing").json(), timeout=40)[
        0
    ]
    assert all(a["rule"] == "pit.rate" for a in get(site, "api/v1/alerts", rule="pit.rate").json())
    assert get(site, "api/v1/alerts", level="purple").status_code == 422
    assert get(site, "api/v1/alerts", since=time.time() + 3600).json() == []

    aid = alert["alert_id"]
    url = site.url + f"api/v1/alerts/{aid}/acknowledge"
    assert httpx.post(url, json={"note": "x"}).status_code == 401  # nothing writes anonymously
    assert httpx.post(url, json={"note": "x"}, headers=site.login("viewer1")).status_code == 403
    sup = site.login("super1")
    done = httpx.post(url, json={"note": "已通知司机卸载"}, headers=sup, timeout=10)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "acknowledged" and done.json()["acked_by"] == "super1"
    again = httpx.post(url, json={"note": ""}, headers=sup, timeout=10)
    assert again.status_code == 409 and "already acknowledged" in again.json()["detail"]
    detail = get(site, f"api/v1/alerts/{aid}").json()
    ack = [e for e in detail["history"] if e["state"] == "acknowledged"]
    assert ack and ack[0]["actor"] == "super1" and ack[0]["note"] == "已通知司机卸载"

    resolved = httpx.post(
        site.url + f"api/v1/alerts/{aid}/resolve", json={"note": "复查正常"}, headers=sup, timeout=10
    )
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert httpx.post(site.url + "api/v1/alerts/nope/acknowledge", json={}, headers=sup).status_code == 404


def test_silences_are_set_listed_and_ended_by_a_supervisor(site: RunningSite) -> None:
    sup = site.login("super1")
    body = {"device": "crane-2", "reason": "2号塔吊顶升加节", "end_ts": time.time() + 3600}
    assert httpx.post(site.url + "api/v1/silences", json=body).status_code == 401
    made = httpx.post(site.url + "api/v1/silences", json=body, headers=sup, timeout=10)
    assert made.status_code == 201 and made.json()["author"] == "super1"
    sid = made.json()["id"]
    assert sid in [s["id"] for s in get(site, "api/v1/silences", active=True).json()]
    bad = httpx.post(
        site.url + "api/v1/silences", json={"reason": "all", "end_ts": time.time() + 60}, headers=sup
    )
    assert bad.status_code == 422 and "device or a rule" in bad.json()["detail"]
    ended = httpx.delete(site.url + f"api/v1/silences/{sid}", headers=sup, timeout=10)
    assert ended.status_code == 200 and ended.json()["deleted_by"] == "super1"
    assert sid not in [s["id"] for s in get(site, "api/v1/silences", active=True).json()]
    assert httpx.delete(site.url + f"api/v1/silences/{sid}", headers=sup).status_code == 404


def test_health_names_uplink_backlog_store_and_versions(site: RunningSite) -> None:
    h = get(site, "api/v1/health").json()
    assert h["versions"]["sitegw"] and h["versions"]["python"].startswith("3.")
    assert "regulator" in h["uplinks"] and "oldest_unsent_s" in h["uplinks"]["regulator"]
    assert h["store"]["rows"] >= 0 and h["cameras"] == []
    # every device of the site file, whatever its kind
    assert set(h["devices"]) == {d.id for d in site.gw.site.config.devices}
    assert set(h["devices"]) >= {
        "crane-1",
        "crane-2",
        "anemo-1",
        "pit-1",
        "hoist-1",
        "formwork-1",
        "gate-1",
        "platform-1",
        "cs-1",
        "weather-1",
    }


def test_healthz_says_the_release_to_a_probe_without_a_token(site: RunningSite) -> None:
    site.gw.auth.anonymous_read = False  # type: ignore[union-attr]  # a production site: no token, no reading
    try:
        assert get(site, "api/v1/health").status_code == 401  # the site's health stays a viewer's
        assert get(site, "healthz").json() == {"status": "ok", "version": __version__}
    finally:
        site.gw.auth.anonymous_read = True  # type: ignore[union-attr]
    assert get(site, "api/v1/health").json()["version"] == __version__


def test_metrics_has_the_families_a_site_is_watched_by(site: RunningSite) -> None:
    text = get(site, "metrics").text
    for family in (
        "sitegw_readings_in_total",
        "sitegw_rule_evaluations_total",
        "sitegw_alerts_active",
        "sitegw_alert_events_total",
        "sitegw_outbox_depth",
        "sitegw_oldest_unsent_s",
        "sitegw_live_clients",
    ):
        assert family in text, family
    evaluations = float(
        next(
            line.split()[-1] for line in text.splitlines() if line.startswith("sitegw_rule_evaluations_total")
        )
    )
    assert evaluations > 0


@dataclass
class Camera:
    id: str
    name: str
    online: bool
    last_frame_ts: float | None
    frames: int | None = None
    dropped_frames: int | None = None
    late_s: float | None = None
    behind: bool = False


class CameraService:
    """Stand-in for the camera workers (they need a camera and seconds of CPU the API test does not):
    the CameraService the API and /metrics read (gateway/camera_service.py), answering from memory."""

    def __init__(self, jpeg: bytes) -> None:
        self.jpeg = jpeg

    def cameras(self) -> list[Camera]:
        return [
            Camera("cam-1", "1号门口", True, time.time(), 120, 3),
            Camera("cam-2", "基坑东", False, None),
        ]

    def stats(self) -> dict[str, dict[str, float | int | bool]]:
        return {"cam-1": {"alive": True, "restarts": 1, "heartbeat_age_s": 0.5}}

    def latest_jpeg(self, camera_id: str) -> bytes | None:
        return self.jpeg if camera_id == "cam-1" else None

    def evidence_jpeg(self, alert_id: str) -> bytes | None:
        return self.jpeg if alert_id == "a-1" else None


def test_cameras_frames_and_evidence(site: RunningSite) -> None:
    jpeg = base64.b64decode(
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwg"
    )
    services = site.gw.api_services  # what the API and /metrics read: a camera service of the test's own
    before = services.cameras
    services.cameras = CameraService(jpeg)
    try:
        cams = get(site, "api/v1/cameras").json()
        assert [(c["id"], c["online"]) for c in cams] == [("cam-1", True), ("cam-2", False)]
        frame = get(site, "api/v1/cameras/cam-1/latest.jpg")
        assert (
            frame.status_code == 200
            and frame.headers["content-type"] == "image/jpeg"
            and frame.content == jpeg
        )
        assert get(site, "api/v1/cameras/cam-2/latest.jpg").status_code == 404
        assert get(site, "api/v1/alerts/a-1/evidence.jpg").content == jpeg
        assert get(site, "api/v1/alerts/none/evidence.jpg").status_code == 404
        site.gw.bus.publish_threadsafe(
            [Reading(time.time(), "GD-SZ-2026-0001", "cam-1", "inference_ms", 46.0, "ms", Quality.OK, "")]
        )
        text = wait_for(
            lambda: next((t for t in [get(site, "metrics").text] if "sitegw_inference_ms{" in t), None)
        )
        assert 'sitegw_inference_ms{camera="cam-1"} 46.0' in text
        assert 'sitegw_frames_analysed_total{camera="cam-1"} 120.0' in text
        assert 'sitegw_frames_dropped_total{camera="cam-1"} 3.0' in text
        assert 'sitegw_camera_worker_restarts_total{camera="cam-1"} 1.0' in text
        health = get(site, "api/v1/health").json()["cameras"][0]
        assert health["id"] == "cam-1" and health["worker"]["alive"] is True
    finally:
        services.cameras = before


def test_inline_evidence_is_listed_as_a_link_and_served_as_jpeg(site: RunningSite) -> None:
    jpeg = b"\xff\xd8\xff\xe0 evidence \xff\xd9"
    # a vision verdict handed to the alert manager as the vision workers will (no camera on this site)
    site.gw.monitor.alerts.handle(
        [
            RuleResult(
                rule="vision.no_helmet",
                device="cam-9",
                point="",
                level="warning",
                ts=time.time(),
                clause="JGJ 59-2011",
                message="未戴安全帽 | no hard hat",
                evidence=base64.b64encode(jpeg).decode(),
            )
        ]
    )
    (alert,) = get(site, "api/v1/alerts", rule="vision.no_helmet", device="cam-9").json()
    assert alert["evidence"] == f"/api/v1/alerts/{quote(alert['alert_id'], safe='')}/evidence.jpg"
    detail = get(site, f"api/v1/alerts/{alert['alert_id']}").json()
    assert detail["history"][0]["evidence"] == alert["evidence"]
    image = httpx.get(site.url.rstrip("/") + alert["evidence"], timeout=10)
    assert image.status_code == 200 and image.content == jpeg
