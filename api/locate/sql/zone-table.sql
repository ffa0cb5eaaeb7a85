-- Every zone of a version with what a located point shows of it, in the order /zones/at lists the zones covering
-- a point (smallest type first; $1: zone types smallest → largest): a zone's rank in this order sorts a point's
-- zones without asking the database again.
SELECT id, zone_type, admin_level, name
FROM {{schema}}.zones
ORDER BY array_position($1::text[], zone_type) NULLS LAST, admin_level DESC NULLS LAST, id
