#!/usr/bin/env bash
# The whole test suite: lint (ruff), types (mypy), tests on SQLite with the browser tests, then
# — with CI=true, or SERVICE_OPS_TEST_POSTGRES=1 — the suite again on PostgreSQL + Redis.
# Extra arguments go to pytest (e.g. scripts/test.sh -k hotline).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_uv
$UV sync --frozen
if ! bash scripts/ensure-chromium.sh; then
    [ "${CI:-}" = "true" ] && { echo "chromium is required in CI" >&2; exit 1; }
    echo "chromium unavailable: browser tests will be skipped" >&2
fi
bash scripts/ensure-pdf-fonts.sh || echo "no CJK font or pdftotext: PDF summaries print Chinese as boxes" >&2

echo "== ruff"; $UV run ruff check .
echo "== mypy"; $UV run mypy

echo "== tests on SQLite (embedded default, in-process jobs)"
env -u DATABASE_URL -u REDIS_URL $UV run python -m pytest tests -p no:cacheprovider "$@"

if [ "${CI:-}" = "true" ] || [ "${SERVICE_OPS_TEST_POSTGRES:-}" = "1" ]; then
    database_url="${SERVICE_OPS_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
    redis_url="${SERVICE_OPS_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
    bash scripts/ensure-services.sh "$database_url" "$redis_url"
    echo "== tests on PostgreSQL + Redis (production shape)"
    DATABASE_URL="$database_url" REDIS_URL="$redis_url" \
        $UV run python -m pytest tests --ignore=tests/e2e -p no:cacheprovider "$@"
fi
