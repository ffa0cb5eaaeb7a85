-- The tiles of a statement (tile.sql, tile-reached.sql): $2 their x, $3 their y, any number.
unnest($2::int[], $3::int[]) AS t(x, y)
