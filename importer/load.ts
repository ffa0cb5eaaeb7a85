// The load: zones streamed from the file into a new version schema by one binary COPY, in the transaction that
// creates the schema (COPY FREEZE: no later hint-bit/freeze rewrite; a failure leaves nothing). Ids and
// parents are checked in Node while streaming, so a bad reference is reported with the zone's file position.
// Geometries go from the file's bytes to EWKB without JS arrays (core/cosmogony/zone-text.ts); one thread then keeps ahead of
// the backend, worker threads are used only where cores are left over (encodeThreads).
import { stat } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { CosmogonyMeta, Stats } from "../core/cosmogony/model.ts";
import { StatsAccumulator } from "../core/cosmogony/model.ts";
import { describeRecord, readZoneTexts, type ZoneText } from "../core/cosmogony/reader.ts";
import { ZoneTextParser } from "../core/cosmogony/zone-text.ts";
import { InputError } from "../core/errors.ts";
import { ident, loadSql } from "../core/sql.ts";
import { BinaryCopyEncoder, COPY_COLUMNS } from "./copy-binary.ts";
import { type BatchResult, EncodePool, encodeThreads } from "./encode-pool.ts";

const EMPTY = Buffer.alloc(0);

/** Why a file without zones is refused (an empty version published would serve nothing). */
export const NO_ZONES_WHY = "a dataset needs at least one zone (is the file cut short, or the extract empty?)";

/** Adds a worker's partial stats into the total. */
function mergeStats(into: Stats, part: Stats): void {
  for (const key of ["level_counts", "zone_type_counts", "wikidata_counts"] as const) {
    for (const [k, v] of Object.entries(part[key])) into[key][k] = (into[key][k] ?? 0) + v;
  }
}

export interface LoadOptions {
  /** Name for format detection and messages (the source as the user gave it). */
  name: string;
  /** Called as zones are encoded: how many, and the raw bytes read since the last call (progress). */
  onZones?: (zones: number, rawBytes: number) => void;
  /** Worker threads parsing and encoding (0: all in this thread). Default: encodeThreads(file size) when known. */
  threads?: number;
  /** Stops the load between two zones (the COPY fails and its transaction rolls back): the caller's reason. */
  signal?: AbortSignal;
}

export interface LoadResult {
  zoneCount: number;
  meta: CosmogonyMeta | null;
  /** Level/type/wikidata counts computed from the zones (the file's own stats may say more). */
  computedStats: Stats;
  rawBytes: number;
  threads: number;
}

interface ParentRef {
  parent: number;
  id: number;
  osmId: string;
  where: string;
}

/**
 * The hierarchy's checks over the zones in file order: ids unique, no zone its own parent, every parent in the
 * file, no parent cycle (publishing 3 → 4 → 3 once left two communes without a country). Ids are kept with their
 * position (line for .jsonl, index for .json) and their parent; a parent seen already is resolved at once, the
 * others (children before their parent) at the end.
 *
 * A parent missing from the file is refused rather than dropped: cosmogony files always carry their parents, so
 * a dangling one means a cut or badly merged file, and loading it would quietly lose the zones' country.
 */
class HierarchyCheck {
  /** id → position (line or index) */
  private readonly seen = new Map<number, number>();
  /** id → parent, for the zones that have one */
  private readonly parents = new Map<number, number>();
  private readonly pending: ParentRef[] = [];
  private lines = false;
  constructor(private readonly file: string) {}

