// Turning OSM objects into draft zones: names, zips, wikidata, tags from the label node, center choice.

import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import type { MemberRef } from "./boundary.ts";
import { multiPolygonBBox } from "./geometry.ts";
import { parseZipCodes } from "./names.ts";
import type { DraftZone, Position, Tags } from "./types.ts";

export interface NodeInfo {
  coords: Position;
  tags: Tags;
}

/** admin_level as cosmogony reads it: a plain non-negative integer, anything else is "no level". */
export function parseAdminLevel(v: string | undefined): number | null {
  if (v === undefined || !/^\d+$/.test(v.trim())) return null;
  const n = Number(v.trim());
  return n <= 0xffffffff ? n : null;
}

/** The first member node with the given role that the file holds. */
function memberNode(members: MemberRef[], role: string, node: (id: number) => NodeInfo | undefined) {
  for (const m of members) {
    if (m.type === "node" && m.role === role) {
      const n = node(m.ref);
      if (n) return n;
    }
  }
  return undefined;
}

/** Center node: admin_centre, else label (the centroid fallback is computed later in PostGIS). */
export function centerNode(members: MemberRef[], node: (id: number) => NodeInfo | undefined): NodeInfo | undefined {
  return memberNode(members, "admin_centre", node) ?? memberNode(members, "label", node);
}

/** Relation tags plus the label node's name:* and population, never overwriting the relation's own. */
export function mergeLabelTags(relationTags: Tags, labelTags: Tags | undefined): Tags {
  const tags: Tags = { ...relationTags };
  if (labelTags) {
    for (const [k, v] of Object.entries(labelTags)) {
      if ((k.startsWith("name:") || k === "population") && !(k in tags)) tags[k] = v;
    }
  }
  return tags;
}

export interface RelationInput {
  id: number;
  tags: Tags;
  members: MemberRef[];
}

export function zoneFromRelation(
  id: number,
  rel: RelationInput,
  geometry: FlatMultiPolygon,
  node: (id: number) => NodeInfo | undefined,
): DraftZone {
  const label = memberNode(rel.members, "label", node);
  const center = centerNode(rel.members, node);
  return {
    id,
    osmType: "relation",
    osmNumericId: rel.id,
    adminLevel: parseAdminLevel(rel.tags.admin_level),
    zoneType: null,
    name: rel.tags.name,
    label: "",
    zipCodes: parseZipCodes(rel.tags),
    center: center ? center.coords : null,
    geometry,
    bbox: multiPolygonBBox(geometry),
    tags: mergeLabelTags(rel.tags, label?.tags),
    centerTags: center ? { ...center.tags } : {},
    parent: null,
    wikidata: rel.tags.wikidata ?? null,
    isGenerated: false,
    countryCode: null,
  };
}

export function zoneFromPlaceNode(id: number, n: { id: number; lon: number; lat: number; tags: Tags }): DraftZone {
  return {
    id,
    osmType: "node",
    osmNumericId: n.id,
    adminLevel: parseAdminLevel(n.tags.admin_level),
    zoneType: null,
    name: n.tags.name,
    label: "",
    zipCodes: parseZipCodes(n.tags),
    center: [n.lon, n.lat],
    geometry: null,
    bbox: null,
    tags: { ...n.tags },
    centerTags: {},
    parent: null,
    wikidata: n.tags.wikidata ?? null,
    isGenerated: true,
    countryCode: null,
  };
}

/**
 * Whether the center node's name:* tags describe the zone itself (so they may be copied into its tags):
 * the wikidata ids match, or — for cities — one of the two is missing.
 */
export function centerNamesApply(zone: DraftZone): boolean {
  const own = zone.wikidata;
  const center = zone.centerTags.wikidata ?? null;
  if (own !== null && center !== null) return own === center;
  return zone.zoneType === "city" && (own === null || center === null);
}

export function mergeCenterNames(zone: DraftZone): void {
  if (!centerNamesApply(zone)) return;
  for (const [k, v] of Object.entries(zone.centerTags)) {
    if (k.startsWith("name:") && !(k in zone.tags)) zone.tags[k] = v;
  }
}
