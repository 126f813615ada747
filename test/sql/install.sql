--
-- Installation: fenta needs the auth schema, then installs with CASCADE.
--
\set VERBOSITY default
-- without auth.users the install fails and names the auth script; fenta
-- requires no other extension (none is installed in public by CASCADE)
CREATE EXTENSION fenta CASCADE;
SELECT count(*) AS extensions_left FROM pg_extension WHERE extname IN ('fenta', 'pgcrypto', 'uuid-ossp');
-- load the Supabase-compatible auth schema (quietly)
\set ECHO none
\i sql/supabase_auth.sql
\set ECHO all
CREATE EXTENSION fenta CASCADE;
SELECT e.extname, n.nspname AS schema, e.extrelocatable
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname IN ('fenta', 'pgcrypto', 'uuid-ossp') ORDER BY 1;
-- the extension's own version is the default one
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'fenta') AS is_default_version
FROM pg_extension WHERE extname = 'fenta';
