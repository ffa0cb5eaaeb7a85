// Helpers for stage CLIs: one place that turns errors into a one-line message and an exit code.
import { InvalidArgumentError } from "commander";
import { exitCodeOf } from "./errors.ts";
import { logger } from "./log.ts";

/** Wrap a commander action: errors print `error: <message>` on stderr and exit with the error's code. */
export function runAction<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`error: ${message.split("\n")[0]}\n`);
      if (process.env.COSMO_DEBUG) logger.error({ err }, "stack");
      process.exitCode = exitCodeOf(err);
      // Pools, servers or workers may still hold the event loop: the error is final, so leave now.
      setImmediate(() => process.exit(process.exitCode));
    }
  };
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
