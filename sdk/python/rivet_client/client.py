"""A client for one rivetd: the REST API v1 (docs/rest-api.md) over HTTPS with mutual TLS.

The same contract as the C++ ``rivet::client::Client``: one keep-alive connection, opened on
first use; when rivetd has closed it in between (its idle timeout, a restart) the request is
sent again on a new connection once, but only when that cannot run anything twice (see
:meth:`Client.request`). A Client may be used from one thread at a time; use one Client per
thread (a fleet run uses one per host).
"""

from __future__ import annotations

import http.client
import json
import os
import select
import socket
import ssl
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from email.message import Message
from typing import Any, Mapping

from .errors import ApiError, Unreachable

__all__ = [
    "Client",
    "OutputChunk",
    "Response",
    "TlsFiles",
    "api_error_from_response",
    "is_terminal_status",
    "make_ssl_context",
]

DEFAULT_PORT = 7443
MAX_RUN_WAIT_SECONDS = 60  # the most `wait` may ask for (docs/rest-api.md)
USER_AGENT = "rivet-client-python/0.1.0"

# The statuses an execution leaves; every other one is final.
_NON_TERMINAL = frozenset({"requested", "scheduled", "running", "canceling"})

# Methods whose repetition does no harm (RFC 9110): they may be sent again after the
# connection dropped even if the first copy reached rivetd.
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

# What a kept-alive connection meets when rivetd dropped it while it sat idle.
_CONNECTION_CLOSED = (
    ConnectionError,  # reset, aborted, broken pipe (RemoteDisconnected is one too)
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
    http.client.RemoteDisconnected,
)


def is_terminal_status(status: str) -> bool:
    """False for requested, scheduled, running and canceling: the statuses an execution leaves."""
    return status not in _NON_TERMINAL


@dataclass(frozen=True)
class TlsFiles:
    """The PEM files a client needs for mutual TLS with rivetd (as the C++ ``TlsFiles``)."""

    ca_file: str    # the CA that signed the server certificate
    cert_file: str  # this client's certificate (chain), signed by a CA rivetd trusts
    key_file: str   # its private key


