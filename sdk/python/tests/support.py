"""Real rivetd processes for the Python client's tests, as tests/support does for the C++ ones.

Each agent: its own data dir under the test's temp dir, a packs dir the test writes, the
shared development PKI made once with ``rivet certs init``, only the plugins needed
(storage-sqlite, transport-https, shell), port 0 on 127.0.0.1 (the port read back from
``<data_dir>/rivetd.endpoints``). Binaries come from ``$RIVET_BINARY_DIR/bin``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from rivet_client import DevPkiFiles, dev_pki_files

PLUGINS = "storage-sqlite, transport-https, shell"


def binary_dir() -> Path:
    value = os.environ.get("RIVET_BINARY_DIR")
    if not value:
        raise RuntimeError("RIVET_BINARY_DIR is not set: point it at the CMake build directory "
                           "(the one holding bin/rivetd)")
    return Path(value)


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Polls ``condition`` until it holds or ``timeout`` seconds pass; returns whether it
    held. The only way these tests wait: never a bare sleep standing in for an event."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return condition()


def binary(name: str) -> str:
    """The path of a built program; waits a little if a rebuild has it briefly missing."""
    path = binary_dir() / "bin" / name
    if not wait_until(lambda: os.access(path, os.X_OK), timeout=60):
        raise RuntimeError(f"{path} does not exist or is not executable")
    return str(path)


def make_pki(directory: Path) -> DevPkiFiles:
    """A development PKI made by the real CLI, so the tests use the files operators get."""
    completed = subprocess.run([binary("rivet"), "certs", "init", str(directory)],
                               capture_output=True, text=True, timeout=60, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"rivet certs init failed: {completed.stdout}{completed.stderr}")
    return dev_pki_files(directory)


def write_file(path: Path, text: str, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if executable:
        path.chmod(0o755)


def write_pack(packs_dir: Path, pack: str) -> Path:
    write_file(packs_dir / pack / "pack.yaml", f"name: {pack}\nversion: 0.1.0\n")
    return packs_dir / pack


def write_shell_action(packs_dir: Path, pack: str, name: str, script: str,
                       parameters: str = "") -> None:
    """A local-shell-script action: ``actions/NAME.yaml`` and ``actions/NAME.sh``.
    ``parameters`` is the YAML body of its ``parameters:`` map, indented by two spaces."""
    base = packs_dir / pack / "actions"
    write_file(base / f"{name}.sh", script, executable=True)
    write_file(base / f"{name}.yaml",
               f"name: {name}\nrunner_type: local-shell-script\nentry_point: {name}.sh\n"
               + (f"parameters:\n{parameters}" if parameters else ""))


class Rivetd:
    """One rivetd process; ``stop()`` and ``cleanup()`` are safe to call more than once."""

    def __init__(self, root: Path, name: str, pki: DevPkiFiles, packs_dir: Path,
                 defines: Iterable[str] = ()) -> None:
        self.name = name
        self.dir = root / name
        self.data_dir = self.dir / "data"
        self.pki = pki
        self.packs_dir = packs_dir
        self.defines = list(defines)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.dir.mkdir(parents=True, exist_ok=True)

    @property
    def endpoints_file(self) -> Path:
        return self.data_dir / "rivetd.endpoints"

    def spawn(self, port: int = 0) -> None:
        """Starts the process without waiting (start many, then wait for each)."""
        # A rivetd that was killed leaves its endpoints file behind: not to be taken for ours.
        self.endpoints_file.unlink(missing_ok=True)
        argv = [binary("rivetd"),
                "-D", f"rivetd.data_dir={self.data_dir}",
                "-D", f"rivetd.packs_dir={self.packs_dir}",
                "-D", f"rivetd.plugins={PLUGINS}",
                "-D", "transport-https.listen=127.0.0.1",
                "-D", f"transport-https.port={port}",
                "-D", f"transport-https.ca_file={self.pki.ca_cert}",
                "-D", f"transport-https.cert_file={self.pki.server_cert}",
                "-D", f"transport-https.key_file={self.pki.server_key}",
                "-D", "transport-https.dev_pki=false"]
        for define in self.defines:
            argv += ["-D", define]
        with open(self.dir / "rivetd.out", "ab") as out, open(self.dir / "rivetd.log", "ab") as log:
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=log)

    def wait_listening(self, timeout: float = 30.0) -> int:
        """Waits until rivetd wrote its endpoints file; returns the port it listens on."""
        assert self.process is not None
        port: list[int] = []

        def listening() -> bool:
            if self.process is None or self.process.poll() is not None:
                return True
            try:
                text = self.endpoints_file.read_text()
            except OSError:
                return False
            match = re.search(r":(\d+)/?\s*$", text.strip().splitlines()[0] if text.strip() else "")
            if match:
                port.append(int(match.group(1)))
            return bool(match)

        wait_until(listening, timeout)
        if self.process.poll() is not None:
            raise RuntimeError(f"rivetd {self.name} exited ({self.process.returncode}):\n"
                               + self.log())
        if not port:
            raise RuntimeError(f"rivetd {self.name} did not listen within {timeout} s:\n"
                               + self.log())
        self.port = port[0]
        return self.port

    def start(self, port: int = 0) -> int:
        self.spawn(port)
        return self.wait_listening()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stops rivetd (SIGKILL after 20 s) and waits for it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        self.process = None

    def kill_leftovers(self) -> None:
        """Kills every process that outlived rivetd under this agent's data dir (supervisors
        and the actions they ran: they survive rivetd by design), found through /proc by
        their stdout or command line naming the data dir, like the C++ RivetdProcess."""
        data_dir = str(self.data_dir)
        me = os.getpid()
        for _ in range(3):
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit() or int(entry.name) == me:
                    continue
                try:
                    if entry.stat().st_uid != os.getuid():
                        continue
                    mine = False
                    try:
                        mine = os.readlink(entry / "fd" / "1").startswith(data_dir)
                    except OSError:
                        pass
                    if not mine:
                        mine = data_dir.encode() in (entry / "cmdline").read_bytes()
                    if mine:
                        os.kill(int(entry.name), signal.SIGKILL)
                except (OSError, ProcessLookupError):
                    continue

    def cleanup(self) -> None:
        self.stop()
        self.kill_leftovers()

    def log(self) -> str:
        try:
            return (self.dir / "rivetd.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""


class Agents:
    """A set of agents under one temp dir, with one shared PKI; ``close()`` stops them all
    and removes the dir whatever state they are in."""

    def __init__(self, prefix: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.agents: list[Rivetd] = []
        try:
            self.pki = make_pki(self.root / "pki")
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)  # no one else knows of it yet
            raise

    def add(self, name: str, packs_dir: Path, defines: Iterable[str] = ()) -> Rivetd:
        agent = Rivetd(self.root / "agents", name, self.pki, packs_dir, defines)
        self.agents.append(agent)
        return agent

    def start_all(self) -> None:
        """Spawns every agent at once, then waits for each: startup in parallel."""
        for agent in self.agents:
            agent.spawn()
        for agent in self.agents:
            agent.wait_listening()

    def close(self) -> None:
        for agent in self.agents:  # all signalled first, so they stop in parallel
            if agent.running:
                assert agent.process is not None
                agent.process.send_signal(signal.SIGTERM)
        for agent in self.agents:
            try:
                agent.cleanup()
            except Exception:  # keep stopping the others
                pass
        shutil.rmtree(self.root, ignore_errors=True)
