/*-------------------------------------------------------------------------
 *
 * partition.c
 *	  Monthly partition maintenance of usage_records.
 *
 * fenta.maintain_partitions() keeps one partition per UTC month,
 * public.usage_records_YYYY_MM, for the current month and the next N, plus
 * every month that has rows waiting in the default partition.  A month is
 * created as a standalone table (LIKE the parent, with a CHECK constraint
 * matching its bounds), filled with the month's rows taken out of the
 * default partition, and then attached: ATTACH PARTITION takes only SHARE
 * UPDATE EXCLUSIVE on the parent, so inserts into the other months go on;
 * the default partition is locked ACCESS EXCLUSIVE for the move and the
 * attach only.  Each month is done in a subtransaction under
 * fenta.maintenance_lock_timeout: if a lock cannot be had in time, that
 * month is rolled back, reported as deferred and retried on the next run.
 *
 * Rows are moved with INSERT into the standalone table, so the parent's
 * statement-level triggers (the quota accounting) do not see them again.
 *
 * Two runs at once: the second finds the advisory lock taken and returns at
 * once with skipped = true.  A run with nothing to do reads the catalog and
 * the (normally empty) default partition and takes no strong lock.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "postmaster/bgworker.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(fenta_maintain_partitions);

/* GUCs, see fenta_maintenance_init() */
int			fenta_maintenance_lock_timeout = 500;
int			fenta_maintenance_interval = 600;
char	   *fenta_maintenance_database = NULL;
char	   *fenta_maintenance_role = NULL;
int			fenta_maintenance_months_ahead = 3;
int			fenta_maintenance_retention_months = 0;

/* Most months ahead and of retention accepted. */
#define MAX_MONTHS_AHEAD	120
#define MAX_RETENTION_MONTHS	1200

/* Output columns of fenta.maintain_partitions() */
#define MAINTAIN_NATTS		9

/* A month to create: its partition name and bounds as timestamptz literals */
typedef struct MonthToCreate
{
	char	   *suffix;			/* YYYY_MM */
	char	   *lower;			/* 'YYYY-MM-01 00:00:00+00' */
	char	   *upper;
	bool		exists;			/* a relation of that name is in public */
} MonthToCreate;

/* Results of one run */
typedef struct MaintainResult
{
	int32		months_created;
	int64		rows_moved;
	int32		months_detached;
	int32		months_dropped;
	int32		months_deferred;
	int32		quota_resets;
	int32		counters_rolled_up;
	bool		usage_refreshed;
	bool		skipped;
} MaintainResult;

/* Months to create: the window and the months of rows in the default */
static SPIPlanPtr months_plan = NULL;
static const char *months_sql =
"WITH cur AS ("
"  SELECT pg_catalog.date_trunc('month', $1 AT TIME ZONE 'UTC') AS m"
"), wanted AS ("
"  SELECT g AS m"
"  FROM cur, pg_catalog.generate_series(cur.m,"
"    cur.m OPERATOR(pg_catalog.+) pg_catalog.make_interval(months => $2), interval '1 month') g"
"  UNION"
"  SELECT DISTINCT pg_catalog.date_trunc('month', d.created_at AT TIME ZONE 'UTC')"
"  FROM ONLY public.usage_records_default d"
"  WHERE pg_catalog.isfinite(d.created_at)"
") "
"SELECT pg_catalog.to_char(w.m, 'YYYY_MM'),"
"  pg_catalog.to_char(w.m, 'YYYY-MM-DD') OPERATOR(pg_catalog.||) ' 00:00:00+00',"
"  pg_catalog.to_char(w.m OPERATOR(pg_catalog.+) interval '1 month', 'YYYY-MM-DD') OPERATOR(pg_catalog.||) ' 00:00:00+00',"
"  c.oid IS NOT NULL "
"FROM wanted w"
"  LEFT JOIN pg_catalog.pg_class c"
"    ON c.relnamespace OPERATOR(pg_catalog.=) 'public'::pg_catalog.regnamespace"
"    AND c.relname OPERATOR(pg_catalog.=) ('usage_records_' OPERATOR(pg_catalog.||) pg_catalog.to_char(w.m, 'YYYY_MM'))::pg_catalog.name "
"WHERE w.m OPERATOR(pg_catalog.>=) '0001-01-01' AND w.m OPERATOR(pg_catalog.<) '10000-01-01'"
"  AND (c.oid IS NULL OR NOT c.relispartition) "
"ORDER BY w.m";

