// Helpers for stage CLIs: one place that turns errors into a one-line message and an exit code.
import { isAbsolute, relative } from "node:path";
import { inspect } from "node:util";
import { type Command, CommanderError, InvalidArgumentError } from "commander";
import { CosmoError, EXIT, exitCodeOf } from "./errors.ts";
import { logger } from "./log.ts";
import { PROJECT_ROOT } from "./paths.ts";

/** What a Unix tool killed by SIGPIPE reports (128 + 13): its reader went away, nothing is said. */
export const EXIT_BROKEN_PIPE = 141;

export function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
}

/** Stacks are for developers: shown with COSMO_DEBUG=1 or a debug/trace log level. */
function showStacks(): boolean {
  return Boolean(process.env.COSMO_DEBUG) || logger.isLevelEnabled("debug");
}

/**
 * Say what went wrong on one line of stderr and return the exit code. Expected errors (CosmoError: bad input,
 * config, gate, unavailable service) are the message alone; anything else is a bug or an unforeseen failure, said
 * so, with the stack (and causes) only when debugging. A closed output pipe says nothing.
 */
export function reportError(err: unknown): number {
  if (isBrokenPipe(err)) return EXIT_BROKEN_PIPE;
  const message = messageOf(err).split("\n")[0];
  const expected = err instanceof CosmoError || err instanceof CommanderError;
  const where = err instanceof Error ? whereThrown(err) : undefined;
  const hint =
    expected || showStacks() ? "" : ` (unexpected error${where ? ` at ${where}` : ""}; COSMO_DEBUG=1 shows the stack)`;
  process.stderr.write(`error: ${message}${hint}\n`);
  if (showStacks()) process.stderr.write(`${inspect(err, { depth: 4 })}\n`);
  return err instanceof CommanderError ? EXIT.input : exitCodeOf(err);
}

/** What to say: the message, or for an AggregateError without one (a connect to every address of a host) the errors'. */
function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  if (err instanceof AggregateError && err.errors.length)
    return [...new Set(err.errors.map((e) => messageOf(e)))].join("; ");
  return err.name;
}

/** The first project file (not a dependency) on the stack, as path:line: a bug's one line still says where. */
function whereThrown(err: Error): string | undefined {
  for (const frame of err.stack?.split("\n").slice(1) ?? []) {
    const m = /\(?(?:file:\/\/)?([^()\s]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (!m || m[1].startsWith("node:")) continue;
    const file = relative(PROJECT_ROOT, m[1]);
    if (!file.startsWith("..") && !file.startsWith("node_modules") && !isAbsolute(file)) return `${file}:${m[2]}`;
  }
  return undefined;
}

/** Leave with `code` once stderr is written: pools, servers or workers may still hold the event loop. */
export function exitWith(code: number): void {
  process.exitCode = code;
  setImmediate(() => process.exit(code));
}

/** Wrap a commander action: errors print `error: <message>` on stderr and exit with the error's code. */
export function runAction<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      exitWith(reportError(err));
    }
  };
}

const passThrough = new WeakSet<Command>();

/**
 * A command whose options after its name all belong to the program it runs (`cosmo db psql -c "…"`): the root's
 * options (-c/--config) are then only taken before the command name. Its parent must enablePositionalOptions().
 */
export function passOptionsThrough(command: Command): Command {
  passThrough.add(command);
  return command.allowUnknownOption().allowExcessArguments().passThroughOptions();
}

export function passesOptionsThrough(command: Command): boolean {
  return passThrough.has(command);
}

/** Parse `k=v` pairs from repeatable options. */
export function collectPairs(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Parse a positive integer option, with the option's name in the error. */
export function intOption(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name}: expected a non-negative integer, got "${value}"`);
    return n;
  };
}
