// Argo Server client: submit a WorkflowTemplate (`argo submit --from workflowtemplate/NAME`), then follow the
// workflow. Request and response types come from the generated Argo OpenAPI types; requests are built by
// openapi-fetch and sent by node-fetch, whose https.Agent carries the target's TLS (CA, client certificate).
import { Readable } from "node:stream";
import nodeFetch from "node-fetch";
import createClient from "openapi-fetch";
import { ConfigError, CosmoError, EXIT } from "../../core/errors.ts";
import type { ArgoPaths, NodeStatus, SubmitRequest, Workflow } from "./argo-paths.ts";
import type { ArgoTarget } from "./auth.ts";

export type ArgoClient = ReturnType<typeof createClient<ArgoPaths>>;

/** Sends one request to the target: its current Authorization header, its TLS agent, the body streamed back. */
export async function argoFetch(target: ArgoTarget, req: Request): Promise<Response> {
  const headers = Object.fromEntries(req.headers);
  const authorization = await target.authorization();
  if (authorization) headers.authorization = authorization;
  const res = await nodeFetch(req.url, {
    method: req.method,
    headers,
    body: req.body ? Buffer.from(await req.arrayBuffer()) : undefined,
    agent: target.agent,
  });
  const body = [204, 304].includes(res.status) ? null : (Readable.toWeb(res.body as Readable) as ReadableStream);
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: Object.entries(res.headers.raw()).flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v])),
  });
}

export function argoClient(target: ArgoTarget): ArgoClient {
  return createClient<ArgoPaths>({ baseUrl: target.server, fetch: (req) => argoFetch(target, req) });
}

export interface SubmitOptions {
  namespace: string;
  template: string;
  parameters?: Record<string, string>;
  labels?: Record<string, string>;
  generateName?: string;
  entryPoint?: string;
}

