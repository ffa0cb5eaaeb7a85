// Where a dashboard/diff/gate run gets its zones: a dataset version in PostGIS, the served one, or a zones file
// (local path or s3://). Each becomes the same TEMP working table (sql/derive.sql) on the run's workspace.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { isRemote } from "../core/artefact-url.ts";
import { sidecarOf } from "../core/cosmogony/format.ts";
import { readMeta, readZones } from "../core/cosmogony/reader.ts";
import { InputError } from "../core/errors.ts";
import { startProgress } from "../core/progress.ts";
import { loadSql } from "../core/sql.ts";
import { type ArtefactStore, localFile, openStore, readArtefactText } from "../core/storage.ts";
import { copyRow, multiPolygonHexEwkb } from "./copy-text.ts";
import type { DatasetInfo } from "./diff-schema.ts";
import type { Workspace } from "./workspace.ts";

export type DatasetRef = { kind: "version"; version: number } | { kind: "served" } | { kind: "file"; url: string };

/** `12` → version 12, `served` → the served version, anything else → a zones file path or URL. */
export function parseDatasetRef(text: string): DatasetRef {
  if (text === "served") return { kind: "served" };
  if (/^v?\d+$/.test(text)) return { kind: "version", version: Number(text.replace(/^v/, "")) };
  return { kind: "file", url: text };
}

/** Fail fast (before any database work) on a local zones file that is not there. */
export async function checkLocalFile(ref: DatasetRef): Promise<void> {
  if (ref.kind !== "file" || isRemote(ref.url)) return;
  const st = await stat(ref.url).catch(() => null);
  if (!st?.isFile()) throw new InputError("no such file", { file: ref.url });
}

export function describeRef(ref: DatasetRef): string {
  return ref.kind === "file"
    ? ref.url
    : ref.kind === "served"
      ? "the served dataset"
      : `dataset version ${ref.version}`;
}

export interface LoadedDataset {
  info: DatasetInfo;
  /** The cosmogony meta block (`stats` …) when the source has one. */
  meta: Record<string, unknown> | null;
  /** The TEMP working table holding it. */
  table: string;
}

interface DatasetRow {
  version: number;
  schema_name: string;
  source: string;
  source_sha256: string | null;
  zone_count: number | null;
  created_at: Date | null;
  status: string;
  meta: Record<string, unknown> | null;
  has_zones: boolean;
}

/** Resolve a version/served ref to its cosmo.datasets row; clear errors for unknown or dropped versions. */
export async function datasetRow(ws: Workspace, version: number | null): Promise<DatasetRow> {
  const hasMeta = await ws.client.query("SELECT to_regclass('cosmo.datasets') IS NOT NULL AS ok");
  if (!hasMeta.rows[0].ok) throw new InputError("the database has no cosmo.datasets table: nothing was imported yet");
  const { rows } = await ws.client.query<DatasetRow>(loadSql(import.meta.url, "sql/dataset-info.sql"), [version]);
  const row = rows[0];
  if (!row) throw new InputError(version === null ? "no dataset is served yet" : `no dataset version ${version}`);
  if (!row.has_zones) {
    throw new InputError(`dataset version ${row.version} (${row.status}) has no zones table ${row.schema_name}.zones`);
  }
  return row;
}

/**
 * The meta object of `FILE.meta.json` (`{osm_filename, stats}`, written by `cosmo extract` and `cosmo merge`
 * next to their output), null when there is none. A local path, file:// or s3:// URL.
 */
export async function readSidecarMeta(url: string, store?: ArtefactStore): Promise<Record<string, unknown> | null> {
  const sidecar = sidecarOf(url);
  const text = await readArtefactText(sidecar, { store }).catch((err: NodeJS.ErrnoException) => {
    // a local file that is there but cannot be read (the store's own failures keep their exit code)
    if (err.syscall) throw new InputError(`cannot read the stats sidecar: ${err.message}`, { file: sidecar });
    throw err;
  });
  if (text === null) return null;
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (err) {
    throw new InputError(`the stats sidecar is not JSON: ${(err as Error).message}`, { file: sidecar });
  }
  const stats = (meta as { stats?: unknown } | null)?.stats;
  if (
    !meta ||
    typeof meta !== "object" ||
    Array.isArray(meta) ||
    (stats !== undefined && (typeof stats !== "object" || stats === null))
  )
    throw new InputError('the stats sidecar is not a cosmogony meta object {"osm_filename", "stats"}', {
      file: sidecar,
    });
  return meta as Record<string, unknown>;
}

