// Where the Argo Server is and who we are: ARGO_SERVER, then ARGO_TOKEN or the kubeconfig's current user.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import YAML from "yaml";
import { ConfigError } from "../../core/errors.ts";

export interface ArgoTarget {
  server: string;
  token: string;
  namespace: string;
  /** Where the token came from, for messages (never the token itself). */
  tokenSource: string;
}

interface KubeConfig {
  "current-context"?: string;
  contexts?: { name: string; context: { user?: string; namespace?: string } }[];
  users?: { name: string; user: { token?: string; tokenFile?: string } }[];
}

function kubeconfigPath(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = env.KUBECONFIG
    ? env.KUBECONFIG.split(delimiter).filter(Boolean)
    : [join(homedir(), ".kube", "config")];
  return candidates.find((p) => existsSync(p));
}

/** Token (and namespace) of the kubeconfig's current context; exec/auth-provider plugins are not run. */
export function kubeconfigCredentials(path: string): { token?: string; namespace?: string; user?: string } {
  const cfg = (YAML.parse(readFileSync(path, "utf8")) ?? {}) as KubeConfig;
  const ctx = cfg.contexts?.find((c) => c.name === cfg["current-context"])?.context;
  const user = cfg.users?.find((u) => u.name === ctx?.user)?.user;
  const token = user?.token ?? (user?.tokenFile ? readFileSync(user.tokenFile, "utf8").trim() : undefined);
  return { token, namespace: ctx?.namespace, user: ctx?.user };
}

export function resolveTarget(
  opts: { server?: string; namespace?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): ArgoTarget {
  const server = (opts.server ?? env.ARGO_SERVER ?? "").replace(/\/+$/, "");
  if (!server)
    throw new ConfigError("no Argo Server: set ARGO_SERVER (e.g. https://argo.example.org:2746) or pass --server");
  const base = /^https?:\/\//.test(server) ? server : `https://${server}`;
  const kube = kubeconfigPath(env);
  const fromKube = kube ? kubeconfigCredentials(kube) : {};
  const envToken = env.ARGO_TOKEN?.replace(/^Bearer\s+/i, "").trim();
  const token = envToken || fromKube.token;
  if (!token) {
    throw new ConfigError(
      `no token for ${base}: set ARGO_TOKEN or use a kubeconfig whose current user has a token${kube ? ` (${kube} has none)` : ""}`,
    );
  }
  return {
    server: base,
    token,
    namespace: opts.namespace ?? env.ARGO_NAMESPACE ?? fromKube.namespace ?? "argo",
    tokenSource: envToken ? "ARGO_TOKEN" : `kubeconfig ${kube} (user ${fromKube.user})`,
  };
}
