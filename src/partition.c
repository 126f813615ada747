/*-------------------------------------------------------------------------
 *
 * partition.c
 *	  Monthly partition maintenance of usage_records.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

/*
 * Module load: maintenance GUCs and, when preloaded, the background worker.
 */
void
fenta_maintenance_init(void)
{
}
