"""The second factor of authority users (regulators, admins): a time-based one-time code (TOTP, RFC 6238, the
six digits of any authenticator app), GB/T 22239-2019 8.1.4.1 d (两种或两种以上组合的鉴别技术).

A user enrols (a new secret, shown as an ``otpauth://`` URI the app scans as a QR code or takes typed) and
confirms with a first code; from then on sign-in needs the code besides the password. With the second factor
compulsory (``sitegw regulator serve``'s default), an authority user without one is led to enrol at sign-in
and can use nothing else until done (regulator/access/auth.py's ``SignedIn.must_enrol``).

A first enrolment takes the one-time enrolment code an administrator gave the user (``add-user`` prints it,
``enrolment-code`` issues a new one): a password alone, guessed or stolen, never lets someone bind their own
phone to another's account. Each code of the app is accepted once (RFC 6238 §5.2: the verifier must not
accept the second attempt of the same OTP): the time step of the last accepted code is kept per user, and a
code of that step or an earlier one is refused, so neither a code seen over a shoulder nor the step before
the one just used signs in again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno

ISSUER = "sitegw regulator"
ROLES = ("regulator", "admin")  # the authority's users; a project user reports rectification only
STEP_S = 30  # RFC 6238's time step, what every authenticator app uses
ENROLMENT_TTL_S = 72 * 3600.0  # an enrolment code given today still works after a weekend


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def uri(secret: str, username: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app takes (as a QR code, or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matched_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code ``code`` is: now's, or the 30 s step before or after (a phone's clock drifts);
    None when it is none of them. The caller accepts it only past the user's last accepted step."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp, step = pyotp.TOTP(secret), int((time.time() if now is None else now) // STEP_S)
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def new_enrolment_code() -> str:
    """A one-time enrolment code for an administrator to hand over: 80 random bits as 16 base32 letters in four
    groups (ABCD-EFGH-JKLM-NPQR), easy to read out and type."""
    letters = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))


def enrolment_digest(code: str) -> str:
    """What is stored of an enrolment code (its SHA-256: 80 random bits need no slow hash), as typed in any
    case, with or without its dashes and spaces."""
    return hashlib.sha256("".join(code.split()).replace("-", "").upper().encode()).hexdigest()


def qr_svg(otpauth_uri: str) -> str:
    """``otpauth_uri`` as a QR code, a standalone SVG document drawn on the server (no script library in the page, and the
    secret is never sent to a third-party QR service); error correction M, 5 px modules, the 4-module quiet
    zone a scanner needs."""
    out = io.BytesIO()
    segno.make(otpauth_uri, error="m", micro=False).save(
        out, kind="svg", scale=5, border=4, title="动态口令二维码 QR code of the one-time-code secret"
    )
    return out.getvalue().decode()
