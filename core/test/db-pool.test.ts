// How many connections a serving process opens: cores + 1 at most against a database on this machine (its
// CPU-bound queries would otherwise crowd nginx and the clients out of the cores), poolMax against a remote one,
// servicePoolMax when set.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { servicePoolMax } from "../db.ts";

const config = (env: Record<string, string> = {}) => loadConfig(undefined, { COSMO_CONFIG: "", ...env });

describe("servicePoolMax", () => {
  it("caps a local database's pool at cores + 1: loopback addresses, localhost and unix sockets", () => {
    for (const url of [
      "postgres://cosmo:pw@127.0.0.1:5432/cosmo",
      "postgresql://localhost/cosmo",
      "postgres://u@[::1]:5433/db",
      "postgres:///cosmo?host=/var/run/postgresql",
      "postgres://u@%2Fvar%2Frun%2Fpostgresql/db",
    ]) {
      expect({ url, max: servicePoolMax(config(), url, 2) }).toEqual({ url, max: 3 });
    }
    expect(servicePoolMax(config(), "postgres://127.0.0.1/cosmo", 16)).toBe(10); // never above poolMax
    expect(servicePoolMax(config({ COSMO_DATABASE_POOL_MAX: "2" }), "postgres://127.0.0.1/cosmo", 8)).toBe(2);
  });

  it("leaves a remote database's pool at poolMax, and takes servicePoolMax as set", () => {
    expect(servicePoolMax(config(), "postgres://db.internal:5432/cosmo", 2)).toBe(10);
    expect(servicePoolMax(config({ COSMO_DATABASE_POOL_MAX: "40" }), "postgres://10.0.0.5/cosmo", 2)).toBe(40);
    expect(servicePoolMax(config({ COSMO_DATABASE_SERVICE_POOL_MAX: "7" }), "postgres://127.0.0.1/c", 2)).toBe(7);
    expect(servicePoolMax(config({ COSMO_DATABASE_SERVICE_POOL_MAX: "7" }), "postgres://db.internal/c", 2)).toBe(7);
  });
});
