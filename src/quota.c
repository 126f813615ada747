/*-------------------------------------------------------------------------
 *
 * quota.c
 *	  The quota engine's readers: check_quota(), quota_status(), the
 *	  per-backend catalog cache and the transaction's cached index scans.
 *	  The writers (the usage_records triggers) are in accounting.c.
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

const char *const quota_res_names[N_RES] = {
	"tokens", "kai_credits", "render_seconds", "storage_bytes"
};

/* GUC: number of counter slots per org */
int			quota_slots = 16;

QuotaCatalog quota_cat;

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
static void quota_close_scans(void);

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
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = quota_ProcessUtility;
}

/*
 * Forget cached OIDs when one of our relations (or all) is invalidated.
 */
static void
quota_relcache_callback(Datum arg, Oid relid)
{
	if (!quota_cat.valid)
		return;
	if (relid == InvalidOid || relid == quota_cat.orgs || relid == quota_cat.members ||
		relid == quota_cat.limits || relid == quota_cat.counters || relid == quota_cat.packs ||
		relid == quota_cat.usage || relid == quota_cat.orgs_pkey || relid == quota_cat.members_key ||
		relid == quota_cat.limits_key || relid == quota_cat.counters_pkey ||
		relid == quota_cat.packs_available)
		quota_cat.valid = false;
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
void
quota_catalog(void)
{
	QuotaCatalog c;
	Oid			pub;
	Oid			fen;
	HeapTuple	tup;
	int			r;

	if (quota_cat.valid)
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

		snprintf(name, sizeof(name), "%s_limit", r == R_STORAGE ? "storage_bytes" : quota_res_names[r]);
		c.lim_limit[r] = quota_attnum(c.limits, name);
		snprintf(name, sizeof(name), "%s_used", r == R_STORAGE ? "storage_bytes" : quota_res_names[r]);
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
	quota_cat = c;
}

/*
 * One column the quota engine reads must have the type it reads it as.
 */
static void
quota_check_type(Relation rel, AttrNumber att, Oid expected)
{
	Form_pg_attribute a;

	if (att == InvalidAttrNumber)
		return;
	if (att > RelationGetDescr(rel)->natts)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relation \"%s\" lacks column %d that the fenta quota engine reads",
						RelationGetRelationName(rel), att)));
	a = TupleDescAttr(RelationGetDescr(rel), att - 1);
	if (a->attisdropped)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relation \"%s\" lacks a column that the fenta quota engine reads",
						RelationGetRelationName(rel))));
	if (a->atttypid != expected)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("column \"%s\" of relation \"%s\" is of type %s, but the fenta quota engine reads it as %s",
						NameStr(a->attname), RelationGetRelationName(rel),
						format_type_be(a->atttypid), format_type_be(expected)),
				 errhint("fenta's tables keep the column types the extension gave them: change the column back with ALTER TABLE ... ALTER COLUMN ... TYPE %s.",
						 format_type_be(expected))));
}

/*
 * Check, against a relation opened and locked by the caller, that the
 * columns the quota engine reads from it have the types it reads them as
 * (a DBA's ALTER COLUMN ... TYPE must be refused, not read as garbage).
 * The lock keeps the descriptor from changing until the transaction ends.
 */
