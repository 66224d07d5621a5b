"""Inventory, selection and the fleet's arguments: the rules of docs/fleet.md that need no
agent (the runs themselves are in test_fleet.py)."""

from __future__ import annotations

import json
import shutil
import tempfile
import unittest
from pathlib import Path

from rivet_client import (
    Instance,
    InventoryError,
    TlsFiles,
    fleet_status,
    load_inventory,
    parse_inventory,
    run_fleet,
    select,
)
from rivet_client.fleet import host_count

INVENTORY = [
    {"id": "cass-1", "address": "10.0.1.5", "port": 7443, "app": "cassandra",
     "zone": "us-east-1a", "region": "us-east-1", "tags": ["db", "prod"], "rack": 7,
     "canary": True},
    {"address": "10.0.1.6", "app": "cassandra", "zone": "us-east-1b", "region": "us-east-1",
     "tags": ["db"]},
    {"id": "web-1", "address": "web-1.example.com", "port": 8443, "app": "web",
     "tags": ["prod"], "weight": 1.5},
]


class InventoryTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="rivet-pyinventory-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_entries_become_instances(self) -> None:
        cass, second, web = parse_inventory(INVENTORY)
        self.assertEqual((cass.id, cass.address, cass.port), ("cass-1", "10.0.1.5", 7443))
        # id defaults to address:port, port to 7443.
        self.assertEqual((second.id, second.port), ("10.0.1.6:7443", 7443))
        self.assertEqual(web.port, 8443)
        # Every other key is an attribute; scalars are one-element, numbers and booleans are
        # their JSON text.
        self.assertEqual(cass.attributes["tags"], ("db", "prod"))
        self.assertEqual(cass.attributes["rack"], ("7",))
        self.assertEqual(cass.attributes["canary"], ("true",))
        self.assertEqual(web.attributes["weight"], ("1.5",))
        self.assertEqual(cass.attribute("zone"), "us-east-1a")
        self.assertEqual(web.attribute("zone"), "")
        self.assertNotIn("address", cass.attributes)
        self.assertNotIn("port", cass.attributes)
        # {"instances": [...]} reads the same.
        self.assertEqual(parse_inventory({"instances": INVENTORY}), parse_inventory(INVENTORY))

    def test_invalid_entries_are_refused_with_their_position(self) -> None:
        cases = [
            ([{"address": "a"}, {"port": 7443}], "inventory entry 2: address is required"),
            ([{"address": "a", "id": "x"}, {"address": "b", "id": "x"}],
             "inventory entry 2: id 'x' is used twice"),
            ([{"address": "a"}, {"address": "a"}], "id 'a:7443' is used twice"),
            ([{"address": "a", "zone": None}], "inventory entry 1: zone must be text"),
            ([{"address": "a", "zone": {"name": "x"}}], "inventory entry 1: zone must be text"),
            ([{"address": "a", "tags": ["x", ["y"]]}], "tags must hold text"),
            ([{"address": "a", "port": "7443"}], "port must be a number from 1 to 65535"),
            ([{"address": "a", "port": 70000}], "port must be a number from 1 to 65535"),
            ([{"address": "a", "port": True}], "port must be a number"),
            ([{"address": ""}], "address must be one non-empty value"),
            (["10.0.0.1"], "inventory entry 1: must be a map"),
            ({"hosts": []}, "inventory must be a list"),
        ]
        for document, expected in cases:
            with self.subTest(document=document):
                with self.assertRaises(InventoryError) as refused:
                    parse_inventory(document)
                self.assertIn(expected, str(refused.exception))

    def test_load_from_a_file_or_a_command(self) -> None:
        path = self.dir / "inventory.json"
        path.write_text(json.dumps({"instances": INVENTORY}))
        from_file = load_inventory(path)
        self.assertEqual([i.id for i in from_file], ["cass-1", "10.0.1.6:7443", "web-1"])
        self.assertEqual(load_inventory(command=["/bin/cat", str(path)]), from_file)
        self.assertEqual(load_inventory(command=f"cat '{path}'"), from_file)

    def test_load_failures_say_why(self) -> None:
        yaml = self.dir / "inventory.yaml"
        yaml.write_text("- address: 10.0.0.1\n")
        with self.assertRaises(InventoryError) as not_json:
            load_inventory(yaml)
        self.assertIn("JSON inventories only", str(not_json.exception))
        with self.assertRaises(InventoryError) as missing:
            load_inventory(self.dir / "none.json")
        self.assertIn("cannot read the inventory", str(missing.exception))
        with self.assertRaises(InventoryError) as failing:
            load_inventory(command="echo 'no CMDB today' >&2; exit 3")
        self.assertIn("exit code 3", str(failing.exception))
        self.assertIn("no CMDB today", str(failing.exception))
        bad = self.dir / "bad.json"
        bad.write_text(json.dumps([{"address": "a"}, {"id": "b"}]))
        with self.assertRaises(InventoryError) as invalid:
            load_inventory(bad)
        self.assertIn("inventory entry 2: address is required", str(invalid.exception))
        with self.assertRaises(ValueError):
            load_inventory()

    def test_select(self) -> None:
        instances = parse_inventory(INVENTORY)

        def ids(*selectors: str) -> list[str]:
            return [i.id for i in select(instances, selectors)]

        self.assertEqual(ids("app=cassandra"), ["cass-1", "10.0.1.6:7443"])
        self.assertEqual(ids("app=cassandra", "zone=us-east-1b"), ["10.0.1.6:7443"])
        # A list attribute matches when it contains the value.
        self.assertEqual(ids("tags=prod"), ["cass-1", "web-1"])
        self.assertEqual(ids("tags=db", "tags=prod"), ["cass-1"])
        # Numbers and booleans compare as their text.
        self.assertEqual(ids("rack=7"), ["cass-1"])
        self.assertEqual(ids("canary=true"), ["cass-1"])
        self.assertEqual(ids("id=web-1"), ["web-1"])
        self.assertEqual(ids("address=10.0.1.6"), ["10.0.1.6:7443"])
        self.assertEqual(ids("zone="), [])  # no empty zone: an absent one does not match
        self.assertEqual(ids(), ["cass-1", "10.0.1.6:7443", "web-1"])
        self.assertEqual(ids("app=nothing"), [])
        # The value may hold "=": only the first one splits.
        tagged = parse_inventory([{"address": "a", "query": "x=y"}])
        self.assertEqual(len(select(tagged, ["query=x=y"])), 1)
        for bad in ("app", "=cassandra"):
            with self.assertRaises(ValueError):
                select(instances, [bad])

    def test_host_counts(self) -> None:
        # max-concurrency rounds up, max-errors down.
        self.assertEqual(host_count("50%", 9, round_up=True), 5)
        self.assertEqual(host_count("50%", 9, round_up=False), 4)
        self.assertEqual(host_count("25%", 9, round_up=False), 2)
        self.assertEqual(host_count("1%", 9, round_up=True), 1)
        self.assertEqual(host_count("3", 9, round_up=True), 3)
        self.assertEqual(host_count(2, 9, round_up=False), 2)
        self.assertEqual(host_count("100%", 9, round_up=False), 9)
        for bad in ("", "x", "-1", "101%", "1.5", "%", -1, True):
            with self.assertRaises(ValueError, msg=repr(bad)):
                host_count(bad, 9, round_up=True)

    def test_run_fleet_refuses_bad_arguments_before_reaching_any_host(self) -> None:
        # Addresses nobody should be able to reach: a refusal must come before any attempt.
        instances = [Instance("a", "192.0.2.1", 7443), Instance("b", "192.0.2.2", 7443)]
        tls = TlsFiles("/nonexistent/ca.pem", "/nonexistent/c.pem", "/nonexistent/c.key")
        cases = [
            (dict(strategy="rolling"), "unknown strategy"),
            (dict(max_errors="lots"), "max-errors"),
            (dict(max_concurrency="200%"), "max-concurrency"),
            (dict(strategy="zone", async_file=str(self.dir / "run.json")), "parallel strategy"),
            (dict(), "/nonexistent/ca.pem"),  # the TLS files are checked before any host
        ]
        for arguments, expected in cases:
            with self.subTest(arguments=arguments):
                with self.assertRaises(ValueError) as refused:
                    run_fleet(instances, "demo.stamp", tls=tls, **arguments)
                self.assertIn(expected, str(refused.exception))
        with self.assertRaises(ValueError):
            run_fleet([], "demo.stamp", tls=tls)
        with self.assertRaises(ValueError):
            run_fleet([instances[0], Instance("a", "192.0.2.3")], "demo.stamp", tls=tls)
        self.assertFalse((self.dir / "run.json").exists())

    def test_fleet_status_refuses_what_is_not_a_fleet_run_file(self) -> None:
        tls = TlsFiles("/nonexistent/ca.pem", "/nonexistent/c.pem", "/nonexistent/c.key")
        not_json = self.dir / "x.json"
        not_json.write_text("{")
        wrong = self.dir / "y.json"
        wrong.write_text(json.dumps({"hosts": []}))
        for path in (not_json, wrong, self.dir / "missing.json"):
            with self.subTest(path=path.name):
                with self.assertRaises(ValueError):
                    fleet_status(path, tls)


if __name__ == "__main__":
    unittest.main()
