// Tiny header parsers for the Express-free fast paths (cache hits), equivalent to what Express does for them.

/** Whether Accept-Encoding allows gzip (gzip or *, with a non-zero q). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star = false;
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const ok = !q || Number(q.slice(2)) > 0;
    if (name === "gzip") return ok;
    if (name === "*") star = ok;
  }
  return star;
}

/** If-None-Match against the candidate ETags (weak comparison, as RFC 9110 requires for this header). */
export function etagMatches(header: string | undefined, candidates: string[]): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => candidates.includes(t.trim().replace(/^W\//, "")));
}
