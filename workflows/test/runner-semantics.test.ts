// Argo semantics of the local runner on small synthetic templates. Steps run a tiny stand-in entrypoint
// (fake-cosmo.mjs) so each takes milliseconds; artefacts go to the real test S3 server.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../core/errors.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import { COSMO_BIN, runNode, testEnv, testStore, tmpDir } from "../../core/testing.ts";
import { type RenderedDoc, toYaml } from "../render.ts";
import { type RunLocalOptions, type RunResult, runLocal } from "../runner/run.ts";
import { RETRY_WHEN } from "../templates/common.ts";

const FAKE = join(import.meta.dirname, "fake-cosmo.mjs");
let store: ArtefactStore;
beforeAll(() => {
  store = testStore();
});

type T = Record<string, unknown>;
function wt(name: string, templates: T[], spec: T = {}): RenderedDoc {
  return {
    file: `${name}.yaml`,
    doc: {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "WorkflowTemplate",
      metadata: { name },
      spec: { templates, ...spec },
    },
  };
}
const c = (name: string, args: string[], extra: T = {}): T => ({
  name,
  container: { name: "main", image: "x", args },
  ...extra,
});
const dag = (name: string, tasks: T[], extra: T = {}): T => ({ name, dag: { tasks }, ...extra });
const input = (...names: string[]) => ({ parameters: names.map((name) => ({ name })) });
const args = (o: Record<string, string>) => ({
  parameters: Object.entries(o).map(([name, value]) => ({ name, value })),
});

function run(docs: RenderedDoc[], template: string, extra: Partial<RunLocalOptions> = {}): Promise<RunResult> {
  return runLocal({
    docs,
    workflowTemplate: template,
    store,
    cosmoBin: FAKE,
    runDir: tmpDir("wf-sem"),
    parallelism: 4,
    ...extra,
  });
}
const node = (r: RunResult, path: string) => {
  const n = r.nodes.find((x) => x.name === path);
  if (!n) throw new Error(`no node ${path} in ${r.nodes.map((x) => x.name).join(", ")}`);
  return n;
};

const lib = wt("lib", [
  c("produce", ["write", "/step/out/v", "{{inputs.parameters.word}}-x"], {
    inputs: input("word"),
    outputs: { parameters: [{ name: "v", valueFrom: { path: "/step/out/v" } }] },
  }),
  c("show", ["echo", "{{inputs.parameters.text}}"], {
    inputs: { parameters: [{ name: "text", default: "default-text" }] },
  }),
  c("fail", ["fail", "3"]),
  c("sleep", ["sleep", "{{inputs.parameters.s}}"], { inputs: input("s") }),
]);
const ref = (template: string) => ({ templateRef: { name: "lib", template } });

