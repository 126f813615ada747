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

/* fenta.c */
extern void _PG_init(void);

/* quota.c: GUCs and caches of the quota engine */
extern void fenta_quota_init(void);

/* partition.c, worker.c: maintenance GUCs and background worker */
extern void fenta_maintenance_init(void);

#endif							/* FENTA_H */
