"""Site-work routes: work windows, high-formwork pours, tower-crane jacking and cranes' and hoists' 安拆
(list: viewer; start and
end: supervisor), the key personnel on site (viewer), over the gateway's ``SiteWork`` service, and the
site's sirens (viewer).

The actor of a start or end is the logged-in user, never a name from the request, so the pour's
record says who really started it. These handlers run on the event loop on purpose: a pour is
published on the bus, which must be called from the loop's thread, and the rules' state they read
is only changed there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import APIRouter, Body, Depends, HTTPException, Path

from gateway.api.auth import ERRORS, Supervisor, viewer
from gateway.api.models import KeyPersonView, PersonnelOnSiteView, PourStateView
from gateway.site.install import Install, InstallClose, InstallStart, InstallView
from gateway.site.jacking import Jacking, JackingClose, JackingView, LimitersRecord
from gateway.site.papers import PaperRow, paper_rows
from gateway.site.siren import SirenState
from gateway.site.site_work import WindowView, WorkError

if TYPE_CHECKING:
    from gateway.api.services import ApiServices

S = TypeVar("S", Jacking, Install)  # a service of one kind of work window, listing its devices' windows
V = TypeVar("V", bound=WindowView)
POUR_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no formwork device of that id on this site"},
    409: {"description": "a pour is already under way (start) or none is (end)"},
}
JACKING_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no crane of that id on this site"},
    409: {
        "description": "a jacking window is already open (start) or none is (end), or a closing check is "
        "missing; a re-calibration recorded while a window is open, before any closed, or again"
    },
}
INSTALL_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no crane or hoist of that id on this site"},
    409: {
        "description": "an 安拆 window is already open (start) or none is (end), or the self-check is missing"
    },
}
MACHINE = Path(description="crane or hoist device id, e.g. hoist-1")
DEVICE = Path(description="formwork device id, e.g. formwork-1")
CRANE = Path(description="crane device id, e.g. crane-1")


def window_call(device: str, known: Callable[[], list[str]], act: Callable[[], Any]) -> Any:
    """``act()`` on ``device``, its WorkError an HTTP answer: 409 for a device of the window's kind (a
    state or check that does not allow it), 404 for any other."""
    try:
        return act()
    except WorkError as exc:
        raise HTTPException(409 if device in known() else 404, str(exc)) from exc


def service_call(service: S | None, what: str, device: str, act: Callable[[S], V]) -> V:
    """``act(service)`` on ``device``'s window: 404 where this gateway has no such service, else as
    :func:`window_call` answers."""
    if service is None:
        raise HTTPException(404, f"{device!r}: this gateway does not track {what}")
    result: V = window_call(device, lambda: [w.device for w in service.list()], lambda: act(service))
    return result


def pour_state(p: WindowView) -> PourStateView:
    """A pour as the API shows it."""
    return PourStateView.model_validate(p.model_dump())


def work_router(svc: ApiServices) -> APIRouter:
    """Pours and jacking windows, papers, key personnel and sirens of one gateway."""
    r = APIRouter(prefix="/api/v1", tags=["work"], responses=ERRORS)
    _add_pours(r, svc)
    _add_jacking(r, svc)
    _add_install(r, svc)
    _add_site_lists(r, svc)
    return r


def _add_pours(r: APIRouter, svc: ApiServices) -> None:
    """The pours of high formwork, started and ended by a supervisor."""

    def set_pour(device: str, active: bool, actor: str) -> PourStateView:
        work = svc.work
        if work is None:  # a gateway without the service has no formwork to pour on
            raise HTTPException(404, f"{device!r}: this gateway does not track pours")
        return pour_state(
            window_call(
                device, lambda: [p.device for p in work.pours()], lambda: work.set_pour(device, active, actor)
            )
        )

    @r.get(
        "/pours",
        response_model=list[PourStateView],
        summary="Every high-formwork device with its pour state",
        dependencies=[Depends(viewer)],
    )
    async def pours() -> list[PourStateView]:
        return [] if svc.work is None else [pour_state(p) for p in svc.work.pours()]

    @r.post(
        "/pours/{device}/start",
        response_model=PourStateView,
        responses=POUR_ERRORS,
        summary="Start a pour: the rules watch the formwork's points as a pour from now (supervisor)",
    )
    async def start_pour(who: Supervisor, device: str = DEVICE) -> PourStateView:
        return set_pour(device, True, who.name)

    @r.post(
        "/pours/{device}/end",
        response_model=PourStateView,
        responses=POUR_ERRORS,
        summary="End the pour under way (supervisor)",
    )
    async def end_pour(who: Supervisor, device: str = DEVICE) -> PourStateView:
        return set_pour(device, False, who.name)


def _add_jacking(r: APIRouter, svc: ApiServices) -> None:
    """The tower cranes' jacking windows, opened and closed with their checks by a supervisor."""

    @r.get(
        "/jacking",
        response_model=list[JackingView],
        summary="Every tower crane with its jacking window, its height now and any proposal to open one",
        dependencies=[Depends(viewer)],
    )
    async def jacking_list() -> list[JackingView]:
        return [] if svc.jacking is None else svc.jacking.list()

    @r.post(
        "/jacking/{device}/start",
        response_model=JackingView,
        responses=JACKING_ERRORS,
        summary="Open a jacking window (顶升、加节、降节): the crane.jacking_* rules watch the crane (supervisor)",
    )
    async def start_jacking(who: Supervisor, device: str = CRANE) -> JackingView:
        return service_call(svc.jacking, "jacking", device, lambda j: j.start(device, who.name))

    @r.post(
        "/jacking/{device}/end",
        response_model=JackingView,
        responses=JACKING_ERRORS,
        summary="Close the jacking window with its checks: verticality ‰ measured and ties checked (supervisor)",
    )
    async def end_jacking(
        who: Supervisor, device: str = CRANE, check: JackingClose = Body(...)
    ) -> JackingView:
        return service_call(svc.jacking, "jacking", device, lambda j: j.end(device, who.name, check))

    @r.post(
        "/jacking/{device}/recalibrated",
        response_model=JackingView,
        responses=JACKING_ERRORS,
        summary="Record the crane's limiters re-adjusted and tested after a jacking window closed without: "
        "crane.recalibration ends (supervisor)",
    )
    async def jacking_recalibrated(
        who: Supervisor, device: str = CRANE, done: LimitersRecord | None = Body(None)
    ) -> JackingView:
        record = done or LimitersRecord()
        return service_call(
            svc.jacking, "jacking", device, lambda j: j.recalibrated(device, who.name, record)
        )


