-- Session-local helpers. GEOS can still throw on valid-but-nasty input (topology exceptions): one such zone
-- must not abort a whole run, so the measure becomes NULL (reported as "not computable") instead.
-- Area of a outside b. Only the part of b around a matters (a − b = a − (b ∩ box), box ⊇ a), and a parent
-- is often a hundred times larger than its child: clipping it to the child's box first made the overlay ~5×
-- faster on the import bench file. Clipping by box may leave a degenerate geometry GEOS refuses: then the
-- overlay runs on the whole parent.
CREATE OR REPLACE FUNCTION pg_temp.cosmo_area_outside(a geometry, b geometry) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  BEGIN
    RETURN ST_Area(ST_Difference(a, ST_ClipByBox2D(b, ST_Expand(a::box2d, 1e-9))));
  EXCEPTION WHEN OTHERS THEN
    RETURN ST_Area(ST_Difference(a, b));
  END;
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
