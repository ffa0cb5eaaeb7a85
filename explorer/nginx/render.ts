// Renders the nginx config templates of this folder for one instance (ports, paths, CSP hosts). Pure apart
// from reading the templates, so the tests can check the text and `nginx -t` it.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ConfigError } from "../../core/errors.ts";

export interface NginxSettings {
  /** Instance directory: pid, logs, temp dirs and the rendered files live here. */
  prefix: string;
  listenHost: string;
  port: number;
  distDir: string;
  dataDir: string;
  apiUrl: string;
  tilesUrl: string;
  /** Map /api/ to the API's old response shapes (`/compat/…`) for clients of the old explorer. */
  apiCompat?: boolean;
  /** Extra origins allowed by the CSP (basemap style, its tiles, glyphs and sprites). */
  cspHosts?: string[];
  /** nginx worker processes: a number or "auto" (default: the cores this process may use). */
  workers?: number | "auto";
  /** Connections per worker, clients and upstreams together (default 8192). */
  workerConnections?: number;
  /** Requests in progress passed to each service; beyond, nginx answers 503 itself (default 128). */
  serviceConcurrency?: number;
  proxyTimeoutSeconds?: number;
  runningAsRoot?: boolean;
}

/** Per worker: a flood of 1000+ clients and the upstream connections they use fit with room to spare. */
const DEFAULT_WORKER_CONNECTIONS = 8192;
/** The services' default maxInFlight + queue (64 + 64): what one admits before it answers 503 itself. */
const DEFAULT_SERVICE_CONCURRENCY = 128;

const TEMPLATES = ["nginx.conf", "proxy.conf", "security-headers.conf"] as const;
export type RenderedFiles = Record<(typeof TEMPLATES)[number], string>;

function template(name: string): string {
  return readFileSync(new URL(`./${name}.template`, import.meta.url), "utf8");
}

/** host:port of a service URL, and its path as the proxy root ("/" unless the service sits under a path). */
export function upstreamOf(url: string, what: string): { server: string; path: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${what} URL is not a URL: "${url}"`);
  }
  if (u.protocol !== "http:")
    throw new ConfigError(`${what} URL must be http:// (nginx proxies to local services), got "${url}"`);
  const port = u.port || "80";
  const host = u.hostname.startsWith("[") ? u.hostname : u.hostname;
  return { server: `${host}:${port}`, path: u.pathname.endsWith("/") ? u.pathname : `${u.pathname}/` };
}

/** An origin fit for a CSP source list; rejects anything that could break out of the header value. */
export function cspOrigin(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(`CSP host is not a URL: "${value}"`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new ConfigError(`CSP host must be http(s): "${value}"`);
  return u.origin;
}

export function contentSecurityPolicy(hosts: string[]): string {
  const extra = [...new Set(hosts.map(cspOrigin))].join(" ");
  const withHosts = (base: string) => (extra ? `${base} ${extra}` : base);
  return [
    "default-src 'self'",
    "script-src 'self'",
    withHosts("style-src 'self'"),
    withHosts("img-src 'self' data: blob:"),
    withHosts("connect-src 'self'"),
    withHosts("font-src 'self'"),
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function fill(text: string, values: Record<string, string>, name: string): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`${name}.template: no value for {{${key}}}`);
    return v;
  });
}

function checkPath(p: string, what: string): string {
  // Paths go into the config unquoted: refuse characters nginx would read as syntax.
  if (/[\s;{}"'#$]/.test(p))
    throw new ConfigError(`${what} path contains a character nginx cannot take unquoted: "${p}"`);
  return p.replace(/\/+$/, "") || "/";
}

export function renderNginx(s: NginxSettings): RenderedFiles {
  const api = upstreamOf(s.apiUrl, "API");
  const tiles = upstreamOf(s.tilesUrl, "tiles");
  const apiRoot = s.apiCompat ? `${api.path}compat/` : api.path;
  const listenHost = s.listenHost.includes(":") ? `[${s.listenHost}]` : s.listenHost;
  const timeout = `${s.proxyTimeoutSeconds ?? 60}s`;
  const workerConnections = s.workerConnections ?? DEFAULT_WORKER_CONNECTIONS;
  const values: Record<string, string> = {
    USER_LINE: s.runningAsRoot ? "user root;  # running as root: workers need the same access to the prefix" : "",
    WORKERS: String(s.workers ?? availableParallelism()),
    WORKER_CONNECTIONS: String(workerConnections),
    // Each connection is a descriptor; room for the log and temp files on top.
    RLIMIT_NOFILE: String(workerConnections * 2 + 1024),
    SERVICE_CONCURRENCY: String(s.serviceConcurrency ?? DEFAULT_SERVICE_CONCURRENCY),
    RETRY_AFTER: "1",
    PREFIX: checkPath(s.prefix, "nginx prefix"),
    CONF_DIR: checkPath(s.prefix, "nginx prefix"),
    LISTEN: `${listenHost}:${s.port}`,
    DIST_DIR: checkPath(s.distDir, "explorer dist"),
    DATA_DIR: checkPath(s.dataDir, "data"),
    API_UPSTREAM: api.server,
    TILES_UPSTREAM: tiles.server,
    API_ROOT: apiRoot,
    CSP: contentSecurityPolicy(s.cspHosts ?? []),
    PROXY_TIMEOUT: timeout,
    PROXY_CONNECT_TIMEOUT: "5s",
  };
  const out = {} as RenderedFiles;
  for (const name of TEMPLATES) out[name] = fill(template(name), values, name);
  return out;
}

/** Static mode (`cosmo web --static`): the app and one PMTiles archive, no upstream services. */
export interface StaticNginxSettings {
  prefix: string;
  listenHost: string;
  port: number;
  distDir: string;
  dataDir: string;
  /** The local archive file served at /zones.pmtiles. */
  archive: string;
  cspHosts?: string[];
  workers?: number | "auto";
  runningAsRoot?: boolean;
}

export type RenderedStaticFiles = { "nginx.conf": string; "security-headers.conf": string };

export function renderStaticNginx(s: StaticNginxSettings): RenderedStaticFiles {
  const listenHost = s.listenHost.includes(":") ? `[${s.listenHost}]` : s.listenHost;
  const values: Record<string, string> = {
    USER_LINE: s.runningAsRoot ? "user root;  # running as root: workers need the same access to the prefix" : "",
    WORKERS: String(s.workers ?? availableParallelism()),
    PREFIX: checkPath(s.prefix, "nginx prefix"),
    CONF_DIR: checkPath(s.prefix, "nginx prefix"),
    LISTEN: `${listenHost}:${s.port}`,
    DIST_DIR: checkPath(s.distDir, "explorer dist"),
    DATA_DIR: checkPath(s.dataDir, "data"),
    ARCHIVE: checkPath(s.archive, "tile archive"),
    CSP: contentSecurityPolicy(s.cspHosts ?? []),
  };
  return {
    "nginx.conf": fill(template("static.conf"), values, "static.conf"),
    "security-headers.conf": fill(template("security-headers.conf"), values, "security-headers.conf"),
  };
}
