#!/usr/bin/env bash
# Install service-ops and run it on the embedded default (SQLite under ./var, background jobs
# in-process), loaded with demo data. Open http://127.0.0.1:8000 and log in with a printed demo login.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_uv
$UV sync --frozen
bash scripts/ensure-pdf-fonts.sh || echo "no CJK font or pdftotext: PDF summaries print Chinese as boxes" >&2
$UV run service-ops migrate
$UV run service-ops demo
echo "service-ops: http://${HOST:-127.0.0.1}:${PORT:-8000}  (Ctrl+C to stop)"
exec $UV run service-ops serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
