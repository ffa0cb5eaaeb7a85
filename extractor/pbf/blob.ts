// Blob payload handling (fileformat.proto `Blob`): returns the uncompressed block bytes. Runs inside the
// decode workers so inflating — the most expensive step — is parallel too.
import { inflateSync } from "node:zlib";
import { ProtoError, ProtoReader } from "./proto.ts";

/** Compression fields of `Blob` we recognise, to reject the unsupported ones by name. */
const UNSUPPORTED: Record<number, string> = { 4: "lzma", 5: "bzip2", 6: "lz4", 7: "zstd" };

export function blobPayload(blob: Uint8Array): Uint8Array {
  const r = new ProtoReader(blob);
  let rawSize = -1;
  let data: Uint8Array | undefined;
  let zlib = false;
  for (let key = r.key(); key !== 0; key = r.key()) {
    const field = key >>> 3;
    if (field === 1 || field === 3) {
      const start = r.lengthDelimited();
      data = blob.subarray(start, r.pos);
      zlib = field === 3;
    } else if (field === 2) {
      rawSize = r.uint32();
    } else if (UNSUPPORTED[field]) {
      throw new ProtoError(`unsupported blob compression ${UNSUPPORTED[field]} (only zlib and raw are supported)`);
    } else {
      r.skip(key);
    }
  }
  if (!data) throw new ProtoError("blob has no data (neither raw nor zlib_data)");
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
