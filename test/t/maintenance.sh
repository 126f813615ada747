#!/usr/bin/env bash
# Maintenance under attack and under load (issue 10, section 4 and 1).
# 1. Hostile search_path: a member of service_role owns schema mallory with
#    operators =(uuid, uuid), =(text, text), >=, <, <= (timestamptz),
#    +(integer, integer) and a function now() that record their calls; as
#    that member and as a superuser with search_path = mallory, pg_catalog,
#    public, the maintenance entry points (fenta.maintain_partitions(),
#    CALL fenta.run_maintenance(), fenta.apply_quota_resets_batch(),
#    fenta.maintenance_plan()) create, move and reset, and call none of them.
# 2. CALL fenta.run_maintenance() inside a transaction block: 25001.
# 3. A month boundary (months to create, one with rows waiting, 20 orgs
#    due) under an 8-client pgbench insert load, with idle-in-transaction
#    sessions holding a due org, a usage insert and a jobs insert: no error,
#    no deadlock, no writer waits longer than a bound far below the stalls
#    of 0.3.0, counters exact, every due org reset once released.
# Needs a running cluster (PG* set) with the auth script and fenta installable.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LC_ALL=C.UTF-8
fail=0
check() { # name expected got
	if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: expected [$2], got [$3]"; fail=1; fi
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
db=fenta_mt_$$
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS fenta_mt_mallory" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
createdb "$db"
q -d "$db" -f sql/supabase_auth.sql >/dev/null 2>&1
q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE"

# --- 1. hostile search_path -------------------------------------------------
q -d "$db" <<'SQL'
SET client_min_messages = warning;
DROP ROLE IF EXISTS fenta_mt_mallory;
CREATE ROLE fenta_mt_mallory LOGIN IN ROLE service_role;
CREATE SCHEMA mallory AUTHORIZATION fenta_mt_mallory;
SET ROLE fenta_mt_mallory;
CREATE TABLE mallory.calls (what text);
GRANT INSERT, SELECT ON mallory.calls TO PUBLIC;
GRANT USAGE ON SCHEMA mallory TO PUBLIC;
CREATE FUNCTION mallory.now() RETURNS timestamptz LANGUAGE sql
	AS $$ INSERT INTO mallory.calls VALUES ('now()'); SELECT pg_catalog.now() $$;
CREATE FUNCTION mallory.eq_uuid(uuid, uuid) RETURNS boolean LANGUAGE sql
	AS $$ INSERT INTO mallory.calls VALUES ('=(uuid,uuid)'); SELECT $1 OPERATOR(pg_catalog.=) $2 $$;
CREATE FUNCTION mallory.eq_text(text, text) RETURNS boolean LANGUAGE sql
	AS $$ INSERT INTO mallory.calls VALUES ('=(text,text)'); SELECT $1 OPERATOR(pg_catalog.=) $2 $$;
CREATE FUNCTION mallory.ge_ts(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql
	AS $$ INSERT INTO mallory.calls VALUES ('>=(timestamptz)'); SELECT $1 OPERATOR(pg_catalog.>=) $2 $$;
CREATE FUNCTION mallory.lt_ts(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql
	AS $$ INSERT INTO mallory.calls VALUES ('<(timestamptz)'); SELECT $1 OPERATOR(pg_catalog.<) $2 $$;
CREATE FUNCTION mallory.le_ts(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql
	AS $$ INSERT INTO mallory.calls VALUES ('<=(timestamptz)'); SELECT $1 OPERATOR(pg_catalog.<=) $2 $$;
CREATE FUNCTION mallory.plus_int(integer, integer) RETURNS integer LANGUAGE sql
	AS $$ INSERT INTO mallory.calls VALUES ('+(integer)'); SELECT $1 OPERATOR(pg_catalog.+) $2 $$;
CREATE OPERATOR mallory.= (FUNCTION = mallory.eq_uuid, LEFTARG = uuid, RIGHTARG = uuid);
CREATE OPERATOR mallory.= (FUNCTION = mallory.eq_text, LEFTARG = text, RIGHTARG = text);
CREATE OPERATOR mallory.>= (FUNCTION = mallory.ge_ts, LEFTARG = timestamptz, RIGHTARG = timestamptz);
CREATE OPERATOR mallory.< (FUNCTION = mallory.lt_ts, LEFTARG = timestamptz, RIGHTARG = timestamptz);
CREATE OPERATOR mallory.<= (FUNCTION = mallory.le_ts, LEFTARG = timestamptz, RIGHTARG = timestamptz);
CREATE OPERATOR mallory.+ (FUNCTION = mallory.plus_int, LEFTARG = integer, RIGHTARG = integer);
RESET ROLE;
-- the traps work
SET search_path = mallory, pg_catalog, public;
SELECT now() IS NOT NULL, 1 + 1, 'a'::text = 'a';
RESET search_path;
SQL
check "the hostile objects record calls" 3 "$(q -d "$db" -c "SELECT count(*) FROM mallory.calls")"
q -d "$db" -c "TRUNCATE mallory.calls"
# an org due for reset with an expired reservation, rows waiting in the default partition
q -d "$db" <<'SQL'
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-00000000e0a1', 'mt@example.com');
INSERT INTO public.orgs (id, name, slug, owner_id) VALUES
	('70000000-0000-4000-8000-00000000e0a0', 'Mt', 'mt-org', '00000000-0000-4000-8000-00000000e0a1');
SELECT fenta.reserve_quota('70000000-0000-4000-8000-00000000e0a0', 1, 0, 0) IS NOT NULL;
UPDATE fenta.quota_reservations SET expires_at = pg_catalog.now() - interval '1 minute';
UPDATE public.quota_limits SET reset_at = pg_catalog.now() - interval '1 minute';
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at)
VALUES ('70000000-0000-4000-8000-00000000e0a0', 'llm_tokens', 5, pg_catalog.now());
SQL
for who in "SET ROLE fenta_mt_mallory" "RESET ROLE"; do
	q -d "$db" -c "$who" -c "SET search_path = mallory, pg_catalog, public" \
		-c "SELECT months_created FROM fenta.maintain_partitions(1, refresh_usage => false)" \
		-c "SELECT count(*) FROM fenta.maintenance_plan(2, 1, false, NULL)" \
		-c "SELECT orgs_reset FROM fenta.apply_quota_resets_batch(10)" >/dev/null
	q -d "$db" -c "$who" -c "SET search_path = mallory, pg_catalog, public" \
		-c "CALL fenta.run_maintenance(months_ahead => 2, retention_months => 1)" >/dev/null
	q -d "$db" -c "UPDATE public.quota_limits SET reset_at = pg_catalog.now() - interval '1 minute'" \
		-c "INSERT INTO public.usage_records (org_id, resource_type, created_at) VALUES ('70000000-0000-4000-8000-00000000e0a0', 'storage', pg_catalog.now() + interval '2 years')"
done
check "maintenance did its work" "4|0" "$(q -d "$db" -c "SELECT (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.usage_records'::regclass) - 1, (SELECT count(*) FROM fenta.quota_reservations)")"
check "no hostile operator or function was called" "" "$(q -d "$db" -c "SELECT string_agg(DISTINCT what, ', ') FROM mallory.calls")"

# --- 2. not inside a transaction block ---------------------------------------
got=$(psql -X -q -At -d "$db" -c '\set VERBOSITY sqlstate' -c "BEGIN" -c "CALL fenta.run_maintenance()" 2>&1 || true)
check "CALL inside a transaction block: 25001" "ERROR:  25001" "$(echo "$got" | grep ERROR)"

# --- 3. a month boundary under load ------------------------------------------
lt=200	# fenta.maintenance_lock_timeout, ms
q -d "$db" <<SQL
SET client_min_messages = warning;
ALTER DATABASE $db SET fenta.maintenance_lock_timeout = $lt;
CREATE TABLE public.bench_orgs (n integer PRIMARY KEY, id uuid NOT NULL);
INSERT INTO auth.users (id, email)
SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'b' || n || '@example.com' FROM generate_series(1, 40) n;
INSERT INTO public.orgs (id, name, slug, owner_id)
SELECT ('71000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'B' || n, 'bench-' || n,
	('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid FROM generate_series(1, 40) n;
INSERT INTO public.bench_orgs SELECT n, ('71000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid FROM generate_series(1, 40) n;
-- the boundary: orgs 1..20 due, rows of next month waiting in the default partition
UPDATE public.quota_limits SET reset_at = now() - interval '1 second' WHERE org_id IN (SELECT id FROM public.bench_orgs WHERE n <= 20);
UPDATE public.quota_limits SET reset_at = now() + interval '1 month' WHERE org_id IN (SELECT id FROM public.bench_orgs WHERE n > 20);
SQL
# drop the months ahead so that the run creates them (one has rows waiting)
q -d "$db" -c "DO \$\$ DECLARE t regclass; BEGIN FOR t IN SELECT c.oid FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname > 'usage_records_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM') AND c.relname <> 'usage_records_default' LOOP PERFORM pg_catalog.set_config('fenta.allow_drop', 'on', true); EXECUTE format('DROP TABLE %s', t); END LOOP; END \$\$"
q -d "$db" -c "INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at) SELECT id, 'llm_tokens', 3, (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month 2 days') AT TIME ZONE 'UTC' FROM public.bench_orgs"
cat >"$work/insert.sql" <<'EOF2'
\set o random(1, 40)
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) SELECT id, 'llm_tokens', 10 FROM public.bench_orgs WHERE n = :o;
EOF2
# idle in transaction: a key share on due org 1; a usage insert of org 2; a jobs insert
psql -X -q -d "$db" -c "BEGIN" -c "SELECT FROM public.orgs WHERE id = (SELECT id FROM public.bench_orgs WHERE n = 1) FOR KEY SHARE" -c "SELECT pg_sleep(6)" -c "COMMIT" >/dev/null &
pids+=($!)
psql -X -q -d "$db" -c "BEGIN" -c "INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) SELECT id, 'llm_tokens', 10 FROM public.bench_orgs WHERE n = 2" -c "SELECT pg_sleep(4)" -c "COMMIT" >/dev/null &
pids+=($!)
psql -X -q -d "$db" -c "BEGIN" -c "INSERT INTO public.jobs (org_id) SELECT id FROM public.bench_orgs WHERE n = 3" -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null 2>"$work/jobs.err" &
pids+=($!)
(cd "$work" && pgbench -n -c 8 -j 2 -T 10 -l -f insert.sql "$db" >"$work/pgbench.out" 2>&1; echo $? >"$work/pgbench.rc") &
bench=$!
sleep 1
start=$(date +%s)
for _ in 1 2 3 4 5 6 7; do
	q -d "$db" -c "SET client_min_messages = error" \
		-c "CALL fenta.run_maintenance(months_ahead => 2, retention_months => 0, as_of => now() + interval '1 month')" \
		2>>"$work/maint.err" || echo "run failed" >>"$work/maint.err"
	sleep 1
done
wait "$bench"
for p in "${pids[@]}"; do wait "$p" || true; done
pids=()
q -d "$db" -c "SET client_min_messages = error" -c "CALL fenta.run_maintenance(months_ahead => 2, retention_months => 0, as_of => now() + interval '1 month')"
check "pgbench ran without error" 0 "$(cat "$work/pgbench.rc")"
check "no failed transaction" 0 "$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out" | head -1)"
check "no maintenance run failed" "" "$(grep -v '^$' "$work/maint.err" | grep -iv 'warning\|notice\|detail\|hint' || true)"
check "no deadlock" "" "$(grep -i deadlock "$work/maint.err" "$work/pgbench.out" || true)"
txns=$(cat "$work"/pgbench_log.* | wc -l)
max_ms=$(cat "$work"/pgbench_log.* | awk 'BEGIN { m = 0 } { if ($3 > m) m = $3 } END { printf "%d", m / 1000 }')
echo "load: $txns inserts by 8 clients in 10 s, longest insert ${max_ms} ms (lock timeout ${lt} ms)"
check "no writer waited longer than the bound (${max_ms} ms < 3000 ms)" t "$([ "$max_ms" -lt 3000 ] && echo t || echo f)"
check "the months were created, rows moved" "3|0" "$(q -d "$db" -c "SELECT (SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname > 'usage_records_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM') AND c.relname <> 'usage_records_default'), (SELECT count(*) FROM ONLY public.usage_records_default)")"
check "every due org reset once released" 0 "$(q -d "$db" -c "SELECT count(*) FROM public.quota_limits WHERE reset_at <= now()")"
check "counters exact for the orgs not reset" 0 "$(q -d "$db" -c "SELECT count(*) FROM public.bench_orgs b, fenta.quota_usage(b.id) u WHERE b.n > 20 AND u.tokens IS DISTINCT FROM (SELECT coalesce(sum(r.llm_tokens_prompt + r.llm_tokens_output), 0) FROM public.usage_records r WHERE r.org_id = b.id)")"
check "counters of reset orgs within their rows" 0 "$(q -d "$db" -c "SELECT count(*) FROM public.bench_orgs b, fenta.quota_usage(b.id) u WHERE b.n <= 20 AND u.tokens > (SELECT coalesce(sum(r.llm_tokens_prompt + r.llm_tokens_output), 0) FROM public.usage_records r WHERE r.org_id = b.id)")"
exit $fail
