/*-------------------------------------------------------------------------
 *
 * daily.c
 *	  The capture of daily usage: what an INSERT into usage_records adds to
 *	  each org's days.
 *
 * fenta.usage_daily_capture() is an AFTER INSERT ... FOR EACH STATEMENT
 * trigger on usage_records (REFERENCING NEW TABLE, the transition table the
 * quota accounting reads too).  It groups the statement's rows by org, UTC
 * day and resource type and appends one row per group to
 * fenta.usage_daily_pending, a table without key or index, so concurrent
 * inserters never wait on a shared daily row; fenta.drain_daily_usage()
 * merges the pending rows into public.usage_daily at maintenance
 * (51_daily_usage_incremental.sql).  It is C because it runs with every
 * insert: as PL/pgSQL (an INSERT ... SELECT ... GROUP BY over the transition
 * table, in a SECURITY DEFINER function) it cost a fifth of the throughput
 * of single-row inserts.  A statement of a few orgs and days needs no hash
 * table.
 *
 * The rows are written with PostgreSQL's executor machinery for simple
 * inserts (ExecSimpleRelationInsert, as logical replication applies an
 * insert), as the owner of the counters: constraints checked, every index
 * maintained, row triggers fired.  An SPI INSERT with a saved plan cost this
 * trigger three quarters of its time (0.6.0).  What such an insert cannot
 * honour is refused, decided on the table as locked: rules, statement-level
 * INSERT triggers, a column fenta does not fill that has a default (it
 * would be left NULL), columns of other types than fenta writes.
 *
 *-------------------------------------------------------------------------
 */
#include "quota.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(fenta_usage_daily_capture);

/* The sums of one org, UTC day and resource type in one statement */
typedef struct DailyKey
{
	pg_uuid_t	org;
	DateADT		day;
	Oid			resource;		/* the enum label's OID */
} DailyKey;

typedef struct DailyUsage
{
	DailyKey	key;			/* hash key: first */
	int64		events;
	int64		prompt;
	int64		output;
	int64		kai;
	int64		render;
	int64		storage;
	Datum		cost;			/* numeric, in the trigger's memory context */
} DailyUsage;

#define DAILY_NCOLS 11

/*
 * fenta.usage_daily_pending and where its columns are (in the order of
 * pending_cols), resolved by name on the table as locked; forgotten when
 * its relcache entry is invalidated (ALTER TABLE, DROP, CREATE TRIGGER ...).
 */
static const char *const pending_cols[DAILY_NCOLS] = {
	"org_id", "day", "resource_type", "events", "llm_tokens_prompt", "llm_tokens_output",
	"tokens", "kai_credits", "render_seconds", "storage_bytes", "cost_usd"
};
static Oid	pending_relid = InvalidOid;
static bool pending_valid = false;
static AttrNumber pending_att[DAILY_NCOLS];
static Oid	pending_restype = InvalidOid;	/* the resource_type checked */

static void
pending_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == pending_relid)
	{
		pending_relid = InvalidOid;
		pending_valid = false;
	}
}

void
fenta_daily_init(void)
{
	CacheRegisterRelcacheCallback(pending_relcache_callback, (Datum) 0);
}

static void
pending_refuse(Relation rel, const char *what, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("relation \"fenta.%s\" has %s, which fenta's daily usage capture does not support",
					RelationGetRelationName(rel), what),
			 errdetail("Each INSERT into public.usage_records appends its daily sums to this table row by row, as logical replication applies an insert."),
			 errhint("%s", hint)));
}

/*
 * Check the pending table as locked (what its cache says is kept by the
 * lock until the transaction ends) and map its columns; types is the type
 * of each value, resource_type's being usage_records' own.
 */
static void
pending_check(Relation rel, Oid *types)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;
	int			c;

	if (rel->rd_rel->relkind != RELKIND_RELATION)
		pending_refuse(rel, "another kind than a plain table", "Give it back the definition fenta made (51_daily_usage_incremental.sql).");
	if (rel->rd_rules != NULL)
		pending_refuse(rel, "rules", "Drop the rules on fenta.usage_daily_pending.");
	if (rel->trigdesc != NULL &&
		(rel->trigdesc->trig_insert_before_statement || rel->trigdesc->trig_insert_after_statement))
		pending_refuse(rel, "a statement-level INSERT trigger", "Drop the trigger, or make it a FOR EACH ROW trigger.");
	if (pending_valid && pending_restype == types[2])
		return;
	pending_valid = false;
	for (c = 0; c < DAILY_NCOLS; c++)
		pending_att[c] = InvalidAttrNumber;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		for (c = 0; c < DAILY_NCOLS; c++)
			if (strcmp(NameStr(att->attname), pending_cols[c]) == 0)
				break;
		if (c == DAILY_NCOLS)
		{
			if (att->atthasdef || att->attidentity || att->attgenerated)
				pending_refuse(rel, "a column with a default that fenta does not fill",
							   "Drop the column's default, or the column.");
			continue;			/* NULL, as an INSERT that names no such column */
		}
		if (att->atttypid != types[c])
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("column \"%s\" of relation \"fenta.usage_daily_pending\" is of type %s, but fenta's daily usage capture writes %s",
							NameStr(att->attname), format_type_be(att->atttypid), format_type_be(types[c])),
					 errhint("fenta's tables keep the column types the extension gave them: change the column back with ALTER TABLE ... ALTER COLUMN ... TYPE %s.",
							 format_type_be(types[c]))));
		pending_att[c] = att->attnum;
	}
	for (c = 0; c < DAILY_NCOLS; c++)
		if (pending_att[c] == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("relation \"fenta.usage_daily_pending\" lacks column \"%s\" that fenta's daily usage capture writes",
							pending_cols[c]),
					 errhint("Is the fenta extension up to date in this database?")));
	pending_restype = types[2];
	pending_valid = true;
}

