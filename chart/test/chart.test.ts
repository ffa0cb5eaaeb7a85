// The Helm chart, rendered by the real helm (v4 from .tools/ or the one on PATH) for several value sets, and
// every rendered object checked: Kubernetes/Argo schemas, references between objects, probe paths that the
// services really serve, Secrets only referenced, YAML 1.1 readings, values.schema.json refusals.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { MEMO_MAX_AGE, WORK } from "../../workflows/templates/common.ts";
import {
  configMapProblems,
  ingressProblems,
  nginxLocations,
  probePaths,
  rbacProblems,
  scalingProblems,
  schemaProblems,
  secretRefs,
  serviceProblems,
  serviceRoutes,
  walk,
  workflowRefProblems,
} from "./checks.ts";
import { CHART_DIR, chart, type Doc, helmVersion, lint, render, runHelm, template } from "./helm.ts";

const noAutoscaling = {
  enabled: false,
  minReplicas: 1,
  maxReplicas: 1,
  targetCPUUtilizationPercentage: 70,
  scaleDownStabilizationSeconds: 300,
  scaleDownPercentPerMinute: 50,
};

/** Value sets a real install uses; `secrets` lists the Secret names each may reference (the existingSecret values). */
const VALUE_SETS: Record<string, { values: object; secrets: string[] }> = {
  defaults: { values: {}, secrets: ["cosmo-database", "cosmo-storage"] },
  "external db and S3": {
    values: {
      database: { existingSecret: "prod-pg", urlKey: "url" },
      storage: {
        endpoint: "https://s3.eu-west-1.amazonaws.com",
        bucket: "cosmo-prod",
        region: "eu-west-1",
        existingSecret: "prod-s3",
        accessKeyKey: "id",
        secretKeyKey: "secret",
      },
      image: { registry: "registry.example.org/osm", tag: "2026.11.1", pullPolicy: "Always", pullSecrets: ["regcred"] },
    },
    secrets: ["prod-pg", "prod-s3", "regcred"],
  },
  "in-chart PostGIS and MinIO": {
    values: {
      postgis: { enabled: true, existingSecret: "pg-password" },
      minio: { enabled: true },
      database: { existingSecret: "" },
    },
    secrets: ["pg-password", "cosmo-storage"],
  },
  "ingress off": { values: { ingress: { enabled: false } }, secrets: ["cosmo-database", "cosmo-storage"] },
  "autoscaling and PDBs off": {
    values: Object.fromEntries(
      ["api", "tiles", "web"].map((c) => [
        c,
        { replicas: 3, autoscaling: noAutoscaling, pdb: { enabled: false, minAvailable: 1 } },
      ]),
    ),
    secrets: ["cosmo-database", "cosmo-storage"],
  },
  "TLS on": {
    values: {
      ingress: {
        className: "nginx",
        hosts: ["zones.example.org", "www.zones.example.org"],
        tls: { enabled: true, secretName: "zones-tls" },
      },
    },
    secrets: ["cosmo-database", "cosmo-storage", "zones-tls"],
  },
  "workflows off": { values: { workflows: { enabled: false } }, secrets: ["cosmo-database", "cosmo-storage"] },
  "read replica and ServiceMonitor": {
    values: {
      database: { read: { existingSecret: "pg-replica", urlKey: "uri" } },
      metrics: { serviceMonitor: { enabled: true, labels: { release: "kube-prometheus-stack" } } },
    },
    secrets: ["cosmo-database", "cosmo-storage", "pg-replica"],
  },
  "workflows housekeeping": {
    values: {
      workflows: {
        podGC: { strategy: "OnWorkflowSuccess" },
        ttl: { secondsAfterSuccess: 60, secondsAfterFailure: 120 },
        activeDeadlineSeconds: 3600,
        archiveLogs: true,
        artifactGC: { forceFinalizerRemoval: false },
        memoize: { maxAge: "24h" },
      },
    },
    secrets: ["cosmo-database", "cosmo-storage"],
  },
};

