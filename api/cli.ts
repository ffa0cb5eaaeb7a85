// `cosmo api serve`.
import { Command } from "commander";
import { intOption, runAction } from "../core/cli.ts";
import { getConfig } from "../core/config.ts";
import { openDatabase } from "../core/db.ts";
import { childLogger } from "../core/log.ts";
import { closeOnSignals } from "../core/serving/listen.ts";
import { startApiServer } from "./server.ts";

export function commands(): Command[] {
  const api = new Command("api").description("JSON API over the published dataset");
  api
    .command("serve")
    .description("serve /zones…, /stats, /datasets, /openapi.json and the old shapes under /compat/zones…")
    .option("--port <port>", "port (default: config api.port)", intOption("--port"))
    .option("--host <host>", "interface to listen on (default: config, 0.0.0.0)")
    .action(
      runAction(async (opts: { port?: number; host?: string }) => {
        const config = getConfig();
        const db = await openDatabase(config, {
          applicationName: "cosmo-api",
          statementTimeoutMs: config.database.statementTimeoutMs,
        });
        const server = await startApiServer({ db, port: opts.port, host: opts.host, config });
        process.stdout.write(`api: ${server.url}/openapi.json\n`);
        closeOnSignals(async () => {
          await server.close();
          await db.close();
        }, childLogger("api"));
      }),
    );
  return [api];
}
