/*-------------------------------------------------------------------------
 *
 * quota.c
 *	  The quota engine: check_quota(), quota_status() and the usage_records
 *	  triggers (accounting and idempotency keys).
 *
 * Counters.  An org's exact usage of the current period is the rolled-up
 * part in public.quota_limits (*_used) plus the sum of its rows in
 * fenta.quota_counters, where the accounting trigger adds to the slot of its
 * backend (backend number modulo fenta.quota_slots; another slot when that
 * one is held by another transaction), so that concurrent writers of one org
 * do not queue on one row.  KIE.ai credits are the
 * exception: credits beyond the limit are drawn from credit packs, which
 * needs the exact used amount, so they are kept in quota_limits directly
 * under a row lock (only writers of KIE.ai credits of one org queue).
 *
 * Reads.  check_quota() is called for many orgs in one query and per request
 * by the app, so it reads the tables through their unique indexes directly,
 * without SPI.  The relations and index scans are opened once per
 * transaction (owned by the top transaction's resource owner, closed before
 * commit) and rescanned per call; relation OIDs and attribute numbers are
 * cached per backend and forgotten on relcache invalidation.  A call reads
 * two index entries: the quota row (which carries a trigger-kept copy of
 * orgs.deleted_at since 0.3.0; before, orgs is read too) and the slots.
 *
 * Writes.  The hot one, adding to the backend's existing slot row, locks the
 * row's newest version and updates it in place (a HOT update as a rule),
 * without the executor: even with a saved plan, an INSERT ... ON CONFLICT
 * through SPI (executor start-up, check constraints rebuilt per call) cost
 * more than the rest of the trigger.  Everything else (a
 * new slot row, KIE.ai credits and packs, idempotency keys) goes through SPI
 * with saved plans.  Both run as the owner of fenta.quota_counters (as the
 * RI triggers run as the owner of the referenced table), so the API roles
 * need no privileges on fenta's tables.
 *
 * Lock order, followed by every writer: the orgs row (key share by the
 * usage_records foreign key check, FOR UPDATE by a reset), the quota_limits
 * row, then credit packs, counter slots and reservations.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

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
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/int.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
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

PG_FUNCTION_INFO_V1(fenta_check_quota);
PG_FUNCTION_INFO_V1(fenta_quota_status);
PG_FUNCTION_INFO_V1(fenta_update_quota_usage);
PG_FUNCTION_INFO_V1(fenta_usage_idempotency_guard);

/* Resources, in the order of check_quota's arguments; storage last. */
#define R_TOKENS	0
#define R_KAI		1
#define R_RENDER	2
#define R_STORAGE	3
#define N_RES		4
#define N_REQ		3			/* resources a caller can request */

static const char *const res_names[N_RES] = {
	"tokens", "kai_credits", "render_seconds", "storage_bytes"
};

/* GUC: number of counter slots per org */
static int	quota_slots = 16;

/*
 * Per-backend cache of the relations, indexes and attribute numbers the
 * quota engine reads.  Attribute numbers are looked up by name: a database
 * updated from 0.1.0 has the new columns at other positions than a fresh
 * install.
 */
typedef struct QuotaCatalog
{
	bool		valid;
	Oid			orgs;
	Oid			orgs_pkey;
	Oid			members;
	Oid			members_key;
	Oid			limits;
	Oid			limits_key;
	Oid			counters;
	Oid			counters_pkey;
	Oid			packs;
	Oid			packs_available;
	Oid			usage;			/* public.usage_records */
	Oid			owner;			/* runs the accounting SQL */
	AttrNumber	orgs_deleted_at;
	AttrNumber	lim_limit[N_RES];
	AttrNumber	lim_used[N_RES];
	AttrNumber	lim_reserved[N_REQ];
	AttrNumber	lim_price[N_REQ];
	AttrNumber	lim_from_packs;
	AttrNumber	lim_allow_overage;
	AttrNumber	lim_cap;
	AttrNumber	lim_org_deleted_at; /* 0.3.0 on; else InvalidAttrNumber */
	int			counters_made;	/* quota_counters as made: 0 unknown, 1 yes, 2 no */
	AttrNumber	cnt_slot;
	AttrNumber	cnt_value[N_RES];	/* R_KAI unused */
	AttrNumber	pack_remaining;
	AttrNumber	pack_expires;
	/* usage_records columns, as the transition table and NEW carry them */
	AttrNumber	use_id;
	AttrNumber	use_org;
	AttrNumber	use_prompt;
	AttrNumber	use_output;
	AttrNumber	use_kai;
	AttrNumber	use_render;
	AttrNumber	use_storage;
} QuotaCatalog;

static QuotaCatalog cat;

/* An index scan kept open for the transaction and rescanned per lookup. */
typedef struct CachedScan
{
	Relation	heap;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	int			nkeys;
	ScanKeyData keys[2];
} CachedScan;

#define SCAN_ORGS		0
#define SCAN_MEMBERS	1
#define SCAN_LIMITS		2
#define SCAN_COUNTERS	3
#define SCAN_PACKS		4
#define N_SCANS			5

static CachedScan scans[N_SCANS];
static bool scans_open = false;
static bool scans_broken = false;

/* Who asks: cached per role, and the parsed JWT subject per claim string. */
static Oid	bypass_role = InvalidOid;
static bool bypass_result = false;
static char *claim_cache_text = NULL;
static bool claim_cache_has_uid = false;
static pg_uuid_t claim_cache_uid;

/* Saved SPI plans of the writers. */
static SPIPlanPtr plan_upsert_slot = NULL;
static SPIPlanPtr plan_lock_kai = NULL;
static SPIPlanPtr plan_packs = NULL;
static SPIPlanPtr plan_draw_pack = NULL;
static SPIPlanPtr plan_add_kai = NULL;
static SPIPlanPtr plan_idem_insert = NULL;
static SPIPlanPtr plan_idem_lookup = NULL;

