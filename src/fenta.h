/*-------------------------------------------------------------------------
 *
 * fenta.h
 *	  Shared declarations of the fenta extension's C module.
 *
 * Version differences between the PostgreSQL releases fenta supports
 * (15 and 17) are kept behind PG_VERSION_NUM guards in this header only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FENTA_H
#define FENTA_H

#include "postgres.h"
#include "fmgr.h"

#if PG_VERSION_NUM < 150000
#error "fenta requires PostgreSQL 15 or later"
#endif

/* quota.c needs 128-bit integers for exact sums */
#ifndef HAVE_INT128
#error "fenta requires a compiler with 128-bit integers"
#endif

/* This backend's PGPROC number: MyProcNumber since PostgreSQL 17. */
#if PG_VERSION_NUM >= 170000
#define FENTA_MY_PROC_NUMBER	MyProcNumber
#else
#define FENTA_MY_PROC_NUMBER	(MyProc->pgprocno)
#endif

/* fenta.c */
extern void _PG_init(void);

/* guard.c: the drop guard's GUC */
extern void fenta_guard_init(void);

/* quota.c: GUCs and caches of the quota engine */
extern void fenta_quota_init(void);

/* partition.c, worker.c: maintenance GUCs and background worker */
extern void fenta_maintenance_init(void);
extern void fenta_register_maintenance_worker(void);
extern PGDLLEXPORT void fenta_maintenance_launcher_main(Datum main_arg);
extern PGDLLEXPORT void fenta_maintenance_run_main(Datum main_arg);
extern int	fenta_maintenance_lock_timeout;
extern int	fenta_maintenance_interval;
extern char *fenta_maintenance_database;
extern char *fenta_maintenance_role;
extern int	fenta_maintenance_months_ahead;
extern int	fenta_maintenance_retention_months;

#endif							/* FENTA_H */
