// Liveness and readiness routes, the same for every service over the served dataset.
import { createHash } from "node:crypto";
import type { Express } from "express";
import type pg from "pg";
import { loadSql } from "../sql.ts";
import { sendError } from "./http-errors.ts";
import type { ServedDataset } from "./served-dataset.ts";

/**
 * A short fingerprint of the database a pool reaches (cluster system identifier + database name): two checkouts
 * have two embedded clusters, so `cosmo web` can tell its own services from another checkout's on the same port.
 */
export async function databaseIdentity(pool: pg.Pool): Promise<string> {
  let row: { cluster: string; database: string } | undefined;
  try {
    row = (await pool.query(loadSql(import.meta.url, "sql/identity.sql"))).rows[0];
  } catch (err) {
    if ((err as { code?: string }).code !== "42501") throw err; // insufficient privilege: use the address
    row = (await pool.query(loadSql(import.meta.url, "sql/identity-fallback.sql"))).rows[0];
  }
  return createHash("sha256").update(`${row?.cluster}/${row?.database}`).digest("hex").slice(0, 16);
}

/** Response header of /healthz and /readyz naming the database fingerprint (once known). */
export const DATABASE_HEADER = "Cosmo-Database";

/**
 * `/healthz`: the process answers (no database round trip); the Cosmo-Database header names the database the
 * service uses, once known. `/readyz`: the database answers and a dataset is published.
 */
export function healthRoutes(app: Express, pool: pg.Pool, served: ServedDataset): void {
  let identity: string | null = null;
  let asking: Promise<void> | null = null;
  const learnIdentity = () => {
    asking ??= databaseIdentity(pool)
      .then((id) => {
        identity = id;
      })
      .catch(() => undefined) // database down: asked again on the next probe
      .finally(() => {
        asking = null;
      });
    return asking;
  };
  void learnIdentity();
  app.get("/healthz", (_req, res) => {
    if (identity === null) void learnIdentity();
    else res.set(DATABASE_HEADER, identity);
    res.set("Cache-Control", "no-store").json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await pool.query("SELECT 1");
      const ref = await served.refresh();
      if (identity === null) await learnIdentity();
      if (identity !== null) res.set(DATABASE_HEADER, identity);
      if (!ref) return sendError(res, 503, "not_ready", "no dataset is published yet");
      res.set("Cache-Control", "no-store").json({ status: "ready", dataset: ref.version });
    } catch (err) {
      sendError(res, 503, "not_ready", `database unreachable: ${(err as Error).message}`);
    }
  });
}
