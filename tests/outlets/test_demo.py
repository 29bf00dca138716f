"""The demo network, on a fresh SQLite database of its own (the shared test database has other data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

_STRIPPED = ("DATABASE_URL", "REDIS_URL")


def test_demo_network_gives_nanshan_air_conditioners_two_outlets(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in _STRIPPED}
    env.update(SERVICE_OPS_DATA_DIR=str(tmp_path), PICCOLO_CONF="piccolo_conf")
    done = subprocess.run(
        [sys.executable, "-m", "tests.outlets.demo_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["first"] == {"outlets_with_coverage": 3, "inspections": 2}
    assert result["again"] == {}
    assert result["eligible"][:2] in (["SZ-NS01", "SZ-BA01"], ["SZ-BA01", "SZ-NS01"])
    assert "GZ-TH01" not in result["eligible"]
    assert result["uncovered"] == ["441200"]
    assert result["inspections"] == 2
