#!/usr/bin/env bash
# Installs the Debian packages fenta's build, tests and tools need (root).
# Quick when everything is already there.
set -euo pipefail
export LC_ALL=C.UTF-8
pkgs=(make gcc postgresql-15 postgresql-client-15 postgresql-server-dev-15
      postgresql-15-cron postgresql-15-pgtap libipc-run-perl)
[ "${1:-}" = --tools ] && pkgs+=(valgrind cppcheck clang-tidy)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi
