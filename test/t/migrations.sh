#!/usr/bin/env bash
# The migrations flavour on an emulated hosted Supabase (issue 13).
# A cluster of its own (initdb -U supabase_admin, test/hosted/emulation.sql),
# then:
#  1. supabase/migrations is not stale (regenerated into a temporary
#     directory and compared);
#  2. the eight files apply in order as the non-superuser postgres, two ways:
#     database sqleditor: each file in one transaction (psql -1), as the
#     dashboard's SQL editor; database dbpush: "SET SESSION AUTHORIZATION
#     postgres; RESET ALL;" before each file, as supabase db push (which sends
#     a file as one batch of statements: one implicit transaction).  The blocks
#     marked "-- fenta:superuser" (event triggers) run as supabase_admin:
#     supautils lets postgres create event triggers on hosted Supabase, stock
#     PostgreSQL does not;
#  3. every table of public and fenta has row level security, and the
#     policies (name, command, roles, USING, WITH CHECK) are those of the
#     extension (database ext: CREATE EXTENSION fenta on the same emulation);
#  4. differential: the TypeID/UUIDv7 twins give the text, uuid, timestamp
#     and errors of the C functions (20,000 random uuids, and malformed input).
# Needs fenta installed in the PostgreSQL of PGBIN / PG_CONFIG.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/t/lib.sh
port=${MIGRATIONS_PORT:-55463}
N=${MIGRATIONS_ROUNDS:-100000}

fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. stale?
gen=$(mktemp -d)
dir=$(mktemp -d "${TMPDIR:-/tmp}/fenta-hosted.XXXXXX")
cleanup() {
	as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir" "$gen"
}
trap cleanup EXIT
bash test/tools/migrations.sh "$gen/m"
diff -r "$gen/m" supabase/migrations >/dev/null \
	|| fail "supabase/migrations is stale: run make migrations"
[ "$(ls supabase/migrations | grep -v '^[0-9]\{5\}_fenta_[0-9.]*\.sql$' | tr '\n' ' ')" = "00001_extensions.sql 00002_users.sql 00003_content.sql 00004_jobs.sql 00005_billing.sql 00006_functions.sql 00007_rls_policies.sql 00008_indexes.sql " ] \
	|| fail "supabase/migrations holds other files than the eight and the updates"
echo "ok 1 - supabase/migrations is up to date"

# the emulated hosted cluster
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_postgres "$PGBIN/initdb" -D "$dir/data" -U supabase_admin -A trust >/dev/null
{
	echo "port = $port"
	echo "listen_addresses = ''"
	echo "unix_socket_directories = '$dir'"
	echo "fsync = off"
	# pg_cron as the platform has it, when this PostgreSQL has it
	if [ -e "$("$PGBIN/pg_config" --pkglibdir)/pg_cron.so" ]; then
		echo "shared_preload_libraries = 'pg_cron'"
		echo "cron.database_name = 'sqleditor'"
	fi
} >>"$dir/data/postgresql.conf"
as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
export PGHOST=$dir PGPORT=$port PGUSER=supabase_admin
# the search_path Supabase gives postgres, also after RESET ALL
export PGOPTIONS='-c search_path="$user",public,extensions -c client_min_messages=warning'
psql_() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
q() { "$PGBIN/psql" -X -A -t -v ON_ERROR_STOP=1 "$@"; }

for db in sqleditor dbpush ext; do
	psql_ -d postgres -c "CREATE DATABASE $db"
	psql_ -d $db -f test/hosted/emulation.sql >/dev/null
done
psql_ -d ext -c 'CREATE EXTENSION fenta' >/dev/null

