// Bulk locate, shared by `cosmo locate` and POST /zones/locate: one SQL round trip per batch of points (arrays
// unnested and joined to the version's lookup pieces), and the one shape of a located point, as a JSON object
// (JSON lines, HTTP) or a CSV row.
import type pg from "pg";
import { ZONE_TYPES } from "../../core/cosmogony/model.ts";
import { CosmoError, EXIT } from "../../core/errors.ts";
import type { ServedRef } from "../../core/serving/served-dataset.ts";
import { loadSql } from "../../core/sql.ts";
import { coveringPiecesSql } from "../queries.ts";
import type { LocatePoint } from "./points.ts";

/** Points per SQL round trip: large enough that the round trip is nothing, small enough to stream. */
export const LOCATE_BATCH = 5000;

export interface LocateOptions {
  /** Every covering zone with its name (smallest first) instead of one zone id per type. */
  hierarchy: boolean;
  /** Language of the names (`name:<lang>` tag, else the zone's name). */
  lang?: string;
}

export interface LocatedZone {
  id: number;
  zone_type: string | null;
  admin_level: number | null;
  name: string;
}

/** A located point: `zones` (type → id of the smallest zone of that type, null if none) or `hierarchy`. */
export type LocateRecord = LocatePoint & ({ zones: Record<string, number | null> } | { hierarchy: LocatedZone[] });

const TYPES = [...ZONE_TYPES];

interface Row extends LocatedZone {
  i: number;
}

function sqlFor(schema: string): string {
  return loadSql(import.meta.url, "sql/locate.sql", {
    schema,
    covering_pieces: coveringPiecesSql(schema),
  });
}

/** A version without the lookup structure (imported before it existed) cannot be located in. */
function missingLookup(err: unknown, ref: ServedRef): unknown {
  if ((err as { code?: string }).code !== "42P01") return err;
  return new CosmoError(
    `dataset version ${ref.version} has no point lookup structure (imported before it existed): ` +
      `publish it (cosmo publish ${ref.version}) to build it, or locate in another version`,
    { exitCode: EXIT.input, cause: err },
  );
}

export async function locateBatch(
  pool: pg.Pool,
  ref: ServedRef,
  points: LocatePoint[],
  opts: LocateOptions,
): Promise<LocateRecord[]> {
  let rows: Row[];
  try {
    rows = (
      await pool.query<Row>(sqlFor(ref.schema), [
        points.map((p) => p.lon),
        points.map((p) => p.lat),
        TYPES,
        opts.hierarchy ? (opts.lang ?? null) : null,
      ])
    ).rows;
  } catch (err) {
    throw missingLookup(err, ref);
  }
  const byPoint: Row[][] = points.map(() => []);
  for (const r of rows) byPoint[r.i - 1]?.push(r);
  return points.map((p, k) => {
    const found = byPoint[k] as Row[];
    if (opts.hierarchy) {
      return {
        ...p,
        hierarchy: found.map((r) => ({ id: r.id, zone_type: r.zone_type, admin_level: r.admin_level, name: r.name })),
      };
    }
    const zones: Record<string, number | null> = Object.fromEntries(TYPES.map((t) => [t, null]));
    // rows come smallest first: the first zone of each type is the most precise one
    for (const r of found) if (r.zone_type && zones[r.zone_type] === null) zones[r.zone_type] = r.id;
    return { ...p, zones };
  });
}

/** CSV columns: id, lon, lat, then one per zone type (its id), and with `hierarchy` its name beside it. */
export function csvColumns(opts: LocateOptions): string[] {
  const perType = opts.hierarchy ? TYPES.flatMap((t) => [t, `${t}_name`]) : TYPES;
  return ["id", "lon", "lat", ...perType];
}

export function csvRow(r: LocateRecord): (string | number | null)[] {
  const head = [r.id, r.lon, r.lat];
  if ("zones" in r) return [...head, ...TYPES.map((t) => r.zones[t] ?? null)];
  return [
    ...head,
    ...TYPES.flatMap((t) => {
      const z = r.hierarchy.find((h) => h.zone_type === t);
      return [z?.id ?? null, z?.name ?? null];
    }),
  ];
}
