// The extractor's working representation of a zone, before it is written in the cosmogony format.
// Kept separate from core/cosmogony's `Zone` (the file format) because the pipeline needs extra working
// fields (index, OSM type, names by language, area) that never reach the output.

import type { FlatMultiPolygon } from "../core/geometry/flat.ts";

export type Position = [number, number];
/** GeoJSON MultiPolygon coordinates: polygons → rings → positions; the first ring of a polygon is the outer one. */
export type MultiPolygonCoords = Position[][][];
export type BBox = [number, number, number, number];
export type Tags = Record<string, string>;

// Zone types and their order come from the shared model (a parent must be of a strictly larger type).
import { isZoneType, type ZoneType, zoneTypeRank } from "../core/cosmogony/model.ts";

export { isZoneType, type ZoneType };

export function typeRank(t: ZoneType): number {
  return zoneTypeRank(t);
}

export interface DraftZone {
  /** Output id: the zone's index in creation order (holes appear when untyped zones are removed). */
  id: number;
  osmType: "relation" | "node";
  osmNumericId: number;
  adminLevel: number | null;
  zoneType: ZoneType | null;
  name: string;
  label: string;
  /**
   * Absent until the names-and-labels step, which makes it an accessor (ontology.ts: made when read). Zones are
   * built without it: a data property turned into an accessor would give every zone a dictionary of its own.
   */
  internationalLabels?: Record<string, string>;
  zipCodes: string[];
  center: Position | null;
  geometry: FlatMultiPolygon | null;
  /**
   * The zone's rings went to the extract's spill file once loaded into PostGIS (memory budget): `geometry` is null
   * meanwhile, though the zone has a boundary (hasBoundary).
   */
  ringsSpilled?: boolean;
  bbox: BBox | null;
  tags: Tags;
  centerTags: Tags;
  parent: number | null;
  wikidata: string | null;
  isGenerated: boolean;
  countryCode: string | null;
}

export function osmIdOf(z: Pick<DraftZone, "osmType" | "osmNumericId">): string {
  return `${z.osmType}:${z.osmNumericId}`;
}

/** Whether the zone has a boundary, in memory or spilled. */
export function hasBoundary(z: Pick<DraftZone, "geometry" | "ringsSpilled">): boolean {
  return z.geometry !== null || z.ringsSpilled === true;
}

/** A zone is administrative when typed and not `non_administrative` (only those may be parents). */
export function isAdmin(z: Pick<DraftZone, "zoneType">): boolean {
  return z.zoneType !== null && z.zoneType !== "non_administrative";
}
