// Typing, hierarchy, names and labels over zones whose inclusions are known (pure: the geometric part —
// who covers whom — was answered by PostGIS before).
import { CosmoError, EXIT } from "../core/errors.ts";
import { ChainLabelBuilder } from "./chain-labels.ts";
import { chooseParent, countryCandidates, findCountry, parentChain } from "./hierarchy.ts";
import { computeLabels, internationalNames, type LabelInput } from "./names.ts";
import { PLACE_TYPES, type RulesStore, resolveZoneType } from "./rules.ts";
import type { SpilledTexts } from "./spill.ts";
import { countUnhandledLevel, countUnknownRules, emptyTypingStats, type TypingStats } from "./stats.ts";
import { type DraftZone, isAdmin, osmIdOf, typeRank } from "./types.ts";
import { mergeCenterNames } from "./zones.ts";

export const NO_COUNTRY_MESSAGE =
  "no country_code has been provided and no country have been found, we won't be able to make a cosmogony " +
  "(no zone has an ISO3166-1:alpha2 tag with a rules file: pass --country-code CC)";

export interface TypingResult {
  stats: TypingStats;
  untypedByOverride: number;
}

/**
 * Country code then type of every zone. Relations are typed by their country's rules; place nodes by their
 * `place` value (unless an id override of their country says otherwise).
 */
export function typeZones(
  zones: DraftZone[],
  inclusions: Map<number, number[]>,
  rules: RulesStore,
  countryCode: string | undefined,
): TypingResult {
  const stats = emptyTypingStats();
  let untypedByOverride = 0;
  const forced = countryCode?.toUpperCase();
  const candidates = countryCandidates(zones, (cc) => rules.has(cc));
  if (!forced && candidates.size === 0) throw new CosmoError(NO_COUNTRY_MESSAGE, { exitCode: EXIT.input });
  const byId = new Map(zones.map((z) => [z.id, z]));

  for (const z of zones) {
    const containers = inclusions.get(z.id) ?? [];
    const cc = forced ?? findCountry(z.id, containers, candidates);
    z.countryCode = cc;
    const countryRules = cc ? rules.get(cc) : null;
    const osmId = osmIdOf(z);

    if (z.osmType === "node") {
      const override = countryRules?.idOverrides.has(osmId) ? countryRules.idOverrides.get(osmId) : undefined;
      z.zoneType = override !== undefined ? override : (PLACE_TYPES[z.tags.place] ?? null);
      continue;
    }
    if (!cc) {
      stats.zoneWithoutCountry++;
      continue;
    }
    if (!countryRules) {
      countUnknownRules(stats, cc);
      continue;
    }
    const containerIds = containers.map((id) => osmIdOf(byId.get(id)!));
    const res = resolveZoneType(countryRules, { osmId, adminLevel: z.adminLevel }, containerIds);
    if (res.kind === "typed") z.zoneType = res.type;
    else if (res.kind === "unknown_level") countUnhandledLevel(stats, cc, res.level);
    else untypedByOverride++;
  }
  return { stats, untypedByOverride };
}

/** Parent of every zone: among its containers, an administrative zone of strictly larger type, the smallest. */
export function buildHierarchy(zones: DraftZone[], inclusions: Map<number, number[]>): void {
  const byId = new Map(zones.map((z) => [z.id, z]));
  for (const z of zones) {
    const containers = (inclusions.get(z.id) ?? []).map((id) => byId.get(id)!);
    z.parent = chooseParent(z, containers)?.id ?? null;
  }
}

const CITY_RANK = typeRank("city");

/**
 * Places that get a Voronoi cell, with the zone their cell is cut from: suburb places without admin_level
 * and capital places, inside their smallest containing admin zone of type ≥ city.
 */
