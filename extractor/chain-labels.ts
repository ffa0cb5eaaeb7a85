// Labels of every zone built from its parent's, instead of walking each zone's whole parent chain once per
// language (computeLabels in names.ts, the definition this must equal). A country with ~200 `name:*` tags gives
// every zone below it ~200 international labels: rebuilding each from the chain was the longest JS step of an
// extraction. Here a zone's label in a language is one concatenation onto its parent's:
//
//   chain label (no zip) of z = name(z) === name(parent) ? chain label of parent : name(z) + ", " + chain label of parent
//
// (consecutive equal names collapse), and a language absent from the parent's whole chain is the parent's
// default chain label. The zip suffix goes after the first name at the end.
import { zipSuffix } from "./names.ts";

export interface ChainZone {
  name: string;
  zipCodes: string[];
  /** name:<lang> values that differ from `name` (internationalNames). */
  names: Map<string, string>;
}

/** What a zone's children need of it. */
interface ChainLabels {
  /** Default chain label, without zip suffix. */
  plain: string;
  /** Every language named anywhere along the chain, sorted. */
  langs: string[];
  /** Chain label per language of `langs` (same index), without zip suffix. */
  byLang: string[];
}

function langIndex(langs: string[]): Map<string, number> {
  return new Map(langs.map((l, i) => [l, i]));
}

/** The sorted union of a parent's languages and a zone's own: the parent's array itself when nothing is new. */
function mergeLangs(parent: string[], parentIndex: Map<string, number>, own: Map<string, string>): string[] {
  let added: string[] | null = null;
  for (const l of own.keys()) {
    if (parentIndex.has(l)) continue;
    added ??= [];
    added.push(l);
  }
  if (!added) return parent;
  return [...parent, ...added].sort();
}

/** A chain label with the zip suffix after its first name (every chain label starts with the zone's own name). */
function withZip(head: string, chain: string, zip: string): string {
  return zip ? head + zip + chain.slice(head.length) : chain;
}

export class ChainLabelBuilder {
  private readonly memo = new Map<ChainZone, ChainLabels>();
  private readonly indexes = new WeakMap<string[], Map<string, number>>();
  private readonly filtered = new WeakMap<string[], string[]>();

  constructor(private readonly filterLangs: string[]) {}

  private indexOf(langs: string[]): Map<string, number> {
    let idx = this.indexes.get(langs);
    if (!idx) {
      idx = langIndex(langs);
      this.indexes.set(langs, idx);
    }
    return idx;
  }

  /** The languages written for a chain: all of them, or those of --filter-langs (sorted either way). */
  private wanted(langs: string[]): string[] {
    if (this.filterLangs.length === 0) return langs;
    let w = this.filtered.get(langs);
    if (!w) {
      w = langs.filter((l) => this.filterLangs.includes(l));
      this.filtered.set(langs, w);
    }
    return w;
  }

  /**
   * Chain labels of `zone` given its parent's (built first: callers go from the root down); `parent` null for
   * the top of a chain.
   */
  add(zone: ChainZone, parent: ChainZone | null): void {
    const p = parent ? this.memo.get(parent) : undefined;
    if (parent && !p) throw new Error("ChainLabelBuilder: parent added after its child");
    if (!parent || !p) {
      const langs = [...zone.names.keys()].sort();
      this.memo.set(zone, { plain: zone.name, langs, byLang: langs.map((l) => zone.names.get(l) as string) });
      return;
    }
    const pIndex = this.indexOf(p.langs);
    const langs = mergeLangs(p.langs, pIndex, zone.names);
    const byLang = new Array<string>(langs.length);
    for (let i = 0; i < langs.length; i++) {
      const l = langs[i];
      const name = zone.names.get(l) ?? zone.name;
      const j = pIndex.get(l);
      const parentLabel = j === undefined ? p.plain : p.byLang[j];
      const parentHead = parent.names.get(l) ?? parent.name;
      byLang[i] = name === parentHead ? parentLabel : `${name}, ${parentLabel}`;
    }
    const plain = zone.name === parent.name ? p.plain : `${zone.name}, ${p.plain}`;
    this.memo.set(zone, { plain, langs, byLang });
  }

  /** Forgets the zone's chain labels: no child of it will be added any more. */
  release(zone: ChainZone): void {
    this.memo.delete(zone);
  }

  /** The zone's label (its chain added before). */
  label(zone: ChainZone): string {
    const m = this.memo.get(zone);
    if (!m) throw new Error("ChainLabelBuilder: zone not added");
    return withZip(zone.name, m.plain, zipSuffix(zone.zipCodes));
  }

  /** The zone's label and international labels (its chain added before). */
  labels(zone: ChainZone): { label: string; internationalLabels: Record<string, string> } {
    const m = this.memo.get(zone);
    if (!m) throw new Error("ChainLabelBuilder: zone not added");
    const zip = zipSuffix(zone.zipCodes);
    const internationalLabels: Record<string, string> = {};
    const wanted = this.wanted(m.langs);
    const idx = wanted === m.langs ? null : this.indexOf(m.langs);
    for (let i = 0; i < wanted.length; i++) {
      const l = wanted[i];
      const chain = m.byLang[idx ? (idx.get(l) as number) : i];
      internationalLabels[l] = withZip(zone.names.get(l) ?? zone.name, chain, zip);
    }
    return { label: withZip(zone.name, m.plain, zip), internationalLabels };
  }
}