def _add_install(r: APIRouter, svc: ApiServices) -> None:
    """The cranes' and hoists' 安拆 windows, opened with their stage and closed by a supervisor."""

    @r.get(
        "/install",
        response_model=list[InstallView],
        summary="Every crane and hoist with its 安拆 window (安装、顶升加节、拆卸) and stage",
        dependencies=[Depends(viewer)],
    )
    async def install_list() -> list[InstallView]:
        return [] if svc.install is None else svc.install.list()

    @r.post(
        "/install/{device}/start",
        response_model=InstallView,
        responses=INSTALL_ERRORS,
        summary="Open an 安拆 window at its stage: the <kind>.install rules watch crew, supervisor and hook (supervisor)",
    )
    async def start_install(
        who: Supervisor, device: str = MACHINE, start: InstallStart = Body(...)
    ) -> InstallView:
        return service_call(svc.install, "安拆 windows", device, lambda i: i.start(device, who.name, start))

    @r.post(
        "/install/{device}/end",
        response_model=InstallView,
        responses=INSTALL_ERRORS,
        summary="Close the 安拆 window, after an erection or a climb with the installer's self-check (supervisor)",
    )
    async def end_install(
        who: Supervisor, device: str = MACHINE, close: InstallClose = Body(...)
    ) -> InstallView:
        return service_call(svc.install, "安拆 windows", device, lambda i: i.end(device, who.name, close))


def _add_site_lists(r: APIRouter, svc: ApiServices) -> None:
    """What the dashboard lists of the site: papers, key personnel, sirens."""

    @r.get(
        "/papers",
        response_model=list[PaperRow],
        summary="Every machine's papers (备案、验收、使用登记、定期检验) and every certified person's "
        "certificate, with what is due within 30 days or past",
        dependencies=[Depends(viewer)],
    )
    async def papers() -> list[PaperRow]:
        site = svc.site
        offset = timezone(timedelta(hours=site.config.rules.licence_utc_offset_h))
        return paper_rows(site, datetime.now(offset).date())

    @r.get(
        "/personnel",
        response_model=PersonnelOnSiteView,
        summary="The key personnel, on site or not (from the access gates), and the head count of others",
        dependencies=[Depends(viewer)],
    )
    async def personnel() -> PersonnelOnSiteView:
        if svc.work is None:
            return PersonnelOnSiteView(key_people=[], others_on_site=0)
        view = svc.work.personnel()
        return PersonnelOnSiteView(
            key_people=[KeyPersonView.model_validate(p.model_dump()) for p in view.key_people],
            others_on_site=view.others_on_site,
        )

    @r.get(
        "/sirens",
        response_model=list[SirenState],
        summary="The site's sirens (声光报警器): wanted and last written state, the alerts driving each",
        dependencies=[Depends(viewer)],
    )
    async def sirens() -> list[SirenState]:
        return [] if svc.sirens is None else svc.sirens()
