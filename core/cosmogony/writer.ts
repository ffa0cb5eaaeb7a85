// Streaming writer for the four zone file formats. Zones are written as they come (one in memory at a time) to a
// temporary name next to the target, renamed into place by close(): a reader never sees a half-written file.
// `s3://` targets are written to a local temporary file and uploaded on close().
// The text is built into byte chunks (json-bytes.ts) that go through a short pipeline: compressed concurrently
// on the threadpool for .gz targets (parallel-gzip.ts), then written to the file, while the main thread goes
// on with the next zones.
import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open as openFile, rename, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { localPath } from "../artefact-url.ts";
import type { ArtefactStore } from "../storage.ts";
import { removeOrphanDownloads, removeOrphanSiblings } from "../temp-files.ts";
import { detectFormat, type ZoneFileFormat } from "./format.ts";
import { JsonBytes } from "./json-bytes.ts";
import {
  type CosmogonyMeta,
  CosmogonyMetaSchema,
  StatsAccumulator,
  ZONE_FIELDS,
  type Zone,
  type ZoneInput,
} from "./model.ts";
import { OrderedPipeline } from "./ordered-pipeline.ts";
import { ParallelGzip } from "./parallel-gzip.ts";

export interface ZoneWriterOptions {
  /** Format override (default: from the target's suffix). */
  format?: ZoneFileFormat;
  /** Meta of a `.json` output; missing stats are computed from the zones written. */
  meta?: Partial<CosmogonyMeta>;
  /** gzip level (default 6). */
  gzipLevel?: number;
  /** Store for s3:// targets (default: openStore() on the process config). */
  store?: ArtefactStore;
}

/** Writes a value's JSON text into `out` (a zone's geometry given this way is never a JavaScript object). */
export type JsonTextWriter = (out: JsonBytes) => void;

export interface ZoneWriter {
  /**
   * Appends a zone. With `geometryJson`, the zone's `geometry` is ignored and that function writes the geometry's
   * JSON instead (the extractor writes its flat rings this way).
   */
  write(zone: Zone | ZoneInput, geometryJson?: JsonTextWriter): Promise<void>;
  /** Finishes the file (meta given here wins over the one given at creation) and moves it into place. */
  close(meta?: Partial<CosmogonyMeta>): Promise<{ target: string; count: number; bytes: number }>;
  /** Drops the temporary file; the target is left as it was. */
  abort(): Promise<void>;
  readonly count: number;
}

/** Size of the byte chunks: large enough to amortise a threadpool round trip, small enough to keep a few. */
const CHUNK_SIZE = 1 << 20;
/** Chunks in the pipeline at most: one being compressed per core, and some being written or waiting. */
const PIPELINE_DEPTH = availableParallelism() + 2;

const DEFAULTS: Partial<Record<keyof Zone, unknown>> = {
  loc_name: "",
  alt_name: "",
  center_tags: {},
  is_generated: false,
  country_code: null,
};

/** One zone as the format writes it: fields in the spec's order, the defaulted ones filled in. */
export function serializeZone(zone: Zone | ZoneInput): string {
  const out: Record<string, unknown> = {};
  for (const f of ZONE_FIELDS) out[f] = fieldValue(zone, f);
  return JSON.stringify(out);
}

/** The zone's value of field `f` as written: a missing one is its default (null where there is none). */
function fieldValue(zone: Zone | ZoneInput, f: (typeof ZONE_FIELDS)[number]): unknown {
  const v = (zone as Record<string, unknown>)[f];
  return v === undefined ? (f in DEFAULTS ? DEFAULTS[f] : null) : v;
}

/** `"key":` of each field, in the spec's order. */
const FIELD_KEYS = ZONE_FIELDS.map((f, i) => `${i === 0 ? "{" : ","}${JSON.stringify(f)}:`);

/**
 * serializeZone's text written into `out` field by field, the geometry's value written by `geometryJson`.
 * Each value is JSON.stringify's text of it, so the whole is serializeZone's text. Why not one string: a zone's
 * text is mostly its international labels (~12 KB a zone on the benchmark grid); building the object's text
 * around the geometry and splicing it copied those strings several times over.
 */
