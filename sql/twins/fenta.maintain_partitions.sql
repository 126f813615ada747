-- The partition maintenance of src/partition.c, src/partition_month.c and
-- src/maintenance.c in PL/pgSQL.  First the steps they share (internal, run
-- as the owner from the SECURITY DEFINER twins fenta.maintain_partitions,
-- fenta.maintenance_plan and fenta.maintenance_step), then the twin.
--
-- The C module's GUCs (fenta.maintenance_lock_timeout,
-- fenta.maintenance_months_ahead, fenta.maintenance_retention_months) are
-- not registered without it: they are read as placeholders, with the C
-- defaults (500 ms, 3, 0) when unset.

-- 22023 naming the argument (partition.c: maintenance_bad_argument)
CREATE FUNCTION fenta.partition_bad_argument(fname text, name text, message text, detail text)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF partition_bad_argument.detail IS NULL THEN
		RAISE EXCEPTION 'invalid value for argument "%" of %: %', partition_bad_argument.name,
			partition_bad_argument.fname, partition_bad_argument.message
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RAISE EXCEPTION 'invalid value for argument "%" of %: %', partition_bad_argument.name,
		partition_bad_argument.fname, partition_bad_argument.message
		USING ERRCODE = 'invalid_parameter_value', DETAIL = partition_bad_argument.detail;
END
$$;
COMMENT ON FUNCTION fenta.partition_bad_argument(text, text, text, text) IS
'Internal (migrations flavour: the partition maintenance twins): raises 22023 for a bad argument of maintenance function fname.';
REVOKE ALL ON FUNCTION fenta.partition_bad_argument(text, text, text, text) FROM PUBLIC, anon, authenticated, service_role;

