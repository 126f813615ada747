# fenta: PGXS build
EXTENSION = fenta
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" fenta.control)

MODULE_big = fenta
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script of the current version is built from the domain
# sources in sql/src; released versions are kept as frozen files in sql/.
SQL_SOURCES = $(sort $(wildcard sql/src/*.sql))
DATA = $(sort $(wildcard sql/fenta--*.sql) sql/fenta--$(EXTVERSION).sql) sql/supabase_auth.sql
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

all: sql/fenta--$(EXTVERSION).sql

sql/fenta--$(EXTVERSION).sql: $(SQL_SOURCES)
	cat $^ > $@
