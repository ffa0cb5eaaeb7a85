-- What public.zones is (pg_class.relkind: 'v' the compatibility view, 'r' a table left by the old importer), if any.
SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relname = 'zones'
