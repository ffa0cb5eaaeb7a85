-- The zones of a version that have a name in language $1 (their `name:<lang>` tag), with that name.
SELECT id, tags ->> ('name:' || $1::text) AS name
FROM {{schema}}.zones
WHERE tags ? ('name:' || $1::text)
