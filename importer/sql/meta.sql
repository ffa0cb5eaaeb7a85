-- The meta schema: dataset versions and the served pointer (docs/CONTRACTS.md "Database"). Idempotent; run in
-- a transaction under an advisory lock so concurrent first runs do not race.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE SCHEMA IF NOT EXISTS cosmo;

-- status: loading (being imported) | ready (loaded, can be published) | published (served now)
--         | retired (schema dropped, row kept as history) | failed (import failed, schema dropped)
CREATE TABLE IF NOT EXISTS cosmo.datasets (
  version int PRIMARY KEY,
  schema_name text NOT NULL,
  source text NOT NULL,
  source_sha256 text NOT NULL,
  zone_count int,
  created_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL CHECK (status IN ('loading', 'ready', 'published', 'retired', 'failed')),
  published_at timestamptz,
  forced_by text,
  force_reason text,
  meta jsonb,
  error text
);
CREATE INDEX IF NOT EXISTS datasets_sha256 ON cosmo.datasets (source_sha256);

CREATE TABLE IF NOT EXISTS cosmo.served (
  id bool PRIMARY KEY DEFAULT true CHECK (id),
  version int REFERENCES cosmo.datasets (version),
  previous_version int REFERENCES cosmo.datasets (version),
  switched_at timestamptz
);
INSERT INTO cosmo.served (id) VALUES (true) ON CONFLICT DO NOTHING;

-- The one normalisation of names for search: the API applies the same function to the query.
CREATE OR REPLACE FUNCTION cosmo.search_normalize(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
