-- Last step of every install and update script: the drop guard's registry
-- lists what fenta has made (95_drop_guard.sql).
SELECT fenta.guard_register() > 0 AS guard_registered;