/*
 * What check_quota and quota_status know about an org.  Sums are int128 so
 * that adding counters, reservations and requests cannot overflow.
 */
typedef struct QuotaFacts
{
	bool		found;			/* org exists, not deleted, has a quota row */
	bool		limit_null[N_RES];
	int64		limit[N_RES];
	int128		used[N_RES];
	int64		reserved[N_REQ];
	int64		from_packs;
	bool		packs_loaded;
	int128		packs_remaining;
	bool		allow_overage;
	int64		cap_cents;
	int64		price_micro[N_REQ]; /* US dollars * 10^6 (tokens: per 1,000) */
	pg_uuid_t	org;
	struct SlotRows *rows;		/* QR_SLOT_ROWS: where the slot rows are */
} QuotaFacts;

/*
 * The slot rows (slot >= 0) of an org as the accounting trigger saw them.
 * The slot column's CHECK allows at most 1024 of them.
 */
#define MAX_SLOT_ROWS 1024
typedef struct SlotRows
{
	int			n;
	int16		slot[MAX_SLOT_ROWS];
	ItemPointerData tid[MAX_SLOT_ROWS];
} SlotRows;

/* The verdict per resource. */
typedef struct QuotaVerdict
{
	int128		over[N_RES];	/* beyond limit (and packs), >= 0 */
	bool		fits[N_RES];	/* requested amount fits without overage */
	bool		overage_ok;		/* overage allowed and within the cap */
	bool		allowed;		/* the check_quota answer */
} QuotaVerdict;

static void quota_relcache_callback(Datum arg, Oid relid);
static void quota_syscache_callback(Datum arg, int cacheid, uint32 hashvalue);
static void quota_xact_callback(XactEvent event, void *arg);

/*
 * Module load: the GUC and the cache invalidation hooks.
 */
void
fenta_quota_init(void)
{
	DefineCustomIntVariable("fenta.quota_slots",
							"Number of counter slots per org the usage trigger spreads concurrent writers over.",
							"Each backend adds to slot (backend number modulo this value), or to another slot when another transaction holds that one. More slots mean less waiting between concurrent writers of one org, and more rows for check_quota to add up.",
							&quota_slots,
							16, 1, 1024,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	CacheRegisterRelcacheCallback(quota_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, quota_syscache_callback, (Datum) 0);
	RegisterXactCallback(quota_xact_callback, NULL);
}

/*
 * Forget cached OIDs when one of our relations (or all) is invalidated.
 */
static void
quota_relcache_callback(Datum arg, Oid relid)
{
	if (!cat.valid)
		return;
	if (relid == InvalidOid || relid == cat.orgs || relid == cat.members ||
		relid == cat.limits || relid == cat.counters || relid == cat.packs ||
		relid == cat.usage || relid == cat.orgs_pkey || relid == cat.members_key ||
		relid == cat.limits_key || relid == cat.counters_pkey ||
		relid == cat.packs_available)
		cat.valid = false;
}

/*
 * Forget the cached RLS bypass answer when roles change.
 */
static void
quota_syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	bypass_role = InvalidOid;
}

/*
 * Close the transaction's cached scans before commit; forget them on abort
 * (the resource owner releases what they held).
 */
static void
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

static Oid
quota_relid(Oid nsp, const char *nspname, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.%s\" of the fenta quota engine does not exist", nspname, name),
				 errhint("Is the fenta extension installed and up to date in this database?")));
	return relid;
}

static AttrNumber
quota_attnum(Oid relid, const char *name)
{
	AttrNumber	attnum = get_attnum(relid, name);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist", name, get_rel_name(relid)),
				 errhint("Is the fenta extension up to date in this database?")));
	return attnum;
}

/*
 * Resolve (once per backend, again after invalidation) the relations and
 * columns of the quota engine.
 */
static void
quota_catalog(void)
{
	QuotaCatalog c;
	Oid			pub;
	Oid			fen;
	HeapTuple	tup;
	int			r;

	if (cat.valid)
		return;
	memset(&c, 0, sizeof(c));
	pub = get_namespace_oid("public", false);
	fen = get_namespace_oid("fenta", false);
	c.orgs = quota_relid(pub, "public", "orgs");
	c.orgs_pkey = quota_relid(pub, "public", "orgs_pkey");
	c.members = quota_relid(pub, "public", "org_members");
	c.members_key = quota_relid(pub, "public", "org_members_org_id_user_id_key");
	c.limits = quota_relid(pub, "public", "quota_limits");
	c.limits_key = quota_relid(pub, "public", "quota_limits_org_id_key");
	c.counters = quota_relid(fen, "fenta", "quota_counters");
	c.counters_pkey = quota_relid(fen, "fenta", "quota_counters_pkey");
	c.packs = quota_relid(pub, "public", "credit_packs");
	c.packs_available = quota_relid(pub, "public", "idx_credit_packs_available");
	c.usage = quota_relid(pub, "public", "usage_records");

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(c.counters));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", c.counters);
	c.owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	c.orgs_deleted_at = quota_attnum(c.orgs, "deleted_at");
	for (r = 0; r < N_RES; r++)
	{
		char		name[64];

		snprintf(name, sizeof(name), "%s_limit", r == R_STORAGE ? "storage_bytes" : res_names[r]);
		c.lim_limit[r] = quota_attnum(c.limits, name);
		snprintf(name, sizeof(name), "%s_used", r == R_STORAGE ? "storage_bytes" : res_names[r]);
		c.lim_used[r] = quota_attnum(c.limits, name);
	}
	c.lim_reserved[R_TOKENS] = quota_attnum(c.limits, "reserved_tokens");
	c.lim_reserved[R_KAI] = quota_attnum(c.limits, "reserved_kai_credits");
	c.lim_reserved[R_RENDER] = quota_attnum(c.limits, "reserved_render_seconds");
	c.lim_price[R_TOKENS] = quota_attnum(c.limits, "price_per_1k_tokens_usd");
	c.lim_price[R_KAI] = quota_attnum(c.limits, "price_per_kai_credit_usd");
	c.lim_price[R_RENDER] = quota_attnum(c.limits, "price_per_render_second_usd");
	c.lim_from_packs = quota_attnum(c.limits, "kai_credits_from_packs");
	c.lim_allow_overage = quota_attnum(c.limits, "allow_overage");
	c.lim_cap = quota_attnum(c.limits, "overage_cap_usd");
	/* a database still at 0.2.0 has no copy: check_quota reads orgs then */
	c.lim_org_deleted_at = get_attnum(c.limits, "org_deleted_at");
	c.cnt_slot = quota_attnum(c.counters, "slot");
	c.cnt_value[R_TOKENS] = quota_attnum(c.counters, "tokens");
	c.cnt_value[R_RENDER] = quota_attnum(c.counters, "render_seconds");
	c.cnt_value[R_STORAGE] = quota_attnum(c.counters, "storage_bytes");
	c.pack_remaining = quota_attnum(c.packs, "credits_remaining");
	c.pack_expires = quota_attnum(c.packs, "expires_at");
	c.use_id = quota_attnum(c.usage, "id");
	c.use_org = quota_attnum(c.usage, "org_id");
	c.use_prompt = quota_attnum(c.usage, "llm_tokens_prompt");
	c.use_output = quota_attnum(c.usage, "llm_tokens_output");
	c.use_kai = quota_attnum(c.usage, "kai_credits");
	c.use_render = quota_attnum(c.usage, "render_seconds");
	c.use_storage = quota_attnum(c.usage, "storage_bytes");
	c.valid = true;
	cat = c;
}

