// Generator of a synthetic, valid cosmogony zones file of any size (the import benchmark needs >= 10 M vertices;
// the SIGKILL test needs a file that takes seconds to load). Countries split into states split into cities,
// each a rectangle whose edges are densified into wavy lines (so simplification has real work to do), all
// with the usual names, labels, tags and zip codes. Deterministic: same options → same bytes.
//
//   node --import tsx bench/import/generate.ts OUT.jsonl[.gz]|OUT.json[.gz] [--vertices N] [--geojsonseq OUT.geojsonl]

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { MultiPolygonGeometry, Zone } from "../../core/cosmogony/model.ts";
import { createZoneWriter } from "../../core/cosmogony/writer.ts";
import { seededRandom } from "../../core/seeded-random.ts";

export interface GenerateOptions {
  /** Approximate total number of vertices (default 10.5 M). */
  vertices?: number;
  countries?: number;
  statesPerCountry?: number;
  citiesPerState?: number;
  /** Also write the zones as GeoJSONSeq (one Feature per line, for ogr2ogr). */
  geojsonSeq?: string;
}

/** Closed ring around [x0,y0,x1,y1] with n vertices, edges waving inwards by at most `amp` of the size. */
function wavyRing(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  n: number,
  rand: () => number,
  amp = 0.01,
): [number, number][] {
  const per = Math.max(1, Math.floor((n - 1) / 4));
  const w = x1 - x0;
  const h = y1 - y0;
  const ring: [number, number][] = [];
  // zero at both ends of each edge, so the corners stay clean and the ring simple
  const a = amp * (0.5 + rand() / 2);
  const wave = (t: number) => Math.abs(Math.sin(t * Math.PI * 7)) * a;
  for (let i = 0; i < per; i++) ring.push([x0 + (w * i) / per, y0 + h * wave(i / per)]);
  for (let i = 0; i < per; i++) ring.push([x1 - w * wave(i / per), y0 + (h * i) / per]);
  for (let i = 0; i < per; i++) ring.push([x1 - (w * i) / per, y1 - h * wave(i / per)]);
  for (let i = 0; i < per; i++) ring.push([x0 + w * wave(i / per), y1 - (h * i) / per]);
  ring.push([ring[0][0], ring[0][1]]);
  return ring;
}

function zone(
  id: number,
  kind: "country" | "state" | "city",
  name: string,
  parent: Zone | null,
  box: number[],
  nVert: number,
  rand: () => number,
  cc: string,
): Zone {
  const [x0, y0, x1, y1] = box;
  const geometry: MultiPolygonGeometry = {
    type: "MultiPolygon",
    coordinates: [[wavyRing(x0, y0, x1, y1, nVert, rand)]],
  };
  const level = kind === "country" ? 2 : kind === "state" ? 4 : 8;
  const label = parent ? `${name}, ${parent.label}` : name;
  const zips = kind === "city" ? [`${10000 + (id % 89999)}`] : [];
  return {
    id,
    osm_id: `relation:${1000000 + id}`,
    admin_level: level,
    zone_type: kind,
    name,
    loc_name: "",
    alt_name: kind === "city" ? `${name}-Alt` : "",
    label,
    international_labels: { en: label, fr: `${label} (fr)`, de: `${label} (de)` },
    zip_codes: zips,
    center: { type: "Point", coordinates: [(x0 + x1) / 2, (y0 + y1) / 2] },
    geometry,
    bbox: [x0, y0, x1, y1],
    tags: {
      admin_level: String(level),
      boundary: "administrative",
      name,
      "name:en": name,
      "name:fr": `${name} (fr)`,
      wikidata: `Q${id}`,
    },
    center_tags: kind === "city" ? { population: String(1000 + (id % 100000)) } : {},
    parent: parent?.id ?? null,
    wikidata: `Q${id}`,
    is_generated: false,
    country_code: cc,
  };
}

