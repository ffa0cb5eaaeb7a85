// From the OSM objects of the three passes to draft zones (pure: no I/O), with counts of what was dropped.

import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import { buildBoundary, type DropReason, RingStore } from "./boundary.ts";
import { parseZipCodes } from "./names.ts";
import type { OsmInput } from "./osm-read.ts";
import { CITY_PLACES, SUBURB_PLACES } from "./osm-read.ts";
import type { OsmNode } from "./pbf/index.ts";
import type { DraftZone } from "./types.ts";
import { type NodeInfo, zoneFromPlaceNode, zoneFromRelation } from "./zones.ts";

export interface BuildReport {
  relations: number;
  /** Relations dropped, by reason: no_name, no_boundary. */
  droppedRelations: Record<string, number>;
  /** Geometry problems met (rings/ways), by reason, in kept and dropped relations alike. */
  ringProblems: Partial<Record<DropReason, number>>;
  /** A few dropped relation ids per reason, for the summary. */
  examples: Record<string, string[]>;
  suburbPlaces: number;
  capitalPlaces: number;
}

/** A postal-code boundary: the zip codes of the zones it overlaps enough (postcodes.sql). */
export interface PostalBoundary {
  osmId: string;
  /** Its `postal_code` tag, split on `;` as zones' own zip tags are. */
  codes: string[];
  geometry: FlatMultiPolygon;
}

/**
 * The postal-code boundaries that close (ring problems are not counted: these are no zones), and how many did
 * not. Built into a ring store of their own, garbage once their zip codes are assigned.
 */
export function buildPostalBoundaries(osm: OsmInput): { boundaries: PostalBoundary[]; dropped: number } {
  const rings = new RingStore();
  const boundaries: PostalBoundary[] = [];
  let dropped = 0;
  for (const rel of [...osm.postalRelations].sort((a, b) => a.id - b.id)) {
    const codes = parseZipCodes({ postal_code: rel.tags.postal_code });
    const b = buildBoundary(rel.members, osm.ways, rings);
    if (!b.geometry || codes.length === 0) dropped++;
    else boundaries.push({ osmId: `relation:${rel.id}`, codes, geometry: b.geometry });
  }
  return { boundaries, dropped };
}

export interface BuiltZones {
  zones: DraftZone[];
  /** ids of the zones made from capital=yes city places (zones only if Voronoi gives them a cell). */
  capitals: Set<number>;
  report: BuildReport;
}

function count(rec: Record<string, number>, k: string, n = 1) {
  rec[k] = (rec[k] ?? 0) + n;
}

export function buildZones(osm: OsmInput, opts: { capitals: boolean }): BuiltZones {
  const built = emptyBuild(osm.relations.length);
  for (const _ of zonesBuilt(osm, opts, built));
  return built;
}

/** What zonesBuilt fills in, before it starts. */
export function emptyBuild(relations: number): BuiltZones {
  const report: BuildReport = {
    relations,
    droppedRelations: {},
    ringProblems: {},
    examples: {},
    suburbPlaces: 0,
    capitalPlaces: 0,
  };
  return { zones: [], capitals: new Set(), report };
}

/**
 * The zones, one at a time, each yielded as soon as it is made (and added to `built`): the extractor streams them
 * into PostGIS while the next ones are built. `slabLength`: numbers per ring slab (default: sized on the input, one
 * or a few slabs; smaller when each zone's rings go to disk once loaded, so that the slabs of the spilled zones are
 * let go).
 */
export function* zonesBuilt(
  osm: OsmInput,
  opts: { capitals: boolean; slabLength?: number },
  built: BuiltZones,
): Generator<DraftZone> {
  // Slabs sized on the input (2 positions per way node; rings hold each way node ~3 times on the
  // benchmark file, boundaries being shared by neighbours and by nested levels): a few slabs, a few GCs.
  const rings = new RingStore(opts.slabLength ?? 4 * osm.ways.node.length);
  yield* relationZones(osm, rings, built);
  yield* placeZones(osm.placeNodes, opts, built);
}

/**
 * zonesBuilt over the read's batches (osm-read.ts RelationsRead.batches: runs of relations by id ascending, each
 * with its own ways and nodes, the place nodes in the first): the same zones in the same order, the tables of one
 * batch at a time in memory (each batch's emptied once its zones are built). `first` is called with the first batch (the postal-code relations' ways are there).
 */
export async function* zonesBuiltInBatches(
  batches: AsyncIterable<OsmInput>,
  opts: { capitals: boolean; slabLength: number; first?: (osm: OsmInput) => void },
  built: BuiltZones,
): AsyncGenerator<DraftZone> {
  const rings = new RingStore(opts.slabLength);
  const places: OsmNode[] = [];
  let first = true;
  for await (const osm of batches) {
    if (first) opts.first?.(osm);
    first = false;
    yield* relationZones(osm, rings, built);
    for (const n of osm.placeNodes) places.push(n);
    // built: its tables go before the next batch is read (stale references to the batch remain: WayNodes.release)
    osm.ways.release();
    osm.centerNodes.clear();
  }
  yield* placeZones(places, opts, built);
}

/** The zones of the read's admin relations, relation ids ascending: the order (and so the ids) of upstream's BTreeMap. */
function* relationZones(osm: OsmInput, rings: RingStore, built: BuiltZones): Generator<DraftZone> {
  const { report, zones } = built;
  const drop = (reason: string, osmId: string) => {
    count(report.droppedRelations, reason);
    report.examples[reason] ??= [];
    if (report.examples[reason].length < 5) report.examples[reason].push(osmId);
  };
  const node = (id: number): NodeInfo | undefined => {
    const c = osm.centerNodes.get(id);
    if (!c) return undefined;
    return { coords: [c.lon, c.lat], tags: c.tags };
  };

  const relations = [...osm.relations].sort((a, b) => a.id - b.id);
  for (const rel of relations) {
    if (!rel.tags.name) {
      drop("no_name", `relation:${rel.id}`);
      continue;
    }
    const b = buildBoundary(rel.members, osm.ways, rings);
    for (const [k, v] of Object.entries(b.problems)) count(report.ringProblems, k, v);
    if (!b.geometry) {
      drop("no_boundary", `relation:${rel.id}`);
      continue;
    }
    const zone = zoneFromRelation(zones.length, rel, b.geometry, node);
    zones.push(zone);
    yield zone;
  }
}

/** Then the place nodes' zones, node ids ascending: suburb-like places, then capitals (when asked for). */
function* placeZones(placeNodes: OsmNode[], opts: { capitals: boolean }, built: BuiltZones): Generator<DraftZone> {
  const { report, zones, capitals } = built;
  const places = [...placeNodes].sort((a, b) => a.id - b.id);
  for (const n of places) {
    if (n.tags.name && SUBURB_PLACES.includes(n.tags.place)) {
      const zone = zoneFromPlaceNode(zones.length, n);
      zones.push(zone);
      yield zone;
      report.suburbPlaces++;
    }
  }
  if (opts.capitals) {
    for (const n of places) {
      if (n.tags.name && CITY_PLACES.includes(n.tags.place) && n.tags.capital === "yes") {
        capitals.add(zones.length);
        const zone = zoneFromPlaceNode(zones.length, n);
        zones.push(zone);
        yield zone;
        report.capitalPlaces++;
      }
    }
  }
}
