// One WorkflowTemplate per pipeline stage. Each runs the same `cosmo <stage> …` command the image's entrypoint
// runs, reads/writes artefacts through the default artifact repository with keys that include the input hash,
// and declares retries only where repeating the step is safe.
import { WorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowTemplate";
import { EXIT } from "../../core/errors.ts";
import {
  containerTemplate,
  LABELS,
  memoizeByInputKey,
  OUT,
  type RenderOptions,
  resources,
  retry,
  SEMAPHORE_CONFIG_MAP,
  s3Artifact,
  specDefaults,
  type Template,
  WORK,
} from "./common.ts";

const param = (name: string) => `{{inputs.parameters.${name}}}`;
const outParam = (name: string) => ({ name, valueFrom: { path: `${OUT}/${name}` } });

function stageTemplate(name: string, description: string, templates: Template[]): WorkflowTemplate {
  return new WorkflowTemplate({
    metadata: { name, labels: { ...LABELS }, annotations: { "workflows.argoproj.io/description": description } },
    spec: { ...specDefaults(), templates },
  });
}

/** Download (or copy) a regional PBF into the artefact store; records its sha256 and ETag. */
export function fetchTemplate(o: RenderOptions): WorkflowTemplate {
  const fetch = containerTemplate(
    {
      name: "fetch",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "region" }, { name: "url" }, { name: "bucket", default: "cosmo" }] },
      // Prints {url, sha256, etag, size}: the step's `outputs.result`, read by the extract check.
      args: ["store", "fetch", param("url"), `s3://${param("bucket")}/sources/${param("region")}.osm.pbf`],
      resources: resources("100m", "256Mi", "1", "512Mi"),
      activeDeadlineSeconds: 4 * 3600,
      // Network downloads fail transiently; the target key is overwritten atomically, so retrying is safe.
      retryStrategy: retry(3, "unless-verdict", "30s", "1h"),
    },
    o,
  );
  return stageTemplate("cosmo-fetch", "Fetch a regional OSM extract into the artefact store (sha256, ETag).", [fetch]);
}

/** The extractor options a region's extract takes; they are part of the extract's input key (input-key.ts). */
export const EXTRACT_OPTIONS = [
  // "" lets the extractor find the country from the data (continents); set it for sub-country extracts.
  { name: "country-code", default: "" },
  { name: "disable-voronoi", default: "false" },
  // Comma-separated languages of international_labels ("" = all).
  { name: "filter-langs", default: "" },
];
const extractOptionArgs = () => EXTRACT_OPTIONS.map((p) => `--${p.name}=${param(p.name)}`);

/**
 * Extract zones from one region; `check` computes the extract's input key (PBF sha256, options, rules, code)
 * and tells whether it was already extracted.
 */
