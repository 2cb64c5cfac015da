"""Evidence pictures on disk, named by their SHA-256 (so a picture sent twice is kept once and its
name proves its content). A file is fsynced, with its folder, before the event that cites it commits.

S3-compatible object storage would sit behind the same two methods (put, get); only the local
folder is built here.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StoredPicture:
    """A picture kept in the evidence store."""

    sha256: str
    size: int


class EvidenceStore:
    """A folder of JPEGs under ``root/ab/abcdef....jpg``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.jpg"

    def put(self, jpeg: bytes) -> StoredPicture:
        """Write the picture durably (no-op when already there) and return its hash."""
        digest = hashlib.sha256(jpeg).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{id(jpeg)}.tmp")
            with open(tmp, "wb") as f:
                f.write(jpeg)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        return StoredPicture(digest, len(jpeg))

    def get(self, sha256: str) -> bytes | None:
        """The picture with this hash, if stored (the name is checked to be a hash: no path tricks)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            return None
        path = self._path(sha256)
        return path.read_bytes() if path.exists() else None
