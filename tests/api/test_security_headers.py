"""Issue 56: the gateway's dashboard and API answer with the security headers, the dashboard keeps its own
Content-Security-Policy (Chromium reports no violation while it shows the site), and the API page loads
nothing from a CDN into the dashboard's origin."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from tests.api.site import RunningSite
from tests.servers.api_docs import check_api_docs
from tests.servers.browser import browser

__all__ = ["browser"]  # the fixture, used by name


def test_the_dashboard_and_api_carry_security_headers(site: RunningSite) -> None:
    for path in ("", "api/v1/site", "openapi.json", "api/v1/no-such-thing"):
        r = httpx.get(site.url + path, timeout=10)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, (path, r.headers)
        assert r.headers.get("x-frame-options") == "DENY", path
        assert r.headers.get("x-content-type-options") == "nosniff", path
        assert r.headers.get("referrer-policy") == "same-origin", path
        assert "script-src 'self';" in csp, "no inline script: the dashboard's scripts are files"
    assert httpx.get(site.url + "redoc", timeout=10).status_code == 404  # one API page, not two


def test_the_api_page_comes_from_the_gateway_itself(site: RunningSite, browser: Browser) -> None:
    check_api_docs(site.url, browser)


def test_the_dashboard_runs_under_its_policy(site: RunningSite, browser: Browser) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(site.url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(2000)  # the live stream's first events drawn
    finally:
        context.close()
    assert violations == []
