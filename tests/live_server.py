"""The app as its own process, started the way an operator does: `service-ops <setup>…; serve`.

Used by tests that need a real server (browser tests, API fuzzing).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 30.0


def service_ops_command() -> Path:
    return Path(sys.executable).parent / "service-ops"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppServer:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run `service-ops <args>` against this server's settings."""
        return subprocess.run(
            [str(service_ops_command()), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, a grace period, then SIGKILL (a server stuck behind SQLite threads can ignore SIGTERM)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def running_server(
    env: dict[str, str], data_dir: Path, setup: Sequence[Sequence[str]] = ()
) -> Iterator[AppServer]:
    """Run each `service-ops <setup step>`, then serve on a free port until the block ends."""
    port = free_port()
    server = AppServer(
        base_url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env, log_path=data_dir / "serve.log"
    )
    for step in setup:
        result = server.cli(*step)
        if result.returncode != 0:
            raise RuntimeError(f"service-ops {' '.join(step)} failed:\n{result.stdout}\n{result.stderr}")
    with server.log_path.open("wb") as log:
        server.process = subprocess.Popen(
            [str(service_ops_command()), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(f"{server.base_url}/health"):
            if server.process.poll() is not None:
                raise RuntimeError(f"service-ops serve exited early:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"GET /health not 200 after {STARTUP_TIMEOUT:.0f} s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(server.process)
