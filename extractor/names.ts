// Names, zip codes and labels as cosmogony builds them.
import type { Tags } from "./types.ts";

/** `addr:postcode`, else `postal_code`, split on `;`, empty parts dropped, sorted. */
export function parseZipCodes(tags: Tags): string[] {
  const raw = tags["addr:postcode"] ?? tags.postal_code ?? "";
  return raw
    .split(";")
    .filter((s) => s.length > 0)
    .sort();
}

/**
 * The zone's other names, from its own OSM tags: `loc_name` (the name locals use) and `alt_name` (another name it
 * is known by in the local language), each as tagged (a `;`-separated list stays one string), "" when untagged.
 * Names in other languages are `name:<lang>`, which go to the international labels instead.
 */
export function otherNames(tags: Tags): { locName: string; altName: string } {
  return { locName: tags.loc_name ?? "", altName: tags.alt_name ?? "" };
}

/** " (zip)" for one zip code, " (first-last)" for several, "" for none. */
export function zipSuffix(zipCodes: string[]): string {
  if (zipCodes.length === 0) return "";
  if (zipCodes.length === 1) return ` (${zipCodes[0]})`;
  return ` (${zipCodes[0]}-${zipCodes[zipCodes.length - 1]})`;
}

/** `name:<lang>` tags whose value differs from the default name (equal ones add nothing to a label). */
export function internationalNames(tags: Tags, defaultName: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tags)) {
    if (k.startsWith("name:") && k.length > 5 && v !== defaultName) out.set(k.slice(5), v);
  }
  return out;
}

/** Names along the parent chain (zone first), consecutive duplicates removed, first one with its zip suffix. */
export function buildLabel(chainNames: string[], zipCodes: string[]): string {
  const parts: string[] = [];
  for (const n of chainNames) if (parts.length === 0 || parts[parts.length - 1] !== n) parts.push(n);
  if (parts.length > 0) parts[0] += zipSuffix(zipCodes);
  return parts.join(", ");
}

export interface LabelInput {
  name: string;
  zipCodes: string[];
  names: Map<string, string>;
}

/**
 * The default label and one label per language present anywhere in the chain (restricted to
 * `filterLangs` when given), each language falling back to the zone's default name.
 */
export function computeLabels(
  chain: LabelInput[],
  filterLangs: string[],
): { label: string; internationalLabels: Record<string, string> } {
  const zips = chain[0]?.zipCodes ?? [];
  const label = buildLabel(
    chain.map((z) => z.name),
    zips,
  );
  const langs = new Set<string>();
  for (const z of chain) for (const lang of z.names.keys()) langs.add(lang);
  const wanted = filterLangs.length ? [...langs].filter((l) => filterLangs.includes(l)) : [...langs];
  wanted.sort();
  const internationalLabels: Record<string, string> = {};
  for (const lang of wanted) {
    internationalLabels[lang] = buildLabel(
      chain.map((z) => z.names.get(lang) ?? z.name),
      zips,
    );
  }
  return { label, internationalLabels };
}

/** `--filter-langs` is repeatable and comma-separated: flatten, trim, drop empties. */
export function parseLangList(values: string[] | string | undefined): string[] {
  const list = Array.isArray(values) ? values : values ? [values] : [];
  return list
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
}
