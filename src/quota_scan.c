/*-------------------------------------------------------------------------
 *
 * quota_scan.c
 *	  The quota engine's reads: index scans kept open for the transaction and
 *	  rescanned per lookup (opened under the top transaction's resource owner,
 *	  closed before commit and before any utility statement), and what they
 *	  read about an org.
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
	int			nkeys;
	ScanKeyData keys[2];
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

/* numeric * 10^scale as int64 (prices and caps have at most 6 decimals) */
static int64
numeric_scaled(Datum num, int scale)
{
	Datum		factor = NumericGetDatum(int64_to_numeric(scale == 6 ? 1000000 : 100));

	return DatumGetInt64(DirectFunctionCall1(numeric_int8,
											 DirectFunctionCall2(numeric_mul, num, factor)));
}

/*
 * Dead versions of an org's counter slots.  The usage trigger updates the
 * slot rows in place (HOT), so after a burst of writes each slot's index
 * entry leads to a chain of superseded versions that every read walks, until
 * the page is pruned; PostgreSQL prunes a page on access only once it is
 * nearly full (heap_page_prune_opt), which can leave a hundred dead versions
 * on a counters page for check_quota to walk on every call until the next
 * vacuum.  So the reader prunes the page itself when it finds at least
 * QUOTA_PRUNE_MIN_VERSIONS superseded versions on it that no snapshot can
 * see any more: once after a burst, then the chains are one version long.
 * Pruning changes no visible row (what the reader reads is the same).
 */
#define QUOTA_PRUNE_MIN_VERSIONS 8

static bool
quota_page_needs_prune(Relation rel, Buffer buf)
{
	Page		page = BufferGetPage(buf);
	TransactionId prune_xid = ((PageHeader) page)->pd_prune_xid;
	OffsetNumber off;
	OffsetNumber maxoff;
	int			superseded = 0;

	if (!TransactionIdIsValid(prune_xid) || RecoveryInProgress())
		return false;
	if (!GlobalVisTestIsRemovableXid(GlobalVisTestFor(rel), prune_xid))
		return false;
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	maxoff = PageGetMaxOffsetNumber(page);
	for (off = FirstOffsetNumber; off <= maxoff; off = OffsetNumberNext(off))
	{
		ItemId		lp = PageGetItemId(page, off);

		if (ItemIdIsNormal(lp) &&
			HeapTupleHeaderIsHotUpdated((HeapTupleHeader) PageGetItem(page, lp)) &&
			++superseded >= QUOTA_PRUNE_MIN_VERSIONS)
			break;
	}
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	return superseded >= QUOTA_PRUNE_MIN_VERSIONS;
}

/* Prune one counters page if nobody else has it pinned (never waits). */
static void
quota_prune_page(Relation rel, BlockNumber blk)
{
	Buffer		buf = ReadBuffer(rel, blk);

	if (ConditionalLockBufferForCleanup(buf))
	{
		Page		page = BufferGetPage(buf);
		TransactionId prune_xid = ((PageHeader) page)->pd_prune_xid;
		GlobalVisState *vistest = GlobalVisTestFor(rel);

		if (TransactionIdIsValid(prune_xid) &&
			GlobalVisTestIsRemovableXid(vistest, prune_xid))
		{
			int			nnewlpdead;
			int			ndeleted;

			/* 15.8 added the oldest_xmin argument (InvalidTransactionId: vistest) */
#if PG_VERSION_NUM >= 150008
			ndeleted = heap_page_prune(rel, buf, InvalidTransactionId, vistest,
									   InvalidTransactionId, 0, &nnewlpdead, NULL);
#else
			ndeleted = heap_page_prune(rel, buf, vistest,
									   InvalidTransactionId, 0, &nnewlpdead, NULL);
#endif

			if (ndeleted > nnewlpdead)
				pgstat_update_heap_dead_tuples(rel, ndeleted - nnewlpdead);
		}
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	}
	ReleaseBuffer(buf);
}

/*
 * Read the org, its quota row and its slots (the body of quota_load, run
 * with the cached scans under the top transaction's resource owner).
 */