export function voronoiParents(
  zones: DraftZone[],
  inclusions: Map<number, number[]>,
  capitals: Set<number>,
): Map<number, number> {
  const byId = new Map(zones.map((z) => [z.id, z]));
  const out = new Map<number, number>();
  for (const z of zones) {
    if (z.osmType !== "node" || !z.zoneType) continue;
    const eligible = capitals.has(z.id) || (z.zoneType === "suburb" && z.adminLevel === null);
    if (!eligible) continue;
    let best: DraftZone | null = null;
    for (const id of inclusions.get(z.id) ?? []) {
      const c = byId.get(id)!;
      if (c.osmType !== "relation" || !isAdmin(c) || typeRank(c.zoneType!) < CITY_RANK) continue;
      if (best === null || typeRank(c.zoneType!) < typeRank(best.zoneType!)) best = c;
    }
    if (best) out.set(z.id, best.id);
  }
  return out;
}

/**
 * name:* from the center node where it describes the zone, then labels along the parent chain. `spill`: where each
 * zone's international labels go (as JSON) as soon as its chain is built, read back when the writer asks for them,
 * so that memory holds the chain labels of the zones whose children are still to come only (a memory budget).
 */
export function computeNamesAndLabels(zones: DraftZone[], filterLangs: string[], spill?: SpilledTexts): void {
  for (const z of zones) mergeCenterNames(z);
  const byId = new Map(zones.map((z) => [z.id, z]));
  const inputs = new Map<number, LabelInput>();
  for (const z of zones)
    inputs.set(z.id, { name: z.name, zipCodes: z.zipCodes, names: internationalNames(z.tags, z.name) });
  const cyclic = zones.some((z) => {
    const chain = parentChain(z, byId);
    const top = chain[chain.length - 1];
    return top.parent !== null && byId.has(top.parent);
  });
  if (cyclic) {
    // A parent cycle (never made by buildHierarchy, whose parents are of a strictly larger type): each zone's
    // labels from its own chain, as far as parentChain follows it.
    for (const z of zones)
      Object.assign(
        z,
        computeLabels(
          parentChain(z, byId).map((c) => inputs.get(c.id)!),
          filterLangs,
        ),
      );
    return;
  }
  // Built root first, each zone's labels from its parent's: a zone's ancestors not added yet are added before it,
  // top down (no zone's whole chain is kept: only the ones still to add, on this stack).
  const builder = new ChainLabelBuilder(filterLangs);
  const added = new Set<number>();
  const spilling = spill ? new LabelSpilling(zones, byId, builder, inputs, spill) : null;
  const toAdd: DraftZone[] = [];
  for (const zone of zones) {
    let up: DraftZone | undefined = zone;
    while (up && !added.has(up.id)) {
      toAdd.push(up);
      up = up.parent !== null ? byId.get(up.parent) : undefined;
    }
    let parent = up;
    for (let z = toAdd.pop(); z; z = toAdd.pop()) {
      builder.add(inputs.get(z.id)!, parent ? inputs.get(parent.id)! : null);
      added.add(z.id);
      spilling?.added(z);
      parent = z;
    }
  }
  if (spilling) return;
  const source: LabelsSource = { labelsOf: (id) => builder.labels(inputs.get(id)!).internationalLabels };
  for (const z of zones) {
    z.label = builder.label(inputs.get(z.id)!);
    internationalLabelsOnRead(z, source);
  }
}

/**
 * The labels of each zone as soon as its chain labels are built: the label kept, the international labels written
 * to the spill file; its chain labels forgotten once every child of it is added too.
 */
class LabelSpilling {
  /** Children of each zone not yet added. */
  private readonly waiting = new Map<number, number>();
  private readonly done = new Set<number>();
  /** What the zones keep till the write: not this (its maps are garbage once the step ends). */
  private readonly source: SpilledLabels;

  constructor(
    zones: DraftZone[],
    private readonly byId: Map<number, DraftZone>,
    private readonly builder: ChainLabelBuilder,
    private readonly inputs: Map<number, LabelInput>,
    private readonly spill: SpilledTexts,
  ) {
    for (const z of zones) {
      if (z.parent !== null && byId.has(z.parent)) this.waiting.set(z.parent, (this.waiting.get(z.parent) ?? 0) + 1);
    }
    this.source = new SpilledLabels(
      spill,
      zones.reduce((max, z) => Math.max(max, z.id + 1), 0),
    );
  }

