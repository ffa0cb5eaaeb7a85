// Error classes with exit codes: the root CLI (core/cli.ts reportError) prints `error: <message>` on one line and
// exits with `exitCode`. A CosmoError is an expected failure, so its message must say what is wrong and where (file,
// line, object, setting) on one line: no stack is shown for it unless debugging. Anything else exits 1 as unexpected.

export const EXIT = { crash: 1, input: 2, gateRefused: 3, config: 4, unavailable: 5 } as const;

export class CosmoError extends Error {
  readonly exitCode: number;
  constructor(message: string, opts: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "CosmoError";
    this.exitCode = opts.exitCode ?? EXIT.crash;
  }
}

export interface InputPosition {
  file?: string;
  line?: number;
  offset?: number;
  /** The object at fault, e.g. "zone #12 (relation:407489)". */
  object?: string;
}

/** Bad input: the message names the file and the position (line, byte offset or object). */
export class InputError extends CosmoError {
  readonly position: InputPosition;
  constructor(message: string, position: InputPosition = {}, opts: { cause?: unknown } = {}) {
    super(formatPosition(position) + message, { exitCode: EXIT.input, cause: opts.cause });
    this.name = "InputError";
    this.position = position;
  }
}

function formatPosition(p: InputPosition): string {
  const parts: string[] = [];
  if (p.file) parts.push(p.file);
  if (p.line !== undefined) parts.push(`line ${p.line}`);
  if (p.offset !== undefined) parts.push(`byte ${p.offset}`);
  if (p.object) parts.push(p.object);
  return parts.length ? `${parts.join(": ")}: ` : "";
}

/** The publish gate refused a dataset: distinct exit code so pipelines can tell it from a crash. */
export class GateRefusedError extends CosmoError {
  readonly failures: { rule: string; message: string }[];
  constructor(message: string, failures: { rule: string; message: string }[] = []) {
    super(message, { exitCode: EXIT.gateRefused });
    this.name = "GateRefusedError";
    this.failures = failures;
  }
}

export class ConfigError extends CosmoError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.config });
    this.name = "ConfigError";
  }
}

export function exitCodeOf(err: unknown): number {
  return err instanceof CosmoError ? err.exitCode : EXIT.crash;
}
