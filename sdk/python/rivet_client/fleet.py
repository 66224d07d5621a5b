"""Fleet runs with no middle tier: one action on many hosts, each reached directly by this
client, in the order and within the bounds of a strategy.

The rules are docs/fleet.md's, shared with the C++ library (``rivet::client::runFleet``) and
the ``rivet`` CLI, so a runbook in Python and an operator at the CLI see the same behaviour:
inventory and selection, the four strategies, max-concurrency with refill, max-errors, the
per-host result table, and asynchronous runs recorded in a fleet-run file.

Differences that come from the standard library only: inventories are JSON (there is no YAML
parser in it); convert a YAML inventory first, or have the inventory command print JSON.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import json
import os
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from .client import Client, TlsFiles, is_terminal_status, make_ssl_context
from .dev_pki import DevPkiFiles
from .errors import ApiError, RivetError, Unreachable
from .inventory import Instance, InventoryError, load_inventory, parse_inventory, select

__all__ = [
    "STRATEGIES",
    "FleetProgress",
    "FleetResult",
    "HostResult",
    "Instance",
    "InventoryError",
    "fleet_status",
    "host_count",
    "load_inventory",
    "parse_inventory",
    "run_fleet",
    "select",
]

STRATEGIES = ("one-at-a-time", "zone", "region", "parallel")

# fleet_status's exit code while any host's execution has not ended yet.
EXIT_STILL_RUNNING = 4

# Reads of fleet_status at once when max_concurrency is not given (reads are cheap).
_DEFAULT_STATUS_READERS = 64

# A poll of a running execution that fails (a dropped connection, rivetd briefly busy) is
# tried again this many times, with doubling pauses from the first, before the host is
# reported failed: the execution goes on regardless, and one lost poll should not fail it.
_POLL_RETRIES = 3
_POLL_RETRY_PAUSE = 0.2


# ---- results -----------------------------------------------------------------------------------


@dataclass
class HostResult:
    """What happened on one host (docs/fleet.md, "Each host")."""

    host: str               # the instance's id
    address: str
    port: int
    group: str = ""         # its zone or region under those strategies, else ""
    # The execution's final status, or unreachable (no connection, TLS failure), error (the
    # API refused; `error` says why) or skipped (never started because of max-errors).
    status: str = "skipped"
    execution_id: str | None = None   # set once the POST was accepted
    exit_code: int | None = None
    duration_ms: int | None = None
    error: str = ""                   # why it failed
    result: Any = None                # the execution's structured result, None when none
    started_at_ms: int | None = None  # client clock: when the host's turn started...
    ended_at_ms: int | None = None    # ...and ended; None for a host never started
    # The last Execution read from rivetd (None when none was): everything the table leaves
    # out, for a runbook that wants it. Not part of to_dict().
    execution: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def failed(self) -> bool:
        """Everything but ``succeeded`` fails the host (and the run's exit code)."""
        return self.status != "succeeded"

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host, "address": self.address, "port": self.port, "group": self.group,
            "status": self.status, "execution_id": self.execution_id,
            "exit_code": self.exit_code, "duration_ms": self.duration_ms, "error": self.error,
            "result": self.result, "started_at_ms": self.started_at_ms,
            "ended_at_ms": self.ended_at_ms,
        }


