// The cosmogony `meta.stats` object, with the Rust field and type names (including the upstream typo
// `zone_with_unkwown_country_rules`, which readers of existing files rely on).
import { RUST_ZONE_TYPE_NAMES, type Stats } from "../core/cosmogony/model.ts";
import type { DraftZone } from "./types.ts";

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

/** Final stats over the zones that are written (typed ones), plus the typing counters. */
export function computeStats(zones: Iterable<DraftZone>, typing: TypingStats): CosmogonyStats {
  const levels = new Map<number, number>();
  const wikidata = new Map<number, number>();
  const types = new Map<string, number>();
  for (const z of zones) {
    if (z.adminLevel !== null) {
      inc(levels, z.adminLevel);
      if (z.wikidata) inc(wikidata, z.adminLevel);
    }
    if (z.zoneType) inc(types, RUST_ZONE_TYPE_NAMES[z.zoneType]);
  }
  const unhandled: Record<string, Record<string, number>> = {};
  for (const cc of [...typing.unhandledAdminLevel.keys()].sort()) {
    unhandled[cc] = sortedRecord(typing.unhandledAdminLevel.get(cc)!);
  }
  return {
    level_counts: sortedRecord(levels),
    zone_type_counts: sortedRecord(types),
    wikidata_counts: sortedRecord(wikidata),
    zone_with_unkwown_country_rules: sortedRecord(typing.zoneWithUnknownCountryRules),
    unhandled_admin_level: unhandled,
    zone_without_country: typing.zoneWithoutCountry,
  };
}
