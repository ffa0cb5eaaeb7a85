// What a decode worker does with one blob (also called in-thread when threads = 0).
import { blobPayload, firstGroup } from "./blob.ts";
import { type BlockFilter, type BlockResult, decodeBlock, wantedKinds } from "./block.ts";
import { ProtoError, ProtoReader } from "./proto.ts";

/** HeaderBlock's field keys: (field number << 3) | wire type (see WireType in proto.ts). */
enum HeaderBlockKey {
  RequiredFeatures = (4 << 3) | 2,
  OptionalFeatures = (5 << 3) | 2,
}

/** The optional feature of a file whose elements are sorted by type, then id (what osmium writes). */
const SORTED_FEATURE = "Sort.Type_then_ID";

/** Features this decoder implements; a file requiring anything else is refused, as the spec demands. */
const SUPPORTED_FEATURES = new Set(["OsmSchema-V0.6", "DenseNodes"]);

export type BlobOutcome =
  | { kind: "data"; result: BlockResult }
  | { kind: "header"; requiredFeatures: string[]; sorted: boolean }
  /**
   * Not decoded: its first group holds `kinds`, which the pass does not want (see Pass.singleKindBlocks); the
   * id of that group's first way or node (else NaN), and which of the pass's peekKeys its string table holds.
   */
  | { kind: "guessed"; kinds: number; firstId: number; keysFound: number }
  | { kind: "ignored" };

/** peek: look at the first group first and skip the blob if its kind is not wanted. */
export function processBlob(type: string, blob: Uint8Array, filter: BlockFilter, peek = false): BlobOutcome {
  if (type === "OSMData" && peek) {
    const { kinds, firstId, keysFound } = firstGroup(blob, encodedKeys(filter.peekKeys));
    if (kinds !== 0 && (kinds & wantedKinds(filter)) === 0) return { kind: "guessed", kinds, firstId, keysFound };
  }
  if (type === "OSMData") return { kind: "data", result: decodeBlock(blobPayload(blob), filter) };
  if (type === "OSMHeader") {
    const { requiredFeatures, optionalFeatures } = readFeatures(blobPayload(blob));
    const missing = requiredFeatures.filter((f) => !SUPPORTED_FEATURES.has(f));
    if (missing.length) throw new ProtoError(`file requires unsupported feature(s): ${missing.join(", ")}`);
    return { kind: "header", requiredFeatures, sorted: optionalFeatures.includes(SORTED_FEATURE) };
  }
  return { kind: "ignored" }; // unknown blob types are to be skipped (fileformat spec)
}

const encoder = new TextEncoder();
let lastKeys: { keys: string[] | null | undefined; bytes: Uint8Array[] } = { keys: null, bytes: [] };

/** The peek keys as UTF-8, encoded once per pass (a worker serves one pass at a time). */
function encodedKeys(keys: string[] | null | undefined): Uint8Array[] {
  if (lastKeys.keys !== keys) lastKeys = { keys, bytes: (keys ?? []).map((k) => encoder.encode(k)) };
  return lastKeys.bytes;
}

function readFeatures(buf: Uint8Array): { requiredFeatures: string[]; optionalFeatures: string[] } {
  const r = new ProtoReader(buf);
  const requiredFeatures: string[] = [];
  const optionalFeatures: string[] = [];
  for (let key = r.key(); key !== 0; key = r.key()) {
    if (key === HeaderBlockKey.RequiredFeatures) requiredFeatures.push(r.string());
    else if (key === HeaderBlockKey.OptionalFeatures) optionalFeatures.push(r.string());
    else r.skip(key);
  }
  return { requiredFeatures, optionalFeatures };
}

/** Typed-array buffers of a result, to transfer rather than copy them back to the main thread. */
export function transferables(outcome: BlobOutcome): ArrayBuffer[] {
  if (outcome.kind !== "data") return [];
  const r = outcome.result;
  const w = r.ways;
  const rel = r.relations;
  const all = [r.coordIds, r.coordLon, r.coordLat, w.ids, w.ends, w.refs, rel.ids, rel.ends, rel.refs, rel.types];
  // Empty batches share one constant instance: never transfer (detach) those.
  return all.filter((a) => a.length > 0).map((a) => a.buffer as ArrayBuffer);
}
