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

/**
 * The inflated size of a Blob message's block (its raw_size, or the length of raw data), read without inflating
 * anything; -1 when the blob does not say. A pass knows from it, before decoding, at most how many elements of
 * any kind the block can hold (each takes at least a byte).
 */
export function blobRawSize(blob: Uint8Array): number {
  try {
    const r = new ProtoReader(blob);
    for (let key = r.key(); key !== 0; key = r.key()) {
      const field = key >>> 3;
      if (field === BlobField.RawSize) return r.uint32();
      if (field === BlobField.Raw) {
        const start = r.lengthDelimited();
        return r.pos - start;
      }
      r.skip(key);
    }
  } catch {
    // a corrupt blob: the pass decoding it reports it
  }
  return -1;
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
/** Way's and Node's id field key: (1 << 3) | varint. */
const ELEMENT_ID_KEY = 1 << 3;
/** DenseNodes' packed ids field key: (1 << 3) | length-delimited. */
const DENSE_IDS_KEY = (1 << 3) | 2;
/** StringTable's string field key: (1 << 3) | length-delimited. */
const STRING_KEY = (1 << 3) | 2;

/**
 * What the beginning of a blob tells: its first group's kind, the id of that group's first element (ways and
 * nodes), and which of the keys asked about its string table holds.
 */
export interface FirstGroup {
  /** block.ts KIND_*; 0 when it cannot tell. */
  kinds: number;
  /** Id of the first group's first element when it holds ways or nodes (else NaN). */
  firstId: number;
  /**
   * Bit i set: the block's string table holds `keys[i]` (firstGroup's argument). A block whose table lacks a
   * key has no element tagged with it. All bits set when it cannot tell.
   */
  keysFound: number;
}

const unknown = (): FirstGroup => ({ kinds: 0, firstId: Number.NaN, keysFound: -1 });

/**
 * The element kind of an OSMData blob's first PrimitiveGroup (block.ts KIND_*), its first way's or node's id,
 * and which of `keys` (UTF-8, at most 31) its string table holds, inflating only the beginning of the blob (the
 * string table and the group's first bytes); kinds 0 when it cannot tell (no group, changesets, corrupt data:
 * the caller then decodes the blob in full and reports errors there).
 */
export function firstGroup(blob: Uint8Array, keys: Uint8Array[] = []): FirstGroup {
  try {
    const { data, zlib } = blobData(blob);
    if (!zlib) return groupAt(data, true, keys) ?? unknown();
    for (let input = 4096; ; input *= 4) {
      const whole = input >= data.length;
      const prefix = inflateSync(data.subarray(0, input), { finishFlush: constants.Z_SYNC_FLUSH });
      const group = groupAt(prefix, whole, keys);
      if (group !== NEED_MORE) return group;
      if (whole) return unknown();
    }
  } catch {
    return unknown();
  }
}

/** Bit i set when the string table (the reader positioned on its bytes) holds keys[i]. */
function keysInTable(r: ProtoReader, keys: Uint8Array[]): number {
  let found = 0;
  const buf = r.buf;
  for (let key = r.key(); key !== 0; key = r.key()) {
    if (key !== STRING_KEY) {
      r.skip(key);
      continue;
    }
    const start = r.lengthDelimited();
    const length = r.pos - start;
    for (let k = 0; k < keys.length; k++) {
      const want = keys[k];
      if (want.length !== length || found & (1 << k)) continue;
      let same = true;
      for (let j = 0; j < length; j++) {
        if (buf[start + j] !== want[j]) {
          same = false;
          break;
        }
      }
      if (same) found |= 1 << k;
    }
  }
  return found;
}

/** The first group of (a prefix of) a PrimitiveBlock; NEED_MORE when the prefix ends too soon. */
function groupAt(block: Uint8Array, complete: boolean, keys: Uint8Array[]): FirstGroup | typeof NEED_MORE {
  const r = new ProtoReader(block);
  let keysFound = -1;
  try {
    for (let key = r.key(); key !== 0; key = r.key()) {
      if (key === PrimitiveBlockKey.StringTable) {
        const start = r.lengthDelimited();
        keysFound = keysInTable(new ProtoReader(block, start, r.pos), keys);
        continue;
      }
      if (key !== PrimitiveBlockKey.PrimitiveGroup) {
        r.skip(key); // the scalar fields
        continue;
      }
      const len = r.uint32();
      if (len === 0) continue; // an empty group
      if (r.pos >= block.length) return complete ? unknown() : NEED_MORE;
      const field = r.key() >>> 3;
      const kinds = GROUP_KINDS[field] ?? 0;
      if (kinds === 0 || kinds === KIND_RELATION) return { kinds, firstId: Number.NaN, keysFound };
      r.uint32(); // the first Way's, Node's or the DenseNodes' length
      if (r.pos >= block.length) return complete ? unknown() : NEED_MORE;
      const elementKey = r.key();
      let firstId = Number.NaN;
      if (field === GroupField.Ways && elementKey === ELEMENT_ID_KEY) firstId = r.int64();
      else if (field === GroupField.Nodes && elementKey === ELEMENT_ID_KEY) firstId = r.sint64();
      else if (field === GroupField.DenseNodes && elementKey === DENSE_IDS_KEY) {
        r.uint32(); // the packed ids' length; the first id is not delta-coded
        firstId = r.sint64();
      }
      if (r.pos > block.length) return complete ? unknown() : NEED_MORE;
      return { kinds, firstId, keysFound };
    }
    return unknown();
  } catch (e) {
    if (complete || !(e instanceof ProtoError)) return unknown();
    return NEED_MORE;
  }
}
