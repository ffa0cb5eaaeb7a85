// The one statement of how long a view into a reused buffer stays valid, for every fast path that reuses
// buffers instead of allocating new ones (a steady stream of new MB-sized buffers made V8 run full collections):
//
//   A buffer handed out by a reusing producer stays valid until the consumer hands it back: by asking for the
//   next chunk (the file read into two buffers, readInTwoBuffers below), by recycle() after the bytes were
//   written out (the COPY slabs, importer/copy-binary.ts; the writer's text chunks, json-bytes.ts). From then on
//   it is written over, possibly at once and from another thread (a file read runs in libuv's thread pool), so
//   any view kept past that point (a subarray, a Buffer built on its ArrayBuffer) reads other bytes. Whatever
//   must outlive it is copied first: keepPastChunk() below. The same holds for the arrays a parser reuses from
//   one call to the next (the load's zone parser, multipolygon-text.ts and zone-text.ts, whose flat rings are
//   views into one reused array): their views last until the next call.
//
// Every producer calls poisonRecycled() on a buffer the moment it is handed back. Tests switch the poison on
// (setRecycledPoison) so that a view kept too long reads garbage deterministically instead of by timing.
import { type FileHandle, open as openFile } from "node:fs/promises";

/** Byte written over handed-back buffers when the poison is on: 0x01 is never valid JSON outside strings. */
export const POISON_BYTE = 0x01;

let poison = false;

/** Tests: write POISON_BYTE over every buffer as soon as it is handed back (see the module comment). */
export function setRecycledPoison(on: boolean): void {
  poison = on;
}

/** Called by every reusing producer with a buffer the moment it is handed back, before it is written over. */
export function poisonRecycled(buffer: Uint8Array): void {
  if (poison) buffer.fill(POISON_BYTE);
}

/**
 * `view` (part of a chunk whose buffer is reused when `recycled`), kept past the chunk: copied if the buffer
 * will be written over, as is otherwise (the chunk is the consumer's for good).
 */
export function keepPastChunk(view: Buffer, recycled: boolean): Buffer {
  return recycled ? Buffer.from(view) : view;
}

/** Size of the file reads of readInTwoBuffers. */
export const READ_SIZE = 1 << 20;

/**
 * A local file's bytes, read into two buffers by turns: the next read runs while the consumer goes through the
 * chunk it was given; that chunk is handed back (and read into) when the consumer asks for the one after.
 * `fail` turns an open or read error into the error to throw.
 */
export async function* readInTwoBuffers(
  path: string | URL,
  fail: (e: unknown) => Error,
  onBytes?: (n: number) => void,
): AsyncGenerator<Buffer> {
  let file: FileHandle;
  try {
    file = await openFile(path, "r");
  } catch (e) {
    throw fail(e);
  }
  const buffers = [Buffer.allocUnsafe(READ_SIZE), Buffer.allocUnsafe(READ_SIZE)];
  const read = (b: Buffer) =>
    file.read(b, 0, b.length, null).catch((e: unknown) => {
      throw fail(e);
    });
  try {
    let turn = 0;
    let next = read(buffers[0]);
    for (;;) {
      const { bytesRead } = await next;
      if (bytesRead === 0) return;
      onBytes?.(bytesRead);
      const chunk = buffers[turn].subarray(0, bytesRead);
      turn = 1 - turn;
      // the buffer read into now is the chunk handed out before this one: the consumer has just handed it back
      poisonRecycled(buffers[turn]);
      next = read(buffers[turn]);
      yield chunk;
    }
  } finally {
    await file.close();
  }
}
