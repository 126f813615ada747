# Shared by the benchmarks in test/bench (sourced, not run).
#
# bench_cluster PORT [postgresql.conf lines...] starts a cluster of the
# benchmark's own (test/t/lib.sh's private_cluster: initdb as postgres in a
# mktemp -d directory, fsync = on, sockets in that directory), with
# shared_buffers = 256MB and max_wal_size = 4GB, creates database bench with
# the auth script and fenta, exports PGHOST/PGPORT/PGUSER/PGDATABASE, puts
# the server's bin directory first on PATH (psql, pgbench), and stops and
# removes the cluster on exit (bench_cleanup; a benchmark's own trap calls it).
# The PostgreSQL used is PGBIN, else PG_CONFIG's bindir, else the system's
# PostgreSQL 15; fenta must be installed into it (make install, with
# PG_CONFIG for a private copy), or FENTA_DESTDIR names a DESTDIR it was
# installed under (make install DESTDIR=...).
# shellcheck source=../t/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../t/lib.sh"

bench_cleanup() {
	private_cluster_stop
}

bench_cluster() {
	local port=$1
	shift
	local conf=("shared_buffers = 256MB" "max_wal_size = 4GB" "$@")
	[ -n "${FENTA_DESTDIR:-}" ] && conf+=("extension_destdir = '$FENTA_DESTDIR'")
	private_cluster "$port" "${conf[@]}" || return 1
	export PATH="$PGBIN:$PATH" PGDATABASE=bench
	createdb bench || return 1
	psql -X -q -v ON_ERROR_STOP=1 -f sql/supabase_auth.sql >/dev/null 2>&1 || return 1
	psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE" || return 1
}

# bench_migrations_db DB: database DB on the running cluster with the
# migrations flavour instead of the extension (doc/hosted.md): the auth
# script, schema extensions (hosted Supabase has it), then
# supabase/migrations/*.sql in order, each in one transaction, as the SQL
# editor runs them (here as the cluster's superuser; the hosted emulation is
# test/t/migrations.sh's).  The twins of the C functions, no C.
bench_migrations_db() {
	local db=$1 f
	createdb "$db" || return 1
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f sql/supabase_auth.sql >/dev/null 2>&1 || return 1
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE SCHEMA IF NOT EXISTS extensions" || return 1
	for f in supabase/migrations/*.sql; do
		PGOPTIONS='-c client_min_messages=warning' psql -X -q -1 -v ON_ERROR_STOP=1 -d "$db" -f "$f" >/dev/null || return 1
	done
}

# bench_flavour NAME: whether BENCH_FLAVOURS (default "extension") names it
# ("extension migrations": the extension's figures, then C and twins side
# by side; "migrations": only the side by side figures)
bench_flavour() {
	[[ " ${BENCH_FLAVOURS:-extension} " == *" $1 "* ]]
}
