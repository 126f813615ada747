#!/usr/bin/env bash
# Runs fenta's whole pg_regress suite (make installcheck: REGRESS and
# ISOLATION) against a private server running under valgrind memcheck, with
# the module built with -DUSE_ASSERT_CHECKING -O0 -g, and reports:
#   - invalid reads and writes (anywhere: fenta can corrupt memory that
#     PostgreSQL later trips over),
#   - other memcheck errors (uninitialised values, bad frees, overlaps),
#   - definitely lost blocks, split into those allocated with fenta's code on
#     the stack (any function of src/*.c) and PostgreSQL's own,
#   - server processes that died (valgrind's error exit code 128, signals),
#   - the suite's own result.
# Exits non-zero on any invalid access or other memcheck error, on any
# definitely lost block from fenta, on a process death or a failed test.
# Suppressions: test/tools/valgrind.supp.  One log per process; when there
# are findings the logs are kept and their directory is printed.
#
# Usage: bash test/tools/valgrind.sh      (or make valgrind)
# Environment: FENTA_VALGRIND_REGRESS, FENTA_VALGRIND_ISOLATION (a subset:
# the pg_regress tests and isolation specs to run, as make's REGRESS and
# ISOLATION; set to "" to run none of one kind; default all of both),
# PG_CONFIG or PGBIN (the PostgreSQL to use), FENTA_VALGRIND_PORT (55440), FENTA_VALGRIND_TIMEOUT (seconds
# for the whole suite, 7200), FENTA_PRELOAD (shared_preload_libraries,
# 'pg_cron' as in test/run.sh), FENTA_KEEP=1 keeps the work directory,
# FENTA_VALGRIND_ERROR_EXITCODE (128; 0 lets a process with errors exit
# normally, so one run collects every error, e.g. to write suppressions).
set -uo pipefail
. "$(dirname "$0")/common.sh"

port=${FENTA_VALGRIND_PORT:-55440}
suite_timeout=${FENTA_VALGRIND_TIMEOUT:-7200}
preload=${FENTA_PRELOAD:-pg_cron}
started=$(date +%s)

tools_setup valgrind
echo "== building the module with assertions (-DUSE_ASSERT_CHECKING -O0 -g)"
tools_build || exit 1
tools_initdb "$port" "shared_preload_libraries = '$preload'" \
	"cron.database_name = 'postgres'" \
	"max_connections = 20" "autovacuum_naptime = '10min'" || exit 1

vgdir=$WORK/vg
mkdir -p "$vgdir"
[ "$(id -u)" = 0 ] && chown postgres "$vgdir"
echo "== starting the server under valgrind (logs: $vgdir)"
tools_start valgrind --tool=memcheck --trace-children=yes \
	--track-origins=yes --leak-check=full --show-leak-kinds=definite \
	--errors-for-leak-kinds=none --num-callers=40 \
	--suppressions="$TOP/test/tools/valgrind.supp" --gen-suppressions=all \
	--error-exitcode="${FENTA_VALGRIND_ERROR_EXITCODE:-128}" --log-file="$vgdir/%p.log" || exit 1

echo "== make installcheck under valgrind (timeout ${suite_timeout}s)"
export PGISOLATIONTIMEOUT=${PGISOLATIONTIMEOUT:-1800}
subset=()
[ -n "${FENTA_VALGRIND_REGRESS+set}" ] && subset+=("REGRESS=$FENTA_VALGRIND_REGRESS")
[ -n "${FENTA_VALGRIND_ISOLATION+set}" ] && subset+=("ISOLATION=$FENTA_VALGRIND_ISOLATION")
timeout "$suite_timeout" make -C "$WORK/src" -s installcheck TAP_TESTS= "${subset[@]}" >"$WORK/installcheck.log" 2>&1
suite_rc=$?
cat "$WORK/installcheck.log"
for d in "$WORK/src/regression.diffs" "$WORK/src/output_iso/regression.diffs"; do
	[ -f "$d" ] && head -c 20000 "$d"
done
tests_ok=$(grep -cE '\.\.\. +ok( |$)' "$WORK/installcheck.log")
tests_failed=$(grep -cE '\.\.\. +FAILED' "$WORK/installcheck.log")

echo "== stopping the server (every process runs its leak check)"
tools_stop fast

