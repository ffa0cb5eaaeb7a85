-- When pg_control_system() is not ours to call (non-superuser roles on some servers): address and port instead.
SELECT coalesce(host(inet_server_addr()), 'socket') || ':' || current_setting('port') AS cluster,
       current_database() AS database
