\echo Use "ALTER EXTENSION fenta UPDATE TO '0.4.0'" to load this file. \quit
-- fenta 0.1.0 -> 0.2.0
-- GIN indexes on the JSONB columns of the version tables, as on their parents.
CREATE INDEX idx_workflow_versions_graph ON public.workflow_versions USING gin (graph);
CREATE INDEX idx_asset_versions_metadata ON public.asset_versions USING gin (metadata);
-- 0.2.0 update only: the columns the native quota engine adds to 0.1.0
-- tables (a fresh install has them in sql/src/40_billing.sql).

ALTER TABLE public.usage_records
	ADD COLUMN idempotency_key text CONSTRAINT usage_records_idempotency_key_length
		CHECK (pg_catalog.length(idempotency_key) BETWEEN 1 AND 255);
COMMENT ON COLUMN public.usage_records.idempotency_key IS 'Optional key of the event (1 to 255 characters): a second insert with the same key for the same org is skipped, so a retried event is counted once. NULL = no key.';
COMMENT ON COLUMN public.usage_records_default.idempotency_key IS 'Optional key of the event (1 to 255 characters): a second insert with the same key for the same org is skipped, so a retried event is counted once. NULL = no key.';

-- public.public_id(quota_limits) uses the table's row type, so a column with
-- a default cannot be added in one step: add it bare, fill it (without
-- touching updated_at), then give it its default, NOT NULL and CHECK.
ALTER TABLE public.quota_limits
	ADD COLUMN kai_credits_from_packs bigint,
	ADD COLUMN reserved_tokens bigint,
	ADD COLUMN reserved_kai_credits bigint,
	ADD COLUMN reserved_render_seconds bigint,
	ADD COLUMN price_per_1k_tokens_usd numeric(12,6),
	ADD COLUMN price_per_kai_credit_usd numeric(12,6),
	ADD COLUMN price_per_render_second_usd numeric(12,6);
ALTER TABLE public.quota_limits DISABLE TRIGGER quota_limits_updated_at;
UPDATE public.quota_limits SET kai_credits_from_packs = 0, reserved_tokens = 0, reserved_kai_credits = 0, reserved_render_seconds = 0, price_per_1k_tokens_usd = 0, price_per_kai_credit_usd = 0, price_per_render_second_usd = 0;
ALTER TABLE public.quota_limits ENABLE TRIGGER quota_limits_updated_at;
ALTER TABLE public.quota_limits
	ALTER COLUMN kai_credits_from_packs SET DEFAULT 0,
	ALTER COLUMN kai_credits_from_packs SET NOT NULL,
	ADD CONSTRAINT quota_limits_kai_credits_from_packs_non_negative CHECK (kai_credits_from_packs >= 0),
	ALTER COLUMN reserved_tokens SET DEFAULT 0,
	ALTER COLUMN reserved_tokens SET NOT NULL,
	ADD CONSTRAINT quota_limits_reserved_tokens_non_negative CHECK (reserved_tokens >= 0),
	ALTER COLUMN reserved_kai_credits SET DEFAULT 0,
	ALTER COLUMN reserved_kai_credits SET NOT NULL,
	ADD CONSTRAINT quota_limits_reserved_kai_credits_non_negative CHECK (reserved_kai_credits >= 0),
	ALTER COLUMN reserved_render_seconds SET DEFAULT 0,
	ALTER COLUMN reserved_render_seconds SET NOT NULL,
	ADD CONSTRAINT quota_limits_reserved_render_seconds_non_negative CHECK (reserved_render_seconds >= 0),
	ALTER COLUMN price_per_1k_tokens_usd SET DEFAULT 0,
	ALTER COLUMN price_per_1k_tokens_usd SET NOT NULL,
	ADD CONSTRAINT quota_limits_price_per_1k_tokens_usd_non_negative CHECK (price_per_1k_tokens_usd >= 0),
	ALTER COLUMN price_per_kai_credit_usd SET DEFAULT 0,
	ALTER COLUMN price_per_kai_credit_usd SET NOT NULL,
	ADD CONSTRAINT quota_limits_price_per_kai_credit_usd_non_negative CHECK (price_per_kai_credit_usd >= 0),
	ALTER COLUMN price_per_render_second_usd SET DEFAULT 0,
	ALTER COLUMN price_per_render_second_usd SET NOT NULL,
	ADD CONSTRAINT quota_limits_price_per_render_second_usd_non_negative CHECK (price_per_render_second_usd >= 0);
COMMENT ON COLUMN public.quota_limits.tokens_used IS 'LLM tokens (prompt + output) used since the last reset: the rolled-up part; recent usage waits in fenta.quota_counters until fenta.rollup_quota_counters(). public.quota_status() gives the exact figure.';
COMMENT ON COLUMN public.quota_limits.render_seconds_used IS 'Render seconds used since the last reset: the rolled-up part (see tokens_used).';
COMMENT ON COLUMN public.quota_limits.kai_credits_used IS 'KIE.ai credits used since the last reset, those drawn from credit packs included (exact: kept by the usage trigger directly).';
COMMENT ON COLUMN public.quota_limits.storage_bytes_used IS 'Bytes currently stored: the rolled-up part, never negative (see tokens_used); not restarted by resets.';
COMMENT ON COLUMN public.quota_limits.kai_credits_from_packs IS 'KIE.ai credits of this period drawn from credit packs (part of kai_credits_used; not overage).';
COMMENT ON COLUMN public.quota_limits.reserved_tokens IS 'LLM tokens held by active reservations (fenta.reserve_quota); counted as used by check_quota.';
COMMENT ON COLUMN public.quota_limits.reserved_kai_credits IS 'KIE.ai credits held by active reservations; counted as used by check_quota.';
COMMENT ON COLUMN public.quota_limits.reserved_render_seconds IS 'Render seconds held by active reservations; counted as used by check_quota.';
COMMENT ON COLUMN public.quota_limits.price_per_1k_tokens_usd IS 'Overage price of 1,000 LLM tokens in US dollars, set from the org''s plan.';
COMMENT ON COLUMN public.quota_limits.price_per_kai_credit_usd IS 'Overage price of one KIE.ai credit in US dollars, set from the org''s plan.';
COMMENT ON COLUMN public.quota_limits.price_per_render_second_usd IS 'Overage price of one render second in US dollars, set from the org''s plan.';
-- 0.1.0 -> 0.2.0: the primary key and indexes of usage_records move from the
-- partitioned parent to each partition (see sql/src/40_billing.sql): a
-- partitioned index on an extension's parent table makes the partitions
-- created later unrestorable from pg_dump.
ALTER TABLE public.usage_records DROP CONSTRAINT usage_records_pkey;
DROP INDEX public.idx_usage_records_org_date, public.idx_usage_records_user_id,
	public.idx_usage_records_org_id_job_id, public.idx_usage_records_resource_type,
	public.idx_usage_records_metadata;
DO $indexes$
DECLARE
	p name;
BEGIN
	FOR p IN
		SELECT c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'public.usage_records'::pg_catalog.regclass
		ORDER BY c.relname
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE public.%I ADD CONSTRAINT %I PRIMARY KEY (id, created_at)', p, p || '_pkey');
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I (org_id, created_at)', p || '_org_id_created_at_idx', p);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I (user_id)', p || '_user_id_idx', p);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I (org_id, job_id)', p || '_org_id_job_id_idx', p);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I (resource_type)', p || '_resource_type_idx', p);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I USING gin (metadata)', p || '_metadata_idx', p);
	END LOOP;
END
$indexes$;

-- Writes go through usage_records, where the quota accounting sees them: the
-- backend may read the default partition directly, not write it.
REVOKE ALL ON public.usage_records_default FROM service_role;
GRANT SELECT ON public.usage_records_default TO service_role;
-- The native quota engine: plans, usage counters spread over slots,
-- idempotent usage events, reservations, resets, and the C functions
-- check_quota(), quota_status() and the usage_records triggers.
-- See doc/quota.md for the design.

--
-- Plans: built-in defaults (an IMMUTABLE function, nothing stored) and
-- overrides (a table, empty at install, so dump and restore carry them).
--
CREATE TABLE fenta.plan_overrides (
	plan public.org_plan PRIMARY KEY,
	tokens_limit bigint CONSTRAINT plan_overrides_tokens_limit_non_negative CHECK (tokens_limit >= 0),
	kai_credits_limit bigint CONSTRAINT plan_overrides_kai_credits_limit_non_negative CHECK (kai_credits_limit >= 0),
	render_seconds_limit bigint CONSTRAINT plan_overrides_render_seconds_limit_non_negative CHECK (render_seconds_limit >= 0),
	storage_bytes_limit bigint CONSTRAINT plan_overrides_storage_bytes_limit_non_negative CHECK (storage_bytes_limit >= 0),
	price_per_1k_tokens_usd numeric(12,6) NOT NULL CONSTRAINT plan_overrides_price_per_1k_tokens_usd_non_negative CHECK (price_per_1k_tokens_usd >= 0),
	price_per_kai_credit_usd numeric(12,6) NOT NULL CONSTRAINT plan_overrides_price_per_kai_credit_usd_non_negative CHECK (price_per_kai_credit_usd >= 0),
	price_per_render_second_usd numeric(12,6) NOT NULL CONSTRAINT plan_overrides_price_per_render_second_usd_non_negative CHECK (price_per_render_second_usd >= 0),
	allow_overage boolean NOT NULL,
	overage_cap_usd numeric(12,2) NOT NULL CONSTRAINT plan_overrides_overage_cap_usd_non_negative CHECK (overage_cap_usd >= 0)
);
COMMENT ON TABLE fenta.plan_overrides IS 'Site-specific plan definitions: a row replaces the built-in defaults of its plan (fenta.plan_defaults()) as a whole. Empty at install. Applied to an org when it is created or changes plan, or by fenta.apply_plan().';
COMMENT ON COLUMN fenta.plan_overrides.plan IS 'The plan this row defines.';
COMMENT ON COLUMN fenta.plan_overrides.tokens_limit IS 'LLM tokens per period; NULL = unlimited.';
COMMENT ON COLUMN fenta.plan_overrides.kai_credits_limit IS 'KIE.ai credits per period; NULL = unlimited.';
COMMENT ON COLUMN fenta.plan_overrides.render_seconds_limit IS 'Render seconds per period; NULL = unlimited.';
COMMENT ON COLUMN fenta.plan_overrides.storage_bytes_limit IS 'Stored bytes; NULL = unlimited.';
COMMENT ON COLUMN fenta.plan_overrides.price_per_1k_tokens_usd IS 'Overage price of 1,000 LLM tokens in US dollars.';
COMMENT ON COLUMN fenta.plan_overrides.price_per_kai_credit_usd IS 'Overage price of one KIE.ai credit in US dollars.';
COMMENT ON COLUMN fenta.plan_overrides.price_per_render_second_usd IS 'Overage price of one render second in US dollars.';
COMMENT ON COLUMN fenta.plan_overrides.allow_overage IS 'Whether usage beyond the limits is allowed (and billed) by default.';
COMMENT ON COLUMN fenta.plan_overrides.overage_cap_usd IS 'Default maximum overage per period in US dollars.';
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.plan_overrides ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.plan_overrides FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON fenta.plan_overrides TO service_role;

CREATE FUNCTION fenta.plan_defaults()
RETURNS SETOF fenta.plan_overrides
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
	VALUES
		('free'::public.org_plan, 100000::bigint, 50::bigint, 600::bigint, 1073741824::bigint,
		 0.002000::numeric(12,6), 0.010000::numeric(12,6), 0.005000::numeric(12,6), false, 0.00::numeric(12,2)),
		('starter', 2000000, 1000, 18000, 10737418240,
		 0.001500, 0.008000, 0.004000, true, 50.00),
		('pro', 10000000, 5000, 72000, 107374182400,
		 0.001000, 0.006000, 0.003000, true, 500.00),
		('enterprise', 100000000, 50000, 720000, 1099511627776,
		 0.000800, 0.005000, 0.002000, true, 5000.00)
$$;
COMMENT ON FUNCTION fenta.plan_defaults() IS
'Built-in plan definitions (free, starter, pro, enterprise): limits per period, overage unit prices, overage default. A row of fenta.plan_overrides replaces its plan''s row.';

CREATE VIEW fenta.plans AS
	SELECT o.* FROM fenta.plan_overrides o
	UNION ALL
	SELECT d.* FROM fenta.plan_defaults() d
	WHERE NOT EXISTS (SELECT FROM fenta.plan_overrides o WHERE o.plan = d.plan);
COMMENT ON VIEW fenta.plans IS 'The plan definitions in force: fenta.plan_overrides, else the built-in fenta.plan_defaults().';
REVOKE ALL ON fenta.plans FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.plans TO service_role;
COMMENT ON COLUMN fenta.plans.plan IS 'The plan.';
COMMENT ON COLUMN fenta.plans.tokens_limit IS 'LLM tokens per period (NULL = unlimited).';
COMMENT ON COLUMN fenta.plans.render_seconds_limit IS 'Render seconds per period (NULL = unlimited).';
COMMENT ON COLUMN fenta.plans.kai_credits_limit IS 'KIE.ai credits per period (NULL = unlimited).';
COMMENT ON COLUMN fenta.plans.storage_bytes_limit IS 'Storage bytes (NULL = unlimited).';
COMMENT ON COLUMN fenta.plans.price_per_1k_tokens_usd IS 'Overage price of 1,000 tokens, USD.';
COMMENT ON COLUMN fenta.plans.price_per_kai_credit_usd IS 'Overage price of one KIE.ai credit, USD.';
COMMENT ON COLUMN fenta.plans.price_per_render_second_usd IS 'Overage price of one render second, USD.';
COMMENT ON COLUMN fenta.plans.allow_overage IS 'Whether orgs on the plan may exceed their limits (within overage_cap_usd) by default.';
COMMENT ON COLUMN fenta.plans.overage_cap_usd IS 'Default cap of the overage per period, USD.';

