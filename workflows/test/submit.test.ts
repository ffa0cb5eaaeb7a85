// biome-ignore-all lint/suspicious/noExplicitAny: tests poke at loosely typed YAML/JSON documents
// The Argo Server client against a local HTTP server that checks requests the way Argo Server would (paths,
// bodies validated against the swagger definitions, bearer token) and answers with its error shapes.
// No live Argo was available: this is the contract as documented in data/argo/swagger.json.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COSMO_BIN, tmpDir } from "../../core/testing.ts";
import { resolveTarget } from "../submit/auth.ts";
import { argoClient, submitWorkflow, watchWorkflow } from "../submit/client.ts";
import { ensureGeneratedClient, GENERATED, SWAGGER } from "../submit/generate.ts";

const TOKEN = "s3cr3t-token";
const TEMPLATES = new Set(["cosmo-update"]);
const swagger = JSON.parse(readFileSync(SWAGGER, "utf8"));
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
ajv.addSchema({ definitions: swagger.definitions }, "swagger");
const validSubmit = ajv.compile<any>({
  $ref: "swagger#/definitions/io.argoproj.workflow.v1alpha1.WorkflowSubmitRequest",
});

interface Seen {
  method: string;
  path: string;
  auth?: string;
  body?: any;
}
const seen: Seen[] = [];
const polls = new Map<string, number>();
let server: Server;
let url: string;

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const body: any = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
  seen.push({ method: req.method!, path, auth: req.headers.authorization, body });
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, { code: 16, message: "token not valid" });
  let m = /^\/api\/v1\/workflows\/([^/]+)\/submit$/.exec(path);
  if (m && req.method === "POST") {
    if (!validSubmit(body)) return send(res, 400, { code: 3, message: ajv.errorsText(validSubmit.errors) });
    if (body.namespace !== m[1] || body.resourceKind !== "WorkflowTemplate")
      return send(res, 400, { code: 3, message: "bad namespace/kind" });
    if (body.submitOptions.labels !== undefined && typeof body.submitOptions.labels !== "string")
      return send(res, 400, { code: 3, message: "labels must be a string" });
    if (body.resourceName === "taken")
      return send(res, 409, { code: 6, message: 'workflows.argoproj.io "taken-x" already exists' });
    if (!TEMPLATES.has(body.resourceName))
      return send(res, 404, { code: 5, message: `workflowtemplates.argoproj.io "${body.resourceName}" not found` });
    const name = `${body.submitOptions.generateName}abcde`;
    return send(res, 200, {
      metadata: { name, namespace: m[1] },
      spec: { workflowTemplateRef: { name: body.resourceName } },
      status: {},
    });
  }
  m = /^\/api\/v1\/workflows\/([^/]+)\/([^/]+)$/.exec(path);
  if (m && req.method === "GET") {
    const n = (polls.get(m[2]!) ?? 0) + 1;
    polls.set(m[2]!, n);
    const phase = n < 2 ? "Running" : "Succeeded";
    const nodes = {
      [m[2]!]: {
        id: m[2],
        name: m[2],
        displayName: m[2],
        type: "DAG",
        phase,
        templateName: "update",
        children: [`${m[2]}-1`],
      },
      [`${m[2]}-1`]: {
        id: `${m[2]}-1`,
        name: `${m[2]}.merge`,
        displayName: "merge",
        type: "Pod",
        phase,
        templateRef: { name: "cosmo-merge", template: "merge" },
      },
    };
    return send(res, 200, { metadata: { name: m[2], namespace: m[1] }, status: { phase, nodes } });
  }
  send(res, 404, { code: 5, message: "Not Found" });
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const target = () =>
  resolveTarget({ server: url, namespace: "cosmo" }, { ARGO_TOKEN: TOKEN, KUBECONFIG: "/nonexistent" });

describe("generated client", () => {
  it("the types are generated from swagger.json (generated if missing)", () => {
    const file = ensureGeneratedClient();
    expect(file).toBe(GENERATED);
    const text = readFileSync(file, "utf8");
    expect(text).toContain('"/api/v1/workflows/{namespace}/submit"');
    expect(text).toContain('"io.argoproj.workflow.v1alpha1.WorkflowSubmitRequest"');
  });
});

