"""TLS towards a broker or a platform: which CA to trust, the gateway's own certificate, and whether to verify.

Each file is checked as the site is loaded, so a missing, unreadable or wrong file is a configuration
error naming the file's line and the fix, not a connection that fails for hours with a terse log line.
Relative paths are taken from the site file's folder (the loader passes it as the validation context's
``base_dir``), as ``profiles_dir`` is.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator, model_validator

from contract.config.common import Model

PATH_FIELDS = ("ca_file", "cert_file", "key_file")


class TlsSettings(Model):
    """TLS for one connection: server verification against a pinned CA, and a client certificate."""

    ca_file: str = Field(
        "",
        title="CA file",
        description="PEM file of the CA that signed the server's certificate; only it is trusted then "
        "(pinned). Empty: the system's CA store. Relative to the site file's folder",
    )
    cert_file: str = Field(
        "",
        title="Client certificate",
        description="PEM file of this gateway's certificate, for a server that requires client "
        "certificates (Mosquitto's require_certificate); needs key_file",
    )
    key_file: str = Field(
        "",
        title="Client key",
        description="PEM file of the client certificate's private key (unencrypted; keep it mode 600, "
        "owned by the gateway's user)",
    )
    verify: bool = Field(
        True,
        title="Verify the server",
        description="check the server's certificate and host name. false only on a test bench: "
        "anyone between the gateway and the server could then read and change the traffic",
    )

    @field_validator(*PATH_FIELDS)
    @classmethod
    def _readable(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            return value
        base = (info.context or {}).get("base_dir")
        path = Path(value).expanduser()
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        try:
            with path.open("rb") as f:
                f.read(1)
        except FileNotFoundError:
            raise ValueError(
                f"{info.field_name} {path}: no such file; put the PEM file there or correct the path "
                "(a relative path is taken from the site file's folder)"
            ) from None
        except OSError as exc:
            raise ValueError(
                f"{info.field_name} {path}: cannot be read ({exc.strerror}); let the gateway's user "
                f"read it (chown/chmod), or correct the path"
            ) from None
        return str(path)

    @model_validator(mode="after")
    def _loads(self) -> TlsSettings:
        if bool(self.cert_file) != bool(self.key_file):
            raise ValueError("cert_file and key_file go together: give both, or neither")
        client_context(self)  # a file that is not PEM, or a key that is not the certificate's, fails here
        return self


def client_context(tls: TlsSettings) -> ssl.SSLContext:
    """The SSLContext of a client connection with these settings; ValueError naming the file at fault."""
    ctx = ssl.create_default_context()
    if tls.ca_file:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # the pinned CA only, not the system store besides
        try:
            ctx.load_verify_locations(cafile=tls.ca_file)
        except ssl.SSLError as exc:
            raise ValueError(
                f"ca_file {tls.ca_file}: not a PEM CA certificate ({exc.reason or exc})"
            ) from None
    if tls.cert_file:
        try:
            ctx.load_cert_chain(tls.cert_file, tls.key_file)
        except ssl.SSLError as exc:
            raise ValueError(
                f"cert_file {tls.cert_file} with key_file {tls.key_file}: {exc.reason or exc}; both must be "
                "PEM, the key unencrypted and the one of this certificate"
            ) from None
    if not tls.verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
