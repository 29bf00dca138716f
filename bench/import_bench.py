"""History-import benchmark: `python -m bench.import_bench [--scale 1.0]`.

1. Generates a bundle with `audit_export.history.generate` (scale 1.0: 1M tickets over 12 months,
   with about 1.2M work orders, 1.5M calls and the other files at matching scale).
2. Re-creates a PostgreSQL database of its own (its name must contain `bench`), runs the real
   migrations, and imports the bundle through `import_history` in a child process (so its peak RSS
   is the import's own), timing it.
3. The baseline: a plain asyncpg COPY of the same CSV files into bare tables of the same columns
   (typed as the import types them, no indexes, no checks) in the same database.

Prints rows, seconds and rows/s of both, the ratio (import time / COPY time) and the import's peak
RSS, against the targets of issue 5 (under 5 minutes, under 1 GB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

from bench import DEFAULT_DATABASE_URL
from bench.generate import PROJECT_ROOT, database_name, recreate_database, run_migrations, with_database

DEFAULT_IMPORT_DATABASE = "service_ops_import_bench"
FULL_TICKETS = 1_000_000
MONTHS = 12
TARGET_SECONDS = 300
TARGET_RSS_MB = 1024
PG_TYPES = {
    "text": "text",
    "ts": "timestamptz",
    "date": "date",
    "bool": "boolean",
    "int": "integer",
    "decimal": "numeric",
    "money": "numeric",
    "list": "text",
}


def log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f}s] {message}", flush=True)


def generate(folder: Path, scale: float) -> dict[str, int]:
    from audit_export.history.generate import write_bundle

    per_month = max(1, round(FULL_TICKETS * scale / MONTHS))
    return write_bundle(folder, start=date(2025, 1, 1), months=MONTHS, tickets_per_month=per_month, seed=1)


def run_import(url: str, folder: Path, batch_rows: int | None) -> dict[str, Any]:
    """The import in a child process: its wall time, report counts and peak RSS."""
    env = {**os.environ, "DATABASE_URL": url, "PICCOLO_CONF": "piccolo_conf"}
    env.pop("REDIS_URL", None)  # the import needs no queue
    command = [sys.executable, "-m", "bench.import_bench", "--child", str(folder)]
    if batch_rows:
        command += ["--batch-rows", str(batch_rows)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}):\n{done.stderr[-4000:]}{done.stdout[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def child(folder: Path, batch_rows: int | None) -> None:
    """Run inside the child: import `folder` as the system actor, print one JSON line."""
    from audit_export.history.services import HistoryImportInvalid, import_history
    from service_ops.actor import system_actor
    from service_ops.cli import _run

    options: dict[str, Any] = {"batch_rows": batch_rows} if batch_rows else {}
    started = time.perf_counter()
    marks = {"": started}
    per_file: dict[str, float] = {}

    def progress(file_name: str, stage: str) -> None:
        """Seconds per file, from its reading to its written (its rows checked and written)."""
        now = time.perf_counter()
        if stage == "written":
            per_file[file_name] = now - marks.pop(file_name, now)
        elif stage == "reading":
            marks[file_name] = now

    try:
        report = _run(import_history(system_actor("bench"), folder, progress, **options))
    except HistoryImportInvalid as error:
        raise SystemExit("\n".join(str(problem) for problem in error.problems[:50])) from None
    seconds = time.perf_counter() - started
    rows = sum(sum(counts.values()) for counts in report.files.values())
    print(json.dumps({"seconds": seconds, "rows": rows, "files": report.files, "per_file": per_file}))


async def plain_copy(url: str, folder: Path) -> tuple[int, float]:
    """COPY every CSV file into a bare table of the same typed columns; (rows, seconds)."""
    import audit_export.history.services  # noqa: F401  (registers every file spec)
    from audit_export.history.spec import registered_specs

    specs = registered_specs()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("CREATE SCHEMA IF NOT EXISTS plain_copy")
        for spec in specs.values():
            columns = ", ".join(f'"{column.name}" {PG_TYPES[column.type]}' for column in spec.columns)
            table = spec.name.removesuffix(".csv")
            await connection.execute(f'DROP TABLE IF EXISTS plain_copy."{table}"')
            await connection.execute(f'CREATE TABLE plain_copy."{table}" ({columns})')
        rows, started = 0, time.perf_counter()
        for spec in specs.values():
            path = folder / spec.name
            if not path.exists():
                continue
            with path.open("rb") as source:
                header = source.readline().decode("utf-8-sig").strip().split(",")
                status = await connection.copy_to_table(
                    spec.name.removesuffix(".csv"),
                    source=source,
                    columns=header,
                    schema_name="plain_copy",
                    format="csv",
                )
            rows += int(status.split()[-1])
        return rows, time.perf_counter() - started
    finally:
        await connection.close()


def report(counts: dict[str, int], imported: dict[str, Any], copied: tuple[int, float], scale: float) -> None:
    copy_rows, copy_seconds = copied
    rows, seconds = imported["rows"], imported["seconds"]
    print()
    print(f"{'file':<24}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    for name, file_seconds in imported["per_file"].items():
        file_rows = sum(imported["files"][name].values())
        if file_rows >= 1000:
            rate = file_rows / max(file_seconds, 1e-9)
            print(f"{name:<24}{file_rows:>12,}{file_seconds:>10.1f}{rate:>12,.0f}")
    print(f"bundle (scale {scale:g}): " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    print(f"{'':<12}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    print(f"{'import':<12}{rows:>12,}{seconds:>10.1f}{rows / seconds:>12,.0f}")
    print(f"{'plain COPY':<12}{copy_rows:>12,}{copy_seconds:>10.1f}{copy_rows / copy_seconds:>12,.0f}")
    ratio = seconds / copy_seconds
    print(f"ratio (import time / plain COPY time): {ratio:.1f}x")
    rss = imported["peak_rss_mb"]
    verdict = "met" if rss < TARGET_RSS_MB else "MISSED"
    print(f"import peak RSS: {rss:,.0f} MB (target < {TARGET_RSS_MB} MB: {verdict})")
    met = "met" if seconds < TARGET_SECONDS else "MISSED"
    note = "" if scale == 1 else f"; scaled target {TARGET_SECONDS * scale:.0f} s"
    print(f"import time: {seconds:.1f} s (target < {TARGET_SECONDS} s at scale 1: {met}{note})")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=with_database(DEFAULT_DATABASE_URL, DEFAULT_IMPORT_DATABASE),
        help="a database of its own (re-created; its name must contain 'bench')",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M tickets (12 months)")
    parser.add_argument("--bundle", type=Path, help="where to write the bundle (default: a temporary folder)")
    parser.add_argument("--reuse-bundle", action="store_true", help="import --bundle as it is, no generation")
    parser.add_argument("--batch-rows", type=int, help="rows per batch (default: the importer's)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is None and "bench" not in database_name(args.database_url):
        parser.error("--database-url: the database name must contain 'bench' (it is dropped and re-created)")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child is not None:
        child(args.child, args.batch_rows)
        return
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="import_bench_") as scratch:
        folder = args.bundle or Path(scratch) / "bundle"
        if args.reuse_bundle and args.bundle:
            counts = {path.name: sum(1 for _ in path.open("rb")) - 1 for path in sorted(folder.glob("*.csv"))}
        else:
            counts = generate(folder, args.scale)
        log(f"bundle written: {sum(counts.values()):,} rows in {folder}", started)
        asyncio.run(recreate_database(args.database_url))
        run_migrations(args.database_url)
        log(f"database {database_name(args.database_url)} re-created and migrated", started)
        imported = run_import(args.database_url, folder, args.batch_rows)
        log(f"imported {imported['rows']:,} rows in {imported['seconds']:.1f}s", started)
        copied = asyncio.run(plain_copy(args.database_url, folder))
        log(f"plain COPY of the same files: {copied[0]:,} rows in {copied[1]:.1f}s", started)
    report(counts, imported, copied, args.scale)


if __name__ == "__main__":
    main()
