-- A scratch schema and everything in it: the extraction's own at its end, or a dead extraction's leftover.
DROP SCHEMA IF EXISTS {{schema}} CASCADE
