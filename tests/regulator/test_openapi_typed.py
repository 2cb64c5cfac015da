"""The regulator's OpenAPI document types every JSON answer (issue #16: "typed responses, not
``dict[str, Any]``"): a client, the gateway's feedback poller or the review UI, can read what each field is."""

from __future__ import annotations

from typing import Any

import httpx

from regulator.server import RegulatorServer


def untyped(schema: dict[str, Any], doc: dict[str, Any]) -> bool:
    """Whether ``schema`` (a ``$ref`` followed) is an object with no declared properties that takes any key:
    what FastAPI documents for ``dict[str, Any]``."""
    if ref := schema.get("$ref"):
        schema = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return (
        schema.get("type") == "object"
        and not schema.get("properties")
        and schema.get("additionalProperties", True) in (True, {})
    )


async def test_every_json_answer_is_typed(receiver: RegulatorServer) -> None:
    async with httpx.AsyncClient(base_url=receiver.base_url) as client:
        doc = (await client.get("/openapi.json")).json()
    answers = [
        (method.upper(), path, schema)
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation.get("responses", {}).items()
        if status.startswith("2")
        for schema in [answer.get("content", {}).get("application/json", {}).get("schema")]
        if schema is not None
    ]
    # the hazard's detail, the one the review UI opens most, is among those checked
    assert ("GET", "/ui/api/hazards/{hazard_id}") in {(m, p) for m, p, _ in answers}
    assert [(m, p) for m, p, schema in answers if untyped(schema, doc)] == []
