-- Undoes workspace-settings.sql before a connection goes back to the pool.
RESET search_path; RESET statement_timeout; RESET max_parallel_workers_per_gather
