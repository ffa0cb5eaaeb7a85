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
import { defaultMemoryBudget, formatBytes, memoryBudgetBytes } from "../core/memory-budget.ts";
import { projectPath } from "../core/paths.ts";
import { localFile } from "../core/storage.ts";
import {
  type BuildReport,
  type BuiltZones,
  buildPostalBoundaries,
  emptyBuild,
  zonesBuilt,
  zonesBuiltInBatches,
} from "./build-zones.ts";
import { collectGarbage } from "./collect-garbage.ts";
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
  type TypingResult,
  typeZones,
  voronoiParents,
} from "./ontology.ts";
import {
  MixedBlocksError,
  type OsmInput,
  type PassOptions,
  type ReadBlobs,
  type RelationsRead,
  readRelations,
} from "./osm-read.ts";
import { closePbfWorkers } from "./pbf/index.ts";
import {
  type CoversEngine,
  centroids,
  findInclusions,
  loadZones,
  openWorkspace,
  postalCodes,
  setTypes,
  voronoiCells,
  type Workspace,
} from "./postgis.ts";
import { RelationStore } from "./relation-store.ts";
import { RulesStore } from "./rules.ts";
import { SpillDir, SpilledGeometries, SpilledTexts } from "./spill.ts";
import { type CosmogonyStats, computeStats } from "./stats.ts";
import { type DraftZone, hasBoundary } from "./types.ts";
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
  /**
   * Bytes of memory the extract keeps to, spilling to temporary files beyond it (default: config
   * `extract.memoryBudget`, else half the machine's memory). The output is the same either way.
   */
  memoryBudget?: number;
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
  /** How much of the PBF the passes inflated (whole, or up to the first group), summed over the passes. */
  blobs: ReadBlobs;
  /** The memory budget (bytes) and what went to disk to keep to it. */
  memory: {
    budget: number;
    spilledGeometryBytes: number;
    spilledLabelBytes: number;
    /** The zones' rings went to disk at the load (not only before the write). */
    ringsSpilledAtLoad: boolean;
    /** Groups of candidate components the inclusion tests ran in, their rings read back (1: all at once). */
    inclusionGroups: number;
    /** Batches of relations the PBF's ways and nodes were read in (1: all at once). */
    readBatches: number;
  };
}

type PostalBoundaries = ReturnType<typeof buildPostalBoundaries>;

/** The options checked and completed: what the steps read. */
interface Settings {
  countryCode: string | undefined;
  rules: RulesStore;
  voronoi: boolean;
  filterLangs: string[];
  covers: CoversEngine | undefined;
  memoryBudget: number;
}

/**
 * `cosmo extract`, step by step. Each step logs `<step> done` with its seconds and RSS (StepClock); the
 * summary's read / geometry / write seconds are cut between them.
 */
export async function extract(opts: ExtractOptions): Promise<ExtractSummary> {
  const clock = new StepClock();
  const settings = checkedSettings(opts);
  for (const singleKindBlocks of [true, false]) {
    const spillDir = new SpillDir();
    try {
      return await extractWithin(opts, settings, clock, spillDir, singleKindBlocks);
    } catch (err) {
      if (!(err instanceof MixedBlocksError) || !singleKindBlocks) throw err;
      // Files written by some tools mix element kinds in a block: nothing is wrong with them, so debug, not a warning.
      log.debug(
        { file: opts.input },
        "blocks holding several kinds of elements: extracting again, inflating every block",
      );
    } finally {
      spillDir.close();
    }
  }
  throw new Error("unreachable: the second run assumes nothing of the blocks");
}

