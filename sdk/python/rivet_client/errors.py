"""The two ways a call to rivetd fails, kept apart because callers react differently.

An :class:`ApiError` means rivetd answered and refused (the request changed nothing, see
docs/rest-api.md): retrying the same request gets the same answer. :class:`Unreachable` means
no answer came (connection refused, TLS failure, timeout, dropped connection): the host may be
down, and a fleet run reports it as ``unreachable`` rather than ``error``.
"""

from __future__ import annotations

from typing import Any


class RivetError(Exception):
    """Base of every error this package raises, so a runbook can catch them all at once."""


class ApiError(RivetError):
    """rivetd answered with an error: the one shape ``{"error": {"code", "message"}}``.

    ``code`` is the API's code (``unknown_action``, ``not_cancelable``, ...); for an answer
    that is not in that shape (a proxy in the way, a truncated body) it is ``http_<status>``,
    and ``invalid_response`` when a success answer is not the JSON the API promises.
    ``details`` is the per-parameter list of ``invalid_parameters``, else empty.
    """

    def __init__(self, http_status: int, code: str, message: str,
                 details: list[Any] | None = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.details = details or []


class Unreachable(RivetError):
    """No answer could be had from the host: ``message`` says why (as ``str(error)`` does)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
