/*-------------------------------------------------------------------------
 *
 * accounting.c
 *	  The quota engine's writer: the usage_records trigger that adds usage
 *	  to the counters (update_quota_usage).  Retried events are skipped
 *	  before they get here (idempotency.c).
 *
 * Counters.  An org's exact usage of the current period is the rolled-up
 * part in public.quota_limits (*_used) plus the sum of its rows in
 * fenta.quota_counters, where the accounting trigger adds to the slot of its
 * backend (backend number modulo fenta.quota_slots; another slot when that
 * one is held by another transaction), so that concurrent writers of one org
 * do not queue on one row.  KIE.ai credits are the exception: credits beyond
 * the limit are drawn from credit packs, which needs the exact used amount,
 * so they are kept in quota_limits directly under a row lock (only writers
 * of KIE.ai credits of one org queue).
 *
 * Writes.  The hot one, adding to the backend's existing slot row, locks the
 * row's newest version and updates it with PostgreSQL's own executor
 * machinery for simple updates (ExecSimpleRelationUpdate, as logical
 * replication applies a change): the relation's indexes are read after its
 * lock is taken and every one of them is maintained, every constraint is
 * checked, row triggers fire, and the columns are checked to have the types
 * the engine reads them as (the CHECK constraints compiled once per
 * backend).  Everything else (a new slot row, KIE.ai credits and packs)
 * goes through SPI with saved plans, with search_path pinned to pg_catalog
 * and every name and operator schema-qualified: nothing resolves through
 * the caller's search_path.  Both run as the owner of fenta.quota_counters
 * (as the RI triggers run as the owner of the referenced table).
 *
 * The in-place update of a slot row is in counter_update.c.
 *
 * Lock order, followed by every writer: the orgs row (key share by the
 * usage_records foreign key check, FOR UPDATE by a reset), the quota_limits
 * row, then credit packs, counter slots and reservations.
 *
 *-------------------------------------------------------------------------
 */
#include "quota.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/int.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "storage/bufmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(fenta_update_quota_usage);

/* Saved SPI plans of the writers. */
static SPIPlanPtr plan_upsert_slot = NULL;
static SPIPlanPtr plan_lock_kai = NULL;
static SPIPlanPtr plan_packs = NULL;
static SPIPlanPtr plan_draw_pack = NULL;
static SPIPlanPtr plan_add_kai = NULL;


void
fenta_accounting_init(void)
{
	quota_counter_update_init();
}

static int
org_usage_cmp(const void *a, const void *b)
{
	return memcmp(&((const OrgUsage *) a)->org, &((const OrgUsage *) b)->org, UUID_LEN);
}

/*
 * KIE.ai credits: lock the quota row, draw what goes beyond the limit from
 * the unexpired packs (soonest expiry first), add to the counters.
 */
