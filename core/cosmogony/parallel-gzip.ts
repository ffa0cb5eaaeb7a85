// gzip on several cores. The input is cut into chunks that are deflated concurrently on the libuv threadpool
// (node:zlib's async calls) and written in order as ONE gzip member: header, the raw deflate streams of the
// chunks one after the other, CRC-32 and length of the whole input. A chunk is ended with a sync flush (byte
// aligned, not final) so the next chunk's deflate output continues the same stream; an empty last piece
// carries the final block. Each chunk is primed with the previous chunk's last 32 KiB as dictionary, so
// back-references across chunk boundaries are kept. Any gunzip reads the result, including those that stop
// after the first member.
import { promisify } from "node:util";
import { constants, crc32, deflateRaw, type ZlibOptions } from "node:zlib";
import { OrderedPipeline } from "./ordered-pipeline.ts";

const deflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(deflateRaw);

/** Deflate's window: the farthest a back-reference reaches, so all of the previous chunk a dictionary can use. */
const WINDOW = 32 * 1024;

export interface ParallelGzipOptions {
  /** zlib level, 0–9 (default 6). */
  level?: number;
  /** Chunks being compressed or written at most (default 4). */
  depth?: number;
}

/** The 10-byte gzip header (RFC 1952) as zlib writes it: no name, no mtime, OS "Unix". */
function gzipHeader(level: number): Buffer {
  const extraFlags = level === 1 ? 4 : level === 9 ? 2 : 0; // "fastest" / "best" hints, as zlib sets them
  return Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extraFlags, 3]);
}

export class ParallelGzip {
  private readonly level: number;
  private readonly pipeline: OrderedPipeline;
  private crc = 0;
  /** Input length modulo 2³² (the trailer's ISIZE). */
  private size = 0;
  /** End of the previous chunk: the next chunk's dictionary. */
  private window: Buffer | null = null;
  private header: Promise<void> | null = null;
  private ended = false;

  /** `sink` receives the gzip file's bytes in order, one call at a time. */
  constructor(
    private readonly sink: (bytes: Buffer) => Promise<void>,
    opts: ParallelGzipOptions = {},
  ) {
    this.level = opts.level ?? constants.Z_DEFAULT_COMPRESSION;
    this.pipeline = new OrderedPipeline((chunk) => this.deflate(chunk), sink, opts.depth ?? 4);
  }

  /** Compresses `chunk`, which must not change afterwards (it is read by the threadpool later). */
  async write(chunk: Buffer): Promise<void> {
    if (this.ended) throw new Error("gzip stream already ended");
    if (chunk.length === 0) return;
    await this.writeHeader();
    this.crc = crc32(chunk, this.crc);
    this.size = (this.size + chunk.length) % 2 ** 32;
    await this.pipeline.push(chunk);
  }

  /** Writes the final block and the trailer; resolves when the sink has received everything. */
  async end(): Promise<void> {
    if (this.ended) throw new Error("gzip stream already ended");
    await this.writeHeader();
    this.ended = true;
    await this.pipeline.push(Buffer.alloc(0));
    await this.pipeline.finish();
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size, 4);
    await this.sink(trailer);
  }

  /** Before the first chunk, while nothing else calls the sink. */
  private writeHeader(): Promise<void> {
    this.header ??= this.sink(gzipHeader(this.level));
    return this.header;
  }

  /** Called in write order (by the pipeline's push); the empty chunk is the end. */
  private deflate(chunk: Buffer): Promise<Buffer> {
    const opts: ZlibOptions = {
      level: this.level,
      // One output buffer for the whole chunk: zlib's default (16 KiB) makes a threadpool round trip and a
      // main-thread callback for every 16 KiB of output.
      chunkSize: Math.max(constants.Z_MIN_CHUNK, chunk.length),
      finishFlush: chunk.length === 0 ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
    };
    if (this.window) opts.dictionary = this.window;
    this.window = chunk.length === 0 ? null : chunk.subarray(Math.max(0, chunk.length - WINDOW));
    return deflateRawAsync(chunk, opts);
  }
}
