// biome-ignore-all lint/suspicious/noExplicitAny: tests poke at loosely typed YAML/JSON documents
// The rendered YAML: committed and fresh, YAML-1.1 safe, valid for Argo three ways, and the validators
// themselves catch the mistakes they are there for.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { EXIT } from "../../core/errors.ts";
import { checkCommitted } from "../committed.ts";
import { DEFAULT_OUT } from "../defaults.ts";
import { buildDocs, readRendered, toYaml } from "../render.ts";
import { evaluateRetryExpression } from "../runner/expr.ts";
import { formatProblem, lintTags, validateAll, validateDoc } from "../validate.ts";

describe("rendered templates", () => {
  it("the committed chart/files/workflows is exactly a fresh render", () => {
    expect(checkCommitted(DEFAULT_OUT)).toEqual([]);
  });

  it("every committed document validates (Argo schema, CRD schema with unknown fields forbidden, models, tags)", () => {
    const docs = readRendered(DEFAULT_OUT);
    expect(docs.map((d) => d.file)).toEqual(
      expect.arrayContaining([
        "cosmo-fetch.yaml",
        "cosmo-extract.yaml",
        "cosmo-merge.yaml",
        "cosmo-import.yaml",
        "cosmo-dashboard.yaml",
        "cosmo-seed-tiles.yaml",
        "cosmo-export-tiles.yaml",
        "cosmo-publish.yaml",
        "cosmo-exit-handler.yaml",
        "cosmo-update.yaml",
        "cronworkflow.yaml",
      ]),
    );
    expect(validateAll(docs).map(formatProblem)).toEqual([]);
  }, 60_000);

  it("reads back identically as YAML 1.1 (no `no`/`on`/octal surprises)", () => {
    for (const { file, doc } of buildDocs()) {
      const text = readFileSync(join(DEFAULT_OUT, file), "utf8");
      expect(YAML.parse(text, { version: "1.1" }), file).toEqual(doc);
    }
    // The trap itself: a region called "no" must stay a string for Helm/Kubernetes.
    const text = toYaml({ a: "no", b: "on", c: "0755", d: "y" });
    expect(YAML.parse(text, { version: "1.1" })).toEqual({ a: "no", b: "on", c: "0755", d: "y" });
  });

  it("has the pipeline's required properties", () => {
    const docs = new Map(buildDocs().map((d) => [d.file, d.doc as any]));
    const cron = docs.get("cronworkflow.yaml");
    expect(cron.spec.schedules).toEqual(expect.any(Array));
    expect(cron.spec.schedule).toBeUndefined();
    expect(cron.spec.concurrencyPolicy).toBe("Forbid");
    // templateReferencing: Strict: the scheduled workflow only references the template.
    expect(Object.keys(cron.spec.workflowSpec).sort()).toEqual(["arguments", "workflowTemplateRef"]);
    const update = docs.get("cosmo-update.yaml");
    expect(update.spec.onExit).toBe("exit-handler");
    expect(
      JSON.parse(update.spec.arguments.parameters.find((p: any) => p.name === "regions").value).map((r: any) => r.name),
    ).toContain("europe");
    for (const [file, doc] of docs) {
      if (doc.kind !== "WorkflowTemplate") continue;
      expect(doc.spec.podGC, file).toBeDefined();
      expect(doc.spec.ttlStrategy, file).toBeDefined();
      expect(doc.spec.artifactRepositoryRef, file).toBeDefined();
      for (const t of doc.spec.templates.filter((x: any) => x.container)) {
        expect(t.activeDeadlineSeconds, `${file} ${t.name}`).toBeGreaterThan(0);
        expect(t.container.resources.requests, `${file} ${t.name}`).toBeDefined();
        expect(t.container.resources.limits, `${file} ${t.name}`).toBeDefined();
        expect(Number.isInteger(t.retryStrategy.limit), `${file} ${t.name}`).toBe(true);
        for (const a of t.outputs?.artifacts ?? [])
          expect(a.s3.key, `${file} ${t.name}`).toMatch(/\{\{inputs\.parameters\.(key|hash)\}\}/);
      }
    }
    expect(
      docs.get("cosmo-extract.yaml").spec.templates.find((t: any) => t.name === "extract").synchronization.semaphores,
    ).toHaveLength(1);
  });
});

