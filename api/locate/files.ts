// The files of `cosmo locate`: points read from CSV (id,lon,lat) or GeoJSON lines, gzipped or not, with the
// line each came from; located points written as CSV or JSON lines (gzipped when the name ends in .gz) to a
// temporary file renamed into place at the end, so a failed run leaves no partial output.
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { parse as parseCsv } from "csv-parse/sync";
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

/** The points of a file, in order, in arrays of a read's worth (a chunk of the file) each. */
export interface PointsSource {
  points: AsyncIterable<ReadPoint[]>;
  /** Bytes read from the file so far (compressed size for .gz): progress against the file's size. */
  bytesRead(): number;
}

function isHeader(fields: string[]): boolean {
  return fields.length === 3 && fields.every((f, k) => f.trim().toLowerCase() === CSV_INPUT_COLUMNS[k]);
}

/** An odd number of quotes: a quoted field goes on past the end of the line (`""` inside one counts two). */
function quoteOpen(text: string): boolean {
  let open = false;
  for (let k = text.indexOf('"'); k >= 0; k = text.indexOf('"', k + 1)) open = !open;
  return open;
}

/** The fields of one CSV record, trimmed: split at commas, or by csv-parse when it has quoted fields. */
function csvFields(record: string): string[] | { reason: string } {
  if (!record.includes('"')) return record.split(",").map((f) => f.trim());
  try {
    return (parseCsv(record, { relax_column_count: true, trim: true }) as string[][])[0] ?? [];
  } catch (err) {
    return { reason: `malformed CSV (${(err as Error).message})` };
  }
}

/**
 * The lines of a text stream, a chunk's worth at a time (`\n` or `\r\n` ends a line; the last line may have no
 * end). An array per chunk rather than a line at a time: the per-line events and promises of readline cost
 * more than parsing the line.
 */
async function* textLines(text: Readable): AsyncGenerator<string[]> {
  text.setEncoding("utf8");
  let rest = "";
  for await (const chunk of text as AsyncIterable<string>) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() as string;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k] as string;
      if (l.endsWith("\r")) lines[k] = l.slice(0, -1);
    }
    yield lines;
  }
  if (rest) yield [rest.endsWith("\r") ? rest.slice(0, -1) : rest];
}

/**
 * CSV rows, read line by line: a plain line is split at its commas; csv-parse reads the few records with
 * quotes (a quoted id), spanning lines when a quoted field holds a line break. (csv-parse on the whole stream,
 * with the line numbers the error messages need, cost more than everything else per point.)
 */
async function* csvPoints(text: Readable): AsyncGenerator<ReadPoint[]> {
  let line = 0;
  let first = true;
  let open: { text: string; line: number } | null = null;
  for await (const lines of textLines(text)) {
    const points: ReadPoint[] = [];
    for (const l of lines) {
      line++;
      let record = l;
      let at = line;
      if (open) {
        open.text += `\n${l}`;
        if (quoteOpen(open.text)) continue;
        record = open.text;
        at = open.line;
        open = null;
      } else if (l.includes('"') && quoteOpen(l)) {
        open = { text: l, line };
        continue;
      }
      if (!record.trim()) continue;
      const fields = csvFields(record);
      if ("reason" in fields) {
        points.push({ line: at, point: fields });
        continue;
      }
      if (first && isHeader(fields)) {
        first = false;
        continue;
      }
      first = false;
      points.push({ line: at, point: pointFromCsv(fields) });
    }
    yield points;
  }
  if (open) yield [{ line: open.line, point: { reason: "a quoted field is never closed" } }];
}

async function* geoJsonLinesPoints(text: Readable): AsyncGenerator<ReadPoint[]> {
  let line = 0;
  for await (const lines of textLines(text)) {
    const points: ReadPoint[] = [];
    for (const l of lines) {
      line++;
      if (l.trim()) points.push({ line, point: pointFromGeoJsonLine(l) });
    }
    yield points;
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
async function* withFileErrors(points: AsyncIterable<ReadPoint[]>, file: string): AsyncGenerator<ReadPoint[]> {
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

/** A field is quoted when it holds a comma, a quote or a line break, or starts or ends with a space. */
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV field (RFC 4180) of a text; null is an empty field. */
export function csvField(v: string | null): string {
  if (v === null) return "";
  return NEEDS_QUOTES.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * CSV lines (RFC 4180; null is an empty field). Written here rather than with csv-stringify: its per-field
 * casting and options cost more per located point than everything else in the output.
 */
export function csvText(rows: (string | number | null)[][]): string {
  let text = "";
  for (const row of rows) {
    for (let k = 0; k < row.length; k++) {
      if (k > 0) text += ",";
      const v = row[k] as string | number | null;
      text += typeof v === "number" ? v : csvField(v);
    }
    text += "\n";
  }
  return text;
}
