"""Evidence pictures named by their SHA-256 (so a picture sent twice is kept once and its name proves
its content), in a local folder or in any S3-compatible object store (regulator/storage/evidence_s3.py).

Both stores keep ``ab/<sha256>.jpg`` (pictures), ``ab/<sha256>.webm`` (vision alerts' clips) and ``.pdf``/``.png`` (enforcement decisions' documents) and answer the same `PictureStore` interface; `put` returns only
once the picture is durable (the folder store fsyncs the file and its folder, S3 answers 200 to a
stored PUT), so the event that cites it may commit after it. Nothing is ever deleted here.
`open_evidence_store` (evidence_spec.py) picks the store from ``--evidence-dir``: a folder path or ``s3://BUCKET/PREFIX``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class Evidence:
    """An event's evidence as received: an inline JPEG or a URL."""

    kind: str
    jpeg: bytes | None = None
    url: str | None = None


HEX = frozenset("0123456789abcdef")
Kind = Literal["jpg", "webm", "pdf", "png"]
"""What a stored file is, as its suffix: an evidence picture, a vision alert's evidence clip, or an
enforcement decision's document (PDF, or a scan as JPEG or PNG)."""
MEDIA_TYPES: dict[Kind, str] = {
    "jpg": "image/jpeg",
    "webm": "video/webm",
    "pdf": "application/pdf",
    "png": "image/png",
}


@dataclass(frozen=True, slots=True)
class StoredPicture:
    """A picture kept in the evidence store."""

    sha256: str
    size: int


class EvidenceConfigError(ValueError):
    """An evidence location that cannot be used as given (the message names it and the fix)."""


class EvidenceUnavailable(Exception):
    """The store cannot keep or read a picture now; the message names the store and the fix.

    Ingest answers 503 with it, so the gateway retries and the event is not stored without its picture.
    """


class PictureStore(Protocol):
    """Where evidence pictures are kept, by their SHA-256."""

    def put(self, jpeg: bytes, kind: Kind = "jpg") -> StoredPicture:
        """Keep the picture (or clip) durably (no-op when already there), return its hash; else
        EvidenceUnavailable."""
        ...

    def get(self, sha256: str, kind: Kind = "jpg") -> bytes | None:
        """The picture (or clip) with this hash, None if there is none (or ``sha256`` is not a hash)."""
        ...

    def describe(self) -> str:
        """Where the pictures are, for messages (a folder, or the bucket and endpoint)."""
        ...

    def check(self) -> None:
        """Raise EvidenceUnavailable (naming the fix) if pictures cannot be kept here; run before serving."""
        ...


def is_sha256(name: str) -> bool:
    """Whether ``name`` is a lower-case hex SHA-256 (so it cannot smuggle a path or key)."""
    return len(name) == 64 and all(c in HEX for c in name)


class EvidenceStore:
    """A folder of JPEGs under ``root/ab/abcdef....jpg``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str, kind: Kind) -> Path:
        return self.root / sha256[:2] / f"{sha256}.{kind}"

    def describe(self) -> str:
        """The folder."""
        return str(self.root)

    def check(self) -> None:
        """Create the folder; EvidenceUnavailable if it cannot be created or written."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EvidenceUnavailable(
                f"cannot create the evidence folder {self.root}: "
                f"{exc.strerror or exc}; choose another --evidence-dir"
            ) from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise EvidenceUnavailable(
                f"the evidence folder {self.root} is not writable by this user; "
                "fix its permissions or choose another --evidence-dir"
            )

    def put(self, jpeg: bytes, kind: Kind = "jpg") -> StoredPicture:
        """Write the picture (or clip) durably (no-op when already there) and return its hash."""
        digest = hashlib.sha256(jpeg).hexdigest()
        path = self._path(digest, kind)
        if not path.exists():
            try:
                self._write(path, jpeg)
            except OSError as exc:  # a full or read-only disk: the gateway retries later
                reason = exc.strerror or exc
                raise EvidenceUnavailable(
                    f"cannot write evidence to the folder {self.root}: {reason}; "
                    "free space or fix its permissions"
                ) from None
        return StoredPicture(digest, len(jpeg))

    @staticmethod
    def _write(path: Path, jpeg: bytes) -> None:
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

    def get(self, sha256: str, kind: Kind = "jpg") -> bytes | None:
        """The picture (or clip) with this hash, if stored (the name is checked to be a hash: no path
        tricks)."""
        if not is_sha256(sha256):
            return None
        path = self._path(sha256, kind)
        return path.read_bytes() if path.exists() else None
