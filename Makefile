# fenta: PGXS build
EXTENSION = fenta
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" fenta.control)

MODULE_big = fenta
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script of the current version is built from the domain
# sources in sql/src; released versions are kept as frozen files in sql/.
# The update script from the previous release is built from sql/update/
# $(EXTVERSION)/*.sql: update-only changes, and links to the sql/src files
# the version added (they serve the fresh install and the update alike).
PREVVERSION = $(shell ls sql/ | sed -n 's/^fenta--\([0-9.]*\)\.sql$$/\1/p' | grep -vx '$(EXTVERSION)' | sort -V | tail -n 1)
SQL_SOURCES = $(sort $(wildcard sql/src/*.sql))
UPDATE_SOURCES = $(sort $(wildcard sql/update/$(EXTVERSION)/*.sql))
UPDATE_SCRIPT = $(if $(UPDATE_SOURCES),sql/fenta--$(PREVVERSION)--$(EXTVERSION).sql)
# The direct update from 0.1.0 (PostgreSQL takes the shortest path): the
# released 0.1.0 -> 0.2.0 and 0.2.0 -> 0.3.0 scripts as they are, the 0.3.0 ->
# $(EXTVERSION) sources, then the repairs that only an update from 0.1.0 needs
# (sql/update/0.1.0-$(EXTVERSION)/*.sql; see doc/operations.md).
DIRECT_SOURCES = $(sort $(wildcard sql/update/0.1.0-$(EXTVERSION)/*.sql))
DIRECT_SCRIPT = $(if $(DIRECT_SOURCES),sql/fenta--0.1.0--$(EXTVERSION).sql)
DATA = $(sort $(wildcard sql/fenta--*.sql) sql/fenta--$(EXTVERSION).sql $(UPDATE_SCRIPT) $(DIRECT_SCRIPT)) sql/supabase_auth.sql
EXTRA_CLEAN =

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = install $(filter-out install,$(patsubst test/sql/%.sql,%,$(TESTS)))
REGRESS_OPTS = --inputdir=test

ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test

# TAP tests (PostgreSQL::Test::Cluster, clusters of their own): make
# installcheck runs them after the pg_regress and isolation suites (TAP_TESTS=
# on the command line skips them).
TAP_TESTS = 1
PROVE_TESTS = test/tap/*.pl

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# initdb refuses root: as root, the TAP tests run as postgres from a copy
# (test/tap/prove.sh), with the PostgreSQL of $(PG_CONFIG)
ifeq ($(shell id -u),0)
define prove_installcheck
PG_CONFIG='$(PG_CONFIG)' PROVE_FLAGS='$(PROVE_FLAGS)' bash test/tap/prove.sh $(PROVE_TESTS)
endef
endif

all: sql/fenta--$(EXTVERSION).sql $(UPDATE_SCRIPT)

# every object depends on the module's headers (PGXS tracks no header dependencies)
$(OBJS): $(wildcard src/*.h) $(DIRECT_SCRIPT)

sql/fenta--$(EXTVERSION).sql: $(SQL_SOURCES)
	cat $^ > $@

ifneq ($(UPDATE_SCRIPT),)
$(UPDATE_SCRIPT): $(UPDATE_SOURCES)
	( printf '%s\n' '\echo Use "ALTER EXTENSION fenta UPDATE TO '"'"'$(EXTVERSION)'"'"'" to load this file. \quit'; cat $^ ) > $@
endif

ifneq ($(DIRECT_SCRIPT),)
$(DIRECT_SCRIPT): sql/fenta--0.1.0--0.2.0.sql sql/fenta--0.2.0--0.3.0.sql $(UPDATE_SOURCES) $(DIRECT_SOURCES)
	( printf '%s\n' '\echo Use "ALTER EXTENSION fenta UPDATE TO '"'"'$(EXTVERSION)'"'"'" to load this file. \quit'; \
	  for f in $^; do sed '/^\\echo Use "ALTER EXTENSION/d' "$$f"; done ) > $@
endif

# Memory safety, static analysis and fuzzing: one command each (doc/safety.md)
.PHONY: valgrind static fuzz
valgrind:
	bash test/tools/valgrind.sh
static:
	bash test/tools/static.sh
fuzz:
	bash test/tools/fuzz.sh

# The migrations flavour for hosted Supabase (no C): supabase/migrations/
# 00001_extensions.sql ... 00008_indexes.sql from sql/src and sql/twins
# (doc/hosted.md); committed, test/t/migrations.sh fails when they are stale.
.PHONY: migrations
migrations:
	bash test/tools/migrations.sh
