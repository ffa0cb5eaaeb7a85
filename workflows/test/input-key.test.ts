// The extract stage's skip-on-same-input: the key covers the PBF, the extractor options, the rules and the
// code, so a change to any of them re-extracts and only an unchanged input is skipped (issue 15, item 4).
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../core/paths.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import { COSMO_BIN, testEnv, testStore, tmpDir } from "../../core/testing.ts";
import { codeVersion, type ExtractOptions, extractKey, inputKey, mergeKey } from "../steps/input-key.ts";

const RULES = join(PROJECT_ROOT, "data", "libpostal", "boundaries");
const SHA = "a".repeat(64);
const DEFAULTS: ExtractOptions = { countryCode: "", voronoi: true, filterLangs: [] };

/** A copy of what an image ships for the extract stage (docker/*.Dockerfile: the tree minus tests). */
function copyOfTheSources(): string {
  const root = tmpDir("input-key-root");
  for (const f of ["package.json", "package-lock.json"]) cpSync(join(PROJECT_ROOT, f), join(root, f));
  for (const d of ["extractor", "core"])
    cpSync(join(PROJECT_ROOT, d), join(root, d), { recursive: true, filter: (src) => !/[/\\]test$/.test(src) });
  return root;
}

describe("input keys", () => {
  const key = (o: Partial<ExtractOptions> = {}, rulesDir = RULES, root?: string) =>
    extractKey({ pbfSha256: SHA, options: { ...DEFAULTS, ...o }, rulesDir, root });

  it("are stable for the same inputs and change with every input that changes the output", () => {
    const base = key();
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(key()).toBe(base);
    // Spellings of the same choice are the same key (the extractor upper-cases the code; "" = from the data).
    expect(key({ countryCode: "LU" })).toBe(key({ countryCode: "lu" }));
    expect(key({ countryCode: undefined })).toBe(base);
    expect(key({ filterLangs: [" ", ""] })).toBe(base);
    const changed = [
      extractKey({ pbfSha256: "b".repeat(64), options: DEFAULTS, rulesDir: RULES }),
      key({ countryCode: "lu" }),
      key({ voronoi: false }),
      key({ filterLangs: ["fr"] }),
      key({ filterLangs: ["fr", "de"] }),
      key({ filterLangs: ["de", "fr"] }),
    ];
    expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
  });

  it("change when a rules file changes", () => {
    const rules = tmpDir("input-key-rules");
    cpSync(RULES, rules, { recursive: true });
    expect(key({}, rules)).toBe(key());
    appendFileSync(join(rules, "lu.yaml"), "\n# edited\n");
    expect(key({}, rules)).not.toBe(key());
  });

  it("carry the code version: the same in a copy of the sources (an image), changed by a code edit, not by a test", () => {
    const root = copyOfTheSources();
    expect(codeVersion("extract", root)).toBe(codeVersion("extract"));
    expect(key({}, RULES, root)).toBe(key());
    // Tests are not in the images: adding one changes nothing.
    mkdirSync(join(root, "extractor", "test"), { recursive: true });
    writeFileSync(join(root, "extractor", "test", "new.test.ts"), "// a test\n");
    expect(codeVersion("extract", root)).toBe(codeVersion("extract"));
    appendFileSync(join(root, "extractor", "extract.ts"), "\n// an edit\n");
    expect(codeVersion("extract", root)).not.toBe(codeVersion("extract"));
    expect(key({}, RULES, root)).not.toBe(key());
    expect(mergeKey([SHA], root)).not.toBe(mergeKey([SHA]));
    // A dependency upgrade (package-lock.json) or a release (package.json version) too.
    const other = copyOfTheSources();
    appendFileSync(join(other, "package-lock.json"), "\n");
    expect(codeVersion("extract", other)).not.toBe(codeVersion("extract"));
  });

  it("of a merge ignore the order and repeats of its extract keys", () => {
    const b = "b".repeat(64);
    expect(mergeKey([SHA, b])).toBe(mergeKey([b, SHA, SHA]));
    expect(mergeKey([SHA, b])).not.toBe(mergeKey([SHA]));
  });

  it("hash the canonical recipe: key order in the parts does not matter", () => {
    const parts = { stage: "s", inputs: { a: "1", b: "2" }, options: { x: 1, y: [1, 2] }, data: {}, code: "c" };
    const reordered = { code: "c", data: {}, options: { y: [1, 2], x: 1 }, inputs: { b: "2", a: "1" }, stage: "s" };
    expect(inputKey(reordered)).toBe(inputKey(parts));
  });
});

describe("check-extract against the store", () => {
  let store: ArtefactStore;
  const fetched = JSON.stringify({ url: "file:///x.osm.pbf", sha256: SHA, etag: "e", size: 1 });
  beforeAll(() => {
    store = testStore();
  });

  /** Runs `cosmo workflows step check-extract` for the PBF above against the store. */
  function checkExtract(args: string[], env: NodeJS.ProcessEnv = {}) {
    return spawnSync(
      process.execPath,
      [
        COSMO_BIN,
        ...["workflows", "step", "check-extract", "--fetched", fetched, "--bucket", store.defaultBucket],
        ...["--outputs", tmpDir("check-extract"), ...args],
      ],
      { env: { ...testEnv({ store }), ...env }, encoding: "utf8" },
    );
  }

  /** Whether check-extract found the extract already there ("true"/"false"), once it succeeded. */
  function check(args: string[], env: NodeJS.ProcessEnv = {}) {
    const res = checkExtract(args, env);
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.status).toBe(0);
    return res.stdout.trim();
  }

  it("skips only an extract of the same PBF with the same options, rules and code", async () => {
    // An extract stored under the PBF's sha256 alone (the old key) says nothing about its options: not reused.
    await store.put(store.url(`extracts/${SHA}/zones.jsonl.gz`), "old");
    expect(check(["--country-code="])).toBe("false");

    const stored = extractKey({ pbfSha256: SHA, options: { ...DEFAULTS, countryCode: "lu" }, rulesDir: RULES });
    await store.put(store.url(`extracts/${stored}/zones.jsonl.gz`), "zones");
    // Same everything → skipped.
    expect(check(["--country-code=lu", "--disable-voronoi=false", "--filter-langs="])).toBe("true");
    expect(check(["--country-code=LU"])).toBe("true");
    // One option changed → extracted again.
    expect(check(["--country-code="])).toBe("false");
    expect(check(["--country-code=lu", "--disable-voronoi=true"])).toBe("false");
    expect(check(["--country-code=lu", "--filter-langs=fr,de"])).toBe("false");
    // Other rules → extracted again.
    const rules = tmpDir("check-rules");
    cpSync(RULES, rules, { recursive: true });
    appendFileSync(join(rules, "lu.yaml"), "\n# edited\n");
    expect(check(["--country-code=lu"], { COSMO_DATA_RULES_DIR: rules })).toBe("false");
  });

  it("refuses an option value it cannot read, naming it", () => {
    const res = checkExtract(["--disable-voronoi=maybe"]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--disable-voronoi must be true or false, got "maybe"/);
  });
});
