// Country lookup and parent choice from precomputed inclusions (which zones cover which, from PostGIS).
import { isCountryCode } from "./country-codes.ts";
import { type DraftZone, isAdmin, osmIdOf, typeRank } from "./types.ts";

export const COUNTRY_CODE_TAG = "ISO3166-1:alpha2";

export interface CountryCandidate {
  iso: string;
  adminLevel: number | null;
}

/**
 * Zones carrying an ISO3166-1:alpha2 tag for which rules exist: the only ones that can give a country. A tag
 * whose value is no ISO 3166-1 alpha-2 code is ignored, and reported to `onInvalidTag` (osm id, value).
 */
export function countryCandidates(
  zones: DraftZone[],
  hasRules: (cc: string) => boolean,
  onInvalidTag?: (osmId: string, value: string) => void,
): Map<number, CountryCandidate> {
  const out = new Map<number, CountryCandidate>();
  for (const z of zones) {
    const value = z.tags[COUNTRY_CODE_TAG];
    if (value === undefined) continue;
    if (!isCountryCode(value)) {
      onInvalidTag?.(osmIdOf(z), value);
      continue;
    }
    const iso = value.toUpperCase();
    if (hasRules(iso)) out.set(z.id, { iso, adminLevel: z.adminLevel });
  }
  return out;
}

/** The zone itself or a containing zone with a country code; the highest admin_level wins (most specific). */
export function findCountry(
  zoneId: number,
  containers: number[],
  candidates: Map<number, CountryCandidate>,
): string | null {
  let best: CountryCandidate | null = null;
  for (const id of [...containers, zoneId]) {
    const c = candidates.get(id);
    if (c && (best === null || (c.adminLevel ?? 0) > (best.adminLevel ?? 0))) best = c;
  }
  return best?.iso ?? null;
}

/** Whether `child` may hang under `parent`: parents are administrative and of a strictly larger type. */
export function canBeChildOf(child: DraftZone, parent: DraftZone): boolean {
  if (!isAdmin(parent)) return false;
  if (!isAdmin(child)) return true;
  return typeRank(child.zoneType!) < typeRank(parent.zoneType!);
}

/** Among the containing zones (most specific first), the allowed parent of smallest type; ties → most specific. */
export function chooseParent(zone: DraftZone, containers: DraftZone[]): DraftZone | null {
  let best: DraftZone | null = null;
  for (const c of containers) {
    if (!canBeChildOf(zone, c)) continue;
    if (best === null || typeRank(c.zoneType!) < typeRank(best.zoneType!)) best = c;
  }
  return best;
}

/** The zone followed by its ancestors (guarded against cycles, which a bad parent table could create). */
export function parentChain(zone: DraftZone, byId: Map<number, DraftZone>): DraftZone[] {
  const chain = [zone];
  const seen = new Set([zone.id]);
  let p = zone.parent;
  while (p !== null) {
    const z = byId.get(p);
    if (!z || seen.has(p)) break;
    chain.push(z);
    seen.add(p);
    p = z.parent;
  }
  return chain;
}
