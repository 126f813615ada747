-- pg_dump dumps the rows of an extension's tables only when they are marked
-- here.  Every table fenta creates is marked.  The partitioned parent
-- usage_records holds no rows itself (marking it dumps nothing): its default
-- partition is marked, and the monthly partitions, created later by
-- fenta.maintain_partitions(), are ordinary tables that pg_dump dumps as usual.
SELECT pg_catalog.pg_extension_config_dump('public.profiles', '');
SELECT pg_catalog.pg_extension_config_dump('public.orgs', '');
SELECT pg_catalog.pg_extension_config_dump('public.org_members', '');
SELECT pg_catalog.pg_extension_config_dump('public.api_keys', '');
SELECT pg_catalog.pg_extension_config_dump('public.projects', '');
SELECT pg_catalog.pg_extension_config_dump('public.templates', '');
SELECT pg_catalog.pg_extension_config_dump('public.workflows', '');
SELECT pg_catalog.pg_extension_config_dump('public.workflow_versions', '');
SELECT pg_catalog.pg_extension_config_dump('public.assets', '');
SELECT pg_catalog.pg_extension_config_dump('public.asset_versions', '');
SELECT pg_catalog.pg_extension_config_dump('public.jobs', '');
SELECT pg_catalog.pg_extension_config_dump('public.job_logs', '');
SELECT pg_catalog.pg_extension_config_dump('public.renders', '');
SELECT pg_catalog.pg_extension_config_dump('public.schedules', '');
SELECT pg_catalog.pg_extension_config_dump('public.webhooks', '');
SELECT pg_catalog.pg_extension_config_dump('public.webhook_deliveries', '');
SELECT pg_catalog.pg_extension_config_dump('public.usage_records_default', '');
SELECT pg_catalog.pg_extension_config_dump('public.quota_limits', '');
SELECT pg_catalog.pg_extension_config_dump('public.invoices', '');
SELECT pg_catalog.pg_extension_config_dump('public.credit_packs', '');
SELECT pg_catalog.pg_extension_config_dump('public.integrations', '');
SELECT pg_catalog.pg_extension_config_dump('public.kai_generations', '');
