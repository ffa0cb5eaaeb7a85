-- Which database this is: the cluster's system identifier (set once by initdb) and the database's name.
SELECT system_identifier::text AS cluster, current_database() AS database FROM pg_control_system()
