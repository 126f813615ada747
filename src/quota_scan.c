/*-------------------------------------------------------------------------
 *
 * quota_scan.c
 *	  The quota engine's index scans, kept open for the transaction and
 *	  rescanned per lookup (opened under the top transaction's resource owner,
 *	  closed before commit and before any utility statement), and the lookup
 *	  of a unique key through a hint.  What they read about an org is in
 *	  quota_read.c.
 *
 *-------------------------------------------------------------------------
 */
#include "quota.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/int.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

/* An index scan kept open for the transaction and rescanned per lookup. */
typedef struct CachedScan
{
	Relation	heap;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData keys[2];
	int			nkeys;
	bool		scanning;		/* an index lookup not yet done */
} CachedScan;


static CachedScan scans[N_SCANS];

/* the catalog generation each scan's heap and index were last checked in */
static uint64 heap_checked_generation[N_SCANS];
static uint64 index_checked_generation[N_SCANS];
static bool scans_open = false;
static bool scans_broken = false;

static void quota_xact_callback(XactEvent event, void *arg);
static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/*
 * Before any utility statement of this backend: close the transaction's
 * cached scans, so that DDL on the quota tables later in the transaction
 * (ALTER TABLE, CREATE INDEX ...) does not find them in use.  They are
 * reopened by the next call.
 */
static void
quota_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
					 bool readOnlyTree, ProcessUtilityContext context,
					 ParamListInfo params, QueryEnvironment *queryEnv,
					 DestReceiver *dest, QueryCompletion *qc)
{
	if (scans_open)
		quota_close_scans();
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
							params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

void
quota_scan_init(void)
{
	RegisterXactCallback(quota_xact_callback, NULL);
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = quota_ProcessUtility;
}

/*
 * Close the transaction's cached scans before commit; forget them on abort
 * (the resource owner releases what they held).
 */
void
quota_close_scans(void)
{
	ResourceOwner save = CurrentResourceOwner;
	int			i;

	CurrentResourceOwner = TopTransactionResourceOwner;
	for (i = 0; i < N_SCANS; i++)
	{
		CachedScan *cs = &scans[i];

		if (cs->scan != NULL)
			index_endscan(cs->scan);
		if (cs->slot != NULL)
			ExecDropSingleTupleTableSlot(cs->slot);
		if (cs->index != NULL)
			index_close(cs->index, NoLock);
		if (cs->heap != NULL)
			table_close(cs->heap, NoLock);
	}
	CurrentResourceOwner = save;
	memset(scans, 0, sizeof(scans));
	scans_open = false;
	scans_broken = false;
}

static void
quota_xact_callback(XactEvent event, void *arg)
{
	if (!scans_open)
		return;
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			quota_close_scans();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			memset(scans, 0, sizeof(scans));
			scans_open = false;
			scans_broken = false;
			break;
	}
}



/*
 * Open one of the transaction's index scans, on first use (under the top
 * transaction's resource owner, so that it survives the statement; it is
 * closed before commit).
 */
