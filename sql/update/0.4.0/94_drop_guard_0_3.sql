-- 0.4.0 replaces the statement-text drop guard of 0.1.0-0.3.0
DROP EVENT TRIGGER fenta_guard_drop;
DROP FUNCTION fenta.guard_drop();
