// Streaming reader for the four zone file formats. Never holds more than one zone (plus a read buffer) in memory,
// the `.json` form included (json-scanner.ts). Every problem becomes a one-line InputError naming the file and
// the position: line number for `.jsonl`, zone index and byte offset for `.json`, osm_id when known.
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { localPath } from "../artefact-url.ts";
import { InputError } from "../errors.ts";
import type { ArtefactStore } from "../storage.ts";
import { detectFormat, type ZoneFileFormat } from "./format.ts";
import { JsonZonesScanner, ScanError, type ScannedItem } from "./json-scanner.ts";
import { type CosmogonyMeta, CosmogonyMetaSchema, type Zone } from "./model.ts";
import { keepPastChunk, readInTwoBuffers } from "./recycled-buffers.ts";
import { parseZone, ZoneFieldError } from "./validate.ts";

export interface ReadZonesOptions {
  /** Name used for the format detection and in messages (required when the source is a stream). */
  name?: string;
  /** Format override (default: from the name's suffix). */
  format?: ZoneFileFormat;
  /** Called with the meta block of a `.json` file as soon as it is read (it may come after the zones). */
  onMeta?: (meta: CosmogonyMeta) => void;
  /** Called with the number of raw (possibly compressed) bytes read, for progress reporting. */
  onBytes?: (n: number) => void;
  /** Store for s3:// sources (default: openStore() on the process config). */
  store?: ArtefactStore;
  /**
   * The caller is done with each zone text's bytes once it asks for the next one: a local uncompressed file is
   * then read into the same two buffers over and over (readInTwoBuffers; how long a view stays valid:
   * recycled-buffers.ts). Why: the importer's load reads hundreds of MB, and a new 1 MB buffer per read made V8
   * run full garbage collections (~0.2 s of CPU on the 425 MB benchmark file).
   */
  transient?: boolean;
}

/** A zone with where it came from, for messages about it later (e.g. an unknown parent). */
export interface ZoneRecord {
  zone: Zone;
  /** 0-based position of the zone in the file. */
  index: number;
  /** 1-based line number (`.jsonl` only). */
  line?: number;
  /** Byte offset of the zone in the (decompressed) content. */
  offset: number;
}

/** Human description of a record's position, e.g. "line 12" or "zones[3] at byte 1234". */
export function describeRecord(r: Pick<ZoneRecord, "index" | "line" | "offset">): string {
  return r.line !== undefined ? `line ${r.line}` : `zones[${r.index}] at byte ${r.offset}`;
}

export async function* readZones(source: string | Readable, opts: ReadZonesOptions = {}): AsyncGenerator<Zone> {
  for await (const r of readZoneRecords(source, opts)) yield r.zone;
}

/** The meta block of a `.json` file (scans the file, skipping the zones); null for `.jsonl` files. */
export async function readMeta(source: string | Readable, opts: ReadZonesOptions = {}): Promise<CosmogonyMeta | null> {
  const name = sourceName(source, opts);
  const format = opts.format ?? detectFormat(name);
  if (format.kind === "jsonl") {
    if (typeof source !== "string") source.destroy();
    return null;
  }
  let meta: CosmogonyMeta | null = null;
  for await (const _ of scanJson(await openBytes(source, name, format, opts), name, false, (m) => (meta = m))) {
    // zones are skipped
  }
  return meta;
}

export async function* readZoneRecords(
  source: string | Readable,
  opts: ReadZonesOptions = {},
): AsyncGenerator<ZoneRecord> {
  const name = sourceName(source, opts);
  for await (const t of readZoneTexts(source, opts)) {
    yield { zone: parseZoneText(t, name), index: t.index, line: t.line, offset: t.offset };
  }
}

/** A zone's raw JSON bytes and its position, before parsing (the importer parses them in worker threads). */
export interface ZoneText {
  bytes: Buffer;
  index: number;
  line?: number;
  offset: number;
}

/** The zones' JSON texts, split out of the stream but not parsed (`.json` meta goes to opts.onMeta). */
export async function* readZoneTexts(source: string | Readable, opts: ReadZonesOptions = {}): AsyncGenerator<ZoneText> {
  const name = sourceName(source, opts);
  const format = opts.format ?? detectFormat(name);
  const recycledPath = opts.transient === true && typeof source === "string" && !format.gzip ? localPath(source) : null;
  const reused = recycledPath !== null;
  const bytes = reused
    ? readInTwoBuffers(recycledPath, (e) => readFailure(e, name), opts.onBytes)
    : await openBytes(source, name, format, opts);
  if (format.kind === "jsonl") yield* scanJsonl(bytes, reused);
  else yield* scanJson(bytes, name, true, opts.onMeta, reused);
}

/** Parses and validates one zone text; errors name the file and the position. */
export function parseZoneText(t: ZoneText, name: string): Zone {
  let obj: unknown;
  try {
    obj = JSON.parse(t.bytes.toString("utf8"));
  } catch (e) {
    if (t.line !== undefined)
      throw new InputError(`malformed JSON (${(e as Error).message})`, { file: name, line: t.line });
    throw new InputError(`malformed JSON in zones[${t.index}] (${(e as Error).message})`, {
      file: name,
      offset: t.offset,
    });
  }
  return validate(obj, t.line !== undefined ? { file: name, line: t.line } : { file: name, offset: t.offset }, t.index);
}