/*
 * Open one of the transaction's index scans, on first use (under the top
 * transaction's resource owner, so that it survives the statement; it is
 * closed before commit).
 */
static CachedScan *
quota_open_scan(int which)
{
	static const int nkeys[N_SCANS] = {1, 2, 1, 1, 1};
	CachedScan *cs = &scans[which];
	Oid			heap;
	Oid			index;
	ResourceOwner save_owner;
	MemoryContext save_cxt;
	int			k;

	if (scans_broken)
		quota_close_scans();
	if (cs->scan != NULL)
		return cs;
	quota_catalog();
	switch (which)
	{
		case SCAN_ORGS:
			heap = cat.orgs;
			index = cat.orgs_pkey;
			break;
		case SCAN_MEMBERS:
			heap = cat.members;
			index = cat.members_key;
			break;
		case SCAN_LIMITS:
			heap = cat.limits;
			index = cat.limits_key;
			break;
		case SCAN_COUNTERS:
			heap = cat.counters;
			index = cat.counters_pkey;
			break;
		default:
			heap = cat.packs;
			index = cat.packs_available;
			break;
	}

	save_owner = CurrentResourceOwner;
	save_cxt = MemoryContextSwitchTo(TopTransactionContext);
	CurrentResourceOwner = TopTransactionResourceOwner;
	scans_open = true;
	PG_TRY();
	{
		cs->heap = table_open(heap, AccessShareLock);
		cs->index = index_open(index, AccessShareLock);
		cs->nkeys = nkeys[which];
		for (k = 0; k < cs->nkeys; k++)
			ScanKeyInit(&cs->keys[k], k + 1, BTEqualStrategyNumber, F_UUID_EQ, (Datum) 0);
		cs->slot = table_slot_create(cs->heap, NULL);
		cs->scan = index_beginscan(cs->heap, cs->index, GetActiveSnapshot(), cs->nkeys, 0);
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
static IndexScanDesc
quota_lookup(int which, pg_uuid_t *key1, pg_uuid_t *key2)
{
	CachedScan *cs = quota_open_scan(which);
	MemoryContext old;

	cs->keys[0].sk_argument = UUIDPGetDatum(key1);
	if (cs->nkeys > 1)
		cs->keys[1].sk_argument = UUIDPGetDatum(key2);
	cs->scan->xs_snapshot = GetActiveSnapshot();
	/* what the index AM allocates lazily must live as long as the scan */
	old = MemoryContextSwitchTo(TopTransactionContext);
	index_rescan(cs->scan, cs->keys, cs->nkeys, NULL, 0);
	MemoryContextSwitchTo(old);
	return cs->scan;
}

/*
 * Next tuple of a lookup into the scan's slot (see quota_lookup).
 */
static bool
quota_next(int which)
{
	CachedScan *cs = &scans[which];
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	bool		found = index_getnext_slot(cs->scan, ForwardScanDirection, cs->slot);

	MemoryContextSwitchTo(old);
	return found;
}

/*
 * End a lookup: drop the buffer pins, so that none is held between calls.
 */
static void
quota_lookup_done(int which)
{
	CachedScan *cs = &scans[which];
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	ExecClearTuple(cs->slot);
	index_rescan(cs->scan, cs->keys, cs->nkeys, NULL, 0);
	MemoryContextSwitchTo(old);
}

static int64
slot_int64(TupleTableSlot *slot, AttrNumber att, bool *isnull)
{
	bool		null;
	Datum		d = slot_getattr(slot, att, &null);

	if (isnull)
		*isnull = null;
	return null ? 0 : DatumGetInt64(d);
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
 * Read the org, its quota row and its slots (the body of quota_load, run
 * with the cached scans under the top transaction's resource owner).
 */
#define QR_PRICES	1			/* read the prices even without overage */
#define QR_ANY_ORG	2			/* soft-deleted orgs too (the trigger) */
#define QR_SLOT_ROWS 4			/* note where the slot rows are (f->rows) */

static void
quota_read(QuotaFacts *f, int flags)
{
	TupleTableSlot *slot;
	bool		isnull;
	int			r;

	/*
	 * The org: exists (else it has no quota row), not soft-deleted: said by
	 * the quota row's copy of orgs.deleted_at, or by orgs before 0.3.0.
	 */
	if (!(flags & QR_ANY_ORG) && cat.lim_org_deleted_at == InvalidAttrNumber)
	{
		(void) quota_lookup(SCAN_ORGS, &f->org, NULL);
		slot = scans[SCAN_ORGS].slot;
		if (quota_next(SCAN_ORGS))
		{
			(void) slot_getattr(slot, cat.orgs_deleted_at, &isnull);
			f->found = isnull;
		}
		quota_lookup_done(SCAN_ORGS);
		if (!f->found)
			return;
	}

	/* the quota row */
	f->found = false;
	(void) quota_lookup(SCAN_LIMITS, &f->org, NULL);
	slot = scans[SCAN_LIMITS].slot;
	if (quota_next(SCAN_LIMITS))
	{
		f->found = true;
		if (!(flags & QR_ANY_ORG) && cat.lim_org_deleted_at != InvalidAttrNumber)
		{
			(void) slot_getattr(slot, cat.lim_org_deleted_at, &isnull);
			f->found = isnull;
		}
	}
	if (f->found)
	{
		for (r = 0; r < N_RES; r++)
		{
			f->limit[r] = slot_int64(slot, cat.lim_limit[r], &f->limit_null[r]);
			f->used[r] = slot_int64(slot, cat.lim_used[r], NULL);
		}
		for (r = 0; r < N_REQ; r++)
			f->reserved[r] = slot_int64(slot, cat.lim_reserved[r], NULL);
		f->from_packs = slot_int64(slot, cat.lim_from_packs, NULL);
		f->allow_overage = DatumGetBool(slot_getattr(slot, cat.lim_allow_overage, &isnull));
		if ((flags & QR_PRICES) || f->allow_overage)
		{
			f->cap_cents = numeric_scaled(slot_getattr(slot, cat.lim_cap, &isnull), 2);
			for (r = 0; r < N_REQ; r++)
				f->price_micro[r] = numeric_scaled(slot_getattr(slot, cat.lim_price[r], &isnull), 6);
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
		f->used[R_TOKENS] += slot_int64(slot, cat.cnt_value[R_TOKENS], NULL);
		f->used[R_RENDER] += slot_int64(slot, cat.cnt_value[R_RENDER], NULL);
		f->used[R_STORAGE] += slot_int64(slot, cat.cnt_value[R_STORAGE], NULL);
		if ((flags & QR_SLOT_ROWS) && f->rows->n < MAX_SLOT_ROWS)
		{
			int16		n = DatumGetInt16(slot_getattr(slot, cat.cnt_slot, &isnull));

			if (!isnull && n >= 0)
			{
				f->rows->slot[f->rows->n] = n;
				f->rows->tid[f->rows->n] = slot->tts_tid;
				f->rows->n++;
			}
		}
	}
	quota_lookup_done(SCAN_COUNTERS);
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
		int64		remaining = slot_int64(slot, cat.pack_remaining, NULL);
		Datum		expires = slot_getattr(slot, cat.pack_expires, &isnull);

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
static void
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

static void
quota_read_packs_reader(QuotaFacts *f, int unused)
{
	quota_read_packs(f);
}

/*
 * Load everything check_quota needs to know about an org.
 */
static void
quota_load(pg_uuid_t *org, QuotaFacts *f, int flags)
{
	memset(f, 0, sizeof(*f));
	f->org = *org;
	quota_with_scans(quota_read, f, flags);
}

/*
 * The decision, shared by check_quota and quota_status (and mirrored by the
 * PL/pgSQL twin in test/baseline/quota_twin.sql), per resource with a limit
 * (a NULL limit is unlimited):
 *	 incurred = overage already incurred: used - limit (KIE.ai credits: minus
 *				this period's pack draws), at least 0;
 *	 room = what is left under the limit (KIE.ai credits: plus the unexpired
 *			packs);
 *	 uncovered = reserved + requested - room, at least 0;
 *	 over = incurred + uncovered.
 * A requested amount fits when it is 0 or nothing of it is uncovered.
 * Allowed when every requested amount fits, or when overage is allowed and
 * the period's overage (over, all resources) at the unit prices stays within
 * overage_cap_usd.
 */
static void
quota_decide(QuotaFacts *f, const int64 *req, QuotaVerdict *v)
{
	bool		all_fit = true;
	int			r;

	memset(v, 0, sizeof(*v));
	for (r = 0; r < N_RES; r++)
	{
		int128		incurred;
		int128		room;
		int128		demand = r < N_REQ ? (int128) f->reserved[r] + req[r] : 0;
		int128		uncovered = 0;

		if (f->limit_null[r])
		{
			v->over[r] = 0;
			v->fits[r] = true;
			continue;
		}
		/* overage already incurred, or room left under the limit */
		incurred = f->used[r] - f->limit[r] - (r == R_KAI ? f->from_packs : 0);
		room = incurred < 0 ? -incurred : 0;
		if (incurred < 0)
			incurred = 0;
		if (r == R_KAI && demand > room)
		{
			if (!f->packs_loaded)
				quota_with_scans(quota_read_packs_reader, f, 0);
			room += f->packs_remaining;
		}
		if (demand > room)
			uncovered = demand - room;
		v->over[r] = incurred + uncovered;
		v->fits[r] = (r >= N_REQ || req[r] == 0 || uncovered == 0);
		if (!v->fits[r])
			all_fit = false;
	}
	if (f->allow_overage)
	{
		/* cost in 10^-9 dollars: tokens are priced per 1,000 */
		int128		cost = v->over[R_TOKENS] * f->price_micro[R_TOKENS] +
			(v->over[R_KAI] * f->price_micro[R_KAI] +
			 v->over[R_RENDER] * f->price_micro[R_RENDER]) * 1000;

		v->overage_ok = cost <= (int128) f->cap_cents * 10000000;
	}
	v->allowed = all_fit || v->overage_ok;
}

/*
 * The RLS-exempt roles (superuser, BYPASSRLS such as service_role) may ask
 * about any org.  The calling role is the session's current user: these
 * functions are not SECURITY DEFINER.
 */
static bool
quota_caller_bypasses(void)
{
	Oid			role = GetUserId();

	if (role != bypass_role)
	{
		bypass_result = superuser_arg(role) || has_bypassrls_privilege(role);
		bypass_role = role;
	}
	return bypass_result;
}

/*
 * auth.uid(): the JWT subject from request.jwt.claim.sub or from
 * request.jwt.claims ->> 'sub'.  The parse is cached by claim string.
 */
static bool
quota_auth_uid(pg_uuid_t *uid)
{
	const char *sub = GetConfigOption("request.jwt.claim.sub", true, false);
	const char *claims;
	MemoryContext old;
	bool		has = false;
	pg_uuid_t	parsed;

	if (sub != NULL && sub[0] != '\0')
	{
		*uid = *DatumGetUUIDP(DirectFunctionCall1(uuid_in, CStringGetDatum(sub)));
		return true;
	}
	claims = GetConfigOption("request.jwt.claims", true, false);
	if (claims == NULL || claims[0] == '\0')
		return false;
	if (claim_cache_text != NULL && strcmp(claim_cache_text, claims) == 0)
	{
		*uid = claim_cache_uid;
		return claim_cache_has_uid;
	}
	{
		Jsonb	   *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(claims)));

		if (JB_ROOT_IS_OBJECT(jb))
		{
			JsonbValue	key;
			JsonbValue *val;

			key.type = jbvString;
			key.val.string.val = "sub";
			key.val.string.len = 3;
			val = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &key);
			if (val != NULL && val->type == jbvString)
			{
				char	   *s = pnstrdup(val->val.string.val, val->val.string.len);

				parsed = *DatumGetUUIDP(DirectFunctionCall1(uuid_in, CStringGetDatum(s)));
				has = true;
			}
			else if (val != NULL && val->type != jbvNull)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("JWT claim \"sub\" is not a uuid")));
		}
	}
	old = MemoryContextSwitchTo(TopMemoryContext);
	if (claim_cache_text)
		pfree(claim_cache_text);
	claim_cache_text = pstrdup(claims);
	MemoryContextSwitchTo(old);
	claim_cache_has_uid = has;
	if (has)
	{
		claim_cache_uid = parsed;
		*uid = parsed;
	}
	return has;
}

static void
quota_member_reader(QuotaFacts *f, int unused)
{
	pg_uuid_t	uid;

	f->found = false;
	if (!quota_auth_uid(&uid))
		return;
	(void) quota_lookup(SCAN_MEMBERS, &f->org, &uid);
	f->found = quota_next(SCAN_MEMBERS);
	quota_lookup_done(SCAN_MEMBERS);
}

/*
 * Refuse callers who are neither RLS-exempt nor members of the org, with
 * the same error whether the org exists or not.
 */
static void
quota_authorize(pg_uuid_t *org)
{
	QuotaFacts	m;

	if (quota_caller_bypasses())
		return;
	m.org = *org;
	quota_with_scans(quota_member_reader, &m, 0);
	if (!m.found)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to check the quota of this org"),
				 errdetail("Only members of the org and service_role may check its quota.")));
}

