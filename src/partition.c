/*-------------------------------------------------------------------------
 *
 * partition.c
 *	  Monthly partition maintenance of usage_records.
 *
 * fenta.maintain_partitions() keeps one partition per UTC month,
 * public.usage_records_YYYY_MM, for the current month and the next N, plus
 * every month that has rows waiting in the default partition.  A month is
 * created as a standalone table (LIKE the parent, with a CHECK constraint
 * matching its bounds), filled with the month's rows taken out of the
 * default partition, and then attached: ATTACH PARTITION takes only SHARE
 * UPDATE EXCLUSIVE on the parent, so inserts into the other months go on;
 * the default partition is locked ACCESS EXCLUSIVE for the move and the
 * attach only.  Each month is done in a subtransaction under
 * fenta.maintenance_lock_timeout: if a lock cannot be had in time, that
 * month is rolled back, reported as deferred and retried on the next run.
 *
 * Rows are moved with INSERT into the standalone table, so the parent's
 * statement-level triggers (the quota accounting) do not see them again.
 *
 * Two runs at once: the second finds the advisory lock taken and returns at
 * once with skipped = true.  A run with nothing to do reads the catalog and
 * the (normally empty) default partition and takes no strong lock.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "postmaster/bgworker.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
#include "utils/datetime.h"

PG_FUNCTION_INFO_V1(fenta_maintain_partitions);
PG_FUNCTION_INFO_V1(fenta_maintenance_plan);
PG_FUNCTION_INFO_V1(fenta_maintenance_step);
PG_FUNCTION_INFO_V1(fenta_maintenance_session_lock);

/* GUCs, see fenta_maintenance_init() */
int			fenta_maintenance_lock_timeout = 500;
int			fenta_maintenance_interval = 600;
char	   *fenta_maintenance_database = NULL;
char	   *fenta_maintenance_role = NULL;
int			fenta_maintenance_months_ahead = 3;
int			fenta_maintenance_retention_months = 0;

/* Most months ahead and of retention accepted. */
#define MAX_MONTHS_AHEAD	120
#define MAX_RETENTION_MONTHS	1200

/* Output columns of fenta.maintain_partitions() */
#define MAINTAIN_NATTS		9

/* Results of one run */
typedef struct MaintainResult
{
	int32		months_created;
	int64		rows_moved;
	int32		months_detached;
	int32		months_dropped;
	int32		months_deferred;
	int32		quota_resets;
	int32		counters_rolled_up;
	bool		usage_refreshed;
	bool		skipped;
} MaintainResult;

/*
 * The retention cutoff, as a YYYY_MM suffix: months before it are expired.
 * It is the month of as_of less retention_months, but never later than the
 * month before the current month of the real clock, whatever as_of says:
 * the current and the previous month are never detached.
 */
static const char *cutoff_sql =
"SELECT pg_catalog.to_char(LEAST("
"  pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', $1))"
"    OPERATOR(pg_catalog.-) pg_catalog.make_interval(months => $2),"
"  pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))"
"    OPERATOR(pg_catalog.-) pg_catalog.make_interval(months => 1)), 'YYYY_MM')";

/*
 * Months to create: the window and the months of rows in the default.  For
 * each: whether a relation that is not a partition has its name in public,
 * whether it is archived (fenta_archive has it), whether it is older than
 * the retention cutoff ($3, NULL without retention), and whether it has
 * rows waiting in the default partition.
 */
static SPIPlanPtr months_plan = NULL;
static const char *months_sql =
"WITH cur AS ("
"  SELECT pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', $1)) AS m"
"), wanted AS ("
"  SELECT g AS m, false AS late"
"  FROM cur, pg_catalog.generate_series(cur.m,"
"    cur.m OPERATOR(pg_catalog.+) pg_catalog.make_interval(months => $2),"
"    pg_catalog.make_interval(months => 1)) g"
"  UNION ALL"
"  SELECT DISTINCT pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', d.created_at)), true"
"  FROM ONLY public.usage_records_default d"
"  WHERE pg_catalog.isfinite(d.created_at)"
"), w AS ("
"  SELECT wanted.m, pg_catalog.bool_or(wanted.late) AS late, pg_catalog.to_char(wanted.m, 'YYYY_MM') AS suffix"
"  FROM wanted GROUP BY wanted.m"
") "
"SELECT w.suffix, c.oid IS NOT NULL,"
"  a.oid IS NOT NULL,"
"  $3 IS NOT NULL AND w.suffix OPERATOR(pg_catalog.<) $3,"
"  w.late "
"FROM w"
"  LEFT JOIN pg_catalog.pg_class c"
"    ON c.relnamespace OPERATOR(pg_catalog.=) 'public'::pg_catalog.regnamespace"
"    AND c.relname OPERATOR(pg_catalog.=) ('usage_records_' OPERATOR(pg_catalog.||) w.suffix)::pg_catalog.name"
"  LEFT JOIN pg_catalog.pg_class a"
"    ON a.relnamespace OPERATOR(pg_catalog.=) 'fenta_archive'::pg_catalog.regnamespace"
"    AND a.relname OPERATOR(pg_catalog.=) ('usage_records_' OPERATOR(pg_catalog.||) w.suffix)::pg_catalog.name "
"WHERE w.m OPERATOR(pg_catalog.>=) '0001-01-01'::pg_catalog.timestamp"
"  AND w.m OPERATOR(pg_catalog.<) '10000-01-01'::pg_catalog.timestamp"
"  AND (c.oid IS NULL OR NOT c.relispartition) "
"ORDER BY w.m";