-- a timestamptz as timestamptz_to_str() writes it (ISO, the session's time zone)
CREATE FUNCTION fenta.partition_timestamp_text(t timestamptz)
RETURNS text
LANGUAGE sql STABLE
SET search_path = '' SET DateStyle = 'ISO'
AS $$ SELECT partition_timestamp_text.t::pg_catalog.text $$;
COMMENT ON FUNCTION fenta.partition_timestamp_text(timestamptz) IS
'Internal (migrations flavour: the partition maintenance twins): a timestamptz in ISO style in the session''s time zone, as the C functions write it in messages.';
REVOKE ALL ON FUNCTION fenta.partition_timestamp_text(timestamptz) FROM PUBLIC, anon, authenticated, service_role;

-- The arguments of a run (partition.c: maintenance_check_args); NULL
-- retention_months: no retention
CREATE FUNCTION fenta.partition_check_args(fname text, months_ahead integer, retention_months integer,
	drop_detached boolean, as_of timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF partition_check_args.months_ahead < 0 OR partition_check_args.months_ahead > 120 THEN
		PERFORM fenta.partition_bad_argument(partition_check_args.fname, 'months_ahead',
			pg_catalog.format('%s is out of range', partition_check_args.months_ahead),
			'months_ahead counts the months after the current one to create, from 0 to 120.');
	END IF;
	IF partition_check_args.retention_months < 1 OR partition_check_args.retention_months > 1200 THEN
		PERFORM fenta.partition_bad_argument(partition_check_args.fname, 'retention_months',
			pg_catalog.format('%s is out of range', partition_check_args.retention_months),
			'retention_months counts the complete months before the current one that stay attached, from 1 to 1200 (NULL keeps every month); the current month is always kept, and so is the previous one, which quota resets and invoices still read.');
	END IF;
	IF partition_check_args.drop_detached AND partition_check_args.retention_months IS NULL THEN
		PERFORM fenta.partition_bad_argument(partition_check_args.fname, 'drop_detached',
			'true needs retention_months', 'Only months older than retention_months are ever detached or dropped.');
	END IF;
	IF NOT pg_catalog.isfinite(partition_check_args.as_of) THEN
		PERFORM fenta.partition_bad_argument(partition_check_args.fname, 'as_of', 'must be finite', NULL);
	END IF;
	IF partition_check_args.as_of < pg_catalog.now() - pg_catalog.make_interval(months => 3)
		OR partition_check_args.as_of > pg_catalog.now() + pg_catalog.make_interval(months => 3) THEN
		PERFORM fenta.partition_bad_argument(partition_check_args.fname, 'as_of',
			pg_catalog.format('%s is too far from now()', fenta.partition_timestamp_text(partition_check_args.as_of)),
			pg_catalog.format('as_of must be within 3 months of now() (%s).', fenta.partition_timestamp_text(pg_catalog.now())));
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.partition_check_args(text, integer, integer, boolean, timestamptz) IS
'Internal (migrations flavour: the partition maintenance twins): checks the arguments of a maintenance run (22023).';
REVOKE ALL ON FUNCTION fenta.partition_check_args(text, integer, integer, boolean, timestamptz) FROM PUBLIC, anon, authenticated, service_role;

-- partition.c: maintenance_require_read_committed
CREATE FUNCTION fenta.partition_require_read_committed(fname text)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') IN ('repeatable read', 'serializable') THEN
		RAISE EXCEPTION '% must run at isolation level READ COMMITTED', partition_require_read_committed.fname
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'Rows inserted after the transaction''s snapshot was taken would be left behind in the default partition.',
				HINT = 'Run it in a transaction of its own, or better, CALL fenta.run_maintenance() outside a transaction block.';
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.partition_require_read_committed(text) IS
'Internal (migrations flavour: the partition maintenance twins): refuses REPEATABLE READ and SERIALIZABLE (25000).';
REVOKE ALL ON FUNCTION fenta.partition_require_read_committed(text) FROM PUBLIC, anon, authenticated, service_role;

-- fenta.maintenance_lock_timeout, unregistered here: its value, 500 (ms) when unset
CREATE FUNCTION fenta.partition_lock_timeout()
RETURNS text
LANGUAGE sql STABLE
SET search_path = ''
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('fenta.maintenance_lock_timeout', true), ''), '500') $$;
COMMENT ON FUNCTION fenta.partition_lock_timeout() IS
'Internal (migrations flavour: the partition maintenance twins): the lock_timeout of the strong locks of a maintenance step, fenta.maintenance_lock_timeout (500 ms when unset; 0 waits forever).';
REVOKE ALL ON FUNCTION fenta.partition_lock_timeout() FROM PUBLIC, anon, authenticated, service_role;

