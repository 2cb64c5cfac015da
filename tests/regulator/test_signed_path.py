"""The path a gateway's signature covers (routes/responses.signed_path): taken from the request as it came when
the URL would leave it so, and always what ``request.url`` gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from contract.wire import EVENTS_PATH, FEEDBACK_PATH
from regulator.routes.responses import signed_path


def request(path: str, query: bytes = b"", host: bytes | None = b"regulator") -> Request:
    headers = [(b"host", host)] if host is not None else []
    return Request(
        {
            "type": "http",
            "method": "POST",
            "path": path,
            "query_string": query,
            "headers": headers,
            "root_path": "",
        }
    )


def by_url(r: Request) -> str:
    return r.url.path + (f"?{r.url.query}" if r.url.query else "")


@settings(max_examples=500)
@given(
    # any text, and above all the characters a URL treats apart
    path=st.text(
        st.sampled_from("/?#\\\t\r\n% a中") | st.characters(codec="utf-8", exclude_categories=["Cs"]),
        max_size=30,
    ).map(lambda t: "/" + t),
    query=st.sampled_from([b"", b"after=12", b"a=%20b&c"]),
    host=st.sampled_from([b"regulator", b"regulator:8080", None]),
)
def test_the_signed_path_is_the_urls_path_and_query(path: str, query: bytes, host: bytes | None) -> None:
    r = request(path, query, host)
    assert signed_path(r) == by_url(r)


def test_gateway_paths() -> None:
    assert signed_path(request(EVENTS_PATH)) == EVENTS_PATH
    assert signed_path(request(FEEDBACK_PATH, b"after=7")) == FEEDBACK_PATH + "?after=7"
    assert signed_path(request("/api/v1/x?y#z")) == by_url(request("/api/v1/x?y#z"))
