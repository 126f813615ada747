#!/usr/bin/env bash
# Partition maintenance in the migrations flavour (issue 13): the PL/pgSQL
# twins of fenta.maintain_partitions, fenta.maintenance_plan,
# fenta.maintenance_step and fenta.maintenance_session_lock against the C
# functions, on the emulated hosted Supabase of test/t/migrations.sh
# (initdb -U supabase_admin, test/hosted/emulation.sql):
#  1. supabase/migrations (00001..00009) apply as postgres, each file in one
#     transaction (the SQL editor); the extension on the same emulation
#     (database ext); no stub is left for the partition maintenance;
#  2. differential (test/hosted/partitions_diff.sql): the same usage rows in
#     both databases (several months, late rows in the default partition,
#     months due for creation, months past retention), the same maintenance
#     (fenta.maintain_partitions, CALL fenta.run_maintenance, the plan and the
#     steps, as postgres), the same partitions (names, bounds, RLS,
#     privileges, comments, indexes, constraints, triggers), the same rows in
#     each (count and md5), the same results, WARNINGs, NOTICEs and errors;
#     and a month that cannot be locked within fenta.maintenance_lock_timeout
#     (another session holds the default partition): the same WARNING,
#     counted as deferred, by maintain_partitions and by run_maintenance;
#  3. pg_regress test partitions with the extension's expected output on the
#     migrations flavour (database reg; psql's SHOW_CONTEXT never, the one
#     inherent difference: a PL/pgSQL twin's errors carry a CONTEXT line);
#  4. the isolation specs of partition maintenance (maintenance_locks,
#     partition_concurrency) with the extension's expected output;
#  5. CALL fenta.run_maintenance() as postgres works (in a transaction
#     block that has not written: 2D000, and the next run releases the
#     lock), and is scheduled with pg_cron as postgres (when this PostgreSQL
#     has pg_cron): the job's command, run as the job's user, does the
#     maintenance.
# Needs fenta installed in the PostgreSQL of PGBIN / PG_CONFIG.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/t/lib.sh
port=${MIGRATIONS_PARTITIONS_PORT:-55467}

