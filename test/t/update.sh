#!/usr/bin/env bash
# ALTER EXTENSION fenta UPDATE, from every released version to the newest:
# for each version with a full install script in sql/, create the extension
# at that version in a fresh database, fill every table, update, and check
# that (1) no row was lost or changed and (2) the catalog of the updated
# extension equals that of a fresh install of the newest version.
# Runs inside pg_virtualenv (test/run.sh).
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
newest=$(sed -n "s/^default_version = '\(.*\)'/\1/p" fenta.control)
# META.json announces the same version, twice (distribution and extension)
meta=$(grep -c "\"version\": \"$newest\"" META.json)
[ "$meta" = 2 ] || { echo "META.json does not announce version $newest twice"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
catalog() {
	q -At -d "$1" -c '\i test/catalog.sql' \
		-c "SELECT kind || ' ' || object || ': ' || detail FROM pg_temp.fenta_catalog()" >"$2"
}
newdb() {
	dropdb --if-exists "$1"
	createdb "$1"
	q -d "$1" -f sql/supabase_auth.sql >/dev/null
}

# check_quota (where the version has it; the module is the newest) tells
# soft-deleted orgs (false) from the others
check_deleted() {
	local wrong
	[ "$(q -At -d "$1" -c "SELECT to_regprocedure('public.check_quota(uuid, bigint, bigint, bigint)') IS NOT NULL")" = t ] || return 0
	wrong=$(q -At -d "$1" -c "SELECT string_agg(o.slug, ' ') FROM public.orgs o JOIN public.quota_limits l ON l.org_id = o.id
		WHERE public.check_quota(o.id, 0, 0, 0) = (o.deleted_at IS NOT NULL)")
	[ -z "$wrong" ] || { echo "$2: check_quota wrong for: $wrong"; fail=1; }
}

# the data every database gets: the fixture and a soft-deleted org
load_data() {
	q -d "$1" -f test/fixture.sql >/dev/null
	q -d "$1" -c "INSERT INTO public.orgs (id, name, slug, owner_id) VALUES
		('10000000-0000-4000-8000-00000000000d', 'Org D', 'org-d', '00000000-0000-4000-8000-0000000000d1')" \
		-c "UPDATE public.orgs SET deleted_at = now() WHERE id = '10000000-0000-4000-8000-00000000000d'"
	# usage in earlier days and months (no quota amounts: the counters of
	# the period do not change), then the daily usage refreshed
	q -d "$1" -c "INSERT INTO public.usage_records (org_id, resource_type, cost_usd, created_at)
		SELECT o, 'llm_tokens', 0.25, now() - make_interval(days => d)
		FROM unnest(ARRAY['10000000-0000-4000-8000-00000000000a', '10000000-0000-4000-8000-00000000000b']::uuid[]) o,
			unnest(ARRAY[1, 1, 40, 70]) d" \
		-c "SELECT fenta.refresh_daily_usage()" >/dev/null
}

# public.usage_daily equals the full recomputation over usage_records after
# a refresh (0.5.0: the update migrates the history once)
daily_exact() {
	local n
	n=$(q -At -d "$1" -c "SELECT fenta.refresh_daily_usage()" -c "
		WITH f AS (SELECT org_id, (created_at AT TIME ZONE 'UTC')::date AS day, resource_type, count(*) AS events,
				sum(llm_tokens_prompt + llm_tokens_output)::bigint AS tokens, sum(kai_credits)::bigint AS k,
				sum(render_seconds)::bigint AS r, sum(storage_bytes)::bigint AS s, sum(cost_usd) AS c
			FROM public.usage_records GROUP BY 1, 2, 3),
		d AS (SELECT org_id, day, resource_type, events, tokens, kai_credits, render_seconds, storage_bytes, cost_usd
			FROM public.usage_daily)
		SELECT count(*) FROM ((SELECT * FROM f EXCEPT ALL SELECT * FROM d) UNION ALL (SELECT * FROM d EXCEPT ALL SELECT * FROM f)) x" | tail -n 1)
	if [ "$n" = 0 ] && [ "$(q -At -d "$1" -c 'SELECT count(DISTINCT day) >= 3 FROM public.usage_daily')" = t ]; then
		echo "$2: daily usage equals the recomputation over usage_records"
	else
		echo "$2: daily usage differs from the recomputation in $n row(s)"; fail=1
	fi
}

# The quota state of every org, one line each: limits, overage prices and
# settings, exact counters, whether they equal the usage rows of the period
# (created_at >= reset_at - 1 month; storage: all rows), whether the copy of
# deleted_at is right, and check_quota's answers to a few requests.
quota_state() {
	q -At -d "$1" >"$2" <<'SQL'
SELECT concat_ws(' ', o.slug, 'limits', l.tokens_limit, l.kai_credits_limit, l.render_seconds_limit, l.storage_bytes_limit,
	'prices', l.price_per_1k_tokens_usd, l.price_per_kai_credit_usd, l.price_per_render_second_usd,
	'overage', l.allow_overage, l.overage_cap_usd,
	'used', u.tokens, u.kai_credits, u.render_seconds, u.storage_bytes, l.kai_credits_from_packs,
	'reserved', l.reserved_tokens, l.reserved_kai_credits, l.reserved_render_seconds,
	'rows', (u.tokens, u.kai_credits, u.render_seconds, u.storage_bytes) = (r.tokens, r.kai_credits, r.render_seconds, r.storage_bytes),
	'copy', l.org_deleted_at IS NOT DISTINCT FROM o.deleted_at,
	'check', public.check_quota(o.id), public.check_quota(o.id, 50000), public.check_quota(o.id, 5000000000),
	public.check_quota(o.id, 0, 40), public.check_quota(o.id, 0, 5000000), public.check_quota(o.id, 0, 0, 500),
	public.check_quota(o.id, 0, 0, 500000000))
FROM public.orgs o JOIN public.quota_limits l ON l.org_id = o.id, fenta.quota_usage(o.id) u,
	LATERAL (SELECT coalesce(sum(x.llm_tokens_prompt + x.llm_tokens_output) FILTER (WHERE x.created_at >= l.reset_at - interval '1 month'), 0) AS tokens,
				coalesce(sum(x.kai_credits) FILTER (WHERE x.created_at >= l.reset_at - interval '1 month'), 0) AS kai_credits,
				coalesce(sum(x.render_seconds) FILTER (WHERE x.created_at >= l.reset_at - interval '1 month'), 0) AS render_seconds,
				coalesce(sum(x.storage_bytes), 0) AS storage_bytes
			 FROM public.usage_records x WHERE x.org_id = o.id) r
ORDER BY o.slug;
SQL
}

# ALTER TABLE ... ADD COLUMN ... DEFAULT works on every fenta table (rolled back)
add_column_default() {
	local err
	if ! err=$(q -d "$1" 2>&1 <<'SQL'
BEGIN;
DO $$
DECLARE
	t regclass;
BEGIN
	FOR t IN SELECT c.oid FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
			 JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'fenta'
			 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relnamespace = 'public'::regnamespace LOOP
		EXECUTE format('ALTER TABLE %s ADD COLUMN update_check_added integer NOT NULL DEFAULT 7', t);
	END LOOP;
END
$$;
ROLLBACK;
SQL
	); then
		echo "$2: ADD COLUMN ... DEFAULT refused: $err"; fail=1
	fi
}

# the reference: a fresh install of the newest version, with the same data
newdb upd_fresh
q -d upd_fresh -c "CREATE EXTENSION fenta VERSION '$newest' CASCADE"
catalog upd_fresh "$work/fresh.txt"
q -At -d upd_fresh -c "SELECT object_type || ' ' || object_identity FROM fenta.guarded_objects ORDER BY 1" >"$work/fresh.guard"
echo "fresh $newest: $(wc -l <"$work/fresh.txt") catalog facts"
load_data upd_fresh
quota_state upd_fresh "$work/fresh.quota"
grep -q 'rows t copy t' "$work/fresh.quota" && ! grep -Eq 'rows f|copy f' "$work/fresh.quota" \
	|| { echo "fresh $newest: counters or copies wrong:"; cat "$work/fresh.quota"; fail=1; }
add_column_default upd_fresh "fresh $newest"

versions=$(ls sql/fenta--*.sql | sed -n 's/^sql\/fenta--\([0-9.]*\)\.sql$/\1/p' | sort -V)
for v in $versions; do
	db="upd_${v//./_}"
	newdb "$db"
	q -d "$db" -c "CREATE EXTENSION fenta VERSION '$v' CASCADE"
	load_data "$db"
	# a fingerprint of every table's rows, over the columns it has now
	q -d "$db" <<'SQL'
CREATE SCHEMA update_check;
CREATE FUNCTION update_check.fingerprint(tbl regclass, cols text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE format('SELECT count(*) || '' '' || coalesce(md5(string_agg(x, E''\n'' ORDER BY x)), '''')
					FROM (SELECT ROW(%s)::text AS x FROM ONLY %s) s',
				   (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cols) c), tbl) INTO r;
	RETURN r;
END
$$;
CREATE TABLE update_check.before AS
SELECT c.oid::regclass AS tbl,
	array_agg(a.attname::text ORDER BY a.attnum) AS cols
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
	-- the quota state of quota_limits is compared with a fresh install instead
	AND NOT (c.oid = 'public.quota_limits'::regclass
			 AND a.attname ~ '^(.*_limit|.*_used|kai_credits_from_packs|price_.*|allow_overage|overage_cap_usd)$')
GROUP BY c.oid;
ALTER TABLE update_check.before ADD COLUMN fingerprint text;
UPDATE update_check.before SET fingerprint = update_check.fingerprint(tbl, cols);
SQL
	empty=$(q -At -d "$db" -c "SELECT string_agg(tbl::text, ' ') FROM update_check.before WHERE fingerprint LIKE '0 %' AND tbl::text <> 'usage_records_default' OR fingerprint IS NULL")
	[ -z "$empty" ] || { echo "$v: fixture left tables empty: $empty"; fail=1; }
	path=$(q -At -d "$db" -c "SELECT path FROM pg_extension_update_paths('fenta') WHERE source = '$v' AND target = '$newest'")
	if [ "$v" != "$newest" ] && [ -z "$path" ]; then
		echo "$v: no update path to $newest"; fail=1; continue
	fi
	check_deleted "$db" "$v, before the update"
	# a customer's own objects on fenta's tables, there before the update
	q -d "$db" -c "CREATE INDEX upd_customer_idx ON public.jobs (created_at)" \
		-c "CREATE POLICY upd_customer_pol ON public.integrations AS RESTRICTIVE FOR SELECT TO authenticated USING (true)"
	q -d "$db" -c "ALTER EXTENSION fenta UPDATE"
	got=$(q -At -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'fenta'")
	[ "$got" = "$newest" ] || { echo "$v: updated to $got, not $newest"; fail=1; }
	changed=$(q -At -d "$db" -c "SELECT string_agg(tbl::text, ' ') FROM update_check.before WHERE fingerprint IS DISTINCT FROM update_check.fingerprint(tbl, cols)")
	if [ -n "$changed" ]; then
		echo "$v: rows lost or changed by the update in: $changed"; fail=1
	fi
	check_deleted "$db" "$v, after the update"
	daily_exact "$db" "$v, after the update"
	quota_state "$db" "$work/$v.quota"
	if ! diff -u --label "fresh $newest" --label "updated from $v" "$work/fresh.quota" "$work/$v.quota"; then
		echo "$v: the quota state differs from a fresh install with the same data"; fail=1
	else
		echo "$v -> $newest: quota state (limits, prices, counters = rows, check_quota) as in a fresh install"
	fi
	add_column_default "$db" "$v, after the update"
	# the drop guard's registry is that of a fresh install: the customer's
	# objects are not taken for fenta's; they are kept for dumps, and drop
	q -At -d "$db" -c "SELECT object_type || ' ' || object_identity FROM fenta.guarded_objects ORDER BY 1" >"$work/$v.guard"
	if ! diff -q "$work/fresh.guard" "$work/$v.guard" >/dev/null; then
		echo "$v: the drop guard's registry differs from a fresh install's:"
		diff "$work/fresh.guard" "$work/$v.guard" | head -20; fail=1
	fi
	[ "$(q -At -d "$db" -c "SELECT count(*) FROM fenta.customer_objects WHERE object_identity IN ('public.upd_customer_idx', 'upd_customer_pol on public.integrations')")" = 2 ] \
		|| { echo "$v: the customer's objects are not listed in fenta.customer_objects"; fail=1; }
	q -d "$db" -c "DROP INDEX public.upd_customer_idx" -c "DROP POLICY upd_customer_pol ON public.integrations" \
		|| { echo "$v: the customer's objects cannot be dropped after the update"; fail=1; }
	catalog "$db" "$work/$v.txt"
	if ! diff -u --label "fresh $newest" --label "updated from $v" "$work/fresh.txt" "$work/$v.txt" >"$work/$v.diff"; then
		echo "$v: the updated catalog differs from a fresh install:"
		head -n 200 "$work/$v.diff"
		fail=1
	else
		echo "$v -> $newest (path ${path:-none}): rows kept, catalog identical"
	fi
	q -d "$db" -c "INSERT INTO public.usage_records (org_id, resource_type, render_seconds, created_at)
		VALUES ('10000000-0000-4000-8000-00000000000a', 'render_seconds', 7, now() - interval '2 days')"
	daily_exact "$db" "$v, after the update and one more row"
	dropdb "$db"
done

# The copy of orgs.deleted_at cannot be made to differ on the newest version:
# a quota row moved to another org, a BEFORE trigger that sets deleted_at
q -d upd_fresh >/dev/null <<'SQL'
UPDATE public.quota_limits SET org_id = '10000000-0000-4000-8000-00000000000c'
WHERE org_id = '10000000-0000-4000-8000-00000000000d';
CREATE FUNCTION public.update_check_close() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.name = 'closed' THEN NEW.deleted_at := now(); END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER update_check_close BEFORE UPDATE ON public.orgs FOR EACH ROW EXECUTE FUNCTION public.update_check_close();
UPDATE public.orgs SET name = 'closed' WHERE id = '10000000-0000-4000-8000-00000000000b';
SQL
wrong=$(q -At -d upd_fresh -c "SELECT string_agg(o.slug, ' ') FROM public.orgs o JOIN public.quota_limits l ON l.org_id = o.id
	WHERE l.org_deleted_at IS DISTINCT FROM o.deleted_at")
if [ -n "$wrong" ]; then
	echo "fresh $newest: quota_limits.org_deleted_at differs from orgs.deleted_at for: $wrong"; fail=1
else
	echo "fresh $newest: org_deleted_at follows a quota row moved to another org and a deleted_at set by a trigger"
fi
check_deleted upd_fresh "fresh $newest, after the attempts to make the copy differ"

# An org soft-deleted while the update from 0.2.0 runs: the session commits
# once the update waits for it (on the trigger it creates on orgs), after the
# released 0.2.0 -> 0.3.0 script copied deleted_at without it.
newdb upd_race
q -d upd_race -c "CREATE EXTENSION fenta VERSION '0.2.0' CASCADE"
load_data upd_race
q -d upd_race >"$work/race.out" 2>&1 <<'SQL' &
BEGIN;
UPDATE public.orgs SET deleted_at = now() WHERE slug = 'org-b';
UPDATE public.orgs SET deleted_at = NULL WHERE slug = 'org-d';
DO $$
BEGIN
	FOR i IN 1..6000 LOOP
		EXIT WHEN EXISTS (SELECT FROM pg_stat_activity a WHERE a.datname = current_database()
						  AND a.wait_event_type = 'Lock' AND a.query LIKE 'ALTER EXTENSION%');
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$;
COMMIT;
SQL
racer=$!
until [ "$(q -At -d upd_race -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'upd_race' AND state = 'active' AND query LIKE 'DO %'")" = 1 ]; do
	kill -0 $racer 2>/dev/null || break
	sleep 0.05
done
q -d upd_race -c "ALTER EXTENSION fenta UPDATE"
wait $racer || { echo "race: the soft-deleting session failed:"; cat "$work/race.out"; fail=1; }
wrong=$(q -At -d upd_race -c "SELECT string_agg(o.slug, ' ') FROM public.orgs o JOIN public.quota_limits l ON l.org_id = o.id
	WHERE l.org_deleted_at IS DISTINCT FROM o.deleted_at")
if [ -n "$wrong" ]; then
	echo "0.2.0 -> $newest with an org soft-deleted and one restored during the update: wrong copy for: $wrong"; fail=1
else
	echo "0.2.0 -> $newest with an org soft-deleted and one restored during the update: copies right"
fi
check_deleted upd_race "0.2.0 -> $newest, soft delete during the update"
dropdb upd_race

exit $fail
