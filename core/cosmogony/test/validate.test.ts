// The hot-path validator must agree with the documented zod ZoneSchema: same values, same accept/reject.
import { describe, expect, it } from "vitest";
import { ZoneSchema } from "../model.ts";
import { parseZone } from "../validate.ts";
import { oldSchemaZones, sampleZones } from "./sample-zones.ts";

function ring(...positions: number[][]) {
  return { type: "MultiPolygon", coordinates: [[positions]] };
}
const good: unknown[] = [
  ...sampleZones(),
  ...oldSchemaZones(),
  { ...sampleZones()[0], extra: "dropped" },
  // the edges of the range
  { ...sampleZones()[0], geometry: ring([-180, -90], [180, -90], [180, 90], [-180, -90]), bbox: [-180, -90, 180, 90] },
];
const base = sampleZones()[1] as unknown as Record<string, unknown>;
const bad: [string, Record<string, unknown>][] = [
  ["no id", { ...base, id: undefined }],
  ["negative id", { ...base, id: -1 }],
  ["float id", { ...base, id: 1.5 }],
  ["empty osm_id", { ...base, osm_id: "" }],
  ["unknown zone type", { ...base, zone_type: "town" }],
  ["no admin_level key", Object.fromEntries(Object.entries(base).filter(([k]) => k !== "admin_level"))],
  ["name null", { ...base, name: null }],
  ["labels not strings", { ...base, international_labels: { fr: 3 } }],
  ["zip not string", { ...base, zip_codes: [1] }],
  ["center polygon", { ...base, center: { type: "Polygon", coordinates: [] } }],
  ["geometry polygon", { ...base, geometry: { type: "Polygon", coordinates: [] } }],
  [
    "geometry short ring",
    {
      ...base,
      geometry: {
        type: "MultiPolygon",
        coordinates: [
          [
            [
              [0, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        ],
      },
    },
  ],
  [
    "geometry NaN",
    {
      ...base,
      geometry: {
        type: "MultiPolygon",
        coordinates: [
          [
            [
              [0, 0],
              [1, "x"],
              [1, 1],
              [0, 0],
            ],
          ],
        ],
      },
    },
  ],
  ["bbox of 3", { ...base, bbox: [1, 2, 3] }],
  ["bbox out of range", { ...base, bbox: [1, 2, 3, 149] }],
  ["center out of range", { ...base, center: { type: "Point", coordinates: [600, 149] } }],
  ["geometry latitude out of range", { ...base, geometry: ring([0, 0], [1, 0], [1, 90.5], [0, 0]) }],
  ["geometry longitude out of range", { ...base, geometry: ring([0, 0], [-180.25, 0], [1, 1], [0, 0]) }],
  ["geometry ring not closed", { ...base, geometry: ring([0, 0], [1, 0], [1, 1], [0, 1]) }],
  ["tags array", { ...base, tags: [] }],
  ["parent string", { ...base, parent: "1" }],
  ["wikidata missing", Object.fromEntries(Object.entries(base).filter(([k]) => k !== "wikidata"))],
  ["is_generated string", { ...base, is_generated: "yes" }],
  ["country_code number", { ...base, country_code: 1 }],
];

describe("parseZone ≡ ZoneSchema.parse", () => {
  it("accepts the same zones with the same values", () => {
    for (const z of good) expect(parseZone(z)).toEqual(ZoneSchema.parse(z));
  });
  for (const [what, z] of bad) {
    it(`rejects ${what}`, () => {
      expect(ZoneSchema.safeParse(z).success).toBe(false);
      expect(() => parseZone(z)).toThrow();
    });
  }
});
