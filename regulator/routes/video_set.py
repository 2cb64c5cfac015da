"""The provincial video-monitoring set (省级视频监控项目集, regulator/ledger/video_set.py): its members and history,
including a project, and removing one."""

from __future__ import annotations

from fastapi import APIRouter

from regulator.answers import SESSION
from regulator.ledger import video_set
from regulator.ledger.review import ReviewError
from regulator.ledger.video_set_models import Change, Inclusion, Member, Removal, VideoSet
from regulator.routes.routing import Who, blocking
from regulator.storage.repository import Repository


def video_set_router(repo: Repository) -> APIRouter:
    """The routes over ``repo``'s video-monitoring set."""
    r = APIRouter()

    @r.get("/ui/api/video-set", responses=SESSION)
    async def video_monitored(who: Who) -> VideoSet:
        """The provincial video-monitoring set (省级视频监控项目集): its projects the user may see, and its history."""
        found = await blocking(video_set.members)(repo, who)
        history = await blocking(video_set.changes)(repo, who)
        return VideoSet(
            categories=video_set.CATEGORIES,
            members=[Member.model_validate(m) for m in found],
            changes=[Change.model_validate(c) for c in history],
        )

    @r.post("/ui/api/video-set", responses=SESSION)
    async def include_in_video_set(body: Inclusion, who: Who) -> Change:
        """Put a project in the set (纳入) with its category, a reason and a date, or change its category."""
        decision = video_set.Decision(body.project, body.reason, body.effective_on, body.category)
        return Change.model_validate(await blocking(video_set.include)(repo, who, decision))

    @r.get("/ui/api/video-set/{project}/history", responses=SESSION)
    async def video_set_history(project: str, who: Who) -> list[Change]:
        """One project's inclusions, changes of category and removals, oldest first (404: none seen)."""
        found = await blocking(video_set.changes)(repo, who, project)
        if not found:
            # the code asked is not echoed: another district's project answers exactly as an absent one
            raise ReviewError(404, "no history of that project in the video-monitoring set")
        return [Change.model_validate(c) for c in found]

    @r.post("/ui/api/video-set/{project}/remove", responses=SESSION)
    async def remove_from_video_set(project: str, body: Removal, who: Who) -> Change:
        """Take a project out of the set (移出) with a reason and a date; its history stays."""
        decision = video_set.Decision(project, body.reason, body.effective_on)
        return Change.model_validate(await blocking(video_set.remove)(repo, who, decision))

    return r