export function extractTemplate(o: RenderOptions): WorkflowTemplate {
  const zonesKey = `extracts/${param("key")}/zones.jsonl.gz`;
  const check = containerTemplate(
    {
      name: "check",
      image: "cosmo-extractor",
      inputs: { parameters: [{ name: "fetched" }, { name: "bucket", default: "cosmo" }, ...EXTRACT_OPTIONS] },
      // Takes the fetch summary, writes its sha256 (and ETag) and the input key as output parameters and prints
      // `true` when extracts/<key>/zones.jsonl.gz exists: the explicit check that lets the DAG skip `extract`.
      args: [
        "workflows",
        "step",
        "check-extract",
        "--fetched",
        param("fetched"),
        "--bucket",
        param("bucket"),
        ...extractOptionArgs(),
        "--outputs",
        OUT,
      ],
      outputs: { parameters: [outParam("sha256"), outParam("etag"), outParam("key")] },
      resources: resources("50m", "128Mi", "500m", "256Mi"),
      activeDeadlineSeconds: 300,
      retryStrategy: retry(2, "unless-verdict", "10s", "5m"),
    },
    o,
  );
  const extract = containerTemplate(
    {
      name: "extract",
      image: "cosmo-extractor",
      inputs: {
        parameters: [{ name: "region" }, { name: "sha256" }, { name: "key" }, ...EXTRACT_OPTIONS],
        artifacts: [s3Artifact("pbf", `${WORK}/in/source.osm.pbf`, `sources/${param("region")}.osm.pbf`)],
      },
      // `cosmo extract` with the options of the key, after checking they still give that key.
      args: [
        "workflows",
        "step",
        "extract",
        "--input",
        `${WORK}/in/source.osm.pbf`,
        "--output",
        `${WORK}/zones.jsonl.gz`,
        "--sha256",
        param("sha256"),
        "--key",
        param("key"),
        ...extractOptionArgs(),
        "--outputs",
        OUT,
      ],
      outputs: {
        parameters: [outParam("zone-count")],
        artifacts: [
          s3Artifact("zones", `${WORK}/zones.jsonl.gz`, zonesKey),
          // The extract's stats (dropped boundaries…) for the dashboard; optional: an extractor that writes none
          // still gives a usable extract (the dashboard then skips that check).
          s3Artifact("zones-meta", `${WORK}/zones.jsonl.gz.meta.json`, `${zonesKey}.meta.json`, { optional: true }),
        ],
      },
      resources: resources("2", "8Gi", "4", "16Gi"),
      activeDeadlineSeconds: 6 * 3600,
      // Extraction is deterministic: retry only infrastructure errors (eviction, node loss) and unavailable services.
      retryStrategy: retry(2, "transient", "1m", "2h"),
      // Continent extracts need many GB each: bound how many run at once across all workflows.
      synchronization: { semaphores: [{ configMapKeyRef: { name: SEMAPHORE_CONFIG_MAP, key: "extract" } }] },
      // The zones file is a function of the key (PBF, options, rules, code): a key extracted before is not redone.
      memoize: memoizeByInputKey("extract"),
      metrics: [
        {
          name: "cosmo_zones_extracted",
          help: "Zones written by the last extract of a region",
          labels: [{ key: "region", value: param("region") }],
          when: "{{status}} == Succeeded",
          gauge: { value: "{{outputs.parameters.zone-count}}", realtime: false },
        },
      ],
    },
    o,
  );
  return stageTemplate(
    "cosmo-extract",
    "Extract administrative zones from one region (skipped when already extracted with the same inputs).",
    [check, extract],
  );
}

/** Merge the regional extracts (dedupe zones present in two regions) into one content-addressed file. */
export function mergeTemplate(o: RenderOptions): WorkflowTemplate {
  const merge = containerTemplate(
    {
      name: "merge",
      image: "cosmo-extractor",
      inputs: { parameters: [{ name: "keys" }, { name: "bucket", default: "cosmo" }] },
      // The merged key is the input key of the sorted extract keys: an unchanged set of inputs is a no-op.
      args: ["workflows", "step", "merge", "--bucket", param("bucket"), "--keys", param("keys"), "--outputs", OUT],
      outputs: { parameters: [outParam("url"), outParam("hash"), outParam("skipped")] },
      resources: resources("1", "2Gi", "2", "4Gi"),
      activeDeadlineSeconds: 2 * 3600,
      retryStrategy: retry(2, "transient", "30s", "30m"),
    },
    o,
  );
  return stageTemplate("cosmo-merge", "Merge regional zone files, removing duplicates.", [merge]);
}

/** Import the merged file as a new dataset version (not published); identical sha256 → no-op. */
export function importTemplate(o: RenderOptions): WorkflowTemplate {
  const imp = containerTemplate(
    {
      name: "import",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "url" }] },
      // {version, skipped, zoneCount, sha256}: read by the served check that follows.
      args: ["import", param("url"), "--summary-json", `${WORK}/summary.json`],
      outputs: { parameters: [{ name: "summary", valueFrom: { path: `${WORK}/summary.json` } }] },
      resources: resources("1", "2Gi", "2", "4Gi"),
      activeDeadlineSeconds: 3 * 3600,
      // A failed import leaves a `failed` version behind and never touches the served one: safe to repeat.
      retryStrategy: retry(1, "transient", "1m", "30m"),
    },
    o,
  );
  return stageTemplate("cosmo-import", "Import zones into a new (unpublished) dataset version.", [imp]);
}

/** Dashboard data for the new version (read-only on the database, so always safe to retry). */
export function dashboardTemplate(o: RenderOptions): WorkflowTemplate {
  const dash = containerTemplate(
    {
      name: "dashboard",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "version" }, { name: "hash" }] },
      args: ["dashboard", "--dataset", param("version"), "-o", `${WORK}/dashboard.json`],
      outputs: {
        // Only the hand-off to publish-dashboard (which copies it to data.publicDir): intermediate, so deleted
        // with the workflow.
        artifacts: [
          s3Artifact("dashboard", `${WORK}/dashboard.json`, `dashboard/${param("hash")}/dashboard.json`, {
            artifactGC: { strategy: "OnWorkflowDeletion" },
          }),
        ],
      },
      resources: resources("500m", "1Gi", "1", "2Gi"),
      activeDeadlineSeconds: 3600,
      retryStrategy: retry(2, "unless-verdict", "30s", "15m"),
    },
    o,
  );
  return stageTemplate("cosmo-dashboard", "Compute the dashboard statistics of a dataset version.", [dash]);
}

