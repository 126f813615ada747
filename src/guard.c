/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The drop guard: nothing fenta owns disappears, directly or by cascade,
 *	  unless the session has run SET fenta.allow_drop = on.
 *
 * Two event triggers share the work, because neither can do all of it:
 *
 * - At ddl_command_start, fenta.guard_ddl_start() looks at what a DROP
 *	 statement names (its parse tree, so a DROP built in a DO block or sent
 *	 together with other statements is seen as it is) and follows pg_depend
 *	 from those objects to everything that would be dropped with them.  If
 *	 that reaches the fenta extension or one of its members, the whole
 *	 extension would go (a member reached by a cascade takes its extension
 *	 along), and with it the event triggers themselves, which then would not
 *	 fire any more: the statement is refused before it runs.
 *
 * - At sql_drop, fenta.guard_sql_drop() (PL/pgSQL) sees what a statement
 *	 really dropped: when fenta itself survives (DROP FUNCTION auth.uid()
 *	 CASCADE takes fenta's policies and column defaults, ALTER TABLE ...
 *	 DROP COLUMN a column) it compares the dropped objects with the registry
 *	 fenta.guarded_objects and raises, which rolls the statement back.
 *
 * Unrelated drops are never refused.  fenta's own scripts (CREATE and ALTER
 * EXTENSION fenta) may drop what they replace.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/user.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(fenta_guard_ddl_start);
PG_FUNCTION_INFO_V1(fenta_drop_allowed);

/* GUC fenta.allow_drop */
static bool allow_drop = false;

/* An object, as a hash key (sub-ids are folded into their object). */
typedef struct GuardKey
{
	Oid			classid;
	Oid			objid;
} GuardKey;

/*
 * Module load: the GUC.
 */
void
fenta_guard_init(void)
{
	DefineCustomBoolVariable("fenta.allow_drop",
							 "Allows dropping fenta and the objects it owns in this session.",
							 "Off: DROP EXTENSION fenta, and any statement that would drop one of fenta's tables, policies, triggers, columns, defaults, monthly partitions or archived months (directly or by cascade), is refused.",
							 &allow_drop,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
}

/*
 * May this session drop what fenta owns now?  When it said so, or while
 * fenta's own install or update script runs.
 */
static bool
drop_allowed(void)
{
	if (allow_drop)
		return true;
	return creating_extension &&
		CurrentExtensionObject == get_extension_oid("fenta", true);
}

/*
 * fenta.drop_allowed(): the same answer, for the sql_drop trigger.
 */
Datum
fenta_drop_allowed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(drop_allowed());
}

static void
refuse(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
			 errmsg("this statement would drop the fenta extension and every table and row of it"),
			 errdetail("It drops %s, and fenta depends on it.", what),
			 errhint("To drop fenta and all its data on purpose, run SET fenta.allow_drop = on; in the same session first.")));
}

/*
 * The members of fenta (and fenta itself): what must not be reached.
 */
static HTAB *
fenta_members(Oid ext)
{
	HASHCTL		ctl;
	HTAB	   *members;
	Relation	dep;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	GuardKey	k;

	ctl.keysize = sizeof(GuardKey);
	ctl.entrysize = sizeof(GuardKey);
	ctl.hcxt = CurrentMemoryContext;
	members = hash_create("fenta members", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	k.classid = ExtensionRelationId;
	k.objid = ext;
	(void) hash_search(members, &k, HASH_ENTER, NULL);

	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ExtensionRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		if (d->deptype != DEPENDENCY_EXTENSION)
			continue;
		k.classid = d->classid;
		k.objid = d->objid;
		(void) hash_search(members, &k, HASH_ENTER, NULL);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
	return members;
}

/*
 * Follow pg_depend from the objects a statement drops to everything that
 * depends on them, recursively; refuse when fenta or a member is reached.
 */
static void
check_reach(List *targets, Oid ext, bool cascade)
{
	HTAB	   *members = fenta_members(ext);
	HTAB	   *seen;
	HASHCTL		ctl;
	List	   *queue = NIL;
	Relation	dep;
	ListCell   *lc;

	ctl.keysize = sizeof(GuardKey);
	ctl.entrysize = sizeof(GuardKey);
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("fenta drop reach", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	foreach(lc, targets)
	{
		ObjectAddress *a = lfirst(lc);
		GuardKey	k;
		bool		found;

		k.classid = a->classId;
		k.objid = a->objectId;
		if (hash_search(members, &k, HASH_FIND, NULL) != NULL)
			refuse(getObjectDescription(a, false));
		(void) hash_search(seen, &k, HASH_ENTER, &found);
		if (!found)
			queue = lappend(queue, a);
	}

	dep = table_open(DependRelationId, AccessShareLock);
	while (queue != NIL)
	{
		ObjectAddress *a = linitial(queue);
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	tup;

		queue = list_delete_first(queue);
		ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(a->classId));
		ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(a->objectId));
		scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 2, key);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
			GuardKey	k;
			bool		found;

			/* without CASCADE only what goes along anyway is followed */
			if (!cascade && d->deptype == DEPENDENCY_NORMAL)
				continue;
			/* a member pointing at its extension is not a way down */
			if (d->deptype == DEPENDENCY_EXTENSION)
				continue;
			k.classid = d->classid;
			k.objid = d->objid;
			if (hash_search(members, &k, HASH_FIND, NULL) != NULL)
			{
				systable_endscan(scan);
				refuse(getObjectDescription(a, false));
			}
			(void) hash_search(seen, &k, HASH_ENTER, &found);
			if (!found)
			{
				ObjectAddress *next = palloc(sizeof(ObjectAddress));

				next->classId = d->classid;
				next->objectId = d->objid;
				next->objectSubId = 0;
				queue = lappend(queue, next);
			}
		}
		systable_endscan(scan);
	}
	table_close(dep, AccessShareLock);
}

