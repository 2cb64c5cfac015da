"""Evidence pictures in an S3-compatible object store (MinIO on premises, OSS, COS, OBS, AWS S3), behind
the same `PictureStore` interface as the local folder (regulator/storage/evidence.py).

A picture is the object ``<prefix>/ab/<sha256>.jpg``. `put` asks first (HEAD) and uploads only a
picture the bucket lacks, with ``Content-MD5`` so the store refuses bytes damaged on the way, and
returns once the PUT answered 200: S3 has stored the object durably by then, so the event that cites
it may commit. Connection errors, 5xx and throttling are retried by botocore (standard mode, with
backoff); what still fails raises `EvidenceUnavailable` naming the endpoint, the bucket and the fix,
and ingest answers 503 so the gateway sends the event again later. Nothing is ever deleted.

Credentials and region come from the standard AWS places (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
AWS_PROFILE, ~/.aws, AWS_REGION / AWS_DEFAULT_REGION, else us-east-1 as MinIO expects).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

from regulator.storage.evidence import (
    MEDIA_TYPES,
    EvidenceConfigError,
    EvidenceUnavailable,
    Kind,
    StoredPicture,
    is_sha256,
)

RETRIES = 3  # after the first try: with botocore's backoff, a refused connection gives up in < 1 s
# short timeouts: the gateway waits 10 s for an answer, and a 503 it can act on beats a timeout
CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 5.0
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ENDPOINT_HINT = "--s3-endpoint / REGULATOR_S3_ENDPOINT (or AWS_ENDPOINT_URL)"
THROTTLED = frozenset(
    {"SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests"}
)
DENIED = frozenset({"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"})


class S3EvidenceStore:
    """Pictures as objects ``prefix/ab/abcdef....jpg`` of one bucket."""

    def __init__(
        self, bucket: str, prefix: str = "", *, endpoint: str | None = None, region: str | None = None
    ) -> None:
        if not BUCKET.match(bucket):
            raise EvidenceConfigError(
                f"{bucket!r} is not an S3 bucket name (3-63 lower-case letters, "
                "digits, dots and hyphens): fix s3://BUCKET/PREFIX in --evidence-dir"
            )
        if endpoint is not None:
            parts = urlsplit(endpoint)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise EvidenceConfigError(
                    f"S3 endpoint {endpoint!r} is not a URL like http://minio.local:9000: fix {ENDPOINT_HINT}"
                )
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        session = boto3.session.Session()
        config = Config(
            region_name=region or session.region_name or "us-east-1",
            retries={"max_attempts": RETRIES, "mode": "standard"},
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
            # MinIO-likes answer at one host, without a bucket subdomain in DNS
            s3={"addressing_style": "path" if endpoint else "auto"},
            # botocore's default CRC32 trailers are refused by several S3-compatible stores; Content-MD5 is
            # checked by all of them
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self._client: BaseClient = session.client("s3", endpoint_url=endpoint, config=config)
        self.endpoint: str = self._client.meta.endpoint_url

    @classmethod
    def from_url(cls, url: str, endpoint: str | None = None) -> S3EvidenceStore:
        """The store of ``s3://BUCKET/PREFIX`` (PREFIX may be empty)."""
        parts = urlsplit(url)
        if not parts.netloc or parts.query or parts.fragment:
            raise EvidenceConfigError(
                f"--evidence-dir {url!r} is not s3://BUCKET/PREFIX (e.g. s3://regulator/evidence)"
            )
        return cls(parts.netloc, parts.path, endpoint=endpoint or None)

    def key(self, sha256: str, kind: Kind = "jpg") -> str:
        """The object key of a picture (or clip)."""
        name = f"{sha256[:2]}/{sha256}.{kind}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def describe(self) -> str:
        """Bucket, prefix and endpoint."""
        return f"s3://{self.bucket}/{self.prefix} at {self.endpoint}"

    def check(self) -> None:
        """The bucket exists and these credentials reach it; EvidenceUnavailable naming the fix if not."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _status(exc) == 404:
                make = f"`mc mb ALIAS/{self.bucket}` or `aws s3 mb s3://{self.bucket}`"
                raise EvidenceUnavailable(
                    f"bucket {self.bucket} does not exist at {self.endpoint}: create "
                    f"it ({make}) or fix --evidence-dir"
                ) from None
            raise self._failure(exc, "reach") from None
        except BotoCoreError as exc:
            raise self._failure(exc, "reach") from None

    def put(self, jpeg: bytes, kind: Kind = "jpg") -> StoredPicture:
        """Upload the picture (or clip) unless the bucket has it; returns once S3 stored it durably."""
        digest = hashlib.sha256(jpeg).hexdigest()
        key = self.key(digest, kind)
        try:
            if not self._exists(key):
                self._client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=jpeg,
                    ContentType=MEDIA_TYPES[kind],
                    ContentMD5=base64.b64encode(hashlib.md5(jpeg).digest()).decode(),
                )
        except (BotoCoreError, ClientError) as exc:
            raise self._failure(exc, "store") from None
        return StoredPicture(digest, len(jpeg))

    def _exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _status(exc) == 404:
                return False
            raise
        return True

    def get(self, sha256: str, kind: Kind = "jpg") -> bytes | None:
        """The picture (or clip) with this hash, None if absent; EvidenceUnavailable if the object is not
        it."""
        if not is_sha256(sha256):
            return None
        try:
            answer: dict[str, Any] = self._client.get_object(Bucket=self.bucket, Key=self.key(sha256, kind))
            jpeg: bytes = answer["Body"].read()
        except ClientError as exc:
            if _status(exc) == 404:
                return None
            raise self._failure(exc, "read") from None
        except BotoCoreError as exc:
            raise self._failure(exc, "read") from None
        if hashlib.sha256(jpeg).hexdigest() != sha256:
            # the name is the integrity check: an object changed behind our back is not served as evidence
            raise EvidenceUnavailable(
                f"object {self.key(sha256, kind)} in {self.describe()} does not match its "
                "SHA-256 (changed or damaged in the bucket): restore it from the "
                "bucket's versions or a backup"
            )
        return jpeg

    def _failure(self, exc: BotoCoreError | ClientError, doing: str) -> EvidenceUnavailable:
        """One line naming the store, what went wrong and what to do about it."""
        where = f"bucket {self.bucket} at {self.endpoint}"
        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return EvidenceUnavailable(
                f"no S3 credentials for {where}: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) for the regulator"
            )
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", "?"))
            what = f"{code} (HTTP {_status(exc)})"
            if code == "NoSuchBucket":
                fix = f"create bucket {self.bucket} or fix --evidence-dir"
            elif code in DENIED:
                fix = "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and that they may read and write it"
            elif _status(exc) >= 500 or code in THROTTLED:
                fix = f"the store is failing or overloaded (tried {RETRIES + 1} times); see its logs"
            else:
                fix = "the store refused the request; see its logs"
        else:
            what = str(exc)
            fix = f"start the store or fix {ENDPOINT_HINT} (tried {RETRIES + 1} times)"
        return EvidenceUnavailable(f"cannot {doing} evidence in {where}: {what}; {fix}")


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
