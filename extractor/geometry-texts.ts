// The geometries' JSON text for the write step, made ahead on worker threads while the calling thread writes
// the rest of each zone. Why: a zone's geometry is most of its text (on the benchmark grid 1.4 of 1.5 GB), and
// the calling thread, which alone can serialise the zones' other fields, would otherwise do both one after the
// other with the second core idle. Texts are made in the zones' order, in batches, at most `aheadVertices`
// vertices ahead of the writer (memory), so they can start before the write itself (during the labels).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { JsonBytes } from "../core/cosmogony/json-bytes.ts";
import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import { vertexCount, writeMultiPolygonJson } from "./geometry.ts";

export interface GeometryTextBatch {
  /** the texts one after the other */
  bytes: Uint8Array;
  /** geometry i's text is bytes[starts[i]] … bytes[ends[i] - 1]; starts[i] is -1 for no geometry */
  starts: Int32Array;
  ends: Int32Array;
}

/** `spare`: buffers of earlier batches, read and handed back, to be written again (see GeometryTexts). */
export type GeometryTextRequest = { seq: number; geometries: (FlatMultiPolygon | null)[]; spare: ArrayBuffer[] };
export type GeometryTextReply = ({ seq: number } & GeometryTextBatch) | { seq: number; error: string };

/**
 * The texts of `geometries` (writeMultiPolygonJson's bytes) one after the other, in the buffer `room(n)` gives
 * (of n bytes at least) when there is a `room`, else in a new one.
 */
export function geometryTexts(
  geometries: (FlatMultiPolygon | null)[],
  room?: (n: number) => ArrayBuffer,
): GeometryTextBatch {
  const chunks: Buffer[] = [];
  const out = new JsonBytes(1 << 22, (c) => chunks.push(c));
  const starts = new Int32Array(geometries.length).fill(-1);
  const ends = new Int32Array(geometries.length);
  geometries.forEach((g, i) => {
    if (g === null) return;
    starts[i] = out.length;
    writeMultiPolygonJson(out, g);
    ends[i] = out.length;
  });
  out.flush();
  const length = chunks.reduce((n, c) => n + c.length, 0);
  if (!room) return { bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length), starts, ends };
  const bytes = new Uint8Array(room(length), 0, length);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, starts, ends };
}

/** Worker threads worth starting for texts of `vertices` vertices: none when there is little to do. */
export function geometryTextThreads(vertices: number, cores = availableParallelism()): number {
  if (vertices < 2e6) return 0;
  return Math.max(1, Math.min(4, cores - 1));
}

class TextWorker {
  private readonly worker = new Worker(new URL("./geometry-texts-worker-entry.mjs", import.meta.url), {
    // Workers inherit the parent's flags, but some (e.g. --input-type of `node -e`) are refused there.
    execArgv: process.execArgv.filter((a) => !a.startsWith("--input-type")),
  });
  private readonly waiting = new Map<number, { resolve(b: GeometryTextBatch): void; reject(e: Error): void }>();
  private failure: Error | null = null;