/*
 * Arguments of check_quota and quota_status: no NULLs, no negative amounts.
 */
static pg_uuid_t *
quota_args(FunctionCallInfo fcinfo, int64 *req)
{
	static const char *const argnames[4] = {"org_id", "tokens", "kai_credits", "render_seconds"};
	int			i;

	for (i = 0; i < 4; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be NULL", argnames[i]),
					 errhint("Pass 0 for a resource that is not needed.")));
	for (i = 0; i < N_REQ; i++)
	{
		req[i] = PG_GETARG_INT64(i + 1);
		if (req[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be negative", argnames[i + 1]),
					 errdetail("Requested %s: " INT64_FORMAT ".", argnames[i + 1], req[i])));
	}
	return PG_GETARG_UUID_P(0);
}

/*
 * check_quota(org_id, tokens, kai_credits, render_seconds) RETURNS boolean
 */
Datum
fenta_check_quota(PG_FUNCTION_ARGS)
{
	int64		req[N_REQ];
	pg_uuid_t  *org = quota_args(fcinfo, req);
	QuotaFacts	f;
	QuotaVerdict v;

	quota_authorize(org);
	quota_load(org, &f, 0);
	if (!f.found)
		PG_RETURN_BOOL(false);
	quota_decide(&f, req, &v);
	PG_RETURN_BOOL(v.allowed);
}

