// Zip codes from boundary=postal_code relations, on a synthetic PBF (two cities in a country, postal-code
// areas overlapping them by known shares), through the CLI as a user runs it.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Zone } from "../../core/cosmogony/model.ts";
import { COSMO_BIN, type TestDatabase, testDatabase, testEnv, tmpDir } from "../../core/testing.ts";
import { oplRelation, oplSquares, pbfFromOpl, readAll } from "./helpers.ts";

const run = promisify(execFile);
let db: TestDatabase;
let zones: Zone[];
let stderr: string;
const byName = (name: string) => zones.find((z) => z.name === name)!;

beforeAll(async () => {
  db = await testDatabase("extract_postcodes");
  const dir = tmpDir("extract-postcodes");
  const admin = (level: string, name: string, extra: Record<string, string> = {}) => ({
    type: "boundary",
    boundary: "administrative",
    admin_level: level,
    name,
    ...extra,
  });
  const postal = (code?: string) => ({
    type: "boundary",
    boundary: "postal_code",
    ...(code ? { postal_code: code } : {}),
  });
  const pbf = pbfFromOpl(
    [
      ...oplSquares([
        { way: 1, x0: 0, y0: 0, x1: 4, y1: 2 }, // the country
        { way: 10, x0: 0, y0: 0, x1: 2, y1: 2 }, // Alpha
        { way: 11, x0: 2, y0: 0, x1: 4, y1: 2 }, // Beta
        { way: 100, x0: 0, y0: 0, x1: 1, y1: 2 }, // 1000: all inside Alpha
        { way: 101, x0: 1.95, y0: 0, x1: 3.95, y1: 2 }, // 2000: 2.5 % in Alpha, 97.5 % in Beta
        { way: 102, x0: 1.5, y0: 0, x1: 2.5, y1: 2 }, // 1100;1200: half in Alpha, half in Beta
        { way: 103, x0: 0.2, y0: 0.2, x1: 0.4, y1: 0.4 }, // no postal_code tag
        { way: 2, x0: 10, y0: 0, x1: 11, y1: 1 }, // elsewhere, with a country tag that is no code
      ]),
      oplRelation(1, admin("2", "Testland", { "ISO3166-1:alpha2": "LU" }), 1),
      oplRelation(2, admin("2", "Elsewhere", { "ISO3166-1:alpha2": "../../x" }), 2),
      oplRelation(10, admin("8", "Alpha"), 10),
      oplRelation(11, admin("8", "Beta", { "addr:postcode": "9999" }), 11),
      oplRelation(100, postal("1000"), 100),
      oplRelation(101, postal("2000"), 101),
      oplRelation(102, postal("1100;1200"), 102),
      oplRelation(103, postal(), 103),
    ],
    join(dir, "postcodes.osm.pbf"),
  );
  const out = join(dir, "postcodes.jsonl");
  ({ stderr } = await run("node", [COSMO_BIN, "extract", "-i", pbf, "-o", out, "--disable-voronoi"], {
    env: { ...testEnv({ db }), COSMO_LOG_LEVEL: "warn" },
  }));
  zones = await readAll(out);
});
afterAll(async () => {
  await db?.close();
});

describe("an ISO3166-1:alpha2 tag that is no country code", () => {
  it("is ignored with a warning naming the relation: its zone has no country", () => {
    expect(stderr).toContain('relation:2: ISO3166-1:alpha2=\\"../../x\\" is not an ISO 3166-1 alpha-2 code, ignored');
    expect(zones.some((z) => z.name === "Elsewhere")).toBe(false);
  });
});

describe("zip codes from boundary=postal_code relations", () => {
  it("writes the admin zones only (postal-code boundaries are no zones)", () => {
    expect(zones.map((z) => z.osm_id).sort()).toEqual(["relation:1", "relation:10", "relation:11"]);
  });

  it("gives a zone without zip tag the codes of the postal areas more than 5 % inside it, sorted, in its label", () => {
    const alpha = byName("Alpha");
    expect(alpha.zip_codes).toEqual(["1000", "1100", "1200"]);
    expect(alpha.label).toBe("Alpha (1000-1200), Testland");
  });

  it("keeps a zone's own zip tag", () => {
    expect(byName("Beta").zip_codes).toEqual(["9999"]);
    expect(byName("Beta").label).toBe("Beta (9999), Testland");
  });

  it("gives an enclosing zone every code inside it (upstream's rule applies to every zone with a boundary)", () => {
    expect(byName("Testland").zip_codes).toEqual(["1000", "1100", "1200", "2000"]);
  });
});