-- A YYYY_MM suffix, years 0001 to 9999 (partition_month.c: partition_parse_suffix)
CREATE FUNCTION fenta.partition_is_month(suffix text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = ''
AS $$
	SELECT coalesce(partition_is_month.suffix OPERATOR(pg_catalog.~) '^[0-9]{4}_[0-9]{2}$'
		AND pg_catalog.substr(partition_is_month.suffix, 1, 4)::pg_catalog.int4 OPERATOR(pg_catalog.>=) 1
		AND pg_catalog.substr(partition_is_month.suffix, 6, 2)::pg_catalog.int4 BETWEEN 1 AND 12, false)
$$;
COMMENT ON FUNCTION fenta.partition_is_month(text) IS
'Internal (migrations flavour: the partition maintenance twins): whether suffix is a month YYYY_MM (years 0001 to 9999).';
REVOKE ALL ON FUNCTION fenta.partition_is_month(text) FROM PUBLIC, anon, authenticated, service_role;

-- The steps of a run, in order (partition.c: maintenance_plan_steps): months
-- to create (or late rows to archive), expired months to detach, archived
-- months to drop.  A month in the way is reported (WARNING) and listed as
-- kind 'blocked'.  NULL retention_months: no retention.
CREATE FUNCTION fenta.partition_plan(fname text, months_ahead integer, retention_months integer,
	drop_detached boolean, as_of timestamptz)
RETURNS TABLE (kind text, suffix text)
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	cutoff text;
	r record;
	m text;
BEGIN
	IF partition_plan.retention_months IS NOT NULL THEN
		-- never later than the month before the current one of the real clock
		cutoff := pg_catalog.to_char(LEAST(
			pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', partition_plan.as_of))
				- pg_catalog.make_interval(months => partition_plan.retention_months),
			pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))
				- pg_catalog.make_interval(months => 1)), 'YYYY_MM');
	END IF;
	FOR r IN
		WITH cur AS (
			SELECT pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', partition_plan.as_of)) AS m
		), wanted AS (
			SELECT g AS m, false AS late
			FROM cur, pg_catalog.generate_series(cur.m,
				cur.m + pg_catalog.make_interval(months => partition_plan.months_ahead),
				pg_catalog.make_interval(months => 1)) g
			UNION ALL
			SELECT DISTINCT pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', d.created_at)), true
			FROM ONLY public.usage_records_default d
			WHERE pg_catalog.isfinite(d.created_at)
		), w AS (
			SELECT wanted.m, pg_catalog.bool_or(wanted.late) AS late, pg_catalog.to_char(wanted.m, 'YYYY_MM') AS ym
			FROM wanted GROUP BY wanted.m
		)
		SELECT w.ym, c.oid IS NOT NULL AS in_the_way, a.oid IS NOT NULL AS archived,
			cutoff IS NOT NULL AND w.ym < cutoff AS expired, w.late
		FROM w
			LEFT JOIN pg_catalog.pg_class c
				ON c.relnamespace = 'public'::pg_catalog.regnamespace
				AND c.relname = ('usage_records_' || w.ym)::pg_catalog.name
			LEFT JOIN pg_catalog.pg_class a
				ON a.relnamespace = 'fenta_archive'::pg_catalog.regnamespace
				AND a.relname = ('usage_records_' || w.ym)::pg_catalog.name
		WHERE w.m >= '0001-01-01'::pg_catalog.timestamp
			AND w.m < '10000-01-01'::pg_catalog.timestamp
			AND (c.oid IS NULL OR NOT c.relispartition)
		ORDER BY w.m
	LOOP
		IF r.archived OR r.expired THEN
			-- retired by retention: late rows go to the archive
			IF r.late THEN
				kind := 'archive_rows';
				suffix := r.ym;
				RETURN NEXT;
			END IF;
			CONTINUE;
		END IF;
		IF r.in_the_way THEN
			RAISE WARNING '% cannot create partition usage_records_%: a relation of that name exists and is not a partition',
				partition_plan.fname, r.ym
				USING ERRCODE = 'duplicate_table',
					HINT = pg_catalog.format('Rename or drop public.usage_records_%s, or attach it yourself.', r.ym);
			kind := 'blocked';
			suffix := r.ym;
			RETURN NEXT;
			CONTINUE;
		END IF;
		kind := 'create';
		suffix := r.ym;
		RETURN NEXT;
	END LOOP;

	IF cutoff IS NOT NULL THEN
		FOR m IN
			SELECT pg_catalog.substr(c.relname::pg_catalog.text, 15)
			FROM pg_catalog.pg_inherits i
				JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'public.usage_records'::pg_catalog.regclass
				AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'
				AND c.relname::pg_catalog.text < ('usage_records_' || cutoff)
			ORDER BY 1
		LOOP
			IF NOT partition_plan.drop_detached
				AND EXISTS (SELECT FROM pg_catalog.pg_class a
							WHERE a.relnamespace = 'fenta_archive'::pg_catalog.regnamespace
								AND a.relname = ('usage_records_' || m)::pg_catalog.name) THEN
				RAISE WARNING '% cannot archive usage_records_%: fenta_archive.usage_records_% exists',
					partition_plan.fname, m, m
					USING ERRCODE = 'duplicate_table';
				kind := 'blocked';
				suffix := m;
				RETURN NEXT;
				CONTINUE;
			END IF;
			kind := CASE WHEN partition_plan.drop_detached THEN 'detach_drop' ELSE 'detach' END;
			suffix := m;
			RETURN NEXT;
		END LOOP;
		IF partition_plan.drop_detached THEN
			FOR m IN
				SELECT pg_catalog.substr(c.relname::pg_catalog.text, 15)
				FROM pg_catalog.pg_class c
				WHERE c.relnamespace = 'fenta_archive'::pg_catalog.regnamespace
					AND c.relkind = 'r'
					AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'
					AND c.relname::pg_catalog.text < ('usage_records_' || cutoff)
				ORDER BY 1
			LOOP
				kind := 'drop_archived';
				suffix := m;
				RETURN NEXT;
			END LOOP;
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.partition_plan(text, integer, integer, boolean, timestamptz) IS
'Internal (migrations flavour: the partition maintenance twins): the steps of a maintenance run, in order (create, archive_rows, detach, detach_drop, drop_archived; blocked for a month in the way, reported with a WARNING).';
REVOKE ALL ON FUNCTION fenta.partition_plan(text, integer, integer, boolean, timestamptz) FROM PUBLIC, anon, authenticated, service_role;

