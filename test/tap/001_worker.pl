# The maintenance background worker (src/worker.c), in a cluster of its own
# with fenta in shared_preload_libraries and fenta.maintenance_interval = 1:
# - a missing fenta.maintenance_database: one waiting line, no FATAL, no
#   restart loop; the database created later gets its partitions;
# - a database without fenta: the worker waits, then creates the monthly
#   partitions without anyone calling maintenance; a failing run is logged
#   and the runs go on; rows of the default partition are moved;
# - between runs nothing is connected to the database: CREATE DATABASE ...
#   TEMPLATE, ALTER DATABASE ... RENAME and DROP DATABASE succeed;
# - a missing fenta.maintenance_role: waits, works once the role exists.
# Every wait polls with a timeout; no assertion depends on timing.
# Run by test/tap/prove.sh (test/suite.sh) or make installcheck (TAP_TESTS).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('fenta_worker',
	$ENV{FENTA_TAP_PORT} ? (port => $ENV{FENTA_TAP_PORT}) : ());
# fenta installed under a staging directory (Debian's extension_destdir,
# as the suite's cluster may use): test/suite.sh passes it on
my $destdir = $ENV{FENTA_EXTENSION_DESTDIR} // '';
$node->init;
$node->append_conf('postgresql.conf', "extension_destdir = '$destdir'")
  if $destdir ne '';
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = '$libdir/fenta'
fenta.maintenance_database = 'fentadb'
fenta.maintenance_interval = 1
fenta.maintenance_months_ahead = 2
track_functions = 'pl'
});
$node->start;

my $sharedir = $node->config_data('--sharedir');
my $auth_sql = "$sharedir/extension/supabase_auth.sql";
$auth_sql = "$destdir$auth_sql" if $destdir ne '' && -e "$destdir$auth_sql";

# number of matches of $re in the server log
sub log_count
{
	my ($re) = @_;
	my $log = slurp_file($node->logfile);
	my @m = $log =~ /$re/g;
	return scalar @m;
}

# waits (with the framework's timeout) for $re in the log after $offset
sub wait_log
{
	my ($re, $offset, $name) = @_;
	my $pos = eval { $node->wait_for_log($re, $offset) };
	ok(defined $pos, $name);
	return $pos // -s $node->logfile;
}

sub install_fenta
{
	my ($db) = @_;
	$node->command_ok(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $db, '-f', $auth_sql ],
		"auth schema in $db");
	$node->safe_psql($db,
		"SET client_min_messages = warning; CREATE EXTENSION fenta CASCADE");
}

my $launcher_pid_sql =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'fenta maintenance launcher'";
my $partitions_sql = q{
SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname <> 'usage_records_default'};
my $want_sql = q{
SELECT string_agg(to_char(m, '"usage_records_"YYYY_MM'), ' ' ORDER BY m)
FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
	date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months', interval '1 month') m};

# a row far in the future lands in the default partition; a run moves it
my $n_rows = 0;
sub insert_future_row
{
	my ($db) = @_;
	$n_rows++;
	$node->safe_psql($db, qq{
INSERT INTO public.usage_records (org_id, resource_type, created_at)
VALUES ('70000000-0000-4000-8000-0000000007c0', 'storage', now() + interval '${n_rows} years')});
}
my $default_empty_sql = "SELECT count(*) = 0 FROM ONLY public.usage_records_default";

# 1. the database does not exist: the launcher waits quietly
my $pos = wait_log(qr/fenta maintenance launcher: database "fentadb" does not exist; waiting/,
	0, 'missing database: the launcher says once that it waits');
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($launcher_pid_sql) l"),
	'the launcher runs');
my $launcher = $node->safe_psql('postgres', $launcher_pid_sql);
# several re-checks (every second); the assertions below do not depend on
# how many happened
$node->safe_psql('postgres', 'SELECT pg_sleep(3)');
is(log_count(qr/launcher: database "fentadb" does not exist/), 1,
	'one waiting line, not one per check');
