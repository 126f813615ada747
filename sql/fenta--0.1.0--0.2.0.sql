\echo Use "ALTER EXTENSION fenta UPDATE TO '0.2.0'" to load this file. \quit
-- fenta 0.1.0 -> 0.2.0
