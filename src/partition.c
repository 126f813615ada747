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
 * This file plans and runs the steps of a run; partition_month.c holds one
 * month's DDL, maintenance.c the GUCs and the SQL entry points.
 *
 *-------------------------------------------------------------------------
 */
#include "partition.h"


#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
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
#include "utils/datetime.h"

const char *const partition_step_names[] = {
	"create", "archive_rows", "detach", "detach_drop", "drop_archived"
};
StaticAssertDecl(lengthof(partition_step_names) == NUM_STEP_KINDS, "one name per step kind");

/*
 * The retention cutoff, as a YYYY_MM suffix: months before it are expired.
 * It is the month of as_of less retention_months, but never later than the
 * month before the current month of the real clock, whatever as_of says:
 * the current and the previous month are never detached.
 */
static const char *cutoff_sql =
"SELECT pg_catalog.to_char(LEAST("
"  pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', $1))"
"    OPERATOR(pg_catalog.-) pg_catalog.make_interval(months => $2),"
"  pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))"
"    OPERATOR(pg_catalog.-) pg_catalog.make_interval(months => 1)), 'YYYY_MM')";

/*
 * Months to create: the window and the months of rows in the default.  For
 * each: whether a relation that is not a partition has its name in public,
 * whether it is archived (fenta_archive has it), whether it is older than
 * the retention cutoff ($3, NULL without retention), and whether it has
 * rows waiting in the default partition.
 */
static SPIPlanPtr months_plan = NULL;
static const char *months_sql =
"WITH cur AS ("
"  SELECT pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', $1)) AS m"
"), wanted AS ("
"  SELECT g AS m, false AS late"
"  FROM cur, pg_catalog.generate_series(cur.m,"
"    cur.m OPERATOR(pg_catalog.+) pg_catalog.make_interval(months => $2),"
"    pg_catalog.make_interval(months => 1)) g"
"  UNION ALL"
"  SELECT DISTINCT pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', d.created_at)), true"
"  FROM ONLY public.usage_records_default d"
"  WHERE pg_catalog.isfinite(d.created_at)"
"), w AS ("
"  SELECT wanted.m, pg_catalog.bool_or(wanted.late) AS late, pg_catalog.to_char(wanted.m, 'YYYY_MM') AS suffix"
"  FROM wanted GROUP BY wanted.m"
") "
"SELECT w.suffix, c.oid IS NOT NULL,"
"  a.oid IS NOT NULL,"
"  $3 IS NOT NULL AND w.suffix OPERATOR(pg_catalog.<) $3,"
"  w.late "
"FROM w"
"  LEFT JOIN pg_catalog.pg_class c"
"    ON c.relnamespace OPERATOR(pg_catalog.=) 'public'::pg_catalog.regnamespace"
"    AND c.relname OPERATOR(pg_catalog.=) ('usage_records_' OPERATOR(pg_catalog.||) w.suffix)::pg_catalog.name"
"  LEFT JOIN pg_catalog.pg_class a"
"    ON a.relnamespace OPERATOR(pg_catalog.=) 'fenta_archive'::pg_catalog.regnamespace"
"    AND a.relname OPERATOR(pg_catalog.=) ('usage_records_' OPERATOR(pg_catalog.||) w.suffix)::pg_catalog.name "
"WHERE w.m OPERATOR(pg_catalog.>=) '0001-01-01'::pg_catalog.timestamp"
"  AND w.m OPERATOR(pg_catalog.<) '10000-01-01'::pg_catalog.timestamp"
"  AND (c.oid IS NULL OR NOT c.relispartition) "
"ORDER BY w.m";

/* Attached monthly partitions older than the retention cutoff ($1) */
static SPIPlanPtr expired_plan = NULL;
static const char *expired_sql =
"SELECT pg_catalog.substr(c.relname::pg_catalog.text, 15) "
"FROM pg_catalog.pg_inherits i"
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhrelid "
"WHERE i.inhparent OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass"
"  AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'"
"  AND c.relname::pg_catalog.text OPERATOR(pg_catalog.<) ('usage_records_' OPERATOR(pg_catalog.||) $1) "
"ORDER BY 1";

