// Blob payload handling (fileformat.proto `Blob`): returns the uncompressed block bytes. Runs inside the
// decode workers so inflating — the most expensive step — is parallel too.
import { constants, inflateSync } from "node:zlib";
import { GroupField, KIND_NODE, KIND_RELATION, KIND_WAY, PrimitiveBlockKey } from "./block.ts";
import { ProtoError, ProtoReader } from "./proto.ts";

/** Blob's fields by number: the payload is in exactly one of the *Data fields. */
enum BlobField {
  Raw = 1,
  RawSize = 2,
  ZlibData = 3,
  LzmaData = 4,
  Bzip2Data = 5,
  Lz4Data = 6,
  ZstdData = 7,
}

/** Compression fields of `Blob` we recognise, to reject the unsupported ones by name. */
const UNSUPPORTED: Record<number, string> = {
  [BlobField.LzmaData]: "lzma",
  [BlobField.Bzip2Data]: "bzip2",
  [BlobField.Lz4Data]: "lz4",
  [BlobField.ZstdData]: "zstd",
};

/** The compressed or raw block bytes of a Blob message, and its declared raw size (-1: absent). */
function blobData(blob: Uint8Array): { data: Uint8Array; zlib: boolean; rawSize: number } {
  const r = new ProtoReader(blob);
  let rawSize = -1;
  let data: Uint8Array | undefined;
  let zlib = false;
  for (let key = r.key(); key !== 0; key = r.key()) {
    const field = key >>> 3;
    if (field === BlobField.Raw || field === BlobField.ZlibData) {
      const start = r.lengthDelimited();
      data = blob.subarray(start, r.pos);
      zlib = field === BlobField.ZlibData;
    } else if (field === BlobField.RawSize) {
      rawSize = r.uint32();
    } else if (UNSUPPORTED[field]) {
      throw new ProtoError(`unsupported blob compression ${UNSUPPORTED[field]} (only zlib and raw are supported)`);
    } else {
      r.skip(key);
    }
  }
  if (!data) throw new ProtoError("blob has no data (neither raw nor zlib_data)");
  return { data, zlib, rawSize };
}

export function blobPayload(blob: Uint8Array): Uint8Array {
  const { data, zlib, rawSize } = blobData(blob);
  if (!zlib) return data;
  let out: Buffer;
  try {
    out = inflateSync(data, rawSize > 0 ? { maxOutputLength: rawSize } : {});
  } catch (e) {
    throw new ProtoError(`invalid zlib data (${(e as Error).message})`);
  }
  if (rawSize >= 0 && out.length !== rawSize) {
    throw new ProtoError(`zlib data inflates to ${out.length} bytes, header says ${rawSize}`);
  }
  return out;
}

/** Element kinds (block.ts KIND_*) by PrimitiveGroup field. */
const GROUP_KINDS: Record<number, number> = {
  [GroupField.Nodes]: KIND_NODE,
  [GroupField.DenseNodes]: KIND_NODE,
  [GroupField.Ways]: KIND_WAY,
  [GroupField.Relations]: KIND_RELATION,
};
const NEED_MORE = null;
/** Way's id field key: (1 << 3) | varint. */
const WAY_ID_KEY = 1 << 3;

/** What the beginning of a blob tells: its first group's kind, and the first way's id when that group is ways. */
export interface FirstGroup {
  /** block.ts KIND_*; 0 when it cannot tell. */
  kinds: number;
  /** NaN unless the first group holds ways. */
  firstWayId: number;
}

const UNKNOWN: FirstGroup = { kinds: 0, firstWayId: Number.NaN };

/**
 * The element kind of an OSMData blob's first PrimitiveGroup (block.ts KIND_*), and its first way's id when it
 * holds ways, inflating only the beginning of the blob (the string table and the group's first bytes); kinds 0
 * when it cannot tell (no group, changesets, corrupt data: the caller then decodes the blob in full and reports
 * errors there).
 */
export function firstGroup(blob: Uint8Array): FirstGroup {
  try {
    const { data, zlib } = blobData(blob);
    if (!zlib) return groupAt(data, true) ?? UNKNOWN;
    for (let input = 4096; ; input *= 4) {
      const whole = input >= data.length;
      const prefix = inflateSync(data.subarray(0, input), { finishFlush: constants.Z_SYNC_FLUSH });
      const group = groupAt(prefix, whole);
      if (group !== NEED_MORE) return group;
      if (whole) return UNKNOWN;
    }
  } catch {
    return UNKNOWN;
  }
}

/** The first group of (a prefix of) a PrimitiveBlock; NEED_MORE when the prefix ends too soon. */
function groupAt(block: Uint8Array, complete: boolean): FirstGroup | typeof NEED_MORE {
  const r = new ProtoReader(block);
  try {
    for (let key = r.key(); key !== 0; key = r.key()) {
      if (key !== PrimitiveBlockKey.PrimitiveGroup) {
        r.skip(key); // the string table (1) and the scalar fields
        continue;
      }
      const len = r.uint32();
      if (len === 0) continue; // an empty group
      if (r.pos >= block.length) return complete ? UNKNOWN : NEED_MORE;
      const field = r.key() >>> 3;
      const kinds = GROUP_KINDS[field] ?? 0;
      if (field !== GroupField.Ways) return { kinds, firstWayId: Number.NaN };
      r.uint32(); // the first Way's length
      if (r.pos >= block.length) return complete ? UNKNOWN : NEED_MORE;
      const wayKey = r.key();
      return { kinds, firstWayId: wayKey === WAY_ID_KEY ? r.int64() : Number.NaN };
    }
    return UNKNOWN;
  } catch (e) {
    if (complete || !(e instanceof ProtoError)) return UNKNOWN;
    return NEED_MORE;
  }
}
