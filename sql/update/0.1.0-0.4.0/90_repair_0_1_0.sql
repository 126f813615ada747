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
