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

# the reference: a fresh install of the newest version
newdb upd_fresh
q -d upd_fresh -c "CREATE EXTENSION fenta VERSION '$newest' CASCADE"
catalog upd_fresh "$work/fresh.txt"
echo "fresh $newest: $(wc -l <"$work/fresh.txt") catalog facts"

versions=$(ls sql/fenta--*.sql | sed -n 's/^sql\/fenta--\([0-9.]*\)\.sql$/\1/p' | sort -V)
for v in $versions; do
	db="upd_${v//./_}"
	newdb "$db"
	q -d "$db" -c "CREATE EXTENSION fenta VERSION '$v' CASCADE"
	q -d "$db" -f test/fixture.sql >/dev/null
	# and a soft-deleted org
	q -d "$db" -c "INSERT INTO public.orgs (id, name, slug, owner_id) VALUES
		('10000000-0000-4000-8000-00000000000d', 'Org D', 'org-d', '00000000-0000-4000-8000-0000000000d1')" \
		-c "UPDATE public.orgs SET deleted_at = now() WHERE id = '10000000-0000-4000-8000-00000000000d'"
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
	q -d "$db" -c "ALTER EXTENSION fenta UPDATE"
	got=$(q -At -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'fenta'")
	[ "$got" = "$newest" ] || { echo "$v: updated to $got, not $newest"; fail=1; }
	changed=$(q -At -d "$db" -c "SELECT string_agg(tbl::text, ' ') FROM update_check.before WHERE fingerprint IS DISTINCT FROM update_check.fingerprint(tbl, cols)")
	if [ -n "$changed" ]; then
		echo "$v: rows lost or changed by the update in: $changed"; fail=1
	fi
	check_deleted "$db" "$v, after the update"
	catalog "$db" "$work/$v.txt"
	if ! diff -u --label "fresh $newest" --label "updated from $v" "$work/fresh.txt" "$work/$v.txt" >"$work/$v.diff"; then
		echo "$v: the updated catalog differs from a fresh install:"
		head -n 200 "$work/$v.diff"
		fail=1
	else
		echo "$v -> $newest (path ${path:-none}): rows kept, catalog identical"
	fi
	dropdb "$db"
done
exit $fail
