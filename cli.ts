// The one CLI: `cosmo <stage> …`. Each stage folder exports its commander commands from its own cli.ts.
// Only the module of the command asked for is loaded (none for help or an unknown command: the command list
// comes from cli-stages.ts): loading every stage took ~1 s before any work (the workflows stage alone, with its
// Kubernetes models, ~0.8 s), paid by every step of the pipeline.
import { Command, CommanderError, Option } from "commander";
import { COMMAND_SUMMARIES, STAGE_COMMANDS, type StageModule } from "./cli-stages.ts";
import { EXIT_BROKEN_PIPE, exitWith, isBrokenPipe, passesOptionsThrough, reportError } from "./core/cli.ts";
import { EXIT } from "./core/errors.ts";

// Whatever escapes a command (a stream's error event, a rejection nobody awaited) is reported like any other
// error: one line, the exit code, the stack only when debugging. `cosmo datasets | head` ends quietly.
// A closed pipe ends the process at once, as SIGPIPE ends a Unix tool: the writes queued after it would fail too.
process.stdout.on("error", (err) => (isBrokenPipe(err) ? process.exit(EXIT_BROKEN_PIPE) : exitWith(reportError(err))));
process.on("uncaughtException", (err) => process.exit(reportError(err)));
process.on("unhandledRejection", (err) => process.exit(reportError(err)));

const CONFIG_FLAGS = "-c, --config <file>";
const CONFIG_HELP = "YAML config file (default: $COSMO_CONFIG)";

/** Commands that were given the root's -c/--config to take after their name (see settle). */
const takesRootConfig = new WeakSet<Command>();

const program = new Command("cosmo")
  .description(
    "OpenStreetMap administrative zones: extract, import into PostGIS, serve as tiles, JSON API and web explorer",
  )
  .option(CONFIG_FLAGS, CONFIG_HELP)
  // Root options are the root's only before the command name: after it, -c belongs to the command
  // (`cosmo db psql -c "select 1"` runs psql -c).
  .enablePositionalOptions()
  .showHelpAfterError()
  .hook("preAction", (thisCommand, actionCommand) => {
    const own = takesRootConfig.has(actionCommand) ? actionCommand.opts().config : undefined;
    const config = (own ?? thisCommand.opts().config) as string | undefined;
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

/**
 * Usage errors exit 2 (bad input) instead of commander's 1; and `--config` is still taken after a command's name
 * (`cosmo tiles serve -c prod.yaml`) where the command has no -c of its own and does not pass options through.
 */
function settle(command: Command): void {
  command.exitOverride();
  const subcommands = command.commands as Command[];
  if (subcommands.length === 0) {
    const taken = command.options.some((o) => o.short === "-c" || o.long === "--config");
    if (!taken && !passesOptionsThrough(command)) {
      command.addOption(new Option(CONFIG_FLAGS, CONFIG_HELP).hideHelp());
      takesRootConfig.add(command);
    }
  }
  for (const sub of subcommands) settle(sub);
}

const args = process.argv.slice(2);
let asked = commandName(args);
// `cosmo help import` is `cosmo import --help`.
if (asked === "help") asked = commandName(args.slice(args.indexOf("help") + 1));
const only = STAGE_COMMANDS.find((s) => asked !== undefined && s.names.includes(asked));
if (only) for (const c of ((await only.load()) as StageModule).commands()) program.addCommand(c);
settle(program);
if (!only) {
  // Help, no command or an unknown one: the list of commands is all that is shown, from the table, so no stage
  // (nor its dependencies) is loaded for it. They are never run: naming one loads its stage instead.
  for (const name of STAGE_COMMANDS.flatMap((s) => s.names)) {
    program.addCommand(new Command(name).description(COMMAND_SUMMARIES[name] ?? ""));
  }
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has printed its own message (usage error, help, version).
  if (err instanceof CommanderError) exitWith(err.exitCode === 0 ? 0 : EXIT.input);
  else exitWith(reportError(err));
}