/** Yields the zones; a country's states and cities follow it (parents before children). */
export function* generateZones(opts: GenerateOptions = {}): Generator<Zone> {
  const countries = opts.countries ?? 4;
  const states = opts.statesPerCountry ?? 25;
  const cities = opts.citiesPerState ?? 100;
  const target = opts.vertices ?? 10_500_000;
  // vertex budget: cities get 80 %, states 15 %, countries 5 %
  const cityV = Math.max(8, Math.round((target * 0.8) / (countries * states * cities)));
  const stateV = Math.max(8, Math.round((target * 0.15) / (countries * states)));
  const countryV = Math.max(8, Math.round((target * 0.05) / countries));
  const rand = seededRandom(42);
  let id = 3; // non-contiguous ids, like the real files
  const sq = (n: number) => Math.ceil(Math.sqrt(n));
  for (let c = 0; c < countries; c++) {
    const cx = -170 + c * (340 / countries);
    const cBox = [cx, -60, cx + (340 / countries) * 0.95, 60];
    const cc = String.fromCharCode(65 + (c % 26), 65 + ((c * 7) % 26));
    id += 2;
    const country = zone(id, "country", `Country ${c}`, null, cBox, countryV, rand, cc);
    yield country;
    const sg = sq(states);
    for (let s = 0; s < states; s++) {
      const sw = (cBox[2] - cBox[0]) / sg;
      const sh = (cBox[3] - cBox[1]) / sg;
      const sx = cBox[0] + (s % sg) * sw;
      const sy = cBox[1] + Math.floor(s / sg) * sh;
      id += 3;
      const state = zone(
        id,
        "state",
        `State ${c}.${s}`,
        country,
        [sx + sw * 0.02, sy + sh * 0.02, sx + sw * 0.98, sy + sh * 0.98],
        stateV,
        rand,
        cc,
      );
      yield state;
      const kg = sq(cities);
      for (let k = 0; k < cities; k++) {
        const kw = (sw * 0.9) / kg;
        const kh = (sh * 0.9) / kg;
        const kx = sx + sw * 0.05 + (k % kg) * kw;
        const ky = sy + sh * 0.05 + Math.floor(k / kg) * kh;
        id += 1;
        yield zone(
          id,
          "city",
          `Ville ${c}.${s}.${k} Saint-Étienne`,
          state,
          [kx + kw * 0.05, ky + kh * 0.05, kx + kw * 0.95, ky + kh * 0.95],
          cityV,
          rand,
          cc,
        );
      }
    }
  }
}

export async function generateZonesFile(
  path: string,
  opts: GenerateOptions = {},
): Promise<{ zones: number; vertices: number }> {
  const writer = createZoneWriter(path, { meta: { osm_filename: "synthetic.osm.pbf" } });
  const seq = opts.geojsonSeq ? createWriteStream(opts.geojsonSeq) : null;
  let zones = 0;
  let vertices = 0;
  for (const z of generateZones(opts)) {
    await writer.write(z);
    zones++;
    for (const poly of z.geometry?.coordinates ?? []) for (const ring of poly) vertices += ring.length;
    if (seq) {
      const { geometry, ...props } = z;
      const line = `${JSON.stringify({ type: "Feature", geometry, properties: { ...props, center: JSON.stringify(props.center), bbox: JSON.stringify(props.bbox) } })}\n`;
      if (!seq.write(line)) await once(seq, "drain");
    }
  }
  await writer.close();
  if (seq) {
    seq.end();
    await once(seq, "close");
  }
  return { zones, vertices };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const out = args[0];
  if (!out) {
    process.stderr.write("usage: generate.ts OUT.jsonl[.gz] [--vertices N] [--geojsonseq OUT.geojsonl]\n");
    process.exit(2);
  }
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const res = await generateZonesFile(out, {
    vertices: opt("--vertices") ? Number(opt("--vertices")) : undefined,
    geojsonSeq: opt("--geojsonseq"),
  });
  process.stdout.write(`${JSON.stringify({ file: out, ...res })}\n`);
}
