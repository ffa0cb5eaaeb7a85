// `cosmo store` on local paths and file:// URLs only: the artefact store's S3 server is not needed, so the
// embedded one is neither started nor created (a command given only files used to start a daemon that outlived
// it). The S3 side of the same commands is covered by storage.test.ts and fetch.test.ts.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stopEmbeddedS3 } from "../embedded-s3.ts";
import { COSMO_BIN, runNode, tmpDir } from "../testing.ts";

describe("cosmo store on local files", () => {
  const dir = tmpDir("store-local");
  // An embedded S3 directory of its own: the one the test run's servers use is already running.
  const s3Dir = join(dir, "s3");
  const env = { ...process.env, COSMO_STORAGE_EMBEDDED_DIR: s3Dir, COSMO_LOG_LEVEL: "warn" };

  afterAll(async () => {
    await stopEmbeddedS3(s3Dir); // were one started after all
  });

  it("fetch, put, get, stat and ls between files start no S3 server", async () => {
    const source = join(dir, "planet.osm.pbf");
    writeFileSync(source, "not really a planet");
    const copied = join(dir, "copy", "planet.osm.pbf");
    const fetched = await runNode([COSMO_BIN, "store", "fetch", source, pathToFileURL(copied).href], { env });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(readFileSync(copied, "utf8")).toBe("not really a planet");
    const put = await runNode([COSMO_BIN, "store", "put", join(dir, "put.txt"), source], { env });
    expect(put.code, put.stderr).toBe(0);
    const got = await runNode([COSMO_BIN, "store", "get", copied], { env });
    expect(got.stdout).toBe("not really a planet");
    const stat = await runNode([COSMO_BIN, "store", "stat", copied], { env });
    expect(JSON.parse(stat.stdout)).toMatchObject({ size: 19 });
    const ls = await runNode([COSMO_BIN, "store", "ls", join(dir, "copy")], { env });
    expect(ls.stdout).toContain(copied);
    expect(existsSync(s3Dir)).toBe(false);
  });
});
