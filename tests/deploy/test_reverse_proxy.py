"""deploy/nginx/sitegw-dashboard.conf in front of a running gateway, with a real nginx (issue #19, Security).

The example is used as written, but for the addresses and files a test machine has: its listen ports,
its certificate (made by the test) and the gateway's port are put in place of the example's, each
replacement checked, so an example that drifts from what is tested fails here. Through the proxy, over
TLS: the dashboard page, a login and the REST API, the live stream over SSE and over WebSocket; plain
HTTP is redirected to HTTPS.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.api.site import PASSWORD, RunningSite, running_site
from tests.servers.certs import Certs, make_certs
from tests.support import free_port, wait_port

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "sitegw-dashboard.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def localised(example: str, http_port: int, https_port: int, certs: Certs, gateway_port: int) -> str:
    """The example with this machine's ports and files; each of the example's values must be there once."""
    for theirs, ours in (
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/sitegw/tls/dashboard.pem", str(certs.server_cert)),
        ("/etc/sitegw/tls/dashboard.key", str(certs.server_key)),
        ("proxy_pass http://127.0.0.1:8080;", f"proxy_pass http://127.0.0.1:{gateway_port};"),
    ):
        assert example.count(theirs) == 1, f"the example no longer has {theirs!r}: update this test with it"
        example = example.replace(theirs, ours)
    return example


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSite, str, int, Certs]]:
    """The demo site's gateway behind nginx; yields the site, the HTTPS base URL, the HTTP port and the certs."""
    if NGINX is None:
        pytest.skip("nginx is not installed: run scripts/setup-test-env.sh")
    tmp = Path(tmp_path_factory.mktemp("proxy"))
    certs = make_certs(tmp / "certs")
    http_port, https_port = free_port(), free_port()
    with running_site(tmp / "state") as site:
        gateway_port = httpx.URL(site.url).port
        assert gateway_port is not None
        server = localised(EXAMPLE.read_text(), http_port, https_port, certs, gateway_port)
        (tmp / "sitegw-dashboard.conf").write_text(server)
        temp = "".join(
            f"{kind}_temp_path {tmp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (tmp / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\nevents {{}}\n"
            + f"http {{\naccess_log off;\n{temp}include {tmp}/sitegw-dashboard.conf;\n}}\n"
        )
        check = subprocess.run(
            [NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen(
            [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")], stderr=subprocess.DEVNULL
        )
        try:
            wait_port(https_port, "127.0.0.1", timeout=10)
            yield site, f"https://127.0.0.1:{https_port}/", http_port, certs
        finally:
            proc.terminate()
            proc.wait(10)


def test_the_dashboard_login_and_api_work_through_the_proxy(
    proxied: tuple[RunningSite, str, int, Certs],
) -> None:
    _site, url, http_port, certs = proxied
    with httpx.Client(
        base_url=url, verify=ssl.create_default_context(cafile=str(certs.ca)), timeout=10
    ) as client:
        page = client.get("")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        login = client.post("api/v1/auth/login", json={"username": "super1", "password": PASSWORD})
        assert login.status_code == 200, login.text
        token = {"Authorization": "Bearer " + login.json()["token"]}
        assert client.get("api/v1/auth/me", headers=token).json()["name"] == "super1"
        assert client.get("api/v1/alerts", headers=token).status_code == 200
        with client.stream(
            "GET", "api/v1/stream", headers=token
        ) as stream:  # unbuffered: events come at once
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            assert any(line.startswith("event:") for line, _ in zip(lines, range(200), strict=False))
    redirect = httpx.get(f"http://127.0.0.1:{http_port}/api/v1/health", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"].startswith("https://")


def test_the_live_stream_over_websocket_goes_through_the_proxy(
    proxied: tuple[RunningSite, str, int, Certs],
) -> None:
    _site, url, _http_port, certs = proxied

    async def read(n: int) -> list[dict[str, object]]:
        tls = ssl.create_default_context(cafile=str(certs.ca))
        async with websockets.connect(url.replace("https://", "wss://") + "api/v1/ws", ssl=tls) as ws:
            return [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(n)]

    messages = asyncio.run(read(3))
    assert all(m["event"] in ("readings", "status", "alert") for m in messages)
