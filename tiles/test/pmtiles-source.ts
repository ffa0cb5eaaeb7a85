// A pmtiles `Source` over a local archive: range reads as a static host answers them (the file is read once,
// since the tests read every tile).
import { readFile } from "node:fs/promises";
import type { RangeResponse, Source } from "pmtiles";

export class FileSource implements Source {
  private bytes: Buffer | null = null;
  constructor(private readonly path: string) {}
  getKey(): string {
    return this.path;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    this.bytes ??= await readFile(this.path);
    const data = this.bytes.subarray(offset, offset + length);
    return { data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer };
  }
}
