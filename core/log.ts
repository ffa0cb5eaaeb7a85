// Structured logs (pino) on stderr, so stdout stays free for command output; pretty on a TTY.
import pino, { type Logger } from "pino";

function makeLogger(): Logger {
  const level = process.env.COSMO_LOG_LEVEL ?? process.env.LOG_LEVEL ?? (process.env.VITEST ? "warn" : "info");
  // JSON lines when asked (COSMO_LOG_FORMAT=json or COSMO_LOG_JSON=1, as pods do) or when stderr is not a terminal.
  const json = process.env.COSMO_LOG_FORMAT === "json" || Boolean(process.env.COSMO_LOG_JSON);
  if (process.stderr.isTTY && !json) {
    return pino({
      level,
      transport: { target: "pino-pretty", options: { destination: 2, colorize: true, ignore: "pid,hostname" } },
    });
  }
  return pino({ level, base: { pid: process.pid } }, pino.destination(2));
}

export const logger: Logger = makeLogger();

export function childLogger(name: string): Logger {
  return logger.child({ module: name });
}
