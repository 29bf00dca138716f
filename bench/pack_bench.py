"""Evidence pack for a year on the bench database: wall time and peak RSS against issue 6's targets.

    .venv/bin/python -m bench.pack_bench --database-url postgresql://postgres@127.0.0.1:5432/service_ops_bench

Runs the app's own command, `service-ops export-evidence --from <end − 365 d> --to <end> --out <tmp>.zip`
(the same `audit_export.services.packs.export_pack` the web's export runs, minus the queue), as a
child process with `DATABASE_URL` set, so the peak RSS measured is the exporter's alone
(`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` after it exits; Linux reports KiB). Then checks the
zip with `service-ops verify-pack`, prints its size and entry count and deletes it (`--keep` keeps
it). Targets: < 120 s wall, < 500 MB RSS. Writes one audit event (`evidence_pack.exported`) per run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bench import DEFAULT_DATABASE_URL

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 120.0
TARGET_RSS_MB = 500.0


@dataclass(frozen=True)
class PackRun:
    seconds: float
    rss_mb: float
    size_bytes: int
    entries: int
    verified: str


def _service_ops() -> list[str]:
    script = Path(sys.executable).with_name("service-ops")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "service_ops.cli"]


def run_once(url: str, start: date, end: date, out: Path, as_of: str | None) -> PackRun:
    """One export in a fresh child; its wall time and peak RSS (each run in its own child)."""
    env = {**os.environ, "DATABASE_URL": url}
    command = [*_service_ops(), "export-evidence", "--from", start.isoformat(), "--to", end.isoformat()]
    if as_of:
        command += ["--as-of", as_of]
    command += ["--out", str(out)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN is the max over every child so far)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"pack_bench: export-evidence exited with {child.returncode}")
    rss_mb = usage.ru_maxrss / 1024  # KiB on Linux
    verify = subprocess.run(
        [*_service_ops(), "verify-pack", str(out)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    verified = (
        (verify.stdout or verify.stderr).strip().splitlines()[0] if (verify.stdout or verify.stderr) else ""
    )
    with zipfile.ZipFile(out) as archive:
        entries = len(archive.infolist())
    return PackRun(seconds, rss_mb, out.stat().st_size, entries, verified)


async def phases(url: str, start: date, end: date, out: Path) -> None:
    """One build in this process, `build_pack` called directly with a progress callback that
    prints when each stage (figures, each KPI's records, documents, report, zip) starts."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    from audit_export.pack.build import build_pack
    from audit_export.pack.sources import EngineSource
    from audit_export.period import Period
    from service_ops import clock, db

    period = Period(start, end)
    started = last = time.perf_counter()
    stage = "audit head"

    async def progress(percent: int, next_stage: str) -> None:
        nonlocal last, stage
        now = time.perf_counter()
        print(f"  {now - last:7.1f} s  {stage}")
        last, stage = now, next_stage

    await db.start_pool()
    try:
        built = await build_pack(out, period, min(clock.now(), period.end_at), EngineSource(), progress)
    finally:
        await db.close_pool()
    now = time.perf_counter()
    print(
        f"  {now - last:7.1f} s  {stage}\n  {now - started:7.1f} s  in all, {built.size_bytes / 1e6:.1f} MB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pack_bench", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--rounds", type=int, default=1, help="exports (each in its own child process)")
    parser.add_argument(
        "--end", type=date.fromisoformat, default=None, help="day after the year (default tomorrow)"
    )
    parser.add_argument("--as-of", default=None, help="ISO 8601 moment (default: now)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the last pack at this path")
    parser.add_argument(
        "--phases", action="store_true", help="build once in process, printing each stage's time (no RSS)"
    )
    args = parser.parse_args(argv)
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        parser.error("the database name must contain 'bench'")
    end = args.end or datetime.now().date() + timedelta(days=1)
    start = end - timedelta(days=365)
    if args.phases:
        with tempfile.TemporaryDirectory(prefix="pack-bench-") as folder:
            asyncio.run(phases(args.database_url, start, end, Path(folder) / "pack.zip"))
        return
    print(f"evidence pack {start} – {end} (exclusive) on {args.database_url}, {args.rounds} round(s)")
    runs = []
    with tempfile.TemporaryDirectory(prefix="pack-bench-") as folder:
        for round_no in range(1, args.rounds + 1):
            out = Path(folder) / f"pack-{round_no}.zip"
            run = run_once(args.database_url, start, end, out, args.as_of)
            runs.append(run)
            print(
                f"round {round_no}: {run.seconds:7.1f} s wall, peak RSS {run.rss_mb:6.1f} MB, "
                f"{run.size_bytes / 1e6:7.1f} MB zip, {run.entries} entries; verify: {run.verified}"
            )
            if args.keep is not None and round_no == args.rounds:
                args.keep.write_bytes(out.read_bytes())
            out.unlink()
    seconds = statistics.median(run.seconds for run in runs)
    rss = max(run.rss_mb for run in runs)
    print(
        f"\npack for a year: {seconds:.1f} s (target < {TARGET_SECONDS:.0f} s: "
        f"{'MET' if seconds < TARGET_SECONDS else 'NOT MET'}), peak RSS {rss:.1f} MB "
        f"(target < {TARGET_RSS_MB:.0f} MB: {'MET' if rss < TARGET_RSS_MB else 'NOT MET'})"
    )


if __name__ == "__main__":
    main()
