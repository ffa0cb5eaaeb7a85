// biome-ignore-all lint/suspicious/noExplicitAny: tests poke at loosely typed YAML/JSON documents
// The Argo Server client against a local server that checks requests the way Argo Server would (paths,
// bodies validated against the swagger definitions, bearer token unless it runs with --auth-mode=server,
// client certificates when served over TLS) and answers with its error shapes and log stream.
// No live Argo was available: this is the contract as documented in data/argo/swagger.json.
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COSMO_BIN, runNode, tmpDir } from "../../core/testing.ts";
import { type ArgoTarget, resolveTarget } from "../submit/auth.ts";
import { argoClient, streamLogs, submitWorkflow, watchWorkflow, workflowExitCode } from "../submit/client.ts";
import { ensureGeneratedClient, GENERATED, SWAGGER } from "../submit/generate.ts";

const TOKEN = "s3cr3t-token";
const EXEC_TOKEN = "token-from-exec-plugin";
const TEMPLATES = new Set(["cosmo-update", "cosmo-gated"]);
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
  /** Subject CN of the client certificate, when served over TLS and one was presented. */
  clientCN?: string;
}
const seen: Seen[] = [];
const polls = new Map<string, number>();
let server: Server;
let url: string;
/** How the contract server authenticates: client (a valid bearer token) or server (Argo's --auth-mode=server). */
type Mode = "client" | "server";

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function handle(mode: Mode, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const reqUrl = new URL(req.url ?? "/", "http://x");
  const path = reqUrl.pathname;
  const body: any = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
  const peer = (req.socket as TLSSocket).getPeerCertificate?.();
  seen.push({
    method: req.method!,
    path,
    auth: req.headers.authorization,
    body,
    clientCN: peer?.subject?.CN as string | undefined,
  });
  if (mode === "client" && ![`Bearer ${TOKEN}`, `Bearer ${EXEC_TOKEN}`].includes(req.headers.authorization ?? ""))
    return send(res, 401, { code: 16, message: "token not valid" });
  let m = /^\/api\/v1\/workflows\/([^/]+)\/([^/]+)\/log$/.exec(path);
  if (m && req.method === "GET") {
    if (reqUrl.searchParams.get("logOptions.container") !== "main")
      return send(res, 400, { code: 3, message: "container must be main" });
    res.writeHead(200, { "content-type": "application/json" });
    // Streamed as Argo does: one JSON object a line, written in pieces that split lines.
    const lines = ["extract: 12 zones", "import: done"].map(
      (content) => `${JSON.stringify({ result: { content, podName: `${m![2]}-step-1` } })}\n`,
    );
    const all = lines.join("");
    res.write(all.slice(0, 20));
    res.write(all.slice(20));
    return res.end();
  }
  m = /^\/api\/v1\/workflows\/([^/]+)\/submit$/.exec(path);
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
    // flaky-N-…: the first N polls meet a restarting server (503), as during an Argo Server rollout.
    const flaky = /^flaky-(\d+)-/.exec(m[2]!);
    if (flaky && n <= Number(flaky[1])) return send(res, 503, { code: 14, message: "upstream connect error" });
    // cosmo-gated-… ends Failed: its publish step exited 3 (the gate refused), after a retry that exited 5.
    const gated = m[2]!.startsWith("cosmo-gated-");
    const phase = n < 2 ? "Running" : gated ? "Failed" : "Succeeded";
    if (gated && n >= 2) {
      const pod = (id: string, exitCode: string, finishedAt: string) => ({
        id,
        name: `${m![2]}.${id}`,
        displayName: id,
        type: "Pod",
        phase: "Failed",
        finishedAt,
        outputs: { exitCode },
      });
      const nodes = {
        [m[2]!]: { id: m[2], name: m[2], displayName: m[2], type: "DAG", phase, children: ["publish-a", "publish-b"] },
        "publish-b": pod("publish-b", "3", "2026-01-01T00:02:00Z"),
        "publish-a": pod("publish-a", "5", "2026-01-01T00:01:00Z"),
        record: { ...pod("record", "4", "2026-01-01T00:03:00Z"), name: `${m[2]}.onExit` },
      };
      return send(res, 200, {
        metadata: { name: m[2], namespace: m[1] },
        status: { phase, message: "child 'publish-b' failed", nodes },
      });
    }
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

async function listen(s: Server, scheme: string): Promise<string> {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `${scheme}://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  server = createServer((req, res) => void handle("client", req, res));
  url = await listen(server, "http");
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const target = () =>
  resolveTarget({ server: url, namespace: "cosmo" }, { ARGO_TOKEN: TOKEN, KUBECONFIG: "/nonexistent" });
const withToken = (t: ArgoTarget, token: string): ArgoTarget => ({
  ...t,
  authorization: async () => `Bearer ${token}`,
});

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
    const t = await target();
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
    const bad = withToken(await target(), "wrong");
    await expect(
      submitWorkflow(argoClient(bad), bad, { namespace: "cosmo", template: "cosmo-update" }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/refused the token \(401 Unauthorized\)/),
      exitCode: 4,
    });
    const t = await target();
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

  it("takes the token from the kubeconfig's current context when ARGO_TOKEN is unset", async () => {
    const dir = tmpDir("kube");
    const kc = join(dir, "config");
    writeFileSync(
      kc,
      "apiVersion: v1\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: c, user: robot, namespace: pipelines}\n- name: dev\n  context: {cluster: c, user: dev}\nusers:\n- name: dev\n  user: {token: devtoken}\n- name: robot\n  user: {token: robottoken}\n",
    );
    const t = await resolveTarget({}, { ARGO_SERVER: "argo.example.org:2746", KUBECONFIG: kc });
    expect(t).toMatchObject({ server: "https://argo.example.org:2746", namespace: "pipelines" });
    expect(await t.authorization()).toBe("Bearer robottoken");
    const dev = await resolveTarget({ context: "dev" }, { ARGO_SERVER: "argo.example.org:2746", KUBECONFIG: kc });
    expect(await dev.authorization()).toBe("Bearer devtoken");
    await expect(resolveTarget({}, { KUBECONFIG: kc })).rejects.toThrow(/set ARGO_SERVER/);
    await expect(resolveTarget({}, { ARGO_SERVER: "x", KUBECONFIG: "/nonexistent" })).rejects.toThrow(
      /no token for https:\/\/x: set ARGO_TOKEN/,
    );
    await expect(resolveTarget({ context: "nope" }, { ARGO_SERVER: "x", KUBECONFIG: kc })).rejects.toMatchObject({
      message: expect.stringMatching(/--context nope: no such context/),
      exitCode: 4,
    });
  });

  it("`cosmo workflows submit --watch` exits 0 on success and names the problem on failure", async () => {
    const cli = async (args: string[], token: string) => {
      const r = await runNode([COSMO_BIN, "workflows", "submit", ...args], {
        env: {
          ...process.env,
          ARGO_SERVER: url,
          ARGO_TOKEN: token,
          ARGO_NAMESPACE: "cosmo",
          KUBECONFIG: "/nonexistent",
        },
      });
      return { code: r.code, out: r.stdout, err: r.stderr };
    };
    const ok = await cli(["cosmo-update", "--watch", "--interval", "20", "-p", "regions=[]"], TOKEN);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out.trim().split("\n").pop()!)).toMatchObject({ phase: "Succeeded", namespace: "cosmo" });
    expect(ok.err).toMatch(/merge/);
    const ko = await cli(["cosmo-update"], "wrong");
    expect(ko.code).toBe(4);
    expect(ko.err.trim()).toMatch(/^error: submit cosmo-update: Argo Server .* refused the token \(401 Unauthorized\)/);
  }, 60_000);
});

describe("workflow result and logs", () => {
  it("a watch polls again through a few 503s of a restarting server, and gives up with exit 5 after too many", async () => {
    const t = await target();
    const client = argoClient(t);
    const retries: number[] = [];
    const final = await watchWorkflow(client, t, "cosmo", "flaky-2-a", {
      intervalMs: 10,
      maxUnavailable: 2,
      onRetry: (_err, attempt) => retries.push(attempt),
    });
    expect(final.status?.phase).toBe("Succeeded");
    expect(retries).toEqual([1, 2]);
    await expect(
      watchWorkflow(client, t, "cosmo", "flaky-3-b", { intervalMs: 10, maxUnavailable: 2 }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/answered 503: upstream connect error/), exitCode: 5 });
  });

  it("a failed workflow's exit code is its first failed step's documented code, not the exit handler's", async () => {
    const t = await target();
    const client = argoClient(t);
    const wf = await submitWorkflow(client, t, { namespace: "cosmo", template: "cosmo-gated" });
    const final = await watchWorkflow(client, t, "cosmo", wf.metadata!.name!, { intervalMs: 10 });
    expect(final.status?.phase).toBe("Failed");
    expect(workflowExitCode(final)).toBe(5);
    const gateOnly = structuredClone(final);
    delete (gateOnly.status!.nodes as any)["publish-a"];
    expect(workflowExitCode(gateOnly)).toBe(3);
    const undocumented = structuredClone(gateOnly);
    (undocumented.status!.nodes as any)["publish-b"].outputs.exitCode = "137";
    expect(workflowExitCode(undocumented)).toBe(1);
  });

  it("`submit --watch` logs each step's phase and exits with the failed step's code; `logs` prints the stream", async () => {
    const env = { ...process.env, ARGO_SERVER: url, ARGO_TOKEN: TOKEN, ARGO_NAMESPACE: "cosmo", KUBECONFIG: "/x" };
    const gated = await runNode([COSMO_BIN, "workflows", "submit", "cosmo-gated", "--watch", "--interval", "20"], {
      env,
    });
    expect(gated.code).toBe(5);
    expect(gated.stderr).toMatch(/^publish-b Failed exit 3$/m);
    expect(gated.stderr).toMatch(/error: workflow cosmo-gated-abcde Failed: child 'publish-b' failed/);
    expect(JSON.parse(gated.stdout.trim())).toMatchObject({ phase: "Failed", exitCode: 5 });
    const logs = await runNode([COSMO_BIN, "workflows", "logs", "cosmo-update-abcde", "--follow"], { env });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe("cosmo-update-abcde-step-1: extract: 12 zones\ncosmo-update-abcde-step-1: import: done\n");
    const lines: string[] = [];
    const t = await target();
    await streamLogs(argoClient(t), t, "cosmo", "wf-1", { onLine: (l) => lines.push(l.content) });
    expect(lines).toEqual(["extract: 12 zones", "import: done"]);
  }, 60_000);
});

describe("auth modes", () => {
  let serverMode: Server;
  let serverModeUrl: string;
  beforeAll(async () => {
    serverMode = createServer((req, res) => void handle("server", req, res));
    serverModeUrl = await listen(serverMode, "http");
  });
  afterAll(() => new Promise<void>((r) => serverMode.close(() => r())));

  it("--auth-mode server needs no credentials and sends no Authorization header", async () => {
    const env = { KUBECONFIG: "/nonexistent" };
    const t = await resolveTarget({ server: serverModeUrl, namespace: "cosmo", authMode: "server" }, env);
    const wf = await submitWorkflow(argoClient(t), t, { namespace: "cosmo", template: "cosmo-update" });
    expect(wf.metadata?.name).toBe("cosmo-update-abcde");
    expect(seen.at(-1)).toMatchObject({ path: "/api/v1/workflows/cosmo/submit", auth: undefined });
    // The same against a server that wants a token: the 401 says which mode to use.
    const wrong = await resolveTarget({ server: url, authMode: "server" }, env);
    await expect(submitWorkflow(argoClient(wrong), wrong, { namespace: "cosmo", template: "x" })).rejects.toThrow(
      /401 Unauthorized\): set ARGO_TOKEN .*--auth-mode server/,
    );
    await expect(resolveTarget({ server: url, authMode: "sso" }, env)).rejects.toMatchObject({
      message: "--auth-mode sso: must be one of client, server",
      exitCode: 4,
    });
    // From the CLI, with ARGO_AUTH_MODE.
    const r = await runNode([COSMO_BIN, "workflows", "submit", "cosmo-update"], {
      env: { ...process.env, ARGO_SERVER: serverModeUrl, ARGO_AUTH_MODE: "server", ARGO_NAMESPACE: "cosmo", ...env },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/credentials: none \(--auth-mode server\)/);
  }, 60_000);

  it("a kubeconfig exec plugin's ExecCredential token is sent; a failing plugin is a config error naming it", async () => {
    const dir = tmpDir("kube-exec");
    const plugin = join(dir, "credential-plugin.sh");
    writeFileSync(
      plugin,
      `#!/bin/sh\nprintf '%s' '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${EXEC_TOKEN}"}}'\n`,
    );
    const broken = join(dir, "broken-plugin.sh");
    writeFileSync(broken, "#!/bin/sh\necho 'login expired' >&2\nexit 1\n");
    chmodSync(plugin, 0o755);
    chmodSync(broken, 0o755);
    const kc = join(dir, "config");
    // The context's cluster is an http:// one (`kubectl proxy`): client-node refuses to build an agent for it,
    // which must not stop it from resolving the user's credentials for the Argo Server.
    const user = (cmd: string) =>
      `  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${cmd}\n      interactiveMode: Never\n`;
    writeFileSync(
      kc,
      `apiVersion: v1\ncurrent-context: ok\nclusters:\n- name: c\n  cluster: {server: "http://127.0.0.1:8001"}\ncontexts:\n- name: ok\n  context: {cluster: c, user: sso, namespace: cosmo}\n- name: broken\n  context: {cluster: c, user: expired}\nusers:\n- name: sso\n${user(plugin)}- name: expired\n${user(broken)}`,
    );
    const t = await resolveTarget({ server: url }, { KUBECONFIG: kc });
    expect(t.credentialSource).toBe(`kubeconfig ${kc} (user sso)`);
    await submitWorkflow(argoClient(t), t, { namespace: t.namespace, template: "cosmo-update" });
    expect(seen.at(-1)).toMatchObject({ path: "/api/v1/workflows/cosmo/submit", auth: `Bearer ${EXEC_TOKEN}` });
    await expect(resolveTarget({ server: url, context: "broken" }, { KUBECONFIG: kc })).rejects.toMatchObject({
      message: expect.stringMatching(new RegExp(`kubeconfig user expired: exec plugin \`${broken}\` failed`)),
      exitCode: 4,
    });
  });
});

