// Liveness and readiness routes, the same for every service over the served dataset.
import type { Express } from "express";
import type pg from "pg";
import { sendError } from "./http-errors.ts";
import type { ServedDataset } from "./served-dataset.ts";

/** `/healthz`: the process answers. `/readyz`: the database answers and a dataset is published. */
export function healthRoutes(app: Express, pool: pg.Pool, served: ServedDataset): void {
  app.get("/healthz", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await pool.query("SELECT 1");
      const ref = await served.refresh();
      if (!ref) return sendError(res, 503, "not_ready", "no dataset is published yet");
      res.set("Cache-Control", "no-store").json({ status: "ready", dataset: ref.version });
    } catch (err) {
      sendError(res, 503, "not_ready", `database unreachable: ${(err as Error).message}`);
    }
  });
}
