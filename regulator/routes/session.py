"""Signing in and out: the session cookie, changing one's password, a second factor, and who is signed in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from regulator.access.auth import WRONG, Accounts, AuthError, LoginPolicy, SignedIn, SignInRefused
from regulator.access.passwords import MAX_LENGTH as MAX_PASSWORD
from regulator.access.second_factor import qr_svg
from regulator.answers import LOGIN, SESSION, Answer
from regulator.ledger.review import ReviewError
from regulator.routes.routing import COOKIE, Enrolling

QR_PATH = "/ui/api/second-factor/qr.svg"

MAX_USERNAME = 200


class Login(BaseModel):
    """Sign-in form (bounded: a password is hashed, and hashing a megabyte costs the server)."""

    username: str = Field(max_length=MAX_USERNAME)
    password: str = Field(max_length=MAX_PASSWORD)
    otp: str = Field(
        "", max_length=10, description="the authenticator app's code, for a user with a second factor"
    )


class SecondFactor(BaseModel):
    """A second factor being enrolled."""

    otpauth_uri: str = Field(
        description="otpauth://totp/... for the authenticator app (as a QR code, or typed)"
    )
    qr_svg: str = Field(description=f"where the QR code of otpauth_uri is, as an SVG image ({QR_PATH})")


class Enrolment(BaseModel):
    """What enrolling a second factor takes: the administrator's one-time enrolment code for a first factor;
    the password and the current factor's code to replace one."""

    enrolment_code: str = Field(
        "", max_length=40, description="the one-time enrolment code an administrator gave (a first factor)"
    )
    password: str = Field("", max_length=MAX_PASSWORD, description="the user's password (replacing a factor)")
    otp: str = Field("", max_length=10, description="the current factor's code (replacing a factor)")


class OneTimeCode(BaseModel):
    """The authenticator app's current code."""

    code: str = Field(max_length=10)


class NewPassword(Login):
    """A user changing their password with the old one."""

    new_password: str = Field(max_length=MAX_PASSWORD)


class Me(Answer):
    """The signed-in user."""

    username: str = Field(description="their user name")
    role: str = Field(description="regulator, admin or project")
    project: str | None = Field(description="a project user's project (null: not a project user)")
    jurisdiction: str | None = Field(
        description="the place whose projects they see, 省/市/区县 (null: every project)"
    )
    second_factor: bool = Field(description="whether they have a TOTP second factor")
    second_factor_required: bool = Field(
        description="they must enrol a second factor before anything else (POST /ui/api/second-factor)"
    )


def me_of(session: SignedIn) -> Me:
    """What /ui/api/me and sign-in answer about a session's user."""
    who = session.actor
    return Me(
        username=who.name,
        role=who.role,
        project=who.project,
        jurisdiction=who.jurisdiction,
        second_factor=session.enrolled,
        second_factor_required=session.must_enrol,
    )


def session_router(accounts: Accounts, login_policy: LoginPolicy, secure_cookies: bool | None) -> APIRouter:
    """The routes over ``accounts``; ``secure_cookies``: the session cookie's Secure flag (None: when the
    request came over TLS)."""
    r = APIRouter()
    _add_sign_in(r, accounts, login_policy, secure_cookies)
    _add_second_factor(r, accounts)
    _add_session(r, accounts)
    return r


def address(request: Request) -> str:
    """The client's address (uvicorn puts the X-Forwarded-For client here for a --forwarded-allow-ips proxy)."""
    return request.client.host if request.client else ""


def sign_in_refused(exc: AuthError) -> JSONResponse:
    """The answer to a refused sign-in: 401, or the refusal's status (429 with Retry-After, 403 expired)."""
    if isinstance(exc, SignInRefused):
        headers = {"Retry-After": str(max(1, round(exc.retry_after_s)))} if exc.status == 429 else None
        said = {"error": str(exc), "password_expired": exc.status == 403}
        return JSONResponse(said, status_code=exc.status, headers=headers)
    return JSONResponse({"error": str(exc)}, status_code=401)


