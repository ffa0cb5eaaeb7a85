// The embedded S3-protocol server process: s3rver on a directory, loopback only, signed requests only.
// Started detached by core/embedded-s3.ts; writes {pid, port, signed} to <dir>/server.json once listening.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import S3rver from "s3rver";
import { type S3Keys, signatureProblem } from "./s3-auth.ts";

interface AccountLike {
  createKeyPair(id: string, secret: string): void;
  revokeAccessKey(id: string): void;
}

const dir = process.argv[2];
if (!dir) {
  console.error("usage: s3-daemon <dir> [port]");
  process.exit(2);
}
const keys = JSON.parse(readFileSync(join(dir, "credentials.json"), "utf8")) as S3Keys;
// s3rver looks the access key of each request up in its account registry: ours replaces its built-in one.
const { DUMMY_ACCOUNT: account } = createRequire(import.meta.url)("s3rver/lib/models/account.js") as {
  DUMMY_ACCOUNT: AccountLike;
};
account.revokeAccessKey("S3RVER");
account.createKeyPair(keys.accessKey, keys.secretKey);

mkdirSync(join(dir, "objects"), { recursive: true });
const server = new S3rver({
  address: "127.0.0.1",
  port: Number(process.argv[3] ?? 0),
  directory: join(dir, "objects"),
  silent: true,
  // Path-style requests only (the minio client is set up so); vhost parsing would misread 127.0.0.1.
  vhostBuckets: false,
});
type Ctx = {
  method: string;
  req: { url?: string; headers: import("node:http").IncomingHttpHeaders };
  status: number;
  type: string;
  body: unknown;
};
// First in the chain: nothing reaches s3rver's routes without a valid signature by our key pair.
(server as unknown as { middleware: ((ctx: Ctx, next: () => Promise<void>) => Promise<void>)[] }).middleware.unshift(
  async (ctx, next) => {
    const problem = signatureProblem(
      { method: ctx.method, rawUrl: ctx.req.url ?? "/", headers: ctx.req.headers },
      keys,
    );
    if (problem === null) return next();
    ctx.status = 403;
    ctx.type = "application/xml";
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${problem}</Message></Error>`;
  },
);
const info = (await server.run()) as { port: number };
const tmp = join(dir, `server.json.${process.pid}`);
writeFileSync(tmp, JSON.stringify({ pid: process.pid, port: info.port, signed: true }));
renameSync(tmp, join(dir, "server.json"));
const stop = () => server.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
