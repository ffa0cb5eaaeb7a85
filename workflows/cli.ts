// `cosmo workflows …`: render the Argo templates, run them locally, submit them to an Argo Server; plus the
// small glue steps (`step …`) that the rendered templates run inside the images.
import { Command, Option } from "commander";
import { collectPairs, intOption, runAction } from "../core/cli.ts";
import { CosmoError, EXIT } from "../core/errors.ts";
import { DEFAULT_OUT, defaultRenderOptions, PIPELINE } from "./defaults.ts";
import type { ExportParams } from "./steps/export-tiles.ts";
import type { ExtractParams } from "./steps/extract.ts";
import { AUTH_MODES, type TargetOptions } from "./submit/auth.ts";

// Each command loads what it runs when it runs (`await import(…)`): the templates, the renderer and its
// validators, the local runner and the cluster client pull in the Argo/Kubernetes models, ajv and an HTTP stack,
// which `--help` and the pipeline's glue steps do not need (start-up, issue 17).

function renderCommand(): Command {
  return new Command("render")
    .description("render the TypeScript templates to YAML (validated) for the Helm chart")
    .option("--out <dir>", "output folder", DEFAULT_OUT)
    .option("--registry <prefix>", "image registry prefix", defaultRenderOptions().registry)
    .option("--tag <tag>", "image tag", defaultRenderOptions().tag)
    .option("--check", "do not write: fail if the folder differs from a fresh render")
    .action(
      runAction(async (o: { out: string; registry: string; tag: string; check?: boolean }) => {
        const opts = { registry: o.registry, tag: o.tag };
        const { buildDocs, writeRendered } = await import("./render.ts");
        const { formatProblem, validateAll } = await import("./validate.ts");
        if (o.check) {
          const { checkCommitted } = await import("./committed.ts");
          const diff = checkCommitted(o.out, opts);
          if (diff.length)
            throw new CosmoError(
              `${o.out} differs from a fresh render (${diff.join(", ")}): run \`cosmo workflows render\``,
            );
          process.stdout.write(`${o.out}: up to date\n`);
          return;
        }
        const problems = validateAll(buildDocs(opts));
        if (problems.length)
          throw new CosmoError(`rendered templates are invalid:\n${problems.map(formatProblem).join("\n")}`, {
            exitCode: EXIT.input,
          });
        for (const f of writeRendered(o.out, opts)) process.stdout.write(`${f}\n`);
      }),
    );
}

function lintCommand(): Command {
  return new Command("lint")
    .description(
      "validate rendered YAML (Argo JSON schema, CRD schemas with unknown fields forbidden, models, tag lint)",
    )
    .argument("[dir]", "folder of rendered YAML", DEFAULT_OUT)
    .action(
      runAction(async (dir: string) => {
        const { readRendered } = await import("./render.ts");
        const { formatProblem, validateAll } = await import("./validate.ts");
        const problems = validateAll(readRendered(dir));
        for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
        if (problems.length) throw new CosmoError(`${problems.length} problem(s) in ${dir}`, { exitCode: EXIT.input });
        process.stdout.write(`${dir}: valid\n`);
      }),
    );
}