const rendered = new Map<string, { text: string; docs: Doc[] }>();
const kinds = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);
const byName = (docs: Doc[], kind: string, name: string) => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`${kind}/${name} not rendered`);
  return d;
};

beforeAll(async () => {
  await chart();
  for (const [name, set] of Object.entries(VALUE_SETS)) rendered.set(name, await render(set.values));
}, 120_000);

describe(`chart (${(() => {
  try {
    return helmVersion();
  } catch (e) {
    return (e as Error).message;
  }
})()})`, () => {
  it("passes helm lint --strict with the default values and every value set", async () => {
    for (const [name, set] of Object.entries(VALUE_SETS)) {
      const r = await lint(set.values);
      expect(r.ok, `${name}: ${r.stdout}${r.stderr}`).toBe(true);
      expect(r.stdout).toContain("0 chart(s) failed");
    }
  });

  describe.each(Object.keys(VALUE_SETS))("%s", (setName) => {
    const get = () => rendered.get(setName)!;

    it("renders only objects valid against the Kubernetes and Argo schemas", async () => {
      const { docs } = get();
      expect(docs.length).toBeGreaterThan(10);
      expect(await schemaProblems(docs)).toEqual([]);
    });

    it("has no dangling references (Services, HPAs, PDBs, Ingress, ConfigMaps, RBAC, templateRefs)", () => {
      const { docs } = get();
      expect([
        ...serviceProblems(docs),
        ...scalingProblems(docs),
        ...ingressProblems(docs),
        ...configMapProblems(docs),
        ...rbacProblems(docs),
        ...workflowRefProblems(docs),
      ]).toEqual([]);
    });

    it("references only the documented existing Secrets and never renders one", () => {
      const { docs, text } = get();
      expect(kinds(docs, "Secret")).toEqual([]);
      const names = new Set(secretRefs(docs).map((r) => r.name));
      expect([...names].filter((n) => !VALUE_SETS[setName].secrets.includes(n))).toEqual([]);
      // No literal credentials in env: every env var that looks like one comes from a secretKeyRef.
      const literal: string[] = [];
      for (const d of docs) {
        walk(d, (node, path) => {
          if (
            /\/env\/\d+$/.test(path) &&
            typeof node.value === "string" &&
            /PASSWORD|SECRET|TOKEN|ACCESS_KEY/.test(node.name)
          )
            literal.push(`${d.kind}/${d.metadata.name} ${node.name}`);
          if (
            /\/env\/\d+$/.test(path) &&
            node.name === "DATABASE_URL" &&
            typeof node.value === "string" &&
            !node.value.includes("$(COSMO_DB_PASSWORD)")
          )
            literal.push(`${d.kind}/${d.metadata.name} DATABASE_URL=${node.value}`);
        });
      }
      expect(literal).toEqual([]);
      expect(text).not.toMatch(/^\s*(password|secretKey|accessKey|token):\s*[^\s$]/im);
    });

    it("reads the same as YAML 1.1 (Kubernetes) and YAML 1.2 (no `no`/`on`/octal surprises), ConfigMap data all strings", () => {
      const { text, docs } = get();
      const as12 = YAML.parseAllDocuments(text, { version: "1.2" })
        .map((d) => d.toJS())
        .filter(Boolean);
      expect(as12).toEqual(docs);
      for (const cm of kinds(docs, "ConfigMap")) {
        for (const [k, v] of Object.entries(cm.data ?? {}))
          expect(typeof v, `ConfigMap/${cm.metadata.name} ${k}`).toBe("string");
      }
    });
  });

  it("probes only paths the services serve (api/app.ts, tiles/app.ts, the explorer nginx config)", () => {
    const { docs } = rendered.get("defaults")!;
    const served: Record<string, Set<string>> = {
      api: serviceRoutes("api"),
      tiles: serviceRoutes("tiles"),
      web: nginxLocations(),
    };
    const probes = probePaths(docs).filter((p) => p.component in served);
    expect(probes.map((p) => p.component).sort()).toEqual(["api", "tiles", "web"]);
    for (const p of probes) {
      expect(p.paths.length, p.owner).toBeGreaterThanOrEqual(3);
      for (const path of p.paths) expect(served[p.component].has(path), `${p.owner} probes ${path}`).toBe(true);
    }
    // api and tiles are only ready when their readiness endpoint says so (database up, dataset served).
    for (const c of ["api", "tiles"]) {
      const d = byName(docs, "Deployment", `rel-cosmo-${c}`);
      expect(d.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe("/readyz");
      expect(d.spec.template.spec.containers[0].livenessProbe.httpGet.path).toBe("/healthz");
    }
  });

  it("scales each service on its own with an HPA that scales down slowly after a peak", () => {
    const { docs } = rendered.get("defaults")!;
    const hpas = kinds(docs, "HorizontalPodAutoscaler");
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([
      "rel-cosmo-api",
      "rel-cosmo-tiles",
      "rel-cosmo-web",
    ]);
    for (const h of hpas) {
      expect(h.apiVersion).toBe("autoscaling/v2");
      expect(h.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(60);
      expect(h.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    }
    // With an HPA the Deployment leaves replicas to it (else every upgrade would reset the scale).
    for (const d of kinds(docs, "Deployment")) expect(d.spec.replicas).toBeUndefined();
    const off = rendered.get("autoscaling and PDBs off")!.docs;
    expect(kinds(off, "HorizontalPodAutoscaler")).toEqual([]);
    expect(kinds(off, "PodDisruptionBudget")).toEqual([]);
    for (const d of kinds(off, "Deployment")) expect(d.spec.replicas).toBe(3);
  });

  it("runs every container as non-root with a read-only root filesystem, resources set", () => {
    for (const [setName, { docs }] of rendered) {
      for (const d of kinds(docs, "Deployment")) {
        const spec = d.spec.template.spec;
        expect(spec.securityContext.runAsNonRoot, `${setName} ${d.metadata.name}`).toBe(true);
        expect(spec.automountServiceAccountToken).toBe(false);
        for (const c of spec.containers) {
          expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
          expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
          expect(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory).toBeTruthy();
        }
      }
    }
  });

  it("routes the Ingress to the web nginx, with TLS only when asked", () => {
    const plain = byName(rendered.get("defaults")!.docs, "Ingress", "rel-cosmo");
    expect(plain.spec.tls).toBeUndefined();
    expect(plain.spec.ingressClassName).toBeUndefined();
    expect(plain.spec.rules[0].http.paths[0].backend.service.name).toBe("rel-cosmo-web");
    const tls = byName(rendered.get("TLS on")!.docs, "Ingress", "rel-cosmo");
    expect(tls.spec.ingressClassName).toBe("nginx");
    expect(tls.spec.tls).toEqual([{ hosts: ["zones.example.org", "www.zones.example.org"], secretName: "zones-tls" }]);
    expect(tls.spec.rules.map((r: any) => r.host)).toEqual(["zones.example.org", "www.zones.example.org"]);
    expect(kinds(rendered.get("ingress off")!.docs, "Ingress")).toEqual([]);
  });

  it("points the web nginx at the API and tiles Services and the store's data prefix", () => {
    const { docs } = rendered.get("defaults")!;
    const cm = byName(docs, "ConfigMap", "rel-cosmo-nginx");
    const api = byName(docs, "Service", "rel-cosmo-api");
    const tiles = byName(docs, "Service", "rel-cosmo-tiles");
    expect(cm.data.COSMO_API_UPSTREAM).toBe(`rel-cosmo-api:${api.spec.ports[0].port}`);
    expect(cm.data.COSMO_TILES_UPSTREAM).toBe(`rel-cosmo-tiles:${tiles.spec.ports[0].port}`);
    expect(cm.data.COSMO_DATA_UPSTREAM).toBe("http://minio:9000/cosmo/www/data/");
    expect(JSON.parse(cm.data["config.json"])).toEqual({
      basemapStyle: "",
      apiBase: "/api",
      tilesBase: "/tiles",
      dataBase: "/data",
    });
  });

  it("mounts one config file that core/config.ts accepts, with connection settings from env", async () => {
    const { docs } = rendered.get("defaults")!;
    const cm = byName(docs, "ConfigMap", "rel-cosmo-config");
    const { ConfigSchema, substituteEnv } = await import("../../core/config.ts");
    const env = {
      DATABASE_URL: "postgresql://u:p@db/cosmo",
      S3_ENDPOINT: "http://minio:9000",
      S3_ACCESS_KEY: "a",
      S3_SECRET_KEY: "b",
    };
    const parsed = YAML.parse(substituteEnv(cm.data["config.yaml"], env), { version: "1.1" });
    const config = ConfigSchema.parse(parsed);
    expect(config.database.url).toBe(env.DATABASE_URL);
    expect(config.api.port).toBe(3000);
    expect(config.tiles.port).toBe(3001);
    expect(config.gate.maxTotalDropPercent).toBe(5);
    // The batch steps write the dashboard and change reports where the web pods proxy /data/ to.
    expect(config.data.publicDir).toBe("s3://cosmo/www/data");
    const nginx = byName(docs, "ConfigMap", "rel-cosmo-nginx");
    expect(nginx.data.COSMO_DATA_UPSTREAM).toBe(`${env.S3_ENDPOINT}/${config.data.publicDir.slice(5)}/`);
    expect(cm.data["config.yaml"]).not.toMatch(/postgresql:\/\/|secretKey: [^$]/);
    const env2 = byName(docs, "ConfigMap", "rel-cosmo-env");
    expect(env2.data.S3_ENDPOINT).toBe("http://minio:9000");
  });

  it("ships the rendered WorkflowTemplates with images, env, config and service account from values", async () => {
    const { docs } = rendered.get("external db and S3")!;
    const wfts = kinds(docs, "WorkflowTemplate");
    expect(wfts.map((w) => w.metadata.name)).toContain("cosmo-update");
    let containers = 0;
    for (const w of wfts) {
      expect(w.spec.serviceAccountName).toBe("cosmo-workflows");
      expect(w.spec.imagePullSecrets).toEqual([{ name: "regcred" }]);
      for (const t of w.spec.templates) {
        const c = t.container ?? t.script;
        if (!c) continue;
        containers++;
        expect(c.image, `${w.metadata.name}/${t.name}`).toMatch(
          /^registry\.example\.org\/osm\/cosmo-(importer|extractor|api|tiles|web):2026\.11\.1$/,
        );
        expect(c.envFrom).toEqual([{ configMapRef: { name: "rel-cosmo-env" } }]);
        const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
        expect(env.DATABASE_URL.valueFrom.secretKeyRef).toEqual({ name: "prod-pg", key: "url" });
        expect(env.S3_SECRET_KEY.valueFrom.secretKeyRef).toEqual({ name: "prod-s3", key: "secret" });
        expect(env.COSMO_CONFIG.value).toBe("/etc/cosmo/config.yaml");
        // The steps' files go under WORK (the templates' paths): the scratch emptyDir must be mounted there.
        expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(["/etc/cosmo", WORK]));
      }
      const bucket = w.spec.arguments?.parameters?.find((p: any) => p.name === "bucket");
      if (bucket) expect(bucket.value).toBe("cosmo-prod");
    }
    expect(containers).toBeGreaterThan(3);
    // Argo's own {{…}} tags come through untouched (Helm never parses the workflow files as templates).
    const tags = (text: string) => new Set(text.match(/\{\{[^{}]*\}\}/g) ?? []);
    const dir = join(await chart(), "files/workflows");
    for (const w of wfts) {
      const source = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), "utf8"))
        .find(
          (t) =>
            YAML.parse(t, { version: "1.1" })?.metadata?.name === w.metadata.name &&
            t.includes("kind: WorkflowTemplate"),
        );
      expect(source, `source file of ${w.metadata.name}`).toBeDefined();
      const rendered = tags(JSON.stringify(w));
      expect(
        [...tags(source!)].filter((t) => !rendered.has(t)),
        w.metadata.name,
      ).toEqual([]);
    }
    expect(tags(JSON.stringify(byName(docs, "WorkflowTemplate", "cosmo-update"))).size).toBeGreaterThan(5);
  });

  it("sets every WorkflowTemplate's housekeeping and memoize maxAge from values (defaults: the rendered ones)", () => {
    const expectations = {
      defaults: {
        spec: {
          podGC: { strategy: "OnPodSuccess" },
          ttlStrategy: { secondsAfterSuccess: 86400, secondsAfterFailure: 604800 },
          activeDeadlineSeconds: 72000,
          archiveLogs: false,
          artifactGC: { serviceAccountName: "cosmo-workflows", forceFinalizerRemoval: true },
        },
        maxAge: MEMO_MAX_AGE,
      },
      "workflows housekeeping": {
        spec: {
          podGC: { strategy: "OnWorkflowSuccess" },
          ttlStrategy: { secondsAfterSuccess: 60, secondsAfterFailure: 120 },
          activeDeadlineSeconds: 3600,
          archiveLogs: true,
          artifactGC: { serviceAccountName: "cosmo-workflows", forceFinalizerRemoval: false },
        },
        maxAge: "24h",
      },
    };
    for (const [set, want] of Object.entries(expectations)) {
      const wfts = kinds(rendered.get(set)!.docs, "WorkflowTemplate");
      expect(wfts.length, set).toBeGreaterThan(5);
      let memoized = 0;
      for (const w of wfts) {
        expect(w.spec, `${set}: ${w.metadata.name}`).toMatchObject(want.spec);
        for (const t of w.spec.templates.filter((x: any) => x.memoize)) {
          memoized++;
          expect(t.memoize.maxAge, `${set}: ${w.metadata.name}/${t.name}`).toBe(want.maxAge);
          expect(t.memoize.key).toMatch(/\{\{inputs\.parameters\.key\}\}/);
        }
      }
      expect(memoized, set).toBe(2);
    }
  });

  it("makes the CronWorkflow from values: schedules, timezone, regions, bucket", async () => {
    const custom = await render({
      storage: {
        endpoint: "http://minio:9000",
        bucket: "zones",
        existingSecret: "s3",
        region: "us-east-1",
        accessKeyKey: "a",
        secretKeyKey: "b",
      },
      workflows: {
        cron: {
          schedules: ["30 1 * * 0", "30 1 * * 3"],
          timezone: "Europe/Paris",
          regions: [{ name: "luxembourg", url: "https://download.geofabrik.de/europe/luxembourg-latest.osm.pbf" }],
          maxZoom: 5,
          parameters: { note: "no" },
        },
      },
    });
    const cron = byName(custom.docs, "CronWorkflow", "cosmo-update");
    expect(cron.spec.schedules).toEqual(["30 1 * * 0", "30 1 * * 3"]);
    expect(cron.spec.timezone).toBe("Europe/Paris");
    const params = Object.fromEntries(cron.spec.workflowSpec.arguments.parameters.map((p: any) => [p.name, p.value]));
    // Regions given without countryCode get "" (the pipeline reads {{item.countryCode}}).
    expect(JSON.parse(params.regions)).toEqual([
      { name: "luxembourg", url: "https://download.geofabrik.de/europe/luxembourg-latest.osm.pbf", countryCode: "" },
    ]);
    expect(params).toMatchObject({ bucket: "zones", "max-zoom": "5", note: "no" });
    expect(cron.spec.workflowSpec.workflowTemplateRef).toEqual({ name: "cosmo-update" });
    expect(await schemaProblems([cron])).toEqual([]);
  });

  it("configures the default artefact repository and least-privilege RBAC for workflow pods", () => {
    const { docs } = rendered.get("external db and S3")!;
    const repo = byName(docs, "ConfigMap", "artifact-repositories");
    expect(repo.metadata.annotations["workflows.argoproj.io/default-artifact-repository"]).toBe("cosmo");
    const s3 = YAML.parse(repo.data.cosmo, { version: "1.1" }).s3;
    expect(s3).toMatchObject({ endpoint: "s3.eu-west-1.amazonaws.com", bucket: "cosmo-prod", insecure: false });
    expect(s3.accessKeySecret).toEqual({ name: "prod-s3", key: "id" });
    const inCluster = byName(rendered.get("in-chart PostGIS and MinIO")!.docs, "ConfigMap", "artifact-repositories");
    expect(YAML.parse(inCluster.data.cosmo, { version: "1.1" }).s3).toMatchObject({
      endpoint: "rel-cosmo-minio:9000",
      insecure: true,
    });
    const role = byName(docs, "Role", "rel-cosmo-workflow-executor");
    expect(role.rules).toEqual([
      { apiGroups: ["argoproj.io"], resources: ["workflowtaskresults"], verbs: ["create", "patch"] },
      // The artifact GC pods of the intermediate artefacts.
      { apiGroups: ["argoproj.io"], resources: ["workflowartifactgctasks"], verbs: ["list", "watch"] },
      { apiGroups: ["argoproj.io"], resources: ["workflowartifactgctasks/status"], verbs: ["patch"] },
    ]);
    expect(kinds(docs, "ClusterRole")).toEqual([]);
    expect(kinds(rendered.get("workflows off")!.docs, "WorkflowTemplate")).toEqual([]);
  });

  it("assembles DATABASE_URL for the in-chart PostGIS from the password Secret", () => {
    const { docs } = rendered.get("in-chart PostGIS and MinIO")!;
    const api = byName(docs, "Deployment", "rel-cosmo-api").spec.template.spec.containers[0];
    const names = api.env.map((e: any) => e.name);
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    expect(names.indexOf("COSMO_DB_PASSWORD")).toBeLessThan(names.indexOf("DATABASE_URL"));
    expect(api.env.find((e: any) => e.name === "DATABASE_URL").value).toBe(
      "postgresql://cosmo:$(COSMO_DB_PASSWORD)@rel-cosmo-postgis:5432/cosmo",
    );
    const pg = byName(docs, "StatefulSet", "rel-cosmo-postgis").spec.template.spec.containers[0];
    expect(pg.image).toMatch(/postgis\/postgis:/);
    expect(byName(docs, "ConfigMap", "rel-cosmo-env").data.S3_ENDPOINT).toBe("http://rel-cosmo-minio:9000");
  });

  it("gives the api and tiles pods (only) the replica's read URL from its Secret, and a ServiceMonitor when asked", () => {
    const { docs } = rendered.get("read replica and ServiceMonitor")!;
    const readEnv = (kind: string, name: string) =>
      byName(docs, kind, name).spec.template.spec.containers[0].env?.find((e: any) => e.name === "DATABASE_READ_URL");
    for (const c of ["api", "tiles"])
      expect(readEnv("Deployment", `rel-cosmo-${c}`)).toEqual({
        name: "DATABASE_READ_URL",
        valueFrom: { secretKeyRef: { name: "pg-replica", key: "uri" } },
      });
    expect(readEnv("Deployment", "rel-cosmo-web")).toBeUndefined();
    const monitor = byName(docs, "ServiceMonitor", "rel-cosmo");
    expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(monitor.spec.endpoints).toEqual([{ port: "http", path: "/metrics", interval: "30s", scrapeTimeout: "10s" }]);
    // It selects exactly the api and tiles Services, on a port they have.
    const selected = kinds(docs, "Service").filter(
      (svc) =>
        Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels[k] === v) &&
        monitor.spec.selector.matchExpressions.every((e: any) => e.values.includes(svc.metadata.labels[e.key])),
    );
    expect(selected.map((svc) => svc.metadata.name).sort()).toEqual(["rel-cosmo-api", "rel-cosmo-tiles"]);
    for (const svc of selected) expect(svc.spec.ports.map((p: any) => p.name)).toContain("http");
    const defaults = rendered.get("defaults")!.docs;
    expect(kinds(defaults, "ServiceMonitor")).toEqual([]);
    expect(
      byName(defaults, "Deployment", "rel-cosmo-api").spec.template.spec.containers[0].env.map((e: any) => e.name),
    ).not.toContain("DATABASE_READ_URL");
  });

  it("refuses bad values through values.schema.json and required settings with a message naming the value", async () => {
    const refusals: [object, RegExp][] = [
      [{ api: { port: "http" } }, /api\.port|\/api\/port/],
      [{ api: { prot: 3000 } }, /prot/],
      [{ ingress: { tls: { enabled: true, secretName: "Bad_Name" } } }, /secretName/],
      [{ workflows: { cron: { schedules: ["every day"] } } }, /schedules/],
      [{ storage: { bucket: "A" } }, /bucket/],
      [{ image: { pullPolicy: "Sometimes" } }, /pullPolicy/],
      [{ config: { apii: {} } }, /apii|config/],
      // Credentials never go through values, not even through the config section.
      [{ config: { storage: { secretKey: "hunter2" } } }, /config\/storage|config\.storage/],
      [{ config: { database: { url: "postgresql://u:p@h/db" } } }, /config\/database|config\.database/],
      [{ database: { existingSecret: "" } }, /database\.existingSecret is required/],
      [{ ingress: { tls: { enabled: true, secretName: "" } } }, /ingress\.tls\.secretName is required/],
      [
        { postgis: { enabled: true, existingSecret: "" }, database: { existingSecret: "" } },
        /postgis\.existingSecret is required/,
      ],
    ];
    for (const [values, message] of refusals) {
      const r = await template(values);
      expect(r.ok, JSON.stringify(values)).toBe(false);
      expect(r.stderr, JSON.stringify(values)).toMatch(message);
    }
  });

  it("refuses to install the pipeline without the rendered workflow files", () => {
    const copy = mkdtempSync(join(tmpdir(), "cosmo-chart-empty-"));
    try {
      cpSync(CHART_DIR, copy, { recursive: true, filter: (src) => !src.includes(`${join("files", "workflows")}`) });
      const r = runHelm(["template", "rel", copy]);
      expect(r.ok).toBe(false);
      expect(r.stderr).toContain("run `cosmo workflows render`");
      expect(runHelm(["template", "rel", copy, "--set", "workflows.enabled=false"]).ok).toBe(true);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("keeps the chart's defaults in sync with the services' own defaults and the workflow templates", async () => {
    const values = YAML.parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"), { version: "1.1" });
    const { ConfigSchema } = await import("../../core/config.ts");
    const defaults = ConfigSchema.parse({});
    expect(values.api.port).toBe(defaults.api.port);
    expect(values.tiles.port).toBe(defaults.tiles.port);
    expect(values.web.port).toBe(defaults.web.port);
    const { docs } = rendered.get("defaults")!;
    // The schedule and regions the workflows stage proposes are the chart's defaults.
    const { DEFAULT_REGIONS, DEFAULT_SCHEDULES } = await import("../../workflows/templates/pipeline.ts");
    expect(values.workflows.cron.schedules).toEqual(DEFAULT_SCHEDULES);
    expect(values.workflows.cron.regions).toEqual(DEFAULT_REGIONS);
    const wfSa = byName(docs, "WorkflowTemplate", "cosmo-update").spec.serviceAccountName;
    expect(byName(docs, "ServiceAccount", wfSa).metadata.name).toBe(values.workflows.serviceAccountName);
  });
});
