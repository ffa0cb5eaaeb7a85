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
  expect((error as InputError).exitCode).toBe(2);
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

  it("a zone that is its own parent", async () => {
    const z = sampleZones().map((x) => (x.id === 42 ? { ...x, parent: 42 } : x));
    const path = join(dir, "self.jsonl");
    writeFileSync(path, z.map((x) => JSON.stringify(x)).join("\n"));
    await expectRefused(path, /self\.jsonl: line 4: zone 42 \(node:1234\): zone 42 is its own parent/);
  });

  it("a parent cycle (17 ↔ 23), in both forms and with worker threads", async () => {
    const z = sampleZones().map((x) => (x.id === 17 ? { ...x, parent: 23 } : x));
    const jsonl = join(dir, "cycle.jsonl");
    writeFileSync(jsonl, z.map((x) => JSON.stringify(x)).join("\n"));
    await expectRefused(jsonl, /cycle\.jsonl: line 2: zone 17: parent cycle: 17 → 23 → 17 \(following parents/);
    const json = join(dir, "cycle.json");
    writeFileSync(json, JSON.stringify({ zones: [...z].reverse(), meta: {} }));
    await expectRefused(json, /cycle\.json: zones\[2\]: zone 17: parent cycle: 17 → 23 → 17/);
    const before = await db.pool.query("SELECT count(*)::int AS n FROM cosmo.datasets WHERE status = 'ready'");
    await expect(importZonesFile(db, jsonl, { progress: false, threads: 2 })).rejects.toThrow(
      /parent cycle: 17 → 23 → 17/,
    );
    const after = await db.pool.query("SELECT count(*)::int AS n FROM cosmo.datasets WHERE status = 'ready'");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it("coordinates out of range: a center at lon 600 / lat 149, a geometry at latitude 149, a bbox", async () => {
    const [country, city] = sampleZones();
    for (const [name, bad, message] of [
      [
        "center.jsonl",
        { ...city, center: { type: "Point", coordinates: [600, 149] } },
        /center\.jsonl: line 2: zone #1 \(relation:407489\): field "center": Point \[600, 149\] is out of range \(longitude -180\.\.180, latitude -90\.\.90\)/,
      ],
      [
        "geometry.jsonl",
        {
          ...city,
          geometry: {
            type: "MultiPolygon",
            coordinates: [
              [
                [
                  [6, 49],
                  [7, 149],
                  [7, 49],
                  [6, 49],
                ],
              ],
            ],
          },
        },
        /geometry\.jsonl: line 2: zone #1 \(relation:407489\): field "geometry": MultiPolygon polygon 0 ring 0 position 1 \[7, 149\] is out of range/,
      ],
      [
        "bbox.jsonl",
        { ...city, bbox: [6, 49, 600, 50] },
        /bbox\.jsonl: line 2: zone #1 \(relation:407489\): field "bbox": bbox corner \[600, 50\] is out of range/,
      ],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, [JSON.stringify(country), JSON.stringify(bad), ...lines.slice(2)].join("\n"));
      await expectRefused(path, message);
    }
  });

  it("a ring that is not closed names the file, the zone and the line (not PostGIS's bare message)", async () => {
    const [country, city] = sampleZones();
    const open = {
      ...city,
      geometry: {
        type: "MultiPolygon",
        coordinates: [
          [
            [
              [6, 49],
              [7, 49],
              [7, 50],
              [6, 50],
            ],
          ],
        ],
      },
    };
    const path = join(dir, "open-ring.jsonl");
    writeFileSync(path, [JSON.stringify(country), JSON.stringify(open), ...lines.slice(2)].join("\n"));
    await expectRefused(
      path,
      /open-ring\.jsonl: line 2: zone #1 \(relation:407489\): field "geometry": MultiPolygon polygon 0 ring 0 is not closed: it starts at \[6, 49\] and ends at \[6, 50\]/,
    );
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
