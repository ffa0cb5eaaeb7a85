// `cosmo dashboard`, `cosmo diff` and `cosmo gate`: argument parsing and output only; the work is in
// dashboard.ts, diff.ts and gate.ts.
import { Command, InvalidArgumentError, Option } from "commander";
import { runAction } from "../core/cli.ts";
import { GateRefusedError, InputError } from "../core/errors.ts";
import { projectPath } from "../core/paths.ts";
import type { DatasetRef } from "./source.ts";

// Each command loads what it runs when it runs (`await import(…)`): the checks, the database client and the
// config's schema (pg, zod, yaml) are not needed for `--help` (start-up, issue 17).

// commander names the option in its message; these say what was wrong with the value.
function ratio(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative number, got "${v}"`);
  return n;
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${v}"`);
  return n;
}

function dashboardCommand(): Command {
  return new Command("dashboard")
    .description(
      "Volumetric and quality checks of a dataset (zones file or imported version) as one JSON document, plus the old test_results.json",
    )
    .option("-i, --input <file>", "zones file (path or s3://…)")
    .option("--dataset <version>", "an imported dataset version, or `served`")
    .requiredOption("-o, --output <file>", "output JSON (path or s3://…); test_results.json is written next to it")
    .option("--reference <csv>", "reference CSV of expected counts (default: config data.reference)")
    .option("--examples <n>", "offending zones listed per check group", count, 20)
    .option("--outside-parent <ratio>", "share of a child's area outside its parent that is reported", ratio, 0.01)
    .addOption(
      new Option(
        "--publish-dir [dir]",
        "also copy to <dir>/dashboard/latest.json and <dir>/test_results.json (default dir: config data.publicDir)",
      ),
    )
    .action(
      runAction(
        async (opts: {
          input?: string;
          dataset?: string;
          output: string;
          reference?: string;
          examples: number;
          outsideParent: number;
          publishDir?: string | true;
        }) => {
          if (!!opts.input === !!opts.dataset)
            throw new InputError("give exactly one of -i FILE or --dataset VERSION|served");
          const { checkLocalFile, parseDatasetRef } = await import("./source.ts");
          const { getConfig } = await import("../core/config.ts");
          const { openDatabase } = await import("../core/db.ts");
          const { oldTestResults, runDashboard, toJson } = await import("./dashboard.ts");
          const { publishDashboard, siblingUrl, writeArtefact } = await import("./output.ts");
          const ref: DatasetRef = opts.input
            ? { kind: "file", url: opts.input }
            : parseDatasetRef(String(opts.dataset));
          if (opts.dataset && ref.kind === "file") {
            throw new InputError(`--dataset expects a version number or "served", got "${opts.dataset}"`);
          }
          await checkLocalFile(ref);
          const config = getConfig();
          const db = await openDatabase(config);
          try {
            const report = await runDashboard(db, ref, {
              reference: opts.reference ?? projectPath(config.data.reference),
              examples: opts.examples,
              outsideParentRatio: opts.outsideParent,
            });
            const doc = toJson(report);
            const old = toJson(oldTestResults(report));
            const written = [
              await writeArtefact(opts.output, doc, config),
              await writeArtefact(siblingUrl(opts.output, "test_results.json"), old, config),
            ];
            if (opts.publishDir)
              written.push(
                ...(await publishDashboard(report, {
                  config,
                  dir: opts.publishDir === true ? undefined : opts.publishDir,
                })),
              );
            const v = report.summary.volumetric;
            const c = report.summary.checks;
            process.stdout.write(
              `${report.summary.zones} zones; volumetric ok ${v.ok}, ko ${v.ko} (${v.koKnown} known), skip ${v.skip}; checks ok ${c.ok}, warn ${c.warn}, ko ${c.ko}, info ${c.info}, skip ${c.skip}\n${written.map((w) => `wrote ${w}`).join("\n")}\n`,
            );
          } finally {
            await db.close();
          }
        },
      ),
    );
}

function diffCommand(): Command {
  return new Command("diff")
    .description("Change report between two datasets (version number, `served`, or zones file), matched by osm_id")
    .argument("<old>", "old dataset: version, `served`, or zones file")
    .argument("<new>", "new dataset: version, `served`, or zones file")
    .option("-o, --output <file>", "also write the JSON report here (path or s3://…); nothing else is written")
    .option("--json", "print the JSON report on stdout instead of the text summary")
    .option("--area-threshold <ratio>", "symmetric-difference area / area above which a geometry changed", ratio, 0.001)
    .option("--bbox-threshold <ratio>", "bbox edge shift / bbox diagonal above which a geometry changed", ratio, 0.001)
    .option("--examples <n>", "zones listed per category and group", count, 20)
    .action(
      runAction(
        async (
          oldArg: string,
          newArg: string,
          opts: {
            output?: string;
            json?: boolean;
            areaThreshold: number;
            bboxThreshold: number;
            examples: number;
          },
        ) => {
          const { checkLocalFile, parseDatasetRef } = await import("./source.ts");
          const { getConfig } = await import("../core/config.ts");
          const { openDatabase } = await import("../core/db.ts");
          const { toJson } = await import("./dashboard.ts");
          const { diffDatasets, formatDiffSummary } = await import("./diff.ts");
          const { writeArtefact } = await import("./output.ts");
          for (const arg of [oldArg, newArg]) await checkLocalFile(parseDatasetRef(arg));
          const config = getConfig();
          const db = await openDatabase(config);
          try {
            const report = await diffDatasets(oldArg, newArg, {
              db,
              geometryAreaRatio: opts.areaThreshold,
              bboxShiftRatio: opts.bboxThreshold,
              examples: opts.examples,
            });
            // Only where it is told: the public change report is a publish's to change (dashboard/gate.ts).
            const written = opts.output ? await writeArtefact(opts.output, toJson(report), config) : null;
            process.stdout.write(opts.json ? toJson(report) : formatDiffSummary(report));
            if (written) process.stderr.write(`wrote ${written}\n`);
          } finally {
            await db.close();
          }
        },
      ),
    );
}

function gateCommand(): Command {
  return new Command("gate")
    .description("Evaluate the publish gate for a dataset version against the served one (exit 3 when it would refuse)")
    .argument("<version>", "candidate dataset version", count)
    .option("--json", "print the gate result (failures + diff report) as JSON")
    .action(
      runAction(async (version: number, opts: { json?: boolean }) => {
        const { getConfig } = await import("../core/config.ts");
        const { openDatabase } = await import("../core/db.ts");
        const { toJson } = await import("./dashboard.ts");
        const { formatDiffSummary } = await import("./diff.ts");
        const { evaluateGate, gateMessage } = await import("./gate.ts");
        const config = getConfig();
        const db = await openDatabase(config);
        try {
          const result = await evaluateGate(db, version, { config });
          process.stdout.write(opts.json ? toJson(result) : formatDiffSummary(result.report));
          if (!result.ok) throw new GateRefusedError(gateMessage(version, result.failures), result.failures);
          if (!opts.json) process.stdout.write(`gate: dataset version ${version} may be published\n`);
        } finally {
          await db.close();
        }
      }),
    );
}

export function commands(): Command[] {
  return [dashboardCommand(), diffCommand(), gateCommand()];
}
