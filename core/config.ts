// One YAML config file (path from --config / COSMO_CONFIG) with ${VAR} and ${VAR:-default} substitution,
// validated with zod; every leaf can also be set by env COSMO_<SECTION>_<KEY> (camelCase → UPPER_SNAKE).
// Well-known env vars (DATABASE_URL, S3_*) are honoured too, so the usual deployment conventions work.
// Text from the environment (substituted or whole) is converted by the schema, so `port: ${P}` is a number; a
// `${VAR}` that comes out empty is refused rather than read as "use the default" (README, Configuration).
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { memoryBudgetProblem } from "./memory-budget.ts";

const port = z.number().int().min(0).max(65535);
const optionalText = z.string().min(1).optional();

/** Show a URL in a message without the credentials it may carry. */
function redactUrl(value: string): string {
  return value.replace(/\/\/[^/@]*@/, "//***@");
}

/** Why a database URL would not work, or undefined. The URL itself is never echoed: it usually holds a password. */
function postgresUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    // pg takes an empty host after the credentials (user@/db?host=/run/postgresql); the URL parser does not.
    u = new URL(value.replace("@/", "@localhost/"));
  } catch {
    return "not a URL (expected postgresql://user:password@host:5432/database)";
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:")
    return `expected a postgresql:// URL, got a ${u.protocol}// one`;
  return undefined;
}

/** Why an S3 endpoint would not work, or undefined: the client takes scheme, host and port, nothing else. */
function s3EndpointProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `not a URL: "${redactUrl(value)}" (expected e.g. http://minio:9000)`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    return `expected an http:// or https:// URL, got "${redactUrl(value)}"`;
  if (u.username || u.password) return "must not carry credentials: set storage.accessKey and storage.secretKey";
  if (u.pathname !== "/" || u.search || u.hash)
    return `must be the server's root URL (scheme, host, port), got "${redactUrl(value)}"`;
  return undefined;
}

function checked(problem: (value: string) => string | undefined) {
  return z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const message = problem(value);
      if (message) ctx.addIssue({ code: "custom", message });
    })
    .optional();
}

