/*-------------------------------------------------------------------------
 *
 * quota.c
 *	  The quota engine's answers: check_quota() and quota_status(), and the
 *	  decision.  Who may ask is in quota_auth.c, the catalog cache in
 *	  quota_catalog.c, the cached index scans in quota_scan.c, the writers
 *	  (the usage_records triggers) in accounting.c.
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

/* The verdict per resource. */
typedef struct QuotaVerdict
{
	int128		over[N_RES];	/* beyond limit (and packs), >= 0 */
	bool		fits[N_RES];	/* requested amount fits without overage */
	bool		overage_ok;		/* overage allowed and within the cap */
	bool		allowed;		/* the check_quota answer */
} QuotaVerdict;

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
	quota_auth_init();
	quota_catalog_init();
	quota_scan_init();
	fenta_accounting_init();
	fenta_daily_init();
	fenta_idempotency_init();
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
 * overage_cap_usd.  overage_ok is worked out only when it matters to the
 * answer (something does not fit), or always with all_verdicts (quota_status
 * shows it per resource).
 */
static void
quota_decide(QuotaFacts *f, const int64 *req, QuotaVerdict *v, bool all_verdicts)
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
	/* check_quota needs the overage only when something does not fit */
	if (f->allow_overage && (!all_fit || all_verdicts))
	{
		int128		cost;

		quota_load_prices(f);
		/* cost in 10^-9 dollars: tokens are priced per 1,000 */
		cost = v->over[R_TOKENS] * f->price_micro[R_TOKENS] +
			(v->over[R_KAI] * f->price_micro[R_KAI] +
			 v->over[R_RENDER] * f->price_micro[R_RENDER]) * 1000;

		v->overage_ok = cost <= (int128) f->cap_cents * 10000000;
	}
	v->allowed = all_fit || v->overage_ok;
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
	quota_decide(&f, req, &v, false);
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
		quota_decide(&f, req, &v, true);
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

