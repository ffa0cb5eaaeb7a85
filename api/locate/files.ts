// The files of `cosmo locate`: points read from CSV (id,lon,lat) or GeoJSON lines, gzipped or not, with the
// line each came from; located points written as CSV or JSON lines (gzipped when the name ends in .gz) to a
// temporary file renamed into place at the end, so a failed run leaves no partial output.
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify/sync";
import { InputError } from "../../core/errors.ts";
import { CSV_INPUT_COLUMNS, type PointOrReason, pointFromCsv, pointFromGeoJsonLine } from "./points.ts";

export type PointsFormat = "csv" | "geojsonl";
export type OutputFormat = "csv" | "jsonl";

function formatOf<F extends string>(file: string, formats: readonly F[], what: string): F {
  const base = file.replace(/\.gz$/, "");
  const f = formats.find((x) => base.endsWith(`.${x}`));
  if (!f)
    throw new InputError(
      `${what} must be named .${formats.join(", .")} (optionally .gz), not ${JSON.stringify(file)}`,
      {},
    );
  return f;
}

export function inputFormat(file: string): PointsFormat {
  return formatOf(file, ["csv", "geojsonl"] as const, "the points file");
}

export function outputFormat(file: string): OutputFormat {
  return formatOf(file, ["csv", "jsonl"] as const, "the output file");
}

export interface ReadPoint {
  line: number;
  point: PointOrReason;
}

/** Bytes read from the file so far (compressed size for .gz): progress against the file's size. */
export interface PointsSource {
  points: AsyncIterable<ReadPoint>;
  bytesRead(): number;
}

function isHeader(fields: string[]): boolean {
  return fields.length === 3 && fields.every((f, k) => f.trim().toLowerCase() === CSV_INPUT_COLUMNS[k]);
}

async function* csvPoints(text: Readable): AsyncGenerator<ReadPoint> {
  const parser = text.pipe(parse({ info: true, relax_column_count: true, skip_empty_lines: true, trim: true }));
  text.on("error", (err) => parser.destroy(err)); // a pipe does not forward errors (a corrupt .gz)
  let first = true;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (first && isHeader(record)) {
      first = false;
      continue;
    }
    first = false;
    yield { line: info.lines, point: pointFromCsv(record) };
  }
}

async function* geoJsonLinesPoints(text: Readable): AsyncGenerator<ReadPoint> {
  let line = 0;
  for await (const l of createInterface({ input: text, crlfDelay: Infinity })) {
    line++;
    if (l.trim()) yield { line, point: pointFromGeoJsonLine(l) };
  }
}

export function readPoints(file: string): PointsSource {
  const format = inputFormat(file);
  const raw = createReadStream(file);
  let bytes = 0;
  raw.on("data", (chunk) => (bytes += chunk.length));
  const text: Readable = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  // a gunzip or read error surfaces in the reader (the pipe does not forward it)
  raw.on("error", (err) => text.destroy(err));
  const points = format === "csv" ? csvPoints(text) : geoJsonLinesPoints(text);
  return { points: withFileErrors(points, file), bytesRead: () => bytes };
}

/** Unreadable or corrupt input (missing file, bad gzip, malformed CSV) is bad input naming the file. */
async function* withFileErrors(points: AsyncIterable<ReadPoint>, file: string): AsyncGenerator<ReadPoint> {
  try {
    yield* points;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { lines?: number };
    throw new InputError(`cannot read the points: ${e.message}`, { file, line: e.lines }, { cause: err });
  }
}

export interface OutputFile {
  write(text: string): Promise<void>;
  /** Flush and rename into place. */
  commit(): Promise<void>;
  /** Remove the temporary file. */
  discard(): Promise<void>;
}

export function openOutput(file: string): OutputFile {
  const temp = `${file}.partial-${process.pid}`;
  const out = createWriteStream(temp);
  const sink: Writable = file.endsWith(".gz") ? createGzip({ level: 4 }) : out;
  if (sink !== out) sink.pipe(out);
  let failed: Error | null = null;
  for (const s of new Set([sink, out])) s.on("error", (err: Error) => (failed ??= err));
  return {
    async write(text) {
      if (failed) throw failed;
      if (!sink.write(text)) await Promise.race([once(sink, "drain"), once(out, "error")]);
      if (failed) throw failed;
    },
    async commit() {
      sink.end();
      await once(out, "close");
      if (failed) throw failed;
      await rename(temp, file);
    },
    async discard() {
      sink.destroy();
      out.destroy();
      await rm(temp, { force: true });
    },
  };
}

export function csvText(rows: (string | number | null)[][]): string {
  return stringify(rows);
}
