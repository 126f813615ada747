/*-------------------------------------------------------------------------
 *
 * quota_auth.c
 *	  Who may ask the quota engine about an org: the RLS-exempt roles
 *	  (superuser, BYPASSRLS such as service_role) about any org; anybody else
 *	  only as an active member of it, the requesting user being auth.uid().
 *
 * The requesting user is what auth.uid() says.  auth.uid() is a SQL
 * function, and calling it through the function manager costs a parse and a
 * plan of its body in every transaction (fmgr_sql keeps its plan for one
 * transaction only), more than the rest of a member's check_quota.  So when
 * auth.uid() is the function Supabase ships (and sql/supabase_auth.sql
 * installs), recognised by its definition (LANGUAGE sql, no SET clause, its
 * body up to white space and the case of the key words), the subject is
 * read here the same way, in C, from the same two settings, with the same
 * errors; the parse of a request.jwt.claims string is kept for the next
 * call.  Any other definition of auth.uid() is called as it is.  A change to
 * pg_proc (CREATE OR REPLACE FUNCTION auth.uid() ...) is seen at the next
 * call.  test/sql/quota_auth_uid.sql checks that both ways agree.
 *
 *-------------------------------------------------------------------------
 */
#include "quota.h"

#include "access/htup_details.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/uuid.h"

/* The RLS bypass answer, per role. */
static Oid	bypass_role = InvalidOid;
static bool bypass_result = false;

/* auth.uid(): which function, and how to read it (reset by pg_proc changes) */
static bool uid_stale = true;
static Oid	uid_fn = InvalidOid;
static bool uid_in_c = false;
static MemoryContext uid_cxt = NULL;
static FmgrInfo uid_flinfo;
static bool uid_call_done = true;	/* the last call through uid_flinfo ended */

/* The parse of the last request.jwt.claims string (the C reading). */
static char *claim_cache_text = NULL;
static bool claim_cache_has_uid = false;
static pg_uuid_t claim_cache_uid;

/*
 * The body of Supabase's auth.uid(), without white space and with the key
 * words in lower case (what auth_uid_normalize makes of it).
 */
static const char *const supabase_uid_body =
"selectcoalesce(nullif(current_setting('request.jwt.claim.sub',true),''),"
"(nullif(current_setting('request.jwt.claims',true),'')::jsonb->>'sub'))::uuid";

static void
quota_auth_role_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	bypass_role = InvalidOid;
}

static void
quota_auth_proc_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	/* acted upon at the next call, never under a running auth.uid() */
	uid_stale = true;
}

void
quota_auth_init(void)
{
	CacheRegisterSyscacheCallback(AUTHOID, quota_auth_role_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, quota_auth_proc_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, quota_auth_proc_callback, (Datum) 0);
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
 * A SQL body without white space outside string literals, and with
 * everything outside string literals in lower case; a final ';' dropped.
 */
static char *
auth_uid_normalize(const char *src)
{
	StringInfoData out;
	bool		in_literal = false;
	const char *p;

	initStringInfo(&out);
	for (p = src; *p; p++)
	{
		if (*p == '\'')
			in_literal = !in_literal;
		if (in_literal || *p == '\'')
			appendStringInfoChar(&out, *p);
		else if (!isspace((unsigned char) *p))
			appendStringInfoChar(&out, pg_tolower((unsigned char) *p));
	}
	if (out.len > 0 && out.data[out.len - 1] == ';')
		out.data[--out.len] = '\0';
	return out.data;
}

/*
 * Find auth.uid() and decide how to read it (again after a change to
 * pg_proc or pg_namespace).
 */
static void
auth_uid_resolve_guts(void)
{
	HeapTuple	tup;

	uid_fn = InvalidOid;
	uid_in_c = false;
	if (uid_cxt == NULL)
		uid_cxt = AllocSetContextCreate(TopMemoryContext, "fenta auth.uid()",
										ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(uid_cxt);

	uid_fn = LookupFuncName(list_make2(makeString("auth"), makeString("uid")), 0, NULL, true);
	if (!OidIsValid(uid_fn))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(uid_fn));
	if (!HeapTupleIsValid(tup))
	{
		uid_fn = InvalidOid;
		return;
	}
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);
		bool		isnull;
		Datum		src;

		(void) SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_proconfig, &isnull);
		if (proc->prolang == SQLlanguageId && proc->prorettype == UUIDOID &&
			!proc->proretset && proc->prokind == PROKIND_FUNCTION && isnull)
		{
			src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
			if (!isnull)
			{
				char	   *body = auth_uid_normalize(TextDatumGetCString(src));

				uid_in_c = (strcmp(body, supabase_uid_body) == 0);
				pfree(body);
			}
		}
	}
	ReleaseSysCache(tup);
	if (!uid_in_c)
		fmgr_info_cxt(uid_fn, &uid_flinfo, uid_cxt);
	uid_call_done = true;
}

