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
DATA = $(sort $(wildcard sql/fenta--*.sql) sql/fenta--$(EXTVERSION).sql $(UPDATE_SCRIPT)) sql/supabase_auth.sql
EXTRA_CLEAN =

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = install $(filter-out install,$(patsubst test/sql/%.sql,%,$(TESTS)))
REGRESS_OPTS = --inputdir=test

ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

all: sql/fenta--$(EXTVERSION).sql $(UPDATE_SCRIPT)

sql/fenta--$(EXTVERSION).sql: $(SQL_SOURCES)
	cat $^ > $@

ifneq ($(UPDATE_SCRIPT),)
$(UPDATE_SCRIPT): $(UPDATE_SOURCES)
	( printf '%s\n' '\echo Use "ALTER EXTENSION fenta UPDATE TO '"'"'$(EXTVERSION)'"'"'" to load this file. \quit'; cat $^ ) > $@
endif

# Memory safety, static analysis and fuzzing: one command each (doc/safety.md)
.PHONY: valgrind static fuzz
valgrind:
	bash test/tools/valgrind.sh
static:
	bash test/tools/static.sh
fuzz:
	bash test/tools/fuzz.sh
