#!/bin/bash
#
# daily_usage.sh — cost of keeping daily usage current, before (0.4.0: a
# full REFRESH MATERIALIZED VIEW [CONCURRENTLY] over usage_records) and after
# (0.5.0: the drain of the pending rows added since the last refresh).
#
# Against the server of the usual PG* variables (fenta installed in it), in a
# database of its own (dropped at the end): ORGS orgs, N usage rows over
# the last MONTHS months (bulk-loaded with triggers off, then usage_daily
# rebuilt), then:
#   1. the 0.4.0 view, re-created side by side with its old definition:
#      REFRESH CONCURRENTLY and plain REFRESH, best of REPS;
#   2. fenta.rebuild_daily_usage('-infinity') (the full recomputation);
#   3. NEW single-row INSERT statements through the API path (triggers on),
#      then fenta.drain_daily_usage(): time and rows drained, best of REPS;
#   4. the cost of the capture trigger per single-row insert: NEW inserts
#      with the trigger enabled and disabled.
#
# Settings (environment): N (200000), ORGS (1000), MONTHS (6), NEW (1000),
# REPS (3), BENCH_DB (fenta_bench_daily).
#
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
N=${N:-200000}
ORGS=${ORGS:-1000}
MONTHS=${MONTHS:-6}
NEW=${NEW:-1000}
REPS=${REPS:-3}
db=${BENCH_DB:-fenta_bench_daily}
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# ms of the last statement of a psql run with \timing
ms() { grep -o 'Time: [0-9.]*' | tail -n 1 | cut -d' ' -f2; }
best() { sort -n | head -n 1; }

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
q -f sql/supabase_auth.sql >/dev/null 2>&1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE"
q >/dev/null <<SQL
INSERT INTO auth.users (id, email)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'u' || i || '@bench.test'
FROM generate_series(1, $ORGS) i;
INSERT INTO public.orgs (id, name, slug, owner_id)
SELECT ('10000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'Org ' || i, 'org-' || i,
	('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid
FROM generate_series(1, $ORGS) i;
-- one row in each month, so that maintenance makes the months first
INSERT INTO public.usage_records (org_id, resource_type, created_at)
SELECT '10000000-0000-4000-8000-000000000001', 'storage', now() - make_interval(months => m)
FROM generate_series(0, $MONTHS) m;
SQL
q -c "CALL fenta.run_maintenance()"
q >/dev/null <<SQL
SET session_replication_role = replica;
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, render_seconds, cost_usd, created_at)
SELECT ('10000000-0000-4000-8000-' || lpad(to_hex(1 + i % $ORGS), 12, '0'))::uuid,
	(ARRAY['llm_tokens', 'kai_credits', 'render_seconds', 'storage']::public.resource_type[])[1 + i % 4],
	i % 1000, i % 300, i % 7, i % 60, 0.0001 * (i % 100),
	now() - make_interval(mins => (i * 37) % ($MONTHS * 30 * 1440))
FROM generate_series(1, $N) i;
RESET session_replication_role;
VACUUM ANALYZE public.usage_records;
SQL
rows=$(q -At -c "SELECT count(*) FROM public.usage_records")
rebuild=$( { echo '\timing on'; echo "SELECT fenta.rebuild_daily_usage('-infinity');"; } | q | ms)
days=$(q -At -c "SELECT count(*) FROM public.usage_daily")
echo "usage_records: $rows rows, $ORGS orgs, $MONTHS months; usage_daily: $days rows"
echo "rebuild_daily_usage('-infinity') (full recomputation): $rebuild ms"

# 1. the 0.4.0 materialized view, side by side
q >/dev/null <<'SQL'
CREATE MATERIALIZED VIEW public.bench_mv_daily_usage AS
SELECT u.org_id, (u.created_at AT TIME ZONE 'UTC')::date AS day, u.resource_type,
	count(*) AS events, sum(u.llm_tokens_prompt)::bigint AS llm_tokens_prompt,
	sum(u.llm_tokens_output)::bigint AS llm_tokens_output,
	sum(u.llm_tokens_prompt + u.llm_tokens_output)::bigint AS tokens,
	sum(u.kai_credits)::bigint AS kai_credits, sum(u.render_seconds)::bigint AS render_seconds,
	sum(u.storage_bytes)::bigint AS storage_bytes, sum(u.cost_usd) AS cost_usd
FROM public.usage_records u GROUP BY 1, 2, 3;
CREATE UNIQUE INDEX ON public.bench_mv_daily_usage (org_id, day, resource_type);
SQL
conc=$(for r in $(seq "$REPS"); do { echo '\timing on'; echo 'REFRESH MATERIALIZED VIEW CONCURRENTLY public.bench_mv_daily_usage;'; } | q | ms; done | best)
plain=$(for r in $(seq "$REPS"); do { echo '\timing on'; echo 'REFRESH MATERIALIZED VIEW public.bench_mv_daily_usage;'; } | q | ms; done | best)
echo "before (0.4.0): REFRESH CONCURRENTLY $conc ms, plain REFRESH $plain ms (best of $REPS)"

# 3. NEW single-row inserts, then the drain
inserts_sql() {
	cat <<SQL
DO \$\$
BEGIN
	FOR i IN 1..$NEW LOOP
		INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at)
		VALUES (('10000000-0000-4000-8000-' || lpad(to_hex(1 + i % $ORGS), 12, '0'))::uuid, 'llm_tokens', 10, now());
	END LOOP;
END
\$\$;
SQL
}
q -c "SELECT fenta.drain_daily_usage()" >/dev/null
for r in $(seq "$REPS"); do
	inserts_sql | q
	out=$( { echo '\timing on'; echo 'SELECT pending_rows, usage_rows FROM fenta.drain_daily_usage();'; } | q -At)
	echo "$(echo "$out" | ms) $(echo "$out" | grep '|')"
done | sort -n | head -n 1 | {
	read -r t d
	echo "after (0.5.0): drain of $NEW single-row inserts: $t ms (pending_rows|usage_rows $d; best of $REPS)"
}
empty=$(for r in $(seq "$REPS"); do { echo '\timing on'; echo 'SELECT fenta.drain_daily_usage();'; } | q | ms; done | best)
echo "after (0.5.0): refresh with nothing new: $empty ms"

# 4. the capture trigger's cost per insert (NEW single-row statements)
t_on=$(for r in $(seq "$REPS"); do { echo '\timing on'; inserts_sql; } | q | ms; done | best)
q -c "ALTER TABLE public.usage_records DISABLE TRIGGER usage_records_to_daily"
t_off=$(for r in $(seq "$REPS"); do { echo '\timing on'; inserts_sql; } | q | ms; done | best)
q -c "ALTER TABLE public.usage_records ENABLE TRIGGER usage_records_to_daily"
echo "$NEW single-row inserts: $t_on ms with the capture trigger, $t_off ms without (best of $REPS)"
