// The embedded S3-protocol server for when no S3 endpoint is configured: a detached s3rver process on a
// directory, started once and reused by every later process (like the embedded PostgreSQL), always on the port
// chosen the first time (<dir>/port) so that running services find it again after a restart. It answers only
// requests signed with the key pair generated for the directory (<dir>/credentials.json, mode 0600).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { CosmoError, EXIT } from "./errors.ts";
import { processAlive as alive, withLock } from "./lock.ts";
import { childLogger } from "./log.ts";
import { stablePort } from "./ports.ts";
import type { S3Keys } from "./s3-auth.ts";

const log = childLogger("embedded-s3");

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  pid: number;
  started: boolean;
  keys: S3Keys;
}

/** The directory's key pair, generated on first use; the file is kept readable by its owner only. */
export function embeddedS3Keys(dir: string): S3Keys {
  const file = join(dir, "credentials.json");
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const keys: S3Keys = { accessKey: randomBytes(10).toString("hex"), secretKey: randomBytes(24).toString("hex") };
    writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return JSON.parse(readFileSync(file, "utf8")) as S3Keys;
}

function readServerInfo(dir: string): { pid: number; port: number; signed?: boolean } | null {
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
  if (!info || !alive(info.pid)) return null;
  if (!info.signed) {
    // Started by older cosmo: it answers unsigned requests. Replace it by one that checks signatures.
    log.warn({ dir, pid: info.pid }, "embedded S3 server accepts unsigned requests: restarting it with a key pair");
    await stopEmbeddedS3(dir);
    return null;
  }
  if (await portOpen(info.port)) return info;
  return null;
}

export async function ensureEmbeddedS3(dir: string): Promise<EmbeddedS3> {
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, ".lock"), async () => {
    const keys = embeddedS3Keys(dir);
    const running = await reusable(dir);
    if (running) return { endpoint: `http://127.0.0.1:${running.port}`, ...running, started: false, keys };
    rmSync(join(dir, "server.json"), { force: true });
    const port = await stablePort(dir, "embedded S3 server");
    const daemon = fileURLToPath(new URL("./s3-daemon.ts", import.meta.url));
    const logFd = openSync(join(dir, "server.log"), "a");
    const child = spawn(process.execPath, ["--import", "tsx", daemon, dir, String(port)], {
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
        return { endpoint: `http://127.0.0.1:${info.port}`, ...info, started: true, keys };
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
