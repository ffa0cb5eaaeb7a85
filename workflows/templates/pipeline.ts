// The DAG composing the stage templates, the CronWorkflow that runs it, and the semaphore ConfigMap.
import { CronWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/CronWorkflow";
import { WorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowTemplate";
import { PIPELINE } from "../defaults.ts";
import { LABELS, SEMAPHORE_CONFIG_MAP, specDefaults, stripUndefined, type Template } from "./common.ts";
import { EXPORT_OPTIONS, EXTRACT_OPTIONS } from "./stages.ts";

/** Geofabrik continent extracts: the regions the old deployment covered. */
export const DEFAULT_REGIONS = [
  "africa",
  "antarctica",
  "asia",
  "australia-oceania",
  "central-america",
  "europe",
  "north-america",
  "south-america",
].map((name) => ({ name, url: `https://download.geofabrik.de/${name}-latest.osm.pbf`, countryCode: "" }));

export const DEFAULT_SCHEDULES = ["0 2 * * *"];

const ref = (name: string, template: string) => ({ templateRef: { name, template } });
const arg = (name: string, value: string) => ({ name, value });
/**
 * Everything after import runs unless the imported version is already served: identical input → the whole
 * tail is skipped, but a version imported by an earlier run that failed later is finished by this one.
 */
const NEW_VERSION = "{{tasks.served-check.outputs.result}} == false";

function updateDag(): Template {
  const version = "{{tasks.served-check.outputs.parameters.version}}";
  const hash = "{{tasks.merge.outputs.parameters.hash}}";
  const exportKeyArgs = [
    arg("version", version),
    arg("hash", hash),
    ...EXPORT_OPTIONS.map(({ name }) => arg(name, `{{workflow.parameters.export-${name}}}`)),
  ];
  return {
    name: "update",
    dag: {
      tasks: [
        {
          name: "regions",
          template: "region",
          withParam: "{{workflow.parameters.regions}}",
          arguments: {
            parameters: [
              arg("region", "{{item.name}}"),
              arg("url", "{{item.url}}"),
              arg("country-code", "{{item.countryCode}}"),
              arg("disable-voronoi", "{{workflow.parameters.disable-voronoi}}"),
              arg("filter-langs", "{{workflow.parameters.filter-langs}}"),
            ],
          },
        },
        {
          name: "merge",
          depends: "regions",
          ...ref("cosmo-merge", "merge"),
          arguments: {
            parameters: [
              arg("keys", "{{tasks.regions.outputs.parameters.key}}"),
              arg("bucket", "{{workflow.parameters.bucket}}"),
            ],
          },
        },
        {
          name: "import",
          depends: "merge",
          ...ref("cosmo-import", "import"),
          arguments: { parameters: [arg("url", "{{tasks.merge.outputs.parameters.url}}")] },
        },
        {
          name: "served-check",
          depends: "import",
          ...ref("cosmo-publish", "is-served"),
          arguments: { parameters: [arg("summary", "{{tasks.import.outputs.parameters.summary}}")] },
        },
        {
          name: "dashboard",
          depends: "served-check",
          when: NEW_VERSION,
          ...ref("cosmo-dashboard", "dashboard"),
          arguments: { parameters: [arg("version", version), arg("hash", hash)] },
        },
        {
          name: "seed-tiles",
          depends: "dashboard",
          when: NEW_VERSION,
          ...ref("cosmo-seed-tiles", "seed"),
          arguments: { parameters: [arg("version", version), arg("max-zoom", "{{workflow.parameters.max-zoom}}")] },
        },
        {
          name: "export-check",
          depends: "served-check",
          when: NEW_VERSION,
          ...ref("cosmo-export-tiles", "check"),
          arguments: { parameters: [...exportKeyArgs, arg("bucket", "{{workflow.parameters.bucket}}")] },
        },
        {
          name: "export-tiles",
          depends: "export-check",
          when: `${NEW_VERSION} && {{tasks.export-check.outputs.result}} == false`,
          ...ref("cosmo-export-tiles", "export"),
          arguments: { parameters: [...exportKeyArgs, arg("key", "{{tasks.export-check.outputs.parameters.key}}")] },
        },
        {
          name: "gate-report",
          depends: "seed-tiles && export-tiles",
          when: NEW_VERSION,
          ...ref("cosmo-publish", "gate-report"),
          arguments: { parameters: [arg("version", version), arg("hash", hash)] },
          // No served dataset yet (first run) makes the diff fail; publishing still goes through the gate.
          continueOn: { failed: true },
        },
        {
          name: "publish",
          depends: "gate-report.Succeeded || gate-report.Failed || gate-report.Skipped",
          when: NEW_VERSION,
          ...ref("cosmo-publish", "publish"),
          arguments: { parameters: [arg("version", version)] },
        },
        {
          name: "publish-dashboard",
          depends: "publish",
          when: NEW_VERSION,
          ...ref("cosmo-publish", "publish-dashboard"),
          arguments: { parameters: [arg("hash", hash)] },
        },
        {
          name: "publish-tiles",
          depends: "publish",
          when: NEW_VERSION,
          ...ref("cosmo-publish", "publish-tiles"),
          arguments: {
            parameters: [
              arg("archive", "{{tasks.export-check.outputs.parameters.url}}"),
              arg("bucket", "{{workflow.parameters.bucket}}"),
            ],
          },
        },
      ],
    },
  };
}

/** One region: fetch → input-key check → extract (skipped when this input key was already extracted). */
function regionDag(): Template {
  return {
    name: "region",
    inputs: {
      parameters: [{ name: "region" }, { name: "url" }, ...EXTRACT_OPTIONS],
    },
    outputs: {
      parameters: [
        { name: "sha256", valueFrom: { parameter: "{{tasks.check.outputs.parameters.sha256}}" } },
        { name: "key", valueFrom: { parameter: "{{tasks.check.outputs.parameters.key}}" } },
        { name: "region", valueFrom: { parameter: "{{inputs.parameters.region}}" } },
      ],
    },
    dag: {
      tasks: [
        {
          name: "fetch",
          ...ref("cosmo-fetch", "fetch"),
          arguments: {
            parameters: [
              arg("region", "{{inputs.parameters.region}}"),
              arg("url", "{{inputs.parameters.url}}"),
              arg("bucket", "{{workflow.parameters.bucket}}"),
            ],
          },
        },
        {
          name: "check",
          depends: "fetch",
          ...ref("cosmo-extract", "check"),
          arguments: {
            parameters: [
              arg("fetched", "{{tasks.fetch.outputs.result}}"),
              arg("bucket", "{{workflow.parameters.bucket}}"),
              ...EXTRACT_OPTIONS.map(({ name }) => arg(name, `{{inputs.parameters.${name}}}`)),
            ],
          },
        },
        {
          name: "extract",
          depends: "check",
          when: "{{tasks.check.outputs.result}} == false",
          ...ref("cosmo-extract", "extract"),
          arguments: {
            parameters: [
              arg("region", "{{inputs.parameters.region}}"),
              arg("sha256", "{{tasks.check.outputs.parameters.sha256}}"),
              arg("key", "{{tasks.check.outputs.parameters.key}}"),
              ...EXTRACT_OPTIONS.map(({ name }) => arg(name, `{{inputs.parameters.${name}}}`)),
            ],
          },
        },
      ],
    },
  };
}

function exitHandlerDag(): Template {
  return {
    name: "exit-handler",
    dag: {
      tasks: [
        {
          name: "record",
          ...ref("cosmo-exit-handler", "record"),
          arguments: {
            parameters: [
              arg("status", "{{workflow.status}}"),
              arg("workflow", "{{workflow.name}}"),
              arg("bucket", "{{workflow.parameters.bucket}}"),
            ],
          },
        },
      ],
    },
  };
}

export function pipelineTemplate(): WorkflowTemplate {
  return new WorkflowTemplate(
    stripUndefined({
      metadata: {
        name: PIPELINE,
        labels: { ...LABELS },
        annotations: {
          "workflows.argoproj.io/description":
            "Fetch regional extracts → extract (fan-out) → merge → import → dashboard → seed tiles, export the PMTiles archive → publish; exit handler records the outcome.",
        },
      },
      spec: {
        ...specDefaults(),
        entrypoint: "update",
        onExit: "exit-handler",
        // One update at a time: a manual `cosmo workflows submit` waits for a scheduled run (and the reverse)
        // instead of importing and publishing over it. The local runner refuses a second run (exit 5).
        synchronization: { mutexes: [{ name: PIPELINE }] },
        workflowMetadata: { labels: { ...LABELS } },
        // How long whole runs take, by outcome (the per-step durations come from each step template).
        metrics: {
          prometheus: [
            {
              name: "cosmo_update_duration_seconds",
              help: "Duration of the last cosmo-update run, by final status",
              labels: [{ key: "status", value: "{{workflow.status}}" }],
              gauge: { value: "{{workflow.duration}}", realtime: false },
            },
          ],
        },
        arguments: {
          parameters: [
            {
              name: "regions",
              value: JSON.stringify(DEFAULT_REGIONS),
              description: 'JSON list of {name, url, countryCode} regional extracts (countryCode "" = from the data)',
            },
            { name: "bucket", value: "cosmo", description: "bucket of the default artifact repository" },
            {
              name: "disable-voronoi",
              value: "false",
              description: "true: no Voronoi cells for place zones (cosmo extract --disable-voronoi)",
            },
            {
              name: "filter-langs",
              value: "",
              description: 'comma-separated languages of international_labels ("" = all; cosmo extract --filter-langs)',
            },
            { name: "max-zoom", value: "6", description: "highest zoom seeded before publishing" },
            ...EXPORT_OPTIONS.map((p) => ({
              name: `export-${p.name}`,
              value: p.default,
              description: `${p.name} of the release archive (tiles/<version>/<key>.pmtiles, cosmo tiles export)`,
            })),
          ],
        },
        templates: [updateDag(), regionDag(), exitHandlerDag()],
      },
    }),
  );
}

/**
 * The schedule. Under `templateReferencing: Strict` a workflow may only reference templates, so the
 * workflowSpec holds nothing but the reference and the arguments (regions and schedule come from chart values).
 */
export function cronWorkflow(): CronWorkflow {
  return new CronWorkflow({
    metadata: { name: PIPELINE, labels: { ...LABELS } },
    spec: {
      schedules: DEFAULT_SCHEDULES,
      timezone: "UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      workflowMetadata: { labels: { ...LABELS } },
      workflowSpec: {
        workflowTemplateRef: { name: PIPELINE },
        arguments: { parameters: [{ name: "regions", value: JSON.stringify(DEFAULT_REGIONS) }] },
      },
    },
  });
}

/** Semaphore counts for `synchronization.semaphores` (how many extracts run at once). */
export function semaphoreConfigMap(extract = 2): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: SEMAPHORE_CONFIG_MAP, labels: { ...LABELS } },
    data: { extract: String(extract) },
  };
}
