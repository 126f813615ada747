/*-------------------------------------------------------------------------
 *
 * counter_update.c
 *	  The accounting trigger's hot write: add to an existing counter slot
 *	  row in place, with PostgreSQL's executor machinery for simple updates
 *	  (as logical replication applies a change): every index maintained,
 *	  every constraint checked (the CHECK constraints compiled once per
 *	  backend), row triggers fired.  The rest of the trigger is in
 *	  accounting.c.
 *
 *-------------------------------------------------------------------------
 */
#include "quota.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "common/int.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/*
 * The in-place update refuses a quota_counters whose BEFORE UPDATE triggers
 * could change or skip the new row, or whose rules would rewrite it: either
 * would make the counters drift from the usage rows; and statement-level
 * UPDATE triggers, which a row-by-row update does not fire.  Decided on the
 * relation as locked by the caller.
 */
void
counters_writable(Relation rel)
{
	if (rel->rd_rules != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relation \"%s\" has rules, which the fenta quota engine does not support",
						RelationGetRelationName(rel)),
				 errhint("Drop the rules on fenta.quota_counters.")));
	if (rel->trigdesc != NULL &&
		(rel->trigdesc->trig_update_before_statement ||
		 rel->trigdesc->trig_update_after_statement))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relation \"%s\" has a statement-level UPDATE trigger, which the fenta quota engine does not support",
						RelationGetRelationName(rel)),
				 errdetail("The counters are updated row by row, as logical replication applies changes; statement triggers and transition tables would not see those updates."),
				 errhint("Drop the trigger, or make it an AFTER ... FOR EACH ROW trigger.")));
	if (rel->trigdesc != NULL && rel->trigdesc->trig_update_before_row)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relation \"%s\" has a BEFORE UPDATE row trigger, which the fenta quota engine does not support",
						RelationGetRelationName(rel)),
				 errdetail("A trigger that changes or skips a counter row would make the counters drift from the usage rows."),
				 errhint("Drop the trigger, or make it an AFTER trigger.")));
}

/*
 * The counters' CHECK constraints, compiled once per backend: the executor
 * would read them from their node strings and plan them again on every
 * update (most of what ExecSimpleRelationUpdate costs here).  Rebuilt when
 * quota_counters' relcache entry is invalidated (a constraint added or
 * dropped) or a function is changed, and whenever the descriptor is another.
 */
static MemoryContext checks_cxt = NULL;
static ExprState **checks = NULL;
static TupleDesc checks_desc = NULL;
static bool checks_valid = false;

static void
checks_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == quota_cat.counters)
		checks_valid = false;
}

static void
checks_syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	checks_valid = false;
}

void
quota_counter_update_init(void)
{
	CacheRegisterRelcacheCallback(checks_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, checks_syscache_callback, (Datum) 0);
}

static ExprState **
counters_checks(Relation rel)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	MemoryContext old;
	int			i;

	if (constr == NULL || constr->num_check == 0)
		return NULL;
	if (checks_valid && checks_desc == RelationGetDescr(rel))
		return checks;
	if (checks_cxt == NULL)
		checks_cxt = AllocSetContextCreate(CacheMemoryContext, "fenta counters checks",
										   ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(checks_cxt);
	checks_valid = false;
	old = MemoryContextSwitchTo(checks_cxt);
	checks = palloc(sizeof(ExprState *) * constr->num_check);
	for (i = 0; i < constr->num_check; i++)
	{
		Expr	   *expr = stringToNode(constr->check[i].ccbin);

		checks[i] = ExecInitExpr(expression_planner(expr), NULL);
	}
	MemoryContextSwitchTo(old);
	checks_desc = RelationGetDescr(rel);
	checks_valid = true;
	return checks;
}

/*
 * An executor state for writing one relation (locked RowExclusiveLock by
 * the caller) row by row, as logical replication sets one up to apply a
 * change: its range table, its result relation (*rri), the current command
 * and the active snapshot.  The daily capture (daily.c) uses it too.
 */
EState *
quota_simple_estate(Relation rel, ResultRelInfo **rri)
{
	EState	   *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);

	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
#if PG_VERSION_NUM >= 160000
	ExecInitRangeTable(estate, list_make1(rte), NIL);
#else
	ExecInitRangeTable(estate, list_make1(rte));
#endif
	*rri = makeNode(ResultRelInfo);
	InitResultRelInfo(*rri, rel, 1, NULL, 0);
	estate->es_output_cid = GetCurrentCommandId(true);
	estate->es_snapshot = GetActiveSnapshot();
	return estate;
}

/*
 * Add the usage to a locked slot row (oldslot holds its newest version)
 * through the executor: constraints, every index, row triggers.
 */
