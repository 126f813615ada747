/*-------------------------------------------------------------------------
 *
 * quota_read.c
 *	  What the quota engine reads about an org, through the cached scans of
 *	  quota_scan.c: its quota row, its counter slots (pruning a page full of
 *	  dead slot versions on the way), its credit packs, and its prices.
 *
 *-------------------------------------------------------------------------
 */
#include "quota.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

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
		slot = quota_scan_slot(SCAN_ORGS);
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
	slot = quota_scan_slot(SCAN_LIMITS);
	if (quota_fetch_unique(SCAN_LIMITS, &f->org, NULL))
	{
		slot = quota_scan_slot(SCAN_LIMITS);
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
	if (!f->found || (flags & QR_LIMITS_ONLY))
		return;

	/* the slots not yet rolled up */
	(void) quota_lookup(SCAN_COUNTERS, &f->org, NULL);
	slot = quota_scan_slot(SCAN_COUNTERS);
	while (quota_next(SCAN_COUNTERS))
	{
		/*
		 * Readers and the trigger prune: pruning keeps every line pointer
		 * of a live version where it is (the trigger's tids stay valid)
		 */
		if (ItemPointerGetBlockNumber(&slot->tts_tid) != checked_blk)
		{
			checked_blk = ItemPointerGetBlockNumber(&slot->tts_tid);
			if (prune_blk == InvalidBlockNumber &&
				quota_page_needs_prune(quota_scan_heap(SCAN_COUNTERS),
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
		quota_prune_page(quota_scan_heap(SCAN_COUNTERS), prune_blk);
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
	slot = quota_scan_slot(SCAN_PACKS);
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

void
quota_read_packs_reader(QuotaFacts *f, int unused)
{
	quota_read_packs(f);
}