-- The bounds of a month as timestamptz literals (partition_month.c: month_lower, month_upper)
CREATE FUNCTION fenta.partition_month_bounds(suffix text, OUT lower_bound text, OUT upper_bound text)
RETURNS record
LANGUAGE plpgsql IMMUTABLE
SET search_path = ''
AS $$
DECLARE
	y integer := pg_catalog.substr(partition_month_bounds.suffix, 1, 4)::integer;
	mo integer := pg_catalog.substr(partition_month_bounds.suffix, 6, 2)::integer;
BEGIN
	lower_bound := pg_catalog.substr(partition_month_bounds.suffix, 1, 4) || '-'
		|| pg_catalog.substr(partition_month_bounds.suffix, 6, 2) || '-01 00:00:00+00';
	IF mo = 12 THEN
		upper_bound := pg_catalog.lpad((y + 1)::text, GREATEST(4, pg_catalog.length((y + 1)::text)), '0') || '-01-01 00:00:00+00';
	ELSE
		upper_bound := pg_catalog.substr(partition_month_bounds.suffix, 1, 4) || '-'
			|| pg_catalog.lpad((mo + 1)::text, 2, '0') || '-01 00:00:00+00';
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.partition_month_bounds(text) IS
'Internal (migrations flavour: the partition maintenance twins): the UTC bounds of month YYYY_MM as timestamptz literals.';
REVOKE ALL ON FUNCTION fenta.partition_month_bounds(text) FROM PUBLIC, anon, authenticated, service_role;

