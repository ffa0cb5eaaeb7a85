// The static-file peer for cached tiles: nginx serving the very same gzip tile bytes from disk, one worker
// process like the one Node process of the tile server.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./services.ts";
import { OUT } from "./setup.ts";

export async function startStaticNginx(root: string): Promise<{ url: string; stop(): void }> {
  const dir = join(OUT, "nginx");
  mkdirSync(join(dir, "logs"), { recursive: true });
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location /tiles/ {
      default_type application/vnd.mapbox-vector-tile;
      add_header Content-Encoding gzip;
      etag on;
    }
  }
}
`,
  );
  const check = spawnSync("nginx", ["-t", "-c", conf, "-p", dir], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t failed: ${check.stderr}`);
  const child = spawn("nginx", ["-c", conf, "-p", dir], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (
      await fetch(`${url}/`)
        .then(() => true)
        .catch(() => false)
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => child.kill("SIGTERM") };
}

export function writeTileFile(root: string, path: string, gz: Buffer): void {
  const file = join(root, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, gz);
}
