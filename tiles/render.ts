// Render one tile with the prepared statement of its zoom band, in the schema of the resolved dataset version.
import type { Pool } from "pg";
import type { ServedRef } from "../core/serving/served-dataset.ts";
import { loadSql, sqlFragment } from "../core/sql.ts";
import { bandForLayer, cellZoomFor, type TileBand } from "./bands.ts";
import type { TileAddress } from "./coords.ts";
import type { TileLayer } from "./layers.ts";

export interface VersionRef {
  version: number;
  schema: string;
}

/**
 * What tile.sql simplifies the shapes of the full-resolution zones at (from z9, where the tiles read them and
 * the big zones' cell pieces) before ST_AsMVTGeom, as a fraction of the tile's width: one unit of its 4096 grid
 * (1/16 of a pixel of a 256-pixel tile), the order of the rounding to that grid ST_AsMVTGeom applies anyway (it
 * does not simplify: it drops repeated points, snaps, clips and repairs). Douglas-Peucker keeps every vertex
 * farther than this from the simplified outline, so no part of the drawn outline moves by more than it plus the
 * rounding; tiles/test/simplify.test.ts bounds what it changes (docs/tiles.md "Simplified shapes"). The
 * generalised bands below z9 are simplified at import for their zooms (importer/zoom-bands.ts) and go in as they
 * are, as does the old layer's z3–8 (its tiles stay what they were).
 */
export const TILE_SIMPLIFY_TOLERANCE = 1 / 4096;

/**
 * tile.sql for a band in a version schema, the big zones read as their pieces of the cells at `cellZoom` if not
 * null, the shapes simplified at TILE_SIMPLIFY_TOLERANCE first if `simplify`; for any number of tiles if `batch`,
 * else for the first of those given.
 */
export function tileSql(
  schema: string,
  band: TileBand,
  cellZoom: number | null,
  simplify: boolean,
  batch = true,
): string {
  return loadSql(import.meta.url, "sql/tile.sql", {
    ...tileFragments(schema, band, cellZoom),
    // the same statement but for where its tiles come from (tiles-one.sql says why)
    tiles: sqlFragment(loadSql(import.meta.url, batch ? "sql/tiles-batch.sql" : "sql/tiles-one.sql")),
    simplify: sqlFragment(String(simplify)),
    simplifyTolerance: TILE_SIMPLIFY_TOLERANCE,
  });
}

/** tile-reached.sql for a band in a version schema: the tiles tileSql (same band, same cells) reads something for. */
export function reachedSql(schema: string, band: TileBand, cellZoom: number | null): string {
  return loadSql(import.meta.url, "sql/tile-reached.sql", {
    ...tileFragments(schema, band, cellZoom),
    tiles: sqlFragment(loadSql(import.meta.url, "sql/tiles-batch.sql")),
  });
}

