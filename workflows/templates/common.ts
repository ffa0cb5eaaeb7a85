// Shared building blocks for the pipeline's WorkflowTemplates: image names, the container defaults every
// step gets (resources, deadline, env), retry strategies and artefact locations in the default repository.

import type { IComGithubArgoprojArgoWorkflowsV4PkgApisWorkflowV1alpha1Artifact as Artifact } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Artifact";
import type { IComGithubArgoprojArgoWorkflowsV4PkgApisWorkflowV1alpha1RetryStrategy as RetryStrategy } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/RetryStrategy";
import type { IComGithubArgoprojArgoWorkflowsV4PkgApisWorkflowV1alpha1Template as Template } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Template";
import type { IComGithubArgoprojArgoWorkflowsV4PkgApisWorkflowV1alpha1WorkflowSpec as WorkflowSpec } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowSpec";
import { EXIT } from "../../core/errors.ts";

export type { Artifact, RetryStrategy, Template, WorkflowSpec };

type Resources = NonNullable<NonNullable<Template["container"]>["resources"]>;

export interface RenderOptions {
  /** Container registry prefix, e.g. `ghcr.io/cosmo-project`. */
  registry: string;
  /** Image tag every step uses (the package version by default). */
  tag: string;
}

export type Image = "cosmo-extractor" | "cosmo-importer" | "cosmo-api" | "cosmo-tiles" | "cosmo-web";

/** Labels shared by every rendered object: how `kubectl get -l` finds the pipeline. */
export const LABELS = { "app.kubernetes.io/part-of": "cosmo", "app.kubernetes.io/component": "workflows" };

/** Every step's files live under this directory (the images make it writable) so the local runner can map it
 * to a per-step sandbox. A name no host path starts with: the project itself may live under /work. */
export const WORK = "/step";
/** Output parameters are files in here (Argo reads them with `valueFrom.path`). */
export const OUT = `${WORK}/outputs`;

/** ConfigMap/Secret the chart provides: storage endpoint, bucket, database URL (never in the rendered YAML). */
export const CONFIG_MAP = "cosmo-config";
export const SECRET = "cosmo-secrets";
/** ConfigMap holding the semaphore counts (rendered alongside, values overridable by the chart). */
export const SEMAPHORE_CONFIG_MAP = "cosmo-workflows-semaphores";
/** ConfigMap Argo keeps the memoized steps' entries in (created by the controller on first use). */
export const MEMO_CONFIG_MAP = "cosmo-workflows-memo";
/** How long a memoized step is trusted; the chart's workflows.memoize.maxAge overrides it. */
export const MEMO_MAX_AGE = "720h";

type Memoize = NonNullable<Template["memoize"]>;

/**
 * Argo `memoize` for a step whose output is a pure function of its input key (`{{inputs.parameters.key}}`,
 * computed by the check step before it: workflows/steps/input-key.ts). The local runner honours the same key.
 */
export function memoizeByInputKey(stage: string): Memoize {
  return {
    key: `${stage}-{{inputs.parameters.key}}`,
    maxAge: MEMO_MAX_AGE,
    cache: { configMap: { name: MEMO_CONFIG_MAP } },
  };
}

