// Checks on a rendered chart: Kubernetes and Argo schemas, and the references between objects that no schema
// sees (a Service selecting no pod, a ConfigMap that is not there, a probe on a path the service lacks).
// Each returns a list of problems ("<Kind>/<name>: what") so a failing test names every offender at once.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import YAML from "yaml";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { validateDoc } from "../../workflows/validate.ts";
import type { Doc } from "./helm.ts";

const require = createRequire(import.meta.url);
const id = (d: Doc) => `${d.kind}/${d.metadata.name}`;
const ARGO_KINDS = new Set(["WorkflowTemplate", "CronWorkflow", "Workflow"]);
const WORKLOADS = new Set(["Deployment", "StatefulSet"]);

/**
 * kubernetes-models validate() for core kinds (module path = apiVersion/kind), @kubernetes-models/prometheus-operator
 * for the ServiceMonitor; Argo kinds via workflows/validate.ts.
 */
export async function schemaProblems(docs: Doc[]): Promise<string[]> {
  const problems: string[] = [];
  for (const d of docs) {
    if (ARGO_KINDS.has(d.kind)) {
      for (const p of validateDoc({ file: id(d), doc: d })) problems.push(`${p.file}: ${p.check}: ${p.message}`);
      continue;
    }
    let mod: Record<string, new (o: unknown) => { validate(): void }>;
    try {
      // require, not import(): the module path is only known at run time (one module per apiVersion/kind).
      // prometheus-operator kinds (the ServiceMonitor) have their own models package, ESM only.
      mod = d.apiVersion.startsWith("monitoring.coreos.com/")
        ? await import(`@kubernetes-models/prometheus-operator/${d.apiVersion}/${d.kind}`)
        : require(`kubernetes-models/${d.apiVersion}/${d.kind}`);
    } catch {
      problems.push(`${id(d)}: no schema for ${d.apiVersion} ${d.kind} (unknown or removed API)`);
      continue;
    }
    try {
      new mod[d.kind](d).validate();
    } catch (err) {
      problems.push(`${id(d)}: ${(err as Error).message.split("\n").join("; ")}`);
    }
  }
  return problems;
}

export function podSpecs(docs: Doc[]): { owner: string; labels: Record<string, string>; spec: any }[] {
  return docs
    .filter((d) => WORKLOADS.has(d.kind))
    .map((d) => ({ owner: id(d), labels: d.spec.template.metadata?.labels ?? {}, spec: d.spec.template.spec }));
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Services select exactly one workload's pods, on a port name those pods expose. */
export function serviceProblems(docs: Doc[]): string[] {
  const pods = podSpecs(docs);
  const problems: string[] = [];
  for (const svc of docs.filter((d) => d.kind === "Service")) {
    const selected = pods.filter((p) => matches(svc.spec.selector ?? {}, p.labels));
    if (selected.length !== 1) {
      problems.push(
        `${id(svc)}: selector matches ${selected.length} workloads (${selected.map((p) => p.owner).join(", ") || "none"})`,
      );
      continue;
    }
    const ports = selected[0].spec.containers.flatMap((c: any) => c.ports ?? []);
    for (const p of svc.spec.ports) {
      const target = p.targetPort ?? p.port;
      const found = ports.some((cp: any) =>
        typeof target === "string" ? cp.name === target : cp.containerPort === target,
      );
      if (!found) problems.push(`${id(svc)}: targetPort ${target} is not a port of ${selected[0].owner}`);
    }
  }
  for (const d of docs.filter((x) => WORKLOADS.has(x.kind))) {
    if (!matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels))
      problems.push(`${id(d)}: selector does not match its own pod labels`);
  }
  return problems;
}

