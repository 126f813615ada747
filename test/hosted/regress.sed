# test/hosted/regress.sed: how test/t/migrations.sh turns a pg_regress test
# of the extension (test/sql/<name>.sql) and its expected output into the
# same test on the migrations flavour.  Applied alike to both files, and
# only to setup statements: a database of its own is a copy of fenta_hosted
# (the hosted emulation with the migrations applied as postgres) instead of
# a new database where the auth script and CREATE EXTENSION fenta run.
s|^\\i test/own_database\.sql$|\\i test/hosted/own_database.sql|
s|^CREATE DATABASE :own_db;$|CREATE DATABASE :own_db TEMPLATE fenta_hosted;|
/^CREATE DATABASE fenta_rls_cost;$/,/^CREATE EXTENSION fenta CASCADE;$/{
	s|^CREATE DATABASE fenta_rls_cost;$|CREATE DATABASE fenta_rls_cost TEMPLATE fenta_hosted;|
	/^\\i sql\/supabase_auth\.sql$/d
	s|^CREATE EXTENSION fenta CASCADE;$|-- (migrations flavour: the template holds the migrations)|
}