void
quota_read(QuotaFacts *f, int flags)
{
	TupleTableSlot *slot;
	bool		isnull;
	int			r;
	BlockNumber checked_blk = InvalidBlockNumber;
	BlockNumber prune_blk = InvalidBlockNumber;

	/*
	 * The org: exists (else it has no quota row), not soft-deleted: said by
	 * the quota row's copy of orgs.deleted_at, or by orgs before 0.3.0.
	 */
	if (!(flags & QR_ANY_ORG) && quota_cat.lim_org_deleted_at == InvalidAttrNumber)
	{
		(void) quota_lookup(SCAN_ORGS, &f->org, NULL);
		slot = scans[SCAN_ORGS].slot;
		if (quota_next(SCAN_ORGS))
		{
			(void) slot_getattr(slot, quota_cat.orgs_deleted_at, &isnull);
			f->found = isnull;
		}
		quota_lookup_done(SCAN_ORGS);
		if (!f->found)
			return;
	}

	/* the quota row */
	f->found = false;
	slot = scans[SCAN_LIMITS].slot;
	if (quota_fetch_unique(SCAN_LIMITS, &f->org, NULL))
	{
		slot = scans[SCAN_LIMITS].slot;
		f->found = true;
		if (!(flags & QR_ANY_ORG) && quota_cat.lim_org_deleted_at != InvalidAttrNumber)
		{
			(void) slot_getattr(slot, quota_cat.lim_org_deleted_at, &isnull);
			f->found = isnull;
		}
	}
	if (f->found)
	{
		for (r = 0; r < N_RES; r++)
		{
			f->limit[r] = slot_int64(slot, quota_cat.lim_limit[r], &f->limit_null[r]);
			f->used[r] = slot_int64(slot, quota_cat.lim_used[r], NULL);
		}
		for (r = 0; r < N_REQ; r++)
			f->reserved[r] = slot_int64(slot, quota_cat.lim_reserved[r], NULL);
		f->from_packs = slot_int64(slot, quota_cat.lim_from_packs, NULL);
		f->allow_overage = DatumGetBool(slot_getattr(slot, quota_cat.lim_allow_overage, &isnull));
		if ((flags & QR_PRICES) || f->allow_overage)
		{
			/*
			 * Converted only when the decision needs them (quota_load_prices):
			 * a request that fits needs no prices.
			 */
			f->cap_num = datumCopy(slot_getattr(slot, quota_cat.lim_cap, &isnull), false, -1);
			for (r = 0; r < N_REQ; r++)
				f->price_num[r] = datumCopy(slot_getattr(slot, quota_cat.lim_price[r], &isnull), false, -1);
			f->prices_read = true;
		}
	}
	quota_lookup_done(SCAN_LIMITS);
	if (!f->found)
		return;

	/* the slots not yet rolled up */
	(void) quota_lookup(SCAN_COUNTERS, &f->org, NULL);
	slot = scans[SCAN_COUNTERS].slot;
	while (quota_next(SCAN_COUNTERS))
	{
		/* readers (not the trigger, which keeps the rows' places) prune */
		if (!(flags & QR_SLOT_ROWS) &&
			ItemPointerGetBlockNumber(&slot->tts_tid) != checked_blk)
		{
			checked_blk = ItemPointerGetBlockNumber(&slot->tts_tid);
			if (prune_blk == InvalidBlockNumber &&
				quota_page_needs_prune(scans[SCAN_COUNTERS].heap,
									   ((BufferHeapTupleTableSlot *) slot)->buffer))
				prune_blk = checked_blk;
		}
		f->used[R_TOKENS] += slot_int64(slot, quota_cat.cnt_value[R_TOKENS], NULL);
		f->used[R_RENDER] += slot_int64(slot, quota_cat.cnt_value[R_RENDER], NULL);
		f->used[R_STORAGE] += slot_int64(slot, quota_cat.cnt_value[R_STORAGE], NULL);
		if ((flags & QR_SLOT_ROWS) && f->rows->n < MAX_SLOT_ROWS)
		{
			int16		n = DatumGetInt16(slot_getattr(slot, quota_cat.cnt_slot, &isnull));

			if (!isnull && n >= 0)
			{
				f->rows->slot[f->rows->n] = n;
				f->rows->tid[f->rows->n] = slot->tts_tid;
				f->rows->n++;
			}
		}
	}
	quota_lookup_done(SCAN_COUNTERS);
	if (prune_blk != InvalidBlockNumber)
		quota_prune_page(scans[SCAN_COUNTERS].heap, prune_blk);
}

/*
 * The prices and the cap as integers (read by quota_read when overage is
 * allowed or QR_PRICES asked for them).
 */
void
quota_load_prices(QuotaFacts *f)
{
	int			r;

	if (f->prices_loaded || !f->prices_read)
		return;
	f->cap_cents = numeric_scaled(f->cap_num, 2);
	for (r = 0; r < N_REQ; r++)
		f->price_micro[r] = numeric_scaled(f->price_num[r], 6);
	f->prices_loaded = true;
}

/*
 * Sum of the org's credit packs that can still be drawn (unexpired at the
 * transaction's start, as the accounting trigger's now()).
 */
static void
quota_read_packs(QuotaFacts *f)
{
	TupleTableSlot *slot;
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	f->packs_remaining = 0;
	(void) quota_lookup(SCAN_PACKS, &f->org, NULL);
	slot = scans[SCAN_PACKS].slot;
	while (quota_next(SCAN_PACKS))
	{
		bool		isnull;
		int64		remaining = slot_int64(slot, quota_cat.pack_remaining, NULL);
		Datum		expires = slot_getattr(slot, quota_cat.pack_expires, &isnull);

		if (remaining > 0 && (isnull || DatumGetTimestampTz(expires) > now))
			f->packs_remaining += remaining;
	}
	quota_lookup_done(SCAN_PACKS);
	f->packs_loaded = true;
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

void
quota_read_packs_reader(QuotaFacts *f, int unused)
{
	quota_read_packs(f);
}