async function extractWithin(
  opts: ExtractOptions,
  settings: Settings,
  clock: StepClock,
  spillDir: SpillDir,
  singleKindBlocks: boolean,
): Promise<ExtractSummary> {
  const pbf = await clock.step("read", () =>
    readPbf(
      opts.input,
      { threads: opts.threads, pass: singleKindBlocks ? { singleKindBlocks } : {} },
      settings,
      spillDir,
    ),
  );
  const readEnd = clock.elapsed();
  // the same object grows while batches are read (OsmSource)
  const { blobs } = pbf.peek();

  const scratch = await openScratch(opts);
  let placed: PlacedZones;
  try {
    placed = await placeZones(scratch, pbf, settings, clock, spillDir);
  } catch (err) {
    await scratch.close();
    throw err;
  }
  // The scratch schema is dropped while the labels and the file are made: nothing waits for it until the end.
  const dropping = scratch.close();

  // Zones left without a type are removed before the stats (their ids leave holes, as upstream).
  const typed = placed.zones.filter((z) => z.zoneType !== null);
  let texts: GeometryTexts | undefined;
  let spilled: Spilled | undefined;
  let geometryEnd: number;
  let stats: CosmogonyStats;
  let bytes: number;
  try {
    spilled = spillBeyondBudget(placed, typed, opts.threads, settings.memoryBudget, spillDir);
    texts = spilled
      ? spilledGeometryTexts(typed, spilled, opts.threads, settings.memoryBudget)
      : geometryTextsOnThreads(typed, opts.threads);
    await clock.step("names and labels", () =>
      computeNamesAndLabels(placed.zones, settings.filterLangs, spilled?.labels),
    );
    geometryEnd = clock.elapsed();
    stats = zoneStats(typed, placed);
    bytes = await clock.step("write", () => writeOutput(typed, opts, stats, texts, spilled?.geometries));
  } finally {
    await texts?.close();
    placed.rings?.close();
    spilled?.geometries.close();
    spilled?.labels.close();
    await dropping;
  }
  const end = clock.elapsed();

  return summary(typed, placed, stats, {
    output: opts.output,
    bytes,
    seconds: { read: readEnd, geometry: geometryEnd - readEnd, write: end - geometryEnd, total: end },
    blobs,
    memory: {
      budget: settings.memoryBudget,
      spilledGeometryBytes: spilled?.geometries.bytes ?? 0,
      spilledLabelBytes: spilled?.labels.bytes ?? 0,
      ringsSpilledAtLoad: placed.rings !== undefined,
      inclusionGroups: placed.inclusionGroups,
      readBatches: blobs.batches,
    },
  });
}

/** The zones placed by the PostGIS steps, typed and linked into their hierarchy (the untyped ones included). */
interface PlacedZones {
  built: BuiltZones;
  zones: DraftZone[];
  typing: TypingResult;
  placesWithoutCell: number;
  inclusionGroups: number;
  /** Where the zones' rings went once loaded into PostGIS, when the budget could not hold them (buildAndLoad). */
  rings: SpilledGeometries | undefined;
}

/** The steps done in the scratch schema: the zones' geometry, codes, inclusions, types and cells. */
async function placeZones(
  scratch: Scratch,
  pbf: Handoff<OsmSource>,
  settings: Settings,
  clock: StepClock,
  spillDir: SpillDir,
): Promise<PlacedZones> {
  const { built, postal, rings } = await clock.step("build zones, load them into PostGIS", () =>
    buildAndLoad(scratch, pbf, settings, spillDir),
  );
  try {
    return await placeBuilt(scratch, built, postal, rings, settings, clock);
  } catch (err) {
    rings?.close();
    throw err;
  }
}

async function placeBuilt(
  scratch: Scratch,
  built: BuiltZones,
  postal: Handoff<PostalBoundaries>,
  rings: SpilledGeometries | undefined,
  settings: Settings,
  clock: StepClock,
): Promise<PlacedZones> {
  refuseWithoutCountry(built.zones, settings);
  log.info(
    { zones: built.zones.length, dropped: built.report.droppedRelations },
    "zones built, computing inclusions in PostGIS",
  );
  await clock.step("postal codes", () => assignPostalCodes(scratch, built.zones, postal));
  const readBack = rings && {
    rings,
    groupVertices: Math.floor(settings.memoryBudget / READ_BACK_SHARE / 16),
    groups: 1,
  };
  const inclusions = await clock.step("inclusions", () =>
    findInclusions(scratch.ws, scratch.db, scratch.parallel, settings.covers, readBack),
  );
  const inclusionGroups = readBack?.groups ?? 1;
  await clock.step("centroids", () => assignCentroids(scratch, built.zones));
  const typing = await clock.step("types and hierarchy", () => typeAndLink(built.zones, inclusions, settings));
  if (!settings.voronoi) return { built, zones: built.zones, typing, placesWithoutCell: 0, inclusionGroups, rings };

  await setTypes(scratch.ws, built.zones);
  const cellParents = voronoiParents(built.zones, inclusions, built.capitals);
  const cells = await clock.step("voronoi", () => voronoiCells(scratch.ws, scratch.db, cellParents, scratch.parallel));
  giveCells(built.zones, cells);
  await clock.step("cell parents", () => reparentCells(built.zones, inclusions, cellParents));
  // Capitals are zones only when they add an area no existing city covers.
  const zones = built.zones.filter((z) => !built.capitals.has(z.id) || cells.has(z.id));
  return { built, zones, typing, placesWithoutCell: built.zones.length - zones.length, inclusionGroups, rings };
}

