// `cosmo extract`: OSM PBF → cosmogony zones file. Reads the PBF in three passes, builds the boundaries,
// asks PostGIS which zone covers which (and for centroids and Voronoi cells), types the zones with the
// libpostal rules, builds the hierarchy and labels, and streams the result through the zones writer.
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { getConfig } from "../core/config.ts";
import { detectFormat } from "../core/cosmogony/format.ts";
import type { Zone } from "../core/cosmogony/model.ts";
import { createZoneWriter } from "../core/cosmogony/writer.ts";
import { type Database, openDatabase } from "../core/db.ts";
import { CosmoError, EXIT, InputError } from "../core/errors.ts";
import { childLogger } from "../core/log.ts";
import { projectPath } from "../core/paths.ts";
import { isRemote, openStore } from "../core/storage.ts";
import { type BuildReport, buildZones } from "./build-zones.ts";
import { multiPolygonBBox, toGeoJsonCoords } from "./geometry.ts";
import { countryCandidates } from "./hierarchy.ts";
import {
  buildHierarchy,
  computeNamesAndLabels,
  NO_COUNTRY_MESSAGE,
  reparentCells,
  typeZones,
  voronoiParents,
} from "./ontology.ts";
import { readOsm } from "./osm-read.ts";
import { centroids, findInclusions, loadZones, openWorkspace, setTypes, voronoiCells } from "./postgis.ts";
import { RulesStore } from "./rules.ts";
import { type CosmogonyStats, computeStats } from "./stats.ts";
import { type DraftZone, osmIdOf } from "./types.ts";

const log = childLogger("extract");

export interface ExtractOptions {
  input: string;
  output: string;
  countryCode?: string;
  /** Voronoi cells for place zones (default true). */
  voronoi?: boolean;
  filterLangs?: string[];
  rulesDir?: string;
  threads?: number;
  /** Database for the geometric steps (default: openDatabase()). */
  db?: Database;
}

export interface ExtractSummary {
  output: string;
  zoneCount: number;
  zonesByType: Record<string, number>;
  /** Relations read / dropped by reason (no_name, no_boundary) and ring problems met while building. */
  build: BuildReport;
  /** Zones removed because they ended up without a type, by reason. */
  untyped: {
    noCountry: number;
    unknownCountryRules: number;
    unhandledAdminLevel: number;
    overrideNull: number;
    placesWithoutCell: number;
  };
  stats: CosmogonyStats;
  seconds: { read: number; geometry: number; write: number; total: number };
  bytes: number;
}

/** Tags with their keys sorted, as upstream writes them (its tag maps are ordered), whatever the PBF order. */
function sortedTags(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k];
  return out;
}

function toZone(z: DraftZone): Zone {
  return {
    id: z.id,
    osm_id: osmIdOf(z),
    admin_level: z.adminLevel,
    zone_type: z.zoneType,
    name: z.name,
    loc_name: "",
    alt_name: "",
    label: z.label,
    international_labels: z.internationalLabels,
    zip_codes: z.zipCodes,
    center: z.center ? { type: "Point", coordinates: z.center } : null,
    geometry: z.geometry ? { type: "MultiPolygon", coordinates: toGeoJsonCoords(z.geometry) } : null,
    bbox: z.bbox,
    tags: sortedTags(z.tags),
    center_tags: sortedTags(z.centerTags),
    parent: z.parent,
    wikidata: z.wikidata,
    is_generated: z.isGenerated,
    country_code: z.countryCode,
  };
}

async function localInput(input: string): Promise<{ path: string; cleanup(): Promise<void> }> {
  if (isRemote(input)) {
    const store = await openStore();
    return store.toLocalFile(input);
  }
  const path = input.startsWith("file://") ? new URL(input).pathname : input;
  if (!existsSync(path) || !statSync(path).isFile()) throw new InputError("no such file", { file: input });
  return { path, async cleanup() {} };
}

