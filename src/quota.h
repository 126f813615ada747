/*-------------------------------------------------------------------------
 *
 * quota.h
 *	  Declarations shared by the quota engine's readers (quota.c) and
 *	  writers (accounting.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FENTA_QUOTA_H
#define FENTA_QUOTA_H

#include "fenta.h"

#include "access/attnum.h"
#include "access/genam.h"
#include "nodes/lockoptions.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "utils/relcache.h"
#include "utils/uuid.h"

/* Resources, in the order of check_quota's arguments; storage last. */
#define R_TOKENS	0
#define R_KAI		1
#define R_RENDER	2
#define R_STORAGE	3
#define N_RES		4
#define N_REQ		3			/* resources a caller can request */

extern const char *const quota_res_names[N_RES];

/* GUC: number of counter slots per org */
extern int	quota_slots;

/* The transaction's cached index scans (quota_scan.c) */
#define SCAN_ORGS		0
#define SCAN_MEMBERS	1
#define SCAN_LIMITS		2
#define SCAN_COUNTERS	3
#define SCAN_PACKS		4
#define SCAN_PROFILES	5
#define N_SCANS			6

/*
 * Per-backend cache of the relations, indexes and attribute numbers the
 * quota engine reads.  Attribute numbers are looked up by name: a database
 * updated from 0.1.0 has the new columns at other positions than a fresh
 * install.  Column types are checked against each relation when it is
 * opened (quota_check_columns), after its lock is taken.
 */
typedef struct QuotaCatalog
{
	bool		valid;
	uint64		generation;		/* counts the rebuilds of this cache (from 1) */
	Oid			orgs;
	Oid			orgs_pkey;
	Oid			members;
	Oid			members_key;
	Oid			profiles;
	Oid			profiles_pkey;
	Oid			limits;
	Oid			limits_key;
	Oid			counters;
	Oid			counters_pkey;
	Oid			packs;
	Oid			packs_available;
	Oid			usage;			/* public.usage_records */
	Oid			owner;			/* runs the accounting SQL */
	AttrNumber	orgs_deleted_at;
	AttrNumber	prof_status;	/* public.profiles.status */
	Oid			status_type;	/* its type, public.user_status */
	Oid			status_active;	/* the enum value 'active' */
	AttrNumber	lim_limit[N_RES];
	AttrNumber	lim_used[N_RES];
	AttrNumber	lim_reserved[N_REQ];
	AttrNumber	lim_price[N_REQ];
	AttrNumber	lim_from_packs;
	AttrNumber	lim_allow_overage;
	AttrNumber	lim_cap;
	AttrNumber	lim_org_deleted_at; /* 0.3.0 on; else InvalidAttrNumber */
	AttrNumber	cnt_slot;
	AttrNumber	cnt_value[N_RES];	/* R_KAI unused */
	AttrNumber	pack_remaining;
	AttrNumber	pack_expires;
	AttrNumber	key_att[N_SCANS][2];	/* per scan: the uuid key columns in the heap */
	/* usage_records columns, as the transition table and NEW carry them */
	AttrNumber	use_id;
	AttrNumber	use_org;
	AttrNumber	use_prompt;
	AttrNumber	use_output;
	AttrNumber	use_kai;
	AttrNumber	use_render;
	AttrNumber	use_storage;
} QuotaCatalog;

extern QuotaCatalog quota_cat;

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
	bool		prices_read;	/* cap_num and price_num hold copies */
	bool		prices_loaded;	/* cap_cents and price_micro are set */
	Datum		cap_num;		/* numeric overage_cap_usd */
	Datum		price_num[N_REQ];	/* numeric prices */
	int64		cap_cents;
	int64		price_micro[N_REQ]; /* US dollars * 10^6 (tokens: per 1,000) */
	pg_uuid_t	org;
	pg_uuid_t	user;			/* the requesting user (quota_auth.c) */
	SlotRows   *rows;			/* QR_SLOT_ROWS: where the slot rows are */
} QuotaFacts;

