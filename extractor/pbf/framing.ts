// File framing (fileformat.proto): a sequence of [int32 BE header length][BlobHeader][Blob]. Read with
// positioned reads, one blob at a time, so memory stays bounded whatever the file size; blobs a pass does
// not need (see BlobIndex) are skipped without reading their data.
import { open } from "node:fs/promises";
import { PbfError } from "./errors.ts";
import { ProtoError, ProtoReader } from "./proto.ts";

/** BlobHeader's field keys: (field number << 3) | wire type (see WireType in proto.ts). */
enum BlobHeaderKey {
  Type = (1 << 3) | 2,
  Datasize = 3 << 3,
}

/** Limits from the PBF specification. */
const MAX_HEADER = 64 * 1024;
const MAX_BLOB = 32 * 1024 * 1024;

export interface RawBlob {
  seq: number;
  /** Byte offset of the blob's 4-byte length prefix in the file. */
  offset: number;
  /** Offset just past this blob. */
  end: number;
  type: string;
  /** The serialized Blob message, in its own ArrayBuffer (transferable); null when skipped. */
  data: Uint8Array | null;
}

/** Where a blob lies in its file and what its header says. */
export interface BlobFrame {
  offset: number;
  /** Offset of the Blob message, past the length prefix and the header. */
  dataPos: number;
  end: number;
  type: string;
}

export interface FramingOptions {
  /** Return true to skip the data of blob number `seq` (its header is validated when its frame is not known). */
  skip?: (seq: number) => boolean;
  /**
   * The frames of the file's blobs by seq, as earlier reads of the same (unchanged) file found them, filled in as
   * this read finds more: a blob whose frame is known is not asked its length and header again. A pass wanting a
   * few ids skips most blobs, and those two reads a blob made every batch of relations re-read the whole file's
   * headers.
   */
  frames?: BlobFrame[];
}

export async function* readBlobs(file: string, opts: FramingOptions = {}): AsyncGenerator<RawBlob> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, "r");
  } catch (e) {
    throw new PbfError(file, 0, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = (await fh.stat()).size;
    if (size === 0) throw new PbfError(file, 0, "not an OSM PBF file: the file is empty");
    let pos = 0;
    for (let seq = 0; pos < size; seq++) {
      const offset = pos;
      const fail = (msg: string): never => {
        throw new PbfError(file, offset, msg);
      };
      let frame = opts.frames?.[seq];
      if (frame?.offset !== offset) {
        frame = await readFrame(fh, size, seq, offset, fail);
        if (opts.frames) opts.frames[seq] = frame;
      }
      const { dataPos, end } = frame;
      let data: Uint8Array | null = null;
      if (!opts.skip?.(seq)) {
        // allocUnsafeSlow: an ArrayBuffer of its own (not the shared pool), so it can be transferred.
        data = Buffer.allocUnsafeSlow(end - dataPos);
        await readExactly(fh, data, dataPos).catch((e: Error) => fail(e.message));
      }
      yield { seq, offset, end, type: frame.type, data };
      pos = end;
    }
  } finally {
    await fh.close();
  }
}

/** The frame of the blob at `offset`, its length prefix and header read and checked. */
async function readFrame(
  fh: Awaited<ReturnType<typeof open>>,
  size: number,
  seq: number,
  pos: number,
  fail: (msg: string) => never,
): Promise<BlobFrame> {
  const notPbf = seq === 0 ? "not an OSM PBF file: " : "";
  if (size - pos < 4) fail(`${notPbf}truncated file: ${size - pos} trailing bytes where a blob should start`);
  const lenBuf = Buffer.alloc(4);
  await readExactly(fh, lenBuf, pos).catch((e: Error) => fail(e.message));
  const headerLen = lenBuf.readUInt32BE(0);
  if (headerLen === 0 || headerLen > MAX_HEADER) fail(`${notPbf}invalid blob header length ${headerLen}`);
  if (pos + 4 + headerLen > size) fail(`${notPbf}truncated file: blob header runs past the end (${size} bytes)`);
  const headerBuf = Buffer.alloc(headerLen);
  await readExactly(fh, headerBuf, pos + 4).catch((e: Error) => fail(e.message));
  let header: { type: string; datasize: number };
  try {
    header = parseBlobHeader(headerBuf);
  } catch (e) {
    return fail(`${notPbf}corrupt blob header: ${(e as Error).message}`);
  }
  if (seq === 0 && header.type !== "OSMHeader") fail(`${notPbf}first blob is "${header.type}", expected OSMHeader`);
  if (header.datasize > MAX_BLOB) fail(`${notPbf}blob size ${header.datasize} exceeds the 32 MiB limit`);
  const dataPos = pos + 4 + headerLen;
  const end = dataPos + header.datasize;
  if (end > size) fail(`truncated file: blob of ${header.datasize} bytes runs past the end (${size} bytes)`);
  return { offset: pos, dataPos, end, type: header.type };
}

async function readExactly(fh: Awaited<ReturnType<typeof open>>, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(buf, done, buf.length - done, position + done));
    } catch (e) {
      throw new ProtoError(`read error: ${(e as Error).message}`);
    }
    if (bytesRead === 0) throw new ProtoError("unexpected end of file");
    done += bytesRead;
  }
}

function parseBlobHeader(buf: Uint8Array): { type: string; datasize: number } {
  const r = new ProtoReader(buf);
  let type: string | undefined;
  let datasize = -1;
  for (let key = r.key(); key !== 0; key = r.key()) {
    if (key === BlobHeaderKey.Type) type = r.string();
    else if (key === BlobHeaderKey.Datasize) datasize = r.uint32();
    else r.skip(key); // indexdata (2)
  }
  if (type === undefined) throw new ProtoError("no type");
  if (datasize < 0) throw new ProtoError("no datasize");
  return { type, datasize };
}
