// Validation of produced documents against the exported JSON Schema files (what non-TypeScript clients use).
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { type SCHEMA_FILES, schemaPath } from "../json-schema.ts";

export function validateWithJsonSchema(name: keyof typeof SCHEMA_FILES, doc: unknown): string[] {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath(name), "utf8")));
  return validate(JSON.parse(JSON.stringify(doc)))
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
