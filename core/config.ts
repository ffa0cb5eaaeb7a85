// One YAML config file (path from --config / COSMO_CONFIG) with ${VAR} and ${VAR:-default} substitution,
// validated with zod; every leaf can also be set by env COSMO_<SECTION>_<KEY> (camelCase → UPPER_SNAKE).
// Well-known env vars (DATABASE_URL, S3_*) are honoured too, so the usual deployment conventions work.
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.ts";

const port = z.number().int().min(0).max(65535);
const optionalText = z.string().min(1).optional();

export const ConfigSchema = z
  .object({
    database: z
      .object({
        url: optionalText.describe("PostgreSQL URL; unset = embedded cluster in .data/pg"),
        poolMax: z.number().int().min(1).max(500).default(10),
        statementTimeoutMs: z.number().int().min(0).default(30_000),
        embeddedDir: z.string().default(".data/pg"),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        endpoint: optionalText.describe("S3 endpoint URL; unset = embedded S3 server on .data/s3"),
        accessKey: optionalText,
        secretKey: optionalText,
        bucket: z.string().min(3).default("cosmo"),
        region: z.string().default("us-east-1"),
        embeddedDir: z.string().default(".data/s3"),
      })
      .strict()
      .prefault({}),
    data: z
      .object({
        rulesDir: z.string().default("data/libpostal/boundaries"),
        reference: z.string().default("data/dashboard/reference_stats_values.csv"),
        publicDir: z.string().default(".data/www/data"),
      })
      .strict()
      .prefault({}),
    import: z
      .object({
        keepVersions: z.number().int().min(2).default(3),
      })
      .strict()
      .prefault({}),
    tiles: z
      .object({
        port: port.default(3001),
        maxInFlight: z.number().int().min(1).default(64),
        queue: z.number().int().min(0).default(64),
        memoryCacheBytes: z
          .number()
          .int()
          .min(0)
          .default(256 * 1024 * 1024),
        persistentCache: z.boolean().default(true),
        // Keys below: used by tiles/ only.
        host: z.string().default("0.0.0.0"),
        queueTimeoutMs: z.number().int().min(0).default(2000),
        retryAfterSeconds: z.number().int().min(1).default(1),
        // Renders up to this zoom are also written to the artefact store (seeding covers the rest).
        persistentMaxZoom: z.number().int().min(0).max(22).default(8),
        // `name:<lang>` properties copied into the `zones` layer (the explorer's language switch).
        languages: z
          .array(z.string())
          .default(["en", "fr", "de", "es", "it", "nl", "pt", "ru", "ar", "zh", "ja", "lb"]),
        // Cache-Control max-age of tile URLs without the version parameter.
        maxAgeSeconds: z.number().int().min(0).default(60),
        // TileJSON maxzoom (clients overzoom beyond it; deeper URLs are still served up to z22).
        maxZoom: z.number().int().min(0).max(22).default(14),
        // Public base URL for TileJSON `tiles` (e.g. https://example.org); empty = from the request headers.
        publicUrl: z.string().default(""),
        // (helper E, issue 15 item 15) Without publicUrl: hosts (`name` = any port, `name:port`) whose
        // X-Forwarded-Host/Host may build TileJSON URLs; any other host gets root-relative URLs (never echoed).
        allowedHosts: z.array(z.string()).default(["localhost", "127.0.0.1", "[::1]"]),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        port: port.default(3000),
        maxInFlight: z.number().int().min(1).default(64),
        queue: z.number().int().min(0).default(64),
        corsOrigins: z.array(z.string()).default(["*"]),
        maxLimit: z.number().int().min(1).default(100),
        maxBboxDegrees2: z.number().positive().default(100),
        // Keys below: used by api/ only.
        host: z.string().default("0.0.0.0"),
        queueTimeoutMs: z.number().int().min(0).default(2000),
        retryAfterSeconds: z.number().int().min(1).default(1),
        // Largest `offset` of /zones (deep pagination is a full scan).
        maxOffset: z.number().int().min(0).default(10_000),
        // Cache-Control max-age of data responses (they change on publish).
        maxAgeSeconds: z.number().int().min(0).default(30),
        // In-memory cache of responses of the served version (bytes; 0 = off).
        responseCacheBytes: z
          .number()
          .int()
          .min(0)
          .default(64 * 1024 * 1024),
        // (helper E, issue 15 item 19) /datasets shows `source` (the imported file's local path or URL) and
        // `forced_by` (who forced a publish) only when true; off: both are null for anyone asking.
        showDatasetOrigin: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    web: z
      .object({
        port: port.default(8080),
        basemapStyle: z.string().default(""),
      })
      .strict()
      .prefault({}),
    gate: z
      .object({
        maxCountriesRemoved: z.number().int().min(0).default(0),
        maxTypeRemovedPercent: z.number().min(0).max(100).default(10),
        maxTotalDropPercent: z.number().min(0).max(100).default(5),
        failOnDashboardRegression: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

/** Env vars outside the COSMO_ prefix that people already use for these settings. */
const WELL_KNOWN_ENV: Record<string, [string, string]> = {
  DATABASE_URL: ["database", "url"],
  S3_ENDPOINT: ["storage", "endpoint"],
  S3_ACCESS_KEY: ["storage", "accessKey"],
  S3_SECRET_KEY: ["storage", "secretKey"],
  S3_BUCKET: ["storage", "bucket"],
  S3_REGION: ["storage", "region"],
};

/** `${VAR}` and `${VAR:-default}` in a string value; an unset VAR without default becomes "". */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
    const value = env[name];
    return value !== undefined && value !== "" ? value : (fallback ?? "");
  });
}

function substituteDeep(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === "string") {
    const out = substituteEnv(value, env);
    // A value that was only a reference to an unset variable means "not set".
    return out === "" && value.includes("${") ? undefined : out;
  }
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, env)]));
  }
  return value;
}

