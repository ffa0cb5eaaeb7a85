// The COPY encoder's slab reuse (copy-binary.ts recycle()), which the load relies on to spare garbage collections.
import { describe, expect, it } from "vitest";
import type { Position, Zone } from "../../core/cosmogony/model.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { BinaryCopyEncoder } from "../copy-binary.ts";

/** A zone whose geometry makes about `points` positions (~32 bytes of EWKB each, twice). */
function bigZone(points: number, id: number): Zone {
  const base = sampleZones().find((z) => z.geometry) as Zone;
  const ring: Position[] = [];
  for (let k = 0; k < points - 1; k++) ring.push([Math.cos(k) * 10 + id, Math.sin(k) * 10]);
  ring.push(ring[0]);
  return { ...base, id, geometry: { type: "MultiPolygon", coordinates: [[ring]] } };
}

describe("BinaryCopyEncoder slabs", () => {
  // 60 zones of 40,000 positions: ~77 MB of rows, several 8 MB slabs
  const zones = Array.from({ length: 60 }, (_, k) => bigZone(40000, k + 1));

  function run(recycle: boolean): { chunks: Buffer[]; copies: Buffer[] } {
    const encoder = new BinaryCopyEncoder();
    const chunks: Buffer[] = [];
    const copies: Buffer[] = [];
    const keep = (chunk: Buffer) => {
      chunks.push(chunk);
      copies.push(Buffer.from(chunk));
      if (recycle) encoder.recycle();
    };
    for (const z of zones) {
      encoder.addZone(z);
      const chunk = encoder.take();
      if (chunk) keep(chunk);
    }
    keep(encoder.finish());
    return { chunks, copies };
  }

  it("never writes over a chunk it handed out unless told it was written out", () => {
    const { chunks, copies } = run(false);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBeGreaterThan(3);
    expect(chunks.every((c, k) => c.equals(copies[k]))).toBe(true);
  });

  it("reuses the slabs of chunks written out, and the stream stays the same", () => {
    const plain = run(false);
    const recycled = run(true);
    expect(Buffer.concat(recycled.copies).equals(Buffer.concat(plain.copies))).toBe(true);
    // fewer distinct slabs: the old chunks' bytes were written over (they had been "written out")
    const slabs = new Set(recycled.chunks.map((c) => c.buffer)).size;
    expect(slabs).toBeLessThan(new Set(plain.chunks.map((c) => c.buffer)).size);
    expect(recycled.chunks.some((c, k) => !c.equals(recycled.copies[k]))).toBe(true);
  });
});
