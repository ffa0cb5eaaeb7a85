-- The old importer's public.zones table, kept under another name to make room for compat-view.sql.
ALTER TABLE public.zones RENAME TO {{legacy}}
