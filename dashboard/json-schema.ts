// JSON Schema files for the two documents, generated from the zod schemas (the single source of truth) and
// kept in dashboard/schema/ for clients that do not use TypeScript. `make dashboard-schemas` rewrites them; a
// test fails when they are out of date.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DiffReportSchema } from "./diff-schema.ts";
import { DashboardReportSchema } from "./report-schema.ts";

export const SCHEMA_FILES = {
  "dashboard.schema.json": DashboardReportSchema,
  "diff.schema.json": DiffReportSchema,
} as const;

export function jsonSchemaText(name: keyof typeof SCHEMA_FILES): string {
  const schema = z.toJSONSchema(SCHEMA_FILES[name], { target: "draft-2020-12" });
  return `${JSON.stringify({ $id: `https://cosmo.invalid/schema/${name}`, ...schema }, null, 2)}\n`;
}

export function schemaPath(name: keyof typeof SCHEMA_FILES): string {
  return fileURLToPath(new URL(`schema/${name}`, import.meta.url));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const name of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
    writeFileSync(schemaPath(name), jsonSchemaText(name));
    process.stdout.write(`wrote ${schemaPath(name)}\n`);
  }
}
