// The embedded S3-protocol server for when no S3 endpoint is configured: a detached s3rver process on a
// directory, started once and reused by every later process (like the embedded PostgreSQL).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { CosmoError, EXIT } from "./errors.ts";
import { processAlive as alive, withLock } from "./lock.ts";
import { childLogger } from "./log.ts";

const log = childLogger("embedded-s3");
/** s3rver's built-in development key pair (not a secret: the server only listens on loopback). */
export const EMBEDDED_S3_KEYS = { accessKey: "S3RVER", secretKey: "S3RVER" };

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  pid: number;
  started: boolean;
}

function readServerInfo(dir: string): { pid: number; port: number } | null {
  try {
    return JSON.parse(readFileSync(join(dir, "server.json"), "utf8"));
  } catch {
    return null;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

async function reusable(dir: string): Promise<{ pid: number; port: number } | null> {
  const info = readServerInfo(dir);
  if (info && alive(info.pid) && (await portOpen(info.port))) return info;
  return null;
}

export async function ensureEmbeddedS3(dir: string): Promise<EmbeddedS3> {
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, ".lock"), async () => {
    const running = await reusable(dir);
    if (running) return { endpoint: `http://127.0.0.1:${running.port}`, ...running, started: false };
    rmSync(join(dir, "server.json"), { force: true });
    const daemon = fileURLToPath(new URL("./s3-daemon.ts", import.meta.url));
    const logFd = openSync(join(dir, "server.log"), "a");
    const child = spawn(process.execPath, ["--import", "tsx", daemon, dir], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      cwd: fileURLToPath(new URL("..", import.meta.url)),
    });
    child.unref();
    log.info({ dir, pid: child.pid }, "starting embedded S3 server");
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const info = readServerInfo(dir);
      if (info && (await portOpen(info.port)))
        return { endpoint: `http://127.0.0.1:${info.port}`, ...info, started: true };
      if (child.exitCode !== null) break;
      await sleep(50);
    }
    throw new CosmoError(`embedded S3 server did not start (see ${join(dir, "server.log")})`, {
      exitCode: EXIT.unavailable,
    });
  });
}

export async function stopEmbeddedS3(dir: string): Promise<boolean> {
  const info = readServerInfo(dir);
  if (!info || !alive(info.pid)) return false;
  process.kill(info.pid, "SIGTERM");
  for (let i = 0; i < 100 && alive(info.pid); i++) await sleep(50);
  if (existsSync(join(dir, "server.json"))) rmSync(join(dir, "server.json"), { force: true });
  return true;
}

export function embeddedS3Status(dir: string): { running: boolean; port: number | null } {
  const info = readServerInfo(dir);
  return info && alive(info.pid) ? { running: true, port: info.port } : { running: false, port: null };
}