describe("submit and watch", () => {
  it("submits with the contract's path, body and bearer token, then follows to Succeeded", async () => {
    const t = target();
    const client = argoClient(t);
    const wf = await submitWorkflow(client, t, {
      namespace: "cosmo",
      template: "cosmo-update",
      parameters: { regions: '[{"name":"lu","url":"x"}]' },
      labels: { a: "b", c: "d" },
    });
    expect(wf.metadata?.name).toBe("cosmo-update-abcde");
    const sub = seen.find((s) => s.path === "/api/v1/workflows/cosmo/submit")!;
    expect(sub.auth).toBe(`Bearer ${TOKEN}`);
    expect(sub.body).toEqual({
      namespace: "cosmo",
      resourceKind: "WorkflowTemplate",
      resourceName: "cosmo-update",
      submitOptions: {
        generateName: "cosmo-update-",
        parameters: ['regions=[{"name":"lu","url":"x"}]'],
        labels: "a=b,c=d",
      },
    });
    const phases: string[] = [];
    const final = await watchWorkflow(client, t, "cosmo", wf.metadata!.name!, {
      intervalMs: 10,
      onUpdate: (w) => phases.push(w.status!.phase!),
    });
    expect(final.status?.phase).toBe("Succeeded");
    expect(phases).toEqual(["Running", "Succeeded"]);
  });

  it("maps 401, 404 (template), 409 and an unreachable server to one-line errors with exit codes", async () => {
    const bad = { ...target(), token: "wrong" };
    await expect(
      submitWorkflow(argoClient(bad), bad, { namespace: "cosmo", template: "cosmo-update" }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/refused the token \(401 Unauthorized\)/),
      exitCode: 4,
    });
    const t = target();
    await expect(submitWorkflow(argoClient(t), t, { namespace: "cosmo", template: "nope" })).rejects.toMatchObject({
      message: expect.stringMatching(/WorkflowTemplate nope not found in namespace cosmo \(404\)/),
      exitCode: 2,
    });
    await expect(submitWorkflow(argoClient(t), t, { namespace: "cosmo", template: "taken" })).rejects.toThrow(
      /conflict \(409\): workflows.argoproj.io "taken-x" already exists/,
    );
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const down = { ...t, server: `http://127.0.0.1:${port}` };
    await expect(
      submitWorkflow(argoClient(down), down, { namespace: "cosmo", template: "cosmo-update" }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(new RegExp(`Argo Server http://127.0.0.1:${port} unreachable \\(ECONNREFUSED\\)`)),
      exitCode: 5,
    });
  });

  it("takes the token from the kubeconfig's current context when ARGO_TOKEN is unset", () => {
    const dir = tmpDir("kube");
    const kc = join(dir, "config");
    writeFileSync(
      kc,
      "apiVersion: v1\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: c, user: robot, namespace: pipelines}\n- name: dev\n  context: {cluster: c, user: dev}\nusers:\n- name: dev\n  user: {token: devtoken}\n- name: robot\n  user: {token: robottoken}\n",
    );
    const t = resolveTarget({}, { ARGO_SERVER: "argo.example.org:2746", KUBECONFIG: kc });
    expect(t).toMatchObject({ server: "https://argo.example.org:2746", token: "robottoken", namespace: "pipelines" });
    expect(() => resolveTarget({}, { KUBECONFIG: kc })).toThrow(/set ARGO_SERVER/);
    expect(() => resolveTarget({}, { ARGO_SERVER: "x", KUBECONFIG: "/nonexistent" })).toThrow(
      /no token for https:\/\/x: set ARGO_TOKEN/,
    );
  });

  it("`cosmo workflows submit --watch` exits 0 on success and names the problem on failure", async () => {
    const cli = (args: string[], token: string) =>
      new Promise<{ code: number; out: string; err: string }>((resolve) => {
        const p = spawn(process.execPath, [COSMO_BIN, "workflows", "submit", ...args], {
          env: {
            ...process.env,
            ARGO_SERVER: url,
            ARGO_TOKEN: token,
            ARGO_NAMESPACE: "cosmo",
            KUBECONFIG: "/nonexistent",
          },
        });
        let out = "";
        let err = "";
        p.stdout.on("data", (c) => (out += c));
        p.stderr.on("data", (c) => (err += c));
        p.on("close", (code) => resolve({ code: code ?? 1, out, err }));
      });
    const ok = await cli(["cosmo-update", "--watch", "--interval", "20", "-p", "regions=[]"], TOKEN);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out.trim().split("\n").pop()!)).toMatchObject({ phase: "Succeeded", namespace: "cosmo" });
    expect(ok.err).toMatch(/merge/);
    const ko = await cli(["cosmo-update"], "wrong");
    expect(ko.code).toBe(4);
    expect(ko.err.trim()).toMatch(/^error: submit cosmo-update: Argo Server .* refused the token \(401 Unauthorized\)/);
  }, 60_000);
});