# Frames that belong to fenta: a function of one of src/*.c, or fenta.so.
files=$(cd "$WORK/src/src" && ls *.c | sed 's/\.c$//' | paste -sd'|')
fenta_re="\\((${files})\\.c:[0-9]+\\)|/fenta\\.so\\)|[ :]fenta_[a-z_0-9]+ \\("

# One line per error record: PID KIND FENTA(0/1) BYTES HEADER
awk -v re="$fenta_re" '
	function flush() {
		if (kind != "")
			printf "%s\t%s\t%d\t%s\t%s\n", pid, kind, fenta, bytes, head
		kind = ""
	}
	/^==[0-9]+== / {
		line = $0
		sub(/^==[0-9]+== /, "", line)
		if (line == "") { flush(); next }
		if (kind != "") { if (line ~ re) fenta = 1; next }
		pid = FILENAME; sub(/.*\//, "", pid); sub(/\.log$/, "", pid)
		fenta = 0; bytes = 0; head = line
		if (line ~ /^Invalid read of size/) kind = "invalid-read"
		else if (line ~ /^Invalid write of size/) kind = "invalid-write"
		else if (line ~ /are definitely lost in loss record/) {
			kind = "definitely-lost"; bytes = line; sub(/ bytes.*/, "", bytes)
			gsub(/[,()]/, "", bytes); sub(/.* /, "", bytes)
		}
		else if (line ~ /^(Conditional jump|Use of uninitialised|Syscall param|Invalid free|Mismatched free|Source and destination overlap|Argument .* fishy|Invalid (alignment|size))/) kind = "other-error"
		next
	}
	{ flush() }
	END { flush() }
' "$vgdir"/*.log >"$WORK/records.tsv"

nlogs=$(ls "$vgdir"/*.log 2>/dev/null | wc -l)
count() { awk -F'\t' -v k="$1" -v f="$2" '$2 == k && (f == "" || $3 == f)' "$WORK/records.tsv" | wc -l; }
inv_r=$(count invalid-read "")
inv_w=$(count invalid-write "")
other=$(count other-error "")
lost_f=$(count definitely-lost 1)
lost_pg=$(count definitely-lost 0)
lost_pg_bytes=$(awk -F'\t' '$2 == "definitely-lost" && $3 == 0 { s += $4 } END { print s + 0 }' "$WORK/records.tsv")
crash_re='terminated by signal|exited with exit code ([2-9]|[1-9][0-9]+)|was terminated by exception|TRAP: '
deaths=$(grep -cE "$crash_re" "$WORK/server.log")
suppressed=$(grep -h 'ERROR SUMMARY' "$vgdir"/*.log | sed -n 's/.*suppressed: \([0-9]*\) from.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')

echo
echo "== valgrind report ($(( $(date +%s) - started ))s)"
echo "server processes traced (logs):        $nlogs"
echo "regression tests passed / failed:      $tests_ok / $tests_failed (make installcheck exit $suite_rc)"
echo "invalid reads:                         $inv_r"
echo "invalid writes:                        $inv_w"
echo "other memcheck errors:                 $other"
echo "definitely lost blocks, fenta:         $lost_f"
echo "definitely lost blocks, PostgreSQL:    $lost_pg ($lost_pg_bytes bytes; not fenta's, reported only)"
echo "errors suppressed (valgrind.supp):     $suppressed"
echo "server processes died:                 $deaths"

fail=0
[ "$suite_rc" -ne 0 ] || [ "$tests_failed" -ne 0 ] || [ "$tests_ok" -eq 0 ] && fail=1
[ $((inv_r + inv_w + other + lost_f + deaths)) -ne 0 ] && fail=1
if [ "$fail" -ne 0 ]; then
	if [ $((inv_r + inv_w + other + lost_f)) -ne 0 ]; then
		echo
		echo "== findings (first 200 lines of the logs that have them)"
		awk -F'\t' '$2 != "definitely-lost" || $3 == 1 { print $1 }' "$WORK/records.tsv" | sort -u |
			while read -r p; do echo "--- $p.log"; grep -v '^==[0-9]*== *$' "$vgdir/$p.log" | head -n 200; done | head -n 2000
	fi
	grep -E "$crash_re" "$WORK/server.log" | head -n 20
	keep=$(tools_keep valgrind "$vgdir" "$WORK/server.log" "$WORK/installcheck.log" "$WORK/records.tsv")
	echo "valgrind: FAILED; logs kept in $keep"
	exit 1
fi
echo "valgrind: clean"
