// The one CLI: `cosmo <stage> …`. Each stage folder exports its commander command from its own cli.ts.
import { Command } from "commander";
import { commands as apiCommands } from "./api/cli.ts";
import { commands as coreCommands } from "./core/cli-commands.ts";
import { commands as dashboardCommands } from "./dashboard/cli.ts";
import { commands as webCommands } from "./explorer/cli.ts";
import { commands as extractorCommands } from "./extractor/cli.ts";
import { commands as importerCommands } from "./importer/cli.ts";
import { commands as tilesCommands } from "./tiles/cli.ts";
import { commands as workflowsCommands } from "./workflows/cli.ts";

const program = new Command("cosmo")
  .description(
    "OpenStreetMap administrative zones: extract, import into PostGIS, serve as tiles, JSON API and web explorer",
  )
  .option("-c, --config <file>", "YAML config file (default: $COSMO_CONFIG)")
  .showHelpAfterError()
  .hook("preAction", (thisCommand) => {
    const config = thisCommand.opts().config as string | undefined;
    if (config) process.env.COSMO_CONFIG = config;
  });

for (const c of [
  ...extractorCommands(),
  ...importerCommands(),
  ...dashboardCommands(),
  ...tilesCommands(),
  ...apiCommands(),
  ...webCommands(),
  ...workflowsCommands(),
  ...coreCommands(),
]) {
  program.addCommand(c);
}

await program.parseAsync(process.argv);