# 2. apply as postgres; -- fenta:superuser blocks as supabase_admin
as_postgres_script() { # FILE MODE
	local enter=$'SET SESSION AUTHORIZATION postgres;'
	[ "$2" = dbpush ] && enter=$'SET SESSION AUTHORIZATION postgres;\nRESET ALL;'
	echo "$enter"
	awk '
		/^-- fenta:superuser begin$/ { print "RESET SESSION AUTHORIZATION;"; next }
		/^-- fenta:superuser end$/ { print "SET SESSION AUTHORIZATION postgres;"; next }
		{ print }' "$1"
	echo "RESET SESSION AUTHORIZATION;"
}
for f in supabase/migrations/*.sql; do
	as_postgres_script "$f" sqleditor | psql_ -1 -d sqleditor -f - >/dev/null 2>"$dir/err" \
		|| { cat "$dir/err"; fail "$f does not apply in one transaction as postgres"; }
	as_postgres_script "$f" dbpush | psql_ -1 -d dbpush -f - >/dev/null 2>"$dir/err" \
		|| { cat "$dir/err"; fail "$f does not apply as supabase db push does"; }
done
[ "$(q -d sqleditor -c "SELECT pg_catalog.pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.orgs'::regclass")" = postgres ] \
	|| fail "public.orgs is not owned by postgres"
echo "ok 2 - the eight files apply as postgres (SQL editor and db push)"

# 3. RLS on every table; the extension's policies
for db in sqleditor dbpush ext; do
	norls=$(q -d $db -c "SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_class c
		WHERE c.relnamespace IN ('public'::regnamespace, 'fenta'::regnamespace) AND c.relkind IN ('r', 'p')
			AND NOT c.relrowsecurity")
	[ -z "$norls" ] || fail "tables without row level security in $db: $norls"
done
policies="SELECT schemaname, tablename, policyname, permissive, roles, cmd, qual, with_check
	FROM pg_policies WHERE schemaname IN ('public', 'fenta') ORDER BY 1, 2, 3"
q -d ext -c "$policies" >"$dir/ext.pol"
[ "$(wc -l <"$dir/ext.pol")" -gt 20 ] || fail "too few policies in the extension"
for db in sqleditor dbpush; do
	q -d $db -c "$policies" >"$dir/$db.pol"
	diff "$dir/ext.pol" "$dir/$db.pol" || fail "the policies of $db differ from the extension's"
done
echo "ok 3 - every table has RLS; $(wc -l <"$dir/ext.pol") policies equal to the extension's"

# 4. differential: TypeID and UUIDv7 twins against the C functions.  The same
# uuids in both databases: md5 of a seed list.
ids="SELECT i, pg_catalog.md5('fenta' || i)::uuid AS u,
		(overlay(overlay(pg_catalog.md5('v7' || i) PLACING '7' FROM 13 FOR 1)
			PLACING '8' FROM 17 FOR 1))::uuid AS v,
		(ARRAY['', 'org', 'user', 'api_key', 'a_b_c', 'x'])[1 + i % 6] AS p
	FROM pg_catalog.generate_series(1, $N) i"
round="SELECT pg_catalog.md5(pg_catalog.string_agg(
		fenta.typeid_encode(p, u) || ' ' || fenta.typeid_decode(fenta.typeid_encode(p, u), p)
		|| ' ' || fenta.typeid_prefix(fenta.typeid_encode(p, v)) || ' ' || fenta.uuid_v7_timestamp(v)
		|| ' ' || (fenta.typeid_decode(fenta.typeid_encode(p, v), p) = v), ',' ORDER BY i))
	FROM ($ids) s"
a=$(q -d ext -c "SET TIME ZONE 'UTC'" -c "$round")
b=$(q -d sqleditor -c "SET TIME ZONE 'UTC'" -c "$round")
[ "$a" = "$b" ] || fail "typeid/uuid_v7_timestamp differ: C $a, twins $b"
# errors: SQLSTATE, message and detail of every malformed case
cat >"$dir/errors.sql" <<'SQL'
\set VERBOSITY verbose
\set SHOW_CONTEXT never
\set ON_ERROR_STOP off
SELECT fenta.typeid_decode('', '');
SELECT fenta.typeid_decode('_01h455vb4pex5vsknk084sn02q', '');
SELECT fenta.typeid_decode('Org_01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode('org1_01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode('_org_01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode('org__01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode('org_01h455vb4pex5vsknk084sn02', 'org');
SELECT fenta.typeid_decode('org_01h455vb4pex5vsknk084sn02qq', 'org');
SELECT fenta.typeid_decode('org_01H455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode('org_01h455vb4pex5vsknk084sn0uq', 'org');
SELECT fenta.typeid_decode('org_81h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode('org_01h455vb4pex5vsknk084sn0éq', 'org');
SELECT fenta.typeid_decode('orgé_01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode(E'org\t_01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode(repeat('a', 64) || '_01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode(repeat('é', 70), 'org');
SELECT fenta.typeid_decode('org_01h455vb4pex5vsknk084sn02q', '');
SELECT fenta.typeid_decode('01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode('user_01h455vb4pex5vsknk084sn02q', 'org');
SELECT fenta.typeid_decode('org_01h455vb4pex5vsknk084sn02q', 'Org');
SELECT fenta.typeid_encode('org_', '01890a5d-ac96-774b-bcce-b302099a8057');
SELECT fenta.typeid_encode(repeat('a', 64), '01890a5d-ac96-774b-bcce-b302099a8057');
SELECT fenta.typeid_encode('a-b', '01890a5d-ac96-774b-bcce-b302099a8057');
SELECT fenta.typeid_prefix('org_01h455vb4pex5vsknk084sn02!');
SELECT fenta.typeid_prefix('a_b_01h455vb4pex5vsknk084sn02q');
SELECT fenta.typeid_prefix('Org_01h455vb4pex5vsknk084sn02q');
SELECT fenta.typeid_prefix('_01h455vb4pex5vsknk084sn02q');
SELECT fenta.typeid_prefix('');
SELECT fenta.typeid_prefix(repeat('b', 64) || '_01h455vb4pex5vsknk084sn02q');
SELECT fenta.typeid_prefix(E'x\x01y_01h455vb4pex5vsknk084sn02q');
SELECT fenta.typeid_prefix('01h455vb4pex5vsknk084sn02q');
-- strictly increasing within a session
SELECT count(*) FILTER (WHERE u <= prev) AS violations FROM (
	SELECT u, lag(u) OVER (ORDER BY n) AS prev
	FROM (SELECT n, fenta.uuid_generate_v7() AS u FROM generate_series(1, 20000) n) g) s;
SELECT fenta.uuid_v7_timestamp('01890a5d-ac96-474b-bcce-b302099a8057');
SELECT fenta.uuid_v7_timestamp('01890a5d-ac96-774b-ccce-b302099a8057');
SELECT fenta.uuid_v7_timestamp(fenta.uuid_generate_v7()) BETWEEN now() - interval '1 minute' AND clock_timestamp();
SELECT pg_catalog.uuid_send(fenta.uuid_generate_v7()) IS NOT NULL, (pg_catalog.get_byte(pg_catalog.uuid_send(fenta.uuid_generate_v7()), 6) >> 4) = 7;
SQL
"$PGBIN/psql" -X -d ext -f "$dir/errors.sql" 2>&1 | sed 's/LOCATION: .*//' >"$dir/ext.err"
"$PGBIN/psql" -X -d sqleditor -f "$dir/errors.sql" 2>&1 | sed 's/LOCATION: .*//' >"$dir/sqleditor.err"
[ "$(grep -c ' ERROR: ' "$dir/ext.err")" -ge 30 ] || { cat "$dir/ext.err"; fail "the error cases did not all fail"; }
diff "$dir/ext.err" "$dir/sqleditor.err" || fail "the twins' errors differ from the C functions'"
echo "ok 4 - TypeID and UUIDv7 twins equal the C functions ($N round trips, $(grep -c ' ERROR: ' "$dir/ext.err") errors)"