static void
account_kai(OrgUsage *u)
{
	Oid			t_lock[1] = {UUIDOID};
	Oid			t_draw[2] = {UUIDOID, INT8OID};
	Oid			t_add[3] = {UUIDOID, INT8OID, INT8OID};
	Datum		args[3];
	bool		isnull;
	int64		used;
	int64		limit;
	bool		limit_null;
	int64		new_used;
	int64		over = 0;
	int64		drawn = 0;
	int			pinned = quota_pin_search_path();

	args[0] = UUIDPGetDatum(&u->org);
	quota_exec(quota_plan(&plan_lock_kai,
						  "SELECT kai_credits_used, kai_credits_limit FROM public.quota_limits"
						  " WHERE org_id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
						  1, t_lock), args, SPI_OK_SELECT);
	if (SPI_processed != 1)
		quota_missing_row(&u->org);
	if (SPI_gettypeid(SPI_tuptable->tupdesc, 1) != INT8OID ||
		SPI_gettypeid(SPI_tuptable->tupdesc, 2) != INT8OID)
		elog(ERROR, "public.quota_limits.kai_credits_used and kai_credits_limit must be bigint");
	used = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	limit = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &limit_null));
	if (pg_add_s64_overflow(used, u->amount[R_KAI], &new_used))
		quota_overflow_error("kai_credits", &u->org);
	if (!limit_null)
		over = Max(new_used - limit, 0) - Max(used - limit, 0);

	if (over > 0)
	{
		uint64		i;
		uint64		n;
		SPITupleTable *packs;

		quota_exec(quota_plan(&plan_packs,
							  "SELECT id, credits_remaining FROM public.credit_packs"
							  " WHERE org_id OPERATOR(pg_catalog.=) $1"
							  " AND credits_remaining OPERATOR(pg_catalog.>) 0::pg_catalog.int8"
							  " AND (expires_at IS NULL OR expires_at OPERATOR(pg_catalog.>) pg_catalog.now())"
							  " ORDER BY expires_at NULLS LAST, created_at, id FOR UPDATE",
							  1, t_lock), args, SPI_OK_SELECT);
		packs = SPI_tuptable;
		n = SPI_processed;
		if (n > 0 && SPI_gettypeid(packs->tupdesc, 2) != INT8OID)
			elog(ERROR, "public.credit_packs.credits_remaining must be bigint");
		for (i = 0; i < n && drawn < over; i++)
		{
			Datum		draw[2];
			int64		remaining = DatumGetInt64(SPI_getbinval(packs->vals[i], packs->tupdesc, 2, &isnull));
			int64		take = Min(remaining, over - drawn);

			draw[0] = SPI_getbinval(packs->vals[i], packs->tupdesc, 1, &isnull);
			draw[1] = Int64GetDatum(take);
			quota_exec(quota_plan(&plan_draw_pack,
								  "UPDATE public.credit_packs"
								  " SET credits_remaining = credits_remaining OPERATOR(pg_catalog.-) $2"
								  " WHERE id OPERATOR(pg_catalog.=) $1",
								  2, t_draw), draw, SPI_OK_UPDATE);
			drawn += take;
		}
		SPI_freetuptable(packs);
	}
	args[1] = Int64GetDatum(u->amount[R_KAI]);
	args[2] = Int64GetDatum(drawn);
	quota_exec(quota_plan(&plan_add_kai,
						  "UPDATE public.quota_limits"
						  " SET kai_credits_used = kai_credits_used OPERATOR(pg_catalog.+) $2,"
						  " kai_credits_from_packs = kai_credits_from_packs OPERATOR(pg_catalog.+) $3"
						  " WHERE org_id OPERATOR(pg_catalog.=) $1",
						  3, t_add), args, SPI_OK_UPDATE);
	quota_unpin_search_path(pinned);
}

/*
 * The slot row this backend wrote last, per org (a small direct-mapped
 * cache): where the next statement for that org adds, without adding up the
 * org's slots (account_slot_fast).  A hint is only a place to look: the row
 * found there is locked, followed to its newest version and checked to be a
 * slot row of the org; anything else sends the statement the long way.
 * Forgotten when the counters' catalog entry is rebuilt (a rewrite of the
 * table moves every row).
 */
#define SLOT_HINTS 64
typedef struct SlotHint
{
	pg_uuid_t	org;
	ItemPointerData tid;
	uint64		generation;
} SlotHint;
static SlotHint slot_hints[SLOT_HINTS];

static SlotHint *
slot_hint(pg_uuid_t *org)
{
	uint32		h = (uint32) org->data[15] | ((uint32) org->data[14] << 8);

	return &slot_hints[h % SLOT_HINTS];
}

static void
slot_hint_set(pg_uuid_t *org, ItemPointer tid)
{
	SlotHint   *hint = slot_hint(org);

	hint->org = *org;
	hint->tid = *tid;
	hint->generation = quota_cat.generation;
}

/*
 * Add to the slot row this backend wrote last, when that is safe without
 * adding up the org's slots: no storage change (slot -1 carries negative
 * storage balances), rolled-up tokens and render seconds at most
 * QUOTA_FAST_USED_MAX, so that the org's slots, each at most QUOTA_SLOT_CAP
 * (checked by every write), cannot overflow bigint.  False: take the long
 * way (account_slot).
 */
