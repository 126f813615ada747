/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  Background worker that runs fenta.maintain_partitions() periodically.
 *
 * With fenta in shared_preload_libraries and fenta.maintenance_database
 * set, the postmaster starts one worker that connects to that database as
 * fenta.maintenance_role (default: the bootstrap superuser) and, every
 * fenta.maintenance_interval seconds, runs fenta.maintain_partitions() in a
 * transaction of its own.  An error is logged and the worker goes on; SIGHUP
 * reloads the configuration, SIGTERM ends the worker.  On Supabase, where
 * preloading is not available, pg_cron does the same job
 * (fenta.schedule_maintenance()).
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

/* How long the worker sleeps while its runs are turned off (ms) */
#define WORKER_IDLE_NAPTIME		60000L

/*
 * Registers the maintenance worker; called from _PG_init while
 * shared_preload_libraries is being processed.
 */
void
fenta_register_maintenance_worker(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 60;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "$libdir/fenta");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "fenta_maintenance_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "fenta maintenance worker");
	snprintf(worker.bgw_type, BGW_MAXLEN, "fenta maintenance worker");
	worker.bgw_main_arg = (Datum) 0;
	worker.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&worker);
}

/*
 * One run of fenta.maintain_partitions() in a transaction of its own.
 * Errors are logged, the transaction rolled back and the worker goes on.
 * Returns after logging what was done.
 */
static void
run_maintenance(void)
{
	static bool warned_missing = false;
	MemoryContext oldcontext = CurrentMemoryContext;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "SELECT * FROM fenta.maintain_partitions()");

	PG_TRY();
	{
		List	   *fname = list_make2(makeString("fenta"), makeString("maintain_partitions"));

		if (!OidIsValid(get_extension_oid("fenta", true)) ||
			!OidIsValid(LookupFuncName(fname, -1, NULL, true)))
		{
			ereport(warned_missing ? DEBUG1 : LOG,
					(errmsg("fenta maintenance worker: fenta 0.2.0 or later is not installed in database \"%s\"; waiting",
							fenta_maintenance_database)));
			warned_missing = true;
		}
		else
		{
			char	   *sql;
			int			rc;

			warned_missing = false;
			if (fenta_maintenance_retention_months > 0)
				sql = psprintf("SELECT * FROM fenta.maintain_partitions(months_ahead => %d, retention_months => %d)",
							   fenta_maintenance_months_ahead, fenta_maintenance_retention_months);
			else
				sql = psprintf("SELECT * FROM fenta.maintain_partitions(months_ahead => %d)",
							   fenta_maintenance_months_ahead);
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			rc = SPI_execute(sql, false, 1);
			if (rc != SPI_OK_SELECT || SPI_processed != 1)
				elog(ERROR, "could not run fenta.maintain_partitions()");
			{
				TupleDesc	desc = SPI_tuptable->tupdesc;
				HeapTuple	tup = SPI_tuptable->vals[0];
				char	   *created = SPI_getvalue(tup, desc, 1);
				char	   *moved = SPI_getvalue(tup, desc, 2);
				char	   *detached = SPI_getvalue(tup, desc, 3);
				char	   *deferred = SPI_getvalue(tup, desc, 5);
				bool		busy = strcmp(SPI_getvalue(tup, desc, 9), "t") == 0;
				bool		did = strcmp(created, "0") != 0 || strcmp(moved, "0") != 0 ||
					strcmp(detached, "0") != 0 || strcmp(deferred, "0") != 0;

				ereport(did ? LOG : DEBUG1,
						(errmsg("fenta maintenance worker: %s%s months created, %s rows moved, %s months detached, %s deferred",
								busy ? "skipped (another run in progress); " : "",
								created, moved, detached, deferred)));
			}
			SPI_finish();
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(oldcontext);
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();
	}
	PG_END_TRY();

	MemoryContextSwitchTo(oldcontext);
	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * Empty or NULL string GUC value.
 */
static bool
guc_empty(const char *value)
{
	return value == NULL || value[0] == '\0';
}

/*
 * A string GUC's value, "" for NULL.
 */
static const char *
guc_value(const char *value)
{
	return value == NULL ? "" : value;
}

/*
 * Reloads the configuration after SIGHUP.  The worker's connection cannot
 * change database or role: when either changed, the worker exits and the
 * postmaster starts it again with the new settings.
 */
static void
reload_config(const char *database, const char *role)
{
	if (!ConfigReloadPending)
		return;
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	if (database != NULL && role != NULL &&
		(strcmp(database, guc_value(fenta_maintenance_database)) != 0 ||
		 strcmp(role, guc_value(fenta_maintenance_role)) != 0))
	{
		ereport(LOG,
				(errmsg("fenta maintenance worker restarting: fenta.maintenance_database or fenta.maintenance_role changed")));
		proc_exit(1);
	}
}

/*
 * Entry point of the maintenance worker.
 */
void
fenta_maintenance_worker_main(Datum main_arg)
{
	TimestampTz last_run = 0;
	bool		ran = false;
	char	   *database;
	char	   *role;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	/* no database yet: wait for one to be configured */
	while (guc_empty(fenta_maintenance_database))
	{
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 WORKER_IDLE_NAPTIME, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		reload_config(NULL, NULL);
	}

	database = MemoryContextStrdup(TopMemoryContext, fenta_maintenance_database);
	role = MemoryContextStrdup(TopMemoryContext, guc_value(fenta_maintenance_role));
	BackgroundWorkerInitializeConnection(database, guc_empty(role) ? NULL : role, 0);
	pgstat_report_appname("fenta maintenance worker");
	ereport(LOG,
			(errmsg("fenta maintenance worker started in database \"%s\", every %d s",
					fenta_maintenance_database, fenta_maintenance_interval)));

	for (;;)
	{
		long		wait_ms = WORKER_IDLE_NAPTIME;

		CHECK_FOR_INTERRUPTS();
		reload_config(database, role);

		if (fenta_maintenance_interval > 0)
		{
			TimestampTz now = GetCurrentTimestamp();
			TimestampTz next = TimestampTzPlusMilliseconds(last_run,
														   (int64) fenta_maintenance_interval * 1000);

			if (!ran || now >= next)
			{
				run_maintenance();
				ran = true;
				last_run = now;
				next = TimestampTzPlusMilliseconds(last_run,
												   (int64) fenta_maintenance_interval * 1000);
				now = GetCurrentTimestamp();
			}
			wait_ms = (long) ((next - now) / 1000);
			if (wait_ms < 1)
				wait_ms = 1;
		}

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 wait_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