static int64
clamp_int64(int128 v)
{
	if (v > PG_INT64_MAX)
		return PG_INT64_MAX;
	if (v < PG_INT64_MIN)
		return PG_INT64_MIN;
	return (int64) v;
}

/*
 * quota_status(org_id, tokens, kai_credits, render_seconds): one row per
 * resource with the detail behind check_quota.
 */
Datum
fenta_quota_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		req[N_REQ];
	pg_uuid_t  *org = quota_args(fcinfo, req);
	QuotaFacts	f;
	QuotaVerdict v;
	int			r;

	quota_authorize(org);
	quota_load(org, &f, QR_PRICES);
	if (f.found)
		quota_decide(&f, req, &v);
	InitMaterializedSRF(fcinfo, 0);

	for (r = 0; r < N_RES; r++)
	{
		Datum		values[8];
		bool		nulls[8];
		const char *reason = NULL;

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(res_names[r]);
		values[5] = Int64GetDatum(r < N_REQ ? req[r] : 0);
		if (!f.found)
		{
			nulls[1] = nulls[2] = nulls[3] = nulls[4] = true;
			values[6] = BoolGetDatum(false);
			reason = "org unknown or deleted";
		}
		else
		{
			int128		used = f.used[r];
			int128		reserved = r < N_REQ ? f.reserved[r] : 0;

			if (r == R_STORAGE && used < 0)
				used = 0;
			nulls[1] = f.limit_null[r];
			values[1] = Int64GetDatum(f.limit[r]);
			values[2] = Int64GetDatum(clamp_int64(used));
			values[3] = Int64GetDatum((int64) reserved);
			if (f.limit_null[r])
				nulls[4] = true;
			else
			{
				int128		room = (int128) f.limit[r] - used;

				if (r == R_KAI)
				{
					/* the rest of the limit, then the unexpired packs */
					room += f.from_packs;
					if (room < 0)
						room = 0;
					if (!f.packs_loaded)
						quota_with_scans(quota_read_packs_reader, &f, 0);
					room += f.packs_remaining;
				}
				room -= reserved;
				values[4] = Int64GetDatum(clamp_int64(room < 0 ? 0 : room));
			}
			values[6] = BoolGetDatum(v.fits[r] || v.overage_ok);
			if (v.over[r] > 0)
			{
				if (!f.allow_overage)
					reason = "over limit, overage not allowed";
				else if (!v.overage_ok)
					reason = "over limit, overage cap exceeded";
				else
					reason = "over limit, within overage cap";
			}
		}
		values[7] = reason ? CStringGetTextDatum(reason) : (Datum) 0;
		nulls[7] = (reason == NULL);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * Prepare and keep an SPI plan.
 */
static SPIPlanPtr
quota_plan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	if (*cache == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*cache = plan;
	}
	return *cache;
}