function runLocalCommand(): Command {
  return new Command("run-local")
    .description(
      "run a rendered WorkflowTemplate on this machine (each step: `cosmo <args>`; artefacts in the embedded S3)",
    )
    .argument("[template]", "WorkflowTemplate name", PIPELINE)
    .option(
      "-p, --param <k=v>",
      "workflow parameter (repeatable; regions defaults to the bundled Luxembourg extract, not the continents)",
      collectPairs,
      {},
    )
    .option("--entrypoint <name>", "template to start from (default: the spec's entrypoint)")
    .option("--dir <dir>", "folder of rendered YAML", DEFAULT_OUT)
    .option("--parallelism <n>", "container steps at once", intOption("--parallelism"), 2)
    .option("--max-backoff <seconds>", "cap retry backoffs (reported)", intOption("--max-backoff"))
    .option("--name <name>", "workflow name (default: <template>-<random>)")
    .action(
      runAction(
        async (
          template: string,
          o: {
            param: Record<string, string>;
            entrypoint?: string;
            dir: string;
            parallelism: number;
            maxBackoff?: number;
            name?: string;
          },
        ) => {
          const { openStore } = await import("../core/storage.ts");
          const { readRendered } = await import("./render.ts");
          const { runLocalParams } = await import("./runner/local-params.ts");
          const { runLocal } = await import("./runner/run.ts");
          const { createStatusView } = await import("./runner/view.ts");
          const store = await openStore();
          const docs = readRendered(o.dir);
          const { params, notes } = runLocalParams(docs, template, o.param, store.defaultBucket);
          const view = createStatusView();
          for (const n of notes) view.note(n);
          const started = Date.now();
          const result = await runLocal({
            docs,
            workflowTemplate: template,
            entrypoint: o.entrypoint,
            params,
            store,
            parallelism: o.parallelism,
            maxBackoffSeconds: o.maxBackoff,
            workflowName: o.name,
            onChange: (n, all) => view.update(n, all),
            onNote: (l) => view.note(l),
          });
          view.stop(result.nodes);
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          process.stdout.write(
            `${JSON.stringify({ workflow: result.name, phase: result.phase, seconds: Number(secs), runDir: result.runDir, exitHandler: result.exitHandlerPhase ?? null })}\n`,
          );
          if (result.phase !== "Succeeded")
            throw new CosmoError(`workflow ${result.name} ${result.phase}: ${result.message ?? ""}`);
        },
      ),
    );
}

/** Where the Argo Server is and how to authenticate to it (docs/workflows.md, "Submitting to a cluster"). */
function targetOptions(c: Command): Command {
  return c
    .option("-n, --namespace <ns>", "namespace (default: ARGO_NAMESPACE, kubeconfig context, argo)")
    .option("--server <url>", "Argo Server URL (default: ARGO_SERVER)")
    .addOption(
      new Option(
        "--auth-mode <mode>",
        "client: send a bearer token; server: none (Argo Server --auth-mode=server); default ARGO_AUTH_MODE, client",
      ).choices([...AUTH_MODES]),
    )
    .option("--kubeconfig <file>", "kubeconfig (default: KUBECONFIG, ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: its current-context)")
    .option("--certificate-authority <file>", "CA bundle (PEM) trusted for the Argo Server, besides the system's")
    .option("--client-certificate <file>", "client certificate (PEM) presented to the Argo Server")
    .option("--client-key <file>", "key (PEM) of --client-certificate")
    .option("--insecure-skip-tls-verify", "do not verify the Argo Server's certificate (ARGO_INSECURE_SKIP_VERIFY)");
}

