// The files of `cosmo locate`: points read from CSV (id,lon,lat) or GeoJSON lines, gzipped or not, with the
// line each came from; located points written as CSV or JSON lines (gzipped when the name ends in .gz) to a
// temporary file renamed into place at the end, so a failed run leaves no partial output.
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable, type Writable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { parse as parseCsv } from "csv-parse/sync";
import { InputError } from "../../core/errors.ts";
import {
  CSV_INPUT_COLUMNS,
  type LocatePoint,
  type PointOrReason,
  pointFromCsv,
  pointFromGeoJsonLine,
} from "./points.ts";

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

/** Exact powers of ten as doubles (10^22 is the largest). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const COMMA = 0x2c;
const QUOTE = 0x22;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const CR = 0x0d;
const LF = 0x0a;

/**
 * The number written in bytes [start, end) when it is a plain decimal (sign, digits, a dot, digits) of at most
 * 15 digits and 22 decimals, else NaN (the caller then reads the line as text). Such a number is an integer below
 * 2^53 divided by an exact power of ten: one correctly rounded division, the double Number() gives for the text.
 */
export function plainDecimal(buf: Buffer, start: number, end: number): number {
  let at = start;
  const c0 = buf[at];
  const negative = c0 === MINUS;
  if (negative || c0 === PLUS) at++;
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  let dot = false;
  for (; at < end; at++) {
    const c = buf[at] as number;
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      if (dot) decimals++;
    } else if (c === DOT && !dot) dot = true;
    else return Number.NaN;
  }
  if (digits === 0 || digits > 15 || decimals > 22) return Number.NaN;
  const value = mantissa / (POWERS_OF_TEN[decimals] as number);
  return negative ? -value : value;
}

/**
 * Whether the plain decimal in bytes [start, end), of double `value`, is the text JavaScript writes for that
 * double: no `+`, no leading zero before another digit, no trailing zero or dot after the decimals, not `-0`, and
 * at least 1e-6 from zero (below, JavaScript writes an exponent) or `0` itself. A decimal of at most 15 digits is
 * the only one of at most that many digits that reads as its double, so the shortest text of the double (what
 * JavaScript writes) has its digits.
 */
function writtenAsJavaScriptWrites(buf: Buffer, start: number, end: number, value: number): boolean {
  if (value === 0) return end - start === 1 && buf[start] === ZERO;
  if (Math.abs(value) < 1e-6) return false;
  let at = buf[start] === MINUS ? start + 1 : start;
  if (buf[at] === PLUS || buf[at] === DOT) return false;
  if (buf[at] === ZERO && at + 1 < end && buf[at + 1] !== DOT) return false;
  for (; at < end; at++) if (buf[at] === DOT) return buf[end - 1] !== ZERO && buf[end - 1] !== DOT;
  return true;
}

/**
 * The point of a plain CSV line in bytes [start, end): three fields of printable ASCII without spaces or quotes,
 * lon and lat plain decimals in range; null for anything else (a header, spaces, quotes, other characters, a
 * bad value), which the text path reads with its exact rules and messages. The id is copied out of the buffer.
 */
function plainCsvPoint(buf: Buffer, start: number, end: number): LocatePoint | null {
  let first = -1;
  let second = -1;
  for (let at = start; at < end; at++) {
    const c = buf[at] as number;
    if (c <= 0x20 || c >= 0x7f || c === QUOTE) return null;
    if (c === COMMA) {
      if (first < 0) first = at;
      else if (second < 0) second = at;
      else return null;
    }
  }
  if (second < 0) return null;
  const lon = plainDecimal(buf, first + 1, second);
  if (!(lon >= -180 && lon <= 180)) return null;
  const lat = plainDecimal(buf, second + 1, end);
  if (!(lat >= -90 && lat <= 90)) return null;
  const id = buf.toString("latin1", start, first);
  if (!writtenAsJavaScriptWrites(buf, first + 1, second, lon) || !writtenAsJavaScriptWrites(buf, second + 1, end, lat))
    return { id, lon, lat };
  return { id, lon, lat, csv: buf.toString("latin1", start, end) };
}

