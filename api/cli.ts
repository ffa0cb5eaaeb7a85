// `cosmo api serve`.
import { Command } from "commander";
import { addServeCommand } from "../core/serving/serve-command.ts";

// The server (express, prom-client, the queries and their zod schemas) is loaded when the command runs:
// `cosmo api --help` does not need it (start-up, issue 17).

export function commands(): Command[] {
  const api = new Command("api").description("JSON API over the published dataset");
  addServeCommand(api, {
    service: "api",
    description: "serve /zones…, /stats, /datasets, /openapi.json and the old shapes under /compat/zones…",
    firstPath: "/openapi.json",
    start: async (db, config, flags) =>
      (await import("./server.ts")).startApiServer({ db, port: flags.port, host: flags.host, config }),
  });
  return [api];
}
