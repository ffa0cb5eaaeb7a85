-- One zone by id. $1 id
SELECT {{zone_columns}}
FROM {{schema}}.zones z
WHERE z.id = $1