describe("DAG ordering and values", () => {
  it("passes parameters from files and results from stdout across templateRefs, in dependency order", async () => {
    const main = wt(
      "main",
      [
        dag("main", [
          { name: "a", ...ref("produce"), arguments: args({ word: "hello" }) },
          { name: "b", depends: "a", ...ref("show"), arguments: args({ text: "{{tasks.a.outputs.parameters.v}}" }) },
          { name: "c", dependencies: ["a"], ...ref("show"), arguments: args({ text: "{{workflow.parameters.p}}" }) },
          {
            name: "d",
            depends: "b && c",
            ...ref("show"),
            arguments: args({ text: "{{tasks.b.outputs.result}}+{{tasks.c.outputs.result}}" }),
          },
          { name: "e", depends: "d", ...ref("show") },
        ]),
      ],
      { entrypoint: "main", arguments: { parameters: [{ name: "p", value: "declared" }] } },
    );
    const r = await run([lib, main], "main", { params: { p: "given" } });
    expect(r.phase).toBe("Succeeded");
    expect(node(r, "main/d").outputs?.result).toBe("hello-x+given");
    // Input resolution: no argument → the input's default.
    expect(node(r, "main/e").outputs?.result).toBe("default-text");
    expect(node(r, "main/d").startedAt!).toBeGreaterThanOrEqual(node(r, "main/b").finishedAt!);
    expect(node(r, "main/d").startedAt!).toBeGreaterThanOrEqual(node(r, "main/c").finishedAt!);
  });

  it("rejects cycles, unknown templateRefs, unknown parameters and unresolvable tags", async () => {
    const cyc = wt(
      "cyc",
      [
        dag("main", [
          { name: "a", depends: "b", ...ref("show") },
          { name: "b", depends: "a", ...ref("show") },
        ]),
      ],
      { entrypoint: "main" },
    );
    await expect(run([lib, cyc], "cyc")).rejects.toThrow(/dependency cycle a → b → a|dependency cycle b → a → b/);
    const unknown = wt("unk", [dag("main", [{ name: "a", templateRef: { name: "lib", template: "nope" } }])], {
      entrypoint: "main",
    });
    await expect(run([lib, unknown], "unk")).rejects.toThrow(/WorkflowTemplate lib has no template nope/);
    const missingWt = wt("mwt", [dag("main", [{ name: "a", templateRef: { name: "gone", template: "x" } }])], {
      entrypoint: "main",
    });
    await expect(run([lib, missingWt], "mwt")).rejects.toThrow(/unknown WorkflowTemplate gone/);
    const tag = wt(
      "tag",
      [dag("main", [{ name: "a", ...ref("show"), arguments: args({ text: "{{workflow.parameters.missing}}" }) }])],
      { entrypoint: "main" },
    );
    await expect(run([lib, tag], "tag", { params: { nope: "1" } })).rejects.toThrow(
      /WorkflowTemplate tag has no parameter nope/,
    );
    const r = await run([lib, tag], "tag");
    expect(r.phase).toBe("Failed");
    expect(node(r, "main/a").phase).toBe("Error");
    expect(node(r, "main/a").message).toMatch(/unresolved tag \{\{workflow\.parameters\.missing\}\}/);
    const noInput = wt("noin", [dag("main", [{ name: "a", ...ref("produce") }])], { entrypoint: "main" });
    const r2 = await run([lib, noInput], "noin");
    expect(node(r2, "main/a").message).toMatch(/input parameter word of lib\/produce not supplied/);
  });
});

describe("when, depends, failFast", () => {
  it("false `when` skips; a bare dependency on a skipped task runs; `.Succeeded` of it is omitted", async () => {
    const main = wt(
      "w",
      [
        dag("main", [
          { name: "a", ...ref("show"), arguments: args({ text: "false" }) },
          { name: "b", depends: "a", when: "{{tasks.a.outputs.result}} == true", ...ref("show") },
          { name: "c", depends: "b", ...ref("show") },
          { name: "d", depends: "b.Succeeded", ...ref("show") },
          {
            name: "e",
            depends: "a",
            when: "'{{tasks.a.outputs.result}}' != 'true' && 2 > 10 || 3 >= 3",
            ...ref("show"),
          },
        ]),
      ],
      { entrypoint: "main" },
    );
    const r = await run([lib, main], "w");
    expect(r.phase).toBe("Succeeded");
    expect(node(r, "main/b").phase).toBe("Skipped");
    expect(node(r, "main/c").phase).toBe("Succeeded");
    expect(node(r, "main/d").phase).toBe("Omitted");
    expect(node(r, "main/e").phase).toBe("Succeeded");
  });

  it("a failure handled by `T.Failed` runs the handler and the DAG succeeds", async () => {
    const main = wt(
      "h",
      [
        dag("main", [
          { name: "a", ...ref("fail") },
          { name: "on-fail", depends: "a.Failed", ...ref("show") },
          { name: "on-ok", depends: "a.Succeeded", ...ref("show") },
        ]),
      ],
      { entrypoint: "main" },
    );
    const r = await run([lib, main], "h");
    expect(node(r, "main/a").phase).toBe("Failed");
    expect(node(r, "main/a").message).toMatch(/exit code 3: error: failing on purpose/);
    expect(node(r, "main/on-fail").phase).toBe("Succeeded");
    expect(node(r, "main/on-ok").phase).toBe("Omitted");
    expect(r.phase).toBe("Succeeded");
  });

  it("failFast: after an unhandled failure no new task starts and the DAG fails", async () => {
    // `slow` ends only after `a` has failed (it waits for a's marker file, then 2 s), whatever the machine load.
    const marker = join(tmpDir("wf-ff"), "a-ran");
    const main = wt(
      "ff",
      [
        c("touch-fail", ["touch-fail", marker]),
        c("wait", ["waitfor", marker, "2"]),
        dag("main", [
          { name: "a", template: "touch-fail" },
          { name: "slow", template: "wait" },
          { name: "after-slow", depends: "slow", ...ref("show") },
        ]),
      ],
      { entrypoint: "main" },
    );
    const r = await run([lib, main], "ff");
    expect(r.phase).toBe("Failed");
    expect(node(r, "main/slow").phase).toBe("Succeeded");
    expect(node(r, "main/after-slow").phase).toBe("Omitted");
    expect(node(r, "main/after-slow").message).toMatch(/not started: a:/);
  });
});

