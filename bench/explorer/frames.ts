// Frame figures of the explorer bench (run.ts): what a run of requestAnimationFrame timestamps says about
// smoothness. A frame is "dropped" for every 1/60 s an interval exceeds one frame period by more than half a
// period (an interval of 50 ms counts 2 dropped frames).

/** One frame at 60 Hz, the rate Chromium drives requestAnimationFrame at. */
export const FRAME_MS = 1000 / 60;

export interface FrameFigures {
  frames: number;
  fps: number;
  dropped: number;
  longestMs: number;
  p95Ms: number;
}

/** Frame figures from requestAnimationFrame timestamps (ms). */
export function frameFigures(times: number[]): FrameFigures {
  const intervals = times.slice(1).map((t, i) => t - times[i]);
  const sorted = [...intervals].sort((a, b) => a - b);
  const span = times.length > 1 ? times[times.length - 1] - times[0] : 0;
  let dropped = 0;
  for (const ms of intervals) if (ms > 1.5 * FRAME_MS) dropped += Math.round(ms / FRAME_MS) - 1;
  return {
    frames: intervals.length,
    fps: span > 0 ? (intervals.length * 1000) / span : 0,
    dropped,
    longestMs: sorted.at(-1) ?? 0,
    p95Ms: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
  };
}