static void
quota_exec(SPIPlanPtr plan, Datum *values, int expected)
{
	int			rc = SPI_execute_plan(plan, values, NULL, false, 0);

	if (rc < 0 || (expected >= 0 && rc != expected))
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

static void
overflow_error(const char *what, pg_uuid_t *org)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("usage counter %s out of range", what),
			 errdetail("Adding the new usage records to the org's counters would exceed the range of bigint."),
			 errcontext("org %s", DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(org))))));
}

static void
missing_quota_row(pg_uuid_t *org)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("org %s has no quota_limits row",
					DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(org)))),
			 errhint("Every org gets one when it is created; restore it with INSERT INTO public.quota_limits (org_id) VALUES (...).")));
}

/* Usage of one org in one statement. */
typedef struct OrgUsage
{
	pg_uuid_t	org;			/* hash key: first */
	int64		amount[N_RES];
} OrgUsage;

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

	args[0] = UUIDPGetDatum(&u->org);
	quota_exec(quota_plan(&plan_lock_kai,
						  "SELECT kai_credits_used, kai_credits_limit FROM public.quota_limits"
						  " WHERE org_id = $1 FOR NO KEY UPDATE",
						  1, t_lock), args, SPI_OK_SELECT);
	if (SPI_processed != 1)
		missing_quota_row(&u->org);
	used = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	limit = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &limit_null));
	if (pg_add_s64_overflow(used, u->amount[R_KAI], &new_used))
		overflow_error("kai_credits", &u->org);
	if (!limit_null)
		over = Max(new_used - limit, 0) - Max(used - limit, 0);

	if (over > 0)
	{
		uint64		i;
		uint64		n;
		SPITupleTable *packs;

		quota_exec(quota_plan(&plan_packs,
							  "SELECT id, credits_remaining FROM public.credit_packs"
							  " WHERE org_id = $1 AND credits_remaining > 0"
							  " AND (expires_at IS NULL OR expires_at > pg_catalog.now())"
							  " ORDER BY expires_at NULLS LAST, created_at, id FOR UPDATE",
							  1, t_lock), args, SPI_OK_SELECT);
		packs = SPI_tuptable;
		n = SPI_processed;
		for (i = 0; i < n && drawn < over; i++)
		{
			Datum		draw[2];
			int64		remaining = DatumGetInt64(SPI_getbinval(packs->vals[i], packs->tupdesc, 2, &isnull));
			int64		take = Min(remaining, over - drawn);

			draw[0] = SPI_getbinval(packs->vals[i], packs->tupdesc, 1, &isnull);
			draw[1] = Int64GetDatum(take);
			quota_exec(quota_plan(&plan_draw_pack,
								  "UPDATE public.credit_packs SET credits_remaining = credits_remaining - $2"
								  " WHERE id = $1",
								  2, t_draw), draw, SPI_OK_UPDATE);
			drawn += take;
		}
		SPI_freetuptable(packs);
	}
	args[1] = Int64GetDatum(u->amount[R_KAI]);
	args[2] = Int64GetDatum(drawn);
	quota_exec(quota_plan(&plan_add_kai,
						  "UPDATE public.quota_limits SET kai_credits_used = kai_credits_used + $2,"
						  " kai_credits_from_packs = kai_credits_from_packs + $3 WHERE org_id = $1",
						  3, t_add), args, SPI_OK_UPDATE);
}

/*
 * Is fenta.quota_counters as the extension made it: its primary key the only
 * index, no rules, and no triggers but the foreign key's checks (which an
 * update that keeps org_id does not fire)?  Cached until the next relcache
 * invalidation of the table (which DDL on it sends).
 */
