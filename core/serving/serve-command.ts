// What `cosmo api serve` and `cosmo tiles serve` do around their service: open the database as the service's own
// client (the configured statement timeout bounds every query it runs), start it, print where it answers, and
// stop the service and then the database on SIGINT/SIGTERM.
import { type Config, getConfig } from "../config.ts";
import { type Database, openDatabase } from "../db.ts";
import { childLogger } from "../log.ts";
import { closeOnSignals, type RunningService } from "./listen.ts";

/** `name` is the service's (logger, database application name, printed line); `firstPath` is appended to its URL. */
export async function serveUntilSignalled(
  name: string,
  firstPath: string,
  start: (db: Database, config: Config) => Promise<RunningService>,
): Promise<void> {
  const config = getConfig();
  const db = await openDatabase(config, {
    applicationName: `cosmo-${name}`,
    statementTimeoutMs: config.database.statementTimeoutMs,
  });
  const server = await start(db, config);
  process.stdout.write(`${name}: ${server.url}${firstPath}\n`);
  closeOnSignals(async () => {
    await server.close();
    await db.close();
  }, childLogger(name));
}