/** What tile.sql and tile-reached.sql share: where the shapes come from, and which of them show. */
function tileFragments(schema: string, band: TileBand, cellZoom: number | null) {
  const source =
    cellZoom === null
      ? sqlFragment(loadSql(import.meta.url, "sql/tile-band.sql", { schema, table: band.table }))
      : sqlFragment(loadSql(import.meta.url, "sql/tile-cells.sql", { schema, cellZoom }));
  const shown = sqlFragment(loadSql(import.meta.url, "sql/tile-shown.sql"));
  return { schema, table: band.table, source, shown };
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

  /** Per version schema: whether it has the big zones' cell pieces (older versions do not). */
  private readonly cells = new Map<string, Promise<boolean>>();

  private hasCells(schema: string): Promise<boolean> {
    let present = this.cells.get(schema);
    if (present === undefined) {
      present = this.pool
        .query<{ present: boolean }>(loadSql(import.meta.url, "sql/has-tile-cells.sql"), [schema])
        .then((r) => r.rows[0]?.present === true);
      // a failed look-up is asked again by the next tile, not remembered
      present.catch(() => this.cells.delete(schema));
      this.cells.set(schema, present);
    }
    return present;
  }

  /**
   * The statement text for a band in a version schema, reading the big zones' pieces of the cells at `cellZoom`
   * when not null, simplifying the shapes if `simplify`, for a batch of tiles or one (built once per version, band,
   * cell zoom, simplification and batch or not).
   */
  private statement(
    schema: string,
    band: TileBand,
    cellZoom: number | null,
    simplify: boolean,
    batch: boolean,
  ): { name: string; text: string } {
    const name = `tile_${schema}_${band.name}${cellZoom === null ? "" : `_c${cellZoom}`}${simplify ? "_s" : ""}${batch ? "_b" : ""}`;
    let text = this.texts.get(name);
    if (text === undefined) {
      text = tileSql(schema, band, cellZoom, simplify, batch);
      this.texts.set(name, text);
    }
    return { name, text };
  }

  /**
   * Which of the given tiles of zoom z (`candidates`) a render can draw anything in (tile-reached.sql); every other
   * tile renders empty.
   */
  async reached(
    ref: VersionRef | ServedRef,
    layer: TileLayer,
    z: number,
    candidates: readonly { x: number; y: number }[],
  ): Promise<{ x: number; y: number }[]> {
    const { band, cellZoom } = await this.source(ref, layer, z);
    const { rows } = await this.pool.query<{ x: number; y: number }>(
      reachedSql(ref.schema, band, cellZoom),
      this.params(
        z,
        candidates.map((t) => t.x),
        candidates.map((t) => t.y),
        band,
        layer,
      ),
    );
    return rows;
  }

  /** The band a layer's tile of zoom z reads, and the cells of its big zones' pieces (null: the zones whole). */
  private async source(
    ref: VersionRef | ServedRef,
    layer: TileLayer,
    z: number,
  ): Promise<{ band: TileBand; cellZoom: number | null }> {
    const band = bandForLayer(layer, z);
    const cellZoom = cellZoomFor(band, z);
    return { band, cellZoom: cellZoom !== null && (await this.hasCells(ref.schema)) ? cellZoom : null };
  }

  /** tile.sql's parameters (and tile-reached.sql's): the tiles' x and y, the band's rule, the layer's names. */
  private params(z: number, xs: number[], ys: number[], band: TileBand, layer: TileLayer): unknown[] {
    return [
      z,
      xs,
      ys,
      band.zoneTypes,
      layer.layer,
      layer.compat,
      this.nameKeys,
      band.maxAdminLevel,
      layer.labelLayer ?? null,
    ];
  }

  /** One tile: a batch of one. */
  async render(ref: VersionRef | ServedRef, layer: TileLayer, t: TileAddress): Promise<Buffer> {
    const [tile] = await this.renderBatch(ref, layer, t.z, [t]);
    return tile as Buffer;
  }

  /**
   * Tiles of one zoom in one statement, in the order given: the shapes reaching into several of them (neighbours)
   * are read, simplified and given their properties once (tile.sql); each tile is the bytes `render` gives it.
   */
  async renderBatch(
    ref: VersionRef | ServedRef,
    layer: TileLayer,
    z: number,
    tiles: readonly { x: number; y: number }[],
  ): Promise<Buffer[]> {
    const { band, cellZoom } = await this.source(ref, layer, z);
    // the full-resolution zones from z9 (whole in a version without pieces): what tile.sql simplifies
    const simplify = cellZoomFor(band, z) !== null;
    const { name, text } = this.statement(ref.schema, band, cellZoom, simplify, tiles.length !== 1);
    // A named query is parsed and planned once per pooled connection, then only bound and executed.
    const { rows } = await this.pool.query<{ x: number; y: number; mvt: Buffer | null }>({
      name,
      text,
      values: this.params(
        z,
        tiles.map((t) => t.x),
        tiles.map((t) => t.y),
        band,
        layer,
      ),
    });
    const byTile = new Map(rows.map((r) => [`${r.x}/${r.y}`, r.mvt ?? Buffer.alloc(0)]));
    return tiles.map((t) => byTile.get(`${t.x}/${t.y}`) ?? Buffer.alloc(0));
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
