// Which table and which zones make a tile at zoom z: read from the import stage's ZOOM_BANDS (the one
// documented table), never restated here. The last band (z9+) reads the full-resolution zones table.
import { ZOOM_BANDS, type ZoomBand } from "../importer/zoom-bands.ts";

export interface TileBand {
  /** Part of the prepared statement name, e.g. "z0_2" or "full". */
  name: string;
  /** Generalised table in the version schema, or null for the full `zones` table. */
  table: string | null;
  /** Zone types shown (null: every zone). */
  zoneTypes: string[] | null;
  /** Zones with admin_level <= this are shown whatever their type (null: no such rule). */
  maxAdminLevel: number | null;
}

function toTileBand(band: ZoomBand): TileBand {
  const table = band.table as string | null;
  const full = table === null || table === "zones";
  return {
    name: full ? "full" : table.replace(/^zones_/, ""),
    table: full ? null : table,
    zoneTypes: band.zoneTypes ? [...band.zoneTypes] : null,
    maxAdminLevel: band.maxAdminLevel,
  };
}

const BY_BAND = new Map<ZoomBand, TileBand>(ZOOM_BANDS.map((b) => [b, toTileBand(b)]));

export function bandFor(z: number): TileBand {
  const band = ZOOM_BANDS.find((b) => z >= b.minZoom && (b.maxZoom === null || z <= b.maxZoom));
  if (!band) throw new RangeError(`importer/zoom-bands.ts: no zoom band for z${z}`);
  return BY_BAND.get(band) as TileBand;
}
