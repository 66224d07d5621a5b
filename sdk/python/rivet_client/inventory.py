"""Inventories for fleet runs (docs/fleet.md, "Inventory"): instances read on demand from a
JSON file or a command's stdout, and their selection by attributes. Rivet stores none.

JSON only: the standard library has no YAML parser. Convert a YAML inventory first, or have
the inventory command print JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .client import DEFAULT_PORT

__all__ = ["Instance", "InventoryError", "load_inventory", "parse_inventory", "select"]


class InventoryError(ValueError):
    """An inventory that cannot be used: the message names the entry (by position, from 1)."""


# ---- inventory ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    """One host a fleet run may reach."""

    id: str        # unique in its inventory; default "<address>:<port>"
    address: str   # IP address or DNS name, the one the host's certificate names
    port: int = DEFAULT_PORT
    # Every other key of the entry, each value as a tuple of texts: a scalar is a one-element
    # tuple, numbers and booleans as the JSON text they were written with ("7443", "true").
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def attribute(self, key: str) -> str:
        """The attribute's first value, "" when it has none (what zone/region group by)."""
        values = self.attributes.get(key, ())
        return values[0] if values else ""


def _scalar_text(value: Any) -> str | None:
    """A scalar as the text it was written with; None for anything else (null, maps, lists)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):  # bool first: True is an int too
        return json.dumps(value)
    return None


def _read_instance(index: int, entry: Any) -> Instance:
    def invalid(problem: str) -> InventoryError:
        return InventoryError(f"inventory entry {index + 1}: {problem}")

    if not isinstance(entry, dict):
        raise invalid("must be a map (address, port, ...)")
    identifier = ""
    address = ""
    port = DEFAULT_PORT
    attributes: dict[str, tuple[str, ...]] = {}
    for key, value in entry.items():
        if key == "port":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
                raise invalid(f"port must be a number from 1 to 65535, got {json.dumps(value)}")
            port = value
            continue
        if isinstance(value, list):
            values = []
            for item in value:
                text = _scalar_text(item)
                if text is None:
                    raise invalid(f"{key} must hold text, numbers or booleans")
                values.append(text)
        else:
            text = _scalar_text(value)
            if text is None:
                raise invalid(f"{key} must be text, a number, a boolean or a list of them")
            values = [text]
        if key in ("address", "id"):
            if len(values) != 1 or not values[0]:
                raise invalid(f"{key} must be one non-empty value")
            if key == "address":
                address = values[0]
            else:
                identifier = values[0]
        else:
            attributes[key] = tuple(values)
    if not address:
        raise invalid("address is required")
    if not identifier:
        identifier = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    return Instance(identifier, address, port, attributes)


def parse_inventory(document: Any) -> list[Instance]:
    """Instances from a parsed inventory: a list, or ``{"instances": [...]}``.

    Useful on its own when a runbook builds its inventory in code. Raises InventoryError for
    an entry without ``address``, a duplicate ``id``, or a value of another shape.
    """
    if isinstance(document, dict) and "instances" in document:
        document = document["instances"]
    if not isinstance(document, list):
        raise InventoryError('inventory must be a list of instances or {"instances": [...]}')
    instances: list[Instance] = []
    seen: set[str] = set()
    for index, entry in enumerate(document):
        instance = _read_instance(index, entry)
        if instance.id in seen:
            raise InventoryError(f"inventory entry {index + 1}: id '{instance.id}' is used twice")
        seen.add(instance.id)
        instances.append(instance)
    return instances


def _parse_json_inventory(text: str, source: str) -> list[Instance]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InventoryError(
            f"{source}: not valid JSON ({error}); the Python client reads JSON inventories "
            "only (no YAML parser in the standard library): convert it, or use the rivet CLI"
        ) from None
    try:
        return parse_inventory(document)
    except InventoryError as error:
        raise InventoryError(f"{source}: {error}") from None


def load_inventory(path: str | os.PathLike[str] | None = None,
                   command: str | Sequence[str] | None = None,
                   command_timeout: float = 120) -> list[Instance]:
    """The instances of a JSON inventory file, or of what ``command`` prints (JSON) on stdout.

    Rivet stores no inventory: it is read when a run starts, and the command is the hook for
    whatever knows the hosts (Spinnaker, a cloud CLI, a CMDB query). A string command runs
    with ``/bin/sh -c`` (it is the operator's own command line, like a git hook); a list runs
    as argv without a shell. A command that fails (non-zero exit, or still running after
    ``command_timeout`` seconds) raises InventoryError with its stderr.
    """
    if (path is None) == (command is None):
        raise ValueError("load_inventory needs exactly one of path and command")
    if path is not None:
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read()
        except OSError as error:
            raise InventoryError(f"cannot read the inventory {os.fspath(path)}: "
                                 f"{error.strerror or error}") from None
        return _parse_json_inventory(text, os.fspath(path))
    argv = ["/bin/sh", "-c", command] if isinstance(command, str) else list(command or [])
    shown = command if isinstance(command, str) else " ".join(argv)
    try:
        completed = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                                   timeout=command_timeout, check=False)
    except subprocess.TimeoutExpired:
        raise InventoryError(f"the inventory command did not end within {command_timeout:g} s: "
                             f"{shown}") from None
    except OSError as error:
        raise InventoryError(f"cannot run the inventory command {shown}: "
                             f"{error.strerror or error}") from None
    if completed.returncode != 0:
        how = (f"exit code {completed.returncode}" if completed.returncode > 0
               else f"killed by signal {-completed.returncode}")
        stderr = completed.stderr.decode("utf-8", "replace").strip()
        raise InventoryError(f"the inventory command failed ({how}): {shown}"
                             + (f": {stderr[-500:]}" if stderr else ""))
    return _parse_json_inventory(completed.stdout.decode("utf-8", "replace"),
                                 f"output of '{shown}'")


def select(instances: Iterable[Instance], selectors: Iterable[str]) -> list[Instance]:
    """The instances matching every ``key=value`` selector, in inventory order.

    A selector matches when the attribute ``key`` equals ``value`` or, for a list attribute,
    contains it; ``id`` and ``address`` can be selected on too. No selector selects all.
    """
    wanted: list[tuple[str, str]] = []
    for selector in selectors:
        key, equals, value = selector.partition("=")
        if not equals or not key:
            raise ValueError(f"selector '{selector}' is not key=value (e.g. zone=us-east-1a)")
        wanted.append((key, value))

    def matches(instance: Instance, key: str, value: str) -> bool:
        if key == "id":
            return instance.id == value
        if key == "address":
            return instance.address == value
        return value in instance.attributes.get(key, ())

    return [i for i in instances if all(matches(i, k, v) for k, v in wanted)]