/* Archived months older than the retention cutoff ($1, dropped on request) */
static SPIPlanPtr archived_plan = NULL;
static const char *archived_sql =
"SELECT pg_catalog.substr(c.relname::pg_catalog.text, 15) "
"FROM pg_catalog.pg_class c "
"WHERE c.relnamespace OPERATOR(pg_catalog.=) 'fenta_archive'::pg_catalog.regnamespace"
"  AND c.relkind OPERATOR(pg_catalog.=) 'r'"
"  AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'"
"  AND c.relname::pg_catalog.text OPERATOR(pg_catalog.<) ('usage_records_' OPERATOR(pg_catalog.||) $1) "
"ORDER BY 1";

/*
 * Raises 22023 for a bad argument of the maintenance function fname, naming
 * the argument.
 */
void
maintenance_bad_argument(const char *fname, const char *name, const char *message, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for argument \"%s\" of %s: %s",
					name, fname, message),
			 detail ? errdetail("%s", detail) : 0));
}

/*
 * Checks the arguments of a run (fname names the function in the errors).
 */
void
maintenance_check_args(const char *fname, MaintainArgs *a)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	Interval	span;
	TimestampTz lo;
	TimestampTz hi;

	if (a->months_ahead < 0 || a->months_ahead > MAX_MONTHS_AHEAD)
		maintenance_bad_argument(fname, "months_ahead",
					 psprintf("%d is out of range", a->months_ahead),
					 psprintf("months_ahead counts the months after the current one to create, from 0 to %d.",
							  MAX_MONTHS_AHEAD));
	if (a->has_retention &&
		(a->retention_months < 1 || a->retention_months > MAX_RETENTION_MONTHS))
		maintenance_bad_argument(fname, "retention_months",
					 psprintf("%d is out of range", a->retention_months),
					 psprintf("retention_months counts the complete months before the current one that stay attached, from 1 to %d (NULL keeps every month); the current month is always kept, and so is the previous one, which quota resets and invoices still read.",
							  MAX_RETENTION_MONTHS));
	if (a->drop_detached && !a->has_retention)
		maintenance_bad_argument(fname, "drop_detached",
					 "true needs retention_months",
					 "Only months older than retention_months are ever detached or dropped.");
	if (TIMESTAMP_NOT_FINITE(a->as_of))
		maintenance_bad_argument(fname, "as_of", "must be finite", NULL);
	memset(&span, 0, sizeof(span));
	span.month = MAX_AS_OF_MONTHS;
	lo = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
												 TimestampTzGetDatum(now),
												 IntervalPGetDatum(&span)));
	hi = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												 TimestampTzGetDatum(now),
												 IntervalPGetDatum(&span)));
	if (a->as_of < lo || a->as_of > hi)
		maintenance_bad_argument(fname, "as_of",
					 psprintf("%s is too far from now()", timestamptz_to_str(a->as_of)),
					 psprintf("as_of must be within %d months of now() (%s).",
							  MAX_AS_OF_MONTHS, timestamptz_to_str(now)));
}

/*
 * Refuses to run in a transaction that uses one snapshot: rows committed
 * after it would stay in the default partition, and the attach would fail.
 */
void
maintenance_require_read_committed(const char *fname)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("%s must run at isolation level READ COMMITTED", fname),
				 errdetail("Rows inserted after the transaction's snapshot was taken would be left behind in the default partition."),
				 errhint("Run it in a transaction of its own, or better, CALL fenta.run_maintenance() outside a transaction block.")));
}

/*
 * Runs one step in a subtransaction.  A lock timeout or deadlock rolls the
 * step back and returns false (the month is retried on the next run); any
 * other error is re-thrown.
 */
bool
maintenance_run_step(const char *fname, const Step *step, const char *columns, uint64 *moved)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = true;

	*moved = 0;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		switch (step->kind)
		{
			case STEP_CREATE:
				*moved = partition_create_month(step->suffix, columns);
				break;
			case STEP_ARCHIVE_ROWS:
				*moved = partition_archive_rows(step->suffix, columns);
				break;
			case STEP_DETACH:
				partition_detach_month(step->suffix, false);
				break;
			case STEP_DETACH_DROP:
				partition_detach_month(step->suffix, true);
				break;
			case STEP_DROP_ARCHIVED:
				partition_drop_month_table(psprintf("fenta_archive.%s",
										  quote_identifier(psprintf("usage_records_%s", step->suffix))));
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
				 errmsg("%s deferred %s of usage_records_%s: %s",
						fname, partition_step_names[step->kind], step->suffix, edata->message),
				 errhint("The month is retried on the next run; fenta.maintenance_lock_timeout sets how long a run waits for a lock.")));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();

	return ok;
}