is(log_count(qr/FATAL/), 0, 'no FATAL');
is(log_count(qr/background worker "fenta maintenance[^"]*" \(PID \d+\) exited/), 0,
	'no worker exit (no restart loop)');
is(log_count(qr/fenta maintenance launcher started/), 1, 'started once');
is($node->safe_psql('postgres',
	"SELECT query FROM pg_stat_activity WHERE backend_type = 'fenta maintenance launcher'"),
	'waiting: database "fentadb" does not exist',
	'pg_stat_activity shows what the launcher waits for');

# 2. the database appears, without fenta: a run says once that it waits
$node->safe_psql('postgres', 'CREATE DATABASE fentadb');
$pos = wait_log(qr/fenta 0\.2\.0 or later is not installed in database "fentadb"; waiting/,
	$pos, 'database created: the worker waits for fenta');
$node->safe_psql('postgres', 'SELECT pg_sleep(2)');
is(log_count(qr/is not installed in database "fentadb"/), 1,
	'one line while fenta is not installed');

# 3. fenta installed: partitions appear by themselves
install_fenta('fentadb');
my $want = $node->safe_psql('fentadb', $want_sql);
ok($node->poll_query_until('fentadb', $partitions_sql, $want),
	'partitions appear without anyone calling maintenance');

# a failing run is logged and the runs go on
$node->safe_psql('fentadb',
	'ALTER TABLE fenta.usage_daily_pending RENAME TO usage_daily_pending_away');
$pos = wait_log(qr/usage_daily_pending.*does not exist/, $pos, 'the failed run is logged');
$node->safe_psql('fentadb',
	'ALTER TABLE fenta.usage_daily_pending_away RENAME TO usage_daily_pending');
$node->safe_psql('fentadb', q{
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-0000000007c1', 'wk@example.com');
INSERT INTO public.orgs (id, name, slug, owner_id)
VALUES ('70000000-0000-4000-8000-0000000007c0', 'Wk', 'part-wk', '00000000-0000-4000-8000-0000000007c1')});
insert_future_row('fentadb');
ok($node->poll_query_until('fentadb', $default_empty_sql),
	'the runs go on: the default partition\'s row is moved');

# 4. between runs nothing holds the database
my ($ret, $out, $err) = $node->psql('postgres', 'CREATE DATABASE fentacopy TEMPLATE fentadb');
is($ret, 0, 'CREATE DATABASE ... TEMPLATE of the maintenance database') or diag $err;
$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS fentacopy');
($ret, $out, $err) = $node->psql('postgres', 'ALTER DATABASE fentadb RENAME TO fentadb_away');
is($ret, 0, 'ALTER DATABASE ... RENAME of the maintenance database') or diag $err;
$pos = wait_log(qr/launcher: database "fentadb" does not exist; waiting/, $pos,
	'renamed away: the launcher waits again');
$node->safe_psql('postgres', 'ALTER DATABASE fentadb_away RENAME TO fentadb');
insert_future_row('fentadb');
ok($node->poll_query_until('fentadb', $default_empty_sql),
	'renamed back: the runs go on');

# 5. a missing role: waits; works once the role exists
$node->safe_psql('postgres',
	"ALTER SYSTEM SET fenta.maintenance_role = 'fenta_maint'; SELECT pg_reload_conf()");
$pos = wait_log(qr/launcher: role "fenta_maint" does not exist; waiting/, $pos,
	'missing role: the launcher says once that it waits');
insert_future_row('fentadb');
$node->safe_psql('postgres', 'SELECT pg_sleep(2)');
is($node->safe_psql('fentadb', $default_empty_sql), 'f', 'no run without the role');
is(log_count(qr/launcher: role "fenta_maint" does not exist/), 1,
	'one waiting line for the role');
$node->safe_psql('postgres', 'CREATE ROLE fenta_maint LOGIN SUPERUSER');
ok($node->poll_query_until('fentadb', $default_empty_sql),
	'role created: the runs go on');