/*
 * The objects a DROP statement names, without taking locks: the statement
 * itself locks them next.  Objects that do not exist are left out (the
 * statement will say so, or skip them with IF EXISTS).
 */
static List *
drop_targets(DropStmt *stmt)
{
	List	   *targets = NIL;
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Node	   *obj = lfirst(lc);
		ObjectAddress *a = palloc0(sizeof(ObjectAddress));

		switch (stmt->removeType)
		{
			case OBJECT_EXTENSION:
				a->classId = ExtensionRelationId;
				a->objectId = get_extension_oid(strVal(obj), true);
				break;
			case OBJECT_SCHEMA:
				a->classId = NamespaceRelationId;
				a->objectId = get_namespace_oid(strVal(obj), true);
				break;
			case OBJECT_TABLE:
			case OBJECT_VIEW:
			case OBJECT_MATVIEW:
			case OBJECT_FOREIGN_TABLE:
			case OBJECT_SEQUENCE:
			case OBJECT_INDEX:
				a->classId = RelationRelationId;
				a->objectId = RangeVarGetRelid(makeRangeVarFromNameList(castNode(List, obj)),
											   NoLock, true);
				break;
			case OBJECT_FUNCTION:
			case OBJECT_PROCEDURE:
			case OBJECT_ROUTINE:
			case OBJECT_AGGREGATE:
				a->classId = ProcedureRelationId;
				a->objectId = LookupFuncWithArgs(stmt->removeType,
												 castNode(ObjectWithArgs, obj), true);
				break;
			case OBJECT_TYPE:
			case OBJECT_DOMAIN:
				a->classId = TypeRelationId;
				a->objectId = LookupTypeNameOid(NULL, castNode(TypeName, obj), true);
				break;
			default:
				{
					/* the rarer kinds: the generic lookup (it locks) */
					Relation	rel = NULL;
					ObjectAddress found;

					found = get_object_address(stmt->removeType, obj, &rel,
											   AccessShareLock, true);
					if (rel != NULL)
						table_close(rel, NoLock);
					*a = found;
				}
				break;
		}
		if (OidIsValid(a->objectId))
			targets = lappend(targets, a);
	}
	return targets;
}

/*
 * DROP OWNED BY: refused when a role owns fenta or one of the schemas fenta
 * lives in.
 */
static void
check_drop_owned(DropOwnedStmt *stmt, Oid ext)
{
	List	   *roles = roleSpecsToIds(stmt->roles);
	HeapTuple	tup;
	Oid			extowner = InvalidOid;
	const char *const schemas[] = {"fenta", "public", "fenta_archive"};
	int			i;

	{
		Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
		ScanKeyData key;
		SysScanDesc scan;

		ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(ext));
		scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
		tup = systable_getnext(scan);
		if (HeapTupleIsValid(tup))
			extowner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	if (list_member_oid(roles, extowner))
		refuse("the owner's objects, the fenta extension among them");
	for (i = 0; i < (int) lengthof(schemas); i++)
	{
		Oid			nsp = get_namespace_oid(schemas[i], true);

		if (!OidIsValid(nsp))
			continue;
		tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
		if (HeapTupleIsValid(tup))
		{
			Oid			owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;

			ReleaseSysCache(tup);
			if (list_member_oid(roles, owner))
				refuse(psprintf("schema %s", schemas[i]));
		}
	}
}

/*
 * fenta.guard_ddl_start(): ddl_command_start event trigger.
 */
Datum
fenta_guard_ddl_start(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	Oid			ext;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("fenta.guard_ddl_start() must be an event trigger on ddl_command_start")));
	trigdata = (EventTriggerData *) fcinfo->context;
	if (drop_allowed())
		PG_RETURN_VOID();
	if (IsA(trigdata->parsetree, DropStmt))
	{
		DropStmt   *stmt = (DropStmt *) trigdata->parsetree;

		ext = get_extension_oid("fenta", true);
		if (OidIsValid(ext))
			check_reach(drop_targets(stmt), ext, stmt->behavior == DROP_CASCADE);
	}
	else if (IsA(trigdata->parsetree, DropOwnedStmt))
	{
		ext = get_extension_oid("fenta", true);
		if (OidIsValid(ext))
			check_drop_owned((DropOwnedStmt *) trigdata->parsetree, ext);
	}
	PG_RETURN_VOID();
}
