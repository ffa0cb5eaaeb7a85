// The bench's synthetic country: one boundary of millions of vertices, as a country with a detailed coastline
// has, which the Luxembourg grid lacks (its largest zone has 18 k vertices). The coastline is a seeded
// midpoint displacement of the radius around a centre (a 1-D fractal, Koch-like in its roughness): every level
// doubles the vertices and adds a random offset to each new midpoint's radius, smaller at each level. Drawing
// the radius as a function of the angle keeps the ring star-shaped around its centre, with strictly increasing
// angles and a positive radius, so it is a valid polygon however rough the noise makes it: no edge can cross
// another (each stays inside its own angular wedge).
import type { ZoneInput } from "../../core/cosmogony/model.ts";
import { seededRandom } from "../../core/seeded-random.ts";

export interface FractalSpec {
  seed: number;
  /** Centre, WGS84 degrees. */
  center: [number, number];
  /** Mean radius in degrees of latitude (the longitude radius is widened by 1/cos(lat): round on the ground). */
  radius: number;
  /** Vertices of the coarsest ring, before any subdivision. */
  baseVertices: number;
  /** Midpoint levels: the ring has baseVertices · 2^depth vertices. */
  depth: number;
  /** How fast the offsets shrink per level (Hurst exponent; smaller is rougher). */
  hurst: number;
}

/** The bench's country: 8 · 2^18 = 2 097 152 vertices (the issue asks for ≥ 2 M). */
export const FRACTAL_DEFAULTS: Omit<FractalSpec, "center" | "radius"> = {
  seed: 16,
  baseVertices: 8,
  depth: 18,
  hurst: 0.75,
};

/** The radius may move at most this far from the mean, either way (keeps it positive). */
const MAX_SWING = 0.6;
/** The first level's offsets, as a share of the radius. */
const FIRST_AMPLITUDE = 0.25;
/** Coordinates as OSM stores them. */
const DECIMALS = 1e7;

export function fractalVertexCount(spec: Pick<FractalSpec, "baseVertices" | "depth">): number {
  return spec.baseVertices * 2 ** spec.depth;
}

export interface FractalCountry {
  spec: FractalSpec;
  /** Radius (degrees of latitude) of vertex i at angle 2π·i/n, counter-clockwise from east. */
  radii: Float64Array;
  /** Longitude degrees per degree of radius. */
  lonScale: number;
}

export function fractalCountry(spec: FractalSpec): FractalCountry {
  const random = seededRandom(spec.seed);
  const lo = spec.radius * (1 - MAX_SWING);
  const hi = spec.radius * (1 + MAX_SWING);
  const clamp = (r: number) => Math.min(hi, Math.max(lo, r));
  let radii = new Float64Array(spec.baseVertices);
  for (let i = 0; i < radii.length; i++) radii[i] = clamp(spec.radius * (1 + FIRST_AMPLITUDE * (2 * random() - 1)));
  let amplitude = spec.radius * FIRST_AMPLITUDE;
  for (let level = 0; level < spec.depth; level++) {
    amplitude *= 2 ** -spec.hurst;
    const n = radii.length;
    const next = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const a = radii[i] as number;
      const b = radii[(i + 1) % n] as number;
      next[2 * i] = a;
      next[2 * i + 1] = clamp((a + b) / 2 + amplitude * (2 * random() - 1));
    }
    radii = next;
  }
  return { spec, radii, lonScale: 1 / Math.cos((spec.center[1] * Math.PI) / 180) };
}

const round = (v: number) => Math.round(v * DECIMALS) / DECIMALS;

/** Vertex i of the ring (i = n closes it on vertex 0), rounded as OSM coordinates are. */
export function fractalVertex(country: FractalCountry, i: number): [number, number] {
  const n = country.radii.length;
  const k = i % n;
  const angle = (2 * Math.PI * k) / n;
  const r = country.radii[k] as number;
  const [cx, cy] = country.spec.center;
  return [round(cx + r * Math.cos(angle) * country.lonScale), round(cy + r * Math.sin(angle))];
}

/** The closed exterior ring, counter-clockwise (GeoJSON's winding for an exterior). */
export function fractalRing(country: FractalCountry): [number, number][] {
  const n = country.radii.length;
  const ring: [number, number][] = new Array(n + 1);
  for (let i = 0; i <= n; i++) ring[i] = fractalVertex(country, i);
  return ring;
}

/**
 * Whether a point lies inside the coastline, for drawing points inside the country: the point's angle falls in
 * one wedge, and inside means nearer the centre than that wedge's edge. Points within a rounding step of the
 * edge may be misjudged, which a random sample never minds.
 */
export function insideFractal(country: FractalCountry, lon: number, lat: number): boolean {
  const [cx, cy] = country.spec.center;
  const x = (lon - cx) / country.lonScale;
  const y = lat - cy;
  const n = country.radii.length;
  let angle = Math.atan2(y, x);
  if (angle < 0) angle += 2 * Math.PI;
  const k = Math.min(n - 1, Math.floor((angle / (2 * Math.PI)) * n));
  const a0 = (2 * Math.PI * k) / n;
  const a1 = (2 * Math.PI * (k + 1)) / n;
  const r0 = country.radii[k] as number;
  const r1 = country.radii[(k + 1) % n] as number;
  // The edge from vertex k to k+1 meets the point's ray where the cross products balance.
  const p0x = r0 * Math.cos(a0);
  const p0y = r0 * Math.sin(a0);
  const ex = r1 * Math.cos(a1) - p0x;
  const ey = r1 * Math.sin(a1) - p0y;
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  const edgeRadius = (p0x * ey - p0y * ex) / (ux * ey - uy * ex);
  return Math.hypot(x, y) < edgeRadius;
}

export function fractalBbox(country: FractalCountry): [number, number, number, number] {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < country.radii.length; i++) {
    const [x, y] = fractalVertex(country, i);
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

export const FRACTAL_COUNTRY_CODE = "XF";

/** The country as one cosmogony zone (its own country code, zone_type country, no parent). */
export function fractalZone(country: FractalCountry, id: number): ZoneInput {
  const name = "Fractalia";
  return {
    id,
    osm_id: `relation:${id}`,
    admin_level: 2,
    zone_type: "country",
    name,
    loc_name: "",
    alt_name: "",
    label: name,
    international_labels: { de: "Fraktalien", fr: "Fractalie", en: name },
    zip_codes: [],
    center: { type: "Point", coordinates: country.spec.center },
    geometry: { type: "MultiPolygon", coordinates: [[fractalRing(country)]] },
    bbox: fractalBbox(country),
    tags: {
      boundary: "administrative",
      admin_level: "2",
      name,
      "name:de": "Fraktalien",
      "name:fr": "Fractalie",
      "ISO3166-1": FRACTAL_COUNTRY_CODE,
    },
    center_tags: {},
    parent: null,
    wikidata: null,
    is_generated: false,
    country_code: FRACTAL_COUNTRY_CODE,
  };
}
