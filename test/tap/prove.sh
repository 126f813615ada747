#!/usr/bin/env bash
# Runs TAP tests (default: test/tap/*.pl) with PostgreSQL's own framework
# (PostgreSQL::Test::Cluster from PGXS).  Each test starts clusters of its
# own; initdb refuses root, so the tests and what they need are copied to a
# temporary directory owned by postgres and run as postgres.  The
# PostgreSQL used is the one of $PG_CONFIG (default: pg_config on PATH), the
# one fenta is installed into.  On failure the test's logs are printed.
# Usage: bash test/tap/prove.sh [test/tap/NNN_name.pl ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
PG_CONFIG=${PG_CONFIG:-pg_config}
bindir=$("$PG_CONFIG" --bindir)
pgxsdir=$(dirname "$("$PG_CONFIG" --pgxs)")/..
perldir=$pgxsdir/test/perl
[ $# -gt 0 ] || set -- test/tap/*.pl
dir=$(mktemp -d /tmp/fenta-tap.XXXXXX)
[ -n "${FENTA_TAP_KEEP:-}" ] && echo "keeping $dir" || trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/test/tap"
cp "$@" "$dir/test/tap/"
chmod 755 "$dir"
run=()
if [ "$(id -u)" = 0 ]; then
	chown -R postgres "$dir"
	run=(runuser -u postgres --)
fi
tests=()
for t in "$@"; do tests+=("test/tap/$(basename "$t")"); done
rc=0
(cd "$dir" && "${run[@]}" env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGHOSTADDR \
	PATH="$bindir:$PATH" TESTDIR="$dir" PG_REGRESS="$pgxsdir/test/regress/pg_regress" LC_ALL=C.UTF-8 \
	prove -I "$perldir" ${PROVE_FLAGS:-} "${tests[@]}") || rc=$?
if [ "$rc" -ne 0 ] && [ -d "$dir/tmp_check/log" ]; then
	for f in "$dir"/tmp_check/log/*; do
		echo "--- $(basename "$f") (last 60 lines)"
		tail -n 60 "$f"
	done
fi
exit $rc
