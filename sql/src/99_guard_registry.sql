-- Last step of every install and update script: the drop guard's registry
-- lists what fenta has made (95_drop_guard.sql).
SELECT fenta.guard_register() > 0 AS guard_registered;
-- and what is not fenta's on its tables is kept for dumps (96_customer_objects.sql)
SELECT fenta.customer_objects_refresh() >= 0 AS customer_objects_listed;