function submitCommand(): Command {
  return targetOptions(
    new Command("submit")
      .description("submit a WorkflowTemplate through the Argo Server API (ARGO_SERVER; ARGO_TOKEN or kubeconfig)")
      .argument("[template]", "WorkflowTemplate name", PIPELINE)
      .option("-p, --param <k=v>", "workflow parameter (repeatable)", collectPairs, {}),
  )
    .option("--entrypoint <name>", "entrypoint override")
    .option("-l, --label <k=v>", "workflow label (repeatable)", collectPairs, {})
    .option(
      "-w, --watch",
      "follow the workflow's steps until it ends; exit 0 if it succeeded, else the failed step's code (2, 3, 4, 5) or 1",
    )
    .addOption(new Option("--interval <ms>", "watch polling interval").argParser(intOption("--interval")).default(2000))
    .action(
      runAction(
        async (
          template: string,
          o: TargetOptions & {
            param: Record<string, string>;
            entrypoint?: string;
            label: Record<string, string>;
            watch?: boolean;
            interval: number;
          },
        ) => {
          const { resolveTarget } = await import("./submit/auth.ts");
          const { argoClient, nodeChanges, nodeRows, submitWorkflow, watchWorkflow, workflowExitCode } = await import(
            "./submit/client.ts"
          );
          const { formatTable } = await import("./runner/view.ts");
          const target = await resolveTarget(o);
          const client = argoClient(target);
          const wf = await submitWorkflow(client, target, {
            namespace: target.namespace,
            template,
            parameters: o.param,
            labels: { "app.kubernetes.io/part-of": "cosmo", "submitted-by": "cosmo-cli", ...o.label },
            entryPoint: o.entrypoint,
          });
          const name = wf.metadata?.name ?? "";
          process.stderr.write(
            `submitted ${target.namespace}/${name} to ${target.server} (credentials: ${target.credentialSource})\n`,
          );
          if (!o.watch) {
            process.stdout.write(
              `${JSON.stringify({ workflow: name, namespace: target.namespace, phase: wf.status?.phase ?? "Pending" })}\n`,
            );
            return;
          }
          const tty = process.stderr.isTTY;
          let last = "";
          let previous: typeof wf | undefined;
          const final = await watchWorkflow(client, target, target.namespace, name, {
            intervalMs: o.interval,
            onRetry: (err, attempt) => process.stderr.write(`${err.message}; polling again (${attempt})\n`),
            onUpdate: (w) => {
              if (!tty) {
                // A log: one line per node whose phase changed since the last poll.
                for (const line of nodeChanges(previous, w)) process.stderr.write(`${line}\n`);
                previous = w;
                return;
              }
              const rows = nodeRows(w).map((r, i) => ({
                ...r,
                id: String(i),
                kind: "Container" as const,
                phase: r.phase as never,
              }));
              const text = formatTable(rows, true);
              if (text !== last)
                process.stderr.write(`${last ? `\x1b[${last.split("\n").length}A\x1b[J` : ""}${text}\n`);
              last = text;
            },
          });
          const phase = final.status?.phase ?? "Unknown";
          const exitCode = workflowExitCode(final);
          process.stdout.write(
            `${JSON.stringify({ workflow: name, namespace: target.namespace, phase, exitCode, message: final.status?.message ?? null })}\n`,
          );
          if (phase !== "Succeeded")
            throw new CosmoError(
              `workflow ${name} ${phase}${final.status?.message ? `: ${final.status.message}` : ""}`,
              { exitCode },
            );
        },
      ),
    );
}

function logsCommand(): Command {
  return targetOptions(
    new Command("logs")
      .description("print a submitted workflow's step logs (`pod: line`), or follow them until it ends")
      .argument("<workflow>", "workflow name (as `submit` printed it)"),
  )
    .option("-f, --follow", "keep streaming until the workflow ends")
    .option("--pod <name>", "only this step's pod")
    .option("--grep <text>", "only lines containing this text")
    .action(
      runAction(async (workflow: string, o: TargetOptions & { follow?: boolean; pod?: string; grep?: string }) => {
        const { resolveTarget } = await import("./submit/auth.ts");
        const { argoClient, streamLogs } = await import("./submit/client.ts");
        const target = await resolveTarget(o);
        await streamLogs(argoClient(target), target, target.namespace, workflow, {
          follow: o.follow,
          podName: o.pod,
          grep: o.grep,
          onLine: (l) => process.stdout.write(`${l.podName}: ${l.content}\n`),
        });
      }),
    );
}

/** Glue run inside the images by the rendered templates (see docs/workflows.md). */
function glueCommands(): Command[] {
  const step = new Command("step").description("(pipeline glue) small steps of the rendered templates");
  step
    .command("merge")
    .description("merge regional extracts by their input keys into a merged file keyed by them (no-op if present)")
    .requiredOption("--bucket <bucket>")
    .requiredOption("--keys <json>", "JSON list of the extract keys")
    .requiredOption("--outputs <dir>")
    .action(
      runAction(async (o: { bucket: string; keys: string; outputs: string }) =>
        (await import("./steps/merge.ts")).mergeStep(o),
      ),
    );
  step
    .command("is-served")
    .description("write the imported version (from the import summary) and print true if it is the served one")
    .requiredOption("--summary <json>", "the summary `cosmo import --summary-json` wrote")
    .requiredOption("--outputs <dir>")
    .action(
      runAction(async (o: { summary: string; outputs: string }) => (await import("./steps/served.ts")).isServedStep(o)),
    );
  const extractOptions = (c: Command) =>
    c
      .option("--country-code <cc>", 'cosmo extract --country-code ("" = from the data)', "")
      .option("--disable-voronoi <bool>", "true: cosmo extract --disable-voronoi", "false")
      .option("--filter-langs <langs>", "cosmo extract --filter-langs (comma-separated)", "");
  extractOptions(
    step
      .command("check-extract")
      .description(
        "write sha256/etag/key from a `store fetch` summary and print true if that input key was already extracted",
      )
      .requiredOption("--fetched <json>", "the summary `cosmo store fetch` printed")
      .requiredOption("--bucket <bucket>")
      .requiredOption("--outputs <dir>"),
  ).action(
    runAction(async (o: ExtractParams & { fetched: string; bucket: string; outputs: string }) =>
      (await import("./steps/extract.ts")).checkExtractStep(o),
    ),
  );
  extractOptions(
    step
      .command("extract")
      .description("run `cosmo extract` with the options of an input key (refused when they give another key)")
      .requiredOption("--input <pbf>")
      .requiredOption("--output <file>")
      .requiredOption("--sha256 <hex>", "the PBF's sha256 (from check-extract)")
      .requiredOption("--key <hex>", "the input key check-extract computed")
      .option("--outputs <dir>", "write the zone count (zone-count) here"),
  ).action(
    runAction(
      async (o: ExtractParams & { input: string; output: string; sha256: string; key: string; outputs?: string }) =>
        (await import("./steps/extract.ts")).extractStep(o),
    ),
  );
  step
    .command("publish-dashboard")
    .description("make a dashboard document the one the explorer shows (data.publicDir/dashboard/latest.json)")
    .requiredOption("--file <json>", "the document `cosmo dashboard` wrote")
    .action(
      runAction(async (o: { file: string }) => {
        const { publishDashboardStep } = await import("./steps/publish-dashboard.ts");
        for (const url of await publishDashboardStep(o)) process.stdout.write(`wrote ${url}\n`);
      }),
    );
  const exportOptions = (c: Command) =>
    c
      .requiredOption("--version <n>", "dataset version (from the served check)")
      .requiredOption("--hash <hex>", "the merged file's key (the dataset's content)")
      .option("--min-zoom <z>", "first zoom", "0")
      .option("--max-zoom <z>", "deepest zoom", "12");
  exportOptions(
    step
      .command("check-export")
      .description("write the archive's input key and URL and print true if that archive is already stored")
      .requiredOption("--bucket <bucket>")
      .requiredOption("--outputs <dir>"),
  ).action(
    runAction(async (o: ExportParams & { bucket: string; outputs: string }) =>
      (await import("./steps/export-tiles.ts")).checkExportStep(o),
    ),
  );
  exportOptions(
    step
      .command("export-tiles")
      .description("run `cosmo tiles export` with the options of an input key (refused when they give another key)")
      .requiredOption("--key <hex>", "the input key check-export computed")
      .requiredOption("-o, --output <file>", "the PMTiles archive to write"),
  ).action(
    runAction(async (o: ExportParams & { key: string; output: string }) =>
      (await import("./steps/export-tiles.ts")).exportTilesStep(o),
    ),
  );
  step
    .command("publish-tiles")
    .description("copy the served version's archive to <data.publicDir>/tiles/latest.pmtiles; drop pruned versions'")
    .requiredOption("--archive <url>", "the served version's archive (from check-export)")
    .requiredOption("--bucket <bucket>")
    .action(
      runAction(async (o: { archive: string; bucket: string }) => {
        const { publishTilesStep } = await import("./steps/export-tiles.ts");
        process.stdout.write(`${JSON.stringify(await publishTilesStep(o))}\n`);
      }),
    );
  step
    .command("record")
    .description("record a run's outcome (exit handler)")
    .requiredOption("--status <status>")
    .requiredOption("--workflow <name>")
    .requiredOption("--bucket <bucket>")
    .action(
      runAction(async (o: { status: string; workflow: string; bucket: string }) => {
        await (await import("./steps/record.ts")).recordStep(o);
      }),
    );
  return [step];
}

export function commands(): Command[] {
  const wf = new Command("workflows").description(
    "Argo workflow templates: render, lint, run locally, submit to Argo Server, follow and read logs",
  );
  for (const c of [
    renderCommand(),
    lintCommand(),
    runLocalCommand(),
    submitCommand(),
    logsCommand(),
    ...glueCommands(),
  ])
    wf.addCommand(c);
  return [wf];
}
