-- Session-local helpers. GEOS can still throw on valid-but-nasty input (topology exceptions): one such zone
-- must not abort a whole run, so the measure becomes NULL (reported as "not computable") instead.
CREATE OR REPLACE FUNCTION pg_temp.cosmo_area_outside(a geometry, b geometry) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN ST_Area(ST_Difference(a, b));
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION pg_temp.cosmo_symdiff_area(a geometry, b geometry) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN ST_Area(ST_SymDifference(a, b));
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END $$;
