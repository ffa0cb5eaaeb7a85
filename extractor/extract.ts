// `cosmo extract`: OSM PBF → cosmogony zones file. Reads the PBF in three passes, builds the boundaries, loads
// them into PostGIS (validity, repair, bbox candidates, centroids, Voronoi cells), decides which zone covers which
// (exact predicates, or GEOS with --covers geos), types the zones with the libpostal rules, builds the hierarchy
// and labels, and streams the result through the zones writer.
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { getConfig } from "../core/config.ts";
import { detectFormat } from "../core/cosmogony/format.ts";
import { type Database, openDatabase } from "../core/db.ts";
import { CosmoError, EXIT, InputError } from "../core/errors.ts";
import { childLogger } from "../core/log.ts";
import { projectPath } from "../core/paths.ts";
import { localFile } from "../core/storage.ts";
import { type BuildReport, buildPostalBoundaries, emptyBuild, zonesBuilt } from "./build-zones.ts";
import { isCountryCode } from "./country-codes.ts";
import { multiPolygonBBox, vertexCount } from "./geometry.ts";
import { GeometryTexts, geometryTextThreads } from "./geometry-texts.ts";
import { COUNTRY_CODE_TAG, countryCandidates } from "./hierarchy.ts";
import { metaObject, writeMetaSidecar } from "./meta-sidecar.ts";
import {
  buildHierarchy,
  computeNamesAndLabels,
  NO_COUNTRY_MESSAGE,
  reparentCells,
  typeZones,
  voronoiParents,
} from "./ontology.ts";
import { type OsmInput, readOsm } from "./osm-read.ts";
import {
  type CoversEngine,
  centroids,
  findInclusions,
  loadZones,
  openWorkspace,
  postalCodes,
  setTypes,
  voronoiCells,
} from "./postgis.ts";
import { RulesStore } from "./rules.ts";
import { type CosmogonyStats, computeStats } from "./stats.ts";
import type { DraftZone } from "./types.ts";
import { writeZones } from "./write-zones.ts";

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
  /** Who decides the covers tests of the inclusion search (default "exact"; "geos": ST_Covers, as upstream). */
  covers?: CoversEngine;
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

/** `--country-code` as given (any case), upper-cased; refused unless an ISO 3166-1 alpha-2 code. */
function checkedCountryCode(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!isCountryCode(value)) {
    throw new CosmoError(
      `--country-code ${JSON.stringify(value)} is not an ISO 3166-1 alpha-2 country code (two letters, e.g. lu, fr, ca)`,
      { exitCode: EXIT.input },
    );
  }
  return value.toUpperCase();
}