$pos = wait_log(qr/runs maintenance in database "fentadb" as fenta_maint every 1 s/, $pos,
	'the launcher names the role');

# 6. the runs CALL fenta.run_maintenance() (it commits between its steps, so
# it must be called non-atomically, at top level): it is called and works
ok($node->poll_query_until('fentadb', q{
SELECT coalesce(sum(calls), 0) > 0 FROM pg_stat_user_functions
WHERE schemaname = 'fenta' AND funcname = 'run_maintenance'}),
	'fenta.run_maintenance() is called');
ok(log_count(qr/fenta\.run_maintenance\(\): \d+ month\(s\) created/) > 0,
	'fenta.run_maintenance() logs its runs');
is(log_count(qr/invalid transaction termination/), 0,
	'no "invalid transaction termination": the CALL is non-atomic');

is($node->safe_psql('postgres', $launcher_pid_sql), $launcher,
	'the same launcher process throughout');
is(log_count(qr/FATAL/), 0, 'no FATAL so far');

# 7. a role that may not connect: the run's FATAL error is logged, the
# launcher says once that it retries less often; fixed, the runs go on
$node->safe_psql('postgres', q{
CREATE ROLE fenta_noconn LOGIN;
REVOKE CONNECT ON DATABASE fentadb FROM PUBLIC;
ALTER SYSTEM SET fenta.maintenance_role = 'fenta_noconn';
SELECT pg_reload_conf()});
$pos = wait_log(qr/a run could not connect to database "fentadb" as fenta_noconn; retrying less often/,
	$pos, 'no CONNECT privilege: the launcher backs off');
$node->safe_psql('postgres', 'SELECT pg_sleep(2)');
is(log_count(qr/a run could not connect to database/), 1, 'said once');
ok(log_count(qr/FATAL:  permission denied for database "fentadb"/) >= 1,
	'the run\'s error is logged');
$node->safe_psql('postgres',
	"ALTER SYSTEM SET fenta.maintenance_role = 'fenta_maint'; SELECT pg_reload_conf()");
insert_future_row('fentadb');
ok($node->poll_query_until('fentadb', $default_empty_sql),
	'back to a role that may connect: the runs go on');

# 8. DROP DATABASE of the maintenance database, between runs
$node->safe_psql('postgres', 'CREATE DATABASE fentadb2 TEMPLATE fentadb');
($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE fentadb');
is($ret, 0, 'DROP DATABASE of the maintenance database') or diag $err;
$pos = wait_log(qr/launcher: database "fentadb" does not exist; waiting/, $pos,
	'dropped: the launcher waits again');

# 9. a run stuck on a lock (fenta.maintenance_lock_timeout = 0 for the
# database: wait forever) does not keep DROP DATABASE ... WITH (FORCE) from
# working
$node->safe_psql('postgres', q{
ALTER DATABASE fentadb2 RENAME TO fentadb;
ALTER DATABASE fentadb SET fenta.maintenance_lock_timeout = 0});
my $bg = $node->background_psql('fentadb');
$bg->query_safe('BEGIN; LOCK TABLE public.usage_records_default IN ACCESS SHARE MODE');
insert_future_row('fentadb');
ok($node->poll_query_until('postgres', q{
SELECT count(*) > 0 FROM pg_stat_activity
WHERE backend_type = 'fenta maintenance worker' AND wait_event_type = 'Lock'}),
	'a run waits for a lock');
($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE fentadb WITH (FORCE)');
is($ret, 0, 'DROP DATABASE ... WITH (FORCE) during a run') or diag $err;
eval { $bg->quit };
wait_log(qr/launcher: database "fentadb" does not exist; waiting/, $pos,
	'dropped during a run: the launcher waits again');
is($node->safe_psql('postgres', $launcher_pid_sql), $launcher,
	'the same launcher process to the end');

$node->stop;
done_testing();
