"""What a failed TLS handshake means for the site, in words a site engineer can act on.

OpenSSL's reasons ("certificate verify failed: unable to get local issuer certificate") name the
symptom; the log line should also name the setting to change. Used by the MQTT driver and the
HTTP uplinks alike.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

from contract.config.tls import TlsSettings, client_context

# X509_V_ERR_* codes of a certificate chain that does not lead to a trusted CA
_UNTRUSTED = {2, 18, 19, 20, 21}
_EXPIRED = {9, 10}
_HOSTNAME_MISMATCH = 62


def tls_error(exc: BaseException | None) -> ssl.SSLError | ssl.CertificateError | None:
    """The TLS error behind ``exc`` (itself, or its cause or context, as httpx and httpcore wrap it)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ssl.SSLError | ssl.CertificateError):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def explain(err: ssl.SSLError | ssl.CertificateError, tls: TlsSettings | None) -> str:
    """OpenSSL's reason and the fix, for a connection with settings ``tls`` (None: the system CA store)."""
    code = getattr(err, "verify_code", None)
    if isinstance(err, ssl.SSLCertVerificationError):
        reason = f"certificate verify failed: {err.verify_message}"
    else:
        reason = getattr(err, "reason", None) or str(err)
    trusted = (
        f"the CA in tls.ca_file {tls.ca_file}" if tls is not None and tls.ca_file else "the system's CAs"
    )
    if code in _UNTRUSTED:
        fix = (
            f"the server's certificate is not signed by {trusted}: set tls.ca_file to the PEM of the CA "
            "that signed it (ask whoever runs the server), or check that the host and port are the right server"
        )
    elif code in _EXPIRED:
        fix = "the server's certificate is expired or not yet valid: renew it, or check this machine's clock"
    elif code == _HOSTNAME_MISMATCH:
        fix = "the certificate is not for this host name: connect by a name the certificate lists, or reissue it"
    elif "WRONG_VERSION_NUMBER" in str(err) or "wrong version number" in str(reason):
        fix = "the port does not speak TLS: use the server's TLS port (MQTT: usually 8883), or leave tls: out"
    elif "CERTIFICATE_REQUIRED" in str(reason).upper() and not (tls is not None and tls.cert_file):
        fix = "the server requires a client certificate: set tls.cert_file and tls.key_file"
    elif tls is not None and tls.cert_file:
        fix = (
            f"the server refused this gateway's certificate tls.cert_file {tls.cert_file}: have it signed by a "
            "CA the server trusts (Mosquitto: cafile), and check that it has not expired"
        )
    else:
        fix = (
            "the server may require a client certificate: set tls.cert_file and tls.key_file "
            "(docs/configuration.md, TLS)"
        )
    return f"TLS failed ({reason}): {fix}"


def recording_context(
    tls: TlsSettings, on_error: Callable[[ssl.SSLError | ssl.CertificateError], None]
) -> ssl.SSLContext:
    """The client SSLContext of ``tls`` whose sockets hand every TLS failure (of the handshake, or the server's
    alert on the first read) to ``on_error`` first.

    For clients that swallow the exception (paho's reconnect loop only says the connection failed).
    """
    ctx = client_context(tls)

    class _Recording(ssl.SSLSocket):
        def do_handshake(self, block: bool = False) -> None:
            try:
                super().do_handshake(block)
            except (ssl.SSLError, ssl.CertificateError) as exc:
                on_error(exc)
                raise

        def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
            # TLS 1.3: a server refusing the client's certificate says so after the handshake, on the first read
            try:
                return super().recv(buflen, flags)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                raise
            except ssl.SSLError as exc:
                on_error(exc)
                raise

    ctx.sslsocket_class = _Recording
    return ctx
