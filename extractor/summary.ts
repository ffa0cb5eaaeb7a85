// The human summary printed after an extraction (stderr): zones by type, what was dropped and why.

import { formatBytes } from "../core/memory-budget.ts";
import type { ExtractSummary } from "./extract.ts";

export function formatSummary(s: ExtractSummary): string {
  const lines: string[] = [];
  lines.push(
    `wrote ${s.zoneCount} zones to ${s.output} (${(s.bytes / 1e6).toFixed(1)} MB) in ${s.seconds.total.toFixed(1)} s`,
  );
  lines.push(
    `  read ${s.seconds.read.toFixed(1)} s, geometry ${s.seconds.geometry.toFixed(1)} s, write ${s.seconds.write.toFixed(1)} s`,
  );
  const m = s.memory;
  const spilled = m.spilledGeometryBytes + m.spilledLabelBytes;
  lines.push(
    `  memory budget ${formatBytes(m.budget)}${spilled ? `: ${formatBytes(m.spilledGeometryBytes)} of geometries and ${formatBytes(m.spilledLabelBytes)} of labels spilled to disk` : ""}${m.ringsSpilledAtLoad ? ` (rings on disk from the load, ways and nodes read in ${m.readBatches} batches, inclusion tests in ${m.inclusionGroups} groups)` : ""}; ${s.blobs.decoded} blob inflations for the file's ${s.blobs.inFile} blobs, ${s.blobs.skipped} passed over unread`,
  );
  const types = Object.entries(s.zonesByType)
    .map(([t, n]) => `${t} ${n}`)
    .join(", ");
  lines.push(`  zones by type: ${types || "none"}`);
  const b = s.build;
  lines.push(
    `  admin relations read: ${b.relations}; place zones: ${b.suburbPlaces} suburb places, ${b.capitalPlaces} capitals`,
  );
  for (const [reason, n] of Object.entries(b.droppedRelations)) {
    lines.push(
      `  dropped ${n} relations: ${reason.replace(/_/g, " ")} (e.g. ${(b.examples[reason] ?? []).join(", ")})`,
    );
  }
  const problems = Object.entries(b.ringProblems).map(([k, v]) => `${k.replace(/_/g, " ")} ${v}`);
  if (problems.length) lines.push(`  boundary problems: ${problems.join(", ")}`);
  const u = s.untyped;
  const untyped = [
    u.noCountry && `${u.noCountry} without country`,
    u.unknownCountryRules && `${u.unknownCountryRules} without country rules`,
    u.unhandledAdminLevel && `${u.unhandledAdminLevel} with an admin_level the rules do not map`,
    u.overrideNull && `${u.overrideNull} left untyped by an override`,
    u.placesWithoutCell && `${u.placesWithoutCell} capital places without a Voronoi cell`,
  ].filter(Boolean);
  if (untyped.length) lines.push(`  removed (no type): ${untyped.join(", ")}`);
  return lines.join("\n");
}
