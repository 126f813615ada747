#!/usr/bin/env bash
# Static analysis of fenta's C module: cppcheck and clang-tidy on src/*.c.
# Exits non-zero if either reports anything.  Usage: bash test/tools/static.sh
# (PG_CONFIG, default pg_config, gives PostgreSQL's server headers)
#
# cppcheck: --enable=warning,performance,portability (plus its default error
# checks), PostgreSQL's server headers on the include path, one
# configuration (__GNUC__, x86_64), missingIncludeSystem suppressed, and
# unknownEvaluationOrder (a false positive on every list_makeN() of
# PostgreSQL; gcc's -Wsequence-point, in the build's -Wall -Werror, checks
# evaluation order);
# deliberate exceptions are marked in the source with
# "// cppcheck-suppress ID" comments (--inline-suppr).
# clang-tidy: the checks listed in the top-level .clang-tidy (every warning
# is an error), compiled as the module is, with -DUSE_ASSERT_CHECKING so the
# analyzer knows the asserted invariants; PostgreSQL's headers are system
# headers (not analyzed); deliberate exceptions carry NOLINT comments.
set -uo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
bash test/deps.sh --tools || exit 1

incdir=$("${PG_CONFIG:-pg_config}" --includedir-server)
srcs=(src/*.c)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

echo "== cppcheck $(cppcheck --version | awk '{print $2}') on ${#srcs[@]} files"
cppcheck --enable=warning,performance,portability --error-exitcode=1 \
	--inline-suppr --std=c99 --quiet --template=gcc \
	-I src -I "$incdir" -D__GNUC__ -D__x86_64__ -DUSE_ASSERT_CHECKING \
	--suppress=missingIncludeSystem --suppress=unknownEvaluationOrder \
	"${srcs[@]}" 2>"$log"
rc=$?
n=$(grep -cE ': (error|warning|style|performance|portability|information): ' "$log")
cat "$log"
echo "cppcheck: $n findings (exit $rc)"
[ "$rc" -ne 0 ] || [ "$n" -ne 0 ] && status=1

echo "== clang-tidy $(clang-tidy --version | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -n 1) on ${#srcs[@]} files, checks from .clang-tidy"
clang-tidy --quiet "${srcs[@]}" -- \
	-I src -isystem "$incdir" -isystem /usr/include/postgresql/internal \
	-D_GNU_SOURCE -DUSE_ASSERT_CHECKING >"$log" 2>&1
rc=$?
n=$(grep -cE ': (error|warning): ' "$log")
grep -vE '^[0-9]+ warnings? generated\.$' "$log"
echo "clang-tidy: $n findings (exit $rc)"
[ "$rc" -ne 0 ] || [ "$n" -ne 0 ] && status=1

[ "$status" -eq 0 ] && echo "static analysis: clean" || echo "static analysis: FINDINGS"
exit "$status"