/* Attached monthly partitions older than the retention cutoff ($1) */
static SPIPlanPtr expired_plan = NULL;
static const char *expired_sql =
"SELECT pg_catalog.substr(c.relname::pg_catalog.text, 15) "
"FROM pg_catalog.pg_inherits i"
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhrelid "
"WHERE i.inhparent OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass"
"  AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'"
"  AND c.relname::pg_catalog.text OPERATOR(pg_catalog.<) ('usage_records_' OPERATOR(pg_catalog.||) $1) "
"ORDER BY 1";

/* Archived months older than the retention cutoff ($1, dropped on request) */
static SPIPlanPtr archived_plan = NULL;
static const char *archived_sql =
"SELECT pg_catalog.substr(c.relname::pg_catalog.text, 15) "
"FROM pg_catalog.pg_class c "
"WHERE c.relnamespace OPERATOR(pg_catalog.=) 'fenta_archive'::pg_catalog.regnamespace"
"  AND c.relkind OPERATOR(pg_catalog.=) 'r'"
"  AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'"
"  AND c.relname::pg_catalog.text OPERATOR(pg_catalog.<) ('usage_records_' OPERATOR(pg_catalog.||) $1) "
"ORDER BY 1";

/* Advisory lock key of fenta.maintain_partitions: ('fent', 1) */
#define MAINTAIN_LOCK_KEY1	0x66656e74
#define MAINTAIN_LOCK_KEY2	1

/*
 * Module load: maintenance GUCs and, when preloaded, the background worker.
 */
void
fenta_maintenance_init(void)
{
	DefineCustomIntVariable("fenta.maintenance_lock_timeout",
							"Lock timeout of the strong locks fenta.maintain_partitions() takes; a month that cannot be locked in time is retried on the next run.",
							"0 waits forever.",
							&fenta_maintenance_lock_timeout,
							500, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("fenta.maintenance_interval",
							"Seconds between two runs of maintenance by the background worker.",
							"0 turns the background worker's runs off.",
							&fenta_maintenance_interval,
							600, 0, 31 * 24 * 3600,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("fenta.maintenance_months_ahead",
							"Months after the current one the background worker keeps partitions for.",
							NULL,
							&fenta_maintenance_months_ahead,
							3, 0, MAX_MONTHS_AHEAD,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("fenta.maintenance_retention_months",
							"Complete past months the background worker keeps attached; older months are detached into schema fenta_archive.",
							"0 keeps every month.",
							&fenta_maintenance_retention_months,
							0, 0, MAX_RETENTION_MONTHS,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("fenta.maintenance_database",
							   "Database in which the background worker runs maintenance.",
							   "Empty: the worker waits; so it does while the database does not exist.  Needs fenta in shared_preload_libraries.",
							   &fenta_maintenance_database,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("fenta.maintenance_role",
							   "Role as which the background worker runs maintenance.",
							   "Empty: the bootstrap superuser.  The worker waits while the role does not exist or cannot log in.",
							   &fenta_maintenance_role,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);

	if (process_shared_preload_libraries_in_progress)
		fenta_register_maintenance_worker();
}

/* Most months as_of may be away from now() */
#define MAX_AS_OF_MONTHS	3

/* Kinds of steps of a run, each done in a subtransaction (a transaction of its own in the procedure) */
typedef enum StepKind
{
	STEP_CREATE,				/* create, fill and attach a month */
	STEP_ARCHIVE_ROWS,			/* move late rows of an archived month */
	STEP_DETACH,				/* detach an expired month into fenta_archive */
	STEP_DETACH_DROP,			/* detach and drop an expired month */
	STEP_DROP_ARCHIVED			/* drop an archived expired month */
} StepKind;

static const char *const step_names[] = {
	"create", "archive_rows", "detach", "detach_drop", "drop_archived"
};

#define NUM_STEP_KINDS	((int) lengthof(step_names))

typedef struct Step
{
	StepKind	kind;
	char	   *suffix;			/* YYYY_MM */
} Step;

/* Arguments of a run, checked */
typedef struct MaintainArgs
{
	int32		months_ahead;
	bool		has_retention;
	int32		retention_months;
	bool		drop_detached;
	bool		refresh_usage;
	TimestampTz as_of;
} MaintainArgs;

/*
 * Raises 22023 for a bad argument of the maintenance function fname, naming
 * the argument.
 */
static void
bad_argument(const char *fname, const char *name, const char *message, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for argument \"%s\" of %s: %s",
					name, fname, message),
			 detail ? errdetail("%s", detail) : 0));
}

/*
 * Checks the arguments of a run (fname names the function in the errors).
 */
static void
check_args(const char *fname, MaintainArgs *a)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	Interval	span;
	TimestampTz lo;
	TimestampTz hi;

	if (a->months_ahead < 0 || a->months_ahead > MAX_MONTHS_AHEAD)
		bad_argument(fname, "months_ahead",
					 psprintf("%d is out of range", a->months_ahead),
					 psprintf("months_ahead counts the months after the current one to create, from 0 to %d.",
							  MAX_MONTHS_AHEAD));
	if (a->has_retention &&
		(a->retention_months < 1 || a->retention_months > MAX_RETENTION_MONTHS))
		bad_argument(fname, "retention_months",
					 psprintf("%d is out of range", a->retention_months),
					 psprintf("retention_months counts the complete months before the current one that stay attached, from 1 to %d (NULL keeps every month); the current month is always kept, and so is the previous one, which quota resets and invoices still read.",
							  MAX_RETENTION_MONTHS));
	if (a->drop_detached && !a->has_retention)
		bad_argument(fname, "drop_detached",
					 "true needs retention_months",
					 "Only months older than retention_months are ever detached or dropped.");
	if (TIMESTAMP_NOT_FINITE(a->as_of))
		bad_argument(fname, "as_of", "must be finite", NULL);
	memset(&span, 0, sizeof(span));
	span.month = MAX_AS_OF_MONTHS;
	lo = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
												 TimestampTzGetDatum(now),
												 IntervalPGetDatum(&span)));
	hi = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												 TimestampTzGetDatum(now),
												 IntervalPGetDatum(&span)));
	if (a->as_of < lo || a->as_of > hi)
		bad_argument(fname, "as_of",
					 psprintf("%s is too far from now()", timestamptz_to_str(a->as_of)),
					 psprintf("as_of must be within %d months of now() (%s).",
							  MAX_AS_OF_MONTHS, timestamptz_to_str(now)));
}