/*
 * The steps of a run, in order: months to create (or late rows to archive),
 * then expired months to detach, then archived months to drop.  Months in
 * the way (a relation of the name that is not a partition) are reported
 * and counted in *blocked.
 */
Step *
maintenance_plan_steps(const char *fname, const MaintainArgs *a, int *nsteps, int *blocked)
{
	Oid			argtypes[3] = {TIMESTAMPTZOID, INT4OID, TEXTOID};
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};
	char	   *cutoff = NULL;
	int			rc;
	int			nmonths;
	int			n = 0;
	int			max;
	Step	   *steps;
	int			i;

	*blocked = 0;
	args[0] = TimestampTzGetDatum(a->as_of);
	if (a->has_retention)
	{
		args[1] = Int32GetDatum(a->retention_months);
		rc = SPI_execute_with_args(cutoff_sql, 2, argtypes, args, NULL, true, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not compute the retention cutoff");
		cutoff = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		SPI_freetuptable(SPI_tuptable);
	}

	args[1] = Int32GetDatum(a->months_ahead);
	args[2] = cutoff ? CStringGetTextDatum(cutoff) : (Datum) 0;
	nulls[2] = cutoff ? ' ' : 'n';
	rc = SPI_execute_plan(partition_keep_plan(&months_plan, months_sql, 3, argtypes),
						  args, nulls, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not list the months to create");
	nmonths = (int) SPI_processed;
	max = nmonths + 16;
	steps = palloc0(sizeof(Step) * max);
	for (i = 0; i < nmonths; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *suffix = SPI_getvalue(tup, desc, 1);
		bool		in_the_way = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
		bool		archived = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));
		bool		expired = DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull));
		bool		late = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));

		if (archived || expired)
		{
			/* retired by retention: late rows go to the archive */
			if (late)
				steps[n++] = (Step) {STEP_ARCHIVE_ROWS, suffix};
			continue;
		}
		if (in_the_way)
		{
			ereport(WARNING,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("%s cannot create partition usage_records_%s: a relation of that name exists and is not a partition",
							fname, suffix),
					 errhint("Rename or drop public.usage_records_%s, or attach it yourself.",
							 suffix)));
			(*blocked)++;
			continue;
		}
		steps[n++] = (Step) {STEP_CREATE, suffix};
	}
	SPI_freetuptable(SPI_tuptable);

	if (cutoff != NULL)
	{
		int			nlist;
		char	  **list;
		Oid			archive_ns = get_namespace_oid("fenta_archive", false);

		list = partition_list_months(&expired_plan, expired_sql, cutoff, &nlist);
		for (i = 0; i < nlist; i++)
		{
			if (n >= max)
				steps = repalloc(steps, sizeof(Step) * (max *= 2));
			if (!a->drop_detached &&
				OidIsValid(get_relname_relid(psprintf("usage_records_%s", list[i]), archive_ns)))
			{
				ereport(WARNING,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("%s cannot archive usage_records_%s: fenta_archive.usage_records_%s exists",
								fname, list[i], list[i])));
				(*blocked)++;
				continue;
			}
			steps[n++] = (Step) {a->drop_detached ? STEP_DETACH_DROP : STEP_DETACH, list[i]};
		}
		if (a->drop_detached)
		{
			list = partition_list_months(&archived_plan, archived_sql, cutoff, &nlist);
			for (i = 0; i < nlist; i++)
			{
				if (n >= max)
					steps = repalloc(steps, sizeof(Step) * (max *= 2));
				steps[n++] = (Step) {STEP_DROP_ARCHIVED, list[i]};
			}
		}
	}
	*nsteps = n;
	return steps;
}

/*
 * Sets lock_timeout to fenta.maintenance_lock_timeout at a new GUC nest
 * level; returns the level to pass to AtEOXact_GUC().
 */
