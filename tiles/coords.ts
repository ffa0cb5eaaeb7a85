// Tile addresses: parsing (strict, so hostile paths become 400s, never SQL errors) and the web-mercator maths
// needed for seeding and TileJSON bounds.
export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** Deepest zoom accepted in URLs (beyond it a tile is far smaller than any zone's detail). */
export const MAX_URL_ZOOM = 22;

export type ParseResult = { ok: true; tile: TileAddress } | { ok: false; parameter: "z" | "x" | "y"; reason: string };

const INTEGER = /^\d{1,8}$/;

export function parseTileAddress(z: string, x: string, y: string): ParseResult {
  if (!INTEGER.test(z)) return { ok: false, parameter: "z", reason: "must be a non-negative integer" };
  const zoom = Number(z);
  if (zoom > MAX_URL_ZOOM) return { ok: false, parameter: "z", reason: `must be at most ${MAX_URL_ZOOM}` };
  const size = 2 ** zoom;
  for (const [name, value] of [
    ["x", x],
    ["y", y],
  ] as const) {
    if (!INTEGER.test(value)) return { ok: false, parameter: name, reason: "must be a non-negative integer" };
    if (Number(value) >= size) return { ok: false, parameter: name, reason: `must be below ${size} at zoom ${zoom}` };
  }
  return { ok: true, tile: { z: zoom, x: Number(x), y: Number(y) } };
}

/** Tile column/row containing a WGS84 point at zoom z (clamped to the valid range). */
export function lonLatToTile(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const clampedLat = Math.max(-85.0511287798, Math.min(85.0511287798, lat));
  const latRad = (clampedLat * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(latRad) + 1 / Math.cos(latRad)) / Math.PI) / 2) * n);
  return { x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) };
}

/** Every tile at zoom z covering a WGS84 bbox [minLon, minLat, maxLon, maxLat]. */
export function* tilesCovering(bbox: [number, number, number, number], z: number): Generator<TileAddress> {
  const a = lonLatToTile(bbox[0], bbox[3], z);
  const b = lonLatToTile(bbox[2], bbox[1], z);
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) yield { z, x, y };
}

export function countTilesCovering(bbox: [number, number, number, number], z: number): number {
  const a = lonLatToTile(bbox[0], bbox[3], z);
  const b = lonLatToTile(bbox[2], bbox[1], z);
  return (b.x - a.x + 1) * (b.y - a.y + 1);
}
