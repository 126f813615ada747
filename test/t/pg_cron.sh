#!/usr/bin/env bash
# Scheduling with pg_cron: fenta.schedule_maintenance() registers one job
# (idempotently: called again, it updates the same job) that runs
# CALL fenta.run_maintenance() (a transaction per step); 
# fenta.unschedule_maintenance() removes it.
# pg_cron is preloaded by test/run.sh with cron.database_name = postgres, so
# it can only be created in database postgres: this driver installs the auth
# script, pg_cron and fenta there, and removes them at the end.
# Without pg_cron, schedule_maintenance() fails with 55000.
# Runs inside pg_virtualenv (test/run.sh).
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
fail=0
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
check() { # name expected got
	if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: expected [$2], got [$3]"; fail=1; fi
}
cleanup() {
	q -d postgres -c "SET client_min_messages = warning" -c "SET fenta.allow_drop = on" \
		-c "DROP EXTENSION IF EXISTS fenta CASCADE" -c "DROP EXTENSION IF EXISTS pg_cron" \
		-c 'DROP EXTENSION IF EXISTS pgcrypto' -c 'DROP EXTENSION IF EXISTS "uuid-ossp"' \
		-c "DROP SCHEMA IF EXISTS fenta_archive CASCADE" -c "DROP SCHEMA IF EXISTS fenta CASCADE" \
		-c "DROP SCHEMA IF EXISTS auth CASCADE" >/dev/null 2>&1 || true
	dropdb --if-exists cron_none >/dev/null 2>&1 || true
}
trap cleanup EXIT

[ "$(q -d postgres -c 'SHOW shared_preload_libraries')" = pg_cron ] \
	|| { echo "pg_cron is not preloaded in this cluster (see test/run.sh)"; exit 1; }
cleanup
q -d postgres -f sql/supabase_auth.sql >/dev/null 2>&1
q -d postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION fenta CASCADE"

job=$(q -d postgres -c "SELECT fenta.schedule_maintenance()")
check "a job id is returned" t "$([ -n "$job" ] && echo t)"
check "the job is registered" "fenta-maintain-partitions|*/10 * * * *|CALL fenta.run_maintenance(months_ahead => 3, retention_months => 0)|postgres|t" \
	"$(q -d postgres -c "SELECT jobname, schedule, command, database, active FROM cron.job WHERE jobid = $job")"
job2=$(q -d postgres -c "SELECT fenta.schedule_maintenance('0 * * * *', 6, 24)")
check "scheduling again updates the same job" "$job" "$job2"
check "one job only" 1 "$(q -d postgres -c "SELECT count(*) FROM cron.job WHERE command LIKE '%run_maintenance%'")"
check "with the new schedule and arguments" "0 * * * *|CALL fenta.run_maintenance(months_ahead => 6, retention_months => 24)" \
	"$(q -d postgres -c "SELECT schedule, command FROM cron.job WHERE jobid = $job")"
# the job's command runs
check "the job's command works" "ran" "$(q -d postgres -c "$(q -d postgres -c "SELECT command FROM cron.job WHERE jobid = $job")" && echo ran)"
# bad arguments, invalid schedule (pg_cron's own check)
check "bad months_ahead: 22023" "ERROR:  22023" "$(psql -X -q -At -d postgres -c "\set VERBOSITY sqlstate" -c "SELECT fenta.schedule_maintenance(months_ahead => 500)" 2>&1 || true)"
check "bad schedule refused by pg_cron" refused "$(q -d postgres -c "SELECT fenta.schedule_maintenance('every tuesday')" >/dev/null 2>&1 || echo refused)"
check "the job is unchanged" "0 * * * *" "$(q -d postgres -c "SELECT schedule FROM cron.job WHERE jobid = $job")"
# API roles cannot schedule
check "authenticated cannot schedule" f "$(q -d postgres -c "SELECT has_function_privilege('authenticated', 'fenta.schedule_maintenance(text, integer, integer)', 'EXECUTE')")"
# unscheduling
check "unschedule removes the job" t "$(q -d postgres -c "SELECT fenta.unschedule_maintenance()")"
check "no job left" 0 "$(q -d postgres -c "SELECT count(*) FROM cron.job")"
check "unschedule again: nothing to remove" f "$(q -d postgres -c "SELECT fenta.unschedule_maintenance()")"

# a database without pg_cron
dropdb --if-exists cron_none
createdb cron_none
q -d cron_none -f sql/supabase_auth.sql >/dev/null 2>&1
q -d cron_none -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE"
got=$(psql -X -q -At -d cron_none -c "\set VERBOSITY sqlstate" -c "SELECT fenta.schedule_maintenance()" 2>&1 || true)
check "without pg_cron: 55000" "ERROR:  55000" "$got"
check "without pg_cron, unschedule: false" f "$(q -d cron_none -c "SELECT fenta.unschedule_maintenance()")"
exit $fail