// ---- the steps ----

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

/** Bad options are refused before any work: the output name (upstream's format error), the code, the rules. */
function checkedSettings(opts: ExtractOptions): Settings {
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
  return {
    countryCode,
    rules,
    voronoi: opts.voronoi ?? true,
    filterLangs: opts.filterLangs ?? [],
    covers: opts.covers,
    memoryBudget: checkedMemoryBudget(opts.memoryBudget),
  };
}

/** The budget given, else the configured one (checked with the config), else one sized to the machine. */
function checkedMemoryBudget(given: number | undefined): number {
  if (given !== undefined) {
    if (!Number.isFinite(given) || given <= 0) {
      throw new CosmoError(`memory budget: expected a positive number of bytes, got ${given}`, {
        exitCode: EXIT.input,
      });
    }
    return given;
  }
  const configured = getConfig().extract.memoryBudget;
  return configured ? memoryBudgetBytes(configured) : defaultMemoryBudget();
}

/**
 * The PBF as the build takes it: read whole when the read's tables and the rings fit in the budget; else its
 * relations only, the ways and nodes to be read in batches of relations while the zones are built and loaded.
 */
type OsmSource =
  | { kind: "whole"; osm: OsmInput; blobs: ReadBlobs }
  | { kind: "batches"; read: RelationsRead; maxWayNodes: number; blobs: ReadBlobs; close(): Promise<void> };

/**
 * Bytes a way node takes in the read of a batch at its peak (osm-read.ts readWays: the pass's node ids, their
 * copy into one table, the sorted set of ids and its sort's scratch array, the keys; pass 3: ids and coordinates).
 */
const READ_BYTES_PER_WAY_NODE = 40;
/** The read of one batch takes at most this fraction of the budget. */
const READ_SHARE = 8;

/**
 * The PBF's relations, and its ways and nodes: read whole now when they fit, else in batches later (an s3:// input is
 * downloaded first, and its copy removed once read).
 */
async function readPbf(
  input: string,
  passes: PassOptions,
  settings: Settings,
  spillDir: SpillDir,
): Promise<Handoff<OsmSource>> {
  const local = await localFile(input);
  let batched = false;
  const done = async () => {
    // The decode workers are done: their heaps (grown with the largest blocks) would stay to the end.
    await closePbfWorkers();
    await local.cleanup();
  };
  try {
    const budget = settings.memoryBudget;
    // the relations, with every name:* tag, are most of the read's heap: on disk beyond a share of the budget
    const relations = new RelationStore(budget / READ_SHARE, spillDir.file("relations.json"));
    const read = await readRelations(local.path, passes, relations);
    const rss = process.memoryUsage().rss;
    const fits = rss + read.wayNodes * (READ_BYTES_PER_WAY_NODE + RING_BYTES_PER_WAY_NODE) <= budget;
    if (!fits && !read.sorted) {
      log.warn(
        { file: input, budget: formatBytes(budget) },
        "memory budget: the file is not sorted by type then id (its header does not say so): its ways and nodes are read at once, beyond the budget (batches of relations would each inflate the whole file); `osmium sort` makes it sorted",
      );
    }
    if (fits || !read.sorted) {
      for await (const osm of read.batches(Number.POSITIVE_INFINITY)) {
        return new Handoff<OsmSource>({ kind: "whole", osm: { ...osm, blobs: read.blobs }, blobs: read.blobs });
      }
    }
    const maxWayNodes = Math.floor(budget / READ_SHARE / READ_BYTES_PER_WAY_NODE);
    log.info(
      {
        budget: formatBytes(budget),
        rss: formatBytes(rss),
        memberWays: read.memberWays,
        wayNodes: read.wayNodes,
        maxWayNodes,
      },
      "memory budget: the ways and nodes are read in batches of relations while the zones are built, their rings go to a temporary file once loaded into PostGIS",
    );
    batched = true;
    // the relations moved to disk as pass 1 decoded them are garbage, and their JSON text too: let them go
    if (relations.onDisk) collectGarbage();
    return new Handoff<OsmSource>({ kind: "batches", read, maxWayNodes, blobs: read.blobs, close: done });
  } finally {
    if (!batched) await done();
  }
}