static bool
account_slot_fast(OrgUsage *u)
{
	SlotHint   *hint = slot_hint(&u->org);
	QuotaFacts	f;
	Relation	rel;
	ItemPointerData newtid;
	bool		done;

	ItemPointerSetInvalid(&newtid);
	if (u->amount[R_STORAGE] != 0 || hint->generation != quota_cat.generation ||
		memcmp(hint->org.data, u->org.data, UUID_LEN) != 0 || !ItemPointerIsValid(&hint->tid))
		return false;
	memset(&f, 0, sizeof(f));
	f.org = u->org;
	quota_with_scans(quota_read, &f, QR_ANY_ORG | QR_LIMITS_ONLY);
	if (!f.found)
		quota_missing_row(&u->org);
	if (f.used[R_TOKENS] > QUOTA_FAST_USED_MAX || f.used[R_RENDER] > QUOTA_FAST_USED_MAX)
		return false;

	rel = table_open(quota_cat.counters, RowExclusiveLock);
	quota_catalog();
	counters_writable(rel);
	done = false;
	/* the table may have been truncated by a vacuum since */
	if (hint->generation == quota_cat.generation &&
		ItemPointerGetBlockNumber(&hint->tid) < RelationGetNumberOfBlocks(rel))
	{
		TupleTableSlot *seen = table_slot_create(rel, NULL);
		ItemPointerData tid = hint->tid;
		bool		isnull;

		/*
		 * What is at the hinted place, if anything: a fetch checks the line
		 * pointer (pruning may have freed it, even reused it) before a lock
		 * relies on it, and its pin keeps the page from being pruned until
		 * the lock is taken.
		 */
		if (table_tuple_fetch_row_version(rel, &tid, SnapshotAny, seen))
		{
			Datum		org = slot_getattr(seen, quota_cat.key_att[SCAN_COUNTERS][0], &isnull);

			if (!isnull && memcmp(DatumGetUUIDP(org)->data, u->org.data, UUID_LEN) == 0)
				done = account_slot_in_place(u, rel, &tid, LockWaitSkip, &newtid) == SLOT_DONE;
		}
		ExecDropSingleTupleTableSlot(seen);
	}
	table_close(rel, NoLock);
	if (done)
		hint->tid = newtid;
	return done;
}

/*
 * Tokens, render seconds, storage: add to one of the org's slots.  The
 * backend's own slot (backend number modulo fenta.quota_slots) comes first;
 * when another transaction holds it (more backends than slots), another
 * slot row that nobody holds, else a slot number without a row, else wait
 * for the own slot.  Concurrent writers of one org thus wait for each other
 * only when every slot is held.
 */