/**
 * CSV rows, line by line. A plain line (plainCsvPoint) is read from the bytes as they came; any other line is
 * decoded and split at its commas, and csv-parse reads the few records with quotes (a quoted id), spanning lines
 * when a quoted field holds a line break. (csv-parse on the whole stream, with the line numbers the error messages
 * need, cost more than everything else per point; then a string per line and per field did.)
 */
class CsvPointsReader {
  private line = 0;
  private first = true;
  private open: { text: string; line: number } | null = null;

  /** The line in bytes [start, end) of `buf` (without its `\n`): `buf` is only read during the call. */
  read(buf: Buffer, start: number, end: number, points: ReadPoint[]): void {
    this.line++;
    const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
    if (this.open === null) {
      if (stop === start) return;
      const plain = plainCsvPoint(buf, start, stop);
      if (plain) {
        this.first = false;
        points.push({ line: this.line, point: plain });
        return;
      }
    }
    this.readText(buf.toString("utf8", start, stop), points);
  }

  private readText(l: string, points: ReadPoint[]): void {
    let record = l;
    let at = this.line;
    if (this.open) {
      this.open.text += `\n${l}`;
      if (quoteOpen(this.open.text)) return;
      record = this.open.text;
      at = this.open.line;
      this.open = null;
    } else if (l.includes('"') && quoteOpen(l)) {
      this.open = { text: l, line: this.line };
      return;
    }
    if (!record.trim()) return;
    const fields = csvFields(record);
    if ("reason" in fields) {
      points.push({ line: at, point: fields });
      return;
    }
    if (this.first && isHeader(fields)) {
      this.first = false;
      return;
    }
    this.first = false;
    points.push({ line: at, point: pointFromCsv(fields) });
  }

  /** At the end of the input: a quoted field still open is a bad row. */
  end(points: ReadPoint[]): void {
    if (this.open) points.push({ line: this.open.line, point: { reason: "a quoted field is never closed" } });
  }
}

/**
 * The points of a CSV byte stream, a read chunk's worth at a time. Lines are cut in the chunk itself; a line that
 * goes on into the next chunk is copied out (the chunk is not kept: a stream may reuse its memory) and read once
 * its end has come.
 */
async function* csvPoints(bytes: AsyncIterable<Buffer>): AsyncGenerator<ReadPoint[]> {
  const reader = new CsvPointsReader();
  let rest: Buffer[] = [];
  for await (const chunk of bytes) {
    const points: ReadPoint[] = [];
    let start = 0;
    let nl = chunk.indexOf(LF);
    if (rest.length > 0) {
      if (nl < 0) {
        rest.push(Buffer.from(chunk));
        continue;
      }
      const line = Buffer.concat([...rest, chunk.subarray(0, nl)]);
      rest = [];
      reader.read(line, 0, line.length, points);
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    for (; nl >= 0; nl = chunk.indexOf(LF, start)) {
      reader.read(chunk, start, nl, points);
      start = nl + 1;
    }
    if (start < chunk.length) rest.push(Buffer.from(chunk.subarray(start)));
    yield points;
  }
  const points: ReadPoint[] = [];
  if (rest.length > 0) {
    const line = Buffer.concat(rest);
    reader.read(line, 0, line.length, points);
  }
  reader.end(points);
  if (points.length > 0) yield points;
}

/** The points of a CSV text given as chunks (tests: any cut of the bytes reads the same). */
export async function csvPointsOf(chunks: Iterable<Buffer>): Promise<ReadPoint[]> {
  const out: ReadPoint[] = [];
  for await (const points of csvPoints(Readable.from(chunks, { objectMode: true }))) out.push(...points);
  return out;
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
  const points = format === "csv" ? csvPoints(text as AsyncIterable<Buffer>) : geoJsonLinesPoints(text);
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
      if (!sink.write(text)) {
        // the wait that loses the race is cancelled: left pending, each backpressure wait of a run left one more
        // "error" listener on the file (a MaxListenersExceededWarning on stderr mid-run, and a leak)
        const settled = new AbortController();
        const { signal } = settled;
        try {
          await Promise.race([once(sink, "drain", { signal }), once(out, "error", { signal })]);
        } finally {
          settled.abort();
        }
      }
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
