-- The primary key's index, built first and beside the other indexes (generalisation reads zones by id); it
-- becomes the primary key at the end (primary-key.sql): ALTER TABLE … ADD PRIMARY KEY would hold the whole
-- table against every other step while it builds.
CREATE UNIQUE INDEX zones_pkey ON {{schema}}.zones (id);