static void
account_slot(OrgUsage *u)
{
	static SlotRows *rows = NULL;
	Oid			types[5] = {UUIDOID, INT2OID, INT8OID, INT8OID, INT8OID};
	Datum		args[5];
	QuotaFacts	f;
	int128		total;
	int16		own = (int16) (FENTA_MY_PROC_NUMBER % quota_slots);
	int16		target = own;
	int			own_row = -1;
	bool		done = false;
	bool		taken[MAX_SLOT_ROWS];
	Relation	rel;
	int			pinned;
	int			n;
	int			i;
	ItemPointerData newtid;

	ItemPointerSetInvalid(&newtid);
	if (account_slot_fast(u))
		return;
	if (rows == NULL)
		rows = MemoryContextAlloc(TopMemoryContext, sizeof(SlotRows));

	/*
	 * The counters must stay in range: checked against the exact usage, read
	 * together with where the slot rows are.
	 */
	memset(&f, 0, sizeof(f));
	f.org = u->org;
	f.rows = rows;
	rows->n = 0;
	quota_with_scans(quota_read, &f, QR_ANY_ORG | QR_SLOT_ROWS);
	if (!f.found)
		quota_missing_row(&u->org);
	total = f.used[R_TOKENS] + u->amount[R_TOKENS];
	if (total > PG_INT64_MAX)
		quota_overflow_error("tokens", &u->org);
	total = f.used[R_RENDER] + u->amount[R_RENDER];
	if (total > PG_INT64_MAX)
		quota_overflow_error("render_seconds", &u->org);
	total = f.used[R_STORAGE] + u->amount[R_STORAGE];
	if (total > PG_INT64_MAX || total < PG_INT64_MIN)
		quota_overflow_error("storage_bytes", &u->org);

	/*
	 * What the table is, decided under its lock.  Its column types were
	 * checked when quota_read opened its scan, whose lock (held to the end
	 * of the transaction) keeps them; triggers and rules may have changed
	 * since, and are looked at now.
	 */
	rel = table_open(quota_cat.counters, RowExclusiveLock);
	quota_catalog();
	counters_writable(rel);

	n = rows->n;
	for (i = 0; i < n; i++)
		if (rows->slot[i] == own)
			own_row = i;
	/* the existing rows, own slot first, without waiting */
	for (i = 0; i < n && !done; i++)
	{
		int			r = own_row < 0 ? i : (own_row + i) % n;
		SlotOutcome o = account_slot_in_place(u, rel, &rows->tid[r], LockWaitSkip, &newtid);

		done = (o == SLOT_DONE);
		if (o == SLOT_GONE)
			rows->slot[r] = -1; /* its number is free again */
	}
	if (!done)
	{
		/* a slot number without a row: the own one if free, else the lowest */
		memset(taken, 0, sizeof(taken));
		for (i = 0; i < n; i++)
			if (rows->slot[i] >= 0 && rows->slot[i] < MAX_SLOT_ROWS)
				taken[rows->slot[i]] = true;
		target = taken[own] ? -1 : own;
		for (i = 0; target < 0 && i < quota_slots; i++)
			if (!taken[i])
				target = (int16) i;
		/* every slot held: wait for the own one */
		if (target < 0)
		{
			target = own;
			done = own_row >= 0 &&
				account_slot_in_place(u, rel, &rows->tid[own_row], LockWaitBlock, &newtid) == SLOT_DONE;
		}
	}
	table_close(rel, NoLock);
	if (done)
	{
		slot_hint_set(&u->org, &newtid);
		return;
	}

	/* a new slot row: upsert through SPI */
	args[0] = UUIDPGetDatum(&u->org);
	args[1] = Int16GetDatum(target);
	args[2] = Int64GetDatum(u->amount[R_TOKENS]);
	args[3] = Int64GetDatum(u->amount[R_RENDER]);
	args[4] = Int64GetDatum(u->amount[R_STORAGE]);
	pinned = quota_pin_search_path();
	quota_exec(quota_plan(&plan_upsert_slot,
						  "INSERT INTO fenta.quota_counters AS c (org_id, slot, tokens, render_seconds, storage_bytes)"
						  " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, slot) DO UPDATE"
						  " SET tokens = c.tokens OPERATOR(pg_catalog.+) excluded.tokens,"
						  " render_seconds = c.render_seconds OPERATOR(pg_catalog.+) excluded.render_seconds,"
						  " storage_bytes = c.storage_bytes OPERATOR(pg_catalog.+) excluded.storage_bytes"
						  " RETURNING c.tokens, c.render_seconds, c.ctid",
						  5, types), args, SPI_OK_INSERT_RETURNING);
	quota_unpin_search_path(pinned);
	/* the slot's cap, as in the in-place update (counter_update.c) */
	if (SPI_processed == 1 && SPI_gettypeid(SPI_tuptable->tupdesc, 1) == INT8OID &&
		SPI_gettypeid(SPI_tuptable->tupdesc, 2) == INT8OID)
	{
		bool		isnull;
		Datum		d;

		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull && DatumGetInt64(d) > QUOTA_SLOT_CAP)
			quota_slot_cap_error("tokens", &u->org);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		if (!isnull && DatumGetInt64(d) > QUOTA_SLOT_CAP)
			quota_slot_cap_error("render_seconds", &u->org);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
		if (!isnull)
			slot_hint_set(&u->org, (ItemPointer) DatumGetPointer(d));
	}
	else
		elog(ERROR, "the upsert of a counter slot returned no row of two bigints");
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Add one row's amounts to its org's entry, with overflow checks.
 */
