"""Where ``rivet certs init DIR`` (and rivetd's own first start with ``dev_pki``) puts the
development PKI: the same names as the C++ ``rivet::client::devPkiFiles``, so a runbook can
point at the directory the operator already uses with ``rivet --certs DIR``."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .client import TlsFiles

__all__ = ["DevPkiFiles", "dev_pki_files"]


@dataclass(frozen=True)
class DevPkiFiles:
    """The six files of a development PKI directory."""

    ca_cert: str      # dir/ca.pem
    ca_key: str       # dir/ca.key
    server_cert: str  # dir/server.pem
    server_key: str   # dir/server.key
    client_cert: str  # dir/client.pem
    client_key: str   # dir/client.key

    @property
    def tls(self) -> TlsFiles:
        """What a client needs of them: the CA, and the client's certificate and key."""
        return TlsFiles(self.ca_cert, self.client_cert, self.client_key)


def dev_pki_files(directory: str | os.PathLike[str]) -> DevPkiFiles:
    """The paths of the files of the development PKI in ``directory`` (none is checked)."""
    base = os.fspath(directory)
    return DevPkiFiles(
        ca_cert=os.path.join(base, "ca.pem"),
        ca_key=os.path.join(base, "ca.key"),
        server_cert=os.path.join(base, "server.pem"),
        server_key=os.path.join(base, "server.key"),
        client_cert=os.path.join(base, "client.pem"),
        client_key=os.path.join(base, "client.key"),
    )