/** HPAs scale an existing Deployment; PDBs cover exactly one workload. */
export function scalingProblems(docs: Doc[]): string[] {
  const problems: string[] = [];
  const deployments = new Set(docs.filter((d) => d.kind === "Deployment").map((d) => d.metadata.name));
  for (const h of docs.filter((d) => d.kind === "HorizontalPodAutoscaler")) {
    const ref = h.spec.scaleTargetRef;
    if (ref.kind !== "Deployment" || !deployments.has(ref.name))
      problems.push(`${id(h)}: scales ${ref.kind}/${ref.name}, which is not rendered`);
    if (h.spec.minReplicas > h.spec.maxReplicas) problems.push(`${id(h)}: minReplicas > maxReplicas`);
  }
  const pods = podSpecs(docs);
  for (const p of docs.filter((d) => d.kind === "PodDisruptionBudget")) {
    const n = pods.filter((w) => matches(p.spec.selector.matchLabels, w.labels)).length;
    if (n !== 1) problems.push(`${id(p)}: selector matches ${n} workloads`);
  }
  return problems;
}

/** Ingress backends are rendered Services, on a port they have. */
export function ingressProblems(docs: Doc[]): string[] {
  const problems: string[] = [];
  const services = new Map(docs.filter((d) => d.kind === "Service").map((d) => [d.metadata.name, d]));
  for (const ing of docs.filter((d) => d.kind === "Ingress")) {
    for (const rule of ing.spec.rules ?? []) {
      for (const path of rule.http.paths) {
        const b = path.backend.service;
        const svc = services.get(b.name);
        if (!svc) problems.push(`${id(ing)}: backend Service ${b.name} is not rendered`);
        else if (!svc.spec.ports.some((p: any) => (b.port.name ? p.name === b.port.name : p.port === b.port.number)))
          problems.push(`${id(ing)}: Service ${b.name} has no port ${b.port.name ?? b.port.number}`);
      }
    }
  }
  return problems;
}

/** Every ConfigMap reference (pods, workflow steps, artefact repository, semaphores) names a rendered ConfigMap and key. */
export function configMapProblems(docs: Doc[]): string[] {
  const maps = new Map(docs.filter((d) => d.kind === "ConfigMap").map((d) => [d.metadata.name, d]));
  const problems: string[] = [];
  const need = (owner: string, name: string, key?: string) => {
    const cm = maps.get(name);
    if (!cm) problems.push(`${owner}: ConfigMap ${name} is not rendered`);
    else if (key && !(key in (cm.data ?? {}))) problems.push(`${owner}: ConfigMap ${name} has no key ${key}`);
  };
  for (const d of docs) {
    walk(d, (node, path) => {
      if (path.endsWith("configMapRef") && node.name) need(id(d), node.name);
      if (path.endsWith("configMapKeyRef") && node.name) need(id(d), node.name, node.key);
      if (/\/volumes\/\d+$/.test(path) && node.configMap) {
        for (const item of node.configMap.items ?? []) need(id(d), node.configMap.name, item.key);
        if (!node.configMap.items) need(id(d), node.configMap.name);
      }
      if (path.endsWith("artifactRepositoryRef")) need(id(d), node.configMap ?? "artifact-repositories", node.key);
    });
  }
  return problems;
}

/** Every Secret reference, as {owner, name, key}: the chart must only point at the documented existing Secrets. */
export function secretRefs(docs: Doc[]): { owner: string; name: string; key?: string }[] {
  const refs: { owner: string; name: string; key?: string }[] = [];
  for (const d of docs) {
    walk(d, (node, path) => {
      if (path.endsWith("secretKeyRef") || path.endsWith("secretRef") || /Secret$/.test(path.split("/").pop() ?? ""))
        if (typeof node.name === "string") refs.push({ owner: id(d), name: node.name, key: node.key });
      if (/\/tls\/\d+$/.test(path) && node.secretName) refs.push({ owner: id(d), name: node.secretName });
    });
    // The artefact repository is a YAML string inside the ConfigMap.
    if (d.kind === "ConfigMap" && d.metadata.name === "artifact-repositories") {
      for (const text of Object.values(d.data ?? {})) {
        const s3 = (parseYaml11(String(text)) as any).s3;
        for (const k of ["accessKeySecret", "secretKeySecret"])
          refs.push({ owner: id(d), name: s3[k].name, key: s3[k].key });
      }
    }
  }
  return refs;
}

