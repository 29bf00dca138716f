"""Servers under test and where the machine's CPU went while they were measured (Linux /proc)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class ServerError(RuntimeError):
    """A server under test did not start."""


class Server:
    """One uvicorn server started in its own session, so its workers can be stopped together."""

    def __init__(
        self,
        name: str,
        app: str,
        port: int,
        workers: int,
        env: dict[str, str],
        cwd: Path,
        log_dir: Path,
        host: str = "127.0.0.1",
    ) -> None:
        self.name, self.app, self.port, self.host = name, app, port, host
        self.base_url = f"http://{host}:{port}"
        self.command = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        self.env, self.cwd = env, cwd
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(f"{self.name} server exited; see {self.log_path}\n{self.log_tail()}")
            if "Traceback" in self.log_tail():  # uvicorn's supervisor keeps restarting broken workers
                raise ServerError(
                    f"{self.name} server failed to start; see {self.log_path}\n{self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise ServerError(f"{self.name} server not ready after {timeout:.0f}s; see {self.log_path}")

    def log_tail(self, lines: int = 12) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the server's process group, SIGKILL if it has not exited after `grace` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        group = self.process.pid  # its own session: the group holds only this server and its workers
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=5)
        try:  # workers that outlived the supervisor
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def pids(self) -> list[int]:
        return [] if self.process is None else descendants(self.process.pid)


def _proc_stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields after "pid (comm) "


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for pid in all_pids():
        fields = _proc_stat(pid)
        if fields is not None:
            parents[pid] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    found: dict[int, float] = {}
    for pid in pids:
        fields = _proc_stat(pid)
        if fields is not None:
            found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process that appeared in between counts from zero."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def postgres_pids() -> list[int]:
    return [pid for pid in all_pids() if _comm(pid) in ("postgres", "postmaster")]


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS, sum(values[:8]) / CLOCK_TICKS


@dataclass
class CpuSnapshot:
    """CPU seconds so far of the server's processes, of PostgreSQL's, and of the whole machine."""

    server: dict[int, float]
    postgres: dict[int, float]
    machine_busy: float
    at: float

    @classmethod
    def take(cls, server: Server) -> CpuSnapshot:
        return cls(
            cpu_by_pid(server.pids()),
            cpu_by_pid(postgres_pids()),
            machine_busy_seconds()[0],
            time.monotonic(),
        )

    def cores_since(self, earlier: CpuSnapshot) -> dict[str, float]:
        """Average cores busy in between: server, postgres, whole machine."""
        elapsed = max(self.at - earlier.at, 1e-9)
        return {
            "server": cpu_used(earlier.server, self.server) / elapsed,
            "postgres": cpu_used(earlier.postgres, self.postgres) / elapsed,
            "machine": (self.machine_busy - earlier.machine_busy) / elapsed,
        }