@dataclass
class FleetResult:
    """A fleet run's hosts, in inventory order, and its summary."""

    fleet_run: str                    # the run's id: every host's idempotency key starts so
    action: str
    parameters: dict[str, Any]
    strategy: str
    hosts: list[HostResult]
    stopped_early: bool = False       # more than max_errors hosts failed
    max_errors: int = 0               # the failures tolerated, as a count of hosts
    # run_fleet: 0 when every host succeeded, else 1. An asynchronous run: 0 when every submit
    # was accepted, else 1. fleet_status: 0 all succeeded, 1 any failed, 4 any still running.
    exit_code: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Hosts by status, e.g. ``{"succeeded": 7, "failed": 2, "skipped": 3}``."""
        counts: dict[str, int] = {}
        for host in self.hosts:
            counts[host.status] = counts.get(host.status, 0) + 1
        return dict(sorted(counts.items()))

    def host(self, host_id: str) -> HostResult:
        """The result of the host with that id (KeyError when it was not in the run)."""
        for result in self.hosts:
            if result.host == host_id:
                return result
        raise KeyError(host_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the C++ ``FleetResult::toJson`` (plus action and strategy)."""
        return {
            "fleet_run": self.fleet_run, "action": self.action, "strategy": self.strategy,
            "stopped_early": self.stopped_early, "max_errors": self.max_errors,
            "counts": self.counts, "exit_code": self.exit_code,
            "hosts": [host.to_dict() for host in self.hosts],
        }


@dataclass
class FleetProgress:
    """Where a run stands, handed to ``on_progress`` each time a host starts or ends."""

    total: int
    done: int = 0        # hosts that ended (succeeded or failed)
    running: int = 0
    failed: int = 0
    group: str = ""      # the zone or region being run; "" for the other strategies
    event: str = ""      # "started", "ended" or "skipped": what just happened to `host`
    host: HostResult | None = None  # the host it happened to


# ---- counts ------------------------------------------------------------------------------------


def _parse_count(value: int | str, what: str) -> tuple[int, bool]:
    """("N" | N | "N%") -> (N, is_percent); a percentage is at most 100."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected N or N%, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{what}: expected N or N%, got {value}")
        return value, False
    text = str(value).strip()
    percent = text.endswith("%")
    digits = text[:-1] if percent else text
    if not digits.isdigit() or not digits.isascii() or (percent and int(digits) > 100):
        raise ValueError(f"{what}: expected N or N% (N% at most 100%), got '{value}'")
    return int(digits), percent


def host_count(value: int | str, total: int, round_up: bool, what: str = "count") -> int:
    """``N`` hosts, or ``N%`` of ``total`` rounded up (max-concurrency) or down (max-errors)."""
    number, percent = _parse_count(value, what)
    if not percent:
        return number
    return (number * total + 99) // 100 if round_up else number * total // 100


def _concurrency(strategy: str, max_concurrency: int | str | None, group_size: int,
                 total: int) -> int:
    if strategy == "one-at-a-time":
        return 1
    if max_concurrency is None:
        return max(1, group_size)  # the whole group (zone, region), or all (parallel)
    bound = max(1, host_count(max_concurrency, total, True, "max-concurrency"))
    return max(1, min(bound, group_size))


# ---- running -----------------------------------------------------------------------------------


def _now_ms() -> int:
    return int(time.time() * 1000)


def _rfc3339_now() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _tls_context(tls: TlsFiles | DevPkiFiles | ssl.SSLContext | None) -> ssl.SSLContext:
    """One context for every host of the run: the key is read once, and a bad file stops the
    run before any host is reached rather than failing every host as unreachable."""
    if isinstance(tls, ssl.SSLContext):
        return tls
    if isinstance(tls, DevPkiFiles):
        tls = tls.tls
    if not isinstance(tls, TlsFiles):
        raise ValueError("tls must be TlsFiles, DevPkiFiles or an ssl.SSLContext")
    return make_ssl_context(tls.ca_file, tls.cert_file, tls.key_file)


def _record_failure(result: HostResult, error: RivetError) -> None:
    if isinstance(error, ApiError):
        result.status = "error"
        result.error = f"{error.code}: {error.message}" if error.message else error.code
    else:
        result.status = "unreachable"
        result.error = str(error)


def _record_execution(result: HostResult, execution: dict[str, Any]) -> None:
    """The host's result from its Execution as read from rivetd."""
    result.execution = execution
    if isinstance(execution.get("id"), str):
        result.execution_id = execution["id"]
    result.status = str(execution.get("status") or "error")

    def integer(key: str) -> int | None:
        value = execution.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    result.exit_code = integer("exit_code")
    result.duration_ms = integer("duration_ms")
    error = execution.get("error")
    result.error = error if isinstance(error, str) else ""
    result.result = execution.get("result")


