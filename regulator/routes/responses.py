"""Answers the regulator's routes share: a file to download, and the path a gateway signed."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response


def download(body: bytes, media_type: str, name: str, inline: bool = False) -> Response:
    """A file to save (``inline``: to show in the browser, as a notice to print): ``name`` (Chinese) as
    RFC 6266/5987 says, with an ASCII fallback for old clients."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = (
        f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    )
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


# characters Starlette's URL escapes in a path (?, #, backslash) or urllib drops from it (tab, CR, LF)
_CHANGED_IN_URL = frozenset("?#\\\t\r\n")


def signed_path(request: Request) -> str:
    """The path a gateway signs: with the query string when there is one (feedback's ``?after=``).

    That is ``request.url``'s path and query; building the URL (and urllib parsing it back) cost an event's
    request about as much CPU as checking its signature, so a path without a query string that the URL
    would leave as it is (every gateway's POST) is taken from the request as it came."""
    path = request.scope["path"]
    if not request.scope["query_string"] and not path.startswith("//") and _CHANGED_IN_URL.isdisjoint(path):
        return str(path)
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")
