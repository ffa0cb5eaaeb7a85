-- The API's named statements prepared on this connection, with how often each was planned for its values
-- (custom) and how often it ran on its one generic plan.
SELECT name, generic_plans::int, custom_plans::int
FROM pg_prepared_statements
WHERE name LIKE 'api\_%'
ORDER BY name
