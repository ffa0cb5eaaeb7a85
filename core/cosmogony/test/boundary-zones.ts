// Valid zones of very different sizes, for files whose zones cross every 1 MB read boundary: most of a few
// to a few hundred KB, some over 2 MB (spanning three reads). Every coordinate differs from every other, so a
// byte read from the wrong place never passes for the right one.

import type { Zone } from "../model.ts";
import { READ_SIZE } from "../recycled-buffers.ts";

/** A convex polygon of n vertices around (cx, cy), closed, with full-precision coordinates. */
function ring(cx: number, cy: number, r: number, n: number, seed: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n + seed * 1e-9;
    out.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  out.push([out[0][0], out[0][1]]);
  return out;
}

/** A country and cities under it, about `totalBytes` of JSON in all. */
export function boundaryCrossingZones(totalBytes: number): Zone[] {
  const base = (id: number, parent: number | null, n: number, at: [number, number]): Zone => ({
    id,
    osm_id: `relation:${900000 + id}`,
    admin_level: parent === null ? 2 : 8,
    zone_type: parent === null ? "country" : "city",
    name: `Zone ${id} ë`,
    loc_name: "",
    alt_name: "",
    label: `Zone ${id}`,
    international_labels: { fr: `Zone ${id}` },
    zip_codes: [],
    center: { type: "Point", coordinates: at },
    geometry: { type: "MultiPolygon", coordinates: [[ring(at[0], at[1], parent === null ? 10 : 0.01, n, id)]] },
    bbox: null,
    tags: { name: `Zone ${id}` },
    center_tags: {},
    parent,
    wikidata: null,
    is_generated: false,
    country_code: "LU",
  });
  // ~40 bytes per vertex
  const zones = [base(1, null, 5000, [6, 49.6])];
  let bytes = 5000 * 40;
  for (let id = 2; bytes < totalBytes; id++) {
    const n = id % 4 === 0 ? Math.round((2.2 * READ_SIZE) / 40) : 100 + ((id * 7919) % 7000);
    const at: [number, number] = [6 + ((id * 37) % 100) * 0.01, 49.6 + ((id * 53) % 100) * 0.01];
    zones.push(base(id, 1, n, at));
    bytes += n * 40;
  }
  return zones;
}
