// `cosmo locate` without its arguments: points stream in from the file, go to the database in batches of
// LOCATE_BATCH (a few batches in flight, answered in order), and stream out; memory stays that of the batches
// in flight, whatever the number of points. The first bad row stops the run (exit 2) naming its line, and no
// output file is left behind.
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { type Database, unavailableDatabase } from "../../core/db.ts";
import { CosmoError, EXIT, InputError } from "../../core/errors.ts";
import { mapInOrder } from "../../core/in-order.ts";
import { startProgress } from "../../core/progress.ts";
import { datasetRef, readServed, type ServedRef } from "../../core/serving/served-dataset.ts";
import { ZoneQueries } from "../queries.ts";
import { csvText, inputFormat, openOutput, outputFormat, readPoints } from "./files.ts";
import {
  csvColumns,
  csvLines,
  jsonLines,
  LOCATE_BATCH,
  type LocateOptions,
  locateRanks,
  prepareLocate,
} from "./locate.ts";
import type { LocatePoint } from "./points.ts";

export interface LocateFileOptions extends LocateOptions {
  input: string;
  output: string;
  /** A version number, or "served" (default). */
  dataset?: number | "served";
  progress?: boolean;
  /** Points per batch (default LOCATE_BATCH; tests make it small to cross batch boundaries). */
  batchSize?: number;
}

export interface LocateFileResult {
  points: number;
  located: number;
  dataset: number;
  ms: number;
}

async function resolveDataset(db: Database, dataset: number | "served"): Promise<ServedRef> {
  if (dataset === "served") {
    const ref = await readServed(db.pool);
    if (!ref) throw new CosmoError("no dataset is published yet (see cosmo datasets)", { exitCode: EXIT.unavailable });
    return ref;
  }
  const d = await new ZoneQueries(db.pool).dataset(dataset);
  if (!d?.readable) {
    const why = d ? `is not loaded (status ${d.status})` : "does not exist";
    throw new CosmoError(`--dataset ${dataset}: dataset version ${why} (see cosmo datasets)`, {
      exitCode: EXIT.input,
    });
  }
  return datasetRef(d.ref.version, d.ref.schema);
}

export async function locateFile(db: Database, opts: LocateFileOptions): Promise<LocateFileResult> {
  const t0 = performance.now();
  inputFormat(opts.input);
  const format = outputFormat(opts.output);
  if (resolve(opts.input) === resolve(opts.output))
    throw new InputError("the output would replace the points being read: choose another -o", { file: opts.output });
  const { size } = await stat(opts.input).catch((err: Error) => {
    throw new InputError(`cannot read the points: ${err.message}`, { file: opts.input });
  });
  let ref: ServedRef;
  try {
    ref = await resolveDataset(db, opts.dataset ?? "served");
    await prepareLocate(db.pool, ref, opts.indexDir);
  } catch (err) {
    throw unavailableDatabase(err, db.url);
  }
  const source = readPoints(opts.input);
  const out = openOutput(opts.output);
  const progress = opts.progress === false ? null : startProgress({ label: "locate", unit: "points" });
  // One batch a core in PostgreSQL, and one more: while Node writes a batch's answer and reads the next batch,
  // PostgreSQL still has a batch for each core (with one a core, the core whose batch came back waited for Node).
  const inFlight = Math.max(2, Math.min(availableParallelism() + 1, (db.pool.options.max ?? 10) - 1));
  const batchSize = opts.batchSize ?? LOCATE_BATCH;
  let points = 0;
  let found = 0;
  // the points in batches, read as the batches in flight leave room; a bad row ends them (thrown in its turn)
  async function* batches(): AsyncGenerator<LocatePoint[]> {
    let batch: LocatePoint[] = [];
    for await (const chunk of source.points) {
      for (const { line, point } of chunk) {
        if ("reason" in point) throw new InputError(point.reason, { file: opts.input, line });
        batch.push(point);
        points++;
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length) yield batch;
  }
  // each batch formatted as soon as located, while the next batches are in PostgreSQL
  const locate = (batch: LocatePoint[]) =>
    locateRanks(db.pool, ref, batch, opts).then(
      (located) => (format === "csv" ? csvLines(located, opts) : jsonLines(located, opts)),
      (err) => {
        throw unavailableDatabase(err, db.url);
      },
    );
  try {
    if (format === "csv") await out.write(csvText([csvColumns(opts)]));
    for await (const { result: batch } of mapInOrder(batches(), locate, { concurrency: inFlight, window: inFlight })) {
      await out.write(batch.text);
      found += batch.located;
      progress?.tick(batch.points);
      const read = source.bytesRead();
      if (read > 0) progress?.setTotal(Math.max(points, Math.round((points * size) / read)));
    }
    await out.commit();
  } catch (err) {
    await out.discard();
    throw err;
  } finally {
    progress?.stop();
  }
  return { points, located: found, dataset: ref.version, ms: performance.now() - t0 };
}