/* flags of quota_read */
#define QR_PRICES	1			/* read the prices even without overage */
#define QR_ANY_ORG	2			/* soft-deleted orgs too (the trigger) */
#define QR_SLOT_ROWS 4			/* note where the slot rows are (f->rows) */
#define QR_LIMITS_ONLY 8		/* the quota row only, not the counter slots */

/*
 * What one counter slot row holds between rollups, at most: 2^51 tokens,
 * and 2^51 render seconds.  With at most 1025 slot rows per org (the slot
 * column's CHECK), an org whose rolled-up usage is at most 2^62 cannot
 * overflow bigint in its slots, so the accounting trigger adds to the slot
 * it wrote last without adding up the others (accounting.c).
 */
#define QUOTA_SLOT_CAP (INT64CONST(1) << 51)
#define QUOTA_FAST_USED_MAX (INT64CONST(1) << 62)

/*
 * The role and search_path fenta's own SQL runs under: the owner of the
 * quota tables, with search_path pinned to pg_catalog (every name in that
 * SQL is schema-qualified as well).
 */
typedef struct QuotaOwnerContext
{
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
} QuotaOwnerContext;

/* an int8 column of a slot (0 when NULL) */
static inline int64
slot_int64(TupleTableSlot *slot, AttrNumber att, bool *isnull)
{
	bool		null;
	Datum		d = slot_getattr(slot, att, &null);

	if (isnull)
		*isnull = null;
	return null ? 0 : DatumGetInt64(d);
}


/* quota_catalog.c */
extern void quota_catalog_init(void);
extern void quota_catalog(void);
extern void quota_check_columns(Relation rel);
extern void quota_enter_owner(QuotaOwnerContext *oc, bool pin_path);
extern int	quota_pin_search_path(void);
extern void quota_unpin_search_path(int save_nestlevel);
extern void quota_leave_owner(QuotaOwnerContext *oc);
extern void quota_overflow_error(const char *what, pg_uuid_t *org);
extern void quota_missing_row(pg_uuid_t *org);
extern SPIPlanPtr quota_plan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes);
extern void quota_exec(SPIPlanPtr plan, Datum *values, int expected);
extern struct TriggerData *quota_usage_trigger(FunctionCallInfo fcinfo, const char *fname);

/* quota_auth.c */
extern void quota_auth_init(void);
extern void quota_authorize(pg_uuid_t *org);

/* Usage of one org in one statement (the accounting trigger). */
typedef struct OrgUsage
{
	pg_uuid_t	org;			/* hash key: first */
	int64		amount[N_RES];
} OrgUsage;

/* accounting.c */
extern void fenta_accounting_init(void);
extern void fenta_daily_init(void);
extern void fenta_idempotency_init(void);

/* counter_update.c */
typedef enum SlotOutcome
{
	SLOT_DONE,					/* added */
	SLOT_BUSY,					/* held by another transaction (LockWaitSkip) */
	SLOT_GONE					/* deleted (rolled up) since the snapshot */
} SlotOutcome;
extern void quota_counter_update_init(void);
extern EState *quota_simple_estate(Relation rel, ResultRelInfo **rri);
extern void counters_writable(Relation rel);
extern SlotOutcome account_slot_in_place(OrgUsage *u, Relation rel, ItemPointer tid,
										 LockWaitPolicy wait, ItemPointer newtid);
extern void quota_slot_cap_error(const char *what, pg_uuid_t *org);

/* quota_scan.c */
extern void quota_scan_init(void);
extern void quota_close_scans(void);
extern IndexScanDesc quota_lookup(int which, pg_uuid_t *key1, pg_uuid_t *key2);
extern bool quota_next(int which);
extern bool quota_fetch_unique(int which, pg_uuid_t *key1, pg_uuid_t *key2);
extern TupleTableSlot *quota_scan_slot(int which);
extern Relation quota_scan_heap(int which);
extern void quota_lookup_done(int which);
extern void quota_with_scans(void (*reader) (QuotaFacts *, int), QuotaFacts *f, int arg);

/* quota_read.c */
extern void quota_read(QuotaFacts *f, int flags);
extern void quota_read_packs_reader(QuotaFacts *f, int unused);
extern void quota_load_prices(QuotaFacts *f);

#endif							/* FENTA_QUOTA_H */