/**
 * A version's meta. Imported from a file without meta (.jsonl[.gz], as in the pipeline), it holds only what the
 * importer counted itself (`statsComputedByImporter`, no extractor stats): the source's sidecar, if still there.
 */
async function datasetMeta(row: DatasetRow): Promise<Record<string, unknown> | null> {
  if (row.meta && row.meta.statsComputedByImporter !== true) return row.meta;
  return (row.source ? await readSidecarMeta(row.source) : null) ?? row.meta;
}

/** Copy a dataset (or a file) into the TEMP working table `table`. */
export async function loadDataset(ws: Workspace, ref: DatasetRef, table: string): Promise<LoadedDataset> {
  if (ref.kind === "file") return loadFile(ws, ref.url, table);
  const row = await datasetRow(ws, ref.kind === "version" ? ref.version : null);
  await ws.query(loadSql(import.meta.url, "sql/derive.sql"), { target: table, source: [row.schema_name, "zones"] });
  const count = await ws.query<{ n: number }>("SELECT count(*)::int AS n FROM {{t}}", { t: table });
  return {
    table,
    meta: await datasetMeta(row),
    info: {
      kind: "version",
      version: row.version,
      source: row.source,
      sha256: row.source_sha256,
      createdAt: row.created_at ? row.created_at.toISOString() : null,
      zoneCount: count.rows[0].n,
    },
  };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** Stream a zones file into a TEMP raw table with COPY (bounded memory: one zone at a time), then derive. */
async function loadFile(ws: Workspace, url: string, table: string): Promise<LoadedDataset> {
  const store = isRemote(url) ? await openStore() : null;
  const local = await localFile(url, { store: store ?? undefined });
  const raw = `${table}_raw`;
  try {
    const st = await stat(local.path).catch(() => null);
    if (!st?.isFile()) throw new InputError("no such file", { file: url });
    const [sha256, meta] = await Promise.all([sha256File(local.path), readMeta(local.path)]);
    await ws.query(loadSql(import.meta.url, "sql/raw-table.sql"), { raw });
    const progress = startProgress({ label: `loading ${url}`, unit: "zones" });
    let count = 0;
    async function* rows(): AsyncGenerator<string> {
      for await (const z of readZones(local.path, { name: local.path })) {
        count++;
        progress.tick();
        yield copyRow([
          z.id,
          z.osm_id,
          z.admin_level,
          z.zone_type,
          z.name,
          JSON.stringify(z.tags ?? {}),
          z.parent,
          z.wikidata,
          z.country_code,
          z.geometry ? multiPolygonHexEwkb(z.geometry) : null,
        ]);
      }
    }
    const sink = ws.client.query(
      copyFrom(
        `COPY "${raw}" (id, osm_id, admin_level, zone_type, name, tags, parent, wikidata, country_code, geom_4326) FROM STDIN`,
      ),
    );
    // One row in flight: a country's row can be megabytes, so the default 16-row buffer would dominate memory.
    await pipeline(Readable.from(rows(), { highWaterMark: 1 }), sink);
    progress.stop(`loaded ${count} zones from ${url}`);
    await ws.query(loadSql(import.meta.url, "sql/derive.sql"), { target: table, source: raw });
    await ws.query("DROP TABLE {{raw}}", { raw });
    return {
      table,
      meta: (meta as Record<string, unknown> | null) ?? (await readSidecarMeta(url, store ?? undefined)),
      info: {
        kind: "file",
        version: null,
        source: url,
        sha256,
        createdAt: (store ? ((await store.stat(url))?.lastModified ?? st.mtime) : st.mtime).toISOString(),
        zoneCount: count,
      },
    };
  } finally {
    await local.cleanup();
  }
}
