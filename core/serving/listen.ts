// Start an Express app on a port (0 = any free port) and stop it gracefully: stop accepting, let in-flight
// requests finish for a grace period, then cut idle keep-alive sockets.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";

/** A started service as its callers see it (api, tiles, web). */
export interface RunningService {
  url: string;
  close(): Promise<void>;
}

export interface Listening {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Answers a request without Express when it can (cache hits); returns false to hand it to Express. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

export async function listen(
  app: Express,
  port: number,
  host = "127.0.0.1",
  opts: { graceMs?: number; fastPath?: FastPath } = {},
): Promise<Listening> {
  const graceMs = opts.graceMs ?? 10_000;
  const fast = opts.fastPath;
  const server = createServer(fast ? (req, res) => fast(req, res) || app(req, res) : app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Slow-loris protection and keep-alive that outlives typical proxies' idle timeouts.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost === "0.0.0.0" ? "127.0.0.1" : shownHost}:${addr.port}`,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** Run `close` once on SIGTERM/SIGINT, then exit. */
export function closeOnSignals(close: () => Promise<void>, log: { info: (o: object, m: string) => void }): void {
  let done = false;
  const handler = (signal: NodeJS.Signals) => {
    if (done) return;
    done = true;
    log.info({ signal }, "shutting down");
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", handler);
  process.once("SIGINT", handler);
}
