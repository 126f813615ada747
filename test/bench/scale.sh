#!/usr/bin/env bash
# Benchmark: the API reads cost what the tenant's rows cost, not what the
# table holds (issue 12; not part of the test suite).
#
# Builds 1,000 orgs, measures, grows to 10,000 orgs, measures again.  Every
# org looks the same: 3 members, 5 projects, 10 workflows, 200 jobs over the
# last 90 days (10% failed, 2% soft-deleted), 100 usage records over the
# last 90 days (denser towards now: age = 90 days x (k/100)^2, so about 17
# per org in the current month), plan pro.  200,000 jobs and 100,000 usage
# rows at 1,000 orgs; 2,000,000 and 1,000,000 at 10,000.  Rows of all orgs
# are interleaved in the heap as they would arrive.  Usage records are
# inserted with every trigger on (the quota counters stay exact); jobs,
# workflows and projects with session_replication_role = replica (they have
# no insert trigger but their foreign key checks, and the data is made
# consistent).  VACUUM ANALYZE after each growth.
#
# For each size and each read, as a member of 3 orgs under RLS (SET ROLE
# authenticated, request.jwt.claims) and as service_role with the orgs
# written out (org_id IN (...)):
#   buffers: shared hit + read of the top plan node of EXPLAIN (ANALYZE,
#     BUFFERS, FORMAT JSON), third run on one connection (warm caches and
#     plans; policy functions and InitPlans included);
#   latency: median of every execution of pgbench -n -M prepared -c 1 for
#     BENCH_SECONDS seconds (default 3), from its per-transaction log.
# The reads: jobs newest 20, job by id, failed jobs newest 20, workflows
# newest 20, usage records of this month, public.daily_usage() of an org
# for the last 30 days, public.check_quota(org, 1000, 0, 0).
# Then, at each size: 10,000 new usage rows and one timed CALL
# fenta.run_maintenance(); 10,000 more and SELECT fenta.refresh_daily_usage()
# under EXPLAIN (ANALYZE, BUFFERS): time and shared buffers.  (Before the
# reads, one unmeasured run brings mv_daily_usage up to date.)
# Prints a table per size, then member / service and 10,000 / 1,000 orgs
# ratios (near 1, not growing with size, is the goal).
#
# Usage: bash test/bench/scale.sh (after make install into the PostgreSQL
# of PG_CONFIG or PGBIN, default the system's, or FENTA_DESTDIR; e.g.
#   make PG_CONFIG=/tmp/pg/usr/lib/postgresql/15/bin/pg_config install
#   PG_CONFIG=/tmp/pg/usr/lib/postgresql/15/bin/pg_config bash test/bench/scale.sh
# ).  BENCH_PORT (default 55445), BENCH_SECONDS (default 3), SCALE_SIZES
# (org counts, ascending, default "1000 10000").  About 10 minutes on
# 2 cores; needs about 3 GB of disk.  The cluster: test/bench/lib.sh.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/bench/lib.sh
secs=${BENCH_SECONDS:-3}
read -r -a sizes <<<"${SCALE_SIZES:-1000 10000}"
work=$(mktemp -d "${TMPDIR:-/tmp}/fenta-bench.XXXXXX")
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown postgres "$work"
trap 'rm -rf "$work"; bench_cleanup' EXIT
bench_cluster "${BENCH_PORT:-55445}" "work_mem = 64MB" "maintenance_work_mem = 256MB"
q() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
started=$(date +%s)
elapsed() { echo "$(($(date +%s) - started)) s"; }
echo "fsync = $(q -At -c 'SHOW fsync'), server $(q -At -c 'SHOW server_version'), fenta $(q -At -c "SELECT extversion FROM pg_extension WHERE extname = 'fenta'")"