static CachedScan *
quota_open_scan(int which, bool with_index)
{
	static const int nkeys[N_SCANS] = {1, 2, 1, 1, 1, 1};
	CachedScan *cs = &scans[which];
	Oid			heap;
	Oid			index;
	ResourceOwner save_owner;
	MemoryContext save_cxt;
	int			k;

	if (scans_broken)
		quota_close_scans();
	if (cs->heap != NULL && (cs->scan != NULL || !with_index))
		return cs;
	quota_catalog();
	switch (which)
	{
		case SCAN_ORGS:
			heap = quota_cat.orgs;
			index = quota_cat.orgs_pkey;
			break;
		case SCAN_MEMBERS:
			heap = quota_cat.members;
			index = quota_cat.members_key;
			break;
		case SCAN_LIMITS:
			heap = quota_cat.limits;
			index = quota_cat.limits_key;
			break;
		case SCAN_COUNTERS:
			heap = quota_cat.counters;
			index = quota_cat.counters_pkey;
			break;
		case SCAN_PROFILES:
			heap = quota_cat.profiles;
			index = quota_cat.profiles_pkey;
			break;
		default:
			heap = quota_cat.packs;
			index = quota_cat.packs_available;
			break;
	}

	save_owner = CurrentResourceOwner;
	save_cxt = MemoryContextSwitchTo(TopTransactionContext);
	CurrentResourceOwner = TopTransactionResourceOwner;
	scans_open = true;
	PG_TRY();
	{
		if (cs->heap == NULL)
		{
			cs->heap = table_open(heap, AccessShareLock);

			/*
			 * The lock is taken: what the cache says must hold now.  The
			 * columns are checked once per catalog generation (a change of
			 * a column's type invalidates the relcache entry, and with it
			 * the catalog cache).
			 */
			quota_catalog();
			if (heap_checked_generation[which] != quota_cat.generation)
			{
				quota_check_columns(cs->heap);
				heap_checked_generation[which] = quota_cat.generation;
			}
			cs->slot = table_slot_create(cs->heap, NULL);
		}
		if (with_index)
		{
			cs->index = index_open(index, AccessShareLock);
			quota_catalog();
			if (index_checked_generation[which] != quota_cat.generation)
			{
				quota_check_columns(cs->index);
				index_checked_generation[which] = quota_cat.generation;
			}
			cs->nkeys = nkeys[which];
			for (k = 0; k < cs->nkeys; k++)
				ScanKeyInit(&cs->keys[k], k + 1, BTEqualStrategyNumber, F_UUID_EQ, (Datum) 0);
			cs->scan = index_beginscan(cs->heap, cs->index, GetActiveSnapshot(), cs->nkeys, 0);
		}
	}
	PG_CATCH();
	{
		CurrentResourceOwner = save_owner;
		scans_broken = true;
		PG_RE_THROW();
	}
	PG_END_TRY();
	CurrentResourceOwner = save_owner;
	MemoryContextSwitchTo(save_cxt);
	return cs;
}

/*
 * Start a lookup on a cached scan with the given uuid key(s).
 */
IndexScanDesc
quota_lookup(int which, pg_uuid_t *key1, pg_uuid_t *key2)
{
	CachedScan *cs = quota_open_scan(which, true);
	MemoryContext old;

	cs->keys[0].sk_argument = UUIDPGetDatum(key1);
	if (cs->nkeys > 1)
		cs->keys[1].sk_argument = UUIDPGetDatum(key2);
	cs->scan->xs_snapshot = GetActiveSnapshot();
	/* what the index AM allocates lazily must live as long as the scan */
	old = MemoryContextSwitchTo(TopTransactionContext);
	index_rescan(cs->scan, cs->keys, cs->nkeys, NULL, 0);
	MemoryContextSwitchTo(old);
	cs->scanning = true;
	return cs->scan;
}

/*
 * Next tuple of a lookup into the scan's slot (see quota_lookup).
 */
bool
quota_next(int which)
{
	CachedScan *cs = &scans[which];
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	bool		found = index_getnext_slot(cs->scan, ForwardScanDirection, cs->slot);

	MemoryContextSwitchTo(old);
	return found;
}

/* The heap relation of a cached scan (open once a lookup has started). */
Relation
quota_scan_heap(int which)
{
	return scans[which].heap;
}

/* The slot a cached scan returns its rows in. */
TupleTableSlot *
quota_scan_slot(int which)
{
	return scans[which].slot;
}

/*
 * End a lookup: drop the buffer pins, so that none is held between calls.
 */
void
quota_lookup_done(int which)
{
	CachedScan *cs = &scans[which];
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	ExecClearTuple(cs->slot);
	if (cs->scanning)
		index_rescan(cs->scan, cs->keys, cs->nkeys, NULL, 0);
	cs->scanning = false;
	MemoryContextSwitchTo(old);
}