def _check_instances(instances: Sequence[Instance]) -> list[Instance]:
    instances = list(instances)
    if not instances:
        raise ValueError("no instance to run on (did the selection match none?)")
    seen: set[str] = set()
    for instance in instances:
        if not isinstance(instance, Instance):
            raise ValueError(f"not an Instance: {instance!r} (see parse_inventory)")
        if instance.id in seen:
            # The id makes the idempotency key: two hosts with one id would share it.
            raise ValueError(f"instance id '{instance.id}' is used twice")
        seen.add(instance.id)
    return instances


# How long each host's POST asks rivetd to wait for the end (docs/fleet.md): long enough for a
# quick action to end in one round trip, short enough not to hold an interrupted run.
_FLEET_POST_WAIT_SECONDS = 5


@dataclass
class _RunSettings:
    ref: str
    parameters: dict[str, Any]
    fleet_run: str
    context: ssl.SSLContext
    timeout: int | None
    request_timeout: float
    poll_interval: float
    wait_limit: float
    # Set when the caller's thread leaves the run (Ctrl-C, a raising on_progress): the workers
    # stop polling instead of holding the caller for as long as the actions run.
    abandoned: threading.Event = field(default_factory=threading.Event)


def _group_of(instance: Instance, strategy: str) -> str:
    if strategy in ("zone", "region"):
        return instance.attribute(strategy)
    return ""


def _submit(instance: Instance, settings: _RunSettings, client: Client,
            result: HostResult, wait: int | None = None) -> dict[str, Any] | None:
    """POSTs the run to one host; the Execution, or None with the failure in ``result``.
    With ``wait``, rivetd answers once the execution has ended (or the wait is over)."""
    try:
        execution = client.run(settings.ref, settings.parameters, timeout=settings.timeout,
                               idempotency_key=f"{settings.fleet_run}/{instance.id}", wait=wait)
    except RivetError as error:
        _record_failure(result, error)
        return None
    _record_execution(result, execution)
    return execution


def _wait(client: Client, settings: _RunSettings, result: HostResult) -> None:
    """Polls the host's execution until it ends, on the connection the POST used."""
    assert result.execution_id is not None
    deadline = time.monotonic() + settings.wait_limit
    failures = 0
    while not is_terminal_status(result.status):
        if settings.abandoned.is_set():
            result.error = "no longer waited for: the fleet run was interrupted"
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.error = f"still {result.status} after waiting {settings.wait_limit:g} s"
            result.status = "error"
            return
        time.sleep(min(settings.poll_interval, remaining))
        try:
            execution = client.get(result.execution_id)
        except RivetError as error:
            transient = isinstance(error, Unreachable) or (
                isinstance(error, ApiError) and error.http_status in (429, 503))
            if transient and failures < _POLL_RETRIES:
                time.sleep(_POLL_RETRY_PAUSE * 2 ** failures)
                failures += 1
                continue
            _record_failure(result, error)
            return
        failures = 0
        _record_execution(result, execution)


def _run_on_host(instance: Instance, group: str, settings: _RunSettings) -> HostResult:
    """One host's turn: POST, then poll to the end. Never raises: whatever goes wrong is the
    host's result, so one bad host cannot stop the others' bookkeeping."""
    result = HostResult(instance.id, instance.address, instance.port, group)
    result.started_at_ms = _now_ms()
    try:
        with Client(instance.address, instance.port, timeout=settings.request_timeout,
                    ssl_context=settings.context) as client:
            # A quick action ends within the POST's own wait: one round trip, no polling.
            wait = int(min(_FLEET_POST_WAIT_SECONDS, settings.wait_limit))
            if _submit(instance, settings, client, result, wait) is not None:
                _wait(client, settings, result)
    except Exception as error:  # a bug here must not lose the host: report it as its error
        result.status = "error"
        result.error = f"client error: {type(error).__name__}: {error}"
    result.ended_at_ms = _now_ms()
    return result