describe("production knobs in the committed YAML (issue 20, issue 19 item 2)", () => {
  const docs = new Map(readRendered(DEFAULT_OUT).map((d) => [d.file, d.doc as any]));
  const wfts = [...docs.entries()].filter(([, d]) => d.kind === "WorkflowTemplate");
  const containers = wfts.flatMap(([file, d]) =>
    d.spec.templates.filter((t: any) => t.container).map((t: any) => ({ where: `${file} ${t.name}`, t })),
  );
  const template = (file: string, name: string) =>
    docs.get(file).spec.templates.find((t: any) => t.name === name) ?? expect.fail(`${file} has no ${name}`);
  const update = docs.get("cosmo-update.yaml");
  const task = (name: string) =>
    update.spec.templates.find((t: any) => t.name === "update").dag.tasks.find((t: any) => t.name === name) ??
    expect.fail(`no task ${name}`);

  it("memoize: extract and export-tiles, keyed by the input key, with a cache ConfigMap and maxAge", () => {
    const memoized = containers.filter(({ t }) => t.memoize).map(({ where }) => where);
    expect(memoized.sort()).toEqual(["cosmo-export-tiles.yaml export", "cosmo-extract.yaml extract"]);
    for (const { t } of containers.filter(({ t }) => t.memoize)) {
      expect(t.memoize.key).toMatch(/^[a-z-]+-\{\{inputs\.parameters\.key\}\}$/);
      expect(t.inputs.parameters.map((p: any) => p.name)).toContain("key");
      expect(t.memoize.cache.configMap.name).toBe("cosmo-workflows-memo");
      expect(t.memoize.maxAge).toMatch(/^\d+h$/);
    }
  });

  it("mutex: cosmo-update holds a synchronization mutex named after itself", () => {
    expect(update.spec.synchronization).toEqual({ mutexes: [{ name: "cosmo-update" }] });
  });

  it("retries: every step has backoff (duration, factor, maxDuration) and an expression that never retries exit 2, 3, 4", () => {
    for (const { where, t } of containers) {
      const rs = t.retryStrategy;
      expect(rs.backoff, where).toMatchObject({
        duration: expect.any(String),
        factor: 2,
        maxDuration: expect.any(String),
      });
      expect(rs.retryPolicy, where).toBe("Always");
      const retried = (status: "Failed" | "Error", code: number) =>
        evaluateRetryExpression(rs.expression, { exitCode: String(code), status, duration: "1", message: "" }, where);
      for (const code of [EXIT.input, EXIT.gateRefused, EXIT.config])
        expect(retried("Failed", code), `${where} ${code}`).toBe(false);
      expect(retried("Failed", EXIT.unavailable), where).toBe(true);
      expect(retried("Error", -1), where).toBe(true);
    }
    // Verdict steps do not retry a crash either.
    for (const [file, name] of [
      ["cosmo-extract.yaml", "extract"],
      ["cosmo-merge.yaml", "merge"],
      ["cosmo-import.yaml", "import"],
      ["cosmo-publish.yaml", "publish"],
      ["cosmo-publish.yaml", "gate-report"],
    ] as const) {
      const rs = template(file, name).retryStrategy;
      expect(
        evaluateRetryExpression(rs.expression, { exitCode: "1", status: "Failed", duration: "1", message: "" }, name),
      ).toBe(false);
    }
  });

  it("housekeeping: podGC, ttl, deadlines per step and workflow, archiveLogs off, artifactGC on the intermediate artefact", () => {
    for (const [file, d] of wfts) {
      expect(d.spec.podGC, file).toEqual({ strategy: "OnPodSuccess" });
      expect(d.spec.ttlStrategy.secondsAfterSuccess, file).toBeGreaterThan(0);
      expect(d.spec.ttlStrategy.secondsAfterFailure, file).toBeGreaterThan(0);
      expect(d.spec.activeDeadlineSeconds, file).toBeGreaterThan(0);
      expect(d.spec.archiveLogs, file).toBe(false);
      expect(d.spec.artifactGC, file).toEqual({ serviceAccountName: "cosmo-workflows", forceFinalizerRemoval: true });
    }
    for (const { where, t } of containers) expect(t.activeDeadlineSeconds, where).toBeGreaterThan(0);
    const gced = containers.flatMap(({ where, t }) =>
      (t.outputs?.artifacts ?? [])
        .filter((a: any) => a.artifactGC)
        .map((a: any) => `${where} ${a.name} ${a.artifactGC.strategy}`),
    );
    // The merged file, the extracts (the input-key cache), the sources and the archives stay.
    expect(gced).toEqual(["cosmo-dashboard.yaml dashboard dashboard OnWorkflowDeletion"]);
  });

  it("metrics: every step's duration, the run's duration, zones extracted and imported, the gate verdicts", () => {
    for (const { where, t } of containers)
      expect(
        t.metrics.prometheus.map((m: any) => m.name),
        where,
      ).toContain("cosmo_step_duration_seconds");
    expect(update.spec.metrics.prometheus.map((m: any) => m.name)).toEqual(["cosmo_update_duration_seconds"]);
    const metric = (file: string, name: string, metricName: string) =>
      template(file, name).metrics.prometheus.filter((m: any) => m.name === metricName);
    expect(metric("cosmo-extract.yaml", "extract", "cosmo_zones_extracted")[0].gauge.value).toBe(
      "{{outputs.parameters.zone-count}}",
    );
    expect(template("cosmo-extract.yaml", "extract").outputs.parameters.map((p: any) => p.name)).toContain(
      "zone-count",
    );
    expect(metric("cosmo-publish.yaml", "is-served", "cosmo_zones_imported")[0].gauge.value).toBe(
      "{{outputs.parameters.zone-count}}",
    );
    const gate = metric("cosmo-publish.yaml", "publish", "cosmo_publish_gate_total");
    expect(gate.map((m: any) => [m.labels[0].value, m.when, m.counter.value])).toEqual([
      ["passed", "{{exitCode}} == 0", "1"],
      ["refused", `{{exitCode}} == ${EXIT.gateRefused}`, "1"],
    ]);
  });

  it("export-tiles: after import, skipped on its input key, stored under the version; published to latest after publish", () => {
    expect(task("export-check").depends).toBe("served-check");
    expect(task("export-tiles").depends).toBe("export-check");
    expect(task("export-tiles").when).toMatch(/\{\{tasks\.export-check\.outputs\.result\}\} == false/);
    expect(task("gate-report").depends).toMatch(/export-tiles/);
    expect(task("publish-tiles").depends).toBe("publish");
    const exp = template("cosmo-export-tiles.yaml", "export");
    expect(exp.outputs.artifacts[0].s3.key).toBe(
      "tiles/{{inputs.parameters.version}}/{{inputs.parameters.key}}.pmtiles",
    );
    expect(exp.container.args.slice(0, 3)).toEqual(["workflows", "step", "export-tiles"]);
  });
});

