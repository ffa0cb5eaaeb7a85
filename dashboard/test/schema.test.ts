import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonSchemaText, SCHEMA_FILES, schemaPath } from "../json-schema.ts";
import { validateWithJsonSchema } from "./json-schema.ts";

describe("exported JSON Schema files", () => {
  for (const name of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
    it(`${name} is up to date with the zod schema (make dashboard-schemas)`, () => {
      // compared as JSON: a formatter may re-indent the file
      expect(JSON.parse(readFileSync(schemaPath(name), "utf8"))).toEqual(JSON.parse(jsonSchemaText(name)));
    });
  }

  it("rejects an incomplete document", () => {
    const errors = validateWithJsonSchema("dashboard.schema.json", { schemaVersion: 1, kind: "cosmo-dashboard" });
    expect(errors.length).toBeGreaterThan(0);
  });
});
