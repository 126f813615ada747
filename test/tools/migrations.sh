#!/bin/bash
# test/tools/migrations.sh [OUTDIR]: the migrations flavour of fenta (issue
# 13), for hosted Supabase, where no C extension can be loaded: the original
# design's eight files supabase/migrations/00001_extensions.sql ...
# 00008_indexes.sql, generated from sql/src/*.sql and the twins of the C
# functions in sql/twins/.  `make migrations` runs it; the files are
# committed, and test/t/migrations.sh fails when they are stale.
#
#   test/tools/migrations.sh --missing   lists the C functions without a twin
#
# Transformations of sql/src (doc/hosted.md says why):
# * the "\echo ... \quit" guard of the extension script is dropped;
# * every CREATE FUNCTION ... LANGUAGE c ... AS 'MODULE_PATHNAME', ...; is
#   replaced by sql/twins/<schema>.<name>.sql, or, while a function has no
#   twin, by a stub of the same signature that raises 0A000;
# * a function whose source sets no search_path gets SET search_path = ''
#   (splinter's function_search_path_mutable: nothing is an extension member
#   here, so the linter sees every function);
# * SELECT pg_catalog.pg_extension_config_dump(...) is commented out (nothing
#   is an extension member: pg_dump dumps every row anyway);
# * event trigger statements are wrapped in "-- fenta:superuser begin/end"
#   (on hosted Supabase supautils lets postgres run them; the test emulation
#   on stock PostgreSQL runs these blocks as supabase_admin);
# * sql/src/90-99 (pg_extension_config_dump list, the drop guard, the list of
#   customer objects, the guard registry) are extension machinery and left
#   out: they protect an extension's members from DROP and keep customer
#   objects across pg_dump of an extension, which do not apply here;
# * a line "-- fenta:migrations 00008_indexes" in a source file sends the rest
#   of that file to 00008_indexes.sql.
#
# Versions: the eight files are those of fenta $BASE, the first version of the
# flavour, and are frozen once fenta.control names a later version (like the
# released extension scripts).  Each later version V with update sources
# sql/update/V/ then gets one more migration, 000NN_fenta_V.sql, made from
# them with the same transformations (as ALTER EXTENSION fenta UPDATE runs
# them), numbered from 00009 in version order.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing_only=
if [ "${1:-}" = "--missing" ]; then
	missing_only=1
	shift
fi
out=${1:-supabase/migrations}
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" fenta.control)
# the version of the eight files (see above)
BASE=0.5.0

names=(00001_extensions 00002_users 00003_content 00004_jobs 00005_billing
	00006_functions 00007_rls_policies 00008_indexes)
declare -A what=(
	[00001_extensions]="the extensions fenta uses (in schema extensions), schema fenta, the auth interface check, time-ordered UUIDv7 ids and TypeIDs"
	[00002_users]="enumerations, shared helpers and triggers; profiles, orgs, org_members, api_keys and the signup trigger on auth.users"
	[00003_content]="projects, templates, workflows, workflow_versions, assets, asset_versions"
	[00004_jobs]="jobs, job_logs, renders, schedules, webhooks, webhook_deliveries, kai_generations"
	[00005_billing]="usage records (partitioned by month), quota limits, counters and checks, invoices, credit packs, integrations, daily usage, partition maintenance"
	[00006_functions]="the tenancy model's functions (membership right now) and the template gallery"
	[00007_rls_policies]="privileges and row level security of every table, membership and invitations, per-member limits, public ids, function privileges"
	[00008_indexes]="the additional indexes: org_id-leading indexes for the lists the app shows"
)