/*
 * Append the groups to fenta.usage_daily_pending through the executor, as
 * the owner of the counters (row triggers a DBA added run as that role).
 */
static void
pending_insert(DailyUsage *groups, int ngroups, Oid *types)
{
	Oid			save_userid;
	int			save_sec;
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	int			i;

	if (!OidIsValid(pending_relid))
	{
		Oid			relid = get_relname_relid("usage_daily_pending", get_namespace_oid("fenta", false));

		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"fenta.usage_daily_pending\" of fenta's daily usage capture does not exist"),
					 errhint("Is the fenta extension installed and up to date in this database?")));
		pending_valid = false;
		pending_relid = relid;
	}
	rel = table_open(pending_relid, RowExclusiveLock);
	pending_check(rel, types);

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(quota_cat.owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);

	estate = quota_simple_estate(rel, &rri);
	ExecOpenIndices(rri, false);
	AfterTriggerBeginQuery();
	slot = table_slot_create(rel, &estate->es_tupleTable);

	for (i = 0; i < ngroups; i++)
	{
		DailyUsage *g = &groups[i];
		int64		tokens;
		Datum		values[DAILY_NCOLS];
		int			c;

		if (pg_add_s64_overflow(g->prompt, g->output, &tokens))
			quota_overflow_error("tokens", &g->key.org);
		values[0] = UUIDPGetDatum(&g->key.org);
		values[1] = DateADTGetDatum(g->key.day);
		values[2] = ObjectIdGetDatum(g->key.resource);
		values[3] = Int64GetDatum(g->events);
		values[4] = Int64GetDatum(g->prompt);
		values[5] = Int64GetDatum(g->output);
		values[6] = Int64GetDatum(tokens);
		values[7] = Int64GetDatum(g->kai);
		values[8] = Int64GetDatum(g->render);
		values[9] = Int64GetDatum(g->storage);
		values[10] = g->cost;

		ExecClearTuple(slot);
		memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
		for (c = 0; c < DAILY_NCOLS; c++)
		{
			slot->tts_values[pending_att[c] - 1] = values[c];
			slot->tts_isnull[pending_att[c] - 1] = false;
		}
		ExecStoreVirtualTuple(slot);
		ExecSimpleRelationInsert(rri, estate, slot);
	}

	AfterTriggerEndQuery(estate);
	ExecCloseIndices(rri);
	ExecResetTupleTable(estate->es_tupleTable, false);
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	FreeExecutorState(estate);
	SetUserIdAndSecContext(save_userid, save_sec);
	table_close(rel, NoLock);
	/* as SPI would: later commands of this transaction see the rows */
	CommandCounterIncrement();
}

/* Statements rarely touch more orgs and days than this: no hash table */
#define SMALL_GROUPS 8

/* The group of key: in the small array, or in the hash once it overflows */
static DailyUsage *
daily_group(DailyUsage *small, int *nsmall, HTAB **hash, DailyKey *key)
{
	DailyUsage *g = NULL;
	bool		found = false;
	int			i;

	if (*hash == NULL)
	{
		for (i = 0; i < *nsmall; i++)
			if (memcmp(&small[i].key, key, sizeof(DailyKey)) == 0)
				return &small[i];
		if (*nsmall < SMALL_GROUPS)
			g = &small[(*nsmall)++];
		else
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(DailyKey);
			ctl.entrysize = sizeof(DailyUsage);
			ctl.hcxt = CurrentMemoryContext;
			*hash = hash_create("fenta daily usage of a statement", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
			for (i = 0; i < *nsmall; i++)
				memcpy(hash_search(*hash, &small[i].key, HASH_ENTER, NULL), &small[i], sizeof(DailyUsage));
		}
	}
	if (g == NULL)
		g = hash_search(*hash, key, HASH_ENTER, &found);
	if (!found)
	{
		g->key = *key;
		g->events = g->prompt = g->output = g->kai = g->render = g->storage = 0;
		g->cost = NumericGetDatum(int64_to_numeric(0));
	}
	return g;
}

