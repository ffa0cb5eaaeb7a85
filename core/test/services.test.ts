import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { withTransaction } from "../db.ts";
import { localFile } from "../storage.ts";
import { testDatabase, testStore, tmpDir } from "../testing.ts";

describe("test database", () => {
  it("is a real PostGIS database, dropped on close", async () => {
    const db = await testDatabase("core");
    const { rows } = await db.pool.query("SELECT postgis_version() AS v, ST_Area(ST_MakeEnvelope(0,0,2,3)) AS a");
    expect(rows[0].v).toMatch(/^3\./);
    expect(rows[0].a).toBe(6);
    const big = await db.pool.query("SELECT 9007199254740991::bigint AS n");
    expect(big.rows[0].n).toBe(9007199254740991);
    await expect(
      withTransaction(db.pool, async (c) => {
        await c.query("CREATE TABLE t (x int)");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const t = await db.pool.query("SELECT to_regclass('t') AS r");
    expect(t.rows[0].r).toBeNull();
    await db.close();
  });
});

describe("artefact store", () => {
  const store = testStore();
  const dir = tmpDir("store");
  afterAll(() => undefined);

  for (const kind of ["s3", "file"] as const) {
    it(`round-trips objects, pointers and listings (${kind})`, async () => {
      const base = kind === "s3" ? store.url("it") : `${dir}/it`;
      await store.put(`${base}/a.txt`, "alpha");
      await store.put(`${base}/sub/b.txt`, Readable.from([Buffer.from("be"), Buffer.from("ta")]));
      expect((await store.getBuffer(`${base}/sub/b.txt`)).toString()).toBe("beta");
      expect((await store.stat(`${base}/a.txt`))?.size).toBe(5);
      expect(await store.stat(`${base}/missing.txt`)).toBeNull();
      await expect(store.get(`${base}/missing.txt`)).rejects.toThrow(/no such/);
      const listed = await store.list(`${base}/`);
      expect(listed.map((o) => o.url.slice(base.length))).toEqual(["/a.txt", "/sub/b.txt"]);
      expect(await store.sha256(`${base}/a.txt`)).toBe(
        "8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8",
      );
      await store.setPointer(`${base}/latest.json`, `${base}/a.txt`, { version: 3 });
      expect(await store.getPointer(`${base}/latest.json`)).toMatchObject({ target: `${base}/a.txt`, version: 3 });
      const local = await localFile(`${base}/a.txt`, { store });
      expect(local.path).toMatch(/a\.txt$/);
      await local.cleanup();
      await store.remove(`${base}/a.txt`);
      expect(await store.exists(`${base}/a.txt`)).toBe(false);
    });
  }
});
