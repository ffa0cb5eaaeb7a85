// Artefact URLs: `s3://bucket/key`, `file:///abs/path` or a plain path. The one place such a URL is taken apart;
// kept free of the S3 client so that the zones reader and writer can use it without loading one.

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "./errors.ts";

export type ArtefactLocation = { kind: "s3"; bucket: string; key: string } | { kind: "file"; path: string };

/** `s3://bucket/key`, `file:///abs/path` or a plain (relative or absolute) path. */
export function parseArtefactUrl(url: string): ArtefactLocation {
  if (url.startsWith("s3://")) {
    const rest = url.slice(5);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? "" : rest.slice(slash + 1);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new InputError(`invalid S3 bucket name in ${url}`);
    return { kind: "s3", bucket, key };
  }
  if (url.startsWith("file://")) return { kind: "file", path: fileURLToPath(url) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new InputError(`unsupported artefact URL ${url} (use s3://bucket/key, file:///path or a path)`);
  }
  return { kind: "file", path: resolve(url) };
}

export function isRemote(url: string): boolean {
  return url.startsWith("s3://");
}

/** The file a local path or file:// URL names (absolute); null for an s3:// URL. */
export function localPath(url: string): string | null {
  const loc = parseArtefactUrl(url);
  return loc.kind === "file" ? loc.path : null;
}
