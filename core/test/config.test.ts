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

  it("treats a reference to an unset variable as not set", () => {
    const path = configFile("database:\n  url: ${NOT_SET_ANYWHERE}\n");
    expect(loadConfig(path, {}).database.url).toBeUndefined();
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
    expect(() => loadConfig(undefined, { COSMO_API_PORT: "many" })).toThrow(/COSMO_API_PORT: expected a number/);
    expect(() => loadConfig("/nonexistent/cosmo.yaml", {})).toThrow(/cannot read config file/);
    const bad = configFile("api: [1, 2\n");
    expect(() => loadConfig(bad, {})).toThrow(/invalid YAML/);
  });
});
