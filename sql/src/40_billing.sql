-- Billing: usage_records (partitioned by month), quota_limits, invoices,
-- credit_packs, integrations, kai_generations.
--
-- Counters are bigint in integral units (tokens, kai credits, whole render
-- seconds, bytes) so that the native quota engine adds them exactly.

--
-- usage_records: one row per metered event, partitioned by created_at.
--
CREATE TABLE public.usage_records (
	id uuid NOT NULL DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	user_id uuid REFERENCES public.profiles (id) ON DELETE SET NULL,
	job_id uuid,
	resource_type public.resource_type NOT NULL,
	llm_tokens_prompt bigint NOT NULL DEFAULT 0 CONSTRAINT usage_records_llm_tokens_prompt_non_negative CHECK (llm_tokens_prompt >= 0),
	llm_tokens_output bigint NOT NULL DEFAULT 0 CONSTRAINT usage_records_llm_tokens_output_non_negative CHECK (llm_tokens_output >= 0),
	llm_model text,
	kai_credits bigint NOT NULL DEFAULT 0 CONSTRAINT usage_records_kai_credits_non_negative CHECK (kai_credits >= 0),
	kai_model text,
	render_seconds bigint NOT NULL DEFAULT 0 CONSTRAINT usage_records_render_seconds_non_negative CHECK (render_seconds >= 0),
	render_profile text,
	-- storage goes down when files are deleted: negative amounts are allowed
	storage_bytes bigint NOT NULL DEFAULT 0,
	cost_usd numeric(12,6) NOT NULL DEFAULT 0 CONSTRAINT usage_records_cost_usd_non_negative CHECK (cost_usd >= 0),
	metadata jsonb NOT NULL DEFAULT '{}' CONSTRAINT usage_records_metadata_is_object CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	idempotency_key text CONSTRAINT usage_records_idempotency_key_length
		CHECK (pg_catalog.length(idempotency_key) BETWEEN 1 AND 255),
	CONSTRAINT usage_records_job_id_fkey FOREIGN KEY (org_id, job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE SET NULL (job_id)
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE public.usage_records IS 'Metered usage: one row per billable event (LLM tokens, KIE.ai credits, render seconds, storage bytes). Partitioned by created_at, one partition per UTC month (usage_records_YYYY_MM, created by fenta.maintain_partitions) plus usage_records_default. Each insert is added to the org''s quota_limits counters. Written by the backend only. Text id prefix: usage_.';
COMMENT ON COLUMN public.usage_records.id IS 'Primary key (UUIDv7), unique together with created_at.';
COMMENT ON COLUMN public.usage_records.org_id IS 'Org the usage is billed to.';
COMMENT ON COLUMN public.usage_records.user_id IS 'Profile that caused the usage, if any; set to NULL when the profile is deleted.';
COMMENT ON COLUMN public.usage_records.job_id IS 'Job that caused the usage, if any; set to NULL when the job is deleted.';
COMMENT ON COLUMN public.usage_records.resource_type IS 'Metered resource: llm_tokens, kai_credits, render_seconds or storage.';
COMMENT ON COLUMN public.usage_records.llm_tokens_prompt IS 'LLM prompt (input) tokens (>= 0).';
COMMENT ON COLUMN public.usage_records.llm_tokens_output IS 'LLM output (completion) tokens (>= 0).';
COMMENT ON COLUMN public.usage_records.llm_model IS 'LLM model that consumed the tokens.';
COMMENT ON COLUMN public.usage_records.kai_credits IS 'KIE.ai credits spent (>= 0).';
COMMENT ON COLUMN public.usage_records.kai_model IS 'KIE.ai model that consumed the credits.';
COMMENT ON COLUMN public.usage_records.render_seconds IS 'Render time in whole seconds (>= 0).';
COMMENT ON COLUMN public.usage_records.render_profile IS 'Render profile (preset) used.';
COMMENT ON COLUMN public.usage_records.storage_bytes IS 'Change of stored bytes: positive when files are added, negative when they are removed.';
COMMENT ON COLUMN public.usage_records.cost_usd IS 'Cost of the event to Fenta in US dollars (>= 0).';
COMMENT ON COLUMN public.usage_records.metadata IS 'Free-form details of the event (JSON object).';
COMMENT ON COLUMN public.usage_records.created_at IS 'When the event happened; the partition key.';
COMMENT ON COLUMN public.usage_records.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.usage_records.idempotency_key IS 'Optional key of the event (1 to 255 characters): a second insert with the same key for the same org is skipped, so a retried event is counted once. NULL = no key.';
-- No index on the parent: its indexes are those of each partition (see
-- usage_records_default below).
CREATE TRIGGER usage_records_updated_at BEFORE UPDATE ON public.usage_records
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- Catches rows outside the monthly partitions, so that an insert never fails
-- for want of a partition.  fenta.maintain_partitions() moves them into their
-- month once it exists.
CREATE TABLE public.usage_records_default PARTITION OF public.usage_records DEFAULT;
COMMENT ON TABLE public.usage_records_default IS 'Default partition of usage_records: rows of months without a partition yet. Read through usage_records; not accessible to the API roles directly.';
-- The primary key and indexes of usage_records are those of its partitions:
-- the default partition has them here, and fenta.maintain_partitions()
-- gives each monthly partition the same (the default partition is their
-- template).  A partitioned index on the parent would make every monthly
-- partition unrestorable from pg_dump: at restore, CREATE EXTENSION creates
-- the parent with its indexes, ATTACH PARTITION then creates the partition's
-- indexes, and the dump's own ADD CONSTRAINT ... PRIMARY KEY and CREATE
-- INDEX for the partition fail.  (id, created_at) is still unique across
-- the table, since created_at decides the partition.
ALTER TABLE public.usage_records_default ADD CONSTRAINT usage_records_default_pkey PRIMARY KEY (id, created_at);
CREATE INDEX usage_records_default_org_id_created_at_idx ON public.usage_records_default (org_id, created_at);
CREATE INDEX usage_records_default_user_id_idx ON public.usage_records_default (user_id);
CREATE INDEX usage_records_default_org_id_job_id_idx ON public.usage_records_default (org_id, job_id);
CREATE INDEX usage_records_default_resource_type_idx ON public.usage_records_default (resource_type);
CREATE INDEX usage_records_default_metadata_idx ON public.usage_records_default USING gin (metadata);
-- The partition's columns carry the parent's comments.
DO $comments$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT a.attname, d.description
		FROM pg_catalog.pg_attribute a
			JOIN pg_catalog.pg_description d
				ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
		WHERE a.attrelid = 'public.usage_records'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN public.usage_records_default.%I IS %L', c.attname, c.description);
	END LOOP;
END
$comments$;

--
-- quota_limits: one row per org, created with the org.
--
CREATE TABLE public.quota_limits (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL CONSTRAINT quota_limits_org_id_key UNIQUE REFERENCES public.orgs (id) ON DELETE CASCADE,
	tokens_limit bigint CONSTRAINT quota_limits_tokens_limit_non_negative CHECK (tokens_limit >= 0),
	render_seconds_limit bigint CONSTRAINT quota_limits_render_seconds_limit_non_negative CHECK (render_seconds_limit >= 0),
	kai_credits_limit bigint CONSTRAINT quota_limits_kai_credits_limit_non_negative CHECK (kai_credits_limit >= 0),
	storage_bytes_limit bigint CONSTRAINT quota_limits_storage_bytes_limit_non_negative CHECK (storage_bytes_limit >= 0),
	tokens_used bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_tokens_used_non_negative CHECK (tokens_used >= 0),
	render_seconds_used bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_render_seconds_used_non_negative CHECK (render_seconds_used >= 0),
	kai_credits_used bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_kai_credits_used_non_negative CHECK (kai_credits_used >= 0),
	storage_bytes_used bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_storage_bytes_used_non_negative CHECK (storage_bytes_used >= 0),
	kai_credits_from_packs bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_kai_credits_from_packs_non_negative CHECK (kai_credits_from_packs >= 0),
	reserved_tokens bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_reserved_tokens_non_negative CHECK (reserved_tokens >= 0),
	reserved_kai_credits bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_reserved_kai_credits_non_negative CHECK (reserved_kai_credits >= 0),
	reserved_render_seconds bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_reserved_render_seconds_non_negative CHECK (reserved_render_seconds >= 0),
	price_per_1k_tokens_usd numeric(12,6) NOT NULL DEFAULT 0 CONSTRAINT quota_limits_price_per_1k_tokens_usd_non_negative CHECK (price_per_1k_tokens_usd >= 0),
	price_per_kai_credit_usd numeric(12,6) NOT NULL DEFAULT 0 CONSTRAINT quota_limits_price_per_kai_credit_usd_non_negative CHECK (price_per_kai_credit_usd >= 0),
	price_per_render_second_usd numeric(12,6) NOT NULL DEFAULT 0 CONSTRAINT quota_limits_price_per_render_second_usd_non_negative CHECK (price_per_render_second_usd >= 0),
	allow_overage boolean NOT NULL DEFAULT false,
	overage_cap_usd numeric(12,2) NOT NULL DEFAULT 0 CONSTRAINT quota_limits_overage_cap_usd_non_negative CHECK (overage_cap_usd >= 0),
	reset_at timestamptz NOT NULL
		DEFAULT ((pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE public.quota_limits IS 'Usage limits and counters of an org, one row per org (created with the org). The counters are kept by the usage_records trigger and restart at reset_at; check with public.check_quota(). Written by the backend only. Text id prefix: quota_.';
COMMENT ON COLUMN public.quota_limits.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.quota_limits.org_id IS 'The org (one row per org).';
COMMENT ON COLUMN public.quota_limits.tokens_limit IS 'LLM tokens (prompt + output) allowed per period; NULL = unlimited.';
COMMENT ON COLUMN public.quota_limits.render_seconds_limit IS 'Render seconds allowed per period; NULL = unlimited.';
COMMENT ON COLUMN public.quota_limits.kai_credits_limit IS 'KIE.ai credits allowed per period (credit packs come on top); NULL = unlimited.';
COMMENT ON COLUMN public.quota_limits.storage_bytes_limit IS 'Stored bytes allowed; NULL = unlimited.';
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
COMMENT ON COLUMN public.quota_limits.allow_overage IS 'Whether usage beyond the limits is allowed and billed, up to overage_cap_usd.';
COMMENT ON COLUMN public.quota_limits.overage_cap_usd IS 'Maximum overage per period in US dollars, at the plan''s unit prices (>= 0).';
COMMENT ON COLUMN public.quota_limits.reset_at IS 'When the counters restart; then moves one month on. Defaults to the start of the next UTC month.';
COMMENT ON COLUMN public.quota_limits.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.quota_limits.updated_at IS 'When the row was last updated (set by trigger).';
-- The org_id unique constraint's index covers the foreign key.
CREATE INDEX idx_quota_limits_reset_at ON public.quota_limits (reset_at);
CREATE TRIGGER quota_limits_updated_at BEFORE UPDATE ON public.quota_limits
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- invoices: Stripe invoices of an org.
--
CREATE TABLE public.invoices (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	stripe_invoice_id text CONSTRAINT invoices_stripe_invoice_id_key UNIQUE,
	amount_usd numeric(12,2) NOT NULL DEFAULT 0 CONSTRAINT invoices_amount_usd_non_negative CHECK (amount_usd >= 0),
	currency text NOT NULL DEFAULT 'usd' CONSTRAINT invoices_currency_format CHECK (currency ~ '^[a-z]{3}$'),
	status public.invoice_status NOT NULL DEFAULT 'draft',
	period_start timestamptz,
	period_end timestamptz,
	line_items jsonb NOT NULL DEFAULT '[]' CONSTRAINT invoices_line_items_is_array CHECK (pg_catalog.jsonb_typeof(line_items) = 'array'),
	due_at timestamptz,
	paid_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT invoices_period_end_not_before_start CHECK (period_end >= period_start)
);
COMMENT ON TABLE public.invoices IS 'Invoices of an org, mirrored from Stripe by the backend. Readable by admins and owners. Text id prefix: inv_.';
COMMENT ON COLUMN public.invoices.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.invoices.org_id IS 'Invoiced org.';
COMMENT ON COLUMN public.invoices.stripe_invoice_id IS 'Stripe invoice id (in_...), unique.';
COMMENT ON COLUMN public.invoices.amount_usd IS 'Total amount (>= 0), in the invoice currency.';
COMMENT ON COLUMN public.invoices.currency IS 'ISO 4217 currency code in lower case, as Stripe writes it (usd).';
COMMENT ON COLUMN public.invoices.status IS 'Stripe status: draft, open, paid or void.';
COMMENT ON COLUMN public.invoices.period_start IS 'Start of the billed period.';
COMMENT ON COLUMN public.invoices.period_end IS 'End of the billed period (not before period_start).';
COMMENT ON COLUMN public.invoices.line_items IS 'Invoice lines (JSON array of objects).';
COMMENT ON COLUMN public.invoices.due_at IS 'When payment is due.';
COMMENT ON COLUMN public.invoices.paid_at IS 'When the invoice was paid.';
COMMENT ON COLUMN public.invoices.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.invoices.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_invoices_org_id ON public.invoices (org_id, period_start);
CREATE INDEX idx_invoices_status ON public.invoices (status);
CREATE TRIGGER invoices_updated_at BEFORE UPDATE ON public.invoices
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- credit_packs: prepaid KIE.ai credits, drawn when the monthly quota is used up.
--
CREATE TABLE public.credit_packs (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	pack_type text NOT NULL CONSTRAINT credit_packs_pack_type_not_empty CHECK (pg_catalog.btrim(pack_type) <> ''),
	credits_purchased bigint NOT NULL CONSTRAINT credit_packs_credits_purchased_positive CHECK (credits_purchased > 0),
	credits_remaining bigint NOT NULL CONSTRAINT credit_packs_credits_remaining_non_negative CHECK (credits_remaining >= 0),
	price_usd numeric(12,2) NOT NULL DEFAULT 0 CONSTRAINT credit_packs_price_usd_non_negative CHECK (price_usd >= 0),
	stripe_payment_id text CONSTRAINT credit_packs_stripe_payment_id_key UNIQUE,
	expires_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT credit_packs_credits_remaining_not_above_purchased CHECK (credits_remaining <= credits_purchased)
);
COMMENT ON TABLE public.credit_packs IS 'Prepaid KIE.ai credit packs of an org. Credits beyond the monthly quota are drawn from unexpired packs, soonest expiry first. Readable by admins and owners; written by the backend. Text id prefix: pack_.';
COMMENT ON COLUMN public.credit_packs.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.credit_packs.org_id IS 'Org that bought the pack.';
COMMENT ON COLUMN public.credit_packs.pack_type IS 'Product name of the pack (not empty).';
COMMENT ON COLUMN public.credit_packs.credits_purchased IS 'Credits bought (> 0).';
COMMENT ON COLUMN public.credit_packs.credits_remaining IS 'Credits left, between 0 and credits_purchased.';
COMMENT ON COLUMN public.credit_packs.price_usd IS 'Price paid in US dollars (>= 0).';
COMMENT ON COLUMN public.credit_packs.stripe_payment_id IS 'Stripe payment (intent) id, unique.';
COMMENT ON COLUMN public.credit_packs.expires_at IS 'When the remaining credits expire; NULL = never.';
COMMENT ON COLUMN public.credit_packs.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.credit_packs.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_credit_packs_org_id ON public.credit_packs (org_id, created_at);
CREATE INDEX idx_credit_packs_available ON public.credit_packs (org_id) WHERE credits_remaining > 0;
-- Drawing order: soonest expiry first, packs that never expire last.
CREATE INDEX idx_credit_packs_draw_order ON public.credit_packs (org_id, expires_at) WHERE credits_remaining > 0;
CREATE TRIGGER credit_packs_updated_at BEFORE UPDATE ON public.credit_packs
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- integrations: connections to external services, one active per provider.
--
CREATE TABLE public.integrations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	provider public.integration_provider NOT NULL,
	status public.integration_status NOT NULL DEFAULT 'active',
	credentials jsonb NOT NULL DEFAULT '{}' CONSTRAINT integrations_credentials_is_object CHECK (pg_catalog.jsonb_typeof(credentials) = 'object'),
	config jsonb NOT NULL DEFAULT '{}' CONSTRAINT integrations_config_is_object CHECK (pg_catalog.jsonb_typeof(config) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz
);
COMMENT ON TABLE public.integrations IS 'Connections of an org to external services (KIE.ai, OpenAI, Pexels, Stripe), at most one live per provider. Holds secrets: admins and owners only. Text id prefix: integ_.';
COMMENT ON COLUMN public.integrations.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.integrations.org_id IS 'Owning org.';
COMMENT ON COLUMN public.integrations.provider IS 'External service: kai, openai, pexels or stripe. One live integration per provider and org.';
COMMENT ON COLUMN public.integrations.status IS 'State of the credentials: active, expired or revoked.';
COMMENT ON COLUMN public.integrations.credentials IS 'Encrypted credentials payload (JSON object). Secret: readable by admins and owners only.';
COMMENT ON COLUMN public.integrations.config IS 'Provider settings (JSON object).';
COMMENT ON COLUMN public.integrations.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.integrations.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.integrations.deleted_at IS 'Soft delete (by the backend): when set, the integration is hidden, admins included, and another one for the same provider may be created. Admins remove integrations with DELETE.';
CREATE INDEX idx_integrations_org_id ON public.integrations (org_id);
CREATE UNIQUE INDEX idx_integrations_org_provider_active ON public.integrations (org_id, provider) WHERE deleted_at IS NULL;
CREATE INDEX idx_integrations_status ON public.integrations (status);
CREATE INDEX idx_integrations_config ON public.integrations USING gin (config);
CREATE TRIGGER integrations_updated_at BEFORE UPDATE ON public.integrations
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- kai_generations: KIE.ai generation requests and their results.
--
CREATE TABLE public.kai_generations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	job_id uuid,
	type public.kai_generation_type NOT NULL,
	model text NOT NULL CONSTRAINT kai_generations_model_not_empty CHECK (pg_catalog.btrim(model) <> ''),
	prompt text,
	params jsonb NOT NULL DEFAULT '{}' CONSTRAINT kai_generations_params_is_object CHECK (pg_catalog.jsonb_typeof(params) = 'object'),
	status public.job_status NOT NULL DEFAULT 'queued',
	result_asset_ids uuid[] NOT NULL DEFAULT '{}'
		CONSTRAINT kai_generations_result_asset_ids_no_nulls CHECK (pg_catalog.array_position(result_asset_ids, NULL) IS NULL),
	credits_used bigint CONSTRAINT kai_generations_credits_used_non_negative CHECK (credits_used >= 0),
	cost_usd numeric(12,6) CONSTRAINT kai_generations_cost_usd_non_negative CHECK (cost_usd >= 0),
	external_task_id text,
	error jsonb CONSTRAINT kai_generations_error_is_object CHECK (pg_catalog.jsonb_typeof(error) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT kai_generations_job_id_fkey FOREIGN KEY (org_id, job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE SET NULL (job_id)
);
COMMENT ON TABLE public.kai_generations IS 'AI generations requested from KIE.ai (images, videos, edits, voices, music), with their status, cost and resulting assets. Written by the backend. Text id prefix: kaigen_.';
COMMENT ON COLUMN public.kai_generations.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.kai_generations.org_id IS 'Owning org.';
COMMENT ON COLUMN public.kai_generations.job_id IS 'Job the generation belongs to, if any; set to NULL when the job is deleted.';
COMMENT ON COLUMN public.kai_generations.type IS 'Kind of generation: image, video, edit, voice or music.';
COMMENT ON COLUMN public.kai_generations.model IS 'KIE.ai model (not empty).';
COMMENT ON COLUMN public.kai_generations.prompt IS 'Prompt sent to the model.';
COMMENT ON COLUMN public.kai_generations.params IS 'Generation parameters (JSON object).';
COMMENT ON COLUMN public.kai_generations.status IS 'Life cycle: queued, processing, completed, failed or cancelled.';
COMMENT ON COLUMN public.kai_generations.result_asset_ids IS 'Assets produced (ids of public.assets rows of the same org; no NULL elements).';
COMMENT ON COLUMN public.kai_generations.credits_used IS 'KIE.ai credits charged (>= 0); NULL until known.';
COMMENT ON COLUMN public.kai_generations.cost_usd IS 'Cost in US dollars (>= 0); NULL until known.';
COMMENT ON COLUMN public.kai_generations.external_task_id IS 'Task id at KIE.ai, used to match its callbacks.';
COMMENT ON COLUMN public.kai_generations.error IS 'Error details when the generation failed (JSON object).';
COMMENT ON COLUMN public.kai_generations.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.kai_generations.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_kai_generations_org_id_job_id ON public.kai_generations (org_id, job_id);
CREATE INDEX idx_kai_generations_status ON public.kai_generations (status);
CREATE INDEX idx_kai_generations_external_task_id ON public.kai_generations (external_task_id);
CREATE INDEX idx_kai_generations_params ON public.kai_generations USING gin (params);
CREATE TRIGGER kai_generations_updated_at BEFORE UPDATE ON public.kai_generations
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();
