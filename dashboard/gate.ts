// The publish gate: compares a candidate dataset with the served one and says whether publishing it is safe.
// Called by importer/publish.ts#publishVersion (unless forced). No served version yet → ok (the report then
// lists every zone as added).
import { type Config, getConfig } from "../core/config.ts";
import type { Database } from "../core/db.ts";
import { childLogger } from "../core/log.ts";
import { projectPath } from "../core/paths.ts";
import { diffLoaded, emptyDataset } from "./diff.ts";
import type { DiffReport } from "./diff-schema.ts";
import { writeDiffReport } from "./output.ts";
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
 * Compare `candidateVersion` with the served dataset and apply the rules of `config.gate`. The report (with the
 * verdict) is also written next to the candidate in the artefact store and to `<publicDir>/diff/latest.json`
 * unless `persist: false`; failing to write it is logged, never a reason to refuse or crash a publish.
 */
export async function evaluateGate(
  db: Database,
  candidateVersion: number,
  opts: { config?: Config; persist?: boolean } = {},
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
    const withVerdict: DiffReport = { ...report, gate: verdict };
    if (opts.persist !== false) {
      await writeDiffReport(withVerdict, { config }).catch((err: Error) =>
        log.warn({ err: err.message, version: candidateVersion }, "could not write the gate's change report"),
      );
    }
    return { ...verdict, report: withVerdict };
  } finally {
    await ws.release();
  }
}

/** One line naming every failed rule, for GateRefusedError. */
export function gateMessage(version: number, failures: GateFailure[]): string {
  return `publish of dataset version ${version} refused by the gate: ${failures.map((f) => `[${f.rule}] ${f.message}`).join("; ")} (use --force --reason TEXT to publish anyway)`;
}
