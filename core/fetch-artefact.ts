// `cosmo store fetch`: copy a source (http(s) URL, s3:// URL or local path) into the artefact store, hashing it
// on the way. For http(s) sources the origin's validators (ETag, Last-Modified) are kept in a small record next
// to the copy (`<target>.source.json`); the next fetch of the same source sends them back (If-None-Match,
// If-Modified-Since) and a 304 answer keeps the copy without downloading the planet file again.
import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { z } from "zod";
import { CosmoError, EXIT, InputError } from "./errors.ts";
import type { ArtefactStore } from "./storage.ts";

export interface FetchSummary {
  url: string;
  sha256: string;
  etag: string;
  size: number;
  /** True when the origin answered 304 Not Modified and the stored copy was kept. */
  unchanged: boolean;
}

/** What is remembered of the origin next to the copy. */
const SourceRecordSchema = z.object({
  source: z.string(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  sha256: z.string(),
  /** The stored copy's own etag when the record was written: a copy replaced since then is not trusted. */
  storedEtag: z.string(),
});
type SourceRecord = z.infer<typeof SourceRecordSchema>;

export function sourceRecordUrl(target: string): string {
  return `${target}.source.json`;
}

async function readSourceRecord(store: ArtefactStore, target: string): Promise<SourceRecord | null> {
  try {
    const parsed = SourceRecordSchema.safeParse(
      JSON.parse((await store.getBuffer(sourceRecordUrl(target))).toString("utf8")),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // absent or unreadable: download again
  }
}

/** Conditional request headers from a record of the same source whose copy is still the one stored. */
async function validators(store: ArtefactStore, source: string, target: string): Promise<SourceRecord | null> {
  const record = await readSourceRecord(store, target);
  if (!record || record.source !== source || (!record.etag && !record.lastModified)) return null;
  const stored = await store.stat(target);
  return stored && stored.etag === record.storedEtag ? record : null;
}

function hashingPassThrough(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

async function store(
  artefacts: ArtefactStore,
  input: Readable,
  target: string,
): Promise<{ sha256: string; etag: string; size: number }> {
  const hash = createHash("sha256");
  const hashing = hashingPassThrough(hash);
  input.on("error", (err) => hashing.destroy(err));
  const { etag } = await artefacts.put(target, input.pipe(hashing));
  const info = await artefacts.stat(target);
  return { sha256: hash.digest("hex"), etag, size: info?.size ?? 0 };
}

export async function fetchArtefact(artefacts: ArtefactStore, source: string, target: string): Promise<FetchSummary> {
  if (!/^https?:\/\//.test(source)) {
    const copied = await store(artefacts, await artefacts.get(source), target);
    return { url: target, ...copied, unchanged: false };
  }
  const known = await validators(artefacts, source, target);
  const headers: Record<string, string> = {};
  if (known?.etag) headers["if-none-match"] = known.etag;
  if (known?.lastModified) headers["if-modified-since"] = known.lastModified;
  // A busy or unreachable mirror is transient (exit 5: the pipeline retries it); any other answer is bad input.
  const res = await fetch(source, { headers }).catch((err: Error) => {
    throw new CosmoError(`download failed: ${source}: ${(err.cause as Error)?.message ?? err.message}`, {
      exitCode: EXIT.unavailable,
      cause: err,
    });
  });
  if (res.status === 304 && known) {
    await res.body?.cancel();
    const stored = await artefacts.stat(target);
    if (stored) return { url: target, sha256: known.sha256, etag: stored.etag, size: stored.size, unchanged: true };
  }
  if (res.status >= 500 || res.status === 408 || res.status === 429)
    throw new CosmoError(`download failed: ${source}: HTTP ${res.status} (the server is unavailable)`, {
      exitCode: EXIT.unavailable,
    });
  if (!res.ok || !res.body) throw new InputError(`download failed: HTTP ${res.status}`, { file: source });
  const copied = await store(artefacts, Readable.fromWeb(res.body as WebReadableStream), target);
  const record: SourceRecord = {
    source,
    etag: res.headers.get("etag"),
    lastModified: res.headers.get("last-modified"),
    sha256: copied.sha256,
    storedEtag: copied.etag,
  };
  await artefacts.put(sourceRecordUrl(target), JSON.stringify(record), { contentType: "application/json" });
  return { url: target, ...copied, unchanged: false };
}
