-- Included by the pg_regress tests that run in a database of their own
-- (psql variable own_db), with Supabase's auth emulation, fenta and the
-- fixture (test/fixture.sql).  The test ends with
--     \c :regress_db
--     DROP DATABASE :own_db;
SELECT current_database() AS regress_db \gset
CREATE DATABASE :own_db;
\c :own_db
SET client_min_messages = warning;
\set ECHO none
\i sql/supabase_auth.sql
CREATE EXTENSION fenta CASCADE;
\i test/fixture.sql
\set ECHO all
