-- A scratch schema for one extraction (created holding its lock: workspace-lock.sql).
CREATE SCHEMA {{schema}}
