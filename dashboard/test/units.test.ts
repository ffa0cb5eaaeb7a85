// Pure parts: the reference CSV reader and the extractor-stats check (no database).
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { DEFAULT_QUALITY_OPTIONS, extractorDroppedResults } from "../quality.ts";
import { parseReference } from "../reference.ts";

describe("reference CSV", () => {
  const header = '"wikidata_id","name","country_code","zone_type","expected_min","expected_max","is_known_failure"';

  it("keeps quoted commas and newlines, numbers as numbers, empty cells as null", () => {
    const t = parseReference(
      `${header}\n"Q1","A, ""the"" land","aa","city",1,2,"yes"\r\n"Q2","B\nC","BB","state",0,0,\n`,
      "ref.csv",
    );
    expect(
      t.rows.map((r) => [r.wikidataId, r.countryCode, r.expectedMin, r.expectedMax, r.knownFailure, r.line]),
    ).toEqual([
      ["Q1", "AA", 1, 2, true, 2],
      ["Q2", "BB", 0, 0, false, 3],
    ]);
    expect(t.rows[0].columns.name).toBe('A, "the" land');
    expect(t.rows[1].columns.is_known_failure).toBeNull();
  });

  it("names the file and line of a bad row", () => {
    expect(() => parseReference(`${header}\n"Q1","A","AA","city","x",2,\n`, "ref.csv")).toThrow(
      new InputError('expected_min is not a number ("x")', { file: "ref.csv", line: 2 }).message,
    );
    expect(() => parseReference(`${header}\n"Q1","A","AA","city",1\n`, "ref.csv")).toThrow(
      /ref\.csv: line 2: expected 7 fields, got 5/,
    );
    expect(() => parseReference('"name","zone_type"\n', "ref.csv")).toThrow(
      /ref\.csv: line 1: missing column "wikidata_id"/,
    );
  });

  it("reads the shipped reference file", async () => {
    const { readReference } = await import("../reference.ts");
    const t = await readReference("data/dashboard/reference_stats_values.csv");
    expect(t.rows.length).toBe(264);
    expect(t.header).toContain("wikidata_ontology");
  });
});

describe("extractor_dropped check", () => {
  it("skips without stats, counts a list per country, or counts per reason", () => {
    expect(extractorDroppedResults(null, DEFAULT_QUALITY_OPTIONS)[0].status).toBe("skip");
    const list = extractorDroppedResults(
      {
        stats: {
          dropped_boundaries: [
            { osm_id: "relation:1", reason: "unclosed_ring", country_code: "LU" },
            { osm_id: "relation:2", reason: "missing_way", country_code: "LU" },
          ],
        },
      },
      DEFAULT_QUALITY_OPTIONS,
    );
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ country: "LU", status: "warn", offending: 2 });
    expect(list[0].message).toBe("2 dropped: relation:1 (unclosed_ring), relation:2 (missing_way)");
    const counts = extractorDroppedResults(
      { stats: { dropped_boundaries: { unclosed_ring: 3, no_name: 0 } } },
      DEFAULT_QUALITY_OPTIONS,
    );
    expect(counts[0]).toMatchObject({ status: "warn", offending: 3, message: "no_name: 0, unclosed_ring: 3" });
    expect(extractorDroppedResults({ stats: { dropped_boundaries: {} } }, DEFAULT_QUALITY_OPTIONS)[0].status).toBe(
      "ok",
    );
  });
});
