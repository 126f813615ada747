/*-------------------------------------------------------------------------
 *
 * fenta.c
 *	  Module entry point of the fenta extension: module magic and _PG_init.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

#include "miscadmin.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

/*
 * Module load: define GUCs (and reserve the fenta. prefix) and, when
 * preloaded, register the background worker.  Nothing to do during binary upgrade.
 */
void
_PG_init(void)
{
	if (IsBinaryUpgrade)
		return;

	fenta_guard_init();
	fenta_quota_init();
	fenta_maintenance_init();
	/* fenta.* names are fenta's: a misspelt one is an error, not a placeholder */
	MarkGUCPrefixReserved("fenta");
}
