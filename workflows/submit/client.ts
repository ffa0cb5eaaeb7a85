// Argo Server client: submit a WorkflowTemplate (`argo submit --from workflowtemplate/NAME`), then follow the
// workflow. Request and response types come from the generated Argo OpenAPI types; transport is openapi-fetch.
import createClient from "openapi-fetch";
import { CosmoError, EXIT } from "../../core/errors.ts";
import type { ArgoPaths, NodeStatus, SubmitRequest, Workflow } from "./argo-paths.ts";
import type { ArgoTarget } from "./auth.ts";

export type ArgoClient = ReturnType<typeof createClient<ArgoPaths>>;

export function argoClient(target: ArgoTarget, fetchImpl?: (input: Request) => Promise<Response>): ArgoClient {
  return createClient<ArgoPaths>({
    baseUrl: target.server,
    headers: { Authorization: `Bearer ${target.token}` },
    fetch: fetchImpl,
  });
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
        `${what}: Argo Server ${o.server} refused the token (401 Unauthorized): set ARGO_TOKEN to a valid service-account token`,
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
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CosmoError(
      `${what}: Argo Server ${server} unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`,
      { exitCode: EXIT.unavailable },
    );
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

/** Polls until the workflow reaches a terminal phase; `onUpdate` sees every new status. */
export async function watchWorkflow(
  client: ArgoClient,
  target: ArgoTarget,
  namespace: string,
  name: string,
  opts: { intervalMs?: number; onUpdate?: (wf: Workflow) => void; timeoutMs?: number } = {},
): Promise<Workflow> {
  const deadline = opts.timeoutMs ? Date.now() + opts.timeoutMs : Number.POSITIVE_INFINITY;
  for (;;) {
    const wf = await getWorkflow(client, target, namespace, name);
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