/**
 * The zones, built as the COPY into PostGIS takes them (the server stores one while the next is built), and the
 * postal-code boundaries. The PBF's node and way tables are let go here: garbage once the zones are built.
 */
async function buildAndLoad(
  scratch: Scratch,
  pbf: Handoff<OsmSource>,
  settings: Settings,
  spillDir: SpillDir,
): Promise<{ built: BuiltZones; postal: Handoff<PostalBoundaries>; rings: SpilledGeometries | undefined }> {
  const source = pbf.take();
  if (source.kind === "batches") return await buildAndLoadInBatches(scratch, source, settings, spillDir);
  const { osm } = source;
  const postal = new Handoff(buildPostalBoundaries(osm));
  const built = emptyBuild(osm.relations.length);
  const rings = ringsBeyondBudget(osm, settings.memoryBudget, spillDir);
  const zones = zonesBuilt(osm, { capitals: settings.voronoi, slabLength: rings && SPILLED_SLAB_LENGTH }, built);
  try {
    await loadZones(scratch.ws, scratch.db, rings ? spilledOnceLoaded(zones, rings) : zones, scratch.parallel);
  } catch (err) {
    rings?.close();
    throw err;
  }
  // the spilled zones' slabs and the read's tables (node coordinates, way nodes) are garbage now: let them go
  if (rings) collectGarbage();
  return { built, postal, rings };
}

/**
 * buildAndLoad for a PBF read in batches of relations: each batch's ways and nodes are garbage once its zones are
 * built, and each zone's rings go to disk once PostGIS has its row (the budget could not hold the read).
 */
async function buildAndLoadInBatches(
  scratch: Scratch,
  source: Extract<OsmSource, { kind: "batches" }>,
  settings: Settings,
  spillDir: SpillDir,
): Promise<{ built: BuiltZones; postal: Handoff<PostalBoundaries>; rings: SpilledGeometries }> {
  const built = emptyBuild(source.read.relations.size);
  let postal: PostalBoundaries | undefined;
  const rings = new SpilledGeometries(spillDir.file("rings.f64"));
  const zones = zonesBuiltInBatches(
    source.read.batches(source.maxWayNodes),
    {
      capitals: settings.voronoi,
      slabLength: SPILLED_SLAB_LENGTH,
      first: (osm) => {
        postal = buildPostalBoundaries(osm);
      },
    },
    built,
  );
  try {
    await loadZones(scratch.ws, scratch.db, spilledOnceLoaded(zones, rings), scratch.parallel);
  } catch (err) {
    rings.close();
    throw err;
  } finally {
    await source.close();
  }
  collectGarbage();
  if (!postal) throw new Error("the read gave no batch: the postal-code boundaries were never built");
  return { built, postal: new Handoff(postal), rings };
}

/**
 * Bytes of rings a way node makes, about: 3 positions of 16 bytes (a way is in the rings of the zones on both
 * sides and of every nesting level; measured on the Luxembourg grids: 44 bytes).
 */
const RING_BYTES_PER_WAY_NODE = 48;
/** Numbers per ring slab when the rings go to disk zone by zone (8 MB: the spilled zones' slabs are let go). */
const SPILLED_SLAB_LENGTH = 1 << 20;
/** The rings read back for the inclusion tests of a group of components take at most this fraction of the budget. */
const READ_BACK_SHARE = 8;

