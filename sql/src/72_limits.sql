-- ===========================================================================
-- What one member can do to everyone (0.5.0): size limits on every column a
-- member writes, cron and time zone validation that costs microseconds,
-- webhook URLs that cannot reach the platform's own network, per-org caps on
-- queued jobs and schedules, a queue no tenant can monopolise, and an anon
-- gallery that shows only what a gallery needs.  See doc/tenancy.md, "Limits".
--
-- Runs in the fresh install and in the update from 0.4.0 (on a database with
-- data): every statement is idempotent (DROP ... IF EXISTS, CREATE OR
-- REPLACE).  The CHECK constraints are added NOT VALID, then validated where
-- the existing rows allow it: an update never fails on old oversized data; a
-- WARNING names each constraint left NOT VALID (new and updated rows are
-- checked either way).
-- ===========================================================================

--
-- 1. Size limits.  Text: octet_length() (the raw size from the varlena
-- header, never detoasted).  JSONB: pg_column_size(), which for a value being
-- written (not yet compressed by the toaster) is its binary size; a value
-- copied unchanged from a stored row counts compressed, but was checked when
-- it was stored.
--
CREATE FUNCTION fenta.add_size_limit(tbl regclass, col name, max_bytes integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	rel text := (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = add_size_limit.tbl);
	typ regtype := (SELECT a.atttypid::pg_catalog.regtype FROM pg_catalog.pg_attribute a
					WHERE a.attrelid = add_size_limit.tbl AND a.attname = add_size_limit.col);
	con text := rel || '_' || col || '_size';
	expr text;
BEGIN
	expr := CASE typ
		WHEN 'text'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.octet_length(%I) <= %s', col, max_bytes)
		WHEN 'jsonb'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.pg_column_size(%I) <= %s', col, max_bytes)
		WHEN 'text[]'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.pg_column_size(%I) <= %s', col, max_bytes)
	END;
	IF expr IS NULL THEN
		RAISE EXCEPTION 'fenta.add_size_limit: %.% is of type %', rel, col, typ;
	END IF;
	EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', tbl, con);
	EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', tbl, con, expr);
	EXECUTE pg_catalog.format('COMMENT ON CONSTRAINT %I ON %s IS %L', con, tbl,
							  pg_catalog.format('%s is at most %s bytes (fenta 0.5.0 limits; doc/tenancy.md).', col, max_bytes));
END
$$;
REVOKE ALL ON FUNCTION fenta.add_size_limit(regclass, name, integer) FROM PUBLIC;

SELECT fenta.add_size_limit(l.tbl::regclass, l.col, l.max_bytes)
FROM (VALUES
	-- names and labels: 512 bytes (170 characters in any script)
	('public.profiles', 'name', 512),
	('public.orgs', 'name', 512),
	('public.projects', 'name', 512),
	('public.templates', 'name', 512),
	('public.workflows', 'name', 512),
	('public.assets', 'name', 512),
	('public.api_keys', 'name', 512),
	('public.webhooks', 'name', 512),
	-- short codes (most also have a format CHECK; the size check is first
	-- and cheap)
	('public.orgs', 'slug', 64),
	('public.orgs', 'billing_email', 320),
	('public.templates', 'aspect', 16),
	('public.templates', 'resolution', 16),
	('public.assets', 'mime_type', 255),
	('public.asset_versions', 'checksum_sha256', 64),
	('public.api_keys', 'key_hash', 64),
	('public.api_keys', 'key_prefix', 16),
	('public.schedules', 'cron', 256),
	('public.schedules', 'timezone', 64),
	('public.webhooks', 'secret', 256),
	-- descriptions and notes: 10 kB
	('public.projects', 'description', 10240),
	('public.templates', 'description', 10240),
	('public.workflows', 'description', 10240),
	('public.workflow_versions', 'note', 10240),
	-- URLs and storage paths: 2 kB
	('public.profiles', 'avatar_url', 2048),
	('public.templates', 'thumbnail_url', 2048),
	('public.assets', 'url', 2048),
	('public.assets', 'thumbnail_url', 2048),
	('public.assets', 'storage_path', 2048),
	('public.asset_versions', 'url', 2048),
	('public.asset_versions', 'storage_path', 2048),
	('public.webhooks', 'url', 2048),
	-- small arrays
	('public.api_keys', 'scopes', 4096),
	('public.webhooks', 'events', 1024),
	-- settings, metadata, configuration, variables, credentials: 64 kB
	('public.profiles', 'metadata', 65536),
	('public.orgs', 'settings', 65536),
	('public.projects', 'settings', 65536),
	('public.assets', 'metadata', 65536),
	('public.asset_versions', 'metadata', 65536),
	('public.workflows', 'variables', 65536),
	('public.workflow_versions', 'variables', 65536),
	('public.jobs', 'config', 65536),
	('public.integrations', 'config', 65536),
	('public.integrations', 'credentials', 65536),
	-- the documents themselves: 1 MB
	('public.workflows', 'graph', 1048576),
	('public.workflow_versions', 'graph', 1048576),
	('public.templates', 'spec', 1048576)
) l (tbl, col, max_bytes);
DROP FUNCTION fenta.add_size_limit(regclass, name, integer);

--
-- 2. schedules.cron and schedules.timezone.
--

-- One field of a cron expression.  Items separated by commas; each item is
-- *, a value, or a range a-b (a <= b), optionally followed by /step (1 <=
-- step <= hi; a/step means a-hi/step).  Values are numbers in [lo, hi] or,
-- when names is given, names (case-insensitive) mapped to lo, lo + 1, ...
CREATE FUNCTION fenta.cron_field_is_valid(field text, lo integer, hi integer, names text[] DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	item text;
	m text[];
	a integer;
	b integer;
BEGIN
	IF field IS NULL OR field = '' THEN
		RETURN false;
	END IF;
	FOREACH item IN ARRAY pg_catalog.string_to_array(pg_catalog.lower(field), ',') LOOP
		m := pg_catalog.regexp_match(item, '^(?:(\*)|([0-9]{1,2}|[a-z]{3})(?:-([0-9]{1,2}|[a-z]{3}))?)(?:/([0-9]{1,2}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		IF m[1] IS NULL THEN
			a := CASE WHEN m[2] ~ '^[0-9]' THEN m[2]::integer
					  ELSE lo - 1 + pg_catalog.array_position(names, m[2]) END;
			b := CASE WHEN m[3] IS NULL THEN a
					  WHEN m[3] ~ '^[0-9]' THEN m[3]::integer
					  ELSE lo - 1 + pg_catalog.array_position(names, m[3]) END;
			IF a IS NULL OR b IS NULL OR a < lo OR b > hi OR a > b THEN
				RETURN false;
			END IF;
		END IF;
		IF m[4] IS NOT NULL AND (m[4]::integer < 1 OR m[4]::integer > hi) THEN
			RETURN false;
		END IF;
	END LOOP;
	RETURN true;
END
$$;
COMMENT ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) IS
'True when field is a valid field of a cron expression with values in [lo, hi]: a comma-separated list of *, n, a-b (a <= b), each optionally /step (1 <= step <= hi); names (case-insensitive) stand for lo, lo + 1, ... Used by fenta.cron_is_valid().';
REVOKE ALL ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) TO authenticated, service_role;

CREATE FUNCTION fenta.cron_is_valid(expr text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	f text[];
BEGIN
	IF expr IS NULL THEN
		RETURN NULL;
	END IF;
	f := pg_catalog.regexp_split_to_array(pg_catalog.btrim(expr, E' \t'), E'[ \t]+');
	RETURN pg_catalog.cardinality(f) = 5
		AND fenta.cron_field_is_valid(f[1], 0, 59)
		AND fenta.cron_field_is_valid(f[2], 0, 23)
		AND fenta.cron_field_is_valid(f[3], 1, 31)
		AND fenta.cron_field_is_valid(f[4], 1, 12,
			'{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}')
		AND fenta.cron_field_is_valid(f[5], 0, 7, '{sun,mon,tue,wed,thu,fri,sat}');
END
$$;
COMMENT ON FUNCTION fenta.cron_is_valid(text) IS
'True when expr is a standard five-field cron expression (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-7 or sun-sat, 0 and 7 both Sunday), fields separated by spaces or tabs; each field a comma-separated list of *, n, a-b (a <= b), each optionally /step (1 <= step <= the field''s maximum; a/step means a-max/step); names are case-insensitive. No @daily macros, no seconds, no L/W/#/?. NULL for NULL. The CHECK schedules_cron_format uses it.';
REVOKE ALL ON FUNCTION fenta.cron_is_valid(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.cron_is_valid(text) TO authenticated, service_role;

ALTER TABLE public.schedules DROP CONSTRAINT IF EXISTS schedules_cron_format;
ALTER TABLE public.schedules ADD CONSTRAINT schedules_cron_format CHECK (fenta.cron_is_valid(cron)) NOT VALID;
COMMENT ON COLUMN public.schedules.cron IS 'Standard five-field cron expression (minute hour day-of-month month day-of-week), e.g. ''0 9 * * mon-fri'', validated by fenta.cron_is_valid() (values in range, a <= b in ranges, steps >= 1; month and day-of-week names).';

-- Time zones.  The name is canonicalised by setting TimeZone inside a
-- function whose SET clause restores it on exit: pg_tzset() caches the zones
-- it loaded, so this costs microseconds where a scan of pg_timezone_names
-- reads the whole time zone directory (about 29 ms).  Names made of letters,
-- '_', '-' and '/' only cannot be POSIX TZ strings (those need an offset),
-- so the canonical name's equality settles them; anything else (digits, '+')
-- is looked up in pg_timezone_names, once, when the value is written.
CREATE OR REPLACE FUNCTION fenta.is_valid_timezone(tz text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = ''
SET "TimeZone" = 'UTC'
AS $$
BEGIN
	IF tz = 'UTC' THEN
		RETURN true;
	END IF;
	IF tz ~ '^[A-Za-z_][A-Za-z_/-]*$' THEN
		PERFORM pg_catalog.set_config('TimeZone', tz, true);
		RETURN pg_catalog.current_setting('TimeZone') = tz;
	END IF;
	RETURN EXISTS (SELECT FROM pg_catalog.pg_timezone_names n WHERE n.name = tz);
EXCEPTION WHEN OTHERS THEN
	RETURN false;
END
$$;
COMMENT ON FUNCTION fenta.is_valid_timezone(text) IS
'True when tz is ''UTC'' or a time zone name of the server''s time zone database (as in pg_timezone_names, e.g. Europe/Paris; case-sensitive; abbreviations and POSIX strings are not names); false otherwise, never an error. Names of letters, _, - and / are checked by loading the zone (cached by the server: microseconds); others (Etc/GMT+5) against pg_timezone_names.';

CREATE FUNCTION fenta.schedules_timezone_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF (TG_OP = 'INSERT' OR NEW.timezone IS DISTINCT FROM OLD.timezone)
		AND NOT coalesce(fenta.is_valid_timezone(NEW.timezone), true) THEN
		RAISE EXCEPTION 'invalid time zone "%" in schedules.timezone', NEW.timezone
			USING ERRCODE = 'check_violation', SCHEMA = 'public', TABLE = 'schedules',
				COLUMN = 'timezone', CONSTRAINT = 'schedules_timezone_valid',
				HINT = 'Use a name of the time zone database, such as UTC or Europe/Paris (see pg_timezone_names).';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.schedules_timezone_check() IS
'BEFORE INSERT OR UPDATE OF timezone trigger of schedules: when the time zone is new or changed, it must be a time zone name (fenta.is_valid_timezone), else 23514 naming schedules_timezone_valid. Replaces the CHECK of 0.1.0-0.4.0, which scanned pg_timezone_names for every row written.';
REVOKE ALL ON FUNCTION fenta.schedules_timezone_check() FROM PUBLIC, anon, authenticated, service_role;
ALTER TABLE public.schedules DROP CONSTRAINT IF EXISTS schedules_timezone_valid;
DROP TRIGGER IF EXISTS schedules_timezone_check ON public.schedules;
CREATE TRIGGER schedules_timezone_check BEFORE INSERT OR UPDATE OF timezone ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.schedules_timezone_check();

--
-- 3. Webhook URLs: only public https endpoints.
--
CREATE FUNCTION fenta.webhook_url_is_safe(url text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	m text[];
	host text;
	port text;
	addr inet;
	last_label text;
BEGIN
	IF url IS NULL THEN
		RETURN NULL;
	END IF;
	-- https://authority[/path][?query][#fragment]; no whitespace, no
	-- backslash (browsers and some clients read it as '/')
	m := pg_catalog.regexp_match(url, '^https://([^/?#]*)([/?#][^\s\\]*)?$');
	IF m IS NULL OR m[1] ~ '[\s\\@%]' THEN
		-- '@': userinfo (credentials, or a host hidden behind one);
		-- '%': percent-encoded host
		RETURN false;
	END IF;
	IF pg_catalog.left(m[1], 1) = '[' THEN
		m := pg_catalog.regexp_match(m[1], '^\[([0-9A-Fa-f:.]+)\](?::([0-9]{1,5}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		host := m[1];
		port := m[2];
	ELSE
		m := pg_catalog.regexp_match(pg_catalog.lower(m[1]), '^([a-z0-9.-]+)(?::([0-9]{1,5}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		host := pg_catalog.rtrim(m[1], '.');
		port := m[2];
	END IF;
	-- the default port, or an unprivileged one (not ssh, smtp, http, ...)
	IF port IS NOT NULL AND port::integer <> 443 AND port::integer NOT BETWEEN 1024 AND 65535 THEN
		RETURN false;
	END IF;

	IF host ~ ':' THEN
		-- IPv6 literal: global unicast (2000::/3) only, minus ranges that
		-- embed or reach IPv4 or are reserved
		BEGIN
			addr := host::inet;
		EXCEPTION WHEN OTHERS THEN
			RETURN false;
		END;
		IF pg_catalog.family(addr) <> 6 OR NOT addr <<= '2000::/3'::inet THEN
			RETURN false;
		END IF;
		RETURN NOT (addr <<= '2001::/32'::inet		-- Teredo
					OR addr <<= '2001:db8::/32'::inet	-- documentation
					OR addr <<= '2001:10::/28'::inet	-- ORCHID
					OR addr <<= '2001:20::/28'::inet	-- ORCHIDv2
					OR addr <<= '2002::/16'::inet);		-- 6to4
	END IF;

	IF host = '' OR host ~ '\.\.' OR pg_catalog.left(host, 1) IN ('.', '-') THEN
		RETURN false;
	END IF;
	last_label := pg_catalog.regexp_replace(host, '^.*\.', '');
	IF last_label ~ '^[0-9]+$' OR last_label ~ '^0x' THEN
		-- an IPv4 address: only the canonical dotted quad (no 2130706433,
		-- 0x7f.1, 0177.0.0.1, 127.1), and only a public one
		IF host !~ '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$' THEN
			RETURN false;
		END IF;
		addr := host::inet;
		RETURN NOT (addr <<= '0.0.0.0/8'::inet			-- "this network"
					OR addr <<= '10.0.0.0/8'::inet		-- private
					OR addr <<= '100.64.0.0/10'::inet	-- carrier-grade NAT (Alibaba metadata)
					OR addr <<= '127.0.0.0/8'::inet		-- loopback
					OR addr <<= '169.254.0.0/16'::inet	-- link-local, cloud metadata
					OR addr <<= '172.16.0.0/12'::inet	-- private
					OR addr <<= '192.0.0.0/24'::inet	-- IETF protocol assignments
					OR addr <<= '192.0.2.0/24'::inet	-- documentation
					OR addr <<= '192.88.99.0/24'::inet	-- 6to4 relay
					OR addr <<= '192.168.0.0/16'::inet	-- private
					OR addr <<= '198.18.0.0/15'::inet	-- benchmarking
					OR addr <<= '198.51.100.0/24'::inet	-- documentation
					OR addr <<= '203.0.113.0/24'::inet	-- documentation
					OR addr <<= '224.0.0.0/4'::inet		-- multicast
					OR addr <<= '240.0.0.0/4'::inet		-- reserved, broadcast
					OR addr = '168.63.129.16'::inet);	-- Azure host services
	END IF;

	-- a DNS name: at least two labels (a single label resolves through the
	-- search domains of the delivery host), none of the internal names
	RETURN host ~ '\.'
		AND host !~ '(^|\.)(localhost|local|localdomain|internal|intranet|lan|home|corp|private|home\.arpa|in-addr\.arpa|ip6\.arpa|onion|test|invalid|example)$'
		AND host NOT IN ('metadata.google.internal', 'metadata.goog', 'instance-data.ec2.internal',
						 'metadata.azure.com', 'metadata.oraclecloud.com', 'kubernetes.default.svc');
END
$$;
COMMENT ON FUNCTION fenta.webhook_url_is_safe(text) IS
'True when url is a webhook endpoint that does not point into the platform''s own network: https only; no userinfo (user:pass@), no percent-encoded or backslashed host; port 443 (default) or 1024-65535; no loopback, private, link-local, CGNAT, multicast, reserved or documentation IPv4; IPv4 only as a canonical dotted quad (decimal, octal and hex forms such as 2130706433 or 0x7f.1 are refused); IPv6 literals only in global unicast 2000::/3 (minus Teredo, 6to4, ORCHID, documentation); names need a dot and may not be localhost, *.local, *.internal, *.localdomain, *.home.arpa, ... or a cloud metadata host. A name that resolves to a private address (DNS rebinding) cannot be refused here: the delivery worker must check the address it connects to. NULL for NULL.';
REVOKE ALL ON FUNCTION fenta.webhook_url_is_safe(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.webhook_url_is_safe(text) TO authenticated, service_role;

ALTER TABLE public.webhooks DROP CONSTRAINT IF EXISTS webhooks_url_safe;
ALTER TABLE public.webhooks ADD CONSTRAINT webhooks_url_safe CHECK (fenta.webhook_url_is_safe(url)) NOT VALID;
COMMENT ON COLUMN public.webhooks.url IS 'Endpoint URL: https://host[:port][/path], a public host (fenta.webhook_url_is_safe: no loopback, private, link-local or metadata address, no credentials, port 443 or 1024-65535).';

--
-- 4. Per-org caps on queued jobs and schedules, under a per-org lock.
--

-- The workers' queue: each org's queued jobs in order (claim_jobs, the caps).
CREATE INDEX IF NOT EXISTS idx_jobs_queued_org ON public.jobs (org_id, queued_at, id)
	WHERE status = 'queued' AND deleted_at IS NULL;

CREATE FUNCTION fenta.org_cap_check()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	cap_name text := TG_ARGV[0];
	cap integer;
	n integer;
BEGIN
	IF TG_TABLE_NAME = 'jobs' THEN
		IF NEW.status <> 'queued' OR NEW.deleted_at IS NOT NULL
			OR (TG_OP = 'UPDATE' AND OLD.status = 'queued' AND OLD.deleted_at IS NULL
				AND OLD.org_id = NEW.org_id) THEN
			RETURN NEW;
		END IF;
	ELSIF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id THEN
		RETURN NEW;
	END IF;
	-- operators (superusers) are not capped: restores, migrations, tests
	IF pg_catalog.current_setting('role') = 'none'
		AND (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = SESSION_USER) THEN
		RETURN NEW;
	END IF;
	cap := fenta.tenant_limit(cap_name);
	-- one writer per org and cap at a time: the count below sees the rows
	-- the previous holder committed (READ COMMITTED takes a new snapshot)
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtextextended('fenta.' || cap_name || ':' || NEW.org_id::text, 0));
	IF TG_TABLE_NAME = 'jobs' THEN
		SELECT count(*) INTO n FROM (
			SELECT FROM public.jobs j
			WHERE j.org_id = NEW.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
			LIMIT cap) q;
	ELSE
		SELECT count(*) INTO n FROM (
			SELECT FROM public.schedules s WHERE s.org_id = NEW.org_id LIMIT cap) q;
	END IF;
	IF n >= cap THEN
		RAISE EXCEPTION 'org % has reached its cap of % %', NEW.org_id, cap,
				CASE TG_TABLE_NAME WHEN 'jobs' THEN 'queued jobs' ELSE 'schedules' END
			USING ERRCODE = 'program_limit_exceeded', SCHEMA = 'public', TABLE = TG_TABLE_NAME,
				DETAIL = pg_catalog.format('tenant limit %s = %s', cap_name, cap),
				HINT = CASE TG_TABLE_NAME
					WHEN 'jobs' THEN 'Wait for queued jobs to start, or cancel some; the operator may raise max_queued_jobs_per_org in fenta.tenant_limits.'
					ELSE 'Delete unused schedules; the operator may raise max_schedules_per_org in fenta.tenant_limits.' END;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.org_cap_check() IS
'BEFORE INSERT/UPDATE trigger of jobs (argument max_queued_jobs_per_org: a job becoming queued) and schedules (max_schedules_per_org): under a per-org advisory transaction lock, refuses the row with 54000 when the org already holds fenta.tenant_limit(cap) such rows. Applies to every API role, service_role included; a superuser session that has not SET ROLE is not capped.';
REVOKE ALL ON FUNCTION fenta.org_cap_check() FROM PUBLIC, anon, authenticated, service_role;

DROP TRIGGER IF EXISTS jobs_queued_cap ON public.jobs;
CREATE TRIGGER jobs_queued_cap BEFORE INSERT OR UPDATE OF status, deleted_at, org_id ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.org_cap_check('max_queued_jobs_per_org');
DROP TRIGGER IF EXISTS schedules_cap ON public.schedules;
CREATE TRIGGER schedules_cap BEFORE INSERT OR UPDATE OF org_id ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.org_cap_check('max_schedules_per_org');

-- The workers take jobs round-robin across orgs: each org's oldest first,
-- orgs interleaved by their oldest job, so an org with 5,000 queued jobs
-- delays another org's job by at most one job per round.
CREATE FUNCTION fenta.claim_jobs(n integer, worker text DEFAULT NULL)
RETURNS SETOF public.jobs
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	c record;
	claimed public.jobs;
	got integer := 0;
BEGIN
	IF n IS NULL OR n < 1 THEN
		RETURN;
	END IF;
	FOR c IN
		-- the orgs with queued jobs: a skip scan of idx_jobs_queued_org (its
		-- order, org_id then queued_at, keeps the planner on it)
		WITH RECURSIVE orgs (org_id) AS (
			(SELECT j.org_id FROM public.jobs j
			 WHERE j.status = 'queued' AND j.deleted_at IS NULL
			 ORDER BY j.org_id, j.queued_at LIMIT 1)
			UNION ALL
			SELECT (SELECT j.org_id FROM public.jobs j
					WHERE j.status = 'queued' AND j.deleted_at IS NULL AND j.org_id > o.org_id
					ORDER BY j.org_id, j.queued_at LIMIT 1)
			FROM orgs o WHERE o.org_id IS NOT NULL
		),
		-- the orgs whose oldest queued job is oldest: the first n claims come
		-- from them; a margin for the jobs other workers hold locked
		heads AS (
			SELECT o.org_id, h.queued_at
			FROM orgs o
				CROSS JOIN LATERAL (
					SELECT j.queued_at FROM public.jobs j
					WHERE j.org_id = o.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
					ORDER BY j.queued_at, j.id
					LIMIT 1) h
			WHERE o.org_id IS NOT NULL
			ORDER BY h.queued_at, o.org_id
			LIMIT claim_jobs.n + 16
		)
		SELECT q.id
		FROM heads o
			CROSS JOIN LATERAL (
				SELECT j.id, j.queued_at,
					pg_catalog.row_number() OVER (ORDER BY j.queued_at, j.id) AS rank
				FROM public.jobs j
				WHERE j.org_id = o.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
				ORDER BY j.queued_at, j.id
				LIMIT claim_jobs.n + 16) q
		ORDER BY q.rank, q.queued_at, q.id
	LOOP
		UPDATE public.jobs j SET status = 'processing', started_at = pg_catalog.now()
		WHERE j.id = (SELECT k.id FROM public.jobs k
					  WHERE k.id = c.id AND k.status = 'queued' AND k.deleted_at IS NULL
					  FOR UPDATE SKIP LOCKED)
		RETURNING j.* INTO claimed;
		IF FOUND THEN
			RETURN NEXT claimed;
			got := got + 1;
			EXIT WHEN got >= claim_jobs.n;
		END IF;
	END LOOP;
	RETURN;
END
$$;
COMMENT ON FUNCTION fenta.claim_jobs(integer, text) IS
'Workers (service_role): claims up to n queued jobs, round-robin across orgs (the oldest queued job of every org, then the second of every org, ...; ties by queued_at), skipping jobs another worker has locked (FOR UPDATE SKIP LOCKED); sets status = processing and started_at = now() and returns the claimed jobs in claim order. Reads one index entry per org with queued jobs (a skip scan of idx_jobs_queued_org), then at most n + 16 jobs of each of the n + 16 orgs with the oldest queued jobs, however many an org has queued. worker is a label for the caller''s logs (not stored).';
REVOKE ALL ON FUNCTION fenta.claim_jobs(integer, text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.claim_jobs(integer, text) TO service_role;

--
-- 5. The anon gallery: public, live templates of live orgs, gallery columns
-- only (no org_id, project_id, spec, usage_count, updated_at).
-- 70_policies.sql revokes everything from anon; this file gives it these
-- columns and one policy (templates.org_deleted_at: 61_template_gallery.sql).
--
-- is_public, deleted_at and org_deleted_at are always true, NULL and NULL in
-- what anon sees; the gallery view (security_invoker) filters on them
GRANT SELECT (id, name, description, aspect, resolution, thumbnail_url, created_at, is_public, deleted_at,
			  org_deleted_at)
	ON public.templates TO anon;
DROP POLICY IF EXISTS templates_select_public_anon ON public.templates;
CREATE POLICY templates_select_public_anon ON public.templates FOR SELECT TO anon
	USING (is_public AND deleted_at IS NULL AND org_deleted_at IS NULL);

CREATE INDEX IF NOT EXISTS idx_templates_gallery ON public.templates (created_at DESC)
	WHERE is_public AND deleted_at IS NULL AND org_deleted_at IS NULL;

CREATE OR REPLACE VIEW public.template_gallery WITH (security_invoker = true) AS
	SELECT t.id, t.name, t.description, t.aspect, t.resolution, t.thumbnail_url, t.created_at
	FROM public.templates t
	WHERE t.is_public AND t.deleted_at IS NULL AND t.org_deleted_at IS NULL;
COMMENT ON VIEW public.template_gallery IS 'The public template gallery: public, not deleted templates of live orgs, gallery columns only (security_invoker: anon reads it through templates_select_public_anon and its column grants).';
COMMENT ON COLUMN public.template_gallery.id IS 'Template id (templates.id).';
COMMENT ON COLUMN public.template_gallery.name IS 'Template name.';
COMMENT ON COLUMN public.template_gallery.description IS 'Template description.';
COMMENT ON COLUMN public.template_gallery.aspect IS 'Aspect ratio: 9:16, 16:9 or 1:1.';
COMMENT ON COLUMN public.template_gallery.resolution IS 'Output resolution (WIDTHxHEIGHT), if set.';
COMMENT ON COLUMN public.template_gallery.thumbnail_url IS 'Preview image URL, if set.';
COMMENT ON COLUMN public.template_gallery.created_at IS 'When the template was created.';
REVOKE ALL ON public.template_gallery FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.template_gallery TO anon, authenticated, service_role;

--
-- Validate the constraints added NOT VALID above where the rows allow it.
--
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT con.conrelid::pg_catalog.regclass AS tbl, con.conname
		FROM pg_catalog.pg_constraint con
		WHERE NOT con.convalidated AND con.contype = 'c'
			AND con.connamespace = 'public'::pg_catalog.regnamespace
			AND (con.conname ~ '_size$' OR con.conname IN ('schedules_cron_format', 'webhooks_url_safe'))
		ORDER BY 1, 2
	LOOP
		BEGIN
			EXECUTE pg_catalog.format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.tbl, c.conname);
		EXCEPTION WHEN check_violation THEN
			RAISE WARNING 'fenta: rows of % break the new constraint %; it stays NOT VALID (new and updated rows are checked)', c.tbl, c.conname
				USING HINT = pg_catalog.format('Fix the rows, then ALTER TABLE %s VALIDATE CONSTRAINT %I.', c.tbl, c.conname);
		END;
	END LOOP;
END
$$;

-- Signup never fails on the size limits: an identity provider's long name is
-- cut, an over-long avatar URL left out.
CREATE OR REPLACE FUNCTION fenta.handle_new_user()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	meta jsonb := coalesce(NEW.raw_user_meta_data, '{}');
BEGIN
	INSERT INTO public.profiles (id, name, avatar_url)
	VALUES (NEW.id,
			-- within profiles_name_size (512 bytes: 128 characters always fit)
			pg_catalog.left(coalesce(nullif(pg_catalog.btrim(meta ->> 'full_name'), ''),
									 nullif(pg_catalog.btrim(meta ->> 'name'), ''),
									 nullif(pg_catalog.split_part(NEW.email, '@', 1), '')), 128),
			-- an avatar URL over profiles_avatar_url_size is left out
			CASE WHEN meta ->> 'avatar_url' ~ '^https?://'
				AND pg_catalog.octet_length(meta ->> 'avatar_url') <= 2048 THEN meta ->> 'avatar_url' END)
	ON CONFLICT (id) DO NOTHING;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.handle_new_user() IS
'AFTER INSERT trigger on auth.users: creates the user''s profile, name and avatar taken from raw_user_meta_data (full_name or name, avatar_url), else the e-mail''s local part; the name is cut to 128 characters and an avatar URL over 2 kB left out (the profiles size limits).';
