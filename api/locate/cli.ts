// `cosmo locate`: argument parsing and output only (run.ts does the work).
import { Command, InvalidArgumentError } from "commander";
import { runAction } from "../../core/cli.ts";
import { CosmoError, EXIT } from "../../core/errors.ts";

// The database client and the locate pipeline are loaded when the command runs: `cosmo locate --help` does not
// need them (start-up, issue 17).

function datasetOption(value: string): number | "served" {
  if (value === "served") return value;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("a dataset version number or `served`");
  return Number(value);
}

function langOption(value: string): string {
  if (!/^[a-z]{2,3}([-_][A-Za-z0-9]{1,8})?$/.test(value)) throw new InvalidArgumentError("a language code like fr");
  return value;
}

export function commands(): Command[] {
  const locate = new Command("locate")
    .description(
      "Zones of many points: id,lon,lat rows (.csv) or Point features (.geojsonl), optionally .gz → one zone id " +
        "per type, or the whole hierarchy with names (--hierarchy), as .csv or .jsonl (optionally .gz)",
    )
    .requiredOption("-i, --input <file>", "points: .csv (id,lon,lat; header optional) or .geojsonl, optionally .gz")
    .requiredOption("-o, --output <file>", "result: .csv or .jsonl, optionally .gz (written when complete)")
    .option("--dataset <version>", "dataset version to locate in, or served", datasetOption, "served" as const)
    .option("--hierarchy", "every covering zone with its name, smallest first (CSV: a name column per type)")
    .option("--lang <code>", "language of the names with --hierarchy (name:<lang> tag, else the name)", langOption)
    .option("--no-progress", "no progress bar / progress log lines")
    .action(
      runAction(
        async (opts: {
          input: string;
          output: string;
          dataset: number | "served";
          hierarchy?: boolean;
          lang?: string;
          progress: boolean;
        }) => {
          if (opts.lang && !opts.hierarchy)
            throw new CosmoError("--lang only goes with --hierarchy (names are only in the hierarchy)", {
              exitCode: EXIT.input,
            });
          const [{ getConfig }, { openDatabase }, { locateFile }] = await Promise.all([
            import("../../core/config.ts"),
            import("../../core/db.ts"),
            import("./run.ts"),
          ]);
          const config = getConfig();
          const db = await openDatabase(config);
          try {
            const r = await locateFile(db, {
              input: opts.input,
              output: opts.output,
              dataset: opts.dataset,
              hierarchy: opts.hierarchy === true,
              lang: opts.lang,
              progress: opts.progress,
              indexDir: config.api.locateIndexDir || undefined,
            });
            const secs = r.ms / 1000;
            process.stdout.write(
              `located ${r.points} points (${r.located} in at least one zone) in dataset version ${r.dataset} → ` +
                `${opts.output} in ${secs.toFixed(1)} s (${Math.round(r.points / Math.max(secs, 1e-3))} points/s)\n`,
            );
          } finally {
            await db.close();
          }
        },
      ),
    );
  return [locate];
}
