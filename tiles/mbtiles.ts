// Writes one MBTiles 1.3 file (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md) — the SQLite
// container older tile servers and GDAL read — from the same tiles as the PMTiles archive. Rows are TMS-addressed
// (tile_row counts from the south), tiles are gzip-compressed MVT as the spec asks, and a `json` metadata row
// carries `vector_layers`. Identical tiles are stored once (`images` + `map`, with the `tiles` view the spec
// requires), as the PMTiles writer does.
import { rename, rm, stat } from "node:fs/promises";
import Database from "better-sqlite3";
import { loadSql } from "../core/sql.ts";
import type { ArchiveInfo } from "./pmtiles/writer.ts";

/** Rows per transaction: one commit per batch keeps inserts fast without holding all tiles. */
const BATCH = 2000;

/** What the PMTiles header says, less what MBTiles fixes (gzip MVT). */
export type MbtilesInfo = Omit<ArchiveInfo, "tileType" | "tileCompression">;

export interface MbtilesSummary {
  addressedTiles: number;
  tileContents: number;
  archiveBytes: number;
}

export class MbtilesWriter {
  private readonly db: Database.Database;
  private readonly putImage: Database.Statement;
  private readonly putMap: Database.Statement;
  private pending = 0;
  private addressed = 0;
  private contents = 0;

  /** `partial`: the file written until finish() renames it (removed by abort()). */
  constructor(private readonly partial: string) {
    this.db = new Database(partial);
    // One writer, a file that is renamed only once complete: the journal buys nothing.
    this.db.pragma("journal_mode = OFF");
    this.db.pragma("synchronous = OFF");
    this.db.exec(loadSql(import.meta.url, "sql/mbtiles-schema.sql"));
    this.putImage = this.db.prepare("INSERT OR IGNORE INTO images (tile_id, tile_data) VALUES (?, ?)");
    this.putMap = this.db.prepare("INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)");
    this.db.exec("BEGIN");
  }

  /** Adds a tile (gzip-compressed MVT) at XYZ z/x/y; `hash` identifies its content. */
  add(z: number, x: number, y: number, gz: Buffer, hash: string): void {
    if (this.putImage.run(hash, gz).changes > 0) this.contents++;
    this.putMap.run(z, x, 2 ** z - 1 - y, hash);
    this.addressed++;
    if (++this.pending >= BATCH) {
      this.db.exec("COMMIT; BEGIN");
      this.pending = 0;
    }
  }

  async finish(out: string, info: MbtilesInfo): Promise<MbtilesSummary> {
    try {
      const { vector_layers, ...rest } = info.metadata;
      const rows: Record<string, string> = {
        format: "pbf",
        type: "overlay",
        minzoom: String(info.minZoom),
        maxzoom: String(info.maxZoom),
        bounds: info.bounds.join(","),
        center: `${info.center[0]},${info.center[1]},${info.centerZoom}`,
        json: JSON.stringify({ vector_layers }),
      };
      for (const [k, v] of Object.entries(rest))
        if (!(k in rows)) rows[k] = typeof v === "string" ? v : JSON.stringify(v);
      const put = this.db.prepare("INSERT INTO metadata (name, value) VALUES (?, ?)");
      for (const [k, v] of Object.entries(rows)) put.run(k, v);
      this.db.exec("COMMIT");
      this.db.close();
      const { size } = await stat(this.partial);
      await rename(this.partial, out);
      return { addressedTiles: this.addressed, tileContents: this.contents, archiveBytes: size };
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.db.open) this.db.close();
    await rm(this.partial, { force: true });
  }
}
