// The facts cosmogony's own tests assert on luxembourg_filtered.osm.pbf (--country-code lu, Voronoi off),
// on one extraction shared by the whole file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CosmogonyMeta, Zone } from "../../core/cosmogony/model.ts";
import { fixture, type TestDatabase, testDatabase, tmpDir } from "../../core/testing.ts";
import { type ExtractSummary, extract } from "../extract.ts";
import { parentsNotCovering } from "./helpers.ts";

let db: TestDatabase;
let summary: ExtractSummary;
let zones: Zone[];
let meta: CosmogonyMeta;
let out: string;
const byOsmId = (id: string) => zones.find((z) => z.osm_id === id)!;
const byId = (id: number | null) => zones.find((z) => z.id === id);

beforeAll(async () => {
  db = await testDatabase("extract_lux");
  out = join(tmpDir("extract-lux"), "lux.json");
  summary = await extract({
    input: fixture("luxembourg_filtered.osm.pbf"),
    output: out,
    countryCode: "lu",
    voronoi: false,
    db,
  });
  const doc = JSON.parse(readFileSync(out, "utf8"));
  zones = doc.zones;
  meta = doc.meta;
});
afterAll(async () => {
  await db?.close();
});

describe("luxembourg_filtered.osm.pbf --country-code lu --disable-voronoi", () => {
  it("has upstream's 198 relation zones, and 215 zones with the 17 named suburb place nodes", () => {
    const relations = zones.filter((z) => z.osm_id.startsWith("relation:"));
    const places = zones.filter((z) => z.osm_id.startsWith("node:"));
    expect(relations).toHaveLength(198);
    expect(places).toHaveLength(17);
    expect(zones).toHaveLength(215);
    expect(summary.zoneCount).toBe(215);
    expect(
      places.every((z) => z.is_generated && z.zone_type === "suburb" && z.geometry === null && z.center !== null),
    ).toBe(true);
    expect(relations.every((z) => !z.is_generated && z.geometry?.type === "MultiPolygon")).toBe(true);
    expect(meta.osm_filename).toBe("luxembourg_filtered.osm.pbf");
  });

  it("counts levels and wikidata per level as upstream", () => {
    const level = (n: number) => meta.stats.level_counts[String(n)] ?? 0;
    const wiki = (n: number) => meta.stats.wikidata_counts[String(n)] ?? 0;
    expect([2, 3, 4, 5, 6, 7, 8, 9, 10].map(level)).toEqual([1, 0, 0, 0, 13, 0, 105, 79, 0]);
    // the 17 suburb place nodes have no admin_level: counted under "0", as upstream does, so every zone is counted
    expect(level(0)).toBe(17);
    expect(Object.values(meta.stats.level_counts).reduce((a, b) => a + b, 0)).toBe(zones.length);
    expect(Object.keys(meta.stats.level_counts)).toEqual(["0", "2", "6", "8", "9"]);
    expect([2, 3, 4, 5, 6, 7, 8].map(wiki)).toEqual([1, 0, 0, 0, 13, 0, 105]);
    // level 10 is not in lu.yaml: counted as unhandled, its zones removed
    expect(meta.stats.unhandled_admin_level).toEqual({ LU: { "10": 3 } });
    expect(meta.stats.zone_without_country).toBe(0);
  });

  it("types zones as upstream: suburb 55, city 105, state_district 13, state 0, country 1 (24 city_district)", () => {
    const count = (t: string) => zones.filter((z) => z.osm_id.startsWith("relation:") && z.zone_type === t).length;
    expect(["suburb", "city_district", "city", "state_district", "state", "country"].map(count)).toEqual([
      55, 24, 105, 13, 0, 1,
    ]);
    expect(zones.every((z) => z.zone_type !== null)).toBe(true);
    // the stats count the suburb place nodes too: 55 + 17
    expect(meta.stats.zone_type_counts).toEqual({
      City: 105,
      CityDistrict: 24,
      Country: 1,
      StateDistrict: 13,
      Suburb: 72,
    });
  });

  it("gives Esch-sur-Alzette upstream's bbox (±1e-8)", () => {
    const esch = zones.find((z) => z.name === "Esch-sur-Alzette" && z.zone_type === "city")!;
    const expected = [5.9432118, 49.460907, 6.005144, 49.518616];
    for (const [i, v] of esch.bbox!.entries()) expect(Math.abs(v - expected[i])).toBeLessThan(1e-8);
  });

  it("builds Luxembourg City with labels, parent, wikidata and center tags", () => {
    const lux = zones.find((z) => z.name === "Luxembourg" && z.zone_type === "city")!;
    expect(lux.osm_id).toBe("relation:407489");
    expect(lux.admin_level).toBe(8);
    expect(lux.label).toBe("Luxembourg, Canton Luxembourg, Lëtzebuerg");
    expect(lux.zip_codes).toEqual([]);
    expect(lux.center).not.toBeNull();
    expect(lux.country_code).toBe("LU");
    expect(byId(lux.parent)?.name).toBe("Canton Luxembourg");
    expect(lux.wikidata).toBe("Q1842");
    expect(lux.center_tags.population).toBe("103641");
    expect(lux.international_labels.fr).toBe("Luxembourg, Canton Luxembourg, Luxembourg");
    expect(lux.international_labels.de).toBe("Luxemburg, Kanton Luxemburg, Luxemburg");
    expect(lux.international_labels.br).toBe("Luksembourg, Canton Luxembourg, Luksembourg");
  });

  it("builds the country with its label node's names and population", () => {
    const country = zones.find((z) => z.name === "Lëtzebuerg" && z.zone_type === "country")!;
    expect(country.osm_id).toBe("relation:2171347");
    expect(country.admin_level).toBe(2);
    expect(country.label).toBe("Lëtzebuerg");
    expect(country.parent).toBeNull();
    expect(country.wikidata).toBe("Q32");
    expect(country.international_labels.fr).toBe("Luxembourg");
    expect(country.international_labels.de).toBe("Luxemburg");
    expect(country.international_labels.ak).toBe("Laksembɛg");
    expect(country.tags.population).toBe("493500");
  });

  it('fills alt_name and loc_name from the zone\'s own tags (relations and place nodes), "" when untagged', () => {
    const redange = byOsmId("relation:1356683");
    expect(redange.name).toBe("Redange-sur-Attert");
    expect([redange.alt_name, redange.loc_name]).toEqual(["Redange", ""]);
    const villeHaute = byOsmId("node:1374388907");
    expect([villeHaute.name, villeHaute.alt_name, villeHaute.loc_name]).toEqual(["Ville Haute", "Centre", ""]);
    const lux = byOsmId("relation:407489");
    expect([lux.alt_name, lux.loc_name]).toEqual(["", ""]);
    const withAlt = zones.filter((z) => z.alt_name !== "");
    expect(withAlt.every((z) => z.tags.alt_name === z.alt_name)).toBe(true);
  });

  it("level-9 zones of Luxembourg City are city districts (contained_by rule), others suburbs", () => {
    const cityDistricts = zones.filter((z) => z.zone_type === "city_district");
    expect(cityDistricts.every((z) => byOsmId("relation:407489").id === z.parent)).toBe(true);
  });

  it("has unique ids, parents that exist and cover their child", async () => {
    expect(new Set(zones.map((z) => z.id)).size).toBe(zones.length);
    for (const z of zones) if (z.parent !== null) expect(byId(z.parent), z.osm_id).toBeDefined();
    expect(await parentsNotCovering(db, zones, "lux_nov")).toEqual([]);
  });

  it("writes the meta block, and the same object in the sidecar lux.json.meta.json", () => {
    const sidecar = JSON.parse(readFileSync(`${out}.meta.json`, "utf8"));
    expect(sidecar).toEqual(meta);
    expect(Object.keys(sidecar)).toEqual(["osm_filename", "stats"]);
    expect(sidecar.stats.dropped_boundaries).toEqual({ no_boundary: 97 });
  });

  it("reports the dropped boundaries and why", () => {
    expect(summary.build.relations).toBe(298);
    expect(summary.build.droppedRelations).toEqual({ no_boundary: 97 });
    expect(summary.build.ringProblems.unclosed_ring).toBeGreaterThan(0);
    expect(summary.untyped.unhandledAdminLevel).toBe(3);
    expect(summary.zonesByType).toEqual({ city: 105, city_district: 24, state_district: 13, suburb: 72, country: 1 });
  });
});