  add(id: number, parent: number | null, osmId: string, t: Pick<ZoneText, "index" | "line" | "offset">): void {
    const first = this.seen.get(id);
    if (first !== undefined) {
      const at = t.line !== undefined ? `line ${first}` : `zones[${first}]`;
      throw new InputError(`duplicate zone id ${id} (first at ${at})`, {
        file: this.file,
        object: `${describeRecord(t)}: zone ${osmId}`,
      });
    }
    if (parent === id) {
      throw new InputError(`zone ${id} is its own parent (a zone's parent must be another zone)`, {
        file: this.file,
        object: `${describeRecord(t)}: zone ${id} (${osmId})`,
      });
    }
    this.lines = t.line !== undefined;
    this.seen.set(id, t.line ?? t.index);
    if (parent === null) return;
    this.parents.set(id, parent);
    if (!this.seen.has(parent)) this.pending.push({ parent, id, osmId, where: describeRecord(t) });
  }

  finish(): void {
    for (const r of this.pending) {
      if (!this.seen.has(r.parent)) {
        throw new InputError(`parent ${r.parent} does not exist in the file`, {
          file: this.file,
          object: `${r.where}: zone ${r.id} (${r.osmId})`,
        });
      }
    }
    this.checkCycles();
  }

  /** Follows every zone's parents up to a root; a zone met twice on one walk is on a cycle. O(zones). */
  private checkCycles(): void {
    const ROOTED = -1;
    // id → ROOTED (its chain reaches a root) or the number of the walk that is going through it
    const state = new Map<number, number>();
    let walk = 0;
    for (const start of this.parents.keys()) {
      if (state.has(start)) continue;
      walk++;
      const path: number[] = [];
      let id: number | undefined = start;
      while (id !== undefined && !state.has(id)) {
        state.set(id, walk);
        path.push(id);
        id = this.parents.get(id);
      }
      if (id !== undefined && state.get(id) === walk) {
        const cycle = [...path.slice(path.indexOf(id)), id];
        const first = this.seen.get(cycle[0]) as number;
        throw new InputError(`parent cycle: ${cycle.join(" → ")} (following parents must end at a zone without one)`, {
          file: this.file,
          object: `${this.lines ? `line ${first}` : `zones[${first}]`}: zone ${cycle[0]}`,
        });
      }
      for (const p of path) state.set(p, ROOTED);
    }
  }
}

const BATCH_BYTES = 1 << 20;
const BATCH_ZONES = 2000;