/**
 * A spill file for the zones' rings when the read's size says they would take the process beyond its budget
 * (then each zone's rings go to disk as soon as PostGIS has its row: spilledOnceLoaded); else undefined.
 */
function ringsBeyondBudget(osm: OsmInput, budget: number, spillDir: SpillDir): SpilledGeometries | undefined {
  const rss = process.memoryUsage().rss;
  const rings = RING_BYTES_PER_WAY_NODE * osm.ways.node.length;
  if (rss + rings <= budget) return undefined;
  log.info(
    { budget: formatBytes(budget), rss: formatBytes(rss), rings: formatBytes(rings) },
    "memory budget: each zone's rings go to a temporary file once loaded into PostGIS, read back for the inclusion tests and the write",
  );
  return new SpilledGeometries(spillDir.file("rings.f64"));
}

/** The zones as the COPY takes them, each one's rings moved to `rings` once its row is made. */
async function* spilledOnceLoaded(
  zones: Iterable<DraftZone> | AsyncIterable<DraftZone>,
  rings: SpilledGeometries,
): AsyncGenerator<DraftZone> {
  for await (const z of zones) {
    yield z;
    // resumed when the COPY asks for the next zone: this one's row is made
    if (z.geometry) {
      rings.spill(z.id, z.geometry);
      z.geometry = null;
      z.ringsSpilled = true;
    }
  }
}

/** Upstream's error: no --country-code and no zone that gives one. */
function refuseWithoutCountry(zones: DraftZone[], settings: Settings): void {
  const warnInvalidTag = (osmId: string, value: string) =>
    log.warn(
      { object: osmId, tag: COUNTRY_CODE_TAG, value },
      `${osmId}: ${COUNTRY_CODE_TAG}=${JSON.stringify(value)} is not an ISO 3166-1 alpha-2 code, ignored`,
    );
  const candidates = countryCandidates(zones, (cc) => settings.rules.has(cc), warnInvalidTag);
  if (!settings.countryCode && candidates.size === 0) {
    throw new CosmoError(NO_COUNTRY_MESSAGE, { exitCode: EXIT.input });
  }
}

/** Zones with a boundary and no zip tag take the codes of the postal-code boundaries they overlap (upstream). */
async function assignPostalCodes(
  scratch: Scratch,
  zones: DraftZone[],
  postal: Handoff<PostalBoundaries>,
): Promise<void> {
  const withoutZip = zones.filter((z) => hasBoundary(z) && z.zipCodes.length === 0).map((z) => z.id);
  const { boundaries, dropped } = postal.take();
  const zips = await postalCodes(scratch.ws, scratch.db, boundaries, withoutZip, scratch.parallel);
  for (const [id, codes] of zips) zones[id].zipCodes = codes;
  log.info(
    { postalBoundaries: boundaries.length, dropped, zonesGivenZips: zips.size },
    "zip codes from postal-code boundaries",
  );
}

async function assignCentroids(scratch: Scratch, zones: DraftZone[]): Promise<void> {
  for (const [id, c] of await centroids(scratch.ws)) zones[id].center = c;
}

function typeAndLink(zones: DraftZone[], inclusions: Map<number, number[]>, settings: Settings): TypingResult {
  const typing = typeZones(zones, inclusions, settings.rules, settings.countryCode);
  buildHierarchy(zones, inclusions);
  return typing;
}

/** Place zones take their Voronoi cell as geometry. */
function giveCells(zones: DraftZone[], cells: Awaited<ReturnType<typeof voronoiCells>>): void {
  for (const [id, cell] of cells) {
    zones[id].geometry = cell;
    zones[id].bbox = multiPolygonBBox(cell);
  }
}

/** JSON text of the geometries made ahead by the text workers (geometry-texts.ts), at most, in bytes. */
const TEXT_WINDOW_BYTES = 12e6 * 40;
/**
 * Chain labels a zone, held from the labels step to the write (~230 international labels a zone under a country
 * with many name:* tags, each a string built onto its parent's): measured on the benchmark grid, ~17 KB a zone.
 */
const LABEL_BYTES_PER_ZONE = 17e3;

