"""The one-host Client against a real rivetd: every endpoint it calls, its errors, and its
reconnection when rivetd drops a kept-alive connection."""

from __future__ import annotations

import socket
import time
import unittest

from rivet_client import (
    ApiError,
    Client,
    TlsFiles,
    Unreachable,
    dev_pki_files,
    is_terminal_status,
)
from tests.support import Agents, make_pki, wait_until, write_pack, write_shell_action

ECHO = """#!/bin/sh
printf '%s\\n' "$1"
echo "to stderr" >&2
"""

SLEEP = """#!/bin/sh
echo started
sleep 600
"""

COUNT = """#!/bin/sh
echo "{\\"count\\": $1}"
"""


class ClientTest(unittest.TestCase):
    agents: Agents

    @classmethod
    def setUpClass(cls) -> None:
        cls.agents = Agents("rivet-pyclient-")
        cls.addClassCleanup(cls.agents.close)
        packs = cls.agents.root / "packs"
        write_pack(packs, "demo")
        write_shell_action(packs, "demo", "echo", ECHO,
                           "  message: {type: string, required: true, position: 0}\n")
        write_shell_action(packs, "demo", "sleep", SLEEP)
        write_shell_action(packs, "demo", "count", COUNT,
                           "  count: {type: integer, required: true, position: 0}\n")
        # A short idle timeout, so the reconnection tests see rivetd drop a connection soon.
        cls.agent = cls.agents.add("one", packs, ["transport-https.idle_timeout_seconds=1"])
        cls.agents.start_all()
        cls.tls = cls.agents.pki.tls

    def client(self) -> Client:
        client = Client("127.0.0.1", self.agent.port, self.tls.ca_file, self.tls.cert_file,
                        self.tls.key_file, timeout=10)
        self.addCleanup(client.close)
        return client

    def run_to_end(self, client: Client, ref: str, parameters: dict | None = None) -> dict:
        started = client.run(ref, parameters or {})
        ended = client.wait_for_end(started["id"], 30, poll_interval=0.02)
        self.assertTrue(is_terminal_status(ended["status"]), ended)
        return ended

    def test_dev_pki_files_names_what_rivet_certs_init_writes(self) -> None:
        files = dev_pki_files(self.agents.root / "pki")
        for path in (files.ca_cert, files.ca_key, files.server_cert, files.server_key,
                     files.client_cert, files.client_key):
            with open(path, encoding="ascii") as pem:
                self.assertIn("-----BEGIN ", pem.read(), path)
        self.assertEqual(files.tls, TlsFiles(files.ca_cert, files.client_cert, files.client_key))

    def test_health_and_actions(self) -> None:
        client = self.client()
        health = client.health()
        self.assertEqual(health["status"], "ok")
        self.assertEqual(sorted(p["name"] for p in health["plugins"]),
                         ["shell", "storage-sqlite", "transport-https"])
        refs = [action["ref"] for action in client.actions()["items"]]
        self.assertEqual(sorted(refs), ["demo.count", "demo.echo", "demo.sleep"])
        echo = client.action("demo.echo")
        self.assertEqual(echo["runner_type"], "local-shell-script")
        self.assertTrue(echo["parameters"]["message"]["required"])
        self.assertEqual([p["ref"] for p in client.packs()["items"]], ["demo"])
        # All of it on the one kept-alive connection.
        self.assertEqual(client.connections_opened, 1)

    def test_run_wait_get_and_output(self) -> None:
        client = self.client()
        ended = self.run_to_end(client, "demo.echo", {"message": "hello from python"})
        self.assertEqual(ended["status"], "succeeded")
        self.assertEqual(ended["exit_code"], 0)
        self.assertEqual(ended["parameters"], {"message": "hello from python"})
        self.assertEqual(client.get(ended["id"])["status"], "succeeded")

        chunk = client.output(ended["id"])
        self.assertEqual(chunk.data, b"hello from python\n")
        self.assertEqual((chunk.offset, chunk.next_offset), (0, len(chunk.data)))
        self.assertTrue(chunk.complete)
        self.assertEqual(chunk.status, "succeeded")
        rest = client.output(ended["id"], offset=chunk.next_offset)
        self.assertEqual(rest.data, b"")
        self.assertTrue(rest.complete)
        self.assertEqual(client.output(ended["id"], offset=6).data, b"from python\n")
        self.assertEqual(client.read_output(ended["id"], "stderr"), b"to stderr\n")

        listed = client.list_executions(action="demo.echo", limit=500)["items"]
        self.assertIn(ended["id"], [item["id"] for item in listed])

    def test_run_with_wait_returns_the_ended_execution_in_one_request(self) -> None:
        # A client whose own timeout is shorter than the wait: the wait is added to it.
        client = Client("127.0.0.1", self.agent.port, self.tls.ca_file, self.tls.cert_file,
                        self.tls.key_file, timeout=0.5)
        self.addCleanup(client.close)
        ended = client.run("demo.echo", {"message": "waited"}, wait=10)
        self.assertEqual(ended["status"], "succeeded", ended)
        self.assertEqual(ended["exit_code"], 0)
        self.assertEqual(client.read_output(ended["id"]), b"waited\n")
        # Still running when the wait is over: as it is then, and the timeout did not fire.
        started = time.monotonic()
        running = client.run("demo.sleep", {}, wait=1)
        self.assertGreaterEqual(time.monotonic() - started, 1)
        self.assertEqual(running["status"], "running", running)
        client.cancel(running["id"])
        self.assertEqual(client.wait_for_end(running["id"], 30, 0.02)["status"], "canceled")

    def test_the_same_idempotency_key_returns_the_same_execution(self) -> None:
        client = self.client()
        first = client.run("demo.echo", {"message": "once"}, idempotency_key="py-test/key-1")
        again = client.run("demo.echo", {"message": "once"}, idempotency_key="py-test/key-1")
        self.assertEqual(first["id"], again["id"])
        other = client.run("demo.echo", {"message": "once"})  # a fresh random key
        self.assertNotEqual(other["id"], first["id"])
        for execution_id in (first["id"], other["id"]):
            client.wait_for_end(execution_id, 30, 0.02)

    def test_cancel_a_running_action(self) -> None:
        client = self.client()
        started = client.run("demo.sleep")
        self.assertTrue(wait_until(lambda: client.get(started["id"])["status"] == "running"))
        # The deadline passes before the end: the last Execution read, still running.
        self.assertEqual(client.wait_for_end(started["id"], 0.2, 0.05)["status"], "running")
        canceled = client.cancel(started["id"])
        self.assertIn(canceled["status"], ("canceling", "canceled"))
        ended = client.wait_for_end(started["id"], 30, 0.02)
        self.assertEqual(ended["status"], "canceled")
        with self.assertRaises(ApiError) as refused:
            client.cancel(started["id"])
        self.assertEqual((refused.exception.http_status, refused.exception.code),
                         (409, "not_cancelable"))

    def test_api_errors(self) -> None:
        client = self.client()
        with self.assertRaises(ApiError) as unknown:
            client.run("demo.nope", {})
        self.assertEqual((unknown.exception.http_status, unknown.exception.code),
                         (404, "unknown_action"))
        self.assertIn("demo.nope", unknown.exception.message)
        with self.assertRaises(ApiError) as no_action:
            client.action("demo.nope")
        self.assertEqual(no_action.exception.code, "unknown_action")
        with self.assertRaises(ApiError) as no_execution:
            client.get("00000000-0000-4000-8000-000000000000")
        self.assertEqual((no_execution.exception.http_status, no_execution.exception.code),
                         (404, "unknown_execution"))
        with self.assertRaises(ApiError) as invalid:
            client.run("demo.count", {"count": "many"})
        self.assertEqual((invalid.exception.http_status, invalid.exception.code),
                         (422, "invalid_parameters"))
        self.assertEqual(invalid.exception.details[0]["parameter"], "count")
        # A refused request leaves the connection usable.
        self.assertEqual(client.health()["status"], "ok")

    def test_structured_result(self) -> None:
        ended = self.run_to_end(self.client(), "demo.count", {"count": 3})
        self.assertEqual(ended["result"], {"count": 3})

    def test_unreachable_when_nothing_listens(self) -> None:
        with socket.socket() as probe:  # a port that was free a moment ago
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        client = Client("127.0.0.1", port, self.tls.ca_file, self.tls.cert_file,
                        self.tls.key_file, timeout=5)
        with self.assertRaises(Unreachable) as failed:
            client.health()
        self.assertIn(f"cannot reach 127.0.0.1:{port}", str(failed.exception))

    def test_tls_failures_are_unreachable(self) -> None:
        other = make_pki(self.agents.root / "other-pki")
        # The server's certificate is not signed by the CA this client trusts.
        wrong_ca = Client("127.0.0.1", self.agent.port, other.ca_cert, self.tls.cert_file,
                          self.tls.key_file, timeout=5)
        with self.assertRaises(Unreachable) as untrusted:
            wrong_ca.health()
        self.assertIn("TLS", str(untrusted.exception))
        # The client's certificate is not signed by the CA rivetd trusts: refused in the
        # handshake (TLS 1.3 reports it on the first read).
        foreign = Client("127.0.0.1", self.agent.port, self.tls.ca_file, other.client_cert,
                         other.client_key, timeout=5)
        with self.assertRaises(Unreachable) as refused:
            foreign.health()
        self.assertIn("cannot reach", str(refused.exception))

    def test_unusable_tls_files_fail_at_once(self) -> None:
        with self.assertRaises(ValueError) as missing:
            Client("127.0.0.1", self.agent.port, "/nonexistent/ca.pem", self.tls.cert_file,
                   self.tls.key_file)
        self.assertIn("/nonexistent/ca.pem", str(missing.exception))
        with self.assertRaises(ValueError) as not_a_key:
            Client("127.0.0.1", self.agent.port, self.tls.ca_file, self.tls.cert_file,
                   self.tls.ca_file)
        self.assertIn("cannot load the client certificate", str(not_a_key.exception))

    def _wait_for_rivetd_to_drop(self, client: Client) -> None:
        # The class's check, not the instance's: one test replaces the latter.
        self.assertTrue(wait_until(lambda: Client._peer_closed(client), timeout=15),
                        "rivetd did not close the idle connection")

    def test_reconnects_after_rivetd_closed_an_idle_connection(self) -> None:
        client = self.client()
        self.assertEqual(client.health()["status"], "ok")
        self._wait_for_rivetd_to_drop(client)
        before = len(client.list_executions(action="demo.echo", limit=500)["items"])
        self._wait_for_rivetd_to_drop(client)
        opened = client.connections_opened
        started = client.run("demo.echo", {"message": "after idle"})
        self.assertEqual(client.connections_opened, opened + 1)
        client.wait_for_end(started["id"], 30, 0.02)
        after = len(client.list_executions(action="demo.echo", limit=500)["items"])
        self.assertEqual(after, before + 1)  # the POST ran exactly once
        # Even a POST without an Idempotency-Key, which is never sent twice once rivetd may
        # have read it, survives the idle timeout: the dropped connection is noticed before
        # the request is written to it.
        self._wait_for_rivetd_to_drop(client)
        plain = client.request("POST", "/v1/executions",
                               b'{"action": "demo.echo", "parameters": {"message": "plain"}}')
        self.assertEqual(plain.status, 202, plain.body)
        self.assertEqual(client.connections_opened, opened + 2)
        self.assertTrue(plain.header("Location").startswith("/v1/executions/"))

    def test_repeats_a_request_whose_connection_dropped_under_it(self) -> None:
        # The check before writing is defeated, so the request really goes out on the dead
        # connection and the retry path (not the pre-check) must save it.
        client = self.client()
        started = client.run("demo.echo", {"message": "retry"})
        self._wait_for_rivetd_to_drop(client)
        client._peer_closed = lambda: False  # type: ignore[method-assign]
        opened = client.connections_opened
        self.assertEqual(client.wait_for_end(started["id"], 30, 0.02)["status"], "succeeded")
        self.assertEqual(client.connections_opened, opened + 1)
        # A POST with an Idempotency-Key is repeated too, and runs once.
        self._wait_for_rivetd_to_drop(client)
        again = client.run("demo.echo", {"message": "retry"}, idempotency_key="py-retry-1")
        self.assertEqual(client.connections_opened, opened + 2)
        replay = client.run("demo.echo", {"message": "retry"}, idempotency_key="py-retry-1")
        self.assertEqual(replay["id"], again["id"])
        client.wait_for_end(again["id"], 30, 0.02)


if __name__ == "__main__":
    unittest.main()
