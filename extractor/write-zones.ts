// The extractor's last step: its working zones (flat rings) → the cosmogony zones file, through the zones writer.
// Geometries go from the flat rings straight to JSON bytes (writeMultiPolygonJson): building GeoJSON nested
// arrays for JSON.stringify was most of the step's time on large inputs.
import type { CosmogonyMeta, Zone } from "../core/cosmogony/model.ts";
import { createZoneWriter } from "../core/cosmogony/writer.ts";
import { fromGeoJsonCoords, writeMultiPolygonJson } from "./geometry.ts";
import type { GeometryTexts } from "./geometry-texts.ts";
import { otherNames } from "./names.ts";
import { type DraftZone, osmIdOf } from "./types.ts";

/** Tags with their keys sorted, as upstream writes them (its tag maps are ordered), whatever the PBF order. */
function sortedTags(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k];
  return out;
}

/** The zone as the format has it, except `geometry`: null here, written from the flat rings by writeZones. */
export function toZoneWithoutGeometry(z: DraftZone): Zone {
  // the zone's own tags: a relation's tags gain only name:* and population from its label node (zones.ts)
  const { locName, altName } = otherNames(z.tags);
  return {
    id: z.id,
    osm_id: osmIdOf(z),
    admin_level: z.adminLevel,
    zone_type: z.zoneType,
    name: z.name,
    loc_name: locName,
    alt_name: altName,
    label: z.label,
    international_labels: z.internationalLabels ?? {},
    zip_codes: z.zipCodes,
    center: z.center ? { type: "Point", coordinates: z.center } : null,
    geometry: null,
    bbox: z.bbox,
    tags: sortedTags(z.tags),
    center_tags: sortedTags(z.centerTags),
    parent: z.parent,
    wikidata: z.wikidata,
    is_generated: z.isGenerated,
    country_code: z.countryCode,
  };
}

/**
 * The extractor's working form of a zone read from a cosmogony file — the inverse of what writeZones writes
 * (benchmarks and tests rebuild the extractor's zones from an extract's output with it).
 */
export function draftZoneOf(z: Zone): DraftZone {
  const [osmType, osmId] = z.osm_id.split(":");
  return {
    id: z.id,
    osmType: osmType as DraftZone["osmType"],
    osmNumericId: Number(osmId),
    adminLevel: z.admin_level,
    zoneType: z.zone_type,
    name: z.name,
    label: z.label,
    internationalLabels: z.international_labels,
    zipCodes: z.zip_codes,
    center: z.center ? z.center.coordinates : null,
    geometry: z.geometry ? fromGeoJsonCoords(z.geometry.coordinates) : null,
    bbox: z.bbox,
    tags: z.tags,
    centerTags: z.center_tags,
    parent: z.parent,
    wikidata: z.wikidata,
    isGenerated: z.is_generated,
    countryCode: z.country_code,
  };
}

/**
 * Writes the zones to `output` (format from its suffix); the file appears only when complete. `texts`: the
 * zones' geometry texts made ahead on worker threads (geometry-texts.ts), in the zones' order; without it,
 * they are made here, from the rings `geometryOf` gives (default: the zone's own; spilled ones read back).
 */
export async function writeZones(
  zones: DraftZone[],
  output: string,
  meta: Partial<CosmogonyMeta>,
  texts?: GeometryTexts,
  geometryOf: (z: DraftZone) => DraftZone["geometry"] = (z) => z.geometry,
): Promise<{ bytes: number }> {
  // gzip level 1: the same JSON ~17% larger, compressed 3.5× faster (level 6 was the longest part of the
  // write step on large inputs).
  const writer = createZoneWriter(output, { meta, gzipLevel: 1 });
  try {
    for (const z of zones) {
      if (texts) {
        const text = await texts.next();
        await writer.write(toZoneWithoutGeometry(z), text ? (out) => out.bytes(text) : undefined);
        continue;
      }
      const rings = geometryOf(z);
      await writer.write(toZoneWithoutGeometry(z), rings ? (out) => writeMultiPolygonJson(out, rings) : undefined);
    }
    return { bytes: (await writer.close()).bytes };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
