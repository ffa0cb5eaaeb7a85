// Where the Argo Server is and who we are. The server is ARGO_SERVER (or --server); the credentials and the TLS
// trust come from the kubeconfig through @kubernetes/client-node's KubeConfig (tokens, exec plugins, client
// certificates, CA bundles, insecure-skip-tls-verify), ARGO_TOKEN overriding its token, and flags overriding its
// files. `--auth-mode server` is for an Argo Server started with --auth-mode=server: it sends no token at all.
import { existsSync, readFileSync } from "node:fs";
import { Agent } from "node:https";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { rootCertificates } from "node:tls";
import type { KubeConfig } from "@kubernetes/client-node";
import YAML from "yaml";
import { ConfigError } from "../../core/errors.ts";

export const AUTH_MODES = ["client", "server"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface ArgoTarget {
  server: string;
  namespace: string;
  authMode: AuthMode;
  /** Where the credentials came from, for messages (never the secret itself). */
  credentialSource: string;
  /** The Authorization header for the next request (exec plugins re-run once their credential expires). */
  authorization(): Promise<string | undefined>;
  /** TLS to the server: extra CAs, client certificate, skip-verify; undefined for http:// servers. */
  agent?: Agent;
}

export interface TargetOptions {
  server?: string;
  namespace?: string;
  authMode?: string;
  kubeconfig?: string;
  context?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
}

function kubeconfigPaths(opts: TargetOptions, env: NodeJS.ProcessEnv): string[] {
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new ConfigError(`--kubeconfig ${opts.kubeconfig}: no such file`);
    return [opts.kubeconfig];
  }
  const candidates = env.KUBECONFIG
    ? env.KUBECONFIG.split(delimiter).filter(Boolean)
    : [join(homedir(), ".kube", "config")];
  return candidates.filter((p) => existsSync(p));
}

/** One kubeconfig file; `tokenFile` (kubectl's spelling) is passed on as the `token-file` client-node reads. */
async function loadKubeconfig(path: string): Promise<KubeConfig> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  try {
    const doc = YAML.parse(readFileSync(path, "utf8")) ?? {};
    for (const u of doc.users ?? []) {
      if (u?.user?.tokenFile && !u.user["token-file"]) u.user["token-file"] = u.user.tokenFile;
    }
    kc.loadFromString(JSON.stringify(doc));
    kc.makePathsAbsolute(dirname(path));
  } catch (err) {
    throw new ConfigError(`kubeconfig ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  return kc;
}

async function loadKubeconfigs(paths: string[], context?: string): Promise<KubeConfig | undefined> {
  if (!paths.length) {
    if (context) throw new ConfigError(`--context ${context}: no kubeconfig found (set KUBECONFIG or --kubeconfig)`);
    return undefined;
  }
  const kc = await loadKubeconfig(paths[0]!);
  for (const p of paths.slice(1)) kc.mergeConfig(await loadKubeconfig(p), true);
  if (context) {
    if (!kc.getContextObject(context))
      throw new ConfigError(`--context ${context}: no such context in ${paths.join(delimiter)}`);
    kc.setCurrentContext(context);
  }
  return kc;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function fileOrData(file: string | undefined, data: string | undefined, what: string): Buffer | undefined {
  if (file) return readPem(file, what);
  return data ? Buffer.from(data, "base64") : undefined;
}

/** The TLS side: the kubeconfig's cluster CA is added to the system roots (a public certificate still verifies). */
function tlsAgent(opts: TargetOptions, env: NodeJS.ProcessEnv, kc: KubeConfig | undefined): Agent {
  const cluster = kc?.getCurrentCluster();
  const user = kc?.getCurrentUser();
  const ca = opts.certificateAuthority
    ? readPem(opts.certificateAuthority, "--certificate-authority")
    : fileOrData(cluster?.caFile, cluster?.caData, `kubeconfig cluster ${cluster?.name} certificate-authority`);
  const cert = opts.clientCertificate
    ? readPem(opts.clientCertificate, "--client-certificate")
    : fileOrData(user?.certFile, user?.certData, `kubeconfig user ${user?.name} client-certificate`);
  const key = opts.clientKey
    ? readPem(opts.clientKey, "--client-key")
    : fileOrData(user?.keyFile, user?.keyData, `kubeconfig user ${user?.name} client-key`);
  if (!!cert !== !!key)
    throw new ConfigError(
      `a client certificate needs both its certificate and its key (got only the ${cert ? "certificate" : "key"})`,
    );
  const skipVerify =
    !!opts.insecureSkipTlsVerify || env.ARGO_INSECURE_SKIP_VERIFY === "true" || !!cluster?.skipTLSVerify;
  return new Agent({
    keepAlive: true,
    ...(ca ? { ca: [...rootCertificates, ca.toString("utf8")] } : {}),
    ...(cert && key ? { cert, key } : {}),
    ...(cluster?.tlsServerName ? { servername: cluster.tlsServerName } : {}),
    rejectUnauthorized: !skipVerify,
  });
}

/**
 * The current user alone, with a stand-in cluster: client-node builds an agent for the context's cluster while it
 * resolves credentials and refuses an http:// one (`kubectl proxy`), which is not where we send them anyway.
 */
async function userOnly(kc: KubeConfig): Promise<KubeConfig> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const user = kc.getCurrentUser();
  const alone = new KubeConfig();
  if (user)
    alone.loadFromClusterAndUser(
      { name: "argo-server", server: "https://argo-server.invalid", skipTLSVerify: false },
      user,
    );
  return alone;
}

/** The kubeconfig user's Authorization header (token, token file, exec plugin, auth provider), if it has one. */
async function kubeAuthorization(kc: KubeConfig): Promise<string | undefined> {
  const o: { headers?: Record<string, string> } = {};
  try {
    await kc.applyToHTTPSOptions(o);
  } catch (err) {
    const user = kc.getCurrentUser();
    const how = user?.exec?.command ? `exec plugin \`${user.exec.command}\`` : "credentials";
    throw new ConfigError(
      `kubeconfig user ${user?.name}: ${how} failed: ${
        String((err as Error).message ?? err)
          .trim()
          .split("\n")[0]
      }`,
    );
  }
  return o.headers?.Authorization;
}