/*
 * Refuses to run in a transaction that uses one snapshot: rows committed
 * after it would stay in the default partition, and the attach would fail.
 */
static void
require_read_committed(const char *fname)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("%s must run at isolation level READ COMMITTED", fname),
				 errdetail("Rows inserted after the transaction's snapshot was taken would be left behind in the default partition."),
				 errhint("Run it in a transaction of its own, or better, CALL fenta.run_maintenance() outside a transaction block.")));
}

/*
 * Runs a utility or DML statement through SPI; any failure is an error.
 */
static uint64
run_sql(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc < 0)
		elog(ERROR, "SPI_execute failed (%d): %s", rc, sql);
	return SPI_processed;
}

/*
 * Prepares and keeps one of the module's plans.
 */
static SPIPlanPtr
keep_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, nargs, argtypes);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*plan = p;
	}
	return *plan;
}

/*
 * Runs a cached query that lists month suffixes by the retention cutoff and
 * returns them, palloc'd in the current context.
 */
static char **
list_months(SPIPlanPtr *plan, const char *sql, const char *cutoff, int *n)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	  **names;
	int			i;

	args[0] = CStringGetTextDatum(cutoff);
	if (SPI_execute_plan(keep_plan(plan, sql, 1, argtypes), args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the months to retire");
	*n = (int) SPI_processed;
	names = palloc0(sizeof(char *) * Max(*n, 1));
	for (i = 0; i < *n; i++)
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return names;
}

/*
 * The comma-separated, quoted column list of usage_records, in its order.
 */
static char *
usage_records_columns(void)
{
	int			rc;
	char	   *cols;

	rc = SPI_execute("SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) "
					 "FROM pg_catalog.pg_attribute a "
					 "WHERE a.attrelid OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass "
					 "AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped",
					 true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the columns of public.usage_records");
	cols = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (cols == NULL)
		elog(ERROR, "public.usage_records has no columns");
	return cols;
}

/*
 * Reads a YYYY_MM suffix; false unless well formed (years 0001 to 9999).
 */
static bool
parse_suffix(const char *suffix, int *year, int *month)
{
	int			i;

	if (suffix == NULL || strlen(suffix) != 7 || suffix[4] != '_')
		return false;
	for (i = 0; i < 7; i++)
		if (i != 4 && !isdigit((unsigned char) suffix[i]))
			return false;
	/* the digits are checked above: compute the numbers from them */
	*year = (suffix[0] - '0') * 1000 + (suffix[1] - '0') * 100 +
		(suffix[2] - '0') * 10 + (suffix[3] - '0');
	*month = (suffix[5] - '0') * 10 + (suffix[6] - '0');
	return *year >= 1 && *month >= 1 && *month <= 12;
}

/* The bounds of a month as timestamptz literals */
static char *
month_lower(int year, int month)
{
	return psprintf("%04d-%02d-01 00:00:00+00", year, month);
}

static char *
month_upper(int year, int month)
{
	return month == 12 ? psprintf("%04d-01-01 00:00:00+00", year + 1)
		: psprintf("%04d-%02d-01 00:00:00+00", year, month + 1);
}

/*
 * The YYYY_MM suffix of the month before the current one of the real clock
 * (UTC): destructive steps only ever touch months before it.
 */
static char *
previous_month_suffix(void)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(GetCurrentTransactionStartTimestamp(), NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	if (tm.tm_mon == 1)
		return psprintf("%04d_12", tm.tm_year - 1);
	return psprintf("%04d_%02d", tm.tm_year, tm.tm_mon - 1);
}

/*
 * Gives a new month the indexes and unique constraints that the default
 * partition has of its own (not inherited from a partitioned index of the
 * parent): the default partition is the template of the partitions for
 * what the parent does not propagate.  Indexes of the parent itself come
 * with LIKE ... INCLUDING ALL and are matched by ATTACH PARTITION.
 */
static void
copy_template_indexes(const char *rel)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	int			rc;
	int			n;
	char	  **stmts;
	int			i;

	args[0] = CStringGetTextDatum(rel);
	rc = SPI_execute_with_args(
							   "SELECT CASE WHEN con.oid IS NOT NULL THEN "
							   "  pg_catalog.format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', $1,"
							   "    pg_catalog.replace(con.conname, 'usage_records_default', $1),"
							   "    pg_catalog.pg_get_constraintdef(con.oid)) "
							   "ELSE pg_catalog.format('CREATE %sINDEX %I ON public.%I %s',"
							   "    CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END,"
							   "    pg_catalog.replace(c.relname, 'usage_records_default', $1), $1,"
							   "    pg_catalog.substring(pg_catalog.pg_get_indexdef(i.indexrelid), ' USING .*$')) END "
							   "FROM pg_catalog.pg_index i"
							   "  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
							   "  LEFT JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) i.indexrelid"
							   "    AND con.conrelid OPERATOR(pg_catalog.=) i.indrelid "
							   "WHERE i.indrelid OPERATOR(pg_catalog.=) 'public.usage_records_default'::pg_catalog.regclass"
							   "  AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h"
							   "    WHERE h.inhrelid OPERATOR(pg_catalog.=) i.indexrelid) "
							   "ORDER BY c.relname",
							   1, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the indexes of public.usage_records_default");
	n = (int) SPI_processed;
	stmts = palloc0(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
		stmts[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	for (i = 0; i < n; i++)
		run_sql(stmts[i]);
}

/*
 * Moves the rows of [lower, upper) out of the default partition into
 * table qtarget (schema-qualified, quoted).  The caller holds the locks.
 */
static uint64
move_rows(const char *qtarget, const char *lower, const char *upper, const char *columns)
{
	return run_sql(psprintf("WITH moved AS (DELETE FROM ONLY public.usage_records_default "
							"WHERE created_at OPERATOR(pg_catalog.>=) '%s'::pg_catalog.timestamptz "
							"AND created_at OPERATOR(pg_catalog.<) '%s'::pg_catalog.timestamptz "
							"RETURNING %s) "
							"INSERT INTO %s (%s) SELECT %s FROM moved",
							lower, upper, columns, qtarget, columns, columns));
}

/*
 * Locks the tables that usage_records' foreign keys reference in SHARE ROW
 * EXCLUSIVE mode, which ATTACH PARTITION takes to add the foreign keys to
 * the new month.  Taken first, before any lock on usage_records: writers of
 * usage_records (who only take row share locks on those tables) do not
 * wait behind a run that waits for them.
 */
static void
lock_referenced_tables(void)
{
	int			rc;
	int			n;
	char	  **stmts;
	int			i;

	rc = SPI_execute("SELECT pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', r.oid::pg_catalog.regclass) "
					 "FROM (SELECT DISTINCT con.confrelid AS oid FROM pg_catalog.pg_constraint con "
					 "  WHERE con.conrelid OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass "
					 "  AND con.contype OPERATOR(pg_catalog.=) 'f') r "
					 "ORDER BY r.oid",
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the foreign keys of public.usage_records");
	n = (int) SPI_processed;
	stmts = palloc0(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
		stmts[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	for (i = 0; i < n; i++)
		run_sql(stmts[i]);
}

/*
 * Whether writers must be held back on the parent while a month is
 * attached: when the month has begun, or has rows waiting in the default
 * partition.  (An insert routed to the default partition just before the
 * attach would fail after it.)  A month wholly in the future with no rows
 * is attached without the SHARE lock on usage_records: writers go on.
 */
static bool
month_needs_writers_held(const char *lower, const char *upper)
{
	int			rc;
	bool		isnull;
	bool		r;

	rc = SPI_execute(psprintf("SELECT '%s'::pg_catalog.timestamptz OPERATOR(pg_catalog.<=) pg_catalog.now() "
							  "OR EXISTS (SELECT FROM ONLY public.usage_records_default d "
							  "WHERE d.created_at OPERATOR(pg_catalog.>=) '%s'::pg_catalog.timestamptz "
							  "AND d.created_at OPERATOR(pg_catalog.<) '%s'::pg_catalog.timestamptz)",
							  lower, lower, upper),
					 true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the default partition");
	r = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return !isnull && r;
}

/*
 * Creates one month standalone, moves its rows out of the default partition
 * and attaches it.  Returns the number of rows moved.
 */
static uint64
create_month(const char *suffix, const char *columns)
{
	char	   *rel = psprintf("usage_records_%s", suffix);
	const char *qrel = quote_identifier(rel);
	const char *qcheck = quote_identifier(psprintf("%s_month", rel));
	char	   *lower;
	char	   *upper;
	int			year;
	int			month;
	uint64		moved;

	if (!parse_suffix(suffix, &year, &month))
		elog(ERROR, "invalid month \"%s\"", suffix);
	lower = month_lower(year, month);
	upper = month_upper(year, month);

	/* the new table, invisible to others until the transaction commits */
	run_sql(psprintf("CREATE TABLE public.%s (LIKE public.usage_records INCLUDING ALL, "
					 "CONSTRAINT %s CHECK (created_at OPERATOR(pg_catalog.>=) '%s'::pg_catalog.timestamptz "
					 "AND created_at OPERATOR(pg_catalog.<) '%s'::pg_catalog.timestamptz))",
					 qrel, qcheck, lower, upper));
	copy_template_indexes(rel);
	run_sql(psprintf("ALTER TABLE public.%s ENABLE ROW LEVEL SECURITY; "
					 "REVOKE ALL ON public.%s FROM PUBLIC, anon, authenticated, service_role; "
					 "GRANT SELECT ON public.%s TO service_role; "
					 "COMMENT ON TABLE public.%s IS 'Partition of usage_records for the UTC month %.4s-%.2s, created by fenta maintenance. Read through usage_records; the API roles have no direct access (service_role may read it).'",
					 qrel, qrel, qrel, qrel, suffix, suffix + 5));

	/*
	 * The strong locks, each under lock_timeout, in an order no writer
	 * takes them in reverse: the referenced tables, the parent (SHARE, only
	 * when writers of the month must be held back: they wait on the parent
	 * before routing their rows), then the default partition.
	 */
	lock_referenced_tables();
	if (month_needs_writers_held(lower, upper))
		run_sql("LOCK TABLE ONLY public.usage_records IN SHARE MODE");
	run_sql("LOCK TABLE public.usage_records_default IN ACCESS EXCLUSIVE MODE");
	moved = move_rows(psprintf("public.%s", qrel), lower, upper, columns);
	run_sql(psprintf("ALTER TABLE public.usage_records ATTACH PARTITION public.%s "
					 "FOR VALUES FROM ('%s') TO ('%s')",
					 qrel, lower, upper));
	run_sql(psprintf("ALTER TABLE public.%s DROP CONSTRAINT %s", qrel, qcheck));
	return moved;
}

/*
 * Late rows of an archived (or expired) month: they are moved out of the
 * default partition into fenta_archive.usage_records_YYYY_MM, created like
 * a detached month if needed, and reported once.  No public partition is
 * made for a month that retention retired.
 */
static uint64
archive_rows(const char *suffix, const char *columns)
{
	char	   *rel = psprintf("usage_records_%s", suffix);
	const char *qrel = quote_identifier(rel);
	int			year;
	int			month;
	uint64		moved;

	if (!parse_suffix(suffix, &year, &month))
		elog(ERROR, "invalid month \"%s\"", suffix);
	run_sql("LOCK TABLE public.usage_records_default IN ACCESS EXCLUSIVE MODE");
	if (!OidIsValid(get_relname_relid(rel, get_namespace_oid("fenta_archive", false))))
		run_sql(psprintf("CREATE TABLE fenta_archive.%s (LIKE public.usage_records INCLUDING ALL); "
						 "ALTER TABLE fenta_archive.%s ENABLE ROW LEVEL SECURITY; "
						 "REVOKE ALL ON fenta_archive.%s FROM PUBLIC, anon, authenticated, service_role; "
						 "GRANT SELECT ON fenta_archive.%s TO service_role; "
						 "COMMENT ON TABLE fenta_archive.%s IS 'Archived month %.4s-%.2s of usage_records: rows that arrived after the month was retired by retention.'",
						 qrel, qrel, qrel, qrel, qrel, suffix, suffix + 5));
	moved = move_rows(psprintf("fenta_archive.%s", qrel),
					  month_lower(year, month), month_upper(year, month), columns);
	if (moved > 0)
		ereport(WARNING,
				(errmsg("fenta maintenance moved " UINT64_FORMAT " late row(s) of retired month %.4s-%.2s into fenta_archive.%s",
						moved, suffix, suffix + 5, rel),
				 errdetail("The month was detached by retention; its rows were counted in the quota when inserted.")));
	return moved;
}

/*
 * Drops a month's table, which the caller asked for (drop_detached): the
 * drop guard (src/guard.c) is told so for this statement only.
 */
static void
drop_month_table(const char *qualified)
{
	int			save_nestlevel = NewGUCNestLevel();

	(void) set_config_option("fenta.allow_drop", "on",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	run_sql(psprintf("DROP TABLE %s", qualified));
	AtEOXact_GUC(true, save_nestlevel);
}

/*
 * Detaches one expired month and archives or drops it.
 */
static void
detach_month(const char *suffix, bool drop)
{
	const char *qrel = quote_identifier(psprintf("usage_records_%s", suffix));

	run_sql(psprintf("ALTER TABLE public.usage_records DETACH PARTITION public.%s", qrel));
	if (drop)
		drop_month_table(psprintf("public.%s", qrel));
	else
		run_sql(psprintf("ALTER TABLE public.%s SET SCHEMA fenta_archive", qrel));
}

/*
 * Runs one step in a subtransaction.  A lock timeout or deadlock rolls the
 * step back and returns false (the month is retried on the next run); any
 * other error is re-thrown.
 */
static bool
run_step(const char *fname, const Step *step, const char *columns, uint64 *moved)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = true;

	*moved = 0;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		switch (step->kind)
		{
			case STEP_CREATE:
				*moved = create_month(step->suffix, columns);
				break;
			case STEP_ARCHIVE_ROWS:
				*moved = archive_rows(step->suffix, columns);
				break;
			case STEP_DETACH:
				detach_month(step->suffix, false);
				break;
			case STEP_DETACH_DROP:
				detach_month(step->suffix, true);
				break;
			case STEP_DROP_ARCHIVED:
				drop_month_table(psprintf("fenta_archive.%s",
										  quote_identifier(psprintf("usage_records_%s", step->suffix))));
				break;
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;

		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE &&
			edata->sqlerrcode != ERRCODE_T_R_DEADLOCK_DETECTED)
			ReThrowError(edata);
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("%s deferred %s of usage_records_%s: %s",
						fname, step_names[step->kind], step->suffix, edata->message),
				 errhint("The month is retried on the next run; fenta.maintenance_lock_timeout sets how long a run waits for a lock.")));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();

	return ok;
}

/*
 * The steps of a run, in order: months to create (or late rows to archive),
 * then expired months to detach, then archived months to drop.  Months in
 * the way (a relation of the name that is not a partition) are reported
 * and counted in *blocked.
 */
static Step *
plan_steps(const char *fname, const MaintainArgs *a, int *nsteps, int *blocked)
{
	Oid			argtypes[3] = {TIMESTAMPTZOID, INT4OID, TEXTOID};
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};
	char	   *cutoff = NULL;
	int			rc;
	int			nmonths;
	int			n = 0;
	int			max;
	Step	   *steps;
	int			i;

	*blocked = 0;
	args[0] = TimestampTzGetDatum(a->as_of);
	if (a->has_retention)
	{
		args[1] = Int32GetDatum(a->retention_months);
		rc = SPI_execute_with_args(cutoff_sql, 2, argtypes, args, NULL, true, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not compute the retention cutoff");
		cutoff = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		SPI_freetuptable(SPI_tuptable);
	}

	args[1] = Int32GetDatum(a->months_ahead);
	args[2] = cutoff ? CStringGetTextDatum(cutoff) : (Datum) 0;
	nulls[2] = cutoff ? ' ' : 'n';
	rc = SPI_execute_plan(keep_plan(&months_plan, months_sql, 3, argtypes),
						  args, nulls, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not list the months to create");
	nmonths = (int) SPI_processed;
	max = nmonths + 16;
	steps = palloc0(sizeof(Step) * max);
	for (i = 0; i < nmonths; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *suffix = SPI_getvalue(tup, desc, 1);
		bool		in_the_way = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
		bool		archived = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));
		bool		expired = DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull));
		bool		late = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));

		if (archived || expired)
		{
			/* retired by retention: late rows go to the archive */
			if (late)
				steps[n++] = (Step) {STEP_ARCHIVE_ROWS, suffix};
			continue;
		}
		if (in_the_way)
		{
			ereport(WARNING,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("%s cannot create partition usage_records_%s: a relation of that name exists and is not a partition",
							fname, suffix),
					 errhint("Rename or drop public.usage_records_%s, or attach it yourself.",
							 suffix)));
			(*blocked)++;
			continue;
		}
		steps[n++] = (Step) {STEP_CREATE, suffix};
	}
	SPI_freetuptable(SPI_tuptable);

	if (cutoff != NULL)
	{
		int			nlist;
		char	  **list;
		Oid			archive_ns = get_namespace_oid("fenta_archive", false);

		list = list_months(&expired_plan, expired_sql, cutoff, &nlist);
		for (i = 0; i < nlist; i++)
		{
			if (n >= max)
				steps = repalloc(steps, sizeof(Step) * (max *= 2));
			if (!a->drop_detached &&
				OidIsValid(get_relname_relid(psprintf("usage_records_%s", list[i]), archive_ns)))
			{
				ereport(WARNING,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("%s cannot archive usage_records_%s: fenta_archive.usage_records_%s exists",
								fname, list[i], list[i])));
				(*blocked)++;
				continue;
			}
			steps[n++] = (Step) {a->drop_detached ? STEP_DETACH_DROP : STEP_DETACH, list[i]};
		}
		if (a->drop_detached)
		{
			list = list_months(&archived_plan, archived_sql, cutoff, &nlist);
			for (i = 0; i < nlist; i++)
			{
				if (n >= max)
					steps = repalloc(steps, sizeof(Step) * (max *= 2));
				steps[n++] = (Step) {STEP_DROP_ARCHIVED, list[i]};
			}
		}
	}
	*nsteps = n;
	return steps;
}

