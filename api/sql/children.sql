-- Direct children of a zone, largest type first, then by name. $1 parent id, $2 zone types smallest → largest
SELECT {{zone_columns}}
FROM {{schema}}.zones z
WHERE z.parent = $1
ORDER BY array_position($2::text[], z.zone_type) DESC NULLS LAST, z.name, z.id