static bool
counters_as_made(Relation rel)
{
	if (cat.counters_made == 0)
	{
		List	   *indexes = RelationGetIndexList(rel);
		bool		made = rel->rd_rules == NULL && list_length(indexes) == 1 &&
			linitial_oid(indexes) == cat.counters_pkey;
		int			i;

		if (made && rel->trigdesc != NULL)
			for (i = 0; i < rel->trigdesc->numtriggers; i++)
			{
				Oid			fn = rel->trigdesc->triggers[i].tgfoid;

				if (fn != F_RI_FKEY_CHECK_INS && fn != F_RI_FKEY_CHECK_UPD)
					made = false;
			}
		list_free(indexes);
		cat.counters_made = made ? 1 : 2;
	}
	return cat.counters_made == 1;
}

/*
 * Add to an existing slot row in place: lock its newest version, add, and
 * update it (a HOT update as a rule), without the executor.  With
 * LockWaitSkip, a row another transaction holds is left alone (SLOT_BUSY).
 * SLOT_GONE: the row was deleted (rolled up) since the statement's snapshot.
 */
typedef enum SlotOutcome
{
	SLOT_DONE,
	SLOT_BUSY,
	SLOT_GONE
} SlotOutcome;

static SlotOutcome
account_slot_in_place(OrgUsage *u, Relation rel, ItemPointer tid, LockWaitPolicy wait)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleTableSlot *ts = table_slot_create(rel, NULL);
	TM_FailureData tmfd;
	TM_Result	res;
	SlotOutcome outcome;

	res = table_tuple_lock(rel, tid, GetActiveSnapshot(), ts,
						   GetCurrentCommandId(true), LockTupleNoKeyExclusive,
						   wait, TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
	if (res == TM_Ok)
	{
		Datum	   *values = palloc(sizeof(Datum) * desc->natts);
		bool	   *nulls = palloc(sizeof(bool) * desc->natts);
		bool		should_free;
		HeapTuple	oldtup = ExecFetchSlotHeapTuple(ts, false, &should_free);
		HeapTuple	newtup;
		int			r;

		heap_deform_tuple(oldtup, desc, values, nulls);
		for (r = 0; r < N_RES; r++)
		{
			AttrNumber	att = cat.cnt_value[r];
			int64		v;

			if (r == R_KAI)
				continue;
			if (nulls[att - 1] ||
				pg_add_s64_overflow(DatumGetInt64(values[att - 1]), u->amount[r], &v))
				overflow_error(res_names[r], &u->org);
			if (v < 0 && r != R_STORAGE)
				overflow_error(res_names[r], &u->org);
			values[att - 1] = Int64GetDatum(v);
		}
		newtup = heap_form_tuple(desc, values, nulls);
		simple_heap_update(rel, &ts->tts_tid, newtup);
		if (!HeapTupleIsHeapOnly(newtup))
		{
			/* not HOT: the primary key needs an entry for the new version */
			Relation	index = index_open(cat.counters_pkey, RowExclusiveLock);
			IndexInfo  *ii = BuildIndexInfo(index);
			Datum		key[INDEX_MAX_KEYS];
			bool		key_null[INDEX_MAX_KEYS];
			int			k;

			for (k = 0; k < ii->ii_NumIndexAttrs; k++)
			{
				AttrNumber	att = ii->ii_IndexAttrNumbers[k];

				key[k] = values[att - 1];
				key_null[k] = nulls[att - 1];
			}
			index_insert(index, key, key_null, &newtup->t_self, rel,
						 UNIQUE_CHECK_YES, true, ii);
			index_close(index, NoLock);
		}
		if (should_free)
			heap_freetuple(oldtup);
		heap_freetuple(newtup);
		pfree(values);
		pfree(nulls);
		/* as SPI would: later commands of this transaction see the update */
		CommandCounterIncrement();
		outcome = SLOT_DONE;
	}
	else if (res == TM_WouldBlock)
		outcome = SLOT_BUSY;
	else
		outcome = SLOT_GONE;	/* deleted, or (can't happen) changed by us */
	ExecDropSingleTupleTableSlot(ts);
	return outcome;
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
	Relation	rel;
	int			i;

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
		missing_quota_row(&u->org);
	total = f.used[R_TOKENS] + u->amount[R_TOKENS];
	if (total > PG_INT64_MAX)
		overflow_error("tokens", &u->org);
	total = f.used[R_RENDER] + u->amount[R_RENDER];
	if (total > PG_INT64_MAX)
		overflow_error("render_seconds", &u->org);
	total = f.used[R_STORAGE] + u->amount[R_STORAGE];
	if (total > PG_INT64_MAX || total < PG_INT64_MIN)
		overflow_error("storage_bytes", &u->org);

	rel = table_open(cat.counters, RowExclusiveLock);
	if (counters_as_made(rel))
	{
		bool		taken[MAX_SLOT_ROWS];
		int			n = rows->n;

		for (i = 0; i < n; i++)
			if (rows->slot[i] == own)
				own_row = i;
		/* the existing rows, own slot first, without waiting */
		for (i = 0; i < n && !done; i++)
		{
			int			r = own_row < 0 ? i : (own_row + i) % n;
			SlotOutcome o = account_slot_in_place(u, rel, &rows->tid[r], LockWaitSkip);

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
					account_slot_in_place(u, rel, &rows->tid[own_row], LockWaitBlock) == SLOT_DONE;
			}
		}
	}
	table_close(rel, NoLock);
	if (done)
		return;

	/* a new slot row (or a table changed by hand): upsert through SPI */
	args[0] = UUIDPGetDatum(&u->org);
	args[1] = Int16GetDatum(target);
	args[2] = Int64GetDatum(u->amount[R_TOKENS]);
	args[3] = Int64GetDatum(u->amount[R_RENDER]);
	args[4] = Int64GetDatum(u->amount[R_STORAGE]);
	quota_exec(quota_plan(&plan_upsert_slot,
						  "INSERT INTO fenta.quota_counters AS c (org_id, slot, tokens, render_seconds, storage_bytes)"
						  " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, slot) DO UPDATE"
						  " SET tokens = c.tokens + excluded.tokens,"
						  " render_seconds = c.render_seconds + excluded.render_seconds,"
						  " storage_bytes = c.storage_bytes + excluded.storage_bytes",
						  5, types), args, SPI_OK_INSERT);
}

