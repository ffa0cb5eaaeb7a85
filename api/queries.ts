// Data access for the API. Every query runs in the schema of the version resolved once for the request.
import type { Pool } from "pg";
import { ZONE_TYPES } from "../core/cosmogony/model.ts";
import { datasetRef, type ServedRef } from "../core/serving/served-dataset.ts";
import { loadSql, sqlFragment } from "../core/sql.ts";
import type { ZoneField, ZoneShape } from "./views.ts";

export interface ZoneRow {
  id: number;
  name: string | null;
  parent: number | null;
  zone_type: string | null;
  osm_id: string | null;
  wikidata: string | null;
  admin_level: number | null;
  nb_children: number;
  /** GeoJSON Polygon text, as PostGIS wrote it (spliced into answers unparsed: views.ts). */
  bbox: string | null;
  label: string | null;
  loc_name: string | null;
  alt_name: string | null;
  international_labels: Record<string, string> | null;
  zip_codes: string[] | null;
  country_code: string | null;
  /** GeoJSON Point text, as bbox. */
  center: string | null;
  is_generated: boolean | null;
  tags: Record<string, string> | null;
  score?: number | null;
}

/** A zone and its relatives of one kind, as one statement reads them. */
export type ZoneWith<K extends string> = { zone: ZoneRow } & Record<K, ZoneRow[]>;

export interface SearchParams {
  q?: string;
  type?: string;
  country?: string;
  bbox?: [number, number, number, number];
  limit: number;
  offset: number;
}

const TYPES = [...ZONE_TYPES];

/** The costly columns a shape needs (zone-columns.sql): one statement text per combination, eight at most. */
const COSTLY_FIELDS: readonly ZoneField[] = ["nb_children", "international_labels", "tags"];

function columnsKey(shape: ZoneShape): string {
  return COSTLY_FIELDS.map((f) => (shape.fields.has(f) ? "1" : "0")).join("");
}

/** Points nearer than this (degrees, ~0.1 mm) to a cut piece's edge are answered on the full boundary. */
export const NEAR_CUT_DEGREES = 1e-9;

/** Whether lookup piece `p` covers the point `point`, an SQL expression (sql/piece-covers.sql). */
export function pieceCoversSql(schema: string, point: string) {
  return sqlFragment(
    loadSql(import.meta.url, "sql/piece-covers.sql", { schema, near: NEAR_CUT_DEGREES, point: sqlFragment(point) }),
  );
}

/** The (i, zone_id) pairs of the zones covering each of `points (i, g)` (sql/covering-pieces.sql). */
export function coveringPiecesSql(schema: string) {
  const piece_covers = pieceCoversSql(schema, "pt.g");
  return sqlFragment(
    loadSql(import.meta.url, "sql/covering-pieces.sql", { schema, piece_covers }).replace(/^--.*\n/gm, ""),
  );
}

/** Requests answered by one statement at most (batched()). */
const BATCH_MAX = 256;

/** Requests waiting for a connection: their values, one array per parameter, and their promises. */
interface Batch {
  columns: unknown[][];
  waiting: { resolve: (rows: ZoneRow[]) => void; reject: (err: unknown) => void }[];
}

export class ZoneQueries {
  private readonly texts = new Map<string, string>();
  private readonly statsByVersion = new Map<number, Promise<StatsRow[]>>();
  /** Requests waiting for a connection, by statement, version and shape (batched()). */
  private readonly batches = new Map<string, Batch>();

  constructor(private readonly pool: Pool) {}

  /**
   * The text of sql/`file` in the version's schema. `shape` decides the zone columns; `langParam` is the
   * number of the parameter that holds its language (the query's own parameters come first).
   */
  private sql(file: string, ref: ServedRef, shape?: ZoneShape, langParam = 0): string {
    const key = `${file}:${ref.schema}:${shape ? columnsKey(shape) : "-"}`;
    let text = this.texts.get(key);
    if (text === undefined) {
      const schema = ref.schema;
      const flag = (f: ZoneField) => sqlFragment(shape?.fields.has(f) ? "true" : "false");
      const columns = loadSql(import.meta.url, "sql/zone-columns.sql", {
        schema,
        lang: sqlFragment(`$${langParam}::text`),
        with_counts: flag("nb_children"),
        with_labels: flag("international_labels"),
        with_tags: flag("tags"),
      }).replace(/^--.*\n/gm, "");
      text = loadSql(import.meta.url, `sql/${file}`, {
        schema,
        zone_columns: sqlFragment(columns),
        covering_pieces: coveringPiecesSql(schema),
      });
      this.texts.set(key, text);
    }
    return text;
  }