static void
add_row(OrgUsage *u, TupleTableSlot *slot)
{
	int64		prompt = slot_int64(slot, quota_cat.use_prompt, NULL);
	int64		output = slot_int64(slot, quota_cat.use_output, NULL);
	int64		tokens;
	int64		kai = slot_int64(slot, quota_cat.use_kai, NULL);
	int64		render = slot_int64(slot, quota_cat.use_render, NULL);
	int64		storage = slot_int64(slot, quota_cat.use_storage, NULL);

	if (prompt < 0 || output < 0 || kai < 0 || render < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("usage amounts must not be negative")));
	if (pg_add_s64_overflow(prompt, output, &tokens) ||
		pg_add_s64_overflow(u->amount[R_TOKENS], tokens, &u->amount[R_TOKENS]))
		quota_overflow_error("tokens", &u->org);
	if (pg_add_s64_overflow(u->amount[R_KAI], kai, &u->amount[R_KAI]))
		quota_overflow_error("kai_credits", &u->org);
	if (pg_add_s64_overflow(u->amount[R_RENDER], render, &u->amount[R_RENDER]))
		quota_overflow_error("render_seconds", &u->org);
	if (pg_add_s64_overflow(u->amount[R_STORAGE], storage, &u->amount[R_STORAGE]))
		quota_overflow_error("storage_bytes", &u->org);
}

#define SMALL_ORGS 8

/*
 * update_quota_usage(): AFTER INSERT ... FOR EACH STATEMENT trigger on
 * usage_records with REFERENCING NEW TABLE.  Aggregates the new rows per
 * org, then accounts each org once, in org order.
 */
Datum
fenta_update_quota_usage(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = quota_usage_trigger(fcinfo, "fenta.update_quota_usage()");
	Tuplestorestate *ts;
	TupleTableSlot *slot;
	OrgUsage	small[SMALL_ORGS];
	OrgUsage   *orgs = small;
	int			norgs = 0;
	HTAB	   *hash = NULL;
	int			readptr;
	int			i;
	QuotaOwnerContext oc;

	ts = trigdata->tg_newtable;
	slot = MakeSingleTupleTableSlot(RelationGetDescr(trigdata->tg_relation), &TTSOpsMinimalTuple);
	readptr = tuplestore_alloc_read_pointer(ts, 0);
	tuplestore_select_read_pointer(ts, readptr);
	tuplestore_rescan(ts);
	while (tuplestore_gettupleslot(ts, true, false, slot))
	{
		bool		isnull;
		pg_uuid_t  *org = DatumGetUUIDP(slot_getattr(slot, quota_cat.use_org, &isnull));
		OrgUsage   *u = NULL;

		if (isnull)
			continue;			/* NOT NULL column */
		if (hash == NULL)
		{
			for (i = 0; i < norgs; i++)
				if (memcmp(&orgs[i].org, org, UUID_LEN) == 0)
				{
					u = &orgs[i];
					break;
				}
			if (u == NULL && norgs < SMALL_ORGS)
			{
				u = &orgs[norgs++];
				memset(u, 0, sizeof(*u));
				u->org = *org;
			}
			else if (u == NULL)
			{
				HASHCTL		ctl;

				ctl.keysize = UUID_LEN;
				ctl.entrysize = sizeof(OrgUsage);
				ctl.hcxt = CurrentMemoryContext;
				hash = hash_create("fenta usage per org", 256, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
				for (i = 0; i < norgs; i++)
					memcpy(hash_search(hash, &orgs[i].org, HASH_ENTER, NULL), &orgs[i], sizeof(OrgUsage));
			}
		}
		if (hash != NULL)
		{
			bool		found;

			u = hash_search(hash, org, HASH_ENTER, &found);
			if (!found)
				memset(u->amount, 0, sizeof(u->amount));
		}
		add_row(u, slot);
	}
	ExecDropSingleTupleTableSlot(slot);

	if (hash != NULL)
	{
		HASH_SEQ_STATUS seq;
		OrgUsage   *u;

		norgs = 0;
		orgs = palloc(sizeof(OrgUsage) * hash_get_num_entries(hash));
		hash_seq_init(&seq, hash);
		while ((u = hash_seq_search(&seq)) != NULL)
			orgs[norgs++] = *u;
	}
	if (norgs > 1)
		qsort(orgs, norgs, sizeof(OrgUsage), org_usage_cmp);

	/* account each org, as the owner of the counters */
	quota_enter_owner(&oc, false);
	for (i = 0; i < norgs; i++)
	{
		OrgUsage   *u = &orgs[i];

		if (u->amount[R_KAI] > 0)
			account_kai(u);
		if (u->amount[R_TOKENS] != 0 || u->amount[R_RENDER] != 0 || u->amount[R_STORAGE] != 0)
			account_slot(u);
	}
	quota_leave_owner(&oc);
	return PointerGetDatum(NULL);
}
