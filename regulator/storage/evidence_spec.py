"""The evidence store an ``--evidence-dir`` names: a folder (regulator/storage/evidence.py) or an S3-compatible
bucket (regulator/storage/evidence_s3.py, whose boto3 loads only when one is named)."""

from __future__ import annotations

from pathlib import Path

from regulator.storage.evidence import EvidenceConfigError, EvidenceStore, PictureStore


def open_evidence_store(spec: str | Path, s3_endpoint: str | None = None) -> PictureStore:
    """The store ``spec`` names: ``s3://BUCKET/PREFIX`` (at ``s3_endpoint``, else AWS_ENDPOINT_URL, else
    AWS S3) or a folder path. EvidenceConfigError for anything else; nothing is contacted yet (`check`)."""
    text = str(spec).strip()
    if text.startswith("s3://"):
        from regulator.storage.evidence_s3 import S3EvidenceStore  # boto3 loads only for an S3 store

        return S3EvidenceStore.from_url(text, s3_endpoint)
    if not text:
        raise EvidenceConfigError("--evidence-dir is empty: give a folder or s3://BUCKET/PREFIX")
    if "://" in text:
        raise EvidenceConfigError(
            f"--evidence-dir {text!r} is neither a folder nor s3://BUCKET/PREFIX "
            "(other URL schemes are not supported)"
        )
    if s3_endpoint:
        raise EvidenceConfigError(
            f"--s3-endpoint {s3_endpoint} applies to an s3://BUCKET/PREFIX "
            f"--evidence-dir, but the evidence goes to the folder {text}: give "
            "s3://... or drop --s3-endpoint (and REGULATOR_S3_ENDPOINT)"
        )
    return EvidenceStore(Path(text))
