// The publish gate: compares a candidate dataset with the served one and says whether publishing it is safe.
// Called by importer/publish.ts#publishVersion (unless forced). No served version yet → ok (the report then
// lists every zone as added).
import { type Config, getConfig } from "../core/config.ts";
import type { Database } from "../core/db.ts";
import { childLogger } from "../core/log.ts";
import { projectPath } from "../core/paths.ts";
import { diffLoaded, emptyDataset } from "./diff.ts";
import type { DiffReport } from "./diff-schema.ts";
import { publishDiffReport } from "./output.ts";
import { readReference } from "./reference.ts";
import { loadDataset } from "./source.ts";
import { volumetricRows } from "./volumetric.ts";
import { openWorkspace } from "./workspace.ts";

const log = childLogger("gate");

import type { VolumetricRow } from "./report-schema.ts";

export interface GateFailure {
  rule: string;
  message: string;
}

export interface GateResult {
  ok: boolean;
  failures: GateFailure[];
  report: DiffReport;
}

export type GateRules = Config["gate"];

const pct = (v: number) => `${Math.round(v * 10) / 10} %`;

/** The rules over a diff report (pure: the tests and the docs' examples use it directly). */
export function gateFailures(
  report: DiffReport,
  rules: GateRules,
  volumetric?: { served: VolumetricRow[]; candidate: VolumetricRow[] },
): GateFailure[] {
  const failures: GateFailure[] = [];
  if (report.old.kind === "none") return failures;

  const lost = report.countriesRemoved;
  if (lost.length > rules.maxCountriesRemoved) {
    failures.push({
      rule: "maxCountriesRemoved",
      message: `${lost.length} country zone(s) removed (allowed ${rules.maxCountriesRemoved}): ${lost
        .map((c) => `${c.name ?? "?"} (${c.countryCode ?? "?"}, ${c.osmId})`)
        .join(", ")}`,
    });
  }

  const typeDrops = report.groups
    .filter((g) => g.oldCount > 0 && (g.counts.removed / g.oldCount) * 100 > rules.maxTypeRemovedPercent)
    .map(
      (g) =>
        `${g.country ?? "no country"} ${g.zoneType ?? "untyped"} ${g.counts.removed}/${g.oldCount} (${pct((g.counts.removed / g.oldCount) * 100)})`,
    );
  if (typeDrops.length) {
    failures.push({
      rule: "maxTypeRemovedPercent",
      message: `more than ${rules.maxTypeRemovedPercent} % of a zone type removed in a country: ${typeDrops.join(", ")}`,
    });
  }

  const before = report.old.zoneCount;
  const after = report.new.zoneCount;
  if (before > 0 && ((before - after) / before) * 100 > rules.maxTotalDropPercent) {
    failures.push({
      rule: "maxTotalDropPercent",
      message: `total zone count dropped ${pct(((before - after) / before) * 100)} (${before} → ${after}, allowed ${rules.maxTotalDropPercent} %)`,
    });
  }

  if (rules.failOnDashboardRegression && volumetric) {
    const regressed = volumetric.served
      .map((row, i) => ({ row, now: volumetric.candidate[i] }))
      .filter(({ row, now }) => row.status === "ok" && now?.status === "ko")
      .map(
        ({ row, now }) =>
          `${row.columns.name ?? row.columns.wikidata_id} ${row.columns.zone_type} ${row.total} → ${now.total}`,
      );
    if (regressed.length) {
      failures.push({
        rule: "failOnDashboardRegression",
        message: `${regressed.length} volumetric row(s) went from ok to ko: ${regressed.join(", ")}`,
      });
    }
  }
  return failures;
}

/**
 * Compare `candidateVersion` with the served dataset and apply the rules of `config.gate`. Writes nothing: the
 * report (with the verdict) is in the result; a publish that goes through makes it the public change report
 * (publishedGateReport), a caller that wants it elsewhere writes it there.
 */
export async function evaluateGate(
  db: Database,
  candidateVersion: number,
  opts: { config?: Config } = {},
): Promise<GateResult> {
  const config = opts.config ?? getConfig();
  const ws = await openWorkspace(db);
  try {
    const candidate = await loadDataset(ws, { kind: "version", version: candidateVersion }, "gate_new");
    const served = await ws.client.query<{ version: number | null }>(
      "SELECT (SELECT version FROM cosmo.served) AS version",
    );
    const servedVersion = served.rows[0]?.version ?? null;
    const old =
      servedVersion === null
        ? await emptyDataset(ws, candidate.table, "gate_old")
        : await loadDataset(ws, { kind: "version", version: servedVersion }, "gate_old");
    const report = await diffLoaded(ws, old, candidate);
    let volumetric: { served: VolumetricRow[]; candidate: VolumetricRow[] } | undefined;
    if (servedVersion !== null && config.gate.failOnDashboardRegression) {
      const reference = await readReference(projectPath(config.data.reference));
      volumetric = {
        served: await volumetricRows(ws, old.table, reference),
        candidate: await volumetricRows(ws, candidate.table, reference),
      };
    }
    const failures = gateFailures(report, config.gate, volumetric);
    const verdict = { ok: failures.length === 0, failures };
    return { ...verdict, report: { ...report, gate: verdict } };
  } finally {
    await ws.release();
  }
}

/**
 * After a publish went through: the report of the gate that let it through becomes the public change report
 * (`<publicDir>/diff/latest.json`). The publish is done by then, so failing to write is logged, never thrown.
 */
export async function publishedGateReport(
  gate: { report: unknown } | null | undefined,
  opts: { config?: Config } = {},
): Promise<string | null> {
  if (!gate) return null;
  try {
    return await publishDiffReport(gate.report as DiffReport, opts);
  } catch (err) {
    log.warn({ err: (err as Error).message }, "published, but could not write the public change report");
    return null;
  }
}

/** One line naming every failed rule, for GateRefusedError. */
export function gateMessage(version: number, failures: GateFailure[]): string {
  return `publish of dataset version ${version} refused by the gate: ${failures.map((f) => `[${f.rule}] ${f.message}`).join("; ")} (use --force --reason TEXT to publish anyway)`;
}
