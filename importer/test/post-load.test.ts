// The steps after the load (post-load.ts) on real PostGIS: the same tables whatever the number of sessions,
// generalisation and repair doing only the work needed, and a branch killed mid-step failing the import cleanly.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { loadSql, sqlFragment } from "../../core/sql.ts";
import type { TestDatabase } from "../../core/testing.ts";
import { functionCalls, testDatabase, tmpDir } from "../../core/testing.ts";
import { ensureMetaSchema } from "../datasets.ts";
import { importZonesFile } from "../import.ts";
import { shares, tileCellShares } from "../post-load.ts";
import { TILE_CELL_MIN_BYTES } from "../tile-cells.ts";
import { bandFilterSql, ZOOM_BANDS } from "../zoom-bands.ts";
import { writeZones } from "./helpers.ts";

let db: TestDatabase;
const dir = tmpDir("post-load");
const sql = (name: string, values: Parameters<typeof loadSql>[2]) =>
  loadSql(new URL("../post-load.ts", import.meta.url).href, `sql/${name}`, values);
const generalised = ZOOM_BANDS.filter((b) => b.table !== null).sort((a, b) => b.minZoom - a.minZoom);

beforeAll(async () => {
  db = await testDatabase("post-load");
});
afterAll(async () => {
  await db?.close();
});

/** id → md5 of the EWKB of every row of a band table (or of a query giving id, geom). */
async function geometries(pool: pg.Pool, from: string): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ id: number; h: string | null }>(
    `SELECT id, md5(ST_AsEWKB(geom)) AS h FROM ${from} AS t ORDER BY id`,
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.h ?? "null"]));
}

/** The band as one plain statement per band computes it (the chain from zones, each coarser from the finer). */
function plainBand(schema: string, band: (typeof generalised)[number], source: string): string {
  const tol = band.toleranceMeters;
  return `(SELECT id, geom FROM (
      SELECT id, CASE WHEN ST_IsValid(ST_Simplify(geom, ${tol}, true)) THEN ST_Multi(ST_Simplify(geom, ${tol}, true))
                      ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Simplify(geom, ${tol}, true)), 3)) END AS geom
      FROM ${schema}.${source} WHERE geom IS NOT NULL AND ${bandFilterSql(band)}) s
    WHERE NOT ST_IsEmpty(geom))`;
}

async function describeVersion(pool: pg.Pool, version: number) {
  const s = `zones_v${version}`;
  const bands: Record<string, Record<string, string>> = {};
  let source = "zones";
  for (const band of generalised) {
    const table = band.table as string;
    bands[table] = await geometries(pool, `${s}.${table}`);
    // what one plain statement gives from the (already checked) finer table
    expect(bands[table], table).toEqual(await geometries(pool, plainBand(s, band, source)));
    source = table;
  }
  const { rows: idx } = await pool.query<{ tablename: string; indexname: string }>(
    "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2",
    [s],
  );
  const { rows: pk } = await pool.query(
    `SELECT conname, contype FROM pg_constraint WHERE conrelid = '${s}.zones'::regclass AND contype = 'p'`,
  );
  const { rows: analysed } = await pool.query<{ relname: string }>(
    "SELECT DISTINCT tablename AS relname FROM pg_stats WHERE schemaname = $1 ORDER BY 1",
    [s],
  );
  const { rows: zoneStats } = await pool.query<{ attname: string }>(
    "SELECT attname FROM pg_stats WHERE schemaname = $1 AND tablename = 'zones' ORDER BY 1",
    [s],
  );
  const { rows: cells } = await pool.query<{ pieces: number; h: string }>(
    `SELECT count(*)::int AS pieces,
            md5(string_agg(concat_ws(':', id, cell_z, cell_x, cell_y, md5(ST_AsEWKB(geom))), ','
                           ORDER BY id, cell_z, cell_x, cell_y)) AS h
     FROM ${s}.tile_cells`,
  );
  return {
    zones: await geometries(pool, `${s}.zones`),
    tileCells: cells[0],
    bands,
    indexes: idx.map((r) => `${r.tablename}.${r.indexname}`),
    primaryKey: pk,
    analysed: analysed.map((r) => r.relname),
    zoneStats: zoneStats.map((r) => r.attname),
  };
}