function sourceName(source: string | Readable, opts: ReadZonesOptions): string {
  if (opts.name) return opts.name;
  if (typeof source === "string") return source;
  const path = (source as { path?: unknown }).path;
  if (typeof path === "string") return path;
  throw new InputError("a name is needed to read a zones stream (its suffix gives the format)");
}

/** The decompressed byte chunks of the source, with gzip/read errors turned into InputErrors. */
async function openBytes(
  source: string | Readable,
  name: string,
  format: ZoneFileFormat,
  opts: ReadZonesOptions,
): Promise<AsyncIterable<Buffer>> {
  let raw: Readable;
  if (typeof source === "string") {
    const path = localPath(source);
    if (path === null) {
      const store = opts.store ?? (await (await import("../storage.ts")).openStore());
      raw = await store.get(source);
    } else {
      raw = createReadStream(path, { highWaterMark: 1 << 20 });
    }
  } else raw = source;
  let rawBytes = 0;
  raw.on("data", (chunk: Buffer) => {
    rawBytes += chunk.length;
    opts.onBytes?.(chunk.length);
  });
  const stream = format.gzip ? raw.pipe(createGunzip({ chunkSize: 1 << 18 })) : raw;
  if (format.gzip) raw.on("error", (e) => stream.destroy(e));
  return (async function* () {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (typeof err.code === "string" && err.code.startsWith("Z_")) {
        throw new InputError(
          `truncated or corrupt gzip data (${err.message}) after ${rawBytes} compressed bytes`,
          { file: name },
          { cause: e },
        );
      }
      throw readFailure(e, name);
    } finally {
      raw.destroy();
    }
  })();
}

/** A failure to open or read the source, as the one-line error the CLI shows. */
function readFailure(e: unknown, name: string): InputError {
  if (e instanceof InputError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT") return new InputError("no such file", { file: name });
  return new InputError(`read error: ${err.message}`, { file: name }, { cause: e });
}

function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** `recycled`: each chunk is written over once the next is asked for (recycled-buffers.ts). */
async function* scanJsonl(chunks: AsyncIterable<Buffer>, recycled = false): AsyncGenerator<ZoneText> {
  let pending: Buffer[] = [];
  let lineNo = 0;
  let offset = 0; // offset of the current line's first byte
  let index = 0;
  const handle = (line: Buffer): ZoneText | null => {
    lineNo++;
    const start = offset;
    offset += line.length + 1;
    if (isBlank(line)) return null;
    return { bytes: line, index: index++, line: lineNo, offset: start };
  };
  for await (const chunk of chunks) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) break;
      const piece = chunk.subarray(from, nl);
      const line = pending.length ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      const rec = handle(line);
      if (rec) yield rec;
      from = nl + 1;
    }
    if (from < chunk.length) pending.push(keepPastChunk(chunk.subarray(from), recycled));
  }
  if (pending.length) {
    const rec = handle(Buffer.concat(pending));
    if (rec) yield rec;
  }
}

async function* scanJson(
  chunks: AsyncIterable<Buffer>,
  name: string,
  parseZones: boolean,
  onMeta?: (meta: CosmogonyMeta) => void,
  recycled = false,
): AsyncGenerator<ZoneText> {
  const scanner = new JsonZonesScanner(parseZones, recycled);
  const items: ScannedItem[] = [];
  const handle = (item: ScannedItem): ZoneText | null => {
    if (item.kind === "zone") return { bytes: item.bytes, index: item.index, offset: item.offset };
    let obj: unknown;
    try {
      obj = JSON.parse(item.bytes.toString("utf8"));
    } catch (e) {
      throw new InputError(`malformed JSON in meta (${(e as Error).message})`, { file: name, offset: item.offset });
    }
    const meta = CosmogonyMetaSchema.safeParse(obj);
    if (!meta.success) {
      throw new InputError(`invalid meta: ${meta.error.issues[0]?.path.join(".")} ${meta.error.issues[0]?.message}`, {
        file: name,
        offset: item.offset,
      });
    }
    onMeta?.(meta.data);
    return null;
  };
  try {
    for await (const chunk of chunks) {
      scanner.push(chunk, items);
      for (const item of items) {
        const rec = handle(item);
        if (rec) yield rec;
      }
      items.length = 0;
    }
    scanner.end();
  } catch (e) {
    if (e instanceof ScanError) {
      const object = e.index !== undefined ? `zones[${e.index}]` : undefined;
      throw new InputError(e.message, {
        file: name,
        offset: e.offset,
        object: object && !e.message.includes(object) ? object : undefined,
      });
    }
    throw e;
  }
}

/** Validates a parsed object as a Zone; the error names the zone by index and osm_id and the faulty field. */
export function validate(obj: unknown, pos: { file: string; line?: number; offset?: number }, index: number): Zone {
  try {
    return parseZone(obj);
  } catch (e) {
    if (!(e instanceof ZoneFieldError)) throw e;
    const osmId = obj && typeof obj === "object" ? (obj as { osm_id?: unknown }).osm_id : undefined;
    const object = `zone #${index}${typeof osmId === "string" ? ` (${osmId})` : ""}`;
    const message = e.missing || e.field === "" ? e.message : `field "${e.field}": ${e.message}`;
    throw new InputError(message, { ...pos, object });
  }
}