/*
 * Resolve again; a change to pg_proc seen meanwhile (by the callback) makes
 * the next call resolve once more, and so does an error here.
 */
static void
auth_uid_resolve(void)
{
	uid_stale = false;
	PG_TRY();
	{
		auth_uid_resolve_guts();
	}
	PG_CATCH();
	{
		uid_fn = InvalidOid;
		uid_stale = true;
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/*
 * What jsonb's ->> makes of a value: NULL for JSON null, else its text.
 */
static char *
auth_jsonb_value_text(JsonbValue *val)
{
	switch (val->type)
	{
		case jbvNull:
			return NULL;
		case jbvBool:
			return pstrdup(val->val.boolean ? "true" : "false");
		case jbvString:
			return pnstrdup(val->val.string.val, val->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(val->val.numeric)));
		case jbvBinary:
			{
				StringInfo	jtext = makeStringInfo();

				(void) JsonbToCString(jtext, val->val.binary.data, -1);
				return jtext->data;
			}
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) val->type);
	}
	return NULL;
}

/*
 * Supabase's auth.uid() in C:
 *	 coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
 *			  (nullif(current_setting('request.jwt.claims', true), '')::jsonb
 *			   ->> 'sub'))::uuid
 * with the parse of the claims cached by claim string.
 */
static bool
auth_uid_in_c(pg_uuid_t *uid)
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
			if (val != NULL)
			{
				char	   *s = auth_jsonb_value_text(val);

				if (s != NULL)
				{
					parsed = *DatumGetUUIDP(DirectFunctionCall1(uuid_in, CStringGetDatum(s)));
					has = true;
				}
			}
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

/*
 * The requesting user: auth.uid(), false when it is NULL or missing.
 */
static bool
quota_auth_uid(pg_uuid_t *uid)
{
	if (uid_stale)
		auth_uid_resolve();
	if (!OidIsValid(uid_fn))
		return false;
	if (uid_in_c)
		return auth_uid_in_c(uid);
	{
		LOCAL_FCINFO(fcinfo, 0);
		Datum		d;

		/*
		 * fmgr_sql keeps its plan in fn_extra for the transaction; after an
		 * error in the function, that state is unusable: start afresh.
		 */
		if (!uid_call_done)
		{
			MemoryContextReset(uid_cxt);
			fmgr_info_cxt(uid_fn, &uid_flinfo, uid_cxt);
		}
		uid_call_done = false;
		InitFunctionCallInfoData(*fcinfo, &uid_flinfo, 0, InvalidOid, NULL, NULL);
		d = FunctionCallInvoke(fcinfo);
		uid_call_done = true;
		if (fcinfo->isnull)
			return false;
		*uid = *DatumGetUUIDP(d);
		return true;
	}
}

/*
 * Is uid an active member of the org?  Reads org_members through
 * (org_id, user_id), then the member's profile (status 'active').  The org's
 * own state (soft-deleted) is the answer's business, not the caller's: a
 * member asking about a deleted org gets false, as service_role does.
 */
static void
quota_member_reader(QuotaFacts *f, int unused)
{
	pg_uuid_t  *uid = &f->user;

	f->found = quota_fetch_unique(SCAN_MEMBERS, &f->org, uid);
	quota_lookup_done(SCAN_MEMBERS);
	if (!f->found)
		return;
	f->found = false;
	if (quota_fetch_unique(SCAN_PROFILES, uid, NULL))
	{
		TupleTableSlot *slot = quota_scan_slot(SCAN_PROFILES);
		bool		isnull;
		Datum		status = slot_getattr(slot, quota_cat.prof_status, &isnull);

		f->found = !isnull && DatumGetObjectId(status) == quota_cat.status_active;
	}
	quota_lookup_done(SCAN_PROFILES);
}

/*
 * Refuse callers who are neither RLS-exempt nor active members of the org,
 * with the same error whether the org exists or not.
 */
void
quota_authorize(pg_uuid_t *org)
{
	QuotaFacts	m;

	if (quota_caller_bypasses())
		return;
	m.found = false;
	if (quota_auth_uid(&m.user))
	{
		m.org = *org;
		quota_with_scans(quota_member_reader, &m, 0);
	}
	if (!m.found)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to check the quota of this org"),
				 errdetail("Only active members of the org and service_role may check its quota.")));
}