export const ConfigSchema = z
  .object({
    database: z
      .object({
        url: checked(postgresUrlProblem).describe("PostgreSQL URL; unset = embedded cluster in .data/pg"),
        readUrl: checked(postgresUrlProblem).describe(
          "read-only URL the API and tile services use (a streaming replica); unset = url. The pipeline writes to url",
        ),
        readPollMs: z
          .number()
          .int()
          .min(100)
          .default(1000)
          .describe("how often services on readUrl re-read the served version (NOTIFY does not reach a replica)"),
        poolMax: z.number().int().min(1).max(500).default(10),
        servicePoolMax: z
          .number()
          .int()
          .min(1)
          .max(500)
          .optional()
          .describe("connections of an API or tile service; unset = poolMax, capped at cores + 1 for a local database"),
        statementTimeoutMs: z.number().int().min(0).default(30_000),
        embeddedDir: z.string().default(".data/pg"),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        endpoint: checked(s3EndpointProblem).describe("S3 endpoint URL; unset = embedded S3 server on .data/s3"),
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
    extract: z
      .object({
        // `cosmo extract --memory-budget` when not given (1GiB, 512MiB, …); unset = half the machine's memory.
        memoryBudget: checked(memoryBudgetProblem),
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
        // `cosmo locate` and POST /zones/locate keep each version's piece index here (api/locate/piece-index.ts),
        // read by the next run instead of a scan of zone_pieces; "" = not kept.
        locateIndexDir: z.string().default(".data/locate"),
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

type KeyPath = readonly string[];

/** Env vars outside the COSMO_ prefix that people already use for these settings. */
const WELL_KNOWN_ENV: Record<string, KeyPath> = {
  DATABASE_URL: ["database", "url"],
  DATABASE_READ_URL: ["database", "readUrl"],
  S3_ENDPOINT: ["storage", "endpoint"],
  S3_ACCESS_KEY: ["storage", "accessKey"],
  S3_SECRET_KEY: ["storage", "secretKey"],
  S3_BUCKET: ["storage", "bucket"],
  S3_REGION: ["storage", "region"],
};

/**
 * Settings whose absence means "use the embedded server": a value that was meant to be given but came out empty
 * (`${VAR}` or an env var set to "") must not quietly switch to the embedded one.
 */
const EMBEDDED_WHEN_UNSET = new Set(["database.url", "storage.endpoint"]);

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `${VAR}` and `${VAR:-default}` in a string; `unset` lists the variables that were unset or empty with no default. */
function substitute(text: string, env: NodeJS.ProcessEnv): { value: string; unset: string[] } {
  const unset: string[] = [];
  const value = text.replace(REFERENCE, (_m, name: string, fallback?: string) => {
    const v = env[name];
    if (v !== undefined && v !== "") return v;
    if (fallback === undefined) unset.push(name);
    return fallback ?? "";
  });
  return { value, unset };
}

/** `${VAR}` and `${VAR:-default}` in a string value; an unset VAR without default becomes "". */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return substitute(text, env).value;
}

/** COSMO_<SECTION>_<KEY>[_<SUBKEY>…] for a key path (camelCase → UPPER_SNAKE). */
export function envName(...path: string[]): string {
  return `COSMO_${path.join("_")}`.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Strip default/prefault/optional wrappers down to the schema that says what the value is. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The schema of `key` inside an object schema (undefined for unknown keys or non-objects). */
function childSchema(schema: z.ZodType | undefined, key: string): z.ZodType | undefined {
  const s = schema && unwrap(schema);
  return s instanceof z.ZodObject ? (s.shape as Record<string, z.ZodType>)[key] : undefined;
}

/** Where a value not written literally in the file came from: an env var, or `${…}` references in the file. */
interface Origin {
  text: string;
  inFile: boolean;
}

/** One load: the messages collected (all of them, not just the first) and where substituted values came from. */
class Load {
  readonly problems: string[] = [];
  private readonly origins = new Map<string, Origin>();
  constructor(
    readonly file: string | undefined,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  from(path: KeyPath, origin: Origin): void {
    this.origins.set(path.join("."), origin);
  }

  /** `<file>: <key path> (from <origin>): <message>`, the origin being the closest one set on the path. */
  problem(path: readonly PropertyKey[], message: string): void {
    const key = path.map(String).join(".") || "(root)";
    let origin: Origin | undefined;
    for (let n = path.length; n > 0 && !origin; n--) origin = this.origins.get(path.slice(0, n).map(String).join("."));
    const where = origin && !origin.inFile ? "" : `${this.file ?? "environment"}: `;
    this.problems.push(`${where}${key}${origin ? ` (from ${origin.text})` : ""}: ${message}`);
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = /^(true|yes|on|1)$/i;
const FALSE = /^(false|no|off|0)$/i;

/**
 * Text from an env var or a `${…}` substitution, converted to what the schema expects at `path`: numbers,
 * booleans (true/false, yes/no, on/off, 1/0), lists (comma-separated, or a YAML/JSON `[…]`), mappings (a YAML/JSON
 * `{…}`) whose text leaves are converted in turn. Text that does not convert is a problem; the result is then
 * undefined (the message already says what was expected).
 */
function coerceText(schema: z.ZodType | undefined, text: string, path: KeyPath, load: Load): unknown {
  const s = schema && unwrap(schema);
  const fail = (expected: string) => {
    load.problem(path, `expected ${expected}, got "${text}"`);
    return undefined;
  };
  const trimmed = text.trim();
  if (s instanceof z.ZodNumber) return NUMBER.test(trimmed) ? Number(trimmed) : fail("a number");
  if (s instanceof z.ZodBoolean) return TRUE.test(trimmed) ? true : FALSE.test(trimmed) ? false : fail("true or false");
  if (s instanceof z.ZodArray) {
    const list = trimmed.startsWith("[")
      ? parseFlow(trimmed)
      : trimmed
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean);
    return Array.isArray(list) ? coerceValue(schema, list, path, load) : fail("a list (a,b,c or [a, b, c])");
  }
  if (s instanceof z.ZodObject) {
    const mapping = trimmed.startsWith("{") ? parseFlow(trimmed) : undefined;
    return isMapping(mapping) ? coerceValue(schema, mapping, path, load) : fail("a mapping ({key: value, …})");
  }
  return text;
}

function parseFlow(text: string): unknown {
  try {
    return YAML.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * `value` with every text leaf replaced by `onText(its schema, the text, its key path)`; lists and mappings are
 * walked with the schema of their elements and keys.
 */
function mapTexts(
  schema: z.ZodType | undefined,
  value: unknown,
  path: KeyPath,
  onText: (schema: z.ZodType | undefined, text: string, path: KeyPath) => unknown,
): unknown {
  if (typeof value === "string") return onText(schema, value, path);
  const s = schema && unwrap(schema);
  if (Array.isArray(value))
    return value.map((v, i) =>
      mapTexts(s instanceof z.ZodArray ? (s.element as z.ZodType) : undefined, v, [...path, String(i)], onText),
    );
  if (isMapping(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, mapTexts(childSchema(s, k), v, [...path, k], onText)]),
    );
  return value;
}

/** Convert every text leaf of a value that came whole from outside the file (see coerceText). */
function coerceValue(schema: z.ZodType | undefined, value: unknown, path: KeyPath, load: Load): unknown {
  return mapTexts(schema, value, path, (sc, text, p) => coerceText(sc, text, p, load));
}

/**
 * The parsed file with `${…}` resolved: a string holding references is substituted and then converted by the
 * schema at its place, so `port: ${P:-3100}` is a number. A reference to an unset or empty variable without a
 * default is a problem (the setting was meant to be given); `${VAR:-}` says "leave it unset when VAR is".
 */
function resolveFile(schema: z.ZodType | undefined, value: unknown, path: KeyPath, load: Load): unknown {
  return mapTexts(schema, value, path, (sc, text, p) => resolveText(sc, text, p, load));
}

function resolveText(schema: z.ZodType | undefined, value: string, path: KeyPath, load: Load): unknown {
  const refs = value.match(REFERENCE);
  if (!refs) return value;
  const { value: text, unset } = substitute(value, load.env);
  load.from(path, { text: refs.join(""), inFile: true });
  if (unset.length) {
    const first = unset[0];
    const notSet = unset.length > 1 ? `variables ${unset.join(", ")} are not set` : `variable ${first} is not set`;
    // Leaving the key unset is an option only where the value is nothing but the reference.
    const whole = value.trim() === refs.join("");
    load.problem(
      path,
      !whole
        ? `${notSet} and has no default (write \${${first}:-default} to give one)`
        : EMBEDDED_WHEN_UNSET.has(path.join("."))
          ? `${notSet}: refusing to fall back to the embedded server (remove the key, or write \${${first}:-}, to use it)`
          : `${notSet} and has no default (write \${${first}:-default} to give one, or \${${first}:-} to leave the key unset)`,
    );
    return undefined;
  }
  if (text === "") return undefined; // every reference defaulted to empty: the key is left unset
  return coerceText(schema, text, path, load);
}

function setAt(root: Record<string, unknown>, path: KeyPath, value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (!isMapping(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Apply one env var to a key: empty means "not given", except where absence means "use the embedded server". */
function applyEnvVar(raw: Record<string, unknown>, name: string, path: KeyPath, schema: z.ZodType, load: Load): void {
  const value = load.env[name];
  if (value === undefined || (value === "" && !EMBEDDED_WHEN_UNSET.has(path.join(".")))) return;
  load.from(path, { text: name, inFile: false });
  if (value === "") {
    load.problem(path, "set but empty: refusing to fall back to the embedded server (unset the variable to use it)");
    return;
  }
  setAt(raw, path, coerceText(schema, value, path, load));
}

/** COSMO_<SECTION>_<KEY> for every leaf (nested objects: one var per leaf), then the well-known names. */
function applyEnv(raw: Record<string, unknown>, schema: z.ZodType, path: KeyPath, load: Load): void {
  const s = unwrap(schema);
  if (!(s instanceof z.ZodObject)) return;
  for (const [key, child] of Object.entries(s.shape as Record<string, z.ZodType>)) {
    const childPath = [...path, key];
    if (unwrap(child) instanceof z.ZodObject) applyEnv(raw, child, childPath, load);
    else applyEnvVar(raw, envName(...childPath), childPath, child, load);
  }
}

function applyWellKnownEnv(raw: Record<string, unknown>, load: Load): void {
  for (const [name, path] of Object.entries(WELL_KNOWN_ENV)) {
    if (load.env[envName(...path)]) continue; // COSMO_* wins over the generic name
    applyEnvVar(raw, name, path, childSchema(childSchema(ConfigSchema, path[0]), path[1]) as z.ZodType, load);
  }
}

function readFile(file: string): unknown {
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
  if (parsed !== null && parsed !== undefined && !isMapping(parsed)) {
    throw new ConfigError(`${file}: expected a mapping of sections at the top level`);
  }
  return parsed ?? {};
}

/** Load, substitute, apply env overrides, convert and validate. Throws one ConfigError naming every bad key path. */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const file = path ?? env.COSMO_CONFIG;
  const load = new Load(file, env);
  const raw = (file ? resolveFile(ConfigSchema, readFile(file), [], load) : {}) as Record<string, unknown>;
  for (const [section, value] of Object.entries(raw)) {
    if (value === null || value === undefined) raw[section] = {};
  }
  applyEnv(raw, ConfigSchema, [], load);
  applyWellKnownEnv(raw, load);
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) for (const issue of result.error.issues) load.problem(issue.path, issue.message);
  if (load.problems.length || !result.success) throw new ConfigError(load.problems.join("; "));
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
