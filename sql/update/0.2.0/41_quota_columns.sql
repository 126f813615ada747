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
