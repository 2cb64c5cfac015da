"""The regulators' supervision notices to this site (挂牌督办, gateway/uplinks/notices.py): the open ones
(viewer), each one's PDF fetched from the regulator (viewer), and a supervisor's answer with a photo of the
fix and a note, sent as the site's rectification report (supervisor; the logged-in user is named as who
reported, never a name from the body)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, HTTPException, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gateway.api.auth import ERRORS, Supervisor, viewer
from gateway.uplinks.notices import NoticeBoard, NoticeError, NoticeView

if TYPE_CHECKING:
    from gateway.api.services import ApiServices

NOTICE_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "no such open notice"},
    409: {"description": "the notice cannot be answered from the site"},
    422: {
        "description": "the regulator refused the answer (the photo is not a JPEG, the hazard is not awaiting a fix)"
    },
    502: {"description": "the regulator is out of reach or answered otherwise"},
}
NoticeId = Path(ge=1, le=2**63 - 1, description="the notice's id at the regulator")


class NoticeAnswer(BaseModel):
    """The site's answer to a notice: the fix, with a photo."""

    note: str = Field(
        min_length=1, max_length=2000, description="what was done, e.g. 已更换起重量限制器并复测"
    )
    photo: str = Field(min_length=1, description="a photo of the fix, JPEG as base64")


class AnswerSent(BaseModel):
    """The regulator took the answer: the hazard waits for re-inspection (复查)."""

    status: str = Field(description="reported")
    number: str = Field(description="the notice answered")


def notices_router(svc: ApiServices) -> APIRouter:
    """The routes over the site's notice board."""
    r = APIRouter(prefix="/api/v1/regulator/notices", tags=["alerts"], responses=ERRORS)

    def board() -> NoticeBoard:
        if svc.notices is None:
            raise HTTPException(404, "this gateway has no regulator uplink: no supervision notices")
        return svc.notices

    @r.get(
        "",
        response_model=list[NoticeView],
        dependencies=[Depends(viewer)],
        summary="The regulators' open supervision notices to this site (整改通知书, 停工整改通知书), nearest deadline first",
    )
    async def notices() -> list[NoticeView]:
        return board().all()

    @r.get(
        "/{uplink}/{notice_id}.pdf",
        response_class=Response,
        dependencies=[Depends(viewer)],
        responses={**NOTICE_ERRORS, 200: {"content": {"application/pdf": {}}, "description": "the notice"}},
        summary="A notice's printable PDF, fetched from the regulator",
    )
    async def notice_pdf(uplink: str, notice_id: int = NoticeId) -> Response:
        try:
            pdf = await board().fetch_pdf(uplink, notice_id)
        except NoticeError as exc:
            raise HTTPException(exc.status, exc.reason) from None
        return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": "inline"})

    @r.post(
        "/{uplink}/{notice_id}/answer",
        response_model=AnswerSent,
        responses=NOTICE_ERRORS,
        summary="Answer a notice: report the hazard fixed with a photo and a note (supervisor)",
    )
    async def answer(
        uplink: str, body: NoticeAnswer, who: Supervisor, notice_id: int = NoticeId
    ) -> AnswerSent:
        notices = board()
        try:
            await notices.answer(uplink, notice_id, body.note, body.photo, who.name)
        except NoticeError as exc:
            raise HTTPException(exc.status, exc.reason) from None
        [answered] = [n for n in notices.all() if n.uplink == uplink and n.id == notice_id]
        return AnswerSent(status="reported", number=answered.number)

    return r