/** What went to the spill directory to keep to the memory budget. */
interface Spilled {
  geometries: SpilledGeometries;
  labels: SpilledTexts;
  /** Vertices of the spilled geometries. */
  vertices: number;
}

/**
 * The geometries are final; from here to the end of the write the extract holds every zone's rings (16 bytes a
 * vertex, plus the text workers' window) and chain labels. When they would take the process beyond its budget,
 * every written zone's rings go to a temporary file, read back one zone at a time by the write (the others are
 * let go), and so do the international labels, each zone's as soon as it is made. Returns what was spilled, or
 * undefined when memory holds it all. When the rings went to disk at the load already (placed.rings), the
 * geometries made since (the Voronoi cells) join them there, and the labels are spilled too.
 */
function spillBeyondBudget(
  placed: PlacedZones,
  typed: DraftZone[],
  threads: number | undefined,
  budget: number,
  spillDir: SpillDir,
): Spilled | undefined {
  const spilledVertices = (z: DraftZone) => placed.rings?.vertexCount(z.id) ?? 0;
  const vertices = typed.reduce((n, z) => n + vertexCount(z.geometry) + spilledVertices(z), 0);
  const window = geometryTextThreads(vertices, threads ?? availableParallelism()) > 0 ? TEXT_WINDOW_BYTES : 0;
  const rss = process.memoryUsage().rss;
  if (!placed.rings && rss + window + placed.zones.length * LABEL_BYTES_PER_ZONE <= budget) return undefined;
  const geometries = placed.rings ?? new SpilledGeometries(spillDir.file("geometries.f64"));
  const labels = new SpilledTexts(spillDir.file("international-labels.json"));
  try {
    for (const z of typed) if (z.geometry) geometries.spill(z.id, z.geometry);
  } catch (err) {
    geometries.close();
    labels.close();
    throw err;
  }
  for (const z of placed.built.zones) z.geometry = null;
  for (const z of placed.zones) z.geometry = null;
  collectGarbage();
  log.info(
    { budget: formatBytes(budget), rss: formatBytes(rss), geometries: formatBytes(geometries.bytes), vertices },
    "memory budget: the zones' geometries and international labels go to temporary files until the write",
  );
  return { geometries, labels, vertices };
}

/** Bytes of JSON text a vertex, about (two coordinates of up to 17 characters, brackets and commas). */
const TEXT_BYTES_PER_VERTEX = 40;

/**
 * The spilled geometries' JSON text made on worker threads, as for geometries in memory, each read back from the
 * spill file as the workers' window moves on; the window is an eighth of the budget (at most the usual one).
 */
function spilledGeometryTexts(
  typed: DraftZone[],
  spilled: Spilled,
  threads: number | undefined,
  budget: number,
): GeometryTexts | undefined {
  const textThreads = geometryTextThreads(spilled.vertices, threads ?? availableParallelism());
  if (textThreads === 0) return undefined;
  const { geometries } = spilled;
  const source = {
    length: typed.length,
    at: (i: number) => (geometries.has(typed[i].id) ? geometries.read(typed[i].id, { forget: true }) : null),
  };
  const ahead = Math.max(1 << 18, Math.min(12e6, Math.floor(budget / 8 / TEXT_BYTES_PER_VERTEX)));
  return new GeometryTexts(source, textThreads, undefined, ahead);
}

/** The geometries are final: their JSON text is made on worker threads from now on (when big enough to gain). */
function geometryTextsOnThreads(zones: DraftZone[], threads: number | undefined): GeometryTexts | undefined {
  const geometries = zones.map((z) => z.geometry);
  const vertices = geometries.reduce((n, g) => n + vertexCount(g), 0);
  const textThreads = geometryTextThreads(vertices, threads ?? availableParallelism());
  return textThreads > 0 ? new GeometryTexts(geometries, textThreads) : undefined;
}

