# Shared helpers of the shell drivers in test/t (sourced, not run).
# private_cluster PORT [postgresql.conf lines...]: creates and starts a
# PostgreSQL 15 cluster of its own in a temporary directory, owned and run
# by postgres (never root), for tests that must restart or kill a server.
# Sets PRIVATE_DIR; stop it with private_cluster_stop.  The auth script and
# fenta must be installed (test/run.sh does it).

# The PostgreSQL used: PGBIN, else PG_CONFIG's bindir, else the system's
# PostgreSQL 15.  The locale is pinned: initdb fails where LANG names a
# locale that is not generated.
export LC_ALL=C.UTF-8
if [ -z "${PGBIN:-}" ] && [ -n "${PG_CONFIG:-}" ]; then
	PGBIN=$("$PG_CONFIG" --bindir)
fi
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

private_cluster() {
	local port=$1
	shift
	PRIVATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fenta-cluster.XXXXXX")
	chmod 755 "$PRIVATE_DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$PRIVATE_DIR"
	as_postgres "$PGBIN/initdb" -D "$PRIVATE_DIR/data" -U postgres -A trust >/dev/null
	{
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$PRIVATE_DIR'"
		echo "fsync = on"
		for line in "$@"; do echo "$line"; done
	} >>"$PRIVATE_DIR/data/postgresql.conf"
	as_postgres "$PGBIN/pg_ctl" -D "$PRIVATE_DIR/data" -l "$PRIVATE_DIR/log" -w start >/dev/null
	export PGHOST=$PRIVATE_DIR PGPORT=$port PGUSER=postgres
}

private_cluster_stop() {
	[ -n "${PRIVATE_DIR:-}" ] || return 0
	as_postgres "$PGBIN/pg_ctl" -D "$PRIVATE_DIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PRIVATE_DIR"
}