export async function extract(opts: ExtractOptions): Promise<ExtractSummary> {
  const t0 = Date.now();
  // Fail on a bad output name before any work (upstream's format error).
  detectFormat(opts.output);
  const rulesDir = opts.rulesDir ?? projectPath(getConfig().data.rulesDir);
  if (!existsSync(rulesDir) || !statSync(rulesDir).isDirectory()) {
    throw new InputError("rules directory not found (run `make init` or pass --rules-dir)", { file: rulesDir });
  }
  const rules = new RulesStore(rulesDir);
  const voronoi = opts.voronoi ?? true;
  const filterLangs = opts.filterLangs ?? [];

  const input = await localInput(opts.input);
  let built: ReturnType<typeof buildZones>;
  try {
    const osm = await readOsm(input.path, { threads: opts.threads });
    built = buildZones(osm, { capitals: voronoi });
  } finally {
    await input.cleanup();
  }
  const tRead = Date.now();
  let zones = built.zones;
  log.info(
    { step: "read", seconds: (tRead - t0) / 1000, rssMB: Math.round(process.memoryUsage().rss / 1e6) },
    "read done",
  );
  // Upstream's error, raised before any database work: no --country-code and no zone that gives one.
  if (!opts.countryCode && countryCandidates(zones, (cc) => rules.has(cc)).size === 0) {
    throw new CosmoError(NO_COUNTRY_MESSAGE, { exitCode: EXIT.input });
  }
  log.info(
    { zones: zones.length, dropped: built.report.droppedRelations },
    "zones built, computing inclusions in PostGIS",
  );

  const db = opts.db ?? (await openDatabase());
  // Connections sharing the CPU-bound PostGIS work (--threads, as for the PBF decoding).
  const parallel = Math.max(1, opts.threads ?? availableParallelism());
  const ws = await openWorkspace(db);
  let typing: ReturnType<typeof typeZones>;
  let placesWithoutCell = 0;
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const r = await fn();
    log.info(
      { step: name, seconds: (Date.now() - t) / 1000, rssMB: Math.round(process.memoryUsage().rss / 1e6) },
      `${name} done`,
    );
    return r;
  };
  try {
    await step("load zones into PostGIS", () => loadZones(ws, db, zones, parallel));
    const inclusions = await step("inclusions", () => findInclusions(ws, db, parallel));
    for (const [id, c] of await step("centroids", () => centroids(ws))) zones[id].center = c;
    typing = typeZones(zones, inclusions, rules, opts.countryCode);
    buildHierarchy(zones, inclusions);
    if (voronoi) {
      await setTypes(ws, zones);
      const cellParents = voronoiParents(zones, inclusions, built.capitals);
      const cells = await step("voronoi", () => voronoiCells(ws, db, cellParents, parallel));
      for (const [id, cell] of cells) {
        zones[id].geometry = cell;
        zones[id].bbox = multiPolygonBBox(cell);
      }
      reparentCells(zones, inclusions, cellParents);
      // Capitals are zones only when they add an area no existing city covers.
      const before = zones.length;
      zones = zones.filter((z) => !built.capitals.has(z.id) || cells.has(z.id));
      placesWithoutCell = before - zones.length;
    }
  } finally {
    await ws.drop();
    if (!opts.db) await db.close();
  }
  computeNamesAndLabels(zones, filterLangs);
  const tGeom = Date.now();

  // Zones left without a type are removed before the stats (their ids leave holes, as upstream).
  const typed = zones.filter((z) => z.zoneType !== null);
  const stats = computeStats(typed, typing.stats);
  // Beyond upstream's stats: relations that could not become zones, by reason, for the dashboard's check.
  stats.dropped_boundaries = Object.fromEntries(
    Object.entries(built.report.droppedRelations).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  // gzip level 1: the same JSON ~17% larger, compressed 3.5× faster (level 6 was the longest part of the
  // write step on large inputs).
  const writer = createZoneWriter(opts.output, {
    meta: { osm_filename: basename(opts.input), stats },
    gzipLevel: 1,
  });
  let bytes = 0;
  try {
    for (const z of typed) await writer.write(toZone(z));
    bytes = (await writer.close()).bytes;
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const tEnd = Date.now();

  const zonesByType: Record<string, number> = {};
  for (const z of typed) zonesByType[z.zoneType!] = (zonesByType[z.zoneType!] ?? 0) + 1;
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return {
    output: opts.output,
    zoneCount: typed.length,
    zonesByType,
    build: built.report,
    untyped: {
      noCountry: typing.stats.zoneWithoutCountry,
      unknownCountryRules: sum(stats.zone_with_unkwown_country_rules),
      unhandledAdminLevel: Object.values(stats.unhandled_admin_level).reduce((a, r) => a + sum(r), 0),
      overrideNull: typing.untypedByOverride,
      placesWithoutCell,
    },
    stats,
    seconds: {
      read: (tRead - t0) / 1000,
      geometry: (tGeom - tRead) / 1000,
      write: (tEnd - tGeom) / 1000,
      total: (tEnd - t0) / 1000,
    },
    bytes,
  };
}