-- Sets an org's limits, prices and overage settings from its plan.
CREATE FUNCTION fenta.apply_plan(org_id uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF org_id IS NULL THEN
		RAISE EXCEPTION 'org_id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE public.quota_limits q
	SET tokens_limit = p.tokens_limit,
		kai_credits_limit = p.kai_credits_limit,
		render_seconds_limit = p.render_seconds_limit,
		storage_bytes_limit = p.storage_bytes_limit,
		price_per_1k_tokens_usd = p.price_per_1k_tokens_usd,
		price_per_kai_credit_usd = p.price_per_kai_credit_usd,
		price_per_render_second_usd = p.price_per_render_second_usd,
		allow_overage = p.allow_overage,
		overage_cap_usd = p.overage_cap_usd
	FROM public.orgs o, fenta.plans p
	WHERE o.id = apply_plan.org_id AND p.plan = o.plan AND q.org_id = o.id;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION fenta.apply_plan(uuid) IS
'Sets the org''s quota_limits limits, overage prices, allow_overage and overage_cap_usd from its plan (fenta.plans); counters are kept. Returns false when the org or its quota row does not exist. Runs when an org is created or changes plan; call it after changing fenta.plan_overrides for the orgs that should follow.';
REVOKE ALL ON FUNCTION fenta.apply_plan(uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.apply_plan(uuid) TO service_role;

CREATE FUNCTION fenta.orgs_apply_plan()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	PERFORM fenta.apply_plan(NEW.id);
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.orgs_apply_plan() IS
'AFTER INSERT and AFTER UPDATE OF plan trigger on orgs: applies the plan''s limits and prices to the org''s quota row (fenta.apply_plan).';
REVOKE ALL ON FUNCTION fenta.orgs_apply_plan() FROM PUBLIC, anon, authenticated, service_role;
-- named after orgs_handle_new, which creates the quota row first
CREATE TRIGGER orgs_quota_plan AFTER INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_apply_plan();
CREATE TRIGGER orgs_quota_plan_change AFTER UPDATE OF plan ON public.orgs
	FOR EACH ROW WHEN (OLD.plan IS DISTINCT FROM NEW.plan) EXECUTE FUNCTION fenta.orgs_apply_plan();

--
-- quota_counters: the recent part of the counters, spread over slots so that
-- concurrent writers of one org do not queue on one row.
--
CREATE TABLE fenta.quota_counters (
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	slot smallint NOT NULL CONSTRAINT quota_counters_slot_range CHECK (slot BETWEEN -1 AND 1023),
	tokens bigint NOT NULL DEFAULT 0 CONSTRAINT quota_counters_tokens_non_negative CHECK (tokens >= 0),
	render_seconds bigint NOT NULL DEFAULT 0 CONSTRAINT quota_counters_render_seconds_non_negative CHECK (render_seconds >= 0),
	storage_bytes bigint NOT NULL DEFAULT 0,
	CONSTRAINT quota_counters_pkey PRIMARY KEY (org_id, slot)
);
COMMENT ON TABLE fenta.quota_counters IS 'Usage not yet rolled up into public.quota_limits: the usage trigger adds to the slot of its backend (backend number modulo fenta.quota_slots); fenta.rollup_quota_counters() moves the sums into quota_limits. Exact usage = quota_limits.*_used + the sum of the org''s slots.';
COMMENT ON COLUMN fenta.quota_counters.org_id IS 'The org.';
COMMENT ON COLUMN fenta.quota_counters.slot IS 'Slot number (0 .. fenta.quota_slots - 1); slot -1 carries a negative storage balance that quota_limits (>= 0) cannot hold.';
COMMENT ON COLUMN fenta.quota_counters.tokens IS 'LLM tokens (prompt + output) not yet rolled up.';
COMMENT ON COLUMN fenta.quota_counters.render_seconds IS 'Render seconds not yet rolled up.';
COMMENT ON COLUMN fenta.quota_counters.storage_bytes IS 'Change of stored bytes not yet rolled up (may be negative).';
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.quota_counters ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.quota_counters FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.quota_counters TO service_role;

--
-- usage_idempotency: the idempotency keys of usage events, one per org and
-- key whatever the monthly partition of the event.
--
CREATE TABLE fenta.usage_idempotency (
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	idempotency_key text NOT NULL,
	usage_id uuid NOT NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT usage_idempotency_pkey PRIMARY KEY (org_id, idempotency_key)
);
COMMENT ON TABLE fenta.usage_idempotency IS 'Idempotency keys of usage events: the first usage_records row with a key for an org records it here; later rows with the same key and org are skipped.';
COMMENT ON COLUMN fenta.usage_idempotency.org_id IS 'The org of the event.';
COMMENT ON COLUMN fenta.usage_idempotency.idempotency_key IS 'The key given in usage_records.idempotency_key.';
COMMENT ON COLUMN fenta.usage_idempotency.usage_id IS 'id of the usage_records row that was counted.';
COMMENT ON COLUMN fenta.usage_idempotency.created_at IS 'When the key was first seen.';
CREATE INDEX idx_usage_idempotency_created_at ON fenta.usage_idempotency (created_at);
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.usage_idempotency ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.usage_idempotency FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON fenta.usage_idempotency TO service_role;

--
-- quota_reservations: amounts held for running jobs (hard limits under
-- concurrency).  Their sums are kept in quota_limits.reserved_*.
--
CREATE TABLE fenta.quota_reservations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	tokens bigint NOT NULL CONSTRAINT quota_reservations_tokens_non_negative CHECK (tokens >= 0),
	kai_credits bigint NOT NULL CONSTRAINT quota_reservations_kai_credits_non_negative CHECK (kai_credits >= 0),
	render_seconds bigint NOT NULL CONSTRAINT quota_reservations_render_seconds_non_negative CHECK (render_seconds >= 0),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at timestamptz NOT NULL
);
COMMENT ON TABLE fenta.quota_reservations IS 'Active quota reservations (fenta.reserve_quota): counted as used by check_quota until released (fenta.release_quota) or expired (released by fenta.apply_quota_resets).';
COMMENT ON COLUMN fenta.quota_reservations.id IS 'Primary key (UUIDv7): the handle returned by fenta.reserve_quota.';
COMMENT ON COLUMN fenta.quota_reservations.org_id IS 'The org.';
COMMENT ON COLUMN fenta.quota_reservations.tokens IS 'LLM tokens held.';
COMMENT ON COLUMN fenta.quota_reservations.kai_credits IS 'KIE.ai credits held.';
COMMENT ON COLUMN fenta.quota_reservations.render_seconds IS 'Render seconds held.';
COMMENT ON COLUMN fenta.quota_reservations.created_at IS 'When the reservation was made.';
COMMENT ON COLUMN fenta.quota_reservations.expires_at IS 'When the reservation lapses if not released.';
CREATE INDEX idx_quota_reservations_org_id ON fenta.quota_reservations (org_id);
CREATE INDEX idx_quota_reservations_expires_at ON fenta.quota_reservations (expires_at);
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.quota_reservations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.quota_reservations FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.quota_reservations TO service_role;

--
-- The C functions.
--
CREATE FUNCTION fenta.update_quota_usage()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_update_quota_usage';
COMMENT ON FUNCTION fenta.update_quota_usage() IS
'AFTER INSERT statement trigger on usage_records (transition table new_rows): adds the new rows to their orgs'' counters (tokens = prompt + output, render seconds and storage bytes to the backend''s slot of fenta.quota_counters; KIE.ai credits to quota_limits under a row lock, drawing what exceeds the limit from unexpired credit packs, soonest expiry first).';
REVOKE ALL ON FUNCTION fenta.update_quota_usage() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.usage_idempotency_guard()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_usage_idempotency_guard';
COMMENT ON FUNCTION fenta.usage_idempotency_guard() IS
'BEFORE INSERT row trigger on usage_records for rows with an idempotency_key: records the key in fenta.usage_idempotency, or skips the row when the org already has an event with that key.';
REVOKE ALL ON FUNCTION fenta.usage_idempotency_guard() FROM PUBLIC, anon, authenticated, service_role;

CREATE TRIGGER usage_records_idempotency BEFORE INSERT ON public.usage_records
	FOR EACH ROW WHEN (NEW.idempotency_key IS NOT NULL)
	EXECUTE FUNCTION fenta.usage_idempotency_guard();
CREATE TRIGGER usage_records_quota AFTER INSERT ON public.usage_records
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage();

CREATE FUNCTION public.check_quota(org_id uuid, tokens bigint DEFAULT 0, kai_credits bigint DEFAULT 0, render_seconds bigint DEFAULT 0)
RETURNS boolean
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_check_quota';
COMMENT ON FUNCTION public.check_quota(uuid, bigint, bigint, bigint) IS
'True when the org may use the requested amounts now: each requested amount fits its limit (NULL = unlimited; counting used, reserved and, for KIE.ai credits, unexpired credit packs), or the org allows overage and the period''s overage at its unit prices stays within overage_cap_usd. Unknown or deleted org: false. Members of the org and service_role may ask; anybody else gets 42501. NULL or negative amounts: 22023.';
REVOKE ALL ON FUNCTION public.check_quota(uuid, bigint, bigint, bigint) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION public.check_quota(uuid, bigint, bigint, bigint) TO authenticated, service_role;

CREATE FUNCTION public.quota_status(org_id uuid, tokens bigint DEFAULT 0, kai_credits bigint DEFAULT 0, render_seconds bigint DEFAULT 0)
RETURNS TABLE (resource text, quota_limit bigint, used bigint, reserved bigint, remaining bigint,
			   requested bigint, allowed boolean, reason text)
LANGUAGE c STABLE PARALLEL SAFE ROWS 4
AS 'MODULE_PATHNAME', 'fenta_quota_status';
COMMENT ON FUNCTION public.quota_status(uuid, bigint, bigint, bigint) IS
'The detail behind check_quota, one row per resource (tokens, kai_credits, render_seconds, storage_bytes): limit (NULL = unlimited), exact usage of the period, amount reserved, amount still available (credit packs included), amount requested, whether the request is allowed and why not. check_quota is true exactly when every row is allowed. Same access rules and errors as check_quota.';
REVOKE ALL ON FUNCTION public.quota_status(uuid, bigint, bigint, bigint) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION public.quota_status(uuid, bigint, bigint, bigint) TO authenticated, service_role;

-- Exact counters of an org: rolled-up part plus slots.
CREATE FUNCTION fenta.quota_usage(org_id uuid)
RETURNS TABLE (tokens bigint, kai_credits bigint, render_seconds bigint, storage_bytes bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT (q.tokens_used + coalesce(s.tokens, 0))::bigint,
		q.kai_credits_used,
		(q.render_seconds_used + coalesce(s.render_seconds, 0))::bigint,
		(q.storage_bytes_used + coalesce(s.storage_bytes, 0))::bigint
	FROM public.quota_limits q
		LEFT JOIN LATERAL (SELECT sum(c.tokens) AS tokens, sum(c.render_seconds) AS render_seconds,
								  sum(c.storage_bytes) AS storage_bytes
						   FROM fenta.quota_counters c WHERE c.org_id = q.org_id) s ON true
	WHERE q.org_id = quota_usage.org_id
$$;
COMMENT ON FUNCTION fenta.quota_usage(uuid) IS
'Exact counters of an org''s current period: quota_limits.*_used plus the org''s quota_counters slots. storage_bytes is the exact balance of all storage events and may be negative (quota_status shows it clamped at 0). No row when the org has no quota row.';
REVOKE ALL ON FUNCTION fenta.quota_usage(uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.quota_usage(uuid) TO service_role;

--
-- Rollup: moves the slots into quota_limits.  Never waits: rows locked by
-- running transactions are left for the next run.
--
CREATE FUNCTION fenta.rollup_quota_counters()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	o uuid;
	stored bigint;
	t numeric;
	r numeric;
	s numeric;
	n integer := 0;
BEGIN
	FOR o IN SELECT DISTINCT c.org_id FROM fenta.quota_counters c ORDER BY 1 LOOP
		SELECT q.storage_bytes_used INTO stored
		FROM public.quota_limits q WHERE q.org_id = o
		FOR NO KEY UPDATE SKIP LOCKED;
		CONTINUE WHEN NOT FOUND;
		WITH moved AS (
			DELETE FROM fenta.quota_counters c
			WHERE c.ctid = ANY (ARRAY(SELECT c2.ctid FROM fenta.quota_counters c2
									  WHERE c2.org_id = o FOR UPDATE SKIP LOCKED))
			RETURNING c.tokens, c.render_seconds, c.storage_bytes)
		SELECT coalesce(sum(m.tokens), 0), coalesce(sum(m.render_seconds), 0), coalesce(sum(m.storage_bytes), 0)
		INTO t, r, s FROM moved m;
		CONTINUE WHEN t = 0 AND r = 0 AND s = 0;
		s := stored + s;
		IF s < 0 THEN
			-- quota_limits cannot hold a negative balance: slot -1 carries it
			INSERT INTO fenta.quota_counters AS c (org_id, slot, storage_bytes) VALUES (o, -1, s)
			ON CONFLICT (org_id, slot) DO UPDATE SET storage_bytes = c.storage_bytes + excluded.storage_bytes;
			s := 0;
		END IF;
		UPDATE public.quota_limits q
		SET tokens_used = q.tokens_used + t, render_seconds_used = q.render_seconds_used + r, storage_bytes_used = s
		WHERE q.org_id = o;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.rollup_quota_counters() IS
'Moves the sums of fenta.quota_counters into quota_limits.*_used, exactly (what is deleted from the slots is what is added), skipping rows that running transactions hold; returns the number of orgs rolled up. Safe at any time, concurrently with usage inserts and with itself. Called by partition maintenance.';
REVOKE ALL ON FUNCTION fenta.rollup_quota_counters() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.rollup_quota_counters() TO service_role;

--
-- Resets.
--
CREATE FUNCTION fenta.apply_quota_resets()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	o uuid;
	q record;
	s numeric;
	next_reset timestamptz;
	k integer;
	n integer := 0;
	rt numeric;
	rk numeric;
	rr numeric;
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.apply_quota_resets() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'A reset must see every usage transaction that committed before it.';
	END IF;
	FOR o IN SELECT l.org_id FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now() ORDER BY 1 LOOP
		-- Waits for the org's running usage transactions (their foreign key
		-- checks hold a key share lock on the org) and holds new ones back
		-- until this transaction ends: a period covers exactly the usage
		-- committed before its reset.
		PERFORM FROM public.orgs g WHERE g.id = o FOR UPDATE;
		SELECT l.reset_at, l.storage_bytes_used INTO q
		FROM public.quota_limits l WHERE l.org_id = o AND l.reset_at <= pg_catalog.now()
		FOR NO KEY UPDATE;
		CONTINUE WHEN NOT FOUND;	-- reset meanwhile by another session
		-- storage is a balance, not a flow: it is kept (rolled up)
		WITH moved AS (DELETE FROM fenta.quota_counters c WHERE c.org_id = o RETURNING c.storage_bytes)
		SELECT coalesce(sum(m.storage_bytes), 0) INTO s FROM moved m;
		s := q.storage_bytes_used + s;
		IF s < 0 THEN
			INSERT INTO fenta.quota_counters (org_id, slot, storage_bytes) VALUES (o, -1, s);
			s := 0;
		END IF;
		-- whole months on from the old reset_at, until in the future
		k := 1;
		LOOP
			next_reset := q.reset_at + pg_catalog.make_interval(months => k);
			EXIT WHEN next_reset > pg_catalog.now();
			k := k + 1;
		END LOOP;
		UPDATE public.quota_limits l
		SET tokens_used = 0, render_seconds_used = 0, kai_credits_used = 0, kai_credits_from_packs = 0,
			storage_bytes_used = s, reset_at = next_reset
		WHERE l.org_id = o;
		n := n + 1;
	END LOOP;
	-- expired reservations
	FOR o IN SELECT DISTINCT r.org_id FROM fenta.quota_reservations r WHERE r.expires_at <= pg_catalog.now() ORDER BY 1 LOOP
		PERFORM FROM public.quota_limits l WHERE l.org_id = o FOR NO KEY UPDATE;
		WITH gone AS (DELETE FROM fenta.quota_reservations r WHERE r.org_id = o AND r.expires_at <= pg_catalog.now()
					  RETURNING r.tokens, r.kai_credits, r.render_seconds)
		SELECT coalesce(sum(g.tokens), 0), coalesce(sum(g.kai_credits), 0), coalesce(sum(g.render_seconds), 0)
		INTO rt, rk, rr FROM gone g;
		UPDATE public.quota_limits l
		SET reserved_tokens = l.reserved_tokens - rt, reserved_kai_credits = l.reserved_kai_credits - rk,
			reserved_render_seconds = l.reserved_render_seconds - rr
		WHERE l.org_id = o;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.apply_quota_resets() IS
'Restarts the counters (tokens, KIE.ai credits, render seconds; storage is a balance and is kept) of every org whose reset_at has passed, moving reset_at on by whole months until it is in the future, and releases expired reservations. Returns the number of orgs reset. A period covers the usage committed before its reset (the reset waits for the org''s running usage transactions). Safe at any time and concurrently; needs READ COMMITTED. Called by partition maintenance.';
REVOKE ALL ON FUNCTION fenta.apply_quota_resets() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.apply_quota_resets() TO service_role;

--
-- Reservations.
--
CREATE FUNCTION fenta.reserve_quota(org_id uuid, tokens bigint, kai_credits bigint, render_seconds bigint,
									ttl interval DEFAULT '15 minutes')
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	res uuid;
BEGIN
	IF org_id IS NULL OR tokens IS NULL OR kai_credits IS NULL OR render_seconds IS NULL OR ttl IS NULL THEN
		RAISE EXCEPTION 'arguments of fenta.reserve_quota must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF tokens < 0 OR kai_credits < 0 OR render_seconds < 0 THEN
		RAISE EXCEPTION 'reserved amounts must not be negative' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = pg_catalog.format('tokens %s, kai_credits %s, render_seconds %s', tokens, kai_credits, render_seconds);
	END IF;
	IF ttl <= interval '0' THEN
		RAISE EXCEPTION 'ttl must be positive' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- lock order of the quota engine: org, quota row, then the rest
	PERFORM FROM public.orgs g WHERE g.id = reserve_quota.org_id AND g.deleted_at IS NULL FOR KEY SHARE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	-- serialises the reservations of the org: the next one sees this one
	PERFORM FROM public.quota_limits l WHERE l.org_id = reserve_quota.org_id FOR NO KEY UPDATE;
	IF NOT FOUND OR NOT public.check_quota(reserve_quota.org_id, tokens, kai_credits, render_seconds) THEN
		RETURN NULL;
	END IF;
	INSERT INTO fenta.quota_reservations (org_id, tokens, kai_credits, render_seconds, expires_at)
	VALUES (reserve_quota.org_id, tokens, kai_credits, render_seconds, pg_catalog.now() + ttl)
	RETURNING id INTO res;
	UPDATE public.quota_limits l
	SET reserved_tokens = l.reserved_tokens + tokens, reserved_kai_credits = l.reserved_kai_credits + kai_credits,
		reserved_render_seconds = l.reserved_render_seconds + render_seconds
	WHERE l.org_id = reserve_quota.org_id;
	RETURN res;
END
$$;
COMMENT ON FUNCTION fenta.reserve_quota(uuid, bigint, bigint, bigint, interval) IS
'Reserves amounts for a job if check_quota allows them, counting them as used until fenta.release_quota() or until ttl has passed (expired reservations are released by fenta.apply_quota_resets). Returns the reservation id, or NULL when the amounts do not fit or the org is unknown or deleted. Reservations of one org are serialised, so two jobs can never both pass a limit. NULL or negative arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.reserve_quota(uuid, bigint, bigint, bigint, interval) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.reserve_quota(uuid, bigint, bigint, bigint, interval) TO service_role;

CREATE FUNCTION fenta.release_quota(reservation uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	o uuid;
	r record;
BEGIN
	IF reservation IS NULL THEN
		RAISE EXCEPTION 'reservation must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT x.org_id INTO o FROM fenta.quota_reservations x WHERE x.id = reservation;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM FROM public.orgs g WHERE g.id = o FOR KEY SHARE;
	PERFORM FROM public.quota_limits l WHERE l.org_id = o FOR NO KEY UPDATE;
	DELETE FROM fenta.quota_reservations x WHERE x.id = reservation
	RETURNING x.tokens, x.kai_credits, x.render_seconds INTO r;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE public.quota_limits l
	SET reserved_tokens = l.reserved_tokens - r.tokens, reserved_kai_credits = l.reserved_kai_credits - r.kai_credits,
		reserved_render_seconds = l.reserved_render_seconds - r.render_seconds
	WHERE l.org_id = o;
	RETURN true;
END
$$;
COMMENT ON FUNCTION fenta.release_quota(uuid) IS
'Releases a reservation (the job is done or abandoned; record its actual usage in usage_records, ideally in the same transaction). Returns false when the reservation does not exist (already released or expired).';
REVOKE ALL ON FUNCTION fenta.release_quota(uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.release_quota(uuid) TO service_role;

-- The new tables are empty after CREATE EXTENSION: dump all their rows.
SELECT pg_catalog.pg_extension_config_dump('fenta.plan_overrides', '');
SELECT pg_catalog.pg_extension_config_dump('fenta.quota_counters', '');
SELECT pg_catalog.pg_extension_config_dump('fenta.usage_idempotency', '');
SELECT pg_catalog.pg_extension_config_dump('fenta.quota_reservations', '');
-- Partition maintenance: fenta.maintain_partitions() (C), the archive schema
-- for detached months, and scheduling with pg_cron.
--
-- The install script creates no monthly partition: partitions are created by
-- fenta.maintain_partitions() after CREATE EXTENSION, as ordinary tables (not
-- extension members), so that pg_dump dumps them with their rows and a
-- restore, which runs this script again, finds nothing in its way.

CREATE SCHEMA fenta_archive;
COMMENT ON SCHEMA fenta_archive IS 'Months of usage_records detached by fenta.maintain_partitions(retention_months => N): tables usage_records_YYYY_MM, kept until dropped on purpose. Not exposed through the Data API.';
REVOKE ALL ON SCHEMA fenta_archive FROM PUBLIC;
GRANT USAGE ON SCHEMA fenta_archive TO service_role;

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
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintain_partitions';
COMMENT ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) IS
'Maintenance (service_role, pg_cron, the background worker): creates the monthly partitions public.usage_records_YYYY_MM (UTC) of the month of as_of and the next months_ahead (0..120) months, and of every month with rows in usage_records_default, moving those rows in; each partition gets RLS, no privileges for anon and authenticated, SELECT only for service_role. With retention_months (1..1200), attached months before the last retention_months complete months are detached into schema fenta_archive (dropped instead, and archived ones too, only with drop_detached). Then runs the quota engine''s rollup and resets and refreshes fenta.mv_daily_usage (unless refresh_usage is false). Strong locks wait at most fenta.maintenance_lock_timeout; a month that could not be locked is counted in months_deferred and retried on the next run. A second concurrent run returns at once with skipped = true. quota_resets and counters_rolled_up are NULL when not run. Bad arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) TO service_role;

-- The name of fenta's pg_cron job.
CREATE FUNCTION fenta.maintenance_job_name()
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = ''
AS $$ SELECT 'fenta-maintain-partitions'::text $$;
COMMENT ON FUNCTION fenta.maintenance_job_name() IS
'Name of the pg_cron job created by fenta.schedule_maintenance(): fenta-maintain-partitions.';
REVOKE ALL ON FUNCTION fenta.maintenance_job_name() FROM PUBLIC, anon, authenticated;

-- Schedules fenta.maintain_partitions() with pg_cron, idempotently: the job
-- has a fixed name, and cron.schedule() with an existing name updates it.
CREATE FUNCTION fenta.schedule_maintenance(
	schedule text DEFAULT '*/10 * * * *',
	months_ahead integer DEFAULT 3,
	retention_months integer DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	command text;
	job bigint;
BEGIN
	IF schedule_maintenance.schedule IS NULL THEN
		RAISE EXCEPTION 'invalid value for argument "schedule" of fenta.schedule_maintenance(): must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF schedule_maintenance.months_ahead IS NULL
		OR schedule_maintenance.months_ahead NOT BETWEEN 0 AND 120 THEN
		RAISE EXCEPTION 'invalid value for argument "months_ahead" of fenta.schedule_maintenance(): % is out of range', coalesce(schedule_maintenance.months_ahead::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'months_ahead counts the months after the current one to create, from 0 to 120.';
	END IF;
	IF schedule_maintenance.retention_months NOT BETWEEN 1 AND 1200 THEN
		RAISE EXCEPTION 'invalid value for argument "retention_months" of fenta.schedule_maintenance(): % is out of range', schedule_maintenance.retention_months
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'retention_months counts the complete months before the current one that stay attached, from 1 to 1200 (NULL keeps every month).';
	END IF;
	IF pg_catalog.to_regprocedure('cron.schedule(text, text, text)') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'CREATE EXTENSION pg_cron in the database named by cron.database_name (on Supabase: enable pg_cron in the dashboard), or put fenta in shared_preload_libraries and set fenta.maintenance_database for the background worker.';
	END IF;
	command := pg_catalog.format('SELECT * FROM fenta.maintain_partitions(months_ahead => %s%s)',
		schedule_maintenance.months_ahead,
		CASE WHEN schedule_maintenance.retention_months IS NOT NULL
			THEN pg_catalog.format(', retention_months => %s', schedule_maintenance.retention_months) ELSE '' END);
	EXECUTE 'SELECT cron.schedule($1, $2, $3)'
		INTO job
		USING fenta.maintenance_job_name(), schedule_maintenance.schedule, command;
	RETURN job;
END
$$;
COMMENT ON FUNCTION fenta.schedule_maintenance(text, integer, integer) IS
'Admin: schedules fenta.maintain_partitions(months_ahead, retention_months) with pg_cron under the job name fenta-maintain-partitions (every 10 minutes by default; schedule in cron syntax) and returns the job id. Idempotent: calling it again updates the same job. Needs pg_cron in this database (55000 otherwise).';
REVOKE ALL ON FUNCTION fenta.schedule_maintenance(text, integer, integer) FROM PUBLIC, anon, authenticated;

-- Removes fenta's pg_cron job; false when there was none.
CREATE FUNCTION fenta.unschedule_maintenance()
RETURNS boolean
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	found_job boolean;
BEGIN
	IF pg_catalog.to_regclass('cron.job') IS NULL THEN
		RETURN false;
	END IF;
	EXECUTE 'SELECT EXISTS (SELECT FROM cron.job WHERE jobname = $1 AND username = CURRENT_USER)'
		INTO found_job USING fenta.maintenance_job_name();
	IF found_job THEN
		EXECUTE 'SELECT cron.unschedule($1)' USING fenta.maintenance_job_name();
	END IF;
	RETURN found_job;
END
$$;
COMMENT ON FUNCTION fenta.unschedule_maintenance() IS
'Admin: removes the pg_cron job fenta-maintain-partitions created by fenta.schedule_maintenance(); returns false when there was none.';
REVOKE ALL ON FUNCTION fenta.unschedule_maintenance() FROM PUBLIC, anon, authenticated;
-- fenta 0.2.0 -> 0.3.0
--
-- quota_limits.org_deleted_at: a copy of orgs.deleted_at on the org's quota
-- row, so that check_quota() answers from the quota row and the counter
-- slots alone (one unique-index lookup fewer per call).  The copy cannot
-- drift: it is derived from orgs whenever a quota row is inserted or the
-- column is written, and rewritten when an org's deleted_at changes.
--
-- (Added with ALTER TABLE in the fresh install too, so that installed and
-- updated databases have the column at the same position.)
--
ALTER TABLE public.quota_limits ADD COLUMN org_deleted_at timestamptz;
COMMENT ON COLUMN public.quota_limits.org_deleted_at IS 'Copy of orgs.deleted_at, kept by triggers (any value written is replaced by the org''s): check_quota() answers false when it is set.';

-- existing rows (an update from 0.2.0): copy, without touching updated_at
ALTER TABLE public.quota_limits DISABLE TRIGGER quota_limits_updated_at;
UPDATE public.quota_limits q
SET org_deleted_at = o.deleted_at
FROM public.orgs o
WHERE o.id = q.org_id AND o.deleted_at IS NOT NULL;
ALTER TABLE public.quota_limits ENABLE TRIGGER quota_limits_updated_at;

CREATE FUNCTION fenta.quota_limits_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	NEW.org_deleted_at := (SELECT o.deleted_at FROM public.orgs o WHERE o.id = NEW.org_id);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.quota_limits_org_deleted_at() IS
'BEFORE INSERT OR UPDATE OF org_deleted_at trigger on quota_limits: sets org_deleted_at to the org''s deleted_at, whatever was written.';
REVOKE ALL ON FUNCTION fenta.quota_limits_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER quota_limits_org_deleted_at BEFORE INSERT OR UPDATE OF org_deleted_at ON public.quota_limits
	FOR EACH ROW EXECUTE FUNCTION fenta.quota_limits_org_deleted_at();

CREATE FUNCTION fenta.copy_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	UPDATE public.quota_limits q SET org_deleted_at = NEW.deleted_at WHERE q.org_id = NEW.id;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.copy_org_deleted_at() IS
'AFTER UPDATE OF deleted_at trigger on orgs: copies the org''s deleted_at to its quota_limits row (soft delete and restore take effect in check_quota at once).';
REVOKE ALL ON FUNCTION fenta.copy_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER orgs_copy_deleted_at AFTER UPDATE OF deleted_at ON public.orgs
	FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
	EXECUTE FUNCTION fenta.copy_org_deleted_at();
-- fenta 0.3.0 -> 0.4.0
-- uuid_generate_v7() keeps per-process state (the last timestamp and
-- counter): in parallel workers ids would not increase in output order
ALTER FUNCTION fenta.uuid_generate_v7() PARALLEL RESTRICTED;
--
-- 0.4.0: quota_limits.org_deleted_at can no longer drift from orgs.deleted_at.
--
-- The 0.2.0 -> 0.3.0 update copied orgs.deleted_at with one UPDATE and only
-- then created the triggers that keep the copy: an org soft-deleted or
-- restored by a transaction that committed in between kept the old copy for
-- good (a deleted org passed check_quota).  Here, on update and on install
-- alike:
--   1. orgs is locked against writes (SHARE: waits for the transactions that
--      changed it, blocks new ones until the end of this transaction), and
--      every copy that differs is rewritten from orgs, under the lock;
--   2. the triggers fire on what matters, whatever the statement names:
--      - orgs: AFTER UPDATE (any column) when deleted_at changed, so a
--        BEFORE trigger or a rule that sets deleted_at is followed too;
--      - quota_limits: BEFORE INSERT OR UPDATE OF org_id, org_deleted_at
--        (a row moved to another org takes that org's value), reading the
--        org row FOR SHARE: an insert waits for a running soft delete of its
--        org, and sees its outcome, instead of copying the value from
--        before it (the soft delete's own trigger cannot see a quota row
--        inserted meanwhile).
--
LOCK TABLE public.orgs IN SHARE MODE;
ALTER TABLE public.quota_limits DISABLE TRIGGER quota_limits_updated_at;
UPDATE public.quota_limits q
SET org_deleted_at = o.deleted_at
FROM public.orgs o
WHERE o.id OPERATOR(pg_catalog.=) q.org_id AND q.org_deleted_at IS DISTINCT FROM o.deleted_at;
ALTER TABLE public.quota_limits ENABLE TRIGGER quota_limits_updated_at;

CREATE OR REPLACE FUNCTION fenta.quota_limits_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	NEW.org_deleted_at := (SELECT o.deleted_at FROM public.orgs o
						   WHERE o.id OPERATOR(pg_catalog.=) NEW.org_id FOR SHARE);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.quota_limits_org_deleted_at() IS
'BEFORE INSERT OR UPDATE OF org_id, org_deleted_at trigger on quota_limits: sets org_deleted_at to the org''s deleted_at, whatever was written, reading the org row FOR SHARE (waits for a running soft delete or restore of the org).';
DROP TRIGGER quota_limits_org_deleted_at ON public.quota_limits;
CREATE TRIGGER quota_limits_org_deleted_at BEFORE INSERT OR UPDATE OF org_id, org_deleted_at ON public.quota_limits
	FOR EACH ROW EXECUTE FUNCTION fenta.quota_limits_org_deleted_at();

COMMENT ON FUNCTION fenta.copy_org_deleted_at() IS
'AFTER UPDATE trigger on orgs, for rows whose deleted_at changed: copies the org''s deleted_at to its quota_limits row (soft delete and restore take effect in check_quota at once).';
DROP TRIGGER orgs_copy_deleted_at ON public.orgs;
CREATE TRIGGER orgs_copy_deleted_at AFTER UPDATE ON public.orgs
	FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
	EXECUTE FUNCTION fenta.copy_org_deleted_at();
-- ===========================================================================
-- usage_records is an append-only ledger: the quota counters follow every
-- insert exactly (update_quota_usage), so an UPDATE, DELETE or TRUNCATE
-- through the table would make them drift.  Corrections are new rows.  Rows
-- go with their org (the foreign key's cascade, a nested statement); a
-- superuser may still repair by hand (and recount the counters after).
-- ===========================================================================
CREATE FUNCTION fenta.usage_records_append_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.>) 1
		OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
		RETURN NULL;
	END IF;
	RAISE EXCEPTION '% on public.usage_records is not allowed: usage is an append-only ledger', TG_OP
		USING ERRCODE = 'insufficient_privilege',
			DETAIL = 'The quota counters follow the inserted rows; changing or removing rows would make them drift.',
			HINT = 'Record a correction as a new usage row (storage_bytes may be negative).';
END
$$;
COMMENT ON FUNCTION fenta.usage_records_append_only() IS
'BEFORE UPDATE OR DELETE OR TRUNCATE statement trigger on usage_records: refuses the statement (42501) unless it is nested in another (the foreign key''s cascade when an org is deleted) or run by a superuser. Usage is an append-only ledger.';
REVOKE ALL ON FUNCTION fenta.usage_records_append_only() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER usage_records_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON public.usage_records
	FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_records_append_only();
-- Maintenance that never stalls writers (0.4.0): CALL fenta.run_maintenance()
-- does every step in a short transaction of its own (each month created,
-- archived, detached or dropped; the rollup; the quota resets in batches
-- that skip held orgs; the refresh), every lock under
-- fenta.maintenance_lock_timeout.  fenta.maintain_partitions() stays for
-- compatibility (one transaction; see doc/maintenance.md).

-- The C steps of the procedure.
CREATE FUNCTION fenta.maintenance_plan(
	months_ahead integer,
	retention_months integer,
	drop_detached boolean,
	as_of timestamptz)
RETURNS TABLE (step text, month text)
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_plan';
COMMENT ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) IS
'Internal (fenta.run_maintenance): the partition steps of a run, in order: create (a month of the window of as_of and months_ahead, or with rows in usage_records_default), archive_rows (late rows of a month retired by retention), detach, detach_drop, drop_archived. NULL months_ahead and retention_months take fenta.maintenance_months_ahead and fenta.maintenance_retention_months (retention 0: keep every month); NULL as_of is now(), and as_of must be within 3 months of now(). Bad arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) TO service_role;

CREATE FUNCTION fenta.maintenance_step(step text, month text, OUT done boolean, OUT rows_moved bigint)
RETURNS record
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_step';
COMMENT ON FUNCTION fenta.maintenance_step(text, text) IS
'Internal (fenta.run_maintenance): does one step of fenta.maintenance_plan() for month YYYY_MM in a subtransaction, every lock under fenta.maintenance_lock_timeout; done is false when it was deferred (a lock not had in time, or another run at work) and is retried on the next run. Archive, detach and drop steps refuse the current and previous month of now(). Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.maintenance_step(text, text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_step(text, text) TO service_role;

CREATE FUNCTION fenta.maintenance_session_lock(acquire boolean)
RETURNS boolean
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_session_lock';
COMMENT ON FUNCTION fenta.maintenance_session_lock(boolean) IS
'Internal (fenta.run_maintenance): takes (true) or releases (false) the session-level advisory lock of maintenance runs, which fenta.maintain_partitions() also takes; false when another session holds it. Taking it refuses to run inside a transaction block (25001) and first releases what a failed earlier run of the session left.';
REVOKE ALL ON FUNCTION fenta.maintenance_session_lock(boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_session_lock(boolean) TO service_role;

-- One org's reset and one org's expired reservations, shared by
-- fenta.apply_quota_resets() (which waits for the org's running usage
-- transactions) and fenta.apply_quota_resets_batch() (which skips them).
-- The caller holds the org row FOR UPDATE and the quota row FOR NO KEY
-- UPDATE; run as the owner from those SECURITY DEFINER functions only.
CREATE FUNCTION fenta.reset_org_quota(org uuid, reset_at timestamptz, storage_bytes_used bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	s numeric;
	next_reset timestamptz;
	k integer := 1;
BEGIN
	-- storage is a balance, not a flow: it is kept (rolled up)
	WITH moved AS (DELETE FROM fenta.quota_counters c WHERE c.org_id = reset_org_quota.org RETURNING c.storage_bytes)
	SELECT coalesce(sum(m.storage_bytes), 0) INTO s FROM moved m;
	s := reset_org_quota.storage_bytes_used + s;
	IF s < 0 THEN
		INSERT INTO fenta.quota_counters (org_id, slot, storage_bytes) VALUES (reset_org_quota.org, -1, s);
		s := 0;
	END IF;
	-- whole months on from the old reset_at, until in the future
	LOOP
		next_reset := reset_org_quota.reset_at + pg_catalog.make_interval(months => k);
		EXIT WHEN next_reset > pg_catalog.now();
		k := k + 1;
	END LOOP;
	UPDATE public.quota_limits l
	SET tokens_used = 0, render_seconds_used = 0, kai_credits_used = 0, kai_credits_from_packs = 0,
		storage_bytes_used = s, reset_at = next_reset
	WHERE l.org_id = reset_org_quota.org;
END
$$;
COMMENT ON FUNCTION fenta.reset_org_quota(uuid, timestamptz, bigint) IS
'Internal (fenta.apply_quota_resets, fenta.apply_quota_resets_batch): restarts the counters of one org whose org and quota rows the caller has locked (storage kept as a balance) and moves reset_at on by whole months until it is in the future.';
REVOKE ALL ON FUNCTION fenta.reset_org_quota(uuid, timestamptz, bigint) FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.release_expired_reservations(org uuid)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	rt numeric;
	rk numeric;
	rr numeric;
BEGIN
	WITH gone AS (DELETE FROM fenta.quota_reservations r
				  WHERE r.org_id = release_expired_reservations.org AND r.expires_at <= pg_catalog.now()
				  RETURNING r.tokens, r.kai_credits, r.render_seconds)
	SELECT coalesce(sum(g.tokens), 0), coalesce(sum(g.kai_credits), 0), coalesce(sum(g.render_seconds), 0)
	INTO rt, rk, rr FROM gone g;
	UPDATE public.quota_limits l
	SET reserved_tokens = l.reserved_tokens - rt, reserved_kai_credits = l.reserved_kai_credits - rk,
		reserved_render_seconds = l.reserved_render_seconds - rr
	WHERE l.org_id = release_expired_reservations.org;
END
$$;
COMMENT ON FUNCTION fenta.release_expired_reservations(uuid) IS
'Internal (fenta.apply_quota_resets, fenta.apply_quota_resets_batch): releases the expired reservations of one org whose quota row the caller has locked.';
REVOKE ALL ON FUNCTION fenta.release_expired_reservations(uuid) FROM PUBLIC, anon, authenticated, service_role;

-- 0.2.0's fenta.apply_quota_resets(), through the shared steps (it waits)
CREATE OR REPLACE FUNCTION fenta.apply_quota_resets()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	o uuid;
	q record;
	n integer := 0;
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.apply_quota_resets() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'A reset must see every usage transaction that committed before it.';
	END IF;
	FOR o IN SELECT l.org_id FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now() ORDER BY 1 LOOP
		-- Waits for the org's running usage transactions (their foreign key
		-- checks hold a key share lock on the org) and holds new ones back
		-- until this transaction ends: a period covers exactly the usage
		-- committed before its reset.
		PERFORM FROM public.orgs g WHERE g.id = o FOR UPDATE;
		SELECT l.reset_at, l.storage_bytes_used INTO q
		FROM public.quota_limits l WHERE l.org_id = o AND l.reset_at <= pg_catalog.now()
		FOR NO KEY UPDATE;
		CONTINUE WHEN NOT FOUND;	-- reset meanwhile by another session
		PERFORM fenta.reset_org_quota(o, q.reset_at, q.storage_bytes_used);
		n := n + 1;
	END LOOP;
	-- expired reservations
	FOR o IN SELECT DISTINCT r.org_id FROM fenta.quota_reservations r WHERE r.expires_at <= pg_catalog.now() ORDER BY 1 LOOP
		PERFORM FROM public.quota_limits l WHERE l.org_id = o FOR NO KEY UPDATE;
		PERFORM fenta.release_expired_reservations(o);
	END LOOP;
	RETURN n;
END
$$;

--
-- Quota resets in batches that never wait: an org that a running
-- transaction holds (a usage writer holds a key share lock on it) is
-- skipped and reset by a later batch or run, so a reset period still covers
-- exactly the usage committed before the reset, and no writer waits behind
-- the reset of another org.
--
CREATE FUNCTION fenta.apply_quota_resets_batch(
	max_orgs integer DEFAULT 100,
	OUT orgs_reset integer,
	OUT reservations_released integer,
	OUT orgs_due integer,
	OUT progress boolean,
	OUT done boolean)
RETURNS record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	o uuid;
	q record;
BEGIN
	IF max_orgs IS NULL OR max_orgs NOT BETWEEN 1 AND 100000 THEN
		RAISE EXCEPTION 'invalid value for argument "max_orgs" of fenta.apply_quota_resets_batch(): % is out of range', coalesce(max_orgs::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'max_orgs is from 1 to 100000.';
	END IF;
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.apply_quota_resets_batch() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'A reset must see every usage transaction that committed before it.';
	END IF;
	orgs_reset := 0;
	reservations_released := 0;
	-- the org locked FOR UPDATE, or skipped: its running usage transactions
	-- (key share locks) would otherwise be waited for
	FOR o IN SELECT g.id FROM public.quota_limits l JOIN public.orgs g ON g.id = l.org_id
			 WHERE l.reset_at <= pg_catalog.now()
			 ORDER BY l.org_id LIMIT max_orgs
			 FOR UPDATE OF g SKIP LOCKED LOOP
		SELECT l.reset_at, l.storage_bytes_used INTO q
		FROM public.quota_limits l WHERE l.org_id = o AND l.reset_at <= pg_catalog.now()
		FOR NO KEY UPDATE SKIP LOCKED;
		CONTINUE WHEN NOT FOUND;	-- reset meanwhile, or held
		PERFORM fenta.reset_org_quota(o, q.reset_at, q.storage_bytes_used);
		orgs_reset := orgs_reset + 1;
	END LOOP;
	-- expired reservations, skipping quota rows held
	FOR o IN SELECT l.org_id FROM public.quota_limits l
			 WHERE EXISTS (SELECT FROM fenta.quota_reservations r
						   WHERE r.org_id = l.org_id AND r.expires_at <= pg_catalog.now())
			 ORDER BY l.org_id LIMIT max_orgs
			 FOR NO KEY UPDATE OF l SKIP LOCKED LOOP
		PERFORM fenta.release_expired_reservations(o);
		reservations_released := reservations_released + 1;
	END LOOP;
	SELECT count(*) INTO orgs_due FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now();
	progress := orgs_reset > 0 OR reservations_released > 0;
	done := orgs_due = 0 AND NOT EXISTS (SELECT FROM fenta.quota_reservations r WHERE r.expires_at <= pg_catalog.now());
END
$$;
COMMENT ON FUNCTION fenta.apply_quota_resets_batch(integer) IS
'Maintenance: resets up to max_orgs due orgs (as fenta.apply_quota_resets() does) and releases the expired reservations of up to max_orgs orgs, never waiting: orgs that running transactions hold are skipped (a period still covers exactly the usage committed before its reset) and are left for the next batch. Returns the counts, the orgs still due, progress (something was done) and done (nothing left). Used by fenta.run_maintenance() (one batch per transaction) and fenta.maintain_partitions(). Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.apply_quota_resets_batch(integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.apply_quota_resets_batch(integer) TO service_role;

--
-- The procedure.  It commits between steps, so it cannot be SECURITY
-- DEFINER nor have a SET clause: it runs with the caller's rights and
-- search_path, and its body therefore calls nothing but schema-qualified
-- functions and uses no operator (OPERATOR(pg_catalog.+) where it counts).
--
CREATE PROCEDURE fenta.run_maintenance(
	months_ahead integer DEFAULT NULL,
	retention_months integer DEFAULT NULL,
	drop_detached boolean DEFAULT false,
	refresh_usage boolean DEFAULT true,
	as_of timestamptz DEFAULT NULL,
	reset_batch_size integer DEFAULT 100)
LANGUAGE plpgsql
AS $$
DECLARE
	s record;
	r record;
	b record;
	created integer := 0;
	deferred integer := 0;
	moved bigint := 0;
	rolled integer := 0;
	reset integer := 0;
	attempt integer;
BEGIN
	IF NOT fenta.maintenance_session_lock(true) THEN
		RETURN;
	END IF;
	COMMIT;
	-- the partition steps, one transaction each (the plan checks the arguments)
	FOR s IN SELECT p.step, p.month
			 FROM fenta.maintenance_plan(run_maintenance.months_ahead, run_maintenance.retention_months,
										 run_maintenance.drop_detached, run_maintenance.as_of) p LOOP
		SELECT x.done, x.rows_moved INTO r FROM fenta.maintenance_step(s.step, s.month) x;
		COMMIT;
		IF r.done THEN
			IF pg_catalog.texteq(s.step, 'create') THEN
				created := created OPERATOR(pg_catalog.+) 1;
			END IF;
			moved := moved OPERATOR(pg_catalog.+) r.rows_moved;
		ELSE
			deferred := deferred OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;
	-- the rollup (skips rows held by running transactions)
	IF pg_catalog.to_regprocedure('fenta.rollup_quota_counters()') IS NOT NULL THEN
		SELECT fenta.rollup_quota_counters() INTO rolled;
		COMMIT;
	END IF;
	-- the resets, reset_batch_size orgs per transaction, never waiting; orgs
	-- held by running transactions are tried again a few times, then left
	-- for the next run
	IF pg_catalog.to_regprocedure('fenta.apply_quota_resets_batch(integer)') IS NOT NULL THEN
		FOR attempt IN 1..5 LOOP
			LOOP
				SELECT x.orgs_reset, x.orgs_due, x.progress, x.done INTO b
				FROM fenta.apply_quota_resets_batch(run_maintenance.reset_batch_size) x;
				COMMIT;
				reset := reset OPERATOR(pg_catalog.+) b.orgs_reset;
				EXIT WHEN NOT b.progress;
			END LOOP;
			EXIT WHEN b.done;
			PERFORM pg_catalog.pg_sleep(0.2);
			COMMIT;
		END LOOP;
		IF NOT b.done THEN
			RAISE NOTICE 'fenta.run_maintenance(): % org(s) due for a quota reset are held by running transactions; they are reset on the next run', b.orgs_due;
		END IF;
	END IF;
	IF run_maintenance.refresh_usage THEN
		PERFORM fenta.refresh_daily_usage(true);
		COMMIT;
	END IF;
	PERFORM fenta.maintenance_session_lock(false);
	RAISE LOG 'fenta.run_maintenance(): % month(s) created, % row(s) moved, % step(s) deferred, % org(s) rolled up, % org(s) reset',
		created, moved, deferred, rolled, reset;
END
$$;
COMMENT ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) IS
'Maintenance (service_role, pg_cron, the background worker): CALL fenta.run_maintenance() outside a transaction block. Does what fenta.maintain_partitions() does, every step in a short transaction of its own: creates the monthly partitions of the month of as_of (default now(), within 3 months of it) and the next months_ahead months (default fenta.maintenance_months_ahead) and of months with rows in usage_records_default; moves late rows of months retired by retention into fenta_archive; with retention_months (default fenta.maintenance_retention_months; 0 keeps every month) detaches older months into fenta_archive (drops them with drop_detached); never touches the current or previous month of now(). Then rolls the quota counters up, resets due orgs reset_batch_size per transaction skipping orgs held by running transactions (retried, else left for the next run), and refreshes fenta.mv_daily_usage unless refresh_usage is false. Every lock waits at most fenta.maintenance_lock_timeout; a step that could not lock in time is deferred to the next run (WARNING). A second concurrent run returns at once (NOTICE). Inside a transaction block: 25001. Bad arguments: 22023.';
REVOKE ALL ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) TO service_role;

COMMENT ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) IS
'Maintenance in one transaction (kept for compatibility; CALL fenta.run_maintenance() is the way, it commits between steps): creates the monthly partitions public.usage_records_YYYY_MM (UTC) of the month of as_of (within 3 months of now()) and the next months_ahead (0..120) months, and of every month with rows in usage_records_default, moving those rows in; late rows of a month retired by retention go to fenta_archive instead; each partition gets RLS, no privileges for anon and authenticated, SELECT only for service_role. With retention_months (1..1200), attached months before the last retention_months complete months are detached into schema fenta_archive (dropped instead, and archived ones too, only with drop_detached); the current and previous month of now() are never detached. When no partition was changed, then rolls the quota counters up, refreshes fenta.mv_daily_usage (unless refresh_usage is false) and resets due orgs, skipping orgs held by running transactions; when partitions were changed (their locks last until the transaction ends) these are left to the next run (NULL/false). Strong locks wait at most fenta.maintenance_lock_timeout; a month that could not be locked is counted in months_deferred and retried on the next run. A second concurrent run returns at once with skipped = true. Needs READ COMMITTED (25000). Bad arguments: 22023.';

-- pg_cron schedules the procedure.
CREATE OR REPLACE FUNCTION fenta.schedule_maintenance(
	schedule text DEFAULT '*/10 * * * *',
	months_ahead integer DEFAULT 3,
	retention_months integer DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	command text;
	job bigint;
BEGIN
	IF schedule_maintenance.schedule IS NULL THEN
		RAISE EXCEPTION 'invalid value for argument "schedule" of fenta.schedule_maintenance(): must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF schedule_maintenance.months_ahead IS NULL
		OR schedule_maintenance.months_ahead NOT BETWEEN 0 AND 120 THEN
		RAISE EXCEPTION 'invalid value for argument "months_ahead" of fenta.schedule_maintenance(): % is out of range', coalesce(schedule_maintenance.months_ahead::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'months_ahead counts the months after the current one to create, from 0 to 120.';
	END IF;
	IF schedule_maintenance.retention_months NOT BETWEEN 1 AND 1200 THEN
		RAISE EXCEPTION 'invalid value for argument "retention_months" of fenta.schedule_maintenance(): % is out of range', schedule_maintenance.retention_months
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'retention_months counts the complete months before the current one that stay attached, from 1 to 1200 (NULL keeps every month).';
	END IF;
	IF pg_catalog.to_regprocedure('cron.schedule(text, text, text)') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'CREATE EXTENSION pg_cron in the database named by cron.database_name (on Supabase: enable pg_cron in the dashboard), or put fenta in shared_preload_libraries and set fenta.maintenance_database for the background worker.';
	END IF;
	command := pg_catalog.format('CALL fenta.run_maintenance(months_ahead => %s, retention_months => %s)',
		schedule_maintenance.months_ahead, coalesce(schedule_maintenance.retention_months, 0));
	EXECUTE 'SELECT cron.schedule($1, $2, $3)'
		INTO job
		USING fenta.maintenance_job_name(), schedule_maintenance.schedule, command;
	RETURN job;
END
$$;
COMMENT ON FUNCTION fenta.schedule_maintenance(text, integer, integer) IS
'Admin: schedules CALL fenta.run_maintenance(months_ahead, retention_months) with pg_cron under the job name fenta-maintain-partitions (every 10 minutes by default; schedule in cron syntax; NULL retention_months keeps every month) and returns the job id. Idempotent: calling it again updates the same job. Needs pg_cron in this database (55000 otherwise).';
--
-- 0.4.0: the monthly partitions hold exactly their documented privileges,
-- however they were created.
--
-- fenta.maintain_partitions() gives each partition RLS, no privileges for
-- PUBLIC, anon and authenticated, and SELECT only for service_role.  A
-- restore creates the partitions with pg_dump's CREATE TABLE, which applies
-- the target's default privileges (on Supabase: ALL in public to anon,
-- authenticated and service_role), and pg_dump's GRANTs only add what the
-- source had: anon could INSERT, DELETE and TRUNCATE usage_records_YYYY_MM.
-- This event trigger runs at the end of every CREATE TABLE, ALTER TABLE
-- (ATTACH PARTITION, DETACH PARTITION, ...) and GRANT that involves
-- usage_records or a month of it, and resets every month (the partitions of
-- public.usage_records and the tables usage_records_YYYY_MM of
-- fenta_archive) whose RLS or privileges for those four roles differ.
-- Privileges granted to other roles are left alone.  It is enabled ALWAYS,
-- so that it also fires during a restore under session_replication_role =
-- replica.
--
CREATE FUNCTION fenta.usage_months_misprivileged()
RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = ''
AS $$
	SELECT c.oid::pg_catalog.regclass
	FROM pg_catalog.pg_class c
	WHERE c.relkind OPERATOR(pg_catalog.=) 'r'
		AND (c.oid IN (SELECT i.inhrelid FROM pg_catalog.pg_inherits i
					   WHERE i.inhparent OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass)
			 OR (c.relnamespace OPERATOR(pg_catalog.=) 'fenta_archive'::pg_catalog.regnamespace
				 AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'))
		AND c.oid OPERATOR(pg_catalog.<>) 'public.usage_records_default'::pg_catalog.regclass
		AND (NOT c.relrowsecurity
			 OR EXISTS (SELECT FROM pg_catalog.aclexplode(c.relacl) a
						WHERE (a.grantee OPERATOR(pg_catalog.=) 0
							   OR a.grantee IN (SELECT r.oid FROM pg_catalog.pg_roles r
												WHERE r.rolname IN ('anon', 'authenticated', 'service_role')))
							AND NOT (a.grantee OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) 'service_role')
									 AND a.privilege_type OPERATOR(pg_catalog.=) 'SELECT' AND NOT a.is_grantable))
			 OR NOT EXISTS (SELECT FROM pg_catalog.aclexplode(c.relacl) a
							WHERE a.grantee OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) 'service_role')
								AND a.privilege_type OPERATOR(pg_catalog.=) 'SELECT'))
	ORDER BY 1
$$;
COMMENT ON FUNCTION fenta.usage_months_misprivileged() IS
'The months of usage_records (partitions of public.usage_records, tables usage_records_YYYY_MM of fenta_archive; not the default partition) whose RLS is off or whose privileges for PUBLIC, anon, authenticated and service_role are not exactly: none, none, none, SELECT. Empty when all are as documented.';
REVOKE ALL ON FUNCTION fenta.usage_months_misprivileged() FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION fenta.usage_months_misprivileged() TO service_role;

CREATE FUNCTION fenta.secure_usage_months()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	t pg_catalog.regclass;
	n integer := 0;
BEGIN
	-- the statements below fire the event trigger again: it returns at once
	-- while this runs (a transaction-local setting, outside the reserved
	-- fenta. prefix)
	PERFORM pg_catalog.set_config('fenta_internal.securing_usage_months', 'on', true);
	FOR t IN SELECT m FROM fenta.usage_months_misprivileged() m LOOP
		IF NOT (SELECT c.relrowsecurity FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t) THEN
			EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
		END IF;
		EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC, anon, authenticated, service_role', t);
		EXECUTE pg_catalog.format('GRANT SELECT ON %s TO service_role', t);
		n := n OPERATOR(pg_catalog.+) 1;
	END LOOP;
	PERFORM pg_catalog.set_config('fenta_internal.securing_usage_months', '', true);
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.secure_usage_months() IS
'Gives every month of usage_records listed by fenta.usage_months_misprivileged() its documented RLS and privileges (RLS on; nothing for PUBLIC, anon, authenticated; SELECT for service_role; other roles untouched). Returns the number of tables fixed. Run by the event trigger fenta_secure_usage_months; callable by hand.';
REVOKE ALL ON FUNCTION fenta.secure_usage_months() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.secure_usage_months_trigger()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.current_setting('fenta_internal.securing_usage_months', true) OPERATOR(pg_catalog.=) 'on' THEN
		RETURN;
	END IF;
	-- GRANT and REVOKE do not name their objects here: always look
	IF (TG_TAG IN ('GRANT', 'REVOKE')
		OR EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
				   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
					   AND d.schema_name IN ('public', 'fenta_archive')
					   AND d.object_identity LIKE '%usage\_records%'))
	   AND EXISTS (SELECT FROM fenta.usage_months_misprivileged()) THEN
		PERFORM fenta.secure_usage_months();
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.secure_usage_months_trigger() IS
'ddl_command_end event trigger function: after a CREATE TABLE, ALTER TABLE or GRANT/REVOKE on usage_records or one of its months, gives every month its documented privileges (fenta.secure_usage_months()).';
REVOKE ALL ON FUNCTION fenta.secure_usage_months_trigger() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_secure_usage_months ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'GRANT', 'REVOKE')
	EXECUTE FUNCTION fenta.secure_usage_months_trigger();
ALTER EVENT TRIGGER fenta_secure_usage_months ENABLE ALWAYS;
COMMENT ON EVENT TRIGGER fenta_secure_usage_months IS
'Keeps the months of usage_records at their documented privileges and RLS, also when a restore (pg_dump) creates them with the database''s default privileges.';
-- ===========================================================================
-- 0.4.0: public.public_id(<table>) with SQL string bodies.
--
-- The 0.3.0 functions had SQL-standard bodies (RETURN ...).  Such a body is
-- stored parsed, with a whole-row reference to the table, and PostgreSQL
-- (15.x minor releases of 2025 on) then refuses any ALTER TABLE that must
-- rewrite or default existing rows of the table -- among them
-- ALTER TABLE ... ADD COLUMN ... DEFAULT -- with "cannot alter table
-- because function public_id(...) uses its row type".  fenta's own update
-- scripts (and a DBA) must be able to add such a column, so the bodies are
-- plain SQL strings again: parsed at call time, still inlined by the planner
-- (LANGUAGE sql, IMMUTABLE, no SET clause, one SELECT).  Every name in them
-- is schema-qualified, so they do not depend on the caller's search_path;
-- the callers (anon, authenticated, service_role) have USAGE on schema fenta
-- and EXECUTE on fenta.typeid_encode().
-- ===========================================================================

CREATE OR REPLACE FUNCTION public.public_id(t public.profiles)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('user', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.orgs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('org', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.org_members)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('mem', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.api_keys)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('key', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.projects)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('proj', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.templates)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('tmpl', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.workflows)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('wf', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.workflow_versions)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('wfv', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.assets)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('asset', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.asset_versions)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('assetv', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.jobs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('job', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.job_logs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('log', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.renders)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('render', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.schedules)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('sched', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.webhooks)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('hook', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.webhook_deliveries)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('hookdel', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.usage_records)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('usage', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.quota_limits)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('quota', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.invoices)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('inv', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.credit_packs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('pack', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.integrations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('integ', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.kai_generations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('kaigen', $1.id) $$;
-- 0.4.0 replaces the statement-text drop guard of 0.1.0-0.3.0
DROP EVENT TRIGGER fenta_guard_drop;
DROP FUNCTION fenta.guard_drop();
-- ===========================================================================
-- The drop guard: nothing fenta owns disappears, directly or by cascade,
-- unless the session has said so first:
--
--     SET fenta.allow_drop = on;
--     DROP EXTENSION fenta CASCADE;
--
-- Guarded: the extension and its members; the policies, triggers,
-- constraints, defaults, indexes and columns fenta made on its tables (and
-- its signup trigger on auth.users), listed in fenta.guarded_objects; the
-- monthly partitions public.usage_records_YYYY_MM and the archived months
-- in fenta_archive.  Unrelated drops always work.  See src/guard.c.
-- ===========================================================================

CREATE FUNCTION fenta.drop_allowed()
RETURNS boolean
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'fenta_drop_allowed';
COMMENT ON FUNCTION fenta.drop_allowed() IS
'True when this session may drop objects fenta owns: fenta.allow_drop is on, or fenta''s own install or update script is running.';
REVOKE ALL ON FUNCTION fenta.drop_allowed() FROM PUBLIC, anon, authenticated, service_role;

-- What fenta made on its tables and elsewhere, by object address, as
-- pg_event_trigger_dropped_objects() reports a dropped object.
CREATE TABLE fenta.guarded_objects (
	classid oid NOT NULL,
	objid oid NOT NULL,
	objsubid integer NOT NULL,
	object_type text NOT NULL,
	object_identity text NOT NULL,
	CONSTRAINT guarded_objects_pkey PRIMARY KEY (classid, objid, objsubid)
);
COMMENT ON TABLE fenta.guarded_objects IS 'The drop guard''s registry: fenta''s members and the policies, triggers, constraints, defaults, indexes and columns fenta made, by object address. Filled by fenta.guard_register() at the end of every install and update script; a restore rebuilds it (its rows are not dumped).';
COMMENT ON COLUMN fenta.guarded_objects.classid IS 'Catalog of the object (pg_class, pg_policy, pg_trigger, ...).';
COMMENT ON COLUMN fenta.guarded_objects.objid IS 'OID of the object (for a column: of its table).';
COMMENT ON COLUMN fenta.guarded_objects.objsubid IS 'Column number for a column, else 0.';
COMMENT ON COLUMN fenta.guarded_objects.object_type IS 'Object type, as pg_identify_object() names it.';
COMMENT ON COLUMN fenta.guarded_objects.object_identity IS 'Object identity, as pg_identify_object() gives it.';
ALTER TABLE fenta.guarded_objects ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.guarded_objects FROM PUBLIC, anon, authenticated, service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.guarded_objects', 'WHERE false');

-- Fills the registry from the catalog: the members, and what depends on
-- them that is not a member (policies, triggers, constraints, defaults,
-- indexes, rewrite rules, owned sequences), and the columns of the member
-- tables.  Run at the end of the install script (nothing of a customer's
-- exists yet) and of every update script.
CREATE FUNCTION fenta.guard_register(known text[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	n integer;
BEGIN
	DELETE FROM fenta.guarded_objects;
	WITH RECURSIVE ext AS (
		SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'fenta'
	), members AS (
		SELECT d.classid, d.objid, 0 AS objsubid
		FROM pg_catalog.pg_depend d, ext
		WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
			AND d.refobjid OPERATOR(pg_catalog.=) ext.oid AND d.deptype OPERATOR(pg_catalog.=) 'e'
	), made (classid, objid) AS (
		SELECT d.classid, d.objid
		FROM pg_catalog.pg_depend d JOIN members m
			ON d.refclassid OPERATOR(pg_catalog.=) m.classid AND d.refobjid OPERATOR(pg_catalog.=) m.objid
		WHERE d.deptype OPERATOR(pg_catalog.<>) 'e'
			AND (d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::"char"[])
				OR d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_trigger'::pg_catalog.regclass,
					'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass]::pg_catalog.oid[]))
			AND d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_trigger'::pg_catalog.regclass,
				'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass,
				'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_rewrite'::pg_catalog.regclass,
				'pg_catalog.pg_class'::pg_catalog.regclass]::pg_catalog.oid[])
		UNION
		SELECT d.classid, d.objid
		FROM pg_catalog.pg_depend d JOIN made m
			ON d.refclassid OPERATOR(pg_catalog.=) m.classid AND d.refobjid OPERATOR(pg_catalog.=) m.objid
		WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::"char"[])
	), objects AS (
		SELECT classid, objid, objsubid, true AS member FROM members
		UNION
		SELECT classid, objid, 0, false FROM made
		UNION
		SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, a.attrelid, a.attnum::integer, false
		FROM pg_catalog.pg_attribute a JOIN members m
			ON m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND a.attrelid OPERATOR(pg_catalog.=) m.objid
		WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
	)
	INSERT INTO fenta.guarded_objects (classid, objid, objsubid, object_type, object_identity)
	SELECT DISTINCT ON (o.classid, o.objid, o.objsubid) o.classid, o.objid, o.objsubid, i.type, i.identity
	FROM objects o, pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) i
	-- an update passes what a fresh install has: objects of a customer's own
	-- on fenta's tables are then not taken for fenta's
	-- TOAST tables and the foreign keys' internal triggers are named by OID
	-- and go with their table or constraint
	WHERE i.schema IS DISTINCT FROM 'pg_toast'
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
			WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
				AND t.oid OPERATOR(pg_catalog.=) o.objid AND t.tgisinternal)
		AND (o.member OR guard_register.known IS NULL
		OR (i.type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) i.identity) OPERATOR(pg_catalog.=) ANY (guard_register.known))
	ORDER BY o.classid, o.objid, o.objsubid, o.member DESC;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.guard_register(text[]) IS
'Refills fenta.guarded_objects from the catalog (members of fenta, what depends on them that fenta made, the columns of its tables); returns the number of objects. known: when given (by an update script), only sub-objects whose type and identity a fresh install has are registered, so that objects of your own on fenta''s tables are not taken for fenta''s.';
REVOKE ALL ON FUNCTION fenta.guard_register(text[]) FROM PUBLIC, anon, authenticated, service_role;

-- sql_drop: what a statement really dropped, while fenta itself survives.
CREATE FUNCTION fenta.guard_sql_drop()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	hit text;
BEGIN
	IF fenta.drop_allowed() THEN
		RETURN;
	END IF;
	SELECT d.object_type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) d.object_identity INTO hit
	FROM pg_catalog.pg_event_trigger_dropped_objects() d
	WHERE EXISTS (SELECT FROM fenta.guarded_objects g
			WHERE g.classid OPERATOR(pg_catalog.=) d.classid AND g.objid OPERATOR(pg_catalog.=) d.objid
				AND g.objsubid OPERATOR(pg_catalog.=) d.objsubid)
		OR (d.object_type OPERATOR(pg_catalog.=) 'table'
			AND ((d.schema_name OPERATOR(pg_catalog.=) 'public'
					AND d.object_name OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$')
				OR d.schema_name OPERATOR(pg_catalog.=) 'fenta_archive'))
	LIMIT 1;
	IF hit IS NOT NULL THEN
		RAISE EXCEPTION 'this statement would drop %, which belongs to fenta', hit
			USING ERRCODE = 'dependent_objects_still_exist',
				DETAIL = pg_catalog.format('The command %s was rolled back by the event trigger fenta_guard_sql_drop.', TG_TAG),
				HINT = 'To drop it on purpose, run SET fenta.allow_drop = on; in the same session first.';
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.guard_sql_drop() IS
'Event trigger function (sql_drop): rolls back a statement that dropped an object fenta owns (fenta.guarded_objects, a monthly partition of usage_records, an archived month) unless fenta.allow_drop is on.';
REVOKE ALL ON FUNCTION fenta.guard_sql_drop() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.guard_ddl_start()
RETURNS event_trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_guard_ddl_start';
COMMENT ON FUNCTION fenta.guard_ddl_start() IS
'Event trigger function (ddl_command_start): refuses a DROP or DROP OWNED statement that would drop the fenta extension, directly or by cascade (it follows pg_depend from what the statement names), unless fenta.allow_drop is on.';
REVOKE ALL ON FUNCTION fenta.guard_ddl_start() FROM PUBLIC, anon, authenticated, service_role;

CREATE EVENT TRIGGER fenta_guard_ddl_start ON ddl_command_start
	WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED', 'DROP TABLE', 'DROP VIEW',
		'DROP MATERIALIZED VIEW', 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE',
		'DROP AGGREGATE', 'DROP TYPE', 'DROP DOMAIN', 'DROP SEQUENCE', 'DROP INDEX',
		'DROP FOREIGN TABLE', 'DROP OPERATOR', 'DROP COLLATION', 'DROP CAST',
		'DROP TEXT SEARCH CONFIGURATION', 'DROP TEXT SEARCH DICTIONARY', 'DROP CONVERSION',
		'DROP OPERATOR CLASS', 'DROP OPERATOR FAMILY', 'DROP SERVER', 'DROP FOREIGN DATA WRAPPER')
	EXECUTE FUNCTION fenta.guard_ddl_start();
CREATE EVENT TRIGGER fenta_guard_sql_drop ON sql_drop
	EXECUTE FUNCTION fenta.guard_sql_drop();
-- ===========================================================================
-- Objects of your own on fenta's tables (a column, a CHECK or foreign key,
-- an index, a trigger, a policy, a rule) survive pg_dump and restore.
--
-- pg_dump dumps the rows of an extension's tables but not their
-- definitions, so anything added to them is not in a dump: a RESTRICTIVE
-- policy was lost silently, and an added column made the data restore fail.
-- fenta keeps their definitions in fenta.customer_objects, refreshed at the
-- end of every DDL command; the table's rows are dumped, and when a restore
-- inserts them (before the rows of public.*: pg_dump loads schema fenta
-- first) a trigger, enabled ALWAYS so that it fires under
-- session_replication_role = replica, re-creates each object.
-- ===========================================================================

CREATE TABLE fenta.customer_objects (
	position integer NOT NULL,
	object_type text NOT NULL,
	object_identity text NOT NULL,
	definition text NOT NULL,
	CONSTRAINT customer_objects_pkey PRIMARY KEY (position)
);
COMMENT ON TABLE fenta.customer_objects IS 'Definitions of the objects you added to fenta''s tables (columns, constraints, indexes, triggers, policies, rules), in the order a restore re-creates them; refreshed at the end of every DDL command, dumped, and replayed when a restore loads its rows.';
COMMENT ON COLUMN fenta.customer_objects.position IS 'Replay order: columns first, then constraints, indexes, triggers, policies and rules.';
COMMENT ON COLUMN fenta.customer_objects.object_type IS 'Object type, as pg_identify_object() names it.';
COMMENT ON COLUMN fenta.customer_objects.object_identity IS 'Object identity, as pg_identify_object() gives it.';
COMMENT ON COLUMN fenta.customer_objects.definition IS 'The statement that re-creates the object.';
ALTER TABLE fenta.customer_objects ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.customer_objects FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.customer_objects TO service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.customer_objects', '');

-- The definitions, from the catalog: every sub-object of fenta's tables that
-- fenta did not make (fenta.guarded_objects lists what it made).
CREATE FUNCTION fenta.customer_object_definitions()
RETURNS TABLE (object_type text, object_identity text, definition text, kind integer)
LANGUAGE sql STABLE
SET search_path = ''
AS $$
	WITH tables AS (
		SELECT d.objid AS relid
		FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
		WHERE e.extname OPERATOR(pg_catalog.=) 'fenta'
			AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
			AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND d.deptype OPERATOR(pg_catalog.=) 'e'
			AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) d.objid
				AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[]))
	), made AS (
		SELECT g.classid, g.objid, g.objsubid FROM fenta.guarded_objects g
	), objects AS (
		-- columns
		SELECT 1 AS kind, 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS classid,
			a.attrelid AS objid, a.attnum::integer AS objsubid,
			pg_catalog.format('ALTER TABLE %s ADD COLUMN %I %s%s%s%s', a.attrelid::pg_catalog.regclass, a.attname,
				pg_catalog.format_type(a.atttypid, a.atttypmod),
				CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) 0
					AND a.attcollation OPERATOR(pg_catalog.<>) (SELECT t.typcollation FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) a.atttypid)
					THEN ' COLLATE ' OPERATOR(pg_catalog.||) a.attcollation::pg_catalog.regcollation::pg_catalog.text ELSE '' END,
				CASE WHEN ad.oid IS NULL THEN ''
					WHEN a.attgenerated OPERATOR(pg_catalog.=) 's' THEN ' GENERATED ALWAYS AS (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) OPERATOR(pg_catalog.||) ') STORED'
					ELSE ' DEFAULT ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,
				CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END) AS definition
		FROM pg_catalog.pg_attribute a JOIN tables t ON t.relid OPERATOR(pg_catalog.=) a.attrelid
			LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
		WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
		UNION ALL
		-- constraints (a unique or exclusion constraint brings its index)
		SELECT 2, 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, c.oid, 0,
			pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::pg_catalog.regclass, c.conname,
				pg_catalog.pg_get_constraintdef(c.oid))
		FROM pg_catalog.pg_constraint c JOIN tables t ON t.relid OPERATOR(pg_catalog.=) c.conrelid
		WHERE c.conparentid OPERATOR(pg_catalog.=) 0
		UNION ALL
		-- indexes not made by a constraint
		SELECT 3, 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, i.indexrelid, 0,
			pg_catalog.pg_get_indexdef(i.indexrelid)
		FROM pg_catalog.pg_index i JOIN tables t ON t.relid OPERATOR(pg_catalog.=) i.indrelid
		WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_constraint c WHERE c.conindid OPERATOR(pg_catalog.=) i.indexrelid
			AND c.conrelid OPERATOR(pg_catalog.=) i.indrelid)
		UNION ALL
		-- triggers
		SELECT 4, 'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid, tg.oid, 0,
			pg_catalog.pg_get_triggerdef(tg.oid)
		FROM pg_catalog.pg_trigger tg JOIN tables t ON t.relid OPERATOR(pg_catalog.=) tg.tgrelid
		WHERE NOT tg.tgisinternal AND tg.tgparentid OPERATOR(pg_catalog.=) 0
		UNION ALL
		-- policies
		SELECT 5, 'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, p.oid, 0,
			pg_catalog.format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, p.polrelid::pg_catalog.regclass,
				CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
				CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
					WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
				(SELECT pg_catalog.string_agg(CASE WHEN r OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
					ELSE pg_catalog.quote_ident(r::pg_catalog.regrole::pg_catalog.text) END, ', ')
				 FROM pg_catalog.unnest(p.polroles) r),
				CASE WHEN p.polqual IS NULL THEN ''
					ELSE ' USING (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polqual, p.polrelid) OPERATOR(pg_catalog.||) ')' END,
				CASE WHEN p.polwithcheck IS NULL THEN ''
					ELSE ' WITH CHECK (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) OPERATOR(pg_catalog.||) ')' END)
		FROM pg_catalog.pg_policy p JOIN tables t ON t.relid OPERATOR(pg_catalog.=) p.polrelid
		UNION ALL
		-- rules
		SELECT 6, 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, rw.oid, 0,
			pg_catalog.pg_get_ruledef(rw.oid)
		FROM pg_catalog.pg_rewrite rw JOIN tables t ON t.relid OPERATOR(pg_catalog.=) rw.ev_class
		WHERE rw.rulename OPERATOR(pg_catalog.<>) '_RETURN'
	)
	SELECT i.type, i.identity, o.definition, o.kind
	FROM objects o, pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) i
	WHERE NOT EXISTS (SELECT FROM made m WHERE m.classid OPERATOR(pg_catalog.=) o.classid
		AND m.objid OPERATOR(pg_catalog.=) o.objid AND m.objsubid OPERATOR(pg_catalog.=) o.objsubid)
