// Artefact URLs are taken apart in one place: a file:// URL names the same file for every reader and writer.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isRemote, localPath, parseArtefactUrl } from "../artefact-url.ts";
import { readZones } from "../cosmogony/reader.ts";
import { sampleZones } from "../cosmogony/test/sample-zones.ts";
import { createZoneWriter } from "../cosmogony/writer.ts";
import { localFile } from "../storage.ts";
import { tmpDir } from "../testing.ts";

describe("artefact URLs", () => {
  it("parses s3://, file:// and paths", () => {
    expect(parseArtefactUrl("s3://bucket-a/x/y.pbf")).toEqual({ kind: "s3", bucket: "bucket-a", key: "x/y.pbf" });
    expect(parseArtefactUrl("file:///tmp/a.json")).toEqual({ kind: "file", path: "/tmp/a.json" });
    expect(parseArtefactUrl("/tmp/a.json")).toEqual({ kind: "file", path: "/tmp/a.json" });
    expect(() => parseArtefactUrl("http://example.com/a")).toThrow(/unsupported artefact URL/);
    expect(() => parseArtefactUrl("s3://A_B/c")).toThrow(/invalid S3 bucket/);
    expect(isRemote("s3://bucket-a/x")).toBe(true);
    expect(isRemote("file:///tmp/a.json")).toBe(false);
  });

  it("gives the local file of a path or file:// URL (escapes decoded), none for s3://", () => {
    expect(localPath("file:///tmp/a%20b.json")).toBe("/tmp/a b.json");
    expect(localPath("/tmp/a b.json")).toBe("/tmp/a b.json");
    expect(localPath("s3://bucket-a/a.json")).toBeNull();
  });

  it("a zones file written to a file:// URL is the file its path names", async () => {
    const dir = tmpDir("file-url");
    const path = join(dir, "zones with spaces.jsonl");
    const url = pathToFileURL(path).href;
    expect(url).toContain("%20");
    const writer = createZoneWriter(url);
    for (const z of sampleZones()) await writer.write(z);
    await writer.close();
    expect(readdirSync(dir)).toEqual(["zones with spaces.jsonl"]);
    const back = [];
    for await (const z of readZones(url)) back.push(z);
    expect(back).toEqual(sampleZones());
    const local = await localFile(url);
    expect(local.path).toBe(path);
    expect(existsSync(local.path)).toBe(true);
  });
});
