// Zones too big to render whole in every tile they reach into, cut once at import into pieces per cell of a
// fixed grid of tiles (`tile_cells`, see sql/tile-cells-fill.sql). From TILE_CELL_ZOOMS[0] on, a tile reads a big
// zone's piece of its ancestor cell instead of the whole boundary (tiles/sql/tile.sql), so its cost follows what
// it shows. The server and `cosmo tiles export` read the same pieces, so their bytes stay equal. A cell the zone
// covers whole is kept as one `covered` row at its own zoom and not cut further (its rows follow the zone's outline,
// not its area); readers take it for the cells of their grid under it. docs/tiles.md says why these numbers.

import { loadSql, sqlFragment } from "../core/sql.ts";
import type { StepSession } from "./parallel-steps.ts";

/**
 * Zones with more vertices than this are cut. Below it a whole zone costs a tile well under a millisecond of
 * ST_AsMVTGeom, and cutting it would only copy rows (in the Luxembourg grid 2 449 of 30 961 zones, 19 M of 50 M
 * vertices, are above it: countries, most state districts, the largest cities).
 */
export const TILE_CELL_MIN_VERTICES = 4096;

/**
 * Zooms of the cell grids: a tile at zoom z reads the pieces of the deepest grid at or above z (z9–11 the z9
 * cells, z12+ the z12 cells). z9 is where the tiles start reading the full-resolution zones (importer/zoom-bands.ts:
 * the generalised bands below stay under 4 000 vertices a zone); z12 keeps the deep tiles of a 2 M-vertex
 * boundary at a few thousand vertices each. Increasing order.
 */
export const TILE_CELL_ZOOMS = [9, 12] as const;

/**
 * How far a cell's piece reaches beyond the cell, as a fraction of the cell's width: twice a tile's buffer
 * (64/4096, tiles/sql/tile.sql) at the cell's own zoom, the largest buffer of the tiles reading the cell, so the
 * piece holds everything of the zone those tiles select and clip (buffer plus half a pixel).
 */
export const TILE_CELL_MARGIN = 128 / 4096;

/**
 * Bytes a zone's stored geometry has at least when it has more than TILE_CELL_MIN_VERTICES vertices (16 bytes a
 * vertex, pglz never got below 12 on real boundaries): zones under it are not even read by the cutting step.
 */
export const TILE_CELL_MIN_BYTES = TILE_CELL_MIN_VERTICES * 8;

/** The cell grid a tile at zoom z reads big zones from (null: above the first grid, zones are read whole). */
export function tileCellZoom(z: number): number | null {
  let cell: number | null = null;
  for (const c of TILE_CELL_ZOOMS) if (c <= z) cell = c;
  return cell;
}

const sql = (name: string, values: Parameters<typeof loadSql>[2]) => loadSql(import.meta.url, `sql/${name}`, values);

/** The empty tables (before the steps fill them on several sessions). */
export function createTileCellTables(db: StepSession, schema: string): Promise<unknown> {
  return db.query(sql("tile-cells-table.sql", { schema }));
}

/** The statement that cuts the big zones among $1 (zone ids) into their pieces (sql/tile-cells-fill.sql). */
export function tileCellsFillStatement(schema: string): string {
  return sql("tile-cells-fill.sql", {
    schema,
    minVertices: TILE_CELL_MIN_VERTICES,
    margin: TILE_CELL_MARGIN,
    firstZoom: TILE_CELL_ZOOMS[0],
    lastZoom: TILE_CELL_ZOOMS[TILE_CELL_ZOOMS.length - 1],
    cellZooms: sqlFragment(TILE_CELL_ZOOMS.join(", ")),
  });
}

/** Cuts the big zones among `ids` (zones.id) into their pieces. */
export function fillTileCells(db: StepSession, schema: string, ids: readonly number[]): Promise<unknown> {
  return db.query(tileCellsFillStatement(schema), [ids]);
}

/** The pieces' index and statistics, once every share is in. */
export function indexTileCells(db: StepSession, schema: string): Promise<unknown> {
  return db.query(sql("tile-cells-index.sql", { schema }));
}