# the migration of a source file, by its number; empty: left out
target_of() {
	local n=${1%%_*}
	n=$((10#$n))
	if ((n <= 1)); then echo 00001_extensions
	elif ((n < 20)); then echo 00002_users
	elif ((n < 30)); then echo 00003_content
	elif ((n < 40)); then echo 00004_jobs
	elif ((n < 60)); then echo 00005_billing
	elif ((n < 70)); then echo 00006_functions
	elif ((n < 90)); then echo 00007_rls_policies
	fi
}

# transform one source file: writes "=== <target>" lines to switch files
transform() {
	awk -v target="$2" '
	function emit(s) { print s }
	function flush(   i) { for (i = 1; i <= nbuf; i++) emit(buf[i]); nbuf = 0; infunc = 0 }
	function twin(   name, file, line, ok, i, s, hasset) {
		name = buf[1]
		sub(/^CREATE (OR REPLACE )?FUNCTION /, "", name)
		sub(/\(.*/, "", name)
		file = "sql/twins/" name ".sql"
		if ((getline line < file) > 0) {
			emit("-- " name ": SQL twin of the C function (sql/twins/" name ".sql)")
			do {
				if (buf[1] ~ /^CREATE OR REPLACE FUNCTION / && line ~ /^CREATE FUNCTION /)
					sub(/^CREATE FUNCTION /, "CREATE OR REPLACE FUNCTION ", line)
				emit(line)
			} while ((getline line < file) > 0)
			close(file)
		} else {
			print name > "/dev/stderr"
			emit("-- " name ": NO TWIN YET: this stub raises 0A000 (feature_not_supported)")
			hasset = 0
			for (i = 1; i <= nbuf; i++) if (buf[i] ~ /SET search_path/) hasset = 1
			for (i = 1; i <= nbuf; i++) {
				s = buf[i]
				if (s ~ /^LANGUAGE [cC]( |$)/) {
					sub(/^LANGUAGE [cC]/, "LANGUAGE plpgsql", s)
					emit(s)
					if (!hasset) emit("SET search_path = '"'"''"'"'")
				} else if (s ~ /MODULE_PATHNAME/) {
					emit("AS $stub$BEGIN RAISE EXCEPTION '"'"'%() is not available in the migrations flavour yet'"'"', '"'"'" name "'"'"' USING ERRCODE = '"'"'feature_not_supported'"'"'; END$stub$;")
				} else emit(s)
			}
		}
		nbuf = 0; infunc = 0
	}
	BEGIN { print "=== " target }
	/^\\echo Use / { next }
	/^-- fenta:migrations [0-9]+_[a-z_]+$/ { print "=== " $3; next }
	# the body starts: pin the search_path if the source does not
	function pin(   i, hasset) {
		hasset = 0
		for (i = 1; i <= nbuf; i++) if (buf[i] ~ /SET search_path/) hasset = 1
		for (i = 1; i <= nbuf; i++) emit(buf[i])
		if (!hasset) emit("SET search_path = '"'"''"'"'")
		nbuf = 0; infunc = 0
	}
	infunc {
		if ($0 ~ /MODULE_PATHNAME/) { buf[++nbuf] = $0; twin(); next }
		if ($0 ~ /^(AS|RETURN|BEGIN ATOMIC)([ \t]|$)/) { pin(); emit($0); next }
		buf[++nbuf] = $0
		if ($0 ~ /;[ \t]*$/) flush()
		next
	}
	/^CREATE (OR REPLACE )?FUNCTION / {
		infunc = 1; nbuf = 0; buf[++nbuf] = $0
		if ($0 ~ /\$/ || $0 ~ /;[ \t]*$/) flush()
		next
	}
	/^SELECT pg_catalog\.pg_extension_config_dump\(/ {
		print "-- (extension only, see doc/hosted.md) " $0; next
	}
	/^(CREATE|ALTER|COMMENT ON) EVENT TRIGGER / { insuper = 1; print "-- fenta:superuser begin" }
	{ print }
	insuper && /;[ \t]*$/ { print "-- fenta:superuser end"; insuper = 0 }
	END { flush() }
	' "$1"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/missing"

# one file of update sources: sql/update/V/*.sql, 90-99 left out
update_migration() { # VERSION NUMBER
	local v=$1 n=$2 f base
	: >"$tmp/upd.body"
	for f in sql/update/"$v"/*.sql; do
		base=$(basename "$f")
		(( 10#${base%%_*} < 90 )) || continue
		transform "$f" upd 2>>"$tmp/missing" | grep -v '^=== ' >>"$tmp/upd.body"
	done
	{
		echo "-- ${n}_fenta_$v.sql: the update of the migrations flavour to fenta $v."
		echo "--"
		echo "-- fenta $v, migrations flavour for hosted Supabase (no C, no superuser)."
		echo "-- Generated by make migrations (test/tools/migrations.sh) from"
		echo "-- sql/update/$v/*.sql and sql/twins/, as ALTER EXTENSION fenta UPDATE runs them."
		echo "-- Do not edit.  Apply it after the earlier files, as postgres; see doc/hosted.md."
		echo
		cat "$tmp/upd.body"
	} >"$out/${n}_fenta_$v.sql"
}

if [ "$version" != "$BASE" ]; then
	# the eight files are frozen: keep (or copy) them, add the updates
	mkdir -p "$out"
	for n in "${names[@]}"; do
		[ -f "supabase/migrations/$n.sql" ] || { echo "supabase/migrations/$n.sql is missing" >&2; exit 1; }
		[ "$(cd "$out" && pwd)" = "$(cd supabase/migrations && pwd)" ] || cp "supabase/migrations/$n.sql" "$out/"
	done
	num=9
	for v in $(ls sql/update | grep -E '^[0-9]+(\.[0-9]+)*$' | sort -V); do
		[ "$(printf '%s\n%s\n' "$v" "$BASE" | sort -V | tail -n 1)" = "$BASE" ] && continue
		[ "$(printf '%s\n%s\n' "$v" "$version" | sort -V | tail -n 1)" = "$version" ] || continue
		update_migration "$v" "$(printf '%05d' "$num")"
		num=$((num + 1))
	done
	if [ -n "$missing_only" ]; then
		sort -u "$tmp/missing"
	fi
	exit 0
fi

declare -A sources
for f in sql/src/*.sql; do
	base=$(basename "$f")
	t=$(target_of "$base")
	[ -n "$t" ] || continue
	transform "$f" "$t" 2>>"$tmp/missing" | awk -v dir="$tmp" -v src="$base" '
		/^=== / { cur = $2; if (!(cur in seen)) { seen[cur] = 1; print cur " " src >> (dir "/sources") } next }
		{ print >> (dir "/" cur ".body") }'
done

if [ -n "$missing_only" ]; then
	sort -u "$tmp/missing"
	exit 0
fi

mkdir -p "$out"
for n in "${names[@]}"; do
	{
		echo "-- $n.sql: ${what[$n]}."
		echo "--"
		echo "-- fenta $version, migrations flavour for hosted Supabase (no C, no superuser)."
		echo "-- Generated by make migrations (test/tools/migrations.sh) from"
		echo "-- $(awk -v n="$n" '$1 == n { printf "%s%s", sep, "sql/src/" $2; sep = ", " }' "$tmp/sources")"
		echo "-- and sql/twins/.  Do not edit: change the sources and run make migrations."
		echo "-- Apply the eight files in order as postgres (SQL editor, one file at a"
		echo "-- time, or supabase db push); see doc/hosted.md."
		echo
		if [ "$n" = 00001_extensions ]; then
			cat <<'SQL'
-- Supabase installs these in schema extensions; fenta qualifies every call.
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
-- The extension's schema (CREATE EXTENSION makes it from fenta.control).
CREATE SCHEMA fenta;

SQL
		fi
		cat "$tmp/$n.body" 2>/dev/null || true
	} >"$out/$n.sql"
done
