"""Hot work seen by a camera, end to end (docs/standards.md §18; issue 51 §3): a camera zone marked for hot
work over the ground of a real site photo (the shipped CC BY 4.0 sample 000702.jpg, workers standing in its
lower part), the head and person networks counting them, the frame's readings and its picture as vision's
worker sends them, and the rule engine; then a real gateway whose camera worker replays the photo, the alert
reaching its API with its evidence picture, and a supervisor's permit for the place ending it (the rule's
edges: tests/rules/test_hot_work_zone.py)."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from contract.config import LoadedSite, load_site
from gateway.api.auth_store import AuthStore
from rules import RuleEngine, RuleResult
from tests.api.test_hot_work_routes import request
from tests.rules.sites import PROJECT
from tests.rules.test_hot_work_zone import SETTLE_S, T0, hot_site
from tests.uplinks.feedback_site import ThreadedGateway
from tests.vision.conftest import SAMPLE, load
from vision.detectors.helmet import HelmetDetector
from vision.detectors.person import PersonDetector
from vision.model_files import DEFAULT_MODEL
from vision.pipeline import CameraAnalyzer
from vision.sources import Frame
from vision.worker import FrameSummary

PHOTO = SAMPLE / "images" / "000702.jpg"
GROUND = ((0.0, 0.625), (1.0, 0.625), (1.0, 1.0), (0.0, 1.0))  # where the photo's workers stand
FOREGROUND = ((0.0, 0.88), (1.0, 0.88), (1.0, 1.0), (0.0, 1.0))  # in front of the workers' feet: nobody
PASSWORD = "correct-horse-9"


@pytest.fixture(scope="module")
def networks() -> tuple[HelmetDetector, PersonDetector]:
    """The shipped head and person networks, as a camera's worker loads them."""
    return HelmetDetector(DEFAULT_MODEL), PersonDetector()


def watched(
    site: LoadedSite, networks: tuple[HelmetDetector, PersonDetector], seconds: int, step: int = 5
) -> tuple[list[RuleResult], list[str], int]:
    """A frame of the photo every ``step`` s for ``seconds`` s through the camera's analysis into the engine, the
    pictures handed over before the readings as the gateway does: the zone's verdicts, the vision events the
    frames raised, and how many pictures were taken."""
    assert site.config.vision is not None
    analyzer = CameraAnalyzer(site.config.vision.cameras[0], *networks)
    engine = RuleEngine(site)
    img, _ = load(PHOTO.name)
    out: list[RuleResult] = []
    events: list[str] = []
    pictures = 0
    for t in range(0, seconds + 1, step):
        res, found = analyzer.analyse(Frame(T0 + t, img, "0", True))
        events += [e.rule for e in found]
        summary = FrameSummary.of(res)
        for zone, jpeg in summary.pictures:
            engine.hot_work_picture(summary.camera, zone, base64.b64encode(jpeg).decode())
            pictures += 1
        batch = summary.readings(PROJECT)
        out += [
            r for r in engine.tick(T0 + t) + engine.process(batch) if r.rule == "hot_work.zone_unpermitted"
        ]
    return out, events, pictures