# 5. differential: the usage path (quota accounting, idempotency guard, daily
# usage capture) of the twins against the C triggers
for db in ext sqleditor; do
	"$PGBIN/psql" -X -d $db -f test/hosted/usage_diff.sql 2>&1 | sed 's/LOCATION: .*//' >"$dir/$db.usage"
done
grep -q 'usage counter storage_bytes out of range' "$dir/ext.usage" \
	&& grep -q 'has no quota_limits row' "$dir/ext.usage" \
	|| { cat "$dir/ext.usage"; fail "the usage scenario did not run as expected"; }
diff "$dir/ext.usage" "$dir/sqleditor.usage" || fail "the usage path of the twins differs from the C triggers'"
echo "ok 5 - usage path: counters, packs, idempotency keys and daily usage equal the C triggers' ($(grep -c ' ERROR: ' "$dir/ext.usage") errors)"

# 6. the quota engine's periodic functions, one by one, run as postgres and
# pg_cron accepts them (CALL fenta.run_maintenance(), which runs them with
# the partition maintenance, is proven by test/t/migrations_partitions.sh)
interim='SELECT fenta.rollup_quota_counters(); SELECT fenta.apply_quota_resets(); SELECT fenta.refresh_daily_usage(false); SELECT fenta.prune_usage_idempotency();'
PGUSER=postgres q -d sqleditor -c "$interim" >/dev/null || fail "the periodic functions fail as postgres"
if [ "$(q -d sqleditor -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")" = 1 ]; then
	PGUSER=postgres q -d sqleditor -c "SELECT cron.schedule('fenta-maintenance', '*/5 * * * *', \$\$$interim\$\$)" >/dev/null \
		|| fail "cron.schedule as postgres"
