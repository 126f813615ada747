-- uuid_generate_v7() keeps per-process state (the last timestamp and
-- counter): in parallel workers ids would not increase in output order
ALTER FUNCTION fenta.uuid_generate_v7() PARALLEL RESTRICTED;
