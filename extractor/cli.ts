// Stage CLI: `cosmo extract` and `cosmo merge`.
import { Command, InvalidArgumentError, Option } from "commander";
import { intOption, runAction } from "../core/cli.ts";
import { memoryBudgetBytes, memoryBudgetProblem } from "../core/memory-budget.ts";
import type { CoversEngine } from "./postgis.ts";

// The extraction and the merge (the PBF reader, pg, the zones writer and the config's schema) are loaded when a
// command runs: `cosmo extract --help` does not need them (start-up, issue 17).

function memoryBudgetOption(value: string): number {
  const problem = memoryBudgetProblem(value);
  if (problem) throw new InvalidArgumentError(`--memory-budget: ${problem}`);
  return memoryBudgetBytes(value);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function commands(): Command[] {
  const extractCmd = new Command("extract")
    .description(
      "Extract administrative zones from an OSM PBF into a cosmogony file (.json, .jsonl, .json.gz, .jsonl.gz)",
    )
    .requiredOption("-i, --input <pbf>", "OSM PBF file (path or s3://bucket/key)")
    .option("-o, --output <file>", "output file, format from the suffix (path or s3://…)", "cosmogony.json")
    .option("--country-code <cc>", "ISO 3166-1 alpha-2 code applied to every zone (else found from the data)")
    .option("--disable-voronoi", "do not compute Voronoi cells for place zones")
    .option("--filter-langs <langs>", "languages of international_labels (repeatable or comma-separated)", collect, [])
    .option("--rules-dir <dir>", "libpostal boundaries rules folder (default: config data.rulesDir)")
    .addOption(
      new Option(
        "--threads <n>",
        "PBF decode workers, covers-test threads and PostGIS connections (default: CPU count)",
      ).argParser(intOption("--threads")),
    )
    .addOption(new Option("--num-threads <n>").hideHelp().argParser(intOption("--num-threads")))
    .addOption(
      new Option(
        "--covers <engine>",
        "who decides the inclusion (covers) tests: exact (TypeScript, exact predicates) or geos (ST_Covers in PostGIS, as upstream)",
      )
        .choices(["exact", "geos"])
        .default("exact"),
    )
    .addOption(
      new Option(
        "--memory-budget <size>",
        "memory the extract keeps to, spilling to temporary files beyond it, e.g. 1GiB, 512MiB (default: config extract.memoryBudget, else half the machine's memory)",
      ).argParser(memoryBudgetOption),
    )
    .option("--summary-json <file>", "also write the summary as JSON")
    .action(
      runAction(async (o: Record<string, unknown>) => {
        const [{ extract }, { parseLangList }, { formatSummary }] = await Promise.all([
          import("./extract.ts"),
          import("./names.ts"),
          import("./summary.ts"),
        ]);
        const summary = await extract({
          input: o.input as string,
          output: o.output as string,
          // `--country-code=` (empty, as a workflow passes an unset parameter) means "find it from the data".
          countryCode: (o.countryCode as string | undefined) || undefined,
          voronoi: !o.disableVoronoi,
          filterLangs: parseLangList(o.filterLangs as string[]),
          rulesDir: o.rulesDir as string | undefined,
          threads: (o.threads ?? o.numThreads) as number | undefined,
          covers: o.covers as CoversEngine,
          memoryBudget: o.memoryBudget as number | undefined,
        });
        process.stderr.write(`${formatSummary(summary)}\n`);
        if (o.summaryJson) {
          const { writeFile } = await import("node:fs/promises");
          await writeFile(o.summaryJson as string, `${JSON.stringify(summary, null, 2)}\n`);
        }
      }),
    );

  const mergeCmd = new Command("merge")
    .description(
      "Merge cosmogony files (e.g. per-continent runs) into one; one zone per osm_id, ids and parents remapped",
    )
    .argument("<files...>", "input zone files (any of the four formats, paths or s3://…)")
    .option("-o, --output <file>", "output file", "cosmogony.jsonl.gz")
    .action(
      runAction(async (files: string[], o: { output: string }) => {
        const { mergeZoneFiles } = await import("./merge.ts");
        const r = await mergeZoneFiles(files, o.output);
        process.stderr.write(
          `merged ${r.inputZones} zones from ${files.length} files into ${r.outputZones} zones (${r.duplicates} duplicate osm ids) → ${o.output}\n`,
        );
      }),
    );
  return [extractCmd, mergeCmd];
}
