-- GIN indexes on the JSONB columns of the version tables, as on their parents.
CREATE INDEX idx_workflow_versions_graph ON public.workflow_versions USING gin (graph);
CREATE INDEX idx_asset_versions_metadata ON public.asset_versions USING gin (metadata);