int
maintenance_set_lock_timeout(void)
{
	int			save_nestlevel = NewGUCNestLevel();
	char		timeout[32];

	snprintf(timeout, sizeof(timeout), "%d", fenta_maintenance_lock_timeout);
	(void) set_config_option("lock_timeout", timeout,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return save_nestlevel;
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
 * Runs fenta.apply_quota_resets_batch() until a batch makes no progress
 * and returns the number of orgs reset; -1 without the quota engine.
 */
static int32
apply_resets_skip_locked(void)
{
	List	   *fname = list_make2(makeString("fenta"), makeString("apply_quota_resets_batch"));
	Oid			argtypes[1] = {INT4OID};
	int32		n = 0;

	if (!OidIsValid(LookupFuncName(fname, 1, argtypes, true)))
		return call_if_exists("apply_quota_resets");
	for (;;)
	{
		int			rc;
		bool		isnull;
		bool		progress;

		rc = SPI_execute("SELECT b.orgs_reset, b.progress FROM fenta.apply_quota_resets_batch(1000) b",
						 false, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not run fenta.apply_quota_resets_batch()");
		n += DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		progress = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		SPI_freetuptable(SPI_tuptable);
		if (!progress)
			break;
	}
	return n;
}

/*
 * Counts a step's outcome in a run's results.
 */
static void
count_step(const Step *step, bool ok, uint64 moved, MaintainResult *res)
{
	if (!ok)
	{
		res->months_deferred++;
		return;
	}
	res->rows_moved += (int64) moved;
	switch (step->kind)
	{
		case STEP_CREATE:
			res->months_created++;
			break;
		case STEP_ARCHIVE_ROWS:
			break;
		case STEP_DETACH:
			res->months_detached++;
			break;
		case STEP_DETACH_DROP:
			res->months_detached++;
			res->months_dropped++;
			break;
		case STEP_DROP_ARCHIVED:
			res->months_dropped++;
			break;
	}
}

/*
 * The body of a run of fenta.maintain_partitions(), between SPI_connect and
 * SPI_finish.  The month steps come first; their strong locks stay until
 * the caller's transaction ends, so when a step took any (a month created,
 * rows archived, a month detached), the quota rollup, the resets and the
 * refresh of mv_daily_usage are left to the next run rather than run under
 * them.  CALL fenta.run_maintenance() commits between steps instead.
 */
void
maintenance_run(const MaintainArgs *a, MaintainResult *res)
{
	const char *fname = "fenta.maintain_partitions()";
	Step	   *steps;
	int			nsteps;
	int			blocked;
	char	   *columns = NULL;
	int			save_nestlevel;
	bool		strong = false;
	int			i;

	steps = maintenance_plan_steps(fname, a, &nsteps, &blocked);
	res->months_deferred += blocked;

	save_nestlevel = maintenance_set_lock_timeout();
	for (i = 0; i < nsteps; i++)
	{
		uint64		moved = 0;
		bool		ok;

		if (columns == NULL)
			columns = partition_usage_columns();
		ok = maintenance_run_step(fname, &steps[i], columns, &moved);
		count_step(&steps[i], ok, moved, res);
		if (ok && steps[i].kind != STEP_DROP_ARCHIVED)
			strong = true;
	}
	/* lock_timeout back to the caller's */
	AtEOXact_GUC(true, save_nestlevel);

	if (strong)
	{
		ereport(NOTICE,
				(errmsg("%s left the quota rollup, the quota resets and the refresh of fenta.mv_daily_usage to the next run", fname),
				 errdetail("This run changed partitions; their locks are held until the transaction ends."),
				 errhint("CALL fenta.run_maintenance() does every step in a short transaction of its own.")));
		return;
	}

	/*
	 * The quota engine's periodic work, when it is there: the rollup (which
	 * skips rows held by running transactions), the refresh, and last the
	 * resets, in batches that skip the orgs running transactions hold (they
	 * are reset on a later run): the orgs reset stay locked only until the
	 * end of this call's transaction, and nothing here waits for a writer.
	 */
	res->counters_rolled_up = call_if_exists("rollup_quota_counters");
	if (a->refresh_usage)
	{
		partition_run_sql("SELECT fenta.refresh_daily_usage(true)");
		res->usage_refreshed = true;
	}
	res->quota_resets = apply_resets_skip_locked();
}