/** Pre-render low-zoom tiles of the new version so the switch does not start with a cold cache. */
export function seedTilesTemplate(o: RenderOptions): WorkflowTemplate {
  const seed = containerTemplate(
    {
      name: "seed",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "version" }, { name: "max-zoom", default: "6" }] },
      args: ["tiles", "seed", "--dataset", param("version"), "--max-zoom", param("max-zoom")],
      resources: resources("1", "1Gi", "2", "2Gi"),
      activeDeadlineSeconds: 2 * 3600,
      // Tile cache writes are idempotent.
      retryStrategy: retry(2, "unless-verdict", "30s", "30m"),
    },
    o,
  );
  return stageTemplate("cosmo-seed-tiles", "Seed the low-zoom vector tiles of a dataset version.", [seed]);
}

/** The zoom options of the release archive; they are part of its input key (input-key.ts). */
export const EXPORT_OPTIONS = [
  { name: "min-zoom", default: "0" },
  { name: "max-zoom", default: "12" },
];
const exportOptionArgs = () => EXPORT_OPTIONS.flatMap((p) => [`--${p.name}`, param(p.name)]);

/**
 * The release archive of a dataset version (PMTiles: static hosting with range requests). `check` computes its
 * input key (the dataset's content, zooms, languages, renderer code) and tells whether it is already stored.
 */
export function exportTilesTemplate(o: RenderOptions): WorkflowTemplate {
  const keyInputs = [{ name: "version" }, { name: "hash" }, ...EXPORT_OPTIONS];
  const check = containerTemplate(
    {
      name: "check",
      image: "cosmo-importer",
      inputs: { parameters: [...keyInputs, { name: "bucket", default: "cosmo" }] },
      // Writes the key and the archive's URL; prints `true` when tiles/<version>/<key>.pmtiles exists.
      args: [
        "workflows",
        "step",
        "check-export",
        "--version",
        param("version"),
        "--hash",
        param("hash"),
        ...exportOptionArgs(),
        "--bucket",
        param("bucket"),
        "--outputs",
        OUT,
      ],
      outputs: { parameters: [outParam("key"), outParam("url")] },
      resources: resources("50m", "128Mi", "500m", "256Mi"),
      activeDeadlineSeconds: 300,
      retryStrategy: retry(2, "unless-verdict", "10s", "5m"),
    },
    o,
  );
  const exportTiles = containerTemplate(
    {
      name: "export",
      image: "cosmo-importer",
      inputs: { parameters: [...keyInputs, { name: "key" }] },
      args: [
        "workflows",
        "step",
        "export-tiles",
        "--version",
        param("version"),
        "--hash",
        param("hash"),
        ...exportOptionArgs(),
        "--key",
        param("key"),
        "-o",
        `${WORK}/tiles.pmtiles`,
      ],
      outputs: {
        artifacts: [
          s3Artifact("archive", `${WORK}/tiles.pmtiles`, `tiles/${param("version")}/${param("key")}.pmtiles`),
        ],
      },
      resources: resources("2", "2Gi", "2", "4Gi"),
      activeDeadlineSeconds: 4 * 3600,
      memoize: memoizeByInputKey("export-tiles"),
      retryStrategy: retry(2, "transient", "1m", "1h"),
    },
    o,
  );
  return stageTemplate(
    "cosmo-export-tiles",
    "Export a dataset version as one PMTiles archive (skipped when already exported with the same inputs).",
    [check, exportTiles],
  );
}

/**
 * The gate report (diff against the served dataset, kept as an artefact) and the publish switch. `publish`
 * is not retried on failure: a refusal by the gate (exit 3) is a verdict, not a transient error.
 */