member=e0000000-0000-4000-8000-000000000001
claims="{\"sub\":\"$member\",\"role\":\"authenticated\"}"
q <<SQL
CREATE SCHEMA bench;
CREATE FUNCTION bench.org(i int) RETURNS uuid LANGUAGE sql IMMUTABLE AS
\$\$ SELECT ('c0000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid \$\$;
CREATE FUNCTION bench.filler(i int) RETURNS uuid LANGUAGE sql IMMUTABLE AS
\$\$ SELECT ('f0000000-0000-4000-8000-' || lpad(to_hex(i % 50 + 1), 12, '0'))::uuid \$\$;
INSERT INTO auth.users (id, email)
SELECT bench.filler(u), 'filler' || u || '@scale.test' FROM generate_series(0, 49) u;
INSERT INTO auth.users (id, email) VALUES ('$member', 'member@scale.test');
-- the months of the last 90 days and the next one
SELECT months_created FROM fenta.maintain_partitions(months_ahead => 4, refresh_usage => false,
	as_of => now() - interval '85 days');

-- orgs lo..hi, rows of all orgs interleaved (g % n is the org)
CREATE FUNCTION bench.grow(lo int, hi int) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
	n int := hi - lo + 1;
BEGIN
	-- triggers on: owner membership, quota_limits
	INSERT INTO public.orgs (id, name, slug, owner_id, plan)
	SELECT bench.org(i), 'Org ' || i, 'scale-org-' || i, bench.filler(i), 'pro'
	FROM generate_series(lo, hi) i;
	INSERT INTO public.org_members (org_id, user_id, role)
	SELECT bench.org(i), bench.filler(i + k), 'editor'
	FROM generate_series(lo, hi) i, generate_series(1, 2) k;
	SET LOCAL session_replication_role = replica;
	INSERT INTO public.projects (org_id, name, created_at)
	SELECT bench.org(lo + g % n), 'P' || g / n, now() - make_interval(hours => g / n * 100 + g % n % 60)
	FROM generate_series(0, 5 * n - 1) g;
	INSERT INTO public.workflows (org_id, name, updated_at, created_at)
	SELECT bench.org(lo + g % n), 'W' || g / n, now() - make_interval(hours => g / n * 50, secs => g % n % 3600),
		now() - make_interval(hours => g / n * 100, secs => g % n % 3600)
	FROM generate_series(0, 10 * n - 1) g;
	INSERT INTO public.jobs (org_id, status, progress, created_at, queued_at, started_at, completed_at, updated_at,
		deleted_at, cost_tokens, cost_render_seconds)
	SELECT bench.org(lo + g % n), CASE WHEN j % 10 = 3 THEN 'failed' ELSE 'completed' END::public.job_status, 100,
		t, t, t, t + interval '1 minute', t + interval '1 minute', CASE WHEN j % 50 = 7 THEN t + interval '1 hour' END,
		1000 + j, j % 90
	FROM generate_series(0, 200 * n - 1) g,
		LATERAL (SELECT g / n AS j) jj,
		LATERAL (SELECT now() - make_interval(secs => jj.j * 38880 + g % n % 3600) AS t) tt;
	SET LOCAL session_replication_role = origin;
	-- usage: every trigger on
	INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits,
		render_seconds, storage_bytes, cost_usd, created_at)
	SELECT bench.org(lo + g % n), (ARRAY['llm_tokens', 'kai_credits', 'render_seconds', 'storage'])[k % 4 + 1]::public.resource_type,
		CASE WHEN k % 4 = 0 THEN 500 + k ELSE 0 END, CASE WHEN k % 4 = 0 THEN 200 ELSE 0 END,
		CASE WHEN k % 4 = 1 THEN 2 ELSE 0 END, CASE WHEN k % 4 = 2 THEN 30 ELSE 0 END,
		CASE WHEN k % 4 = 3 THEN 100000 ELSE 0 END, 0.001,
		now() - make_interval(secs => (7776000 * (k / 100.0) ^ 2)::int + g % n % 600)
	FROM generate_series(0, 100 * n - 1) g, LATERAL (SELECT g / n AS k) kk;
END
\$\$;

-- n new usage rows over orgs 4..orgs (not the member's: their reads stay
-- the same at every size), now
CREATE FUNCTION bench.new_usage(orgs int, n int) RETURNS void LANGUAGE sql AS \$\$
	INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, created_at)
	SELECT bench.org(4 + g % (orgs - 3)), 'llm_tokens', 100, 50, now() FROM generate_series(0, n - 1) g
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
CREATE TABLE bench.stmts (ord int, who text, sql text, PRIMARY KEY (ord, who));
CREATE FUNCTION bench.fill_stmts() RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
	orgs text := (SELECT string_agg(quote_literal(bench.org(i)), ', ') FROM generate_series(1, 3) i);
	org text := quote_literal(bench.org(2));
	job text := (SELECT quote_literal(id) FROM public.jobs WHERE org_id = bench.org(2) AND status = 'failed'
				 ORDER BY created_at LIMIT 1);
