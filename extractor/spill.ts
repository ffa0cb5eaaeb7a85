// Where an extract puts what its memory budget does not hold: one temporary directory a run, removed when the
// run ends — done, failed, or stopped by SIGINT/SIGTERM. A run killed outright (kill -9, the OOM killer) cannot
// remove its own: the next extract removes every directory whose process is gone (its pid is in the name).
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FlatMultiPolygon } from "../core/geometry/flat.ts";
import { childLogger } from "../core/log.ts";

const log = childLogger("spill");

const PREFIX = "cosmo-extract-spill-";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists, it is someone else's
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the spill directories of extracts that died without removing them (their pid no longer runs). */
export function removeStaleSpillDirs(parent = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  if (removed.length > 0) log.info({ removed, parent }, "removed the spill directories of extracts that died");
  return removed;
}

/** A run's spill directory (under TMPDIR): removed by close(), or by SIGINT/SIGTERM before the process ends. */
export class SpillDir {
  readonly path: string;
  private readonly onSignal: (signal: NodeJS.Signals) => void;
  private closed = false;

  constructor(parent = tmpdir()) {
    // A signal ends the process without running the pending finally blocks: remove the files first, then let the
    // signal do what it does by default — unless the process has handlers of its own, which then decide.
    this.onSignal = (signal) => {
      this.close();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    // Listening before the directory exists: a signal between its creation and the listeners would end the process
    // the default way and leave it behind. A handler runs only once this constructor has returned, path set.
    process.once("SIGINT", this.onSignal);
    process.once("SIGTERM", this.onSignal);
    try {
      removeStaleSpillDirs(parent);
      this.path = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
    } catch (err) {
      process.removeListener("SIGINT", this.onSignal);
      process.removeListener("SIGTERM", this.onSignal);
      throw err;
    }
  }

  file(name: string): string {
    return join(this.path, name);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    process.removeListener("SIGINT", this.onSignal);
    process.removeListener("SIGTERM", this.onSignal);
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Where a spilled zone's rings are in the file, and their lengths (in numbers), polygon by polygon. */
interface SpilledShape {
  offset: number;
  numbers: number;
  rings: number[][];
}

/**
 * Zones' rings moved out of memory into one file, appended as zones are spilled and read back by zone id, in
 * any order (in practice the build's order, ids ascending: the file is read mostly front to back). The numbers
 * go to disk as they are (float64), so what comes back is bit for bit what went out. Memory keeps each zone's
 * shape only (its rings' lengths and offset).
 */
export class SpilledGeometries {
  private readonly fd: number;
  private readonly shapes = new Map<number, SpilledShape>();
  /** Bytes of float64 numbers spilled. */
  bytes = 0;
  /** Positions spilled. */
  vertices = 0;

  constructor(private readonly path: string) {
    this.fd = openSync(path, "w+");
  }

  /** Appends the zone's rings; from then on they are the file's, the caller lets go of its own. */
  spill(id: number, geometry: FlatMultiPolygon): void {
    if (this.shapes.has(id)) throw new Error(`SpilledGeometries: zone ${id} spilled twice`);
    const shape: SpilledShape = { offset: this.bytes, numbers: 0, rings: [] };
    for (const polygon of geometry) {
      const lengths: number[] = [];
      for (const ring of polygon) {
        const view = new Uint8Array(ring.buffer, ring.byteOffset, ring.byteLength);
        let done = 0;
        while (done < view.length) done += writeSync(this.fd, view, done, view.length - done, this.bytes + done);
        this.bytes += view.length;
        shape.numbers += ring.length;
        lengths.push(ring.length);
      }
      shape.rings.push(lengths);
    }
    this.vertices += shape.numbers / 2;
    this.shapes.set(id, shape);
  }

  has(id: number): boolean {
    return this.shapes.has(id);
  }

  /** Positions of zone `id`'s rings (0 when not spilled). */
  vertexCount(id: number): number {
    return (this.shapes.get(id)?.numbers ?? 0) / 2;
  }

  /**
   * Zone `id`'s rings read back: one read into one buffer — `into(numbers)` when given (e.g. a RingStore's
   * shared memory for the covers workers), else a new one —, its rings views of it. `forget`: the zone is read
   * for the last time (the write), its shape is let go.
   */
  read(id: number, opts: { into?: (numbers: number) => Float64Array; forget?: boolean } = {}): FlatMultiPolygon {
    const shape = this.shapes.get(id);
    if (!shape) throw new Error(`SpilledGeometries: zone ${id} was not spilled (or was read for the last time)`);
    const all = opts.into ? opts.into(shape.numbers) : new Float64Array(shape.numbers);
    const view = new Uint8Array(all.buffer, all.byteOffset, shape.numbers * 8);
    let done = 0;
    while (done < view.length) {
      const n = readSync(this.fd, view, done, view.length - done, shape.offset + done);
      if (n === 0) throw new Error(`SpilledGeometries: ${this.path} ends early`);
      done += n;
    }
    if (opts.forget) this.shapes.delete(id);
    let at = 0;
    return shape.rings.map((p) =>
      p.map((n) => {
        const ring = all.subarray(at, at + n);
        at += n;
        return ring;
      }),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private closed = false;
}

/**
 * Texts moved out of memory into one file: each appended once, read back by its number, in any order (the page
 * cache keeps a file read soon after it was written). Memory keeps two numbers a text.
 */
export class SpilledTexts {
  private readonly fd: number;
  private offsets: Float64Array = new Float64Array(1024);
  private lengths: Uint32Array = new Uint32Array(1024);
  private count = 0;
  /** Bytes of text spilled. */
  bytes = 0;

  constructor(private readonly path: string) {
    this.fd = openSync(path, "w+");
  }

  /** Appends `text`; returns its number. */
  add(text: string): number {
    const buf = Buffer.from(text, "utf8");
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, this.bytes + done);
    if (this.count === this.offsets.length) {
      const offsets = new Float64Array(this.count * 2);
      offsets.set(this.offsets);
      const lengths = new Uint32Array(this.count * 2);
      lengths.set(this.lengths);
      this.offsets = offsets;
      this.lengths = lengths;
    }
    this.offsets[this.count] = this.bytes;
    this.lengths[this.count] = buf.length;
    this.bytes += buf.length;
    return this.count++;
  }

  get(n: number): string {
    if (n < 0 || n >= this.count) throw new Error(`SpilledTexts: no text ${n} in ${this.path}`);
    const buf = Buffer.allocUnsafe(this.lengths[n]);
    let done = 0;
    while (done < buf.length) {
      const r = readSync(this.fd, buf, done, buf.length - done, this.offsets[n] + done);
      if (r === 0) throw new Error(`SpilledTexts: ${this.path} ends early`);
      done += r;
    }
    return buf.toString("utf8");
  }

  close(): void {
    closeSync(this.fd);
  }
}
