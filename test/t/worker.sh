#!/usr/bin/env bash
# Maintenance in the suite's cluster: a month whose locks cannot be had
# within fenta.maintenance_lock_timeout is deferred, not an error.  The
# background worker itself is tested by test/tap/001_worker.pl (clusters of
# its own with fenta in shared_preload_libraries).
# Runs inside pg_virtualenv (test/run.sh).
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
fail=0
check() { # name expected got
	if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: expected [$2], got [$3]"; fail=1; fi
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# 1. lock timeout (suite cluster): a reader of the default partition holds
# its lock for 3 s; the run defers the month and does not fail
dropdb --if-exists wk_lock >/dev/null 2>&1
createdb wk_lock
q -d wk_lock -f sql/supabase_auth.sql >/dev/null 2>&1
q -d wk_lock -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE"
q -d wk_lock -c "BEGIN" -c "LOCK TABLE public.usage_records_default IN ACCESS SHARE MODE" -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null &
blocker=$!
sleep 0.5
start=$(date +%s%N)
got=$(q -d wk_lock -c "SET fenta.maintenance_lock_timeout = 200" \
	-c "SELECT months_created || ' ' || months_deferred FROM fenta.maintain_partitions(1, refresh_usage => false)" 2>/dev/null || echo failed)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "months deferred while the default partition is locked" "0 2" "$got"
check "the run gave up quickly (${ms} ms)" t "$([ "$ms" -lt 2000 ] && echo t || echo f)"
wait "$blocker"
check "the next run creates them" "2 0" "$(q -d wk_lock -c "SELECT months_created || ' ' || months_deferred FROM fenta.maintain_partitions(1, refresh_usage => false)")"
dropdb wk_lock

exit $fail