export async function extract(opts: ExtractOptions): Promise<ExtractSummary> {
  const t0 = Date.now();
  // Fail on a bad output name before any work (upstream's format error).
  detectFormat(opts.output);
  const countryCode = checkedCountryCode(opts.countryCode);
  const rulesDir = opts.rulesDir ?? projectPath(getConfig().data.rulesDir);
  if (!existsSync(rulesDir) || !statSync(rulesDir).isDirectory()) {
    throw new InputError("rules directory not found (run `make init` or pass --rules-dir)", { file: rulesDir });
  }
  const rules = new RulesStore(rulesDir);
  if (countryCode && !rules.has(countryCode)) {
    log.warn(
      { countryCode, rulesDir },
      `no rules file for --country-code ${countryCode}: its relations stay untyped and are left out (counted in zone_with_unkwown_country_rules); only place zones are written`,
    );
  }
  const voronoi = opts.voronoi ?? true;
  const filterLangs = opts.filterLangs ?? [];

  const input = await localFile(opts.input);
  let osm: OsmInput | null;
  try {
    osm = await readOsm(input.path, { threads: opts.threads });
  } finally {
    await input.cleanup();
  }
  const tRead = Date.now();
  log.info(
    { step: "read", seconds: (tRead - t0) / 1000, rssMB: Math.round(process.memoryUsage().rss / 1e6) },
    "read done",
  );

  const db = opts.db ?? (await openDatabase());
  // Connections sharing the CPU-bound PostGIS work (--threads, as for the PBF decoding).
  const parallel = Math.max(1, opts.threads ?? availableParallelism());
  const ws = await openWorkspace(db);
  const cleanup = async () => {
    try {
      await ws.drop();
    } finally {
      if (!opts.db) await db.close();
    }
  };
  let typing: ReturnType<typeof typeZones>;
  let placesWithoutCell = 0;
  const done = (name: string, t: number) =>
    log.info(
      { step: name, seconds: (Date.now() - t) / 1000, rssMB: Math.round(process.memoryUsage().rss / 1e6) },
      `${name} done`,
    );
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const r = await fn();
    done(name, t);
    return r;
  };
  const stepSync = <T>(name: string, fn: () => T): T => {
    const t = Date.now();
    const r = fn();
    done(name, t);
    return r;
  };
  // The zones are built as the COPY into PostGIS takes them: the server stores one while the next is built.
  let postal: ReturnType<typeof buildPostalBoundaries> | null = buildPostalBoundaries(osm);
  const built = emptyBuild(osm);
  let building: Generator<DraftZone> | null = zonesBuilt(osm, { capitals: voronoi }, built);
  osm = null; // the PBF's node and way tables: garbage once the zones are built
  let zones = built.zones;
  try {
    await step("build zones, load them into PostGIS", () =>
      loadZones(ws, db, building as Generator<DraftZone>, parallel),
    );
    building = null;
    // Upstream's error: no --country-code and no zone that gives one.
    const warnInvalidTag = (osmId: string, value: string) =>
      log.warn(
        { object: osmId, tag: COUNTRY_CODE_TAG, value },
        `${osmId}: ${COUNTRY_CODE_TAG}=${JSON.stringify(value)} is not an ISO 3166-1 alpha-2 code, ignored`,
      );
    const candidates = countryCandidates(zones, (cc) => rules.has(cc), warnInvalidTag);
    if (!countryCode && candidates.size === 0) {
      throw new CosmoError(NO_COUNTRY_MESSAGE, { exitCode: EXIT.input });
    }
    log.info(
      { zones: zones.length, dropped: built.report.droppedRelations },
      "zones built, computing inclusions in PostGIS",
    );
    // Zones with a boundary and no zip tag take the codes of the postal-code boundaries they overlap (upstream).
    const withoutZip = zones.filter((z) => z.geometry && z.zipCodes.length === 0).map((z) => z.id);
    const { boundaries, dropped } = postal;
    postal = null; // their rings: garbage once the codes are assigned
    const zips = await step("postal codes", () => postalCodes(ws, db, boundaries, withoutZip, parallel));
    for (const [id, codes] of zips) zones[id].zipCodes = codes;
    log.info(
      { postalBoundaries: boundaries.length, dropped, zonesGivenZips: zips.size },
      "zip codes from postal-code boundaries",
    );
    const inclusions = await step("inclusions", () => findInclusions(ws, db, parallel, opts.covers));
    for (const [id, c] of await step("centroids", () => centroids(ws))) zones[id].center = c;
    typing = stepSync("types and hierarchy", () => {
      const t = typeZones(zones, inclusions, rules, countryCode);
      buildHierarchy(zones, inclusions);
      return t;
    });
    if (voronoi) {
      await setTypes(ws, zones);
      const cellParents = voronoiParents(zones, inclusions, built.capitals);
      const cells = await step("voronoi", () => voronoiCells(ws, db, cellParents, parallel));
      for (const [id, cell] of cells) {
        zones[id].geometry = cell;
        zones[id].bbox = multiPolygonBBox(cell);
      }
      stepSync("cell parents", () => reparentCells(zones, inclusions, cellParents));
      // Capitals are zones only when they add an area no existing city covers.
      const before = zones.length;
      zones = zones.filter((z) => !built.capitals.has(z.id) || cells.has(z.id));
      placesWithoutCell = before - zones.length;
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  // The scratch schema is dropped while the labels and the file are made: nothing waits for it until the end.
  const dropping = cleanup();
  let typed: DraftZone[];
  let stats: CosmogonyStats;
  let bytes: number;
  let tGeom: number;
  // Zones left without a type are removed before the stats (their ids leave holes, as upstream).
  typed = zones.filter((z) => z.zoneType !== null);
  // The geometries are final: their JSON text is made on worker threads from now on, during the labels.
  const geometries = typed.map((z) => z.geometry);
  const vertices = geometries.reduce((n, g) => n + vertexCount(g), 0);
  const textThreads = geometryTextThreads(vertices, opts.threads ?? availableParallelism());
  let texts: GeometryTexts | undefined;
  try {
    if (textThreads > 0) texts = new GeometryTexts(geometries, textThreads);
    stepSync("names and labels", () => computeNamesAndLabels(zones, filterLangs));
    tGeom = Date.now();
    stats = computeStats(typed, typing.stats);
    // Beyond upstream's stats: relations that could not become zones, by reason, for the dashboard's check.
    stats.dropped_boundaries = Object.fromEntries(
      Object.entries(built.report.droppedRelations).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    const meta = metaObject({ osm_filename: basename(opts.input), stats });
    ({ bytes } = await writeZones(typed, opts.output, meta, texts));
    // after the zones file is complete: a sidecar never describes a file that is not there
    await writeMetaSidecar(opts.output, meta);
  } finally {
    await texts?.close();
    await dropping;
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
