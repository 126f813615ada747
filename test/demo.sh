#!/usr/bin/env bash
# The main job: build and install fenta, start a throwaway PostgreSQL 15
# cluster (run by postgres, never root), install the auth script and fenta,
# load a small demo and show what a member of one org can see.
# Usage: bash test/demo.sh
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/.."
bash test/deps.sh
make -s
make -s install >/dev/null
port=${FENTA_DEMO_PORT:-55433}
pg_virtualenv -t -v 15 -o port="$port" bash -c '
	set -e
	createdb fenta_demo
	psql -X -q -v ON_ERROR_STOP=1 -d fenta_demo -f sql/supabase_auth.sql
	psql -X -q -v ON_ERROR_STOP=1 -d fenta_demo -c "CREATE EXTENSION fenta CASCADE"
	psql -X -q -v ON_ERROR_STOP=1 -d fenta_demo -f doc/demo.sql
'
