"""Fleet runs against a fleet of real rivetd agents on 127.0.0.1.

Nine agents for 3 regions x 3 zones, one with neither attribute, two whose `stamp` action
fails (another packs dir, same action), and one stopped before any run. `stamp` prints
{"start": <epoch ms>, "end": <epoch ms>} around a sleep, which rivetd keeps as the execution's
result: the agents share this machine's clock, so those intervals show what overlapped.
"""

from __future__ import annotations

import json
import time
import unittest
from typing import Iterable

from rivet_client import (
    Client,
    FleetProgress,
    FleetResult,
    HostResult,
    Instance,
    fleet_status,
    load_inventory,
    run_fleet,
    select,
)
from tests.support import Agents, wait_until, write_pack, write_shell_action

REGIONS = ("eu-west-1", "us-east-1", "us-west-2")
ZONES = ("az-1", "az-2", "az-3")

STAMP_PARAMETERS = "  seconds: {type: string, default: '0.2', position: 0}\n"
STAMP = """#!/bin/sh
start=$(date +%s%3N)
sleep "$1"
end=$(date +%s%3N)
printf '{"start": %s, "end": %s}\\n' "$start" "$end"
"""
BROKEN_STAMP = """#!/bin/sh
echo "stamp is broken on this host" >&2
exit 1
"""

POLL = 0.02  # the fleet's poll interval here: short, so the suite stays quick


def interval(host: HostResult) -> tuple[int, int]:
    assert isinstance(host.result, dict), host
    return host.result["start"], host.result["end"]


def max_overlap(intervals: Iterable[tuple[int, int]]) -> int:
    """The most intervals open at one instant; one ending as another starts does not count."""
    spans = list(intervals)
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    most = current = 0
    for _, change in events:  # at equal times -1 sorts first: the end comes before the start
        current += change
        most = max(most, current)
    return most


class FleetTest(unittest.TestCase):
    agents: Agents
    inventory: list[Instance]

    @classmethod
    def setUpClass(cls) -> None:
        cls.agents = Agents("rivet-pyfleet-")
        cls.addClassCleanup(cls.agents.close)
        root = cls.agents.root
        good, bad = root / "packs-good", root / "packs-bad"
        for packs, script in ((good, STAMP), (bad, BROKEN_STAMP)):
            write_pack(packs, "fleet")
            write_shell_action(packs, "fleet", "stamp", script, STAMP_PARAMETERS)

        entries = []
        # Inventory order: zones not sorted within a region, and the host without a zone
        # last, so the zone strategy's order cannot come from the inventory's.
        for region in REGIONS:
            for zone in reversed(ZONES):
                name = f"{region}-{zone}"
                agent = cls.agents.add(name, good)
                entries.append((agent, {"id": name, "fleet": "main", "region": region,
                                        "zone": zone, "tags": ["demo", region]}))
        entries.append((cls.agents.add("edge-1", good),
                        {"id": "edge-1", "fleet": "main", "tags": ["demo"], "canary": True}))
        for name in ("bad-1", "bad-2"):
            entries.append((cls.agents.add(name, bad), {"id": name, "fleet": "bad"}))
        gone = cls.agents.add("gone-1", good)
        entries.append((gone, {"id": "gone-1", "fleet": "gone"}))
        cls.agents.start_all()
        gone.stop()  # before any run: its port has nothing behind it now

        document = {"instances": [dict(entry, address="127.0.0.1", port=agent.port)
                                  for agent, entry in entries]}
        path = root / "inventory.json"
        path.write_text(json.dumps(document, indent=2))
        cls.inventory = load_inventory(command=["/bin/cat", str(path)])
        assert cls.inventory == load_inventory(path)
        cls.tls = cls.agents.pki.tls

    def instances(self, *ids: str) -> list[Instance]:
        by_id = {instance.id: instance for instance in self.inventory}
        return [by_id[i] for i in ids]

    def main(self) -> list[Instance]:
        return select(self.inventory, ["fleet=main"])

    def launch(self, *args, **kwargs) -> FleetResult:
        kwargs.setdefault("tls", self.tls)
        kwargs.setdefault("poll_interval", POLL)
        return run_fleet(*args, **kwargs)

    # ---- strategies --------------------------------------------------------------------------

    def test_one_at_a_time_runs_in_inventory_order_without_overlap(self) -> None:
        hosts = self.main()
        self.assertEqual(len(hosts), 10)
        events: list[tuple[str, str, int]] = []

        def on_progress(progress: FleetProgress) -> None:
            assert progress.host is not None
            events.append((progress.event, progress.host.host, progress.running))

        fleet = self.launch(hosts, "fleet.stamp", {"seconds": "0.1"}, on_progress=on_progress)
        self.assertEqual(fleet.exit_code, 0, fleet.to_dict())
        self.assertEqual(fleet.counts, {"succeeded": 10})
        self.assertFalse(fleet.stopped_early)
        self.assertEqual([h.host for h in fleet.hosts], [h.id for h in hosts])
        for host, instance in zip(fleet.hosts, hosts):
            self.assertEqual((host.address, host.port, host.group),
                             ("127.0.0.1", instance.port, ""))
            self.assertEqual((host.status, host.exit_code, host.error), ("succeeded", 0, ""))
            self.assertIsInstance(host.duration_ms, int)
            self.assertLessEqual(host.started_at_ms, host.ended_at_ms)
        stamps = [interval(h) for h in fleet.hosts]
        self.assertEqual(max_overlap(stamps), 1)
        # In inventory order: each one starts after the one before it ended.
        for before, after in zip(stamps, stamps[1:]):
            self.assertLessEqual(before[1], after[0])
        # The progress callback saw each host start then end, one at a time.
        self.assertEqual(events[:2], [("started", hosts[0].id, 1), ("ended", hosts[0].id, 0)])
        self.assertEqual([e for e in events if e[0] == "ended"],
                         [("ended", h.id, 0) for h in hosts])

        # Each host's request carried the idempotency key <fleet run id>/<host id>: sending
        # it again gets the execution the run started rather than a second one.
        first = fleet.hosts[0]
        with Client("127.0.0.1", first.port, self.tls.ca_file, self.tls.cert_file,
                    self.tls.key_file) as client:
            replay = client.run("fleet.stamp", {"seconds": "0.1"},
                                idempotency_key=f"{fleet.fleet_run}/{first.host}")
        self.assertEqual(replay["id"], first.execution_id)
        self.assertRegex(fleet.fleet_run, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-")

    def test_zone_runs_zones_in_sorted_order_never_overlapping(self) -> None:
        fleet = self.launch(self.main(), "fleet.stamp", {"seconds": "0.4"}, strategy="zone")
        self.assertEqual(fleet.exit_code, 0, fleet.to_dict())
        by_group: dict[str, list[tuple[int, int]]] = {}
        for host, instance in zip(fleet.hosts, self.main()):
            self.assertEqual(host.group, instance.attribute("zone"))
            by_group.setdefault(host.group, []).append(interval(host))
        # The host without a zone is group "", first.
        self.assertEqual(sorted(by_group), ["", "az-1", "az-2", "az-3"])
        groups = [by_group[name] for name in sorted(by_group)]
        for earlier, later in zip(groups, groups[1:]):
            self.assertLessEqual(max(end for _, end in earlier), min(start for start, _ in later))
        # Within a zone the whole group runs at once by default.
        self.assertTrue(any(max_overlap(group) > 1 for group in groups[1:]), by_group)

    def test_region_with_max_concurrency_one(self) -> None:
        fleet = self.launch(self.main(), "fleet.stamp", {"seconds": "0.05"}, strategy="region",
                            max_concurrency=1)
        self.assertEqual(fleet.exit_code, 0, fleet.to_dict())
        order = sorted(fleet.hosts, key=lambda h: interval(h)[0])
        self.assertEqual(max_overlap(interval(h) for h in fleet.hosts), 1)
        # Regions in sorted order ("" first), and inside each the inventory's order.
        self.assertEqual([h.host for h in order],
                         ["edge-1"] + [f"{r}-{z}" for r in REGIONS for z in reversed(ZONES)])
        self.assertEqual([h.group for h in order][:2], ["", "eu-west-1"])

    def test_parallel_never_runs_more_than_max_concurrency(self) -> None:
        most_running = 0

        def on_progress(progress: FleetProgress) -> None:
            nonlocal most_running
            most_running = max(most_running, progress.running)

        fleet = self.launch(self.main(), "fleet.stamp", {"seconds": "0.3"}, strategy="parallel",
                            max_concurrency=3, on_progress=on_progress)
        self.assertEqual(fleet.exit_code, 0, fleet.to_dict())
        self.assertEqual(fleet.counts, {"succeeded": 10})
        overlap = max_overlap(interval(h) for h in fleet.hosts)
        self.assertLessEqual(overlap, 3)
        self.assertGreater(overlap, 1)  # and it did run hosts side by side
        self.assertEqual(most_running, 3)

    # ---- failures ----------------------------------------------------------------------------

    def test_max_errors_stops_starting_hosts_after_one_failure_too_many(self) -> None:
        hosts = self.instances("eu-west-1-az-1", "bad-1", "eu-west-1-az-2", "bad-2",
                               "eu-west-1-az-3", "us-east-1-az-1")
        fleet = self.launch(hosts, "fleet.stamp", {"seconds": "0.01"}, max_errors="1")
        self.assertEqual([h.status for h in fleet.hosts],
                         ["succeeded", "failed", "succeeded", "failed", "skipped", "skipped"])
        self.assertTrue(fleet.stopped_early)
        self.assertEqual(fleet.exit_code, 1)
        self.assertEqual(fleet.max_errors, 1)
        self.assertEqual(fleet.counts, {"failed": 2, "skipped": 2, "succeeded": 2})
        failed = fleet.hosts[1]
        self.assertEqual(failed.exit_code, 1)
        self.assertIsNotNone(failed.execution_id)
        for skipped in fleet.hosts[4:]:
            self.assertIsNone(skipped.execution_id)
            self.assertIsNone(skipped.started_at_ms)
            self.assertIn("max-errors", skipped.error)

    def test_max_errors_lets_running_hosts_finish(self) -> None:
        hosts = self.instances("bad-1", "bad-2", *[f"{r}-{z}" for r in REGIONS for z in ZONES])
        events: list[tuple[str, str, int]] = []

        def on_progress(progress: FleetProgress) -> None:
            assert progress.host is not None
            events.append((progress.event, progress.host.host, progress.running))

        fleet = self.launch(hosts, "fleet.stamp", {"seconds": "1"}, strategy="parallel",
                            max_concurrency=3, max_errors=1, on_progress=on_progress)
        self.assertTrue(fleet.stopped_early)
        self.assertEqual(fleet.exit_code, 1)
        self.assertEqual([h.status for h in fleet.hosts[:2]], ["failed", "failed"])
        # The moment the run saw its second failure (one more than max-errors)...
        failures = 0
        second = -1
        for index, (event, host, _) in enumerate(events):
            if event == "ended" and host.startswith("bad-"):
                failures += 1
                if failures == 2:
                    second = index
                    break
        self.assertGreaterEqual(second, 0, events)
        # ...no host started after it; the hosts running then finished, and succeeded.
        self.assertNotIn("started", [e[0] for e in events[second + 1:]], events)
        still_running = events[second][2]
        self.assertGreater(still_running, 0, events)
        ended_later = [e[1] for e in events[second + 1:] if e[0] == "ended"]
        self.assertEqual(len(ended_later), still_running, events)
        for host in ended_later:
            self.assertEqual(fleet.host(host).status, "succeeded")
        self.assertEqual(fleet.hosts[2].status, "succeeded")  # started with the two bad ones
        # Every host never started is skipped, and only those.
        started = {e[1] for e in events if e[0] == "started"}
        for host in fleet.hosts:
            self.assertEqual(host.status == "skipped", host.host not in started, host)
        self.assertGreaterEqual(fleet.counts["skipped"], 1)
        self.assertEqual(fleet.counts["failed"], 2)

    def test_a_stopped_agent_is_unreachable_and_counts_as_an_error(self) -> None:
        fleet = self.launch(self.instances("eu-west-1-az-1", "gone-1", "us-east-1-az-1"),
                            "fleet.stamp", {"seconds": "0.01"}, strategy="parallel")
        gone = fleet.host("gone-1")
        self.assertEqual(gone.status, "unreachable")
        self.assertIn("cannot reach 127.0.0.1:", gone.error)
        self.assertIsNone(gone.execution_id)
        self.assertIsNone(gone.exit_code)
        self.assertEqual(fleet.counts, {"succeeded": 2, "unreachable": 1})
        self.assertEqual(fleet.exit_code, 1)

        # It counts toward max-errors like any failure: with 1 tolerated, it and one failed
        # host stop the run.
        hosts = self.instances("gone-1", "eu-west-1-az-1", "bad-1", "eu-west-1-az-2")
        fleet = self.launch(hosts, "fleet.stamp", {"seconds": "0.01"}, max_errors="1")
        self.assertEqual([h.status for h in fleet.hosts],
                         ["unreachable", "succeeded", "failed", "skipped"])
        self.assertTrue(fleet.stopped_early)

    def test_an_api_refusal_is_an_error(self) -> None:
        fleet = self.launch(self.instances("eu-west-1-az-1"), "fleet.nope", strategy="parallel")
        host = fleet.hosts[0]
        self.assertEqual(host.status, "error")
        self.assertTrue(host.error.startswith("unknown_action: "), host.error)
        self.assertIsNone(host.execution_id)
        self.assertEqual(fleet.exit_code, 1)

    def test_a_caller_leaving_the_run_is_not_held_until_the_actions_end(self) -> None:
        class Interrupted(Exception):
            pass

        def on_progress(progress: FleetProgress) -> None:
            if progress.event == "started":
                raise Interrupted()  # as a Ctrl-C in the caller's thread would

        host = self.instances("us-west-2-az-3")[0]
        began = time.monotonic()
        with self.assertRaises(Interrupted):
            self.launch([host], "fleet.stamp", {"seconds": "600"}, on_progress=on_progress)
        self.assertLess(time.monotonic() - began, 30)
        # The action itself goes on on the host (nothing cancels it); cancel it here.
        with Client("127.0.0.1", host.port, self.tls.ca_file, self.tls.cert_file,
                    self.tls.key_file) as client:
            newest: list[dict] = []

            def submitted() -> bool:
                items = client.list_executions(action="fleet.stamp", limit=1)["items"]
                newest[:] = items
                return bool(items) and items[0]["parameters"] == {"seconds": "600"}

            self.assertTrue(wait_until(submitted))
            client.cancel(newest[0]["id"])
            self.assertEqual(client.wait_for_end(newest[0]["id"], 30, POLL)["status"],
                             "canceled")

    # ---- asynchronous runs -------------------------------------------------------------------

    def wait_for_status(self, path: str) -> FleetResult:
        last: list[FleetResult] = []

        def ended() -> bool:
            last.append(fleet_status(path, self.tls))
            return last[-1].exit_code != 4

        self.assertTrue(wait_until(ended, timeout=60), last[-1].to_dict() if last else None)
        return last[-1]

    def test_async_writes_the_fleet_run_file_and_status_follows_it(self) -> None:
        path = str(self.agents.root / "async-run.json")
        hosts = self.main()
        submitted = self.launch(hosts, "fleet.stamp", {"seconds": "2"}, strategy="parallel",
                                max_concurrency="50%", async_file=path)
        self.assertEqual(submitted.exit_code, 0, submitted.to_dict())
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
        self.assertEqual(document["fleet_run"], submitted.fleet_run)
        self.assertEqual(document["action"], "fleet.stamp")
        self.assertEqual(document["parameters"], {"seconds": "2"})
        self.assertRegex(document["created_at"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual([h["host"] for h in document["hosts"]], [h.id for h in hosts])
        for entry, host, instance in zip(document["hosts"], submitted.hosts, hosts):
            self.assertEqual(set(entry), {"host", "address", "port", "execution_id", "error"})
            self.assertEqual((entry["address"], entry["port"]), ("127.0.0.1", instance.port))
            self.assertEqual(entry["execution_id"], host.execution_id)
            self.assertIsNotNone(entry["execution_id"])
            self.assertEqual(entry["error"], "")

        # Right after submitting, the 2 s sleeps are still going: exit code 4.
        running = fleet_status(path, self.tls)
        self.assertEqual(running.exit_code, 4, running.to_dict())
        self.assertTrue(any(h.status in ("requested", "scheduled", "running")
                            for h in running.hosts))

        final = self.wait_for_status(path)
        self.assertEqual(final.exit_code, 0, final.to_dict())
        self.assertEqual(final.counts, {"succeeded": 10})
        self.assertEqual([h.execution_id for h in final.hosts],
                         [h["execution_id"] for h in document["hosts"]])
        self.assertTrue(all(isinstance(h.result, dict) for h in final.hosts))

    def test_async_submit_failures_stay_failed(self) -> None:
        path = str(self.agents.root / "async-failing.json")
        submitted = self.launch(self.instances("us-west-2-az-1", "gone-1"), "fleet.stamp",
                                {"seconds": "0.01"}, strategy="parallel", async_file=path)
        self.assertEqual(submitted.exit_code, 1)
        with open(path, encoding="utf-8") as file:
            entries = json.load(file)["hosts"]
        self.assertIsNone(entries[1]["execution_id"])
        self.assertTrue(entries[1]["error"].startswith("unreachable: cannot reach"), entries)
        final = self.wait_for_status(path)
        self.assertEqual(final.exit_code, 1)
        self.assertEqual([h.status for h in final.hosts], ["succeeded", "unreachable"])
        self.assertTrue(final.hosts[1].error.startswith("cannot reach"))


if __name__ == "__main__":
    unittest.main()