static void
slot_update(OrgUsage *u, Relation rel, TupleTableSlot *oldslot, ItemPointer newtid)
{
	ResultRelInfo *rri;
	EState	   *estate = quota_simple_estate(rel, &rri);
	EPQState	epq;
	TupleTableSlot *newslot;
	int			natts = RelationGetDescr(rel)->natts;
	int			r;

	rri->ri_ConstraintExprs = counters_checks(rel);
#if PG_VERSION_NUM >= 160000
	ExecOpenIndices(rri, false);
#endif
#if PG_VERSION_NUM >= 160000
	EvalPlanQualInit(&epq, estate, NULL, NIL, -1, NIL);
#else
	EvalPlanQualInit(&epq, estate, NULL, NIL, -1);
#endif
	AfterTriggerBeginQuery();

	newslot = table_slot_create(rel, &estate->es_tupleTable);
	slot_getallattrs(oldslot);
	ExecClearTuple(newslot);
	memcpy(newslot->tts_values, oldslot->tts_values, sizeof(Datum) * natts);
	memcpy(newslot->tts_isnull, oldslot->tts_isnull, sizeof(bool) * natts);
	for (r = 0; r < N_RES; r++)
	{
		AttrNumber	att = quota_cat.cnt_value[r];
		int64		v = 0;

		if (r == R_KAI)
			continue;
		if (newslot->tts_isnull[att - 1] ||
			pg_add_s64_overflow(DatumGetInt64(newslot->tts_values[att - 1]), u->amount[r], &v))
			quota_overflow_error(quota_res_names[r], &u->org);
		if (r != R_STORAGE && v > QUOTA_SLOT_CAP)
			quota_slot_cap_error(quota_res_names[r], &u->org);
		newslot->tts_values[att - 1] = Int64GetDatum(v);
	}
	ExecStoreVirtualTuple(newslot);
#if PG_VERSION_NUM >= 160000
	ExecSimpleRelationUpdate(rri, estate, &epq, oldslot, newslot);
#else

	/*
	 * ExecSimpleRelationUpdate, step by step (BEFORE row triggers are refused
	 * by counters_writable), opening the indexes only when the update is not
	 * HOT and they need an entry for the new version.
	 */
	{
		bool		update_indexes;
		List	   *recheck = NIL;

		CheckCmdReplicaIdentity(rel, CMD_UPDATE);
		if (rel->rd_att->constr)
			ExecConstraints(rri, newslot, estate);
		simple_table_tuple_update(rel, &oldslot->tts_tid, newslot, estate->es_snapshot,
								  &update_indexes);
		if (update_indexes)
		{
			ExecOpenIndices(rri, false);
			if (rri->ri_NumIndices > 0)
				recheck = ExecInsertIndexTuples(rri, newslot, estate, true, false, NULL, NIL);
		}
		/* (deferred unique constraints are rechecked for the indexes in recheck) */
		ExecARUpdateTriggers(estate, rri, NULL, NULL, &oldslot->tts_tid, NULL, newslot,
							 recheck, NULL, false);
		list_free(recheck);
	}
#endif

	/* where the new version is: the trigger's next statement starts there */
	if (newtid != NULL)
		*newtid = newslot->tts_tid;
	AfterTriggerEndQuery(estate);
	EvalPlanQualEnd(&epq);
	ExecCloseIndices(rri);
	ExecResetTupleTable(estate->es_tupleTable, false);
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	FreeExecutorState(estate);
	/* as SPI would: later commands of this transaction see the update */
	CommandCounterIncrement();
}

/*
 * Add to an existing slot row in place: lock its newest version and update
 * it.  With LockWaitSkip, a row another transaction holds is left alone
 * (SLOT_BUSY).  SLOT_GONE: the row was deleted (rolled up) since the
 * statement's snapshot.
 */
SlotOutcome
account_slot_in_place(OrgUsage *u, Relation rel, ItemPointer tid, LockWaitPolicy wait,
					  ItemPointer newtid)
{
	TupleTableSlot *ts = table_slot_create(rel, NULL);
	TM_FailureData tmfd;
	TM_Result	res;
	SlotOutcome outcome;
	bool		isnull;

	res = table_tuple_lock(rel, tid, GetActiveSnapshot(), ts,
						   GetCurrentCommandId(true), LockTupleNoKeyExclusive,
						   wait, TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
	if (res == TM_Ok)
	{
		/* the row of a hint may be another org's now (a line pointer reused) */
		Datum		org = slot_getattr(ts, quota_cat.key_att[SCAN_COUNTERS][0], &isnull);
		bool		ours = !isnull && memcmp(DatumGetUUIDP(org)->data, u->org.data, UUID_LEN) == 0;

		if (!ours || DatumGetInt16(slot_getattr(ts, quota_cat.cnt_slot, &isnull)) < 0 || isnull)
			res = TM_Invisible;
	}
	if (res == TM_Ok)
	{
		slot_update(u, rel, ts, newtid);
		outcome = SLOT_DONE;
	}
	else if (res == TM_WouldBlock)
		outcome = SLOT_BUSY;
	else
		outcome = SLOT_GONE;	/* deleted, or (can't happen) changed by us */
	ExecDropSingleTupleTableSlot(ts);
	return outcome;
}

