// Each bad input of issue 2 gives a one-line error with file and position, and the served dataset, its
// compat view and its schema stay exactly as they were; the failed version leaves no schema behind.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { InputError } from "../../core/errors.ts";
import type { TestDatabase } from "../../core/testing.ts";
import { testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../import.ts";
import { served, writeZones } from "./helpers.ts";

let db: TestDatabase;
const dir = tmpDir("bad-input");
let good: number;
const lines = sampleZones().map((z) => JSON.stringify(z));

beforeAll(async () => {
  db = await testDatabase("badinput");
  good = (
    await importZonesFile(db, await writeZones(dir, "good.jsonl", sampleZones()), { publish: true, progress: false })
  ).version;
});
afterAll(async () => {
  await db?.close();
});

async function expectRefused(path: string, message: RegExp): Promise<void> {
  const before = await db.pool.query("SELECT version, status FROM cosmo.datasets ORDER BY version");
  let error: unknown;
  try {
    await importZonesFile(db, path, { publish: true, progress: false });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  const msg = (error as Error).message;
  expect(msg).toMatch(message);
  expect(msg).toContain(path);
  expect(msg.split("\n")).toHaveLength(1);
  // served dataset untouched
  expect(await served(db.pool)).toMatchObject({ version: good });
  const { rows: view } = await db.pool.query("SELECT count(*)::int AS n FROM public.zones");
  expect(view[0].n).toBe(4);
  const { rows: after } = await db.pool.query("SELECT version, status FROM cosmo.datasets ORDER BY version");
  const added = after.slice(before.rows.length);
  for (const r of added) expect(r.status).toBe("failed");
  const { rows: schemas } = await db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'zones_v%'");
  expect(schemas.map((r) => r.nspname)).toEqual([`zones_v${good}`]);
}

describe("bad input leaves the served dataset untouched", () => {
  it("truncated gzip", async () => {
    const gz = gzipSync(Buffer.from(lines.join("\n")));
    const path = join(dir, "truncated.jsonl.gz");
    writeFileSync(path, gz.subarray(0, gz.length - 30));
    await expectRefused(path, /truncated or corrupt gzip/);
  });

  it("malformed JSON line (line number)", async () => {
    const path = join(dir, "malformed.jsonl");
    writeFileSync(path, [lines[0], lines[1], '{"id": 5, oops', lines[3]].join("\n"));
    await expectRefused(path, /malformed\.jsonl: line 3: malformed JSON/);
  });

  it("zone missing a required field", async () => {
    const z = sampleZones().map((x) => ({ ...x })) as Record<string, unknown>[];
    delete z[1].osm_id;
    const path = join(dir, "missing.json");
    writeFileSync(path, JSON.stringify({ zones: z, meta: {} }));
    await expectRefused(path, /missing\.json: byte \d+: zone #1: missing required field "osm_id"/);
  });

  it("geometry that is not a MultiPolygon", async () => {
    const z = sampleZones();
    const bad = { ...z[0], geometry: { type: "Polygon", coordinates: z[0].geometry!.coordinates[0] } };
    const path = join(dir, "polygon.jsonl");
    writeFileSync(path, [JSON.stringify(bad), ...lines.slice(1)].join("\n"));
    await expectRefused(
      path,
      /polygon\.jsonl: line 1: zone #0 \(relation:2171347\): field "geometry": expected a GeoJSON MultiPolygon, got a Polygon/,
    );
  });

  it("parent id that does not exist", async () => {
    const z = sampleZones().map((x) => (x.id === 42 ? { ...x, parent: 999 } : x));
    const path = join(dir, "orphan.jsonl");
    writeFileSync(path, z.map((x) => JSON.stringify(x)).join("\n"));
    await expectRefused(path, /orphan\.jsonl: line 4: zone 42 \(node:1234\): parent 999 does not exist in the file/);
  });

  it("duplicate zone id", async () => {
    const z = sampleZones().map((x) => (x.id === 42 ? { ...x, id: 17 } : x));
    const path = join(dir, "dup.json.gz");
    writeFileSync(path, gzipSync(JSON.stringify({ zones: z, meta: {} })));
    await expectRefused(
      path,
      /dup\.json\.gz: zones\[3\] at byte \d+: zone node:1234: duplicate zone id 17 \(first at zones\[1\]/,
    );
  });

  it("unknown suffix", async () => {
    const path = join(dir, "zones.bad");
    writeFileSync(path, lines.join("\n"));
    await expectRefused(path, /zones\.bad: unable to detect the file format.*\.json, \.jsonl, \.json\.gz, \.jsonl\.gz/);
  });

  it("missing file", async () => {
    await expectRefused(join(dir, "nope.jsonl"), /nope\.jsonl: no such file/);
  });
});
