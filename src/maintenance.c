/*-------------------------------------------------------------------------
 *
 * maintenance.c
 *	  The maintenance GUCs and the SQL entry points of partition maintenance:
 *	  fenta.maintain_partitions() (one run in one transaction) and the
 *	  plan, step and session-lock functions behind the procedure
 *	  fenta.run_maintenance() (a transaction per step).  The run itself is
 *	  partition.c's.
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


PG_FUNCTION_INFO_V1(fenta_maintain_partitions);
PG_FUNCTION_INFO_V1(fenta_maintenance_plan);
PG_FUNCTION_INFO_V1(fenta_maintenance_step);
PG_FUNCTION_INFO_V1(fenta_maintenance_session_lock);

/* GUCs, see fenta_maintenance_init() */
int			fenta_maintenance_lock_timeout = 500;
int			fenta_maintenance_interval = 600;
char	   *fenta_maintenance_database = NULL;
char	   *fenta_maintenance_role = NULL;
int			fenta_maintenance_months_ahead = 3;
int			fenta_maintenance_retention_months = 0;


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
							"Seconds between two runs of maintenance by the background worker.",
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
							   "Database in which the background worker runs maintenance.",
							   "Empty: the worker waits; so it does while the database does not exist.  Needs fenta in shared_preload_libraries.",
							   &fenta_maintenance_database,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("fenta.maintenance_role",
							   "Role as which the background worker runs maintenance.",
							   "Empty: the bootstrap superuser.  The worker waits while the role does not exist or cannot log in.",
							   &fenta_maintenance_role,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);

	if (process_shared_preload_libraries_in_progress)
		fenta_register_maintenance_worker();
}

/* The advisory lock of maintenance runs */
static void
maintenance_locktag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, MAINTAIN_LOCK_KEY1, MAINTAIN_LOCK_KEY2, 2);
}

/*
 * fenta.maintain_partitions(months_ahead, retention_months, drop_detached,
 * refresh_usage, as_of): creates the missing monthly partitions of
 * usage_records, moves rows out of the default partition, detaches expired
 * months, and (when it changed no partition) runs the quota engine's
 * rollup and resets and refreshes mv_daily_usage.
 */
