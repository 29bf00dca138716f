"""Benchmark tooling: a seeded data generator and a side-by-side load test (see bench/README.md)."""

BENCH_USERNAME = "bench_agent"
BENCH_PASSWORD = "bench-pass-2026"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/service_ops_bench"
FIELD_USERNAME = "bench_tech"
"""A technician with a realistic day of jobs (the job-list scenario); password BENCH_PASSWORD."""
STEPS_USERNAME = "bench_steps"
"""A technician with `--step-orders` assigned visits (the step-submission scenario); same password."""
