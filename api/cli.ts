// `cosmo api serve`.
import { Command } from "commander";
import { addServeCommand } from "../core/serving/serve-command.ts";
import { startApiServer } from "./server.ts";

export function commands(): Command[] {
  const api = new Command("api").description("JSON API over the published dataset");
  addServeCommand(api, {
    service: "api",
    description: "serve /zones…, /stats, /datasets, /openapi.json and the old shapes under /compat/zones…",
    firstPath: "/openapi.json",
    start: (db, config, flags) => startApiServer({ db, port: flags.port, host: flags.host, config }),
  });
  return [api];
}