export function publishTemplate(o: RenderOptions): WorkflowTemplate {
  const report = containerTemplate(
    {
      name: "gate-report",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "version" }, { name: "hash" }] },
      args: ["diff", "served", param("version"), "-o", `${WORK}/gate-report.json`],
      outputs: {
        artifacts: [
          s3Artifact("gate-report", `${WORK}/gate-report.json`, `gate/${param("hash")}/report.json`, {
            optional: true,
          }),
        ],
      },
      resources: resources("500m", "1Gi", "1", "2Gi"),
      activeDeadlineSeconds: 3600,
      retryStrategy: retry(2, "transient", "30s", "15m"),
    },
    o,
  );
  const isServed = containerTemplate(
    {
      name: "is-served",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "summary" }] },
      // Writes the imported version as an output parameter and prints `true` when it is already served;
      // an input imported earlier but never published (a failed run) is finished by this run.
      args: ["workflows", "step", "is-served", "--summary", param("summary"), "--outputs", OUT],
      outputs: { parameters: [outParam("version"), outParam("zone-count")] },
      // Reads the import summary, so it is where the imported zone count becomes a metric.
      metrics: [
        {
          name: "cosmo_zones_imported",
          help: "Zones in the dataset version the last import produced (or found identical)",
          when: "{{status}} == Succeeded",
          gauge: { value: "{{outputs.parameters.zone-count}}", realtime: false },
        },
      ],
      resources: resources("50m", "128Mi", "500m", "256Mi"),
      activeDeadlineSeconds: 300,
      retryStrategy: retry(2, "unless-verdict", "10s", "5m"),
    },
    o,
  );
  const publish = containerTemplate(
    {
      name: "publish",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "version" }] },
      args: ["publish", param("version")],
      // The gate's verdicts: passed (exit 0) or refused (exit 3); a crash is neither.
      metrics: (
        [
          ["passed", 0],
          ["refused", EXIT.gateRefused],
        ] as const
      ).map(([outcome, code]) => ({
        name: "cosmo_publish_gate_total",
        help: "Publish gate verdicts on new dataset versions",
        labels: [{ key: "outcome", value: outcome }],
        when: `{{exitCode}} == ${code}`,
        counter: { value: "1" },
      })),
      resources: resources("200m", "256Mi", "1", "512Mi"),
      activeDeadlineSeconds: 1800,
      retryStrategy: retry(1, "transient", "30s", "10m"),
    },
    o,
  );
  // Once served, the version's dashboard (the dashboard task's artefact) is the one the explorer shows.
  const dashboard = containerTemplate(
    {
      name: "publish-dashboard",
      image: "cosmo-importer",
      inputs: {
        parameters: [{ name: "hash" }],
        artifacts: [s3Artifact("dashboard", `${WORK}/dashboard.json`, `dashboard/${param("hash")}/dashboard.json`)],
      },
      args: ["workflows", "step", "publish-dashboard", "--file", `${WORK}/dashboard.json`],
      resources: resources("50m", "128Mi", "500m", "256Mi"),
      activeDeadlineSeconds: 300,
      retryStrategy: retry(2, "unless-verdict", "10s", "5m"),
    },
    o,
  );
  // Once served, the version's archive becomes the stable latest one; archives of pruned versions go.
  const tiles = containerTemplate(
    {
      name: "publish-tiles",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "archive" }, { name: "bucket", default: "cosmo" }] },
      args: ["workflows", "step", "publish-tiles", "--archive", param("archive"), "--bucket", param("bucket")],
      resources: resources("100m", "256Mi", "1", "512Mi"),
      activeDeadlineSeconds: 1800,
      retryStrategy: retry(2, "unless-verdict", "10s", "10m"),
    },
    o,
  );
  return stageTemplate("cosmo-publish", "Served check, gate report and atomic publish of a dataset version.", [
    isServed,
    report,
    publish,
    dashboard,
    tiles,
  ]);
}

/** Records the outcome of a run (the exit handler); the served dataset is untouched on failure. */
export function exitHandlerTemplate(o: RenderOptions): WorkflowTemplate {
  const record = containerTemplate(
    {
      name: "record",
      image: "cosmo-importer",
      inputs: { parameters: [{ name: "status" }, { name: "workflow" }, { name: "bucket", default: "cosmo" }] },
      args: [
        "workflows",
        "step",
        "record",
        "--status",
        param("status"),
        "--workflow",
        param("workflow"),
        "--bucket",
        param("bucket"),
      ],
      resources: resources("50m", "128Mi", "500m", "256Mi"),
      activeDeadlineSeconds: 300,
      retryStrategy: retry(3, "unless-verdict", "10s", "5m"),
    },
    o,
  );
  return stageTemplate("cosmo-exit-handler", "Record the outcome of a pipeline run.", [record]);
}
