-- Tells the tiles and API servers listening on channel $1 that version $2 is served (sent at commit).
SELECT pg_notify($1, $2)
