"""Evidence pictures in an S3-compatible object store, end to end: a gateway's event with an inline JPEG
lands as an object keyed by its hash and the review UI serves it; a picture is kept once; with the
store down ingest answers 503 naming it and stores nothing, and the gateway's retry succeeds once the
store is back; a bad store location is one clear line from ``sitegw regulator serve``.

Stand-in: no S3-compatible server (MinIO, Ceph) can be installed on this machine, so the store is
moto's standalone server (``moto[server]``), a real HTTP server on a local port speaking the S3 REST
API with SigV4; boto3 talks to it over TCP exactly as to MinIO. moto does not verify Content-MD5, so
the store refusing damaged bytes is not exercised here.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import pytest
import typer
from botocore.client import BaseClient
from moto.server import ThreadedMotoServer
from typer.testing import CliRunner

from contract.alert_event import AlertEvent
from contract.config.uplinks import RegulatorUplink
from gateway.uplinks.base import TransientFailure
from gateway.uplinks.clips import ClipQueue, ClipSender
from gateway.uplinks.regulator import RegulatorAdapter
from regulator.cli import serve
from regulator.server import RegulatorServer
from regulator.storage.evidence_spec import open_evidence_store
from tests.regulator.support import PROJECT, SECRET, make_event, real_jpeg, real_webm
from tests.regulator.test_review import signed_in
from tests.uplinks.test_patrol import until

PREFIX = "evidence"


class S3Endpoint:
    """moto's S3 server on a fixed local port, which can be stopped and started again (its buckets and
    objects live in this process, so they survive a restart as they would on a real store)."""

    def __init__(self) -> None:
        # the stand-in's request log is not under test: werkzeug would add a handler bound to whatever
        # sys.stderr was at its first request (CliRunner's, closed later), and print a logging traceback
        # into a later command's output
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.running = True
        self.bucket = f"evidence-{secrets.token_hex(4)}"
        self.client: BaseClient = boto3.client("s3", endpoint_url=self.url, region_name="us-east-1")
        self.client.create_bucket(Bucket=self.bucket)

    def stop(self) -> None:
        """Take the endpoint down: connections are refused."""
        self._server.stop()
        self.running = False

    def start(self) -> None:
        """Bring it back on the same port."""
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.running = True

    def keys(self) -> list[str]:
        """Every object key in the bucket."""
        return [o["Key"] for o in self.client.list_objects_v2(Bucket=self.bucket).get("Contents", [])]

    def picture(self, sha256: str, suffix: str = "jpg") -> tuple[bytes, str]:
        """The object of a picture (or a clip: ``webm``), as a user of the bucket reads it: bytes and content
        type."""
        obj = self.client.get_object(Bucket=self.bucket, Key=f"{PREFIX}/{sha256[:2]}/{sha256}.{suffix}")
        return obj["Body"].read(), obj["ContentType"]


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[S3Endpoint]:
    """A fresh bucket on a local S3 endpoint; credentials only from the environment, as in production."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "regulator")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "regulator-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no 1 s wait for an instance role
    endpoint = S3Endpoint()
    yield endpoint
    if endpoint.running:
        endpoint.stop()


