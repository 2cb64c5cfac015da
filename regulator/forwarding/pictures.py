"""The latest patrol picture of each camera of a city's video-set projects at the province (issue 50 §4), so
the province's patrol wall (regulator/video/patrol.py) shows the city's projects with pictures.

A small version goes up, not a fetch through the city on demand: forwarding only ever goes from the city to
the province (its decisions and warnings the city polls), so a province needs no way into a city's network
nor credentials there, and its wall of 500 projects reads its own rows, however slow the city's link. The
small version (at most ``SIZE`` pixels, a JPEG of a few kilobytes) is made at the city when the record is
sent, from the picture as it is then: a camera's pictures while the link is down go up as one. The full
picture stays at the city, where a province user opens it through the city.

Only the projects in the city's video-monitoring set (regulator/ledger/video_set.py) send theirs: the
outbox's trigger queues every camera's picture, and ``row`` answers None (nothing to send) for the others. A
project joining the set has the latest picture of each of its cameras queued at once (outbox.JOIN_PICTURES),
so the parent's wall shows it within seconds, not with each camera's next picture.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from sqlalchemy.engine import Connection

from regulator.forwarding.wire import MAX_TEXT
from regulator.storage.db import sql
from regulator.storage.pictures import UPSERT

SIZE = (320, 180)  # a tile of the wall
QUALITIES = (70, 50, 30)  # tried in turn until the picture's base64 fits the wire's bound of one value


def small(jpeg: bytes) -> str:
    """``jpeg`` at most SIZE, as base64 within the wire's MAX_TEXT characters."""
    # imported here: `sitegw` loads the regulator's commands (and this module through the outbox's) at every
    # start, the edge box's included, which must not carry Pillow's 7 MB (tests/gateway/test_start_imports.py)
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as img:
        img.thumbnail(SIZE)
        shrunk = img.convert("RGB")
    for quality in QUALITIES:
        out = io.BytesIO()
        shrunk.save(out, "JPEG", quality=quality)
        text = base64.b64encode(out.getvalue()).decode()
        if len(text) <= MAX_TEXT:
            return text
    shrunk.thumbnail((SIZE[0] // 2, SIZE[1] // 2))
    out = io.BytesIO()
    shrunk.save(out, "JPEG", quality=QUALITIES[-1])
    return base64.b64encode(out.getvalue()).decode()


def row(db: Connection, ref: str) -> dict[str, Any] | None:
    """The record's row of camera ``ref`` (``PROJECT:CAMERA``) as it is now; None when the picture is gone
    or its project is not in the city's video-monitoring set."""
    project, _, camera = ref.rpartition(":")  # a camera id has no colon (CameraPicture), a code may
    found = db.execute(
        sql(
            "SELECT c.project, c.camera, c.taken_at, c.every_s, c.findings, c.jpeg FROM camera_pictures c "
            "JOIN video_set v ON v.project = c.project WHERE c.project = :p AND c.camera = :c"
        ),
        {"p": project, "c": camera},
    ).first()
    if found is None:
        return None
    return {
        "project": found[0],
        "camera": found[1],
        "taken_at": found[2],
        "every_s": found[3],
        "findings": found[4],
        "jpeg": small(bytes(found[5])),
    }


def keep(db: Connection, kept: dict[str, Any], now: float) -> None:
    """Keep the city's picture ``kept`` (checked: rows.CameraPictureRow, ``project`` the province's, ``jpeg``
    the picture's bytes) as the camera's latest, unless the province holds a newer one."""
    db.execute(
        sql(UPSERT),
        {
            "p": kept["project"],
            "c": kept["camera"],
            "taken": kept["taken_at"],
            "now": now,
            "every": kept["every_s"],
            "findings": kept["findings"],
            "jpeg": kept["jpeg"],
        },
    )
