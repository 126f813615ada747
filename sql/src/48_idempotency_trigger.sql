-- The idempotency guard fires for every row (0.6.0): its WHEN clause
-- (NEW.idempotency_key IS NOT NULL) was compiled again by PostgreSQL for
-- every INSERT statement, about 1.5% of the CPU of single-row usage inserts;
-- the C function now returns a row without a key at once.
DROP TRIGGER usage_records_idempotency ON public.usage_records;
CREATE TRIGGER usage_records_idempotency BEFORE INSERT ON public.usage_records
	FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard();
