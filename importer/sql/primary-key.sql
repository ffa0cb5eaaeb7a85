-- zones_pkey (id-index.sql) made the primary key: id is NOT NULL already, so nothing is scanned.
ALTER TABLE {{schema}}.zones ADD CONSTRAINT zones_pkey PRIMARY KEY USING INDEX zones_pkey;
