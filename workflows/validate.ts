// Validation of rendered documents, three ways, because each catches what the others miss:
// Argo's JSON schema (ajv, IntOrString patched), the CRDs' openAPIV3Schema with unknown fields forbidden,
// and the @kubernetes-models validate() (types, enums, required fields). Plus a lint of `{{…}}` tags.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CronWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/CronWorkflow";
import { WorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowTemplate";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import YAML from "yaml";
import { PROJECT_ROOT } from "../core/paths.ts";
import type { RenderedDoc } from "./render.ts";

const ARGO_DATA = join(PROJECT_ROOT, "data/argo");
const addFormats = addFormatsModule as unknown as (ajv: unknown) => void;

export interface Problem {
  file: string;
  check: "schema" | "crd" | "model" | "lint";
  message: string;
}

const KIND_DEFINITION: Record<string, string> = {
  WorkflowTemplate: "io.argoproj.workflow.v1alpha1.WorkflowTemplate",
  CronWorkflow: "io.argoproj.workflow.v1alpha1.CronWorkflow",
  Workflow: "io.argoproj.workflow.v1alpha1.Workflow",
};
const KIND_CRD: Record<string, string> = {
  WorkflowTemplate: "argoproj.io_workflowtemplates.yaml",
  CronWorkflow: "argoproj.io_cronworkflows.yaml",
  Workflow: "argoproj.io_workflows.yaml",
};

function readData(file: string): string {
  try {
    return readFileSync(join(ARGO_DATA, file), "utf8");
  } catch (err) {
    throw new Error(`${join(ARGO_DATA, file)} is missing: run \`make init\` (it copies the Argo schemas into data/)`, {
      cause: err,
    });
  }
}

/** Argo's schema types IntOrString as string only (argo#6060), which rejects `limit: 3`: accept both. */
export function patchIntOrString(schema: { definitions: Record<string, unknown> }): void {
  schema.definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = {
    anyOf: [{ type: "string" }, { type: "integer" }],
  };
}

let schemaValidators: Map<string, ValidateFunction> | undefined;
function argoSchemaValidator(kind: string): ValidateFunction {
  if (!schemaValidators) {
    const schema = JSON.parse(readData("schema.json"));
    patchIntOrString(schema);
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, logger: false });
    ajv.addSchema(schema, "argo");
    schemaValidators = new Map();
    for (const [k, def] of Object.entries(KIND_DEFINITION)) {
      schemaValidators.set(k, ajv.compile({ $ref: `argo#/definitions/${def}` }));
    }
  }
  const v = schemaValidators.get(kind);
  if (!v) throw new Error(`no Argo schema definition for kind ${kind}`);
  return v;
}

/** CRD schemas allow unknown fields only where `x-kubernetes-preserve-unknown-fields` says so. */
export function forbidUnknownFields(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) forbidUnknownFields(n);
    return;
  }
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (
    o.type === "object" &&
    o.properties &&
    o.additionalProperties === undefined &&
    !o["x-kubernetes-preserve-unknown-fields"]
  ) {
    o.additionalProperties = false;
  }
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith("x-kubernetes-")) delete o[k];
    else forbidUnknownFields(v);
  }
}

/**
 * The CRD's openAPIV3Schema; parsing the 2.8 MB YAML takes seconds, so the parsed schema is cached as JSON
 * under .data/cache, keyed by the CRD file's size and mtime.
 */