/** ServiceAccounts named by pods and workflows, and RoleBinding targets, are rendered. */
export function rbacProblems(docs: Doc[]): string[] {
  const problems: string[] = [];
  const accounts = new Set(docs.filter((d) => d.kind === "ServiceAccount").map((d) => d.metadata.name));
  const roles = new Set(docs.filter((d) => d.kind === "Role").map((d) => d.metadata.name));
  for (const p of podSpecs(docs)) {
    if (p.spec.serviceAccountName && !accounts.has(p.spec.serviceAccountName))
      problems.push(`${p.owner}: ServiceAccount ${p.spec.serviceAccountName} is not rendered`);
  }
  for (const w of docs.filter((d) => d.kind === "WorkflowTemplate")) {
    if (!accounts.has(w.spec.serviceAccountName))
      problems.push(`${id(w)}: ServiceAccount ${w.spec.serviceAccountName} is not rendered`);
  }
  for (const b of docs.filter((d) => d.kind === "RoleBinding")) {
    if (b.roleRef.kind !== "Role" || !roles.has(b.roleRef.name))
      problems.push(`${id(b)}: roleRef ${b.roleRef.kind}/${b.roleRef.name} is not rendered`);
    for (const s of b.subjects)
      if (s.kind === "ServiceAccount" && !accounts.has(s.name))
        problems.push(`${id(b)}: subject ${s.name} is not rendered`);
  }
  return problems;
}

/** templateRef / workflowTemplateRef resolve to rendered WorkflowTemplates and their templates. */
export function workflowRefProblems(docs: Doc[]): string[] {
  const problems: string[] = [];
  const templates = new Map(
    docs
      .filter((d) => d.kind === "WorkflowTemplate")
      .map((d) => [d.metadata.name, new Set<string>(d.spec.templates.map((t: any) => t.name))]),
  );
  for (const d of docs.filter((x) => ARGO_KINDS.has(x.kind))) {
    walk(d, (node, path) => {
      if (path.endsWith("/templateRef")) {
        if (!templates.get(node.name)?.has(node.template))
          problems.push(`${id(d)}: templateRef ${node.name}/${node.template} does not resolve`);
      }
      if (path.endsWith("/workflowTemplateRef") && !templates.has(node.name))
        problems.push(`${id(d)}: workflowTemplateRef ${node.name} does not resolve`);
    });
  }
  return problems;
}

/** The routes a service registers (`app.get("/healthz", …)`), read from its source (and the shared health routes). */
export function serviceRoutes(stage: "api" | "tiles"): Set<string> {
  let src = readFileSync(join(PROJECT_ROOT, stage, "app.ts"), "utf8");
  if (src.includes("healthRoutes(")) src += readFileSync(join(PROJECT_ROOT, "core/serving/health.ts"), "utf8");
  return new Set([...src.matchAll(/\.get\(\s*["'`](\/[^"'`]*)["'`]/g)].map((m) => m[1]));
}

/** The exact-match locations of the explorer's nginx config (what the web image serves itself). */
export function nginxLocations(): Set<string> {
  const src = readFileSync(join(PROJECT_ROOT, "explorer/nginx/nginx.conf.template"), "utf8");
  return new Set([...src.matchAll(/location\s+=\s+(\S+)\s*\{/g)].map((m) => m[1]));
}

/** Probe paths of every container, per component label. */
export function probePaths(docs: Doc[]): { owner: string; component: string; paths: string[] }[] {
  return podSpecs(docs).map((p) => ({
    owner: p.owner,
    component: p.labels["app.kubernetes.io/component"],
    paths: p.spec.containers.flatMap((c: any) =>
      ["startupProbe", "livenessProbe", "readinessProbe"].map((k) => c[k]?.httpGet?.path).filter(Boolean),
    ),
  }));
}

export function walk(node: unknown, visit: (node: any, path: string) => void, path = ""): void {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) walk(v, visit, `${path}/${i}`);
  } else if (node && typeof node === "object") {
    visit(node, path);
    for (const [k, v] of Object.entries(node)) walk(v, visit, `${path}/${k}`);
  }
}

function parseYaml11(text: string): unknown {
  return YAML.parse(text, { version: "1.1" });
}
