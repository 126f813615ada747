#!/usr/bin/env bash
# Runs every fenta test: builds and installs the extension, starts a
# throwaway PostgreSQL 15 cluster (owned by postgres, never root) and runs
# the pg_regress suite, the isolation specs and the shell drivers in test/t.
# Ends with "N passed, N failed".  Usage: bash test/run.sh
set -uo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/.."
bash test/deps.sh || exit 1
make -s || exit 1
make -s install >/dev/null || exit 1
port=${FENTA_TEST_PORT:-55432}
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
FENTA_SUMMARY=$summary pg_virtualenv -t -v 15 -o port="$port" \
	-o shared_preload_libraries=pg_cron -o cron.database_name=postgres \
	bash test/suite.sh
rc=$?
# the count again, as the very last line (pg_virtualenv talks after the suite)
if [ -s "$summary" ]; then
	cat "$summary"
else
	echo "0 passed, 1 failed"
	rc=1
fi
exit $rc