def make_ssl_context(ca_file: str, cert_file: str, key_file: str) -> ssl.SSLContext:
    """A TLS client context: the server verified against ``ca_file`` and its name checked,
    this client identified by ``cert_file``/``key_file``.

    Built once and shared by many connections (a fleet run shares one across every host), so
    the key is read once. Raises ValueError naming the file when one cannot be used: OpenSSL's
    own messages ("[SSL] PEM lib") do not say which.
    """
    for what, path in (("CA certificate", ca_file), ("client certificate", cert_file),
                       ("client key", key_file)):
        if not path:
            raise ValueError(f"no {what} file given")
        if not os.access(path, os.R_OK):
            reason = "does not exist" if not os.path.exists(path) else "is not readable"
            raise ValueError(f"{what} {path} {reason}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    try:
        context.load_verify_locations(cafile=ca_file)
    except ssl.SSLError as error:
        raise ValueError(f"cannot load the CA certificate {ca_file}: {error}") from error
    try:
        context.load_cert_chain(certfile=cert_file, keyfile=key_file)
    except ssl.SSLError as error:
        raise ValueError(
            f"cannot load the client certificate {cert_file} with key {key_file}: {error}"
        ) from error
    return context


@dataclass
class Response:
    """One HTTP answer, whatever its status."""

    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str:
        """The header's value, "" when absent (names are case-insensitive)."""
        return self.headers.get(name, "") or ""


@dataclass
class OutputChunk:
    """One read of ``GET /v1/executions/{id}/output``."""

    data: bytes        # the bytes read
    offset: int        # where ``data`` starts in the stream
    next_offset: int   # where to read next
    status: str        # the execution's status when read
    complete: bool     # the execution has ended and every byte was returned


def api_error_from_response(http_status: int, body: bytes) -> ApiError:
    """The ApiError an error answer carries; a body not in the API's shape still gives one
    (``http_<status>`` and the start of the body) so the caller always learns something."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    fields = document.get("error") if isinstance(document, dict) else None
    if isinstance(fields, dict) and isinstance(fields.get("code"), str):
        message = fields.get("message")
        details = fields.get("details")
        return ApiError(http_status, fields["code"], message if isinstance(message, str) else "",
                        details if isinstance(details, list) else None)
    text = body[:200].decode("utf-8", "replace").replace("\r", " ").replace("\n", " ")
    if len(body) > 200:
        text += "..."
    return ApiError(http_status, f"http_{http_status}",
                    text or f"the server answered HTTP {http_status}")


def _segment(text: str) -> str:
    """Percent-encodes everything but RFC 3986's unreserved characters (refs, ids)."""
    return urllib.parse.quote(text, safe="")


class _FailedAttempt(Exception):
    """How one attempt to exchange a request for a response failed; decides the retry."""

    def __init__(self, cause: BaseException, request_written: bool, response_started: bool):
        super().__init__(str(cause))
        self.cause = cause
        self.request_written = request_written
        self.response_started = response_started


class Client:
    """rivetd at ``host:port``, over one keep-alive HTTPS connection with a client certificate.

    Nothing is connected in the constructor (as in the C++ client): an unreachable host shows
    in the first call, as :class:`Unreachable`. The TLS files are read here, though, so a wrong
    path fails at once with ValueError instead of looking like a host that is down.
    ``ssl_context`` (from :func:`make_ssl_context`) replaces the three files, to share one
    context among many clients. ``timeout`` (seconds) bounds the connect plus handshake and
    each read or write of a request.
    """

    def __init__(self, host: str, port: int = DEFAULT_PORT, ca_file: str | None = None,
                 cert_file: str | None = None, key_file: str | None = None,
                 timeout: float = 30, *, ssl_context: ssl.SSLContext | None = None) -> None:
        # An inventory may write an IPv6 address with its brackets; sockets want it without.
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        self.host = host
        self.port = int(port)
        self.timeout = timeout
        self._context = ssl_context or make_ssl_context(ca_file or "", cert_file or "",
                                                        key_file or "")
        self._connection: http.client.HTTPSConnection | None = None
        # How many connections this client opened: lets tests (and curious callers) see that a
        # dropped connection was replaced.
        self.connections_opened = 0

    @classmethod
    def from_tls(cls, host: str, port: int, tls: TlsFiles, timeout: float = 30) -> "Client":
        """A Client with the files of a :class:`TlsFiles` (or of ``dev_pki_files(dir).tls``)."""
        return cls(host, port, tls.ca_file, tls.cert_file, tls.key_file, timeout)

    @property
    def endpoint(self) -> str:
        """``host:port``, with brackets around an IPv6 host, as error messages show it."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def close(self) -> None:
        """Closes the connection; the next call opens a new one."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- HTTP ------------------------------------------------------------------------------

    def request(self, method: str, target: str, body: bytes | str | None = None,
                headers: Mapping[str, str] | None = None, *,
                answer_delay: float = 0) -> Response:
        """Any request; an error status is still a Response here. Raises Unreachable when no
        answer could be had. ``answer_delay`` (seconds) is how long rivetd may hold the answer
        because the request asked it to (a POST with ``wait``): it is added to the timeout.

        A connection rivetd closed while idle is noticed before writing to it and replaced,
        which lets any request, POST included, survive rivetd's idle timeout. rivetd may still
        close it between that check and the write: then the request is sent once more on a new
        connection when rivetd cannot have acted on it (the write failed), or when acting twice
        does no harm: an idempotent method, or a request whose Idempotency-Key lets rivetd
        recognise the repeat; either way only while no byte of an answer came. A plain POST
        could have started an execution and is not repeated.
        """
        method = method.upper()
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        all_headers.update(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None and not any(k.lower() == "content-type" for k in all_headers):
            all_headers["Content-Type"] = "application/json"
        repeatable = method in _IDEMPOTENT_METHODS or any(
            k.lower() == "idempotency-key" for k in all_headers)

        if self._connection is not None and self._peer_closed():
            self.close()
        reused = self._connection is not None
        if not reused:
            self._connect()
        try:
            return self._exchange(method, target, body, all_headers, answer_delay)
        except _FailedAttempt as failure:
            self.close()
            may_repeat = (reused and not failure.response_started
                          and isinstance(failure.cause, _CONNECTION_CLOSED)
                          and (not failure.request_written or repeatable))
            if not may_repeat:
                raise self._unreachable(failure.cause) from failure.cause
        self._connect()
        try:
            return self._exchange(method, target, body, all_headers, answer_delay)
        except _FailedAttempt as failure:
            self.close()
            raise self._unreachable(failure.cause) from failure.cause

    def _connect(self) -> None:
        connection = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                 context=self._context)
        try:
            connection.connect()  # TCP connect and TLS handshake, both under `timeout`
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise self._unreachable(error) from error
        self._connection = connection
        self.connections_opened += 1

    def _peer_closed(self) -> bool:
        """Whether the idle connection has something to read: rivetd's close (EOF or TLS
        close_notify) or bytes nobody asked for. Either way it is not fit to reuse."""
        assert self._connection is not None
        sock = self._connection.sock
        if sock is None:  # http.client closed it itself (the answer said Connection: close)
            return True
        try:
            if isinstance(sock, ssl.SSLSocket) and sock.pending() > 0:
                return True
            poller = select.poll()  # not select(): it fails on descriptors above 1023
            poller.register(sock, select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        except (OSError, ValueError):
            return True

    def _exchange(self, method: str, target: str, body: bytes | None,
                  headers: Mapping[str, str], answer_delay: float) -> Response:
        connection = self._connection
        assert connection is not None
        try:
            connection.request(method, target, body=body, headers=dict(headers))
        except (OSError, http.client.HTTPException) as error:
            raise _FailedAttempt(error, request_written=False, response_started=False)
        try:
            if answer_delay and connection.sock is not None:
                connection.sock.settimeout(self.timeout + answer_delay)
            answer = connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            raise _FailedAttempt(error, request_written=True, response_started=False)
        finally:
            if answer_delay and connection.sock is not None:
                connection.sock.settimeout(self.timeout)
        try:
            data = answer.read()
        except (OSError, http.client.HTTPException) as error:
            raise _FailedAttempt(error, request_written=True, response_started=True)
        return Response(answer.status, answer.headers, data)

    def _unreachable(self, error: BaseException) -> Unreachable:
        if isinstance(error, (socket.timeout, TimeoutError)):
            reason = f"timed out after {self.timeout:g} s"
        elif isinstance(error, ssl.SSLCertVerificationError):
            reason = f"TLS: server certificate not accepted: {error.verify_message or error}"
        elif isinstance(error, ssl.SSLError):
            reason = f"TLS: {error.reason or error}"
        elif isinstance(error, http.client.RemoteDisconnected):
            reason = "the connection was closed before an answer came"
        elif isinstance(error, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(error, OSError) and error.strerror:
            reason = error.strerror
        else:
            reason = str(error) or type(error).__name__
        return Unreachable(f"cannot reach {self.endpoint}: {reason}")

    def _json(self, method: str, target: str, expected: tuple[int, ...],
              body: Any = None, headers: Mapping[str, str] | None = None,
              answer_delay: float = 0) -> Any:
        payload = None if body is None else json.dumps(body).encode("utf-8")
        response = self.request(method, target, payload, headers, answer_delay=answer_delay)
        if response.status not in expected:
            raise api_error_from_response(response.status, response.body)
        try:
            return json.loads(response.body)
        except ValueError:
            raise ApiError(response.status, "invalid_response",
                           f"{method} {target}: the server's {response.status} answer is not "
                           "JSON") from None

    # ---- the API, one method per endpoint ---------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``GET /v1/health``. A degraded rivetd (503) is an ApiError ``http_503``."""
        return self._json("GET", "/v1/health", (200,))

    def packs(self) -> dict[str, Any]:
        """``GET /v1/packs``: ``{"items": [...]}``."""
        return self._json("GET", "/v1/packs", (200,))

    def actions(self) -> dict[str, Any]:
        """``GET /v1/actions``: ``{"items": [Action, ...]}``."""
        return self._json("GET", "/v1/actions", (200,))

    def action(self, ref: str) -> dict[str, Any]:
        """``GET /v1/actions/{pack}.{action}``; ApiError ``unknown_action`` when there is none."""
        return self._json("GET", "/v1/actions/" + _segment(ref), (200,))

    def run(self, ref: str, parameters: Mapping[str, Any] | None = None,
            timeout: int | None = None, idempotency_key: str | None = None,
            wait: int | None = None) -> dict[str, Any]:
        """Starts ``ref`` and returns its Execution (status ``requested``, with its ``id``).

        Every request carries an Idempotency-Key: a random one unless given, which already
        makes this client's own retry after a dropped connection safe; give your own (as a
        fleet run does) to make retries across processes safe too. A key seen before returns
        the execution it started (HTTP 200), in whatever status it has reached. ``timeout``
        (seconds) replaces the action's own. ``wait`` (seconds, 0 to MAX_RUN_WAIT_SECONDS) lets
        rivetd hold the answer until the execution has ended: it then comes back ended, in one
        round trip, or as it is when the wait is over.
        """
        body: dict[str, Any] = {"action": ref, "parameters": dict(parameters or {})}
        if timeout is not None:
            body["timeout"] = int(timeout)
        if wait is not None:
            body["wait"] = int(wait)
        key = idempotency_key or str(uuid.uuid4())
        return self._json("POST", "/v1/executions", (202, 200), body, {"Idempotency-Key": key},
                          answer_delay=float(wait or 0))

    def get(self, execution_id: str) -> dict[str, Any]:
        """``GET /v1/executions/{id}``; ApiError ``unknown_execution`` when there is none."""
        return self._json("GET", "/v1/executions/" + _segment(execution_id), (200,))

    def list_executions(self, action: str | None = None, status: str | None = None,
                        limit: int | None = None, before: str | None = None) -> dict[str, Any]:
        """``GET /v1/executions``, newest first: ``{"items": [...], "next_before": id|None}``."""
        query = {k: str(v) for k, v in (("action", action), ("status", status),
                                        ("limit", limit), ("before", before)) if v}
        target = "/v1/executions" + ("?" + urllib.parse.urlencode(query) if query else "")
        return self._json("GET", target, (200,))

    def cancel(self, execution_id: str) -> dict[str, Any]:
        """Asks rivetd to stop the execution; returns it as it is then (``canceling``, or
        ``canceled`` when it was still queued). One that has ended: ApiError 409
        ``not_cancelable``."""
        return self._json("DELETE", "/v1/executions/" + _segment(execution_id), (200, 202))

    def output(self, execution_id: str, stream: str = "stdout", offset: int = 0,
               limit: int | None = None) -> OutputChunk:
        """One read of an output stream (``stdout`` or ``stderr``) from byte ``offset``, at
        most ``limit`` bytes (default and maximum 1 MiB). Works while the execution runs: read
        again from ``next_offset`` until ``complete``."""
        query = {"stream": stream, "offset": str(offset)}
        if limit:
            query["limit"] = str(limit)
        target = (f"/v1/executions/{_segment(execution_id)}/output?"
                  + urllib.parse.urlencode(query))
        response = self.request("GET", target)
        if response.status != 200:
            raise api_error_from_response(response.status, response.body)

        def number(name: str, default: int) -> int:
            try:
                return int(response.header(name))
            except ValueError:
                return default

        start = number("Rivet-Output-Offset", offset)
        return OutputChunk(data=response.body, offset=start,
                           next_offset=number("Rivet-Next-Offset", start + len(response.body)),
                           status=response.header("Rivet-Execution-Status"),
                           complete=response.header("Rivet-Output-Complete") == "true")

    def read_output(self, execution_id: str, stream: str = "stdout") -> bytes:
        """The whole stream as written so far (all of it once the execution has ended)."""
        data = bytearray()
        offset = 0
        while True:
            chunk = self.output(execution_id, stream, offset)
            data += chunk.data
            offset = chunk.next_offset
            if chunk.complete or not chunk.data:
                return bytes(data)

    def wait_for_end(self, execution_id: str, deadline_seconds: float,
                     poll_interval: float = 0.1) -> dict[str, Any]:
        """Polls :meth:`get` until the execution reaches a final status or ``deadline_seconds``
        have passed, and returns the last Execution read: tell the two apart with
        :func:`is_terminal_status`. (Polling rather than following the output keeps one short
        request per interval, which a fleet of hosts multiplies well.)"""
        deadline = time.monotonic() + deadline_seconds
        while True:
            execution = self.get(execution_id)
            if is_terminal_status(str(execution.get("status", ""))):
                return execution
            now = time.monotonic()
            if now >= deadline:
                return execution
            time.sleep(min(poll_interval, deadline - now))