  added(z: DraftZone): void {
    const input = this.inputs.get(z.id)!;
    const { label, internationalLabels } = this.builder.labels(input);
    z.label = label;
    this.source.records[z.id] = this.spill.add(JSON.stringify(internationalLabels));
    internationalLabelsOnRead(z, this.source);
    this.done.add(z.id);
    this.releaseIfFinished(z.id);
    const parent = z.parent !== null ? this.byId.get(z.parent) : undefined;
    if (parent) {
      this.waiting.set(parent.id, this.waiting.get(parent.id)! - 1);
      this.releaseIfFinished(parent.id);
    }
  }

  private releaseIfFinished(id: number): void {
    if (this.done.has(id) && (this.waiting.get(id) ?? 0) === 0) this.builder.release(this.inputs.get(id)!);
  }
}

/** Where the zones of one names-and-labels step get their international labels from, by zone id. */
interface LabelsSource {
  labelsOf(id: number): Record<string, string>;
}

const LABELS_FROM = Symbol("labelsFrom");
type ZoneWithLabelsOnRead = DraftZone & { [LABELS_FROM]: LabelsSource };

/** International labels in the spill file, read back by zone id. */
class SpilledLabels implements LabelsSource {
  /** Each zone's record in the spill file, by zone id (ids are indexes: dense). */
  readonly records: Int32Array;

  constructor(
    private readonly spill: SpilledTexts,
    ids: number,
  ) {
    this.records = new Int32Array(ids).fill(-1);
  }

  labelsOf(id: number): Record<string, string> {
    return JSON.parse(this.spill.get(this.records[id])) as Record<string, string>;
  }
}

/**
 * The one getter and setter every zone's `internationalLabels` shares. Why one pair for all: V8 keeps objects that
 * gained the same properties, in the same order, with the same accessors, on one shared hidden class; an accessor
 * of a zone's own (a closure a zone) gave each zone a class of its own, so every zone fell back to a dictionary
 * (~800 bytes a zone more: ~100 MB at 124 k zones). The zone's source is a plain data property beside it.
 */
const labelsOnRead = {
  get(this: ZoneWithLabelsOnRead): Record<string, string> {
    return this[LABELS_FROM].labelsOf(this.id);
  },
  set(this: DraftZone, value: Record<string, string>): void {
    Object.defineProperty(this, "internationalLabels", { configurable: true, enumerable: true, writable: true, value });
  },
};

/**
 * `z.internationalLabels` made when read (each read makes them anew; a write replaces the getter by the value).
 * Why: ~230 labels a zone under a country with many name:* tags, for every zone, made here and kept until the file
 * is written, were most of this step's time in garbage collection (everything it allocates survives, so V8
 * copies it out of the young generation and then marks it again and again); made when the writer reads them,
 * they die young. The zone must not have an `internationalLabels` of its own before (zones.ts makes none): turning
 * a data property into an accessor also gives the object a dictionary.
 */
function internationalLabelsOnRead(z: DraftZone, from: LabelsSource): void {
  (z as ZoneWithLabelsOnRead)[LABELS_FROM] = from;
  Object.defineProperty(z, "internationalLabels", {
    configurable: true,
    enumerable: true,
    get: labelsOnRead.get,
    set: labelsOnRead.set,
  });
}

/**
 * A place that got a Voronoi cell now spans more than the zone holding its point (a suburb cell crosses
 * city districts): its parent becomes the zone the cell was cut from, or that zone's smallest allowed
 * ancestor, so that every parent still covers its child.
 */
export function reparentCells(
  zones: DraftZone[],
  inclusions: Map<number, number[]>,
  cellParents: Map<number, number>,
): void {
  const byId = new Map(zones.map((z) => [z.id, z]));
  for (const [id, from] of cellParents) {
    const z = byId.get(id);
    if (!z?.geometry) continue;
    const containers = [from, ...(inclusions.get(from) ?? [])].map((c) => byId.get(c)!);
    z.parent = chooseParent(z, containers)?.id ?? null;
  }
}