def run_fleet(instances: Sequence[Instance], ref: str,
              parameters: Mapping[str, Any] | None = None,
              strategy: str = "one-at-a-time",
              max_concurrency: int | str | None = None,
              max_errors: int | str = "0",
              tls: TlsFiles | DevPkiFiles | ssl.SSLContext | None = None,
              on_progress: Callable[[FleetProgress], None] | None = None,
              async_file: str | os.PathLike[str] | None = None,
              *,
              timeout: int | None = None,
              fleet_run_id: str | None = None,
              poll_interval: float = 0.1,
              request_timeout: float = 30,
              wait_limit: float = 24 * 3600) -> FleetResult:
    """Runs ``ref`` on every instance, by ``strategy``, and waits for every started host.

    - ``strategy``: ``one-at-a-time`` (inventory order, one host at a time), ``zone`` or
      ``region`` (groups by that attribute, groups in sorted order of their name, ``""``
      first; a group starts once the previous one has finished), ``parallel``.
    - ``max_concurrency``: ``N`` or ``"N%"`` of the instances (rounded up, at least 1); as a
      host finishes the next one starts. Default: the whole group (zone, region), all
      (parallel); one-at-a-time is always 1.
    - ``max_errors``: ``N`` or ``"N%"`` (rounded down), default 0. Once more than that many
      hosts have failed, no new host starts (nor any later group); running hosts finish;
      hosts never started are ``skipped``.
    - ``tls``: the client's TlsFiles (or ``dev_pki_files(dir)``, or an SSLContext).
    - ``on_progress``: called on the calling thread as each host starts and ends, so it needs
      no locking.
    - ``async_file``: only submit (parallel strategy only) and write the fleet-run file there;
      see :func:`fleet_status`. The result's hosts then carry the status each POST returned.
    - ``timeout``: the action's timeout on each host (seconds). ``fleet_run_id``: by default a
      random UUID; reusing one of an interrupted run makes a rerun safe, since each host's
      idempotency key is ``<fleet run id>/<host id>``. ``wait_limit``: seconds to wait for one
      host's execution before reporting it ``error``.

    Raises ValueError for a bad argument (before any host is reached); host failures are in
    the result, whose ``exit_code`` is 0 when every host succeeded and 1 otherwise.
    """
    instances = _check_instances(instances)
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy '{strategy}' (one of {', '.join(STRATEGIES)})")
    if not isinstance(ref, str) or "." not in ref:
        raise ValueError(f"action ref must be pack.action, got {ref!r}")
    total = len(instances)
    tolerated = host_count(max_errors, total, False, "max-errors")
    if max_concurrency is not None:
        host_count(max_concurrency, total, True, "max-concurrency")  # validates early
    if async_file is not None and strategy != "parallel":
        raise ValueError(f"an asynchronous fleet run needs the parallel strategy: {strategy} "
                         "waits for hosts, so the client must stay")
    settings = _RunSettings(ref=ref, parameters=dict(parameters or {}),
                            fleet_run=fleet_run_id or str(uuid.uuid4()),
                            context=_tls_context(tls), timeout=timeout,
                            request_timeout=request_timeout, poll_interval=poll_interval,
                            wait_limit=wait_limit)
    if async_file is not None:
        return _submit_all(instances, settings, max_concurrency, on_progress, async_file)

    results: list[HostResult | None] = [None] * total
    groups: dict[str, list[int]] = {}
    for index, instance in enumerate(instances):
        groups.setdefault(_group_of(instance, strategy), []).append(index)
    ordered = [groups[name] for name in sorted(groups)]
    progress = FleetProgress(total=total)
    stopped = False

    def report(event: str, host: HostResult) -> None:
        if on_progress is not None:
            progress.event = event
            progress.host = host
            on_progress(progress)

    workers = max(_concurrency(strategy, max_concurrency, len(g), total) for g in ordered)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers,
                                                 thread_name_prefix="rivet-fleet")
    try:
        for members in ordered:
            if stopped:
                break
            group = _group_of(instances[members[0]], strategy)
            progress.group = group
            limit = _concurrency(strategy, max_concurrency, len(members), total)
            pending = list(reversed(members))  # pop() takes them in inventory order
            running: dict[concurrent.futures.Future[HostResult], int] = {}
            while running or (pending and not stopped):
                while pending and not stopped and len(running) < limit:
                    index = pending.pop()
                    future = pool.submit(_run_on_host, instances[index], group, settings)
                    running[future] = index
                    progress.running += 1
                    report("started", HostResult(instances[index].id, instances[index].address,
                                                 instances[index].port, group, status="running",
                                                 started_at_ms=_now_ms()))
                done, _ = concurrent.futures.wait(
                    running, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: running[f]):
                    index = running.pop(future)
                    result = future.result()
                    results[index] = result
                    progress.running -= 1
                    progress.done += 1
                    if result.failed:
                        progress.failed += 1
                        if progress.failed > tolerated:
                            stopped = True
                    report("ended", result)
    except BaseException:
        settings.abandoned.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)

    hosts: list[HostResult] = []
    for index, instance in enumerate(instances):
        result = results[index]
        if result is None:
            result = HostResult(instance.id, instance.address, instance.port,
                                _group_of(instance, strategy), status="skipped",
                                error=f"not started: more than {tolerated} hosts failed "
                                      "(max-errors)")
            report("skipped", result)
        hosts.append(result)
    return FleetResult(fleet_run=settings.fleet_run, action=ref,
                       parameters=settings.parameters, strategy=strategy, hosts=hosts,
                       stopped_early=stopped, max_errors=tolerated,
                       exit_code=1 if any(h.failed for h in hosts) else 0)