export function envName(section: string, key: string): string {
  return `COSMO_${section}_${key}`.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

type Leaf = "number" | "boolean" | "array" | "string";

/** Strip default/prefault/optional wrappers down to the schema that says what the value is. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

function leafKind(schema: z.ZodType): Leaf {
  const s = unwrap(schema);
  if (s instanceof z.ZodNumber) return "number";
  if (s instanceof z.ZodBoolean) return "boolean";
  if (s instanceof z.ZodArray) return "array";
  return "string";
}

function sectionShape(section: z.ZodType): Record<string, z.ZodType> {
  return (unwrap(section) as z.ZodObject).shape as Record<string, z.ZodType>;
}

function parseEnvValue(kind: Leaf, raw: string, name: string): unknown {
  switch (kind) {
    case "number": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) throw new ConfigError(`${name}: expected a number, got "${raw}"`);
      return n;
    }
    case "boolean":
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${name}: expected true/false, got "${raw}"`);
    case "array":
      return raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

function applyEnv(raw: Record<string, Record<string, unknown>>, env: NodeJS.ProcessEnv): void {
  for (const [section, sectionSchema] of Object.entries(ConfigSchema.shape)) {
    for (const [key, leaf] of Object.entries(sectionShape(sectionSchema as z.ZodType))) {
      const name = envName(section, key);
      const value = env[name];
      if (value === undefined || value === "") continue;
      raw[section] ??= {};
      raw[section][key] = parseEnvValue(leafKind(leaf), value, name);
    }
  }
  for (const [name, [section, key]] of Object.entries(WELL_KNOWN_ENV)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const specific = env[envName(section, key)];
    if (specific !== undefined && specific !== "") continue; // COSMO_* wins over the generic name
    raw[section] ??= {};
    raw[section][key] = value;
  }
}

function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  const path = issue.path.map(String).join(".") || "(root)";
  return `${source}: ${path}: ${issue.message}`;
}

/** Load, substitute, apply env overrides and validate. Throws ConfigError naming the key path. */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const file = path ?? env.COSMO_CONFIG;
  let raw: Record<string, Record<string, unknown>> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ConfigError(`${file}: cannot read config file (${(err as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = YAML.parse(text);
    } catch (err) {
      throw new ConfigError(`${file}: invalid YAML (${(err as Error).message.split("\n")[0]})`);
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== "object" || Array.isArray(parsed))) {
      throw new ConfigError(`${file}: expected a mapping of sections at the top level`);
    }
    raw = (substituteDeep(parsed ?? {}, env) ?? {}) as Record<string, Record<string, unknown>>;
    for (const [section, value] of Object.entries(raw)) {
      if (value === null || value === undefined) raw[section] = {};
    }
  }
  applyEnv(raw, env);
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const source = file ?? "environment";
    throw new ConfigError(result.error.issues.map((i) => describeIssue(i, source)).join("; "));
  }
  return result.data;
}

let current: Config | undefined;

/** The process-wide config, loaded on first use. */
export function getConfig(): Config {
  current ??= loadConfig();
  return current;
}

/** Replace the process-wide config (tests, or a CLI that loaded a specific file). */
export function setConfig(config: Config | undefined): void {
  current = config;
}
