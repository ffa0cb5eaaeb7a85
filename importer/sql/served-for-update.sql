-- The served pointer, locked until the end of the switch transaction (publish or rollback).
SELECT version, previous_version FROM cosmo.served WHERE id FOR UPDATE