function crdSchema(file: string): Record<string, unknown> {
  const path = join(ARGO_DATA, "crds", file);
  if (!existsSync(path)) readData(`crds/${file}`);
  const st = statSync(path);
  const cache = join(PROJECT_ROOT, ".data/cache", `${file}.${st.size}.${Math.floor(st.mtimeMs)}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, "utf8"));
  const crd = YAML.parse(readData(`crds/${file}`)) as {
    spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] };
  };
  const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;
  mkdirSync(dirname(cache), { recursive: true });
  writeFileSync(`${cache}.tmp`, JSON.stringify(schema));
  renameSync(`${cache}.tmp`, cache);
  return schema;
}

const crdSchemas = new Map<string, Record<string, unknown>>();
/** The CRD's schema with unknown fields forbidden and the metadata fields we use described. */
function crdFullSchema(kind: string): Record<string, unknown> {
  const cached = crdSchemas.get(kind);
  if (cached) return cached;
  const file = KIND_CRD[kind];
  if (!file) throw new Error(`no CRD for kind ${kind}`);
  const schema = crdSchema(file);
  forbidUnknownFields(schema);
  // The API server fills metadata; the CRD leaves it as a bare object, so describe the fields we use.
  (schema.properties as Record<string, unknown>).metadata = {
    type: "object",
    additionalProperties: false,
    properties: {
      name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
      generateName: { type: "string" },
      namespace: { type: "string" },
      labels: { type: "object", additionalProperties: { type: "string" } },
      annotations: { type: "object", additionalProperties: { type: "string" } },
    },
  };
  crdSchemas.set(kind, schema);
  return schema;
}

/**
 * The part of `schema` that can apply to `instances`: `properties` keep only keys some instance has (the
 * others cannot be evaluated; unknown keys still meet `additionalProperties: false`), `items` and map values
 * are pruned against the array elements / values. Validation results are identical, but compiling the
 * pruned schema takes milliseconds instead of the seconds the full 2.8 MB CRD schema takes.
 */
export function pruneSchema(schema: unknown, instances: unknown[]): unknown {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = { ...s };
  const objects = instances.filter(
    (v): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v),
  );
  if (s.properties && typeof s.properties === "object") {
    const props: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(s.properties as Record<string, unknown>)) {
      const values = objects.filter((o) => k in o).map((o) => o[k]);
      if (values.length) props[k] = pruneSchema(sub, values);
    }
    out.properties = props;
  }
  if (s.additionalProperties && typeof s.additionalProperties === "object") {
    const known = new Set(Object.keys((s.properties as object | undefined) ?? {}));
    out.additionalProperties = pruneSchema(
      s.additionalProperties,
      objects.flatMap((o) =>
        Object.entries(o)
          .filter(([k]) => !known.has(k))
          .map(([, v]) => v),
      ),
    );
  }
  if (s.items && typeof s.items === "object" && !Array.isArray(s.items)) {
    out.items = pruneSchema(s.items, instances.filter(Array.isArray).flat());
  }
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(s[k])) out[k] = (s[k] as unknown[]).map((b) => pruneSchema(b, instances));
  }
  if (s.not) out.not = pruneSchema(s.not, instances);
  return out;
}

function crdValidator(kind: string, doc: unknown): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addFormat("int32", true).addFormat("int64", true);
  return ajv.compile(pruneSchema(crdFullSchema(kind), [doc]) as object);
}

function ajvProblems(file: string, check: Problem["check"], v: ValidateFunction): Problem[] {
  return (v.errors ?? []).map((e) => ({
    file,
    check,
    message: `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
  }));
}

/** `{{ x }}` with inner spaces is not reliably substituted by Argo (#4537, #11767). */
export function lintTags(file: string, doc: unknown): Problem[] {
  const problems: Problem[] = [];
  const walk = (node: unknown, path: string) => {
    if (typeof node === "string") {
      for (const m of node.matchAll(/\{\{(.*?)\}\}/g)) {
        const inner = m[1]!;
        if (inner !== inner.trim())
          problems.push({
            file,
            check: "lint",
            message: `${path}: tag "${m[0]}" has inner spaces (write {{${inner.trim()}}})`,
          });
        if (inner.trim() === "") problems.push({ file, check: "lint", message: `${path}: empty tag "${m[0]}"` });
      }
    } else if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) walk(v, `${path}/${i}`);
    } else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`);
  };
  walk(doc, "");
  return problems;
}

/** CEL rules of the CRDs that the openAPIV3Schema cannot express, checked by hand. */
function celChecks(file: string, doc: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const locations = ["s3", "gcs", "git", "http", "artifactory", "hdfs", "raw", "oss", "azure", "plugin"];
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) walk(v, `${path}/${i}`);
      return;
    }
    if (!node || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    if (/\/artifacts\/\d+$/.test(path) && locations.filter((l) => l in o).length > 1) {
      problems.push({
        file,
        check: "crd",
        message: `${path}: an artifact has at most one location (${locations.filter((l) => l in o).join(", ")})`,
      });
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
  };
  walk(doc, "");
  return problems;
}

export function validateDoc({ file, doc }: RenderedDoc): Problem[] {
  const problems = lintTags(file, doc);
  const kind = doc.kind as string;
  if (kind === "ConfigMap") return problems;
  if (!(kind in KIND_DEFINITION)) return [...problems, { file, check: "schema", message: `unexpected kind ${kind}` }];
  const schema = argoSchemaValidator(kind);
  if (!schema(doc)) problems.push(...ajvProblems(file, "schema", schema));
  const crd = crdValidator(kind, doc);
  if (!crd(doc)) problems.push(...ajvProblems(file, "crd", crd));
  problems.push(...celChecks(file, doc));
  try {
    if (kind === "WorkflowTemplate") new WorkflowTemplate(doc as never).validate();
    else if (kind === "CronWorkflow") new CronWorkflow(doc as never).validate();
  } catch (err) {
    problems.push({ file, check: "model", message: (err as Error).message.split("\n").join("; ") });
  }
  return problems;
}

export function validateAll(docs: RenderedDoc[]): Problem[] {
  return docs.flatMap(validateDoc);
}

export function formatProblem(p: Problem): string {
  return `${p.file}: ${p.check}: ${p.message}`;
}
