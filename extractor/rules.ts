// libpostal boundary rules (data/libpostal/boundaries/<cc>.yaml) and zone typing with their precedence:
// id override > first containing zone with a contained_by rule mapping the level > admin_level map.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { InputError } from "../core/errors.ts";
import { childLogger } from "../core/log.ts";
import { isCountryCode } from "./country-codes.ts";
import { isZoneType, type ZoneType } from "./types.ts";

const log = childLogger("rules");

export type LevelMap = Map<number, ZoneType>;

export interface CountryRules {
  adminLevel: LevelMap;
  /** "relation:123" → type, or null for "leave untyped". */
  idOverrides: Map<string, ZoneType | null>;
  /** "relation:123" → the level map used for zones inside that relation. */
  containedBy: Map<string, LevelMap>;
}

function parseLevelMap(raw: unknown, file: string, where: string): LevelMap {
  const out: LevelMap = new Map();
  if (raw == null) return out;
  if (typeof raw !== "object") throw new InputError(`${where} must be a mapping`, { file });
  for (const [level, type] of Object.entries(raw as Record<string, unknown>)) {
    const n = Number(level);
    // Upstream looks levels up as strings, so a malformed key (gh.yaml has "6:") just never matches.
    if (!Number.isInteger(n)) {
      log.warn({ file, key: level }, `${where}: admin level "${level}" is not an integer, ignored`);
      continue;
    }
    if (!isZoneType(type))
      throw new InputError(`${where}.${level}: unknown zone type ${JSON.stringify(type)}`, { file });
    out.set(n, type);
  }
  return out;
}

/** Parse one rules file's text (pure, so it can be tested on small documents). */
export function parseRules(text: string, file: string): CountryRules {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new InputError(`invalid YAML: ${(err as Error).message.split("\n")[0]}`, { file });
  }
  const root = (doc ?? {}) as Record<string, unknown>;
  const rules: CountryRules = {
    adminLevel: parseLevelMap(root.admin_level, file, "admin_level"),
    idOverrides: new Map(),
    containedBy: new Map(),
  };
  const overrides = (root.overrides ?? {}) as Record<string, unknown>;
  const ids = (overrides.id ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const [osmType, entries] of Object.entries(ids)) {
    for (const [id, type] of Object.entries(entries ?? {})) {
      if (type !== null && !isZoneType(type)) {
        throw new InputError(`overrides.id.${osmType}.${id}: unknown zone type ${JSON.stringify(type)}`, { file });
      }
      rules.idOverrides.set(`${osmType}:${id}`, type);
    }
  }
  const containedBy = (overrides.contained_by ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const [osmType, entries] of Object.entries(containedBy)) {
    for (const [id, body] of Object.entries(entries ?? {})) {
      const levels = (body as Record<string, unknown> | null)?.admin_level;
      rules.containedBy.set(
        `${osmType}:${id}`,
        parseLevelMap(levels, file, `overrides.contained_by.${osmType}.${id}.admin_level`),
      );
    }
  }
  return rules;
}

/**
 * Rules by upper-case country code, read lazily from a directory and cached (missing file → null). Only ISO
 * 3166-1 alpha-2 codes name a file: anything else (a tag value such as "../../x") has no rules, and never
 * becomes part of a path.
 */
export class RulesStore {
  private readonly cache = new Map<string, CountryRules | null>();
  constructor(readonly dir: string) {}

  get(countryCode: string): CountryRules | null {
    if (!isCountryCode(countryCode)) return null;
    const cc = countryCode.toUpperCase();
    let rules = this.cache.get(cc);
    if (rules === undefined) {
      const file = join(this.dir, `${cc.toLowerCase()}.yaml`);
      rules = existsSync(file) ? parseRules(readFileSync(file, "utf8"), file) : null;
      this.cache.set(cc, rules);
    }
    return rules;
  }

  has(countryCode: string): boolean {
    return this.get(countryCode) !== null;
  }
}

export type TypeResolution =
  | { kind: "typed"; type: ZoneType }
  | { kind: "untyped_by_override" }
  | { kind: "unknown_level"; level: number };

/**
 * The type of a zone under its country's rules. `containers` are the osm ids of the zones containing it,
 * most specific first; the first one with a contained_by rule that maps the level wins.
 */
export function resolveZoneType(
  rules: CountryRules,
  zone: { osmId: string; adminLevel: number | null },
  containers: string[],
): TypeResolution {
  if (rules.idOverrides.has(zone.osmId)) {
    const t = rules.idOverrides.get(zone.osmId) ?? null;
    return t ? { kind: "typed", type: t } : { kind: "untyped_by_override" };
  }
  const level = zone.adminLevel;
  if (level !== null) {
    for (const c of containers) {
      const t = rules.containedBy.get(c)?.get(level);
      if (t) return { kind: "typed", type: t };
    }
    const t = rules.adminLevel.get(level);
    if (t) return { kind: "typed", type: t };
  }
  return { kind: "unknown_level", level: level ?? 0 };
}

/** OSM `place=` values that make a node a zone candidate, and the type they map to. */
export const PLACE_TYPES: Record<string, ZoneType> = {
  suburb: "suburb",
  quarter: "suburb",
  neighbourhood: "suburb",
  city: "city",
  town: "city",
  village: "city",
};
