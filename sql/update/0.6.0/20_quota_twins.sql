-- The migrations flavour's accounting twin chooses its counter slot as the
-- C function does (sql/twins/fenta.update_quota_usage.sql: a slot row no
-- other transaction holds, else a free slot number, before waiting).  The C
-- function is unchanged; it is re-created here, as in sql/src/45_quota.sql,
-- so that supabase/migrations/00009_fenta_0.6.0.sql (make migrations) carries
-- the new twin to hosted databases.
CREATE OR REPLACE FUNCTION fenta.update_quota_usage()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_update_quota_usage';
