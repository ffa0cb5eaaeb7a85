-- Whether a row g of the band's table (or a piece of one of its zones) shows at zoom $1: the band's rule
-- (importer/zoom-bands.ts) — listed types $4, or admin_level up to the maximum $8; NULL = all — and, in the old
-- `vector-zones` flavour ($6), only countries (admin_level <= 2) at z0-2 as the old tiles showed.
($4::text[] IS NULL OR g.zone_type = ANY ($4::text[]) OR g.admin_level <= $8)
AND (NOT $6 OR $1 > 2 OR g.admin_level <= 2)
