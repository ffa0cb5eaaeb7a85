// `cosmo import`, `cosmo publish`, `cosmo rollback`, `cosmo datasets`: argument parsing and output only.
import { writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { Command } from "commander";
import { runAction } from "../core/cli.ts";
import { CosmoError, EXIT } from "../core/errors.ts";

// Each command loads what it runs when it runs (`await import(…)`): the database client, the config's schema
// (zod, yaml), the loader and the publish gate (the dashboard's checks) are not needed for `--help`
// (start-up, issue 17).

function whoAmI(by?: string): string {
  if (by) return by;
  if (process.env.USER) return process.env.USER;
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

function checkForce(opts: { force?: boolean; reason?: string }): void {
  if (opts.force && !opts.reason?.trim())
    throw new CosmoError("--force needs --reason TEXT (it is recorded with the dataset)", { exitCode: EXIT.input });
  if (opts.reason && !opts.force) throw new CosmoError("--reason only goes with --force", { exitCode: EXIT.input });
}

function importCommand(): Command {
  return new Command("import")
    .description(
      "Import a cosmogony zones file (.json, .jsonl, .json.gz, .jsonl.gz; path or s3://…) as a new dataset version",
    )
    .argument("<source>", "zones file: local path, file:///… or s3://bucket/key")
    .option("--publish", "serve the new version once loaded (through the publish gate)")
    .option("--force", "publish even if the gate refuses (needs --reason)")
    .option("--reason <text>", "why the gate is overridden (recorded in cosmo.datasets)")
    .option("--by <name>", "who forces the publish (default: $USER)")
    .option("--summary-json <path>", "write {version, skipped, zoneCount, sha256} there")
    .option("--no-progress", "no progress bar / progress log lines")
    .action(
      runAction(
        async (
          source: string,
          opts: {
            publish?: boolean;
            force?: boolean;
            reason?: string;
            by?: string;
            summaryJson?: string;
            progress: boolean;
          },
        ) => {
          checkForce(opts);
          if (opts.force && !opts.publish)
            throw new CosmoError("--force only applies with --publish", { exitCode: EXIT.input });
          const { openDatabase } = await import("../core/db.ts");
          const { evaluateGate, publishedGateReport } = await import("../dashboard/gate.ts");
          const { importZonesFile } = await import("./import.ts");
          const db = await openDatabase();
          try {
            const res = await importZonesFile(db, source, {
              publish: opts.publish,
              force: opts.force,
              reason: opts.reason,
              forcedBy: opts.force ? whoAmI(opts.by) : undefined,
              gate: evaluateGate,
              progress: opts.progress,
            });
            // The gate's change report becomes public only with the publish it let through.
            await publishedGateReport(res.publish?.gate);
            if (opts.summaryJson) {
              const summary = {
                version: res.version,
                skipped: res.skipped,
                zoneCount: res.zoneCount,
                sha256: res.sha256,
                published: res.published === true,
              };
              await writeFile(opts.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
            }
            process.stdout.write(`${res.summary}\n`);
          } finally {
            await db.close();
          }
        },
      ),
    );
}

function publishCommand(): Command {
  return new Command("publish")
    .description("Serve a loaded dataset version (one transaction; checked by the publish gate unless forced)")
    .argument("<version>", "dataset version number (see `cosmo datasets`)")
    .option("--force", "publish even if the gate refuses (needs --reason)")
    .option("--reason <text>", "why the gate is overridden (recorded in cosmo.datasets)")
    .option("--by <name>", "who forces the publish (default: $USER)")
    .action(
      runAction(async (versionText: string, opts: { force?: boolean; reason?: string; by?: string }) => {
        checkForce(opts);
        const version = Number(versionText);
        if (!Number.isInteger(version) || version <= 0)
          throw new CosmoError(`version: expected a positive integer, got "${versionText}"`, { exitCode: EXIT.input });
        const { openDatabase } = await import("../core/db.ts");
        const { evaluateGate, publishedGateReport } = await import("../dashboard/gate.ts");
        const { publishVersion } = await import("./publish.ts");
        const db = await openDatabase();
        try {
          const res = await publishVersion(db, version, {
            force: opts.force,
            reason: opts.reason,
            forcedBy: opts.force ? whoAmI(opts.by) : undefined,
            gate: evaluateGate,
          });
          await publishedGateReport(res.gate);
          process.stdout.write(
            res.unchanged
              ? `version ${version} is already served\n`
              : `serving version ${version} (previous: ${res.previous ?? "none"}${res.forced ? `, forced by ${whoAmI(opts.by)}` : ""}${res.dropped.length ? `; dropped versions ${res.dropped.join(", ")}` : ""})\n`,
          );
        } finally {
          await db.close();
        }
      }),
    );
}

function rollbackCommand(): Command {
  return new Command("rollback")
    .description("Serve the previous dataset version again (a second rollback rolls forward)")
    .action(
      runAction(async () => {
        const { openDatabase } = await import("../core/db.ts");
        const { rollback } = await import("./publish.ts");
        const db = await openDatabase();
        try {
          const res = await rollback(db);
          process.stdout.write(`serving version ${res.version} again (was ${res.previous})\n`);
        } finally {
          await db.close();
        }
      }),
    );
}

function pruneCommand(): Command {
  return new Command("prune")
    .description(
      "Remove failed, interrupted and retired versions and loaded ones beyond --keep (never the served version nor " +
        "the previous one): a dry run that lists them unless --yes",
    )
    .option("--keep <n>", "loaded versions to keep, served and previous included (default: import.keepVersions)")
    .option("--yes", "remove them (default: only list what would go)")
    .option("--apply", "same as --yes")
    .action(
      runAction(async (opts: { keep?: string; yes?: boolean; apply?: boolean }) => {
        const { getConfig } = await import("../core/config.ts");
        const { openDatabase } = await import("../core/db.ts");
        const { pruneDatasets } = await import("./datasets.ts");
        const keep = opts.keep === undefined ? getConfig().import.keepVersions : Number(opts.keep);
        if (!Number.isInteger(keep) || keep < 2)
          throw new CosmoError(`--keep: expected an integer of at least 2 (served and previous), got "${opts.keep}"`, {
            exitCode: EXIT.input,
          });
        const apply = opts.yes === true || opts.apply === true;
        const db = await openDatabase();
        try {
          const plan = await pruneDatasets(db.pool, keep, apply);
          for (const r of plan)
            process.stdout.write(`${apply ? "removed" : "would remove"} v${r.version}\t${r.reason}\t${r.source}\n`);
          process.stdout.write(
            !plan.length
              ? "nothing to prune\n"
              : apply
                ? `pruned ${plan.length} version(s)\n`
                : `dry run: nothing changed; \`cosmo datasets prune --yes\` removes these ${plan.length} version(s)\n`,
          );
        } finally {
          await db.close();
        }
      }),
    );
}

function datasetsCommand(): Command {
  return new Command("datasets")
    .description("List dataset versions: status, zone count, source, sha256, served/previous")
    .option("--json", "machine-readable output")
    .action(
      runAction(async (opts: { json?: boolean }) => {
        const { openDatabase } = await import("../core/db.ts");
        const { listDatasets } = await import("./publish.ts");
        const db = await openDatabase();
        try {
          const rows = await listDatasets(db.pool);
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify(
                rows.map(({ meta, ...r }) => r),
                null,
                2,
              )}\n`,
            );
            return;
          }
          if (!rows.length) {
            process.stdout.write("no datasets yet (cosmo import FILE)\n");
            return;
          }
          for (const r of rows) {
            const mark = r.served ? "*" : r.previous ? "<" : " ";
            const forced = r.forced_by ? ` forced by ${r.forced_by}: ${r.force_reason}` : "";
            const err = r.status === "failed" && r.error ? ` (${r.error.split("\n")[0].slice(0, 120)})` : "";
            process.stdout.write(
              `${mark} v${r.version}\t${r.status}\t${r.zone_count ?? "-"} zones\t${r.created_at.toISOString()}\t${r.source_sha256.slice(0, 12)}\t${r.source}${forced}${err}\n`,
            );
          }
          process.stdout.write("(* served, < previous: `cosmo rollback` serves it again)\n");
        } finally {
          await db.close();
        }
      }),
    )
    .addCommand(pruneCommand());
}

export function commands(): Command[] {
  return [importCommand(), publishCommand(), rollbackCommand(), datasetsCommand()];
}