# ---- asynchronous runs -------------------------------------------------------------------------


def _write_json_atomically(path: str | os.PathLike[str], document: Any) -> None:
    """A reader (fleet_status, the CLI) sees the old file or the new one, never a prefix."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".fleet-run-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _fleet_run_document(settings: _RunSettings, created_at: str,
                        entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"fleet_run": settings.fleet_run, "action": settings.ref,
            "parameters": settings.parameters, "created_at": created_at, "hosts": entries}


def _submit_only(instance: Instance, settings: _RunSettings) -> HostResult:
    result = HostResult(instance.id, instance.address, instance.port)
    result.started_at_ms = _now_ms()
    try:
        with Client(instance.address, instance.port, timeout=settings.request_timeout,
                    ssl_context=settings.context) as client:
            _submit(instance, settings, client, result)
    except Exception as error:
        result.status = "error"
        result.error = f"client error: {type(error).__name__}: {error}"
    result.ended_at_ms = _now_ms()
    return result


def _submit_all(instances: list[Instance], settings: _RunSettings,
                max_concurrency: int | str | None,
                on_progress: Callable[[FleetProgress], None] | None,
                async_file: str | os.PathLike[str]) -> FleetResult:
    created_at = _rfc3339_now()
    entries = [{"host": i.id, "address": i.address, "port": i.port, "execution_id": None,
                "error": "error: not submitted (the submitting client stopped first)"}
               for i in instances]
    # Written before any host is reached: a path that cannot be written stops the run before
    # it starts anything nobody would know of, and a client killed halfway leaves a record.
    _write_json_atomically(async_file, _fleet_run_document(settings, created_at, entries))

    total = len(instances)
    progress = FleetProgress(total=total)
    limit = _concurrency("parallel", max_concurrency, total, total)
    with concurrent.futures.ThreadPoolExecutor(max_workers=limit,
                                               thread_name_prefix="rivet-fleet") as pool:
        futures = [pool.submit(_submit_only, instance, settings) for instance in instances]
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            progress.done += 1
            if result.execution_id is None:
                progress.failed += 1
            if on_progress is not None:
                progress.event = "ended"
                progress.host = result
                on_progress(progress)
        results = [future.result() for future in futures]
    for entry, result in zip(entries, results):
        entry["execution_id"] = result.execution_id
        # As the C++ client writes it: "<status>: <why>", so fleet_status can tell an
        # unreachable host from a refused request.
        entry["error"] = "" if result.execution_id else f"{result.status}: {result.error}"
    _write_json_atomically(async_file, _fleet_run_document(settings, created_at, entries))
    return FleetResult(fleet_run=settings.fleet_run, action=settings.ref,
                       parameters=settings.parameters, strategy="parallel", hosts=results,
                       exit_code=0 if all(r.execution_id for r in results) else 1)


def _submit_failure(error_text: str) -> tuple[str, str]:
    """(status, error) of a host whose submit failed, from the file's "<status>: <why>"."""
    for status in ("unreachable", "error"):
        if error_text.startswith(status + ": "):
            return status, error_text[len(status) + 2:]
    return "error", error_text or "not submitted"


