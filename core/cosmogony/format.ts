// The file format is chosen by the name's suffix, as upstream cosmogony does.
import { InputError } from "../errors.ts";

export interface ZoneFileFormat {
  /** `json`: one object {"zones": [...], "meta": {...}}; `jsonl`: one zone per line, no meta. */
  kind: "json" | "jsonl";
  gzip: boolean;
}

export const ACCEPTED_SUFFIXES = [".json", ".jsonl", ".json.gz", ".jsonl.gz"] as const;

/** Format of a zones file from its name (a path, an s3:// URL or a bare file name; a `?query` is ignored). */
export function detectFormat(name: string): ZoneFileFormat {
  const base = name.replace(/[?#].*$/, "").toLowerCase();
  if (base.endsWith(".jsonl.gz")) return { kind: "jsonl", gzip: true };
  if (base.endsWith(".json.gz")) return { kind: "json", gzip: true };
  if (base.endsWith(".jsonl")) return { kind: "jsonl", gzip: false };
  if (base.endsWith(".json")) return { kind: "json", gzip: false };
  throw new InputError(
    `unable to detect the file format from the file name: the accepted suffixes are ${ACCEPTED_SUFFIXES.join(", ")}`,
    { file: name },
  );
}

/** The canonical suffix of a format (used for temporary names and for messages). */
export function formatSuffix(f: ZoneFileFormat): string {
  return `.${f.kind}${f.gzip ? ".gz" : ""}`;
}

/**
 * Where a zones file's stats sidecar lives (path, file:// or s3:// URL): `FILE.meta.json`, the cosmogony `meta`
 * object that a `.jsonl[.gz]` file cannot carry itself. `cosmo extract` and `cosmo merge` write it, the dashboard
 * reads it.
 */
export function sidecarOf(zonesFile: string): string {
  return `${zonesFile}.meta.json`;
}