describe("validators catch mistakes", () => {
  const base = () => structuredClone(buildDocs().find((d) => d.file === "cosmo-extract.yaml")!);

  it("a typo in a field name fails the CRD schema (unknown fields forbidden)", () => {
    const d = base();
    (d.doc as any).spec.templates[0].retryStrategy.limt = 2;
    const problems = validateDoc(d);
    expect(problems.some((p) => p.check === "crd" && /limt/.test(p.message))).toBe(true);
  }, 60_000);

  it("a bad enum fails; an integer retry limit passes thanks to the IntOrString patch", () => {
    const d = base();
    (d.doc as any).spec.templates[0].retryStrategy.retryPolicy = "Sometimes";
    const problems = validateDoc(d);
    expect(problems.some((p) => p.check === "crd" && /allowed values|enum/.test(p.message))).toBe(true);
    expect(problems.some((p) => p.check === "schema" && /limit/.test(p.message))).toBe(false);
  }, 60_000);

  it("a wrong type fails the Argo JSON schema and the models' validate()", () => {
    const d = base();
    (d.doc as any).spec.templates[0].container.args = "extract -i x";
    const checks = new Set(validateDoc(d).map((p) => p.check));
    expect(checks).toContain("schema");
    expect(checks).toContain("model");
  }, 60_000);

  it("v4 removed the singular CronWorkflow `schedule`", () => {
    const cron = structuredClone(buildDocs().find((d) => d.file === "cronworkflow.yaml")!);
    (cron.doc as any).spec.schedule = "0 2 * * *";
    expect(validateDoc(cron).some((p) => p.check === "crd" && /schedule/.test(p.message))).toBe(true);
  }, 60_000);

  it("tags with inner spaces are linted out", () => {
    expect(lintTags("x.yaml", { a: ["{{ workflow.name }}", "{{workflow.name}}"] }).map((p) => p.message)).toEqual([
      '/a/0: tag "{{ workflow.name }}" has inner spaces (write {{workflow.name}})',
    ]);
  });
});
