// The load: zones streamed from the file into a new version schema by one binary COPY, in the transaction that
// creates the schema (COPY FREEZE: no later hint-bit/freeze rewrite; a failure leaves nothing). Ids and
// parents are checked in Node while streaming, so a bad reference is reported with the zone's file position.
import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { CosmogonyMeta, Stats } from "../core/cosmogony/model.ts";
import { StatsAccumulator } from "../core/cosmogony/model.ts";
import { describeRecord, readZoneRecords } from "../core/cosmogony/reader.ts";
import { ident } from "../core/db.ts";
import { InputError } from "../core/errors.ts";
import { BinaryCopyEncoder, COPY_COLUMNS } from "./copy-binary.ts";
import { sql } from "./datasets.ts";

export interface LoadOptions {
  /** Name for format detection and messages (the source as the user gave it). */
  name: string;
  /** Called per zone with the raw bytes read since the last call (progress). */
  onZone?: (rawBytes: number) => void;
}

export interface LoadResult {
  zoneCount: number;
  meta: CosmogonyMeta | null;
  /** Level/type/wikidata counts computed from the zones (the file's own stats may say more). */
  computedStats: Stats;
  rawBytes: number;
}

interface ParentRef {
  parent: number;
  id: number;
  osmId: string;
  where: string;
}

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

  async function* rows(): AsyncGenerator<Buffer> {
    const encoder = new BinaryCopyEncoder();
    // id → position (line for .jsonl, index for .json); parents are checked at once when already seen, the
    // rest (children before their parent) at the end: memory stays small in the usual parent-first order.
    const seen = new Map<number, number>();
    const pending: ParentRef[] = [];
    const where = (pos: number) => (isJsonl ? `line ${pos}` : `zones[${pos}]`);
    let isJsonl = false;
    for await (const rec of readZoneRecords(source, {
      name: opts.name,
      onMeta: (m) => (meta = m),
      onBytes: (n) => {
        rawBytes += n;
        pendingBytes += n;
      },
    })) {
      const z = rec.zone;
      isJsonl = rec.line !== undefined;
      const pos = rec.line ?? rec.index;
      const first = seen.get(z.id);
      if (first !== undefined) {
        throw new InputError(`duplicate zone id ${z.id} (first at ${where(first)})`, {
          file: opts.name,
          object: `${describeRecord(rec)}: zone ${z.osm_id}`,
        });
      }
      seen.set(z.id, pos);
      if (z.parent !== null && !seen.has(z.parent))
        pending.push({ parent: z.parent, id: z.id, osmId: z.osm_id, where: describeRecord(rec) });
      stats.add(z);
      encoder.addZone(z);
      zoneCount++;
      opts.onZone?.(pendingBytes);
      pendingBytes = 0;
      const chunk = encoder.take();
      if (chunk) yield chunk;
    }
    for (const r of pending) {
      if (!seen.has(r.parent)) {
        throw new InputError(`parent ${r.parent} does not exist in the file`, {
          file: opts.name,
          object: `${r.where}: zone ${r.id} (${r.osmId})`,
        });
      }
    }
    yield encoder.finish();
  }

  const table = `${ident(schema)}.zones`;
  await client.query("BEGIN");
  try {
    await client.query(sql("create-version", { schema: ident(schema) }));
    const copy = client.query(
      copyFrom(`COPY ${table} (${COPY_COLUMNS.join(", ")}) FROM STDIN WITH (FORMAT binary, FREEZE)`),
    );
    // read-ahead of a few MB: Node parses the next zones while the server digests the last ones
    await pipeline(ReadableStream.from(rows(), { objectMode: false, highWaterMark: 8 << 20 }), copy);
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw translateCopyError(e, opts.name);
  }
  return { zoneCount, meta, computedStats: stats.stats, rawBytes };
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