describe("shares", () => {
  it("cuts rows into consecutive runs of about the same size, never more runs than rows", () => {
    const rows = [5, 1, 1, 1, 1, 1, 5, 5].map((bytes, i) => ({ i, bytes }));
    const cut = shares(rows, 3);
    expect(cut.flat()).toEqual(rows);
    expect(cut.map((s) => s.reduce((n, r) => n + r.bytes, 0))).toEqual([7, 8, 5]);
    expect(shares(rows.slice(0, 2), 8)).toHaveLength(2);
    expect(shares(rows, 1)).toEqual([rows]);
    expect(shares([], 4)).toEqual([]);
  });

  it("gives the tile cells' shares of big zones the one holding the biggest zone first, whatever its place by id", () => {
    const kb = TILE_CELL_MIN_BYTES;
    // ids in file order: the huge one last (as the bench's 2 M-vertex country), small zones left out
    const rows = [2, 3, 2, 0.5, 3, 2, 9].map((size, id) => ({ id, bytes: size * kb }));
    const cut = tileCellShares(rows, 3);
    expect(cut[0]?.map((r) => r.id)).toContain(6);
    expect(
      cut
        .flat()
        .map((r) => r.id)
        .sort(),
    ).toEqual([0, 1, 2, 4, 5, 6]);
    expect(
      shares(
        rows.filter((r) => r.bytes >= kb),
        3,
      )
        .at(-1)
        ?.map((r) => r.id),
    ).toContain(6);
  });
});