describe("TLS with a self-made CA", () => {
  let dir: string;
  let tlsServer: Server;
  let tlsUrl: string;
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  /** A key and a certificate for `cn` signed by the test CA (`san`: subjectAltName, for the server). */
  const issue = (name: string, cn: string, san?: string) => {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${cn}`,
    );
    if (san) writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      `${name}.pem`,
      ...(san ? ["-extfile", `${name}.ext`] : []),
    );
  };
  const kubeconfig = (file: string, cluster: string, user: string) =>
    writeFileSync(
      join(dir, file),
      `apiVersion: v1\ncurrent-context: tls\nclusters:\n- name: c\n  cluster:\n    server: "${tlsUrl}"\n${cluster}contexts:\n- name: tls\n  context: {cluster: c, user: ci, namespace: cosmo}\nusers:\n- name: ci\n  user:\n    token: ${TOKEN}\n${user}`,
    );

  beforeAll(async () => {
    dir = tmpDir("argo-tls");
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=cosmo test CA",
    );
    issue("server", "argo-server", "IP:127.0.0.1");
    issue("client", "cosmo-ci");
    const read = (f: string) => readFileSync(join(dir, f));
    // Like an Argo Server behind an mTLS ingress: its certificate from the CA, a client certificate required.
    tlsServer = createHttpsServer(
      {
        key: read("server.key"),
        cert: read("server.pem"),
        ca: read("ca.pem"),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => void handle("client", req, res),
    );
    tlsUrl = await listen(tlsServer, "https");
    const clientCert = "    client-certificate: client.pem\n    client-key: client.key\n";
    kubeconfig("trusted", "    certificate-authority: ca.pem\n", clientCert);
    kubeconfig(
      "trusted-data",
      `    certificate-authority-data: ${read("ca.pem").toString("base64")}\n`,
      `    client-certificate-data: ${read("client.pem").toString("base64")}\n    client-key-data: ${read("client.key").toString("base64")}\n`,
    );
    kubeconfig("no-ca", "", clientCert);
    kubeconfig("skip-verify", "    insecure-skip-tls-verify: true\n", clientCert);
  });
  afterAll(() => new Promise<void>((r) => tlsServer.close(() => r())));

  const submitWith = async (kubeconfigFile: string, opts: { insecureSkipTlsVerify?: boolean } = {}) => {
    const t = await resolveTarget({ server: tlsUrl, ...opts }, { KUBECONFIG: join(dir, kubeconfigFile) });
    return submitWorkflow(argoClient(t), t, { namespace: t.namespace, template: "cosmo-update" });
  };

  it("trusts the kubeconfig's CA (file relative to the kubeconfig, or data) and presents its client certificate", async () => {
    for (const file of ["trusted", "trusted-data"]) {
      const wf = await submitWith(file);
      expect(wf.metadata?.name).toBe("cosmo-update-abcde");
      expect(seen.at(-1)).toMatchObject({ clientCN: "cosmo-ci", auth: `Bearer ${TOKEN}` });
    }
  });

  it("an untrusted certificate is a config error naming the fix; --insecure-skip-tls-verify (flag or kubeconfig) accepts it", async () => {
    await expect(submitWith("no-ca")).rejects.toMatchObject({
      message: expect.stringMatching(/certificate is not trusted \(.+\): give its CA with --certificate-authority/),
      exitCode: 4,
    });
    expect((await submitWith("no-ca", { insecureSkipTlsVerify: true })).metadata?.name).toBe("cosmo-update-abcde");
    expect((await submitWith("skip-verify")).metadata?.name).toBe("cosmo-update-abcde");
    expect(seen.at(-1)?.clientCN).toBe("cosmo-ci");
  });

  it("the CLI flags give the CA and client certificate without a kubeconfig", async () => {
    const r = await runNode(
      [
        COSMO_BIN,
        "workflows",
        "submit",
        "cosmo-update",
        "--server",
        tlsUrl,
        "-n",
        "cosmo",
        "--certificate-authority",
        join(dir, "ca.pem"),
        "--client-certificate",
        join(dir, "client.pem"),
        "--client-key",
        join(dir, "client.key"),
      ],
      { env: { ...process.env, ARGO_TOKEN: TOKEN, KUBECONFIG: "/nonexistent" } },
    );
    expect(r.stderr).toMatch(/submitted cosmo\/cosmo-update-abcde/);
    expect(r.code).toBe(0);
    expect(seen.at(-1)?.clientCN).toBe("cosmo-ci");
  }, 60_000);
});
