// The one CLI: `cosmo <stage> …`. Each stage folder exports its commander commands from its own cli.ts.
// Only the module of the command asked for is loaded (all of them for help or an unknown command): loading
// every stage took ~1 s before any work (the workflows stage alone, with its Kubernetes models, ~0.8 s), paid by
// every step of the pipeline.
import { Command } from "commander";
import { STAGE_COMMANDS, type StageModule } from "./cli-stages.ts";

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

/** The first argument that is not a global option (or its value): the command's name. */
function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-c" || a === "--config") i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

const asked = commandName(process.argv.slice(2));
const only = STAGE_COMMANDS.find((s) => asked !== undefined && s.names.includes(asked));
for (const stage of only ? [only] : STAGE_COMMANDS) {
  const mod = (await stage.load()) as StageModule;
  for (const c of mod.commands()) program.addCommand(c);
}

await program.parseAsync(process.argv);