export function writeZoneFields(out: JsonBytes, zone: Zone | ZoneInput, geometryJson: JsonTextWriter): void {
  for (let i = 0; i < ZONE_FIELDS.length; i++) {
    const f = ZONE_FIELDS[i];
    out.ascii(FIELD_KEYS[i]);
    if (f === "geometry") {
      geometryJson(out);
      continue;
    }
    const value = fieldValue(zone, f);
    if (typeof value === "number" || typeof value === "boolean" || value === null) out.ascii(String(value));
    else out.text(JSON.stringify(value));
  }
  out.ascii("}");
}

/** Writes all of `bytes` at the file's current position (a write may take only part of it). */
async function writeFully(file: FileHandle, bytes: Buffer): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
  }
}

export function createZoneWriter(target: string, opts: ZoneWriterOptions = {}): ZoneWriter {
  const format = opts.format ?? detectFormat(target);
  const localTarget = localPath(target);
  const tmpPath = localTarget
    ? join(dirname(localTarget), `.${basename(localTarget)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`)
    : join(tmpdir(), `cosmo-zones-${process.pid}-${randomBytes(4).toString("hex")}-${basename(target)}`);
  const stats = new StatsAccumulator();
  let count = 0;
  let file: FileHandle | null = null;
  let output: { push(chunk: Buffer): Promise<void>; end(): Promise<void> } | null = null;
  let finished = false;
  /** Chunks the text builder has filled, not yet given to the output. */
  const filled: Buffer[] = [];
  const text = new JsonBytes(CHUNK_SIZE, (chunk) => filled.push(chunk));

  const open = async () => {
    if (output) return output;
    await mkdir(dirname(tmpPath), { recursive: true });
    await (localTarget ? removeOrphanSiblings(localTarget) : removeOrphanDownloads());
    const f = await openFile(tmpPath, "w");
    file = f;
    const toFile = (bytes: Buffer) => writeFully(f, bytes);
    if (format.gzip) {
      const gzip = new ParallelGzip(toFile, { level: opts.gzipLevel ?? 6, depth: PIPELINE_DEPTH });
      output = { push: (chunk) => gzip.write(chunk), end: () => gzip.end() };
    } else {
      // written chunks go back to the text builder, to be filled again
      const pipeline = new OrderedPipeline(
        async (chunk) => chunk,
        async (chunk) => {
          await toFile(chunk);
          text.recycle(chunk);
        },
        PIPELINE_DEPTH,
      );
      output = { push: (chunk) => pipeline.push(chunk), end: () => pipeline.finish() };
    }
    if (format.kind === "json") text.ascii('{"zones":[');
    return output;
  };

  const pushFilled = async () => {
    const out = await open();
    while (filled.length > 0) await out.push(filled.shift() as Buffer);
  };

  return {
    get count() {
      return count;
    },
    async write(zone, geometryJson) {
      if (finished) throw new Error(`zone writer for ${target} is closed`);
      await open();
      if (format.kind === "json" && count > 0) text.ascii(",");
      if (geometryJson) writeZoneFields(text, zone, geometryJson);
      else text.text(serializeZone(zone));
      if (format.kind === "jsonl") text.ascii("\n");
      stats.add(zone as Zone);
      count++;
      await pushFilled();
    },
    async close(meta) {
      if (finished) throw new Error(`zone writer for ${target} is closed`);
      const out = await open();
      if (format.kind === "json") {
        const given = { ...opts.meta, ...meta };
        const full = CosmogonyMetaSchema.parse({
          osm_filename: given.osm_filename ?? "",
          stats: given.stats ?? stats.stats,
          ...given,
        });
        text.text(`],"meta":${JSON.stringify(full)}}`);
      }
      finished = true;
      text.flush();
      await pushFilled();
      await out.end();
      await file?.close();
      const bytes = (await stat(tmpPath)).size;
      if (localTarget) {
        await rename(tmpPath, localTarget);
      } else {
        try {
          const store = opts.store ?? (await (await import("../storage.ts")).openStore());
          const { createReadStream } = await import("node:fs");
          await store.put(target, createReadStream(tmpPath), {
            contentType: format.gzip
              ? "application/gzip"
              : format.kind === "jsonl"
                ? "application/x-ndjson"
                : "application/json",
          });
        } finally {
          await rm(tmpPath, { force: true });
        }
      }
      return { target, count, bytes };
    },
    async abort() {
      finished = true;
      // Chunks still in the pipeline fail on the closed file; the pipeline keeps such failures to itself.
      await file?.close().catch(() => {});
      await rm(tmpPath, { force: true });
    },
  };
}
