import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, gunzipSync, inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { OrderedPipeline } from "../ordered-pipeline.ts";
import { ParallelGzip } from "../parallel-gzip.ts";

const dir = mkdtempSync(join(tmpdir(), "parallel-gzip-test-"));

/** Zone-like JSON lines: compressible, with repeats across chunk boundaries. */
function sampleText(bytes: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line = `{"id":${i},"name":"Zone ${i % 97}","label":"Zone ${i % 97}, Canton ${i % 13}, Lëtzebuerg","geometry":[${(6 + i / 1e5).toFixed(7)},${(49 + i / 7e4).toFixed(7)}]}\n`;
    parts.push(line);
    n += Buffer.byteLength(line);
  }
  return Buffer.from(parts.join("")).subarray(0, bytes);
}

async function gzipInChunks(data: Buffer, chunkSizes: number[], level = 6, depth = 3): Promise<Buffer> {
  const out: Buffer[] = [];
  const gz = new ParallelGzip(
    async (b) => {
      out.push(Buffer.from(b));
    },
    { level, depth },
  );
  let pos = 0;
  for (let i = 0; pos < data.length; i++) {
    const size = chunkSizes[i % chunkSizes.length];
    await gz.write(data.subarray(pos, pos + size));
    pos += size;
  }
  await gz.end();
  return Buffer.concat(out);
}

/** The gzip command line tool accepts the file and decompresses it to `data`. */
function checkWithGzipTool(name: string, gz: Buffer, data: Buffer): void {
  const path = join(dir, name);
  writeFileSync(path, gz);
  execFileSync("gzip", ["-t", path]);
  expect(execFileSync("zcat", [path], { maxBuffer: 64 << 20 }).equals(data)).toBe(true);
}

/** One member: a 10-byte header, one deflate stream that ends exactly before the 8-byte trailer. */
function checkOneMember(gz: Buffer, data: Buffer): void {
  expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
  const body = gz.subarray(10, gz.length - 8);
  expect(inflateRawSync(body).equals(data)).toBe(true);
  expect(gz.readUInt32LE(gz.length - 8)).toBe(crc32(data));
  expect(gz.readUInt32LE(gz.length - 4)).toBe(data.length);
}

describe("ParallelGzip", () => {
  it("empty input", async () => {
    const gz = await gzipInChunks(Buffer.alloc(0), [1024]);
    expect(gunzipSync(gz).length).toBe(0);
    checkOneMember(gz, Buffer.alloc(0));
    checkWithGzipTool("empty.gz", gz, Buffer.alloc(0));
  });

  it("one chunk", async () => {
    const data = sampleText(50_000);
    const gz = await gzipInChunks(data, [1 << 20], 1);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    checkOneMember(gz, data);
    checkWithGzipTool("one.gz", gz, data);
  });

  it("many chunks of uneven sizes (smaller and larger than the 32 KiB window)", async () => {
    const data = sampleText(3_000_000);
    const gz = await gzipInChunks(data, [100_000, 7, 40_000, 1, 32 * 1024, 250_000, 5_000], 1, 4);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    checkOneMember(gz, data);
    checkWithGzipTool("many.gz", gz, data);
    // Priming each chunk with the previous one's end keeps the size of a one-piece gzip at the same level.
    const whole = await gzipInChunks(data, [data.length], 1);
    expect(gz.length).toBeLessThan(whole.length * 1.02);
  });

  it("incompressible input, default level", async () => {
    const data = Buffer.alloc(600_000);
    for (let i = 0, s = 1; i < data.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      data[i] = s >>> 24;
    }
    const gz = await gzipInChunks(data, [65_536]);
    checkOneMember(gz, data);
    checkWithGzipTool("random.gz", gz, data);
  });

  it("a failing sink fails write() or end(), and the failure is not lost", async () => {
    let calls = 0;
    const gz = new ParallelGzip(
      async () => {
        if (++calls === 3) throw new Error("disk full");
      },
      { level: 1, depth: 2 },
    );
    const data = sampleText(400_000);
    const attempt = async () => {
      for (let i = 0; i < data.length; i += 50_000) await gz.write(data.subarray(i, i + 50_000));
      await gz.end();
    };
    await expect(attempt()).rejects.toThrow("disk full");
  });
});

describe("OrderedPipeline", () => {
  it("delivers in push order whatever order the transforms finish in, with at most `depth` in the pipeline", async () => {
    const delivered: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const pipeline = new OrderedPipeline(
      async (chunk) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // later chunks often finish first
        await new Promise((r) => setTimeout(r, (7 - (chunk[0] % 7)) * 2));
        inFlight--;
        return chunk;
      },
      async (chunk) => {
        delivered.push(chunk[0]);
      },
      3,
    );
    for (let i = 0; i < 40; i++) await pipeline.push(Buffer.from([i]));
    await pipeline.finish();
    expect(delivered).toEqual([...Array(40).keys()]);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });

  it("pushes not awaited one by one all complete, in order", async () => {
    const delivered: number[] = [];
    const pipeline = new OrderedPipeline(
      async (chunk) => chunk,
      async (chunk) => {
        await new Promise((r) => setTimeout(r, 1));
        delivered.push(chunk[0]);
      },
      2,
    );
    await Promise.all([...Array(10).keys()].map((i) => pipeline.push(Buffer.from([i]))));
    await pipeline.finish();
    expect(delivered).toEqual([...Array(10).keys()]);
  });

  it("a failed transform fails the next push or finish", async () => {
    const pipeline = new OrderedPipeline(
      async (chunk) => {
        if (chunk[0] === 2) throw new Error("bad chunk");
        return chunk;
      },
      async () => {},
      8,
    );
    const attempt = async () => {
      for (let i = 0; i < 5; i++) await pipeline.push(Buffer.from([i]));
      await pipeline.finish();
    };
    await expect(attempt()).rejects.toThrow("bad chunk");
  });
});