  constructor() {
    this.worker.on("message", (reply: GeometryTextReply) => {
      const w = this.waiting.get(reply.seq);
      this.waiting.delete(reply.seq);
      if ("error" in reply) w?.reject(new Error(`geometry text worker: ${reply.error}`));
      else w?.resolve(reply);
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    this.worker.on("error", (e) => fail(new Error(`geometry text worker crashed: ${e.message}`)));
    this.worker.on("exit", (code) => fail(new Error(`geometry text worker exited (code ${code})`)));
  }

  /**
   * The rings go as they are: views of the ring store's shared memory are read in place, others copied.
   * `spare` buffers are transferred back to the worker.
   */
  run(seq: number, geometries: (FlatMultiPolygon | null)[], spare: ArrayBuffer[]): Promise<GeometryTextBatch> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.worker.postMessage({ seq, geometries, spare } satisfies GeometryTextRequest, spare);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    await this.worker.terminate();
  }
}

interface Pending {
  first: number;
  count: number;
  vertices: number;
  result: Promise<GeometryTextBatch>;
  worker: TextWorker;
}

/** Geometries asked for once each, in order (e.g. read back from a spill file one by one). */
export interface GeometrySource {
  readonly length: number;
  at(i: number): FlatMultiPolygon | null;
}

/** The JSON text of each geometry of `geometries`, in order (`next()`), made by `threads` (>= 1) workers. */
export class GeometryTexts {
  private readonly geometries: GeometrySource;
  private readonly workers: TextWorker[];
  private readonly pending: Pending[] = [];
  /** the next geometry to submit */
  private submitted = 0;
  private seq = 0;
  private inFlightVertices = 0;
  private current: { batch: GeometryTextBatch; first: number; count: number; worker: TextWorker } | null = null;
  /**
   * Buffers of batches read, per worker, going back to it with its next batch. Why: each batch's buffer is
   * new memory to this thread's heap, and a stream of them (1.4 GB on the benchmark grid) made V8 run a
   * full GC of the whole heap every second of the write step; recycled, a few buffers serve the whole run.
   */
  private readonly spare = new Map<TextWorker, ArrayBuffer[]>();
  /** the next geometry next() gives */
  private cursor = 0;

  constructor(
    geometries: (FlatMultiPolygon | null)[] | GeometrySource,
    threads: number,
    private readonly batchVertices = 1 << 18,
    private readonly aheadVertices = 12e6,
  ) {
    // (without workers the writer makes the texts itself, straight into its chunks: see writeZones)
    if (!(threads >= 1)) throw new RangeError(`geometry texts need at least one worker thread, got ${threads}`);
    this.geometries = Array.isArray(geometries) ? { length: geometries.length, at: (i) => geometries[i] } : geometries;
    this.workers = Array.from({ length: threads }, () => new TextWorker());
    this.topUp();
  }

  /** Submits batches until `aheadVertices` are being made or made and not yet taken. */
  private topUp(): void {
    while (this.submitted < this.geometries.length && this.inFlightVertices < this.aheadVertices) {
      const first = this.submitted;
      let vertices = 0;
      let end = first;
      const batch: (FlatMultiPolygon | null)[] = [];
      while (end < this.geometries.length && (end === first || vertices < this.batchVertices)) {
        const g = this.geometries.at(end);
        batch.push(g);
        vertices += vertexCount(g);
        end++;
      }
      const seq = this.seq++;
      const worker = this.workers[seq % this.workers.length];
      const spare = this.spare.get(worker) ?? [];
      this.spare.set(worker, []);
      const result = worker.run(seq, batch, spare);
      result.catch(() => undefined); // awaited in order by next(); a failure surfaces there
      this.pending.push({ first, count: end - first, vertices, result, worker });
      this.inFlightVertices += vertices;
      this.submitted = end;
    }
  }

  /**
   * The text of the next geometry (null for a zone without one): valid until the next call (its buffer is
   * then written again).
   */
  async next(): Promise<Uint8Array | null> {
    const i = this.cursor++;
    if (i >= this.geometries.length) throw new RangeError("geometry texts: past the last geometry");
    if (!this.current || i >= this.current.first + this.current.count) {
      // the texts given out so far have been copied by the writer: the buffer can be written again
      if (this.current) this.spare.get(this.current.worker)?.push(this.current.batch.bytes.buffer as ArrayBuffer);
      const p = this.pending.shift();
      if (!p) throw new Error("geometry texts: no batch pending");
      this.current = { batch: await p.result, first: p.first, count: p.count, worker: p.worker };
      this.inFlightVertices -= p.vertices;
      this.topUp();
    }
    const { batch, first } = this.current;
    const k = i - first;
    return batch.starts[k] < 0 ? null : batch.bytes.subarray(batch.starts[k], batch.ends[k]);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