/*
 * Sets lock_timeout to fenta.maintenance_lock_timeout at a new GUC nest
 * level; returns the level to pass to AtEOXact_GUC().
 */
static int
set_step_lock_timeout(void)
{
	int			save_nestlevel = NewGUCNestLevel();
	char		timeout[32];

	snprintf(timeout, sizeof(timeout), "%d", fenta_maintenance_lock_timeout);
	(void) set_config_option("lock_timeout", timeout,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return save_nestlevel;
}

/*
 * Calls fenta.NAME() if it exists (functions of the quota engine) and
 * returns its integer result; -1 when there is no such function.
 */
static int32
call_if_exists(const char *name)
{
	List	   *fname = list_make2(makeString("fenta"), makeString((char *) name));
	char	   *sql;
	int			rc;
	bool		isnull;
	Datum		d;

	if (!OidIsValid(LookupFuncName(fname, 0, NULL, true)))
		return -1;
	sql = psprintf("SELECT (fenta.%s())::pg_catalog.int4", name);
	rc = SPI_execute(sql, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not run fenta.%s()", name);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetInt32(d);
}

/*
 * Runs fenta.apply_quota_resets_batch() until a batch makes no progress
 * and returns the number of orgs reset; -1 without the quota engine.
 */
static int32
apply_resets_skip_locked(void)
{
	List	   *fname = list_make2(makeString("fenta"), makeString("apply_quota_resets_batch"));
	Oid			argtypes[1] = {INT4OID};
	int32		n = 0;

	if (!OidIsValid(LookupFuncName(fname, 1, argtypes, true)))
		return call_if_exists("apply_quota_resets");
	for (;;)
	{
		int			rc;
		bool		isnull;
		bool		progress;

		rc = SPI_execute("SELECT b.orgs_reset, b.progress FROM fenta.apply_quota_resets_batch(1000) b",
						 false, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not run fenta.apply_quota_resets_batch()");
		n += DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		progress = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		SPI_freetuptable(SPI_tuptable);
		if (!progress)
			break;
	}
	return n;
}

/*
 * Counts a step's outcome in a run's results.
 */
static void
count_step(const Step *step, bool ok, uint64 moved, MaintainResult *res)
{
	if (!ok)
	{
		res->months_deferred++;
		return;
	}
	res->rows_moved += (int64) moved;
	switch (step->kind)
	{
		case STEP_CREATE:
			res->months_created++;
			break;
		case STEP_ARCHIVE_ROWS:
			break;
		case STEP_DETACH:
			res->months_detached++;
			break;
		case STEP_DETACH_DROP:
			res->months_detached++;
			res->months_dropped++;
			break;
		case STEP_DROP_ARCHIVED:
			res->months_dropped++;
			break;
	}
}

/*
 * The body of a run of fenta.maintain_partitions(), between SPI_connect and
 * SPI_finish.  The month steps come first; their strong locks stay until
 * the caller's transaction ends, so when a step took any (a month created,
 * rows archived, a month detached), the quota rollup, the resets and the
 * refresh of mv_daily_usage are left to the next run rather than run under
 * them.  CALL fenta.run_maintenance() commits between steps instead.
 */
static void
maintain(const MaintainArgs *a, MaintainResult *res)
{
	const char *fname = "fenta.maintain_partitions()";
	Step	   *steps;
	int			nsteps;
	int			blocked;
	char	   *columns = NULL;
	int			save_nestlevel;
	bool		strong = false;
	int			i;

	steps = plan_steps(fname, a, &nsteps, &blocked);
	res->months_deferred += blocked;

	save_nestlevel = set_step_lock_timeout();
	for (i = 0; i < nsteps; i++)
	{
		uint64		moved = 0;
		bool		ok;

		if (columns == NULL)
			columns = usage_records_columns();
		ok = run_step(fname, &steps[i], columns, &moved);
		count_step(&steps[i], ok, moved, res);
		if (ok && steps[i].kind != STEP_DROP_ARCHIVED)
			strong = true;
	}
	/* lock_timeout back to the caller's */
	AtEOXact_GUC(true, save_nestlevel);

	if (strong)
	{
		ereport(NOTICE,
				(errmsg("%s left the quota rollup, the quota resets and the refresh of fenta.mv_daily_usage to the next run", fname),
				 errdetail("This run changed partitions; their locks are held until the transaction ends."),
				 errhint("CALL fenta.run_maintenance() does every step in a short transaction of its own.")));
		return;
	}

	/*
	 * The quota engine's periodic work, when it is there: the rollup (which
	 * skips rows held by running transactions), the refresh, and last the
	 * resets, in batches that skip the orgs running transactions hold (they
	 * are reset on a later run): the orgs reset stay locked only until the
	 * end of this call's transaction, and nothing here waits for a writer.
	 */
	res->counters_rolled_up = call_if_exists("rollup_quota_counters");
	if (a->refresh_usage)
	{
		run_sql("SELECT fenta.refresh_daily_usage(true)");
		res->usage_refreshed = true;
	}
	res->quota_resets = apply_resets_skip_locked();
}

/*
 * Runs fn with creating_extension off: partitions are ordinary tables,
 * dumped with their rows, never members of the extension, even when made
 * from an extension script.
 */
#define BEGIN_NOT_EXTENSION_MEMBERS \
	do { \
		bool		save_creating_extension = creating_extension; \
		Oid			save_extension_object = CurrentExtensionObject; \
		creating_extension = false; \
		CurrentExtensionObject = InvalidOid; \
		PG_TRY();

#define END_NOT_EXTENSION_MEMBERS \
		PG_FINALLY(); \
		{ \
			creating_extension = save_creating_extension; \
			CurrentExtensionObject = save_extension_object; \
		} \
		PG_END_TRY(); \
	} while (0)

/* The advisory lock of maintenance runs */
static void
maintenance_locktag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, MAINTAIN_LOCK_KEY1, MAINTAIN_LOCK_KEY2, 2);
}

/*
 * fenta.maintain_partitions(months_ahead, retention_months, drop_detached,
 * refresh_usage, as_of): creates the missing monthly partitions of
 * usage_records, moves rows out of the default partition, detaches expired
 * months, and (when it changed no partition) runs the quota engine's
 * rollup and resets and refreshes mv_daily_usage.
 */
Datum
fenta_maintain_partitions(PG_FUNCTION_ARGS)
{
	const char *fname = "fenta.maintain_partitions()";
	TupleDesc	tupdesc;
	MaintainResult res;
	MaintainArgs a;
	Datum		values[MAINTAIN_NATTS];
	bool		nulls[MAINTAIN_NATTS];
	LOCKTAG		tag;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != MAINTAIN_NATTS)
		elog(ERROR, "fenta.maintain_partitions() is declared with %d columns, expected %d",
			 tupdesc->natts, MAINTAIN_NATTS);

	/* arguments */
	memset(&a, 0, sizeof(a));
	if (PG_ARGISNULL(0))
		bad_argument(fname, "months_ahead", "must not be NULL", NULL);
	a.months_ahead = PG_GETARG_INT32(0);
	a.has_retention = !PG_ARGISNULL(1);
	if (a.has_retention)
		a.retention_months = PG_GETARG_INT32(1);
	if (PG_ARGISNULL(2))
		bad_argument(fname, "drop_detached", "must not be NULL", NULL);
	a.drop_detached = PG_GETARG_BOOL(2);
	if (PG_ARGISNULL(3))
		bad_argument(fname, "refresh_usage", "must not be NULL", NULL);
	a.refresh_usage = PG_GETARG_BOOL(3);
	if (PG_ARGISNULL(4))
		bad_argument(fname, "as_of", "must not be NULL", NULL);
	a.as_of = PG_GETARG_TIMESTAMPTZ(4);
	check_args(fname, &a);
	require_read_committed(fname);

	memset(&res, 0, sizeof(res));
	res.quota_resets = -1;		/* NULL unless run */
	res.counters_rolled_up = -1;

	/* one run at a time; a second one returns at once */
	maintenance_locktag(&tag);
	if (LockAcquire(&tag, ExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
	{
		ereport(NOTICE,
				(errmsg("fenta.maintain_partitions() is already running in another session; skipped")));
		res.skipped = true;
	}
	else
	{
		BEGIN_NOT_EXTENSION_MEMBERS
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			maintain(&a, &res);
			SPI_finish();
		}
		END_NOT_EXTENSION_MEMBERS;
	}

	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum(res.months_created);
	values[1] = Int64GetDatum(res.rows_moved);
	values[2] = Int32GetDatum(res.months_detached);
	values[3] = Int32GetDatum(res.months_dropped);
	values[4] = Int32GetDatum(res.months_deferred);
	values[5] = Int32GetDatum(res.quota_resets);
	nulls[5] = res.quota_resets < 0;
	values[6] = Int32GetDatum(res.counters_rolled_up);
	nulls[6] = res.counters_rolled_up < 0;
	values[7] = BoolGetDatum(res.usage_refreshed);
	values[8] = BoolGetDatum(res.skipped);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * fenta.maintenance_plan(months_ahead, retention_months, drop_detached,
 * as_of) RETURNS TABLE (step text, month text): the partition steps a run
 * of fenta.run_maintenance() does, each in a transaction of its own.  NULL
 * months_ahead and retention_months take fenta.maintenance_months_ahead
 * and fenta.maintenance_retention_months (0: no retention); NULL as_of is
 * now().
 */
Datum
fenta_maintenance_plan(PG_FUNCTION_ARGS)
{
	const char *fname = "fenta.run_maintenance()";
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MaintainArgs a;
	Step	   *steps;
	int			nsteps;
	int			blocked;
	int			i;

	memset(&a, 0, sizeof(a));
	a.months_ahead = PG_ARGISNULL(0) ? fenta_maintenance_months_ahead : PG_GETARG_INT32(0);
	if (PG_ARGISNULL(1))
	{
		a.has_retention = fenta_maintenance_retention_months > 0;
		a.retention_months = fenta_maintenance_retention_months;
	}
	else
	{
		a.retention_months = PG_GETARG_INT32(1);
		a.has_retention = a.retention_months != 0;
	}
	if (PG_ARGISNULL(2))
		bad_argument(fname, "drop_detached", "must not be NULL", NULL);
	a.drop_detached = PG_GETARG_BOOL(2);
	a.as_of = PG_ARGISNULL(3) ? GetCurrentTransactionStartTimestamp() : PG_GETARG_TIMESTAMPTZ(3);
	check_args(fname, &a);

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	steps = plan_steps(fname, &a, &nsteps, &blocked);
	for (i = 0; i < nsteps; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(step_names[steps[i].kind]);
		values[1] = CStringGetTextDatum(steps[i].suffix);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	PG_RETURN_NULL();
}

/*
 * fenta.maintenance_step(step text, month text, OUT done boolean, OUT
 * rows_moved bigint): one step of fenta.maintenance_plan(), under
 * fenta.maintenance_lock_timeout.  done is false when the step was
 * deferred (a lock not had in time, or another run at work).  Destructive
 * steps only ever touch months before the previous month of now().
 */
Datum
fenta_maintenance_step(PG_FUNCTION_ARGS)
{
	const char *fname = "fenta.run_maintenance()";
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	Step		step;
	char	   *kind;
	int			year;
	int			month;
	uint64		moved = 0;
	bool		ok = false;
	LOCKTAG		tag;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		bad_argument("fenta.maintenance_step()", PG_ARGISNULL(0) ? "step" : "month", "must not be NULL", NULL);
	kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	step.suffix = text_to_cstring(PG_GETARG_TEXT_PP(1));
	for (i = 0; i < NUM_STEP_KINDS; i++)
		if (strcmp(kind, step_names[i]) == 0)
			break;
	if (i == NUM_STEP_KINDS)
		bad_argument("fenta.maintenance_step()", "step", psprintf("unknown step \"%s\"", kind), NULL);
	step.kind = (StepKind) i;
	if (!parse_suffix(step.suffix, &year, &month))
		bad_argument("fenta.maintenance_step()", "month",
					 psprintf("\"%s\" is not a month", step.suffix), "A month is written YYYY_MM.");
	if (step.kind != STEP_CREATE && strcmp(step.suffix, previous_month_suffix()) >= 0)
		bad_argument("fenta.maintenance_step()", "month",
					 psprintf("%s is the current or previous month, or later", step.suffix),
					 "Only months before the previous month are ever archived, detached or dropped.");
	require_read_committed(fname);

	maintenance_locktag(&tag);
	if (LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL)
	{
		BEGIN_NOT_EXTENSION_MEMBERS
		{
			int			save_nestlevel;
			bool		skip = false;

			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			/* done meanwhile (another run) or no longer to do: nothing */
			if (step.kind == STEP_CREATE)
			{
				Oid			relid = get_relname_relid(psprintf("usage_records_%s", step.suffix),
													  PG_PUBLIC_NAMESPACE);

				skip = OidIsValid(relid) && get_rel_relispartition(relid);
				ok = skip;
			}
			if (!skip)
			{
				save_nestlevel = set_step_lock_timeout();
				ok = run_step(fname, &step, usage_records_columns(), &moved);
				AtEOXact_GUC(true, save_nestlevel);
			}
			SPI_finish();
		}
		END_NOT_EXTENSION_MEMBERS;
	}
	values[0] = BoolGetDatum(ok);
	values[1] = Int64GetDatum((int64) moved);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * fenta.maintenance_session_lock(acquire boolean) RETURNS boolean: takes
 * (true) or releases (false) the advisory lock of maintenance runs at
 * session level, for fenta.run_maintenance(), which commits between its
 * steps.  Taking it releases first what an earlier, failed run of the
 * session left, and refuses to run inside a transaction block; it returns
 * false when another session runs maintenance.
 */
Datum
fenta_maintenance_session_lock(PG_FUNCTION_ARGS)
{
	bool		acquire = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
	LOCKTAG		tag;

	maintenance_locktag(&tag);
	if (acquire && IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("fenta.run_maintenance() cannot run inside a transaction block"),
				 errdetail("It commits after each step, so that no lock is held for longer than one step."),
				 errhint("CALL it on its own (autocommit), or use SELECT * FROM fenta.maintain_partitions() inside a transaction.")));
	while (LockHeldByMe(&tag, ExclusiveLock))
		if (!LockRelease(&tag, ExclusiveLock, true))
			break;
	if (!acquire)
		PG_RETURN_BOOL(true);
	if (LockAcquire(&tag, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
	{
		ereport(NOTICE,
				(errmsg("fenta maintenance is already running in another session; skipped")));
		PG_RETURN_BOOL(false);
	}
	PG_RETURN_BOOL(true);
}