/* Attached monthly partitions older than the retention cutoff */
static SPIPlanPtr expired_plan = NULL;
static const char *expired_sql =
"SELECT c.relname::pg_catalog.text "
"FROM pg_catalog.pg_inherits i"
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhrelid "
"WHERE i.inhparent OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass"
"  AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'"
"  AND c.relname::pg_catalog.text OPERATOR(pg_catalog.<) ('usage_records_' OPERATOR(pg_catalog.||)"
"    pg_catalog.to_char(pg_catalog.date_trunc('month', $1 AT TIME ZONE 'UTC')"
"      OPERATOR(pg_catalog.-) pg_catalog.make_interval(months => $2), 'YYYY_MM')) "
"ORDER BY 1";

/* Archived months older than the retention cutoff (dropped on request) */
static SPIPlanPtr archived_plan = NULL;
static const char *archived_sql =
"SELECT c.relname::pg_catalog.text "
"FROM pg_catalog.pg_class c "
"WHERE c.relnamespace OPERATOR(pg_catalog.=) 'fenta_archive'::pg_catalog.regnamespace"
"  AND c.relkind OPERATOR(pg_catalog.=) 'r'"
"  AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'"
"  AND c.relname::pg_catalog.text OPERATOR(pg_catalog.<) ('usage_records_' OPERATOR(pg_catalog.||)"
"    pg_catalog.to_char(pg_catalog.date_trunc('month', $1 AT TIME ZONE 'UTC')"
"      OPERATOR(pg_catalog.-) pg_catalog.make_interval(months => $2), 'YYYY_MM')) "
"ORDER BY 1";

/* Advisory lock key of fenta.maintain_partitions: ('fent', 1) */
#define MAINTAIN_LOCK_KEY1	0x66656e74
#define MAINTAIN_LOCK_KEY2	1

/*
 * Module load: maintenance GUCs and, when preloaded, the background worker.
 */
void
fenta_maintenance_init(void)
{
	DefineCustomIntVariable("fenta.maintenance_lock_timeout",
							"Lock timeout of the strong locks fenta.maintain_partitions() takes; a month that cannot be locked in time is retried on the next run.",
							"0 waits forever.",
							&fenta_maintenance_lock_timeout,
							500, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("fenta.maintenance_interval",
							"Seconds between two runs of fenta.maintain_partitions() by the background worker.",
							"0 turns the background worker's runs off.",
							&fenta_maintenance_interval,
							600, 0, 31 * 24 * 3600,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("fenta.maintenance_months_ahead",
							"Months after the current one the background worker keeps partitions for.",
							NULL,
							&fenta_maintenance_months_ahead,
							3, 0, MAX_MONTHS_AHEAD,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("fenta.maintenance_retention_months",
							"Complete past months the background worker keeps attached; older months are detached into schema fenta_archive.",
							"0 keeps every month.",
							&fenta_maintenance_retention_months,
							0, 0, MAX_RETENTION_MONTHS,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("fenta.maintenance_database",
							   "Database in which the background worker runs fenta.maintain_partitions().",
							   "Empty: the worker waits.  Needs fenta in shared_preload_libraries; a change restarts the worker.",
							   &fenta_maintenance_database,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("fenta.maintenance_role",
							   "Role as which the background worker runs fenta.maintain_partitions().",
							   "Empty: the bootstrap superuser.  A change restarts the worker.",
							   &fenta_maintenance_role,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);

	if (process_shared_preload_libraries_in_progress)
		fenta_register_maintenance_worker();
}

/*
 * Raises 22023 for a bad argument of fenta.maintain_partitions(), naming it.
 */
static void
bad_argument(const char *name, const char *message, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for argument \"%s\" of fenta.maintain_partitions(): %s",
					name, message),
			 detail ? errdetail("%s", detail) : 0));
}

/*
 * Runs a utility or DML statement through SPI; any failure is an error.
 */
static uint64
run_sql(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc < 0)
		elog(ERROR, "SPI_execute failed (%d): %s", rc, sql);
	return SPI_processed;
}

/*
 * Prepares and keeps one of the module's plans.
 */
static SPIPlanPtr
keep_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, nargs, argtypes);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*plan = p;
	}
	return *plan;
}