/* The attribute number of a usage_records column of the given type */
static AttrNumber
usage_column(TupleDesc desc, const char *name, Oid type)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
		{
			if (OidIsValid(type) && att->atttypid != type)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of public.usage_records has type %s, expected %s",
								name, format_type_be(att->atttypid), format_type_be(type)),
						 errhint("Restore the column type fenta made; daily usage reads it as %s.",
								 format_type_be(type))));
			return att->attnum;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of public.usage_records does not exist", name)));
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/* The UTC day of a timestamptz, as (created_at AT TIME ZONE 'UTC')::date */
static DateADT
utc_day(TimestampTz t)
{
	if (TIMESTAMP_IS_NOBEGIN(t))
		return DATEVAL_NOBEGIN;
	if (TIMESTAMP_IS_NOEND(t))
		return DATEVAL_NOEND;
	/* floor division: days since 2000-01-01, the date epoch */
	if (t < 0)
		return (DateADT) ((t - (USECS_PER_DAY - 1)) / USECS_PER_DAY);
	return (DateADT) (t / USECS_PER_DAY);
}

static void
add_to(int64 *sum, int64 value, const char *what, pg_uuid_t *org)
{
	if (pg_add_s64_overflow(*sum, value, sum))
		quota_overflow_error(what, org);
}

Datum
fenta_usage_daily_capture(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = quota_usage_trigger(fcinfo, "fenta.usage_daily_capture()");
	TupleDesc	desc;
	AttrNumber	att_created;
	AttrNumber	att_resource;
	AttrNumber	att_cost;
	Tuplestorestate *ts;
	TupleTableSlot *slot;
	DailyUsage	small[SMALL_GROUPS];
	DailyUsage *groups;
	int			nsmall = 0;
	HTAB	   *hash = NULL;
	DailyUsage *g;
	int			readptr;
	Oid			types[DAILY_NCOLS] = {UUIDOID, DATEOID, InvalidOid, INT8OID, INT8OID, INT8OID,
	INT8OID, INT8OID, INT8OID, INT8OID, NUMERICOID};

	desc = RelationGetDescr(trigdata->tg_relation);
	att_created = usage_column(desc, "created_at", TIMESTAMPTZOID);
	att_resource = usage_column(desc, "resource_type", InvalidOid);
	att_cost = usage_column(desc, "cost_usd", NUMERICOID);
	types[2] = TupleDescAttr(desc, att_resource - 1)->atttypid;

	/* group the statement's rows */
	ts = trigdata->tg_newtable;
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	readptr = tuplestore_alloc_read_pointer(ts, 0);
	tuplestore_select_read_pointer(ts, readptr);
	tuplestore_rescan(ts);
	while (tuplestore_gettupleslot(ts, true, false, slot))
	{
		DailyKey	key;
		bool		isnull;
		Datum		cost;
		int64		prompt;
		int64		output;
		int64		tokens;

		memset(&key, 0, sizeof(key));
		key.org = *DatumGetUUIDP(slot_getattr(slot, quota_cat.use_org, &isnull));
		if (isnull)
			continue;			/* NOT NULL column */
		key.day = utc_day(DatumGetTimestampTz(slot_getattr(slot, att_created, &isnull)));
		if (isnull)
			continue;			/* NOT NULL column (the partition key) */
		key.resource = DatumGetObjectId(slot_getattr(slot, att_resource, &isnull));
		if (isnull)
			continue;			/* NOT NULL column */
		g = daily_group(small, &nsmall, &hash, &key);
		prompt = slot_int64(slot, quota_cat.use_prompt, NULL);
		output = slot_int64(slot, quota_cat.use_output, NULL);
		add_to(&g->events, 1, "events", &key.org);
		add_to(&g->prompt, prompt, "llm_tokens_prompt", &key.org);
		add_to(&g->output, output, "llm_tokens_output", &key.org);
		if (pg_add_s64_overflow(prompt, output, &tokens))
			quota_overflow_error("tokens", &key.org);
		add_to(&g->kai, slot_int64(slot, quota_cat.use_kai, NULL), "kai_credits", &key.org);
		add_to(&g->render, slot_int64(slot, quota_cat.use_render, NULL), "render_seconds", &key.org);
		add_to(&g->storage, slot_int64(slot, quota_cat.use_storage, NULL), "storage_bytes", &key.org);
		cost = slot_getattr(slot, att_cost, &isnull);
		if (!isnull)
			g->cost = DirectFunctionCall2(numeric_add, g->cost, cost);
	}
	ExecDropSingleTupleTableSlot(slot);

	if (hash != NULL)
	{
		HASH_SEQ_STATUS seq;

		nsmall = 0;
		groups = palloc(sizeof(DailyUsage) * hash_get_num_entries(hash));
		hash_seq_init(&seq, hash);
		while ((g = hash_seq_search(&seq)) != NULL)
			groups[nsmall++] = *g;
	}
	else
		groups = small;

	if (nsmall > 0)
		pending_insert(groups, nsmall, types);
	return PointerGetDatum(NULL);
}
