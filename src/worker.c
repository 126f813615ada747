/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  Background maintenance: a launcher and one short-lived worker per run
 *	  (the run itself: worker_run.c).
 *
 * With fenta in shared_preload_libraries, the postmaster starts the "fenta
 * maintenance launcher".  It connects to no database (it reads only the
 * shared catalogs pg_database and pg_authid), so it never blocks DROP
 * DATABASE, ALTER DATABASE ... RENAME or CREATE DATABASE ... TEMPLATE.
 * Every fenta.maintenance_interval seconds it checks that
 * fenta.maintenance_database exists and accepts connections and that
 * fenta.maintenance_role (default: the bootstrap superuser) exists and may
 * log in, then starts a dynamic background worker, the "fenta maintenance
 * worker", which connects to the database as the role, runs maintenance
 * once and exits; the launcher waits for it to end.  Between runs nothing is
 * connected to the database.
 *
 * While the database or the role is missing, the launcher waits: it logs
 * one line when it starts waiting, re-checks at every interval (at most
 * every WORKER_RECHECK_MS) and on SIGHUP, and starts working as soon as
 * what was missing exists.  Likewise a run in a database without fenta logs
 * one line and the next runs wait quietly (the state survives from one run
 * to the next in a small shared memory area).
 *
 * A run CALLs the procedure fenta.run_maintenance() when it exists (it
 * commits between its steps, so it is called non-atomically, at top level
 * in a portal, the way a client's CALL runs), otherwise it runs
 * fenta.maintain_partitions(months_ahead => fenta.maintenance_months_ahead,
 * retention_months => fenta.maintenance_retention_months or NULL).  An error
 * is logged and the next run comes at the next interval.  SIGHUP reloads
 * the configuration (the database and the role can change without a
 * restart); SIGTERM ends the launcher, and a run it is waiting for.  On
 * Supabase, where preloading is not available, pg_cron does the same job
 * (fenta.schedule_maintenance()).
 *
 *-------------------------------------------------------------------------
 */
#include "worker.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "catalog/pg_proc.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/shmem.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

/* How long the launcher sleeps while runs are turned off (ms) */
#define WORKER_IDLE_NAPTIME		60000L
/* At most this long between two checks for a missing database or role (ms) */
#define WORKER_RECHECK_MS		10000L
/* Longest back-off after runs that could not connect (ms), see next_run_time */
#define WORKER_BACKOFF_CAP_MS	600000L

/* the area, attached by fenta_worker_shmem_startup() */
FentaWorkerShared *fenta_worker_shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* What the launcher waits for; a change of state is logged once */
typedef enum LauncherState
{
	LAUNCHER_STARTING,
	LAUNCHER_NO_DATABASE_SET,
	LAUNCHER_RUNS_OFF,
	LAUNCHER_NO_DATABASE,
	LAUNCHER_DATABASE_CLOSED,
	LAUNCHER_NO_ROLE,
	LAUNCHER_ROLE_NOLOGIN,
	LAUNCHER_READY
} LauncherState;

static void
fenta_worker_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(FentaWorkerShared)));
}

static void
fenta_worker_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	fenta_worker_shared = ShmemInitStruct("fenta maintenance worker",
									sizeof(FentaWorkerShared), &found);
	if (!found)
	{
		fenta_worker_shared->missing_logged_db = InvalidOid;
		fenta_worker_shared->connected = false;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Registers the launcher and its shared memory; called from _PG_init while
 * shared_preload_libraries is being processed.
 */
void
fenta_register_maintenance_worker(void)
{
	BackgroundWorker worker;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = fenta_worker_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = fenta_worker_shmem_startup;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "$libdir/fenta");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "fenta_maintenance_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, LAUNCHER_TYPE);
	snprintf(worker.bgw_type, BGW_MAXLEN, LAUNCHER_TYPE);
	worker.bgw_main_arg = (Datum) 0;
	worker.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&worker);
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
 * Looks up the database and the role of the runs in the shared catalogs.
 * Returns LAUNCHER_READY with *dboid and *roleoid set (InvalidOid for the
 * bootstrap superuser) or what is missing.  Plain heap scans, like the
 * autovacuum launcher's: without a database, the syscaches' indexes of the
 * shared catalogs are not usable before the shared relcache init file has
 * been written (right after initdb).
 */
