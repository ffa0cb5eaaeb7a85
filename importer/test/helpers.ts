// Shared bits of the importer tests: zones files written by the real writer, datasets read back.
import { join } from "node:path";
import type pg from "pg";
import type { Zone } from "../../core/cosmogony/model.ts";
import { createZoneWriter } from "../../core/cosmogony/writer.ts";
import { datasetZones } from "./dataset-zones.ts";

export async function writeZones(
  dir: string,
  name: string,
  zones: Iterable<Zone | Record<string, unknown>>,
): Promise<string> {
  const path = join(dir, name);
  const w = createZoneWriter(path, { meta: { osm_filename: "test.osm.pbf" } });
  for (const z of zones) await w.write(z as Zone);
  await w.close();
  return path;
}

export async function zonesOf(pool: pg.Pool, version: number): Promise<Zone[]> {
  const out: Zone[] = [];
  for await (const z of datasetZones(pool, `zones_v${version}`)) out.push(z);
  return out;
}

export function byId(zones: Zone[]): Zone[] {
  return [...zones].sort((a, b) => a.id - b.id);
}

export async function served(pool: pg.Pool): Promise<{ version: number | null; previous_version: number | null }> {
  const { rows } = await pool.query("SELECT version, previous_version FROM cosmo.served");
  return rows[0];
}
