// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { envName, loadConfig, substituteEnv } from "../config.ts";
import { ConfigError } from "../errors.ts";

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cosmo-config-"));
  const path = join(dir, "cosmo.yaml");
  writeFileSync(path, text);
  return path;
}

describe("config", () => {
  it("has defaults for every section", () => {
    const c = loadConfig(undefined, {});
    expect(c.api.port).toBe(3000);
    expect(c.tiles.port).toBe(3001);
    expect(c.database.url).toBeUndefined();
    expect(c.import.keepVersions).toBe(3);
  });

  it("substitutes ${VAR} and ${VAR:-default}", () => {
    expect(substituteEnv("a ${X} b ${Y:-dflt} c ${Z:-}", { X: "1" })).toBe("a 1 b dflt c ");
    const path = configFile("database:\n  url: ${DB_URL}\napi:\n  port: 3005\nstorage:\n  bucket: ${BUCKET:-zones}\n");
    const c = loadConfig(path, { DB_URL: "postgres://u@h/db" });
    expect(c.database.url).toBe("postgres://u@h/db");
    expect(c.storage.bucket).toBe("zones");
    expect(c.api.port).toBe(3005);
  });

  it("refuses a reference to an unset variable instead of falling back; ${VAR:-} leaves the key unset", () => {
    const url = configFile("database:\n  url: ${NOT_SET_ANYWHERE}\n");
    for (const env of [{}, { NOT_SET_ANYWHERE: "" }]) {
      expect(() => loadConfig(url, env)).toThrow(ConfigError);
      expect(() => loadConfig(url, env)).toThrow(
        /database\.url \(from \$\{NOT_SET_ANYWHERE\}\): variable NOT_SET_ANYWHERE is not set: refusing to fall back to the embedded server/,
      );
    }
    const endpoint = configFile("storage:\n  endpoint: ${NO_S3}\n");
    expect(() => loadConfig(endpoint, {})).toThrow(/storage\.endpoint \(from \$\{NO_S3\}\): variable NO_S3 is not set/);
    const inside = configFile("storage:\n  endpoint: http://${NO_S3_HOST}:9000\n");
    expect(() => loadConfig(inside, {})).toThrow(/storage\.endpoint .*variable NO_S3_HOST is not set/);
    const bucket = configFile("storage:\n  bucket: ${NO_BUCKET}\n");
    expect(() => loadConfig(bucket, {})).toThrow(/storage\.bucket .*variable NO_BUCKET is not set/);
    // Explicitly optional, or simply absent: the embedded default.
    expect(loadConfig(configFile("database:\n  url: ${NOT_SET_ANYWHERE:-}\n"), {}).database.url).toBeUndefined();
    expect(loadConfig(configFile("database:\n  poolMax: 4\n"), {}).database.url).toBeUndefined();
    expect(loadConfig(configFile("storage:\n  bucket: ${NO_BUCKET:-}\n"), {}).storage.bucket).toBe("cosmo");
  });

  it("refuses database URLs and S3 endpoints that cannot work, naming the key and the variable", () => {
    const bad = (env: NodeJS.ProcessEnv) => () => loadConfig(undefined, env);
    expect(bad({ DATABASE_URL: "not a url" })).toThrow(/^database\.url \(from DATABASE_URL\): not a URL/);
    expect(bad({ DATABASE_URL: "mysql://u:hunter2@h/db" })).toThrow(/database\.url .*postgresql:\/\//);
    expect(bad({ DATABASE_URL: "mysql://u:hunter2@h/db" })).not.toThrow(/hunter2/);
    expect(bad({ DATABASE_URL: "" })).toThrow(/database\.url \(from DATABASE_URL\): set but empty/);
    expect(bad({ COSMO_DATABASE_URL: "x" })).toThrow(/database\.url \(from COSMO_DATABASE_URL\): not a URL/);
    expect(bad({ S3_ENDPOINT: "minio:9000" })).toThrow(/storage\.endpoint \(from S3_ENDPOINT\): expected an http/);
    expect(bad({ S3_ENDPOINT: "http://:9000" })).toThrow(/storage\.endpoint .*not a URL/);
    expect(bad({ S3_ENDPOINT: "http://minio:9000/bucket" })).toThrow(/storage\.endpoint .*root URL/);
    expect(bad({ S3_ENDPOINT: "http://key:s3cret@minio:9000" })).toThrow(/storage\.endpoint .*credentials/);
    expect(bad({ S3_ENDPOINT: "" })).toThrow(/storage\.endpoint \(from S3_ENDPOINT\): set but empty/);
    const file = configFile("database:\n  url: ftp://somewhere\n");
    expect(() => loadConfig(file, {})).toThrow(/cosmo\.yaml: database\.url: expected a postgresql:\/\/ URL/);
    const ok = loadConfig(undefined, {
      DATABASE_URL: "postgresql://u@/db?host=/run/pg",
      S3_ENDPOINT: "https://s3.example/",
    });
    expect(ok.database.url).toBe("postgresql://u@/db?host=/run/pg");
    expect(ok.storage.endpoint).toBe("https://s3.example/");
  });

  it("converts substituted values by the schema: numbers, booleans, lists, nested mappings", () => {
    const path = configFile(
      [
        "tiles:",
        "  port: ${P:-3100}",
        "  persistentCache: ${PC}",
        "  languages: ${LANGS}",
        "  maxZoom: 1${Z}",
        "api:",
        "  maxBboxDegrees2: ${AREA}",
        '  corsOrigins: ["${O1}", https://fixed.example]',
        "gate:",
        "  failOnDashboardRegression: ${FAIL:-true}",
        "",
      ].join("\n"),
    );
    const c = loadConfig(path, {
      PC: "false",
      LANGS: "en, fr",
      Z: "2",
      AREA: "2.5",
      O1: "https://a.example",
      FAIL: "Off",
    });
    expect(c.tiles.port).toBe(3100);
    expect(c.tiles.persistentCache).toBe(false);
    expect(c.tiles.languages).toEqual(["en", "fr"]);
    expect(c.tiles.maxZoom).toBe(12);
    expect(c.api.maxBboxDegrees2).toBe(2.5);
    expect(c.api.corsOrigins).toEqual(["https://a.example", "https://fixed.example"]);
    expect(c.gate.failOnDashboardRegression).toBe(false);
    const t = loadConfig(path, { PC: "true", LANGS: "[de]", Z: "0", AREA: "1", O1: "x", FAIL: "1" });
    expect([t.tiles.persistentCache, t.tiles.languages, t.gate.failOnDashboardRegression]).toEqual([
      true,
      ["de"],
      true,
    ]);
    // A whole section as a flow mapping, its text leaves converted in turn.
    const section = configFile("web: ${WEB}\n");
    expect(loadConfig(section, { WEB: "{port: '8181', basemapStyle: s.json}" }).web).toEqual({
      port: 8181,
      basemapStyle: "s.json",
    });
    // A literal string in the file is not converted: the file says what it means.
    expect(() => loadConfig(configFile("tiles:\n  port: '3100'\n"), {})).toThrow(/tiles\.port: .*expected number/);
  });

  it("names the key, the variable and what was expected when a substituted value does not convert", () => {
    const path = configFile("tiles:\n  port: ${P}\n  persistentCache: ${PC:-maybe}\nweb: ${WEB}\n");
    const message = (() => {
      try {
        loadConfig(path, { P: "abc", WEB: "[1]" });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/cosmo\.yaml: tiles\.port \(from \$\{P\}\): expected a number, got "abc"/);
    expect(message).toMatch(/tiles\.persistentCache \(from \$\{PC:-maybe\}\): expected true or false, got "maybe"/);
    expect(message).toMatch(/web \(from \$\{WEB\}\): expected a mapping/);
    // Converted, then validated: the range check still names where the value came from.
    expect(() => loadConfig(path, { P: "70000", PC: "no", WEB: "{}" })).toThrow(
      /tiles\.port \(from \$\{P\}\): Too big/,
    );
  });

  it("lets env vars override every leaf, with types", () => {
    expect(envName("api", "maxInFlight")).toBe("COSMO_API_MAX_IN_FLIGHT");
    const c = loadConfig(undefined, {
      COSMO_API_MAX_IN_FLIGHT: "7",
      COSMO_TILES_PERSISTENT_CACHE: "false",
      COSMO_API_CORS_ORIGINS: "https://a.example, https://b.example",
      DATABASE_URL: "postgres://x@y/z",
      S3_ENDPOINT: "http://127.0.0.1:9000",
    });
    expect(c.api.maxInFlight).toBe(7);
    expect(c.tiles.persistentCache).toBe(false);
    expect(c.api.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(c.database.url).toBe("postgres://x@y/z");
    expect(c.storage.endpoint).toBe("http://127.0.0.1:9000");
  });

  it("fails with the key path and what was expected", () => {
    const path = configFile("api:\n  port: 99999\n");
    expect(() => loadConfig(path, {})).toThrow(ConfigError);
    expect(() => loadConfig(path, {})).toThrow(/api\.port/);
    const typo = configFile("api:\n  prot: 3000\n");
    expect(() => loadConfig(typo, {})).toThrow(/prot/);
    expect(() => loadConfig(undefined, { COSMO_API_PORT: "many" })).toThrow(
      /api\.port \(from COSMO_API_PORT\): expected a number, got "many"/,
    );
    expect(() => loadConfig(undefined, { COSMO_API_PORT: "" })).not.toThrow();
    expect(() => loadConfig(undefined, { COSMO_TILES_PERSISTENT_CACHE: "nope" })).toThrow(
      /tiles\.persistentCache \(from COSMO_TILES_PERSISTENT_CACHE\): expected true or false/,
    );
    expect(() => loadConfig("/nonexistent/cosmo.yaml", {})).toThrow(/cannot read config file/);
    const bad = configFile("api: [1, 2\n");
    expect(() => loadConfig(bad, {})).toThrow(/invalid YAML/);
  });
});