export function submitRequest(o: SubmitOptions): SubmitRequest {
  const labels = Object.entries(o.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return {
    namespace: o.namespace,
    resourceKind: "WorkflowTemplate",
    resourceName: o.template,
    submitOptions: {
      generateName: o.generateName ?? `${o.template}-`,
      parameters: Object.entries(o.parameters ?? {}).map(([k, v]) => `${k}=${v}`),
      // One comma-separated string, as the API wants it.
      ...(labels ? { labels } : {}),
      ...(o.entryPoint ? { entryPoint: o.entryPoint } : {}),
    },
  };
}

/** One-line errors that say what to do, by status: 401/403 token, 404 template, 409 conflict. */
function apiError(
  what: string,
  status: number,
  body: unknown,
  o: { server: string; namespace: string; template?: string },
): CosmoError {
  const detail = (body as { message?: string } | undefined)?.message ?? "";
  switch (status) {
    case 401:
      return new CosmoError(
        `${what}: Argo Server ${o.server} refused the token (401 Unauthorized): set ARGO_TOKEN to a valid service-account token (or --auth-mode server if the server runs with --auth-mode=server)`,
        { exitCode: EXIT.config },
      );
    case 403:
      return new CosmoError(
        `${what}: forbidden in namespace ${o.namespace} (403): the token's service account lacks RBAC for workflows${detail ? `: ${detail}` : ""}`,
        { exitCode: EXIT.config },
      );
    case 404:
      return new CosmoError(
        o.template
          ? `${what}: WorkflowTemplate ${o.template} not found in namespace ${o.namespace} (404): install the chart (or \`kubectl apply -f chart/files/workflows\`)`
          : `${what}: not found in namespace ${o.namespace} (404)${detail ? `: ${detail}` : ""}`,
        { exitCode: EXIT.input },
      );
    case 409:
      return new CosmoError(`${what}: conflict (409): ${detail || "a workflow with that name already exists"}`, {
        exitCode: EXIT.input,
      });
    default:
      return new CosmoError(`${what}: Argo Server answered ${status}${detail ? `: ${detail}` : ""}`, {
        exitCode: status >= 500 ? EXIT.unavailable : EXIT.crash,
      });
  }
}

/** Node's codes for a certificate chain or name it will not accept: a configuration fault, not an outage. */
const TLS_TRUST_ERRORS = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

async function call<T>(
  what: string,
  server: string,
  fn: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  ctx: { namespace: string; template?: string },
): Promise<T> {
  let res: { data?: T; error?: unknown; response: Response };
  try {
    res = await fn();
  } catch (err) {
    if (err instanceof CosmoError) throw err;
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.code ?? e.cause?.code;
    if (code && TLS_TRUST_ERRORS.has(code))
      throw new ConfigError(
        `${what}: Argo Server ${server}'s certificate is not trusted (${code}): give its CA with --certificate-authority or the kubeconfig cluster's certificate-authority (or --insecure-skip-tls-verify)`,
      );
    throw new CosmoError(`${what}: Argo Server ${server} unreachable (${code ?? e.cause?.message ?? e.message})`, {
      exitCode: EXIT.unavailable,
    });
  }
  if (!res.response.ok || res.data === undefined)
    throw apiError(what, res.response.status, res.error, { server, ...ctx });
  return res.data;
}

export async function submitWorkflow(client: ArgoClient, target: ArgoTarget, o: SubmitOptions): Promise<Workflow> {
  return call(
    `submit ${o.template}`,
    target.server,
    () =>
      client.POST("/api/v1/workflows/{namespace}/submit", {
        params: { path: { namespace: o.namespace } },
        body: submitRequest(o),
      }),
    { namespace: o.namespace, template: o.template },
  );
}

export async function getWorkflow(
  client: ArgoClient,
  target: ArgoTarget,
  namespace: string,
  name: string,
): Promise<Workflow> {
  return call(
    `get workflow ${name}`,
    target.server,
    () => client.GET("/api/v1/workflows/{namespace}/{name}", { params: { path: { namespace, name } } }),
    { namespace },
  );
}

export const TERMINAL = new Set(["Succeeded", "Failed", "Error"]);

/**
 * Polls until the workflow reaches a terminal phase; `onUpdate` sees every new status. A watch lasts as long as
 * the pipeline (hours): an Argo Server briefly unreachable or answering 5xx (a restart, a rollout) is polled
 * again, up to `maxUnavailable` times in a row (`onRetry` is told), before the watch gives up with exit 5.
 */
export async function watchWorkflow(
  client: ArgoClient,
  target: ArgoTarget,
  namespace: string,
  name: string,
  opts: {
    intervalMs?: number;
    onUpdate?: (wf: Workflow) => void;
    onRetry?: (err: CosmoError, attempt: number) => void;
    maxUnavailable?: number;
    timeoutMs?: number;
  } = {},
): Promise<Workflow> {
  const deadline = opts.timeoutMs ? Date.now() + opts.timeoutMs : Number.POSITIVE_INFINITY;
  let unavailable = 0;
  for (;;) {
    let wf: Workflow;
    try {
      wf = await getWorkflow(client, target, namespace, name);
      unavailable = 0;
    } catch (err) {
      if (!(err instanceof CosmoError) || err.exitCode !== EXIT.unavailable) throw err;
      if (++unavailable > (opts.maxUnavailable ?? 5)) throw err;
      opts.onRetry?.(err, unavailable);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2000));
      continue;
    }
    opts.onUpdate?.(wf);
    if (TERMINAL.has(wf.status?.phase ?? "")) return wf;
    if (Date.now() > deadline)
      throw new CosmoError(`watch ${name}: still ${wf.status?.phase ?? "Pending"} after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2000));
  }
}

/** Argo's node map as rows for the status view (depth from the children links, root first). */
export function nodeRows(wf: Workflow): {
  name: string;
  template: string;
  phase: string;
  message?: string;
  depth: number;
  startedAt?: number;
  finishedAt?: number;
}[] {
  const nodes = (wf.status?.nodes ?? {}) as Record<string, NodeStatus>;
  const rows: ReturnType<typeof nodeRows> = [];
  const seen = new Set<string>();
  const visit = (id: string, depth: number) => {
    const n = nodes[id];
    if (!n || seen.has(id)) return;
    seen.add(id);
    rows.push({
      name: n.displayName ?? n.name ?? id,
      template: n.templateRef ? `${n.templateRef.name}/${n.templateRef.template}` : (n.templateName ?? ""),
      phase: n.phase ?? "Pending",
      message: n.message,
      depth,
      startedAt: n.startedAt ? Date.parse(n.startedAt) : undefined,
      finishedAt: n.finishedAt ? Date.parse(n.finishedAt) : undefined,
    });
    for (const c of n.children ?? []) visit(c, depth + 1);
  };
  const root = wf.metadata?.name;
  if (root && nodes[root]) visit(root, 0);
  for (const id of Object.keys(nodes)) visit(id, 0);
  return rows;
}

/** Argo's node map, id → node. */
function nodesOf(wf: Workflow): Record<string, NodeStatus> {
  return (wf.status?.nodes ?? {}) as Record<string, NodeStatus>;
}

const DOCUMENTED_EXITS = new Set<number>([EXIT.input, EXIT.gateRefused, EXIT.config, EXIT.unavailable]);

/**
 * The exit code a watched workflow ends with: 0 when it succeeded; else the documented code (2 bad input, 3 gate
 * refused, 4 bad config, 5 service unavailable) of the first step container that failed with one, so a caller
 * can tell a refused gate from a crash as with a local run; else 1. Exit-handler steps are not the cause.
 */
export function workflowExitCode(wf: Workflow): number {
  if (wf.status?.phase === "Succeeded") return 0;
  const failed = Object.values(nodesOf(wf))
    .filter((n) => n.type === "Pod" && (n.phase === "Failed" || n.phase === "Error") && !n.name?.includes(".onExit"))
    .sort((a, b) => Date.parse(a.finishedAt ?? "") - Date.parse(b.finishedAt ?? ""));
  for (const n of failed) {
    const code = Number(n.outputs?.exitCode);
    if (DOCUMENTED_EXITS.has(code)) return code;
  }
  return EXIT.crash;
}

/** Node phase changes between two polls of a workflow, as lines for a log (the non-TTY watch view). */
export function nodeChanges(before: Workflow | undefined, after: Workflow): string[] {
  const old = before ? nodesOf(before) : {};
  return Object.entries(nodesOf(after))
    .filter(([id, n]) => old[id]?.phase !== n.phase || old[id]?.message !== n.message)
    .map(([, n]) => {
      const step = n.displayName ?? n.name ?? "";
      const code = n.outputs?.exitCode !== undefined ? ` exit ${n.outputs.exitCode}` : "";
      return `${step} ${n.phase ?? "Pending"}${code}${n.message ? `: ${n.message}` : ""}`;
    });
}

export interface LogLine {
  podName: string;
  content: string;
}

/**
 * Streams a workflow's step logs (the main containers), one call of `onLine` per line, until the server ends the
 * stream (with `follow`, when the workflow ends). Argo answers a stream of `{"result": LogEntry}` or
 * `{"error": …}` JSON lines.
 */
export async function streamLogs(
  client: ArgoClient,
  target: ArgoTarget,
  namespace: string,
  name: string,
  opts: { follow?: boolean; podName?: string; grep?: string; onLine: (l: LogLine) => void },
): Promise<void> {
  const body = await call(
    `logs of ${name}`,
    target.server,
    () =>
      client.GET("/api/v1/workflows/{namespace}/{name}/log", {
        params: {
          path: { namespace, name },
          query: {
            "logOptions.container": "main",
            ...(opts.follow ? { "logOptions.follow": true } : {}),
            ...(opts.podName ? { podName: opts.podName } : {}),
            ...(opts.grep ? { grep: opts.grep } : {}),
          },
        },
        parseAs: "stream",
      }),
    { namespace },
  );
  let rest = "";
  const decoder = new TextDecoder();
  const handle = (line: string) => {
    if (!line.trim()) return;
    const msg = JSON.parse(line) as { result?: { content?: string; podName?: string }; error?: { message?: string } };
    if (msg.error)
      throw new CosmoError(`logs of ${name}: Argo Server: ${msg.error.message ?? JSON.stringify(msg.error)}`);
    if (msg.result) opts.onLine({ podName: msg.result.podName ?? "", content: msg.result.content ?? "" });
  };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) handle(l);
  }
  handle(rest + decoder.decode());
}
