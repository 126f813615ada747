/*-------------------------------------------------------------------------
 *
 * fenta.c
 *	  Module entry point of the fenta extension: module magic and _PG_init.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

#include "miscadmin.h"

PG_MODULE_MAGIC;

/*
 * Module load: define GUCs and, when preloaded, register the background
 * worker.  Nothing to do during binary upgrade.
 */
void
_PG_init(void)
{
	if (IsBinaryUpgrade)
		return;

	fenta_quota_init();
	fenta_maintenance_init();
}