def fleet_status(path: str | os.PathLike[str],
                 tls: TlsFiles | DevPkiFiles | ssl.SSLContext | None = None,
                 *, max_concurrency: int | str | None = None,
                 request_timeout: float = 30) -> FleetResult:
    """The hosts of a fleet-run file as they are now: each host's execution read once.

    A host whose submit failed stays failed. ``exit_code``: 4 while any execution is still
    running (even if another has failed: the run is not over), else 1 when any host failed,
    else 0, so a script can poll until it is not 4. Raises ValueError for a file that is not
    a fleet-run file.
    """
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
    except OSError as error:
        raise ValueError(f"cannot read the fleet-run file {os.fspath(path)}: "
                         f"{error.strerror or error}") from None
    except ValueError as error:
        raise ValueError(f"{os.fspath(path)} is not JSON: {error}") from None
    if (not isinstance(document, dict) or not isinstance(document.get("fleet_run"), str)
            or not isinstance(document.get("hosts"), list)):
        raise ValueError(f"{os.fspath(path)} is not a fleet-run file (fleet_run, hosts)")
    context = _tls_context(tls)
    results: list[HostResult] = []
    for entry in document["hosts"]:
        if (not isinstance(entry, dict) or not isinstance(entry.get("host"), str)
                or not isinstance(entry.get("address"), str)
                or isinstance(entry.get("port"), bool) or not isinstance(entry.get("port"), int)):
            raise ValueError(f"{os.fspath(path)}: a host lacks host/address/port")
        result = HostResult(entry["host"], entry["address"], entry["port"])
        execution_id = entry.get("execution_id")
        if isinstance(execution_id, str) and execution_id:
            result.execution_id = execution_id
        else:
            error = entry.get("error")
            result.status, result.error = _submit_failure(error if isinstance(error, str) else "")
        results.append(result)

    def read(result: HostResult) -> None:
        if result.execution_id is None:
            return
        result.started_at_ms = _now_ms()
        try:
            with Client(result.address, result.port, timeout=request_timeout,
                        ssl_context=context) as client:
                _record_execution(result, client.get(result.execution_id))
        except RivetError as error:
            _record_failure(result, error)
        result.ended_at_ms = _now_ms()

    readers = _DEFAULT_STATUS_READERS
    if max_concurrency is not None:
        readers = max(1, host_count(max_concurrency, len(results), True, "max-concurrency"))
    if results:
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(readers, len(results)),
                                                   thread_name_prefix="rivet-status") as pool:
            list(pool.map(read, results))
    if any(not is_terminal_status(r.status) for r in results):
        exit_code = EXIT_STILL_RUNNING
    else:
        exit_code = 1 if any(r.failed for r in results) else 0
    parameters = document.get("parameters")
    return FleetResult(fleet_run=document["fleet_run"], action=str(document.get("action", "")),
                       parameters=parameters if isinstance(parameters, dict) else {},
                       strategy="parallel", hosts=results, exit_code=exit_code)
