// The HTTP answer for a tile, shared by the Express route and the Express-free fast path for memory hits.

import type { IncomingHttpHeaders } from "node:http";
import { gunzipSync } from "node:zlib";
import { acceptsGzip, notModified } from "../core/serving/negotiate.ts";
import type { CachedTile } from "./cache.ts";

export interface TileAnswer {
  status: 200 | 204 | 304;
  headers: Record<string, string>;
  body?: Buffer;
}

export const MVT_TYPE = "application/vnd.mapbox-vector-tile";

export function tileAnswer(opts: {
  tile: CachedTile;
  version: number;
  requestHeaders: IncomingHttpHeaders;
  /** The `v` query parameter, when the URL carries one. */
  versionParam: string | undefined;
  maxAgeSeconds: number;
}): TileAnswer {
  const { tile, version } = opts;
  // Strong ETag per representation: the gzip body and the identity body are different byte sequences.
  const identity = `"${tile.hash}"`;
  const gzipTag = `"${tile.hash}-gzip"`;
  const gzip = tile.rawLength > 0 && acceptsGzip(opts.requestHeaders["accept-encoding"]);
  const headers: Record<string, string> = {
    Vary: "Accept-Encoding",
    ETag: gzip ? gzipTag : identity,
    "X-Dataset-Version": String(version),
    // URLs carrying the version (from TileJSON) never change content; bare URLs change on publish.
    "Cache-Control":
      opts.versionParam === String(version)
        ? "public, max-age=31536000, immutable"
        : `public, max-age=${opts.maxAgeSeconds}`,
  };
  if (notModified(opts.requestHeaders, headers.ETag as string)) return { status: 304, headers };
  if (tile.rawLength === 0) return { status: 204, headers };
  headers["Content-Type"] = MVT_TYPE;
  if (gzip) {
    headers["Content-Encoding"] = "gzip";
    return { status: 200, headers, body: tile.gz };
  }
  return { status: 200, headers, body: gunzipSync(tile.gz) };
}
