-- The tile of a statement rendering one (the server's): the first of $2 and $3. Not unnest: planned for an array of
-- unknown length, the statement's generic plan looks dearer than the custom plans of one tile, so the connection
-- would plan it again at every call (0.8 ms of a 2-3 ms z12 tile); a one-row source keeps it on the generic plan.
(SELECT ($2::int[])[1], ($3::int[])[1]) AS t(x, y)