describe("fan-out", () => {
  it("withParam and withItems expand; outputs aggregate into JSON lists", async () => {
    const main = wt(
      "fan",
      [
        dag("main", [
          {
            name: "p",
            ...ref("produce"),
            withParam: "{{workflow.parameters.words}}",
            arguments: args({ word: "{{item.w}}" }),
          },
          { name: "i", ...ref("show"), withItems: ["x", "y", "z"], arguments: args({ text: "{{item}}" }) },
          {
            name: "all",
            depends: "p && i",
            ...ref("show"),
            arguments: args({ text: "{{tasks.p.outputs.parameters.v}} {{tasks.i.outputs.result}}" }),
          },
        ]),
      ],
      { entrypoint: "main", arguments: { parameters: [{ name: "words", value: '[{"w":"a"},{"w":"b"}]' }] } },
    );
    const r = await run([lib, main], "fan");
    expect(r.phase).toBe("Succeeded");
    expect(r.nodes.filter((n) => /^main\/p\(\d:/.test(n.name))).toHaveLength(2);
    expect(node(r, "main/all").outputs?.result).toBe('["a-x","b-x"] ["x","y","z"]');
    const bad = wt("badfan", [dag("main", [{ name: "p", ...ref("show"), withParam: "not json" }])], {
      entrypoint: "main",
    });
    const r2 = await run([lib, bad], "badfan");
    expect(node(r2, "main/p").message).toMatch(/withParam is not a JSON list/);
  });
});

describe("retries and deadlines", () => {
  const flaky = (name: string, failures: number, retryStrategy: T) =>
    c(name, ["flaky", "{{inputs.parameters.counter}}", String(failures)], { inputs: input("counter"), retryStrategy });

  it("retries limit+1 times with exponential backoff, then fails; retryPolicy decides what is retried", async () => {
    const dir = tmpDir("wf-flaky");
    const main = wt(
      "retry",
      [
        flaky("twice-ok", 2, { limit: 2, retryPolicy: "OnFailure", backoff: { duration: "200ms", factor: 2 } }),
        flaky("twice-ko", 2, { limit: "1", backoff: { duration: "100ms" } }),
        flaky("on-error", 1, { limit: 3, retryPolicy: "OnError" }),
        dag("main", [
          { name: "ok", template: "twice-ok", arguments: args({ counter: join(dir, "ok") }) },
          { name: "ko", template: "twice-ko", arguments: args({ counter: join(dir, "ko") }) },
          { name: "oe", template: "on-error", arguments: args({ counter: join(dir, "oe") }) },
        ]),
      ],
      { entrypoint: "main" },
    );
    const r = await run([main], "retry");
    const ok = node(r, "main/ok");
    expect(ok.phase).toBe("Succeeded");
    expect(ok.attempt).toBe(3);
    expect(ok.outputs?.result).toBe("ok after 3");
    // Backoffs 200 ms then 400 ms.
    expect(ok.finishedAt! - ok.startedAt!).toBeGreaterThanOrEqual(600);
    expect(node(r, "main/ko").phase).toBe("Failed");
    expect(node(r, "main/ko").message).toMatch(/after 2 attempts/);
    // OnError does not retry a failed main container.
    expect(node(r, "main/oe").phase).toBe("Failed");
    expect(node(r, "main/oe").attempt).toBe(1);
    expect(r.phase).toBe("Failed");
  });

  it("retryStrategy.expression: the pipeline's expressions retry errors and exit 5, never exit 2, 3 or 4", async () => {
    const dir = tmpDir("wf-expr");
    // Each step fails once with the given exit code, then succeeds; limit 1 leaves room for exactly one retry.
    const failOnce = (name: string, code: number, when: keyof typeof RETRY_WHEN) =>
      c(name, ["flaky", "{{inputs.parameters.counter}}", "1", String(code)], {
        inputs: input("counter"),
        retryStrategy: { limit: 1, retryPolicy: "Always", expression: RETRY_WHEN[when] },
      });
    const cases = [
      ["unavailable", EXIT.unavailable, "transient", "Succeeded"],
      ["crash", EXIT.crash, "transient", "Failed"],
      ["crash-repeatable", EXIT.crash, "unless-verdict", "Succeeded"],
      ["bad-input", EXIT.input, "unless-verdict", "Failed"],
      ["gate-refused", EXIT.gateRefused, "unless-verdict", "Failed"],
      ["bad-config", EXIT.config, "unless-verdict", "Failed"],
    ] as const;
    const main = wt(
      "expr",
      [
        ...cases.map(([name, code, when]) => failOnce(name, code, when)),
        // An input artefact that is not there yet: phase Error (as Argo's failed artefact load), retried.
        c("no-input", ["echo", "x"], {
          inputs: { artifacts: [{ name: "a", path: "/step/a", s3: { key: "absent/key" }, archive: { none: {} } }] },
          retryStrategy: { limit: 1, retryPolicy: "Always", expression: RETRY_WHEN.transient },
        }),
        {
          name: "main",
          dag: {
            failFast: false,
            tasks: [
              ...cases.map(([name]) => ({ name, template: name, arguments: args({ counter: join(dir, name) }) })),
              { name: "no-input", template: "no-input" },
            ],
          },
        },
      ],
      { entrypoint: "main" },
    );
    const r = await run([main], "expr");
    for (const [name, , , phase] of cases) {
      expect(node(r, `main/${name}`).phase, name).toBe(phase);
      expect(node(r, `main/${name}`).attempt, name).toBe(phase === "Succeeded" ? 2 : 1);
    }
    expect(node(r, "main/bad-input").message).toMatch(/exit code 2.*not retried: retryStrategy\.expression is false/);
    expect(node(r, "main/no-input").phase).toBe("Error");
    expect(node(r, "main/no-input").attempt).toBe(2);
    // An expression the runner cannot evaluate is refused before anything runs, by name.
    const bad = wt(
      "bad-expr",
      [
        c("e", ["echo", "x"], { retryStrategy: { limit: 1, expression: "lastRetry.message matches 'x'" } }),
        dag("main", [{ name: "a", template: "e" }]),
      ],
      { entrypoint: "main" },
    );
    await expect(run([bad], "bad-expr")).rejects.toThrow(
      /bad-expr\/e\.retryStrategy\.expression: "matches" is not supported/,
    );
  });

  it("activeDeadlineSeconds kills a step that runs too long", async () => {
    const main = wt(
      "dl",
      [c("slow", ["sleep", "20"], { activeDeadlineSeconds: 1 }), dag("main", [{ name: "s", template: "slow" }])],
      { entrypoint: "main" },
    );
    const t0 = Date.now();
    const r = await run([main], "dl");
    expect(node(r, "main/s").phase).toBe("Failed");
    expect(node(r, "main/s").message).toMatch(/activeDeadlineSeconds 1s exceeded/);
    // Killed long before the 20 s sleep would have ended (generous margin for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(19_000);
  });

  it("backoff.maxDuration ends the retries, cap and --max-backoff shorten the waits", async () => {
    const dir = tmpDir("wf-backoff");
    const main = wt(
      "backoff",
      [
        flaky("bounded", 5, { limit: 4, backoff: { duration: "30s", maxDuration: "10s" } }),
        flaky("capped", 1, { limit: 1, backoff: { duration: "1h", cap: "100ms" } }),
        dag("main", [
          { name: "b", template: "bounded", arguments: args({ counter: join(dir, "b") }) },
          { name: "c", template: "capped", arguments: args({ counter: join(dir, "c") }) },
        ]),
      ],
      { entrypoint: "main" },
    );
    const r = await run([main], "backoff");
    // The first wait (30 s) would end past maxDuration (10 s): no second attempt.
    expect(node(r, "main/b").phase).toBe("Failed");
    expect(node(r, "main/b").attempt).toBe(1);
    expect(node(r, "main/b").message).toMatch(/retry stopped: backoff\.maxDuration 10s reached/);
    expect(node(r, "main/c").phase).toBe("Succeeded");
    expect(node(r, "main/c").attempt).toBe(2);

    const hour = wt(
      "hour",
      [
        flaky("long", 1, { limit: 1, backoff: { duration: "1h" } }),
        dag("main", [{ name: "l", template: "long", arguments: args({ counter: join(dir, "l") }) }]),
      ],
      { entrypoint: "main" },
    );
    const notes: string[] = [];
    const h = await run([hour], "hour", { maxBackoffSeconds: 0.05, onNote: (line) => notes.push(line) });
    expect(node(h, "main/l").phase).toBe("Succeeded");
    expect(node(h, "main/l").attempt).toBe(2);
    expect(notes).toContain("retry backoffs capped at 0.05s (--max-backoff)");
  });

  it("the workflow's activeDeadlineSeconds kills the running step and omits the tasks not started", async () => {
    const main = wt(
      "wdl",
      [
        c("slow", ["sleep", "20"]),
        c("after", ["echo", "x"]),
        dag("main", [
          { name: "s", template: "slow" },
          { name: "a", template: "after", dependencies: ["s"] },
        ]),
      ],
      { entrypoint: "main", activeDeadlineSeconds: 1 },
    );
    const r = await run([main], "wdl");
    expect(r.phase).toBe("Failed");
    expect(r.message).toBe("workflow activeDeadlineSeconds 1s exceeded");
    expect(node(r, "main/s").phase).toBe("Failed");
    expect(node(r, "main/s").message).toBe("workflow activeDeadlineSeconds 1s exceeded");
    expect(node(r, "main/a").phase).toBe("Omitted");
    expect(node(r, "main/a").message).toBe("workflow deadline exceeded");
  });
});

describe("exit handler and artefacts", () => {
  it("runs onExit with workflow.status after a failure, and after a success", async () => {
    const mk = (failing: boolean) =>
      wt(
        failing ? "ex-ko" : "ex-ok",
        [
          dag("main", [{ name: "a", ...ref(failing ? "fail" : "show") }]),
          dag("exit", [
            { name: "rec", ...ref("show"), arguments: args({ text: "{{workflow.status}} {{workflow.name}}" }) },
          ]),
        ],
        { entrypoint: "main", onExit: "exit" },
      );
    const ko = await run([lib, mk(true)], "ex-ko", { workflowName: "ex-ko-1" });
    expect(ko.phase).toBe("Failed");
    expect(ko.exitHandlerPhase).toBe("Succeeded");
    expect(node(ko, "ex-ko-1.onExit/rec").outputs?.result).toBe("Failed ex-ko-1");
    const ok = await run([lib, mk(false)], "ex-ok", { workflowName: "ex-ok-1" });
    expect(ok.phase).toBe("Succeeded");
    expect(node(ok, "ex-ok-1.onExit/rec").outputs?.result).toBe("Succeeded ex-ok-1");
  });

  it("uploads output artefacts under their (hashed) keys and downloads input artefacts", async () => {
    const art = (name: string, path: string, key: string, extra: T = {}) => ({
      name,
      path,
      s3: { key },
      archive: { none: {} },
      ...extra,
    });
    const main = wt(
      "art",
      [
        c("make", ["write", "/step/out/f.txt", "content-{{inputs.parameters.h}}"], {
          inputs: input("h"),
          outputs: {
            artifacts: [
              art("f", "/step/out/f.txt", "t/{{inputs.parameters.h}}/f.txt"),
              art("absent", "/step/none", "t/none", { optional: true }),
            ],
          },
        }),
        c("read", ["cat", "/step/in/f.txt"], {
          inputs: {
            parameters: [{ name: "h" }],
            artifacts: [art("f", "/step/in/f.txt", "t/{{inputs.parameters.h}}/f.txt")],
          },
        }),
        c("read-from", ["cat", "{{inputs.artifacts.g.path}}"], {
          inputs: { artifacts: [{ name: "g", path: "/step/g.txt" }] },
        }),
        dag("main", [
          { name: "make", template: "make", arguments: args({ h: "abc123" }) },
          { name: "read", depends: "make", template: "read", arguments: args({ h: "abc123" }) },
          {
            name: "from",
            depends: "make",
            template: "read-from",
            arguments: { artifacts: [{ name: "g", from: "{{tasks.make.outputs.artifacts.f}}" }] },
          },
        ]),
      ],
      { entrypoint: "main" },
    );
    const r = await run([main], "art");
    expect(r.phase).toBe("Succeeded");
    expect((await store.getBuffer(store.url("t/abc123/f.txt"))).toString()).toBe("content-abc123");
    expect(node(r, "main/read").outputs?.result).toBe("content-abc123");
    expect(node(r, "main/from").outputs?.result).toBe("content-abc123");
  });
});

describe("memoize", () => {
  it("a step succeeded under the same key (within maxAge) is not run again; its outputs are reused", async () => {
    const dir = tmpDir("wf-memo");
    const cache = `memo-${randomBytes(4).toString("hex")}`;
    const memoized = (maxAge: string) =>
      wt(
        "memo",
        [
          c("count", ["flaky", join(dir, "{{inputs.parameters.key}}"), "{{inputs.parameters.fail}}"], {
            inputs: { parameters: [{ name: "key" }, { name: "fail", default: "0" }] },
            memoize: { key: "count-{{inputs.parameters.key}}", maxAge, cache: { configMap: { name: cache } } },
          }),
          dag("main", [
            {
              name: "a",
              template: "count",
              arguments: args({ key: "{{workflow.parameters.key}}", fail: "{{workflow.parameters.fail}}" }),
            },
          ]),
        ],
        {
          entrypoint: "main",
          arguments: {
            parameters: [
              { name: "key", value: "k1" },
              { name: "fail", value: "0" },
            ],
          },
        },
      );
    const first = await run([memoized("1h")], "memo");
    expect(node(first, "main/a").outputs?.result).toBe("ok after 1");
    const again = await run([memoized("1h")], "memo");
    expect(node(again, "main/a").phase).toBe("Succeeded");
    expect(node(again, "main/a").message).toMatch(new RegExp(`memoized: ${cache}/count-k1`));
    // The step did not run (its counter did not move) and its saved outputs are the node's.
    expect(node(again, "main/a").outputs?.result).toBe("ok after 1");
    expect(node(again, "main/a").attempt).toBeUndefined();
    // Another key runs.
    const other = await run([memoized("1h")], "memo", { params: { key: "k2" } });
    expect(node(other, "main/a").outputs?.result).toBe("ok after 1");
    // An entry older than maxAge is not trusted: the step runs again (its counter moves to 2).
    const stale = await run([memoized("1ms")], "memo");
    expect(node(stale, "main/a").outputs?.result).toBe("ok after 2");
    // A failure is not memoized: the next run under that key runs the step.
    const failing = await run([memoized("1h")], "memo", { params: { key: "k3", fail: "1" } });
    expect(node(failing, "main/a").phase).toBe("Failed");
    const retried = await run([memoized("1h")], "memo", { params: { key: "k3", fail: "1" } });
    expect(node(retried, "main/a").outputs?.result).toBe("ok after 2");
  });
});

describe("synchronization mutex", () => {
  const mutexed = (name: string, mutex: string, step: T) =>
    wt(name, [step, dag("main", [{ name: "a", template: String(step.name) }])], {
      entrypoint: "main",
      synchronization: { mutexes: [{ name: mutex }] },
    });

  it("refuses a second run of a pipeline holding a mutex while the first runs (exit 5), then allows it", async () => {
    const mutex = `test-mutex-${randomBytes(4).toString("hex")}`;
    const dir = tmpDir("wf-mutex");
    const release = join(dir, "release");
    const started = join(dir, "started");
    // The first run's step says it started, then waits until the test lets it end.
    const first = mutexed("held", mutex, c("hold", ["waitfor", release], {}));
    const firstRun = run([first], "held", {
      workflowName: "first",
      onChange: (n) => {
        if (n.name === "main/a" && n.phase === "Running") writeFileSync(started, "x");
      },
    });
    while (!existsSync(started)) await new Promise((r) => setTimeout(r, 20));

    const second = mutexed("held", mutex, c("hold", ["echo", "second"], {}));
    const refused = await run([second], "held", { workflowName: "second" }).catch((e) => e);
    expect(refused.exitCode).toBe(EXIT.unavailable);
    expect(refused.message).toMatch(
      new RegExp(`workflow second not started: mutex ${mutex} is held by workflow first \\(pid ${process.pid}`),
    );

    // The same refusal through the CLI, as a second `cosmo workflows run-local` would see it.
    const yamlDir = join(dir, "rendered");
    mkdirSync(yamlDir);
    writeFileSync(join(yamlDir, "held.yaml"), toYaml(second.doc));
    const cli = await runNode([COSMO_BIN, "workflows", "run-local", "held", "--dir", yamlDir, "--name", "third"], {
      env: testEnv({ store }),
    });
    expect(cli.code, cli.stderr).toBe(EXIT.unavailable);
    expect(cli.stderr).toMatch(
      new RegExp(`error: workflow third not started: mutex ${mutex} is held by workflow first`),
    );

    writeFileSync(release, "x");
    expect((await firstRun).phase).toBe("Succeeded");
    // Released at the end of the first run: the next one runs.
    const after = await run([second], "held", { workflowName: "after" });
    expect(after.phase).toBe("Succeeded");
    expect(node(after, "main/a").outputs?.result).toBe("second");
  });

  it("takes over a mutex whose holder is gone (a killed run)", async () => {
    const mutex = `test-mutex-${randomBytes(4).toString("hex")}`;
    const lockDir = tmpDir("wf-locks");
    const dead = await new Promise<number>((resolve) => {
      let pid = 0;
      void runNode(["-e", ""], { onSpawn: (p) => (pid = p) }).then(() => resolve(pid));
    });
    writeFileSync(
      join(lockDir, `${mutex}.lock`),
      JSON.stringify({ workflow: "killed", pid: dead, startedAt: new Date().toISOString() }),
    );
    const r = await run([mutexed("m", mutex, c("e", ["echo", "ran"], {}))], "m", { lockDir });
    expect(r.phase).toBe("Succeeded");
    expect(existsSync(join(lockDir, `${mutex}.lock`))).toBe(false);
  });
});

describe("what the runner cannot honour", () => {
  it("refuses memoize on a DAG, non-container templates and unknown fields by name; notes cluster-only fields", async () => {
    const memo = wt(
      "memo",
      [
        dag("d", [{ name: "x", template: "m" }], {
          memoize: { key: "k", maxAge: "1h", cache: { configMap: { name: "c" } } },
        }),
        c("m", ["echo", "x"]),
        dag("main", [{ name: "a", template: "d" }]),
      ],
      { entrypoint: "main" },
    );
    await expect(run([memo], "memo")).rejects.toThrow(/memo\/d: memoize on a dag template is not supported locally/);
    const script = wt(
      "scr",
      [{ name: "s", script: { image: "x", source: "echo" } }, dag("main", [{ name: "a", template: "s" }])],
      { entrypoint: "main" },
    );
    await expect(run([script], "scr")).rejects.toThrow(/scr\/s: script template type/);
    const hooks = wt(
      "hk",
      [c("e", ["echo", "x"]), dag("main", [{ name: "a", template: "e", hooks: { exit: { template: "e" } } }])],
      { entrypoint: "main" },
    );
    await expect(run([hooks], "hk")).rejects.toThrow(/hk\/main\/a: task field "hooks" is not supported/);
    const cmd = wt(
      "cmd",
      [
        { name: "e", container: { name: "main", image: "x", command: ["sh", "-c"], args: ["true"] } },
        dag("main", [{ name: "a", template: "e" }]),
      ],
      { entrypoint: "main" },
    );
    await expect(run([cmd], "cmd")).rejects.toThrow(/image entrypoint `cosmo` only/);
    const sync = wt(
      "sync",
      [
        c("e", ["echo", "x"], { synchronization: { semaphores: [{ configMapKeyRef: { name: "sem", key: "k" } }] } }),
        dag("main", [{ name: "a", template: "e" }]),
      ],
      { entrypoint: "main", podGC: { strategy: "OnPodSuccess" }, ttlStrategy: { secondsAfterSuccess: 10 } },
    );
    const notes: string[] = [];
    const r = await run([sync], "sync", { onNote: (l) => notes.push(l) });
    expect(r.phase).toBe("Succeeded");
    expect(notes.join("\n")).toMatch(/synchronization \(sync\/e: semaphore sem\/k/);
    expect(notes.join("\n")).toMatch(/podGC/);
    expect(notes.join("\n")).toMatch(/ttlStrategy/);
  });
});
