"""Certificates the TLS tests make for themselves (trustme): a site CA, the server's and the gateway's
certificates it signs, and another CA that signed none of them (what a wrong ``ca_file`` holds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class Certs:
    """PEM files in one folder."""

    ca: Path  # the CA that signed server and client
    server_cert: Path  # for 127.0.0.1 and localhost
    server_key: Path
    client_cert: Path  # the gateway's
    client_key: Path
    other_ca: Path  # a CA unrelated to everything above


def make_certs(folder: Path) -> Certs:
    """A fresh CA, a server certificate for 127.0.0.1/localhost, a client certificate and an unrelated CA."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("sitegw-gateway.example")
    out = Certs(
        *(folder / n for n in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key", "other.pem"))
    )
    ca.cert_pem.write_to_path(str(out.ca))
    server.cert_chain_pems[0].write_to_path(str(out.server_cert))
    server.private_key_pem.write_to_path(str(out.server_key))
    client.cert_chain_pems[0].write_to_path(str(out.client_cert))
    client.private_key_pem.write_to_path(str(out.client_key))
    trustme.CA().cert_pem.write_to_path(str(out.other_ca))
    for key in (out.server_key, out.client_key):
        key.chmod(0o600)
    return out
