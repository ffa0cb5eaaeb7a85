// The Luxembourg extraction (extractor's cached test fixture) and edited copies of it for the diff tests.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Zone } from "../../core/cosmogony/model.ts";
import { readZones } from "../../core/cosmogony/reader.ts";
import { extractedLuxembourg } from "../../extractor/test-fixture.ts";

export async function luxembourgZones(): Promise<{ path: string; zones: Zone[] }> {
  const path = await extractedLuxembourg();
  const zones: Zone[] = [];
  for await (const z of readZones(path, { name: path })) zones.push(z);
  return { path, zones };
}

export function writeJsonl(dir: string, name: string, zones: Zone[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${zones.map((z) => JSON.stringify(z)).join("\n")}\n`);
  return path;
}
