// A synthetic zones file with what real borders have and Luxembourg lacks: an enclave (a city of country B
// inside country A, like Baarle-Hertog), a counter-enclave inside it (country A again), two countries and a
// city sharing a detailed (wiggly, 301-vertex) border whose vertices are the same doubles on both sides, and
// an invalid (self-intersecting) boundary. Coordinates are far from Luxembourg's, in [0, 20] × [0, 10].
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ZoneInput } from "../../core/cosmogony/model.ts";
import { tmpDir } from "../../core/testing.ts";

export type Ring = [number, number][];

/** The NL/BE border, bottom to top: x wiggles around 10, 301 vertices. */
function border(): Ring {
  const out: Ring = [];
  for (let k = 0; k <= 300; k++) {
    const y = k / 30;
    out.push([10 + 0.2 * Math.sin(3.7 * y) + 0.05 * Math.sin(17.3 * y), y]);
  }
  return out;
}

/** A closed wiggly circle of `n` vertices. */
export function blob(cx: number, cy: number, r: number, n: number): Ring {
  const out: Ring = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    const rr = r * (1 + 0.1 * Math.sin(7 * a));
    out.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
  }
  out.push(out[0] as [number, number]);
  return out;
}

type Rest = Parameters<typeof zoneOf> extends [number, string, ...infer R] ? R : never;

export function zoneOf(
  id: number,
  name: string,
  zoneType: ZoneInput["zone_type"],
  adminLevel: number,
  parent: number | null,
  country: string,
  polygons: Ring[][],
): ZoneInput {
  const all = polygons.flat(2);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const first = polygons[0]?.[0]?.[0] as [number, number];
  return {
    id,
    osm_id: `relation:${900000 + id}`,
    admin_level: adminLevel,
    zone_type: zoneType,
    name,
    label: name,
    international_labels: { en: name },
    zip_codes: [],
    center: { type: "Point", coordinates: first },
    geometry: { type: "MultiPolygon", coordinates: polygons },
    bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    tags: { name },
    parent,
    wikidata: null,
    country_code: country,
  };
}

export const ENCLAVE_IDS = { nl: 1, be: 2, nassau: 3, hertog: 4, beSouth: 5, bowtie: 6 } as const;

/** Points with their expected zones (ids, smallest type first), for the route tests. */
export const ENCLAVE_POINTS: { name: string; lon: number; lat: number; zones: number[] }[] = [
  { name: "in the enclave (BE inside NL)", lon: 3, lat: 2.3, zones: [ENCLAVE_IDS.hertog, ENCLAVE_IDS.be] },
  {
    name: "in the counter-enclave (NL inside the BE enclave)",
    lon: 3.2,
    lat: 3.1,
    zones: [ENCLAVE_IDS.nassau, ENCLAVE_IDS.nl],
  },
  { name: "in NL around the enclave", lon: 1.5, lat: 2, zones: [ENCLAVE_IDS.nassau, ENCLAVE_IDS.nl] },
  { name: "in BE, south", lon: 13, lat: 2, zones: [ENCLAVE_IDS.beSouth, ENCLAVE_IDS.be] },
  { name: "in BE, north", lon: 17, lat: 8, zones: [ENCLAVE_IDS.be] },
  { name: "outside every zone", lon: 25, lat: 5, zones: [] },
];

/** The zones file; `suffix` (appended to every name) makes another file (another version) of the same shapes. */
export function enclaveZonesFile(suffix = ""): string {
  const b = border();
  const nlOuter: Ring = [...b, [0, 10], [0, 0], b[0] as [number, number]];
  const beOuter: Ring = [b[0] as [number, number], [20, 0], [20, 10], ...b.slice().reverse()];
  const enclave = blob(3, 3, 1, 200);
  const counter = blob(3.2, 3.1, 0.3, 40);
  const south = b.slice(0, 151);
  const beSouth: Ring = [...south, [15, (south.at(-1) as [number, number])[1]], [15, 0], b[0] as [number, number]];
  const nassauOuter: Ring = [
    [0.5, 0.5],
    [6, 0.5],
    [6, 6],
    [0.5, 6],
    [0.5, 0.5],
  ];
  const bowtie: Ring = [
    [12, 6],
    [14, 8],
    [14, 6],
    [12, 8],
    [12, 6],
  ];
  const zone = (id: number, name: string, ...rest: Rest) => zoneOf(id, `${name}${suffix}`, ...rest);
  const zones = [
    zone(ENCLAVE_IDS.nl, "Nederland", "country", 2, null, "NL", [[nlOuter, enclave], [counter]]),
    zone(ENCLAVE_IDS.be, "Belgique", "country", 2, null, "BE", [[beOuter], [enclave, counter]]),
    zone(ENCLAVE_IDS.nassau, "Baarle-Nassau", "city", 8, ENCLAVE_IDS.nl, "NL", [[nassauOuter, enclave], [counter]]),
    zone(ENCLAVE_IDS.hertog, "Baarle-Hertog", "city", 8, ENCLAVE_IDS.be, "BE", [[enclave, counter]]),
    zone(ENCLAVE_IDS.beSouth, "Zuid", "city", 8, ENCLAVE_IDS.be, "BE", [[beSouth]]),
    zone(ENCLAVE_IDS.bowtie, "Strik", "suburb", 10, ENCLAVE_IDS.be, "BE", [[bowtie]]),
  ];
  const file = join(tmpDir("enclave"), "enclave.jsonl");
  writeFileSync(file, zones.map((z) => JSON.stringify(z)).join("\n") + "\n");
  return file;
}
