/*-------------------------------------------------------------------------
 *
 * partition_month.c
 *	  One month of usage_records: create it standalone, fill it from the
 *	  default partition and attach it; archive late rows of an archived
 *	  month; detach an expired month (see partition.c for the run).
 *
 *-------------------------------------------------------------------------
 */
#include "partition.h"


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

/*
 * Runs a utility or DML statement through SPI; any failure is an error.
 */
uint64
partition_run_sql(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc < 0)
		elog(ERROR, "SPI_execute failed (%d): %s", rc, sql);
	return SPI_processed;
}

/*
 * Prepares and keeps one of the module's plans.
 */
SPIPlanPtr
partition_keep_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes)
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
char **
partition_list_months(SPIPlanPtr *plan, const char *sql, const char *cutoff, int *n)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	  **names;
	int			i;

	args[0] = CStringGetTextDatum(cutoff);
	if (SPI_execute_plan(partition_keep_plan(plan, sql, 1, argtypes), args, NULL, false, 0) != SPI_OK_SELECT)
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
char *
partition_usage_columns(void)
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
bool
partition_parse_suffix(const char *suffix, int *year, int *month)
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
char *
partition_previous_month(void)
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
		partition_run_sql(stmts[i]);
}

/*
 * Moves the rows of [lower, upper) out of the default partition into
 * table qtarget (schema-qualified, quoted).  The caller holds the locks.
 */
static uint64
move_rows(const char *qtarget, const char *lower, const char *upper, const char *columns)
{
	return partition_run_sql(psprintf("WITH moved AS (DELETE FROM ONLY public.usage_records_default "
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
		partition_run_sql(stmts[i]);
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
uint64
partition_create_month(const char *suffix, const char *columns)
{
	char	   *rel = psprintf("usage_records_%s", suffix);
	const char *qrel = quote_identifier(rel);
	const char *qcheck = quote_identifier(psprintf("%s_month", rel));
	char	   *lower;
	char	   *upper;
	int			year;
	int			month;
	uint64		moved;

	if (!partition_parse_suffix(suffix, &year, &month))
		elog(ERROR, "invalid month \"%s\"", suffix);
	lower = month_lower(year, month);
	upper = month_upper(year, month);

	/* the new table, invisible to others until the transaction commits */
	partition_run_sql(psprintf("CREATE TABLE public.%s (LIKE public.usage_records INCLUDING ALL, "
					 "CONSTRAINT %s CHECK (created_at OPERATOR(pg_catalog.>=) '%s'::pg_catalog.timestamptz "
					 "AND created_at OPERATOR(pg_catalog.<) '%s'::pg_catalog.timestamptz))",
					 qrel, qcheck, lower, upper));
	copy_template_indexes(rel);
	partition_run_sql(psprintf("ALTER TABLE public.%s ENABLE ROW LEVEL SECURITY; "
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
		partition_run_sql("LOCK TABLE ONLY public.usage_records IN SHARE MODE");
	partition_run_sql("LOCK TABLE public.usage_records_default IN ACCESS EXCLUSIVE MODE");
	moved = move_rows(psprintf("public.%s", qrel), lower, upper, columns);
	partition_run_sql(psprintf("ALTER TABLE public.usage_records ATTACH PARTITION public.%s "
					 "FOR VALUES FROM ('%s') TO ('%s')",
					 qrel, lower, upper));
	partition_run_sql(psprintf("ALTER TABLE public.%s DROP CONSTRAINT %s", qrel, qcheck));
	return moved;
}

/*
 * Late rows of an archived (or expired) month: they are moved out of the
 * default partition into fenta_archive.usage_records_YYYY_MM, created like
 * a detached month if needed, and reported once.  No public partition is
 * made for a month that retention retired.
 */
uint64
partition_archive_rows(const char *suffix, const char *columns)
{
	char	   *rel = psprintf("usage_records_%s", suffix);
	const char *qrel = quote_identifier(rel);
	int			year;
	int			month;
	uint64		moved;

	if (!partition_parse_suffix(suffix, &year, &month))
		elog(ERROR, "invalid month \"%s\"", suffix);
	partition_run_sql("LOCK TABLE public.usage_records_default IN ACCESS EXCLUSIVE MODE");
	if (!OidIsValid(get_relname_relid(rel, get_namespace_oid("fenta_archive", false))))
		partition_run_sql(psprintf("CREATE TABLE fenta_archive.%s (LIKE public.usage_records INCLUDING ALL); "
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
void
partition_drop_month_table(const char *qualified)
{
	int			save_nestlevel = NewGUCNestLevel();

	(void) set_config_option("fenta.allow_drop", "on",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	partition_run_sql(psprintf("DROP TABLE %s", qualified));
	AtEOXact_GUC(true, save_nestlevel);
}

/*
 * Detaches one expired month and archives or drops it.
 */
void
partition_detach_month(const char *suffix, bool drop)
{
	const char *qrel = quote_identifier(psprintf("usage_records_%s", suffix));

	partition_run_sql(psprintf("ALTER TABLE public.usage_records DETACH PARTITION public.%s", qrel));
	if (drop)
		partition_drop_month_table(psprintf("public.%s", qrel));
	else
		partition_run_sql(psprintf("ALTER TABLE public.%s SET SCHEMA fenta_archive", qrel));
}