/*
 * Where the row of a unique key was found last, per scan and key hash: a
 * hint only.  A lookup first fetches the row version at the hinted place;
 * when it is visible to the active snapshot and carries the key, it is the
 * row of that key the unique index would lead to (in an MVCC snapshot at
 * most one row per key is visible), and the index is not read: the row of a
 * member, a profile or a quota row rarely moves.  Otherwise (moved by an
 * update, deleted, vacuumed, a rewritten table) the index is read and the
 * hint updated.
 */
#define N_HINTS 256
typedef struct TidHint
{
	pg_uuid_t	key1;
	pg_uuid_t	key2;
	ItemPointerData tid;
} TidHint;

static TidHint *hints[N_SCANS];

static TidHint *
quota_hint(int which, pg_uuid_t *key1, pg_uuid_t *key2)
{
	uint32		h;

	if (hints[which] == NULL)
		hints[which] = MemoryContextAllocZero(TopMemoryContext, sizeof(TidHint) * N_HINTS);
	h = hash_bytes((const unsigned char *) key1->data, UUID_LEN);
	if (key2 != NULL)
		h ^= hash_bytes((const unsigned char *) key2->data, UUID_LEN);
	return &hints[which][h % N_HINTS];
}

/* does the row in the scan's slot carry the key? */
static bool
quota_row_has_key(int which, TupleTableSlot *slot, pg_uuid_t *key1, pg_uuid_t *key2)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, quota_cat.key_att[which][0], &isnull);

	if (isnull || memcmp(DatumGetUUIDP(d)->data, key1->data, UUID_LEN) != 0)
		return false;
	if (key2 == NULL)
		return true;
	d = slot_getattr(slot, quota_cat.key_att[which][1], &isnull);
	return !isnull && memcmp(DatumGetUUIDP(d)->data, key2->data, UUID_LEN) == 0;
}

/*
 * Look up the row of a unique key (SCAN_MEMBERS, SCAN_PROFILES,
 * SCAN_LIMITS) into the scan's slot; end with quota_lookup_done.
 */
bool
quota_fetch_unique(int which, pg_uuid_t *key1, pg_uuid_t *key2)
{
	TidHint    *hint = quota_hint(which, key1, key2);
	CachedScan *cs;
	bool		found;

	Assert(which == SCAN_MEMBERS || which == SCAN_PROFILES || which == SCAN_LIMITS);
	if (ItemPointerIsValid(&hint->tid) &&
		memcmp(hint->key1.data, key1->data, UUID_LEN) == 0 &&
		(key2 == NULL || memcmp(hint->key2.data, key2->data, UUID_LEN) == 0))
	{
		cs = quota_open_scan(which, false);
		/* the table may have been truncated by a vacuum since */
		if (ItemPointerGetBlockNumber(&hint->tid) < RelationGetNumberOfBlocks(cs->heap))
		{
			MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
			ItemPointerData tid = hint->tid;

			found = table_tuple_fetch_row_version(cs->heap, &tid, GetActiveSnapshot(), cs->slot);
			MemoryContextSwitchTo(old);
			if (found && quota_row_has_key(which, cs->slot, key1, key2))
				return true;
			ExecClearTuple(cs->slot);
		}
	}
	(void) quota_lookup(which, key1, key2);
	found = quota_next(which);
	if (found)
	{
		hint->key1 = *key1;
		if (key2 != NULL)
			hint->key2 = *key2;
		hint->tid = scans[which].slot->tts_tid;
	}
	return found;
}

/*
 * Run a reader with the cached scans, under the top transaction's resource
 * owner; a scan interrupted by an error is reopened at the next use.
 */
void
quota_with_scans(void (*reader) (QuotaFacts *, int), QuotaFacts *f, int arg)
{
	ResourceOwner save = CurrentResourceOwner;

	if (!ActiveSnapshotSet())
		elog(ERROR, "fenta quota engine called without an active snapshot");
	CurrentResourceOwner = TopTransactionResourceOwner;
	PG_TRY();
	{
		reader(f, arg);
	}
	PG_CATCH();
	{
		CurrentResourceOwner = save;
		scans_broken = true;
		PG_RE_THROW();
	}
	PG_END_TRY();
	CurrentResourceOwner = save;
}


