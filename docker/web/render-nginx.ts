// Build step of the web image: renders the explorer's nginx templates (explorer/nginx/render.ts, the one
// source of the nginx config) into envsubst templates. What is only known at deploy time — the API and tiles
// Service addresses, the port, where the dashboard files are, extra CSP origins — is rendered as a sentinel
// and turned into a ${COSMO_…} variable that docker/web/entrypoint.sh fills at container start (envsubst is
// given that variable list only, so nginx's own $uri, $host… stay as they are).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderNginx } from "../../explorer/nginx/render.ts";

// Usage: tsx docker/web/render-nginx.ts OUT_DIR [RUN_DIR] [DIST_DIR] (the defaults are the image's paths;
// the tests render into temporary folders and run the result with the host's nginx).
const [out, RUN_DIR = "/tmp/nginx", DIST_DIR = "/usr/share/cosmo/www"] = process.argv.slice(2);
if (!out) {
  console.error("usage: render-nginx.ts OUT_DIR [RUN_DIR] [DIST_DIR]");
  process.exit(2);
}

const files = renderNginx({
  prefix: RUN_DIR,
  listenHost: "0.0.0.0",
  port: 65001,
  distDir: DIST_DIR,
  dataDir: `${RUN_DIR}/data`,
  apiUrl: "http://cosmo-api.invalid:65002/",
  tilesUrl: "http://cosmo-tiles.invalid:65003/",
  cspHosts: ["https://csp-extra.invalid"],
  // Sized at start by nginx itself for the machine (or the container's CPUs) it runs on.
  workers: "auto",
});

/** Replaces a sentinel that must be there: a template change that drops it fails the image build loudly. */
function swap(text: string, file: string, sentinel: string, variable: string): string {
  if (!text.includes(sentinel)) throw new Error(`${file}: expected "${sentinel}" in the rendered explorer config`);
  return text.split(sentinel).join(variable);
}

let conf = files["nginx.conf"];
conf = swap(conf, "nginx.conf", "0.0.0.0:65001", "0.0.0.0:${COSMO_WEB_PORT}");
// Container logs: nginx's `stderr` keyword writes to fd 2 itself (opening /dev/stderr fails when it is a socket).
conf = swap(conf, "nginx.conf", `error_log ${RUN_DIR}/logs/error.log`, "error_log stderr");
conf = swap(conf, "nginx.conf", "cosmo-api.invalid:65002", "${COSMO_API_UPSTREAM}");
conf = swap(conf, "nginx.conf", "cosmo-tiles.invalid:65003", "${COSMO_TILES_UPSTREAM}");
// On Kubernetes the dashboard and diff files are objects in the artefact store, not a local folder: /data/
// proxies to a read-only HTTP prefix of it (COSMO_DATA_UPSTREAM). Without one, the local folder stays.
const dataBlock = /location \/data\/ \{[^}]*\}/;
if (!dataBlock.test(conf))
  throw new Error("nginx.conf: no `location /data/ { … }` block in the rendered explorer config");
conf = conf.replace(dataBlock, `include ${RUN_DIR}/data-location.conf;`);
const headers = swap(
  files["security-headers.conf"],
  "security-headers.conf",
  "https://csp-extra.invalid",
  "${COSMO_CSP_HOSTS}",
);

mkdirSync(out, { recursive: true });
writeFileSync(join(out, "nginx.conf.template"), conf);
writeFileSync(join(out, "proxy.conf"), files["proxy.conf"]);
writeFileSync(join(out, "security-headers.conf.template"), headers);
writeFileSync(
  join(out, "data-location-local.conf"),
  `location /data/ {\n    alias ${RUN_DIR}/data/;\n    include ${RUN_DIR}/security-headers.conf;\n    add_header Cache-Control "no-cache" always;\n    autoindex off;\n}\n`,
);
// Its own directives rather than proxy.conf: the store must see its own Host (path-style S3) and no client
// credentials, and only reads get through.
writeFileSync(
  join(out, "data-location-proxy.conf.template"),
  [
    "location /data/ {",
    "    limit_except GET HEAD { deny all; }",
    "    proxy_pass ${COSMO_DATA_UPSTREAM};",
    "    proxy_http_version 1.1;",
    '    proxy_set_header Connection "";',
    "    proxy_set_header Host $proxy_host;",
    '    proxy_set_header Authorization "";',
    '    proxy_set_header Cookie "";',
    "    proxy_hide_header Set-Cookie;",
    "    proxy_connect_timeout 5s;",
    "    proxy_read_timeout 30s;",
    "    error_page 502 504 = @unavailable;",
    `    include ${RUN_DIR}/security-headers.conf;`,
    '    add_header Cache-Control "no-cache" always;',
    "}",
    "",
  ].join("\n"),
);
console.log(`rendered nginx templates into ${out}`);