-- Moves the rows of [lower, upper) out of the default partition into qtarget
-- (partition_month.c: move_rows); the caller holds the locks
CREATE FUNCTION fenta.partition_move_rows(qtarget text, lower_bound text, upper_bound text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	columns text;
	moved bigint;
BEGIN
	SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = 'public.usage_records'::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped;
	EXECUTE pg_catalog.format('WITH moved AS (DELETE FROM ONLY public.usage_records_default '
		'WHERE created_at OPERATOR(pg_catalog.>=) %L::pg_catalog.timestamptz '
		'AND created_at OPERATOR(pg_catalog.<) %L::pg_catalog.timestamptz '
		'RETURNING %s) '
		'INSERT INTO %s (%s) SELECT %s FROM moved',
		partition_move_rows.lower_bound, partition_move_rows.upper_bound, columns,
		partition_move_rows.qtarget, columns, columns);
	GET DIAGNOSTICS moved = ROW_COUNT;
	RETURN moved;
END
$$;
COMMENT ON FUNCTION fenta.partition_move_rows(text, text, text) IS
'Internal (migrations flavour: the partition maintenance twins): moves the rows of a month out of public.usage_records_default into a table; returns how many.';
REVOKE ALL ON FUNCTION fenta.partition_move_rows(text, text, text) FROM PUBLIC, anon, authenticated, service_role;

-- One month created standalone, filled from the default partition and
-- attached (partition_month.c: partition_create_month); the rows moved
CREATE FUNCTION fenta.partition_create_month(suffix text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	rel text := 'usage_records_' || partition_create_month.suffix;
	b record;
	stmt text;
	moved bigint;
BEGIN
	b := fenta.partition_month_bounds(partition_create_month.suffix);
	-- the new table, invisible to others until the transaction commits
	EXECUTE pg_catalog.format('CREATE TABLE public.%I (LIKE public.usage_records INCLUDING ALL, '
		'CONSTRAINT %I CHECK (created_at OPERATOR(pg_catalog.>=) %L::pg_catalog.timestamptz '
		'AND created_at OPERATOR(pg_catalog.<) %L::pg_catalog.timestamptz))',
		rel, rel || '_month', b.lower_bound, b.upper_bound);
	-- the indexes and unique constraints the default partition has of its own
	FOREACH stmt IN ARRAY ARRAY(
		SELECT CASE WHEN con.oid IS NOT NULL THEN
			pg_catalog.format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', rel,
				pg_catalog.replace(con.conname::pg_catalog.text, 'usage_records_default', rel),
				pg_catalog.pg_get_constraintdef(con.oid))
		ELSE pg_catalog.format('CREATE %sINDEX %I ON public.%I %s',
				CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END,
				pg_catalog.replace(c.relname::pg_catalog.text, 'usage_records_default', rel), rel,
				pg_catalog.substring(pg_catalog.pg_get_indexdef(i.indexrelid), ' USING .*$')) END
		FROM pg_catalog.pg_index i
			JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
			LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid
				AND con.conrelid = i.indrelid
		WHERE i.indrelid = 'public.usage_records_default'::pg_catalog.regclass
			AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)
		ORDER BY c.relname)
	LOOP
		EXECUTE stmt;
	END LOOP;
	EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', rel);
	EXECUTE pg_catalog.format('REVOKE ALL ON public.%I FROM PUBLIC, anon, authenticated, service_role', rel);
	EXECUTE pg_catalog.format('GRANT SELECT ON public.%I TO service_role', rel);
	EXECUTE pg_catalog.format('COMMENT ON TABLE public.%I IS %L', rel,
		pg_catalog.format('Partition of usage_records for the UTC month %s-%s, created by fenta maintenance. Read through usage_records; the API roles have no direct access (service_role may read it).',
			pg_catalog.substr(partition_create_month.suffix, 1, 4), pg_catalog.substr(partition_create_month.suffix, 6, 2)));

	-- The strong locks, each under lock_timeout, in an order no writer
	-- takes them in reverse: the tables usage_records' foreign keys
	-- reference (ATTACH PARTITION takes SHARE ROW EXCLUSIVE on them), the
	-- parent (SHARE, only when writers of the month must be held back),
	-- then the default partition.
	FOREACH stmt IN ARRAY ARRAY(
		SELECT pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', r.oid::pg_catalog.regclass)
		FROM (SELECT DISTINCT con.confrelid AS oid FROM pg_catalog.pg_constraint con
			  WHERE con.conrelid = 'public.usage_records'::pg_catalog.regclass AND con.contype = 'f') r
		ORDER BY r.oid)
	LOOP
		EXECUTE stmt;
	END LOOP;
	IF b.lower_bound::pg_catalog.timestamptz <= pg_catalog.now()
		OR EXISTS (SELECT FROM ONLY public.usage_records_default d
				   WHERE d.created_at >= b.lower_bound::pg_catalog.timestamptz
					   AND d.created_at < b.upper_bound::pg_catalog.timestamptz) THEN
		LOCK TABLE ONLY public.usage_records IN SHARE MODE;
	END IF;
	LOCK TABLE public.usage_records_default IN ACCESS EXCLUSIVE MODE;
	moved := fenta.partition_move_rows(pg_catalog.format('public.%I', rel), b.lower_bound, b.upper_bound);
	EXECUTE pg_catalog.format('ALTER TABLE public.usage_records ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
		rel, b.lower_bound, b.upper_bound);
	EXECUTE pg_catalog.format('ALTER TABLE public.%I DROP CONSTRAINT %I', rel, rel || '_month');
	RETURN moved;
