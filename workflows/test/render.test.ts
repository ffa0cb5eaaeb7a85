// biome-ignore-all lint/suspicious/noExplicitAny: tests poke at loosely typed YAML/JSON documents
// The rendered YAML: committed and fresh, YAML-1.1 safe, valid for Argo three ways, and the validators
// themselves catch the mistakes they are there for.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { checkCommitted } from "../committed.ts";
import { buildDocs, DEFAULT_OUT, readRendered, toYaml } from "../render.ts";
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
