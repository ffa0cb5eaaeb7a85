-- The settings of every connection working in a scratch schema (the workspace's own and the extra ones the
-- sliced queries and covers tests use): its schema first on the search path; batch work, so no statement timeout
-- whatever the pool's default is; no parallel plans — the queries here are small or split over connections by us,
-- and a parallel worker was seen taking 40 s over the candidates query (0.1 s on its own) on a busy server.
SET search_path = {{schema}}, public; SET statement_timeout = 0; SET max_parallel_workers_per_gather = 0