/*
 * Runs a cached query that lists month tables (by the as_of date and the
 * retention) and returns their names, palloc'd in the current context.
 */
static char **
list_months(SPIPlanPtr *plan, const char *sql, Datum *args, Oid *argtypes, int *n)
{
	char	  **names;
	int			i;

	if (SPI_execute_plan(keep_plan(plan, sql, 2, argtypes), args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the months to retire");
	*n = (int) SPI_processed;
	names = palloc0(sizeof(char *) * Max(*n, 1));
	for (i = 0; i < *n; i++)
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return names;
}

/*
 * The comma-separated, quoted column list of usage_records, in its order.
 */
static char *
usage_records_columns(void)
{
	int			rc;
	char	   *cols;

	rc = SPI_execute("SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) "
					 "FROM pg_catalog.pg_attribute a "
					 "WHERE a.attrelid OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass "
					 "AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped",
					 true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the columns of public.usage_records");
	cols = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (cols == NULL)
		elog(ERROR, "public.usage_records has no columns");
	return cols;
}

/*
 * Gives a new month the indexes and unique constraints that the default
 * partition has of its own (not inherited from a partitioned index of the
 * parent): the default partition is the template of the partitions for
 * what the parent does not propagate.  Indexes of the parent itself come
 * with LIKE ... INCLUDING ALL and are matched by ATTACH PARTITION.
 */
static void
copy_template_indexes(const char *rel)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	int			rc;
	int			n;
	char	  **stmts;
	int			i;

	args[0] = CStringGetTextDatum(rel);
	rc = SPI_execute_with_args(
							   "SELECT CASE WHEN con.oid IS NOT NULL THEN "
							   "  pg_catalog.format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', $1,"
							   "    pg_catalog.replace(con.conname, 'usage_records_default', $1),"
							   "    pg_catalog.pg_get_constraintdef(con.oid)) "
							   "ELSE pg_catalog.format('CREATE %sINDEX %I ON public.%I %s',"
							   "    CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END,"
							   "    pg_catalog.replace(c.relname, 'usage_records_default', $1), $1,"
							   "    pg_catalog.substring(pg_catalog.pg_get_indexdef(i.indexrelid), ' USING .*$')) END "
							   "FROM pg_catalog.pg_index i"
							   "  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
							   "  LEFT JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) i.indexrelid"
							   "    AND con.conrelid OPERATOR(pg_catalog.=) i.indrelid "
							   "WHERE i.indrelid OPERATOR(pg_catalog.=) 'public.usage_records_default'::pg_catalog.regclass"
							   "  AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h"
							   "    WHERE h.inhrelid OPERATOR(pg_catalog.=) i.indexrelid) "
							   "ORDER BY c.relname",
							   1, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the indexes of public.usage_records_default");
	n = (int) SPI_processed;
	stmts = palloc0(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
		stmts[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	for (i = 0; i < n; i++)
		run_sql(stmts[i]);
}

/*
 * Creates one month standalone, moves its rows out of the default partition
 * and attaches it.  Returns the number of rows moved.
 */
static uint64
create_month(const MonthToCreate *m, const char *columns)
{
	StringInfoData sql;
	char	   *rel = psprintf("usage_records_%s", m->suffix);
	const char *qrel = quote_identifier(rel);
	uint64		moved;

	initStringInfo(&sql);

	/* the new table, invisible to others until the transaction commits */
	appendStringInfo(&sql,
					 "CREATE TABLE public.%s (LIKE public.usage_records INCLUDING ALL, "
					 "CONSTRAINT %s CHECK (created_at >= '%s'::timestamptz AND created_at < '%s'::timestamptz))",
					 qrel, quote_identifier(psprintf("%s_month", rel)), m->lower, m->upper);
	run_sql(sql.data);
	copy_template_indexes(rel);
	resetStringInfo(&sql);
	appendStringInfo(&sql,
					 "ALTER TABLE public.%s ENABLE ROW LEVEL SECURITY; "
					 "REVOKE ALL ON public.%s FROM PUBLIC, anon, authenticated, service_role; "
					 "GRANT SELECT ON public.%s TO service_role; "
					 "COMMENT ON TABLE public.%s IS 'Partition of usage_records for the UTC month %.4s-%.2s, created by fenta.maintain_partitions(). Read through usage_records; the API roles have no direct access (service_role may read it).'",
					 qrel, qrel, qrel, qrel, m->suffix, m->suffix + 5);
	run_sql(sql.data);

	/*
	 * The strong locks, held to the end of the transaction.  Writers of
	 * usage_records wait on the parent, before routing their rows: an
	 * insert routed to the default partition before the month is attached
	 * would fail once it is.  Readers go on, except those of the default
	 * partition.
	 */
	run_sql("LOCK TABLE ONLY public.usage_records IN SHARE MODE");
	run_sql("LOCK TABLE public.usage_records_default IN ACCESS EXCLUSIVE MODE");
	resetStringInfo(&sql);
	appendStringInfo(&sql,
					 "WITH moved AS (DELETE FROM ONLY public.usage_records_default "
					 "WHERE created_at >= '%s'::timestamptz AND created_at < '%s'::timestamptz "
					 "RETURNING %s) "
					 "INSERT INTO public.%s (%s) SELECT %s FROM moved",
					 m->lower, m->upper, columns, qrel, columns, columns);
	moved = run_sql(sql.data);
	resetStringInfo(&sql);
	appendStringInfo(&sql,
					 "ALTER TABLE public.usage_records ATTACH PARTITION public.%s "
					 "FOR VALUES FROM ('%s') TO ('%s')",
					 qrel, m->lower, m->upper);
	run_sql(sql.data);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE public.%s DROP CONSTRAINT %s",
					 qrel, quote_identifier(psprintf("%s_month", rel)));
	run_sql(sql.data);
	return moved;
}

/*
 * Detaches one expired month and archives or drops it.
 */
static void
detach_month(const char *rel, bool drop)
{
	const char *qrel = quote_identifier(rel);
	char	   *sql;

	sql = psprintf("ALTER TABLE public.usage_records DETACH PARTITION public.%s", qrel);
	run_sql(sql);
	if (drop)
		sql = psprintf("DROP TABLE public.%s", qrel);
	else
		sql = psprintf("ALTER TABLE public.%s SET SCHEMA fenta_archive", qrel);
	run_sql(sql);
}

/*
 * Kinds of per-month steps run in a subtransaction.
 */
typedef enum MonthStep
{
	STEP_CREATE,
	STEP_DETACH,
	STEP_DETACH_DROP,
	STEP_DROP_ARCHIVED
} MonthStep;

/*
 * Runs one step in a subtransaction.  A lock timeout or deadlock rolls the
 * step back and returns false (the month is retried on the next run); any
 * other error is re-thrown.
 */
static bool
run_step(MonthStep step, const MonthToCreate *m, const char *rel,
		 const char *columns, uint64 *moved)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		switch (step)
		{
			case STEP_CREATE:
				if (m == NULL || moved == NULL)
					elog(ERROR, "fenta.maintain_partitions(): no month to create");
				*moved = create_month(m, columns);
				break;
			case STEP_DETACH:
				detach_month(rel, false);
				break;
			case STEP_DETACH_DROP:
				detach_month(rel, true);
				break;
			case STEP_DROP_ARCHIVED:
				run_sql(psprintf("DROP TABLE fenta_archive.%s", quote_identifier(rel)));
				break;
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;

		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE &&
			edata->sqlerrcode != ERRCODE_T_R_DEADLOCK_DETECTED)
			ReThrowError(edata);
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("fenta.maintain_partitions() deferred %s: %s",
						step == STEP_CREATE ? psprintf("usage_records_%s", m->suffix) : rel,
						edata->message),
				 errhint("The month is retried on the next run; fenta.maintenance_lock_timeout sets how long a run waits for a lock.")));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();

	return ok;
}

/*
 * Calls fenta.NAME() if it exists (functions of the quota engine) and
 * returns its integer result; -1 when there is no such function.
 */
static int32
call_if_exists(const char *name)
{
	List	   *fname = list_make2(makeString("fenta"), makeString((char *) name));
	char	   *sql;
	int			rc;
	bool		isnull;
	Datum		d;

	if (!OidIsValid(LookupFuncName(fname, 0, NULL, true)))
		return -1;
	sql = psprintf("SELECT (fenta.%s())::pg_catalog.int4", name);
	rc = SPI_execute(sql, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not run fenta.%s()", name);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetInt32(d);
}

/*
 * The body of a run, between SPI_connect and SPI_finish.
 */
static void
maintain(TimestampTz as_of, int32 months_ahead, bool has_retention,
		 int32 retention_months, bool drop_detached, bool refresh_usage,
		 MaintainResult *res)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, INT4OID};
	Datum		args[2];
	int			rc;
	int			nmonths;
	MonthToCreate *months;
	char	   *columns = NULL;
	int			save_nestlevel;
	char		timeout[32];
	int			i;

	args[0] = TimestampTzGetDatum(as_of);

	/* months to create: a catalog lookup and a scan of the default */
	args[1] = Int32GetDatum(months_ahead);
	rc = SPI_execute_plan(keep_plan(&months_plan, months_sql, 2, argtypes),
						  args, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not list the months to create");
	nmonths = (int) SPI_processed;
	months = palloc0(sizeof(MonthToCreate) * Max(nmonths, 1));
	for (i = 0; i < nmonths; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		months[i].suffix = SPI_getvalue(tup, desc, 1);
		months[i].lower = SPI_getvalue(tup, desc, 2);
		months[i].upper = SPI_getvalue(tup, desc, 3);
		months[i].exists = DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);

	/* the strong locks of the steps below wait at most this long */
	save_nestlevel = NewGUCNestLevel();
	snprintf(timeout, sizeof(timeout), "%d", fenta_maintenance_lock_timeout);
	(void) set_config_option("lock_timeout", timeout,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	/* dropping expired months was asked for: the drop guard lets them go */
	if (drop_detached)
		(void) set_config_option("fenta.allow_drop", "on",
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);

	for (i = 0; i < nmonths; i++)
	{
		uint64		moved = 0;

		if (months[i].exists)
		{
			ereport(WARNING,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("fenta.maintain_partitions() cannot create partition usage_records_%s: a relation of that name exists and is not a partition",
							months[i].suffix),
					 errhint("Rename or drop public.usage_records_%s, or attach it yourself.",
							 months[i].suffix)));
			res->months_deferred++;
			continue;
		}
		if (columns == NULL)
			columns = usage_records_columns();
		if (run_step(STEP_CREATE, &months[i], NULL, columns, &moved))
		{
			res->months_created++;
			res->rows_moved += (int64) moved;
		}
		else
			res->months_deferred++;
	}

	if (has_retention)
	{
		int			nexpired;
		char	  **expired;

		args[1] = Int32GetDatum(retention_months);
		expired = list_months(&expired_plan, expired_sql, args, argtypes, &nexpired);

		for (i = 0; i < nexpired; i++)
		{
			if (!drop_detached &&
				OidIsValid(get_relname_relid(expired[i], get_namespace_oid("fenta_archive", false))))
			{
				ereport(WARNING,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("fenta.maintain_partitions() cannot archive %s: fenta_archive.%s exists",
								expired[i], expired[i])));
				res->months_deferred++;
				continue;
			}
			if (run_step(drop_detached ? STEP_DETACH_DROP : STEP_DETACH,
						 NULL, expired[i], NULL, NULL))
			{
				res->months_detached++;
				if (drop_detached)
					res->months_dropped++;
			}
			else
				res->months_deferred++;
		}

		if (drop_detached)
		{
			expired = list_months(&archived_plan, archived_sql, args, argtypes, &nexpired);
			for (i = 0; i < nexpired; i++)
			{
				if (run_step(STEP_DROP_ARCHIVED, NULL, expired[i], NULL, NULL))
					res->months_dropped++;
				else
					res->months_deferred++;
			}
		}
	}

	/* lock_timeout back to the caller's */
	AtEOXact_GUC(true, save_nestlevel);

	/* the quota engine's periodic work, when it is there */
	res->counters_rolled_up = call_if_exists("rollup_quota_counters");
	res->quota_resets = call_if_exists("apply_quota_resets");

	if (refresh_usage)
	{
		run_sql("SELECT fenta.refresh_daily_usage(true)");
		res->usage_refreshed = true;
	}
}