describe("post-load", () => {
  it("builds the same zones, bands, indexes and statistics on the pool's sessions as on a pool of one", async () => {
    const { extractedLuxembourg } = await import("../../extractor/test-fixture.ts");
    const path = await extractedLuxembourg();
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    expect(res.timings?.postLoadSessions).toBeGreaterThan(1);
    const many = await describeVersion(db.pool, res.version);
    expect(Object.keys(many.bands.zones_z6_8).length).toBeGreaterThan(10);
    expect(many.tileCells?.pieces).toBeGreaterThan(10);
    expect(many.indexes).toEqual([
      "tile_cells.tile_cells_cell",
      "tile_cells.tile_cells_geom",
      "tile_cells.tile_cells_zone",
      "tile_cut_zones.tile_cut_zones_pkey",
      "zone_names.zone_names_term",
      "zone_names_terms.zone_names_terms_term",
      "zone_names_terms.zone_names_terms_trigram",
      "zone_pieces.zone_pieces_geom",
      "zones.zones_geom",
      "zones.zones_geom_4326",
      "zones.zones_osm_id",
      "zones.zones_parent",
      "zones.zones_pkey",
      "zones.zones_wikidata",
      "zones.zones_zone_type",
      "zones_z0_2.zones_z0_2_geom_idx",
      "zones_z0_2.zones_z0_2_pkey",
      "zones_z3_5.zones_z3_5_geom_idx",
      "zones_z3_5.zones_z3_5_pkey",
      "zones_z6_8.zones_z6_8_geom_idx",
      "zones_z6_8.zones_z6_8_pkey",
    ]);
    expect(many.primaryKey).toEqual([{ conname: "zones_pkey", contype: "p" }]);
    // statistics for what queries select or join on; none for the payload (labels, tags, the file's geometry)
    expect(many.zoneStats).toEqual(
      [
        "admin_level",
        "alt_name",
        "bbox",
        "center",
        "country_code",
        "geom",
        "id",
        "is_generated",
        "label",
        "loc_name",
        "name",
        "osm_id",
        "parent",
        "wikidata",
        "zip_codes",
        "zone_type",
      ].sort(),
    );
    expect(many.analysed).toEqual([
      "tile_cells",
      "tile_cut_zones",
      "zone_names",
      "zone_names_terms",
      "zone_pieces",
      "zones",
      "zones_z0_2",
      "zones_z3_5",
      "zones_z6_8",
    ]);

    const single = await testDatabase("post-load-pool1", { poolMax: 1 });
    try {
      const one = await importZonesFile(single, path, { progress: false });
      expect(one.timings?.postLoadSessions).toBe(1);
      expect(await describeVersion(single.pool, one.version)).toEqual(many);
    } finally {
      await single.close();
    }
  });

  it("finishes the core import (repair, indexes, primary key, bands) before any query structure is built", async () => {
    // every DDL statement of the import in the order the database ran it (an event trigger's sequence)
    await db.pool.query(`
      CREATE TABLE public.ddl_order (seq bigserial, tag text, object text);
      CREATE FUNCTION public.record_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.ddl_order (tag, object)
        SELECT command_tag, object_identity FROM pg_event_trigger_ddl_commands();
      END $$;
      CREATE EVENT TRIGGER record_ddl ON ddl_command_end EXECUTE FUNCTION public.record_ddl();`);
    let version: number;
    try {
      const path = await writeZones(
        dir,
        "phases.jsonl",
        sampleZones().map((z) => ({ ...z, name: `${z.name} phases` })),
      );
      version = (await importZonesFile(db, path, { progress: false, keepVersions: 10 })).version;
    } finally {
      await db.pool.query("DROP EVENT TRIGGER record_ddl; DROP FUNCTION public.record_ddl()");
    }
    const { rows } = await db.pool.query<{ seq: string; tag: string; object: string }>(
      "SELECT seq, tag, object FROM public.ddl_order WHERE object LIKE $1 ORDER BY seq",
      [`zones_v${version}.%`],
    );
    await db.pool.query("DROP TABLE public.ddl_order");
    const s = `zones_v${version}.`;
    const of = (re: RegExp) => rows.filter((r) => re.test(r.object.slice(s.length))).map((r) => Number(r.seq));
    // the core: the zones' indexes and primary key, the bands' indexes
    const core = of(/^(zones_(pkey|geom|geom_4326|parent|osm_id|wikidata|zone_type)|zones|zones_z\d+_\d+_geom_idx)$/);
    // the query structures: search names (tables, indexes, function), the tile cells' and point lookup's indexes
    const structures = of(/^(zone_names|tile_cells_(cell|geom)|zone_pieces)/);
    expect(core.length).toBeGreaterThanOrEqual(11);
    expect(structures.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...core)).toBeLessThan(Math.min(...structures));
  });

  it("simplifies and validates each zone of a band once (the subqueries are not pulled up)", async () => {
    const path = await writeZones(
      dir,
      "calls.jsonl",
      sampleZones().map((z) => ({ ...z, name: `${z.name} calls` })),
    );
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const schema = `zones_v${res.version}`;
    const band = generalised[0];
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL track_functions = 'all'");
      await client.query(sql("generalised-table.sql", { schema, table: "calls" }));
      const { rows: members } = await client.query<{ id: number }>(
        `SELECT id FROM ${schema}.zones WHERE geom IS NOT NULL AND ${bandFilterSql(band)}`,
      );
      expect(members.length).toBe(2);
      const calls = (fn: string) => functionCalls(client, fn);
      const before = {
        simplify: await calls("st_simplify(geometry,float8,boolean)"),
        valid: await calls("st_isvalid(geometry)"),
      };
      const inserted = await client.query(
        sql("generalise.sql", {
          schema,
          table: "calls",
          rows: sqlFragment(sql("band-rows.sql", { schema, source: "zones" })),
          filter: sqlFragment(bandFilterSql(band)),
          tolerance: band.toleranceMeters,
        }),
        [members.map((m) => m.id)],
      );
      expect(inserted.rowCount).toBe(2);
      expect(await calls("st_simplify(geometry,float8,boolean)")).toBe(before.simplify + 2);
      expect(await calls("st_isvalid(geometry)")).toBe(before.valid + 2);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("checks validity and generalises the deepest band reading each stored geometry once (one TOAST fetch)", async () => {
    // a zone whose ring of 3000 irregular vertices is stored out of line (TOAST), as most real zones are
    const ring: [number, number][] = [];
    for (let k = 0; k < 3000; k++) {
      const t = (2 * Math.PI * k) / 3000;
      const r = 0.05 * (1 + 0.1 * Math.sin(7 * t));
      ring.push([6.1 + r * Math.cos(t), 49.6 + r * Math.sin(t)]);
    }
    ring.push(ring[0]);
    // a city: in the deepest band, whose generalisation reads it in the same pass
    const big = {
      ...sampleZones()[3],
      id: 99,
      osm_id: "relation:99",
      name: "Toasted",
      parent: 10,
      zone_type: "city",
      admin_level: 8,
    };
    const zones = [...sampleZones(), { ...big, geometry: { type: "MultiPolygon", coordinates: [[ring]] } }];
    const path = await writeZones(dir, "toasted.jsonl", zones);
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const schema = `zones_v${res.version}`;
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      const { rows: rel } = await client.query<{ toast: string }>(
        "SELECT reltoastrelid::int8::text AS toast FROM pg_class WHERE oid = $1::regclass",
        [`${schema}.zones`],
      );
      const fetched = async () =>
        Number(
          (await client.query("SELECT pg_stat_get_xact_blocks_fetched($1::int8::oid) AS n", [rel[0].toast])).rows[0].n,
        );
      const { rows: all } = await client.query<{ row: string }>(`SELECT ctid::text AS row FROM ${schema}.zones`);
      // the import's statement, into a table of the test's own
      const band = generalised[0];
      await client.query(sql("generalised-table.sql", { schema, table: "checked_band" }));
      const check = sql("check-and-generalise.sql", {
        schema,
        generalise: sqlFragment(
          sql("generalise.sql", {
            schema,
            table: "checked_band",
            rows: sqlFragment("valid_rows"),
            filter: sqlFragment(bandFilterSql(band)),
            tolerance: band.toleranceMeters,
          }),
        ),
      });
      const start = await fetched();
      const found = await client.query<{ row: string }>(check, [all.map((r) => r.row)]);
      const checked = (await fetched()) - start;
      // the band as the import built it (the big zone, a city, is in it)
      const band6 = await client.query(`SELECT id, md5(ST_AsEWKB(geom)) AS h FROM ${schema}.${band.table} ORDER BY id`);
      expect(band6.rows.map((r) => Number(r.id))).toContain(99);
      expect(
        (await client.query(`SELECT id, md5(ST_AsEWKB(geom)) AS h FROM ${schema}.checked_band ORDER BY id`)).rows,
      ).toEqual(band6.rows);
      await client.query(`SELECT sum(ST_NPoints(geom)) FROM ${schema}.zones`); // every geometry read once
      const readOnce = (await fetched()) - start - checked;
      expect(found.rows).toEqual([]); // repaired by the import already
      expect(readOnce).toBeGreaterThan(0);
      expect(checked).toBe(readOnce);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("finds an empty geometry (valid to ST_IsValid) and stores it as no geometry; geom_4326 keeps the file's", async () => {
    const zones = sampleZones().map((z) => ({ ...z, name: `${z.name} empty` }));
    zones[3] = { ...zones[3], geometry: { type: "MultiPolygon", coordinates: [] } };
    const path = await writeZones(dir, "empty-geometry.jsonl", zones);
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const { rows } = await db.pool.query(
      `SELECT id, geom IS NULL AS no_geom, ST_IsEmpty(geom_4326) AS empty_4326 FROM zones_v${res.version}.zones
        WHERE id = $1`,
      [zones[3].id],
    );
    expect(rows).toEqual([{ id: zones[3].id, no_geom: true, empty_4326: true }]);
  });

  it("rewrites only the rows whose geometry is invalid or empty", async () => {
    const zones = sampleZones().map((z) => ({ ...z, name: `${z.name} rewrite` }));
    const path = await writeZones(dir, "rewrite.jsonl", zones);
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    // the load's rows all carry its transaction id; an UPDATE gives a row another one
    const { rows } = await db.pool.query<{ id: number }>(
      `SELECT id FROM zones_v${res.version}.zones
        WHERE xmin <> (SELECT xmin FROM zones_v${res.version}.zones WHERE id = 10) ORDER BY id`,
    );
    expect(rows.map((r) => r.id)).toEqual([23]); // the bow tie
  });

  it("records the zones it rewrote, the invalid and the empty, for the point lookup's build", async () => {
    const zones = sampleZones().map((z) => ({ ...z, name: `${z.name} record` }));
    zones[3] = { ...zones[3], geometry: { type: "MultiPolygon", coordinates: [] } };
    const path = await writeZones(dir, "record.jsonl", zones);
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const s = `zones_v${res.version}`;
    const { rows } = await db.pool.query<{ id: number }>(`SELECT id FROM ${s}.zones_repaired ORDER BY id`);
    // the bow tie and the empty one, as the rows the repair gave another row version
    const { rows: rewritten } = await db.pool.query<{ id: number }>(
      `SELECT id FROM ${s}.zones WHERE xmin <> (SELECT xmin FROM ${s}.zones WHERE id = 10) ORDER BY id`,
    );
    expect(rows.map((r) => r.id)).toEqual([zones[3].id, 23].sort((a, b) => a - b));
    expect(rows).toEqual(rewritten);
  });

  it("generalises a repaired zone of the deepest band from its repaired geometry", async () => {
    // the bow tie made a city: in zones_z6_8, whose other rows come from the validity check's read
    const zones = sampleZones().map((z) =>
      z.id === 23
        ? { ...z, name: `${z.name} band`, zone_type: "city", admin_level: 8 }
        : { ...z, name: `${z.name} band` },
    );
    const path = await writeZones(dir, "repaired-band.jsonl", zones);
    const res = await importZonesFile(db, path, { progress: false, keepVersions: 10 });
    const s = `zones_v${res.version}`;
    const band = generalised[0];
    const built = await geometries(db.pool, `${s}.${band.table}`);
    expect(Object.keys(built).map(Number)).toContain(23);
    expect(built).toEqual(await geometries(db.pool, plainBand(s, band, "zones")));
  });
});

describe("post-load failures", () => {
  const LOCK = 7_270_099;
  let control: pg.Client;

  beforeAll(async () => {
    control = new pg.Client({ connectionString: db.url });
    await control.connect();
    // the meta schema's own CREATE INDEX first (an import's first step in a new database): held by the trigger
    // below, it would leave a test run alone (`-t`) waiting for two index builds that never start
    await ensureMetaSchema(db.pool);
    // every CREATE INDEX waits (mid-statement) while the test holds LOCK
    await control.query(`
      CREATE FUNCTION public.hold_index_builds() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock_shared(${LOCK}); PERFORM pg_advisory_unlock_shared(${LOCK}); END $$;
      CREATE EVENT TRIGGER hold_index_builds ON ddl_command_start WHEN TAG IN ('CREATE INDEX')
        EXECUTE FUNCTION public.hold_index_builds();`);
  });
  afterAll(async () => {
    await control?.query("DROP EVENT TRIGGER IF EXISTS hold_index_builds").catch(() => undefined);
    await control?.end();
  });

  /** Backends waiting on LOCK, and the one holding the import's lock. */
  async function waiting(): Promise<{ pids: number[]; importLockHolder: number | null }> {
    const { rows } = await control.query<{ pid: number }>(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted ORDER BY pid",
      [LOCK],
    );
    const holder = await control.query<{ pid: number }>(
      // this database's import lock: other test files import into their own databases at the same time
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 7270002 AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return { pids: rows.map((r) => r.pid), importLockHolder: holder.rows[0]?.pid ?? null };
  }

  for (const killed of ["a borrowed session", "the import's own session"] as const) {
    it(`runs index builds at once on two sessions; ${killed} killed mid-step fails the import cleanly`, async () => {
      const path = await writeZones(
        dir,
        `killed-${killed.length}.jsonl`,
        sampleZones().map((z) => ({ ...z, name: `${z.name} ${killed}` })),
      );
      await control.query("SELECT pg_advisory_lock($1)", [LOCK]);
      let importing: Promise<unknown> | null = null;
      try {
        importing = importZonesFile(db, path, { progress: false, keepVersions: 10 });
        importing.catch(() => undefined);
        // two statements held inside CREATE INDEX at once: the steps do run side by side
        let w = await waiting();
        while (w.pids.length < 2) {
          await new Promise((r) => setTimeout(r, 20));
          w = await waiting();
        }
        const victim =
          killed === "the import's own session"
            ? (w.importLockHolder as number)
            : (w.pids.find((p) => p !== w.importLockHolder) as number);
        expect(w.pids).toContain(victim);
        await control.query("SELECT pg_terminate_backend($1)", [victim]);
        await expect(importing).rejects.toThrow(/terminat/i);
      } finally {
        await control.query("SELECT pg_advisory_unlock($1)", [LOCK]);
        await importing?.catch(() => undefined);
      }
      const { rows } = await db.pool.query(
        "SELECT version, status, schema_name, error FROM cosmo.datasets ORDER BY version DESC LIMIT 1",
      );
      expect(rows[0].status).toBe("failed");
      expect(rows[0].error).toMatch(/terminat/i);
      const schemas = await db.pool.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [rows[0].schema_name]);
      expect(schemas.rowCount).toBe(0);
      // no statement of ours left running, every pooled connection idle (client backends only: an autovacuum
      // worker may well be busy on the tables the import just wrote)
      const { rows: busy } = await control.query<{ activity: string }>(
        `SELECT backend_type || ' ' || state || ': ' || query AS activity FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
           AND state <> 'idle'`,
      );
      expect(busy.map((r) => r.activity)).toEqual([]);
      expect(db.pool.waitingCount).toBe(0);
      expect(db.pool.idleCount).toBe(db.pool.totalCount);
    });
  }
});
