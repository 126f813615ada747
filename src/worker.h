/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  What the maintenance launcher (worker.c) and its runs (worker_run.c)
 *	  share: their names and a small shared memory area.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FENTA_WORKER_H
#define FENTA_WORKER_H

#include "fenta.h"

#define LAUNCHER_TYPE	"fenta maintenance launcher"
#define WORKER_TYPE		"fenta maintenance worker"

/*
 * State shared by the launcher and its runs: whether "fenta is not
 * installed" was already logged for a database, so that a database
 * without fenta gets one line, not one per run; whether the run got its
 * connection (reset by the launcher before each run), so that the launcher
 * knows when a run failed to connect (no CONNECT privilege, a connection
 * limit...).  Only one run exists at a time.
 */
typedef struct FentaWorkerShared
{
	Oid			missing_logged_db;
	bool		connected;		/* the current run got its connection */
} FentaWorkerShared;

extern FentaWorkerShared *fenta_worker_shared;

#endif							/* FENTA_WORKER_H */
