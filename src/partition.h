/*-------------------------------------------------------------------------
 *
 * partition.h
 *	  Monthly partition maintenance of usage_records: what partition.c (the
 *	  steps of a run), partition_month.c (one month's DDL) and maintenance.c
 *	  (the SQL entry points and the GUCs) share.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FENTA_PARTITION_H
#define FENTA_PARTITION_H

#include "fenta.h"

#include "commands/extension.h"
#include "executor/spi.h"
#include "utils/timestamp.h"

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

#define NUM_STEP_KINDS	5

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


/* names of the step kinds, as fenta.maintenance_plan() reports them */
extern const char *const partition_step_names[];


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


/* partition_month.c: SPI helpers and one month's DDL */
extern uint64 partition_run_sql(const char *sql);
extern SPIPlanPtr partition_keep_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes);
extern char **partition_list_months(SPIPlanPtr *plan, const char *sql, const char *cutoff, int *n);
extern char *partition_usage_columns(void);
extern bool partition_parse_suffix(const char *suffix, int *year, int *month);
extern char *partition_previous_month(void);
extern uint64 partition_create_month(const char *suffix, const char *columns);
extern uint64 partition_archive_rows(const char *suffix, const char *columns);
extern void partition_drop_month_table(const char *qualified);
extern void partition_detach_month(const char *suffix, bool drop);

/* partition.c: the arguments and the steps of a run */
extern void maintenance_bad_argument(const char *fname, const char *name, const char *message, const char *detail);
extern void maintenance_check_args(const char *fname, MaintainArgs *a);
extern void maintenance_require_read_committed(const char *fname);
extern bool maintenance_run_step(const char *fname, const Step *step, const char *columns, uint64 *moved);
extern Step *maintenance_plan_steps(const char *fname, const MaintainArgs *a, int *nsteps, int *blocked);
extern int maintenance_set_lock_timeout(void);
extern void maintenance_run(const MaintainArgs *a, MaintainResult *res);

#endif							/* FENTA_PARTITION_H */