@pytest.fixture
async def regulator(s3: S3Endpoint, tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    """The regulator on SQLite with its evidence in the bucket."""
    store = open_evidence_store(f"s3://{s3.bucket}/{PREFIX}", s3.url)
    server = RegulatorServer(tmp_path / "regulator.sqlite", evidence_dir=store)
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def gateway(regulator: RegulatorServer) -> AsyncIterator[RegulatorAdapter]:
    """The gateway's real regulator uplink, pointed at the regulator."""
    adapter = RegulatorAdapter(RegulatorUplink(base_url=regulator.base_url, secret=SECRET))
    yield adapter
    await adapter.close()


def with_picture(jpeg: bytes, alert: str = "a1") -> AlertEvent:
    return make_event(alert=alert, evidence=base64.b64encode(jpeg).decode())


async def test_event_picture_lands_in_the_bucket_and_the_review_ui_serves_it(
    s3: S3Endpoint, regulator: RegulatorServer, gateway: RegulatorAdapter, tmp_path: Path
) -> None:
    jpeg = real_jpeg("S3")
    sha = hashlib.sha256(jpeg).hexdigest()
    event = with_picture(jpeg)
    await gateway.send(event)  # raises unless the regulator answered 2xx
    assert s3.picture(sha) == (jpeg, "image/jpeg")
    [stored] = regulator.repo.events()
    assert stored.event.evidence == f"sha256:{sha}"
    assert not (tmp_path / "regulator.evidence").exists()  # nothing went to the local disk instead
    reviewer = await signed_in(regulator, "li.jian", "regulator")
    try:
        r = await reviewer.get(f"/ui/api/evidence/{sha}")
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        assert r.content == jpeg
        missing = await reviewer.get(f"/ui/api/evidence/{'0' * 64}")
        assert missing.status_code == 404
    finally:
        await reviewer.aclose()


async def test_a_vision_alerts_clip_lands_in_the_bucket_beside_its_picture(
    s3: S3Endpoint, regulator: RegulatorServer, gateway: RegulatorAdapter, tmp_path: Path
) -> None:
    """The gateway's clip sender after its alert: the clip is an object ``<sha>.webm`` of type video/webm,
    and the hazard's page plays it from the bucket."""
    await gateway.send(with_picture(real_jpeg("alert")))
    clip = real_webm(tmp_path / "cam")
    uplink = RegulatorUplink(base_url=regulator.base_url, secret=SECRET)
    sender = ClipSender(uplink, PROJECT, ClipQueue(tmp_path / "clips", 50_000_000), lambda: False)
    sender.put("a1", clip)
    task = asyncio.create_task(sender.run())
    try:
        await until(lambda: sender.sent == 1)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    sha = hashlib.sha256(clip).hexdigest()
    assert s3.picture(sha, "webm") == (clip, "video/webm")
    reviewer = await signed_in(regulator, "li.jian", "regulator")
    try:
        r = await reviewer.get(f"/ui/api/clips/{sha}")
        assert r.status_code == 200 and r.headers["content-type"] == "video/webm" and r.content == clip
    finally:
        await reviewer.aclose()


async def test_the_same_picture_sent_twice_is_one_object(
    s3: S3Endpoint, regulator: RegulatorServer, gateway: RegulatorAdapter
) -> None:
    jpeg = real_jpeg("twice")
    # with versioning on, an upload of a picture the bucket already has would show as a second version
    s3.client.put_bucket_versioning(Bucket=s3.bucket, VersioningConfiguration={"Status": "Enabled"})
    await gateway.send(with_picture(jpeg, alert="a1"))
    await gateway.send(with_picture(jpeg, alert="a2"))
    sha = hashlib.sha256(jpeg).hexdigest()
    assert s3.keys() == [f"{PREFIX}/{sha[:2]}/{sha}.jpg"]
    assert len(s3.client.list_object_versions(Bucket=s3.bucket)["Versions"]) == 1
    assert [regulator.repo.evidence_jpeg(s.event.event_id) for s in regulator.repo.events()] == [jpeg, jpeg]


async def test_store_down_means_503_naming_it_nothing_stored_and_the_retry_lands(
    s3: S3Endpoint, regulator: RegulatorServer, gateway: RegulatorAdapter
) -> None:
    jpeg = real_jpeg("outage")
    event = with_picture(jpeg)
    s3.stop()
    with pytest.raises(TransientFailure) as refused:  # the outbox keeps the event and retries it
        await gateway.send(event)
    assert refused.value.detail.startswith("HTTP 503")
    assert s3.url in refused.value.detail and s3.bucket in refused.value.detail
    assert "--s3-endpoint" in refused.value.detail  # the fix
    assert regulator.repo.events() == []  # no event without its picture
    s3.start()
    await gateway.send(event)  # the gateway's retry
    assert [s.event.event_id for s in regulator.repo.events()] == [event.event_id]
    assert s3.picture(hashlib.sha256(jpeg).hexdigest())[0] == jpeg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_bad_evidence_location_is_one_clear_line_from_serve(
    s3: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = typer.Typer()
    app.command()(serve)
    runner = CliRunner()
    help_text = runner.invoke(
        app, ["--help"], env={"COLUMNS": "200"}
    ).output  # rich reads COLUMNS, not the width
    assert "s3://BUCKET/PREFIX" in help_text and "--s3-endpoint" in help_text
    (tmp_path / "a-file").write_text("not a folder")
    down = f"http://127.0.0.1:{free_port()}"
    cases = {
        (f"s3://{s3.bucket}/{PREFIX}", down): [down, s3.bucket, "start the store or fix --s3-endpoint"],
        ("s3://no-such-bucket/x", s3.url): ["bucket no-such-bucket does not exist", "create it"],
        (f"s3://{s3.bucket}", "minio.local:9000"): ["'minio.local:9000' is not a URL"],
        ("s3://Bad_Bucket/x", s3.url): ["'Bad_Bucket' is not an S3 bucket name"],
        ("gs://bucket/x", ""): ["neither a folder nor s3://BUCKET/PREFIX"],
        (str(tmp_path), s3.url): ["--s3-endpoint", "applies to an s3://BUCKET/PREFIX --evidence-dir"],
        (str(tmp_path / "a-file" / "evidence"), ""): ["cannot create the evidence folder", "choose another"],
    }
    db = f"sqlite:///{tmp_path}/regulator.sqlite"
    for (where, endpoint), says in cases.items():
        result = runner.invoke(
            app, ["--db", db, "--port", "0", "--evidence-dir", where, "--s3-endpoint", endpoint]
        )
        assert result.exit_code == 2, (where, result.output)
        assert "Traceback" not in result.output
        for fragment in says:
            assert fragment in result.output, (where, result.output)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = runner.invoke(
        app, ["--db", db, "--evidence-dir", f"s3://{s3.bucket}/x", "--s3-endpoint", s3.url]
    )
    assert result.exit_code == 2
    assert "no S3 credentials" in result.output and "AWS_ACCESS_KEY_ID" in result.output