  /** Statement text and values for a query of zones: the shape's language is the last parameter. */
  private zonesQuery(file: string, ref: ServedRef, shape: ZoneShape, values: unknown[]) {
    return { text: this.sql(file, ref, shape, values.length + 1), values: [...values, shape.lang] };
  }

  /**
   * A named statement: parsed and planned once per pooled connection (the lookups by id run thousands of times
   * a second; planning them each time cost more than executing them).
   */
  private named(file: string, ref: ServedRef, shape: ZoneShape, values: unknown[]) {
    const name = `api_${file.replace(/\.sql$/, "")}_${ref.schema}_${columnsKey(shape)}`;
    return { name, ...this.zonesQuery(file, ref, shape, values) };
  }

  async zone(ref: ServedRef, id: number, shape: ZoneShape): Promise<ZoneRow | null> {
    const { rows } = await this.pool.query<ZoneRow>(this.named("zone.sql", ref, shape, [id]));
    return rows[0] ?? null;
  }

  /** Direct children of a zone: zoneAndChildren()'s children, by a query of their own (its reference in tests). */
  async children(ref: ServedRef, id: number, shape: ZoneShape): Promise<ZoneRow[]> {
    return (await this.pool.query<ZoneRow>(this.named("children.sql", ref, shape, [id, TYPES]))).rows;
  }

  /** A zone and its direct children in one round trip; null when there is no such zone. */
  async zoneAndChildren(ref: ServedRef, id: number, shape: ZoneShape): Promise<ZoneWith<"children"> | null> {
    const rows = (await this.batched("zone-children.sql", ref, shape, [id], [TYPES])) as (ZoneRow & { part: number })[];
    const zone = rows[0];
    return zone?.part === 0 ? { zone, children: rows.slice(1) } : null;
  }

  /** A zone and its parents (immediate parent first, up to the root) in one round trip; null when no such zone. */
  async zoneAndParents(ref: ServedRef, id: number, shape: ZoneShape): Promise<ZoneWith<"parents"> | null> {
    const rows = await this.batched("zone-parents.sql", ref, shape, [id], []);
    const zone = rows[0];
    return zone ? { zone, parents: rows.slice(1) } : null;
  }

  /**
   * Prefix matches on the names table; when there are none, typo-tolerant trigram matches instead (first page
   * only): one statement on the version's search function (sql/search.sql), answered in a batch (batched()).
   */
  async search(ref: ServedRef, p: SearchParams, shape: ZoneShape): Promise<ZoneRow[]> {
    const b = p.bbox ?? [null, null, null, null];
    const values = [p.q || null, p.type ?? null, p.country ?? null, ...b, p.limit, p.offset];
    if (!p.q) {
      const filtered = this.zonesQuery("zones-filtered.sql", ref, shape, [...values, TYPES]);
      return (await this.pool.query<ZoneRow>(filtered)).rows;
    }
    return this.batched("search.sql", ref, shape, values, [TYPES]);
  }

  /** The zones covering a point, smallest type first: answered in a batch (batched(), at.sql). */
  at(ref: ServedRef, lon: number, lat: number, shape: ZoneShape): Promise<ZoneRow[]> {
    return this.batched("at.sql", ref, shape, [lon, lat], [TYPES]).catch((err: unknown) => {
      // A version imported before the lookup pieces existed, still served after an upgrade (publishing builds
      // them): the same answer on the full boundaries, slower. A dropped schema fails there too.
      if ((err as { code?: string }).code !== "42P01") throw err;
      return this.atFullBoundaries(ref, lon, lat, shape);
    });
  }

  /**
   * The rows of `file` for one request (`values`, one per array parameter of the statement; then the parameters
   * `fixed`, the same for every request of the statement, e.g. the zone types' order). Requests of one
   * statement, version and shape that arrive while the batch before them waits for a pooled connection join it:
   * when the connection comes, one execution answers them all, each row tagged with the position of its request
   * (`asked`, from 1, its last column). Under load (100 clients on a pool of a few connections) that is one round
   * trip and one execution for many answers instead of one each, the socket writes and reads of which were a
   * large part of the API process's work per answer; alone, a request is a batch of one, with no added wait.
   */
  private batched(
    file: string,
    ref: ServedRef,
    shape: ZoneShape,
    values: unknown[],
    fixed: unknown[],
  ): Promise<ZoneRow[]> {
    const key = `${file} ${ref.schema} ${columnsKey(shape)} ${shape.lang ?? ""}`;
    let batch = this.batches.get(key);
    if (!batch) {
      batch = { columns: values.map(() => []), waiting: [] };
      this.batches.set(key, batch);
      void this.runBatch(key, batch, file, ref, shape, fixed);
    }
    for (const [k, v] of values.entries()) batch.columns[k]?.push(v);
    // a full batch goes as it is; the next request starts another
    if (batch.waiting.length + 1 >= BATCH_MAX && this.batches.get(key) === batch) this.batches.delete(key);
    const waiting = batch.waiting;
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  }

