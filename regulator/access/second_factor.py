"""The second factor of authority users (regulators, admins): a time-based one-time code (TOTP, RFC 6238, the
six digits of any authenticator app), GB/T 22239-2019 8.1.4.1 d (两种或两种以上组合的鉴别技术).

A user enrols (a new secret, shown as an ``otpauth://`` URI the app scans as a QR code or takes typed) and
confirms with a first code; from then on sign-in needs the code besides the password. With the second factor
compulsory (``sitegw regulator serve``'s default), an authority user without one is led to enrol at sign-in
and can use nothing else until done (regulator/access/auth.py's ``SignedIn.must_enrol``).
"""

from __future__ import annotations

import io

import pyotp
import segno

ISSUER = "sitegw regulator"
ROLES = ("regulator", "admin")  # the authority's users; a project user reports rectification only


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def uri(secret: str, username: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app takes (as a QR code, or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def valid(secret: str, code: str) -> bool:
    """Whether ``code`` is the secret's code now, or of the 30 s step before or after (a phone's clock)."""
    return code.isdigit() and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def qr_svg(otpauth_uri: str) -> str:
    """``otpauth_uri`` as a QR code, a standalone SVG document drawn on the server (no script library in the page, and the
    secret is never sent to a third-party QR service); error correction M, 5 px modules, the 4-module quiet
    zone a scanner needs."""
    out = io.BytesIO()
    segno.make(otpauth_uri, error="m", micro=False).save(
        out, kind="svg", scale=5, border=4, title="动态口令二维码 QR code of the one-time-code secret"
    )
    return out.getvalue().decode()
