// A small hand-made zones file exercising every volumetric status and quality check, with the expected answers
// written next to the data (coordinates in degrees, a 10×10 country at the origin).
import { writeFileSync } from "node:fs";
import { join } from "node:path";

type Ring = [number, number][];
const box = (x0: number, y0: number, x1: number, y1: number): Ring[] => [
  [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ],
];

interface Spec {
  id: number;
  type: string | null;
  level: number | null;
  name: string;
  parent: number | null;
  wikidata?: string;
  cc?: string | null;
  rings?: Ring[] | null;
  tags?: Record<string, string>;
}

export function zone(s: Spec) {
  const rings = s.rings === undefined ? null : s.rings;
  const xs = rings ? rings.flat().map((p) => p[0]) : [];
  const ys = rings ? rings.flat().map((p) => p[1]) : [];
  return {
    id: s.id,
    osm_id: `relation:${s.id}`,
    admin_level: s.level,
    zone_type: s.type,
    name: s.name,
    loc_name: "",
    alt_name: "",
    label: s.name,
    international_labels: {},
    zip_codes: [],
    center: rings ? { type: "Point", coordinates: [xs[0], ys[0]] } : null,
    geometry: rings ? { type: "MultiPolygon", coordinates: [rings] } : null,
    bbox: rings ? [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] : null,
    tags: s.tags ?? {},
    center_tags: {},
    parent: s.parent,
    wikidata: s.wikidata ?? null,
    is_generated: false,
    country_code: s.cc === undefined ? "TL" : s.cc,
  };
}

/** A bow-tie: self-intersecting, so ST_IsValid is false. */
const BOWTIE: Ring[] = [
  [
    [1, 6],
    [2, 7],
    [2, 6],
    [1, 7],
    [1, 6],
  ],
];

export const HANDMADE_ZONES = [
  zone({
    id: 1,
    type: "country",
    level: 2,
    name: "Testland",
    parent: null,
    wikidata: "Q1000",
    rings: box(0, 0, 10, 10),
  }),
  zone({ id: 2, type: "state", level: 4, name: "West", parent: 1, wikidata: "Q1001", rings: box(0, 0, 5, 10) }),
  zone({ id: 3, type: "state", level: 4, name: "East", parent: 1, wikidata: "Q1002", rings: box(5, 0, 10, 10) }),
  zone({ id: 10, type: "city", level: 8, name: "Southwest", parent: 2, wikidata: "Q1010", rings: box(0, 0, 5, 5) }),
  // invalid geometry (bow-tie) inside West
  zone({ id: 11, type: "city", level: 8, name: "Bowtie", parent: 2, rings: BOWTIE }),
  zone({ id: 12, type: "city", level: 8, name: "Eastville", parent: 3, wikidata: "Q1012", rings: box(5, 0, 10, 5) }),
  // 75 % outside its parent East (and outside the country)
  zone({ id: 13, type: "city", level: 8, name: "Overflow", parent: 3, rings: box(9, 9, 11, 11) }),
  // larger than its parent Southwest (and partly outside it)
  zone({ id: 20, type: "suburb", level: 10, name: "Sprawl", parent: 10, rings: box(0, 0, 6, 6) }),
  // a cycle in parents: 30 → 31 → 30, hanging below Eastville
  zone({ id: 30, type: "suburb", level: 10, name: "Loop A", parent: 31, wikidata: "Q1030", rings: box(6, 1, 7, 2) }),
  zone({ id: 31, type: "suburb", level: 10, name: "Loop B", parent: 30, rings: box(7, 1, 8, 2) }),
  // no country, no geometry
  zone({ id: 40, type: "city", level: 8, name: "Nowhere", parent: null, cc: null }),
];

/** Reference rows: the expected status is in the last column of the comment. */
export const HANDMADE_REFERENCE = [
  '"wikidata_id","name","country_code","zone_type","zone_type_local_name","expected_min","expected_max","is_known_failure","wikidata_ontology"',
  '"Q1000","Testland","TL","state","land",2,2,,"Q1"', // 2 states → ok
  '"Q1000","Testland","TL","city","town",10,20,"yes",', // 4 cities below the country → ko (known failure)
  '"Q1001","West","TL","city","town",2,2,,', // Southwest + Bowtie → ok
  '"Q1030","Loop A","TL","suburb","quarter",1,1,,', // Loop B only, the cycle ends → ok
  '"Q9999","Elsewhere","XX","city","town",1,5,,', // not in the dataset → skip
].join("\n");

/** The hand-made zones `cosmo import` accepts: all but the parent cycle, which import refuses (the dashboard,
 * reading any file, still has to end its walk on one). */
export const HANDMADE_IMPORTABLE = HANDMADE_ZONES.filter((z) => z.id !== 30 && z.id !== 31);

/** Writes the zones (`importable`: without the cycle) and the reference CSV into `dir`. */
export function writeHandmade(dir: string, opts: { importable?: boolean } = {}): { zones: string; reference: string } {
  const zones = join(dir, "handmade.jsonl");
  const written = opts.importable ? HANDMADE_IMPORTABLE : HANDMADE_ZONES;
  writeFileSync(zones, `${written.map((z) => JSON.stringify(z)).join("\n")}\n`);
  const reference = join(dir, "reference.csv");
  writeFileSync(reference, `${HANDMADE_REFERENCE}\n`);
  return { zones, reference };
}
