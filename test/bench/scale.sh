#!/usr/bin/env bash
# Benchmark: the API reads cost what the tenant's rows cost, not what the
# table holds (issue 12; not part of the test suite).
#
# Builds two databases in one cluster, 1,000 orgs and 10,000 orgs, where
# every org looks the same: 3 members, 5 projects, 10 workflows, 200 jobs
# over the last 90 days (10% failed, 2% soft-deleted), 100 usage records
# over the last 90 days (denser towards now: age = 90 days x (k/100)^2, about
# 17 per org in the current month at the start of a month), plan pro:
# 200,000 jobs and 100,000 usage rows, and 2,000,000 jobs and 1,000,000
# usage rows.  The rows of all orgs are interleaved in the heap, as they
# would arrive.  Usage records are inserted with every trigger on (the quota
# counters stay exact); jobs, workflows and projects with
# session_replication_role = replica (no insert trigger but their foreign
# key checks; the data is consistent by construction).  VACUUM ANALYZE, one
# unmeasured CALL fenta.run_maintenance() (mv_daily_usage up to date).
# A user is a member of 3 orgs (admin, editor, viewer: orgs 7, 337, 661,
# which exist at both sizes and are not neighbours in the heap).
#
# For each read, size and role -- the member under RLS (SET ROLE
# authenticated, request.jwt.claims), and service_role with the member's
# orgs written out (org_id IN (...)):
#   buffers: shared hit + read of the top plan node of EXPLAIN (ANALYZE,
#     BUFFERS, FORMAT JSON), third run on one connection (warm caches and
#     plans; policy functions and InitPlans included);
#   latency: pgbench -n -M prepared -c 1 for BENCH_SECONDS seconds (default
#     2), the median of its per-transaction log; BENCH_ROUNDS rounds
#     (default 3) in which both sizes and both roles take turns, so that the
#     neighbours' load hits all four alike; the figure is the median of the
#     rounds.
# The reads: jobs newest 20, job by id, failed jobs newest 20, workflows
# newest 20, usage records of this month, public.daily_usage() of an org for
# the last 30 days, public.check_quota(org, 1000, 0, 0).
# Then, at each size: 10,000 new usage rows (in the same 1,000 orgs at every size,
# never the member's) and one timed CALL fenta.run_maintenance(); 10,000 more, and SELECT
# fenta.refresh_daily_usage() under EXPLAIN (ANALYZE, BUFFERS): time and
# shared buffers (hit + read).
# Prints a table per size, then member / service and 10,000 / 1,000 orgs
# ratios (the goal: near 1, not growing with size).  SCALE_PLANS=FILE writes
# every measured plan (JSON) there; SCALE_KEEP=1 leaves the cluster running
# (stop it with pg_ctl -D DIR/data stop -m fast, then rm -rf DIR).
#
# Usage: bash test/bench/scale.sh, after make install into the PostgreSQL
# of PG_CONFIG or PGBIN (default the system's), or FENTA_DESTDIR; e.g.
#   make PG_CONFIG=/tmp/pg/usr/lib/postgresql/15/bin/pg_config install
#   PG_CONFIG=/tmp/pg/usr/lib/postgresql/15/bin/pg_config bash test/bench/scale.sh
# BENCH_PORT (default 55445); SCALE_SIZES (two org counts, default
# "1000 10000"; multiples of 1000, the member's orgs are 7, 337, 661).
# About 11 minutes on 2 cores, 1.5 GB of disk.  The cluster: test/bench/lib.sh.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/bench/lib.sh
secs=${BENCH_SECONDS:-2}
rounds=${BENCH_ROUNDS:-3}
read -r -a sizes <<<"${SCALE_SIZES:-1000 10000}"
[ "${#sizes[@]}" = 2 ] || { echo "SCALE_SIZES: two org counts" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fenta-bench.XXXXXX")
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown postgres "$work"
if [ -n "${SCALE_KEEP:-}" ]; then
	trap 'rm -rf "$work"; echo "cluster kept: PGHOST=$PGHOST PGPORT=$PGPORT, data in $PRIVATE_DIR (databases scale_N)"' EXIT
else
	trap 'rm -rf "$work"; bench_cleanup' EXIT
fi
bench_cluster "${BENCH_PORT:-55445}" "work_mem = 64MB" "maintenance_work_mem = 256MB"
# q: the results database (bench); qd DB: a size's database
q() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
qd() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
started=$(date +%s)
elapsed() { echo "$(($(date +%s) - started)) s"; }
echo "fsync = $(q -At -c 'SHOW fsync'), server $(q -At -c 'SHOW server_version'), fenta $(q -At -c "SELECT extversion FROM pg_extension WHERE extname = 'fenta'")"

member=e0000000-0000-4000-8000-000000000001
claims="{\"sub\":\"$member\",\"role\":\"authenticated\"}"
member_orgs="7, 337, 661"

# the schema bench of a size's database
setup() { # db
	qd "$1" <<SQL
SET client_min_messages = warning;
CREATE SCHEMA bench;
CREATE FUNCTION bench.org(i int) RETURNS uuid LANGUAGE sql IMMUTABLE AS
\$\$ SELECT ('c0000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid \$\$;
CREATE FUNCTION bench.filler(i int) RETURNS uuid LANGUAGE sql IMMUTABLE AS
\$\$ SELECT ('f0000000-0000-4000-8000-' || lpad(to_hex(i % 50 + 1), 12, '0'))::uuid \$\$;
INSERT INTO auth.users (id, email)
SELECT bench.filler(u), 'filler' || u || '@scale.test' FROM generate_series(0, 49) u;
INSERT INTO auth.users (id, email) VALUES ('$member', 'member@scale.test');
-- the months of the last 90 days and the next ones
SELECT months_created FROM fenta.maintain_partitions(months_ahead => 4, refresh_usage => false,
	as_of => now() - interval '85 days') \\g /dev/null

-- orgs 1..n, the rows of all orgs interleaved (g % n is the org)
CREATE FUNCTION bench.grow(n int) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
	-- triggers on: owner membership, quota_limits
	INSERT INTO public.orgs (id, name, slug, owner_id, plan)
	SELECT bench.org(i), 'Org ' || i, 'scale-org-' || i, bench.filler(i), 'pro'
	FROM generate_series(1, n) i;
	INSERT INTO public.org_members (org_id, user_id, role)
	SELECT bench.org(i), bench.filler(i + k), 'editor'
	FROM generate_series(1, n) i, generate_series(1, 2) k;
	SET LOCAL session_replication_role = replica;
	INSERT INTO public.projects (org_id, name, created_at)
	SELECT bench.org(1 + g % n), 'P' || g / n, now() - make_interval(hours => g / n * 100 + g % n % 60)
	FROM generate_series(0, 5 * n - 1) g;
	INSERT INTO public.workflows (org_id, name, updated_at, created_at)
	SELECT bench.org(1 + g % n), 'W' || g / n, now() - make_interval(hours => g / n * 50, secs => g % n % 3600),
		now() - make_interval(hours => g / n * 100, secs => g % n % 3600)
	FROM generate_series(0, 10 * n - 1) g;
	INSERT INTO public.jobs (org_id, status, progress, created_at, queued_at, started_at, completed_at, updated_at,
		deleted_at, cost_tokens, cost_render_seconds)
	SELECT bench.org(1 + g % n), CASE WHEN j % 10 = 3 THEN 'failed' ELSE 'completed' END::public.job_status, 100,
		t, t, t, t + interval '1 minute', t + interval '1 minute', CASE WHEN j % 50 = 7 THEN t + interval '1 hour' END,
		1000 + j, j % 90
	FROM generate_series(0, 200 * n - 1) g,
		LATERAL (SELECT g / n AS j) jj,
		LATERAL (SELECT now() - make_interval(secs => jj.j * 38880 + g % n % 3600) AS t) tt;
	SET LOCAL session_replication_role = origin;
	-- usage: every trigger on
	INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits,
		render_seconds, storage_bytes, cost_usd, created_at)
	SELECT bench.org(1 + g % n), (ARRAY['llm_tokens', 'kai_credits', 'render_seconds', 'storage'])[k % 4 + 1]::public.resource_type,
		CASE WHEN k % 4 = 0 THEN 500 + k ELSE 0 END, CASE WHEN k % 4 = 0 THEN 200 ELSE 0 END,
		CASE WHEN k % 4 = 1 THEN 2 ELSE 0 END, CASE WHEN k % 4 = 2 THEN 30 ELSE 0 END,
		CASE WHEN k % 4 = 3 THEN 100000 ELSE 0 END, 0.001,
		now() - make_interval(secs => (7776000 * (k / 100.0) ^ 2)::int + g % n % 600)
	FROM generate_series(0, 100 * n - 1) g, LATERAL (SELECT g / n AS k) kk;
	INSERT INTO public.org_members (org_id, user_id, role) VALUES
		(bench.org(7), '$member', 'admin'), (bench.org(337), '$member', 'editor'), (bench.org(661), '$member', 'viewer');
END
\$\$;

-- 10,000 new usage rows now, over the same 1,000 orgs at every size (but
-- the member's): the change is the same, only the history differs
CREATE FUNCTION bench.new_usage(n int) RETURNS void LANGUAGE sql AS \$\$
	INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, created_at)
	SELECT bench.org(1 + g % 1000), 'llm_tokens', 100, 50, now() FROM generate_series(0, 10099) g
	WHERE 1 + g % 1000 NOT IN ($member_orgs) LIMIT 10000
\$\$;

-- the reads (%1\$s: the member's orgs, %2\$s: one of them, %3\$s: a job of it)
CREATE TABLE bench.reads (ord int PRIMARY KEY, name text, member text, service text);
INSERT INTO bench.reads VALUES
(1, 'jobs newest 20', 'SELECT * FROM public.jobs ORDER BY created_at DESC LIMIT 20',
 'SELECT * FROM public.jobs WHERE org_id IN (%1\$s) AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 20'),
(2, 'job by id', 'SELECT * FROM public.jobs WHERE id = %3\$s',
 'SELECT * FROM public.jobs WHERE id = %3\$s AND org_id IN (%1\$s)'),
(3, 'failed jobs newest 20', 'SELECT * FROM public.jobs WHERE status = ''failed'' ORDER BY created_at DESC LIMIT 20',
 'SELECT * FROM public.jobs WHERE org_id IN (%1\$s) AND deleted_at IS NULL AND status = ''failed'' ORDER BY created_at DESC LIMIT 20'),
(4, 'workflows newest 20', 'SELECT * FROM public.workflows ORDER BY updated_at DESC LIMIT 20',
 'SELECT * FROM public.workflows WHERE org_id IN (%1\$s) AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 20'),
(5, 'usage this month', 'SELECT * FROM public.usage_records WHERE created_at >= date_trunc(''month'', now())',
 'SELECT * FROM public.usage_records WHERE org_id IN (%1\$s) AND created_at >= date_trunc(''month'', now())'),
(6, 'daily_usage 30 days', 'SELECT * FROM public.daily_usage(%2\$s, current_date - 30, current_date)',
 'SELECT * FROM public.daily_usage(%2\$s, current_date - 30, current_date)'),
(7, 'check_quota', 'SELECT public.check_quota(%2\$s, 1000, 0, 0)',
 'SELECT public.check_quota(%2\$s, 1000, 0, 0)');
-- the statements, written out
CREATE FUNCTION bench.stmts() RETURNS TABLE (ord int, who text, sql text) LANGUAGE plpgsql AS \$\$
DECLARE
	orgs text := (SELECT string_agg(quote_literal(bench.org(i)), ', ') FROM unnest(ARRAY[$member_orgs]) i);
	org text := quote_literal(bench.org(337));
	job text := (SELECT quote_literal(j.id) FROM public.jobs j WHERE j.org_id = bench.org(337) AND j.status = 'failed'
				 ORDER BY j.created_at LIMIT 1);
BEGIN
	RETURN QUERY SELECT r.ord, 'member', format(r.member, orgs, org, job) FROM bench.reads r
		UNION ALL SELECT r.ord, 'service', format(r.service, orgs, org, job) FROM bench.reads r
		ORDER BY 1, 2;
END
\$\$;
-- buffers of every read, third run on this connection
CREATE FUNCTION bench.measure() RETURNS TABLE (ord int, who text, bufs bigint, nrows bigint, plan json) LANGUAGE plpgsql AS \$\$
DECLARE
	s record;
	p json;
BEGIN
	FOR s IN SELECT * FROM bench.stmts() LOOP
		IF s.who = 'member' THEN
			PERFORM set_config('request.jwt.claims', '$claims', false);
			SET ROLE authenticated;
		ELSE
			PERFORM set_config('request.jwt.claims', '', false);
			SET ROLE service_role;
		END IF;
		FOR k IN 1..3 LOOP
			EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON) ' || s.sql INTO p;
		END LOOP;
		RESET ROLE;
		ord := s.ord;
		who := s.who;
		bufs := (p -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::bigint + (p -> 0 -> 'Plan' ->> 'Shared Read Blocks')::bigint;
		nrows := (p -> 0 -> 'Plan' ->> 'Actual Rows')::bigint;
		plan := p;
		RETURN NEXT;
	END LOOP;
	PERFORM set_config('request.jwt.claims', '', false);
END
\$\$;
SQL
}

q <<'SQL'
CREATE TABLE result (orgs int, ord int, who text, bufs bigint, nrows bigint, plan json, PRIMARY KEY (orgs, ord, who));
CREATE TABLE latency (orgs int, ord int, who text, round int, ms numeric);
CREATE TABLE upkeep (orgs int PRIMARY KEY, maint_ms numeric, refresh_ms numeric, refresh_bufs bigint);
CREATE TABLE reads (ord int PRIMARY KEY, name text);
SQL

# median latency of one statement in ms: pgbench, prepared, 1 client
median_ms() { # db who sql
	local opts
	if [ "$2" = member ]; then
		opts="-c role=authenticated -c request.jwt.claims=$claims"
	else
		opts="-c role=service_role"
	fi
	printf '%s;\n' "$3" >"$work/read.sql"
	rm -f "$work"/lat.*
	(cd "$work" && PGOPTIONS="$opts" pgbench -n -M prepared -c 1 -T "$secs" -f read.sql -l --log-prefix=lat "$1" >"$work/pgbench.out" 2>&1) ||
		{ cat "$work/pgbench.out" >&2; return 1; }
	# log: client, transaction, latency (us), ...
	cat "$work"/lat.* | awk '{ print $3 }' | sort -n |
		awk '{ a[NR] = $1 } END { printf "%.3f", ((NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) / 1000 }'
}

timed_ms() { # db sql: psql's \timing of one statement
	qd "$1" -c '\timing on' -c "$2" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}

# build
for n in "${sizes[@]}"; do
	db=scale_$n
	echo "== $n orgs: building database $db ($(elapsed)) =="
	createdb "$db"
	qd "$db" -f sql/supabase_auth.sql >/dev/null 2>&1
	qd "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE"
	setup "$db"
	qd "$db" -c "SELECT bench.grow($n)" -c "CHECKPOINT" -c "VACUUM ANALYZE" >/dev/null
	# brings mv_daily_usage up to date (unmeasured)
	qd "$db" -c "CALL fenta.run_maintenance()" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
	qd "$db" -At -F ' ' -c "SELECT 'orgs', (SELECT count(*) FROM public.orgs), 'jobs', (SELECT count(*) FROM public.jobs),
		'usage_records', (SELECT count(*) FROM public.usage_records),
		'of which this month', (SELECT count(*) FROM public.usage_records WHERE created_at >= date_trunc('month', now())),
		'mv_daily_usage', (SELECT count(*) FROM fenta.mv_daily_usage),
		'database', pg_size_pretty(pg_database_size(current_database()))"
done
qd "scale_${sizes[0]}" -At -c "SELECT ord, name FROM bench.reads" | q -c "COPY reads FROM STDIN WITH (DELIMITER '|')"

# buffers
echo "== buffers of every read ($(elapsed)) =="
for n in "${sizes[@]}"; do
	qd "scale_$n" -At -c "COPY (SELECT $n, * FROM bench.measure()) TO STDOUT" | q -c "COPY result FROM STDIN"
done

# latency: for each read, rounds in which both sizes and roles take turns
echo "== latency: $rounds rounds of ${secs}s per read, size and role ($(elapsed)) =="
for ((round = 1; round <= rounds; round++)); do
	for ord in $(q -At -c "SELECT ord FROM reads ORDER BY ord"); do
		for n in "${sizes[@]}"; do
			for who in member service; do
				sql=$(qd "scale_$n" -At -c "SELECT sql FROM bench.stmts() WHERE ord = $ord AND who = '$who'")
				ms=$(median_ms "scale_$n" "$who" "$sql")
				q -c "INSERT INTO latency VALUES ($n, $ord, '$who', $round, $ms)"
			done
		done
	done
done

# upkeep: maintenance after 10,000 new usage rows, then the refresh after 10,000 more
for n in "${sizes[@]}"; do
	db=scale_$n
	echo "== $n orgs: maintenance and refresh of daily usage ($(elapsed)) =="
	qd "$db" -c "SELECT bench.new_usage($n)" -c "CHECKPOINT" >/dev/null
	maint=$(timed_ms "$db" "CALL fenta.run_maintenance()")
	qd "$db" -c "SELECT bench.new_usage($n)" -c "CHECKPOINT" >/dev/null
	qd "$db" -At -c "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT fenta.refresh_daily_usage()" >"$work/refresh.json"
	q -v j="$(tr -d '\n' <"$work/refresh.json")" -v m="$maint" -v n="$n" >/dev/null <<'SQL'
INSERT INTO upkeep SELECT :n, :m, round((p -> 0 ->> 'Execution Time')::numeric, 1),
	(p -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::bigint + (p -> 0 -> 'Plan' ->> 'Shared Read Blocks')::bigint
FROM (SELECT :'j'::json AS p) s;
SQL
done

if [ -n "${SCALE_PLANS:-}" ]; then
	q -At -c "SELECT orgs, ord, who, plan::jsonb FROM result ORDER BY 1, 2, 3" >"$SCALE_PLANS"
fi

lo=${sizes[0]}
hi=${sizes[1]}
q -v lo="$lo" -v hi="$hi" <<'SQL'
CREATE TEMP VIEW fig AS
SELECT r.orgs, r.ord, r.who, r.bufs, r.nrows,
	(SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY l.ms) FROM latency l
	 WHERE l.orgs = r.orgs AND l.ord = r.ord AND l.who = r.who) AS ms
FROM result r;
\echo
\echo '== shared buffers (hit + read) and median latency (ms) per request, member of 3 orgs under RLS vs service_role =='
SELECT m.orgs, r.name AS read, m.nrows AS "rows",
	m.bufs AS member_bufs, s.bufs AS service_bufs, m.bufs - s.bufs AS bufs_diff,
	round(m.bufs::numeric / nullif(s.bufs, 0), 2) AS bufs_ratio,
	m.ms AS member_ms, s.ms AS service_ms, round(m.ms / nullif(s.ms, 0), 2) AS ms_ratio
FROM reads r
	JOIN fig m ON m.ord = r.ord AND m.who = 'member'
	JOIN fig s ON s.ord = r.ord AND s.who = 'service' AND s.orgs = m.orgs
ORDER BY m.orgs, r.ord;
\echo '== upkeep after 10,000 new usage rows =='
SELECT orgs, round(maint_ms) AS "CALL fenta.run_maintenance() ms", round(refresh_ms) AS "refresh_daily_usage() ms",
	refresh_bufs AS "refresh_daily_usage() buffers"
FROM upkeep ORDER BY orgs;
\echo '== comparison: member / service (m/s) at each size; big / small for each role =='
\echo '(a member pays a constant for the membership lookups: see bufs_diff above)'
SELECT r.name AS read,
	round(ml.bufs::numeric / nullif(sl.bufs, 0), 2) AS "m/s bufs small",
	round(mh.bufs::numeric / nullif(sh.bufs, 0), 2) AS "m/s bufs big",
	round(ml.ms / nullif(sl.ms, 0), 2) AS "m/s ms small",
	round(mh.ms / nullif(sh.ms, 0), 2) AS "m/s ms big",
	round(mh.bufs::numeric / nullif(ml.bufs, 0), 2) AS "big/small bufs member",
	round(sh.bufs::numeric / nullif(sl.bufs, 0), 2) AS "big/small bufs service",
	round(mh.ms / nullif(ml.ms, 0), 2) AS "big/small ms member",
	round(sh.ms / nullif(sl.ms, 0), 2) AS "big/small ms service"
FROM reads r
	JOIN fig ml ON ml.ord = r.ord AND ml.who = 'member' AND ml.orgs = :lo
	JOIN fig sl ON sl.ord = r.ord AND sl.who = 'service' AND sl.orgs = :lo
	JOIN fig mh ON mh.ord = r.ord AND mh.who = 'member' AND mh.orgs = :hi
	JOIN fig sh ON sh.ord = r.ord AND sh.who = 'service' AND sh.orgs = :hi
ORDER BY r.ord;
SELECT 'big/small' AS upkeep, round(h.maint_ms / nullif(l.maint_ms, 0), 2) AS "run_maintenance() time",
	round(h.refresh_ms / nullif(l.refresh_ms, 0), 2) AS "refresh_daily_usage() time",
	round(h.refresh_bufs::numeric / nullif(l.refresh_bufs, 0), 2) AS "refresh_daily_usage() buffers"
FROM upkeep l, upkeep h WHERE l.orgs = :lo AND h.orgs = :hi;
SQL
echo "done ($(elapsed))"
