import { describe, expect, it } from "vitest";
import { FRAME_MS, frameFigures } from "../frames.ts";

describe("frameFigures", () => {
  it("counts no drop for steady 60 Hz frames", () => {
    const times = Array.from({ length: 61 }, (_, i) => i * FRAME_MS);
    expect(frameFigures(times)).toMatchObject({ frames: 60, dropped: 0 });
    expect(frameFigures(times).fps).toBeCloseTo(60, 6);
  });

  it("counts one dropped frame per missed period, none for a small jitter", () => {
    // Intervals: one period, 1.4 periods (jitter), 2 periods (1 dropped), 3 periods (2 dropped).
    const steps = [1, 1.4, 2, 3].map((k) => k * FRAME_MS);
    const times = [0];
    for (const ms of steps) times.push(times[times.length - 1] + ms);
    const f = frameFigures(times);
    expect(f.dropped).toBe(3);
    expect(f.longestMs).toBeCloseTo(3 * FRAME_MS, 9);
    expect(f.frames).toBe(4);
  });

  it("gives zeros for fewer than two frames", () => {
    expect(frameFigures([5])).toEqual({ frames: 0, fps: 0, dropped: 0, longestMs: 0, p95Ms: 0 });
  });
});
