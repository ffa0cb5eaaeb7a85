-- The tiles' index on geom, built once the repair (make-valid.sql) has rewritten the rows it had to.
CREATE INDEX zones_geom ON {{schema}}.zones USING gist (geom);
