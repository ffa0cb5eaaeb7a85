// `cosmo api serve` and `cosmo tiles serve`: the same command around each service. Open the database as the
// service's own client (the configured statement timeout bounds every query it runs), start the service, print
// where it answers, and stop the service and then the database on SIGINT/SIGTERM.
import type { Command } from "commander";
import { intOption, runAction } from "../cli.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db.ts";
import { childLogger } from "../log.ts";
import { closeOnSignals, type RunningService } from "./listen.ts";

/** `--port` and `--host`: unset, the service's config section decides. */
export interface ServeFlags {
  port?: number;
  host?: string;
}

export interface ServeCommand {
  /** The service's name: its config section, logger, database application name and printed line. */
  service: "api" | "tiles";
  description: string;
  /** Appended to the service's URL in the printed line: the page to open first. */
  firstPath: string;
  start(db: Database, config: Config, flags: ServeFlags): Promise<RunningService>;
}

/** Adds `serve` under the stage's command. */
export function addServeCommand(stage: Command, serve: ServeCommand): void {
  stage
    .command("serve")
    .description(serve.description)
    .option("--port <port>", `port (default: config ${serve.service}.port)`, intOption("--port"))
    .option("--host <host>", "interface to listen on (default: config, 0.0.0.0)")
    .action(runAction((flags: ServeFlags) => serveUntilSignalled(serve, flags)));
}

async function serveUntilSignalled(serve: ServeCommand, flags: ServeFlags): Promise<void> {
  // Loaded here, not at start: the config's schema (zod, yaml) and pg are not needed for `--help` (issue 17).
  const { getConfig } = await import("../config.ts");
  const { openDatabase } = await import("../db.ts");
  const config = getConfig();
  const db = await openDatabase(config, {
    applicationName: `cosmo-${serve.service}`,
    statementTimeoutMs: config.database.statementTimeoutMs,
    serving: true,
  });
  const server = await serve.start(db, config, flags);
  process.stdout.write(`${serve.service}: ${server.url}${serve.firstPath}\n`);
  closeOnSignals(async () => {
    await server.close();
    await db.close();
  }, childLogger(serve.service));
}
