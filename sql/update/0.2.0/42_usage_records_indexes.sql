-- 0.1.0 -> 0.2.0: the primary key and indexes of usage_records move from the
-- partitioned parent to each partition (see sql/src/40_billing.sql): a
-- partitioned index on an extension's parent table makes the partitions
-- created later unrestorable from pg_dump.
ALTER TABLE public.usage_records DROP CONSTRAINT usage_records_pkey;
DROP INDEX public.idx_usage_records_org_date, public.idx_usage_records_user_id,
	public.idx_usage_records_org_id_job_id, public.idx_usage_records_resource_type,
	public.idx_usage_records_metadata;
DO $indexes$
DECLARE
	p name;
BEGIN
	FOR p IN
		SELECT c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'public.usage_records'::pg_catalog.regclass
		ORDER BY c.relname
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE public.%I ADD CONSTRAINT %I PRIMARY KEY (id, created_at)', p, p || '_pkey');
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I (org_id, created_at)', p || '_org_id_created_at_idx', p);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I (user_id)', p || '_user_id_idx', p);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I (org_id, job_id)', p || '_org_id_job_id_idx', p);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I (resource_type)', p || '_resource_type_idx', p);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON public.%I USING gin (metadata)', p || '_metadata_idx', p);
	END LOOP;
END
$indexes$;

-- Writes go through usage_records, where the quota accounting sees them: the
-- backend may read the default partition directly, not write it.
REVOKE ALL ON public.usage_records_default FROM service_role;
GRANT SELECT ON public.usage_records_default TO service_role;