static LauncherState
check_database_and_role(Oid *dboid, Oid *roleoid)
{
	LauncherState state = LAUNCHER_NO_DATABASE;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	*dboid = InvalidOid;
	*roleoid = InvalidOid;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();

	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (strcmp(NameStr(db->datname), fenta_maintenance_database) != 0)
			continue;
#ifdef DATCONNLIMIT_INVALID_DB
		/* being dropped, or a DROP DATABASE was interrupted: gone */
		if (db->datconnlimit == DATCONNLIMIT_INVALID_DB)
			break;
#endif
		*dboid = db->oid;
		state = db->datallowconn ? LAUNCHER_READY : LAUNCHER_DATABASE_CLOSED;
		break;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);

	if (state == LAUNCHER_READY && !guc_empty(fenta_maintenance_role))
	{
		state = LAUNCHER_NO_ROLE;
		rel = table_open(AuthIdRelationId, AccessShareLock);
		scan = table_beginscan_catalog(rel, 0, NULL);
		while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
		{
			Form_pg_authid role = (Form_pg_authid) GETSTRUCT(tup);

			if (strcmp(NameStr(role->rolname), fenta_maintenance_role) != 0)
				continue;
			*roleoid = role->oid;
			state = role->rolcanlogin ? LAUNCHER_READY : LAUNCHER_ROLE_NOLOGIN;
			break;
		}
		table_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	CommitTransactionCommand();
	return state;
}

/*
 * Logs the launcher's state when it changed (one line per change) and
 * shows it in pg_stat_activity.query.
 */
static void
report_state(LauncherState *current, LauncherState state)
{
	const char *role = guc_empty(fenta_maintenance_role) ?
		"the bootstrap superuser" : fenta_maintenance_role;
	char	   *activity = NULL;

	switch (state)
	{
		case LAUNCHER_STARTING:
			break;
		case LAUNCHER_NO_DATABASE_SET:
			activity = pstrdup("fenta.maintenance_database is not set");
			break;
		case LAUNCHER_RUNS_OFF:
			activity = pstrdup("fenta.maintenance_interval is 0");
			break;
		case LAUNCHER_NO_DATABASE:
			activity = psprintf("database \"%s\" does not exist",
								fenta_maintenance_database);
			break;
		case LAUNCHER_DATABASE_CLOSED:
			activity = psprintf("database \"%s\" does not allow connections",
								fenta_maintenance_database);
			break;
		case LAUNCHER_NO_ROLE:
			activity = psprintf("role \"%s\" does not exist",
								fenta_maintenance_role);
			break;
		case LAUNCHER_ROLE_NOLOGIN:
			activity = psprintf("role \"%s\" is not permitted to log in",
								fenta_maintenance_role);
			break;
		case LAUNCHER_READY:
			activity = psprintf("runs maintenance in database \"%s\" as %s every %d s",
								fenta_maintenance_database, role,
								fenta_maintenance_interval);
			break;
	}

	if (state != *current && activity != NULL)
	{
		if (state == LAUNCHER_READY)
			ereport(LOG,
					(errmsg("fenta maintenance launcher: %s", activity)));
		else if (state == LAUNCHER_NO_DATABASE_SET || state == LAUNCHER_RUNS_OFF)
			ereport(DEBUG1,
					(errmsg("fenta maintenance launcher: %s; no runs", activity)));
		else
			ereport(LOG,
					(errmsg("fenta maintenance launcher: %s; waiting", activity),
					 errhint("Runs start once it is fixed; the launcher checks again every %d s and on reload.",
							 (int) (Min((long) fenta_maintenance_interval * 1000L,
										WORKER_RECHECK_MS) / 1000))));
	}
	/* pg_stat_activity.query shows what the launcher is doing */
	if (activity != NULL && state != LAUNCHER_READY)
	{
		char	   *waiting = psprintf("waiting: %s", activity);

		pfree(activity);
		activity = waiting;
	}
	*current = state;
	if (activity != NULL)
	{
		pgstat_report_activity(STATE_IDLE, activity);
		pfree(activity);
	}
}

/*
 * Starts one run and waits for it to end.  SIGTERM terminates the run too;
 * SIGHUP is taken into account after the run.  Returns false when the run
 * could not connect to the database (its FATAL error is in the log).
 */
