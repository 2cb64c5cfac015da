"""What waits for one regulator uplink behind its alerts: a folder of whole request bodies, one per key,
within a disk budget (patrol pictures keyed by camera, evidence clips keyed by alert).

Neither is an event: a new body for a key replaces the one still waiting (counted as dropped: only the
newest picture of a camera matters), and the folder stays within its budget by dropping the oldest waiting
bodies (counted and logged). Each body is one file ``<key><suffix>`` (the bytes as they will be sent),
written to a temporary name and renamed, so a restart finds whole bodies and sends them; a file that
``check`` refuses is removed and logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A body taken from the folder to send: its key, bytes, and what proves the file still holds it."""

    path: Path
    key: str
    body: bytes
    stamp: tuple[int, int]  # (mtime_ns, size) when read: a newer body for the key changes it


class WaitingFiles:
    """Newest body per key, on disk under ``folder``, within ``budget_bytes``.

    ``what`` names one body in log lines ("picture"), ``describe`` its key (default: the key itself);
    ``check`` raises ValueError for bytes that are not a body of this kind (a file damaged on disk)."""

    def __init__(
        self,
        folder: Path,
        budget_bytes: int,
        suffix: str,
        what: str,
        check: Callable[[bytes], object],
        describe: Callable[[str], str] = str,
    ) -> None:
        self.folder = folder
        self.budget = budget_bytes
        self.dropped = 0  # bodies replaced or dropped before they could be sent, since start
        self._suffix = suffix
        self._what = what
        self._check = check
        self.describe = describe
        folder.mkdir(parents=True, exist_ok=True)
        for part in folder.glob("*.part"):  # a write cut short by a crash
            part.unlink(missing_ok=True)

    def put_body(self, key: str, body: bytes) -> None:
        """Keep ``body`` as ``key``'s waiting one (replacing an older), then fit the budget."""
        path = self.folder / f"{key}{self._suffix}"
        if path.exists():
            self.dropped += 1
        tmp = path.with_suffix(".part")
        tmp.write_bytes(body)
        os.replace(tmp, path)
        self._fit(keep=path)

    def _files(self) -> list[tuple[Path, os.stat_result]]:
        """Waiting files, oldest written first."""
        found = []
        for p in self.folder.glob(f"*{self._suffix}"):
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
                "%s: the waiting %s %s was dropped to stay within %.1f MB "
                "(the regulator has been unreachable; the newest wait)",
                self.folder.name,
                self._what,
                self.describe(p.name.removesuffix(self._suffix)),
                self.budget / 1e6,
            )

    def depth(self) -> int:
        """Bodies waiting."""
        return len(self._files())

    def oldest(self) -> Waiting | None:
        """The body that has waited longest, or None."""
        for path, st in self._files():
            try:
                body = path.read_bytes()
                self._check(body)
            except FileNotFoundError:
                continue
            except ValueError as exc:
                log.error("%s is not a readable %s (%s); removed", path, self._what, str(exc).splitlines()[0])
                path.unlink(missing_ok=True)
                continue
            return Waiting(path, path.name.removesuffix(self._suffix), body, (st.st_mtime_ns, st.st_size))
        return None

    def done(self, item: Waiting) -> None:
        """``item`` was delivered (or refused for good): remove it unless a newer body replaced it."""
        try:
            st = item.path.stat()
        except FileNotFoundError:
            return
        if (st.st_mtime_ns, st.st_size) == item.stamp:
            item.path.unlink(missing_ok=True)

    def drop(self, item: Waiting, why: str) -> None:
        """Give ``item`` up (counted and logged with ``why``)."""
        self.done(item)
        self.dropped += 1
        log.error("%s: the %s %s was dropped: %s", self.folder.name, self._what, self.describe(item.key), why)