/*
 * fenta.maintain_partitions(months_ahead, retention_months, drop_detached,
 * refresh_usage, as_of): creates the missing monthly partitions of
 * usage_records, moves rows out of the default partition, detaches expired
 * months, runs the quota engine's resets and refreshes mv_daily_usage.
 */
Datum
fenta_maintain_partitions(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	MaintainResult res;
	Datum		values[MAINTAIN_NATTS];
	bool		nulls[MAINTAIN_NATTS];
	int32		months_ahead;
	volatile int32 retention_months = 0;
	bool		has_retention;
	bool		drop_detached;
	bool		refresh_usage;
	TimestampTz as_of;
	LOCKTAG		tag;
	bool		save_creating_extension = creating_extension;
	Oid			save_extension_object = CurrentExtensionObject;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != MAINTAIN_NATTS)
		elog(ERROR, "fenta.maintain_partitions() is declared with %d columns, expected %d",
			 tupdesc->natts, MAINTAIN_NATTS);

	/* arguments */
	if (PG_ARGISNULL(0))
		bad_argument("months_ahead", "must not be NULL", NULL);
	months_ahead = PG_GETARG_INT32(0);
	if (months_ahead < 0 || months_ahead > MAX_MONTHS_AHEAD)
		bad_argument("months_ahead",
					 psprintf("%d is out of range", months_ahead),
					 psprintf("months_ahead counts the months after the current one to create, from 0 to %d.",
							  MAX_MONTHS_AHEAD));
	has_retention = !PG_ARGISNULL(1);
	if (has_retention)
	{
		retention_months = PG_GETARG_INT32(1);
		if (retention_months < 1 || retention_months > MAX_RETENTION_MONTHS)
			bad_argument("retention_months",
						 psprintf("%d is out of range", retention_months),
						 psprintf("retention_months counts the complete months before the current one that stay attached, from 1 to %d (NULL keeps every month); the current month is always kept, and so is the previous one, which quota resets and invoices still read.",
								  MAX_RETENTION_MONTHS));
	}
	if (PG_ARGISNULL(2))
		bad_argument("drop_detached", "must not be NULL", NULL);
	drop_detached = PG_GETARG_BOOL(2);
	if (drop_detached && !has_retention)
		bad_argument("drop_detached",
					 "true needs retention_months",
					 "Only months older than retention_months are ever detached or dropped.");
	if (PG_ARGISNULL(3))
		bad_argument("refresh_usage", "must not be NULL", NULL);
	refresh_usage = PG_GETARG_BOOL(3);
	if (PG_ARGISNULL(4))
		bad_argument("as_of", "must not be NULL", NULL);
	as_of = PG_GETARG_TIMESTAMPTZ(4);
	if (TIMESTAMP_NOT_FINITE(as_of))
		bad_argument("as_of", "must be finite", NULL);

	memset(&res, 0, sizeof(res));
	res.quota_resets = -1;		/* NULL unless run */
	res.counters_rolled_up = -1;

	/* one run at a time; a second one returns at once */
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, MAINTAIN_LOCK_KEY1, MAINTAIN_LOCK_KEY2, 2);
	if (LockAcquire(&tag, ExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
	{
		ereport(NOTICE,
				(errmsg("fenta.maintain_partitions() is already running in another session; skipped")));
		res.skipped = true;
	}
	else
	{
		/*
		 * Partitions are ordinary tables, dumped with their rows: never make
		 * them members of the extension, even when called from an extension
		 * script.
		 */
		creating_extension = false;
		CurrentExtensionObject = InvalidOid;
		PG_TRY();
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			maintain(as_of, months_ahead, has_retention, retention_months,
					 drop_detached, refresh_usage, &res);
			SPI_finish();
		}
		PG_FINALLY();
		{
			creating_extension = save_creating_extension;
			CurrentExtensionObject = save_extension_object;
		}
		PG_END_TRY();
	}

	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum(res.months_created);
	values[1] = Int64GetDatum(res.rows_moved);
	values[2] = Int32GetDatum(res.months_detached);
	values[3] = Int32GetDatum(res.months_dropped);
	values[4] = Int32GetDatum(res.months_deferred);
	values[5] = Int32GetDatum(res.quota_resets);
	nulls[5] = res.quota_resets < 0;
	values[6] = Int32GetDatum(res.counters_rolled_up);
	nulls[6] = res.counters_rolled_up < 0;
	values[7] = BoolGetDatum(res.usage_refreshed);
	values[8] = BoolGetDatum(res.skipped);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