void
quota_check_columns(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	int			r;

	if (relid == quota_cat.limits)
	{
		for (r = 0; r < N_RES; r++)
		{
			quota_check_type(rel, quota_cat.lim_limit[r], INT8OID);
			quota_check_type(rel, quota_cat.lim_used[r], INT8OID);
		}
		for (r = 0; r < N_REQ; r++)
		{
			quota_check_type(rel, quota_cat.lim_reserved[r], INT8OID);
			quota_check_type(rel, quota_cat.lim_price[r], NUMERICOID);
		}
		quota_check_type(rel, quota_cat.lim_from_packs, INT8OID);
		quota_check_type(rel, quota_cat.lim_allow_overage, BOOLOID);
		quota_check_type(rel, quota_cat.lim_cap, NUMERICOID);
		quota_check_type(rel, quota_cat.lim_org_deleted_at, TIMESTAMPTZOID);
	}
	else if (relid == quota_cat.counters)
	{
		quota_check_type(rel, quota_cat.cnt_slot, INT2OID);
		quota_check_type(rel, quota_cat.cnt_value[R_TOKENS], INT8OID);
		quota_check_type(rel, quota_cat.cnt_value[R_RENDER], INT8OID);
		quota_check_type(rel, quota_cat.cnt_value[R_STORAGE], INT8OID);
	}
	else if (relid == quota_cat.packs)
	{
		quota_check_type(rel, quota_cat.pack_remaining, INT8OID);
		quota_check_type(rel, quota_cat.pack_expires, TIMESTAMPTZOID);
	}
	else if (relid == quota_cat.orgs)
		quota_check_type(rel, quota_cat.orgs_deleted_at, TIMESTAMPTZOID);
	else if (relid == quota_cat.usage)
	{
		quota_check_type(rel, quota_cat.use_id, UUIDOID);
		quota_check_type(rel, quota_cat.use_org, UUIDOID);
		quota_check_type(rel, quota_cat.use_prompt, INT8OID);
		quota_check_type(rel, quota_cat.use_output, INT8OID);
		quota_check_type(rel, quota_cat.use_kai, INT8OID);
		quota_check_type(rel, quota_cat.use_render, INT8OID);
		quota_check_type(rel, quota_cat.use_storage, INT8OID);
	}
	else if (rel->rd_rel->relkind == RELKIND_INDEX)
	{
		/* the unique indexes the scans use: uuid keys first */
		int			nkeys = relid == quota_cat.members_key ? 2 : 1;

		for (r = 1; r <= nkeys; r++)
			quota_check_type(rel, r, UUIDOID);
	}
}

/*
 * Run fenta's own SQL as the owner of the quota tables (as PostgreSQL's RI
 * triggers run as the owner of the referenced table), with search_path
 * pinned: the caller's search_path must never resolve a name, an operator
 * or a function in it.  Every name in that SQL is qualified as well.
 */
void
quota_enter_owner(QuotaOwnerContext *oc)
{
	quota_catalog();
	GetUserIdAndSecContext(&oc->save_userid, &oc->save_sec);
	SetUserIdAndSecContext(quota_cat.owner,
						   oc->save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	oc->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

void
quota_leave_owner(QuotaOwnerContext *oc)
{
	SPI_finish();
	AtEOXact_GUC(true, oc->save_nestlevel);
	SetUserIdAndSecContext(oc->save_userid, oc->save_sec);
}

void
quota_overflow_error(const char *what, pg_uuid_t *org)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("usage counter %s out of range", what),
			 errdetail("Adding the new usage records to the org's counters would exceed the range of bigint."),
			 errcontext("org %s", DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(org))))));
}

void
quota_missing_row(pg_uuid_t *org)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("org %s has no quota_limits row",
					DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(org)))),
			 errhint("Every org gets one when it is created; restore it with INSERT INTO public.quota_limits (org_id) VALUES (...).")));
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
		cs->heap = table_open(heap, AccessShareLock);
		cs->index = index_open(index, AccessShareLock);
		/* the locks are taken: what the cache says must hold now */
		quota_catalog();
		quota_check_columns(cs->heap);
		quota_check_columns(cs->index);
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

void
quota_read(QuotaFacts *f, int flags)
{
	TupleTableSlot *slot;
	bool		isnull;
	int			r;

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
	(void) quota_lookup(SCAN_LIMITS, &f->org, NULL);
	slot = scans[SCAN_LIMITS].slot;
	if (quota_next(SCAN_LIMITS))
	{
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
			f->cap_cents = numeric_scaled(slot_getattr(slot, quota_cat.lim_cap, &isnull), 2);
			for (r = 0; r < N_REQ; r++)
				f->price_micro[r] = numeric_scaled(slot_getattr(slot, quota_cat.lim_price[r], &isnull), 6);
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
		values[0] = CStringGetTextDatum(quota_res_names[r]);
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

