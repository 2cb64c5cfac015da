"""The patrol pictures waiting for one regulator uplink: a folder holding at most one picture per camera.

A picture is not an event: only the newest of a camera matters to the patrol wall, so a new picture of a
camera replaces the one still waiting (counted as dropped), and the folder stays within a disk budget by
dropping the oldest waiting pictures (logged). Each picture is one file ``<camera>.json`` (the signed body
as it will be sent), written to a temporary name and renamed, so a restart finds whole pictures and sends
them; an unreadable file is removed and logged.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from contract.wire import CameraPicture

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A picture taken from the queue to send: its body, and what proves the file still holds it."""

    path: Path
    picture: CameraPicture
    body: bytes
    stamp: tuple[int, int]  # (mtime_ns, size) when read: a newer picture of the camera changes it


class PatrolQueue:
    """Newest picture per camera, on disk under ``folder``, within ``budget_bytes``."""

    def __init__(self, folder: Path, budget_bytes: int) -> None:
        self.folder = folder
        self.budget = budget_bytes
        self.dropped = 0  # pictures replaced or dropped before they could be sent, since start
        folder.mkdir(parents=True, exist_ok=True)
        for part in folder.glob("*.part"):  # a write cut short by a crash
            part.unlink(missing_ok=True)

    def put(self, picture: CameraPicture) -> None:
        """Keep ``picture`` as its camera's waiting one (replacing an older), then fit the budget."""
        path = self.folder / f"{picture.camera}.json"
        if path.exists():
            self.dropped += 1
        tmp = path.with_suffix(".part")
        tmp.write_bytes(picture.model_dump_json().encode())
        os.replace(tmp, path)
        self._fit(keep=path)

    def _files(self) -> list[tuple[Path, os.stat_result]]:
        """Waiting files, oldest written first."""
        found = []
        for p in self.folder.glob("*.json"):
            try:
                found.append((p, p.stat()))
            except FileNotFoundError:  # sent and removed meanwhile
                continue
        return sorted(found, key=lambda f: f[1].st_mtime_ns)

    def _fit(self, keep: Path) -> None:
        files = self._files()
        total = sum(st.st_size for _, st in files)
        for p, st in files:
            if total <= self.budget:
                return
            if p == keep:
                continue
            p.unlink(missing_ok=True)
            total -= st.st_size
            self.dropped += 1
            log.warning(
                "patrol: the waiting picture of camera %s was dropped to stay within %.1f MB "
                "(the regulator has been unreachable; the newest pictures wait)",
                p.stem,
                self.budget / 1e6,
            )

    def depth(self) -> int:
        """Pictures waiting."""
        return len(self._files())

    def oldest(self) -> Waiting | None:
        """The picture that has waited longest, or None."""
        for path, st in self._files():
            try:
                body = path.read_bytes()
                picture = CameraPicture.model_validate_json(body)
            except FileNotFoundError:
                continue
            except ValidationError as exc:
                log.error("patrol: %s is not a readable picture (%s); removed", path, exc.errors()[0]["msg"])
                path.unlink(missing_ok=True)
                continue
            return Waiting(path, picture, body, (st.st_mtime_ns, st.st_size))
        return None

    def done(self, item: Waiting) -> None:
        """``item`` was delivered (or refused for good): remove it unless a newer picture replaced it."""
        try:
            st = item.path.stat()
        except FileNotFoundError:
            return
        if (st.st_mtime_ns, st.st_size) == item.stamp:
            item.path.unlink(missing_ok=True)
