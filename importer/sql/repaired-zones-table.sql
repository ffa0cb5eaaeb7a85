-- The zones whose geom the repair rewrote (make-valid.sql fills it). Every other zone's geom is its geom_4326 as
-- the file had it, projected vertex for vertex by the load, and was found valid by the core import's check
-- (check-and-generalise.sql): what the point lookup's build needs to know of a big zone's boundary
-- (lookup-fill-cells.sql), without checking its validity a second time. No index: a few rows, read whole.
CREATE TABLE {{schema}}.zones_repaired (
  id bigint NOT NULL
);