END
$$;
COMMENT ON FUNCTION fenta.partition_create_month(text) IS
'Internal (migrations flavour: the partition maintenance twins): creates public.usage_records_YYYY_MM standalone, moves its rows out of the default partition and attaches it; returns the rows moved.';
REVOKE ALL ON FUNCTION fenta.partition_create_month(text) FROM PUBLIC, anon, authenticated, service_role;

-- Late rows of a month retired by retention go to fenta_archive
-- (partition_month.c: partition_archive_rows)
CREATE FUNCTION fenta.partition_archive_rows(suffix text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	rel text := 'usage_records_' || partition_archive_rows.suffix;
	ym text := pg_catalog.substr(partition_archive_rows.suffix, 1, 4) || '-' || pg_catalog.substr(partition_archive_rows.suffix, 6, 2);
	b record;
	moved bigint;
BEGIN
	b := fenta.partition_month_bounds(partition_archive_rows.suffix);
	LOCK TABLE public.usage_records_default IN ACCESS EXCLUSIVE MODE;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c
				   WHERE c.relnamespace = 'fenta_archive'::pg_catalog.regnamespace
					   AND c.relname = rel::pg_catalog.name) THEN
		EXECUTE pg_catalog.format('CREATE TABLE fenta_archive.%I (LIKE public.usage_records INCLUDING ALL)', rel);
		EXECUTE pg_catalog.format('ALTER TABLE fenta_archive.%I ENABLE ROW LEVEL SECURITY', rel);
		EXECUTE pg_catalog.format('REVOKE ALL ON fenta_archive.%I FROM PUBLIC, anon, authenticated, service_role', rel);
		EXECUTE pg_catalog.format('GRANT SELECT ON fenta_archive.%I TO service_role', rel);
		EXECUTE pg_catalog.format('COMMENT ON TABLE fenta_archive.%I IS %L', rel,
			pg_catalog.format('Archived month %s of usage_records: rows that arrived after the month was retired by retention.', ym));
	END IF;
	moved := fenta.partition_move_rows(pg_catalog.format('fenta_archive.%I', rel), b.lower_bound, b.upper_bound);
	IF moved > 0 THEN
		RAISE WARNING 'fenta maintenance moved % late row(s) of retired month % into fenta_archive.%', moved, ym, rel
			USING DETAIL = 'The month was detached by retention; its rows were counted in the quota when inserted.';
	END IF;
	RETURN moved;
END
$$;
COMMENT ON FUNCTION fenta.partition_archive_rows(text) IS
'Internal (migrations flavour: the partition maintenance twins): moves the late rows of a month retired by retention out of the default partition into fenta_archive.usage_records_YYYY_MM (created if needed); returns how many.';
REVOKE ALL ON FUNCTION fenta.partition_archive_rows(text) FROM PUBLIC, anon, authenticated, service_role;

-- One step in a subtransaction (partition.c: maintenance_run_step): a lock
-- timeout or deadlock rolls it back and defers it (done false, WARNING);
-- any other error is raised
CREATE FUNCTION fenta.partition_run_step(fname text, kind text, suffix text, OUT done boolean, OUT rows_moved bigint)
RETURNS record
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	state text;
	message text;
