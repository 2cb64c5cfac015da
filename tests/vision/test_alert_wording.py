"""What a safety officer reads of a vision alert: the camera, what was seen and, while it lasts, what to
do (Chinese message, English twin), and a clause that says what the rule rests on; and the Chinese
words burned into its evidence picture."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from contract.config.camera import CameraConfig, EdgeConfig, ZoneConfig
from contract.vision_event import VisionEvent
from rules.vision_rules import ACTIONS, to_rule_result
from tests.vision.conftest import load
from vision.detections import Detection, FrameResult, Violation
from vision.edges import EdgeWatch
from vision.events import LABELS
from vision.evidence import COLOURS, DETECTION_LABELS, WHITE, annotate, header_lines, text_scales
from vision.text import CELL, has_glyph, put_text, text_mask
from vision.zones import ZoneWatch


def firing(rule: str, v: Violation) -> VisionEvent:
    """The event the camera's pipeline raises for a new violation."""
    return VisionEvent(
        "gate-cam", rule, v.target, "firing", 10.0, v.score, v.message, message_en=v.message_en
    )


def resolved(rule: str, target: str) -> VisionEvent:
    """The event the pipeline raises once a violation is gone: the rules word it."""
    return VisionEvent("gate-cam", rule, target, "resolved", 20.0, 0.0)


def test_zone_intrusion_names_camera_zone_people_and_the_action() -> None:
    zone = ZoneConfig(name="塔吊回转区", polygon=[(100, 100), (500, 100), (500, 400), (100, 400)], inertia=1)
    (v,) = ZoneWatch([zone]).update(0.0, [Detection("helmet", (290, 190, 310, 210), 0.9)])
    alert = to_rule_result(firing("vision.zone_intrusion", v))
    assert alert.level == "alarm" and alert.point == "塔吊回转区"
    assert alert.message == "摄像头 gate-cam 发现 1 人进入禁入区 塔吊回转区（停留 0 s）：人员撤出危险区域"
    assert alert.message_en == (
        "camera gate-cam sees 1 person inside danger zone 塔吊回转区 for 0 s: get everyone out of the danger zone"
    )
    assert alert.clause == "本站自设禁入区（非标准条文）：人员不得进入"
    clear = to_rule_result(resolved("vision.zone_intrusion", "塔吊回转区"))
    assert clear.level is None
    assert clear.message == "摄像头 gate-cam 禁入区 塔吊回转区 内已无人员，已恢复正常"


def test_zone_intrusion_value_is_the_people_its_message_counts() -> None:
    """The regulator's 峰值 of an intrusion is the number of people inside, not a detector's 1."""
    zone = ZoneConfig(name="塔吊回转区", polygon=[(100, 100), (500, 100), (500, 400), (100, 400)], inertia=1)
    heads = [Detection("helmet", (x, 190, x + 20, 210), 0.9) for x in (150, 230, 310, 390)]
    (v,) = ZoneWatch([zone]).update(0.0, heads)
    alert = to_rule_result(firing("vision.zone_intrusion", v))
    assert "发现 4 人进入禁入区" in alert.message and alert.value == 4


def test_missing_edge_protection_names_the_edge_and_the_action() -> None:
    ref, _ = load("000848.jpg")
    edge = EdgeConfig(
        name="东侧楼板边", polyline=[(360, 318), (500, 318), (636, 322)], band_px=24, missing_frames=1
    )
    other, _ = load("000930.jpg")  # the same size, no barrier along that line
    (v,) = EdgeWatch([edge], ref).update(other, [])
    alert = to_rule_result(firing("vision.edge_missing", v))
    assert alert.level == "alarm"
    assert alert.message.startswith("摄像头 gate-cam 发现临边 东侧楼板边 防护缺失（")
    assert alert.message.endswith("区段与验收时画面不同）：恢复临边防护，恢复前禁止人员靠近临边")
    assert alert.clause.startswith("JGJ 80-2016 临边作业应设防护栏杆") and "一般隐患" in alert.clause
    clear = to_rule_result(resolved("vision.edge_missing", "东侧楼板边"))
    assert clear.message == "摄像头 gate-cam 临边 东侧楼板边 防护在位，已恢复正常"
    assert clear.message_en == "camera gate-cam sees edge protection at 东侧楼板边 in place, back to normal"


def test_camera_offline_says_what_it_stops_and_that_no_standard_is_behind_it() -> None:
    down = VisionEvent(
        "gate-cam", "camera.offline", "", "firing", 1.0, 1.0, "离线，无画面（exited with code -9）",
        message_en="offline, no picture (exited with code -9)",
    )  # fmt: skip
    alert = to_rule_result(down)
    assert alert.message == (
        "摄像头 gate-cam 离线，无画面（exited with code -9）：检查摄像头供电与网络，恢复前安排人员现场巡查"
    )
    assert alert.clause.startswith("本站视频监控中断（非标准条文）")
    assert to_rule_result(resolved("camera.offline", "")).message == "摄像头 gate-cam 视频在线，已恢复正常"


