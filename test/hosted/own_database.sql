-- Included by the pg_regress tests that run in a database of their own
-- (psql variable own_db), with Supabase's auth emulation, fenta and the
-- fixture (test/fixture.sql).  The test ends with
--     \c :regress_db
--     DROP DATABASE :own_db;
SELECT current_database() AS regress_db \gset
CREATE DATABASE :own_db TEMPLATE fenta_hosted;
\c :own_db
SET client_min_messages = warning;
\set ECHO none
-- (not echoed) The migrations flavour's test/own_database.sql, which
-- test/t/migrations.sh includes instead (test/hosted/regress.sed): the
-- database of its own is a copy of fenta_hosted, the hosted emulation with
-- the migrations applied as postgres; the comment lines above are those of
-- test/own_database.sql, for the expected output.
\i test/fixture.sql
\set ECHO all