def _add_sign_in(
    r: APIRouter, accounts: Accounts, login_policy: LoginPolicy, secure_cookies: bool | None
) -> None:
    """Signing in (the session cookie) and changing one's password."""

    def with_cookie(request: Request, response: JSONResponse, token: str) -> JSONResponse:
        # Secure: sent back only over TLS, when the request came over it (directly, or by a trusted proxy's
        # X-Forwarded-Proto) or the regulator is told it is served so (--secure-cookies)
        secure = request.url.scheme == "https" if secure_cookies is None else secure_cookies
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=secure,
            max_age=int(login_policy.session_s),
        )
        return response

    @r.post("/ui/api/login", responses=LOGIN)
    async def login(form: Login, request: Request) -> JSONResponse:
        """Sign in: sets the session cookie. 401 wrong user name or password; 429 too many failures of the
        name or from the address (``Retry-After``); 403 the password expired (change it: /ui/api/password)."""
        try:
            token = await run_in_threadpool(
                accounts.login, form.username, form.password, address(request), form.otp
            )
        except AuthError as exc:
            return sign_in_refused(exc)
        session = await run_in_threadpool(accounts.signed_in, token)
        if session is None:  # the session was ended between the two calls
            return JSONResponse({"error": "session ended, log in again"}, status_code=401)
        response = JSONResponse(me_of(session).model_dump())
        return with_cookie(request, response, token)

    @r.post("/ui/api/password", responses=LOGIN)
    async def change_password(form: NewPassword, request: Request) -> JSONResponse:
        """Change one's password with the old one (also an expired one); throttled as sign-in is. Every
        session of the user ends: sign in again."""
        try:
            await run_in_threadpool(
                accounts.change_password,
                form.username,
                form.password,
                form.new_password,
                address(request),
                form.otp,
            )
        except SignInRefused as exc:
            return sign_in_refused(exc)
        except AuthError as exc:  # a new password the rules refuse is 422, a wrong old one 401
            return JSONResponse({"error": str(exc)}, status_code=401 if str(exc) == WRONG else 422)
        return JSONResponse({"status": "changed", "username": form.username})


def _add_second_factor(r: APIRouter, accounts: Accounts) -> None:
    """Enrolling a TOTP second factor: its three routes take a session that must enrol first (Enrolling),
    the rest refuse it."""

    @r.post("/ui/api/second-factor", responses={**SESSION, **LOGIN}, response_model=SecondFactor)
    async def enrol_second_factor(
        session: Enrolling, request: Request, body: Enrolment | None = None
    ) -> SecondFactor | JSONResponse:
        """Enrol a TOTP second factor (regulators and admins): the ``otpauth://`` URI for the authenticator app
        and its QR code (an SVG at ``qr_svg``); it counts once confirmed with a code
        (/ui/api/second-factor/confirm). A first factor takes the administrator's ``enrolment_code`` (403
        without it); replacing one takes ``password`` and the current factor's ``otp``, refused (401, 429) as
        a sign-in is. Enrolling again replaces a secret not yet confirmed."""
        given = body or Enrolment()
        try:
            uri = await run_in_threadpool(
                accounts.enrol_second_factor,
                session.actor,
                given.enrolment_code,
                given.password,
                given.otp,
                address(request),
            )
        except SignInRefused as exc:
            return sign_in_refused(exc)
        except AuthError as exc:
            if str(exc) == WRONG:
                return sign_in_refused(exc)
            raise ReviewError(403, str(exc)) from None
        return SecondFactor(otpauth_uri=uri, qr_svg=QR_PATH)

    @r.get(QR_PATH, responses=SESSION, response_class=Response)
    async def second_factor_qr(session: Enrolling) -> Response:
        """The QR code of the second factor being enrolled (image/svg+xml, drawn on the server); 404 when none
        is being enrolled. Never cached: it holds the secret."""
        uri = await run_in_threadpool(accounts.pending_second_factor, session.actor)
        if uri is None:
            raise ReviewError(404, "no second factor being enrolled: POST /ui/api/second-factor first")
        return Response(
            qr_svg(uri), media_type="image/svg+xml", headers={"Cache-Control": "no-store, private"}
        )

    @r.post("/ui/api/second-factor/confirm", responses=SESSION)
    async def confirm_second_factor(
        body: OneTimeCode, session: Enrolling, request: Request
    ) -> dict[str, str]:
        """Confirm the enrolled second factor with the app's current code: from then on sign-in needs a code.
        A replaced factor ends the user's other sessions."""
        who = session.actor
        try:
            await run_in_threadpool(
                accounts.confirm_second_factor,
                who,
                body.code,
                address(request),
                request.cookies.get(COOKIE, ""),
            )
        except AuthError as exc:
            raise ReviewError(422, str(exc)) from None
        return {"status": "enrolled", "username": who.name}


def _add_session(r: APIRouter, accounts: Accounts) -> None:
    """Signing out and who is signed in."""

    @r.post("/ui/api/logout")
    async def logout(request: Request) -> JSONResponse:
        """End the session."""
        if token := request.cookies.get(COOKIE):
            await run_in_threadpool(accounts.logout, token, address(request))
        response = JSONResponse({"status": "signed out"})
        response.delete_cookie(COOKIE)
        return response

    @r.get("/ui/api/me", responses=SESSION)
    async def me(session: Enrolling) -> Me:
        """The signed-in user; ``jurisdiction``: the place whose projects they see (None: every project);
        ``second_factor_required``: they must enrol a second factor before anything else."""
        return me_of(session)
