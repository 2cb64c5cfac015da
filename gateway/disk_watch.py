"""The state folder's filesystem: free space watched, a reserve kept for safety events when it runs out.

Every store of the gateway lives in the state folder; something else on the box (logs, a camera's
recordings, another program) can fill its filesystem whatever the stores' own budgets say. Then SQLite
answers "database or disk is full" and an alert that fires cannot be recorded: the hazard would be lost
(issue #19's disk test found exactly that). So:

- at start a reserve file (``reserve.bin``, 5 % of the filesystem, at most 16 MB: room for thousands of alert events) is written to the
  state folder;
- every ``period_s`` the free space is read (``sitegw_state_disk_free_bytes``); below 10 % of the
  filesystem the log warns, early, once;
- when less than half the reserve is left the disk counts as full: the reserve is deleted, so alerts and
  their deliveries keep being recorded in the space it held, and the local store stops writing readings
  (they wait in memory, in order) so they do not take that space;
- once three reserves' worth is free again the reserve is written back and readings are stored again.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

RESERVE_NAME = "reserve.bin"
RESERVE_SHARE = 0.05
RESERVE_MAX = 16 * 1024 * 1024
# written a mebibyte at a time: the reserve made whole in memory first was 16 MB of the gateway's memory
# for a moment at every start (issue #20)
_ZEROS = bytes(1024 * 1024)
WARN_SHARE = 0.10


class DiskWatch:
    """Free space of ``state_dir``'s filesystem, its warnings and the safety events' reserve."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.reserve_path = state_dir / RESERVE_NAME
        self.free_bytes = 0
        self.total_bytes = 0
        self.full = False  # the reserve is released: readings wait, safety events use its space
        self._warned = False

    @property
    def reserve_bytes(self) -> int:
        """The reserve's size for this filesystem."""
        return min(RESERVE_MAX, int(self.total_bytes * RESERVE_SHARE))

    def start(self) -> None:
        """Read the filesystem and write the reserve if it is missing (and there is room for it)."""
        self.check()

    def check(self) -> None:
        """Read the free space and act on it (a worker thread: writing the reserve may take a moment)."""
        self._read()
        reserve = self.reserve_bytes
        if self.free_bytes < self.total_bytes * WARN_SHARE and not self._warned:
            self._warned = True
            log.warning(
                "the state folder %s has %.1f MB free of %.1f MB: make room or move it to a larger disk "
                "before it fills (then readings wait in memory and only alerts are recorded)",
                self.state_dir,
                self.free_bytes / 1e6,
                self.total_bytes / 1e6,
            )
        elif self.free_bytes >= self.total_bytes * WARN_SHARE * 1.5:
            self._warned = False
        if not self.full and self.free_bytes < reserve / 2:
            self.full = True
            self.reserve_path.unlink(missing_ok=True)
            self._read()  # the reserve's room is free now
            log.error(
                "the state folder %s is full: its %.1f MB reserve is released for alerts and their deliveries "
                "(%.2f MB free now); readings wait in memory until space returns",
                self.state_dir,
                reserve / 1e6,
                self.free_bytes / 1e6,
            )
        elif self.full and self.free_bytes > 3 * reserve:
            self.full = False
            log.warning(
                "the state folder %s has %.1f MB free again: readings are stored again",
                self.state_dir,
                self.free_bytes / 1e6,
            )
        if not self.full and not self.reserve_path.exists() and self.free_bytes > 3 * reserve:
            self._write_reserve(reserve)

    def _read(self) -> None:
        st = os.statvfs(self.state_dir)
        self.free_bytes, self.total_bytes = st.f_bavail * st.f_frsize, st.f_blocks * st.f_frsize

    def _write_reserve(self, size: int) -> None:
        tmp = self.reserve_path.with_suffix(".tmp")
        try:
            with open(tmp, "wb") as f:
                # written, not sparse: the space must really be taken
                for start in range(0, size, len(_ZEROS)):
                    f.write(_ZEROS[: size - start])
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.reserve_path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            log.warning("cannot write the %.1f MB disk reserve %s: %s", size / 1e6, self.reserve_path, exc)
