/*-------------------------------------------------------------------------
 *
 * idempotency.c
 *	  usage_idempotency_guard(): a usage event retried with the same
 *	  idempotency key counts once and never fails.
 *
 * The first row with a key (per org) records it in fenta.usage_idempotency;
 * a later one is skipped.  The SQL runs as the owner of the quota tables with
 * search_path pinned, every name and operator qualified (quota_catalog.c).
 *
 *-------------------------------------------------------------------------
 */
#include "quota.h"

#include "access/htup_details.h"
#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/inval.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(fenta_usage_idempotency_guard);

static SPIPlanPtr plan_idem_insert = NULL;
static SPIPlanPtr plan_idem_lookup = NULL;
static SPIPlanPtr plan_usage_exists = NULL;

/*
 * The last relation the guard found to be usage_records or a partition, and
 * where its columns are: checked once per relation and again after its
 * relcache entry is invalidated (ALTER TABLE).  Since 0.6.0 the trigger
 * fires for every row (no WHEN clause, which PostgreSQL compiled again for
 * every statement), so a row without a key must cost next to nothing.
 */
static Oid	guard_relid_ok = InvalidOid;
static int	guard_key_att;
static int	guard_org_att;
static int	guard_id_att;

static void
guard_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == guard_relid_ok)
		guard_relid_ok = InvalidOid;
}

void
fenta_idempotency_init(void)
{
	CacheRegisterRelcacheCallback(guard_relcache_callback, (Datum) 0);
}

/*
 * usage_idempotency_guard(): BEFORE INSERT row trigger for rows with an
 * idempotency key.  The first row with a key (per org) records it; a later
 * one is skipped (returns NULL).  The row the key names is let through only
 * while it is not in usage_records yet (a row restored from a dump after
 * the keys): a retry that repeats the id as well as the key is skipped too,
 * so a retried event counts once and never fails.
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
	QuotaOwnerContext oc;
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
	/* usage_records itself or one of its partitions (checked once per relation) */
	if (RelationGetRelid(trigdata->tg_relation) != guard_relid_ok)
	{
		Oid			relid = RelationGetRelid(trigdata->tg_relation);

		guard_relid_ok = InvalidOid;
		/* a partition may order its columns differently: look them up by name */
		key_att = SPI_fnumber(desc, "idempotency_key");
		org_att = SPI_fnumber(desc, "org_id");
		id_att = SPI_fnumber(desc, "id");
		if (key_att <= 0 || org_att <= 0 || id_att <= 0 ||
			SPI_gettypeid(desc, key_att) != TEXTOID ||
			SPI_gettypeid(desc, org_att) != UUIDOID ||
			SPI_gettypeid(desc, id_att) != UUIDOID)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("fenta.usage_idempotency_guard() must be a trigger on public.usage_records")));
		quota_catalog();
		if (relid != quota_cat.usage &&
			!(trigdata->tg_relation->rd_rel->relispartition &&
			  get_partition_parent(relid, true) == quota_cat.usage))
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("fenta.usage_idempotency_guard() must be a trigger on public.usage_records")));
		guard_key_att = key_att;
		guard_org_att = org_att;
		guard_id_att = id_att;
		guard_relid_ok = relid;
	}
	key_att = guard_key_att;
	org_att = guard_org_att;
	id_att = guard_id_att;
	/* most rows carry no key */
	if (heap_attisnull(tuple, key_att, desc))
		return PointerGetDatum(tuple);
	args[0] = heap_getattr(tuple, org_att, desc, &isnull[0]);
	args[1] = heap_getattr(tuple, key_att, desc, &isnull[1]);
	args[2] = heap_getattr(tuple, id_att, desc, &isnull[2]);
	if (isnull[1])
		return PointerGetDatum(tuple);
	if (isnull[0] || isnull[2])
		return PointerGetDatum(tuple);	/* NOT NULL constraints will say */

	quota_enter_owner(&oc, true);
	quota_exec(quota_plan(&plan_idem_insert,
						  "INSERT INTO fenta.usage_idempotency (org_id, idempotency_key, usage_id)"
						  " VALUES ($1, $2, $3) ON CONFLICT (org_id, idempotency_key) DO NOTHING",
						  3, types), args, SPI_OK_INSERT);
	keep = (SPI_processed == 1);
	if (!keep)
	{
		quota_exec(quota_plan(&plan_idem_lookup,
							  "SELECT usage_id FROM fenta.usage_idempotency"
							  " WHERE org_id OPERATOR(pg_catalog.=) $1"
							  " AND idempotency_key OPERATOR(pg_catalog.=) $2",
							  2, types), args, SPI_OK_SELECT);
		if (SPI_processed == 1)
		{
			bool		n;
			Datum		id = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &n);

			keep = !n && memcmp(DatumGetUUIDP(id), DatumGetUUIDP(args[2]), UUID_LEN) == 0;
		}
		if (keep)
		{
			/* the key names this very id: let it in only if it is not there */
			quota_exec(quota_plan(&plan_usage_exists,
								  "SELECT FROM public.usage_records"
								  " WHERE id OPERATOR(pg_catalog.=) $1 LIMIT 1",
								  1, &types[2]), &args[2], SPI_OK_SELECT);
			keep = (SPI_processed == 0);
		}
	}
	quota_leave_owner(&oc);
	return keep ? PointerGetDatum(tuple) : PointerGetDatum(NULL);
}