export function resources(cpu: string, memory: string, cpuLimit = cpu, memoryLimit = memory): Resources {
  return { requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

const exitIs = (code: number) => `asInt(lastRetry.exitCode) == ${code}`;
const exitIsNot = (code: number) => `asInt(lastRetry.exitCode) != ${code}`;

/**
 * Which failed attempts are tried again (Argo `retryStrategy.expression`, evaluated the same way by the local
 * runner). Never a verdict on the input: bad input (exit 2), a refusal by the publish gate (3), bad config (4).
 * - `transient`: only an error of the infrastructure (phase Error: pod evicted, artefact not saved) or a service
 *   unavailable (exit 5: database, store or download server) — for steps whose failure is otherwise a verdict.
 * - `unless-verdict`: also crashes (exit 1, OOM kills…) — for steps that are harmless to repeat.
 */
export const RETRY_WHEN = {
  transient: `lastRetry.status == "Error" || ${exitIs(EXIT.unavailable)}`,
  "unless-verdict": `lastRetry.status == "Error" || (${[EXIT.input, EXIT.gateRefused, EXIT.config].map(exitIsNot).join(" && ")})`,
} as const;

/** `limit` retries, exponential backoff from `duration` (×2, at most 10 min apart, none after `maxDuration`). */
export function retry(
  limit: number,
  when: keyof typeof RETRY_WHEN,
  duration = "30s",
  maxDuration = "30m",
): RetryStrategy {
  // `limit` is an integer: Argo's JSON schema types IntOrString as string only (argo#6060); validate.ts patches it.
  return {
    limit: limit as unknown as string,
    // Both must allow a retry: Always lets the expression alone decide.
    retryPolicy: "Always",
    expression: RETRY_WHEN[when],
    backoff: { duration, factor: 2 as unknown as string, maxDuration, cap: "10m" },
  };
}

/** A key-only S3 artefact: bucket and credentials come from the default artifact repository ConfigMap. */
export function s3Artifact(name: string, path: string, key: string, extra: Partial<Artifact> = {}): Artifact {
  return { name, path, s3: { key }, archive: { none: {} }, ...extra };
}

export interface ContainerStep {
  name: string;
  image: Image;
  args: string[];
  inputs?: Template["inputs"];
  outputs?: Template["outputs"];
  resources: Resources;
  activeDeadlineSeconds: number;
  retryStrategy?: RetryStrategy;
  synchronization?: Template["synchronization"];
  memoize?: Template["memoize"];
  /** Metrics besides the step duration every step reports. */
  metrics?: Metric[];
  env?: { name: string; value: string }[];
}

/** A container template running `cosmo <args…>` (the image entrypoint is `cosmo`). */
export function containerTemplate(step: ContainerStep, opts: RenderOptions): Template {
  const t: Template = {
    name: step.name,
    inputs: step.inputs,
    outputs: step.outputs,
    activeDeadlineSeconds: step.activeDeadlineSeconds as unknown as string,
    retryStrategy: step.retryStrategy,
    synchronization: step.synchronization,
    memoize: step.memoize,
    metrics: { prometheus: [stepDurationMetric(step.name), ...(step.metrics ?? [])] },
    container: {
      // The model wrongly requires a container name; Argo overwrites it with "main" anyway.
      name: "main",
      image: `${opts.registry}/${step.image}:${opts.tag}`,
      args: step.args,
      env: [{ name: "COSMO_LOG_FORMAT", value: "json" }, ...(step.env ?? [])],
      envFrom: [{ configMapRef: { name: CONFIG_MAP } }, { secretRef: { name: SECRET } }],
      resources: step.resources,
    },
  };
  return stripUndefined(t);
}

/** The whole run, continents included, must end within a day; the next schedule takes over otherwise. */
export const WORKFLOW_DEADLINE_SECONDS = 20 * 3600;

/**
 * Spec defaults shared by every WorkflowTemplate (so each can also be submitted on its own); the chart's
 * `workflows.*` values override the housekeeping ones (docs/workflows.md, "Housekeeping").
 */
export function specDefaults(): Partial<WorkflowSpec> {
  return {
    serviceAccountName: "cosmo-workflows",
    artifactRepositoryRef: { configMap: "artifact-repositories", key: "cosmo" },
    // A succeeded step's pod goes at once; a failed one stays for `kubectl logs` until the workflow is deleted.
    podGC: { strategy: "OnPodSuccess" },
    // Succeeded runs are kept a day, failed ones a week (the exit handler's record outlives both).
    ttlStrategy: { secondsAfterSuccess: 86400, secondsAfterFailure: 604800 },
    activeDeadlineSeconds: WORKFLOW_DEADLINE_SECONDS,
    // Step logs stay in the cluster's log system; archiving them to the artefact store is opt-in.
    archiveLogs: false,
    // Artefacts marked for GC (the intermediate ones: artifactGC on the artefact) are deleted with the workflow;
    // a failing deletion must not keep the workflow object forever.
    artifactGC: { serviceAccountName: "cosmo-workflows", forceFinalizerRemoval: true },
  };
}

type Metric = NonNullable<NonNullable<Template["metrics"]>["prometheus"]>[number];

/** A step's duration (seconds, by step and final status): the `cosmo_step_duration_seconds` gauge. */
export function stepDurationMetric(step: string): Metric {
  return {
    name: "cosmo_step_duration_seconds",
    help: "Duration of the last run of a cosmo pipeline step, by step and final status",
    labels: [
      { key: "step", value: step },
      { key: "status", value: "{{status}}" },
    ],
    gauge: { value: "{{duration}}", realtime: false },
  };
}

export function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
