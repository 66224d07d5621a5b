"""Python client for rivetd's REST API v1 (mutual TLS), and fleet runs over many hosts.

Standard library only, so a runbook can use it on any host with Python 3.11 and nothing
installed: ``Client`` talks to one rivetd; ``rivet_client.fleet`` runs an action across an
inventory of them by the rules of docs/fleet.md, the same as the C++ library and the CLI.
"""

from .client import (
    DEFAULT_PORT,
    MAX_RUN_WAIT_SECONDS,
    Client,
    OutputChunk,
    Response,
    TlsFiles,
    api_error_from_response,
    is_terminal_status,
    make_ssl_context,
)
from .dev_pki import DevPkiFiles, dev_pki_files
from .errors import ApiError, RivetError, Unreachable
from . import fleet
from .fleet import (
    FleetProgress,
    FleetResult,
    HostResult,
    Instance,
    InventoryError,
    fleet_status,
    load_inventory,
    parse_inventory,
    run_fleet,
    select,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_PORT",
    "MAX_RUN_WAIT_SECONDS",
    "ApiError",
    "Client",
    "DevPkiFiles",
    "FleetProgress",
    "FleetResult",
    "HostResult",
    "Instance",
    "InventoryError",
    "OutputChunk",
    "Response",
    "RivetError",
    "TlsFiles",
    "Unreachable",
    "api_error_from_response",
    "dev_pki_files",
    "fleet",
    "fleet_status",
    "is_terminal_status",
    "load_inventory",
    "make_ssl_context",
    "parse_inventory",
    "run_fleet",
    "select",
]