fail() { echo "FAIL: $*" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/fenta-hosted-part.XXXXXX")
cleanup() {
	as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

# the emulated hosted cluster (as test/t/migrations.sh)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_postgres "$PGBIN/initdb" -D "$dir/data" -U supabase_admin -A trust >/dev/null
cron=
[ -e "$("$PGBIN/pg_config" --pkglibdir)/pg_cron.so" ] && cron=1
{
	echo "port = $port"
	echo "listen_addresses = ''"
	echo "unix_socket_directories = '$dir'"
	echo "fsync = off"
	if [ -n "$cron" ]; then
		echo "shared_preload_libraries = 'pg_cron'"
		echo "cron.database_name = 'mig'"
		echo "cron.host = '$dir'"
	fi
} >>"$dir/data/postgresql.conf"
as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
export PGHOST=$dir PGPORT=$port PGUSER=supabase_admin
export PGOPTIONS='-c search_path="$user",public,extensions -c client_min_messages=warning'
psql_() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
q() { "$PGBIN/psql" -X -A -t -v ON_ERROR_STOP=1 "$@"; }

for db in mig reg ext; do
	psql_ -d postgres -c "CREATE DATABASE $db"
	psql_ -d $db -f test/hosted/emulation.sql >/dev/null
done
psql_ -d ext -c 'CREATE EXTENSION fenta' >/dev/null

# 1. the migrations as postgres, each file in one transaction; the blocks
# marked "-- fenta:superuser" (event triggers) as supabase_admin
as_postgres_script() {
	echo 'SET SESSION AUTHORIZATION postgres;'
	awk '
		/^-- fenta:superuser begin$/ { print "RESET SESSION AUTHORIZATION;"; next }
		/^-- fenta:superuser end$/ { print "SET SESSION AUTHORIZATION postgres;"; next }
		{ print }' "$1"
	echo "RESET SESSION AUTHORIZATION;"
}
for f in supabase/migrations/*.sql; do
	for db in mig reg; do
		as_postgres_script "$f" | psql_ -1 -d $db -f - >/dev/null 2>"$dir/err" \
			|| { cat "$dir/err"; fail "$f does not apply in one transaction as postgres"; }
	done
done
stubs=$(q -d mig -c "SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1) FROM pg_proc p
	WHERE p.pronamespace = 'fenta'::regnamespace AND p.prosrc LIKE '%is not available in the migrations flavour yet%'")
[ -z "$stubs" ] || fail "stubs raising 0A000 are left: $stubs"
echo "ok 1 - supabase/migrations apply as postgres; no partition maintenance stub is left"

# 2. the differential
for db in ext mig; do
	"$PGBIN/psql" -X -d $db -f test/hosted/partitions_diff.sql 2>&1 | sed 's/^LOCATION: .*//' >"$dir/$db.out"
done
grep -q 'cannot create partition usage_records_' "$dir/ext.out" \
	&& grep -q 'late row(s) of retired month' "$dir/ext.out" \
	&& grep -q 'cannot run inside a transaction block' "$dir/ext.out" \
	&& [ "$(grep -c '^ *public.usage_records_[0-9]' "$dir/ext.out")" -ge 20 ] \
	|| { cat "$dir/ext.out"; fail "the partition scenario did not run as expected"; }
[ -z "${MIGRATIONS_PARTITIONS_KEEP:-}" ] || cp "$dir/ext.out" "$dir/mig.out" "$MIGRATIONS_PARTITIONS_KEEP/"
diff "$dir/ext.out" "$dir/mig.out" || fail "the partition maintenance of the twins differs from the C functions'"
echo "ok 2 - partition differential: the same partitions, privileges, indexes and rows, results and errors ($(grep -c '^ *[0-9A-Z]\{5\} | ' "$dir/ext.out") errors)"

# 2b. a month that cannot be locked in time is deferred (WARNING, counted,
# retried): another session holds the default partition
for db in ext mig; do
	"$PGBIN/psql" -X -q -d $db -c "BEGIN" -c "LOCK TABLE public.usage_records_default IN ACCESS SHARE MODE" \
		-c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
	holder=$!
	for _ in $(seq 1 300); do
		[ "$(q -d $db -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND query = 'SELECT pg_sleep(120)' AND state = 'active'")" = 1 ] && break
		sleep 0.1
	done
	"$PGBIN/psql" -X -d $db -c '\set VERBOSITY verbose' -c "SET fenta.maintenance_lock_timeout = 100" \
		-c "SET SESSION AUTHORIZATION postgres" \
		-c "SELECT * FROM fenta.maintain_partitions(months_ahead => 9, refresh_usage => false)" \
		-c "CALL fenta.run_maintenance(months_ahead => 9, refresh_usage => false)" \
		-c "SELECT count(*) AS months FROM pg_inherits WHERE inhparent = 'public.usage_records'::regclass" 2>&1 \
		| sed 's/^LOCATION: .*//' >"$dir/$db.deferred"
	q -d $db -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(120)'" >/dev/null
	wait $holder || true
done
[ "$(grep -c '55P03: fenta.*deferred create of usage_records_' "$dir/ext.deferred")" = 2 ] \
	|| { cat "$dir/ext.deferred"; fail "the deferred month did not happen as expected"; }
[ -z "${MIGRATIONS_PARTITIONS_KEEP:-}" ] || cp "$dir/ext.deferred" "$MIGRATIONS_PARTITIONS_KEEP/"
diff "$dir/ext.deferred" "$dir/mig.deferred" || fail "a deferred month differs from the C functions'"
echo "ok 2b - a month that cannot be locked within fenta.maintenance_lock_timeout is deferred as by the C functions"

# 3. pg_regress partitions, the extension's expected output, SHOW_CONTEXT never
pg_regress=$("$PGBIN/pg_config" --pkglibdir)/pgxs/src/test/regress/pg_regress
mkdir -p "$dir/rin/sql" "$dir/rin/expected" "$dir/regress"
for t in partitions; do
	{ echo '\set SHOW_CONTEXT never'; cat "test/sql/$t.sql"; } >"$dir/rin/sql/$t.sql"
	{ echo '\set SHOW_CONTEXT never'; cat "test/expected/$t.out"; } >"$dir/rin/expected/$t.out"
done
[ "$(id -u)" = 0 ] && chown -R postgres "$dir/regress" "$dir/rin"
if ! PGOPTIONS= "$pg_regress" --use-existing --dbname=reg --user=supabase_admin --host="$dir" --port="$port" \
	--inputdir="$dir/rin" --outputdir="$dir/regress" --bindir="$PGBIN" partitions >"$dir/regress.log" 2>&1; then
	cat "$dir/regress.log"
	head -c 20000 "$dir/regress/regression.diffs" 2>/dev/null
	fail "pg_regress partitions differs on the migrations flavour"
fi
echo "ok 3 - pg_regress partitions on the migrations flavour with the extension's expected output"

# 4. the isolation specs of partition maintenance
iso=${MIGRATIONS_PARTITIONS_ISOLATION:-maintenance_locks partition_concurrency}
mkdir -p "$dir/isoin/specs" "$dir/iso"
cp -rL test/expected "$dir/isoin/expected"
for f in test/specs/*.spec; do
	sed 's/CREATE EXTENSION IF NOT EXISTS fenta CASCADE;//' "$f" >"$dir/isoin/specs/$(basename "$f")"
done
[ "$(id -u)" = 0 ] && chown -R postgres "$dir/iso" "$dir/isoin"
# shellcheck disable=SC2086
if ! PGOPTIONS= "$("$PGBIN/pg_config" --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress" --use-existing \
	--dbname=reg --user=supabase_admin --host="$dir" --port="$port" \
	--inputdir="$dir/isoin" --outputdir="$dir/iso" --bindir="$PGBIN" $iso >"$dir/iso.log" 2>&1; then
	cat "$dir/iso.log"
	head -c 20000 "$dir/iso/regression.diffs" 2>/dev/null
	fail "isolation specs differ on the migrations flavour"
fi
echo "ok 4 - isolation specs on the migrations flavour: $iso"

# 5. CALL as postgres, and pg_cron as postgres
months() { q -d mig -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.usage_records'::regclass"; }
q -d mig -c "INSERT INTO public.usage_records (org_id, resource_type, created_at)
	VALUES ('70000000-0000-4000-8000-00000000d1a0', 'storage', now() + interval '9 months')" >/dev/null
before=$(months)
PGUSER=postgres q -d mig -c "CALL fenta.run_maintenance()" >/dev/null 2>"$dir/err" \
	|| { cat "$dir/err"; fail "CALL fenta.run_maintenance() fails as postgres"; }
[ "$(months)" -gt "$before" ] && [ "$(q -d mig -c "SELECT count(*) FROM ONLY public.usage_records_default")" = 0 ] \
	|| fail "CALL fenta.run_maintenance() as postgres left rows in the default partition"
# a transaction block that has not written: the twin cannot see it, the
# procedure's first COMMIT refuses it (doc/hosted.md); the session's next run
# takes the lock over and releases it
got=$(PGUSER=postgres "$PGBIN/psql" -X -q -At -d mig -c '\set VERBOSITY sqlstate' -c "BEGIN" -c "CALL fenta.run_maintenance()" \
	-c "ROLLBACK" -c "CALL fenta.run_maintenance()" \
	-c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()" 2>&1 || true)
[ "$got" = "$(printf 'ERROR:  2D000\n0')" ] || { echo "$got"; fail "CALL in a transaction block that has not written"; }
if [ -n "$cron" ]; then
	[ "$(q -d mig -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")" = 1 ] || fail "no pg_cron in database mig"
	PGUSER=postgres q -d mig -c "SELECT cron.schedule('fenta-maintenance', '*/5 * * * *', 'CALL fenta.run_maintenance()')" >/dev/null \
		|| fail "cron.schedule as postgres"
	[ "$(q -d mig -c "SELECT username || ' ' || command FROM cron.job WHERE jobname = 'fenta-maintenance'")" = "postgres CALL fenta.run_maintenance()" ] \
		|| fail "the pg_cron job is not postgres's"
	# what pg_cron does at the next tick: the command, as the job's user
	q -d mig -c "INSERT INTO public.usage_records (org_id, resource_type, created_at)
		VALUES ('70000000-0000-4000-8000-00000000d1a0', 'storage', now() + interval '11 months')" >/dev/null
	before=$(months)
	PGUSER=$(q -d mig -c "SELECT username FROM cron.job WHERE jobname = 'fenta-maintenance'") \
		q -d mig -c "$(q -d mig -c "SELECT command FROM cron.job WHERE jobname = 'fenta-maintenance'")" >/dev/null 2>"$dir/err" \
		|| { cat "$dir/err"; fail "the pg_cron job's command fails as postgres"; }
	[ "$(months)" -gt "$before" ] || fail "the pg_cron job's command created no partition"
	# fenta.schedule_maintenance() (fenta.maintain_partitions() every 10 minutes)
	PGUSER=postgres q -d mig -c "SELECT fenta.schedule_maintenance()" >/dev/null || fail "fenta.schedule_maintenance() as postgres"
	cmd=$(q -d mig -c "SELECT command FROM cron.job WHERE jobname = fenta.maintenance_job_name() AND username = 'postgres'")
	[ -n "$cmd" ] || fail "fenta.schedule_maintenance() made no job of postgres"
	PGUSER=postgres q -d mig -c "$cmd" >/dev/null 2>"$dir/err" || { cat "$dir/err"; fail "the job of fenta.schedule_maintenance() fails"; }
	echo "ok 5 - CALL fenta.run_maintenance() works as postgres (in a transaction block: 2D000, lock released by the next run), and as the pg_cron job of postgres (also fenta.schedule_maintenance())"
	# MIGRATIONS_PARTITIONS_CRON_TICK=1: also wait (up to 75 s) for pg_cron
	# itself to run the job once, as postgres
	if [ -n "${MIGRATIONS_PARTITIONS_CRON_TICK:-}" ]; then
		q -d mig -c "INSERT INTO public.usage_records (org_id, resource_type, created_at)
			VALUES ('70000000-0000-4000-8000-00000000d1a0', 'storage', now() + interval '13 months')" >/dev/null
		PGUSER=postgres q -d mig -c "SELECT cron.schedule('fenta-maintenance', '* * * * *', 'CALL fenta.run_maintenance()')" >/dev/null
		status=
		for _ in $(seq 1 150); do
			status=$(q -d mig -c "SELECT d.status FROM cron.job_run_details d JOIN cron.job j USING (jobid)
				WHERE j.jobname = 'fenta-maintenance' AND d.status IN ('succeeded', 'failed') ORDER BY d.runid DESC LIMIT 1")
			[ -n "$status" ] && break
			sleep 0.5
		done
		[ "$status" = succeeded ] && [ "$(q -d mig -c "SELECT count(*) FROM ONLY public.usage_records_default")" = 0 ] \
			|| { q -d mig -c "SELECT * FROM cron.job_run_details"; fail "pg_cron's own run of the job: ${status:-none}"; }
		echo "ok 5b - pg_cron ran CALL fenta.run_maintenance() as postgres"
	fi
else
	# MIGRATIONS_PARTITIONS_CRON_TICK=1: also wait (up to 75 s) for pg_cron
	# itself to run the job once, as postgres
	if [ -n "${MIGRATIONS_PARTITIONS_CRON_TICK:-}" ]; then
		q -d mig -c "INSERT INTO public.usage_records (org_id, resource_type, created_at)
			VALUES ('70000000-0000-4000-8000-00000000d1a0', 'storage', now() + interval '13 months')" >/dev/null
		PGUSER=postgres q -d mig -c "SELECT cron.schedule('fenta-maintenance', '* * * * *', 'CALL fenta.run_maintenance()')" >/dev/null
		status=
		for _ in $(seq 1 150); do
			status=$(q -d mig -c "SELECT d.status FROM cron.job_run_details d JOIN cron.job j USING (jobid)
				WHERE j.jobname = 'fenta-maintenance' AND d.status IN ('succeeded', 'failed') ORDER BY d.runid DESC LIMIT 1")
			[ -n "$status" ] && break
			sleep 0.5
		done
		[ "$status" = succeeded ] && [ "$(q -d mig -c "SELECT count(*) FROM ONLY public.usage_records_default")" = 0 ] \
			|| { q -d mig -c "SELECT * FROM cron.job_run_details"; fail "pg_cron's own run of the job: ${status:-none}"; }
		echo "ok 5b - pg_cron ran CALL fenta.run_maintenance() as postgres"
	fi
	echo "ok 5 - CALL fenta.run_maintenance() works as postgres # skip pg_cron (not in this PostgreSQL)"
fi