/** Runs on `client` (no transaction open): BEGIN, create schema, COPY, checks, COMMIT — or ROLLBACK. */
export async function loadZones(
  client: pg.PoolClient,
  schema: string,
  source: string | Readable,
  opts: LoadOptions,
): Promise<LoadResult> {
  const stats = new StatsAccumulator();
  let meta: CosmogonyMeta | null = null;
  let rawBytes = 0;
  let pendingBytes = 0;
  let zoneCount = 0;
  const threads =
    opts.threads ?? (typeof source === "string" ? encodeThreads((await stat(source).catch(() => null))?.size ?? 0) : 0);
  const readOpts = {
    name: opts.name,
    onMeta: (m: CosmogonyMeta) => (meta = m),
    onBytes: (n: number) => {
      rawBytes += n;
      pendingBytes += n;
    },
  };
  const progress = (n: number) => {
    zoneCount += n;
    opts.onZones?.(n, pendingBytes);
    pendingBytes = 0;
  };

  // single thread: parse, check and encode zone by zone. `drained`: whether every chunk yielded so far has been
  // written out (then the encoder may write over their bytes).
  async function* rowsHere(drained: () => boolean): AsyncGenerator<Buffer> {
    const encoder = new BinaryCopyEncoder();
    const check = new HierarchyCheck(opts.name);
    const parser = new ZoneTextParser(opts.name);
    // each text is parsed and encoded before the next is read: the file can be read into reused buffers
    for await (const t of readZoneTexts(source, { ...readOpts, transient: true })) {
      opts.signal?.throwIfAborted();
      const { zone: z, flat, labels } = parser.parse(t);
      check.add(z.id, z.parent, z.osm_id, t);
      stats.add(z);
      encoder.addZone(z, flat, labels);
      progress(1);
      const chunk = encoder.take();
      if (chunk) {
        yield chunk;
        if (drained()) encoder.recycle();
      }
    }
    check.finish();
    yield encoder.finish();
  }

  // worker threads: this thread splits the file into batches and checks ids/parents in file order
  async function* rowsThreaded(): AsyncGenerator<Buffer> {
    const pool = new EncodePool(threads, opts.name);
    const check = new HierarchyCheck(opts.name);
    const inflight: { texts: ZoneText[]; result: Promise<BatchResult> }[] = [];
    const settle = (texts: ZoneText[], r: BatchResult): Buffer => {
      for (let i = 0; i < texts.length; i++) {
        check.add(r.ids[i], r.parents[i] < 0 ? null : r.parents[i], r.osmIds[i], texts[i]);
      }
      mergeStats(stats.stats, r.stats);
      progress(texts.length);
      return Buffer.from(r.out, r.outOffset, r.outLength);
    };
    try {
      yield BinaryCopyEncoder.header();
      let batch: ZoneText[] = [];
      let batchBytes = 0;
      const submit = () => {
        // the texts' bytes are copied into the request; keep only positions for messages
        inflight.push({
          texts: batch.map(({ index, line, offset }) => ({ index, line, offset, bytes: EMPTY })),
          result: pool.submit(batch),
        });
        batch = [];
        batchBytes = 0;
      };
      for await (const t of readZoneTexts(source, readOpts)) {
        opts.signal?.throwIfAborted();
        batch.push(t);
        batchBytes += t.bytes.length;
        if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_ZONES) {
          submit();
          if (inflight.length >= threads * 2) {
            const head = inflight.shift() as (typeof inflight)[number];
            yield settle(head.texts, await head.result);
          }
        }
      }
      if (batch.length) submit();
      while (inflight.length) {
        const head = inflight.shift() as (typeof inflight)[number];
        yield settle(head.texts, await head.result);
      }
      check.finish();
      yield BinaryCopyEncoder.trailer();
    } finally {
      for (const f of inflight) f.result.catch(() => undefined);
      await pool.close();
    }
  }

  const table = `${ident(schema)}.zones`;
  await client.query("BEGIN");
  try {
    await client.query(loadSql(import.meta.url, "sql/create-version.sql", { schema }));
    const copy = client.query(
      copyFrom(`COPY ${table} (${COPY_COLUMNS.join(", ")}) FROM STDIN WITH (FORMAT binary, FREEZE)`),
    );
    // The chunks yielded so far are written out once nothing is left in the read-ahead, in the COPY stream (which
    // holds them until the server is ready, then hands them to the socket) or in the socket (which holds a buffer
    // until the kernel has taken all of it). An unknown socket is never drained: then no slab is reused.
    const socket: Writable | undefined = (client as unknown as Partial<pg.Client>).connection?.stream;
    const drained = () => rows.readableLength === 0 && copy.writableLength === 0 && socket?.writableLength === 0;
    // read-ahead of a few MB: Node parses the next zones while the server digests the last ones
    const rows = ReadableStream.from(threads > 0 ? rowsThreaded() : rowsHere(drained), {
      objectMode: false,
      highWaterMark: 8 << 20,
    });
    await pipeline(rows, copy);
    if (zoneCount === 0) throw new InputError(`no zones in the file: ${NO_ZONES_WHY}`, { file: opts.name });
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw translateCopyError(e, opts.name);
  }
  return { zoneCount, meta, computedStats: stats.stats, rawBytes, threads };
}

/** Database errors during COPY name the row; give them the file name and keep them on one line. */
function translateCopyError(e: unknown, file: string): unknown {
  if (e instanceof InputError) return e;
  const err = e as { code?: string; message?: string; where?: string };
  if (err?.code && /^(22|23)/.test(err.code)) {
    return new InputError(
      `rejected by the database: ${err.message}${err.where ? ` (${err.where.split("\n")[0]})` : ""}`,
      { file },
      { cause: e },
    );
  }
  return e;
}