BEGIN
	DELETE FROM bench.stmts;
	INSERT INTO bench.stmts SELECT ord, 'member', format(member, orgs, org, job) FROM bench.reads;
	INSERT INTO bench.stmts SELECT ord, 'service', format(service, orgs, org, job) FROM bench.reads;
END
\$\$;
CREATE TABLE bench.result (orgs int, ord int, who text, bufs bigint, rows bigint, ms numeric, PRIMARY KEY (orgs, ord, who));
CREATE TABLE bench.upkeep (orgs int PRIMARY KEY, maint_ms numeric, refresh_ms numeric, refresh_bufs bigint);

-- buffers of every read, third run on this connection
CREATE FUNCTION bench.measure(orgs int) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
	s record;
	p json;
BEGIN
	FOR s IN SELECT * FROM bench.stmts ORDER BY ord, who LOOP
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
		INSERT INTO bench.result (orgs, ord, who, bufs, rows) VALUES (orgs, s.ord, s.who,
			(p -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::bigint + (p -> 0 -> 'Plan' ->> 'Shared Read Blocks')::bigint,
			(p -> 0 -> 'Plan' ->> 'Actual Rows')::bigint);
	END LOOP;
	PERFORM set_config('request.jwt.claims', '', false);
END
\$\$;
SQL

# median latency of one statement in ms: pgbench, prepared, 1 client
median_ms() { # who sql
	local opts
	if [ "$1" = member ]; then
		opts="-c role=authenticated -c request.jwt.claims=$claims"
	else
		opts="-c role=service_role"
	fi
	printf '%s;\n' "$2" >"$work/read.sql"
	rm -f "$work"/lat.*
	(cd "$work" && PGOPTIONS="$opts" pgbench -n -M prepared -c 1 -T "$secs" -f read.sql -l --log-prefix=lat bench >"$work/pgbench.out" 2>&1) ||
		{ cat "$work/pgbench.out" >&2; return 1; }
	# log: client, transaction, latency (us), ...
	cat "$work"/lat.* | awk '{ print $3 }' | sort -n |
		awk '{ a[NR] = $1 } END { printf "%.3f", ((NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) / 1000 }'
}

timed_ms() { # sql: psql's \timing of one statement
	q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}

prev=0
for n in "${sizes[@]}"; do
	echo
	echo "== $n orgs: growing from $prev ($(elapsed)) =="
	q -c "SELECT bench.grow($((prev + 1)), $n)" >/dev/null
	if [ "$prev" = 0 ]; then
		q -c "INSERT INTO public.org_members (org_id, user_id, role) VALUES
			(bench.org(1), '$member', 'admin'), (bench.org(2), '$member', 'editor'), (bench.org(3), '$member', 'viewer')" \
			-c "SELECT bench.fill_stmts()" >/dev/null
	fi
	q -c "CHECKPOINT" -c "VACUUM ANALYZE" >/dev/null
	# brings mv_daily_usage up to date (unmeasured)
	q -c "CALL fenta.run_maintenance()" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
	q -At -F ' ' -c "SELECT 'orgs', (SELECT count(*) FROM public.orgs), 'jobs', (SELECT count(*) FROM public.jobs),
		'usage_records', (SELECT count(*) FROM public.usage_records),
		'of which this month', (SELECT count(*) FROM public.usage_records WHERE created_at >= date_trunc('month', now())),
		'mv_daily_usage', (SELECT count(*) FROM fenta.mv_daily_usage),
		'database', pg_size_pretty(pg_database_size('bench'))"
	echo "built ($(elapsed)); measuring buffers and latency (${secs}s per read and role)"
	q -c "SELECT bench.measure($n)" >/dev/null
	while IFS='|' read -r ord who sql; do
		ms=$(median_ms "$who" "$sql")
		q -c "UPDATE bench.result SET ms = $ms WHERE orgs = $n AND ord = $ord AND who = '$who'"
	done < <(q -At -c "SELECT ord, who, sql FROM bench.stmts ORDER BY ord, who")
	# upkeep: maintenance after 10,000 new usage rows, then the refresh after 10,000 more
	q -c "SELECT bench.new_usage($n, 10000)" -c "CHECKPOINT" >/dev/null
	maint=$(timed_ms "CALL fenta.run_maintenance()")
	q -c "SELECT bench.new_usage($n, 10000)" -c "CHECKPOINT" >/dev/null
	q -At -c "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT fenta.refresh_daily_usage()" >"$work/refresh.json"
	q -v j="$(tr -d '\n' <"$work/refresh.json")" -v m="$maint" -v n="$n" >/dev/null <<'SQL'
INSERT INTO bench.upkeep SELECT :n, :m, round((p -> 0 ->> 'Execution Time')::numeric, 1),
	(p -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::bigint + (p -> 0 -> 'Plan' ->> 'Shared Read Blocks')::bigint
FROM (SELECT :'j'::json AS p) s;
SQL
	q -c "VACUUM ANALYZE" >/dev/null
	echo "-- $n orgs ($(elapsed)): shared buffers (hit + read) and median latency per request"
	q -v n="$n" <<'SQL'
SELECT r.name AS read, m.rows AS member_rows, s.rows AS service_rows,
	m.bufs AS member_bufs, s.bufs AS service_bufs, round(m.bufs::numeric / nullif(s.bufs, 0), 2) AS bufs_ratio,
	m.ms AS member_ms, s.ms AS service_ms, round(m.ms / nullif(s.ms, 0), 2) AS ms_ratio
FROM bench.reads r
	JOIN bench.result m ON m.ord = r.ord AND m.who = 'member' AND m.orgs = :n
	JOIN bench.result s ON s.ord = r.ord AND s.who = 'service' AND s.orgs = :n
ORDER BY r.ord;
SELECT orgs, round(maint_ms) AS "CALL fenta.run_maintenance() ms", refresh_ms AS "refresh_daily_usage() ms",
	refresh_bufs AS "refresh_daily_usage() buffers"
FROM bench.upkeep WHERE orgs = :n;
SQL
	prev=$n
done

if [ "${#sizes[@]}" -ge 2 ]; then
	lo=${sizes[0]}
	hi=${sizes[${#sizes[@]} - 1]}
	echo
	echo "== comparison: member / service at each size, $hi / $lo orgs for each role ($(elapsed)) =="
	q -v lo="$lo" -v hi="$hi" <<'SQL'
SELECT r.name AS read,
	round(ml.bufs::numeric / nullif(sl.bufs, 0), 2) AS "m/s bufs small",
	round(mh.bufs::numeric / nullif(sh.bufs, 0), 2) AS "m/s bufs big",
	round(ml.ms / nullif(sl.ms, 0), 2) AS "m/s ms small",
	round(mh.ms / nullif(sh.ms, 0), 2) AS "m/s ms big",
	round(mh.bufs::numeric / nullif(ml.bufs, 0), 2) AS "big/small bufs member",
	round(sh.bufs::numeric / nullif(sl.bufs, 0), 2) AS "big/small bufs service",
	round(mh.ms / nullif(ml.ms, 0), 2) AS "big/small ms member",
	round(sh.ms / nullif(sl.ms, 0), 2) AS "big/small ms service"
FROM bench.reads r
	JOIN bench.result ml ON ml.ord = r.ord AND ml.who = 'member' AND ml.orgs = :lo
	JOIN bench.result sl ON sl.ord = r.ord AND sl.who = 'service' AND sl.orgs = :lo
	JOIN bench.result mh ON mh.ord = r.ord AND mh.who = 'member' AND mh.orgs = :hi
	JOIN bench.result sh ON sh.ord = r.ord AND sh.who = 'service' AND sh.orgs = :hi
ORDER BY r.ord;
SELECT 'big/small' AS upkeep, round(h.maint_ms / nullif(l.maint_ms, 0), 2) AS "run_maintenance() time",
	round(h.refresh_ms / nullif(l.refresh_ms, 0), 2) AS "refresh_daily_usage() time",
	round(h.refresh_bufs::numeric / nullif(l.refresh_bufs, 0), 2) AS "refresh_daily_usage() buffers"
FROM bench.upkeep l, bench.upkeep h WHERE l.orgs = :lo AND h.orgs = :hi;
SQL
fi
echo "done ($(elapsed))"
