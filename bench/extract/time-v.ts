// Reading GNU `/usr/bin/time -v` output, in the units the extract report compares: decimal megabytes (10^6 B),
// the unit the report's file sizes are in. time -v's "kbytes" are KiB (1024 B).
export interface TimeV {
  wall: number;
  cpu: number;
  /** Peak resident set size in MB (10^6 bytes). */
  rssMb: number;
}

const BYTES_PER_KIB = 1024;
const BYTES_PER_MB = 1e6;

export function parseTimeV(text: string): TimeV {
  const field = (label: string) => text.match(new RegExp(`${label}: (.*)`))?.[1]?.trim() ?? "";
  const wallParts = field("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)").split(":").map(Number);
  const wall = wallParts.reduce((acc, v) => acc * 60 + v, 0);
  const cpu = Number(field("User time \\(seconds\\)")) + Number(field("System time \\(seconds\\)"));
  const rssMb = (Number(field("Maximum resident set size \\(kbytes\\)")) * BYTES_PER_KIB) / BYTES_PER_MB;
  return { wall, cpu, rssMb };
}

/** A file's size in MB (10^6 bytes), the unit parseTimeV gives RSS in. */
export function sizeMb(bytes: number): number {
  return bytes / BYTES_PER_MB;
}