BEGIN
	done := true;
	rows_moved := 0;
	BEGIN
		CASE partition_run_step.kind
			WHEN 'create' THEN
				rows_moved := fenta.partition_create_month(partition_run_step.suffix);
			WHEN 'archive_rows' THEN
				rows_moved := fenta.partition_archive_rows(partition_run_step.suffix);
			WHEN 'detach', 'detach_drop' THEN
				EXECUTE pg_catalog.format('ALTER TABLE public.usage_records DETACH PARTITION public.%I',
					'usage_records_' || partition_run_step.suffix);
				IF partition_run_step.kind = 'detach_drop' THEN
					EXECUTE pg_catalog.format('DROP TABLE public.%I', 'usage_records_' || partition_run_step.suffix);
				ELSE
					EXECUTE pg_catalog.format('ALTER TABLE public.%I SET SCHEMA fenta_archive',
						'usage_records_' || partition_run_step.suffix);
				END IF;
			WHEN 'drop_archived' THEN
				EXECUTE pg_catalog.format('DROP TABLE fenta_archive.%I', 'usage_records_' || partition_run_step.suffix);
		END CASE;
	EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
		GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
		RAISE WARNING '% deferred % of usage_records_%: %', partition_run_step.fname, partition_run_step.kind,
			partition_run_step.suffix, message
			USING ERRCODE = state,
				HINT = 'The month is retried on the next run; fenta.maintenance_lock_timeout sets how long a run waits for a lock.';
		done := false;
		rows_moved := 0;
	END;
END
$$;
COMMENT ON FUNCTION fenta.partition_run_step(text, text, text) IS
'Internal (migrations flavour: the partition maintenance twins): runs one step of a maintenance run in a subtransaction; done is false when a lock could not be had in time (the step is retried on the next run).';
REVOKE ALL ON FUNCTION fenta.partition_run_step(text, text, text) FROM PUBLIC, anon, authenticated, service_role;

-- The twin (src/maintenance.c: fenta_maintain_partitions, partition.c:
-- maintenance_run)
CREATE FUNCTION fenta.maintain_partitions(
	months_ahead integer DEFAULT 3,
	retention_months integer DEFAULT NULL,
	drop_detached boolean DEFAULT false,
	refresh_usage boolean DEFAULT true,
	as_of timestamptz DEFAULT pg_catalog.now(),
	OUT months_created integer,
	OUT rows_moved bigint,
	OUT months_detached integer,
	OUT months_dropped integer,
	OUT months_deferred integer,
	OUT quota_resets integer,
	OUT counters_rolled_up integer,
	OUT usage_refreshed boolean,
	OUT skipped boolean)
RETURNS record
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	fname constant text := 'fenta.maintain_partitions()';
	kinds text[];
	suffixes text[];
	i integer;
	r record;
	saved_timeout text;
	strong boolean := false;
	n integer;
	b record;
