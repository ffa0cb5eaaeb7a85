// Which table and which zones make a tile at zoom z: read from the import stage's ZOOM_BANDS (the one
// documented table), never restated here. The last band (z9+) reads the full-resolution zones table.
import { tileCellZoom } from "../importer/tile-cells.ts";
import { ZOOM_BANDS, type ZoomBand } from "../importer/zoom-bands.ts";
import type { TileLayer } from "./layers.ts";

export interface TileBand {
  /** Part of the prepared statement name, e.g. "z0_2" or "full". */
  name: string;
  /** The band's table in the version schema: a generalised one, or `zones` itself (full resolution). */
  table: string;
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
    table: full ? "zones" : table,
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

/** The full-resolution band (every zone, the `zones` table): the deepest one. */
const ALL_ZONES = BY_BAND.get(ZOOM_BANDS[ZOOM_BANDS.length - 1] as ZoomBand) as TileBand;

/** The old t-rex setup served every zone touching the tile from this zoom on (countries only below it). */
export const COMPAT_ALL_ZONES_FROM_ZOOM = 3;

/**
 * The band a layer's tile reads: the new layer follows the zoom bands; the old `vector-zones` layer keeps what
 * the old explorer was built for — every zone from z3 up (its map of Luxembourg City at z5 and its suburbs at z8
 * were empty under the bands), the z0-2 band (countries) below.
 */
export function bandForLayer(layer: TileLayer, z: number): TileBand {
  return layer.compat && z >= COMPAT_ALL_ZONES_FROM_ZOOM ? ALL_ZONES : bandFor(z);
}

/**
 * The cell grid (importer/tile-cells.ts) a tile of `band` at zoom z reads the big zones' pieces from; null when it
 * reads them whole (the generalised bands, whose zones are small, and the full band above the first grid).
 */
export function cellZoomFor(band: TileBand, z: number): number | null {
  return band.table === ALL_ZONES.table ? tileCellZoom(z) : null;
}
