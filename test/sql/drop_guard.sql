--
-- DROP EXTENSION fenta is refused unless the session confirms it.
--
\set VERBOSITY default
SET client_min_messages = warning;
DROP EXTENSION fenta;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DROP EXTENSION IF EXISTS "fenta" CASCADE;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DROP SCHEMA public CASCADE;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT extname FROM pg_extension WHERE extname = 'fenta';
SELECT count(*) > 0 AS tables_still_there FROM pg_tables WHERE schemaname = 'public';
-- other extensions are not concerned
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DROP EXTENSION pg_trgm;
-- the confirmation works (inside a transaction rolled back, to keep fenta for
-- the next tests)
BEGIN;
SET LOCAL fenta.allow_drop = on;
DROP EXTENSION fenta CASCADE;
SELECT count(*) AS fenta_left FROM pg_extension WHERE extname = 'fenta';
ROLLBACK;
SELECT extname FROM pg_extension WHERE extname = 'fenta';
