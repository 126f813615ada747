\echo Use "ALTER EXTENSION fenta UPDATE TO '0.4.0'" to load this file. \quit
-- fenta 0.3.0 -> 0.4.0
