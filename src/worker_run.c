/*-------------------------------------------------------------------------
 *
 * worker_run.c
 *	  One maintenance run, in a dynamic background worker started by the
 *	  launcher (worker.c): connect to fenta.maintenance_database as
 *	  fenta.maintenance_role, CALL fenta.run_maintenance() (or, before 0.4.0,
 *	  SELECT fenta.maintain_partitions(...)), exit.
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

/*
 * Whether schema fenta has a routine of that name: with nargs = -1 any,
 * else one callable with nargs arguments (defaults filled in); with
 * procedure, a procedure.  Never raises an error for overloaded names.
 */
static bool
have_fenta_routine(const char *name, int nargs, bool procedure)
{
	List	   *fname = list_make2(makeString("fenta"), makeString(pstrdup(name)));
	FuncCandidateList cand;

	for (cand = FuncnameGetCandidates(fname, nargs, NIL, false, nargs >= 0, false, true);
		 cand != NULL; cand = cand->next)
	{
		if (!procedure || get_func_prokind(cand->oid) == PROKIND_PROCEDURE)
			return true;
	}
	return false;
}

/*
 * Runs one statement at top level in a portal of its own, as a client's
 * simple query would run, so that a CALLed procedure may COMMIT.  Must be
 * called in a transaction, outside a transaction block.  The parse and plan
 * trees live in a context that outlives the transactions (like
 * exec_simple_query's MessageContext), since the portal is still running
 * when the procedure commits.
 */
static void
run_toplevel(const char *sql, MemoryContext runcontext)
{
	List	   *parsetrees;
	RawStmt    *parsetree;
	List	   *querytrees;
	List	   *plantrees;
	Portal		portal;
	DestReceiver *receiver;
	QueryCompletion qc;
	CommandTag	commandTag;

	MemoryContextSwitchTo(runcontext);
	parsetrees = pg_parse_query(sql);
	if (list_length(parsetrees) != 1)
		elog(ERROR, "fenta maintenance worker: one statement expected");
	parsetree = linitial_node(RawStmt, parsetrees);
	commandTag = CreateCommandTag(parsetree->stmt);

	PushActiveSnapshot(GetTransactionSnapshot());
	querytrees = pg_analyze_and_rewrite_fixedparams(parsetree, sql, NULL, 0, NULL);
	plantrees = pg_plan_queries(querytrees, sql, CURSOR_OPT_PARALLEL_OK, NULL);
	PopActiveSnapshot();

	portal = CreatePortal("fenta maintenance", true, true);
	portal->visible = false;
	PortalDefineQuery(portal, NULL, sql, commandTag, plantrees, NULL);
	PortalStart(portal, NULL, 0, InvalidSnapshot);
	PortalSetResultFormat(portal, 1, NULL);
	receiver = CreateDestReceiver(DestNone);
	InitializeQueryCompletion(&qc);
	(void) PortalRun(portal, FETCH_ALL, true, true, receiver, receiver, &qc);
	receiver->rDestroy(receiver);
	PortalDrop(portal, false);

	/*
	 * Not back to the caller's context: when the procedure committed, that
	 * was the first transaction's, now gone.
	 */
	MemoryContextSwitchTo(TopTransactionContext);
}

/*
 * fenta.maintain_partitions() with the GUCs' arguments, atomically through
 * SPI; logs what was done.
 */
static void
run_maintain_partitions(void)
{
	char	   *sql;
	int			rc;
	TupleDesc	desc;
	HeapTuple	tup;
	char	   *created;
	char	   *moved;
	char	   *detached;
	char	   *deferred;
	bool		busy;
	bool		did;

	if (fenta_maintenance_retention_months > 0)
		sql = psprintf("SELECT * FROM fenta.maintain_partitions(months_ahead => %d, retention_months => %d)",
					   fenta_maintenance_months_ahead, fenta_maintenance_retention_months);
	else
		sql = psprintf("SELECT * FROM fenta.maintain_partitions(months_ahead => %d, retention_months => NULL::pg_catalog.int4)",
					   fenta_maintenance_months_ahead);
	pgstat_report_activity(STATE_RUNNING, sql);

	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute(sql, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not run fenta.maintain_partitions()");
	desc = SPI_tuptable->tupdesc;
	tup = SPI_tuptable->vals[0];
	created = SPI_getvalue(tup, desc, 1);
	moved = SPI_getvalue(tup, desc, 2);
	detached = SPI_getvalue(tup, desc, 3);
	deferred = SPI_getvalue(tup, desc, 5);
	busy = strcmp(SPI_getvalue(tup, desc, 9), "t") == 0;
	did = strcmp(created, "0") != 0 || strcmp(moved, "0") != 0 ||
		strcmp(detached, "0") != 0 || strcmp(deferred, "0") != 0;
	ereport(did ? LOG : DEBUG1,
			(errmsg("fenta maintenance worker: %s%s months created, %s rows moved, %s months detached, %s deferred",
					busy ? "skipped (another run in progress); " : "",
					created, moved, detached, deferred)));
	SPI_finish();
	PopActiveSnapshot();
}

/*
 * Entry point of one maintenance run, started by the launcher: connects to
 * the database (main_arg) as the role (bgw_extra, InvalidOid for the
 * bootstrap superuser), runs maintenance once and exits.  An error is
 * logged and the run ends.
 */
void
fenta_maintenance_run_main(Datum main_arg)
{
	Oid			dboid = DatumGetObjectId(main_arg);
	Oid			roleoid;
	MemoryContext runcontext;

	memcpy(&roleoid, MyBgworkerEntry->bgw_extra, sizeof(Oid));
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, roleoid, 0);
	pgstat_report_appname(WORKER_TYPE);
	fenta_worker_shared->connected = true;
	pg_memory_barrier();
	/* defense in depth: what the run executes is schema-qualified anyway */
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION);

	runcontext = AllocSetContextCreate(TopMemoryContext, "fenta maintenance run",
									   ALLOCSET_DEFAULT_SIZES);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();

	PG_TRY();
	{
		char	   *dbname = get_database_name(MyDatabaseId);

		if (!OidIsValid(get_extension_oid("fenta", true)) ||
			!have_fenta_routine("maintain_partitions", -1, false))
		{
			/* one line per database, then quietly */
			ereport(fenta_worker_shared->missing_logged_db == dboid ? DEBUG1 : LOG,
					(errmsg("fenta maintenance worker: fenta 0.2.0 or later is not installed in database \"%s\"; waiting",
							dbname)));
			fenta_worker_shared->missing_logged_db = dboid;
		}
		else
		{
			fenta_worker_shared->missing_logged_db = InvalidOid;
			if (have_fenta_routine("run_maintenance", 0, true))
			{
				const char *sql = "CALL fenta.run_maintenance()";

				dbname = MemoryContextStrdup(runcontext, dbname);
				pgstat_report_activity(STATE_RUNNING, sql);
				run_toplevel(sql, runcontext);
				ereport(DEBUG1,
						(errmsg("fenta maintenance worker: fenta.run_maintenance() done in database \"%s\"",
								dbname)));
			}
			else
				run_maintain_partitions();
		}
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(runcontext);
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();
	}
	PG_END_TRY();

	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);
	proc_exit(0);
}
