# Shared helpers of test/tools/valgrind.sh and test/tools/fuzz.sh (sourced).
#
# The PostgreSQL used: PG_CONFIG (the build) and PGBIN (initdb, postgres,
# psql...).  Either one gives the other (PGBIN=$($PG_CONFIG --bindir), or
# PG_CONFIG=$PGBIN/pg_config); by default the system's PostgreSQL 15.  A
# private relocated copy works: PG_CONFIG=/tmp/pg-x/usr/lib/postgresql/15/bin/pg_config.
# The locale is pinned (LC_ALL=C.UTF-8): initdb fails where LANG names a
# locale that is not generated.
#
# tools_setup NAME     installs the tools (test/deps.sh --tools), makes a work
#                      directory $WORK (mktemp -d in ${TMPDIR:-/tmp},
#                      fenta-NAME.XXXXXX, readable by postgres) and removes
#                      it, with the server, on exit (FENTA_KEEP=1 keeps it).
# tools_keep NAME      copies files to a new directory fenta-NAME-logs.XXXXXX
#                      (mktemp -d) and prints its path.
# tools_build          copies the tree into $WORK/src and builds the module
#                      there with -DUSE_ASSERT_CHECKING -O0 -g against
#                      PG_CONFIG (the working tree's own objects are left
#                      alone), installed under $WORK/inst; the server finds
#                      it via extension_destdir.
# tools_initdb PORT [conf lines...]
#                      initdb (as postgres) into $WORK/data, sockets in $WORK.
# tools_start [WRAPPER...]
#                      starts the postmaster as postgres, under WRAPPER if
#                      given (e.g. valgrind ...), log in $WORK/server.log;
#                      waits up to $FENTA_START_TIMEOUT seconds (default 600).
# tools_stop           fast shutdown, waits for every server process to exit.

export LC_ALL=C.UTF-8
if [ -n "${PG_CONFIG:-}" ]; then
	PGBIN=${PGBIN:-$("$PG_CONFIG" --bindir)}
else
	PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
	PG_CONFIG=$PGBIN/pg_config
fi
export PG_CONFIG PGBIN
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=
SERVER_PID=

# as_postgres, shared with the test drivers
# shellcheck source=../t/lib.sh
. "$TOP/test/t/lib.sh"

tools_cleanup() {
	tools_stop immediate
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		if [ "${FENTA_KEEP:-0}" = 1 ]; then
			echo "kept $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
}

tools_setup() {
	bash "$TOP/test/deps.sh" --tools >&2 || exit 1
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/fenta-$1.XXXXXX")
	chmod 755 "$WORK"
	[ "$(id -u)" = 0 ] && chown postgres "$WORK"
	trap tools_cleanup EXIT
	trap 'exit 130' INT TERM
}

tools_keep() {
	local name=$1 keep
	shift
	keep=$(mktemp -d "${TMPDIR:-/tmp}/fenta-$name-logs.XXXXXX") && chmod 755 "$keep" &&
		cp -r "$@" "$keep/" && echo "$keep"
}

tools_build() {
	mkdir -p "$WORK/src"
	(cd "$TOP" && tar --exclude=.git --exclude=./results --exclude=./output_iso \
		--exclude='*.o' --exclude='*.bc' --exclude='*.so' -cf - .) |
		tar -xf - -C "$WORK/src" || return 1
	make -s -C "$WORK/src" PG_CONFIG="$PG_CONFIG" PG_CPPFLAGS=-DUSE_ASSERT_CHECKING COPT='-O0 -g' >&2 &&
		make -s -C "$WORK/src" PG_CONFIG="$PG_CONFIG" install DESTDIR="$WORK/inst" >/dev/null
}

tools_initdb() {
	local port=$1
	shift
	as_postgres "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust -E UTF8 \
		--locale=C.UTF-8 >/dev/null || return 1
	{
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$WORK'"
		echo "extension_destdir = '$WORK/inst'"
		echo "jit = off"
		echo "fsync = off"
		echo "log_line_prefix = '%m [%p] '"
		for line in "$@"; do echo "$line"; done
	} >>"$WORK/data/postgresql.conf"
	export PGHOST=$WORK PGPORT=$port PGUSER=postgres PGDATABASE=postgres
}

tools_start() {
	local timeout=${FENTA_START_TIMEOUT:-600} i
	: >"$WORK/server.log"
	[ "$(id -u)" = 0 ] && chown postgres "$WORK/server.log"
	as_postgres "$@" "$PGBIN/postgres" -D "$WORK/data" >>"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	for ((i = 0; i < timeout; i++)); do
		"$PGBIN/pg_isready" -q && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 1
	done
	echo "server did not start; log:" >&2
	tail -n 30 "$WORK/server.log" >&2
	return 1
}

tools_stop() {
	[ -n "$SERVER_PID" ] || return 0
	as_postgres "$PGBIN/pg_ctl" -D "$WORK/data" -m "${1:-fast}" -t "${FENTA_STOP_TIMEOUT:-600}" \
		stop >/dev/null 2>&1
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}
