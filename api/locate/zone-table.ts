// What a located point shows of its zones (id, type, admin level, name), for every zone of a version, loaded
// once per version instead of joined per batch (that join read the whole zones table at every batch). The
// zones are kept in the order /zones/at lists them (zone-table.sql), so a zone's rank sorts a point's zones.
// Names in another language are loaded on first use, one map per language (only the zones that have one).
import type pg from "pg";
import { ZONE_TYPES } from "../../core/cosmogony/model.ts";
import type { ServedRef } from "../../core/serving/served-dataset.ts";
import { loadSql } from "../../core/sql.ts";

export interface LocatedZone {
  id: number;
  zone_type: string | null;
  admin_level: number | null;
  name: string;
}

/** Languages whose names are kept per version (a few kB to a few MB each). */
const MAX_LANGUAGES = 16;

export class ZoneTable {
  private readonly rankById = new Map<number, number>();
  /** By rank: the index of the zone's type in ZONE_TYPES, -1 for none. */
  private readonly typeSlots: Int8Array;
  private readonly names = new Map<string, Promise<Map<number, string>>>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly ref: ServedRef,
    /** Zones by rank: the order of /zones/at (smallest type first). */
    readonly zones: readonly LocatedZone[],
  ) {
    for (const [rank, z] of zones.entries()) this.rankById.set(z.id, rank);
    const types: readonly (string | null)[] = ZONE_TYPES;
    this.typeSlots = Int8Array.from(zones, (z) => types.indexOf(z.zone_type));
  }

  /** The index in ZONE_TYPES of the type of the zone of rank `rank`; -1 when it has none of them. */
  typeSlot(rank: number): number {
    return this.typeSlots[rank] as number;
  }

  static async load(pool: pg.Pool, ref: ServedRef): Promise<ZoneTable> {
    const { rows } = await pool.query<LocatedZone>(
      loadSql(import.meta.url, "sql/zone-table.sql", { schema: ref.schema }),
      [[...ZONE_TYPES]],
    );
    return new ZoneTable(pool, ref, rows);
  }

  /** The rank of a zone (undefined: not a zone of this version). */
  rank(id: number): number | undefined {
    return this.rankById.get(id);
  }

  /** Zone id → its name in `lang` (its `name:<lang>` tag), for the zones that have one. */
  namesIn(lang: string): Promise<Map<number, string>> {
    let names = this.names.get(lang);
    if (!names) {
      if (this.names.size >= MAX_LANGUAGES) this.names.delete(this.names.keys().next().value as string);
      names = this.pool
        .query<{ id: number; name: string }>(
          loadSql(import.meta.url, "sql/zone-names.sql", { schema: this.ref.schema }),
          [lang],
        )
        .then(({ rows }) => new Map(rows.map((r) => [r.id, r.name])));
      names.catch(() => this.names.delete(lang));
      this.names.set(lang, names);
    }
    return names;
  }
}
