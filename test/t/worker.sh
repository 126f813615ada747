#!/usr/bin/env bash
# The background worker: in a private cluster with fenta in
# shared_preload_libraries, fenta.maintenance_database = postgres and
# fenta.maintenance_interval = 1 s, the worker waits while fenta is not
# installed, then creates the monthly partitions without anyone calling
# fenta.maintain_partitions(); an error in a run is logged and the worker
# goes on.  Also, in the suite's cluster: a month whose locks cannot be had
# within fenta.maintenance_lock_timeout is deferred, not an error.
# Runs inside pg_virtualenv (test/run.sh).
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/t/lib.sh
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

# 2. the worker, in a private cluster
destdir=$(q -d postgres -c "SHOW extension_destdir" 2>/dev/null || true)
conf=("shared_preload_libraries = '\$libdir/fenta'" "fenta.maintenance_database = 'postgres'"
	"fenta.maintenance_interval = 1" "fenta.maintenance_months_ahead = 2")
[ -n "$destdir" ] && conf+=("extension_destdir = '$destdir'")
trap private_cluster_stop EXIT
private_cluster 5549 "${conf[@]}"
sleep 1
check "the worker runs" 1 "$(q -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'fenta maintenance worker'")"
grep -q 'is not installed in database "postgres"; waiting' "$PRIVATE_DIR/log" \
	&& echo "ok: the worker waits for fenta" || { echo "FAILED: no waiting message"; fail=1; }
q -d postgres -f sql/supabase_auth.sql >/dev/null 2>&1
q -d postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE"
want=$(q -d postgres -c "SELECT string_agg(to_char(m, '\"usage_records_\"YYYY_MM'), ' ' ORDER BY m) FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months', interval '1 month') m")
got=
for _ in $(seq 1 30); do
	got=$(q -d postgres -c "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname <> 'usage_records_default'")
	[ "$got" = "$want" ] && break
	sleep 1
done
check "partitions appear without anyone calling the function" "$want" "$got"
pid=$(q -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'fenta maintenance worker'")
# a failing run is logged, the worker goes on
q -d postgres -c "ALTER MATERIALIZED VIEW fenta.mv_daily_usage RENAME TO mv_daily_usage_away"
for _ in $(seq 1 20); do
	grep -q 'mv_daily_usage.*does not exist' "$PRIVATE_DIR/log" && break
	sleep 0.5
done
grep -q 'mv_daily_usage.*does not exist' "$PRIVATE_DIR/log" \
	&& echo "ok: the failed run is logged" || { echo "FAILED: no error logged"; tail -n 20 "$PRIVATE_DIR/log"; fail=1; }
q -d postgres -c "ALTER MATERIALIZED VIEW fenta.mv_daily_usage_away RENAME TO mv_daily_usage"
# rows that land in the default partition are moved by the worker
q -d postgres -c "INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-0000000007c1', 'wk@example.com')" \
	-c "INSERT INTO public.orgs (id, name, slug, owner_id) VALUES ('70000000-0000-4000-8000-0000000007c0', 'Wk', 'part-wk', '00000000-0000-4000-8000-0000000007c1')" \
	-c "INSERT INTO public.usage_records (org_id, resource_type, created_at) VALUES ('70000000-0000-4000-8000-0000000007c0', 'storage', now() + interval '3 years')"
for _ in $(seq 1 20); do
	[ "$(q -d postgres -c "SELECT count(*) FROM ONLY public.usage_records_default")" = 0 ] && break
	sleep 0.5
done
check "the worker moved the default partition's row" 0 "$(q -d postgres -c "SELECT count(*) FROM ONLY public.usage_records_default")"
check "the same worker process" "$pid" "$(q -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'fenta maintenance worker'")"
exit $fail