$$;
COMMENT ON FUNCTION fenta.customer_object_definitions() IS
'The objects on fenta''s tables that fenta did not make (not in fenta.guarded_objects), each with the statement that re-creates it.';
REVOKE ALL ON FUNCTION fenta.customer_object_definitions() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.customer_object_definitions() TO service_role;

CREATE FUNCTION fenta.customer_objects_refresh()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	defs text[];
	n integer;
BEGIN
	SELECT coalesce(pg_catalog.array_agg(pg_catalog.concat_ws(E'\n', d.object_type, d.object_identity, d.definition)
			ORDER BY d.kind, d.object_identity), '{}')
	INTO defs FROM fenta.customer_object_definitions() d;
	-- most DDL changes nothing here: then write nothing and wait for nobody
	IF defs OPERATOR(pg_catalog.=) (SELECT coalesce(pg_catalog.array_agg(pg_catalog.concat_ws(E'\n', c.object_type, c.object_identity, c.definition)
			ORDER BY c.position), '{}') FROM fenta.customer_objects c) THEN
		RETURN pg_catalog.cardinality(defs);
	END IF;
	-- one refresh at a time ('fent', 2); the catalog is read again under it
	PERFORM pg_catalog.pg_advisory_xact_lock(1717923444, 2);
	-- rows written here are not to be replayed
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_refresh', 'on', true);
	DELETE FROM fenta.customer_objects;
	INSERT INTO fenta.customer_objects (position, object_type, object_identity, definition)
	SELECT pg_catalog.row_number() OVER (ORDER BY d.kind, d.object_identity), d.object_type, d.object_identity, d.definition
	FROM fenta.customer_object_definitions() d;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_refresh', 'off', true);
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_refresh() IS
'Refills fenta.customer_objects from the catalog when it differs (under an advisory transaction lock, so that concurrent refreshes queue instead of colliding); returns the number of objects. Run at the end of every DDL command (event trigger fenta_customer_objects) and of every install and update script.';
REVOKE ALL ON FUNCTION fenta.customer_objects_refresh() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.customer_objects_ddl_end()
RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands()) THEN
		-- only a command outside an extension script (fenta's own scripts
		-- refresh at their end) on one of fenta's tables or on an object of
		-- one: a monthly partition, a table of the customer's, ... change
		-- nothing here
		IF NOT EXISTS (
			SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() c
			WHERE NOT c.in_extension
				AND EXISTS (SELECT FROM pg_catalog.pg_depend d
					WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
						AND d.deptype OPERATOR(pg_catalog.=) 'e'
						AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
						AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension e
							WHERE e.extname OPERATOR(pg_catalog.=) 'fenta')
						AND d.objid OPERATOR(pg_catalog.=) CASE c.classid
							WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN coalesce(
								(SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid OPERATOR(pg_catalog.=) c.objid), c.objid)
							WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
								(SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
								(SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
								(SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
								(SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid OPERATOR(pg_catalog.=) c.objid)
							END)) THEN
			RETURN;
		END IF;
	ELSIF pg_catalog.current_setting('fenta_internal.customer_objects_dropped', true) IS DISTINCT FROM 'on' THEN
		-- a DROP reports its objects at sql_drop (fenta.customer_objects_sql_drop)
		RETURN;
	END IF;
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_dropped', '', true);
	IF pg_catalog.to_regclass('fenta.customer_objects') IS NOT NULL THEN
		PERFORM fenta.customer_objects_refresh();
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_ddl_end() IS
'Event trigger function (ddl_command_end): refreshes fenta.customer_objects (as the owner: whoever runs the DDL) after a command, not part of an extension script, on one of fenta''s tables or on an index, policy, trigger, constraint or rule of one, or after a DROP that may have dropped such an object.';
REVOKE ALL ON FUNCTION fenta.customer_objects_ddl_end() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_customer_objects ON ddl_command_end
	EXECUTE FUNCTION fenta.customer_objects_ddl_end();

-- A DROP reports no command at ddl_command_end: note here, for the end of
-- the command, that it dropped a sub-object of a table in fenta's schemas.
CREATE FUNCTION fenta.customer_objects_sql_drop()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() d
			   WHERE d.object_type OPERATOR(pg_catalog.=) ANY ('{index,policy,trigger,table constraint,rule,default value,table column}'::text[])
				   AND d.schema_name OPERATOR(pg_catalog.=) ANY ('{public,fenta}'::text[])) THEN
		PERFORM pg_catalog.set_config('fenta_internal.customer_objects_dropped', 'on', true);
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_sql_drop() IS
'Event trigger function (sql_drop): notes, for fenta.customer_objects_ddl_end() at the end of the command, that a DROP dropped an index, policy, trigger, constraint, rule, default or column in schema public or fenta.';
REVOKE ALL ON FUNCTION fenta.customer_objects_sql_drop() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_customer_objects_dropped ON sql_drop
	EXECUTE FUNCTION fenta.customer_objects_sql_drop();

-- A restore inserts the dumped rows: re-create each object (once; one that
-- exists already is left alone).
CREATE FUNCTION fenta.customer_objects_replay()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.current_setting('fenta_internal.customer_objects_refresh', true) IS NOT DISTINCT FROM 'on' THEN
		RETURN NULL;
	END IF;
	BEGIN
		EXECUTE NEW.definition;
	EXCEPTION WHEN duplicate_object OR duplicate_column OR duplicate_table THEN
		NULL;
	END;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_replay() IS
'AFTER INSERT row trigger on fenta.customer_objects (enabled ALWAYS): re-creates the object a restored row describes, unless it exists; rows written by fenta.customer_objects_refresh() are not replayed.';
REVOKE ALL ON FUNCTION fenta.customer_objects_replay() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER customer_objects_replay AFTER INSERT ON fenta.customer_objects
	FOR EACH ROW EXECUTE FUNCTION fenta.customer_objects_replay();
ALTER TABLE fenta.customer_objects ENABLE ALWAYS TRIGGER customer_objects_replay;
-- Last step of the update to 0.4.0: the drop guard's registry lists what
-- fenta has made (95_drop_guard.sql).  The database may hold objects of a
-- customer's own on fenta's tables: only what a fresh 0.4.0 install has
-- (this list, generated from one: type and identity) is taken for fenta's;
-- the rest is listed in fenta.customer_objects and survives restores.
SELECT fenta.guard_register(ARRAY[
	'default value for fenta.quota_counters.render_seconds',
	'default value for fenta.quota_counters.storage_bytes',
	'default value for fenta.quota_counters.tokens',
	'default value for fenta.quota_reservations.created_at',
	'default value for fenta.quota_reservations.id',
	'default value for fenta.usage_idempotency.created_at',
	'default value for public.api_keys.created_at',
	'default value for public.api_keys.id',
	'default value for public.api_keys.scopes',
	'default value for public.api_keys.updated_at',
	'default value for public.api_keys.user_id',
	'default value for public.asset_versions.created_at',
	'default value for public.asset_versions.created_by',
	'default value for public.asset_versions.id',
	'default value for public.asset_versions.metadata',
	'default value for public.asset_versions.updated_at',
	'default value for public.assets.created_at',
	'default value for public.assets.id',
	'default value for public.assets.metadata',
	'default value for public.assets.source',
	'default value for public.assets.status',
	'default value for public.assets.updated_at',
	'default value for public.credit_packs.created_at',
	'default value for public.credit_packs.id',
	'default value for public.credit_packs.price_usd',
	'default value for public.credit_packs.updated_at',
	'default value for public.integrations.config',
	'default value for public.integrations.created_at',
	'default value for public.integrations.credentials',
	'default value for public.integrations.id',
	'default value for public.integrations.status',
	'default value for public.integrations.updated_at',
	'default value for public.invoices.amount_usd',
	'default value for public.invoices.created_at',
	'default value for public.invoices.currency',
	'default value for public.invoices.id',
	'default value for public.invoices.line_items',
	'default value for public.invoices.status',
	'default value for public.invoices.updated_at',
	'default value for public.job_logs.created_at',
	'default value for public.job_logs.id',
	'default value for public.job_logs.level',
	'default value for public.job_logs.updated_at',
	'default value for public.jobs.config',
	'default value for public.jobs.cost_kai_credits',
	'default value for public.jobs.cost_render_seconds',
	'default value for public.jobs.cost_tokens',
	'default value for public.jobs.cost_total_usd',
	'default value for public.jobs.created_at',
	'default value for public.jobs.created_by',
	'default value for public.jobs.id',
	'default value for public.jobs.progress',
	'default value for public.jobs.queued_at',
	'default value for public.jobs.retry_count',
	'default value for public.jobs.status',
	'default value for public.jobs.updated_at',
	'default value for public.kai_generations.created_at',
	'default value for public.kai_generations.id',
	'default value for public.kai_generations.params',
	'default value for public.kai_generations.result_asset_ids',
	'default value for public.kai_generations.status',
	'default value for public.kai_generations.updated_at',
	'default value for public.org_members.created_at',
	'default value for public.org_members.id',
	'default value for public.org_members.role',
	'default value for public.org_members.updated_at',
	'default value for public.orgs.created_at',
	'default value for public.orgs.id',
	'default value for public.orgs.owner_id',
	'default value for public.orgs.plan',
	'default value for public.orgs.settings',
	'default value for public.orgs.updated_at',
	'default value for public.profiles.created_at',
	'default value for public.profiles.metadata',
	'default value for public.profiles.role',
	'default value for public.profiles.status',
	'default value for public.profiles.updated_at',
	'default value for public.projects.created_at',
	'default value for public.projects.id',
	'default value for public.projects.settings',
	'default value for public.projects.updated_at',
	'default value for public.quota_limits.allow_overage',
	'default value for public.quota_limits.created_at',
	'default value for public.quota_limits.id',
	'default value for public.quota_limits.kai_credits_from_packs',
	'default value for public.quota_limits.kai_credits_used',
	'default value for public.quota_limits.overage_cap_usd',
	'default value for public.quota_limits.price_per_1k_tokens_usd',
	'default value for public.quota_limits.price_per_kai_credit_usd',
	'default value for public.quota_limits.price_per_render_second_usd',
	'default value for public.quota_limits.render_seconds_used',
	'default value for public.quota_limits.reserved_kai_credits',
	'default value for public.quota_limits.reserved_render_seconds',
	'default value for public.quota_limits.reserved_tokens',
	'default value for public.quota_limits.reset_at',
	'default value for public.quota_limits.storage_bytes_used',
	'default value for public.quota_limits.tokens_used',
	'default value for public.quota_limits.updated_at',
	'default value for public.renders.created_at',
	'default value for public.renders.id',
	'default value for public.renders.updated_at',
	'default value for public.schedules.created_at',
	'default value for public.schedules.enabled',
	'default value for public.schedules.id',
	'default value for public.schedules.run_count',
	'default value for public.schedules.timezone',
	'default value for public.schedules.updated_at',
	'default value for public.templates.aspect',
	'default value for public.templates.created_at',
	'default value for public.templates.id',
	'default value for public.templates.is_public',
	'default value for public.templates.spec',
	'default value for public.templates.updated_at',
	'default value for public.templates.usage_count',
	'default value for public.usage_records.cost_usd',
	'default value for public.usage_records.created_at',
	'default value for public.usage_records.id',
	'default value for public.usage_records.kai_credits',
	'default value for public.usage_records.llm_tokens_output',
	'default value for public.usage_records.llm_tokens_prompt',
	'default value for public.usage_records.metadata',
	'default value for public.usage_records.render_seconds',
	'default value for public.usage_records.storage_bytes',
	'default value for public.usage_records.updated_at',
	'default value for public.usage_records_default.cost_usd',
	'default value for public.usage_records_default.created_at',
	'default value for public.usage_records_default.id',
	'default value for public.usage_records_default.kai_credits',
	'default value for public.usage_records_default.llm_tokens_output',
	'default value for public.usage_records_default.llm_tokens_prompt',
	'default value for public.usage_records_default.metadata',
	'default value for public.usage_records_default.render_seconds',
	'default value for public.usage_records_default.storage_bytes',
	'default value for public.usage_records_default.updated_at',
	'default value for public.webhook_deliveries.attempts',
	'default value for public.webhook_deliveries.created_at',
	'default value for public.webhook_deliveries.id',
	'default value for public.webhook_deliveries.payload',
	'default value for public.webhook_deliveries.status',
	'default value for public.webhook_deliveries.updated_at',
	'default value for public.webhooks.created_at',
	'default value for public.webhooks.enabled',
	'default value for public.webhooks.id',
	'default value for public.webhooks.secret',
	'default value for public.webhooks.updated_at',
	'default value for public.workflow_versions.created_at',
	'default value for public.workflow_versions.created_by',
	'default value for public.workflow_versions.graph',
	'default value for public.workflow_versions.id',
	'default value for public.workflow_versions.updated_at',
	'default value for public.workflow_versions.variables',
	'default value for public.workflows.created_at',
	'default value for public.workflows.graph',
	'default value for public.workflows.id',
	'default value for public.workflows.run_count',
	'default value for public.workflows.status',
	'default value for public.workflows.updated_at',
	'default value for public.workflows.variables',
	'event trigger fenta_customer_objects',
	'event trigger fenta_guard_ddl_start',
	'event trigger fenta_guard_sql_drop',
	'event trigger fenta_secure_usage_months',
	'function fenta.apply_plan(pg_catalog.uuid)',
	'function fenta.apply_quota_resets()',
	'function fenta.apply_quota_resets_batch(integer)',
	'function fenta.bypasses_rls()',
	'function fenta.copy_org_deleted_at()',
	'function fenta.customer_object_definitions()',
	'function fenta.customer_objects_ddl_end()',
	'function fenta.customer_objects_refresh()',
	'function fenta.customer_objects_replay()',
	'function fenta.drop_allowed()',
	'function fenta.guard_ddl_start()',
	'function fenta.guard_register(pg_catalog.text[])',
	'function fenta.guard_sql_drop()',
	'function fenta.handle_new_org()',
	'function fenta.handle_new_user()',
	'function fenta.has_org_role(pg_catalog.uuid,public.member_role)',
	'function fenta.is_valid_timezone(pg_catalog.text)',
	'function fenta.jobs_update_guard()',
	'function fenta.maintain_partitions(integer,integer,boolean,boolean,timestamp with time zone)',
	'function fenta.maintenance_job_name()',
	'function fenta.maintenance_plan(integer,integer,boolean,timestamp with time zone)',
	'function fenta.maintenance_session_lock(boolean)',
	'function fenta.maintenance_step(pg_catalog.text,pg_catalog.text)',
	'function fenta.org_ids(public.member_role)',
	'function fenta.org_members_guard()',
	'function fenta.orgs_apply_plan()',
	'function fenta.plan_defaults()',
	'function fenta.quota_limits_org_deleted_at()',
	'function fenta.quota_usage(pg_catalog.uuid)',
	'function fenta.refresh_daily_usage(boolean)',
	'function fenta.release_quota(pg_catalog.uuid)',
	'function fenta.require_org_role()',
	'function fenta.reserve_quota(pg_catalog.uuid,bigint,bigint,bigint,interval)',
	'function fenta.rollup_quota_counters()',
	'function fenta.schedule_maintenance(pg_catalog.text,integer,integer)',
	'function fenta.secure_usage_months()',
	'function fenta.secure_usage_months_trigger()',
	'function fenta.typeid_decode(pg_catalog.text,pg_catalog.text)',
	'function fenta.typeid_encode(pg_catalog.text,pg_catalog.uuid)',
	'function fenta.typeid_prefix(pg_catalog.text)',
	'function fenta.typeid_prefix_of(pg_catalog.regclass)',
	'function fenta.unschedule_maintenance()',
	'function fenta.update_quota_usage()',
	'function fenta.update_updated_at()',
	'function fenta.usage_idempotency_guard()',
	'function fenta.usage_months_misprivileged()',
	'function fenta.usage_records_append_only()',
	'function fenta.uuid_generate_v7()',
	'function fenta.uuid_v7_timestamp(pg_catalog.uuid)',
	'function fenta.verify_api_key(pg_catalog.text)',
	'function public.check_quota(pg_catalog.uuid,bigint,bigint,bigint)',
	'function public.create_api_key(pg_catalog.uuid,pg_catalog.text,pg_catalog.jsonb,timestamp with time zone)',
	'function public.daily_usage(pg_catalog.uuid,pg_catalog.date,pg_catalog.date)',
	'function public.public_id(public.api_keys)',
	'function public.public_id(public.asset_versions)',
	'function public.public_id(public.assets)',
	'function public.public_id(public.credit_packs)',
	'function public.public_id(public.integrations)',
	'function public.public_id(public.invoices)',
	'function public.public_id(public.job_logs)',
	'function public.public_id(public.jobs)',
	'function public.public_id(public.kai_generations)',
	'function public.public_id(public.org_members)',
	'function public.public_id(public.orgs)',
	'function public.public_id(public.profiles)',
	'function public.public_id(public.projects)',
	'function public.public_id(public.quota_limits)',
	'function public.public_id(public.renders)',
	'function public.public_id(public.schedules)',
	'function public.public_id(public.templates)',
	'function public.public_id(public.usage_records)',
	'function public.public_id(public.webhook_deliveries)',
	'function public.public_id(public.webhooks)',
	'function public.public_id(public.workflow_versions)',
	'function public.public_id(public.workflows)',
	'function public.quota_status(pg_catalog.uuid,bigint,bigint,bigint)',
	'function public.uuid_from_public_id(pg_catalog.text,pg_catalog.regclass)',
	'index fenta.customer_objects_pkey',
	'index fenta.guarded_objects_pkey',
	'index fenta.idx_mv_daily_usage_org_day_resource',
	'index fenta.idx_quota_reservations_expires_at',
	'index fenta.idx_quota_reservations_org_id',
	'index fenta.idx_usage_idempotency_created_at',
	'index fenta.plan_overrides_pkey',
	'index fenta.quota_counters_pkey',
	'index fenta.quota_reservations_pkey',
	'index fenta.usage_idempotency_pkey',
	'index public.api_keys_key_hash_key',
	'index public.api_keys_pkey',
	'index public.asset_versions_asset_id_version_key',
	'index public.asset_versions_pkey',
	'index public.assets_org_id_id_key',
	'index public.assets_pkey',
	'index public.credit_packs_pkey',
	'index public.credit_packs_stripe_payment_id_key',
	'index public.idx_api_keys_org_id_user_id',
	'index public.idx_api_keys_scopes',
	'index public.idx_api_keys_user_id',
	'index public.idx_api_keys_valid',
	'index public.idx_asset_versions_created_by',
	'index public.idx_asset_versions_metadata',
	'index public.idx_asset_versions_org_id_asset_id',
	'index public.idx_assets_active',
	'index public.idx_assets_metadata',
	'index public.idx_assets_org_id_project_id',
	'index public.idx_assets_status',
	'index public.idx_credit_packs_available',
	'index public.idx_credit_packs_draw_order',
	'index public.idx_credit_packs_org_id',
	'index public.idx_integrations_config',
	'index public.idx_integrations_org_id',
	'index public.idx_integrations_org_provider_active',
	'index public.idx_integrations_status',
	'index public.idx_invoices_org_id',
	'index public.idx_invoices_status',
	'index public.idx_job_logs_org_id_job_id',
	'index public.idx_jobs_active',
	'index public.idx_jobs_config',
	'index public.idx_jobs_created_by',
	'index public.idx_jobs_org_id_parent_job_id',
	'index public.idx_jobs_org_id_project_id',
	'index public.idx_jobs_org_id_template_id',
	'index public.idx_jobs_org_id_workflow_id',
	'index public.idx_jobs_org_status',
	'index public.idx_jobs_queued',
	'index public.idx_jobs_status',
	'index public.idx_kai_generations_external_task_id',
	'index public.idx_kai_generations_org_id_job_id',
	'index public.idx_kai_generations_params',
	'index public.idx_kai_generations_status',
	'index public.idx_org_members_role',
	'index public.idx_org_members_user_id',
	'index public.idx_orgs_active',
	'index public.idx_orgs_owner_id',
	'index public.idx_orgs_plan',
	'index public.idx_orgs_settings',
	'index public.idx_profiles_metadata',
	'index public.idx_profiles_status',
	'index public.idx_projects_active',
	'index public.idx_projects_settings',
	'index public.idx_quota_limits_reset_at',
	'index public.idx_renders_org_id_job_id',
	'index public.idx_schedules_enabled',
	'index public.idx_schedules_org_id_workflow_id',
	'index public.idx_templates_active',
	'index public.idx_templates_org_id_project_id',
	'index public.idx_templates_public',
	'index public.idx_templates_spec',
	'index public.idx_webhook_deliveries_org_id_webhook_id',
	'index public.idx_webhook_deliveries_pending',
	'index public.idx_webhook_deliveries_status',
	'index public.idx_webhooks_active',
	'index public.idx_webhooks_events',
	'index public.idx_workflow_versions_created_by',
	'index public.idx_workflow_versions_graph',
	'index public.idx_workflow_versions_org_id_workflow_id',
	'index public.idx_workflows_active',
	'index public.idx_workflows_graph',
	'index public.idx_workflows_org_id_project_id',
	'index public.idx_workflows_org_id_template_id',
	'index public.idx_workflows_status',
	'index public.integrations_pkey',
	'index public.invoices_pkey',
	'index public.invoices_stripe_invoice_id_key',
	'index public.job_logs_pkey',
	'index public.jobs_org_id_id_key',
	'index public.jobs_pkey',
	'index public.kai_generations_pkey',
	'index public.org_members_org_id_user_id_key',
	'index public.org_members_pkey',
	'index public.orgs_pkey',
	'index public.orgs_slug_key',
	'index public.orgs_stripe_customer_id_key',
	'index public.profiles_pkey',
	'index public.projects_org_id_id_key',
	'index public.projects_pkey',
	'index public.quota_limits_org_id_key',
	'index public.quota_limits_pkey',
	'index public.renders_pkey',
	'index public.schedules_pkey',
	'index public.templates_org_id_id_key',
	'index public.templates_pkey',
	'index public.usage_records_default_metadata_idx',
	'index public.usage_records_default_org_id_created_at_idx',
	'index public.usage_records_default_org_id_job_id_idx',
	'index public.usage_records_default_pkey',
	'index public.usage_records_default_resource_type_idx',
	'index public.usage_records_default_user_id_idx',
	'index public.webhook_deliveries_pkey',
	'index public.webhooks_org_id_id_key',
	'index public.webhooks_pkey',
	'index public.workflow_versions_pkey',
	'index public.workflow_versions_workflow_id_version_key',
	'index public.workflows_org_id_id_key',
	'index public.workflows_pkey',
	'materialized view column fenta.mv_daily_usage.cost_usd',
	'materialized view column fenta.mv_daily_usage.day',
	'materialized view column fenta.mv_daily_usage.events',
	'materialized view column fenta.mv_daily_usage.kai_credits',
	'materialized view column fenta.mv_daily_usage.llm_tokens_output',
	'materialized view column fenta.mv_daily_usage.llm_tokens_prompt',
	'materialized view column fenta.mv_daily_usage.org_id',
	'materialized view column fenta.mv_daily_usage.render_seconds',
	'materialized view column fenta.mv_daily_usage.resource_type',
	'materialized view column fenta.mv_daily_usage.storage_bytes',
	'materialized view column fenta.mv_daily_usage.tokens',
	'materialized view fenta.mv_daily_usage',
	'policy api_keys_insert_own on public.api_keys',
	'policy api_keys_select_own_or_admin on public.api_keys',
	'policy api_keys_update_own_or_admin on public.api_keys',
	'policy asset_versions_delete_admin on public.asset_versions',
	'policy asset_versions_insert_editor on public.asset_versions',
	'policy asset_versions_select_member on public.asset_versions',
	'policy asset_versions_update_editor on public.asset_versions',
	'policy assets_delete_admin on public.assets',
	'policy assets_insert_editor on public.assets',
	'policy assets_select_deleted_admin on public.assets',
	'policy assets_select_member on public.assets',
	'policy assets_update_editor on public.assets',
	'policy credit_packs_select_admin on public.credit_packs',
	'policy integrations_delete_admin on public.integrations',
	'policy integrations_insert_admin on public.integrations',
	'policy integrations_select_admin on public.integrations',
	'policy integrations_update_admin on public.integrations',
	'policy invoices_select_admin on public.invoices',
	'policy job_logs_select_member on public.job_logs',
	'policy jobs_delete_admin on public.jobs',
	'policy jobs_insert_editor on public.jobs',
	'policy jobs_select_deleted_admin on public.jobs',
	'policy jobs_select_member on public.jobs',
	'policy jobs_update_editor on public.jobs',
	'policy kai_generations_select_member on public.kai_generations',
	'policy org_members_delete_admin_or_self on public.org_members',
	'policy org_members_insert_admin on public.org_members',
	'policy org_members_select_member on public.org_members',
	'policy org_members_update_admin on public.org_members',
	'policy orgs_delete_owner on public.orgs',
	'policy orgs_insert_as_owner on public.orgs',
	'policy orgs_select_member on public.orgs',
	'policy orgs_update_admin on public.orgs',
	'policy profiles_select_own on public.profiles',
	'policy profiles_update_own on public.profiles',
	'policy projects_delete_admin on public.projects',
	'policy projects_insert_editor on public.projects',
	'policy projects_select_deleted_admin on public.projects',
	'policy projects_select_member on public.projects',
	'policy projects_update_editor on public.projects',
	'policy quota_limits_select_member on public.quota_limits',
	'policy renders_select_member on public.renders',
	'policy schedules_delete_admin on public.schedules',
	'policy schedules_insert_editor on public.schedules',
	'policy schedules_select_member on public.schedules',
	'policy schedules_update_editor on public.schedules',
	'policy templates_delete_admin on public.templates',
	'policy templates_insert_editor on public.templates',
	'policy templates_select_deleted_admin on public.templates',
	'policy templates_select_member on public.templates',
	'policy templates_select_public on public.templates',
	'policy templates_update_editor on public.templates',
	'policy usage_records_select_member on public.usage_records',
	'policy webhook_deliveries_select_admin on public.webhook_deliveries',
	'policy webhooks_delete_admin on public.webhooks',
	'policy webhooks_insert_admin on public.webhooks',
	'policy webhooks_select_admin on public.webhooks',
	'policy webhooks_update_admin on public.webhooks',
	'policy workflow_versions_delete_admin on public.workflow_versions',
	'policy workflow_versions_insert_editor on public.workflow_versions',
	'policy workflow_versions_select_member on public.workflow_versions',
	'policy workflow_versions_update_editor on public.workflow_versions',
	'policy workflows_delete_admin on public.workflows',
	'policy workflows_insert_editor on public.workflows',
	'policy workflows_select_deleted_admin on public.workflows',
	'policy workflows_select_member on public.workflows',
	'policy workflows_update_editor on public.workflows',
	'procedure fenta.run_maintenance(integer,integer,boolean,boolean,timestamp with time zone,integer)',
	'rule "_RETURN" on fenta.mv_daily_usage',
	'rule "_RETURN" on fenta.plans',
	'schema fenta_archive',
	'table column fenta.customer_objects."position"',
	'table column fenta.customer_objects.definition',
	'table column fenta.customer_objects.object_identity',
	'table column fenta.customer_objects.object_type',
	'table column fenta.guarded_objects.classid',
	'table column fenta.guarded_objects.object_identity',
	'table column fenta.guarded_objects.object_type',
	'table column fenta.guarded_objects.objid',
	'table column fenta.guarded_objects.objsubid',
	'table column fenta.plan_overrides.allow_overage',
	'table column fenta.plan_overrides.kai_credits_limit',
	'table column fenta.plan_overrides.overage_cap_usd',
	'table column fenta.plan_overrides.plan',
	'table column fenta.plan_overrides.price_per_1k_tokens_usd',
	'table column fenta.plan_overrides.price_per_kai_credit_usd',
	'table column fenta.plan_overrides.price_per_render_second_usd',
	'table column fenta.plan_overrides.render_seconds_limit',
	'table column fenta.plan_overrides.storage_bytes_limit',
	'table column fenta.plan_overrides.tokens_limit',
	'table column fenta.quota_counters.org_id',
	'table column fenta.quota_counters.render_seconds',
	'table column fenta.quota_counters.slot',
	'table column fenta.quota_counters.storage_bytes',
	'table column fenta.quota_counters.tokens',
	'table column fenta.quota_reservations.created_at',
	'table column fenta.quota_reservations.expires_at',
	'table column fenta.quota_reservations.id',
	'table column fenta.quota_reservations.kai_credits',
	'table column fenta.quota_reservations.org_id',
	'table column fenta.quota_reservations.render_seconds',
	'table column fenta.quota_reservations.tokens',
	'table column fenta.usage_idempotency.created_at',
	'table column fenta.usage_idempotency.idempotency_key',
	'table column fenta.usage_idempotency.org_id',
	'table column fenta.usage_idempotency.usage_id',
	'table column public.api_keys.created_at',
	'table column public.api_keys.expires_at',
	'table column public.api_keys.id',
	'table column public.api_keys.key_hash',
	'table column public.api_keys.key_prefix',
	'table column public.api_keys.last_used_at',
	'table column public.api_keys.name',
	'table column public.api_keys.org_id',
	'table column public.api_keys.revoked_at',
	'table column public.api_keys.scopes',
	'table column public.api_keys.updated_at',
	'table column public.api_keys.user_id',
	'table column public.asset_versions.asset_id',
	'table column public.asset_versions.checksum_sha256',
	'table column public.asset_versions.created_at',
	'table column public.asset_versions.created_by',
	'table column public.asset_versions.file_size_bytes',
	'table column public.asset_versions.id',
	'table column public.asset_versions.metadata',
	'table column public.asset_versions.org_id',
	'table column public.asset_versions.storage_path',
	'table column public.asset_versions.updated_at',
	'table column public.asset_versions.url',
	'table column public.asset_versions.version',
	'table column public.assets.created_at',
	'table column public.assets.deleted_at',
	'table column public.assets.duration_seconds',
	'table column public.assets.file_size_bytes',
	'table column public.assets.fps',
	'table column public.assets.height',
	'table column public.assets.id',
	'table column public.assets.metadata',
	'table column public.assets.mime_type',
	'table column public.assets.name',
	'table column public.assets.org_id',
	'table column public.assets.project_id',
	'table column public.assets.source',
	'table column public.assets.status',
	'table column public.assets.storage_path',
	'table column public.assets.thumbnail_url',
	'table column public.assets.type',
	'table column public.assets.updated_at',
	'table column public.assets.url',
	'table column public.assets.width',
	'table column public.credit_packs.created_at',
	'table column public.credit_packs.credits_purchased',
	'table column public.credit_packs.credits_remaining',
	'table column public.credit_packs.expires_at',
	'table column public.credit_packs.id',
	'table column public.credit_packs.org_id',
	'table column public.credit_packs.pack_type',
	'table column public.credit_packs.price_usd',
	'table column public.credit_packs.stripe_payment_id',
	'table column public.credit_packs.updated_at',
	'table column public.integrations.config',
	'table column public.integrations.created_at',
	'table column public.integrations.credentials',
	'table column public.integrations.deleted_at',
	'table column public.integrations.id',
	'table column public.integrations.org_id',
	'table column public.integrations.provider',
	'table column public.integrations.status',
	'table column public.integrations.updated_at',
	'table column public.invoices.amount_usd',
	'table column public.invoices.created_at',
	'table column public.invoices.currency',
	'table column public.invoices.due_at',
	'table column public.invoices.id',
	'table column public.invoices.line_items',
	'table column public.invoices.org_id',
	'table column public.invoices.paid_at',
	'table column public.invoices.period_end',
	'table column public.invoices.period_start',
	'table column public.invoices.status',
	'table column public.invoices.stripe_invoice_id',
	'table column public.invoices.updated_at',
	'table column public.job_logs.created_at',
	'table column public.job_logs.data',
	'table column public.job_logs.id',
	'table column public.job_logs.job_id',
	'table column public.job_logs.level',
	'table column public.job_logs.message',
	'table column public.job_logs.org_id',
	'table column public.job_logs.stage',
	'table column public.job_logs.updated_at',
	'table column public.jobs.completed_at',
	'table column public.jobs.config',
	'table column public.jobs.cost_kai_credits',
	'table column public.jobs.cost_render_seconds',
	'table column public.jobs.cost_tokens',
	'table column public.jobs.cost_total_usd',
	'table column public.jobs.created_at',
	'table column public.jobs.created_by',
	'table column public.jobs.deleted_at',
	'table column public.jobs.error',
	'table column public.jobs.id',
	'table column public.jobs.org_id',
	'table column public.jobs.parent_job_id',
	'table column public.jobs.progress',
	'table column public.jobs.project_id',
	'table column public.jobs.queued_at',
	'table column public.jobs.result',
	'table column public.jobs.retry_count',
	'table column public.jobs.started_at',
	'table column public.jobs.status',
	'table column public.jobs.template_id',
	'table column public.jobs.updated_at',
	'table column public.jobs.workflow_id',
	'table column public.kai_generations.cost_usd',
	'table column public.kai_generations.created_at',
	'table column public.kai_generations.credits_used',
	'table column public.kai_generations.error',
	'table column public.kai_generations.external_task_id',
	'table column public.kai_generations.id',
	'table column public.kai_generations.job_id',
	'table column public.kai_generations.model',
	'table column public.kai_generations.org_id',
	'table column public.kai_generations.params',
	'table column public.kai_generations.prompt',
	'table column public.kai_generations.result_asset_ids',
	'table column public.kai_generations.status',
	'table column public.kai_generations.type',
	'table column public.kai_generations.updated_at',
	'table column public.org_members.created_at',
	'table column public.org_members.id',
	'table column public.org_members.org_id',
	'table column public.org_members.role',
	'table column public.org_members.updated_at',
	'table column public.org_members.user_id',
	'table column public.orgs.billing_email',
	'table column public.orgs.created_at',
	'table column public.orgs.deleted_at',
	'table column public.orgs.id',
	'table column public.orgs.name',
	'table column public.orgs.owner_id',
	'table column public.orgs.plan',
	'table column public.orgs.settings',
	'table column public.orgs.slug',
	'table column public.orgs.stripe_customer_id',
	'table column public.orgs.updated_at',
	'table column public.profiles.avatar_url',
	'table column public.profiles.created_at',
	'table column public.profiles.id',
	'table column public.profiles.metadata',
	'table column public.profiles.name',
	'table column public.profiles.role',
	'table column public.profiles.status',
	'table column public.profiles.updated_at',
	'table column public.projects.created_at',
	'table column public.projects.deleted_at',
	'table column public.projects.description',
	'table column public.projects.id',
	'table column public.projects.name',
	'table column public.projects.org_id',
	'table column public.projects.settings',
	'table column public.projects.updated_at',
	'table column public.quota_limits.allow_overage',
	'table column public.quota_limits.created_at',
	'table column public.quota_limits.id',
	'table column public.quota_limits.kai_credits_from_packs',
	'table column public.quota_limits.kai_credits_limit',
	'table column public.quota_limits.kai_credits_used',
	'table column public.quota_limits.org_deleted_at',
	'table column public.quota_limits.org_id',
	'table column public.quota_limits.overage_cap_usd',
	'table column public.quota_limits.price_per_1k_tokens_usd',
	'table column public.quota_limits.price_per_kai_credit_usd',
	'table column public.quota_limits.price_per_render_second_usd',
	'table column public.quota_limits.render_seconds_limit',
	'table column public.quota_limits.render_seconds_used',
	'table column public.quota_limits.reserved_kai_credits',
	'table column public.quota_limits.reserved_render_seconds',
	'table column public.quota_limits.reserved_tokens',
	'table column public.quota_limits.reset_at',
	'table column public.quota_limits.storage_bytes_limit',
	'table column public.quota_limits.storage_bytes_used',
	'table column public.quota_limits.tokens_limit',
	'table column public.quota_limits.tokens_used',
	'table column public.quota_limits.updated_at',
	'table column public.renders.bitrate_kbps',
	'table column public.renders.codec',
	'table column public.renders.created_at',
	'table column public.renders.duration_seconds',
	'table column public.renders.file_size_bytes',
	'table column public.renders.fps',
	'table column public.renders.id',
	'table column public.renders.job_id',
	'table column public.renders.org_id',
	'table column public.renders.resolution',
	'table column public.renders.srt_url',
	'table column public.renders.thumbnail_url',
	'table column public.renders.updated_at',
	'table column public.renders.video_storage_path',
	'table column public.renders.video_url',
	'table column public.schedules.created_at',
	'table column public.schedules.cron',
	'table column public.schedules.enabled',
	'table column public.schedules.id',
	'table column public.schedules.last_run_at',
	'table column public.schedules.next_run_at',
	'table column public.schedules.org_id',
	'table column public.schedules.run_count',
	'table column public.schedules.timezone',
	'table column public.schedules.updated_at',
	'table column public.schedules.workflow_id',
	'table column public.templates.aspect',
	'table column public.templates.created_at',
	'table column public.templates.deleted_at',
	'table column public.templates.description',
	'table column public.templates.id',
	'table column public.templates.is_public',
	'table column public.templates.name',
	'table column public.templates.org_id',
	'table column public.templates.project_id',
	'table column public.templates.resolution',
	'table column public.templates.spec',
	'table column public.templates.thumbnail_url',
	'table column public.templates.updated_at',
	'table column public.templates.usage_count',
	'table column public.usage_records.cost_usd',
	'table column public.usage_records.created_at',
	'table column public.usage_records.id',
	'table column public.usage_records.idempotency_key',
	'table column public.usage_records.job_id',
	'table column public.usage_records.kai_credits',
	'table column public.usage_records.kai_model',
	'table column public.usage_records.llm_model',
	'table column public.usage_records.llm_tokens_output',
	'table column public.usage_records.llm_tokens_prompt',
	'table column public.usage_records.metadata',
	'table column public.usage_records.org_id',
	'table column public.usage_records.render_profile',
	'table column public.usage_records.render_seconds',
	'table column public.usage_records.resource_type',
	'table column public.usage_records.storage_bytes',
	'table column public.usage_records.updated_at',
	'table column public.usage_records.user_id',
	'table column public.usage_records_default.cost_usd',
	'table column public.usage_records_default.created_at',
	'table column public.usage_records_default.id',
	'table column public.usage_records_default.idempotency_key',
	'table column public.usage_records_default.job_id',
	'table column public.usage_records_default.kai_credits',
	'table column public.usage_records_default.kai_model',
	'table column public.usage_records_default.llm_model',
	'table column public.usage_records_default.llm_tokens_output',
	'table column public.usage_records_default.llm_tokens_prompt',
	'table column public.usage_records_default.metadata',
	'table column public.usage_records_default.org_id',
	'table column public.usage_records_default.render_profile',
	'table column public.usage_records_default.render_seconds',
	'table column public.usage_records_default.resource_type',
	'table column public.usage_records_default.storage_bytes',
	'table column public.usage_records_default.updated_at',
	'table column public.usage_records_default.user_id',
	'table column public.webhook_deliveries.attempts',
	'table column public.webhook_deliveries.created_at',
	'table column public.webhook_deliveries.delivered_at',
	'table column public.webhook_deliveries.event',
	'table column public.webhook_deliveries.http_status',
	'table column public.webhook_deliveries.id',
	'table column public.webhook_deliveries.next_retry_at',
	'table column public.webhook_deliveries.org_id',
	'table column public.webhook_deliveries.payload',
	'table column public.webhook_deliveries.response_body',
	'table column public.webhook_deliveries.status',
	'table column public.webhook_deliveries.updated_at',
	'table column public.webhook_deliveries.webhook_id',
	'table column public.webhooks.created_at',
	'table column public.webhooks.deleted_at',
	'table column public.webhooks.enabled',
	'table column public.webhooks.events',
	'table column public.webhooks.id',
	'table column public.webhooks.name',
	'table column public.webhooks.org_id',
	'table column public.webhooks.secret',
	'table column public.webhooks.updated_at',
	'table column public.webhooks.url',
	'table column public.workflow_versions.created_at',
	'table column public.workflow_versions.created_by',
	'table column public.workflow_versions.graph',
	'table column public.workflow_versions.id',
	'table column public.workflow_versions.note',
	'table column public.workflow_versions.org_id',
	'table column public.workflow_versions.updated_at',
	'table column public.workflow_versions.variables',
	'table column public.workflow_versions.version',
	'table column public.workflow_versions.workflow_id',
	'table column public.workflows.created_at',
	'table column public.workflows.deleted_at',
	'table column public.workflows.description',
	'table column public.workflows.graph',
	'table column public.workflows.id',
	'table column public.workflows.last_run_at',
	'table column public.workflows.name',
	'table column public.workflows.org_id',
	'table column public.workflows.project_id',
	'table column public.workflows.run_count',
	'table column public.workflows.status',
	'table column public.workflows.template_id',
	'table column public.workflows.updated_at',
	'table column public.workflows.variables',
	'table constraint api_keys_key_hash_format on public.api_keys',
	'table constraint api_keys_key_hash_key on public.api_keys',
	'table constraint api_keys_key_prefix_format on public.api_keys',
	'table constraint api_keys_member_fkey on public.api_keys',
	'table constraint api_keys_name_not_empty on public.api_keys',
	'table constraint api_keys_org_id_fkey on public.api_keys',
	'table constraint api_keys_pkey on public.api_keys',
	'table constraint api_keys_scopes_is_array on public.api_keys',
	'table constraint api_keys_user_id_fkey on public.api_keys',
	'table constraint asset_versions_asset_id_fkey on public.asset_versions',
	'table constraint asset_versions_asset_id_version_key on public.asset_versions',
	'table constraint asset_versions_checksum_sha256_format on public.asset_versions',
	'table constraint asset_versions_created_by_fkey on public.asset_versions',
	'table constraint asset_versions_file_present on public.asset_versions',
	'table constraint asset_versions_file_size_bytes_not_negative on public.asset_versions',
	'table constraint asset_versions_metadata_is_object on public.asset_versions',
	'table constraint asset_versions_org_id_fkey on public.asset_versions',
	'table constraint asset_versions_pkey on public.asset_versions',
	'table constraint asset_versions_storage_path_not_empty on public.asset_versions',
	'table constraint asset_versions_url_format on public.asset_versions',
	'table constraint asset_versions_version_positive on public.asset_versions',
	'table constraint assets_duration_seconds_not_negative on public.assets',
	'table constraint assets_file_size_bytes_not_negative on public.assets',
	'table constraint assets_fps_positive on public.assets',
	'table constraint assets_height_positive on public.assets',
	'table constraint assets_metadata_is_object on public.assets',
	'table constraint assets_mime_type_format on public.assets',
	'table constraint assets_name_not_empty on public.assets',
	'table constraint assets_org_id_fkey on public.assets',
	'table constraint assets_org_id_id_key on public.assets',
	'table constraint assets_pkey on public.assets',
	'table constraint assets_project_id_fkey on public.assets',
	'table constraint assets_storage_path_not_empty on public.assets',
	'table constraint assets_thumbnail_url_format on public.assets',
	'table constraint assets_url_format on public.assets',
	'table constraint assets_width_positive on public.assets',
	'table constraint credit_packs_credits_purchased_positive on public.credit_packs',
	'table constraint credit_packs_credits_remaining_non_negative on public.credit_packs',
	'table constraint credit_packs_credits_remaining_not_above_purchased on public.credit_packs',
	'table constraint credit_packs_org_id_fkey on public.credit_packs',
	'table constraint credit_packs_pack_type_not_empty on public.credit_packs',
	'table constraint credit_packs_pkey on public.credit_packs',
	'table constraint credit_packs_price_usd_non_negative on public.credit_packs',
	'table constraint credit_packs_stripe_payment_id_key on public.credit_packs',
	'table constraint customer_objects_pkey on fenta.customer_objects',
	'table constraint guarded_objects_pkey on fenta.guarded_objects',
	'table constraint integrations_config_is_object on public.integrations',
	'table constraint integrations_credentials_is_object on public.integrations',
	'table constraint integrations_org_id_fkey on public.integrations',
	'table constraint integrations_pkey on public.integrations',
	'table constraint invoices_amount_usd_non_negative on public.invoices',
	'table constraint invoices_currency_format on public.invoices',
	'table constraint invoices_line_items_is_array on public.invoices',
	'table constraint invoices_org_id_fkey on public.invoices',
	'table constraint invoices_period_end_not_before_start on public.invoices',
	'table constraint invoices_pkey on public.invoices',
	'table constraint invoices_stripe_invoice_id_key on public.invoices',
	'table constraint job_logs_job_id_fkey on public.job_logs',
	'table constraint job_logs_org_id_fkey on public.job_logs',
	'table constraint job_logs_pkey on public.job_logs',
	'table constraint jobs_completed_at_order on public.jobs',
	'table constraint jobs_config_is_object on public.jobs',
	'table constraint jobs_cost_kai_credits_not_negative on public.jobs',
	'table constraint jobs_cost_render_seconds_not_negative on public.jobs',
	'table constraint jobs_cost_tokens_not_negative on public.jobs',
	'table constraint jobs_cost_total_usd_not_negative on public.jobs',
	'table constraint jobs_created_by_fkey on public.jobs',
	'table constraint jobs_org_id_fkey on public.jobs',
	'table constraint jobs_org_id_id_key on public.jobs',
	'table constraint jobs_parent_job_id_fkey on public.jobs',
	'table constraint jobs_parent_job_id_not_self on public.jobs',
	'table constraint jobs_pkey on public.jobs',
	'table constraint jobs_progress_range on public.jobs',
	'table constraint jobs_project_id_fkey on public.jobs',
	'table constraint jobs_retry_count_not_negative on public.jobs',
	'table constraint jobs_template_id_fkey on public.jobs',
	'table constraint jobs_workflow_id_fkey on public.jobs',
	'table constraint kai_generations_cost_usd_non_negative on public.kai_generations',
	'table constraint kai_generations_credits_used_non_negative on public.kai_generations',
	'table constraint kai_generations_error_is_object on public.kai_generations',
	'table constraint kai_generations_job_id_fkey on public.kai_generations',
	'table constraint kai_generations_model_not_empty on public.kai_generations',
	'table constraint kai_generations_org_id_fkey on public.kai_generations',
	'table constraint kai_generations_params_is_object on public.kai_generations',
	'table constraint kai_generations_pkey on public.kai_generations',
	'table constraint kai_generations_result_asset_ids_no_nulls on public.kai_generations',
	'table constraint org_members_org_id_fkey on public.org_members',
	'table constraint org_members_org_id_user_id_key on public.org_members',
	'table constraint org_members_pkey on public.org_members',
	'table constraint org_members_user_id_fkey on public.org_members',
	'table constraint orgs_billing_email_format on public.orgs',
	'table constraint orgs_name_not_empty on public.orgs',
	'table constraint orgs_owner_id_fkey on public.orgs',
	'table constraint orgs_pkey on public.orgs',
	'table constraint orgs_settings_is_object on public.orgs',
	'table constraint orgs_slug_format on public.orgs',
	'table constraint orgs_slug_key on public.orgs',
	'table constraint orgs_stripe_customer_id_key on public.orgs',
	'table constraint plan_overrides_kai_credits_limit_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_overage_cap_usd_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_pkey on fenta.plan_overrides',
	'table constraint plan_overrides_price_per_1k_tokens_usd_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_price_per_kai_credit_usd_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_price_per_render_second_usd_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_render_seconds_limit_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_storage_bytes_limit_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_tokens_limit_non_negative on fenta.plan_overrides',
	'table constraint profiles_avatar_url_format on public.profiles',
	'table constraint profiles_id_fkey on public.profiles',
	'table constraint profiles_metadata_is_object on public.profiles',
	'table constraint profiles_name_not_empty on public.profiles',
	'table constraint profiles_pkey on public.profiles',
	'table constraint projects_name_not_empty on public.projects',
	'table constraint projects_org_id_fkey on public.projects',
	'table constraint projects_org_id_id_key on public.projects',
	'table constraint projects_pkey on public.projects',
	'table constraint projects_settings_is_object on public.projects',
	'table constraint quota_counters_org_id_fkey on fenta.quota_counters',
	'table constraint quota_counters_pkey on fenta.quota_counters',
	'table constraint quota_counters_render_seconds_non_negative on fenta.quota_counters',
	'table constraint quota_counters_slot_range on fenta.quota_counters',
	'table constraint quota_counters_tokens_non_negative on fenta.quota_counters',
	'table constraint quota_limits_kai_credits_from_packs_non_negative on public.quota_limits',
	'table constraint quota_limits_kai_credits_limit_non_negative on public.quota_limits',
	'table constraint quota_limits_kai_credits_used_non_negative on public.quota_limits',
	'table constraint quota_limits_org_id_fkey on public.quota_limits',
	'table constraint quota_limits_org_id_key on public.quota_limits',
	'table constraint quota_limits_overage_cap_usd_non_negative on public.quota_limits',
	'table constraint quota_limits_pkey on public.quota_limits',
	'table constraint quota_limits_price_per_1k_tokens_usd_non_negative on public.quota_limits',
	'table constraint quota_limits_price_per_kai_credit_usd_non_negative on public.quota_limits',
	'table constraint quota_limits_price_per_render_second_usd_non_negative on public.quota_limits',
	'table constraint quota_limits_render_seconds_limit_non_negative on public.quota_limits',
	'table constraint quota_limits_render_seconds_used_non_negative on public.quota_limits',
	'table constraint quota_limits_reserved_kai_credits_non_negative on public.quota_limits',
	'table constraint quota_limits_reserved_render_seconds_non_negative on public.quota_limits',
	'table constraint quota_limits_reserved_tokens_non_negative on public.quota_limits',
	'table constraint quota_limits_storage_bytes_limit_non_negative on public.quota_limits',
	'table constraint quota_limits_storage_bytes_used_non_negative on public.quota_limits',
	'table constraint quota_limits_tokens_limit_non_negative on public.quota_limits',
	'table constraint quota_limits_tokens_used_non_negative on public.quota_limits',
	'table constraint quota_reservations_kai_credits_non_negative on fenta.quota_reservations',
	'table constraint quota_reservations_org_id_fkey on fenta.quota_reservations',
	'table constraint quota_reservations_pkey on fenta.quota_reservations',
	'table constraint quota_reservations_render_seconds_non_negative on fenta.quota_reservations',
	'table constraint quota_reservations_tokens_non_negative on fenta.quota_reservations',
	'table constraint renders_bitrate_kbps_not_negative on public.renders',
	'table constraint renders_duration_seconds_not_negative on public.renders',
	'table constraint renders_file_size_bytes_not_negative on public.renders',
	'table constraint renders_fps_positive on public.renders',
	'table constraint renders_job_id_fkey on public.renders',
	'table constraint renders_org_id_fkey on public.renders',
	'table constraint renders_pkey on public.renders',
	'table constraint renders_resolution_format on public.renders',
	'table constraint renders_srt_url_format on public.renders',
	'table constraint renders_thumbnail_url_format on public.renders',
	'table constraint renders_video_storage_path_not_empty on public.renders',
	'table constraint renders_video_url_format on public.renders',
	'table constraint schedules_cron_format on public.schedules',
	'table constraint schedules_org_id_fkey on public.schedules',
	'table constraint schedules_pkey on public.schedules',
	'table constraint schedules_run_count_not_negative on public.schedules',
	'table constraint schedules_timezone_valid on public.schedules',
	'table constraint schedules_workflow_id_fkey on public.schedules',
	'table constraint templates_aspect_valid on public.templates',
	'table constraint templates_name_not_empty on public.templates',
	'table constraint templates_org_id_fkey on public.templates',
	'table constraint templates_org_id_id_key on public.templates',
	'table constraint templates_pkey on public.templates',
	'table constraint templates_project_id_fkey on public.templates',
	'table constraint templates_resolution_format on public.templates',
	'table constraint templates_spec_is_object on public.templates',
	'table constraint templates_thumbnail_url_format on public.templates',
	'table constraint templates_usage_count_not_negative on public.templates',
	'table constraint usage_idempotency_org_id_fkey on fenta.usage_idempotency',
	'table constraint usage_idempotency_pkey on fenta.usage_idempotency',
	'table constraint usage_records_cost_usd_non_negative on public.usage_records',
	'table constraint usage_records_cost_usd_non_negative on public.usage_records_default',
	'table constraint usage_records_default_pkey on public.usage_records_default',
	'table constraint usage_records_idempotency_key_length on public.usage_records',
	'table constraint usage_records_idempotency_key_length on public.usage_records_default',
	'table constraint usage_records_job_id_fkey on public.usage_records',
	'table constraint usage_records_job_id_fkey on public.usage_records_default',
	'table constraint usage_records_kai_credits_non_negative on public.usage_records',
	'table constraint usage_records_kai_credits_non_negative on public.usage_records_default',
	'table constraint usage_records_llm_tokens_output_non_negative on public.usage_records',
	'table constraint usage_records_llm_tokens_output_non_negative on public.usage_records_default',
	'table constraint usage_records_llm_tokens_prompt_non_negative on public.usage_records',
	'table constraint usage_records_llm_tokens_prompt_non_negative on public.usage_records_default',
	'table constraint usage_records_metadata_is_object on public.usage_records',
	'table constraint usage_records_metadata_is_object on public.usage_records_default',
	'table constraint usage_records_org_id_fkey on public.usage_records',
	'table constraint usage_records_org_id_fkey on public.usage_records_default',
	'table constraint usage_records_render_seconds_non_negative on public.usage_records',
	'table constraint usage_records_render_seconds_non_negative on public.usage_records_default',
	'table constraint usage_records_user_id_fkey on public.usage_records',
	'table constraint usage_records_user_id_fkey on public.usage_records_default',
	'table constraint webhook_deliveries_attempts_not_negative on public.webhook_deliveries',
	'table constraint webhook_deliveries_event_format on public.webhook_deliveries',
	'table constraint webhook_deliveries_http_status_range on public.webhook_deliveries',
	'table constraint webhook_deliveries_org_id_fkey on public.webhook_deliveries',
	'table constraint webhook_deliveries_payload_is_object on public.webhook_deliveries',
	'table constraint webhook_deliveries_pkey on public.webhook_deliveries',
	'table constraint webhook_deliveries_webhook_id_fkey on public.webhook_deliveries',
	'table constraint webhooks_events_known on public.webhooks',
	'table constraint webhooks_events_not_empty on public.webhooks',
	'table constraint webhooks_name_not_empty on public.webhooks',
	'table constraint webhooks_org_id_fkey on public.webhooks',
	'table constraint webhooks_org_id_id_key on public.webhooks',
	'table constraint webhooks_pkey on public.webhooks',
	'table constraint webhooks_secret_length on public.webhooks',
	'table constraint webhooks_url_https on public.webhooks',
	'table constraint workflow_versions_created_by_fkey on public.workflow_versions',
	'table constraint workflow_versions_graph_shape on public.workflow_versions',
	'table constraint workflow_versions_org_id_fkey on public.workflow_versions',
	'table constraint workflow_versions_pkey on public.workflow_versions',
	'table constraint workflow_versions_variables_is_object on public.workflow_versions',
	'table constraint workflow_versions_version_positive on public.workflow_versions',
	'table constraint workflow_versions_workflow_id_fkey on public.workflow_versions',
	'table constraint workflow_versions_workflow_id_version_key on public.workflow_versions',
	'table constraint workflows_graph_shape on public.workflows',
	'table constraint workflows_name_not_empty on public.workflows',
	'table constraint workflows_org_id_fkey on public.workflows',
	'table constraint workflows_org_id_id_key on public.workflows',
	'table constraint workflows_pkey on public.workflows',
	'table constraint workflows_project_id_fkey on public.workflows',
	'table constraint workflows_run_count_not_negative on public.workflows',
	'table constraint workflows_template_id_fkey on public.workflows',
	'table constraint workflows_variables_is_object on public.workflows',
	'table fenta.customer_objects',
	'table fenta.guarded_objects',
	'table fenta.plan_overrides',
	'table fenta.quota_counters',
	'table fenta.quota_reservations',
	'table fenta.usage_idempotency',
	'table public.api_keys',
	'table public.asset_versions',
	'table public.assets',
	'table public.credit_packs',
	'table public.integrations',
	'table public.invoices',
	'table public.job_logs',
	'table public.jobs',
	'table public.kai_generations',
	'table public.org_members',
	'table public.orgs',
	'table public.profiles',
	'table public.projects',
	'table public.quota_limits',
	'table public.renders',
	'table public.schedules',
	'table public.templates',
	'table public.usage_records',
	'table public.usage_records_default',
	'table public.webhook_deliveries',
	'table public.webhooks',
	'table public.workflow_versions',
	'table public.workflows',
	'trigger api_keys_updated_at on public.api_keys',
	'trigger asset_versions_delete_guard on public.asset_versions',
	'trigger asset_versions_updated_at on public.asset_versions',
	'trigger assets_delete_guard on public.assets',
	'trigger assets_updated_at on public.assets',
	'trigger credit_packs_updated_at on public.credit_packs',
	'trigger customer_objects_replay on fenta.customer_objects',
	'trigger fenta_on_auth_user_created on auth.users',
	'trigger integrations_updated_at on public.integrations',
	'trigger invoices_updated_at on public.invoices',
	'trigger job_logs_updated_at on public.job_logs',
	'trigger jobs_delete_guard on public.jobs',
	'trigger jobs_update_guard on public.jobs',
	'trigger jobs_updated_at on public.jobs',
	'trigger kai_generations_updated_at on public.kai_generations',
	'trigger org_members_guard on public.org_members',
	'trigger org_members_updated_at on public.org_members',
	'trigger orgs_copy_deleted_at on public.orgs',
	'trigger orgs_delete_guard on public.orgs',
	'trigger orgs_handle_new on public.orgs',
	'trigger orgs_quota_plan on public.orgs',
	'trigger orgs_quota_plan_change on public.orgs',
	'trigger orgs_updated_at on public.orgs',
	'trigger profiles_updated_at on public.profiles',
	'trigger projects_delete_guard on public.projects',
	'trigger projects_updated_at on public.projects',
	'trigger quota_limits_org_deleted_at on public.quota_limits',
	'trigger quota_limits_updated_at on public.quota_limits',
	'trigger renders_updated_at on public.renders',
	'trigger schedules_delete_guard on public.schedules',
	'trigger schedules_updated_at on public.schedules',
	'trigger templates_delete_guard on public.templates',
	'trigger templates_updated_at on public.templates',
	'trigger usage_records_append_only on public.usage_records',
	'trigger usage_records_idempotency on public.usage_records',
	'trigger usage_records_idempotency on public.usage_records_default',
	'trigger usage_records_quota on public.usage_records',
	'trigger usage_records_updated_at on public.usage_records',
	'trigger usage_records_updated_at on public.usage_records_default',
	'trigger webhook_deliveries_updated_at on public.webhook_deliveries',
	'trigger webhooks_updated_at on public.webhooks',
	'trigger workflow_versions_delete_guard on public.workflow_versions',
	'trigger workflow_versions_updated_at on public.workflow_versions',
	'trigger workflows_delete_guard on public.workflows',
	'trigger workflows_updated_at on public.workflows',
	'type public.asset_source',
	'type public.asset_status',
	'type public.asset_type',
	'type public.delivery_status',
	'type public.integration_provider',
	'type public.integration_status',
	'type public.invoice_status',
	'type public.job_status',
	'type public.kai_generation_type',
	'type public.log_level',
	'type public.member_role',
	'type public.org_plan',
	'type public.resource_type',
	'type public.usage_records',
	'type public.usage_records[]',
	'type public.usage_records_default',
	'type public.usage_records_default[]',
	'type public.user_role',
	'type public.user_status',
	'type public.workflow_status',
	'view column fenta.plans.allow_overage',
	'view column fenta.plans.kai_credits_limit',
	'view column fenta.plans.overage_cap_usd',
	'view column fenta.plans.plan',
	'view column fenta.plans.price_per_1k_tokens_usd',
	'view column fenta.plans.price_per_kai_credit_usd',
	'view column fenta.plans.price_per_render_second_usd',
	'view column fenta.plans.render_seconds_limit',
	'view column fenta.plans.storage_bytes_limit',
	'view column fenta.plans.tokens_limit',
	'view fenta.plans'
]) > 0 AS guard_registered;
-- and what is not fenta's on its tables is kept for dumps (96_customer_objects.sql)
SELECT fenta.customer_objects_refresh() >= 0 AS customer_objects_listed;
--
-- The direct update from 0.1.0: after the steps 0.1.0 -> 0.2.0 -> 0.3.0 ->
-- 0.4.0 above (the released scripts, unchanged, then the 0.4.0 one), the
-- quota rows are brought to the state a fresh install loaded with the same
-- data has.  0.1.0 kept no counters and applied no plan, so here -- and only
-- here, where it is known -- :
--   * limits still at 0.1.0's default (NULL) take the org's plan's limit;
--     limits set by hand are kept;
--   * the overage prices (new in 0.2.0, set to 0 by its update) take the
--     plan's prices;
--   * allow_overage and overage_cap_usd still at 0.1.0's defaults (false, 0)
--     take the plan's; set by hand, they are kept;
--   * the counters are recomputed from usage_records: tokens, KIE.ai credits
--     and render seconds of the current period (created_at on or after
--     reset_at - 1 month, the period's start), storage as the balance of all
--     rows.  Credit pack draws of 0.1.0-era usage are not replayed
--     (kai_credits_from_packs stays 0).
--
ALTER TABLE public.quota_limits DISABLE TRIGGER quota_limits_updated_at;
UPDATE public.quota_limits q
SET tokens_limit = coalesce(q.tokens_limit, p.tokens_limit),
	kai_credits_limit = coalesce(q.kai_credits_limit, p.kai_credits_limit),
	render_seconds_limit = coalesce(q.render_seconds_limit, p.render_seconds_limit),
	storage_bytes_limit = coalesce(q.storage_bytes_limit, p.storage_bytes_limit),
	price_per_1k_tokens_usd = p.price_per_1k_tokens_usd,
	price_per_kai_credit_usd = p.price_per_kai_credit_usd,
	price_per_render_second_usd = p.price_per_render_second_usd,
	allow_overage = CASE WHEN NOT q.allow_overage AND q.overage_cap_usd OPERATOR(pg_catalog.=) 0
						 THEN p.allow_overage ELSE q.allow_overage END,
	overage_cap_usd = CASE WHEN NOT q.allow_overage AND q.overage_cap_usd OPERATOR(pg_catalog.=) 0
						   THEN p.overage_cap_usd ELSE q.overage_cap_usd END
FROM public.orgs o, fenta.plans p
WHERE o.id OPERATOR(pg_catalog.=) q.org_id AND p.plan OPERATOR(pg_catalog.=) o.plan;

UPDATE public.quota_limits q
SET tokens_used = u.tokens, kai_credits_used = u.kai_credits, kai_credits_from_packs = 0,
	render_seconds_used = u.render_seconds, storage_bytes_used = CASE WHEN u.storage_bytes OPERATOR(pg_catalog.<) 0 THEN 0 ELSE u.storage_bytes END
FROM (SELECT l.org_id,
			 coalesce(pg_catalog.sum(r.llm_tokens_prompt OPERATOR(pg_catalog.+) r.llm_tokens_output)
					  FILTER (WHERE r.created_at OPERATOR(pg_catalog.>=) (l.reset_at OPERATOR(pg_catalog.-) interval '1 month')), 0) AS tokens,
			 coalesce(pg_catalog.sum(r.kai_credits)
					  FILTER (WHERE r.created_at OPERATOR(pg_catalog.>=) (l.reset_at OPERATOR(pg_catalog.-) interval '1 month')), 0) AS kai_credits,
			 coalesce(pg_catalog.sum(r.render_seconds)
					  FILTER (WHERE r.created_at OPERATOR(pg_catalog.>=) (l.reset_at OPERATOR(pg_catalog.-) interval '1 month')), 0) AS render_seconds,
			 coalesce(pg_catalog.sum(r.storage_bytes), 0) AS storage_bytes
	  FROM public.quota_limits l LEFT JOIN public.usage_records r ON r.org_id OPERATOR(pg_catalog.=) l.org_id
	  GROUP BY l.org_id) u
WHERE u.org_id OPERATOR(pg_catalog.=) q.org_id;
-- a negative storage balance is carried by slot -1, as the engine does
INSERT INTO fenta.quota_counters (org_id, slot, storage_bytes)
SELECT r.org_id, -1, pg_catalog.sum(r.storage_bytes)
FROM public.usage_records r JOIN public.quota_limits l ON l.org_id OPERATOR(pg_catalog.=) r.org_id
GROUP BY r.org_id HAVING pg_catalog.sum(r.storage_bytes) OPERATOR(pg_catalog.<) 0;
ALTER TABLE public.quota_limits ENABLE TRIGGER quota_limits_updated_at;
