-- COSMO_EXTRACT_KEEP_SCHEMA=1 leaves the scratch schema for inspection (EXPLAIN, debugging); the comment tells
-- later runs it is no leftover (stale-workspaces.sql skips commented schemas).
COMMENT ON SCHEMA {{schema}} IS 'kept by COSMO_EXTRACT_KEEP_SCHEMA'