static bool
start_run_and_wait(Oid dboid, Oid roleoid)
{
	static bool warned_no_slot = false;
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "$libdir/fenta");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "fenta_maintenance_run_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, WORKER_TYPE);
	snprintf(worker.bgw_type, BGW_MAXLEN, WORKER_TYPE);
	worker.bgw_main_arg = ObjectIdGetDatum(dboid);
	memcpy(worker.bgw_extra, &roleoid, sizeof(Oid));
	worker.bgw_notify_pid = MyProcPid;

	fenta_worker_shared->connected = false;
	pg_memory_barrier();
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(warned_no_slot ? DEBUG1 : WARNING,
				(errmsg("fenta maintenance launcher: could not start a maintenance run"),
				 errhint("Raise max_worker_processes; the run is retried at the next interval.")));
		warned_no_slot = true;
		return true;
	}
	warned_no_slot = false;

	for (;;)
	{
		pid_t		pid;
		BgwHandleStatus status = GetBackgroundWorkerPid(handle, &pid);

		if (status == BGWH_STOPPED)
			break;
		if (status == BGWH_POSTMASTER_DIED)
			proc_exit(1);
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		if (ProcDiePending)
			TerminateBackgroundWorker(handle);
		CHECK_FOR_INTERRUPTS();
	}
	pfree(handle);
	pg_memory_barrier();
	return fenta_worker_shared->connected;
}

/*
 * When the next run is due: an interval after the last one, and after runs
 * that could not connect, 2, 4, 8... intervals (at most 1024, and at most 10
 * minutes unless the interval is longer), so that a role without CONNECT
 * privilege does not fill the log.
 */
static TimestampTz
next_run_time(TimestampTz last_run, int failures)
{
	int64		delay_ms = (int64) fenta_maintenance_interval * 1000;

	if (failures > 0)
		delay_ms = Min(delay_ms << Min(failures, 10),
					   Max(delay_ms, WORKER_BACKOFF_CAP_MS));
	return TimestampTzPlusMilliseconds(last_run, delay_ms);
}

/*
 * Entry point of the launcher.
 */
void
fenta_maintenance_launcher_main(Datum main_arg)
{
	LauncherState state = LAUNCHER_STARTING;
	TimestampTz last_run = 0;
	bool		ran = false;
	int			failures = 0;	/* runs in a row that could not connect */

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	/* no database: only the shared catalogs */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname(LAUNCHER_TYPE);
	ereport(LOG, (errmsg("fenta maintenance launcher started")));

	for (;;)
	{
		long		wait_ms = WORKER_IDLE_NAPTIME;
		LauncherState now_state;
		Oid			dboid = InvalidOid;
		Oid			roleoid = InvalidOid;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			char	   *old_database = pstrdup(guc_value(fenta_maintenance_database));
			char	   *old_role = pstrdup(guc_value(fenta_maintenance_role));
			int			old_interval = fenta_maintenance_interval;

			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			/* a new setting: its state is logged again */
			if (strcmp(old_database, guc_value(fenta_maintenance_database)) != 0 ||
				strcmp(old_role, guc_value(fenta_maintenance_role)) != 0 ||
				old_interval != fenta_maintenance_interval)
				state = LAUNCHER_STARTING;
			/* whatever was fixed, try again now */
			failures = 0;
			pfree(old_database);
			pfree(old_role);
		}

		if (guc_empty(fenta_maintenance_database))
			now_state = LAUNCHER_NO_DATABASE_SET;
		else if (fenta_maintenance_interval <= 0)
			now_state = LAUNCHER_RUNS_OFF;
		else
			now_state = check_database_and_role(&dboid, &roleoid);
		report_state(&state, now_state);
		if (now_state != LAUNCHER_READY)
			failures = 0;

		if (now_state == LAUNCHER_READY)
		{
			TimestampTz now = GetCurrentTimestamp();
			TimestampTz next = next_run_time(last_run, failures);

			if (!ran || now >= next)
			{
				last_run = now;
				ran = true;
				if (start_run_and_wait(dboid, roleoid))
					failures = 0;
				else if (failures++ == 0)
					ereport(LOG,
							(errmsg("fenta maintenance launcher: a run could not connect to database \"%s\" as %s; retrying less often",
									fenta_maintenance_database,
									guc_empty(fenta_maintenance_role) ?
									"the bootstrap superuser" : fenta_maintenance_role),
							 errdetail("The run's error is logged just before."),
							 errhint("Grant the role CONNECT on the database (or lift the connection limit); a reload retries at once.")));
				next = next_run_time(last_run, failures);
				now = GetCurrentTimestamp();
			}
			wait_ms = (long) ((next - now) / 1000);
			if (wait_ms < 1)
				wait_ms = 1;
		}
		else if (now_state != LAUNCHER_NO_DATABASE_SET && now_state != LAUNCHER_RUNS_OFF)
			wait_ms = Min((long) fenta_maintenance_interval * 1000L, WORKER_RECHECK_MS);

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 wait_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