def test_workers_in_a_zone_marked_for_hot_work_with_no_permit_are_an_alarm_with_their_picture(
    tmp_path: Path, networks: tuple[HelmetDetector, PersonDetector]
) -> None:
    found, events, pictures = watched(hot_site(tmp_path, polygon=GROUND), networks, int(SETTLE_S))
    assert [r.level for r in found] == ["alarm"] and found[0].ts == T0 + SETTLE_S
    assert found[0].message.startswith("摄像头 cam-hot「5层焊接区」（动火区：3号楼5层）内有 ")
    assert found[0].value is not None and found[0].value >= 2  # the photo's workers on the ground
    assert events == []  # no standing 禁入区: no vision.zone_intrusion
    assert pictures == 7  # at the first frame, then every 10 s while they stay (0, 10, ... 60 s)
    assert found[0].evidence is not None
    picture = cv2.imdecode(np.frombuffer(base64.b64decode(found[0].evidence), np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape == load(PHOTO.name)[0].shape  # the whole frame, annotated


def test_nobody_in_the_zone_is_no_alert_and_no_picture(
    tmp_path: Path, networks: tuple[HelmetDetector, PersonDetector]
) -> None:
    found, events, pictures = watched(hot_site(tmp_path, polygon=FOREGROUND), networks, int(SETTLE_S) + 5)
    assert found == [] and events == [] and pictures == 0


def gateway_site(tmp_path: Path) -> LoadedSite:
    """A site of one camera replaying the photo, its ground marked for hot work at 钢筋加工棚 (a place no
    welder serves: the site lists it), settled after 2 s."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: {PROJECT}, name: 示范项目, city: 深圳}}
hot_work_places: [钢筋加工棚]
vision:
  evidence_dir: {tmp_path / "evidence"}
  cameras:
    - name: cam-shed
      source: {PHOTO}
      kind: images
      loop: true
      hold_frames: 100
      fps: 2
      helmet: false
      motion_gate: false
      patrol_every_s: 0
      zones:
        - name: 加工棚焊接区
          polygon: {[list(p) for p in GROUND]}
          hot_work_at: [钢筋加工棚]
          hot_work_settle_s: 2
          inertia: 1
api: {{host: 127.0.0.1, port: 0}}
""",
        encoding="utf-8",
    )
    return load_site(path)


def login(url: str, name: str) -> dict[str, str]:
    r = httpx.post(url + "api/v1/auth/login", json={"username": name, "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    return {"Authorization": "Bearer " + r.json()["token"]}


def hot_work_alerts(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = httpx.get(
        url + "api/v1/alerts", params={"rule": "hot_work.zone_unpermitted"}, headers=headers, timeout=10
    )
    r.raise_for_status()
    return list(r.json())


def wait_for(what: str, probe: Any, timeout_s: float = 90) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := probe()):
        assert time.monotonic() < deadline, f"no {what} within {timeout_s:g} s"
        time.sleep(0.3)
    return found


@pytest.mark.slow  # a camera worker loads OpenCV and both networks: ~15 s of a 2-core box
def test_a_gateways_camera_raises_it_at_the_api_with_its_picture_and_a_permit_ends_it(tmp_path: Path) -> None:
    state = tmp_path / "gw"
    state.mkdir()
    users = AuthStore(state / "users.sqlite")
    users.add_user("viewer1", "viewer", PASSWORD, replace=True)
    users.add_user("super1", "supervisor", PASSWORD, replace=True)
    users.close()
    with ThreadedGateway(gateway_site(tmp_path), state) as gw:
        assert gw.url is not None
        url, viewer = gw.url, login(gw.url, "viewer1")
        [alert] = wait_for("hot-work alert", lambda: hot_work_alerts(url, viewer))
        assert alert["state"] == "firing" and alert["level"] == "alarm"
        assert (alert["device"], alert["point"]) == ("cam-shed", "加工棚焊接区")
        assert alert["message"].startswith("摄像头 cam-shed「加工棚焊接区」（动火区：钢筋加工棚）内有 ")
        assert "无动火许可证，疑似无动火证作业：立即到场核查" in alert["message"]
        assert alert["clause"].startswith("GB/T 50720-2011（2025年版）第6.3.1条第1款")
        picture = httpx.get(url + alert["evidence"].lstrip("/"), headers=viewer, timeout=10)
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
        decoded = cv2.imdecode(np.frombuffer(picture.content, np.uint8), cv2.IMREAD_COLOR)
        assert decoded.shape == load(PHOTO.name)[0].shape

        body = request(place="钢筋加工棚")  # from a minute ago to eight hours on, every measure confirmed
        issued = httpx.post(url + "api/v1/hot-work", json=body, headers=login(url, "super1"), timeout=10)
        assert issued.status_code == 200, issued.text

        def resolved() -> list[dict[str, Any]]:
            return [a for a in hot_work_alerts(url, viewer) if a["state"] == "resolved"]

        [ended] = wait_for("resolution", resolved, 20)
        assert ended["message"].endswith("已有有效动火许可证，已恢复正常")
        time.sleep(3)  # the workers are still there, under the permit now: no new alert
        assert [a["state"] for a in hot_work_alerts(url, viewer)] == ["resolved"]