BEGIN
	IF maintain_partitions.months_ahead IS NULL THEN
		PERFORM fenta.partition_bad_argument(fname, 'months_ahead', 'must not be NULL', NULL);
	END IF;
	IF maintain_partitions.drop_detached IS NULL THEN
		PERFORM fenta.partition_bad_argument(fname, 'drop_detached', 'must not be NULL', NULL);
	END IF;
	IF maintain_partitions.refresh_usage IS NULL THEN
		PERFORM fenta.partition_bad_argument(fname, 'refresh_usage', 'must not be NULL', NULL);
	END IF;
	IF maintain_partitions.as_of IS NULL THEN
		PERFORM fenta.partition_bad_argument(fname, 'as_of', 'must not be NULL', NULL);
	END IF;
	PERFORM fenta.partition_check_args(fname, maintain_partitions.months_ahead, maintain_partitions.retention_months,
		maintain_partitions.drop_detached, maintain_partitions.as_of);
	PERFORM fenta.partition_require_read_committed(fname);

	months_created := 0;
	rows_moved := 0;
	months_detached := 0;
	months_dropped := 0;
	months_deferred := 0;
	usage_refreshed := false;
	skipped := false;

	-- one run at a time (the advisory lock of fenta.maintenance_session_lock,
	-- ('fent', 1)); a second one returns at once
	IF NOT pg_catalog.pg_try_advisory_xact_lock(1717923444, 1) THEN
		RAISE NOTICE 'fenta.maintain_partitions() is already running in another session; skipped';
		skipped := true;
		RETURN;
	END IF;

	-- the whole plan first (its WARNINGs), then the steps
	SELECT coalesce(pg_catalog.array_agg(p.kind ORDER BY p.n), '{}'), coalesce(pg_catalog.array_agg(p.suffix ORDER BY p.n), '{}')
	INTO kinds, suffixes
	FROM fenta.partition_plan(fname, maintain_partitions.months_ahead, maintain_partitions.retention_months,
		maintain_partitions.drop_detached, maintain_partitions.as_of) WITH ORDINALITY AS p(kind, suffix, n);

	saved_timeout := pg_catalog.current_setting('lock_timeout');
	PERFORM pg_catalog.set_config('lock_timeout', fenta.partition_lock_timeout(), true);
	FOR i IN 1 .. pg_catalog.cardinality(kinds) LOOP
		IF kinds[i] = 'blocked' THEN
			months_deferred := months_deferred + 1;
			CONTINUE;
		END IF;
		r := fenta.partition_run_step(fname, kinds[i], suffixes[i]);
		IF NOT r.done THEN
			months_deferred := months_deferred + 1;
			CONTINUE;
		END IF;
		rows_moved := rows_moved + r.rows_moved;
		CASE kinds[i]
			WHEN 'create' THEN months_created := months_created + 1;
			WHEN 'detach' THEN months_detached := months_detached + 1;
			WHEN 'detach_drop' THEN
				months_detached := months_detached + 1;
				months_dropped := months_dropped + 1;
			WHEN 'drop_archived' THEN months_dropped := months_dropped + 1;
			ELSE NULL;
		END CASE;
		IF kinds[i] <> 'drop_archived' THEN
			strong := true;
		END IF;
	END LOOP;
	-- lock_timeout back to the caller's
	PERFORM pg_catalog.set_config('lock_timeout', saved_timeout, true);

	IF strong THEN
		RAISE NOTICE '% left the quota rollup, the quota resets and the refresh of fenta.mv_daily_usage to the next run', fname
			USING DETAIL = 'This run changed partitions; their locks are held until the transaction ends.',
				HINT = 'CALL fenta.run_maintenance() does every step in a short transaction of its own.';
		RETURN;
	END IF;

	-- the quota engine's periodic work, when it is there
	IF pg_catalog.to_regprocedure('fenta.rollup_quota_counters()') IS NOT NULL THEN
		EXECUTE 'SELECT (fenta.rollup_quota_counters())::pg_catalog.int4' INTO n;
		counters_rolled_up := coalesce(n, 0);
	END IF;
	IF maintain_partitions.refresh_usage THEN
		PERFORM fenta.refresh_daily_usage(true);
		usage_refreshed := true;
	END IF;
	IF pg_catalog.to_regprocedure('fenta.apply_quota_resets_batch(integer)') IS NOT NULL THEN
		quota_resets := 0;
		LOOP
			EXECUTE 'SELECT x.orgs_reset, x.progress FROM fenta.apply_quota_resets_batch(1000) x' INTO b;
			quota_resets := quota_resets + b.orgs_reset;
			EXIT WHEN NOT b.progress;
		END LOOP;
	ELSIF pg_catalog.to_regprocedure('fenta.apply_quota_resets()') IS NOT NULL THEN
		EXECUTE 'SELECT (fenta.apply_quota_resets())::pg_catalog.int4' INTO n;
		quota_resets := coalesce(n, 0);
	END IF;
END
$$;
