"""The refusals the regulator's API documents (its OpenAPI document lists every status a client can get),
and the bounds of its path ids.

Every refusal is ``{"error": "..."}``, with ``errors`` naming each wrong field when there are several.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

MAX_ID = 2**63 - 1  # ids are BIGINT: a larger number names no row (and no database could take it)
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id, from 1")]
# an id in a JSON body: JSON Schema's integer admits 9223372036854775807.0, which a parser reads as a float and
# which is 2**63 once it is one (over the bound: a fuzzer's valid body refused); up to 2**53 a float holds every
# integer exactly, and no table of a regulator comes near that many rows
MAX_BODY_ID = 2**53
BodyId = Annotated[int, Field(ge=1, le=MAX_BODY_ID)]
After = Annotated[
    int, Query(ge=0, le=MAX_ID, description="only what came after this action id (0: from the start)")
]


class Answer(BaseModel):
    """A typed answer that declares every part of it: a key the code makes that the model lacks is an error (a
    test fails), not silently dropped from the answer."""

    model_config = ConfigDict(extra="forbid")


class FieldProblem(BaseModel):
    """One wrong field of a request."""

    field: str = Field(description="dotted path of the field, or (body)")
    problem: str = Field(description="what is wrong with it")


class Refused(BaseModel):
    """Why a request was refused."""

    error: str = Field(description="the reason, and what to do about it")
    errors: list[FieldProblem] | None = Field(None, description="each wrong field, when the body had some")


def _answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    meaning = {
        401: "not signed in, or (gateways) a missing, stale, forged or replayed signature",
        403: "the signed-in user's role may not do this",
        404: "no such hazard, picture or row",
        409: "the action does not apply to the row as it is now (its state, or the set's membership)",
        413: "the request body is over the regulator's --max-body-mb (a patrol picture: over 1 MB)",
        415: "a picture that is not a JPEG, or (a photo) too large to decode",
        422: "the body or a parameter is wrong; each wrong field is named",
        429: "too many failed sign-ins of the user name (locked) or from the address (throttled), or public "
        "reports past the form's limits: wait Retry-After seconds; (a phone) too many photos wait for their "
        "inspections: send those first",
        503: "the database or the evidence store is out of reach: retry later",
    }
    return {status: {"model": Refused, "description": meaning[status]} for status in statuses}


def _sign_in_answers() -> dict[int | str, dict[str, Any]]:
    answers = _answers(401, 413, 422, 429)
    answers[403] = {
        "model": Refused,
        "description": "the password expired: change it (POST /ui/api/password)",
    }
    return answers


SIGNED = _answers(401, 413, 422, 503)  # the gateways' endpoints
ON_SITE = _answers(401, 403, 404, 409, 413, 415, 422, 429, 503)  # a phone's photos and inspections
SESSION = _answers(401, 403, 404, 409, 413, 422, 503)  # the review UI's
LOGIN = _sign_in_answers()
PICTURE = _answers(401, 413, 415, 422, 503)  # a gateway's patrol picture
CLIP = _answers(401, 409, 413, 415, 422, 503)  # a gateway's evidence clip (409: its alert not there yet)
