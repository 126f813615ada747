#!/usr/bin/env bash
# The body of test/run.sh, run inside pg_virtualenv (PG* variables set).
set -uo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/.."
log=$(mktemp)

# pg_regress, then the isolation specs: one line per test, "ok" or "FAILED"
# (run apart, so that a failure in one does not hide the other)
passed=0
failed=0
for suite in "ISOLATION=" "REGRESS="; do
	rm -f regression.diffs output_iso/regression.diffs
	make -s installcheck "$suite" TAP_TESTS= 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '\.\.\. +ok( |$)' "$log")
	f=$(grep -cE '\.\.\. +FAILED' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "make installcheck $suite failed before running its tests"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ -f regression.diffs ] && head -c 20000 regression.diffs
	[ -f output_iso/regression.diffs ] && head -c 20000 output_iso/regression.diffs
done

# shell drivers: each exits 0 on success
for t in test/t/*.sh; do
	[ -e "$t" ] || continue
	[ "$(basename "$t")" = lib.sh ] && continue
	name=$(basename "$t" .sh)
	dlog=$(mktemp "${TMPDIR:-/tmp}/fenta-$name.XXXXXX.log")
	if bash "$t" >"$dlog" 2>&1; then
		echo "driver $name ... ok"
		passed=$((passed + 1))
	else
		echo "driver $name ... FAILED (log follows)"
		tail -n 60 "$dlog"
		failed=$((failed + 1))
	fi
	rm -f "$dlog"
done

# TAP tests (PostgreSQL::Test::Cluster, clusters of their own, run as
# postgres by test/tap/prove.sh): each file one entry; they use the
# extension_destdir of this cluster, if any
FENTA_EXTENSION_DESTDIR=$(psql -X -At -d postgres -c "SHOW extension_destdir" 2>/dev/null || true)
export FENTA_EXTENSION_DESTDIR
for t in test/tap/*.pl; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .pl)
	tlog=$(mktemp)
	if bash test/tap/prove.sh "$t" >"$tlog" 2>&1; then
		echo "tap $name ... ok"
		passed=$((passed + 1))
	else
		echo "tap $name ... FAILED (log follows)"
		tail -n 80 "$tlog"
		failed=$((failed + 1))
	fi
	rm -f "$tlog"
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ -n "${FENTA_SUMMARY:-}" ] && echo "$passed passed, $failed failed" >"$FENTA_SUMMARY"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
