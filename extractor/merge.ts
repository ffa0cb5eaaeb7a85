// `cosmo merge`: several zone files (e.g. per-continent runs) into one. Unlike upstream (which only
// renumbers), a zone present in several inputs (a country in two continent extracts) is kept once: the
// copy with a valid geometry and the largest area. Ids are renumbered and parents remapped through osm ids,
// so a zone whose parent was dropped as a duplicate points at the kept copy. Two streaming passes: the first
// keeps only (osm_id, score) per zone, the second writes the chosen zones.
import { basename } from "node:path";
import { detectFormat, sidecarOf } from "../core/cosmogony/format.ts";
import { checkMultiPolygon } from "../core/cosmogony/geometry.ts";
import type { CosmogonyMeta, Stats, Zone } from "../core/cosmogony/model.ts";
import { readZones } from "../core/cosmogony/reader.ts";
import { createZoneWriter } from "../core/cosmogony/writer.ts";
import { InputError } from "../core/errors.ts";
import { childLogger } from "../core/log.ts";
import { localFile } from "../core/storage.ts";
import { ringSignedArea2 } from "./geometry.ts";
import { metaObject, readMetaSidecar, writeMetaSidecar } from "./meta-sidecar.ts";
import { sumUnwrittenCounters, ZoneCounts } from "./stats.ts";
import type { MultiPolygonCoords } from "./types.ts";

const log = childLogger("merge");

/** Planar area of a multipolygon (outer minus inner rings), 0 for none. */
export function multiPolygonArea(mp: MultiPolygonCoords | null | undefined): number {
  if (!mp) return 0;
  let a = 0;
  for (const polygon of mp) {
    polygon.forEach((ring, i) => {
      const r = Math.abs(ringSignedArea2(ring)) / 2;
      a += i === 0 ? r : -r;
    });
  }
  return a;
}

/** Which copy of a zone to keep: a valid geometry first, then the larger area. */
export function zoneScore(z: Pick<Zone, "geometry">): [number, number] {
  if (!z.geometry) return [0, 0];
  const valid = checkMultiPolygon(z.geometry) === null ? 1 : 0;
  return [valid, multiPolygonArea(z.geometry.coordinates as MultiPolygonCoords)];
}

function better(a: [number, number], b: [number, number]): boolean {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] > b[1];
}

export interface MergeResult {
  inputZones: number;
  outputZones: number;
  duplicates: number;
}

export async function mergeZoneFiles(inputs: string[], output: string): Promise<MergeResult> {
  if (inputs.length === 0) throw new InputError("merge needs at least one input file");
  detectFormat(output);
  for (const f of inputs) detectFormat(f);
  const locals: { path: string; cleanup(): Promise<void> }[] = [];
  try {
    for (const f of inputs) locals.push(await localFile(f));

    // Pass 1: the best copy of each osm_id, and each (file, id) → osm_id for the parent remapping; each input's
    // stats (its meta block, else its sidecar) for the counters about zones the files do not hold.
    const best = new Map<string, { file: number; id: number; score: [number, number] }>();
    const osmIdByFileId: Map<number, string>[] = [];
    const inputStats: Stats[] = [];
    let inputZones = 0;
    for (let f = 0; f < locals.length; f++) {
      const ids = new Map<number, string>();
      osmIdByFileId.push(ids);
      let meta: CosmogonyMeta | null = null;
      for await (const z of readZones(locals[f].path, { name: inputs[f], onMeta: (m) => (meta = m) })) {
        inputZones++;
        if (ids.has(z.id)) throw new InputError(`duplicate zone id ${z.id}`, { file: inputs[f], object: z.osm_id });
        ids.set(z.id, z.osm_id);
        const score = zoneScore(z);
        const cur = best.get(z.osm_id);
        if (!cur || better(score, cur.score)) best.set(z.osm_id, { file: f, id: z.id, score });
      }
      meta ??= await readMetaSidecar(inputs[f]);
      if (meta) inputStats.push((meta as CosmogonyMeta).stats);
      else
        log.warn(
          { file: inputs[f] },
          `${inputs[f]}: no meta block and no ${sidecarOf(inputs[f])}: the merged stats lack its untyped-zone and dropped-boundary counters`,
        );
    }
    // New ids in order of first appearance of each osm_id.
    const newId = new Map<string, number>();
    for (const k of best.keys()) newId.set(k, newId.size);

    // Pass 2: write the chosen copies with remapped ids and parents. The stats: the counts of the zones written
    // (a duplicate counted once), plus the inputs' counters about zones that are in no file, summed.
    const counts = new ZoneCounts();
    const writer = createZoneWriter(output);
    let meta: CosmogonyMeta;
    try {
      for (let f = 0; f < locals.length; f++) {
        for await (const z of readZones(locals[f].path, { name: inputs[f] })) {
          const chosen = best.get(z.osm_id)!;
          if (chosen.file !== f || chosen.id !== z.id) continue;
          const parentOsm = z.parent === null ? undefined : osmIdByFileId[f].get(z.parent);
          await writer.write({
            ...z,
            id: newId.get(z.osm_id)!,
            parent: parentOsm === undefined ? null : (newId.get(parentOsm) ?? null),
          });
          counts.add(z.admin_level, z.zone_type, z.wikidata);
        }
      }
      meta = metaObject({
        osm_filename: inputs.map((i) => basename(i)).join(","),
        stats: { ...counts.stats(), ...sumUnwrittenCounters(inputStats) },
      });
      await writer.close(meta);
    } catch (err) {
      await writer.abort();
      throw err;
    }
    await writeMetaSidecar(output, meta);
    return { inputZones, outputZones: best.size, duplicates: inputZones - best.size };
  } finally {
    for (const l of locals) await l.cleanup();
  }
}
