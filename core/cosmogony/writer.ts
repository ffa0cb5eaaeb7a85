// Streaming writer for the four zone file formats. Zones are written as they come (one in memory at a time) to a
// temporary name next to the target, renamed into place by close(): a reader never sees a half-written file.
// `s3://` targets are written to a local temporary file and uploaded on close().
import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { createGzip } from "node:zlib";
import type { ArtefactStore } from "../storage.ts";
import { detectFormat, type ZoneFileFormat } from "./format.ts";
import {
  type CosmogonyMeta,
  CosmogonyMetaSchema,
  StatsAccumulator,
  ZONE_FIELDS,
  type Zone,
  type ZoneInput,
} from "./model.ts";

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

export interface ZoneWriter {
  write(zone: Zone | ZoneInput): Promise<void>;
  /** Finishes the file (meta given here wins over the one given at creation) and moves it into place. */
  close(meta?: Partial<CosmogonyMeta>): Promise<{ target: string; count: number; bytes: number }>;
  /** Drops the temporary file; the target is left as it was. */
  abort(): Promise<void>;
  readonly count: number;
}

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
  const z = zone as Record<string, unknown>;
  for (const f of ZONE_FIELDS) {
    const v = z[f];
    out[f] = v === undefined ? (f in DEFAULTS ? DEFAULTS[f] : null) : v;
  }
  return JSON.stringify(out);
}

export function createZoneWriter(target: string, opts: ZoneWriterOptions = {}): ZoneWriter {
  const format = opts.format ?? detectFormat(target);
  const isS3 = /^s3:\/\//.test(target);
  const localTarget = isS3 ? null : target.startsWith("file://") ? new URL(target).pathname : target;
  const tmpPath = localTarget
    ? join(dirname(localTarget), `.${basename(localTarget)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`)
    : join(tmpdir(), `cosmo-zones-${process.pid}-${randomBytes(4).toString("hex")}-${basename(target)}`);
  const stats = new StatsAccumulator();
  let count = 0;
  let failure: Error | null = null;
  let file: WriteStream | null = null;
  let out: Writable | null = null;
  let finished = false;

  const open = async (): Promise<Writable> => {
    if (out) return out;
    await mkdir(dirname(tmpPath), { recursive: true });
    file = createWriteStream(tmpPath);
    file.on("error", (e) => (failure ??= e));
    if (format.gzip) {
      const gz = createGzip({ level: opts.gzipLevel ?? 6 });
      gz.on("error", (e) => (failure ??= e));
      gz.pipe(file);
      out = gz;
    } else out = file;
    if (format.kind === "json") out.write('{"zones":[');
    return out;
  };

  const put = async (s: string): Promise<void> => {
    const w = await open();
    if (failure) throw failure;
    if (!w.write(s)) {
      await new Promise<void>((resolve, reject) => {
        const onErr = (e: Error) => reject(e);
        w.once("drain", () => {
          w.off("error", onErr);
          resolve();
        });
        w.once("error", onErr);
      });
    }
  };

  return {
    get count() {
      return count;
    },
    async write(zone) {
      if (finished) throw new Error(`zone writer for ${target} is closed`);
      const text = serializeZone(zone);
      stats.add(zone as Zone);
      if (format.kind === "json") await put(count === 0 ? text : `,${text}`);
      else await put(`${text}\n`);
      count++;
    },
    async close(meta) {
      if (finished) throw new Error(`zone writer for ${target} is closed`);
      const w = await open();
      if (format.kind === "json") {
        const given = { ...opts.meta, ...meta };
        const full = CosmogonyMetaSchema.parse({
          osm_filename: given.osm_filename ?? "",
          stats: given.stats ?? stats.stats,
          ...given,
        });
        w.write(`],"meta":${JSON.stringify(full)}}`);
      }
      finished = true;
      await new Promise<void>((resolve, reject) => {
        (file as WriteStream).once("close", () => (failure ? reject(failure) : resolve()));
        (file as WriteStream).once("error", reject);
        w.end();
      });
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
      if (out) {
        (out as Writable).destroy();
        if (file && file !== out) (file as WriteStream).destroy();
      }
      await rm(tmpPath, { force: true });
    },
  };
}