function zoneStats(typed: DraftZone[], placed: PlacedZones): CosmogonyStats {
  const stats = computeStats(typed, placed.typing.stats);
  // Beyond upstream's stats: relations that could not become zones, by reason, for the dashboard's check.
  stats.dropped_boundaries = Object.fromEntries(
    Object.entries(placed.built.report.droppedRelations).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return stats;
}

/** The zones file, then its stats sidecar: a sidecar never describes a file that is not there. Returns its bytes. */
async function writeOutput(
  typed: DraftZone[],
  opts: ExtractOptions,
  stats: CosmogonyStats,
  texts: GeometryTexts | undefined,
  spilled: SpilledGeometries | undefined,
): Promise<number> {
  const meta = metaObject({ osm_filename: basename(opts.input), stats });
  const geometryOf = spilled
    ? (z: DraftZone) => (spilled.has(z.id) ? spilled.read(z.id, { forget: true }) : null)
    : undefined;
  const { bytes } = await writeZones(typed, opts.output, meta, texts, geometryOf);
  await writeMetaSidecar(opts.output, meta);
  return bytes;
}

function summary(
  typed: DraftZone[],
  placed: PlacedZones,
  stats: CosmogonyStats,
  written: Pick<ExtractSummary, "output" | "bytes" | "seconds" | "blobs" | "memory">,
): ExtractSummary {
  const zonesByType: Record<string, number> = {};
  for (const z of typed) zonesByType[z.zoneType!] = (zonesByType[z.zoneType!] ?? 0) + 1;
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return {
    output: written.output,
    zoneCount: typed.length,
    zonesByType,
    build: placed.built.report,
    untyped: {
      noCountry: placed.typing.stats.zoneWithoutCountry,
      unknownCountryRules: sum(stats.zone_with_unkwown_country_rules),
      unhandledAdminLevel: Object.values(stats.unhandled_admin_level).reduce((a, r) => a + sum(r), 0),
      overrideNull: placed.typing.untypedByOverride,
      placesWithoutCell: placed.placesWithoutCell,
    },
    stats,
    seconds: written.seconds,
    bytes: written.bytes,
    blobs: written.blobs,
    memory: written.memory,
  };
}

// ---- what the steps share ----

/** Times the steps: one `<step> done` log line each, with its seconds and the process's RSS (now and peak). */
class StepClock {
  private readonly started = Date.now();

  /** Seconds since the extract started. */
  elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  async step<T>(name: string, run: () => T | Promise<T>): Promise<T> {
    const t = Date.now();
    const result = await run();
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1e6);
    // rss: what the budget is about; heap and arrayBuffers: where it goes (JS objects, typed arrays and slabs)
    log.info(
      {
        step: name,
        seconds: (Date.now() - t) / 1000,
        rssMB: mb(m.rss),
        // the highest RSS so far (kB): a step's own peak when above the earlier steps' (its end may be far below it)
        peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
        heapMB: mb(m.heapUsed),
        heapTotalMB: mb(m.heapTotal),
        arrayBuffersMB: mb(m.arrayBuffers),
      },
      `${name} done`,
    );
    return result;
  }
}

/**
 * A large value passed from the step that makes it to the one step that uses it, which takes it out: no
 * variable of the pipeline keeps it alive (and its memory from the garbage collector) after that step.
 */
class Handoff<T> {
  private value: T | null;

  constructor(value: T) {
    this.value = value;
  }

  /** The value, left in place (for small parts of it). */
  peek(): T {
    if (this.value === null) throw new Error("a handed-off value was read after it was taken");
    return this.value;
  }

  take(): T {
    const value = this.value;
    if (value === null) throw new Error("a handed-off value was taken twice");
    this.value = null;
    return value;
  }
}

/** The extract's scratch schema, and how many connections share its CPU-bound PostGIS work. */
interface Scratch {
  db: Database;
  ws: Workspace;
  parallel: number;
  /** Drops the schema (and closes the database when the extract opened it). */
  close(): Promise<void>;
}

async function openScratch(opts: ExtractOptions): Promise<Scratch> {
  const db = opts.db ?? (await openDatabase());
  const ws = await openWorkspace(db);
  return {
    db,
    ws,
    // --threads, as for the PBF decoding
    parallel: Math.max(1, opts.threads ?? availableParallelism()),
    async close() {
      try {
        await ws.drop();
      } finally {
        if (!opts.db) await db.close();
      }
    },
  };
}
