// Render one tile with the prepared statement of its zoom band, in the schema of the resolved dataset version.
import type { Pool } from "pg";
import type { ServedRef } from "../core/serving/served-dataset.ts";
import { loadSql } from "../core/sql.ts";
import { bandForLayer, type TileBand } from "./bands.ts";
import type { TileAddress } from "./coords.ts";
import type { TileLayer } from "./layers.ts";

export interface VersionRef {
  version: number;
  schema: string;
}

export class TileRenderer {
  private readonly nameKeys: string[];
  private readonly texts = new Map<string, string>();

  constructor(
    private readonly pool: Pool,
    languages: string[],
  ) {
    this.nameKeys = languages.map((l) => `name:${l}`);
  }

  /** The statement text for a band in a version schema (built once per version and band). */
  private statement(schema: string, band: TileBand): { name: string; text: string } {
    const name = `tile_${schema}_${band.name}`;
    let text = this.texts.get(name);
    if (text === undefined) {
      text = loadSql(import.meta.url, "sql/tile.sql", { schema, table: band.table });
      this.texts.set(name, text);
    }
    return { name, text };
  }

  async render(ref: VersionRef | ServedRef, layer: TileLayer, t: TileAddress): Promise<Buffer> {
    const band = bandForLayer(layer, t.z);
    const { name, text } = this.statement(ref.schema, band);
    // A named query is parsed and planned once per pooled connection, then only bound and executed.
    const { rows } = await this.pool.query<{ mvt: Buffer | null }>({
      name,
      text,
      values: [
        t.z,
        t.x,
        t.y,
        band.zoneTypes,
        layer.layer,
        layer.compat,
        this.nameKeys,
        band.maxAdminLevel,
        layer.labelLayer ?? null,
      ],
    });
    return rows[0]?.mvt ?? Buffer.alloc(0);
  }

  async bounds(ref: VersionRef): Promise<[number, number, number, number] | null> {
    const text = loadSql(import.meta.url, "sql/dataset-bounds.sql", { schema: ref.schema });
    const { rows } = await this.pool.query<{
      min_lon: number | null;
      min_lat: number;
      max_lon: number;
      max_lat: number;
    }>(text);
    const r = rows[0];
    if (!r || r.min_lon === null) return null;
    return [r.min_lon, r.min_lat, r.max_lon, r.max_lat];
  }
}
