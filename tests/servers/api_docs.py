"""What a user of a service's ``/docs`` page checks (issue 56 finding 11): the page and everything it loads
come from the service itself, it runs under the service's Content-Security-Policy, and it shows the API's
operations."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Browser


def check_api_docs(base_url: str, browser: Browser) -> None:
    """``base_url``'s ``/docs`` from its own origin only, under its policy, listing its operations."""
    base_url = base_url.rstrip("/")
    page_html = httpx.get(base_url + "/docs", timeout=30)
    assert page_html.status_code == 200, page_html.text[:300]
    for link in re.findall(r'(?:src|href)="([^"]+)"', page_html.text):
        assert link.startswith("/") and not link.startswith("//"), f"/docs loads {link} from elsewhere"
    assert "<script>" not in page_html.text, "no inline script"
    assert (
        "'unsafe-inline'"
        not in page_html.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    try:
        page.goto(base_url + "/docs")
        page.wait_for_selector(".opblock", timeout=30_000)  # the operations, drawn from /openapi.json
        assert page.locator(".opblock").count() > 3
    finally:
        context.close()
    assert violations == [] and hosts == {urlsplit(base_url).netloc}, (violations, hosts)