  private async runBatch(
    key: string,
    batch: Batch,
    file: string,
    ref: ServedRef,
    shape: ZoneShape,
    fixed: unknown[],
  ): Promise<void> {
    let rows: (ZoneRow & { asked?: number })[];
    try {
      const client = await this.pool.connect();
      // from here, requests start the next batch
      if (this.batches.get(key) === batch) this.batches.delete(key);
      try {
        rows = (await client.query(this.named(file, ref, shape, [...batch.columns, ...fixed]))).rows;
        client.release();
      } catch (err) {
        // as pool.query() does: a connection that failed a query is not reused (it may be broken)
        client.release(err as Error);
        throw err;
      }
    } catch (err) {
      if (this.batches.get(key) === batch) this.batches.delete(key);
      for (const { reject } of batch.waiting) reject(err);
      return;
    }
    const answers: ZoneRow[][] = batch.waiting.map(() => []);
    for (const row of rows) {
      const asked = row.asked as number;
      // the last column: deleting it leaves the row the shape of the other queries' rows
      delete row.asked;
      answers[asked - 1]?.push(row);
    }
    for (const [k, { resolve }] of batch.waiting.entries()) resolve(answers[k] as ZoneRow[]);
  }

  /** at() on the full boundaries, without the lookup pieces: its reference in tests and benchmarks. */
  async atFullBoundaries(ref: ServedRef, lon: number, lat: number, shape: ZoneShape): Promise<ZoneRow[]> {
    return (await this.pool.query<ZoneRow>(this.named("at-naive.sql", ref, shape, [lon, lat, TYPES]))).rows;
  }

  async geometry(ref: ServedRef, id: number, simplifyMetres: number): Promise<GeometryRow | null> {
    const { rows } = await this.pool.query<GeometryRow>(this.sql("geometry.sql", ref), [id, simplifyMetres]);
    return rows[0] ?? null;
  }

  /** Counts never change within a version: computed once per version. */
  stats(ref: ServedRef): Promise<StatsRow[]> {
    let p = this.statsByVersion.get(ref.version);
    if (!p) {
      p = this.pool.query<StatsRow>(this.sql("stats.sql", ref)).then((r) => r.rows);
      p.catch(() => this.statsByVersion.delete(ref.version));
      this.statsByVersion.set(ref.version, p);
    }
    return p;
  }

  /**
   * A version other than the served one, for reading an old zone (the Changes view's old geometry): `readable`
   * false when it is loading, failed or retired (its schema dropped), null when it never existed.
   */
  async dataset(version: number): Promise<{ ref: ServedRef; status: string; readable: boolean } | null> {
    const { rows } = await this.pool.query<{ version: number; schema_name: string; status: string; readable: boolean }>(
      loadSql(import.meta.url, "sql/dataset.sql"),
      [version],
    );
    const row = rows[0];
    return row ? { ref: datasetRef(row.version, row.schema_name), status: row.status, readable: row.readable } : null;
  }

  async datasets(): Promise<DatasetRow[]> {
    try {
      return (await this.pool.query<DatasetRow>(loadSql(import.meta.url, "sql/datasets.sql"))).rows;
    } catch (err) {
      // Nothing was ever imported into this database: no cosmo schema yet.
      if ((err as { code?: string }).code === "42P01" || (err as { code?: string }).code === "3F000") return [];
      throw err;
    }
  }
}

export interface GeometryRow {
  id: number;
  name: string | null;
  zone_type: string | null;
  admin_level: number | null;
  osm_id: string | null;
  country_code: string | null;
  wikidata: string | null;
  parent: number | null;
  geometry: string | null;
}

export interface StatsRow {
  zone_type: string | null;
  admin_level: number | null;
  country_code: string | null;
  n: number;
  g_type: number;
  g_level: number;
  g_country: number;
}

export interface DatasetRow {
  version: number;
  status: string;
  zone_count: number | null;
  source: string | null;
  source_sha256: string | null;
  created_at: Date | null;
  published_at: Date | null;
  forced_by: string | null;
  force_reason: string | null;
  served: boolean;
}