fi
[ "$(q -d sqleditor -c "SELECT count(*) FROM fenta.usage_daily_pending")" = 0 ] || fail "refresh_daily_usage left pending rows"
echo "ok 6 - the quota engine's periodic functions run as postgres (and are scheduled with pg_cron when present)"

# 7. the update mechanism, on a copy of the sources where fenta.control names
# a later version with update sources: the eight files stay as they are, one
# migration 00009_fenta_<version>.sql is added, made like the eight (a C
# function replaced by its twin, CREATE OR REPLACE kept; 90-99 left out), and
# it applies as postgres after them
up=$gen/up
mkdir -p "$up/test/tools" "$up/sql/update/9.9.9"
cp -r fenta.control supabase "$up/"
mkdir -p "$up/sql" && cp -r sql/src sql/twins "$up/sql/" && cp -r sql/update/[0-9]* "$up/sql/update/"
cp test/tools/migrations.sh "$up/test/tools/"
sed -i "s/^default_version = .*/default_version = '9.9.9'/" "$up/fenta.control"
cat >"$up/sql/update/9.9.9/10_probe.sql" <<'SQL'
CREATE TABLE public.update_probe (id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7());
ALTER TABLE public.update_probe ENABLE ROW LEVEL SECURITY;
SELECT pg_catalog.pg_extension_config_dump('public.update_probe', '');
CREATE OR REPLACE FUNCTION fenta.typeid_prefix(typeid text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_typeid_prefix';
SQL
echo "SELECT fenta.guard_register();" >"$up/sql/update/9.9.9/99_guard_registry.sql"
bash "$up/test/tools/migrations.sh" >/dev/null
u9=$up/supabase/migrations/$(printf '%05d' $(($(ls supabase/migrations | wc -l) + 1)))_fenta_9.9.9.sql
[ -f "$u9" ] || fail "no $(basename "$u9")"
diff -r -x "$(basename "$u9")" supabase/migrations "$up/supabase/migrations" >/dev/null \
	|| fail "a later version changed the earlier files"
! grep -q 'MODULE_PATHNAME\|guard_register\|^SELECT pg_catalog.pg_extension_config_dump' "$u9" \
	|| fail "$(basename "$u9") holds extension-only statements"
grep -q '^CREATE OR REPLACE FUNCTION fenta.typeid_prefix' "$u9" || fail "the twin in an update is not CREATE OR REPLACE"
as_postgres_script "$u9" sqleditor | psql_ -1 -d sqleditor -f - >/dev/null 2>"$dir/err" \
	|| { cat "$dir/err"; fail "$(basename "$u9") does not apply as postgres"; }
[ "$(q -d sqleditor -c "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.update_probe'::regclass")" = t ] \
	|| fail "the update's table is missing"
[ "$(q -d sqleditor -c "SELECT fenta.typeid_prefix('org_01h455vb4pex5vsknk084sn02q')")" = org ] \
	|| fail "the update's twin does not work"
echo "ok 7 - a later version appends $(basename "$u9" | sed "s/9\.9\.9/<version>/"), which applies as postgres"

# 8. Supabase's linter, when given: SPLINTER_SQL=<splinter.sql of the public
# supabase/splinter repository> (never committed here), with PostgREST's
# exposed schemas as on Supabase (pgrst.db_schemas: the lints about the API
# look only there).  0 ERROR; the one WARN allowed (doc/hosted.md):
# fenta.run_maintenance's mutable search_path (a procedure that commits
# cannot have a SET clause).  The member RPCs in public are SECURITY INVOKER
# wrappers since 0.6.0 (authenticated_security_definer_function_executable,
# a lint of 2025, flagged them before).  Compared by lint, schema and name,
# not by the lints' text.
if [ -n "${SPLINTER_SQL:-}" ]; then
	body=$(sed -e '1{/^set local search_path/d}' -e '$ s/;[[:space:]]*$//' "$SPLINTER_SQL")
	found=$(q -d sqleditor -c "BEGIN" -c "SET LOCAL search_path = ''" -c "SET LOCAL pgrst.db_schemas = 'public, graphql_public'" \
		-c "SELECT l.level || ' ' || l.name || ' ' || coalesce(l.metadata ->> 'schema', '') || '.' || coalesce(l.metadata ->> 'name', '')
			FROM ($body) l WHERE l.level IN ('ERROR', 'WARN') ORDER BY 1" -c "ROLLBACK" | grep -v '^\(BEGIN\|SET\|ROLLBACK\)$' || true)
	expected='WARN function_search_path_mutable fenta.run_maintenance'
	[ "$found" = "$expected" ] || { echo "$found"; fail "splinter: ERROR or WARN lints beyond the documented ones"; }
	echo "ok 8 - splinter: 0 ERROR, $(echo "$found" | grep -c '^WARN') WARN (documented: fenta.run_maintenance)"
else
	echo "ok 8 # skip splinter (set SPLINTER_SQL to its splinter.sql)"
fi

# The pg_regress and isolation suites against the migrations flavour: every
# test and spec of the extension, compared with the extension's expected
# output, except where a difference is inherent: then with the extension's expected
# output changed by test/expected/hosted/<name>.diff (doc/hosted.md says why
# for each).  The inputs are copied to $dir/regin and $dir/isoin;
# test/hosted/regress.sed rewrites the setup statements of a pg_regress test
# that makes a database of its own (a copy of fenta_hosted instead of CREATE
# EXTENSION fenta), the specs lose their "CREATE EXTENSION IF NOT EXISTS
# fenta CASCADE;".  Left out by default: the partition maintenance, which
# test/t/migrations_partitions.sh covers with its twins (pg_regress test
# partitions, specs maintenance_locks and partition_concurrency).
# MIGRATIONS_REGRESS / MIGRATIONS_ISOLATION choose other lists.
psql_ -d postgres -c "CREATE DATABASE fenta_hosted TEMPLATE dbpush"
# hosted_expected NAME DST: the expected output of NAME on the migrations
# flavour, into DST: test/expected/hosted/NAME.diff applied to the
# extension's (the differences only, so that both stay in step), or the
# extension's as it is.  Sets HOSTED_OWN when there is a .diff.
hosted_expected() {
	cp "test/expected/$1.out" "$2"
	HOSTED_OWN=
	if [ -f "test/expected/hosted/$1.diff" ]; then
		patch -s --no-backup-if-mismatch "$2" "test/expected/hosted/$1.diff" \
			|| fail "test/expected/hosted/$1.diff does not apply to test/expected/$1.out"
		HOSTED_OWN=1
	fi
}

# 9. pg_regress.  Most tests share one database, contrib_regression (a copy
# of fenta_hosted), in the extension suite's order; install and drop_guard
# (they create or drop what the others use) get a copy each.  The session's
# search_path is PostgreSQL's default, as in the extension's suite
# (supabase_admin's own setting adds auth, and schema prints "uid()" for
# "auth.uid()").  typeid runs a tenth of its 100,000-row loops here (the
# PL/pgSQL twins take a minute for the full test): hosted/typeid.diff.
regress_skip=" partitions "
regress_all=$(ls test/sql | sed -n 's/\.sql$//p' | while read -r t; do
	[[ "$regress_skip" == *" $t "* ]] || echo "$t"; done | tr '\n' ' ')
regress=${MIGRATIONS_REGRESS:-$regress_all}
own_db=" install drop_guard "
pg_regress=$("$PGBIN/pg_config" --pkglibdir)/pgxs/src/test/regress/pg_regress
mkdir -p "$dir/regin/sql" "$dir/regin/expected" "$dir/regress"
shared=() separate=() inherent=()
for t in $regress; do
	sed -f test/hosted/regress.sed "test/sql/$t.sql" >"$dir/regin/sql/$t.sql"
	[ "$t" = typeid ] && sed -i 's/generate_series(1, 100000)/generate_series(1, 10000)/' "$dir/regin/sql/$t.sql"
	hosted_expected "$t" "$dir/regin/expected/$t.out"
	sed -i -f test/hosted/regress.sed "$dir/regin/expected/$t.out"
	[ -n "$HOSTED_OWN" ] && inherent+=("$t")
	if [[ "$own_db" == *" $t "* ]]; then separate+=("$t"); else shared+=("$t"); fi
done
regress_failed=
run_regress() { # DB TEST...: a copy of fenta_hosted each
	local db=$1 out=$dir/regress/$1
	shift
	psql_ -d postgres -c "CREATE DATABASE $db TEMPLATE fenta_hosted"
	mkdir -p "$out"
	[ "$(id -u)" = 0 ] && chown postgres "$out"
	PGOPTIONS='-c search_path="$user",public' "$pg_regress" --use-existing --dbname="$db" --user=supabase_admin \
		--host="$dir" --port="$port" --inputdir="$dir/regin" --outputdir="$out" --bindir="$PGBIN" "$@" \
		>>"$dir/regress.log" 2>&1 || regress_failed+=" $db"
}
[ ${#shared[@]} = 0 ] || run_regress contrib_regression "${shared[@]}"
for t in "${separate[@]}"; do run_regress "fenta_own_$t" "$t"; done
if [ -n "$regress_failed" ]; then
	cat "$dir/regress.log"
	for db in $regress_failed; do head -c 20000 "$dir/regress/$db/regression.diffs"; done
	[ -n "${MIGRATIONS_KEEP_DIFFS:-}" ] && cp -r "$dir/regress" "$MIGRATIONS_KEEP_DIFFS"
	fail "pg_regress tests differ on the migrations flavour"
fi
echo "ok 9 - pg_regress on the migrations flavour: $(echo $regress | wc -w) tests, $((${#shared[@]} + ${#separate[@]} - ${#inherent[@]})) with the extension's expected output, ${#inherent[@]} with a documented difference (${inherent[*]})"

# 10. isolation specs (database sqleditor: the migrations applied as the SQL
# editor does)
iso_skip=" maintenance_locks partition_concurrency "
iso_all=$(ls test/specs | sed -n 's/\.spec$//p' | while read -r t; do
	[[ "$iso_skip" == *" $t "* ]] || echo "$t"; done | tr '\n' ' ')
iso=${MIGRATIONS_ISOLATION:-$iso_all}
mkdir -p "$dir/isoin/specs" "$dir/isoin/expected" "$dir/iso"
iso_inherent=()
for t in $iso; do
	sed 's/CREATE EXTENSION IF NOT EXISTS fenta CASCADE;//' "test/specs/$t.spec" >"$dir/isoin/specs/$t.spec"
	hosted_expected "$t" "$dir/isoin/expected/$t.out"
	[ -n "$HOSTED_OWN" ] && iso_inherent+=("$t")
done
[ "$(id -u)" = 0 ] && chown -R postgres "$dir/iso"
# shellcheck disable=SC2086
if ! PGOPTIONS='' "$("$PGBIN/pg_config" --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress" --use-existing \
	--dbname=sqleditor --user=supabase_admin --host="$dir" --port="$port" \
	--inputdir="$dir/isoin" --outputdir="$dir/iso" --bindir="$PGBIN" $iso >"$dir/iso.log" 2>&1; then
	cat "$dir/iso.log"
	head -c 20000 "$dir/iso/regression.diffs" 2>/dev/null
	[ -n "${MIGRATIONS_KEEP_DIFFS:-}" ] && cp -r "$dir/iso" "$MIGRATIONS_KEEP_DIFFS.iso"
	fail "isolation specs differ on the migrations flavour"
fi
echo "ok 10 - isolation specs on the migrations flavour: $(echo $iso | wc -w) specs, $(($(echo $iso | wc -w) - ${#iso_inherent[@]})) with the extension's expected output, ${#iso_inherent[@]} with a documented difference (${iso_inherent[*]})"
