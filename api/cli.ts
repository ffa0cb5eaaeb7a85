// `cosmo api serve`.
import { Command } from "commander";
import { intOption, runAction } from "../core/cli.ts";
import { serveUntilSignalled } from "../core/serving/serve-command.ts";
import { startApiServer } from "./server.ts";

export function commands(): Command[] {
  const api = new Command("api").description("JSON API over the published dataset");
  api
    .command("serve")
    .description("serve /zones…, /stats, /datasets, /openapi.json and the old shapes under /compat/zones…")
    .option("--port <port>", "port (default: config api.port)", intOption("--port"))
    .option("--host <host>", "interface to listen on (default: config, 0.0.0.0)")
    .action(
      runAction((opts: { port?: number; host?: string }) =>
        serveUntilSignalled("api", "/openapi.json", (db, config) =>
          startApiServer({ db, port: opts.port, host: opts.host, config }),
        ),
      ),
    );
  return [api];
}
