// Argo durations: a number of seconds, or Go-style "90s", "1m30s", "2h".
import { CosmoError } from "../../core/errors.ts";

export function parseDurationSeconds(value: string | number | undefined, where: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value === "number") return value;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of value.matchAll(re)) {
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as "ms" | "s" | "m" | "h"];
    consumed += m[0].length;
  }
  if (consumed !== value.length || consumed === 0) throw new CosmoError(`${where}: bad duration "${value}"`);
  return total;
}