/*
 * Add one row's amounts to its org's entry, with overflow checks.
 */
static void
add_row(OrgUsage *u, TupleTableSlot *slot)
{
	int64		prompt = slot_int64(slot, cat.use_prompt, NULL);
	int64		output = slot_int64(slot, cat.use_output, NULL);
	int64		tokens;
	int64		kai = slot_int64(slot, cat.use_kai, NULL);
	int64		render = slot_int64(slot, cat.use_render, NULL);
	int64		storage = slot_int64(slot, cat.use_storage, NULL);

	if (prompt < 0 || output < 0 || kai < 0 || render < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("usage amounts must not be negative")));
	if (pg_add_s64_overflow(prompt, output, &tokens) ||
		pg_add_s64_overflow(u->amount[R_TOKENS], tokens, &u->amount[R_TOKENS]))
		overflow_error("tokens", &u->org);
	if (pg_add_s64_overflow(u->amount[R_KAI], kai, &u->amount[R_KAI]))
		overflow_error("kai_credits", &u->org);
	if (pg_add_s64_overflow(u->amount[R_RENDER], render, &u->amount[R_RENDER]))
		overflow_error("render_seconds", &u->org);
	if (pg_add_s64_overflow(u->amount[R_STORAGE], storage, &u->amount[R_STORAGE]))
		overflow_error("storage_bytes", &u->org);
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
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Tuplestorestate *ts;
	TupleTableSlot *slot;
	OrgUsage	small[SMALL_ORGS];
	OrgUsage   *orgs = small;
	int			norgs = 0;
	HTAB	   *hash = NULL;
	int			readptr;
	int			i;
	Oid			save_userid;
	int			save_sec;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ||
		trigdata->tg_newtable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("fenta.update_quota_usage() must be an AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT trigger")));
	quota_catalog();
	if (RelationGetRelid(trigdata->tg_relation) != cat.usage)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("fenta.update_quota_usage() must be a trigger on public.usage_records")));

	ts = trigdata->tg_newtable;
	slot = MakeSingleTupleTableSlot(RelationGetDescr(trigdata->tg_relation), &TTSOpsMinimalTuple);
	readptr = tuplestore_alloc_read_pointer(ts, 0);
	tuplestore_select_read_pointer(ts, readptr);
	tuplestore_rescan(ts);
	while (tuplestore_gettupleslot(ts, true, false, slot))
	{
		bool		isnull;
		pg_uuid_t  *org = DatumGetUUIDP(slot_getattr(slot, cat.use_org, &isnull));
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
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(cat.owner, save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (i = 0; i < norgs; i++)
	{
		OrgUsage   *u = &orgs[i];

		if (u->amount[R_KAI] > 0)
			account_kai(u);
		if (u->amount[R_TOKENS] != 0 || u->amount[R_RENDER] != 0 || u->amount[R_STORAGE] != 0)
			account_slot(u);
	}
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec);
	return PointerGetDatum(NULL);
}

/*
 * usage_idempotency_guard(): BEFORE INSERT row trigger for rows with an
 * idempotency key.  The first row with a key (per org) records it; a later
 * one is skipped (returns NULL), unless it is the very row the key names (a
 * row moved between partitions, or restored from a dump).
 */
Datum
fenta_usage_idempotency_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	TupleDesc	desc;
	int			key_att;
	int			org_att;
	int			id_att;
	Datum		args[3];
	bool		isnull[3];
	Oid			types[3] = {UUIDOID, TEXTOID, UUIDOID};
	Oid			save_userid;
	int			save_sec;
	bool		keep;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("fenta.usage_idempotency_guard() must be a BEFORE INSERT ... FOR EACH ROW trigger")));
	tuple = trigdata->tg_trigtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	/* a partition may order its columns differently: look them up by name */
	key_att = SPI_fnumber(desc, "idempotency_key");
	org_att = SPI_fnumber(desc, "org_id");
	id_att = SPI_fnumber(desc, "id");
	if (key_att <= 0 || org_att <= 0 || id_att <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("fenta.usage_idempotency_guard() must be a trigger on public.usage_records")));
	args[0] = heap_getattr(tuple, org_att, desc, &isnull[0]);
	args[1] = heap_getattr(tuple, key_att, desc, &isnull[1]);
	args[2] = heap_getattr(tuple, id_att, desc, &isnull[2]);
	if (isnull[1])
		return PointerGetDatum(tuple);
	if (isnull[0] || isnull[2])
		return PointerGetDatum(tuple);	/* NOT NULL constraints will say */

	quota_catalog();
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(cat.owner, save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	quota_exec(quota_plan(&plan_idem_insert,
						  "INSERT INTO fenta.usage_idempotency (org_id, idempotency_key, usage_id)"
						  " VALUES ($1, $2, $3) ON CONFLICT (org_id, idempotency_key) DO NOTHING",
						  3, types), args, SPI_OK_INSERT);
	keep = (SPI_processed == 1);
	if (!keep)
	{
		quota_exec(quota_plan(&plan_idem_lookup,
							  "SELECT usage_id FROM fenta.usage_idempotency"
							  " WHERE org_id = $1 AND idempotency_key = $2",
							  2, types), args, SPI_OK_SELECT);
		if (SPI_processed == 1)
		{
			bool		n;
			Datum		id = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &n);

			keep = !n && memcmp(DatumGetUUIDP(id), DatumGetUUIDP(args[2]), UUID_LEN) == 0;
		}
	}
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec);
	return keep ? PointerGetDatum(tuple) : PointerGetDatum(NULL);
}
