// The cosmogony `meta.stats` object, with the Rust field and type names (including the upstream typo
// `zone_with_unkwown_country_rules`, which readers of existing files rely on).
import { RUST_ZONE_TYPE_NAMES, type Stats } from "../core/cosmogony/model.ts";
import type { DraftZone, ZoneType } from "./types.ts";

/** The `meta.stats` block (shared model type). */
export type CosmogonyStats = Stats;

/** Counters filled while typing (before untyped zones are removed). */
export interface TypingStats {
  zoneWithUnknownCountryRules: Map<string, number>;
  unhandledAdminLevel: Map<string, Map<number, number>>;
  zoneWithoutCountry: number;
}

export function emptyTypingStats(): TypingStats {
  return { zoneWithUnknownCountryRules: new Map(), unhandledAdminLevel: new Map(), zoneWithoutCountry: 0 };
}

function inc<K>(m: Map<K, number>, k: K, n = 1) {
  m.set(k, (m.get(k) ?? 0) + n);
}

export function countUnknownRules(s: TypingStats, cc: string) {
  inc(s.zoneWithUnknownCountryRules, cc);
}

export function countUnhandledLevel(s: TypingStats, cc: string, level: number) {
  const m = s.unhandledAdminLevel.get(cc) ?? new Map<number, number>();
  s.unhandledAdminLevel.set(cc, m);
  inc(m, level);
}

function sortedRecord<K extends string | number>(m: Map<K, number>): Record<string, number> {
  const keys = [...m.keys()].sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : 1,
  );
  return Object.fromEntries(keys.map((k) => [String(k), m.get(k)!]));
}

/**
 * The per-zone counts of the stats, as upstream computes them: a zone without admin_level is counted under
 * level 0 (level_counts, wikidata_counts), so level_counts sums to the number of zones written.
 */
export class ZoneCounts {
  private readonly levels = new Map<number, number>();
  private readonly wikidata = new Map<number, number>();
  private readonly types = new Map<string, number>();

  add(adminLevel: number | null, zoneType: ZoneType | null, wikidata: string | null): void {
    const level = adminLevel ?? 0;
    inc(this.levels, level);
    if (wikidata) inc(this.wikidata, level);
    if (zoneType) inc(this.types, RUST_ZONE_TYPE_NAMES[zoneType]);
  }

  stats(): Pick<CosmogonyStats, "level_counts" | "zone_type_counts" | "wikidata_counts"> {
    return {
      level_counts: sortedRecord(this.levels),
      zone_type_counts: sortedRecord(this.types),
      wikidata_counts: sortedRecord(this.wikidata),
    };
  }
}

/** Final stats over the zones that are written (typed ones), plus the typing counters. */
export function computeStats(zones: Iterable<DraftZone>, typing: TypingStats): CosmogonyStats {
  const counts = new ZoneCounts();
  for (const z of zones) counts.add(z.adminLevel, z.zoneType, z.wikidata);
  const unhandled: Record<string, Record<string, number>> = {};
  for (const cc of [...typing.unhandledAdminLevel.keys()].sort()) {
    unhandled[cc] = sortedRecord(typing.unhandledAdminLevel.get(cc)!);
  }
  return {
    ...counts.stats(),
    zone_with_unkwown_country_rules: sortedRecord(typing.zoneWithUnknownCountryRules),
    unhandled_admin_level: unhandled,
    zone_without_country: typing.zoneWithoutCountry,
  };
}

/** Record entries summed key by key into `into`. */
function addRecord(into: Record<string, number>, part: Record<string, number> | undefined): void {
  for (const [k, v] of Object.entries(part ?? {})) if (typeof v === "number") into[k] = (into[k] ?? 0) + v;
}

function sortedKeys<T>(r: Record<string, T>): Record<string, T> {
  const numeric = Object.keys(r).every((k) => /^\d+$/.test(k));
  const keys = Object.keys(r).sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}

/**
 * The counters about zones that are not in a file (untyped ones, dropped boundaries), summed over several
 * extracts' stats: what `cosmo merge` reports beside the counts of the zones it writes.
 */
export function sumUnwrittenCounters(parts: CosmogonyStats[]): Pick<
  CosmogonyStats,
  "zone_with_unkwown_country_rules" | "unhandled_admin_level" | "zone_without_country"
> & {
  dropped_boundaries: Record<string, number>;
} {
  const unknownRules: Record<string, number> = {};
  const unhandled: Record<string, Record<string, number>> = {};
  const dropped: Record<string, number> = {};
  let withoutCountry = 0;
  for (const s of parts) {
    addRecord(unknownRules, s.zone_with_unkwown_country_rules);
    for (const [cc, levels] of Object.entries(s.unhandled_admin_level ?? {})) {
      unhandled[cc] ??= {};
      addRecord(unhandled[cc], levels);
    }
    addRecord(dropped, (s as { dropped_boundaries?: Record<string, number> }).dropped_boundaries);
    withoutCountry += s.zone_without_country ?? 0;
  }
  const unhandledSorted: Record<string, Record<string, number>> = {};
  for (const [cc, levels] of Object.entries(sortedKeys(unhandled))) unhandledSorted[cc] = sortedKeys(levels);
  return {
    zone_with_unkwown_country_rules: sortedKeys(unknownRules),
    unhandled_admin_level: unhandledSorted,
    zone_without_country: withoutCountry,
    dropped_boundaries: sortedKeys(dropped),
  };
}