export async function resolveTarget(
  opts: TargetOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ArgoTarget> {
  const server = (opts.server ?? env.ARGO_SERVER ?? "").replace(/\/+$/, "");
  if (!server)
    throw new ConfigError("no Argo Server: set ARGO_SERVER (e.g. https://argo.example.org:2746) or pass --server");
  const base = /^https?:\/\//.test(server) ? server : `https://${server}`;
  const authMode = (opts.authMode ?? env.ARGO_AUTH_MODE ?? "client") as AuthMode;
  if (!AUTH_MODES.includes(authMode))
    throw new ConfigError(`--auth-mode ${authMode}: must be one of ${AUTH_MODES.join(", ")}`);
  const paths = kubeconfigPaths(opts, env);
  const kc = await loadKubeconfigs(paths, opts.context);
  const ctx = kc?.getContextObject(kc.getCurrentContext());
  const target = {
    server: base,
    namespace: opts.namespace ?? env.ARGO_NAMESPACE ?? ctx?.namespace ?? "argo",
    authMode,
    ...(base.startsWith("https://") ? { agent: tlsAgent(opts, env, kc) } : {}),
  };
  if (authMode === "server")
    return { ...target, credentialSource: "none (--auth-mode server)", authorization: async () => undefined };
  const envToken = env.ARGO_TOKEN?.replace(/^Bearer\s+/i, "").trim();
  if (envToken) return { ...target, credentialSource: "ARGO_TOKEN", authorization: async () => `Bearer ${envToken}` };
  // Resolved once now so a missing or broken credential fails before anything is sent.
  const credentials = kc ? await userOnly(kc) : undefined;
  const first = credentials ? await kubeAuthorization(credentials) : undefined;
  if (!kc || !credentials || !first) {
    throw new ConfigError(
      `no token for ${base}: set ARGO_TOKEN, use a kubeconfig whose current user has a token or an exec plugin${
        paths.length ? ` (${paths.join(delimiter)}: user ${kc?.getCurrentUser()?.name} has none)` : ""
      }, or pass --auth-mode server for an Argo Server run with --auth-mode=server`,
    );
  }
  return {
    ...target,
    credentialSource: `kubeconfig ${paths.join(delimiter)} (user ${kc.getCurrentUser()?.name})`,
    authorization: () => kubeAuthorization(credentials),
  };
}
