#!/usr/bin/env bash
# Check that PostgreSQL and Redis answer; on this machine kind, start them if they stopped.
# Exits non-zero if either is still unreachable: with CI=true a missing service fails the run.
set -uo pipefail
database_url="$1"
redis_url="$2"

postgres_up() { psql "$database_url" -tAc "SELECT 1" >/dev/null 2>&1; }
redis_up() { redis-cli -u "$redis_url" ping 2>/dev/null | grep -q PONG; }

if ! postgres_up && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    sleep 2
fi
if ! redis_up && command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    sleep 1
fi
postgres_up || { echo "PostgreSQL is not reachable at $database_url" >&2; exit 1; }
redis_up || { echo "Redis is not reachable at $redis_url" >&2; exit 1; }
echo "services: PostgreSQL and Redis are up"