Datum
fenta_maintain_partitions(PG_FUNCTION_ARGS)
{
	const char *fname = "fenta.maintain_partitions()";
	TupleDesc	tupdesc;
	MaintainResult res;
	MaintainArgs a;
	Datum		values[MAINTAIN_NATTS];
	bool		nulls[MAINTAIN_NATTS];
	LOCKTAG		tag;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != MAINTAIN_NATTS)
		elog(ERROR, "fenta.maintain_partitions() is declared with %d columns, expected %d",
			 tupdesc->natts, MAINTAIN_NATTS);

	/* arguments */
	memset(&a, 0, sizeof(a));
	if (PG_ARGISNULL(0))
		maintenance_bad_argument(fname, "months_ahead", "must not be NULL", NULL);
	a.months_ahead = PG_GETARG_INT32(0);
	a.has_retention = !PG_ARGISNULL(1);
	if (a.has_retention)
		a.retention_months = PG_GETARG_INT32(1);
	if (PG_ARGISNULL(2))
		maintenance_bad_argument(fname, "drop_detached", "must not be NULL", NULL);
	a.drop_detached = PG_GETARG_BOOL(2);
	if (PG_ARGISNULL(3))
		maintenance_bad_argument(fname, "refresh_usage", "must not be NULL", NULL);
	a.refresh_usage = PG_GETARG_BOOL(3);
	if (PG_ARGISNULL(4))
		maintenance_bad_argument(fname, "as_of", "must not be NULL", NULL);
	a.as_of = PG_GETARG_TIMESTAMPTZ(4);
	maintenance_check_args(fname, &a);
	maintenance_require_read_committed(fname);

	memset(&res, 0, sizeof(res));
	res.quota_resets = -1;		/* NULL unless run */
	res.counters_rolled_up = -1;

	/* one run at a time; a second one returns at once */
	maintenance_locktag(&tag);
	if (LockAcquire(&tag, ExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
	{
		ereport(NOTICE,
				(errmsg("fenta.maintain_partitions() is already running in another session; skipped")));
		res.skipped = true;
	}
	else
	{
		BEGIN_NOT_EXTENSION_MEMBERS
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			maintenance_run(&a, &res);
			SPI_finish();
		}
		END_NOT_EXTENSION_MEMBERS;
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

/*
 * fenta.maintenance_plan(months_ahead, retention_months, drop_detached,
 * as_of) RETURNS TABLE (step text, month text): the partition steps a run
 * of fenta.run_maintenance() does, each in a transaction of its own.  NULL
 * months_ahead and retention_months take fenta.maintenance_months_ahead
 * and fenta.maintenance_retention_months (0: no retention); NULL as_of is
 * now().
 */
Datum
fenta_maintenance_plan(PG_FUNCTION_ARGS)
{
	const char *fname = "fenta.run_maintenance()";
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MaintainArgs a;
	Step	   *steps;
	int			nsteps;
	int			blocked;
	int			i;

	memset(&a, 0, sizeof(a));
	a.months_ahead = PG_ARGISNULL(0) ? fenta_maintenance_months_ahead : PG_GETARG_INT32(0);
	if (PG_ARGISNULL(1))
	{
		a.has_retention = fenta_maintenance_retention_months > 0;
		a.retention_months = fenta_maintenance_retention_months;
	}
	else
	{
		a.retention_months = PG_GETARG_INT32(1);
		a.has_retention = a.retention_months != 0;
	}
	if (PG_ARGISNULL(2))
		maintenance_bad_argument(fname, "drop_detached", "must not be NULL", NULL);
	a.drop_detached = PG_GETARG_BOOL(2);
	a.as_of = PG_ARGISNULL(3) ? GetCurrentTransactionStartTimestamp() : PG_GETARG_TIMESTAMPTZ(3);
	maintenance_check_args(fname, &a);

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	steps = maintenance_plan_steps(fname, &a, &nsteps, &blocked);
	for (i = 0; i < nsteps; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(partition_step_names[steps[i].kind]);
		values[1] = CStringGetTextDatum(steps[i].suffix);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	PG_RETURN_NULL();
}

/*
 * fenta.maintenance_step(step text, month text, OUT done boolean, OUT
 * rows_moved bigint): one step of fenta.maintenance_plan(), under
 * fenta.maintenance_lock_timeout.  done is false when the step was
 * deferred (a lock not had in time, or another run at work).  Destructive
 * steps only ever touch months before the previous month of now().
 */
Datum
fenta_maintenance_step(PG_FUNCTION_ARGS)
{
	const char *fname = "fenta.run_maintenance()";
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	Step		step;
	char	   *kind;
	int			year;
	int			month;
	uint64		moved = 0;
	bool		ok = false;
	LOCKTAG		tag;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		maintenance_bad_argument("fenta.maintenance_step()", PG_ARGISNULL(0) ? "step" : "month", "must not be NULL", NULL);
	kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	step.suffix = text_to_cstring(PG_GETARG_TEXT_PP(1));
	for (i = 0; i < NUM_STEP_KINDS; i++)
		if (strcmp(kind, partition_step_names[i]) == 0)
			break;
	if (i == NUM_STEP_KINDS)
		maintenance_bad_argument("fenta.maintenance_step()", "step", psprintf("unknown step \"%s\"", kind), NULL);
	step.kind = (StepKind) i;
	if (!partition_parse_suffix(step.suffix, &year, &month))
		maintenance_bad_argument("fenta.maintenance_step()", "month",
					 psprintf("\"%s\" is not a month", step.suffix), "A month is written YYYY_MM.");
	if (step.kind != STEP_CREATE && strcmp(step.suffix, partition_previous_month()) >= 0)
		maintenance_bad_argument("fenta.maintenance_step()", "month",
					 psprintf("%s is the current or previous month, or later", step.suffix),
					 "Only months before the previous month are ever archived, detached or dropped.");
	maintenance_require_read_committed(fname);

	maintenance_locktag(&tag);
	if (LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL)
	{
		BEGIN_NOT_EXTENSION_MEMBERS
		{
			int			save_nestlevel;
			bool		skip = false;

			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			/* done meanwhile (another run) or no longer to do: nothing */
			if (step.kind == STEP_CREATE)
			{
				Oid			relid = get_relname_relid(psprintf("usage_records_%s", step.suffix),
													  PG_PUBLIC_NAMESPACE);

				skip = OidIsValid(relid) && get_rel_relispartition(relid);
				ok = skip;
			}
			if (!skip)
			{
				save_nestlevel = maintenance_set_lock_timeout();
				ok = maintenance_run_step(fname, &step, partition_usage_columns(), &moved);
				AtEOXact_GUC(true, save_nestlevel);
			}
			SPI_finish();
		}
		END_NOT_EXTENSION_MEMBERS;
	}
	values[0] = BoolGetDatum(ok);
	values[1] = Int64GetDatum((int64) moved);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * fenta.maintenance_session_lock(acquire boolean) RETURNS boolean: takes
 * (true) or releases (false) the advisory lock of maintenance runs at
 * session level, for fenta.run_maintenance(), which commits between its
 * steps.  Taking it releases first what an earlier, failed run of the
 * session left, and refuses to run inside a transaction block; it returns
 * false when another session runs maintenance.
 */
Datum
fenta_maintenance_session_lock(PG_FUNCTION_ARGS)
{
	bool		acquire = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
	LOCKTAG		tag;

	maintenance_locktag(&tag);
	if (acquire && IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("fenta.run_maintenance() cannot run inside a transaction block"),
				 errdetail("It commits after each step, so that no lock is held for longer than one step."),
				 errhint("CALL it on its own (autocommit), or use SELECT * FROM fenta.maintain_partitions() inside a transaction.")));
	while (LockHeldByMe(&tag, ExclusiveLock))
		if (!LockRelease(&tag, ExclusiveLock, true))
			break;
	if (!acquire)
		PG_RETURN_BOOL(true);
	if (LockAcquire(&tag, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
	{
		ereport(NOTICE,
				(errmsg("fenta maintenance is already running in another session; skipped")));
		PG_RETURN_BOOL(false);
	}
	PG_RETURN_BOOL(true);
}

