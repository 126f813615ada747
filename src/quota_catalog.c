/*-------------------------------------------------------------------------
 *
 * quota_catalog.c
 *	  The quota engine's per-backend catalog cache: the relations, indexes and
 *	  columns it reads, checked against each relation once it is locked, and
 *	  the role and search_path its own SQL runs under.
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
#include "catalog/pg_enum.h"
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

QuotaCatalog quota_cat;

static void quota_relcache_callback(Datum arg, Oid relid);

void
quota_catalog_init(void)
{
	CacheRegisterRelcacheCallback(quota_relcache_callback, (Datum) 0);
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
		relid == quota_cat.packs_available || relid == quota_cat.profiles ||
		relid == quota_cat.profiles_pkey)
		quota_cat.valid = false;
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
	c.profiles = quota_relid(pub, "public", "profiles");
	c.profiles_pkey = quota_relid(pub, "public", "profiles_pkey");
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
	c.prof_status = quota_attnum(c.profiles, "status");
	c.status_type = get_atttype(c.profiles, c.prof_status);
	c.status_active = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
									  ObjectIdGetDatum(c.status_type),
									  CStringGetDatum("active"));
	if (!OidIsValid(c.status_active))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("column \"status\" of relation \"profiles\" is of type %s, but the fenta quota engine reads it as public.user_status",
						format_type_be(c.status_type)),
				 errhint("Is the fenta extension up to date in this database?")));
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
	c.key_att[SCAN_MEMBERS][0] = quota_attnum(c.members, "org_id");
	c.key_att[SCAN_MEMBERS][1] = quota_attnum(c.members, "user_id");
	c.key_att[SCAN_PROFILES][0] = quota_attnum(c.profiles, "id");
	c.key_att[SCAN_LIMITS][0] = quota_attnum(c.limits, "org_id");
	c.key_att[SCAN_COUNTERS][0] = quota_attnum(c.counters, "org_id");
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
	c.generation = quota_cat.generation + 1;
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
		quota_check_type(rel, quota_cat.key_att[SCAN_LIMITS][0], UUIDOID);
	}
	else if (relid == quota_cat.counters)
	{
		quota_check_type(rel, quota_cat.key_att[SCAN_COUNTERS][0], UUIDOID);
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
	else if (relid == quota_cat.profiles)
	{
		quota_check_type(rel, quota_cat.prof_status, quota_cat.status_type);
		quota_check_type(rel, quota_cat.key_att[SCAN_PROFILES][0], UUIDOID);
	}
	else if (relid == quota_cat.members)
	{
		quota_check_type(rel, quota_cat.key_att[SCAN_MEMBERS][0], UUIDOID);
		quota_check_type(rel, quota_cat.key_att[SCAN_MEMBERS][1], UUIDOID);
	}
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
 * triggers run as the owner of the referenced table).  Every name and
 * operator in that SQL is schema-qualified, and the SPI statements run with
 * search_path pinned as well (pin_path, or quota_pin_search_path() around
 * them): the caller's search_path never resolves anything in them.  The
 * in-place counter update runs no SQL and needs no pinned path.
 */
int
quota_pin_search_path(void)
{
	int			save_nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return save_nestlevel;
}

void
quota_unpin_search_path(int save_nestlevel)
{
	AtEOXact_GUC(true, save_nestlevel);
}

void
quota_enter_owner(QuotaOwnerContext *oc, bool pin_path)
{
	quota_catalog();
	GetUserIdAndSecContext(&oc->save_userid, &oc->save_sec);
	SetUserIdAndSecContext(quota_cat.owner,
						   oc->save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	oc->save_nestlevel = pin_path ? quota_pin_search_path() : 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

void
quota_leave_owner(QuotaOwnerContext *oc)
{
	SPI_finish();
	if (oc->save_nestlevel != 0)
		quota_unpin_search_path(oc->save_nestlevel);
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

/* A counter slot row would hold more than QUOTA_SLOT_CAP (quota.h) */
void
quota_slot_cap_error(const char *what, pg_uuid_t *org)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("usage counter %s out of range", what),
			 errdetail("A counter slot holds at most 2251799813685248 until the next rollup (fenta.rollup_quota_counters())."),
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
 * Prepare and keep an SPI plan.
 */
SPIPlanPtr
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

void
quota_exec(SPIPlanPtr plan, Datum *values, int expected)
{
	int			rc = SPI_execute_plan(plan, values, NULL, false, 0);

	if (rc < 0 || (expected >= 0 && rc != expected))
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

/*
 * The checks of the AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH
 * STATEMENT triggers on usage_records (the accounting and the daily usage
 * capture); fname names the trigger function in the errors.
 */
TriggerData *
quota_usage_trigger(FunctionCallInfo fcinfo, const char *fname)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ||
		trigdata->tg_newtable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be an AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT trigger", fname)));
	quota_catalog();
	if (RelationGetRelid(trigdata->tg_relation) != quota_cat.usage)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be a trigger on public.usage_records", fname)));
	quota_check_columns(trigdata->tg_relation);
	return trigdata;
}
