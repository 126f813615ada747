#!/usr/bin/env bash
# Crash test of the quota engine: a private cluster (fsync on) under a
# concurrent usage load (pgbench, 8 clients: multi-row inserts for several
# orgs, KIE.ai credits drawn from packs, idempotency keys, rollups running in
# between) is killed with SIGKILL (postmaster and backends), restarted, and
# every org's exact counters must equal the sums of its committed usage rows;
# the credits drawn from packs must equal the packs' lost credits.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/t/lib.sh
port=${QUOTA_CRASH_PORT:-55461}
# a private install (extension_destdir) of the suite's cluster is used here too
destdir=$(psql -X -At -d postgres -c "SELECT setting FROM pg_settings WHERE name = 'extension_destdir'" 2>/dev/null || true)
conf=()
[ -n "$destdir" ] && conf+=("extension_destdir = '$destdir'")
trap 'private_cluster_stop' EXIT
private_cluster "$port" "${conf[@]}"
work=$PRIVATE_DIR
q() { psql -X -q -v ON_ERROR_STOP=1 -d crash "$@"; }
createdb crash
q -f sql/supabase_auth.sql >/dev/null 2>&1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE"
q <<'SQL'
INSERT INTO auth.users (id, email) VALUES ('e1000000-0000-4000-8000-0000000000c1', 'crash@quota.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan)
SELECT ('e2000000-0000-4000-8000-0000000000c' || n)::uuid, 'Crash ' || n, 'quota-crash-' || n,
	'e1000000-0000-4000-8000-0000000000c1', 'pro'
FROM generate_series(1, 5) n;
UPDATE public.quota_limits SET kai_credits_limit = 1000;
INSERT INTO public.credit_packs (org_id, pack_type, credits_purchased, credits_remaining, expires_at)
SELECT o.id, 'crash', 1000000, 1000000, now() + (k || ' days')::interval
FROM public.orgs o, generate_series(1, 3) k;
SQL
cat >"$work/load.sql" <<'SQL'
\set o random(1, 5)
\set p random(1, 5)
\set n random(1, 20)
BEGIN;
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, render_seconds, storage_bytes, idempotency_key)
SELECT ('e2000000-0000-4000-8000-0000000000c' || CASE WHEN g % 2 = 0 THEN :o ELSE :p END)::uuid, 'llm_tokens',
	g, 2 * g, g % 4, g % 3, g - 10, CASE WHEN g % 5 = 0 THEN 'k' || (random() * 1000)::int END
FROM generate_series(1, :n) g;
INSERT INTO public.usage_records (org_id, resource_type, kai_credits, render_seconds)
VALUES (('e2000000-0000-4000-8000-0000000000c' || :p)::uuid, 'kai_credits', :n, 1);
COMMIT;
SQL
pgbench -n -c 8 -j 8 -T 30 -f "$work/load.sql" crash >"$work/pgbench.log" 2>&1 &
bench=$!
( while sleep 0.3; do psql -X -q -d crash -c "SELECT fenta.rollup_quota_counters()" >/dev/null 2>&1 || break; done ) &
roller=$!
sleep 6
pm=$(head -n 1 "$PRIVATE_DIR/data/postmaster.pid")
# a stopped postmaster forks no backend between the listing and the kill (an
# orphan backend would keep a client of the roller waiting forever)
kill -STOP "$pm"
children=$(pgrep -P "$pm" || true)
echo "killing postmaster $pm and its children with SIGKILL"
kill -9 "$pm" $children
wait "$bench" || true
wait "$roller" || true
# the old processes must be gone before the restart
for _ in $(seq 1 100); do
	alive=0
	for pid in $pm $children; do kill -0 "$pid" 2>/dev/null && alive=1; done
	[ "$alive" = 0 ] && break
	sleep 0.1
done
if ! as_postgres "$PGBIN/pg_ctl" -D "$PRIVATE_DIR/data" -l "$PRIVATE_DIR/log" -w start >/dev/null; then
	tail -n 30 "$PRIVATE_DIR/log"
	exit 1
fi
grep -q "database system was interrupted\|not properly shut down" "$PRIVATE_DIR/log" && echo "crash recovery ran"
rows=$(q -At -c "SELECT count(*) FROM public.usage_records")
echo "committed usage rows after recovery: $rows"
[ "$rows" -gt 100 ] || { echo "too little load before the crash"; exit 1; }
bad=$(q -At <<'SQL'
SELECT o.slug || ': counters ' || u::text || ' rows ' || s::text
FROM public.orgs o
	CROSS JOIN LATERAL fenta.quota_usage(o.id) u
	CROSS JOIN LATERAL (SELECT coalesce(sum(r.llm_tokens_prompt + r.llm_tokens_output), 0)::bigint AS tokens,
							   coalesce(sum(r.kai_credits), 0)::bigint AS kai_credits,
							   coalesce(sum(r.render_seconds), 0)::bigint AS render_seconds,
							   coalesce(sum(r.storage_bytes), 0)::bigint AS storage_bytes
						FROM public.usage_records r WHERE r.org_id = o.id) s
WHERE o.slug LIKE 'quota-crash-%'
	AND (u.tokens, u.kai_credits, u.render_seconds, u.storage_bytes)
		IS DISTINCT FROM (s.tokens, s.kai_credits, s.render_seconds, s.storage_bytes)
UNION ALL
SELECT o.slug || ': drawn from packs ' || q.kai_credits_from_packs || ' but packs lost '
	|| (SELECT sum(p.credits_purchased - p.credits_remaining) FROM public.credit_packs p WHERE p.org_id = o.id)
FROM public.orgs o JOIN public.quota_limits q ON q.org_id = o.id
WHERE o.slug LIKE 'quota-crash-%'
	AND q.kai_credits_from_packs <> (SELECT sum(p.credits_purchased - p.credits_remaining) FROM public.credit_packs p WHERE p.org_id = o.id)
UNION ALL
SELECT o.slug || ': over the limit but not drawn: ' || q.kai_credits_used || ' used, ' || q.kai_credits_from_packs || ' from packs'
FROM public.orgs o JOIN public.quota_limits q ON q.org_id = o.id
WHERE o.slug LIKE 'quota-crash-%' AND q.kai_credits_from_packs <> greatest(0, q.kai_credits_used - q.kai_credits_limit)
UNION ALL
SELECT 'idempotency key counted twice: ' || idempotency_key
FROM public.usage_records WHERE idempotency_key IS NOT NULL GROUP BY org_id, idempotency_key HAVING count(*) > 1
SQL
)
if [ -n "$bad" ]; then
	echo "FAILED:"
	echo "$bad"
	exit 1
fi
q -At -c "SELECT 'org ' || o.slug || ': ' || u::text FROM public.orgs o, fenta.quota_usage(o.id) u WHERE o.slug LIKE 'quota-crash-%' ORDER BY 1"
echo "after the crash every org's counters equal the sums of its committed usage rows"
