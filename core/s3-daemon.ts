// The embedded S3-protocol server process: s3rver on a directory, loopback only.
// Started detached by core/embedded-s3.ts; writes {pid, port} to <dir>/server.json once listening.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import S3rver from "s3rver";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: s3-daemon <dir> [port]");
  process.exit(2);
}
mkdirSync(join(dir, "objects"), { recursive: true });
const server = new S3rver({
  address: "127.0.0.1",
  port: Number(process.argv[3] ?? 0),
  directory: join(dir, "objects"),
  silent: true,
  // Path-style requests only (the minio client is set up so); vhost parsing would misread 127.0.0.1.
  vhostBuckets: false,
});
const info = (await server.run()) as { port: number };
const tmp = join(dir, `server.json.${process.pid}`);
writeFileSync(tmp, JSON.stringify({ pid: process.pid, port: info.port }));
renameSync(tmp, join(dir, "server.json"));
const stop = () => server.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
