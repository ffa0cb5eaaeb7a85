-- For a version imported before zones_repaired existed (lookup-fill-cells.sql): whether the zone's boundary is
-- valid, checked here.
ST_IsValid(r.geom)
