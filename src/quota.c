/*-------------------------------------------------------------------------
 *
 * quota.c
 *	  The quota engine: check_quota() and the usage accounting trigger.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

/*
 * Module load: GUCs of the quota engine.
 */
void
fenta_quota_init(void)
{
}
