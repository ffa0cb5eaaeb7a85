// Shared by the api/ and tiles/ tests: a test database with the Luxembourg extraction imported and published,
// and derived zones files for "a new version was published" scenarios.
import { createReadStream, createWriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { type TestDatabase, testDatabase, tmpDir } from "../../core/testing.ts";
import { extractedLuxembourg } from "../../extractor/test-fixture.ts";
import { importZonesFile } from "../../importer/import.ts";

export interface ServingFixture {
  db: TestDatabase;
  version: number;
  file: string;
}

export async function luxembourgDatabase(name: string, opts: { poolMax?: number } = {}): Promise<ServingFixture> {
  const file = await extractedLuxembourg();
  const db = await testDatabase(name, opts);
  const r = await importZonesFile(db, file, { publish: true, progress: false });
  return { db, version: r.version, file };
}

export type ZoneObject = Record<string, unknown> & { id: number; name: string; osm_id: string };

/** A copy of a .jsonl.gz zones file with each zone passed through `edit` (return null to drop it). */
export async function editedCopy(file: string, edit: (zone: ZoneObject) => ZoneObject | null): Promise<string> {
  const out = join(tmpDir("serving"), "edited.jsonl.gz");
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  async function* edited() {
    for await (const line of lines) {
      if (!line.trim()) continue;
      const zone = edit(JSON.parse(line) as ZoneObject);
      if (zone) yield `${JSON.stringify(zone)}\n`;
    }
  }
  await pipeline(Readable.from(edited()), createGzip(), createWriteStream(out));
  return out;
}

/** Read all zones of a .jsonl.gz file. */
export async function readZonesFile(file: string): Promise<ZoneObject[]> {
  const zones: ZoneObject[] = [];
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) zones.push(JSON.parse(line) as ZoneObject);
  return zones;
}

export async function getJson(
  url: string,
  init?: RequestInit,
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text for the assertion message */
  }
  return { status: res.status, body, headers: res.headers };
}

/** Poll until `check` passes (services learn about a publish asynchronously, via NOTIFY). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
