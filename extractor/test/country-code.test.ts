// Country codes are ISO 3166-1 alpha-2 codes, whether given with --country-code or read from a zone's
// ISO3166-1:alpha2 tag: anything else is refused (the option) or ignored (the tag), and never names a rules file.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { COSMO_BIN, fixture, type TestDatabase, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";
import { isCountryCode } from "../country-codes.ts";
import { countryCandidates } from "../hierarchy.ts";
import { RulesStore } from "../rules.ts";
import { draftZone } from "./helpers.ts";

const run = promisify(execFile);
const RULES = join(PROJECT_ROOT, "data", "libpostal", "boundaries");
let db: TestDatabase;
let dir: string;

async function cosmo(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const r = await run("node", [COSMO_BIN, ...args], { env: { ...testEnv({ db }), COSMO_LOG_LEVEL: "warn" } });
    return { code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

beforeAll(async () => {
  db = await testDatabase("extract_cc");
  dir = tmpDir("extract-cc");
});
afterAll(async () => {
  await db?.close();
});

describe("ISO 3166-1 alpha-2 codes", () => {
  it("accepts every code a libpostal rules file is named after, in any case, and nothing else", () => {
    const codes = readdirSync(RULES)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => f.slice(0, -5));
    expect(codes.length).toBeGreaterThan(200);
    for (const cc of codes) {
      expect(isCountryCode(cc), cc).toBe(true);
      expect(isCountryCode(cc.toUpperCase()), cc).toBe(true);
    }
    // assigned codes without a rules file are codes too
    for (const cc of ["AQ", "re", "EH"]) expect(isCountryCode(cc), cc).toBe(true);
    for (const bad of ["zz", "XK", "france", "fra", "l", "", "../../x", "l u", "lu\n", "1u"])
      expect(isCountryCode(bad), bad).toBe(false);
  });
});

describe("--country-code", () => {
  for (const value of ["france", "zz", "../../x"]) {
    it(`refuses ${JSON.stringify(value)} with exit 2 naming the option and the value, writing nothing`, async () => {
      const out = join(dir, `refused-${value.replace(/\W/g, "_")}.jsonl`);
      const r = await cosmo([
        "extract",
        "-i",
        fixture("luxembourg_filtered.osm.pbf"),
        "-o",
        out,
        "--country-code",
        value,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--country-code ${JSON.stringify(value)} is not an ISO 3166-1 alpha-2 country code`);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${out}.meta.json`)).toBe(false);
    });
  }
});

describe("the ISO3166-1:alpha2 tag", () => {
  it("ignores a value that is not a code, naming the relation, even when it would reach a rules file", () => {
    // rules dir <tmp>/rules/boundaries; "<tmp>/x.yaml" is a real rules file two levels up
    const base = tmpDir("cc-tag");
    const rulesDir = join(base, "rules", "boundaries");
    mkdirSync(rulesDir, { recursive: true });
    copyFileSync(join(RULES, "lu.yaml"), join(base, "x.yaml"));
    copyFileSync(join(RULES, "lu.yaml"), join(rulesDir, "lu.yaml"));
    const rules = new RulesStore(rulesDir);
    const zones = [
      draftZone(0, { adminLevel: 2, tags: { "ISO3166-1:alpha2": "../../x" } }),
      draftZone(1, { adminLevel: 2, tags: { "ISO3166-1:alpha2": "lu" } }),
    ];
    const invalid: string[] = [];
    const candidates = countryCandidates(
      zones,
      (cc) => rules.has(cc),
      (osmId, value) => invalid.push(`${osmId}=${value}`),
    );
    expect([...candidates.entries()]).toEqual([[1, { iso: "LU", adminLevel: 2 }]]);
    expect(invalid).toEqual(["relation:1000=../../x"]);
    expect(rules.get("../../x")).toBeNull();
    expect(readFileSync(join(base, "x.yaml"), "utf8").length).toBeGreaterThan(0);
  });
});