@pytest.mark.parametrize("rule", sorted(ACTIONS))
def test_every_vision_rule_acts_while_firing_and_not_once_clear(rule: str) -> None:
    action, action_en = ACTIONS[rule]
    alert = to_rule_result(firing(rule, Violation(rule, "东侧", 0.9, (), "发现异常", "sees a problem")))
    assert alert.message.endswith("：" + action) and alert.message_en.endswith(": " + action_en)
    clear = to_rule_result(resolved(rule, "东侧"))
    assert action not in clear.message and action_en not in clear.message_en
    assert clear.message.endswith("，已恢复正常") and "：" not in clear.message
    assert "vision." not in alert.clause and not alert.clause.isascii()  # Chinese, not a rule id


def test_every_word_burned_into_pictures_is_chinese_and_drawable() -> None:
    words = [*LABELS.values(), *DETECTION_LABELS.values(), "禁入区", "临边"]
    for word in words:
        assert not word.isascii(), word
        assert all(has_glyph(ch) for ch in word), word


def test_the_broken_rules_are_burned_in_chinese_at_the_top() -> None:
    img, _ = load("000303.jpg")
    cam = CameraConfig(name="gate-cam", source="x", drawn_on=(640, 640))
    res = FrameResult(
        "gate-cam",
        1_790_000_000.0,
        img.shape[1],
        img.shape[0],
        [Detection("no_helmet", (100, 100, 160, 170), 0.9)],
        [
            Violation("vision.no_helmet", "", 0.9, ((100, 100, 160, 170),)),
            Violation("vision.zone_intrusion", "pit", 1.0, ()),
            Violation("vision.edge_missing", "east", 0.7, ()),
        ],
    )
    lines = header_lines(res, cam)
    assert lines[1] == "临边防护缺失、未戴安全帽、人员进入禁入区"
    out = annotate(img, res, cam)
    _, big = text_scales(img.shape[1])
    mask = text_mask(lines[1], big)
    y = 6 + (CELL + 4) * big
    drawn = out[y : y + mask.shape[0], 10 : 10 + mask.shape[1]]
    assert (drawn[mask] == WHITE).all()  # every pixel of the Chinese words, in white


def test_a_chinese_zone_name_is_drawn_beside_its_zone() -> None:
    img = np.full((480, 640, 3), 90, np.uint8)
    cam = CameraConfig(
        name="c", source="x", drawn_on=(640, 480), zones=[ZoneConfig(name="塔吊回转区", polygon=[(100, 200), (400, 200), (400, 400)])]
    )  # fmt: skip
    out = annotate(img, FrameResult("c", 0.0, 640, 480), cam)
    small, _ = text_scales(640)
    mask = text_mask("禁入区 塔吊回转区", small)
    top = 200 - CELL * small - 2
    drawn = out[top : top + mask.shape[0], 100 : 100 + mask.shape[1]]
    assert (drawn[mask] == (0, 215, 255)).all()


def test_labels_of_heads_side_by_side_are_each_readable() -> None:
    """Four workers shoulder to shoulder: each head's label is on the picture whole, none drawn over
    another (they once all went at the same height, one on top of the next)."""
    img = np.zeros((480, 640, 3), np.uint8)
    cam = CameraConfig(
        name="gate-cam",
        source="x",
        drawn_on=(640, 480),
        zones=[ZoneConfig(name="施工升降机入口", polygon=[(90, 150), (400, 150), (400, 400), (90, 400)])],
    )
    heads = [Detection("helmet", (100 + 40 * i, 160, 130 + 40 * i, 190), 0.91 + i / 100) for i in range(4)]
    res = FrameResult("gate-cam", 1_790_000_000.0, 640, 480, heads, [])
    picture = annotate(img, res, cam)
    green = (picture == COLOURS["helmet"]).all(axis=2).astype(np.float32)
    yellow = (picture == (0, 215, 255)).all(axis=2).astype(np.float32)
    texts = [(f"戴安全帽 {d.score:.2f}", green) for d in heads] + [("禁入区 施工升降机入口", yellow)]
    for text, drawn in texts:
        mask = text_mask(text).astype(np.float32)
        # an exact match somewhere: every pixel of the words there, and no stray one of that colour
        misses = cv2.matchTemplate(drawn, mask, cv2.TM_SQDIFF)
        assert misses.min() < 0.5, f"{text!r} is not readable whole on the picture"


def test_text_past_the_picture_is_clipped_and_unknown_characters_show_as_question_marks() -> None:
    img = np.zeros((20, 30, 3), np.uint8)
    assert put_text(img, "未戴安全帽", (-5, 10), WHITE) == (80, 16)  # drawn in part, no error
    assert (img == WHITE).all(axis=2).any()
    assert not has_glyph("丂")  # GBK, outside GB 2312
    assert np.array_equal(text_mask("丂"), text_mask("?"))
