// The meta schema's import lock: one import or publish at a time on a database, and a clear refusal naming the
// session that holds it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CosmoError, EXIT } from "../../core/errors.ts";
import { type TestDatabase, testDatabase } from "../../core/testing.ts";
import { ensureMetaSchema, withImportLock } from "../datasets.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase("datasets");
  await ensureMetaSchema(db.pool);
});
afterAll(async () => {
  await db?.close();
});

describe("the import lock", () => {
  it("is refused while another session holds it (exit 5, naming that session), then taken once freed", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    // the other import: holds the lock until told to finish
    const other = withImportLock(db.pool, async () => {
      entered();
      await released;
    });
    try {
      await inside;
      const err = await withImportLock(db.pool, async () => "ran", 100).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CosmoError);
      expect((err as CosmoError).exitCode).toBe(EXIT.unavailable);
      expect((err as CosmoError).message).toMatch(
        /another import or publish is running on this database \(backend pid \d+, /,
      );
    } finally {
      release();
      await other;
    }
    expect(await withImportLock(db.pool, async () => "ran", 100)).toBe("ran");
  });
});
