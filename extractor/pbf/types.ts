// Public element and filter types of the PBF reader (re-exported by index.ts).

export type Tags = Record<string, string>;
export interface OsmNode {
  type: "node";
  id: number;
  lon: number;
  lat: number;
  tags: Tags;
}
export interface OsmWay {
  type: "way";
  id: number;
  refs: number[];
  tags: Tags;
}
export interface OsmMember {
  type: "node" | "way" | "relation";
  ref: number;
  role: string;
}
export interface OsmRelation {
  type: "relation";
  id: number;
  tags: Tags;
  members: OsmMember[];
}
/** All conditions must hold: key present (and, with values, its value among them). */
export type TagCondition = { key: string; values?: string[] };
/** AND of conditions; an empty predicate matches every element. */
export type TagPredicate = TagCondition[];

/** Pass-through marker to keep every element of a kind (used by the pure-decode benchmark and tests). */
export const ALL = "all" as const;
export type All = typeof ALL;
